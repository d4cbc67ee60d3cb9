"""Fixtures for the SPB market tests: role-named accounts, a deployed market with a
registered CoE, and factories for CTPs and ERCs signed with real keys."""

from __future__ import annotations

import secrets

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount

from offchain.kernel.crypto import personal_sign
from offchain.spb import eip712
from offchain.spb.certificates import certificate_inner

from tests.spb.contracts.helpers import (
    ACCOUNT_FEE,
    DEPOSIT,
    ETHER,
    PRICE,
    RATE,
    SUPPLY_WH,
    KeyPool,
    coe_inner,
    make_pool,
    now,
)


@pytest.fixture(autouse=True)
def isolation(fn_isolation):
    pass


@pytest.fixture(scope="module")
def governor(accounts):
    return accounts[0]


@pytest.fixture(scope="module")
def producer(accounts):
    return accounts[1]


@pytest.fixture(scope="module")
def stranger(accounts):
    return accounts[2]


@pytest.fixture(scope="module")
def consumer(accounts):
    """A consumer with a private key (it signs CTPs off chain) and ether to deposit."""
    acct = accounts.add(secrets.token_hex(32))
    accounts[9].transfer(acct, "100 ether")
    return acct


@pytest.fixture(scope="module")
def distributor() -> LocalAccount:
    return Account.create()


@pytest.fixture(scope="module")
def manufacturer() -> LocalAccount:
    return Account.create()


@pytest.fixture(scope="module")
def verifier_meter() -> LocalAccount:
    """A verifier meter: its M-key is certified by `manufacturer`."""
    return Account.create()


@pytest.fixture(scope="module")
def meter() -> KeyPool:
    """The consumer's meter: a pool of 16 one-time keys."""
    return make_pool(16)


@pytest.fixture(scope="module")
def market(SpbMarket, governor, distributor, manufacturer):
    m = SpbMarket.deploy(governor, ACCOUNT_FEE, ETHER, {"from": governor})
    m.setDistributor(distributor.address, True, {"from": governor})
    m.setManufacturer(manufacturer.address, True, {"from": governor})
    return m


@pytest.fixture(scope="module")
def certify():
    """certify(ca, meter_address) -> the CA's certificate over the meter's M-key."""

    def _certify(ca: LocalAccount, meter_address: str) -> bytes:
        return personal_sign(ca, certificate_inner(meter_address))

    return _certify


@pytest.fixture(scope="module")
def register_coe(market, manufacturer, verifier_meter, certify, stranger, possession):
    """register_coe(pool, verifier=verifier_meter, ca=manufacturer, holder=last leaf) registers
    the pool's root; the key of leaf `holder` proves possession (and is used up)."""

    def _register(
        pool: KeyPool,
        verifier: LocalAccount = verifier_meter,
        ca: LocalAccount = manufacturer,
        holder: int | None = None,
    ):
        return market.registerCoE(
            pool.root,
            certify(ca, verifier.address),
            personal_sign(verifier, coe_inner(pool.root)),
            possession(pool, verifier.address, holder),
            {"from": stranger},
        )

    return _register


@pytest.fixture(scope="module")
def possession(market, chain):
    """possession(pool, verifier, holder=last leaf) -> the CoEPossession argument."""

    def _possession(pool: KeyPool, verifier: str, holder: int | None = None, key=None):
        holder = len(pool.keys) - 1 if holder is None else holder
        signer = key or pool.keys[holder]
        sig = eip712.sign_coe_registration(signer.key, pool.root, verifier, chain.id, market.address)
        return (holder, pool.proof(holder), sig)

    return _possession


@pytest.fixture(scope="module")
def coe(register_coe, meter):
    register_coe(meter)
    return meter.root


@pytest.fixture(scope="module")
def account_id(market, producer):
    """The producer's energy account, opened by burning the fee, with supply."""
    tx = market.openAccountByBurn({"from": producer, "value": ACCOUNT_FEE})
    aid = tx.return_value
    market.supplyEnergy(aid, SUPPLY_WH, RATE, True, {"from": producer})
    return aid


@pytest.fixture(scope="module")
def funded(market, consumer, coe, account_id):
    """Steady state: the consumer has deposited, the CoE and account exist."""
    market.deposit(DEPOSIT, {"from": consumer, "value": DEPOSIT})
    return consumer


@pytest.fixture
def make_ctp(market, consumer, account_id, chain, meter):
    """make_ctp(price=PRICE, energy_wh=..., ttl=3600, nonce=None, leaf=None, pool=meter,
    meter_key=None, **overrides) -> (CommitToPay, Terms).

    The CTP names the consumer meter's one-time key that must confirm it: the key of
    `leaf` in `pool` (by default the next unused leaf of this test), or `meter_key`."""
    used = iter(range(1, 10**6))
    leaves = iter(range(10**6))

    def _make(
        price=PRICE,
        energy_wh=None,
        ttl=3600,
        nonce=None,
        account=None,
        who=None,
        expiry=None,
        leaf=None,
        pool=None,
        meter_key=None,
    ):
        energy = energy_wh if energy_wh is not None else price // RATE
        if meter_key is None:
            pool = pool or meter
            meter_key = pool.keys[leaf if leaf is not None else next(leaves)].address
        terms = eip712.Terms(energy, RATE, secrets.token_bytes(32), meter_key)
        ctp = eip712.CommitToPay(
            consumer=(who or consumer).address,
            account_id=account if account is not None else account_id,
            expiry=expiry if expiry is not None else now(chain) + ttl,
            price=price,
            contract_hash=terms.contract_hash,
            nonce=nonce if nonce is not None else next(used),
        )
        return ctp, terms

    return _make


@pytest.fixture
def sign_ctp(market, chain):
    def _sign(ctp, key) -> bytes:
        return eip712.sign_ctp(ctp, key, chain.id, market.address)

    return _sign


@pytest.fixture
def make_erc(market, meter, chain):
    """make_erc(ctp, terms, leaf=<the CTP's meter key>, pool=meter, key=None, price=None,
    proof=None) -> ERC tuple, signed by the key the CTP named unless `key` says otherwise."""

    def _make(ctp, terms, leaf=None, pool=None, key=None, price=None, proof=None, energy_wh=None):
        pool = pool or meter
        if leaf is None:
            named = [i for i, k in enumerate(pool.keys) if k.address == terms.meter_key]
            leaf = named[0] if named else 0
        ctp_id = eip712.ctp_digest(ctp, chain.id, market.address)
        price = ctp.price if price is None else price
        energy = terms.energy_wh if energy_wh is None else energy_wh
        ts = now(chain)
        signer = key or pool.keys[leaf]
        sig = eip712.sign_erc(signer.key, ctp_id, price, energy, pool.root, leaf, ts, chain.id, market.address)
        return (price, energy, ts, pool.root, leaf, proof if proof is not None else pool.proof(leaf), sig)

    return _make
