"""V3: potentiostatic steps (a held cell voltage; the current follows).

Sphere R = 1 µm, NCM811 U(x) (Chen 2020), x₀ = 0.8, the voltage stepped to U(0.6)
(docs/verification.md V3):

- without kinetics the interface is held at x_s = U⁻¹(V) = 0.6: Crank's series for a
  sphere with a constant surface concentration, x̄(t) = x_s + (x₀ − x_s)(6/π²)
  Σ exp(−n²π²Dt/R²)/n² (D = 1e-15 m²/s, R²/D = 1000 s), checked at t = 50, 200, 500,
  1000 s to 2e-3 of the step (observed ≤ 8.6e-4 with h = R/8 and time steps growing from
  0.1 s by 2 %; a diffusivity off by 2 is 10 % off at t = 50 s);
- with Butler–Volmer kinetics and fast diffusion (R²/D = 0.1 s) x stays uniform and the
  mean follows the ODE dx̄/dt = −(A/V) k i(x̄), with i from V = U(x̄) + η(i) + R_s i
  (solved by scipy to 1e-11), for R_s = 0 and R_s = 5e-3 Ω·m² (BDF2, steps growing from
  0.1 s by 2 %): x̄ to 1e-4 of the step at t = 50, 200, 500, 1000 s, the current to 1e-4
  of i(x_s) at the interface's x, Φ = V − R_s i to 1e-9 V; the current decays
  monotonically; every step conserves mass (∫ ẋ + ∫ j ds = 0 to 1e-9).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.integrate import solve_ivp
from scipy.optimize import brentq

from polycat.materials.kinetics import FARADAY, ButlerVolmer
from verification.test_v11_butler_volmer import C_MAX, OCV, T_K, X0, build_sphere

X_HOLD = 0.6
MARKS = (50.0, 200.0, 500.0, 1000.0)


def crank_mean(t: float, D_um2_s: float, R: float = 1.0, n: int = 400) -> float:
    """(x₀ − x̄)/(x₀ − x_s) of a sphere with its surface held (Crank 1975, eq. 6.20)."""
    k = np.arange(1, n + 1)
    return float(
        1.0 - 6.0 / np.pi**2 * np.sum(np.exp(-(k**2) * np.pi**2 * D_um2_s * t / R**2) / k**2)
    )


def step_times(dt0: float, growth: float, t_end: float = 1000.0) -> list[float]:
    """Step end times from dt0, growing geometrically, landing on every mark."""
    ts, dt = [0.0], dt0
    while ts[-1] < t_end - 1e-9:
        nxt = ts[-1] + dt
        for mark in MARKS:
            if ts[-1] < mark - 1e-9 and nxt > mark + 1e-9:
                nxt = mark
        ts.append(min(nxt, t_end))
        dt *= growth
    return ts


def test_held_surface_follows_crank() -> None:
    model = build_sphere(None, 1e-15, 0.125)
    V = float(OCV(X_HOLD))
    ts = step_times(0.1, 1.02)
    worst, currents = 0.0, []
    for a, b in itertools.pairwise(ts):
        info = model.step_potentiostatic(b - a, V, mechanics=False)
        currents.append(info.flux_um_s)
        if any(abs(b - m) < 1e-9 for m in MARKS):
            ref = X0 + (X_HOLD - X0) * crank_mean(b, 1e-3)
            worst = max(worst, abs(model.mean_x() - ref) / (X0 - X_HOLD))
    assert model.surface_x() == pytest.approx(X_HOLD, abs=1e-12)
    assert worst <= 2e-3
    assert all(c > 0.0 for c in currents)  # delithiation: outward flux
    assert all(b < a for a, b in itertools.pairwise(currents))  # decays


@pytest.mark.parametrize("resistance", [0.0, 5e-3])
def test_butler_volmer_hold_follows_the_uniform_particle(resistance: float) -> None:
    law = ButlerVolmer(0.2)
    model = build_sphere(law, 1e-11, 0.5, time_scheme="bdf2")
    V = float(OCV(X_HOLD))
    k = 1e6 / (FARADAY * C_MAX)  # flux of x (µm/s) per A/m²
    a_over_v = model.interface_area / model.particle_volume

    def current(x: float) -> float:
        def mismatch(i: float) -> float:
            return float(OCV(x)) + law.overpotential(i, x, T_K) + resistance * i - V

        return float(brentq(mismatch, 0.0, 1e3, xtol=1e-13))

    sol = solve_ivp(
        lambda t, y: [-a_over_v * k * current(y[0])], (0.0, 1000.0), [X0],
        rtol=1e-11, atol=1e-13, dense_output=True,
    )  # fmt: skip
    ts = step_times(0.1, 1.02)
    fluxes: list[float] = []
    for a, b in itertools.pairwise(ts):
        info = model.step_potentiostatic(b - a, V, resistance, mechanics=False)
        assert info.mass_balance_error <= 1e-9
        fluxes.append(info.flux_um_s)
        if any(abs(b - m) < 1e-9 for m in MARKS):
            x_ref = float(sol.sol(b)[0])
            assert abs(model.mean_x() - x_ref) <= 1e-4 * (X0 - X_HOLD), b
            x_s = model.surface_x()  # the current of the interface's own x
            assert x_s is not None
            i_fem = info.flux_um_s / k
            assert i_fem == pytest.approx(current(x_s), rel=1e-4), b
            phi = model.electrode_potential()
            assert phi == pytest.approx(V - resistance * i_fem, abs=1e-9)
    assert all(b < a for a, b in itertools.pairwise(fluxes))
