import CArbPluginAPI
import Foundation
import Synchronization

/// The services behind every plugin's `arb_host` table: clock, log, keys, state, fee routing.
public final class HostRuntime: Sendable {
    public typealias Clock = @Sendable () -> Int64
    public typealias LogHandler = @Sendable (_ level: Int32, _ pluginID: String, _ message: String) -> Void

    let clock: Clock
    let logHandler: LogHandler
    let keys: KeyStore
    let state: any PluginStateStore
    /// Venue plugins with their venue id's UTF-8, for `arb_host.fee`. Swapped with the pipeline.
    /// A list, not a dictionary: a handful of venues compared byte for byte cost less than
    /// making a `String` of every fee query's venue and hashing it (lanes ask per basket chunk).
    let venues = Mutex<[(venueID: [UInt8], instance: PluginInstance)]>([])

    public init(
        clock: @escaping Clock = HostRuntime.wallClock, log: @escaping LogHandler = HostRuntime.standardErrorLog,
        keys: KeyStore = KeyStore(keys: []), state: any PluginStateStore
    ) {
        self.clock = clock
        self.logHandler = log
        self.keys = keys
        self.state = state
    }

    /// Nanoseconds since the epoch from the system's real-time clock.
    public static let wallClock: Clock = {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    public static let standardErrorLog: LogHandler = { level, pluginID, message in
        let names = ["trace", "debug", "info", "warning", "error"]
        let name = names.indices.contains(Int(level)) ? names[Int(level)] : "level\(level)"
        FileHandle.standardError.write(Data("[\(name)] \(pluginID): \(message)\n".utf8))
    }

    /// Routes a fee question to the venue plugin that owns `query.venue`.
    func fee(_ query: UnsafePointer<arb_fee_query>, _ out: UnsafeMutablePointer<arb_fee_result>) -> arb_status {
        let asked = query.pointee.venue
        let venue = venues.withLock { routes in routes.first { asked.equals($0.venueID) }?.instance }
        guard let venue else { return Int32(ARB_ERR_NOT_FOUND) }
        return venue.fee(query, out)
    }

    /// Publishes the venue plugins of a newly switched pipeline.
    func setVenues(_ instances: [PluginInstance]) {
        var byVenue: [String: PluginInstance] = [:]
        for instance in instances { if let id = instance.venueID { byVenue[id] = instance } }
        let routes = byVenue.map { (venueID: Array($0.key.utf8), instance: $0.value) }
        venues.withLock { $0 = routes }
    }
}

/// The per-instance context behind one `arb_host` table. Owns the table and its strings.
final class InstanceContext: @unchecked Sendable {
    // @unchecked: every stored property is immutable after init; the table is read-only for the plugin.
    let runtime: HostRuntime
    let pluginID: String
    let table: UnsafeMutablePointer<arb_host>
    private let strings: [UnsafeMutablePointer<CChar>]

    init(runtime: HostRuntime, pluginID: String) {
        self.runtime = runtime
        self.pluginID = pluginID
        let name = strdup(HostVersion.name)!
        let version = strdup(HostVersion.version)!
        let id = strdup(pluginID)!
        strings = [name, version, id]
        table = .allocate(capacity: 1)
        table.initialize(
            to: arb_host(
                struct_size: UInt32(MemoryLayout<arb_host>.size), abi_major: HostVersion.abiMajor,
                abi_minor: HostVersion.abiMinor, ctx: nil, host_name: name, host_version: version, instance_id: id,
                log: { host, level, message, len in
                    guard let host, let message else { return }
                    let context = InstanceContext.from(host)
                    let text = message.withMemoryRebound(to: UInt8.self, capacity: len) {
                        String(decoding: UnsafeBufferPointer(start: $0, count: len), as: UTF8.self)
                    }
                    context.runtime.logHandler(level, context.pluginID, text)
                },
                now_ns: { host in InstanceContext.from(host!).runtime.clock() },
                sign: { host, keyName, algorithm, message, len, out, error in
                    guard let host, let keyName else { return Int32(ARB_ERR_INVALID_ARGUMENT) }
                    let context = InstanceContext.from(host)
                    let result = context.runtime.keys.sign(
                        UnsafeRawBufferPointer(start: message, count: message == nil ? 0 : len),
                        keyName: String(cString: keyName), algorithm: algorithm, pluginID: context.pluginID)
                    switch result {
                    case .success(let signature):
                        if let out, let write = out.pointee.write {
                            signature.withUnsafeBufferPointer { write(out.pointee.ctx, $0.baseAddress, $0.count) }
                        }
                        return Int32(ARB_OK)
                    case .failure(let failure):
                        writeText(failure.message, to: error)
                        return failure.status
                    }
                },
                fee: { host, query, out in
                    guard let host, let query, let out else { return Int32(ARB_ERR_INVALID_ARGUMENT) }
                    return InstanceContext.from(host).runtime.fee(query, out)
                },
                state_get: { host, key, out in
                    guard let host, let key else { return Int32(ARB_ERR_INVALID_ARGUMENT) }
                    let context = InstanceContext.from(host)
                    guard let value = context.runtime.state.value(pluginID: context.pluginID, key: String(cString: key))
                    else { return Int32(ARB_ERR_NOT_FOUND) }
                    if let out, let write = out.pointee.write {
                        value.withUnsafeBufferPointer { write(out.pointee.ctx, $0.baseAddress, $0.count) }
                    }
                    return Int32(ARB_OK)
                },
                state_put: { host, key, value, len in
                    guard let host, let key, len <= 1 << 20 else { return Int32(ARB_ERR_INVALID_ARGUMENT) }
                    let context = InstanceContext.from(host)
                    let bytes = value.map { Array(UnsafeBufferPointer(start: $0, count: len)) } ?? []
                    do {
                        try context.runtime.state.setValue(bytes, pluginID: context.pluginID, key: String(cString: key))
                        return Int32(ARB_OK)
                    } catch {
                        context.runtime.logHandler(Int32(ARB_LOG_ERROR), context.pluginID, "state put failed: \(error)")
                        return Int32(ARB_ERR_INTERNAL)
                    }
                },
                get_extension: { _, _ in nil }))
        table.pointee.ctx = Unmanaged.passUnretained(self).toOpaque()
    }

    deinit {
        table.deinitialize(count: 1)
        table.deallocate()
        strings.forEach { free($0) }
    }

    static func from(_ host: UnsafePointer<arb_host>) -> InstanceContext {
        Unmanaged<InstanceContext>.fromOpaque(host.pointee.ctx).takeUnretainedValue()
    }
}
