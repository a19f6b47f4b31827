"""`edit.json`: the fine cut's decisions as written, or as the user edited them (then they are the edit).

Like `plan.json`, a file that differs from what the last run wrote is a hand edit: it is read before any work
(a broken one is a one-line error, nothing made), vetted against the film (actions that no longer fit are
skipped with a warning) and applied instead of the editor's own decisions.
"""

from __future__ import annotations

from pathlib import Path

from ..atomic import write_text_atomic
from ..model import EditDecisions
from ..project import Project, file_digest

EDIT_FILE = "edit.json"


def edited_decisions(project: Project) -> EditDecisions | None:
    """The user's hand-edited edit.json (edited since the last run wrote it, or used as an edit before), or None."""
    path = project.out / EDIT_FILE
    if not path.is_file():
        return None
    manifest = project.manifest()
    if file_digest(path) == manifest.get("edit_digest") and not manifest.get("edit_edited"):
        return None
    return EditDecisions.load(path)


def write_decisions(project: Project, decisions: EditDecisions | None, *, hand_edited: bool) -> Path | None:
    """Write edit.json and remember what was written; a hand edit stays the edit on later runs (delete the file
    to let the editor decide again). With the fine cut off, the editor's own old decisions are removed."""
    path = project.out / EDIT_FILE
    if decisions is None:
        if not project.manifest().get("edit_edited"):
            path.unlink(missing_ok=True)  # an old fine cut's decisions would describe a cut not delivered
        return None
    write_text_atomic(path, decisions.to_json())
    project.update_manifest(edit_digest=file_digest(path), edit_edited=hand_edited)
    return path
