// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {FundsLedger} from "contracts/common/FundsLedger.sol";
import {Governed} from "contracts/common/Governed.sol";
import {IGridEvents} from "interfaces/grid/IGridEvents.sol";

/// @title GridEvents: storage, purchase, transfer and bill events of a smart power grid
/// @notice Typed, validated version of the Smart Power Grid Dapp (Vashistha & Barbhuiya 2019),
///         with money behind the purchases. The operator (GOVERNOR_ROLE) registers grid
///         locations, their storage sensors and their delivery devices (two roles: a sensor
///         cannot deliver, a device cannot report storage) and sets each location's rate;
///         sensors record storage; purchasers buy from storage, which freezes the cost in
///         their balance of the shared funds ledger (so reserving storage is never free);
///         devices record transfers, each paying its share of the cost to the operator's
///         payee; undelivered energy can be cancelled after the deadline and its cost comes
///         back; purchasers anchor their bills (IPFS CIDv0 digests) under their own address.
/// @dev Invariants: for every location, availableWh <= capacityWh after each storage record and
///      changes between storage records only by purchases (down) and cancellations (up, never
///      past capacity); every purchase's deliveredWh <= quantityWh; a purchase's cost is
///      ⌈rate × quantity / 1000⌉ with the rate at purchase time, and the part of it paid to the
///      payee after deliveries of d Wh is ⌈rate × d / 1000⌉, so a purchase never pays more than
///      its cost and its frozen remainder equals cost − paid until it is delivered or cancelled;
///      held == Σ ledger balances (payments move balances inside the ledger); a purchaser
///      anchors each bill digest at most once, and only after a purchase and a transfer.
contract GridEvents is IGridEvents, Governed, FundsLedger {
    /// @notice Latest delivery deadline a purchase may set, from the time of purchase.
    uint256 public constant MAX_DELIVERY_WINDOW = 30 days;

    mapping(bytes32 location => Location) private _locations;
    mapping(address sensor => bytes32 location) private _sensors;
    mapping(address device => bytes32 location) private _devices;
    mapping(bytes32 location => mapping(address purchaser => mapping(uint256 id => Purchase))) private _purchases;
    mapping(address purchaser => Purchaser) private _purchasers;
    mapping(address purchaser => mapping(bytes32 digest => BillRecord)) private _bills;
    address private _payee;

    /// @param operator The grid operator: governs locations, sensors, devices and rates, and
    ///        receives the payments until it names another payee.
    /// @param asset The payment asset of purchases: an ERC-20 token, or `address(0)` for ether.
    constructor(address operator, address asset) Governed(operator) FundsLedger(asset) {
        _setPayee(operator);
    }

    // ---- operator -----------------------------------------------------------------------

    /// @inheritdoc IGridEvents
    function registerLocation(bytes32 location) external onlyRole(GOVERNOR_ROLE) {
        if (location == bytes32(0)) revert GridZeroLocation();
        Location storage loc = _locations[location];
        if (loc.registered) revert GridLocationExists(location);
        // A non-zero slot from the start keeps every later storage record at the cheap
        // non-zero -> non-zero SSTORE price.
        loc.registered = true;
        emit GridLocationRegistered(location);
    }

    /// @inheritdoc IGridEvents
    function registerSensor(address sensor, bytes32 location) external onlyRole(GOVERNOR_ROLE) {
        _checkLocation(location);
        if (_devices[sensor] != bytes32(0)) revert GridRoleTaken(sensor);
        _sensors[sensor] = location;
        emit GridSensorRegistered(sensor, location);
    }

    /// @inheritdoc IGridEvents
    function revokeSensor(address sensor) external onlyRole(GOVERNOR_ROLE) {
        bytes32 location = _sensors[sensor];
        if (location == bytes32(0)) revert GridSensorNotRegistered(sensor);
        delete _sensors[sensor];
        emit GridSensorRevoked(sensor, location);
    }

    /// @inheritdoc IGridEvents
    function registerDevice(address device, bytes32 location) external onlyRole(GOVERNOR_ROLE) {
        _checkLocation(location);
        if (_sensors[device] != bytes32(0)) revert GridRoleTaken(device);
        _devices[device] = location;
        emit GridDeviceRegistered(device, location);
    }

    /// @inheritdoc IGridEvents
    function revokeDevice(address device) external onlyRole(GOVERNOR_ROLE) {
        bytes32 location = _devices[device];
        if (location == bytes32(0)) revert GridDeviceNotRegistered(device);
        delete _devices[device];
        emit GridDeviceRevoked(device, location);
    }

    /// @inheritdoc IGridEvents
    function setRate(bytes32 location, uint64 ratePerKWh) external onlyRole(GOVERNOR_ROLE) {
        _checkLocation(location);
        if (ratePerKWh == 0) revert GridZeroRate(location);
        _locations[location].ratePerKWh = ratePerKWh;
        emit GridRateSet(location, ratePerKWh);
    }

    /// @inheritdoc IGridEvents
    function setPayee(address payee_) external onlyRole(GOVERNOR_ROLE) {
        _setPayee(payee_);
    }

    // ---- events of the paper ------------------------------------------------------------

    /// @inheritdoc IGridEvents
    function recordStorage(uint64 capacityWh, uint64 availableWh) external returns (uint256 storageCount_) {
        bytes32 location = _sensors[msg.sender];
        if (location == bytes32(0)) revert GridSensorNotRegistered(msg.sender);
        if (capacityWh == 0) revert GridZeroCapacity();
        if (availableWh > capacityWh) revert GridStorageExceedsCapacity(availableWh, capacityWh);
        Location storage loc = _locations[location];
        storageCount_ = uint256(loc.storageCount) + 1;
        loc.capacityWh = capacityWh;
        loc.availableWh = availableWh;
        loc.storageCount = uint32(storageCount_);
        emit StorageRecorded(location, msg.sender, capacityWh, availableWh, loc.ratePerKWh, storageCount_);
    }

    /// @inheritdoc IGridEvents
    function recordPurchase(bytes32 location, uint64 quantityWh, uint40 deliverBy)
        external
        returns (uint256 purchaseCount)
    {
        Location memory loc = _locations[location];
        if (loc.storageCount == 0 || loc.ratePerKWh == 0) {
            revert GridNotForSale(location, loc.storageCount, loc.ratePerKWh);
        }
        if (quantityWh == 0) revert GridZeroQuantity();
        if (quantityWh > type(uint48).max) revert GridQuantityTooLarge(quantityWh);
        if (quantityWh > loc.availableWh) revert GridPurchaseExceedsStorage(quantityWh, loc.availableWh);
        uint256 maxDeadline = block.timestamp + MAX_DELIVERY_WINDOW;
        if (deliverBy <= block.timestamp || deliverBy > maxDeadline) {
            revert GridDeliveryDeadlineInvalid(deliverBy, block.timestamp, maxDeadline);
        }
        uint256 cost = _costOf(quantityWh, loc.ratePerKWh);
        _freeze(msg.sender, cost); // FundsInsufficient: reserving storage is never free
        _locations[location].availableWh = loc.availableWh - quantityWh;

        Purchaser storage p = _purchasers[msg.sender];
        uint256 purchaseId = p.purchases;
        purchaseCount = purchaseId + 1;
        p.purchases = uint32(purchaseCount);
        _purchases[location][msg.sender][purchaseId] = Purchase({
            quantityWh: uint48(quantityWh),
            deliveredWh: 0,
            ratePerKWh: loc.ratePerKWh,
            date: uint40(block.timestamp),
            deliverBy: deliverBy,
            closed: false
        });
        emit PurchaseRecorded(
            msg.sender, location, purchaseId, quantityWh, loc.ratePerKWh, cost, block.timestamp, deliverBy
        );
    }

    /// @inheritdoc IGridEvents
    function recordTransfer(
        address purchaser,
        uint256 purchaseId,
        bytes32 deviceName,
        uint64 amountWh,
        uint40 start,
        uint40 end
    ) external returns (uint256 transferCount) {
        bytes32 location = _devices[msg.sender];
        if (location == bytes32(0)) revert GridDeviceNotRegistered(msg.sender);
        if (end <= start) revert GridTransferEndsBeforeStart(start, end);
        if (amountWh == 0) revert GridZeroQuantity();
        Purchase storage purchase = _openPurchase(location, purchaser, purchaseId);
        uint256 delivered = purchase.deliveredWh;
        uint256 remaining = purchase.quantityWh - delivered;
        if (amountWh > remaining) revert GridTransferExceedsPurchase(amountWh, remaining);
        uint256 rate = purchase.ratePerKWh;
        uint256 cost = _costOf(delivered + amountWh, rate) - _costOf(delivered, rate);
        purchase.deliveredWh = uint48(delivered + amountWh);
        Purchaser storage p = _purchasers[purchaser];
        transferCount = uint256(p.transfers) + 1;
        p.transfers = uint32(transferCount);
        _debitFrozen(purchaser, cost);
        _credit(_payee, cost);
        emit TransferRecorded(
            purchaser, location, msg.sender, purchaseId, deviceName, amountWh, start, end, cost, transferCount
        );
    }

    /// @inheritdoc IGridEvents
    function cancelPurchase(address purchaser, bytes32 location, uint256 purchaseId) external {
        Purchase storage purchase = _openPurchase(location, purchaser, purchaseId);
        uint256 deliverBy = purchase.deliverBy;
        bool allowed = msg.sender == purchaser ? block.timestamp > deliverBy : hasRole(GOVERNOR_ROLE, msg.sender);
        if (!allowed) revert GridCancelNotAllowed(msg.sender, deliverBy);
        uint256 quantity = purchase.quantityWh;
        uint256 delivered = purchase.deliveredWh;
        uint256 rate = purchase.ratePerKWh;
        uint256 refund = _costOf(quantity, rate) - _costOf(delivered, rate);
        purchase.closed = true;
        Location storage loc = _locations[location];
        uint256 available = loc.availableWh + (quantity - delivered);
        loc.availableWh = uint64(available > loc.capacityWh ? loc.capacityWh : available);
        _unfreeze(purchaser, refund);
        emit PurchaseCancelled(purchaser, location, purchaseId, quantity - delivered, refund);
    }

    /// @inheritdoc IGridEvents
    function anchorBill(bytes32 digest) external returns (uint256 billCount) {
        if (digest == bytes32(0)) revert GridZeroBillDigest();
        Purchaser storage p = _purchasers[msg.sender];
        Purchaser memory counts = p;
        if (counts.purchases == 0) revert GridBillWithoutPurchase(msg.sender);
        if (counts.transfers == 0) revert GridBillWithoutTransfer(msg.sender);
        BillRecord storage bill = _bills[msg.sender][digest];
        if (bill.anchoredAt != 0) revert GridBillAlreadyAnchored(digest, msg.sender);
        billCount = uint256(counts.bills) + 1;
        p.bills = uint32(billCount);
        bill.index = uint32(billCount - 1);
        bill.anchoredAt = uint40(block.timestamp);
        emit BillAnchored(msg.sender, digest, billCount);
    }

    // ---- state --------------------------------------------------------------------------

    /// @inheritdoc IGridEvents
    function locationOf(bytes32 location) external view returns (Location memory) {
        return _locations[location];
    }

    /// @inheritdoc IGridEvents
    function sensorLocation(address sensor) external view returns (bytes32) {
        return _sensors[sensor];
    }

    /// @inheritdoc IGridEvents
    function deviceLocation(address device) external view returns (bytes32) {
        return _devices[device];
    }

    /// @inheritdoc IGridEvents
    function payee() external view returns (address) {
        return _payee;
    }

    /// @inheritdoc IGridEvents
    function purchaseOf(bytes32 location, address purchaser, uint256 purchaseId)
        external
        view
        returns (Purchase memory)
    {
        return _purchases[location][purchaser][purchaseId];
    }

    /// @inheritdoc IGridEvents
    function purchaserOf(address purchaser) external view returns (Purchaser memory) {
        return _purchasers[purchaser];
    }

    /// @inheritdoc IGridEvents
    function billOf(address purchaser, bytes32 digest) external view returns (BillRecord memory) {
        return _bills[purchaser][digest];
    }

    /// @inheritdoc IGridEvents
    function storageCount(bytes32 location) external view returns (uint256) {
        return _locations[location].storageCount;
    }

    /// @inheritdoc IGridEvents
    function costOf(uint256 quantityWh, uint256 ratePerKWh) external pure returns (uint256) {
        return _costOf(quantityWh, ratePerKWh);
    }

    // ---- internal -----------------------------------------------------------------------

    function _costOf(uint256 quantityWh, uint256 ratePerKWh) private pure returns (uint256) {
        return (quantityWh * ratePerKWh + 999) / 1000;
    }

    function _openPurchase(bytes32 location, address purchaser, uint256 purchaseId)
        private
        view
        returns (Purchase storage purchase)
    {
        purchase = _purchases[location][purchaser][purchaseId];
        if (purchase.quantityWh == 0) revert GridUnknownPurchase(purchaser, purchaseId, location);
        if (purchase.closed) revert GridPurchaseClosed(purchaser, purchaseId);
    }

    function _checkLocation(bytes32 location) private view {
        if (!_locations[location].registered) revert GridLocationUnknown(location);
    }

    function _setPayee(address payee_) private {
        if (payee_ == address(0)) revert GridZeroPayee();
        _payee = payee_;
        emit GridPayeeSet(payee_);
    }
}
