// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AssetKind, MintOrder, Portion} from "interfaces/petra/PetraTypes.sol";

/// @title State-changing functions of the PETra market
interface IPetraMarketActions {
    // --- DSO: registry ----------------------------------------------------------------
    /// @notice Register (or change) a feeder's limits per 15-minute interval, in watts.
    /// Changes apply to trades accepted from now on; past trades are not undone.
    /// @dev Only DSO_ROLE. Limits must fit the 28-bit flow counters.
    function setFeeder(uint8 feeder, uint32 internalLimit, uint32 exchangeLimit) external;

    /// @notice Register (or change) a prosumer: the feeder it is connected to and its maximum
    /// production and consumption power (W). Lowering a capacity does not revoke assets
    /// already minted; later mints are checked against the new value.
    /// @dev Only DSO_ROLE; the feeder must be registered.
    function registerProsumer(uint32 prosumer, uint8 feeder, uint32 maxProduction, uint32 maxConsumption) external;

    // --- DSO: energy assets -------------------------------------------------------------
    /// @notice Mint an energy asset for `prosumer` to its anonymous account `to`: `power` watts
    /// produced (or consumed) in every slot from `first` to `last`. Refused if, in any of those
    /// slots, the prosumer's assets of that kind would exceed its capacity
    /// (`PetraCapacityExceeded` names the slot and the excess). `positionHint` names a free
    /// storage position to reuse (0: a new one); a taken hint falls back to a new position.
    /// @dev Only DSO_ROLE. Slots must lie after the current slot and within the horizon.
    /// @return id the asset's ERC-1155 token id (its content and position)
    function mint(
        uint32 prosumer,
        address to,
        AssetKind kind,
        uint32 power,
        uint64 first,
        uint64 last,
        uint40 positionHint
    ) external returns (uint256 id);

    /// @notice Mint on the DSO's behalf: anyone submits a `MintOrder` signed (EIP-712) by a
    /// DSO_ROLE holder; the order's nonce is spent in the signer's nonce window.
    /// @return id the asset's ERC-1155 token id
    function mintSigned(MintOrder calldata order, bytes calldata signature) external returns (uint256 id);

    /// @notice Record, after its last slot, how much energy (mWh) the holder of a matched asset
    /// delivered (production injected, or consumption taken). Updates the holder's reputation
    /// (delivered is counted up to what was promised) and retires the asset.
    /// @dev Only DSO_ROLE.
    function recordDelivery(uint256 id, uint64 deliveredMWh) external;

    // --- prosumers: offers ----------------------------------------------------------------
    /// @notice Offer a held asset: an ask for a production asset, a bid for a consumption
    /// asset. `price` is in payment-asset units per MWh. A bid freezes
    /// `costOf(power, slots, price)` of the caller's free balance until it is rescinded,
    /// accepted or retired. Only the asset's owner.
    function postOffer(uint256 id, uint32 price) external;

    /// @notice Take an offer back: the asset is held again and a bid's escrow is unfrozen.
    /// Only the offer's owner.
    function rescindOffer(uint256 id) external;

    /// @notice Accept part or all of an offer with one of the caller's held assets of the
    /// other kind: `portion.power` watts in every slot of `[portion.first, portion.last]`,
    /// which must lie in both assets' intervals, start after the current slot and not exceed
    /// either asset's power. Money moves at the offer's price (checked against `limitPrice`:
    /// at most it when buying from an ask, at least it when selling to a bid); a bid's unused
    /// escrow is unfrozen. Both assets are split: the traded portions become `Matched`, every
    /// leftover (before, after, and the remaining power) goes back to its owner as a held asset.
    /// Refused if a feeder's internal or import/export flow would exceed its limit in any slot.
    /// `positionHints` packs up to six 40-bit free positions for the leftovers (0: new ones).
    /// @return cost what the buyer paid the seller (payment-asset units)
    function accept(
        uint256 offerId,
        uint256 assetId,
        Portion calldata portion,
        uint256 limitPrice,
        uint256 positionHints
    ) external returns (uint256 cost);

    /// @notice Retire assets that can no longer be traded (their last slot is not after the
    /// current one) and are held or offered: a bid's escrow is unfrozen to its owner, the
    /// asset is burned and its storage position freed. Matched assets wait for their delivery
    /// record. Anyone may call.
    function retire(uint256[] calldata ids) external;
}
