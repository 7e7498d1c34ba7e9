"""Li transport checks on every rank of the job (run under mpiexec -n 2).

- Gorsky equilibrium with Θ ≠ 1 (tests/verification/test_v6_gorsky.py: NCM811 U(x),
  2000 MPa drop) on a bar distributed over COMM_WORLD: nodal x vs the closed form
  U(x) = C − Ωσ_h/F to the serial tolerance.
- Anisotropic diffusion in a rotated grain (tests/verification/test_v10_anisotropic_
  diffusion.py): the two modes' decay rates vs λ_ab and λ_c, distributed.
- Butler–Volmer kinetics (tests/verification/test_v11_butler_volmer.py): the closed-form
  voltage of a fast diffuser, and the slow-diffusion voltage equal to the serial run's
  (the bordered Newton's potential update is a global reduction).
- Potentiostatic steps (tests/verification/test_v3_potentiostatic.py): the held surface
  vs Crank's series, and a Butler–Volmer hold with a series resistance vs the ODE of the
  uniform particle.

Each case reduces its errors over the ranks before it checks them.
"""

from __future__ import annotations

import numpy as np

from verification import test_v3_potentiostatic as v3
from verification import test_v10_anisotropic_diffusion as v10
from verification import test_v11_butler_volmer as v11
from verification.test_v6_gorsky import test_gorsky_equilibrium_non_ideal as non_ideal_case


def test_gorsky_non_ideal_distributed() -> None:
    non_ideal_case()


def test_anisotropic_diffusion_distributed() -> None:
    a, b, err, _ = v10._run(v10.Q_ARBITRARY)
    assert abs(-np.log(a / v10.A0) - 1.0) <= 5e-3
    assert abs(-np.log(b / v10.B0) / v10.RATIO - 1.0) <= 5e-3
    assert err <= 2e-3 * v10.A0


def test_butler_volmer_distributed() -> None:
    v11.test_fast_diffusion_follows_closed_form(v11.ButlerVolmer(0.2))
    model, out = v11.run_sphere(v11.ButlerVolmer(0.2), 1e-15, 0.25, 200.0, 1000.0)
    # the serial run of the same case (h = 0.25 µm, Δt = 200 s): 3.879267167016215 V,
    # interface mean x 0.5871151104666988
    assert abs(out[-1][1] - 3.879267167016215) <= 1e-10
    assert abs(model.surface_x() - 0.5871151104666988) <= 1e-10


def test_potentiostatic_distributed() -> None:
    v3.test_held_surface_follows_crank()
    v3.test_butler_volmer_hold_follows_the_uniform_particle(5e-3)
