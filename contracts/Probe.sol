// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {IProbe} from "interfaces/IProbe.sol";
contract Probe is EIP712, IProbe {
    constructor() EIP712("P", "1") {}
    function recover(bytes32 h, bytes calldata sig) external pure returns (address) { return ECDSA.recover(h, sig); }
    function verify(bytes32[] calldata p, bytes32 root, bytes32 leaf) external pure returns (bool) { return MerkleProof.verifyCalldata(p, root, leaf); }
}
