// swift-tools-version:6.1
// A third-party sizing step in its own package. It depends on the arb plugin API only.
import PackageDescription

let package = Package(
    name: "MinEdgeStep",
    products: [.library(name: "MinEdgeStep", type: .dynamic, targets: ["MinEdgeStep"])],
    dependencies: [.package(path: "../../PluginAPI")],
    targets: [
        .target(
            name: "MinEdgeStep",
            dependencies: [.product(name: "PluginKit", package: "PluginAPI")],
            // Never unmapped: the Swift runtime keeps pointers into loaded images.
            linkerSettings: [.unsafeFlags(["-Xlinker", "-z", "-Xlinker", "nodelete"])]
        )
    ]
)
