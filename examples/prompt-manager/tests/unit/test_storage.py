from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from prompt_manager import (
    FileSystemStorage,
    IntegrationNotAvailableError,
    MemoryStorage,
    Prompt,
    PromptNotFoundError,
    PromptStorage,
    PromptValidationError,
    StorageError,
)
from prompt_manager import storage as storage_module


@pytest.fixture(params=["memory", "json", "yaml"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> PromptStorage:
    if request.param == "memory":
        return MemoryStorage()
    return FileSystemStorage(tmp_path / "prompts", file_format=request.param)


def test_versions_side_by_side_and_latest(store: PromptStorage, chat_prompt: Prompt) -> None:
    for version in ("1", "10", "9.1"):
        store.save(Prompt(id="p", template=f"v{version} {{{{x}}}}", version=version))
    store.save(chat_prompt)
    assert store.ids() == ["p", "support"]
    assert store.versions("p") == ["1", "9.1", "10"]
    assert store.load("p").version == "10"
    assert store.load("p", "9.1").template == "v9.1 {{x}}"
    assert store.load("support") == chat_prompt
    store.delete("p", "10")
    assert store.load("p").version == "9.1"
    assert store.versions("nope") == []


def test_missing_prompts_raise_not_found(store: PromptStorage) -> None:
    with pytest.raises(PromptNotFoundError, match="no prompt 'x'"):
        store.load("x")
    store.save(Prompt(id="x", template="t"))
    with pytest.raises(PromptNotFoundError, match="version '2'"):
        store.load("x", "2")
    with pytest.raises(PromptNotFoundError):
        store.delete("x", "2")


def test_files_on_disk_are_one_prompt_each(tmp_path: Path, text_prompt: Prompt) -> None:
    store = FileSystemStorage(tmp_path, file_format="json")
    store.save(text_prompt)
    path = tmp_path / "summarize" / "1.json"
    assert json.loads(path.read_text("utf-8")) == text_prompt.to_dict()
    # Saving the same version in the other format replaces the file instead of doubling it.
    FileSystemStorage(tmp_path, file_format="yaml").save(text_prompt)
    assert sorted(p.name for p in (tmp_path / "summarize").iterdir()) == ["1.yaml"]
    assert store.load("summarize") == text_prompt
    assert repr(store) == f"FileSystemStorage({str(tmp_path)!r}, file_format='json')"


def test_foreign_files_and_folders_are_ignored(tmp_path: Path) -> None:
    store = FileSystemStorage(tmp_path)
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / "..hidden").mkdir()
    (tmp_path / "empty").mkdir()
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "README.md").write_text("x")
    (tmp_path / "p" / "draft.json").write_text("{}")
    assert store.ids() == []
    assert FileSystemStorage(tmp_path / "missing").ids() == []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("1.json", b"{not json", "not valid JSON"),
        ("1.json", b"[" * 100000, "not valid JSON"),
        ("1.json", b"\xff\xfe", "not UTF-8"),
        ("1.yaml", b"a: [", "not valid YAML"),
        ("1.yaml", b"a: &x [1]\nb: *x\n", "aliases are not allowed"),
        ("1.json", b'{"id": "other", "template": "t"}', "not what its name says"),
        ("1.json", b'{"id": "p", "version": "2", "template": "t"}', "not what its name says"),
    ],
)
def test_hostile_files_give_clear_errors(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / name).write_bytes(content)
    with pytest.raises(StorageError, match=message):
        FileSystemStorage(tmp_path).load("p")


def test_invalid_prompt_data_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "1.json").write_text('{"id": "p", "template": 5}')
    with pytest.raises(PromptValidationError, match=r"1\.json: template of 'p' must be a string"):
        FileSystemStorage(tmp_path).load("p")


def test_oversized_and_duplicate_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "1.json").write_text('{"id": "p", "template": "' + "x" * 100 + '"}')
    monkeypatch.setattr(storage_module, "MAX_FILE_BYTES", 50)
    with pytest.raises(StorageError, match="larger than 50 bytes"):
        FileSystemStorage(tmp_path).load("p")
    (tmp_path / "p" / "1.yml").write_text("id: p\n")
    with pytest.raises(StorageError, match="stored twice"):
        FileSystemStorage(tmp_path).versions("p")


def test_unreadable_file(tmp_path: Path) -> None:
    (tmp_path / "p" / "1.json").mkdir(parents=True)
    with pytest.raises(StorageError, match="cannot read"):
        FileSystemStorage(tmp_path).load("p")


def test_failed_write_leaves_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text_prompt: Prompt
) -> None:
    def fail(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("prompt_manager.storage.os.replace", fail)
    with pytest.raises(OSError, match="disk full"):
        FileSystemStorage(tmp_path).save(text_prompt)
    assert list((tmp_path / "summarize").iterdir()) == []


def test_yaml_without_pyyaml_names_the_extra(
    tmp_path: Path, text_prompt: Prompt, hide_modules: Callable[..., None]
) -> None:
    hide_modules("yaml")
    with pytest.raises(IntegrationNotAvailableError, match=r'pip install "prompt-manager\[yaml\]"'):
        FileSystemStorage(tmp_path, file_format="yaml").save(text_prompt)


def test_unknown_file_format() -> None:
    with pytest.raises(ValueError, match="file_format"):
        FileSystemStorage(".", file_format="xml")  # type: ignore[arg-type]
