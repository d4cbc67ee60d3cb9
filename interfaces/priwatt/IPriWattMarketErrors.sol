// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {OfferStatus} from "interfaces/priwatt/PriWattTypes.sol";

/// @title Errors of the PriWatt market
/// @notice Every refusal of the board, the escrows and the channels, with the values that
/// caused it.
interface IPriWattMarketErrors {
    // --- auction board -----------------------------------------------------------------
    /// @notice Only the address the DSO's claim names may post it.
    error OfferNotClaimant(address caller, address seller);
    /// @notice The claim's signature is malformed or not canonical (e.g. high-s).
    error OfferMalformedSignature(bytes32 digest);
    /// @notice The claim is not signed by a current holder of the DSO role.
    error OfferUnknownDso(address signer);
    /// @notice The claim's expiry has passed (or is now).
    error OfferClaimExpired(bytes32 offerId, uint64 expiry, uint256 nowTimestamp);
    /// @notice A claim must testify to some energy, over a well-formed slot interval.
    error OfferBadClaim(bytes32 offerId, uint64 energyWh, uint32 firstSlot, uint32 lastSlot);
    /// @notice An offer must ask a non-zero price.
    error OfferZeroPrice(bytes32 offerId);
    /// @notice The messaging key must be a 64-byte secp256k1 public key (or empty).
    error OfferBadMessagingKey(uint256 length);
    /// @notice This claim was already posted: the same energy is never offered twice.
    error OfferAlreadyPosted(bytes32 offerId);
    /// @notice No offer has this id.
    error OfferUnknown(bytes32 offerId);
    /// @notice The record passed does not hash to the offer's stored record (stale or forged).
    error OfferRecordMismatch(bytes32 offerId);
    /// @notice The offer is not in a status this action accepts.
    error OfferWrongStatus(bytes32 offerId, OfferStatus status);
    /// @notice Only the offer's seller may do this.
    error OfferNotSeller(bytes32 offerId, address caller);
    /// @notice The offer is locked for a buyer until `lockedUntil`.
    error OfferLockedUntil(bytes32 offerId, uint64 lockedUntil);
    /// @notice The offer's claim has expired: it can no longer be locked.
    error OfferExpired(bytes32 offerId, uint64 expiry);
    /// @notice The buyer must be a non-zero address other than the seller.
    error OfferBadBuyer(bytes32 offerId, address buyer);
    /// @notice A lock must name a non-zero amount.
    error OfferZeroAmount(bytes32 offerId);
    /// @notice A lock must end after now and no later than `maxLockedUntil` (the claim's
    /// expiry, and at most `MAX_LOCK` from now).
    error OfferBadLock(bytes32 offerId, uint64 lockedUntil, uint64 maxLockedUntil);
    /// @notice A trade's time lock must be between `MIN_DURATION` and `MAX_DURATION` seconds.
    error OfferBadDuration(bytes32 offerId, uint32 duration);

    // --- trades (escrow and channel) ---------------------------------------------------
    /// @notice Only the buyer the lock names may do this.
    error TradeNotBuyer(bytes32 offerId, address caller, address buyer);
    /// @notice The lock lapsed before the buyer funded the trade.
    error TradeLockExpired(bytes32 offerId, uint64 lockedUntil);
    /// @notice The trade's time lock has not ended: the buyer cannot reclaim yet.
    error TradeNotExpired(bytes32 tradeId, uint64 deadline);

    // --- 2-of-3 escrow -------------------------------------------------------------------
    /// @notice A split gives the seller at most 10,000 basis points (100 %).
    error EscrowBadSplit(bytes32 tradeId, uint16 sellerBps);
    /// @notice The co-signature's own deadline has passed.
    error EscrowSignatureExpired(bytes32 tradeId, uint64 deadline);
    /// @notice The co-signature is malformed or not canonical (e.g. high-s).
    error EscrowMalformedSignature(bytes32 tradeId);
    /// @notice `who` is neither the buyer, the seller nor a DSO.
    error EscrowNotParty(bytes32 tradeId, address who);
    /// @notice Submitter and co-signer are the same party: nobody moves the money alone.
    error EscrowSameParty(bytes32 tradeId, address who);
    /// @notice Two DSO keys are one party: the DSO cannot move the money without the
    /// buyer or the seller.
    error EscrowDsoOnly(bytes32 tradeId, address first, address second);

    // --- micropayment channel -------------------------------------------------------------
    /// @notice Only the seller (the payee) closes a channel with the buyer's state.
    error ChannelNotSeller(bytes32 tradeId, address caller);
    /// @notice The state pays more than the buyer locked.
    error ChannelOverdrawn(bytes32 tradeId, uint256 cumulative, uint256 deposit);
    /// @notice The state's signature is malformed or not canonical (e.g. high-s).
    error ChannelMalformedSignature(bytes32 tradeId);
    /// @notice The state is not signed by the channel's buyer.
    error ChannelInvalidSignature(bytes32 tradeId, address recovered);
}
