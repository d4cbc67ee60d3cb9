"""Entry point of one backbone node process (private): ``python -m offchain.routing._node_main``.

Reads its JSON configuration from stdin (own id, private key, initial table, options),
prints ``READY <id> <port>`` once its peer links are up, and runs until SIGTERM/SIGINT.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import sys

from .backbone import BackboneNode, NodeOptions
from .table import RoutingTable


async def _main(config: dict) -> int:
    table = RoutingTable.from_dict(config["table"])
    node_id = int(config["id"])
    node = BackboneNode(table.node(node_id), bytes.fromhex(config["private"]), table, NodeOptions(**config["options"]))
    await node.start()
    ok = await node.wait_peers(float(config.get("peer_timeout", 20)))
    print(f"READY {node_id} {node.info.port}" if ok else f"FAILED {node_id} peers unreachable", flush=True)
    if not ok:
        await node.close()
        return 1
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await node.close()
    return 0


def main() -> int:
    config = json.loads(sys.stdin.readline())
    logging.basicConfig(
        level=getattr(logging, str(config.get("log_level", "WARNING"))),
        format=f"%(asctime)s backbone-{config['id']} %(levelname)s %(message)s",
        stream=sys.stderr,
    )
    return asyncio.run(_main(config))


if __name__ == "__main__":
    sys.exit(main())
