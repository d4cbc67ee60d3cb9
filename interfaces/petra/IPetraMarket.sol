// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC1155} from "@openzeppelin/contracts/token/ERC1155/IERC1155.sol";

import {IFundsLedger} from "interfaces/common/IFundsLedger.sol";
import {ISlotClock} from "interfaces/common/ISlotClock.sol";
import {IPetraMarketActions} from "interfaces/petra/IPetraMarketActions.sol";
import {IPetraMarketErrors} from "interfaces/petra/IPetraMarketErrors.sol";
import {IPetraMarketEvents} from "interfaces/petra/IPetraMarketEvents.sol";
import {IPetraMarketState} from "interfaces/petra/IPetraMarketState.sol";

/// @title PETra market: DSO-minted quantised energy assets, fiat money, offers with splits
/// @notice The interface clients use. Funds (deposit, withdraw, withdrawTo, fundsOf) come from
/// the shared ledger, slots from the shared clock; energy assets are ERC-1155 tokens
/// (balance 1 per asset id, the id encoding kind, feeder, power, interval and position).
interface IPetraMarket is
    IFundsLedger,
    ISlotClock,
    IERC1155,
    IPetraMarketActions,
    IPetraMarketState,
    IPetraMarketEvents,
    IPetraMarketErrors
{}
