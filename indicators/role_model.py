"""Roles by a learned classifier: reported, stated, corrected or planned, from cue and discourse features.

The rules of roles.py read one cue at a time (a correction word, a plan verb, an attribution). Whether "the
minister said 20%" is a stated figure depends on the discourse: is a different figure for the same indicator
given nearby, is the report contrasting it, is the period still to come? The classifier weighs those features
(multinomial logistic regression, fitted by `indicators train`, weights in data/roles.json), with the rules'
own answer among them; `roles.corrected_needs_stated` then pairs the result.
"""
from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .catalog import Catalog
from .errors import CatalogError
from .model import Document
from .roles import Role, _attributed, _claim_verb, _planned, _rx
from .schema import Role as Roles

CLASSES = (Roles.REPORTED, Roles.STATED, Roles.CORRECTED, Roles.PLANNED)
FEATURES = (
    "rule_reported", "rule_stated", "rule_corrected", "rule_planned",
    "plan_cue_clause", "catalog_planned", "period_after_report", "period_before_report_year",
    "correction_cue_before", "correction_cue_after", "attributed_before", "attributed_sentence",
    "attributed_previous", "claim_verb_previous", "own_voice", "same_indicator_before", "same_indicator_after",
    "same_indicator_sentence",
)
NEARBY = 3  # sentences before or after in which another figure of the same indicator counts as a counterpart


@dataclass(frozen=True)
class RoleModel:
    """Multinomial weights: one row of coefficients over FEATURES and one intercept per class of CLASSES."""

    coef: tuple[tuple[float, ...], ...]
    intercept: tuple[float, ...]
    trained: Mapping = field(default_factory=dict)

    def probabilities(self, x: Sequence[float]) -> list[float]:
        z = [b + sum(w * v for w, v in zip(row, x)) for row, b in zip(self.coef, self.intercept)]
        top = max(z)
        e = [math.exp(v - top) for v in z]
        s = sum(e)
        return [v / s for v in e]

    def to_json(self) -> str:
        return json.dumps({"about": "Weights of the role classifier (indicators/role_model.py); refit with "
                                    "`indicators train`.", "classes": [str(c) for c in CLASSES],
                           "features": list(FEATURES), "coef": [[round(w, 6) for w in row] for row in self.coef],
                           "intercept": [round(b, 6) for b in self.intercept], "trained": dict(self.trained)},
                          indent=1) + "\n"

    @classmethod
    def from_json(cls, text: str, where: str = "roles.json") -> RoleModel:
        """Raises CatalogError when the file is not role weights of this version."""
        try:
            raw = json.loads(text)
            if tuple(raw["features"]) != FEATURES or tuple(raw["classes"]) != tuple(str(c) for c in CLASSES):
                raise CatalogError(f"{where}: the weights are for other features or roles",
                                   hint="refit them with `indicators train`")
            coef = tuple(tuple(float(w) for w in row) for row in raw["coef"])
            if len(coef) != len(CLASSES) or any(len(row) != len(FEATURES) for row in coef):
                raise ValueError("a row per role and a weight per feature expected")
            return cls(coef=coef, intercept=tuple(float(b) for b in raw["intercept"]), trained=raw.get("trained", {}))
        except CatalogError:
            raise
        except (ValueError, KeyError, TypeError) as exc:
            raise CatalogError(f"{where}: not a role weights file ({exc})", hint="refit it with `indicators train`") from exc


SHIPPED = Path(__file__).parent / "data" / "roles.json"


def load_role_model(path: str | Path | None = None) -> RoleModel | None:
    """The role weights at `path`, else the shipped data/roles.json; None when there are none (rules decide)."""
    p = Path(path) if path else SHIPPED
    if not p.is_file():
        if path:
            raise CatalogError(f"{p}: no such role weights file", hint="check the path, or run `indicators train`")
        return None
    return RoleModel.from_json(p.read_text(encoding="utf-8"), str(p))


def role_features(doc: Document, catalog: Catalog, attachments, roles: Sequence[Role], periods) -> list[list[float]]:
    """One feature vector (FEATURES order) per mention of the document."""
    text = doc.report.text
    R = _rx()
    claim = _claim_verb()
    y, mo = doc.ref
    after = (y + (mo == 12), mo % 12 + 1)
    by_indicator: dict[str, list[int]] = {}
    for k, a in enumerate(attachments):
        if a.indicator:
            by_indicator.setdefault(a.indicator, []).append(k)
    out = []
    for k, m in enumerate(doc.mentions):
        q = m.quantity
        a = attachments[k]
        sent = doc.sentences[m.sentence]
        before = text[sent.start:q.start]
        cue = R["correction"].search(text, sent.start, sent.end)
        prev = doc.context(m.sentence, 2)
        start = periods[k][0]
        ind = catalog.get(a.indicator) if a.indicator else None
        same = [j for j in by_indicator.get(a.indicator, ()) if j != k
                and doc.mentions[j].quantity.value != q.value] if a.indicator else []
        rel = [doc.mentions[j].sentence - m.sentence for j in same]
        rule = roles[k].role
        out.append([
            float(rule == Roles.REPORTED), float(rule == Roles.STATED), float(rule == Roles.CORRECTED),
            float(rule == Roles.PLANNED),
            float(_planned(text, doc, m)),
            float(bool(ind) and ind.role == Roles.PLANNED),
            float((start.year, start.month) >= after),
            float(periods[k][1].year < y),
            float(bool(cue) and cue.start() < q.start),
            float(bool(cue) and cue.start() >= q.end),
            float(_attributed(before)),
            float(_attributed(sent.text)),
            float(bool(prev) and _attributed(doc.sentences[prev[0]].text)),
            float(any(claim.search(doc.sentences[i].text) for i in prev)),
            float(bool(R["own_in"].search(sent.text))),
            float(any(-NEARBY <= d < 0 for d in rel)),
            float(any(0 < d <= NEARBY for d in rel)),
            float(any(d == 0 for d in rel)),
        ])
    return out


def refine_roles(doc: Document, catalog: Catalog, attachments, roles: list[Role], periods, model: RoleModel
                 ) -> list[Role]:
    """Each linked figure's role by the classifier (the source stays; a corrected figure has the report's own
    voice, so none); unlinked figures keep the rules' role."""
    feats = role_features(doc, catalog, attachments, roles, periods)
    out = []
    for a, r, x in zip(attachments, roles, feats):
        if not a.indicator:
            out.append(r)
            continue
        p = model.probabilities(x)
        role = CLASSES[max(range(len(CLASSES)), key=p.__getitem__)]
        out.append(Role(role, "" if role == Roles.CORRECTED else r.source))
    return out
