import Foundation
import PluginKit

/// Every group the lanes evaluate, indexed so a changed market finds its groups in O(1).
///
/// Markets get dense integer ids on first sight; `memberships(ofMarket:)` is one array lookup.
/// Single-market groups (the intra-venue lane's) are not stored here: the engine makes one per
/// market it sees.
public struct Universe: Sendable {
    /// One place of a market in a group: the group's index in ``groups`` and the member's index in
    /// the group's rule (what the engine marks changed).
    public struct Membership: Sendable, Equatable {
        public var group: Int32
        public var member: Int32
    }

    public private(set) var groups: [GroupRule] = []
    public private(set) var warnings: [String] = []
    /// The files it was loaded from, in load order.
    public private(set) var files: [String] = []
    private(set) var marketIndex: [MarketKey: Int] = [:]
    public private(set) var marketKeys: [MarketKey] = []
    /// Each group's members as market ids, in the rule's order.
    public private(set) var marketsOfGroup: [[Int]] = []
    private(set) var membershipsOfMarket: [[Membership]] = []

    public init(groups: [GroupRule] = []) {
        for g in groups { add(g) }
    }

    public mutating func add(_ rule: GroupRule) {
        let index = Int32(groups.count)
        groups.append(rule)
        let ids = rule.members.map { intern($0.key) }
        marketsOfGroup.append(ids)
        for (member, id) in ids.enumerated() {
            membershipsOfMarket[id].append(Membership(group: index, member: Int32(member)))
        }
    }

    /// The dense id of a market, assigning one on first sight.
    @discardableResult
    public mutating func intern(_ key: MarketKey) -> Int {
        if let i = marketIndex[key] { return i }
        let i = marketKeys.count
        marketIndex[key] = i
        marketKeys.append(key)
        membershipsOfMarket.append([])
        return i
    }

    public func marketID(_ key: MarketKey) -> Int? { marketIndex[key] }

    /// Every place of the market in a group.
    public func memberships(ofMarket id: Int) -> [Membership] { membershipsOfMarket[id] }

    /// Indices into ``groups`` of every group that contains the market.
    public func groups(ofMarket id: Int) -> [Int32] { membershipsOfMarket[id].map(\.group) }

    public var pairCount: Int { groups.count { $0.kind == .pair } }

    /// Loads every `*.csv` (mappings) and `*.json` (rules) file of a directory, sorted by name.
    /// Files that are not mappings or rules (the ForecastEx series map, symbol lists) are
    /// recognised by their header and skipped with a note.
    public static func load(directory: String) throws(UniverseError) -> Universe {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        } catch {
            throw UniverseError(
                file: directory, line: 0, "cannot list the universe directory: \(error.localizedDescription)")
        }
        var universe = Universe()
        for name in names where name.hasSuffix(".csv") || name.hasSuffix(".json") {
            try universe.load(file: "\(directory)/\(name)")
        }
        guard !universe.files.isEmpty else {
            throw UniverseError(
                file: directory, line: 0, "no mapping (*.csv) or rules (*.json) file found in the universe directory")
        }
        return universe
    }

    /// Loads one mapping CSV or rules JSON file into this universe.
    public mutating func load(file path: String) throws(UniverseError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw UniverseError(file: path, line: 0, "cannot read the file")
        }
        if path.hasSuffix(".json") {
            guard Self.looksLikeRules(data) else {
                warnings.append("\(path): not a rules file (no rules section at the top level); skipped")
                return
            }
            for rule in try RulesFile.load(data: data, file: path) { try addChecked(rule) }
        } else {
            let text = String(decoding: data, as: UTF8.self)
            let header = text.split(maxSplits: 1, whereSeparator: \.isNewline).first.map(String.init) ?? ""
            let columns = header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            guard columns.contains("group_id"), columns.count(where: { $0.hasSuffix("_market_id") }) >= 2
            else {
                warnings.append("\(path): not a market mapping (no group_id and two *_market_id columns); skipped")
                return
            }
            let loaded = try MappingFile.load(text: text, file: path)
            for rule in loaded.groups { try addChecked(rule) }
            warnings += loaded.warnings
        }
        files.append(path)
    }

    private mutating func addChecked(_ rule: GroupRule) throws(UniverseError) {
        if let existing = groups.first(where: { $0.groupID == rule.groupID && $0.kind == rule.kind }) {
            throw UniverseError(
                file: rule.source, line: 0, "group \"\(rule.groupID)\" is also declared at \(existing.source)")
        }
        add(rule)
    }

    static func looksLikeRules(_ data: Data) -> Bool {
        guard let parsed = try? JSONSerialization.jsonObject(with: data) else {
            return true  // not JSON at all: let the rules parser report where
        }
        guard let object = parsed as? [String: Any] else { return false }
        return [
            "mutually_exclusive_buckets", "event_trees", "monotone_ladders", "cross_market_parity_checks",
            "cross_venue_pairs",
        ]
        .contains { object[$0] != nil }
    }
}
