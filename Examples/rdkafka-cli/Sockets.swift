// The CLI's socket calls for `check` (name resolution, a bounded TCP connect), with a branch
// per C library: the SDK's own libc calls live in Sources/RdKafka/Internals/Syscalls.swift.
#if canImport(Darwin)
import Darwin
private let streamSocket = SOCK_STREAM
private let systemConnect = Darwin.connect
#elseif canImport(Glibc)
import Glibc
private let streamSocket = Int32(SOCK_STREAM.rawValue)
private let systemConnect = Glibc.connect
#elseif canImport(Musl)
import Musl
private let streamSocket = SOCK_STREAM
private let systemConnect = Musl.connect
#else
#error("rdkafka-cli check: no socket API for this platform")
#endif

enum Sockets {
    enum Resolution { case success([String]), failure(String) }

    static func resolve(_ host: String, _ port: String) -> Resolution {
        var hints = addrinfo()
        hints.ai_socktype = streamSocket
        var list: UnsafeMutablePointer<addrinfo>? = nil
        let status = getaddrinfo(host, port, &hints, &list)
        guard status == 0 else { return .failure(String(cString: gai_strerror(status))) }
        defer { freeaddrinfo(list) }
        var found: [String] = []
        var node = list
        while let entry = node?.pointee {
            var name = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(entry.ai_addr, entry.ai_addrlen, &name, socklen_t(name.count), nil, 0, NI_NUMERICHOST) == 0 {
                let text = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if !found.contains(text) { found.append(text) }
            }
            node = entry.ai_next
        }
        return .success(found)
    }

    /// A non-blocking connect bounded by `timeoutMs`; nil when the connection was accepted.
    static func connect(_ address: String, _ port: String, timeoutMs: Int32) -> String? {
        var hints = addrinfo()
        hints.ai_socktype = streamSocket
        hints.ai_flags = AI_NUMERICHOST
        var list: UnsafeMutablePointer<addrinfo>? = nil
        guard getaddrinfo(address, port, &hints, &list) == 0, let entry = list?.pointee else { return "cannot parse address \(address)" }
        defer { freeaddrinfo(list) }
        let fd = socket(entry.ai_family, entry.ai_socktype, entry.ai_protocol)
        guard fd >= 0 else { return String(cString: strerror(errno)) }
        defer { close(fd) }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        if systemConnect(fd, entry.ai_addr, entry.ai_addrlen) == 0 { return nil }
        guard errno == EINPROGRESS else { return String(cString: strerror(errno)) }
        var pollfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        guard poll(&pollfd, 1, timeoutMs) == 1 else { return "no answer within \(timeoutMs) ms" }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        _ = getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
        return error == 0 ? nil : String(cString: strerror(error))
    }
}
