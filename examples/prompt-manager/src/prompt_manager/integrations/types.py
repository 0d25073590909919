"""The message formats the integrations produce, as TypedDicts (checked by mypy, free at runtime)."""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict

__all__ = [
    "AnthropicMessage",
    "AnthropicRequest",
    "FunctionCall",
    "OpenAIMessage",
    "OpenAIRole",
    "ToolCall",
]

OpenAIRole = Literal["system", "user", "assistant", "function", "tool"]


class FunctionCall(TypedDict):
    """A function call an assistant message asks for (OpenAI's legacy ``function_call``)."""

    name: str
    arguments: str


class ToolCall(TypedDict):
    """One tool call of an assistant message."""

    id: str
    type: Literal["function"]
    function: FunctionCall


class OpenAIMessage(TypedDict):
    """A chat message as OpenAI's Chat Completions API (and LiteLLM) take it."""

    role: OpenAIRole
    content: str
    name: NotRequired[str]
    function_call: NotRequired[FunctionCall]
    tool_calls: NotRequired[list[ToolCall]]
    tool_call_id: NotRequired[str]


class AnthropicMessage(TypedDict):
    """A message of Anthropic's Messages API: only users and the assistant speak."""

    role: Literal["user", "assistant"]
    content: str


class AnthropicRequest(TypedDict):
    """The prompt part of a Messages API request: the system text apart, then the turns."""

    system: NotRequired[str]
    messages: list[AnthropicMessage]
