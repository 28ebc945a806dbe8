"""Entity linking: rank the catalog indicators a figure could measure, and keep the best when it is likely enough.

The rules of attach.py propose and score candidates from the catalog's phrases; they were written against our own
report sets and miss paraphrase ("young men sent to the troops" for conscripts) or follow the paragraph's topic
where the sentence says something else. The linker treats attachment as entity linking instead: every indicator
whose unit and counted noun fit (facts: `attach.fitting`) is a candidate, described by generic features

- what the rules say (their score, whether it is their first choice, its margin over the next),
- how close the figure's clause, sentence and the paragraph before it are to the indicator's own words in the
  catalog (label, description, phrases, items, examples), as TF-IDF cosines of word stems,
- how close they are to the contexts of figures labelled with that indicator in the gold sets and in analysts'
  reviews (the "learned" profile of each indicator, a bag of stems),
- whether the counted noun, the unit or an item names the indicator, and how many candidates compete,

and a logistic regression (fitted by `indicators train`, weights in data/linker.json) gives each candidate the
probability that it is right. The best candidate is kept when its probability reaches the model's threshold; the
probability is the claim's `confidence`.
"""
from __future__ import annotations

import itertools
import json
import math
import operator
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import snowballstemmer

from .attach import _find_item, candidates, clause_of, fitting
from .catalog import Catalog, Indicator
from .errors import CatalogError
from .model import Document, Mention

# The features, in the order of the weights in data/linker.json.
FEATURES = (
    "rule_score", "rule_top", "rule_candidate", "rule_margin", "rule_top_margin",
    "catalog_clause", "catalog_sentence", "catalog_context",
    "learned_clause", "learned_sentence", "learned_context", "nearest_example", "nothing_learned",
    "similarity_best", "noun_named", "unit_named", "item_near", "few_candidates",
)
_ID = operator.attrgetter("id")
_STATIC = FEATURES.index("learned_clause")  # the features before it do not depend on what was learned
LEARNED_STEMS = 120  # stems kept per indicator's learned profile: enough to describe it, small enough to review

_WORD = re.compile(r"[^\W\d_]{2,}")
_ASCII_WORD = re.compile(r"[A-Za-z]{2,}")  # the same words in an ASCII text (its only letters), found faster


@lru_cache(maxsize=1)
def _stemmer():
    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return _stemmer().stemWord(word)


class _StemMemo(dict):
    """A word as written -> its stem, "" for a stop word: Snowball is slow per word and reports repeat their words,
    so each distinct word is stemmed once per process (per stop list)."""

    def __init__(self, stop: frozenset) -> None:
        super().__init__()
        self.stop = stop

    def __missing__(self, word: str) -> str:
        w = word.lower()
        got = self[word] = "" if w in self.stop else _stem(w)
        return got


_STEM_MEMOS: dict[frozenset, _StemMemo] = {}
_STEM_MEMO_WORDS = 200_000  # distinct words remembered per stop list before starting afresh (bounded memory)


def stems(text: str, stop: frozenset = frozenset()) -> Counter:
    """Word stems of `text` (Snowball English), lower case, without stop words and numbers: {stem: count}, in the
    order the stems first occur."""
    return Counter(_stem_list(text, stop))


def _stem_list(text: str, stop: frozenset) -> list[str]:
    """The stems of `text` in order, each occurrence (what stems() counts)."""
    memo = _STEM_MEMOS.get(stop)
    if memo is None or len(memo) > _STEM_MEMO_WORDS:
        if len(_STEM_MEMOS) > 8:
            _STEM_MEMOS.clear()
        memo = _STEM_MEMOS[stop] = _StemMemo(stop)
    return list(filter(None, map(memo.__getitem__, (_ASCII_WORD if text.isascii() else _WORD).findall(text))))


@dataclass(frozen=True)
class Linker:
    """A fitted linker: the logistic regression's weights over FEATURES, the probability a figure needs to be
    linked, the learned profile of each indicator (stem -> how many labelled contexts named it) and where it all
    came from (`trained`: sets, reviews, time, cross-validated scores)."""

    coef: tuple[float, ...]
    intercept: float
    threshold: float = 0.5
    learned: Learned = field(default_factory=lambda: Learned({}, {}))
    stop_words: frozenset = frozenset()
    trained: Mapping = field(default_factory=dict)
    words: Mapping[str, Mapping[str, float]] = field(default_factory=dict)  # indicator -> stem -> weight

    def probability(self, x: Sequence[float], words: float = 0.0) -> float:
        """P(the candidate is the figure's indicator) for one feature vector in FEATURES order, plus the summed
        weights of the stems of its sentence for that indicator (`words`, see word_evidence)."""
        return _logistic(self.intercept + words + _weighted_sum(self.coef, x))

    def probabilities(self, mc: MentionCandidates, prof: _Profiles, learned: Learned | None = None,
                      among: Sequence[Candidate] | None = None) -> list[float]:
        """P(each candidate of mc, or each of `among`, is the figure's indicator), with `learned` in place of the
        linker's own (cross-fitting): the similarities they need are computed once for all of them."""
        cands = mc.candidates if among is None else among
        if not cands:
            return []
        return self._of_rows(mc, cands, mc.feature_rows(cands, self.learned if learned is None else learned, prof), prof)

    def _of_rows(self, mc: MentionCandidates, cands: Sequence[Candidate], rows: Sequence[Sequence[float]],
                 prof: _Profiles) -> list[float]:
        """probability() of each feature row, with the word evidence of its candidate's indicator."""
        if not rows:
            return []
        if not self.words:
            return [_logistic(self.intercept + _weighted_sum(self.coef, x)) for x in rows]
        index = _word_index(self.words, prof)
        if len(cands) >= _WHOLE:
            evidence = mc.view.evidence_of(index)
            return [_logistic(self.intercept + evidence[c.row] + _weighted_sum(self.coef, x))
                    for c, x in zip(cands, rows)]
        at = mc.view.evidence_at
        return [_logistic(self.intercept + at(index, c.row) + _weighted_sum(self.coef, x)) for c, x in zip(cands, rows)]

    def score(self, mc: MentionCandidates, cand: Candidate, prof: _Profiles, learned: Learned | None = None) -> float:
        """P(cand is the indicator of mc's figure), with `learned` in place of the linker's own (cross-fitting)."""
        return self.probabilities(mc, prof, learned, [cand])[0]

    def to_json(self) -> str:
        return json.dumps({
            "about": "Weights of the figure-to-indicator linker (indicators/linker.py); refit with `indicators train`.",
            "features": list(FEATURES),
            "coef": [round(c, 6) for c in self.coef],
            "intercept": round(self.intercept, 6),
            "threshold": self.threshold,
            "trained": dict(self.trained),
            "stop_words": sorted(self.stop_words),
            "learned": {k: {s: round(float(c), 3) for s, c in sorted(v.items())}
                        for k, v in sorted(self.learned.profiles.items())},
            "words": {k: {s: round(float(w), 4) for s, w in sorted(v.items())} for k, v in sorted(self.words.items())},
            "examples": {k: [" ".join(e) for e in v] for k, v in sorted(self.learned.examples.items())},
        }, indent=1, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str, where: str = "linker.json") -> Linker:
        """Raises CatalogError when the file is not a linker of this version (other features, bad numbers)."""
        try:
            raw = json.loads(text)
            if tuple(raw["features"]) != FEATURES:
                raise CatalogError(f"{where}: the weights are for other features ({raw['features']})",
                                   hint="refit them with `indicators train`")
            return cls(coef=tuple(float(c) for c in raw["coef"]), intercept=float(raw["intercept"]),
                       threshold=float(raw.get("threshold", 0.5)),
                       learned=Learned({k: {s: float(c) for s, c in v.items()} for k, v in raw.get("learned", {}).items()},
                                       {k: tuple(tuple(e.split()) for e in v) for k, v in raw.get("examples", {}).items()}),
                       stop_words=frozenset(raw.get("stop_words", ())), trained=raw.get("trained", {}),
                       words={k: {s: float(w) for s, w in v.items()} for k, v in raw.get("words", {}).items()})
        except CatalogError:
            raise
        except (ValueError, KeyError, TypeError) as exc:
            raise CatalogError(f"{where}: not a linker weights file ({exc})",
                               hint="refit it with `indicators train`, or delete it to use the shipped one") from exc


_TOKENS = itertools.count(1)


class Learned:
    """What the linker learned about each indicator from labelled figures: a profile (stem -> how many labelled
    clauses and sentences named it) and the labelled sentences themselves (as stems), for the nearest-example
    similarity that lets one reviewed phrasing teach the linker a new way of naming an indicator."""

    def __init__(self, profiles: Mapping[str, Mapping[str, float]], examples: Mapping[str, tuple]) -> None:
        self.profiles = profiles
        self.examples = examples
        self._index: dict[int, tuple] = {}
        self._weighted: dict[int, dict] = {}
        self._spaces: dict[int, _Space] = {}
        self._unknown: dict[int, list] = {}
        self._nearest: dict[tuple, list] = {}
        self._rows: dict[int, list] = {}
        self.token = next(_TOKENS)  # a key for what figures remember about this Learned (ids can be reused)

    def weighted(self, prof: _Profiles) -> dict[str, dict[str, float]]:
        """The learned profiles as TF-IDF vectors of `prof`'s weights (computed once per catalog)."""
        got = self._weighted.get(prof.token)
        if got is None:
            got = self._weighted[prof.token] = {k: prof.weigh(v) for k, v in self.profiles.items()}
        return got

    def rows(self, prof: _Profiles) -> list[Mapping[str, float]]:
        """The learned profiles as TF-IDF vectors in the catalog's order ({} for an indicator with none), as the
        rows of space() hold them."""
        got = self._rows.get(prof.token)
        if got is None:
            weighted = self.weighted(prof)
            got = self._rows[prof.token] = [weighted.get(k) or {} for k in prof.ids]
        return got

    def space(self, prof: _Profiles) -> _Space:
        """The catalog's and the learned profiles as one matrix, for a text's similarities with both at once."""
        got = self._spaces.get(prof.token)
        if got is None:
            got = self._spaces[prof.token] = _Space(prof, self.weighted(prof))
        return got

    def unknown(self, prof: _Profiles) -> list[float]:
        """1.0 for each catalog indicator (in the catalog's order) no labelled figure taught, else 0.0."""
        got = self._unknown.get(prof.token)
        if got is None:
            got = self._unknown[prof.token] = [float(k not in self.examples) for k in prof.ids]
        return got

    def nearest(self, sentence: Counter, prof: _Profiles, vector: Mapping[str, float] | None = None) -> list[float]:
        """The highest cosine of `sentence` with one of each indicator's labelled sentences (0.0 for none), in the
        catalog's order (an inverted index of arrays: a few array operations per stem of the sentence);
        remembered for the sentence's other figures. The memo is keyed by the stems in the sentence's order: the
        sums follow that order, so a sentence with the same stems in another order gets its own (the last digits of
        a confidence must not depend on which reports a process read first). `vector`: prof.weigh(sentence), when
        known."""
        key = (prof.token, tuple(sentence.items()))
        got = self._nearest.get(key)
        if got is None:
            if len(self._nearest) > 4096:
                self._nearest.clear()
            got = self._nearest[key] = self._nearest_of([prof.weigh(sentence) if vector is None else vector], prof)[0]
        return got

    def nearest_many(self, sentences: Sequence[Counter], prof: _Profiles,
                     vectors: Sequence[Mapping[str, float]]) -> list[list[float]]:
        """nearest() of each sentence (`vectors`: their prof.weigh()), those not remembered computed all at once."""
        memo = self._nearest
        keys = [(prof.token, tuple(bag.items())) for bag in sentences]
        out = [memo.get(key) for key in keys]
        todo = [i for i, got in enumerate(out) if got is None]
        if todo:
            for i, got in zip(todo, self._nearest_of([vectors[i] for i in todo], prof)):
                if len(memo) > 4096:
                    memo.clear()
                out[i] = memo[keys[i]] = got
        return out

    def _nearest_of(self, vectors: Sequence[Mapping[str, float]], prof: _Profiles) -> list[list[float]]:
        """nearest() of each of the sentences' `vectors`, not remembered."""
        index = self._index.get(prof.token)
        if index is None:
            postings: dict[str, tuple[list[int], list[float]]] = {}
            owners: list[int] = []  # the catalog row of each labelled sentence, grouped by indicator
            starts: list[int] = []
            for ind, sents in self.examples.items():
                row = prof.row.get(ind)
                if not sents or row is None:
                    continue  # an indicator the catalog no longer has is never a candidate
                starts.append(len(owners))
                for stems_ in sents:
                    for st, w in prof.weigh(Counter(stems_)).items():
                        got = postings.setdefault(st, ([], []))
                        got[0].append(len(owners))
                        got[1].append(w)
                    owners.append(row)
            # the postings end to end (CSR): stem -> its place, where its postings start, the sentences, the weights
            place = {st: i for i, st in enumerate(postings)}
            ptr = np.cumsum([0] + [len(r) for r, _ in postings.values()])
            index = self._index[prof.token] = (
                place, ptr, np.array([i for r, _ in postings.values() for i in r], dtype=np.intp),
                np.array([w for _, ws in postings.values() for w in ws]),
                len(owners), np.array([owners[i] for i in starts], dtype=np.intp), np.array(starts, dtype=np.intp))
        place, ptr, example_of, weights, n, rows, starts = index
        out = np.zeros((len(vectors), len(prof.ids)))
        if n:
            # each labelled sentence's cosine, its products added in the sentence's order: bincount adds its
            # weights in array order, so the postings of the sentence's stems are laid end to end in the sentence's
            # order (and multiplied by the sentence's weights, each repeated along its posting, at once); the j-th
            # sentence counts into bins of its own, j * n onwards
            got, ws, offsets = [], [], []
            for j, vector in enumerate(vectors):
                got += map(place.get, vector, itertools.repeat(-1))
                ws += vector.values()
                offsets += itertools.repeat(j * n, len(vector))
            got = np.array(got, dtype=np.intp)
            known = got >= 0
            got = got[known]
            if len(got):
                first = ptr[got]
                lengths = ptr[got + 1] - first
                # the place of every posting of the stems in turn: its stem's first, plus its rank in the posting
                at = np.arange(lengths.sum()) + np.repeat(first - (np.cumsum(lengths) - lengths), lengths)
                products = weights[at]
                products *= np.repeat(np.array(ws)[known], lengths)
                bins = example_of[at]
                bins += np.repeat(np.array(offsets, dtype=np.intp)[known], lengths)
                acc = np.bincount(bins, products, minlength=len(vectors) * n).reshape(len(vectors), n)
            else:
                acc = np.zeros((len(vectors), n))
            out[:, rows] = np.maximum(np.maximum.reduceat(acc, starts, axis=1), 0.0)
        return out.tolist()

    def without(self, ids) -> Learned:
        """The same, as if no figure of these indicators had been labelled (how a new indicator is seen)."""
        return Learned({k: v for k, v in self.profiles.items() if k not in ids},
                       {k: v for k, v in self.examples.items() if k not in ids})

    def __getstate__(self) -> dict:
        return {"profiles": self.profiles, "examples": self.examples, "_index": {}, "_weighted": {}, "_spaces": {},
                "_unknown": {}, "_nearest": {}, "_rows": {}, "token": self.token}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.token = next(_TOKENS)  # a new process: its own numbering


SHIPPED = Path(__file__).parent / "data" / "linker.json"


def load_linker(path: str | Path | None = None) -> Linker | None:
    """The linker at `path`, else the shipped data/linker.json; None when there is none (rules alone link)."""
    p = Path(path) if path else SHIPPED
    if not p.exists():
        if path:
            raise CatalogError(f"{p}: no such linker weights file", hint="check the path, or run `indicators train`")
        return None
    return Linker.from_json(p.read_text(encoding="utf-8"), str(p))


# ---------------------------------------------------------------------------------------------------- features

_NEAR = ("segment", "sentence", "unit")  # where an item named near the figure was found
_ITEM = FEATURES.index("item_near") - (FEATURES.index("nothing_learned") + 1 - _STATIC)  # its place among the static


class Candidate:
    """One indicator a figure could measure: its row in the catalog's order, and the features that do not depend
    on learning, computed when first asked (a figure the rules link confidently needs only its rules' choice
    scored). Where the rules did not look for the indicator's items near the figure, that search waits too: a
    candidate that could not win even with an item beside the figure never needs it (see link)."""

    __slots__ = ("indicator", "rule_top", "row", "_static", "item", "where", "_build", "_find")

    def __init__(self, indicator: Indicator, rule_top: bool, row: int, build, find=None) -> None:
        self.indicator, self.rule_top, self.row, self._build, self._find = indicator, rule_top, row, build, find
        self._static, self.item, self.where = None, None, ""

    @property
    def settled(self) -> bool:
        """Whether its item is known (the rules found it, it has none to look for, or it was looked for)."""
        return self._find is None

    def provisional(self) -> tuple[float, ...]:
        """The static features, an item not yet looked for counted as not near (item_near 0.0)."""
        if self._static is None:
            self._static, self.item, self.where = self._build(self.indicator)
            self._build = None
        return self._static

    @property
    def static(self) -> tuple[float, ...]:
        st = self.provisional()
        if self._find is not None:
            self.item, self.where = self._find(self.indicator)
            self._find = None
            if self.item is not None and self.where in _NEAR:
                st = self._static = (*st[:_ITEM], 1.0, *st[_ITEM + 1:])
        return st

    def __getstate__(self) -> dict:
        self.static  # noqa: B018  (computed before the builder and finder, closures, are left behind)
        return {k: getattr(self, k) for k in self.__slots__ if k not in ("_build", "_find")}

    def __setstate__(self, state: dict) -> None:
        for k, v in state.items():
            setattr(self, k, v)
        self._build = self._find = None


def _weighted_sum(coef: Sequence[float], x: Sequence[float]) -> float:
    """sum(w * v), the products added one after another in FEATURES order (as the linker's array sums add them)."""
    total = 0.0
    for w, v in zip(coef, x):
        total += w * v
    return total


def _logistic(z: float) -> float:
    if -40.0 <= z <= 40.0:  # (the clamp below leaves these as they are)
        return 1.0 / (1.0 + math.exp(-z))
    return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))


class _Space:
    """The unit vectors {stem: weight} a text is compared with, as one sparse matrix: every catalog indicator's
    words and, when given, its learned profile (rows in the catalog's order, then the learned ones in the same
    order). A text's cosines with all of them are a few array operations instead of a Python loop per indicator,
    and are the same to the last digit as cosine(): the products of a text's stems with each row are added one
    after another, from 0.0, in the smaller vector's own order (bincount adds its weights in array order), so no
    result depends on how it was computed, nor on the hash seed."""

    def __init__(self, prof: _Profiles, learned: Mapping[str, Mapping[str, float]] | None = None) -> None:
        self.token = next(_TOKENS)
        vectors = [prof.vectors[k] for k in prof.ids]
        if learned is not None:
            vectors += [learned.get(k) or {} for k in prof.ids]
        self.rows = len(vectors)
        self.vectors = vectors
        self.vocab: dict[str, int] = {}
        for vec in vectors:
            for s in vec:
                self.vocab.setdefault(s, len(self.vocab))
        # by stem (CSR): where each stem's entries start (`absent`, one past the vocabulary, has none: a text's
        # stems no vector has), and each entry's row, weight and place in its row's own order
        by_stem: list[list[tuple[int, float, int]]] = [[] for _ in range(len(self.vocab) + 1)]
        for r, vec in enumerate(vectors):
            for place, (s, w) in enumerate(vec.items()):
                by_stem[self.vocab[s]].append((r, w, place))
        self.absent = len(self.vocab)
        self.ptr = np.cumsum([0] + [len(e) for e in by_stem])
        entries = [e for stem in by_stem for e in stem]
        self.post_row = np.array([r for r, _, _ in entries], dtype=np.intp)
        self.post_w = np.array([w for _, w, _ in entries], dtype=float)
        self.post_place = np.array([p for _, _, p in entries], dtype=np.intp)
        self.width = max((len(v) for v in vectors), default=0) + 1
        # an empty vector is never the smaller one: it has no order to keep, and no products
        self.size = np.array([len(v) or np.iinfo(np.intp).max for v in vectors], dtype=np.intp)

    def similarities(self, q: Mapping[str, float]) -> list[float]:
        """cosine(q, v) for every vector v of the space, in its row order, for a unit vector q."""
        return self.similarities_many([q])[0]

    def similarities_many(self, qs: Sequence[Mapping[str, float]]) -> list[list[float]]:
        """similarities() of each of the unit vectors qs, by one set of array operations for all of them."""
        lengths = [len(q) for q in qs]
        absent, get = self.absent, self.vocab.get
        flat_cols: list[int] = []
        flat_xs: list[float] = []
        for q in qs:
            flat_cols += map(get, q, itertools.repeat(absent))
            flat_xs += q.values()
        cols = np.array(flat_cols, dtype=np.intp)
        first = self.ptr[cols]
        count = self.ptr[cols + 1] - first
        # the place of every entry of the texts' stems in turn: its stem's first, plus its rank there
        at = np.arange(count.sum()) + np.repeat(first - (np.cumsum(count) - count), count)
        products = self.post_w[at]
        products *= np.repeat(np.array(flat_xs), count)
        text = np.repeat(np.repeat(np.arange(len(qs), dtype=np.intp), lengths), count)
        rows = self.post_row[at]
        bins = text * self.rows
        bins += rows
        # each text's products with a row, in the text's order ...
        out = np.bincount(bins, products, minlength=len(qs) * self.rows)
        # ... but in the row's own order where the row is the smaller vector (its products in that order, by
        # sorting them on the row's places)
        smaller = self.size[rows] < np.array(lengths, dtype=np.intp)[text]
        if smaller.any():
            bins, products = bins[smaller], products[smaller]
            order = np.argsort(bins * self.width + self.post_place[at[smaller]], kind="stable")
            own = np.bincount(bins[order], products[order], minlength=len(qs) * self.rows)
            out[bins] = own[bins]
        return out.reshape(len(qs), self.rows).tolist()


class _WordIndex:
    """A linker's word weights (indicator -> stem -> weight) as one matrix with rows in the catalog's order, so a
    sentence's evidence for every indicator is one gather and one cumulative sum (word_evidence for all
    indicators at once, added in the sentence's order as word_evidence adds them)."""

    def __init__(self, words: Mapping[str, Mapping[str, float]], prof: _Profiles) -> None:
        self.token = next(_TOKENS)
        self.rows = len(prof.ids)
        self.words = [words.get(k, {}) for k in prof.ids]
        self.vocab: dict[str, int] = {}
        for k in prof.ids:
            for s in words.get(k, ()):
                self.vocab.setdefault(s, len(self.vocab))
        self.by_stem = np.zeros((len(self.vocab), self.rows))
        for r, k in enumerate(prof.ids):
            for s, w in words.get(k, {}).items():
                self.by_stem[self.vocab[s], r] = w
        # the same by stem, its nonzero entries only (CSR, as _Space), for evidence_many(); `absent` has none
        nonzero = self.by_stem != 0.0
        self.absent = len(self.vocab)
        self.ptr = np.concatenate(([0], np.cumsum(nonzero.sum(axis=1)), [nonzero.sum()]))
        self.post_row = np.nonzero(nonzero)[1].astype(np.intp)
        self.post_w = self.by_stem[nonzero]

    def evidence(self, sentence: Mapping[str, float]) -> list[float]:
        if self.rows < 2:  # a single column would be a contiguous run, which numpy may sum pairwise
            return [sum(w.get(s, 0.0) for s in sentence) for w in self.words]
        cols = [self.vocab[s] for s in sentence if s in self.vocab]
        if not cols:
            return [0.0] * self.rows
        return np.add.reduce(np.ascontiguousarray(self.by_stem[cols]), axis=0).tolist()  # rows in turn, as _Space

    def evidence_many(self, sentences: Sequence[Mapping[str, float]]) -> list[list[float]]:
        """evidence() of each sentence by one bincount: each row's weights added in the sentence's order, from 0.0,
        as word_evidence adds them (less the weights 0.0, which change no sum)."""
        lengths = [len(s) for s in sentences]
        flat: list[int] = []
        for sentence in sentences:
            flat += map(self.vocab.get, sentence, itertools.repeat(self.absent))
        cols = np.array(flat, dtype=np.intp)
        first = self.ptr[cols]
        count = self.ptr[cols + 1] - first
        at = np.arange(count.sum()) + np.repeat(first - (np.cumsum(count) - count), count)
        bins = np.repeat(np.repeat(np.arange(len(sentences), dtype=np.intp) * self.rows, lengths), count)
        bins += self.post_row[at]
        return np.bincount(bins, self.post_w[at], minlength=len(sentences) * self.rows).reshape(
            len(sentences), self.rows).tolist()



_WORD_INDEXES: dict[tuple[int, int], tuple[Mapping, _WordIndex]] = {}


def _word_index(words: Mapping[str, Mapping[str, float]], prof: _Profiles) -> _WordIndex:
    """The index of a linker's word weights, built once per catalog (the entry holds the weights, so their id
    stays theirs while it lives)."""
    key = (id(words), prof.token)
    got = _WORD_INDEXES.get(key)
    if got is None:
        if len(_WORD_INDEXES) > 8:
            _WORD_INDEXES.clear()
        got = _WORD_INDEXES[key] = (words, _WordIndex(words, prof))
    return got[1]


class _Text:
    """A stretch of a report (a clause, a sentence, a paragraph's context) as the linker sees it: its stems, their
    TF-IDF vector and its cosines with every indicator's catalog words and learned profile (lists in the
    catalog's order), computed once and shared by every figure that stands in it.

    A figure the rules link needs the cosines of one indicator only: `catalog_at` and `learned_at` give one row,
    by cosine() (the definition the whole lists follow to the last digit), unless the whole list is known."""

    __slots__ = ("bag", "vector", "catalog", "learned", "_catalog_at", "_learned_at")

    def __init__(self, bag: Counter, prof: _Profiles) -> None:
        self.bag = bag
        self.vector = prof.weigh(bag)
        self.catalog: list[float] | None = None
        self.learned: dict[int, list[float]] = {}
        self._catalog_at: dict[int, float] = {}
        self._learned_at: dict[tuple[int, int], float] = {}

    def catalog_at(self, prof: _Profiles, r: int) -> float:
        """Its cosine with the catalog words of the indicator in row r."""
        if self.catalog is not None:
            return self.catalog[r]
        got = self._catalog_at.get(r)
        if got is None:
            got = self._catalog_at[r] = cosine(self.vector, prof.rows[r])
        return got

    def learned_at(self, learned: Learned, prof: _Profiles, r: int) -> float:
        """Its cosine with the learned profile of the indicator in row r (0.0 for none)."""
        got = self.learned.get(learned.token)
        if got is not None:
            return got[r]
        key = (learned.token, r)
        got = self._learned_at.get(key)
        if got is None:
            got = self._learned_at[key] = cosine(self.vector, learned.rows(prof)[r])
        return got

    def catalog_sims(self, prof: _Profiles) -> list[float]:
        if self.catalog is None:
            self.catalog = prof.space.similarities(self.vector)
        return self.catalog

    def learned_sims(self, learned: Learned, prof: _Profiles) -> list[float]:
        """Its cosines with the learned profiles (0.0 for an indicator with none); its catalog ones come along."""
        got = self.learned.get(learned.token)
        if got is None:
            both = learned.space(prof).similarities(self.vector)
            n = len(prof.ids)
            if self.catalog is None:
                self.catalog = both[:n]
            got = self.learned[learned.token] = both[n:]
        return got


class _SentenceView:
    """What the figures of one sentence share: its stems and context, their similarities, the nearest labelled
    examples and the word evidence for every indicator, and the clauses already seen."""

    __slots__ = ("sentence", "context", "context_sents", "clauses", "nearest", "evidence",
                 "_evidence_at", "_best")

    def __init__(self, doc: Document, catalog: Catalog, index: int, prof: _Profiles) -> None:
        ctx_ids = doc.context(index, catalog.context_sentences)
        # each sentence stemmed once, for every context it is in (per stop list: sentence index -> its stems)
        cache = doc.__dict__.setdefault("_linker_stems", {}).setdefault(prof.stop, {})
        lists = []
        for i in (index, *ctx_ids):
            got = cache.get(i)
            if got is None:
                got = cache[i] = _stem_list(doc.sentences[i].text, prof.stop)
            lists.append(got)
        self.sentence = _Text(Counter(lists[0]), prof)
        # the stems of the earlier sentences joined by spaces, as stems() of the joined text counts them
        self.context = _Text(Counter(itertools.chain.from_iterable(lists[1:])), prof)
        self.context_sents = [doc.sentences[i] for i in ctx_ids]
        self.clauses: dict[str, _Text] = {doc.sentences[index].text: self.sentence}
        self.nearest: dict[int, list[float]] = {}
        self.evidence: dict[int, list[float]] = {}
        self._evidence_at: dict[tuple[int, int], float] = {}
        self._best: dict[tuple[int, ...], float] = {}

    def clause(self, text: str, prof: _Profiles) -> _Text:
        got = self.clauses.get(text)
        if got is None:
            got = self.clauses[text] = _Text(stems(text, prof.stop), prof)
        return got

    def nearest_of(self, learned: Learned, prof: _Profiles) -> list[float]:
        got = self.nearest.get(learned.token)
        if got is None:
            got = self.nearest[learned.token] = learned.nearest(self.sentence.bag, prof, self.sentence.vector)
        return got

    def evidence_of(self, index: _WordIndex) -> list[float]:
        got = self.evidence.get(index.token)
        if got is None:
            got = self.evidence[index.token] = index.evidence(self.sentence.bag)
        return got

    def evidence_at(self, index: _WordIndex, r: int) -> float:
        """evidence_of()'s value in row r alone: word_evidence(), the weights added in the sentence's order."""
        got = self.evidence.get(index.token)
        if got is not None:
            return got[r]
        key = (index.token, r)
        got = self._evidence_at.get(key)
        if got is None:
            weights = index.words[r]
            total = 0.0
            for s in self.sentence.bag:
                total += weights.get(s, 0.0)
            got = self._evidence_at[key] = total
        return got

    def best_similarity(self, rows: tuple[int, ...], prof: _Profiles) -> float:
        """The sentence's highest cosine with the catalog words of the indicators in `rows` (0.0 for none)."""
        got = self._best.get(rows)
        if got is None:
            sims = self.sentence.catalog_sims(prof)  # a few rows by cosine() would cost more than all by the matrix
            got = self._best[rows] = max(map(sims.__getitem__, rows), default=0.0)
        return got


class MentionCandidates:
    """A figure's candidates and the stems of its clause, sentence and paragraph context. The list of candidates
    is made when first asked: a figure the rules link confidently is scored on their choice (`top`) alone."""

    __slots__ = ("index", "clause", "sentence", "context", "view", "part", "top", "_candidates", "_make", "scores")

    def __init__(self, index: int, clause: Counter, sentence: Counter, context: Counter,
                 candidates: list[Candidate] | None = None, view: _SentenceView | None = None,
                 part: _Text | None = None, top: Candidate | None = None, make=None, scores=None) -> None:
        self.index = index  # the mention's index in doc.mentions
        self.clause, self.sentence, self.context = clause, sentence, context
        self.view = view  # what the figures of its sentence share
        self.part = part  # its clause
        self.top = top  # the rules' first choice, when it is a candidate
        self._candidates, self._make = candidates, make
        self.scores = scores  # link()'s way to every candidate's probabilities (see mention_candidates)

    @property
    def candidates(self) -> list[Candidate]:
        if self._candidates is None:
            self._candidates, self._make = self._make(), None
        return self._candidates

    def __getstate__(self) -> dict:
        return {k: getattr(self, k) for k in self.__slots__ if k not in ("_candidates", "_make", "scores")} | {
            "_candidates": self.candidates, "_make": None, "scores": None}

    def __setstate__(self, state: dict) -> None:
        for k, v in state.items():
            setattr(self, k, v)

    def feature_rows(self, cands: Sequence[Candidate], learned: Learned, prof: _Profiles,
                     provisional: bool = False) -> list[list[float]]:
        """The full feature vectors (FEATURES order) of `cands`, given what was learned (`provisional`: an item
        not yet looked for counted as not near)."""
        if not cands:
            return []
        unknown = learned.unknown(prof)  # an indicator no labelled figure taught (a new one)
        part, sentence, context, view = self.part, self.view.sentence, self.view.context, self.view
        if len(cands) >= _WHOLE:  # many rows: every indicator's at once, by the matrices
            for t in (part, sentence, context):
                t.learned_sims(learned, prof)
        near = view.nearest_of(learned, prof)  # the inverted index answers every row at the cost of one
        out = []
        for c in cands:
            st, r = c.provisional() if provisional else c.static, c.row
            out.append([*st[:_STATIC], part.learned_at(learned, prof, r), sentence.learned_at(learned, prof, r),
                        context.learned_at(learned, prof, r), near[r], unknown[r], *st[_STATIC:]])
        return out


class _Profiles:
    """The catalog's words per indicator, as TF-IDF vectors; IDF over the catalog's indicators, so a word every
    indicator uses ("number") counts little and one only this indicator uses counts most."""

    def __init__(self, catalog: Catalog, stop: frozenset) -> None:
        self.stop = stop
        self.token = next(_TOKENS)
        bags = {ind.id: stems(_catalog_text(ind), stop) for ind in catalog.indicators}
        n = len(bags) or 1
        df = Counter(s for bag in bags.values() for s in bag)
        self.idf = {s: math.log((1 + n) / (1 + c)) + 1 for s, c in df.items()}
        self.max_idf = math.log(1 + n) + 1
        self.vectors = {k: self.weigh(bag) for k, bag in bags.items()}
        self.ids = list(bags)  # the catalog's order: the rows of every per-indicator list and matrix
        self.row = {k: i for i, k in enumerate(self.ids)}
        self.rows = [self.vectors[k] for k in self.ids]
        self.indicators = {ind.id: ind for ind in catalog.indicators}
        self.space = _Space(self)
        self._nouns: dict[str, list[float]] = {}
        self._units: dict[str | None, list[float]] = {}

    def weigh(self, bag: Mapping[str, float]) -> dict[str, float]:
        # c * idf per stem, the squares added in the bag's order, x / norm: the same operations as ever, run by map()
        xs = list(map(operator.mul, bag.values(), map(self.idf.get, bag, itertools.repeat(self.max_idf))))
        norm = math.sqrt(sum(map(operator.mul, xs, xs))) or 1.0
        return dict(zip(bag, map(operator.truediv, xs, itertools.repeat(norm))))

    def noun_named(self, noun: str) -> list[float]:
        """1.0 for each indicator (catalog order) whose nouns name the figure's counted noun (lower case)."""
        got = self._nouns.get(noun)
        if got is None:
            if len(self._nouns) > 4096:
                self._nouns.clear()
            got = self._nouns[noun] = [
                float(bool(noun) and (noun in ind.nouns or noun.rstrip("s") in ind.nouns
                                      or ind.counts(noun) and bool(ind.counted)))
                for ind in (self.indicators[k] for k in self.ids)]
        return got

    def unit_named(self, unit: str | None) -> list[float]:
        """1.0 for each indicator (catalog order) that a figure's telling unit names ("drone", a currency)."""
        got = self._units.get(unit)
        if got is None:
            if len(self._units) > 4096:
                self._units.clear()
            got = self._units[unit] = [
                float(bool(unit) and unit not in ("person", "count", "unit", "percent", "")
                      and (unit in ind.nouns or unit == ind.unit))
                for ind in (self.indicators[k] for k in self.ids)]
        return got


def _catalog_text(ind: Indicator) -> str:
    parts = [ind.label, ind.description, " ".join(ind.nouns), " ".join(ind.examples)]
    parts += [" ".join(g.phrases) for g in ind.require]
    parts += [" ".join(p.phrases) for p, w in ind.terms if w > 0]
    parts += [" ".join((i.name, *i.aliases)) for i in ind.items]
    return " ".join(parts)


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """The dot product of two unit vectors {stem: weight} (their cosine): the definition _Space computes for many
    vectors at once. The sum runs in the smaller vector's own order, never a set's: a set's order changes with
    PYTHONHASHSEED, and so would the float sum's last digits (two processes would then write different
    confidences for the same figure)."""
    if len(b) < len(a):
        a, b = b, a
    total = 0.0
    for s, x in a.items():
        if s in b:
            total += x * b[s]
    return total


_PROFILES: dict[tuple[int, frozenset], tuple[tuple, _Profiles]] = {}


def profiles(catalog: Catalog, stop: frozenset) -> _Profiles:
    """The catalog's profiles, built once per set of indicators (copies of a catalog share them). The cache holds
    the indicators it was built for, so their id cannot be reused while the entry lives."""
    key = (id(catalog.indicators), stop)
    got = _PROFILES.get(key)
    if got is None:
        if len(_PROFILES) > 8:
            _PROFILES.clear()
        got = _PROFILES[key] = (catalog.indicators, _Profiles(catalog, stop))
    return got[1]


def _sentence_view(doc: Document, catalog: Catalog, index: int, prof: _Profiles) -> _SentenceView:
    """The sentence's shared view, built when its first figure asks (remembered on the document)."""
    cache = doc.__dict__.setdefault("_linker_cache", {})
    got = cache.get((index, prof.token))
    if got is None:
        got = cache[(index, prof.token)] = _SentenceView(doc, catalog, index, prof)
    return got


def _prepared(doc: Document, catalog: Catalog, linker: Linker, prof: _Profiles) -> list[tuple]:
    """(fitting(), the rules' candidates()) of every figure of the document, computed on link()'s first call for
    it, and with them what link() will need by the matrices, for all the document at once (a set of array
    operations instead of a few per text): the nearest examples and the catalog similarities of every sentence
    with a figure some indicator fits, and all the similarities of the sentence, the clause and the context of
    every figure the rules give no first choice (link() scores those against all their candidates; the rules'
    choice is scored alone, its learned similarities row by row). The results are those computed text by text,
    to the last digit."""
    cache = doc.__dict__.setdefault("_linker_fits", {})
    learned = linker.learned
    key = (id(catalog.indicators), prof.token, learned.token, id(linker.words))
    got = cache.get(key)
    if got is None:
        fits = [fitting(doc, catalog, m) for m in doc.mentions]
        sentences = dict.fromkeys(m.sentence for m, f in zip(doc.mentions, fits) if f)
        views = [_sentence_view(doc, catalog, i, prof) for i in sentences]
        todo = [v for v in views if learned.token not in v.nearest]
        if todo:
            near = learned.nearest_many([v.sentence.bag for v in todo], prof, [v.sentence.vector for v in todo])
            for v, got_near in zip(todo, near):
                v.nearest[learned.token] = got_near
        got = cache[key] = []
        texts = {}  # the sentences, clauses and contexts of the figures the rules give no first choice (each once)
        whole = {}  # the views of those with enough candidates to be scored by the matrices
        for m, f in zip(doc.mentions, fits):
            scored = candidates(doc, catalog, m, f) if f else []  # what mention_candidates() would ask
            got.append((f, scored))
            if f and not (scored and scored[0][0] >= catalog.min_score
                          and not (scored[0][1].item_required and scored[0][2] is None)):
                view = _sentence_view(doc, catalog, m.sentence, prof)
                texts[id(view.sentence)] = view.sentence
                if len(f) >= _WHOLE:
                    texts[id(view.context)] = view.context
                    part = view.clause(clause_of(doc, m), prof)
                    texts[id(part)] = part
                    whole[id(view)] = view
        _similarities(learned, prof, list(texts.values()))
        index = _word_index(linker.words, prof) if linker.words else None
        whole = [v for v in whole.values() if index is not None and index.token not in v.evidence]
        if whole:  # their word evidence for every indicator, at once too
            for v, evidence in zip(whole, index.evidence_many([v.sentence.bag for v in whole])):
                v.evidence[index.token] = evidence
        texts = [v.sentence for v in views if v.sentence.catalog is None]  # what best_similarity() needs
        if texts:
            for t, sims in zip(texts, prof.space.similarities_many([t.vector for t in texts])):
                t.catalog = sims
    return got


def _rules_choice(linker: Linker, prof: _Profiles, view: _SentenceView, part: _Text, r: int, score: float,
                  item, where: str, runner_up: float, fit_rows: tuple[int, ...], nouns: Sequence[float],
                  units: Sequence[float], few: float) -> float:
    """The probability of the rules' choice (row r, its rule score, item and where it was), the loop of scores()
    for its one row, inline: it is one the rules proposed, at or above min_score (t = 1.0), and not about named
    items only without one. The same products, added in the same order."""
    learned, sentence, context = linker.learned, view.sentence, view.context
    c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17 = linker.coef
    margin = (score - runner_up) / 5
    total = 0.0
    total += c0 * (score / 5)
    total += c1 * 1.0
    total += c2 * 1.0
    total += c3 * max(-2.0, min(2.0, margin))
    total += c4 * (1.0 * max(0.0, min(2.0, margin)))
    x6 = sentence.catalog_sims(prof)[r]
    best_sim = view.best_similarity(fit_rows, prof)
    total += c5 * part.catalog_at(prof, r)
    total += c6 * x6
    total += c7 * context.catalog_at(prof, r)
    total += c8 * part.learned_at(learned, prof, r)
    total += c9 * sentence.learned_at(learned, prof, r)
    total += c10 * context.learned_at(learned, prof, r)
    total += c11 * view.nearest_of(learned, prof)[r]
    total += c12 * learned.unknown(prof)[r]
    total += c13 * float(x6 >= best_sim and best_sim > 0)
    total += c14 * nouns[r]
    total += c15 * units[r]
    base = linker.intercept + view.evidence_at(_word_index(linker.words, prof), r) if linker.words else \
        linker.intercept
    total += c16 * float(item is not None and where in _NEAR)
    total += c17 * few
    return _logistic(base + total)


def _similarities(learned: Learned, prof: _Profiles, texts: Sequence[_Text]) -> None:
    """learned_sims() of the texts that do not have them yet, by one set of array operations."""
    texts = [t for t in texts if learned.token not in t.learned]
    if texts:
        n = len(prof.ids)
        for t, both in zip(texts, learned.space(prof).similarities_many([t.vector for t in texts])):
            if t.catalog is None:
                t.catalog = both[:n]
            t.learned[learned.token] = both[n:]


def mention_candidates(doc: Document, catalog: Catalog, k: int, stop: frozenset,
                       learned: Learned | None = None, fits: list[Indicator] | None = None,
                       scored: list | None = None, prof: _Profiles | None = None) -> MentionCandidates:
    """The candidates of doc.mentions[k] with their static features (FEATURES up to the learned ones). With
    `learned` (what the figure will be scored with), its similarities are computed with the catalog's at once.
    `fits`, `scored`, `prof`: fitting() of the figure, the rules' candidates() and profiles(), when known."""
    m: Mention = doc.mentions[k]
    q = m.quantity
    if fits is None:
        fits = fitting(doc, catalog, m)
    if not fits:  # no indicator can hold this figure: nothing to rank (most distractors end here)
        return MentionCandidates(k, Counter(), Counter(), Counter(), [])
    if prof is None:
        prof = profiles(catalog, stop)
    view = _sentence_view(doc, catalog, m.sentence, prof)
    part = view.clause(clause_of(doc, m), prof)
    if scored is None:
        scored = candidates(doc, catalog, m, fits)  # best first (the first of equals, as max() would take it)
    ruled = {ind.id: (score, item, where) for score, ind, item, where in scored}
    top_id, top_score, top_ind = "", 0.0, None
    if scored:
        top_score, top_ind = scored[0][:2]
        top_id = top_ind.id
    row = prof.row
    sentence = view.sentence
    context = view.context
    fit_rows = tuple(map(row.__getitem__, map(_ID, fits)))
    context_sents = view.context_sents
    nouns = prof.noun_named(q.noun.lower() if q.noun else "")
    units = prof.unit_named(q.unit)
    few = 1.0 / len(fits)
    highest = top_score
    # the best score of the rules' other candidates: the highest, but for their first choice the next one
    runner_up = scored[1][0] if len(scored) > 1 else 0.0
    unruled_margin = max(-2.0, min(2.0, (0.0 - highest) / 5))  # rule_margin of every candidate they did not propose

    def build(ind: Indicator):
        if ind.id in ruled:
            score, item, where = ruled[ind.id]
            margin = (score - (runner_up if ind.id == top_id else highest)) / 5
        else:
            score, item, where = 0.0, None, ""  # its items, if it has any, are looked for when needed (find)
            margin = (score - highest) / 5  # the highest of all for one the rules did not propose
        top = float(ind.id == top_id and top_score >= catalog.min_score)
        r = row[ind.id]
        sim = sentence.catalog_at(prof, r)
        best_sim = view.best_similarity(fit_rows, prof)
        static = (
            score / 5,
            top,
            float(ind.id in ruled),
            max(-2.0, min(2.0, margin)),
            top * max(0.0, min(2.0, margin)),  # how far the rules' first choice leads: sure rules are rarely wrong
            part.catalog_at(prof, r),
            sim,
            context.catalog_at(prof, r),
            float(sim >= best_sim and best_sim > 0),
            nouns[r],
            units[r],
            float(item is not None and where in _NEAR),
            few,
        )
        return static, item, where

    def find(ind: Indicator):
        return _find_item(doc, ind, m, context_sents)

    top = None
    if top_id and top_score >= catalog.min_score:
        if not (top_ind.item_required and scored[0][2] is None):
            top = Candidate(top_ind, True, row[top_id], build)

    def make() -> list[Candidate]:
        out = []
        for ind in fits:
            if top is not None and ind.id == top_id:
                out.append(top)
                continue
            cand = Candidate(ind, False, row[ind.id], build,
                             find if ind.id not in ruled and (ind.items or ind.item_pattern) else None)
            if ind.item_required and (ruled[ind.id][1] if ind.id in ruled else cand.static and cand.item) is None:
                continue  # a fact: this indicator is about named items only
            out.append(cand)
        return out

    def candidate(ind: Indicator) -> Candidate:
        """The Candidate make() would give for `ind`, with the item and where it was that its static features would
        settle (they are computed only when asked: link() needs the item alone)."""
        cand = top if top is not None and ind.id == top_id else Candidate(
            ind, False, row[ind.id], build, find if ind.id not in ruled and (ind.items or ind.item_pattern) else None)
        if cand._static is None:
            got = ruled.get(ind.id)
            cand.item, cand.where = got[1:] if got is not None else find(ind) if cand._find is not None else (None, "")
        return cand

    def scores(linker: Linker, prof: _Profiles, only_top: bool = False) -> list[list]:
        """[indicator, P with its item not (yet) near, P with an item near when its items are still to be looked
        for else None] of each candidate, in make()'s order (only the rules' choice with `only_top`; one about
        named items only that the rules did not propose is listed until its items are looked for, link() drops it
        then if none is named): what make(), feature_rows() and Linker._of_rows() give, without building a
        Candidate, a tuple and a list per indicator. The products and sums are the same operations in the same
        order (_weighted_sum), so the probabilities are the same to the last digit (tests/test_linker.py compares
        them with rank()); the rule features' part of the sum is the same for every candidate the rules did not
        propose, so it is added up once."""
        learned = linker.learned
        c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17 = linker.coef
        if only_top:  # the rules' choice alone (link()'s path for most figures)
            score, item, where = ruled[top_id]
            return [[top.indicator, _rules_choice(linker, prof, view, part, top.row, score, item, where, runner_up,
                                                  fit_rows, nouns, units, few), None]]

        def head(x0: float, x1: float, x2: float, x3: float, x4: float) -> float:
            total = 0.0  # _weighted_sum of the rule features, unrolled
            total += c0 * x0
            total += c1 * x1
            total += c2 * x2
            total += c3 * x3
            total += c4 * x4
            return total

        unruled = head(0.0, 0.0, 0.0, unruled_margin, 0.0)  # top_id is one the rules proposed
        entries = []  # (indicator, row, rule features' sum, item_near or None while its items are not looked for)
        for ind in ((top.indicator,) if only_top else fits):
            iid = ind.id
            got = ruled.get(iid)
            if got is not None:
                score, item, where = got
                if ind.item_required and item is None:
                    continue  # a fact: this indicator is about named items only
                margin = (score - (runner_up if iid == top_id else highest)) / 5
                t = float(iid == top_id and top_score >= catalog.min_score)
                entries.append((ind, row[iid], head(score / 5, t, 1.0, max(-2.0, min(2.0, margin)),
                                                    t * max(0.0, min(2.0, margin))),
                                float(item is not None and where in _NEAR)))
            elif ind.items or ind.item_pattern:
                entries.append((ind, row[iid], unruled, None))  # looked for only when they could make it the best
            elif not ind.item_required:
                entries.append((ind, row[iid], unruled, 0.0))
        whole = len(entries) >= _WHOLE
        # the sentence's similarities with every indicator by the matrices, once for all its figures: similarity_best
        # needs its catalog ones for all the figure's candidates anyway
        ls, cs = sentence.learned_sims(learned, prof), sentence.catalog_sims(prof)
        if whole:  # many rows: every indicator's at once, by the matrices
            lc, lx = part.learned_sims(learned, prof), context.learned_sims(learned, prof)  # the catalog's come along
            cc, cx = part.catalog_sims(prof), context.catalog_sims(prof)
        near = view.nearest_of(learned, prof)  # the inverted index answers every row at the cost of one
        unknown = learned.unknown(prof)
        index = _word_index(linker.words, prof) if linker.words else None
        if index is not None and whole:
            evidence = view.evidence_of(index)
        best_sim = view.best_similarity(fit_rows, prof)
        # the loop of the sums below, written as one expression per candidate: Python adds left to right, so each
        # sum is the same additions in the same order; products of constants (c13 * 1.0, c17 * few) are the same
        # products computed once
        best_pos, c13_hit, c13_miss, c17_few, exp = best_sim > 0, c13 * 1.0, c13 * 0.0, c17 * few, math.exp
        intercept = linker.intercept
        out = []
        for ind, r, total, item_near in entries:
            x6 = cs[r]
            if whole:
                total = (total + c5 * cc[r] + c6 * x6 + c7 * cx[r] + c8 * lc[r] + c9 * ls[r] + c10 * lx[r]
                         + c11 * near[r] + c12 * unknown[r] + (c13_hit if x6 >= best_sim and best_pos else c13_miss)
                         + c14 * nouns[r] + c15 * units[r])
                base = intercept if index is None else intercept + evidence[r]
            else:
                total = (total + c5 * part.catalog_at(prof, r) + c6 * x6 + c7 * context.catalog_at(prof, r)
                         + c8 * part.learned_at(learned, prof, r) + c9 * ls[r] + c10 * context.learned_at(learned, prof, r)
                         + c11 * near[r] + c12 * unknown[r] + (c13_hit if x6 >= best_sim and best_pos else c13_miss)
                         + c14 * nouns[r] + c15 * units[r])
                base = intercept if index is None else intercept + view.evidence_at(index, r)
            z = base + (total + c16 * (item_near or 0.0) + c17_few)
            p = 1.0 / (1.0 + exp(-z)) if -40.0 <= z <= 40.0 else _logistic(z)
            if item_near is None:
                z = base + (total + c16 * 1.0 + c17_few)
                out.append([ind, p, 1.0 / (1.0 + exp(-z)) if -40.0 <= z <= 40.0 else _logistic(z)])
            else:
                out.append([ind, p, None])
        return out

    return MentionCandidates(k, part.bag, view.sentence.bag, view.context.bag, view=view, part=part, top=top,
                             make=make, scores=(scores, find, candidate))


def features(mc: MentionCandidates, cand: Candidate, learned: Learned, prof: _Profiles) -> list[float]:
    """The full feature vector (FEATURES order) of one candidate, given what was learned."""
    return mc.feature_rows([cand], learned, prof)[0]


def word_evidence(mc: MentionCandidates, weights: Mapping[str, float] | None) -> float:
    """The summed weights of the figure's sentence stems for one indicator: what the regression learned each
    word says for or against it ("uniform" for conscription once analysts have linked such sentences). The
    definition _WordIndex computes for every indicator at once."""
    total = 0.0
    for s in mc.sentence:
        total += (weights or {}).get(s, 0.0)
    return total


def learned_profiles(labelled: Sequence[tuple[MentionCandidates, str]]) -> Learned:
    """What figures labelled with each indicator teach: its profile (how many of their clauses and sentences
    named each stem; a clause's stems count twice, they are nearer the figure; the LEARNED_STEMS most frequent)
    and their sentences' stems, each distinct sentence once."""
    acc: dict[str, Counter] = {}
    examples: dict[str, dict[tuple, None]] = {}
    for mc, label in labelled:
        if not label:
            continue
        c = acc.setdefault(label, Counter())
        c.update(dict.fromkeys(mc.sentence, 1))  # each stem once, in text order (a set's order is per process)
        c.update(dict.fromkeys(mc.clause, 1))
        examples.setdefault(label, {})[tuple(sorted(mc.sentence))] = None
    return Learned({k: dict(c.most_common(LEARNED_STEMS)) for k, c in acc.items()},
                   {k: tuple(v) for k, v in examples.items()})


def rank(doc: Document, catalog: Catalog, k: int, linker: Linker) -> list[tuple[float, Candidate]]:
    """Every candidate of doc.mentions[k] with its probability, most probable first."""
    mc = mention_candidates(doc, catalog, k, linker.stop_words, linker.learned)
    prof = profiles(catalog, linker.stop_words)
    return sorted(zip(linker.probabilities(mc, prof), mc.candidates), key=lambda t: -t[0])


def link(doc: Document, catalog: Catalog, k: int, linker: Linker) -> tuple[float, Candidate | None, Candidate | None]:
    """decide() for doc.mentions[k]: (probability, the chosen candidate or None, the best candidate or None).
    When the rules' first choice is at or above VETO no other candidate can change the decision, so only it is
    scored (the cheap path most linked figures take). Otherwise only the best candidate (and the rules' choice)
    matter to decide(): each candidate is scored with and without an item near the figure, and the items of a
    candidate are looked for only when the higher of the two could make it the best."""
    prof = profiles(catalog, linker.stop_words)
    fits, scored = _prepared(doc, catalog, linker, prof)[k]
    if fits and scored and scored[0][0] >= catalog.min_score and not (scored[0][1].item_required
                                                                       and scored[0][2] is None):
        # the rules' choice is a candidate (mention_candidates' `top`): scored first, and alone, without making the
        # figure's candidates unless it is vetoed
        m = doc.mentions[k]
        q = m.quantity
        view = _sentence_view(doc, catalog, m.sentence, prof)
        r = prof.row[scored[0][1].id]
        p = _rules_choice(linker, prof, view, view.clause(clause_of(doc, m), prof), r, scored[0][0], scored[0][2],
                          scored[0][3], scored[1][0] if len(scored) > 1 else 0.0,
                          tuple(map(prof.row.__getitem__, map(_ID, fits))),
                          prof.noun_named(q.noun.lower() if q.noun else ""), prof.unit_named(q.unit), 1.0 / len(fits))
        if p >= VETO:
            def build(ind: Indicator):  # its static features, when asked: those mention_candidates() gives
                return mention_candidates(doc, catalog, k, linker.stop_words, linker.learned, fits, scored,
                                          prof).top._build(ind)

            cand = Candidate(scored[0][1], True, r, build)
            cand.item, cand.where = scored[0][2], scored[0][3]
            return p, cand, cand
    mc = mention_candidates(doc, catalog, k, linker.stop_words, linker.learned, fits, scored, prof)
    if mc.scores is None:  # no indicator fits
        return decide([], linker.threshold)[0], None, None
    scores, find, candidate = mc.scores
    ruled = mc.top
    if ruled is not None:
        p = scores(linker, prof, only_top=True)[0][1]
        if p >= VETO:
            return p, candidate(ruled.indicator), ruled
    entries = scores(linker, prof)
    without = [e[1] for e in entries]  # exact for a settled candidate
    pending = [i for i, e in enumerate(entries) if e[2] is not None]
    near = {i: entries[i][2] for i in pending}
    best = -1  # the first of the most probable, as a stable sort by probability would put it
    for i, e in enumerate(entries):
        if e[2] is None and (best < 0 or without[i] > without[best]):
            best = i
    for i in sorted(pending, key=lambda i: -max(without[i], near[i])):
        ceiling = max(without[i], near[i])
        if best >= 0 and (ceiling < without[best] or ceiling == without[best] and i > best):
            continue  # cannot be the best whatever its items
        item, where = find(entries[i][0])  # looks for its items
        if item is None and entries[i][0].item_required:
            continue  # a fact: this indicator is about named items only, so it is no candidate
        without[i] = near[i] if item is not None and where in _NEAR else without[i]
        if best < 0 or without[i] > without[best] or without[i] == without[best] and i < best:
            best = i
    if best < 0:
        return decide([], linker.threshold)[0], None, None
    chosen_best = candidate(entries[best][0])
    ranked = [(without[best], chosen_best)]
    if ruled is not None and ruled is not chosen_best:
        ranked.append((without[next(i for i, e in enumerate(entries) if e[0] is ruled.indicator)], ruled))
    p, chosen = decide(ranked, linker.threshold)
    return p, chosen, chosen_best


_ITEM_NEAR = FEATURES.index("item_near")
# from this many candidates on, a text's similarities (and a sentence's word evidence, nearest examples) are computed
# for every indicator at once by the matrices; fewer take cosine() row by row, which is cheaper for a few rows
_WHOLE = 6


VETO = 0.1  # below this probability the linker overrules the rules' first choice, for a candidate it believes in
STRONG_VETO = 0.03  # ... and below this it drops the rules' choice even with no other candidate


def decide(ranked: list[tuple[float, Candidate]], threshold: float) -> tuple[float, Candidate | None]:
    """The linking decision, a cascade measured best leave-one-set-out (README, "Linking"): the rules' first
    choice stands unless the linker all but rules it out (below VETO, with another candidate it gives at least
    0.5; or below STRONG_VETO); where the rules have no choice, the linker's best at or above `threshold`.
    Returns (the chosen candidate's probability, the candidate) or (best probability, None)."""
    best_p, best = ranked[0] if ranked else (0.0, None)
    ruled = next(((p, c) for p, c in ranked if c.rule_top), None)
    if ruled is not None:
        p, c = ruled
        if p < VETO and best is not c and best_p >= 0.5:
            return best_p, best
        if p < STRONG_VETO and best_p < threshold:
            return p, None
        return p, c
    return (best_p, best) if best is not None and best_p >= threshold else (best_p, None)
