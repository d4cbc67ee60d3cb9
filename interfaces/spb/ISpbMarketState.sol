// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {CommitToPay, CommitmentStatus, ContractTerms, EnergyReceipt} from "interfaces/spb/SpbTypes.sol";

/// @title Read-only view of the SPB market
interface ISpbMarketState {
    /// @notice Fee (wei) burned by `openAccountByBurn`.
    function accountFee() external view returns (uint256);

    /// @notice Number of accounts opened so far (ids are 1..accountCount).
    function accountCount() external view returns (uint64);

    /// @notice Whether `distributor` may certify new accounts.
    function isDistributor(address distributor) external view returns (bool);

    /// @notice Whether `manufacturer` is a registered CA.
    function isManufacturer(address manufacturer) external view returns (bool);

    /// @notice Owner, energy for sale (Wh), uncollected earnings (wei) and last supply id
    /// (P_T_ID) of an account.
    function accountOf(uint64 accountId)
        external
        view
        returns (address owner, uint96 supplyWh, uint160 earnings, bytes32 lastSupplyId);

    /// @notice Status of an on-chain CTP. A finished CTP reads `None` again once a later CTP
    /// of the same consumer reuses its slot (nonce + 32k); its history stays in the events.
    function commitmentStatus(CommitToPay calldata ctp) external view returns (CommitmentStatus);

    /// @notice Manufacturer CA and verifier meter of a registered CoE (zero if unknown).
    function coeOf(bytes32 root) external view returns (address manufacturer, address verifier);

    /// @notice Whether the leaf key at `leafIndex` of CoE `root` already signed an ERC.
    function isLeafUsed(bytes32 root, uint256 leafIndex) external view returns (bool);

    /// @notice The CTP id: EIP-712 digest of `ctp` in this market's domain.
    function hashCommitment(CommitToPay calldata ctp) external view returns (bytes32);

    /// @notice The EIP-712 digest a meter's leaf key signs for `erc` settling `ctpId`.
    function hashReceipt(bytes32 ctpId, EnergyReceipt calldata erc) external view returns (bytes32);

    /// @notice `keccak256(abi.encode(energyWh, terms.rate, terms.salt, meterKey))`, the CTP
    /// contract hash: the agreed terms and the consumer meter's one-time key that must sign
    /// the ERC.
    function contractHashOf(uint128 energyWh, ContractTerms calldata terms, address meterKey)
        external
        pure
        returns (bytes32);

    /// @notice Longest time from now to the expiry of a CTP that freezes funds.
    function maxCtpLifetime() external view returns (uint64);
}
