import CSQLite

/// A failed SQLite call, with SQLite's own message.
public struct SQLiteError: Error, CustomStringConvertible, Sendable {
    public var code: Int32
    public var message: String
    public var description: String { "sqlite error \(code): \(message)" }
}

/// One SQLite connection: the few calls the store needs (open, exec, prepared statements).
/// Not thread-safe: its owner serialises access.
final class SQLiteDatabase {
    private(set) var handle: OpaquePointer?
    let path: String

    init(path: String) throws(SQLiteError) {
        self.path = path
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let status = sqlite3_open_v2(path, &db, flags, nil)
        guard status == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close(db)
            throw SQLiteError(code: status, message: "\(path): \(message)")
        }
        handle = db
        sqlite3_busy_timeout(db, 5_000)
        // WAL: readers (`arb orders`, a dashboard) never block the engine's writes.
        try exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;")
    }

    deinit { sqlite3_close_v2(handle) }

    func exec(_ sql: String) throws(SQLiteError) {
        var error: UnsafeMutablePointer<CChar>?
        let status = sqlite3_exec(handle, sql, nil, nil, &error)
        guard status == SQLITE_OK else {
            let message = error.map { String(cString: $0) } ?? "status \(status)"
            sqlite3_free(error)
            throw SQLiteError(code: status, message: message)
        }
    }

    func prepare(_ sql: String) throws(SQLiteError) -> Statement {
        var statement: OpaquePointer?
        let status = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard status == SQLITE_OK, let statement else { throw lastError(status) }
        return Statement(statement, database: self)
    }

    func lastError(_ status: Int32) -> SQLiteError {
        SQLiteError(code: status, message: String(cString: sqlite3_errmsg(handle)))
    }

    /// A prepared statement; reset after each use.
    final class Statement {
        let pointer: OpaquePointer
        unowned let database: SQLiteDatabase

        init(_ pointer: OpaquePointer, database: SQLiteDatabase) {
            self.pointer = pointer
            self.database = database
        }

        deinit { sqlite3_finalize(pointer) }

        enum Value {
            case int(Int64)
            case text(String)
            case blob([UInt8])
            case null
        }

        /// Binds `values` (1-based, in order), steps to completion, resets.
        func run(_ values: [Value]) throws(SQLiteError) {
            try bind(values)
            defer { sqlite3_reset(pointer) }
            let status = sqlite3_step(pointer)
            guard status == SQLITE_DONE || status == SQLITE_ROW else { throw database.lastError(status) }
        }

        /// Binds `values`, returns every row as columns of Value, resets.
        func rows(_ values: [Value] = []) throws(SQLiteError) -> [[Value]] {
            try bind(values)
            defer { sqlite3_reset(pointer) }
            var rows: [[Value]] = []
            while true {
                let status = sqlite3_step(pointer)
                if status == SQLITE_DONE { return rows }
                guard status == SQLITE_ROW else { throw database.lastError(status) }
                rows.append(
                    (0..<sqlite3_column_count(pointer)).map { i in
                        switch sqlite3_column_type(pointer, i) {
                        case SQLITE_INTEGER: return .int(sqlite3_column_int64(pointer, i))
                        case SQLITE_TEXT: return .text(String(cString: sqlite3_column_text(pointer, i)))
                        case SQLITE_BLOB:
                            let count = Int(sqlite3_column_bytes(pointer, i))
                            guard count > 0, let bytes = sqlite3_column_blob(pointer, i) else { return .blob([]) }
                            return .blob(Array(UnsafeRawBufferPointer(start: bytes, count: count)))
                        default: return .null
                        }
                    })
            }
        }

        private func bind(_ values: [Value]) throws(SQLiteError) {
            sqlite3_clear_bindings(pointer)
            // SQLITE_TRANSIENT: SQLite copies the bytes before the call returns.
            let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
            for (i, v) in values.enumerated() {
                let index = Int32(i + 1)
                let status: Int32
                switch v {
                case .int(let x): status = sqlite3_bind_int64(pointer, index, x)
                case .text(let s): status = sqlite3_bind_text(pointer, index, s, -1, transient)
                case .blob(let b):
                    status = b.withUnsafeBytes {
                        sqlite3_bind_blob(pointer, index, $0.baseAddress, Int32(b.count), transient)
                    }
                case .null: status = sqlite3_bind_null(pointer, index)
                }
                guard status == SQLITE_OK else { throw database.lastError(status) }
            }
        }
    }
}
