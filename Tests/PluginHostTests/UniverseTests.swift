import Foundation
import PluginHost
import PluginKit
import Testing

struct UniverseTests {
    static let arbBot = sharedData + "/arb-bot"

    static func text(_ name: String) throws -> String {
        try String(contentsOfFile: "\(arbBot)/\(name)", encoding: .utf8)
    }

    @Test func strictMappingIsOneToOneAndReviewed() throws {
        let loaded = try MappingFile.load(text: try Self.text("cross_venue_map.strict.csv"), file: "strict.csv")
        #expect(loaded.groups.count == 592)
        #expect(loaded.warnings.isEmpty)
        #expect(loaded.groups.allSatisfy { $0.kind == .pair && $0.isReviewed && $0.members.count == 2 })
        #expect(loaded.groups[0].members.map(\.key.venue) == ["kalshi", "polymarket"])
    }

    /// The live file maps up to dozens of Kalshi strikes to one ForecastEx contract: not equivalents.
    @Test func liveMappingManyToOneIsLeftUnreviewed() throws {
        let loaded = try MappingFile.load(text: try Self.text("cross_venue_map.live.csv"), file: "live.csv")
        #expect(loaded.groups.count == 743)
        #expect(loaded.groups.allSatisfy { $0.members.map(\.key.venue) == ["kalshi", "forecastex"] })
        let unreviewed = loaded.groups.count { !$0.isReviewed }
        #expect(unreviewed > 700, "only one-to-one pairs stay reviewed (\(unreviewed) of 743 demoted)")
        #expect(loaded.warnings.contains { $0.contains("forecastex:853050550") && $0.contains("not one-to-one") })
    }

    @Test func exampleMappingNamesItsPlaceholderId() throws {
        #expect {
            try MappingFile.load(text: try Self.text("cross_venue_map.example.csv"), file: "example.csv")
        } throws: { error in
            let e = error as? UniverseError
            return e?.line == 2 && e?.field == "polymarket_market_id" && e?.message.contains("0xabc123example") == true
        }
    }

    @Test func csvErrorsNameFileLineAndField() throws {
        func error(_ text: String) -> String {
            do {
                _ = try MappingFile.load(text: text, file: "m.csv")
                return "no error"
            } catch { return "\(error)" }
        }
        #expect(
            error("group_id,kalshi_market_id,polymarket_market_id\n,KX-A,0x" + String(repeating: "a", count: 64))
                == "m.csv:2: group_id: empty")
        #expect(
            error("group_id,kalshi_market_id,polymarket_market_id\ng,KX-A,\n").contains(
                "m.csv:2: group g names a market on 1 venue(s)"))
        #expect(
            error("group_id,kalshi_market_id,forecastex_market_id\ng,KX-A,12,extra\n").contains(
                "m.csv:2: 4 fields but the header has 3"))
        #expect(
            error("group_id,kalshi_market_id,forecastex_market_id\n\"g,KX-A,12\n")
                == "m.csv:2: unterminated quoted field")
        #expect(
            error("group_id,kalshi_market_id,forecastex_market_id,polarity\ng,KX-A,12,upside\n").contains(
                "m.csv:2: polarity: \"upside\" is not one of"))
        // Quoted commas, comments and an inverted pair.
        let ok = try MappingFile.load(
            text:
                "# a comment\ngroup_id,kalshi_market_id,forecastex_market_id,polarity\n\"fed, dec\",KX-A,12,inverted\n",
            file: "m.csv")
        #expect(ok.groups.first?.groupID == "fed, dec/KX-A~12")
        #expect(ok.groups.first?.members[1].isInverted == true)
    }

    @Test func realRulesLoadWithSafeDefaults() throws {
        let path = "\(Self.arbBot)/structural_rules.generated.v2_with_parity.json"
        let rules = try RulesFile.load(data: try Data(contentsOf: URL(fileURLWithPath: path)), file: path)
        let buckets = rules.filter { $0.kind == .bucket }
        #expect(buckets.count == 245)
        #expect(buckets.allSatisfy { !$0.isExhaustive }, "the file never says a bucket is exhaustive")
        #expect(buckets.map(\.members.count).min() == 3 && buckets.map(\.members.count).max() == 59)
        #expect(rules.count { $0.kind == .parity } == 592)
        // The template's placeholder ids are caught, with the key path of the first one.
        let example = "\(Self.arbBot)/structural_rules.example.json"
        #expect {
            try RulesFile.load(data: try Data(contentsOf: URL(fileURLWithPath: example)), file: example)
        } throws: { error in
            (error as? UniverseError)?.field == "cross_market_parity_checks[0].right.market_id"
        }
    }

    @Test func rulesErrorsNameTheKeyPath() {
        func error(_ json: String) -> String {
            do {
                _ = try RulesFile.load(data: Data(json.utf8), file: "r.json")
                return "no error"
            } catch { return "\(error)" }
        }
        let leg = #"{"venue":"kalshi","market_id":"KX-A","side":"yes"}"#
        let leg2 = #"{"venue":"kalshi","market_id":"KX-B","side":"yes"}"#
        #expect(error("[1]") == "r.json: the top level must be a JSON object")
        #expect(error(#"{"buckets":[]}"#).hasPrefix("r.json: buckets: unknown section"))
        #expect(
            error(
                #"{"mutually_exclusive_buckets":[{"group_id":"g","legs":[\#(leg),{"venue":"kalshi","market_id":"KX-B","side":"maybe"}]}]}"#
            )
                == "r.json: mutually_exclusive_buckets[0].legs[1].side: \"maybe\" is neither yes nor no")
        #expect(
            error(#"{"mutually_exclusive_buckets":[{"group_id":"g","exhaustive":1,"legs":[\#(leg),\#(leg2)]}]}"#)
                == "r.json: mutually_exclusive_buckets[0].exhaustive: must be true or false")
        #expect(
            error(
                #"{"cross_market_parity_checks":[{"group_id":"p","relationship":"similar","left":\#(leg),"right":\#(leg2)}]}"#
            )
            .contains("\"similar\" is neither \"equivalent\" nor \"complement\""))
        #expect(
            error(#"{"mutually_exclusive_buckets":[{"group_id":"g","legs":[\#(leg),\#(leg)]}]}"#)
                == "r.json: mutually_exclusive_buckets[0]: the same market appears twice in group \"g\"")
        #expect(
            error(
                #"{"mutually_exclusive_buckets":[{"group_id":"g","legs":[\#(leg),\#(leg2)]}],"cross_market_parity_checks":[{"group_id":"g","relationship":"equivalent","left":\#(leg),"right":\#(leg2)}]}"#
            )
                == "r.json: cross_market_parity_checks[0]: group_id \"g\" is already used by mutually_exclusive_buckets[0]"
        )
        #expect(
            error(
                #"{"cross_market_parity_checks":[{"group_id":"p","relationship":"equivalent","left":{"venue":"polymarket","market_id":"0x12","side":"yes"},"right":\#(leg2)}]}"#
            )
            .contains("left.market_id: a Polymarket condition id is 0x and 64 hex digits"))
    }

    @Test func aComplementIsStoredAsPolarity() throws {
        let json =
            #"{"cross_market_parity_checks":[{"group_id":"p","relationship":"complement","left":{"venue":"kalshi","market_id":"KX-A"},"right":{"venue":"kalshi","market_id":"KX-B","side":"no"}}]}"#
        let rules = try RulesFile.load(data: Data(json.utf8), file: "r.json")
        // Right NO, complemented: its YES is the left's YES.
        #expect(rules[0].members.map(\.isInverted) == [false, false])
        // And the format round-trips.
        let again = try RulesFile.load(data: RulesFile.encode(rules), file: "again.json")
        #expect(
            again
                == rules.map {
                    var r = $0; r.source = "again.json: cross_market_parity_checks[0]"; return r
                })
    }

    @Test func indexFindsEveryGroupOfAMarket() throws {
        var universe = Universe()
        try universe.load(file: "\(Self.arbBot)/structural_rules.generated.v2_with_parity.json")
        try universe.load(file: "\(Self.arbBot)/cross_venue_map.strict.csv")
        #expect(universe.files.count == 2, "\(universe.warnings)")
        #expect(universe.groups.count == 245 + 592 + 592)
        let key = MarketKey(venue: "kalshi", marketID: "KXDCMAYORD-26-RWHI")
        let id = try #require(universe.marketID(key))
        let kinds = universe.groups(ofMarket: id).map { universe.groups[Int($0)].kind }
        #expect(kinds.contains(.parity) && kinds.contains(.pair))
        // Every member of every group is indexed back to it.
        for (g, rule) in universe.groups.enumerated() {
            for m in rule.members { #expect(universe.groups(ofMarket: universe.marketID(m.key)!).contains(Int32(g))) }
        }
    }

    @Test func indexKnowsEachMembersPlaceInItsGroup() throws {
        var universe = Universe()
        try universe.load(file: "\(Self.arbBot)/structural_rules.generated.v2_with_parity.json")
        try universe.load(file: "\(Self.arbBot)/cross_venue_map.strict.csv")
        var placeCount = 0
        for (g, rule) in universe.groups.enumerated() {
            #expect(universe.marketsOfGroup[g] == rule.members.map { universe.marketID($0.key)! })
            for (i, m) in rule.members.enumerated() {
                let places = universe.memberships(ofMarket: universe.marketID(m.key)!)
                #expect(places.contains { $0.group == Int32(g) && $0.member == Int32(i) })
                placeCount += 1
            }
        }
        #expect(universe.marketKeys.indices.reduce(0) { $0 + universe.memberships(ofMarket: $1).count } == placeCount)
    }

    @Test func directoryLoadSkipsFilesThatAreNotMappingsOrRules() throws {
        let folder = NSTemporaryDirectory() + "universe-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for name in [
            "cross_venue_map.strict.csv", "cross_venue_map.live.csv", "structural_rules.generated.v2_with_parity.json",
            "forecastex_kalshi_mapping.csv", "forecastex_conid_catalog.json",
        ] {
            try FileManager.default.copyItem(atPath: "\(Self.arbBot)/\(name)", toPath: "\(folder)/\(name)")
        }
        let universe = try Universe.load(directory: folder)
        #expect(universe.files.count == 3, "\(universe.files)")
        #expect(universe.groups.count == 592 + 743 + 245 + 592)
        #expect(universe.warnings.contains { $0.contains("forecastex_kalshi_mapping.csv: not a market mapping") })
        #expect(universe.warnings.contains { $0.contains("forecastex_conid_catalog.json: not a rules file") })
    }
}
