"""The submit journal resumes a paid job by where it sits (the request's content-keyed cache slot), not by the
shot id that ordered it: a shot renumbered by an inserted one is the same request, and is never bought twice."""

from __future__ import annotations

from pathlib import Path

from filmaster.backends.submit_journal import journalled


def test_a_renumbered_shot_resumes_the_job_its_old_number_ordered(tmp_path: Path) -> None:
    journal = tmp_path / "slot.job.json"
    orders: list[str] = []

    def submit(unit: str) -> dict[str, str]:
        orders.append(unit)
        return {"task": f"job-{len(orders)}"}

    first = journalled(journal, "kling", "kling-v2", "S02-01", lambda: submit("S02-01"))
    # The run stops while polling; the user inserts a shot before it, so the same request is now S02-02.
    again = journalled(journal, "kling", "kling-v2", "S02-02", lambda: submit("S02-02"))
    assert again == first == {"task": "job-1"} and orders == ["S02-01"]
    # Another vendor or model in the same slot is another purchase.
    other = journalled(journal, "kling", "kling-v2.1", "S02-02", lambda: submit("S02-02"))
    assert other == {"task": "job-2"} and orders == ["S02-01", "S02-02"]
