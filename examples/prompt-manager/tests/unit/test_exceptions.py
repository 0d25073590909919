from __future__ import annotations

import pickle

import pytest

from prompt_manager import (
    ConversionError,
    IncompatibleFormatError,
    IntegrationError,
    IntegrationNotAvailableError,
    MissingVariablesError,
    PromptManagerError,
    PromptNotFoundError,
    PromptValidationError,
    StorageError,
)

ERRORS = [
    PromptManagerError("boom"),
    PromptValidationError("bad"),
    StorageError("disk"),
    PromptNotFoundError("p", "2"),
    PromptNotFoundError("p"),
    MissingVariablesError(["b", "a"]),
    IntegrationError("openai", "failed"),
    IntegrationNotAvailableError("langchain", "langchain"),
    ConversionError("openai", "no template"),
    IncompatibleFormatError("anthropic", "two system messages"),
]


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: type(e).__name__)
def test_errors_pickle_with_their_fields(error: PromptManagerError) -> None:
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert str(copy) == str(error)
    assert repr(copy) == repr(error)
    assert vars(copy) == vars(error)


def test_hierarchy() -> None:
    assert issubclass(IntegrationNotAvailableError, IntegrationError)
    assert issubclass(IntegrationNotAvailableError, ImportError)
    assert issubclass(ConversionError, IntegrationError)
    assert issubclass(IncompatibleFormatError, ConversionError)
    assert issubclass(IntegrationError, PromptManagerError)
    assert issubclass(PromptNotFoundError, KeyError)


def test_messages_and_reprs_for_logs() -> None:
    missing = IntegrationNotAvailableError("openai", "openai")
    assert str(missing) == 'the openai integration needs extra packages: pip install "prompt-manager[openai]"'
    assert missing.install_command == 'pip install "prompt-manager[openai]"'
    assert repr(ConversionError("openai", "x")) == "ConversionError(integration='openai', message='x')"
    assert repr(PromptManagerError("m")) == "PromptManagerError('m')"
    assert str(PromptNotFoundError("p", "2")) == "no prompt 'p' version '2'"
    assert repr(PromptNotFoundError("p")) == "PromptNotFoundError(prompt_id='p', version=None)"
    assert repr(MissingVariablesError(["x"])) == "MissingVariablesError(names=('x',))"
