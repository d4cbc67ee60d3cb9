"""SPB's use of the shared funds ledger: CTPs freeze funds that cannot be withdrawn or
re-committed by re-entry. The ledger's own rules (deposit, withdraw, withdrawTo, hostile
receivers, tokens, nonces) are tested once for every market in tests/common."""

from tests.spb.contracts.helpers import DEPOSIT, funds, reverts


def test_frozen_funds_cannot_be_withdrawn(market, funded, make_ctp):
    ctp, _ = make_ctp(price=DEPOSIT // 4)
    market.commit(ctp.as_args(), {"from": funded})
    free = DEPOSIT - DEPOSIT // 4
    with reverts("FundsInsufficient", funded.address, free, free + 1):
        market.withdraw(free + 1, {"from": funded})
    market.withdraw(free, {"from": funded})
    assert funds(market, funded) == (DEPOSIT // 4, DEPOSIT // 4)


def test_frozen_funds_cannot_be_withdrawn_to_another_address(market, funded, make_ctp, stranger):
    ctp, _ = make_ctp(price=DEPOSIT)
    market.commit(ctp.as_args(), {"from": funded})
    with reverts("FundsInsufficient", funded.address, 0, 1):
        market.withdrawTo(stranger, 1, {"from": funded})


def test_reentry_into_commit_during_withdrawal_cannot_spend_withdrawn_funds(
    market, ReentrantWithdrawer, stranger, make_ctp
):
    attacker = ReentrantWithdrawer.deploy(market, {"from": stranger})
    attacker.depositToMarket({"from": stranger, "value": 1000})
    held = market.balance()
    ctp, _ = make_ctp(price=1000, who=attacker)
    attacker.setReentry(market.commit.encode_input(ctp.as_args()), {"from": stranger})
    attacker.withdrawFromMarket(1000, {"from": stranger})
    assert attacker.reentered()
    assert not attacker.reentrySucceeded()  # the balance was already debited: FundsInsufficient
    assert funds(market, attacker) == (0, 0)
    assert market.balance() == held - 1000


def test_collected_earnings_of_a_contract_owner_leave_by_withdraw_to(
    market, RejectingReceiver, stranger, funded, make_ctp, make_erc, producer
):
    """An energy account owned by a contract that cannot receive ether: its earnings
    would be stuck with `withdraw` alone; `withdrawTo` gets them out."""
    owner = RejectingReceiver.deploy(market, {"from": stranger})
    fee = market.accountFee()
    tx = owner.execute(market, market.openAccountByBurn.encode_input(), {"from": stranger, "value": fee})
    account = tx.events["AccountOpened"]["accountId"]
    owner.execute(market, market.supplyEnergy.encode_input(account, 10**6, 1, True), {"from": stranger})
    ctp, terms = make_ctp(account=account)
    market.commit(ctp.as_args(), {"from": funded})
    market.settle(ctp.as_args(), terms.as_args(), make_erc(ctp, terms), {"from": producer})
    owner.execute(market, market.collect.encode_input(account), {"from": stranger})
    assert funds(market, owner) == (ctp.price, 0)
    with reverts("FundsTransferFailed", owner.address, ctp.price):
        owner.withdrawFromMarket(ctp.price, {"from": stranger})
    before = stranger.balance()
    owner.withdrawToFromMarket(stranger, ctp.price, {"from": stranger, "gas_price": 0})
    assert stranger.balance() == before + ctp.price
    assert funds(market, owner) == (0, 0)
