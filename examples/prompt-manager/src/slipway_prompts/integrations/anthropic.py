"""Send a rendered prompt to Anthropic (extra: ``anthropic``)."""

from __future__ import annotations

from slipway_prompts.integrations import require


def complete(prompt: str, model: str = "claude-3-5-haiku-latest", max_tokens: int = 1024) -> str:
    anthropic = require("anthropic", "anthropic")
    client = anthropic.Anthropic()
    message = client.messages.create(
        model=model, max_tokens=max_tokens, messages=[{"role": "user", "content": prompt}]
    )
    return "".join(block.text for block in message.content if block.type == "text")
