// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

import {CalldataSignature} from "contracts/common/CalldataSignature.sol";
import {SpbBase} from "contracts/spb/SpbBase.sol";
import {ISpbMarketActions} from "interfaces/spb/ISpbMarketActions.sol";
import {ISpbMarketState} from "interfaces/spb/ISpbMarketState.sol";

/// @title Energy accounts of the SPB market
/// @notice Producers' pseudonymous energy accounts, opened by a distributor certificate or
/// by burning a fee, and their supply of energy for sale, chained entry to entry (P_T_ID).
/// @dev Invariant: an account's `supplyWh` equals the sum of its supplied amounts minus
/// the energy of its settlements, and never goes below zero; its `earnings` equal the
/// prices of its settlements minus what its owner collected; every account has a
/// non-zero owner; each distributor certificate opened at most one account.
abstract contract EnergyAccounts is SpbBase {
    bytes32 private constant ACCOUNT_CERTIFICATE_TYPEHASH =
        keccak256("AccountCertificate(address owner,bytes32 certificateId)");

    /// @dev One slot, the only account storage a settlement touches: energy for sale and
    /// uncollected earnings (wei). The owner lives in `_owners`.
    struct Account {
        uint96 supplyWh;
        uint160 earnings;
    }

    mapping(uint64 accountId => Account) internal _accounts;
    mapping(uint64 accountId => address) internal _owners;
    mapping(uint64 accountId => bytes32) private _lastSupplyId;
    mapping(address distributor => bool) private _distributors;
    mapping(bytes32 certificateDigest => bool) private _usedCertificates;
    uint64 private _accountCount;
    uint256 private _accountFee;

    /// @inheritdoc ISpbMarketActions
    function setDistributor(address distributor, bool authorized) external onlyRole(GOVERNOR_ROLE) {
        _distributors[distributor] = authorized;
        emit DistributorSet(distributor, authorized);
    }

    /// @inheritdoc ISpbMarketActions
    function setAccountFee(uint256 fee) external onlyRole(GOVERNOR_ROLE) {
        _setAccountFee(fee);
    }

    /// @inheritdoc ISpbMarketActions
    function openAccountWithCertificate(bytes32 certificateId, bytes calldata signature)
        external
        returns (uint64 accountId)
    {
        bytes32 digest = _hashTypedDataV4(keccak256(abi.encode(ACCOUNT_CERTIFICATE_TYPEHASH, msg.sender, certificateId)));
        (address signer, ECDSA.RecoverError rerr) = CalldataSignature.tryRecover(digest, signature);
        if (rerr != ECDSA.RecoverError.NoError) revert AccountMalformedSignature(digest);
        if (!_distributors[signer]) revert AccountUnknownDistributor(signer);
        if (_usedCertificates[digest]) revert AccountCertificateUsed(certificateId);
        _usedCertificates[digest] = true;
        accountId = _newAccount(msg.sender);
        emit AccountOpened(accountId, msg.sender, signer, certificateId, 0);
    }

    /// @inheritdoc ISpbMarketActions
    function openAccountByBurn() external payable returns (uint64 accountId) {
        uint256 fee = _accountFee;
        if (msg.value != fee) revert AccountWrongFee(msg.value, fee);
        accountId = _newAccount(msg.sender);
        emit AccountOpened(accountId, msg.sender, address(0), bytes32(0), fee);
        if (fee != 0) {
            // Burn: ether sent to the zero address can never be spent again.
            (bool ok,) = payable(address(0)).call{value: fee}("");
            if (!ok) revert AccountFeeBurnFailed(fee);
        }
    }

    /// @inheritdoc ISpbMarketActions
    function supplyEnergy(uint64 accountId, uint96 amountWh, uint128 price, bool negotiable)
        external
        returns (bytes32 supplyId)
    {
        _checkOwner(accountId);
        if (amountWh == 0) revert AccountZeroSupply(accountId);
        Account storage account = _accounts[accountId];
        uint256 total = uint256(account.supplyWh) + amountWh;
        if (total > type(uint96).max) revert AccountSupplyOverflow(accountId, account.supplyWh, amountWh);
        bytes32 previous = _lastSupplyId[accountId];
        supplyId = keccak256(abi.encode(block.chainid, address(this), accountId, previous, amountWh, price, negotiable));
        account.supplyWh = uint96(total);
        _lastSupplyId[accountId] = supplyId;
        emit EnergySupplied(accountId, supplyId, previous, amountWh, price, negotiable, uint96(total));
    }

    /// @inheritdoc ISpbMarketState
    function accountFee() external view returns (uint256) {
        return _accountFee;
    }

    /// @inheritdoc ISpbMarketState
    function accountCount() external view returns (uint64) {
        return _accountCount;
    }

    /// @inheritdoc ISpbMarketState
    function isDistributor(address distributor) external view returns (bool) {
        return _distributors[distributor];
    }

    /// @inheritdoc ISpbMarketState
    function accountOf(uint64 accountId)
        external
        view
        returns (address owner, uint96 supplyWh, uint160 earnings, bytes32 lastSupplyId)
    {
        Account storage account = _accounts[accountId];
        return (_owners[accountId], account.supplyWh, account.earnings, _lastSupplyId[accountId]);
    }

    /// @dev The account's slot in one SLOAD (the compiler would read it once per field).
    function _loadAccount(uint64 accountId) internal view returns (Account memory account) {
        Account storage slot = _accounts[accountId];
        uint256 word;
        assembly ("memory-safe") {
            word := sload(slot.slot)
        }
        account.supplyWh = uint96(word);
        account.earnings = uint160(word >> 96);
    }

    /// @dev Writes the account's slot in one SSTORE.
    function _storeAccount(uint64 accountId, Account memory account) internal {
        Account storage slot = _accounts[accountId];
        uint256 word = uint256(account.supplyWh) | (uint256(account.earnings) << 96);
        assembly ("memory-safe") {
            sstore(slot.slot, word)
        }
    }

    /// @dev Reverts unless the account exists and the caller owns it.
    function _checkOwner(uint64 accountId) internal view returns (address owner) {
        owner = _owners[accountId];
        if (owner == address(0)) revert AccountUnknown(accountId);
        if (owner != msg.sender) revert AccountNotOwner(accountId, msg.sender);
    }

    function _setAccountFee(uint256 fee) internal {
        _accountFee = fee;
        emit AccountFeeSet(fee);
    }

    function _newAccount(address owner) private returns (uint64 accountId) {
        accountId = ++_accountCount;
        _owners[accountId] = owner;
    }
}
