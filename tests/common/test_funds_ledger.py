"""The funds-ledger rules, once, against every market that holds money (ether and token mode)."""

from __future__ import annotations

from tests.common.ledger_harness import reverts

U96 = 2**96 - 1


def test_deposit_credits_the_balance_and_the_contract_holds_it(ledger, owner):
    held = ledger.held()
    tx = ledger.deposit(owner, 1000)
    assert tx.events["Deposited"]["owner"] == owner
    assert tx.events["Deposited"]["amount"] == 1000
    assert tx.events["Deposited"]["balance"] == 1000
    assert ledger.funds(owner) == (1000, 0)
    assert ledger.held() == held + 1000


def test_balances_accumulate_exactly(ledger, owner):
    for amount in (1, 10**18, 7):
        ledger.deposit(owner, amount)
    assert ledger.funds(owner) == (10**18 + 8, 0)


def test_zero_deposit_is_refused(ledger, owner):
    with reverts("FundsZeroAmount"):
        ledger.contract.deposit(0, {"from": owner})


def test_ether_deposit_must_attach_exactly_the_amount(ether_ledger, owner):
    with reverts("FundsValueMismatch", 999, 1000):
        ether_ledger.contract.deposit(1000, {"from": owner, "value": 999})
    with reverts("FundsValueMismatch", 1001, 1000):
        ether_ledger.contract.deposit(1000, {"from": owner, "value": 1001})
    assert ether_ledger.funds(owner) == (0, 0)


def test_token_token_ledger_refuses_attached_ether(token_ledger, owner):
    token_ledger.token.mint(owner, 1000, {"from": owner})
    token_ledger.token.approve(token_ledger.contract, 1000, {"from": owner})
    with reverts("FundsUnexpectedEther", 5):
        token_ledger.contract.deposit(1000, {"from": owner, "value": 5})
    assert token_ledger.funds(owner) == (0, 0)


def test_token_deposit_without_allowance_moves_nothing(token_ledger, owner):
    token_ledger.token.mint(owner, 1000, {"from": owner})
    with reverts("ERC20InsufficientAllowance", token_ledger.contract.address, 0, 1000):
        token_ledger.contract.deposit(1000, {"from": owner})
    assert token_ledger.funds(owner) == (0, 0)
    assert token_ledger.token.balanceOf(owner) == 1000


def test_fee_on_transfer_token_deposit_is_refused(spec, governor, owner, FeeOnTransferToken):
    import brownie

    token = FeeOnTransferToken.deploy({"from": governor})
    contract = spec.deploy(brownie.project.get_loaded_projects()[0], governor, token.address)
    token.mint(owner, 10_000, {"from": owner})
    token.approve(contract, 10_000, {"from": owner})
    with reverts("FundsTokenShortfall", 10_000, 9_900):
        contract.deposit(10_000, {"from": owner})
    assert tuple(map(int, contract.fundsOf(owner))) == (0, 0)


def test_failed_token_payout_reverts_and_changes_nothing(spec, governor, owner, FeeOnTransferToken):
    import brownie

    token = FeeOnTransferToken.deploy({"from": governor})
    token.setFeeBps(0, {"from": governor})
    contract = spec.deploy(brownie.project.get_loaded_projects()[0], governor, token.address)
    token.mint(owner, 500, {"from": owner})
    token.approve(contract, 500, {"from": owner})
    contract.deposit(500, {"from": owner})
    token.setFrozenOutgoing(True, {"from": governor})
    with reverts("FundsTransferFailed", owner.address, 500):
        contract.withdraw(500, {"from": owner})
    assert tuple(map(int, contract.fundsOf(owner))) == (500, 0)
    assert token.balanceOf(contract) == 500


def test_withdraw_returns_the_asset(ledger, owner):
    ledger.deposit(owner, 5000)
    before, held = ledger.wallet(owner), ledger.held()
    tx = ledger.contract.withdraw(3000, {"from": owner, "gas_price": 0})
    assert dict(tx.events["Withdrew"]) == {"owner": owner, "to": owner, "amount": 3000, "balance": 2000}
    assert ledger.wallet(owner) == before + 3000
    assert ledger.held() == held - 3000
    assert ledger.funds(owner) == (2000, 0)


def test_withdraw_to_pays_another_address(ledger, owner, other):
    ledger.deposit(owner, 5000)
    mine, theirs = ledger.wallet(owner), ledger.wallet(other)
    tx = ledger.contract.withdrawTo(other, 5000, {"from": owner, "gas_price": 0})
    assert dict(tx.events["Withdrew"]) == {"owner": owner, "to": other, "amount": 5000, "balance": 0}
    assert ledger.wallet(other) == theirs + 5000
    assert ledger.wallet(owner) == mine
    assert ledger.funds(owner) == (0, 0)
    assert ledger.funds(other) == (0, 0)


def test_withdraw_to_the_zero_address_is_refused(ledger, owner):
    ledger.deposit(owner, 5000)
    with reverts("FundsZeroRecipient"):
        ledger.contract.withdrawTo("0x" + "00" * 20, 5000, {"from": owner})
    assert ledger.funds(owner) == (5000, 0)


def test_withdraw_beyond_the_balance_is_refused(ledger, owner):
    ledger.deposit(owner, 5000)
    with reverts("FundsInsufficient", owner.address, 5000, 5001):
        ledger.contract.withdraw(5001, {"from": owner})
    with reverts("FundsInsufficient", owner.address, 5000, 2**256 - 1):
        ledger.contract.withdrawTo(owner, 2**256 - 1, {"from": owner})


def test_nobody_withdraws_anothers_balance(ledger, owner, other):
    ledger.deposit(owner, 5000)
    with reverts("FundsInsufficient", other.address, 0, 1):
        ledger.contract.withdraw(1, {"from": other})
    assert ledger.funds(owner) == (5000, 0)


def test_zero_withdrawal_is_refused(ledger, owner, other):
    ledger.deposit(owner, 5000)
    with reverts("FundsZeroAmount"):
        ledger.contract.withdraw(0, {"from": owner})
    with reverts("FundsZeroAmount"):
        ledger.contract.withdrawTo(other, 0, {"from": owner})


def test_frozen_part_cannot_be_withdrawn(ledger, owner, other):
    ledger.deposit(owner, 5000)
    ledger.freeze(owner, 2000)
    assert ledger.funds(owner) == (5000, 2000)
    with reverts("FundsInsufficient", owner.address, 3000, 3001):
        ledger.contract.withdraw(3001, {"from": owner})
    with reverts("FundsInsufficient", owner.address, 3000, 3001):
        ledger.contract.withdrawTo(other, 3001, {"from": owner})
    ledger.contract.withdraw(3000, {"from": owner})
    assert ledger.funds(owner) == (2000, 2000)


def test_freezing_more_than_the_free_balance_is_refused(ledger, owner):
    ledger.deposit(owner, 5000)
    ledger.freeze(owner, 4000)
    with reverts("FundsInsufficient", owner.address, 1000, 1001):
        ledger.freeze(owner, 1001)
    assert ledger.funds(owner) == (5000, 4000)


def test_a_balance_past_96_bits_is_refused(token_ledger, owner):
    token_ledger.deposit(owner, U96)
    token_ledger.token.mint(owner, 1, {"from": owner})
    token_ledger.token.approve(token_ledger.contract, 1, {"from": owner})
    with reverts("FundsAmountOverflow", owner.address, 1):
        token_ledger.contract.deposit(1, {"from": owner})
    assert token_ledger.funds(owner) == (U96, 0)


def test_reentrant_withdrawal_gets_nothing_extra(ether_ledger, owner, other, ReentrantWithdrawer):
    attacker = ReentrantWithdrawer.deploy(ether_ledger.contract, {"from": other})
    attacker.depositToMarket({"from": other, "value": 1000})
    ether_ledger.deposit(owner, 5000)  # someone else's money in the pot
    held = ether_ledger.held()
    attacker.setReentry(ether_ledger.contract.withdraw.encode_input(1000), {"from": other})
    attacker.withdrawFromMarket(1000, {"from": other})
    assert attacker.reentered()
    assert not attacker.reentrySucceeded()
    assert attacker.balance() == 1000
    assert ether_ledger.funds(attacker) == (0, 0)
    assert ether_ledger.held() == held - 1000


def test_reentrant_withdraw_to_gets_nothing_extra(ether_ledger, owner, other, ReentrantWithdrawer):
    attacker = ReentrantWithdrawer.deploy(ether_ledger.contract, {"from": other})
    attacker.depositToMarket({"from": other, "value": 1000})
    ether_ledger.deposit(owner, 5000)
    held = ether_ledger.held()
    attacker.setReentry(ether_ledger.contract.withdrawTo.encode_input(attacker, 1000), {"from": other})
    attacker.withdrawFromMarket(1000, {"from": other})
    assert attacker.reentered() and not attacker.reentrySucceeded()
    assert ether_ledger.held() == held - 1000


def test_receiver_that_rejects_ether_loses_nothing_and_withdraws_to_another_address(
    ether_ledger, other, RejectingReceiver
):
    receiver = RejectingReceiver.deploy(ether_ledger.contract, {"from": other})
    receiver.depositToMarket({"from": other, "value": 700})
    held = ether_ledger.held()
    with reverts("FundsTransferFailed", receiver.address, 700):
        receiver.withdrawFromMarket(700, {"from": other})
    assert ether_ledger.funds(receiver) == (700, 0)
    assert ether_ledger.held() == held
    before = other.balance()
    receiver.withdrawToFromMarket(other, 700, {"from": other, "gas_price": 0})
    assert other.balance() == before + 700
    assert ether_ledger.funds(receiver) == (0, 0)


# -- nonces of signed instructions ------------------------------------------------------


def _nonces(ledger):
    return lambda who, nonce: ledger.spec.use_nonce(ledger.contract, who, nonce)


def test_nonces_may_be_used_out_of_order_within_the_window(nonce_ledger, owner):
    use = _nonces(nonce_ledger)
    nonce_ledger.deposit(owner, 10**6)
    for nonce in (7, 3, 31, 0):
        use(owner, nonce)
    assert all(nonce_ledger.contract.isNonceUsed(owner, n) for n in (0, 3, 7, 31))
    assert not any(nonce_ledger.contract.isNonceUsed(owner, n) for n in (1, 2, 30, 32))


def test_a_used_nonce_is_refused(nonce_ledger, owner):
    use = _nonces(nonce_ledger)
    nonce_ledger.deposit(owner, 10**6)
    use(owner, 5)
    with reverts("FundsNonceUsed", owner.address, 5):
        use(owner, 5)


def test_a_nonce_past_the_window_slides_it_and_spends_the_passed_ones(nonce_ledger, owner):
    use = _nonces(nonce_ledger)
    nonce_ledger.deposit(owner, 10**6)
    use(owner, 6)
    use(owner, 63)  # window 32..63
    assert nonce_ledger.contract.isNonceUsed(owner, 31)
    assert not nonce_ledger.contract.isNonceUsed(owner, 32)
    with reverts("FundsNonceUsed", owner.address, 7):
        use(owner, 7)
    use(owner, 32)


def test_a_nonce_far_ahead_is_refused_so_nobody_is_locked_out(nonce_ledger, owner):
    use = _nonces(nonce_ledger)
    nonce_ledger.deposit(owner, 10**6)
    use(owner, 10)
    for nonce in (64, 1000, 2**32 - 1):
        with reverts("FundsNonceTooFarAhead", owner.address, nonce, 63):
            use(owner, nonce)
    assert not nonce_ledger.contract.isNonceUsed(owner, 11)
    # the window can still be walked forward one window at a time, to the top
    use(owner, 63)
    with reverts("FundsNonceTooFarAhead", owner.address, 2**32 - 1, 95):
        use(owner, 2**32 - 1)


def test_nonces_are_per_owner(nonce_ledger, owner, other):
    use = _nonces(nonce_ledger)
    nonce_ledger.deposit(owner, 10**6)
    nonce_ledger.deposit(other, 10**6)
    use(owner, 4)
    assert not nonce_ledger.contract.isNonceUsed(other, 4)
    use(other, 4)
