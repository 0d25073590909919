"""OpenAI Chat Completions: TEXT prompts become a string, CHAT prompts a list of messages.

>>> import asyncio
>>> from prompt_manager import chat
>>> prompt = chat("qa", [("system", "Answer briefly."), ("user", "{{question}}")])
>>> asyncio.run(OpenAIIntegration().convert(prompt, {"question": "Why?"}))
[{'role': 'system', 'content': 'Answer briefly.'}, {'role': 'user', 'content': 'Why?'}]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from prompt_manager.exceptions import ConversionError
from prompt_manager.integrations.base import BaseIntegration
from prompt_manager.integrations.types import OpenAIMessage, OpenAIRole
from prompt_manager.models import Message, Prompt, PromptFormat, Role

__all__ = ["OpenAIIntegration"]

ROLE_MAP: dict[Role, OpenAIRole] = {
    Role.SYSTEM: "system",
    Role.USER: "user",
    Role.ASSISTANT: "assistant",
    Role.FUNCTION: "function",
    Role.TOOL: "tool",
}


class OpenAIIntegration(BaseIntegration[str | list[OpenAIMessage]]):
    """Converts prompts for OpenAI's Chat Completions API (extra ``openai``).

    A FUNCTION message's ``name`` is the function's name and a TOOL message's ``name`` is the
    id of the tool call it answers (``tool_call_id``): OpenAI requires both, so under
    ``strict_validation`` a message without one is a :class:`ConversionError`.
    """

    name: ClassVar[str] = "openai"
    extra: ClassVar[str | None] = "openai"
    required_modules: ClassVar[tuple[str, ...]] = ("openai",)

    async def convert(
        self, prompt: Prompt, variables: Mapping[str, object] | None = None
    ) -> str | list[OpenAIMessage]:
        if prompt.format is PromptFormat.TEXT:
            if prompt.template is None:
                raise ConversionError(self.name, f"TEXT prompt {prompt.id!r} has no template")
            return prompt.render(variables, engine=self.template_engine)
        if not prompt.messages:
            raise ConversionError(self.name, f"CHAT prompt {prompt.id!r} has no messages")
        return self.convert_messages(self.render_messages(prompt, variables), prompt.id)

    def convert_messages(self, messages: list[Message], prompt_id: str = "<messages>") -> list[OpenAIMessage]:
        """Convert already rendered messages (used by integrations that build on this one)."""
        return [self._message_of(prompt_id, i, m) for i, m in enumerate(messages)]

    def _message_of(self, prompt_id: str, index: int, message: Message) -> OpenAIMessage:
        out: OpenAIMessage = {"role": ROLE_MAP[message.role], "content": message.content}
        if message.role is Role.TOOL:
            if message.name:
                out["tool_call_id"] = message.name
            elif self.strict_validation:
                raise ConversionError(
                    self.name,
                    f"prompt {prompt_id!r}, message {index}: a TOOL message needs the tool call id"
                    " as its name",
                )
        elif message.name:
            out["name"] = message.name
        elif message.role is Role.FUNCTION and self.strict_validation:
            raise ConversionError(
                self.name, f"prompt {prompt_id!r}, message {index}: a FUNCTION message needs a name"
            )
        return out

    def validate_compatibility(self, prompt: Prompt) -> bool:
        if prompt.format is PromptFormat.TEXT:
            return prompt.template is not None
        if not prompt.messages:
            return False
        return not self.strict_validation or all(
            m.name for m in prompt.messages if m.role in (Role.FUNCTION, Role.TOOL)
        )
