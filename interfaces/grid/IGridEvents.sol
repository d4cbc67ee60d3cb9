// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IGridEventsErrors} from "interfaces/grid/IGridEventsErrors.sol";
import {IGridEventsEvents} from "interfaces/grid/IGridEventsEvents.sol";

/// @title Grid event ledger (Vashistha & Barbhuiya): storage, purchase, transfer and bill events
/// @notice Units: energy in Wh, rates in milli-units of currency per kWh, costs in micro-units
///         (rate x Wh), times in unix seconds. Functions that add a record return the new count.
interface IGridEvents is IGridEventsErrors, IGridEventsEvents {
    /// @notice State of one grid location, as of its latest storage record.
    struct Location {
        uint64 capacityWh;
        uint64 availableWh;
        uint64 rateMilliPerKWh;
        uint32 storageCount;
        bool registered;
    }

    /// @notice One purchase: quantity bought, quantity delivered so far, rate and date of purchase.
    struct Purchase {
        uint64 quantityWh;
        uint64 deliveredWh;
        uint64 rateMilliPerKWh;
        uint40 date;
    }

    /// @notice Record counts of one purchaser.
    struct Purchaser {
        uint32 purchases;
        uint32 transfers;
        uint32 bills;
    }

    /// @notice Where and when a bill digest was anchored.
    struct BillRecord {
        address purchaser;
        uint32 index;
        uint40 anchoredAt;
    }

    // ---- operator -----------------------------------------------------------------------

    /// @notice Register a grid location (operator only).
    /// @param location Location id (e.g. a short name packed in bytes32); must not be zero.
    function registerLocation(bytes32 location) external;

    /// @notice Register a sensor/device for a registered grid location (operator only).
    /// @param device Address the sensor/device signs its transactions with.
    /// @param location Registered grid location the device reports for.
    function registerDevice(address device, bytes32 location) external;

    /// @notice Revoke a sensor/device (operator only); it can no longer record events.
    /// @param device The device to revoke.
    function revokeDevice(address device) external;

    // ---- events of the paper ------------------------------------------------------------

    /// @notice Storage event, sent by a sensor for its own grid location.
    /// @param capacityWh Grid capacity in Wh (non-zero).
    /// @param availableWh Available storage in Wh (at most the capacity).
    /// @param rateMilliPerKWh Rate in milli-units of currency per kWh (non-zero).
    /// @return storageCount Number of storage records of the location, this one included.
    function recordStorage(uint64 capacityWh, uint64 availableWh, uint64 rateMilliPerKWh)
        external
        returns (uint256 storageCount);

    /// @notice Purchase event, sent by the purchaser itself; reserves the quantity from storage.
    /// @param location Grid location to buy from (must have a storage record).
    /// @param quantityWh Quantity in Wh (non-zero, at most the available storage).
    /// @return purchaseCount Number of purchases of the caller; the new purchase's id is count - 1.
    function recordPurchase(bytes32 location, uint64 quantityWh) external returns (uint256 purchaseCount);

    /// @notice Transfer event, sent by a device registered for the purchase's location.
    /// @param purchaser The purchaser the energy was delivered to.
    /// @param purchaseId Id of the purchase being delivered.
    /// @param deviceName Name of the delivering device (e.g. a short name packed in bytes32).
    /// @param amountWh Delivered amount in Wh (non-zero, at most what is left of the purchase).
    /// @param start Start of the transfer (unix seconds).
    /// @param end End of the transfer (unix seconds, strictly after `start`).
    /// @return transferCount Number of transfers to the purchaser, this one included.
    function recordTransfer(
        address purchaser,
        uint256 purchaseId,
        bytes32 deviceName,
        uint64 amountWh,
        uint40 start,
        uint40 end
    ) external returns (uint256 transferCount);

    /// @notice Bill event: anchor the caller's bill by the sha2-256 digest of its CIDv0.
    /// @param digest The 32-byte sha2-256 digest inside the bill's CIDv0 multihash.
    /// @return billCount Number of bills of the caller, this one included.
    function anchorBill(bytes32 digest) external returns (uint256 billCount);

    // ---- state --------------------------------------------------------------------------

    /// @notice Current state of a grid location.
    /// @param location The grid location.
    /// @return The location record (zero if unknown).
    function locationOf(bytes32 location) external view returns (Location memory);

    /// @notice The grid location a device is registered for (zero if none).
    /// @param device The device address.
    /// @return The registered location.
    function deviceLocation(address device) external view returns (bytes32);

    /// @notice One purchase of a purchaser at a location (zero if none).
    /// @param location Grid location of the purchase.
    /// @param purchaser The purchaser.
    /// @param purchaseId Purchase id (0-based, per purchaser).
    /// @return The purchase record.
    function purchaseOf(bytes32 location, address purchaser, uint256 purchaseId)
        external
        view
        returns (Purchase memory);

    /// @notice Record counts of a purchaser.
    /// @param purchaser The purchaser.
    /// @return The counts of purchases, transfers and bills.
    function purchaserOf(address purchaser) external view returns (Purchaser memory);

    /// @notice Who a bill digest is anchored under (zero purchaser if not anchored).
    /// @param digest The sha2-256 digest of the bill's CIDv0.
    /// @return The bill record.
    function billOf(bytes32 digest) external view returns (BillRecord memory);

    /// @notice Number of storage records of a location.
    /// @param location The grid location.
    /// @return The count.
    function storageCount(bytes32 location) external view returns (uint256);
}
