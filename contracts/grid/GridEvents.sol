// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IGridEvents} from "interfaces/grid/IGridEvents.sol";

/// @title GridEvents: storage, purchase, transfer and bill events of a smart power grid
/// @notice Typed, validated version of the Smart Power Grid Dapp (Vashistha & Barbhuiya 2019).
///         The operator (owner) registers grid locations and their sensors/devices; sensors
///         record storage, purchasers record their own purchases, devices record transfers,
///         purchasers anchor their bills (IPFS CIDv0 digests).
/// @dev Invariants: for every location, availableWh <= capacityWh after each storage record and
///      only decreases between storage records by the quantities purchased there; every
///      purchase's deliveredWh <= quantityWh; a purchase's cost is rate x quantity with the
///      rate of the location's latest storage record; a bill digest is anchored at most once,
///      and only for a purchaser with at least one purchase and one transfer. Each location and
///      purchaser record fits one storage slot (gas).
contract GridEvents is IGridEvents, Ownable {
    mapping(bytes32 location => Location) private _locations;
    mapping(address device => bytes32 location) private _devices;
    mapping(bytes32 location => mapping(address purchaser => mapping(uint256 id => Purchase))) private _purchases;
    mapping(address purchaser => Purchaser) private _purchasers;
    mapping(bytes32 digest => BillRecord) private _bills;

    /// @param operator The grid operator (owner) who registers locations and devices.
    constructor(address operator) Ownable(operator) {}

    // ---- operator -----------------------------------------------------------------------

    /// @inheritdoc IGridEvents
    function registerLocation(bytes32 location) external onlyOwner {
        if (location == bytes32(0)) revert GridZeroLocation();
        Location storage loc = _locations[location];
        if (loc.registered) revert GridLocationExists(location);
        // A non-zero slot from the start keeps every later storage record at the cheap
        // non-zero -> non-zero SSTORE price.
        loc.registered = true;
        emit GridLocationRegistered(location);
    }

    /// @inheritdoc IGridEvents
    function registerDevice(address device, bytes32 location) external onlyOwner {
        if (!_locations[location].registered) revert GridLocationUnknown(location);
        _devices[device] = location;
        emit GridDeviceRegistered(device, location);
    }

    /// @inheritdoc IGridEvents
    function revokeDevice(address device) external onlyOwner {
        bytes32 location = _devices[device];
        if (location == bytes32(0)) revert GridDeviceNotRegistered(device);
        delete _devices[device];
        emit GridDeviceRevoked(device, location);
    }

    // ---- events of the paper ------------------------------------------------------------

    /// @inheritdoc IGridEvents
    function recordStorage(uint64 capacityWh, uint64 availableWh, uint64 rateMilliPerKWh)
        external
        returns (uint256 storageCount_)
    {
        bytes32 location = _deviceLocation(msg.sender);
        if (capacityWh == 0 || rateMilliPerKWh == 0) revert GridStorageInvalid(capacityWh, rateMilliPerKWh);
        if (availableWh > capacityWh) revert GridStorageExceedsCapacity(availableWh, capacityWh);
        Location storage loc = _locations[location];
        storageCount_ = uint256(loc.storageCount) + 1;
        loc.capacityWh = capacityWh;
        loc.availableWh = availableWh;
        loc.rateMilliPerKWh = rateMilliPerKWh;
        loc.storageCount = uint32(storageCount_);
        emit StorageRecorded(location, msg.sender, capacityWh, availableWh, rateMilliPerKWh, storageCount_);
    }

    /// @inheritdoc IGridEvents
    function recordPurchase(bytes32 location, uint64 quantityWh) external returns (uint256 purchaseCount) {
        Location storage loc = _locations[location];
        if (loc.storageCount == 0) revert GridNoStorageRecord(location);
        if (quantityWh == 0) revert GridZeroQuantity();
        uint64 available = loc.availableWh;
        if (quantityWh > available) revert GridPurchaseExceedsStorage(quantityWh, available);
        uint64 rate = loc.rateMilliPerKWh;
        loc.availableWh = available - quantityWh;

        Purchaser storage p = _purchasers[msg.sender];
        uint256 purchaseId = p.purchases;
        purchaseCount = purchaseId + 1;
        p.purchases = uint32(purchaseCount);
        _purchases[location][msg.sender][purchaseId] =
            Purchase({quantityWh: quantityWh, deliveredWh: 0, rateMilliPerKWh: rate, date: uint40(block.timestamp)});
        emit PurchaseRecorded(
            msg.sender, location, purchaseId, quantityWh, rate, uint256(rate) * quantityWh, block.timestamp
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
        if (end <= start) revert GridTransferEndsBeforeStart(start, end);
        (bytes32 location, uint256 totalCostMicro) = _deliver(purchaser, purchaseId, amountWh);
        Purchaser storage p = _purchasers[purchaser];
        transferCount = uint256(p.transfers) + 1;
        p.transfers = uint32(transferCount);
        emit TransferRecorded(
            purchaser, location, msg.sender, purchaseId, deviceName, amountWh, start, end, totalCostMicro, transferCount
        );
    }

    /// @inheritdoc IGridEvents
    function anchorBill(bytes32 digest) external returns (uint256 billCount) {
        if (digest == bytes32(0)) revert GridZeroBillDigest();
        Purchaser storage p = _purchasers[msg.sender];
        Purchaser memory counts = p;
        if (counts.purchases == 0) revert GridBillWithoutPurchase(msg.sender);
        if (counts.transfers == 0) revert GridBillWithoutTransfer(msg.sender);
        BillRecord storage bill = _bills[digest];
        if (bill.purchaser != address(0)) revert GridBillAlreadyAnchored(digest, bill.purchaser);
        billCount = uint256(counts.bills) + 1;
        p.bills = uint32(billCount);
        _bills[digest] =
            BillRecord({purchaser: msg.sender, index: uint32(billCount - 1), anchoredAt: uint40(block.timestamp)});
        emit BillAnchored(msg.sender, digest, billCount);
    }

    // ---- state --------------------------------------------------------------------------

    /// @inheritdoc IGridEvents
    function locationOf(bytes32 location) external view returns (Location memory) {
        return _locations[location];
    }

    /// @inheritdoc IGridEvents
    function deviceLocation(address device) external view returns (bytes32) {
        return _devices[device];
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
    function billOf(bytes32 digest) external view returns (BillRecord memory) {
        return _bills[digest];
    }

    /// @inheritdoc IGridEvents
    function storageCount(bytes32 location) external view returns (uint256) {
        return _locations[location].storageCount;
    }

    /// @dev Checks the caller's device registration and the purchase, books `amountWh` as delivered.
    function _deliver(address purchaser, uint256 purchaseId, uint64 amountWh)
        private
        returns (bytes32 location, uint256 totalCostMicro)
    {
        location = _deviceLocation(msg.sender);
        if (amountWh == 0) revert GridZeroQuantity();
        Purchase storage purchase = _purchases[location][purchaser][purchaseId];
        uint64 quantity = purchase.quantityWh;
        if (quantity == 0) revert GridUnknownPurchase(purchaser, purchaseId, location);
        uint64 delivered = purchase.deliveredWh;
        uint64 remaining = quantity - delivered;
        if (amountWh > remaining) revert GridTransferExceedsPurchase(amountWh, remaining);
        purchase.deliveredWh = delivered + amountWh;
        totalCostMicro = uint256(purchase.rateMilliPerKWh) * amountWh;
    }

    function _deviceLocation(address device) private view returns (bytes32 location) {
        location = _devices[device];
        if (location == bytes32(0)) revert GridDeviceNotRegistered(device);
    }
}
