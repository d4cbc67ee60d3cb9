// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

import {IPlainEscrow} from "interfaces/baseline/IPlainEscrow.sol";

/// @title Plain escrow baseline
/// @notice Pay-the-contract escrow used only to compare gas with SPB's CTP/ERC.
/// @dev Invariant: `address(this).balance == Σ amount of open trades`.
contract PlainEscrow is IPlainEscrow, ReentrancyGuard {
    struct Trade {
        address consumer;
        uint64 expiry;
        address producer;
        uint96 amount;
    }

    mapping(uint256 tradeId => Trade) private _trades;
    uint256 private _nextId;

    /// @inheritdoc IPlainEscrow
    function open(address producer, uint64 expiry) external payable returns (uint256 tradeId) {
        if (msg.value == 0) revert EscrowZeroValue();
        tradeId = ++_nextId;
        _trades[tradeId] = Trade(msg.sender, expiry, producer, uint96(msg.value));
        emit EscrowOpened(tradeId, msg.sender, producer, msg.value, expiry);
    }

    /// @inheritdoc IPlainEscrow
    function confirm(uint256 tradeId) external nonReentrant {
        Trade memory t = _trades[tradeId];
        if (t.amount == 0) revert EscrowTradeNotOpen(tradeId);
        if (t.consumer != msg.sender) revert EscrowNotConsumer(tradeId, msg.sender);
        if (block.timestamp > t.expiry) revert EscrowExpired(tradeId, t.expiry);
        delete _trades[tradeId];
        emit EscrowConfirmed(tradeId);
        (bool ok,) = payable(t.producer).call{value: t.amount}("");
        if (!ok) revert EscrowTransferFailed(t.producer, t.amount);
    }

    /// @inheritdoc IPlainEscrow
    function refund(uint256 tradeId) external nonReentrant {
        Trade memory t = _trades[tradeId];
        if (t.amount == 0) revert EscrowTradeNotOpen(tradeId);
        if (block.timestamp <= t.expiry) revert EscrowNotExpired(tradeId, t.expiry);
        delete _trades[tradeId];
        emit EscrowRefunded(tradeId);
        (bool ok,) = payable(t.consumer).call{value: t.amount}("");
        if (!ok) revert EscrowTransferFailed(t.consumer, t.amount);
    }
}
