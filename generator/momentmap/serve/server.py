"""`momentmap serve`: the site from memory over HTTP, rebuilt and reloaded as files change.

Safe by default: it listens on 127.0.0.1, answers only requests addressed
to the host it serves (a page on another site cannot reach it by DNS
rebinding), serves nothing but the built site's own files (looked up in a
table, never joined onto a folder path), and accepts live-reload
connections only from its own pages. A bad request or a failed rebuild
never stops it.

Pages are served exactly as `build` writes them, plus one script tag that
loads the live-reload client; the client listens to server-sent events,
reloads a page when it changed and shows build errors in an overlay.
"""

from __future__ import annotations

import errno
import gc
import ipaddress
import json
import mimetypes
import signal
import socket
import sys
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import watchfiles

from momentmap.build.builder import collector_off
from momentmap.cache import CACHE_DIR
from momentmap.errors import UsageError
from momentmap.serve.preview import Deferred, Preview, Published, Rebuild

LIVE_PREFIX = "/_momentmap/"
EVENTS_PATH = LIVE_PREFIX + "events"
CLIENT_PATH = LIVE_PREFIX + "live.js"
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
HEARTBEAT_SECONDS = 15.0
# Changes are gathered until the files have been quiet this long: short enough
# to feel instant, long enough that an editor's save or a checkout is one batch.
WATCH_STEP_MS = 20
WAKE_MS = 100  # the watcher wakes this often without changes (to see Ctrl-C and stop)
CLIENT_SCRIPT = (Path(__file__).resolve().parent / "live.js").read_bytes()
_SCRIPT_TAG = f'<script src="{CLIENT_PATH}"></script>'.encode()


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True  # open event streams must not keep the process alive
    allow_reuse_address = True

    def __init__(self, host: str, port: int, preview: Preview) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.preview = preview
        self.stopping = threading.Event()
        super().__init__((host, port), PreviewHandler)
        self.port = self.server_address[1]
        self.allowed_hosts = {_host_key(name) for name in (*LOOPBACK_NAMES, host)}

    @property
    def origins(self) -> set[str]:
        return {f"http://{_url_host(name)}:{self.port}" for name in self.allowed_hosts}

    def handle_error(self, request: object, client_address: object) -> None:
        # A client that hangs up mid-response is routine, not worth a traceback.
        exc = sys.exc_info()[1]
        if not isinstance(exc, ConnectionError | TimeoutError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "momentmap"
    sys_version = ""
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass  # the terminal shows rebuilds, not every request

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def do_GET(self) -> None:
        self._answer(head=False)

    def _answer(self, *, head: bool) -> None:
        if not self._addressed_to_us():
            self._plain(HTTPStatus.FORBIDDEN, "this server answers only to its own host name\n")
            return
        path = _safe_path(self.path)
        if path is None:
            self._plain(HTTPStatus.BAD_REQUEST, "bad path\n")
            return
        if path == EVENTS_PATH and not head:
            self._events()
            return
        if path == CLIENT_PATH:
            self._send(HTTPStatus.OK, "text/javascript; charset=utf-8", CLIENT_SCRIPT, head)
            return
        self._file(path, head)

    def _addressed_to_us(self) -> bool:
        host = self.headers.get("Host", "")
        name, port = _split_host(host)
        return (
            name is not None
            and _host_key(name) in self.server.allowed_hosts
            and (port is None or port == self.server.port)
        )

    def _file(self, path: str, head: bool) -> None:
        published = self.server.preview.published
        rel = path.lstrip("/")
        if rel == "" or rel.endswith("/"):
            rel += "index.html"
        content = published.files.get(rel)
        if content is None and f"{rel}/index.html" in published.files:
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", path + "/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status = HTTPStatus.OK
        if content is None:
            status, rel = HTTPStatus.NOT_FOUND, "404.html"
            content = published.files.get(rel, b"<!doctype html><title>Not found</title>\n")
        data = (
            content
            if isinstance(content, bytes)
            else content.get()
            if isinstance(content, Deferred)
            else _read(content)
        )
        if data is None:
            self._plain(HTTPStatus.NOT_FOUND, "not found\n")
            return
        kind = mimetypes.guess_type(rel)[0] or "application/octet-stream"
        if kind == "text/html":
            data = _with_client(data)
        if kind.startswith("text/") or kind in ("application/json", "image/svg+xml"):
            kind += "; charset=utf-8"
        self._send(status, kind, data, head)

    def _events(self) -> None:
        """Server-sent events: the current state at once, then every change."""
        origin = self.headers.get("Origin")
        if origin is not None and origin not in self.server.origins:
            self._plain(HTTPStatus.FORBIDDEN, "live reload only for this server's own pages\n")
            return
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        preview = self.server.preview
        published = preview.published
        self.wfile.write(_event("state", published, initial=True))
        self.wfile.flush()
        while not self.server.stopping.is_set():
            latest = preview.wait_for_change(published.generation, HEARTBEAT_SECONDS)
            if latest.generation == published.generation:
                self.wfile.write(b": still here\n\n")  # finds clients that went away
            else:
                self.wfile.write(_event("state", latest, initial=False))
                published = latest
            self.wfile.flush()

    def _plain(self, status: HTTPStatus, text: str) -> None:
        self._send(status, "text/plain; charset=utf-8", text.encode(), head=False)

    def _send(self, status: HTTPStatus, kind: str, data: bytes, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if not head:
            self.wfile.write(data)


def _event(name: str, published: Published, *, initial: bool) -> bytes:
    errors = [d.as_json() for d in published.problems if d.severity == "error"]
    changed: list[str] | str = sorted(published.changed)
    if initial or len(changed) > 2000:
        changed = "*" if not initial else []
    data = {"generation": published.generation, "errors": errors, "changed": changed}
    return f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()


def _with_client(html: bytes) -> bytes:
    at = html.rfind(b"</body>")
    return html + _SCRIPT_TAG if at < 0 else html[:at] + _SCRIPT_TAG + html[at:]


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _safe_path(target: str) -> str | None:
    """The request's path, decoded, or None when it tries to step out or is malformed.

    Files are looked up in a table, so no path can reach the disk; this
    refuses the tricks anyway, so that they get a clear 400 instead of a page.
    """
    if not target.startswith("/"):
        return None
    try:
        path = unquote(urlsplit(target).path, errors="strict")
    except UnicodeDecodeError:
        return None
    if "\\" in path or "\0" in path or path.startswith("//"):
        return None
    if any(part in (".", "..") for part in path.split("/")):
        return None
    return path


def _split_host(host: str) -> tuple[str | None, int | None]:
    """'localhost:8000' -> ('localhost', 8000); '[::1]:80' -> ('::1', 80)."""
    host = host.strip()
    if not host:
        return None, None
    if host.startswith("["):
        name, _, rest = host[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ""
    else:
        name, _, port_text = host.partition(":")
    if port_text and not (port_text.isascii() and port_text.isdigit() and len(port_text) <= 5):
        return None, None
    return name, int(port_text) if port_text else None


def _host_key(name: str) -> str:
    try:
        return str(ipaddress.ip_address(name))
    except ValueError:
        return name.lower().rstrip(".")


def _url_host(name: str) -> str:
    return f"[{name}]" if ":" in name else name


def bind(host: str, port: int, preview: Preview) -> PreviewServer:
    """The server listening; a busy port is a usage error that names a free one."""
    try:
        return PreviewServer(host, port, preview)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(
                f"port {port} on {host} is already in use; try --port {_free_port(host)}"
            ) from None
        if exc.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT) or isinstance(
            exc, socket.gaierror
        ):
            raise UsageError(f"cannot listen on {host}: {exc.strerror or exc}") from None
        raise


def _free_port(host: str) -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def watch_filter(site_dir: Path, output_dir: Path) -> Callable[[object, str], bool]:
    """Changes worth a rebuild: not the output, the cache, editors' temporaries or git's
    files, except those that say HEAD moved (a commit changes the pages' git info)."""
    git = (site_dir / ".git").resolve()
    skipped = [p.resolve() for p in (output_dir, site_dir / CACHE_DIR)]

    def wanted(_change: object, path: str) -> bool:
        name = Path(path).name
        if name.endswith(("~", ".swp", ".swx", ".tmp", ".lock")) or name.startswith((".#", "#")):
            return False
        resolved = Path(path).resolve()
        if resolved == git or git in resolved.parents:
            inside = resolved.relative_to(git).parts
            return inside in (("HEAD",), ("packed-refs",)) or inside[:2] == ("refs", "heads")
        return not any(resolved == s or s in resolved.parents for s in skipped)

    return wanted


def serve_forever(
    server: PreviewServer,
    site_dir: Path,
    output_dir: Path,
    on_rebuild: Callable[[Rebuild], None],
    on_ready: Callable[[], None],
) -> None:
    """Serve in a thread and rebuild on changes until Ctrl-C (or SIGTERM).

    The watcher shows an edited moment's page at once (the quick pass) and
    asks the builder thread for a full pass, which brings everything else up
    to date; edits that arrive meanwhile are shown at once too, and one more
    full pass follows. `on_ready` is called once the watcher is in place and
    has caught up.
    """
    # Short turns at the interpreter lock, so that requests and edits are
    # answered within a millisecond or so while the builder thread works.
    sys.setswitchinterval(0.001)
    # Started once caught up: a first edit made as soon as a page shows would
    # otherwise wait behind the catch-up pass, which runs on this thread (about
    # 1 s at 10,000 moments). Until then the bound socket holds the connections.
    thread = threading.Thread(target=server.serve_forever, name="http", daemon=True)
    stop = threading.Event()
    builder = _Builder(server.preview, on_rebuild, stop)
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    caught_up = False
    try:
        for changes in watchfiles.watch(
            site_dir,
            watch_filter=watch_filter(site_dir, output_dir),
            step=WATCH_STEP_MS,
            debounce=1600,
            stop_event=stop,
            rust_timeout=WAKE_MS,
            yield_on_timeout=True,
        ):
            paths = sorted(Path(p) for _, p in changes)
            if not caught_up:
                # Once the watcher is in place, catch up with whatever changed
                # since the first build read the files; only then are we ready.
                caught_up = True
                result = server.preview.rebuild(paths)
                if changes or result.read or not result.ok:
                    on_rebuild(result)
                # A full collection now, before anyone waits: each one stops every
                # thread, requests and the quick pass included. What the first build
                # loaded stays out of the collector's walks until the first full
                # pass ends (see collector_off).
                gc.collect()
                gc.freeze()
                builder.start()
                thread.start()
                on_ready()
            elif changes:
                server.preview.show_edited_moments(paths)
                builder.request()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        stop.set()
        builder.request()  # wakes it to see `stop`
        server.stopping.set()
        if thread.is_alive():
            server.shutdown()  # waits for serve_forever, so only once it runs
        server.server_close()


class _Builder(threading.Thread):
    """Runs full passes one after another while changes keep coming."""

    def __init__(
        self, preview: Preview, on_rebuild: Callable[[Rebuild], None], stop: threading.Event
    ) -> None:
        super().__init__(name="builder", daemon=True)
        self.preview, self.on_rebuild, self.stop = preview, on_rebuild, stop
        self._wanted = threading.Event()

    def request(self) -> None:
        self._wanted.set()

    def run(self) -> None:
        uncollected = 0  # full passes since the last full collection
        while True:
            idle = COLLECT_WHEN_IDLE_S if uncollected else None
            if not self._wanted.wait(idle):
                gc.collect()  # nothing asked for a while: now it holds up no one
                uncollected = 0
                continue
            if self.stop.is_set():
                return
            self._wanted.clear()
            # No collections in a full pass, nor right after it: a full collection
            # walks the whole site (200-400 ms at 10,000 moments) holding the
            # interpreter lock, and the next edit waited behind it. The garbage in
            # cycles a pass leaves (an old plan's Jinja environment, say) is
            # collected once the preview is idle, or after a number of passes
            # without a pause.
            with collector_off():
                result = self.preview.full_pass()
            uncollected += 1
            if uncollected >= COLLECT_AFTER_PASSES:
                gc.collect()
                uncollected = 0
            self.on_rebuild(result)


COLLECT_WHEN_IDLE_S = 5.0
COLLECT_AFTER_PASSES = 20
