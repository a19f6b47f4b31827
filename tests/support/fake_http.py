"""What every fake vendor server of the tests shares: a quiet request handler that answers JSON or bytes, a
threaded server on a free port of 127.0.0.1 for the length of a block, and the replies of scripted faults (429
with Retry-After, 500, a gateway's 504, a slow answer, a cut-off JSON body). Each fake (video, image, speech,
chat) keeps only its vendors' paths, fields and reply shapes."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that logs nothing (pytest's output stays clean) and answers in one call."""

    def log_message(self, *_: object) -> None:
        pass

    def raw_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def send(self, status: int, payload: bytes, content_type: str, extra: Mapping[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
            self.wfile.write(payload)

    def send_json(self, status: int, reply: Any, extra: Mapping[str, str] | None = None) -> None:
        self.send(status, json.dumps(reply).encode(), "application/json", extra)


@contextlib.contextmanager
def serving(handler: type[BaseHTTPRequestHandler], poll_interval: float = 0.02) -> Iterator[str]:
    """Serve `handler` on a free port of 127.0.0.1 for the block (threaded); yields `http://127.0.0.1:<port>`.
    `poll_interval` is how long `shutdown()` may wait for the serving loop to notice: short, as it ends every test."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": poll_interval}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


class ScriptedFault(Protocol):
    kind: str
    retry_after: str
    slow_s: float


def answered_fault(handler: QuietHandler, fault: ScriptedFault | None, bodies: Mapping[str, bytes]) -> bool:
    """Play `fault` on `handler`: a slow one waits (and the request goes on); one whose kind `bodies` holds
    ("429", "500", "504", "malformed": the vendor's body) is answered with it. Whether it answered."""
    if fault is None:
        return False
    if fault.kind == "slow":
        time.sleep(fault.slow_s)
        return False
    if fault.kind not in bodies:
        return False
    status = 200 if fault.kind == "malformed" else int(fault.kind)
    extra = {"Retry-After": fault.retry_after} if fault.kind == "429" else {}
    handler.send(status, bodies[fault.kind], "application/json", extra)
    return True
