"""brownie run deploy --network NETWORK: deploy GridLedger, or reuse what is recorded.

Checks the connected chain id against the one expected for NETWORK before sending
anything; writes the addresses to deployments/<network>.json and, on a later run,
reuses them when every recorded address still has code on that chain.
"""

from brownie import network, web3

from offchain.app.deploy import deploy_all, load_deployment
from offchain.devnet.brownie_networks import deployer, guarded_chain
from offchain.kernel.errors import ConfigError


def main() -> dict[str, str]:
    name = network.show_active()
    chain = guarded_chain(name, web3.provider.endpoint_uri, actual_chain_id=web3.chain_id)
    try:
        recorded = load_deployment(chain, name)
    except ConfigError:
        recorded = {}
    if recorded and all(chain.w3.eth.get_code(a) not in (b"", None) for a in recorded.values()):
        print(f"reusing the deployment on {name} (chain {chain.chain_id}): {recorded}")
        return recorded
    deployed = deploy_all(chain, deployer(name), network=name)
    print(f"deployed on {name} (chain {chain.chain_id}): {deployed}")
    return deployed
