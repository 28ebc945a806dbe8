"""Fitting the linker (linker.py) on labelled figures: the gold sets and the analysts' reviews.

A labelled figure is a mention of a report with the indicator it measures ("" when it measures none of the
catalog's). Gold sets give them by matching their rows to the extractor's mentions (same report, same value or
range); a store gives them from reviews: an accepted or corrected claim is labelled with its (corrected)
indicator, a rejected one with none.

The learned profiles are cross-fitted: the features of one group's figures (a gold set, or the reviews) are
computed with profiles learned from the other groups only, so the regression does not learn to trust a profile
that already holds the very sentence it is scoring. The same applies to every cross-validated figure this module
reports (leave one group out).
"""
from __future__ import annotations

import importlib.util
import logging
import math
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import yaml

from .catalog import Catalog
from .errors import CatalogError
from .linker import FEATURES, Linker, MentionCandidates, features, learned_profiles, mention_candidates, profiles
from .model import Report
from .pipeline import analyse, expand_paths
from .schema import Qualifier, ReviewState

log = logging.getLogger(__name__)

# Words too common to tell indicators apart. scikit-learn's English stop-word list, copied into the weights file
# at training time so extraction never imports scikit-learn.
REPO_SETS = Path(__file__).resolve().parent.parent / "tests" / "sets.yaml"
REVIEWS = "reviews"  # the group name of the store's reviewed figures
REVIEW_WEIGHT = 5.0  # an analyst's explicit decision on their own reports counts as much as five gold rows
WORD_SCALE = 0.5  # the (indicator, stem) columns' scale: smaller values are regularised harder than dense features
# The regression's inverse regularisation strength. Chosen leave-one-set-out (bench/generality.py over the thirteen
# gold sets): C = 0.3, 1, 2, 3, 5, 10, 30 gave value F1 .930, .931, .931, .933, .932, .931, .930 and full F1 .851,
# .852, .854, .855, .854, .853, .851: a plateau from 2 to 5.
LINKER_C = 3.0


@dataclass(frozen=True)
class Example:
    """One figure with its candidates and its label; `known`: the indicator ids its labeller could use (None:
    all), so a candidate outside them is neither right nor wrong."""

    group: str
    mc: MentionCandidates
    label: str
    known: frozenset | None = None

    def target(self, indicator: str) -> int | None:
        if indicator == self.label:
            return 1
        if self.known is not None and indicator not in self.known:
            return None
        return 0


def stop_words() -> frozenset:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


# ------------------------------------------------------------------------------------------------- gold sets

def load_sets(path: str | Path | None = None) -> list[dict]:
    """The gold sets listed in a sets.yaml (default: the repository's tests/sets.yaml), paths made absolute.

    Raises CatalogError when the file is missing (an installed package has no gold sets: pass --sets)."""
    p = Path(path) if path else REPO_SETS
    if not p.is_file():
        raise CatalogError(f"{p}: no gold sets file", hint="pass --sets PATH/sets.yaml (the repository's tests/sets.yaml)")
    root = p.resolve().parent.parent
    contract = p.parent / "contract_ids.txt"
    contract_ids = frozenset(x.strip() for x in contract.read_text(encoding="utf-8").splitlines()
                             if x.strip() and not x.startswith("#")) if contract.is_file() else None
    out = []
    for entry in yaml.safe_load(p.read_text(encoding="utf-8")):
        e = dict(entry)
        e["known"] = contract_ids if e.get("ids") == "contract" else None
        for key in ("reports", "gold", "pdf_script"):
            if e.get(key):
                e[key] = str(root / e[key])
        out.append(e)
    return out


def reports_as_a_user_has_them(entry: Mapping, work: Path) -> Path:
    """The set's report folder; a `X.pdf.txt` becomes the PDF `X.pdf`, built by the set's own script."""
    src = Path(entry["reports"])
    if not entry.get("pdf_script"):
        return src
    spec = importlib.util.spec_from_file_location(f"make_pdf_{entry['name']}", entry["pdf_script"])
    make_pdf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_pdf)
    dst = work / entry["name"]
    dst.mkdir(parents=True, exist_ok=True)
    for f in src.iterdir():
        if f.name.endswith(".pdf.txt"):
            make_pdf.build_pdf(f, dst / f.name[: -len(".txt")])
        elif f.is_file():
            shutil.copy(f, dst / f.name)
    return dst


def _num(v) -> float | None:
    if v is None or v == "" or (isinstance(v, float) and math.isnan(v)):
        return None
    return float(f"{float(v):.6g}")


def _key(qualifier: str, value, low, high) -> tuple:
    if qualifier == Qualifier.RANGE:
        return ("range", _num(low), _num(high))
    return ("value", _num(value))


def gold_examples(entry: Mapping, catalog: Catalog, stop: frozenset, work: Path) -> list[Example]:
    """Every mention the extractor finds in the set's reports, labelled from its gold.csv."""
    from .ingest import read_report

    gold = pd.read_csv(entry["gold"], dtype=str, keep_default_na=False)
    labels: dict[tuple, set[str]] = {}
    surfaces: dict[tuple, set[str]] = {}
    for r in gold.to_dict("records"):
        k = (r["report"].strip(), _key(r.get("qualifier", ""), r.get("value"), r.get("value_low"), r.get("value_high")))
        labels.setdefault(k, set()).add(r["indicator"].strip())
        surfaces.setdefault(k, set()).add(" ".join(str(r.get("surface", "")).split()))
    known = entry.get("known")
    out = []
    for path in expand_paths([reports_as_a_user_has_them(entry, work)]):
        try:
            report = read_report(path)
        except Exception as exc:  # a set's file we cannot read is reported, the others still train
            log.warning("training: skipped %s (%s)", path, exc)
            continue
        out.extend(_report_examples(entry["name"], report, catalog, stop, labels, surfaces, known))
    return out


def _report_examples(group, report: Report, catalog, stop, labels, surfaces, known) -> list[Example]:
    doc = analyse(report)
    keyed: dict[tuple, list[int]] = {}
    for k, m in enumerate(doc.mentions):
        q = m.quantity
        keyed.setdefault((report.id, _key(q.qualifier, q.value, q.low, q.high)), []).append(k)
    label_of: dict[int, str] = {}
    for key, ks in keyed.items():
        if key not in labels:
            continue
        if len(ks) > 1:  # the same value twice in a report: the one whose surface the gold names
            named = [k for k in ks if " ".join(doc.mentions[k].quantity.surface.split()) in surfaces[key]]
            ks = named or ks
        for k in ks:
            label_of[k] = sorted(labels[key])[0]
    out = []
    for k in range(len(doc.mentions)):
        mc = mention_candidates(doc, catalog, k, stop)
        if mc.candidates:
            out.append(Example(group, mc, label_of.get(k, ""), known))
    return out


# --------------------------------------------------------------------------------------------------- reviews

def review_examples(store, catalog: Catalog, stop: frozenset) -> list[Example]:
    """The store's reviewed claims as labelled figures: accepted and corrected ones with their indicator,
    rejected ones with none."""
    from .schema import SCHEMA

    claims = store.claims(columns=SCHEMA.group("labelled"))
    claims = claims[claims["review"].isin([ReviewState.ACCEPTED, ReviewState.CORRECTED, ReviewState.REJECTED])]
    out: list[Example] = []
    for report_id, rows in claims.groupby("report", sort=True):
        text = store.report_text(report_id)
        if text is None:
            continue
        doc = analyse(Report(id=str(report_id), path="", format="txt", text=text))
        at = {(m.quantity.start, m.quantity.end): k for k, m in enumerate(doc.mentions)}
        for r in rows.to_dict("records"):
            k = at.get((int(r["char_start"]), int(r["char_end"])))
            if k is None:
                continue  # the figure is no longer found where the review saw it
            label = "" if r["review"] == ReviewState.REJECTED else str(r["indicator"] or "")
            mc = mention_candidates(doc, catalog, k, stop)
            if mc.candidates:
                out.append(Example(REVIEWS, mc, label))
    return out


# --------------------------------------------------------------------------------------------------- fitting

def _matrix(examples: Sequence[Example], learned, prof):
    """Dense features, the (indicator, sentence stem) pairs of each candidate, targets and sample weights."""
    X, W, y, sw = [], [], [], []
    for ex in examples:
        for cand in ex.mc.candidates:
            t = ex.target(cand.indicator.id)
            if t is None:
                continue
            X.append(features(ex.mc, cand, learned, prof))
            W.append([(cand.indicator.id, st) for st in ex.mc.sentence])
            y.append(t)
            sw.append(REVIEW_WEIGHT if ex.group == REVIEWS else 1.0)
    return X, W, y, sw


def fit(examples: Sequence[Example], catalog: Catalog, stop: frozenset, about: Mapping | None = None,
        C: float = LINKER_C) -> Linker:
    """A Linker fitted on `examples` (any number of groups), learned profiles cross-fitted by group.

    Raises CatalogError when the examples hold no positive or no negative candidate (nothing to learn from)."""
    import numpy as np
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

    prof = profiles(catalog, stop)
    groups = sorted({ex.group for ex in examples})
    X, W, y, sw = [], [], [], []
    for g in groups:
        others = [(ex.mc, ex.label) for ex in examples if ex.group != g]
        parts = _matrix([ex for ex in examples if ex.group == g], _hidden(learned_profiles(others), g, catalog), prof)
        for acc, part in zip((X, W, y, sw), parts):
            acc += part
    if len(set(y)) < 2:
        raise CatalogError("nothing to learn from: the labelled figures have no right or no wrong candidate",
                           hint="add gold sets or reviews")
    columns: dict[tuple[str, str], int] = {}
    rows, cols = [], []
    for i, pairs in enumerate(W):
        for pair in pairs:
            rows.append(i)
            cols.append(columns.setdefault(pair, len(columns)))
    words = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(W), max(1, len(columns))))
    dense = np.asarray(X, dtype=float)
    model = LogisticRegression(C=C, max_iter=5000)  # lbfgs: deterministic for the same data
    model.fit(sparse.hstack([sparse.csr_matrix(dense), words * WORD_SCALE]).tocsr(), np.asarray(y),
              sample_weight=np.asarray(sw))
    coef = model.coef_[0]
    n = dense.shape[1]
    word_weights: dict[str, dict[str, float]] = {}
    for (ind, st), j in columns.items():
        w = float(coef[n + j]) * WORD_SCALE
        if abs(w) >= 0.05:
            word_weights.setdefault(ind, {})[st] = w
    learned = learned_profiles([(ex.mc, ex.label) for ex in examples])
    base = Linker(coef=tuple(float(c) for c in coef[:n]), intercept=float(model.intercept_[0]),
                  learned=learned, stop_words=stop, words=word_weights)
    # the threshold that links the cross-fitted training figures best (accuracy over figures)
    cross = _cross_probabilities(examples, base, prof, catalog)
    best_t, best_acc = 0.5, -1.0
    for t in (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7):
        acc = _accuracy(cross, t)
        if acc > best_acc + 1e-9:
            best_t, best_acc = t, acc
    trained = {"at": datetime.now(UTC).isoformat(timespec="seconds"), "groups": groups,
               "figures": len(examples), "candidates": len(y), **(about or {})}
    return Linker(coef=base.coef, intercept=base.intercept, threshold=best_t, learned=learned, stop_words=stop,
                  trained=trained, words=word_weights)


HIDDEN_SHARE = 4  # one indicator in this many is trained as if new (no labelled figure), in each group


def _hidden(learned, group: str, catalog: Catalog):
    """`learned` without a fixed share of the indicators (chosen by a hash of group and id): the regression also
    sees candidates it learned nothing about, as a user's newly added indicator is, and learns to trust the
    catalog's words and the rules for them."""
    import zlib

    hide = {ind.id for ind in catalog.indicators if zlib.crc32(f"{group}/{ind.id}".encode()) % HIDDEN_SHARE == 0}
    return learned.without(hide)


def _cross_probabilities(examples: Sequence[Example], linker: Linker, prof, linker_catalog: Catalog):
    """(example, [(indicator, probability)]) with each group's learned profiles taken from the other groups."""
    out = []
    for g in sorted({ex.group for ex in examples}):
        learned = _hidden(learned_profiles([(ex.mc, ex.label) for ex in examples if ex.group != g]), g, linker_catalog)
        for ex in examples:
            if ex.group == g:
                out.append((ex, [(linker.score(ex.mc, c, prof, learned), c) for c in ex.mc.candidates]))
    return out


def predict(ex: Example, linker: Linker, prof) -> tuple[str, float]:
    """The indicator the linker gives the example's figure ("" for none) and its probability."""
    from .linker import decide

    ranked = sorted(((linker.score(ex.mc, c, prof), c) for c in ex.mc.candidates), key=lambda t: -t[0])
    p, cand = decide(ranked, linker.threshold)
    return (cand.indicator.id if cand is not None else ""), p


def _accuracy(scored, threshold: float) -> float:
    """The share of figures linked right; `scored`: (example, [(probability, candidate)]) per figure."""
    from .linker import decide

    right = n = 0
    for ex, ranked in scored:
        p, cand = decide(sorted(ranked, key=lambda t: -t[0]), threshold)
        guess = cand.indicator.id if cand is not None else ""
        if ex.known is not None and guess and guess not in ex.known:
            continue  # its labeller could not have named this indicator
        n += 1
        right += guess == ex.label
    return right / n if n else float("nan")


def accuracy(examples: Iterable[Example], linker: Linker, catalog: Catalog) -> float:
    """The share of figures linked right (to their indicator, or to none) by `linker`."""
    prof = profiles(catalog, linker.stop_words)
    scored = [(ex, [(linker.score(ex.mc, c, prof), c) for c in ex.mc.candidates]) for ex in examples]
    return _accuracy(scored, linker.threshold)


def leave_one_group_out(examples: Sequence[Example], catalog: Catalog, stop: frozenset) -> dict[str, float]:
    """Linking accuracy of each group's figures by a linker fitted on the other groups only."""
    out = {}
    for g in sorted({ex.group for ex in examples}):
        train = [ex for ex in examples if ex.group != g]
        test = [ex for ex in examples if ex.group == g]
        out[g] = accuracy(test, fit(train, catalog, stop), catalog)
    return out


__all__ = ["FEATURES", "Example", "accuracy", "fit", "gold_examples", "leave_one_group_out", "load_sets",
           "predict", "review_examples", "stop_words"]


# ----------------------------------------------------------------------------------------------------- roles

@dataclass(frozen=True)
class RoleExample:
    """One linked figure's role features (role_model.FEATURES) and the role its labeller gave it."""

    group: str
    x: tuple[float, ...]
    label: str


def gold_role_examples(entry: Mapping, catalog: Catalog, work: Path) -> list[RoleExample]:
    """The figures of a gold set the extractor links to their gold indicator, with their gold role."""
    import dataclasses

    from .attach import attach
    from .ingest import read_report
    from .periods import resolve_periods
    from .role_model import role_features
    from .roles import classify_roles, disputes, future_is_planned

    catalog = dataclasses.replace(catalog, role_model=None)
    gold = pd.read_csv(entry["gold"], dtype=str, keep_default_na=False)
    roles_of: dict[tuple, dict[str, str]] = {}
    for r in gold.to_dict("records"):
        k = (r["report"].strip(), _key(r.get("qualifier", ""), r.get("value"), r.get("value_low"), r.get("value_high")))
        roles_of.setdefault(k, {})[r["indicator"].strip()] = r["role"].strip()
    out = []
    for path in expand_paths([reports_as_a_user_has_them(entry, work)]):
        try:
            report = read_report(path)
        except Exception as exc:
            log.warning("training: skipped %s (%s)", path, exc)
            continue
        doc = analyse(report)
        attachments = attach(doc, catalog)
        roles = classify_roles(doc, catalog, attachments)
        periods = resolve_periods(doc, roles)
        roles, periods = disputes(doc, attachments, future_is_planned(doc, roles, periods), periods)
        for m, a, x in zip(doc.mentions, attachments, role_features(doc, catalog, attachments, roles, periods)):
            q = m.quantity
            role = roles_of.get((report.id, _key(q.qualifier, q.value, q.low, q.high)), {}).get(a.indicator)
            if a.indicator and role:
                out.append(RoleExample(entry["name"], tuple(x), role))
    return out


ROLE_C = 10.0  # the role classifier's inverse regularisation: best leave-one-set-out of 0.1, 1, 10 (README)
# How much better than the rules (role accuracy, leave one set out) the classifier must be to decide roles. With the
# thirteen gold sets it scored 0.946 against the rules' 0.944, yet end to end (bench/generality.py --roles) full F1
# was 0.854 with it and 0.855 without: a margin this small is noise, and a change of who decides roles is not.
ROLE_MARGIN = 0.01


def fit_roles(examples: Sequence[RoleExample], about: Mapping | None = None, C: float = ROLE_C):
    """A RoleModel fitted on `examples` (multinomial logistic regression, deterministic)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    from .role_model import CLASSES, RoleModel

    y = [ex.label for ex in examples]
    present = [c for c in CLASSES if c in set(y)]
    if len(present) < 2:
        raise CatalogError("nothing to learn roles from: the labelled figures have fewer than two roles")
    model = LogisticRegression(C=C, max_iter=5000)
    model.fit(np.asarray([ex.x for ex in examples], dtype=float), np.asarray(y))
    classes = [str(c) for c in model.classes_]
    n = len(examples[0].x)
    coef, intercept = [], []
    for c in CLASSES:
        if str(c) in classes and len(classes) > 2:
            i = classes.index(str(c))
            coef.append(tuple(float(w) for w in model.coef_[i]))
            intercept.append(float(model.intercept_[i]))
        else:  # a role no example had: never chosen
            coef.append(tuple(0.0 for _ in range(n)))
            intercept.append(-30.0)
    trained = {"at": datetime.now(UTC).isoformat(timespec="seconds"), "figures": len(examples), **(about or {})}
    return RoleModel(coef=tuple(coef), intercept=tuple(intercept), trained=trained)


def rule_role_accuracy(examples: Sequence[RoleExample]) -> float:
    """The share of figures whose rule-given role (the first four features, one-hot) is the labelled one."""
    from .role_model import CLASSES

    right = sum(CLASSES[list(ex.x[:len(CLASSES)]).index(1.0)] == ex.label for ex in examples if 1.0 in ex.x[:4])
    return right / len(examples) if examples else float("nan")


def role_accuracy(examples: Sequence[RoleExample], model) -> float:
    from .role_model import CLASSES

    right = sum(CLASSES[max(range(len(CLASSES)), key=model.probabilities(ex.x).__getitem__)] == ex.label
                for ex in examples)
    return right / len(examples) if examples else float("nan")


# ------------------------------------------------------------------------------------------------ the command

def run(sets: str | None = None, db: str | None = None, catalog_path: str | None = None, output: str | None = None,
        cv: bool = True, echo=print) -> Linker:
    """`indicators train`: fit the linker on the gold sets (and a store's reviews), report the cross-validated
    linking accuracy with and without the reviews, and write the weights (default: linker.json beside the
    catalog). Raises CatalogError for a missing sets file or nothing to learn from."""
    import tempfile

    from .catalog import load_catalog
    from .export import atomic_text

    catalog = load_catalog(catalog_path, with_linker=False)  # the candidates, rule features and rule roles only
    try:
        current = load_catalog(catalog_path).linker
    except CatalogError as exc:  # stale weights are what this command replaces
        echo(f"the linker in use cannot be read ({exc}); fitting a new one")
        current = None
    stop = stop_words()
    examples: list[Example] = []
    role_examples: list[RoleExample] = []
    with tempfile.TemporaryDirectory() as tmp:
        for entry in load_sets(sets):
            got = gold_examples(entry, catalog, stop, Path(tmp))
            role_examples += gold_role_examples(entry, catalog, Path(tmp))
            echo(f"gold set {entry['name']}: {len(got)} figures, {sum(1 for e in got if e.label)} linked in the gold")
            examples += got
    reviews: list[Example] = []
    last_review = ""
    if db:
        from .store import Store

        store = Store(db)
        reviews = review_examples(store, catalog, stop)
        last_review = max((e.created_at for e in store.edits()), default="")
        echo(f"reviews in {store._safe_url()}: {len(reviews)} reviewed figures")
    if cv:
        gold_only = leave_one_group_out(examples, catalog, stop)
        mean = sum(gold_only.values()) / len(gold_only)
        echo(f"cross-validated linking accuracy (leave one set out), gold sets only: {mean:.3f}")
        if reviews:
            both = leave_one_group_out(examples + reviews, catalog, stop)
            mean2 = sum(v for g, v in both.items() if g != REVIEWS) / len(gold_only)
            echo(f"  with the reviews: {mean2:.3f} on the gold sets ({mean2 - mean:+.3f}); "
                 f"the reviewed figures linked right by a linker fitted without them: {both[REVIEWS]:.3f}")
            if current is not None:
                echo(f"  the reviewed figures linked right by the linker in use: {accuracy(reviews, current, catalog):.3f}")
    groups = sorted({e.group for e in role_examples})
    by_set = [role_accuracy([e for e in role_examples if e.group == g],
                            fit_roles([e for e in role_examples if e.group != g])) for g in groups]
    model_acc = sum(by_set) / len(by_set) if by_set else float("nan")
    rules_acc = sum(rule_role_accuracy([e for e in role_examples if e.group == g]) for g in groups) / max(1, len(groups))
    use_roles = bool(by_set) and model_acc > rules_acc + ROLE_MARGIN
    echo(f"role accuracy, leave one set out: classifier {model_acc:.3f}, rules {rules_acc:.3f} (the classifier must "
         f"beat them by {ROLE_MARGIN:g}): "
         + ("the classifier is used" if use_roles else "the rules keep deciding roles"))
    about = {"reviews": len(reviews), "reviews_until": last_review, "sets": sets or str(REPO_SETS.name)}
    linker = fit(examples + reviews, catalog, stop, about=about)
    out = Path(output) if output else _beside(catalog_path)
    with atomic_text(out) as fh:
        fh.write(linker.to_json())
    echo(f"wrote {out} (threshold {linker.threshold:g}, {len(examples) + len(reviews)} figures)")
    roles_file = out.with_name("roles.json")
    if use_roles:
        roles = fit_roles(role_examples, about={"sets": about["sets"], "loso_accuracy": round(model_acc, 4),
                                                "rules_loso_accuracy": round(rules_acc, 4)})
        with atomic_text(roles_file) as fh:
            fh.write(roles.to_json())
        echo(f"wrote {roles_file} ({len(role_examples)} figures with their gold role)")
    elif roles_file.is_file():
        roles_file.unlink()  # weights that no longer beat the rules must not decide
        echo(f"removed {roles_file}")
    return linker


def _beside(catalog_path: str | None) -> Path:
    from .linker import SHIPPED

    return Path(catalog_path).parent / "linker.json" if catalog_path else SHIPPED
