// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IFundsLedger} from "interfaces/common/IFundsLedger.sol";

/// @title Test attacker: re-enters the ledger from its receive hook
/// @notice Deposits, then withdraws; when the market sends ether it tries to withdraw
/// again (or any call set with `setReentry`). Used only by tests.
/// @dev Invariant: none — this contract exists to break the market's.
contract ReentrantWithdrawer {
    IFundsLedger public immutable market;
    bytes public reentry;
    bool public reentered;
    bool public reentrySucceeded;

    constructor(IFundsLedger market_) {
        market = market_;
    }

    /// @notice Calldata to send to the market from the receive hook.
    function setReentry(bytes calldata data) external {
        reentry = data;
    }

    /// @notice Deposit the attached value into the market.
    function depositToMarket() external payable {
        market.deposit{value: msg.value}(msg.value);
    }

    /// @notice Withdraw from the market (triggers the re-entry).
    function withdrawFromMarket(uint256 amount) external {
        market.withdraw(amount);
    }

    receive() external payable {
        if (reentered || reentry.length == 0) return;
        reentered = true;
        (bool ok,) = address(market).call(reentry);
        reentrySucceeded = ok;
    }
}
