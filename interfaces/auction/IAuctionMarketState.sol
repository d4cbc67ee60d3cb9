// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccountInfo, FeederLimits, MarketParams, Order, SlotClearing} from "interfaces/auction/AuctionTypes.sol";

/// @title Read-only view of the per-slot double auction
interface IAuctionMarketState {
    /// @notice Role of the distribution system operator: feeders, accounts, rules, readings.
    function DSO_ROLE() external view returns (bytes32);

    /// @notice The order's id: its EIP-712 digest in this market's domain.
    function hashOrder(Order calldata order) external view returns (bytes32);

    /// @notice Whether the order with this id is posted on chain.
    function isPosted(bytes32 orderId) external view returns (bool);

    /// @notice The DSO's registration of `account` (feeder 0: not registered).
    function accountOf(address account) external view returns (AccountInfo memory);

    /// @notice The limits of `feeder`.
    function feederOf(uint8 feeder) external view returns (FeederLimits memory);

    /// @notice The rules for `slot`: those fixed at its first clearing, else the schedule's.
    function paramsFor(uint64 slot) external view returns (MarketParams memory);

    /// @notice The slot's clearing (status `None` before the first one).
    function clearingOf(uint64 slot) external view returns (SlotClearing memory);

    /// @notice The account that collects fees and is the counterparty of deviations.
    function dsoAccount() external view returns (address);

    /// @notice Challenge window (chain seconds before a slot's gate by which its first
    /// clearing must come), notice of rule changes (slots) and look-ahead (slots).
    function timing() external view returns (uint32 challengeWindow, uint32 noticeSlots, uint32 maxAheadSlots);
}
