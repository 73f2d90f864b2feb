import PluginKit

#if canImport(Glibc)
    import Glibc
#endif

/// The byte readers the scanners share: each reads one JSON token at `i` in the exchange's own
/// layout and moves `i` past it, or returns nil (false) and the scanner gives up.
enum SimBytes {
    /// True, and `i` moved past it, when `text` is at `i`.
    @inline(__always)
    static func take(_ text: StaticString, _ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> Bool {
        // `withUTF8Buffer`, not `utf8Start`: a one-character literal is stored as its scalar.
        let n = text.utf8CodeUnitCount
        guard n <= b.count &- i, text.withUTF8Buffer({ memcmp(b.baseAddress! + i, $0.baseAddress!, n) }) == 0 else {
            return false
        }
        i += n
        return true
    }

    /// The plain string whose opening quote is at `i`; `i` moves past its closing quote. Nil for
    /// no string there, or one with an escape or a control byte (the decoder's job).
    static func quoted(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> String? {
        quotedSpan(b, &i).map { String(decoding: UnsafeBufferPointer(rebasing: b[$0]), as: UTF8.self) }
    }

    /// Where the plain string whose opening quote is at `i` lies, quotes excluded (see ``quoted(_:_:)``).
    static func quotedSpan(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> Range<Int>? {
        guard i < b.count, b[i] == UInt8(ascii: "\"") else { return nil }
        let start = i + 1
        var j = start
        // Eight bytes at a time while eight remain (every value but a frame's last): an id or a
        // price is one word, so its end is found without a branch per byte. The byte loop cost
        // about as many instructions, but its exit mispredicted whenever a string's length
        // differed from the last one's (callgrind's branch simulation, short replay tape: 1.12
        // mispredictions a call, 0.89 this way).
        let raw = UnsafeRawBufferPointer(b)
        while j + 8 <= b.count {
            let special = specialBytes(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: j, as: UInt64.self)))
            if special != 0 {
                j += special.trailingZeroBitCount >> 3
                guard b[j] == UInt8(ascii: "\"") else { return nil }
                i = j + 1
                return start..<j
            }
            j += 8
        }
        while j < b.count, b[j] != UInt8(ascii: "\"") {
            if b[j] == 0x5C || b[j] < 0x20 { return nil }
            j += 1
        }
        guard j < b.count else { return nil }
        i = j + 1
        return start..<j
    }

    /// The high bit of each byte of `word` that is a quote, a backslash or a control byte, and
    /// perhaps of bytes after the first such one; the lowest set bit is always exact, which is all
    /// ``quotedSpan(_:_:)`` reads. (A borrow only runs upward from a byte that matched.)
    @inline(__always)
    static func specialBytes(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let zeroQuote = (quote &- ones) & ~quote
        let zeroBackslash = (backslash &- ones) & ~backslash
        let control = (word &- ones &* 0x20) & ~word
        return (zeroQuote | zeroBackslash | control) & (ones &* 0x80)
    }

    /// The non-negative integer at `i`, followed by a comma or a closing brace; `i` moves past
    /// its digits. Nil for no digits, an overflow or another byte after them.
    static func integer(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> UInt64? {
        var value: UInt64 = 0
        let start = i
        while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(b[i] - 0x30))
            guard !o1, !o2 else { return nil }
            value = a
            i += 1
        }
        guard i > start, i < b.count, b[i] == UInt8(ascii: ",") || b[i] == UInt8(ascii: "}") else { return nil }
        return value
    }
}
