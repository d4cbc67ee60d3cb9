// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IFundsLedger} from "interfaces/common/IFundsLedger.sol";
import {IGridEventsErrors} from "interfaces/grid/IGridEventsErrors.sol";
import {IGridEventsEvents} from "interfaces/grid/IGridEventsEvents.sol";

/// @title Grid event ledger (Vashistha & Barbhuiya): storage, purchase, transfer and bill events
/// @notice Units: energy in Wh, rates in payment-asset units per kWh, costs in payment-asset
///         units (⌈rate × Wh / 1000⌉), times in unix seconds. A purchase freezes its cost in
///         the purchaser's ledger balance (the shared `FundsLedger`: deposit first); each
///         transfer pays its share to the operator's payee; what is not delivered by the
///         deadline can be cancelled and comes back. Functions that add a record return the
///         new count.
interface IGridEvents is IFundsLedger, IGridEventsErrors, IGridEventsEvents {
    /// @notice State of one grid location: its latest storage record and the operator's rate.
    struct Location {
        uint64 capacityWh;
        uint64 availableWh;
        uint64 ratePerKWh;
        uint32 storageCount;
        bool registered;
    }

    /// @notice One purchase: quantity bought, delivered so far, rate, date and delivery deadline.
    struct Purchase {
        uint48 quantityWh;
        uint48 deliveredWh;
        uint64 ratePerKWh;
        uint40 date;
        uint40 deliverBy;
        bool closed;
    }

    /// @notice Record counts of one purchaser.
    struct Purchaser {
        uint32 purchases;
        uint32 transfers;
        uint32 bills;
    }

    /// @notice When a purchaser's bill digest was anchored, and its index among the purchaser's bills.
    struct BillRecord {
        uint32 index;
        uint40 anchoredAt;
    }

    // ---- operator (GOVERNOR_ROLE) -------------------------------------------------------

    /// @notice Register a grid location.
    /// @param location Location id (e.g. a short name packed in bytes32); must not be zero.
    function registerLocation(bytes32 location) external;

    /// @notice Register (or move) a storage sensor: it may record storage for `location` only.
    function registerSensor(address sensor, bytes32 location) external;

    /// @notice Revoke a storage sensor; it can no longer record storage.
    function revokeSensor(address sensor) external;

    /// @notice Register (or move) a delivery device: it may record transfers at `location` only.
    function registerDevice(address device, bytes32 location) external;

    /// @notice Revoke a delivery device; it can no longer record transfers.
    function revokeDevice(address device) external;

    /// @notice Set the rate of a location (payment-asset units per kWh) for future purchases.
    function setRate(bytes32 location, uint64 ratePerKWh) external;

    /// @notice Set who receives payments for delivered energy.
    function setPayee(address payee) external;

    // ---- events of the paper ------------------------------------------------------------

    /// @notice Storage event, sent by a sensor for its own grid location.
    /// @param capacityWh Grid capacity in Wh (non-zero).
    /// @param availableWh Available storage in Wh (at most the capacity).
    /// @return storageCount Number of storage records of the location, this one included.
    function recordStorage(uint64 capacityWh, uint64 availableWh) external returns (uint256 storageCount);

    /// @notice Purchase event, sent by the purchaser itself: reserves the quantity from storage
    /// and freezes its cost in the purchaser's balance.
    /// @param location Grid location to buy from (must have a storage record and a rate).
    /// @param quantityWh Quantity in Wh (non-zero, at most the available storage).
    /// @param deliverBy Delivery deadline (after now, at most `MAX_DELIVERY_WINDOW` ahead);
    ///        after it the purchaser may cancel what was not delivered.
    /// @return purchaseCount Number of purchases of the caller; the new purchase's id is count - 1.
    function recordPurchase(bytes32 location, uint64 quantityWh, uint40 deliverBy)
        external
        returns (uint256 purchaseCount);

    /// @notice Transfer event, sent by a delivery device registered for the purchase's location;
    /// pays the delivered share of the purchase's cost to the payee.
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

    /// @notice Cancel what is left of a purchase: by the purchaser once its deadline passed, or
    /// by the operator at any time. Undelivered energy returns to the location's storage (up
    /// to its capacity) and the unpaid cost to the purchaser's free balance.
    function cancelPurchase(address purchaser, bytes32 location, uint256 purchaseId) external;

    /// @notice Bill event: anchor the caller's bill by the sha2-256 digest of its CIDv0.
    /// @param digest The 32-byte sha2-256 digest inside the bill's CIDv0 multihash.
    /// @return billCount Number of bills of the caller, this one included.
    function anchorBill(bytes32 digest) external returns (uint256 billCount);

    // ---- state --------------------------------------------------------------------------

    /// @notice Current state of a grid location (zero if unknown).
    function locationOf(bytes32 location) external view returns (Location memory);

    /// @notice The grid location a storage sensor is registered for (zero if none).
    function sensorLocation(address sensor) external view returns (bytes32);

    /// @notice The grid location a delivery device is registered for (zero if none).
    function deviceLocation(address device) external view returns (bytes32);

    /// @notice Who receives payments for delivered energy.
    function payee() external view returns (address);

    /// @notice One purchase of a purchaser at a location (zero if none).
    /// @param purchaseId Purchase id (0-based, per purchaser).
    function purchaseOf(bytes32 location, address purchaser, uint256 purchaseId)
        external
        view
        returns (Purchase memory);

    /// @notice Record counts of a purchaser.
    function purchaserOf(address purchaser) external view returns (Purchaser memory);

    /// @notice When `purchaser` anchored bill `digest` (zero record if it did not).
    function billOf(address purchaser, bytes32 digest) external view returns (BillRecord memory);

    /// @notice Number of storage records of a location.
    function storageCount(bytes32 location) external view returns (uint256);

    /// @notice Cost of `quantityWh` at `ratePerKWh`: ⌈rate × quantity / 1000⌉.
    function costOf(uint256 quantityWh, uint256 ratePerKWh) external pure returns (uint256);
}
