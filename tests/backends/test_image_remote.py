"""The hosted image backends against local servers speaking each vendor's API (never the real network).

Each test drives a real backend over a real socket; the server's "model" returns the starting picture with its
colours inverted, so the picture written is checked pixel for pixel against the one sent.
"""

from __future__ import annotations

import io
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from fake_image_vendors import IMAGE_VENDORS, KEY_ENVS, Fault, decode_data_uri, painter_settings, serve_painter
from filmaster.backends.image.base import ImageBackend, PaintRequest
from filmaster.backends.registry import create_backend
from filmaster.backends.video.remote import RemoteError, SubmitUncertainError
from filmaster.errors import BackendUnavailableError, ContentRefusedError, GenerationError
from project_entry_points import project_backends  # noqa: F401  (fixture)

KEY = "sk-image-test-5e1d2c3b4a"
REQUEST = PaintRequest("Wide shot of Anna in the kitchen at night.", 128, 72, seed=7, label="shot S01-01")

pytestmark = pytest.mark.usefixtures("project_backends")


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for env in KEY_ENVS.values():
        monkeypatch.setenv(env, KEY)


@pytest.fixture
def start(tmp_path: Path) -> Path:
    """A previz-like frame: two halves of different colours, so an inversion is checked on real structure."""
    pixels = np.zeros((72, 128, 3), np.uint8)
    pixels[:, :64] = (200, 60, 30)
    pixels[:, 64:] = (20, 140, 90)
    Image.fromarray(pixels).save(tmp_path / "previz.png")
    return tmp_path / "previz.png"


def _backend(vendor: str, server, **extra) -> ImageBackend:
    return create_backend("image", vendor, **painter_settings(server, **extra))


def _pixels(path_or_bytes: Path | bytes) -> np.ndarray:
    data = path_or_bytes if isinstance(path_or_bytes, bytes) else path_or_bytes.read_bytes()
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert("RGB")).astype(int)


def _sent_pictures(vendor: str, server) -> list[bytes]:
    """The pictures the backend uploaded, as the server received them."""
    [(_, _, headers, body)] = [r for r in server.requests if r[0] == "POST"]
    if vendor == "openai-images":
        assert headers["content-type"].startswith("multipart/form-data")
        return list(body["image[]"])
    if vendor == "fal-flux":
        return [decode_data_uri(body["image_url"])]
    return [decode_data_uri(body["input"]["image"])]


@pytest.mark.parametrize("vendor", IMAGE_VENDORS)
def test_paints_from_the_starting_picture(vendor, keys, start, tmp_path):
    ref = tmp_path / "anna.jpg"
    Image.new("RGB", (40, 40), (250, 10, 10)).save(ref)
    with serve_painter(vendor, KEY) as server:
        backend = _backend(vendor, server)
        result = backend.paint(REQUEST, start, (ref,), tmp_path / "painted.png")
    sent = _sent_pictures(vendor, server)
    assert np.array_equal(_pixels(sent[0]), _pixels(start))  # the previz frame went up unchanged
    assert np.array_equal(_pixels(tmp_path / "painted.png"), 255 - _pixels(start))  # what the model painted
    assert [_pixels(p).shape for p in server.painted] == [(72, 128, 3)]
    if vendor == "openai-images":  # gpt-image-1 takes the references beside the starting picture
        assert len(sent) == 2 and np.abs(_pixels(sent[1])[0, 0] - (250, 10, 10)).max() <= 3  # the JPEG, as PNG
    assert result.model == backend.model and result.prompt == REQUEST.prompt and result.seed == 7
    assert result.cost_usd == pytest.approx(backend.estimate_cost(REQUEST)) and result.cost_usd > 0
    assert all(KEY not in str(body) for _, _, _, body in server.requests)


def test_request_shapes_follow_each_vendors_documentation(keys, start, tmp_path):
    with serve_painter("openai-images", KEY) as server:
        _backend("openai-images", server, quality="low").paint(REQUEST, start, (), tmp_path / "a.png")
    [(_, path, _, form)] = server.requests
    assert path == "/v1/images/edits"
    assert form["model"] == "gpt-image-1" and form["size"] == "1536x1024" and form["quality"] == "low"
    with serve_painter("fal-flux", KEY) as server:
        _backend("fal-flux", server, strength=0.7).paint(REQUEST, start, (), tmp_path / "b.png")
    submit = server.requests[0]
    assert submit[1] == "/fal-ai/flux/dev/image-to-image" and submit[3]["strength"] == 0.7
    assert submit[3]["seed"] == 7 and submit[3]["image_url"].startswith("data:image/png;base64,")
    with serve_painter("replicate-flux", KEY) as server:
        _backend("replicate-flux", server).paint(REQUEST, start, (), tmp_path / "c.png")
    submit = server.requests[0]
    assert submit[1] == "/v1/models/black-forest-labs/flux-dev/predictions"
    assert submit[3]["input"]["output_format"] == "png" and submit[3]["input"]["prompt_strength"] == 0.8


def test_without_a_starting_picture_openai_generates(keys, tmp_path):
    with serve_painter("openai-images", KEY) as server:
        _backend("openai-images", server).paint(REQUEST, None, (), tmp_path / "p.png")
    [(_, path, headers, body)] = server.requests
    assert path == "/v1/images/generations" and headers["content-type"] == "application/json"
    assert body["n"] == 1 and _pixels(tmp_path / "p.png")[0, 0].tolist() == [90, 120, 200]


TRANSIENT = [(v, f) for v in IMAGE_VENDORS for f in ("429", "500", "malformed")]


@pytest.mark.parametrize(
    ("vendor", "fault"), [(v, f) for v, f in TRANSIENT if (v, f) != ("openai-images", "malformed")]
)
def test_transient_failures_are_retried(vendor, fault, keys, start, tmp_path):
    # The queued services fail while being polled; OpenAI's painting is answered at once, so its submit fails
    # (an unreadable answer to it is a lost purchase, not retried: see below).
    on = "submit" if vendor == "openai-images" else "poll"
    with serve_painter(vendor, KEY, faults=[Fault(fault, on=on, retry_after="0.3")]) as server:
        began = time.monotonic()
        _backend(vendor, server).paint(REQUEST, start, (), tmp_path / "p.png")
        elapsed = time.monotonic() - began
    assert np.array_equal(_pixels(tmp_path / "p.png"), 255 - _pixels(start))
    assert len(server.painted) == 1  # painted (and paid) once
    if fault == "429":
        assert elapsed >= 0.3  # Retry-After was honoured


@pytest.mark.parametrize("vendor", IMAGE_VENDORS)
def test_a_server_error_that_persists_is_one_line(vendor, keys, start, tmp_path):
    with (
        serve_painter(vendor, KEY, faults=[Fault("500", on="submit")] * 2) as server,
        pytest.raises(RemoteError, match=rf"{vendor} answered HTTP 500 .* after 2 attempt\(s\)"),
    ):
        _backend(vendor, server, max_retries=1).paint(REQUEST, start, (), tmp_path / "p.png")
    assert not (tmp_path / "p.png").exists()


@pytest.mark.parametrize("vendor", IMAGE_VENDORS)
@pytest.mark.parametrize("fault", ["slow", "malformed"])
def test_a_painting_whose_answer_is_lost_is_ordered_once(vendor, fault, keys, start, tmp_path):
    # "slow": the vendor takes the order but answers after the client's timeout; "malformed": it answers garbage.
    with serve_painter(vendor, KEY, faults=[Fault(fault, on="submit", slow_s=1.0)] * 2) as server:
        with pytest.raises(SubmitUncertainError, match=r"may have been (billed|submitted); not re-sent"):
            _backend(vendor, server, timeout_s=0.4).paint(REQUEST, start, (), tmp_path / "p.png")
        if fault == "slow":  # the vendor took the order: wait for its late answer to finish before the count
            deadline = time.monotonic() + 10.0
            while not server.painted and time.monotonic() < deadline:
                time.sleep(0.02)
            assert len(server.painted) == 1
    assert [r[0] for r in server.requests] == ["POST"]  # ordered once, and never polled: no job to look at
    assert not (tmp_path / "p.png").exists()


@pytest.mark.parametrize("vendor", IMAGE_VENDORS)
def test_an_order_that_never_left_is_sent_again(vendor, keys, start, tmp_path):
    import socket

    with socket.socket() as probe:  # a port nobody listens on: the connection is refused before anything is sent
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    backend = create_backend("image", vendor, base_url=f"http://127.0.0.1:{port}", max_retries=2, timeout_s=0.5)
    began = time.monotonic()
    with pytest.raises(RemoteError, match=r"after 3 attempt\(s\)"):
        backend.paint(REQUEST, start, (), tmp_path / "p.png")
    assert time.monotonic() - began < 10


@pytest.mark.parametrize("vendor", IMAGE_VENDORS)
def test_a_refused_prompt_is_not_retried(vendor, keys, start, tmp_path):
    with (
        serve_painter(vendor, KEY, refuse_words=("kitchen",)) as server,
        pytest.raises(ContentRefusedError, match="refused"),
    ):
        _backend(vendor, server).paint(REQUEST, start, (), tmp_path / "p.png")
    assert len([r for r in server.requests if r[0] == "POST"]) == 1
    assert not (tmp_path / "p.png").exists()


@pytest.mark.parametrize("vendor", IMAGE_VENDORS)
def test_a_wrong_key_is_not_retried(vendor, keys, start, tmp_path, monkeypatch):
    monkeypatch.setenv(KEY_ENVS[vendor], "sk-wrong")
    with serve_painter(vendor, KEY) as server, pytest.raises(RemoteError, match="rejected the API key") as caught:
        _backend(vendor, server).paint(REQUEST, start, (), tmp_path / "p.png")
    assert len(server.requests) == 1 and "sk-wrong" not in str(caught.value)


@pytest.mark.parametrize("vendor", IMAGE_VENDORS)
def test_a_missing_key_names_its_variable(vendor, start, tmp_path, monkeypatch):
    monkeypatch.delenv(KEY_ENVS[vendor], raising=False)
    with serve_painter(vendor, KEY) as server, pytest.raises(BackendUnavailableError, match=KEY_ENVS[vendor]):
        _backend(vendor, server).paint(REQUEST, start, (), tmp_path / "p.png")
    assert server.requests == []


@pytest.mark.parametrize("vendor", IMAGE_VENDORS)
def test_a_returned_picture_that_is_not_one_is_refused(vendor, keys, start, tmp_path):
    on = "submit" if vendor == "openai-images" else "download"
    with (
        serve_painter(vendor, KEY, faults=[Fault("not_image", on=on)]) as server,
        pytest.raises(GenerationError, match="not a readable picture"),
    ):
        _backend(vendor, server).paint(REQUEST, start, (), tmp_path / "p.png")
    assert not (tmp_path / "p.png").exists()
