import ArgumentParser
import Foundation
import PluginHost
import PluginKit

struct Suggest: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Suggest cross-venue pairs and same-venue dependencies into review files.",
        discussion: """
            Reads markets (the quotes-file format of `arb scan`; only venue, market, title, event and
            close_time matter) and writes two review files: a mapping CSV of candidate cross-venue pairs
            and a rules JSON of candidate ladders, nested deadlines and complements. Every suggestion is
            marked reviewed = false: lanes skip it until a person sets it to true (or a lane is told
            allow_unreviewed). Put the reviewed files in the universe folder.
            """)

    @Option(help: "Markets, one JSON object per line (venue, market, title, event, close_time).")
    var markets: String

    @Option(name: .customLong("pairs-out"), help: "Where to write the candidate pairs (mapping CSV).")
    var pairsOut = "suggested_pairs.review.csv"

    @Option(name: .customLong("rules-out"), help: "Where to write the candidate dependencies (rules JSON).")
    var rulesOut = "suggested_rules.review.json"

    @Option(name: .customLong("min-score"), help: "Minimum title similarity for a pair, 0 to 1.")
    var minScore = "0.5"

    func run() throws {
        let loaded: [QuoteSnapshot]
        do { loaded = try QuoteSnapshot.load(path: markets) } catch { throw ValidationError("\(error)") }
        var suggester = Suggester()
        guard let score = PluginHostFormat.ppm(minScore), (0...1_000_000).contains(score) else {
            throw ValidationError("--min-score \(minScore) is not a decimal between 0 and 1")
        }
        suggester.minimumScore = score
        let list = loaded.map(\.market)
        let pairs = suggester.pairs(list)
        let rules = suggester.dependencies(list)
        try Suggester.reviewCSV(pairs).write(toFile: pairsOut, atomically: true, encoding: .utf8)
        try RulesFile.encode(rules).write(to: URL(fileURLWithPath: rulesOut))
        let kinds = Dictionary(grouping: rules) { $0.kind == .parity ? "complements" : "ladders and deadlines" }
        print("\(list.count) markets: \(pairs.count) candidate pairs → \(pairsOut)")
        print(
            "\(rules.count) candidate dependencies (\(kinds.map { "\($0.value.count) \($0.key)" }.sorted().joined(separator: ", "))) → \(rulesOut)"
        )
        print("review them, set reviewed to true where right, and add the files to your universe folder")
    }
}
