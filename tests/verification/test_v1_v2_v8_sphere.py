"""V1, V2, V8 — galvanostatic diffusion and diffusion-induced stress in a free isotropic
sphere (docs/physics.md §1.1, §1.2, §8).

One model serves all three cases: sphere R = 5 µm (second-order Gmsh mesh, h = R/7),
E = 140 GPa, ν = 0.3, Ω = 1.5e-6 m³/mol (isotropic linear lattice ε* = Ω c̃/3, i.e.
ε_a = ε_c = k (x − x_ref), k = Ω c_max/3), D = 1e-14 m²/s, c_max = 50 000 mol/m³,
P2 displacement and P2 x (σ is then quadratic per cell and read in DG2).

V1 (Crank ch. 6): constant influx J = 1e-5 mol m⁻² s⁻¹ (JR/D = 5000 mol/m³) from
c₀ = 20 000 mol/m³::

    (c − c₀)/(JR/D) = 3τ + ρ²/2 − 3/10 − (2/ρ) Σ sin(λₙρ)/(λₙ² sin λₙ) exp(−λₙ²τ),
    tan λₙ = λₙ,  τ = Dt/R²

Checked: c(R), c(0) at τ = 0.05, 0.1, 0.2, 0.3 within 0.3 % of JR/D (observed ≤ 0.02 % at
the surface nodes, ≤ 0.09 % at the centre);
x̄ against 3Jt/R and every step's mass balance within 1e-6 (observed ~1e-11). The
influx is prescribed through the rate r = dx̄/dt = 3J/(R c_max); the solver sizes the
uniform flux from the discrete volume and area.

V8: stresses of the same transient against §1.1 evaluated on the series (quadrature):
σ_r, σ_θ averaged over 20 directions at ρ = 0.05, 0.5, 0.97 within 1 % of
s₀ = ΩEJR/(15(1−ν)D) = 100 MPa (observed ≤ 0.76 %), every point within 2.5 %
(observed ≤ 1.8 %). BDF2 with Δt = 12.5 s = 0.005 R²/D.

V2: the parabolic profile c = c̄ + (JR/D)(ρ²/2 − 3/10) imposed directly:
σ_r = s₀(1 − ρ²), σ_θ = s₀(1 − 2ρ²), same tolerances; reversing the flux (delithiation)
flips the sign (surface hoop +s₀ tensile).
"""

from __future__ import annotations

from mpi4py import MPI

import numpy as np
import pytest

from polycat.fem import ChemoMechanicsModel, MechanicsBC, SolverSettings
from support import analytic, meshes
from support.helpers import (
    LinearLattice,
    cathode,
    directions,
    isotropic_voigt,
    spherical_components,
    stress_function,
)
from support.points import evaluate_at_points

R_UM = 5.0
E, NU, OMEGA, C_MAX = 140e3, 0.30, 1.5e-6, 50000.0
J_R_D = 5000.0 / C_MAX  # JR/D in units of x
X0 = 20000.0 / C_MAX
S0 = 100.0  # MPa
RATE = 3.0 * 1e-5 / (R_UM * 1e-6 * C_MAX)  # dx̄/dt, 1/s
T_REF = (R_UM * 1e-6) ** 2 / 1e-14  # R²/D = 2500 s
DT = 0.005 * T_REF
REPORT_TAU = (0.05, 0.1, 0.2, 0.3)
RHOS = (0.05, 0.5, 0.97)


@pytest.fixture(scope="module")
def model() -> ChemoMechanicsModel:
    m = meshes.sphere(MPI.COMM_WORLD, R_UM, 0.7, order=2)
    k = OMEGA * C_MAX / 3.0
    return ChemoMechanicsModel(
        m.mesh,
        m.cell_tags,
        m.facet_tags,
        grain_tags=m.grain_tags,
        matrix_tag=None,
        interface_tags=m.interface_tags,
        outer=(),
        rotations={1: np.eye(3)},
        cathode=cathode(isotropic_voigt(E, NU), LinearLattice(k, k, X0), D_m2_s=1e-14, c_max=C_MAX),
        matrix=None,
        bc=MechanicsBC("free"),
        settings=SolverSettings(ksp_rtol=1e-10, x_degree=2, time_scheme="bdf2"),
    )


def _check_stresses(model: ChemoMechanicsModel, exact, label: str) -> None:
    """exact(ρ) → (σ_r, σ_θ) in MPa; checks direction means (1 % s₀) and points (2.5 %)."""
    stress = stress_function(model)
    dirs = directions(20)
    for rho in RHOS:
        srr, shoop, _ = spherical_components(stress, rho * R_UM, dirs)
        ex_r, ex_t = exact(rho)
        for name, val, ex in (("sigma_r", srr, ex_r), ("sigma_t", shoop, ex_t)):
            assert abs(val.mean() - ex) <= 0.01 * S0, (
                f"{label} {name}(ρ={rho}) mean {val.mean():.2f} vs {ex:.2f} MPa"
            )
            assert np.abs(val - ex).max() <= 0.025 * S0, (
                f"{label} {name}(ρ={rho}) max deviation {np.abs(val - ex).max():.2f} MPa"
            )


def test_v1_v8_galvanostatic_transient(model: ChemoMechanicsModel) -> None:
    model.set_uniform_x(X0)
    V = model.x.function_space
    X = V.tabulate_dof_coordinates()
    surface = np.abs(np.linalg.norm(X, axis=1) - R_UM) < 1e-6 * R_UM
    n_steps = round(REPORT_TAU[-1] * T_REF / DT)
    report_steps = {round(tau * T_REF / DT): tau for tau in REPORT_TAU}
    worst_mass = 0.0
    for n in range(1, n_steps + 1):
        info = model.step(DT, RATE, mechanics=n in report_steps)
        worst_mass = max(worst_mass, info.mass_balance_error)
        if n not in report_steps:
            continue
        tau = report_steps[n]
        t = n * DT
        # V1: mean, surface and centre concentration.
        xbar = model.mean_x()
        assert abs((xbar - X0) - RATE * t) <= 1e-6 * RATE * t
        ref_surface, ref_centre = analytic.galvanostatic_sphere([1.0, 0.0], tau)
        xs = np.concatenate(MPI.COMM_WORLD.allgather(model.x.x.array[surface]))
        xc = evaluate_at_points(model.x, np.zeros((1, 3)))[0, 0]
        err_s = np.abs((xs - X0) / J_R_D - ref_surface).max()
        err_c = abs((xc - X0) / J_R_D - ref_centre)
        assert err_s <= 3e-3, f"V1 τ={tau}: surface error {err_s:.2e} (of JR/D)"
        assert err_c <= 3e-3, f"V1 τ={tau}: centre error {err_c:.2e} (of JR/D)"

        # V8: stresses from §1.1 on the series profile.
        def exact(rho: float, tau: float = tau) -> tuple[float, float]:
            sr, st = analytic.dis_sphere_stresses(
                lambda r: analytic.galvanostatic_sphere(r, tau), [rho]
            )
            return 5.0 * S0 * sr[0], 5.0 * S0 * st[0]  # unit ΩE/(3(1−ν))·JR/D = 5 s₀

        _check_stresses(model, exact, f"V8 τ={tau}")
    assert worst_mass <= 1e-6, f"mass balance error {worst_mass:.2e}"


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_v2_parabolic_profile(model: ChemoMechanicsModel, sign: float) -> None:
    """sign = +1 insertion (surface Li-rich), −1 extraction (surface hoop tensile)."""
    model.set_x(
        lambda X: X0 + sign * J_R_D * ((X[0] ** 2 + X[1] ** 2 + X[2] ** 2) / R_UM**2 / 2.0 - 0.3)
    )
    info = model.solve_mechanics()
    assert info.converged_reason.startswith("CONVERGED")
    _check_stresses(
        model,
        lambda rho: (sign * S0 * (1 - rho**2), sign * S0 * (1 - 2 * rho**2)),
        f"V2 sign {sign:+.0f}",
    )
