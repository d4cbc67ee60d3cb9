// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

import {CalldataSignature} from "contracts/common/CalldataSignature.sol";
import {ErrorBytes} from "contracts/common/ErrorBytes.sol";
import {FundsLedger} from "contracts/common/FundsLedger.sol";
import {Governed} from "contracts/common/Governed.sol";
import {PriWattBoard} from "contracts/priwatt/PriWattBoard.sol";
import {IPriWattMarketActions} from "interfaces/priwatt/IPriWattMarketActions.sol";
import {IPriWattMarketState} from "interfaces/priwatt/IPriWattMarketState.sol";
import {OfferStatus, Trade, TradeKind} from "interfaces/priwatt/PriWattTypes.sol";

/// @title PriWatt market: 2-of-3 escrow with the DSO as mediator, micropayment channels
/// @notice PriWatt's Bitcoin constructions on the shared funds ledger. A buyer funds a
/// locked offer: `amount` of its ledger balance is frozen (the P2SH output of the paper)
/// until the trade ends. Escrow (PriWatt case 1, `OP_2 D B A OP_3 OP_CHECKMULTISIG`): any
/// two of buyer, seller and a DSO settle a split — the caller is one, an EIP-712 signature
/// the other. Channel (case 2, BitcoinJ micropayments): per kWh the buyer signs the new
/// cumulative amount; the seller closes with the latest one. Both have a time lock (the
/// refund transaction's nLockTime): after it the buyer takes back whatever was not paid.
/// @dev Invariants: `held == Σ funds[a].balance` (the payment asset the contract holds);
/// for every buyer, `frozen == Σ amount` of its records in status Escrow or Channel; a
/// funded record leaves Escrow/Channel exactly once (Sold or Refunded), paying the seller
/// at most its `amount` (`sellerBps ≤ 10,000`, `cumulative ≤ amount`) and returning the
/// rest to the buyer's free balance; no single party (nor two DSO keys) settles an escrow;
/// only the seller submits channel states, so an older state never replaces a newer one;
/// every check runs before any effect, and the only external calls are the ledger's payouts.
contract PriWattMarket is PriWattBoard, FundsLedger {
    uint16 private constant BPS = 10_000;
    bytes32 private constant SETTLEMENT_TYPEHASH =
        keccak256("Settlement(bytes32 tradeId,uint16 sellerBps,uint64 deadline)");
    bytes32 private constant CHANNEL_STATE_TYPEHASH = keccak256("ChannelState(bytes32 tradeId,uint96 cumulative)");

    enum Party {
        None,
        Buyer,
        Seller,
        Dso
    }

    /// @param governor receives DEFAULT_ADMIN_ROLE and GOVERNOR_ROLE (grants and revokes DSO keys)
    /// @param dso the first DSO key (claims, mediation), or zero to grant it later
    /// @param asset the payment asset: an ERC-20 token, or `address(0)` for native ether
    constructor(address governor, address dso, address asset)
        Governed(governor)
        EIP712("GridLedger PriWatt Market", "1")
        FundsLedger(asset)
    {
        if (dso != address(0)) _grantRole(DSO_ROLE, dso);
    }

    // ------------------------------------------------------------------------ trades

    /// @inheritdoc IPriWattMarketActions
    function openTrade(Trade calldata offer, uint32 nonce) external returns (bytes32 tradeId_) {
        bytes32 offerId = offer.offerId;
        (, OfferStatus status) = _check(offer);
        if (status != OfferStatus.Locked) revert OfferWrongStatus(offerId, status);
        if (msg.sender != offer.buyer) revert TradeNotBuyer(offerId, msg.sender, offer.buyer);
        if (block.timestamp > offer.deadline) revert TradeLockExpired(offerId, offer.deadline);
        Funds memory f = _loadFunds(msg.sender);
        bytes memory err = _useNonce(f, msg.sender, nonce);
        if (err.length != 0) ErrorBytes.revertWith(err);
        uint256 free = f.balance - f.frozen;
        if (offer.amount > free) revert FundsInsufficient(msg.sender, free, offer.amount);
        f.frozen += offer.amount;
        _storeFunds(msg.sender, f); // frozen part and nonce window in one write
        uint64 deadline = uint64(block.timestamp) + offer.duration;
        bytes32 h = _hash(
            offerId, offer.seller, offer.offerExpiry, msg.sender, offer.amount, deadline, offer.duration, offer.kind, nonce
        );
        _store(offerId, h, offer.kind == TradeKind.Escrow ? OfferStatus.Escrow : OfferStatus.Channel);
        tradeId_ = _hashTypedDataV4(h);
        emit TradeOpened(offerId, tradeId_, msg.sender, offer.amount, deadline, nonce, offer.kind);
    }

    /// @inheritdoc IPriWattMarketActions
    function refund(Trade calldata trade) external {
        (bytes32 h, OfferStatus status) = _check(trade);
        if (status != OfferStatus.Escrow && status != OfferStatus.Channel) {
            revert OfferWrongStatus(trade.offerId, status);
        }
        bytes32 id = _hashTypedDataV4(h);
        if (msg.sender != trade.buyer) revert TradeNotBuyer(trade.offerId, msg.sender, trade.buyer);
        if (block.timestamp <= trade.deadline) revert TradeNotExpired(id, trade.deadline);
        _store(trade.offerId, h, OfferStatus.Refunded);
        _unfreeze(trade.buyer, trade.amount);
        emit TradeRefunded(trade.offerId, id, trade.amount);
    }

    // ------------------------------------------------------------------------ escrow

    /// @inheritdoc IPriWattMarketActions
    function settleEscrow(Trade calldata trade, uint16 sellerBps, uint64 deadline, bytes calldata signature)
        external
    {
        (bytes32 h, OfferStatus status) = _check(trade);
        if (status != OfferStatus.Escrow) revert OfferWrongStatus(trade.offerId, status);
        bytes32 id = _hashTypedDataV4(h);
        if (sellerBps > BPS) revert EscrowBadSplit(id, sellerBps);
        if (block.timestamp > deadline) revert EscrowSignatureExpired(id, deadline);
        (address cosigner, ECDSA.RecoverError err) =
            CalldataSignature.tryRecover(_settlementDigest(id, sellerBps, deadline), signature);
        if (err != ECDSA.RecoverError.NoError) revert EscrowMalformedSignature(id);
        _checkApprovers(id, trade, cosigner);
        uint256 toSeller = uint256(trade.amount) * sellerBps / BPS;
        _store(trade.offerId, h, toSeller == 0 ? OfferStatus.Refunded : OfferStatus.Sold);
        _pay(trade, toSeller);
        emit EscrowSettled(trade.offerId, id, toSeller, trade.amount - toSeller, msg.sender, cosigner);
    }

    // ----------------------------------------------------------------------- channel

    /// @inheritdoc IPriWattMarketActions
    function closeChannel(Trade calldata trade, uint96 cumulative, bytes calldata buyerSignature) external {
        (bytes32 h, OfferStatus status) = _check(trade);
        if (status != OfferStatus.Channel) revert OfferWrongStatus(trade.offerId, status);
        bytes32 id = _hashTypedDataV4(h);
        if (msg.sender != trade.seller) revert ChannelNotSeller(id, msg.sender);
        if (cumulative > trade.amount) revert ChannelOverdrawn(id, cumulative, trade.amount);
        (address signer, ECDSA.RecoverError err) =
            CalldataSignature.tryRecover(_channelStateDigest(id, cumulative), buyerSignature);
        if (err != ECDSA.RecoverError.NoError) revert ChannelMalformedSignature(id);
        if (signer != trade.buyer) revert ChannelInvalidSignature(id, signer);
        _store(trade.offerId, h, cumulative == 0 ? OfferStatus.Refunded : OfferStatus.Sold);
        _pay(trade, cumulative);
        emit ChannelClosed(trade.offerId, id, cumulative, trade.amount - cumulative);
    }

    // ------------------------------------------------------------------------- views

    /// @inheritdoc IPriWattMarketState
    function settlementDigest(bytes32 tradeId_, uint16 sellerBps, uint64 deadline) external view returns (bytes32) {
        return _settlementDigest(tradeId_, sellerBps, deadline);
    }

    /// @inheritdoc IPriWattMarketState
    function channelStateDigest(bytes32 tradeId_, uint96 cumulative) external view returns (bytes32) {
        return _channelStateDigest(tradeId_, cumulative);
    }

    // ---------------------------------------------------------------------- internal

    /// @dev Two distinct parties approve: the caller and the co-signer, each the buyer, the
    /// seller or a DSO key, never two DSO keys (not even when one of them is the trade's
    /// buyer or seller).
    function _checkApprovers(bytes32 id, Trade calldata trade, address cosigner) private view {
        Party submitter = _partyOf(trade, msg.sender);
        if (submitter == Party.None) revert EscrowNotParty(id, msg.sender);
        if (cosigner == msg.sender) revert EscrowSameParty(id, cosigner);
        Party other = _partyOf(trade, cosigner);
        if (other == Party.None) revert EscrowNotParty(id, cosigner);
        // a DSO key is the DSO even where it is also the buyer or the seller: two approvals
        // by DSO keys are one. Read only when one side already is the DSO, so the release
        // by buyer and seller pays no extra role lookup.
        if (submitter == Party.Dso) {
            if (other == Party.Dso || hasRole(DSO_ROLE, cosigner)) revert EscrowDsoOnly(id, msg.sender, cosigner);
        } else if (other == Party.Dso && hasRole(DSO_ROLE, msg.sender)) {
            revert EscrowDsoOnly(id, msg.sender, cosigner);
        }
    }

    function _partyOf(Trade calldata trade, address who) private view returns (Party) {
        if (who == trade.buyer) return Party.Buyer;
        if (who == trade.seller) return Party.Seller;
        if (hasRole(DSO_ROLE, who)) return Party.Dso;
        return Party.None;
    }

    /// @dev The trade ends: `toSeller` (at most the amount) leaves the buyer's frozen money
    /// for the seller, the rest returns to the buyer's free balance.
    function _pay(Trade calldata trade, uint256 toSeller) private {
        Funds memory f = _loadFunds(trade.buyer);
        f.balance -= uint96(toSeller);
        f.frozen -= trade.amount;
        _storeFunds(trade.buyer, f);
        if (toSeller != 0) _credit(trade.seller, toSeller);
    }

    function _settlementDigest(bytes32 id, uint16 sellerBps, uint64 deadline) private view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(SETTLEMENT_TYPEHASH, id, sellerBps, deadline)));
    }

    function _channelStateDigest(bytes32 id, uint96 cumulative) private view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(CHANNEL_STATE_TYPEHASH, id, cumulative)));
    }
}
