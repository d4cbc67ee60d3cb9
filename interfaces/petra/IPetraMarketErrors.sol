// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AssetKind, AssetStatus, FeederFlow} from "interfaces/petra/PetraTypes.sol";

/// @title Errors of the PETra market
/// @notice Every refusal, with the values that caused it.
interface IPetraMarketErrors {
    // --- registry ------------------------------------------------------------------------
    /// @notice No feeder is registered under this number.
    error PetraUnknownFeeder(uint8 feeder);
    /// @notice No prosumer is registered under this id.
    error PetraUnknownProsumer(uint32 prosumer);
    /// @notice A power or limit (W) above what the market's counters hold.
    error PetraPowerOutOfRange(uint256 power, uint256 max);

    // --- assets --------------------------------------------------------------------------
    /// @notice No live asset has this id (never minted, split, burned, or a forged id).
    error PetraUnknownAsset(uint256 id);
    /// @notice Only the asset's owner may do this.
    error PetraNotOwner(uint256 id, address caller, address owner);
    /// @notice The asset must be held (not offered, not matched) for this.
    error PetraAssetNotHeld(uint256 id, AssetStatus status);
    /// @notice The asset is not in the order book (held, rescinded, or already accepted).
    error PetraNotOffered(uint256 id, AssetStatus status);
    /// @notice Zero power, or an interval whose last slot lies before its first, or longer than 255 slots.
    error PetraBadInterval(uint256 power, uint64 first, uint64 last);
    /// @notice A slot must lie after the current slot.
    error PetraSlotNotInFuture(uint64 slot, uint64 currentSlot);
    /// @notice A slot lies beyond the mint horizon (the last slot the market accepts now).
    error PetraBeyondHorizon(uint64 slot, uint64 maxSlot);
    /// @notice In `slot`, the prosumer's assets of this kind would exceed its capacity (W).
    error PetraCapacityExceeded(uint32 prosumer, AssetKind kind, uint64 slot, uint256 capacity, uint256 wouldBe);
    /// @notice The signed mint order's expiry has passed.
    error PetraOrderExpired(uint64 expiry, uint256 nowTimestamp);
    /// @notice The signed mint order is not signed by a DSO (malformed signatures recover no one).
    error PetraNotSignedByDso(address signer);

    // --- offers and trades -----------------------------------------------------------------
    /// @notice A price (per MWh) above what an asset record holds.
    error PetraPriceOutOfRange(uint256 price, uint256 max);
    /// @notice An offer can only be accepted with an asset of the other kind.
    error PetraSameKind(uint256 offerId, uint256 assetId);
    /// @notice The traded portion lies (partly) outside this asset's interval.
    error PetraPortionOutsideInterval(uint256 id, uint64 first, uint64 last, uint64 assetFirst, uint64 assetLast);
    /// @notice The traded portion asks for more power than this asset has.
    error PetraPortionExceedsPower(uint256 id, uint256 power, uint256 assetPower);
    /// @notice The ask's price is above the buyer's limit.
    error PetraPriceAboveLimit(uint256 offerId, uint256 price, uint256 limit);
    /// @notice The bid's price is below the seller's limit.
    error PetraPriceBelowLimit(uint256 offerId, uint256 price, uint256 limit);
    /// @notice Buyer and seller are the same account (it would reserve feeder capacity for nothing).
    error PetraSelfTrade(address account);
    /// @notice In `slot`, the feeder's flow would exceed its limit (W).
    error PetraFeederLimitExceeded(uint8 feeder, FeederFlow flow, uint64 slot, uint256 limit, uint256 wouldBe);

    // --- delivery and retirement -------------------------------------------------------------
    /// @notice Delivery is recorded only for matched assets.
    error PetraNotMatched(uint256 id, AssetStatus status);
    /// @notice The asset's interval has not ended yet (its last slot is not before the current one).
    error PetraIntervalNotOver(uint256 id, uint64 last, uint64 currentSlot);
    /// @notice The asset can still be traded (its last slot lies after the current one).
    error PetraStillTradable(uint256 id, uint64 last, uint64 currentSlot);
}
