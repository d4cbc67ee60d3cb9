"""Build an SPB population on a chain and run trades between its agents.

Used by ``gridledger trade``, ``gridledger demo`` and the agent tests, so that the
setup (CA, verifier meters, meters with certified key pools, producers with supply,
consumers with deposits) is written once.
"""

from __future__ import annotations

import enum
import random
from dataclasses import dataclass, field
from pathlib import Path

from eth_account.signers.local import LocalAccount

from ..kernel.chain import Chain
from ..negotiation import Transport
from .agents import ConsumerAgent, CtpState, Deal, MeterAgent, ProducerAgent, negotiate_trade
from .certificates import ManufacturerCA
from .coe import GroupCoordinator, VerifierMeter, request_coe
from .eip712 import CommitToPay
from .keystore import KdfParams
from .market import MarketClient
from .meter import Meter

__all__ = ["CtpForm", "Population", "TradeResult", "build_population", "run_trade"]


class CtpForm(enum.StrEnum):
    """How the consumer commits: an on-chain CTP (then the ERC settles it) or a signed one settled with the ERC."""

    ONCHAIN = "onchain"
    SIGNED = "signed"


#: (opening, reservation) prices in wei per Wh of sellers and buyers; agent i adds i × RATE_STEP.
SELL_RATES = (2 * 10**11, 12 * 10**10)
BUY_RATES = (8 * 10**10, 16 * 10**10)
RATE_STEP = 5 * 10**9


@dataclass
class Population:
    """Everyone taking part: the market, its governor, the CA and the agents."""

    chain: Chain
    market: MarketClient
    governor: LocalAccount
    ca: ManufacturerCA
    verifiers: list[VerifierMeter]
    producers: list[ProducerAgent]
    consumers: list[ConsumerAgent]
    meters: list[MeterAgent]  # meters[i] is consumers[i]'s meter
    workdir: Path
    passphrase: str
    groups: list[list[int]] = field(default_factory=list)  # meter indices sharing a group CoE


@dataclass(frozen=True)
class TradeResult:
    """One trade as it ended, with the gas each transaction used."""

    form: CtpForm
    consumer: str
    producer: str
    ctp_id: bytes
    deal: Deal
    #: ``CtpState.SETTLED`` or ``CtpState.RELEASED``
    outcome: CtpState
    gas: dict[str, int]
    coe_root: bytes | None = None


def _new_meter(workdir: Path, name: str, ca: ManufacturerCA, passphrase: str, kdf: KdfParams) -> Meter:
    return Meter.create(workdir / f"{name}.keystore", passphrase, ca=ca, kdf=kdf)


def build_population(
    chain: Chain,
    keys: list[LocalAccount],
    workdir: Path,
    *,
    market: MarketClient | None = None,
    producers: int = 1,
    consumers: int = 1,
    pool_size: int = 16,
    group_size: int = 0,
    deposit: int = 10**18,
    supply_wh: int = 10**7,
    passphrase: str = "gridledger-demo",
    kdf: KdfParams | None = None,
    rng: random.Random | None = None,
) -> Population:
    """Create a CA, two verifier meters, producers (keys[1:]), consumers and their meters.

    ``keys[0]`` governs the market (deployed here unless ``market`` is given) and pays
    for CoE registrations. With ``group_size`` >= 2, the first ``group_size`` meters share
    one group CoE (anonymity set = group size); the others get a CoE each.
    """
    if len(keys) < 1 + producers + consumers:
        raise ValueError(f"need {1 + producers + consumers} funded keys, got {len(keys)}")
    kdf = kdf or KdfParams.light()
    rng = rng or random.Random()
    workdir.mkdir(parents=True, exist_ok=True)
    governor = keys[0]
    market = market or MarketClient.deploy(chain, sender=governor)
    ca = ManufacturerCA.generate()
    market.set_manufacturer(ca.address, True, sender=governor)
    verifiers = [
        VerifierMeter(_new_meter(workdir, f"verifier-{i}", ca, passphrase, kdf), [ca.address]) for i in range(2)
    ]

    producer_agents = []
    for i in range(producers):
        # opening and reservation prices in wei per Wh (1e11 wei/Wh = 0.1 ETH/MWh), a little different each
        rates = (SELL_RATES[0] + i * RATE_STEP, SELL_RATES[1] + i * RATE_STEP)
        p = ProducerAgent(f"producer-{i}", chain, market, keys[1 + i], workdir / f"producer-{i}.json", rates=rates)
        p.open_account()
        p.supply(supply_wh, 1, True)
        producer_agents.append(p)

    consumer_agents, meter_agents = [], []
    for i in range(consumers):
        rates = (BUY_RATES[0] + i * RATE_STEP, BUY_RATES[1] + i * RATE_STEP)
        path = workdir / f"consumer-{i}.json"
        meter = _new_meter(workdir, f"meter-{i}", ca, passphrase, kdf)
        meter_agent = MeterAgent(f"meter-{i}", chain, market, meter, workdir / f"meter-{i}.json")
        meter_agents.append(meter_agent)
        c = ConsumerAgent(f"consumer-{i}", chain, market, keys[1 + producers + i], path, rates=rates, meter=meter_agent)
        c.deposit(deposit)
        consumer_agents.append(c)

    groups: list[list[int]] = []
    grouped = list(range(group_size)) if group_size >= 2 else []
    if grouped:
        coordinator = GroupCoordinator()
        contributions = {i: meter_agents[i].meter.contribute_to_group(pool_size) for i in grouped}
        for i in grouped:
            coordinator.add(contributions[i].leaf_hashes)
        tree = coordinator.finalize(min_members=len(grouped))
        for i in grouped:
            meter_agents[i].meter.join_group(contributions[i].pool_id, tree)
        coe = request_coe(meter_agents[grouped[0]].meter, tree.root, verifiers, rng=rng, attach=False)
        for i in grouped:
            meter_agents[i].meter.attach_coe(coe)
        groups.append(grouped)
    for i, agent in enumerate(meter_agents):
        if i not in grouped:
            pool = agent.meter.create_pool(pool_size)
            request_coe(agent.meter, pool.root, verifiers, rng=rng)
        agent.register_coes(sender=governor)
    return Population(
        chain,
        market,
        governor,
        ca,
        verifiers,
        producer_agents,
        consumer_agents,
        meter_agents,
        workdir,
        passphrase,
        groups,
    )


def _advance(chain: Chain, seconds: int) -> None:
    chain.w3.provider.make_request("evm_increaseTime", [seconds])  # type: ignore[arg-type]
    chain.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]


def run_trade(
    pop: Population,
    consumer: int,
    producer: int,
    *,
    amount_wh: int,
    form: CtpForm | str = CtpForm.ONCHAIN,
    deliver: bool = True,
    ttl: int = 3600,
    transport: Transport | None = None,
) -> TradeResult:
    """negotiate → CTP (on chain or signed) → producer checks it (and freezes a signed one,
    unless it chose not to) → delivery → ERC → settle.

    With ``deliver=False`` the producer never delivers: the CTP must be on chain, the
    chain's clock is moved past its expiry (local devnets only) and the consumer releases it.
    """
    form = CtpForm(form)
    c, p, m = pop.consumers[consumer], pop.producers[producer], pop.meters[consumer]
    deal = negotiate_trade(c, p, amount_wh=amount_wh, transport=transport)
    gas: dict[str, int] = {}
    signature: bytes | None = None
    ctp: CommitToPay
    if form is CtpForm.ONCHAIN:
        ctp = c.commit(deal, ttl=ttl)
        gas["commit"] = c.state["ctps"][pop.market.ctp_id(ctp).hex()]["gas"]["commit"]
        p.follow()
    else:
        ctp, signature = c.sign(deal, ttl=ttl)
    p.accept(ctp)
    ctp_id = pop.market.ctp_id(ctp)
    if signature is not None and p.freeze_signed:
        gas["freeze_signed"] = int(p.freeze(ctp, signature)["gasUsed"])
        signature = None  # on chain now: it settles like an on-chain CTP
    if not deliver:
        if form is not CtpForm.ONCHAIN:
            raise ValueError("an undelivered trade is only meaningful with an on-chain CTP")
        _advance(pop.chain, ttl + 1)
        c.release_expired()
        gas["release"] = c.state["ctps"][ctp_id.hex()]["gas"]["release"]
        return TradeResult(form, c.name, p.name, ctp_id, deal, CtpState.RELEASED, gas)
    receipt = m.confirm_delivery(ctp, deal)
    tx = p.settle(ctp, receipt, consumer_signature=signature)
    gas["settle" if signature is None else "settle_signed"] = int(tx["gasUsed"]) if tx else 0
    return TradeResult(form, c.name, p.name, ctp_id, deal, CtpState.SETTLED, gas, coe_root=receipt.coe_root)
