import PluginKit

/// Cross-venue mapping files: `cross_venue_map.*.csv` of the original system.
///
/// Columns: `group_id` plus one market-id column per venue (`kalshi_market_id`,
/// `polymarket_market_id`, `forecastex_market_id`; any `<venue>_market_id` works). Optional
/// columns: `polarity` (`same` or `inverted`: the second venue's YES is the first's NO),
/// `reviewed` (`true`/`false`, default true: the file is the reviewed registry) and
/// `same_terms` (`true` when the resolution terms were compared and match).
///
/// Each row becomes one pair group per two venues it names. A market paired with more than one
/// partner is not a one-to-one mapping (the live file maps 40 Kalshi strikes to one ForecastEx
/// contract); such pairs are kept but marked unreviewed, with a warning.
public enum MappingFile {
    public struct Loaded: Sendable {
        public var groups: [GroupRule]
        public var warnings: [String]
    }

    public static func load(text: String, file: String) throws(UniverseError) -> Loaded {
        let table = try CSVTable(text: text, file: file)
        let venueColumns = table.header.filter { $0.hasSuffix("_market_id") }
        guard table.header.contains("group_id") else {
            throw UniverseError(file: file, line: 1, field: "group_id", "missing column (header: \(table.header))")
        }
        guard venueColumns.count >= 2 else {
            throw UniverseError(
                file: file, line: 1,
                "needs market-id columns of two venues (`kalshi_market_id`, …), found \(venueColumns)")
        }
        var groups: [GroupRule] = []
        var seen: [String: Int] = [:]
        for row in table.rows {
            let groupID = row["group_id"]
            guard !groupID.isEmpty else { throw UniverseError(file: file, line: row.line, field: "group_id", "empty") }
            var keys: [MarketKey] = []
            for column in venueColumns {
                let id = row[column]
                guard !id.isEmpty else { continue }
                let venue = String(column.dropLast("_market_id".count))
                if let problem = MarketIDFormat.problem(venue: venue, id: id) {
                    throw UniverseError(file: file, line: row.line, field: column, "\(problem): \"\(id)\"")
                }
                keys.append(MarketKey(venue: venue, marketID: id))
            }
            guard keys.count >= 2 else {
                throw UniverseError(
                    file: file, line: row.line,
                    "group \(groupID) names a market on \(keys.count) venue(s); a pair needs two")
            }
            let inverted = try flag(row, "polarity", file: file, values: ["same": false, "inverted": true]) ?? false
            let reviewed = try flag(row, "reviewed", file: file, values: ["true": true, "false": false]) ?? true
            let sameTerms = try flag(row, "same_terms", file: file, values: ["true": true, "false": false]) ?? false
            for i in 0..<keys.count {
                for j in (i + 1)..<keys.count {
                    let id = "\(groupID)/\(keys[i].marketID)~\(keys[j].marketID)"
                    if let first = seen[id] {
                        throw UniverseError(file: file, line: row.line, "repeats the pair of line \(first)")
                    }
                    seen[id] = row.line
                    var rule = GroupRule(
                        kind: .pair, groupID: id,
                        members: [.init(key: keys[i]), .init(key: keys[j], isInverted: inverted)],
                        source: "\(file):\(row.line)")
                    rule.isReviewed = reviewed
                    rule.hasSameTerms = sameTerms
                    groups.append(rule)
                }
            }
        }
        let warnings = demoteManyToOne(&groups, file: file)
        return Loaded(groups: groups, warnings: warnings)
    }

    /// Marks unreviewed every pair whose market has more than one partner on the other venue.
    static func demoteManyToOne(_ groups: inout [GroupRule], file: String) -> [String] {
        var partners: [MarketKey: Set<MarketKey>] = [:]
        for g in groups {
            partners[g.members[0].key, default: []].insert(g.members[1].key)
            partners[g.members[1].key, default: []].insert(g.members[0].key)
        }
        var warnings: [String] = []
        for (key, set) in partners.sorted(by: { $0.key < $1.key }) where set.count > 1 {
            let venues = Set(set.map(\.venue)).sorted().joined(separator: "/")
            warnings.append(
                "\(file): \(key) is paired with \(set.count) \(venues) markets, so these pairs are not one-to-one "
                    + "equivalents; they are kept unreviewed (lanes skip them unless allow_unreviewed)")
        }
        for i in groups.indices {
            let (a, b) = (groups[i].members[0].key, groups[i].members[1].key)
            if (partners[a]?.count ?? 0) > 1 || (partners[b]?.count ?? 0) > 1 { groups[i].isReviewed = false }
        }
        return warnings
    }

    private static func flag(_ row: CSVTable.Row, _ column: String, file: String, values: [String: Bool])
        throws(UniverseError) -> Bool?
    {
        let text = row[column].lowercased()
        guard !text.isEmpty else { return nil }
        guard let value = values[text] else {
            throw UniverseError(
                file: file, line: row.line, field: column, "\"\(text)\" is not one of \(values.keys.sorted())")
        }
        return value
    }
}

/// What each venue's market ids look like, so a shifted column or a placeholder is caught on load.
enum MarketIDFormat {
    static func problem(venue: String, id: String) -> String? {
        switch venue {
        case "polymarket":
            let hex = id.dropFirst(2)
            guard id.hasPrefix("0x"), hex.count == 64, hex.allSatisfy(\.isHexDigit) else {
                return "a Polymarket condition id is 0x and 64 hex digits"
            }
        case "forecastex":
            guard id.allSatisfy(\.isNumber) else { return "a ForecastEx market id is an IBKR conid (digits only)" }
        case "kalshi":
            guard id.allSatisfy({ $0.isUppercase || $0.isNumber || "-._".contains($0) }) else {
                return "a Kalshi ticker has upper-case letters, digits, '-', '.' and '_' only"
            }
        default:
            guard !id.contains(where: \.isWhitespace) else { return "market ids contain no spaces" }
        }
        return nil
    }
}
