"""Shared fixtures. Nothing here reaches the network: the SDKs talk to a loopback fake server."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator

import pytest

# LiteLLM fetches its model cost map from GitHub at import unless told to use its bundled copy.
os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
# Requests to the loopback server must never go through a proxy from the environment.
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"

from prompt_manager import Message, Prompt, Role
from prompt_manager.testing import FakeLLMServer


@pytest.fixture
def fake_server() -> Iterator[FakeLLMServer]:
    """An OpenAI- and Anthropic-shaped server on loopback that records request bodies."""
    with FakeLLMServer(reply="pong") as server:
        yield server


@pytest.fixture
def chat_prompt() -> Prompt:
    """A CHAT prompt using every role OpenAI accepts and a partial variable."""
    return Prompt(
        id="support",
        version="2",
        messages=(
            Message(Role.SYSTEM, "You are {{bot}}, a support agent for {{product}}."),
            Message(Role.USER, "My {{product}} does not start."),
            Message(Role.ASSISTANT, "Which error do you see?"),
            Message(Role.USER, "Error {{code}}."),
        ),
        partial_variables={"bot": "Ada"},
        metadata={"owner": "support-team"},
    )


@pytest.fixture
def text_prompt() -> Prompt:
    """A TEXT prompt with literal braces that must survive every conversion."""
    return Prompt(id="summarize", template='Summarize {{text}} as JSON like {"summary": "..."}.')


@pytest.fixture
def hide_modules(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Make modules unimportable, as if their distribution were not installed."""

    def hide(*names: str) -> None:
        for name in names:
            for loaded in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
                monkeypatch.delitem(sys.modules, loaded)
            monkeypatch.setitem(sys.modules, name, None)

    return hide
