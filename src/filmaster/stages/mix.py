"""Mix: each scene's cues → a cached scene premix (dialogue on top, beds ducked); the joined premixes → the master
bus (loudness normalisation and a true-peak ceiling over the whole film).

A scene's premix and its analysis are keyed by the bytes of its cues and their offsets inside the scene, not by
where the scene sits in the film, so an edit re-mixes only the scene it touches (and a scene that moves because
an earlier one grew is reused); the master bus then needs well under a second for a two-minute film.

Each scene's sound is laid on the film AAC's frame grid: it starts within half a frame (10.7 ms at 48 kHz) of its
picture, finer than an editor's timeline places sound (to the nearest picture frame, 21 ms), while its lines keep
their sample-exact places inside it. A scene that moves because an earlier one grew then moves by whole AAC
frames, and its encoded sound is reused (`export.aac`): after an edit in the first scene, only that scene's sound
is encoded again, not the rest of the film.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np

from ..atomic import atomic_path
from ..audio.film_bus import FilmBus, StoredSegment, stored_samples
from ..audio.film_grid import AAC_FRAME, AUDIO_RATE
from ..audio.master import master_stretch, stable_stretches
from ..audio.master_stream import BlockMemo, StreamedMaster, block_samples, master_streamed
from ..audio.scene_premix import store_premix
from ..audio.wav_stream import wav_blocks, wav_patch
from ..audio.wavio import to_pcm16, wav_frames
from ..config import SoundConfig
from ..model import Cut, SoundCue, SoundPlan
from ..model.mix import EarlyAudio, MixResult
from ..project import Project, content_key
from ..verify import load_array, wav_ok
from .cue_stems import CueStems

log = logging.getLogger(__name__)

NAMESPACE = "premix"
BLOCK_NAMESPACE = "bus-block"
PREMIX_VERSION = "5"  # bump when premix() or the analysis changes; 4: effects ducked; 5: delivery after compressor
MIX_VERSION = "4"  # bump when the film's mix changes otherwise; 2: scenes on the AAC grid; 3: mastered in blocks;
# 4: the master's gain searched from the pre-master alone (never kept from the folder's last master)


def mix_film(
    sound: SoundPlan, cut: Cut, config: SoundConfig, project: Project, early: EarlyAudio | None = None
) -> MixResult:
    """Write `media/audio/mix.wav` exactly as long as the picture; reuse it when no cue or setting changed. The
    result says where each scene's sound starts in it, so delivery cuts the film's AAC there.

    The film is mastered block by block from the scene premixes on disk (`audio.master_stream`): memory stays a
    few blocks whatever the film's length, and when the master lands on the same gain (a function of the pre-master
    alone, on a 0.5 dB grid) only the blocks an edit reached are written into the last mix.wav.

    While the scenes an edit touched are premixed, the master of the others is already known wherever it depends
    on them alone, guessed at the gain the last master used: those stretches go to `early` (the film's AAC
    encoder, which keeps what it made by content, so a wrong guess is only unused), on a thread of their own.
    """
    target = project.out / "media" / "audio" / "mix.wav"
    sounds = project.media_digest([cue.media for cue in sound.cues if cue.media])
    key = content_key("mix", MIX_VERSION, PREMIX_VERSION, sound, sounds, cut.frames, cut.fps, config)
    starts = scene_sound_starts(sound)
    manifest = project.manifest()
    if manifest.get("mix_key") == key and wav_ok(target, round(cut.frames / cut.fps * sound.sample_rate)):
        project.cache.record("mix", computed=False)
        return MixResult(path=target, scene_starts=starts, remixed=False)
    rate = sound.sample_rate
    total = round(cut.frames / cut.fps * rate)
    scenes = [cues for cues in cues_by_scene(sound).values() if cues]
    stored = [_stored_premix(cues, config, project, rate) for cues in scenes]
    previous_gain = manifest.get("master_gain_db")
    ahead = None
    if early is not None and previous_gain is not None and None in stored:
        known = [seg for seg in stored if seg is not None]
        pending = [_extent(cues, project, rate) for cues, seg in zip(scenes, stored, strict=True) if seg is None]
        ahead = threading.Thread(
            target=_master_ahead,
            args=(known, pending, previous_gain, config, rate, partial(_tell_starts, early, starts)),
            name="master-ahead",
        )
        ahead.start()
    try:
        segments = [seg or _make_premix(cues, config, project, rate) for cues, seg in zip(scenes, stored, strict=True)]
        done = _master_to_wav(segments, total, rate, config, project, target, previous_gain)
    finally:
        if ahead is not None:
            ahead.join()
    project.cache.record("mix", computed=True)
    project.update_manifest(
        mix_key=key,
        loudness_lufs=round(done.integrated_lufs, 2),
        true_peak_dbtp=round(done.true_peak_dbtp, 2),
        master_gain_db=done.gain_db,
        master_trim_db=done.trim_db,
        master_blocks=done.blocks,
        master_ceiling_dbtp=config.true_peak_dbtp,
        master_file=_identity(target),
    )
    return MixResult(
        path=target,
        scene_starts=starts,
        remixed=True,
        integrated_lufs=done.integrated_lufs,
        true_peak_dbtp=done.true_peak_dbtp,
    )


def _master_to_wav(
    segments: list[StoredSegment],
    total: int,
    rate: int,
    config: SoundConfig,
    project: Project,
    target: Path,
    previous_gain: float | None,
) -> StreamedMaster:
    """Master the film's bus into `target`. When the last mix.wav is the one the manifest describes, as long, to
    the same ceiling, only the blocks that changed are written into it, in place; otherwise it is written anew."""
    manifest = project.manifest()
    size = block_samples(rate)
    same_file = wav_ok(target, total) and manifest.get("master_file") == _identity(target)
    same_ceiling = manifest.get("master_ceiling_dbtp") == config.true_peak_dbtp
    last = manifest.get("master_blocks") if same_file and same_ceiling else None
    bus = FilmBus(segments, total, rate)
    master = partial(
        master_streamed,
        bus,
        config.loudness_lufs,
        config.true_peak_dbtp,
        memo=_BlockCache(project),
        key_of=content_key,
    )
    if last:

        def unchanged(block: str, lo: int, gain_db: float, trim_db: float) -> bool:
            index = lo // size
            same_master = gain_db == previous_gain and trim_db == manifest.get("master_trim_db")
            return same_master and index < len(last) and last[index] == block

        # Until the patch is done the file is neither the old mix nor the new: the manifest says so, and a run
        # that stops half way leaves a mix the next run writes anew.
        project.update_manifest(mix_key=None, master_file=None)
        with wav_patch(target) as wav:
            done = master(partial(_count, project, wav.write), reusable=unchanged)
    else:
        with wav_blocks(target, 2, rate) as writer:
            done = master(partial(_count, project, writer.write))
    if done.copied:
        log.info("mix: %d of %d blocks unchanged in mix.wav", done.copied, len(done.blocks))
    return done


def _count(
    project: Project, write: Callable[..., None], lo: int, hi: int, block: str, audio: np.ndarray | None
) -> None:
    write(lo, hi, audio)
    project.cache.record("master-block", computed=audio is not None)


def _identity(path: Path) -> list[int]:
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns, stat.st_ino]


class _BlockCache(BlockMemo):
    """A block's results (its summary, its part of a gain try) in the project's cache, keyed by its content."""

    def __init__(self, project: Project) -> None:
        self.project = project

    def get(self, key: str) -> np.ndarray | None:
        packed = load_array(self.project.cache.path(BLOCK_NAMESPACE, key, ".npy"))
        self.project.cache.record(BLOCK_NAMESPACE, computed=packed is None)
        return packed

    def put(self, key: str, packed: np.ndarray) -> None:
        with atomic_path(self.project.cache.path(BLOCK_NAMESPACE, key, ".npy")) as tmp, tmp.open("wb") as handle:
            np.save(handle, packed)


def _tell_starts(early: EarlyAudio, starts: list[int], first: int, pcm: np.ndarray) -> object:
    return early(first, pcm, starts)


def _master_ahead(
    known: list[StoredSegment],
    pending: list[tuple[int, int]],
    gain_db: float,
    config: SoundConfig,
    rate: int,
    early: Callable[[int, np.ndarray], object],
) -> None:
    try:
        for stored, a, b in stable_stretches(known, rate, others=pending):
            early(a, to_pcm16(master_stretch(stored.open(), a, b, gain_db, config.true_peak_dbtp, rate)))
    except Exception as exc:  # work done ahead is only a head start: the film's encoder redoes what is missing
        log.warning("encoding the film's sound ahead of the mix failed (%s); it is encoded after the mix", exc)


def _extent(cues: list[SoundCue], project: Project, rate: int) -> tuple[int, int]:
    """The samples of the film a scene's premix will cover: from its first cue to the end of its longest."""
    starts = [round(cue.start_s * rate) for cue in cues]
    ends = [start + wav_frames(project.out / str(cue.media)) for start, cue in zip(starts, cues, strict=True)]
    placed = _placed(min(starts), rate)
    return placed, placed + max(ends) - min(starts)


def _placed(origin: int, rate: int) -> int:
    """Where a scene's sound, whose first cue starts at sample `origin`, is laid in the film: on the AAC frame
    grid when the mix is at the film's rate (see the module's docstring)."""
    return round(origin / AAC_FRAME) * AAC_FRAME if rate == AUDIO_RATE else origin


def scene_sound_starts(sound: SoundPlan) -> list[int]:
    """The sample where each scene's sound begins in the mix (so where the film's AAC chunks begin)."""
    rate = sound.sample_rate
    return [_placed(_origin(cues, rate), rate) for cues in cues_by_scene(sound).values() if cues]


def cues_by_scene(sound: SoundPlan) -> dict[int, list[SoundCue]]:
    """Rendered cues grouped by scene (a cue without a scene joins the scene of the cue before it)."""
    groups: dict[int, list[SoundCue]] = defaultdict(list)
    current = 0
    for cue in sorted((c for c in sound.cues if c.media), key=lambda c: c.start_s):
        current = cue.scene_index if cue.scene_index is not None else current
        groups[current].append(cue)
    return dict(sorted(groups.items()))


def _origin(cues: list[SoundCue], rate: int) -> int:
    """The sample where a scene's first cue starts (its premix's first sample)."""
    return min(round(cue.start_s * rate) for cue in cues)


def _premix_key(cues: list[SoundCue], config: SoundConfig, project: Project, rate: int) -> tuple[int, str]:
    origin = _origin(cues, rate)
    layout = [
        (
            cue.kind.value,
            round(cue.start_s * rate) - origin,
            cue.gain_db,
            cue.delivery_db,
            project.digest(str(cue.media)),
        )
        for cue in cues
        if cue.media
    ]
    return origin, content_key(NAMESPACE, PREMIX_VERSION, layout, rate, config.duck_db)


def _stored_premix(cues: list[SoundCue], config: SoundConfig, project: Project, rate: int) -> StoredSegment | None:
    origin, key = _premix_key(cues, config, project, rate)
    stored = project.cache.path(NAMESPACE, key, ".npy")
    try:  # mapped, not read: a feature's premixes are not loaded whole to be checked
        samples = stored_samples(stored)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, EOFError):  # damaged: removed, and premixed again
        stored.unlink(missing_ok=True)
        return None
    project.cache.record(NAMESPACE, computed=False)
    return StoredSegment(start=_placed(origin, rate), samples=samples, path=stored, key=key)


def _make_premix(cues: list[SoundCue], config: SoundConfig, project: Project, rate: int) -> StoredSegment:
    origin, key = _premix_key(cues, config, project, rate)
    stems = CueStems(cues, project.out, rate, origin)
    stored = project.cache.path(NAMESPACE, key, ".npy")
    # Block by block into the cache file (the layout `audio.film_bus` reads): a scene of any length, a feature's
    # one-take included, is premixed and analysed in a few blocks' memory.
    store_premix(stems, stored, sample_rate=rate, duck_db=config.duck_db)
    project.cache.record(NAMESPACE, computed=True)
    return StoredSegment(start=_placed(origin, rate), samples=stems.samples, path=stored, key=key)


def lay_cues(
    cues: list[SoundCue], out_dir: Path, rate: int, origin: int
) -> tuple[dict[str, np.ndarray], np.ndarray | None]:
    """A scene's stems whole, in memory (see `CueStems`); the premix itself reads them a block at a time."""
    stems = CueStems(cues, out_dir, rate, origin)
    return stems.read(0, stems.samples)
