"""A day part on its own: an embedded anvil, one mechanism's contracts and a day context."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable, Iterator


@contextlib.contextmanager
def own_day(tmp_path, n_slots: int, deploy: Callable[..., dict]) -> Iterator[tuple]:
    """An embedded anvil with a mechanism's contracts (its ``deploy`` step) and a day context for
    three households (H00 with 5 kWp), slots of 900 s from the chain's time at start: yields
    (chain, deployed, ctx, keys, now) with ``keys[(role, h)]`` the accounts handed out."""
    from eth_account import Account
    from rich.console import Console

    from offchain.kernel.anvil import EmbeddedAnvil, anvil_keys
    from offchain.kernel.mechanism import DayContext, HouseholdInfo, Tariffs

    with EmbeddedAnvil() as chain:
        operator = anvil_keys(1)[0]
        deployed = deploy(chain, operator, {})
        keys: dict = {}

        def account(role, h):
            if (role, h) not in keys:
                keys[(role, h)] = key = Account.create()
                chain.w3.provider.make_request("anvil_setBalance", [key.address, hex(10**20)])
            return keys[(role, h)]

        homes = [HouseholdInfo(i, f"H{i:02d}", 3000.0, 5.0 if i == 0 else 0.0) for i in range(3)]
        now = int(chain.w3.eth.get_block("latest")["timestamp"])
        ctx = DayContext(
            chain=chain, operator=operator, deployed=deployed, households=homes, n_slots=n_slots, slot_seconds=900,
            tariffs=Tariffs(), console=Console(quiet=True), workdir=tmp_path, rng=random.Random(3),
            network="anvil", account=account, ipfs_api=lambda: "", slot_start=lambda i: now + 900 * i,
        )  # fmt: skip
        yield chain, deployed, ctx, keys, now
