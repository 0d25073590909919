"""Integrations with LLM frameworks, imported on first use.

``import prompt_manager.integrations`` imports no SDK and no integration module: each name below
is loaded when it is first accessed, and an integration whose SDK is missing says which extra to
install.

>>> import prompt_manager.integrations as integrations
>>> integrations.OpenAIIntegration.name
'openai'
>>> integrations.Nope
Traceback (most recent call last):
...
AttributeError: module 'prompt_manager.integrations' has no attribute 'Nope'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from prompt_manager.integrations.anthropic import AnthropicIntegration
    from prompt_manager.integrations.base import BaseIntegration
    from prompt_manager.integrations.langchain import LangChainIntegration
    from prompt_manager.integrations.litellm import LiteLLMIntegration
    from prompt_manager.integrations.openai import OpenAIIntegration
    from prompt_manager.integrations.types import (
        AnthropicMessage,
        AnthropicRequest,
        FunctionCall,
        OpenAIMessage,
        ToolCall,
    )

__all__ = [
    "AnthropicIntegration",
    "AnthropicMessage",
    "AnthropicRequest",
    "BaseIntegration",
    "FunctionCall",
    "LangChainIntegration",
    "LiteLLMIntegration",
    "OpenAIIntegration",
    "OpenAIMessage",
    "ToolCall",
]

_WHERE = {
    "AnthropicIntegration": "anthropic",
    "AnthropicMessage": "types",
    "AnthropicRequest": "types",
    "BaseIntegration": "base",
    "FunctionCall": "types",
    "LangChainIntegration": "langchain",
    "LiteLLMIntegration": "litellm",
    "OpenAIIntegration": "openai",
    "OpenAIMessage": "types",
    "ToolCall": "types",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
