// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Asset, AssetKind, Feeder, FeederFlow, MintOrder, Prosumer, Reputation} from "interfaces/petra/PetraTypes.sol";

/// @title Read-only view of the PETra market
interface IPetraMarketState {
    /// @notice Role of the distribution system operator: registry, minting, delivery records.
    function DSO_ROLE() external view returns (bytes32);

    /// @notice The live asset `id` (reverts with `PetraUnknownAsset` otherwise).
    function assetOf(uint256 id) external view returns (Asset memory);

    /// @notice The token id of the asset now stored at `position` (0 if the position is free).
    function idAt(uint40 position) external view returns (uint256);

    /// @notice The next position a mint or split without a usable hint takes.
    function nextPosition() external view returns (uint40);

    /// @notice A registered prosumer (all zero if unknown).
    function prosumerOf(uint32 prosumer) external view returns (Prosumer memory);

    /// @notice A registered feeder's limits (all zero if unknown).
    function feederOf(uint8 feeder) external view returns (Feeder memory);

    /// @notice Watts of `kind` minted for `prosumer` in `slot` (within the horizon; 0 for slots
    /// no mint touched).
    function capacityUsed(uint32 prosumer, AssetKind kind, uint64 slot) external view returns (uint256);

    /// @notice Watts of accepted trades in `slot` counted against feeder `feeder`'s `flow` limit.
    function feederFlow(uint8 feeder, FeederFlow flow, uint64 slot) external view returns (uint256);

    /// @notice An anonymous account's delivered-vs-promised record.
    function reputationOf(address account) external view returns (Reputation memory);

    /// @notice What `power` watts for `slots` 15-minute intervals cost at `price` per MWh:
    /// `power * slots * price / 4_000_000`, rounded down.
    function costOf(uint256 power, uint256 slots, uint256 price) external pure returns (uint256);

    /// @notice The last slot an asset minted now may cover.
    function horizonSlot() external view returns (uint64);

    /// @notice The EIP-712 digest a DSO signs for `order`.
    function hashMintOrder(MintOrder calldata order) external view returns (bytes32);
}
