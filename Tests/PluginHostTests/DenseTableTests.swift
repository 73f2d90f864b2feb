import Testing

@testable import PluginHost

struct DenseTableTests {
    final class Tracked {
        let value: Int
        init(_ value: Int) { self.value = value }
    }

    @Test func valuesSurviveGrowthAndAreWrittenInPlace() {
        let table = DenseTable<[Int]>()
        #expect(table.count == 0)
        for n in 1...40 {
            table.append([n], count: n)  // grows past its capacity several times
            table[table.count - 1].append(-n)  // mutated in place, through its address
        }
        #expect(table.count == 820)
        var i = 0
        for n in 1...40 {
            for k in 0..<n {
                #expect(table[i] == (k == n - 1 ? [n, -n] : [n]), "value \(i)")
                i += 1
            }
        }
    }

    @Test func theTableReleasesWhatItHolds() {
        weak var first: Tracked?
        weak var last: Tracked?
        do {
            let table = DenseTable<Tracked?>()
            let a = Tracked(1)
            first = a
            table.append(a, count: 3)
            for _ in 0..<100 { table.append(nil, count: 1) }
            let b = Tracked(2)
            last = b
            table[table.count - 1] = b
            #expect(table[0]?.value == 1 && table[2]?.value == 1 && table[102]?.value == 2)
            table[1] = nil
        }
        #expect(first == nil && last == nil)
    }
}
