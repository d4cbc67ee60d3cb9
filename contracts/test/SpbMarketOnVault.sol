// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {FundsVault} from "contracts/test/FundsVault.sol";
import {SpbMarket} from "contracts/spb/SpbMarket.sol";

/// @title Gas probe: the SPB market with its funds records in a shared vault
/// @notice Identical to `SpbMarket` except that every read and write of a funds record is
/// an external call to a `FundsVault`. Measured beside `SpbMarket` by the gas report
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
}
