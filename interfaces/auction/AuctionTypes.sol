// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @notice Side of an order: a bid buys energy, an ask sells it.
enum Side {
    Bid,
    Ask
}

/// @notice How a clearing prices its trades. `PayAsClear`: one uniform price for every
/// matched order (bid limit >= price >= ask limit). `PayAsBid`: the clearing lists
/// bid-ask matches and each match trades at the bid's limit (gsy-e's two-sided pay-as-bid).
enum Pricing {
    PayAsClear,
    PayAsBid
}

/// @notice Life of a slot's clearing: `None` (no clearing yet), `Cleared` (a clearing
/// stands, its buyers' payments frozen; a better one may replace it until the gate),
/// `Settled` (money moved after the gate), `Reconciled` (delivery deviations settled).
enum SlotStatus {
    None,
    Cleared,
    Settled,
    Reconciled
}

/// @notice A bid or an ask for one 15-minute slot, signed off chain (EIP-712, the market's
/// domain) or posted on chain by its owner. `limitPrice` is in payment-asset units per MWh
/// and excludes grid fees (a buyer pays fees on top). `id` distinguishes an owner's orders
/// in one slot: a clearing lists its orders by ascending (owner, id), so an order appears
/// at most once. The order is valid for clearings submitted until `expiry` (chain time).
struct Order {
    address owner;
    uint64 slot;
    uint32 id;
    Side side;
    uint32 energyWh;
    uint64 limitPrice;
    uint40 expiry;
}

/// @notice The market's rules that the DSO sets with notice. Fees are paid by buyers on
/// top of the energy price: `constFeePerMWh` per MWh bought plus `feeBps` basis points of
/// the energy cost. Deviations between traded and delivered energy settle with the DSO at
/// `imbalancePricePerMWh`: a short position pays it plus `penaltyBps`, a long one is paid
/// it minus `penaltyBps`. `pricing` is the clearing rule.
struct MarketParams {
    uint64 constFeePerMWh;
    uint16 feeBps;
    uint64 imbalancePricePerMWh;
    uint16 penaltyBps;
    Pricing pricing;
}

/// @notice A trading account as the DSO registered it: its feeder (0 = not registered)
/// and what it may buy (`importCapWh`) and sell (`exportCapWh`) in one slot — the energy
/// behind its asks is bounded by the export capacity the DSO checked.
struct AccountInfo {
    uint8 feeder;
    uint32 importCapWh;
    uint32 exportCapWh;
}

/// @notice A feeder's limits on the market's net flow in one slot: energy sold by its
/// accounts minus energy bought by them may not exceed `exportLimitWh`, nor fall below
/// `-importLimitWh`.
struct FeederLimits {
    bool exists;
    uint64 importLimitWh;
    uint64 exportLimitWh;
}

/// @notice A slot's clearing as the market stores it: the hash of its settlement records
/// (one per owner: what it buys or sells and pays or receives), its score (volume first,
/// then welfare) and the rules in force for the slot, fixed at its first clearing.
struct SlotClearing {
    bytes32 recordsHash;
    uint64 volumeWh;
    uint128 welfare;
    SlotStatus status;
    MarketParams params;
}
