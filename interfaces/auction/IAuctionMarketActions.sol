// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {MarketParams, Order} from "interfaces/auction/AuctionTypes.sol";

/// @title Actions of the per-slot double auction
/// @notice Orders are signed off chain (or posted on chain); anyone computes a slot's
/// clearing off chain and submits it; the market verifies it (signatures, expiries, limits,
/// fills, capacities, Σ bought = Σ sold, feeder limits), freezes the buyers' payments and
/// lets anyone replace it with a better one until the slot's gate (its start); then anyone
/// settles it; after the slot the DSO reconciles delivered with traded energy.
///
/// Packed clearing (`clearing` argument), big-endian, no padding:
/// header `uint8 pricing | uint64 price | uint16 orderCount` (price 0 for pay-as-bid), then
/// `orderCount` orders sorted by strictly ascending (owner, id), each
/// `address owner | uint32 id | uint8 flags | uint32 energyWh | uint64 limitPrice |
/// uint40 expiry | uint32 fillWh` (46 bytes) followed, unless flag bit 1 says the order
/// was posted on chain, by its 65-byte signature `r | s | v`; flag bit 0 is the side
/// (1 = ask). Pay-as-bid appends matches `uint16 bidIndex | uint16 askIndex | uint32 energyWh`.
///
/// Settlement records (`records`), one per owner in the clearing's order, 49 bytes each:
/// `address owner | uint8 side | uint32 energyWh | uint96 amount | uint96 fee` — a buyer
/// pays `amount + fee`, a seller receives `amount`. They are emitted in `ClearingSubmitted`.
interface IAuctionMarketActions {
    // --- DSO ----------------------------------------------------------------------------
    /// @notice Configure feeder `feeder` (1..255): its limits on the market's net export and
    /// import per slot. Only the DSO role.
    function setFeeder(uint8 feeder, uint64 importLimitWh, uint64 exportLimitWh) external;

    /// @notice Register `account` on `feeder` with what it may buy and sell per slot, or
    /// deregister it (`feeder` 0). Only the DSO role. Applies to clearings submitted later.
    function setAccount(address account, uint8 feeder, uint32 importCapWh, uint32 exportCapWh) external;

    /// @notice Schedule new rules (fees, imbalance price, penalty, pricing) from the slot
    /// `noticeSlots` after the current one; a pending schedule is replaced. Only the DSO role.
    /// @return fromSlot the first slot the rules apply to
    function scheduleParams(MarketParams calldata params) external returns (uint64 fromSlot);

    /// @notice Settle slot `slot`'s deviations: `readings` holds, per settlement record and
    /// in their order, the `uint32` energy the account delivered (a buyer: took from the
    /// grid; a seller: fed in), from the DSO's meter readings. Short positions are charged
    /// the imbalance price plus the penalty (as far as their free balance goes), long ones
    /// are credited the imbalance price minus the penalty; the DSO's account is the
    /// counterparty. Only the DSO role, once the slot has ended.
    function settleDeviations(uint64 slot, bytes calldata records, bytes calldata readings) external;

    // --- governor -----------------------------------------------------------------------
    /// @notice Set the account that collects fees and is the counterparty of deviations.
    /// Only the governor.
    function setDsoAccount(address account) external;

    // --- orders -------------------------------------------------------------------------
    /// @notice Post an order on chain instead of signing it (e.g. for a contract account).
    /// Only its owner, before the slot's gate and its expiry. Nothing is frozen: like a
    /// signed order, it is paid for when a clearing uses it.
    /// @return orderId the order's EIP-712 digest
    function postOrder(Order calldata order) external returns (bytes32 orderId);

    /// @notice Withdraw a posted order: clearings submitted afterwards cannot use it.
    /// Only its owner.
    function cancelOrder(Order calldata order) external;

    // --- clearing -----------------------------------------------------------------------
    /// @notice Submit the first clearing of `slot`, at least the challenge window before
    /// its gate. Anyone may; the caller pays for the verification. Freezes every buyer's
    /// payment (energy cost plus fees).
    function submitClearing(uint64 slot, bytes calldata clearing) external;

    /// @notice Replace the standing clearing of `slot` (its `standingRecords`) with a
    /// better one — more energy traded, or as much with more welfare (Σ bid limit × fill −
    /// Σ ask limit × fill); on a tie the standing clearing stays. Until the slot's gate.
    function challengeClearing(uint64 slot, bytes calldata standingRecords, bytes calldata clearing) external;

    /// @notice Pay the standing clearing of `slot` once its gate has passed: buyers' frozen
    /// payments go to the sellers, fees and rounding to the DSO's account. Anyone may.
    function settle(uint64 slot, bytes calldata records) external;
}
