// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

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

/// @title SPB market: funds, Commit-To-Pay and Energy-Receipt settlement
/// @notice Consumers deposit ether; a CTP freezes part of it for a producer's energy
/// account (on chain, with an expiry) or is signed off chain and submitted together with
/// the meter's ERC (single-transaction atomic meta-transaction). An ERC is accepted only
/// if SPB's five checks hold; then the producer's balance is credited (pull payment) and
/// the account's supply reduced. Producers withdraw like consumers.
/// @dev Invariants: `address(this).balance == Σ funds[a].balance` (burned fees leave the
/// contract); for every `a`, `funds[a].frozen <= funds[a].balance` and `frozen` is the sum
/// of `a`'s Pending CTP prices; a CTP id moves None→Pending→(Settled|Released) at most
/// once and a nonce commits at most one CTP; every check runs before any effect, so a
/// refused call or skipped batch item changes nothing.
contract SpbMarket is EnergyAccounts, CoERegistry, ReentrancyGuard {
    bytes32 private constant CTP_TYPEHASH = keccak256(
        "CommitToPay(address consumer,uint64 accountId,uint64 expiry,uint128 price,bytes32 contractHash,uint256 nonce)"
    );
    bytes32 private constant ERC_TYPEHASH = keccak256(
        "EnergyReceipt(bytes32 ctpId,uint128 price,uint128 energyWh,bytes32 coeRoot,uint256 leafIndex,uint64 timestamp)"
    );

    /// @dev One slot per owner: balance (frozen included) and frozen part.
    struct Funds {
        uint128 balance;
        uint128 frozen;
    }

    mapping(address owner => Funds) private _funds;
    mapping(bytes32 ctpId => CommitmentStatus) private _commitments;
    mapping(address consumer => mapping(uint256 word => uint256 bits)) private _nonces;

    /// @param governor receives DEFAULT_ADMIN_ROLE and GOVERNOR_ROLE
    /// @param fee initial fee (wei) burned by `openAccountByBurn`
    constructor(address governor, uint256 fee) EIP712("GridLedger SPB Market", "1") {
        _grantRole(DEFAULT_ADMIN_ROLE, governor);
        _grantRole(GOVERNOR_ROLE, governor);
        _setAccountFee(fee);
    }

    // ------------------------------------------------------------------------- funds

    /// @inheritdoc ISpbMarketActions
    function deposit() external payable {
        if (msg.value == 0) revert FundsZeroAmount();
        Funds storage f = _funds[msg.sender];
        uint256 balance = uint256(f.balance) + msg.value;
        if (balance > type(uint128).max) revert FundsAmountOverflow(msg.sender, msg.value);
        f.balance = uint128(balance);
        emit Deposited(msg.sender, msg.value, balance);
    }

    /// @inheritdoc ISpbMarketActions
    function withdraw(uint256 amount) external nonReentrant {
        if (amount == 0) revert FundsZeroAmount();
        Funds storage f = _funds[msg.sender];
        uint256 free = f.balance - f.frozen;
        if (amount > free) revert FundsInsufficient(msg.sender, free, amount);
        uint128 balance = f.balance - uint128(amount);
        f.balance = balance;
        emit Withdrew(msg.sender, amount, balance);
        (bool ok,) = payable(msg.sender).call{value: amount}("");
        if (!ok) revert FundsTransferFailed(msg.sender, amount);
    }

    // ------------------------------------------------------------------- commitments

    /// @inheritdoc ISpbMarketActions
    function commit(CommitToPay calldata ctp) external returns (bytes32 ctpId) {
        ctpId = _hashCommitment(ctp);
        if (msg.sender != ctp.consumer) revert MarketNotConsumer(msg.sender, ctp.consumer);
        if (ctp.price == 0) revert MarketZeroPrice(ctpId);
        if (ctp.expiry <= block.timestamp) revert MarketExpiryInPast(ctpId, ctp.expiry, block.timestamp);
        if (_accounts[ctp.accountId].owner == address(0)) revert AccountUnknown(ctp.accountId);
        bytes memory err = _useNonce(ctp.consumer, ctp.nonce);
        if (err.length != 0) _revertWith(err);
        Funds storage f = _funds[ctp.consumer];
        uint256 free = f.balance - f.frozen;
        if (ctp.price > free) revert FundsInsufficient(ctp.consumer, free, ctp.price);
        f.frozen += ctp.price;
        _commitments[ctpId] = CommitmentStatus.Pending;
        emit Committed(ctpId, ctp.consumer, ctp.accountId, ctp.price, ctp.expiry, ctp.contractHash, ctp.nonce);
    }

    /// @inheritdoc ISpbMarketActions
    function release(CommitToPay calldata ctp) external {
        bytes32 ctpId = _hashCommitment(ctp);
        CommitmentStatus status = _commitments[ctpId];
        if (status != CommitmentStatus.Pending) revert MarketCommitmentNotPending(ctpId, status);
        if (block.timestamp <= ctp.expiry) revert MarketCommitmentNotExpired(ctpId, ctp.expiry);
        _commitments[ctpId] = CommitmentStatus.Released;
        _funds[ctp.consumer].frozen -= ctp.price;
        emit Released(ctpId, ctp.consumer, ctp.price);
    }

    // -------------------------------------------------------------------- settlement

    /// @inheritdoc ISpbMarketActions
    function settle(CommitToPay calldata ctp, ContractTerms calldata terms, EnergyReceipt calldata erc) external {
        bytes32 ctpId = _hashCommitment(ctp);
        CommitmentStatus status = _commitments[ctpId];
        if (status != CommitmentStatus.Pending) revert MarketCommitmentNotPending(ctpId, status);
        (bytes memory err, address producer) = _checkReceipt(ctpId, ctp, terms, erc);
        if (err.length != 0) _revertWith(err);
        _commitments[ctpId] = CommitmentStatus.Settled;
        Funds storage f = _funds[ctp.consumer];
        f.balance -= ctp.price;
        f.frozen -= ctp.price;
        _pay(ctpId, ctp, erc, producer, false);
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
        if (err.length != 0) _revertWith(err);
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
    function fundsOf(address owner) external view returns (uint128 balance, uint128 frozen) {
        Funds storage f = _funds[owner];
        return (f.balance, f.frozen);
    }

    /// @inheritdoc ISpbMarketState
    function commitmentStatus(bytes32 ctpId) external view returns (CommitmentStatus) {
        return _commitments[ctpId];
    }

    /// @inheritdoc ISpbMarketState
    function isNonceUsed(address consumer, uint256 nonce) external view returns (bool) {
        return _nonces[consumer][nonce >> 8] & (1 << (nonce & 0xff)) != 0;
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
    function contractHashOf(uint128 energyWh, ContractTerms calldata terms) external pure returns (bytes32) {
        return _contractHash(energyWh, terms);
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
        err = _checkSignedCommitment(ctpId, ctp, consumerSignature);
        if (err.length != 0) return err;
        address producer;
        (err, producer) = _checkReceipt(ctpId, ctp, terms, erc);
        if (err.length != 0) return err;
        _nonces[ctp.consumer][ctp.nonce >> 8] |= 1 << (ctp.nonce & 0xff);
        _funds[ctp.consumer].balance -= ctp.price;
        _pay(ctpId, ctp, erc, producer, true);
        return "";
    }

    /// @dev A signed CTP is valid if signed by its consumer, non-zero, its nonce unused
    /// and its price within the consumer's free balance. No side effects.
    function _checkSignedCommitment(bytes32 ctpId, CommitToPay calldata ctp, bytes calldata consumerSignature)
        private
        view
        returns (bytes memory)
    {
        (address signer, ECDSA.RecoverError rerr,) = ECDSA.tryRecover(ctpId, consumerSignature);
        if (rerr != ECDSA.RecoverError.NoError) return abi.encodeWithSelector(CoEInvalidSignature.selector, ctpId);
        if (signer != ctp.consumer) {
            return abi.encodeWithSelector(MarketInvalidConsumerSignature.selector, ctpId, signer, ctp.consumer);
        }
        if (ctp.price == 0) return abi.encodeWithSelector(MarketZeroPrice.selector, ctpId);
        if (_nonces[ctp.consumer][ctp.nonce >> 8] & (1 << (ctp.nonce & 0xff)) != 0) {
            return abi.encodeWithSelector(MarketNonceUsed.selector, ctp.consumer, ctp.nonce);
        }
        Funds storage f = _funds[ctp.consumer];
        uint256 free = f.balance - f.frozen;
        if (ctp.price > free) return abi.encodeWithSelector(FundsInsufficient.selector, ctp.consumer, free, ctp.price);
        return "";
    }

    /// @dev SPB's ERC checks (a: expiry; b: price; c, d: CoE and leaf; e: leaf-key
    /// signature) plus the contract hash and the account's supply. No side effects.
    function _checkReceipt(
        bytes32 ctpId,
        CommitToPay calldata ctp,
        ContractTerms calldata terms,
        EnergyReceipt calldata erc
    ) private view returns (bytes memory err, address producer) {
        if (block.timestamp > ctp.expiry) {
            return (abi.encodeWithSelector(MarketExpiredCommitment.selector, ctpId, ctp.expiry), address(0));
        }
        if (erc.price != ctp.price) {
            return (abi.encodeWithSelector(MarketPriceMismatch.selector, ctpId, ctp.price, erc.price), address(0));
        }
        bytes32 revealed = _contractHash(erc.energyWh, terms);
        if (revealed != ctp.contractHash) {
            return (
                abi.encodeWithSelector(MarketContractHashMismatch.selector, ctpId, ctp.contractHash, revealed),
                address(0)
            );
        }
        bytes32 digest = _hashReceipt(ctpId, erc);
        (address key, ECDSA.RecoverError rerr,) = ECDSA.tryRecover(digest, erc.signature);
        if (rerr != ECDSA.RecoverError.NoError) {
            return (abi.encodeWithSelector(CoEInvalidSignature.selector, digest), address(0));
        }
        err = _checkLeaf(erc.coeRoot, erc.leafIndex, key, erc.proof);
        if (err.length != 0) return (err, address(0));
        Account storage account = _accounts[ctp.accountId];
        producer = account.owner;
        if (producer == address(0)) return (abi.encodeWithSelector(AccountUnknown.selector, ctp.accountId), address(0));
        if (erc.energyWh > account.supplyWh) {
            return (
                abi.encodeWithSelector(
                    AccountInsufficientSupply.selector, ctp.accountId, account.supplyWh, erc.energyWh
                ),
                address(0)
            );
        }
    }

    /// @dev Effects shared by both forms once every check passed.
    function _pay(bytes32 ctpId, CommitToPay calldata ctp, EnergyReceipt calldata erc, address producer, bool signed)
        private
    {
        _funds[producer].balance += ctp.price;
        _accounts[ctp.accountId].supplyWh -= uint96(erc.energyWh);
        _useLeaf(erc.coeRoot, erc.leafIndex);
        emit Settled(
            ctpId, ctp.accountId, erc.coeRoot, ctp.consumer, producer, ctp.price, erc.energyWh, erc.leafIndex, signed
        );
    }

    function _useNonce(address consumer, uint256 nonce) private returns (bytes memory err) {
        uint256 bit = 1 << (nonce & 0xff);
        mapping(uint256 => uint256) storage words = _nonces[consumer];
        uint256 word = words[nonce >> 8];
        if (word & bit != 0) return abi.encodeWithSelector(MarketNonceUsed.selector, consumer, nonce);
        words[nonce >> 8] = word | bit;
        return "";
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

    function _contractHash(uint128 energyWh, ContractTerms calldata terms) private pure returns (bytes32) {
        return keccak256(abi.encode(energyWh, terms.rate, terms.salt));
    }
}
