"""The shared rule of tests/tool_helpers.py: a missing tool skips the test on a developer's
machine and fails it under CI (or with POLYCAT_REQUIRE_TOOLS=1), saying what to install."""

from __future__ import annotations

import pytest

from tool_helpers import missing, require_module, require_tool, tools_required

NO_TOOL = "polycat-no-such-tool-xyz"


@pytest.fixture
def developer(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("CI", "POLYCAT_REQUIRE_TOOLS", "POLYCAT_REQUIRE_SLURM"):
        monkeypatch.delenv(var, raising=False)


def test_missing_tool_skips_on_a_developer_machine(developer: None) -> None:
    assert not tools_required()
    with pytest.raises(pytest.skip.Exception, match="apt-get install nothing"):
        require_tool(NO_TOOL, "apt-get install nothing")
    with pytest.raises(pytest.skip.Exception, match="pip install nothing"):
        require_module("polycat_no_such_module", "pip install nothing")


@pytest.mark.parametrize(
    ("var", "value"), [("CI", "true"), ("CI", "1"), ("POLYCAT_REQUIRE_TOOLS", "1")]
)
def test_missing_tool_fails_under_ci(
    developer: None, monkeypatch: pytest.MonkeyPatch, var: str, value: str
) -> None:
    monkeypatch.setenv(var, value)
    assert tools_required()
    with pytest.raises(pytest.fail.Exception, match=f"{NO_TOOL} not found.*apt-get install x"):
        require_tool(NO_TOOL, "apt-get install x")


def test_ci_false_and_own_flag(developer: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "false")
    assert not tools_required()
    monkeypatch.setenv("POLYCAT_REQUIRE_SLURM", "1")
    assert tools_required("POLYCAT_REQUIRE_SLURM")
    with pytest.raises(
        pytest.fail.Exception, match=r"SLURM is required here \(POLYCAT_REQUIRE_SLURM=1\)"
    ):
        missing("SLURM", "install it", flag="POLYCAT_REQUIRE_SLURM")


def test_present_tool_is_found(developer: None) -> None:
    assert require_tool("sh", "coreutils").endswith("/sh")
