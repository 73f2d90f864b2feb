import Foundation
import TOMLKit

/// The host's own settings file (`arb.toml`). Today it names the signing keys; bankroll, risk
/// limits, venue environments and the store path join it with the engine.
///
/// ```toml
/// [keys.kalshi-prod]
/// file = "/etc/arb/kalshi.pem"       # env ARB_KEY_KALSHI_PROD_FILE overrides it
/// format = "rsa-pem"                 # rsa-pem | hmac-base64
/// plugins = ["venue.kalshi"]         # manifest ids allowed to sign with it
/// ```
public struct HostSettings: Sendable {
    public struct KeyEntry: Sendable, Equatable {
        public var name: String
        public var file: String
        public var format: KeyStore.FileFormat
        public var plugins: Set<String>
    }

    public var keys: [KeyEntry] = []

    public struct SettingsError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    public init() {}

    /// Parses settings text; `environment` supplies `ARB_KEY_<NAME>_FILE` overrides.
    public init(text: String, path: String, environment: [String: String] = [:]) throws {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw SettingsError(
                description:
                    "\(path): line \(error.source.begin.line), column \(error.source.begin.column): \(error.description)"
            )
        }
        let unknown = table.keys.filter { $0 != "keys" }
        guard unknown.isEmpty else {
            throw SettingsError(description: "\(path): unknown section \(unknown.sorted().joined(separator: ", "))")
        }
        guard let keysTable = table["keys"]?.table ?? (table["keys"] == nil ? TOMLTable() : nil) else {
            throw SettingsError(description: "\(path): `keys` must be a table of [keys.NAME] sections")
        }
        for name in keysTable.keys.sorted() {
            guard let entry = keysTable[name]?.table else {
                throw SettingsError(description: "\(path): keys.\(name) must be a table")
            }
            let variable =
                "ARB_KEY_" + name.uppercased().map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined() + "_FILE"
            guard let file = environment[variable] ?? entry["file"]?.string else {
                throw SettingsError(description: "\(path): keys.\(name) needs file = \"…\" (or set \(variable))")
            }
            guard let formatText = entry["format"]?.string, let format = KeyStore.FileFormat(rawValue: formatText)
            else {
                throw SettingsError(description: "\(path): keys.\(name).format must be \"rsa-pem\" or \"hmac-base64\"")
            }
            let plugins = (entry["plugins"]?.array).map { $0.compactMap(\.string) } ?? []
            keys.append(KeyEntry(name: name, file: file, format: format, plugins: Set(plugins)))
        }
    }

    /// Reads every key file now, so a missing, unreadable or too-open key stops the host at start-up.
    public func loadKeyStore() throws -> KeyStore {
        KeyStore(
            keys: try keys.map {
                try KeyStore.loadKey(name: $0.name, path: $0.file, format: $0.format, allowedPlugins: $0.plugins)
            })
    }
}
