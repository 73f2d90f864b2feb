/// What `arb plugins list` shows for one manifest.
public struct PluginStatus: Sendable {
    public enum State: Sendable, Equatable {
        case running
        case disabled
        /// Loading failed and nothing runs for this id.
        case failed(PluginLoadError)
        /// The new version failed; the previous one keeps running.
        case keptPrevious(PluginLoadError)
    }

    public var manifestFile: String
    public var manifest: Manifest?
    public var state: State
    /// The library that is running (or was last tried), when known.
    public var library: LoadedLibrary?

    public var isHealthy: Bool {
        switch state {
        case .running, .disabled: true
        case .failed, .keptPrevious: false
        }
    }

    public var stateDescription: String {
        switch state {
        case .running: "running"
        case .disabled: "disabled"
        case .failed(let e): "error [\(e.code)]: \(e.detail)"
        case .keptPrevious(let e): "previous version running; new one failed [\(e.code)]: \(e.detail)"
        }
    }
}
