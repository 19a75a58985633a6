from pathlib import Path

import pytest
from pydantic import ValidationError

from app.settings import Settings


def test_defaults_work_without_any_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings()
    assert settings.data_dir.name == "seeds" and settings.data_dir.is_dir()
    assert not settings.server_mode


def test_env_beats_toml_beats_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "parallax.toml").write_text('top_k = 9\nchunk_tokens = 300\nchroma_host = "db.local"\n')
    monkeypatch.setenv("PARALLAX_TOP_K", "7")
    settings = Settings()
    assert (settings.top_k, settings.chunk_tokens, settings.chroma_host) == (7, 300, "db.local")
    assert settings.server_mode


def test_config_file_can_be_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "elsewhere.toml"
    config.write_text("embed_batch = 8\n")
    monkeypatch.setenv("PARALLAX_CONFIG", str(config))
    assert Settings().embed_batch == 8


def test_bad_values_name_the_field(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValidationError, match="chunk_overlap"):
        Settings(chunk_tokens=100, chunk_overlap=100)
    with pytest.raises(ValidationError, match="top_k"):
        Settings(top_k=0)
    with pytest.raises(ValidationError, match="unknown_key"):
        Settings(unknown_key=1)


def test_readme_documents_every_setting() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"| `PARALLAX_{name.upper()}` | `{name}` |" in readme, name
