"""A test's own web pages, served on their own origin (a port the dev stack's tenants
allow, `DevStack.pages_port`), each with the headers it asks for (a CSP, say).

    with serve_pages(port, {"/csp.html": Page(html, {"Content-Security-Policy": ...})}):
        ...  # http://127.0.0.1:<port>/csp.html, and http://localhost:<port>/csp.html

A real HTTP server in a thread (no request interception: the browser's CORS requests go
to the gateway for real); stopped and its port released when the block ends.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Page:
    body: str | bytes
    headers: Mapping[str, str] = field(default_factory=dict)
    content_type: str = "text/html; charset=utf-8"


@contextmanager
def serve_pages(port: int, pages: Mapping[str, Page]) -> Iterator[None]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            page = pages.get(urlsplit(self.path).path)
            if page is None:
                self.send_error(404)
                return
            body = page.body.encode() if isinstance(page.body, str) else page.body
            self.send_response(200)
            self.send_header("Content-Type", page.content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            for name, value in page.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="test-pages", daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
