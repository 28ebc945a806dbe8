"""Where figures disagree: conflicts, revisions (vintages), stated/corrected and plan/actual pairs.

All functions take a claims frame (CLAIM_COLUMNS, optionally `claim_id` and `review`) and
return new frames; nothing here reads the store, so the dashboard, the CSV routes and the
tests share one definition.

Two figures for the same indicator, item, period and unit *agree* when what they assert can
be true at once: the intervals they name overlap. An exact figure is a point, a range is its
span, "about" allows 5% either way, "at least" / "at most" are closed half-lines and "over" /
"under" open ones. Figures that do not agree are a *revision* when one source
(or the same unnamed author) gave them in different months, else a *conflict*.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .schema import FACTS, LOWER_BOUNDED, OPEN_BOUND, SCHEMA, UPPER_BOUNDED, Qualifier, ReviewState, Role

KEY = SCHEMA.group("series")
APPROX = 0.05  # "about 12%" agrees with 11.4% .. 12.6%
CONFLICT_COLUMNS = ["group", "kind", "indicator", "item", "period_start", "period_end", "unit", "claim_id", "report",
                    "report_month", "source", "role", "qualifier", "value", "value_low", "value_high", "surface",
                    "sentence", "latest"]
PLAN_COLUMNS = ["indicator", "item", "period_start", "period_end", "unit", "planned", "actual", "shortfall",
                "shortfall_pct", "plan_id", "actual_id", "plan_report", "actual_report", "plan_sentence",
                "actual_sentence"]


def claim_ids(df: pd.DataFrame) -> pd.Series:
    """A claim's id: the store's, else report@offset (unique within a report's text)."""
    if "claim_id" in df.columns:
        return df["claim_id"].astype(str)
    return df["report"].astype(str) + "@" + df["char_start"].astype(int).astype(str)


def usable(df: pd.DataFrame) -> pd.DataFrame:
    """Claims attached to an indicator and not rejected by a reviewer, with their ids."""
    out = df[df["indicator"].astype(str) != ""]
    if "review" in out.columns:
        out = out[out["review"] != ReviewState.REJECTED]
    out = out.copy()
    out["claim_id"] = claim_ids(out)
    return out


def intervals(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(low, high, low_open, high_open) of what each figure asserts about the true value.

    exact: the point; range: its closed span; approx: a closed band of ±APPROX; at_least / at_most: closed
    half-lines ("at least 100" allows 100); over / under: open half-lines ("more than 100" does not)."""
    value = df["value"].astype(float).to_numpy()
    low = df["value_low"].astype(float).to_numpy() if "value_low" in df else np.full(len(df), np.nan)
    high = df["value_high"].astype(float).to_numpy() if "value_high" in df else np.full(len(df), np.nan)
    q = df["qualifier"].astype(str).to_numpy()
    lo, hi = value.copy(), value.copy()
    is_range = (q == Qualifier.RANGE) & ~np.isnan(low) & ~np.isnan(high)
    lo[is_range], hi[is_range] = low[is_range], high[is_range]
    approx = q == Qualifier.APPROX
    lo[approx], hi[approx] = value[approx] - abs(value[approx]) * APPROX, value[approx] + abs(value[approx]) * APPROX
    up = np.isin(q, list(LOWER_BOUNDED))  # the figure is a floor: anything above it is possible
    down = np.isin(q, list(UPPER_BOUNDED))
    lo[up] = np.where(np.isnan(low[up]), value[up], low[up])
    hi[up] = math.inf
    hi[down] = np.where(np.isnan(high[down]), value[down], high[down])
    lo[down] = -math.inf
    lo_open = up & np.isin(q, list(OPEN_BOUND))
    hi_open = down & np.isin(q, list(OPEN_BOUND))
    return lo, hi, lo_open, hi_open


def agree(lo: np.ndarray, hi: np.ndarray, lo_open: np.ndarray | None = None, hi_open: np.ndarray | None = None
          ) -> bool:
    """Whether every figure can be true at once: the intervals have a common point. Where the highest lower
    end meets the lowest upper end, they share it only if no interval leaves that end open."""
    if len(lo) < 2:
        return True
    lo_open = np.zeros(len(lo), bool) if lo_open is None else lo_open
    hi_open = np.zeros(len(hi), bool) if hi_open is None else hi_open
    top, bottom = lo.max(), hi.min()
    tol = max(abs(top), abs(bottom), 1.0) * 1e-9 if math.isfinite(top) and math.isfinite(bottom) else 0.0
    if top < bottom - tol:
        return True
    if top > bottom + tol:
        return False
    return not (lo_open[np.abs(lo - top) <= tol].any() or hi_open[np.abs(hi - bottom) <= tol].any())


def pair_stated_corrected(df: pd.DataFrame) -> pd.DataFrame:
    """Each corrected figure with the stated figure(s) it answers: same report, indicator and period;
    the items agree (or one names none); the stated figure comes first in the text."""
    d = usable(df)
    stated, corrected = d[d["role"] == Role.STATED], d[d["role"] == Role.CORRECTED]
    cols = ["report", "indicator"]
    m = stated.merge(corrected, on=cols, suffixes=("_stated", "_corrected"))
    m = m[((m["item_stated"] == m["item_corrected"]) | (m["item_stated"] == "") | (m["item_corrected"] == ""))
          & (m["char_start_corrected"] > m["char_start_stated"])
          & (m["period_start_stated"] == m["period_start_corrected"])
          & (m["period_end_stated"] == m["period_end_corrected"])]
    return m.reset_index(drop=True)


def plan_vs_actual(df: pd.DataFrame) -> pd.DataFrame:
    """Each planned figure with the figure later reported for the same item and period, and the shortfall."""
    d = usable(df)
    plans, facts = d[d["role"] == Role.PLANNED], d[d["role"].isin([Role.REPORTED, Role.CORRECTED])]
    m = plans.merge(facts, on=KEY, suffixes=("_plan", "_actual"))
    m = m[m["report_month_actual"] >= m["report_month_plan"]]
    m = m[(m["report_month_actual"] > m["report_month_plan"]) | (m["char_start_actual"] > m["char_start_plan"])
          | (m["report_actual"] != m["report_plan"])]
    if m.empty:
        return pd.DataFrame(columns=PLAN_COLUMNS)
    # the latest report of the actual figure is the one that counts
    m = m.sort_values(["report_month_actual", "char_start_actual"]).groupby("claim_id_plan").tail(1)
    out = m[KEY].copy()
    out["planned"], out["actual"] = m["value_plan"].astype(float), m["value_actual"].astype(float)
    out["shortfall"] = out["planned"] - out["actual"]
    out["shortfall_pct"] = (out["shortfall"] / out["planned"].where(out["planned"] != 0) * 100).round(1)
    out["plan_id"], out["actual_id"] = m["claim_id_plan"], m["claim_id_actual"]
    out["plan_report"], out["actual_report"] = m["report_plan"], m["report_actual"]
    out["plan_sentence"], out["actual_sentence"] = m["sentence_plan"], m["sentence_actual"]
    return out[PLAN_COLUMNS].sort_values(KEY).reset_index(drop=True)


def pairs(df: pd.DataFrame) -> pd.DataFrame:
    """`pair` and `pair_kind` for every claim: whom it corrects or is corrected by, its plan or its actual."""
    ids = claim_ids(df)
    pair = pd.Series("", index=df.index, dtype=object)
    kind = pd.Series("", index=df.index, dtype=object)
    where = pd.Series(df.index, index=ids.to_numpy())
    links: list[tuple[str, str, str]] = []  # (claim, other, kind)
    sc = pair_stated_corrected(df)
    for a, b in zip(sc["claim_id_stated"], sc["claim_id_corrected"]):
        links += [(a, b, "corrected by"), (b, a, "corrects")]
    pa = plan_vs_actual(df)
    for a, b in zip(pa["plan_id"], pa["actual_id"]):
        links += [(a, b, "actual"), (b, a, "plan")]
    for claim, other, k in links:
        i = where.get(claim)
        if i is None or isinstance(i, pd.Series):
            continue
        pair[i] = f"{pair[i]};{other}" if pair[i] else other
        kind[i] = k if not kind[i] or kind[i] == k else f"{kind[i]};{k}"
    return pd.DataFrame({"pair": pair, "pair_kind": kind}, index=df.index)


def vintages(df: pd.DataFrame) -> pd.DataFrame:
    """`vintage` (1 = first reported) and `latest` for every fact, per indicator, item, period, unit and
    source: what a source said first, and what it revised that to (ALFRED's vintages). Two sources'
    figures are both current: that is a conflict, not a revision.

    Facts are reported and corrected figures (and stated ones nobody corrected). A vintage is a
    report month: every figure of the latest month is current (one report may give a figure twice,
    or two parts of it); the figures of earlier months are what it revised. Rows that are no fact get
    vintage 0 and latest False. (vintage_marks does the work, on columns.)
    """
    vintage, latest = vintage_marks(df)
    return pd.DataFrame({"vintage": pd.Series(vintage, index=df.index, dtype="int64"),
                         "latest": pd.Series(latest, index=df.index, dtype=bool)})


def vintage_marks(cols) -> tuple[list[int], list[bool]]:
    """vintages() over columns: `cols[name]` gives a column's values in row order (a DataFrame, or the
    dashboard's Columns, which has to_frame() for when `pair_kind` is missing); returns (vintage, latest) as lists in that order. One pass to group, one to mark:
    a chart's few thousand rows take a millisecond."""
    n = len(cols["report"])
    vintage, latest = [0] * n, [False] * n
    if not n:
        return vintage, latest
    values = lambda c: list(cols[c]) if c in cols else [""] * n
    indicator, role, review, month = values("indicator"), values("role"), values("review"), values("report_month")
    if "pair_kind" in cols:  # a stated figure its report corrects is a dispute, not a vintage
        answered = [r == Role.STATED and "corrected by" in str(k) for r, k in zip(role, values("pair_kind"))]
    else:
        frame = cols if isinstance(cols, pd.DataFrame) else cols.to_frame()
        stated = set(pair_stated_corrected(frame)["claim_id_stated"]) if len(frame) else set()
        ids = [f"{r}@{int(s)}" for r, s in zip(values("report"), values("char_start"))]
        answered = [i in stated for i in ids]
    facts = set(FACTS)
    key_cols = [values(c) for c in KEY + ["source"]]  # a source revises its own figures, in a later report
    groups: dict[tuple, set] = {}
    keys: list = [None] * n
    for i in range(n):
        if (indicator[i] != "" and review[i] != ReviewState.REJECTED and role[i] in facts and not answered[i]):
            k = keys[i] = tuple(col[i] for col in key_cols)
            groups.setdefault(k, set()).add(month[i])
    ranks = {k: {m: r for r, m in enumerate(sorted(ms), start=1)} for k, ms in groups.items()}
    for i, k in enumerate(keys):
        if k is not None:
            rank = ranks[k]
            vintage[i] = rank[month[i]]
            latest[i] = vintage[i] == len(rank)
    return vintage, latest


def _facts(df: pd.DataFrame) -> pd.DataFrame:
    d = usable(df)
    d = d[d["role"].isin(list(FACTS))]
    # a stated figure its report corrects is a dispute, not a vintage (the store keeps that pairing in pair_kind)
    if "pair_kind" in d.columns:
        return d[~((d["role"] == Role.STATED) & d["pair_kind"].astype(str).str.contains("corrected by", regex=False))]
    answered = set(pair_stated_corrected(df)["claim_id_stated"])
    return d[~d["claim_id"].isin(answered)]


def conflicts(df: pd.DataFrame) -> pd.DataFrame:
    """Every group of facts that disagree, one row per claim (CONFLICT_COLUMNS), latest marked."""
    d = _facts(df)
    if d.empty:
        return pd.DataFrame(columns=CONFLICT_COLUMNS)
    d = d.join(vintages(df)[["latest"]])
    sizes = d.groupby(KEY, dropna=False)["claim_id"].transform("size")
    d = d[sizes > 1]
    rows = []
    for _key, g in d.groupby(KEY, sort=True, dropna=False):
        if agree(*intervals(g)):
            continue
        sources = set(g["source"].astype(str))
        months = set(g["report_month"].astype(str))
        kind = "revision" if len(sources) == 1 and len(months) > 1 else "conflict"
        g = g.assign(group=f"{len(rows) + 1}", kind=kind)
        rows.append(g)
    if not rows:
        return pd.DataFrame(columns=CONFLICT_COLUMNS)
    out = pd.concat(rows)
    out["group"] = out["group"].astype(int)
    return out.sort_values(["group", "report_month", "char_start"])[CONFLICT_COLUMNS].reset_index(drop=True)
