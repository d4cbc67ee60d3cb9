"""The `gridledger bill` command line: CID only on stdout, one-line errors, no tracebacks."""

import pytest

from offchain.app.cli import main
from offchain.grid._pb import decode_node, decode_unixfs
from offchain.grid.car import read_car
from offchain.grid.cid import cid_of


def test_bill_cid_prints_only_the_cid(tmp_path, capsys):
    (tmp_path / "hello.txt").write_bytes(b"hello\n")
    assert main(["bill", "cid", str(tmp_path / "hello.txt")]) == 0
    assert capsys.readouterr().out == "QmZULkCELmmk5XNfCgTnCyFgAVxBRBXyDHGGMVoLFLiXEN\n"


def test_bill_put_stores_in_the_local_store_and_export_car_writes_it(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("GRIDLEDGER_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("GRIDLEDGER_IPFS_API", raising=False)
    bill = b'{"x":1}\n'
    (tmp_path / "bill.json").write_bytes(bill)
    assert main(["bill", "put", str(tmp_path / "bill.json")]) == 0
    cid = capsys.readouterr().out.strip()
    assert cid == cid_of(bill)
    assert main(["bill", "export-car", str(tmp_path / "out.car")]) == 0
    assert "1 roots" in capsys.readouterr().out
    roots, blocks = read_car(tmp_path / "out.car")  # the file itself: hash-checked blocks
    assert roots == [cid] and set(blocks) == {cid}  # one block: the bill's single UnixFS leaf
    assert decode_unixfs(decode_node(blocks[cid])[0])[1] == bill


def test_a_missing_file_is_a_one_line_error(tmp_path, capsys):
    # refused by the parser (a usage error: exit 2, docs/cli.md), naming the argument and the file
    with pytest.raises(SystemExit) as exc:
        main(["bill", "cid", str(tmp_path / "nope")])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"gridledger bill cid: error: argument file: no such file: {tmp_path / 'nope'}")
    assert err.count("\n") == 1 and "Traceback" not in err


def test_an_unreachable_ipfs_api_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "b").write_bytes(b"x")
    assert main(["bill", "put", str(tmp_path / "b"), "--ipfs-api", "/ip4/127.0.0.1/tcp/9/http"]) == 1
    assert "unreachable" in capsys.readouterr().err


def test_bill_make_without_a_chain_is_refused(capsys, monkeypatch):
    monkeypatch.delenv("GRIDLEDGER_RPC_URL", raising=False)
    assert main(["bill", "make", "0x" + "11" * 20]) == 1
    assert "--rpc-url" in capsys.readouterr().err
