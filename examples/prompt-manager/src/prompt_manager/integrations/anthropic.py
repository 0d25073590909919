"""Anthropic Messages API: the system message apart, then strictly alternating user/assistant turns.

>>> import asyncio
>>> from prompt_manager import chat
>>> prompt = chat("qa", [("system", "Be brief."), ("user", "{{q}}")])
>>> asyncio.run(AnthropicIntegration().convert(prompt, {"q": "Why?"}))
{'system': 'Be brief.', 'messages': [{'role': 'user', 'content': 'Why?'}]}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, Literal

from prompt_manager.exceptions import ConversionError, IncompatibleFormatError
from prompt_manager.integrations.base import BaseIntegration
from prompt_manager.integrations.types import AnthropicMessage, AnthropicRequest
from prompt_manager.models import Message, Prompt, PromptFormat, Role

__all__ = ["AnthropicIntegration"]

ROLE_MAP: dict[Role, Literal["user", "assistant"]] = {
    Role.USER: "user",
    Role.FUNCTION: "user",
    Role.TOOL: "user",
    Role.ASSISTANT: "assistant",
}


class AnthropicIntegration(BaseIntegration[AnthropicRequest]):
    """Converts prompts for Anthropic's Messages API (extra ``anthropic``).

    The one SYSTEM message becomes ``system`` (two are an error); USER, FUNCTION and TOOL
    messages are sent as ``user``, ASSISTANT ones as ``assistant``. The API wants the turns to
    start with the user and alternate: under ``strict_validation`` the error names the index of
    the offending message; without it, consecutive turns of one role are joined.
    """

    name: ClassVar[str] = "anthropic"
    extra: ClassVar[str | None] = "anthropic"
    required_modules: ClassVar[tuple[str, ...]] = ("anthropic",)

    async def convert(
        self, prompt: Prompt, variables: Mapping[str, object] | None = None
    ) -> AnthropicRequest:
        if prompt.format is PromptFormat.TEXT:
            if prompt.template is None:
                raise ConversionError(self.name, f"TEXT prompt {prompt.id!r} has no template")
            return {
                "messages": [
                    {"role": "user", "content": prompt.render(variables, engine=self.template_engine)}
                ]
            }
        self._check(prompt)
        return self.convert_messages(self.render_messages(prompt, variables), prompt.id)

    def convert_messages(self, messages: list[Message], prompt_id: str = "<messages>") -> AnthropicRequest:
        """Convert already rendered messages."""
        system = [(i, m) for i, m in enumerate(messages) if m.role is Role.SYSTEM]
        if len(system) > 1:
            at = ", ".join(str(i) for i, _ in system)
            raise IncompatibleFormatError(
                self.name,
                f"prompt {prompt_id!r} has {len(system)} system messages (at {at}); Anthropic takes one",
            )
        turns: list[AnthropicMessage] = []
        for index, message in enumerate(messages):
            if message.role is Role.SYSTEM:
                continue
            role = ROLE_MAP[message.role]
            if not turns and role != "user":
                raise IncompatibleFormatError(
                    self.name,
                    f"prompt {prompt_id!r}, message {index}: the first turn must be the user's, not {role}",
                )
            if turns and turns[-1]["role"] == role:
                if self.strict_validation:
                    raise IncompatibleFormatError(
                        self.name,
                        f"prompt {prompt_id!r}, message {index}: two {role} turns in a row; "
                        "Anthropic needs user and assistant to alternate",
                    )
                turns[-1] = {"role": role, "content": f"{turns[-1]['content']}\n\n{message.content}"}
                continue
            turns.append({"role": role, "content": message.content})
        if not turns:
            raise IncompatibleFormatError(self.name, f"prompt {prompt_id!r} has no user message")
        if system:
            return {"system": system[0][1].content, "messages": turns}
        return {"messages": turns}

    def _check(self, prompt: Prompt) -> None:
        # Structure only: the same checks on the unrendered messages, so errors come before rendering.
        self.convert_messages(list(prompt.messages), prompt.id)

    def validate_compatibility(self, prompt: Prompt) -> bool:
        if prompt.format is PromptFormat.TEXT:
            return prompt.template is not None
        try:
            self._check(prompt)
        except IncompatibleFormatError:
            return False
        return True
