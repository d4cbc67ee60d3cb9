import subprocess
import sys
import time

import pytest

from offchain.app.deploy import deploy_all, load_deployment
from offchain.devnet import transfer
from offchain.kernel.anvil import anvil_keys
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
    devnet = single_signer_devnet
    with pytest.raises(ChainIdMismatchError, match="expected 31337"):
        connect(devnet.url, expected_chain_id=31337)

    # a whole command (a trade: deploys, deposits, commits) pointed at it with anvil's chain id
    chain = devnet.chain()
    funded = [a.address for a in devnet.accounts() + anvil_keys(3)]  # its own keys, and the ones `trade` takes
    first, nonces = chain.w3.eth.block_number, [chain.w3.eth.get_transaction_count(a) for a in funded]
    cmd = [sys.executable, "-m", "offchain", "trade", "--rpc-url", devnet.url, "--chain-id", "31337"]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "chain id mismatch" in result.stderr, result.stderr
    # nothing was sent: the chain kept sealing (empty) blocks, no nonce moved
    deadline = time.monotonic() + 30
    while chain.w3.eth.block_number < first + 2:
        assert time.monotonic() < deadline, devnet.sync_report()
        time.sleep(0.2)
    last = chain.w3.eth.block_number
    assert [chain.w3.eth.get_transaction_count(a) for a in funded] == nonces
    assert all(chain.w3.eth.get_block(n)["transactions"] == [] for n in range(first + 1, last + 1))


def test_fee_fields_work_without_fee_history_on_ethereumjs(single_signer_devnet):
    chain = single_signer_devnet.chain()
    assert chain.w3.provider.make_request("eth_feeHistory", ["0x1", "latest", []]).get("error")
    fees = chain.fee_fields()
    base = chain.w3.eth.get_block("latest")["baseFeePerGas"]
    assert fees["maxPriorityFeePerGas"] == 10**9
    assert fees["maxFeePerGas"] >= base + fees["maxPriorityFeePerGas"]
