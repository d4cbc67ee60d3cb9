"""Python reference model of the PETra market: assets and their positions, the order book,
capacities, feeder flows and money. The stateful test and the order-book property test run
every operation on the model and on the contract and compare: same refusals (the first
failing check, in the contract's order), same token ids, same balances and counters."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace

HELD, OFFERED, MATCHED = 0, 1, 2
PRODUCTION, CONSUMPTION = 0, 1
INTERNAL, EXPORT, IMPORT = 0, 1, 2
MAX_POWER = 2**24 - 1
MAX_PRICE = 2**29 - 1
HORIZON = 672


class Refused(Exception):
    """The model refuses the operation; the contract must revert with ``error``."""

    def __init__(self, error: str, *args) -> None:
        super().__init__(error, *args)
        self.error = error
        self.args_ = args


def cost(power: int, slots: int, price: int) -> int:
    return power * slots * price // 4_000_000


def token_id(kind: int, feeder: int, power: int, first: int, last: int, position: int) -> int:
    content = (last - first + 1) | (first << 8) | (power << 32) | (feeder << 56) | (kind << 64)
    return (content << 40) | position


@dataclass(frozen=True)
class ModelAsset:
    owner: str
    kind: int
    status: int
    feeder: int
    power: int
    first: int
    last: int
    price: int
    position: int
    root: int  # the id of the minted asset this piece was split from

    @property
    def id(self) -> int:
        return token_id(self.kind, self.feeder, self.power, self.first, self.last, self.position)

    @property
    def slots(self) -> int:
        return self.last - self.first + 1

    def as_tuple(self) -> tuple:
        return (self.owner, self.kind, self.status, self.feeder, self.power, self.first, self.last, self.price)


@dataclass
class PetraModel:
    prosumers: dict[int, tuple[int, int, int]]  # id -> (feeder, max production, max consumption)
    feeders: dict[int, tuple[int, int]]  # id -> (internal limit, exchange limit)
    current: int = 0
    next_position: int = 1
    assets: dict[int, ModelAsset] = field(default_factory=dict)  # live, by id
    tombstones: set[int] = field(default_factory=set)
    balance: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    frozen: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    capacity: dict[tuple[int, int, int], int] = field(default_factory=lambda: defaultdict(int))
    flows: dict[tuple[int, int, int], int] = field(default_factory=lambda: defaultdict(int))
    #: per minted root: slot -> power it was minted with (what its pieces must always cover)
    roots: dict[int, dict[int, int]] = field(default_factory=dict)
    #: per root: slot -> power of its pieces burned so far (delivered or retired)
    burned: dict[int, dict[int, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    trades: list[tuple[int, int, int, int, int, int]] = field(
        default_factory=list
    )  # offer, asset, power, first, last, cost
    reputation: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0, 0]))
    delivered_production: int = 0  # W x slots of matched production pieces whose delivery was recorded

    # -- helpers -----------------------------------------------------------------------
    def free(self, who: str) -> int:
        return self.balance[who] - self.frozen[who]

    def _load(self, token: int) -> ModelAsset:
        a = self.assets.get(token)
        if a is None:
            raise Refused("PetraUnknownAsset", token)
        return a

    def _place(self, asset: ModelAsset) -> ModelAsset:
        self.assets[asset.id] = asset
        return asset

    def _allocate(self, hints: list[int]) -> int:
        while hints:
            h = hints.pop(0)
            if h in self.tombstones:
                self.tombstones.discard(h)
                return h
        p = self.next_position
        self.next_position += 1
        return p

    def _add(self, table, base: tuple, limit: int, power: int, first: int, last: int, error: str, *error_head):
        for s in range(first, last + 1):
            if table[(*base, s)] + power > limit:
                raise Refused(error, *error_head, s, limit, table[(*base, s)] + power)
        for s in range(first, last + 1):
            table[(*base, s)] += power

    # -- money ---------------------------------------------------------------------------
    def deposit(self, who: str, amount: int) -> None:
        self.balance[who] += amount

    def withdraw(self, who: str, amount: int) -> None:
        if amount > self.free(who):
            raise Refused("FundsInsufficient", who, self.free(who), amount)
        self.balance[who] -= amount

    # -- DSO ------------------------------------------------------------------------------
    def mint(self, prosumer: int, to: str, kind: int, power: int, first: int, last: int, hint: int) -> int:
        if prosumer not in self.prosumers:
            raise Refused("PetraUnknownProsumer", prosumer)
        if power > MAX_POWER:
            raise Refused("PetraPowerOutOfRange", power, MAX_POWER)
        if power == 0 or last < first or last - first >= 255:
            raise Refused("PetraBadInterval", power, first, last)
        if first <= self.current:
            raise Refused("PetraSlotNotInFuture", first, self.current)
        if last > self.current + HORIZON:
            raise Refused("PetraBeyondHorizon", last, self.current + HORIZON)
        feeder, max_prod, max_cons = self.prosumers[prosumer]
        cap = max_cons if kind == CONSUMPTION else max_prod
        self._add(self.capacity, (prosumer, kind), cap, power, first, last, "PetraCapacityExceeded", prosumer, kind)
        position = self._allocate([hint] if hint else [])
        a = ModelAsset(to, kind, HELD, feeder, power, first, last, 0, position, 0)
        a = replace(a, root=a.id)
        self._place(a)
        self.roots[a.id] = {s: power for s in range(first, last + 1)}
        return a.id

    def record_delivery(self, token: int, delivered: int) -> None:
        a = self._load(token)
        if a.status != MATCHED:
            raise Refused("PetraNotMatched", token, a.status)
        if a.last >= self.current:
            raise Refused("PetraIntervalNotOver", token, a.last, self.current)
        promised = a.power * a.slots * 250
        r = self.reputation[a.owner]
        r[0] += promised
        r[1] += min(delivered, promised)
        r[2] += 1
        r[3] += delivered < promised
        if a.kind == PRODUCTION:
            self.delivered_production += a.power * a.slots
        self._burn(a)

    def _burn(self, a: ModelAsset) -> None:
        del self.assets[a.id]
        self.tombstones.add(a.position)
        for s in range(a.first, a.last + 1):
            self.burned[a.root][s] += a.power

    # -- offers ----------------------------------------------------------------------------
    def post_offer(self, who: str, token: int, price: int) -> None:
        a = self._load(token)
        if a.owner != who:
            raise Refused("PetraNotOwner", token, who, a.owner)
        if a.status != HELD:
            raise Refused("PetraAssetNotHeld", token, a.status)
        if price > MAX_PRICE:
            raise Refused("PetraPriceOutOfRange", price, MAX_PRICE)
        if a.last <= self.current:
            raise Refused("PetraSlotNotInFuture", a.last, self.current)
        if a.kind == CONSUMPTION:
            escrow = cost(a.power, a.slots, price)
            if escrow > self.free(who):
                raise Refused("FundsInsufficient", who, self.free(who), escrow)
            self.frozen[who] += escrow
        self.assets[token] = replace(a, status=OFFERED, price=price)

    def rescind(self, who: str, token: int) -> None:
        a = self._load(token)
        if a.owner != who:
            raise Refused("PetraNotOwner", token, who, a.owner)
        if a.status != OFFERED:
            raise Refused("PetraNotOffered", token, a.status)
        if a.kind == CONSUMPTION:
            self.frozen[who] -= cost(a.power, a.slots, a.price)
        self.assets[token] = replace(a, status=HELD, price=0)

    def retire(self, tokens: list[int]) -> None:
        staged = []
        for t in tokens:
            a = self._load(t)
            if a.status == MATCHED:
                raise Refused("PetraAssetNotHeld", t, MATCHED)
            if a.last > self.current:
                raise Refused("PetraStillTradable", t, a.last, self.current)
            staged.append(a)
        for a in staged:
            if a.status == OFFERED and a.kind == CONSUMPTION:
                self.frozen[a.owner] -= cost(a.power, a.slots, a.price)
            self._burn(a)

    def accept(
        self, who: str, offer_id: int, asset_id: int, power: int, first: int, last: int, limit: int, hints: list[int]
    ) -> tuple[int, list[int], list[int]]:
        """Returns (cost, pieces of the offer, pieces of the asset): ids after the trade,
        matched piece first (``[id]`` when traded whole)."""
        o = self._load(offer_id)
        if o.status != OFFERED:
            raise Refused("PetraNotOffered", offer_id, o.status)
        a = self._load(asset_id)
        if a.owner != who:
            raise Refused("PetraNotOwner", asset_id, who, a.owner)
        if a.status != HELD:
            raise Refused("PetraAssetNotHeld", asset_id, a.status)
        if o.kind == a.kind:
            raise Refused("PetraSameKind", offer_id, asset_id)
        if power == 0 or last < first:
            raise Refused("PetraBadInterval", power, first, last)
        if first <= self.current:
            raise Refused("PetraSlotNotInFuture", first, self.current)
        for x in (o, a):
            if first < x.first or last > x.last:
                raise Refused("PetraPortionOutsideInterval", x.id, first, last, x.first, x.last)
            if power > x.power:
                raise Refused("PetraPortionExceedsPower", x.id, power, x.power)
        ask = o.kind == PRODUCTION
        if ask and o.price > limit:
            raise Refused("PetraPriceAboveLimit", offer_id, o.price, limit)
        if not ask and o.price < limit:
            raise Refused("PetraPriceBelowLimit", offer_id, o.price, limit)
        paid = cost(power, last - first + 1, o.price)
        producer, consumer = (o, a) if ask else (a, o)
        flows = dict(self.flows)
        try:
            if producer.feeder == consumer.feeder:
                internal = self.feeders[producer.feeder][0]
                self._add(self.flows, (producer.feeder, INTERNAL), internal, power, first, last,
                          "PetraFeederLimitExceeded", producer.feeder, INTERNAL)  # fmt: skip
            else:
                self._add(self.flows, (producer.feeder, EXPORT), self.feeders[producer.feeder][1], power, first, last,
                          "PetraFeederLimitExceeded", producer.feeder, EXPORT)  # fmt: skip
                self._add(self.flows, (consumer.feeder, IMPORT), self.feeders[consumer.feeder][1], power, first, last,
                          "PetraFeederLimitExceeded", consumer.feeder, IMPORT)  # fmt: skip
            if producer.owner == consumer.owner:
                raise Refused("PetraSelfTrade", producer.owner)
            buyer, seller = consumer.owner, producer.owner
            if ask and paid > self.free(buyer):
                raise Refused("FundsInsufficient", buyer, self.free(buyer), paid)
        except Refused:
            self.flows.clear()
            self.flows.update(flows)
            raise
        if ask:
            self.balance[buyer] -= paid
        else:
            self.balance[buyer] -= paid
            self.frozen[buyer] -= cost(o.power, o.slots, o.price)
        self.balance[seller] += paid
        hints = list(hints)
        offer_pieces = self._split(o, power, first, last, o.price, hints)
        asset_pieces = self._split(a, power, first, last, o.price, hints)
        self.trades.append((offer_id, asset_id, power, first, last, paid))
        return paid, offer_pieces, asset_pieces

    def _split(self, x: ModelAsset, power: int, first: int, last: int, price: int, hints: list[int]) -> list[int]:
        del self.assets[x.id]
        matched = self._place(replace(x, status=MATCHED, price=price, power=power, first=first, last=last))
        pieces = [matched.id]
        if first > x.first:
            pieces.append(
                self._place(replace(x, status=HELD, price=0, last=first - 1, position=self._allocate(hints))).id
            )
        if last < x.last:
            pieces.append(
                self._place(replace(x, status=HELD, price=0, first=last + 1, position=self._allocate(hints))).id
            )
        if power < x.power:
            leftover = replace(x, status=HELD, price=0, power=x.power - power, first=first, last=last)
            pieces.append(self._place(replace(leftover, position=self._allocate(hints))).id)
        return pieces

    # -- the invariants, on the model ---------------------------------------------
    def check(self) -> None:
        for who in self.balance:
            assert 0 <= self.frozen[who] <= self.balance[who]
        escrow: dict[str, int] = defaultdict(int)
        for a in self.assets.values():
            if a.status == OFFERED and a.kind == CONSUMPTION:
                escrow[a.owner] += cost(a.power, a.slots, a.price)
        assert {k: v for k, v in escrow.items() if v} == {k: v for k, v in self.frozen.items() if v}
        for (prosumer, kind, _), used in self.capacity.items():
            _, prod, cons = self.prosumers[prosumer]
            assert used <= (cons if kind == CONSUMPTION else prod)
        for (feeder, flow, _), used in self.flows.items():
            internal, exchange = self.feeders[feeder]
            assert used <= (internal if flow == INTERNAL else exchange)
        # splits conserve power x time: a root's live and burned pieces cover exactly its cells
        cover: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        for a in self.assets.values():
            for s in range(a.first, a.last + 1):
                cover[a.root][s] += a.power
        for root, cells in self.roots.items():
            for s, power in cells.items():
                assert cover[root][s] + self.burned[root][s] == power, (root, s)
        # no asset sold twice: each offer id is accepted at most once, and what matched
        # production pieces promise is exactly what was traded
        offers = [t[0] for t in self.trades]
        assert len(offers) == len(set(offers))
        traded = sum(t[2] * (t[4] - t[3] + 1) for t in self.trades)
        matched = sum(a.power * a.slots for a in self.assets.values() if a.status == MATCHED and a.kind == PRODUCTION)
        assert traded == matched + self.delivered_production
