"""Infrastructure benches that need the application (the devnet bench deploys the whole project)."""

from __future__ import annotations

from collections.abc import Sequence

from ..devnet.measure import main as devnet_main
from .deploy import deploy_all

__all__ = ["devnet"]


def devnet(argv: Sequence[str]) -> int:
    """``gridledger bench devnet``: :func:`offchain.devnet.measure.main` with the project's deploy function."""
    return devnet_main(list(argv), deploy=deploy_all)
