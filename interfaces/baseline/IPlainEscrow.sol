// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title Plain escrow (the baseline SPB argues against)
/// @notice The consumer pays the contract up front, confirms delivery, and the contract
/// pays the producer; after the expiry an unconfirmed trade is refunded.
interface IPlainEscrow {
    /// @notice No trade has this id, or it is already closed.
    error EscrowTradeNotOpen(uint256 tradeId);
    /// @notice Only the trade's consumer may confirm it.
    error EscrowNotConsumer(uint256 tradeId, address caller);
    /// @notice Refunds wait for the expiry.
    error EscrowNotExpired(uint256 tradeId, uint64 expiry);
    /// @notice Confirmation after the expiry is refused.
    error EscrowExpired(uint256 tradeId, uint64 expiry);
    /// @notice A trade must carry value.
    error EscrowZeroValue();
    /// @notice Sending ether failed.
    error EscrowTransferFailed(address to, uint256 amount);

    /// @notice A trade was opened with `amount` wei held by the contract.
    event EscrowOpened(uint256 indexed tradeId, address indexed consumer, address indexed producer, uint256 amount, uint64 expiry);
    /// @notice The consumer confirmed delivery and the producer was paid.
    event EscrowConfirmed(uint256 indexed tradeId);
    /// @notice An expired trade was refunded to the consumer.
    event EscrowRefunded(uint256 indexed tradeId);

    /// @notice Open a trade paying `msg.value` to `producer` on confirmation before `expiry`.
    function open(address producer, uint64 expiry) external payable returns (uint256 tradeId);

    /// @notice Confirm delivery: the contract pays the producer.
    function confirm(uint256 tradeId) external;

    /// @notice Refund an expired, unconfirmed trade to its consumer (anyone may call).
    function refund(uint256 tradeId) external;
}
