import Foundation
import PluginKit
import Synchronization

/// The host's embedded store (SQLite, one file): every decision the engine made, every paper
/// fill, and the plugins' persistent state. Money and sizes are INTEGER columns in micro-dollars
/// and centi-contracts, as everywhere else. Thread-safe: one connection behind a mutex.
///
/// ```
/// decisions(id, time_ns, kind, lane_id, group_id, basket_id, legs, edge_micros, max_baskets_centi,
///           baskets_centi, rejected_by, shadow_baskets_centi, filled_baskets_centi, pnl_micros, reason)
/// paper_fills(id, time_ns, basket_id, venue, market_id, side, quantity_centi, cost_micros, fee_micros)
/// plugin_state(plugin_id, key, value)   -- PRIMARY KEY (plugin_id, key)
/// ```
public final class ArbStore: PluginStateStore, @unchecked Sendable {
    // @unchecked: every use of the connection and its statements happens inside `lock`.
    private let lock = Mutex<Void>(())
    private let db: SQLiteDatabase
    private let insertDecision: SQLiteDatabase.Statement
    private let insertFill: SQLiteDatabase.Statement
    private let getState: SQLiteDatabase.Statement
    private let putState: SQLiteDatabase.Statement
    public let path: String

    public static let schemaVersion: Int64 = 1

    public init(path: String) throws {
        self.path = path
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        db = try SQLiteDatabase(path: path)
        try db.exec(
            """
            CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS decisions(
                id INTEGER PRIMARY KEY, time_ns INTEGER NOT NULL, kind TEXT NOT NULL, lane_id TEXT NOT NULL,
                group_id TEXT NOT NULL, basket_id TEXT NOT NULL, legs TEXT NOT NULL, edge_micros INTEGER NOT NULL,
                max_baskets_centi INTEGER NOT NULL, baskets_centi INTEGER NOT NULL, rejected_by TEXT,
                shadow_baskets_centi INTEGER, filled_baskets_centi INTEGER, pnl_micros INTEGER, reason TEXT);
            CREATE INDEX IF NOT EXISTS decisions_basket ON decisions(basket_id);
            CREATE TABLE IF NOT EXISTS paper_fills(
                id INTEGER PRIMARY KEY, time_ns INTEGER NOT NULL, basket_id TEXT NOT NULL, venue TEXT NOT NULL,
                market_id TEXT NOT NULL, side TEXT NOT NULL CHECK (side IN ('yes', 'no')),
                quantity_centi INTEGER NOT NULL, cost_micros INTEGER NOT NULL, fee_micros INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS plugin_state(
                plugin_id TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL, PRIMARY KEY (plugin_id, key));
            """)
        let version = try db.prepare("SELECT value FROM meta WHERE key = 'schema'").rows()
        if case .int(let v)? = version.first?.first {
            guard v == Self.schemaVersion else {
                throw SQLiteError(
                    code: -1,
                    message: "\(path) has schema \(v); this arb writes \(Self.schemaVersion) (use another --state-dir)")
            }
        } else {
            try db.exec("INSERT INTO meta(key, value) VALUES ('schema', \(Self.schemaVersion))")
        }
        insertDecision = try db.prepare(
            """
            INSERT INTO decisions(time_ns, kind, lane_id, group_id, basket_id, legs, edge_micros, max_baskets_centi,
                baskets_centi, rejected_by, shadow_baskets_centi, filled_baskets_centi, pnl_micros, reason)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        insertFill = try db.prepare(
            """
            INSERT INTO paper_fills(time_ns, basket_id, venue, market_id, side, quantity_centi, cost_micros, fee_micros)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        getState = try db.prepare("SELECT value FROM plugin_state WHERE plugin_id = ? AND key = ?")
        putState = try db.prepare(
            "INSERT INTO plugin_state(plugin_id, key, value) VALUES (?, ?, ?) "
                + "ON CONFLICT(plugin_id, key) DO UPDATE SET value = excluded.value")
    }

    public func record(_ d: Decision) throws {
        func opt(_ x: Int64?) -> SQLiteDatabase.Statement.Value { x.map { .int($0) } ?? .null }
        func opt(_ s: String?) -> SQLiteDatabase.Statement.Value { s.map { .text($0) } ?? .null }
        try lock.withLock { _ in
            try insertDecision.run([
                .int(d.time), .text(d.kind.rawValue), .text(d.laneID), .text(d.groupID), .text(d.basketID),
                .text(d.legs.joined(separator: " + ")), .int(d.edge), .int(d.maxBaskets), .int(d.baskets),
                opt(d.rejectedBy), opt(d.shadowBaskets), opt(d.filledBaskets), opt(d.pnl), opt(d.reason),
            ])
        }
    }

    public func record(_ execution: PaperExecution, basketID: String, time: Nanoseconds) throws {
        try lock.withLock { _ in
            try db.exec("BEGIN")
            do {
                for leg in execution.legs {
                    try insertFill.run([
                        .int(time), .text(basketID), .text(leg.market.venue), .text(leg.market.marketID),
                        .text(leg.side == .yes ? "yes" : "no"), .int(leg.quantity), .int(leg.cost), .int(leg.fee),
                    ])
                }
                try db.exec("COMMIT")
            } catch {
                try? db.exec("ROLLBACK")
                throw error
            }
        }
    }

    /// Row counts, for summaries: decisions and paper fills.
    public func counts() throws -> (decisions: Int64, fills: Int64) {
        try lock.withLock { _ in
            let d = try db.prepare("SELECT COUNT(*) FROM decisions").rows()
            let f = try db.prepare("SELECT COUNT(*) FROM paper_fills").rows()
            guard case .int(let x)? = d.first?.first, case .int(let y)? = f.first?.first else { return (0, 0) }
            return (x, y)
        }
    }

    /// Sum of paper P&L recorded with the fills' decisions.
    public func paperPnL() throws -> MicroDollars {
        try lock.withLock { _ in
            let rows = try db.prepare("SELECT COALESCE(SUM(pnl_micros), 0) FROM decisions WHERE kind = 'fill'").rows()
            guard case .int(let x)? = rows.first?.first else { return 0 }
            return x
        }
    }

    // MARK: PluginStateStore

    public func value(pluginID: String, key: String) -> [UInt8]? {
        lock.withLock { _ in
            guard let rows = try? getState.rows([.text(pluginID), .text(key)]),
                case .blob(let bytes)? = rows.first?.first
            else { return nil }
            return bytes
        }
    }

    public func setValue(_ value: [UInt8], pluginID: String, key: String) throws {
        try lock.withLock { _ in try putState.run([.text(pluginID), .text(key), .blob(value)]) }
    }
}
