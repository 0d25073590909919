"""LiteLLM: one OpenAI-compatible message list for every provider LiteLLM routes to.

>>> import asyncio
>>> from prompt_manager import Prompt
>>> asyncio.run(LiteLLMIntegration().convert(Prompt(id="hi", template="Hi {{name}}"), {"name": "Ada"}))
[{'role': 'user', 'content': 'Hi Ada'}]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from prompt_manager.exceptions import ConversionError
from prompt_manager.integrations.base import BaseIntegration
from prompt_manager.integrations.openai import OpenAIIntegration
from prompt_manager.integrations.types import OpenAIMessage
from prompt_manager.models import Prompt
from prompt_manager.template import TemplateEngine

__all__ = ["LiteLLMIntegration"]


class LiteLLMIntegration(BaseIntegration[list[OpenAIMessage]]):
    """Converts prompts for ``litellm.completion`` (extra ``litellm``) by delegating to OpenAI's.

    LiteLLM takes OpenAI's message format for every provider, so the conversion is
    :class:`OpenAIIntegration`'s, except that a TEXT prompt becomes one user message (LiteLLM
    has no plain-text completion call).
    """

    name: ClassVar[str] = "litellm"
    extra: ClassVar[str | None] = "litellm"
    required_modules: ClassVar[tuple[str, ...]] = ("litellm",)

    def __init__(
        self, template_engine: TemplateEngine | None = None, *, strict_validation: bool = True
    ) -> None:
        super().__init__(template_engine, strict_validation=strict_validation)
        self._openai = OpenAIIntegration(self.template_engine, strict_validation=self.strict_validation)

    async def convert(
        self, prompt: Prompt, variables: Mapping[str, object] | None = None
    ) -> list[OpenAIMessage]:
        try:
            converted = await self._openai.convert(prompt, variables)
        except ConversionError as error:
            raise ConversionError(self.name, error.message) from error
        if isinstance(converted, str):
            return [{"role": "user", "content": converted}]
        return converted

    def validate_compatibility(self, prompt: Prompt) -> bool:
        return self._openai.validate_compatibility(prompt)
