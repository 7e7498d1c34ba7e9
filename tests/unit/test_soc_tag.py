"""File tags of the per-report outputs (polycat.reports.soc_tag / tag_soc): a landed SOC
next to a report SOC keeps a file of its own, and both read back."""

from __future__ import annotations

from pathlib import Path

import pytest

from polycat.reports import soc_tag, tag_soc


@pytest.mark.parametrize(
    ("soc", "tag"),
    [(0.0, "000"), (0.1, "010"), (0.25, "025"), (1.0, "100"), (0.6995, "0700"),
     (0.699498, "0699"), (0.7841, "0784"), (0.3333333333, "0333")],
)  # fmt: skip
def test_tags_read_back(soc: float, tag: str) -> None:
    assert soc_tag(soc) == tag
    assert tag_soc(Path(f"profiles/soc_{tag}.csv")) == pytest.approx(soc, abs=5e-4)
    assert tag_soc(Path(f"facets/gb_soc_{tag}.csv")) == pytest.approx(soc, abs=5e-4)


def test_a_landing_next_to_a_report_soc_gets_its_own_tag() -> None:
    socs = [0.6, 0.699498, 0.7, 0.75, 0.7841]  # a cc end, the hold's reports and its end
    tags = [soc_tag(s) for s in socs]
    assert len(set(tags)) == len(tags)
    paths = [Path(f"soc_{t}.csv") for t in tags]
    assert [tag_soc(p) for p in sorted(paths, key=tag_soc)] == pytest.approx(socs, abs=5e-4)


def test_numbered_report_files() -> None:
    from polycat.soc_tags import report_number, report_order

    a, b = Path("profiles/soc_r0012_050.csv"), Path("profiles/soc_r0003_0723.csv")
    assert report_number(a) == 12 and tag_soc(a) == 0.5
    assert report_number(b) == 3 and tag_soc(b) == 0.723
    assert report_number(Path("profiles/soc_050.csv")) is None
    assert sorted([a, b], key=report_order) == [b, a]  # report order, not SOC order
