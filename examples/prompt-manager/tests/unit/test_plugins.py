from __future__ import annotations

from collections.abc import Callable, Iterable
from importlib.metadata import EntryPoint

import pytest

from prompt_manager import IntegrationNotAvailableError, Message, Prompt, Role
from prompt_manager.plugins import PLUGIN_GROUP, PluginError, PluginInfo, PluginManager, get_plugin_manager
from prompt_manager.plugins.builtin import AnthropicPlugin, OpenAIPlugin
from tests.sample_plugins import UpperPlugin


def source(**values: str) -> Callable[[], Iterable[EntryPoint]]:
    return lambda: [EntryPoint(name, value, PLUGIN_GROUP) for name, value in values.items()]


def manager(**values: str) -> PluginManager:
    return PluginManager(source(**values))


async def test_the_builtin_plugins_are_discovered_through_entry_points() -> None:
    infos = {info.name: info for info in PluginManager().plugins()}
    assert {"openai", "anthropic", "langchain", "litellm"} <= set(infos)
    assert infos["openai"].value == "prompt_manager.plugins.builtin:OpenAIPlugin"
    assert infos["openai"].available
    assert infos["openai"].describe() == "openai 0.1.0: available"


async def test_discovery_lists_broken_and_unavailable_plugins_without_crashing() -> None:
    plugins = manager(
        upper="tests.sample_plugins:UpperPlugin",
        gone="tests.no_such_module:Plugin",
        odd="tests.sample_plugins:NOT_A_PLUGIN",
        sdk="tests.sample_plugins:NeedsSdkPlugin",
        openai="prompt_manager.plugins.builtin:OpenAIPlugin",
    )
    described = [info.describe() for info in plugins.plugins()]
    assert described == [
        "gone: broken, cannot load tests.no_such_module:Plugin: ModuleNotFoundError: "
        "No module named 'tests.no_such_module'",
        "odd: broken, tests.sample_plugins:NOT_A_PLUGIN is not a BasePlugin subclass",
        "openai 0.1.0: available",
        "sdk 2.0: unavailable, needs no_such_sdk_module",
        "upper 2.0: available",
    ]
    assert plugins.available() == ["openai", "upper"]
    with pytest.raises(
        PluginError, match="no plugin named 'nope' \\(installed: gone, odd, openai, sdk, upper\\)"
    ):
        await plugins.get("nope")
    with pytest.raises(PluginError, match="plugin 'gone' is broken"):
        await plugins.get("gone")
    with pytest.raises(IntegrationNotAvailableError, match="sdk"):
        await plugins.get("sdk")


async def test_a_missing_sdk_gives_the_install_command(hide_modules: Callable[..., None]) -> None:
    hide_modules("anthropic")
    plugins = manager(anthropic="prompt_manager.plugins.builtin:AnthropicPlugin")
    [info] = plugins.plugins()
    assert info == PluginInfo(
        "anthropic",
        "prompt_manager.plugins.builtin:AnthropicPlugin",
        "0.1.0",
        available=False,
        install_command='pip install "prompt-manager[anthropic]"',
        requires=("anthropic",),
    )
    assert info.describe() == 'anthropic 0.1.0: unavailable, pip install "prompt-manager[anthropic]"'
    with pytest.raises(IntegrationNotAvailableError, match=r'pip install "prompt-manager\[anthropic\]"'):
        await plugins.get("anthropic")
    with pytest.raises(IntegrationNotAvailableError):
        await AnthropicPlugin().initialize()


async def test_duplicate_names_are_reported() -> None:
    entries = [
        EntryPoint("x", "tests.sample_plugins:UpperPlugin", PLUGIN_GROUP),
        EntryPoint("x", "tests.sample_plugins:NeedsSdkPlugin", PLUGIN_GROUP),
    ]
    plugins = PluginManager(lambda: entries)
    assert [i.describe() for i in plugins.plugins()] == [
        "x: broken, declared twice (tests.sample_plugins:NeedsSdkPlugin)"
    ]


async def test_lifecycle_and_rendering(text_prompt: Prompt) -> None:
    UpperPlugin.calls.clear()
    plugins = manager(upper="tests.sample_plugins:UpperPlugin")
    plugin = await plugins.get("upper", {"k": 1})
    assert plugin is await plugins.get("upper")
    assert plugin.initialized
    assert repr(plugin) == "<UpperPlugin upper 2.0 (initialized)>"
    await plugin.initialize()
    assert (
        await plugins.render("upper", text_prompt, {"text": "it"})
        == 'SUMMARIZE IT AS JSON LIKE {"SUMMARY": "..."}.'
    )
    assert plugin.validate_compatibility(text_prompt)
    await plugins.shutdown()
    assert UpperPlugin.calls == ["init {'k': 1}", "shutdown"]
    assert repr(plugin) == "<UpperPlugin upper 2.0 (not initialized)>"
    with pytest.raises(PluginError, match="not initialized"):
        await plugin.render_for_framework(text_prompt)


async def test_shutdown_reports_failures_after_closing_the_others() -> None:
    UpperPlugin.calls.clear()
    plugins = manager(
        failing="tests.sample_plugins:FailingShutdownPlugin", upper="tests.sample_plugins:UpperPlugin"
    )
    await plugins.get("failing")
    await plugins.get("upper")
    with pytest.raises(PluginError, match="1 plugin\\(s\\) failed to shut down: cannot close"):
        await plugins.shutdown()
    assert UpperPlugin.calls[-1] == "shutdown"


async def test_builtin_plugin_renders_through_its_integration(chat_prompt: Prompt) -> None:
    plugin = OpenAIPlugin()
    with pytest.raises(PluginError, match="not initialized"):
        plugin.validate_compatibility(chat_prompt)
    await plugin.initialize({"strict": False})
    assert plugin.validate_compatibility(chat_prompt)
    out = await plugin.render_for_framework(chat_prompt, {"product": "p"})
    assert out[-1] == {"role": "user", "content": "Error {{code}}."}
    await plugin.shutdown()
    assert plugin.integration is None
    anthropic = AnthropicPlugin()
    await anthropic.initialize()
    bad = Prompt(id="b", messages=(Message(Role.ASSISTANT, "a"),))
    assert not anthropic.validate_compatibility(bad)


def test_the_default_manager_is_shared() -> None:
    assert get_plugin_manager() is get_plugin_manager()
