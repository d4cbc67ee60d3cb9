"""The DSO's fiat financial asset: cents issued and redeemed by the DSO only."""

from brownie import web3

from tests.petra.contracts.helpers import reverts

ISSUER = web3.keccak(text="ISSUER_ROLE")


def test_cents_have_two_decimals(fiat):
    assert fiat.decimals() == 2 and fiat.symbol() == "EURC"


def test_the_dso_issues_cents_against_fiat_money_received(fiat, dso, stranger):
    tx = fiat.issue(stranger, 12_345, {"from": dso})
    assert tx.events["Issued"]["to"] == stranger and tx.events["Issued"]["amount"] == 12_345
    assert fiat.balanceOf(stranger) == 12_345
    assert fiat.totalIssued() - fiat.totalRedeemed() == fiat.totalSupply()


def test_the_dso_redeems_what_the_holder_approved(fiat, dso, stranger):
    fiat.issue(stranger, 1_000, {"from": dso})
    fiat.approve(dso, 400, {"from": stranger})
    tx = fiat.redeem(stranger, 400, {"from": dso})
    assert tx.events["Redeemed"]["from"] == stranger and tx.events["Redeemed"]["amount"] == 400
    assert fiat.balanceOf(stranger) == 600
    assert fiat.totalRedeemed() == 400 and fiat.totalIssued() - fiat.totalRedeemed() == fiat.totalSupply()


def test_redeeming_without_the_holders_approval_is_refused(fiat, dso, stranger):
    fiat.issue(stranger, 1_000, {"from": dso})
    with reverts("ERC20InsufficientAllowance", dso.address, 0, 1):
        fiat.redeem(stranger, 1, {"from": dso})


def test_nobody_but_an_issuer_issues_or_redeems(fiat, stranger):
    with reverts("AccessControlUnauthorizedAccount", stranger.address, ISSUER):
        fiat.issue(stranger, 1, {"from": stranger})
    with reverts("AccessControlUnauthorizedAccount", stranger.address, ISSUER):
        fiat.redeem(stranger, 1, {"from": stranger})


def test_zero_amounts_are_refused(fiat, dso, stranger):
    with reverts("FiatZeroAmount"):
        fiat.issue(stranger, 0, {"from": dso})
    with reverts("FiatZeroAmount"):
        fiat.redeem(stranger, 0, {"from": dso})
