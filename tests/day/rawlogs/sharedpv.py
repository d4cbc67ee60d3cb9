"""Shared PV: no money moves on chain (the plant holds portions; the clearing server bills off
chain), so ``net`` returns ``{}`` — and, read by hand from the same raw logs, keeps the plant's
default key and every portion transfer in :data:`READ` for ``tests/day/test_sharedpv_day.py``
to rebuild the per-slot portions independently of the package's clearing server."""

from __future__ import annotations

from eth_abi import decode

from . import logs, topic_address

MECHANISM = "shared_pv"
PLANT_CREATED = "PlantCreated(address,address,address,uint256)"
OWNER_ADMITTED = "OwnerAdmitted(address,uint16)"
PORTIONS_TRANSFERRED = "PortionsTransferred(address,address,uint64,uint64,uint16)"

#: filled by :func:`net`: plant address, default key {name: bp}, transfers [(from, to, first, last, bp)]
READ: dict = {}


def net(chain, deployed: dict, owner: dict[str, str]) -> dict[str, int]:
    plants = [topic_address(log["topics"][1]) for log in logs(chain, deployed["SharedPvRegistry"], PLANT_CREATED)]
    READ.clear()
    READ["plants"] = plants
    if plants:
        plant = chain.w3.to_checksum_address(plants[-1])
        name = lambda topic: owner.get(topic_address(topic).lower(), topic_address(topic))  # noqa: E731
        READ["key"] = {
            name(log["topics"][1]): decode(["uint16"], bytes(log["data"]))[0]
            for log in logs(chain, plant, OWNER_ADMITTED)
        }
        READ["transfers"] = [
            (
                name(log["topics"][1]),
                name(log["topics"][2]),
                *decode(["uint64", "uint64", "uint16"], bytes(log["data"])),
            )
            for log in logs(chain, plant, PORTIONS_TRANSFERRED)
        ]
    return {}
