"""V11: galvanostatic Butler–Volmer kinetics and the particle voltage.

A sphere (R = 1 µm, NCM811 U(x) of Chen 2020, c_max = 5e4 mol/m³) charged at
dx̄/dt = −2e-4 /s with one electrode potential Φ fixed by the total current
(docs/verification.md V11):

- fast diffusion (D = 1e-11 m²/s, R²/D = 0.1 s): x stays uniform to R²|ẋ|/(15 D) = 1.3e-6,
  so Φ(t) = U(x̄(t)) + η with the closed-form overpotential of a uniform current density i:
  η = (2RT/F) asinh(i/(2 i₀(x̄))) for α_a = α_c = 1/2 (η ≈ 38 mV here), and the root of
  i = i₀(e^{α_a f η} − e^{−α_c f η}) for α_a ≠ α_c. Checked to 1e-5 V at every step (the
  residual 1e-6 V is the x gradient times dU/dx); a wrong factor 2 in η is 19 mV off.
- slow diffusion (D = 1e-15 m²/s, R²/D = 1000 s): the voltage after 1000 s converges in
  h (differences 2.6 mV, 0.7 mV: second order) and in Δt (backward Euler, quasi-steady:
  1.5 µV, 0.1 µV).
- every step conserves mass (the constraint ∫ j ds = j̄ A holds to round-off).
"""

from __future__ import annotations

from mpi4py import MPI

import numpy as np
import pytest

from polycat.fem import (
    CathodePhase,
    ChemoMechanicsModel,
    ConstantDiffusivity,
    SolverSettings,
)
from polycat.fem.diffusion import SurfaceKinetics
from polycat.materials.kinetics import FARADAY, GAS_CONSTANT, ButlerVolmer
from polycat.materials.ocv import Chen2020NmcOcv
from support import meshes
from support.helpers import LinearLattice, free_particle_model, isotropic_voigt

R_UM, C_MAX, T_K, RATE, X0 = 1.0, 5e4, 298.15, -2e-4, 0.8
OCV = Chen2020NmcOcv()


def build_sphere(
    law: ButlerVolmer | None, D: float, h: float, time_scheme: str = "backward_euler"
) -> ChemoMechanicsModel:
    """The sphere at x = X0 with Butler–Volmer kinetics ``law`` (None: uniform flux)."""
    m = meshes.sphere(MPI.COMM_WORLD, R_UM, h)
    phase = CathodePhase(
        isotropic_voigt(140e3, 0.3), LinearLattice(0.0, 0.0, 0.5), ConstantDiffusivity(D), C_MAX
    )
    model = free_particle_model(
        m,
        phase,
        SolverSettings(time_scheme=time_scheme),  # type: ignore[arg-type]
        kinetics=None if law is None else SurfaceKinetics(law, OCV, C_MAX, T_K),
        report_ocv=OCV,
    )
    model.set_uniform_x(X0)
    return model


def run_sphere(
    law: ButlerVolmer, D: float, h: float, dt: float, t_end: float
) -> tuple[ChemoMechanicsModel, list[tuple[float, float, float]]]:
    """(model, [(x̄, Φ, mass balance error) per step]) of a BV charge of the sphere."""
    model = build_sphere(law, D, h)
    out = []
    for _ in range(round(t_end / dt)):
        info = model.step(dt, RATE, mechanics=False)
        phi = model.electrode_potential()
        assert phi is not None
        out.append((model.mean_x(), phi, info.mass_balance_error))
    return model, out


@pytest.mark.parametrize(
    "law",
    [ButlerVolmer(0.2), ButlerVolmer(0.2, alpha_a=0.3, alpha_c=0.7, x_dependence="constant")],
    ids=["symmetric", "asymmetric"],
)
def test_fast_diffusion_follows_closed_form(law: ButlerVolmer) -> None:
    model, out = run_sphere(law, 1e-11, 0.5, 100.0, 1000.0)
    i = model.flux_for_rate(RATE) * FARADAY * C_MAX * 1e-6  # the discrete mesh's V/A
    assert i > 0.0  # charge: anodic
    f = FARADAY / (GAS_CONSTANT * T_K)
    worst = 0.0
    for x_mean, phi, mass_error in out:
        assert mass_error <= 1e-10
        if law.alpha_a == law.alpha_c:
            eta = 2.0 / f * np.arcsinh(i / (2.0 * float(law.i0(x_mean))))
        else:
            eta = law.overpotential(i, x_mean, T_K)
            assert float(law.current(x_mean, eta, T_K)) == pytest.approx(i, rel=1e-12)
        assert eta > 0.02
        worst = max(worst, abs(phi - (float(OCV(x_mean)) + eta)))
    assert out[-1][0] == pytest.approx(X0 + RATE * 1000.0, abs=1e-10)
    assert worst <= 1e-5


def test_slow_diffusion_voltage_converges() -> None:
    law = ButlerVolmer(0.2)
    runs = [run_sphere(law, 1e-15, h, 200.0, 1000.0) for h in (0.5, 0.25, 0.125)]
    by_h = [out[-1][1] for _, out in runs]
    by_dt = [run_sphere(law, 1e-15, 0.25, dt, 1000.0)[1][-1][1] for dt in (200.0, 100.0, 50.0)]
    dh = np.abs(np.diff(by_h))
    dt = np.abs(np.diff(by_dt))
    assert dh[0] / dh[1] >= 3.0  # second order in h (observed 3.7)
    assert dh[1] <= 1e-3  # the finest mesh within ~0.3 mV of the limit
    assert dt[0] / dt[1] >= 3.0 and dt[0] <= 1e-5  # observed 15, 1.5 µV
    # Slow diffusion: the surface is more delithiated than the mean, so the voltage lies
    # above the uniform particle's (observed 18 mV); the mean still follows the current.
    model, out = runs[-1]
    x_mean = out[-1][0]
    i = model.flux_for_rate(RATE) * FARADAY * C_MAX * 1e-6
    uniform = float(OCV(x_mean)) + law.overpotential(i, x_mean, T_K)
    x_surface = model.surface_x()
    assert x_surface is not None and x_surface < x_mean - 5e-3
    assert by_h[-1] - uniform >= 0.01
    assert x_mean == pytest.approx(X0 + RATE * 1000.0, abs=1e-10)
