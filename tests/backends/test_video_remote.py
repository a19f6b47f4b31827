"""The generative video backends against local servers speaking each vendor's API (never the real network).

Each test drives a real backend over a real socket; the served clip is a real MP4 of a known colour, and the
take written is decoded and measured: its frame count, size and colour.
"""

from __future__ import annotations

import base64
import io
import time
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from fake_video_vendors import (
    CLIP_RGB,
    KEY_ENVS,
    KLING_SECRET,
    VENDORS,
    Fault,
    register_worktree_backends,
    serve_vendor,
    settings_for,
)
from filmaster.backends.registry import create_backend
from filmaster.backends.video.base import ShotRequest
from filmaster.backends.video.references import shot_references
from filmaster.backends.video.remote import Control, JobClient, RemoteError, RemoteVideoBackend, SubmitUncertainError
from filmaster.errors import BackendUnavailableError, ContentRefusedError, GenerationError, InputError
from filmaster.model import RenderSettings
from filmaster.stages.breakdown import plan_screenplay
from filmaster.stages.develop import develop
from filmaster.stages.shoot import shot_requests

KEY = "sk-test-0123456789abcdef"
SETTINGS = RenderSettings(width=128, height=72, fps=12)


@pytest.fixture(scope="module", autouse=True)
def _backends() -> None:
    register_worktree_backends()


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for env in KEY_ENVS.values():
        monkeypatch.setenv(env, KEY)
    monkeypatch.setenv("KLING_SECRET_KEY", KLING_SECRET)


@pytest.fixture(scope="module")
def requests() -> dict[str, ShotRequest]:
    plan = plan_screenplay(develop(Path(__file__).parents[2] / "examples" / "tiny.fountain"))
    return {r.shot.id: r for r in shot_requests(plan, SETTINGS, seed=3)}


def _png(rgb: tuple[int, int, int] = (20, 90, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (128, 72), rgb).save(out, format="PNG")
    return out.getvalue()


# Back-off capped to 50 ms (the `max_wait_s` setting) where a test counts the attempts, not the waits between
# them; the wait a vendor asks for is measured in test_transient_failures_are_retried[429-*].
SHORT_BACKOFF = {"max_wait_s": 0.05}


def _backend(vendor: str, server, **extra) -> RemoteVideoBackend:
    return create_backend("video", vendor, **settings_for(server, **extra))  # type: ignore[return-value]


def _measure(clip: Path) -> tuple[int, tuple[int, int], np.ndarray]:
    with av.open(str(clip)) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    return len(frames), frames[0].shape[1::-1], np.mean([f.mean(axis=(0, 1)) for f in frames], axis=0)


@pytest.mark.parametrize("vendor", VENDORS)
def test_generates_the_shot_from_the_vendor_clip(vendor, keys, requests, tmp_path):
    request = requests["S01-01"]  # 3.5 s, a dolly in
    with serve_vendor(vendor, KEY) as server:
        backend = _backend(vendor, server)
        result = backend.generate(request, tmp_path / "take.mp4", Control(first_frame_png=_png()))
    frames, size, colour = _measure(tmp_path / "take.mp4")
    assert frames == request.frames == result.frames
    assert size == (SETTINGS.width, SETTINGS.height)
    assert np.abs(colour - CLIP_RGB).max() < 12  # the served clip's colour, conformed to the shot
    assert result.cost_usd == pytest.approx(backend.estimate_cost(request)) and result.cost_usd > 0
    assert result.model == backend.model and "dolly in" in result.prompt.lower()
    [submit] = server.submits()
    sent = str(submit)
    if vendor != "luma":  # Luma's keyframes take hosted URLs only
        assert base64.b64encode(_png()).decode()[:40] in sent  # the previz first frame is the control image
    assert KEY not in sent


def test_luma_sends_the_camera_as_words_and_a_concept(keys, requests, tmp_path):
    with serve_vendor("luma", KEY) as server:
        _backend("luma", server).generate(requests["S01-01"], tmp_path / "t.mp4", Control(first_frame_png=_png()))
    [body] = server.submits()
    assert body["concepts"] == [{"key": "push_in"}] and "pushes in" in body["prompt"]
    assert body["duration"] == "5s"


def test_kling_maps_the_movement_onto_camera_control(keys, requests, tmp_path):
    with serve_vendor("kling", KEY) as server:
        backend = _backend("kling", server)
        backend.generate(requests["S02-01"], tmp_path / "a.mp4", Control(first_frame_png=_png()))  # crane down
        backend.generate(requests["S02-02"], tmp_path / "b.mp4", Control(first_frame_png=_png()))  # tracking
    crane, tracking = server.submits()
    assert crane["camera_control"] == {
        "type": "simple",
        "config": {"horizontal": 0, "vertical": -8.0, "pan": 0, "tilt": 0, "roll": 0, "zoom": 0},
    }
    assert "rises" not in crane["prompt"]  # the movement is the parameter's, not also the words'
    assert "camera_control" not in tracking and "tracking shot" in tracking["prompt"].lower()
    assert [path for method, path, _, _ in server.requests if method == "POST"] == ["/v1/videos/image2video"] * 2


def test_kling_multi_image_mode_sends_the_reference_pictures(keys, requests, tmp_path):
    refs = []
    for name, rgb in (("anna", (200, 0, 0)), ("kitchen", (0, 0, 200))):
        Image.new("RGB", (64, 64), rgb).save(tmp_path / f"{name}.png")
        refs.append(tmp_path / f"{name}.png")
    with serve_vendor("kling", KEY) as server:
        control = Control(first_frame_png=_png(), references=tuple(refs))
        _backend("kling", server).generate(requests["S01-02"], tmp_path / "t.mp4", control)
    [(_, path, _, body)] = [r for r in server.requests if r[0] == "POST"]
    assert path == "/v1/videos/multi-image2video"
    assert [item["image"] for item in body["image_list"]][1:] == [
        base64.b64encode(p.read_bytes()).decode() for p in refs
    ]


def test_a_reference_that_is_not_an_image_is_one_clear_error(keys, requests, tmp_path):
    bad = tmp_path / "face.png"
    bad.write_text("not a picture")
    with serve_vendor("kling", KEY) as server, pytest.raises(InputError, match=r"face\.png is not a readable image"):
        _backend("kling", server).generate(requests["S01-02"], tmp_path / "t.mp4", Control(references=(bad,)))
    assert server.requests == []  # nothing was sent


@pytest.mark.parametrize("vendor", VENDORS)
@pytest.mark.parametrize("fault", ["429", "500", "slow", "malformed"])
def test_transient_failures_are_retried(vendor, fault, keys, requests, tmp_path):
    with serve_vendor(vendor, KEY, faults=[Fault(fault, on="poll", retry_after="0.3")]) as server:
        start = time.monotonic()
        backoff = {} if fault == "429" else SHORT_BACKOFF  # the 429 case measures the wait Retry-After asks
        result = _backend(vendor, server, timeout_s=0.5, **backoff).generate(
            requests["S01-02"], tmp_path / "t.mp4", Control(first_frame_png=_png())
        )
        elapsed = time.monotonic() - start
    assert result.frames == requests["S01-02"].frames
    assert len(server.submits()) == 1  # the task was not submitted twice
    if fault == "429":
        assert elapsed >= 0.3  # Retry-After was honoured


def test_a_failure_that_outlasts_the_retry_budget_is_one_line(keys, requests, tmp_path):
    with (
        serve_vendor("runway", KEY, faults=[Fault("500", on="submit")] * 4) as server,
        pytest.raises(RemoteError, match=r"runway answered HTTP 500 .* after 4 attempt\(s\)"),
    ):
        _backend("runway", server, **SHORT_BACKOFF).generate(requests["S01-02"], tmp_path / "t.mp4", Control(_png()))
    assert len(server.submits()) == 4
    assert not (tmp_path / "t.mp4").exists()


@pytest.mark.parametrize("vendor", VENDORS)
def test_a_refused_prompt_is_not_retried(vendor, keys, requests, tmp_path):
    with (
        serve_vendor(vendor, KEY, refuse_words=("sun",)) as server,
        pytest.raises(ContentRefusedError, match=f"{vendor} refused the shot"),
    ):
        _backend(vendor, server).generate(requests["S02-02"], tmp_path / "t.mp4", Control(_png()))
    assert len(server.submits()) == 1


@pytest.mark.parametrize("vendor", VENDORS)
def test_a_wrong_key_is_not_retried(vendor, keys, requests, tmp_path, monkeypatch):
    monkeypatch.setenv(KEY_ENVS[vendor], "sk-wrong")
    with serve_vendor(vendor, KEY) as server, pytest.raises(RemoteError, match="rejected the API key") as caught:
        _backend(vendor, server).generate(requests["S01-02"], tmp_path / "t.mp4", Control(_png()))
    assert len(server.requests) == 1
    assert "sk-wrong" not in str(caught.value)


@pytest.mark.parametrize("vendor", VENDORS)
def test_a_missing_key_names_its_variable(vendor, requests, tmp_path, monkeypatch):
    monkeypatch.delenv(KEY_ENVS[vendor], raising=False)
    with serve_vendor(vendor, KEY) as server, pytest.raises(BackendUnavailableError, match=KEY_ENVS[vendor]):
        _backend(vendor, server).generate(requests["S01-02"], tmp_path / "t.mp4", Control(_png()))


def test_a_truncated_download_is_retried_then_verified(keys, requests, tmp_path):
    with serve_vendor("fal", KEY, faults=[Fault("truncated", on="download")]) as server:
        _backend("fal", server, **SHORT_BACKOFF).generate(requests["S01-02"], tmp_path / "t.mp4", Control(_png()))
    downloads = [path for _, path, _, _ in server.requests if path.startswith("/files/")]
    assert len(downloads) == 2
    assert _measure(tmp_path / "t.mp4")[0] == requests["S01-02"].frames


def test_a_download_always_cut_short_fails(keys, requests, tmp_path):
    with (
        serve_vendor("replicate", KEY, faults=[Fault("truncated", on="download")] * 4) as server,
        pytest.raises(GenerationError, match="cut short"),
    ):
        _backend("replicate", server, **SHORT_BACKOFF).generate(requests["S01-02"], tmp_path / "t.mp4", Control(_png()))


def test_a_clip_of_the_wrong_length_is_rejected(keys, requests, tmp_path):
    with serve_vendor("luma", KEY) as server:
        original = server.new_task

        def short_task(seconds, body, prompt):
            return original(2.0, body, prompt)  # the "service" makes 2 s where 5 s were asked

        server.new_task = short_task  # type: ignore[method-assign]
        with pytest.raises(GenerationError, match=r"lasts 2\.00 s, 5 s were asked"):
            _backend("luma", server).generate(requests["S01-02"], tmp_path / "t.mp4", Control(_png()))


def test_cost_is_estimated_from_the_clip_length_the_service_bills(keys, requests):
    kling = create_backend("video", "kling", price_per_second=0.1)
    assert kling.estimate_cost(requests["S01-02"]) == pytest.approx(0.5)  # 1.96 s is billed as a 5 s clip
    veo = create_backend("video", "veo")
    assert veo.clip_seconds(requests["S01-01"]) == 4  # Veo makes 4, 6 or 8 s


# -- a submit is a purchase: never sent twice --------------------------------------------------------------------
@pytest.mark.parametrize("vendor", VENDORS)
@pytest.mark.parametrize("fault", ["slow", "malformed"])
def test_a_submit_whose_answer_is_lost_is_sent_once(vendor, fault, keys, requests, tmp_path):
    # "slow": the vendor takes the job but answers after the client's timeout; "malformed": it answers garbage.
    faults = [Fault(fault, on="submit", slow_s=1.0)]
    with serve_vendor(vendor, KEY, faults=faults) as server:
        backend = _backend(vendor, server, timeout_s=0.4)
        if vendor == "kling" and fault == "slow":  # Kling finds the job by the external_task_id it was given
            result = backend.generate(requests["S01-02"], tmp_path / "t.mp4", Control(first_frame_png=_png()))
            assert result.frames == requests["S01-02"].frames
            [task] = server.tasks.values()
            lookups = [path for method, path, _, _ in server.requests if method == "GET" and "filmaster-" in path]
            assert lookups and lookups[-1].endswith(task.body["external_task_id"])
        else:
            with pytest.raises(SubmitUncertainError, match="may have been submitted; not re-sent so it is not billed"):
                backend.generate(requests["S01-02"], tmp_path / "t.mp4", Control(first_frame_png=_png()))
        if fault == "slow":  # the vendor took the job: wait for its late answer to finish before the count
            deadline = time.monotonic() + 10.0
            while not server.tasks and time.monotonic() < deadline:
                time.sleep(0.02)
            assert len(server.tasks) == 1
        assert len(server.submits()) == 1


@pytest.mark.parametrize("fault", ["429", "500"])
def test_a_submit_the_vendor_turned_away_is_sent_again(fault, keys, requests, tmp_path):
    with serve_vendor("replicate", KEY, faults=[Fault(fault, on="submit")]) as server:
        _backend("replicate", server, **SHORT_BACKOFF).generate(requests["S01-02"], tmp_path / "t.mp4", Control(_png()))
    assert len(server.submits()) == 2 and len(server.tasks) == 1  # the first was refused, not accepted


def test_a_submit_a_gateway_answers_504_is_not_sent_again(keys, requests, tmp_path):
    # The gateway stopped waiting; the vendor behind it may have taken (and will bill) the job.
    with (
        serve_vendor("replicate", KEY, faults=[Fault("504", on="submit")]) as server,
        pytest.raises(SubmitUncertainError, match="HTTP 504 from a gateway"),
    ):
        _backend("replicate", server).generate(requests["S01-02"], tmp_path / "t.mp4", Control(_png()))
    assert len(server.submits()) == 1


def test_a_submit_that_never_left_is_retried_then_one_line(keys):
    import socket

    with socket.socket() as probe:  # a port nobody listens on: the connection is refused before anything is sent
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = JobClient("fal", {}, timeout_s=0.5, max_retries=2, max_wait_s=0.01)
    with pytest.raises(RemoteError, match=r"POST /fal-ai/wan-i2v failed .* after 3 attempt\(s\)"):
        client.submit(f"http://127.0.0.1:{port}/fal-ai/wan-i2v", {"prompt": "x"})


# -- the submit journal: a stopped run resumes its jobs ---------------------------------------------------------------
RUN_ONE_SHOT = """
import sys
from pathlib import Path
sys.path[:0] = [sys.argv[1]]
from fake_video_vendors import register_worktree_backends
from filmaster.backends.registry import create_backend
from filmaster.backends.video.remote import Control
from filmaster.model import RenderSettings
from filmaster.stages.breakdown import plan_screenplay
from filmaster.stages.develop import develop
from filmaster.stages.shoot import shot_requests

register_worktree_backends()
plan = plan_screenplay(develop(Path(sys.argv[2])))
requests = shot_requests(plan, RenderSettings(width=128, height=72, fps=12), seed=3)
[request] = [r for r in requests if r.shot.id == "S01-02"]
backend = create_backend("video", sys.argv[3], base_url=sys.argv[4], poll_interval_s=0.05, max_poll_s=600)
control = Control(first_frame_png=Path(sys.argv[6]).read_bytes())
backend.generate(request, Path(sys.argv[5]), control, journal=Path(sys.argv[7]))
"""


@pytest.mark.parametrize("vendor", ["runway", "kling", "fal"])
def test_a_run_killed_while_polling_resumes_the_same_job(vendor, keys, requests, tmp_path):
    import os
    import subprocess
    import sys

    from filmaster.model.submitted_job import SubmittedJob

    journal, png = tmp_path / "shot.job.json", tmp_path / "first.png"
    png.write_bytes(_png())
    support = Path(__file__).parents[1] / "support"
    with serve_vendor(vendor, KEY, delay_s=3600.0) as server:  # the job renders "forever": the run is still polling
        args = [str(support), str(Path(__file__).parents[2] / "examples" / "tiny.fountain"), vendor, server.base_url]
        run = subprocess.Popen([sys.executable, "-c", RUN_ONE_SHOT, *args, str(tmp_path / "a.mp4"), str(png),
                                str(journal)], env=os.environ.copy())  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while not (journal.is_file() and any(t.polls for t in server.tasks.values())):
                assert run.poll() is None and time.monotonic() < deadline, "the run ended before it polled"
                time.sleep(0.05)
        finally:
            run.kill()  # SIGKILL: nothing of the run's own clean-up happens
            run.wait()
        entry = SubmittedJob.load(journal)
        assert entry.backend == vendor and entry.shot_id == "S01-02"
        server.delay_s = 0.0  # the job finishes meanwhile
        result = _backend(vendor, server).generate(
            requests["S01-02"], tmp_path / "b.mp4", Control(first_frame_png=_png()), journal=journal
        )
    assert len(server.submits()) == 1  # resumed: 0 new jobs
    assert result.frames == _measure(tmp_path / "b.mp4")[0] == requests["S01-02"].frames
    assert np.abs(_measure(tmp_path / "b.mp4")[2] - CLIP_RGB).max() < 12
    assert not (tmp_path / "a.mp4").exists()


def test_a_completed_job_in_the_journal_is_downloaded_not_ordered_again(keys, requests, tmp_path):
    journal = tmp_path / "shot.job.json"
    with serve_vendor("veo", KEY, faults=[Fault("500", on="download")] * 4) as server:
        backend = _backend("veo", server, **SHORT_BACKOFF)
        with pytest.raises(RemoteError, match="HTTP 500"):  # the job is done, but its clip cannot be fetched
            backend.generate(requests["S01-02"], tmp_path / "t.mp4", Control(_png()), journal=journal)
        assert journal.is_file()
        backend.generate(requests["S01-02"], tmp_path / "t.mp4", Control(_png()), journal=journal)
    assert len(server.submits()) == 1
    assert _measure(tmp_path / "t.mp4")[0] == requests["S01-02"].frames


def test_a_job_the_vendor_failed_leaves_no_journal(keys, requests, tmp_path):
    journal = tmp_path / "shot.job.json"
    with serve_vendor("luma", KEY, refuse_words=("sun",)) as server, pytest.raises(ContentRefusedError):
        _backend("luma", server).generate(requests["S02-02"], tmp_path / "t.mp4", Control(_png()), journal=journal)
    assert not journal.exists()  # the next run may order a new one


# -- character and location pictures ----------------------------------------------------------------------------------
REFERENCE_MODELS = {  # a model of each vendor that takes reference pictures (Luma's video takes none)
    "kling": "kling-v1-6",
    "runway": "gen4_turbo",  # through a gen4_image keyframe painted from them
    "veo": "veo-3.1-generate-preview",
    "fal": "fal-ai/vidu/reference-to-video",
    "replicate": "kwaivgi/kling-v1.6-standard",
}


def _with_pictures(request: ShotRequest, folder: Path) -> tuple[ShotRequest, list[Path]]:
    """The shot with a picture of each character (Ben's a JPEG) and of its location, and those pictures in the
    order a service should get them: the shot's subject first, then the rest of the scene's cast, then the place."""
    paths = {}
    for name, rgb, fmt in (("BEN", (0, 160, 0), "JPEG"), ("ANNA", (200, 0, 0), "PNG"), ("kitchen", (0, 0, 200), "PNG")):
        paths[name] = folder / f"{name.lower()}.{fmt.lower()}"
        Image.new("RGB", (64, 64), rgb).save(paths[name], format=fmt)
    cast = {n: m.model_copy(update={"reference_image": str(paths[n])}) for n, m in request.cast.items()}
    scene = request.scene.model_copy(update={"reference_image": str(paths["kitchen"])})
    shot = ShotRequest(shot=request.shot, scene=scene, cast=cast, settings=request.settings, seed=request.seed)
    return shot, [paths["BEN"], paths["ANNA"], paths["kitchen"]]


def _sent_pictures(vendor: str, body: dict) -> list[bytes]:
    if vendor == "kling":
        return [base64.b64decode(item["image"]) for item in body["image_list"]][1:]  # the previz frame leads
    if vendor == "veo":
        [instance] = body["instances"]
        assert "image" not in instance and all(r["referenceType"] == "asset" for r in instance["referenceImages"])
        return [base64.b64decode(r["image"]["bytesBase64Encoded"]) for r in instance["referenceImages"]]
    if vendor == "runway":
        assert body["referenceImages"][0]["tag"] == "previz"  # the planned framing leads
        assert all(f"@{ref['tag']}" in body["promptText"] for ref in body["referenceImages"])
        uris = [ref["uri"] for ref in body["referenceImages"][1:]]
    else:
        uris = body["reference_image_urls"] if vendor == "fal" else body["input"]["reference_images"]
    return [base64.b64decode(uri.split(",", 1)[1]) for uri in uris]


@pytest.mark.parametrize("vendor", VENDORS)
def test_each_vendor_gets_the_shots_character_and_location_pictures(vendor, keys, requests, tmp_path):
    from filmaster.backends.video.references import shot_references

    request, pictures = _with_pictures(requests["S01-03"], tmp_path)  # Ben's single in Anna's kitchen
    assert list(shot_references(request)) == pictures  # what the generate stage hands the backend
    extra = {"model": REFERENCE_MODELS[vendor]} if vendor in REFERENCE_MODELS else {}
    with serve_vendor(vendor, KEY) as server:
        backend = _backend(vendor, server, **extra)
        control = Control(first_frame_png=_png(), references=shot_references(request))
        result = backend.generate(request, tmp_path / "t.mp4", control)
    assert result.frames == request.frames
    if vendor == "runway":  # two jobs: the keyframe from the pictures, then the video from the keyframe
        body, video = server.submits()
        [keyframe_task] = [t for t in server.tasks.values() if t.kind == "image"]
        assert video["promptImage"] == server.file_url(keyframe_task)
        pictures = pictures[:2]  # three references at most, the previz frame first
        assert result.cost_usd == pytest.approx(0.05 * 5 + 0.05)  # the clip and the keyframe
    else:
        [body] = server.submits()
    if vendor in REFERENCE_MODELS:
        assert _sent_pictures(vendor, body) == [p.read_bytes() for p in pictures]
        assert "always wears" not in result.prompt  # the pictures carry the looks
        if vendor == "veo":
            assert body["instances"][0]["referenceImages"][0]["image"]["mimeType"] == "image/jpeg"  # Ben's JPEG
            assert body["parameters"]["durationSeconds"] == 8  # Veo's rule for reference pictures
    else:  # the API takes none: the looks go into the words, the previz frame is the start image
        assert base64.b64encode(pictures[0].read_bytes()).decode()[:40] not in str(body)
        assert "Ben always wears a blue shirt" in result.prompt and "Anna" not in result.prompt.split("Ben always")[1]


def test_a_start_image_is_used_only_where_the_shots_pictures_do_not_go_instead(keys, requests, tmp_path):
    # A painted keyframe is paid for only if the request carries a start image.
    request, _ = _with_pictures(requests["S01-03"], tmp_path)
    bare = requests["S01-03"]
    for vendor in ("veo", "fal", "replicate"):  # a reference model's pictures replace the start image
        backend = create_backend("video", vendor, model=REFERENCE_MODELS[vendor])
        assert not backend.uses_first_frame(request) and backend.uses_first_frame(bare)
    assert create_backend("video", "fal").uses_first_frame(request)  # an image-to-video model takes no pictures
    assert create_backend("video", "runway").uses_first_frame(request)  # its own keyframe starts from the frame
    assert create_backend("video", "kling").uses_first_frame(request)  # the previz frame leads its image_list
    assert not create_backend("video", "luma").uses_first_frame(bare)  # its keyframe is a hosted URL


def test_runway_does_not_paint_again_a_start_frame_the_keyframe_step_painted(keys, requests, tmp_path):
    request, _ = _with_pictures(requests["S01-03"], tmp_path)
    with serve_vendor("runway", KEY) as server:
        control = Control(first_frame_png=_png(), references=shot_references(request), painted=True)
        _backend("runway", server).generate(request, tmp_path / "t.mp4", control)
    [video] = server.submits()  # no gen4_image job: the painted frame is the start image
    assert video["promptImage"] == Control.data_uri(_png())


@pytest.mark.parametrize(
    ("vendor", "extra"),
    [("veo", {}), ("fal", {}), ("replicate", {}), ("runway", {"reference_keyframe": False})],  # default models
)
def test_a_model_without_references_gets_the_looks_in_words(vendor, extra, keys, requests, tmp_path):
    from filmaster.backends.video.references import shot_references

    request, pictures = _with_pictures(requests["S01-03"], tmp_path)
    with serve_vendor(vendor, KEY) as server:
        control = Control(first_frame_png=_png(), references=shot_references(request))
        result = _backend(vendor, server, **extra).generate(request, tmp_path / "t.mp4", control)
    [body] = server.submits()
    assert "Ben always wears a blue shirt" in result.prompt
    assert base64.b64encode(_png()).decode()[:40] in str(body)  # the previz frame, as for any shot
    assert not any(base64.b64encode(p.read_bytes()).decode()[:40] in str(body) for p in pictures)


@pytest.mark.parametrize(
    ("vendor", "path", "body", "error"),
    [
        ("runway", "/v1/text_to_image", {"model": "gen4_image", "promptText": "@an at home",
         "referenceImages": [{"uri": "data:image/png;base64," + base64.b64encode(_png()).decode(), "tag": "an"}]},
         "tag must be 3 to 16"),
        ("veo", "/v1beta/models/veo-3.0-fast-generate-001:predictLongRunning",
         {"instances": [{"prompt": "p", "referenceImages": []}], "parameters": {"durationSeconds": 8}},
         "use case is currently not supported"),
        ("veo", "/v1beta/models/veo-3.1-generate-preview:predictLongRunning",
         {"instances": [{"prompt": "p", "image": {"bytesBase64Encoded": "QQ==", "mimeType": "image/png"},
                         "referenceImages": [{"image": {"bytesBase64Encoded": "PNG", "mimeType": "image/png"},
                                              "referenceType": "asset"}]}], "parameters": {"durationSeconds": 8}},
         "not a valid image"),
        ("fal", "/fal-ai/vidu/reference-to-video", {"prompt": "p", "reference_image_urls": ["kitchen.png"]},
         "image URL or a data URI"),
        ("replicate", "/v1/models/kwaivgi/kling-v1.6-standard/predictions",
         {"input": {"prompt": "p", "reference_images": ["data:image/png;base64,AA=="] * 5}}, "1 to 4 items"),
        ("kling", "/v1/videos/multi-image2video", {"prompt": "p", "duration": "5",
         "image_list": [{"image": "data:image/png;base64,AA=="}]}, "raw Base64"),
    ],
)  # fmt: skip
def test_the_local_servers_refuse_references_of_the_wrong_shape(vendor, path, body, error, keys):
    with serve_vendor(vendor, KEY) as server:
        backend = _backend(vendor, server)
        client = backend.client()
        with pytest.raises(RemoteError, match=error):
            client.submit(server.base_url + path, body)
    assert server.tasks == {}  # nothing was accepted


def test_runways_reference_keyframe_job_is_journalled_and_polled_again(keys, requests, tmp_path):
    from filmaster.backends.video.references import shot_references
    from filmaster.backends.video.remote import StillRunningError, step_journal
    from filmaster.model.submitted_job import SubmittedJob

    request, _ = _with_pictures(requests["S01-03"], tmp_path)
    journal = tmp_path / "shot.job.json"
    control = Control(first_frame_png=_png(), references=shot_references(request))
    with serve_vendor("runway", KEY, delay_s=3600.0) as server:  # the keyframe paints "forever"
        backend = _backend("runway", server, max_poll_s=0.3)
        with pytest.raises(StillRunningError):  # the run gives up while the keyframe is painted
            backend.generate(request, tmp_path / "t.mp4", control, journal=journal)
        entry = SubmittedJob.load(step_journal(journal, "keyframe"))
        assert (entry.backend, entry.model, entry.shot_id) == ("runway", "gen4_image", "S01-03")
        assert not journal.exists()  # no video job yet
        server.delay_s = 0.0  # the keyframe finishes meanwhile
        result = backend.generate(request, tmp_path / "t.mp4", control, journal=journal)
    posts = [path for method, path, _, _ in server.requests if method == "POST"]
    assert posts == ["/v1/text_to_image", "/v1/image_to_video"]  # the keyframe was ordered (and paid) once
    [keyframe_task] = [t for t in server.tasks.values() if t.kind == "image"]
    assert server.submits()[1]["promptImage"] == server.file_url(keyframe_task)  # the same job's picture
    assert result.frames == _measure(tmp_path / "t.mp4")[0] == request.frames
    assert not step_journal(journal, "keyframe").exists()  # spent once the video job was accepted


def test_a_refused_reference_keyframe_leaves_no_journal(keys, requests, tmp_path):
    from filmaster.backends.video.references import shot_references
    from filmaster.backends.video.remote import step_journal

    request, _ = _with_pictures(requests["S01-03"], tmp_path)
    journal = tmp_path / "shot.job.json"
    control = Control(first_frame_png=_png(), references=shot_references(request))
    word = request.shot.prompt.split()[-1].strip(".,").lower()
    with serve_vendor("runway", KEY, refuse_words=(word,)) as server, pytest.raises(ContentRefusedError):
        _backend("runway", server).generate(request, tmp_path / "t.mp4", control, journal=journal)
    assert not step_journal(journal, "keyframe").exists() and not journal.exists()  # the next run may order anew
