// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title Events of the grid event ledger
/// @notice Each event carries the full record, so an indexer can rebuild the history from logs
///         alone. Units: energy in Wh, rates in milli-units of currency per kWh, costs in
///         micro-units of currency (rate x Wh), times in unix seconds (the block time of the
///         log is the record's time where no time field is given).
interface IGridEventsEvents {
    /// @notice The operator registered a grid location.
    event GridLocationRegistered(bytes32 indexed location);
    /// @notice The operator registered (or moved) a sensor/device to a grid location.
    event GridDeviceRegistered(address indexed device, bytes32 indexed location);
    /// @notice The operator revoked a sensor/device.
    event GridDeviceRevoked(address indexed device, bytes32 indexed location);
    /// @notice A sensor recorded the storage state of its grid location (paper: storage event).
    event StorageRecorded(
        bytes32 indexed location,
        address indexed sensor,
        uint256 capacityWh,
        uint256 availableWh,
        uint256 rateMilliPerKWh,
        uint256 storageCount
    );
    /// @notice A purchaser bought energy from a location's storage (paper: purchase event).
    /// @dev `costMicro` = rate x quantity, computed by the contract; `date` is the block time.
    event PurchaseRecorded(
        address indexed purchaser,
        bytes32 indexed location,
        uint256 purchaseId,
        uint256 quantityWh,
        uint256 rateMilliPerKWh,
        uint256 costMicro,
        uint256 date
    );
    /// @notice A device delivered (part of) a purchase (paper: transfer event).
    event TransferRecorded(
        address indexed purchaser,
        bytes32 indexed location,
        address indexed device,
        uint256 purchaseId,
        bytes32 deviceName,
        uint256 amountWh,
        uint256 start,
        uint256 end,
        uint256 totalCostMicro,
        uint256 transferCount
    );
    /// @notice A bill's content identifier (sha2-256 digest of a CIDv0) was anchored under the purchaser.
    event BillAnchored(address indexed purchaser, bytes32 indexed digest, uint256 billCount);
}
