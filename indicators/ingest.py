"""Read one report file into a `Report`: decode, extract by format, normalise.

The format comes from the extension, but the content is checked too: a misnamed PDF,
ZIP (.docx) or image is refused with a reason that says what the file really is. Every
failure on bad input is a `ReportError` subclass carrying the path, the reason and a
hint; no decoding, parsing or pypdf exception escapes `read_report`.
"""
from __future__ import annotations

import codecs
import html as htmllib
import io
import logging
import re
from collections import Counter
from pathlib import Path

import pypdf
from bs4 import BeautifulSoup, CData, Comment, Declaration, Doctype, NavigableString, ProcessingInstruction
from pypdf.errors import DependencyError, FileNotDecryptedError

from indicators.errors import BinaryReport, EmptyReport, PdfError, ReportError, UnsupportedFormat
from indicators.model import Report
from indicators.normalise import normalise, table_row

__all__ = ["UNSUPPORTED_DOCUMENTS", "read_report"]

_FORMATS = {
    ".txt": "txt", ".text": "txt",
    ".md": "md", ".markdown": "md",
    ".html": "html", ".htm": "html",
    ".pdf": "pdf",
}
_SUPPORTED = ".txt, .md, .html/.htm and .pdf"
_SAVE_AS = "save it as .txt, .md, .html or .pdf and try again"
_OCR = "run OCR on it first, e.g. ocrmypdf in.pdf out.pdf, and try again"
_OCR_IMAGE = "run OCR on it first, e.g. ocrmypdf --image-dpi 300 scan.png out.pdf, and try again"
_DECRYPT = ("decrypt it, e.g. qpdf --decrypt --password=PASSWORD in.pdf out.pdf, or save an unencrypted copy, "
            "and try again")
_EXPORT_AGAIN = "download or export the file again"
_NOT_TEXT_HINT = ("check that the right file was given; a report must be plain text, markdown, HTML or PDF; "
                  "if this is text in an unusual encoding, save it as UTF-8 and try again")

# Formats people hand in by mistake: what they are, and what to do with them.
_KINDS = {
    ".docx": ("a Word document", _SAVE_AS), ".doc": ("a Word document", _SAVE_AS),
    ".docm": ("a Word document", _SAVE_AS), ".dotx": ("a Word template", _SAVE_AS),
    ".odt": ("an OpenDocument text", _SAVE_AS), ".rtf": ("an RTF document", _SAVE_AS),
    ".pages": ("a Pages document", _SAVE_AS), ".epub": ("an e-book", _SAVE_AS),
    ".xlsx": ("an Excel workbook", _SAVE_AS), ".xls": ("an Excel workbook", _SAVE_AS),
    ".xlsm": ("an Excel workbook", _SAVE_AS), ".ods": ("an OpenDocument spreadsheet", _SAVE_AS),
    ".pptx": ("a PowerPoint presentation", _SAVE_AS), ".ppt": ("a PowerPoint presentation", _SAVE_AS),
    ".odp": ("an OpenDocument presentation", _SAVE_AS), ".xps": ("an XPS document", _SAVE_AS),
    ".djvu": ("a DjVu scan", "convert it to PDF, run OCR on it, e.g. ocrmypdf in.pdf out.pdf, and try again"),
    ".csv": ("a CSV table", _SAVE_AS),
    ".png": ("an image", _OCR_IMAGE), ".jpg": ("an image", _OCR_IMAGE), ".jpeg": ("an image", _OCR_IMAGE),
    ".tif": ("an image", _OCR_IMAGE), ".tiff": ("an image", _OCR_IMAGE), ".gif": ("an image", _OCR_IMAGE),
}
# Documents a folder walk should list with the reports, so that each is named as skipped instead of being
# passed over in silence. Not images, CSV or web-page assets: they sit next to reports (a saved page's
# pictures, the claims table written into the same folder) without being reports.
UNSUPPORTED_DOCUMENTS = frozenset(
    ".docx .doc .docm .dotx .odt .rtf .pages .epub .xlsx .xls .xlsm .ods .pptx .ppt .odp .xps .djvu".split()
)

# Magic numbers of binary files people mistake for reports.
_MAGIC = [
    (b"%PDF", "is a PDF file", "rename it to .pdf"),
    (b"PK\x03\x04", "is a ZIP archive (a .docx, .xlsx or .odt document?)", _SAVE_AS),
    (b"\xd0\xcf\x11\xe0", "is an old Microsoft Office document (.doc/.xls)", _SAVE_AS),
    (b"{\\rtf", "is an RTF document", _SAVE_AS),
    (b"\x89PNG", "is a PNG image", _OCR_IMAGE),
    (b"\xff\xd8\xff", "is a JPEG image", _OCR_IMAGE),
    (b"GIF8", "is a GIF image", _OCR_IMAGE),
    (b"II*\x00", "is a TIFF image", _OCR_IMAGE),
    (b"MM\x00*", "is a TIFF image", _OCR_IMAGE),
    (b"\x1f\x8b", "is gzip-compressed", "decompress it first"),
    (b"7z\xbc\xaf", "is a 7-Zip archive", "extract it first"),
    (b"Rar!", "is a RAR archive", "extract it first"),
]


def read_report(path: str | Path) -> Report:
    """Read one report file (.txt, .md, .html/.htm, .pdf) into a normalised `Report`."""
    path = Path(path)
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise _unsupported(path)
    data = _read_bytes(path)
    if not data.strip():
        raise EmptyReport(path, "the file is empty" if not data else "the file holds only whitespace",
                          "check that the right file was exported")
    if fmt == "pdf":
        text, title = _read_pdf(path, data)
    else:
        _refuse_magic(path, data)
        decoded = _decode_html(path, data) if fmt == "html" else _decode(path, data)
        if not decoded.strip():
            raise EmptyReport(path, "the file holds only whitespace", "check that the right file was exported")
        if fmt == "html":
            text, title = _read_html(decoded)
        elif fmt == "md":
            text, title = _read_markdown(decoded)
        else:
            text = normalise(decoded)
            title = _title_from_text(text)
    if not text:
        raise EmptyReport(path, "no text is left after removing markup, page numbers and headers",
                          "check that the file holds the report's text")
    return Report(id=path.stem, path=str(path), format=fmt, text=text, title=title)


def _unsupported(path: Path) -> UnsupportedFormat:
    """"unsupported format .docx (a Word document): ..." with what to do about that kind of file."""
    suffix = path.suffix.lower()
    if not suffix:
        return UnsupportedFormat(path, f"a file without an extension is not read; the formats read are {_SUPPORTED}",
                                 "if it is a report, give it its extension (.txt, .md, .html or .pdf) and try again")
    what, hint = _KINDS.get(suffix, ("", _SAVE_AS))
    kind = f" ({what})" if what else ""
    return UnsupportedFormat(path, f"unsupported format {suffix}{kind}: the formats read are {_SUPPORTED}", hint)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ReportError(path, "the file does not exist", "check the path") from None
    except IsADirectoryError:
        raise ReportError(path, "this is a directory, not a file", "give the path of one report file") from None
    except PermissionError:
        raise ReportError(path, "permission denied", "make the file readable") from None
    except OSError as exc:
        raise ReportError(path, f"the file cannot be read ({exc.strerror or exc})", "check the file") from None


def _refuse_magic(path: Path, data: bytes) -> None:
    """A text-format name on a binary file: say what the file really is."""
    head = data[:16]
    for magic, what, hint in _MAGIC:
        if head.startswith(magic):
            raise BinaryReport(path, f"the file is named {path.suffix} but {what}", hint)


# --- decoding --------------------------------------------------------------------------------

_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
]
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\ufffd]")
# cp1251 letters: А-я (0xC0-0xFF) plus Ё ё Ў ў І і Є є Ї ї Ґ ґ.
_CP1251_RUN = re.compile(rb"[\xc0-\xff\xa8\xb8\xa1\xa2\xb2\xb3\xaa\xba\xaf\xbf\xa5\xb4]{2,}")
_LATIN_ADJ = re.compile(rb"[A-Za-z][\xc0-\xff]|[\xc0-\xff][A-Za-z]")


def _decode(path: Path, data: bytes) -> str:
    """Bytes to str: BOM, then UTF-16 by NUL pattern, UTF-8, then cp1251 vs cp1252."""
    text = None
    for bom, enc in _BOMS:
        if data.startswith(bom):
            text = data[len(bom):].decode(enc, errors="replace")
            break
    if text is None:
        utf16 = _sniff_utf16(data)
        if utf16:
            text = data.decode(utf16, errors="replace")
        elif b"\x00" in data:
            raise BinaryReport(path, "the file contains NUL bytes: it is binary data, not text",
                               _NOT_TEXT_HINT)
        else:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                text = _mostly_utf8(data) or _decode_legacy(data)
    _check_binary(path, text)
    return text


def _cp1252_fallback(err: UnicodeDecodeError) -> tuple[str, int]:
    bad = err.object[err.start:err.end]
    return bad.decode("cp1252", errors="replace"), err.end


codecs.register_error("indicators-cp1252", _cp1252_fallback)
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 with a few stray bytes (a pasted Windows dash or quote): UTF-8, the strays read as cp1252.

    Decoding the whole file as cp1252 instead would garble every correct UTF-8 character. Text in a
    single-byte encoding has hardly any valid UTF-8 sequences, so it goes to `_decode_legacy`.
    """
    good = len(_UTF8_MULTIBYTE.findall(data))
    if not good:
        return None
    text = data.decode("utf-8", errors="replace")
    if good < 2 * text.count("\ufffd"):
        return None
    return data.decode("utf-8", errors="indicators-cp1252")


def _sniff_utf16(data: bytes) -> str | None:
    """UTF-16 without BOM: the high byte of each pair is nearly constant and a control byte
    (0x00 for Latin, 0x04 for Cyrillic), which single-byte text never has in bulk. Tabs and
    line ends are not such bytes: "1\n2\n3\n" is a column of figures, not UTF-16."""
    if len(data) < 4:
        return None
    sample = data[:4096]
    even, odd = sample[0::2], sample[1::2]
    (even_byte, even_top), = Counter(even).most_common(1)
    (odd_byte, odd_top), = Counter(odd).most_common(1)
    if _high_byte(odd_byte) and odd_top >= 0.6 * len(odd) and even_top < 0.3 * len(even):
        return "utf-16-le"
    if _high_byte(even_byte) and even_top >= 0.6 * len(even) and odd_top < 0.3 * len(odd):
        return "utf-16-be"
    return None


def _high_byte(byte: int) -> bool:
    return byte < 0x20 and byte not in b"\t\n\x0b\x0c\r"


def _decode_legacy(data: bytes) -> str:
    """Single-byte text: Cyrillic (cp1251, KOI8-R) or Western (cp1252, Latin-1).

    Cyrillic words are runs of high bytes; accented Latin letters sit alone among ASCII
    letters. KOI8-R is told from cp1251 by which decoding gives the more common Russian
    letters (case aside: "МИНИСТЕРСТВО" in cp1251 reads "лхмхярепярбн" as KOI8-R).
    """
    runs = sum(len(m) for m in _CP1251_RUN.findall(data))
    latin = len(_LATIN_ADJ.findall(data))
    if runs > 2 * latin:
        cp1251 = data.decode("cp1251", errors="replace")
        koi8 = data.decode("koi8_r", errors="replace")
        return koi8 if _russian_score(koi8) > _russian_score(cp1251) else cp1251
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


_COMMON_RU = frozenset("оеаинтсрвлкмдпуяы")  # about 80 % of the letters of Russian (and Belarusian) text
_CYRILLIC_OR_BOX = re.compile(r"[\u0400-\u04ff\u2500-\u257f\u2580-\u259f]")


def _russian_score(text: str) -> float:
    """Share of common Russian letters among the Cyrillic letters and box-drawing characters."""
    chars = _CYRILLIC_OR_BOX.findall(text)
    if not chars:
        return 0.0
    return sum(c.lower() in _COMMON_RU for c in chars) / len(chars)


def _check_binary(path: Path, text: str) -> None:
    """Control characters or undecodable bytes in quantity mean this is not text."""
    text = text.rstrip("\x1a")  # DOS end-of-file marker
    bad = len(_CONTROL.findall(text))
    if bad > max(2, 0.01 * len(text)):
        raise BinaryReport(path, f"{bad} control or undecodable characters: this is not text in a known encoding",
                           _NOT_TEXT_HINT)


# --- HTML --------------------------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_\-.]+)""")
_DROP_TAGS = ["script", "style", "noscript", "template", "iframe", "svg", "canvas", "object",
              "embed", "nav", "footer", "aside", "button", "select", "input", "textarea",
              "dialog", "head", "map", "audio", "video", "picture", "img"]
_BOILER_WORDS = frozenset(
    """nav navbar navigation menu menubar sidebar footer cookie cookies consent banner share
    sharing social related comment comments advert adverts advertisement ads ad breadcrumb
    breadcrumbs popup modal subscribe subscription newsletter masthead toolbar promo sponsored
    widget widgets skip""".split()
)
_BOILER_ROLES = frozenset(
    "navigation banner contentinfo complementary search menu menubar dialog alertdialog toolbar".split()
)
_HEADER_WORDS = frozenset({"header", "masthead"})
_BLOCK_TAGS = frozenset(
    """p div section article main header h1 h2 h3 h4 h5 h6 li ul ol dl dd dt blockquote
    figure figcaption address hr table thead tbody tfoot caption center details summary
    fieldset legend body html""".split()
)
_NOT_TEXT = (Comment, Declaration, Doctype, ProcessingInstruction, CData)
_TOKEN_SPLIT = re.compile(r"[\s\-_]+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


def _decode_html(path: Path, data: bytes) -> str:
    """BOM, then a declared charset that actually decodes, then the plain-text detection."""
    if not any(data.startswith(bom) for bom, _ in _BOMS):
        head = data[:4096]
        match = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
        if match:
            name = match.group(1).decode("ascii").lower()
            if name in {"iso-8859-1", "latin1", "latin-1", "us-ascii", "ascii"}:
                name = "cp1252"  # what browsers do
            try:
                codec = codecs.lookup(name).name
                if not codec.startswith("utf-16") and not codec.startswith("utf-32"):
                    text = data.decode(codec)
                    _check_binary(path, text)
                    return text
            except (LookupError, UnicodeDecodeError):
                pass
    return _decode(path, data)


def _read_html(decoded: str) -> tuple[str, str]:
    if not re.search(r"<[A-Za-z!/]", decoded):  # no markup at all: treat as plain text
        text = normalise(decoded)
        return text, _title_from_text(text)
    soup = BeautifulSoup(decoded, "lxml")
    for node in soup.find_all(string=lambda s: isinstance(s, _NOT_TEXT)):
        node.extract()
    title = _html_title(soup)
    for tag in soup.find_all(_DROP_TAGS):
        if not tag.decomposed:
            tag.decompose()
    _drop_boilerplate(soup)
    root = _html_content_root(soup)
    blocks = _html_blocks(root)
    return normalise(blocks, paragraphs=True), title


def _html_title(soup) -> str:
    """The article's <h1>, else the page's first <h1>, else <title>."""
    for scope in (soup.find("article"), soup.find("main"), soup):
        h1 = scope.find("h1") if scope is not None else None
        if h1 is not None:
            text = normalise([h1.get_text(" ")], paragraphs=True)
            if text:
                return text
    if soup.title is not None:
        return normalise([soup.title.get_text(" ")], paragraphs=True)
    return ""


def _tokens(tag) -> set[str]:
    values = [tag.get("id") or ""]
    classes = tag.get("class") or []
    values.extend(classes if isinstance(classes, list) else [classes])
    tokens: set[str] = set()
    for value in values:
        tokens.update(t.lower() for t in _TOKEN_SPLIT.split(str(value)) if t)
    return tokens


def _drop_boilerplate(soup) -> None:
    """Remove site chrome named by tag, role, id or class; never the article itself.

    An element is kept, whatever its name, when it holds the <article>/<main> or at
    least half of the page's paragraphs (a `<div class="has-sidebar">` wrapper, an
    ASP.NET page-wide <form>).
    """
    total_p = len(soup.find_all("p"))
    for tag in soup.find_all(True):
        if tag.decomposed or tag.name in {"html", "body", "main", "article"}:
            continue
        role = str(tag.get("role") or "").lower()
        tokens = _tokens(tag)
        hidden = (tag.has_attr("hidden") or str(tag.get("aria-hidden") or "").lower() == "true"
                  or _HIDDEN_STYLE.search(str(tag.get("style") or "")))
        is_header = tag.name == "header" or bool(tokens & _HEADER_WORDS) or role == "banner"
        boiler = (hidden or role in _BOILER_ROLES or bool(tokens & _BOILER_WORDS)
                  or tag.name == "form")
        if not (boiler or is_header) or role == "main" or tag.find(["article", "main"]) is not None:
            continue
        if not hidden and total_p >= 3 and 2 * len(tag.find_all("p")) >= total_p:
            continue
        h1 = tag.find("h1") if is_header and not hidden else None
        if h1 is not None:
            tag.replace_with(h1.extract())
        else:
            tag.decompose()


def _html_content_root(soup):
    """The article: the biggest <article>, else <main>, else [role=main], else the body."""
    articles = soup.find_all("article")
    if articles:
        return max(articles, key=lambda a: len(a.get_text()))
    return soup.find("main") or soup.find(attrs={"role": "main"}) or soup.body or soup


def _html_blocks(root) -> list[str]:
    """Walk the tree once: block elements make paragraphs, inline ones flow into them."""
    blocks: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        if buf:
            blocks.append("".join(buf))
            buf.clear()

    stack: list = [root]
    while stack:
        node = stack.pop()
        if node is None:  # end-of-block marker
            flush()
            continue
        if isinstance(node, NavigableString):
            buf.append(str(node))
            continue
        name = node.name
        if name == "br":
            buf.append(" ")
        elif name == "tr":
            flush()
            blocks.append(table_row(_html_header(node), _html_cells(node)))
        elif name == "pre":
            flush()
            blocks.extend(node.get_text().split("\n"))
        elif name in _BLOCK_TAGS:
            flush()
            stack.append(None)
            stack.extend(reversed(node.contents))
        else:
            stack.extend(reversed(node.contents))
    flush()
    return blocks


# --- markdown ----------------------------------------------------------------------------------

_MD_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
# Raw HTML blocks whose content is never text (as in an HTML file): dropped with their content.
_MD_RAW_CODE = re.compile(r"<(script|style|noscript|template)\b[^>]*>.*?(?:</\1\s*>|\Z)", re.S | re.I)
_MD_FRONT = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_MD_FENCE = re.compile(r"^[ \t]{0,3}(```|~~~)")
_MD_ATX = re.compile(r"^[ \t]{0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_MD_SETEXT = re.compile(r"^[ \t]{0,3}(=+|-+)[ \t]*$")
_MD_RULE = re.compile(r"^[ \t]{0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_MD_QUOTE = re.compile(r"^[ \t]{0,3}(?:>[ \t]?)+")
_MD_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?")
_MD_TABLE_SEP = re.compile(r"^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_MD_REFDEF = re.compile(r"^[ \t]{0,3}\[[^\]]+\]:[ \t]*\S+.*$")
_MD_INLINE = [
    (re.compile(r"!\[[^\]]*\]\([^)]*\)|!\[[^\]]*\]\[[^\]]*\]"), ""),  # images
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # [text](url)
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),  # [text][ref]
    (re.compile(r"<((?:https?|ftp|mailto):[^>\s]+)>"), r"\1"),  # autolinks
    (re.compile(r"<br\s*/?>", re.I), " "),
    (re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>"), ""),  # raw HTML tags
    (re.compile(r"(`+)(.+?)\1"), r"\2"),  # inline code
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),  # strong
    (re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])"), r"\1"),  # *em*
    (re.compile(r"(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)"), r"\1"),  # _em_
    (re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"), r"\1"),  # strikethrough
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])"), r"\1"),  # backslash escapes
]


def _read_markdown(decoded: str) -> tuple[str, str]:
    blocks, title = _markdown_blocks(decoded)
    return normalise(blocks, paragraphs=True), title


def _md_inline(text: str) -> str:
    for pattern, repl in _MD_INLINE:
        text = pattern.sub(repl, text)
    return htmllib.unescape(text)


def _md_cells(row: str) -> list[str]:
    return [_md_inline(c.strip()) for c in row.strip().strip("|").split("|")]


def _html_cells(tr) -> list[str]:
    return [c.get_text(" ") for c in tr.find_all(["td", "th"], recursive=False)] or \
        [c.get_text(" ") for c in tr.find_all(["td", "th"])]


def _html_header(tr) -> list[str] | None:
    """The header cells of the row's table: its first row when that row is all <th>."""
    table = tr.find_parent("table")
    first = table.find("tr") if table is not None else None
    if first is None or first.find("td") is not None or first is tr:
        return None
    return [" ".join(c.split()) for c in _html_cells(first)]


def _markdown_blocks(text: str) -> tuple[list[str], str]:
    """Markdown to paragraphs: one per paragraph, heading, list item, table row, code line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    title = ""
    front = _MD_FRONT.match(text)
    if front:
        for line in front.group(1).split("\n"):
            key, _, value = line.partition(":")
            if key.strip().lower() == "title":
                title = value.strip().strip("\"'")
        text = text[front.end():]
    text = _MD_COMMENT.sub("", text)
    if "<" in text:
        text = _MD_RAW_CODE.sub("", text)
    lines = text.split("\n")
    blocks: list[str] = []
    para: list[str] = []
    headings: list[str] = []

    def flush() -> None:
        if para:
            blocks.append(_md_inline(" ".join(para)))
            para.clear()

    def heading(raw: str) -> None:
        flush()
        value = _md_inline(raw)
        blocks.append(value)
        headings.append(value)

    fence = None
    i = 0
    while i < len(lines):
        line = _MD_QUOTE.sub("", lines[i])
        i += 1
        if fence:
            if line.lstrip().startswith(fence):
                fence = None
            else:
                blocks.append(line)
            continue
        m = _MD_FENCE.match(line)
        if m:
            flush()
            fence = m.group(1)
            continue
        if not line.strip():
            flush()
            continue
        m = _MD_ATX.match(line)
        if m:
            heading(m.group(2) or "")
            continue
        if para and _MD_SETEXT.match(line) and not _MD_ITEM.match(para[-1]):
            raw = " ".join(para)
            para.clear()
            heading(raw)
            continue
        if _MD_RULE.match(line):
            flush()
            continue
        if "|" in line and i < len(lines) and _MD_TABLE_SEP.match(_MD_QUOTE.sub("", lines[i])) \
                and "-" in lines[i]:
            flush()
            header = _md_cells(line)
            blocks.append(table_row(None, header))
            i += 1
            while i < len(lines) and "|" in lines[i] and lines[i].strip():
                blocks.append(table_row(header, _md_cells(_MD_QUOTE.sub("", lines[i]))))
                i += 1
            continue
        if _MD_REFDEF.match(line):
            continue
        m = _MD_ITEM.match(line)
        if m:
            flush()
            para.append(line[m.end():])
            continue
        para.append(line)
    flush()
    if not title and headings:
        title = next((h for h in (normalise([h], paragraphs=True) for h in headings) if h), "")
    return blocks, normalise([title], paragraphs=True) if title else ""


# --- PDF -----------------------------------------------------------------------------------------


def _read_pdf(path: Path, data: bytes) -> tuple[str, str]:
    """pypdf text layer per page, then the plain-text layout rules across pages."""
    if b"%PDF" not in data[:1024]:
        for magic, what, hint in _MAGIC:
            if data[:16].startswith(magic):
                raise PdfError(path, f"the file is named .pdf but {what}", hint)
        if _CONTROL.search(data[:2048].decode("latin-1")):
            raise PdfError(path, "the file is named .pdf but is not a PDF: it does not start with %PDF and holds "
                           "binary data", "check that the right file was exported, and try again")
        raise PdfError(path, "the file is named .pdf but does not start with %PDF (it looks like text)",
                       "if it is text, rename it to .txt and try again")
    if b"%%EOF" not in data:
        raise PdfError(path, "the PDF is truncated (no end-of-file marker)", _EXPORT_AGAIN)
    pages, meta_title, damage, pictures = _pdf_pages(path, data)
    if not any(p.strip() for p in pages):
        if damage and not pictures:
            raise PdfError(path, f"the PDF is damaged: no text could be read from it (pypdf: {damage})",
                           _EXPORT_AGAIN)
        raise PdfError(path, "the PDF has no text layer (a scan or images only): it needs OCR", _OCR)
    text = normalise(pages)
    return text, _title_from_text(text) or _pdf_meta_title(meta_title)


_FILE_LIKE_TITLE = re.compile(r"^(?:microsoft \w+ - |untitled\b)|\.(?:docx?|odt|pdf|rtf|txt|indd|pptx?)$", re.I)


def _pdf_meta_title(raw: str) -> str:
    """The document-info title, unless it is an editor's file name ("Microsoft Word - x.docx").

    It is the only title left when the title on page 1 doubles as the running header
    and was dropped with the other headers.
    """
    title = normalise([raw], paragraphs=True)
    if not title or _FILE_LIKE_TITLE.search(title) or not _looks_like_title(title):
        return ""
    return title


class _Collect(logging.Handler):
    """Keeps pypdf's warnings (repairs of a damaged file) to tell a damaged PDF from a scanned one."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.messages) < 20:
            self.messages.append(record.getMessage())


def _pdf_pages(path: Path, data: bytes) -> tuple[list[str], str, str, bool]:
    """Page texts, the info title, pypdf's first complaint ("" for none), and whether any page draws images."""
    logger = logging.getLogger("pypdf")
    level, propagate = logger.level, logger.propagate
    collect = _Collect()
    logger.addHandler(collect)
    logger.setLevel(logging.WARNING)
    logger.propagate = False  # pypdf logs every repair; our PdfError says what matters
    try:
        try:
            reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                try:
                    ok = reader.decrypt("")
                except DependencyError:
                    ok = 0
                if not ok:
                    raise PdfError(path, "the PDF is encrypted (password-protected)", _DECRYPT)
            n = len(reader.pages)
        except ReportError:
            raise
        except FileNotDecryptedError:
            raise PdfError(path, "the PDF is encrypted (password-protected)", _DECRYPT) from None
        except Exception as exc:  # pypdf raises many types on damaged files
            raise PdfError(path, f"the PDF is damaged or truncated ({type(exc).__name__}: {exc})",
                           _EXPORT_AGAIN) from None
        if n == 0:
            raise PdfError(path, "the PDF has no pages", _EXPORT_AGAIN)
        try:
            meta_title = str((reader.metadata or {}).get("/Title") or "")
        except Exception:  # a damaged info dictionary only costs the title
            meta_title = ""
        pages = []
        pictures = False
        for number in range(n):
            try:
                page = reader.pages[number]
                pages.append(page.extract_text() or "")
                if not pages[-1].strip() and not pictures:
                    pictures = _draws_something(page)
            except Exception as exc:
                raise PdfError(path, f"page {number + 1} of the PDF cannot be read "
                               f"({type(exc).__name__}: {exc})", _EXPORT_AGAIN) from None
        return pages, meta_title, (collect.messages[0] if collect.messages else ""), pictures
    finally:
        logger.removeHandler(collect)
        logger.setLevel(level)
        logger.propagate = propagate


def _draws_something(page) -> bool:
    """Does a page without text show images or drawings (a scan, a chart)? Damaged pages show nothing."""
    try:
        resources = page.get("/Resources")
        resources = resources.get_object() if resources is not None else None
        if resources is not None and resources.get("/XObject"):
            return True
        contents = page.get_contents()
        return contents is not None and bool(contents.get_data().strip())
    except Exception:
        return False


# --- titles --------------------------------------------------------------------------------------

_TITLE_BAD_END = re.compile(r"[.,;]['\"”’»]*$")


def _title_from_text(text: str) -> str:
    """The first paragraph when it reads like a title: short, few words, no full stop.

    A first paragraph ending in ":" ("Analytical report:") is a title only together
    with a title-like second paragraph; alone it introduces a list.
    """
    paras = text.split("\n\n")
    if len(paras) < 2 or not _looks_like_title(paras[0]):
        return ""
    if paras[0].endswith(":"):
        if len(paras) > 2 and _looks_like_title(paras[1]) and not paras[1].endswith(":"):
            return f"{paras[0]} {paras[1]}"
        return ""
    return paras[0]


def _looks_like_title(para: str) -> bool:
    return (len(para) <= 160 and len(para.split()) <= 20 and not _TITLE_BAD_END.search(para)
            and any(ch.isalpha() for ch in para))
