// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IFundsLedger} from "interfaces/common/IFundsLedger.sol";
import {ISpbMarketActions} from "interfaces/spb/ISpbMarketActions.sol";
import {ISpbMarketErrors} from "interfaces/spb/ISpbMarketErrors.sol";
import {ISpbMarketEvents} from "interfaces/spb/ISpbMarketEvents.sol";
import {ISpbMarketState} from "interfaces/spb/ISpbMarketState.sol";

/// @title SPB market: energy accounts, funds, CTP / ERC atomic meta-transactions, CoEs
/// @notice The interface clients (agents, dashboards) use; split by role like Uniswap v3.
/// Funds (deposit, withdraw, withdrawTo, fundsOf, nonces) come from the shared ledger.
interface ISpbMarket is IFundsLedger, ISpbMarketActions, ISpbMarketState, ISpbMarketEvents, ISpbMarketErrors {}
