import ArgumentParser
import Foundation
import PluginHost

/// Where the host finds manifests, libraries and its state; shared by every subcommand.
struct HostOptions: ParsableArguments {
    @Option(name: .customLong("plugins-dir"), help: "Manifest folder (env ARB_PLUGINS_DIR).")
    var pluginsDirectory: String = ProcessInfo.processInfo.environment["ARB_PLUGINS_DIR"] ?? "plugins.d"

    @Option(name: .customLong("state-dir"), help: "Host state: plugin cache, plugin state (env ARB_STATE_DIR).")
    var stateDirectory: String = ProcessInfo.processInfo.environment["ARB_STATE_DIR"] ?? ".arb-state"

    @Option(help: "Host settings file with the signing keys (env ARB_SETTINGS); optional.")
    var settings: String?

    /// `--settings`, else $ARB_SETTINGS, else none.
    var settingsPath: String? { settings ?? ProcessInfo.processInfo.environment["ARB_SETTINGS"] }

    func validate() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: pluginsDirectory, isDirectory: &isDirectory), isDirectory.boolValue
        else {
            throw ValidationError(
                "plugins directory \(pluginsDirectory) does not exist — pass --plugins-dir or set ARB_PLUGINS_DIR")
        }
    }

    /// Bare library names are searched in $ARB_PLUGIN_PATH, then beside the `arb` executable
    /// (where `swift build` puts the plugin .so files).
    var searchPath: [String] {
        let fromEnvironment = (ProcessInfo.processInfo.environment["ARB_PLUGIN_PATH"] ?? "")
            .split(separator: ":").map(String.init)
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        return fromEnvironment + [executable.deletingLastPathComponent().path]
    }

    /// Reads the settings and every key file: a bad key stops the host here, with the reason.
    func loadKeys() throws -> KeyStore {
        guard let settings = settingsPath else { return KeyStore(keys: []) }
        do {
            let text = try String(contentsOfFile: settings, encoding: .utf8)
            return try HostSettings(text: text, path: settings, environment: ProcessInfo.processInfo.environment)
                .loadKeyStore()
        } catch let error as CocoaError where error.code == .fileReadNoSuchFile {
            throw ValidationError("settings file \(settings) does not exist")
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// The embedded store, `<state-dir>/arb.sqlite`: decisions, paper fills, plugin state.
    func openStore() throws -> ArbStore {
        do {
            return try ArbStore(path: "\(stateDirectory)/arb.sqlite")
        } catch {
            throw ValidationError("cannot open the store: \(error)")
        }
    }

    /// - Parameter state: where plugins keep state; default the state directory (replays pass
    ///   a memory store so every run starts from the same state).
    func makeManager(
        onlyFile: String? = nil, log: @escaping HostRuntime.LogHandler = HostRuntime.standardErrorLog,
        state: (any PluginStateStore)? = nil, pluginsDirectory: String? = nil, keys: KeyStore? = nil
    ) throws -> PluginManager {
        let runtime = HostRuntime(log: log, keys: try keys ?? loadKeys(), state: try state ?? openStore())
        return PluginManager(
            directory: ManifestDirectory(path: pluginsDirectory ?? self.pluginsDirectory, onlyFile: onlyFile),
            loader: LibraryLoader(searchPath: searchPath, cacheDirectory: "\(stateDirectory)/plugin-cache"),
            runtime: runtime)
    }
}
