#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CRdKafka
import Synchronization

/// What the produce path keeps per calling thread, so that a produced message costs no atomic
/// read-modify-write of the SDK's own (`lock`-prefixed instructions measured ~16 ns a message
/// for the three there were: taking an id, and entering and leaving the producer).
///
/// - **Ids** come from a block of 1024 taken from the producer with one atomic add; the thread
///   hands them out with plain loads and stores. Ids stay unique per producer, and rise per
///   thread, not across threads.
/// - **Closing** (``ProducerCore/close()``) must wait for every thread that is inside an
///   enqueue. A thread notes the producer it is entering with a plain store and then reads the
///   producer's closed flag; `close()` sets the flag, makes every thread of the process execute
///   a full memory barrier with `membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED)`, and then waits
///   while any thread still notes that producer. Either the thread's note is seen, or the
///   thread sees the flag. Where `membarrier` is missing, the note is a sequentially
///   consistent store instead (one locked instruction).
///
/// A view of one thread's ``State``, found through a thread-local pointer (the shim's
/// `swift_rdkafka_producing_thread_slot`). States are never freed: one whose thread has exited
/// serves the next new thread. Only its own thread writes a state; `close()` reads ``State/inside``
/// from any thread. A plain pointer, not a class, so passing it costs no retain.
struct ProducingThread {
    struct State: ~Copyable {
        /// The serial (``newSerial()``) of the core this thread is enqueueing into, 0 when none.
        let inside = Atomic<UInt64>(0)
        /// The serial of the core whose id block ``nextID`` and ``endID`` are. Serials, not
        /// addresses: a later core can have a freed one's address. Plain values in atomics, so
        /// reads and writes are plain moves.
        let idOwner = Atomic<UInt64>(0)
        let nextID = Atomic<UInt64>(0)
        let endID = Atomic<UInt64>(0)
    }

    let state: UnsafeMutablePointer<State>

    static let idBlock: UInt64 = 1024

    /// The calling thread's state, made on its first call.
    ///
    /// Never inlined, and with ``register()`` and the exit destructor the only user of the shim's thread-local slot
    /// (all in this file): release builds compile each file into its own LLVM module, each with its
    /// own copy of a header's static variable, so a read inlined into another file saw a slot
    /// that is never written (measured: every call went to `register`).
    @inline(never)
    static var current: ProducingThread {
        if let raw = swift_rdkafka_producing_thread_slot().pointee {
            return ProducingThread(state: raw.assumingMemoryBound(to: State.self))
        }
        return register()
    }

    /// A serial for a new core, never given out again (0 is none).
    static func newSerial() -> UInt64 { serials.wrappingAdd(1, ordering: .relaxed).newValue }
    private static let serials = Atomic<UInt64>(0)

    /// A fresh id for a message of the core with serial `core`, from this thread's block
    /// (refilled from the core's `counter`).
    @inline(__always)
    func makeID(for core: UInt64, from counter: borrowing Atomic<UInt64>) -> UInt64 {
        var id = state.pointee.nextID.load(ordering: .relaxed)
        if state.pointee.idOwner.load(ordering: .relaxed) != core || id == state.pointee.endID.load(ordering: .relaxed) {
            id = counter.wrappingAdd(Self.idBlock, ordering: .relaxed).oldValue
            state.pointee.idOwner.store(core, ordering: .relaxed)
            state.pointee.endID.store(id &+ Self.idBlock, ordering: .relaxed)
        }
        state.pointee.nextID.store(id &+ 1, ordering: .relaxed)
        return id
    }

    /// Notes that this thread enters `core`'s enqueue; the caller then reads the closed flag.
    /// Returns what was noted before, for ``leave(restoring:)``: an enqueue can nest in another
    /// producer's (a log handler that produces, called from inside librdkafka).
    @inline(__always)
    func enter(_ core: UInt64, fenced: Bool) -> UInt64 {
        let outer = state.pointee.inside.load(ordering: .relaxed)
        if fenced {
            state.pointee.inside.store(core, ordering: .relaxed)
            // Keeps the compiler from moving the closed flag's load above the store; the
            // processor's reordering is undone by close()'s membarrier.
            swift_rdkafka_compiler_barrier()
        } else {
            state.pointee.inside.store(core, ordering: .sequentiallyConsistent)
        }
        return outer
    }

    /// Notes that the enqueue is over (after its effects, for close()'s loads).
    @inline(__always)
    func leave(restoring outer: UInt64) { state.pointee.inside.store(outer, ordering: .releasing) }

    // MARK: Registry (slow paths only)

    /// Every state ever made (they live as long as the process), and those free for reuse.
    private static let all = Locked<[UnsafeMutablePointer<State>]>([])
    private static let spare = Locked<[UnsafeMutablePointer<State>]>([])

    /// Its destructor hands an exiting thread's state back; never deleted. `nil` when the
    /// process is out of keys: exiting threads' states are then not reused (a slow leak).
    private static let exitKey: pthread_key_t? = {
        var key = pthread_key_t()
        let result = pthread_key_create(&key) { raw in
            // The thread is exiting, so it is inside no enqueue: its state may serve another.
            // Its slot is cleared first, so that a produce from a later destructor on this thread
            // registers again instead of sharing the state with the next thread.
            guard let raw else { return }
            swift_rdkafka_producing_thread_slot().pointee = nil
            ProducingThread.spare.withLock { $0.append(raw.assumingMemoryBound(to: State.self)) }
        }
        return result == 0 ? key : nil
    }()

    /// Whether `close()` can rely on membarrier, so that `enter` needs no fence.
    static let hasMembarrier: Bool = swift_rdkafka_membarrier_register() == 0

    @inline(never)
    private static func register() -> ProducingThread {
        let state = spare.withLock { $0.popLast() } ?? {
            let made = UnsafeMutablePointer<State>.allocate(capacity: 1)
            made.initialize(to: State())
            all.withLock { $0.append(made) }
            return made
        }()
        if let exitKey { pthread_setspecific(exitKey, state) }
        swift_rdkafka_producing_thread_slot().pointee = UnsafeMutableRawPointer(state)
        return ProducingThread(state: state)
    }

    /// Returns once no thread is inside `core`'s enqueue; call after setting its closed flag.
    static func waitUntilNoneInside(_ core: UInt64, fenced: Bool) {
        // Registered, it does not fail (only a bad command or flags would).
        if fenced { _ = swift_rdkafka_membarrier() }
        let states = all.withLock { $0 }
        for state in states {
            while state.pointee.inside.load(ordering: .sequentiallyConsistent) == core { sched_yield() }
        }
    }
}
