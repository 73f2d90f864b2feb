import CArbPluginAPI
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a plugin's entry function returns: the address of its static descriptor.
public typealias PluginDescriptorAddress = UnsafeRawPointer

/// Metadata shown by `arb plugins list`.
public struct PluginMetadata: Sendable {
    public var id: String
    public var name: String
    public var version: String
    public var vendor: String

    public init(id: String, name: String, version: String, vendor: String = "") {
        self.id = id
        self.name = name
        self.version = version
        self.vendor = vendor
    }
}

/// Builds the C descriptor for a Swift plugin type. A plugin's whole export is:
///
/// ```swift
/// @c(arb_plugin_entry_v1)
/// public func arbPluginEntry() -> PluginDescriptorAddress {
///     PluginExport.lane(IntraVenueLane.self, PluginMetadata(id: "lane.intra_venue", ...))
/// }
/// ```
///
/// The descriptor is built once per type and lives for the life of the process, as the ABI
/// requires. Calls are thread-safe.
public enum PluginExport {
    public static func lane<P: LanePlugin>(_ type: P.Type, _ metadata: PluginMetadata) -> PluginDescriptorAddress {
        descriptor(for: type, kind: UInt32(ARB_KIND_LANE), metadata: metadata, vtable: laneVTable) { host, config in
            LaneBoxOf(try P(host: host, config: ConfigReader(config)))
        }
    }

    public static func sizingStep<P: SizingStepPlugin>(
        _ type: P.Type, _ metadata: PluginMetadata
    ) -> PluginDescriptorAddress {
        descriptor(for: type, kind: UInt32(ARB_KIND_SIZING), metadata: metadata, vtable: sizingVTable) {
            host, config in
            SizingBox(try P(host: host, config: ConfigReader(config)))
        }
    }

    public static func venue<P: VenuePlugin>(_ type: P.Type, _ metadata: PluginMetadata) -> PluginDescriptorAddress {
        descriptor(for: type, kind: UInt32(ARB_KIND_VENUE), metadata: metadata, vtable: venueVTable) { host, config in
            VenueBox(try P(host: host, config: ConfigReader(config)))
        }
    }

    /// The toolchain identity this module was compiled with ("swift-6.3 x86_64"). A host
    /// compares it with a Swift plugin's `build_id`: two Swift runtimes in one process break.
    public static var buildIdentity: String { PluginKit.buildIdentity }

    /// Descriptors already built, by plugin type (addresses as integers so the map is Sendable).
    private static let built = Mutex<[ObjectIdentifier: UInt]>([:])

    private static func descriptor(
        for type: Any.Type, kind: UInt32, metadata: PluginMetadata, vtable: UnsafeRawPointer,
        make: @escaping @Sendable (HostServices, UnsafePointer<arb_config>) throws -> AnyObject
    ) -> PluginDescriptorAddress {
        let address = built.withLock { built -> UInt in
            if let existing = built[ObjectIdentifier(type)] { return existing }
            let factory = Unmanaged.passRetained(Factory(make)).toOpaque()
            let d = UnsafeMutablePointer<arb_plugin_descriptor>.allocate(capacity: 1)
            d.initialize(
                to: arb_plugin_descriptor(
                    struct_size: UInt32(MemoryLayout<arb_plugin_descriptor>.size), abi_major: UInt16(ARB_ABI_MAJOR),
                    abi_minor: UInt16(ARB_ABI_MINOR), kind: kind, reserved0: 0, id: strdup(metadata.id),
                    name: strdup(metadata.name), version: strdup(metadata.version), vendor: strdup(metadata.vendor),
                    build_id: strdup(buildIdentity), create: createThunk, destroy: destroyThunk,
                    get_extension: nil, vtable: vtable, plugin_data: UnsafeRawPointer(factory)))
            let address = UInt(bitPattern: d)
            built[ObjectIdentifier(type)] = address
            return address
        }
        return UnsafeRawPointer(bitPattern: address)!
    }
}

/// The toolchain that built this plugin; the host compares it with its own.
let buildIdentity: String = {
    #if compiler(>=6.4)
        let swift = "swift-6.4+"
    #elseif compiler(>=6.3)
        let swift = "swift-6.3"
    #elseif compiler(>=6.2)
        let swift = "swift-6.2"
    #else
        let swift = "swift-6.x"
    #endif
    #if arch(x86_64)
        return swift + " x86_64"
    #elseif arch(arm64)
        return swift + " aarch64"
    #else
        return swift
    #endif
}()

/// Makes instances of one plugin type; reached through `descriptor.plugin_data`.
private final class Factory: Sendable {
    let make: @Sendable (HostServices, UnsafePointer<arb_config>) throws -> AnyObject
    init(_ make: @escaping @Sendable (HostServices, UnsafePointer<arb_config>) throws -> AnyObject) {
        self.make = make
    }
}

/// Runs `body`, turning any thrown error into a status code and a message: nothing unwinds into C.
func guarded(_ errorSink: UnsafePointer<arb_text_sink>?, _ body: () throws -> Void) -> arb_status {
    do {
        try body()
        return Int32(ARB_OK)
    } catch let e as PluginError {
        write(e.message, to: errorSink)
        return e.code.rawValue
    } catch {
        write(String(describing: error), to: errorSink)
        return Int32(ARB_ERR_INTERNAL)
    }
}

private let createThunk:
    @convention(c) (
        UnsafePointer<arb_plugin_descriptor>?, UnsafePointer<arb_host>?, UnsafePointer<arb_config>?,
        UnsafeMutablePointer<UnsafeMutableRawPointer?>?, UnsafePointer<arb_text_sink>?
    ) -> arb_status = { descriptor, host, config, out, error in
        guard let descriptor, let host, let config, let out, let data = descriptor.pointee.plugin_data else {
            write("create: a required argument is NULL", to: error)
            return Int32(ARB_ERR_INVALID_ARGUMENT)
        }
        let factory = Unmanaged<Factory>.fromOpaque(data).takeUnretainedValue()
        return guarded(error) {
            let box = try factory.make(HostServices(unsafeTable: host), config)
            out.pointee = Unmanaged.passRetained(box).toOpaque()
        }
    }

private let destroyThunk: @convention(c) (UnsafeMutableRawPointer?) -> Void = { instance in
    guard let instance else { return }
    Unmanaged<AnyObject>.fromOpaque(instance).release()
}
