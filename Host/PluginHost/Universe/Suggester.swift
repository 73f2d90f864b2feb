import Foundation
import PluginKit

/// Suggests relationships between markets for a person to review; nothing it writes is traded
/// until marked reviewed (lanes skip unreviewed groups unless told otherwise).
///
/// - **Cross-venue pairs**: markets on two venues whose titles share most of their words
///   (Jaccard similarity of normalised tokens), whose numbers (strikes, years) agree, and whose
///   close times are within `maxCloseGap` when both are known. Candidates come from an inverted
///   index on tokens, so the work grows with the matches, not with n².
/// - **Ladders** on one venue: markets of one event whose titles differ only in one number:
///   "above" strikes (a higher strike implies a lower one) and "below" strikes (the reverse).
/// - **Nested deadlines**: titles equal once dates are removed, closing at different times: the
///   earlier deadline implies the later one.
/// - **Complements**: the same strike in one event, once "above" and once "below".
public struct Suggester {
    public struct PairSuggestion: Sendable, Equatable {
        public var left: MarketRecord
        public var right: MarketRecord
        /// Jaccard similarity of the titles' tokens, ppm.
        public var score: PartsPerMillion
    }

    public var minimumScore: PartsPerMillion = 500_000
    public var maxCloseGap: Nanoseconds = 2 * 86_400_000_000_000

    public init() {}

    // MARK: Cross-venue pairs

    public func pairs(_ markets: [MarketRecord]) -> [PairSuggestion] {
        let tokens = markets.map { Self.tokens($0.title) }
        let numbers = markets.map { Self.numbers($0.title) }
        var index: [String: [Int]] = [:]
        for (i, set) in tokens.enumerated() { for t in set { index[t, default: []].append(i) } }
        var best: [Int: (Int, PartsPerMillion)] = [:]  // left index → best right on another venue
        for i in markets.indices {
            var shared: [Int: Int] = [:]
            for t in tokens[i] {
                guard let list = index[t], list.count <= 200 else { continue }  // skip words in everything
                for j in list where j > i && markets[j].venue != markets[i].venue { shared[j, default: 0] += 1 }
            }
            for (j, common) in shared {
                let union = tokens[i].count + tokens[j].count - common
                guard union > 0 else { continue }
                let score = PartsPerMillion(common) * FixedPoint.ppm / PartsPerMillion(union)
                guard score >= minimumScore, numbers[i] == numbers[j], closeTimesAgree(markets[i], markets[j]) else {
                    continue
                }
                if score > (best[i]?.1 ?? 0) || (score == best[i]?.1 && j < best[i]!.0) { best[i] = (j, score) }
            }
        }
        return best.keys.sorted().map { i in
            PairSuggestion(left: markets[i], right: markets[best[i]!.0], score: best[i]!.1)
        }
    }

    func closeTimesAgree(_ a: MarketRecord, _ b: MarketRecord) -> Bool {
        a.closeTime == 0 || b.closeTime == 0 || abs(a.closeTime - b.closeTime) <= maxCloseGap
    }

    /// The review file: the mapping CSV format, every row `reviewed=false`, with the score and
    /// both titles for the reviewer.
    public static func reviewCSV(_ pairs: [PairSuggestion]) -> String {
        var venues = Array(Set(pairs.flatMap { [$0.left.venue, $0.right.venue] })).sorted()
        if venues.isEmpty { venues = ["kalshi", "polymarket"] }
        func quote(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        var lines = [
            "group_id," + venues.map { "\($0)_market_id" }.joined(separator: ",")
                + ",reviewed,polarity,score,left_title,right_title"
        ]
        for p in pairs {
            let ids = venues.map { v in v == p.left.venue ? p.left.marketID : v == p.right.venue ? p.right.marketID : ""
            }
            let group = "suggested-\(p.left.marketID)"
            lines.append(
                ([quote(group)] + ids + ["false", "same", FixedPoint.format(p.score, scale: FixedPoint.ppm)]
                    + [quote(p.left.title), quote(p.right.title)]).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: Dependencies on one venue

    public func dependencies(_ markets: [MarketRecord]) -> [GroupRule] {
        var rules: [GroupRule] = []
        let byEvent = Dictionary(grouping: markets.filter { !$0.eventID.isEmpty }) { "\($0.venue)\u{1}\($0.eventID)" }
        for key in byEvent.keys.sorted() {
            let event = byEvent[key]!.sorted { $0.marketID < $1.marketID }
            rules += ladders(event)
            rules += deadlines(event)
            rules += complements(event)
        }
        for i in rules.indices { rules[i].isReviewed = false }
        return rules
    }

    enum Direction { case above, below }

    static func direction(_ title: String) -> Direction? {
        let t = " " + title.lowercased() + " "
        if [" below ", " under ", " less than ", " or below", " at most "].contains(where: t.contains) {
            return .below
        }
        if [" above ", " over ", " more than ", " at least ", " or above", " or more "].contains(where: t.contains) {
            return .above
        }
        return nil
    }

    /// Title with its numbers replaced, for "differs only in one number".
    static func template(_ title: String) -> String {
        title.lowercased().replacingOccurrences(of: "[0-9][0-9,.]*", with: "#", options: .regularExpression)
    }

    func ladders(_ event: [MarketRecord]) -> [GroupRule] {
        var rules: [GroupRule] = []
        let groups = Dictionary(grouping: event) { Self.template($0.title) }
        for key in groups.keys.sorted() {
            let members = groups[key]!
            guard members.count >= 2, let dir = Self.direction(members[0].title),
                members.allSatisfy({ Self.direction($0.title) == dir })
            else { continue }
            let strikes = members.compactMap { m in Self.numbers(m.title).last.map { (m, $0) } }
            guard strikes.count == members.count, Set(strikes.map(\.1)).count == strikes.count else { continue }
            // Rank 0 is the most specific: the highest strike for "above", the lowest for "below".
            let ordered = strikes.sorted { dir == .above ? $0.1 > $1.1 : $0.1 < $1.1 }
            var rule = GroupRule(
                kind: .tree, groupID: "suggested-ladder-\(ordered[0].0.eventID)-\(rules.count)",
                members: ordered.enumerated().map { r, m in
                    .init(
                        key: MarketKey(venue: m.0.venue, marketID: m.0.marketID), role: Int32(r),
                        strike: FixedPoint.parse(m.1, scale: FixedPoint.micros) ?? 0)
                }, source: "suggested")
            rule.isLadder = true
            rules.append(rule)
        }
        return rules
    }

    func deadlines(_ event: [MarketRecord]) -> [GroupRule] {
        let months = "(january|february|march|april|may|june|july|august|september|october|november|december)"
        let undated = Dictionary(grouping: event.filter { $0.closeTime > 0 }) {
            $0.title.lowercased().replacingOccurrences(
                of: "\(months)( [0-9]{1,2})?(,? [0-9]{4})?", with: "<date>", options: .regularExpression)
        }
        var rules: [GroupRule] = []
        for key in undated.keys.sorted() where key.contains("<date>") && key.contains(" by ") {
            let members = undated[key]!.sorted { $0.closeTime < $1.closeTime }
            guard members.count >= 2, Set(members.map(\.closeTime)).count == members.count else { continue }
            var rule = GroupRule(
                kind: .tree, groupID: "suggested-deadlines-\(members[0].eventID)-\(rules.count)",
                members: members.enumerated().map {
                    .init(key: MarketKey(venue: $1.venue, marketID: $1.marketID), role: Int32($0))
                }, source: "suggested")
            rule.isLadder = true
            rules.append(rule)
        }
        return rules
    }

    func complements(_ event: [MarketRecord]) -> [GroupRule] {
        var byStrike: [String: [MarketRecord]] = [:]
        for m in event {
            guard let strike = Self.numbers(m.title).last, Self.direction(m.title) != nil else { continue }
            byStrike[Self.complementKey(m.title) + "\u{1}" + strike, default: []].append(m)
        }
        var rules: [GroupRule] = []
        for key in byStrike.keys.sorted() {
            let ms = byStrike[key]!
            guard ms.count == 2, Self.direction(ms[0].title) != Self.direction(ms[1].title) else { continue }
            rules.append(
                GroupRule(
                    kind: .parity, groupID: "suggested-complement-\(ms[0].marketID)",
                    members: [
                        .init(key: MarketKey(venue: ms[0].venue, marketID: ms[0].marketID)),
                        .init(key: MarketKey(venue: ms[1].venue, marketID: ms[1].marketID), isInverted: true),
                    ], source: "suggested"))
        }
        return rules
    }

    // MARK: Text

    static let directionWords: Set<String> = [
        "above", "below", "over", "under", "or", "at", "least", "most", "more", "less", "than",
    ]

    /// The title's words without direction words and numbers: "above 80 in NYC" and "80 or below
    /// in NYC" share it.
    static func complementKey(_ title: String) -> String {
        tokens(title).filter { !directionWords.contains($0) && !$0.allSatisfy { $0.isNumber || $0 == "." } }.sorted()
            .joined(separator: " ")
    }

    static let stopwords: Set<String> = [
        "the", "a", "an", "of", "in", "on", "by", "to", "will", "be", "is", "for", "and", "or", "at", "who", "what",
        "which", "than", "before", "after", "with", "win", "wins",
    ]

    /// Lower-case words and numbers, stop words removed; numbers without separators.
    static func tokens(_ title: String) -> Set<String> {
        var out: Set<String> = []
        var word = ""
        func flush() {
            if !word.isEmpty, !stopwords.contains(word) { out.insert(word) }
            word = ""
        }
        for c in title.lowercased() {
            if c.isLetter || c.isNumber || c == "." { word.append(c) } else if c != "," { flush() }
        }
        flush()
        return Set(out.map { $0.hasSuffix(".") ? String($0.dropLast()) : $0 })
    }

    /// The numbers in a title, in order, as canonical decimal text ("100,000" → "100000", "3.50" → "3.5").
    static func numbers(_ title: String) -> [String] {
        var out: [String] = []
        var current = ""
        func flush() {
            var s = current
            if s.hasSuffix(".") { s.removeLast() }
            if s.contains(".") {
                while s.hasSuffix("0") { s.removeLast() }
                if s.hasSuffix(".") { s.removeLast() }
            }
            if !s.isEmpty { out.append(s) }
            current = ""
        }
        for c in title {
            if c.isNumber || (c == "." && !current.isEmpty) {
                current.append(c)
            } else if c == "," && !current.isEmpty {
                continue
            } else {
                flush()
            }
        }
        flush()
        return out
    }
}
