/// The one conversion from a user's `Duration` to what librdkafka and the SDK's waits take.
/// Any `Duration` is accepted: negative means "do not wait", and huge values saturate instead
/// of overflowing (a crash for a value that came from a user's configuration).
extension Duration {
    /// Whole milliseconds for a librdkafka timeout: 0 when negative, at most `Int32.max`
    /// (about 24.8 days).
    package var clampedMilliseconds: Int32 {
        let (seconds, attoseconds) = components
        if seconds < 0 || (seconds == 0 && attoseconds <= 0) { return 0 }
        let (ms, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        if overflow { return .max }
        return Int32(clamping: ms.addingReportingOverflow(attoseconds / 1_000_000_000_000_000).partialValue)
    }

    /// The duration as a wait: zero when negative, at most a century (so that adding it to a
    /// clock reading cannot overflow).
    package var clampedWait: Duration {
        if self < .zero { return .zero }
        return Swift.min(self, Self.longestWait)
    }

    /// The duration in librdkafka's milliseconds for a configuration property: whole
    /// milliseconds (rounded to the nearest) or, where the property takes a decimal number,
    /// up to three decimals. Saturates instead of overflowing; a negative value stays negative
    /// so that librdkafka's range check names the property.
    func librdkafkaMilliseconds(fractional: Bool) -> String {
        let (seconds, attoseconds) = components
        let microseconds = attoseconds / 1_000_000_000_000  // toward zero
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000)
        guard !overflow, case let (total, false) = whole.addingReportingOverflow(microseconds) else {
            return seconds < 0 ? String(Int64.min / 1000) : String(Int64.max / 1000)
        }
        if fractional {
            let sign = total < 0 ? "-" : ""
            let ms = total.magnitude / 1000, fraction = total.magnitude % 1000
            if fraction == 0 { return sign + String(ms) }
            var digits = String(fraction)
            digits = String(repeating: "0", count: 3 - digits.count) + digits
            while digits.hasSuffix("0") { digits.removeLast() }
            return "\(sign)\(ms).\(digits)"
        }
        let rounded = (total + (total < 0 ? -500 : 500)) / 1000
        return String(rounded)
    }

    static let longestWait: Duration = .seconds(100 * 365 * 24 * 3600)
}

extension ContinuousClock.Instant {
    /// Now plus `wait`, clamped as ``Swift/Duration/clampedWait``.
    package static func after(_ wait: Duration) -> ContinuousClock.Instant { .now + wait.clampedWait }
}

extension Int32 {
    /// `self + other` without overflow (librdkafka timeouts plus a margin).
    func addingClamped(_ other: Int32) -> Int32 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }
}
