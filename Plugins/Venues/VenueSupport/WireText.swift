import FoundationEssentials

/// Text conventions the venues' REST APIs share.
public enum WireText {
    /// RFC 3339 with or without fractional seconds, as nanoseconds since the epoch.
    public static func nanoseconds(_ text: String) -> Int64? {
        if let d = try? Date(text, strategy: .iso8601) { return Int64(d.timeIntervalSince1970 * 1e9) }
        let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        if let d = try? fractional.parse(text) { return Int64(d.timeIntervalSince1970 * 1e9) }
        return nil
    }

    /// A query value with everything but RFC 3986's unreserved characters percent-encoded:
    /// cursors are opaque (often base64, whose `+`, `/` and `=` a query string would misread).
    public static func queryEscaped(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "A"..."Z", "a"..."z", "0"..."9", "-", "_", ".", "~": out.unicodeScalars.append(scalar)
            default:
                for byte in String(scalar).utf8 {
                    let hex = String(byte, radix: 16, uppercase: true)
                    out += "%" + (hex.count == 1 ? "0" + hex : hex)
                }
            }
        }
        return out
    }
}

extension String {
    /// The string without `suffix` at its end (a base URL's trailing slash).
    public func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
