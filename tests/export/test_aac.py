"""The film's AAC track in chunks: splices inaudible (measured on the decoded samples), unchanged chunks reused."""

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from filmaster.audio.wavio import to_pcm16, write_wav
from filmaster.export import aac
from filmaster.project import Cache

RATE = aac.AUDIO_RATE
CHUNK = 24  # AAC frames per chunk in these tests: 0.512 s, so a few seconds hold many splices


def _music(seconds: float, seed: int = 0) -> np.ndarray:
    """Tones with vibrato and a slow tremolo: a signal AAC codes well, so a bad splice would stand out."""
    t = np.arange(round(seconds * RATE)) / RATE
    rng = np.random.default_rng(seed)
    left = sum(0.08 * np.sin(2 * np.pi * f * t + 3 * np.sin(2 * np.pi * 0.3 * t)) for f in rng.uniform(150, 900, 4))
    right = sum(0.08 * np.sin(2 * np.pi * f * t) for f in rng.uniform(150, 900, 4))
    tremolo = 0.7 + 0.3 * np.sin(2 * np.pi * 0.5 * t)
    return (np.column_stack([left, right]) * tremolo[:, None]).astype(np.float32)


def _decoded(packets: list[aac.AacPacket], path: Path) -> np.ndarray:
    """Mux the packets into an MP4 as the film does, decode it with FFmpeg: (2, n) float32."""
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("aac", rate=RATE, layout="stereo", bit_rate=aac.AUDIO_BITRATE)
        for p in packets:
            packet = av.Packet(p.payload)
            packet.pts = packet.dts = p.pts
            packet.duration, packet.time_base, packet.stream = p.duration, Fraction(1, RATE), stream
            container.mux(packet)
    with av.open(str(path)) as container:
        return np.concatenate([frame.to_ndarray() for frame in container.decode(audio=0)], axis=1)


def _block_errors(decoded: np.ndarray, source: np.ndarray) -> np.ndarray:
    n = min(decoded.shape[1], source.shape[0]) // aac.AAC_FRAME * aac.AAC_FRAME
    error = ((decoded[:, :n] - source[:n].T) ** 2).sum(axis=0)
    return error.reshape(-1, aac.AAC_FRAME).sum(axis=1)


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(aac, "CHUNK_FRAMES", CHUNK)


def test_chunks_splice_like_one_stream(tmp_path, small_chunks, monkeypatch):
    audio = _music(6.3)
    wav = write_wav(tmp_path / "mix.wav", audio, RATE)
    chunked = aac.aac_packets(wav, audio.shape[0])
    monkeypatch.setattr(aac, "CHUNK_FRAMES", 10_000)  # the whole track from one encoder, for reference
    single = aac.aac_packets(wav, audio.shape[0])
    assert [p.pts for p in chunked] == [p.pts for p in single]  # same frame grid, priming frame first
    assert chunked[0].pts == -aac.AAC_FRAME and sum(p.duration for p in chunked) == audio.shape[0] + aac.AAC_FRAME

    errors = _block_errors(_decoded(chunked, tmp_path / "chunked.mp4"), audio)
    reference = _block_errors(_decoded(single, tmp_path / "single.mp4"), audio)
    splices = np.arange(CHUNK, errors.size, CHUNK)
    near = np.concatenate([splices - 1, splices])
    # A seam would be an error burst in the frames either side of a splice; there, the chunked track codes the
    # signal as well as one encoder does.
    assert errors[near].max() <= 4 * reference[near].max()
    assert errors.sum() <= 1.3 * reference.sum()
    snr = 10 * np.log10((audio.astype(np.float64) ** 2).sum() / errors.sum())
    assert snr > 25


def test_without_pre_and_post_roll_the_splices_click(tmp_path, small_chunks, monkeypatch):
    """The check above can fail: chunks encoded cold, end to end, break at every splice."""
    audio = _music(3.2, seed=1)
    wav = write_wav(tmp_path / "mix.wav", audio, RATE)
    monkeypatch.setattr(aac, "ROLL_FRAMES", 0)
    cold = _block_errors(_decoded(aac.aac_packets(wav, audio.shape[0]), tmp_path / "cold.mp4"), audio)
    splices = np.arange(CHUNK, cold.size, CHUNK)
    assert np.median(cold[splices]) > 100 * np.median(cold)


def test_only_chunks_whose_audio_changed_are_encoded_again(tmp_path, small_chunks):
    audio = _music(4.0, seed=2)
    wav = write_wav(tmp_path / "mix.wav", audio, RATE)
    cache = Cache(tmp_path / "cache")
    first = aac.aac_packets(wav, audio.shape[0], cache)
    chunks = cache.work.computed["aac"]
    assert chunks == -(-audio.shape[0] // (CHUNK * aac.AAC_FRAME))

    edited = audio.copy()
    edited[-RATE // 2 :] *= 0.5  # the last half second changes
    write_wav(wav, edited, RATE)
    again = Cache(tmp_path / "cache")
    second = aac.aac_packets(wav, audio.shape[0], again)
    # The changed chunks, and the one before (its post-roll reads into the change), are made again.
    assert again.work.computed["aac"] <= 3 and again.work.reused["aac"] == chunks - again.work.computed["aac"]
    kept = again.work.reused["aac"] * CHUNK
    assert [p.payload for p in second[:kept]] == [p.payload for p in first[:kept]]
    assert second[-1].payload != first[-1].payload


def test_a_mix_the_chunks_cannot_read_is_refused_for_chunking(tmp_path):
    assert not aac.can_chunk(tmp_path / "missing.wav")
    assert not aac.can_chunk(write_wav(tmp_path / "mix44.wav", np.zeros((4410, 2), np.float32), 44100))
    assert aac.can_chunk(write_wav(tmp_path / "mix48.wav", np.zeros((4800, 2), np.float32), RATE))


def test_chunks_encoded_ahead_from_a_stretch_are_the_ones_the_film_uses(tmp_path, small_chunks):
    """A stretch of the mix known early (stages.mix) encodes every chunk it wholly holds, under the key the
    film's encoder looks up later: those are reused, byte for byte, and the rest are encoded then."""
    audio = _music(4.0, seed=3)
    wav = write_wav(tmp_path / "mix.wav", audio, RATE)
    pcm = to_pcm16(audio)
    cold = aac.aac_packets(wav, audio.shape[0])

    cache = Cache(tmp_path / "cache")
    start, stop = RATE, 3 * RATE  # a stretch from 1 s to 3 s
    made = aac.encode_ahead(start, pcm[start:stop], audio.shape[0], cache)
    chunk, roll = CHUNK * aac.AAC_FRAME, aac.ROLL_FRAMES * aac.AAC_FRAME
    inside = [
        i
        for i in range(1, -(-audio.shape[0] // chunk) - 1)
        if i * chunk - roll >= start and (i + 1) * chunk + roll <= stop
    ]
    assert made == len(inside) >= 2

    later = Cache(tmp_path / "cache")
    packets = aac.aac_packets(wav, audio.shape[0], later)
    assert later.work.reused["aac"] == made
    assert [p.payload for p in packets] == [p.payload for p in cold]
    # A stretch whose samples turn out otherwise leaves nothing the film would take.
    wrong = Cache(tmp_path / "other")
    assert aac.encode_ahead(start, (pcm[start:stop] // 2), audio.shape[0], wrong) == made
    checked = Cache(tmp_path / "other")
    assert aac.aac_packets(wav, audio.shape[0], checked) == cold
    assert checked.work.reused["aac"] == 0


def test_chunks_begin_at_every_start_on_the_frame_grid(small_chunks):
    frame, chunk = aac.AAC_FRAME, CHUNK * aac.AAC_FRAME
    total = 3 * chunk + 500
    spans = aac.chunk_spans(total, [chunk // 2 + 2 * frame, 5 * frame + 7, total + frame])  # off-grid, past the end
    assert spans[0] == (0, chunk // 2 + 2 * frame) and spans[1][0] == chunk // 2 + 2 * frame
    assert [a for a, _ in spans[1:]] == [b for _, b in spans[:-1]] and spans[-1][1] == total
    assert all(b - a <= chunk and a % frame == 0 for a, b in spans)


def test_a_scene_that_only_moved_by_whole_frames_is_not_encoded_again(tmp_path, small_chunks):
    """The second scene's sound, laid a few AAC frames later because the first grew, is found in the cache:
    only the first scene's chunks and the seam into the second are encoded again."""
    frames = aac.AAC_FRAME / RATE  # seconds
    first, second = _music(94 * frames, seed=4), _music(140 * frames + 0.01, seed=5)
    longer = np.concatenate([first, _music(7 * frames, seed=6)])  # the first scene, 7 frames longer
    made = []
    for opening in (first, longer):
        mix = np.concatenate([opening, second])
        wav = write_wav(tmp_path / "mix.wav", mix, RATE)
        cache = Cache(tmp_path / "cache")
        packets = aac.aac_packets(wav, mix.shape[0], cache, starts=[opening.shape[0]])
        made.append((cache.work.computed["aac"], cache.work.reused["aac"]))
        assert packets == aac.aac_packets(wav, mix.shape[0], Cache(tmp_path / "fresh"), starts=[opening.shape[0]])
    chunk = CHUNK * aac.AAC_FRAME
    opening_chunks, closing_chunks = -(-longer.shape[0] // chunk), -(-second.shape[0] // chunk)
    assert made[0] == (-(-first.shape[0] // chunk) + closing_chunks, 0)
    # Made again: the chunk whose post-roll reads the added frames, the one holding them, and the second scene's
    # first (its pre-roll reads them). The rest of the second scene, film end included, only moved: reused.
    assert made[1] == (3, opening_chunks + closing_chunks - 3)
    mix = np.concatenate([longer, second])
    on_one_grid = Cache(tmp_path / "cache")  # chunks every CHUNK frames from the film's start, whatever the scenes
    aac.aac_packets(write_wav(tmp_path / "mix.wav", mix, RATE), mix.shape[0], on_one_grid)
    assert on_one_grid.work.computed["aac"] >= closing_chunks
