// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @notice How the plant stores one owner's portions for one row of 128 consecutive slots
/// (32 hours; rows start at slot 0, so a row is `slot / 128`), as `rowOf` shows it: a step
/// function in run-length form. Run `i` starts at slot `firstSlot + starts[i]` and lasts
/// until the next run starts (the last run until the row ends); the owner holds
/// `values[i]` basis points of the plant in each of its slots. `live` is false when no
/// transfer touched the row since it entered the transfer window: the owner then holds its
/// default share in every slot of the row. `cacheValid` / `cachedDefaultBp`: the copy of
/// the owner's default share kept in the row's first storage word (saves reading the
/// member record on the transfer path; docs/shared-pv.md).
struct PortionRow {
    bool live;
    bool cacheValid;
    uint16 cachedDefaultBp;
    uint64 firstSlot;
    uint16[] starts;
    uint16[] values;
}
