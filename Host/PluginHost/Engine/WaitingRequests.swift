import DequeModule

/// Requests waiting for their rate bucket, one first-in-first-out queue per bucket, each entry
/// numbered in the order it joined: the oldest request whose bucket lets it go leaves first, and
/// a request never overtakes an earlier one of its own bucket.
///
/// Per bucket, so that both questions a paced venue asks on every message — is anything of this
/// bucket waiting, which request goes next — cost a look at a handful of queue heads, not a
/// scan of every waiting request (a venue's start-up queues thousands of book requests).
struct WaitingRequests<Request> {
    private var queues: [String: Deque<(order: Int, request: Request)>] = [:]
    /// Order numbers of requests joining at the back grow; of those put first in line, fall.
    private var nextLast = 0
    private var nextFirst = -1
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    /// Whether a request of `bucket` is waiting (a new one must then queue behind it).
    func isWaiting(bucket: String) -> Bool { !(queues[bucket]?.isEmpty ?? true) }

    /// Queues `request` behind everything.
    mutating func append(_ request: Request, bucket: String) {
        queues[bucket, default: []].append((nextLast, request))
        nextLast += 1
        count += 1
    }

    /// Queues `request` before everything (a retry: it was sent before anything now waiting).
    mutating func prepend(_ request: Request, bucket: String) {
        queues[bucket, default: []].prepend((nextFirst, request))
        nextFirst -= 1
        count += 1
    }

    /// Removes and returns the oldest request whose bucket `mayGo` lets go, asking about each
    /// bucket at most once, oldest head first; nil when every bucket with a request holds.
    mutating func popOldest(where mayGo: (_ bucket: String, _ head: Request) -> Bool) -> Request? {
        let heads = queues.compactMap { bucket, queue in queue.first.map { (bucket: bucket, order: $0.order) } }
        for head in heads.sorted(by: { $0.order < $1.order }) {
            guard let first = queues[head.bucket]?.first, mayGo(head.bucket, first.request) else { continue }
            queues[head.bucket]!.removeFirst()
            count -= 1
            return first.request
        }
        return nil
    }
}
