"""Test-suite wide hooks: every test is marked by its folder, so ``pytest -m unit`` runs
the FEniCSx-free unit tests alone (seconds) and ``-m "not slurm and not docker"`` leaves
out the service tests."""

from __future__ import annotations

from pathlib import Path

import pytest

FOLDERS = ("unit", "fem", "verification", "mpi", "reliability", "study", "slurm", "docker")
_ROOT = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Add the marker named after the test's folder under tests/."""
    for item in items:
        try:
            folder = Path(str(item.fspath)).resolve().relative_to(_ROOT).parts[0]
        except ValueError:
            continue
        if folder in FOLDERS:
            item.add_marker(getattr(pytest.mark, folder))
