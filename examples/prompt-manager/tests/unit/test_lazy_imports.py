from __future__ import annotations

import subprocess
import sys

import pytest

import prompt_manager.integrations as integrations

SDKS = ("openai", "anthropic", "langchain_core", "litellm", "yaml")


def test_importing_the_package_imports_no_sdk() -> None:
    code = (
        "import sys, prompt_manager, prompt_manager.integrations, prompt_manager.plugins.builtin\n"
        "import prompt_manager.cli, prompt_manager.storage\n"
        f"print(sorted(m for m in {SDKS!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert out.strip() == "[]"


def test_all_is_exact_and_every_name_loads() -> None:
    assert sorted(integrations.__all__) == integrations.__all__
    for name in integrations.__all__:
        assert getattr(integrations, name).__name__ == name
    assert set(integrations.__all__) <= set(dir(integrations))


def test_unknown_names_raise_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'Missing'"):
        _ = integrations.Missing
    with pytest.raises(ImportError):
        from prompt_manager.integrations import Missing  # noqa: F401
