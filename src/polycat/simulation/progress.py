"""The progress bar of the SOC loop, with an estimate that knows report steps cost more.

A report step solves mechanics and runs the readers, the exporters and the checkpoint,
often ten times a diffusion-only step (one-way coupling). The bar counts work, not steps:
a plain step weighs 1 and a report step the measured ratio of their durations (8 until
both have been measured), so the remaining-time estimate is right from the first report.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["StepProgress"]

INITIAL_REPORT_WEIGHT = 8.0


class StepProgress:
    """A tqdm bar over the steps ``start …`` of a schedule (rank 0; disabled elsewhere).

    Args:
        n_steps: steps of the whole schedule; report_index: the report steps.
        start: the first step of this run (a resumed run starts later).
        enabled: draw the bar.
    """

    def __init__(
        self, n_steps: int, report_index: Sequence[int], start: int, enabled: bool
    ) -> None:
        from tqdm import tqdm

        self.n_steps = n_steps
        self.reports = set(report_index)
        self.weight = INITIAL_REPORT_WEIGHT
        self.plain_s: list[float] = []
        self.report_s: list[float] = []
        self.done_plain = sum(1 for i in range(start) if i not in self.reports)
        self.done_report = start - self.done_plain
        self.bar: Any = tqdm(
            total=self._total(), initial=self._done(), disable=not enabled, desc="polycat",
            bar_format="{desc}: {percentage:3.0f}%|{bar}| [{elapsed}<{remaining}]",
        )  # fmt: skip
        self.bar.set_description_str(f"polycat step {start}/{n_steps}")

    def _total(self) -> float:
        n_report = len(self.reports)
        return (self.n_steps - n_report) + self.weight * n_report

    def _done(self) -> float:
        return self.done_plain + self.weight * self.done_report

    def step_done(self, i: int, seconds: float, soc: float | None) -> None:
        """Step ``i`` (0-based) took ``seconds`` (with its report, if ``soc`` is set)."""
        if i in self.reports:
            self.done_report += 1
            self.report_s.append(seconds)
        else:
            self.done_plain += 1
            self.plain_s.append(seconds)
        if self.plain_s and self.report_s:
            plain = sum(self.plain_s) / len(self.plain_s)
            report = sum(self.report_s) / len(self.report_s)
            if plain > 0.0:
                self.weight = max(1.0, report / plain)
        self.bar.total = self._total()
        self.bar.n = self._done()
        where = f"polycat step {i + 1}/{self.n_steps}"
        self.bar.set_description_str(where if soc is None else f"{where}, SOC {soc:.3g}")

    def close(self) -> None:
        """Close the bar."""
        self.bar.close()
