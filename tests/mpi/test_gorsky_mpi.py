"""Gorsky equilibrium with Θ ≠ 1 on every rank of the job (run under mpiexec -n 2).

The case of tests/verification/test_v6_gorsky.py (NCM811 U(x), 2000 MPa drop) on a bar
distributed over COMM_WORLD: the nodal x must match the closed form U(x) = C − Ωσ_h/F to
the same tolerance as serially (its errors are reduced over the ranks before the check).
"""

from __future__ import annotations

from verification.test_v6_gorsky import test_gorsky_equilibrium_non_ideal as non_ideal_case


def test_gorsky_non_ideal_distributed() -> None:
    non_ideal_case()
