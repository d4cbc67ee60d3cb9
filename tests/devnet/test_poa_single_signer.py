import pytest

from offchain.app.deploy import deploy_all, load_deployment
from offchain.devnet import transfer
from offchain.kernel.chain import connect
from offchain.kernel.errors import ChainIdMismatchError


def test_a_single_signer_devnet_deploys_the_project_and_confirms_transactions(devnet_factory, no_process_left):
    from offchain.devnet import PoaDevnet

    devnet = devnet_factory(PoaDevnet, signers=1, period=1)
    chain = devnet.chain()
    deployer, alice, bob = devnet.accounts()[:3]

    deployed = deploy_all(chain, deployer, network=f"test-{devnet.name}")
    assert deployed and all(chain.w3.eth.get_code(addr) not in (b"", None) for addr in deployed.values())
    assert load_deployment(chain, f"test-{devnet.name}") == deployed

    before = chain.w3.eth.get_balance(bob.address)
    receipts = [transfer(chain, alice, bob.address, 10**15) for _ in range(3)]
    assert [r["status"] for r in receipts] == [1, 1, 1]
    assert {r["gasUsed"] for r in receipts} == {21_000}
    assert chain.w3.eth.get_balance(bob.address) == before + 3 * 10**15
    for r in receipts:
        header = chain.w3.eth.get_block(r["blockNumber"])
        assert header["difficulty"] == 2  # sealed in turn by the only signer
        assert chain.w3.eth.get_transaction(r["transactionHash"])["from"] == alice.address

    devnet.stop()
    no_process_left(devnet)


def test_a_script_pointed_at_the_wrong_chain_refuses_before_sending(single_signer_devnet):
    with pytest.raises(ChainIdMismatchError, match="expected 31337"):
        connect(single_signer_devnet.url, expected_chain_id=31337)


def test_fee_fields_work_without_fee_history_on_ethereumjs(single_signer_devnet):
    chain = single_signer_devnet.chain()
    assert chain.w3.provider.make_request("eth_feeHistory", ["0x1", "latest", []]).get("error")
    fees = chain.fee_fields()
    base = chain.w3.eth.get_block("latest")["baseFeePerGas"]
    assert fees["maxPriorityFeePerGas"] == 10**9
    assert fees["maxFeePerGas"] >= base + fees["maxPriorityFeePerGas"]
