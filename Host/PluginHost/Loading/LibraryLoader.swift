import CArbPluginAPI
import Crypto
import Foundation
import PluginKit

#if canImport(Glibc)
    import Glibc
#endif

/// A library opened with dlopen, never closed: the Swift runtime keeps pointers into every
/// loaded image, so unloading one crashes the host later (PluginAPI/README.md).
public struct LoadedLibrary: @unchecked Sendable {
    // @unchecked: the descriptor is static and immutable for the life of the process (ABI rule 1).
    public let requestedPath: String
    /// The content-addressed copy that was actually opened.
    public let loadedPath: String
    public let sha256: String
    let descriptor: UnsafePointer<arb_plugin_descriptor>

    public var pluginID: String { String(cString: descriptor.pointee.id) }
    public var name: String { String(cString: descriptor.pointee.name) }
    public var version: String { String(cString: descriptor.pointee.version) }
    public var buildID: String { descriptor.pointee.build_id.map { String(cString: $0) } ?? "" }
    public var abiVersion: String { "\(descriptor.pointee.abi_major).\(descriptor.pointee.abi_minor)" }
    public var kind: PluginKind? { PluginKind(abiValue: descriptor.pointee.kind) }
}

/// Finds, checks and opens plugin libraries.
///
/// A library is copied to `cacheDirectory/<sha256>-<name>` and opened from there, so a file
/// rebuilt at the same path is a new image (dlopen of a path already open returns the old one).
public struct LibraryLoader: Sendable {
    /// Directories searched for a bare library name, in order.
    public var searchPath: [String]
    public var cacheDirectory: String

    public init(searchPath: [String], cacheDirectory: String) {
        self.searchPath = searchPath
        self.cacheDirectory = cacheDirectory
    }

    /// Where `manifest.library` points: a bare name is searched on the plugin path, a relative
    /// path is taken from the manifest's folder.
    public func resolve(_ manifest: Manifest) throws(PluginLoadError) -> String {
        let library = manifest.library
        let candidates: [String]
        if library.hasPrefix("/") {
            candidates = [library]
        } else if library.contains("/") {
            let folder = (manifest.path as NSString).deletingLastPathComponent
            candidates = [((folder.isEmpty ? "." : folder) as NSString).appendingPathComponent(library)]
        } else {
            candidates = searchPath.map { ($0 as NSString).appendingPathComponent(library) }
        }
        if let found = candidates.first(where: { FileManager.default.isReadableFile(atPath: $0) }) {
            return (found as NSString).standardizingPath
        }
        throw PluginLoadError(
            .missingLibrary, manifest: manifest.path,
            "library \(library) not found (looked in \(candidates.joined(separator: ", "))) — build it with `make build` or fix `library`"
        )
    }

    /// The SHA-256 of a file, lowercase hex.
    public static func sha256(ofFileAt path: String) throws -> String {
        hex(SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: path))))
    }

    static func hex(_ digest: SHA256.Digest) -> String { digest.map { String(format: "%02x", $0) }.joined() }

    /// Resolves, hashes, pins, copies, opens and checks the library of `manifest`.
    public func load(_ manifest: Manifest) throws(PluginLoadError) -> LoadedLibrary {
        let path = try resolve(manifest)
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw PluginLoadError(
                .missingLibrary, manifest: manifest.path, "cannot read \(path): \(error.localizedDescription)")
        }
        let sha = Self.hex(SHA256.hash(data: data))
        if let pinned = manifest.sha256, pinned != sha {
            throw PluginLoadError(
                .shaMismatch, manifest: manifest.path,
                "sha256 of \(path) is \(sha), the manifest pins \(pinned) — rebuild the pinned version or update `sha256`"
            )
        }
        let copy = try contentAddressedCopy(of: data, sha: sha, name: (path as NSString).lastPathComponent, manifest)

        // RTLD_NODELETE: dlclose must never unmap a Swift image. RTLD_LOCAL: no plugin binds to another's symbols.
        guard let handle = dlopen(copy, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown dlopen error"
            throw PluginLoadError(
                .unloadableLibrary, manifest: manifest.path,
                "cannot load \(path): \(reason) — is it a shared library built for this machine?")
        }
        guard let symbol = dlsym(handle, ARB_PLUGIN_ENTRY_SYMBOL) else {
            throw PluginLoadError(
                .missingEntry, manifest: manifest.path,
                "\(path) exports no \(ARB_PLUGIN_ENTRY_SYMBOL) — not an arb plugin; export it with @c(arb_plugin_entry_v1) (Swift) or ARB_EXPORT (C)"
            )
        }
        let entry = unsafeBitCast(symbol, to: arb_plugin_entry_fn.self)
        guard let descriptor = entry() else {
            throw PluginLoadError(.badDescriptor, manifest: manifest.path, "\(path): the entry function returned NULL")
        }
        try check(descriptor, path: path, manifest)
        return LoadedLibrary(requestedPath: path, loadedPath: copy, sha256: sha, descriptor: descriptor)
    }

    private func check(
        _ d: UnsafePointer<arb_plugin_descriptor>, path: String, _ manifest: Manifest
    ) throws(PluginLoadError) {
        let name = (path as NSString).lastPathComponent
        // Read the version fields first: they sit at fixed offsets in every ABI major.
        let major = d.pointee.abi_major
        let minor = d.pointee.abi_minor
        guard major == HostVersion.abiMajor else {
            throw PluginLoadError(
                .abiMismatch, manifest: manifest.path,
                "\(name) was built for ABI \(major).\(minor), this host speaks \(HostVersion.abiMajor).\(HostVersion.abiMinor) — rebuild the plugin against arb_plugin.h \(HostVersion.abiMajor).x"
            )
        }
        guard minor <= HostVersion.abiMinor else {
            throw PluginLoadError(
                .abiMismatch, manifest: manifest.path,
                "\(name) needs ABI \(major).\(minor), this host speaks \(HostVersion.abiMajor).\(HostVersion.abiMinor) — upgrade arb or use an older build of the plugin"
            )
        }
        guard d.pointee.struct_size >= UInt32(MemoryLayout<arb_plugin_descriptor>.offset(of: \.plugin_data)!),
            d.pointee.id != nil, d.pointee.name != nil, d.pointee.version != nil, d.pointee.create != nil,
            d.pointee.destroy != nil, d.pointee.vtable != nil
        else {
            throw PluginLoadError(
                .badDescriptor, manifest: manifest.path,
                "\(name): descriptor is incomplete (struct_size \(d.pointee.struct_size), a required field is NULL) — fix the plugin"
            )
        }
        // A Swift plugin from another compiler would need its own Swift runtime: refuse it.
        let buildID = d.pointee.build_id.map { String(cString: $0) } ?? ""
        if buildID.hasPrefix("swift-"), buildID != PluginExport.buildIdentity {
            throw PluginLoadError(
                .toolchainMismatch, manifest: manifest.path,
                "\(name) was built with \(buildID), this host with \(PluginExport.buildIdentity) — rebuild the plugin with the host's Swift toolchain"
            )
        }
        guard let kind = PluginKind(abiValue: d.pointee.kind) else {
            throw PluginLoadError(
                .badDescriptor, manifest: manifest.path,
                "\(name) declares unknown kind \(d.pointee.kind) — fix the plugin")
        }
        guard kind == manifest.kind else {
            throw PluginLoadError(
                .kindMismatch, manifest: manifest.path,
                "kind = \"\(manifest.kind.rawValue)\" but \(name) is a \(kind.rawValue) plugin — set kind = \"\(kind.rawValue)\" or point `library` at a \(manifest.kind.rawValue)"
            )
        }
        let tableSize = d.pointee.vtable.assumingMemoryBound(to: UInt32.self).pointee
        let needed: Int
        switch kind {
        case .venue: needed = MemoryLayout<arb_venue_v1>.size
        case .lane: needed = MemoryLayout<arb_lane_v1>.size
        case .sizing: needed = MemoryLayout<arb_sizing_step_v1>.size
        }
        guard Int(tableSize) >= needed else {
            throw PluginLoadError(
                .badDescriptor, manifest: manifest.path,
                "\(name): \(kind.rawValue) function table is \(tableSize) bytes, ABI \(HostVersion.abiMajor).0 needs \(needed) — fix the plugin"
            )
        }
    }

    private func contentAddressedCopy(
        of data: Data, sha: String, name: String, _ manifest: Manifest
    ) throws(PluginLoadError) -> String {
        let target = (cacheDirectory as NSString).appendingPathComponent("\(sha.prefix(32))-\(name)")
        if let attributes = try? FileManager.default.attributesOfItem(atPath: target),
            (attributes[.size] as? NSNumber)?.intValue == data.count
        {
            return target
        }
        do {
            try FileManager.default.createDirectory(atPath: cacheDirectory, withIntermediateDirectories: true)
            let temporary = target + ".tmp-\(getpid())"
            try data.write(to: URL(fileURLWithPath: temporary))
            guard rename(temporary, target) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        } catch {
            throw PluginLoadError(
                .unloadableLibrary, manifest: manifest.path,
                "cannot copy the library into the plugin cache \(cacheDirectory): \(error) — check the state directory's permissions"
            )
        }
        return target
    }
}
