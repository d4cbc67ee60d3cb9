// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title Errors of the shared funds ledger
/// @notice Every refusal of a funds operation, with the values that caused it. Shared by
/// every market that holds money (they inherit `FundsLedger`).
interface IFundsLedgerErrors {
    /// @notice Zero-value deposits and withdrawals are refused.
    error FundsZeroAmount();
    /// @notice The amount does not fit in the free balance (balance minus frozen).
    error FundsInsufficient(address owner, uint256 free, uint256 requested);
    /// @notice A balance (or frozen part) would exceed its 96-bit counter.
    error FundsAmountOverflow(address owner, uint256 amount);
    /// @notice Sending the payment asset to the recipient failed (it reverted or re-entered).
    error FundsTransferFailed(address to, uint256 amount);
    /// @notice Withdrawing to the zero address would burn the money.
    error FundsZeroRecipient();
    /// @notice An ether deposit must attach exactly `amount` wei.
    error FundsValueMismatch(uint256 sent, uint256 amount);
    /// @notice This ledger's payment asset is an ERC-20 token: ether is not accepted.
    error FundsUnexpectedEther(uint256 sent);
    /// @notice The token delivered less than the deposited amount (fee-on-transfer tokens are refused).
    error FundsTokenShortfall(uint256 expected, uint256 received);
    /// @notice The owner already used this nonce, or it fell behind the owner's 32-nonce window.
    error FundsNonceUsed(address owner, uint32 nonce);
    /// @notice A nonce may run at most 63 ahead of the window's base: a nonce far ahead would
    /// spend every outstanding one and, near 2^32, lock the owner out for ever.
    error FundsNonceTooFarAhead(address owner, uint32 nonce, uint32 maxNonce);
}
