// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {EnergyClaim, OfferStatus, Trade} from "interfaces/priwatt/PriWattTypes.sol";

/// @title Read-only view of the PriWatt market
interface IPriWattMarketState {
    /// @notice Role of the DSO keys that sign energy claims and mediate disputes.
    function DSO_ROLE() external view returns (bytes32);

    /// @notice Longest lock a seller may put on an offer, seconds.
    function MAX_LOCK() external view returns (uint64);

    /// @notice Shortest and longest time lock of a trade, seconds.
    function MIN_DURATION() external view returns (uint32);

    /// @notice ditto
    function MAX_DURATION() external view returns (uint32);

    /// @notice Status of an offer (None if it was never posted).
    function offerStatus(bytes32 offerId) external view returns (OfferStatus);

    /// @notice The stored word of an offer: the hash of its current record with the status
    /// in the low three bits.
    function offerRecord(bytes32 offerId) external view returns (bytes32);

    /// @notice EIP-712 digest of a claim (what the DSO signs).
    function claimDigest(EnergyClaim calldata claim) external view returns (bytes32);

    /// @notice The trade id of a funded record: its EIP-712 digest.
    function tradeId(Trade calldata trade) external view returns (bytes32);

    /// @notice EIP-712 digest of `Settlement(tradeId, sellerBps, deadline)`.
    function settlementDigest(bytes32 tradeId_, uint16 sellerBps, uint64 deadline) external view returns (bytes32);

    /// @notice EIP-712 digest of `ChannelState(tradeId, cumulative)`.
    function channelStateDigest(bytes32 tradeId_, uint96 cumulative) external view returns (bytes32);
}
