from offchain.devnet import POA_CHAIN_ID, clique_genesis, prefunded_keys, signer_keys


def test_extra_data_holds_the_sorted_signers_between_vanity_and_seal():
    signers = [k.address for k in signer_keys(3)]
    genesis = clique_genesis(signers, [], period=2)
    extra = bytes.fromhex(genesis["extraData"][2:])
    assert len(extra) == 32 + 3 * 20 + 65
    assert extra[:32] == bytes(32) and extra[-65:] == bytes(65)
    listed = [extra[32 + 20 * i : 52 + 20 * i].hex() for i in range(3)]
    assert listed == sorted(a.lower()[2:] for a in signers)


def test_every_fork_through_london_is_active_from_genesis_with_the_clique_period():
    genesis = clique_genesis([signer_keys(1)[0].address], [], period=5)
    config = genesis["config"]
    assert config["chainId"] == POA_CHAIN_ID
    assert config["londonBlock"] == 0 and config["berlinBlock"] == 0 and config["byzantiumBlock"] == 0
    assert config["clique"] == {"period": 5, "epoch": 30_000}


def test_prefunded_accounts_and_signers_are_funded():
    users = [a.address for a in prefunded_keys(3)]
    signer = signer_keys(1)[0].address
    alloc = clique_genesis([signer], users)["alloc"]
    assert set(alloc) == {a.lower()[2:] for a in [*users, signer]}
    assert all(int(v["balance"], 16) > 10**21 for v in alloc.values())


def test_signers_are_distinct_from_user_accounts():
    assert not {k.address for k in signer_keys(3)} & {a.address for a in prefunded_keys()}
