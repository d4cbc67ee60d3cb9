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

    /// @dev Fixed part of one item of a packed batch, in bytes: consumer 20, accountId 8,
    /// expiry 8, price 12, contractHash 32, nonce 4, consumer signature 65, rate 32, salt 32,
    /// energyWh 16, ERC timestamp 8, CoE root 32, leaf index 8, proof length 1, ERC
    /// signature 65; the proof's 32-byte hashes come between proof length and ERC signature.
    uint256 private constant PACKED_FIXED = 343;

    /// @dev Everything a settlement checks, decoded once from either calldata form (ABI
    /// structs or a packed batch item): the CTP, the revealed terms and the ERC's fields.
    /// The signatures and the proof stay in calldata.
    struct Trade {
        address consumer;
        uint64 accountId;
        uint64 expiry;
        uint96 price;
        bytes32 contractHash;
        uint32 nonce;
        uint256 rate;
        bytes32 salt;
        uint128 ercPrice;
        uint128 energyWh;
        uint64 timestamp;
        bytes32 coeRoot;
        uint256 leafIndex;
        uint256 leafWord; // the leaf's bitmap word, as the receipt check read it
    }

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
        Trade memory t = _tradeOf(ctp, terms, erc);
        (bytes memory err, Account memory account) = _checkReceipt(ctpId, t, erc.proof, erc.signature);
        if (err.length != 0) ErrorBytes.revertWith(err);
        _commitments[ctp.consumer][ctp.nonce % NONCE_WINDOW] = _tagged(ctpId, CommitmentStatus.Settled);
        _debitFrozen(ctp.consumer, ctp.price);
        _pay(ctpId, t, account, false);
    }

    /// @inheritdoc ISpbMarketActions
    function settleSigned(
        CommitToPay calldata ctp,
        bytes calldata consumerSignature,
        ContractTerms calldata terms,
        EnergyReceipt calldata erc
    ) external {
        bytes32 ctpId = _hashCommitment(ctp);
        Trade memory t = _tradeOf(ctp, terms, erc);
        bytes memory err = _settleSigned(ctpId, t, consumerSignature, erc.proof, erc.signature);
        if (err.length != 0) ErrorBytes.revertWith(err);
    }

    /// @inheritdoc ISpbMarketActions
    function settleBatch(SignedSettlement[] calldata items, bool atomic) external returns (uint256 settled) {
        for (uint256 i = 0; i < items.length; ++i) {
            SignedSettlement calldata item = items[i];
            bytes32 ctpId = _hashCommitment(item.ctp);
            Trade memory t = _tradeOf(item.ctp, item.terms, item.erc);
            bytes memory err = _settleSigned(ctpId, t, item.consumerSignature, item.erc.proof, item.erc.signature);
            if (err.length == 0) {
                ++settled;
            } else if (atomic) {
                revert MarketBatchItemFailed(i, err);
            } else {
                emit SettlementSkipped(ctpId, i, err);
            }
        }
    }

    /// @inheritdoc ISpbMarketActions
    function settleBatchPacked(bytes calldata packed, bool atomic) external returns (uint256 settled) {
        uint256 pos;
        uint256 freeMemory;
        assembly ("memory-safe") {
            freeMemory := mload(0x40)
        }
        for (uint256 i = 0; pos < packed.length; ++i) {
            // Nothing an item allocates outlives it: reuse the same memory for every item
            // instead of growing it (memory expansion costs grow with its square).
            assembly ("memory-safe") {
                mstore(0x40, freeMemory)
            }
            (Trade memory t, bytes calldata consumerSig, bytes32[] calldata proof, bytes calldata ercSig, uint256 next) =
                _decodePacked(packed, pos);
            bytes32 ctpId = _hashTrade(t);
            bytes memory err = _settleSigned(ctpId, t, consumerSig, proof, ercSig);
            if (err.length == 0) {
                ++settled;
            } else if (atomic) {
                revert MarketBatchItemFailed(i, err);
            } else {
                emit SettlementSkipped(ctpId, i, err);
            }
            pos = next;
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
        Trade memory t;
        (t.ercPrice, t.energyWh, t.coeRoot, t.leafIndex, t.timestamp) =
            (erc.price, erc.energyWh, erc.coeRoot, erc.leafIndex, erc.timestamp);
        return _hashReceipt(ctpId, t);
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
        Trade memory t,
        bytes calldata consumerSignature,
        bytes32[] calldata proof,
        bytes calldata ercSignature
    ) private returns (bytes memory err) {
        Funds memory f;
        (err, f) = _checkSignedCommitment(ctpId, t, consumerSignature);
        if (err.length != 0) return err;
        Account memory account;
        (err, account) = _checkReceipt(ctpId, t, proof, ercSignature);
        if (err.length != 0) return err;
        f.balance -= t.price;
        _storeFunds(t.consumer, f); // balance and nonce window in one write
        _pay(ctpId, t, account, true);
        return "";
    }

    /// @dev A signed CTP is valid if signed by its consumer, non-zero, its nonce unspent
    /// and its price within the consumer's free balance. Returns the consumer's funds with
    /// the nonce already marked (to be written only if the whole settlement passes).
    function _checkSignedCommitment(bytes32 ctpId, Trade memory t, bytes calldata consumerSignature)
        private
        view
        returns (bytes memory err, Funds memory f)
    {
        (address signer, ECDSA.RecoverError rerr) = CalldataSignature.tryRecover(ctpId, consumerSignature);
        if (rerr != ECDSA.RecoverError.NoError) {
            return (abi.encodeWithSelector(MarketMalformedConsumerSignature.selector, ctpId), f);
        }
        if (signer != t.consumer) {
            return (abi.encodeWithSelector(MarketInvalidConsumerSignature.selector, ctpId, signer, t.consumer), f);
        }
        if (t.price == 0) return (abi.encodeWithSelector(MarketZeroPrice.selector, ctpId), f);
        f = _loadFunds(t.consumer);
        err = _useNonce(f, t.consumer, t.nonce);
        if (err.length != 0) return (err, f);
        uint256 free = f.balance - f.frozen;
        if (t.price > free) {
            return (abi.encodeWithSelector(FundsInsufficient.selector, t.consumer, free, t.price), f);
        }
    }

    /// @dev SPB's ERC checks (a: expiry; b: price; c, d: CoE and leaf; e: leaf-key
    /// signature) plus the contract hash, which binds the ERC's signer to the CTP, and the
    /// account's supply. No side effects; returns the account to update.
    function _checkReceipt(bytes32 ctpId, Trade memory t, bytes32[] calldata proof, bytes calldata ercSignature)
        private
        view
        returns (bytes memory err, Account memory account)
    {
        if (block.timestamp > t.expiry) {
            return (abi.encodeWithSelector(MarketExpiredCommitment.selector, ctpId, t.expiry), account);
        }
        if (t.ercPrice != t.price) {
            return (abi.encodeWithSelector(MarketPriceMismatch.selector, ctpId, t.price, t.ercPrice), account);
        }
        if (t.energyWh == 0) return (abi.encodeWithSelector(MarketZeroEnergy.selector, ctpId), account);
        bytes32 digest = _hashReceipt(ctpId, t);
        (address key, ECDSA.RecoverError rerr) = CalldataSignature.tryRecover(digest, ercSignature);
        if (rerr != ECDSA.RecoverError.NoError) {
            return (abi.encodeWithSelector(MarketMalformedReceiptSignature.selector, digest), account);
        }
        // The contract hash commits to the consumer meter's one-time key: a receipt signed
        // by any other meter (the producer's own, a stranger's, another member of a group
        // CoE) reveals a different hash.
        bytes32 revealed = keccak256(abi.encode(t.energyWh, t.rate, t.salt, key));
        if (revealed != t.contractHash) {
            return (
                abi.encodeWithSelector(MarketContractHashMismatch.selector, ctpId, t.contractHash, revealed), account
            );
        }
        (err, t.leafWord) = _checkLeaf(t.coeRoot, t.leafIndex, key, proof);
        if (err.length != 0) return (err, account);
        // An account with supply exists: only its owner can have supplied it.
        account = _loadAccount(t.accountId);
        if (t.energyWh > account.supplyWh) {
            return (
                abi.encodeWithSelector(AccountInsufficientSupply.selector, t.accountId, account.supplyWh, t.energyWh),
                account
            );
        }
    }

    /// @dev Effects shared by both forms once every check passed.
    function _pay(bytes32 ctpId, Trade memory t, Account memory account, bool signed) private {
        account.supplyWh -= uint96(t.energyWh);
        account.earnings += t.price;
        _storeAccount(t.accountId, account);
        _useLeaf(t.coeRoot, t.leafIndex, t.leafWord);
        emit Settled(ctpId, t.accountId, t.coeRoot, t.consumer, t.price, t.energyWh, t.leafIndex, signed);
    }

    /// @dev The ABI form of a settlement as one `Trade`.
    function _tradeOf(CommitToPay calldata ctp, ContractTerms calldata terms, EnergyReceipt calldata erc)
        private
        pure
        returns (Trade memory)
    {
        return Trade({
            consumer: ctp.consumer,
            accountId: ctp.accountId,
            expiry: ctp.expiry,
            price: ctp.price,
            contractHash: ctp.contractHash,
            nonce: ctp.nonce,
            rate: terms.rate,
            salt: terms.salt,
            ercPrice: erc.price,
            energyWh: erc.energyWh,
            timestamp: erc.timestamp,
            coeRoot: erc.coeRoot,
            leafIndex: erc.leafIndex,
            leafWord: 0
        });
    }

    /// @dev Item of a packed batch at byte `pos` (layout: `PACKED_FIXED`). The ERC's price is
    /// not sent: it is the CTP's. Reverts with `MarketMalformedBatch` if the item runs past
    /// the end. Returns the trade, calldata slices of the signatures and the proof, and the
    /// position of the next item.
    function _decodePacked(bytes calldata packed, uint256 pos)
        private
        pure
        returns (
            Trade memory t,
            bytes calldata consumerSig,
            bytes32[] calldata proof,
            bytes calldata ercSig,
            uint256 next
        )
    {
        uint256 depth;
        assembly ("memory-safe") {
            let p := add(packed.offset, pos)
            depth := byte(0, calldataload(add(p, 277)))
            mstore(t, shr(96, calldataload(p))) // consumer
            mstore(add(t, 0x20), shr(192, calldataload(add(p, 20)))) // accountId
            mstore(add(t, 0x40), shr(192, calldataload(add(p, 28)))) // expiry
            let price := shr(160, calldataload(add(p, 36)))
            mstore(add(t, 0x60), price)
            mstore(add(t, 0x80), calldataload(add(p, 48))) // contractHash
            mstore(add(t, 0xa0), shr(224, calldataload(add(p, 80)))) // nonce
            consumerSig.offset := add(p, 84)
            consumerSig.length := 65
            mstore(add(t, 0xc0), calldataload(add(p, 149))) // rate
            mstore(add(t, 0xe0), calldataload(add(p, 181))) // salt
            mstore(add(t, 0x100), price) // ERC price
            mstore(add(t, 0x120), shr(128, calldataload(add(p, 213)))) // energyWh
            mstore(add(t, 0x140), shr(192, calldataload(add(p, 229)))) // ERC timestamp
            mstore(add(t, 0x160), calldataload(add(p, 237))) // CoE root
            mstore(add(t, 0x180), shr(192, calldataload(add(p, 269)))) // leaf index
            proof.offset := add(p, 278)
            proof.length := depth
            ercSig.offset := add(add(p, 278), shl(5, depth))
            ercSig.length := 65
        }
        next = pos + PACKED_FIXED + 32 * depth;
        if (next > packed.length) revert MarketMalformedBatch(pos, packed.length);
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

    function _hashTrade(Trade memory t) private view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(abi.encode(CTP_TYPEHASH, t.consumer, t.accountId, t.expiry, t.price, t.contractHash, t.nonce))
        );
    }

    function _hashReceipt(bytes32 ctpId, Trade memory t) private view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(abi.encode(ERC_TYPEHASH, ctpId, t.ercPrice, t.energyWh, t.coeRoot, t.leafIndex, t.timestamp))
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
