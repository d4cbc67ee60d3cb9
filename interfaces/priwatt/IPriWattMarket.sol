// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IFundsLedger} from "interfaces/common/IFundsLedger.sol";
import {IPriWattMarketActions} from "interfaces/priwatt/IPriWattMarketActions.sol";
import {IPriWattMarketErrors} from "interfaces/priwatt/IPriWattMarketErrors.sol";
import {IPriWattMarketEvents} from "interfaces/priwatt/IPriWattMarketEvents.sol";
import {IPriWattMarketState} from "interfaces/priwatt/IPriWattMarketState.sol";

/// @title PriWatt market: auction board with ownership lock, 2-of-3 escrow, micropayment channels
/// @notice The interface clients (agents, the CLI) use. Funds (deposit, withdraw,
/// withdrawTo, fundsOf, nonces) come from the shared ledger.
interface IPriWattMarket is
    IFundsLedger,
    IPriWattMarketActions,
    IPriWattMarketState,
    IPriWattMarketEvents,
    IPriWattMarketErrors
{}
