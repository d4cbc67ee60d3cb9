// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IFundsLedgerErrors} from "interfaces/common/IFundsLedgerErrors.sol";
import {IFundsLedgerEvents} from "interfaces/common/IFundsLedgerEvents.sol";

/// @title Shared funds ledger: deposits, withdrawals and the frozen part of each balance
/// @notice Every GridLedger market that holds money exposes this interface. The payment
/// asset is fixed at deploy: native ether (`paymentAsset() == address(0)`) or one ERC-20
/// token (e.g. the DSO's fiat token in cents). The frozen part of a balance backs the
/// market's open promises (CTPs, bids, escrows) and cannot be withdrawn.
interface IFundsLedger is IFundsLedgerErrors, IFundsLedgerEvents {
    /// @notice Deposit `amount` of the payment asset into the caller's balance. Ether: attach
    /// exactly `amount` wei. Token: approve this contract for `amount` first, attach no ether.
    function deposit(uint256 amount) external payable;

    /// @notice Withdraw `amount` of the caller's free balance (balance minus frozen) to itself.
    function withdraw(uint256 amount) external;

    /// @notice Withdraw `amount` of the caller's free balance to `to` — for owners (e.g.
    /// contracts) that cannot receive ether themselves.
    function withdrawTo(address to, uint256 amount) external;

    /// @notice The payment asset: the ERC-20 token's address, or zero for native ether.
    function paymentAsset() external view returns (address);

    /// @notice Balance (frozen part included) and frozen part of `owner`'s funds.
    function fundsOf(address owner) external view returns (uint256 balance, uint256 frozen);

    /// @notice Whether `nonce` can no longer be used by `owner` (used, or behind the owner's
    /// 32-nonce window). Nonces order an owner's signed instructions that spend its funds.
    function isNonceUsed(address owner, uint32 nonce) external view returns (bool);
}
