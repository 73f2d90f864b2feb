import Foundation
import PluginKit

/// Structural rules files: `structural_rules.*.json` of the original system, extended with the
/// facts a lane needs to stay riskless.
///
/// ```json
/// { "mutually_exclusive_buckets": [ { "group_id": "…", "payout_per_contract": 1.0,
///       "exhaustive": true, "legs": [ {"venue": "kalshi", "market_id": "…", "side": "yes"} ] } ],
///   "event_trees": [ { "group_id": "…", "parent": {…leg…}, "children": [ {…leg…} ] } ],
///   "monotone_ladders": [ { "group_id": "…", "legs": [ {…leg…, "strike": "3.5"} ] } ],
///   "cross_market_parity_checks": [ { "group_id": "…", "relationship": "equivalent",
///       "left": {…leg…}, "right": {…leg…} } ],
///   "cross_venue_pairs": [ { "group_id": "…", "left": {…leg…}, "right": {…leg…}, "same_terms": true } ] }
/// ```
///
/// `cross_venue_pairs` is this host's addition (what a mapping CSV row becomes): the cross-venue
/// lane evaluates them, the parity lane the parity checks.
///
/// - `exhaustive` (buckets and trees) defaults to **false**: "mutually exclusive" on a venue
///   means at most one, and buy-all-YES is riskless only when exactly one must happen. The
///   original files never say, so their buckets load as non-exhaustive.
/// - A ladder's legs are ordered so that each implies the next (higher strikes first for
///   "above" ladders, earlier deadlines first).
/// - `relationship` is `equivalent` (same YES) or `complement` (left YES = right NO).
/// - `reviewed` (every rule) defaults to true: a rules file is curated.
/// - A leg's `side: "no"` means the member's NO is the rule's outcome.
public enum RulesFile {
    public static func load(data: Data, file: String) throws(UniverseError) -> [GroupRule] {
        let root: [String: Any]
        do {
            guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw UniverseError(file: file, line: 0, "the top level must be a JSON object")
            }
            root = object
        } catch let error as UniverseError {
            throw error
        } catch {
            throw UniverseError(file: file, line: 0, "not valid JSON: \(error.localizedDescription)")
        }
        let known = [
            "mutually_exclusive_buckets", "event_trees", "monotone_ladders", "cross_market_parity_checks",
            "cross_venue_pairs",
        ]
        if let unknown = root.keys.sorted().first(where: { !known.contains($0) }) {
            throw UniverseError(file: file, line: 0, field: unknown, "unknown section (known: \(known))")
        }
        var reader = Reader(file: file)
        var rules: [GroupRule] = []
        for (i, item) in try reader.array(root, "mutually_exclusive_buckets").enumerated() {
            let path = "mutually_exclusive_buckets[\(i)]"
            let object = try reader.object(item, path)
            if let payout = object["payout_per_contract"] {
                guard let value = payout as? Double, value == 1 else {
                    throw UniverseError(
                        file: file, line: 0, field: "\(path).payout_per_contract", "only 1.0 is supported")
                }
            }
            let legs = try reader.array(object, "legs", path: path)
            guard legs.count >= 2 else {
                throw UniverseError(file: file, line: 0, field: "\(path).legs", "a bucket needs at least two legs")
            }
            let members = try legs.enumerated().map { j, leg throws(UniverseError) in
                try reader.member(leg, "\(path).legs[\(j)]")
            }
            var rule = GroupRule(
                kind: .bucket, groupID: try reader.string(object, "group_id", path: path), members: members,
                source: "\(file): \(path)")
            rule.isExhaustive = try reader.bool(object, "exhaustive", path: path) ?? false
            rule.isReviewed = try reader.bool(object, "reviewed", path: path) ?? true
            rules.append(rule)
        }
        for (i, item) in try reader.array(root, "event_trees").enumerated() {
            let path = "event_trees[\(i)]"
            let object = try reader.object(item, path)
            var parent = try reader.member(object["parent"] as Any, "\(path).parent")
            parent.role = 0
            let children = try reader.array(object, "children", path: path).enumerated().map {
                j, leg throws(UniverseError) in
                var m = try reader.member(leg, "\(path).children[\(j)]")
                m.role = 1
                return m
            }
            guard !children.isEmpty else {
                throw UniverseError(file: file, line: 0, field: "\(path).children", "a tree needs at least one child")
            }
            var rule = GroupRule(
                kind: .tree, groupID: try reader.string(object, "group_id", path: path), members: [parent] + children,
                source: "\(file): \(path)")
            rule.isExhaustive = try reader.bool(object, "exhaustive", path: path) ?? false
            rule.isReviewed = try reader.bool(object, "reviewed", path: path) ?? true
            rules.append(rule)
        }
        for (i, item) in try reader.array(root, "monotone_ladders").enumerated() {
            let path = "monotone_ladders[\(i)]"
            let object = try reader.object(item, path)
            let legs = try reader.array(object, "legs", path: path)
            guard legs.count >= 2 else {
                throw UniverseError(file: file, line: 0, field: "\(path).legs", "a ladder needs at least two legs")
            }
            let members = try legs.enumerated().map { j, leg throws(UniverseError) in
                var m = try reader.member(leg, "\(path).legs[\(j)]")
                m.role = Int32(j)
                return m
            }
            var rule = GroupRule(
                kind: .tree, groupID: try reader.string(object, "group_id", path: path), members: members,
                source: "\(file): \(path)")
            rule.isLadder = true
            rule.isReviewed = try reader.bool(object, "reviewed", path: path) ?? true
            rules.append(rule)
        }
        for (i, item) in try reader.array(root, "cross_market_parity_checks").enumerated() {
            let path = "cross_market_parity_checks[\(i)]"
            let object = try reader.object(item, path)
            let relationship = try reader.string(object, "relationship", path: path)
            guard relationship == "equivalent" || relationship == "complement" else {
                throw UniverseError(
                    file: file, line: 0, field: "\(path).relationship",
                    "\"\(relationship)\" is neither \"equivalent\" nor \"complement\"")
            }
            let left = try reader.member(object["left"] as Any, "\(path).left")
            var right = try reader.member(object["right"] as Any, "\(path).right")
            if relationship == "complement" { right.isInverted.toggle() }
            guard left.key != right.key else {
                throw UniverseError(file: file, line: 0, field: path, "left and right are the same market")
            }
            var rule = GroupRule(
                kind: .parity, groupID: try reader.string(object, "group_id", path: path), members: [left, right],
                source: "\(file): \(path)")
            rule.isReviewed = try reader.bool(object, "reviewed", path: path) ?? true
            rule.hasSameTerms = try reader.bool(object, "same_terms", path: path) ?? false
            rules.append(rule)
        }
        for (i, item) in try reader.array(root, "cross_venue_pairs").enumerated() {
            let path = "cross_venue_pairs[\(i)]"
            let object = try reader.object(item, path)
            let left = try reader.member(object["left"] as Any, "\(path).left")
            let right = try reader.member(object["right"] as Any, "\(path).right")
            guard left.key.venue != right.key.venue else {
                throw UniverseError(file: file, line: 0, field: path, "a cross-venue pair needs two venues")
            }
            var rule = GroupRule(
                kind: .pair, groupID: try reader.string(object, "group_id", path: path), members: [left, right],
                source: "\(file): \(path)")
            rule.isReviewed = try reader.bool(object, "reviewed", path: path) ?? true
            rule.hasSameTerms = try reader.bool(object, "same_terms", path: path) ?? false
            rules.append(rule)
        }
        // A rule's place in the file, for messages only: its source without the file's name.
        func place(_ rule: GroupRule) -> String {
            let prefix = "\(file): "
            return rule.source.hasPrefix(prefix) ? String(rule.source.dropFirst(prefix.count)) : rule.source
        }
        var seen: [String: Int] = [:]
        for (i, rule) in rules.enumerated() {
            if let first = seen[rule.groupID] {
                throw UniverseError(
                    file: file, line: 0, field: place(rule),
                    "group_id \"\(rule.groupID)\" is already used by \(place(rules[first]))")
            }
            seen[rule.groupID] = i
            let keys = rule.members.map(\.key)
            if Set(keys).count != keys.count {
                throw UniverseError(
                    file: file, line: 0, field: place(rule),
                    "the same market appears twice in group \"\(rule.groupID)\"")
            }
        }
        return rules
    }

    /// Writes rules in this format (a tape's universe header, `arb scan` fixtures); loading the
    /// result gives the same rules back.
    public static func encode(_ rules: [GroupRule]) -> Data {
        func leg(_ m: GroupRule.Member, invert: Bool = false) -> [String: Any] {
            var o: [String: Any] = [
                "venue": m.key.venue, "market_id": m.key.marketID, "side": (m.isInverted != invert) ? "no" : "yes",
            ]
            if m.strike != 0 { o["strike"] = FixedPoint.format(m.strike, scale: FixedPoint.micros) }
            return o
        }
        var buckets: [[String: Any]] = []
        var trees: [[String: Any]] = []
        var ladders: [[String: Any]] = []
        var parity: [[String: Any]] = []
        var pairs: [[String: Any]] = []
        for r in rules {
            var o: [String: Any] = ["group_id": r.groupID, "reviewed": r.isReviewed]
            switch r.kind {
            case .bucket:
                o["payout_per_contract"] = 1.0
                o["exhaustive"] = r.isExhaustive
                o["legs"] = r.members.map { leg($0) }
                buckets.append(o)
            case .tree where r.isLadder:
                o["legs"] = r.members.sorted { $0.role < $1.role }.map { leg($0) }
                ladders.append(o)
            case .tree:
                o["exhaustive"] = r.isExhaustive
                o["parent"] = r.members.first { $0.role == 0 }.map { leg($0) } ?? [:]
                o["children"] = r.members.filter { $0.role != 0 }.map { leg($0) }
                trees.append(o)
            case .parity:
                o["relationship"] = "equivalent"
                o["same_terms"] = r.hasSameTerms
                o["left"] = leg(r.members[0])
                o["right"] = leg(r.members[1])
                parity.append(o)
            case .pair:
                o["same_terms"] = r.hasSameTerms
                o["left"] = leg(r.members[0])
                o["right"] = leg(r.members[1])
                pairs.append(o)
            case .single:
                continue
            }
        }
        let root: [String: Any] = [
            "mutually_exclusive_buckets": buckets, "event_trees": trees, "monotone_ladders": ladders,
            "cross_market_parity_checks": parity, "cross_venue_pairs": pairs,
        ]
        return (try? JSONSerialization.data(withJSONObject: root, options: [.sortedKeys])) ?? Data("{}".utf8)
    }

    /// Typed access to the parsed JSON with key-path errors.
    struct Reader {
        let file: String

        func fail(_ path: String, _ message: String) -> UniverseError {
            UniverseError(file: file, line: 0, field: path, message)
        }

        func object(_ value: Any, _ path: String) throws(UniverseError) -> [String: Any] {
            guard let object = value as? [String: Any] else { throw fail(path, "must be a JSON object") }
            return object
        }

        func array(_ object: [String: Any], _ key: String, path: String = "") throws(UniverseError) -> [Any] {
            let full = path.isEmpty ? key : "\(path).\(key)"
            guard let value = object[key] else {
                if path.isEmpty { return [] }  // a missing top-level section is an empty one
                throw fail(full, "missing")
            }
            guard let array = value as? [Any] else { throw fail(full, "must be an array") }
            return array
        }

        func string(_ object: [String: Any], _ key: String, path: String) throws(UniverseError) -> String {
            guard let value = object[key] else { throw fail("\(path).\(key)", "missing") }
            guard let text = value as? String, !text.isEmpty else {
                throw fail("\(path).\(key)", "must be a non-empty string")
            }
            return text
        }

        func bool(_ object: [String: Any], _ key: String, path: String) throws(UniverseError) -> Bool? {
            guard let value = object[key] else { return nil }
            // JSONSerialization reads true/false as NSNumber; 0 and 1 must not pass for booleans.
            guard let number = value as? NSNumber, String(cString: number.objCType) == "c" else {
                throw fail("\(path).\(key)", "must be true or false")
            }
            return number.boolValue
        }

        mutating func member(_ value: Any, _ path: String) throws(UniverseError) -> GroupRule.Member {
            let object = try self.object(value, path)
            let venue = try string(object, "venue", path: path)
            let id = try string(object, "market_id", path: path)
            if let problem = MarketIDFormat.problem(venue: venue, id: id) {
                throw fail("\(path).market_id", "\(problem): \"\(id)\"")
            }
            let side = (object["side"] as? String) ?? "yes"
            guard side == "yes" || side == "no" else { throw fail("\(path).side", "\"\(side)\" is neither yes nor no") }
            var member = GroupRule.Member(key: MarketKey(venue: venue, marketID: id), isInverted: side == "no")
            if let strike = object["strike"] {
                guard let text = strike as? String, let micros = FixedPoint.parse(text, scale: FixedPoint.micros)
                else { throw fail("\(path).strike", "must be a decimal string such as \"3.5\"") }
                member.strike = micros
            }
            return member
        }
    }
}
