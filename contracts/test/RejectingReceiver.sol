// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ISpbMarket} from "interfaces/spb/ISpbMarket.sol";

/// @title Test account that refuses ether
/// @notice Deposits into the market and then cannot receive its withdrawal. Tests only.
/// @dev Invariant: never accepts ether outside `depositToMarket`.
contract RejectingReceiver {
    ISpbMarket public immutable market;

    constructor(ISpbMarket market_) {
        market = market_;
    }

    /// @notice Deposit the attached value into the market.
    function depositToMarket() external payable {
        market.deposit{value: msg.value}();
    }

    /// @notice Withdraw from the market; the transfer back fails.
    function withdrawFromMarket(uint256 amount) external {
        market.withdraw(amount);
    }
}
