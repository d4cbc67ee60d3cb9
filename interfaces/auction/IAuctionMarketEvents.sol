// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {MarketParams, Pricing, Side} from "interfaces/auction/AuctionTypes.sol";

/// @title Events of the per-slot double auction
/// @notice Emitted right after each state change. With the ledger's events, every home's
/// bill (bought, sold, spent, earned, fees, deviation energy and charges) can be rebuilt
/// from logs alone: a slot's trades are the records of its last `ClearingSubmitted`,
/// paid by `SlotSettled`, reconciled by `DeviationSettled`.
interface IAuctionMarketEvents {
    /// @notice The DSO configured a feeder's limits on the market's net flow per slot.
    event FeederSet(uint8 indexed feeder, uint64 importLimitWh, uint64 exportLimitWh);
    /// @notice The DSO registered (feeder > 0) or deregistered (feeder 0) a trading account.
    event AccountSet(address indexed account, uint8 indexed feeder, uint32 importCapWh, uint32 exportCapWh);
    /// @notice New rules take effect from `fromSlot` (the DSO's notice period after now).
    event ParamsScheduled(MarketParams params, uint64 fromSlot);
    /// @notice The account that collects fees and settles deviations changed.
    event DsoAccountSet(address indexed account);
    /// @notice An order was posted on chain by its owner (for owners that cannot sign, e.g. contracts).
    event OrderPosted(
        bytes32 indexed orderId,
        address indexed owner,
        uint64 indexed slot,
        uint32 id,
        Side side,
        uint32 energyWh,
        uint64 limitPrice,
        uint40 expiry
    );
    /// @notice A posted order was withdrawn by its owner.
    event OrderCancelled(bytes32 indexed orderId, address indexed owner);
    /// @notice A clearing now stands for `slot` (a first one, or a better one that replaced
    /// another); its buyers' payments are frozen. `records` are its settlement records
    /// (49 bytes each: owner, side, energy Wh, amount, fee), needed to settle it.
    event ClearingSubmitted(
        uint64 indexed slot,
        address indexed submitter,
        bytes32 recordsHash,
        Pricing pricing,
        uint64 price,
        uint64 volumeWh,
        uint128 welfare,
        bytes records
    );
    /// @notice A better clearing replaced the standing one (whose freezes were released).
    event ClearingReplaced(uint64 indexed slot, bytes32 previousHash, bytes32 recordsHash);
    /// @notice The slot's clearing was paid: buyers paid `paidByBuyers` plus `fees`,
    /// sellers received `paidToSellers`, the DSO `fees + rounding`.
    event SlotSettled(
        uint64 indexed slot,
        bytes32 recordsHash,
        uint64 volumeWh,
        uint256 paidByBuyers,
        uint256 paidToSellers,
        uint256 fees,
        uint256 rounding
    );
    /// @notice An account's delivery was compared with its trade: it was charged (short:
    /// needed energy it had not bought, or failed to deliver what it sold) or credited
    /// (long); `unpaid` is what its free balance could not cover.
    event DeviationSettled(
        uint64 indexed slot,
        address indexed account,
        Side side,
        uint32 tradedWh,
        uint32 deliveredWh,
        uint256 charged,
        uint256 unpaid,
        uint256 credited
    );
    /// @notice Every account of the slot's clearing was reconciled with its delivery.
    event SlotReconciled(uint64 indexed slot, uint256 charged, uint256 unpaid, uint256 credited);
}
