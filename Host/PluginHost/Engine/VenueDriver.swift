import PluginKit

/// Connects venue plugins to the engine. It performs what the plugins ask (requests, stream
/// frames) through an exchange — the in-process scenario, a transport, or a tape — records
/// every message received on the tape, and turns what the plugins report into engine inputs:
/// markets, book updates, gaps (answered with a fresh snapshot). After every message the
/// engine runs one cycle, so a live run and its replay decide at the same points.
public final class VenueDriver {
    /// Answers a request at `now`, or nil when the answer comes later (replay: from the tape).
    public typealias Perform = (_ venue: String, _ request: HTTPRequest, _ now: Nanoseconds) -> HTTPResponse?

    public let engine: Engine
    public private(set) var sessions: [String: VenueSession] = [:]
    let perform: Perform
    let tape: TapeWriter?
    /// Requests waiting for an answer, per venue, in order.
    private var outstanding: [String: [HTTPRequest]] = [:]
    /// Plugin errors by venue (a response the plugin could not parse, a failed call).
    public private(set) var errors: [String] = []
    public private(set) var messages = 0

    /// Opens a venue's stream (the upgrade request's URL and signed headers); false = refused.
    public var streamOpen: ((_ venue: String, _ url: String, _ headers: [HTTPHeader]) -> Bool)?
    /// Sends one text frame on a venue's stream and returns the frames it answers with at once.
    /// Nil in a replay: the answers are on the tape.
    public var streamSend: ((_ venue: String, _ text: String) -> [String])?

    public init(engine: Engine, venues: [PluginInstance], tape: TapeWriter? = nil, perform: @escaping Perform) {
        self.engine = engine
        self.perform = perform
        self.tape = tape
        for v in venues {
            let session = VenueSession(instance: v)
            sessions[session.venueID] = session
        }
        engine.onResync = { [weak self] key in self?.resync(key) }
    }

    public var venueIDs: [String] { sessions.keys.sorted() }

    /// Discovery, then one book snapshot per market, then the streams, venue by venue. When every
    /// venue has its books the engine rescans once; from then on it runs a cycle per message.
    /// With an exchange that answers at once this all happens inside `start`; in a replay it
    /// happens as the tape's responses arrive, and the engine starts at the same point.
    public func start(now: Nanoseconds) {
        depth += 1
        defer { depth -= 1 }
        for venue in venueIDs {
            guard let session = sessions[venue] else { continue }
            phase[venue] = .discovering
            call(venue, now) { try session.startDiscovery() }
            advance(venue, now: now)
        }
        finishStartup(now: now)
    }

    enum Phase { case discovering, streaming }
    private var phase: [String: Phase] = [:]
    /// True once every venue streams and its first books are in.
    public private(set) var isStarted = false

    /// Discovery done (nothing outstanding): request every book, then open the stream.
    private func advance(_ venue: String, now: Nanoseconds) {
        guard phase[venue] == .discovering, outstanding[venue, default: []].isEmpty, let session = sessions[venue]
        else { return }
        phase[venue] = .streaming
        let ids = marketIDs(of: venue)
        for id in ids { call(venue, now) { try session.requestBook(marketID: id) } }
        call(venue, now) { try session.openStream(marketIDs: ids) }
    }

    private func finishStartup(now: Nanoseconds) {
        guard !isStarted, phase.values.allSatisfy({ $0 == .streaming }),
            outstanding.values.allSatisfy(\.isEmpty)
        else { return }
        isStarted = true
        flushResyncs(now: now)
        engine.rescan(now: now)
    }

    /// One market per venue per interval gets a REST snapshot, round robin, and the engine
    /// compares it with the book it built from the stream (a mismatch is counted; the snapshot
    /// wins). Driven by message times, so a replay reconciles at the same points. 0 turns it off.
    public var reconcileInterval: Nanoseconds = 1_000_000_000
    private var lastReconcile: Nanoseconds = 0
    private var reconcileCursor: [String: Int] = [:]

    private func reconcile(now: Nanoseconds) {
        guard isStarted, reconcileInterval > 0, now - lastReconcile >= reconcileInterval else { return }
        if lastReconcile == 0 {
            lastReconcile = now
            return
        }
        lastReconcile = now
        for venue in venueIDs {
            let ids = marketIDs(of: venue)
            guard !ids.isEmpty, let session = sessions[venue] else { continue }
            let i = reconcileCursor[venue, default: 0] % ids.count
            reconcileCursor[venue] = i + 1
            call(venue, now) { try session.requestBook(marketID: ids[i]) }
        }
    }

    /// `complete`: nothing else belongs to this message (live: always; replay: the next tape
    /// record is not an inner one). Only then does the engine cycle, or finish starting.
    private func afterMessage(venue: String, now: Nanoseconds, complete: Bool) {
        reconcile(now: now)
        advance(venue, now: now)
        flushResyncs(now: now)
        guard complete else { return }
        if isStarted { engine.runCycle(now: now) } else { finishStartup(now: now) }
    }

    /// > 0 while a message is being processed: what is received then is recorded as inner.
    private var depth = 0

    /// One stream frame from `venue`. `complete: false` defers the engine's cycle: a replay passes
    /// it while the next records are inner ones (live, they arrived inside this frame's processing).
    public func receive(frame: [UInt8], venue: String, at now: Nanoseconds, complete: Bool = true) {
        guard let session = sessions[venue] else { return }
        messages += 1
        record(.frame(frame, venue: venue, at: now))
        depth += 1
        defer { depth -= 1 }
        call(venue, now) { try session.handleFrame(frame, receivedAt: now) }
        afterMessage(venue: venue, now: now, complete: complete)
    }

    /// A response that arrived later for an outstanding request (replay), matched by method and URL.
    /// Returns false when no outstanding request matches.
    @discardableResult
    public func receive(
        response status: Int32, body: [UInt8], method: String, url: String, venue: String, at now: Nanoseconds,
        complete: Bool = true
    ) -> Bool {
        guard let session = sessions[venue],
            let index = outstanding[venue]?.firstIndex(where: { $0.method.name == method && $0.url == url }),
            let request = outstanding[venue]?.remove(at: index)
        else { return false }
        messages += 1
        deliver(HTTPResponse(status: status, body: body, receiveTime: now, tag: request.tag), to: request, session, now)
        afterMessage(venue: venue, now: now, complete: complete)
        return true
    }

    /// Stale streams: withholds their quotes and reopens them.
    public func checkStreams(now: Nanoseconds) {
        for venue in engine.checkStreams(now: now) {
            guard let session = sessions[venue] else { continue }
            let ids = marketIDs(of: venue)
            call(venue, now) { try session.openStream(marketIDs: ids) }
        }
    }

    /// The engine asks mid-update; the snapshot request goes out once the current message is done.
    func resync(_ key: MarketKey) {
        if !pendingResyncs.contains(key) { pendingResyncs.append(key) }
    }

    private var pendingResyncs: [MarketKey] = []

    private func flushResyncs(now: Nanoseconds) {
        while !pendingResyncs.isEmpty {
            let key = pendingResyncs.removeFirst()
            guard let session = sessions[key.venue] else { continue }
            call(key.venue, now) { try session.requestBook(marketID: key.marketID) }
        }
    }
    private var announced: [String: [String]] = [:]

    func marketIDs(of venue: String) -> [String] { announced[venue] ?? [] }

    private func call(_ venue: String, _ now: Nanoseconds, _ body: () throws -> [VenueEvent]) {
        do {
            drain(try body(), venue: venue, now: now)
        } catch {
            errors.append("\(venue): \(error)")
        }
    }

    private func drain(_ events: [VenueEvent], venue: String, now: Nanoseconds) {
        guard let session = sessions[venue] else { return }
        var queue = events[...]
        while let event = queue.popFirst() {
            switch event {
            case .market(let m):
                if engine.market(MarketKey(venue: venue, marketID: m.marketID)) == nil {
                    announced[venue, default: []].append(m.marketID)
                }
                var market = m
                market.venue = venue
                engine.upsert(market)
            case .request(let request):
                if let response = perform(venue, request, now) {
                    record(.response(response, to: request, venue: venue, at: now))
                    do {
                        queue.append(contentsOf: try session.handle(response))
                    } catch {
                        errors.append("\(venue): \(error)")
                    }
                } else {
                    outstanding[venue, default: []].append(request)
                }
            case .book(let update):
                engine.apply(update, venue: venue, receivedAt: now)
            case .gap(let marketID, _):
                engine.reportGap(venue: venue, marketID: marketID, time: now)
                do {
                    queue.append(contentsOf: try session.requestBook(marketID: marketID))
                } catch {
                    errors.append("\(venue): \(error)")
                }
            case .streamOpen(let url, let headers):
                if let streamOpen, !streamOpen(venue, url, headers) {
                    errors.append("\(venue): the stream at \(url) refused the connection")
                }
            case .streamSend(let text):
                // What the venue answers (acks, snapshots) arrives as frames, recorded like any other.
                for frame in streamSend?(venue, text) ?? [] {
                    messages += 1
                    let bytes = Array(frame.utf8)
                    record(.frame(bytes, venue: venue, at: now))
                    do {
                        queue.append(contentsOf: try session.handleFrame(bytes, receivedAt: now))
                    } catch {
                        errors.append("\(venue): \(error)")
                    }
                }
            case .order, .fill, .balance, .position:
                // Paper mode places no orders.
                break
            }
        }
    }

    private func deliver(_ response: HTTPResponse, to request: HTTPRequest, _ session: VenueSession, _ now: Nanoseconds)
    {
        record(.response(response, to: request, venue: session.venueID, at: now))
        call(session.venueID, now) { try session.handle(response) }
    }

    private func record(_ r: TapeRecord) {
        guard let tape else { return }
        var r = r
        if depth > 0 { r.inner = true }
        do { try tape.append(r) } catch { errors.append("tape: \(error)") }
    }
}
