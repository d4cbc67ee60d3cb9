// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Pricing, SlotStatus} from "interfaces/auction/AuctionTypes.sol";

/// @title Errors of the per-slot double auction
/// @notice Every refusal of the market, with the values that caused it.
interface IAuctionMarketErrors {
    // --- configuration (DSO) -----------------------------------------------------------
    /// @notice Feeder 0 means "no feeder": feeders are numbered 1..255.
    error AuctionZeroFeeder();
    /// @notice The account is registered on a feeder the DSO has not configured.
    error AuctionUnknownFeeder(uint8 feeder);
    /// @notice A fee or penalty rate above 100 % (10,000 basis points).
    error AuctionRateTooHigh(uint16 bps);
    /// @notice The DSO's account (fees, imbalance counterparty) cannot be the zero address.
    error AuctionZeroDsoAccount();
    /// @notice Constructor argument out of range (challenge window or notice of zero, or
    /// a look-ahead shorter than the notice).
    error AuctionInvalidTiming(uint32 challengeWindow, uint32 noticeSlots, uint32 maxAheadSlots);

    // --- posted orders -------------------------------------------------------------------
    /// @notice Only an order's owner may post or cancel it on chain.
    error AuctionNotOwner(address caller, address owner);
    /// @notice An order must offer or ask for some energy.
    error AuctionZeroEnergy(bytes32 orderId);
    /// @notice This order is already posted.
    error AuctionOrderAlreadyPosted(bytes32 orderId);
    /// @notice The clearing says this order was posted on chain, but it is not (or was cancelled).
    error AuctionOrderNotPosted(bytes32 orderId);
    /// @notice The slot's gate has closed (its delivery has begun): no orders or clearings for it.
    error AuctionSlotClosed(uint64 slot, uint256 gate, uint256 nowTimestamp);

    // --- clearing: orders ----------------------------------------------------------------
    /// @notice The packed clearing is malformed at byte `offset` (truncated item, unknown
    /// flag bits, a count that does not match, an index out of range).
    error AuctionMalformedClearing(uint256 offset);
    /// @notice The clearing's pricing rule is not the one in force for its slot.
    error AuctionPricingMismatch(Pricing expected, uint256 given);
    /// @notice Orders must be listed by strictly ascending (owner, id).
    error AuctionOrderOutOfOrder(address owner, uint32 id);
    /// @notice The same order (owner, id) is listed twice.
    error AuctionOrderRepeated(address owner, uint32 id);
    /// @notice The order's signature is malformed or not canonical (e.g. high-s).
    error AuctionMalformedSignature(bytes32 orderId);
    /// @notice The order is not signed by its owner (or signed for another slot, market or chain).
    error AuctionInvalidSignature(bytes32 orderId, address recovered, address owner);
    /// @notice The order expired before this clearing was submitted.
    error AuctionOrderExpired(address owner, uint32 id, uint40 expiry, uint256 nowTimestamp);
    /// @notice A listed order must be filled with some energy.
    error AuctionZeroFill(address owner, uint32 id);
    /// @notice The fill exceeds the energy the order offered or asked for.
    error AuctionOverfilled(address owner, uint32 id, uint32 fillWh, uint32 energyWh);
    /// @notice Pay-as-clear: a bid's limit is below the clearing price.
    error AuctionBidBelowPrice(address owner, uint32 id, uint64 limitPrice, uint64 price);
    /// @notice Pay-as-clear: an ask's limit is above the clearing price.
    error AuctionAskAbovePrice(address owner, uint32 id, uint64 limitPrice, uint64 price);
    /// @notice The account is not registered with the DSO (no feeder).
    error AuctionUnknownAccount(address owner);
    /// @notice An account is a buyer or a seller in one slot, not both.
    error AuctionBothSides(address owner);
    /// @notice The account's fills exceed what the DSO registered it may buy or sell per slot.
    error AuctionCapacityExceeded(address owner, uint256 energyWh, uint32 capWh);

    // --- clearing: totals and matches ----------------------------------------------------
    /// @notice Energy bought and sold differ.
    error AuctionUnbalanced(uint256 boughtWh, uint256 soldWh);
    /// @notice A clearing must trade some energy.
    error AuctionEmptyClearing(uint64 slot);
    /// @notice The feeder's accounts would sell more than its export limit, net.
    error AuctionFeederExportExceeded(uint8 feeder, uint256 netExportWh, uint64 limitWh);
    /// @notice The feeder's accounts would buy more than its import limit, net.
    error AuctionFeederImportExceeded(uint8 feeder, uint256 netImportWh, uint64 limitWh);
    /// @notice Pay-as-bid: a match must pair a bid (first index) with an ask (second index).
    error AuctionMatchSides(uint256 bidIndex, uint256 askIndex);
    /// @notice Pay-as-bid: a match's bid limit is below its ask limit.
    error AuctionBidBelowAsk(uint256 bidIndex, uint256 askIndex, uint64 bidLimit, uint64 askLimit);
    /// @notice Pay-as-bid: an order's matches do not add up to its declared fill.
    error AuctionMatchedFillMismatch(uint256 orderIndex, uint256 fillWh, uint256 matchedWh);

    // --- clearing: slot life -------------------------------------------------------------
    /// @notice The slot is not in the state this action needs.
    error AuctionWrongStatus(uint64 slot, SlotStatus status);
    /// @notice A slot's first clearing must leave the whole challenge window before the gate.
    error AuctionSubmissionClosed(uint64 slot, uint256 deadline, uint256 nowTimestamp);
    /// @notice Clearings are accepted only for slots up to `maxSlot` (bounded look-ahead).
    error AuctionSlotTooFarAhead(uint64 slot, uint64 maxSlot);
    /// @notice A challenger must trade more energy, or as much with more welfare.
    error AuctionNotBetter(uint64 volumeWh, uint128 welfare, uint64 standingVolumeWh, uint128 standingWelfare);
    /// @notice The records given are not those of the slot's standing clearing.
    error AuctionRecordsMismatch(uint64 slot, bytes32 expected, bytes32 given);
    /// @notice Settlement opens at the slot's gate (its start), once no challenge is possible.
    error AuctionSettleTooEarly(uint64 slot, uint256 gate, uint256 nowTimestamp);
    /// @notice Deviations are settled once the slot has ended.
    error AuctionSlotNotOver(uint64 slot, uint256 end, uint256 nowTimestamp);
    /// @notice One 4-byte reading per settlement record is expected.
    error AuctionMalformedReadings(uint256 expectedBytes, uint256 givenBytes);
}
