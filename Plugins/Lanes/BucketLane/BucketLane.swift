import LaneSupport
import PluginKit

@c(arb_plugin_entry_v1)
public func arbPluginEntry() -> PluginDescriptorAddress {
    PluginExport.lane(
        BucketLane.self,
        PluginMetadata(id: "lane.bucket", name: "Mutually exclusive bucket lane", version: "1.0.0", vendor: "arb"))
}

/// Lane (c): mutually exclusive outcomes (quant.md §1.3).
///
/// - **Buy-all-NO** pays n − 1 whether or not the set is exhaustive (at most one member can
///   be YES; if none is, it pays n).
/// - **Buy-all-YES** pays 1 only when exactly one member must resolve YES. A venue's "mutually
///   exclusive" means at most one, so this basket is tried only on groups whose rule says
///   `exhaustive = true`. The real Kalshi event that sums to 0.99 is not an arbitrage.
///
/// Thompson sampling ranks buckets by how their baskets ended: each bucket keeps a Beta
/// posterior fed by ``record(_:)`` and persisted through the host's state service. A bucket
/// with enough evidence (`min_evidence`) is skipped when its sampled quality falls below
/// `min_sampled_quality`, so buckets that keep losing are tried rarely but never forgotten.
/// The draw is seeded by the bucket and the cycle's clock: replays decide identically.
public final class BucketLane: LanePlugin {
    public static let groupKinds: Set<GroupKind> = [.bucket]

    let host: HostServices
    let settings: LaneSettings
    let minSampledQuality: Double
    let minEvidence: Double
    var posteriors: BucketPosteriors

    public init(host: HostServices, config: borrowing ConfigReader) throws {
        self.host = host
        settings = try LaneSettings(
            config, extraKeys: ["min_sampled_quality", "min_evidence", "discount", "prior_alpha", "prior_beta"])
        let quality = try config.fixed("min_sampled_quality", scale: FixedPoint.ppm) ?? 50_000
        let evidence = try config.int("min_evidence") ?? 5
        let discount = try config.fixed("discount", scale: FixedPoint.ppm) ?? 990_000
        let alpha = try config.fixed("prior_alpha", scale: FixedPoint.ppm) ?? FixedPoint.ppm
        let beta = try config.fixed("prior_beta", scale: FixedPoint.ppm) ?? FixedPoint.ppm
        guard (0...FixedPoint.ppm).contains(quality) else {
            throw PluginError.config("min_sampled_quality must be between 0 and 1")
        }
        guard evidence >= 0 else { throw PluginError.config("min_evidence must be >= 0") }
        guard discount > 0, discount <= FixedPoint.ppm else { throw PluginError.config("discount must be in (0, 1]") }
        guard alpha > 0, beta > 0 else { throw PluginError.config("prior_alpha and prior_beta must be > 0") }
        minSampledQuality = Double(quality) / 1e6
        minEvidence = Double(evidence)
        posteriors = BucketPosteriors(
            prior: (Double(alpha) / 1e6, Double(beta) / 1e6), discount: Double(discount) / 1e6)
        if let saved = host.state(BucketPosteriors.stateKey) {
            do {
                try posteriors.restore(saved)
            } catch {
                host.log(.warning, "stored posteriors unreadable, starting from the prior: \(error)")
            }
        }
    }

    public func evaluate(_ group: Group, emit: (Opportunity) -> Bool) throws {
        guard group.members.count >= 2, settings.admits(group) else { return }
        let members = group.members
        let n = MicroDollars(members.count)
        // Screened on the best asks before anything is allocated or sampled: most evaluations end
        // here. First at the lowest edge any close time asks for, so that only a bucket that
        // passes reads its members' close times (a cold line each), then at its own.
        let noAsks = BasketWalk.askSum(members) { groupYes($0).opposite }
        let yesAsks = group.isExhaustive ? BasketWalk.askSum(members) { groupYes($0) } : nil
        func screens(_ minEdge: MicroDollars) -> (no: Bool, yes: Bool) {
            (
                BasketWalk.mayFind(
                    askSum: noAsks, payout: (n - 1) * FixedPoint.micros, minEdge: minEdge, settings: settings),
                group.isExhaustive
                    && BasketWalk.mayFind(
                        askSum: yesAsks, payout: FixedPoint.micros, minEdge: minEdge, settings: settings)
            )
        }
        let floor = screens(settings.lowestMinimumEdge)
        guard floor.no || floor.yes else { return }
        let minEdge = settings.minimumEdge(closeTime: BasketWalk.latestClose(members), now: group.now)
        let (tryNo, tryYes) = screens(minEdge)
        guard tryNo || tryYes else { return }
        let groupID = group.groupID
        // The draw is a pure function of the bucket and the clock, so it is taken only when it
        // decides something (the gate, once there is evidence) or names a found basket.
        let gated = posteriors.evidence(groupID) >= minEvidence
        let drawn = gated ? posteriors.sample(groupID, seed: group.now) : nil
        if let drawn, drawn < minSampledQuality { return }
        func tag() -> String {
            let quality = drawn ?? posteriors.sample(groupID, seed: group.now)
            return "θ=\(FixedPoint.format(MicroDollars(quality * 1e4), scale: 10_000))"
        }
        if tryNo,
            let o = try BasketWalk.find(
                members.map { BasketLeg(member: $0, side: groupYes($0).opposite) }, payout: (n - 1) * FixedPoint.micros,
                minEdge: minEdge, settings: settings, host: host, what: "bucket: buy all NO (\(tag()))")
        {
            if !emit(o) { return }
        }
        guard tryYes else { return }
        if let o = try BasketWalk.find(
            members.map { BasketLeg(member: $0, side: groupYes($0)) }, payout: FixedPoint.micros, minEdge: minEdge,
            settings: settings, host: host, what: "bucket: buy all YES (\(tag()))")
        {
            _ = emit(o)
        }
    }

    public func record(_ outcome: LaneOutcome) {
        posteriors.update(outcome.groupID, win: outcome.kind == .win)
        do {
            try host.setState(BucketPosteriors.stateKey, posteriors.serialized())
        } catch {
            host.log(.error, "could not persist posteriors: \(error)")
        }
    }
}
