import CArbPluginAPI

/// An error a plugin reports to the host: an ABI status code and a one-line message.
///
/// Throw it from any plugin method; the SDK turns it into the status code and writes the
/// message to the host's error sink. Any other error becomes ``Code/internal`` with its
/// description. Nothing ever unwinds across the C boundary.
public struct PluginError: Error, CustomStringConvertible, Sendable {
    /// The ABI status codes (`ARB_ERR_*`), as a struct so new codes never break a switch.
    public struct Code: RawRepresentable, Hashable, Sendable {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        public static let invalidArgument = Code(rawValue: Int32(ARB_ERR_INVALID_ARGUMENT))
        public static let config = Code(rawValue: Int32(ARB_ERR_CONFIG))
        public static let unsupported = Code(rawValue: Int32(ARB_ERR_UNSUPPORTED))
        public static let parse = Code(rawValue: Int32(ARB_ERR_PARSE))
        public static let notFound = Code(rawValue: Int32(ARB_ERR_NOT_FOUND))
        public static let buffer = Code(rawValue: Int32(ARB_ERR_BUFFER))
        public static let state = Code(rawValue: Int32(ARB_ERR_STATE))
        public static let `internal` = Code(rawValue: Int32(ARB_ERR_INTERNAL))
        public static let venue = Code(rawValue: Int32(ARB_ERR_VENUE))
        public static let rateLimited = Code(rawValue: Int32(ARB_ERR_RATE_LIMITED))
        public static let auth = Code(rawValue: Int32(ARB_ERR_AUTH))
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// A rejected `[config]` table: name the key and what is wrong with it.
    public static func config(_ message: String) -> PluginError { PluginError(.config, message) }

    public var description: String { message }
}
