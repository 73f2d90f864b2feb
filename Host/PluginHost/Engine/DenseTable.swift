/// Values indexed by a dense id (a market's, a group's) in one block of memory, read and
/// written in place through their address.
///
/// Why not an Array: the engine writes a market's record several times per update, and every
/// write to an array stored in a class called into the runtime to check that the array was not
/// shared (five calls per applied bid change, plus the bounds checks; callgrind). A table is
/// never shared, so a write is a store. Its bounds are still checked.
///
/// Not thread-safe: the engine thread owns it. ``append(_:count:)`` may move the values, so no
/// address into the table may be held across it.
final class DenseTable<Element> {
    private(set) var count = 0
    private var capacity = 0
    private var base: UnsafeMutablePointer<Element>

    init() {
        base = .allocate(capacity: 1)
        capacity = 1
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    /// Adds `n` copies of `value` at the end, moving the values to a larger block when needed.
    func append(_ value: Element, count n: Int) {
        precondition(n >= 0, "a table grows by a count that is not negative")
        if count + n > capacity {
            let newCapacity = max(count + n, capacity * 2)
            let moved = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
            moved.moveInitialize(from: base, count: count)
            base.deallocate()
            base = moved
            capacity = newCapacity
        }
        (base + count).initialize(repeating: value, count: n)
        count += n
    }

    /// Where value `i` lies, for C callers that read it in place (valid until the next append).
    func address(_ i: Int) -> UnsafeMutablePointer<Element> {
        precondition(i >= 0 && i < count, "index out of the table")
        return base + i
    }

    subscript(_ i: Int) -> Element {
        unsafeAddress {
            precondition(i >= 0 && i < count, "index out of the table")
            return UnsafePointer(base + i)
        }
        unsafeMutableAddress { address(i) }
    }
}
