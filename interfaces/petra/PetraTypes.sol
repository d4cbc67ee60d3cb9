// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @notice What an energy asset promises: to inject power into the grid, or to take it.
enum AssetKind {
    Production,
    Consumption
}

/// @notice Where an energy asset stands. `Held`: its owner may offer, transfer or use it to
/// accept an offer. `Offered`: in the order book (an ask for a production asset, a bid — with
/// its escrow frozen — for a consumption asset); locked until rescinded or accepted.
/// `Matched`: traded; its holder must perform (deliver or take the energy) and the DSO
/// records delivery after the interval. `None`: no live asset under this id.
enum AssetStatus {
    Held,
    Offered,
    Matched,
    None
}

/// @notice The three flows a feeder's limits bound per 15-minute interval: trades whose
/// producer and consumer are both on the feeder (`Internal`), energy sold out of the feeder
/// (`Export`) and bought into it (`Import`).
enum FeederFlow {
    Internal,
    Export,
    Import
}

/// @notice A live energy asset. `first` and `last` are slot numbers of the common slot clock
/// (15-minute intervals, both included); `power` is in watts; `price` is the asking (or
/// bidding) price in payment-asset units per MWh while `Offered`, the trade's price once
/// `Matched`, and zero while `Held`.
struct Asset {
    address owner;
    AssetKind kind;
    AssetStatus status;
    uint8 feeder;
    uint32 power;
    uint64 first;
    uint64 last;
    uint32 price;
}

/// @notice A prosumer as the DSO registered it: the feeder it is connected to and its maximum
/// production and consumption power (W). `registered` is false for unknown ids.
struct Prosumer {
    bool registered;
    uint8 feeder;
    uint32 maxProduction;
    uint32 maxConsumption;
}

/// @notice A feeder's limits per 15-minute interval (W): the sum of trades inside the feeder,
/// and the sum of exports (and, separately, of imports) across its boundary.
struct Feeder {
    bool registered;
    uint32 internalLimit;
    uint32 exchangeLimit;
}

/// @notice An anonymous account's track record: energy it promised in matched assets whose
/// delivery was recorded, and energy it delivered (production injected or consumption taken,
/// at most what was promised), in mWh; how many deliveries were recorded and how many fell short.
struct Reputation {
    uint96 promisedMWh;
    uint96 deliveredMWh;
    uint32 deliveries;
    uint32 shortfalls;
}

/// @notice The part of an offer (and of the acceptor's own asset) that a trade takes: `power`
/// watts in every slot from `first` to `last` (both included).
struct Portion {
    uint32 power;
    uint64 first;
    uint64 last;
}

/// @notice A mint the DSO signs off chain (EIP-712) so that anyone may submit it. `nonce` is
/// spent in the signer's 32-nonce window; the order is void after `expiry` (chain time).
struct MintOrder {
    uint32 prosumer;
    address to;
    AssetKind kind;
    uint32 power;
    uint64 first;
    uint64 last;
    uint40 positionHint;
    uint32 nonce;
    uint64 expiry;
}
