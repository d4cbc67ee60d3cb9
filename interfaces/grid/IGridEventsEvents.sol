// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title Events of the grid event ledger
/// @notice Emitted right after each state change; bills are built from these logs alone.
interface IGridEventsEvents {
    /// @notice The operator registered a grid location.
    event GridLocationRegistered(bytes32 indexed location);
    /// @notice The operator registered (or moved) a storage sensor to a grid location.
    event GridSensorRegistered(address indexed sensor, bytes32 indexed location);
    /// @notice The operator revoked a storage sensor.
    event GridSensorRevoked(address indexed sensor, bytes32 indexed location);
    /// @notice The operator registered (or moved) a delivery device to a grid location.
    event GridDeviceRegistered(address indexed device, bytes32 indexed location);
    /// @notice The operator revoked a delivery device.
    event GridDeviceRevoked(address indexed device, bytes32 indexed location);
    /// @notice The operator set a location's rate (payment-asset units per kWh).
    event GridRateSet(bytes32 indexed location, uint256 ratePerKWh);
    /// @notice The operator set who receives the payments for delivered energy.
    event GridPayeeSet(address indexed payee);
    /// @notice A sensor recorded the storage state of its grid location (paper: storage event);
    /// `ratePerKWh` is the location's current rate, set by the operator.
    event StorageRecorded(
        bytes32 indexed location,
        address indexed sensor,
        uint256 capacityWh,
        uint256 availableWh,
        uint256 ratePerKWh,
        uint256 storageCount
    );
    /// @notice A purchaser bought energy from a location's storage (paper: purchase event);
    /// `cost` = ⌈rate × quantity / 1000⌉ is frozen in the purchaser's balance until delivered
    /// (paid to the payee) or cancelled (returned); `date` is the block time.
    event PurchaseRecorded(
        address indexed purchaser,
        bytes32 indexed location,
        uint256 purchaseId,
        uint256 quantityWh,
        uint256 ratePerKWh,
        uint256 cost,
        uint256 date,
        uint256 deliverBy
    );
    /// @notice A device delivered (part of) a purchase (paper: transfer event); `cost` is what
    /// this delivery paid to the payee out of the purchase's frozen cost.
    event TransferRecorded(
        address indexed purchaser,
        bytes32 indexed location,
        address indexed device,
        uint256 purchaseId,
        bytes32 deviceName,
        uint256 amountWh,
        uint256 start,
        uint256 end,
        uint256 cost,
        uint256 transferCount
    );
    /// @notice A purchase was cancelled; its undelivered energy went back to the location's
    /// storage and its unpaid cost back to the purchaser's free balance.
    event PurchaseCancelled(
        address indexed purchaser, bytes32 indexed location, uint256 purchaseId, uint256 undeliveredWh, uint256 refund
    );
    /// @notice A bill's content identifier (sha2-256 digest of a CIDv0) was anchored under the purchaser.
    event BillAnchored(address indexed purchaser, bytes32 indexed digest, uint256 billCount);
}
