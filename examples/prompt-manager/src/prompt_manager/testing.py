"""A loopback stand-in for the OpenAI and Anthropic HTTP APIs, for tests and offline examples.

:class:`FakeLLMServer` answers ``POST /v1/chat/completions`` like OpenAI and ``POST /v1/messages``
like Anthropic, with a fixed reply, and records every request body, so a test can hand the real
SDK a converted prompt and check what the SDK actually sent::

    with FakeLLMServer() as server:
        client = openai.OpenAI(base_url=server.openai_base_url, api_key="test")
        client.chat.completions.create(model="gpt-4o-mini", messages=messages)
        assert server.requests[0].body["messages"] == messages

It listens on 127.0.0.1 only and refuses bodies over 1 MiB.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

__all__ = ["FakeLLMServer", "RecordedRequest"]

MAX_BODY = 1 << 20


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request the fake server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any = field(default=None)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    timeout = 10  # seconds a client may stall mid-request before its connection is dropped

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        """Stay quiet: tests read :attr:`FakeLLMServer.requests` instead."""

    def _reply(self, status: int, payload: object) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            self._reply(413, {"error": {"message": "body too large or without a length"}})
            return
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            self._reply(400, {"error": {"message": "body is not JSON"}})
            return
        fake = self.server.fake
        fake._record(
            RecordedRequest("POST", self.path, {k.lower(): v for k, v in self.headers.items()}, body)
        )
        model = body.get("model", "fake") if isinstance(body, dict) else "fake"
        if self.path.rstrip("/").endswith("/chat/completions"):
            self._reply(
                200,
                {
                    "id": "chatcmpl-fake",
                    "object": "chat.completion",
                    "created": 0,
                    "model": model,
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": fake.reply},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                },
            )
        elif self.path.rstrip("/").endswith("/messages"):
            self._reply(
                200,
                {
                    "id": "msg_fake",
                    "type": "message",
                    "role": "assistant",
                    "model": model,
                    "content": [{"type": "text", "text": fake.reply}],
                    "stop_reason": "end_turn",
                    "stop_sequence": None,
                    "usage": {"input_tokens": 1, "output_tokens": 1},
                },
            )
        else:
            self._reply(404, {"error": {"message": f"no route {self.path}"}})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeLLMServer


class FakeLLMServer:
    """An OpenAI- and Anthropic-shaped HTTP server on a free loopback port, in a thread.

    Use it as a context manager (or call :meth:`start` and :meth:`stop`). ``reply`` is the
    assistant text every request gets back.
    """

    def __init__(self, reply: str = "fake reply") -> None:
        self.reply = reply
        self._requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` (the Anthropic client's ``base_url``)."""
        if self._server is None:
            raise RuntimeError("the fake server is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def openai_base_url(self) -> str:
        """The OpenAI client's ``base_url``."""
        return f"{self.url}/v1"

    @property
    def requests(self) -> list[RecordedRequest]:
        """The requests received so far, oldest first."""
        with self._lock:
            return list(self._requests)

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def start(self) -> FakeLLMServer:
        """Start serving (idempotent)."""
        if self._server is None:
            server = _Server(("127.0.0.1", 0), _Handler)
            server.fake = self
            self._server = server
            self._thread = threading.Thread(target=server.serve_forever, name="fake-llm", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port (idempotent)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def __enter__(self) -> FakeLLMServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()
