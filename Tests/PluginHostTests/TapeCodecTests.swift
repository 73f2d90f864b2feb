import Foundation
import PluginKit
import Testing

@testable import PluginHost

/// The tape's own line coder against Foundation's: the same bytes out, the same records in.
struct TapeCodecTests {
    static let awkward = [
        "", "plain", "quote \" backslash \\ slash / end", "line\nfeed\ttab\rreturn\u{8}\u{c}",
        "control \u{1}\u{1f}", "é ü 中文 😀", "{\"json\":[1,2,{\"x\":\"y\"}]}",
    ]

    static var records: [TapeRecord] {
        var out: [TapeRecord] = []
        for (i, body) in awkward.enumerated() {
            out.append(.frame(Array(body.utf8), venue: "kalshi", at: 1_764_072_000_000_000_000 + Int64(i)))
            var r = TapeRecord.response(
                HTTPResponse(status: 429, body: Array(body.utf8), tag: 1),
                to: HTTPRequest(url: "https://x.invalid/a/b?c=\(body)&d=%2F"), venue: "v\(body)", at: -Int64(i))
            r.inner = i % 2 == 0
            out.append(r)
        }
        return out
    }

    @Test func writesWhatJSONEncoderWrites() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for r in Self.records {
            let mine = TapeLineCodec.encode(r)
            let theirs = Array(try encoder.encode(r))
            #expect(
                mine == theirs, "\(String(decoding: mine, as: UTF8.self)) vs \(String(decoding: theirs, as: UTF8.self))"
            )
        }
    }

    @Test func readsBackEveryRecord() throws {
        let lines = Self.records.map { TapeLineCodec.encode($0) + [0x0A] }.joined()
        #expect(try TapeReader.records(in: Data(lines), path: "t") == Self.records)
        for r in Self.records {
            let decoded = TapeLineCodec.encode(r).withUnsafeBufferPointer { TapeLineCodec.decode($0) }
            #expect(decoded == r, "the scanner itself took the line")
        }
    }

    /// Random bodies mixing plain runs, every escape JSON has and multi-byte scalars: the
    /// scanner reads back what it wrote and what `JSONDecoder` reads, in runs of any length.
    @Test func randomBodiesReadBackAsJSONDecoderReadsThem() throws {
        let pieces: [String] = [
            "a", "plain run of text ", "\"", "\\", "/", "\n", "\t", "\r", "\u{8}", "\u{c}", "\u{1}", "\u{1f}", "é",
            "中", "😀", "{\"k\":\"v\"}", "0.63",
        ]
        var rng = SystemRandomNumberGenerator()
        let decoder = JSONDecoder()
        for _ in 0..<500 {
            let body = (0..<Int.random(in: 0...24, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }
                .joined()
            let record = TapeRecord.frame(Array(body.utf8), venue: "sim", at: 1)
            let line = TapeLineCodec.encode(record)
            let mine = line.withUnsafeBufferPointer { TapeLineCodec.decode($0) }
            #expect(mine == record, "\(body.debugDescription)")
            #expect(try decoder.decode(TapeRecord.self, from: Data(line)) == record)
        }
    }

    /// A `Tape` keeps every field of its records: built from records, read from their lines,
    /// or record by record, it gives the same records back, venues numbered by first appearance.
    @Test func aTapeGivesItsRecordsBack() throws {
        let records = Self.records
        #expect(Tape(records: records).records == records)
        let lines = records.map { TapeLineCodec.encode($0) + [0x0A] }.joined()
        let read = try Tape.parse(Data(lines), path: "t")
        #expect(read.count == records.count && read.records == records)
        #expect(read.venues.first == "kalshi" && read.venues.count == Set(records.map(\.venue)).count)
        for (i, r) in records.enumerated() {
            #expect(read[i] == r)
            #expect(read.bodyString(i) == r.body)
        }
    }

    /// A file read in blocks of any size, lines cut anywhere, even inside an escape or a
    /// multi-byte character, reads as the whole file does; a malformed line keeps its number.
    @Test func aTapeFileReadInBlocksReadsAsAWhole() throws {
        let records = Self.records
        let text = records.map { TapeLineCodec.encode($0) + [0x0A] }.joined()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("blocks-\(getpid()).tape").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        for (bytes, last) in [(Array(text), records.count), (Array(text.dropLast()), records.count)] {
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            for blockSize in [1, 2, 3, 7, 64, 1 << 20] {
                var reported: [Int] = []
                let tape = try Tape.read(path: path, blockSize: blockSize) { read, total in
                    #expect(total == bytes.count)
                    reported.append(read)
                }
                #expect(tape.records == records, "blocks of \(blockSize), \(bytes.count) bytes")
                #expect(tape.count == last)
                #expect(reported == Array(stride(from: blockSize, to: bytes.count, by: blockSize)) + [bytes.count])
            }
        }
        let broken = Array(text) + [0x0A] + Array(#"{"t":5,"venue":"k","type":"frame","body":"x","#.utf8)
        try Data(broken).write(to: URL(fileURLWithPath: path))
        for blockSize in [1, 5, 1 << 20] {
            #expect { try Tape.read(path: path, blockSize: blockSize) } throws: {
                ($0 as? TapeReader.Malformed)?.line == records.count + 2
            }
        }
        #expect { try Tape.read(path: path + ".missing") } throws: { ($0 as? TapeReader.Malformed)?.line == 0 }
    }

    /// A tape file streamed in chunks gives the records the whole read gives, in order, for
    /// any block size and read-ahead; a malformed line comes after every record before it, named.
    @Test func aStreamedTapeGivesTheRecordsOfTheWholeRead() throws {
        let records = Self.records
        let text = records.map { TapeLineCodec.encode($0) + [0x0A] }.joined()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("stream-\(getpid()).tape").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        func chunks(_ stream: TapeStream) throws -> [Tape] {
            var all: [Tape] = []
            while let chunk = try stream.next() { all.append(chunk) }
            return all
        }
        try Data(text).write(to: URL(fileURLWithPath: path))
        for blockSize in [1, 7, 64, 1 << 20] {
            for depth in [1, 3] {
                let stream = try TapeStream(path: path, blockSize: blockSize, depth: depth)
                let got = try chunks(stream)
                #expect(got.allSatisfy { $0.count > 0 }, "no empty chunk")
                #expect(got.flatMap(\.records) == records, "blocks of \(blockSize), \(depth) ahead")
                #expect(stream.bytesRead == text.count && stream.fileSize == text.count)
                #expect(try stream.next() == nil, "still nil after the end")
            }
        }
        let broken = Array(text) + [0x0A] + Array(#"{"t":5,"venue":"k","type":"frame","body":"x","#.utf8)
        try Data(broken).write(to: URL(fileURLWithPath: path))
        for blockSize in [1, 5, 1 << 20] {
            let stream = try TapeStream(path: path, blockSize: blockSize, depth: 2)
            var given: [TapeRecord] = []
            #expect {
                while let chunk = try stream.next() { given += chunk.records }
            } throws: {
                ($0 as? TapeReader.Malformed)?.line == records.count + 2
            }
            #expect(given == records, "every record before the malformed line, blocks of \(blockSize)")
        }
        #expect { try TapeStream(path: path + ".missing") } throws: { ($0 as? TapeReader.Malformed)?.line == 0 }
        // Let go of early, with the reader waiting for room: it stops (a replay that fails).
        try Data(text).write(to: URL(fileURLWithPath: path))
        let early = try TapeStream(path: path, blockSize: 1, depth: 1)
        #expect(try early.next()?.count == 1)
        early.cancel()
        #expect(try early.next() == nil, "nothing after a cancel")
    }

    /// A line the scanner gives up on half way (its body already written) leaves the tape as
    /// it was, and the line still reads through `JSONDecoder`.
    @Test func aLineTheScannerRefusesLeavesNoBytesBehind() throws {
        var tape = Tape()
        let good = TapeLineCodec.encode(.frame(Array("first".utf8), venue: "sim", at: 1))
        #expect(good.withUnsafeBufferPointer { TapeLineCodec.decode($0, into: &tape) })
        let bytes = tape.bodyCount
        let refused = Array(#"{"t":2,"venue":"sim","type":"frame","body":"a\n long body","extra":1}"#.utf8)
        #expect(!refused.withUnsafeBufferPointer { TapeLineCodec.decode($0, into: &tape) })
        #expect(tape.count == 1 && tape.bodyCount == bytes)
        let both = try Tape.parse(Data(good + [0x0A] + refused), path: "t")
        #expect(both.records.map(\.body) == ["first", "a\n long body"])
    }

    /// A body's bytes that are not valid UTF-8 are repaired as `String(decoding:as:)` repairs
    /// them; valid ones, raw or escaped, are kept as they are, escapes before or after them.
    @Test func bodiesAreRepairedOnlyWhereNotUTF8() throws {
        let bodies: [[UInt8]] = [
            Array("a".utf8) + [0xFF] + Array("b".utf8) + [0xC3],
            [0xC3, 0xA9] + Array("\\n\\u00e9 ok".utf8),
            Array("\\u00e9 then raw ".utf8) + [0xE2, 0x82],
            Array("caf".utf8) + [0xC3, 0xA9],
        ]
        for body in bodies {
            let line = Array("{\"body\":\"".utf8) + body + Array("\",\"t\":1,\"type\":\"frame\",\"venue\":\"v\"}".utf8)
            let read = try Tape.parse(Data(line), path: "t")
            // What the body means (its two kinds of escape resolved by hand), then repaired.
            let text = String(decoding: body, as: UTF8.self).replacingOccurrences(of: "\\n", with: "\n")
                .replacingOccurrences(of: "\\u00e9", with: "é")
            #expect(read.records.map(\.body) == [text], "\(body)")
            // The bytes a replay hands the plugin, not only the String made of them.
            #expect(read.bodies == Array(text.utf8), "\(body)")
        }
    }

    @Test func otherSpellingsOfTheSameRecord() throws {
        let line = #" { "venue" : "k\u00e9\ud83d\ude00" , "t":-5,"type":"frame","body":"a\/b\"c", "inner":false } "#
        let decoded = Array(line.utf8).withUnsafeBufferPointer { TapeLineCodec.decode($0) }
        #expect(decoded == TapeRecord(t: -5, venue: "ké😀", type: .frame, body: "a/b\"c", inner: false))
        // What the scanner does not take (a fraction, an unknown field) still reads through Codable.
        let odd = #"{"t":5,"venue":"k","type":"frame","body":"x","extra":{"n":1.5}}"# + "\n"
        #expect(try TapeReader.records(in: Data(odd.utf8), path: "t").first?.body == "x")
        // A broken line is named by its number.
        let broken = #"{"t":5,"venue":"k","type":"frame","body":"x"}"# + "\n\n" + #"{"t":"#
        #expect { try TapeReader.records(in: Data(broken.utf8), path: "t") } throws: {
            ($0 as? TapeReader.Malformed)?.line == 3
        }
    }

    /// A fingerprint line reads back as written; differences name what was added, removed or changed.
    @Test func pluginFingerprintsRoundTripAndCompare() {
        let lane = PluginFingerprint(
            id: "lane.bucket", kind: "lane", arm: "-", librarySHA256: String(repeating: "a", count: 64),
            configDigest: "0123456789abcdef")
        let kelly = PluginFingerprint(
            id: "sizing.kelly", kind: "sizing", arm: "B", librarySHA256: String(repeating: "b", count: 64),
            configDigest: "fedcba9876543210")
        #expect(PluginFingerprint.parse(PluginFingerprint.text([lane, kelly])) == [lane, kelly])
        #expect(PluginFingerprint(line: "lane.bucket lane - abc") == nil, "four fields")
        #expect(PluginFingerprint(line: "lane.bucket  lane - abc def") == nil, "an empty field")
        #expect(PluginFingerprint.differences(recorded: [lane, kelly], current: [lane, kelly]).isEmpty)
        var rebuilt = lane
        rebuilt.librarySHA256 = String(repeating: "c", count: 64)
        rebuilt.configDigest = "1111111111111111"
        var moved = kelly
        moved.arm = "A"
        let parity = PluginFingerprint(
            id: "lane.parity", kind: "lane", arm: "-", librarySHA256: String(repeating: "d", count: 64),
            configDigest: "2222222222222222")
        #expect(
            PluginFingerprint.differences(recorded: [lane, kelly], current: [parity, rebuilt])
                == [
                    "lane.bucket: library aaaaaaaaaaaa then, cccccccccccc now, config changed",
                    "lane.parity: is enabled now, did not run in the recorded run",
                    "sizing.kelly: ran in the recorded run, is not enabled now",
                ])
        #expect(
            PluginFingerprint.differences(recorded: [kelly], current: [moved]) == ["sizing.kelly: arm B then, A now"])
    }
}

extension TapeLineCodec {
    /// One line's record, or nil when the line is not a flat object of a tape record's fields:
    /// ``decode(_:into:)`` on an empty tape, for tests that compare single records.
    static func decode(_ line: UnsafeBufferPointer<UInt8>) -> TapeRecord? {
        var tape = Tape()
        return decode(line, into: &tape) ? tape[0] : nil
    }
}
