// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title Events of a shared PV plant
/// @notice Emitted right after each state change. The portions of every slot can be rebuilt
/// from these events alone (the clearing server does): start from the default key of the
/// `OwnerAdmitted` events, apply every `PortionsTransferred` and `OwnerRevoked` in log order.
interface ISharedPvPlantEvents {
    /// @notice `owner` became a member with `defaultBp` basis points of the default key
    /// (the plant's initial co-owners; members admitted later start with 0).
    event OwnerAdmitted(address indexed owner, uint16 defaultBp);
    /// @notice `from` moved `amountBp` basis points of the plant to `to` in every slot from
    /// `firstSlot` to `lastSlot` (inclusive).
    event PortionsTransferred(
        address indexed from, address indexed to, uint64 firstSlot, uint64 lastSlot, uint16 amountBp
    );
    /// @notice `owner` was revoked: from `effectiveSlot` on, everything it held (its default
    /// share of `defaultBp` and the portions it had received or not yet given away) belongs
    /// to `successor`, whose default share grew by `defaultBp`.
    event OwnerRevoked(address indexed owner, address indexed successor, uint64 effectiveSlot, uint16 defaultBp);
    /// @notice The first storage word of each of `owner`'s 32 rows now exists, so its
    /// transfers pay for changed storage only (5,000 gas a word) — paid by the caller.
    event RowsPrepared(address indexed owner);
}
