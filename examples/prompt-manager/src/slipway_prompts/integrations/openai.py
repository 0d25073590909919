"""Send a rendered prompt to OpenAI (extra: ``openai``)."""

from __future__ import annotations

from slipway_prompts.integrations import require


def complete(prompt: str, model: str = "gpt-4o-mini") -> str:
    openai = require("openai", "openai")
    client = openai.OpenAI()
    response = client.chat.completions.create(model=model, messages=[{"role": "user", "content": prompt}])
    return response.choices[0].message.content or ""
