// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {FundsVault} from "contracts/test/FundsVault.sol";
import {SpbMarket} from "contracts/spb/SpbMarket.sol";

/// @title Gas probe: the SPB market with its funds records in a shared vault
/// @notice Identical to `SpbMarket` except that every read and write of a funds record is
/// an external call to a `FundsVault` (the ledger's record primitives are overridden). Measured beside `SpbMarket` by the gas report
/// (`arch.settle_single_inherited` vs `arch.settle_single_vault`). Gas report only.
/// @dev Invariant: those of `SpbMarket`, with the records held by the vault.
contract SpbMarketOnVault is SpbMarket {
    FundsVault public immutable vault;

    constructor(address governor, uint256 fee, FundsVault vault_) SpbMarket(governor, fee, address(0)) {
        vault = vault_;
    }

    function _loadFunds(address owner) internal view override returns (Funds memory) {
        return vault.load(owner);
    }

    function _storeFunds(address owner, Funds memory f) internal override {
        vault.store(owner, f);
    }

    function _credit(address owner, uint256 amount) internal override returns (uint256) {
        Funds memory f = vault.load(owner);
        f.balance += uint96(amount);
        vault.store(owner, f);
        return f.balance;
    }

    function _freeze(address owner, uint256 amount) internal override {
        Funds memory f = vault.load(owner);
        uint256 free = f.balance - f.frozen;
        if (amount > free) revert FundsInsufficient(owner, free, amount);
        f.frozen += uint96(amount);
        vault.store(owner, f);
    }

    function _unfreeze(address owner, uint256 amount) internal override {
        Funds memory f = vault.load(owner);
        f.frozen -= uint96(amount);
        vault.store(owner, f);
    }

    function _debitFrozen(address owner, uint256 amount) internal override {
        Funds memory f = vault.load(owner);
        f.balance -= uint96(amount);
        f.frozen -= uint96(amount);
        vault.store(owner, f);
    }

    function _debit(address owner, uint256 amount) internal override returns (uint256) {
        Funds memory f = vault.load(owner);
        uint256 free = f.balance - f.frozen;
        if (amount > free) revert FundsInsufficient(owner, free, amount);
        f.balance -= uint96(amount);
        vault.store(owner, f);
        return f.balance;
    }
}
