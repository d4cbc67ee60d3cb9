// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IAuctionMarketActions} from "interfaces/auction/IAuctionMarketActions.sol";
import {IAuctionMarketErrors} from "interfaces/auction/IAuctionMarketErrors.sol";
import {IAuctionMarketEvents} from "interfaces/auction/IAuctionMarketEvents.sol";
import {IAuctionMarketState} from "interfaces/auction/IAuctionMarketState.sol";
import {IFundsLedger} from "interfaces/common/IFundsLedger.sol";
import {ISlotClock} from "interfaces/common/ISlotClock.sol";

/// @title Per-slot double auction: signed orders, clearing verified on chain, grid fees, deviations
/// @notice The interface clients (agents, operators, the DSO) use. Funds come from the
/// shared ledger, slots from the shared slot clock.
interface IAuctionMarket is
    IFundsLedger,
    ISlotClock,
    IAuctionMarketActions,
    IAuctionMarketState,
    IAuctionMarketEvents,
    IAuctionMarketErrors
{}
