// swift-tools-version:6.1
//
// The arb package: a minimal host (`arb`) and the plugins it loads through a stable C ABI.
//
//   PluginAPI/                its own package (third-party plugins depend on it alone):
//     CArbPluginAPI           the C header (ABI v1) — the only contract between host and plugins
//     PluginKit               the Swift SDK over it: a plugin is a type plus one exported entry function
//   Host/PluginHost           manifests, loader, host services, pipeline, runtime swap, history
//   Host/arb                  the executable (a thin command tree over the host libraries)
//   Plugins/<Kind>/<Name>     one `.dynamic` library per venue, lane and sizing step
//   Benchmarks/               release-build benchmarks
import PackageDescription

/// Every Swift target: Swift 6 mode (strict concurrency) is the tools-version default.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// Plugins are marked NODELETE in the ELF header too: the Swift runtime keeps pointers into
/// every loaded image, so a plugin must never be unmapped (see PluginAPI/README.md).
let pluginLinkerSettings: [LinkerSetting] = [
    .unsafeFlags(["-Xlinker", "-z", "-Xlinker", "nodelete"])
]

/// One dynamic library product per plugin. `folder` is its path under Plugins/.
struct PluginSpec {
    let name: String
    let folder: String
    var exclude: [String] = []
    /// Links the shared sizing helpers (posteriors, ladder depth, SplitMix64) statically.
    var support = false
    /// Links the shared lane helpers (settings, depth walk over N ladders) statically.
    var laneSupport = false
    /// Links the shared venue helpers (the in-place JSON cursor, RFC 3339 times) statically.
    var venueSupport = false
}

let plugins: [PluginSpec] = [
    PluginSpec(name: "SimVenue", folder: "Venues/SimVenue", exclude: ["README.md"]),
    PluginSpec(name: "KalshiVenue", folder: "Venues/KalshiVenue", venueSupport: true),
    PluginSpec(name: "PolymarketVenue", folder: "Venues/PolymarketVenue", exclude: ["README.md"], venueSupport: true),
    PluginSpec(name: "IntraVenueLane", folder: "Lanes/IntraVenueLane", laneSupport: true),
    PluginSpec(name: "CrossVenueLane", folder: "Lanes/CrossVenueLane", laneSupport: true),
    PluginSpec(name: "BucketLane", folder: "Lanes/BucketLane", laneSupport: true),
    PluginSpec(name: "ParityLane", folder: "Lanes/ParityLane", laneSupport: true),
    PluginSpec(name: "EventTreeLane", folder: "Lanes/EventTreeLane", laneSupport: true),
    PluginSpec(name: "ExecutionModelStep", folder: "Sizing/ExecutionModelStep", support: true),
    PluginSpec(name: "FillModelStep", folder: "Sizing/FillModelStep", support: true),
    PluginSpec(name: "FeeModelStep", folder: "Sizing/FeeModelStep", support: true),
    PluginSpec(name: "KellyStep", folder: "Sizing/KellyStep", support: true),
    PluginSpec(name: "FractionalKellyStep", folder: "Sizing/FractionalKellyStep", support: true),
    PluginSpec(name: "RobustInputsStep", folder: "Sizing/RobustInputsStep", support: true),
    PluginSpec(name: "LiquidityImpactStep", folder: "Sizing/LiquidityImpactStep", support: true),
    PluginSpec(name: "CapitalLockStep", folder: "Sizing/CapitalLockStep", support: true),
    PluginSpec(name: "MonteCarloStep", folder: "Sizing/MonteCarloStep", support: true),
    PluginSpec(name: "LaneAllocatorStep", folder: "Sizing/LaneAllocatorStep", support: true),
    PluginSpec(name: "LossCapStep", folder: "Sizing/LossCapStep", support: true),
    PluginSpec(name: "ExposureStep", folder: "Sizing/ExposureStep", support: true),
    PluginSpec(name: "DrawdownStep", folder: "Sizing/DrawdownStep"),
]

let package = Package(
    name: "arb",
    products: [
        .executable(name: "arb", targets: ["arb"])
    ]
        + plugins.map { .library(name: $0.name, type: .dynamic, targets: [$0.name]) },
    dependencies: [
        .package(path: "PluginAPI"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        // Already beneath Hummingbird; named for the simulator's response headers.
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        // Tests only: property-based checks of the lanes (generated books, shrunk counterexamples).
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    ],
    targets: [
        // MARK: The host
        .systemLibrary(
            name: "CSQLite", path: "Host/CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // The book's price search, in C for one compiler hint (see its header).
        .target(name: "CPriceSearch", path: "Host/CPriceSearch"),
        .target(
            name: "PluginHost",
            dependencies: [
                "CSQLite",
                "CPriceSearch",
                .product(name: "CArbPluginAPI", package: "PluginAPI"),
                .product(name: "PluginKit", package: "PluginAPI"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            path: "Host/PluginHost",
            // The engine thread owns the engine's state (no overlapping access by design); dynamic
            // exclusivity checks on its class properties cost ~8% of the update path (perf).
            swiftSettings: strictSettings + [
                .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))
            ]
        ),
        .executableTarget(
            name: "arb",
            dependencies: [
                "PluginHost",
                "KalshiSim",
                "PolymarketSim",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            path: "Host/arb",
            swiftSettings: strictSettings
        ),

        // MARK: Shared code of the sizing plugins (linked statically into each)
        .target(
            name: "SizingSupport",
            dependencies: [.product(name: "PluginKit", package: "PluginAPI")],
            path: "Plugins/Sizing/SizingSupport",
            swiftSettings: strictSettings
        ),

        // MARK: Shared code of the lane plugins (linked statically into each)
        .target(
            name: "LaneSupport",
            dependencies: [.product(name: "PluginKit", package: "PluginAPI")],
            path: "Plugins/Lanes/LaneSupport",
            swiftSettings: strictSettings
        ),

        // MARK: Shared code of the venue plugins (linked statically into each)
        .target(
            name: "VenueSupport",
            dependencies: [.product(name: "PluginKit", package: "PluginAPI")],
            path: "Plugins/Venues/VenueSupport",
            swiftSettings: strictSettings
        ),

        // MARK: Venue simulators (the venues' real wire protocols, for tests and the demo)
        .target(
            name: "KalshiSim",
            dependencies: [
                .product(name: "PluginKit", package: "PluginAPI"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
            ],
            path: "Host/Simulators/KalshiSim",
            swiftSettings: strictSettings
        ),
        .target(
            name: "PolymarketSim",
            dependencies: [
                .product(name: "PluginKit", package: "PluginAPI"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            path: "Host/Simulators/PolymarketSim",
            swiftSettings: strictSettings
        ),

        // MARK: Benchmarks (run with `make bench`, release build)
        .executableTarget(
            name: "arb-bench",
            dependencies: [
                "PluginHost", .product(name: "PluginKit", package: "PluginAPI"),
                .product(name: "CArbPluginAPI", package: "PluginAPI"), "IntraVenueLane",
            ],
            path: "Benchmarks/ABICallBenchmark",
            swiftSettings: strictSettings
        ),

        .executableTarget(
            name: "arb-bench-engine",
            dependencies: ["PluginHost", .product(name: "PluginKit", package: "PluginAPI")],
            path: "Benchmarks/EngineBenchmark",
            swiftSettings: strictSettings
        ),

        // MARK: Tests
        .testTarget(
            name: "PluginHostTests",
            dependencies: [
                "PluginHost", "KalshiSim", "PolymarketSim", .product(name: "CArbPluginAPI", package: "PluginAPI"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            path: "Tests/PluginHostTests",
            exclude: ["Fixtures"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "PluginKitTests",
            dependencies: [
                .product(name: "PluginKit", package: "PluginAPI"),
                .product(name: "CArbPluginAPI", package: "PluginAPI"),
            ],
            path: "Tests/PluginKitTests",
            swiftSettings: strictSettings
        ),
    ]
        + plugins.map {
            .target(
                name: $0.name,
                dependencies: [.product(name: "PluginKit", package: "PluginAPI")]
                    + ($0.support ? ["SizingSupport"] : [])
                    + ($0.laneSupport ? ["LaneSupport"] : [])
                    + ($0.venueSupport ? ["VenueSupport"] : []),
                path: "Plugins/\($0.folder)",
                exclude: $0.exclude,
                swiftSettings: strictSettings,
                linkerSettings: pluginLinkerSettings
            )
        }
)
