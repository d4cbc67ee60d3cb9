// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC1155} from "@openzeppelin/contracts/token/ERC1155/ERC1155.sol";

/// @title The representation PETra did not choose, for the gas comparison (docs/petra.md). Tests only.
/// @notice Energy as OpenZeppelin ERC-1155 balances: token id = (kind, slot), balance = watts.
/// An asset of `power` W over `n` slots is `n` balances; a trade moves `n` balances. Splits by
/// time and power are free (balances are fungible per slot), but every slot of every asset is
/// one storage slot per owner, so minting and trading cost grows with the interval's length.
/// @dev Invariant: that of OpenZeppelin's ERC1155 (no access control: a probe, never deployed for use).
contract PetraLayoutProbe is ERC1155 {
    constructor() ERC1155("") {}

    /// @notice Mint `power` W of `kind` in every slot of `[first, last]` to `to`.
    function mintAsset(address to, uint256 kind, uint256 power, uint64 first, uint64 last) external {
        (uint256[] memory ids, uint256[] memory values) = _cells(kind, power, first, last);
        _mintBatch(to, ids, values, "");
    }

    /// @notice Move `power` W of `kind` in every slot of `[first, last]` from the caller to `to`.
    function tradeCells(address to, uint256 kind, uint256 power, uint64 first, uint64 last) external {
        (uint256[] memory ids, uint256[] memory values) = _cells(kind, power, first, last);
        _safeBatchTransferFrom(msg.sender, to, ids, values, "");
    }

    function _cells(uint256 kind, uint256 power, uint64 first, uint64 last)
        private
        pure
        returns (uint256[] memory ids, uint256[] memory values)
    {
        uint256 n = last - first + 1;
        ids = new uint256[](n);
        values = new uint256[](n);
        for (uint256 i = 0; i < n; ++i) {
            ids[i] = (kind << 64) | (first + i);
            values[i] = power;
        }
    }
}
