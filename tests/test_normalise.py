"""The normalised-text contract and the plain-text layout rules (wrapping, hyphens, furniture)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings, strategies as st

from indicators.ingest import read_report
from indicators.normalise import normalise

CASES = Path(__file__).parent / "cases" / "normalise"
SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _golden() -> list:
    params = []
    for fmt in ("txt", "md", "html"):
        for case in yaml.safe_load((CASES / f"{fmt}.yaml").read_text(encoding="utf-8")):
            params.append(pytest.param(fmt, case, id=f"{fmt}: {case['name']}"))
    return params


def assert_contract(text: str) -> None:
    """Paragraphs joined by exactly "\\n\\n"; each one line, trimmed, single-spaced."""
    if text == "":
        return
    for para in text.split("\n\n"):
        assert para, f"empty paragraph in {text!r}"
        assert "\n" not in para
        assert para == para.strip()
        assert "  " not in para
        # the only whitespace besides " " is a digit-group separator between digits
        for m in re.finditer(r"[^\S ]", para):
            assert m.group() in "\u00a0\u2009\u202f", repr(para)
            assert para[m.start() - 1].isdigit() and para[m.end()].isdigit(), repr(para)


@pytest.mark.parametrize("fmt, case", _golden())
def test_golden_cases(tmp_path: Path, fmt: str, case: dict) -> None:
    path = tmp_path / f"case.{fmt}"
    path.write_text(case["input"], encoding="utf-8")
    report = read_report(path)
    assert report.text == case["expected"]
    if "title" in case:
        assert report.title == case["title"]
    assert_contract(report.text)


# --- whitespace ------------------------------------------------------------------------


def test_separator_spaces_between_digits_are_kept_exactly() -> None:
    text = normalise("20\u202f357 and 20\u00a0357 and 20\u2009357 and 20 357 cases")
    assert text == "20\u202f357 and 20\u00a0357 and 20\u2009357 and 20 357 cases"


def test_separator_spaces_elsewhere_become_ordinary_spaces() -> None:
    assert normalise("BYN\u00a0200 \u00a0 and\u202fmore\u2009.") == "BYN 200 and more ."
    assert normalise("5\u00a0\u00a0000") == "5 000"  # a run is not a separator


def test_paragraph_input_only_gets_whitespace_cleanup() -> None:
    paras = ["  First\tparagraph\nwith a newline ", "", "\u00a0", "Second\u3000one"]
    assert normalise(paras, paragraphs=True) == "First paragraph with a newline\n\nSecond one"


def test_crlf_and_cr_line_ends() -> None:
    assert normalise("First line.\r\n\r\nSecond line.\r\rThird\r\nline.") == (
        "First line.\n\nSecond line.\n\nThird line."
    )


def test_invisible_and_control_characters_are_dropped() -> None:
    assert normalise("orga\u00adnization\u200b of\x07 the \ufeffarmy") == "organization of the army"


def test_soft_hyphen_at_line_end_joins_the_word() -> None:
    assert normalise("the reorgani\u00ad\nzation of the troops") == "the reorganization of the troops"


def test_ligatures_from_pdfs_are_spelled_out() -> None:
    assert normalise("the \ufb01rst of\ufb01cial \ufb02ight") == "the first official flight"


# --- hard-wrapped text -----------------------------------------------------------------

WRAPPED = """\
Main events. In May the Ministry of Defence of Belarus announced a large
inspection of the territorial defence system in the Mahilioù region. The
inspection involved about 3 thousand reservists and local officials.
The developments within the month. The State Border Committee reported an
increase in the number of attempts to cross the border illegally: 58 cases
were recorded in May compared with 31 in April. The committee attributes the
growth to the closure of the border for departure.
Conclusions. The authorities keep treating the society as a threat.
"""


def test_wrapped_lines_rejoin_into_paragraphs_at_short_sentence_ends() -> None:
    paras = normalise(WRAPPED).split("\n\n")
    assert [p.split(".")[0] for p in paras] == ["Main events", "The developments within the month", "Conclusions"]
    assert "58 cases were recorded in May compared with 31 in April." in paras[1]
    assert_contract(normalise(WRAPPED))


def test_double_spaced_wrap_gives_the_same_paragraphs() -> None:
    double = "\n\n".join(WRAPPED.splitlines())
    assert normalise(double) == normalise(WRAPPED)


def test_double_spaced_wrap_with_wider_gaps_as_paragraph_breaks() -> None:
    lines = WRAPPED.splitlines()
    # spacing of one blank line, paragraphs separated by three; the long line before
    # "Conclusions" would not end a paragraph by its length alone
    text = "\n\n".join(lines[:3]) + "\n\n\n\n" + "\n\n".join(lines[3:])
    assert normalise(text).split("\n\n")[0].endswith("reservists and local officials.")


def test_indented_line_after_a_sentence_end_starts_a_paragraph() -> None:
    text = (
        "The ministry said the new vehicles would arrive before the summer exercises\n"
        "and would be used by the two mechanised brigades in the west of the country.\n"
        "   Another topic starts on an indented line and goes on for a while until\n"
        "the line runs out of space and wraps onto the next one, as lines do.\n"
    )
    paras = normalise(text).split("\n\n")
    assert len(paras) == 2
    assert paras[1].startswith("Another topic")


def test_short_line_without_punctuation_is_a_heading() -> None:
    text = (
        "Outlook for the summer\n"
        "The number of incidents on the border is expected to stay above 300 per\n"
        "month until the autumn, when the weather makes illegal crossings harder.\n"
    )
    assert normalise(text).split("\n\n")[0] == "Outlook for the summer"


def test_full_line_ending_a_sentence_does_not_end_the_paragraph() -> None:
    text = (
        "The border guard received twelve new patrol vehicles in the first half.\n"
        "Deliveries of the remaining vehicles are expected in the autumn of this\n"
        "year, according to the committee.\n"
    )
    assert "\n\n" not in normalise(text)


HYPHEN_DOC = """\
The reports of the State Military Industry Committee show that the military-
industrial complex keeps growing. The committee approved the modernization of
the plants and the reorgani-
zation of the research institutes which serve the military-industrial sector
and the whole defence industry. The ex-
minister of defence now works as an ambassador in Baku and says the self-
propelled guns will be delivered in 2021. Some analysts call the plan a non-
sense and expect further moderni-
zation of the Su-30SM fighters and the BTR-
82A carriers bought from the Belarusian-
Russian joint venture in 2021-
2022 as it was planned.
"""


@pytest.mark.parametrize(
    "expected",
    [
        "military-industrial complex",  # the document spells it with a hyphen elsewhere
        "the reorganization of",  # unknown fragments, lowercase continuation: joined
        "further modernization",  # the document spells it joined elsewhere
        "ex-minister",  # prefixes that take a hyphen keep it...
        "self-propelled",
        "a non-sense",  # ...even where a human would join (the documented trade-off)
        "BTR-82A",  # the next part is not a lowercase word
        "Belarusian-Russian",
        "2021-2022",
    ],
)
def test_hyphenation_across_line_breaks(expected: str) -> None:
    text = normalise(HYPHEN_DOC)
    assert expected in text
    assert_contract(text)


def test_hyphenation_uses_both_words_known_from_the_document() -> None:
    text = normalise(
        "The military budget and the industrial policy were discussed at length today.\n"
        "The minister praised the progress of the military-\n"
        "industrial cooperation with Russia and with the other member states.\n"
    )
    assert "military-industrial cooperation" in text


def test_hyphenation_joins_unknown_fragments() -> None:
    text = normalise(
        "The minister praised the progress of the negoti-\n"
        "ations with Russia and with the other member states of the organisation.\n"
    )
    assert "negotiations with Russia" in text


def test_spaced_dash_at_line_end_is_not_a_hyphen() -> None:
    text = normalise(
        "Yury Nazaranka became the First Deputy Minister of Internal Affairs -\n"
        "the head of the public security police, which is a new arrangement.\n"
    )
    assert "Internal Affairs - the head" in text


# --- headers, footers, page numbers ---------------------------------------------------


_BODIES = [
    "The ministry reported that new conscripts arrived at the training centres\n"
    "in the western regions, where they will stay for about six weeks.",
    "Ten tanks were sent to the repair plant in Barysau after the exercises;\n"
    "the plant expects more orders from the army before the end of the year.",
    "Several hundred officers left the army after the protests, according to\n"
    "estimates by independent analysts who follow the personnel policy.",
    "Drones were bought from a Chinese company, which the ministry did not name\n"
    "in its statement, citing the sanctions imposed on the suppliers.",
]


def _pages(n: int) -> list[str]:
    """Pages with a running header and a page-number footer around different body text."""
    return [f"Belarus Security Monitor  |  May 2021\n{_BODIES[k - 1]}\nPage {k} of {n}\n"
            for k in range(1, n + 1)]


def test_paged_input_drops_running_header_and_page_number_footer() -> None:
    text = normalise(_pages(4))
    assert "Belarus Security Monitor" not in text
    assert "Page" not in text
    assert text.count("\n\n") == 3
    assert_contract(text)


def test_header_differing_only_in_digits_is_dropped() -> None:
    pages = [f"Report No. {k} - Minsk\n{body}\n{k}\n" for k, body in enumerate(_BODIES, start=1)]
    text = normalise(pages)
    assert "Report No." not in text
    assert text.split("\n\n")[0] == " ".join(_BODIES[0].split())


def test_paragraph_spanning_a_page_break_is_joined() -> None:
    pages = [
        "Security Monitor\nThe army received ten new tanks in the first quarter and the air\n"
        "force got four fighters, while the border guard\n- 1 -",
        "Security Monitor\nreceived twelve patrol vehicles and two drones.\n- 2 -",
    ]
    assert normalise(pages) == (
        "The army received ten new tanks in the first quarter and the air force got four "
        "fighters, while the border guard received twelve patrol vehicles and two drones."
    )


@pytest.mark.parametrize("marker", ["12", "- 12 -", "Page 12", "page 12 of 40", "12 / 40", "12 of 40"])
def test_page_number_forms_at_page_edges(marker: str) -> None:
    pages = [f"Text of the first page ends here.\n{marker}", "Text of the second page ends here."]
    assert normalise(pages) == "Text of the first page ends here.\n\nText of the second page ends here."


def test_a_year_at_a_page_edge_is_not_a_page_number() -> None:
    pages = ["Deliveries are planned for\n2022", "The army expects ten more tanks soon."]
    assert normalise(pages).startswith("Deliveries are planned for 2022")


def test_numbers_inside_the_text_are_not_page_numbers() -> None:
    text = "Tanks\n12\nAircraft\n4\nHelicopters\n6\n"
    assert normalise(text) == "Tanks\n\n12\n\nAircraft\n\n4\n\nHelicopters\n\n6"


def test_repeated_short_lines_without_pages_are_running_headers() -> None:
    order = [(0, 1), (2, 3), (1, 0)]  # body lines repeat at most twice; the header thrice
    text = normalise("".join(f"Belarus Security Blog\n{_BODIES[a]}\n{_BODIES[b]}\n" for a, b in order))
    assert "Belarus Security Blog" not in text
    flat = text.replace("\n\n", " ")
    assert flat == " ".join(" ".join(_BODIES[i].split()) for pair in order for i in pair)


# --- paragraph-per-line text ------------------------------------------------------------


def test_unwrapped_text_keeps_its_paragraphs() -> None:
    paras = [
        "The budget for 2021 provides for a serious deficit amid rising taxes. " * 5,
        "Spending on national defence will grow by about 12% in BYN.",
        "A decree on the budget for 2020 was published. " * 8,
    ]
    text = normalise("\n\n".join(p.strip() for p in paras))
    assert text.split("\n\n") == [p.strip() for p in paras]


# --- the sample reports -----------------------------------------------------------------


def test_seed_000_hard_wrapped_double_spaced_report() -> None:
    report = read_report(SEEDS / "000_899da8a9a6ae9762.txt")
    text = report.text
    assert_contract(text)
    paras = text.split("\n\n")
    sentence = (
        "According to the Ministry of Internal Affairs, 20,357 cases were registered for "
        "11 months of this year, compared to just over 9,000 for the same period in 2019."
    )
    assert any(sentence in p for p in paras)
    assert "as of October 1, 2020." in text
    assert any(p.endswith("where one has to work hard.") for p in paras)
    assert any(p.startswith("The developments within the month.") for p in paras)
    assert any(p.startswith("Conclusions.") for p in paras)
    assert paras[0].startswith("The most important events of the month. On November 19, 2020")
    assert 15 <= len(paras) <= 40
    assert "military-industrial complex of Belarus" in text
    assert report.title == ""  # it opens with a sentence, not a title


def test_seed_001_markdown_flavoured_one_paragraph_per_line_report() -> None:
    report = read_report(SEEDS / "001_d97b0e28c27e0c49.txt")
    text = report.text
    assert_contract(text)
    assert "**" not in text and "](#)" not in text
    assert report.title == (
        "Analytical report: Situation in the field of national security and defence of "
        "Belarus (December 2020)"
    )
    paras = text.split("\n\n")
    assert paras[0] == report.title
    assert paras[1].startswith("The most important events of the month. The budget for 2021")
    # paragraphs cut mid-sentence by the source's page breaks are glued back
    assert "Issues of bilateral cooperation, including the joint production" in text
    assert "increase in the Ministry of Internal Affairs) clearly indicates" in text
    assert "special article" in text
    assert 35 <= len(paras) <= 50


# --- properties ---------------------------------------------------------------------------

_LINE = st.text(
    alphabet=st.sampled_from(list("abcdefghij ABCDE.,:;-–\"“”()\t\u00a0\u202f\u2009\f0123456789•*#[]_")),
    max_size=90,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_LINE, max_size=30), st.sampled_from(["\n", "\n\n", "\r\n", "\n\n\n"]))
def test_normalise_always_meets_the_contract(lines: list[str], sep: str) -> None:
    assert_contract(normalise(sep.join(lines)))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=200), max_size=5))
def test_normalise_pages_and_paragraphs_meet_the_contract(pages: list[str]) -> None:
    assert_contract(normalise(pages))
    assert_contract(normalise(pages, paragraphs=True))


def test_normalise_is_idempotent_on_its_output() -> None:
    text = normalise(WRAPPED)
    assert normalise(text) == text


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(list("ab1 9,.") + ["  ", "\n", "\t", "\u00a0", "\u202f", "\u2009", "\u2028",
                                                           "\x85", "\u3000", "\ufb01", "\u00e9"]), max_size=30).map("".join))
def test_a_paragraph_is_cleaned_as_the_collapse_pattern_says(text):
    """The shortcut for paragraphs holding only single ASCII spaces gives what the whitespace pattern gives."""
    from indicators.normalise import _COLLAPSE, _clean_paragraph

    assert _clean_paragraph(text) == _COLLAPSE.sub(" ", text).strip()
