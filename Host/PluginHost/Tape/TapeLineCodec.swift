import PluginKit

/// Tape lines without Foundation's JSON coders: a replay reads hundreds of thousands of them,
/// and `JSONDecoder` spends ≈ 20 µs on each. A line is one flat JSON object whose values are
/// strings, integers or booleans; `encode` writes exactly what `JSONEncoder` with sorted keys and
/// unescaped slashes writes, and `decode` reads any flat object (keys in any order, any JSON
/// string escape). Anything else — a nested value, a number with a fraction — makes `decode`
/// return nil, and the reader falls back to `JSONDecoder`, so no valid line is ever lost.
enum TapeLineCodec {
    // MARK: Encoding

    static func encode(_ r: TapeRecord) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(r.body.utf8.count + 160)
        out.append(UInt8(ascii: "{"))
        // Sorted keys: body, inner, method, status, t, type, url, venue.
        key("body", &out, first: true)
        string(r.body, &out)
        if let inner = r.inner {
            key("inner", &out)
            out.append(contentsOf: (inner ? "true" : "false").utf8)
        }
        if let method = r.method {
            key("method", &out)
            string(method, &out)
        }
        if let status = r.status {
            key("status", &out)
            out.append(contentsOf: String(status).utf8)
        }
        key("t", &out)
        out.append(contentsOf: String(r.t).utf8)
        key("type", &out)
        string(r.type.rawValue, &out)
        if let url = r.url {
            key("url", &out)
            string(url, &out)
        }
        key("venue", &out)
        string(r.venue, &out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    private static func key(_ name: StaticString, _ out: inout [UInt8], first: Bool = false) {
        if !first { out.append(UInt8(ascii: ",")) }
        out.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { out.append(contentsOf: $0) }
        out.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
    }

    /// A JSON string as `JSONEncoder` writes it: `"` and `\` escaped, control characters as
    /// `\b \f \n \r \t` or `\u00XX`, everything else (slashes, non-ASCII UTF-8) as is.
    private static func string(_ s: String, _ out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        let hex = Array("0123456789abcdef".utf8)
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, b])
            case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, b])
            case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20:
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 15)]])
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    // MARK: Decoding

    /// Appends one line's record to `tape`, its body unescaped straight into the tape's bytes.
    /// False, and `tape` unchanged, when the line is not a flat object of a tape record's fields.
    static func decode(_ line: UnsafeBufferPointer<UInt8>, into tape: inout Tape) -> Bool {
        var scanner = Scanner(bytes: line)
        var t: Nanoseconds?
        var venue: String?
        var type: TapeRecord.Kind?
        var request = Tape.Request()
        var hasBody = false
        var inner: Bool?
        let bodyStart = tape.bodyCount
        func fail() -> Bool {
            tape.truncateBodies(to: bodyStart)
            return false
        }
        scanner.skipSpace()
        guard scanner.take(UInt8(ascii: "{")) else { return false }
        scanner.skipSpace()
        if scanner.take(UInt8(ascii: "}")) { return false }
        while true {
            guard let name = scanner.string() else { return fail() }
            scanner.skipSpace()
            guard scanner.take(UInt8(ascii: ":")) else { return fail() }
            scanner.skipSpace()
            switch name {
            case "t":
                guard let v = scanner.integer() else { return fail() }
                t = v
            case "status":
                guard let v = scanner.integer(), let s = Int32(exactly: v) else { return fail() }
                request.status = s
            case "inner":
                guard let v = scanner.boolean() else { return fail() }
                inner = v
            case "venue": venue = scanner.string()
            case "type": type = scanner.string().flatMap(TapeRecord.Kind.init(rawValue:))
            case "method": request.method = scanner.string()
            case "url": request.url = scanner.string()
            case "body":
                // A second body would follow the first: leave such a line to the decoder.
                guard !hasBody, scanner.body(into: &tape) else { return fail() }
                hasBody = true
            default: return fail()  // unknown field: let the Codable path judge it
            }
            scanner.skipSpace()
            if scanner.take(UInt8(ascii: "}")) { break }
            guard scanner.take(UInt8(ascii: ",")) else { return fail() }
            scanner.skipSpace()
        }
        scanner.skipSpace()
        guard scanner.isAtEnd, let t, let venue, let type, hasBody else { return fail() }
        tape.appendFields(t: t, venue: venue, type: type, request: request, inner: inner)
        return true
    }

    struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var i = 0

        var isAtEnd: Bool { i >= bytes.count }

        mutating func skipSpace() {
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0D || bytes[i] == 0x0A {
                i += 1
            }
        }

        mutating func take(_ b: UInt8) -> Bool {
            guard i < bytes.count, bytes[i] == b else { return false }
            i += 1
            return true
        }

        mutating func boolean() -> Bool? {
            if match("true") { return true }
            if match("false") { return false }
            return nil
        }

        private mutating func match(_ word: StaticString) -> Bool {
            let n = word.utf8CodeUnitCount
            guard i + n <= bytes.count else { return false }
            let ok = word.withUTF8Buffer { w in (0..<n).allSatisfy { bytes[i + $0] == w[$0] } }
            if ok { i += n }
            return ok
        }

        /// A JSON integer (no fraction, no exponent), within Int64.
        mutating func integer() -> Int64? {
            let negative = take(UInt8(ascii: "-"))
            var value: Int64 = 0
            var digits = 0
            while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 {
                let (m, o1) = value.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int64(bytes[i] - 0x30))
                guard !o1, !o2 else { return nil }
                value = a
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            if i < bytes.count,
                bytes[i] == UInt8(ascii: ".") || bytes[i] == UInt8(ascii: "e")
                    || bytes[i] == UInt8(ascii: "E")
            {
                return nil
            }
            return negative ? -value : value
        }

        /// A JSON string, escapes resolved; nil on malformed input.
        mutating func string() -> String? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = i
            // Fast path: no escapes before the closing quote.
            while i < bytes.count, bytes[i] != UInt8(ascii: "\""), bytes[i] != 0x5C, bytes[i] >= 0x20 { i += 1 }
            guard i < bytes.count else { return nil }
            if bytes[i] == UInt8(ascii: "\"") {
                defer { i += 1 }
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
            }
            return unescaped(from: start) { text, _ in String(decoding: text, as: UTF8.self) }
        }

        /// A JSON string appended to `tape`'s body bytes, escapes resolved; false on malformed
        /// input. Text that is not valid UTF-8 is repaired, as `String(decoding:as:)` repairs a
        /// `TapeRecord`'s body.
        mutating func body(into tape: inout Tape) -> Bool {
            guard take(UInt8(ascii: "\"")) else { return false }
            // From the opening quote on, so the scan sees every byte taken as is: ASCII ones need
            // no repair (nor do those an escape wrote), and the text is not walked a second time.
            let ok = unescaped(from: i) { text, plainIsASCII in
                if plainIsASCII {
                    tape.appendBody(text)
                } else {
                    tape.appendBody(String(decoding: text, as: UTF8.self).utf8)
                }
                return true
            }
            return ok ?? false
        }

        /// Reads the rest of a JSON string whose text starts at `start` and hands `body` that
        /// text, escapes resolved, and whether every byte taken as is from where `i` stood was
        /// ASCII; `i` (at or past `start`, where plain bytes were already scanned) ends past the
        /// closing quote. Nil on malformed input (a raw
        /// control byte, a bad escape, no closing quote). The text is written into a scratch
        /// buffer as long as the rest of the line, which it never outgrows (no escape is longer
        /// than what it stands for), and handed over whole: appending each run between escapes
        /// to the tape's bytes was a third of reading a tape (perf).
        private mutating func unescaped<R>(
            from start: Int, _ body: (UnsafeBufferPointer<UInt8>, _ plainIsASCII: Bool) -> R
        ) -> R? {
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(1, bytes.count - start)) { out in
                var n = 0
                var run = start
                var plainBits: UInt8 = 0
                while i < bytes.count {
                    let b = bytes[i]
                    if b != UInt8(ascii: "\""), b != 0x5C, b >= 0x20 {
                        plainBits |= b
                        i += 1
                        continue
                    }
                    if i > run {
                        UnsafeMutableRawPointer(out.baseAddress! + n).copyMemory(
                            from: bytes.baseAddress! + run, byteCount: i - run)
                        n += i - run
                    }
                    i += 1
                    if b == UInt8(ascii: "\"") {
                        return body(UnsafeBufferPointer(rebasing: out[..<n]), plainBits < 0x80)
                    }
                    guard b == 0x5C, i < bytes.count else { return nil }  // a raw control byte
                    let e = bytes[i]
                    i += 1
                    var scalar: UInt32
                    switch e {
                    case UInt8(ascii: "\""), 0x5C, UInt8(ascii: "/"):
                        // The escaped byte itself: it starts the next run.
                        run = i - 1
                        continue
                    case UInt8(ascii: "b"): scalar = 0x08
                    case UInt8(ascii: "f"): scalar = 0x0C
                    case UInt8(ascii: "n"): scalar = 0x0A
                    case UInt8(ascii: "r"): scalar = 0x0D
                    case UInt8(ascii: "t"): scalar = 0x09
                    case UInt8(ascii: "u"):
                        guard let high = hex4() else { return nil }
                        scalar = high
                        if (0xD800..<0xDC00).contains(high) {
                            // A surrogate pair: \uD83D\uDE00.
                            guard take(0x5C), take(UInt8(ascii: "u")), let low = hex4(), (0xDC00..<0xE000).contains(low)
                            else { return nil }
                            scalar = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                        }
                    default: return nil
                    }
                    guard let u = Unicode.Scalar(scalar), let encoded = UTF8.encode(u) else { return nil }
                    for byte in encoded {
                        out[n] = byte
                        n += 1
                    }
                    run = i
                }
                return nil
            }
        }

        private mutating func hex4() -> UInt32? {
            guard i + 4 <= bytes.count else { return nil }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let b = bytes[i]
                i += 1
                switch b {
                case 0x30...0x39: v = v << 4 | UInt32(b - 0x30)
                case 0x41...0x46: v = v << 4 | UInt32(b - 0x41 + 10)
                case 0x61...0x66: v = v << 4 | UInt32(b - 0x61 + 10)
                default: return nil
                }
            }
            return v
        }
    }
}
