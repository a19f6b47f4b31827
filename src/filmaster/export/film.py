"""The final film: the cut's picture as one H.264 stream, the mix muxed as AAC, in one MP4.

Frames are streamed clip by clip and audio chunk by chunk, so memory stays flat whatever the film's length.
When every clip uses its whole take at normal speed and all takes were encoded alike (same codec parameters),
the takes' packets are copied as they are ("smart render": each take starts on its own keyframe, so the cuts
stay clean) — a re-run after a small edit then costs seconds, not a full encode. Anything else (trims, speed
changes, takes of another size) is decoded and re-encoded, with a keyframe forced at every cut.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from ..atomic import atomic_path
from ..errors import ExportError
from ..model import Cut, CutClip, frame_rate
from ..project import Cache
from .aac import AAC_FRAME, AAC_OPTIONS, AUDIO_BITRATE, AUDIO_RATE, AacPacket, aac_packets, can_chunk


@dataclass(frozen=True)
class FilmInfo:
    path: Path
    frames: int
    fps: float
    width: int
    height: int
    duration_s: float  # of the picture; the audio stream has the same length
    audio_samples: int
    streams: tuple[str, ...]  # one line per stream of the written file, e.g. "video h264 960x540 yuv420p"


def assemble_film(
    out_dir: Path,
    cut: Cut,
    mix_wav: Path | None,
    film_path: Path,
    *,
    crf: int = 20,
    preset: str = "veryfast",
    progress: Callable[[int, int], None] | None = None,
    cache: Cache | None = None,
    sound_starts: Sequence[int] = (),
) -> FilmInfo:
    """Encode `cut` (clip media relative to `out_dir`) with `mix_wav` as its sound into `film_path`.
    The audio is cut or padded with silence to the picture's length; None gives a silent track. With a
    `cache`, the AAC track is made of cached chunks where the mix did not change (see `export.aac`), chunks that
    begin at `sound_starts` (where the mix laid each scene's sound)."""
    out_dir, film_path = Path(out_dir), Path(film_path)
    if not cut.clips:
        raise ExportError(f"cut '{cut.title}' has no clips; nothing to assemble into {film_path}")
    for clip in cut.clips:
        if clip.frames <= 0 or clip.speed <= 0 or clip.source_start_frame < 0:
            raise ExportError(
                f"cut clip {clip.shot_id} has frames={clip.frames}, speed={clip.speed}, "
                f"source_start_frame={clip.source_start_frame}; fix the cut (frames and speed > 0, start >= 0)"
            )
    if mix_wav is not None and not Path(mix_wav).is_file():
        raise ExportError(f"mix {mix_wav} does not exist; run the mix stage before assembling the film")
    total = cut.frames
    total_samples = audio_samples(cut)
    try:
        copy = _can_copy_packets(out_dir, cut)
        with (
            atomic_path(film_path) as tmp,
            av.open(str(tmp), "w", format="mp4", options={"movflags": "+faststart"}) as container,
        ):
            # Video first: players expect it as stream 0.
            if copy:
                with av.open(str(out_dir / cut.clips[0].media)) as first:
                    video = container.add_stream_from_template(first.streams.video[0])
                video.time_base = frame_rate.time_base(cut.fps)
            else:
                video = container.add_stream(
                    "libx264", rate=frame_rate.exact(cut.fps), options={"crf": str(crf), "preset": preset}
                )
                video.width, video.height, video.pix_fmt = cut.width, cut.height, "yuv420p"
            audio = _AudioFeed(container, mix_wav, total_samples, cache, sound_starts)
            (_copy_packets if copy else _encode)(container, video, audio, out_dir, cut, progress)
            audio.finish()
    except av.error.FFmpegError as exc:
        raise ExportError(f"encoding {film_path} failed: {exc}; check the takes and the mix") from exc
    return FilmInfo(
        path=film_path,
        frames=total,
        fps=cut.fps,
        width=cut.width,
        height=cut.height,
        duration_s=total / cut.fps,
        audio_samples=total_samples,
        streams=_describe(film_path),
    )


def audio_samples(cut: Cut) -> int:
    """How many samples the film's sound track holds at AUDIO_RATE: exactly as long as its picture."""
    return round(cut.frames * AUDIO_RATE / cut.fps)


def _encode(
    container: av.container.OutputContainer,
    video: av.video.stream.VideoStream,
    audio: _AudioFeed,
    out_dir: Path,
    cut: Cut,
    progress: Callable[[int, int], None] | None,
) -> None:
    """Decode every clip's frames (trim and speed applied) and encode them, a keyframe at every cut."""
    index = 0
    frame_time_base = frame_rate.frame_duration(cut.fps)
    for clip in cut.clips:
        for clip_frame_index, frame in enumerate(_clip_frames(out_dir, clip, cut)):
            # Decoded frames carry their take's time base; the encoder rescales pts from it.
            frame.pts, frame.time_base = index, frame_time_base
            # A keyframe at every cut: editors and players seek to shot boundaries.
            first = clip_frame_index == 0
            frame.pict_type = av.video.frame.PictureType.I if first else av.video.frame.PictureType.NONE
            container.mux(video.encode(frame))
            index += 1
            audio.send_until(round(index * AUDIO_RATE / cut.fps))  # interleave: the sound of this frame
            if progress is not None:
                progress(index, cut.frames)
    container.mux(video.encode(None))


def _can_copy_packets(out_dir: Path, cut: Cut) -> bool:
    """True when the takes can be concatenated without decoding: whole takes, speed 1, identical parameters."""
    signature = None
    for clip in cut.clips:
        if clip.speed != 1 or clip.source_start_frame != 0:
            return False
        path = out_dir / clip.media
        if not path.is_file():
            return False  # the re-encode path reports the missing take
        with av.open(str(path)) as container:
            if not container.streams.video:
                return False
            stream = container.streams.video[0]
            ctx = stream.codec_context
            if stream.frames != clip.frames or stream.average_rate != cut.fps:
                return False
            this = (ctx.name, ctx.width, ctx.height, ctx.pix_fmt, bytes(ctx.extradata or b""))
        if ctx.name != "h264" or (ctx.width, ctx.height) != (cut.width, cut.height):
            return False
        if signature is not None and this != signature:
            return False
        signature = this
    return True


def _copy_packets(
    container: av.container.OutputContainer,
    video: av.video.stream.VideoStream,
    audio: _AudioFeed,
    out_dir: Path,
    cut: Cut,
    progress: Callable[[int, int], None] | None,
) -> None:
    """Concatenate the takes' packets, shifted to their place on the timeline."""
    done = (lambda frames: progress(frames, cut.frames)) if progress is not None else None
    clips = [(out_dir / clip.media, clip.frames) for clip in cut.clips]
    for packet in concatenated_packets(clips, cut.fps, video, done):
        container.mux(packet)
        # Interleave: send the audio that plays up to this packet's decode time.
        audio.send_until(round(float((packet.dts or 0) * packet.time_base) * AUDIO_RATE))


def concatenated_packets(
    clips: Sequence[tuple[Path, int]],
    fps: float,
    stream: av.video.stream.VideoStream,
    clip_done: Callable[[int], None] | None = None,
) -> Iterator[av.Packet]:
    """The video packets of H.264 clips (path, frames) one after another, re-stamped to follow each other and
    addressed to `stream`; `clip_done` hears the frames sent so far after each clip."""
    frames_before = 0
    for path, frames in clips:
        with av.open(str(path)) as take:
            source = take.streams.video[0]
            if source.time_base is None:
                raise ExportError(f"{path} has no video time base; delete it and run again to re-render it")
            offset = round(frames_before * frame_rate.frame_duration(fps) / source.time_base)
            for packet in take.demux(source):
                if packet.dts is None or packet.pts is None:  # the demuxer's end-of-stream marker
                    continue
                packet.pts += offset
                packet.dts += offset
                packet.stream = stream
                yield packet
        frames_before += frames
        if clip_done is not None:
            clip_done(frames_before)


def join_clips(parts: Sequence[tuple[Path, int]], target: Path, fps: float) -> None:
    """One H.264 MP4 from parts (path, frames) encoded alike, each starting on a keyframe, by packet copy."""
    with av.open(str(parts[0][0])) as first, av.open(str(target), "w", format="mp4") as container:
        stream = container.add_stream_from_template(first.streams.video[0])
        stream.time_base = frame_rate.time_base(fps)
        for packet in concatenated_packets(parts, fps, stream):
            container.mux(packet)


class _AudioFeed:
    """The film's AAC track, sent into the container in time order as the picture advances.

    From pre-encoded chunks (parallel and cached, `export.aac`) when the mix is a 16-bit WAV at the film's rate;
    otherwise the mix is decoded, resampled and encoded here, in one stream.
    """

    def __init__(
        self,
        container: av.container.OutputContainer,
        mix_wav: Path | None,
        total_samples: int,
        cache: Cache | None,
        starts: Sequence[int] = (),
    ) -> None:
        self.container = container
        self.stream = container.add_stream(
            "aac", rate=AUDIO_RATE, layout="stereo", bit_rate=AUDIO_BITRATE, options=AAC_OPTIONS
        )
        self.sent = 0  # samples (encoding) or packets (pre-encoded) already in the container
        self.packets: list[AacPacket] | None = None
        if mix_wav is not None and can_chunk(mix_wav):
            self.packets = aac_packets(mix_wav, total_samples, cache, starts=starts)
        else:
            self.chunks = _audio_chunks(mix_wav, total_samples)

    def send_until(self, due: int) -> None:
        """Send everything that starts before sample `due`."""
        if self.packets is not None:
            while self.sent < len(self.packets) and self.packets[self.sent].pts < due:
                self.container.mux(self._packet(self.packets[self.sent]))
                self.sent += 1
            return
        while self.sent < due:
            chunk = next(self.chunks, None)
            if chunk is None:
                return
            self.container.mux(self.stream.encode(_audio_frame(chunk, self.sent)))
            self.sent += chunk.shape[1]

    def finish(self) -> None:
        self.send_until(1 << 62)
        if self.packets is None:
            self.container.mux(self.stream.encode(None))

    def _packet(self, aac: AacPacket) -> av.Packet:
        packet = av.Packet(aac.payload)
        packet.pts = packet.dts = aac.pts
        packet.duration = aac.duration
        packet.time_base = Fraction(1, AUDIO_RATE)
        packet.stream = self.stream
        return packet


def _clip_frames(
    out_dir: Path,
    clip: CutClip,
    cut: Cut,
    *,
    threads: bool = True,
    on_frame: Callable[[int, av.VideoFrame], None] | None = None,
) -> Iterator[av.VideoFrame]:
    """The record frames of one cut clip, decoded from its take, in order, at the cut's size; `threads=False`
    decodes on this thread alone, for callers that run several decodes side by side. `on_frame(index, frame)`
    sees every decoded take frame as it is, so another reader of the same frames needs no decode of its own."""
    path = out_dir / clip.media
    if not path.is_file():
        raise ExportError(f"take {path} of shot {clip.shot_id} is missing; re-run the shoot stage")
    # Source frame shown at each record frame: speed 2 shows every second frame, 0.5 each frame twice.
    wanted = [clip.source_frame(j) for j in range(clip.frames)]
    position = 0
    source_index = -1
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        if threads:
            stream.thread_type = "AUTO"
        for source_index, frame in enumerate(container.decode(stream)):
            if on_frame is not None:
                on_frame(source_index, frame)
            if source_index < wanted[position]:
                continue
            picture = frame.reformat(width=cut.width, height=cut.height, format="yuv420p")
            while position < len(wanted) and wanted[position] == source_index:
                yield picture
                position += 1
            if position == len(wanted):
                return
    raise ExportError(
        f"shot {clip.shot_id} needs frame {wanted[position]} of {path}, which has {source_index + 1} frames; "
        "re-render the shot or shorten the clip in the cut"
    )


def _audio_chunks(mix_wav: Path | None, total_samples: int) -> Iterator[np.ndarray]:
    """The mix as planar float32 stereo chunks of AAC_FRAME samples (the last one shorter), exactly
    `total_samples` long: resampled to 48 kHz stereo if needed, cut, then padded with silence."""
    pending = np.zeros((2, 0), np.float32)
    sent = 0
    for block in _decoded_audio(mix_wav) if mix_wav is not None else iter(()):
        pending = np.concatenate([pending, block], axis=1)
        while pending.shape[1] >= AAC_FRAME and sent < total_samples:
            size = min(AAC_FRAME, total_samples - sent)
            yield pending[:, :size]
            pending = pending[:, size:]
            sent += size
        if sent >= total_samples:
            return
    tail = pending[:, : total_samples - sent]
    padded = np.zeros((2, total_samples - sent), np.float32)
    padded[:, : tail.shape[1]] = tail
    for offset in range(0, padded.shape[1], AAC_FRAME):
        yield padded[:, offset : offset + AAC_FRAME]


def _decoded_audio(mix_wav: Path) -> Iterator[np.ndarray]:
    resampler = av.AudioResampler(format="fltp", layout="stereo", rate=AUDIO_RATE)
    try:
        with av.open(str(mix_wav)) as container:
            if not container.streams.audio:
                raise ExportError(f"mix {mix_wav} holds no audio stream; re-run the mix stage")
            for frame in container.decode(audio=0):
                for out in resampler.resample(frame):
                    yield out.to_ndarray().astype(np.float32, copy=False)
            for out in resampler.resample(None):
                yield out.to_ndarray().astype(np.float32, copy=False)
    except av.error.FFmpegError as exc:
        raise ExportError(f"cannot decode the mix {mix_wav}: {exc}; re-run the mix stage") from exc


def _audio_frame(chunk: np.ndarray, pts: int) -> av.AudioFrame:
    frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(chunk), format="fltp", layout="stereo")
    frame.sample_rate = AUDIO_RATE
    frame.pts = pts
    return frame


def _describe(path: Path) -> tuple[str, ...]:
    lines: list[str] = []
    with av.open(str(path)) as container:
        for stream in container.streams:
            if isinstance(stream, av.video.stream.VideoStream):
                ctx = stream.codec_context
                lines.append(f"video {ctx.name} {ctx.width}x{ctx.height} {ctx.pix_fmt} {stream.average_rate} fps")
            elif isinstance(stream, av.audio.stream.AudioStream):
                sound = stream.codec_context
                kbps = (sound.bit_rate or 0) // 1000
                lines.append(f"audio {sound.name} {sound.sample_rate} Hz {sound.layout.name} {kbps} kbps")
    return tuple(lines)
