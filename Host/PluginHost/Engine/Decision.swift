import Foundation
import PluginKit

/// One thing the engine decided, in the order it decided it. Replaying a tape must produce
/// the same decisions byte for byte (`arb replay` compares them), so every field is an integer
/// or a string and the JSON keys are sorted.
public struct Decision: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        /// A lane reported a basket and the sizing chain planned it (or rejected it).
        case plan
        /// A lane reported a feed-integrity alarm.
        case alarm
        /// The paper executor filled a plan.
        case fill
        /// A quote was kept from the lanes.
        case quarantine
    }

    public var kind: Kind
    public var time: Nanoseconds
    public var laneID: String = ""
    public var groupID: String = ""
    public var basketID: String = ""
    /// Legs as "venue:market:side@price".
    public var legs: [String] = []
    public var edge: MicroDollars = 0
    public var maxBaskets: CentiContracts = 0
    /// Arm A's planned baskets (0 when rejected).
    public var baskets: CentiContracts = 0
    public var rejectedBy: String?
    /// Arm B's planned baskets, when a shadow arm exists.
    public var shadowBaskets: CentiContracts?
    public var filledBaskets: CentiContracts?
    public var pnl: MicroDollars?
    public var reason: String?
    /// Arm A's sizing steps, "step verdict baskets: reason", when asked for.
    public var trace: [String]?

    public init(kind: Kind, time: Nanoseconds) {
        self.kind = kind
        self.time = time
    }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    /// One JSON line, keys sorted.
    public var jsonLine: String {
        // Encoding a struct of strings and integers cannot fail.
        String(decoding: (try? Self.encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
}
