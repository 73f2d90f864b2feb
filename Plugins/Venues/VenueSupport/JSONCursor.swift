/// A cursor over a JSON payload's bytes, for the venue plugins' in-place readers of their hot
/// messages (a stream delta, a REST book).
///
/// It reads only the plain shapes those messages use: strings without escapes, numbers,
/// literals, objects key by key. Whatever it does not read returns nil or false, and the caller
/// then decodes the payload with `JSONDecoder`, which stays the one authority on what a valid
/// payload is. Inlinable, its small steps always inlined: it is linked statically into each
/// venue plugin, and as calls into another module its steps were 4% of a Polymarket book's parse.
@frozen
public struct JSONCursor {
    public let b: UnsafeBufferPointer<UInt8>
    public var i = 0

    @inlinable
    public init(_ bytes: UnsafeBufferPointer<UInt8>) { b = bytes }

    /// True when only whitespace is left.
    @inlinable @inline(__always)
    public mutating func isAtEnd() -> Bool {
        skipSpace()
        return i == b.count
    }

    @inlinable @inline(__always)
    public mutating func skipSpace() {
        while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
    }

    /// Consumes `byte` after any whitespace; false (nothing consumed but the space) otherwise.
    @inlinable @inline(__always)
    public mutating func take(_ byte: UInt8) -> Bool {
        skipSpace()
        guard i < b.count, b[i] == byte else { return false }
        i += 1
        return true
    }

    /// The next byte after whitespace, not consumed.
    @inlinable @inline(__always)
    public mutating func peek() -> UInt8? {
        skipSpace()
        return i < b.count ? b[i] : nil
    }

    /// `{ "key": value, … }`, `member` reading each value (false: not this shape). The key is
    /// given as a String: keys are short, so it is not allocated.
    @inlinable @inline(__always)
    public mutating func object(_ member: (String, inout JSONCursor) -> Bool) -> Bool {
        guard take(UInt8(ascii: "{")) else { return false }
        if take(UInt8(ascii: "}")) { return true }
        repeat {
            guard let key = string(), take(UInt8(ascii: ":")) else { return false }
            skipSpace()
            let name = String(decoding: UnsafeBufferPointer(rebasing: b[key]), as: UTF8.self)
            guard member(name, &self) else { return false }
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "}"))
    }

    /// `[ element, … ]`, `element` reading each (false: not this shape).
    @inlinable @inline(__always)
    public mutating func array(_ element: (inout JSONCursor) -> Bool) -> Bool {
        guard take(UInt8(ascii: "[")) else { return false }
        if take(UInt8(ascii: "]")) { return true }
        repeat {
            guard element(&self) else { return false }
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "]"))
    }

    /// A string without escapes or control bytes: the range of its contents.
    @inlinable @inline(__always)
    public mutating func string() -> Range<Int>? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = i
        while i < b.count, b[i] != UInt8(ascii: "\"") {
            guard b[i] != UInt8(ascii: "\\"), b[i] >= 0x20 else { return nil }
            i += 1
        }
        guard i < b.count else { return nil }
        i += 1
        return start..<(i - 1)
    }

    /// An unsigned integer as JSON writes it (no leading zero), of at most 18 digits; nil for
    /// a sign, a fraction or an exponent.
    @inlinable @inline(__always)
    public mutating func unsigned() -> UInt64? {
        skipSpace()
        let start = i
        var value: UInt64 = 0
        while i < b.count, Self.isDigit(b[i]) {
            guard i - start < 18 else { return nil }
            value = value * 10 + UInt64(b[i] - UInt8(ascii: "0"))
            i += 1
        }
        guard i > start, b[start] != UInt8(ascii: "0") || i - start == 1 else { return nil }
        guard i == b.count || (b[i] != UInt8(ascii: ".") && b[i] | 0x20 != UInt8(ascii: "e")) else { return nil }
        return value
    }

    /// `true` or `false`.
    @inlinable
    public mutating func bool() -> Bool? {
        skipSpace()
        if literal("true") { return true }
        if literal("false") { return false }
        return nil
    }

    /// A value the reader does not read, as JSON allows it: a string (without escapes), a
    /// number, `true`, `false` or `null`. Nested values and anything else refuse.
    @inlinable @inline(__always)
    public mutating func skipPlain() -> Bool {
        skipSpace()
        guard i < b.count else { return false }
        switch b[i] {
        case UInt8(ascii: "\""): return string() != nil
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        default: return number()
        }
    }

    /// `-? (0 | [1-9] digits) (. digits)? ([eE] [+-]? digits)?`
    @inlinable
    mutating func number() -> Bool {
        if i < b.count, b[i] == UInt8(ascii: "-") { i += 1 }
        let start = i
        while i < b.count, Self.isDigit(b[i]) { i += 1 }
        guard i > start, b[start] != UInt8(ascii: "0") || i - start == 1 else { return false }
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            let fraction = i
            while i < b.count, Self.isDigit(b[i]) { i += 1 }
            guard i > fraction else { return false }
        }
        if i < b.count, b[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
            let exponent = i
            while i < b.count, Self.isDigit(b[i]) { i += 1 }
            guard i > exponent else { return false }
        }
        return true
    }

    @inlinable
    mutating func literal(_ word: StaticString) -> Bool {
        let end = i + word.utf8CodeUnitCount
        guard end <= b.count, bytes(i..<end, equal: word) else { return false }
        i = end
        return true
    }

    @inlinable
    static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

    /// True when the bytes in `range` are `text`.
    @inlinable @inline(__always)
    public func bytes(_ range: Range<Int>, equal text: StaticString) -> Bool {
        guard range.count == text.utf8CodeUnitCount else { return false }
        return text.withUTF8Buffer { t in
            for k in 0..<t.count where b[range.lowerBound + k] != t[k] { return false }
            return true
        }
    }

    /// The bytes in `range`, borrowed from the payload.
    @inlinable @inline(__always)
    public func slice(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: b[range]) }
}

/// Reads a key's value into `slot` once: false, refusing the payload, when the key came before
/// or `read` finds no value of its shape (a repeated key is for the strict decoder to judge).
@inlinable
public func readOnce<T>(_ slot: inout T?, _ read: () -> T?) -> Bool {
    guard slot == nil, let value = read() else { return false }
    slot = value
    return true
}
