// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ISlotClock} from "interfaces/common/ISlotClock.sol";
import {ISharedPvPlantActions} from "interfaces/shared_pv/ISharedPvPlantActions.sol";
import {ISharedPvPlantErrors} from "interfaces/shared_pv/ISharedPvPlantErrors.sol";
import {ISharedPvPlantEvents} from "interfaces/shared_pv/ISharedPvPlantEvents.sol";
import {ISharedPvPlantState} from "interfaces/shared_pv/ISharedPvPlantState.sol";

/// @title A shared PV plant: co-owners' portions per 15-minute slot (Knirsch et al.)
/// @notice The interface clients (owners' apps, the consortium, clearing servers) use. Slots
/// come from the common slot clock (`ISlotClock`).
interface ISharedPvPlant is
    ISlotClock,
    ISharedPvPlantActions,
    ISharedPvPlantState,
    ISharedPvPlantEvents,
    ISharedPvPlantErrors
{}
