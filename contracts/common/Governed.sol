// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/// @title Governance roles shared by the markets
/// @notice OpenZeppelin AccessControl with one governor role: the governor (a multisig or
/// the consortium's DAO in production) changes a market's parameters and registries; the
/// admin role grants and revokes roles. Markets add their own operational roles (a DSO,
/// a sensor, a device) next to it.
/// @dev Invariant: only DEFAULT_ADMIN_ROLE holders grant or revoke roles; the deployer
/// names the first governor, who holds both roles.
abstract contract Governed is AccessControl {
    /// @notice Role that governs a market's registries and parameters.
    bytes32 public constant GOVERNOR_ROLE = keccak256("GOVERNOR_ROLE");

    /// @param governor receives DEFAULT_ADMIN_ROLE and GOVERNOR_ROLE
    constructor(address governor) {
        _grantRole(DEFAULT_ADMIN_ROLE, governor);
        _grantRole(GOVERNOR_ROLE, governor);
    }
}
