"""Provenance of a run: ``run.json`` (version, git hash, ranks, DOFs, wall time per phase,
iterations, peak memory per rank, status) and the record it is written from."""

from __future__ import annotations

import functools
import resource
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from polycat import __version__
from polycat.fileio import write_json_atomic

if TYPE_CHECKING:  # pragma: no cover
    from polycat.config.plan import RunPlan
    from polycat.post.soc import SocReport

__all__ = ["ProvenanceExporter", "RunRecord", "Timers", "git_hash", "materials_meta", "peak_rss_mb"]


@dataclass
class Timers:
    """Wall time per phase, s (summed over the run)."""

    wall: dict[str, float] = field(default_factory=dict)

    def add(self, name: str, seconds: float) -> None:
        """Add ``seconds`` to phase ``name``."""
        self.wall[name] = self.wall.get(name, 0.0) + seconds


@dataclass
class RunRecord:
    """What run.json reports, kept up to date by the run (the checkpointed counters too).

    Attributes:
        status: ``running``, ``completed``, ``failed``, ``contact_lost`` (the particle lost
            the CAM–SE contact the current needs: a physical end), ``surface_limit`` (its
            x reached the lattice table's end or the cut-off potential) or
            ``interrupted``;
            error: the failure or interruption, if any.
        timers: wall time per phase; t_start: perf_counter at the start of the run.
        mesh_folder: the mesh used; dofs: global DOF and cell counts.
        diff_newton: Newton iterations per time step; mech_iterations: CG iterations per
            mechanics solve; step_cuts: the failed steps and their retries;
            max_mass_error: the largest relative mass-balance error of any step;
            coupling_iterations: two-way coupling iterations per time step (summed over
            its substeps; 1 per substep for one-way coupling).
        peak_rss_mb: peak resident memory per rank (MB) at the last report.
        resumed_from: where a resumed run continued (None: started fresh).
        reported_soc: the SOCs reported so far.
        segments: the protocol steps run so far (a protocol of several steps or cycles):
            cycle, step, step_type, first_step (1-based step number), steps, t_start_s,
            t_end_s.
    """

    status: str = "running"
    error: str | None = None
    timers: Timers = field(default_factory=Timers)
    t_start: float = field(default_factory=time.perf_counter)
    mesh_folder: Path | None = None
    dofs: dict[str, int] | None = None
    diff_newton: list[int] = field(default_factory=list)
    mech_iterations: list[int] = field(default_factory=list)
    mech_newton: list[int] = field(default_factory=list)
    coupling_iterations: list[int] = field(default_factory=list)
    step_cuts: list[dict[str, Any]] = field(default_factory=list)
    max_mass_error: float = 0.0
    peak_rss_mb: list[float] | None = None
    resumed_from: dict[str, Any] | None = None
    reported_soc: list[float] = field(default_factory=list)
    segments: list[dict[str, Any]] = field(default_factory=list)

    def counters(self) -> dict[str, Any]:
        """The counters a checkpoint keeps."""
        return {
            "diff_newton": self.diff_newton,
            "mech_iterations": self.mech_iterations,
            "mech_newton": self.mech_newton,
            "coupling_iterations": self.coupling_iterations,
            "max_mass_error": self.max_mass_error,
            "step_cuts": self.step_cuts,
            "peak_rss_mb_per_rank": self.peak_rss_mb,
            "reported_soc": self.reported_soc,
            "segments": self.segments,
        }

    def restore(self, state: Mapping[str, Any]) -> None:
        """Continue the counters of a checkpoint (see :meth:`counters`)."""
        self.diff_newton = list(state["diff_newton"])
        self.mech_iterations = list(state["mech_iterations"])
        self.mech_newton = list(state.get("mech_newton", []))
        self.coupling_iterations = list(state.get("coupling_iterations", []))
        self.max_mass_error = float(state["max_mass_error"])
        self.step_cuts = list(state["step_cuts"])
        self.peak_rss_mb = state.get("peak_rss_mb_per_rank")
        self.reported_soc = list(state.get("reported_soc", []))
        self.segments = list(state.get("segments", []))


@functools.cache
def git_hash() -> str | None:
    """The git commit of the installed package's checkout, or None (looked up once)."""
    try:
        here = Path(__file__).resolve().parent
        out = subprocess.run(
            ["git", "-C", str(here), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def peak_rss_mb(comm: Any) -> list[float] | None:
    """Peak resident memory of every rank (MB), gathered on rank 0 (None elsewhere)."""
    rss = comm.gather(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, root=0)
    return None if rss is None else [round(v, 1) for v in rss]


class ProvenanceExporter:
    """Rewrites ``run.json`` after every report and at the end (rank 0).

    Args:
        out: the results directory; rank: this rank; ranks: the number of ranks.
        record: the run's record (shared with the run loop).
        materials: names and strengths used (shown in plots and tables).
        config: the resolved config.
        interfaces: the cohesive interfaces as run (laws, cohesive-zone resolution), or
            None when every interface is bonded.
    """

    def __init__(
        self,
        out: Path,
        rank: int,
        ranks: int,
        record: RunRecord,
        materials: Mapping[str, Any],
        config: Mapping[str, Any],
        interfaces: Mapping[str, Any] | None = None,
    ) -> None:
        self.out = Path(out)
        self.rank, self.ranks = rank, ranks
        self.record = record
        self.materials = dict(materials)
        self.config = dict(config)
        self.interfaces = None if interfaces is None else dict(interfaces)

    def setup(self) -> None:
        """Nothing to create before the first report."""

    def write(self, report: SocReport | None = None) -> None:
        """Rewrite run.json from the record (rank 0); ``report`` is not needed."""
        if self.rank != 0:
            return
        r = self.record
        data = {
            "polycat_version": __version__,
            "git_hash": git_hash(),
            "status": r.status,
            "error": r.error,
            "ranks": self.ranks,
            "peak_rss_mb_per_rank": r.peak_rss_mb,
            "mesh_folder": str(r.mesh_folder) if r.mesh_folder is not None else None,
            "dofs": r.dofs,
            "wall_s": {
                **{k: round(v, 4) for k, v in r.timers.wall.items()},
                "total": round(time.perf_counter() - r.t_start, 4),
            },
            "resumed_from": r.resumed_from,
            "solver": {
                "step_cuts": r.step_cuts,
                "time_steps": len(r.diff_newton),
                "diffusion_newton_iterations": r.diff_newton,
                "mechanics_ksp_iterations": r.mech_iterations,
                "mechanics_newton_iterations": r.mech_newton,
                "coupling_iterations": r.coupling_iterations,
                "mass_balance_error_max": r.max_mass_error,
            },
            "reported_soc": r.reported_soc,
            **({"segments": r.segments} if r.segments else {}),
            "last_completed_soc": r.reported_soc[-1] if r.reported_soc else None,
            "materials": self.materials,
            "interfaces": self.interfaces,
            "config": self.config,
        }
        write_json_atomic(self.out / "run.json", data)

    def close(self) -> None:
        """run.json is rewritten whole by every write."""


def materials_meta(plan: RunPlan) -> dict[str, Any]:
    """run.json's ``materials``: the cathode and electrolyte, and the strengths the risks
    are divided by with their evidence (or ``set in readers``)."""
    rd, cam, se = plan.readers, plan.cathode, plan.electrolyte
    adhesion = rd.adhesion_strength_MPa

    def evidence(material: Any, key: str, used: float | None) -> str | None:
        if material is None or used is None:
            return None
        if getattr(material, key) != used:
            return "set in readers"
        return str(material.sources[key].evidence) or None

    return {
        "cathode": cam.name,
        "gb_strength_MPa": rd.gb_strength_MPa,
        "gb_strength_evidence": evidence(cam, "gb_strength_MPa", rd.gb_strength_MPa),
        "electrolyte": se.name if se is not None else None,
        "adhesion_strength_MPa": adhesion,
        "adhesion_strength_evidence": evidence(se, "adhesion_strength_MPa", adhesion),
        "defaulted": dict(plan.defaulted),
    }
