"""Agents that run SPB trades: producer, consumer and smart meter, on one base class.

Each agent drives the contract only through :class:`~offchain.spb.market.MarketClient`
(the same public API users call), follows the market through its events, and keeps
its state in a JSON file written atomically after every change, so that a restarted
agent picks up where it stopped:

* the consumer never reuses a CTP nonce and releases its expired CTPs (also signed
  ones that a producer froze on chain);
* the consumer's meter reserves one of its one-time keys for each deal: the CTP's
  contract hash names that key, so only this meter can confirm the delivery;
* the producer checks every CTP made for its account against its own contract hash
  before it delivers, freezes a signed CTP on chain before delivering (so the consumer
  cannot withdraw or spend the nonce meanwhile; ``freeze_signed=False`` keeps the cheaper
  single-transaction form, at the producer's risk), settles batches leniently (a bad
  item is skipped, never the batch), and never settles a CTP twice — after a crash it
  looks at the chain (and at the transaction it recorded before sending) before trying again;
* the meter signs the ERC with exactly the key it reserved (journaled in the meter's
  keystore before the signature exists) and hands out the same ERC again if asked twice,
  so a meter restart cannot produce two receipts for one delivery.

A whole trade, through the agents only::

    deal = negotiate_trade(consumer, producer, amount_wh=5_000)   # the consumer's meter reserves a key
    ctp = consumer.commit(deal)                    # or: ctp, sig = consumer.sign(deal)
    producer.accept(ctp)                           # checks the contract hash
    producer.freeze(ctp, sig)                      # signed form only: secure the money first
    receipt = meter.confirm_delivery(ctp, deal)    # energy delivered: the ERC
    producer.settle(ctp, receipt)                  # paid
"""

from __future__ import annotations

import enum
import json
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount

from ..kernel.chain import Chain
from ..kernel.errors import GridLedgerError, TransactionFailedError
from ..kernel.fs import atomic_write
from ..negotiation import Agreement, ConcessionStrategy, Party, Transport, negotiate_sync
from . import eip712
from .eip712 import CommitToPay, Terms, sign_ctp
from .market import CommitmentStatus, Funds, MarketClient, Settlement
from .meter import Meter
from .receipts import EnergyReceipt

__all__ = [
    "AgentError",
    "ContractHashMismatchError",
    "CtpState",
    "Deal",
    "Agent",
    "ProducerAgent",
    "ConsumerAgent",
    "MeterAgent",
    "negotiate_trade",
]


class AgentError(GridLedgerError):
    """An agent refused an action or found the market in an unexpected state."""


class ContractHashMismatchError(AgentError):
    """A CTP's contract hash differs from the producer's own copy of the agreed terms."""


class CtpState(enum.StrEnum):
    """Where a CTP stands in an agent's state file (persisted by value: ``"settled"``, ...)."""

    #: producer: a ``Committed`` event for its account was seen, not yet checked
    SEEN = "seen"
    #: producer: checked against its own terms, delivery may go ahead
    ACCEPTED = "accepted"
    #: producer: the settlement is being sent (a crash here is resolved from the chain)
    SETTLING = "settling"
    #: consumer: committed on chain, funds frozen
    PENDING = "pending"
    #: consumer: signed off chain, handed to the producer
    SIGNED = "signed"
    #: producer: a signed CTP it froze on chain before delivering
    FROZEN = "frozen"
    #: both: the ERC settled it, the producer was paid
    SETTLED = "settled"
    #: both: expired and released, the funds came back
    RELEASED = "released"


@dataclass(frozen=True)
class Deal:
    """What a negotiation agreed, plus the salt that hides it in the CTP's contract hash and
    the consumer meter's one-time key that will confirm the delivery (named by the hash)."""

    negotiation_id: bytes
    account_id: int
    price: int
    energy_wh: int
    salt: bytes
    meter_key: str

    @property
    def rate(self) -> int:
        """Agreed rate in wei per Wh (rounded down); the contract hash binds it."""
        return self.price // self.energy_wh

    @property
    def terms(self) -> Terms:
        return Terms(self.energy_wh, self.rate, self.salt, self.meter_key)

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "negotiation_id": self.negotiation_id.hex(), "salt": self.salt.hex()}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Deal:
        negotiation_id = d["negotiation_id"] if "negotiation_id" in d else d["t_id"]  # "t_id": older state files
        if "meter_key" not in d:
            raise AgentError(
                f"deal 0x{negotiation_id} predates meter-bound CTPs (no meter key): it can no longer settle"
            )
        return cls(
            bytes.fromhex(negotiation_id),
            d["account_id"],
            d["price"],
            d["energy_wh"],
            bytes.fromhex(d["salt"]),
            d["meter_key"],
        )


def _ctp_to_json(ctp: CommitToPay) -> dict[str, Any]:
    return {**asdict(ctp), "contract_hash": ctp.contract_hash.hex()}


def _ctp_from_json(d: dict[str, Any]) -> CommitToPay:
    return CommitToPay(**{**d, "contract_hash": bytes.fromhex(d["contract_hash"])})


class Agent:
    """Base class: a key, the market, a state file and an event cursor.

    ``state_path`` holds a JSON object; :meth:`save` writes it atomically (temp file,
    fsync, rename). :meth:`follow` reads the market's events since the last block seen
    and hands each to ``on_<EventName>`` if the subclass defines it.
    """

    role = "agent"
    EVENTS: tuple[str, ...] = ()

    def __init__(self, name: str, chain: Chain, market: MarketClient, key: LocalAccount, state_path: Path) -> None:
        self.name = name
        self.chain = chain
        self.market = market
        self.key = key
        self.state_path = Path(state_path)
        self.state: dict[str, Any] = self._load()
        self.state.setdefault("cursor", 0)

    @property
    def address(self) -> str:
        return str(self.key.address)

    # -- persistence -----------------------------------------------------------------------
    def _load(self) -> dict[str, Any]:
        if not self.state_path.exists():
            return {"role": self.role, "name": self.name}
        try:
            data = json.loads(self.state_path.read_text())
        except json.JSONDecodeError as exc:
            raise AgentError(f"{self.state_path} is not a valid agent state file: {exc}") from exc
        if data.get("role") != self.role:
            raise AgentError(f"{self.state_path} holds the state of a {data.get('role')}, not of a {self.role}")
        return dict(data)

    def save(self) -> None:
        atomic_write(self.state_path, json.dumps(self.state, indent=1, sort_keys=True))

    # -- events ------------------------------------------------------------------------------
    def follow(self) -> int:
        """Process the market's events since the last call; returns how many were handled."""
        head = int(self.chain.w3.eth.block_number)
        start = int(self.state["cursor"])
        if head < start:
            return 0
        handled = 0
        logs: list[Any] = []
        for name in self.EVENTS:
            logs += getattr(self.market.contract.events, name)().get_logs(from_block=start, to_block=head)
        for log in sorted(logs, key=lambda e: (e["blockNumber"], e["logIndex"])):
            getattr(self, f"on_{log['event']}")(dict(log["args"]), log)
            handled += 1
        self.state["cursor"] = head + 1
        self.save()
        return handled

    def _now(self) -> int:
        return int(self.chain.w3.eth.get_block("latest")["timestamp"])

    # CTPs this agent tracks (state["ctps"]) follow their Settled / Released events
    def on_Settled(self, args: dict[str, Any], log: Any) -> None:
        self._mark(bytes(args["ctpId"]), CtpState.SETTLED)

    def on_Released(self, args: dict[str, Any], log: Any) -> None:
        self._mark(bytes(args["ctpId"]), CtpState.RELEASED)

    def _mark(self, ctp_id: bytes, status: CtpState) -> None:
        entry = self.state.get("ctps", {}).get(ctp_id.hex())
        if entry is not None:
            entry["status"] = status


class ProducerAgent(Agent):
    """Owns an energy account, sells its supply, checks CTPs and settles ERCs."""

    role = "producer"
    EVENTS = ("Committed", "Settled", "Released")

    def __init__(self, *args: Any, rates: tuple[int, int] = (2, 1), freeze_signed: bool = True, **kwargs: Any) -> None:
        """``rates``: (opening, reservation) price in wei per Wh; a seller concedes downwards.
        ``freeze_signed``: freeze a signed CTP on chain before delivering (the default; one
        more transaction, ~42k gas, buys the guarantee that the money is there at settlement)."""
        super().__init__(*args, **kwargs)
        self.state.setdefault("account_id", None)
        self.state.setdefault("deals", {})  # negotiation id hex -> deal (the producer's own copy)
        self.state.setdefault("ctps", {})  # ctp id hex -> {"ctp":…, "status":…, "tx":…}
        self.rates = rates
        self.freeze_signed = freeze_signed

    @property
    def account_id(self) -> int:
        if self.state["account_id"] is None:
            raise AgentError(f"{self.name} has no energy account yet: call open_account()")
        return int(self.state["account_id"])

    def open_account(self) -> int:
        if self.state["account_id"] is None:
            self.state["account_id"] = self.market.open_account_by_burn(sender=self.key)
            self.save()
        return self.account_id

    def supply(self, amount_wh: int, price: int, negotiable: bool = True) -> bytes:
        return self.market.supply_energy(self.account_id, amount_wh, price, negotiable, sender=self.key)

    def party(self, amount_wh: int) -> Party:
        opening, reservation = (r * amount_wh for r in self.rates)
        supply = self.market.account(self.account_id).supply_wh
        strategy = ConcessionStrategy.seller(initial=opening, reservation=reservation, max_amount=supply)
        return Party(self.key.key, strategy)

    def remember(self, deal: Deal) -> None:
        """Keep the producer's own copy of agreed terms (to check the CTP's contract hash)."""
        self.state["deals"][deal.negotiation_id.hex()] = deal.to_json()
        self.save()

    def _known_hashes(self) -> dict[str, Deal]:
        deals = [Deal.from_json(d) for d in self.state["deals"].values()]
        return {d.terms.contract_hash.hex(): d for d in deals}

    def accept(self, ctp: CommitToPay) -> Deal:
        """Check a CTP (on chain or signed) for this account against the agreed terms."""
        if ctp.account_id != self.account_id:
            raise AgentError(f"CTP is for account {ctp.account_id}, not for {self.name}'s account {self.account_id}")
        deal = self._known_hashes().get(ctp.contract_hash.hex())
        if deal is None:
            raise ContractHashMismatchError(
                f"CTP contract hash 0x{ctp.contract_hash.hex()} matches no terms {self.name} agreed to: not delivering"
            )
        if deal.price != ctp.price:
            raise ContractHashMismatchError(f"CTP price {ctp.price} differs from the agreed {deal.price}")
        ctp_id = self.market.ctp_id(ctp)
        entry = self.state["ctps"].setdefault(ctp_id.hex(), {"status": CtpState.ACCEPTED, "tx": None})
        entry["ctp"] = _ctp_to_json(ctp)
        self.save()
        return deal

    def on_Committed(self, args: dict[str, Any], log: Any) -> None:
        if int(args["accountId"]) != self.state["account_id"]:
            return
        known = self._known_hashes().get(bytes(args["contractHash"]).hex())
        entry = self.state["ctps"].setdefault(bytes(args["ctpId"]).hex(), {"status": CtpState.SEEN, "tx": None})
        entry["hash_ok"] = known is not None

    def freeze(self, ctp: CommitToPay, consumer_signature: bytes) -> Any:
        """Freeze a signed CTP on chain before delivering: from then on the consumer can
        neither withdraw the money, nor spend the nonce, nor slide its window past it; the
        CTP settles with the ERC like an on-chain one (or comes back at its expiry)."""
        self.accept(ctp)
        ctp_id = self.market.ctp_id(ctp)
        entry = self.state["ctps"][ctp_id.hex()]
        if self.market.status(ctp) != CommitmentStatus.NONE:
            return None  # already on chain (frozen earlier, or committed by the consumer)
        tx = self.market.freeze_signed(ctp, consumer_signature, sender=self.key)
        entry["status"], entry["gas_freeze"] = CtpState.FROZEN, int(tx["gasUsed"])
        self.save()
        return tx

    def settle(self, ctp: CommitToPay, receipt: EnergyReceipt, *, consumer_signature: bytes | None = None) -> Any:
        """Submit the ERC exactly once: for an on-chain CTP (committed, or frozen by
        :meth:`freeze`) with ``settle``; for a signed CTP that is not on chain, with its
        signature in the single-transaction ``settleSigned``.

        Returns the receipt, or ``None`` if the chain shows the CTP already settled (for
        instance by this agent before a crash).
        """
        deal = self.accept(ctp)
        ctp_id = self.market.ctp_id(ctp)
        entry = self.state["ctps"][ctp_id.hex()]
        if self._already_settled(ctp, ctp_id, entry):
            return None
        on_chain = self.market.status(ctp) == CommitmentStatus.PENDING
        if not on_chain and consumer_signature is None:
            raise AgentError(f"CTP 0x{ctp_id.hex()} is not on chain and no consumer signature was given")
        previous = entry["status"]
        entry["status"] = CtpState.SETTLING
        self.save()  # a crash from here on is resolved by _already_settled on restart
        try:
            if on_chain:
                tx = self.market.settle(ctp, deal.terms, receipt, sender=self.key)
            else:
                assert consumer_signature is not None
                tx = self.market.settle_signed(ctp, consumer_signature, deal.terms, receipt, sender=self.key)
        except TransactionFailedError:
            entry["status"] = previous
            self.save()
            raise
        entry["status"], entry["tx"] = CtpState.SETTLED, "0x" + bytes(tx["transactionHash"]).hex()
        self.save()
        return tx

    def _already_settled(self, ctp: CommitToPay, ctp_id: bytes, entry: dict[str, Any]) -> bool:
        """Whether this CTP is settled on chain, whatever the local state says (it may be
        stale after a crash). A signed CTP is never stored: a spent nonce plus a
        ``Settled`` event for its id is the proof."""
        if entry.get("status") == CtpState.SETTLED:
            return True
        settled = self.market.status(ctp) == CommitmentStatus.SETTLED or (
            self.market.nonce_used(ctp.consumer, ctp.nonce) and self.market.settled_on_chain(ctp_id)
        )
        if settled:
            entry["status"] = CtpState.SETTLED
            self.save()
        return settled

    def settle_batch(self, items: list[tuple[CommitToPay, bytes, EnergyReceipt]], *, atomic: bool = False) -> Any:
        """Settle several signed CTPs with their ERCs in one transaction (packed calldata).
        Items the chain already settled are left out. Lenient by default: a bad item — or
        one a stranger lifted out of the batch and settled first — is skipped by the contract
        (``SettlementSkipped`` says why) and the others still settle; ``atomic=True`` makes
        any bad item revert the whole batch (so anyone can grief it)."""
        batch = []
        for ctp, signature, receipt in items:
            deal = self.accept(ctp)
            ctp_id = self.market.ctp_id(ctp)
            entry = self.state["ctps"][ctp_id.hex()]
            if self._already_settled(ctp, ctp_id, entry):
                continue
            batch.append(Settlement(ctp, signature, deal.terms, receipt))
            entry["status"] = CtpState.SETTLING
        if not batch:
            return None
        self.save()
        tx = self.market.settle_batch(batch, atomic=atomic, sender=self.key)
        for event in self.market.events(tx, "Settled"):
            self.state["ctps"][bytes(event["ctpId"]).hex()]["status"] = CtpState.SETTLED
        for event in self.market.events(tx, "SettlementSkipped"):
            self.state["ctps"][bytes(event["ctpId"]).hex()]["status"] = CtpState.ACCEPTED
        self.save()
        return tx

    def collect(self) -> int:
        """Move the account's earnings to the owner's balance; returns the wei moved."""
        return self.market.collect(self.account_id, sender=self.key)


class ConsumerAgent(Agent):
    """Deposits funds, negotiates, commits (on chain or signed) and releases expired CTPs."""

    role = "consumer"
    EVENTS = ("Committed", "Settled", "Released")

    def __init__(
        self, *args: Any, rates: tuple[int, int] = (1, 2), meter: MeterAgent | None = None, **kwargs: Any
    ) -> None:
        """``rates``: (opening, reservation) price in wei per Wh; a buyer concedes upwards.
        ``meter``: the household's smart meter, which reserves the key each CTP names."""
        super().__init__(*args, **kwargs)
        self.state.setdefault("next_nonce", 0)
        self.state.setdefault("ctps", {})
        self.rates = rates
        self.meter = meter

    def meter_key_for(self, negotiation_id: bytes) -> str:
        """The one-time key of this household's meter that will confirm this deal."""
        if self.meter is None:
            raise AgentError(f"{self.name} has no smart meter: no CTP can name a key to confirm it")
        return self.meter.reserve(negotiation_id)

    def deposit(self, amount: int) -> Any:
        return self.market.deposit(amount, sender=self.key)

    def party(self, amount_wh: int) -> Party:
        opening, reservation = (r * amount_wh for r in self.rates)
        return Party(self.key.key, ConcessionStrategy.buyer(initial=opening, reservation=reservation))

    def _new_ctp(self, deal: Deal, ttl: int) -> CommitToPay:
        nonce = int(self.state["next_nonce"])
        self.state["next_nonce"] = nonce + 1
        self.save()  # a nonce is never handed out twice, even across a crash
        expiry = self._now() + ttl
        return CommitToPay(self.address, deal.account_id, expiry, deal.price, deal.terms.contract_hash, nonce)

    def commit(self, deal: Deal, *, ttl: int = 3600) -> CommitToPay:
        """On-chain CTP: freeze the agreed price until settlement or expiry."""
        ctp = self._new_ctp(deal, ttl)
        receipt = self.market.commit(ctp, sender=self.key)
        self.state["ctps"][self.market.ctp_id(ctp).hex()] = {
            "ctp": _ctp_to_json(ctp),
            "status": CtpState.PENDING,
            "gas": {"commit": int(receipt["gasUsed"])},
        }
        self.save()
        return ctp

    def sign(self, deal: Deal, *, ttl: int = 3600) -> tuple[CommitToPay, bytes]:
        """Off-chain CTP (EIP-712): handed to the producer, who submits it with the ERC."""
        ctp = self._new_ctp(deal, ttl)
        signature = sign_ctp(ctp, self.key.key, self.chain.chain_id, self.market.address)
        self.state["ctps"][self.market.ctp_id(ctp).hex()] = {"ctp": _ctp_to_json(ctp), "status": CtpState.SIGNED}
        self.save()
        return ctp, signature

    def on_Committed(self, args: dict[str, Any], log: Any) -> None:
        """A signed CTP of this consumer that a producer froze on chain: now it is a pending
        on-chain CTP, released by :meth:`release_expired` if it is never settled."""
        entry = self.state["ctps"].get(bytes(args["ctpId"]).hex())
        if entry is not None and entry["status"] == CtpState.SIGNED:
            entry["status"] = CtpState.PENDING

    def release_expired(self) -> list[bytes]:
        """Release every own pending on-chain CTP whose expiry has passed."""
        self.follow()
        now = self._now()
        released = []
        for ctp_id_hex, entry in self.state["ctps"].items():
            ctp = _ctp_from_json(entry["ctp"])
            if entry["status"] == CtpState.PENDING and ctp.expiry < now:
                receipt = self.market.release(ctp, sender=self.key)
                entry["status"] = CtpState.RELEASED
                entry.setdefault("gas", {})["release"] = int(receipt["gasUsed"])
                released.append(bytes.fromhex(ctp_id_hex))
        self.save()
        return released

    def funds(self) -> Funds:
        return self.market.funds(self.address)


class MeterAgent(Agent):
    """The consumer's smart meter: confirms delivery with one ERC per CTP."""

    role = "meter"

    def __init__(self, name: str, chain: Chain, market: MarketClient, meter: Meter, state_path: Path) -> None:
        self.meter = meter
        super().__init__(name, chain, market, meter.m_key, state_path)
        self.state.setdefault("ercs", {})
        self.state.setdefault("reservations", {})  # negotiation id hex -> reserved key address

    def reserve(self, negotiation_id: bytes) -> str:
        """Reserve a one-time key for one deal (the same key if asked again) and return its
        address, which the CTP's contract hash will name."""
        known = self.state["reservations"].get(negotiation_id.hex())
        if known is not None:
            return str(known)
        address = self.meter.reserve_key().address
        self.state["reservations"][negotiation_id.hex()] = address
        self.save()
        return address

    def register_coes(self, *, sender: LocalAccount) -> list[bytes]:
        """Register this meter's CoEs that the market does not know yet (anyone may pay): one
        key of each pool signs the registration as proof that the pool is this meter's."""
        done = []
        for pool in self.meter.pools:
            coe = self.meter.coe(pool.root) if pool.root is not None and pool.coe else None
            if coe is None or self.market.coe(coe.root).registered:
                continue
            possession = self.meter.sign_coe_registration(
                coe.root, coe.verifier, self.chain.chain_id, self.market.address
            )
            self.market.register_coe(*coe.registration_args(), possession, sender=sender)
            done.append(coe.root)
        return done

    def confirm_delivery(self, ctp: CommitToPay, deal: Deal) -> EnergyReceipt:
        """Sign (once) the ERC for ``ctp`` after ``deal.energy_wh`` was delivered, with the key
        reserved for the deal — and only if the CTP names that key (its contract hash)."""
        ctp_id = self.market.ctp_id(ctp)
        issued = self.state["ercs"].get(ctp_id.hex())
        if issued is not None:
            return self._stored_receipt(ctp_id, issued)
        if deal.meter_key not in self.state["reservations"].values():
            raise AgentError(f"{self.name} reserved no key {deal.meter_key}: this is not its household's deal")
        if deal.terms.contract_hash != ctp.contract_hash:
            raise ContractHashMismatchError(f"CTP 0x{ctp_id.hex()} does not name {self.name}'s key {deal.meter_key}")
        receipt = self.meter.sign_receipt(
            ctp_id,
            ctp.price,
            deal.energy_wh,
            self.chain.chain_id,
            self.market.address,
            timestamp=self._now(),
            meter_key=deal.meter_key,
        )
        self.state["ercs"][ctp_id.hex()] = {
            "price": receipt.price,
            "energy_wh": receipt.energy_wh,
            "timestamp": receipt.timestamp,
            "coe_root": receipt.coe_root.hex(),
            "leaf_index": receipt.leaf_index,
            "proof": [p.hex() for p in receipt.proof],
            "signature": receipt.signature.hex(),
        }
        self.save()
        return receipt

    def _stored_receipt(self, ctp_id: bytes, d: dict[str, Any]) -> EnergyReceipt:
        """The ERC issued earlier, from the state file (the signer is recovered from its signature)."""
        fields = (ctp_id, d["price"], d["energy_wh"], bytes.fromhex(d["coe_root"]), d["leaf_index"], d["timestamp"])
        data = eip712.erc_typed_data(*fields, self.chain.chain_id, self.market.address)
        signature = bytes.fromhex(d["signature"])
        signer = Account.recover_message(encode_typed_data(full_message=data), signature=signature)
        proof = [bytes.fromhex(p) for p in d["proof"]]
        return EnergyReceipt(*fields, signer, proof, signature, self.chain.chain_id, self.market.address)


def negotiate_trade(
    consumer: ConsumerAgent,
    producer: ProducerAgent,
    *,
    amount_wh: int,
    offer_limit: int = 10,
    transport: Transport | None = None,
) -> Deal:
    """Negotiate a price for ``amount_wh`` (signed offers; in-memory transport unless one
    is given, e.g. the ARB) and record the deal on both sides."""
    agreement: Agreement = negotiate_sync(
        consumer.party(amount_wh), producer.party(amount_wh), transport, amount=amount_wh, offer_limit=offer_limit
    )
    deal = Deal(
        agreement.negotiation_id,
        producer.account_id,
        agreement.price,
        agreement.amount,
        secrets.token_bytes(32),
        consumer.meter_key_for(agreement.negotiation_id),
    )
    producer.remember(deal)
    return deal
