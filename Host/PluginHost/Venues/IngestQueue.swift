import PluginKit
import Synchronization

/// The bounded hand-off between a venue's network reader (any thread) and the engine thread.
///
/// Backpressure policy: a reader never blocks and the queue never grows past `capacity`. When
/// a frame arrives to a full queue, the queue is *conflated*: every frame still waiting for
/// that venue is dropped, the drop is counted, and the engine is told once, ahead of anything
/// that arrives later, that the venue overflowed. The engine then withholds every quote of the
/// venue and asks for fresh snapshots (``Engine/reportOverflow(venue:time:)``). Dropping single
/// deltas instead would leave books silently wrong; blocking the reader would stall the socket
/// until the venue disconnects a slow consumer (Kalshi's error 25, "subscription buffer overflow").
public final class IngestQueue: Sendable {
    public enum Item: Sendable, Equatable {
        case frame([UInt8], receivedAt: Nanoseconds)
        /// Frames were dropped here; everything after it is newer than the drop.
        case overflow(dropped: Int, at: Nanoseconds)
    }

    public let venue: String
    public let capacity: Int

    struct State {
        var items: [Item] = []
        var head = 0
        /// Frames dropped since the last drain, and when the first drop happened.
        var pendingDrop = 0
        var dropTime: Nanoseconds = 0
        var totalDropped = 0
        var overflows = 0
    }

    private let state = Mutex(State())

    public init(venue: String, capacity: Int = 65_536) {
        precondition(capacity > 0, "an ingest queue needs room for one frame")
        self.venue = venue
        self.capacity = capacity
    }

    /// Hands one frame to the engine. Returns false when the queue was full: the frame and
    /// everything waiting were dropped, and the engine will resync the venue. Never blocks.
    @discardableResult
    public func push(_ frame: [UInt8], receivedAt: Nanoseconds) -> Bool {
        state.withLock { s in
            if s.items.count - s.head < capacity {
                s.items.append(.frame(frame, receivedAt: receivedAt))
                return true
            }
            let waiting = s.items.count - s.head
            if s.pendingDrop == 0 { s.dropTime = receivedAt }
            s.pendingDrop += waiting + 1
            s.totalDropped += waiting + 1
            s.overflows += 1
            s.items.removeAll(keepingCapacity: true)
            s.head = 0
            return false
        }
    }

    /// Up to `limit` items, oldest first; an overflow comes before the frames that followed it.
    public func drain(limit: Int = .max) -> [Item] {
        state.withLock { s in
            var out: [Item] = []
            if s.pendingDrop > 0 {
                out.append(.overflow(dropped: s.pendingDrop, at: s.dropTime))
                s.pendingDrop = 0
            }
            let n = min(limit - out.count, s.items.count - s.head)
            guard n > 0 else { return out }
            out.append(contentsOf: s.items[s.head..<s.head + n])
            s.head += n
            // Reclaim the consumed prefix once it is the larger part.
            if s.head > 1_024, s.head * 2 > s.items.count {
                s.items.removeFirst(s.head)
                s.head = 0
            }
            return out
        }
    }

    /// Frames waiting now.
    public var depth: Int { state.withLock { $0.items.count - $0.head } }
    /// Frames dropped by overflows since the queue was made, and how many overflows.
    public var dropped: (frames: Int, overflows: Int) { state.withLock { ($0.totalDropped, $0.overflows) } }
}
