// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {SlotConfig} from "interfaces/common/SlotTypes.sol";

/// @title The 15-minute slot clock shared by the markets that trade per slot
/// @notice Slot numbers are quarter hours of market time since 1970-01-01 UTC; `dayOf` and
/// `daySlots` give the configured time zone's local days (96 slots, 92 / 100 on DST change days).
interface ISlotClock {
    /// @notice `timestamp` (chain time) lies before the clock's genesis.
    error SlotBeforeGenesis(uint256 timestamp, uint256 genesis);
    /// @notice A slot clock needs `slotSeconds > 0`, an `epoch` on a quarter hour, a UTC offset
    /// in whole quarter hours within ±14 h, and for the EU rule an offset between 0 and +3 h.
    error SlotInvalidConfig(uint32 slotSeconds, uint64 epoch, int16 utcOffsetMinutes);
    /// @notice `slot` lies before the clock's epoch (the first slot of its market time).
    error SlotBeforeEpoch(uint64 slot, uint64 epochSlot);
    /// @notice Local days are counted from 1970-01-02 on.
    error SlotDayOutOfRange(uint256 day);

    /// @notice The clock's configuration (genesis, epoch, chain seconds per slot, time zone).
    function slotConfig() external view returns (SlotConfig memory);

    /// @notice The slot the current block lies in.
    function currentSlot() external view returns (uint64);

    /// @notice The slot chain time `timestamp` lies in.
    function slotAt(uint256 timestamp) external view returns (uint64);

    /// @notice Chain time at which `slot` begins.
    function slotStart(uint64 slot) external view returns (uint256);

    /// @notice Local day of `slot` (days since 1970-01-01 in the configured time zone) and
    /// the slot's position in that day (0-based).
    function dayOf(uint64 slot) external view returns (uint32 day, uint16 slotInDay);

    /// @notice First slot and number of slots (96, or 92 / 100 on DST change days) of local `day`.
    function daySlots(uint32 day) external view returns (uint64 firstSlot, uint16 count);
}
