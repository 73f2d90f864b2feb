/// Why a plugin could not be loaded: a stable code and one line that names the manifest and the fix.
public struct PluginLoadError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Failure classes, as a struct so adding one never breaks a switch.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let malformedManifest = Code(rawValue: "malformed-manifest")
        public static let invalidManifest = Code(rawValue: "invalid-manifest")
        public static let unknownKind = Code(rawValue: "unknown-kind")
        public static let duplicateID = Code(rawValue: "duplicate-id")
        public static let missingLibrary = Code(rawValue: "missing-library")
        public static let unloadableLibrary = Code(rawValue: "unloadable-library")
        public static let missingEntry = Code(rawValue: "missing-entry")
        public static let badDescriptor = Code(rawValue: "bad-descriptor")
        public static let abiMismatch = Code(rawValue: "abi-mismatch")
        public static let toolchainMismatch = Code(rawValue: "toolchain-mismatch")
        public static let kindMismatch = Code(rawValue: "kind-mismatch")
        public static let shaMismatch = Code(rawValue: "sha256-mismatch")
        public static let configRejected = Code(rawValue: "config-rejected")
        public static let createFailed = Code(rawValue: "create-failed")
    }

    public var code: Code
    /// The manifest file the error is about.
    public var manifest: String
    /// What is wrong and how to fix it.
    public var detail: String

    public init(_ code: Code, manifest: String, _ detail: String) {
        self.code = code
        self.manifest = manifest
        self.detail = detail
    }

    /// `plugins.d/20-lane.toml: <detail>` — one line, as shown to the user.
    public var description: String { "\(manifest): \(detail)" }
}
