"""A run stopped by SIGINT (Ctrl-C), SIGTERM (kill, scancel, a time limit) or SIGHUP (a
closed terminal) stops at the end of the current step, on 1 and on 2 ranks: run.json says
``interrupted`` with the last completed SOC, the run prints the ``--resume`` command, it
exits with 128 + signal, and the resumed run ends with the uninterrupted answer and one
ParaView series holding every SOC. A failed run's folder does not block a plain rerun;
an interrupted one's says how to go on."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import h5py
import numpy as np
import pytest
from rel_helpers import BIN, ROOT, polycat, small_config, write_yaml
from test_restart_and_faults import assert_same_summary, read_rows

SLEEP_BEFORE_STEP_5 = {"POLYCAT_FAULT": "sleep:step=5:ms=4000"}


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The uninterrupted run (with fields)."""
    tmp = tmp_path_factory.mktemp("ref")
    result = polycat(["run", str(write_yaml(tmp / "c.yaml", small_config(tmp)))])
    assert result.returncode == 0, result.stderr
    return tmp / "out"


def _command(path: Path, ranks: int) -> list[str]:
    if ranks == 1:
        return [str(BIN / "python"), "-m", "polycat", "run", str(path)]
    return [str(BIN / "mpiexec"), "-n", str(ranks), str(BIN / "python"), "-m", "mpi4py",
            "-m", "polycat", "run", str(path)]  # fmt: skip


def _state_soc(out: Path) -> float | None:
    try:
        return float(json.loads((out / "checkpoint" / "state.json").read_text())["soc"])
    except (OSError, ValueError, KeyError):
        return None


def interrupt_after_second_report(
    tmp: Path, sig: signal.Signals, ranks: int = 1, times: int = 1
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """Start the run, wait until SOC 0.5 is checkpointed (a sleep fault holds the run
    before step 5), send ``sig`` (``times`` times) to the process a terminal or a batch
    system signals (polycat itself, or mpiexec, which forwards it to every rank)."""
    path = write_yaml(tmp / "c.yaml", small_config(tmp))
    out = tmp / "out"
    proc = subprocess.Popen(
        _command(path, ranks),
        cwd=ROOT,
        env={**os.environ, **SLEEP_BEFORE_STEP_5},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 150
        while _state_soc(out) != 0.5:
            assert proc.poll() is None, "the run ended before it could be interrupted"
            assert time.monotonic() < deadline, "the run did not reach SOC 0.5 in time"
            time.sleep(0.05)
        time.sleep(0.3)  # into the sleep before step 5
        for _ in range(times):
            proc.send_signal(sig)
            time.sleep(0.3)
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr), out


def _assert_interrupted(
    result: subprocess.CompletedProcess[str], out: Path, sig: signal.Signals
) -> dict[str, object]:
    err = result.stderr
    assert result.returncode == 128 + sig, f"exit {result.returncode}\n{err}"
    assert "Traceback" not in err, err
    assert err.count(f"interrupted by {sig.name}") == 1, err
    assert "continue it with: " in err and f"polycat run --resume {out}" in err, err
    info = json.loads((out / "run.json").read_text())
    assert info["status"] == "interrupted"
    assert info["last_completed_soc"] == 0.5
    assert sig.name in str(info["error"]) and "after SOC 0.5" in str(info["error"])
    assert [r["soc"] for r in read_rows(out / "summary.csv")] == ["0.25", "0.5"]
    assert not list(out.rglob("*.tmp")), "a half-written file was left behind"
    return info


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=str)
def test_signal_stops_the_run_cleanly_and_resume_finishes_it(
    sig: signal.Signals, reference: Path, tmp_path: Path
) -> None:
    result, out = interrupt_after_second_report(tmp_path, sig)
    _assert_interrupted(result, out, sig)
    # the interrupted step was finished, not reported: the checkpoint is the last report
    assert _state_soc(out) == 0.5
    resumed = polycat(["run", "--resume", str(out)])
    assert resumed.returncode == 0, resumed.stderr
    info = json.loads((out / "run.json").read_text())
    assert info["status"] == "completed" and info["resumed_from"]["soc"] == 0.5
    assert_same_summary(out, reference, rtol=1e-7)


def _series(xdmf: Path) -> dict[str, list[tuple[float, str, str]]]:
    """field → [(time, h5 dataset, mesh grid name)] of a DOLFINx XDMF file."""
    root = ET.parse(xdmf).getroot()
    out: dict[str, list[tuple[float, str, str]]] = {}
    for coll in root.iter("Grid"):
        if coll.get("CollectionType") != "Temporal":
            continue
        for grid in coll.findall("Grid"):
            t = float(grid.find("Time").get("Value"))  # type: ignore[union-attr]
            item = grid.find("Attribute/DataItem")
            assert item is not None and item.text is not None
            include = next(el for el in grid if el.tag.endswith("include"))
            xpointer = include.get("xpointer", "")
            mesh = xpointer.split("@Name='")[1].split("'")[0] if "@Name='" in xpointer else "mesh"
            out.setdefault(coll.get("Name", ""), []).append(
                (t, item.text.strip().split(":", 1)[1], mesh)
            )
    return out


def test_two_ranks_interrupt_and_resume_continue_one_paraview_series(
    reference: Path, tmp_path: Path
) -> None:
    """SIGTERM to mpiexec (what scancel sends), resume on 2 ranks: both ranks stop at the
    same step, the message is printed once, and the resumed SOCs are appended to the same
    fields.xdmf (one file set, every SOC) with the uninterrupted run's values."""
    result, out = interrupt_after_second_report(tmp_path, signal.SIGTERM, ranks=2)
    _assert_interrupted(result, out, signal.SIGTERM)
    assert json.loads((out / "run.json").read_text())["ranks"] == 2
    resumed = polycat(["run", "--resume", str(out)], ranks=2)
    assert resumed.returncode == 0, resumed.stderr
    assert_same_summary(out, reference, rtol=1e-7)
    assert sorted(p.name for p in (out / "fields").iterdir()) == ["fields.h5", "fields.xdmf"]
    series, ref = (
        _series(out / "fields" / "fields.xdmf"),
        _series(reference / "fields" / "fields.xdmf"),
    )
    assert set(series) == set(ref)
    with (
        h5py.File(out / "fields" / "fields.h5") as h5,
        h5py.File(reference / "fields" / "fields.h5") as h5_ref,
    ):
        for name, steps in series.items():
            assert [t for t, _, _ in steps] == pytest.approx([0.25, 0.5, 0.75, 1.0]), name
            assert steps[0][2] == "mesh" and steps[-1][2].startswith("mesh_resumed_"), name
            for (_, dset, mesh), (_, dset_ref, _) in zip(steps, ref[name], strict=True):
                arr, arr_ref = np.asarray(h5[dset]), np.asarray(h5_ref[dset_ref])
                rows = h5[f"Mesh/{mesh}/geometry"].shape[0]
                cells = h5[f"Mesh/{mesh}/topology"].shape[0]
                assert arr.shape[0] in (rows, cells) and arr.shape == arr_ref.shape, name
                if name in ("x", "c_mol_m3"):  # vertex values: the same multiset on any ranks
                    np.testing.assert_allclose(
                        np.sort(arr.ravel()), np.sort(arr_ref.ravel()), rtol=1e-7, atol=1e-9
                    )


def test_two_ranks_sigint_to_mpiexec(tmp_path: Path) -> None:
    """Ctrl-C in the terminal reaches mpiexec, which forwards SIGINT to every rank."""
    result, out = interrupt_after_second_report(tmp_path, signal.SIGINT, ranks=2)
    _assert_interrupted(result, out, signal.SIGINT)
    assert "mpiexec -n 2 polycat run --resume" in result.stderr


def test_a_second_signal_abandons_the_step(tmp_path: Path) -> None:
    result, out = interrupt_after_second_report(tmp_path, signal.SIGINT, times=2)
    info = _assert_interrupted(result, out, signal.SIGINT)
    assert "abandoned" in str(info["error"])
    assert "send it again to stop at once" in result.stderr


def test_interrupted_folder_says_how_to_go_on_and_a_failed_one_is_replaced(
    tmp_path: Path,
) -> None:
    result, out = interrupt_after_second_report(tmp_path, signal.SIGINT)
    assert result.returncode == 130
    again = polycat(["run", str(tmp_path / "c.yaml")])
    assert again.returncode == 2 and "Traceback" not in again.stderr
    assert f"polycat run --resume {out}" in again.stderr and "--overwrite" in again.stderr
    assert "after SOC 0.5" in again.stderr

    failed = tmp_path / "failed"
    failed.mkdir()
    cfg = write_yaml(failed / "c.yaml", small_config(failed))
    first = polycat(["run", str(cfg)], env={"POLYCAT_FAULT": "solver:step=3:count=99"})
    assert first.returncode == 1
    assert json.loads((failed / "out" / "run.json").read_text())["status"] == "failed"
    rerun = polycat(["run", str(cfg)])
    assert rerun.returncode == 0, rerun.stderr
    assert "holds a failed run: replacing it" in rerun.stderr
    assert json.loads((failed / "out" / "run.json").read_text())["status"] == "completed"
    assert len(read_rows(failed / "out" / "summary.csv")) == 4
