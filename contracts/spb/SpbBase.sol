// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

import {Governed} from "contracts/common/Governed.sol";
import {ISpbMarket} from "interfaces/spb/ISpbMarket.sol";

/// @title Shared base of the SPB market modules
/// @notice The governance role (from the common layer) and the EIP-712 domain that the
/// accounts, CoE registry and market modules share in one deployed contract.
/// @dev Invariant: only GOVERNOR_ROLE holders change distributors, manufacturers and fees.
abstract contract SpbBase is ISpbMarket, Governed, EIP712 {}
