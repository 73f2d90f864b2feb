import PluginKit

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Beta posteriors on "a basket from this bucket ends well", one per bucket (quant.md §3.5):
/// α = α0 + wins, β = β0 + losses, both discounted by γ per update (floors at the prior) so
/// old evidence fades. Stored as text lines `group_id<TAB>α_ppm<TAB>β_ppm<TAB>evidence_ppm`:
/// integers, so a restart restores exactly what was saved.
struct BucketPosteriors {
    static let stateKey = "posteriors"

    struct Entry: Equatable {
        var alpha: Double
        var beta: Double
        var evidence: Double
    }

    let prior: (alpha: Double, beta: Double)
    let discount: Double
    private(set) var entries: [String: Entry] = [:]

    init(prior: (Double, Double), discount: Double) {
        self.prior = prior
        self.discount = discount
    }

    func entry(_ id: String) -> Entry { entries[id] ?? Entry(alpha: prior.alpha, beta: prior.beta, evidence: 0) }

    func evidence(_ id: String) -> Double { entry(id).evidence }

    mutating func update(_ id: String, win: Bool) {
        var e = entry(id)
        e.alpha = max(prior.alpha, e.alpha * discount) + (win ? 1 : 0)
        e.beta = max(prior.beta, e.beta * discount) + (win ? 0 : 1)
        e.evidence = e.evidence * discount + 1
        entries[id] = e
    }

    /// A draw from the bucket's posterior, deterministic for (bucket, seed).
    func sample(_ id: String, seed: Int64) -> Double {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in id.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        var rng = SplitMix64(seed: hash ^ UInt64(bitPattern: seed))
        let e = entry(id)
        let x = gamma(e.alpha, &rng)
        let y = gamma(e.beta, &rng)
        return x / (x + y)
    }

    /// Marsaglia–Tsang gamma sampler; shape < 1 through the boost Gamma(a+1)·U^(1/a).
    private func gamma(_ shape: Double, _ rng: inout SplitMix64) -> Double {
        if shape < 1 { return gamma(shape + 1, &rng) * pow(max(rng.uniform(), 1e-300), 1 / shape) }
        let d = shape - 1.0 / 3
        let c = 1 / (9 * d).squareRoot()
        while true {
            let z = rng.normal()
            let v0 = 1 + c * z
            guard v0 > 0 else { continue }
            let v = v0 * v0 * v0
            let u = max(rng.uniform(), 1e-300)
            if log(u) < 0.5 * z * z + d - d * v + d * log(v) { return d * v }
        }
    }

    func serialized() -> [UInt8] {
        func ppm(_ x: Double) -> Int64 { Int64((x * 1e6).rounded()) }
        let lines = entries.keys.sorted().map { id -> String in
            let e = entries[id]!
            return "\(id)\t\(ppm(e.alpha))\t\(ppm(e.beta))\t\(ppm(e.evidence))"
        }
        return Array(lines.joined(separator: "\n").utf8)
    }

    struct Corrupt: Error, CustomStringConvertible {
        var line: Int
        var description: String { "line \(line) is not group_id, alpha, beta, evidence" }
    }

    mutating func restore(_ bytes: [UInt8]) throws {
        var restored: [String: Entry] = [:]
        for (i, line) in String(decoding: bytes, as: UTF8.self).split(separator: "\n").enumerated() {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard f.count == 4, let a = Int64(f[1]), let b = Int64(f[2]), let n = Int64(f[3]), a > 0, b > 0, n >= 0
            else { throw Corrupt(line: i + 1) }
            restored[String(f[0])] = Entry(alpha: Double(a) / 1e6, beta: Double(b) / 1e6, evidence: Double(n) / 1e6)
        }
        entries = restored
    }
}
