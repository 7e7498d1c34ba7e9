"""The FEM problem of a run, built from its plan, its mesh and a communicator."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import dolfinx_solver  # noqa: F401  (orders MPI ahead of the DOLFINx bindings)

import numpy as np

from polycat.config.plan import RunPlan, StepSpec
from polycat.errors import PetscOptionsError
from polycat.fem.diffusion import DIFF_PREFIX, SurfaceKinetics
from polycat.fem.elasticity import MECH_PREFIX
from polycat.fem.interfaces.mechanics import InterfaceLaws, InterfaceSetup
from polycat.fem.model import ChemoMechanicsModel
from polycat.fem.phases import CathodePhase, MatrixPhase
from polycat.materials import LatticeStrainLaw, TabulatedLatticeStrain
from polycat.materials.kinetics import FARADAY
from polycat.mesh import LoadedMesh
from polycat.microstructure import Microstructure, build_microstructure
from polycat.post.readers import ReaderSettings
from polycat.schedule import Schedule, build_schedule
from polycat.simulation.loop import SurfaceBounds

__all__ = [
    "Problem",
    "build_problem",
    "lattice_table_range",
    "petsc_option_field",
    "surface_bounds",
]

PETSC_OPTION_FIELDS = {
    MECH_PREFIX: "solver.petsc_mechanics",
    DIFF_PREFIX: "solver.petsc_diffusion",
}
"""Config field of the user's PETSc options, by solver prefix (for error messages)."""


def petsc_option_field(exc: PetscOptionsError) -> str:
    """The user-facing message of unused PETSc options, naming their config field."""
    return exc.describe(PETSC_OPTION_FIELDS.get(exc.prefix, f"PETSc options ({exc.prefix})"))


def lattice_table_range(plan: RunPlan) -> tuple[float, float] | None:
    """The x range of the cathode's lattice-strain table, or None for a law defined on
    the whole of [0, 1]."""
    lattice = plan.cathode.lattice_strain
    if not isinstance(lattice, TabulatedLatticeStrain):
        return None
    lo, hi = lattice.x_range
    return float(lo), float(hi)


def surface_bounds(
    plan: RunPlan,
    voltage: Callable[[], float | None] | None = None,
    step: StepSpec | None = None,
    where: str = "loading.cutoff_V",
) -> SurfaceBounds | None:
    """Where the run must end (the far side of its direction only): where the particle's
    x reaches the lattice table's end (``loading.extrapolate: stop``), and where the cell
    voltage ``voltage()`` (:meth:`Problem.cell_voltage`) reaches the cut-off
    ``loading.cutoff_V``; None: nowhere. ``step``: a protocol's cc step instead (its
    direction, its until voltage; ``where`` names it)."""
    ld, cathode = plan.loading, plan.cathode
    mode: str | None = ld.mode
    cutoff = ld.cutoff_V
    if step is not None:
        mode, cutoff = step.direction, step.until_voltage_V
    charge = mode == "charge"
    bounds: dict[str, Any] = {}
    table = lattice_table_range(plan)
    if table is not None and ld.extrapolate == "stop":
        end = table[0] if charge else table[1]
        why = (
            f"the particle's x reached the end of the {cathode.name} lattice-strain table "
            f"(x = {end:.4f})"
        )
        bounds.update({"x_min": end, "why_min": why} if charge else {"x_max": end, "why_max": why})
    if cutoff is not None:
        if voltage is None:
            raise ValueError("a cut-off voltage needs the voltage of the run's state")
        V = float(cutoff)
        bounds["v_max" if charge else "v_min"] = V
        bounds["why_v"] = f"the cell voltage reached the cut-off {V:g} V ({where})"
        bounds["voltage"] = voltage
    return SurfaceBounds(**bounds) if bounds else None


@dataclass
class Problem:
    """The solved-for objects of one run.

    Attributes:
        plan: the run plan; mesh: the loaded mesh with its typed tags.
        micro: grain orientations; model: the coupled FEM problem.
        lattice: the lattice law the model uses (a measured table holds its end values
            beyond its range, reported by the readers).
        reader: the reader settings; schedule: the time steps and report points.
    """

    plan: RunPlan
    mesh: LoadedMesh
    micro: Microstructure
    model: ChemoMechanicsModel
    lattice: LatticeStrainLaw
    reader: ReaderSettings
    schedule: Schedule

    @property
    def current_density_A_m2(self) -> float:
        """The mean current density through the CAM–SE interface (A/m², anodic positive:
        > 0 on charge)."""
        flux_um_s = self.model.flux_for_rate(self.schedule.rate_per_s)  # outward x flux
        return FARADAY * self.plan.cathode.c_max_mol_m3 * flux_um_s * 1e-6

    def electrochemistry(self, current_A_m2: float | None = None) -> dict[str, float | None]:
        """Voltage, mean overpotential of the current state (collective), V vs Li/Li⁺, at
        the mean current density ``current_A_m2`` (default: the schedule's).

        Butler–Volmer: V = Φ + i R_s and η̄ = Φ − ⟨U(x)⟩ (interface average); uniform
        flux: V = ⟨U(x)⟩ + i R_s and no overpotential. None without a U(x)."""
        model = self.model
        u_surface = model.surface_ocv()
        phi = model.electrode_potential()
        current = self.current_density_A_m2 if current_A_m2 is None else current_A_m2
        drop = current * self.plan.kinetics.series_resistance_ohm_m2
        if phi is not None:
            eta = None if u_surface is None else phi - u_surface
            return {"voltage_V": phi + drop, "overpotential_V": eta}
        voltage = None if u_surface is None else u_surface + drop
        return {"voltage_V": voltage, "overpotential_V": None}

    def cell_voltage(self) -> float | None:
        """The cell voltage of the current state (:meth:`electrochemistry`)."""
        return self.electrochemistry()["voltage_V"]

    def dofs(self) -> dict[str, int]:
        """Global DOF counts (displacement, concentration) and the number of cells."""
        n = self.model.num_dofs
        msh = self.mesh.mesh
        return {
            "displacement": n["u"],
            "concentration": n["x"],
            "cells": int(msh.topology.index_map(msh.topology.dim).size_global),
        }


def build_problem(plan: RunPlan, loaded: LoadedMesh) -> Problem:
    """The FEM problem of ``plan`` on the distributed mesh ``loaded`` (collective).

    Raises:
        PetscOptionsError: a PETSc option of the config was not used by its solver
            (:func:`petsc_option_field` names the field).
    """
    tags = loaded.tags
    gtab = loaded.grains
    order = np.argsort(np.asarray(gtab["grain"], dtype=np.int64))
    cents = np.stack(
        [np.asarray(gtab[f"centroid_{a}_um"], dtype=np.float64)[order] for a in "xyz"], axis=1
    )
    grain_ids = list(tags.grains)
    micro = build_microstructure(plan.orientation, grain_ids, cents)
    cathode, se = plan.cathode, plan.electrolyte
    lattice: LatticeStrainLaw = cathode.lattice_strain
    if isinstance(lattice, TabulatedLatticeStrain):
        # Near the end of a fast charge the surface x runs below the measured table
        # while the mean stays inside it; hold the end values there (reported as
        # x_min_particle in summary.csv) instead of extrapolating a measurement.
        lattice = dataclasses.replace(lattice, out_of_range="clip")
    phase = CathodePhase(
        C_crystal_MPa=np.asarray(cathode.elasticity.voigt_GPa(), dtype=np.float64) * 1e3,
        lattice=lattice,
        diffusivity=cathode.diffusivity,
        c_max_mol_m3=cathode.c_max_mol_m3,
        ocv=cathode.ocv if plan.thermodynamic_factor == "ocv" else None,
        diffusion_anisotropy=cathode.diffusion_anisotropy,
    )
    matrix = MatrixPhase(E_MPa=se.E_GPa * 1e3, nu=se.nu) if se is not None else None
    interfaces = None
    if plan.interfaces is not None:
        if loaded.split is None:
            raise ValueError("cohesive interfaces need the split mesh (load_mesh(split=True))")
        spec = plan.interfaces
        interfaces = InterfaceSetup(
            loaded.split.pair_facets,
            loaded.split.pair_tag,
            InterfaceLaws(spec.gb, spec.cse),
            h_gb=spec.h_gb_um_s,
            viscosity_s=spec.viscosity_s,
            integration=spec.integration,
            gb_transport=spec.gb_transport,
            cse_transport=spec.cse_transport,
        )
    model = ChemoMechanicsModel(
        loaded.mesh,
        loaded.cell_tags,
        loaded.facet_tags,
        grain_tags=grain_ids,
        matrix_tag=tags.electrolyte,
        interface_tags=sorted(tags.interface),
        outer=tags.outer,
        rotations=micro.rotation_of(),
        cathode=phase,
        matrix=matrix,
        bc=plan.mechanics.bc,
        settings=plan.solver,
        coupling=plan.coupling,
        temperature_K=plan.mechanics.temperature_K,
        interfaces=interfaces,
        kinetics=None
        if plan.kinetics.law is None
        else SurfaceKinetics(
            plan.kinetics.law, cathode.ocv, cathode.c_max_mol_m3, plan.mechanics.temperature_K
        ),
        report_ocv=cathode.ocv,
    )
    g, rd = plan.geometry, plan.readers
    reader = ReaderSettings(
        particle_radius_um=g.profile_radius_um,  # R; a mesh file: its largest grain radius
        profile_outer_um=plan.outer_radius_um,
        gdim=g.dim,
        c_max_mol_m3=cathode.c_max_mol_m3,
        gb_strength_MPa=rd.gb_strength_MPa,
        gb_shear_strength_MPa=rd.gb_shear_strength_MPa,
        adhesion_strength_MPa=rd.adhesion_strength_MPa,
        n_bins=rd.profile_bins,
        grain_tags=tuple(grain_ids),
        matrix_tag=tags.electrolyte,
        gb_pairs=dict(tags.gb),
        interface_grain=dict(tags.interface),
    )
    ld, lp = plan.loading, plan.loop
    schedule = build_schedule(
        ld.x_start, ld.x_end, ld.c_rate, ld.report_soc, lp.steps_per_report, lp.max_dt_s,
        x_window=ld.x_window,
    )  # fmt: skip
    model.set_uniform_x(schedule.x_start)
    return Problem(plan, loaded, micro, model, lattice, reader, schedule)
