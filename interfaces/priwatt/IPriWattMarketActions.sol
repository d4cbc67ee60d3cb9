// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {EnergyClaim, Trade, TradeKind} from "interfaces/priwatt/PriWattTypes.sol";

/// @title Actions of the PriWatt market: auction board, 2-of-3 escrow, micropayment channel
/// @notice Funds (deposit, withdraw, withdrawTo) come from the shared ledger. Every action
/// on an offer takes its current `Trade` record (rebuilt from the events by the client).
interface IPriWattMarketActions {
    // --- auction board -------------------------------------------------------------------
    /// @notice Post a DSO-attested energy claim on the board, asking `askPrice` for all of
    /// it. Only the claim's `seller` (a fresh address per trade) may post it, once.
    /// @param claim the DSO's claim; its `claimId` becomes the offer id
    /// @param dsoSignature EIP-712 signature of the claim by a holder of `DSO_ROLE`
    /// @param askPrice the asking price for all of `claim.energyWh`, payment-asset units
    /// @param messagingKey the seller's 64-byte routing-backbone key for this trade (or empty)
    /// @return offerId the claim id
    function postOffer(
        EnergyClaim calldata claim,
        bytes calldata dsoSignature,
        uint96 askPrice,
        bytes calldata messagingKey
    ) external returns (bytes32 offerId);

    /// @notice The seller reserves its open offer (or one whose previous lock lapsed
    /// unfunded) for `buyer` at the negotiated `amount`, until `lockedUntil`: while locked,
    /// nobody else can buy the energy. `duration` is the trade's time lock once funded
    /// (24 h is PriWatt's default for channels), `kind` escrow or channel.
    /// @param offer the offer's current record
    function lockOffer(
        Trade calldata offer,
        address buyer,
        uint96 amount,
        uint64 lockedUntil,
        uint32 duration,
        TradeKind kind
    ) external;

    /// @notice The seller takes its open (or lapsed) offer off the board for good.
    /// @param offer the offer's current record
    function withdrawOffer(Trade calldata offer) external;

    // --- trades --------------------------------------------------------------------------
    /// @notice The locked buyer funds the trade: `offer.amount` of its free balance is
    /// frozen until the trade ends, its ledger `nonce` is spent (it makes the trade id
    /// unique), and the time lock starts: `deadline = now + offer.duration`.
    /// @param offer the offer's current (Locked) record
    /// @param nonce an unused nonce of the buyer's 32-nonce window
    /// @return tradeId the EIP-712 digest of the funded record, which signatures name
    function openTrade(Trade calldata offer, uint32 nonce) external returns (bytes32 tradeId);

    /// @notice After the time lock the buyer takes back all of an escrow or channel that
    /// was not settled or closed (the refund path: money is never stuck if the seller or
    /// the DSO disappears).
    /// @param trade the funded record
    function refund(Trade calldata trade) external;

    // --- 2-of-3 escrow -------------------------------------------------------------------
    /// @notice Settle an escrow with two of buyer, seller and DSO: the caller is one, the
    /// EIP-712 `Settlement(tradeId, sellerBps, deadline)` signature is the other.
    /// No dispute: buyer and seller release 10,000 bps to the seller. Dispute: the DSO signs
    /// its split and the party that accepts it submits it (or the reverse). DSO keys are one
    /// party, also where one of them is the trade's buyer or seller.
    /// @param trade the funded escrow's record
    /// @param sellerBps the seller's share in basis points (the buyer gets the rest back)
    /// @param deadline the co-signature's expiry (unix time)
    /// @param signature the co-signer's EIP-712 signature
    function settleEscrow(Trade calldata trade, uint16 sellerBps, uint64 deadline, bytes calldata signature)
        external;

    // --- micropayment channel ------------------------------------------------------------
    /// @notice The seller closes the channel with the buyer's latest signed
    /// `ChannelState(tradeId, cumulative)`: `cumulative` is paid to the seller, the rest of
    /// the deposit goes back to the buyer's free balance. Only the seller submits states,
    /// so the buyer can never close with an old (lower) one. The offer ends `Sold`, or
    /// `Refunded` when the state pays nothing.
    /// @param trade the funded channel's record
    /// @param cumulative the total the buyer signed for so far
    /// @param buyerSignature the buyer's EIP-712 signature of the state
    function closeChannel(Trade calldata trade, uint96 cumulative, bytes calldata buyerSignature) external;
}
