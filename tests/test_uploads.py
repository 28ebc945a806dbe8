"""Uploads without a browser: size limit, content checks, safe names, dedup, the server-side request limit."""
import base64
import io
import json
import os
import stat
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from indicators.catalog import load_catalog
from indicators.dashboard import uploads
from indicators.dashboard.app import create_app
from indicators.dashboard.uploads import FORMATS_READ, ingest_upload, ingest_uploads, safe_name
from indicators.store import Store

ROOT = Path(__file__).parent.parent
CATALOG = load_catalog()
REPORT = b"Report (May 2021)\n\nAbout 5 thousand reservists were called up for military training.\n"


def _url(data: bytes, mime: str = "text/plain") -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


@pytest.fixture
def store(db_url):
    return Store(db_url)


def _pdf(text: str) -> bytes:
    from fpdf import FPDF
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    for line in text.splitlines():
        pdf.cell(0, 10, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


# ------------------------------------------------------------------------------------------- names

@pytest.mark.parametrize("name, want", [
    ("report.txt", ("report", ".txt")),
    ("../../etc/passwd.txt", ("passwd", ".txt")),
    ("a/b\\c.txt", ("c", ".txt")),
    ("..\\..\\windows\\win.ini.md", ("win.ini", ".md")),
    ("/abs/path/r.PDF", ("r", ".pdf")),
    ("evil.txt\x00.pdf", ("evil.txt", ".pdf")),
    ("\x00\x00.txt", ("upload", ".txt")),
    ("nul\x00byte.html", ("nulbyte", ".html")),
    ("..", ("upload", "")),
    ("../", ("upload", "")),
    (".txt", ("upload", ".txt")),
    ("", ("upload", "")),
    (None, ("upload", "")),
    ("new report (final).htm", ("new_report_final", ".htm")),
    ("Отчёт за май.txt", ("Отчёт_за_май", ".txt")),
    ("a／b.txt", ("b", ".txt")),  # a fullwidth solidus: NFKC makes it '/', and the last part is kept
    ("x" * 500 + ".txt", ("x" * 100, ".txt")),
    ("<script>alert(1)</script>.txt", ("script", ".txt")),  # '/' splits it: the last part is "script>.txt"
])
def test_safe_name_keeps_one_harmless_component(name, want):
    stem, suffix = safe_name(name)
    assert (stem, suffix) == want
    assert stem not in ("", ".", "..") and not stem.startswith(".")
    assert not set(stem) & set("/\\\x00<>:\"|?*")


def test_nothing_is_written_outside_a_private_temporary_folder(store, tmp_path, monkeypatch):
    """Hostile names: every write goes to a fresh 0700 folder under the temporary directory, under the sanitised
    name, and is gone afterwards; nothing else in the tree (the working directory included) changes."""
    sandbox = tmp_path / "sandbox"
    tmpbase = sandbox / "a" / "b" / "tmp"
    tmpbase.mkdir(parents=True)
    (sandbox / "etc").mkdir()
    cwd = sandbox / "a" / "b" / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    monkeypatch.setattr(tempfile, "tempdir", str(tmpbase))
    before = sorted(p.relative_to(sandbox) for p in sandbox.rglob("*"))

    writes = []
    real_open = os.open

    def spy(path, flags, *args, **kw):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            parent = Path(path).parent
            writes.append((Path(path), stat.S_IMODE(parent.stat().st_mode), flags))
        return real_open(path, flags, *args, **kw)

    monkeypatch.setattr(uploads.os, "open", spy)
    names = ["../../etc/passwd.txt", "a/b\\c.txt", "..\\..\\..\\etc\\x.md", "nul\x00/../../etc/y.txt",
             "/etc/z.txt", "../" * 20 + "etc/w.txt"]
    for k, name in enumerate(names):
        body = REPORT.replace(b"5 thousand", f"{k + 5} thousand".encode())  # each one new content
        result = ingest_upload(store, CATALOG, _url(body), name)
        assert result.status == "added", result.message

    assert len(writes) == len(names)
    for (path, mode, flags), name in zip(writes, names):
        stem, suffix = safe_name(name)
        assert path.name == f"{stem}{suffix}"
        assert path.parent.parent == tmpbase.resolve() and path.parent.name.startswith("indicators-upload-")
        assert mode == 0o700 and flags & os.O_EXCL
    after = sorted(p.relative_to(sandbox) for p in sandbox.rglob("*"))
    assert after == before, "the upload left files behind or wrote outside its folder"
    assert not Path("/etc/passwd.txt").exists()
    assert set(store.reports()["id"]) == {"passwd", "c", "x", "y", "z", "w"}


# ----------------------------------------------------------------------------------------- content

def _refused(store, data: bytes, name: str) -> str:
    result = ingest_upload(store, CATALOG, _url(data, "application/octet-stream"), name)
    assert result.status == "refused", result.message
    assert FORMATS_READ in result.message, result.message
    assert store.count() == 0
    return result.message


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(range(256)) * 8
ZIP = b"PK\x03\x04\x14\x00\x06\x00\x08\x00" + b"\x00" * 20 + b"word/document.xml" + bytes(range(200))
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + bytes(range(256)) * 4


@pytest.mark.parametrize("data, name, says", [
    (EXE, "report.txt", "named .txt but is a Windows program"),
    (EXE, "report.pdf", "named .pdf but is a Windows program"),
    (EXE, "report.html", "named .html but is a Windows program"),
    (ZIP, "report.txt", "named .txt but is a ZIP archive"),
    (ZIP, "report.pdf", "named .pdf but is a ZIP archive"),
    (ZIP, "report.md", "named .md but is a ZIP archive"),
    (ELF, "report.htm", "named .htm but is a program (ELF"),
    (b"\x89PNG\r\n\x1a\n" + bytes(100), "scan.pdf", "named .pdf but is a PNG image"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "report.txt", "named .txt but is a PDF file"),
    (REPORT, "report.pdf", "named .pdf but is not a PDF (it does not start with %PDF)"),
    (REPORT, "report.docx", "unsupported format .docx"),
    (REPORT, "report.exe", "unsupported format .exe"),
    (REPORT, "report", "a file without an extension is not read"),
])
def test_content_must_match_the_extension(store, data, name, says):
    assert says in _refused(store, data, name)


def test_binary_without_a_known_magic_number_is_refused_by_the_reader(store):
    noise = bytes((n * 7919 + 13) % 256 for n in range(4000)).replace(b"\x00", b"\x01")
    for name in ("noise.txt", "noise.md", "noise.html"):
        msg = _refused(store, noise, name)
        assert "not text" in msg or "control or undecodable" in msg
    assert "NUL bytes" in _refused(store, b"text\x00with\x00nuls here and there" * 20, "n.txt")
    assert "empty" in _refused(store, b"", "empty.txt")


def test_text_html_markdown_and_pdf_are_read(store):
    html = (b"<!doctype html><html><head><title>Report (June 2021)</title></head><body><article><p>"
            b"About 6 thousand reservists were called up for military training.</p></article></body></html>")
    md = b"# Report (July 2021)\n\nAbout 7 thousand reservists were called up for military training.\n"
    utf16 = "Report (August 2021)\n\nAbout 8 thousand reservists were called up.\n".encode("utf-16")
    pdf = _pdf("Report (September 2021)\n\nAbout 9 thousand reservists were called up for military training.")
    assert pdf.startswith(b"%PDF")
    names = ["may.txt", "june.html", "july.md", "august.txt", "september.pdf"]
    results = ingest_uploads(store, CATALOG, [_url(d) for d in (REPORT, html, md, utf16, pdf)], names)
    assert [r.status for r in results] == ["added"] * 5, [r.message for r in results]
    assert [r.report for r in results] == ["may", "june", "july", "august", "september"]
    assert "1 attached" in results[0].message
    assert set(store.claims()["value"]) >= {5000.0, 6000.0, 7000.0, 9000.0}


def test_damaged_upload_is_refused(store):
    for contents in ("data:text/plain;base64,@@@@", "no comma", "data:text/plain,plain", None, 12):
        result = ingest_upload(store, CATALOG, contents, "r.txt")
        assert result.status == "refused" and "damaged" in result.message


# -------------------------------------------------------------------------------------------- size

def test_size_limit_is_checked_before_decoding(store, monkeypatch):
    limit_mb = 0.01  # 10,485 bytes
    at_limit = REPORT + b"x" * (uploads.max_bytes(limit_mb) - len(REPORT))
    assert len(at_limit) == uploads.max_bytes(limit_mb)
    assert ingest_upload(store, CATALOG, _url(at_limit), "at.txt", limit_mb).status == "added"
    decoded = []
    real = uploads.base64.b64decode
    monkeypatch.setattr(uploads.base64, "b64decode", lambda s, **kw: decoded.append(len(s)) or real(s, **kw))
    over = ingest_upload(store, CATALOG, _url(at_limit + b"xyz"), "over.txt", limit_mb)
    assert over.status == "refused" and "larger than 0.01 MB" in over.message and FORMATS_READ in over.message
    assert decoded == [], "a too-large upload must not be decoded"
    assert ingest_upload(store, CATALOG, _url(at_limit + b"y"), "over1.txt", limit_mb).status == "refused"
    assert list(store.reports()["id"]) == ["at"]


def test_limit_from_argument_environment_or_default(monkeypatch):
    monkeypatch.delenv("INDICATORS_MAX_UPLOAD_MB", raising=False)
    assert uploads.limit_mb() == 20.0
    monkeypatch.setenv("INDICATORS_MAX_UPLOAD_MB", "3.5")
    assert uploads.limit_mb() == 3.5 and uploads.limit_mb(7) == 7.0
    for bad in ("0", "-1", "lots", "nan", "inf"):
        monkeypatch.setenv("INDICATORS_MAX_UPLOAD_MB", bad)
        with pytest.raises(ValueError, match="upload limit"):
            uploads.limit_mb()
    # the request limit leaves room for base64 (4/3) and the JSON around it, and not much more
    for mb in (0.5, 20, 100):
        file_bytes = uploads.max_bytes(mb)
        assert file_bytes * 4 / 3 < uploads.max_request_bytes(mb) < file_bytes * 4 / 3 + 1024 * 1024


# ------------------------------------------------------------------------------------------ dedup

def test_same_content_twice_is_stored_once_and_says_where(store):
    first = ingest_upload(store, CATALOG, _url(REPORT), "may.txt")
    n_claims = store.count_claims()
    again = ingest_upload(store, CATALOG, _url(REPORT), "copy of may.txt")
    same_name = ingest_upload(store, CATALOG, _url(REPORT), "may.txt")
    assert first.status == "added"
    assert again.status == same_name.status == "duplicate"
    assert "already stored as may" in again.message and "already stored as may" in same_name.message
    assert list(store.reports()["id"]) == ["may"] and store.count_claims() == n_claims


# ------------------------------------------------------------------------ through the Flask server

def _upload_request(contents: list[str], names: list[str]) -> dict:
    return {"output": "..upload-result.children...uploaded.data...report-choice.options...indicator.options"
                      "...summary.children..",
            "outputs": [{"id": i, "property": p} for i, p in (("upload-result", "children"), ("uploaded", "data"),
                                                               ("report-choice", "options"),
                                                               ("indicator", "options"), ("summary", "children"))],
            "inputs": [{"id": "upload", "property": "contents", "value": contents}],
            "state": [{"id": "upload", "property": "filename", "value": names},
                      {"id": "uploaded", "property": "data", "value": 0}],
            "changedPropIds": ["upload.contents"]}


def _messages(resp) -> list[str]:
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    items = json.loads(resp.get_data())["response"]["upload-result"]["children"]
    return [li["props"]["children"] for li in items]


def test_upload_callback_through_the_server_dedups_and_refuses(store):
    client = create_app(store, CATALOG, max_upload_mb=0.05).server.test_client()
    msgs = _messages(client.post("/_dash-update-component", json=_upload_request(
        [_url(REPORT), _url(REPORT), _url(EXE), _url(REPORT + b"z" * 60_000)],
        ["../../may.txt", "again.txt", "setup.txt", "big.txt"])))
    assert msgs[0].startswith("../../may.txt: added as may")
    assert msgs[1] == "again.txt: already stored as may (same content); stored once"
    assert "setup.txt: not read: the file is named .txt but is a Windows program" in msgs[2]
    assert "big.txt: not read: larger than 0.05 MB" in msgs[3]
    assert list(store.reports()["id"]) == ["may"]
    # the limit reaches the browser too: dcc.Upload refuses larger files before sending them
    layout = json.dumps(client.get("/_dash-layout").get_json())
    assert f'"max_size": {uploads.max_bytes(0.05)}' in layout and "up to 0.05 MB each" in layout


class _Counting(io.RawIOBase):
    """A request body of `size` bytes that counts what is read of it."""

    def __init__(self, size: int):
        self.size, self.pos, self.read_bytes = size, 0, 0

    def readable(self):
        return True

    def seekable(self):
        return True

    def tell(self):
        return self.pos

    def seek(self, offset, whence=0):
        self.pos = {0: 0, 1: self.pos, 2: self.size}[whence] + offset
        return self.pos

    def readinto(self, buf):
        n = max(0, min(len(buf), self.size - self.pos))
        buf[:n] = b"{" * n
        self.pos += n
        self.read_bytes += n
        return n


def test_server_refuses_a_huge_post_without_reading_it(store):
    app = create_app(store, CATALOG, max_upload_mb=1)
    limit = app.server.config["MAX_CONTENT_LENGTH"]
    assert limit == uploads.max_request_bytes(1)
    client = app.server.test_client()
    body = _Counting(10 * 1024 ** 3)  # claims 10 GB
    resp = client.post("/_dash-update-component", input_stream=body, content_type="application/json")
    assert resp.status_code == 413
    assert body.read_bytes < 1024 * 1024, f"{body.read_bytes} bytes of the refused body were read"
    # just over the limit: refused; an upload at the limit fits in one request and is read
    resp = client.post("/_dash-update-component", data=b"x" * (limit + 1), content_type="application/json")
    assert resp.status_code == 413
    at_limit = REPORT + b"x" * (uploads.max_bytes(1) - len(REPORT))
    msgs = _messages(client.post("/_dash-update-component", json=_upload_request([_url(at_limit)], ["full.txt"])))
    assert msgs[0].startswith("full.txt: added as full"), msgs
    # ordinary requests are unaffected
    assert client.get("/download/claims.csv").status_code == 200


# --------------------------------------------------------------------------- app.py: flag and env

def _free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_app_py_takes_the_limit_from_env_and_flag(tmp_path):
    empty = tmp_path / "no-reports"
    empty.mkdir()
    env = dict(os.environ, INDICATORS_DB=f"sqlite:///{tmp_path / 'a.sqlite'}", INDICATORS_REPORTS=str(empty),
               INDICATORS_MAX_UPLOAD_MB="2.5")
    code = ("import app, json; c = app.server.config['MAX_CONTENT_LENGTH']; "
            "print(json.dumps([c, json.dumps(app.app.server.test_client().get('/_dash-layout').get_json())]))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    config, layout = json.loads(out.stdout.strip().splitlines()[-1])
    assert config == uploads.max_request_bytes(2.5) and f'"max_size": {uploads.max_bytes(2.5)}' in layout

    bad = subprocess.run([sys.executable, "app.py", "--max-upload-mb", "-3"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "upload limit" in bad.stderr

    port = _free_port()
    proc = subprocess.Popen([sys.executable, "app.py", "--port", str(port), "--max-upload-mb", "0.5"], cwd=ROOT,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_dash-layout", timeout=5) as r:
                    layout = r.read().decode()
                break
            except OSError:
                assert proc.poll() is None and time.time() < deadline, proc.stderr.read().decode()[-2000:]
                time.sleep(0.3)
        assert f'"max_size": {uploads.max_bytes(0.5)}' in layout.replace('"max_size":', '"max_size": ')
        req = urllib.request.Request(f"http://127.0.0.1:{port}/_dash-update-component", method="POST",
                                     data=b"x" * (uploads.max_request_bytes(0.5) + 1),
                                     headers={"Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(req, timeout=30)
        assert refused.value.code == 413
    finally:
        proc.terminate()
        proc.wait(timeout=20)
