"""``gridledger trade``: one full SPB trade between fresh agents on the configured network."""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from ...kernel.commandline import add_network_options, open_chain
from ...kernel.errors import ConfigError

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

KEYS_ENV = "GRIDLEDGER_TRADE_KEYS"


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "trade",
        help="run one SPB trade (negotiate, CTP, delivery, ERC, settlement) between fresh agents",
        description="Deploys a fresh SpbMarket (or uses --market), creates a manufacturer CA, verifier "
        "meters, a producer with supply and a consumer with a deposit and a certified meter, then runs "
        "one trade through the agents. Local devnets use anvil's funded development keys; on any other "
        f"chain put 3 funded private keys (governor, producer, consumer) in ${KEYS_ENV}, comma-separated.",
    )
    add_network_options(parser)
    parser.add_argument(
        "--form",
        choices=["onchain", "signed"],
        default="onchain",
        help="on-chain CTP + ERC (two transactions) or signed CTP settled with the ERC (one)",
    )
    parser.add_argument("--energy-wh", type=int, default=5_000, help="energy to trade, in Wh (default 5000)")
    parser.add_argument("--market", help="address of a deployed SpbMarket governed by the first key")
    parser.add_argument("--workdir", type=Path, help="where agent state and meter keystores go (default: temporary)")
    parser.set_defaults(func=_run)


def _keys(chain_id: int) -> list[LocalAccount]:
    from eth_account import Account

    raw = os.environ.get(KEYS_ENV)
    if raw:
        try:
            keys = [Account.from_key(k.strip()) for k in raw.split(",") if k.strip()]
        except ValueError as exc:
            raise ConfigError(f"${KEYS_ENV} holds something that is not a private key: {exc}") from exc
        if len(keys) < 3:
            raise ConfigError(f"${KEYS_ENV} needs 3 funded keys (governor, producer, consumer), got {len(keys)}")
        return keys
    from ...devnet.genesis import POA_CHAIN_ID
    from ...kernel.anvil import ANVIL_CHAIN_ID, anvil_keys

    if chain_id in (ANVIL_CHAIN_ID, POA_CHAIN_ID, 1337):
        return anvil_keys(3)
    raise ConfigError(f"chain {chain_id} is not a local devnet: set ${KEYS_ENV} to 3 funded private keys")


def _run(args: argparse.Namespace) -> int:
    if args.energy_wh <= 0:
        raise ConfigError(f"--energy-wh must be positive, got {args.energy_wh}")
    from ..market import MarketClient
    from ..scenario import build_population, run_trade

    with open_chain(args) as chain, tempfile.TemporaryDirectory(prefix="gridledger-trade-") as tmp:
        keys = _keys(chain.chain_id)
        market = MarketClient(chain, args.market) if args.market else None
        workdir = args.workdir or Path(tmp)
        pop = build_population(
            chain, keys, workdir, market=market, producers=1, consumers=1, deposit=10**17, pool_size=8
        )
        result = run_trade(pop, 0, 0, amount_wh=args.energy_wh, form=args.form)
        funds = pop.consumers[0].funds()
        print(f"market {pop.market.address} on chain {chain.chain_id}")
        print(
            f"trade {result.form}: {result.deal.energy_wh} Wh for {result.deal.price} wei "
            f"(negotiated), ctp 0x{result.ctp_id.hex()} {result.outcome}"
        )
        print("gas: " + ", ".join(f"{k} {v}" for k, v in result.gas.items()))
        print(
            f"consumer balance {funds.balance} wei (frozen {funds.frozen}); producer earnings "
            f"{pop.market.account(pop.producers[0].account_id).earnings} wei"
        )
    return 0
