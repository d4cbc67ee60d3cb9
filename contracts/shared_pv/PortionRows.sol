// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title Run-length rows of portions: one owner's basis points over 128 consecutive slots
/// @notice A row is a step function over positions 0..127, kept as runs `(start, value)`
/// with strictly increasing starts, the first at 0, and no two neighbours of equal value
/// (canonical, so a row has at most 128 runs). A range transfer changes a row in two places
/// at most, whatever its length: this is why 16 or 96 slots cost about what one slot costs.
///
/// Storage of one row: the first word holds the header and up to 10 runs, each further
/// word 12 runs (at most 11 words for 128 runs).
///   word 0: bits 0-7 run count (0: the row is not live — the owner holds its default share
///           in every slot); 8-24 tag (the row number mod 2^17: a word left by an older row
///           of the same ring position is not live); 25-38 cached default share; 39 cache
///           valid; 40-249 runs 0..9, 21 bits each (7-bit start | 14-bit value << 7).
///   word j >= 1: runs 10 + 12(j-1) .. at bits 0-251.
/// @dev Invariant (of the functions here): `shift` maps a canonical row to a canonical row
/// equal to the input plus (or minus) `x` on positions p..q and unchanged elsewhere, and
/// reports the first position of p..q holding less than `x` when subtracting.
library PortionRows {
    uint256 internal constant ROW = 128;
    uint256 internal constant WORDS = 16; // storage stride per row (11 used at most)
    uint256 internal constant POS_MASK = 0x7f;
    uint256 internal constant RUN_MASK = (1 << 21) - 1;
    uint256 internal constant COUNT_MASK = 0xff;
    uint256 internal constant TAG_SHIFT = 8;
    uint256 internal constant TAG_MASK = (1 << 17) - 1;
    uint256 internal constant CACHE_SHIFT = 25;
    uint256 internal constant CACHE_MASK = (1 << 14) - 1;
    uint256 internal constant VALID_BIT = 1 << 39;
    /// @dev Bits of word 0 that describe the owner, not the row (kept across rewrites).
    uint256 internal constant OWNER_BITS = (CACHE_MASK << CACHE_SHIFT) | VALID_BIT;
    uint256 internal constant RUNS_SHIFT = 40;
    uint256 internal constant HEAD_RUNS = 10;
    uint256 internal constant SPILL_RUNS = 12;
    /// @dev Bit 47 + 21k for k = 0..9: the lowest bit of each run's value field in word 0.
    uint256 internal constant VALUE_LSBS = 0x100000800004000020000100000800004000020000100000800000000000;
    /// @dev `shift` found no shortfall.
    uint256 internal constant NO_SHORTFALL = type(uint256).max;

    /// @dev Whether word 0 `w0` holds the runs of row number `row`.
    function isLive(uint256 w0, uint256 row) internal pure returns (bool) {
        return w0 & COUNT_MASK != 0 && (w0 >> TAG_SHIFT) & TAG_MASK == row & TAG_MASK;
    }

    /// @dev The cached default share of word 0, and whether it is valid.
    function cached(uint256 w0) internal pure returns (bool valid, uint256 defaultBp) {
        return (w0 & VALID_BIT != 0, (w0 >> CACHE_SHIFT) & CACHE_MASK);
    }

    /// @dev Word 0 bits recording `defaultBp` as the owner's valid cached default share.
    function ownerBits(uint256 defaultBp) internal pure returns (uint256) {
        return (defaultBp << CACHE_SHIFT) | VALID_BIT;
    }

    /// @dev Word 0 of row number `row` holding `value` in every position except `p..q`,
    /// which hold `moved` (`moved != value`).
    function flatShifted(uint256 row, uint256 ownerPart, uint256 value, uint256 p, uint256 q, uint256 moved)
        internal
        pure
        returns (uint256 w)
    {
        unchecked {
            uint256 n = 1;
            uint256 runs = p == 0 ? moved << 7 : (value << 7) | ((p | (moved << 7)) << 21);
            if (p != 0) n = 2;
            if (q < ROW - 1) {
                runs |= ((q + 1) | (value << 7)) << (21 * n);
                ++n;
            }
            w = n | ((row & TAG_MASK) << TAG_SHIFT) | ownerPart | (runs << RUNS_SHIFT);
        }
    }

    /// @dev A row holding `value` in every position.
    function flat(uint256 value) internal pure returns (uint256[] memory runs, uint256 n) {
        runs = new uint256[](1);
        runs[0] = value << 7;
        return (runs, 1);
    }

    /// @dev The runs of the live row whose word 0 is `w0` (further words read from `words`).
    function load(uint256[512] storage words, uint256 base, uint256 w0)
        internal
        view
        returns (uint256[] memory runs, uint256 n)
    {
        n = w0 & COUNT_MASK;
        runs = new uint256[](n);
        unchecked {
            uint256 head = n < HEAD_RUNS ? n : HEAD_RUNS;
            uint256 i;
            for (; i < head; ++i) {
                runs[i] = (w0 >> (RUNS_SHIFT + 21 * i)) & RUN_MASK;
            }
            for (uint256 j = 1; i < n; ++j) {
                uint256 w = words[base + j];
                for (uint256 t; t < SPILL_RUNS && i < n; ++t) {
                    runs[i++] = (w >> (21 * t)) & RUN_MASK;
                }
            }
        }
    }

    /// @dev Write runs `runs[0..n)` of row number `row`; `ownerPart` are the owner bits of word 0.
    function store(uint256[512] storage words, uint256 base, uint256 row, uint256 ownerPart, uint256[] memory runs, uint256 n)
        internal
    {
        unchecked {
            uint256 w0 = n | ((row & TAG_MASK) << TAG_SHIFT) | ownerPart;
            uint256 head = n < HEAD_RUNS ? n : HEAD_RUNS;
            uint256 i;
            for (; i < head; ++i) {
                w0 |= runs[i] << (RUNS_SHIFT + 21 * i);
            }
            words[base] = w0;
            for (uint256 j = 1; i < n; ++j) {
                uint256 w;
                for (uint256 t; t < SPILL_RUNS && i < n; ++t) {
                    w |= runs[i++] << (21 * t);
                }
                words[base + j] = w;
            }
        }
    }

    /// @dev The row `runs[0..n)` plus `x` (`add`) or minus `x` on positions `p..q`
    /// (`p <= q < 128`), canonical. Subtracting, `shortfall` is the first position of `p..q`
    /// holding less than `x`, packed with what it holds (`pos | held << 7`), and the returned
    /// row is incomplete; otherwise `NO_SHORTFALL`.
    function shift(uint256[] memory runs, uint256 n, uint256 p, uint256 q, uint256 x, bool add)
        internal
        pure
        returns (uint256[] memory out, uint256 m, uint256 shortfall)
    {
        out = new uint256[](n + 2);
        uint256 last = type(uint256).max; // value of the last run written
        unchecked {
            for (uint256 i; i < n; ++i) {
                uint256 e = runs[i];
                uint256 start = e & POS_MASK;
                uint256 v = e >> 7;
                uint256 end = i + 1 < n ? (runs[i + 1] & POS_MASK) - 1 : ROW - 1;
                if (end < p || start > q) {
                    if (v != last) {
                        out[m++] = e;
                        last = v;
                    }
                    continue;
                }
                if (start < p && v != last) {
                    out[m++] = e;
                    last = v;
                }
                uint256 s = start < p ? p : start;
                uint256 nv;
                if (add) {
                    nv = v + x;
                } else if (v >= x) {
                    nv = v - x;
                } else {
                    return (out, m, s | (v << 7));
                }
                if (nv != last) {
                    out[m++] = s | (nv << 7);
                    last = nv;
                }
                if (end > q && v != last) {
                    out[m++] = (q + 1) | (v << 7);
                    last = v;
                }
            }
        }
        return (out, m, NO_SHORTFALL);
    }

    /// @dev `shift` done inside word 0 (the hot path: no memory, one pass): `w` holds a live
    /// row of at most 10 runs. Returns the new word 0 (its runs, count and the untouched
    /// header bits), or `out == 0` when the result would need more than 10 runs (the caller
    /// then uses `load` / `shift` / `store`). `shortfall` as in `shift` (`out` is then 0).
    /// How: find the runs a..b holding `p` and `q`; subtracting, check each of them; move
    /// all their values by `x` with one addition of `x * (lowest value bit of runs a..b)`
    /// (values stay within 0..10,000 < 2^14, so no field carries into the next); then split
    /// at `q + 1` or merge with run b+1, and split at `p` or merge with run a-1 — the only
    /// places where a canonical row can change shape. Runs are addressed by bit offset
    /// (run k at 40 + 21k).
    // shl(shift, value) with a constant value: masks, intended
    // slither-disable-start incorrect-shift
    function shiftHead(uint256 w, uint256 p, uint256 q, uint256 x, bool adding)
        internal
        pure
        returns (uint256 out, uint256 shortfall)
    {
        shortfall = NO_SHORTFALL;
        assembly ("memory-safe") {
            let end := add(40, mul(21, and(w, 0xff))) // offset just past the last run
            let c := 61
            for {} lt(c, end) { c := add(c, 21) } { if gt(and(shr(c, w), 0x7f), p) { break } }
            let a := sub(c, 21) // run a holds p
            for {} lt(c, end) { c := add(c, 21) } { if gt(and(shr(c, w), 0x7f), q) { break } }
            // runs a .. c-21 cover p..q; c is the run after them (or end)
            if iszero(adding) {
                for { let k := a } lt(k, c) { k := add(k, 21) } {
                    let v := and(shr(add(k, 7), w), 0x3fff)
                    if lt(v, x) {
                        let s := and(shr(k, w), 0x7f)
                        if lt(s, p) { s := p }
                        shortfall := or(s, shl(7, v))
                        break
                    }
                }
            }
            if iszero(not(shortfall)) {
                let r := mul(x, and(shl(a, sub(shl(sub(c, a), 1), 1)), VALUE_LSBS))
                switch adding
                case 0 { r := sub(w, r) }
                default { r := add(w, r) }
                let m := and(w, 0xff)
                // right edge: split at q+1 (the old value of run b goes on from there) or merge
                {
                    let endB := 127
                    if lt(c, end) { endB := sub(and(shr(c, w), 0x7f), 1) }
                    let low := and(r, sub(shl(c, 1), 1))
                    switch lt(q, endB)
                    case 1 {
                        let e := or(add(q, 1), and(shr(sub(c, 21), w), 0x1fff80))
                        r := or(or(low, shl(c, e)), shl(21, xor(r, low)))
                        m := add(m, 1)
                    }
                    default {
                        if lt(c, end) {
                            if eq(and(shr(add(c, 7), r), 0x3fff), and(shr(sub(c, 14), r), 0x3fff)) {
                                r := or(low, shl(c, shr(add(c, 21), r)))
                                m := sub(m, 1)
                            }
                        }
                    }
                }
                // left edge: split at p (run a keeps its start and old value, the moved copy
                // starts at p) or merge with run a-1
                {
                    let low := and(r, sub(shl(a, 1), 1))
                    switch lt(and(shr(a, w), 0x7f), p)
                    case 1 {
                        r := or(or(low, shl(a, and(shr(a, w), 0x1fffff))), shl(21, xor(r, low)))
                        let s := add(a, 21)
                        r := or(and(r, not(shl(s, 0x7f))), shl(s, p))
                        m := add(m, 1)
                    }
                    default {
                        if gt(a, 40) {
                            if eq(and(shr(sub(a, 14), r), 0x3fff), and(shr(add(a, 7), r), 0x3fff)) {
                                r := or(low, shl(a, shr(add(a, 21), r)))
                                m := sub(m, 1)
                            }
                        }
                    }
                }
                if lt(m, 11) { out := or(and(r, not(0xff)), m) }
            }
        }
    }
    // slither-disable-end incorrect-shift

    /// @dev The value of the row `runs[0..n)` at position `pos`.
    function valueAt(uint256[] memory runs, uint256 n, uint256 pos) internal pure returns (uint256 v) {
        for (uint256 i; i < n; ++i) {
            if (runs[i] & POS_MASK > pos) break;
            v = runs[i] >> 7;
        }
    }
}
