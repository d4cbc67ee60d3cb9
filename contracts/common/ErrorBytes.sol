// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title ABI-encoded custom errors as values
/// @notice Checks that must not revert (a batch item that is skipped instead) return the
/// ABI-encoded custom error (`abi.encodeWithSelector(E.selector, args)`), empty when the
/// check passed; `revertWith` re-throws it unchanged where the caller does want to revert.
/// @dev Invariant: `revertWith(e)` reverts with exactly the bytes `e`.
library ErrorBytes {
    /// @dev Reverts with the ABI-encoded custom error `err`.
    function revertWith(bytes memory err) internal pure {
        assembly ("memory-safe") {
            revert(add(err, 0x20), mload(err))
        }
    }
}
