"""Gas of SPB trades in steady state, for ``gas-snapshot.json`` (``gridledger gas``).

Steady state as the issue defines it: accounts already funded, the producer's balance
non-zero, a CoE tree of depth 10 (1,024 leaves), and every bitmap word and the
consumer's CTP slot already touched by an earlier trade. Figures are ``gasUsed`` of real transactions on anvil (London).
Keys and salts are derived from fixed seeds so that the calldata, and so the gas, is
the same on every run: a change in the snapshot means a change in the contracts.
"""

from __future__ import annotations

from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount

from ..kernel.chain import Chain
from ..kernel.contracts import deploy
from ..kernel.crypto import keccak256, personal_sign
from .certificates import certificate_inner
from .eip712 import CommitToPay, Terms, ctp_digest, sign_coe_registration, sign_ctp
from .market import MarketClient, Settlement
from .merkle import COE_LEAF, StandardMerkleTree
from .receipts import EnergyReceipt

__all__ = ["measure", "measure_escrow", "measure_funds_layout", "measure_leaf_markers", "TREE_LEAVES", "BATCH"]

TREE_LEAVES = 1024  # depth 10
BATCH = 50
RATE = 10**12  # wei per Wh
PRICE = 5 * 10**15
#: the benches pin the chain's clock here (2033-05-18), so that expiries are fixed calldata
#: (gas repeats exactly) and lie within the CTP lifetime cap's free first hour
CHAIN_START = 2_000_000_000
EXPIRY = CHAIN_START + 3_000
#: The escrow's expiry, fixed for the same reason (it was "latest block + 1 h", and a zero
#: byte in that timestamp made calldata 12 gas cheaper now and then). Four non-zero bytes,
#: like every timestamp of this era, so the figures are those the wall clock gave before.
ESCROW_EXPIRY = 0xF4865701  # 2100-01-01 00:00:01 UTC
ERC_TIMESTAMP = 1_800_000_000
_COE_TAG = keccak256(b"GridLedger.CertificateOfExistence.v1")


def _key(label: str, i: int) -> LocalAccount:
    """A deterministic key for the benchmark (never for real funds)."""
    return Account.from_key(keccak256(f"gridledger-gas-bench/{label}/{i}".encode()))


class _Bench:
    """A market with a registered depth-10 CoE, one producer account and funded consumers."""

    def __init__(
        self, chain: Chain, accounts: list[LocalAccount], keys_needed: int, *, funds_in_vault: bool = False
    ) -> None:
        self.chain = chain
        if int(chain.w3.eth.get_block("latest")["timestamp"]) < CHAIN_START:
            chain.w3.provider.make_request("evm_setNextBlockTimestamp", [CHAIN_START])  # type: ignore[arg-type]
        self.governor, self.producer = accounts[0], accounts[1]
        self.consumers = accounts[2:7]
        if funds_in_vault:
            self.market = _deploy_on_vault(chain, self.governor)
        else:
            self.market = MarketClient.deploy(chain, sender=self.governor)
        ca, verifier = _key("ca", 0), _key("verifier", 0)
        self.market.set_manufacturer(ca.address, True, sender=self.governor)
        self.keys = [_key("leaf", i) for i in range(keys_needed)]
        addresses = [k.address for k in self.keys] + [
            _key("filler", i).address for i in range(TREE_LEAVES - keys_needed)
        ]
        self.tree = StandardMerkleTree.of(list(enumerate(addresses)), COE_LEAF)
        holder = keys_needed  # the first filler key proves possession of the pool at registration
        self.market.register_coe(
            self.tree.root,
            personal_sign(ca, certificate_inner(verifier.address)),
            personal_sign(verifier, keccak256(_COE_TAG + self.tree.root)),
            (
                holder,
                self.tree.get_proof(holder),
                sign_coe_registration(
                    _key("filler", 0).key, self.tree.root, verifier.address, chain.chain_id, self.market.address
                ),
            ),
            sender=self.governor,
        )
        self.account_id = self.market.open_account_by_burn(sender=self.producer)
        self.market.supply_energy(self.account_id, 10**12, RATE, True, sender=self.producer)
        for c in self.consumers:
            self.market.deposit(10**18, sender=c)
        self.next_leaf = 0  # the next leaf key a CTP names as its meter key
        self.leaf_of = {k.address: i for i, k in enumerate(self.keys)}
        self.nonces = {c.address: 1 for c in self.consumers}  # each consumer's next CTP nonce
        self.salts = 0

    def ctp(self, consumer: LocalAccount) -> tuple[CommitToPay, Terms]:
        """A CTP naming the next unused leaf key as the meter key that will confirm it."""
        meter_key = self.keys[self.next_leaf].address
        self.next_leaf += 1
        self.salts += 1
        nonce = self.nonces[consumer.address]
        self.nonces[consumer.address] = nonce + 1
        terms = Terms(PRICE // RATE, RATE, keccak256(b"salt" + self.salts.to_bytes(4, "big")), meter_key)
        ctp = CommitToPay(consumer.address, self.account_id, EXPIRY, PRICE, terms.contract_hash, nonce)
        return ctp, terms

    def erc(self, ctp: CommitToPay, terms: Terms) -> EnergyReceipt:
        """The ERC signed by the meter key the CTP named."""
        leaf = self.leaf_of[terms.meter_key]
        ctp_id = ctp_digest(ctp, self.chain.chain_id, self.market.address)
        ts = ERC_TIMESTAMP
        cid, addr = self.chain.chain_id, self.market.address
        proof = self.tree.get_proof(leaf)
        key = self.keys[leaf].key
        return EnergyReceipt.signed(key, ctp_id, ctp.price, terms.energy_wh, self.tree.root, leaf, ts, proof, cid, addr)

    def on_chain_trade(self, consumer: LocalAccount) -> tuple[int, int]:
        ctp, terms = self.ctp(consumer)
        commit = self.market.commit(ctp, sender=consumer)
        settle = self.market.settle(ctp, terms, self.erc(ctp, terms), sender=self.producer)
        return int(commit["gasUsed"]), int(settle["gasUsed"])

    def signed(self, consumer: LocalAccount) -> Settlement:
        ctp, terms = self.ctp(consumer)
        sig = sign_ctp(ctp, consumer.key, self.chain.chain_id, self.market.address)
        return Settlement(ctp, sig, terms, self.erc(ctp, terms))

    def frozen_signed_trade(self, consumer: LocalAccount) -> tuple[int, int]:
        """The producer freezes a signed CTP before delivering, then settles it on chain."""
        s = self.signed(consumer)
        frozen = self.market.freeze_signed(s.ctp, s.consumer_signature, sender=self.producer)
        settled = self.market.settle(s.ctp, s.terms, s.receipt, sender=self.producer)
        return int(frozen["gasUsed"]), int(settled["gasUsed"])

    def single_trade(self, consumer: LocalAccount) -> int:
        s = self.signed(consumer)
        receipt = self.market.settle_signed(s.ctp, s.consumer_signature, s.terms, s.receipt, sender=self.producer)
        return int(receipt["gasUsed"])


def _deploy_on_vault(chain: Chain, governor: LocalAccount) -> MarketClient:
    """``SpbMarketOnVault``: SPB with its funds records in a shared ``FundsVault`` (gas probe)."""
    vault = deploy(chain, "FundsVault", sender=governor)
    market = deploy(chain, "SpbMarketOnVault", governor.address, 0, vault.address, sender=governor)
    data = vault.encode_abi("authorize", args=[market.address])
    chain.send({"to": vault.address, "data": data}, governor, what="authorize")
    return MarketClient(chain, market.address)


def _steady_pair_and_single(bench: _Bench) -> tuple[int, int, int, int]:
    """(first freeze, steady freeze, steady settle, steady single-transaction trade)."""
    consumer = bench.consumers[0]
    warm = bench.nonces[consumer.address]
    first_freeze, _ = bench.on_chain_trade(consumer)  # warm-up: earnings, bitmap words, a commitment slot
    bench.single_trade(consumer)
    # steady state for a regular consumer: its CTP slot for this nonce (nonce % 32) holds
    # an earlier, finished CTP — only a consumer's first 32 on-chain CTPs create slots
    bench.nonces[consumer.address] = warm + 32
    freeze, settle = bench.on_chain_trade(consumer)
    return first_freeze, freeze, settle, bench.single_trade(consumer)


def measure_funds_layout(chain: Chain, accounts: list[LocalAccount]) -> dict[str, int]:
    """The funds decision (docs/architecture.md): SPB's steady-state trades with the ledger
    inherited (own storage) and with the same records in a shared vault contract."""
    out: dict[str, int] = {}
    for layout, in_vault in (("inherited", False), ("vault", True)):
        _, freeze, settle, single = _steady_pair_and_single(_Bench(chain, accounts, 8, funds_in_vault=in_vault))
        out[f"settle_single_{layout}"] = single
        out[f"ctp_plus_erc_{layout}"] = freeze + settle
    return out


def measure(chain: Chain, accounts: list[LocalAccount]) -> dict[str, int]:
    """spb.ctp_freeze, spb.erc_settle, spb.ctp_plus_erc, spb.settle_single, spb.freeze_signed (+ its
    settlement), spb.batch50_per_trade (packed) and spb.batch50_abi_per_trade."""
    bench = _Bench(chain, accounts, keys_needed=8 + 2 * BATCH)
    consumer = bench.consumers[0]
    warm = bench.nonces[consumer.address]
    first_freeze, freeze, settle, single = _steady_pair_and_single(bench)
    # steady state again: nonce warm + 64 lies in the window and its ring slot holds a finished CTP
    bench.nonces[consumer.address] = warm + 64
    freeze_signed, settle_frozen = bench.frozen_signed_trade(consumer)
    per_trade = {}
    for form in ("abi", "packed"):
        items = [bench.signed(bench.consumers[i % len(bench.consumers)]) for i in range(BATCH)]
        receipt = bench.market.settle_batch(items, atomic=True, sender=bench.producer, packed=form == "packed")
        settled = bench.market.events(receipt, "Settled")
        if len(settled) != BATCH:
            raise RuntimeError(f"{form} batch settled {len(settled)} of {BATCH} items")
        per_trade[form] = int(receipt["gasUsed"]) // BATCH
    return {
        **measure_leaf_markers(chain, accounts),
        "ctp_freeze": freeze,
        "ctp_freeze_new_slot": first_freeze,  # one of a consumer's first 32 on-chain CTPs
        "erc_settle": settle,
        "ctp_plus_erc": freeze + settle,
        "settle_single": single,
        "freeze_signed": freeze_signed,
        "freeze_signed_plus_erc": freeze_signed + settle_frozen,
        "batch50_per_trade": per_trade["packed"],
        "batch50_abi_per_trade": per_trade["abi"],
    }


def measure_leaf_markers(chain: Chain, accounts: list[LocalAccount]) -> dict[str, int]:
    """Marking a one-time leaf key used: bitmap per CoE (what CoERegistry does) vs a mapping.

    Steady state for the bitmap: its word already holds earlier marks; the mapping always
    writes a fresh slot (a key is used once)."""
    probe = deploy(chain, "LeafMarkers", sender=accounts[0])
    root = keccak256(b"gas-probe-root")

    def gas(fn: Any) -> int:
        data = probe.encode_abi(fn.abi_element_identifier, args=fn.args)
        return int(chain.send({"to": probe.address, "data": data}, accounts[0], what="mark")["gasUsed"])

    gas(probe.functions.markBitmap(root, 0))  # warm-up: the word is non-zero from here on
    bitmap = gas(probe.functions.markBitmap(root, 1))
    mapping = gas(probe.functions.markMapping(root, _key("marker", 1).address))
    return {"leaf_mark_bitmap": bitmap, "leaf_mark_mapping": mapping}


def measure_escrow(chain: Chain, accounts: list[LocalAccount]) -> dict[str, int]:
    """escrow_baseline.open, .confirm and .trade (their sum) for the same trade."""
    escrow = deploy(chain, "PlainEscrow", sender=accounts[0])
    consumer, producer = accounts[2], accounts[1]

    def trade() -> tuple[int, int]:
        tx = escrow.functions.open(producer.address, ESCROW_EXPIRY).build_transaction(
            {"from": consumer.address, "value": PRICE, "gas": 0, **chain.fee_fields()}
        )
        tx.pop("gas")
        opened = chain.send(tx, consumer, what="escrow open")
        trade_id = escrow.events.EscrowOpened().process_receipt(opened)[0]["args"]["tradeId"]
        tx = escrow.functions.confirm(trade_id).build_transaction(
            {"from": consumer.address, "gas": 0, **chain.fee_fields()}
        )
        tx.pop("gas")
        confirmed = chain.send(tx, consumer, what="escrow confirm")
        return int(opened["gasUsed"]), int(confirmed["gasUsed"])

    trade()  # warm-up: the trade counter and the producer's account exist
    open_gas, confirm_gas = trade()
    return {"open": open_gas, "confirm": confirm_gas, "trade": open_gas + confirm_gas}
