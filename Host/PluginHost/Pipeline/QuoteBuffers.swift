import CArbPluginAPI
import PluginKit

/// The C ask ladders behind a set of `arb_quote`s, two slots per quote (YES asks, NO asks),
/// each grown as its ladder deepens and reused from then on, and the writing of a quote from a
/// book into them. Shared by ``GroupSnapshot`` (a group's members) and ``SingleMarketTable``
/// (every market on its own). Its owner frees it (`deallocateAll`).
struct QuoteBuffers {
    /// One slot's buffer and its capacity side by side, and a quote's two slots adjacent: writing
    /// a quote reads 32 contiguous bytes of this table, not four entries of two arrays.
    private struct Slot {
        var buffer: UnsafeMutablePointer<arb_level>?
        var capacity: Int
    }
    private var slots: [Slot] = []

    init(quotes: Int) { grow(quotes: quotes) }

    mutating func grow(quotes: Int) {
        let extra = 2 * quotes - slots.count
        guard extra > 0 else { return }
        slots += repeatElement(Slot(buffer: nil, capacity: 0), count: extra)
    }

    func deallocateAll() { slots.forEach { $0.buffer?.deallocate() } }

    /// Quote `index` from a book: best prices, times, sequence and both ask ladders, best first
    /// (explicit asks, or the other side's bids mirrored to pair price − p). `inout` only so the book is
    /// read in place: a copy of it costs eight retains.
    mutating func quote(_ book: inout BinaryBook, receivedAt: Nanoseconds, index: Int) -> arb_quote {
        var c = GroupSnapshot.emptyQuote
        if let b = book.bestYesBid { (c.yes_bid_micros, c.yes_bid_centi) = (b.price, b.size) }
        if let b = book.bestNoBid { (c.no_bid_micros, c.no_bid_centi) = (b.price, b.size) }
        if let a = book.bestYesAsk { (c.yes_ask_micros, c.yes_ask_centi) = (a.price, a.size) }
        if let a = book.bestNoAsk { (c.no_ask_micros, c.no_ask_centi) = (a.price, a.size) }
        c.receive_time_ns = receivedAt
        c.venue_time_ns = book.venueTime
        c.sequence = book.sequence
        let yes = asks(explicit: book.yesAsks, mirroring: book.noBids, pair: book.pairPrice, slot: 2 * index)
        let no = asks(explicit: book.noAsks, mirroring: book.yesBids, pair: book.pairPrice, slot: 2 * index + 1)
        (c.yes_asks, c.yes_ask_count) = (UnsafePointer(yes.0), UInt32(yes.1))
        (c.no_asks, c.no_ask_count) = (UnsafePointer(no.0), UInt32(no.1))
        return c
    }

    /// `levels` copied into slot `slot`; nil when there are none.
    mutating func levels(_ levels: [Level], slot: Int) -> UnsafeMutablePointer<arb_level>? {
        guard !levels.isEmpty else { return nil }
        let buffer = room(levels.count, slot: slot)
        for (i, l) in levels.enumerated() { buffer[i] = arb_level(price_micros: l.price, size_centi: l.size) }
        return buffer
    }

    private mutating func room(_ count: Int, slot: Int) -> UnsafeMutablePointer<arb_level> {
        if slots[slot].capacity < count {
            slots[slot].buffer?.deallocate()
            slots[slot] = Slot(buffer: .allocate(capacity: max(count, 8)), capacity: max(count, 8))
        }
        return slots[slot].buffer!
    }

    private mutating func asks(explicit: PriceLadder, mirroring bids: PriceLadder, pair: MicroDollars, slot: Int)
        -> (UnsafeMutablePointer<arb_level>?, Int)
    {
        let count = explicit.isEmpty ? bids.count : explicit.count
        guard count > 0 else { return (nil, 0) }
        let buffer = room(count, slot: slot)
        if !explicit.isEmpty {
            explicit.prices.withUnsafeBufferPointer { p in
                explicit.sizes.withUnsafeBufferPointer { z in
                    for i in 0..<count { buffer[i] = arb_level(price_micros: p[i], size_centi: z[i]) }
                }
            }
        } else {
            bids.prices.withUnsafeBufferPointer { p in
                bids.sizes.withUnsafeBufferPointer { z in
                    for i in 0..<count {
                        buffer[i] = arb_level(
                            price_micros: pair - p[count - 1 - i], size_centi: z[count - 1 - i])
                    }
                }
            }
        }
        return (buffer, count)
    }
}
