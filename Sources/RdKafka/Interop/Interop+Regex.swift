#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Interop {
    /// Why `pattern` is not a regular expression librdkafka can subscribe with, or nil when it
    /// is. Compiled as librdkafka compiles subscription patterns on this platform (`regcomp`
    /// with `REG_EXTENDED | REG_NOSUB`, leading `^` included), so what passes here is what
    /// the consumer will match with.
    static func regexProblem(_ pattern: String) -> String? {
        var regex = regex_t()
        let code = regcomp(&regex, pattern, REG_EXTENDED | REG_NOSUB)
        guard code != 0 else {
            regfree(&regex)
            return nil
        }
        var text = [CChar](repeating: 0, count: 256)
        regerror(code, &regex, &text, text.count)
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
