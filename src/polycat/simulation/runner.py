"""One run, wired: results directory → mesh → problem → SOC loop → exporters; and the
error policy that decides how a failure ends an MPI job.

Everything collective happens on every rank; only rank 0 writes tables, plots and JSON
(atomically, so a killed run leaves every finished SOC complete on disk).
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import time
from pathlib import Path
from typing import Any

import dolfinx_solver  # noqa: F401  (orders MPI ahead of the DOLFINx bindings)
from mpi4py import MPI

import numpy as np

from dolfinx import fem

from polycat.config.plan import RunPlan
from polycat.errors import (
    ConfigError,
    GeometryError,
    PetscOptionsError,
    PhysicalEnd,
    RunInterrupted,
    SolverError,
    StepTimeLimit,
    SurfaceLimit,
)
from polycat.exports import Exporter
from polycat.exports.fields import FieldsExporter
from polycat.exports.provenance import (
    ProvenanceExporter,
    RunRecord,
    materials_meta,
    peak_rss_mb,
)
from polycat.exports.sections import SectionExporter
from polycat.exports.tables import TablesExporter
from polycat.faults import FaultInjector
from polycat.fem.info import StepInfo
from polycat.fileio import write_csv_atomic, write_text_atomic
from polycat.interrupts import StopRequests, abort_job
from polycat.materials.kinetics import molar_mass_g_mol, specific_capacity_mAh_g
from polycat.mesh import load_mesh
from polycat.microstructure import ORIENTATION_COLUMNS
from polycat.post.cycles import CYCLE_COLUMNS, cycle_table
from polycat.post.soc import SocReader
from polycat.reports import build_plots, soc_tag
from polycat.schedule import soc_of_x
from polycat.simulation import prepare_mesh
from polycat.simulation.loop import LIMIT_X_TOL, HoldLoop, SocLoop
from polycat.simulation.problem import (
    Problem,
    build_problem,
    lattice_table_range,
    petsc_option_field,
    surface_bounds,
)
from polycat.simulation.protocol import ProtocolRun, step_directions
from polycat.simulation.restart import (
    load_extra,
    load_fields,
    prepare_results_dir,
    resume_state,
    save_checkpoint,
)

__all__ = ["RunSession", "run"]

log = logging.getLogger("polycat")

FARADAY = 96485.33212
"""Faraday constant, C/mol."""

DEFAULT_HOLD_MAX_DT_S = 120.0
"""Longest step of a constant-voltage hold without solver.max_dt_s (s)."""

COLLECTIVE_ERRORS = (SolverError, ConfigError, GeometryError)
"""Errors raised identically on every rank (the others may strike one rank only; so may
a RunInterrupted that a second signal raised at once)."""


def _collective_check(comm: MPI.Comm, error: str | None) -> None:
    """Raise the same ConfigError on every rank if rank 0 found one."""
    error = comm.bcast(error, root=0)
    if error:
        raise ConfigError(error)


HISTORY_ARRAYS = ("pair", "kappa", "damage", "kappa_old", "closed")
"""The per-point interface history a checkpoint keeps (``interface_<name>`` arrays)."""


class RunSession:
    """The state of one run across its phases (built in order by :func:`run`)."""

    def __init__(self, plan: RunPlan, comm: MPI.Comm, stop: StopRequests | None = None) -> None:
        self.plan = plan
        self.comm = comm
        self.stop = stop if stop is not None else StopRequests()
        self.rank = comm.rank
        self.out = plan.output.dir
        self.record = RunRecord()
        self.tables = TablesExporter(self.out, self.rank)
        self.provenance = ProvenanceExporter(
            self.out,
            self.rank,
            comm.size,
            self.record,
            materials_meta(plan),
            plan.config_data(),
            _interfaces_meta(plan),
        )
        self.exporters: list[Exporter] = []
        self.faults = FaultInjector(self.rank)
        self.segmented = plan.loading.segmented
        self.checkpoint_state: dict[str, Any] | None = None
        self._step: tuple[int, str] = (1, "cc")
        self._cycle = 1
        self._cap_x0: float | None = None  # x̄ where the capacity counts from (None: x_start)
        self._current: float | None = None  # the current of a held step (else the schedule's)
        self._protocol: ProtocolRun | None = None
        self._hold_loop: HoldLoop | None = None
        self._soc_loop: SocLoop | None = None
        self._last_dt = 0.0  # the step length of the last report's step (s)
        self._table = lattice_table_range(plan)  # the lattice table's x range, or None
        self.problem: Problem | None = None
        self.reader: SocReader | None = None

    # -- phases ----------------------------------------------------------------------
    def open_results(self, overwrite: bool, resume: bool) -> None:
        """Create (or check, for a resume) the results directory; collective."""
        error = None
        if self.rank == 0:
            try:
                if resume:
                    self.checkpoint_state = resume_state(self.out, self.plan.digest)
                else:
                    prepare_results_dir(self.out, overwrite)
                    write_text_atomic(self.out / "config.resolved.yaml", self.plan.config_yaml)
            except ConfigError as exc:
                error = str(exc)
        _collective_check(self.comm, error)
        self.checkpoint_state = self.comm.bcast(self.checkpoint_state, root=0)

    def setup(self) -> None:
        """Mesh, load, build the problem, restore a checkpoint, set up the exporters."""
        plan, comm, timers = self.plan, self.comm, self.record.timers
        self._phase("meshing (or reusing the cached mesh)")
        t = time.perf_counter()
        folder = prepare_mesh(plan, comm)
        timers.add("mesh", time.perf_counter() - t)
        self.record.mesh_folder = folder
        self.stop.check(comm)
        self._phase(f"mesh ready ({timers.wall['mesh']:.1f} s); loading it on {comm.size} rank(s)")
        t = time.perf_counter()
        loaded = load_mesh(comm, folder, split=plan.interfaces is not None)
        timers.add("load_mesh", time.perf_counter() - t)
        self._phase(
            f"mesh loaded ({timers.wall['load_mesh']:.1f} s); setting up the problem (forms are "
            "compiled on first use of a configuration: up to a minute)"
        )
        t = time.perf_counter()
        self.problem = p = build_problem(plan, loaded)
        timers.add("setup", time.perf_counter() - t)
        self._phase(f"set-up done ({timers.wall['setup']:.1f} s)")
        self.stop.check(comm)
        if self.checkpoint_state is not None:
            self._restore(self.checkpoint_state)
        g = plan.geometry
        half = {"box": 0.5 * g.matrix_size_um, "shell": g.matrix_size_um}.get(
            g.matrix, g.particle_radius_um
        )
        self.reader = SocReader(
            p.model,
            loaded.cell_tags,
            loaded.facet_tags,
            loaded.tags,
            p.reader,
            p.lattice,
            section_half_um=min(half, 1.6 * g.particle_radius_um),
            c_rate=plan.loading.c_rate,
        )
        self.exporters = self._exporters()
        for e in self.exporters:
            e.setup()
        if self.rank == 0:
            write_csv_atomic(self.out / "orientations.csv", p.micro.table(), ORIENTATION_COLUMNS)
        self.record.dofs = d = p.dofs()
        if self.rank == 0:
            log.info(
                "%d cells, %d displacement DOFs, %d concentration DOFs on %d rank(s); %d steps",
                d["cells"],
                d["displacement"],
                d["concentration"],
                comm.size,
                len(p.schedule.times_s),
            )

    def _phase(self, text: str) -> None:
        """Progress of the set-up phases (rank 0; the step loop has a bar of its own)."""
        if self.rank == 0:
            log.info("%s", text)

    def _exporters(self) -> list[Exporter]:
        assert self.problem is not None and self.reader is not None
        exporters: list[Exporter] = []
        out = self.plan.output
        if out.fields or out.vtx:
            m, rd = self.problem.model, self.reader
            x_parent = rd.x_parent
            c_parent = fem.Function(x_parent.function_space, name="c_mol_m3")
            grain_id = fem.Function(fem.functionspace(m.mesh, ("DG", 0)), name="grain_id")
            ct = self.problem.mesh.cell_tags
            grain_id.x.array[ct.indices] = ct.values
            grain_id.x.scatter_forward()
            cmax = self.plan.cathode.c_max_mol_m3

            def fill_c() -> None:
                c_parent.x.array[:] = x_parent.x.array * cmax

            name, append = "fields.xdmf", self._continue_series() if out.fields else None
            vtx_name = "fields.bp"
            if self.record.resumed_from is not None:
                # VTX cannot be appended to: a resumed run's reports go to a file of their own.
                vtx_name = f"fields_from_soc_{soc_tag(self.record.resumed_from['soc'])}.bp"
                if self.segmented:  # a SOC recurs: by the number of the next report
                    vtx_name = f"fields_from_report_{len(self.record.reported_soc) + 1:04d}.bp"
                if append is None:
                    name = vtx_name.replace(".bp", ".xdmf")
            exporters.append(
                FieldsExporter(
                    self.out / "fields" / name,
                    m.mesh,
                    vertex_fields={"displacement_um": m.u, "x": x_parent, "c_mol_m3": c_parent},
                    cell_fields={
                        "stress_MPa": rd.sigma,
                        "von_mises_MPa": m.von_mises,
                        "sigma_rr_MPa": rd.s_rr,
                        "sigma_hoop_MPa": rd.s_hoop,
                        "sigma_h_MPa": m.hydrostatic,
                        "grain_id": grain_id,
                    },
                    before_write=fill_c,
                    append_mesh=append,
                    vtx_path=self.out / "fields" / vtx_name if out.vtx else None,
                    xdmf=out.fields,
                )
            )
        exporters += [self.tables, SectionExporter(self.out), self.provenance]
        return exporters

    def _continue_series(self) -> str | None:
        """A resumed run continues the first run's ParaView series (one file set, every
        SOC; its mesh as a grid of its own): the grid name, or None (a fresh run, or a
        series that cannot be continued: the remaining SOCs then go to a file of their
        own). Collective."""
        if self.record.resumed_from is None:
            return None
        name = None
        if self.rank == 0:
            from polycat.exports.series import prepare_append

            keep = self.record.reported_soc
            if self.segmented:  # the series' times are the report numbers
                keep = [float(k + 1) for k in range(len(keep))]
            name = prepare_append(self.out / "fields" / "fields.xdmf", keep)
        return self.comm.bcast(name, root=0)

    def set_step(self, cycle: int, step: int, kind: str, cap_x0: float) -> None:
        """The protocol step being run (summary columns cycle, step, step_type) and the
        x̄ its direction of charge began at (capacity_mAh_g counts from there)."""
        self._cycle, self._step, self._cap_x0 = cycle, (step, kind), cap_x0
        self._hold_loop = None
        if self.rank == 0:
            log.info("cycle %d, step %d (%s)", cycle, step, kind)

    def hold_started(self, loop: HoldLoop) -> None:
        """A protocol's cv step runs in ``loop`` (its state goes into the checkpoints)."""
        self._hold_loop = loop

    def set_current(self, current_A_m2: float | None) -> None:
        """The current density of the next reports (None: the schedule's)."""
        self._current = current_A_m2

    def execute(self) -> None:
        """Step the schedule to the end, reporting at every report SOC."""
        assert self.problem is not None
        p = self.problem
        if self.segmented:
            self._protocol = ProtocolRun(self)
            self._protocol.run(self.record.resumed_from)
            self.record.status = "completed"
            return
        start = 0
        if self.record.resumed_from is not None:
            start = int(self.record.resumed_from["step_index"]) + 1
        loop = SocLoop(
            p.model,
            p.schedule,
            self.record,
            self.plan.loop.max_step_cuts,
            # the damage history of cohesive interfaces follows the whole load path
            mechanics_every_step=self.plan.coupling == "two_way"
            or self.plan.interfaces is not None,
            faults=self.faults,
            progress=self.rank == 0,
            after_step=lambda: self.stop.check(self.comm),
            bounds=surface_bounds(self.plan, p.cell_voltage),
        )
        self._soc_loop = loop
        ld = self.plan.loading
        resumed = self.record.resumed_from or {}
        phase = resumed.get("phase", "cc")
        if phase == "cc":
            try:
                loop.run(start, self.report)
                times = p.schedule.times_s
                end = (
                    float(times[-1]),
                    len(times) - 1,
                    float(times[-1] - (times[-2] if len(times) > 1 else 0.0)),
                )
            except SurfaceLimit as exc:
                if not (ld.protocol and getattr(exc, "limit", "") == "voltage"):
                    raise
                end = (exc.t_s, exc.step_index, exc.dt_s)
            if ld.hold is not None:
                t0, i0, dt0 = end
                self._hold(t0, i0 + 1, dt0, np.inf)
        elif phase == "cc_end":  # resumed after the report the cc step ended on
            if ld.hold is not None:
                t0, i0 = float(resumed["t_s"]), int(resumed["step_index"])
                self._hold(t0, i0 + 1, float(resumed["last_dt_s"]), np.inf)
            elif not ld.protocol:
                raise SurfaceLimit(
                    f"the run had ended on its surface limit at SOC {resumed['soc']:.4f} "
                    "(nothing left to resume)"
                )
        elif phase == "cv_timeout":
            raise StepTimeLimit(
                f"the constant-voltage step had run out of its time at SOC "
                f"{resumed['soc']:.4f} (nothing left to resume)"
            )
        elif phase == "cv":
            self._hold(
                float(resumed["t_s"]),
                int(resumed["step_index"]) + 1,
                float(resumed["hold_dt_s"]),
                float(resumed["hold_rate_prev"]),
                float(resumed["soc"]),
            )
        self.record.status = "completed"

    def _phase_label(self) -> str:
        """Where a checkpoint lies: ``cc`` (inside the cc step), ``cc_end`` (on the state
        it ended on: a bound or its until voltage), ``cv``, or ``cv_end`` / ``cv_timeout``
        (the hold's last state); a resume continues from there."""
        hold = self._hold_loop
        if hold is not None:
            return {"done": "cv_end", "timeout": "cv_timeout"}.get(hold.ending or "", "cv")
        if self._soc_loop is not None and self._soc_loop.ending:
            return "cc_end"
        return "cc"

    def _hold(
        self, t0: float, i0: int, dt0: float, rate_prev: float, last_soc: float | None = None
    ) -> None:
        """The protocol's constant-voltage step from time t0 (step index i0); ``last_soc``:
        a resume's last report SOC inside the hold."""
        assert self.problem is not None
        p, plan = self.problem, self.plan
        hold = plan.loading.hold
        assert hold is not None
        window = plan.loading.x_window
        self._step = (2, "cv")
        self._hold_loop = loop = HoldLoop(
            p.model,
            self.record,
            self.faults,
            hold.voltage_V,
            plan.kinetics.series_resistance_ohm_m2,
            hold.until_c_rate,
            (window[1] - window[0]) / 3600.0,
            lambda x: soc_of_x(x, window),
            plan.loading.soc_step,
            hold.max_s,
            plan.loop.max_dt_s or DEFAULT_HOLD_MAX_DT_S,
            plan.loop.max_step_cuts,
            after_step=lambda: self.stop.check(self.comm),
        )
        sign = 1.0 if plan.loading.mode == "charge" else -1.0

        def on_report(i: int, soc: float, t_s: float, info: StepInfo) -> None:
            self._current = (
                FARADAY * plan.cathode.c_max_mol_m3 * info.flux_um_s * 1e-6
            )  # the held step's current, A/m²
            self.report(i, soc, t_s, info)

        loop.run(t0, dt0, i0, sign, on_report, rate_prev=rate_prev, last_report_soc=last_soc)

    def report(self, i: int, soc: float, t_s: float, info: StepInfo) -> None:
        """Read the state at a report SOC, hand it to every exporter, checkpoint."""
        assert self.reader is not None
        timers, record = self.record.timers, self.record
        t_report = t0 = time.perf_counter()
        loop_values = {
            "mass_balance_error_max": record.max_mass_error,
            "mech_ksp_iterations": info.mechanics.ksp_iterations if info.mechanics else None,
            **self._loading_values(),
        }
        self._last_dt = float(info.dt_s)
        rep = self.reader.read(
            soc, t_s, loop_values, corrupt=functools.partial(self.faults.corrupt, i + 1)
        )
        rep.summary["lattice_table_held"] = self._held(rep.summary)
        number = len(record.reported_soc) + 1
        if self.segmented:  # a SOC recurs: the files and the series by report number
            rep = dataclasses.replace(
                rep, tag=f"r{number:04d}_{soc_tag(soc)}", series_time=float(number)
            )
        for row in (rep.summary, *rep.boundaries, *rep.grains):
            row["report"] = number
        record.peak_rss_mb = peak_rss_mb(self.comm)  # collective; None off rank 0
        timers.add("readers", time.perf_counter() - t0)
        t1 = time.perf_counter()
        record.reported_soc.append(soc)
        for e in self.exporters:
            e.write(rep)
        timers.add("output", time.perf_counter() - t1)
        timers.add("report", time.perf_counter() - t_report)
        if self.segmented and self.rank == 0:
            write_csv_atomic(
                self.out / "cycles.csv",
                cycle_table(self.tables.summary, step_directions(self.plan.loading.steps)),
                CYCLE_COLUMNS,
            )
        if self.plan.loop.checkpoint:
            t = time.perf_counter()
            self._checkpoint(i, soc, t_s, rep.file_tag)
            timers.add("checkpoint", time.perf_counter() - t)

    def _held(self, row: dict[str, Any]) -> int:
        """1 when part of the particle lies beyond the lattice table (by more than the
        landing tolerance) and the table's end values were held there, else 0."""
        table = self._table
        if table is None:
            return 0
        lo, hi = float(row["x_min_particle"]), float(row["x_max_particle"])
        return int(lo < table[0] - LIMIT_X_TOL or hi > table[1] + LIMIT_X_TOL)

    def _loading_values(self) -> dict[str, Any]:
        """The summary entries that say under which load and criteria a row was read:
        the current density through the particle surface and the strengths the risks are
        divided by."""
        assert self.problem is not None
        p, rd = self.problem, self.plan.readers
        molar = molar_mass_g_mol(self.plan.cathode.formula)
        capacity = None  # the charge moved since the direction's start, per gram of CAM
        x_ref = p.schedule.x_start if self._cap_x0 is None else self._cap_x0
        if molar is not None:
            capacity = specific_capacity_mAh_g(abs(p.model.mean_x() - x_ref), molar)
        current = p.current_density_A_m2 if self._current is None else self._current
        return {
            "cycle": self._cycle,
            "step": self._step[0],
            "step_type": self._step[1],
            "current_density_A_m2": current,
            **p.electrochemistry(current),
            "capacity_mAh_g": capacity,
            "gb_strength_MPa": rd.gb_strength_MPa,
            "adhesion_strength_MPa": rd.adhesion_strength_MPa,
        }

    # -- checkpoints -----------------------------------------------------------------
    def _checkpoint(self, i: int, soc: float, t_s: float, tag: str) -> None:
        assert self.problem is not None
        model = self.problem.model
        state = {
            "config_digest": self.plan.digest,
            "step_index": i,
            "soc": soc,
            "t_s": t_s,
            "ranks": self.comm.size,
            "phase": self._phase_label(),
            "last_dt_s": self._last_dt,
            **(
                {}
                if self._hold_loop is None
                else {
                    "hold_dt_s": self._hold_loop.state["dt"],
                    "hold_rate_prev": self._hold_loop.state["rate_prev"],
                }
            ),
            "diffusion": model.history(),
            "segment": None if self._protocol is None else self._protocol.checkpoint_state(i),
            **self.tables.rows(),
            **self.record.counters(),
        }
        extra = None
        if model.cohesive is not None:
            h = model.cohesive.history_state()
            parts = self.comm.gather(tuple(h[k] for k in HISTORY_ARRAYS), 0)
            if parts is not None:
                extra = {
                    f"interface_{k}": np.concatenate([p[i] for p in parts])
                    for i, k in enumerate(HISTORY_ARRAYS)
                }
                extra["interface_dt_last"] = np.array([h["dt_last"]])
        save_checkpoint(self.comm, self.out, tag, state, model.state_functions(), extra)

    def _restore(self, state: dict[str, Any]) -> None:
        assert self.problem is not None
        model = self.problem.model
        load_fields(self.comm, self.out, state, model.state_functions())
        snap: dict[str, Any] = {"history": state["diffusion"]}
        if model.cohesive is not None:
            extra = load_extra(self.out, state)
            snap["interfaces"] = {
                k: extra[f"interface_{k}"]
                for k in HISTORY_ARRAYS
                if f"interface_{k}" in extra  # checkpoints before IMPL-EX: no kappa_old
            }
            if "interface_dt_last" in extra:
                snap["interfaces"]["dt_last"] = float(extra["interface_dt_last"][0])
        model.restore(snap)
        self.tables.restore(state)
        self.record.restore(state)
        if not self.record.reported_soc:
            self.record.reported_soc = [float(r["soc"]) for r in state["summary"]]
        self.record.resumed_from = {
            "soc": state["soc"],
            "step_index": state["step_index"],
            "t_s": state["t_s"],
            "ranks": state["ranks"],
            "phase": state.get("phase", "cc"),
            **{
                k: state[k]
                for k in ("hold_dt_s", "hold_rate_prev", "last_dt_s", "segment")
                if k in state
            },
        }
        if self.rank == 0:
            log.info(
                "resuming after SOC %.2f (step %d, written on %d rank(s))",
                state["soc"],
                state["step_index"] + 1,
                state["ranks"],
            )

    # -- the end ---------------------------------------------------------------------
    def close(self) -> None:
        """Close every exporter (collective for the fields)."""
        for e in self.exporters:
            e.close()

    def finish(self) -> None:
        """Plots and the final run.json (rank 0)."""
        if self.rank != 0:
            return
        self.provenance.write()  # completed, before the plots (a stop there loses no result)
        t = time.perf_counter()
        if self.plan.output.plots:
            build_plots(self.out)
        self.record.timers.add("plots", time.perf_counter() - t)
        self.provenance.write()
        log.info("results in %s (%.1f s)", self.out, time.perf_counter() - self.record.t_start)

    def fail(self, exc: BaseException) -> None:
        """Record a failure or an interruption; keep what was computed (run.json, plots of
        finished SOCs)."""
        self.record.status = exc.status if isinstance(exc, PhysicalEnd) else "failed"
        self.record.error = f"{type(exc).__name__}: {exc}"
        if isinstance(exc, RunInterrupted):
            last = self.record.reported_soc[-1] if self.record.reported_soc else None
            exc.results_dir, exc.last_soc = str(self.out), last
            self.record.status = "interrupted"
            done = f"after SOC {last:g}" if last is not None else "before the first report SOC"
            self.record.error = f"{exc} {done}"
        if self.rank == 0 and self.out.is_dir():
            self.provenance.write()
            if self.tables.summary and self.plan.output.plots:
                build_plots(self.out)


def _interfaces_meta(plan: RunPlan) -> dict[str, Any] | None:
    """The cohesive interfaces as run: laws and how the mesh resolves their zones."""
    spec = plan.interfaces
    if spec is None:
        return None
    law = {
        name: {
            "initial_stiffness_MPa_per_um": lw.k0,
            "strength_MPa": lw.strength,
            "fracture_energy_J_m2": lw.energy,
            "shear_strength_MPa": lw.shear_strength or lw.strength,
            "contact_stiffness_MPa_per_um": lw.kc,
            "residual_stiffness_fraction": lw.residual,
            "breakable": lw.breakable,
        }
        for name, lw in (("grain_boundary", spec.gb), ("cathode_electrolyte", spec.cse))
    }
    return {
        "laws": law,
        "resolution": spec.resolution_dict(),
        "li_transport": {
            "grain_boundary": spec.gb_transport,
            "cathode_electrolyte": spec.cse_transport,
            "gb_transmission_um_s": spec.h_gb_um_s,
        },
        "viscous_regularization_s": spec.viscosity_s,
        "integration": spec.integration,
    }


def run(
    plan: RunPlan,
    overwrite: bool = False,
    comm: MPI.Comm | None = None,
    resume: bool = False,
    stop: StopRequests | None = None,
) -> Path:
    """Mesh, solve and report one plan on `comm` (default COMM_WORLD); returns the results
    directory. ``resume``: continue the interrupted run in ``plan.output.dir`` from its
    last checkpoint (from the start when it has none). ``stop``: the stop requests (signal
    handlers) of the command line; a first SIGINT/SIGTERM/SIGHUP ends the run at the end
    of the current step with a :class:`RunInterrupted` (run.json: ``interrupted``).

    Error policy: SolverError, ConfigError and GeometryError are raised on every rank
    alike and propagate (run.json says ``failed``, every finished SOC stays on disk). Any
    other exception may have struck one rank only while the others wait in a collective:
    on more than one rank it is printed once, from that rank, and the job is aborted.
    """
    comm = comm if comm is not None else MPI.COMM_WORLD
    if stop is not None:
        stop.install()  # again: the solver stack imported since may have set its own
    r = RunSession(plan, comm, stop)
    r.open_results(overwrite, resume)
    try:
        try:
            r.setup()
            r.execute()
        except PetscOptionsError as exc:  # raised on every rank: the same options
            raise ConfigError(petsc_option_field(exc)) from None
    except BaseException as caught:
        err = caught
        if not isinstance(err, RunInterrupted) and r.stop.requested:
            # The signal also reached this process's children (a terminal's Ctrl-C hits
            # its whole process group): the C compiler of a JIT compilation dies with it
            # and FFCx raises. What failed under a stop request was interrupted.
            assert r.stop.signum is not None
            err = RunInterrupted(r.stop.signum, immediate=True)
            err.__cause__ = caught
        r.fail(err)
        collective = isinstance(err, COLLECTIVE_ERRORS) or (
            isinstance(err, RunInterrupted) and not err.immediate
        )
        if isinstance(err, RunInterrupted) and err.immediate and comm.size > 1:
            abort_job(comm, f"error: {r.record.error} (rank {r.rank})", err.exit_code)
        if err is not caught:
            raise err from caught
        if not collective and comm.size > 1:
            # No collective clean-up (closing the field file would wait for the other
            # ranks forever): say what happened once, from this rank, and end the job.
            abort_job(comm, f"error ({type(err).__name__}) on rank {r.rank}: {err}", 1)
        raise
    finally:
        r.close()
    r.finish()
    return r.out
