"""``gridledger chain info``: connect to a chain and describe it."""

from __future__ import annotations

import argparse

from ...kernel.commandline import add_network_options, open_chain


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("chain", help="inspect the configured chain")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    info = actions.add_parser("info", help="print chain id, latest block and fee mode of the endpoint")
    add_network_options(info)
    info.set_defaults(func=_info)


def _info(args: argparse.Namespace) -> int:
    with open_chain(args) as chain:
        block = chain.w3.eth.get_block("latest")
        fees = chain.fee_fields()
        mode = "eip1559" if "maxFeePerGas" in fees else "legacy"
        print(f"url={chain.url} chain_id={chain.chain_id} block={block['number']} fee_mode={mode}")
    return 0
