"""Three Clique signers, one EthereumJS node each, stay on one chain while they seal in turn."""

import time

from offchain.app.deploy import deploy_all
from offchain.devnet import PoaDevnet, transfer


def test_three_signers_seal_in_turn_and_every_node_sees_the_same_receipts(devnet_factory):
    devnet = devnet_factory(PoaDevnet, signers=3, period=2)
    chains = [devnet.chain(i) for i in range(3)]
    deployer, alice, bob = devnet.accounts()[:3]

    deployed = deploy_all(chains[0], deployer, network=f"test-{devnet.name}")
    # each transaction goes in through a different node; a node can only hand out alice's
    # next nonce once it has imported the block holding her previous transaction
    # (EthereumJS has no "pending" nonce), as any client switching nodes must wait for
    receipts = []
    for i in range(3):
        chain = chains[i % 3]
        if receipts:
            deadline = time.monotonic() + 30
            while chain.w3.eth.block_number < receipts[-1]["blockNumber"]:
                assert time.monotonic() < deadline, devnet.sync_report()
                time.sleep(0.2)
        receipts.append(transfer(chain, alice, bob.address, 10**15))
    assert [r["status"] for r in receipts] == [1, 1, 1]

    # the chain keeps advancing and all three nodes agree on every block that holds our txs
    deadline = time.monotonic() + 30
    while min(c.w3.eth.block_number for c in chains) < receipts[-1]["blockNumber"] + 2:
        assert time.monotonic() < deadline, devnet.sync_report()
        time.sleep(0.5)
    for r in receipts:
        hashes = {c.w3.eth.get_block(r["blockNumber"])["hash"] for c in chains}
        assert hashes == {r["blockHash"]}, devnet.sync_report()
    assert all(c.w3.eth.get_code(a) for c in chains for a in deployed.values())

    # the in-turn signer (difficulty 2) seals nearly every block: out-of-turn seals are the
    # fallback for a missing signer, not a race on a healthy network
    head = min(c.w3.eth.block_number for c in chains)
    difficulties = [chains[0].w3.eth.get_block(n)["difficulty"] for n in range(receipts[0]["blockNumber"], head + 1)]
    assert difficulties.count(2) >= 0.75 * len(difficulties), difficulties
    assert devnet.sync_report()["in_sync"]
