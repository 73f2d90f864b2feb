import Foundation
import Synchronization

/// Small persistent values per manifest id (Thompson posteriors, a drawdown halt), kept across
/// restarts and hot swaps. Thread-safe.
public protocol PluginStateStore: Sendable {
    func value(pluginID: String, key: String) -> [UInt8]?
    func setValue(_ value: [UInt8], pluginID: String, key: String) throws
}

/// A state store in a directory: one file per value, written atomically (write, then rename).
public struct FileStateStore: PluginStateStore {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    public func value(pluginID: String, key: String) -> [UInt8]? {
        FileManager.default.contents(atPath: path(pluginID, key)).map { Array($0) }
    }

    public func setValue(_ value: [UInt8], pluginID: String, key: String) throws {
        let file = path(pluginID, key)
        try FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(value).write(to: URL(fileURLWithPath: file), options: .atomic)
    }

    /// Ids and keys are percent-encoded so no value can escape the directory.
    private func path(_ pluginID: String, _ key: String) -> String {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "._-"))
        let id = pluginID.addingPercentEncoding(withAllowedCharacters: allowed) ?? "_"
        let k = key.addingPercentEncoding(withAllowedCharacters: allowed) ?? "_"
        return "\(directory)/\(id)/\(k)"
    }
}

/// A state store in memory: replays start from empty state so every run decides the same.
public final class MemoryStateStore: PluginStateStore {
    private let values = Mutex<[String: [UInt8]]>([:])

    public init() {}

    public func value(pluginID: String, key: String) -> [UInt8]? { values.withLock { $0["\(pluginID)\u{0}\(key)"] } }

    public func setValue(_ value: [UInt8], pluginID: String, key: String) throws {
        values.withLock { $0["\(pluginID)\u{0}\(key)"] = value }
    }
}
