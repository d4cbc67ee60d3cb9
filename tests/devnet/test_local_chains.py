"""anvil and ganache devnets: started, used with the same tooling, stopped by PID."""

import pytest

from offchain.app.deploy import deploy_all
from offchain.devnet import AnvilDevnet, GanacheDevnet, transfer


@pytest.mark.parametrize("kind", [AnvilDevnet, GanacheDevnet], ids=["anvil", "ganache"])
def test_each_local_chain_deploys_the_project_and_transfers_without_gas_flags(kind, devnet_factory, no_process_left):
    devnet = devnet_factory(kind)
    chain = devnet.chain()
    assert chain.chain_id == kind.chain_id
    deployer, alice, bob = devnet.accounts()[:3]

    fees = chain.fee_fields()
    assert set(fees) in ({"maxFeePerGas", "maxPriorityFeePerGas"}, {"gasPrice"})
    deployed = deploy_all(chain, deployer, network=f"test-{devnet.name}")
    assert all(chain.w3.eth.get_code(a) for a in deployed.values())
    receipt = transfer(chain, alice, bob.address, 12345)
    assert receipt["status"] == 1 and receipt["gasUsed"] == 21_000

    devnet.stop()
    no_process_left(devnet)
