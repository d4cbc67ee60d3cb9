"""``gridledger trade``: one full SPB trade between fresh agents on the configured network."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from ...kernel.commandline import add_network_options, address, int_range, open_chain, work_folder
from ...kernel.errors import ConfigError

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

    from ...kernel.chain import Chain
    from ..market import MarketClient

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
    parser.add_argument(
        "--energy-wh", type=int_range(1, 10**9), default=5_000, help="energy to trade, in Wh (default 5000)"
    )
    parser.add_argument("--market", type=address, help="address of a deployed SpbMarket governed by the first key")
    parser.add_argument(
        "--workdir", type=work_folder, help="where agent state and meter keystores go (default: temporary)"
    )
    parser.set_defaults(func=_run)


def _keys(chain_id: int) -> list[LocalAccount]:
    from ...devnet.genesis import funded_keys

    return funded_keys(KEYS_ENV, chain_id, minimum=3, roles="governor, producer, consumer")


#: what each key needs at least (wei): the consumer's deposit plus gas for every role
_DEPOSIT = 10**17
_GAS_RESERVE = 10**16


def _check_funds(chain: Chain, keys: list[LocalAccount]) -> None:
    """Refuse before the first transaction when a key cannot pay (an unfunded $GRIDLEDGER_TRADE_KEYS)."""
    gas = _GAS_RESERVE if int(chain.w3.eth.gas_price or 0) else 0
    needs = {"governor": gas, "producer": gas, "consumer": _DEPOSIT + gas}
    for (role, need), key in zip(needs.items(), keys, strict=False):
        balance = int(chain.w3.eth.get_balance(key.address))
        if balance < need:
            raise ConfigError(
                f"the {role} key {key.address} holds {balance} wei on chain {chain.chain_id}, needs at least {need}: fund it"
            )


def _market(chain: Chain, market: str, governor: str) -> MarketClient:
    """The SpbMarket at ``market``, checked: code there, it answers as a market, ``governor`` governs it."""
    from ...kernel.crypto import keccak256
    from ..market import MarketClient

    if not chain.w3.eth.get_code(market):
        raise ConfigError(f"--market {market}: no contract there on chain {chain.chain_id} (an account, not a market)")
    client = MarketClient(chain, market)
    try:
        client.max_ctp_lifetime()
        governs = client.contract.functions.hasRole(keccak256(b"GOVERNOR_ROLE"), governor).call()
    except Exception as exc:  # noqa: BLE001 - any failure of these reads means "not an SpbMarket"
        raise ConfigError(f"--market {market} is not an SpbMarket ({type(exc).__name__})") from None
    if not governs:
        raise ConfigError(f"--market {market} is not governed by the first key {governor}")
    return client


def _first_free_nonce(market: MarketClient, consumer: str, start: int) -> int:
    """The first CTP nonce ``consumer`` has not spent on ``market`` (an earlier trade may have spent some)."""
    nonce = start
    while market.nonce_used(consumer, nonce):
        nonce += 1
    return nonce


def _run(args: argparse.Namespace) -> int:
    from ..scenario import build_population, run_trade

    with open_chain(args) as chain, tempfile.TemporaryDirectory(prefix="gridledger-trade-") as tmp:
        keys = _keys(chain.chain_id)
        _check_funds(chain, keys)
        market = _market(chain, args.market, keys[0].address) if args.market else None
        workdir = args.workdir or Path(tmp)
        pop = build_population(
            chain, keys, workdir, market=market, producers=1, consumers=1, deposit=_DEPOSIT, pool_size=8
        )
        consumer = pop.consumers[0]
        # nonces come from the chain: a consumer key that traded on this market before has spent some
        consumer.state["next_nonce"] = _first_free_nonce(
            pop.market, consumer.address, int(consumer.state["next_nonce"])
        )
        consumer.save()
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
