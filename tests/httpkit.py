"""What the tests that serve the app with gunicorn share: a free loopback port and a plain GET."""
import http.client
import socket


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str, timeout: float = 10) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def wait_until_serving(proc, port: int, log, seconds: float = 90) -> None:
    """Wait until gunicorn (`proc`) answers the app's layout on `port`; fail with the end of its `log` (a Path)
    if it dies or stays silent for `seconds`."""
    import time

    deadline = time.time() + seconds
    while True:
        try:
            if get(port, "/_dash-layout")[0] == 200:
                return
        except OSError:
            pass
        assert proc.poll() is None, log.read_text()[-3000:]
        assert time.time() < deadline, f"gunicorn did not answer in {seconds:g} s\n" + log.read_text()[-3000:]
        time.sleep(0.3)
