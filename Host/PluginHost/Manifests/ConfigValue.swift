import TOMLKit

/// A manifest's `[config]` table as a Sendable value, converted from TOML once at parse time.
public indirect enum ConfigValue: Sendable, Equatable {
    case bool(Bool)
    case int(Int64)
    /// A TOML float, kept as its shortest round-trip decimal text so fixed-point reads are exact.
    case decimal(String)
    case string(String)
    case array([ConfigValue])
    case table([(key: String, value: ConfigValue)])

    public static func == (a: ConfigValue, b: ConfigValue) -> Bool {
        switch (a, b) {
        case (.bool(let x), .bool(let y)): x == y
        case (.int(let x), .int(let y)): x == y
        case (.decimal(let x), .decimal(let y)): x == y
        case (.string(let x), .string(let y)): x == y
        case (.array(let x), .array(let y)): x == y
        case (.table(let x), .table(let y)): x.elementsEqual(y) { $0.key == $1.key && $0.value == $1.value }
        default: false
        }
    }

    /// Converts a TOMLKit value; dates and times become their TOML text.
    init(_ value: any TOMLValueConvertible) {
        if let b = value.bool {
            self = .bool(b)
        } else if let i = value.int {
            self = .int(Int64(i))
        } else if let d = value.double {
            self = .decimal("\(d)")
        } else if let s = value.string {
            self = .string(s)
        } else if let t = value.table {
            self = .table(t.keys.sorted().compactMap { key in t[key].map { (key, ConfigValue($0)) } })
        } else if let a = value.array {
            self = .array(a.map { ConfigValue($0) })
        } else {
            self = .string(value.debugDescription)
        }
    }

    /// Leaf values keyed by their dotted path ("tiers.caution"); arrays are leaves.
    public var leaves: [(key: String, value: ConfigValue)] {
        guard case .table(let entries) = self else { return [] }
        return entries.flatMap { entry -> [(key: String, value: ConfigValue)] in
            if case .table = entry.value {
                return entry.value.leaves.map { ("\(entry.key).\($0.key)", $0.value) }
            }
            return [(entry.key, entry.value)]
        }
    }

    /// JSON text of this value (keys sorted, so equal tables give equal text).
    public var json: String {
        switch self {
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .decimal(let d): return d
        case .string(let s): return Self.quote(s)
        case .array(let a): return "[" + a.map(\.json).joined(separator: ",") + "]"
        case .table(let t): return "{" + t.map { Self.quote($0.key) + ":" + $0.value.json }.joined(separator: ",") + "}"
        }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

extension ConfigValue {
    /// The value at `key` of a table, or nil (for a non-table too).
    public subscript(key: String) -> ConfigValue? {
        guard case .table(let entries) = self else { return nil }
        return entries.first { $0.key == key }?.value
    }
}
