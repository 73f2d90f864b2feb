import TOMLKit

/// One `plugins.d/*.toml` file: which library, whether it runs, where in its chain, and its config.
///
/// ```toml
/// id = "lane.intra_venue"       # unique across plugins.d
/// kind = "lane"                 # venue | lane | sizing
/// library = "libIntraVenueLane.so"   # bare name: searched on the plugin path; else relative to this file
/// enabled = true                # default true
/// order = 10                    # position in its chain, ascending; default 100
/// arm = "A"                     # optional: A/B arm of a sizing chain
/// sha256 = "…"                  # optional: refuse the library unless it hashes to this
/// [config]                      # handed to the plugin's create()
/// min_edge = "0.005"
/// [rate_limits]                 # venues only: the host paces requests by these buckets
/// read = { per_second = 200, capacity = 400 }
/// ```
public struct Manifest: Sendable, Equatable {
    public var id: String
    public var kind: PluginKind
    public var library: String
    public var enabled: Bool
    public var order: Int
    public var arm: String?
    public var sha256: String?
    public var config: ConfigValue
    /// Venue token buckets by the names the plugin tags its requests with (host-enforced).
    public var rateLimits: [String: RateGovernor.Limit] = [:]
    /// The file it was read from (for error messages and edits).
    public var path: String

    static let knownKeys: Set<String> = [
        "id", "kind", "library", "enabled", "order", "arm", "sha256", "config", "rate_limits",
    ]

    /// Parses manifest text. Every problem is a ``PluginLoadError`` naming the file and the fix.
    public static func parse(_ text: String, path: String) throws(PluginLoadError) -> Manifest {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw PluginLoadError(
                .malformedManifest, manifest: path,
                "line \(error.source.begin.line), column \(error.source.begin.column): \(error.description) — fix the TOML syntax"
            )
        } catch {
            throw PluginLoadError(.malformedManifest, manifest: path, "\(error) — fix the TOML syntax")
        }
        let unknown = table.keys.filter { !knownKeys.contains($0) }.sorted()
        guard unknown.isEmpty else {
            throw PluginLoadError(
                .invalidManifest, manifest: path,
                "unknown key\(unknown.count == 1 ? "" : "s") \(unknown.joined(separator: ", ")) — plugin settings go under [config]"
            )
        }
        func string(_ key: String, required: Bool) throws(PluginLoadError) -> String? {
            guard let value = table[key] else {
                if required {
                    throw PluginLoadError(
                        .invalidManifest, manifest: path, "missing required key `\(key)` — add \(key) = \"…\"")
                }
                return nil
            }
            guard let s = value.string, !s.isEmpty else {
                throw PluginLoadError(.invalidManifest, manifest: path, "`\(key)` must be a non-empty string")
            }
            return s
        }
        let id = try string("id", required: true)!
        let kindText = try string("kind", required: true)!
        guard let kind = PluginKind(rawValue: kindText) else {
            throw PluginLoadError(
                .unknownKind, manifest: path,
                "unknown kind \"\(kindText)\" — use one of \(PluginKind.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        let library = try string("library", required: true)!
        var enabled = true
        if let value = table["enabled"] {
            guard let b = value.bool else {
                throw PluginLoadError(.invalidManifest, manifest: path, "`enabled` must be true or false")
            }
            enabled = b
        }
        var order = 100
        if let value = table["order"] {
            guard let i = value.int else {
                throw PluginLoadError(.invalidManifest, manifest: path, "`order` must be an integer")
            }
            order = i
        }
        let arm = try string("arm", required: false)
        if let arm, !["A", "B"].contains(arm) {
            throw PluginLoadError(.invalidManifest, manifest: path, "arm = \"\(arm)\" — use \"A\" or \"B\"")
        }
        if arm != nil, kind != .sizing {
            throw PluginLoadError(.invalidManifest, manifest: path, "`arm` applies to sizing steps only — remove it")
        }
        let sha = try string("sha256", required: false)?.lowercased()
        if let sha, sha.count != 64 || !sha.allSatisfy(\.isHexDigit) {
            throw PluginLoadError(.invalidManifest, manifest: path, "`sha256` must be 64 hex digits")
        }
        var config = ConfigValue.table([])
        if let value = table["config"] {
            guard value.table != nil else {
                throw PluginLoadError(.invalidManifest, manifest: path, "`config` must be a table: write [config]")
            }
            config = ConfigValue(value)
        }
        var manifest = Manifest(
            id: id, kind: kind, library: library, enabled: enabled, order: order, arm: arm, sha256: sha,
            config: config, path: path)
        if let value = table["rate_limits"] {
            guard kind == .venue else {
                throw PluginLoadError(
                    .invalidManifest, manifest: path, "`rate_limits` applies to venue plugins only — remove it")
            }
            manifest.rateLimits = try rateLimits(value, path: path)
        }
        return manifest
    }

    /// `[rate_limits]`: `bucket = { per_second = N, capacity = M }`, both positive integers.
    static func rateLimits(_ value: any TOMLValueConvertible, path: String) throws(PluginLoadError) -> [String:
        RateGovernor.Limit]
    {
        guard let table = value.table else {
            throw PluginLoadError(
                .invalidManifest, manifest: path, "`rate_limits` must be a table: write [rate_limits]")
        }
        var limits: [String: RateGovernor.Limit] = [:]
        for bucket in table.keys.sorted() {
            let fix = "write \(bucket) = { per_second = 200, capacity = 400 } (tokens)"
            guard let entry = table[bucket]?.table else {
                throw PluginLoadError(
                    .invalidManifest, manifest: path, "rate_limits.\(bucket) must be a table — \(fix)")
            }
            let unknown = entry.keys.filter { $0 != "per_second" && $0 != "capacity" }.sorted()
            guard unknown.isEmpty else {
                throw PluginLoadError(
                    .invalidManifest, manifest: path,
                    "rate_limits.\(bucket): unknown key \(unknown.joined(separator: ", ")) — \(fix)")
            }
            guard let rate = entry["per_second"]?.int, rate > 0, let capacity = entry["capacity"]?.int, capacity > 0
            else {
                throw PluginLoadError(
                    .invalidManifest, manifest: path,
                    "rate_limits.\(bucket) needs positive integers per_second and capacity — \(fix)")
            }
            limits[bucket] = RateGovernor.Limit(tokensPerSecond: Int64(rate), capacity: Int64(capacity))
        }
        return limits
    }
}
