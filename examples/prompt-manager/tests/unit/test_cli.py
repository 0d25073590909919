from __future__ import annotations

from pathlib import Path

import pytest

from prompt_manager import FileSystemStorage, Prompt
from prompt_manager.cli import main


@pytest.fixture
def folder(tmp_path: Path, text_prompt: Prompt) -> Path:
    store = FileSystemStorage(tmp_path)
    store.save(text_prompt)
    store.save(Prompt(id="summarize", template="Short: {{text}}", version="2"))
    return tmp_path


def test_list_and_render(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", str(folder)]) == 0
    assert capsys.readouterr().out == "summarize 1 2\n"
    assert main(["render", str(folder), "summarize", "text=a=b"]) == 0
    assert capsys.readouterr().out == "Short: a=b\n"
    assert main(["render", str(folder), "summarize", "--version", "1", "--lenient"]) == 0
    assert capsys.readouterr().out.startswith("Summarize {{text}} as JSON")


def test_errors_exit_1_and_usage_errors_2(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", str(folder), "summarize"]) == 1
    assert capsys.readouterr().err == "prompt-manager: missing template variables: text\n"
    assert main(["render", str(folder), "nope"]) == 1
    assert "no prompt 'nope'" in capsys.readouterr().err
    assert main(["render", str(folder), "summarize", "oops"]) == 2
    assert "expected name=value, got 'oops'" in capsys.readouterr().err


def test_plugins_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plugins"]) == 0
    assert "openai 0.1.0: available" in capsys.readouterr().out.splitlines()
    with pytest.raises(SystemExit) as caught:
        main(["--version"])
    assert caught.value.code == 0
    assert capsys.readouterr().out == "prompt-manager 0.1.0\n"
