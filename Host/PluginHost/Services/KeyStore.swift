import CArbPluginAPI
import Crypto
import Foundation
import _CryptoExtras

/// Private keys held by the host. Plugins ask for signatures by key name and never see the
/// material; each key lists the manifest ids allowed to use it.
public final class KeyStore: Sendable {
    /// What a key can sign with.
    public enum Material: Sendable {
        case rsa(_RSA.Signing.PrivateKey)
        /// An HMAC secret's raw bytes (SymmetricKey is not Sendable, so it is made per call).
        case hmac([UInt8])
    }

    public struct Key: Sendable {
        public var name: String
        public var material: Material
        /// Manifest ids allowed to sign with this key; empty means none.
        public var allowedPlugins: Set<String>

        public init(name: String, material: Material, allowedPlugins: Set<String>) {
            self.name = name
            self.material = material
            self.allowedPlugins = allowedPlugins
        }
    }

    /// How a key file is read.
    public enum FileFormat: String, Sendable {
        /// PEM RSA key, PKCS#1 (`BEGIN RSA PRIVATE KEY`) or PKCS#8 (`BEGIN PRIVATE KEY`).
        case rsaPEM = "rsa-pem"
        /// An HMAC secret in base64 or base64url (Polymarket API secrets).
        case hmacBase64 = "hmac-base64"
    }

    public struct KeyError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    private let keys: [String: Key]
    /// Replays only: signs for any key name with keys made for the run (nothing is ever sent).
    private let replayKeys: (rsa: _RSA.Signing.PrivateKey, hmac: [UInt8])?

    public init(keys: [Key]) {
        self.keys = Dictionary(keys.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        replayKeys = nil
    }

    private init(replayRSA: _RSA.Signing.PrivateKey) {
        keys = [:]
        replayKeys = (replayRSA, Array(repeating: 0x5a, count: 32))
    }

    /// A signer for `arb replay`: a venue plugin configured with a key still builds its requests
    /// (they are matched to the tape by method and URL, never sent), without the real key files.
    public static func forReplay() throws -> KeyStore {
        KeyStore(replayRSA: try _RSA.Signing.PrivateKey(keySize: .bits2048))
    }

    /// Reads a key file, refusing one that group or others can read (a leaked key costs money).
    public static func loadKey(
        name: String, path: String, format: FileFormat, allowedPlugins: Set<String>
    ) throws -> Key {
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
        } catch {
            throw KeyError(description: "key \(name): cannot read \(path) — check the path in the host settings")
        }
        let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0
        guard mode & 0o077 == 0 else {
            throw KeyError(
                description:
                    "key \(name): \(path) is readable by group or others (mode \(String(mode, radix: 8))) — run chmod 600 \(path)"
            )
        }
        let text = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        switch format {
        case .rsaPEM:
            do {
                return Key(
                    name: name, material: .rsa(try _RSA.Signing.PrivateKey(pemRepresentation: text)),
                    allowedPlugins: allowedPlugins)
            } catch {
                throw KeyError(
                    description: "key \(name): \(path) is not an RSA private key in PEM (PKCS#1 or PKCS#8): \(error)")
            }
        case .hmacBase64:
            var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
            guard let secret = Data(base64Encoded: base64), !secret.isEmpty else {
                throw KeyError(description: "key \(name): \(path) does not hold a base64 secret")
            }
            return Key(name: name, material: .hmac(Array(secret)), allowedPlugins: allowedPlugins)
        }
    }

    /// Signs for the plugin `pluginID`. Errors carry the ABI status to return.
    func sign(
        _ message: UnsafeRawBufferPointer, keyName: String, algorithm: arb_sign_algorithm, pluginID: String
    ) -> Result<[UInt8], SignFailure> {
        if let replay = replayKeys {
            let material: Material =
                algorithm == arb_sign_algorithm(ARB_SIGN_HMAC_SHA256) ? .hmac(replay.hmac) : .rsa(replay.rsa)
            return KeyStore(keys: [Key(name: keyName, material: material, allowedPlugins: [pluginID])])
                .sign(message, keyName: keyName, algorithm: algorithm, pluginID: pluginID)
        }
        guard let key = keys[keyName] else {
            return .failure(
                SignFailure(status: Int32(ARB_ERR_NOT_FOUND), message: "no key named \(keyName) in the host settings"))
        }
        guard key.allowedPlugins.contains(pluginID) else {
            return .failure(
                SignFailure(status: Int32(ARB_ERR_AUTH), message: "plugin \(pluginID) may not use key \(keyName)"))
        }
        switch (algorithm, key.material) {
        case (arb_sign_algorithm(ARB_SIGN_RSA_PSS_SHA256), .rsa(let rsa)):
            do {
                // swift-crypto's PSS uses MGF1 with the same digest and a digest-length (32-byte) salt: Kalshi's scheme.
                let signature = try rsa.signature(for: SHA256.hash(data: message), padding: .PSS)
                return .success(Array(signature.rawRepresentation))
            } catch {
                return .failure(
                    SignFailure(status: Int32(ARB_ERR_INTERNAL), message: "RSA-PSS signing failed: \(error)"))
            }
        case (arb_sign_algorithm(ARB_SIGN_HMAC_SHA256), .hmac(let secret)):
            return .success(Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: secret))))
        case (arb_sign_algorithm(ARB_SIGN_SECP256K1_RECOVERABLE), _):
            return .failure(
                SignFailure(
                    status: Int32(ARB_ERR_UNSUPPORTED),
                    message: "secp256k1 signing is not available in this host build yet"))
        default:
            return .failure(
                SignFailure(
                    status: Int32(ARB_ERR_UNSUPPORTED),
                    message: "key \(keyName) cannot sign with algorithm \(algorithm)"))
        }
    }

    struct SignFailure: Error {
        var status: arb_status
        var message: String
    }
}
