import Foundation
import Hummingbird
import PluginKit

@testable import PluginHost

struct LoopbackError: Error { var description: String }

/// Runs the simulator application `make` builds (it is handed the callback that receives the
/// bound port: build it on port 0) and returns that port and the task to cancel.
func startLoopback<App: ApplicationProtocol>(_ make: (@escaping @Sendable (Int) async -> Void) -> App) async throws
    -> (Int, Task<Void, any Error>)
{
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let app = make { continuation.yield($0) }
    let task = Task { try await app.run() }
    var iterator = ports.makeAsyncIterator()
    guard let port = await iterator.next() else { throw LoopbackError(description: "server did not start") }
    return (port, task)
}

/// Sends every request among `events` through `transport` and hands the answers to `session`,
/// until no request is left; returns every other event, in order.
func performAll(_ events: [VenueEvent], _ session: VenueSession, _ transport: URLSessionTransport) async throws
    -> [VenueEvent]
{
    var out: [VenueEvent] = []
    var queue = events
    while !queue.isEmpty {
        let event = queue.removeFirst()
        guard case .request(let r) = event else {
            out.append(event)
            continue
        }
        queue += try session.handle(await transport.perform(r))
    }
    return out
}
