"""The day's report: ``results.json``, one CSV per table, PNG figures and a static ``index.html``.

Units: energy in Wh (kWh in the page where said), money in wei (the payment asset is
ether) with € beside it at the run's conversion (``meta.tariffs.wei_per_eur``).
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import json
import statistics
from collections import defaultdict
from pathlib import Path
from typing import Any

from ...kernel.chain import Chain
from ...kernel.fs import PROJECT_ROOT
from .loop import DayRun
from .plots import draw_all
from .reconcile import net_payments_from_events

__all__ = ["build_results", "write_report", "GWEI_PRICES", "HEADLINE", "reports_dir"]

GWEI_PRICES = (3, 4.5, 20)
#: headline key → label (shown on the page with data-key; the browser test compares them with results.json)
HEADLINE = {
    "households": "households",
    "slots": "slots of 15 min",
    "load_kwh": "consumption (kWh)",
    "pv_kwh": "PV generation (kWh)",
    "local_kwh": "traded locally (kWh)",
    "import_kwh": "from the grid (kWh)",
    "export_kwh": "to the grid (kWh)",
    "self_sufficiency_pct": "community self-sufficiency (%)",
    "self_consumption_pct": "community self-consumption (%)",
    "community_bill_eur": "community bill (€)",
    "baseline_bill_eur": "grid-only baseline (€)",
    "transactions": "transactions",
    "total_gas": "gas used (all transactions)",
    "elapsed_s": "run time (s)",
}


def reports_dir() -> Path:
    return PROJECT_ROOT / "reports"


def _eur(wei: int, wei_per_eur: int) -> float:
    return round(wei / wei_per_eur, 4)


def build_results(run: DayRun, chain: Chain) -> dict[str, Any]:
    """Everything the page shows, as one JSON-able document (also checks the money against the chain)."""
    t = run.options.tariffs
    com = run.community
    n = len(com.households)
    flows_by_slot: dict[int, list[Any]] = defaultdict(list)
    for f in run.flows:
        flows_by_slot[f.slot].append(f)
    start = dt.datetime.combine(com.site.date, dt.time(0))
    slots = []
    for i, row in enumerate(com.slots):
        fl = flows_by_slot[i]
        local = [f for f in fl if f.kind == "local"]
        # prices of paid trades only (shared PV's portion flows move energy, not money)
        paid = [f for f in local if f.energy_wh and f.amount_wei]
        prices = [f.amount_wei * 1000 / f.energy_wh / t.wei_per_eur for f in paid]
        paid_wh = sum(f.energy_wh for f in paid)
        local_wh = sum(f.energy_wh for f in local)
        slots.append(
            {
                "index": i,
                "time": (start + dt.timedelta(minutes=15 * (com.first_slot + i))).strftime("%H:%M"),
                "load_wh": sum(s.load_wh for s in row),
                "pv_wh": sum(s.pv_wh for s in row),
                "forecast_load_wh": sum(s.forecast_load_wh for s in row),
                "forecast_pv_wh": sum(s.forecast_pv_wh for s in row),
                "local_wh": local_wh,
                "local_trades": len(local),
                "import_wh": sum(f.energy_wh for f in fl if f.kind == "grid_import"),
                "export_wh": sum(f.energy_wh for f in fl if f.kind == "grid_export"),
                "local_price_eur_kwh": round(
                    sum(f.amount_wei for f in paid) * 1000 / paid_wh / t.wei_per_eur, 4
                ) if paid_wh else None,
                "local_price_min_eur_kwh": round(min(prices), 4) if prices else None,
                "local_price_max_eur_kwh": round(max(prices), 4) if prices else None,
            }
        )  # fmt: skip

    addr_of: dict[int, list[str]] = {h: [a for _m, _r, a in run.addresses.get(h, [])] for h in range(n)}
    household_of_addr = {a.lower(): h for h, addrs in addr_of.items() for a in addrs}
    onchain: dict[int, int] = defaultdict(int)
    for outcome in run.outcomes.values():
        for h, wei in outcome.payments_wei.items():
            onchain[int(h)] += int(wei)
    bills = {b["household"]: b for o in run.outcomes.values() for b in o.bills}
    grid_outcome = run.outcomes.get("grid")
    households = []
    for info in com.households:
        h = info.index
        load = sum(s[h].load_wh for s in com.slots)
        pv = sum(s[h].pv_wh for s in com.slots)
        own = sum(min(s[h].load_wh, s[h].pv_wh) for s in com.slots)
        mine = [f for f in run.flows if h in (f.seller, f.buyer)]
        bought = sum(f.energy_wh for f in mine if f.kind == "local" and f.buyer == h)
        sold = sum(f.energy_wh for f in mine if f.kind == "local" and f.seller == h)
        local_paid = sum(f.amount_wei for f in mine if f.kind == "local" and f.buyer == h)
        local_received = sum(f.amount_wei for f in mine if f.kind == "local" and f.seller == h)
        imported = sum(f.energy_wh for f in mine if f.kind == "grid_import")
        exported = sum(f.energy_wh for f in mine if f.kind == "grid_export")
        offchain_import = sum(f.amount_wei for f in mine if f.kind == "grid_import" and f.mechanism == "utility")
        feed_in = sum(f.amount_wei for f in mine if f.kind == "grid_export")
        bill_wei = onchain[h] + offchain_import - feed_in
        baseline_wei = (load - own) * t.utility_wei_per_kwh // 1000 - (pv - own) * t.feed_in_wei_per_kwh // 1000
        bill = bills.get(h, {})
        households.append(
            {
                "index": h,
                "name": info.name,
                "annual_kwh": info.annual_kwh,
                "pv_kwp": info.pv_kwp,
                "load_wh": load,
                "pv_wh": pv,
                "own_pv_used_wh": own,
                "bought_local_wh": bought,
                "sold_local_wh": sold,
                "import_wh": imported,
                "export_wh": exported,
                "local_paid_wei": local_paid,
                "local_received_wei": local_received,
                # what the grid's part charged on chain (its deliveries), as its outcome reports it
                "grid_paid_onchain_wei": int(grid_outcome.payments_wei.get(h, 0)) if grid_outcome else 0,
                "net_onchain_wei": onchain[h],
                "utility_offchain_wei": offchain_import,
                "feed_in_credit_wei": feed_in,
                "bill_wei": bill_wei,
                "bill_eur": _eur(bill_wei, t.wei_per_eur),
                "baseline_eur": _eur(baseline_wei, t.wei_per_eur),
                "saving_eur": _eur(baseline_wei - bill_wei, t.wei_per_eur),
                "self_sufficiency": round((own + bought) / load, 4) if load else 0.0,
                "self_consumption": round((own + sold) / pv, 4) if pv else None,
                "bill_cid": bill.get("cid", ""),
                "bill_anchor_tx": bill.get("anchor_tx", ""),
                "bill_verified": bool(bill.get("verified", False)),
                "addresses": addr_of[h],
            }
        )
    load_t = sum(h["load_wh"] for h in households)
    pv_t = sum(h["pv_wh"] for h in households)
    imp_t = sum(h["import_wh"] for h in households)
    exp_t = sum(h["export_wh"] for h in households)
    local_t = sum(h["bought_local_wh"] for h in households)
    community = {
        "load_wh": load_t,
        "pv_wh": pv_t,
        "local_wh": local_t,
        "import_wh": imp_t,
        "export_wh": exp_t,
        "self_sufficiency": round((load_t - imp_t) / load_t, 4) if load_t else 0.0,
        "self_consumption": round((pv_t - exp_t) / pv_t, 4) if pv_t else 0.0,
        "bill_eur": round(sum(h["bill_eur"] for h in households), 2),
        "baseline_eur": round(sum(h["baseline_eur"] for h in households), 2),
    }

    # gas
    groups: dict[tuple[str, str, str], list[Any]] = defaultdict(list)
    for r in run.txs:
        groups[(r.phase if r.phase == "deploy" else "day", r.mechanism, r.operation)].append(r)
    per_op = []
    for (kind, mech, op), recs in sorted(groups.items()):
        gas = [r.gas for r in recs]
        per_op.append(
            {
                "mechanism": mech,
                "operation": op,
                "deploy": kind == "deploy",
                "n": len(gas),
                "first": gas[0],
                "steady": int(statistics.median(gas[1:])) if len(gas) > 1 else gas[0],
                "min": min(gas),
                "max": max(gas),
                "total": sum(gas),
            }
        )
    # a batch's gas grows with its items: give the settlement's gas per trade too
    settled = int(dict(run.outcomes["spb"].data).get("settled", 0)) if "spb" in run.outcomes else 0
    batches = groups.get(("day", "spb", "settleBatchPacked"), [])
    if settled and batches:
        per_trade = sum(r.gas for r in batches) // settled
        per_op.append(
            {
                "mechanism": "spb",
                "operation": f"settleBatchPacked per trade ({settled} trades in {len(batches)} batches)",
                "deploy": False,
                "n": settled,
                "first": per_trade,
                "steady": per_trade,
                "min": per_trade,
                "max": per_trade,
                "total": sum(r.gas for r in batches),
            }
        )
    per_household = []
    operator_gas = 0
    by_h: dict[int, list[int]] = defaultdict(list)
    for r in run.txs:
        h = household_of_addr.get(r.sender.lower())
        if h is None:
            if r.phase != "deploy":
                operator_gas += r.gas
        else:
            by_h[h].append(r.gas)
    for info in com.households:
        g = by_h.get(info.index, [])
        per_household.append({"household": info.name, "transactions": len(g), "gas": sum(g)})
    day_gas = sum(r.gas for r in run.txs if r.phase != "deploy")
    deploy_gas = sum(r.gas for r in run.txs if r.phase == "deploy")
    gas_per_household_day = day_gas / n

    def cost(g: float) -> dict[str, dict[str, float]]:
        return {
            str(p): {"eth": round(g * p * 1e-9, 8), "eur": round(g * p * 1e9 / t.wei_per_eur, 4)} for p in GWEI_PRICES
        }

    latencies = sorted(r.seconds for r in run.txs if r.phase != "deploy")
    latency = {
        "transactions": len(latencies),
        "mean_s": round(statistics.fmean(latencies), 4) if latencies else 0.0,
        "p50_s": round(latencies[len(latencies) // 2], 4) if latencies else 0.0,
        "p95_s": round(latencies[int(len(latencies) * 0.95)], 4) if latencies else 0.0,
        "max_s": round(latencies[-1], 4) if latencies else 0.0,
    }

    # reconciliation with the chain (events alone)
    recomputed = net_payments_from_events(chain, run.deployed, addr_of, run.parts, from_block=run.first_block)
    reconciliation = [
        {
            "household": com.households[h].name,
            "report_net_onchain_wei": households[h]["net_onchain_wei"],
            "events_net_wei": recomputed[h]["net"],
            **{f"{name}_net_wei": recomputed[h][name] for name in run.parts},
            "match": recomputed[h]["net"] == households[h]["net_onchain_wei"],
        }
        for h in range(n)
    ]

    observer = {
        "addresses_per_household": [
            {"household": com.households[h].name, "mechanism": m, "role": role, "address": a}
            for h in range(n)
            for m, role, a in run.addresses.get(h, [])
        ],
        "links": {name: dict(o.links) for name, o in run.outcomes.items() if o.links},
    }
    headline = {
        "households": n,
        "slots": com.n_slots,
        "load_kwh": round(load_t / 1000, 2),
        "pv_kwh": round(pv_t / 1000, 2),
        "local_kwh": round(local_t / 1000, 2),
        "import_kwh": round(imp_t / 1000, 2),
        "export_kwh": round(exp_t / 1000, 2),
        "self_sufficiency_pct": round(100 * community["self_sufficiency"], 1),
        "self_consumption_pct": round(100 * community["self_consumption"], 1),
        "community_bill_eur": community["bill_eur"],
        "baseline_bill_eur": community["baseline_eur"],
        "transactions": len(run.txs),
        "total_gas": day_gas + deploy_gas,
        "elapsed_s": round(run.elapsed, 1),
    }
    site = com.site
    return {
        "schema": "gridledger.day-report/1",
        "headline": headline,
        "meta": {
            "created": dt.datetime.fromtimestamp(run.started_at, dt.UTC).isoformat(timespec="seconds"),
            "network": run.network,
            "chain_id": run.chain_id,
            "rpc_url": run.chain_url,
            "operator": run.operator,
            "seed": run.options.seed,
            "site": {
                "name": site.name,
                "latitude": site.latitude,
                "longitude": site.longitude,
                "zone": site.zone,
                "date": site.date.isoformat(),
                "tilt_deg": site.tilt,
                "azimuth_deg": site.azimuth,
                "performance_ratio": site.performance_ratio,
            },  # fmt: skip
            "slot_seconds_on_chain": run.slot_seconds,
            "first_slot": com.first_slot,
            "blocks": [run.first_block, run.last_block],
            "tariffs": {
                "utility_eur_per_kwh": t.utility_eur_per_kwh,
                "feed_in_eur_per_kwh": t.feed_in_eur_per_kwh,
                "wei_per_eur": t.wei_per_eur,
                "utility_wei_per_kwh": t.utility_wei_per_kwh,
                "feed_in_wei_per_kwh": t.feed_in_wei_per_kwh,
                "payment_asset": "ether (wei); € shown at wei_per_eur",
            },
            "deployed": run.deployed,
            "ipfs_api": run.ipfs_api,
            "phase_seconds": {k: round(v, 2) for k, v in run.phase_seconds.items()},
            "elapsed_s": round(run.elapsed, 2),
            "mechanisms_in_day": run.parts,
            "mechanisms_not_in_day": list(run.not_in_day),
            "summaries": {name: o.summary for name, o in run.outcomes.items()},
            "notes": run.notes,
            "part_data": {name: _jsonable(dict(o.data)) for name, o in run.outcomes.items()},
        },
        "community": community,
        "slots": slots,
        "households": households,
        "bills": [b for o in run.outcomes.values() for b in o.bills],
        "gas": {
            "per_operation": [o for o in per_op if not o["deploy"]],
            "deploy": [o for o in per_op if o["deploy"]],
            "per_household": per_household,
            "operator_gas": operator_gas,
            "day_gas": day_gas,
            "deploy_gas": deploy_gas,
            "per_household_day": round(gas_per_household_day),
            "cost_per_household_day": cost(gas_per_household_day),
            "cost_day": cost(day_gas),
        },
        "latency": latency,
        "observer": observer,
        "reconciliation": reconciliation,
    }


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def _csv(path: Path, rows: list[dict[str, Any]]) -> None:
    if not rows:
        path.write_text("")
        return
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        for r in rows:
            writer.writerow({k: (";".join(v) if isinstance(v, list) else v) for k, v in r.items()})


def _table(rows: list[dict[str, Any]], cols: list[tuple[str, str]], cls: str = "") -> str:
    head = "".join(f"<th>{html.escape(label)}</th>" for _k, label in cols)
    body = []
    for r in rows:
        cells = []
        for k, _label in cols:
            v = r.get(k, "")
            if isinstance(v, float):
                v = f"{v:,.4f}".rstrip("0").rstrip(".") if abs(v) < 1000 else f"{v:,.1f}"
            elif isinstance(v, bool):
                v = "yes" if v else "NO"
            elif isinstance(v, int):
                v = f"{v:,}"
            cells.append(f"<td>{html.escape(str(v))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table class='{cls}'><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


CSS = """body{font-family:system-ui,sans-serif;margin:24px;max-width:1200px;color:#222}
h1{margin-bottom:4px}.sub{color:#555;margin-top:0}table{border-collapse:collapse;margin:8px 0 20px;font-size:13px}
td,th{border:1px solid #ccc;padding:3px 7px;text-align:right}th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}
.cards{display:flex;flex-wrap:wrap;gap:10px}.card{border:1px solid #ddd;border-radius:6px;padding:8px 12px;min-width:150px}
.card .v{font-size:22px;font-weight:600}.card .l{font-size:12px;color:#555}img{max-width:100%;border:1px solid #eee}
.mono{font-family:ui-monospace,monospace;font-size:12px;word-break:break-all}.note{color:#555;font-size:13px}"""


def headline_text(key: str, value: Any) -> str:
    """How a headline number is written on the page (the browser test parses it back)."""
    return f"{value}" if isinstance(value, int) else f"{value:.2f}" if key.endswith("_eur") else f"{value}"


def write_report(results: dict[str, Any], out: Path) -> Path:
    """Write ``results.json``, the CSVs, the figures and ``index.html`` into ``out``; returns the page."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    tables = {
        "slots": results["slots"],
        "households": results["households"],
        "bills": results["bills"],
        "gas_per_operation": results["gas"]["per_operation"],
        "gas_deploy": results["gas"]["deploy"],
        "gas_per_household": results["gas"]["per_household"],
        "reconciliation": results["reconciliation"],
        "observer_addresses": results["observer"]["addresses_per_household"],
    }
    for name, rows in tables.items():
        _csv(out / f"{name}.csv", rows)
    figures = draw_all(results, out)
    m, hl, t = results["meta"], results["headline"], results["meta"]["tariffs"]
    cards = "".join(
        f"<div class='card'><div class='v' data-key='{k}'>{html.escape(headline_text(k, hl[k]))}</div>"
        f"<div class='l'>{html.escape(label)}</div></div>"
        for k, label in HEADLINE.items()
    )
    gas = results["gas"]
    cost_rows = [
        {"what": "the whole day (all transactions after deployment)", "gas": gas["day_gas"],
         **{f"{p} gwei": f"{c['eth']:.6f} ETH = {c['eur']:.2f} €" for p, c in gas["cost_day"].items()}},
        {"what": "per household per day (day gas / households)", "gas": gas["per_household_day"],
         **{f"{p} gwei": f"{c['eth']:.6f} ETH = {c['eur']:.2f} €" for p, c in gas["cost_per_household_day"].items()}},
    ]  # fmt: skip
    links_html = ""
    for name, links in results["observer"]["links"].items():
        for title, rows in links.items():
            if rows:
                cols = [(k, k) for k in rows[0]]
                links_html += f"<h3>{html.escape(name)}: {html.escape(title)}</h3>" + _table(rows, cols, "mono")
    recon = results["reconciliation"]
    recon_ok = all(r["match"] for r in recon)
    lat = results["latency"]
    not_in = ", ".join(m["mechanisms_not_in_day"]) or "none"
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>GridLedger trading day</title>
<style>{CSS}</style></head><body>
<h1>GridLedger trading day</h1>
<p class="sub">{hl["households"]} households, {hl["slots"]} slots of 15 min on {html.escape(m["site"]["date"])} at
{html.escape(m["site"]["name"])} ({m["site"]["latitude"]}°, {m["site"]["longitude"]}°) &mdash; network
<b>{html.escape(m["network"])}</b> (chain id {m["chain_id"]}), seed {m["seed"]}, created {html.escape(m["created"])}</p>
<p>Mechanisms in this day: <b>{html.escape(", ".join(m["mechanisms_in_day"]))}</b>. Not in this day: {
        html.escape(not_in)
    }.</p>
<div class="cards">{cards}</div>
<h2>Assumptions</h2>
<ul class="note">
<li>Money: the payment asset is ether; € are shown at <b>1 € = {t["wei_per_eur"]:,} wei</b> (1 ETH = {
        10**18 // t["wei_per_eur"]:,} €).
Utility tariff {t["utility_eur_per_kwh"]:.2f} €/kWh = {
        t["utility_wei_per_kwh"]:,} wei/kWh (the battery location's on-chain rate);
feed-in tariff {t["feed_in_eur_per_kwh"]:.2f} €/kWh = {
        t["feed_in_wei_per_kwh"]:,} wei/kWh (paid off chain by the utility).</li>
<li>Load: BDEW H0 (demandlib) scaled to each household's annual consumption, log-normal noise per slot (σ 0.25);
PV: pvlib clear sky (Ineichen, Linke turbidity {3.0}), tilt {m["site"]["tilt_deg"]}°, azimuth {
        m["site"]["azimuth_deg"]
    }°,
performance ratio {m["site"]["performance_ratio"]}, hourly cloud factor (forecast 0.9).
Agents act on forecasts (the H0 shape, clear sky × 0.9); the actual energy decides what is delivered.</li>
<li>SPB: deposit per consumer {
        m["part_data"].get("spb", {}).get("deposit_wei", 0):,} wei; sellers open at 0.27 and concede to 0.12 €/kWh,
buyers open at 0.10 and concede to 0.26 €/kWh (±0.01 per agent). Grid: day-ahead purchase of 1.2 × the forecast import per household,
topped up when exceeded; undelivered energy is cancelled (refunded) at the end.</li>
<li>Chain time: {m["slot_seconds_on_chain"]} s of chain time per slot (anvil: moved forward slot by slot).
Blocks {m["blocks"][0]}&ndash;{m["blocks"][1]}. Phases: {
        html.escape(", ".join(f"{k} {v} s" for k, v in m["phase_seconds"].items()))
    }.</li>
</ul>
<p class="note">{"<br>".join(html.escape(s) for s in m["summaries"].values())}</p>
<h2>Energy per slot</h2><img src="{figures["energy"]}" alt="energy per slot">
<h2>Prices per slot</h2><img src="{figures["prices"]}" alt="prices per slot">
<h2>Bills vs a grid-only baseline</h2><img src="{figures["bills"]}" alt="bills">
<p class="note">Bill = on-chain net payment (SPB purchases − SPB sales + grid deliveries) + off-chain utility energy − feed-in credit.
Baseline = (load − own PV used) × utility tariff − (PV − own PV used) × feed-in tariff.</p>
{
        _table(
            results["households"],
            [
                ("name", "household"),
                ("pv_kwp", "PV kWp"),
                ("load_wh", "load Wh"),
                ("pv_wh", "PV Wh"),
                ("bought_local_wh", "bought locally Wh"),
                ("sold_local_wh", "sold locally Wh"),
                ("import_wh", "from grid Wh"),
                ("export_wh", "to grid Wh"),
                ("net_onchain_wei", "net paid on chain (wei)"),
                ("feed_in_credit_wei", "feed-in credit (wei)"),
                ("bill_eur", "bill €"),
                ("baseline_eur", "baseline €"),
                ("saving_eur", "saving €"),
            ],
        )
    }
<h2>Self-sufficiency and self-consumption</h2><img src="{figures["kpi"]}" alt="self-sufficiency">
<p class="note">As Grid Singularity's exchange reports them. Community: self-sufficiency = (load − grid import) / load,
self-consumption = (PV − export) / PV: {100 * results["community"]["self_sufficiency"]:.1f} % and
{100 * results["community"]["self_consumption"]:.1f} %. Household: (own PV used + bought locally) / load, and
(own PV used + sold locally) / own PV.</p>
<h2>Gas</h2><img src="{figures["gas"]}" alt="gas">
<p class="note">First call vs steady state: the first transaction of an operation writes storage slots that are still zero
(22,100 gas per new slot instead of 5,000 for a change) and touches cold accounts and slots (2,600 / 2,100 gas for the first access
in a transaction); later calls of the same operation find those slots written (a balance, a nonce bitmap word, a counter) and
cost less. The table shows the first call, the median of the others, and the extremes.</p>
{
        _table(
            gas["per_operation"],
            [
                ("mechanism", "mechanism"),
                ("operation", "operation"),
                ("n", "n"),
                ("first", "first (cold)"),
                ("steady", "steady (median)"),
                ("min", "min"),
                ("max", "max"),
                ("total", "total"),
            ],
        )
    }
{_table(cost_rows, [("what", "what"), ("gas", "gas")] + [(f"{p} gwei", f"at {p} gwei") for p in GWEI_PRICES])}
<p class="note">Deployment: {
        gas["deploy_gas"]:,} gas (not counted above). Operator / community transactions during the day:
{gas["operator_gas"]:,} gas. Confirmation time per transaction (send → receipt), {lat["transactions"]} transactions:
mean {lat["mean_s"]} s, median {lat["p50_s"]} s, p95 {lat["p95_s"]} s, max {lat["max_s"]} s.</p>
<h2>What an outside observer of the chain can link</h2>
<p class="note">Each household uses separate addresses per role; an observer sees every address below but not which household holds it
(the mapping is this report's, from the households' own records). SPB receipts name the CoE root that certified the meter's key:
receipts under one root are linkable to one meter (or to a group of meters sharing a group CoE).</p>
{links_html}
{
        _table(
            results["observer"]["addresses_per_household"],
            [("household", "household"), ("mechanism", "mechanism"), ("role", "role"), ("address", "address")],
            "mono",
        )
    }
<h2>Bills on IPFS, anchored on chain</h2>
{
        _table(
            results["bills"],
            [
                ("household", "household"),
                ("cid", "CID"),
                ("anchor_tx", "anchoring transaction"),
                ("delivered_wh", "delivered Wh"),
                ("paid_wei", "paid wei"),
                ("refunded_wei", "refunded wei"),
                ("verified", "verified"),
            ],
            "mono",
        )
    }
<h2>Reconciliation with the chain</h2>
<p>Each household's net on-chain payment recomputed from each mechanism's events alone
(<code>payments_from_events</code> in <code>offchain/&lt;mechanism&gt;/day.py</code>; e.g. SPB <code>Settled</code> and
<code>AccountOpened</code>, grid <code>TransferRecorded</code>): <b data-key="reconciled">{
        "all match" if recon_ok else "MISMATCH"
    }</b>.</p>
{
        _table(
            recon,
            [
                ("household", "household"),
                ("report_net_onchain_wei", "report (wei)"),
                ("events_net_wei", "from events (wei)"),
                *((f"{name}_net_wei", f"{name} (wei)") for name in m["mechanisms_in_day"]),
                ("match", "match"),
            ],
        )
    }
<p class="note">Data: <a href="results.json">results.json</a>, {
        ", ".join(f'<a href="{k}.csv">{k}.csv</a>' for k in tables)
    }.</p>
</body></html>
"""  # noqa: E501
    (out / "index.html").write_text(page)
    return out / "index.html"
