// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {PortionRow} from "interfaces/shared_pv/SharedPvTypes.sol";

/// @title Read-only view of a shared PV plant
/// @notice Portions are answered for the transfer window (the future slots transfers may
/// still change); the history of past slots is in the events.
interface ISharedPvPlantState {
    /// @notice Role of the utilities that admit and revoke owners.
    function CONSORTIUM_ROLE() external view returns (bytes32);

    /// @notice Slots per storage row (128).
    function ROW_SLOTS() external view returns (uint64);

    /// @notice Rows in the ring of each owner (32): the transfer window spans 31 to 32 rows.
    function RING_ROWS() external view returns (uint64);

    /// @notice Largest number of members a plant may have.
    function MAX_MEMBERS() external view returns (uint256);

    /// @notice The slots transfers may change now: from the slot after the current one to the
    /// end of the row 31 rows after the current row (about six weeks ahead).
    function transferWindow() external view returns (uint64 firstSlot, uint64 lastSlot);

    /// @notice Whether `account` is a member, and its share of the default key (basis points).
    function memberOf(address account) external view returns (bool member, uint16 defaultBp);

    /// @notice The current members.
    function members() external view returns (address[] memory);

    /// @notice Basis points of the plant `owner` holds in `slot` (a slot of the transfer window).
    function portionOf(address owner, uint64 slot) external view returns (uint16);

    /// @notice `owner`'s basis points in each slot from `firstSlot` to `lastSlot` (within the window).
    function portionsOf(address owner, uint64 firstSlot, uint64 lastSlot) external view returns (uint16[] memory);

    /// @notice The stored representation of `owner`'s row containing `slot` (a window slot).
    function rowOf(address owner, uint64 slot) external view returns (PortionRow memory);
}
