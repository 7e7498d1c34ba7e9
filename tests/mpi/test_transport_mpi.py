"""Li transport checks on every rank of the job (run under mpiexec -n 2).

- Gorsky equilibrium with Θ ≠ 1 (tests/verification/test_v6_gorsky.py: NCM811 U(x),
  2000 MPa drop) on a bar distributed over COMM_WORLD: nodal x vs the closed form
  U(x) = C − Ωσ_h/F to the serial tolerance.
- Anisotropic diffusion in a rotated grain (tests/verification/test_v10_anisotropic_
  diffusion.py): the two modes' decay rates vs λ_ab and λ_c, distributed.

Each case reduces its errors over the ranks before it checks them.
"""

from __future__ import annotations

import numpy as np

from verification import test_v10_anisotropic_diffusion as v10
from verification.test_v6_gorsky import test_gorsky_equilibrium_non_ideal as non_ideal_case


def test_gorsky_non_ideal_distributed() -> None:
    non_ideal_case()


def test_anisotropic_diffusion_distributed() -> None:
    a, b, err, _ = v10._run(v10.Q_ARBITRARY)
    assert abs(-np.log(a / v10.A0) - 1.0) <= 5e-3
    assert abs(-np.log(b / v10.B0) / v10.RATIO - 1.0) <= 5e-3
    assert err <= 2e-3 * v10.A0
