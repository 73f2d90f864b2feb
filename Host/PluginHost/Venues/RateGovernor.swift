import PluginKit

/// Paces one venue's requests by the token buckets the venue bills, and backs a bucket off
/// after the venue refuses it.
///
/// Venue plugins tag every request with a bucket and a cost (Kalshi: `read` and `write`, 10
/// tokens by default, 2 for a cancel); the manifest's `[rate_limits]` gives each bucket's refill
/// rate and capacity for the account's tier. A request passes when its bucket holds its cost;
/// otherwise it waits, in order behind the bucket's earlier requests, until the bucket has
/// refilled. Refill is continuous, as Kalshi's is (kalshi.md §5).
///
/// After a 429 the bucket is treated as empty and closed for 250 ms, doubling with every
/// refusal in a row up to 8 s, and reopened by the first success: Kalshi sends no `Retry-After`
/// and asks clients to back off exponentially. A bucket without a configured limit is never
/// paced but is still backed off.
///
/// Integer arithmetic throughout: a bucket's level is kept in token-nanoseconds, so refill is
/// exact at any rate. Engine thread.
public struct RateGovernor: Sendable {
    /// One bucket's budget: `tokensPerSecond` refilled continuously, up to `capacity`.
    public struct Limit: Sendable, Equatable {
        public var tokensPerSecond: Int64
        public var capacity: Int64

        public init(tokensPerSecond: Int64, capacity: Int64) {
            self.tokensPerSecond = tokensPerSecond
            self.capacity = capacity
        }
    }

    struct Bucket {
        var limit: Limit?
        /// Tokens × 10⁹ (token-nanoseconds at one token per second).
        var level: Int64
        var refilledAt: Nanoseconds
        var closedUntil: Nanoseconds = 0
        var refusalsInARow = 0
    }

    public static let firstBackoff: Nanoseconds = 250_000_000
    public static let longestBackoff: Nanoseconds = 8_000_000_000
    static let scale: Int64 = 1_000_000_000

    private var buckets: [String: Bucket] = [:]
    let limits: [String: Limit]

    /// Counters for the summary.
    public private(set) var refusals = 0

    public init(limits: [String: Limit]) {
        self.limits = limits
    }

    /// How long a request of `cost` in `bucket` must wait at `now`; 0 means it may go now.
    public mutating func delay(bucket: String, cost: Int64, now: Nanoseconds) -> Nanoseconds {
        var b = refreshed(bucket, now: now)
        defer { buckets[bucket] = b }
        if b.closedUntil > now { return b.closedUntil - now }
        guard let limit = b.limit, limit.tokensPerSecond > 0 else { return 0 }
        // A cost above capacity could never pass: it goes when the bucket is full.
        let needed = min(max(cost, 0), limit.capacity) * Self.scale
        guard b.level < needed else { return 0 }
        let missing = needed - b.level
        return (missing + limit.tokensPerSecond - 1) / limit.tokensPerSecond
    }

    /// Takes `cost` tokens from `bucket` (call after `delay` returned 0).
    public mutating func spend(bucket: String, cost: Int64, now: Nanoseconds) {
        var b = refreshed(bucket, now: now)
        if let limit = b.limit { b.level -= min(max(cost, 0), limit.capacity) * Self.scale }
        buckets[bucket] = b
    }

    /// The venue refused a request in `bucket` (HTTP 429): empty it and close it for a while.
    public mutating func refused(bucket: String, now: Nanoseconds) {
        var b = refreshed(bucket, now: now)
        b.level = 0
        let backoff = min(Self.firstBackoff << min(b.refusalsInARow, 10), Self.longestBackoff)
        b.closedUntil = now + backoff
        b.refusalsInARow += 1
        refusals += 1
        buckets[bucket] = b
    }

    /// The venue served a request in `bucket`: the backoff starts again from its shortest.
    public mutating func served(bucket: String) {
        buckets[bucket]?.refusalsInARow = 0
    }

    /// The venue reported how many tokens are left (a plugin's `rate_limit` call): the bucket
    /// never believes it holds more than that.
    public mutating func observe(bucket: String, remaining: Int64, now: Nanoseconds) {
        var b = refreshed(bucket, now: now)
        b.level = min(b.level, max(remaining, 0) * Self.scale)
        buckets[bucket] = b
    }

    /// Tokens in `bucket` at `now` (whole tokens, rounded down); nil when it has no limit.
    public mutating func tokens(bucket: String, now: Nanoseconds) -> Int64? {
        let b = refreshed(bucket, now: now)
        buckets[bucket] = b
        return b.limit == nil ? nil : b.level / Self.scale
    }

    private func refreshed(_ name: String, now: Nanoseconds) -> Bucket {
        guard var b = buckets[name] else {
            let limit = limits[name]
            // A new bucket starts full, as an account that has been idle does.
            return Bucket(limit: limit, level: (limit?.capacity ?? 0) * Self.scale, refilledAt: now)
        }
        if let limit = b.limit, now > b.refilledAt {
            let full = limit.capacity * Self.scale
            let elapsed = now - b.refilledAt
            // Saturate instead of overflowing after a long idle time.
            let (gain, overflow) = elapsed.multipliedReportingOverflow(by: limit.tokensPerSecond)
            b.level = overflow ? full : min(full, b.level + min(gain, full))
        }
        b.refilledAt = max(b.refilledAt, now)
        return b
    }
}
