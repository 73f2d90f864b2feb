import CArbPluginAPI

/// The manifest's `[config]` table, readable only while the plugin is being created.
///
/// It is non-copyable and handed to `init` as `borrowing`, so it cannot be kept: the host's
/// table behind it is valid only during `create`. Nested keys are dotted: `"tiers.caution"`.
///
/// Reject what you do not understand; a demanding user wants a typo to fail loudly:
/// ```swift
/// try config.rejectUnknownKeys(allowed: ["min_edge", "max_gap"])
/// let minEdge = try config.fixed("min_edge", scale: FixedPoint.micros) ?? 5_000
/// ```
public struct ConfigReader: ~Copyable {
    let table: UnsafePointer<arb_config>

    init(_ table: UnsafePointer<arb_config>) { self.table = table }

    /// Every leaf key, dotted.
    public var keys: [String] {
        guard let count = table.pointee.key_count, let keyAt = table.pointee.key_at else { return [] }
        return (0..<count(table)).map { index in
            let collector = TextCollector()
            _ = collector.withSink { keyAt(table, index, $0) }
            return collector.string
        }
    }

    /// Throws ``PluginError/Code/config`` naming every key not in `allowed`.
    public func rejectUnknownKeys(allowed: Set<String>) throws {
        let unknown = keys.filter { !allowed.contains($0) }
        guard unknown.isEmpty else {
            throw PluginError.config(
                "unknown key\(unknown.count == 1 ? "" : "s") \(unknown.sorted().joined(separator: ", "))"
                    + " (known: \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    /// The boolean at `key`, or nil when absent. Throws when present with another type.
    public func bool(_ key: String) throws -> Bool? {
        var value: Int32 = 0
        return try read(key) { table.pointee.get_bool(table, $0, &value) }.map { value != 0 }
    }

    /// The integer at `key`, or nil when absent.
    public func int(_ key: String) throws -> Int64? {
        var value: Int64 = 0
        return try read(key) { table.pointee.get_int(table, $0, &value) }.map { value }
    }

    /// The string at `key`, or nil when absent.
    public func string(_ key: String) throws -> String? {
        let collector = TextCollector()
        return try read(key) { key in collector.withSink { table.pointee.get_string(table, key, $0) } }
            .map { collector.string }
    }

    /// The decimal at `key` as fixed point with `scale` units per 1.0, parsed exactly.
    public func fixed(_ key: String, scale: Int64) throws -> Int64? {
        var value: Int64 = 0
        return try read(key) { table.pointee.get_fixed(table, $0, scale, &value) }.map { value }
    }

    /// A ratio read exactly as a decimal ("0.25"), as a Double for statistics; `fallback` in ppm.
    public func ratio(_ key: String, default fallback: PartsPerMillion) throws -> Double {
        Double(try fixed(key, scale: FixedPoint.ppm) ?? fallback) / 1e6
    }

    /// The whole table as JSON text.
    public var json: String {
        let collector = TextCollector()
        _ = collector.withSink { table.pointee.to_json(table, $0) }
        return collector.string
    }

    /// Runs a getter; nil for ARB_ERR_NOT_FOUND, a config error for anything else.
    private func read(_ key: String, _ getter: (UnsafePointer<CChar>) -> arb_status) throws -> Void? {
        let status = key.withCString { getter($0) }
        switch status {
        case Int32(ARB_OK): return ()
        case Int32(ARB_ERR_NOT_FOUND): return nil
        default: throw PluginError.config("key \(key): wrong type")
        }
    }
}
