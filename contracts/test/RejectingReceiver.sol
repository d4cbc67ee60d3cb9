// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IFundsLedger} from "interfaces/common/IFundsLedger.sol";

/// @title Test account that refuses ether
/// @notice Deposits into a ledger and then cannot receive its withdrawal; `withdrawTo`
/// gets its money out to another address. Tests only.
/// @dev Invariant: never accepts ether outside `depositToMarket`.
contract RejectingReceiver {
    IFundsLedger public immutable market;

    constructor(IFundsLedger market_) {
        market = market_;
    }

    /// @notice Deposit the attached value into the ledger.
    function depositToMarket() external payable {
        market.deposit{value: msg.value}(msg.value);
    }

    /// @notice Withdraw from the ledger to itself; the transfer back fails.
    function withdrawFromMarket(uint256 amount) external {
        market.withdraw(amount);
    }

    /// @notice Call anything as this contract (open an energy account, collect earnings…).
    function execute(address target, bytes calldata data) external payable returns (bytes memory) {
        (bool ok, bytes memory result) = target.call{value: msg.value}(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(result, 0x20), mload(result))
            }
        }
        return result;
    }

    /// @notice Withdraw from the ledger to another address.
    function withdrawToFromMarket(address to, uint256 amount) external {
        market.withdrawTo(to, amount);
    }
}
