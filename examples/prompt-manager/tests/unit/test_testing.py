from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from prompt_manager.testing import MAX_BODY, FakeLLMServer


def post(url: str, data: bytes, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    request = urllib.request.Request(url, data=data, method="POST", headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_routes_and_recording(fake_server: FakeLLMServer) -> None:
    status, body = post(f"{fake_server.openai_base_url}/chat/completions", b'{"model": "m"}')
    assert status == 200
    assert body["choices"][0]["message"]["content"] == "pong"
    status, body = post(f"{fake_server.url}/v1/messages", b"[1]")
    assert (status, body["content"][0]["text"], body["model"]) == (200, "pong", "fake")
    assert post(f"{fake_server.url}/other", b"{}")[0] == 404
    assert post(f"{fake_server.url}/v1/messages", b"{oops")[0] == 400
    assert [r.body for r in fake_server.requests] == [{"model": "m"}, [1], {}]
    assert fake_server.requests[0].path == "/v1/chat/completions"


def test_refuses_oversized_bodies(fake_server: FakeLLMServer) -> None:
    status, _ = post(f"{fake_server.url}/v1/messages", b"x", {"Content-Length": str(MAX_BODY + 1)})
    assert status == 413
    status, _ = post(f"{fake_server.url}/v1/messages", b"x", {"Content-Length": "nan"})
    assert status == 413
    assert fake_server.requests == []


def test_lifecycle() -> None:
    server = FakeLLMServer()
    with pytest.raises(RuntimeError, match="not running"):
        _ = server.url
    assert server.start() is server.start()
    assert server.url.startswith("http://127.0.0.1:")
    server.stop()
    server.stop()
