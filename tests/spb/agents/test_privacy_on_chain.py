"""Privacy of receipts as they land on chain, after many trades by many meters.

The adversary's view is rebuilt from the chain alone: every ``Settled`` event and the
calldata of its transaction (ERC fields, proof, leaf-key signature → signer). The
ground truth (which meter signed what) comes from the meter agents' own state.
"""

from __future__ import annotations

import dataclasses
import random

import pytest
from eth_account import Account

from offchain.kernel.anvil import anvil_keys
from offchain.spb import eip712
from offchain.spb.privacy import Observation, privacy_report
from offchain.spb.scenario import build_population, run_trade

METERS, GROUP = 6, 3
#: trades per meter: many for the group (the linking games are played within the group
#: root), a few for the meters alone in their CoE. 3 x 96 = 288 trials: without a leak the
#: nearest-neighbour accuracy spreads with sd ~0.036 around chance 0.33, so the noise band
#: (chance + 4 sd ~0.475) was never crossed in 6,000 simulated draws (max 0.462), while the
#: 50% leaky control scores >= 0.56 in all of them. With 3 x 24 trials the band, then taken
#: from independent trials (sd 0.055, not the real 0.072), was crossed by 0.12% of draws
#: without a leak: it failed once (leaf_index 0.597 vs 0.545).
GROUP_TRADES, SOLO_TRADES = 96, 4


@pytest.fixture(scope="module")
def crowd(chain_rpc, tmp_path_factory):
    """6 consumers with meters (3 of them in one group CoE), 2 producers, 84 settled trades."""
    rng = random.Random(11)
    pop = build_population(
        chain_rpc,
        anvil_keys(9),
        tmp_path_factory.mktemp("crowd"),
        producers=2,
        consumers=METERS,
        pool_size=GROUP_TRADES + 4,
        group_size=GROUP,
        rng=rng,
        deposit=10**17,
    )
    turns = [c for c in range(METERS) for _ in range(GROUP_TRADES if c < GROUP else SOLO_TRADES)]
    rng.shuffle(turns)
    for t, c in enumerate(turns):
        run_trade(pop, c, t % 2, amount_wh=500 + 10 * t, form="signed" if t % 3 else "onchain")
    return pop


def observations_from_chain(pop) -> list[tuple[Observation, bytes]]:
    market, w3 = pop.market, pop.chain.w3
    out = []
    for log in market.contract.events.Settled().get_logs(from_block=0):
        ctp_id = bytes(log["args"]["ctpId"])
        tx = w3.eth.get_transaction(log["transactionHash"])
        _, args = market.contract.decode_function_input(tx["input"])
        erc = args["erc"]
        price, energy, ts, root, leaf, proof, signature = (
            erc[k] for k in ("price", "energyWh", "timestamp", "coeRoot", "leafIndex", "proof", "signature")
        )
        digest = eip712.erc_digest(ctp_id, price, energy, root, leaf, ts, pop.chain.chain_id, market.address)
        signer = Account._recover_hash(digest, signature=signature)
        out.append(
            (Observation(bytes(root), signer, leaf, tuple(bytes(p) for p in proof), ts, ctp_id, price, energy), ctp_id)
        )
    return out


@pytest.fixture(scope="module")
def seen(crowd):
    """(observation, ctp id) of every receipt on chain, and the ground truth: signer -> meter."""
    seen = observations_from_chain(crowd)
    meter_of_ctp = {bytes.fromhex(ctp): m.name for m in crowd.meters for ctp in m.state["ercs"]}
    return seen, {obs.signer: meter_of_ctp[ctp_id] for obs, ctp_id in seen}


def report_of(crowd, observations, owner_of):
    group = set(crowd.groups[0])
    anonymity = {pool.root: (GROUP if i in group else 1) for i, m in enumerate(crowd.meters) for pool in m.meter.pools}
    requester_of = {
        root: next(m.name for m in crowd.meters if m.address == requester)
        for v in crowd.verifiers
        for requester, root in v.transcript
    }
    return privacy_report(observations, owner_of, anonymity, requester_of, seed=3)


def caught(result) -> bool:
    return result.accuracy > result.chance + result.margin


def test_only_the_coe_root_links_on_chain_receipts_of_one_meter(crowd, seen):
    seen, owner_of = seen
    assert len(seen) == GROUP * GROUP_TRADES + (METERS - GROUP) * SOLO_TRADES
    report = report_of(crowd, [obs for obs, _ in seen], owner_of)
    print(
        f"\non-chain receipts={report.receipts} meters={report.meters} roots={report.roots} "
        f"mean anonymity set={report.mean_anonymity_set:.2f}"
    )
    for name, trials, accuracy, chance in report.rows():
        print(f"  {name:<22} trials={trials:<4} accuracy={accuracy}  chance={chance}")
    assert report.meters == METERS and report.roots == METERS - GROUP + 1
    assert report.exact_links == []  # no field but the root repeats within one meter's receipts
    for result in report.results:
        if result.name.startswith("field/"):
            assert result.trials == GROUP * GROUP_TRADES and result.margin < 0.25, result
        assert not caught(result), result
    # each leaf key signed exactly one receipt on chain
    assert len({obs.signer for obs, _ in seen}) == len(seen)


@pytest.mark.parametrize("leaky_share", [1.0, 0.5])
def test_a_leaky_meter_is_caught_by_the_same_check(crowd, seen, leaky_share):
    """Control: the same receipts, but the group's leaf indices handed out in one block per
    member (what random 64-bit indices avoid) for a share of the receipts. The field
    adversary must beat chance + margin, or the check above could not see a leak."""
    seen, owner_of = seen
    rng = random.Random(5)
    members = sorted({owner_of[obs.signer] for obs, _ in seen if obs.coe_root == crowd.meters[0].meter.pools[0].root})
    counters = dict.fromkeys(members, 0)
    leaky = []
    for obs, _ in seen:
        owner = owner_of[obs.signer]
        if owner in counters and rng.random() < leaky_share:
            counters[owner] += 1
            obs = dataclasses.replace(obs, leaf_index=members.index(owner) * 2**62 + counters[owner])
        leaky.append(obs)
    result = report_of(crowd, leaky, owner_of).result("field/leaf_index")
    print(f"\nleaky control ({leaky_share:.0%} of receipts): {result}")
    assert caught(result), result
