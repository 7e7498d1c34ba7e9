"""The image itself, built and run: docker/ci_image.sh builds a local bookworm + Python 3.12
base (docker/build_base.sh), builds docker/Dockerfile on it with buildah, and runs the
small default case inside the image as its unprivileged user on a mounted folder. These
tests check what it left.

``.ci/run`` runs the script before ``make test`` (its output in the CI log) and points
``POLYCAT_IMAGE_OUT`` at its folder. Without that, the tests run the script themselves
(~3 min, as root with buildah and debootstrap) under CI or with ``POLYCAT_TEST_IMAGE=1``,
and are skipped otherwise. Where buildah or root is missing: a skip on a developer's
machine, a failure under CI (tool_helpers).
"""

from __future__ import annotations

import csv
import json
import math
import os
import re
import subprocess
from pathlib import Path

import pytest

from tool_helpers import missing, tools_required

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "docker" / "ci_image.sh"
INSTALL = "run as root with the Debian packages buildah and debootstrap (apt-get install)"
# Columns every summary.csv has (as tests/fem/test_run_outputs.py checks on the host).
SUMMARY_REQUIRED = (
    "soc", "time_s", "x_mean", "sigma_r_max_MPa", "sigma_r_min_MPa", "sigma_hoop_max_MPa",
    "sigma_hoop_min_MPa", "vm_max_MPa", "gb_tn_max_MPa", "gb_risk_max",
    "gb_area_fraction_at_risk", "interface_tn_max_MPa", "delam_risk_max",
    "interface_area_fraction_at_risk",
)  # fmt: skip


def _log_tail(out: Path) -> str:
    logs = sorted((out / "logs").glob("*.log"), key=lambda p: p.stat().st_mtime)
    return "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in logs[-1:])


@pytest.fixture(scope="module")
def image_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of a docker/ci_image.sh run (.ci/run's, or one made here)."""
    given = os.environ.get("POLYCAT_IMAGE_OUT")
    if given and (Path(given) / "status").is_file():
        out = Path(given)
    else:
        if not (tools_required() or os.environ.get("POLYCAT_TEST_IMAGE") == "1"):
            pytest.skip(
                "builds and runs the image (~3 min, root + buildah): runs in CI or with "
                "POLYCAT_TEST_IMAGE=1"
            )
        out = tmp_path_factory.mktemp("image")
        proc = subprocess.run(
            ["bash", str(SCRIPT), str(out)], capture_output=True, text=True, timeout=1800
        )
        print(proc.stderr[-4000:])
    status = (out / "status").read_text().strip() if (out / "status").is_file() else "no status"
    if status.startswith("unavailable"):
        missing(f"the image cannot be built here ({status})", INSTALL)
    if status != "ok":
        pytest.fail(f"docker/ci_image.sh: {status}\n{_log_tail(out)}", pytrace=False)
    return out


def test_image_step_times(image_out: Path) -> None:
    times = dict(line.split("\t") for line in (image_out / "timings.tsv").read_text().splitlines())
    assert {"base", "image", "probe", "run", "total"} <= set(times), times
    print("container step, seconds: " + ", ".join(f"{k} {v}" for k, v in times.items()))


def test_image_runs_python312_as_its_user(image_out: Path) -> None:
    probe = (image_out / "probe.txt").read_text()
    assert "uid=1000 home=/home/polycat" in probe, probe
    # The venv's interpreter is the base's /usr/local one, run by uid 1000.
    assert re.search(r"^python 3\.12\.\d+ /opt/polycat/\.venv /usr/local$", probe, re.M), probe
    assert "cache-writable" in probe, probe  # ~/.cache is the user's: FFCx can cache there
    # pip in the image trusts this machine's bundle (the download proxy's CA is in it).
    assert "cert='/etc/ssl/certs/ca-certificates.crt'" in probe, probe
    assert "/opt/polycat/.venv/bin/polycat" in probe and "/opt/polycat/.venv/bin/mpiexec" in probe


def test_small_default_case_in_image(image_out: Path) -> None:
    res = image_out / "work" / "results" / "ci-small"
    run = json.loads((res / "run.json").read_text())
    assert run["status"] == "completed", run["status"]
    assert run["ranks"] == 1
    with (res / "summary.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert [float(r["soc"]) for r in rows] == run["config"]["loading"]["report_soc"]
    assert len(rows) == 2
    for key in SUMMARY_REQUIRED:
        assert key in rows[0], key
        assert all(math.isfinite(float(r[key])) for r in rows), key
    assert run["config"]["geometry"]["n_grains"] == 5
    # Written by the image's user (uid 1000) into the mounted folder.
    assert (res / "summary.csv").stat().st_uid == 1000
    assert (res / "fields").is_dir() and any((res / "plots").iterdir())
