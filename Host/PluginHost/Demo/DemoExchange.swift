import PluginKit

/// What the demo runs against, in-process: an exchange that answers the venue plugins'
/// requests, accepts their stream subscriptions and produces their stream frames, in each
/// venue's own wire protocol. The built-in `ScenarioExchange` speaks `arb-sim/1`; the `arb`
/// command adds the Kalshi simulator (`arb demo --kalshi-scenario FILE`).
public protocol DemoExchange: AnyObject {
    /// Takes the loaded venue plugins; returns the ids of the venues it serves.
    func bind(_ venues: [PluginInstance]) throws -> [String]
    func perform(venue: String, _ request: HTTPRequest, now: Nanoseconds) -> HTTPResponse
    /// Checks a stream's upgrade request (the venue's auth); false refuses it.
    func streamOpen(venue: String, url: String, headers: [HTTPHeader]) -> Bool
    /// Answers one frame the plugin sent on its stream with the frames sent back at once.
    func streamSend(venue: String, _ text: String) -> [String]
    /// The next frame one of the venues streams, or nil when there is none right now.
    func nextFrame() -> (venue: String, frame: String)?
    /// Groups relating the exchange's markets (added to the demo's universe).
    func rules() -> [GroupRule]
}
