def test_probe(accounts, Probe):
    p = Probe.deploy({"from": accounts[0]})
    assert p.verify([], "0x" + "11" * 32, "0x" + "11" * 32)
