"""Render a CHAT prompt for Anthropic: the system message apart, the turns alternating.

Runs offline against prompt-manager's loopback fake server.

    pip install "prompt-manager[anthropic]"
    python examples/anthropic_messages.py
"""

from __future__ import annotations

import asyncio
from typing import cast

import anthropic
from anthropic.types import MessageParam

from prompt_manager import IncompatibleFormatError, chat
from prompt_manager.integrations import AnthropicIntegration
from prompt_manager.testing import FakeLLMServer


async def main() -> None:
    prompt = chat(
        "review",
        [
            ("system", "You review {{language}} code. Be specific."),
            ("user", "Review this:\n{{code}}"),
        ],
    )
    integration = AnthropicIntegration()
    request = await integration.convert(prompt, {"language": "Python", "code": "print('hi')"})
    with FakeLLMServer(reply="Looks fine.") as server:
        client = anthropic.Anthropic(base_url=server.url, api_key="example-key")
        message = client.messages.create(
            model="claude-sonnet-4-5",
            max_tokens=512,
            system=request.get("system", ""),
            messages=cast("list[MessageParam]", request["messages"]),
        )
        print("system sent:", server.requests[0].body["system"])
    print("reply:", "".join(block.text for block in message.content if block.type == "text"))

    # Anthropic needs user and assistant turns to alternate: the error names the message.
    broken = chat("broken", [("user", "a"), ("user", "b")])
    try:
        await integration.convert(broken)
    except IncompatibleFormatError as error:
        print("refused:", error)


if __name__ == "__main__":
    asyncio.run(main())
