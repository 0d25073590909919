"""Where prompts live: in memory, or as YAML/JSON files on disk (one prompt per file).

On disk, the versions of a prompt sit side by side in a folder named after it::

    prompts/
      greet/
        1.json
        2.yaml

>>> storage = MemoryStorage()
>>> storage.save(Prompt(id="greet", template="Hi {{name}}", version="1"))
>>> storage.save(Prompt(id="greet", template="Hello {{name}}", version="2"))
>>> storage.versions("greet"), storage.load("greet").template
(['1', '2'], 'Hello {{name}}')
"""

from __future__ import annotations

import json
import os
import tempfile
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, Literal

from prompt_manager.exceptions import (
    IntegrationNotAvailableError,
    PromptNotFoundError,
    PromptValidationError,
    StorageError,
)
from prompt_manager.models import Prompt, version_key

__all__ = ["FileSystemStorage", "MemoryStorage", "PromptStorage"]

#: Files larger than this are refused before they are parsed.
MAX_FILE_BYTES = 1 << 20
_SUFFIXES = {".json": "json", ".yaml": "yaml", ".yml": "yaml"}


class PromptStorage(ABC):
    """What a registry needs from a store. Versions of one id never overwrite each other."""

    @abstractmethod
    def save(self, prompt: Prompt) -> None:
        """Store a prompt; storing the same id and version again replaces it."""

    @abstractmethod
    def load(self, prompt_id: str, version: str | None = None) -> Prompt:
        """The prompt of that version, or its latest version; :class:`PromptNotFoundError` if none."""

    @abstractmethod
    def versions(self, prompt_id: str) -> list[str]:
        """The stored versions of a prompt, oldest first (empty when unknown)."""

    @abstractmethod
    def ids(self) -> list[str]:
        """Every stored prompt id, sorted."""

    @abstractmethod
    def delete(self, prompt_id: str, version: str) -> None:
        """Remove one version; :class:`PromptNotFoundError` if it is not stored."""

    def _latest(self, prompt_id: str, version: str | None) -> str:
        if version is not None:
            return version
        versions = self.versions(prompt_id)
        if not versions:
            raise PromptNotFoundError(prompt_id)
        return versions[-1]


class MemoryStorage(PromptStorage):
    """Prompts in a dictionary: for tests and for prompts defined in code."""

    def __init__(self) -> None:
        self._prompts: dict[str, dict[str, Prompt]] = {}

    def save(self, prompt: Prompt) -> None:
        self._prompts.setdefault(prompt.id, {})[prompt.version] = prompt

    def load(self, prompt_id: str, version: str | None = None) -> Prompt:
        version = self._latest(prompt_id, version)
        try:
            return self._prompts[prompt_id][version]
        except KeyError:
            raise PromptNotFoundError(prompt_id, version) from None

    def versions(self, prompt_id: str) -> list[str]:
        return sorted(self._prompts.get(prompt_id, {}), key=version_key)

    def ids(self) -> list[str]:
        return sorted(i for i, versions in self._prompts.items() if versions)

    def delete(self, prompt_id: str, version: str) -> None:
        try:
            del self._prompts[prompt_id][version]
        except KeyError:
            raise PromptNotFoundError(prompt_id, version) from None


def _yaml() -> Any:
    try:
        import yaml
    except ImportError:
        raise IntegrationNotAvailableError("yaml", "yaml") from None
    return yaml


class FileSystemStorage(PromptStorage):
    """Prompts as files under ``root``: ``<id>/<version>.json`` or ``.yaml``.

    New prompts are written in ``file_format`` (JSON by default; YAML needs PyYAML, the
    ``yaml`` extra). Writes are atomic: a reader never sees half a file. Ids and versions are
    validated by :class:`Prompt`, so a file name can never leave ``root``.
    """

    def __init__(
        self, root: str | os.PathLike[str], *, file_format: Literal["json", "yaml"] = "json"
    ) -> None:
        if file_format not in ("json", "yaml"):
            raise ValueError(f"file_format must be 'json' or 'yaml', not {file_format!r}")
        self.root = Path(root)
        self.file_format = file_format

    def __repr__(self) -> str:
        return f"FileSystemStorage({str(self.root)!r}, file_format={self.file_format!r})"

    def _files(self, prompt_id: str) -> dict[str, Path]:
        folder = self.root / prompt_id
        if not Prompt.is_valid_id(prompt_id) or not folder.is_dir():
            return {}
        found: dict[str, Path] = {}
        for path in folder.iterdir():
            if path.suffix in _SUFFIXES and Prompt.is_valid_version(path.stem):
                if path.stem in found:
                    raise StorageError(f"{prompt_id} version {path.stem} is stored twice in {folder}")
                found[path.stem] = path
        return found

    def save(self, prompt: Prompt) -> None:
        folder = self.root / prompt.id
        target = folder / f"{prompt.version}.{self.file_format}"
        stale = self._files(prompt.id).get(prompt.version)
        if self.file_format == "json":
            text = json.dumps(prompt.to_dict(), indent=2, ensure_ascii=False) + "\n"
        else:
            text = _yaml().safe_dump(prompt.to_dict(), sort_keys=False, allow_unicode=True)
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".part")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(tmp, target)
        except BaseException:
            os.unlink(tmp)
            raise
        if stale is not None and stale != target:
            stale.unlink()

    def load(self, prompt_id: str, version: str | None = None) -> Prompt:
        version = self._latest(prompt_id, version)
        path = self._files(prompt_id).get(version)
        if path is None:
            raise PromptNotFoundError(prompt_id, version)
        data = self._read(path)
        try:
            prompt = Prompt.from_dict(data)
        except PromptValidationError as error:
            raise PromptValidationError(f"{path}: {error}") from None
        if (prompt.id, prompt.version) != (prompt_id, version):
            raise StorageError(
                f"{path} holds {prompt.id!r} version {prompt.version!r}, not what its name says"
            )
        return prompt

    def _read(self, path: Path) -> object:
        try:
            with path.open("rb") as file:
                raw = file.read(MAX_FILE_BYTES + 1)
        except OSError as error:
            raise StorageError(f"cannot read {path}: {error.strerror}") from None
        if len(raw) > MAX_FILE_BYTES:
            raise StorageError(f"{path} is larger than {MAX_FILE_BYTES} bytes")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise StorageError(f"{path} is not UTF-8") from None
        if _SUFFIXES[path.suffix] == "json":
            try:
                return json.loads(text)
            except (ValueError, RecursionError) as error:
                raise StorageError(f"{path} is not valid JSON: {error}") from None
        yaml = _yaml()
        try:
            # Aliases could expand a small file into a huge structure: refuse them.
            for event in yaml.parse(text, Loader=yaml.SafeLoader):
                if isinstance(event, yaml.AliasEvent):
                    raise StorageError(f"{path}: YAML aliases are not allowed in prompt files")
            return yaml.safe_load(text)
        except (yaml.YAMLError, RecursionError) as error:
            raise StorageError(f"{path} is not valid YAML: {error}") from None

    def versions(self, prompt_id: str) -> list[str]:
        return sorted(self._files(prompt_id), key=version_key)

    def ids(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if self._files(p.name))

    def delete(self, prompt_id: str, version: str) -> None:
        path = self._files(prompt_id).get(version)
        if path is None:
            raise PromptNotFoundError(prompt_id, version)
        path.unlink()
