"""`momentmap serve` as a user runs it: the real command in a subprocess, on a copy of the example site.

Requests go over raw sockets, so that each test controls the request line
and the Host header exactly (http.client and urllib normalise both). The
read-only tests share one server; a test that edits files gets its own.
Every server is stopped with Ctrl-C (SIGINT) and must say "Stopped.", exit 0
and leave no public/ folder behind: serve keeps the site in memory.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pytest
from conftest import EXAMPLE_AS_OF, REPO, run_cli, tree_bytes

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Dialog, Page

SCRIPT_TAG = b'<script src="/_momentmap/live.js"></script>'
DASHBOARD_TITLE = "Kestrel Field — customer moments"
MOMENT = "content/moments/quillon/2023-03-13-is-anyone-there-five-weeks-without-a-call.md"
CUSTOMER_PAGE = "customers/quillon-medical-couriers/index.html"
# Text that must never leave the server: the config, a source file's front matter, the system.
SECRETS = (b"recent_days: 30", b"Example site for momentmap", b"moment_of_truth: true", b"root:")
NEW_MOMENT = """\
---
title: {title}
date: 2025-11-02
customer: Quillon
sentiment: positive
---
{body}
"""
START_TIMEOUT = 60.0
POLL_TIMEOUT = 20.0  # two cores, shared with another developer: generous, never a sleep

T = TypeVar("T")


# --- the server -------------------------------------------------------------------------------


def copy_example(root: Path, source: Path = REPO) -> Path:
    """The example site (content and config only, no public/) in a folder of its own."""
    site = root / "site"
    site.mkdir(parents=True)
    shutil.copytree(source / "content", site / "content")
    shutil.copy(source / "momentmap.yaml", site / "momentmap.yaml")
    return site


def build(site: Path, out: Path) -> Path:
    run = run_cli("build", "--site", site, "--out", out, "--as-of", EXAMPLE_AS_OF)
    assert run.code == 0, run.err
    return out


def cli_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SOURCE_DATE_EPOCH", "NO_COLOR")}
    env["PYTHONPATH"] = str(REPO / "generator")
    return env


def serve_command(site: Path, *args: str) -> list[str]:
    serve = ["serve", "--site", str(site), "--as-of", EXAMPLE_AS_OF, *args]
    return [sys.executable, "-m", "momentmap", *serve]


class Server:
    """A running `momentmap serve`; its stderr goes to a file, read as it grows."""

    def __init__(
        self, site: Path, *args: str, while_building: Callable[[], object] | None = None
    ) -> None:
        """Start and wait for the 'Serving' line; `while_building` is called until the first build is done."""
        self.site = site
        self.log = site.parent / "serve.err"
        with self.log.open("wb") as err:
            self.proc = subprocess.Popen(
                serve_command(site, "--port", "0", *args),
                env=cli_env(),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err,
            )
        try:
            found = poll(
                lambda: self._serving(while_building),
                timeout=START_TIMEOUT,
                what="the 'Serving' line",
            )
        except BaseException:
            self.proc.kill()
            self.proc.wait()
            raise
        self.host, self.port = found.group(1), int(found.group(2))

    def _serving(self, while_building: Callable[[], object] | None) -> re.Match[str] | None:
        if self.proc.poll() is not None:
            pytest.fail(f"serve exited with {self.proc.returncode}:\n{self.stderr()}")
        text = self.stderr()
        if while_building is not None and "Built in" not in text:
            while_building()
        return re.search(r"Serving http://([^/]+):(\d+)/ \(Ctrl-C to stop\)", text)

    def stderr(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def builds(self) -> list[str]:
        return re.findall(r"^Built in \d+ ms: .*$", self.stderr(), flags=re.M)

    def wait_until_quiet(self, seconds: float = 3.0) -> None:
        """Until no rebuild has been reported for `seconds`: longer than the watcher batches (1.6 s)."""
        since = [time.monotonic(), len(self.builds())]

        def quiet() -> bool:
            now, count = time.monotonic(), len(self.builds())
            if count != since[1]:
                since[:] = [now, count]
            return now - since[0] > seconds

        poll(quiet, what="the watcher to go quiet")

    def mismatches(self, out: Path) -> list[str]:
        """The files of a built site (in `out`) that this server does not serve as they are."""
        wrong = []
        for rel, data in tree_bytes(out).items():
            if rel == ".momentmap-output":
                continue  # build's marker, not part of the site
            r = self.get("/" + rel.removesuffix("index.html"))
            body = r.body.replace(SCRIPT_TAG, b"", 1) if rel.endswith(".html") else r.body
            if r.status != 200 or body != data:
                wrong.append(rel)
        return wrong

    def get(self, target: str, **kwargs: Any) -> Response:
        return http(self.port, target, **kwargs)

    def state(self) -> dict[str, Any]:
        """The first event of a new event stream: the server's current state."""
        with EventStream(self.port) as stream:
            return stream.next_state()

    def stop(self, how: signal.Signals = signal.SIGINT) -> None:
        """Ctrl-C (or a service manager's SIGTERM): a clean exit, and nothing written into public/."""
        self.proc.send_signal(how)
        try:
            code = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            pytest.fail(f"serve did not stop on {how.name}:\n{self.stderr()}")
        assert code == 0, self.stderr()
        assert self.stderr().rstrip().endswith("Stopped."), self.stderr()
        assert not (self.site / "public").exists()


def poll(
    check: Callable[[], T], *, timeout: float = POLL_TIMEOUT, what: str = "the condition"
) -> T:
    """check()'s first truthy result, asking again until `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}; last: {result!r}")
        time.sleep(0.05)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server for the tests that only read."""
    server = Server(copy_example(tmp_path_factory.mktemp("shared")))
    yield server
    server.stop()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """A server of its own, for a test that edits the site."""
    running = Server(copy_example(tmp_path))
    yield running
    print(running.stderr())  # shown when the test failed
    running.stop()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What `momentmap build` writes for the same site and date, to compare with."""
    root = tmp_path_factory.mktemp("built")
    return build(copy_example(root), root / "out")


def moment_url(built: Path, source: str = MOMENT) -> str:
    """The page of a moment file, e.g. 'moments/quillon/…/', from the built moments.json."""
    data = json.loads((built / "moments.json").read_text(encoding="utf-8"))
    moment_id = source.removeprefix("content/moments/").removesuffix(".md")
    return next(m["url"] for m in data["moments"] if m["id"] == moment_id)


# --- HTTP over a raw socket ------------------------------------------------------------------


@dataclass
class Response:
    status: int  # 0: no status line (no answer at all, or an HTTP/0.9 one: the body alone)
    headers: dict[str, str]  # lower-case names
    body: bytes

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


NO_HOST = "(no Host header)"


def http(
    port: int,
    target: str,
    *,
    method: str = "GET",
    host: str | bytes | None = None,
    headers: dict[str, str] | None = None,
    raw: bytes | None = None,
    address: str = "127.0.0.1",
) -> Response:
    """One request sent byte for byte (or `raw`); Host is '127.0.0.1:PORT' unless given."""
    if raw is None:
        host = f"127.0.0.1:{port}" if host is None else host
        lines = [f"{method} {target} HTTP/1.1".encode("latin-1")]
        if host != NO_HOST:
            lines.append(b"Host: " + (host.encode("latin-1") if isinstance(host, str) else host))
        lines += [f"{k}: {v}".encode("latin-1") for k, v in (headers or {}).items()]
        lines.append(b"Connection: close")
        raw = b"\r\n".join(lines) + b"\r\n\r\n"
    data = b""
    deadline = time.monotonic() + 10  # an event stream answered by mistake never ends
    with socket.create_connection((address, port), timeout=10) as sock:
        try:
            sock.sendall(raw)
            while time.monotonic() < deadline and (chunk := sock.recv(65536)):
                data += chunk
        except ConnectionResetError:
            pass  # answered (or not) and closed before reading all we sent
        except TimeoutError:
            pass  # the stream's headers and first event are enough to judge it
    return parse_response(data)


def parse_response(data: bytes) -> Response:
    if not data.startswith(b"HTTP/"):
        return Response(0, {}, data)
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Response(int(status_line.split()[1]), headers, body)


class EventStream:
    """GET /_momentmap/events, read one server-sent event at a time."""

    def __init__(self, port: int, origin: str | None = None) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=POLL_TIMEOUT)
        extra = f"Origin: {origin}\r\n" if origin else ""
        self.sock.sendall(
            f"GET /_momentmap/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{extra}\r\n".encode()
        )
        self.buffer = b""
        head = self._until(b"\r\n\r\n")
        self.response = parse_response(head + b"\r\n\r\n")

    def _until(self, end: bytes) -> bytes:
        while end not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError(self.buffer)
            self.buffer += chunk
        block, _, self.buffer = self.buffer.partition(end)
        return block

    def next_state(self) -> dict[str, Any]:
        """The next `state` event's data (heartbeat comments are skipped)."""
        while True:
            lines = self._until(b"\n\n").decode("utf-8").split("\n")
            fields = dict(line.split(": ", 1) for line in lines if not line.startswith(":"))
            if fields.get("event") == "state":
                return json.loads(fields["data"])

    def __enter__(self) -> EventStream:
        assert self.response.status == 200, self.response
        return self

    def __exit__(self, *exc: object) -> None:
        self.sock.close()


def without_client(body: bytes) -> bytes:
    """A served page as `build` writes it: the one injected script tag taken out."""
    assert body.count(SCRIPT_TAG) == 1, "expected exactly one live-reload script tag"
    return body.replace(SCRIPT_TAG, b"")


# --- the site, served ------------------------------------------------------------------------


def test_dashboard_is_served_as_html(shared: Server) -> None:
    r = shared.get("/")
    assert r.status == 200
    assert r.header("Content-Type") == "text/html; charset=utf-8"
    assert f"<title>{DASHBOARD_TITLE}</title>".encode() in r.body
    head = shared.get("/", method="HEAD")
    assert head.status == 200 and head.body == b""
    assert head.header("Content-Length") == str(len(r.body))


def test_pages_equal_what_build_writes_plus_one_script_tag(shared: Server, built: Path) -> None:
    """Serve must show exactly the site that build would publish."""
    moment = moment_url(built)
    for rel in ("index.html", moment + "index.html", CUSTOMER_PAGE):
        r = shared.get("/" + rel.removesuffix("index.html"))
        assert r.status == 200, rel
        assert without_client(r.body) == (built / rel).read_bytes(), rel


def test_every_built_file_is_served_as_built(shared: Server, built: Path) -> None:
    assert shared.mismatches(built) == []


def test_files_are_served_unchanged_with_their_types(shared: Server, built: Path) -> None:
    css = shared.get("/static/style.css")
    assert (css.status, css.header("Content-Type")) == (200, "text/css; charset=utf-8")
    assert css.body == (built / "static/style.css").read_bytes()
    data = shared.get("/moments.json")
    assert (data.status, data.header("Content-Type")) == (200, "application/json; charset=utf-8")
    assert data.body == (built / "moments.json").read_bytes()
    assert json.loads(data.body)["as_of"] == EXAMPLE_AS_OF
    client = shared.get("/_momentmap/live.js")
    assert client.status == 200 and client.header("Content-Type").startswith("text/javascript")


def test_a_folder_without_slash_redirects(shared: Server) -> None:
    r = shared.get("/customers")
    assert (r.status, r.header("Location")) == (301, "/customers/")


def test_an_unknown_path_gets_the_sites_404_page(shared: Server, built: Path) -> None:
    r = shared.get("/no/such/page/")
    assert r.status == 404
    assert without_client(r.body) == (built / "404.html").read_bytes()


@pytest.mark.parametrize("folder", ["/static/", "/moments/", "/moments/quillon/"])
def test_no_directory_listing(shared: Server, folder: str) -> None:
    """A folder without index.html is not found; its file names stay unlisted."""
    r = shared.get(folder)
    assert r.status == 404
    assert r.body == shared.get("/no/such/page/").body
    assert b"style.css</a>" not in r.body and b"is-anyone-there" not in r.body


# --- security ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "evil.example:{port}",
        "127.0.0.1.evil.example",
        "127.0.0.1.evil.example:{port}",
        "localhost:1234",
        "127.0.0.1:{port}0",
        "",
        NO_HOST,
    ],
)
@pytest.mark.parametrize("target", ["/", "/moments.json", "/_momentmap/events"])
def test_foreign_host_is_refused(shared: Server, host: str, target: str) -> None:
    """Another name for this machine (DNS rebinding), another port or no name gets nothing."""
    r = shared.get(target, host=host.format(port=shared.port))
    assert r.status == 403
    assert b"Kestrel" not in r.body and b"generation" not in r.body


@pytest.mark.parametrize(
    "host", ["127.0.0.1:{port}", "localhost:{port}", "LocalHost:{port}", "127.0.0.1", "localhost"]
)
def test_own_host_is_served(shared: Server, host: str) -> None:
    r = shared.get("/", host=host.format(port=shared.port))
    assert r.status == 200 and DASHBOARD_TITLE.encode() in r.body


@pytest.mark.parametrize("port_text", [b"\xb2", b"9" * 5000], ids=["superscript-2", "5000-digits"])
def test_odd_port_in_host_is_refused_not_crashed(shared: Server, port_text: bytes) -> None:
    before = len(shared.stderr())
    r = shared.get("/", host=b"127.0.0.1:" + port_text)
    assert r.status in (400, 403)
    assert "Traceback" not in shared.stderr()[before:]


TRAVERSALS = [
    "/../../etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/%2e%2e%2fmomentmap.yaml",
    "/..%2f..%2fmomentmap.yaml",
    "/static/..%5c..%5cmomentmap.yaml",
    "/static/..\\..\\momentmap.yaml",
    "/%252e%252e/momentmap.yaml",
    "//etc/passwd",
    "///etc/passwd",
    "/static/../../momentmap.yaml",
    "/static/%2e%2e/%2e%2e/momentmap.yaml",
    "/" + MOMENT,
    "/moments/quillon/2023-03-13-is-anyone-there-five-weeks-without-a-call.md",
    "/momentmap.yaml",
    "/.momentmap-cache/",
    "/content/",
    "http://evil.example/",
    "http://evil.example/../momentmap.yaml",
    "/%00",
    "/index.html%00.css",
    "/%c0%ae%c0%ae/momentmap.yaml",
    "/./momentmap.yaml",
    "*",
]


@pytest.mark.parametrize("target", TRAVERSALS)
def test_no_file_outside_the_built_site(shared: Server, target: str) -> None:
    """Request targets sent verbatim: an error status, and none of the files around the site."""
    r = shared.get(target)
    assert r.status in (400, 403, 404), r
    leaked = [secret for secret in SECRETS if secret in r.body]
    assert leaked == []


def test_live_reload_refuses_a_foreign_origin(shared: Server) -> None:
    """A page on another site must not follow the event stream."""
    for origin in ("http://evil.example", f"http://evil.example:{shared.port}", "null"):
        r = shared.get("/_momentmap/events", headers={"Origin": origin})
        assert r.status == 403, origin
        assert b"generation" not in r.body


def test_live_reload_accepts_its_own_origin(shared: Server) -> None:
    for origin in (f"http://127.0.0.1:{shared.port}", f"http://localhost:{shared.port}"):
        with EventStream(shared.port, origin=origin) as stream:
            assert stream.response.header("Content-Type") == "text/event-stream"
            state = stream.next_state()
        assert state["errors"] == [] and state["generation"] >= 1


def test_garbage_does_not_stop_the_server(shared: Server) -> None:
    """Malformed requests get an error or a closed connection; the next request is served."""
    before = len(shared.stderr())
    garbage = [
        b"HELLO\r\n\r\n",
        b"GET\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(256)),  # a TLS hello
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Long: " + b"a" * 70_000 + b"\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"X-Many: 1\r\n" * 200 + b"\r\n",
        b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n",
    ]
    for raw in garbage:
        r = shared.get("", raw=raw)
        assert r.status in (0, 400, 403, 404, 414, 431, 505), (raw[:40], r)
        assert b"Kestrel" not in r.body
    socket.create_connection(("127.0.0.1", shared.port)).close()  # connects, says nothing
    half = socket.create_connection(("127.0.0.1", shared.port))
    half.sendall(b"GET / HTT")
    half.close()
    assert shared.get("/").status == 200
    assert "Traceback" not in shared.stderr()[before:]


def listening_addresses(port: int) -> set[str]:
    """Local addresses of the sockets listening on `port`, from /proc/net/tcp and tcp6."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.split(":")
            if state == "0A" and int(port_hex, 16) == port:  # 0A: LISTEN
                raw = bytes.fromhex(address)
                if len(raw) == 4:
                    found.add(socket.inet_ntop(socket.AF_INET, raw[::-1]))
                else:
                    words = b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))
                    found.add(socket.inet_ntop(socket.AF_INET6, words))
    return found


def other_addresses() -> list[str]:
    """This machine's IPv4 addresses other than loopback."""
    if shutil.which("hostname") is None:
        return []
    out = subprocess.run(["hostname", "-I"], capture_output=True, text=True).stdout
    return [a for a in out.split() if ":" not in a and not a.startswith("127.")]


def test_default_bind_is_loopback_only(shared: Server) -> None:
    assert shared.host == "127.0.0.1"
    if Path("/proc/net/tcp").exists():
        assert listening_addresses(shared.port) == {"127.0.0.1"}
    others = other_addresses()
    if not others:
        pytest.skip("no non-loopback address to try")
    for address in others:
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection((address, shared.port), timeout=5).close()


def test_bound_host_is_served_by_its_own_name_only(tmp_path: Path) -> None:
    """--host ADDRESS: a warning, the site for Host: ADDRESS, nothing for another name."""
    others = other_addresses()
    if not others:
        pytest.skip("no non-loopback address to bind")
    address = others[0]
    server = Server(copy_example(tmp_path), "--host", address)
    try:
        assert server.host == address
        assert f"warning: listening on {address}" in server.stderr()
        own = http(server.port, "/", host=f"{address}:{server.port}", address=address)
        assert own.status == 200 and DASHBOARD_TITLE.encode() in own.body
        evil = http(server.port, "/", host="evil.example", address=address)
        assert evil.status == 403 and b"Kestrel" not in evil.body
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", server.port), timeout=5).close()
    finally:
        server.stop()


def test_sigterm_stops_cleanly(tmp_path: Path) -> None:
    Server(copy_example(tmp_path)).stop(signal.SIGTERM)


def test_files_added_while_starting_are_served(tmp_path: Path) -> None:
    """A moment saved while serve starts must not be lost: files are added every 50 ms
    until the first build is reported; afterwards the site must show all of them."""
    site = copy_example(tmp_path)
    titles: list[str] = []

    def add_one() -> None:
        titles.append(f"Added while starting {len(titles):03}")
        path = site / f"content/moments/quillon/2025-11-02-starting-{len(titles):03}.md"
        path.write_text(NEW_MOMENT.format(title=titles[-1], body="Saved early."), encoding="utf-8")

    server = Server(site, while_building=add_one)
    try:
        server.wait_until_quiet()
        served = {m["title"] for m in json.loads(server.get("/moments.json").body)["moments"]}
        assert [t for t in titles if t not in served] == []
    finally:
        server.stop()


def test_a_busy_port_is_a_usage_error_that_names_a_free_one(tmp_path: Path) -> None:
    site = copy_example(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = subprocess.run(
            serve_command(site, "--port", str(port)),
            env=cli_env(),
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT,
        )
    assert proc.returncode == 2, proc.stderr
    found = re.search(
        rf"port {port} on 127\.0\.0\.1 is already in use; try --port (\d+)", proc.stderr
    )
    assert found, proc.stderr
    suggested = int(found.group(1))
    assert suggested != port
    with socket.socket() as probe:  # the suggestion is free (unless someone took it since)
        probe.bind(("127.0.0.1", suggested))
    assert not (site / "public").exists()


# --- rebuilding as files change ----------------------------------------------------------------


def insert_sentence(path: Path, sentence: str) -> str:
    """The file's text with `sentence` as the first paragraph of the body."""
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    return text.replace("\n---\n", f"\n---\n{sentence}\n\n", 1)


def test_an_edit_appears_and_is_announced(server: Server, built: Path) -> None:
    url = "/" + moment_url(built)
    page = server.site / MOMENT
    sentence = "Edited by test_serve in place."
    with EventStream(server.port) as stream:
        first = stream.next_state()
        assert first["changed"] == []
        page.write_text(insert_sentence(page, sentence), encoding="utf-8")
        poll(lambda: sentence.encode() in server.get(url).body, what="the edited page")
        announced: set[str] = set()
        while url.lstrip("/") + "index.html" not in announced:
            state = stream.next_state()
            assert state["generation"] > first["generation"] and state["errors"] == []
            announced.update(state["changed"])


def test_an_editors_atomic_save_appears(server: Server, built: Path) -> None:
    """Editors write a temporary file and rename it over the original."""
    url = "/" + moment_url(built)
    page = server.site / MOMENT
    sentence = "Saved atomically by test_serve."
    with tempfile.NamedTemporaryFile("w", dir=page.parent, delete=False, encoding="utf-8") as tmp:
        tmp.write(insert_sentence(page, sentence))
    os.replace(tmp.name, page)
    poll(lambda: sentence.encode() in server.get(url).body, what="the saved page")


def test_a_new_moment_gets_a_page_and_loses_it_when_deleted(server: Server) -> None:
    path = server.site / "content/moments/quillon/2025-11-02-added-by-test-serve.md"
    title = "Added by test_serve"

    def url_in_data() -> str | None:
        data = json.loads(server.get("/moments.json").body)
        return next((m["url"] for m in data["moments"] if m["title"] == title), None)

    path.write_text(NEW_MOMENT.format(title=title, body="A new moment."), encoding="utf-8")
    url = "/" + poll(url_in_data, what="the new moment in moments.json")
    poll(lambda: server.get(url).status == 200, what="the new page")
    assert title.encode() in server.get(url).body
    path.unlink()
    poll(lambda: server.get(url).status == 404, what="the deleted page to go")
    assert url_in_data() is None


def test_after_edits_the_served_site_equals_a_fresh_build(server: Server, tmp_path: Path) -> None:
    """Rebuilds reuse what did not change; the result must still be exactly what build writes."""
    edited = server.site / MOMENT
    text = edited.read_text(encoding="utf-8")
    edited.write_text(
        text.replace("sentiment: very negative", "sentiment: positive"), encoding="utf-8"
    )
    other = next((server.site / "content/moments/harbor-pine").glob("*.md"))
    other.write_text(insert_sentence(other, "A later note from test_serve."), encoding="utf-8")
    added = server.site / "content/moments/quillon/2025-11-02-added-later.md"
    added.write_text(NEW_MOMENT.format(title="Added later", body="Brand new."), encoding="utf-8")
    poll(lambda: b"Added later" in server.get("/moments.json").body, what="the new moment")
    server.wait_until_quiet()
    fresh = build(copy_example(tmp_path / "fresh", source=server.site), tmp_path / "fresh-out")
    assert server.mismatches(fresh) == []


def break_sentiment(path: Path, value: str) -> tuple[str, int]:
    """Replace the sentiment with `value`; returns the original text and the line number."""
    original = path.read_text(encoding="utf-8")
    lines = original.split("\n")
    line = next(i for i, text in enumerate(lines) if text.startswith("sentiment: "))
    lines[line] = f"sentiment: {value}"
    path.write_text("\n".join(lines), encoding="utf-8")
    return original, line + 1


def test_a_broken_file_keeps_the_last_good_site_and_reports_where(
    server: Server, built: Path
) -> None:
    url = "/" + moment_url(built)
    good = server.get(url).body
    good_generation = server.state()["generation"]
    original, line = break_sentiment(server.site / MOMENT, "postive")

    poll(lambda: server.state()["errors"], what="errors in the event stream")
    state = server.state()
    assert state["generation"] > good_generation
    assert any(
        e["file"] == MOMENT
        and e["line"] == line
        and e["severity"] == "error"
        and "postive" in e["message"]
        for e in state["errors"]
    ), state["errors"]
    assert f"{MOMENT}:{line}:" in server.stderr()
    assert "Build failed" in server.stderr()
    assert server.get(url).body == good
    assert server.get("/").status == 200

    (server.site / MOMENT).write_text(original, encoding="utf-8")
    poll(lambda: server.state()["errors"] == [], what="the errors to clear")
    assert server.get(url).body == good


def test_a_burst_of_new_files_is_one_rebuild(server: Server) -> None:
    """A checkout or a script writes many files at once: one rebuild, not one per file."""
    folder = server.site / "content/moments/burst"
    folder.mkdir()
    server.wait_until_quiet(2.0)  # the new folder alone may make a rebuild
    initial = len(server.builds())
    for n in range(200):
        body = NEW_MOMENT.format(title=f"Burst {n:03}", body=f"Moment {n} of a burst.")
        (folder / f"2025-11-02-burst-{n:03}.md").write_text(body, encoding="utf-8")

    def burst_moments() -> int:
        data = json.loads(server.get("/moments.json").body)
        return sum(m["title"].startswith("Burst ") for m in data["moments"])

    poll(lambda: burst_moments() == 200, what="all 200 new moments")
    server.wait_until_quiet()
    new = server.builds()[initial:]
    assert len(new) == 1, "\n".join(new)
    assert new[0].endswith(" from 200 changed files, the rest unchanged"), new[0]


# --- in a browser ----------------------------------------------------------------------------


# Counts the live-reload client's `state` events, so that a test edits a file only once the
# open page is listening (the client itself keeps nothing global).
COUNT_STATES = """
(() => {
  const Original = window.EventSource;
  window.mmStates = 0;
  window.EventSource = function (url, init) {
    const source = new Original(url, init);
    source.addEventListener("state", () => { window.mmStates += 1; });
    return source;
  };
})();
"""


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    context.add_init_script(COUNT_STATES)
    page = context.new_page()
    page.set_default_timeout(POLL_TIMEOUT * 1000)
    yield page
    context.close()


def open_listening(page: Page, url: str) -> None:
    """Open `url` and wait until its live-reload client has the server's state."""
    page.goto(url)
    page.wait_for_function("() => window.mmStates > 0")


def test_overlay_folds_to_a_bar_and_leaves_the_page_readable_on_a_phone(
    server: Server, built: Path, browser: Browser
) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 800})
    context.add_init_script(COUNT_STATES)
    page = context.new_page()
    page.set_default_timeout(POLL_TIMEOUT * 1000)
    try:
        open_listening(page, f"http://127.0.0.1:{server.port}/{moment_url(built)}")
        original, _ = break_sentiment(server.site / MOMENT, "postive")
        overlay = page.locator("#_momentmap-errors")
        overlay.wait_for(state="visible")
        toggle = overlay.get_by_role("button")
        assert toggle.get_attribute("aria-expanded") == "true"
        opened = overlay.bounding_box()
        assert opened is not None and opened["height"] <= 0.6 * 800
        # The page below can always be scrolled clear of the overlay.
        padding = page.evaluate("parseFloat(getComputedStyle(document.body).paddingBottom)")
        assert padding == pytest.approx(opened["height"], abs=1)
        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "false"
        assert page.locator("#_momentmap-error-list").is_hidden()
        folded = overlay.bounding_box()
        assert folded is not None and folded["height"] < 90  # one bar: the count and a button
        assert "Build failed: 1 error" in overlay.inner_text()
        page.reload()  # folded stays folded in this tab
        overlay.wait_for(state="visible")
        assert page.locator("#_momentmap-error-list").is_hidden()
        shots = REPO / "tests" / "artifacts" / "screens"
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=shots / "serve-overlay-folded-390.png")
        toggle = overlay.get_by_role("button")
        toggle.click()
        page.screenshot(path=shots / "serve-overlay-open-390.png")
        (server.site / MOMENT).write_text(original, encoding="utf-8")
        overlay.wait_for(state="detached")
        assert page.evaluate("document.body.style.paddingBottom") == ""
    finally:
        context.close()


def test_overlay_shows_the_error_as_text_and_goes_away(
    server: Server, built: Path, page: Page
) -> None:
    """The error reaches an open page; a value with markup stays text; a fix removes it."""
    dialogs: list[str] = []

    def dismissed(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismissed)
    open_listening(page, f"http://127.0.0.1:{server.port}/{moment_url(built)}")
    markup = "<img src=x onerror=alert(1)>"
    original, line = break_sentiment(server.site / MOMENT, f'"{markup}"')

    overlay = page.locator("#_momentmap-errors")
    overlay.wait_for(state="visible")
    text = overlay.inner_text()
    assert f"{MOMENT}:{line}" in text
    assert markup in text  # the literal characters, shown as text
    assert overlay.locator("img").count() == 0
    assert page.locator("img[src=x]").count() == 0

    page.reload()
    overlay.wait_for(state="visible")  # a page opened while broken shows it too
    assert overlay.locator("img").count() == 0

    (server.site / MOMENT).write_text(original, encoding="utf-8")
    overlay.wait_for(state="detached")
    assert server.state()["errors"] == []
    assert dialogs == []


def test_an_open_page_reloads_after_its_file_is_edited(
    server: Server, built: Path, page: Page
) -> None:
    """No reload button: the page the file belongs to reloads by itself."""
    open_listening(page, f"http://127.0.0.1:{server.port}/{moment_url(built)}")
    page.evaluate("() => { window.notReloaded = true; }")
    sentence = "Reloaded by itself for test_serve."
    path = server.site / MOMENT
    path.write_text(insert_sentence(path, sentence), encoding="utf-8")
    page.get_by_text(sentence).wait_for(state="visible")
    assert page.evaluate("() => window.notReloaded") is None
