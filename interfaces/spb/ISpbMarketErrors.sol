// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {CommitmentStatus} from "interfaces/spb/SpbTypes.sol";

/// @title Errors of the SPB market
/// @notice Every refusal of the market, with the values that caused it.
interface ISpbMarketErrors {
    // --- energy accounts ---------------------------------------------------------------
    /// @notice No energy account has this id.
    error AccountUnknown(uint64 accountId);
    /// @notice Only the account's owner may do this.
    error AccountNotOwner(uint64 accountId, address caller);
    /// @notice The account certificate's signer is not a registered distributor.
    error AccountUnknownDistributor(address signer);
    /// @notice This account certificate already opened an account.
    error AccountCertificateUsed(bytes32 certificateId);
    /// @notice Opening by burn requires exactly the configured fee.
    error AccountWrongFee(uint256 sent, uint256 required);
    /// @notice Supplying zero energy is meaningless.
    error AccountZeroSupply(uint64 accountId);
    /// @notice The account's supply would exceed its 96-bit counter.
    error AccountSupplyOverflow(uint64 accountId, uint256 supplyWh, uint256 addedWh);
    /// @notice A settlement would sell more energy than the account holds.
    error AccountInsufficientSupply(uint64 accountId, uint256 availableWh, uint256 requestedWh);

    /// @notice The distributor's account certificate is not a well-formed signature (e.g. high-s).
    error AccountMalformedSignature(bytes32 digest);
    /// @notice Burning the account fee (sending ether to the zero address) failed.
    error AccountFeeBurnFailed(uint256 fee);

    // --- commitments (CTP) -------------------------------------------------------------
    /// @notice An on-chain CTP must be made by its consumer.
    error MarketNotConsumer(address caller, address consumer);
    /// @notice A CTP must promise a non-zero price.
    error MarketZeroPrice(bytes32 ctpId);
    /// @notice A CTP's expiry must lie in the future when it is made.
    error MarketExpiryInPast(bytes32 ctpId, uint64 expiry, uint256 nowTimestamp);
    /// @notice The CTP is not pending (unknown, settled or released).
    error MarketCommitmentNotPending(bytes32 ctpId, CommitmentStatus status);
    /// @notice A CTP whose nonce shares the window position (`nonce % 32`) of a still
    /// pending CTP: settle or release that one first.
    error MarketCommitmentSlotBusy(bytes32 ctpId, bytes32 pendingCtpId);
    /// @notice A CTP that freezes funds may expire at most `maxCtpLifetime` from now.
    error MarketExpiryTooFar(bytes32 ctpId, uint64 expiry, uint256 maxExpiry);
    /// @notice The lifetime cap must lie between the minimum and maximum caps.
    error MarketLifetimeCapOutOfRange(uint64 lifetime, uint64 min, uint64 max);
    /// @notice The CTP's expiry has passed: it can only be released.
    error MarketExpiredCommitment(bytes32 ctpId, uint64 expiry);
    /// @notice The CTP has not expired yet: its funds stay frozen.
    error MarketCommitmentNotExpired(bytes32 ctpId, uint64 expiry);
    /// @notice The off-chain CTP's signature is malformed or not canonical (e.g. high-s).
    error MarketMalformedConsumerSignature(bytes32 ctpId);
    /// @notice The ERC's signature is malformed or not canonical (e.g. high-s).
    error MarketMalformedReceiptSignature(bytes32 digest);
    /// @notice The off-chain CTP is not signed by its consumer.
    error MarketInvalidConsumerSignature(bytes32 ctpId, address recovered, address consumer);
    /// @notice An ERC must confirm a non-zero amount of energy.
    error MarketZeroEnergy(bytes32 ctpId);
    /// @notice The ERC's price differs from the CTP's.
    error MarketPriceMismatch(bytes32 ctpId, uint128 committed, uint128 receipted);
    /// @notice The revealed terms, with the ERC's signer as the meter key, do not hash to the
    /// CTP's contract hash: wrong terms, or a receipt from a meter the CTP did not name.
    error MarketContractHashMismatch(bytes32 ctpId, bytes32 committed, bytes32 revealed);
    /// @notice The packed batch item starting at byte `position` runs past the end (`length`).
    error MarketMalformedBatch(uint256 position, uint256 length);
    /// @notice Item `index` of an all-or-nothing batch failed with `reason` (an error of this interface).
    error MarketBatchItemFailed(uint256 index, bytes reason);

    // --- certificates of existence (CoE) ------------------------------------------------
    /// @notice A meter certificate or CoE signature is malformed or not canonical (e.g. high-s).
    error CoEMalformedSignature(bytes32 digest);
    /// @notice The verifier meter's certificate is not signed by a registered manufacturer CA.
    error CoEUncertifiedVerifier(address verifier, address certifiedBy);
    /// @notice This Merkle root is already registered as a CoE.
    error CoEAlreadyRegistered(bytes32 root);
    /// @notice No CoE is registered under this root.
    error CoEUnknownRoot(bytes32 root);
    /// @notice The manufacturer that certified this CoE's verifier has been revoked.
    error CoERevokedManufacturer(bytes32 root, address manufacturer);
    /// @notice The ERC signer with this leaf index is not a leaf of the CoE tree.
    error CoELeafNotInTree(bytes32 root, uint256 leafIndex, address key);
    /// @notice The registration's possession signature is not by a leaf key of `root`.
    error CoEPossessionNotProven(bytes32 root, uint256 leafIndex, address key);
    /// @notice This leaf key already signed an ERC (or the registration of its CoE).
    error CoELeafKeyUsed(bytes32 root, uint256 leafIndex);
}
