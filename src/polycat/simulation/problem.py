"""The FEM problem of a run, built from its plan, its mesh and a communicator."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import dolfinx_solver  # noqa: F401  (orders MPI ahead of the DOLFINx bindings)

import numpy as np

from polycat.config.plan import RunPlan
from polycat.errors import PetscOptionsError
from polycat.fem.diffusion import DIFF_PREFIX
from polycat.fem.elasticity import MECH_PREFIX
from polycat.fem.interfaces.mechanics import InterfaceLaws, InterfaceSetup
from polycat.fem.model import ChemoMechanicsModel
from polycat.fem.phases import CathodePhase, MatrixPhase
from polycat.materials import LatticeStrainLaw, TabulatedLatticeStrain
from polycat.mesh import LoadedMesh
from polycat.microstructure import Microstructure, build_microstructure
from polycat.post.readers import ReaderSettings
from polycat.schedule import Schedule, build_schedule

__all__ = ["Problem", "build_problem", "petsc_option_field"]

PETSC_OPTION_FIELDS = {
    MECH_PREFIX: "solver.petsc_mechanics",
    DIFF_PREFIX: "solver.petsc_diffusion",
}
"""Config field of the user's PETSc options, by solver prefix (for error messages)."""


def petsc_option_field(exc: PetscOptionsError) -> str:
    """The user-facing message of unused PETSc options, naming their config field."""
    return exc.describe(PETSC_OPTION_FIELDS.get(exc.prefix, f"PETSc options ({exc.prefix})"))


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
    )
    g, rd = plan.geometry, plan.readers
    reader = ReaderSettings(
        particle_radius_um=g.particle_radius_um,
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
