"""The plugin of another distribution (tests/thirdparty_plugin, installed beside this one) is found
through the ``prompt_manager.plugins`` entry-point group, exactly like the built-in ones."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, distribution

import pytest

from prompt_manager import Prompt
from prompt_manager.plugins import PluginManager


def test_the_test_package_is_installed() -> None:
    try:
        distribution("prompt-manager-echo")
    except PackageNotFoundError:  # pragma: no cover - a broken dev environment
        pytest.fail("install tests/thirdparty_plugin: pip install ./tests/thirdparty_plugin")


async def test_thirdparty_plugin_is_discovered_and_used(text_prompt: Prompt) -> None:
    plugins = PluginManager()
    infos = {info.name: info for info in plugins.plugins()}
    assert infos["echo"].value == "prompt_manager_echo:EchoPlugin"
    assert infos["echo"].describe() == "echo 1.0.0: available"
    rendered = await plugins.render("echo", text_prompt, {"text": "it"})
    assert rendered == {
        "prompt": "summarize",
        "version": "1",
        "text": 'Summarize it as JSON like {"summary": "..."}.',
    }
    await plugins.shutdown()
