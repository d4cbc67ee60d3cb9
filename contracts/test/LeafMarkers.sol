// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title Gas probe: one-use leaf keys as a bitmap per CoE versus a mapping per key
/// @notice Used only by the gas report to measure the choice made in `CoERegistry`.
/// @dev Invariant: a marked index or key stays marked.
contract LeafMarkers {
    mapping(bytes32 root => mapping(uint256 word => uint256 bits)) private _bitmap;
    mapping(bytes32 root => mapping(address key => bool)) private _used;

    /// @notice Mark leaf `index` of `root` used in a bitmap (256 leaves per slot).
    function markBitmap(bytes32 root, uint256 index) external {
        uint256 bit = 1 << (index & 0xff);
        uint256 word = _bitmap[root][index >> 8];
        require(word & bit == 0, "used");
        _bitmap[root][index >> 8] = word | bit;
    }

    /// @notice Mark leaf key `key` of `root` used in a mapping (one slot per key).
    function markMapping(bytes32 root, address key) external {
        require(!_used[root][key], "used");
        _used[root][key] = true;
    }
}
