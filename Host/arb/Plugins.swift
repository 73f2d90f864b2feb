import ArgumentParser
import Foundation
import PluginHost

struct Plugins: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, enable, disable, roll back and verify plugins.",
        subcommands: [List.self, Enable.self, Disable.self, Rollback.self, Verify.self, Probe.self])
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
            abstract: "Load every plugin, each in its own process; exit non-zero when any fails.")
        @OptionGroup var host: HostOptions

        @Flag(help: "Load all plugins in this process instead (faster; a plugin that crashes takes verify with it).")
        var inProcess = false

        func run() throws {
            let lines: [(healthy: Bool, text: String)]
            if inProcess {
                let manager = try host.makeManager()
                manager.reload()
                lines = manager.statuses.map(VerifyLine.make)
            } else {
                _ = try host.makeManager()  // settings and keys are checked once, up front
                var owner: [String: String] = [:]
                lines = ManifestDirectory(path: host.pluginsDirectory).read().map { entry in
                    // Duplicate ids need the whole folder: checked here, not in the one-file probes.
                    if let id = (try? entry.result.get())?.id {
                        if let first = owner[id] {
                            let e = PluginLoadError(
                                .duplicateID, manifest: entry.file,
                                "id \"\(id)\" is already used by \(first) — give each manifest its own id")
                            return (false, "FAIL \(id): error [\(e.code)]: \(e.detail)")
                        }
                        owner[id] = entry.file
                    }
                    return probe(entry)
                }
            }
            lines.forEach { print($0.text) }
            let failed = lines.filter { !$0.healthy }.count
            print("\(lines.count - failed) passed, \(failed) failed")
            if failed > 0 { throw ExitCode.failure }
        }

        /// Loads one manifest alone in a child `arb plugins probe`, so a plugin that traps is
        /// reported instead of ending verify.
        func probe(_ entry: ManifestDirectory.Entry) -> (healthy: Bool, text: String) {
            let name = (try? entry.result.get())?.id ?? (entry.file as NSString).lastPathComponent
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/proc/self/exe")
            process.arguments =
                [
                    "plugins", "probe", entry.file, "--plugins-dir", host.pluginsDirectory, "--state-dir",
                    host.stateDirectory,
                ]
                + (host.settingsPath.map { ["--settings", $0] } ?? [])
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            do {
                try process.run()
            } catch {
                return (false, "FAIL \(name): cannot start a probe process: \(error)")
            }
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            if process.terminationReason == .uncaughtSignal {
                return (
                    false,
                    "FAIL \(name): the plugin crashed its process while loading (signal \(process.terminationStatus)) — keep it disabled"
                )
            }
            let line = output.split(separator: "\n").last.map(String.init) ?? ""
            return (line.hasPrefix("ok  "), line.isEmpty ? "FAIL \(name): the probe printed nothing" : line)
        }
    }

    /// Loads one manifest alone and prints its verify line.
    struct Probe: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load one manifest and print its verify line (used by verify).", shouldDisplay: false)
        @OptionGroup var host: HostOptions
        @Argument(help: "The manifest file.") var file: String

        func run() throws {
            let manager = try host.makeManager(onlyFile: file)
            manager.reload()
            guard let status = manager.statuses.first else {
                print("FAIL \(file): not a manifest of \(host.pluginsDirectory)")
                throw ExitCode.failure
            }
            print(VerifyLine.make(status).text)
        }
    }
}

/// One line of `arb plugins verify`.
enum VerifyLine {
    static func make(_ status: PluginStatus) -> (healthy: Bool, text: String) {
        let id = status.manifest?.id ?? (status.manifestFile as NSString).lastPathComponent
        let sha = status.library.map { " sha256=\($0.sha256)" } ?? ""
        return (status.isHealthy, "\(status.isHealthy ? "ok  " : "FAIL") \(id): \(status.stateDescription)\(sha)")
    }
}

extension Plugins {
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
