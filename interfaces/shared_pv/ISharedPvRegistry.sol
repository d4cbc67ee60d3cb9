// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {SlotConfig} from "interfaces/common/SlotTypes.sol";

/// @title Registry of shared PV plants: where the consortium creates plants and clearing
/// servers find them
/// @notice Creating a plant deploys a `SharedPvPlant` governed by the consortium address
/// given (a utility, or the consortium's multisig).
interface ISharedPvRegistry {
    /// @notice A plant was created by `creator`, governed by `consortium`, with `owners` co-owners.
    event PlantCreated(address indexed plant, address indexed consortium, address indexed creator, uint256 owners);

    /// @notice Role of the utilities that may create plants.
    function CONSORTIUM_ROLE() external view returns (bytes32);

    /// @notice Deploy a plant with co-owners `owners` and default key `defaultKeyBp` (basis
    /// points, sum 10,000) on slot clock `clock`, governed by `consortium`.
    /// @dev Only CONSORTIUM_ROLE. The plant's constructor checks the key (its errors).
    /// @return plant the new plant's address
    function createPlant(
        address consortium,
        SlotConfig calldata clock,
        address[] calldata owners,
        uint16[] calldata defaultKeyBp
    ) external returns (address plant);

    /// @notice Number of plants created.
    function plantCount() external view returns (uint256);

    /// @notice Plant number `index` (0-based, in creation order).
    function plantAt(uint256 index) external view returns (address);
}
