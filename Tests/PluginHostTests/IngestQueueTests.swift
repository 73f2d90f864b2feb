import Foundation
import KalshiSim
import PluginKit
import Testing

@testable import PluginHost

/// The bounded hand-off from network readers to the engine, and its overflow policy: conflate
/// (drop what waits, tell the engine once) and resync the venue, never block, never grow.
struct IngestQueueTests {
    static func bytes(_ n: Int) -> [UInt8] { Array("frame \(n)".utf8) }

    @Test func aFullQueueDropsWhatWaitsAndSaysSoOnce() {
        let q = IngestQueue(venue: "kalshi", capacity: 3)
        for i in 0..<3 { #expect(q.push(Self.bytes(i), receivedAt: Int64(i))) }
        #expect(q.depth == 3)
        #expect(!q.push(Self.bytes(3), receivedAt: 3), "the fourth does not fit")
        #expect(q.depth == 0, "never more than capacity: what waited is gone")
        #expect(q.push(Self.bytes(4), receivedAt: 4))
        let items = q.drain()
        #expect(items == [.overflow(dropped: 4, at: 3), .frame(Self.bytes(4), receivedAt: 4)], "the drop comes first")
        #expect(q.drain().isEmpty)
        #expect(q.dropped.frames == 4 && q.dropped.overflows == 1)
        // A drain with a limit leaves the rest, in order.
        for i in 5..<8 { q.push(Self.bytes(i), receivedAt: Int64(i)) }
        #expect(q.drain(limit: 2) == [.frame(Self.bytes(5), receivedAt: 5), .frame(Self.bytes(6), receivedAt: 6)])
        #expect(q.drain() == [.frame(Self.bytes(7), receivedAt: 7)])
    }

    /// A reader thread pushing as fast as it can against a slower engine: every frame is either
    /// delivered, in order, or counted as dropped; none is lost without a word.
    @Test func everyFrameIsDeliveredInOrderOrCountedAsDropped() async {
        let q = IngestQueue(venue: "v", capacity: 64)
        let total = 200_000
        let reader = Task.detached {
            for i in 0..<total { q.push(Array(withUnsafeBytes(of: i) { Array($0) }), receivedAt: Int64(i)) }
        }
        var delivered = 0
        var droppedReported = 0
        var last = -1
        var done = false
        while !done {
            done = reader.isCancelled || (delivered + droppedReported == total)
            for item in q.drain(limit: 16) {
                switch item {
                case .frame(let b, let t):
                    let i = b.withUnsafeBytes { $0.load(as: Int.self) }
                    #expect(i > last && Int64(i) == t, "in order")
                    last = i
                    delivered += 1
                case .overflow(let n, _):
                    droppedReported += n
                }
            }
            if delivered + droppedReported == total { break }
            await Task.yield()
        }
        await reader.value
        for item in q.drain() {
            if case .frame = item { delivered += 1 } else if case .overflow(let n, _) = item { droppedReported += n }
        }
        #expect(delivered + droppedReported == total)
        #expect(q.dropped.frames == droppedReported)
    }

    /// An overflow on the Kalshi stream withholds every Kalshi quote and resyncs every market;
    /// the tape says where, and the replay does the same.
    @Test func anOverflowResyncsTheVenueLiveAndInReplay() throws {
        let tapePath = NSTemporaryDirectory() + "overflow-\(UUID().uuidString).jsonl"
        defer { try? FileManager.default.removeItem(atPath: tapePath) }
        let (box, _, driver, sim, wire) = try RateGovernorTests().pacedKalshi(tape: try TapeWriter(path: tapePath))
        defer { box.remove() }
        driver.start(now: 0)
        driver.pump(now: 1_000_000_000)
        #expect(driver.isStarted)
        let before = wire.sent.count
        let q = IngestQueue(venue: "kalshi", capacity: 2)
        for i in 0..<3 {
            q.push(
                Array(sim.changeBid(ticker: "KXSIM-1-A", side: "yes", price: 450_000, change: -10).utf8),
                receivedAt: 2_000_000_000 + Int64(i))
        }
        driver.receive(from: q)
        #expect(driver.engine.summary.dataQuality.summary.contains("overflow"))
        let books = wire.sent.dropFirst(before).map(\.line).filter { $0.hasSuffix("/orderbook") }
        #expect(Set(books).count == 3, "every Kalshi market resynced: \(books)")
        let records = try TapeReader.read(path: tapePath)
        #expect(records.filter { $0.type == .overflow }.map(\.body) == ["3"])
        let replay = try TapeReplay.run(records: records, manager: try RateGovernorTests.replayManager(box))
        #expect(replay.unmatchedResponses == 0 && replay.errors.isEmpty, "\(replay.errors)")
        #expect(replay.summary.dataQuality.summary == driver.engine.summary.dataQuality.summary)
        #expect(replay.summary.updates == driver.engine.summary.updates)
        #expect(replay.summary.cycles == driver.engine.summary.cycles)
    }
}
