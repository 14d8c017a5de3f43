extension Interop {
    /// Why `pattern` is not a regular expression librdkafka can subscribe with, or nil when it
    /// is. Compiled as librdkafka compiles subscription patterns on this platform (`regcomp`
    /// with `REG_EXTENDED | REG_NOSUB`, leading `^` included), so what passes here is what
    /// the consumer will match with.
    static func regexProblem(_ pattern: String) -> String? { Syscalls.extendedRegexProblem(pattern) }
}
