import CArbPluginAPI
import PluginKit

#if canImport(Glibc)
    import Glibc
#endif

/// Calls `body` with an `arb_config` table serving `config`, valid only during `body`.
public func withConfigTable<R>(_ config: ConfigValue, _ body: (UnsafeRawPointer) -> R) -> R {
    ConfigBridge(config).withTable { body(UnsafeRawPointer($0)) }
}

/// Serves a manifest's `[config]` to a plugin's `create()` through the ABI's `arb_config` getters.
final class ConfigBridge {
    let leaves: [(key: String, value: ConfigValue)]
    let byKey: [String: ConfigValue]
    let json: String

    init(_ config: ConfigValue) {
        leaves = config.leaves
        byKey = Dictionary(leaves.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
        json = config.json
    }

    /// Calls `body` with a C table valid only during `body` (the ABI's contract for create()).
    func withTable<R>(_ body: (UnsafePointer<arb_config>) -> R) -> R {
        var table = arb_config(
            struct_size: UInt32(MemoryLayout<arb_config>.size), ctx: Unmanaged.passUnretained(self).toOpaque(),
            key_count: { cfg in UInt32(ConfigBridge.from(cfg).leaves.count) },
            key_at: { cfg, index, out in
                let bridge = ConfigBridge.from(cfg)
                guard Int(index) < bridge.leaves.count else { return Int32(ARB_ERR_NOT_FOUND) }
                writeText(bridge.leaves[Int(index)].key, to: out)
                return Int32(ARB_OK)
            },
            get_bool: { cfg, key, out in
                ConfigBridge.from(cfg).read(key) { value in
                    guard case .bool(let b) = value, let out else { return false }
                    out.pointee = b ? 1 : 0
                    return true
                }
            },
            get_int: { cfg, key, out in
                ConfigBridge.from(cfg).read(key) { value in
                    guard case .int(let i) = value, let out else { return false }
                    out.pointee = i
                    return true
                }
            },
            get_string: { cfg, key, out in
                ConfigBridge.from(cfg).read(key) { value in
                    guard case .string(let s) = value else { return false }
                    writeText(s, to: out)
                    return true
                }
            },
            get_fixed: { cfg, key, scale, out in
                ConfigBridge.from(cfg).read(key) { value in
                    guard let out, let fixed = ConfigBridge.fixed(value, scale: scale) else { return false }
                    out.pointee = fixed
                    return true
                }
            },
            to_json: { cfg, out in
                writeText(ConfigBridge.from(cfg).json, to: out)
                return Int32(ARB_OK)
            })
        return withUnsafePointer(to: &table) { body($0) }
    }

    /// A config value as exact fixed point: integers scale, strings and floats parse as decimals.
    static func fixed(_ value: ConfigValue, scale: Int64) -> Int64? {
        switch value {
        case .int(let i):
            let (product, overflow) = i.multipliedReportingOverflow(by: scale)
            return overflow ? nil : product
        case .string(let s), .decimal(let s):
            return FixedPoint.parse(s, scale: scale)
        default:
            return nil
        }
    }

    private static func from(_ cfg: UnsafePointer<arb_config>?) -> ConfigBridge {
        Unmanaged<ConfigBridge>.fromOpaque(cfg!.pointee.ctx).takeUnretainedValue()
    }

    private func read(_ key: UnsafePointer<CChar>?, _ convert: (ConfigValue) -> Bool) -> arb_status {
        guard let key else { return Int32(ARB_ERR_INVALID_ARGUMENT) }
        guard let value = byKey[String(cString: key)] else { return Int32(ARB_ERR_NOT_FOUND) }
        return convert(value) ? Int32(ARB_OK) : Int32(ARB_ERR_INVALID_ARGUMENT)
    }
}

/// Writes a Swift string to a C text sink (which copies it).
func writeText(_ text: String, to sink: UnsafePointer<arb_text_sink>?) {
    guard let sink, let write = sink.pointee.write else { return }
    var text = text
    text.withUTF8 { buffer in
        buffer.withMemoryRebound(to: CChar.self) { write(sink.pointee.ctx, $0.baseAddress, $0.count) }
    }
}

/// Collects text a plugin writes to a sink the host passed it.
final class TextBuffer {
    private(set) var bytes: [UInt8] = []
    var string: String { String(decoding: bytes, as: UTF8.self) }

    func append(_ text: UnsafePointer<CChar>, _ len: Int) {
        text.withMemoryRebound(to: UInt8.self, capacity: len) {
            bytes.append(contentsOf: UnsafeBufferPointer(start: $0, count: len))
        }
    }

    func clear() { bytes.removeAll(keepingCapacity: true) }

    func withSink<R>(_ body: (UnsafePointer<arb_text_sink>) -> R) -> R {
        var sink = arb_text_sink(
            ctx: Unmanaged.passUnretained(self).toOpaque(),
            write: { ctx, text, len in
                guard let ctx, let text, len > 0 else { return }
                let buffer = Unmanaged<TextBuffer>.fromOpaque(ctx).takeUnretainedValue()
                text.withMemoryRebound(to: UInt8.self, capacity: len) {
                    buffer.bytes.append(contentsOf: UnsafeBufferPointer(start: $0, count: len))
                }
            })
        return withUnsafePointer(to: &sink) { body($0) }
    }
}

extension arb_str {
    /// True when the borrowed bytes are `bytes` (compared without allocating).
    func equals(_ bytes: [UInt8]) -> Bool {
        guard let data, len == bytes.count, len > 0 else { return false }
        return bytes.withUnsafeBytes { memcmp($0.baseAddress!, data, len) == 0 }
    }

    /// A copy of the borrowed bytes as a String.
    var string: String { bytes.map { String(decoding: $0, as: UTF8.self) } ?? "" }

    /// The borrowed bytes in place; nil when a non-empty string has no bytes (a plugin's bug).
    var bytes: UnsafeBufferPointer<UInt8>? {
        guard len == 0 || data != nil else { return nil }
        return UnsafeBufferPointer(start: UnsafeRawPointer(data)?.assumingMemoryBound(to: UInt8.self), count: len)
    }
}
