"""The report's figures (matplotlib, Agg backend, PNG)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["draw_all"]


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def draw_all(results: dict[str, Any], out: Path) -> dict[str, str]:
    """Write every figure into ``out``; returns figure key → file name."""
    plt = _plt()
    files = {}
    slots = results["slots"]
    x = [s["index"] for s in slots]
    labels = [s["time"] for s in slots]
    ticks = x[:: max(1, len(x) // 12)]

    fig, ax = plt.subplots(figsize=(11, 4.2))
    ax.plot(x, [s["load_wh"] / 1000 for s in slots], label="load", color="#444")
    ax.plot(x, [s["pv_wh"] / 1000 for s in slots], label="PV", color="#f2a900")
    ax.bar(x, [s["local_wh"] / 1000 for s in slots], label="traded locally (SPB)", color="#2a9d8f", alpha=0.8)
    ax.plot(x, [s["import_wh"] / 1000 for s in slots], label="from grid", color="#e63946", ls="--")
    ax.plot(x, [-s["export_wh"] / 1000 for s in slots], label="to grid (negative)", color="#457b9d", ls="--")
    ax.set_xticks(ticks, [labels[i] for i in ticks])
    ax.set_ylabel("kWh per 15-min slot")
    ax.set_title("Community energy per slot")
    ax.axhline(0, color="#999", lw=0.5)
    ax.legend(ncol=5, fontsize=8, loc="upper left")
    fig.tight_layout()
    files["energy"] = "energy.png"
    fig.savefig(out / files["energy"], dpi=90)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(11, 3.6))
    tr = results["meta"]["tariffs"]
    px = [s["index"] for s in slots if s["local_price_eur_kwh"] is not None]
    ax.plot(px, [s["local_price_eur_kwh"] for s in slots if s["local_price_eur_kwh"] is not None], "o",
            color="#2a9d8f", ms=4, label="local trades: paid per kWh delivered")  # fmt: skip
    ax.plot(px, [s["local_price_min_eur_kwh"] for s in slots if s["local_price_eur_kwh"] is not None], "_",
            color="#2a9d8f", label="min / max (a trade delivered short costs more per kWh)")  # fmt: skip
    ax.plot(px, [s["local_price_max_eur_kwh"] for s in slots if s["local_price_eur_kwh"] is not None], "_",
            color="#2a9d8f")  # fmt: skip
    clearing = results["meta"]["part_data"].get("auction", {}).get("clearing_prices", {})
    if clearing:  # the auction's uniform price per cleared slot (keys are slot indices)
        cx = sorted(int(k) for k in clearing)
        ax.plot(cx, [clearing[str(k)] if str(k) in clearing else clearing[k] for k in cx], "s",
                color="#f4a261", ms=4, label="auction: clearing price")  # fmt: skip
    ax.axhline(tr["utility_eur_per_kwh"], color="#e63946", ls="--", label="utility tariff")
    ax.axhline(tr["feed_in_eur_per_kwh"], color="#457b9d", ls="--", label="feed-in tariff")
    ax.set_xticks(ticks, [labels[i] for i in ticks])
    ax.set_xlim(-1, len(x))
    ax.set_ylabel("€ per kWh")
    ax.set_title("Prices per slot: local trades (all mechanisms) and the auction's uniform clearing price")
    ax.legend(fontsize=8, ncol=4)
    fig.tight_layout()
    files["prices"] = "prices.png"
    fig.savefig(out / files["prices"], dpi=90)
    plt.close(fig)

    hh = results["households"]
    names = [h["name"] for h in hh]
    fig, ax = plt.subplots(figsize=(max(8, len(hh) * 0.35), 4))
    idx = list(range(len(hh)))
    ax.bar([i - 0.2 for i in idx], [h["baseline_eur"] for h in hh], 0.4, label="grid only (baseline)", color="#bbb")
    ax.bar([i + 0.2 for i in idx], [h["bill_eur"] for h in hh], 0.4, label="with the community", color="#2a9d8f")
    ax.axhline(0, color="#999", lw=0.5)
    ax.set_xticks(idx, names, rotation=90 if len(hh) > 20 else 0, fontsize=7 if len(hh) > 20 else 9)
    ax.set_ylabel("€ for the day (negative: earned)")
    ax.set_title("Each household's bill vs the grid-only baseline")
    ax.legend(fontsize=8)
    fig.tight_layout()
    files["bills"] = "bills.png"
    fig.savefig(out / files["bills"], dpi=90)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(max(8, len(hh) * 0.35), 4))
    com = results["community"]
    ax.bar([i - 0.2 for i in idx], [100 * h["self_sufficiency"] for h in hh], 0.4, label="self-sufficiency",
           color="#2a9d8f")  # fmt: skip
    ax.bar([i + 0.2 for i in idx], [100 * (h["self_consumption"] or 0) for h in hh], 0.4,
           label="self-consumption (PV homes)", color="#f2a900")  # fmt: skip
    ax.axhline(100 * com["self_sufficiency"], color="#2a9d8f", ls="--", label="community self-sufficiency")
    ax.axhline(100 * com["self_consumption"], color="#f2a900", ls="--", label="community self-consumption")
    ax.set_xticks(idx, names, rotation=90 if len(hh) > 20 else 0, fontsize=7 if len(hh) > 20 else 9)
    ax.set_ylabel("%")
    ax.set_ylim(0, 105)
    ax.set_title("Self-sufficiency and self-consumption (household incl. local purchases; community)")
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    files["kpi"] = "kpi.png"
    fig.savefig(out / files["kpi"], dpi=90)
    plt.close(fig)

    ops = results["gas"]["per_operation"]
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    ax = axes[0]
    names_ops = [f"{o['mechanism']}: {o['operation']}" for o in ops]
    iy = list(range(len(ops)))
    ax.barh([i + 0.2 for i in iy], [o["first"] for o in ops], 0.4, label="first call (cold)", color="#e76f51")
    ax.barh([i - 0.2 for i in iy], [o["steady"] for o in ops], 0.4, label="steady state (median of the rest)",
            color="#264653")  # fmt: skip
    ax.set_yticks(iy, names_ops, fontsize=7)
    ax.set_xlabel("gas per transaction")
    ax.set_title("Gas per operation")
    ax.legend(fontsize=7)
    ax = axes[1]
    per = results["gas"]["per_household"]
    ax.bar(idx, [p["gas"] for p in per], color="#264653")
    ax.set_xticks(idx, names, rotation=90 if len(hh) > 20 else 0, fontsize=7 if len(hh) > 20 else 9)
    ax.set_ylabel("gas per household for the day")
    ax.set_title("Gas per household (transactions it sent)")
    fig.tight_layout()
    files["gas"] = "gas.png"
    fig.savefig(out / files["gas"], dpi=90)
    plt.close(fig)
    return files
