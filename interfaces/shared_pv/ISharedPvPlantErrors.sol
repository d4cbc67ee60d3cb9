// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title Errors of a shared PV plant
/// @notice Every refusal of the plant, with the values that caused it.
interface ISharedPvPlantErrors {
    /// @notice `account` is not a current member (co-owner) of the plant.
    error SharesNotMember(address account);
    /// @notice `account` is already a member of the plant.
    error SharesAlreadyMember(address account);
    /// @notice The zero address cannot own portions.
    error SharesZeroAddress();
    /// @notice A plant needs at least one owner.
    error SharesNoOwners();
    /// @notice The owner list and the default key have different lengths.
    error SharesKeyLengthMismatch(uint256 owners, uint256 shares);
    /// @notice The default key must sum to exactly 10,000 basis points.
    error SharesKeyNotFull(uint256 sumBp);
    /// @notice An owner appears twice in the owner list.
    error SharesDuplicateOwner(address owner);
    /// @notice The plant already has the maximum number of members.
    error SharesTooManyMembers(uint256 maxMembers);
    /// @notice A transfer of zero basis points is meaningless.
    error SharesZeroAmount();
    /// @notice The range's last slot lies before its first.
    error SharesEmptyRange(uint64 firstSlot, uint64 lastSlot);
    /// @notice Past and current slots are immutable: only slots after `currentSlot` may change.
    error SharesSlotNotFuture(uint64 slot, uint64 currentSlot);
    /// @notice Transfers reach at most `lastAllowedSlot` (the end of the transfer window).
    error SharesBeyondHorizon(uint64 slot, uint64 lastAllowedSlot);
    /// @notice An owner cannot transfer portions to itself.
    error SharesSelfTransfer(address owner);
    /// @notice `owner` holds only `held` basis points in `slot` (the first slot of the range
    /// where it holds less than requested) but the transfer needs `requested`.
    error SharesInsufficient(address owner, uint64 slot, uint256 held, uint256 requested);
    /// @notice A revoked owner's portions must go to another current member.
    error SharesInvalidSuccessor(address owner, address successor);
    /// @notice Views answer for the transfer window only (`firstSlot`..`lastSlot`): past
    /// slots are read from the events, which the clearing server does.
    error SharesSlotOutOfWindow(uint64 slot, uint64 firstSlot, uint64 lastSlot);
}
