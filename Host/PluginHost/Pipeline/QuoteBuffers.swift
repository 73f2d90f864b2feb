import CArbPluginAPI
import PluginKit

/// The C ask ladders behind a set of `arb_quote`s written from ``QuoteRecord``s, two slots per
/// quote (YES asks, NO asks), each grown as its ladder deepens and reused from then on. A quote
/// written from a book needs none: it points at the book's own ladders. Its owner frees it
/// (`deallocateAll`).
struct QuoteBuffers {
    /// One slot's buffer and its capacity side by side, a quote's two slots adjacent.
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
}
