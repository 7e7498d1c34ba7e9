"""A single-node SLURM cluster for the tests in this folder.

The ``slurm`` session fixture reuses the private cluster of ``$POLYCAT_SLURM_DIR`` when
it is already up (``.ci/run`` starts one with ``tests/slurm/start_slurm.sh`` before
``make test``) or starts one itself and stops it at the end of the session. Where SLURM
cannot start (not root, packages missing) the tests are skipped with the reason; under CI
(``CI`` set) or with ``POLYCAT_REQUIRE_SLURM=1`` they fail instead, so a broken cluster
cannot pass as a skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from slurm_helpers import HERE, Slurm, unavailable


def _ping(env: dict[str, str]) -> bool:
    if not Path(env.get("SLURM_CONF", "")).is_file() or shutil.which("scontrol") is None:
        return False
    proc = subprocess.run(["scontrol", "ping"], env=env, capture_output=True, text=True, timeout=20)
    return proc.returncode == 0 and "UP" in proc.stdout


@pytest.fixture(scope="session")
def slurm() -> Iterator[Slurm]:
    # Always the private cluster of $POLYCAT_SLURM_DIR, never a site's own SLURM_CONF.
    slurm_dir = Path(os.environ.get("POLYCAT_SLURM_DIR", "/tmp/polycat-slurm"))
    env = dict(os.environ, SLURM_CONF=str(slurm_dir / "slurm.conf"))
    started = False
    if not _ping(env):
        t0 = time.perf_counter()
        proc = subprocess.run(
            ["bash", str(HERE / "start_slurm.sh")],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if proc.returncode != 0:
            lines = proc.stderr.strip().splitlines() or ["start_slurm.sh failed, no message"]
            unavailable(lines[-1], details="\n".join(lines[-30:]))
        print(f"\nSLURM started in {time.perf_counter() - t0:.1f} s ({env['SLURM_CONF']})")
        started = True
    try:
        yield Slurm(conf=Path(env["SLURM_CONF"]), env=env)
    finally:
        if started:
            subprocess.run(["bash", str(HERE / "stop_slurm.sh")], env=env, timeout=120)


@pytest.fixture(scope="session")
def jit_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One FFCx cache root for the studies of this session (forms compile once, not per test)."""
    return tmp_path_factory.mktemp("jit")
