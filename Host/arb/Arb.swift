import ArgumentParser

/// `arb`: the arbitrage host. Each subcommand is a thin shell over the host libraries.
@main
struct Arb: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "arb",
        abstract: "Prediction-market arbitrage host: loads venue, lane and sizing plugins from plugins.d/.",
        version: "0.1.0",
        subcommands: [Demo.self, Scan.self, Replay.self, Suggest.self, Plugins.self, AB.self, Sim.self],
        defaultSubcommand: nil
    )
}
