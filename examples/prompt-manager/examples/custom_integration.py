"""Write your own integration: subclass BaseIntegration for any framework's format.

This one renders prompts for a plain-text chat log; no extra is needed.

    python examples/custom_integration.py
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import ClassVar

from prompt_manager import Prompt, PromptFormat, Role, chat
from prompt_manager.integrations import BaseIntegration


class TranscriptIntegration(BaseIntegration[str]):
    """Renders a prompt as a transcript: one ``ROLE: text`` line per message."""

    name: ClassVar[str] = "transcript"

    async def convert(self, prompt: Prompt, variables: Mapping[str, object] | None = None) -> str:
        messages = self.render_messages(prompt, variables)
        return "\n".join(f"{m.role.value.upper()}: {m.content}" for m in messages)

    def validate_compatibility(self, prompt: Prompt) -> bool:
        return prompt.format is PromptFormat.TEXT or all(m.role is not Role.TOOL for m in prompt.messages)


async def main() -> None:
    prompt = chat("greet", [("system", "Be kind."), ("user", "Hello, I am {{name}}.")])
    integration = TranscriptIntegration()
    print(integration.validate_compatibility(prompt))
    print(await integration.convert(prompt, {"name": "Ada"}))


if __name__ == "__main__":
    asyncio.run(main())
