// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @notice The DSO's testimony that `seller` owns `energyWh` produced in the 15-minute
/// slots `firstSlot..lastSlot` (PriWatt's secret bλ, made an EIP-712 message signed by a
/// DSO key). `claimId` is the DSO's one-time id of that energy: a claim is posted to the
/// board once, so the same energy is never offered twice; `expiry` bounds the offer.
struct EnergyClaim {
    bytes32 claimId;
    address seller;
    uint64 energyWh;
    uint32 firstSlot;
    uint32 lastSlot;
    uint64 expiry;
}

/// @notice Payment form of a trade: a 2-of-3 escrow (full ownership, PriWatt case 1) or a
/// one-way micropayment channel paid per kWh (partial ownership, case 2).
enum TradeKind {
    Escrow,
    Channel
}

/// @notice Lifecycle of an offer on the board. Open → Locked (the seller reserved it for one
/// buyer at the negotiated amount) → Escrow | Channel (the buyer's money is frozen) →
/// Sold | Refunded. An open offer, or one whose lock lapsed unfunded, may be Withdrawn.
/// Sold, Refunded and Withdrawn are final: the claim can never be offered again.
enum OfferStatus {
    None,
    Open,
    Locked,
    Escrow,
    Channel,
    Sold,
    Refunded,
    Withdrawn
}

/// @notice An offer's current record, passed in calldata and checked against the one word
/// the market stores per offer (its hash, with the status in the low bits). Fields are
/// zero until the step that sets them: `buyer`, `amount`, `duration`, `kind` at the lock;
/// `deadline` is the lock's end while Locked and the trade's time lock once funded;
/// `nonce` (the buyer's ledger nonce) at funding. Its EIP-712 digest once funded is the
/// trade id that escrow settlements and channel states sign.
struct Trade {
    bytes32 offerId;
    address seller;
    uint64 offerExpiry;
    address buyer;
    uint96 amount;
    uint64 deadline;
    uint32 duration;
    TradeKind kind;
    uint32 nonce;
}
