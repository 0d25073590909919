"""Send one prompt through LiteLLM, which speaks OpenAI's format for every provider.

Runs offline with LiteLLM's ``mock_response`` (no request leaves the machine).

    pip install "prompt-manager[litellm]"
    python examples/litellm_completion.py
"""

from __future__ import annotations

import asyncio
import os

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # no download of the cost map

import litellm

from prompt_manager import chat
from prompt_manager.integrations import LiteLLMIntegration


async def main() -> None:
    prompt = chat("haiku", [("system", "You write haiku."), ("user", "A haiku about {{topic}}.")])
    messages = await LiteLLMIntegration().convert(prompt, {"topic": "releases"})
    for model in ("gpt-4o-mini", "anthropic/claude-sonnet-4-5"):
        response = litellm.completion(model=model, messages=messages, mock_response=f"(a haiku from {model})")
        print(f"{model}: {response.choices[0].message.content}")


if __name__ == "__main__":
    asyncio.run(main())
