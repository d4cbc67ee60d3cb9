"""Batch settlement: all-or-nothing, or skip bad items with a reason — never a wrong payment.
Every test runs against both encodings: `settleBatch` (ABI) and `settleBatchPacked`."""

import pytest
from eth_account import Account

from offchain.spb import eip712

from tests.spb.contracts.helpers import DEPOSIT, PRICE, earnings, encoded_error, funds, reverts


@pytest.fixture
def batch(market, funded, make_ctp, sign_ctp, make_erc, chain):
    """batch(n, bad=None) -> (items, ctp ids, forger): n signed settlements; item `bad`
    carries an ERC forged by `forger`, a key that is not in the meter's tree."""

    def _batch(n, bad=None):
        items, ids = [], []
        forger = Account.create()
        for i in range(n):
            # the bad item's CTP names a software key (the consumer was fooled): not a leaf
            ctp, terms = make_ctp(leaf=i, meter_key=forger.address if i == bad else None)
            erc = make_erc(ctp, terms, leaf=i, key=forger if i == bad else None)
            items.append((ctp.as_args(), sign_ctp(ctp, funded.private_key), terms.as_args(), erc))
            ids.append(eip712.ctp_digest(ctp, chain.id, market.address))
        return items, ids, forger

    return _batch


def packed(items) -> bytes:
    """`settleBatchPacked`'s layout, written here from the ABI items (an independent encoder)."""
    out = b""
    for (consumer, account, expiry, price, contract_hash, nonce), signature, (rate, salt), erc in items:
        erc_price, energy, timestamp, root, leaf, proof, erc_signature = erc
        assert erc_price == price
        out += bytes.fromhex(consumer[2:]) + account.to_bytes(8, "big") + expiry.to_bytes(8, "big")
        out += price.to_bytes(12, "big") + contract_hash + nonce.to_bytes(4, "big") + signature
        out += rate.to_bytes(32, "big") + salt + energy.to_bytes(16, "big") + timestamp.to_bytes(8, "big")
        out += root + leaf.to_bytes(8, "big") + bytes([len(proof)]) + b"".join(proof) + erc_signature
    return out


@pytest.fixture(params=["abi", "packed"])
def settle_batch(request, market, producer):
    """settle_batch(items, atomic) in one encoding or the other."""

    def _send(items, atomic):
        if request.param == "packed":
            return market.settleBatchPacked(packed(items), atomic, {"from": producer})
        return market.settleBatch(items, atomic, {"from": producer})

    return _send


def test_batch_settles_every_good_item(market, batch, settle_batch, producer, funded, account_id):
    items, _, _ = batch(5)
    tx = settle_batch(items, True)
    assert tx.return_value == 5
    assert len(tx.events["Settled"]) == 5
    assert earnings(market, account_id) == 5 * PRICE
    assert funds(market, funded) == (DEPOSIT - 5 * PRICE, 0)


def test_atomic_batch_with_one_forged_erc_reverts_entirely(
    market, batch, settle_batch, producer, funded, meter, account_id
):
    items, _, forger = batch(4, bad=2)
    reason = encoded_error(
        "CoELeafNotInTree(bytes32,uint256,address)", ["bytes32", "uint256", "address"], [meter.root, 2, forger.address]
    )
    with reverts("MarketBatchItemFailed", 2, reason):
        settle_batch(items, True)
    assert earnings(market, account_id) == 0
    assert funds(market, funded) == (DEPOSIT, 0)
    assert not any(market.isLeafUsed(meter.root, i) for i in range(4))


def test_lenient_batch_skips_the_bad_item_and_says_why(
    market, batch, settle_batch, producer, funded, meter, account_id
):
    items, ids, forger = batch(4, bad=1)
    tx = settle_batch(items, False)
    assert tx.return_value == 3
    skipped = tx.events["SettlementSkipped"]
    assert len(skipped) == 1
    assert bytes(skipped[0]["ctpId"]) == ids[1] and skipped[0]["index"] == 1
    assert bytes(skipped[0]["reason"]) == encoded_error(
        "CoELeafNotInTree(bytes32,uint256,address)", ["bytes32", "uint256", "address"], [meter.root, 1, forger.address]
    )
    assert [bytes(e["ctpId"]) for e in tx.events["Settled"]] == [ids[0], ids[2], ids[3]]
    assert earnings(market, account_id) == 3 * PRICE
    assert funds(market, funded) == (DEPOSIT - 3 * PRICE, 0)
    assert not market.isLeafUsed(meter.root, 1)
    assert not market.isNonceUsed(funded, eip712.CommitToPay(*items[1][0]).nonce)


def test_duplicate_item_in_a_batch_pays_once(market, batch, settle_batch, producer, funded, account_id):
    items, _, _ = batch(2)
    tx = settle_batch([items[0], items[1], items[0]], False)
    assert tx.return_value == 2
    reason = bytes(tx.events["SettlementSkipped"][0]["reason"])
    nonce = eip712.CommitToPay(*items[0][0]).nonce
    assert reason == encoded_error("FundsNonceUsed(address,uint32)", ["address", "uint32"], [funded.address, nonce])
    assert earnings(market, account_id) == 2 * PRICE


def test_atomic_batch_reports_the_failing_index_and_reason(market, batch, settle_batch, producer, funded, account_id):
    items, _, _ = batch(3)
    nonce = eip712.CommitToPay(*items[0][0]).nonce
    reason = encoded_error("FundsNonceUsed(address,uint32)", ["address", "uint32"], [funded.address, nonce])
    with reverts("MarketBatchItemFailed", 3, reason):
        settle_batch([*items, items[0]], True)
    assert earnings(market, account_id) == 0


def test_a_packed_item_that_runs_past_the_end_is_refused(market, batch, producer, funded):
    items, _, _ = batch(2)
    data = packed(items)
    for cut in (1, 65, 400):
        truncated = data[:-cut]
        start = len(packed(items[:1]))
        with reverts("MarketMalformedBatch", start, len(truncated)):
            market.settleBatchPacked(truncated, False, {"from": producer})
    assert funds(market, funded) == (DEPOSIT, 0)


def test_a_packed_batch_names_its_items_proof_depth_itself(market, batch, producer, account_id):
    """A depth byte that claims more proof hashes than the item carries runs past the end."""
    items, _, _ = batch(1)
    data = bytearray(packed(items))
    data[277] += 1  # one proof hash more than sent
    with reverts("MarketMalformedBatch", 0, len(data)):
        market.settleBatchPacked(bytes(data), True, {"from": producer})
    assert earnings(market, account_id) == 0
