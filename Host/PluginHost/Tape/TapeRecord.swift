import Foundation
import PluginKit

/// One venue message as the host received it: a REST response (with the request it answers)
/// or a stream frame. A tape is these records, one JSON object per line, in receive order.
///
/// ```json
/// {"t":1764064800000000000,"venue":"kalshi","type":"response","method":"GET","url":"https://…/markets?limit=200","status":200,"body":"{…}"}
/// {"t":1764064800000123000,"venue":"kalshi","type":"frame","body":"{\"type\":\"orderbook_delta\",…}"}
/// ```
///
/// Bodies are kept as text (every venue here speaks JSON). Request headers are not recorded:
/// they carry signatures, and a replay never sends anything.
public struct TapeRecord: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        case response
        case frame
        /// The groups the run evaluated, as a rules file (RulesFile format) in `body`: the first
        /// record of a tape, so a replay evaluates the same universe.
        case universe
        /// The venue's ingest queue overflowed here (`body`: frames dropped). A replay withholds
        /// the venue's quotes and resyncs it at the same point, as the live run did.
        case overflow
        /// The venue's stream had been silent past the engine's limit (`staleAfter`) here: a
        /// replay withholds its quotes and reopens its stream at the same point, as the live run
        /// did. What the reopening received follows as inner records.
        case stale
        /// The running plugins (``PluginFingerprint`` lines in `body`): recorded when the run
        /// starts and after every manifest change, so a replay can tell when its plugins differ.
        /// Not a message: a replay reads it and cycles as if it were not there.
        case plugins

        /// A venue message: a replay hands it to the venue's plugin, and the engine may cycle after it.
        public var isMessage: Bool { self != .universe && self != .plugins }
    }

    /// Receive time, nanoseconds since the epoch.
    public var t: Nanoseconds
    public var venue: String
    public var type: Kind
    public var method: String?
    public var url: String?
    public var status: Int32?
    public var body: String
    /// Processed before the engine's cycle for the previous message: received while the host
    /// was still processing it (the answer to a request that message caused, a frame a
    /// subscription returned), or taken in the same batch (the engine cycles once per batch of
    /// frames). A replay runs the cycle only after the last of them, where the live run ran it.
    public var inner: Bool?

    public static func response(_ r: HTTPResponse, to request: HTTPRequest, venue: String, at t: Nanoseconds)
        -> TapeRecord
    {
        TapeRecord(
            t: t, venue: venue, type: .response, method: request.method.name, url: request.url, status: r.status,
            body: String(decoding: r.body, as: UTF8.self))
    }

    public static func universe(_ rules: [GroupRule], at t: Nanoseconds) -> TapeRecord {
        TapeRecord(t: t, venue: "", type: .universe, body: String(decoding: RulesFile.encode(rules), as: UTF8.self))
    }

    public static func overflow(venue: String, dropped: Int, at t: Nanoseconds) -> TapeRecord {
        TapeRecord(t: t, venue: venue, type: .overflow, body: String(dropped))
    }

    public static func plugins(_ plugins: [PluginFingerprint], at t: Nanoseconds) -> TapeRecord {
        TapeRecord(t: t, venue: "", type: .plugins, body: PluginFingerprint.text(plugins))
    }

    public static func stale(venue: String, at t: Nanoseconds) -> TapeRecord {
        TapeRecord(t: t, venue: venue, type: .stale, body: "")
    }

    public static func frame(_ bytes: [UInt8], venue: String, at t: Nanoseconds) -> TapeRecord {
        bytes.withUnsafeBufferPointer { frame($0, venue: venue, at: t) }
    }

    public static func frame(_ bytes: UnsafeBufferPointer<UInt8>, venue: String, at t: Nanoseconds) -> TapeRecord {
        TapeRecord(t: t, venue: venue, type: .frame, body: String(decoding: bytes, as: UTF8.self))
    }
}

/// Appends records to a tape file, one JSON line each (the bytes `JSONEncoder` with sorted keys
/// would write, made without it: the live run records every message).
public final class TapeWriter {
    private let handle: FileHandle
    public let path: String
    public private(set) var count = 0

    public init(path: String) throws {
        self.path = path
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
        }
        handle = try FileHandle(forWritingTo: url)
        try handle.truncate(atOffset: 0)
    }

    deinit { try? handle.close() }

    public func append(_ record: TapeRecord) throws {
        var line = TapeLineCodec.encode(record)
        line.append(0x0A)
        try handle.write(contentsOf: line)
        count += 1
    }
}

/// Reads a tape file. A malformed line is an error naming its line number, never skipped.
public enum TapeReader {
    public struct Malformed: Error, CustomStringConvertible {
        public var path: String
        public var line: Int
        public var reason: String
        public var description: String { "\(path):\(line): not a tape record: \(reason)" }
    }

    public static func read(path: String) throws -> [TapeRecord] { try Tape.read(path: path).records }

    /// The records of a tape's bytes (see ``Tape/parse(_:path:)``).
    public static func records(in data: Data, path: String) throws -> [TapeRecord] {
        try Tape.parse(data, path: path).records
    }
}
