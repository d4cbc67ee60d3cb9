// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";

import {CalldataSignature} from "contracts/common/CalldataSignature.sol";
import {SpbBase} from "contracts/spb/SpbBase.sol";
import {ISpbMarketActions} from "interfaces/spb/ISpbMarketActions.sol";
import {ISpbMarketState} from "interfaces/spb/ISpbMarketState.sol";
import {CoEPossession} from "interfaces/spb/SpbTypes.sol";

/// @title Certificate of Existence registry
/// @notice Manufacturer CAs certify meters' M-keys; a verifier meter with a certified
/// M-key signs the Merkle root of another meter's (or a group's) one-time key pool: that
/// signature is the CoE. Leaves are OpenZeppelin StandardMerkleTree leaves of
/// `(uint256 index, address key)`; a leaf key signs one message only (bitmap per CoE). A
/// root is registered only with a proof of possession: one of its leaf keys signs the
/// registration `(root, verifier)`, so nobody but the pool's owner can register (squat) it.
/// @dev Invariant: a root is registered only with a verifier certified by a CA that was
/// registered at the time and with a signature by one of its own leaf keys (whose leaf is
/// then used); a CoE is usable only while its CA stays registered; a used leaf bit is
/// never cleared.
abstract contract CoERegistry is SpbBase {
    /// @notice Domain tag of a manufacturer's meter certificate.
    bytes32 public constant METER_CERT_TAG = keccak256("GridLedger.MeterCertificate.v1");
    /// @notice Domain tag of a verifier meter's signature over a CoE root.
    bytes32 public constant COE_TAG = keccak256("GridLedger.CertificateOfExistence.v1");
    bytes32 private constant COE_REGISTRATION_TYPEHASH = keccak256("CoERegistration(bytes32 root,address verifier)");

    struct CoE {
        address manufacturer;
        address verifier;
    }

    mapping(address manufacturer => bool) internal _manufacturers;
    mapping(bytes32 root => CoE) internal _coes;
    mapping(bytes32 root => mapping(uint256 word => uint256 bits)) internal _usedLeaves;

    /// @inheritdoc ISpbMarketActions
    function setManufacturer(address manufacturer, bool authorized) external onlyRole(GOVERNOR_ROLE) {
        _manufacturers[manufacturer] = authorized;
        emit ManufacturerSet(manufacturer, authorized);
    }

    /// @inheritdoc ISpbMarketActions
    function registerCoE(
        bytes32 root,
        bytes calldata verifierCertificate,
        bytes calldata coeSignature,
        CoEPossession calldata possession
    ) external {
        if (_coes[root].manufacturer != address(0)) revert CoEAlreadyRegistered(root);
        address verifier = _recoverTagged(COE_TAG, root, coeSignature);
        address ca = _recoverTagged(METER_CERT_TAG, bytes32(uint256(uint160(verifier))), verifierCertificate);
        if (!_manufacturers[ca]) revert CoEUncertifiedVerifier(verifier, ca);
        bytes32 digest = _hashTypedDataV4(keccak256(abi.encode(COE_REGISTRATION_TYPEHASH, root, verifier)));
        (address key, ECDSA.RecoverError rerr) = CalldataSignature.tryRecover(digest, possession.signature);
        if (rerr != ECDSA.RecoverError.NoError) revert CoEMalformedSignature(digest);
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(possession.leafIndex, key))));
        if (!MerkleProof.verifyCalldata(possession.proof, root, leaf)) {
            revert CoEPossessionNotProven(root, possession.leafIndex, key);
        }
        _coes[root] = CoE({manufacturer: ca, verifier: verifier});
        _useLeaf(root, possession.leafIndex, _usedLeaves[root][possession.leafIndex >> 8]);
        emit CoERegistered(root, verifier, ca);
    }

    /// @inheritdoc ISpbMarketState
    function isManufacturer(address manufacturer) external view returns (bool) {
        return _manufacturers[manufacturer];
    }

    /// @inheritdoc ISpbMarketState
    function coeOf(bytes32 root) external view returns (address manufacturer, address verifier) {
        CoE storage coe = _coes[root];
        return (coe.manufacturer, coe.verifier);
    }

    /// @inheritdoc ISpbMarketState
    function isLeafUsed(bytes32 root, uint256 leafIndex) external view returns (bool) {
        return _usedLeaves[root][leafIndex >> 8] & (1 << (leafIndex & 0xff)) != 0;
    }

    /// @dev SPB checks (c) and (d) plus one-use of the leaf key, without side effects.
    /// Returns the ABI-encoded error, or empty bytes when `key` at `leafIndex` may sign, and
    /// the leaf's bitmap word (for `_useLeaf`, which then needs not read it again).
    function _checkLeaf(bytes32 root, uint256 leafIndex, address key, bytes32[] calldata proof)
        internal
        view
        returns (bytes memory err, uint256 word)
    {
        address ca = _coes[root].manufacturer;
        if (ca == address(0)) return (abi.encodeWithSelector(CoEUnknownRoot.selector, root), 0);
        if (!_manufacturers[ca]) return (abi.encodeWithSelector(CoERevokedManufacturer.selector, root, ca), 0);
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(leafIndex, key))));
        if (!MerkleProof.verifyCalldata(proof, root, leaf)) {
            return (abi.encodeWithSelector(CoELeafNotInTree.selector, root, leafIndex, key), 0);
        }
        word = _usedLeaves[root][leafIndex >> 8];
        if (word & (1 << (leafIndex & 0xff)) != 0) {
            return (abi.encodeWithSelector(CoELeafKeyUsed.selector, root, leafIndex), word);
        }
    }

    /// @dev Marks the leaf key used, given its bitmap word as `_checkLeaf` read it.
    function _useLeaf(bytes32 root, uint256 leafIndex, uint256 word) internal {
        _usedLeaves[root][leafIndex >> 8] = word | (1 << (leafIndex & 0xff));
    }

    function _recoverTagged(bytes32 tag, bytes32 value, bytes calldata signature) private pure returns (address signer) {
        bytes32 digest = MessageHashUtils.toEthSignedMessageHash(keccak256(abi.encode(tag, value)));
        ECDSA.RecoverError rerr;
        (signer, rerr) = CalldataSignature.tryRecover(digest, signature);
        if (rerr != ECDSA.RecoverError.NoError) revert CoEMalformedSignature(digest);
    }
}
