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

    /// The same, over a tape read with ``Tape/read(path:)``: what `arb replay` runs.
    public static func run(
        tape: Tape, manager: PluginManager, universe: Universe? = nil, options: Engine.Options = Engine.Options(),
        progress: ((Int, Int) -> Void)? = nil
    ) throws -> Result {
        var groups = universe
        if groups == nil, let header = tape.kinds.firstIndex(of: .universe) {
            groups = Universe(
                groups: try RulesFile.load(data: Data(tape.bodyString(header).utf8), file: "tape universe header"))
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
        let started = ContinuousClock.now
        let first = tape.kinds.firstIndex { $0.isMessage }.map { tape.times[$0] } ?? 0
        driver.start(now: first)
        var unmatched = 0
        var unknown = 0
        var recordedPlugins: [[PluginFingerprint]] = []
        // Each venue's session found once, not per record: a record names its venue by index.
        // Held unretained (the driver keeps its sessions): taking one out of an array of
        // references retained and released it per record, 1.1% of a replay's perf samples.
        let sessions = tape.venues.map { driver.venueSession($0).map(Unmanaged.passUnretained) }
        tape.bodies.withUnsafeBufferPointer { bodies in
            for i in 0..<tape.count {
                // Live, inner records arrived inside the previous message's processing or in its
                // batch, before its cycle: the cycle waits until the last of them.
                let complete = i + 1 == tape.count || tape.inner[i + 1] != true
                let (type, t, v) = (tape.kinds[i], tape.times[i], Int(tape.venueOf[i]))
                let session = type.isMessage ? sessions[v] : nil
                if type.isMessage, session == nil {
                    unknown += 1
                    continue
                }
                let body = UnsafeBufferPointer(rebasing: bodies[tape.bodyStart(i)..<tape.bodyEnds[i]])
                switch type {
                case .universe:
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
                if i % 100_000 == 0 { progress?(i, tape.count) }
            }
        }
        let elapsed = ContinuousClock.now - started
        var result = Result(
            decisions: decisions, summary: engine.summary, abRecords: abRecords, records: tape.count,
            unmatchedResponses: unmatched, unknownVenueRecords: unknown, errors: driver.errors,
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        if let first = recordedPlugins.first {
            result.pluginDifferences = PluginFingerprint.differences(
                recorded: first, current: PluginFingerprint.of(manager.pipeline))
        }
        result.pluginChanges = zip(recordedPlugins, recordedPlugins.dropFirst()).filter { $0 != $1 }.count
        return result
    }
}
