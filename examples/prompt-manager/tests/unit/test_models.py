from __future__ import annotations

import pytest

from prompt_manager import Message, Prompt, PromptFormat, PromptValidationError, Role, chat
from prompt_manager.models import version_key


def test_text_prompt_infers_input_variables_minus_partials() -> None:
    prompt = Prompt(id="p", template="{{a}} {{b}}", partial_variables={"b": "B"})
    assert prompt.format is PromptFormat.TEXT
    assert prompt.input_variables == frozenset({"a"})
    assert prompt.render({"a": "A"}) == "A B"
    assert prompt.render({"a": "A", "b": "override"}) == "A override"


def test_chat_prompt_is_inferred_from_messages(chat_prompt: Prompt) -> None:
    assert chat_prompt.format is PromptFormat.CHAT
    assert chat_prompt.input_variables == frozenset({"product", "code"})
    rendered = chat_prompt.render_messages({"product": "kettle", "code": 7})
    assert rendered[0] == Message(Role.SYSTEM, "You are Ada, a support agent for kettle.")
    assert rendered[-1].content == "Error 7."


def test_text_prompt_renders_as_one_user_message() -> None:
    assert Prompt(id="p", template="hi").render_messages() == [Message(Role.USER, "hi")]


def test_declared_variables_must_cover_the_template() -> None:
    with pytest.raises(PromptValidationError, match="undeclared variables: b"):
        Prompt(id="p", template="{{a}} {{b}}", input_variables=frozenset({"a"}))
    ok = Prompt(id="p", template="{{a}}", input_variables=frozenset({"a", "extra"}))
    assert ok.input_variables == frozenset({"a", "extra"})


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"id": ""}, "invalid prompt id"),
        ({"id": "../x"}, "invalid prompt id"),
        ({"id": "a" * 129}, "invalid prompt id"),
        ({"id": "p", "version": "1.x"}, "invalid version"),
        ({"id": "p", "version": "1.2.3.4.5"}, "invalid version"),
        ({"id": "p", "template": 3}, "must be a string"),
        ({"id": "p", "format": "audio"}, "unknown format"),
        ({"id": "p", "format": "chat", "template": "x"}, "has a template"),
        ({"id": "p", "template": "x", "messages": (Message(Role.USER, "y"),)}, "has messages"),
        ({"id": "p", "template": "x", "partial_variables": {"not valid": "v"}}, "invalid variable name"),
    ],
)
def test_invalid_prompts_are_refused(fields: dict[str, object], message: str) -> None:
    with pytest.raises(PromptValidationError, match=message):
        Prompt(**fields)  # type: ignore[arg-type]


def test_messages_validate_roles_and_types() -> None:
    assert Message("USER", "x").role is Role.USER  # type: ignore[arg-type]
    with pytest.raises(PromptValidationError, match="unknown role 'robot'"):
        Message("robot", "x")  # type: ignore[arg-type]
    with pytest.raises(PromptValidationError, match="content must be a string"):
        Message(Role.USER, 3)  # type: ignore[arg-type]
    with pytest.raises(PromptValidationError, match="name must be a string"):
        Message(Role.USER, "x", 3)  # type: ignore[arg-type]


def test_render_of_a_chat_prompt_is_refused(chat_prompt: Prompt) -> None:
    with pytest.raises(PromptValidationError, match="no text template"):
        chat_prompt.render({})


def test_round_trip_through_plain_data(chat_prompt: Prompt, text_prompt: Prompt) -> None:
    for prompt in (chat_prompt, text_prompt, Prompt(id="d", template="x", description="about")):
        assert Prompt.from_dict(prompt.to_dict()) == prompt
    data = chat_prompt.to_dict()
    assert data["format"] == "chat"
    assert data["messages"][0] == {"role": "system", "content": chat_prompt.messages[0].content}
    named = Prompt(id="f", messages=(Message(Role.FUNCTION, "{}", "lookup"),))
    assert named.to_dict()["messages"] == [{"role": "function", "content": "{}", "name": "lookup"}]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "must be a mapping"),
        ({"id": "p", "colour": "red"}, "unknown prompt fields: colour"),
        ({"id": "p", "messages": "hi"}, "messages must be a list"),
        ({"id": "p", "messages": ["hi"]}, "a message must be a mapping"),
        ({"id": "p", "messages": [{"role": "user", "content": "x", "extra": 1}]}, "a message must be"),
        ({"id": "p", "input_variables": "a"}, "input_variables must be a list"),
        ({"id": "p", "input_variables": [1]}, "input_variables must be a list"),
        ({"id": "p", "metadata": []}, "must be mappings"),
        ({"id": "p", "description": 1}, "description must be a string"),
        ({"id": None}, "invalid prompt id"),
    ],
)
def test_from_dict_refuses_bad_data(data: object, message: str) -> None:
    with pytest.raises(PromptValidationError, match=message):
        Prompt.from_dict(data)


def test_chat_shorthand_and_version_key() -> None:
    prompt = chat("c", [(Role.SYSTEM, "s"), ("user", "{{q}}")], version="3")
    assert [m.role for m in prompt.messages] == [Role.SYSTEM, Role.USER]
    assert prompt.version == "3"
    assert sorted(["10", "9", "9.1"], key=version_key) == ["9", "9.1", "10"]


def test_prompts_are_immutable(text_prompt: Prompt) -> None:
    with pytest.raises(AttributeError):
        text_prompt.id = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        text_prompt.partial_variables["x"] = "y"  # type: ignore[index]
