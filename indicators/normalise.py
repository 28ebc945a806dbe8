"""Normalise extracted text into the project's text contract.

Every character offset in the pipeline refers to the string this module returns, so the
contract is strict: paragraphs separated by exactly one blank line ("\\n\\n"), no newline
inside a paragraph, whitespace runs collapsed to one space, no leading/trailing whitespace,
no trailing newline. The one exception to collapsing: a lone NBSP / thin space / narrow
NBSP between two digits ("20\\u202f357") is kept as is, because it is a thousands
separator the number recogniser must see.

Plain text (txt, PDF pages) additionally gets its layout reconstructed:

* running headers/footers and page-number lines are dropped;
* blank lines are classified as paragraph separators or as mere double spacing;
* hard-wrapped lines are rejoined into paragraphs (see `_breaks_after`), and words
  hyphenated across a line break are rejoined or keep their hyphen (see `_hyphen_glue`);
* paragraphs split mid-sentence by a page break are glued back (`_continues`);
* markdown emphasis and links that leak into .txt files are stripped.

Everything works per line or per regex match, so time is linear in the text size.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

from .lexicon import lexicon, phrase_alternation

__all__ = ["normalise", "table_row"]

# --- character level -------------------------------------------------------------------

_LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi",
                            "\ufb04": "ffl", "\ufb05": "st", "\ufb06": "st"})
_LIGATURE = re.compile("[\ufb00-\ufb06]")
# Line and page separators other than "\n" that text may carry.
_NEWLINES = re.compile(r"\r\n?|[\u2028\u0085\x0b]")
_PARA_SEPS = re.compile(r"\u2029")
# A soft hyphen at a line end is a hyphenation point: join without a hyphen.
_SOFT_HYPHEN_BREAK = re.compile(r"\u00ad[ \t]*\n[ \t]*")
# Invisible characters and control characters carry no text; \t \n \f are kept for layout.
_INVISIBLE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\u00ad\u200b\u2060\ufeff\ufffe]")
# Whitespace to collapse to one space: runs of two or more, any single whitespace other
# than a space and the three thousands-separator spaces, and one of those three unless it
# stands between two digits.
_SEP_SPACES = "\u00a0\u2009\u202f"
_COLLAPSE = re.compile(
    rf"\s{{2,}}|[^\S {_SEP_SPACES}]|(?<!\d)[{_SEP_SPACES}]|[{_SEP_SPACES}](?!\d)"
)

# --- markdown leaking into plain text ----------------------------------------------------

_MD_BOLD = re.compile(r"(\*\*|__)(?=\S)((?:(?!\1)[^\n]|\n(?![ \t]*\n))+?)(?<=\S)\1")
_MD_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)")
_MD_LINK = re.compile(r"\[([^\]\n]+)\]\([^)\s]*(?:\s+\"[^\"\n]*\")?\)")
_MD_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(?=\S)", re.M)
_MD_HARD_BREAK = re.compile(r"(\S)[ \t]{2,}\n(?=[ \t]*\S)")

# --- line classification ------------------------------------------------------------------

# Sentence-final punctuation, optionally followed by closing quotes/brackets.
_END = re.compile(r"[.!?…:]['\"”’»)\]]*$")
_STRONG_END = re.compile(r"[.!?…:;]['\"”’»)\]]*$")
_BULLET = re.compile(r"^[•▪●◦‣■□►▶✓✔·∙]\s*")
_DASH_ITEM = re.compile(r"^[-*–—]\s+(?=\S)")
_NUMBERED_ITEM = re.compile(r"^(?:\(?\d{1,2}[.)]|\(?[a-zа-я][)]|\([a-zа-я]\)|[ivx]{1,4}\))\s+\S",
                            re.I)


class _Layout:
    """The normaliser's words (lexicon `layout`), and the page-number patterns built from them, made once."""

    def __init__(self) -> None:
        L = lexicon().layout
        words, distinct = phrase_alternation(L.page_words), phrase_alternation(L.page_words_distinct)
        of = rf"(?:{phrase_alternation(L.page_of)}|/)"
        # Page numbers have at most three digits, so a year alone on a line is never taken for one.
        self.page_number = re.compile(rf"^(?:(?:{words})\s*)?[-–—]?\s*\d{{1,3}}\s*[-–—]?(?:\s*{of}\s*\d{{1,3}})?$", re.I)
        self.distinct_page_number = re.compile(
            rf"^(?:(?:{distinct})\s*\d{{1,3}}(?:\s*{of}\s*\d{{1,3}})?|[-–—]\s*\d{{1,3}}\s*[-–—]|\d{{1,3}}\s*{of}\s*\d{{1,3}})$",
            re.I)
        # Prefixes that keep their hyphen when a line breaks after them ("ex-\nminister").
        self.hyphen_prefixes = frozenset(w.lower() for w in L.hyphen_prefixes)
        # A paragraph ending in one of these cannot be complete: the next one continues it.
        self.function_words = frozenset(w.lower() for w in L.function_words)


@lru_cache(maxsize=1)
def _layout_words() -> _Layout:
    return _Layout()

_BARE_NUMBER = re.compile(r"^\d{1,3}$")
_FIRST_WORD = re.compile(r"\S+")
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_LINE_END_HYPHEN = re.compile(r"[^\W\d_]+-[ \t]*\n\s*[^\W\d_]+")
_HYPHEN_TAIL = re.compile(r"([^\W\d_]+)-$")
_LEAD_LETTERS = re.compile(r"[^\W\d_]+")
_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")

# Running headers and footers are a small part of a page; more repeated lines than this
# share of all lines means the text itself repeats, and nothing is dropped as furniture.
_MAX_FURNITURE = 0.3


def normalise(source: str | Sequence[str], *, paragraphs: bool = False) -> str:
    """Return `source` as contract text.

    `source` is either a whole plain-text document (str) or its pages (a sequence of
    str, e.g. the text layer of each PDF page), whose layout (wrapping, running headers,
    page numbers, blank-line spacing) is reconstructed. With `paragraphs=True` it is a
    sequence of paragraphs already separated by markup (HTML blocks, markdown blocks),
    which only get character and whitespace cleanup.
    """
    if paragraphs:
        if isinstance(source, str):
            source = [source]
        return _join_paragraphs(_clean_paragraph(_prepare(p)) for p in source)
    pages = [source] if isinstance(source, str) else list(source)
    text = "\f".join(_prepare(p) for p in pages)
    text = _strip_markdown(text)
    page_lines = [page.split("\n") for page in text.split("\f")]
    lines = _drop_furniture(page_lines)
    paras, vocab, fixed = _layout(lines)
    paras = _glue_page_splits(paras, vocab, fixed)
    return _join_paragraphs(_clean_paragraph(p) for p in paras)


# --- character cleanup --------------------------------------------------------------------


def _prepare(text: str) -> str:
    """Unify line ends, compose characters and drop invisible ones before any layout work."""
    text = _NEWLINES.sub("\n", text)
    text = _PARA_SEPS.sub("\n\n", text)
    text = _SOFT_HYPHEN_BREAK.sub("", text)
    text = _INVISIBLE.sub("", text)
    text = unicodedata.normalize("NFC", text)
    # str.translate looks every character up: only a text with a ligature needs it
    return text.translate(_LIGATURES) if _LIGATURE.search(text) else text


def _clean_paragraph(text: str) -> str:
    """Collapse whitespace to single spaces (keeping digit-group separators) and trim."""
    if text.isprintable() and "  " not in text:
        # no whitespace but single ASCII spaces (every other one is a separator or control character, which
        # isprintable() refuses): nothing for _COLLAPSE to match, and most paragraphs of a report are so
        return text.strip()
    return _COLLAPSE.sub(" ", text).strip()


def _join_paragraphs(paras) -> str:
    return "\n\n".join(p for p in paras if p)


def _strip_markdown(text: str) -> str:
    """Remove markdown emphasis, links and heading marks that leak into plain text.

    When the text does use markdown, a line ending in two spaces (a markdown hard
    break) continues the same paragraph: "**Analytical report:**  \n**(May 2021)**".
    """
    before = len(text)
    if "*" in text or "_" in text:
        text = _MD_BOLD.sub(r"\2", text)
    if "](" in text:
        text = _MD_IMAGE.sub("", text)
        text = _MD_LINK.sub(r"\1", text)
    if "#" in text:
        text = _MD_HEADING.sub("", text)
    if len(text) != before:
        text = _MD_HARD_BREAK.sub(r"\1 ", text)
    return text


# --- running headers, footers and page numbers ---------------------------------------------


def _furniture_key(line: str) -> str:
    """A line's identity for header/footer matching: digits and spacing do not count."""
    return _SPACES.sub(" ", _DIGITS.sub("#", line)).strip().lower()


def _drop_furniture(page_lines: list[list[str]]) -> list[str]:
    """Flatten pages to lines without running headers/footers and page numbers."""
    if len(page_lines) > 1:
        return _drop_furniture_paged(page_lines)
    return _drop_furniture_unpaged(page_lines[0])


def _edge_indices(lines: list[str], depth: int = 3) -> set[int]:
    """Indices of the first and last `depth` non-blank lines of a page."""
    nonblank = [i for i, line in enumerate(lines) if line.strip()]
    return set(nonblank[:depth] + nonblank[-depth:])


def _drop_furniture_paged(page_lines: list[list[str]]) -> list[str]:
    """With page boundaries known: drop page numbers (among a page's first or last two
    lines) and lines repeated, digits aside, among the first or last three lines of at
    least half the pages (running headers and footers)."""
    edges = [_edge_indices(lines) for lines in page_lines]
    seen = Counter()
    for lines, idx in zip(page_lines, edges):
        seen.update({_furniture_key(lines[i]) for i in idx})
    pages_with_text = sum(1 for idx in edges if idx)
    threshold = max(2, (pages_with_text + 1) // 2)
    repeated = {key for key, n in seen.items() if n >= threshold}
    drops = []
    for lines, idx in zip(page_lines, edges):
        numbers = {i for i in _edge_indices(lines, 2) if _layout_words().page_number.match(lines[i].strip())}
        headers = {i for i in idx - numbers if len(lines[i].strip()) <= 150
                   and _furniture_key(lines[i]) in repeated}
        drops.append((numbers, headers))
    nonblank = sum(1 for lines in page_lines for line in lines if line.strip())
    use_headers = sum(len(h) for _, h in drops) <= _MAX_FURNITURE * nonblank
    out: list[str] = []
    for lines, (numbers, headers) in zip(page_lines, drops):
        drop = numbers | headers if use_headers else numbers
        out.extend(line for i, line in enumerate(lines) if i not in drop)
    return out


def _drop_furniture_unpaged(lines: list[str]) -> list[str]:
    """Without page boundaries: page-number lines mark them; else drop far-apart repeats.

    Lines like "Page 3 of 12", "- 3 -", "3 / 12", and bare numbers counting up by one,
    are page numbers. When there are any, the text is cut into pages after each of them
    and the paged rules apply. Otherwise a short line repeated at least three times at
    least five lines apart is taken for a running header or footer.
    """
    stripped = [line.strip() for line in lines]
    marks = {i for i, s in enumerate(stripped) if s and _layout_words().distinct_page_number.match(s)}
    marks |= _page_number_chain(stripped)
    if marks:
        pages, start = [], 0
        for i in sorted(marks):
            pages.append(lines[start:i + 1])
            start = i + 1
        pages.append(lines[start:])
        kept = _drop_furniture_paged(pages)
        return [line for line in kept if not _layout_words().distinct_page_number.match(line.strip())]
    positions: dict[str, list[int]] = {}
    order = 0
    for s in stripped:
        if s:
            if len(s) <= 100:
                positions.setdefault(_furniture_key(s), []).append(order)
            order += 1
    repeated = {
        key for key, where in positions.items()
        if len(where) >= 3 and min(b - a for a, b in zip(where, where[1:])) >= 5
        and any(ch.isalpha() for ch in key)
    }
    if not repeated:
        return lines
    kept = [line for line, s in zip(lines, stripped) if not s or _furniture_key(s) not in repeated]
    if len(lines) - len(kept) > _MAX_FURNITURE * order:
        return lines  # too much repeats to be headers: a repetitive text, leave it alone
    return kept


def _page_number_chain(stripped: list[str]) -> set[int]:
    """Bare-number lines that count up by one (1, 2, 3...) are page numbers, not data."""
    nums = [(i, int(s)) for i, s in enumerate(stripped) if _BARE_NUMBER.match(s)]
    chain = set()
    for (i, a), (j, b) in zip(nums, nums[1:]):
        if b == a + 1 and j - i >= 5:
            chain |= {i, j}
    return chain


# --- layout: blank lines, wrapping ---------------------------------------------------------


def _layout(lines: list[str]) -> tuple[list[str], _Vocab | None, set[int]]:
    """Group lines into paragraphs; also return the document's vocabulary, if needed, and the indices of the
    paragraphs that are rendered table rows (never glued to a neighbour)."""
    texts = [line.strip() for line in lines]
    nonblank = [t for t in texts if t]
    if not nonblank:
        return [], None, set()
    tables = _text_tables(lines)
    # the layout's statistics (line width, spacing, indent) are taken over all lines, tables included, so that
    # finding a table never changes how the prose around it is read
    width = _typical_width(nonblank)
    closed = sum(1 for t in nonblank[:-1] if _STRONG_END.search(t))
    wrapped = len(nonblank) >= 3 and 30 <= width <= 200 and closed <= 0.6 * (len(nonblank) - 1)
    gaps = _gaps(texts)
    sep = _separator(gaps, wrapped)
    vocab = _vocabulary("\n".join(nonblank)) if any(t.endswith("-") for t in nonblank) else None
    indent = _usual_indent(lines)
    paras: list[str] = []
    fixed: set[int] = set()
    start = 0
    for table in [*tables, None]:
        end = table.start if table else len(lines)
        segment = lines[start:end]
        for block in _blocks(segment, [line.strip() for line in segment], sep):
            if wrapped:
                paras.extend(_unwrap(block, width, indent, vocab))
            else:
                paras.extend(_join_block(block, vocab, blank_separated=any(g for g in gaps)))
        if table:
            fixed.update(range(len(paras), len(paras) + len(table.rows)))
            paras.extend(table.rows)
            start = table.end
    return paras, vocab, fixed


def _typical_width(nonblank: list[str]) -> int:
    """The length of a full line: the 90th percentile, robust to a few overlong lines."""
    lengths = sorted(len(t) for t in nonblank)
    return lengths[min(len(lengths) - 1, int(0.9 * len(lengths)))]


def _gaps(texts: list[str]) -> list[int]:
    """Number of blank lines between each pair of consecutive non-blank lines."""
    gaps, run, started = [], 0, False
    for t in texts:
        if t:
            if started:
                gaps.append(run)
            started, run = True, 0
        else:
            run += 1
    return gaps


def _separator(gaps: list[int], wrapped: bool) -> int:
    """How many blank lines separate paragraphs.

    In double-spaced hard-wrapped text (most lines followed by the same number of blank
    lines, most lines ending mid-sentence) those blank lines are spacing, and only a
    longer run of blank lines separates paragraphs.
    """
    spaced = [g for g in gaps if g]
    if wrapped and gaps and len(spaced) >= 0.7 * len(gaps):
        return Counter(spaced).most_common(1)[0][0] + 1
    return 1


def _blocks(lines: list[str], texts: list[str], sep: int) -> list[list[str]]:
    """Split lines at runs of at least `sep` blank lines (see `_separator`)."""
    blocks: list[list[str]] = [[]]
    run = 0
    for line, t in zip(lines, texts):
        if not t:
            run += 1
            continue
        if run >= sep and blocks[-1]:
            blocks.append([])
        run = 0
        blocks[-1].append(line.rstrip())
    return [b for b in blocks if b]


def _usual_indent(lines: list[str]) -> int:
    counts = Counter(len(line) - len(line.lstrip()) for line in lines if line.strip())
    return counts.most_common(1)[0][0] if counts else 0


def _is_item(text: str) -> bool:
    return bool(_BULLET.match(text) or _DASH_ITEM.match(text) or _NUMBERED_ITEM.match(text))


def _strip_bullet(text: str) -> str:
    """Bullet glyphs and dashes are layout; numbered markers are kept (they may be cited)."""
    return _DASH_ITEM.sub("", _BULLET.sub("", text), count=1)


def _unwrap(block: list[str], width: int, indent: int, vocab: _Vocab | None) -> list[str]:
    """Rejoin hard-wrapped lines; start a new paragraph where `_breaks_after` says so."""
    paras: list[str] = []
    parts: list[str] = []
    for k, raw in enumerate(block):
        line = raw.strip()
        if parts and _breaks_after(block[k - 1].strip(), raw, width, indent):
            paras.append("".join(parts))
            parts = []
        _append_line(parts, line, vocab)
    if parts:
        paras.append("".join(parts))
    return paras


def _breaks_after(prev: str, raw_next: str, width: int, indent: int) -> bool:
    """Does a paragraph end between line `prev` and the next line?

    * the next line is a bulleted item, or a dash/numbered item after a closed line;
    * `prev` ends a sentence (. ! ? … : plus closing quotes) and is not a full line:
      the next line's first word would have fitted on it, or it is under 80 % of the
      typical width;
    * `prev` ends a sentence and the next line is indented more than usual;
    * `prev` does not end a sentence, the next line's first word would have fitted on it
      with room to spare (within 80 % of the width), and the next line starts with a
      capital, a digit or a quote: `prev` is a heading or a label.
    """
    nxt = raw_next.strip()
    if _BULLET.match(nxt):
        return True
    ends = bool(_END.search(prev))
    short = len(prev) < 0.8 * width
    if (_DASH_ITEM.match(nxt) or _NUMBERED_ITEM.match(nxt)) and (_STRONG_END.search(prev) or short):
        return True
    first = _FIRST_WORD.match(nxt)
    fits = len(prev) + 1 + (len(first.group()) if first else 0) <= width
    if ends and (fits or short):
        return True
    if ends and len(raw_next) - len(raw_next.lstrip()) > indent:
        return True
    roomy = len(prev) + 1 + (len(first.group()) if first else 0) <= 0.8 * width
    if not ends and roomy and not prev.endswith("-"):
        head = nxt[:1]
        return head.isupper() or head.isdigit() or head in "\"“«'‘"
    return False


def _join_block(block: list[str], vocab: _Vocab | None, blank_separated: bool) -> list[str]:
    """Join the lines of a block in a text that is not hard-wrapped.

    When blank lines separate paragraphs, the lines of a block belong together
    (markdown semantics: soft line breaks, "  " hard breaks), except list items.
    Without blank lines, each line is a paragraph.
    """
    if not blank_separated:
        return [raw.strip() for raw in block]
    paras: list[list[str]] = []
    prev = ""
    for raw in block:
        line = raw.strip()
        if paras and not _is_item(line) and not _own_line(prev, line):
            _append_line(paras[-1], line, vocab)
        else:
            paras.append([line])
        prev = line
    return ["".join(parts) for parts in paras]


_KEY_VALUE_LINE = re.compile(r"^[^.!?]{2,80}:\s+\S.{0,60}$")


def _own_line(prev: str, line: str) -> bool:
    """In text that is not hard-wrapped, a line is its own paragraph after a finished line: a sentence,
    a heading in capitals, or a short "Label: value" line ("Cybercrimes registered (Jan–Oct): 12 640")."""
    if not prev or not line[:1].isupper() and not line[:1].isdigit():
        return False
    if prev.isupper() and len(prev) < 80:
        return True
    return bool(_KEY_VALUE_LINE.match(prev)) and not prev.endswith((",", ";", "-"))


def _append_line(parts: list[str], line: str, vocab: _Vocab | None) -> None:
    """Add a line to a paragraph kept as a list of pieces, so joining stays linear."""
    if not parts:
        parts.append(line)
    elif parts[-1].endswith("-"):
        glue = _hyphen_glue(parts[-1], line, vocab)
        if glue is None:
            parts[-1] = parts[-1][:-1]
        elif glue:
            parts.append(glue)
        parts.append(line)
    else:
        parts.extend((" ", line))


# --- hyphenation ----------------------------------------------------------------------------


class _Vocab:
    """Words of the document (outside line-end hyphenations), to judge hyphenated breaks."""

    def __init__(self, words: set[str], hyphenated: set[str]):
        self.words = words
        self.hyphenated = hyphenated


def _vocabulary(text: str) -> _Vocab:
    inner = _LINE_END_HYPHEN.sub(" ", text)
    words: set[str] = set()
    hyphenated: set[str] = set()
    for w in _WORD.findall(inner):
        w = w.lower()
        if "-" in w:
            hyphenated.add(w)
            words.update(w.split("-"))
        else:
            words.add(w)
    return _Vocab(words, hyphenated)


def _hyphen_glue(left: str, right: str, vocab: _Vocab | None) -> str | None:
    """How to join `left` (ending in "-") and `right` across a line break.

    Returns None to drop the hyphen ("organi-zation" -> "organization"), "" to keep it
    ("military-industrial", "BTR-82A", "Belarusian-Russian", "2021-2022"), or " " for
    a spaced dash ("Affairs -" + "the head"), which is not a hyphen at all.

    The hyphen stays when the next part does not start with a lowercase letter, when
    the document spells the hyphenated form elsewhere, when the first part is a prefix
    that takes a hyphen ("ex-", "self-", "anti-"...), or when both parts are words of
    four letters or more that the document uses on their own, unless it also uses
    the joined form. Otherwise the break is taken for a hyphenation.
    """
    if len(left) < 2 or left[-2].isspace() or left.endswith("--"):
        return " "
    tail = _HYPHEN_TAIL.search(left, max(0, len(left) - 80))
    head = _LEAD_LETTERS.match(right)
    if not tail or not head or not right[0].islower():
        return ""
    first, second = tail.group(1).lower(), head.group().lower()
    keep = first in _layout_words().hyphen_prefixes
    if vocab is not None:
        if f"{first}-{second}" in vocab.hyphenated:
            keep = True
        elif first + second in vocab.words:
            keep = False
        elif len(first) >= 4 and len(second) >= 4 and first in vocab.words and second in vocab.words:
            keep = True
    return "" if keep else None


# --- paragraphs split by page breaks --------------------------------------------------------


def _continues(prev: str, nxt: str) -> bool:
    """Is `nxt` the rest of `prev`, cut off by a page break or a stray blank line?"""
    prev = prev.rstrip()
    if not prev or not nxt or _STRONG_END.search(prev) or _is_item(nxt.lstrip()):
        return False
    if prev.endswith("-") and _HYPHEN_TAIL.search(prev) and nxt[:1].islower():
        return True
    if nxt[:1].islower():
        return True
    last = prev.rsplit(None, 1)[-1].lower()
    return last in _layout_words().function_words


def _glue_page_splits(paras: list[str], vocab: _Vocab | None, fixed: set[int] = frozenset()) -> list[str]:
    """Glue paragraphs cut mid-sentence, then drop list bullets from paragraph starts.

    Paragraphs in `fixed` (rendered table rows) are kept as they are and nothing is glued to them."""
    out: list[list[str]] = []
    last_open = False
    for k, p in enumerate(paras):
        p = p.strip()
        if not p:
            continue
        if k in fixed:
            out.append([p])
            last_open = False
        elif out and last_open and _continues(out[-1][-1], p):
            _append_line(out[-1], p, vocab)
        else:
            out.append([_strip_bullet(p)])
            last_open = True
    return ["".join(parts) for parts in out]


# --- tables drawn with spaces ---------------------------------------------------------------

def table_row(header: list[str] | None, cells: list[str]) -> str:
    """A table row as a sentence that names what each cell is: "Period: 2021; Cases: 6,784".

    Figures in a table mean nothing without their column, and each row becomes its own paragraph. Shared by
    the markdown, HTML and plain-text table readers, so a table reads the same whatever its format.
    """
    cells = [" ".join(c.split()) for c in cells]
    if header and len(header) == len(cells) and header != cells:
        return "; ".join(f"{h}: {c}" if h else c for h, c in zip(header, cells) if c)
    return " ; ".join(c for c in cells if c)


_CELL_BREAK = re.compile(r"[;:]")
_WORD = re.compile(r"[^\W\d_]{2,}")


def table_cell_words(text: str, start: int, end: int, q_start: int, q_end: int) -> str | None:
    """The words that say what a table cell's figure is, for a row rendered by `table_row` ("Label; Header: 1,234"
    in text[start:end], the figure at text[q_start:q_end]): its row's label and its column's header. None when the
    figure has words of its own between the separators around it (prose, not a cell)."""
    left = max((m.end() for m in _CELL_BREAK.finditer(text, start, q_start)), default=start)
    right = _CELL_BREAK.search(text, q_end, end)
    stop = right.start() if right else end
    if left <= start or text[left - 1] != ":" or _WORD.search(text, left, q_start) or _WORD.search(text, q_end, stop):
        return None
    header = max((m.end() for m in _CELL_BREAK.finditer(text, start, left - 1)), default=start)
    label = text.find(";", start, end)  # the row's first cell: "Label; ..." or "Indicator: Label; ..."
    row = text[start:label] if 0 <= label < header else ""
    return f"{row}; {text[header:stop]}" if row else text[header:stop]


# A cell is a run of text with single spaces inside; two or more spaces (or a tab) separate cells.
_CELL = re.compile(r"\S+(?: \S+)*")
# A figure as a table cell writes it: sign, approximation or bound mark, currency symbol, digits with
# separators, percent, parentheses for a negative, a footnote mark ("~3,900", "(12.0)", "+16.6", "1.20%").
_FIGURE_CELL = re.compile(
    r"[~≈<>≤≥±+\-−–(]{0,2}\s?[$€£¥₽]?\d[\d,.\u00a0\u202f\u2009]*\s?%?\)?%?[*¹²³⁴⁵⁶⁷⁸⁹]*")
# What a table writes where it has no figure.
_EMPTY_CELL = re.compile(r"[-–—]{1,2}|n/?a|\.{2,3}|…|x", re.I)
_DOTTED_DATE = re.compile(r"\d{1,2}[./]\d{1,2}[./]\d{2,4}")
_YEAR_CELL = re.compile(r"(?:19|20)\d\d")
_MAX_HEADER_LINES = 4
_SLACK = 2  # columns a label may start off the others


class _Cell:
    __slots__ = ("start", "end", "text")

    def __init__(self, start: int, end: int, text: str) -> None:
        self.start, self.end, self.text = start, end, text

    def overlaps(self, lo: int, hi: int) -> bool:
        return self.start < hi and lo < self.end


class _Table:
    """Lines [start, end) of the layout that form a table, and their rendering: one paragraph per row."""

    __slots__ = ("start", "end", "rows")

    def __init__(self, start: int, end: int, rows: list[str]) -> None:
        self.start, self.end, self.rows = start, end, rows


def _cells(line: str) -> list[_Cell]:
    line = line.expandtabs(8)
    return [_Cell(m.start(), m.end(), m.group()) for m in _CELL.finditer(line)]


def _is_figure(text: str) -> bool:
    return bool(_FIGURE_CELL.fullmatch(text)) and not _DOTTED_DATE.fullmatch(text)


def _row_shape(cells: list[_Cell]) -> bool:
    """A data row: a label first, then at least one more cell, the last of them a figure or an empty mark."""
    if len(cells) < 2 or _is_figure(cells[0].text) or _EMPTY_CELL.fullmatch(cells[0].text):
        return False
    last = cells[-1].text
    return _is_figure(last) or bool(_EMPTY_CELL.fullmatch(last))


def _aligned(a: list[_Cell], b: list[_Cell]) -> bool:
    """Two rows of one table: as many cells, labels starting together, every other cell overlapping the one
    above it (figures align right, left or centred, so their spans overlap whatever the alignment)."""
    return (len(a) == len(b) and abs(a[0].start - b[0].start) <= _SLACK
            and all(x.overlaps(y.start, y.end) for x, y in zip(a[1:], b[1:])))


def _text_tables(lines: list[str]) -> list[_Table]:
    """Tables drawn with spaces in plain text (and PDF text layers): several consecutive rows whose cells line
    up at the same columns, a label first and at least one column of figures, with the header lines above them.

    A table needs two columns of figures, or one under a header that names it, and two rows, or one under
    such a header. Prose, even with two spaces after a full stop, has no run of aligned rows ending in figures.
    Linear: each line is split into cells once.
    """
    if not any("  " in line or "\t" in line for line in lines):
        return []
    cells = [_cells(line) if ("  " in line or "\t" in line) else None for line in lines]
    tables: list[_Table] = []
    i, n = 0, len(lines)
    while i < n:
        row = cells[i]
        if not row or not _row_shape(row):
            i += 1
            continue
        body = [i]
        sections: set[int] = set()
        j = i + 1
        while j < n:
            if cells[j] and _row_shape(cells[j]) and _aligned(row, cells[j]):
                body.append(j)
                j += 1
            elif _section_line(lines, cells, j, row):
                sections.add(j)
                body.append(j)
                j += 1
            else:
                break
        table = _make_table(lines, cells, body, tables[-1].end if tables else 0, sections)
        if table:
            tables.append(table)
            i = table.end
        else:
            i = j
    return tables


def _section_line(lines: list[str], cells: list[list[_Cell] | None], j: int, row: list[_Cell]) -> bool:
    """A sub-heading inside a table ("  of which:", "  Regions"): one cell among the row labels, no figure,
    with a row of the table right after it."""
    if j + 1 >= len(lines) or not lines[j].strip() or not cells[j + 1] or not _row_shape(cells[j + 1]) \
            or not _aligned(row, cells[j + 1]):
        return False
    line = cells[j] if cells[j] is not None else _cells(lines[j])
    return len(line) == 1 and line[0].start >= row[0].start - _SLACK and line[0].end < row[1].start \
        and not _is_figure(line[0].text)


def _make_table(lines: list[str], cells: list[list[_Cell] | None], body: list[int], floor: int,
                sections: set[int] = frozenset()) -> _Table | None:
    """The table around the data rows `body` (with the sub-headings `sections` among them), with its header
    lines (not above line `floor`); None if they do not make one."""
    rows = [cells[k] for k in body if k not in sections]
    width = len(rows[0])
    columns = [(min(r[c].start for r in rows), max(r[c].end for r in rows)) for c in range(width)]
    figures = [c for c in range(1, width)
               if all(_is_figure(r[c].text) or _EMPTY_CELL.fullmatch(r[c].text) for r in rows)
               and any(_is_figure(r[c].text) for r in rows)]
    if not figures or 2 * len(figures) < width - 1:
        return None  # mostly words between wide gaps: justified prose, not a table of figures
    heads: list[int] = []
    # a first row of bare years is the header ("Exercises   2024   2025" heads the rows below it)
    if len(rows) > 1 and body[1] not in sections and all(_YEAR_CELL.fullmatch(cell.text) for cell in rows[0][1:]):
        heads, body, rows = [body[0]], body[1:], rows[1:]
    label_start = columns[0][0]
    header: list[list[str]] = [[] for _ in range(width)]
    k = (heads or body)[0] - 1
    while k >= floor and body[0] - k <= _MAX_HEADER_LINES and lines[k].strip():
        parts = _header_parts(cells[k] if cells[k] is not None else _cells(lines[k]), columns, label_start)
        if parts is None:
            break
        heads.append(k)
        k -= 1
    for h in sorted(heads):
        parts = _header_parts(cells[h] if cells[h] is not None else _cells(lines[h]), columns, label_start)
        for c, text in parts:
            header[c].append(text)
    named = all(header[c] for c in figures)
    if len(figures) < 2 and not named or len(rows) < 2 and not named:
        return None
    names = [" ".join(parts) for parts in header]
    rendered = [" ".join(lines[k].split()) if k in sections
                else table_row(names if any(names) else None, [cell.text for cell in cells[k]]) for k in body]
    start = min(heads) if heads else body[0]
    return _Table(start, body[-1] + 1, rendered)


def _header_parts(line: list[_Cell], columns: list[tuple[int, int]], label_start: int) -> list[tuple[int, str]] | None:
    """The header cells of one line as (column, text); None when the line is no header of these columns (a
    title or a sentence running across them, a line naming no column of figures)."""
    out: list[tuple[int, str]] = []
    named = False
    first_start = columns[1][0] if len(columns) > 1 else columns[0][1]
    label_end = columns[0][1]
    for cell in line:
        if _is_figure(cell.text) and not _YEAR_CELL.fullmatch(cell.text):
            return None  # a row of figures, not a header
        over = [c for c in range(1, len(columns)) if cell.overlaps(*columns[c])]
        if not over and cell.start >= label_end and len(columns) > 1:
            # between two columns: the nearer one's header, the right one's on a tie (figures align right)
            gap = [(max(columns[c][0] - cell.end, cell.start - columns[c][1]), -c) for c in range(1, len(columns))]
            over = [-min(gap)[1]]
        if over:
            if cell.start <= label_start + _SLACK:
                return None  # starts at the labels' margin and runs into the figures: a title, not a header
            out.extend((c, cell.text) for c in over)
            named = True
        elif abs(cell.start - label_start) <= _SLACK and cell.end <= first_start:
            out.append((0, cell.text))  # the stub: what the row labels are
        else:
            return None
    return out if named else None
