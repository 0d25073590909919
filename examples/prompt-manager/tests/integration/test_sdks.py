"""The converted prompts handed to the real SDKs: their own validation and serialization accept them.

OpenAI and Anthropic clients send to the loopback fake server, which records the request body;
LiteLLM answers with its ``mock_response``; LangChain objects are built and formatted.
"""

from __future__ import annotations

from typing import Any

import pytest

from prompt_manager import Message, Prompt, Role
from prompt_manager.integrations import (
    AnthropicIntegration,
    LangChainIntegration,
    LiteLLMIntegration,
    OpenAIIntegration,
)
from prompt_manager.plugins import PluginManager
from prompt_manager.testing import FakeLLMServer

pytestmark = pytest.mark.integration

VARIABLES = {"product": "kettle", "code": 7}
KEY = "test-key-not-a-secret"


async def test_openai_sdk_sends_the_converted_messages(
    fake_server: FakeLLMServer, chat_prompt: Prompt
) -> None:
    openai = pytest.importorskip("openai")
    messages = await OpenAIIntegration().convert(chat_prompt, VARIABLES)
    client = openai.OpenAI(base_url=fake_server.openai_base_url, api_key=KEY, max_retries=0)
    response = client.chat.completions.create(model="gpt-4o-mini", messages=messages)
    assert response.choices[0].message.content == "pong"
    [request] = fake_server.requests
    assert request.path == "/v1/chat/completions"
    assert request.body == {"model": "gpt-4o-mini", "messages": messages}
    assert request.headers["authorization"] == f"Bearer {KEY}"


async def test_openai_async_sdk_with_function_and_tool_messages(fake_server: FakeLLMServer) -> None:
    openai = pytest.importorskip("openai")
    prompt = Prompt(
        id="tools",
        messages=(
            Message(Role.USER, "What time is it in {{city}}?"),
            Message(Role.ASSISTANT, "Let me look."),
            Message(Role.FUNCTION, '{"time": "12:00"}', "get_time"),
            Message(Role.TOOL, '{"time": "12:00"}', "call_1"),
        ),
    )
    messages = await OpenAIIntegration().convert(prompt, {"city": "Paris"})
    async with openai.AsyncOpenAI(base_url=fake_server.openai_base_url, api_key=KEY, max_retries=0) as client:
        await client.chat.completions.create(model="gpt-4o-mini", messages=messages)
    assert fake_server.requests[0].body["messages"][3] == {
        "role": "tool",
        "content": '{"time": "12:00"}',
        "tool_call_id": "call_1",
    }


async def test_openai_text_prompt_as_completion(fake_server: FakeLLMServer, text_prompt: Prompt) -> None:
    openai = pytest.importorskip("openai")
    text = await OpenAIIntegration().convert(text_prompt, {"text": "the report"})
    assert isinstance(text, str)
    client = openai.OpenAI(base_url=fake_server.openai_base_url, api_key=KEY, max_retries=0)
    client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": text}])
    assert fake_server.requests[0].body["messages"][0]["content"] == text


async def test_anthropic_sdk_sends_system_and_turns(fake_server: FakeLLMServer, chat_prompt: Prompt) -> None:
    anthropic = pytest.importorskip("anthropic")
    request = await AnthropicIntegration().convert(chat_prompt, VARIABLES)
    client = anthropic.Anthropic(base_url=fake_server.url, api_key=KEY, max_retries=0)
    message = client.messages.create(model="claude-sonnet-4-5", max_tokens=256, **request)
    assert message.content[0].text == "pong"
    [sent] = fake_server.requests
    assert sent.path == "/v1/messages"
    assert sent.body == {"model": "claude-sonnet-4-5", "max_tokens": 256, **request}
    # The header carrying the key changed across SDK versions (x-api-key, then a bearer token).
    assert KEY in (
        sent.headers.get("x-api-key"),
        sent.headers.get("authorization", "").removeprefix("Bearer "),
    )
    assert "anthropic-version" in sent.headers


async def test_anthropic_async_sdk(fake_server: FakeLLMServer, text_prompt: Prompt) -> None:
    anthropic = pytest.importorskip("anthropic")
    request = await AnthropicIntegration().convert(text_prompt, {"text": "x"})
    async with anthropic.AsyncAnthropic(base_url=fake_server.url, api_key=KEY, max_retries=0) as client:
        await client.messages.create(model="claude-sonnet-4-5", max_tokens=16, **request)
    assert fake_server.requests[0].body["messages"] == request["messages"]
    assert "system" not in fake_server.requests[0].body


async def test_litellm_accepts_the_messages(chat_prompt: Prompt) -> None:
    litellm = pytest.importorskip("litellm")
    messages = await LiteLLMIntegration().convert(chat_prompt, VARIABLES)
    response: Any = litellm.completion(model="gpt-4o-mini", messages=messages, mock_response="mocked")
    assert response.choices[0].message.content == "mocked"
    response = await litellm.acompletion(
        model="anthropic/claude-sonnet-4-5", messages=messages, mock_response="async mocked"
    )
    assert response.choices[0].message.content == "async mocked"


async def test_litellm_routes_to_the_fake_openai_server(
    fake_server: FakeLLMServer, chat_prompt: Prompt
) -> None:
    litellm = pytest.importorskip("litellm")
    messages = await LiteLLMIntegration().convert(chat_prompt, VARIABLES)
    response: Any = litellm.completion(
        model="openai/gpt-4o-mini",
        messages=messages,
        api_base=fake_server.openai_base_url,
        api_key=KEY,
        max_retries=0,
    )
    assert response.choices[0].message.content == "pong"
    assert fake_server.requests[0].body["messages"] == messages


async def test_langchain_objects_format_and_serialize(chat_prompt: Prompt, text_prompt: Prompt) -> None:
    pytest.importorskip("langchain_core")
    from langchain_core.load import dumpd, load

    chat = await LangChainIntegration().convert(chat_prompt, {"product": "kettle"})
    value = chat.invoke({"code": 7})
    assert [m.type for m in value.to_messages()] == ["system", "human", "ai", "human"]
    restored = load(dumpd(chat), allowed_objects="core")
    assert restored.invoke({"code": 7}).to_messages() == value.to_messages()
    text = await LangChainIntegration().convert(text_prompt)
    assert text.invoke({"text": "t"}).to_string() == 'Summarize t as JSON like {"summary": "..."}.'


async def test_every_builtin_plugin_renders(chat_prompt: Prompt) -> None:
    plugins = PluginManager()
    outputs = {
        name: await plugins.render(name, chat_prompt, VARIABLES)
        for name in plugins.available()
        if name in ("openai", "anthropic", "langchain", "litellm")
    }
    assert set(outputs) == {"openai", "anthropic", "langchain", "litellm"}
    assert outputs["openai"] == outputs["litellm"]
    assert outputs["anthropic"]["system"] == "You are Ada, a support agent for kettle."
    await plugins.shutdown()
