// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title Events of the SPB market
/// @notice Emitted right after each state change; the market's whole history (accounts,
/// supply chain, funds, CTPs, settlements, CoEs) can be rebuilt from these logs alone.
interface ISpbMarketEvents {
    /// @notice A distributor was authorised (or revoked) to certify new energy accounts.
    event DistributorSet(address indexed distributor, bool authorized);
    /// @notice A manufacturer CA was registered (or revoked).
    event ManufacturerSet(address indexed manufacturer, bool authorized);
    /// @notice The fee burned to open an account without a certificate changed.
    event AccountFeeSet(uint256 fee);
    /// @notice The longest lifetime of a CTP that freezes funds changed.
    event MaxCtpLifetimeSet(uint64 lifetime);
    /// @notice An energy account was opened by a distributor certificate (`distributor`
    /// set, `feeBurned` 0) or by burning the fee (`distributor` zero).
    event AccountOpened(
        uint64 indexed accountId, address indexed owner, address indexed distributor, bytes32 certificateId, uint256 feeBurned
    );
    /// @notice Energy was added to an account; `supplyId` chains to `previousSupplyId` (P_T_ID).
    event EnergySupplied(
        uint64 indexed accountId,
        bytes32 indexed supplyId,
        bytes32 previousSupplyId,
        uint96 amountWh,
        uint128 price,
        bool negotiable,
        uint96 supplyWh
    );
    /// @notice A CTP froze `price` of the consumer's funds until settlement or `expiry`.
    event Committed(
        bytes32 indexed ctpId,
        address indexed consumer,
        uint64 indexed accountId,
        uint96 price,
        uint64 expiry,
        bytes32 contractHash,
        uint32 nonce
    );
    /// @notice An expired CTP released its frozen funds back to the consumer.
    event Released(bytes32 indexed ctpId, address indexed consumer, uint96 price);
    /// @notice An ERC settled a CTP: `price` moved from the consumer to the account's
    /// earnings and the account's supply fell by `energyWh`. `signedCtp` is true for the
    /// single-transaction form (CTP signed off chain). The producer is the account's owner.
    event Settled(
        bytes32 indexed ctpId,
        uint64 indexed accountId,
        bytes32 indexed coeRoot,
        address consumer,
        uint96 price,
        uint128 energyWh,
        uint256 leafIndex,
        bool signedCtp
    );
    /// @notice An account's earnings were moved to its owner's balance.
    event EarningsCollected(uint64 indexed accountId, address indexed owner, uint256 amount);
    /// @notice A batch item was skipped; `reason` is the ABI-encoded market error.
    event SettlementSkipped(bytes32 indexed ctpId, uint256 index, bytes reason);
    /// @notice A Certificate of Existence was registered.
    event CoERegistered(bytes32 indexed root, address indexed verifier, address indexed manufacturer);
}
