"""Render a CHAT prompt for OpenAI and send it with the official SDK.

Runs offline: the client talks to prompt-manager's loopback fake server. Point ``base_url`` at
OpenAI (and drop the fake) to use the real API.

    pip install "prompt-manager[openai]"
    python examples/openai_chat.py
"""

from __future__ import annotations

import asyncio
from typing import cast

import openai
from openai.types.chat import ChatCompletionMessageParam

from prompt_manager import PromptRegistry, chat
from prompt_manager.integrations import OpenAIIntegration
from prompt_manager.testing import FakeLLMServer


async def main() -> None:
    registry = PromptRegistry()
    registry.register(
        chat(
            "support",
            [("system", "You are a support agent for {{product}}."), ("user", "{{question}}")],
        )
    )
    messages = await OpenAIIntegration().convert(
        registry.get("support"), {"product": "Acme Kettle", "question": "It does not boil."}
    )
    assert isinstance(messages, list)  # a CHAT prompt gives messages, a TEXT prompt a string
    with FakeLLMServer(reply="Check the fuse.") as server:
        client = openai.OpenAI(base_url=server.openai_base_url, api_key="example-key")
        # The SDK types each role's message separately; ours are the same dictionaries.
        sdk_messages = cast("list[ChatCompletionMessageParam]", messages)
        response = client.chat.completions.create(model="gpt-4o-mini", messages=sdk_messages)
        print("sent:", server.requests[0].body["messages"])
    print("reply:", response.choices[0].message.content)


if __name__ == "__main__":
    asyncio.run(main())
