from __future__ import annotations

from pathlib import Path

import pytest

from filmaster.config import find_config_file, load_config
from filmaster.errors import ConfigError


def test_defaults() -> None:
    config = load_config()
    assert config.render.size == (960, 540)
    assert config.render.fps == 24
    assert config.sound.loudness_lufs == -16.0
    assert (config.backends.video, config.backends.speech, config.backends.music) == ("previz", "piper", "midi-score")


def test_file_then_overrides(tmp_path: Path) -> None:
    path = tmp_path / "filmaster.toml"
    path.write_text('[render]\nresolution = "640x360"\nfps = 25\n[sound]\nloudness_lufs = -23\n')
    config = load_config(path, {"render": {"fps": 30}})
    assert config.render.size == (640, 360)
    assert config.render.fps == 30  # the command line wins over the file
    assert config.sound.loudness_lufs == -23
    assert find_config_file(tmp_path) == path


def test_every_bad_option_is_reported_at_once(tmp_path: Path) -> None:
    path = tmp_path / "filmaster.toml"
    path.write_text('[render]\nresolution = "big"\nfps = 0\n[sound]\ncolour = 1\n')
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert str(path) in message
    assert "render.resolution" in message and "render.fps" in message and "sound.colour" in message
    assert "\n" not in message


def test_invalid_toml_is_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "filmaster.toml"
    path.write_text("[render\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(path)


def test_a_misspelt_backend_setting_is_an_error_not_ignored() -> None:
    from filmaster.backends.registry import create_backend

    with pytest.raises(
        ConfigError, match="unknown setting\\(s\\) sound_font for music backend 'midi-score'; use reverb, soundfont"
    ):
        create_backend("music", "midi-score", sound_font="FluidR3.sf2")
