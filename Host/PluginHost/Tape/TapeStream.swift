import Foundation

/// A tape file read on a thread of its own and handed over in chunks, oldest first, at most
/// `depth` chunks ahead of the reader of them.
///
/// Why: ``Tape/read(path:)`` holds the whole tape before a replay starts, so a day's tape
/// needs its size in memory, and a replay waits for the whole read (about as long as the
/// replay itself: reading decodes every line). Streamed, the file is read on the second core
/// while the replay runs, and only a few chunks are held at a time.
///
/// A chunk is a ``Tape`` of the records whose lines ended in one block of the file (a line that
/// spans blocks goes with the block it ends in), never empty. Each chunk numbers its venues on
/// its own. A malformed line stops the reading: ``next()`` gives every chunk before it, then
/// throws ``TapeReader/Malformed`` naming the line.
public final class TapeStream: Sendable {
    public let path: String
    /// The file's size when it was opened, in bytes.
    public let fileSize: Int
    private let chunks: Chunks

    /// Opens `path` and starts reading it. Throws when the file cannot be opened.
    /// - Parameters:
    ///   - blockSize: bytes read at a time: one chunk's worth.
    ///   - depth: chunks read ahead at most; the reader waits for room beyond that.
    public init(path: String, blockSize: Int = 1 << 20, depth: Int = 4) throws {
        precondition(blockSize > 0 && depth > 0, "a tape stream reads blocks of at least a byte, a chunk ahead")
        let (file, size) = try Tape.open(path)
        self.path = path
        fileSize = size
        let chunks = Chunks(depth: depth)
        self.chunks = chunks
        // The thread holds the chunks, not the stream: a stream let go of stops its reader.
        let thread = Thread {
            defer { try? file.close() }
            chunks.readAll(file, path: path, blockSize: blockSize)
        }
        thread.name = "tape reader"
        thread.start()
    }

    deinit { chunks.cancel() }

    /// The next chunk in file order, waiting for the reader if it is not read yet; nil after
    /// the last. Throws the reading's error once every chunk before it was given.
    public func next() throws(TapeReader.Malformed) -> Tape? { try chunks.next() }

    /// Bytes of the file read so far (progress).
    public var bytesRead: Int { chunks.bytesRead }

    /// Stops the reading (a replay that ends early): the reader thread exits at its next block,
    /// and ``next()`` gives nil from now on.
    public func cancel() { chunks.cancel() }
}

/// The hand-off between the reader thread and the stream's reader.
private final class Chunks: @unchecked Sendable {
    // @unchecked: every stored property is read and written under `condition`.
    private let condition = NSCondition()
    private var ready: [Tape] = []
    private var isFinished = false
    private var isCancelled = false
    private var failure: TapeReader.Malformed?
    private var read = 0
    private let depth: Int

    init(depth: Int) { self.depth = depth }

    func next() throws(TapeReader.Malformed) -> Tape? {
        condition.lock()
        defer { condition.unlock() }
        while ready.isEmpty && !isFinished && !isCancelled { condition.wait() }
        guard !isCancelled else { return nil }
        guard ready.isEmpty else {
            let chunk = ready.removeFirst()
            condition.broadcast()  // room for the reader
            return chunk
        }
        if let failure { throw failure }
        return nil
    }

    var bytesRead: Int {
        condition.lock()
        defer { condition.unlock() }
        return read
    }

    func cancel() {
        condition.lock()
        isCancelled = true
        ready.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    /// The reader thread: block by block through the line reader, a chunk handed over per block.
    func readAll(_ file: FileHandle, path: String, blockSize: Int) {
        var reader = Tape.LineReader(path: path)
        reader.reserve(blockSize)
        do {
            while case let n = try reader.feedBlock(of: file, size: blockSize), n > 0 {
                guard hand(reader.take(reserving: blockSize), read: n) else { return }
            }
            try reader.finish()
            _ = hand(reader.take(reserving: 0), read: 0)
            end(nil)
        } catch let error as TapeReader.Malformed {
            end(error)
        } catch {
            end(TapeReader.Malformed(path: path, line: reader.lineNumber, reason: "\(error)"))
        }
    }

    /// Queues a chunk (unless empty), waiting for room. False once the stream is cancelled.
    private func hand(_ chunk: Tape, read bytes: Int) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while ready.count >= depth && !isCancelled { condition.wait() }
        guard !isCancelled else { return false }
        read += bytes
        if chunk.count > 0 {
            ready.append(chunk)
            condition.broadcast()
        }
        return true
    }

    private func end(_ error: TapeReader.Malformed?) {
        condition.lock()
        failure = error
        isFinished = true
        condition.broadcast()
        condition.unlock()
    }
}
