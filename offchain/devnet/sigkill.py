"""SIGKILL drill for a multi-signer Clique devnet: each signer killed in turn, transfers flowing.

:func:`run_signer_kill_drill` keeps transfers flowing through a :class:`FanoutClient`
(every transfer to every running node, receipts from any node, byte-for-byte
re-broadcast) while it SIGKILLs each chosen signer's node in turn — no clean shutdown —
and restarts it on the same data folder. After each restart it waits until the node is
back on the others' head and checks that its database is intact: every block up to the
common height has the same hash as on a peer, and every transfer confirmed before the
kill still has its receipt there. A node that does not rejoin (or whose database lost
something) is restored from its peers with :func:`restore_from_peers`: its data folder
is set aside and it starts empty, syncing the chain from the others. At the end every
transfer must be in every node's canonical chain exactly once (:func:`traffic.audit`).
"""

from __future__ import annotations

import random
import shutil
import threading
import time
from pathlib import Path
from typing import Any

from .fanout import Submitted
from .poa import PoaDevnet
from .traffic import _heads, audit, client_for, head_sample, load_now, watcher_for

__all__ = ["run_signer_kill_drill", "restore_from_peers", "wait_rejoined", "check_node_db"]


def wait_rejoined(devnet: PoaDevnet, node: int, timeout: float) -> dict[str, Any] | None:
    """Wait until every node reports one head (and has a peer); None after ``timeout``."""
    client = client_for(devnet)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not devnet.nodes[node].alive():
            return None
        sample = head_sample(devnet, client, settle=1.0)
        if sample["one_head"] and all(p >= 1 for p in sample["peers"]):
            return sample
        time.sleep(0.5)
    return None


def check_node_db(devnet: PoaDevnet, node: int, subs: list[Submitted], *, reference: int) -> dict[str, Any]:
    """Blocks 1..common height equal a peer's; every receipt the peer has, ``node`` has too."""
    client = client_for(devnet)
    mine, ref = client.chain(node), client.chain(reference)
    if mine is None or ref is None:
        return {"ok": False, "reason": "no answer"}
    common = min(int(mine.w3.eth.block_number), int(ref.w3.eth.block_number))
    differing = [n for n in range(1, common + 1) if mine.w3.eth.get_block(n)["hash"] != ref.w3.eth.get_block(n)["hash"]]
    missing = []
    checked = 0
    for sub in subs:
        try:
            theirs = ref.w3.eth.get_transaction_receipt(sub.tx_hash)
        except Exception:  # noqa: BLE001, S112 - not mined (yet): nothing to compare
            continue
        if int(theirs["blockNumber"]) > common:
            continue
        checked += 1
        try:
            ours = mine.w3.eth.get_transaction_receipt(sub.tx_hash)
            if ours["blockHash"] != theirs["blockHash"]:
                missing.append(sub.tx_hash)
        except Exception:  # noqa: BLE001 - a receipt the node lost
            missing.append(sub.tx_hash)
    return {
        "ok": not differing and not missing,
        "blocks_compared": common,
        "blocks_differing": differing[:5],
        "receipts_checked": checked,
        "receipts_missing": missing[:5],
    }


def restore_from_peers(devnet: PoaDevnet, node: int, timeout: float = 60.0) -> str:
    """Stop ``node``, set its chain data aside and restart it empty: it syncs from its peers.

    The signer key and ports stay; the old folder is kept as ``<datadir>.broken-<n>`` for
    a post-mortem. Returns that folder's path.
    """
    if devnet.nodes[node].alive():
        devnet.stop_node(node, hard=True)
    datadir = Path(str(devnet.nodes[node].datadir))
    n = 1
    while Path(f"{datadir}.broken-{n}").exists():
        n += 1
    aside = Path(f"{datadir}.broken-{n}")
    if datadir.exists():
        shutil.move(str(datadir), aside)
    datadir.mkdir(parents=True)
    devnet.restart_node(node, timeout=timeout)
    return str(aside)


def run_signer_kill_drill(
    devnet: PoaDevnet,
    *,
    victims: list[int] | None = None,
    down_for: float = 2.0,
    rate: float = 1.0,
    between: float = 6.0,
    rejoin_timeout: float = 90.0,
    seed: int | None = None,
) -> dict[str, Any]:
    """SIGKILL each node in ``victims`` (default: all) in turn while transfers flow; see module doc."""
    victims = list(range(len(devnet.nodes))) if victims is None else victims
    rng = random.Random(seed)
    client = client_for(devnet)
    keys = devnet.accounts()
    senders, recipient = keys[5:10], keys[1].address
    subs: list[Submitted] = []
    errors: list[str] = []
    stop = threading.Event()
    t0 = time.monotonic()
    load_start = load_now()

    watcher = watcher_for(devnet).start()

    def traffic() -> None:
        fees = client.fee_fields()
        i = 0
        t_next = time.monotonic()
        while not stop.is_set():
            try:
                subs.append(client.transfer(senders[i % len(senders)], recipient, 1, fees=fees, watcher=watcher))
            except Exception as exc:  # noqa: BLE001 - reported
                errors.append(f"t={time.monotonic() - t0:.0f}s {type(exc).__name__}: {str(exc)[:160]}")
            i += 1
            t_next += 1.0 / rate
            for s in subs[-60:]:
                client.maybe_resend(s)  # only acts on a transfer without receipt for resend_after s
            stop.wait(max(0.0, t_next - time.monotonic()))

    sender = threading.Thread(target=traffic, daemon=True)
    sender.start()
    kills: list[dict[str, Any]] = []
    try:
        for victim in victims:
            # vary where in the block cycle the kill lands
            time.sleep(between + rng.uniform(0, devnet.period))
            heads = _heads(client)
            head = heads[victim]
            old_pid = devnet.nodes[victim].pid
            t_kill = time.monotonic()
            devnet.stop_node(victim, hard=True)  # SIGKILL: no clean shutdown
            time.sleep(down_for)
            devnet.restart_node(victim)
            t_up = time.monotonic()
            sample = wait_rejoined(devnet, victim, rejoin_timeout)
            record: dict[str, Any] = {
                "node": victim,
                "signal": "SIGKILL",
                "old_pid": old_pid,
                "new_pid": devnet.nodes[victim].pid,
                "head_at_kill": head[0] if head else None,
                "down_s": round(t_up - t_kill, 2),
                "rejoined": sample is not None,
                "rejoin_s": round(time.monotonic() - t_up, 2) if sample else None,
                "restored_from_peers": None,
            }
            db = check_node_db(devnet, victim, subs, reference=(victim + 1) % len(devnet.nodes)) if sample else None
            record["db_check"] = db
            if sample is None or not (db and db["ok"]):
                # the node did not come back whole: rebuild it from its peers
                record["restored_from_peers"] = restore_from_peers(devnet, victim)
                sample = wait_rejoined(devnet, victim, rejoin_timeout)
                record["rejoined_after_restore"] = sample is not None
                if sample:
                    record["db_check_after_restore"] = check_node_db(
                        devnet, victim, subs, reference=(victim + 1) % len(devnet.nodes)
                    )
            record["heights_after"] = sample["heights"] if sample else _heads(client)
            kills.append(record)
    finally:
        stop.set()
        sender.join(30)
    missing = client.wait(subs, timeout=120)
    watcher.stop()
    time.sleep(3 * devnet.period)
    final = head_sample(devnet, client, settle=2.0)
    report = audit(devnet, subs)
    return {
        "kills": kills,
        "transfers": len(subs),
        "confirmed": len(subs) - len(missing),
        "resubmissions": client.resubmissions,
        "errors": errors[:8],
        "error_count": len(errors),
        "in_sync_after": final,
        "audit": report,
        "all_confirmed_once": report["ok"] and not missing and len(subs) > 0,
        "every_node_rejoined_intact": all(
            (k["rejoined"] and k["db_check"] and k["db_check"]["ok"])
            or (k.get("rejoined_after_restore") and k.get("db_check_after_restore", {}).get("ok"))
            for k in kills
        ),
        "load_start": load_start,
        "load_end": load_now(),
        "seconds": round(time.monotonic() - t0, 1),
    }
