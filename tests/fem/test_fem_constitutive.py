"""The UFL constitutive law against an independent numpy computation.

A homogeneous displacement gradient u = G X is interpolated (exactly) into the
displacement space; with a uniform Li fraction every grain then carries the uniform
stress σ = C'_g : (ε − R ε*_c Rᵀ), C'_ijkl = R_ia R_jb R_kc R_ld C_abcd, computed here with
a 4th-order tensor built from the Voigt matrix (11, 22, 33, 23, 13, 12; engineering
shear) — no Bond matrices, no UFL. The solid electrolyte carries λ tr ε I + 2 μ ε.
Tolerance 1e-10 relative. Also checks von Mises and the DG0/DG1 interpolation helpers.
"""

from __future__ import annotations

from mpi4py import MPI

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from polycat.fem import ChemoMechanicsModel, MatrixPhase, MechanicsBC, SolverSettings
from support import meshes
from support.helpers import LICRO2_MPA, LinearLattice, cathode, stress_function, von_mises_function

VOIGT = {(0, 0): 0, (1, 1): 1, (2, 2): 2, (1, 2): 3, (2, 1): 3, (0, 2): 4, (2, 0): 4}
VOIGT |= {(0, 1): 5, (1, 0): 5}


def voigt_to_c4(C: np.ndarray) -> np.ndarray:
    C4 = np.zeros((3, 3, 3, 3))
    for i, j, k, m in np.ndindex(3, 3, 3, 3):
        C4[i, j, k, m] = C[VOIGT[i, j], VOIGT[k, m]]
    return C4


@pytest.mark.parametrize("degree", [1, 2])
def test_rotated_anisotropic_stress(degree: int) -> None:
    m = meshes.cut_sphere(
        MPI.COMM_WORLD, 1.0, 0.5, [((0, 0, 1), 0.1), ((1, 1, 0), 0.0)], box_half=1.5, h_out=0.8
    )
    rots = Rotation.random(len(m.grain_tags), random_state=11).as_matrix()
    rotations = {t: rots[i] for i, t in enumerate(m.grain_tags)}
    lattice = LinearLattice(-0.02, 0.03, 0.2)
    E_m, nu_m = 22.1e3, 0.37
    model = ChemoMechanicsModel(
        m.mesh,
        m.cell_tags,
        m.facet_tags,
        grain_tags=m.grain_tags,
        matrix_tag=m.matrix_tag,
        interface_tags=m.interface_tags,
        outer=m.outer,
        rotations=rotations,
        cathode=cathode(LICRO2_MPA, lattice),
        matrix=MatrixPhase(E_m, nu_m),
        bc=MechanicsBC("free"),
        settings=SolverSettings(element_degree=degree),
    )
    x0 = 0.7
    model.set_uniform_x(x0)
    model.update_eigenstrain()
    G = np.array([[1.0, 0.3, -0.2], [0.1, -0.5, 0.4], [0.25, 0.05, 0.8]]) * 1e-2
    model.u.interpolate(lambda X: G @ X)
    eps = 0.5 * (G + G.T)
    ea, ec = lattice.strains(np.array(x0))
    C4 = voigt_to_c4(LICRO2_MPA)
    lam, mu = MatrixPhase(E_m, nu_m).lame
    sigma_m = lam * np.trace(eps) * np.eye(3) + 2 * mu * eps

    stress = stress_function(model, 0)
    vm = von_mises_function(model, 0)
    V = stress.function_space
    tdim = m.mesh.topology.dim
    n_cells = m.mesh.topology.index_map(tdim).size_local
    tag_of = np.full(n_cells, -1)
    keep = m.cell_tags.indices < n_cells
    tag_of[m.cell_tags.indices[keep]] = m.cell_tags.values[keep]
    dofs = V.dofmap.list[:n_cells, 0]
    S = stress.x.array.reshape(-1, 9)[dofs].reshape(-1, 3, 3)
    VM = vm.x.array[vm.function_space.dofmap.list[:n_cells, 0]]
    scale = np.abs(LICRO2_MPA).max() * 0.03
    for tag, R in rotations.items():
        Cr = np.einsum("ia,jb,kc,ld,abcd->ijkl", R, R, R, R, C4)
        eps_star = R @ np.diag([ea, ea, ec]) @ R.T
        expected = np.einsum("ijkl,kl->ij", Cr, eps - eps_star)
        cells = tag_of == tag
        assert np.abs(S[cells] - expected).max() <= 1e-10 * scale, f"grain {tag}"
        dev = expected - np.trace(expected) / 3 * np.eye(3)
        assert np.allclose(VM[cells], np.sqrt(1.5 * np.sum(dev * dev)), rtol=1e-10)
    cells = tag_of == m.matrix_tag
    assert cells.any()
    assert np.abs(S[cells] - sigma_m).max() <= 1e-10 * scale
