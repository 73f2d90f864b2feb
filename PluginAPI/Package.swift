// swift-tools-version:6.1
//
// The arb plugin API on its own: the C header (ABI v1) and the Swift SDK over it.
// Third-party plugins depend on this package only, never on the host.
import PackageDescription

let package = Package(
    name: "arb-plugin-api",
    products: [
        .library(name: "CArbPluginAPI", targets: ["CArbPluginAPI"]),
        .library(name: "PluginKit", targets: ["PluginKit"]),
    ],
    targets: [
        .target(name: "CArbPluginAPI", path: "CArbPluginAPI"),
        .target(
            name: "PluginKit",
            dependencies: ["CArbPluginAPI"],
            path: "PluginKit",
            swiftSettings: [
                .enableUpcomingFeature("ExistentialAny"),
                .enableUpcomingFeature("MemberImportVisibility"),
            ]
        ),
    ]
)
