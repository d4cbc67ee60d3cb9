// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

import {CalldataSignature} from "contracts/common/CalldataSignature.sol";
import {FundsLedger} from "contracts/common/FundsLedger.sol";
import {Governed} from "contracts/common/Governed.sol";
import {SlotClock} from "contracts/common/SlotClock.sol";
import {IAuctionMarket} from "interfaces/auction/IAuctionMarket.sol";
import {IAuctionMarketActions} from "interfaces/auction/IAuctionMarketActions.sol";
import {IAuctionMarketState} from "interfaces/auction/IAuctionMarketState.sol";
import {
    AccountInfo,
    FeederLimits,
    MarketParams,
    Order,
    Pricing,
    Side,
    SlotClearing,
    SlotStatus
} from "interfaces/auction/AuctionTypes.sol";
import {SlotConfig} from "interfaces/common/SlotTypes.sol";

/// @title Per-slot double auction: clearing computed off chain, verified on chain
/// @notice Anonymous accounts sign bids and asks for a 15-minute slot (EIP-712) or post
/// them on chain. Anyone computes a slot's clearing off chain — pay-as-clear (one uniform
/// price) or pay-as-bid — and submits it; the market verifies instead of computing: each
/// order signed (or posted) and unexpired, bid >= price >= ask, no order over-filled or
/// listed twice (orders come by strictly ascending (owner, id)), each account one-sided and
/// within the capacity the DSO registered, Σ bought = Σ sold, feeder limits. The buyers'
/// payments (energy cost plus grid fees) are frozen in the inherited funds ledger; until the
/// slot's gate (its start) anyone may replace the clearing with a better one (more energy,
/// or as much with more welfare); after the gate anyone settles it. Once the slot is over,
/// the DSO reconciles each account's delivery with its trade at the imbalance price with a
/// penalty. Nothing is sorted or searched on chain, and per slot only three words are stored:
/// the hash of the clearing's settlement records (one per owner), its score and its rules.
/// @dev Invariants: the contract holds exactly Σ balances of the payment asset (fees,
/// rounding and deviation charges are credited to the DSO account's balance at once; this
/// market keeps no money outside balances); for every owner `frozen <= balance`, and its
/// frozen part is the Σ (amount + fee) of its buyer records in slots whose clearing stands
/// (status `Cleared`) — nothing else freezes; a slot's status only moves None → Cleared →
/// Settled → Reconciled, and a standing clearing passed every check when it was submitted;
/// in every clearing Σ buyer amounts >= Σ seller amounts (buyers' costs round up, sellers'
/// receipts down), so settling never creates money; an owner has one record per clearing.
contract AuctionMarket is IAuctionMarket, Governed, EIP712, SlotClock, FundsLedger {
    /// @inheritdoc IAuctionMarketState
    bytes32 public constant DSO_ROLE = keccak256("DSO_ROLE");

    bytes32 private constant ORDER_TYPEHASH = keccak256(
        "Order(address owner,uint64 slot,uint32 id,uint8 side,uint32 energyWh,uint64 limitPrice,uint40 expiry)"
    );

    uint256 private constant HEADER = 11; // pricing 1, price 8, order count 2
    uint256 private constant ITEM = 46; // owner 20, id 4, flags 1, energy 4, limit 8, expiry 5, fill 4
    uint256 private constant SIG = 65;
    uint256 private constant RECORD = 49; // owner 20, side 1, energy 4, amount 12, fee 12
    uint256 private constant MATCH = 8; // bid index 2, ask index 2, energy 4
    uint256 private constant FLAG_ASK = 1;
    uint256 private constant FLAG_POSTED = 2;
    uint256 private constant WH_PER_MWH = 1e6;
    uint256 private constant BPS = 10_000;

    uint32 private immutable _challengeWindow;
    uint32 private immutable _noticeSlots;
    uint32 private immutable _maxAheadSlots;

    mapping(uint64 slot => SlotClearing) private _slots;
    mapping(address account => AccountInfo) private _accounts;
    mapping(uint8 feeder => FeederLimits) private _feeders;
    mapping(bytes32 orderId => bool) private _posted;
    /// @dev Rules before `_nextFrom`, and from it on.
    MarketParams private _params;
    MarketParams private _nextParams;
    uint64 private _nextFrom;
    address private _dso;

    /// @dev Working state of one clearing's verification (memory; nothing of it is stored).
    struct Pass {
        bool payAsBid;
        uint256 price;
        uint256 constFee;
        uint256 feeBps;
        uint256 count;
        uint256 bought;
        uint256 sold;
        uint256 bidValue;
        uint256 askValue;
        uint256 paid;
        uint256 received;
        uint256 fees;
        uint256 feederMask;
        uint256 lastKey; // (owner << 32 | id) + 1 of the previous order, 0 before the first
        // the current owner's group of orders
        address owner;
        uint256 side;
        uint256 groupWh;
        uint256 groupCost;
        uint256 feeder;
        uint256 cap;
        uint256 groups;
        bytes records;
        int256[] net; // per feeder: sold − bought
        uint256[] info; // pay-as-bid, per order: limit << 64 | fill << 32 | group << 1 | side
    }

    /// @param governor receives DEFAULT_ADMIN_ROLE and GOVERNOR_ROLE
    /// @param dso receives DSO_ROLE and is the account that collects fees and settles deviations
    /// @param asset the payment asset: an ERC-20 token, or `address(0)` for native ether
    /// @param clock the slot clock (15-minute slots; compressed for devnets)
    /// @param challengeWindow chain seconds a slot's first clearing must leave before the gate
    /// @param noticeSlots slots between a rule change and the first slot it applies to
    /// @param maxAheadSlots how far ahead of the current slot clearings are accepted
    /// @param params the rules in force from the start
    constructor(
        address governor,
        address dso,
        address asset,
        SlotConfig memory clock,
        uint32 challengeWindow,
        uint32 noticeSlots,
        uint32 maxAheadSlots,
        MarketParams memory params
    ) Governed(governor) EIP712("GridLedger Auction Market", "1") SlotClock(clock) FundsLedger(asset) {
        if (challengeWindow == 0 || noticeSlots == 0 || maxAheadSlots < noticeSlots) {
            revert AuctionInvalidTiming(challengeWindow, noticeSlots, maxAheadSlots);
        }
        if (dso == address(0)) revert AuctionZeroDsoAccount();
        _checkParams(params);
        _challengeWindow = challengeWindow;
        _noticeSlots = noticeSlots;
        _maxAheadSlots = maxAheadSlots;
        _params = params;
        _nextParams = params;
        _dso = dso;
        _grantRole(DSO_ROLE, dso);
    }

    // ------------------------------------------------------------------------------- DSO

    /// @inheritdoc IAuctionMarketActions
    function setFeeder(uint8 feeder, uint64 importLimitWh, uint64 exportLimitWh) external onlyRole(DSO_ROLE) {
        if (feeder == 0) revert AuctionZeroFeeder();
        _feeders[feeder] = FeederLimits({exists: true, importLimitWh: importLimitWh, exportLimitWh: exportLimitWh});
        emit FeederSet(feeder, importLimitWh, exportLimitWh);
    }

    /// @inheritdoc IAuctionMarketActions
    function setAccount(address account, uint8 feeder, uint32 importCapWh, uint32 exportCapWh)
        external
        onlyRole(DSO_ROLE)
    {
        if (feeder == 0) {
            delete _accounts[account];
            emit AccountSet(account, 0, 0, 0);
            return;
        }
        if (!_feeders[feeder].exists) revert AuctionUnknownFeeder(feeder);
        _accounts[account] = AccountInfo({feeder: feeder, importCapWh: importCapWh, exportCapWh: exportCapWh});
        emit AccountSet(account, feeder, importCapWh, exportCapWh);
    }

    /// @inheritdoc IAuctionMarketActions
    function scheduleParams(MarketParams calldata params) external onlyRole(DSO_ROLE) returns (uint64 fromSlot) {
        _checkParams(params);
        uint64 current = _currentSlot();
        if (_nextFrom <= current) _params = _nextParams; // the pending rules took effect
        fromSlot = current + _noticeSlots;
        _nextParams = params;
        _nextFrom = fromSlot;
        emit ParamsScheduled(params, fromSlot);
    }

    /// @inheritdoc IAuctionMarketActions
    function setDsoAccount(address account) external onlyRole(GOVERNOR_ROLE) {
        if (account == address(0)) revert AuctionZeroDsoAccount();
        _dso = account;
        emit DsoAccountSet(account);
    }

    // ---------------------------------------------------------------------------- orders

    /// @inheritdoc IAuctionMarketActions
    function postOrder(Order calldata order) external returns (bytes32 orderId) {
        orderId = _hashOrder(order);
        if (msg.sender != order.owner) revert AuctionNotOwner(msg.sender, order.owner);
        if (order.energyWh == 0) revert AuctionZeroEnergy(orderId);
        if (order.expiry < block.timestamp) {
            revert AuctionOrderExpired(order.owner, order.id, order.expiry, block.timestamp);
        }
        uint256 gate = _slotStart(order.slot);
        if (block.timestamp >= gate) revert AuctionSlotClosed(order.slot, gate, block.timestamp);
        if (_posted[orderId]) revert AuctionOrderAlreadyPosted(orderId);
        _posted[orderId] = true;
        emit OrderPosted(
            orderId,
            order.owner,
            order.slot,
            order.id,
            order.side,
            order.energyWh,
            order.limitPrice,
            order.expiry
        );
    }

    /// @inheritdoc IAuctionMarketActions
    function cancelOrder(Order calldata order) external {
        bytes32 orderId = _hashOrder(order);
        if (msg.sender != order.owner) revert AuctionNotOwner(msg.sender, order.owner);
        if (!_posted[orderId]) revert AuctionOrderNotPosted(orderId);
        delete _posted[orderId];
        emit OrderCancelled(orderId, order.owner);
    }

    // -------------------------------------------------------------------------- clearing

    /// @inheritdoc IAuctionMarketActions
    function submitClearing(uint64 slot, bytes calldata clearing) external {
        SlotClearing storage s = _slots[slot];
        if (s.status != SlotStatus.None) revert AuctionWrongStatus(slot, s.status);
        uint64 maxSlot = _currentSlot() + _maxAheadSlots;
        if (slot > maxSlot) revert AuctionSlotTooFarAhead(slot, maxSlot);
        uint256 gate = _slotStart(slot);
        uint256 deadline = gate > _challengeWindow ? gate - _challengeWindow : 0;
        if (block.timestamp >= deadline) revert AuctionSubmissionClosed(slot, deadline, block.timestamp);
        MarketParams memory params = slot >= _nextFrom ? _nextParams : _params;
        (Pass memory p, bytes32 recordsHash) = _verify(slot, params, clearing);
        uint128 welfare = uint128(p.bidValue - p.askValue);
        s.recordsHash = recordsHash;
        s.volumeWh = uint64(p.bought);
        s.welfare = welfare;
        s.status = SlotStatus.Cleared;
        s.params = params;
        emit ClearingSubmitted(
            slot, msg.sender, recordsHash, params.pricing, uint64(p.price), uint64(p.bought), welfare, p.records
        );
    }

    /// @inheritdoc IAuctionMarketActions
    function challengeClearing(uint64 slot, bytes calldata standingRecords, bytes calldata clearing) external {
        SlotClearing storage s = _slots[slot];
        if (s.status != SlotStatus.Cleared) revert AuctionWrongStatus(slot, s.status);
        uint256 gate = _slotStart(slot);
        if (block.timestamp >= gate) revert AuctionSlotClosed(slot, gate, block.timestamp);
        bytes32 previous = s.recordsHash;
        _checkRecords(slot, previous, standingRecords);
        // the standing clearing's buyers get their payments back before the new one freezes
        // theirs (the whole call reverts if the new clearing is not better)
        _releaseFrozen(standingRecords);
        MarketParams memory params = s.params;
        (Pass memory p, bytes32 recordsHash) = _verify(slot, params, clearing);
        uint128 welfare = uint128(p.bidValue - p.askValue);
        (uint64 standingVolume, uint128 standingWelfare) = (s.volumeWh, s.welfare);
        if (p.bought < standingVolume || (p.bought == standingVolume && welfare <= standingWelfare)) {
            revert AuctionNotBetter(uint64(p.bought), welfare, standingVolume, standingWelfare);
        }
        s.recordsHash = recordsHash;
        s.volumeWh = uint64(p.bought);
        s.welfare = welfare;
        emit ClearingReplaced(slot, previous, recordsHash);
        emit ClearingSubmitted(
            slot, msg.sender, recordsHash, params.pricing, uint64(p.price), uint64(p.bought), welfare, p.records
        );
    }

    /// @inheritdoc IAuctionMarketActions
    function settle(uint64 slot, bytes calldata records) external {
        SlotClearing storage s = _slots[slot];
        if (s.status != SlotStatus.Cleared) revert AuctionWrongStatus(slot, s.status);
        uint256 gate = _slotStart(slot);
        if (block.timestamp < gate) revert AuctionSettleTooEarly(slot, gate, block.timestamp);
        bytes32 recordsHash = s.recordsHash;
        _checkRecords(slot, recordsHash, records);
        s.status = SlotStatus.Settled;
        uint256 paid;
        uint256 received;
        uint256 fees;
        uint256 freeMemory;
        assembly ("memory-safe") {
            freeMemory := mload(0x40)
        }
        for (uint256 pos = 0; pos < records.length; pos += RECORD) {
            assembly ("memory-safe") {
                mstore(0x40, freeMemory) // nothing a record allocates outlives it
            }
            (address owner, uint256 side,, uint256 amount, uint256 fee) = _record(records, pos);
            Funds memory f = _loadFunds(owner);
            if (side == uint256(Side.Bid)) {
                // the frozen payment is paid (a standing clearing froze exactly this)
                f.balance -= uint96(amount + fee);
                f.frozen -= uint96(amount + fee);
                paid += amount;
                fees += fee;
            } else {
                uint256 balance = f.balance + amount;
                if (balance > type(uint96).max) revert FundsAmountOverflow(owner, amount);
                f.balance = uint96(balance);
                received += amount;
            }
            _storeFunds(owner, f);
        }
        uint256 rounding = paid - received;
        _credit(_dso, fees + rounding);
        emit SlotSettled(slot, recordsHash, s.volumeWh, paid, received, fees, rounding);
    }

    /// @inheritdoc IAuctionMarketActions
    function settleDeviations(uint64 slot, bytes calldata records, bytes calldata readings)
        external
        onlyRole(DSO_ROLE)
    {
        SlotClearing storage s = _slots[slot];
        if (s.status != SlotStatus.Settled) revert AuctionWrongStatus(slot, s.status);
        uint256 end = _slotStart(slot + 1);
        if (block.timestamp < end) revert AuctionSlotNotOver(slot, end, block.timestamp);
        _checkRecords(slot, s.recordsHash, records);
        uint256 expected = (records.length / RECORD) * 4;
        if (readings.length != expected) revert AuctionMalformedReadings(expected, readings.length);
        s.status = SlotStatus.Reconciled;
        MarketParams memory params = s.params;
        uint256 charged;
        uint256 unpaid;
        uint256 credited;
        for (uint256 pos = 0; pos < records.length; pos += RECORD) {
            (address owner, uint256 side, uint256 traded,,) = _record(records, pos);
            uint256 delivered = uint32(bytes4(readings[(pos / RECORD) * 4:]));
            (uint256 c, uint256 u, uint256 k) = _deviation(params, owner, side, traded, delivered);
            charged += c;
            unpaid += u;
            credited += k;
            emit DeviationSettled(slot, owner, Side(side), uint32(traded), uint32(delivered), c, u, k);
        }
        // the DSO's account is the counterparty: it receives the charges and pays the credits
        if (credited > charged) _debit(_dso, credited - charged);
        else if (charged > credited) _credit(_dso, charged - credited);
        emit SlotReconciled(slot, charged, unpaid, credited);
    }

    // ----------------------------------------------------------------------------- views

    /// @inheritdoc IAuctionMarketState
    function hashOrder(Order calldata order) external view returns (bytes32) {
        return _hashOrder(order);
    }

    /// @inheritdoc IAuctionMarketState
    function isPosted(bytes32 orderId) external view returns (bool) {
        return _posted[orderId];
    }

    /// @inheritdoc IAuctionMarketState
    function accountOf(address account) external view returns (AccountInfo memory) {
        return _accounts[account];
    }

    /// @inheritdoc IAuctionMarketState
    function feederOf(uint8 feeder) external view returns (FeederLimits memory) {
        return _feeders[feeder];
    }

    /// @inheritdoc IAuctionMarketState
    function paramsFor(uint64 slot) external view returns (MarketParams memory) {
        SlotClearing storage s = _slots[slot];
        if (s.status != SlotStatus.None) return s.params;
        return slot >= _nextFrom ? _nextParams : _params;
    }

    /// @inheritdoc IAuctionMarketState
    function clearingOf(uint64 slot) external view returns (SlotClearing memory) {
        return _slots[slot];
    }

    /// @inheritdoc IAuctionMarketState
    function dsoAccount() external view returns (address) {
        return _dso;
    }

    /// @inheritdoc IAuctionMarketState
    function timing() external view returns (uint32 challengeWindow, uint32 noticeSlots, uint32 maxAheadSlots) {
        return (_challengeWindow, _noticeSlots, _maxAheadSlots);
    }

    // -------------------------------------------------------------------------- internal

    /// @dev Verifies a packed clearing for `slot` under `params` and freezes each buyer's
    /// payment; returns the pass (totals, records) and the records' hash. Reverts with the
    /// first failed check. Memory is reused per order (nothing an order allocates outlives it).
    function _verify(uint64 slot, MarketParams memory params, bytes calldata c)
        private
        returns (Pass memory p, bytes32 recordsHash)
    {
        if (c.length < HEADER) revert AuctionMalformedClearing(0);
        uint256 header;
        assembly ("memory-safe") {
            header := calldataload(c.offset)
        }
        uint256 pricing = header >> 248;
        p.price = uint64(header >> 184);
        p.count = uint16(header >> 168);
        if (pricing != uint256(params.pricing)) revert AuctionPricingMismatch(params.pricing, pricing);
        p.payAsBid = pricing == uint256(Pricing.PayAsBid);
        if (p.payAsBid && p.price != 0) revert AuctionMalformedClearing(1);
        p.constFee = params.constFeePerMWh;
        p.feeBps = params.feeBps;
        // one spare word: a record's second word is written whole
        p.records = new bytes(p.count * RECORD + 32);
        p.net = new int256[](256);
        if (p.payAsBid) p.info = new uint256[](p.count);
        uint256 freeMemory;
        assembly ("memory-safe") {
            freeMemory := mload(0x40)
        }
        uint256 pos = HEADER;
        for (uint256 i = 0; i < p.count; ++i) {
            assembly ("memory-safe") {
                mstore(0x40, freeMemory)
            }
            pos = _order(slot, p, c, pos, i);
        }
        if (p.owner != address(0)) _closeGroup(p);
        if (p.payAsBid) _matches(p, c, pos);
        else if (pos != c.length) revert AuctionMalformedClearing(pos);
        if (p.bought != p.sold) revert AuctionUnbalanced(p.bought, p.sold);
        if (p.bought == 0) revert AuctionEmptyClearing(slot);
        _checkFeeders(p);
        bytes memory records = p.records;
        uint256 length = p.groups * RECORD;
        assembly ("memory-safe") {
            mstore(records, length)
            recordsHash := keccak256(add(records, 0x20), length)
        }
    }

    /// @dev Checks the order at byte `pos` and adds it to its owner's group; returns the
    /// position of the next order.
    function _order(uint64 slot, Pass memory p, bytes calldata c, uint256 pos, uint256 index)
        private
        returns (uint256 next)
    {
        if (pos + ITEM > c.length) revert AuctionMalformedClearing(pos);
        address owner;
        uint256 id;
        uint256 flags;
        uint256 energy;
        uint256 limit;
        uint256 expiry;
        uint256 fill;
        assembly ("memory-safe") {
            let q := add(c.offset, pos)
            owner := shr(96, calldataload(q))
            id := shr(224, calldataload(add(q, 20)))
            flags := byte(0, calldataload(add(q, 24)))
            energy := shr(224, calldataload(add(q, 25)))
            limit := shr(192, calldataload(add(q, 29)))
            expiry := shr(216, calldataload(add(q, 37)))
            fill := shr(224, calldataload(add(q, 42)))
        }
        if (flags > (FLAG_ASK | FLAG_POSTED)) revert AuctionMalformedClearing(pos + 24);
        uint256 side = flags & FLAG_ASK;
        // strictly ascending (owner, id): no order twice, each owner's orders together
        uint256 key = ((uint256(uint160(owner)) << 32) | id) + 1;
        if (key <= p.lastKey) {
            if (key == p.lastKey) revert AuctionOrderRepeated(owner, uint32(id));
            revert AuctionOrderOutOfOrder(owner, uint32(id));
        }
        p.lastKey = key;
        if (fill == 0) revert AuctionZeroFill(owner, uint32(id));
        if (fill > energy) revert AuctionOverfilled(owner, uint32(id), uint32(fill), uint32(energy));
        if (expiry < block.timestamp) revert AuctionOrderExpired(owner, uint32(id), uint40(expiry), block.timestamp);
        if (!p.payAsBid) {
            if (side == uint256(Side.Bid)) {
                if (limit < p.price) revert AuctionBidBelowPrice(owner, uint32(id), uint64(limit), uint64(p.price));
            } else if (limit > p.price) {
                revert AuctionAskAbovePrice(owner, uint32(id), uint64(limit), uint64(p.price));
            }
        }
        bytes32 orderId = _orderDigest(owner, slot, id, side, energy, limit, expiry);
        if (flags & FLAG_POSTED == 0) {
            next = pos + ITEM + SIG;
            if (next > c.length) revert AuctionMalformedClearing(pos);
            (address signer, ECDSA.RecoverError err) = CalldataSignature.tryRecover(orderId, c[pos + ITEM:next]);
            if (err != ECDSA.RecoverError.NoError) revert AuctionMalformedSignature(orderId);
            if (signer != owner) revert AuctionInvalidSignature(orderId, signer, owner);
        } else {
            next = pos + ITEM;
            if (!_posted[orderId]) revert AuctionOrderNotPosted(orderId);
        }
        if (owner != p.owner) {
            if (p.owner != address(0)) _closeGroup(p);
            AccountInfo memory account = _accounts[owner];
            if (account.feeder == 0) revert AuctionUnknownAccount(owner);
            p.owner = owner;
            p.side = side;
            p.groupWh = 0;
            p.groupCost = 0;
            p.feeder = account.feeder;
            p.cap = side == uint256(Side.Bid) ? account.importCapWh : account.exportCapWh;
        } else if (side != p.side) {
            revert AuctionBothSides(owner);
        }
        p.groupWh += fill;
        if (side == uint256(Side.Bid)) {
            p.bought += fill;
            p.bidValue += fill * limit;
            if (p.payAsBid) p.groupCost += _ceilDiv(fill * limit, WH_PER_MWH);
        } else {
            p.sold += fill;
            p.askValue += fill * limit;
        }
        if (p.payAsBid) p.info[index] = (limit << 64) | (fill << 32) | (p.groups << 1) | side;
    }

    /// @dev Closes the current owner's group: capacity, feeder flow, the buyer's payment
    /// frozen, and its settlement record written (a pay-as-bid seller's amount comes later).
    function _closeGroup(Pass memory p) private {
        address owner = p.owner;
        uint256 wh = p.groupWh;
        if (wh > p.cap) revert AuctionCapacityExceeded(owner, wh, uint32(p.cap));
        uint256 feeder = p.feeder;
        p.net[feeder] += p.side == uint256(Side.Ask) ? int256(wh) : -int256(wh);
        p.feederMask |= 1 << feeder;
        uint256 amount;
        uint256 fee;
        if (p.side == uint256(Side.Bid)) {
            amount = p.payAsBid ? p.groupCost : _ceilDiv(wh * p.price, WH_PER_MWH);
            fee = _ceilDiv(wh * p.constFee, WH_PER_MWH) + _ceilDiv(amount * p.feeBps, BPS);
            uint256 total = amount + fee;
            Funds memory f = _loadFunds(owner);
            uint256 free = f.balance - f.frozen;
            if (total > free) revert FundsInsufficient(owner, free, total);
            f.frozen += uint96(total);
            _storeFunds(owner, f);
            p.paid += amount;
            p.fees += fee;
        } else if (!p.payAsBid) {
            amount = (wh * p.price) / WH_PER_MWH;
            p.received += amount;
        }
        _writeRecord(p.records, p.groups, owner, p.side, wh, amount, fee);
        ++p.groups;
    }

    /// @dev Pay-as-bid: reads the matches after the orders, checks each (a bid with an ask,
    /// bid limit >= ask limit) and that every order's matches add up to its fill, and
    /// writes each seller's receipt (Σ over its matches of energy × the bid's limit).
    function _matches(Pass memory p, bytes calldata c, uint256 pos) private pure {
        uint256[] memory info = p.info;
        uint256 n = p.count;
        uint256[] memory matched = new uint256[](n);
        uint256[] memory receipts = new uint256[](p.groups);
        for (; pos < c.length; pos += MATCH) {
            if (pos + MATCH > c.length) revert AuctionMalformedClearing(pos);
            uint256 b;
            uint256 a;
            uint256 e;
            assembly ("memory-safe") {
                let word := calldataload(add(c.offset, pos))
                b := shr(240, word)
                a := and(shr(224, word), 0xffff)
                e := and(shr(192, word), 0xffffffff)
            }
            if (b >= n || a >= n || e == 0) revert AuctionMalformedClearing(pos);
            uint256 bid = info[b];
            uint256 ask = info[a];
            if (bid & 1 != uint256(Side.Bid) || ask & 1 != uint256(Side.Ask)) revert AuctionMatchSides(b, a);
            uint256 bidLimit = bid >> 64;
            uint256 askLimit = ask >> 64;
            if (bidLimit < askLimit) revert AuctionBidBelowAsk(b, a, uint64(bidLimit), uint64(askLimit));
            matched[b] += e;
            matched[a] += e;
            receipts[(ask >> 1) & 0x7fffffff] += (e * bidLimit) / WH_PER_MWH;
        }
        for (uint256 i = 0; i < n; ++i) {
            uint256 fill = (info[i] >> 32) & 0xffffffff;
            if (matched[i] != fill) revert AuctionMatchedFillMismatch(i, fill, matched[i]);
        }
        bytes memory records = p.records;
        for (uint256 g = 0; g < p.groups; ++g) {
            uint256 amount = receipts[g];
            if (amount == 0) continue; // a buyer (or a receipt rounded down to nothing)
            p.received += amount;
            assembly ("memory-safe") {
                // amount occupies bytes 25..36 of the record: the low 7 bytes of word one
                // and the high 5 bytes of word two
                let at := add(add(records, 0x20), mul(g, RECORD))
                let w1 := mload(at)
                mstore(at, or(and(w1, not(0xffffffffffffff)), shr(40, amount)))
                let w2 := mload(add(at, 0x20))
                mstore(add(at, 0x20), or(and(w2, not(shl(216, 0xffffffffff))), shl(216, and(amount, 0xffffffffff))))
            }
        }
    }

    /// @dev Net flow per touched feeder within its limits.
    function _checkFeeders(Pass memory p) private view {
        uint256 mask = p.feederMask;
        for (uint256 f = 1; mask >> f != 0; ++f) {
            if ((mask >> f) & 1 == 0) continue;
            int256 net = p.net[f];
            FeederLimits memory limits = _feeders[uint8(f)];
            if (net > 0 && uint256(net) > limits.exportLimitWh) {
                revert AuctionFeederExportExceeded(uint8(f), uint256(net), limits.exportLimitWh);
            }
            if (net < 0 && uint256(-net) > limits.importLimitWh) {
                revert AuctionFeederImportExceeded(uint8(f), uint256(-net), limits.importLimitWh);
            }
        }
    }

    /// @dev Unfreezes every buyer's payment of a standing clearing (it is being replaced).
    function _releaseFrozen(bytes calldata records) private {
        for (uint256 pos = 0; pos < records.length; pos += RECORD) {
            (address owner, uint256 side,, uint256 amount, uint256 fee) = _record(records, pos);
            if (side == uint256(Side.Bid)) _unfreeze(owner, amount + fee);
        }
    }

    /// @dev One account's deviation: charged (as far as its free balance goes), unpaid and
    /// credited, applied to its balance.
    function _deviation(MarketParams memory params, address owner, uint256 side, uint256 traded, uint256 delivered)
        private
        returns (uint256 charged, uint256 unpaid, uint256 credited)
    {
        // short: the account needed energy it had not bought, or did not deliver what it sold
        bool bid = side == uint256(Side.Bid);
        uint256 shortWh = bid ? (delivered > traded ? delivered - traded : 0) : (traded > delivered ? traded - delivered : 0);
        uint256 longWh = bid ? (traded > delivered ? traded - delivered : 0) : (delivered > traded ? delivered - traded : 0);
        if (shortWh == 0 && longWh == 0) return (0, 0, 0);
        uint256 price = params.imbalancePricePerMWh;
        Funds memory f = _loadFunds(owner);
        if (shortWh != 0) {
            uint256 owed = _ceilDiv(shortWh * price * (BPS + params.penaltyBps), WH_PER_MWH * BPS);
            uint256 free = f.balance - f.frozen;
            charged = owed < free ? owed : free;
            unpaid = owed - charged;
            f.balance -= uint96(charged);
        } else {
            credited = (longWh * price * (BPS - params.penaltyBps)) / (WH_PER_MWH * BPS);
            uint256 balance = f.balance + credited;
            if (balance > type(uint96).max) revert FundsAmountOverflow(owner, credited);
            f.balance = uint96(balance);
        }
        _storeFunds(owner, f);
    }

    /// @dev The records given must hash to the slot's standing clearing.
    function _checkRecords(uint64 slot, bytes32 expected, bytes calldata records) private pure {
        bytes32 given = keccak256(records);
        if (given != expected) revert AuctionRecordsMismatch(slot, expected, given);
    }

    /// @dev Settlement record at byte `pos` of `records` (calldata).
    function _record(bytes calldata records, uint256 pos)
        private
        pure
        returns (address owner, uint256 side, uint256 energy, uint256 amount, uint256 fee)
    {
        assembly ("memory-safe") {
            let q := add(records.offset, pos)
            owner := shr(96, calldataload(q))
            side := byte(20, calldataload(q))
            energy := shr(224, calldataload(add(q, 21)))
            amount := shr(160, calldataload(add(q, 25)))
            fee := shr(160, calldataload(add(q, 37)))
        }
    }

    /// @dev Writes record `index` (49 bytes) into `records`; its second word spills into the
    /// next record's place (written later) or the spare word at the end.
    function _writeRecord(
        bytes memory records,
        uint256 index,
        address owner,
        uint256 side,
        uint256 wh,
        uint256 amount,
        uint256 fee
    ) private pure {
        assembly ("memory-safe") {
            let at := add(add(records, 0x20), mul(index, RECORD))
            mstore(at, or(or(shl(96, owner), shl(88, side)), or(shl(56, wh), shr(40, amount))))
            mstore(add(at, 0x20), or(shl(216, and(amount, 0xffffffffff)), shl(120, fee)))
        }
    }

    /// @dev EIP-712 digest of an order (its id), hashed in scratch memory.
    function _orderDigest(
        address owner,
        uint64 slot,
        uint256 id,
        uint256 side,
        uint256 energy,
        uint256 limit,
        uint256 expiry
    ) private view returns (bytes32) {
        bytes32 typeHash = ORDER_TYPEHASH;
        bytes32 structHash;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, typeHash)
            mstore(add(m, 0x20), owner)
            mstore(add(m, 0x40), slot)
            mstore(add(m, 0x60), id)
            mstore(add(m, 0x80), side)
            mstore(add(m, 0xa0), energy)
            mstore(add(m, 0xc0), limit)
            mstore(add(m, 0xe0), expiry)
            structHash := keccak256(m, 0x100)
        }
        return _hashTypedDataV4(structHash);
    }

    function _hashOrder(Order calldata o) private view returns (bytes32) {
        return _orderDigest(o.owner, o.slot, o.id, uint256(o.side), o.energyWh, o.limitPrice, o.expiry);
    }

    function _checkParams(MarketParams memory params) private pure {
        if (params.feeBps > BPS) revert AuctionRateTooHigh(params.feeBps);
        if (params.penaltyBps > BPS) revert AuctionRateTooHigh(params.penaltyBps);
    }

    function _ceilDiv(uint256 a, uint256 b) private pure returns (uint256) {
        return a == 0 ? 0 : (a - 1) / b + 1;
    }
}
