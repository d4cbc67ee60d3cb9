// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title Test ERC-20 that keeps a fee on every transfer (1 % unless set) and can be paused
/// @notice A ledger must refuse deposits that arrive short (crediting the full amount would
/// promise money it does not hold) and must revert cleanly when a payout fails. Tests only.
/// @dev Invariant: none — this contract exists to break the ledger's.
contract FeeOnTransferToken is ERC20 {
    bool public frozenOutgoing;
    uint256 public feeBps = 100;

    constructor() ERC20("Fee token", "FEE") {}

    /// @notice Mint `amount` to `to` (tests only).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Set the fee kept per transfer, in basis points.
    function setFeeBps(uint256 bps) external {
        feeBps = bps;
    }

    /// @notice Make every transfer revert (a token that blacklists, or is paused).
    function setFrozenOutgoing(bool frozen) external {
        frozenOutgoing = frozen;
    }

    function _update(address from, address to, uint256 value) internal override {
        require(!frozenOutgoing || from == address(0), "paused");
        if (from != address(0) && to != address(0)) {
            uint256 fee = value * feeBps / 10_000;
            if (fee != 0) super._update(from, address(0xdead), fee);
            value -= fee;
        }
        super._update(from, to, value);
    }
}
