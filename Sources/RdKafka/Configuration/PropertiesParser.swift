/// Parses Java `.properties` text as `java.util.Properties.load` does: `#` and `!` comments,
/// `=`, `:` or whitespace between key and value, backslash line continuations, and escapes
/// (`\t \n \r \f \uXXXX`, any other escaped character stands for itself).
///
/// Pure and total: any input either parses or yields an error naming the line.
struct PropertiesParser {
    struct Property: Equatable {
        var key: String
        var value: String
        /// 1-based line where the logical line starts.
        var line: Int
    }

    struct Failure: Error, Equatable {
        var line: Int
        var message: String
    }

    static func parse(_ text: String) -> Result<[Property], Failure> {
        var result: [Property] = []
        // Work on unicode scalars: escapes and separators are all ASCII.
        let physical = splitLines(Array(text.unicodeScalars))
        var i = 0
        while i < physical.count {
            let startLine = i + 1
            var logical: [Unicode.Scalar] = []
            var current = stripLeadingWhitespace(physical[i])
            if current.isEmpty || current.first == "#" || current.first == "!" {
                i += 1
                continue
            }
            // Join continuation lines: an odd number of trailing backslashes continues the line.
            while true {
                if endsWithContinuation(current) {
                    logical.append(contentsOf: current.dropLast())
                    i += 1
                    if i >= physical.count { break }
                    current = stripLeadingWhitespace(physical[i])
                } else {
                    logical.append(contentsOf: current)
                    i += 1
                    break
                }
            }
            switch splitKeyValue(logical, line: startLine) {
            case .success(let (key, value)): result.append(Property(key: key, value: value, line: startLine))
            case .failure(let failure): return .failure(failure)
            }
        }
        return .success(result)
    }

    private static func splitLines(_ scalars: [Unicode.Scalar]) -> [[Unicode.Scalar]] {
        var lines: [[Unicode.Scalar]] = []
        var line: [Unicode.Scalar] = []
        var index = 0
        while index < scalars.count {
            let c = scalars[index]
            if c == "\n" || c == "\r" {
                lines.append(line)
                line = []
                if c == "\r", index + 1 < scalars.count, scalars[index + 1] == "\n" { index += 1 }
            } else {
                line.append(c)
            }
            index += 1
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }

    private static func isWhitespace(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" || c == "\u{0C}" }

    private static func stripLeadingWhitespace(_ line: [Unicode.Scalar]) -> [Unicode.Scalar] {
        Array(line.drop(while: isWhitespace))
    }

    private static func endsWithContinuation(_ line: [Unicode.Scalar]) -> Bool {
        var count = 0
        for c in line.reversed() {
            if c == "\\" { count += 1 } else { break }
        }
        return count % 2 == 1
    }

    private static func splitKeyValue(_ line: [Unicode.Scalar], line number: Int) -> Result<(String, String), Failure> {
        var keyEnd = 0
        var escaped = false
        while keyEnd < line.count {
            let c = line[keyEnd]
            if escaped {
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else if c == "=" || c == ":" || isWhitespace(c) {
                break
            }
            keyEnd += 1
        }
        var valueStart = keyEnd
        while valueStart < line.count, isWhitespace(line[valueStart]) { valueStart += 1 }
        if valueStart < line.count, line[valueStart] == "=" || line[valueStart] == ":" {
            valueStart += 1
            while valueStart < line.count, isWhitespace(line[valueStart]) { valueStart += 1 }
        }
        let key: String
        let value: String
        switch unescape(line[0..<keyEnd], line: number) {
        case .success(let k): key = k
        case .failure(let f): return .failure(f)
        }
        switch unescape(line[valueStart..<line.count], line: number) {
        case .success(let v): value = v
        case .failure(let f): return .failure(f)
        }
        return .success((key, value))
    }

    private static func unescape(_ part: ArraySlice<Unicode.Scalar>, line: Int) -> Result<String, Failure> {
        var out = String.UnicodeScalarView()
        var index = part.startIndex
        while index < part.endIndex {
            let c = part[index]
            index += 1
            guard c == "\\" else {
                out.append(c)
                continue
            }
            guard index < part.endIndex else { break }
            let e = part[index]
            index += 1
            switch e {
            case "t": out.append("\t")
            case "n": out.append("\n")
            case "r": out.append("\r")
            case "f": out.append("\u{0C}")
            case "u":
                guard index + 4 <= part.endIndex else {
                    return .failure(Failure(line: line, message: "malformed \\uXXXX escape: needs four hex digits"))
                }
                var code: UInt32 = 0
                for h in part[index..<index + 4] {
                    guard let digit = h.properties.numericType != nil || ("a"..."f").contains(h) || ("A"..."F").contains(h)
                        ? UInt32(String(h), radix: 16) : nil
                    else {
                        return .failure(Failure(line: line, message: "malformed \\uXXXX escape: '\(h)' is not a hex digit"))
                    }
                    code = code * 16 + digit
                }
                index += 4
                // Lone surrogates cannot be represented in a Swift string; use U+FFFD as Java's
                // String would later on output.
                out.append(Unicode.Scalar(code) ?? "\u{FFFD}")
            default: out.append(e)
            }
        }
        return .success(String(out))
    }
}
