import Foundation

/// The `plugins.d/` folder: reads manifests in file-name order, edits them atomically and keeps
/// every applied version in `.history/` so one module can be rolled back alone.
public struct ManifestDirectory: Sendable {
    public let path: String
    /// When set, only this manifest file is read (a verify probe loads one plugin alone).
    public let onlyFile: String?

    public init(path: String, onlyFile: String? = nil) {
        self.path = path
        self.onlyFile = onlyFile
    }

    /// One file's outcome: a manifest, or the reason it could not be read.
    public struct Entry: Sendable {
        public var file: String
        public var text: String
        public var result: Result<Manifest, PluginLoadError>
    }

    /// Every `*.toml` directly in the folder, sorted by name (so `10-x.toml` precedes `20-y.toml`).
    public func read() -> [Entry] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        let files = names.filter { $0.hasSuffix(".toml") }.sorted().map {
            (path as NSString).appendingPathComponent($0)
        }
        return files.filter { onlyFile == nil || $0 == onlyFile }.map { file in
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                return Entry(
                    file: file, text: "",
                    result: .failure(
                        PluginLoadError(.malformedManifest, manifest: file, "cannot read the file as UTF-8")))
            }
            return Entry(
                file: file, text: text,
                result: Result { () throws(PluginLoadError) in try Manifest.parse(text, path: file) })
        }
    }

    /// The file holding manifest `id`, if any parses with that id.
    public func file(for id: String) -> Entry? {
        read().first { (try? $0.result.get())?.id == id }
    }

    /// Sets `enabled` in manifest `id`, keeping the rest of the file as written.
    public func setEnabled(_ enabled: Bool, id: String) throws -> String {
        guard let entry = file(for: id) else {
            throw ManifestEditError(description: "no manifest in \(path) has id \"\(id)\"")
        }
        let updated = Self.settingEnabled(enabled, in: entry.text)
        try history.record(entry.text, id: id)
        try Self.writeAtomically(updated, to: entry.file)
        try history.record(updated, id: id)
        return entry.file
    }

    /// Restores the previous applied version of manifest `id`. Returns the file written.
    public func rollback(id: String) throws -> String {
        let current = file(for: id)
        guard let previous = try history.previous(id: id, before: current?.text) else {
            throw ManifestEditError(
                description: "no earlier version of \"\(id)\" in \(history.path) — nothing to roll back to")
        }
        let target = current?.file ?? (path as NSString).appendingPathComponent("\(id).toml")
        if let current { try history.record(current.text, id: id) }
        try Self.writeAtomically(previous, to: target)
        try history.record(previous, id: id)
        return target
    }

    public var history: ManifestHistory { ManifestHistory(path: (path as NSString).appendingPathComponent(".history")) }

    /// Replaces or inserts the top-level `enabled = …` line.
    static func settingEnabled(_ enabled: Bool, in text: String) -> String {
        var lines = text.components(separatedBy: "\n")
        let firstTable = lines.firstIndex { $0.trimmingCharacters(in: .whitespaces).hasPrefix("[") } ?? lines.count
        let line = "enabled = \(enabled)"
        if let i = lines[..<firstTable].firstIndex(where: {
            $0.trimmingCharacters(in: .whitespaces).range(of: #"^enabled\s*="#, options: .regularExpression) != nil
        }) {
            lines[i] = line
        } else {
            lines.insert(line, at: firstTable)
        }
        return lines.joined(separator: "\n")
    }

    /// Writes through a temporary file and rename, so the watcher never sees half a manifest.
    static func writeAtomically(_ text: String, to file: String) throws {
        let temporary = file + ".tmp"
        try text.write(toFile: temporary, atomically: false, encoding: .utf8)
        guard rename(temporary, file) == 0 else {
            throw ManifestEditError(description: "cannot replace \(file): errno \(errno)")
        }
    }
}

public struct ManifestEditError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

/// Applied manifest versions per id: `.history/<id>/<sequence>.toml`, oldest first.
public struct ManifestHistory: Sendable {
    public let path: String

    /// Appends `text` unless it equals the latest version already kept.
    public func record(_ text: String, id: String) throws {
        let folder = self.folder(id)
        let versions = self.versions(id: id)
        if let last = versions.last, (try? String(contentsOfFile: last, encoding: .utf8)) == text { return }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let next = (versions.last.flatMap { Int(($0 as NSString).lastPathComponent.prefix(6)) } ?? 0) + 1
        let name = String(repeating: "0", count: max(0, 6 - String(next).count)) + "\(next).toml"
        try text.write(toFile: (folder as NSString).appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    /// The newest kept version that differs from `current`.
    public func previous(id: String, before current: String?) throws -> String? {
        for file in versions(id: id).reversed() {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            if text != current { return text }
        }
        return nil
    }

    /// Paths of the kept versions, oldest first.
    public func versions(id: String) -> [String] {
        let folder = self.folder(id)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasSuffix(".toml") }.sorted().map { (folder as NSString).appendingPathComponent($0) }
    }

    private func folder(_ id: String) -> String {
        let safe =
            id.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "._-"))) ?? "_"
        return (path as NSString).appendingPathComponent(safe)
    }
}
