"""A local HTTP server for one feed: ETag/Last-Modified, 304 answers, and a log of requests."""

from __future__ import annotations

import hashlib
import http.server
import threading
from email.utils import formatdate
from typing import Any


class FeedServer:
    """Serves `data` at /feed.xml on 127.0.0.1 and records (method, path, status) per request."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.etag = '"' + hashlib.sha256(data).hexdigest()[:20] + '"'
        self.last_modified = formatdate(1_700_000_000, usegmt=True)
        self.log: list[tuple[str, str, int]] = []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                if self.path.split("?")[0] != "/feed.xml":
                    owner.log.append(("GET", self.path, 404))
                    self.send_error(404)
                    return
                match = self.headers.get("If-None-Match") == owner.etag or (
                    self.headers.get("If-Modified-Since") == owner.last_modified
                    and "If-None-Match" not in self.headers
                )
                status = 304 if match else 200
                owner.log.append(("GET", self.path, status))
                self.send_response(status)
                self.send_header("ETag", owner.etag)
                self.send_header("Last-Modified", owner.last_modified)
                if match:
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
                self.send_header("Content-Length", str(len(owner.data)))
                self.end_headers()
                self.wfile.write(owner.data)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The feed's URL."""
        return f"http://127.0.0.1:{self.server.server_address[1]}/feed.xml"

    def __enter__(self) -> FeedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
