import CArbPluginAPI
import PluginKit

/// One bid level of one market changed: the common stream delta of a bids-only venue (what
/// `VenueSink.bidChanged` reports), read in place from the plugin's `arb_book_update`. The
/// engine applies it without the four arrays, the market id String and the second hash of the
/// id that a ``BookUpdate`` costs. Valid only during the plugin's call: the id's bytes are the plugin's.
struct BidChange {
    var marketID: UnsafeBufferPointer<UInt8>
    var side: Side
    var level: Level
    /// The venue's time of the change; 0 when it gives none.
    var venueTime: Nanoseconds
    /// The plugin's `arb_book_update.host_market` (ABI 1.4): the engine's handle for the
    /// market, or 0 (an older plugin, or one that does not keep handles).
    var hostMarket: UInt32 = 0
}

extension BidChange {
    /// The update as a bid change when it is one: a delta of exactly one level on one side's
    /// bids and nothing else. Nil for any other update, which goes the ``BookUpdate`` way.
    init?(_ c: arb_book_update) {
        guard c.kind == UInt32(ARB_BOOK_DELTA), c.yes_ask_count == 0, c.no_ask_count == 0 else { return nil }
        let bid: UnsafePointer<arb_level>?
        switch (c.yes_bid_count, c.no_bid_count) {
        case (1, 0): (side, bid) = (.yes, c.yes_bids)
        case (0, 1): (side, bid) = (.no, c.no_bids)
        default: return nil
        }
        guard let bid, let id = c.market_id.bytes else { return nil }
        marketID = id
        level = Level(price: bid.pointee.price_micros, size: bid.pointee.size_centi)
        venueTime = c.venue_time_ns
        let hasHandle =
            Int(c.struct_size) >= MemoryLayout<arb_book_update>.offset(of: \.host_market)!
            + MemoryLayout<UInt32>.size
        hostMarket = hasHandle ? c.host_market : 0
    }
}

/// Takes a venue stream's bid changes as its plugin reports them (``VenueSession/streamBids``).
/// A class to override, not a protocol: the session calls it through an `Unmanaged` reference,
/// which costs no retain and release per change (a protocol existential, even `unowned(unsafe)`,
/// cost two of each: measured with callgrind).
class BidChangeReceiver {
    /// `change` is valid only during the call; `time` is its frame's receive time.
    func receive(_ change: BidChange, at time: Nanoseconds) {}

    /// The handle a plugin may pass back as `host_market` for the market whose id is `id`
    /// (`arb_venue_sink.market_handle`); 0 for none.
    func marketHandle(_ id: UnsafeBufferPointer<UInt8>) -> UInt32 { 0 }
}
