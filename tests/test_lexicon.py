"""The lexicon is data with a contract: a malformed entry is refused with its key named."""
import copy
from importlib import resources

import pytest
import yaml
from hypothesis import given, settings, strategies as st

from indicators.errors import LexiconError
from indicators.lexicon import Lexicon, lexicon, parse_lexicon

RAW = yaml.safe_load((resources.files("indicators") / "data" / "lexicon.yaml").read_text(encoding="utf-8"))


def _broken(path: tuple, value):
    raw = copy.deepcopy(RAW)
    node = raw
    for key in path[:-1]:
        node = node[key]
    if value is KeyError:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return raw


def test_the_shipped_lexicon_loads_typed():
    lex = lexicon()
    assert isinstance(lex, Lexicon)
    assert lex.number_words["twelve"] == 12 and lex.multipliers["million"] == 1e6
    assert "about" in lex.qualifiers_before["approx"] and lex.time.ordinals["second"] == 2
    assert lex.currency("£") == "GBP" and lex.currency("Swiss francs") == "CHF" and lex.currency("dollars") == "USD"
    with pytest.raises(AttributeError):
        lex.number_words = {}  # frozen


@pytest.mark.parametrize("path, value, named", [
    (("number_words",), KeyError, "number_words"),
    (("multipliers",), ["million"], "multipliers"),
    (("multipliers", "million"), "lots", "multipliers"),
    (("percent_words",), "percent", "percent_words"),
    (("percent_words",), ["%", ""], "percent_words"),
    (("qualifiers_before", "roughly"), ["about"], "qualifiers_before"),
    (("roles", "planned"), ["(unclosed"], "roles.planned"),
    (("roles", "pronouns"), KeyError, "roles.pronouns"),
    (("time", "ordinals", "first"), "one", "time.ordinals"),
    (("months", "june"), 13, "months"),
    (("furniture_line",), -5, "furniture_line"),
    (("no_such_key",), ["x"], "no_such_key"),
    (("roles", "source_enders"), ["in", True], "roles.source_enders"),  # a bare `on` in YAML is true
])
def test_a_malformed_lexicon_names_the_key(path, value, named):
    with pytest.raises(LexiconError) as err:
        parse_lexicon(_broken(path, value))
    assert named in str(err.value)


def test_a_word_read_as_a_boolean_is_refused_with_the_remedy():
    with pytest.raises(LexiconError) as err:
        parse_lexicon(_broken(("noun_stops",), ["in", False]))
    assert "quote it" in str(err.value)


def test_a_lexicon_that_is_no_mapping_is_refused():
    with pytest.raises(LexiconError):
        parse_lexicon(["number_words"])


# --- caseless patterns on folded text: the same matches as re.IGNORECASE, faster --------------------------------

_CASE_PIECES = ["according to", "ACCORDING TO", "the Ministry", " said ", "SAID", "claimed", "we ", "We ", "our ",
                "OUR", "in fact", "In Fact", "our July issue", "Our July Report", "ministry's count", "s’ own count",
                "plans to", "PLANNED FOR", "will", "W\u0130LL", "\u0131n fact", "clai\u017fms", "\u0130n fact", "\u212a",
                "stra\u00dfe", "\u00c9", ",", ";", ":", "(", ")", ".", " ", "  ", "\n", "1,200", "-", "\u2019"]


@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(st.sampled_from(_CASE_PIECES), max_size=14))
def test_caseless_patterns_on_folded_text_match_as_re_ignorecase(pieces):
    """Every pattern the roles run on folded() text finds the same spans as the re.I pattern on the text itself."""
    from indicators.catalog import text_tokens
    from indicators.lexicon import folded
    from indicators.roles import _claim_verb, _rx, _rxf, _scan

    text = "".join(pieces)
    low = folded(text)
    assert len(low) == len(text)
    originals = {**_rx(), "claim_verb": _claim_verb()}
    for name, fast in _rxf().items():
        slow = originals[name]
        assert [m.span() for m in fast.finditer(low)] == [m.span() for m in slow.finditer(text)], (name, text)
        gated = _scan(name, low, text_tokens(text))  # skipped on texts without the gate words: never a lost match
        first = slow.search(text)
        assert (gated.span() if gated else None) == (first.span() if first else None), (name, text)


@pytest.mark.parametrize("pattern", [r"[A-Z]\d", r"Said", r"(?i:x)Y"])
def test_caseless_refuses_an_upper_case_literal(pattern):
    import re

    from indicators.lexicon import caseless

    with pytest.raises(ValueError, match="upper-case"):
        caseless(re.compile(pattern, re.I))


@pytest.mark.parametrize("pattern, text", [(r"(?P<src>\w+)\s+said\b", "The Ministry SAID"), (r"\bwe\b\S*", "WE’d")])
def test_caseless_keeps_escapes_and_group_names(pattern, text):
    import re

    from indicators.lexicon import caseless, folded

    fast = caseless(re.compile(pattern, re.I))
    assert fast.search(folded(text)).span() == re.compile(pattern, re.I).search(text).span()
