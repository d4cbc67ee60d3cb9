// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ISlotClock} from "interfaces/common/ISlotClock.sol";
import {DstRule} from "interfaces/common/SlotTypes.sol";

/// @title Civil calendar arithmetic for 15-minute slots
/// @notice Days since 1970-01-01 ↔ (year, month, day) after Howard Hinnant's
/// `days_from_civil` / `civil_from_days` (proleptic Gregorian, dates from 1970 on), the EU
/// daylight-saving rule and local day boundaries. Pure functions, cross-checked against
/// Python's zoneinfo (tests/common).
/// @dev Invariant: for the supported rules a local day starts on a quarter hour and lasts
/// 23, 24 or 25 hours; the EU rule's switch (01:00 UTC) never falls within an hour of a
/// local midnight for standard offsets 0 to +3 h.
library SlotCalendar {
    uint256 internal constant SLOT = 900;
    uint256 internal constant DAY = 86_400;

    /// @dev Days since 1970-01-01 of a proleptic Gregorian date (year >= 1970).
    function daysFromCivil(uint256 y, uint256 m, uint256 d) internal pure returns (uint256) {
        if (m <= 2) y -= 1;
        uint256 era = y / 400;
        uint256 yoe = y - era * 400;
        uint256 doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
        uint256 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146_097 + doe - 719_468;
    }

    /// @dev The year of day `z` (days since 1970-01-01).
    function yearOf(uint256 z) internal pure returns (uint256 y) {
        z += 719_468;
        uint256 era = z / 146_097;
        uint256 doe = z - era * 146_097;
        uint256 yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        y = yoe + era * 400;
        uint256 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        uint256 mp = (5 * doy + 2) / 153;
        if (mp >= 10) y += 1; // January and February belong to the next civil year
    }

    /// @dev Day number of the last Sunday of month `m` (1..11) of year `y`.
    function lastSunday(uint256 y, uint256 m) internal pure returns (uint256) {
        uint256 last = daysFromCivil(y, m + 1, 1) - 1;
        return last - (last + 4) % 7; // 1970-01-01 was a Thursday (weekday 4, Sunday = 0)
    }

    /// @dev Whether EU summer time is in force at UTC time `t`.
    function isEuSummerTime(uint256 t) internal pure returns (bool) {
        uint256 y = yearOf(t / DAY);
        uint256 start = lastSunday(y, 3) * DAY + 3600;
        uint256 end = lastSunday(y, 10) * DAY + 3600;
        return t >= start && t < end;
    }

    /// @dev Offset of local time from UTC at UTC time `t`, in seconds.
    function utcOffset(uint256 t, int16 offsetMinutes, DstRule dst) internal pure returns (int256 offset) {
        offset = int256(offsetMinutes) * 60;
        if (dst == DstRule.EU && isEuSummerTime(t)) offset += 3600;
    }

    /// @dev Local day (days since 1970-01-01 in local time) of UTC time `t`.
    function localDay(uint256 t, int16 offsetMinutes, DstRule dst) internal pure returns (uint256) {
        return uint256(int256(t) + utcOffset(t, offsetMinutes, dst)) / DAY;
    }

    /// @dev UTC time of local midnight starting local day `day` (day >= 1).
    function dayStart(uint256 day, int16 offsetMinutes, DstRule dst) internal pure returns (uint256 t) {
        if (day == 0 || day > type(uint32).max) revert ISlotClock.SlotDayOutOfRange(day);
        t = uint256(int256(day * DAY) - int256(offsetMinutes) * 60);
        // Local midnight under summer time lies one hour earlier in UTC. The EU switch is at
        // 01:00 UTC, never within the hour before a local midnight for offsets 0..+3 h.
        if (dst == DstRule.EU && isEuSummerTime(t - 3600)) t -= 3600;
    }
}
