#ifndef ARB_PRICE_SEARCH_H
#define ARB_PRICE_SEARCH_H

#include <stddef.h>
#include <stdint.h>

/// The first of `count` ascending prices not below `price` (`count` when none). The prices are
/// int64s `stride` bytes apart from `first`: 8 for a plain array, 16 for `arb_level`s' prices.
///
/// Branchless: each halving is a conditional move. Where a book update lands in a ladder is
/// random, so a search that jumps on each comparison mispredicts about half of them. Written
/// in C for `__builtin_unpredictable`: LLVM's x86 pass that turns a conditional move feeding a
/// load back into a jump leaves such a move alone, and Swift has no way to say so (a select
/// written in Swift, even as a mask, was compiled to a jump).
static inline size_t arb_price_lower_bound(const void *first, size_t stride, size_t count, int64_t price) {
    const char *bytes = (const char *)first;
    if (count == 0) return 0;
    size_t base = 0;
    size_t n = count;
    while (n > 1) {
        size_t half = n >> 1;
        base = __builtin_unpredictable(*(const int64_t *)(bytes + (base + half) * stride) < price) ? base + half : base;
        n -= half;
    }
    return base + (*(const int64_t *)(bytes + base * stride) < price);
}

#endif
