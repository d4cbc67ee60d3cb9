// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @notice Daylight-saving rule of a market's local time zone. `EU`: summer time from the
/// last Sunday of March to the last Sunday of October, switching at 01:00 UTC (the rule of
/// Europe/Vienna, Berlin, Paris, London, Lisbon, Athens…), for standard offsets 0 to +3 h.
enum DstRule {
    None,
    EU
}

/// @notice How a market counts 15-minute slots. Slot `s` is the quarter hour that starts at
/// market time `s * 900` (seconds since 1970-01-01 UTC), so slot numbers never repeat or
/// skip across DST changes; local days (96 slots; 92 on the spring change day, 100 on the
/// autumn one) are ranges of slots. In real time `genesis = epoch = 0` and
/// `slotSeconds = 900`; a compressed day (a devnet demo) maps each 900 s market slot onto
/// `slotSeconds` chain seconds from chain time `genesis`, which is market time `epoch`.
struct SlotConfig {
    uint64 genesis;
    uint64 epoch;
    uint32 slotSeconds;
    int16 utcOffsetMinutes;
    DstRule dst;
}
