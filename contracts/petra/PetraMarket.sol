// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC1155} from "@openzeppelin/contracts/token/ERC1155/IERC1155.sol";
import {ERC1155Utils} from "@openzeppelin/contracts/token/ERC1155/utils/ERC1155Utils.sol";
import {IERC1155Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

import {CalldataSignature} from "contracts/common/CalldataSignature.sol";
import {ErrorBytes} from "contracts/common/ErrorBytes.sol";
import {FundsLedger} from "contracts/common/FundsLedger.sol";
import {Governed} from "contracts/common/Governed.sol";
import {SlotClock} from "contracts/common/SlotClock.sol";
import {SlotConfig} from "interfaces/common/SlotTypes.sol";
import {IPetraMarketActions} from "interfaces/petra/IPetraMarketActions.sol";
import {IPetraMarketState} from "interfaces/petra/IPetraMarketState.sol";
import {
    Asset,
    AssetKind,
    AssetStatus,
    Feeder,
    FeederFlow,
    MintOrder,
    Portion,
    Prosumer,
    Reputation
} from "interfaces/petra/PetraTypes.sol";
import {IPetraMarket} from "interfaces/petra/IPetraMarket.sol";

/// @title PETra market: quantised energy assets for fiat money, within capacities and feeder limits
/// @notice The DSO registers feeders (limits per 15-minute interval) and prosumers (feeder,
/// maximum production and consumption power) and mints energy assets — `power` watts produced
/// or consumed in every slot of `[first, last]` — to prosumers' anonymous accounts, never
/// beyond a prosumer's capacity in any slot. Owners offer assets (a production asset is an
/// ask, a consumption asset a bid whose cost is frozen in the funds ledger), rescind them, or
/// accept part or all of an offer with an asset of the other kind: the portion traded is cut
/// out of both assets by time and by power, money moves from buyer to seller at the offer's
/// price, leftovers return to their owners, and every feeder's internal and import/export flow
/// stays within its limit in every slot. After the interval the DSO records what each matched
/// asset's holder delivered, which builds the account's reputation. Assets are ERC-1155
/// tokens (balance 1 per id; the id encodes kind, feeder, power, interval and storage position).
/// @dev Invariants: every live asset is one storage word at its position (owner, interval,
/// power, feeder, kind, status, price); a position holds at most one live asset and an id
/// resolves only while that exact asset lives there. For every prosumer, kind and slot
/// within the horizon, the power minted for it never exceeds its capacity at mint time; for
/// every feeder, flow and slot, the power of accepted trades never exceeds the limit in force
/// when each was accepted. A split conserves power x slots: the pieces of an asset cover the
/// same (slot, watt) cells as the asset. Money: `held == Σ balances` (the market holds no money
/// outside the ledger) and every owner's frozen part equals the escrow of its open bids, which
/// is exactly `costOf(power, slots, price)` of each. A matched asset is never offered, moved or
/// traded again. Every check runs before any effect; the only external calls are ERC-1155
/// receiver hooks after all effects, and the ledger's payouts.
contract PetraMarket is IPetraMarket, Governed, EIP712, SlotClock, FundsLedger {
    /// @inheritdoc IPetraMarketState
    bytes32 public constant DSO_ROLE = keccak256("DSO_ROLE");

    bytes32 private constant MINT_TYPEHASH = keccak256(
        "MintOrder(uint32 prosumer,address to,uint8 kind,uint32 power,uint64 first,uint64 last,uint40 positionHint,uint32 nonce,uint64 expiry)"
    );

    /// @dev `costOf` divisor: W x 15-minute slots -> MWh (x 0.25 h / 10^6).
    uint256 private constant WATT_SLOTS_PER_MWH = 4_000_000;
    /// @dev mWh per watt-slot (a watt for 15 minutes is 250 mWh).
    uint256 private constant MWH_MILLI_PER_WATT_SLOT = 250;
    /// @dev How far ahead assets may be minted: 7 days of slots.
    uint64 private constant HORIZON = 672;
    /// @dev Per-slot counters are packed 8 to a word (a "block" of 8 slots) in rings of 128
    /// blocks (1,024 slots, more than the horizon spans): steady-state writes reuse a word.
    uint256 private constant BLOCK_SHIFT = 3;
    uint256 private constant RING_MASK = 127;
    uint256 private constant COUNTER_BITS = 28;
    uint256 private constant COUNTER_MASK = (1 << 28) - 1;
    uint256 private constant TAG_SHIFT = 224;

    // Asset word layout (least significant first): owner 160 | count 8 | first 24 | power 24 |
    // feeder 8 | kind 1 | status 2 | price 29. The content (count..kind, 65 bits) shifted left
    // by 40 and or-ed with the 40-bit position is the token id.
    uint256 private constant OWNER_MASK = (1 << 160) - 1;
    uint256 private constant CONTENT_MASK = (1 << 65) - 1;
    uint256 private constant STATUS_SHIFT = 225;
    uint256 private constant PRICE_SHIFT = 227;
    uint256 private constant MAX_POWER = (1 << 24) - 1;
    uint256 private constant MAX_SLOT = (1 << 24) - 1;
    uint256 private constant MAX_PRICE = (1 << 29) - 1;
    uint256 private constant MAX_SLOTS = 255;
    uint256 private constant HELD = 0;
    uint256 private constant OFFERED = 1;
    uint256 private constant MATCHED = 2;
    /// @dev A freed position: non-zero (a later mint rewrites it for 5,000 gas, not 22,100),
    /// owner zero (resolves to no asset).
    uint256 private constant TOMBSTONE = 3 << 225;

    mapping(uint40 position => uint256 word) private _assets;
    mapping(uint32 prosumer => Prosumer) private _prosumers;
    mapping(uint8 feeder => Feeder) private _feeders;
    /// @dev key: prosumer << 8 | kind << 7 | block % 128 -> block tag << 224 | 8 x 28-bit counters
    mapping(uint256 key => uint256 word) private _capacity;
    /// @dev key: feeder << 16 | flow << 8 | block % 128 -> block tag << 224 | 8 x 28-bit counters
    mapping(uint256 key => uint256 word) private _flows;
    mapping(address account => Reputation) private _reputation;
    mapping(address owner => mapping(address operator => bool)) private _operatorApprovals;
    uint40 private _nextPosition;

    /// @dev Where a split's leftover pieces go: hinted free positions first, then new ones.
    struct Positions {
        uint256 hints;
        uint40 next; // 0 until the fresh-position counter is read
    }

    /// @param governor receives DEFAULT_ADMIN_ROLE and GOVERNOR_ROLE (grants the DSO role)
    /// @param dso receives DSO_ROLE
    /// @param asset the payment asset: the DSO's FiatToken (or any ERC-20), or `address(0)` for ether
    /// @param clock the slot clock (real time, or a compressed day for devnets)
    constructor(address governor, address dso, address asset, SlotConfig memory clock)
        Governed(governor)
        EIP712("GridLedger PETra Market", "1")
        SlotClock(clock)
        FundsLedger(asset)
    {
        _grantRole(DSO_ROLE, dso);
        _nextPosition = 1;
    }

    // ============================================================== DSO: registry

    /// @inheritdoc IPetraMarketActions
    function setFeeder(uint8 feeder, uint32 internalLimit, uint32 exchangeLimit) external onlyRole(DSO_ROLE) {
        if (internalLimit > COUNTER_MASK) revert PetraPowerOutOfRange(internalLimit, COUNTER_MASK);
        if (exchangeLimit > COUNTER_MASK) revert PetraPowerOutOfRange(exchangeLimit, COUNTER_MASK);
        _feeders[feeder] = Feeder(true, internalLimit, exchangeLimit);
        emit FeederSet(feeder, internalLimit, exchangeLimit);
    }

    /// @inheritdoc IPetraMarketActions
    function registerProsumer(uint32 prosumer, uint8 feeder, uint32 maxProduction, uint32 maxConsumption)
        external
        onlyRole(DSO_ROLE)
    {
        if (!_feeders[feeder].registered) revert PetraUnknownFeeder(feeder);
        if (maxProduction > MAX_POWER) revert PetraPowerOutOfRange(maxProduction, MAX_POWER);
        if (maxConsumption > MAX_POWER) revert PetraPowerOutOfRange(maxConsumption, MAX_POWER);
        _prosumers[prosumer] = Prosumer(true, feeder, maxProduction, maxConsumption);
        emit ProsumerRegistered(prosumer, feeder, maxProduction, maxConsumption);
    }

    // ============================================================== DSO: assets

    /// @inheritdoc IPetraMarketActions
    function mint(
        uint32 prosumer,
        address to,
        AssetKind kind,
        uint32 power,
        uint64 first,
        uint64 last,
        uint40 positionHint
    ) external onlyRole(DSO_ROLE) returns (uint256 id) {
        return _mint(prosumer, to, kind, power, first, last, positionHint);
    }

    /// @inheritdoc IPetraMarketActions
    function mintSigned(MintOrder calldata order, bytes calldata signature) external returns (uint256 id) {
        if (block.timestamp > order.expiry) revert PetraOrderExpired(order.expiry, block.timestamp);
        (address signer, ECDSA.RecoverError err) = CalldataSignature.tryRecover(_hashMintOrder(order), signature);
        if (err != ECDSA.RecoverError.NoError || !hasRole(DSO_ROLE, signer)) revert PetraNotSignedByDso(signer);
        Funds memory f = _loadFunds(signer);
        bytes memory nonceError = _useNonce(f, signer, order.nonce);
        if (nonceError.length != 0) ErrorBytes.revertWith(nonceError);
        _storeFunds(signer, f);
        return _mint(order.prosumer, order.to, order.kind, order.power, order.first, order.last, order.positionHint);
    }

    /// @inheritdoc IPetraMarketActions
    function recordDelivery(uint256 id, uint64 deliveredMWh) external onlyRole(DSO_ROLE) {
        (uint40 position, uint256 word) = _load(id);
        uint256 status = _status(word);
        if (status != MATCHED) revert PetraNotMatched(id, AssetStatus(status));
        uint64 current = _currentSlot();
        uint64 last = _last(word);
        if (last >= current) revert PetraIntervalNotOver(id, last, current);
        address holder = address(uint160(word));
        uint256 promised = _power(word) * _count(word) * MWH_MILLI_PER_WATT_SLOT;
        uint256 credited = deliveredMWh < promised ? deliveredMWh : promised;
        Reputation storage r = _reputation[holder];
        r.promisedMWh += uint96(promised);
        r.deliveredMWh += uint96(credited);
        r.deliveries += 1;
        if (credited < promised) r.shortfalls += 1;
        _assets[position] = TOMBSTONE;
        emit TransferSingle(msg.sender, holder, address(0), id, 1);
        emit DeliveryRecorded(id, holder, uint64(promised), deliveredMWh);
    }

    // ============================================================== offers

    /// @inheritdoc IPetraMarketActions
    function postOffer(uint256 id, uint32 price) external {
        (uint40 position, uint256 word) = _load(id);
        _checkOwnerHeld(id, word);
        if (price > MAX_PRICE) revert PetraPriceOutOfRange(price, MAX_PRICE);
        uint64 current = _currentSlot();
        if (_last(word) <= current) revert PetraSlotNotInFuture(_last(word), current);
        uint256 escrow;
        if (_isConsumption(word)) {
            escrow = _cost(_power(word), _count(word), price);
            _freeze(msg.sender, escrow);
        }
        _assets[position] = word | (OFFERED << STATUS_SHIFT) | (uint256(price) << PRICE_SHIFT);
        emit OfferPosted(id, msg.sender, price, escrow);
    }

    /// @inheritdoc IPetraMarketActions
    function rescindOffer(uint256 id) external {
        (uint40 position, uint256 word) = _load(id);
        address owner = address(uint160(word));
        if (owner != msg.sender) revert PetraNotOwner(id, msg.sender, owner);
        uint256 status = _status(word);
        if (status != OFFERED) revert PetraNotOffered(id, AssetStatus(status));
        uint256 escrow;
        if (_isConsumption(word)) {
            escrow = _cost(_power(word), _count(word), _price(word));
            _unfreeze(owner, escrow);
        }
        _assets[position] = word & ((1 << STATUS_SHIFT) - 1);
        emit OfferRescinded(id, escrow);
    }

    /// @inheritdoc IPetraMarketActions
    function accept(
        uint256 offerId,
        uint256 assetId,
        Portion calldata portion,
        uint256 limitPrice,
        uint256 positionHints
    ) external returns (uint256 cost) {
        (uint40 offerPosition, uint256 offerWord) = _load(offerId);
        uint256 status = _status(offerWord);
        if (status != OFFERED) revert PetraNotOffered(offerId, AssetStatus(status));
        (uint40 assetPosition, uint256 assetWord) = _load(assetId);
        _checkOwnerHeld(assetId, assetWord);
        if (_isConsumption(offerWord) == _isConsumption(assetWord)) revert PetraSameKind(offerId, assetId);

        uint256 power = portion.power;
        uint64 first = portion.first;
        uint64 last = portion.last;
        if (power == 0 || last < first) revert PetraBadInterval(power, first, last);
        uint64 current = _currentSlot();
        if (first <= current) revert PetraSlotNotInFuture(first, current);
        _checkPortion(offerId, offerWord, power, first, last);
        _checkPortion(assetId, assetWord, power, first, last);

        uint256 price = _price(offerWord);
        bool ask = !_isConsumption(offerWord);
        if (ask && price > limitPrice) revert PetraPriceAboveLimit(offerId, price, limitPrice);
        if (!ask && price < limitPrice) revert PetraPriceBelowLimit(offerId, price, limitPrice);
        cost = _cost(power, last - first + 1, price);

        (uint256 producer, uint256 consumer) = ask ? (offerWord, assetWord) : (assetWord, offerWord);
        _addFlows(_feeder(producer), _feeder(consumer), power, first, last);
        address buyer = address(uint160(consumer));
        address seller = address(uint160(producer));
        if (buyer == seller) revert PetraSelfTrade(buyer);
        if (ask) {
            _debit(buyer, cost);
        } else {
            // the bid's whole escrow leaves the frozen part; what the portion costs is paid
            Funds memory f = _loadFunds(buyer);
            f.balance -= uint96(cost);
            f.frozen -= uint96(_cost(_power(offerWord), _count(offerWord), price));
            _storeFunds(buyer, f);
        }
        _credit(seller, cost);

        Positions memory positions = Positions(positionHints, 0);
        uint256[] memory offerPieces = _split(positions, offerPosition, offerWord, power, first, last, price);
        uint256[] memory assetPieces = _split(positions, assetPosition, assetWord, power, first, last, price);
        if (positions.next != 0) _nextPosition = positions.next;
        emit OfferAccepted(offerId, assetId, uint32(power), first, last, cost);
        _announceSplit(offerId, seller == msg.sender ? buyer : seller, offerPieces);
        _announceSplit(assetId, msg.sender, assetPieces);
    }

    /// @inheritdoc IPetraMarketActions
    function retire(uint256[] calldata ids) external {
        uint64 current = _currentSlot();
        for (uint256 i = 0; i < ids.length; ++i) {
            uint256 id = ids[i];
            (uint40 position, uint256 word) = _load(id);
            uint256 status = _status(word);
            if (status == MATCHED) revert PetraAssetNotHeld(id, AssetStatus.Matched);
            uint64 last = _last(word);
            if (last > current) revert PetraStillTradable(id, last, current);
            address owner = address(uint160(word));
            if (status == OFFERED && _isConsumption(word)) _unfreeze(owner, _cost(_power(word), _count(word), _price(word)));
            _assets[position] = TOMBSTONE;
            emit TransferSingle(msg.sender, owner, address(0), id, 1);
        }
    }

    // ============================================================== ERC-1155

    /// @inheritdoc IERC1155
    function balanceOf(address account, uint256 id) public view returns (uint256) {
        if (id >> 105 != 0) return 0;
        uint256 word = _assets[uint40(id)];
        return account != address(0) && address(uint160(word)) == account && ((word >> 160) & CONTENT_MASK) == id >> 40
            ? 1
            : 0;
    }

    /// @inheritdoc IERC1155
    function balanceOfBatch(address[] calldata accounts, uint256[] calldata ids)
        external
        view
        returns (uint256[] memory balances)
    {
        if (accounts.length != ids.length) revert IERC1155Errors.ERC1155InvalidArrayLength(ids.length, accounts.length);
        balances = new uint256[](ids.length);
        for (uint256 i = 0; i < ids.length; ++i) {
            balances[i] = balanceOf(accounts[i], ids[i]);
        }
    }

    /// @inheritdoc IERC1155
    function setApprovalForAll(address operator, bool approved) external {
        if (operator == address(0)) revert IERC1155Errors.ERC1155InvalidOperator(address(0));
        _operatorApprovals[msg.sender][operator] = approved;
        emit ApprovalForAll(msg.sender, operator, approved);
    }

    /// @inheritdoc IERC1155
    function isApprovedForAll(address account, address operator) external view returns (bool) {
        return _operatorApprovals[account][operator];
    }

    /// @inheritdoc IERC1155
    /// @dev Only held assets move (offered and matched ones are locked); `value` is 0 or 1.
    function safeTransferFrom(address from, address to, uint256 id, uint256 value, bytes calldata data) external {
        _checkTransfer(from, to);
        _move(from, to, id, value);
        emit TransferSingle(msg.sender, from, to, id, value);
        ERC1155Utils.checkOnERC1155Received(msg.sender, from, to, id, value, data);
    }

    /// @inheritdoc IERC1155
    function safeBatchTransferFrom(
        address from,
        address to,
        uint256[] calldata ids,
        uint256[] calldata values,
        bytes calldata data
    ) external {
        if (ids.length != values.length) revert IERC1155Errors.ERC1155InvalidArrayLength(ids.length, values.length);
        _checkTransfer(from, to);
        for (uint256 i = 0; i < ids.length; ++i) {
            _move(from, to, ids[i], values[i]);
        }
        emit TransferBatch(msg.sender, from, to, ids, values);
        ERC1155Utils.checkOnERC1155BatchReceived(msg.sender, from, to, ids, values, data);
    }

    /// @inheritdoc IERC165
    function supportsInterface(bytes4 interfaceId) public view override(AccessControl, IERC165) returns (bool) {
        return interfaceId == type(IERC1155).interfaceId || super.supportsInterface(interfaceId);
    }

    // ============================================================== views

    /// @inheritdoc IPetraMarketState
    function assetOf(uint256 id) external view returns (Asset memory) {
        (, uint256 word) = _load(id);
        return Asset({
            owner: address(uint160(word)),
            kind: _isConsumption(word) ? AssetKind.Consumption : AssetKind.Production,
            status: AssetStatus(_status(word)),
            feeder: _feeder(word),
            power: uint32(_power(word)),
            first: _first(word),
            last: _last(word),
            price: uint32(_price(word))
        });
    }

    /// @inheritdoc IPetraMarketState
    function idAt(uint40 position) external view returns (uint256) {
        uint256 word = _assets[position];
        if (uint160(word) == 0) return 0;
        return _idOf(word, position);
    }

    /// @inheritdoc IPetraMarketState
    function nextPosition() external view returns (uint40) {
        return _nextPosition;
    }

    /// @inheritdoc IPetraMarketState
    function prosumerOf(uint32 prosumer) external view returns (Prosumer memory) {
        return _prosumers[prosumer];
    }

    /// @inheritdoc IPetraMarketState
    function feederOf(uint8 feeder) external view returns (Feeder memory) {
        return _feeders[feeder];
    }

    /// @inheritdoc IPetraMarketState
    function capacityUsed(uint32 prosumer, AssetKind kind, uint64 slot) external view returns (uint256) {
        uint256 block_ = slot >> BLOCK_SHIFT;
        return _counter(_capacity[(uint256(prosumer) << 8) | (uint256(kind) << 7) | (block_ & RING_MASK)], slot);
    }

    /// @inheritdoc IPetraMarketState
    function feederFlow(uint8 feeder, FeederFlow flow, uint64 slot) external view returns (uint256) {
        uint256 block_ = slot >> BLOCK_SHIFT;
        return _counter(_flows[(uint256(feeder) << 16) | (uint256(flow) << 8) | (block_ & RING_MASK)], slot);
    }

    /// @inheritdoc IPetraMarketState
    function reputationOf(address account) external view returns (Reputation memory) {
        return _reputation[account];
    }

    /// @inheritdoc IPetraMarketState
    function costOf(uint256 power, uint256 slots, uint256 price) external pure returns (uint256) {
        return _cost(power, slots, price);
    }

    /// @inheritdoc IPetraMarketState
    function horizonSlot() external view returns (uint64) {
        return _horizon(_currentSlot());
    }

    /// @inheritdoc IPetraMarketState
    function hashMintOrder(MintOrder calldata order) external view returns (bytes32) {
        return _hashMintOrder(order);
    }

    // ============================================================== internal: assets

    function _mint(
        uint32 prosumer,
        address to,
        AssetKind kind,
        uint32 power,
        uint64 first,
        uint64 last,
        uint40 positionHint
    ) private returns (uint256 id) {
        if (to == address(0)) revert IERC1155Errors.ERC1155InvalidReceiver(address(0));
        Prosumer memory p = _prosumers[prosumer];
        if (!p.registered) revert PetraUnknownProsumer(prosumer);
        if (power > MAX_POWER) revert PetraPowerOutOfRange(power, MAX_POWER);
        if (power == 0 || last < first || last - first >= MAX_SLOTS) revert PetraBadInterval(power, first, last);
        uint64 current = _currentSlot();
        if (first <= current) revert PetraSlotNotInFuture(first, current);
        uint64 horizon = _horizon(current);
        if (last > horizon) revert PetraBeyondHorizon(last, horizon);
        bool consumption = kind == AssetKind.Consumption;
        _addCapacity(prosumer, kind, consumption ? p.maxConsumption : p.maxProduction, power, first, last);

        uint256 content = _content(last - first + 1, first, power, p.feeder, consumption);
        uint40 position;
        if (positionHint != 0 && _assets[positionHint] == TOMBSTONE) {
            position = positionHint;
        } else {
            position = _nextPosition;
            _nextPosition = position + 1;
        }
        _assets[position] = uint256(uint160(to)) | (content << 160);
        id = (content << 40) | position;
        emit TransferSingle(msg.sender, address(0), to, id, 1);
        ERC1155Utils.checkOnERC1155Received(msg.sender, address(0), to, id, 1, "");
    }

    /// @dev Cuts the traded portion out of an asset: the matched piece keeps the position,
    /// leftovers (before, after, remaining power) take hinted free positions or new ones.
    /// Returns the ids of all pieces (matched first), or none if the asset was traded whole.
    function _split(
        Positions memory positions,
        uint40 position,
        uint256 word,
        uint256 power,
        uint64 first,
        uint64 last,
        uint256 price
    ) private returns (uint256[] memory ids) {
        uint256 assetPower = _power(word);
        uint64 assetFirst = _first(word);
        uint64 assetLast = _last(word);
        uint8 feeder = _feeder(word);
        bool consumption = _isConsumption(word);
        uint256 owner = word & OWNER_MASK;
        uint256 matched = _content(last - first + 1, first, power, feeder, consumption);
        _assets[position] = owner | (matched << 160) | (MATCHED << STATUS_SHIFT) | (price << PRICE_SHIFT);
        if (first == assetFirst && last == assetLast && power == assetPower) return ids; // exact: same id

        ids = new uint256[](1 + (first > assetFirst ? 1 : 0) + (last < assetLast ? 1 : 0) + (power < assetPower ? 1 : 0));
        ids[0] = (matched << 40) | position;
        uint256 n = 1;
        if (first > assetFirst) {
            ids[n++] = _place(positions, owner, _content(first - assetFirst, assetFirst, assetPower, feeder, consumption));
        }
        if (last < assetLast) {
            ids[n++] = _place(positions, owner, _content(assetLast - last, last + 1, assetPower, feeder, consumption));
        }
        if (power < assetPower) {
            ids[n++] = _place(positions, owner, _content(last - first + 1, first, assetPower - power, feeder, consumption));
        }
    }

    /// @dev Stores a held leftover piece at the next usable hinted position (a freed one) or a
    /// new position; returns its id.
    function _place(Positions memory positions, uint256 owner, uint256 content) private returns (uint256) {
        uint40 position;
        while (positions.hints != 0 && position == 0) {
            uint40 hint = uint40(positions.hints);
            positions.hints >>= 40;
            if (hint != 0 && _assets[hint] == TOMBSTONE) position = hint;
        }
        if (position == 0) {
            if (positions.next == 0) positions.next = _nextPosition;
            position = positions.next++;
        }
        _assets[position] = owner | (content << 160);
        return (content << 40) | position;
    }

    /// @dev ERC-1155 view of a split, after every effect of the trade: the old id burned, the
    /// pieces minted to the same owner, and the owner's acceptance check.
    function _announceSplit(uint256 id, address owner, uint256[] memory pieces) private {
        if (pieces.length == 0) return;
        uint256[] memory values = new uint256[](pieces.length);
        for (uint256 i = 0; i < pieces.length; ++i) {
            values[i] = 1;
        }
        emit TransferSingle(msg.sender, owner, address(0), id, 1);
        emit TransferBatch(msg.sender, address(0), owner, pieces, values);
        ERC1155Utils.checkOnERC1155BatchReceived(msg.sender, address(0), owner, pieces, values, "");
    }

    function _move(address from, address to, uint256 id, uint256 value) private {
        uint256 balance = balanceOf(from, id);
        if (value > balance) revert IERC1155Errors.ERC1155InsufficientBalance(from, balance, value, id);
        if (value == 0) return;
        uint40 position = uint40(id);
        uint256 word = _assets[position];
        uint256 status = _status(word);
        if (status != HELD) revert PetraAssetNotHeld(id, AssetStatus(status));
        _assets[position] = (word & ~OWNER_MASK) | uint256(uint160(to));
    }

    function _checkTransfer(address from, address to) private view {
        if (to == address(0)) revert IERC1155Errors.ERC1155InvalidReceiver(address(0));
        if (from == address(0)) revert IERC1155Errors.ERC1155InvalidSender(address(0));
        if (from != msg.sender && !_operatorApprovals[from][msg.sender]) {
            revert IERC1155Errors.ERC1155MissingApprovalForAll(msg.sender, from);
        }
    }

    /// @dev The live asset `id`: its position and storage word. Reverts for anything else.
    function _load(uint256 id) private view returns (uint40 position, uint256 word) {
        position = uint40(id);
        word = _assets[position];
        if (uint160(word) == 0 || id >> 105 != 0 || ((word >> 160) & CONTENT_MASK) != id >> 40) {
            revert PetraUnknownAsset(id);
        }
    }

    function _checkOwnerHeld(uint256 id, uint256 word) private view {
        address owner = address(uint160(word));
        if (owner != msg.sender) revert PetraNotOwner(id, msg.sender, owner);
        uint256 status = _status(word);
        if (status != HELD) revert PetraAssetNotHeld(id, AssetStatus(status));
    }

    function _checkPortion(uint256 id, uint256 word, uint256 power, uint64 first, uint64 last) private pure {
        uint64 assetFirst = _first(word);
        uint64 assetLast = _last(word);
        if (first < assetFirst || last > assetLast) {
            revert PetraPortionOutsideInterval(id, first, last, assetFirst, assetLast);
        }
        uint256 assetPower = _power(word);
        if (power > assetPower) revert PetraPortionExceedsPower(id, power, assetPower);
    }

    // ============================================================== internal: limits

    /// @dev Adds `power` to the prosumer's per-slot counters of `kind` over `[first, last]`,
    /// refusing the first slot where the sum would exceed `capacity`.
    function _addCapacity(uint32 prosumer, AssetKind kind, uint256 capacity, uint256 power, uint64 first, uint64 last)
        private
    {
        (uint64 slot, uint256 sum) =
            _addCounters(_capacity, (uint256(prosumer) << 8) | (uint256(kind) << 7), capacity, power, first, last);
        if (sum != 0) revert PetraCapacityExceeded(prosumer, kind, slot, capacity, sum);
    }

    /// @dev Counts a trade's power against the feeders' limits over `[first, last]`: the
    /// internal limit when producer and consumer share a feeder, else the producer's feeder's
    /// export and the consumer's feeder's import (each against its exchange limit).
    function _addFlows(uint8 producerFeeder, uint8 consumerFeeder, uint256 power, uint64 first, uint64 last) private {
        Feeder memory pf = _feeders[producerFeeder];
        if (producerFeeder == consumerFeeder) {
            _addFlow(producerFeeder, FeederFlow.Internal, pf.internalLimit, power, first, last);
        } else {
            _addFlow(producerFeeder, FeederFlow.Export, pf.exchangeLimit, power, first, last);
            _addFlow(consumerFeeder, FeederFlow.Import, _feeders[consumerFeeder].exchangeLimit, power, first, last);
        }
    }

    function _addFlow(uint8 feeder, FeederFlow flow, uint256 limit, uint256 power, uint64 first, uint64 last) private {
        (uint64 slot, uint256 sum) =
            _addCounters(_flows, (uint256(feeder) << 16) | (uint256(flow) << 8), limit, power, first, last);
        if (sum != 0) revert PetraFeederLimitExceeded(feeder, flow, slot, limit, sum);
    }

    /// @dev Adds `power` to the per-slot counters of ring `base` in `counters` over `[first,
    /// last]`, one word per block of 8 slots. Returns the first slot whose sum would exceed
    /// `limit` and that sum (nothing is written then; the caller reverts), else (0, 0).
    function _addCounters(
        mapping(uint256 => uint256) storage counters,
        uint256 base,
        uint256 limit,
        uint256 power,
        uint64 first,
        uint64 last
    ) private returns (uint64, uint256) {
        uint256 slot = first;
        while (slot <= last) {
            uint256 block_ = slot >> BLOCK_SHIFT;
            uint256 key = base | (block_ & RING_MASK);
            uint256 word = _fresh(counters[key], block_);
            uint256 end = (block_ << BLOCK_SHIFT) | 7;
            if (end > last) end = last;
            for (; slot <= end; ++slot) {
                uint256 shift = (slot & 7) * COUNTER_BITS;
                uint256 sum = ((word >> shift) & COUNTER_MASK) + power;
                if (sum > limit) return (uint64(slot), sum);
                word = (word & ~(COUNTER_MASK << shift)) | (sum << shift);
            }
            counters[key] = word;
        }
        return (0, 0);
    }

    /// @dev A ring word for `block_`: as stored if it holds that block, else empty counters
    /// tagged with it (the stored block is at least a ring's length in the past).
    function _fresh(uint256 word, uint256 block_) private pure returns (uint256) {
        return word >> TAG_SHIFT == block_ ? word : block_ << TAG_SHIFT;
    }

    function _counter(uint256 word, uint64 slot) private pure returns (uint256) {
        if (word >> TAG_SHIFT != slot >> BLOCK_SHIFT) return 0;
        return (word >> ((slot & 7) * COUNTER_BITS)) & COUNTER_MASK;
    }

    function _horizon(uint64 current) private pure returns (uint64) {
        uint256 horizon = uint256(current) + HORIZON;
        return uint64(horizon > MAX_SLOT ? MAX_SLOT : horizon);
    }

    // ============================================================== internal: encoding

    function _hashMintOrder(MintOrder calldata order) private view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(MINT_TYPEHASH, order)));
    }

    function _cost(uint256 power, uint256 slots, uint256 price) private pure returns (uint256) {
        return power * slots * price / WATT_SLOTS_PER_MWH;
    }

    function _content(uint256 count, uint256 first, uint256 power, uint8 feeder, bool consumption)
        private
        pure
        returns (uint256)
    {
        return count | (first << 8) | (power << 32) | (uint256(feeder) << 56) | ((consumption ? uint256(1) : 0) << 64);
    }

    function _idOf(uint256 word, uint40 position) private pure returns (uint256) {
        return (((word >> 160) & CONTENT_MASK) << 40) | position;
    }

    function _count(uint256 word) private pure returns (uint256) {
        return uint8(word >> 160);
    }

    function _first(uint256 word) private pure returns (uint64) {
        return uint64(uint24(word >> 168));
    }

    function _last(uint256 word) private pure returns (uint64) {
        return uint64(uint24(word >> 168)) + uint8(word >> 160) - 1;
    }

    function _power(uint256 word) private pure returns (uint256) {
        return uint24(word >> 192);
    }

    function _feeder(uint256 word) private pure returns (uint8) {
        return uint8(word >> 216);
    }

    function _isConsumption(uint256 word) private pure returns (bool) {
        return (word >> 224) & 1 == 1;
    }

    function _status(uint256 word) private pure returns (uint256) {
        return (word >> STATUS_SHIFT) & 3;
    }

    function _price(uint256 word) private pure returns (uint256) {
        return word >> PRICE_SHIFT;
    }
}
