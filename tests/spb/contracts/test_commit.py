"""On-chain CTP: freezing funds for a producer's account with an expiry."""

from offchain.spb import eip712

from tests.spb.contracts.helpers import ANY, DEPOSIT, PRICE, funds, now, reverts


def test_commit_freezes_the_price(market, funded, make_ctp, chain):
    ctp, _ = make_ctp()
    tx = market.commit(ctp.as_args(), {"from": funded})
    ctp_id = eip712.ctp_digest(ctp, chain.id, market.address)
    assert bytes(tx.return_value) == ctp_id
    assert bytes(market.hashCommitment(ctp.as_args())) == ctp_id
    ev = tx.events["Committed"]
    assert (ev["price"], ev["expiry"], bytes(ev["contractHash"])) == (PRICE, ctp.expiry, ctp.contract_hash)
    assert funds(market, funded) == (DEPOSIT, PRICE)
    assert market.commitmentStatus(ctp.as_args()) == 1  # Pending
    assert market.isNonceUsed(funded, ctp.nonce)


def test_ctp_does_not_reveal_amount_or_rate(market, funded, make_ctp):
    ctp, terms = make_ctp()
    tx = market.commit(ctp.as_args(), {"from": funded})
    data = tx.input.lower()
    assert f"{terms.energy_wh:064x}" not in data
    assert f"{terms.rate:064x}" not in data
    assert bytes(tx.events["Committed"]["contractHash"]) == terms.contract_hash


def test_only_the_consumer_commits_its_funds(market, funded, stranger, make_ctp):
    ctp, _ = make_ctp()
    with reverts("MarketNotConsumer", stranger.address, funded.address):
        market.commit(ctp.as_args(), {"from": stranger})


def test_zero_price_is_refused(market, funded, make_ctp, chain):
    ctp, _ = make_ctp(price=0)
    with reverts("MarketZeroPrice", eip712.ctp_digest(ctp, chain.id, market.address)):
        market.commit(ctp.as_args(), {"from": funded})


def test_expiry_in_the_past_is_refused(market, funded, make_ctp, chain):
    ctp, _ = make_ctp(expiry=now(chain) - 1)
    ctp_id = eip712.ctp_digest(ctp, chain.id, market.address)
    with reverts("MarketExpiryInPast", ctp_id, ctp.expiry, ANY):
        market.commit(ctp.as_args(), {"from": funded})


def test_unknown_account_is_refused(market, funded, make_ctp):
    ctp, _ = make_ctp(account=77)
    with reverts("AccountUnknown", 77):
        market.commit(ctp.as_args(), {"from": funded})


def test_second_ctp_beyond_free_balance_is_a_refused_double_spend(market, funded, make_ctp):
    first, _ = make_ctp(price=DEPOSIT - 1)
    market.commit(first.as_args(), {"from": funded})
    second, _ = make_ctp(price=2)
    with reverts("FundsInsufficient", funded.address, 1, 2):
        market.commit(second.as_args(), {"from": funded})


def test_nonce_commits_once(market, funded, make_ctp):
    ctp, _ = make_ctp(nonce=5)
    market.commit(ctp.as_args(), {"from": funded})
    other, _ = make_ctp(nonce=5, price=PRICE + 1)
    with reverts("FundsNonceUsed", funded.address, 5):
        market.commit(other.as_args(), {"from": funded})


def test_commit_without_deposit_is_refused(market, accounts, make_ctp, account_id):
    newcomer = accounts.add()
    accounts[8].transfer(newcomer, "1 ether")
    ctp, _ = make_ctp(who=newcomer)
    with reverts("FundsInsufficient", newcomer.address, 0, PRICE):
        market.commit(ctp.as_args(), {"from": newcomer})


def test_a_ctp_cannot_take_the_slot_of_a_pending_one(market, funded, make_ctp, chain):
    pending, _ = make_ctp(nonce=1)
    market.commit(pending.as_args(), {"from": funded})
    clash, _ = make_ctp(nonce=33)  # same window position: 33 % 32 == 1
    pending_id = eip712.ctp_digest(pending, chain.id, market.address)
    busy = bytes(pending_id[:31]) + bytes([pending_id[31] & 0xFC])
    with reverts("MarketCommitmentSlotBusy", eip712.ctp_digest(clash, chain.id, market.address), busy):
        market.commit(clash.as_args(), {"from": funded})
    assert market.commitmentStatus(pending.as_args()) == 1


def test_a_finished_ctp_slot_is_reused_and_its_status_reads_none(market, funded, make_ctp, chain):
    first, _ = make_ctp(nonce=2, ttl=60)
    market.commit(first.as_args(), {"from": funded})
    chain.sleep(61)
    market.release(first.as_args(), {"from": funded})
    assert market.commitmentStatus(first.as_args()) == 3
    later, _ = make_ctp(nonce=34)
    market.commit(later.as_args(), {"from": funded})
    assert market.commitmentStatus(later.as_args()) == 1
    assert market.commitmentStatus(first.as_args()) == 0  # its history stays in the events
    with reverts("MarketCommitmentNotPending", eip712.ctp_digest(first, chain.id, market.address), 0):
        market.release(first.as_args(), {"from": funded})
