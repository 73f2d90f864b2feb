import PluginKit

/// Walks two ask ladders together, yielding chunks of equal size at the current YES and NO
/// prices, cheapest combination first (both ladders are best-first).
struct LadderWalk {
    struct Chunk {
        var yesPrice: MicroDollars
        var noPrice: MicroDollars
        var size: CentiContracts
    }

    let yes: AskLadder
    let no: AskLadder
    private var i = 0
    private var j = 0
    private var yesLeft: CentiContracts
    private var noLeft: CentiContracts

    init(yes: AskLadder, no: AskLadder) {
        self.yes = yes
        self.no = no
        yesLeft = yes.first?.size ?? 0
        noLeft = no.first?.size ?? 0
    }

    mutating func next() -> Chunk? {
        guard i < yes.count, j < no.count else { return nil }
        let size = min(yesLeft, noLeft)
        let chunk = Chunk(yesPrice: yes[i].price, noPrice: no[j].price, size: size)
        yesLeft -= size
        noLeft -= size
        if yesLeft == 0 {
            i += 1
            if i < yes.count { yesLeft = yes[i].size }
        }
        if noLeft == 0 {
            j += 1
            if j < no.count { noLeft = no[j].size }
        }
        return size > 0 ? chunk : next()
    }
}
