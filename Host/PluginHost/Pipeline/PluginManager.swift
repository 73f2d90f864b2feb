import Foundation
import Synchronization

/// Loads the manifests of `plugins.d/`, runs the resulting pipeline and swaps it when the folder
/// changes. A failure never takes down the others or the running pipeline: a manifest that
/// fails keeps its previous instance (if any) and reports why.
public final class PluginManager: Sendable {
    public let directory: ManifestDirectory
    public let loader: LibraryLoader
    public let runtime: HostRuntime

    private struct State {
        var pipeline: Pipeline
        var statuses: [PluginStatus] = []
        /// What each running instance was built from, to reuse it when nothing changed.
        var loadKeys: [String: LoadKey] = [:]
        /// Manifest id per file, so a file that stops parsing keeps its module running.
        var idByFile: [String: String] = [:]
        var fingerprint: Fingerprint? = nil
    }

    /// A manifest plus the identity of its library file: equal keys mean "same plugin, same config".
    struct LoadKey: Equatable {
        var manifest: Manifest
        var library: FileStamp?
    }

    private let state: Mutex<State>

    public init(directory: ManifestDirectory, loader: LibraryLoader, runtime: HostRuntime) {
        self.directory = directory
        self.loader = loader
        self.runtime = runtime
        state = Mutex(State(pipeline: Pipeline(generation: 0, instances: [])))
    }

    /// The current pipeline. The engine reads it once per cycle and keeps it for the cycle.
    public var pipeline: Pipeline { state.withLock { $0.pipeline } }

    /// Per-manifest status of the last reload, in file order.
    public var statuses: [PluginStatus] { state.withLock { $0.statuses } }

    /// What a reload changed.
    public struct Report: Sendable {
        public var generation: Int
        public var switched: Bool
        public var loaded: [String] = []
        public var unloaded: [String] = []
        public var errors: [PluginLoadError] = []
    }

    /// Reads `plugins.d/`, builds the new pipeline beside the running one and switches to it.
    @discardableResult
    public func reload() -> Report { reload(directory.read()) }

    /// Applies manifests already read (the watcher read them to compute its fingerprint).
    private func reload(_ entries: [ManifestDirectory.Entry]) -> Report {
        let fingerprint = Fingerprint(entries: entries, loader: loader)
        // Build outside the lock: loading runs plugin code, which may call back into the host.
        let previous = state.withLock { ($0.pipeline, $0.loadKeys, $0.idByFile) }
        let (oldPipeline, oldKeys, oldIDByFile) = previous

        var instances: [PluginInstance] = []
        var keys: [String: LoadKey] = [:]
        var statuses: [PluginStatus] = []
        var idByFile: [String: String] = [:]
        var seenIDs: [String: String] = [:]
        var report = Report(generation: oldPipeline.generation, switched: false)

        /// Keeps the running instance of `id`, if any, after its new version failed.
        func keepPrevious(id: String) -> PluginInstance? {
            guard let old = oldPipeline.instance(id: id), seenIDs[id] == nil || seenIDs[id] == old.manifest.path else {
                return nil
            }
            instances.append(old)
            keys[id] = oldKeys[id]
            return old
        }

        for entry in entries {
            let manifest: Manifest
            switch entry.result {
            case .failure(let error):
                report.errors.append(error)
                if let id = oldIDByFile[entry.file], let old = keepPrevious(id: id) {
                    idByFile[entry.file] = id
                    seenIDs[id] = entry.file
                    statuses.append(
                        PluginStatus(
                            manifestFile: entry.file, manifest: old.manifest, state: .keptPrevious(error),
                            library: old.library))
                } else {
                    statuses.append(PluginStatus(manifestFile: entry.file, manifest: nil, state: .failed(error)))
                }
                continue
            case .success(let m):
                manifest = m
            }
            if let other = seenIDs[manifest.id] {
                let error = PluginLoadError(
                    .duplicateID, manifest: entry.file,
                    "id \"\(manifest.id)\" is already used by \(other) — give each manifest its own id")
                report.errors.append(error)
                statuses.append(PluginStatus(manifestFile: entry.file, manifest: manifest, state: .failed(error)))
                continue
            }
            seenIDs[manifest.id] = entry.file
            idByFile[entry.file] = manifest.id
            guard manifest.enabled else {
                statuses.append(PluginStatus(manifestFile: entry.file, manifest: manifest, state: .disabled))
                try? directory.history.record(entry.text, id: manifest.id)
                continue
            }
            let key = LoadKey(manifest: manifest, library: (try? loader.resolve(manifest)).flatMap(FileStamp.init))
            if let old = oldPipeline.instance(id: manifest.id), oldKeys[manifest.id] == key {
                instances.append(old)
                keys[manifest.id] = key
                statuses.append(
                    PluginStatus(manifestFile: entry.file, manifest: manifest, state: .running, library: old.library))
                continue
            }
            do {
                let library = try loader.load(manifest)
                let instance = try PluginInstance(manifest: manifest, library: library, runtime: runtime)
                instances.append(instance)
                keys[manifest.id] = key
                report.loaded.append(manifest.id)
                statuses.append(
                    PluginStatus(manifestFile: entry.file, manifest: manifest, state: .running, library: library))
                try? directory.history.record(entry.text, id: manifest.id)
            } catch {
                report.errors.append(error)
                if let old = keepPrevious(id: manifest.id) {
                    statuses.append(
                        PluginStatus(
                            manifestFile: entry.file, manifest: manifest, state: .keptPrevious(error),
                            library: old.library))
                } else {
                    statuses.append(PluginStatus(manifestFile: entry.file, manifest: manifest, state: .failed(error)))
                }
            }
        }

        let newIDs = Set(instances.map { ObjectIdentifier($0) })
        let oldIDs = Set(oldPipeline.instances.map { ObjectIdentifier($0) })
        report.unloaded = oldPipeline.instances.filter { !newIDs.contains(ObjectIdentifier($0)) }.map(\.manifest.id)
        let changed = newIDs != oldIDs || instances.map(\.manifest) != oldPipeline.instances.map(\.manifest)

        state.withLock { state in
            if changed {
                state.pipeline = Pipeline(generation: oldPipeline.generation + 1, instances: instances)
                runtime.setVenues(state.pipeline.venues)
            }
            state.statuses = statuses
            state.loadKeys = keys
            state.idByFile = idByFile
            state.fingerprint = fingerprint
            report.generation = state.pipeline.generation
        }
        report.switched = changed
        return report
    }

    /// Reloads when a manifest or a referenced library changed since the last reload.
    @discardableResult
    public func reloadIfChanged() -> Report? {
        let entries = directory.read()
        guard state.withLock({ $0.fingerprint }) != Fingerprint(entries: entries, loader: loader) else { return nil }
        return reload(entries)
    }

    /// Polls `plugins.d/` every `interval` and applies changes until the task is cancelled.
    /// `onReload` sees every report (log it: a failed load says why there).
    public func watch(every interval: Duration = .milliseconds(250), onReload: @escaping @Sendable (Report) -> Void)
        -> Task<Void, Never>
    {
        Task.detached { [self] in
            while !Task.isCancelled {
                if let report = reloadIfChanged() { onReload(report) }
                try? await Task.sleep(for: interval)
            }
        }
    }
}

/// Size and modification time of a file: a cheap "did it change" test.
struct FileStamp: Equatable, Sendable {
    var path: String
    var size: Int
    var modified: Double

    init?(path: String) {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
        self.path = path
        size = (attributes[.size] as? NSNumber)?.intValue ?? -1
        modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
    }
}

/// Everything whose change should trigger a reload: manifest texts and library stamps.
struct Fingerprint: Equatable, Sendable {
    var manifests: [String]
    var libraries: [FileStamp?]

    init(entries: [ManifestDirectory.Entry], loader: LibraryLoader) {
        manifests = entries.map { $0.file + "\u{0}" + $0.text }
        libraries = entries.map { entry in
            (try? entry.result.get()).flatMap { try? loader.resolve($0) }.flatMap(FileStamp.init)
        }
    }
}
