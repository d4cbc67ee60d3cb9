// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @title Recover a signer from a 65-byte signature that stays in calldata
/// @notice OpenZeppelin's `ECDSA.tryRecover(hash, bytes)` copies the signature to memory;
/// hot paths (settlements, batches) read `r`, `s`, `v` straight from calldata and hand them
/// to OpenZeppelin's `tryRecover(hash, v, r, s)`, which keeps its checks (low `s`, valid
/// `v`, non-zero signer).
/// @dev Invariant: same result as `ECDSA.tryRecover(hash, signature)` for every input.
library CalldataSignature {
    /// @dev The signer of `digest`, or an error for a signature that is not 65 bytes, has a
    /// high `s` or a bad `v`.
    function tryRecover(bytes32 digest, bytes calldata signature)
        internal
        pure
        returns (address signer, ECDSA.RecoverError err)
    {
        if (signature.length != 65) return (address(0), ECDSA.RecoverError.InvalidSignatureLength);
        bytes32 r;
        bytes32 s;
        uint8 v;
        assembly ("memory-safe") {
            r := calldataload(signature.offset)
            s := calldataload(add(signature.offset, 0x20))
            v := byte(0, calldataload(add(signature.offset, 0x40)))
        }
        (signer, err,) = ECDSA.tryRecover(digest, v, r, s);
    }
}
