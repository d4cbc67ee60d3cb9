// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @notice Commit To Pay (SPB's CTP): the consumer promises `price` (payment-asset units)
/// for energy from energy account `accountId`, valid until `expiry`. `contractHash` is
/// `keccak256(abi.encode(energyWh, rate, salt, meterKey))` of the agreed terms and of the
/// one-time key of the consumer's meter that will confirm delivery, so neither the amount,
/// the rate nor the meter appears in clear, and no other meter can confirm it. One `nonce` commits once: each consumer has a
/// sliding window of 32 nonces packed into its funds slot (see `SpbMarket`), so up to 32
/// CTPs can be outstanding at once. Its EIP-712 digest is the CTP id (`T_ID`).
struct CommitToPay {
    address consumer;
    uint64 accountId;
    uint64 expiry;
    uint96 price;
    bytes32 contractHash;
    uint32 nonce;
}

/// @notice The terms behind a CTP's contract hash, revealed at settlement so that the
/// producer's supply can be reduced by the delivered energy. The meter key completing the
/// hash is the ERC's signer (recovered, never sent).
struct ContractTerms {
    uint256 rate;
    bytes32 salt;
}

/// @notice Energy Receipt Confirmation (SPB's ERC), signed (EIP-712) by a one-time leaf
/// key of the consumer's meter. `leafIndex` and the signer's address form the leaf
/// `(uint256 index, address key)` of the Certificate of Existence tree `coeRoot`
/// (OpenZeppelin StandardMerkleTree encoding); `proof` proves it.
struct EnergyReceipt {
    uint128 price;
    uint128 energyWh;
    uint64 timestamp;
    bytes32 coeRoot;
    uint256 leafIndex;
    bytes32[] proof;
    bytes signature;
}

/// @notice Proof that the registrant of a CoE holds one of its leaf keys: that key's EIP-712
/// signature over `CoERegistration(bytes32 root,address verifier)` in the market's domain,
/// its leaf index and Merkle proof. The leaf is then used (it never signs an ERC).
struct CoEPossession {
    uint256 leafIndex;
    bytes32[] proof;
    bytes signature;
}

/// @notice One item of a batch settlement: an off-chain signed CTP with its receipt.
struct SignedSettlement {
    CommitToPay ctp;
    bytes consumerSignature;
    ContractTerms terms;
    EnergyReceipt erc;
}

/// @notice Lifecycle of an on-chain CTP. Signed CTPs settle without ever being stored.
enum CommitmentStatus {
    None,
    Pending,
    Settled,
    Released
}
