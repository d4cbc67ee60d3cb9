// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title State-changing functions of a shared PV plant
interface ISharedPvPlantActions {
    /// @notice Move `amountBp` basis points of the plant from the caller to member `to` in
    /// every slot from `firstSlot` to `lastSlot` (inclusive), portions the caller received
    /// included. Only future slots within the transfer window (`transferWindow`); refused
    /// with `SharesInsufficient(caller, slot, held, amountBp)` naming the first slot of the
    /// range where the caller holds less. Costs two storage words per 128-slot row the range
    /// touches (one per party) while the rows hold at most 10 runs each.
    /// @dev Caller and `to` must be members.
    function movePortions(address to, uint64 firstSlot, uint64 lastSlot, uint16 amountBp) external;

    /// @notice Admit `owner` as a member with a default share of 0: it can receive portions
    /// and pass them on.
    /// @dev Only CONSORTIUM_ROLE.
    function admitOwner(address owner) external;

    /// @notice Revoke `owner`: from the next slot on, its default share and every portion it
    /// holds in the transfer window go to `successor` (a current member other than `owner`);
    /// past and current slots stay as they were.
    /// @dev Only CONSORTIUM_ROLE. Touches the 32 rows of both parties (bounded).
    function revokeOwner(address owner, address successor) external;

    /// @notice Create the first storage word of each of member `owner`'s 32 rows (with a copy
    /// of its default share), so that none of its later transfers pays for new storage
    /// (22,100 gas a word). Anyone may pay for it; nothing else changes.
    function prepareRows(address owner) external;
}
