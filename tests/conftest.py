import importlib

# brownie's own anvil runs London like the EthereumJS PoA devnet (see brownie-config.yaml
# for why this is not set there). importlib keeps brownie's conftest hasher, which parses
# imported modules, away from the compiled config module.
_config = importlib.import_module("brownie._config").CONFIG
_config.networks["development"]["cmd_settings"].update({"evm_version": "london", "gas_limit": 30_000_000})
