// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {FundsLedger} from "contracts/common/FundsLedger.sol";

/// @title Gas probe: the funds records kept in one shared vault contract
/// @notice The alternative to inheriting `FundsLedger`: one vault holds every owner's
/// record (balance, frozen part, nonce window) for all markets, and authorised markets read
/// and write it by external call. Only the records move out — custody of the asset is left
/// where it is, so the measured cost is a lower bound on a real vault. Gas report only
/// (docs/architecture.md, "the funds decision").
/// @dev Invariant: only authorised markets write records.
contract FundsVault {
    error VaultUnauthorized(address caller);

    mapping(address market => bool) public authorized;
    mapping(address owner => FundsLedger.Funds) private _records;

    /// @notice Let `market` read and write records (no access control: gas probe only).
    function authorize(address market) external {
        authorized[market] = true;
    }

    /// @notice The record of `owner`.
    function load(address owner) external view returns (FundsLedger.Funds memory) {
        return _records[owner];
    }

    /// @notice Overwrite the record of `owner`; authorised markets only.
    function store(address owner, FundsLedger.Funds calldata record) external {
        if (!authorized[msg.sender]) revert VaultUnauthorized(msg.sender);
        _records[owner] = record;
    }
}
