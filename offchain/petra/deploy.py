"""Deploy step of the ``petra`` mechanism (registered in :mod:`offchain.petra.mechanism`)."""

from __future__ import annotations

from eth_account.signers.local import LocalAccount

from ..kernel.chain import Chain
from .client import FiatClient, PetraClient


def deploy(chain: Chain, deployer: LocalAccount | str, deployed: dict[str, str]) -> dict[str, str]:
    """Deploy the DSO's ``FiatToken`` (cents) and a ``PetraMarket`` paying in it, on the
    real-time slot clock; the deployer governs both and is the DSO (the demo grants the DSO
    role to its own DSO key). ``FiatToken`` is returned under that name so that other markets
    may use it as their payment asset."""
    address = deployer if isinstance(deployer, str) else deployer.address
    fiat = FiatClient.deploy(chain, sender=deployer)
    market = PetraClient.deploy(chain, sender=deployer, dso=address, payment_asset=fiat.address)
    return {"FiatToken": fiat.address, "PetraMarket": market.address}
