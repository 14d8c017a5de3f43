extension StringProtocol {
    /// Without leading and trailing blanks: spaces, tabs and other non-newline white space
    /// (Foundation's `trimmingCharacters(in: .whitespaces)`, without needing all of Foundation).
    var trimmingWhitespace: String {
        let isBlank: (Character) -> Bool = { $0.isWhitespace && !$0.isNewline }
        guard let first = firstIndex(where: { !isBlank($0) }), let last = lastIndex(where: { !isBlank($0) }) else { return "" }
        return String(self[first...last])
    }
}
