import CArbPluginAPI
import Crypto
import Foundation
import Testing
import _CryptoExtras

@testable import PluginHost

/// The host's signer, called through a plugin instance's `arb_host.sign` slot exactly as a
/// plugin calls it. Keys come from files named in the host settings.
@Suite(.serialized)
struct SignerTests {
    /// Loads the fixture lane with `keys` and returns its instance (its host table signs).
    func instance(keys: KeyStore, in box: Sandbox) throws -> PluginInstance {
        try compileC(fixturePluginSource, output: box.root + "/libfixture.so")
        try box.write("20-lane.toml", manifest(id: "lane.fixture", kind: "lane", library: "libfixture.so"))
        let manager = PluginManager(
            directory: ManifestDirectory(path: box.pluginsDirectory),
            loader: LibraryLoader(searchPath: [box.root], cacheDirectory: box.stateDirectory + "/cache"),
            runtime: HostRuntime(keys: keys, state: FileStateStore(directory: box.stateDirectory)))
        manager.reload()
        return try #require(manager.pipeline.lanes.first)
    }

    func sign(_ message: [UInt8], key: String, algorithm: Int32, with instance: PluginInstance) -> (
        Int32, [UInt8], String
    ) {
        final class Out {
            var bytes: [UInt8] = []
            var text = ""
        }
        let out = Out()
        let host = instance.hostTable.assumingMemoryBound(to: arb_host.self)
        var bytesSink = arb_bytes_sink(
            ctx: Unmanaged.passUnretained(out).toOpaque(),
            write: { ctx, data, len in
                Unmanaged<Out>.fromOpaque(ctx!).takeUnretainedValue().bytes += Array(
                    UnsafeBufferPointer(start: data, count: len))
            })
        var textSink = arb_text_sink(
            ctx: Unmanaged.passUnretained(out).toOpaque(),
            write: { ctx, text, len in
                Unmanaged<Out>.fromOpaque(ctx!).takeUnretainedValue().text += String(
                    decoding: UnsafeRawBufferPointer(start: text, count: len), as: UTF8.self)
            })
        let status = message.withUnsafeBufferPointer { m in
            host.pointee.sign(host, key, arb_sign_algorithm(algorithm), m.baseAddress, m.count, &bytesSink, &textSink)
        }
        return (status, out.bytes, out.text)
    }

    func writeKey(_ text: String, in box: Sandbox, mode: Int = 0o600) throws -> String {
        let path = box.root + "/key-\(UUID().uuidString)"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        return path
    }

    @Test func hmacMatchesRFC4231TestCase2() throws {
        let box = try Sandbox()
        defer { box.remove() }
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let file = try writeKey(Data("Jefe".utf8).base64EncodedString(), in: box)
        let key = try KeyStore.loadKey(name: "poly", path: file, format: .hmacBase64, allowedPlugins: ["lane.fixture"])
        let lane = try instance(keys: KeyStore(keys: [key]), in: box)
        let (status, mac, _) = sign(
            Array("what do ya want for nothing?".utf8), key: "poly", algorithm: Int32(ARB_SIGN_HMAC_SHA256), with: lane)
        #expect(status == ARB_OK)
        #expect(
            mac.map { String(format: "%02x", $0) }.joined()
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func rsaPSSVerifiesWithThePublicKey() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let privateKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let file = try writeKey(privateKey.pemRepresentation, in: box)
        let settings = try HostSettings(
            text: "[keys.kalshi]\nfile = \"/nowhere\"\nformat = \"rsa-pem\"\nplugins = [\"lane.fixture\"]\n",
            path: "arb.toml",
            environment: ["ARB_KEY_KALSHI_FILE": file])
        let lane = try instance(keys: try settings.loadKeyStore(), in: box)
        let message = Array("1703123456789GET/trade-api/v2/portfolio/balance".utf8)
        let (status, signature, _) = sign(message, key: "kalshi", algorithm: Int32(ARB_SIGN_RSA_PSS_SHA256), with: lane)
        #expect(status == ARB_OK)
        #expect(signature.count == 256)
        #expect(
            privateKey.publicKey.isValidSignature(
                _RSA.Signing.RSASignature(rawRepresentation: signature), for: SHA256.hash(data: message), padding: .PSS)
        )
    }

    @Test func keysAreGrantedPerPluginAndNamed() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let file = try writeKey(Data("secret".utf8).base64EncodedString(), in: box)
        let key = try KeyStore.loadKey(name: "other", path: file, format: .hmacBase64, allowedPlugins: ["venue.kalshi"])
        let lane = try instance(keys: KeyStore(keys: [key]), in: box)
        let denied = sign([1, 2, 3], key: "other", algorithm: Int32(ARB_SIGN_HMAC_SHA256), with: lane)
        #expect(denied.0 == ARB_ERR_AUTH)
        #expect(denied.2 == "plugin lane.fixture may not use key other")
        let missing = sign([1], key: "nope", algorithm: Int32(ARB_SIGN_HMAC_SHA256), with: lane)
        #expect(missing.0 == ARB_ERR_NOT_FOUND)
        #expect(missing.2 == "no key named nope in the host settings")
    }

    @Test func keyReadableByOthersIsRefusedAtStartUp() throws {
        let box = try Sandbox()
        defer { box.remove() }
        let file = try writeKey("c2VjcmV0", in: box, mode: 0o644)
        let settings = try HostSettings(
            text: "[keys.poly]\nfile = \"\(file)\"\nformat = \"hmac-base64\"\n", path: "arb.toml")
        #expect(throws: KeyStore.KeyError.self) { try settings.loadKeyStore() }
        do {
            _ = try settings.loadKeyStore()
        } catch {
            #expect("\(error)" == "key poly: \(file) is readable by group or others (mode 644) — run chmod 600 \(file)")
        }
        #expect(throws: HostSettings.SettingsError.self) {
            try HostSettings(text: "[keys.x]\nformat = \"pgp\"\nfile = \"f\"\n", path: "arb.toml")
        }
    }
}
