import importlib
import socket


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# brownie's own anvil: London like the EthereumJS PoA devnet (brownie 1.22's compiled
# config loader rejects a `networks:` section in brownie-config.yaml, so it is set here),
# and a free port so that several test runs on one machine never share a chain.
# importlib keeps brownie's conftest hasher, which parses imported modules, away from
# the compiled config module.
_config = importlib.import_module("brownie._config").CONFIG
_config.networks["development"]["cmd_settings"].update(
    {"evm_version": "london", "gas_limit": 30_000_000, "port": _free_port()}
)
