// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title Errors of the grid event ledger
/// @notice Every refusal of GridEvents is one of these custom errors (prefix `Grid`).
interface IGridEventsErrors {
    /// @notice A location id of zero is reserved for "not registered".
    error GridZeroLocation();
    /// @notice The grid location was already registered by the operator.
    error GridLocationExists(bytes32 location);
    /// @notice The grid location was never registered by the operator.
    error GridLocationUnknown(bytes32 location);
    /// @notice The caller is not a sensor/device registered for any grid location.
    error GridDeviceNotRegistered(address device);
    /// @notice A storage record needs a non-zero capacity and rate.
    error GridStorageInvalid(uint256 capacityWh, uint256 rateMilliPerKWh);
    /// @notice The reported available storage is larger than the grid capacity.
    error GridStorageExceedsCapacity(uint256 availableWh, uint256 capacityWh);
    /// @notice A purchase at a location that has no storage record yet.
    error GridNoStorageRecord(bytes32 location);
    /// @notice A purchase or transfer of zero Wh.
    error GridZeroQuantity();
    /// @notice The purchase asks for more than the location's available storage.
    error GridPurchaseExceedsStorage(uint256 quantityWh, uint256 availableWh);
    /// @notice No purchase with this id exists for the purchaser at the device's location.
    error GridUnknownPurchase(address purchaser, uint256 purchaseId, bytes32 location);
    /// @notice A transfer must end strictly after it starts.
    error GridTransferEndsBeforeStart(uint256 start, uint256 end);
    /// @notice The transfer delivers more than what is left of the purchase.
    error GridTransferExceedsPurchase(uint256 amountWh, uint256 remainingWh);
    /// @notice A bill needs at least one purchase (hence a storage record) by the purchaser.
    error GridBillWithoutPurchase(address purchaser);
    /// @notice A bill needs at least one transfer to the purchaser.
    error GridBillWithoutTransfer(address purchaser);
    /// @notice A bill digest of zero is not a content identifier.
    error GridZeroBillDigest();
    /// @notice This bill (content digest) is already anchored, possibly for someone else.
    error GridBillAlreadyAnchored(bytes32 digest, address purchaser);
}
