"""Clients of ``SharedPvPlant`` and ``SharedPvRegistry``: the API owners' apps, the
consortium, agents and the clearing server call.

Every state-changing method takes the signing account as keyword-only ``sender=`` (a
local account, signed here, or an address unlocked on the node) and sends one
transaction through :meth:`Chain.send` (a refusal raises
:class:`~offchain.kernel.errors.TransactionFailedError` carrying the contract's custom
error, before anything is sent). Reads return frozen dataclasses; the plant's history
comes back as typed events (:class:`OwnerAdmitted`, :class:`PortionsTransferred`,
:class:`OwnerRevoked`) in log order — what the clearing server bills from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from eth_account.signers.local import LocalAccount
from eth_utils import event_abi_to_log_topic
from web3.logs import DISCARD

from ..common.slots import SlotClock, SlotConfig
from ..kernel.chain import Chain
from ..kernel.contracts import ContractClient, call_or_raise, deploy
from ..kernel.errors import ConfigError
from .errors import SharesError

__all__ = [
    "FULL_BP",
    "Member",
    "OwnerAdmitted",
    "OwnerRevoked",
    "OwnerShare",
    "PlantClient",
    "PlantEvent",
    "PortionRow",
    "PortionsTransferred",
    "RegistryClient",
    "Run",
    "Sender",
    "TransferWindow",
]

#: who signs a transaction: a local account, or an address unlocked on the node
Sender = LocalAccount | str
#: the whole plant, in basis points
FULL_BP = 10_000


def _address_of(sender: Sender) -> str:
    return sender if isinstance(sender, str) else str(sender.address)


@dataclass(frozen=True)
class OwnerShare:
    """A co-owner and its share of the default key (basis points)."""

    owner: str
    default_bp: int


@dataclass(frozen=True)
class Member:
    """An account's membership of a plant and its share of the default key."""

    member: bool
    default_bp: int


@dataclass(frozen=True)
class TransferWindow:
    """The slots transfers may change now (inclusive): after the current slot, about six weeks ahead."""

    first_slot: int
    last_slot: int

    def __contains__(self, slot: object) -> bool:
        return isinstance(slot, int) and self.first_slot <= slot <= self.last_slot


@dataclass(frozen=True)
class Run:
    """A run of a row: from ``start_slot`` to the next run's start, ``value_bp`` in each slot."""

    start_slot: int
    value_bp: int


@dataclass(frozen=True)
class PortionRow:
    """How the contract stores one owner's row of 128 slots (``rowOf``): runs of equal portions."""

    live: bool
    cache_valid: bool
    cached_default_bp: int
    first_slot: int
    runs: tuple[Run, ...]


@dataclass(frozen=True)
class _Logged:
    block: int
    log_index: int
    tx_hash: str


@dataclass(frozen=True)
class OwnerAdmitted(_Logged):
    owner: str
    default_bp: int


@dataclass(frozen=True)
class PortionsTransferred(_Logged):
    sender: str
    recipient: str
    first_slot: int
    last_slot: int
    amount_bp: int

    @property
    def slots(self) -> range:
        return range(self.first_slot, self.last_slot + 1)


@dataclass(frozen=True)
class OwnerRevoked(_Logged):
    owner: str
    successor: str
    effective_slot: int
    default_bp: int


PlantEvent = OwnerAdmitted | PortionsTransferred | OwnerRevoked
_HISTORY_EVENTS = ("OwnerAdmitted", "PortionsTransferred", "OwnerRevoked")


def _clock_args(clock: SlotConfig) -> tuple[int, int, int, int, int]:
    return clock.as_args()


class PlantClient(ContractClient):
    """Typed access to one ``SharedPvPlant`` on ``chain``.

    ``zone`` names the plant's time zone for local days (the chain stores only its UTC
    offset and DST rule); the client refuses a zone whose rule differs from the plant's.
    """

    def __init__(self, chain: Chain, address: str, *, zone: str = "Europe/Vienna") -> None:
        super().__init__(chain, address, "SharedPvPlant")
        genesis, epoch, slot_seconds, offset, dst = call_or_raise(self.contract.functions.slotConfig(), "slotConfig")
        config = SlotConfig(zone=zone, genesis=int(genesis), epoch=int(epoch), slot_seconds=int(slot_seconds))
        if config.as_args()[3:] != (int(offset), int(dst)):
            raise ConfigError(
                f"time zone {zone} does not match the plant's clock (UTC offset {offset} min, DST rule {dst})"
            )
        #: the plant's slot clock (local days of 92 / 96 / 100 slots)
        self.clock = SlotClock(config)
        self._topics = {
            bytes(event_abi_to_log_topic(item)): item["name"]
            for item in self.contract.abi
            if item.get("type") == "event" and item["name"] in _HISTORY_EVENTS
        }

    @classmethod
    def deploy(
        cls,
        chain: Chain,
        owners: Sequence[OwnerShare],
        *,
        sender: Sender,
        clock: SlotConfig | None = None,
        consortium: str | None = None,
    ) -> PlantClient:
        """Deploy a plant directly (without the registry), governed by ``consortium`` (default: ``sender``)."""
        clock = clock or SlotConfig()
        contract = deploy(
            chain,
            "SharedPvPlant",
            consortium or _address_of(sender),
            _clock_args(clock),
            [o.owner for o in owners],
            [o.default_bp for o in owners],
            sender=sender,
        )
        return cls(chain, contract.address, zone=clock.zone)

    # -- owners --------------------------------------------------------------------------
    def transfer(
        self,
        to: str,
        first_slot: int,
        last_slot: int,
        amount_bp: int,
        *,
        sender: Sender,
        on_broadcast: Callable[[Any], None] | None = None,
    ) -> Any:
        """Move ``amount_bp`` basis points in every slot ``first_slot..last_slot`` from ``sender`` to ``to``.

        ``on_broadcast(tx_hash)`` is called once the node accepted the transaction (agents
        journal the hash before the receipt exists)."""
        fn = self.contract.functions.movePortions(to, first_slot, last_slot, amount_bp)
        return self._send(fn, sender, "movePortions", on_broadcast=on_broadcast)

    def transfer_slots(self, to: str, slots: range, amount_bp: int, *, sender: Sender) -> Any:
        """:meth:`transfer` over a ``range`` of slots (e.g. ``plant.clock.day_slots(date)``)."""
        if not slots or slots.step != 1:
            raise SharesError(f"a transfer needs a non-empty range of consecutive slots, got {slots!r}")
        return self.transfer(to, slots.start, slots.stop - 1, amount_bp, sender=sender)

    def transfer_day(self, to: str, day: dt.date, amount_bp: int, *, sender: Sender) -> Any:
        """:meth:`transfer` over every slot of local ``day`` (92, 96 or 100 slots)."""
        return self.transfer_slots(to, self.clock.day_slots(day), amount_bp, sender=sender)

    def prepare_rows(self, owner: str, *, sender: Sender) -> Any:
        """Create the first storage word of each of ``owner``'s rows (``sender`` pays)."""
        return self._send(self.contract.functions.prepareRows(owner), sender, "prepareRows")

    # -- consortium ----------------------------------------------------------------------
    def admit(self, owner: str, *, sender: Sender) -> Any:
        """Admit ``owner`` with a default share of 0 (consortium only)."""
        return self._send(self.contract.functions.admitOwner(owner), sender, "admitOwner")

    def revoke(self, owner: str, successor: str, *, sender: Sender) -> Any:
        """Revoke ``owner``; from the next slot on its portions belong to ``successor`` (consortium only)."""
        return self._send(self.contract.functions.revokeOwner(owner, successor), sender, "revokeOwner")

    def grant_consortium(self, account: str, *, sender: Sender) -> Any:
        """Give ``account`` the consortium role (admin only)."""
        role = self._call(self.contract.functions.CONSORTIUM_ROLE(), "CONSORTIUM_ROLE")
        return self._send(self.contract.functions.grantRole(role, account), sender, "grantRole")

    # -- reads ---------------------------------------------------------------------------
    def current_slot(self) -> int:
        return int(self._call(self.contract.functions.currentSlot(), "currentSlot"))

    def window(self) -> TransferWindow:
        first, last = self._call(self.contract.functions.transferWindow(), "transferWindow")
        return TransferWindow(int(first), int(last))

    def member(self, account: str) -> Member:
        member, default_bp = self._call(self.contract.functions.memberOf(account), "memberOf")
        return Member(bool(member), int(default_bp))

    def members(self) -> list[str]:
        return [str(a) for a in self._call(self.contract.functions.members(), "members")]

    def default_key(self) -> dict[str, int]:
        """Current members and their default shares."""
        return {a: self.member(a).default_bp for a in self.members()}

    def portion(self, owner: str, slot: int) -> int:
        """Basis points ``owner`` holds in ``slot`` (a slot of the transfer window)."""
        return int(self._call(self.contract.functions.portionOf(owner, slot), "portionOf"))

    def portions(self, owner: str, first_slot: int, last_slot: int) -> list[int]:
        """``owner``'s basis points in each slot ``first_slot..last_slot`` (within the window)."""
        fn = self.contract.functions.portionsOf(owner, first_slot, last_slot)
        return [int(v) for v in self._call(fn, "portionsOf")]

    def row(self, owner: str, slot: int) -> PortionRow:
        live, valid, cached, first, starts, values = self._call(self.contract.functions.rowOf(owner, slot), "rowOf")
        runs = tuple(Run(int(first) + int(s), int(v)) for s, v in zip(starts, values, strict=True))
        return PortionRow(bool(live), bool(valid), int(cached), int(first), runs)

    # -- history -------------------------------------------------------------------------
    def history(self, from_block: int = 0, to_block: int | str = "latest") -> list[PlantEvent]:
        """Every admission, transfer and revocation of the plant, in log order."""
        logs = self.chain.w3.eth.get_logs(
            {"address": self.contract.address, "fromBlock": from_block, "toBlock": to_block}
        )
        out: list[PlantEvent] = []
        for log in logs:
            if str(log["address"]).lower() != self.address.lower():
                continue  # a node that answers a filter loosely (EthereumJS 0.9) gives others' logs too
            event = self._decode(log)
            if event is not None:
                out.append(event)
        return out

    def events_of(self, receipt: Any) -> list[PlantEvent]:
        """The plant's typed events in one transaction receipt."""
        out = [self._decode(log) for log in receipt["logs"] if log["address"] == self.contract.address]
        return [e for e in out if e is not None]

    def _decode(self, log: Any) -> PlantEvent | None:
        if not log["topics"]:
            return None
        name = self._topics.get(bytes(log["topics"][0]))
        if name is None:
            return None
        a = getattr(self.contract.events, name)().process_log(log)["args"]
        where = (int(log["blockNumber"]), int(log["logIndex"]), "0x" + bytes(log["transactionHash"]).hex())
        if name == "PortionsTransferred":
            return PortionsTransferred(
                *where, str(a["from"]), str(a["to"]), int(a["firstSlot"]), int(a["lastSlot"]), int(a["amountBp"])
            )
        if name == "OwnerAdmitted":
            return OwnerAdmitted(*where, str(a["owner"]), int(a["defaultBp"]))
        return OwnerRevoked(*where, str(a["owner"]), str(a["successor"]), int(a["effectiveSlot"]), int(a["defaultBp"]))


class RegistryClient(ContractClient):
    """Typed access to the ``SharedPvRegistry``: the consortium creates plants, anyone lists them."""

    def __init__(self, chain: Chain, address: str) -> None:
        super().__init__(chain, address, "SharedPvRegistry")

    @classmethod
    def deploy(cls, chain: Chain, *, sender: Sender, governor: str | None = None) -> RegistryClient:
        contract = deploy(chain, "SharedPvRegistry", governor or _address_of(sender), sender=sender)
        return cls(chain, contract.address)

    @property
    def address(self) -> str:
        return str(self.contract.address)

    def create_plant(
        self,
        owners: Sequence[OwnerShare],
        *,
        sender: Sender,
        clock: SlotConfig | None = None,
        consortium: str | None = None,
    ) -> PlantClient:
        """Create a plant with ``owners`` and their default shares (consortium only)."""
        clock = clock or SlotConfig()
        fn = self.contract.functions.createPlant(
            consortium or _address_of(sender),
            _clock_args(clock),
            [o.owner for o in owners],
            [o.default_bp for o in owners],
        )
        data = self.contract.encode_abi(fn.abi_element_identifier, args=fn.args)
        receipt = self.chain.send({"to": self.contract.address, "data": data}, sender, what="createPlant")
        created = self.contract.events.PlantCreated().process_receipt(receipt, errors=DISCARD)
        return PlantClient(self.chain, str(created[0]["args"]["plant"]), zone=clock.zone)

    def plants(self) -> list[str]:
        count = int(call_or_raise(self.contract.functions.plantCount(), "plantCount"))
        return [str(call_or_raise(self.contract.functions.plantAt(i), "plantAt")) for i in range(count)]
