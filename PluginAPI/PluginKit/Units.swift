/// Money in micro-dollars: 1 USD = 1_000_000. Prices of binary contracts lie in 0...1_000_000.
public typealias MicroDollars = Int64

/// Quantities in centi-contracts: 1 contract = 100 (Kalshi counts have two decimals).
public typealias CentiContracts = Int64

/// Ratios in parts per million: 1.0 = 1_000_000.
public typealias PartsPerMillion = Int64

/// Nanoseconds since the Unix epoch (UTC), or a duration in nanoseconds.
public typealias Nanoseconds = Int64

/// The fixed-point scales of the ABI. They never change.
public enum FixedPoint {
    /// Micro-dollars per dollar; also the payout of one winning contract.
    public static let micros: Int64 = 1_000_000
    /// Centi-contracts per contract.
    public static let centi: Int64 = 100
    /// Parts per million in 1.0.
    public static let ppm: Int64 = 1_000_000

    /// Parses a decimal such as `"0.0175"` or `"-12"` exactly into `scale` units per 1.0.
    ///
    /// No binary floating point is involved. Returns `nil` for malformed text, for more
    /// fractional digits than `scale` can hold, or on overflow.
    /// - Parameters:
    ///   - text: an optional sign, digits, and an optional `.` with more digits.
    ///   - scale: a power of ten (1, 10, 100, ...).
    public static func parse(_ text: some StringProtocol, scale: Int64) -> Int64? {
        if let value = text.utf8.withContiguousStorageIfAvailable({ parse(utf8: $0, scale: scale) }) {
            return value
        }
        var copy = String(text)
        return copy.withUTF8 { parse(utf8: $0, scale: scale) }
    }

    /// ``parse(_:scale:)`` on the decimal's UTF-8 bytes, for parsers that read a payload's bytes
    /// without making a String of every number.
    public static func parse(utf8 bytes: UnsafeBufferPointer<UInt8>, scale: Int64) -> Int64? {
        // One pass over the bytes by index: the hot path of every decimal a venue sends.
        guard let scaleDigits = digits(ofScale: scale) else { return nil }
        let n = bytes.count
        var i = 0
        var negative = false
        if i < n, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
            negative = bytes[i] == UInt8(ascii: "-")
            i += 1
        }
        guard i < n else { return nil }
        var value: Int64 = 0
        var seenDot = false
        var seenDigit = false
        var fractionDigits = 0
        var taken = 0
        while i < n {
            let byte = bytes[i]
            i += 1
            if byte == UInt8(ascii: ".") {
                if seenDot { return nil }
                seenDot = true
                continue
            }
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            seenDigit = true
            if seenDot {
                fractionDigits += 1
                if fractionDigits > scaleDigits {
                    // Extra digits are allowed only when they are zeros ("0.50" at scale 10).
                    if digit != 0 { return nil }
                    continue
                }
            }
            // Eighteen digits always fit in an Int64: only a longer decimal checks for overflow.
            taken += 1
            if taken <= 18 {
                value = value &* 10 &+ Int64(digit)
            } else {
                let (m, o1) = value.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int64(digit))
                if o1 || o2 { return nil }
                value = a
            }
        }
        guard seenDigit else { return nil }
        var missing = scaleDigits - min(fractionDigits, scaleDigits)
        while missing > 0 {
            let (m, o) = value.multipliedReportingOverflow(by: 10)
            if o { return nil }
            value = m
            missing -= 1
        }
        return negative ? -value : value
    }

    /// How many decimal digits `scale` holds (6 for micros), or nil when it is not a power of
    /// ten. The ABI's own scales by a switch: counting them costs a division per digit, on every
    /// decimal a venue sends.
    @inline(__always)
    static func digits(ofScale scale: Int64) -> Int? {
        switch scale {
        case 1_000_000: return 6
        case 100: return 2
        default:
            guard scale > 0 else { return nil }
            var digits = 0
            var s = scale
            while s > 1 {
                guard s % 10 == 0 else { return nil }
                s /= 10
                digits += 1
            }
            return digits
        }
    }

    /// Formats a fixed-point value as a decimal string with all of `scale`'s digits,
    /// trailing zeros removed: `format(1_750_000, scale: 1_000_000) == "1.75"`.
    ///
    /// Written digit by digit into a stack buffer, right to left: every decision the engine
    /// publishes formats each leg's price, and with string interpolation a call took 1,410
    /// instructions, now 380 (callgrind, pipeline benchmark).
    public static func format(_ value: Int64, scale: Int64) -> String {
        // Sign, 20 whole digits, the point and at most 19 fraction digits.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 48) { buffer in
            var start = buffer.count
            func prepend(_ byte: UInt8) {
                start -= 1
                buffer[start] = byte
            }
            let unsignedScale = UInt64(scale)
            var whole = value.magnitude / unsignedScale
            var fraction = value.magnitude % unsignedScale
            if fraction != 0 {
                var width = 0
                var s = unsignedScale
                while s > 1 {
                    s /= 10
                    width += 1
                }
                while fraction % 10 == 0 {
                    fraction /= 10
                    width -= 1
                }
                for _ in 0..<width {
                    prepend(UInt8(ascii: "0") + UInt8(fraction % 10))
                    fraction /= 10
                }
                prepend(UInt8(ascii: "."))
            }
            repeat {
                prepend(UInt8(ascii: "0") + UInt8(whole % 10))
                whole /= 10
            } while whole > 0
            if value < 0 { prepend(UInt8(ascii: "-")) }
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[start...]), as: UTF8.self)
        }
    }
}
