"""The suite's own assertions can fail: no test asserts a constant or an enum member (always truthy), compares a
value with itself, or asserts nothing at all. Read from the tests' syntax trees, so a new test is held to it too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).parent


def _constant(node: ast.expr) -> bool:
    """A literal, an f-string, or NAME.MEMBER (an enum member or class constant): its truth never changes."""
    if isinstance(node, ast.Constant | ast.JoinedStr):
        return True
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return node.value.id[:1].isupper() and node.attr.isupper()
    return isinstance(node, ast.Tuple | ast.List) and bool(node.elts) and all(_constant(e) for e in node.elts)


def _without_calls(node: ast.expr) -> bool:
    return not any(isinstance(n, ast.Call) for n in ast.walk(node))


def always_true(test: ast.expr) -> str | None:
    """Why `assert test` cannot fail, or None. (Two calls compared may differ: a determinism check is fine.)"""
    parts = test.values if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And) else [test]
    for part in parts:
        if _constant(part):
            return f"asserts the constant {ast.unparse(part)}"
        if isinstance(part, ast.Compare) and _constant(part.left) and all(_constant(c) for c in part.comparators):
            return f"compares constants: {ast.unparse(part)}"
        if (
            isinstance(part, ast.Compare)
            and len(part.comparators) == 1
            and isinstance(part.ops[0], ast.Eq | ast.Is | ast.GtE | ast.LtE)
            and _without_calls(part.left)
            and ast.dump(part.left) == ast.dump(part.comparators[0])
        ):
            return f"compares a value with itself: {ast.unparse(part)}"
    return None


def _checks_something(fn: ast.FunctionDef) -> bool:
    """An assert, pytest.raises/warns/fail, or a call to a helper that asserts (named assert_*, check*, expect*)."""
    for node in ast.walk(fn):
        if isinstance(node, ast.Assert):
            return True
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in ("raises", "warns", "fail", "skip", "xfail") or name.startswith(("assert", "check", "expect")):
                return True
    return False


def findings(source: str, where: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assert) and (why := always_true(node.test)):
            found.append(f"{where}:{node.lineno}: {why}")
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_") and not _checks_something(node):
            found.append(f"{where}:{node.lineno}: {node.name} asserts nothing")
    return sorted(found, key=lambda f: int(f.split(":")[1]))


def test_the_checker_catches_each_kind_of_assertion_that_cannot_fail() -> None:
    source = """
def test_enum():
    assert Movement.DOLLY_IN
def test_strings():
    assert "ok" == "ok"
def test_self():
    x = 3
    assert x == x
def test_nothing():
    print("ran")
def test_fine():
    assert measure() == measure() and level < -15.5
"""
    found = findings(source, "t.py")
    assert [f.split(": ", 1)[0] for f in found] == ["t.py:3", "t.py:5", "t.py:8", "t.py:9"]


@pytest.mark.parametrize("path", sorted(TESTS.rglob("test_*.py")), ids=lambda p: str(p.relative_to(TESTS)))
def test_no_assertion_in_the_suite_is_always_true(path: Path) -> None:
    if path == Path(__file__):
        return  # this file's sample of bad tests is a string
    assert findings(path.read_text(encoding="utf-8"), str(path.relative_to(TESTS))) == []
