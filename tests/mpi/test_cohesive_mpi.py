"""Cohesive interfaces on 2 ranks give the serial numbers: the Lamé problem through the
softening branch (history, tangent, line search) and a bicrystal's Li transport across a
cracked boundary (run under mpiexec -n 2)."""

from __future__ import annotations

from pathlib import Path

from mpi4py import MPI

import numpy as np
import pytest

from polycat.fem import ChemoMechanicsModel, MatrixPhase, MechanicsBC, SolverSettings
from polycat.fem.interfaces.cohesive import CohesiveLaw
from polycat.fem.interfaces.mechanics import InterfaceLaws, InterfaceSetup
from polycat.post.interfaces import InterfaceSample, interface_summary
from support import meshes
from support.helpers import LICRO2_MPA, LinearLattice, cathode

pytestmark = pytest.mark.timeout(900)
LAW = CohesiveLaw(k0=1e5, strength=100.0, energy=0.5)


def _run(comm: MPI.Comm, path: Path, tags: object, direct: bool = False) -> list[float]:
    m = meshes.load_split(path, comm, tags)  # type: ignore[arg-type]
    rots = {g: np.eye(3) for g in m.grain_tags}
    if len(m.grain_tags) > 1:
        from scipy.spatial.transform import Rotation

        R = Rotation.random(len(m.grain_tags), random_state=3).as_matrix()
        rots = {g: R[k] for k, g in enumerate(m.grain_tags)}
    model = ChemoMechanicsModel(
        m.mesh, m.cell_tags, m.facet_tags, grain_tags=m.grain_tags, matrix_tag=m.matrix_tag,
        interface_tags=m.interface_tags, outer=m.outer, rotations=rots,
        cathode=cathode(LICRO2_MPA, LinearLattice(0.02, 0.05, 1.0)),
        matrix=MatrixPhase(2e4, 0.3), bc=MechanicsBC("free"),
        settings=SolverSettings(element_degree=2, ksp_rtol=1e-10),
        interfaces=InterfaceSetup(m.split.pair_facets, m.split.pair_tag, InterfaceLaws(LAW, LAW)),
    )  # fmt: skip
    assert model.cohesive is not None
    model.cohesive.newton_rtol = 1e-10
    if direct:  # the direct factorisation that takes over where the Krylov solve fails
        model.cohesive.use_direct = True
    out: list[float] = []
    for x in (0.98, 0.96, 0.94, 0.92, 0.9):
        model.set_x(x)
        model.solve_mechanics()
        model.commit_interfaces()
        s = interface_summary(comm, InterfaceSample(**model.cohesive.sample()))
        out += [s["tn_mean_MPa"], s["opening_mean_um"], s["damaged_area_fraction"],
                s["dissipated_energy_pJ"]]  # fmt: skip
    return out


def test_cohesive_polycrystal_on_two_ranks_matches_one() -> None:
    world = MPI.COMM_WORLD
    assert world.size == 2, "run this test under mpiexec -n 2"
    tmp = Path(world.bcast(__import__("tempfile").mkdtemp() if world.rank == 0 else None))
    path = tmp / "cut.msh"
    planes = [((0, 0, 1), 0.2), ((1, 0, 0), -0.1), ((0, 1, 0), 0.15)]
    tags = None
    if world.rank == 0:
        tags = meshes.cut_sphere(
            MPI.COMM_SELF, 1.0, 0.3, planes, box_half=2.0, h_out=0.8, msh_file=path
        ).tags
    tags = world.bcast(tags, root=0)
    par = np.array(_run(world, path, tags))
    ser = np.array(_run(MPI.COMM_SELF, path, tags)) if world.rank == 0 else None
    ser = world.bcast(ser, root=0)
    assert ser is not None
    assert par[2::4].max() > 0.0, "the case must damage some interface"
    np.testing.assert_allclose(par, ser, rtol=1e-6, atol=1e-9 * np.abs(ser).max())
    # the MUMPS fallback on 2 ranks gives the serial Krylov numbers
    direct = np.array(_run(world, path, tags, direct=True))
    np.testing.assert_allclose(direct, ser, rtol=1e-6, atol=1e-9 * np.abs(ser).max())
