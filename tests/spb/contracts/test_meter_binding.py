"""A receipt settles only the CTP that names its key: a genuine meter of another household
(the producer's own, a stranger's, another member of a group CoE) confirms nothing.

The attack the review ran: the producer owns a genuine meter with a registered CoE (every
household has one), signs ERCs for the consumers' CTPs with it, and collects their frozen
funds without delivering — one at a time or every outstanding CTP in one batch."""

import pytest

from offchain.spb import eip712
from offchain.spb.market import Settlement
from offchain.spb.receipts import EnergyReceipt

from tests.spb.contracts.helpers import DEPOSIT, PRICE, advance, earnings, encoded_error, funds, make_pool, reverts


@pytest.fixture
def producers_meter(register_coe):
    """The producer's own genuine meter: a pool certified and registered the normal way."""
    pool = make_pool(8)
    register_coe(pool)
    return pool


def receipt_by(pool, leaf, ctp, terms, market, chain, *, timestamp=0):
    """An ERC for `ctp` signed by `pool`'s leaf key `leaf` (whatever key the CTP named)."""
    ctp_id = eip712.ctp_digest(ctp, chain.id, market.address)
    return EnergyReceipt.signed(
        pool.keys[leaf].key,
        ctp_id,
        ctp.price,
        terms.energy_wh,
        pool.root,
        leaf,
        timestamp,
        pool.proof(leaf),
        chain.id,
        market.address,
    )


def forged_hash(terms, pool, leaf):
    return eip712.contract_hash(terms.energy_wh, terms.rate, terms.salt, pool.keys[leaf].address)


def test_the_producers_own_meter_cannot_confirm_a_consumers_ctp(
    market, funded, make_ctp, producer, producers_meter, chain, account_id
):
    ctp, terms = make_ctp(ttl=600)  # names a key of the consumer's meter
    market.commit(ctp.as_args(), {"from": funded})
    ctp_id = eip712.ctp_digest(ctp, chain.id, market.address)
    erc = receipt_by(producers_meter, 0, ctp, terms, market, chain)
    revealed = forged_hash(terms, producers_meter, 0)
    with reverts("MarketContractHashMismatch", ctp_id, ctp.contract_hash, revealed):
        market.settle(ctp.as_args(), terms.as_args(), erc.as_args(), {"from": producer})
    assert earnings(market, account_id) == 0
    assert not market.isLeafUsed(producers_meter.root, 0)
    advance(chain, 601)  # never delivered: the money comes back
    market.release(ctp.as_args(), {"from": funded})
    assert funds(market, funded) == (DEPOSIT, 0)


def test_the_producers_own_meter_cannot_confirm_a_signed_ctp(
    market, funded, make_ctp, sign_ctp, producer, producers_meter, chain, account_id
):
    ctp, terms = make_ctp()
    signature = sign_ctp(ctp, funded.private_key)  # the producer holds it from the negotiation
    ctp_id = eip712.ctp_digest(ctp, chain.id, market.address)
    erc = receipt_by(producers_meter, 1, ctp, terms, market, chain)
    with reverts("MarketContractHashMismatch", ctp_id, ctp.contract_hash, forged_hash(terms, producers_meter, 1)):
        market.settleSigned(ctp.as_args(), signature, terms.as_args(), erc.as_args(), {"from": producer})
    assert funds(market, funded) == (DEPOSIT, 0) and earnings(market, account_id) == 0
    assert not market.isNonceUsed(funded, ctp.nonce)


@pytest.mark.parametrize("packed", [False, True], ids=["abi", "packed"])
def test_every_outstanding_ctp_in_one_batch_pays_nothing(
    market, funded, make_ctp, sign_ctp, producer, producers_meter, chain, account_id, packed
):
    items = []
    for i in range(4):
        ctp, terms = make_ctp()
        erc = receipt_by(producers_meter, i, ctp, terms, market, chain)
        items.append(Settlement(ctp, sign_ctp(ctp, funded.private_key), terms, erc))

    def send(atomic):
        if packed:
            return market.settleBatchPacked(b"".join(s.packed() for s in items), atomic, {"from": producer})
        return market.settleBatch([s.as_args() for s in items], atomic, {"from": producer})

    first = items[0]
    reason = encoded_error(
        "MarketContractHashMismatch(bytes32,bytes32,bytes32)",
        ["bytes32", "bytes32", "bytes32"],
        [
            eip712.ctp_digest(first.ctp, chain.id, market.address),
            first.ctp.contract_hash,
            forged_hash(first.terms, producers_meter, 0),
        ],
    )
    with reverts("MarketBatchItemFailed", 0, reason):
        send(True)
    tx = send(False)  # lenient: every item skipped, nothing paid
    assert tx.return_value == 0 and len(tx.events["SettlementSkipped"]) == 4
    assert earnings(market, account_id) == 0 and funds(market, funded) == (DEPOSIT, 0)


def test_a_strangers_meter_cannot_confirm_someone_elses_ctp(
    market, funded, make_ctp, stranger, register_coe, chain, account_id
):
    strangers_meter = make_pool(4)
    register_coe(strangers_meter)
    ctp, terms = make_ctp()
    market.commit(ctp.as_args(), {"from": funded})
    ctp_id = eip712.ctp_digest(ctp, chain.id, market.address)
    erc = receipt_by(strangers_meter, 0, ctp, terms, market, chain)
    with reverts("MarketContractHashMismatch", ctp_id, ctp.contract_hash, forged_hash(terms, strangers_meter, 0)):
        market.settle(ctp.as_args(), terms.as_args(), erc.as_args(), {"from": stranger})
    assert earnings(market, account_id) == 0


def test_another_key_of_the_same_coe_cannot_confirm(market, funded, make_ctp, producer, meter, chain, account_id):
    """A group CoE: several meters' keys under one root. A key of the tree that the CTP did
    not name (another member's) is refused although it proves its leaf."""
    ctp, terms = make_ctp(leaf=2)
    market.commit(ctp.as_args(), {"from": funded})
    ctp_id = eip712.ctp_digest(ctp, chain.id, market.address)
    erc = receipt_by(meter, 5, ctp, terms, market, chain)
    with reverts("MarketContractHashMismatch", ctp_id, ctp.contract_hash, forged_hash(terms, meter, 5)):
        market.settle(ctp.as_args(), terms.as_args(), erc.as_args(), {"from": producer})
    market.settle(
        ctp.as_args(), terms.as_args(), receipt_by(meter, 2, ctp, terms, market, chain).as_args(), {"from": producer}
    )
    assert earnings(market, account_id) == PRICE


def test_the_chain_learns_nothing_new_before_settlement(market, funded, make_ctp, meter):
    """The key is inside the salted contract hash: the on-chain CTP shows only the hash."""
    ctp, terms = make_ctp(leaf=3)
    tx = market.commit(ctp.as_args(), {"from": funded})
    event = tx.events["Committed"]
    assert bytes(event["contractHash"]) == ctp.contract_hash
    key = bytes.fromhex(meter.keys[3].address[2:])
    logged = b"".join(bytes(log["data"]) + b"".join(bytes(t) for t in log["topics"]) for log in tx.logs)
    assert key not in logged and key not in bytes.fromhex(tx.input[2:])


def test_a_key_placed_at_two_leaves_signs_twice_but_only_for_ctps_naming_it(
    market, funded, make_ctp, producer, register_coe, chain, account_id
):
    """Documented: one-time use is per (root, leaf). A meter owner that puts one key at two
    leaves can sign two receipts with it — only for CTPs that name that key (its own
    household's), so it costs only its own privacy (docs/spb.md, one-time keys)."""
    from eth_account import Account

    from offchain.spb.merkle import COE_LEAF, StandardMerkleTree

    from tests.spb.contracts.helpers import KeyPool

    twice = Account.create()
    keys = [twice, twice, Account.create(), Account.create()]
    pool = KeyPool(keys, StandardMerkleTree.of([(i, k.address) for i, k in enumerate(keys)], COE_LEAF))
    register_coe(pool, holder=3)
    for leaf in (0, 1):
        ctp, terms = make_ctp(pool=pool, leaf=leaf)
        market.commit(ctp.as_args(), {"from": funded})
        erc = receipt_by(pool, leaf, ctp, terms, market, chain)
        market.settle(ctp.as_args(), terms.as_args(), erc.as_args(), {"from": producer})
    assert earnings(market, account_id) == 2 * PRICE
    other, other_terms = make_ctp()  # names a key of the consumer's normal meter
    market.commit(other.as_args(), {"from": funded})
    erc = receipt_by(pool, 2, other, other_terms, market, chain)
    with reverts(
        "MarketContractHashMismatch",
        eip712.ctp_digest(other, chain.id, market.address),
        other.contract_hash,
        forged_hash(other_terms, pool, 2),
    ):
        market.settle(other.as_args(), other_terms.as_args(), erc.as_args(), {"from": producer})
