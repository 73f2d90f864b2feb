import ArgumentParser
import Crypto
import Foundation
import Hummingbird
import KalshiSim
import _CryptoExtras

struct Sim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a venue simulator that speaks the venue's real wire protocol on loopback.",
        subcommands: [Kalshi.self])
}

extension Sim {
    struct Kalshi: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Kalshi Trade API v2: REST under /trade-api/v2, WebSocket at /trade-api/ws/v2.",
            discussion: """
                Requests are checked as Kalshi checks them: RSA-PSS signatures by key id and the clock skew.
                Inject faults with POST /_sim/faults, e.g. {"faults":["rate_limit","sequence_gap"],"latency_ms":200}.
                """)

        @Option(help: "Scenario file (JSON: cash, series, events with markets and books).")
        var scenario: String

        @Option(help: "Port to listen on (127.0.0.1).")
        var port: Int = 8089

        @Option(name: .customLong("key"), help: "An API key the simulator accepts: KEY_ID=public-key.pem (repeatable).")
        var keys: [String] = []

        @Option(help: "Milliseconds between book changes on subscribed markets.")
        var tickMs: Int = 200

        func validate() throws {
            guard !keys.isEmpty else {
                throw ValidationError(
                    "give at least one --key KEY_ID=public-key.pem: every request is signature-checked")
            }
        }

        func run() async throws {
            var publicKeys: [String: _RSA.Signing.PublicKey] = [:]
            for key in keys {
                let parts = key.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { throw ValidationError("--key \(key): expected KEY_ID=public-key.pem") }
                do {
                    publicKeys[parts[0]] = try _RSA.Signing.PublicKey(
                        pemRepresentation: String(contentsOfFile: parts[1], encoding: .utf8))
                } catch {
                    throw ValidationError("--key \(key): \(parts[1]) is not an RSA public key in PEM: \(error)")
                }
            }
            let simulator = try KalshiSimulator(
                scenario: try KalshiScenario.load(path: scenario), publicKeys: publicKeys,
                clock: { Int64(Date().timeIntervalSince1970 * 1e9) })
            let server = KalshiSimServer(simulator: simulator, tickInterval: .milliseconds(tickMs))
            let app = server.application(port: port) { port in
                print(
                    "kalshi simulator on http://127.0.0.1:\(port)/trade-api/v2 and ws://127.0.0.1:\(port)/trade-api/ws/v2"
                )
            }
            try await app.runService()
        }
    }
}
