import CArbPluginAPI

/// The host's services for one plugin instance: log, clock, signer, fees, persistent state.
///
/// Valid from `init` until the instance is destroyed; every method may be called from any
/// thread except ``fee(for:side:action:price:quantity:liquidity:)`` (engine thread only).
/// `@unchecked Sendable`: the table behind it is immutable and the host documents each slot
/// as thread-safe.
public struct HostServices: @unchecked Sendable {
    let table: UnsafePointer<arb_host>

    /// Wraps a host table; the SDK does this for you in `create`.
    public init(unsafeTable table: UnsafeRawPointer) {
        self.table = table.assumingMemoryBound(to: arb_host.self)
    }

    /// The manifest id this instance was created for.
    public var instanceID: String { String(cString: table.pointee.instance_id) }

    public enum LogLevel: Int32, Sendable {
        case trace = 0, debug, info, warning, error
    }

    /// Writes one log line, tagged by the host with the instance id.
    public func log(_ level: LogLevel, _ message: String) {
        var message = message
        message.withUTF8 { buffer in
            buffer.withMemoryRebound(to: CChar.self) {
                table.pointee.log(table, level.rawValue, $0.baseAddress, $0.count)
            }
        }
    }

    /// The host's clock (the tape's clock during replay).
    public var now: Nanoseconds { table.pointee.now_ns(table) }

    public enum SignAlgorithm: UInt32, Sendable {
        /// RSA-PSS, SHA-256, MGF1-SHA-256, 32-byte salt (Kalshi).
        case rsaPSSSHA256 = 1
        /// HMAC-SHA256 (Polymarket L2).
        case hmacSHA256 = 2
        /// secp256k1 ECDSA with recovery id over a 32-byte digest: r || s || v (v = 27/28).
        case secp256k1Recoverable = 3
    }

    /// Signs `message` with the host-held key `keyName`. The key never leaves the host.
    public func sign(_ message: [UInt8], keyName: String, algorithm: SignAlgorithm) throws -> [UInt8] {
        let output = BytesCollector()
        let error = TextCollector()
        let status = message.withUnsafeBufferPointer { bytes in
            output.withSink { out in
                error.withSink { err in
                    keyName.withCString {
                        table.pointee.sign(table, $0, algorithm.rawValue, bytes.baseAddress, bytes.count, out, err)
                    }
                }
            }
        }
        guard status == ARB_OK else {
            throw PluginError(PluginError.Code(rawValue: status), "sign with key \(keyName): \(error.string)")
        }
        return output.bytes
    }

    /// The fee the market's venue charges for one order, with the venue's rounding.
    ///
    /// Lanes use this instead of hard-coding any venue's fee. Engine thread only.
    public func fee(
        for market: Market, side: Side, action: Action, price: MicroDollars, quantity: CentiContracts,
        liquidity: Liquidity = .taker
    ) throws -> FeeResult {
        let m = market.pointer.pointee
        var query = arb_fee_query(
            struct_size: UInt32(MemoryLayout<arb_fee_query>.size), liquidity: liquidity.rawValue,
            venue: m.venue, market_id: m.market_id, side: side.rawValue, action: action.rawValue,
            price_micros: price, quantity_centi: quantity, fee_multiplier_ppm: m.fee_multiplier_ppm,
            fee_schedule: m.fee_schedule, reserved0: 0)
        var result = arb_fee_result()
        result.struct_size = UInt32(MemoryLayout<arb_fee_result>.size)
        let status = table.pointee.fee(table, &query, &result)
        guard status == ARB_OK else {
            throw PluginError(
                PluginError.Code(rawValue: status), "no fee for venue \(market.venue) (is its venue plugin enabled?)")
        }
        return FeeResult(fee: result.fee_micros, delivered: result.delivered_centi)
    }

    /// Reads this instance's persisted value for `key`, or nil when none was stored.
    public func state(_ key: String) -> [UInt8]? {
        let output = BytesCollector()
        let status = output.withSink { out in key.withCString { table.pointee.state_get(table, $0, out) } }
        return status == ARB_OK ? output.bytes : nil
    }

    /// Persists `value` under `key` for this instance's manifest id (survives restarts and swaps).
    public func setState(_ key: String, _ value: [UInt8]) throws {
        let status = value.withUnsafeBufferPointer { bytes in
            key.withCString { table.pointee.state_put(table, $0, bytes.baseAddress, bytes.count) }
        }
        guard status == ARB_OK else { throw PluginError(PluginError.Code(rawValue: status), "state put \(key)") }
    }
}

/// A venue's answer to a fee question.
public struct FeeResult: Sendable, Equatable {
    /// Total fee in micro-dollars, rounded as the venue rounds.
    public var fee: MicroDollars
    /// Contracts delivered (less than ordered where the fee is taken in shares).
    public var delivered: CentiContracts

    public init(fee: MicroDollars, delivered: CentiContracts) {
        self.fee = fee
        self.delivered = delivered
    }
}
