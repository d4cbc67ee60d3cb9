// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

import {CalldataSignature} from "contracts/common/CalldataSignature.sol";
import {ErrorBytes} from "contracts/common/ErrorBytes.sol";
import {FundsLedger} from "contracts/common/FundsLedger.sol";
import {Governed} from "contracts/common/Governed.sol";
import {CoERegistry} from "contracts/spb/CoERegistry.sol";
import {EnergyAccounts} from "contracts/spb/EnergyAccounts.sol";
import {ISpbMarketActions} from "interfaces/spb/ISpbMarketActions.sol";
import {ISpbMarketState} from "interfaces/spb/ISpbMarketState.sol";
import {
    CommitToPay,
    CommitmentStatus,
    ContractTerms,
    EnergyReceipt,
    SignedSettlement
} from "interfaces/spb/SpbTypes.sol";

/// @title SPB market: Commit-To-Pay and Energy-Receipt settlement on the shared funds ledger
/// @notice Consumers deposit the payment asset (ether or the ERC-20 chosen at deploy) into
/// the shared `FundsLedger`; a CTP freezes part of it for a producer's energy account (on
/// chain, with an expiry) or is signed off chain and submitted together with the meter's
/// ERC (single-transaction atomic meta-transaction). An ERC is accepted only if SPB's five
/// checks hold; then the account's earnings are credited and its supply reduced; the owner
/// collects earnings into its ledger balance and withdraws like anyone.
/// @dev Invariants: `held == Σ funds[a].balance + Σ accounts[i].earnings`, where `held` is
/// the contract's payment-asset balance (burned ether fees leave the contract at once);
/// for every `a`, `funds[a].frozen <= funds[a].balance` and `frozen` is the sum of `a`'s
/// Pending CTP prices; a CTP id moves None→Pending→(Settled|Released) at most once and a
/// nonce commits at most one CTP; a pending CTP's ring slot is never overwritten (a commit
/// refuses a busy slot); every check runs before any effect, so a refused call or a
/// skipped batch item changes nothing. Gas: a settlement touches one slot per party
/// (consumer funds + nonce window, account supply + earnings, CoE, manufacturer, leaf bitmap).
contract SpbMarket is EnergyAccounts, CoERegistry, FundsLedger {
    bytes32 private constant CTP_TYPEHASH = keccak256(
        "CommitToPay(address consumer,uint64 accountId,uint64 expiry,uint96 price,bytes32 contractHash,uint32 nonce)"
    );
    bytes32 private constant ERC_TYPEHASH = keccak256(
        "EnergyReceipt(bytes32 ctpId,uint128 price,uint128 energyWh,bytes32 coeRoot,uint256 leafIndex,uint64 timestamp)"
    );
    bytes32 private constant STATUS_MASK = bytes32(uint256(3));
    /// @notice Every lifetime cap is at least this long; a CTP that expires within it is
    /// accepted without reading the governed cap (one storage read saved per commit).
    uint64 public constant MIN_CTP_LIFETIME_CAP = 1 hours;
    /// @notice The governed cap can never exceed this: no CTP freezes funds for longer.
    uint64 public constant MAX_CTP_LIFETIME_CAP = 365 days;

    /// @dev Longest time from now to a frozen CTP's expiry (governed, MIN..MAX above).
    uint64 private _maxCtpLifetime;

    /// @dev On-chain CTPs of a consumer, one slot per nonce-window position
    /// (`nonce % 32`): the CTP id with its status in the two low bits. A commit rewrites
    /// a slot an earlier CTP used (5,000 gas) instead of creating one (22,100).
    mapping(address consumer => bytes32[NONCE_WINDOW]) private _commitments;

    /// @param governor receives DEFAULT_ADMIN_ROLE and GOVERNOR_ROLE
    /// @param fee initial fee (wei) burned by `openAccountByBurn`
    /// @param asset the payment asset: an ERC-20 token, or `address(0)` for native ether
    constructor(address governor, uint256 fee, address asset)
        Governed(governor)
        EIP712("GridLedger SPB Market", "1")
        FundsLedger(asset)
    {
        _setAccountFee(fee);
        _setMaxCtpLifetime(7 days);
    }

    /// @inheritdoc ISpbMarketActions
    function setMaxCtpLifetime(uint64 lifetime) external onlyRole(GOVERNOR_ROLE) {
        _setMaxCtpLifetime(lifetime);
    }

    // ------------------------------------------------------------------------- funds

    /// @inheritdoc ISpbMarketActions
    function collect(uint64 accountId) external returns (uint256 amount) {
        address owner = _checkOwner(accountId);
        Account storage account = _accounts[accountId];
        amount = account.earnings;
        account.earnings = 0;
        _credit(owner, amount);
        emit EarningsCollected(accountId, owner, amount);
    }

    // ------------------------------------------------------------------- commitments

    /// @inheritdoc ISpbMarketActions
    function commit(CommitToPay calldata ctp) external returns (bytes32 ctpId) {
        ctpId = _hashCommitment(ctp);
        if (msg.sender != ctp.consumer) revert MarketNotConsumer(msg.sender, ctp.consumer);
        _freezeCommitment(ctpId, ctp);
    }

    /// @inheritdoc ISpbMarketActions
    function freezeSigned(CommitToPay calldata ctp, bytes calldata consumerSignature)
        external
        returns (bytes32 ctpId)
    {
        ctpId = _hashCommitment(ctp);
        (address signer, ECDSA.RecoverError rerr) = CalldataSignature.tryRecover(ctpId, consumerSignature);
        if (rerr != ECDSA.RecoverError.NoError) revert MarketMalformedConsumerSignature(ctpId);
        if (signer != ctp.consumer) revert MarketInvalidConsumerSignature(ctpId, signer, ctp.consumer);
        _freezeCommitment(ctpId, ctp);
    }

    /// @dev Makes `ctp` an on-chain CTP: checks price, expiry (future, within the cap),
    /// account, nonce, free funds and the ring slot, then freezes the price.
    function _freezeCommitment(bytes32 ctpId, CommitToPay calldata ctp) private {
        if (ctp.price == 0) revert MarketZeroPrice(ctpId);
        if (ctp.expiry <= block.timestamp) revert MarketExpiryInPast(ctpId, ctp.expiry, block.timestamp);
        if (ctp.expiry > block.timestamp + MIN_CTP_LIFETIME_CAP) {
            uint256 maxExpiry = block.timestamp + _maxCtpLifetime;
            if (ctp.expiry > maxExpiry) revert MarketExpiryTooFar(ctpId, ctp.expiry, maxExpiry);
        }
        if (_owners[ctp.accountId] == address(0)) revert AccountUnknown(ctp.accountId);
        Funds memory f = _loadFunds(ctp.consumer);
        bytes memory err = _useNonce(f, ctp.consumer, ctp.nonce);
        if (err.length != 0) ErrorBytes.revertWith(err);
        uint256 free = f.balance - f.frozen;
        if (ctp.price > free) revert FundsInsufficient(ctp.consumer, free, ctp.price);
        bytes32[NONCE_WINDOW] storage ring = _commitments[ctp.consumer];
        bytes32 previous = ring[ctp.nonce % NONCE_WINDOW];
        if (_statusBits(previous) == CommitmentStatus.Pending) {
            revert MarketCommitmentSlotBusy(ctpId, previous & ~STATUS_MASK);
        }
        f.frozen += ctp.price;
        _storeFunds(ctp.consumer, f);
        ring[ctp.nonce % NONCE_WINDOW] = _tagged(ctpId, CommitmentStatus.Pending);
        emit Committed(ctpId, ctp.consumer, ctp.accountId, ctp.price, ctp.expiry, ctp.contractHash, ctp.nonce);
    }

    /// @inheritdoc ISpbMarketActions
    function release(CommitToPay calldata ctp) external {
        bytes32 ctpId = _hashCommitment(ctp);
        CommitmentStatus status = _statusOf(ctp, ctpId);
        if (status != CommitmentStatus.Pending) revert MarketCommitmentNotPending(ctpId, status);
        if (block.timestamp <= ctp.expiry) revert MarketCommitmentNotExpired(ctpId, ctp.expiry);
        _commitments[ctp.consumer][ctp.nonce % NONCE_WINDOW] = _tagged(ctpId, CommitmentStatus.Released);
        _unfreeze(ctp.consumer, ctp.price);
        emit Released(ctpId, ctp.consumer, ctp.price);
    }

    // -------------------------------------------------------------------- settlement

    /// @inheritdoc ISpbMarketActions
    function settle(CommitToPay calldata ctp, ContractTerms calldata terms, EnergyReceipt calldata erc) external {
        bytes32 ctpId = _hashCommitment(ctp);
        CommitmentStatus status = _statusOf(ctp, ctpId);
        if (status != CommitmentStatus.Pending) revert MarketCommitmentNotPending(ctpId, status);
        (bytes memory err, Account memory account) = _checkReceipt(ctpId, ctp, terms, erc);
        if (err.length != 0) ErrorBytes.revertWith(err);
        _commitments[ctp.consumer][ctp.nonce % NONCE_WINDOW] = _tagged(ctpId, CommitmentStatus.Settled);
        _debitFrozen(ctp.consumer, ctp.price);
        _pay(ctpId, ctp, erc, account, false);
    }

    /// @inheritdoc ISpbMarketActions
    function settleSigned(
        CommitToPay calldata ctp,
        bytes calldata consumerSignature,
        ContractTerms calldata terms,
        EnergyReceipt calldata erc
    ) external {
        bytes32 ctpId = _hashCommitment(ctp);
        bytes memory err = _settleSigned(ctpId, ctp, consumerSignature, terms, erc);
        if (err.length != 0) ErrorBytes.revertWith(err);
    }

    /// @inheritdoc ISpbMarketActions
    function settleBatch(SignedSettlement[] calldata items, bool atomic) external returns (uint256 settled) {
        for (uint256 i = 0; i < items.length; ++i) {
            SignedSettlement calldata item = items[i];
            bytes32 ctpId = _hashCommitment(item.ctp);
            bytes memory err = _settleSigned(ctpId, item.ctp, item.consumerSignature, item.terms, item.erc);
            if (err.length == 0) {
                ++settled;
            } else if (atomic) {
                revert MarketBatchItemFailed(i, err);
            } else {
                emit SettlementSkipped(ctpId, i, err);
            }
        }
    }

    // ------------------------------------------------------------------------- views

    /// @inheritdoc ISpbMarketState
    function commitmentStatus(CommitToPay calldata ctp) external view returns (CommitmentStatus) {
        return _statusOf(ctp, _hashCommitment(ctp));
    }

    /// @inheritdoc ISpbMarketState
    function hashCommitment(CommitToPay calldata ctp) external view returns (bytes32) {
        return _hashCommitment(ctp);
    }

    /// @inheritdoc ISpbMarketState
    function hashReceipt(bytes32 ctpId, EnergyReceipt calldata erc) external view returns (bytes32) {
        return _hashReceipt(ctpId, erc);
    }

    /// @inheritdoc ISpbMarketState
    function contractHashOf(uint128 energyWh, ContractTerms calldata terms, address meterKey)
        external
        pure
        returns (bytes32)
    {
        return _contractHash(energyWh, terms, meterKey);
    }

    /// @inheritdoc ISpbMarketState
    function maxCtpLifetime() external view returns (uint64) {
        return _maxCtpLifetime;
    }

    // ---------------------------------------------------------------------- internal

    /// @dev Signed-CTP settlement: all checks first, then effects; returns the encoded
    /// error instead of reverting so that batches can skip a bad item cleanly.
    function _settleSigned(
        bytes32 ctpId,
        CommitToPay calldata ctp,
        bytes calldata consumerSignature,
        ContractTerms calldata terms,
        EnergyReceipt calldata erc
    ) private returns (bytes memory err) {
        Funds memory f;
        (err, f) = _checkSignedCommitment(ctpId, ctp, consumerSignature);
        if (err.length != 0) return err;
        Account memory account;
        (err, account) = _checkReceipt(ctpId, ctp, terms, erc);
        if (err.length != 0) return err;
        f.balance -= ctp.price;
        _storeFunds(ctp.consumer, f); // balance and nonce window in one write
        _pay(ctpId, ctp, erc, account, true);
        return "";
    }

    /// @dev A signed CTP is valid if signed by its consumer, non-zero, its nonce unspent
    /// and its price within the consumer's free balance. Returns the consumer's funds with
    /// the nonce already marked (to be written only if the whole settlement passes).
    function _checkSignedCommitment(bytes32 ctpId, CommitToPay calldata ctp, bytes calldata consumerSignature)
        private
        view
        returns (bytes memory err, Funds memory f)
    {
        (address signer, ECDSA.RecoverError rerr) = CalldataSignature.tryRecover(ctpId, consumerSignature);
        if (rerr != ECDSA.RecoverError.NoError) {
            return (abi.encodeWithSelector(MarketMalformedConsumerSignature.selector, ctpId), f);
        }
        if (signer != ctp.consumer) {
            return (abi.encodeWithSelector(MarketInvalidConsumerSignature.selector, ctpId, signer, ctp.consumer), f);
        }
        if (ctp.price == 0) return (abi.encodeWithSelector(MarketZeroPrice.selector, ctpId), f);
        f = _loadFunds(ctp.consumer);
        err = _useNonce(f, ctp.consumer, ctp.nonce);
        if (err.length != 0) return (err, f);
        uint256 free = f.balance - f.frozen;
        if (ctp.price > free) {
            return (abi.encodeWithSelector(FundsInsufficient.selector, ctp.consumer, free, ctp.price), f);
        }
    }

    /// @dev SPB's ERC checks (a: expiry; b: price; c, d: CoE and leaf; e: leaf-key
    /// signature) plus the contract hash and the account's supply. No side effects;
    /// returns the account to update.
    function _checkReceipt(
        bytes32 ctpId,
        CommitToPay calldata ctp,
        ContractTerms calldata terms,
        EnergyReceipt calldata erc
    ) private view returns (bytes memory err, Account memory account) {
        if (block.timestamp > ctp.expiry) {
            return (abi.encodeWithSelector(MarketExpiredCommitment.selector, ctpId, ctp.expiry), account);
        }
        if (erc.price != ctp.price) {
            return (abi.encodeWithSelector(MarketPriceMismatch.selector, ctpId, ctp.price, erc.price), account);
        }
        if (erc.energyWh == 0) return (abi.encodeWithSelector(MarketZeroEnergy.selector, ctpId), account);
        bytes32 digest = _hashReceipt(ctpId, erc);
        (address key, ECDSA.RecoverError rerr) = CalldataSignature.tryRecover(digest, erc.signature);
        if (rerr != ECDSA.RecoverError.NoError) {
            return (abi.encodeWithSelector(MarketMalformedReceiptSignature.selector, digest), account);
        }
        // The contract hash commits to the consumer meter's one-time key: a receipt signed
        // by any other meter (the producer's own, a stranger's, another member of a group
        // CoE) reveals a different hash.
        bytes32 revealed = _contractHash(erc.energyWh, terms, key);
        if (revealed != ctp.contractHash) {
            return (
                abi.encodeWithSelector(MarketContractHashMismatch.selector, ctpId, ctp.contractHash, revealed), account
            );
        }
        err = _checkLeaf(erc.coeRoot, erc.leafIndex, key, erc.proof);
        if (err.length != 0) return (err, account);
        // An account with supply exists: only its owner can have supplied it.
        account = _accounts[ctp.accountId];
        if (erc.energyWh > account.supplyWh) {
            return (
                abi.encodeWithSelector(
                    AccountInsufficientSupply.selector, ctp.accountId, account.supplyWh, erc.energyWh
                ),
                account
            );
        }
    }

    /// @dev Effects shared by both forms once every check passed.
    function _pay(bytes32 ctpId, CommitToPay calldata ctp, EnergyReceipt calldata erc, Account memory account, bool signed)
        private
    {
        account.supplyWh -= uint96(erc.energyWh);
        account.earnings += ctp.price;
        _accounts[ctp.accountId] = account;
        _useLeaf(erc.coeRoot, erc.leafIndex);
        emit Settled(ctpId, ctp.accountId, erc.coeRoot, ctp.consumer, ctp.price, erc.energyWh, erc.leafIndex, signed);
    }

    /// @dev Status of an on-chain CTP: its ring slot must hold its own id (254 bits of it).
    function _statusOf(CommitToPay calldata ctp, bytes32 ctpId) private view returns (CommitmentStatus) {
        bytes32 stored = _commitments[ctp.consumer][ctp.nonce % NONCE_WINDOW];
        if (stored & ~STATUS_MASK != ctpId & ~STATUS_MASK) return CommitmentStatus.None;
        return _statusBits(stored);
    }

    function _statusBits(bytes32 stored) private pure returns (CommitmentStatus) {
        return CommitmentStatus(uint256(stored & STATUS_MASK));
    }

    function _tagged(bytes32 ctpId, CommitmentStatus status) private pure returns (bytes32) {
        return (ctpId & ~STATUS_MASK) | bytes32(uint256(status));
    }

    function _hashCommitment(CommitToPay calldata ctp) private view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    CTP_TYPEHASH, ctp.consumer, ctp.accountId, ctp.expiry, ctp.price, ctp.contractHash, ctp.nonce
                )
            )
        );
    }

    function _hashReceipt(bytes32 ctpId, EnergyReceipt calldata erc) private view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(ERC_TYPEHASH, ctpId, erc.price, erc.energyWh, erc.coeRoot, erc.leafIndex, erc.timestamp)
            )
        );
    }

    function _contractHash(uint128 energyWh, ContractTerms calldata terms, address meterKey)
        private
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(energyWh, terms.rate, terms.salt, meterKey));
    }

    function _setMaxCtpLifetime(uint64 lifetime) private {
        if (lifetime < MIN_CTP_LIFETIME_CAP || lifetime > MAX_CTP_LIFETIME_CAP) {
            revert MarketLifetimeCapOutOfRange(lifetime, MIN_CTP_LIFETIME_CAP, MAX_CTP_LIFETIME_CAP);
        }
        _maxCtpLifetime = lifetime;
        emit MaxCtpLifetimeSet(lifetime);
    }
}
