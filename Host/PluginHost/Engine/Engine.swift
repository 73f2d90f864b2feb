import CArbPluginAPI
import PluginKit

/// The engine loop: books in, decisions out (ARCHITECTURE.md, data flow).
///
/// A book update passes the quote firewall, lands in its market's book and marks every group
/// containing the market dirty (one index lookup). ``runCycle(now:)`` evaluates only dirty
/// groups: each lane that takes the group's kind sees a snapshot of its members' quotes; every
/// basket found is deduplicated by its legs, alarms are counted but never traded, and the rest
/// go through the sizing chain (arm A live, arm B shadow) and, in paper mode, the paper
/// executor. ``rescan(now:)`` marks everything dirty (start-up, after reconciliation).
///
/// Single-threaded by design: the engine thread owns it. Time comes in as arguments, never
/// from a clock, so a replay of the same tape decides the same things.
public final class Engine {
    public struct Options: Sendable {
        /// Paper account equity at the start.
        public var equity: MicroDollars = 10_000 * FixedPoint.micros
        /// A venue's stream silent this long has its quotes withheld (stale-stream).
        public var staleAfter: Nanoseconds = 30_000_000_000
        /// One paper execution per basket per this window (idempotency of the same sighting).
        public var executionCooldown: Nanoseconds = 5_000_000_000
        /// Execute accepted plans on paper. Off: plan only.
        public var paper = true
        public var firewall = QuoteFirewall.Settings()
        /// Copy arm A's sizing trace into each plan decision (`arb scan`).
        public var traceInDecisions = false
        public init() {}
    }

    public struct Summary: Sendable {
        public var markets = 0
        public var updates = 0
        public var cycles = 0
        public var groupsEvaluated = 0
        public var opportunities: [String: Int] = [:]
        public var alarms = 0
        /// The same basket reported twice in one cycle (two lanes, or both directions of one rule).
        public var duplicates = 0
        /// Accepted plans not executed again within the execution cooldown (idempotency).
        public var cooldownSkips = 0
        public var plansA = 0
        public var plansB = 0
        public var rejectedBy: [String: Int] = [:]
        public var paperExecutions = 0
        public var paperBaskets: CentiContracts = 0
        public var incomplete = 0
        public var pnl: MicroDollars = 0
        public var pluginErrors = 0
        /// Decisions or fills the store could not write (the engine goes on; the count says so).
        public var storeErrors = 0
        public var dataQuality = DataQualityCounters()
    }

    public let manager: PluginManager
    public private(set) var universe: Universe
    public let options: Options
    public private(set) var summary = Summary()
    /// Every decision, in order (tape replays compare these).
    public var onDecision: ((Decision) -> Void)?
    /// Asked to fetch a fresh snapshot of a market (crossed book, gap).
    public var onResync: ((MarketKey) -> Void)?
    /// Both arms' plans, when arm B exists.
    public var recorder: ABRecorder?
    /// Where decisions and paper fills are kept (SQLite); nil keeps them in memory only.
    public var store: ArbStore?
    /// Also receives every A/B record (replays compare the arms in memory).
    public var onABRecord: ((ABRecord) -> Void)?
    /// Receives the first `plansToShow` plans with their sizing trace.
    public var planPrinter: ((String) -> Void)?
    public var plansToShow = 0

    private var records: [MarketRecord?] = []
    /// Per market; meaningful once its state's `bookSequence` is not `.max`. Not optional, so the
    /// hot path reads a book in place instead of copying it out of an `Optional` (eight retains a copy).
    private let books = DenseTable<BinaryBook>()
    /// Per market, what every update reads and writes, in one record instead of six arrays.
    private let states = DenseTable<MarketState>()
    /// Every market's own C quote, for the lanes of kind `single`.
    private let singleTable = SingleMarketTable()
    /// A market's group as an object, made only when a lane finds something in it (the sizing
    /// chain and the decision read it).
    private var singles: [GroupSnapshot?] = []
    private var dirtySingles: [Int] = []
    /// Per group, its snapshot; none while no lane evaluates its kind.
    private var snapshots: [GroupSnapshot?]
    /// The same snapshots unretained, for the cycle: the array above owns them. Taken out of the
    /// array, a snapshot was retained per evaluation (perf: 1.6-2.2% of a replay's samples).
    /// Written only by ``setSnapshot(_:at:)``, which nothing a cycle calls reaches (only a market's
    /// announcement, between cycles, and the cycle's loop before it evaluates the group), so a
    /// snapshot is never released while a lane reads it.
    private let snapshotRefs = DenseTable<Unmanaged<GroupSnapshot>?>()
    /// Each group's kind, apart from its rule: the cycle reads it without copying the rule.
    private var groupKinds: [GroupKind]
    /// Per group, which members changed since its last evaluation: bit `i` for member `i`, bit 63
    /// for any member from 63 on. Non-zero = the group waits in `dirtyGroups`. A cycle rewrites
    /// only these members' C quotes, so an update reads one member's state, not every member's.
    private let groupDirty = DenseTable<UInt64>()
    /// Per group, how many of its members no venue has announced yet: evaluated at 0.
    private var unknownMembers: [Int32]
    /// The universe's memberships packed for `markDirty`, once at start-up: market `id`'s places
    /// are `places[placeStart[id]..<placeStart[id + 1]]`, read in place, with no per-market array
    /// to retain on every update (perf: `markDirty` 4.6% → 1.9% of the pipeline benchmark's samples).
    private var placeStart: [Int32] = [0]
    private var places: [Universe.Membership] = []
    /// The universe's groups' members packed the same way, once at start-up: group `g`'s market
    /// ids are `groupMembers[memberStart[g]..<memberStart[g + 1]]`, read in place. Taken out of
    /// the universe, a group's array was retained per evaluation: an atomic write to a cold
    /// header, which waits for the cycle's stores to drain (perf: 0.7-1.1% of a replay's samples).
    private let groupMembers = DenseTable<Int>()
    private let memberStart = DenseTable<Int>()
    private var dirtyGroups: [Int32] = []
    /// Venues by slot (a handful, found by a linear search of short strings) with the time of
    /// each one's last message, and every market by (slot, id) in one table: an update's lookup
    /// hashes its market id alone (word by word, see ``MarketIDTable``) and writes its venue's
    /// time without hashing.
    private var venueSlots: [String] = []
    private var marketIDs = MarketIDTable()
    /// Receive time of each venue's last message; `.min` = none yet.
    private var lastMessage: [Nanoseconds] = []
    private var staleVenues: Set<String> = []
    private var lastExecution: [String: Nanoseconds] = [:]
    private var firewall: QuoteFirewall
    private var laneStatistics: [String: LaneRecord] = [:]
    private var exposure: [String: MicroDollars] = [:]
    private var plansShown = 0
    /// The cycle's lanes by group kind, rebuilt when the pipeline switches: the lanes of `kind`
    /// are `laneList[laneRanges[kind]]`, flat so a group reads them without retaining an inner
    /// array, and unretained (`Unmanaged`) so a lane call retains nothing: `lanesPipeline` holds
    /// them. (As arrays of references they cost two atomic retain/release pairs per group and
    /// one per single market; callgrind, batched replay.)
    private var laneList: [Unmanaged<PluginInstance>] = []
    private var laneRanges: [Range<Int>] = []
    private var lanesPipeline: Pipeline?
    private var lanesGeneration = -1

    /// A market's hot state beside its book: its book's sequence (`.max` = no book yet), when it
    /// last changed, its tick, whether a venue announced it, what withholds its quote, and whether
    /// it waits in `dirtySingles`.
    struct MarketState {
        var bookSequence: UInt64 = .max
        var receiveTime: Nanoseconds = 0
        var tick: MicroDollars = 10_000
        var isKnown = false
        var isSingleDirty = false
        var quarantine: QuoteRejection?
        /// The venue's slot and the id's ``IDHash``: what a plugin's market handle is checked
        /// against (see ``market(handle:venueSlot:id:)``).
        var venueSlot: Int32 = -1
        var idHash: UInt64 = 0
    }

    struct LaneRecord {
        var baskets: Int64 = 0
        var wins: Int64 = 0
        var losses: Int64 = 0
        var pnl: MicroDollars = 0
        /// Sums of per-basket returns (ppm) and their squares, for mean and deviation.
        var returnSum: Double = 0
        var returnSquares: Double = 0
    }

    public init(manager: PluginManager, universe: Universe, options: Options = Options()) {
        self.manager = manager
        self.universe = universe
        self.options = options
        firewall = QuoteFirewall(settings: options.firewall)
        snapshots = Array(repeating: nil, count: universe.groups.count)
        snapshotRefs.append(nil, count: universe.groups.count)
        groupDirty.append(0, count: universe.groups.count)
        groupKinds = universe.groups.map(\.kind)
        unknownMembers = universe.marketsOfGroup.map { Int32($0.count) }
        memberStart.append(0, count: 1)
        for members in universe.marketsOfGroup {
            for id in members { groupMembers.append(id, count: 1) }
            memberStart.append(groupMembers.count, count: 1)
        }
        for id in universe.marketKeys.indices {
            places += universe.memberships(ofMarket: id)
            placeStart.append(Int32(places.count))
        }
        for (id, key) in universe.marketKeys.enumerated() {
            marketIDs.insert(venue: venueSlot(key.venue), id: key.marketID, market: id)
        }
        grow()
    }

    private func grow() {
        let n = universe.marketKeys.count
        guard records.count < n else { return }
        let extra = n - records.count
        records += repeatElement(nil, count: extra)
        books.append(BinaryBook(), count: extra)
        states.append(MarketState(), count: extra)
        // Markets first seen after start-up belong to no group.
        placeStart += repeatElement(Int32(places.count), count: n + 1 - placeStart.count)
        singles += repeatElement(nil, count: extra)
        singleTable.grow(to: n)
    }

    // MARK: Inputs

    /// A market a venue announced (or re-announced with new terms).
    public func upsert(_ market: MarketRecord) {
        let id = universe.intern(MarketKey(venue: market.venue, marketID: market.marketID))
        let slot = venueSlot(market.venue)
        marketIDs.insert(venue: slot, id: market.marketID, market: id)
        grow()
        if records[id] == nil {
            summary.markets += 1
            for m in universe.memberships(ofMarket: id) { unknownMembers[Int(m.group)] -= 1 }
        }
        guard records[id] != market else { return }
        records[id] = market
        states[id].isKnown = true
        states[id].venueSlot = Int32(slot)
        states[id].idHash = MarketIDTable.hash(market.marketID)
        singleTable.setMarket(market, at: id)
        books[id].pairPrice = market.pairPrice
        states[id].tick = market.tick
        // Snapshots hold market metadata: rebuild the ones that contain it.
        singles[id] = nil
        for m in universe.memberships(ofMarket: id) { setSnapshot(nil, at: Int(m.group)) }
    }

    public func market(_ key: MarketKey) -> MarketRecord? { universe.marketID(key).flatMap { records[$0] } }

    public func book(_ key: MarketKey) -> BinaryBook? {
        universe.marketID(key).flatMap { states[$0].bookSequence == .max ? nil : books[$0] }
    }

    /// One book snapshot or delta from a venue, received at `receivedAt`.
    public func apply(_ update: BookUpdate, venue: String, receivedAt: Nanoseconds) {
        guard
            let id = arrive(
                slot: venueSlot(venue), at: receivedAt, find: { marketIDs.find(venue: $0, id: update.marketID) })
        else { return }
        if let rejection = firewall.checkLevels(update, tick: states[id].tick) {
            let key = universe.marketKeys[id]
            reject(id, key, rejection, time: receivedAt)
            if update.kind == .delta { onResync?(key) }
            return
        }
        if update.kind == .snapshot, books[id].sequence > 0, !Self.matches(books[id], update) {
            summary.dataQuality.count(.reconcileMismatch)
        }
        // Mutated in place: copying the book out and back would copy its ladders on every update.
        books[id].apply(update)
        if update.kind == .snapshot { firewall.reset(market: id) }
        afterApply(id, isSnapshot: update.kind == .snapshot, receivedAt: receivedAt)
    }

    /// One changed bid level from a venue's stream: the same as ``apply(_:venue:receivedAt:)``
    /// with a delta holding that level alone, without building one. `venueSlot` is
    /// ``venueSlot(_:)`` of the venue.
    func apply(_ change: BidChange, venueSlot: Int, receivedAt: Nanoseconds) {
        guard
            let id = arrive(
                slot: venueSlot, at: receivedAt,
                find: {
                    // The plugin's handle when it names this market, else the lookup by id. A
                    // miss looks again by the id as a String, which the `BookUpdate` way would
                    // make: the same answer even for bytes that are not valid UTF-8.
                    market(handle: change.hostMarket, venueSlot: $0, id: change.marketID)
                        ?? marketIDs.find(venue: $0, id: change.marketID)
                        ?? marketIDs.find(venue: $0, id: String(decoding: change.marketID, as: UTF8.self))
                })
        else { return }
        if let rejection = QuoteFirewall.checkLevel(change.level, tick: states[id].tick) {
            let key = universe.marketKeys[id]
            reject(id, key, rejection, time: receivedAt)
            onResync?(key)
            return
        }
        books[id].apply(change)
        afterApply(id, isSnapshot: false, receivedAt: receivedAt)
    }

    /// The market a plugin's handle (`host_market`, ABI 1.4) names, when it is a known market of
    /// venue `v` whose id hashes as `id` does: no table lookup, no cold id bytes compared. A
    /// handle that fails the check (a plugin's bug, or one kept from another engine) is
    /// ignored and the id looked up as before. The check is the id's 64-bit hash, not its
    /// bytes: a wrong handle must name a market of the same venue with the same hash to pass.
    @inline(__always)
    private func market(handle: UInt32, venueSlot v: Int, id: UnsafeBufferPointer<UInt8>) -> Int? {
        let market = Int(handle) &- 1
        guard handle > 0, market < states.count, states[market].isKnown, Int(states[market].venueSlot) == v,
            states[market].idHash == MarketIDTable.hash(id)
        else { return nil }
        return market
    }

    /// The handle a plugin may keep for market `id` of venue `v` (`arb_venue_sink.market_handle`):
    /// its index + 1, or 0 while the engine does not know the market.
    func marketHandle(venueSlot v: Int, id: UnsafeBufferPointer<UInt8>) -> UInt32 {
        guard let market = marketIDs.find(venue: v, id: id), states[market].isKnown else { return 0 }
        return UInt32(market + 1)
    }

    /// Where a venue session hands its stream's bid changes: straight to the engine, with the
    /// venue's slot found once (not its name compared per change). Holds the engine unretained:
    /// the venue driver that makes it owns both and outlives the calls.
    final class BidRoute: BidChangeReceiver {
        private let engine: Unmanaged<Engine>
        private let venueSlot: Int

        init(engine: Engine, venue: String) {
            self.engine = Unmanaged.passUnretained(engine)
            venueSlot = engine.venueSlot(venue)
        }

        override func receive(_ change: BidChange, at time: Nanoseconds) {
            engine._withUnsafeGuaranteedRef { $0.apply(change, venueSlot: venueSlot, receivedAt: time) }
        }

        override func marketHandle(_ id: UnsafeBufferPointer<UInt8>) -> UInt32 {
            engine._withUnsafeGuaranteedRef { $0.marketHandle(venueSlot: venueSlot, id: id) }
        }
    }

    /// What every update does first: counted, its venue marked live (and no longer stale), and
    /// its market found by `find` (given the venue's slot). Nil, counted, for an unknown market.
    @inline(__always)
    private func arrive(slot v: Int, at receivedAt: Nanoseconds, find: (Int) -> Int?) -> Int? {
        summary.updates += 1
        lastMessage[v] = receivedAt
        if !staleVenues.isEmpty, staleVenues.remove(venueSlots[v]) != nil { markVenueDirty(venueSlots[v]) }
        guard let id = find(v), states[id].isKnown else {
            summary.dataQuality.count(.unknownMarket)
            return nil
        }
        return id
    }

    /// What every applied update does last: the market's state follows its book, and the book
    /// passes the firewall or the market is withheld; either way its groups are dirty.
    @inline(__always)
    private func afterApply(_ id: Int, isSnapshot: Bool, receivedAt: Nanoseconds) {
        states[id].bookSequence = books[id].sequence
        states[id].receiveTime = receivedAt
        let gapPending = states[id].quarantine == .sequenceGap && !isSnapshot
        if let rejection = firewall.checkBook(&books[id], market: id) {
            let key = universe.marketKeys[id]
            reject(id, key, rejection, time: receivedAt)
            // A crossed book built from deltas may be a missed delta: fetch a snapshot. A crossed
            // snapshot is the venue's own state; asking again would only loop.
            if rejection == .crossed || rejection == .locked, !isSnapshot { onResync?(key) }
        } else if !gapPending {
            states[id].quarantine = nil
        }
        markDirty(id)
    }

    /// The venue reported a sequence gap on a market: its quote is withheld until a snapshot.
    public func reportGap(venue: String, marketID: String, time: Nanoseconds) {
        let key = MarketKey(venue: venue, marketID: marketID)
        guard let id = universe.marketID(key) else { return }
        reject(id, key, .sequenceGap, time: time)
    }

    /// The venues whose stream has been silent longer than `staleAfter` and that are not yet
    /// withheld, sorted. The caller withholds each with ``markStale(venue:)`` and resubscribes it.
    public func silentStreams(now: Nanoseconds) -> [String] {
        zip(venueSlots, lastMessage).filter { venue, last in
            last != .min && now - last > options.staleAfter && !staleVenues.contains(venue)
        }
        .map(\.0).sorted()
    }

    /// Withholds every quote of `venue` until its next message (a stream found silent, live or
    /// on a tape's `stale` record). Counted once per silence.
    public func markStale(venue: String) {
        guard staleVenues.insert(venue).inserted else { return }
        summary.dataQuality.count(.staleStream)
        markVenueDirty(venue)
    }

    /// The venue's ingest queue overflowed: every market of it waits for a snapshot.
    public func reportOverflow(venue: String, time: Nanoseconds) {
        summary.dataQuality.count(.overflow)
        for (id, key) in universe.marketKeys.enumerated() where key.venue == venue && records[id] != nil {
            states[id].quarantine = .sequenceGap
            markDirty(id)
            onResync?(key)
        }
    }

    private func reject(_ id: Int, _ key: MarketKey, _ reason: QuoteRejection, time: Nanoseconds) {
        summary.dataQuality.count(reason)
        states[id].quarantine = reason
        markDirty(id)
        var d = Decision(kind: .quarantine, time: time)
        d.legs = [key.description]
        d.reason = reason.rawValue
        publish(d)
    }

    /// Hands a decision to the listener and the store.
    private func publish(_ d: Decision) {
        onDecision?(d)
        if let store {
            do { try store.record(d) } catch { summary.storeErrors += 1 }
        }
    }

    /// The venue's slot, made on first sight.
    func venueSlot(_ venue: String) -> Int {
        for (i, name) in venueSlots.enumerated() where name == venue { return i }
        venueSlots.append(venue)
        lastMessage.append(.min)
        return venueSlots.count - 1
    }

    private func markDirty(_ id: Int) {
        if !states[id].isSingleDirty {
            states[id].isSingleDirty = true
            dirtySingles.append(id)
        }
        for p in Int(placeStart[id])..<Int(placeStart[id + 1]) {
            let m = places[p]
            let g = Int(m.group)
            if groupDirty[g] == 0 { dirtyGroups.append(m.group) }
            groupDirty[g] |= 1 << UInt64(min(m.member, 63))
        }
    }

    private func markVenueDirty(_ venue: String) {
        for (id, key) in universe.marketKeys.enumerated() where key.venue == venue { markDirty(id) }
    }

    /// Marks every group dirty and evaluates them all (start-up, after reconciliation).
    public func rescan(now: Nanoseconds) {
        for id in 0..<records.count where states[id].isKnown { markDirty(id) }
        runCycle(now: now)
    }

    public var hasDirtyGroups: Bool { !dirtyGroups.isEmpty || !dirtySingles.isEmpty }

    // MARK: The cycle

    /// Evaluates every dirty group once.
    public func runCycle(now: Nanoseconds) {
        guard hasDirtyGroups else { return }
        summary.cycles += 1
        let pipeline = manager.pipeline  // held for the whole cycle: a swap takes effect next cycle
        if pipeline.generation != lanesGeneration {
            lanesGeneration = pipeline.generation
            lanesPipeline = pipeline
            laneList = []
            laneRanges = (0...GroupKind.allCases.count).map { kind in
                let start = laneList.count
                for lane in pipeline.lanes where lane.laneKindMask & (UInt32(1) << UInt32(kind)) != 0 {
                    laneList.append(Unmanaged.passUnretained(lane))
                }
                return start..<laneList.count
            }
        }
        var seen: Set<UInt64> = []
        let singleLanes = laneRanges[Int(GroupKind.single.rawValue)]
        if !singleLanes.isEmpty {
            for id in dirtySingles where states[id].isKnown {
                evaluateSingle(id, lanes: singleLanes, now: now, pipeline: pipeline, seen: &seen)
            }
        }
        // Emptied by popping: `removeAll(keepingCapacity:)` went through a generic
        // `replaceSubrange`, 87 instructions a call, twice per cycle (callgrind).
        while let id = dirtySingles.popLast() { states[id].isSingleDirty = false }
        for g in dirtyGroups {
            let index = Int(g)
            var changed = groupDirty[index]
            groupDirty[index] = 0
            // A group is evaluated once every member's market is known.
            guard unknownMembers[index] == 0 else { continue }
            let lanes = laneRanges[Int(groupKinds[index].rawValue)]
            // Without a lane of its kind a group keeps no snapshot (no quotes written that nobody
            // reads); enabling one builds it whole.
            guard !lanes.isEmpty else {
                setSnapshot(nil, at: index)
                continue
            }
            let members = self.members(ofGroup: index)
            if snapshotRefs[index] == nil {
                setSnapshot(
                    GroupSnapshot(rule: universe.groups[index], markets: members.map { records[$0]! }), at: index)
                changed = .max  // a new snapshot shows no member yet
            }
            snapshotRefs[index]!._withUnsafeGuaranteedRef { snapshot in
                refresh(snapshot, members: members, changed: changed)
                evaluate(snapshot, lanes: lanes, members: members, now: now, pipeline: pipeline, seen: &seen)
            }
        }
        while dirtyGroups.popLast() != nil {}
    }

    private func evaluate(
        _ snapshot: GroupSnapshot, lanes: Range<Int>, members: UnsafeBufferPointer<Int>, now: Nanoseconds,
        pipeline: Pipeline,
        seen: inout Set<UInt64>
    ) {
        summary.groupsEvaluated += 1
        snapshot.setNow(now)
        for l in lanes {
            laneList[l]._withUnsafeGuaranteedRef { lane in
                let found: [FoundOpportunity]
                do {
                    found = try lane.evaluate(snapshot)
                } catch {
                    summary.pluginErrors += 1
                    return
                }
                for opportunity in found {
                    handle(
                        opportunity, lane: lane, snapshot: snapshot, members: members, now: now, pipeline: pipeline,
                        seen: &seen)
                }
            }
        }
    }

    /// Group `index`'s snapshot from now on, owned by `snapshots` and read through `snapshotRefs`.
    private func setSnapshot(_ snapshot: GroupSnapshot?, at index: Int) {
        snapshots[index] = snapshot
        snapshotRefs[index] = snapshot.map(Unmanaged.passUnretained)
    }

    /// Group `index`'s members (market ids, in the rule's order), in place: valid while the
    /// engine lives (its groups are fixed at its start).
    @inline(__always)
    private func members(ofGroup index: Int) -> UnsafeBufferPointer<Int> {
        let (start, end) = (memberStart[index], memberStart[index + 1])
        return start == end
            ? UnsafeBufferPointer(start: nil, count: 0)
            : UnsafeBufferPointer(start: groupMembers.address(start), count: end - start)
    }

    /// Rewrites the C quotes of the members in `changed` (bits as in `groupDirty`).
    private func refresh(_ snapshot: GroupSnapshot, members: UnsafeBufferPointer<Int>, changed: UInt64) {
        var bits = changed
        while bits != 0 {
            let bit = bits.trailingZeroBitCount
            guard bit < members.count else { break }
            bits &= bits - 1
            // Bit 63 stands for every member from 63 on.
            for i in bit..<(bit == 63 ? members.count : bit + 1) { show(members[i], in: snapshot, at: i) }
        }
    }

    /// Member `index` of `snapshot` shows market `id`'s book, or no quote when it is not quotable.
    private func show(_ id: Int, in snapshot: GroupSnapshot, at index: Int) {
        if isQuotable(id) {
            snapshot.setBook(&books[id], receivedAt: states[id].receiveTime, at: index)
        } else {
            snapshot.clearQuote(at: index)
        }
    }

    /// A market's quote may reach the lanes: it has a book, nothing withholds it, its venue streams.
    private func isQuotable(_ id: Int) -> Bool {
        states[id].bookSequence != .max && states[id].quarantine == nil
            && (staleVenues.isEmpty || !staleVenues.contains(universe.marketKeys[id].venue))
    }

    /// A market on its own, through the single-market table (no object, no copy of its quote
    /// unless the book changed). Only when a lane finds something is the market's snapshot
    /// object made, for the sizing chain and the decision.
    private func evaluateSingle(
        _ id: Int, lanes: Range<Int>, now: Nanoseconds, pipeline: Pipeline, seen: inout Set<UInt64>
    ) {
        summary.groupsEvaluated += 1
        if isQuotable(id) {
            singleTable.setBook(&books[id], receivedAt: states[id].receiveTime, at: id)
        } else {
            singleTable.clearQuote(at: id)
        }
        for l in lanes {
            laneList[l]._withUnsafeGuaranteedRef { lane in
                let found: [FoundOpportunity]
                do {
                    found = try lane.evaluate(singleTable.prepare(id, now: now))
                } catch {
                    summary.pluginErrors += 1
                    return
                }
                guard !found.isEmpty else { return }
                let snapshot =
                    singles[id]
                    ?? GroupSnapshot(kind: .single, groupID: records[id]!.marketID, markets: [records[id]!])
                singles[id] = snapshot
                show(id, in: snapshot, at: 0)
                snapshot.setNow(now)
                withUnsafePointer(to: id) { member in
                    for opportunity in found {
                        handle(
                            opportunity, lane: lane, snapshot: snapshot,
                            members: UnsafeBufferPointer(start: member, count: 1), now: now, pipeline: pipeline,
                            seen: &seen)
                    }
                }
            }
        }
    }

    private func handle(
        _ opportunity: FoundOpportunity, lane: PluginInstance, snapshot: GroupSnapshot,
        members: UnsafeBufferPointer<Int>,
        now: Nanoseconds, pipeline: Pipeline, seen: inout Set<UInt64>
    ) {
        guard opportunity.legs.allSatisfy({ Int($0.memberIndex) < members.count }) else {
            summary.pluginErrors += 1  // a lane named a member the group does not have
            return
        }
        let legKeys = opportunity.legs.map {
            (market: universe.marketKeys[members[Int($0.memberIndex)]], side: $0.side)
        }
        let basketHash = OpportunityID.basketHash(legKeys)
        summary.opportunities[lane.manifest.id, default: 0] += 1
        // By the hash, not its hex: the same test (the id is the hash, written out), hashed cheaper.
        guard seen.insert(basketHash).inserted else {
            summary.duplicates += 1
            return
        }
        var decision = Decision(kind: .plan, time: now)
        decision.laneID = lane.manifest.id
        decision.groupID = snapshot.groupID
        let basketID = OpportunityID.hex(basketHash)
        decision.basketID = basketID
        decision.legs = zip(legKeys, opportunity.legs).map { Self.legText($0.market, $0.side, $1.limitPrice) }
        decision.edge = opportunity.edge
        decision.maxBaskets = opportunity.maxBaskets
        if opportunity.isDataQualityAlarm {
            summary.alarms += 1
            decision.kind = .alarm
            decision.reason = opportunity.note
            publish(decision)
            return
        }
        let planA = runChain(pipeline.sizingA, opportunity, snapshot, seed: basketHash, now: now)
        decision.baskets = planA.baskets
        decision.rejectedBy = planA.rejectedBy
        if options.traceInDecisions {
            decision.trace = planA.trace.map {
                "\($0.stepID) \($0.verdictName) \(FixedPoint.format($0.baskets, scale: FixedPoint.centi)): \($0.reason)"
            }
        }
        if planA.isAccepted { summary.plansA += 1 }
        if plansShown < plansToShow, let planPrinter {
            plansShown += 1
            planPrinter(PlanText.describe(planA, opportunity, legs: decision.legs))
        }
        if !pipeline.sizingB.isEmpty {
            let planB = runChain(pipeline.sizingB, opportunity, snapshot, seed: basketHash, now: now)
            if planB.isAccepted { summary.plansB += 1 }
            decision.shadowBaskets = planB.baskets
            let record = ABRecord(
                opportunityID: basketID, laneID: lane.manifest.id, time: now, edge: opportunity.edge,
                a: ABRecord.arm(planA, edge: opportunity.edge), b: ABRecord.arm(planB, edge: opportunity.edge))
            onABRecord?(record)
            if let recorder {
                do { try recorder.append(record) } catch { summary.pluginErrors += 1 }
            }
        }
        publish(decision)
        guard options.paper, planA.isAccepted else { return }
        if let last = lastExecution[basketID], now - last < options.executionCooldown {
            summary.cooldownSkips += 1
            return
        }
        lastExecution[basketID] = now
        execute(opportunity, baskets: planA.baskets, legKeys: legKeys, members: members, lane: lane, decision: decision)
    }

    private func execute(
        _ opportunity: FoundOpportunity, baskets: CentiContracts, legKeys: [(market: MarketKey, side: Side)],
        members: UnsafeBufferPointer<Int>, lane: PluginInstance, decision: Decision
    ) {
        let ids = opportunity.legs.map { members[Int($0.memberIndex)] }
        let asks = zip(ids, opportunity.legs).map { id, leg in
            states[id].bookSequence == .max ? [] : books[id].asks(leg.side)
        }
        let execution: PaperExecution
        do {
            execution = try PaperExecutor.execute(
                opportunity.opportunity, baskets: baskets, markets: legKeys.map(\.market), asks: asks
            ) { i, price, quantity in
                try fee(for: ids[i], side: opportunity.legs[i].side, price: price, quantity: quantity)
            }
        } catch {
            summary.pluginErrors += 1
            return
        }
        summary.paperExecutions += 1
        summary.paperBaskets += execution.completeBaskets
        summary.pnl += execution.pnl
        // Equity, exposure and the lane's statistics change below: the next chain rebuilds its inputs.
        sizingInputs = nil
        if !execution.isComplete { summary.incomplete += 1 }
        for fill in execution.legs { exposure[fill.market.venue, default: 0] += fill.cost + fill.fee }
        var d = decision
        d.kind = .fill
        d.filledBaskets = execution.completeBaskets
        d.pnl = execution.pnl
        publish(d)
        if let store {
            do { try store.record(execution, basketID: decision.basketID, time: decision.time) } catch {
                summary.storeErrors += 1
            }
        }
        let win = execution.isComplete && execution.pnl >= 0
        var stats = laneStatistics[lane.manifest.id] ?? LaneRecord()
        stats.baskets += 1
        if win { stats.wins += 1 } else { stats.losses += 1 }
        stats.pnl += execution.pnl
        let paid = execution.legs.reduce(0) { $0 + $1.cost + $1.fee }
        if paid > 0 {
            let r = Double(execution.pnl) / Double(paid) * 1e6
            stats.returnSum += r
            stats.returnSquares += r * r
        }
        laneStatistics[lane.manifest.id] = stats
        lane.record(
            LaneOutcome(
                kind: win ? .win : .loss, groupID: decision.groupID, opportunityID: decision.basketID,
                pnl: execution.pnl, time: decision.time))
    }

    /// The venue's fee for one fill, through the same routing lanes use.
    private func fee(for id: Int, side: Side, price: MicroDollars, quantity: CentiContracts) throws -> FeeResult {
        guard let record = records[id] else {
            throw PluginCallError(pluginID: "engine", status: -1, message: "no market")
        }
        var result = arb_fee_result()
        result.struct_size = UInt32(MemoryLayout<arb_fee_result>.size)
        let status = withArbStrings(record.venue, record.marketID) { venue, market in
            var query = arb_fee_query(
                struct_size: UInt32(MemoryLayout<arb_fee_query>.size), liquidity: Liquidity.taker.rawValue,
                venue: venue, market_id: market, side: side.rawValue, action: Action.buy.rawValue,
                price_micros: price, quantity_centi: quantity, fee_multiplier_ppm: record.feeMultiplier,
                fee_schedule: record.feeSchedule.rawValue, reserved0: 0)
            return manager.runtime.fee(&query, &result)
        }
        guard status == ARB_OK else {
            throw PluginCallError(pluginID: "engine", status: status, message: "no fee for venue \(record.venue)")
        }
        return FeeResult(fee: result.fee_micros, delivered: result.delivered_centi)
    }

    /// The sizing inputs but for the time, kept between chains: every found basket runs one or
    /// two, and only a paper execution changes equity, exposure or a lane's statistics.
    private var sizingInputs: SizingInputs?

    private func makeSizingInputs() -> SizingInputs {
        var inputs = SizingInputs(equity: options.equity + summary.pnl)
        inputs.laneStatistics = laneStatistics.sorted { $0.key < $1.key }.map { id, s in
            let n = Double(max(s.baskets, 1))
            let mean = s.returnSum / n
            let variance = max(0, s.returnSquares / n - mean * mean)
            return LaneStatistics(
                laneID: id, baskets: s.baskets, wins: s.wins, losses: s.losses, meanReturn: Int64(mean.rounded()),
                stdevReturn: Int64(variance.squareRoot().rounded()), realizedPnL: s.pnl)
        }
        inputs.venueExposure = exposure.sorted { $0.key < $1.key }.map { Exposure(key: $0.key, open: $0.value) }
        return inputs
    }

    private func runChain(
        _ steps: [PluginInstance], _ opportunity: FoundOpportunity, _ snapshot: GroupSnapshot, seed: UInt64,
        now: Nanoseconds
    ) -> SizingPlan {
        // No steps, nothing to size: the plan is the lane's size, with no C context to build
        // (pinning the inputs' strings cost about 5,000 instructions a chain).
        guard !steps.isEmpty else { return SizingPlan(baskets: opportunity.maxBaskets, trace: []) }
        var inputs = sizingInputs ?? makeSizingInputs()
        sizingInputs = inputs
        inputs.now = now
        let plan = SizingChain.run(steps, opportunity, inputs: inputs, seed: seed, group: snapshot)
        if plan.failure != nil { summary.pluginErrors += 1 }
        if let step = plan.rejectedBy { summary.rejectedBy[step, default: 0] += 1 }
        return plan
    }

    /// A decision's leg: `venue:market:yes@0.43`, written as bytes into the string's own storage:
    /// with interpolation (and still with `+=`) a found bucket's legs cost more than the walk that
    /// found it (callgrind, pipeline benchmark).
    static func legText(_ market: MarketKey, _ side: Side, _ price: MicroDollars) -> String {
        var venue = market.venue
        var id = market.marketID
        var priceText = FixedPoint.format(price, scale: FixedPoint.micros)
        let sideText: StaticString = side == .yes ? ":yes@" : ":no@"
        let count = venue.utf8.count + 1 + id.utf8.count + sideText.utf8CodeUnitCount + priceText.utf8.count
        return String(unsafeUninitializedCapacity: count) { out in
            var end = 0
            func put(_ bytes: UnsafeBufferPointer<UInt8>) {
                _ = UnsafeMutableBufferPointer(rebasing: out[end..<end + bytes.count]).initialize(from: bytes)
                end += bytes.count
            }
            venue.withUTF8(put)
            out[end] = UInt8(ascii: ":")
            end += 1
            id.withUTF8(put)
            put(UnsafeBufferPointer(start: sideText.utf8Start, count: sideText.utf8CodeUnitCount))
            priceText.withUTF8(put)
            return end
        }
    }

    /// Equal books: the snapshot shows the same bids and asks the stream built.
    static func matches(_ book: BinaryBook, _ snapshot: BookUpdate) -> Bool {
        book.ladder(.yesBids, equals: snapshot.yesBids) && book.ladder(.noBids, equals: snapshot.noBids)
            && book.ladder(.yesAsks, equals: snapshot.yesAsks) && book.ladder(.noAsks, equals: snapshot.noAsks)
    }
}
