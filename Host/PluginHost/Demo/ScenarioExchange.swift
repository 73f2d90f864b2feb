import PluginKit

/// A built-in exchange that speaks `arb-sim/1` (Plugins/Venues/SimVenue/README.md) in-process
/// for one or two venues, for the demo and the engine tests. Deterministic for a given seed.
///
/// What it lists, and the rules that relate it (``rules(primary:secondary:)``):
/// - `SIM-n`: markets whose fair price follows a bounded random walk; the first `pairs` of
///   them are also listed on the second venue (a cross-venue pair), where the price follows
///   the first venue's plus a divergence;
/// - `BKT-k-1…3`: exhaustive buckets (fairs 0.20/0.30/0.50);
/// - `LAD-k-1…3`: ladders, each rank implying the next (fairs 0.20/0.40/0.60);
/// - `PAR-k-A/B`: complements (fairs 0.30/0.70).
///
/// Now and then it plants what the engine must catch: a crossed book (YES bid + NO bid above
/// $1: a broken feed the firewall quarantines), a skipped sequence number (a gap to resync),
/// and a mispricing of one related market that lasts `divergeFrames` frames (a real
/// opportunity for the cross-venue, bucket, ladder or parity lane).
public final class ScenarioExchange: DemoExchange {
    public struct Options: Sendable {
        public var markets = 16
        public var pairs = 8
        public var buckets = 2
        public var ladders = 2
        public var parities = 2
        public var seed: UInt64 = 20_260_212
        /// One planted crossed book per this many frames.
        public var crossEvery = 97
        /// One skipped sequence number per this many frames.
        public var gapEvery = 251
        /// One planted mispricing per this many frames, lasting `divergeFrames` frames.
        public var divergeEvery = 61
        public var divergeFrames = 30
        public init() {}
    }

    struct MarketState {
        var id: String
        var host: String
        var fair: MicroDollars
        var walks: Bool
        var sequence: UInt64 = 0
        var yesBids: [MicroDollars: CentiContracts] = [:]
        var noBids: [MicroDollars: CentiContracts] = [:]
    }

    /// URL hosts of the two venues: `sim://local/…` and `sim://b/…`.
    public static let primaryHost = "local"
    public static let secondaryHost = "b"

    private var rng: SplitMix64
    private var markets: [MarketState] = []
    private var index: [String: Int] = [:]
    private let options: Options
    private var frames = 0
    private var plantedCross: (market: Int, price: MicroDollars)?
    /// A planted mispricing: the market, its true fair, and the frame at which it ends.
    private var divergence: (market: Int, fair: MicroDollars, until: Int)?
    private var nextTarget = 0
    /// Frames already decided, waiting to be sent.
    private var pending: [(host: String, frame: String)] = []

    public init(options: Options = Options()) {
        self.options = options
        rng = SplitMix64(seed: options.seed)
        func add(_ id: String, host: String = Self.primaryHost, fair: MicroDollars, walks: Bool) {
            index["\(host)/\(id)"] = markets.count
            var m = MarketState(id: id, host: host, fair: fair, walks: walks)
            Self.quote(&m, rng: &rng)
            markets.append(m)
        }
        for i in 0..<options.markets {
            add("SIM-\(i + 1)", fair: 100_000 + MicroDollars(rng.below(80)) * 10_000, walks: true)
        }
        for i in 0..<min(options.pairs, options.markets) {
            add("SIM-\(i + 1)", host: Self.secondaryHost, fair: markets[i].fair, walks: false)
        }
        for k in 0..<options.buckets {
            for (j, fair) in [MicroDollars(200_000), 300_000, 500_000].enumerated() {
                add("BKT-\(k + 1)-\(j + 1)", fair: fair, walks: false)
            }
        }
        for k in 0..<options.ladders {
            for (j, fair) in [MicroDollars(200_000), 400_000, 600_000].enumerated() {
                add("LAD-\(k + 1)-\(j + 1)", fair: fair, walks: false)
            }
        }
        for k in 0..<options.parities {
            add("PAR-\(k + 1)-A", fair: 300_000, walks: false)
            add("PAR-\(k + 1)-B", fair: 700_000, walks: false)
        }
    }

    // MARK: DemoExchange

    /// URL host of each bound venue's `base_url` → venue id, and back.
    private var venueOfHost: [String: String] = [:]
    private var hostOfVenue: [String: String] = [:]

    /// Serves the SimVenue plugins whose `base_url` is `sim://local` (the default) or `sim://b`.
    public func bind(_ venues: [PluginInstance]) -> [String] {
        for v in venues {
            var url = "sim://local"
            if case .string(let configured)? = v.manifest.config["base_url"] { url = configured }
            guard url.hasPrefix("sim://"), let host = url.dropFirst("sim://".count).split(separator: "/").first,
                let id = v.venueID
            else { continue }
            venueOfHost[String(host)] = id
            hostOfVenue[id] = String(host)
        }
        return hostOfVenue.keys.sorted()
    }

    public func perform(venue: String, _ request: HTTPRequest, now: Nanoseconds) -> HTTPResponse {
        perform(request, now: now)
    }

    public func streamOpen(venue: String, url: String, headers: [HTTPHeader]) -> Bool { true }

    /// `arb-sim/1` subscriptions need no answer: every market streams.
    public func streamSend(venue: String, _ text: String) -> [String] { [] }

    public func nextFrame() -> (venue: String, frame: String)? {
        // A frame for a venue no plugin serves is skipped (the second venue may be disabled).
        for _ in 0..<64 {
            let (host, frame) = nextHostFrame()
            if let venue = venueOfHost[host] { return (venue, frame) }
        }
        return nil
    }

    public func rules() -> [GroupRule] {
        rules(primary: venueOfHost[Self.primaryHost] ?? "sim", secondary: venueOfHost[Self.secondaryHost])
    }

    /// The groups relating the listed markets, under the venue ids the plugins report.
    public func rules(primary: String, secondary: String?) -> [GroupRule] {
        func key(_ id: String, _ venue: String = primary) -> MarketKey { MarketKey(venue: venue, marketID: id) }
        var rules: [GroupRule] = []
        if let secondary {
            for i in 0..<min(options.pairs, options.markets) {
                var r = GroupRule(
                    kind: .pair, groupID: "pair/SIM-\(i + 1)",
                    members: [.init(key: key("SIM-\(i + 1)")), .init(key: key("SIM-\(i + 1)", secondary))],
                    source: "scenario")
                r.hasSameTerms = true
                rules.append(r)
            }
        }
        for k in 1...max(1, options.buckets) where options.buckets > 0 {
            var r = GroupRule(
                kind: .bucket, groupID: "bucket/BKT-\(k)", members: (1...3).map { .init(key: key("BKT-\(k)-\($0)")) },
                source: "scenario")
            r.isExhaustive = true
            rules.append(r)
        }
        for k in 1...max(1, options.ladders) where options.ladders > 0 {
            var r = GroupRule(
                kind: .tree, groupID: "ladder/LAD-\(k)",
                members: (1...3).map { .init(key: key("LAD-\(k)-\($0)"), role: Int32($0 - 1)) }, source: "scenario")
            r.isLadder = true
            rules.append(r)
        }
        for k in 1...max(1, options.parities) where options.parities > 0 {
            rules.append(
                GroupRule(
                    kind: .parity, groupID: "parity/PAR-\(k)",
                    members: [.init(key: key("PAR-\(k)-A")), .init(key: key("PAR-\(k)-B"), isInverted: true)],
                    source: "scenario"))
        }
        return rules
    }

    /// Answers a request a venue plugin built.
    public func perform(_ request: HTTPRequest, now: Nanoseconds) -> HTTPResponse {
        // sim://HOST/path…
        let parts = request.url.split(separator: "/", omittingEmptySubsequences: true)
        guard parts.count >= 2 else { return notFound(request) }
        let host = String(parts[1])
        let path = parts.dropFirst(2).joined(separator: "/")
        if path.hasPrefix("markets/"), path.hasSuffix("/book") {
            let id = String(path.dropFirst("markets/".count).dropLast("/book".count))
            guard let i = index["\(host)/\(id)"] else { return notFound(request) }
            let m = markets[i]
            func side(_ bids: [MicroDollars: CentiContracts]) -> String {
                bids.sorted { $0.key < $1.key }.map { "[\"\(dollars($0.key))\",\"\(contracts($0.value))\"]" }
                    .joined(separator: ",")
            }
            let body =
                "{\"market\":\"\(m.id)\",\"seq\":\(m.sequence),\"yes_bids\":[\(side(m.yesBids))],\"no_bids\":[\(side(m.noBids))]}"
            return HTTPResponse(status: 200, body: Array(body.utf8), receiveTime: now, tag: request.tag)
        }
        if path.hasPrefix("markets") {
            let listed = markets.filter { $0.host == host }
            let pageSize = 10
            let start = request.url.split(separator: "cursor=").dropFirst().first.flatMap { Int($0) } ?? 0
            let page = listed[min(start, listed.count)..<min(start + pageSize, listed.count)]
            let items = page.map {
                "{\"id\":\"\($0.id)\",\"event\":\"\($0.id.split(separator: "-").dropLast().joined(separator: "-"))\",\"title\":\"Simulated market \($0.id)\",\"close_time_ns\":\(now + 7 * 86_400_000_000_000),\"tick\":\"0.01\"}"
            }
            let next = start + pageSize < listed.count ? "\"\(start + pageSize)\"" : "null"
            let body = "{\"markets\":[\(items.joined(separator: ","))],\"next_cursor\":\(next)}"
            return HTTPResponse(status: 200, body: Array(body.utf8), receiveTime: now, tag: request.tag)
        }
        return notFound(request)
    }

    private func notFound(_ request: HTTPRequest) -> HTTPResponse {
        HTTPResponse(status: 404, body: Array("{\"error\":\"no route \(request.url)\"}".utf8), tag: request.tag)
    }

    /// The next stream frame: the URL host of the venue that sends it, and the frame.
    public func nextHostFrame() -> (host: String, frame: String) {
        if !pending.isEmpty { return pending.removeFirst() }
        frames += 1
        if let planted = plantedCross {
            plantedCross = nil
            return delta(planted.market, side: "no", price: planted.price, size: 0)
        }
        if let d = divergence, frames >= d.until {
            divergence = nil
            markets[d.market].fair = d.fair
            requote(d.market)
            if !pending.isEmpty { return pending.removeFirst() }
        }
        let walking = markets.indices.filter { markets[$0].walks }
        if frames % options.crossEvery == 0, !walking.isEmpty {
            // A crossed book: a YES bid and a NO bid that sum above $1.
            let i = walking[Int(rng.below(UInt64(walking.count)))]
            let yes = markets[i].yesBids.keys.max() ?? 400_000
            let no = FixedPoint.micros - yes + 30_000
            plantedCross = (i, no)
            return delta(i, side: "no", price: no, size: 2_500)
        }
        if frames % options.divergeEvery == 0, divergence == nil, let (i, shift) = nextMispricing() {
            divergence = (i, markets[i].fair, frames + options.divergeFrames)
            markets[i].fair += shift
            requote(i)
            if !pending.isEmpty { return pending.removeFirst() }
        }
        let i = Int(rng.below(UInt64(markets.count)))
        if markets[i].walks {
            let step = (MicroDollars(rng.below(3)) - 1) * 10_000
            markets[i].fair = min(900_000, max(100_000, markets[i].fair + step))
            // The second venue's copy follows (unless it is the one planted off its fair).
            if let j = index["\(Self.secondaryHost)/\(markets[i].id)"], divergence?.market != j {
                markets[j].fair = markets[i].fair
            }
        }
        let yesSide = rng.below(2) == 0
        let offset = MicroDollars(1 + rng.below(3)) * 10_000
        let price = yesSide ? markets[i].fair - offset : FixedPoint.micros - markets[i].fair - offset
        let size = rng.below(5) == 0 ? 0 : CentiContracts(100 + rng.below(5_000))
        // A new bid that meets the other side trades against it: the venue removes the levels it
        // took first, so its published book is never crossed.
        var out: [(host: String, frame: String)] = []
        if size > 0 { out = matchCrossed(i, yesSide: yesSide, price: price) }
        if frames % options.gapEvery == 0 { markets[i].sequence += 1 }  // a lost message
        out.append(delta(i, side: yesSide ? "yes" : "no", price: price, size: size))
        pending.append(contentsOf: out.dropFirst())
        return out[0]
    }

    /// The next related market to misprice, cycling through the kinds, and by how much.
    private func nextMispricing() -> (Int, MicroDollars)? {
        var candidates: [(String, MicroDollars)] = []
        if options.pairs > 0 {
            candidates.append(("\(Self.secondaryHost)/SIM-\(1 + nextTarget % options.pairs)", 70_000))
        }
        if options.buckets > 0 {
            candidates.append(("\(Self.primaryHost)/BKT-\(1 + nextTarget % options.buckets)-3", -110_000))
        }
        if options.ladders > 0 {
            candidates.append(("\(Self.primaryHost)/LAD-\(1 + nextTarget % options.ladders)-1", 280_000))
        }
        if options.parities > 0 {
            candidates.append(("\(Self.primaryHost)/PAR-\(1 + nextTarget % options.parities)-B", -90_000))
        }
        guard !candidates.isEmpty else { return nil }
        let (key, shift) = candidates[nextTarget % candidates.count]
        nextTarget += 1
        guard let i = index[key] else { return nil }
        return (i, shift)
    }

    /// Replaces a market's bids with three levels a side around its fair price.
    private func requote(_ i: Int) {
        for p in markets[i].yesBids.keys.sorted() { pending.append(delta(i, side: "yes", price: p, size: 0)) }
        for p in markets[i].noBids.keys.sorted() { pending.append(delta(i, side: "no", price: p, size: 0)) }
        for k in 1...3 {
            let size = CentiContracts(2_000 + rng.below(8_000))
            pending.append(delta(i, side: "yes", price: markets[i].fair - MicroDollars(k) * 10_000, size: size))
            pending.append(
                delta(i, side: "no", price: FixedPoint.micros - markets[i].fair - MicroDollars(k) * 10_000, size: size))
        }
    }

    /// The venue matches a YES bid and a NO bid that sum to $1 or more: it removes the crossed levels.
    private func matchCrossed(_ i: Int, yesSide: Bool, price: MicroDollars) -> [(host: String, frame: String)] {
        let opposite = yesSide ? markets[i].noBids : markets[i].yesBids
        return opposite.keys.sorted().filter { $0 + price >= FixedPoint.micros }.map {
            delta(i, side: yesSide ? "no" : "yes", price: $0, size: 0)
        }
    }

    private func delta(_ i: Int, side: String, price: MicroDollars, size: CentiContracts) -> (
        host: String, frame: String
    ) {
        if side == "yes" {
            markets[i].yesBids[price] = size > 0 ? size : nil
        } else {
            markets[i].noBids[price] = size > 0 ? size : nil
        }
        markets[i].sequence += 1
        let frame =
            "{\"type\":\"delta\",\"market\":\"\(markets[i].id)\",\"seq\":\(markets[i].sequence),\"side\":\"\(side)\",\"price\":\"\(dollars(price))\",\"size\":\"\(contracts(size))\"}"
        return (markets[i].host, frame)
    }

    private static func quote(_ m: inout MarketState, rng: inout SplitMix64) {
        for k in 1...3 {
            m.yesBids[m.fair - MicroDollars(k) * 10_000] = CentiContracts(100 + rng.below(5_000))
            m.noBids[FixedPoint.micros - m.fair - MicroDollars(k) * 10_000] = CentiContracts(100 + rng.below(5_000))
        }
    }
}

private func dollars(_ micros: MicroDollars) -> String { FixedPoint.format(micros, scale: FixedPoint.micros) }
private func contracts(_ centi: CentiContracts) -> String { FixedPoint.format(centi, scale: FixedPoint.centi) }
