"""Loads `data/lexicon.yaml` once and compiles it into the regexes the stages share."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml


def phrase_alternation(phrases, *, plural: bool = False) -> str:
    """Regex alternation of literal phrases, longest first; spaces match any whitespace."""
    parts = []
    for p in sorted(set(phrases), key=len, reverse=True):
        body = re.sub(r"['’]", "['’]", r"\s+".join(re.escape(w) for w in str(p).split()))
        if plural and body[-1:].isalpha():
            body += r"(?:s|es)?"
        parts.append(body)
    return "|".join(parts)


def word_bounded(alternation: str) -> str:
    """Wrap an alternation so it only matches whole words (symbols like % or $ allowed)."""
    return rf"(?<![\w])(?:{alternation})(?![\w])"


@dataclass(frozen=True)
class Lexicon:
    raw: dict
    number_words: dict
    multipliers: dict
    currency_only_multipliers: dict
    currencies: dict
    months: dict
    noun_units: dict  # lower-case noun form -> unit
    measure_nouns: frozenset

    currencies_ci: dict  # lower-case currency word -> unit

    def currency(self, text: str) -> str | None:
        key = " ".join(text.split())
        return self.currencies.get(key) or self.currencies_ci.get(key.lower())


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    with (resources.files("indicators") / "data" / "lexicon.yaml").open(encoding="utf-8") as f:
        raw = yaml.safe_load(f)
    noun_units = {}
    for unit, forms in raw["nouns"].items():
        for form in forms:
            noun_units[" ".join(str(form).lower().split())] = unit
    return Lexicon(
        raw=raw,
        number_words={k.lower(): v for k, v in raw["number_words"].items()},
        multipliers={k.lower(): float(v) for k, v in raw["multipliers"].items()},
        currency_only_multipliers={k.lower(): float(v) for k, v in raw["currency_only_multipliers"].items()},
        currencies={str(k): v for k, v in raw["currencies"].items()},
        currencies_ci={str(k).lower(): v for k, v in raw["currencies"].items()},
        months={k.lower(): v for k, v in raw["months"].items()},
        noun_units=noun_units,
        measure_nouns=frozenset(" ".join(str(m).lower().split()) for m in raw["measure_nouns"]),
    )


@lru_cache(maxsize=1)
def correction_cue() -> re.Pattern:
    """Words that open a correction of a quoted figure ("in fact", "actually")."""
    return re.compile("|".join(f"(?:{p})" for p in lexicon().raw["roles"]["correction"]), re.I)


@lru_cache(maxsize=4)
def lowered(text: str) -> str:
    """`text` lower-cased with its offsets kept (a character whose lower case is longer stays as is).

    Patterns written in lower case and run on this are several times faster than with re.I.
    """
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
