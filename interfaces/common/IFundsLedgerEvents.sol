// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title Events of the shared funds ledger
/// @notice Emitted right after the balance changed; with the market's own events (freeze,
/// release, payment) every owner's balance can be rebuilt from logs alone.
interface IFundsLedgerEvents {
    /// @notice `amount` of the payment asset was deposited; `balance` is the owner's new
    /// balance (frozen part included).
    event Deposited(address indexed owner, uint256 amount, uint256 balance);
    /// @notice `amount` left the owner's balance for `to` (the owner itself for `withdraw`).
    event Withdrew(address indexed owner, address indexed to, uint256 amount, uint256 balance);
}
