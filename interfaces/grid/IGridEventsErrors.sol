// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title Errors of the grid event ledger
/// @notice Every refusal, with the values that caused it. Funds refusals (`FundsInsufficient`
/// for a purchase the purchaser cannot pay) come from the shared ledger's errors.
interface IGridEventsErrors {
    /// @notice A location id of zero is reserved for "not registered".
    error GridZeroLocation();
    /// @notice The grid location was already registered by the operator.
    error GridLocationExists(bytes32 location);
    /// @notice The grid location was never registered by the operator.
    error GridLocationUnknown(bytes32 location);
    /// @notice The caller is not a sensor registered for any grid location (only sensors record storage).
    error GridSensorNotRegistered(address sensor);
    /// @notice The caller is not a delivery device registered for any grid location (only devices record transfers).
    error GridDeviceNotRegistered(address device);
    /// @notice An address is either a sensor or a delivery device, never both.
    error GridRoleTaken(address account);
    /// @notice A storage record needs a non-zero capacity.
    error GridZeroCapacity();
    /// @notice A rate must be non-zero.
    error GridZeroRate(bytes32 location);
    /// @notice The reported available storage is larger than the grid capacity.
    error GridStorageExceedsCapacity(uint256 availableWh, uint256 capacityWh);
    /// @notice A purchase at a location that has no storage record or no rate yet.
    error GridNotForSale(bytes32 location, uint256 storageCount, uint256 ratePerKWh);
    /// @notice A purchase or transfer of zero Wh.
    error GridZeroQuantity();
    /// @notice A quantity above 2^48 - 1 Wh.
    error GridQuantityTooLarge(uint256 quantityWh);
    /// @notice The purchase asks for more than the location's available storage.
    error GridPurchaseExceedsStorage(uint256 quantityWh, uint256 availableWh);
    /// @notice A purchase's delivery deadline must lie after now and at most `maxDeadline`.
    error GridDeliveryDeadlineInvalid(uint256 deliverBy, uint256 nowTimestamp, uint256 maxDeadline);
    /// @notice No purchase with this id exists for the purchaser at the location.
    error GridUnknownPurchase(address purchaser, uint256 purchaseId, bytes32 location);
    /// @notice The purchase was cancelled: nothing more is delivered or paid.
    error GridPurchaseClosed(address purchaser, uint256 purchaseId);
    /// @notice Only the purchaser (after the deadline) or the operator (any time) cancels a purchase.
    error GridCancelNotAllowed(address caller, uint256 deliverBy);
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
    /// @notice The purchaser already anchored this bill (content digest).
    error GridBillAlreadyAnchored(bytes32 digest, address purchaser);
    /// @notice Payments cannot go to the zero address.
    error GridZeroPayee();
}
