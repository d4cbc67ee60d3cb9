"""``gridledger petra ...``: deploy a PETra market, register, mint, offer, accept, read.

Transactions are signed with the private key in ``$GRIDLEDGER_PETRA_KEY``; on a local
devnet ``--dev-account N`` picks anvil's funded development key N instead. Reads need no key.
Every refusal prints one line (the contract's custom error and its arguments) and exits non-zero.
"""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING, Any

from ...kernel.commandline import add_network_options, address, open_chain
from ...kernel.errors import ConfigError

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

    from ...kernel.chain import Chain
    from ..client import PetraClient

KEY_ENV = "GRIDLEDGER_PETRA_KEY"


def _int(text: str) -> int:
    """Decimal or 0x-prefixed hex (token ids are long)."""
    try:
        return int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "petra",
        help="PETra market: quantised energy assets for fiat cents, offers with splits, feeder limits",
        description="Deploy a PETra market and its fiat token, register feeders and prosumers, mint "
        "energy assets within capacity, post, rescind and accept offers, read assets, the order book "
        f"(rebuilt from events) and reputations. Signing key: ${KEY_ENV}, or --dev-account N on a local devnet.",
    )
    cmds = parser.add_subparsers(dest="petra_command", required=True, metavar="COMMAND")

    def command(name: str, help_: str, *, market: bool = True, signs: bool = True) -> argparse.ArgumentParser:
        p = cmds.add_parser(name, help=help_, description=help_)
        add_network_options(p)
        if market:
            p.add_argument("--market", type=address, required=True, help="address of the PetraMarket")
        if signs:
            p.add_argument("--dev-account", type=int, help="sign with anvil's development key N (local devnets only)")
        return p

    p = command("deploy", "deploy a FiatToken (cents) and a PetraMarket paying in it; the signer governs and is DSO",
                market=False)  # fmt: skip
    p.set_defaults(func=_deploy)

    p = command("feeder", "DSO: set a feeder's internal and import/export limits per interval (W)")
    p.add_argument("feeder", type=int)
    p.add_argument("internal_limit", type=int)
    p.add_argument("exchange_limit", type=int)
    p.set_defaults(func=_feeder)

    p = command("prosumer", "DSO: register a prosumer's feeder and maximum production and consumption (W)")
    p.add_argument("prosumer", type=int)
    p.add_argument("feeder", type=int)
    p.add_argument("max_production", type=int)
    p.add_argument("max_consumption", type=int)
    p.set_defaults(func=_prosumer)

    p = command("mint", "DSO: mint an energy asset to a prosumer's anonymous account (within capacity)")
    p.add_argument("prosumer", type=int)
    p.add_argument("to", help="the prosumer's anonymous account")
    p.add_argument("kind", choices=["production", "consumption"])
    p.add_argument("power", type=int, help="watts in every slot")
    p.add_argument("first", type=int, help="first 15-minute slot")
    p.add_argument("last", type=int, help="last 15-minute slot (included)")
    p.set_defaults(func=_mint)

    p = command("offer", "post a held asset as an ask (production) or a bid (consumption, escrow frozen)")
    p.add_argument("asset", type=_int)
    p.add_argument("price", type=int, help="cents per MWh")
    p.set_defaults(func=_offer)

    p = command("rescind", "take an offer back (a bid's escrow is unfrozen)")
    p.add_argument("asset", type=_int)
    p.set_defaults(func=_rescind)

    p = command("accept", "accept part or all of an offer with one of your held assets of the other kind")
    p.add_argument("offer", type=_int)
    p.add_argument("asset", type=_int)
    p.add_argument("power", type=int)
    p.add_argument("first", type=int)
    p.add_argument("last", type=int)
    p.add_argument("limit_price", type=int, help="most you pay for an ask / least you take for a bid (cents per MWh)")
    p.set_defaults(func=_accept)

    p = command("deposit", "move fiat cents from your wallet into the market's funds ledger")
    p.add_argument("cents", type=int)
    p.set_defaults(func=_deposit)

    p = command("book", "the open order book, rebuilt from the market's events alone", signs=False)
    p.set_defaults(func=_book)

    p = command("asset", "one live asset", signs=False)
    p.add_argument("asset", type=_int)
    p.set_defaults(func=_asset)

    p = command("reputation", "an anonymous account's delivered vs promised energy", signs=False)
    p.add_argument("account")
    p.set_defaults(func=_reputation)


def _key(args: argparse.Namespace, chain: Chain) -> LocalAccount:
    from eth_account import Account

    if args.dev_account is not None:
        from ...devnet.genesis import POA_CHAIN_ID
        from ...kernel.anvil import ANVIL_CHAIN_ID, anvil_keys

        if chain.chain_id not in (ANVIL_CHAIN_ID, POA_CHAIN_ID, 1337):
            raise ConfigError(f"--dev-account is for local devnets; chain {chain.chain_id} is not one")
        if not 0 <= args.dev_account < 10:
            raise ConfigError(f"--dev-account must be 0..9, got {args.dev_account}")
        return anvil_keys(10)[args.dev_account]
    raw = os.environ.get(KEY_ENV)
    if not raw:
        raise ConfigError(f"no signing key: set ${KEY_ENV} (or --dev-account N on a local devnet)")
    try:
        return Account.from_key(raw.strip())
    except ValueError as exc:
        raise ConfigError(f"${KEY_ENV} is not a private key: {exc}") from exc


def _market(args: argparse.Namespace, chain: Chain) -> PetraClient:
    from ..client import PetraClient

    if not chain.w3.is_address(args.market):
        raise ConfigError(f"--market is not an address: {args.market}")
    if not chain.w3.eth.get_code(chain.w3.to_checksum_address(args.market)):
        raise ConfigError(f"no contract at {args.market} on chain {chain.chain_id}")
    return PetraClient(chain, args.market)


def _with_market(args: argparse.Namespace, action: Any, signs: bool = True) -> int:
    with open_chain(args) as chain:
        market = _market(args, chain)
        key = _key(args, chain) if signs else None
        action(market, key)
    return 0


def _deploy(args: argparse.Namespace) -> int:
    from ..deploy import deploy

    with open_chain(args) as chain:
        deployed = deploy(chain, _key(args, chain), {})
        for name, address in deployed.items():
            print(f"{name} {address}")
    return 0


def _feeder(args: argparse.Namespace) -> int:
    def act(m: PetraClient, key: LocalAccount) -> None:
        m.set_feeder(args.feeder, args.internal_limit, args.exchange_limit, sender=key)
        print(f"feeder {args.feeder}: internal {args.internal_limit} W, import/export {args.exchange_limit} W")

    return _with_market(args, act)


def _prosumer(args: argparse.Namespace) -> int:
    def act(m: PetraClient, key: LocalAccount) -> None:
        m.register_prosumer(args.prosumer, args.feeder, args.max_production, args.max_consumption, sender=key)
        print(f"prosumer {args.prosumer} on feeder {args.feeder}: production {args.max_production} W, "
              f"consumption {args.max_consumption} W")  # fmt: skip

    return _with_market(args, act)


def _mint(args: argparse.Namespace) -> int:
    from ..client import AssetKind

    def act(m: PetraClient, key: LocalAccount) -> None:
        kind = AssetKind.CONSUMPTION if args.kind == "consumption" else AssetKind.PRODUCTION
        token, _ = m.mint(args.prosumer, args.to, kind, args.power, args.first, args.last, sender=key)
        print(f"asset {token:#x}")

    return _with_market(args, act)


def _offer(args: argparse.Namespace) -> int:
    def act(m: PetraClient, key: LocalAccount) -> None:
        receipt = m.post_offer(args.asset, args.price, sender=key)
        escrow = m.events(receipt, "OfferPosted")[0]["escrow"]
        print(f"offer {args.asset:#x} at {args.price} cents/MWh, escrow {escrow} cents")

    return _with_market(args, act)


def _rescind(args: argparse.Namespace) -> int:
    def act(m: PetraClient, key: LocalAccount) -> None:
        receipt = m.rescind_offer(args.asset, sender=key)
        print(f"rescinded {args.asset:#x}, escrow {m.events(receipt, 'OfferRescinded')[0]['escrow']} cents unfrozen")

    return _with_market(args, act)


def _accept(args: argparse.Namespace) -> int:
    from ..client import Portion

    def act(m: PetraClient, key: LocalAccount) -> None:
        portion = Portion(args.power, args.first, args.last)
        trade = m.accept(args.offer, args.asset, portion, args.limit_price, hints=m.free_positions()[:6], sender=key)
        print(f"accepted {args.power} W in slots {args.first}..{args.last} for {trade.cost} cents")
        print("offer pieces " + " ".join(f"{i:#x}" for i in trade.offer_pieces))
        print("asset pieces " + " ".join(f"{i:#x}" for i in trade.asset_pieces))

    return _with_market(args, act)


def _deposit(args: argparse.Namespace) -> int:
    def act(m: PetraClient, key: LocalAccount) -> None:
        m.deposit(args.cents, sender=key)
        funds = m.funds(key.address)
        print(f"deposited {args.cents} cents: balance {funds.balance}, frozen {funds.frozen}")

    return _with_market(args, act)


def _book(args: argparse.Namespace) -> int:
    def act(m: PetraClient, _key: Any) -> None:
        book = m.order_book()
        if not book:
            print("no open offers")
        for o in sorted(book.values(), key=lambda o: (not o.is_ask, o.price)):
            c = o.content
            side = "ask" if o.is_ask else "bid"
            print(f"{side} {o.id:#x} {c.power} W slots {c.first}..{c.last} feeder {c.feeder} at {o.price} cents/MWh "
                  f"by {o.owner}")  # fmt: skip

    return _with_market(args, act, signs=False)


def _asset(args: argparse.Namespace) -> int:
    def act(m: PetraClient, _key: Any) -> None:
        a = m.asset(args.asset)
        print(f"{a.kind.name.lower()} {a.power} W slots {a.first}..{a.last} feeder {a.feeder} "
              f"{a.status.name.lower()} price {a.price} owner {a.owner}")  # fmt: skip

    return _with_market(args, act, signs=False)


def _reputation(args: argparse.Namespace) -> int:
    def act(m: PetraClient, _key: Any) -> None:
        r = m.reputation(args.account)
        ratio = "n/a" if r.ratio is None else f"{r.ratio:.3f}"
        print(f"{args.account}: delivered {r.delivered_mwh} of {r.promised_mwh} mWh promised "
              f"({ratio}), {r.deliveries} deliveries, {r.shortfalls} short")  # fmt: skip

    return _with_market(args, act, signs=False)
