import FoundationEssentials
import PluginKit

/// Kalshi's request authentication (kalshi.md §2): three headers, the signature being RSA-PSS
/// SHA-256 (MGF1-SHA-256, 32-byte salt) over `<timestamp ms><METHOD><path without query>`,
/// base64 with padding. The key stays in the host: the plugin asks the host's signer to sign
/// with the key named in its manifest.
struct KalshiSigner {
    let host: HostServices
    let keyID: String
    let keyName: String

    /// The message Kalshi verifies for a request to `url`.
    static func message(timestampMilliseconds: Int64, method: String, url: String) -> String {
        "\(timestampMilliseconds)\(method.uppercased())\(path(of: url))"
    }

    /// The path of an absolute URL, without scheme, host and query.
    static func path(of url: String) -> String {
        var rest = Substring(url)
        if let scheme = rest.firstRange(of: "://") { rest = rest[scheme.upperBound...] }
        guard let slash = rest.firstIndex(of: "/") else { return "/" }
        let path = rest[slash...]
        return String(path.prefix { $0 != "?" && $0 != "#" })
    }

    func headers(method: String, url: String) throws -> [HTTPHeader] {
        let timestamp = host.now / 1_000_000
        let message = Self.message(timestampMilliseconds: timestamp, method: method, url: url)
        let signature = try host.sign(Array(message.utf8), keyName: keyName, algorithm: .rsaPSSSHA256)
        return [
            HTTPHeader("KALSHI-ACCESS-KEY", keyID),
            HTTPHeader("KALSHI-ACCESS-TIMESTAMP", String(timestamp)),
            HTTPHeader("KALSHI-ACCESS-SIGNATURE", Data(signature).base64EncodedString()),
        ]
    }
}
