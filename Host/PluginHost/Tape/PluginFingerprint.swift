import Crypto
import Foundation

/// What identifies one running plugin for a replay: its manifest id, kind and arm, the sha256
/// of its library, and a digest of its config. A tape records the pipeline's fingerprints when
/// the run starts and after every manifest change, so a replay can say when it runs other
/// plugins than the recorded run did (its decisions may then differ, for that reason alone).
///
/// One line per plugin, fields separated by single spaces (ids, kinds and arms have none):
///
/// ```text
/// lane.bucket lane - 3f2a…(64 hex) 9c1e…(16 hex)
/// ```
public struct PluginFingerprint: Sendable, Equatable {
    public var id: String
    public var kind: String
    /// "A", "B", or "-" for a plugin outside the A/B arms.
    public var arm: String
    public var librarySHA256: String
    /// The first 16 hex digits of the sha256 of the config's canonical JSON.
    public var configDigest: String
}

// The other initializers live in an extension, so the struct keeps its memberwise one.
extension PluginFingerprint {
    init(_ instance: PluginInstance) {
        let manifest = instance.manifest
        let config = LibraryLoader.hex(SHA256.hash(data: Data(manifest.config.json.utf8))).prefix(16)
        self.init(
            id: manifest.id, kind: manifest.kind.rawValue, arm: manifest.arm ?? "-",
            librarySHA256: instance.library.sha256, configDigest: String(config))
    }

    public var line: String { "\(id) \(kind) \(arm) \(librarySHA256) \(configDigest)" }

    /// Parses a line written by `line`; nil for anything else.
    public init?(line: Substring) {
        let fields = line.split(separator: " ", omittingEmptySubsequences: false)
        guard fields.count == 5, fields.allSatisfy({ !$0.isEmpty }) else { return nil }
        self.init(
            id: String(fields[0]), kind: String(fields[1]), arm: String(fields[2]), librarySHA256: String(fields[3]),
            configDigest: String(fields[4]))
    }

    /// Every running plugin of `pipeline`, sorted by id.
    public static func of(_ pipeline: Pipeline) -> [PluginFingerprint] {
        pipeline.instances.map(PluginFingerprint.init).sorted { $0.id < $1.id }
    }

    /// A tape record's body: one line per plugin.
    public static func text(_ plugins: [PluginFingerprint]) -> String { plugins.map(\.line).joined(separator: "\n") }

    /// Parses a tape record's body; lines that are not fingerprints are left out.
    public static func parse(_ text: String) -> [PluginFingerprint] {
        text.split(separator: "\n").compactMap { PluginFingerprint(line: $0) }
    }

    /// How `current` differs from `recorded`, one sentence per plugin, sorted by id; empty when
    /// they are the same plugins, libraries and configs.
    public static func differences(recorded: [PluginFingerprint], current: [PluginFingerprint]) -> [String] {
        let before = Dictionary(recorded.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let now = Dictionary(current.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        return Set(before.keys).union(now.keys).sorted().compactMap { id -> String? in
            switch (before[id], now[id]) {
            case (_?, nil): return "\(id): ran in the recorded run, is not enabled now"
            case (nil, _?): return "\(id): is enabled now, did not run in the recorded run"
            case (let old?, let new?):
                var changes: [String] = []
                if old.librarySHA256 != new.librarySHA256 {
                    changes.append("library \(old.librarySHA256.prefix(12)) then, \(new.librarySHA256.prefix(12)) now")
                }
                if old.configDigest != new.configDigest { changes.append("config changed") }
                if old.arm != new.arm { changes.append("arm \(old.arm) then, \(new.arm) now") }
                if old.kind != new.kind { changes.append("kind \(old.kind) then, \(new.kind) now") }
                return changes.isEmpty ? nil : "\(id): " + changes.joined(separator: ", ")
            case (nil, nil): return nil
            }
        }
    }
}
