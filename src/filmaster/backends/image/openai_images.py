"""OpenAI's Images API (gpt-image-1 and the DALL·E models).

With a starting picture: POST {base}/images/edits, multipart/form-data with `model`, `prompt`, `size`, `quality`,
`n`, `input_fidelity` and the pictures as `image[]` files — the previz frame first, then the character and
location references (gpt-image-1 takes several). Without one: POST {base}/images/generations with a JSON body.
Both answer {created, data: [{b64_json}], usage}; GPT image models always answer base64. A refused prompt is an
HTTP 400 whose error.code is `moderation_blocked` (gpt-image-1) or `content_policy_violation` (DALL·E). The API
takes no seed: the seed recorded is the film's, for the record only.
"""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from typing import Any, ClassVar

from ...errors import ConfigError, GenerationError
from .base import PaintRequest, PaintResult
from .remote import COMMON_SETTINGS, RemoteImageBackend, multipart, png_bytes, write_picture

SIZES = ("1536x1024", "1024x1024", "1024x1536")  # what gpt-image-1 paints; the nearest aspect is asked for
PRICES = {"low": 0.016, "medium": 0.063, "high": 0.25}  # USD per 1536×1024 picture, gpt-image-1's list price
REFUSAL_CODES = ("moderation_blocked", "content_policy_violation")


class OpenAIImageBackend(RemoteImageBackend):
    """Settings: `model`, `size` (default: the nearest of SIZES to the film's aspect), `quality` (low, medium,
    high), `input_fidelity` (high keeps the previz frame's composition closer), and the common ones."""

    NAME: ClassVar[str] = "openai-images"
    KEY_ENV: ClassVar[str] = "OPENAI_API_KEY"
    DEFAULT_BASE_URL: ClassVar[str] = "https://api.openai.com/v1"
    DEFAULT_MODEL: ClassVar[str] = "gpt-image-1"
    PRICE_PER_IMAGE: ClassVar[float] = PRICES["medium"]
    SETTINGS: ClassVar[frozenset[str] | None] = COMMON_SETTINGS | {"size", "quality", "input_fidelity"}

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        self.quality = str(settings.get("quality", "medium"))
        if self.quality not in PRICES:
            raise ConfigError(f"[backends.settings.{self.NAME}] quality must be one of {', '.join(PRICES)}")

    def refused(self, status: int, body: Any) -> str | None:
        error = body.get("error") if isinstance(body, dict) else None
        if status == 400 and isinstance(error, dict) and error.get("code") in REFUSAL_CODES:
            return str(error.get("message") or error["code"])
        return None

    def estimate_cost(self, request: PaintRequest) -> float:
        return round(float(self.settings.get("price_per_image", PRICES[self.quality])), 4)

    def size(self, request: PaintRequest) -> str:
        if "size" in self.settings:
            return str(self.settings["size"])
        ratio = request.width / request.height

        def aspect(size: str) -> float:
            w, h = size.split("x")
            return int(w) / int(h)

        return min(SIZES, key=lambda s: abs(aspect(s) - ratio))

    def paint(
        self, request: PaintRequest, init_image: Path | None, references: tuple[Path, ...], out_path: Path
    ) -> PaintResult:
        client = self.client()
        fields = {"model": self.model, "prompt": request.prompt, "size": self.size(request), "n": "1"}
        fields["quality"] = self.quality
        if init_image is None:
            generation: dict[str, Any] = {**fields, "n": 1}
            reply = client.json("POST", f"{self.base_url}/images/generations", generation)
        else:
            if "input_fidelity" in self.settings:
                fields["input_fidelity"] = str(self.settings["input_fidelity"])
            pictures = [init_image, *references]
            files = [("image[]", f"{i}.png", png_bytes(path)) for i, path in enumerate(pictures)]
            body, content_type = multipart(fields, files)
            reply = client.form(f"{self.base_url}/images/edits", body, content_type)
        data = reply.get("data") if isinstance(reply, dict) else None
        encoded = data[0].get("b64_json") if isinstance(data, list) and data and isinstance(data[0], dict) else None
        if not isinstance(encoded, str):
            raise GenerationError(f"{self.NAME}: no data[0].b64_json in the reply ({str(reply)[:100]})")
        try:
            picture = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise GenerationError(f"{self.NAME}: data[0].b64_json is not base64") from None
        write_picture(picture, out_path, self.NAME)
        return PaintResult(self.model, request.seed, request.prompt, self.estimate_cost(request))
