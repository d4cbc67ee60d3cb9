"""ERCs: EIP-712 signature by the leaf key, proof under the CoE root, exact typed-data format."""

from __future__ import annotations

import pytest
from eth_abi import encode
from eth_account import Account
from eth_utils import keccak

from offchain.spb import EnergyReceipt, MeterError, StandardMerkleTree, build_erc, request_coe
from offchain.spb.merkle import COE_LEAF

MARKET = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
CHAIN_ID = 31337
CTP = bytes.fromhex("c7" * 32)


def _independent_digest(erc: EnergyReceipt) -> bytes:
    """EIP-712 digest written out by hand (typehash, domain separator, struct hash)."""
    domain_type = keccak(b"EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")
    domain = keccak(
        encode(
            ["bytes32", "bytes32", "bytes32", "uint256", "address"],
            [domain_type, keccak(b"GridLedger SPB Market"), keccak(b"1"), CHAIN_ID, MARKET],
        )
    )
    type_hash = keccak(
        b"EnergyReceipt(bytes32 ctpId,uint128 price,uint128 energyWh,bytes32 coeRoot,uint256 leafIndex,uint64 timestamp)"
    )
    struct = keccak(
        encode(
            ["bytes32", "bytes32", "uint128", "uint128", "bytes32", "uint256", "uint64"],
            [type_hash, erc.ctp_id, erc.price, erc.energy_wh, erc.coe_root, erc.leaf_index, erc.timestamp],
        )
    )
    return keccak(b"\x19\x01" + domain + struct)


@pytest.fixture
def certified_meter(make_meter, verifiers):
    meter = make_meter(pool=8)
    request_coe(meter, meter.pools[0].root, verifiers)
    return meter


def test_the_erc_signature_recovers_to_the_leaf_key(certified_meter):
    erc = build_erc(certified_meter, CTP, 10**15, 2_500, CHAIN_ID, MARKET, timestamp=1_700_000_000)
    digest = _independent_digest(erc)
    assert Account._recover_hash(digest, signature=erc.signature) == erc.signer
    assert erc.recover() == erc.signer
    assert erc.signer != certified_meter.address  # never the meter's identity key


def test_the_leaf_is_index_and_signer_under_the_coe_root(certified_meter):
    erc = build_erc(certified_meter, CTP, 5, 50, CHAIN_ID, MARKET)
    assert erc.coe_root == certified_meter.pools[0].root
    assert StandardMerkleTree.verify(erc.coe_root, COE_LEAF, [erc.leaf_index, erc.signer], erc.proof)
    assert not StandardMerkleTree.verify(erc.coe_root, COE_LEAF, [erc.leaf_index + 1, erc.signer], erc.proof)


def test_the_erc_digest_equals_the_market_modules_digest(certified_meter):
    eip712 = pytest.importorskip("offchain.spb.eip712")
    erc = build_erc(certified_meter, CTP, 77, 700, CHAIN_ID, MARKET, timestamp=123)
    assert eip712.erc_digest(*erc.struct(), CHAIN_ID, MARKET) == _independent_digest(erc)


def test_an_erc_survives_a_json_round_trip_unchanged(certified_meter):
    erc = build_erc(certified_meter, CTP, 1, 2, CHAIN_ID, MARKET)
    again = EnergyReceipt.from_json(erc.to_json())
    assert again == erc and again.recover() == erc.signer


def test_changing_any_field_breaks_the_signature(certified_meter):
    import dataclasses

    erc = build_erc(certified_meter, CTP, 100, 1_000, CHAIN_ID, MARKET)
    for change in (
        {"price": 101},
        {"energy_wh": 999},
        {"ctp_id": bytes(32)},
        {"timestamp": erc.timestamp + 1},
        {"chain_id": 1},
        {"market": "0x" + "11" * 20},
    ):
        assert dataclasses.replace(erc, **change).recover() != erc.signer


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"ctp_id": b"\x01"}, "32 bytes"),
        ({"price": 2**128}, "uint128"),
        ({"energy_wh": 0}, "must be > 0"),
        ({"market": "0x1234"}, "not an address"),
        ({"chain_id": 0}, "chain id"),
    ],
)
def test_bad_erc_inputs_are_refused_before_a_key_is_spent(certified_meter, kwargs, message):
    args = {"ctp_id": CTP, "price": 1, "energy_wh": 1, "chain_id": CHAIN_ID, "market_address": MARKET, **kwargs}
    if "market" in kwargs:
        args["market_address"] = args.pop("market")
    with pytest.raises(MeterError, match=message):
        build_erc(certified_meter, **args)
    assert certified_meter.unused_keys() == 8


def test_contract_arguments_follow_the_solidity_struct_order(certified_meter):
    erc = build_erc(certified_meter, CTP, 3, 30, CHAIN_ID, MARKET, timestamp=99)
    assert erc.as_args() == (3, 30, 99, erc.coe_root, erc.leaf_index, erc.proof, erc.signature)
