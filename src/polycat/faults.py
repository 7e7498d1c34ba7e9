"""Failure injection for the reliability tests (environment variable ``POLYCAT_FAULT``).

A comma-separated list of faults, each ``KIND:key=value:...``:

- ``solver:step=N[:count=K]`` — the first K attempts (default 1) of time step N (1-based)
  fail as a diverged solve would (:class:`SolverError`, raised on every rank), so the run's
  step-cut-and-retry path is exercised without a contrived physical setup.
- ``sleep:step=N:ms=T`` — pause T milliseconds before step N (on every rank): a window in
  which a test kills the run from outside at a known point (after the reports before it).
- ``exception:step=N[:rank=R]`` — an unexpected exception (RuntimeError) at step N on rank R
  only (default 0): the other ranks carry on into the next collective, which is the hang
  an MPI job must not suffer (the CLI aborts the job instead).
- ``nan:step=N[:rank=R]`` — at the report after step N (a report step), the stresses
  sampled on rank R (default 0) become NaN: a failure only that rank's own data shows.
  Every check of local data must be reduced over the ranks first, so the run stops on
  every rank with the same error instead of hanging in the next collective.

Unset (the normal case) it costs nothing. The hook exists for tests and for users who want
to check on their own cluster that a failure ends the job (docs/internals.md).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

from polycat.errors import ConfigError, SolverError

__all__ = ["ENV", "Fault", "FaultInjector", "parse_faults"]

ENV = "POLYCAT_FAULT"
_KINDS = ("solver", "exception", "sleep", "nan")


@dataclass
class Fault:
    """One injected fault: its kind, step (1-based), count, rank and pause."""

    kind: str
    step: int
    count: int = 1
    rank: int | None = None
    ms: int = 0
    used: int = 0


def parse_faults(text: str) -> list[Fault]:
    """Parse a ``POLYCAT_FAULT`` value; a malformed one is a ConfigError naming the variable."""
    faults = []
    for item in filter(None, (s.strip() for s in text.split(","))):
        kind, *pairs = item.split(":")
        if kind not in _KINDS:
            raise ConfigError(f"{ENV}: unknown fault kind {kind!r} in {item!r}; use {_KINDS}")
        fields: dict[str, int] = {}
        for pair in pairs:
            key, sep, value = pair.partition("=")
            if not sep or key not in ("step", "count", "rank", "ms") or not value.isdigit():
                raise ConfigError(
                    f"{ENV}: bad field {pair!r} in {item!r}; use step=N, count=K, rank=R, ms=T"
                )
            fields[key] = int(value)
        if "step" not in fields:
            raise ConfigError(f"{ENV}: {item!r} needs step=N (1-based time step)")
        rank = fields.get("rank", 0 if kind in ("exception", "nan") else None)
        faults.append(
            Fault(kind, fields["step"], fields.get("count", 1), rank, fields.get("ms", 0))
        )
    return faults


class FaultInjector:
    """Raises the configured faults at the start of a step attempt."""

    def __init__(self, rank: int, text: str | None = None) -> None:
        self.rank = rank
        self.faults = parse_faults(os.environ.get(ENV, "") if text is None else text)

    def before_attempt(self, step: int) -> None:
        """Raise or sleep as configured for the start of an attempt of ``step``."""
        for f in self.faults:
            if f.kind == "nan" or f.step != step or f.used >= f.count:
                continue
            if f.rank is not None and f.rank != self.rank:
                continue
            f.used += 1
            if f.kind == "sleep":
                time.sleep(f.ms / 1000.0)
                continue
            if f.kind == "solver":
                raise SolverError(f"injected solver failure at step {step} ({ENV})")
            raise RuntimeError(f"injected exception at step {step} on rank {self.rank} ({ENV})")

    def corrupt(self, step: int, local_values: Any) -> None:
        """Poison ``local_values`` (this rank's own samples) with NaN for a ``nan`` fault."""
        for f in self.faults:
            if f.kind != "nan" or f.step != step or f.used >= f.count or f.rank != self.rank:
                continue
            f.used += 1
            local_values[:] = float("nan")
