// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

import {CalldataSignature} from "contracts/common/CalldataSignature.sol";
import {Governed} from "contracts/common/Governed.sol";
import {IPriWattMarket} from "interfaces/priwatt/IPriWattMarket.sol";
import {IPriWattMarketActions} from "interfaces/priwatt/IPriWattMarketActions.sol";
import {IPriWattMarketState} from "interfaces/priwatt/IPriWattMarketState.sol";
import {EnergyClaim, OfferStatus, Trade, TradeKind} from "interfaces/priwatt/PriWattTypes.sol";

/// @title PriWatt auction board: DSO-attested offers and the ownership lock
/// @notice A seller posts a DSO-signed energy claim (PriWatt's bλ: the DSO testifies that
/// the seller's fresh address owns the energy) with an asking price; it reserves the offer
/// for one buyer at the negotiated amount (PriWatt's lock with bz); the buyer funds it as a
/// 2-of-3 escrow or a micropayment channel (`PriWattMarket`). Each offer is one storage
/// word: the EIP-712 hash of its current `Trade` record with the status in the low three
/// bits; every action passes the record in calldata and the word proves it current, so a
/// step rewrites one warm word (5,000 gas) instead of creating per-trade storage.
/// @dev Invariants: an offer id (the DSO's claim id) is posted at most once and its word
/// is never zero again; the status only moves None → Open → Locked (→ Locked again after a
/// lapse) → Escrow | Channel → Sold | Refunded, or Open | lapsed Locked → Withdrawn; the
/// last three are final, so energy once sold (or funded) is never offered again; a record
/// is accepted only if it hashes to the stored word.
abstract contract PriWattBoard is IPriWattMarket, Governed, EIP712 {
    /// @inheritdoc IPriWattMarketState
    bytes32 public constant DSO_ROLE = keccak256("DSO_ROLE");
    /// @inheritdoc IPriWattMarketState
    uint64 public constant MAX_LOCK = 1 days;
    /// @inheritdoc IPriWattMarketState
    uint32 public constant MIN_DURATION = 1 minutes;
    /// @inheritdoc IPriWattMarketState
    uint32 public constant MAX_DURATION = 30 days;

    bytes32 internal constant CLAIM_TYPEHASH = keccak256(
        "EnergyClaim(bytes32 claimId,address seller,uint64 energyWh,uint32 firstSlot,uint32 lastSlot,uint64 expiry)"
    );
    bytes32 internal constant TRADE_TYPEHASH = keccak256(
        "Trade(bytes32 offerId,address seller,uint64 offerExpiry,address buyer,uint96 amount,uint64 deadline,uint32 duration,uint8 kind,uint32 nonce)"
    );
    bytes32 internal constant STATUS_MASK = bytes32(uint256(7));

    mapping(bytes32 offerId => bytes32 record) private _records;

    // ------------------------------------------------------------------------- board

    /// @inheritdoc IPriWattMarketActions
    function postOffer(
        EnergyClaim calldata claim,
        bytes calldata dsoSignature,
        uint96 askPrice,
        bytes calldata messagingKey
    ) external returns (bytes32 offerId) {
        offerId = claim.claimId;
        if (msg.sender != claim.seller) revert OfferNotClaimant(msg.sender, claim.seller);
        if (claim.expiry <= block.timestamp) revert OfferClaimExpired(offerId, claim.expiry, block.timestamp);
        if (claim.energyWh == 0 || claim.firstSlot > claim.lastSlot) {
            revert OfferBadClaim(offerId, claim.energyWh, claim.firstSlot, claim.lastSlot);
        }
        if (askPrice == 0) revert OfferZeroPrice(offerId);
        if (messagingKey.length != 0 && messagingKey.length != 64) revert OfferBadMessagingKey(messagingKey.length);
        if (_records[offerId] != 0) revert OfferAlreadyPosted(offerId);
        bytes32 digest = _claimDigest(claim);
        (address dso, ECDSA.RecoverError err) = CalldataSignature.tryRecover(digest, dsoSignature);
        if (err != ECDSA.RecoverError.NoError) revert OfferMalformedSignature(digest);
        if (!hasRole(DSO_ROLE, dso)) revert OfferUnknownDso(dso);
        bytes32 h = _hash(offerId, claim.seller, claim.expiry, address(0), 0, 0, 0, TradeKind.Escrow, 0);
        _store(offerId, h, OfferStatus.Open);
        emit OfferPosted(
            offerId,
            claim.seller,
            dso,
            claim.energyWh,
            askPrice,
            claim.firstSlot,
            claim.lastSlot,
            claim.expiry,
            messagingKey
        );
    }

    /// @inheritdoc IPriWattMarketActions
    function lockOffer(
        Trade calldata offer,
        address buyer,
        uint96 amount,
        uint64 lockedUntil,
        uint32 duration,
        TradeKind kind
    ) external {
        bytes32 offerId = offer.offerId;
        (, OfferStatus status) = _check(offer);
        _checkReservable(offer, status);
        if (block.timestamp >= offer.offerExpiry) revert OfferExpired(offerId, offer.offerExpiry);
        if (buyer == address(0) || buyer == offer.seller) revert OfferBadBuyer(offerId, buyer);
        if (amount == 0) revert OfferZeroAmount(offerId);
        uint256 maxUntil = block.timestamp + MAX_LOCK;
        if (offer.offerExpiry < maxUntil) maxUntil = offer.offerExpiry;
        if (lockedUntil <= block.timestamp || lockedUntil > maxUntil) {
            revert OfferBadLock(offerId, lockedUntil, uint64(maxUntil));
        }
        if (duration < MIN_DURATION || duration > MAX_DURATION) revert OfferBadDuration(offerId, duration);
        bytes32 h = _hash(offerId, offer.seller, offer.offerExpiry, buyer, amount, lockedUntil, duration, kind, 0);
        _store(offerId, h, OfferStatus.Locked);
        emit OfferLocked(offerId, buyer, amount, lockedUntil, duration, kind);
    }

    /// @inheritdoc IPriWattMarketActions
    function withdrawOffer(Trade calldata offer) external {
        (bytes32 h, OfferStatus status) = _check(offer);
        _checkReservable(offer, status);
        _store(offer.offerId, h, OfferStatus.Withdrawn);
        emit OfferWithdrawn(offer.offerId);
    }

    // ------------------------------------------------------------------------- views

    /// @inheritdoc IPriWattMarketState
    function offerStatus(bytes32 offerId) external view returns (OfferStatus) {
        return OfferStatus(uint8(uint256(_records[offerId] & STATUS_MASK)));
    }

    /// @inheritdoc IPriWattMarketState
    function offerRecord(bytes32 offerId) external view returns (bytes32) {
        return _records[offerId];
    }

    /// @inheritdoc IPriWattMarketState
    function claimDigest(EnergyClaim calldata claim) external view returns (bytes32) {
        return _claimDigest(claim);
    }

    /// @inheritdoc IPriWattMarketState
    function tradeId(Trade calldata trade) external view returns (bytes32) {
        return _hashTypedDataV4(_hashTrade(trade));
    }

    // ---------------------------------------------------------------------- internal

    /// @dev The offer's stored word must be the hash of `offer` (status bits aside).
    /// Returns the record's full hash and its status.
    function _check(Trade calldata offer) internal view returns (bytes32 h, OfferStatus status) {
        bytes32 word = _records[offer.offerId];
        if (word == 0) revert OfferUnknown(offer.offerId);
        h = _hashTrade(offer);
        if ((word ^ h) & ~STATUS_MASK != 0) revert OfferRecordMismatch(offer.offerId);
        status = OfferStatus(uint8(uint256(word & STATUS_MASK)));
    }

    /// @dev The seller may (re)lock or withdraw an offer that is open or whose lock lapsed.
    function _checkReservable(Trade calldata offer, OfferStatus status) private view {
        if (msg.sender != offer.seller) revert OfferNotSeller(offer.offerId, msg.sender);
        if (status == OfferStatus.Locked) {
            if (block.timestamp <= offer.deadline) revert OfferLockedUntil(offer.offerId, offer.deadline);
        } else if (status != OfferStatus.Open) {
            revert OfferWrongStatus(offer.offerId, status);
        }
    }

    function _store(bytes32 offerId, bytes32 h, OfferStatus status) internal {
        _records[offerId] = (h & ~STATUS_MASK) | bytes32(uint256(status));
    }

    function _hashTrade(Trade calldata t) internal pure returns (bytes32) {
        return _hash(t.offerId, t.seller, t.offerExpiry, t.buyer, t.amount, t.deadline, t.duration, t.kind, t.nonce);
    }

    /// @dev EIP-712 `hashStruct` of a `Trade` from its fields.
    function _hash(
        bytes32 offerId,
        address seller,
        uint64 offerExpiry,
        address buyer,
        uint96 amount,
        uint64 deadline,
        uint32 duration,
        TradeKind kind,
        uint32 nonce
    ) internal pure returns (bytes32) {
        return keccak256(
            abi.encode(TRADE_TYPEHASH, offerId, seller, offerExpiry, buyer, amount, deadline, duration, kind, nonce)
        );
    }

    function _claimDigest(EnergyClaim calldata c) private view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(abi.encode(CLAIM_TYPEHASH, c.claimId, c.seller, c.energyWh, c.firstSlot, c.lastSlot, c.expiry))
        );
    }
}
