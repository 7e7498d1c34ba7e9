"""The coupled model gives the same numbers on 1 and N ranks (run under mpiexec -n 2).

Rank 0 builds an eight-grain particle in a box of solid electrolyte with Gmsh and writes
it to a shared .msh file; every rank then reads it twice: distributed over COMM_WORLD and
whole on COMM_SELF. Both models (random grain orientations, anisotropic LiCrO2 test
stiffness, charge steps with mechanics) must agree on the particle volume, interface
area, mean/min/max x, displacement norm and the extremes of von Mises and hydrostatic
stress to 1e-6 relative (solver tolerances 1e-10; observed ~1e-10). Cases: one-way P2
free; one-way P2 confined on a mesh ghosted across partition facets (as interior-facet
readers need); two-way P1 under stack pressure. Serially the test still runs (both
communicators then have one rank).
"""

from __future__ import annotations

from pathlib import Path

from mpi4py import MPI

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

import ufl
from dolfinx import fem

from polycat.fem import ChemoMechanicsModel, MatrixPhase, MechanicsBC, SolverSettings
from support import meshes
from support.helpers import LICRO2_MPA, LinearLattice, cathode, von_mises_function

PLANES = [((0, 0, 1), 0.3), ((1, 0, 0), 0.2), ((0, 1, 0), -0.25)]


@pytest.fixture(scope="module")
def msh_file(shared_dir: Path) -> Path:
    comm = MPI.COMM_WORLD
    path = shared_dir / "particle.msh"
    if comm.rank == 0:
        meshes.cut_sphere(MPI.COMM_SELF, 1.0, 0.3, PLANES, box_half=2.0, h_out=0.8, msh_file=path)
    comm.barrier()
    return path


def _quantities(
    comm: MPI.Comm, path: Path, coupling: str, bc: MechanicsBC, shared_facet: bool = False
) -> np.ndarray:
    m = meshes.load_msh(path, comm, shared_facet)
    rots = Rotation.random(len(m.grain_tags), random_state=5).as_matrix()
    model = ChemoMechanicsModel(
        m.mesh,
        m.cell_tags,
        m.facet_tags,
        grain_tags=m.grain_tags,
        matrix_tag=m.matrix_tag,
        interface_tags=m.interface_tags,
        outer=m.outer,
        rotations={t: rots[i] for i, t in enumerate(m.grain_tags)},
        cathode=cathode(LICRO2_MPA, LinearLattice(-0.02, 0.03, 1.0), D_m2_s=1e-15),
        matrix=MatrixPhase(22.1e3, 0.37),
        bc=bc,
        settings=SolverSettings(
            element_degree=2 if coupling == "one_way" else 1, ksp_rtol=1e-10, coupling_tol=1e-8
        ),
        coupling=coupling,  # type: ignore[arg-type]
    )
    model.set_uniform_x(0.9)
    for _ in range(2 if coupling == "one_way" else 1):
        info = model.step(10.0, -2e-3)
        assert info.mass_balance_error <= 1e-8
    vm = von_mises_function(model)
    sh = fem.Function(vm.function_space)
    points = vm.function_space.element.interpolation_points
    sh.interpolate(fem.Expression(model.hydrostatic, points))

    def gmax(a: np.ndarray) -> float:
        return float(comm.allreduce(a.max(initial=-np.inf), op=MPI.MAX))

    u_norm2 = comm.allreduce(
        fem.assemble_scalar(fem.form(ufl.inner(model.u, model.u) * ufl.dx)), op=MPI.SUM
    )
    x = model.x.x.array
    return np.array(
        [
            model.particle_volume,
            model.interface_area,
            model.mean_x(),
            gmax(x),
            -gmax(-x),
            np.sqrt(u_norm2),
            gmax(vm.x.array),
            gmax(sh.x.array),
            -gmax(-sh.x.array),
        ]
    )


@pytest.mark.timeout(300)
@pytest.mark.parametrize(
    ("coupling", "bc", "shared_facet"),
    [
        ("one_way", MechanicsBC("free"), False),
        ("one_way", MechanicsBC("confined"), True),
        ("two_way", MechanicsBC("stack_pressure", 20.0), False),
    ],
)
def test_same_numbers_on_world_and_self(
    msh_file: Path, coupling: str, bc: MechanicsBC, shared_facet: bool
) -> None:
    world = _quantities(MPI.COMM_WORLD, msh_file, coupling, bc, shared_facet)
    serial = _quantities(MPI.COMM_SELF, msh_file, coupling, bc)
    assert abs(world[6]) > 10.0  # von Mises max: a stressed state, MPa
    assert np.allclose(world, serial, rtol=1e-6, atol=0.0), np.abs(world / serial - 1.0)
