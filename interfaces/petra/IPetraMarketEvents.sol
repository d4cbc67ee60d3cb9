// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title Events of the PETra market
/// @notice Emitted right after each state change. With ERC-1155's `TransferSingle` /
/// `TransferBatch` (every mint, split, transfer and burn; a token id encodes the asset's kind,
/// feeder, power and interval) and the funds ledger's events, the order book, every asset and
/// every balance can be rebuilt from logs alone.
interface IPetraMarketEvents {
    /// @notice A feeder's limits per interval were set (W).
    event FeederSet(uint8 indexed feeder, uint32 internalLimit, uint32 exchangeLimit);
    /// @notice A prosumer was registered or changed.
    event ProsumerRegistered(uint32 indexed prosumer, uint8 feeder, uint32 maxProduction, uint32 maxConsumption);
    /// @notice Asset `id` entered the order book at `price` (payment-asset units per MWh); a
    /// production asset is an ask, a consumption asset a bid with `escrow` frozen.
    event OfferPosted(uint256 indexed id, address indexed owner, uint32 price, uint256 escrow);
    /// @notice Offer `id` left the order book; the asset is held again, `escrow` unfrozen.
    event OfferRescinded(uint256 indexed id, uint256 escrow);
    /// @notice Offer `offerId` was accepted with the acceptor's asset `assetId`: `power` W in
    /// slots `first..last` changed hands for `cost`. The offer left the order book; the traded
    /// portions keep the positions of `offerId` and `assetId` (their new ids follow from the
    /// portion), the leftovers were minted back to their owners (`TransferBatch`).
    event OfferAccepted(
        uint256 indexed offerId, uint256 indexed assetId, uint32 power, uint64 first, uint64 last, uint256 cost
    );
    /// @notice The DSO recorded what the holder of matched asset `id` delivered.
    event DeliveryRecorded(uint256 indexed id, address indexed holder, uint64 promisedMWh, uint64 deliveredMWh);
}
