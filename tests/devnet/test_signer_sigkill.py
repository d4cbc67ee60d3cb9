"""A signer of a 3-signer Clique devnet is SIGKILLed while transfers flow, and comes back whole."""

from offchain.devnet import PoaDevnet
from offchain.devnet.sigkill import run_signer_kill_drill


def test_sigkilling_a_signer_mid_flight_loses_and_duplicates_nothing(devnet_factory, no_process_left):
    devnet = devnet_factory(PoaDevnet, signers=3, period=2)
    old_pid = devnet.nodes[1].pid

    result = run_signer_kill_drill(devnet, victims=[1], between=4.0, rate=1.0, seed=1)

    (kill,) = result["kills"]
    assert kill["signal"] == "SIGKILL" and kill["old_pid"] == old_pid and kill["new_pid"] != old_pid
    # it rejoined on its own data folder, with every block and receipt of its peers
    assert kill["rejoined"], result
    assert kill["db_check"]["ok"], kill
    assert kill["db_check"]["receipts_checked"] > 0
    # every transfer is confirmed exactly once on every node, and they agree
    assert result["transfers"] >= 8
    assert result["errors"] == [], result["errors"]
    assert result["all_confirmed_once"], result["audit"]
    assert result["in_sync_after"]["one_head"], result["in_sync_after"]
    devnet.stop()
    no_process_left(devnet)
