from __future__ import annotations

from pathlib import Path

import pytest

from prompt_manager import (
    FileSystemStorage,
    Message,
    MissingVariablesError,
    Prompt,
    PromptFormat,
    PromptRegistry,
    PromptValidationError,
    RenderMetrics,
    Role,
)


def test_register_render_and_count(text_prompt: Prompt, chat_prompt: Prompt) -> None:
    registry = PromptRegistry()
    registry.register(text_prompt)
    registry.register(chat_prompt)
    assert registry.ids() == ["summarize", "support"]
    assert registry.render("summarize", {"text": "it"}).startswith("Summarize it as JSON")
    messages = registry.render_messages("support", {"product": "p", "code": 1})
    assert messages[1] == Message(Role.USER, "My p does not start.")
    assert registry.metrics.get("summarize").count == 1
    assert registry.metrics.get("support").count == 1
    assert registry.format_of("support") is PromptFormat.CHAT


def test_versions_are_not_overwritten_by_accident(text_prompt: Prompt) -> None:
    registry = PromptRegistry()
    registry.register(text_prompt)
    with pytest.raises(PromptValidationError, match="already registered"):
        registry.register(text_prompt)
    registry.register(text_prompt, replace=True)
    registry.register(Prompt(id="summarize", template="v2 {{text}}", version="2"))
    assert registry.versions("summarize") == ["1", "2"]
    assert registry.render("summarize", {"text": "t"}) == "v2 t"
    assert registry.get("summarize", "1") == text_prompt


def test_strict_and_lenient_registries(text_prompt: Prompt) -> None:
    metrics = RenderMetrics()
    strict = PromptRegistry(metrics=metrics)
    strict.register(text_prompt)
    with pytest.raises(MissingVariablesError):
        strict.render("summarize")
    assert metrics.get("summarize").errors == 1
    lenient = PromptRegistry(strict=False)
    lenient.register(text_prompt)
    assert lenient.render("summarize").startswith("Summarize {{text}}")


def test_filesystem_backed_registry(tmp_path: Path, text_prompt: Prompt) -> None:
    registry = PromptRegistry(FileSystemStorage(tmp_path))
    registry.register(text_prompt)
    assert PromptRegistry(FileSystemStorage(tmp_path)).get("summarize") == text_prompt
    assert repr(registry) == f"PromptRegistry({registry.storage!r}, strict=True)"
