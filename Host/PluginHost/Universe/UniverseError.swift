/// A problem in a universe file, located to the file, line and field so the fix is obvious.
public struct UniverseError: Error, CustomStringConvertible, Sendable, Equatable {
    public var file: String
    /// 1-based; 0 when the problem is the whole file.
    public var line: Int
    /// The column or JSON key at fault; empty when the whole line or file is.
    public var field: String
    public var message: String

    public init(file: String, line: Int, field: String = "", _ message: String) {
        self.file = file
        self.line = line
        self.field = field
        self.message = message
    }

    public var description: String {
        var location = file
        if line > 0 { location += ":\(line)" }
        if !field.isEmpty { location += ": \(field)" }
        return "\(location): \(message)"
    }
}
