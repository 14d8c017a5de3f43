/// The product administrator's login, checked on every price update.
///
/// The defaults are the guide's (`Admin` / `Admin`); `PORTAL_ADMIN_USERNAME` and
/// `PORTAL_ADMIN_PASSWORD` replace them. The password is never logged or printed.
public struct AdminCredentials: Sendable, CustomStringConvertible {
    public var username: String
    public var password: String

    public init(username: String = "Admin", password: String = "Admin") {
        self.username = username
        self.password = password
    }

    /// Whether `username` and `password` are this login. Compares every byte, so the time taken
    /// does not tell how much of a guess was right.
    public func accepts(username: String, password: String) -> Bool {
        (Self.difference(username, self.username) | Self.difference(password, self.password)) == 0
    }

    /// Zero when `a` and `b` are the same bytes.
    private static func difference(_ a: String, _ b: String) -> UInt8 {
        let x = Array(a.utf8), y = Array(b.utf8)
        var difference = UInt8(truncatingIfNeeded: x.count ^ y.count)
        for i in 0..<max(x.count, y.count) {
            difference |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0)
        }
        return difference
    }

    /// Shows the user name only.
    public var description: String { "\(username) (password redacted)" }
}
