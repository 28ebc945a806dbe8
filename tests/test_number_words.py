"""Numbers written in words round-trip: spelled by num2words (a library we do not control), read back by us."""
import pytest
from hypothesis import given, settings, strategies as st
from num2words import num2words

from indicators.quantities import find_quantities

FRAMES = [
    "The survey counted {} households.",
    "{} volunteers signed up in spring.",
    "Officials registered about {} complaints.",
    "In total, {} were detained, the monitors said.",
]


def _spelled(n: int, style: str) -> str:
    words = num2words(n, lang="en")  # "one thousand, two hundred and thirty-four"
    if style == "plain":
        words = words.replace(",", "")
    elif style == "no-and":
        words = words.replace(",", "").replace(" and ", " ")
    elif style == "spaces":
        words = words.replace(",", "").replace("-", " ")
    return words


@settings(max_examples=300, deadline=None)
@given(n=st.integers(min_value=2, max_value=999_999_999), frame=st.sampled_from(FRAMES),
       style=st.sampled_from(["plain", "no-and", "spaces"]))
def test_spelled_integers_read_back(n, frame, style):
    words = _spelled(n, style)
    text = frame.format(words[:1].upper() + words[1:] if frame.startswith("{}") else words)
    found = find_quantities(text)
    assert [q.value for q in found] == [n], (text, [(q.surface, q.value) for q in found])
    assert found[0].surface.lower().endswith(words.split()[-1])


@pytest.mark.parametrize("n", [1_000, 1_000_000, 2_000_000_000, 100, 12, 21, 1_001, 1_000_100, 990_000_009])
def test_round_scales(n):
    words = _spelled(n, "plain")
    (q,) = find_quantities(f"They reported {words} cases.")
    assert q.value == n
