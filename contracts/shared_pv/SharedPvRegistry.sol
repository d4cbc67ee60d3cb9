// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Governed} from "contracts/common/Governed.sol";
import {SharedPvPlant} from "contracts/shared_pv/SharedPvPlant.sol";
import {SlotConfig} from "interfaces/common/SlotTypes.sol";
import {ISharedPvRegistry} from "interfaces/shared_pv/ISharedPvRegistry.sol";

/// @title Registry of shared PV plants
/// @notice The consortium's utilities (CONSORTIUM_ROLE) create plants here; each plant is its
/// own `SharedPvPlant` contract (so that a transfer names no plant id and reads no plant
/// record), governed by the consortium address given at creation.
/// @dev Invariant: `plantAt(i)` lists exactly the plants created here, in creation order,
/// and only CONSORTIUM_ROLE holders created them.
contract SharedPvRegistry is ISharedPvRegistry, Governed {
    /// @inheritdoc ISharedPvRegistry
    bytes32 public constant CONSORTIUM_ROLE = keccak256("CONSORTIUM_ROLE");

    address[] private _plants;

    /// @param governor receives DEFAULT_ADMIN_ROLE, GOVERNOR_ROLE and CONSORTIUM_ROLE
    constructor(address governor) Governed(governor) {
        _grantRole(CONSORTIUM_ROLE, governor);
    }

    /// @inheritdoc ISharedPvRegistry
    function createPlant(
        address consortium,
        SlotConfig calldata clock,
        address[] calldata owners,
        uint16[] calldata defaultKeyBp
    ) external onlyRole(CONSORTIUM_ROLE) returns (address plant) {
        plant = address(new SharedPvPlant(consortium, clock, owners, defaultKeyBp));
        _plants.push(plant);
        emit PlantCreated(plant, consortium, msg.sender, owners.length);
    }

    /// @inheritdoc ISharedPvRegistry
    function plantCount() external view returns (uint256) {
        return _plants.length;
    }

    /// @inheritdoc ISharedPvRegistry
    function plantAt(uint256 index) external view returns (address) {
        return _plants[index];
    }
}
