import ArgumentParser
import Foundation
import PluginHost

struct Plugins: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, enable, disable, roll back and verify plugins.",
        subcommands: [List.self, Enable.self, Disable.self, Rollback.self, Verify.self])
}

extension Plugins {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Load every manifest and show its status.")
        @OptionGroup var host: HostOptions

        func run() throws {
            let manager = try host.makeManager()
            manager.reload()
            print(PluginTable.render(manager.statuses))
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load every enabled plugin; exit non-zero when any fails.")
        @OptionGroup var host: HostOptions

        func run() throws {
            let manager = try host.makeManager()
            manager.reload()
            let statuses = manager.statuses
            for status in statuses {
                let id = status.manifest?.id ?? (status.manifestFile as NSString).lastPathComponent
                let sha = status.library.map { " sha256=\($0.sha256)" } ?? ""
                print("\(status.isHealthy ? "ok  " : "FAIL") \(id): \(status.stateDescription)\(sha)")
            }
            let failed = statuses.filter { !$0.isHealthy }.count
            print("\(statuses.count - failed) passed, \(failed) failed")
            if failed > 0 { throw ExitCode.failure }
        }
    }

    struct Enable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set enabled = true in a manifest (atomic edit).")
        @OptionGroup var host: HostOptions
        @Argument(help: "The manifest id.") var id: String

        func run() throws { try host.setEnabled(true, id: id) }
    }

    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set enabled = false in a manifest (atomic edit).")
        @OptionGroup var host: HostOptions
        @Argument(help: "The manifest id.") var id: String

        func run() throws { try host.setEnabled(false, id: id) }
    }

    struct Rollback: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Restore the previous applied version of one module's manifest.")
        @OptionGroup var host: HostOptions
        @Argument(help: "The manifest id.") var id: String

        func run() throws {
            let file = try host.manifestDirectory.rollback(id: id)
            print("rolled back \(id): \(file) restored from \(host.manifestDirectory.history.path)")
        }
    }
}

extension HostOptions {
    var manifestDirectory: ManifestDirectory { ManifestDirectory(path: pluginsDirectory) }

    func setEnabled(_ enabled: Bool, id: String) throws {
        let file = try manifestDirectory.setEnabled(enabled, id: id)
        print("\(enabled ? "enabled" : "disabled") \(id) (\(file)); a running host applies it on its next check")
    }
}

/// The `plugins list` table.
enum PluginTable {
    static func render(_ statuses: [PluginStatus]) -> String {
        let header = ["ID", "KIND", "VERSION", "ABI", "ORDER", "ARM", "ENABLED", "LIBRARY", "SHA256", "STATUS"]
        let rows = statuses.map { s -> [String] in
            let m = s.manifest
            return [
                m?.id ?? (s.manifestFile as NSString).lastPathComponent, m?.kind.rawValue ?? "-",
                s.library?.version ?? "-", s.library?.abiVersion ?? "-", m.map { String($0.order) } ?? "-",
                m?.arm ?? "-", m.map { $0.enabled ? "yes" : "no" } ?? "-", m?.library ?? "-",
                s.library.map { String($0.sha256.prefix(12)) } ?? "-", s.stateDescription,
            ]
        }
        let widths = header.indices.map { i in ([header] + rows).map { $0[i].count }.max() ?? 0 }
        return ([header] + rows).map { row in
            row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }
            .joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
