import Foundation
import PluginKit

/// A tape held in memory for replay: each field of the records in an array of its own, and
/// every record's body in one buffer of bytes, in tape order.
///
/// Why not `[TapeRecord]`: a record there is about 100 bytes of fields plus a heap String per
/// body, so a replay read each record's fields, retained its body, and touched a separate
/// object per message scattered over the heap. Here the bodies lie end to end (the replay reads
/// them as a stream) and a record's venue is an index, so a replay finds its session without
/// comparing names; reading a frame's line allocates nothing. ``records`` and ``subscript(_:)``
/// give `TapeRecord`s back.
public struct Tape: Sendable {
    /// How many records.
    public var count: Int { kinds.count }
    /// The venues the records name, in order of first appearance.
    public private(set) var venues: [String] = []
    private var venueIndex: [String: Int32] = [:]

    private(set) var kinds: [TapeRecord.Kind] = []
    private(set) var times: [Nanoseconds] = []
    private(set) var inner: [Bool?] = []
    /// Per record: its index in ``venues``.
    private(set) var venueOf: [Int32] = []
    /// Record `i`'s body is `bodies[bodyStart(i)..<bodyEnds[i]]`.
    private(set) var bodies: [UInt8] = []
    private(set) var bodyEnds: [Int] = []
    /// Method, URL and status, by record: only responses have them.
    private(set) var requests: [Int: Request] = [:]

    struct Request: Sendable, Equatable {
        var method: String?
        var url: String?
        var status: Int32?
    }

    public init() {}

    public init(records: [TapeRecord]) {
        for r in records { append(r) }
    }

    public mutating func append(_ r: TapeRecord) {
        bodies.append(contentsOf: r.body.utf8)
        appendFields(
            t: r.t, venue: r.venue, type: r.type, request: Request(method: r.method, url: r.url, status: r.status),
            inner: r.inner)
    }

    /// Appends a record whose body was already written at the end of ``bodies`` (by the line
    /// scanner, straight from the file).
    mutating func appendFields(t: Nanoseconds, venue: String, type: TapeRecord.Kind, request: Request, inner: Bool?) {
        kinds.append(type)
        times.append(t)
        self.inner.append(inner)
        venueOf.append(intern(venue))
        bodyEnds.append(bodies.count)
        if request != Request() { requests[count - 1] = request }
    }

    /// Appends body bytes for the record being scanned; ``truncateBodies(to:)`` takes them back.
    mutating func appendBody(_ bytes: some Sequence<UInt8>) { bodies.append(contentsOf: bytes) }
    var bodyCount: Int { bodies.count }
    mutating func truncateBodies(to n: Int) { bodies.removeSubrange(n...) }

    private mutating func intern(_ venue: String) -> Int32 {
        // Most records name the venue the previous one did: compared, not hashed.
        if let last = venueOf.last, venues[Int(last)] == venue { return last }
        if let i = venueIndex[venue] { return i }
        let i = Int32(venues.count)
        venues.append(venue)
        venueIndex[venue] = i
        return i
    }

    func bodyStart(_ i: Int) -> Int { i == 0 ? 0 : bodyEnds[i - 1] }

    /// Record `i`'s body as text (invalid UTF-8 repaired, as a `TapeRecord`'s body is).
    func bodyString(_ i: Int) -> String {
        bodies.withUnsafeBufferPointer {
            String(decoding: UnsafeBufferPointer(rebasing: $0[bodyStart(i)..<bodyEnds[i]]), as: UTF8.self)
        }
    }

    public subscript(i: Int) -> TapeRecord {
        let request = requests[i] ?? Request()
        return TapeRecord(
            t: times[i], venue: venues[Int(venueOf[i])], type: kinds[i], method: request.method, url: request.url,
            status: request.status, body: bodyString(i), inner: inner[i])
    }

    public var records: [TapeRecord] { (0..<count).map { self[$0] } }
}

extension Tape {
    /// Reads a tape file. A malformed line is an error naming its line number, never skipped.
    /// The file is read in blocks, so it is never held whole beside the tape made of it.
    /// - Parameter progress: called after each block with the bytes read so far and the file's size.
    public static func read(path: String, progress: ((_ read: Int, _ total: Int) -> Void)? = nil) throws -> Tape {
        try read(path: path, blockSize: 8 << 20, progress: progress)
    }

    static func read(path: String, blockSize: Int, progress: ((Int, Int) -> Void)? = nil) throws -> Tape {
        let (file, size) = try open(path)
        defer { try? file.close() }
        var reader = LineReader(path: path)
        reader.reserve(size)
        var done = 0
        while case let n = try reader.feedBlock(of: file, size: blockSize), n > 0 {
            done += n
            progress?(done, max(size, done))
        }
        try reader.finish()
        return reader.tape
    }

    /// A tape file opened for reading, with its size (0 when the system does not say).
    static func open(_ path: String) throws -> (file: FileHandle, size: Int) {
        guard let file = FileHandle(forReadingAtPath: path) else {
            throw TapeReader.Malformed(path: path, line: 0, reason: "cannot read the file")
        }
        return (file, (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0)
    }

    /// The tape in a file's bytes (see ``read(path:)``).
    public static func parse(_ data: Data, path: String) throws -> Tape {
        var reader = LineReader(path: path)
        reader.reserve(data.count)
        try data.withUnsafeBytes { try reader.feed($0.bindMemory(to: UInt8.self)) }
        try reader.finish()
        return reader.tape
    }

    /// Cuts a tape file's bytes, given block by block, into lines and appends each line's
    /// record. Each line goes through the byte scanner of ``TapeLineCodec``, which writes the body
    /// straight into the tape; a line it does not take is decoded by `JSONDecoder`, which also
    /// names what is wrong with a malformed one.
    struct LineReader {
        let path: String
        private(set) var tape = Tape()
        /// Lines so far, empty ones included: a malformed line is named by its number.
        private(set) var lineNumber = 0
        /// The start of a line the last block ended inside.
        private var partial: [UInt8] = []
        private let decoder = JSONDecoder()

        init(path: String) { self.path = path }

        /// Room for the bodies of a file of `fileSize` bytes. A body is at most as long as its
        /// line (unless invalid UTF-8 in it is repaired), so the buffer does not move; what the
        /// bodies leave unused (quotes, escapes, the other fields) is never written, so it takes
        /// address space but no memory.
        mutating func reserve(_ fileSize: Int) { tape.bodies.reserveCapacity(fileSize) }

        /// The records read so far, handed over; the reader goes on into a new tape with room for
        /// `bytes` more of bodies (a streamed read's next chunk).
        mutating func take(reserving bytes: Int) -> Tape {
            var taken = Tape()
            swap(&taken, &tape)
            if bytes > 0 { tape.bodies.reserveCapacity(bytes + partial.count) }
            return taken
        }

        /// Reads the next block of `file` (at most `blockSize` bytes) and feeds it. Returns its
        /// size: 0 at the end of the file.
        mutating func feedBlock(of file: FileHandle, size blockSize: Int) throws -> Int {
            let block: Data
            do {
                block = try file.read(upToCount: blockSize) ?? Data()
            } catch {
                throw TapeReader.Malformed(path: path, line: lineNumber, reason: "\(error)")
            }
            try block.withUnsafeBytes { try feed($0.bindMemory(to: UInt8.self)) }
            return block.count
        }

        mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>) throws {
            var start = 0
            while start < bytes.count {
                var end = start
                while end < bytes.count, bytes[end] != 0x0A { end += 1 }
                guard end < bytes.count else {
                    partial.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
                    return
                }
                if partial.isEmpty {
                    try line(UnsafeBufferPointer(rebasing: bytes[start..<end]))
                } else {
                    var whole: [UInt8] = []
                    swap(&whole, &partial)
                    whole.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<end]))
                    try whole.withUnsafeBufferPointer { try line($0) }
                }
                start = end + 1
            }
        }

        /// The last line, when the file does not end with a newline.
        mutating func finish() throws {
            guard !partial.isEmpty else { return }
            var last: [UInt8] = []
            swap(&last, &partial)
            try last.withUnsafeBufferPointer { try line($0) }
        }

        private mutating func line(_ line: UnsafeBufferPointer<UInt8>) throws {
            lineNumber += 1
            guard !line.isEmpty else { return }
            if TapeLineCodec.decode(line, into: &tape) { return }
            do {
                tape.append(try decoder.decode(TapeRecord.self, from: Data(line)))
            } catch {
                throw TapeReader.Malformed(path: path, line: lineNumber, reason: "\(error)")
            }
        }
    }
}
