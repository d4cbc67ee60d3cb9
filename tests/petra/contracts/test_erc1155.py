"""Energy assets through the ERC-1155 interface: balances, approvals, transfers of held assets."""

from tests.petra.contracts.helpers import CONSUMPTION, OFFERED, PRODUCTION, asset, reverts

ZERO = "0x" + "00" * 20


def test_the_market_reports_the_erc1155_interface(market):
    assert market.supportsInterface("0xd9b67a26")  # IERC1155
    assert market.supportsInterface("0x01ffc9a7")  # IERC165
    assert not market.supportsInterface("0xffffffff")


def test_balances_are_one_for_the_owner_of_a_live_asset_and_zero_otherwise(market, mint, producer, consumer, start):
    token = mint(1, producer, PRODUCTION, 1_000, start, start)
    assert market.balanceOf(producer, token) == 1
    assert market.balanceOf(consumer, token) == 0
    assert market.balanceOf(producer, token + (1 << 40)) == 0  # another content at the same position
    assert market.balanceOf(producer, token | (1 << 200)) == 0
    assert list(market.balanceOfBatch([producer, consumer], [token, token])) == [1, 0]
    with reverts("ERC1155InvalidArrayLength", 1, 2):
        market.balanceOfBatch([producer, consumer], [token])


def test_the_owner_moves_a_held_asset_to_another_of_its_accounts(market, mint, producer, stranger, start):
    token = mint(1, producer, PRODUCTION, 1_000, start, start)
    tx = market.safeTransferFrom(producer, stranger, token, 1, b"", {"from": producer})
    ev = tx.events["TransferSingle"]
    assert (ev["operator"], ev["from"], ev["to"], int(ev["id"]), ev["value"]) == (
        producer,
        producer,
        stranger,
        token,
        1,
    )
    assert asset(market, token)[0] == stranger.address
    assert asset(market, token)[3] == 1  # the feeder travels with the asset


def test_an_approved_operator_moves_assets_in_a_batch(market, mint, producer, consumer, stranger, start):
    a = mint(1, producer, PRODUCTION, 1_000, start, start)
    b = mint(1, producer, CONSUMPTION, 1_000, start, start)
    market.setApprovalForAll(stranger, True, {"from": producer})
    assert market.isApprovedForAll(producer, stranger)
    tx = market.safeBatchTransferFrom(producer, consumer, [a, b], [1, 1], b"", {"from": stranger})
    assert [int(i) for i in tx.events["TransferBatch"]["ids"]] == [a, b]
    assert market.balanceOf(consumer, a) == market.balanceOf(consumer, b) == 1


def test_a_stranger_cannot_move_anothers_asset(market, mint, producer, stranger, start):
    token = mint(1, producer, PRODUCTION, 1_000, start, start)
    with reverts("ERC1155MissingApprovalForAll", stranger.address, producer.address):
        market.safeTransferFrom(producer, stranger, token, 1, b"", {"from": stranger})


def test_an_asset_one_does_not_hold_cannot_be_sent(market, mint, producer, consumer, start):
    token = mint(1, producer, PRODUCTION, 1_000, start, start)
    with reverts("ERC1155InsufficientBalance", consumer.address, 0, 1, token):
        market.safeTransferFrom(consumer, producer, token, 1, b"", {"from": consumer})
    with reverts("ERC1155InsufficientBalance", producer.address, 1, 2, token):
        market.safeTransferFrom(producer, consumer, token, 2, b"", {"from": producer})


def test_an_offered_asset_is_locked(market, ask, producer, consumer):
    token = ask()
    with reverts("PetraAssetNotHeld", token, OFFERED):
        market.safeTransferFrom(producer, consumer, token, 1, b"", {"from": producer})


def test_transfers_to_the_zero_address_or_to_a_contract_without_the_hook_are_refused(
    market, mint, producer, fiat, start
):
    token = mint(1, producer, PRODUCTION, 1_000, start, start)
    with reverts("ERC1155InvalidReceiver", ZERO):
        market.safeTransferFrom(producer, ZERO, token, 1, b"", {"from": producer})
    with reverts("ERC1155InvalidReceiver", fiat.address):
        market.safeTransferFrom(producer, fiat, token, 1, b"", {"from": producer})
    with reverts("ERC1155InvalidOperator", ZERO):
        market.setApprovalForAll(ZERO, True, {"from": producer})
