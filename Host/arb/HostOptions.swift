import ArgumentParser
import Foundation
import PluginHost

/// Where the host finds manifests, libraries and its state; shared by every subcommand.
struct HostOptions: ParsableArguments {
    @Option(name: .customLong("plugins-dir"), help: "Manifest folder (env ARB_PLUGINS_DIR).")
    var pluginsDirectory: String = ProcessInfo.processInfo.environment["ARB_PLUGINS_DIR"] ?? "plugins.d"

    @Option(name: .customLong("state-dir"), help: "Host state: plugin cache, plugin state (env ARB_STATE_DIR).")
    var stateDirectory: String = ProcessInfo.processInfo.environment["ARB_STATE_DIR"] ?? ".arb-state"

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

    func makeManager(log: @escaping HostRuntime.LogHandler = HostRuntime.standardErrorLog) -> PluginManager {
        let runtime = HostRuntime(log: log, state: FileStateStore(directory: "\(stateDirectory)/plugin-state"))
        return PluginManager(
            directory: ManifestDirectory(path: pluginsDirectory),
            loader: LibraryLoader(searchPath: searchPath, cacheDirectory: "\(stateDirectory)/plugin-cache"),
            runtime: runtime)
    }
}
