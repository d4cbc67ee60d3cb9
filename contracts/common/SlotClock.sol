// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {SlotCalendar} from "contracts/common/SlotCalendar.sol";
import {ISlotClock} from "interfaces/common/ISlotClock.sol";
import {DstRule, SlotConfig} from "interfaces/common/SlotTypes.sol";

/// @title 15-minute slot clock, inherited by the markets that trade per slot
/// @notice Immutable configuration (no storage read): slot `s` is the quarter hour of
/// market time starting at `s * 900` s after 1970-01-01 UTC; market time runs
/// `900 / slotSeconds` times as fast as chain time from chain time `genesis`, which is
/// market time `epoch` (real time: 0, 0, 900). Local days of the configured time zone are
/// ranges of slots: 96, or 92 and 100 on the EU rule's DST change days.
/// @dev Invariants: `slotAt` is non-decreasing in its argument and `slotAt(slotStart(s)) == s`;
/// consecutive local days are adjacent ranges of slots (`daySlots(d).first + count ==
/// daySlots(d + 1).first`) and `dayOf` inverts `daySlots`.
abstract contract SlotClock is ISlotClock {
    uint64 private immutable _genesis;
    uint64 private immutable _epochSlot;
    uint32 private immutable _slotSeconds;
    int16 private immutable _utcOffsetMinutes;
    DstRule private immutable _dst;

    constructor(SlotConfig memory config) {
        int16 offset = config.utcOffsetMinutes;
        bool euOk = config.dst != DstRule.EU || (offset >= 0 && offset <= 180);
        if (
            config.slotSeconds == 0 || config.epoch % SlotCalendar.SLOT != 0 || offset % 15 != 0 || offset > 840
                || offset < -840 || !euOk
        ) {
            revert SlotInvalidConfig(config.slotSeconds, config.epoch, offset);
        }
        _genesis = config.genesis;
        _epochSlot = uint64(config.epoch / SlotCalendar.SLOT);
        _slotSeconds = config.slotSeconds;
        _utcOffsetMinutes = offset;
        _dst = config.dst;
    }

    /// @inheritdoc ISlotClock
    function slotConfig() external view returns (SlotConfig memory) {
        return SlotConfig({
            genesis: _genesis,
            epoch: _epochSlot * uint64(SlotCalendar.SLOT),
            slotSeconds: _slotSeconds,
            utcOffsetMinutes: _utcOffsetMinutes,
            dst: _dst
        });
    }

    /// @inheritdoc ISlotClock
    function currentSlot() external view returns (uint64) {
        return _slotAt(block.timestamp);
    }

    /// @inheritdoc ISlotClock
    function slotAt(uint256 timestamp) external view returns (uint64) {
        return _slotAt(timestamp);
    }

    /// @inheritdoc ISlotClock
    function slotStart(uint64 slot) external view returns (uint256) {
        return _slotStart(slot);
    }

    /// @inheritdoc ISlotClock
    function dayOf(uint64 slot) external view returns (uint32 day, uint16 slotInDay) {
        uint256 d = SlotCalendar.localDay(uint256(slot) * SlotCalendar.SLOT, _utcOffsetMinutes, _dst);
        uint256 first = SlotCalendar.dayStart(d, _utcOffsetMinutes, _dst) / SlotCalendar.SLOT;
        return (uint32(d), uint16(slot - first));
    }

    /// @inheritdoc ISlotClock
    function daySlots(uint32 day) external view returns (uint64 firstSlot, uint16 count) {
        uint256 first = SlotCalendar.dayStart(day, _utcOffsetMinutes, _dst) / SlotCalendar.SLOT;
        uint256 next = SlotCalendar.dayStart(uint256(day) + 1, _utcOffsetMinutes, _dst) / SlotCalendar.SLOT;
        return (uint64(first), uint16(next - first));
    }

    /// @dev The slot chain time `timestamp` lies in; reverts before genesis.
    function _slotAt(uint256 timestamp) internal view returns (uint64) {
        if (timestamp < _genesis) revert SlotBeforeGenesis(timestamp, _genesis);
        return _epochSlot + uint64((timestamp - _genesis) / _slotSeconds);
    }

    /// @dev The slot of the current block.
    function _currentSlot() internal view returns (uint64) {
        return _slotAt(block.timestamp);
    }

    /// @dev Chain time at which `slot` begins; reverts for slots before genesis.
    function _slotStart(uint64 slot) internal view returns (uint256) {
        if (slot < _epochSlot) revert SlotBeforeEpoch(slot, _epochSlot);
        return uint256(_genesis) + uint256(slot - _epochSlot) * _slotSeconds;
    }
}
