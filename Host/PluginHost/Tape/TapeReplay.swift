import Foundation
import PluginKit

/// Runs the live pipeline over a recorded tape: the same venue plugins parse the same bytes,
/// the same engine evaluates the same groups, at the tape's own timestamps. Nothing is sent.
/// Requests the plugins make are answered from the tape (matched by method and URL); plugin
/// state starts empty (a memory store), so every replay of a tape decides the same, byte for byte.
public final class TapeReplay {
    public struct Result: Sendable {
        public var decisions: [Decision]
        public var summary: Engine.Summary
        public var abRecords: [ABRecord]
        public var records: Int
        /// Responses on the tape that no plugin request matched (the plugin's requests changed).
        public var unmatchedResponses: Int
        /// Frames or responses for a venue no enabled plugin reports.
        public var unknownVenueRecords: Int
        public var errors: [String]
        public var seconds: Double
        /// How the replay's plugins differ from those the tape recorded at its start (see
        /// ``PluginFingerprint/differences(recorded:current:)``); empty when they are the same, or
        /// when the tape recorded none (an older tape).
        public var pluginDifferences: [String] = []
        /// How many times the recorded run's plugins changed after it started: the replay runs
        /// the current ones throughout, so decisions after a change may differ.
        public var pluginChanges = 0

        /// The decisions as JSON lines: what "byte-identical" is measured on.
        public var decisionsText: String { decisions.map(\.jsonLine).joined(separator: "\n") + "\n" }
    }

    /// - Parameters:
    ///   - universe: groups to evaluate; when nil, the tape's universe header is used.
    public static func run(
        records: [TapeRecord], manager: PluginManager, universe: Universe? = nil,
        options: Engine.Options = Engine.Options(), progress: ((Int, Int) -> Void)? = nil
    ) throws -> Result {
        try run(
            tape: Tape(records: records), manager: manager, universe: universe, options: options, progress: progress)
    }

    /// The same, over a tape read with ``Tape/read(path:)``.
    public static func run(
        tape: Tape, manager: PluginManager, universe: Universe? = nil, options: Engine.Options = Engine.Options(),
        progress: ((Int, Int) -> Void)? = nil
    ) throws -> Result {
        var chunk: Tape? = tape
        return try run(
            chunks: {
                defer { chunk = nil }
                return chunk.flatMap { $0.count > 0 ? $0 : nil }
            }, manager: manager, universe: universe, options: options, progress: { progress?($0, tape.count) })
    }

    /// The same, over a tape file read as it is replayed (see ``TapeStream``): what `arb replay`
    /// runs. The stream's errors (a malformed line) end the replay with that error.
    /// - Parameter progress: called about every 100,000 records with the records replayed so far.
    public static func run(
        stream: TapeStream, manager: PluginManager, universe: Universe? = nil,
        options: Engine.Options = Engine.Options(), progress: ((Int) -> Void)? = nil
    ) throws -> Result {
        defer { stream.cancel() }
        return try run(
            chunks: { try stream.next() }, manager: manager, universe: universe, options: options, progress: progress)
    }

    /// The replay itself, over a tape given chunk by chunk (a whole tape is one chunk). The
    /// universe header is the tape's first record, as ``DemoRunner`` writes it: one found after
    /// a venue message is not used, and says so in ``Result/errors``.
    private static func run(
        chunks next: () throws -> Tape?, manager: PluginManager, universe: Universe?, options: Engine.Options,
        progress: ((Int) -> Void)?
    ) throws -> Result {
        // Chunks up to the first message: the universe header before it, and the time it came.
        var head: [Tape] = []
        var firstMessage: Nanoseconds?
        var header: String?
        while firstMessage == nil, let chunk = try next() {
            head.append(chunk)
            let message = chunk.kinds.firstIndex(where: \.isMessage)
            firstMessage = message.map { chunk.times[$0] }
            if universe == nil, header == nil,
                let h = chunk.kinds[..<(message ?? chunk.count)].firstIndex(of: .universe)
            {
                header = chunk.bodyString(h)
            }
        }
        var groups = universe
        if let header {
            groups = Universe(groups: try RulesFile.load(data: Data(header.utf8), file: "tape universe header"))
        }
        let engine = Engine(manager: manager, universe: groups ?? Universe(), options: options)
        var decisions: [Decision] = []
        var abRecords: [ABRecord] = []
        engine.onDecision = { decisions.append($0) }
        engine.onABRecord = { abRecords.append($0) }
        // No pacing: the tape already holds the live run's pacing and retries, answer by answer.
        let driver = VenueDriver(engine: engine, venues: manager.pipeline.venues, pacesRequests: false) { _, _, _ in
            nil
        }
        var replay = ChunkReplay(driver: driver)
        let started = ContinuousClock.now
        driver.start(now: firstMessage ?? 0)
        head.reverse()  // taken from the end
        var current = try head.popLast() ?? next()
        var records = 0
        while let chunk = current {
            let following = try head.popLast() ?? next()
            replay.run(chunk, nextIsInner: following?.inner.first == true, done: records, progress: progress)
            records += chunk.count
            current = following
        }
        let elapsed = ContinuousClock.now - started
        var result = Result(
            decisions: decisions, summary: engine.summary, abRecords: abRecords, records: records,
            unmatchedResponses: replay.unmatched, unknownVenueRecords: replay.unknown,
            errors: driver.errors + replay.notes,
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        if let first = replay.recordedPlugins.first {
            result.pluginDifferences = PluginFingerprint.differences(
                recorded: first, current: PluginFingerprint.of(manager.pipeline))
        }
        result.pluginChanges = zip(replay.recordedPlugins, replay.recordedPlugins.dropFirst()).filter { $0 != $1 }.count
        return result
    }
}

/// Hands a tape's records to the venue driver, chunk by chunk, and counts what it could not.
private struct ChunkReplay {
    let driver: VenueDriver
    var unmatched = 0
    var unknown = 0
    var recordedPlugins: [[PluginFingerprint]] = []
    var notes: [String] = []
    private var messages = 0

    init(driver: VenueDriver) { self.driver = driver }

    /// Replays `tape`'s records; `nextIsInner` is whether the record after its last (the next
    /// chunk's first) is inner to it. `done` records came before.
    mutating func run(_ tape: Tape, nextIsInner: Bool, done: Int, progress: ((Int) -> Void)?) {
        // Each venue's session found once per chunk, not per record: a record names its venue
        // by index. Held unretained (the driver keeps its sessions): taking one out of an array
        // of references retained and released it per record, 1.1% of a replay's perf samples.
        let sessions = tape.venues.map { driver.venueSession($0).map(Unmanaged.passUnretained) }
        tape.bodies.withUnsafeBufferPointer { bodies in
            for i in 0..<tape.count {
                // Live, inner records arrived inside the previous message's processing or in its
                // batch, before its cycle: the cycle waits until the last of them.
                let complete = i + 1 == tape.count ? !nextIsInner : tape.inner[i + 1] != true
                let (type, t, v) = (tape.kinds[i], tape.times[i], Int(tape.venueOf[i]))
                let session = type.isMessage ? sessions[v] : nil
                if type.isMessage {
                    messages += 1
                    if session == nil {
                        unknown += 1
                        continue
                    }
                }
                let body = UnsafeBufferPointer(rebasing: bodies[tape.bodyStart(i)..<tape.bodyEnds[i]])
                switch type {
                case .universe:
                    if messages > 0 { notes.append("a universe header after the first message was not used") }
                    continue
                case .plugins:
                    recordedPlugins.append(PluginFingerprint.parse(tape.bodyString(i)))
                    continue
                case .frame:
                    // The frame is read in place from the tape's bytes: no copy per frame.
                    guard let session else { continue }  // a frame is a message: found above
                    session._withUnsafeGuaranteedRef {
                        driver.receive(frame: body, session: $0, at: t, complete: complete)
                    }
                case .overflow:
                    driver.overflow(
                        venue: tape.venues[v], dropped: Int(tape.bodyString(i)) ?? 0, at: t, complete: complete)
                case .stale:
                    driver.stale(venue: tape.venues[v], at: t, complete: complete)
                case .response:
                    let request = tape.requests[i] ?? Tape.Request()
                    let ok = driver.receive(
                        response: request.status ?? 0, body: Array(body), method: request.method ?? "GET",
                        url: request.url ?? "", venue: tape.venues[v], at: t, complete: complete)
                    if !ok { unmatched += 1 }
                }
                if (done + i) % 100_000 == 0 { progress?(done + i) }
            }
        }
    }
}
