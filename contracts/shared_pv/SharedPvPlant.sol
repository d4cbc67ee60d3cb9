// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";

import {Governed} from "contracts/common/Governed.sol";
import {SlotClock} from "contracts/common/SlotClock.sol";
import {PortionRows} from "contracts/shared_pv/PortionRows.sol";
import {SlotConfig} from "interfaces/common/SlotTypes.sol";
import {ISharedPvPlant} from "interfaces/shared_pv/ISharedPvPlant.sol";
import {ISharedPvPlantActions} from "interfaces/shared_pv/ISharedPvPlantActions.sol";
import {ISharedPvPlantState} from "interfaces/shared_pv/ISharedPvPlantState.sol";
import {PortionRow} from "interfaces/shared_pv/SharedPvTypes.sol";

/// @title A shared PV plant: co-owners shift portions per 15-minute slot (Knirsch et al.)
/// @notice Co-owners hold portions (basis points) of the plant's generation in every
/// 15-minute slot of the common slot clock. A slot nobody transferred keeps the default
/// key; an owner moves part or all of what it holds in a future slot, or in a range of
/// future slots, to another member — portions it received included. A consortium (the
/// utilities, CONSORTIUM_ROLE) admits owners and revokes them; a revoked owner's default
/// share and future portions go to a successor it names. Portions, not money: the plant
/// holds no funds; a clearing server bills from the events.
/// @dev Invariants: in every slot of the transfer window the members' portions are
/// non-negative and sum to exactly 10,000 basis points, and the default key sums to
/// 10,000; past and current slots never change (transfers and revocations act on later
/// slots only); a row word that is live or holds a valid cached default belongs to a
/// current member, and the cache equals its default share. Storage: one run-length row
/// of 128 slots per owner, in a ring of 32 (see `PortionRows`); a transfer touches two
/// words per row its range crosses while rows stay within 10 runs, 11 words per row at
/// most (128 runs), and revocation touches the 32 rows of two owners.
contract SharedPvPlant is ISharedPvPlant, Governed, SlotClock {
    using EnumerableSet for EnumerableSet.AddressSet;
    using PortionRows for uint256[];

    /// @inheritdoc ISharedPvPlantState
    bytes32 public constant CONSORTIUM_ROLE = keccak256("CONSORTIUM_ROLE");
    /// @inheritdoc ISharedPvPlantState
    uint64 public constant ROW_SLOTS = 128;
    /// @inheritdoc ISharedPvPlantState
    uint64 public constant RING_ROWS = 32;
    /// @inheritdoc ISharedPvPlantState
    uint256 public constant MAX_MEMBERS = 256;
    uint256 private constant FULL = 10_000;

    struct Member {
        bool member;
        uint16 defaultBp;
    }

    mapping(address account => Member) private _members;
    EnumerableSet.AddressSet private _memberSet;
    /// @dev Each owner's ring of rows: row `r` lives at words `(r % 32) * 16 ...`.
    // written through PortionRows.store and sstore in _shiftRow
    // slither-disable-next-line uninitialized-state
    mapping(address owner => uint256[512]) private _rows;

    /// @param consortium receives DEFAULT_ADMIN_ROLE, GOVERNOR_ROLE and CONSORTIUM_ROLE
    /// @param clock the slot clock (time zone, compressed days)
    /// @param owners the co-owners
    /// @param defaultKeyBp each co-owner's default share in basis points (sum 10,000)
    constructor(address consortium, SlotConfig memory clock, address[] memory owners, uint16[] memory defaultKeyBp)
        Governed(consortium)
        SlotClock(clock)
    {
        _grantRole(CONSORTIUM_ROLE, consortium);
        if (owners.length == 0) revert SharesNoOwners();
        if (owners.length != defaultKeyBp.length) revert SharesKeyLengthMismatch(owners.length, defaultKeyBp.length);
        uint256 sum;
        for (uint256 i; i < owners.length; ++i) {
            if (_members[owners[i]].member) revert SharesDuplicateOwner(owners[i]);
            _admit(owners[i], defaultKeyBp[i]);
            sum += defaultKeyBp[i];
        }
        if (sum != FULL) revert SharesKeyNotFull(sum);
    }

    // ------------------------------------------------------------------------ actions

    /// @inheritdoc ISharedPvPlantActions
    function movePortions(address to, uint64 firstSlot, uint64 lastSlot, uint16 amountBp) external {
        uint256 current = _currentSlot();
        unchecked {
            // slots are uint64 and the window ends 4,096 slots after the current one: no overflow in uint256
            uint256 horizon = (current / ROW_SLOTS + RING_ROWS) * ROW_SLOTS - 1;
            if (amountBp == 0) revert SharesZeroAmount();
            if (lastSlot < firstSlot) revert SharesEmptyRange(firstSlot, lastSlot);
            if (firstSlot <= current) revert SharesSlotNotFuture(firstSlot, uint64(current));
            if (lastSlot > horizon) revert SharesBeyondHorizon(lastSlot, uint64(horizon));
            if (to == msg.sender) revert SharesSelfTransfer(msg.sender);
            uint256 fromRows = _rowsOf(msg.sender);
            uint256 toRows = _rowsOf(to);
            uint256 row = firstSlot / ROW_SLOTS;
            uint256 lastRow = lastSlot / ROW_SLOTS;
            uint256 p = firstSlot % ROW_SLOTS;
            while (true) {
                uint256 q = row == lastRow ? lastSlot % ROW_SLOTS : ROW_SLOTS - 1;
                _shiftRow(msg.sender, fromRows, row, p, q, amountBp, false);
                _shiftRow(to, toRows, row, p, q, amountBp, true);
                if (row == lastRow) break;
                ++row;
                p = 0;
            }
        }
        emit PortionsTransferred(msg.sender, to, firstSlot, lastSlot, amountBp);
    }

    /// @inheritdoc ISharedPvPlantActions
    function admitOwner(address owner) external onlyRole(CONSORTIUM_ROLE) {
        _admit(owner, 0);
    }

    /// @inheritdoc ISharedPvPlantActions
    function revokeOwner(address owner, address successor) external onlyRole(CONSORTIUM_ROLE) {
        Member memory gone = _members[owner];
        if (!gone.member) revert SharesNotMember(owner);
        Member memory heir = _members[successor];
        if (successor == owner || !heir.member) revert SharesInvalidSuccessor(owner, successor);
        uint64 current = _currentSlot();
        uint256 currentRow = current / ROW_SLOTS;
        uint256 newDefault = uint256(heir.defaultBp) + gone.defaultBp;
        uint256[512] storage goneRows = _rows[owner];
        uint256[512] storage heirRows = _rows[successor];
        for (uint256 row = currentRow; row < currentRow + RING_ROWS; ++row) {
            // a position in a row, not randomness
            // slither-disable-next-line weak-prng
            uint256 from = row == currentRow ? current % ROW_SLOTS + 1 : 0;
            _mergeRow(goneRows, heirRows, row, from, gone.defaultBp, heir.defaultBp);
        }
        _members[successor].defaultBp = uint16(newDefault);
        delete _members[owner];
        _memberSet.remove(owner);
        emit OwnerRevoked(owner, successor, current + 1, gone.defaultBp);
    }

    /// @inheritdoc ISharedPvPlantActions
    function prepareRows(address owner) external {
        Member memory m = _members[owner];
        if (!m.member) revert SharesNotMember(owner);
        uint256[512] storage rows = _rows[owner];
        uint256 bits = PortionRows.ownerBits(m.defaultBp);
        for (uint256 ring; ring < RING_ROWS; ++ring) {
            uint256 base = ring * PortionRows.WORDS;
            uint256 w0 = rows[base];
            uint256 prepared = (w0 & ~PortionRows.OWNER_BITS) | bits;
            if (prepared != w0) rows[base] = prepared;
        }
        emit RowsPrepared(owner);
    }

    // -------------------------------------------------------------------------- views

    /// @inheritdoc ISharedPvPlantState
    function transferWindow() external view returns (uint64 firstSlot, uint64 lastSlot) {
        uint64 current = _currentSlot();
        return (current + 1, _lastWindowSlot(current));
    }

    /// @inheritdoc ISharedPvPlantState
    function memberOf(address account) external view returns (bool member, uint16 defaultBp) {
        Member memory m = _members[account];
        return (m.member, m.defaultBp);
    }

    /// @inheritdoc ISharedPvPlantState
    function members() external view returns (address[] memory) {
        return _memberSet.values();
    }

    /// @inheritdoc ISharedPvPlantState
    function portionOf(address owner, uint64 slot) external view returns (uint16) {
        _checkWindow(slot, slot);
        (uint256[] memory runs, uint256 n) = _view(owner, slot / ROW_SLOTS);
        return uint16(PortionRows.valueAt(runs, n, slot % ROW_SLOTS));
    }

    /// @inheritdoc ISharedPvPlantState
    function portionsOf(address owner, uint64 firstSlot, uint64 lastSlot) external view returns (uint16[] memory out) {
        if (lastSlot < firstSlot) revert SharesEmptyRange(firstSlot, lastSlot);
        _checkWindow(firstSlot, lastSlot);
        out = new uint16[](lastSlot - firstSlot + 1);
        uint256 row = type(uint256).max;
        uint256[] memory runs;
        uint256 n;
        for (uint64 slot = firstSlot; slot <= lastSlot; ++slot) {
            if (slot / ROW_SLOTS != row) {
                row = slot / ROW_SLOTS;
                (runs, n) = _view(owner, row);
            }
            out[slot - firstSlot] = uint16(PortionRows.valueAt(runs, n, slot % ROW_SLOTS));
        }
    }

    /// @inheritdoc ISharedPvPlantState
    function rowOf(address owner, uint64 slot) external view returns (PortionRow memory r) {
        _checkWindow(slot, slot);
        uint256 row = slot / ROW_SLOTS;
        uint256 base = (row % RING_ROWS) * PortionRows.WORDS;
        uint256 w0 = _rows[owner][base];
        (bool valid, uint256 cachedBp) = PortionRows.cached(w0);
        r.live = PortionRows.isLive(w0, row);
        r.cacheValid = valid;
        r.cachedDefaultBp = uint16(cachedBp);
        r.firstSlot = uint64(row * ROW_SLOTS);
        (uint256[] memory runs, uint256 n) = _view(owner, row);
        r.starts = new uint16[](n);
        r.values = new uint16[](n);
        for (uint256 i; i < n; ++i) {
            r.starts[i] = uint16(runs[i] & PortionRows.POS_MASK);
            r.values[i] = uint16(runs[i] >> 7);
        }
    }

    // ----------------------------------------------------------------------- internal

    /// @dev Add (`add`) or remove `x` basis points on positions p..q of `owner`'s row `row`.
    /// A row that is not live starts flat at the owner's default share: the cached copy if
    /// valid, else the member record (which also proves membership, and is cached now).
    function _shiftRow(address owner, uint256 ownerRows, uint256 row, uint256 p, uint256 q, uint256 x, bool add)
        private
    {
        uint256 slot;
        uint256 w0;
        unchecked {
            slot = ownerRows + (row % RING_ROWS) * PortionRows.WORDS;
        }
        assembly ("memory-safe") {
            w0 := sload(slot)
        }
        if (!PortionRows.isLive(w0, row)) {
            (bool valid, uint256 d) = PortionRows.cached(w0);
            uint256 ownerPart = w0 & PortionRows.OWNER_BITS;
            if (!valid) {
                Member memory m = _members[owner];
                if (!m.member) revert SharesNotMember(owner);
                d = m.defaultBp;
                ownerPart = PortionRows.ownerBits(d);
            }
            // the owner holds d in every slot of the row: at most three runs, written directly
            if (!add && d < x) revert SharesInsufficient(owner, uint64(row * ROW_SLOTS + p), d, x);
            uint256 w = PortionRows.flatShifted(row, ownerPart, d, p, q, add ? d + x : d - x);
            assembly ("memory-safe") {
                sstore(slot, w)
            }
            return;
        }
        uint256 shortfall = PortionRows.NO_SHORTFALL;
        if (w0 & PortionRows.COUNT_MASK <= PortionRows.HEAD_RUNS) {
            uint256 w;
            (w, shortfall) = PortionRows.shiftHead(w0, p, q, x, add);
            if (w != 0) {
                assembly ("memory-safe") {
                    sstore(slot, w)
                }
                return;
            }
        }
        if (shortfall == PortionRows.NO_SHORTFALL) {
            // rows of more than 10 runs: through memory, over several words
            uint256[512] storage rows = _rows[owner];
            uint256 base = (row % RING_ROWS) * PortionRows.WORDS;
            (uint256[] memory runs, uint256 n) = PortionRows.load(rows, base, w0);
            uint256[] memory out;
            (out, n, shortfall) = runs.shift(n, p, q, x, add);
            if (shortfall == PortionRows.NO_SHORTFALL) {
                PortionRows.store(rows, base, row, w0 & PortionRows.OWNER_BITS, out, n);
                return;
            }
        }
        revert SharesInsufficient(owner, uint64(row * ROW_SLOTS + (shortfall & PortionRows.POS_MASK)), shortfall >> 7, x);
    }

    /// @dev Revocation, one ring row: from position `from` on, the successor's row `row` becomes
    /// its own plus the revoked owner's (`goneBp` / `heirBp`: their default shares, for rows that
    /// are not live); the successor's cached default becomes `goneBp + heirBp`; the revoked
    /// owner's word is left neither live nor cache-valid (non-zero, for cheap reuse).
    function _mergeRow(
        uint256[512] storage goneRows,
        uint256[512] storage heirRows,
        uint256 row,
        uint256 from,
        uint256 goneBp,
        uint256 heirBp
    ) private {
        // the ring position of a row, not randomness
        // slither-disable-next-line weak-prng
        uint256 base = (row % RING_ROWS) * PortionRows.WORDS;
        uint256 g0 = goneRows[base];
        uint256 h0 = heirRows[base];
        if ((PortionRows.isLive(g0, row) || PortionRows.isLive(h0, row)) && from < ROW_SLOTS) {
            (uint256[] memory h, uint256 hn) = _runsOf(heirRows, base, h0, row, heirBp);
            {
                (uint256[] memory g, uint256 gn) = _runsOf(goneRows, base, g0, row, goneBp);
                (h, hn) = _addRuns(g, gn, h, hn, from);
            }
            PortionRows.store(heirRows, base, row, PortionRows.ownerBits(goneBp + heirBp), h, hn);
        } else if (h0 & PortionRows.VALID_BIT != 0) {
            heirRows[base] = (h0 & ~PortionRows.OWNER_BITS) | PortionRows.ownerBits(goneBp + heirBp);
        }
        uint256 killed = g0 & ~(PortionRows.COUNT_MASK | PortionRows.OWNER_BITS);
        if (killed != g0) goneRows[base] = killed;
    }

    /// @dev The runs of row `row` whose word 0 is `w0`: stored if live, else flat at `defaultBp`.
    function _runsOf(uint256[512] storage rows, uint256 base, uint256 w0, uint256 row, uint256 defaultBp)
        private
        view
        returns (uint256[] memory, uint256)
    {
        if (PortionRows.isLive(w0, row)) return PortionRows.load(rows, base, w0);
        return PortionRows.flat(defaultBp);
    }

    /// @dev The row `h[0..hn)` plus the row `g[0..gn)` on positions `from..127`.
    function _addRuns(uint256[] memory g, uint256 gn, uint256[] memory h, uint256 hn, uint256 from)
        private
        pure
        returns (uint256[] memory, uint256)
    {
        for (uint256 i; i < gn; ++i) {
            uint256 start = g[i] & PortionRows.POS_MASK;
            uint256 end = i + 1 < gn ? (g[i + 1] & PortionRows.POS_MASK) - 1 : ROW_SLOTS - 1;
            if (end < from || g[i] >> 7 == 0) continue;
            (h, hn,) = PortionRows.shift(h, hn, start < from ? from : start, end, g[i] >> 7, true);
        }
        return (h, hn);
    }

    /// @dev Storage slot of the first word of `owner`'s ring (`_rows[owner]`; row r's words follow at (r % 32) * 16).
    function _rowsOf(address owner) private pure returns (uint256 slot) {
        assembly ("memory-safe") {
            mstore(0x00, owner)
            mstore(0x20, _rows.slot)
            slot := keccak256(0x00, 0x40)
        }
    }

    /// @dev `owner`'s row `row` as runs, for views (a row that is not live: the default share).
    function _view(address owner, uint256 row) private view returns (uint256[] memory, uint256) {
        uint256[512] storage rows = _rows[owner];
        uint256 base = (row % RING_ROWS) * PortionRows.WORDS;
        uint256 w0 = rows[base];
        if (PortionRows.isLive(w0, row)) return PortionRows.load(rows, base, w0);
        return PortionRows.flat(_members[owner].defaultBp);
    }

    function _admit(address owner, uint16 defaultBp) private {
        if (owner == address(0)) revert SharesZeroAddress();
        if (_members[owner].member) revert SharesAlreadyMember(owner);
        if (_memberSet.length() >= MAX_MEMBERS) revert SharesTooManyMembers(MAX_MEMBERS);
        _members[owner] = Member(true, defaultBp);
        _memberSet.add(owner);
        emit OwnerAdmitted(owner, defaultBp);
    }

    /// @dev Last slot of the row 31 rows after the current slot's row.
    function _lastWindowSlot(uint64 current) private pure returns (uint64) {
        return (current / ROW_SLOTS + RING_ROWS) * ROW_SLOTS - 1;
    }

    function _checkWindow(uint64 firstSlot, uint64 lastSlot) private view {
        uint64 current = _currentSlot();
        uint64 horizon = _lastWindowSlot(current);
        if (firstSlot <= current) revert SharesSlotOutOfWindow(firstSlot, current + 1, horizon);
        if (lastSlot > horizon) revert SharesSlotOutOfWindow(lastSlot, current + 1, horizon);
    }
}
