"""Reference model of the auction market's money, for the stateful test.

Balances and frozen parts per account, the slots' standing clearings (as settlement
records) and their status, and the totals that must balance: Σ balances (frozen parts
included; fees, rounding and deviation charges are credited to the DSO's balance) ==
deposits − withdrawals == what the contract holds. Each method either applies an
accepted operation or raises :class:`Refused` with the contract's error and arguments.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from offchain.auction.encoding import Clearing, MarketParams, Record, deviation, settlement_records
from offchain.auction.orders import Side


class Refused(Exception):
    def __init__(self, error: str, *args) -> None:
        super().__init__(error, *args)
        self.error = error
        self.args_ = args


@dataclass
class SlotModel:
    status: int = 0  # 0 none, 1 cleared, 2 settled, 3 reconciled
    records: list[Record] = field(default_factory=list)
    volume: int = 0
    welfare: int = 0


class AuctionModel:
    def __init__(self, params: MarketParams, dso: str) -> None:
        self.params = params
        self.dso = dso
        self.balance: dict[str, int] = defaultdict(int)
        self.frozen: dict[str, int] = defaultdict(int)
        self.slots: dict[int, SlotModel] = defaultdict(SlotModel)
        self.deposits = 0
        self.withdrawals = 0

    def free(self, who: str) -> int:
        return self.balance[who] - self.frozen[who]

    # -- funds ---------------------------------------------------------------------------
    def deposit(self, who: str, amount: int) -> None:
        self.balance[who] += amount
        self.deposits += amount

    def withdraw(self, who: str, amount: int) -> None:
        if amount > self.free(who):
            raise Refused("FundsInsufficient", who, self.free(who), amount)
        self.balance[who] -= amount
        self.withdrawals += amount

    # -- clearings -----------------------------------------------------------------------
    def _freeze_all(self, records: list[Record]) -> None:
        for r in records:  # the contract checks buyers in record order
            if r.side is Side.BID and r.amount + r.fee > self.free(r.owner):
                raise Refused("FundsInsufficient", r.owner, self.free(r.owner), r.amount + r.fee)
            if r.side is Side.BID:
                self.frozen[r.owner] += r.amount + r.fee

    def submit(self, clearing: Clearing) -> list[Record]:
        s = self.slots[clearing.slot]
        if s.status != 0:
            raise Refused("AuctionWrongStatus", clearing.slot, s.status)
        records = settlement_records(clearing, self.params)
        snapshot = dict(self.frozen)
        try:
            self._freeze_all(records)
        except Refused:
            self.frozen = defaultdict(int, snapshot)
            raise
        s.status, s.records, s.volume, s.welfare = 1, records, clearing.volume_wh, clearing.welfare
        return records

    def challenge(self, clearing: Clearing) -> list[Record]:
        s = self.slots[clearing.slot]
        if s.status != 1:
            raise Refused("AuctionWrongStatus", clearing.slot, s.status)
        snapshot = dict(self.frozen)
        for r in s.records:
            if r.side is Side.BID:
                self.frozen[r.owner] -= r.amount + r.fee
        records = settlement_records(clearing, self.params)
        try:
            self._freeze_all(records)
            volume, welfare = clearing.volume_wh, clearing.welfare
            if volume < s.volume or (volume == s.volume and welfare <= s.welfare):
                raise Refused("AuctionNotBetter", volume, welfare, s.volume, s.welfare)
        except Refused:
            self.frozen = defaultdict(int, snapshot)
            raise
        s.records, s.volume, s.welfare = records, clearing.volume_wh, clearing.welfare
        return records

    def settle(self, slot: int, now: int, gate: int) -> None:
        s = self.slots[slot]
        if s.status != 1:
            raise Refused("AuctionWrongStatus", slot, s.status)
        if now < gate:
            raise Refused("AuctionSettleTooEarly", slot, gate, now)
        paid = received = 0
        for r in s.records:
            if r.side is Side.BID:
                self.balance[r.owner] -= r.amount + r.fee
                self.frozen[r.owner] -= r.amount + r.fee
                paid += r.amount + r.fee
            else:
                self.balance[r.owner] += r.amount
                received += r.amount
        self.balance[self.dso] += paid - received
        s.status = 2

    def reconcile(self, slot: int, delivered: list[int]) -> tuple[int, int, int]:
        s = self.slots[slot]
        if s.status != 2:
            raise Refused("AuctionWrongStatus", slot, s.status)
        charged = unpaid = credited = 0
        for r, d in zip(s.records, delivered, strict=True):
            dev = deviation(r, d, self.params)
            if dev.owed:
                c = min(dev.owed, self.free(r.owner))
                self.balance[r.owner] -= c
                charged += c
                unpaid += dev.owed - c
            elif dev.credit:
                self.balance[r.owner] += dev.credit
                credited += dev.credit
        self.balance[self.dso] += charged - credited
        s.status = 3
        return charged, unpaid, credited
