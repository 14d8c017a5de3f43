@testable import RdKafka
import Foundation
import Synchronization
import Testing

/// The per-thread state behind the produce path: what makes `close()` wait for a thread that is
/// inside an enqueue, and id blocks that stay unique.
@Suite("Producing threads: close waits for enqueues under way; ids stay unique")
struct ProducingThreadTests {
    /// A stand-in for a producer: its serial is what threads note, its flag what close sets.
    final class FakeCore: Sendable {
        let closed = Atomic<Bool>(false)
        let ids = Atomic<UInt64>(ProducingThread.idBlock)  // as ProducerCore starts them
        let finished = Atomic<Int>(0)
        let serial = ProducingThread.newSerial()
    }

    @Test("waiting for a closed core returns only after a thread inside it has left", arguments: [true, false])
    func waitsForThreadInside(fenced: Bool) async throws {
        if fenced && !ProducingThread.hasMembarrier { return }  // nothing to test without it
        let core = FakeCore()
        let inside = DispatchSemaphore(value: 0)
        let threadDone = DispatchSemaphore(value: 0)
        let serial = core.serial
        Thread.detachNewThread {
            let thread = ProducingThread.current
            let outer = thread.enter(serial, fenced: fenced)
            if !core.closed.load(ordering: .sequentiallyConsistent) {
                inside.signal()
                usleep(100_000)  // a thread preempted in the middle of its enqueue
                core.finished.store(1, ordering: .relaxed)
            }
            thread.leave(restoring: outer)
            threadDone.signal()
        }
        inside.wait()
        core.closed.store(true, ordering: .sequentiallyConsistent)
        let start = ContinuousClock.now
        ProducingThread.waitUntilNoneInside(serial, fenced: fenced)
        #expect(core.finished.load(ordering: .relaxed) == 1, "returned while the thread was still inside")
        #expect(ContinuousClock.now - start >= .milliseconds(50))
        threadDone.wait()
    }

    @Test("a thread entering after close sees the flag", arguments: [true, false])
    func lateThreadSeesClosed(fenced: Bool) async throws {
        if fenced && !ProducingThread.hasMembarrier { return }
        let core = FakeCore()
        core.closed.store(true, ordering: .sequentiallyConsistent)
        ProducingThread.waitUntilNoneInside(core.serial, fenced: fenced)
        let thread = ProducingThread.current
        let outer = thread.enter(core.serial, fenced: fenced)
        let sawClosed = core.closed.load(ordering: .sequentiallyConsistent)
        thread.leave(restoring: outer)
        #expect(sawClosed)
    }

    @Test("a nested enqueue restores the outer producer's note")
    func nestedEnterRestores() {
        let a = FakeCore(), b = FakeCore()
        let thread = ProducingThread.current
        let outerA = thread.enter(a.serial, fenced: true)
        let outerB = thread.enter(b.serial, fenced: true)
        #expect(thread.state.pointee.inside.load(ordering: .relaxed) == b.serial)
        thread.leave(restoring: outerB)
        #expect(thread.state.pointee.inside.load(ordering: .relaxed) == a.serial)
        thread.leave(restoring: outerA)
        #expect(thread.state.pointee.inside.load(ordering: .relaxed) == outerA)
    }

    @Test("ids are unique per core across threads, and blocks change hands with the core")
    func idsUnique() async {
        let a = FakeCore(), b = FakeCore()
        let seen = Locked<(a: [UInt64], b: [UInt64])>(([], []))
        let group = DispatchGroup()
        for _ in 0..<4 {
            group.enter()
            Thread.detachNewThread {
                var mineA: [UInt64] = [], mineB: [UInt64] = []
                let thread = ProducingThread.current
                for i in 0..<5_000 {
                    if (i / 777) % 2 == 0 {
                        mineA.append(thread.makeID(for: a.serial, from: a.ids))
                    } else {
                        mineB.append(thread.makeID(for: b.serial, from: b.ids))
                    }
                }
                seen.withLock { $0.a += mineA; $0.b += mineB }
                group.leave()
            }
        }
        await withCheckedContinuation { done in group.notify(queue: .global()) { done.resume() } }
        let (idsA, idsB) = seen.withLock { $0 }
        #expect(idsA.count + idsB.count == 20_000)
        #expect(Set(idsA).count == idsA.count)
        #expect(Set(idsB).count == idsB.count)
        #expect(!idsA.contains(0) && !idsB.contains(0))
        // The first id of every block ends in ten zero bits (the inline serving's pace), also
        // when a thread switches producers before using a whole block: each run of 777 ids for
        // one core starts a block.
        #expect(idsA.filter { $0 & 1023 == 0 }.count >= 12)
        #expect(idsB.filter { $0 & 1023 == 0 }.count >= 8)
    }
}
