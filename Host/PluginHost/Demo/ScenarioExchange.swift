import PluginKit

/// A built-in exchange that speaks `arb-sim/1` (Plugins/Venues/SimVenue/README.md) in-process,
/// for the demo until the real venue simulators run. Deterministic for a given seed.
///
/// Each market's fair price follows a bounded random walk; the venue quotes YES and NO bids
/// around it. Now and then it plants an inconsistent book (YES bid + NO bid above $1) — what a
/// broken feed looks like, and what the intra-venue lane must flag — and now and then it skips
/// a sequence number, which the venue plugin must report as a gap.
public final class ScenarioExchange {
    public struct Options: Sendable {
        public var markets = 24
        public var seed: UInt64 = 20_260_212
        /// One planted inconsistent book per this many deltas.
        public var crossEvery = 97
        /// One skipped sequence number per this many deltas.
        public var gapEvery = 251
        public init() {}
    }

    struct MarketState {
        var id: String
        var fair: MicroDollars
        var sequence: UInt64 = 0
        var yesBids: [MicroDollars: CentiContracts] = [:]
        var noBids: [MicroDollars: CentiContracts] = [:]
    }

    private var rng: SplitMix64
    private var markets: [MarketState]
    private let options: Options
    private var deltas = 0
    /// The planted crossed level to remove on the next frame (a broken quote lasts one update).
    private var plantedCross: (market: Int, price: MicroDollars)?
    /// Frames already decided (a new bid's matches against the other side) waiting to be sent.
    private var pending: [String] = []

    public init(options: Options = Options()) {
        self.options = options
        rng = SplitMix64(seed: options.seed)
        markets = []
        for i in 0..<options.markets {
            let fair = 100_000 + MicroDollars(rng.below(80)) * 10_000
            var m = MarketState(id: "SIM-\(i + 1)", fair: fair)
            Self.requote(&m, rng: &rng)
            markets.append(m)
        }
    }

    /// Answers a request the venue plugin built.
    public func perform(_ request: HTTPRequest, now: Nanoseconds) -> HTTPResponse {
        let path = request.url.split(separator: "/", omittingEmptySubsequences: true).dropFirst(2).joined(
            separator: "/")
        if path.hasPrefix("markets/"), path.hasSuffix("/book") {
            let id = String(path.dropFirst("markets/".count).dropLast("/book".count))
            guard let m = markets.first(where: { $0.id == id }) else {
                return HTTPResponse(status: 404, body: Array("{\"error\":\"no market \(id)\"}".utf8), tag: request.tag)
            }
            func side(_ bids: [MicroDollars: CentiContracts]) -> String {
                bids.sorted { $0.key < $1.key }.map { "[\"\(dollars($0.key))\",\"\(contracts($0.value))\"]" }
                    .joined(separator: ",")
            }
            let body =
                "{\"market\":\"\(m.id)\",\"seq\":\(m.sequence),\"yes_bids\":[\(side(m.yesBids))],\"no_bids\":[\(side(m.noBids))]}"
            return HTTPResponse(status: 200, body: Array(body.utf8), receiveTime: now, tag: request.tag)
        }
        if path.hasPrefix("markets") {
            let pageSize = 10
            let start = request.url.split(separator: "cursor=").dropFirst().first.flatMap { Int($0) } ?? 0
            let page = markets[min(start, markets.count)..<min(start + pageSize, markets.count)]
            let items = page.map {
                "{\"id\":\"\($0.id)\",\"event\":\"SIM\",\"title\":\"Simulated market \($0.id)\",\"close_time_ns\":\(now + 7 * 86_400_000_000_000),\"tick\":\"0.01\"}"
            }
            let next = start + pageSize < markets.count ? "\"\(start + pageSize)\"" : "null"
            let body = "{\"markets\":[\(items.joined(separator: ","))],\"next_cursor\":\(next)}"
            return HTTPResponse(status: 200, body: Array(body.utf8), receiveTime: now, tag: request.tag)
        }
        return HTTPResponse(status: 404, body: Array("{\"error\":\"no route \(request.url)\"}".utf8), tag: request.tag)
    }

    /// The next stream frame: one bid change on one market.
    public func nextFrame() -> String {
        if !pending.isEmpty { return pending.removeFirst() }
        deltas += 1
        if let planted = plantedCross {
            plantedCross = nil
            return delta(planted.market, side: "no", price: planted.price, size: 0)
        }
        let i = Int(rng.below(UInt64(markets.count)))
        if deltas % options.crossEvery == 0 {
            // Plant a crossed book: a YES bid and a NO bid that sum above $1.
            let yes = markets[i].yesBids.keys.max() ?? 400_000
            let no = FixedPoint.micros - yes + 30_000
            plantedCross = (i, no)
            return delta(i, side: "no", price: no, size: 2_500)
        }
        let step = (MicroDollars(rng.below(3)) - 1) * 10_000
        markets[i].fair = min(900_000, max(100_000, markets[i].fair + step))
        let yesSide = rng.below(2) == 0
        let offset = MicroDollars(1 + rng.below(3)) * 10_000
        let price = yesSide ? markets[i].fair - offset : FixedPoint.micros - markets[i].fair - offset
        let size = rng.below(5) == 0 ? 0 : CentiContracts(100 + rng.below(5_000))
        if deltas % options.gapEvery == 0 { markets[i].sequence += 1 }  // a lost message
        let frame = delta(i, side: yesSide ? "yes" : "no", price: price, size: size)
        // The venue matches a YES bid and a NO bid that sum to $1 or more: remove the crossed levels.
        if size > 0 {
            let opposite = yesSide ? markets[i].noBids : markets[i].yesBids
            for (p, _) in opposite.sorted(by: { $0.key < $1.key }) where p + price >= FixedPoint.micros {
                pending.append(delta(i, side: yesSide ? "no" : "yes", price: p, size: 0))
            }
        }
        return frame
    }

    private func delta(_ i: Int, side: String, price: MicroDollars, size: CentiContracts) -> String {
        if side == "yes" {
            markets[i].yesBids[price] = size > 0 ? size : nil
        } else {
            markets[i].noBids[price] = size > 0 ? size : nil
        }
        markets[i].sequence += 1
        return
            "{\"type\":\"delta\",\"market\":\"\(markets[i].id)\",\"seq\":\(markets[i].sequence),\"side\":\"\(side)\",\"price\":\"\(dollars(price))\",\"size\":\"\(contracts(size))\"}"
    }

    private static func requote(_ m: inout MarketState, rng: inout SplitMix64) {
        for k in 1...3 {
            m.yesBids[m.fair - MicroDollars(k) * 10_000] = CentiContracts(100 + rng.below(5_000))
            m.noBids[FixedPoint.micros - m.fair - MicroDollars(k) * 10_000] = CentiContracts(100 + rng.below(5_000))
        }
    }
}

private func dollars(_ micros: MicroDollars) -> String { FixedPoint.format(micros, scale: FixedPoint.micros) }
private func contracts(_ centi: CentiContracts) -> String { FixedPoint.format(centi, scale: FixedPoint.centi) }
