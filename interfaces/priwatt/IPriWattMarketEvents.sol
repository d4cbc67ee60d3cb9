// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {TradeKind} from "interfaces/priwatt/PriWattTypes.sol";

/// @title Events of the PriWatt market
/// @notice Emitted right after each state change. The board is rebuilt from `OfferPosted`
/// and the status events; an offer's current `Trade` record is rebuilt from `OfferPosted`
/// (seller, expiry), the latest `OfferLocked` (buyer, amount, lock end, duration, kind)
/// and `TradeOpened` (time lock, nonce) — the client does exactly that.
interface IPriWattMarketEvents {
    /// @notice A DSO-attested energy claim went on the board. `askPrice` is for all of
    /// `energyWh`; `messagingKey` is the seller's fresh routing-backbone key for this trade.
    event OfferPosted(
        bytes32 indexed offerId,
        address indexed seller,
        address indexed dso,
        uint64 energyWh,
        uint96 askPrice,
        uint32 firstSlot,
        uint32 lastSlot,
        uint64 expiry,
        bytes messagingKey
    );
    /// @notice The seller reserved the offer for `buyer` at `amount` until `lockedUntil`.
    event OfferLocked(
        bytes32 indexed offerId,
        address indexed buyer,
        uint96 amount,
        uint64 lockedUntil,
        uint32 duration,
        TradeKind kind
    );
    /// @notice The seller took an open (or lapsed) offer off the board.
    event OfferWithdrawn(bytes32 indexed offerId);
    /// @notice The buyer froze `amount` for the trade; it runs until `deadline` (the time lock).
    event TradeOpened(
        bytes32 indexed offerId,
        bytes32 indexed tradeId,
        address indexed buyer,
        uint96 amount,
        uint64 deadline,
        uint32 nonce,
        TradeKind kind
    );
    /// @notice Two of buyer, seller and DSO agreed a split: `toSeller` paid, `toBuyer` unfrozen.
    event EscrowSettled(
        bytes32 indexed offerId,
        bytes32 indexed tradeId,
        uint256 toSeller,
        uint256 toBuyer,
        address submitter,
        address cosigner
    );
    /// @notice The seller closed the channel with the buyer's state: `paid` to the seller,
    /// `refunded` back to the buyer's free balance.
    event ChannelClosed(bytes32 indexed offerId, bytes32 indexed tradeId, uint256 paid, uint256 refunded);
    /// @notice The time lock ended and the buyer took its `amount` back.
    event TradeRefunded(bytes32 indexed offerId, bytes32 indexed tradeId, uint256 amount);
}
