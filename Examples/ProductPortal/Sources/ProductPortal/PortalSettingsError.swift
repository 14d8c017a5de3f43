/// A `PORTAL_*` setting that cannot be used.
public struct PortalSettingsError: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }
}
