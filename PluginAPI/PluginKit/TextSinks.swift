import CArbPluginAPI

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes `text` to a host-provided text sink (which copies it). A nil sink drops it.
func write(_ text: String, to sink: UnsafePointer<arb_text_sink>?) {
    guard let sink, let writeFunction = sink.pointee.write else { return }
    var text = text
    text.withUTF8 { buffer in
        buffer.withMemoryRebound(to: CChar.self) { chars in
            writeFunction(sink.pointee.ctx, chars.baseAddress, chars.count)
        }
    }
}

/// Collects what a C callee writes to an `arb_text_sink` into a Swift string.
final class TextCollector {
    var bytes: [UInt8] = []

    var string: String { String(decoding: bytes, as: UTF8.self) }

    /// Calls `body` with a sink that appends to this collector; valid only during `body`.
    func withSink<R>(_ body: (UnsafePointer<arb_text_sink>) throws -> R) rethrows -> R {
        var sink = arb_text_sink(
            ctx: Unmanaged.passUnretained(self).toOpaque(),
            write: { ctx, text, len in
                guard let ctx, let text else { return }
                let collector = Unmanaged<TextCollector>.fromOpaque(ctx).takeUnretainedValue()
                text.withMemoryRebound(to: UInt8.self, capacity: len) {
                    collector.bytes.append(contentsOf: UnsafeBufferPointer(start: $0, count: len))
                }
            })
        return try withUnsafePointer(to: &sink) { try body($0) }
    }
}

/// Collects bytes written to an `arb_bytes_sink`.
final class BytesCollector {
    var bytes: [UInt8] = []

    func withSink<R>(_ body: (UnsafePointer<arb_bytes_sink>) throws -> R) rethrows -> R {
        var sink = arb_bytes_sink(
            ctx: Unmanaged.passUnretained(self).toOpaque(),
            write: { ctx, data, len in
                guard let ctx, let data else { return }
                let collector = Unmanaged<BytesCollector>.fromOpaque(ctx).takeUnretainedValue()
                collector.bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: len))
            })
        return try withUnsafePointer(to: &sink) { try body($0) }
    }
}

extension arb_str {
    /// The borrowed bytes as a Swift string (a copy). Invalid UTF-8 is repaired.
    var string: String {
        guard let data, len > 0 else { return "" }
        return data.withMemoryRebound(to: UInt8.self, capacity: len) {
            String(decoding: UnsafeBufferPointer(start: $0, count: len), as: UTF8.self)
        }
    }

    /// Compares the borrowed bytes with `other` without allocating.
    func equals(_ other: arb_str) -> Bool {
        guard len == other.len else { return false }
        guard len > 0 else { return true }
        guard let a = data, let b = other.data else { return false }
        return memcmp(a, b, len) == 0
    }
}

/// Calls `body` with an `arb_str` borrowing `string`'s UTF-8 bytes.
func withArbStr<R>(_ string: String, _ body: (arb_str) throws -> R) rethrows -> R {
    var string = string
    return try string.withUTF8 { buffer in
        try buffer.withMemoryRebound(to: CChar.self) {
            try body(arb_str(data: $0.baseAddress, len: $0.count))
        }
    }
}
