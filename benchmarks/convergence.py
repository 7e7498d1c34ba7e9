"""Observed h-convergence of the FEM core on the analytic cases V1, V2, V4.

    .venv/bin/python benchmarks/convergence.py [--quick] [--cases V1 V2 V4]

V1  constant-flux diffusion in a sphere (R = 5 µm, D = 1e-14 m²/s, JR/D = 0.1 in x) at
    τ = 0.1: max nodal error of x against the series solution, P1 and P2 x (BDF2,
    Δt = 1e-3 R²/D so that the time error is negligible).
V2  free isotropic sphere with the parabolic profile c = c̄ + (JR/D)(ρ²/2 − 3/10):
    relative L² error of σ against σ_r = s₀(1 − ρ²), σ_θ = s₀(1 − 2ρ²), P1 and P2.
V4  Lamé sphere (a = 1) bonded in a shell (b = 2a), uniform ε* = −0.01763: relative L²
    error of σ in the grain and in the shell, P1 and P2.
The mesh geometry has the degree of the displacement (P2 runs on curved second-order
meshes, so the O(h²) faceting error does not cap their rates; V1 uses curved meshes).
Rates are log(e_i/e_{i+1}) / log(h_i/h_{i+1}). Runs serially (or under mpiexec; rank 0
prints).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from mpi4py import MPI

import numpy as np

import ufl

from polycat.fem import (
    ChemoMechanicsModel,
    ConstantDiffusivity,
    DiffusionSolver,
    MatrixPhase,
    MechanicsBC,
    SolverSettings,
    build_particle_domain,
)
from polycat.fem.domain import GRAIN, INTERFACE, MATRIX

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from support import analytic, meshes
from support.helpers import (
    LinearLattice,
    cathode,
    isotropic_voigt,
    l2_relative_error,
    radial_stress_expr,
)

COMM = MPI.COMM_WORLD


def say(msg: str) -> None:
    if COMM.rank == 0:
        print(msg, flush=True)


def table(title: str, rows: list[tuple[float, int, float, float]]) -> None:
    say(f"\n{title}")
    say(f"{'h':>8} {'dofs':>9} {'error':>11} {'rate':>6} {'wall s':>7}")
    for i, (h, dofs, err, wall) in enumerate(rows):
        rate = ""
        if i > 0:
            h0, _, e0, _ = rows[i - 1]
            rate = f"{np.log(e0 / err) / np.log(h0 / h):6.2f}"
        say(f"{h:8.4f} {dofs:9d} {err:11.3e} {rate:>6} {wall:7.1f}")


def v1(hs: list[float], degree: int) -> list[tuple[float, int, float, float]]:
    R, D, tau_end = 5.0, 1e-14, 0.1
    t_ref = (R * 1e-6) ** 2 / D
    dt = 1e-3 * t_ref
    jrd = 0.1
    rate = 3.0 * jrd * D * 1e12 / R**2  # dx̄/dt = 3 J/(R c_max) with J = jrd·D/R
    rows = []
    for h in hs:
        t0 = time.perf_counter()
        m = meshes.sphere(COMM, R, h, order=2)
        dom = build_particle_domain(
            m.mesh, m.cell_tags, m.facet_tags, m.grain_tags, None, m.interface_tags
        )
        flux = -rate * dom.particle_volume() / dom.interface_area()
        solver = DiffusionSolver.build(
            dom.submesh,
            dom.sub_interface_tags,
            INTERFACE,
            ConstantDiffusivity(D),
            SolverSettings(x_degree=degree, time_scheme="bdf2"),
        )
        solver.set_state(0.0)
        for _ in range(round(tau_end * t_ref / dt)):
            solver.step(dt, flux)
        X = solver.V.tabulate_dof_coordinates()
        rho = np.linalg.norm(X, axis=1) / R
        exact = jrd * analytic.galvanostatic_sphere(rho, tau_end)
        err = COMM.allreduce(np.abs(solver.x.x.array - exact).max(), op=MPI.MAX) / jrd
        dofs = solver.V.dofmap.index_map.size_global
        rows.append((h / R, dofs, err, time.perf_counter() - t0))
        solver.destroy()
    return rows


def _sphere_model(m: meshes.TaggedMesh, degree: int, **kw: object) -> ChemoMechanicsModel:
    args: dict = {
        "grain_tags": m.grain_tags,
        "matrix_tag": m.matrix_tag,
        "interface_tags": m.interface_tags,
        "outer": m.outer,
        "rotations": {1: np.eye(3)},
        "bc": MechanicsBC("free"),
        "settings": SolverSettings(element_degree=degree, ksp_rtol=1e-10),
    }
    args.update(kw)
    return ChemoMechanicsModel(m.mesh, m.cell_tags, m.facet_tags, **args)


def v2(hs: list[float], degree: int) -> list[tuple[float, int, float, float]]:
    R, E, nu, omega, c_max = 5.0, 140e3, 0.3, 1.5e-6, 5e4
    k = omega * c_max / 3.0
    s0 = 100.0
    rows = []
    for h in hs:
        t0 = time.perf_counter()
        m = meshes.sphere(COMM, R, h, order=degree)
        model = _sphere_model(
            m,
            degree,
            cathode=cathode(isotropic_voigt(E, nu), LinearLattice(k, k, 0.4)),
            matrix=None,
        )
        model.set_x(lambda X: 0.4 + 0.1 * ((X[0] ** 2 + X[1] ** 2 + X[2] ** 2) / R**2 / 2 - 0.3))
        model.solve_mechanics()
        exact = radial_stress_expr(
            model.mesh,
            lambda r: s0 * (1 - (r / R) ** 2),
            lambda r: s0 * (1 - 2 * (r / R) ** 2),
        )
        err = l2_relative_error(model, exact, GRAIN)
        rows.append((h / R, model.elasticity.num_dofs, err, time.perf_counter() - t0))
        model.destroy()
    return rows


def v4(hs: list[float], degree: int) -> dict[str, list[tuple[float, int, float, float]]]:
    a, b, eps = 1.0, 2.0, -0.01763
    E1, nu1, E2, nu2 = 140e3, 0.3, 22.1e3, 0.37
    p = analytic.lame_pressure(eps, E1, nu1, E2, nu2, a, b)
    f = a**3 / (b**3 - a**3)
    out: dict[str, list] = {"grain": [], "shell": []}
    for h in hs:
        t0 = time.perf_counter()
        m = meshes.sphere_in_shell(COMM, a, b, h, 2 * h, order=degree, band=True)
        model = _sphere_model(
            m,
            degree,
            cathode=cathode(isotropic_voigt(E1, nu1), LinearLattice(eps, eps, 0.0)),
            matrix=MatrixPhase(E2, nu2),
        )
        model.set_uniform_x(1.0)
        model.solve_mechanics()
        wall = time.perf_counter() - t0
        e_in = l2_relative_error(model, -p * ufl.Identity(3), GRAIN)
        shell = radial_stress_expr(
            model.mesh,
            lambda r: -p * f * (b**3 / r**3 - 1.0),
            lambda r: p * f * (b**3 / (2.0 * r**3) + 1.0),
        )
        e_sh = l2_relative_error(model, shell, MATRIX)
        n = model.elasticity.num_dofs
        out["grain"].append((h / a, n, e_in, wall))
        out["shell"].append((h / a, n, e_sh, wall))
        model.destroy()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="three coarse meshes per case")
    parser.add_argument("--cases", nargs="+", default=["V1", "V2", "V4"])
    args = parser.parse_args(argv)
    R = 5.0
    if "V1" in args.cases:
        hs = [R / n for n in ((4, 6, 8) if args.quick else (4, 6, 8, 12, 16))]
        for d in (1, 2):
            table(f"V1 diffusion, x P{d}: max nodal error / (JR/D) at τ = 0.1", v1(hs, d))
    if "V2" in args.cases:
        hs = [R / n for n in ((3, 4.5, 6) if args.quick else (3, 4.5, 6, 9, 12))]
        for d in (1, 2):
            table(f"V2 parabolic DIS, u P{d}: relative L² error of σ", v2(hs, d))
    if "V4" in args.cases:
        hs = [1 / n for n in ((3, 4.5, 6) if args.quick else (3, 4.5, 6, 9))]
        for d in (1, 2):
            res = v4(hs, d)
            table(f"V4 Lamé, u P{d}: relative L² error of σ in the grain", res["grain"])
            table(f"V4 Lamé, u P{d}: relative L² error of σ in the shell", res["shell"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
