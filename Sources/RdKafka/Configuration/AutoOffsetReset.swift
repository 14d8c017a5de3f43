/// Where a consumer starts when its group has no committed offset, or the offset is out of range.
/// The corresponding librdkafka property is `auto.offset.reset`.
public enum AutoOffsetReset: String, Sendable {
    /// Start at the oldest message kept by the broker.
    case earliest
    /// Start after the newest message (librdkafka's default).
    case latest
    /// Fail with an error event (`_AUTO_OFFSET_RESET`) instead of guessing.
    case error
}
