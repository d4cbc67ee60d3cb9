"""The trading day's loop: chain, deployment, community, every mechanism's part, slot by slot.

    result = run_day(DayOptions(households=10))    # what `make demo` / `gridledger demo` runs

1. a chain: an embedded anvil (default; chain time is moved to the start of every slot), a
   PoA devnet of ``signers`` EthereumJS Clique signers started here (a compressed day: slots
   follow as fast as blocks come), or any JSON-RPC endpoint with a funded key from
   ``$GRIDLEDGER_PRIVATE_KEY`` (refused before anything is sent if ``--chain-id`` differs);
2. every mechanism deployed (not written to ``deployments/``: the chain may vanish with the run);
3. the community (:mod:`.community`) and the day's IPFS node (js-ipfs, started in the background);
4. each registry entry with a ``day`` factory gives a part (:class:`~offchain.kernel.mechanism.DayPart`):
   ``setup`` once, ``on_slot`` for every slot in registry order (each part sees what the earlier
   ones left in ``residual_wh``), ``finish`` once; what is left in a slot goes to / comes from
   the utility at the tariffs, off chain;
5. every transaction is timed and its gas recorded (by phase, mechanism, operation, sender), and
   the results go to the report (:mod:`.report`).
"""

from __future__ import annotations

import concurrent.futures
import os
import random
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ...kernel.chain import Chain, connect
from ...kernel.crypto import keccak256
from ...kernel.errors import ChainIdMismatchError, ConfigError
from ...kernel.fs import state_dir
from ...kernel.mechanism import DayContext, DayOutcome, DayPart, Flow, SlotActions, SlotState, Tariffs, load
from ...kernel.process import start_on_fresh_ports
from ..deploy import deploy_all
from ..registry import mechanisms
from .community import Community, Site, build_community

__all__ = ["DayOptions", "DayRun", "TxRecord", "run_day", "PRIVATE_KEY_ENV"]

PRIVATE_KEY_ENV = "GRIDLEDGER_PRIVATE_KEY"
#: what every day account gets from the operator (wei)
FUNDING = 2 * 10**17
ANVIL_FUNDING = 10**20


@dataclass
class DayOptions:
    households: int = 10
    seed: int = 7
    network: str = "anvil"  # anvil | poa | rpc
    rpc_url: str | None = None
    chain_id: int | None = None
    signers: int = 1
    period: int = 1
    slots: int = 96
    first_slot: int = 0
    site: Site = field(default_factory=Site)
    tariffs: Tariffs = field(default_factory=Tariffs)
    ipfs: bool = True


@dataclass(frozen=True)
class TxRecord:
    phase: str  # deploy | setup | slot | finish
    mechanism: str
    operation: str
    gas: int
    sender: str
    tx: str
    block: int
    seconds: float  # from sending to the receipt
    slot: int | None


@dataclass
class DayRun:
    options: DayOptions
    community: Community
    chain_id: int
    chain_url: str
    network: str
    deployed: dict[str, str]
    operator: str
    parts: list[str]
    not_in_day: list[str]
    flows: list[Flow]
    txs: list[TxRecord]
    outcomes: dict[str, DayOutcome]
    notes: dict[str, list[str]]
    addresses: dict[int, list[tuple[str, str, str]]]
    phase_seconds: dict[str, float]
    slot_seconds: int
    first_block: int
    last_block: int
    ipfs_api: str
    started_at: float
    elapsed: float = 0.0


class _Recorder:
    """Wraps ``chain.send``: every transaction's gas, sender and confirmation time."""

    def __init__(self, chain: Chain) -> None:
        self.records: list[TxRecord] = []
        self.phase, self.mechanism, self.slot = "deploy", "app", None
        original = chain.send

        def send(tx: dict[str, Any], sender: Any, *, what: str = "transaction", **kw: Any) -> Any:
            started = time.monotonic()
            receipt = original(tx, sender, what=what, **kw)
            self.records.append(
                TxRecord(
                    self.phase,
                    self.mechanism,
                    what,
                    int(receipt["gasUsed"]),
                    sender if isinstance(sender, str) else sender.address,
                    "0x" + bytes(receipt["transactionHash"]).hex(),
                    int(receipt["blockNumber"]),
                    time.monotonic() - started,
                    self.slot,
                )
            )
            return receipt

        chain.send = send  # type: ignore[method-assign]


@contextmanager
def _open_chain(options: DayOptions, stack: ExitStack, console: Console) -> Iterator[tuple[Chain, LocalAccount, str]]:
    if options.rpc_url:
        key = os.environ.get(PRIVATE_KEY_ENV)
        if not key:
            raise ConfigError(f"--rpc-url needs a funded key in ${PRIVATE_KEY_ENV}")
        chain = connect(options.rpc_url, expected_chain_id=options.chain_id)
        yield chain, Account.from_key(key), "rpc"
        return
    if options.network == "anvil":
        from ...kernel.anvil import EmbeddedAnvil, anvil_keys

        chain = stack.enter_context(EmbeddedAnvil())
        if options.chain_id is not None and options.chain_id != chain.chain_id:
            raise ChainIdMismatchError(options.chain_id, chain.chain_id, chain.url)
        yield chain, anvil_keys(1)[0], "anvil"
        return
    if options.network == "poa":
        from ...devnet.poa import PoaDevnet

        devnet = PoaDevnet(signers=options.signers, period=options.period)
        chain = devnet.start(120)
        stack.callback(devnet.stop)
        yield chain, devnet.accounts()[0], f"poa-{options.signers}signer"
        return
    raise ConfigError(f"unknown network {options.network!r}: anvil, poa, or --rpc-url URL")


def _ipfs(options: DayOptions, stack: ExitStack, workdir: Path) -> Callable[[], str]:
    from ...ipfs.node import IpfsPortTakenError, JsIpfsNode, detached_api

    running = detached_api()
    if running:
        return lambda: running
    nodes: list[JsIpfsNode] = []

    def attempt(number: int) -> str:
        node = JsIpfsNode(workdir / f"ipfs-repo-{number}", lifetime=3 * 3600)
        nodes.append(node)
        return node.start(120.0)

    def start() -> str:
        # the node's ports are chosen free and bound seconds later, when the daemon is up: another
        # process may take one in between (EADDRINUSE) — then start again on fresh ports
        return start_on_fresh_ports(
            "the day's IPFS node",
            attempt,
            ports_taken=lambda exc: [str(exc)] if isinstance(exc, IpfsPortTakenError) else [],
        )

    pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="day-ipfs")
    future = pool.submit(start)
    stack.callback(pool.shutdown)
    stack.callback(lambda: [node.stop() for node in nodes])
    return lambda: future.result(timeout=400)


def run_day(
    options: DayOptions | None = None,
    console: Console | None = None,
    on_done: Callable[[DayRun, Chain], None] | None = None,
) -> DayRun:
    """Run the whole day (see the module doc) and return everything the report needs.

    ``on_done(run, chain)`` is called while the chain and the IPFS node still run (the
    report reconciles with the chain there)."""
    options = options or DayOptions()
    console = console or Console(width=110)
    if options.households < 2:
        raise ConfigError("--households must be at least 2")
    # a folder of its own (agents' state files, keystores, the IPFS repo), removed at the end; in
    # memory (/dev/shm) where there is one: the agents fsync every state change, which on a busy
    # disk costs more than the day's transactions, and nothing in it outlives the run
    shm = Path("/dev/shm")
    base = shm / "gridledger-days" if shm.is_dir() and os.access(shm, os.W_OK) else state_dir() / "days"
    base.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="day-", dir=base))
    started, wall = time.monotonic(), time.time()
    phases: dict[str, float] = {}
    entries = mechanisms()
    in_day = [m for m in entries if m.day]
    not_in_day = [m.name for m in entries if not m.day]
    with ExitStack() as stack:
        stack.callback(shutil.rmtree, workdir, True)
        progress = stack.enter_context(
            Progress(
                TextColumn("[bold]{task.description:<28}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
            )
        )

        def phase(name: str, total: int) -> Any:
            return progress.add_task(name, total=total)

        t0 = time.monotonic()
        task = phase("chain + IPFS + deploy", 3)
        ipfs_api = _ipfs(options, stack, workdir) if options.ipfs else (lambda: "")
        chain, operator, network = stack.enter_context(_open_chain(options, stack, console))
        progress.advance(task)
        recorder = _Recorder(chain)
        deployed = deploy_all(chain, operator, network=network, write=False)
        progress.advance(task)
        community = build_community(
            options.households,
            seed=options.seed,
            site=options.site,
            n_slots=options.slots,
            first_slot=options.first_slot,
        )
        progress.advance(task)
        phases["chain, deploy, community"] = time.monotonic() - t0

        is_anvil = network == "anvil"
        slot_seconds = 900 if is_anvil else max(1, options.period)
        head = chain.w3.eth.get_block("latest")
        genesis = int(head["timestamp"]) + (60 if is_anvil else 0)
        first_block = int(head["number"])

        def slot_start(i: int) -> int:
            return genesis + i * slot_seconds

        funded: dict[tuple[str, int | None], LocalAccount] = {}

        def account(role: str, household: int | None) -> LocalAccount:
            if (role, household) in funded:
                return funded[(role, household)]
            key = Account.from_key(keccak256(f"gridledger-day/{options.seed}/{role}/{household}".encode()))
            if is_anvil:
                chain.w3.provider.make_request("anvil_setBalance", [key.address, hex(ANVIL_FUNDING)])  # type: ignore[arg-type]
            else:
                chain.send({"to": key.address, "value": FUNDING}, operator, what="fund a day account")
            funded[(role, household)] = key
            return key

        ctx = DayContext(
            chain=chain,
            operator=operator,
            deployed=deployed,
            households=community.households,
            n_slots=community.n_slots,
            slot_seconds=slot_seconds,
            tariffs=options.tariffs,
            console=console,
            workdir=workdir,
            rng=random.Random(options.seed),
            network=network,
            account=account,
            ipfs_api=ipfs_api,
            slot_start=slot_start,
            shared_plant=community.shared_plant,
        )
        parts: list[DayPart] = []
        notes: dict[str, list[str]] = {}
        flows: list[Flow] = []
        t0 = time.monotonic()
        recorder.phase = "setup"
        task = phase("setup (parts)", len(in_day))
        for m in in_day:
            part = load(m.day)()  # type: ignore[arg-type]
            if not isinstance(part, DayPart):
                raise ConfigError(f"mechanism {m.name}: its day factory returned no DayPart")
            stack.callback(getattr(part, "close", lambda: None))
            recorder.mechanism = m.name
            actions = part.setup(ctx)
            notes.setdefault(m.name, []).extend(actions.notes)
            parts.append(part)
            progress.advance(task)
        phases["setup"] = time.monotonic() - t0

        t0 = time.monotonic()
        recorder.phase = "slot"
        task = phase(f"{community.n_slots} slots", community.n_slots)
        clock_zone = options.site.zone
        import datetime as dt
        from zoneinfo import ZoneInfo

        day_start = dt.datetime.combine(options.site.date, dt.time(0), ZoneInfo(clock_zone))
        for i, row in enumerate(community.slots):
            target = slot_start(i)
            if is_anvil:
                now = int(chain.w3.eth.get_block("latest")["timestamp"])
                if now < target:
                    chain.w3.provider.make_request("evm_setNextBlockTimestamp", [target])  # type: ignore[arg-type]
                    chain.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
            local = (day_start + dt.timedelta(minutes=15 * (community.first_slot + i))).strftime("%H:%M")
            state = SlotState(i, i, target, local, row, [s.net_wh for s in row])
            recorder.slot = i
            for m, part in zip(in_day, parts, strict=True):
                recorder.mechanism = m.name
                actions: SlotActions = part.on_slot(ctx, state)
                for f in actions.flows:
                    flows.append(f)
                    if f.seller is not None:
                        state.residual_wh[f.seller] += f.energy_wh
                    if f.buyer is not None:
                        state.residual_wh[f.buyer] -= f.energy_wh
            for h, rest in enumerate(state.residual_wh):
                if rest > 0:
                    fee = rest * options.tariffs.utility_wei_per_kwh // 1000
                    flows.append(Flow("utility", i, None, h, rest, fee, "grid_import", ""))
                elif rest < 0:
                    credit = -rest * options.tariffs.feed_in_wei_per_kwh // 1000
                    flows.append(Flow("utility", i, h, None, -rest, credit, "grid_export", ""))
            progress.advance(task)
        recorder.slot = None
        phases["slots"] = time.monotonic() - t0

        t0 = time.monotonic()
        recorder.phase = "finish"
        outcomes: dict[str, DayOutcome] = {}
        task = phase("finish (settle, bills, IPFS)", len(parts))
        for m, part in zip(in_day, parts, strict=True):
            recorder.mechanism = m.name
            outcomes[m.name] = part.finish(ctx)
            progress.advance(task)
        phases["finish"] = time.monotonic() - t0
        last_block = int(chain.w3.eth.block_number)
        api = ipfs_api() if options.ipfs else ""
        run = DayRun(
            options=options,
            community=community,
            chain_id=chain.chain_id,
            chain_url=chain.url,
            network=network,
            deployed=dict(deployed),
            operator=operator.address,
            parts=[m.name for m in in_day],
            not_in_day=not_in_day,
            flows=flows,
            txs=recorder.records,
            outcomes=outcomes,
            notes=notes,
            addresses=ctx.addresses,
            phase_seconds=phases,
            slot_seconds=slot_seconds,
            first_block=first_block,
            last_block=last_block,
            ipfs_api=api,
            started_at=wall,
        )
        run.elapsed = time.monotonic() - started
        if on_done is not None:
            on_done(run, chain)
    return run
