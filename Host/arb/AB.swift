import ArgumentParser
import Foundation
import PluginHost

struct AB: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ab", abstract: "Compare the sizing arms A (live) and B (shadow).", subcommands: [Report.self])
}

extension AB {
    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Arm A against arm B over recorded opportunities, with a significance estimate.")

        @Argument(help: "A/B records (JSON Lines) written by `arb demo`; default <state-dir>/ab.jsonl.")
        var file: String?

        @Option(name: .customLong("state-dir"), help: "Host state folder (env ARB_STATE_DIR).")
        var stateDirectory: String = ProcessInfo.processInfo.environment["ARB_STATE_DIR"] ?? ".arb-state"

        func run() throws {
            let path = file ?? "\(stateDirectory)/ab.jsonl"
            guard FileManager.default.fileExists(atPath: path) else {
                throw ValidationError("no A/B records at \(path) — run `arb demo` with manifests in arms A and B first")
            }
            let records = try ABReport.load(path: path)
            print(ABReport(records: records).text)
        }
    }
}
