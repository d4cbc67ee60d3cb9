"""Privacy analysis of receipts: can an adversary link ERCs to the meters that signed them?

Every ERC reveals its CoE root, so all receipts under one root are linked to the set of
meters sharing that root — the *anonymity set* (1 for a meter's own pool, ``k`` for a
group CoE of ``k`` meters). The question is whether anything *else* links them.

:func:`privacy_report` plays three adversaries over a list of observed receipts
(exactly the fields that reach the chain) and the ground truth (which meter signed what):

* ``chain/root`` — sees everything on chain. Linking game: for each receipt it picks
  another receipt under the same root and claims "same meter".
* ``verifiers/requester`` — also knows what the verifier meters saw (root → requesting
  meter). Attribution game: it names the requester of the receipt's root as its meter.
* ``field/<name>`` — like ``chain/root`` but, within a group root, picks the receipt
  most similar in one other field (signer, leafIndex, proof, timestamp, ...). If a field
  linked receipts of one meter, this adversary would beat chance.

Each is reported beside *chance* = the mean of ``1 / anonymity set`` (for the linking
games: the probability that a uniformly chosen other receipt of the root is the same
meter's, which is ≈ 1/k). ``exact_links`` lists field values shared by two receipts of
one meter (other than the root): it must be empty.
"""

from __future__ import annotations

import math
import random
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .receipts import EnergyReceipt

__all__ = ["Observation", "observe", "AdversaryResult", "PrivacyReport", "privacy_report", "FIELDS"]

#: Public fields of an ERC other than the CoE root, as they appear on chain.
FIELDS = ("signer", "leaf_index", "proof", "timestamp", "ctp_id", "price", "energy_wh")


@dataclass(frozen=True)
class Observation:
    """What the chain shows of one ERC."""

    coe_root: bytes
    signer: str
    leaf_index: int
    proof: tuple[bytes, ...]
    timestamp: int
    ctp_id: bytes
    price: int
    energy_wh: int


def observe(erc: EnergyReceipt) -> Observation:
    return Observation(
        erc.coe_root, erc.signer, erc.leaf_index, tuple(erc.proof), erc.timestamp, erc.ctp_id, erc.price, erc.energy_wh
    )


#: owner relabellings per linking game that measure its accuracy's spread without a leak
NULL_PERMUTATIONS = 400


@dataclass(frozen=True)
class AdversaryResult:
    name: str
    trials: int
    accuracy: float
    chance: float
    #: standard deviation of the accuracy when nothing links (owners shuffled within each root)
    null_sd: float = 0.0

    @property
    def margin(self) -> float:
        """Four standard deviations of the accuracy without a leak (noise band).

        The trials of a linking game are not independent (two receipts that are each
        other's nearest neighbour count twice), so the spread is measured by shuffling the
        owners within each root over the same picks (``null_sd``: 1.3x the Bernoulli
        standard error for a 1-D nearest-neighbour game); never less than four Bernoulli
        standard errors of a mean over ``trials``."""
        if not self.trials:
            return 0.0
        bernoulli = math.sqrt(max(self.chance * (1 - self.chance), 1e-12) / self.trials)
        return 4 * max(bernoulli, self.null_sd)


@dataclass
class PrivacyReport:
    receipts: int
    meters: int
    roots: int
    mean_anonymity_set: float
    results: list[AdversaryResult] = field(default_factory=list)
    exact_links: list[str] = field(default_factory=list)

    def result(self, name: str) -> AdversaryResult:
        for r in self.results:
            if r.name == name:
                return r
        raise KeyError(name)

    def rows(self) -> list[tuple[str, int, str, str]]:
        return [(r.name, r.trials, f"{r.accuracy:.3f}", f"{r.chance:.3f}") for r in self.results]


def _similarity(name: str) -> Callable[[Observation, Observation], float]:
    if name == "proof":
        return lambda a, b: float(len(set(a.proof) & set(b.proof)))
    if name in ("leaf_index", "timestamp", "price", "energy_wh"):
        return lambda a, b: -abs(getattr(a, name) - getattr(b, name))
    return lambda a, b: float(getattr(a, name) == getattr(b, name))


def _linking_game(
    name: str,
    by_root: Mapping[bytes, list[int]],
    obs: Sequence[Observation],
    owner: Sequence[str],
    rng: random.Random,
    pick: Callable[[int, list[int]], int] | None,
    roots: Iterable[bytes],
) -> AdversaryResult:
    hits = trials = 0
    chance = 0.0
    picks: list[tuple[list[int], list[tuple[int, int]]]] = []  # per root: members, (receipt, picked)
    for root in roots:
        members = by_root[root]
        if len(members) < 2:
            continue
        pairs = []
        for i in members:
            others = [j for j in members if j != i]
            j = pick(i, others) if pick else rng.choice(others)
            pairs.append((i, j))
            trials += 1
            hits += owner[j] == owner[i]
            chance += sum(owner[k] == owner[i] for k in others) / len(others)
        picks.append((members, pairs))
    if not trials:
        return AdversaryResult(name, 0, 0.0, 0.0)
    # the same picks with the owners shuffled within each root: the accuracy nothing links
    shuffler, null = random.Random(name), []
    for _ in range(NULL_PERMUTATIONS):
        shuffled = list(owner)
        for members, _pairs in picks:
            labels = [owner[i] for i in members]
            shuffler.shuffle(labels)
            for i, label in zip(members, labels, strict=True):
                shuffled[i] = label
        null.append(sum(shuffled[i] == shuffled[j] for _m, pairs in picks for i, j in pairs) / trials)
    return AdversaryResult(name, trials, hits / trials, chance / trials, statistics.pstdev(null))


def privacy_report(
    receipts: Sequence[Observation | EnergyReceipt],
    owner_of: Mapping[str, str],
    anonymity_set: Mapping[bytes, int],
    requester_of: Mapping[bytes, str] | None = None,
    *,
    seed: int = 0,
) -> PrivacyReport:
    """Run the adversaries of the module docstring.

    ``owner_of`` maps a receipt's signer (leaf key address) to its meter (ground truth,
    never shown to the adversaries); ``anonymity_set`` maps a root to the number of
    meters sharing it; ``requester_of`` is what verifier meters saw (root → requester).
    """
    obs = [r if isinstance(r, Observation) else observe(r) for r in receipts]
    owner = [owner_of[o.signer] for o in obs]
    rng = random.Random(seed)
    by_root: dict[bytes, list[int]] = defaultdict(list)
    for i, o in enumerate(obs):
        by_root[o.coe_root].append(i)
    report = PrivacyReport(
        receipts=len(obs),
        meters=len(set(owner)),
        roots=len(by_root),
        mean_anonymity_set=sum(anonymity_set[o.coe_root] for o in obs) / max(len(obs), 1),
    )
    report.results.append(_linking_game("chain/root", by_root, obs, owner, rng, None, sorted(by_root)))

    if requester_of is not None:
        hits = sum(requester_of.get(o.coe_root) == owner[i] for i, o in enumerate(obs))
        chance = sum(1 / anonymity_set[o.coe_root] for o in obs)
        report.results.append(
            AdversaryResult("verifiers/requester", len(obs), hits / max(len(obs), 1), chance / max(len(obs), 1))
        )

    group_roots = sorted(r for r in by_root if anonymity_set[r] > 1)
    for name in FIELDS:
        sim = _similarity(name)

        def pick(i: int, others: list[int], sim: Callable[[Observation, Observation], float] = sim) -> int:
            best = max(sim(obs[i], obs[j]) for j in others)
            return rng.choice([j for j in others if sim(obs[i], obs[j]) == best])

        report.results.append(_linking_game(f"field/{name}", by_root, obs, owner, rng, pick, group_roots))

    # exact equality of a field value between two receipts of one meter (root excluded)
    for name in FIELDS:
        seen: dict[Any, str] = {}
        for i, o in enumerate(obs):
            value = getattr(o, name)
            if name == "leaf_index":
                value = (o.coe_root, value)  # indices restart in every tree; within a tree they are unique
            if name in ("timestamp", "price", "energy_wh", "ctp_id"):
                continue  # trade data, chosen by the market, not by the meter's identity
            if value in seen and seen[value] == owner[i]:
                report.exact_links.append(f"{name} repeats for meter {owner[i]}")
            seen.setdefault(value, owner[i])
    return report
