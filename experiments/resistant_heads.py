"""Resistant headteachers produce differential growth: their staff are denied access [seed 004 less-known 4]."""

import numpy as np
import pandas as pd

from simulation.stats import paired

from .common import HORIZON, Result, describe, new_figure, replicate, significant, stat_row

NAME = "resistant_heads"
TITLE = "Resistant heads produce differential growth"
PATTERN = ("Where some heads resist active commitment, network functions grow differentially: their staff get less "
           "access and their schools gain less (seed 004, less-known 4).")
DEPENDS = ("resistant_commitment", "resistant_unlearning", "unlearning_rate", "commitment_mean")


def run(ctx) -> Result:
    reps = replicate(ctx, {"n_schools": 8, "formation": "voluntary", "resistant_head_share": 0.375,
                           "resistant_commitment": 0.2}, school_ticks=(0, HORIZON))
    rows = {"access_r": [], "access_o": [], "k_r": [], "k_o": [], "va_r": [], "va_o": []}
    for r in reps:
        s0, s1 = r.schools[0], r.schools[HORIZON]
        res = s0["resistant"].to_numpy()
        if res.all() or not res.any():
            continue
        dk = s1["mean_knowledge"].to_numpy() - s0["mean_knowledge"].to_numpy()
        dva = s1["value_added"].to_numpy() - s0["value_added"].to_numpy()
        acc = s1["access_share"].to_numpy()
        for key, v in (("access", acc), ("k", dk), ("va", dva)):
            rows[f"{key}_r"].append(v[res].mean())
            rows[f"{key}_o"].append(v[~res].mean())
    a = {k: np.array(v) for k, v in rows.items()}
    tk, tva, tacc = paired(a["k_o"], a["k_r"]), paired(a["va_o"], a["va_r"]), paired(a["access_o"], a["access_r"])
    table = pd.DataFrame([stat_row("knowledge gain: other schools - resistant heads' schools", tk),
                          stat_row("value-added gain: others - resistant", tva),
                          stat_row("staff with access at the horizon: others - resistant", tacc)])
    holds = significant(tk) and significant(tacc)
    fig, (ax,) = new_figure(1, (7, 4))
    x = np.arange(3)
    ax.bar(x - 0.2, [a["access_o"].mean(), a["k_o"].mean(), a["va_o"].mean()], 0.4, label="committed heads")
    ax.bar(x + 0.2, [a["access_r"].mean(), a["k_r"].mean(), a["va_r"].mean()], 0.4, label="resistant heads")
    ax.set_xticks(x)
    ax.set_xticklabels(["staff access (end)", "knowledge gain", "value-added gain"])
    ax.set_title("differential growth under resistant heads")
    ax.legend()
    stat = (f"knowledge gain others - resistant {describe(tk)}; value-added gain {describe(tva)}; "
            f"staff access at the horizon {tacc.mean_a:.2f} vs {tacc.mean_b:.2f} ({describe(tacc)})")
    return Result(NAME, TITLE, PATTERN, stat, holds, table, fig,
                  {"diff_knowledge": tk.diff, "diff_access": tacc.diff}, DEPENDS, tk.n)
