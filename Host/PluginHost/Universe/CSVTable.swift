/// A CSV file as header-named rows, with each row's line number for error messages.
///
/// RFC 4180 quoting (`"a, b"`, `""` for a quote inside quotes, line breaks inside quotes);
/// lines starting with `#` outside quotes are comments, as in the original system's
/// hand-curated ForecastEx mapping; blank lines are skipped. A few clear lines instead of a
/// dependency: the mapping files are small and their format is fixed.
public struct CSVTable: Sendable {
    public struct Row: Sendable {
        public let line: Int
        let fields: [String]
        let columns: [String: Int]

        /// The trimmed value of `column`, or "" when the row is short or the column absent.
        public subscript(column: String) -> String {
            guard let i = columns[column], i < fields.count else { return "" }
            return fields[i].trimmingSpaces
        }
    }

    public let header: [String]
    public let rows: [Row]

    public init(text: String, file: String) throws(UniverseError) {
        var records: [(line: Int, fields: [String])] = []
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var line = 1
        var recordLine = 1
        var atRecordStart = true
        var inComment = false
        var chars = Array(text.unicodeScalars)[...]
        func endRecord() {
            fields.append(field)
            if !(fields.count == 1 && fields[0].trimmingSpaces.isEmpty) { records.append((recordLine, fields)) }
            fields = []
            field = ""
            atRecordStart = true
        }
        while let c = chars.popFirst() {
            if inComment {
                if c == "\n" {
                    inComment = false
                    line += 1
                    recordLine = line
                }
                continue
            }
            if atRecordStart && c == "#" {
                inComment = true
                continue
            }
            atRecordStart = false
            if inQuotes {
                if c == "\"" {
                    if chars.first == "\"" {
                        chars.removeFirst()
                        field.unicodeScalars.append("\"")
                    } else {
                        inQuotes = false
                    }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"" where field.trimmingSpaces.isEmpty:
                field = ""
                inQuotes = true
            case ",":
                fields.append(field)
                field = ""
            case "\r":
                continue
            case "\n":
                endRecord()
                line += 1
                recordLine = line
            default:
                field.unicodeScalars.append(c)
            }
        }
        if inQuotes { throw UniverseError(file: file, line: recordLine, "unterminated quoted field") }
        if !atRecordStart || !field.isEmpty { endRecord() }
        guard let first = records.first else { throw UniverseError(file: file, line: 0, "empty file: no header row") }
        header = first.fields.map(\.trimmingSpaces)
        var columns: [String: Int] = [:]
        for (i, name) in header.enumerated() {
            guard !name.isEmpty else {
                throw UniverseError(file: file, line: first.line, "header column \(i + 1) is empty")
            }
            guard columns[name] == nil else {
                throw UniverseError(file: file, line: first.line, field: name, "column appears twice in the header")
            }
            columns[name] = i
        }
        var rows: [Row] = []
        for record in records.dropFirst() {
            guard record.fields.count <= header.count else {
                throw UniverseError(
                    file: file, line: record.line,
                    "\(record.fields.count) fields but the header has \(header.count) (an unquoted comma?)")
            }
            rows.append(Row(line: record.line, fields: record.fields, columns: columns))
        }
        self.rows = rows
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" { s.removeLast() }
        return String(s)
    }
}
