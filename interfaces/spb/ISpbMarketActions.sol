// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {
    CoEPossession, CommitToPay, ContractTerms, EnergyReceipt, SignedSettlement
} from "interfaces/spb/SpbTypes.sol";

/// @title State-changing functions of the SPB market
interface ISpbMarketActions {
    // --- governance --------------------------------------------------------------------
    /// @notice Authorise or revoke a distributor that certifies new energy accounts.
    /// @dev Only GOVERNOR_ROLE.
    function setDistributor(address distributor, bool authorized) external;

    /// @notice Register or revoke a manufacturer CA that certifies meters' M-keys.
    /// Revoking a CA invalidates every CoE whose verifier it certified.
    /// @dev Only GOVERNOR_ROLE.
    function setManufacturer(address manufacturer, bool authorized) external;

    /// @notice Set the fee burned by `openAccountByBurn`.
    /// @dev Only GOVERNOR_ROLE.
    function setAccountFee(uint256 fee) external;

    /// @notice Set the longest time from now to the expiry of a CTP that freezes funds
    /// (default 7 days), between `MIN_CTP_LIFETIME_CAP` (1 hour) and `MAX_CTP_LIFETIME_CAP`
    /// (365 days). Frozen funds always come back at expiry, so this bounds how long any CTP
    /// can hold them, even one whose CoE's manufacturer is revoked.
    /// @dev Only GOVERNOR_ROLE.
    function setMaxCtpLifetime(uint64 lifetime) external;

    // --- energy accounts ---------------------------------------------------------------
    /// @notice Open an energy account owned by the caller with a distributor's
    /// certificate: an EIP-712 `AccountCertificate(address owner,bytes32 certificateId)`
    /// signed by a registered distributor. Each certificate opens one account.
    /// @return accountId the new account's id
    function openAccountWithCertificate(bytes32 certificateId, bytes calldata signature)
        external
        returns (uint64 accountId);

    /// @notice Open an energy account owned by the caller by burning exactly the account fee.
    /// @return accountId the new account's id
    function openAccountByBurn() external payable returns (uint64 accountId);

    /// @notice Add `amountWh` of energy for sale to an account the caller owns.
    /// The entry is chained to the account's previous entry (P_T_ID).
    /// @return supplyId the id (T_ID) of this supply entry
    function supplyEnergy(uint64 accountId, uint96 amountWh, uint128 price, bool negotiable)
        external
        returns (bytes32 supplyId);

    // --- earnings ----------------------------------------------------------------------
    /// @notice Move an account's earnings (settled CTPs) to its owner's ledger balance.
    /// Only the account's owner.
    /// @return amount the amount moved (payment-asset units)
    function collect(uint64 accountId) external returns (uint256 amount);

    // --- CTP / ERC -----------------------------------------------------------------------
    /// @notice Make an on-chain CTP: freeze `ctp.price` of the caller's free balance for
    /// account `ctp.accountId` until settled or `ctp.expiry`. The caller must be `ctp.consumer`.
    /// @return ctpId the CTP's id (its EIP-712 digest)
    function commit(CommitToPay calldata ctp) external returns (bytes32 ctpId);

    /// @notice Freeze a CTP the consumer signed off chain (EIP-712), exactly as if the
    /// consumer had committed it: anyone may call, typically the producer before it delivers,
    /// so that the consumer can no longer withdraw, spend the nonce or slide its window away
    /// from under a delivery. Then settle it with `settle`.
    /// @return ctpId the CTP's id (its EIP-712 digest)
    function freezeSigned(CommitToPay calldata ctp, bytes calldata consumerSignature) external returns (bytes32 ctpId);

    /// @notice After its expiry, release a pending CTP's frozen funds back to the consumer.
    /// Anyone may call.
    function release(CommitToPay calldata ctp) external;

    /// @notice Settle a pending on-chain CTP with the consumer meter's ERC: checks SPB's
    /// (a) pending and not expired, (b) price, (c) registered CoE of a certified verifier,
    /// (d) leaf proof, (e) leaf-key signature, plus the revealed terms against the
    /// contract hash; then credits the account's earnings and reduces its supply.
    function settle(CommitToPay calldata ctp, ContractTerms calldata terms, EnergyReceipt calldata erc) external;

    /// @notice Single-transaction atomic form: settle a CTP that the consumer signed off
    /// chain (EIP-712) together with its ERC. Neither part is on chain before both exist.
    function settleSigned(
        CommitToPay calldata ctp,
        bytes calldata consumerSignature,
        ContractTerms calldata terms,
        EnergyReceipt calldata erc
    ) external;

    /// @notice Settle many signed CTPs with their ERCs. With `atomic` the whole batch
    /// reverts with `MarketBatchItemFailed(index, reason)` at the first bad item;
    /// without it, bad items are skipped with `SettlementSkipped` and change nothing.
    /// @return settled the number of items settled
    function settleBatch(SignedSettlement[] calldata items, bool atomic) external returns (uint256 settled);

    /// @notice `settleBatch` with the items packed tightly instead of ABI-encoded (about a
    /// third less calldata and no nested-struct decoding). Item layout, big-endian, no
    /// padding: consumer (20 bytes), accountId (8), expiry (8), price (12), contractHash
    /// (32), nonce (4), consumer signature (65), rate (32), salt (32), energyWh (16), ERC
    /// timestamp (8), CoE root (32), leaf index (8), proof length n (1), proof (32 × n),
    /// ERC signature (65). The ERC's price is the CTP's. Same checks, events and errors as
    /// `settleBatch`; an item running past the end reverts with `MarketMalformedBatch`.
    /// @return settled the number of items settled
    function settleBatchPacked(bytes calldata packed, bool atomic) external returns (uint256 settled);

    /// @notice Register a Certificate of Existence: `root` signed by a verifier meter
    /// (`coeSignature`, personal-sign over `keccak256(abi.encode(COE_TAG, root))`) whose
    /// M-key certificate (`verifierCertificate`, personal-sign over
    /// `keccak256(abi.encode(METER_CERT_TAG, verifier))`) is by a registered manufacturer CA,
    /// with `possession`: a leaf key of the tree signs `(root, verifier)`, so that only the
    /// pool's owner can register its root (no front-running squatter). Anyone may submit.
    function registerCoE(
        bytes32 root,
        bytes calldata verifierCertificate,
        bytes calldata coeSignature,
        CoEPossession calldata possession
    ) external;
}
