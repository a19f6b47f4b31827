"""One question to the language model for one artifact: cached, validated, repaired, logged and costed.

The answer must validate against a pydantic model (the JSON Schema sent with the question is derived from it) and
pass the caller's `check`; a reply that is not JSON, or does not validate, is sent back with the error for another
try (transient HTTP failures are already retried with back-off by the backend). Every try is appended to
`logs/llm.jsonl` — prompt, response, token use, estimated cost, the error — never a key (the backend keeps it).
A valid answer is stored under the content key of the prompt, the schema and the model, so asking again is free.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ..backends.llm.base import LLMBackend
from ..budget import CostBudget
from ..errors import FilmasterError, PlanError
from ..project import Cache, content_key
from ..prompts import Prompt

log = logging.getLogger(__name__)

Answer = TypeVar("Answer", bound=BaseModel)
NAMESPACE = "llm"
ESTIMATED_COMPLETION_TOKENS = 1000  # charged before a call when max_tokens is unset, replaced by the real count


class LLMSession:
    """Questions to one model within one develop run, sharing a cache, a log and a cost budget."""

    def __init__(
        self,
        llm: LLMBackend,
        folder: Path,
        budget: CostBudget | None = None,
        prices: dict[str, tuple[float, float]] | None = None,
        tries: int = 3,
    ) -> None:
        self.llm = llm
        self.cache = Cache(folder / "cache")
        self.log_path = folder / "logs" / "llm.jsonl"
        self.budget = budget or CostBudget(None)
        self.price = _price(llm.model_id, prices or {})  # USD per million (prompt, completion) tokens
        self.tries = tries
        self.requests = 0  # questions actually sent (not answered from the cache)

    def ask(
        self,
        prompt: Prompt,
        values: dict[str, Any],
        answer: type[Answer],
        check: Callable[[Answer], Answer] | None = None,
    ) -> Answer:
        """The model's valid answer to `prompt` filled with `values`; PlanError (one line) when it gives none."""
        system, user = prompt.render(**values)
        schema = strict_schema(answer)
        key = content_key(prompt.identity, system, user, schema, self.llm.cache_identity)
        found: list[Answer] = []

        def make(tmp: Path) -> None:
            valid = self._ask(prompt.identity, system, user, schema, answer, check)
            tmp.write_text(valid.model_dump_json(), encoding="utf-8")
            found.append(valid)

        path = self.cache.fetch_or_make(NAMESPACE, key, ".json", make, intact=lambda p: _readable(p, answer))
        return found[0] if found else answer.model_validate_json(path.read_text(encoding="utf-8"))

    def _ask(
        self,
        step: str,
        system: str,
        user: str,
        schema: dict[str, Any],
        answer: type[Answer],
        check: Callable[[Answer], Answer] | None,
    ) -> Answer:
        question, error = user, ""
        for attempt in range(1, self.tries + 1):
            estimate = self._cost(len(system + question) // 4, _max_tokens(self.llm))
            self.budget.reserve(estimate)
            raw: dict[str, Any] | None = None
            started = time.monotonic()
            self.requests += 1
            try:
                raw = self.llm.complete_json(system, question, schema)
            except PlanError as exc:  # not JSON, cut off at the token limit, refused
                error = str(exc)
            except FilmasterError as exc:  # unreachable, out of retries, key refused: logged, then reported
                self._log(step, attempt, system, question, None, {}, 0.0, time.monotonic() - started, None, str(exc))
                raise
            usage = dict(getattr(self.llm, "last_usage", {}) or {})
            cost = self._cost(usage.get("prompt_tokens", 0), usage.get("completion_tokens", 0))
            self.budget.charge(cost - estimate)
            valid: Answer | None = None
            if raw is not None:
                try:
                    valid = answer.model_validate(raw)
                    valid = check(valid) if check else valid
                except ValidationError as exc:
                    error = _validation_summary(exc)
                except ValueError as exc:
                    error = " ".join(str(exc).split())
            self._log(step, attempt, system, question, raw, usage, cost, time.monotonic() - started, valid, error)
            if valid is not None:
                return valid
            log.info("%s: invalid answer from %s (try %d): %s", step, self.llm.model_id, attempt, error)
            question = _repair(user, raw, error)
        raise PlanError(
            f"the model {self.llm.model_id} gave no valid answer for {step} in {self.tries} tries ({error[:200]}); "
            "try again, or configure a larger model in [backends.settings.llm]"
        )

    def _cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        return (prompt_tokens * self.price[0] + completion_tokens * self.price[1]) / 1e6

    def _log(
        self,
        step: str,
        attempt: int,
        system: str,
        user: str,
        raw: dict[str, Any] | None,
        usage: dict[str, int],
        cost: float,
        seconds: float,
        valid: BaseModel | None,
        error: str,
    ) -> None:
        record = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "step": step,
            "try": attempt,
            "model": self.llm.model_id,
            "system": system,
            "prompt": user,
            "response": raw,
            "valid": valid is not None,
            "error": "" if valid is not None else error,
            "usage": usage,
            "cost_usd": round(cost, 6),
            "seconds": round(seconds, 2),
        }
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("a", encoding="utf-8") as handle:  # one write per record: whole lines only
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


# Schema keywords not sent: annotations, and string bounds over 200 characters, which llama.cpp's server turns into
# grammar rules nested once per character until its parser refuses them (and the server dies). Shorter bounds are
# sent: they are what keeps a small model from rambling until its token limit.
_UNSENT = frozenset({"title", "default", "description"})
LONGEST_SENT_BOUND = 200


def strict_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON Schema in the form strict structured output accepts: references inlined, every property
    required, no others allowed, no annotations (a grammar-constrained local server follows it too)."""
    full = model.model_json_schema()
    definitions = full.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            return walk(definitions[node["$ref"].rsplit("/", 1)[-1]])
        out = {k: walk(v) for k, v in node.items() if k not in _UNSENT and k != "properties"}
        if out.get("maxLength", 0) > LONGEST_SENT_BOUND:
            del out["maxLength"]
        if "properties" in node:  # property names are data, not keywords: keep every one
            out["properties"] = {name: walk(sub) for name, sub in node["properties"].items()}
            out["required"] = list(node["properties"])
            out["additionalProperties"] = False
        return out

    return walk(full)


def _price(model_id: str, prices: dict[str, tuple[float, float]]) -> tuple[float, float]:
    """The price of `model_id` ("openai-chat:gpt-4o-mini"), listed by full id or by model name; 0 when unlisted."""
    name = model_id.split(":", 1)[-1]
    found = prices.get(model_id) or prices.get(name) or (0.0, 0.0)
    return float(found[0]), float(found[1])


def _max_tokens(llm: LLMBackend) -> int:
    return int(getattr(llm, "max_tokens", None) or ESTIMATED_COMPLETION_TOKENS)


def _readable(path: Path, answer: type[BaseModel]) -> bool:
    try:
        answer.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return True


def _validation_summary(exc: ValidationError) -> str:
    problems = [f"{'.'.join(str(p) for p in e['loc']) or 'answer'}: {e['msg']}" for e in exc.errors()]
    more = f"; and {len(problems) - 5} more" if len(problems) > 5 else ""
    return "; ".join(problems[:5]) + more


def _repair(user: str, raw: dict[str, Any] | None, error: str) -> str:
    previous = json.dumps(raw, ensure_ascii=False)[:3000] if raw is not None else "(not a JSON object)"
    return (
        f"{user}\n\nYour previous answer was invalid.\nPrevious answer: {previous}\nProblem: {error}\n"
        "Answer again with a corrected JSON object."
    )
