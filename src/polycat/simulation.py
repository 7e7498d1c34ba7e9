"""One run: mesh → model → galvanostatic SOC loop → readers and outputs at each report SOC.

Everything collective happens on every rank; only rank 0 writes tables, plots and
JSON (atomically, so a killed run leaves every finished SOC complete on disk).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import logging
import resource
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dolfinx_solver  # noqa: F401  (orders MPI ahead of the DOLFINx bindings)
from mpi4py import MPI

import numpy as np

import ufl
from dolfinx import fem

from polycat import __version__
from polycat.checkpoint import load_fields, read_state, save_checkpoint
from polycat.config import ConfigError, RunConfig, dump_config
from polycat.config.resolve import cathode_material, electrolyte_material
from polycat.errors import SolverError
from polycat.exporters import XdmfSeries
from polycat.faults import FaultInjector
from polycat.fem.model import ChemoMechanicsModel
from polycat.fem.phases import CathodePhase, MatrixPhase
from polycat.fem.settings import MechanicsBC, SolverSettings
from polycat.geometry.errors import GeometryError
from polycat.materials import TabulatedLatticeStrain
from polycat.microstructure import ORIENTATION_COLUMNS, build_microstructure
from polycat.post.readers import (
    GRAIN_COLUMNS,
    PROFILE_COLUMNS,
    ReaderSettings,
    derive,
    facet_statistics,
    grain_rows,
    radial_displacement_mean,
    radial_profile,
    stress_summary,
)
from polycat.post.sampling import FacetSamples, PointSampler, sample_cells, sample_facets
from polycat.reports import build_plots, soc_tag
from polycat.results import (
    prepare_results_dir,
    write_csv_atomic,
    write_json_atomic,
    write_text_atomic,
)
from polycat.schedule import Schedule, build_schedule

log = logging.getLogger("polycat")

SUMMARY_COLUMNS = (
    "soc",
    "time_s",
    "x_mean",
    "sigma_r_max_MPa",
    "sigma_r_min_MPa",
    "sigma_hoop_max_MPa",
    "sigma_hoop_min_MPa",
    "vm_max_MPa",
    "gb_tn_max_MPa",
    "gb_risk_max",
    "gb_area_fraction_at_risk",
    "interface_tn_max_MPa",
    "delam_risk_max",
    "interface_area_fraction_at_risk",
    "gb_tn_mean_MPa",
    "gb_tn_tensile_mean_MPa",
    "interface_tn_mean_MPa",
    "radial_gap_mean_um",
    "se_sigma_r_max_MPa",
    "se_sigma_r_min_MPa",
    "se_sigma_hoop_max_MPa",
    "se_sigma_hoop_min_MPa",
    "se_vm_max_MPa",
    "mass_balance_error_max",
    "mech_ksp_iterations",
)
BOUNDARY_COLUMNS = (
    "soc",
    "kind",
    "name",
    "grain_i",
    "grain_j",
    "area_um2",
    "tn_mean_MPa",
    "tn_max_MPa",
    "tn_min_MPa",
    "ts_mean_MPa",
    "ts_max_MPa",
    "risk_max",
    "area_fraction_at_risk",
)
FACET_COLUMNS = ("tag", "area_um2", "tn_MPa", "ts_MPa", "x_um", "y_um", "z_um")
MASS_BALANCE_TOL = 1e-6


@dataclass
class Timers:
    """Wall time per phase, s (summed over the run)."""

    wall: dict[str, float] = field(default_factory=dict)

    def add(self, name: str, seconds: float) -> None:
        self.wall[name] = self.wall.get(name, 0.0) + seconds


@functools.cache
def _git_hash() -> str | None:
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


def _collective_check(comm: MPI.Comm, error: str | None) -> None:
    """Raise the same ConfigError on every rank if rank 0 found one."""
    error = comm.bcast(error, root=0)
    if error:
        raise ConfigError(error)


def config_digest(cfg: RunConfig) -> str:
    """Hash of everything in a config that changes the answer (all but output.*)."""
    data = cfg.model_dump(mode="json")
    data.pop("output", None)
    text = json.dumps(data, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _resume_state(out: Path, cfg: RunConfig) -> dict[str, Any] | None:
    """Check that ``out`` holds an unfinished run of ``cfg``; return its checkpoint state
    (None: no checkpoint yet, the run starts again from SOC 0 in the same directory)."""
    if not out.is_dir():
        raise ConfigError(f"--resume {out}: no such results directory")
    saved = out / "config.resolved.yaml"
    if not saved.is_file():
        raise ConfigError(
            f"--resume {out}: no config.resolved.yaml there, so it is not a polycat results "
            "directory; give the directory of an interrupted run"
        )
    state = read_state(out)
    if state is not None and state.get("config_digest") != config_digest(cfg):
        raise ConfigError(
            f"--resume {out}: the config differs from the one the checkpoint was written with; "
            "resume with the directory's own config.resolved.yaml (no --set), or start a new run"
        )
    probe = out / ".polycat-write-test"
    try:
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise ConfigError(f"--resume {out}: directory cannot be written: {exc.strerror}") from None
    return state


def spherical_ufl(sigma: Any, mesh: Any) -> tuple[Any, Any]:
    """σ_rr and σ_hoop (DESIGN §2) as UFL expressions about the origin."""
    gdim = mesh.geometry.dim
    X = ufl.SpatialCoordinate(mesh)
    r = ufl.as_vector([X[0], X[1], X[2] if gdim == 3 else 0.0])
    e_r = r / ufl.sqrt(ufl.dot(r, r) + 1e-30)
    s_rr = ufl.dot(e_r, ufl.dot(sigma, e_r))
    tr = ufl.tr(sigma)
    s_hoop = (tr - s_rr) / 2.0 if gdim == 3 else tr - sigma[2, 2] - s_rr
    return s_rr, s_hoop


class Run:
    """State of one run across the SOC loop (kept small; outputs go to disk at once)."""

    def __init__(
        self,
        cfg: RunConfig,
        overwrite: bool = False,
        comm: MPI.Comm | None = None,
        resume: bool = False,
    ) -> None:
        self.cfg = cfg
        self.comm = comm if comm is not None else MPI.COMM_WORLD
        self.rank = self.comm.rank
        self.out = Path(cfg.output.dir)
        self.timers = Timers()
        self.summary: list[dict[str, Any]] = []
        self.boundaries: list[dict[str, Any]] = []
        self.grains: list[dict[str, Any]] = []
        self.status = "running"
        self.error: str | None = None
        self.t_start = time.perf_counter()
        self.max_mass_error = 0.0
        self.mech_iterations: list[int] = []
        self.diff_newton: list[int] = []
        self.step_cuts: list[dict[str, Any]] = []
        self.resumed_from: dict[str, Any] | None = None
        self.faults = FaultInjector(self.rank)
        self.checkpoint_state: dict[str, Any] | None = None
        error = None
        if self.rank == 0:
            try:
                if resume:
                    self.checkpoint_state = _resume_state(self.out, cfg)
                else:
                    prepare_results_dir(self.out, overwrite)
                    write_text_atomic(self.out / "config.resolved.yaml", dump_config(cfg))
            except ConfigError as exc:
                error = str(exc)
        _collective_check(self.comm, error)
        self.checkpoint_state = self.comm.bcast(self.checkpoint_state, root=0)

    # -- setup -------------------------------------------------------------------------
    def setup(self) -> None:
        from polycat.mesh import load_mesh
        from polycat.workflow import prepare_mesh

        cfg, comm = self.cfg, self.comm
        t = time.perf_counter()
        folder = prepare_mesh(cfg, comm)
        self.timers.add("mesh", time.perf_counter() - t)
        t = time.perf_counter()
        lm = load_mesh(comm, folder)
        self.timers.add("load_mesh", time.perf_counter() - t)
        self.mesh_folder = folder
        self.mesh, self.cell_tags, self.facet_tags = lm.mesh, lm.cell_tags, lm.facet_tags
        markers = lm.markers
        grain_ids = sorted(int(v[0]) for k, v in markers.items() if k.startswith("grain_"))
        gtab = lm.grains
        order = np.argsort(np.asarray(gtab["grain"], dtype=np.int64))
        cents = np.stack(
            [np.asarray(gtab[f"centroid_{a}_um"], dtype=np.float64)[order] for a in "xyz"], axis=1
        )
        self.micro = build_microstructure(cfg.orientation, grain_ids, cents)
        self.cathode = cathode_material(cfg)
        self.electrolyte = electrolyte_material(cfg)
        matrix_tag = int(markers["electrolyte"][0]) if "electrolyte" in markers else None
        self.gb_pairs: dict[int, tuple[int, int]] = {}
        self.gb_names: dict[int, str] = {}
        self.interface_grain: dict[int, int] = {}
        self.interface_names: dict[int, str] = {}
        outer: dict[str, int] = {}
        for name, (tag, _dim) in markers.items():
            if name.startswith("gb_"):
                _, i, j = name.split("_")
                self.gb_pairs[int(tag)] = (int(i), int(j))
                self.gb_names[int(tag)] = name
            elif name.startswith("interface_"):
                self.interface_grain[int(tag)] = int(name.split("_")[1])
                self.interface_names[int(tag)] = name
            elif name.startswith("outer_"):
                outer[name] = int(tag)
        el = self.cathode.elasticity
        lattice = self.cathode.lattice_strain
        if isinstance(lattice, TabulatedLatticeStrain):
            # Near the end of a fast charge the surface x runs below the measured table
            # while the mean stays inside it; hold the end values there (reported as
            # x_min_particle in summary.csv) instead of extrapolating a measurement.
            lattice = dataclasses.replace(lattice, out_of_range="clip")
        self.lattice = lattice
        self.lattice_range = lattice.x_range
        phase = CathodePhase(
            C_crystal_MPa=np.asarray(el.voigt_GPa(), dtype=np.float64) * 1e3,
            lattice=lattice,
            diffusivity=self.cathode.diffusivity,
            c_max_mol_m3=self.cathode.c_max_mol_m3,
        )
        se = self.electrolyte
        matrix = MatrixPhase(E_MPa=se.E_GPa * 1e3, nu=se.nu) if se is not None else None
        s = cfg.solver
        settings = SolverSettings(
            element_degree=cfg.mechanics.element_degree,
            ksp_rtol=s.ksp_rtol,
            p_multigrid=s.p_multigrid,
            projection_size=s.projection_size,
            jacobian_lag_contraction=s.jacobian_lag_contraction,
            coupling_tol=s.two_way_tol,
            coupling_max_it=s.two_way_max_iter,
            mechanics_options=dict(s.petsc_mechanics),
            diffusion_options=dict(s.petsc_diffusion),
        )
        t = time.perf_counter()
        self.model = ChemoMechanicsModel(
            self.mesh,
            self.cell_tags,
            self.facet_tags,
            grain_tags=grain_ids,
            matrix_tag=matrix_tag,
            interface_tags=sorted(self.interface_grain),
            outer_tags=outer,
            rotations=self.micro.rotation_of(),
            cathode=phase,
            matrix=matrix,
            bc=MechanicsBC(cfg.mechanics.boundary, cfg.mechanics.stack_pressure_MPa),
            settings=settings,
            coupling=cfg.coupling,
            temperature_K=cfg.mechanics.temperature_K,
        )
        self.timers.add("setup", time.perf_counter() - t)
        g = cfg.geometry
        outer_r = None
        if g.matrix == "box":
            outer_r = 0.5 * g.matrix_size_um
        elif g.matrix == "shell":
            outer_r = g.matrix_size_um
        rd = cfg.readers
        self.reader = ReaderSettings(
            particle_radius_um=g.particle_radius_um,
            profile_outer_um=outer_r,
            gdim=g.dim,
            c_max_mol_m3=self.cathode.c_max_mol_m3,
            gb_strength_MPa=rd.gb_strength_MPa or self.cathode.gb_strength_MPa,
            gb_shear_strength_MPa=rd.gb_shear_strength_MPa,
            adhesion_strength_MPa=(rd.adhesion_strength_MPa or se.adhesion_strength_MPa)
            if se is not None
            else None,
            n_bins=rd.profile_bins,
            grain_tags=tuple(grain_ids),
            matrix_tag=matrix_tag,
            gb_pairs=self.gb_pairs,
            interface_grain=self.interface_grain,
        )
        self.schedule: Schedule = build_schedule(
            cfg.loading.x_start or 0.0,
            cfg.loading.x_end or 0.0,
            cfg.loading.c_rate,
            cfg.loading.report_soc,
            s.steps_per_report,
            s.max_dt_s,
        )
        self.model.set_uniform_x(self.schedule.x_start)
        if self.checkpoint_state is not None:
            self._restore_checkpoint(self.checkpoint_state)
        self._setup_outputs()

    def _setup_outputs(self) -> None:
        m = self.model
        mesh = self.mesh
        sig = m.sigma
        self.sigma = sig
        self.s_rr, self.s_hoop = spherical_ufl(sig, mesh)
        S1 = fem.functionspace(mesh, ("DG", 1))
        self.hoop_dg = fem.Function(S1, name="sigma_hoop_MPa")
        self.hoop_expr = fem.Expression(self.s_hoop, S1.element.interpolation_points)
        self.x_parent = m.x_on_mesh()
        Vc = self.x_parent.function_space
        self.c_parent = fem.Function(Vc, name="c_mol_m3")
        S0 = fem.functionspace(mesh, ("DG", 0))
        self.grain_id = fem.Function(S0, name="grain_id")
        ct = self.cell_tags
        self.grain_id.x.array[ct.indices] = ct.values
        self.grain_id.x.scatter_forward()
        tdim = mesh.topology.dim
        n_local = (
            mesh.topology.index_map(tdim).size_local + mesh.topology.index_map(tdim).num_ghosts
        )
        self.grain_cells = np.zeros(n_local, dtype=bool)
        self.grain_cells[ct.indices[np.isin(ct.values, self.reader.grain_tags)]] = True
        self.fields: XdmfSeries | None = None
        if self.cfg.output.fields:
            # A resumed run writes the remaining SOCs to a series of its own: the first
            # file's mesh was written in the first run's partitioning (maybe other ranks).
            name = "fields.xdmf"
            if self.resumed_from is not None:
                name = f"fields_from_soc_{soc_tag(self.resumed_from['soc'])}.xdmf"
            self.fields = XdmfSeries(
                self.out / "fields" / name,
                mesh,
                vertex_fields={
                    "displacement_um": m.u,
                    "x": self.x_parent,
                    "c_mol_m3": self.c_parent,
                },
                cell_fields={
                    "stress_MPa": sig,
                    "von_mises_MPa": m.von_mises,
                    "sigma_rr_MPa": self.s_rr,
                    "sigma_hoop_MPa": self.s_hoop,
                    "sigma_h_MPa": m.hydrostatic,
                    "grain_id": self.grain_id,
                },
            )
        self._setup_section()
        if self.rank == 0:
            write_csv_atomic(self.out / "orientations.csv", self.micro.table(), ORIENTATION_COLUMNS)

    # -- the loop ------------------------------------------------------------------------
    def execute(self) -> None:
        from tqdm import tqdm

        sch = self.schedule
        reports = dict(zip(sch.report_index, sch.report_soc, strict=True))
        start, t_prev = 0, 0.0
        if self.resumed_from is not None:
            start = int(self.resumed_from["step_index"]) + 1
            t_prev = float(sch.times_s[start - 1])
        bar = tqdm(
            total=len(sch.times_s),
            initial=start,
            disable=self.rank != 0,
            unit="step",
            desc="polycat",
        )
        mech_every_step = self.cfg.coupling == "two_way"
        try:
            for i in range(start, len(sch.times_s)):
                t_now = float(sch.times_s[i])
                report = i in reports
                t = time.perf_counter()
                info = self._advance(i, t_prev, t_now, mechanics=report or mech_every_step)
                self.timers.add("steps", time.perf_counter() - t)
                if info.mechanics is not None:
                    self.mech_iterations.append(info.mechanics.ksp_iterations)
                t_prev = t_now
                bar.update(1)
                if report:
                    soc = reports[i]
                    bar.set_postfix(soc=f"{soc:.2f}")
                    t = time.perf_counter()
                    self.report(soc, t_now, info)
                    self.timers.add("report", time.perf_counter() - t)
                    if self.cfg.solver.checkpoint:
                        t = time.perf_counter()
                        self._write_checkpoint(i, soc, t_now)
                        self.timers.add("checkpoint", time.perf_counter() - t)
        finally:
            bar.close()
        self.status = "completed"

    # -- one step, with step cuts on failure ----------------------------------------------
    def _advance(self, i: int, t0: float, t1: float, mechanics: bool) -> Any:
        """Advance from t0 to t1 (step i, 0-based). A failed solve (diverged or
        non-converged Krylov/Newton, NaN/Inf, mass balance off) restores the state at t0
        and retries with the interval cut into 2, 4, … substeps, at most
        ``solver.max_step_cuts`` times; then the run stops with a SolverError."""
        max_cuts = self.cfg.solver.max_step_cuts
        snap = self._snapshot() if max_cuts > 0 else None
        cuts = 0
        while True:
            try:
                info = self._attempt(i, t0, t1, 2**cuts, mechanics)
            except SolverError as exc:
                if cuts >= max_cuts:
                    more = f" (still failing after {cuts} step cuts)" if cuts else ""
                    raise SolverError(f"step {i + 1} (t = {t1:.4g} s): {exc}{more}") from exc
                cuts += 1
                if self.rank == 0:
                    log.warning(
                        "step %d (t = %.4g s) failed: %s; retrying in %d substeps",
                        i + 1,
                        t1,
                        exc,
                        2**cuts,
                    )
                assert snap is not None
                self._restore(snap)
                self.step_cuts.append(
                    {"step": i + 1, "t_s": t1, "substeps": 2**cuts, "reason": str(exc)}
                )
                continue
            return info

    def _attempt(self, i: int, t0: float, t1: float, n_sub: int, mechanics: bool) -> Any:
        self.faults.before_attempt(i + 1)
        rate = self.schedule.rate_per_s
        dt = (t1 - t0) / n_sub
        newton = 0
        mass_error = 0.0
        info: Any = None
        wall: dict[str, float] = {}
        for j in range(n_sub):
            info = self.model.step(dt, rate, mechanics=mechanics and j == n_sub - 1)
            for k, v in info.wall_s.items():
                wall[k] = wall.get(k, 0.0) + v
            newton += info.diffusion.newton_iterations
            mass_error = max(mass_error, info.mass_balance_error)
            if not np.isfinite(info.mean_x_new) or info.mass_balance_error > MASS_BALANCE_TOL:
                raise SolverError(
                    f"mass balance error {info.mass_balance_error:.3e} exceeds "
                    f"{MASS_BALANCE_TOL:.0e} (x̄ = {info.mean_x_new:.6g})"
                )
        for k, v in wall.items():
            self.timers.add(f"step_{k}", v)
        self.diff_newton.append(newton)
        self.max_mass_error = max(self.max_mass_error, mass_error)
        return info

    def _state_functions(self) -> dict[str, fem.Function]:
        return {**self.model.diffusion.fields, "u": self.model.u}

    def _snapshot(self) -> dict[str, Any]:
        arrays = {name: f.x.array.copy() for name, f in self._state_functions().items()}
        return {"arrays": arrays, "history": self.model.diffusion.history()}

    def _restore(self, snap: dict[str, Any]) -> None:
        for name, f in self._state_functions().items():
            f.x.array[:] = snap["arrays"][name]
        self.model.diffusion.restore_history(snap["history"])

    # -- checkpoint / restart ------------------------------------------------------------
    def _write_checkpoint(self, i: int, soc: float, t_s: float) -> None:
        state = {
            "config_digest": config_digest(self.cfg),
            "step_index": i,
            "soc": soc,
            "t_s": t_s,
            "ranks": self.comm.size,
            "diffusion": self.model.diffusion.history(),
            "summary": self.summary,
            "boundaries": self.boundaries,
            "grains": self.grains,
            "diff_newton": self.diff_newton,
            "mech_iterations": self.mech_iterations,
            "max_mass_error": self.max_mass_error,
            "step_cuts": self.step_cuts,
            "peak_rss_mb_per_rank": self.peak_rss_mb,
        }
        save_checkpoint(self.comm, self.out, soc_tag(soc), state, self._state_functions())

    def _restore_checkpoint(self, state: dict[str, Any]) -> None:
        load_fields(self.comm, self.out, state, self._state_functions())
        self.model.diffusion.restore_history(state["diffusion"])
        self.summary = list(state["summary"])
        self.boundaries = list(state["boundaries"])
        self.grains = list(state["grains"])
        self.diff_newton = list(state["diff_newton"])
        self.mech_iterations = list(state["mech_iterations"])
        self.max_mass_error = float(state["max_mass_error"])
        self.step_cuts = list(state["step_cuts"])
        self.resumed_from = {
            "soc": state["soc"],
            "step_index": state["step_index"],
            "t_s": state["t_s"],
            "ranks": state["ranks"],
        }
        if self.rank == 0:
            log.info(
                "resuming after SOC %.2f (step %d, written on %d rank(s))",
                state["soc"],
                state["step_index"] + 1,
                state["ranks"],
            )

    def report(self, soc: float, t_s: float, info: Any) -> None:
        comm, r = self.comm, self.reader
        m = self.model
        tag = soc_tag(soc)
        t0 = time.perf_counter()
        m.x_on_mesh()
        samples = sample_cells(self.mesh, self.cell_tags, self.sigma, self.x_parent, degree=2)
        d = derive(samples, r)
        if not np.all(np.isfinite(samples.sigma)):
            raise SolverError(f"non-finite stress at SOC {soc:.2f}")
        row: dict[str, Any] = {"soc": soc, "time_s": t_s, "x_mean": m.mean_x()}
        x_lo, x_hi = self._x_extremes()
        row["x_min_particle"], row["x_max_particle"] = x_lo, x_hi
        row.update(stress_summary(comm, samples, d, r))
        profile = radial_profile(comm, samples, d, r)
        grains = grain_rows(comm, samples, d, r)
        gb = sample_facets(self.mesh, self.facet_tags, list(self.gb_pairs), self.sigma)
        gb_all, gb_rows = facet_statistics(
            comm, gb, list(self.gb_pairs), r.gb_strength_MPa, r.gb_shear_strength_MPa
        )
        row.update(
            {
                "gb_tn_max_MPa": gb_all["tn_max_MPa"],
                "gb_risk_max": gb_all["risk_max"],
                "gb_area_fraction_at_risk": gb_all["area_fraction_at_risk"],
                "gb_tn_mean_MPa": gb_all["tn_mean_MPa"],
                "gb_tn_tensile_mean_MPa": gb_all["tn_tensile_mean_MPa"],
            }
        )
        b_rows = [
            self._boundary_row(soc, "gb", t, rr)
            for t, rr in zip(sorted(self.gb_pairs), gb_rows, strict=True)
        ]
        if r.adhesion_strength_MPa is not None and self.interface_grain:
            itf = sample_facets(
                self.mesh,
                self.facet_tags,
                list(self.interface_grain),
                self.sigma,
                one_side=self.grain_cells,
                at="cell",
            )
            if_all, if_rows = facet_statistics(
                comm, itf, list(self.interface_grain), r.adhesion_strength_MPa
            )
            row.update(
                {
                    "interface_tn_max_MPa": if_all["tn_max_MPa"],
                    "delam_risk_max": if_all["risk_max"],
                    "interface_area_fraction_at_risk": if_all["area_fraction_at_risk"],
                    "interface_tn_mean_MPa": if_all["tn_mean_MPa"],
                }
            )
            row["radial_gap_mean_um"] = self._radial_gap(itf, samples)
            b_rows += [
                self._boundary_row(soc, "interface", t, rr)
                for t, rr in zip(sorted(self.interface_grain), if_rows, strict=True)
            ]
        row["mass_balance_error_max"] = self.max_mass_error
        row["mech_ksp_iterations"] = info.mechanics.ksp_iterations if info.mechanics else ""
        facets = self._gather_facets(gb)
        rss = self.comm.gather(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, root=0)
        if rss is not None:
            self.peak_rss_mb = [round(v, 1) for v in rss]
        section = self._section()
        self.timers.add("readers", time.perf_counter() - t0)
        t1 = time.perf_counter()
        if self.fields is not None:
            cmax = self.cathode.c_max_mol_m3
            self.c_parent.x.array[:] = self.x_parent.x.array * cmax
            self.fields.write(soc)
        if self.rank == 0:
            self.summary.append(row)
            self.boundaries.extend(b_rows)
            self.grains.extend({"soc": soc, **g} for g in grains)
            out = self.out
            write_csv_atomic(out / "profiles" / f"soc_{tag}.csv", profile, PROFILE_COLUMNS)
            write_csv_atomic(out / "summary.csv", self.summary, SUMMARY_COLUMNS)
            write_csv_atomic(out / "boundaries.csv", self.boundaries, BOUNDARY_COLUMNS)
            write_csv_atomic(out / "grains.csv", self.grains, ("soc", *GRAIN_COLUMNS))
            if facets is not None:
                write_csv_atomic(out / "facets" / f"gb_soc_{tag}.csv", facets, FACET_COLUMNS)
            if section is not None:
                (out / "sections").mkdir(parents=True, exist_ok=True)
                np.savez_compressed(out / "sections" / f"soc_{tag}.npz", **section)
            self.write_run_json()
        self.timers.add("output", time.perf_counter() - t1)

    def _x_extremes(self) -> tuple[float, float]:
        """Smallest and largest nodal Li fraction in the particle; stops the run if x left
        [0, 1] (the particle cannot sustain the C-rate), warns when it left the lattice
        table (end values are held there)."""
        arr = self.model.x.x.array
        lo = float(self.comm.allreduce(float(arr.min()) if arr.size else np.inf, op=MPI.MIN))
        hi = float(self.comm.allreduce(float(arr.max()) if arr.size else -np.inf, op=MPI.MAX))
        if lo < 0.0 or hi > 1.0:
            raise SolverError(
                f"the Li fraction left [0, 1] (min {lo:.4f}, max {hi:.4f}): the particle cannot "
                f"sustain {self.cfg.loading.c_rate}C with this diffusivity; lower loading.c_rate "
                "or narrow the x window (loading.x_start/x_end)"
            )
        t_lo, t_hi = self.lattice_range
        if (lo < t_lo or hi > t_hi) and not self._warned_range:
            log.warning(
                "local x reached %.4f…%.4f, outside the lattice table [%.4f, %.4f]; the table's "
                "end values are held there",
                lo,
                hi,
                t_lo,
                t_hi,
            )
            self._warned_range = True
        return lo, hi

    _warned_range = False
    peak_rss_mb: list[float] | None = None

    def _boundary_row(self, soc: float, kind: str, tag: int, rr: dict[str, Any]) -> dict[str, Any]:
        if kind == "gb":
            gi, gj_int = self.gb_pairs[tag]
            gj: int | str = gj_int
            name = self.gb_names[tag]
        else:
            gi, gj, name = self.interface_grain[tag], "", self.interface_names[tag]
        return {
            "soc": soc,
            "kind": kind,
            "name": name,
            "grain_i": gi,
            "grain_j": gj,
            **{k: v for k, v in rr.items() if k != "tag"},
        }

    def _radial_gap(self, itf: FacetSamples, samples: Any) -> float:
        """Mean radial gap (µm) the particle would open at the interface if it could not
        carry tension: bonded mean radial displacement minus the free particle's, the
        latter estimated as R·⟨tr ε*⟩/3 (exact for an isotropic homogeneous particle)."""
        comm, r = self.comm, self.reader
        u = self.model.u
        cells = itf.cells[:, 0]
        vals = np.asarray(u.eval(itf.midpoint, cells), dtype=np.float64).reshape(len(cells), -1)
        u3 = np.zeros((len(cells), 3))
        u3[:, : vals.shape[1]] = vals
        u_r = radial_displacement_mean(comm, itf, u3, r.center)
        in_p = np.isin(samples.tag, r.grain_tags)
        ea, ec = self.lattice.strains(np.clip(samples.x[in_p], 0.0, 1.0))
        w = samples.weight[in_p]
        loc = np.array([w.sum(), (w * (2 * ea + ec)).sum()])
        tot = np.empty_like(loc)
        comm.Allreduce(loc, tot, op=MPI.SUM)
        u_free = r.particle_radius_um * tot[1] / tot[0] / 3.0
        return u_r - u_free

    def _gather_facets(self, fs: FacetSamples) -> list[dict[str, Any]] | None:
        local = (
            np.column_stack([fs.tag, fs.area, fs.t_n, fs.t_s, fs.midpoint])
            if len(fs.tag)
            else np.zeros((0, 7))
        )
        parts = self.comm.gather(local, root=0)
        if self.rank != 0:
            return None
        assert parts is not None
        allv = np.concatenate(parts, axis=0)
        allv = allv[np.lexsort((allv[:, 6], allv[:, 5], allv[:, 4], allv[:, 0]))]
        return [
            dict(zip(FACET_COLUMNS, (int(v[0]), *map(float, v[1:])), strict=True)) for v in allv
        ]

    def _section(self) -> dict[str, Any] | None:
        """σ_hoop on the plane z = 0 (an n×n grid over the particle and the SE around it)."""
        self.hoop_dg.interpolate(self.hoop_expr)
        self.hoop_dg.x.scatter_forward()
        vals = self.section_sampler(self.hoop_dg)
        if vals is None:
            return None
        n = len(self.section_axis)
        ax = self.section_axis
        return {"x_um": ax, "y_um": ax, "sigma_hoop_MPa": vals[:, 0].reshape(n, n)}

    def _setup_section(self, n: int = 161) -> None:
        g = self.cfg.geometry
        if g.matrix == "box":
            half = 0.5 * g.matrix_size_um
        elif g.matrix == "shell":
            half = g.matrix_size_um
        else:
            half = g.particle_radius_um
        half = min(half, 1.6 * g.particle_radius_um)
        self.section_axis = np.linspace(-half, half, n)
        X, Y = np.meshgrid(self.section_axis, self.section_axis)
        pts = np.column_stack([X.ravel(), Y.ravel(), np.zeros(X.size)])
        self.section_sampler = PointSampler(self.mesh, pts)

    # -- provenance ----------------------------------------------------------------------
    def dofs(self) -> dict[str, int]:
        m = self.model
        Vu = m.u.function_space
        Vx = m.x.function_space
        return {
            "displacement": int(Vu.dofmap.index_map.size_global * Vu.dofmap.index_map_bs),
            "concentration": int(Vx.dofmap.index_map.size_global),
            "cells": int(self.mesh.topology.index_map(self.mesh.topology.dim).size_global),
        }

    def write_run_json(self) -> None:
        cfg = self.cfg
        data = {
            "polycat_version": __version__,
            "git_hash": _git_hash(),
            "status": self.status,
            "error": self.error,
            "ranks": self.comm.size,
            "peak_rss_mb_per_rank": self.peak_rss_mb,
            "mesh_folder": str(self.mesh_folder) if hasattr(self, "mesh_folder") else None,
            "dofs": self.dof_counts,
            "wall_s": {
                **{k: round(v, 4) for k, v in self.timers.wall.items()},
                "total": round(time.perf_counter() - self.t_start, 4),
            },
            "resumed_from": self.resumed_from,
            "solver": {
                "step_cuts": self.step_cuts,
                "time_steps": len(self.diff_newton),
                "diffusion_newton_iterations": self.diff_newton,
                "mechanics_ksp_iterations": self.mech_iterations,
                "mass_balance_error_max": self.max_mass_error,
            },
            "reported_soc": [r["soc"] for r in self.summary],
            "materials": self._materials_meta(),
            "config": cfg.model_dump(mode="json"),
        }
        write_json_atomic(self.out / "run.json", data)

    def _materials_meta(self) -> dict[str, Any]:
        cath = getattr(self, "cathode", None)
        se = getattr(self, "electrolyte", None)
        rd = getattr(self, "reader", None)
        return {
            "cathode": cath.name if cath is not None else None,
            "gb_strength_MPa": rd.gb_strength_MPa if rd is not None else None,
            "electrolyte": se.name if se is not None else None,
            "adhesion_strength_MPa": rd.adhesion_strength_MPa if rd is not None else None,
        }

    dof_counts: dict[str, int] | None = None


def run(
    cfg: RunConfig, overwrite: bool = False, comm: MPI.Comm | None = None, resume: bool = False
) -> Path:
    """Mesh, solve and report one config on `comm` (default COMM_WORLD); returns the
    results directory. ``resume``: continue the interrupted run in ``cfg.output.dir`` from
    its last checkpoint (from the start when it has none)."""
    r = Run(cfg, overwrite, comm, resume=resume)
    try:
        r.setup()
        r.dof_counts = r.dofs()
        if r.rank == 0:
            d = r.dof_counts
            log.info(
                "%d cells, %d displacement DOFs, %d concentration DOFs on %d rank(s); %d steps",
                d["cells"],
                d["displacement"],
                d["concentration"],
                r.comm.size,
                len(r.schedule.times_s),
            )
        r.execute()
    except BaseException as exc:
        r.status = "failed"
        r.error = f"{type(exc).__name__}: {exc}"
        # SolverError/ConfigError/GeometryError are raised on every rank alike; anything
        # else may have struck one rank only, while the others wait in a collective.
        collective = isinstance(exc, (SolverError, ConfigError, GeometryError))
        if r.rank == 0 and r.out.is_dir():
            r.write_run_json()
            if r.summary and cfg.output.plots:
                build_plots(r.out)  # plots of the SOCs that completed
        if not collective and r.comm.size > 1:
            # No collective clean-up (closing the field file would wait for the other
            # ranks forever): say what happened once, from this rank, and end the job.
            print(
                f"error ({type(exc).__name__}) on rank {r.rank}: {exc}", file=sys.stderr, flush=True
            )
            r.comm.Abort(1)
        raise
    finally:
        if getattr(r, "fields", None) is not None:
            assert r.fields is not None
            r.fields.close()
    if r.rank == 0:
        t = time.perf_counter()
        if cfg.output.plots:
            build_plots(r.out)
        r.timers.add("plots", time.perf_counter() - t)
        r.write_run_json()
        log.info("results in %s (%.1f s)", r.out, time.perf_counter() - r.t_start)
    return r.out
