"""PNG plots of rollout summaries (matplotlib, headless)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

TERMS = ("r_outcome", "r_format", "r_step_validity", "r_progress", "r_length")


def plot_reward_terms(summary_rows: list[dict[str, Any]], path: Path, title: str = "Reward terms by family") -> Path:
    """Stacked bars of the mean reward terms, one bar per (family, policy); returns ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [f"{r['family']}\n{r['policy']}" for r in summary_rows]
    fig, ax = plt.subplots(figsize=(max(6.0, 0.7 * len(labels)), 4.5))
    pos = [0.0] * len(labels)
    neg = [0.0] * len(labels)
    for term in TERMS:
        values = [float(r.get(term, 0.0)) for r in summary_rows]
        bottoms = [p if v >= 0 else n for v, p, n in zip(values, pos, neg, strict=True)]
        ax.bar(range(len(labels)), values, bottom=bottoms, label=term.removeprefix("r_"))
        pos = [p + max(v, 0) for p, v in zip(pos, values, strict=True)]
        neg = [n + min(v, 0) for n, v in zip(neg, values, strict=True)]
    ax.set_xticks(range(len(labels)), labels, rotation=60, ha="right", fontsize=7)
    ax.set_ylabel("mean reward")
    ax.set_title(title)
    ax.axhline(0, color="black", linewidth=0.5)
    ax.legend(fontsize=7, ncol=5, loc="upper center", bbox_to_anchor=(0.5, -0.35))
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
