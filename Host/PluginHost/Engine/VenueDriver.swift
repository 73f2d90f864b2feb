import DequeModule
import PluginKit

/// Connects venue plugins to the engine. It performs what the plugins ask (requests, stream
/// frames) through an exchange — the in-process scenario, a transport, or a tape — records
/// every message received on the tape, and turns what the plugins report into engine inputs:
/// markets, book updates, gaps (answered with a fresh snapshot). The engine runs one cycle per
/// batch of messages: after every message, or once after a whole drained batch (conflation: a
/// burst is evaluated on its latest books, not message by message). The tape marks a batch's
/// later messages `inner`, so a replay cycles at the same points and decides the same.
public final class VenueDriver {
    /// Answers a request at `now`, or nil when the answer comes later (replay: from the tape).
    public typealias Perform = (_ venue: String, _ request: HTTPRequest, _ now: Nanoseconds) -> HTTPResponse?

    public let engine: Engine
    public private(set) var sessions: [String: VenueSession] = [:]
    let perform: Perform
    let tape: TapeWriter?
    /// A request on its way, with how many times the host has already sent it.
    struct Submission {
        var request: HTTPRequest
        var attempt: Int
        /// When the plugin signed it: a request that waited past `resignAfter` is signed again.
        var signedAt: Nanoseconds
    }
    /// A request whose signature is older than this when its bucket lets it go is signed again
    /// by its plugin (`refresh_request`, ABI 1.3): venues refuse stale signed timestamps (Kalshi's
    /// tolerance is undocumented for REST; FIX allows ±30 s).
    public var resignAfter: Nanoseconds = 10_000_000_000
    /// Requests waiting for an answer, by venue, method and URL, oldest first: an answer finds
    /// its request without a scan of every other one (thousands at a venue's start-up).
    private var outstanding: [OutstandingKey: Deque<Submission>] = [:]
    /// How many requests of each venue wait for an answer.
    private var outstandingCount: [String: Int] = [:]
    struct OutstandingKey: Hashable {
        var venue: String
        var method: String
        var url: String
    }
    /// False in a replay: the tape already holds the live run's pacing, so nothing waits.
    public let pacesRequests: Bool
    /// Token buckets per venue, from the manifests' `[rate_limits]`.
    private var governors: [String: RateGovernor] = [:]
    /// Requests waiting for their bucket (or its backoff), per venue, oldest first.
    private var waiting: [String: WaitingRequests<Submission>] = [:]
    /// Sends of one request at most: a 429 (never processed by the venue) is retried for any
    /// request, a 5xx or a failed transport only for idempotent ones; the last answer goes to the plugin.
    public static let maxAttempts = 4
    public private(set) var requestStats = RequestStats()

    /// What the host's pacing and retries did, for the summary.
    public struct RequestStats: Sendable, Equatable {
        /// Requests that waited for their token bucket or its backoff.
        public var paced = 0
        /// Answers the venue refused with 429.
        public var refused = 0
        /// Requests sent again after a 429, a 5xx or a transport failure.
        public var retried = 0
        /// Failures handed to the plugin after the last attempt.
        public var failed = 0
        /// Requests signed again by their plugin after a long wait.
        public var resigned = 0
    }
    /// Plugin errors by venue (a response the plugin could not parse, a failed call).
    public private(set) var errors: [String] = []
    public private(set) var messages = 0

    /// Opens a venue's stream (the upgrade request's URL and signed headers); false = refused.
    public var streamOpen: ((_ venue: String, _ url: String, _ headers: [HTTPHeader]) -> Bool)?
    /// Sends one text frame on a venue's stream and returns the frames it answers with at once.
    /// Nil in a replay: the answers are on the tape.
    public var streamSend: ((_ venue: String, _ text: String) -> [String])?

    public init(
        engine: Engine, venues: [PluginInstance], tape: TapeWriter? = nil, pacesRequests: Bool = true,
        perform: @escaping Perform
    ) {
        self.engine = engine
        self.perform = perform
        self.tape = tape
        self.pacesRequests = pacesRequests
        for v in venues {
            let session = VenueSession(instance: v)
            let venue = session.venueID
            // A frame's books reach the engine as the plugin reports them (received at the frame's time).
            session.streamBooks = { [unowned self] update, now in apply(update, venue: venue, now: now) }
            let route = Engine.BidRoute(engine: engine, venue: venue)
            bidRoutes.append(route)
            session.streamBids = Unmanaged.passUnretained(route)
            sessions[session.venueID] = session
            governors[session.venueID] = RateGovernor(limits: v.manifest.rateLimits)
        }
        venueIDs = sessions.keys.sorted()
        sessionList = venueIDs.compactMap { sessions[$0] }
        engine.onResync = { [weak self] key in self?.resync(key) }
    }

    /// What the sessions' `streamBids` point to, kept alive here (the sessions do not retain it).
    private var bidRoutes: [Engine.BidRoute] = []

    deinit {
        // A session kept past its driver must not reach the routes freed with it.
        for session in sessions.values {
            session.streamBids = nil
            session.streamBooks = nil
        }
    }

    /// The venues, sorted (fixed at init: the loops of every message must not sort them again).
    public private(set) var venueIDs: [String] = []
    /// The sessions in `venueIDs`' order: a message finds its venue's by comparing a few ids,
    /// where the dictionary would hash the id (three times per stream frame).
    private var sessionList: [VenueSession] = []

    /// The session of the enabled venue plugin that reports `venue`, or nil.
    func venueSession(_ venue: String) -> VenueSession? {
        for session in sessionList where session.venueID == venue { return session }
        return nil
    }

    /// True when an enabled venue plugin reports `venue`.
    public func serves(_ venue: String) -> Bool { venueSession(venue) != nil }

    /// Discovery, then one book snapshot per market, then the streams, venue by venue. When every
    /// venue has its books the engine rescans once; from then on it runs a cycle per batch.
    /// With an exchange that answers at once this all happens inside `start`; in a replay it
    /// happens as the tape's responses arrive, and the engine starts at the same point.
    public func start(now: Nanoseconds) {
        depth += 1
        defer { depth -= 1 }
        for venue in venueIDs {
            guard let session = venueSession(venue) else { continue }
            phase[venue] = .discovering
            discovering += 1
            call(venue, now) { try session.startDiscovery() }
            advance(venue, now: now)
        }
        finishStartup(now: now)
    }

    enum Phase { case discovering, streaming }
    private var phase: [String: Phase] = [:]
    /// How many venues are still discovering: once none is, a message skips `advance`'s lookups.
    private var discovering = 0
    /// True once every venue streams and its first books are in.
    public private(set) var isStarted = false

    /// Discovery done (nothing outstanding): request every book, then open the stream.
    private func advance(_ venue: String, now: Nanoseconds) {
        guard discovering > 0, phase[venue] == .discovering, isIdle(venue), let session = venueSession(venue) else {
            return
        }
        phase[venue] = .streaming
        discovering -= 1
        let ids = marketIDs(of: venue)
        for id in ids { call(venue, now) { try session.requestBook(marketID: id) } }
        call(venue, now) { try session.openStream(marketIDs: ids) }
    }

    /// Nothing of `venue`'s is on its way or waiting for its bucket.
    private func isIdle(_ venue: String) -> Bool {
        outstandingCount[venue, default: 0] == 0 && waiting[venue]?.isEmpty ?? true
    }

    private func finishStartup(now: Nanoseconds) {
        guard !isStarted, phase.values.allSatisfy({ $0 == .streaming }), venueIDs.allSatisfy(isIdle) else { return }
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
            guard !ids.isEmpty, let session = venueSession(venue) else { continue }
            let i = reconcileCursor[venue, default: 0] % ids.count
            reconcileCursor[venue] = i + 1
            call(venue, now) { try session.requestBook(marketID: ids[i]) }
        }
    }

    /// How often the plugins' timers run (`on_timer`: heartbeats such as Polymarket's PING).
    /// Driven by message times, like reconciliation, so a replay runs them at the same points.
    public var timerInterval: Nanoseconds = 1_000_000_000
    private var lastTimers: Nanoseconds = 0

    private func runTimers(now: Nanoseconds) {
        guard isStarted, timerInterval > 0, now - lastTimers >= timerInterval else { return }
        lastTimers = now
        for venue in venueIDs {
            guard let session = venueSession(venue) else { continue }
            call(venue, now) { try session.timer(now: now) }
        }
    }

    /// `complete`: nothing else belongs to this message or its batch (live: the batch's last
    /// message, or ``endBatch()`` follows; replay: the next tape record is not an inner one).
    /// Only then does the engine cycle, or finish starting.
    private func afterMessage(venue: String, now: Nanoseconds, complete: Bool) {
        reconcile(now: now)
        runTimers(now: now)
        releaseReady(now: now)
        advance(venue, now: now)
        flushResyncs(now: now)
        guard complete else {
            // A message of a batch (not one of a pump's, which cycles on its own): the cycle
            // waits for the batch's end, and what is received until then is inner to it.
            if !isPumping { deferredCycle = now }
            return
        }
        deferredCycle = nil
        if isStarted { engine.runCycle(now: now) } else { finishStartup(now: now) }
    }

    /// > 0 while a message is being processed: what is received then is recorded as inner.
    private var depth = 0

    /// One stream frame from `venue`. `complete: false` defers the engine's cycle: a replay passes
    /// it while the next records are inner ones (live, they arrived inside this frame's processing).
    public func receive(frame: [UInt8], venue: String, at now: Nanoseconds, complete: Bool = true) {
        frame.withUnsafeBufferPointer { receive(frame: $0, venue: venue, at: now, complete: complete) }
    }

    /// The same, for a frame the caller holds elsewhere (a replay: the tape record's text),
    /// read only during the call.
    public func receive(
        frame: UnsafeBufferPointer<UInt8>, venue: String, at now: Nanoseconds, complete: Bool = true
    ) {
        guard let session = venueSession(venue) else { return }
        receive(frame: frame, session: session, at: now, complete: complete)
    }

    /// The same, on the session ``venueSession(_:)`` gave (a replay, which asked already whether
    /// the venue is served, finds its session once per frame instead of twice).
    func receive(frame: UnsafeBufferPointer<UInt8>, session: VenueSession, at now: Nanoseconds, complete: Bool) {
        let venue = session.venueID
        message(.frame(frame, venue: venue, at: now), session: session, now: now, complete: complete) {
            do {
                if try session.receiveFrame(frame, receivedAt: now) {
                    drain(session.takeEvents(), venue: venue, now: now)
                }
            } catch {
                errors.append("\(venue): \(error)")
                drain(failedCallEvents(venue), venue: venue, now: now)
            }
        }
    }

    /// One message of `venue`: counted and recorded (`taped`), handled by `body` (what it
    /// receives meanwhile is recorded as inner to it), then the work after every message.
    private func message(
        _ taped: @autoclosure () -> TapeRecord, venue: String, now: Nanoseconds, complete: Bool,
        _ body: (VenueSession) -> Void
    ) {
        guard let session = venueSession(venue) else { return }
        message(taped(), session: session, now: now, complete: complete) { body(session) }
    }

    private func message(
        _ taped: @autoclosure () -> TapeRecord, session: VenueSession, now: Nanoseconds, complete: Bool,
        _ body: () -> Void
    ) {
        let venue = session.venueID
        messages += 1
        record(taped())
        depth += 1
        defer { depth -= 1 }
        body()
        afterMessage(venue: venue, now: now, complete: complete)
    }

    /// Drains a venue's ingest queue into the engine, oldest first: frames as they arrived; an
    /// overflow (frames the queue had to drop) as ``overflow(venue:dropped:at:complete:)``.
    /// The engine cycles once, after the last item (`endBatch: false` leaves that cycle to a
    /// later ``endBatch()``, so one batch can span several venues' queues). Returns how many
    /// items it took. Engine thread; the queue's readers are on any thread.
    @discardableResult
    public func receive(from queue: IngestQueue, limit: Int = .max, endBatch ends: Bool = true) -> Int {
        let items = queue.drain(limit: limit)
        for item in items {
            switch item {
            case .frame(let bytes, let t): receive(frame: bytes, venue: queue.venue, at: t, complete: false)
            case .overflow(let dropped, let t): overflow(venue: queue.venue, dropped: dropped, at: t, complete: false)
            }
        }
        if ends { endBatch() }
        return items.count
    }

    /// Records the plugins that run from now on (at the start and after a manifest change), once
    /// any deferred cycle has run: not a message, so a replay cycles as if it were not there.
    public func recordPlugins(_ pipeline: Pipeline, at now: Nanoseconds) {
        endBatch()
        record(.plugins(PluginFingerprint.of(pipeline), at: now))
    }

    /// Runs the cycle the messages received with `complete: false` deferred, at the time of the
    /// last of them (what a replay does after the batch's last tape record). Nothing when no
    /// cycle is deferred.
    public func endBatch() {
        guard let t = deferredCycle else { return }
        deferredCycle = nil
        if isStarted { engine.runCycle(now: t) } else { finishStartup(now: t) }
    }

    /// The time of the last message whose cycle waits for ``endBatch()``: until then every
    /// message is recorded as inner to the first of the batch.
    private var deferredCycle: Nanoseconds?

    /// `venue`'s ingest queue dropped `dropped` frames: its books can no longer be trusted, so
    /// every quote of it is withheld and every market is resynced from a REST snapshot. Recorded
    /// on the tape, so a replay withholds and resyncs at the same point.
    public func overflow(venue: String, dropped: Int, at now: Nanoseconds, complete: Bool = true) {
        message(.overflow(venue: venue, dropped: dropped, at: now), venue: venue, now: now, complete: complete) { _ in
            engine.reportOverflow(venue: venue, time: now)
        }
    }

    /// A response that arrived later for an outstanding request (replay), matched by method and URL.
    /// Returns false when no outstanding request matches.
    @discardableResult
    public func receive(
        response status: Int32, body: [UInt8], method: String, url: String, venue: String, at now: Nanoseconds,
        complete: Bool = true
    ) -> Bool {
        let key = OutstandingKey(venue: venue, method: method, url: url)
        // The key (its URL) hashed once: found, then popped and removed in place.
        guard venueSession(venue) != nil, let i = outstanding.index(forKey: key),
            let submission = outstanding.values[i].popFirst()
        else { return false }
        if outstanding.values[i].isEmpty { outstanding.remove(at: i) }
        outstandingCount[venue, default: 0] -= 1
        messages += 1
        let response = HTTPResponse(status: status, body: body, receiveTime: now, tag: submission.request.tag)
        record(.response(response, to: submission.request, venue: venue, at: now))
        drain(settle(response, of: submission, venue: venue, now: now), venue: venue, now: now)
        afterMessage(venue: venue, now: now, complete: complete)
        return true
    }

    /// Sends what waited for its bucket, when nothing else arrives to do it (live: the demo loop
    /// calls this between batches). The first answer is recorded as a message of its own and
    /// the rest as inner to it, and the engine cycles once after them, as a replay will.
    public func pump(now: Nanoseconds) {
        endBatch()
        guard pacesRequests, waiting.values.contains(where: { !$0.isEmpty }) else { return }
        pumpRecorded = false
        isPumping = true
        defer { isPumping = false }
        let sent = sendReady(now: now) { venue in afterMessage(venue: venue, now: now, complete: false) }
        guard sent, pumpRecorded else { return }
        if isStarted { engine.runCycle(now: now) } else { finishStartup(now: now) }
    }

    private var isPumping = false
    private var pumpRecorded = false

    /// Sends every waiting request whose bucket now allows it, inside the current message.
    private func releaseReady(now: Nanoseconds) {
        guard pacesRequests else { return }
        sendReady(now: now) { _ in }
    }

    /// Sends every waiting request whose bucket allows it at `now`, venue by venue, and drains
    /// what each answer brings; `afterEach` runs after each one. True when anything went.
    @discardableResult
    private func sendReady(now: Nanoseconds, afterEach: (String) -> Void) -> Bool {
        var sent = false
        for venue in venueIDs {
            while let submission = nextReady(venue, now: now) {
                sent = true
                drain(send(submission, venue: venue, now: now), venue: venue, now: now)
                afterEach(venue)
            }
        }
        return sent
    }

    /// The oldest waiting request of `venue` that may go now, removed from the queue. A request
    /// never overtakes an earlier one of its own bucket.
    private func nextReady(_ venue: String, now: Nanoseconds) -> Submission? {
        guard waiting[venue]?.isEmpty == false else { return nil }
        return waiting[venue]!.popOldest { bucket, head in
            governors[venue]?.delay(bucket: bucket, cost: head.request.rateCost, now: now) ?? 0 == 0
        }
    }

    /// A request the plugin emitted (or a retry): sent now if its bucket allows, else queued.
    private func submit(_ submission: Submission, venue: String, now: Nanoseconds, first: Bool = false)
        -> [VenueEvent]
    {
        if pacesRequests {
            let bucket = submission.request.rateBucket
            let queuedBehind = !first && waiting[venue]?.isWaiting(bucket: bucket) ?? false
            if queuedBehind
                || governors[venue]?.delay(bucket: bucket, cost: submission.request.rateCost, now: now) ?? 0 > 0
            {
                if first {
                    waiting[venue, default: WaitingRequests()].prepend(submission, bucket: bucket)
                } else {
                    waiting[venue, default: WaitingRequests()].append(submission, bucket: bucket)
                }
                requestStats.paced += 1
                return []
            }
        }
        return send(submission, venue: venue, now: now)
    }

    /// Performs one request; returns what the plugin made of the answer (nothing while it is
    /// outstanding or when it is retried).
    private func send(_ submission: Submission, venue: String, now: Nanoseconds) -> [VenueEvent] {
        var submission = submission
        if pacesRequests, now - submission.signedAt > resignAfter { resign(&submission, venue: venue, now: now) }
        let request = submission.request
        if pacesRequests { governors[venue]?.spend(bucket: request.rateBucket, cost: request.rateCost, now: now) }
        guard let response = perform(venue, request, now) else {
            outstanding[OutstandingKey(venue: venue, method: request.method.name, url: request.url), default: []]
                .append(submission)
            outstandingCount[venue, default: 0] += 1
            return []
        }
        record(.response(response, to: request, venue: venue, at: now))
        return settle(response, of: submission, venue: venue, now: now)
    }

    /// Has the plugin sign a request that waited long; keeps it as it was if the plugin cannot.
    private func resign(_ submission: inout Submission, venue: String, now: Nanoseconds) {
        guard let session = venueSession(venue) else { return }
        do {
            for case .request(let fresh) in try session.refreshRequest(tag: submission.request.tag)
            where fresh.tag == submission.request.tag && fresh.url == submission.request.url {
                submission.request = fresh
                submission.signedAt = now
                requestStats.resigned += 1
            }
        } catch {
            errors.append("\(venue): \(error)")
        }
    }

    /// An answer: the bucket learns from it; a refusal the venue cannot have acted on (429), or a
    /// failure of a request that is safe to repeat, is sent again; anything else goes to the plugin.
    private func settle(_ response: HTTPResponse, of submission: Submission, venue: String, now: Nanoseconds)
        -> [VenueEvent]
    {
        let request = submission.request
        let status = response.status
        if status == 429 {
            requestStats.refused += 1
            governors[venue]?.refused(bucket: request.rateBucket, now: now)
        } else if (200..<300).contains(status) {
            governors[venue]?.served(bucket: request.rateBucket)
        }
        let retriable = status == 429 || (request.isIdempotent && (status == 0 || (500...599).contains(status)))
        if retriable, submission.attempt + 1 < Self.maxAttempts {
            requestStats.retried += 1
            if status != 429 {
                // A 5xx or a dropped connection: the same backoff, so a struggling venue gets air.
                governors[venue]?.refused(bucket: request.rateBucket, now: now)
            }
            // First in line again: it was sent before anything now waiting behind it.
            return submit(
                Submission(request: request, attempt: submission.attempt + 1, signedAt: submission.signedAt),
                venue: venue, now: now, first: true)
        }
        if !(200..<300).contains(status) { requestStats.failed += 1 }
        guard let session = venueSession(venue) else { return [] }
        do {
            return try session.handle(response)
        } catch {
            errors.append("\(venue): \(error)")
            return failedCallEvents(venue)
        }
    }

    /// Stale streams: withholds their quotes and reopens them, each venue a message of its own
    /// on the tape (a `stale` record, then what the reopening received, inner to it) with a
    /// cycle after it, so a replay withholds, reopens and cycles at the same points.
    public func checkStreams(now: Nanoseconds) {
        endBatch()
        for venue in engine.silentStreams(now: now) { stale(venue: venue, at: now) }
    }

    /// `venue`'s stream went silent (live: ``checkStreams(now:)``; replay: a `stale` record).
    public func stale(venue: String, at now: Nanoseconds, complete: Bool = true) {
        message(.stale(venue: venue, at: now), venue: venue, now: now, complete: complete) { session in
            engine.markStale(venue: venue)
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
        // Resyncs held back by their market's backoff go first once their time has come.
        if !heldResyncs.isEmpty {
            let held = heldResyncs
            heldResyncs = []
            for key in held {
                if resyncBackoff[key].map({ $0.notBefore > now }) ?? false {
                    heldResyncs.append(key)
                } else if !pendingResyncs.contains(key) {
                    pendingResyncs.append(key)
                }
            }
        }
        while !pendingResyncs.isEmpty {
            let key = pendingResyncs.removeFirst()
            drain(resyncNow(key, now: now), venue: key.venue, now: now)
        }
    }

    /// The book request of a resync, if the market's backoff allows it now (else it is held);
    /// what the plugin emitted, even when its call failed.
    private func resyncNow(_ key: MarketKey, now: Nanoseconds) -> [VenueEvent] {
        guard let session = venueSession(key.venue), mayResync(key, now: now) else { return [] }
        do {
            return try session.requestBook(marketID: key.marketID)
        } catch {
            errors.append("\(key.venue): \(error)")
            return failedCallEvents(key.venue)
        }
    }

    /// Per market: when the next resync may go, and how many went since its last snapshot.
    private var resyncBackoff: [MarketKey: (notBefore: Nanoseconds, count: Int)] = [:]
    /// Resyncs waiting for their market's backoff, flushed by a later message.
    private var heldResyncs: [MarketKey] = []
    /// The first resync of a market goes at once; until a snapshot arrives, each further one
    /// waits 1 s, 2 s, 4 s … up to 60 s, so a market whose book keeps failing (or a feed that
    /// keeps gapping) cannot turn into a request storm.
    public static let longestResyncBackoff: Nanoseconds = 60_000_000_000

    /// True when `key` may be resynced now (and counts it); otherwise holds it for later.
    private func mayResync(_ key: MarketKey, now: Nanoseconds) -> Bool {
        let state = resyncBackoff[key] ?? (notBefore: now, count: 0)
        guard state.notBefore <= now else {
            if !heldResyncs.contains(key) { heldResyncs.append(key) }
            return false
        }
        let wait = min(Nanoseconds(1_000_000_000) << min(state.count, 6), Self.longestResyncBackoff)
        resyncBackoff[key] = (notBefore: now + wait, count: state.count + 1)
        return true
    }
    private var announced: [String: [String]] = [:]

    /// The markets `venue` announced, in the order it announced them.
    public func marketIDs(of venue: String) -> [String] { announced[venue] ?? [] }

    private func call(_ venue: String, _ now: Nanoseconds, _ body: () throws -> [VenueEvent]) {
        do {
            drain(try body(), venue: venue, now: now)
        } catch {
            errors.append("\(venue): \(error)")
            drain(failedCallEvents(venue), venue: venue, now: now)
        }
    }

    /// What a failed plugin call reported before failing: still to be acted on.
    private func failedCallEvents(_ venue: String) -> [VenueEvent] {
        venueSession(venue)?.takeEventsOfFailedCall() ?? []
    }

    private func drain(_ events: [VenueEvent], venue: String, now: Nanoseconds) {
        // Most stream frames leave nothing here (their books went straight to the engine).
        guard !events.isEmpty, let session = venueSession(venue) else { return }
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
                queue.append(
                    contentsOf: submit(Submission(request: request, attempt: 0, signedAt: now), venue: venue, now: now))
            case .rateLimit(let bucket, let remaining, _):
                governors[venue]?.observe(bucket: bucket, remaining: remaining, now: now)
            case .book(let update):
                apply(update, venue: venue, now: now)
            case .gap(let marketID, _):
                engine.reportGap(venue: venue, marketID: marketID, time: now)
                queue.append(contentsOf: resyncNow(MarketKey(venue: venue, marketID: marketID), now: now))
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
                        queue.append(contentsOf: failedCallEvents(venue))
                    }
                }
            case .order, .fill, .balance, .position:
                // Paper mode places no orders.
                break
            }
        }
    }

    /// A book update of `venue`'s, received at `now`: from a drained event, or straight from
    /// the plugin's sink while it parses a frame.
    private func apply(_ update: BookUpdate, venue: String, now: Nanoseconds) {
        if update.kind == .snapshot {
            // A snapshot is what any resync of this market was for: its backoff and any held
            // resync go.
            let key = MarketKey(venue: venue, marketID: update.marketID)
            if resyncBackoff.removeValue(forKey: key) != nil { heldResyncs.removeAll { $0 == key } }
        }
        engine.apply(update, venue: venue, receivedAt: now)
    }

    /// The record is made only when there is a tape: a frame's would copy it into a String.
    private func record(_ r: @autoclosure () -> TapeRecord) {
        let inner = depth > 0 || (isPumping && pumpRecorded) || deferredCycle != nil
        if isPumping { pumpRecorded = true }
        guard let tape else { return }
        var r = r()
        if inner { r.inner = true }
        do { try tape.append(r) } catch { errors.append("tape: \(error)") }
    }
}
