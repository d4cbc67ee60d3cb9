// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

import {IFundsLedger} from "interfaces/common/IFundsLedger.sol";

/// @title Shared funds ledger, inherited by every market that holds money
/// @notice Deposits, withdrawals (to oneself or to another address) and the frozen part of
/// each owner's balance, in one payment asset fixed at deploy: native ether or an ERC-20.
/// Markets inherit it (own storage, no external call on their hot paths; see
/// docs/architecture.md for the measurement against a shared vault) and move money with
/// the internal helpers below. Each owner's record is one storage slot: balance, frozen
/// part and a 32-nonce window that orders the owner's signed instructions (a settlement
/// that spends a nonce and the money writes the slot once).
/// @dev Invariants: for every owner `frozen <= balance`; Σ balances (plus whatever the
/// inheriting market holds outside balances, which it states in its own header) never
/// exceeds what the contract holds of the payment asset; money enters only by `deposit`
/// and leaves only by `_payOut` (withdrawals, or a market's payout to an address);
/// `nonceBase` never decreases and a nonce once used or passed is never usable again; a
/// nonce may lie at most `NONCE_LOOKAHEAD - 1` past the base, so one call can slide the
/// window by at most one window and an owner can never be locked out.
abstract contract FundsLedger is IFundsLedger, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @dev Nonces `nonceBase .. nonceBase + 31` are tracked by the bits of `nonceBits`.
    uint256 internal constant NONCE_WINDOW = 32;
    /// @dev A nonce must be below `nonceBase + NONCE_LOOKAHEAD`.
    uint256 internal constant NONCE_LOOKAHEAD = 2 * NONCE_WINDOW;

    /// @dev One slot per owner. Bit `i` of `nonceBits` marks nonce `nonceBase + i` used;
    /// nonces below `nonceBase` are spent.
    struct Funds {
        uint96 balance;
        uint96 frozen;
        uint32 nonceBase;
        uint32 nonceBits;
    }

    IERC20 private immutable _asset;
    mapping(address owner => Funds) private _funds;

    /// @param asset the ERC-20 payment token, or `address(0)` for native ether
    constructor(address asset) {
        _asset = IERC20(asset);
    }

    // ----------------------------------------------------------------------- external

    /// @inheritdoc IFundsLedger
    function deposit(uint256 amount) external payable nonReentrant {
        if (amount == 0) revert FundsZeroAmount();
        if (address(_asset) == address(0)) {
            if (msg.value != amount) revert FundsValueMismatch(msg.value, amount);
        } else {
            if (msg.value != 0) revert FundsUnexpectedEther(msg.value);
            // Credit only what arrived: a fee-on-transfer token would break Σ balances <= held.
            uint256 before = _asset.balanceOf(address(this));
            _asset.safeTransferFrom(msg.sender, address(this), amount);
            uint256 received = _asset.balanceOf(address(this)) - before;
            if (received != amount) revert FundsTokenShortfall(amount, received);
        }
        uint256 balance = _credit(msg.sender, amount);
        emit Deposited(msg.sender, amount, balance);
    }

    /// @inheritdoc IFundsLedger
    function withdraw(uint256 amount) external nonReentrant {
        _withdraw(msg.sender, amount);
    }

    /// @inheritdoc IFundsLedger
    function withdrawTo(address to, uint256 amount) external nonReentrant {
        if (to == address(0)) revert FundsZeroRecipient();
        _withdraw(to, amount);
    }

    /// @inheritdoc IFundsLedger
    function paymentAsset() external view returns (address) {
        return address(_asset);
    }

    /// @inheritdoc IFundsLedger
    function fundsOf(address owner) external view returns (uint256 balance, uint256 frozen) {
        Funds memory f = _loadFunds(owner);
        return (f.balance, f.frozen);
    }

    /// @inheritdoc IFundsLedger
    function isNonceUsed(address owner, uint32 nonce) external view returns (bool) {
        Funds memory f = _loadFunds(owner);
        if (nonce < f.nonceBase) return true;
        uint256 offset = nonce - f.nonceBase;
        return offset < NONCE_WINDOW && (f.nonceBits >> offset) & 1 == 1;
    }

    // ----------------------------------------------------------------------- internal

    /// @dev The owner's record, for hot paths that change balance and nonce window together:
    /// read it once, change the copy, write it back with `_storeFunds` (one storage write).
    function _loadFunds(address owner) internal view virtual returns (Funds memory f) {
        // One SLOAD for the packed slot (the compiler would read it once per field).
        Funds storage slot = _funds[owner];
        uint256 word;
        assembly ("memory-safe") {
            word := sload(slot.slot)
        }
        f.balance = uint96(word);
        f.frozen = uint96(word >> 96);
        f.nonceBase = uint32(word >> 192);
        f.nonceBits = uint32(word >> 224);
    }

    /// @dev Writes the owner's record (balance, frozen part and nonce window together) in
    /// one SSTORE.
    function _storeFunds(address owner, Funds memory f) internal virtual {
        Funds storage slot = _funds[owner];
        uint256 word = uint256(f.balance) | (uint256(f.frozen) << 96) | (uint256(f.nonceBase) << 192)
            | (uint256(f.nonceBits) << 224);
        assembly ("memory-safe") {
            sstore(slot.slot, word)
        }
    }

    /// @dev Adds `amount` to the owner's balance (earnings, refunds, payouts inside the
    /// market). Reverts with `FundsAmountOverflow` past 96 bits.
    function _credit(address owner, uint256 amount) internal virtual returns (uint256 balance) {
        Funds storage f = _funds[owner];
        balance = uint256(f.balance) + amount;
        if (balance > type(uint96).max) revert FundsAmountOverflow(owner, amount);
        f.balance = uint96(balance);
    }

    /// @dev Freezes `amount` of the owner's free balance. Reverts with `FundsInsufficient`.
    function _freeze(address owner, uint256 amount) internal virtual {
        Funds storage f = _funds[owner];
        uint256 free = f.balance - f.frozen;
        if (amount > free) revert FundsInsufficient(owner, free, amount);
        f.frozen += uint96(amount);
    }

    /// @dev Unfreezes `amount` (the market guarantees it froze at least that much).
    function _unfreeze(address owner, uint256 amount) internal virtual {
        _funds[owner].frozen -= uint96(amount);
    }

    /// @dev Takes `amount` that was frozen out of the owner's balance (a frozen promise is paid).
    function _debitFrozen(address owner, uint256 amount) internal virtual {
        Funds storage f = _funds[owner];
        f.balance -= uint96(amount);
        f.frozen -= uint96(amount);
    }

    /// @dev Takes `amount` out of the owner's free balance. Reverts with `FundsInsufficient`.
    function _debit(address owner, uint256 amount) internal virtual returns (uint256 balance) {
        Funds storage f = _funds[owner];
        uint256 free = f.balance - f.frozen;
        if (amount > free) revert FundsInsufficient(owner, free, amount);
        balance = f.balance - amount;
        f.balance = uint96(balance);
    }

    /// @dev Marks `nonce` used in the in-memory copy `f` of `owner`'s record, sliding the
    /// window forward when the nonce lies past it (nonces it passes become spent). Returns
    /// the ABI-encoded error instead of reverting, so that batches can skip an item cleanly.
    function _useNonce(Funds memory f, address owner, uint32 nonce) internal pure returns (bytes memory) {
        if (nonce < f.nonceBase) return abi.encodeWithSelector(FundsNonceUsed.selector, owner, nonce);
        uint256 offset = nonce - f.nonceBase;
        if (offset >= NONCE_LOOKAHEAD) {
            uint256 maxNonce = uint256(f.nonceBase) + NONCE_LOOKAHEAD - 1;
            if (maxNonce > type(uint32).max) maxNonce = type(uint32).max;
            return abi.encodeWithSelector(FundsNonceTooFarAhead.selector, owner, nonce, uint32(maxNonce));
        }
        if (offset >= NONCE_WINDOW) {
            uint256 shift = offset - (NONCE_WINDOW - 1);
            f.nonceBits = uint32(uint256(f.nonceBits) >> shift);
            f.nonceBase = uint32(nonce - (NONCE_WINDOW - 1));
            offset = NONCE_WINDOW - 1;
        }
        uint32 bit = uint32(1 << offset);
        if (f.nonceBits & bit != 0) return abi.encodeWithSelector(FundsNonceUsed.selector, owner, nonce);
        f.nonceBits |= bit;
        return "";
    }

    /// @dev Sends `amount` of the payment asset out of the contract to `to`. The caller
    /// has already taken it out of the books (checks-effects-interactions).
    function _payOut(address to, uint256 amount) internal {
        bool ok;
        if (address(_asset) == address(0)) {
            // `to` is the owner of the money or the recipient it named (`withdrawTo`), or a
            // payee the market's own rules fixed; the books were debited before this call.
            // slither-disable-next-line arbitrary-send-eth
            (ok,) = payable(to).call{value: amount}("");
        } else {
            ok = _asset.trySafeTransfer(to, amount);
        }
        if (!ok) revert FundsTransferFailed(to, amount);
    }

    function _withdraw(address to, uint256 amount) private {
        if (amount == 0) revert FundsZeroAmount();
        uint256 balance = _debit(msg.sender, amount);
        emit Withdrew(msg.sender, to, amount, balance);
        _payOut(to, amount);
    }
}
