import Foundation
import PluginHost

/// Where `swift build` put the plugin libraries: beside the test bundle (.build/<config>/).
let buildDirectory: String = {
    let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
    // .build/debug/arbPackageTests.xctest may itself be a folder on some setups.
    if dir.lastPathComponent.hasSuffix(".xctest") { dir = dir.deletingLastPathComponent() }
    return dir.path
}()

/// The repository root (three levels above this file).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// A fresh temporary folder with a plugins.d/ and a state dir, removed by the caller's scope.
struct Sandbox {
    let root: String
    var pluginsDirectory: String { root + "/plugins.d" }
    var stateDirectory: String { root + "/state" }

    init() throws {
        root = NSTemporaryDirectory() + "arb-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root + "/plugins.d", withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) throws {
        try text.write(toFile: "\(pluginsDirectory)/\(name)", atomically: true, encoding: .utf8)
    }

    func makeManager(log: @escaping HostRuntime.LogHandler = { _, _, _ in }) -> PluginManager {
        PluginManager(
            directory: ManifestDirectory(path: pluginsDirectory),
            loader: LibraryLoader(searchPath: [root, buildDirectory], cacheDirectory: stateDirectory + "/cache"),
            runtime: HostRuntime(log: log, state: FileStateStore(directory: stateDirectory + "/plugin-state")))
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }
}

/// Compiles a C plugin into the sandbox with the system C compiler, from the header alone.
func compileC(_ source: String, output: String, defines: [String] = []) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments =
        ["cc", "-shared", "-fPIC", "-O1", "-I", repositoryRoot + "/PluginAPI/CArbPluginAPI/include"]
        + defines.map { "-D" + $0 } + ["-o", output, source]
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw CompileError(source: source) }
}

struct CompileError: Error { var source: String }

/// A fixture source with knobs for the failure classes (no entry, wrong ABI, wrong kind).
let fixturePluginSource = repositoryRoot + "/Tests/PluginHostTests/Fixtures/fixture_plugin.c"
let cExampleSource = repositoryRoot + "/Examples/CPlugin/max_baskets_step.c"

func manifest(id: String, kind: String, library: String, extra: String = "", config: String = "") -> String {
    "id = \"\(id)\"\nkind = \"\(kind)\"\nlibrary = \"\(library)\"\n\(extra)\n[config]\n\(config)\n"
}
