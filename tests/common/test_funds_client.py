"""The Python client of the shared ledger, used like a user would: through web3, with local
keys, in token mode (it must approve before depositing) and in ether mode."""

from __future__ import annotations

import brownie
import pytest

from offchain.common import Funds
from offchain.common.funds import ETHER
from offchain.kernel.anvil import anvil_keys
from offchain.kernel.chain import connect
from offchain.kernel.errors import TransactionFailedError
from offchain.spb.market import MarketClient


@pytest.fixture(autouse=True)
def isolation(fn_isolation):
    pass


@pytest.fixture(scope="module")
def rpc():
    return connect(brownie.web3.provider.endpoint_uri)


@pytest.fixture(scope="module")
def keys():
    return anvil_keys(8)


@pytest.fixture(scope="module")
def token(TestToken, accounts, keys):
    token = TestToken.deploy("Test cents", "CENT", 2, {"from": accounts[0]})
    for k in keys[5:8]:
        token.mint(k.address, 10**9, {"from": accounts[0]})
    return token


def test_token_deposit_approves_then_deposits_and_withdraw_to_pays_out(rpc, keys, token):
    market = MarketClient.deploy(rpc, sender=keys[0], payment_asset=token.address)
    user, friend = keys[5], keys[6]
    assert market.ledger.payment_asset == token.address
    assert not market.ledger.pays_in_ether
    market.deposit(12_345, sender=user)
    assert market.funds(user.address) == Funds(12_345, 0)
    assert token.allowance(user.address, market.address) == 0  # approved exactly what it deposited
    market.withdraw_to(friend.address, 345, sender=user)
    assert token.balanceOf(friend.address) == 10**9 + 345
    market.withdraw(12_000, sender=user)
    assert token.balanceOf(user.address) == 10**9 - 345
    assert market.funds(user.address) == Funds(0, 0)


def test_ether_deposit_attaches_the_value(rpc, keys):
    market = MarketClient.deploy(rpc, sender=keys[0], payment_asset=ETHER)
    market.deposit(10**15, sender=keys[7])
    funds = market.funds(keys[7].address)
    assert funds == Funds(10**15, 0) and funds.free == 10**15


def test_a_refusal_arrives_as_the_ledgers_custom_error_and_sends_nothing(rpc, keys, token):
    market = MarketClient.deploy(rpc, sender=keys[0], payment_asset=token.address)
    user = keys[5]
    nonce = rpc.w3.eth.get_transaction_count(user.address)
    with pytest.raises(TransactionFailedError) as refused:
        market.withdraw(1, sender=user)
    assert refused.value.error_name == "FundsInsufficient"
    assert refused.value.error_args == (user.address, 0, 1)
    assert rpc.w3.eth.get_transaction_count(user.address) == nonce
