// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

import {ISpbMarket} from "interfaces/spb/ISpbMarket.sol";

/// @title Shared base of the SPB market modules
/// @notice The governance role, the EIP-712 domain and the error-bytes helper that the
/// accounts, CoE registry and market modules share in one deployed contract.
/// @dev Invariant: only GOVERNOR_ROLE holders change distributors, manufacturers and fees.
abstract contract SpbBase is ISpbMarket, AccessControl, EIP712 {
    /// @notice Role that governs distributors, manufacturers and the account fee.
    bytes32 public constant GOVERNOR_ROLE = keccak256("GOVERNOR_ROLE");

    /// @dev Re-throws an ABI-encoded custom error produced by a non-reverting check.
    function _revertWith(bytes memory err) internal pure {
        assembly ("memory-safe") {
            revert(add(err, 0x20), mload(err))
        }
    }
}
