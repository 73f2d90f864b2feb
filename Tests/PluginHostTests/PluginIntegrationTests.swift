import CArbPluginAPI
import Foundation
import PluginHost
import PluginKit
import Testing

/// The real plugins, built as .so files, loaded through manifests and driven through the ABI.
@Suite(.serialized)
struct PluginIntegrationTests {
    static let venueManifest = manifest(
        id: "venue.sim", kind: "venue", library: "libSimVenue.so", config: "fee_coefficient = \"0.07\"")

    /// Runs the venue's discovery against the scenario exchange; the market ids it announced.
    func discover(_ session: VenueSession, _ exchange: ScenarioExchange) throws -> [String] {
        var queue = try session.startDiscovery()
        var ids: [String] = []
        while let event = queue.first {
            queue.removeFirst()
            switch event {
            case .market(let m): ids.append(m.marketID)
            case .request(let r): queue += try session.handle(exchange.perform(r, now: 1))
            default: break
            }
        }
        return ids
    }

    func loaded(_ manifests: [String: String]) throws -> (Sandbox, PluginManager) {
        let box = try Sandbox()
        for (name, text) in manifests { try box.write(name, text) }
        let manager = box.makeManager()
        let report = manager.reload()
        #expect(report.errors.isEmpty, "\(report.errors)")
        return (box, manager)
    }

    /// YES ask 0.45 x 10 and NO ask 0.50 x 4: a 5-cent gap before fees on a consistent-looking book.
    func plantedGroup() -> GroupSnapshot {
        let group = GroupSnapshot(
            kind: .single, groupID: "SIM-1", markets: [MarketRecord(venue: "sim", marketID: "SIM-1")])
        group.setQuote(
            QuoteRecord(
                yesAsks: [Level(price: 450_000, size: 1_000), Level(price: 480_000, size: 5_000)],
                noAsks: [Level(price: 500_000, size: 400), Level(price: 530_000, size: 10_000)]), at: 0)
        return group
    }

    @Test func intraVenueLaneFindsPlantedGapWithVenueFees() throws {
        let (box, manager) = try loaded([
            "10-venue.toml": Self.venueManifest,
            "20-lane.toml": manifest(id: "lane.intra_venue", kind: "lane", library: "libIntraVenueLane.so"),
        ])
        defer { box.remove() }
        let lane = try #require(manager.pipeline.lanes.first)
        let found = try lane.evaluate(plantedGroup())
        let o = try #require(found.first)
        // Level 1: 4 baskets at 0.45 + 0.50: fees ceil(0.07*4*0.45*0.55)=7c and ceil(0.07*4*0.5*0.5)=7c.
        // Cost of 4 baskets = 3.80 + 0.14 = 3.94 ⇒ 0.985 per basket; edge 1.5c ≥ 0.5c min edge.
        // Level 2 (0.45 + 0.53 = 0.98 before fees) cannot pay its fees: the walk stops at 4.
        #expect(o.maxBaskets == 400)
        #expect(o.cost == 985_000)
        #expect(o.edge == 15_000)
        #expect(o.legs.map(\.limitPrice) == [450_000, 500_000])
        #expect(o.legs.map(\.fee) == [17_500, 17_500])
        #expect(o.isDataQualityAlarm, "lane (a) reports as a feed-integrity alarm by default")
    }

    @Test func laneNeedsTheVenuePluginForFees() throws {
        let (box, manager) = try loaded([
            "20-lane.toml": manifest(id: "lane.intra_venue", kind: "lane", library: "libIntraVenueLane.so")
        ])
        defer { box.remove() }
        let lane = try #require(manager.pipeline.lanes.first)
        #expect(throws: PluginCallError.self) { try lane.evaluate(plantedGroup()) }
    }

    @Test func consistentBookFindsNothing() throws {
        let (box, manager) = try loaded([
            "10-venue.toml": Self.venueManifest,
            "20-lane.toml": manifest(id: "lane.intra_venue", kind: "lane", library: "libIntraVenueLane.so"),
        ])
        defer { box.remove() }
        let group = GroupSnapshot(
            kind: .single, groupID: "SIM-2", markets: [MarketRecord(venue: "sim", marketID: "SIM-2")])
        group.setQuote(
            QuoteRecord(yesAsks: [Level(price: 540_000, size: 100)], noAsks: [Level(price: 470_000, size: 100)]), at: 0)
        #expect(try manager.pipeline.lanes[0].evaluate(group).isEmpty)
    }

    func context(equity: MicroDollars, peak: MicroDollars, dayStart: MicroDollars? = nil) -> arb_sizing_context {
        var c = arb_sizing_context()
        c.struct_size = UInt32(MemoryLayout<arb_sizing_context>.size)
        c.equity_micros = equity
        c.high_water_micros = peak
        c.day_start_equity_micros = dayStart ?? equity
        return c
    }

    func opportunity(_ manager: PluginManager) throws -> FoundOpportunity {
        try #require(try manager.pipeline.lanes[0].evaluate(plantedGroup()).first)
    }

    @Test func drawdownTiersScaleAndHalt() throws {
        let (box, manager) = try loaded([
            "10-venue.toml": Self.venueManifest,
            "20-lane.toml": manifest(id: "lane.intra_venue", kind: "lane", library: "libIntraVenueLane.so"),
            "90-dd.toml": manifest(id: "sizing.drawdown", kind: "sizing", library: "libDrawdownStep.so"),
        ])
        defer { box.remove() }
        let step = try #require(manager.pipeline.sizingA.first)
        let o = try opportunity(manager)
        var safe = context(equity: 1_000_000_000, peak: 1_000_000_000)
        #expect(try step.size(o, baskets: 400, context: &safe).verdictName == "keep")
        var caution = context(equity: 940_000_000, peak: 1_000_000_000)  // 6% drawdown ⇒ x0.75
        let c = try step.size(o, baskets: 400, context: &caution)
        #expect(c.verdictName == "resize")
        #expect(c.baskets == 300)
        #expect(c.reason == "caution: drawdown 6% >= 5%, size x0.75")
        var severe = context(equity: 840_000_000, peak: 1_000_000_000)  // 16% ⇒ x0.25
        #expect(try step.size(o, baskets: 400, context: &severe).baskets == 100)
        var halt = context(equity: 790_000_000, peak: 1_000_000_000)  // 21% ⇒ halt
        let h = try step.size(o, baskets: 400, context: &halt)
        #expect(h.isRejected)
        #expect(h.reason == "halt: drawdown 21% >= 20%")
        #expect(h.metrics.first { $0.name == "drawdown_ppm" }?.value == 210_000)
    }

    @Test func drawdownHaltSurvivesARestart() throws {
        let box = try Sandbox()
        defer { box.remove() }
        for (name, text) in [
            "10-venue.toml": Self.venueManifest,
            "20-lane.toml": manifest(id: "lane.intra_venue", kind: "lane", library: "libIntraVenueLane.so"),
            "90-dd.toml": manifest(id: "sizing.drawdown", kind: "sizing", library: "libDrawdownStep.so"),
        ] { try box.write(name, text) }
        let first = box.makeManager()
        first.reload()
        let o = try opportunity(first)
        var halt = context(equity: 790_000_000, peak: 1_000_000_000)
        #expect(try first.pipeline.sizingA[0].size(o, baskets: 400, context: &halt).isRejected)
        // A new host over the same state: 17% drawdown is below the halt tier, but the halt holds
        // until half of the drawdown is recovered (trough 790 ⇒ resume at 895).
        let second = box.makeManager()
        second.reload()
        var recovering = context(equity: 830_000_000, peak: 1_000_000_000)
        let r = try second.pipeline.sizingA[0].size(o, baskets: 400, context: &recovering)
        #expect(r.isRejected)
        #expect(r.reason == "halted: equity $830 below resume level $895")
        var recovered = context(equity: 900_000_000, peak: 1_000_000_000)
        #expect(try second.pipeline.sizingA[0].size(o, baskets: 400, context: &recovered).baskets == 200)
    }

    @Test func simVenueDiscoversPagesBooksAndGaps() throws {
        let (box, manager) = try loaded(["10-venue.toml": Self.venueManifest])
        defer { box.remove() }
        let session = VenueSession(instance: try #require(manager.pipeline.venues.first))
        let exchange = ScenarioExchange()
        var markets: [MarketRecord] = []
        var queue = try session.startDiscovery()
        var books = 0
        while !queue.isEmpty {
            let event = queue.removeFirst()
            switch event {
            case .market(let m): markets.append(m)
            case .request(let r): queue += try session.handle(exchange.perform(r, now: 1))
            case .book: books += 1
            default: break
            }
        }
        #expect(markets.count == 32, "four pages of 10, 10, 10 and 2")
        #expect(markets.first?.tick == 10_000)
        #expect(markets.first?.feeSchedule == .quadratic)
        // A page the byte scanner reads, the same page with spaces (the decoder's), and one whose
        // first market lacks its event: the decoder's reading, never the next market's event.
        guard case .request(let pageRequest) = try #require(try session.startDiscovery().first) else {
            Issue.record("no page request")
            return
        }
        let page = exchange.perform(pageRequest, now: 1)
        let text = String(decoding: page.body, as: UTF8.self)
        var spacedPage = page
        spacedPage.body = Array(text.replacingOccurrences(of: ",\"", with: ", \"").utf8)
        let scanned = try session.handle(page)
        #expect(scanned.count == 11, "ten markets and the next page's request")
        #expect(try session.handle(spacedPage) == scanned)
        var stripped = text
        stripped.replaceSubrange(try #require(stripped.range(of: "\"event\":\"SIM\",")), with: "")
        var noEvent = page
        noEvent.body = Array(stripped.utf8)
        let eventIDs = try session.handle(noEvent).compactMap { e -> String? in
            if case .market(let m) = e { return m.eventID }
            return nil
        }
        #expect(eventIDs == [""] + Array(repeating: "SIM", count: 9))
        let events = try session.requestBook(marketID: "SIM-1")
        guard case .request(let r) = try #require(events.first) else { Issue.record("no request"); return }
        #expect(r.url == "sim://local/markets/SIM-1/book")
        let snapshot = try session.handle(exchange.perform(r, now: 1))
        guard case .book(let book) = try #require(snapshot.first) else { Issue.record("no book"); return }
        #expect(book.kind == .snapshot)
        #expect(book.yesBids.count == 3)
        #expect(book.yesBids[0].price > book.yesBids[1].price, "best first after the plugin reverses Kalshi order")
        // The same answer with whitespace, which the plugin's byte scanner leaves to JSONDecoder:
        // the same book either way, and a malformed body is an error, not an empty book.
        let answer = exchange.perform(r, now: 1)
        var spaced = answer
        spaced.body = Array(String(decoding: answer.body, as: UTF8.self).replacingOccurrences(of: ",", with: ", ").utf8)
        #expect(spaced.body != answer.body)
        #expect(try session.handle(spaced) == session.handle(answer))
        var broken = answer
        broken.body = Array(answer.body.dropLast(3))
        #expect(throws: PluginCallError.self) { try session.handle(broken) }
        // A frame whose sequence skips ahead is a gap, not a delta.
        let gap = try session.handleFrame(
            Array(
                "{\"type\":\"delta\",\"market\":\"SIM-1\",\"seq\":99,\"side\":\"yes\",\"price\":\"0.40\",\"size\":\"1\"}"
                    .utf8),
            receivedAt: 2)
        #expect(gap == [.gap(marketID: "SIM-1", reason: "sequence 99 after \(book.venueSequence)")])
        #expect(throws: PluginCallError.self) { try session.handleFrame(Array("not json".utf8), receivedAt: 3) }
    }

    /// SimVenue reads the exchange's delta frames with a byte scanner and any other layout with
    /// `JSONDecoder`: both give the same update, skip what is already applied, and refuse a bad
    /// level without applying its sequence.
    @Test func simVenueDeltaFramesReadTheSameByScannerAndDecoder() throws {
        let (box, manager) = try loaded(["10-venue.toml": Self.venueManifest])
        defer { box.remove() }
        let session = VenueSession(instance: try #require(manager.pipeline.venues.first))
        let exchange = ScenarioExchange()
        _ = try discover(session, exchange)
        guard case .request(let r) = try #require(try session.requestBook(marketID: "SIM-2").first),
            case .book(let snapshot) = try #require(try session.handle(exchange.perform(r, now: 1)).first)
        else {
            Issue.record("no snapshot of SIM-2")
            return
        }
        let seq = snapshot.venueSequence
        func frame(_ seq: UInt64, side: String, price: String, size: String, separator: String = ",") -> [UInt8] {
            Array(
                [
                    "{\"type\":\"delta\"", "\"market\":\"SIM-2\"", "\"seq\":\(seq)", "\"side\":\"\(side)\"",
                    "\"price\":\"\(price)\"", "\"size\":\"\(size)\"}",
                ]
                .joined(separator: separator).utf8)
        }
        func update(_ seq: UInt64, yes: [Level], no: [Level], at t: Int64) -> [VenueEvent] {
            var u = BookUpdate(kind: .delta, marketID: "SIM-2")
            (u.yesBids, u.noBids, u.venueSequence, u.receiveTime) = (yes, no, seq, t)
            return [.book(u)]
        }
        let level = Level(price: 420_000, size: 1_250)
        // The scanner's layout, then the same fields with spaces (the decoder's).
        #expect(
            try session.handleFrame(frame(seq + 1, side: "yes", price: "0.42", size: "12.5"), receivedAt: 5)
                == update(seq + 1, yes: [level], no: [], at: 5))
        #expect(
            try session.handleFrame(
                frame(seq + 2, side: "no", price: "0.42", size: "12.5", separator: ", "), receivedAt: 6)
                == update(seq + 2, yes: [], no: [level], at: 6))
        #expect(
            try session.handleFrame(frame(seq + 2, side: "yes", price: "0.5", size: "1"), receivedAt: 7).isEmpty,
            "a sequence already applied is skipped")
        for separator in [",", ", "] {
            #expect(throws: PluginCallError.self) {
                try session.handleFrame(
                    frame(seq + 3, side: "yes", price: "1.5", size: "1", separator: separator), receivedAt: 8)
            }
            #expect(throws: PluginCallError.self) {
                try session.handleFrame(
                    frame(seq + 3, side: "yes", price: "0.4", size: "-1", separator: separator), receivedAt: 8)
            }
        }
        // A refused delta is not applied, so the book behind it is known to miss it: the next one
        // is a gap (and a resync), not a silent hole.
        #expect(
            try session.handleFrame(frame(seq + 4, side: "yes", price: "0.4", size: "1"), receivedAt: 9)
                == [.gap(marketID: "SIM-2", reason: "sequence \(seq + 4) after \(seq + 2)")])
        // The scanner reads strings a word at a time: an escape or a control byte anywhere in a
        // word, or a string longer than one, must read as the decoder reads it.
        func raw(_ market: String, _ seq: UInt64, price: String = "0.42", size: String = "12.5") -> [UInt8] {
            Array(
                "{\"type\":\"delta\",\"market\":\"\(market)\",\"seq\":\(seq),\"side\":\"yes\",\"price\":\"\(price)\",\"size\":\"\(size)\"}"
                    .utf8)
        }
        #expect(
            try session.handleFrame(raw("SIM\\u002d2", seq + 5), receivedAt: 10)
                == update(seq + 5, yes: [level], no: [], at: 10), "an escaped id is the decoder's, and the same id")
        #expect(
            try session.handleFrame(raw("SIM-2", seq + 6, price: "0.4200000000000", size: "12.50000"), receivedAt: 11)
                == update(seq + 6, yes: [level], no: [], at: 11), "strings longer than a word")
        let quoted = try session.handleFrame(raw("SIM\\\"2", 1), receivedAt: 12)
        guard case .book(let other) = try #require(quoted.first) else {
            Issue.record("no book for an id with an escaped quote")
            return
        }
        #expect(other.marketID == "SIM\"2", "an escaped quote ends nothing")
        for market in ["SIM-2\u{01}", "S\u{1f}IM-2", "SIM-2\u{0a}"] {
            #expect(throws: PluginCallError.self, "\(Array(market.utf8))") {
                try session.handleFrame(raw(market, seq + 7), receivedAt: 12)
            }
        }
        #expect(
            try session.handleFrame(raw("SIM-2", seq + 7, price: "0.42", size: "12.5"), receivedAt: 13)
                == update(seq + 7, yes: [level], no: [], at: 13), "what the refusals left unapplied")
    }

    /// SimVenue keeps each market's sequence apart (ids that are prefixes of others, past its
    /// table's growth): a gap in one market leaves the others in step, and the market's next
    /// delta after a gap starts it again, scanner and decoder layouts alike.
    @Test func simVenueKeepsEachMarketsSequence() throws {
        let (box, manager) = try loaded(["10-venue.toml": Self.venueManifest])
        defer { box.remove() }
        let session = VenueSession(instance: try #require(manager.pipeline.venues.first))
        let exchange = ScenarioExchange()
        let ids = try discover(session, exchange)
        #expect(ids.count == 32 && ids.contains("SIM-1") && ids.contains("SIM-10"))
        var sequences: [String: UInt64] = [:]
        for id in ids {
            guard case .request(let r) = try #require(try session.requestBook(marketID: id).first),
                case .book(let snapshot) = try #require(try session.handle(exchange.perform(r, now: 1)).first)
            else {
                Issue.record("no snapshot of \(id)")
                return
            }
            sequences[id] = snapshot.venueSequence
        }
        func frame(_ id: String, _ seq: UInt64, spaced: Bool = false) -> [UInt8] {
            let text =
                "{\"type\":\"delta\",\"market\":\"\(id)\",\"seq\":\(seq),\"side\":\"yes\",\"price\":\"0.3\",\"size\":\"2\"}"
            return Array((spaced ? text.replacingOccurrences(of: ",", with: ", ") : text).utf8)
        }
        func isBook(_ events: [VenueEvent]) -> Bool {
            if events.count == 1, case .book = events[0] { return true }
            return false
        }
        for (i, id) in ids.enumerated() {
            let next = try #require(sequences[id]) + 1
            #expect(isBook(try session.handleFrame(frame(id, next, spaced: i % 3 == 0), receivedAt: 2)), "\(id)")
            #expect(try session.handleFrame(frame(id, next), receivedAt: 3).isEmpty, "\(id) again is skipped")
            sequences[id] = next
        }
        let skipped = try #require(sequences["SIM-1"]) + 2
        #expect(
            try session.handleFrame(frame("SIM-1", skipped), receivedAt: 4)
                == [.gap(marketID: "SIM-1", reason: "sequence \(skipped) after \(skipped - 2)")])
        for id in ids where id != "SIM-1" {
            #expect(isBook(try session.handleFrame(frame(id, try #require(sequences[id]) + 1), receivedAt: 5)), "\(id)")
        }
        #expect(isBook(try session.handleFrame(frame("SIM-1", skipped + 5, spaced: true), receivedAt: 6)))
        #expect(isBook(try session.handleFrame(frame("SIM-1", skipped + 6), receivedAt: 7)))
    }

    @Test func demoRunsEveryKindOfPlugin() throws {
        let (box, manager) = try loaded([
            "10-venue.toml": Self.venueManifest,
            "20-lane.toml": manifest(id: "lane.intra_venue", kind: "lane", library: "libIntraVenueLane.so"),
            "22-bucket.toml": manifest(id: "lane.bucket", kind: "lane", library: "libBucketLane.so"),
            "23-parity.toml": manifest(id: "lane.parity", kind: "lane", library: "libParityLane.so"),
            "24-tree.toml": manifest(id: "lane.event_tree", kind: "lane", library: "libEventTreeLane.so"),
            "90-dd.toml": manifest(id: "sizing.drawdown", kind: "sizing", library: "libDrawdownStep.so"),
        ])
        defer { box.remove() }
        let runner = try DemoRunner(manager: manager, clock: { 1_000 }, output: { _ in })
        var batches = 0
        runner.run(framesPerBatch: 500) {
            batches += 1
            return batches > 4
        }
        let s = runner.engine.summary
        #expect(s.markets == 32, "16 walking markets, 2 buckets, 2 ladders, 2 parities on one venue")
        #expect(s.updates >= 1_200, "2,500 frames, a fifth of them for the second venue this test does not load")
        #expect(s.dataQuality[.sequenceGap] > 0, "the scenario skips sequence numbers; each must resync")
        #expect(s.dataQuality[.crossed] > 0, "every planted crossed book is quarantined by the firewall")
        #expect(s.opportunities["lane.intra_venue"] == nil, "a quarantined book never reaches a lane")
        for lane in ["lane.bucket", "lane.parity", "lane.event_tree"] {
            #expect((s.opportunities[lane] ?? 0) > 0, "\(lane) finds the planted mispricings")
        }
        #expect(s.plansA > 0, "the drawdown step keeps everything at zero drawdown")
        #expect(s.paperExecutions > 0)
        #expect(s.pluginErrors == 0 && runner.driver.errors.isEmpty, "\(runner.driver.errors)")
    }
}
