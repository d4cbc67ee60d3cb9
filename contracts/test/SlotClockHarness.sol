// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {SlotClock} from "contracts/common/SlotClock.sol";
import {SlotConfig} from "interfaces/common/SlotTypes.sol";

/// @title A deployable slot clock with nothing else, for the calendar tests. Tests only.
/// @dev Invariant: those of `SlotClock`.
contract SlotClockHarness is SlotClock {
    constructor(SlotConfig memory config) SlotClock(config) {}
}
