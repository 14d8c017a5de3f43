import Foundation

/// Conversions between Swift's types and the underlying values of Avro's logical types.
enum AvroLogical {
    /// `Date` as the count of `unit`s (seconds per unit) since 1970, rounded down.
    static func count(_ date: Date, per unitsPerSecond: Double) -> Int64 {
        Int64((date.timeIntervalSince1970 * unitsPerSecond).rounded(.down))
    }

    static func date(_ count: Int64, per unitsPerSecond: Double) -> Date {
        Date(timeIntervalSince1970: Double(count) / unitsPerSecond)
    }

    /// A decimal's unscaled value as big-endian two's complement (at least one byte), or nil
    /// when `value` has more fractional digits than `scale` or does not fit `size` bytes.
    static func unscaledBytes(_ value: Foundation.Decimal, scale: Int, size: Int? = nil) -> [UInt8]? {
        var scaled = value
        var power = Foundation.Decimal(1)
        for _ in 0..<scale { power *= 10 }
        scaled *= power
        var rounded = Foundation.Decimal()
        NSDecimalRound(&rounded, &scaled, 0, .plain)
        guard rounded == scaled else { return nil }
        // Decimal's digits to a big integer, base 256, little-endian magnitude.
        let negative = rounded < 0
        var magnitude = negative ? -rounded : rounded
        var digits: [UInt8] = []
        while magnitude > 0 {
            var quotient = magnitude / 256
            var floored = Foundation.Decimal()
            NSDecimalRound(&floored, &quotient, 0, .down)
            let remainder = magnitude - floored * 256
            digits.append(UInt8(truncating: remainder as NSDecimalNumber))
            magnitude = floored
        }
        // Two's complement, big-endian, with a sign bit.
        var bytes = [UInt8](digits.reversed())
        if bytes.isEmpty { bytes = [0] }
        if bytes[0] & 0x80 != 0 { bytes.insert(0, at: 0) }
        if negative {
            bytes = bytes.map { ~$0 }
            for i in stride(from: bytes.count - 1, through: 0, by: -1) {
                let (sum, overflow) = bytes[i].addingReportingOverflow(1)
                bytes[i] = sum
                if !overflow { break }
            }
            if bytes[0] & 0x80 == 0 { bytes.insert(0xFF, at: 0) }
        }
        if let size {
            guard bytes.count <= size else { return nil }
            bytes.insert(contentsOf: [UInt8](repeating: negative ? 0xFF : 0, count: size - bytes.count), at: 0)
        }
        return bytes
    }

    static func decimal(_ bytes: [UInt8], scale: Int) -> Foundation.Decimal {
        guard let first = bytes.first else { return 0 }
        let negative = first & 0x80 != 0
        var magnitudeBytes = bytes
        if negative {
            // Two's complement back to a magnitude.
            magnitudeBytes = bytes.map { ~$0 }
            for i in stride(from: magnitudeBytes.count - 1, through: 0, by: -1) {
                let (sum, overflow) = magnitudeBytes[i].addingReportingOverflow(1)
                magnitudeBytes[i] = sum
                if !overflow { break }
            }
        }
        var value = Foundation.Decimal(0)
        for byte in magnitudeBytes { value = value * 256 + Foundation.Decimal(Int(byte)) }
        var power = Foundation.Decimal(1)
        for _ in 0..<scale { power *= 10 }
        value /= power
        return negative ? -value : value
    }
}
