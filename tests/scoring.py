"""Scores an extracted claims table against a gold CSV, by the rules of the claims contract.

Rows without an indicator are ignored; both sides become keys (report, indicator, item,
value or (low, high)); value F1 counts key matches, full F1 also needs role, qualifier,
unit class and, for strict rows, the months of the period to agree.
"""
from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path

import pandas as pd

from indicators.units import unit_class


def _num(v):
    if v is None or v == "" or (isinstance(v, float) and math.isnan(v)):
        return None
    return float(f"{float(v):.6g}")


def _key(row) -> tuple:
    if str(row.get("qualifier", "")).strip() == "range":
        val = ("range", _num(row.get("value_low")), _num(row.get("value_high")))
    else:
        val = ("value", _num(row.get("value")))
    return (str(row["report"]).strip(), str(row["indicator"]).strip(), str(row.get("item") or "").strip().lower(), val)


def _klass(unit) -> str:
    u = str(unit or "").strip()
    try:
        return unit_class(u)
    except Exception:  # gold may name a unit our registry lacks: compare as a count
        return "count"


def _errors(gold, pred) -> list[str]:
    errs = [c for c in ("role", "qualifier") if str(gold.get(c, "")).strip() != str(pred.get(c, "")).strip()]
    if _klass(gold.get("unit")) != _klass(pred.get("unit")):
        errs.append("unit")
    if str(gold.get("strict_period", "1")).strip() == "1":
        for c in ("period_start", "period_end"):
            if str(gold.get(c, ""))[:7] != str(pred.get(c, ""))[:7]:
                errs.append(c)
    return errs


# The indicators each author could annotate: the 22 ids of the claims contract for the sets written before the
# starter catalog; every shipped id for the sets written with it. A figure attached to an id its set's author
# never had is neither right nor wrong there, so it is left out of that set's score.
CONTRACT_IDS = frozenset(line.strip() for line in (Path(__file__).parent / "contract_ids.txt").read_text().splitlines()
                         if line.strip() and not line.startswith("#"))


def score(gold: pd.DataFrame, pred: pd.DataFrame, indicators: frozenset | None = None) -> dict:
    """Value and full F1 of `pred` against `gold`; `indicators`: the ids the gold's author could use (others
    in `pred` are not scored)."""
    gold = gold.fillna("")
    pred = pred.astype(object).where(pred.notna(), "")
    reports = set(gold["report"].astype(str))
    pred = pred[(pred["indicator"].astype(str).str.strip() != "") & pred["report"].astype(str).isin(reports)]
    if indicators is not None:
        pred = pred[pred["indicator"].astype(str).isin(indicators)]
    g_rows = gold.to_dict("records")
    required = {_key(r): r for r in g_rows if str(r.get("optional", "0")).strip() not in ("1", "1.0")}
    optional = {_key(r) for r in g_rows if str(r.get("optional", "0")).strip() in ("1", "1.0")}
    predicted = defaultdict(list)
    for r in pred.to_dict("records"):
        predicted[_key(r)].append(r)
    tp = [k for k in required if k in predicted]
    fp = [k for k in predicted if k not in required and k not in optional]
    fn = [k for k in required if k not in predicted]
    wrong = {}
    for k in tp:
        best = min((_errors(required[k], p) for p in predicted[k]), key=len)
        if best:
            wrong[k] = best

    def f1(hits):
        p = hits / (len(tp) + len(fp)) if tp or fp else 0.0
        r = hits / len(required) if required else 0.0
        return 2 * p * r / (p + r) if p + r else 0.0

    return {"value_f1": f1(len(tp)), "full_f1": f1(len(tp) - len(wrong)), "missed": fn, "spurious": fp,
            "wrong": wrong}
