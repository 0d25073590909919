"""The prompt model: a TEXT template or a list of CHAT messages, with its variables.

>>> prompt = Prompt(id="greet", template="Hello {{name}}, I am {{bot}}.",
...                 partial_variables={"bot": "Ada"})
>>> prompt.render({"name": "Grace"})
'Hello Grace, I am Ada.'
>>> sorted(prompt.input_variables)
['name']
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from prompt_manager.exceptions import PromptValidationError
from prompt_manager.template import TemplateEngine

__all__ = ["Message", "Prompt", "PromptFormat", "Role", "chat", "version_key"]

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")
_VERSION = re.compile(r"[0-9]{1,9}(\.[0-9]{1,9}){0,3}")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DEFAULT_ENGINE = TemplateEngine()


class PromptFormat(StrEnum):
    """Whether a prompt is one template (``TEXT``) or a conversation (``CHAT``)."""

    TEXT = "text"
    CHAT = "chat"


class Role(StrEnum):
    """The author of a chat message."""

    SYSTEM = "system"
    USER = "user"
    ASSISTANT = "assistant"
    FUNCTION = "function"
    TOOL = "tool"


def version_key(version: str) -> tuple[int, ...]:
    """Sort key of a prompt version: ``"1.10"`` comes after ``"1.9"``.

    >>> sorted(["1.10", "1.9", "2"], key=version_key)
    ['1.9', '1.10', '2']
    """
    return tuple(int(part) for part in version.split("."))


@dataclass(frozen=True, slots=True)
class Message:
    """One chat message: a role and a ``{{name}}`` template for its content."""

    role: Role
    content: str
    name: str | None = None

    def __post_init__(self) -> None:
        try:
            role = self.role.lower() if isinstance(self.role, str) else self.role
            object.__setattr__(self, "role", Role(role))
        except ValueError:
            roles = ", ".join(r.value for r in Role)
            raise PromptValidationError(f"unknown role {self.role!r} (one of {roles})") from None
        if not isinstance(self.content, str):
            raise PromptValidationError("message content must be a string")
        if self.name is not None and not isinstance(self.name, str):
            raise PromptValidationError("message name must be a string")

    def to_dict(self) -> dict[str, str]:
        """Plain data for storage."""
        data = {"role": self.role.value, "content": self.content}
        if self.name is not None:
            data["name"] = self.name
        return data


def _frozen(mapping: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True, slots=True)
class Prompt:
    """A versioned prompt.

    A prompt with ``messages`` and no ``template`` is a CHAT prompt even when ``format`` is not
    given. ``input_variables`` are the variables a caller must supply; when not declared they are
    the template's variables minus the ``partial_variables`` (values fixed in advance). A
    declared list must cover every variable the templates use.
    """

    id: str
    template: str | None = None
    messages: tuple[Message, ...] = ()
    version: str = "1"
    format: PromptFormat = PromptFormat.TEXT
    input_variables: frozenset[str] = field(default_factory=frozenset)
    partial_variables: Mapping[str, str] = field(default_factory=dict)
    metadata: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        if not isinstance(self.id, str) or not _ID.fullmatch(self.id):
            raise PromptValidationError(
                f"invalid prompt id {self.id!r}: letters, digits, '_', '.', '-' (at most 128)"
            )
        if not isinstance(self.version, str) or not _VERSION.fullmatch(self.version):
            raise PromptValidationError(
                f"invalid version {self.version!r} for prompt {self.id!r}: numbers like 1 or 1.2"
            )
        if self.template is not None and not isinstance(self.template, str):
            raise PromptValidationError(f"template of {self.id!r} must be a string")
        messages = tuple(m if isinstance(m, Message) else _message(m) for m in self.messages)
        set_(self, "messages", messages)
        try:
            fmt = PromptFormat(self.format.lower() if isinstance(self.format, str) else self.format)
        except ValueError:
            raise PromptValidationError(f"unknown format {self.format!r} for prompt {self.id!r}") from None
        if messages and fmt is PromptFormat.TEXT and self.template is None:
            fmt = PromptFormat.CHAT
        if fmt is PromptFormat.TEXT and messages:
            raise PromptValidationError(f"TEXT prompt {self.id!r} has messages; use format CHAT")
        if fmt is PromptFormat.CHAT and self.template is not None:
            raise PromptValidationError(f"CHAT prompt {self.id!r} has a template; use messages")
        set_(self, "format", fmt)
        partials = {str(k): str(v) for k, v in dict(self.partial_variables).items()}
        set_(self, "partial_variables", _frozen(partials))
        set_(self, "metadata", _frozen(self.metadata))
        used = self.template_variables()
        declared = frozenset(self.input_variables)
        for name in declared | partials.keys():
            if not _NAME.fullmatch(name):
                raise PromptValidationError(f"invalid variable name {name!r} in {self.id!r}")
        if declared:
            undeclared = used - declared - partials.keys()
            if undeclared:
                raise PromptValidationError(
                    f"prompt {self.id!r} uses undeclared variables: {', '.join(sorted(undeclared))}"
                )
        else:
            declared = used - partials.keys()
        set_(self, "input_variables", declared)

    @staticmethod
    def is_valid_id(prompt_id: str) -> bool:
        """Whether ``prompt_id`` is a valid id (also safe as a file name).

        >>> Prompt.is_valid_id("summarize.v2"), Prompt.is_valid_id("../etc")
        (True, False)
        """
        return _ID.fullmatch(prompt_id) is not None

    @staticmethod
    def is_valid_version(version: str) -> bool:
        """Whether ``version`` is a valid prompt version (dot-separated numbers)."""
        return _VERSION.fullmatch(version) is not None

    def template_variables(self) -> frozenset[str]:
        """Every variable the template or the messages refer to."""
        texts = [self.template] if self.template is not None else []
        texts += [m.content for m in self.messages]
        names: set[str] = set()
        for text in texts:
            names |= _DEFAULT_ENGINE.variables(text)
        return frozenset(names)

    def _values(self, variables: Mapping[str, object]) -> dict[str, object]:
        return {**self.partial_variables, **variables}

    def render(
        self, variables: Mapping[str, object] | None = None, *, engine: TemplateEngine | None = None
    ) -> str:
        """Render a TEXT prompt to a string (CHAT prompts: see :meth:`render_messages`)."""
        if self.format is not PromptFormat.TEXT or self.template is None:
            raise PromptValidationError(f"prompt {self.id!r} has no text template to render")
        return (engine or _DEFAULT_ENGINE).render(self.template, self._values(variables or {}))

    def render_messages(
        self, variables: Mapping[str, object] | None = None, *, engine: TemplateEngine | None = None
    ) -> list[Message]:
        """Render each message of a CHAT prompt (a TEXT prompt becomes one USER message)."""
        engine = engine or _DEFAULT_ENGINE
        values = self._values(variables or {})
        if self.format is PromptFormat.TEXT:
            return [Message(Role.USER, self.render(variables, engine=engine))]
        return [Message(m.role, engine.render(m.content, values), m.name) for m in self.messages]

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON and YAML safe) that :meth:`from_dict` reads back."""
        data: dict[str, Any] = {"id": self.id, "version": self.version, "format": str(self.format)}
        if self.description:
            data["description"] = self.description
        if self.template is not None:
            data["template"] = self.template
        if self.messages:
            data["messages"] = [m.to_dict() for m in self.messages]
        data["input_variables"] = sorted(self.input_variables)
        if self.partial_variables:
            data["partial_variables"] = dict(self.partial_variables)
        if self.metadata:
            data["metadata"] = dict(self.metadata)
        return data

    @classmethod
    def from_dict(cls, data: object) -> Prompt:
        """Build a prompt from untrusted plain data, with a clear error for every mistake."""
        if not isinstance(data, Mapping):
            raise PromptValidationError("a prompt must be a mapping")
        unknown = set(data) - _FIELDS
        if unknown:
            raise PromptValidationError(f"unknown prompt fields: {', '.join(sorted(map(str, unknown)))}")
        messages = data.get("messages", ())
        variables = data.get("input_variables", ())
        partials = data.get("partial_variables", {})
        metadata = data.get("metadata", {})
        if not isinstance(messages, list | tuple):
            raise PromptValidationError("messages must be a list")
        if not isinstance(variables, list | tuple) or not all(isinstance(v, str) for v in variables):
            raise PromptValidationError("input_variables must be a list of names")
        if not isinstance(partials, Mapping) or not isinstance(metadata, Mapping):
            raise PromptValidationError("partial_variables and metadata must be mappings")
        description = data.get("description", "")
        if not isinstance(description, str):
            raise PromptValidationError("description must be a string")
        return cls(
            id=data.get("id"),  # type: ignore[arg-type]  # validated in __post_init__
            version=str(data.get("version", "1")),
            format=data.get("format", "text"),
            template=data.get("template"),
            messages=tuple(_message(m) for m in messages),
            input_variables=frozenset(variables),
            partial_variables=partials,
            metadata=metadata,
            description=description,
        )


_FIELDS = {
    "id",
    "version",
    "format",
    "template",
    "messages",
    "input_variables",
    "partial_variables",
    "metadata",
    "description",
}


def _message(data: object) -> Message:
    if isinstance(data, Message):
        return data
    if not isinstance(data, Mapping) or set(data) - {"role", "content", "name"}:
        raise PromptValidationError("a message must be a mapping of role, content and name")
    return Message(data.get("role"), data.get("content"), data.get("name"))  # type: ignore[arg-type]


def chat(prompt_id: str, messages: Iterable[tuple[Role | str, str]], **fields: Any) -> Prompt:
    """Shorthand for a CHAT prompt from ``(role, content)`` pairs.

    >>> chat("hi", [("system", "Be brief."), ("user", "{{q}}")]).format
    <PromptFormat.CHAT: 'chat'>
    """
    return Prompt(id=prompt_id, messages=tuple(Message(Role(r), c) for r, c in messages), **fields)
