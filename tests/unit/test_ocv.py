"""Open-circuit potential laws and the thermodynamic factor (polycat.materials.ocv), and
the config's refusal of a two-way run without one."""

from __future__ import annotations

import numpy as np
import pytest

from polycat.materials.ocv import (
    FARADAY,
    Chen2020NmcOcv,
    TabulatedOcv,
    check_decreasing,
    drift_coefficient,
    thermodynamic_factor,
)

RT_F = 8.314462618 * 298.15 / FARADAY


def test_chen2020_values_and_derivative() -> None:
    ocv = Chen2020NmcOcv()
    # U(0.5) from the published fit, evaluated by hand: 4.4875 - 0.4045 + the tanh terms
    u = -0.809 * 0.5 + 4.4875 - 0.0428 * np.tanh(18.5138 * (0.5 - 0.5542))
    u += -17.7326 * np.tanh(15.789 * (0.5 - 0.3117)) + 17.5842 * np.tanh(15.9308 * (0.5 - 0.312))
    assert float(ocv(0.5)) == pytest.approx(u, rel=1e-14)
    assert 3.9 < u < 4.05  # NMC811 half-cell potential at x = 0.5
    xs = np.linspace(0.1, 0.99, 90)
    h = 1e-6
    fd = (ocv(xs + h) - ocv(xs - h)) / (2 * h)
    assert np.abs(ocv.derivative(xs) - fd).max() < 1e-7
    assert check_decreasing(ocv, 0.0, 1.0) is None


def test_thermodynamic_factor_of_ncm811() -> None:
    """Θ = −(F x/RT) U'(x): 24.6 at x = 0.5 (the 15–30 of the literature on NMC811), and
    x/Θ = −(RT/F)/U' (finite at x = 0)."""
    ocv = Chen2020NmcOcv()
    theta = float(thermodynamic_factor(ocv, 0.5, 298.15))
    assert theta == pytest.approx(24.6, abs=0.05)
    assert float(drift_coefficient(ocv, 0.5, 298.15)) == pytest.approx(0.5 / theta, rel=1e-12)
    assert float(drift_coefficient(ocv, 0.0, 298.15)) > 0.0
    # An ideal dilute solution, U = U0 − (RT/F) ln x, has Θ = 1 and x/Θ = x.
    xs = np.array([0.1, 0.2, 0.4, 0.8])
    table = TabulatedOcv(tuple(np.linspace(0.05, 0.95, 2001)), tuple(
        4.0 - RT_F * np.log(np.linspace(0.05, 0.95, 2001))))  # fmt: skip
    assert np.abs(thermodynamic_factor(table, xs, 298.15) - 1.0).max() < 2e-3


def test_table_law_and_its_refusals() -> None:
    t = TabulatedOcv((0.2, 0.5, 1.0), (4.3, 4.0, 3.5))
    assert float(t(0.35)) == pytest.approx(4.15)
    assert float(t.derivative(0.35)) == pytest.approx(-1.0)
    assert float(t.derivative(0.75)) == pytest.approx(-1.0)
    assert float(t(0.1)) == pytest.approx(4.4)  # held at the end slope
    with pytest.raises(ValueError, match="must fall strictly"):
        TabulatedOcv((0.2, 0.5, 1.0), (4.3, 4.3, 3.5))
    with pytest.raises(ValueError, match="increase strictly"):
        TabulatedOcv((0.5, 0.2), (3.5, 4.3))
    with pytest.raises(ValueError, match="volts"):
        TabulatedOcv((0.2, 0.5), (4300.0, 4000.0))


def test_ufl_form_of_the_laws_matches_numpy() -> None:
    import dolfinx_solver  # noqa: F401
    from mpi4py import MPI

    import ufl
    from dolfinx import fem, mesh

    msh = mesh.create_unit_interval(MPI.COMM_SELF, 50)
    V = fem.functionspace(msh, ("Lagrange", 1))
    x = fem.Function(V)
    x.interpolate(lambda p: 0.15 + 0.8 * p[0])
    xs = x.x.array.copy()
    for law in (Chen2020NmcOcv(), TabulatedOcv((0.1, 0.3, 0.6, 1.0), (4.5, 4.2, 3.9, 3.6))):
        out = fem.Function(V)
        out.interpolate(
            fem.Expression(drift_coefficient(law, x, 298.15, ufl), V.element.interpolation_points)
        )
        ref = drift_coefficient(law, xs, 298.15)
        assert np.abs(out.x.array - ref).max() < 1e-12 * np.abs(ref).max()


def test_two_way_without_an_ocv_is_refused() -> None:
    from polycat.config.loading import validate_config
    from polycat.config.resolve import resolve
    from polycat.errors import ConfigError

    cfg = validate_config({"coupling": "two_way", "materials": {"cathode": "NCM622"}})
    with pytest.raises(ConfigError, match="thermodynamic_factor: dilute"):
        resolve(cfg)
    plan = resolve(validate_config({"coupling": "two_way"}))  # NCM811 has one
    assert plan.thermodynamic_factor == "ocv" and plan.cathode.ocv is not None
    dilute = {"coupling": "two_way", "thermodynamic_factor": "dilute",
              "materials": {"cathode": "NCM622"}}  # fmt: skip
    assert resolve(validate_config(dilute)).thermodynamic_factor == "dilute"
