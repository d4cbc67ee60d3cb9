"""The only node of a PoA devnet is killed while transfers are in flight, then restarted."""

from offchain.devnet import PoaDevnet
from offchain.devnet.drill import run_drill


def test_killing_the_only_signer_mid_flight_loses_and_duplicates_nothing(devnet_factory, no_process_left):
    devnet = devnet_factory(PoaDevnet, signers=1, period=2)
    sender, recipient = devnet.accounts()[3], devnet.accounts()[4]
    before = devnet.chain().w3.eth.get_balance(recipient.address)
    old_pid = devnet.nodes[0].pid

    result = run_drill(devnet, sender, recipient.address, count=5, down_for=1.0)

    assert result.errors == []
    assert result.in_flight_at_kill, "no transaction was accepted and still unsealed when the node was killed"
    assert set(result.in_flight_at_kill) <= set(result.tx_hashes)  # and each was mined once after all
    assert result.confirmed == 5
    assert result.duplicates == 0
    assert len(result.nonces) == 5 and result.nonces == list(range(result.nonces[0], result.nonces[0] + 5))
    assert devnet.nodes[0].pid != old_pid  # it really was a new process
    assert devnet.chain().w3.eth.get_balance(recipient.address) == before + 5
    devnet.stop()
    no_process_left(devnet)
