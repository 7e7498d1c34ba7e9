"""Open-circuit potential laws and the thermodynamic factor (polycat.materials.ocv), and
the config's refusal of a two-way run without one."""

from __future__ import annotations

import numpy as np
import pytest

from polycat.materials import CATHODES
from polycat.materials.ocv import (
    FARADAY,
    Ai2020LcoOcv,
    Chen2020NmcOcv,
    TabulatedOcv,
    check_decreasing,
    drift_coefficient,
    thermodynamic_factor,
)

RT_F = 8.314462618 * 298.15 / FARADAY

# U(x) in V of the published formulas, evaluated once outside polycat: Chen 2020 with
# math.tanh term by term, Ai 2020 in exact rational arithmetic (fractions.Fraction) from the
# coefficients as printed in PyBaMM lico2_ocp_Ai2020_function.py.
CHEN2020_U = {0.2: 4.468982762287087, 0.5: 3.971958656403654, 0.8: 3.649110459390876}
AI2020_U = {0.5: 4.16375, 0.7: 3.932478628, 0.9: 3.8806310112}
AI2020_DUDX = {0.5: -1.718125, 0.7: -0.660515864, 0.9: -0.4678486}
REFERENCE_U = {
    "NCM811": CHEN2020_U,
    "NCM622": CHEN2020_U,  # the NMC811 fit as a proxy
    "NCM111": {0.5: CHEN2020_U[0.5], 0.8: CHEN2020_U[0.8]},  # window starts at 0.475
    "CoRichNCM": CHEN2020_U,  # the NMC811 fit as a proxy
    "LCO": AI2020_U,
}


def test_every_builtin_cathode_has_an_ocv_with_its_reference_values() -> None:
    assert set(REFERENCE_U) == set(CATHODES)
    for name, ref in REFERENCE_U.items():
        m = CATHODES[name]
        assert m.ocv is not None and m.sources["ocv"].evidence_level != "none", name
        assert m.sources["ocv"].doi and m.sources["ocv"].checked.startswith("[R]"), name
        for x, u in ref.items():
            assert m.x_window[0] <= x <= m.x_window[1]
            assert float(m.ocv(x)) == pytest.approx(u, rel=1e-10), (name, x)


def test_ai2020_lco_values_and_derivative() -> None:
    ocv = Ai2020LcoOcv()
    for x, d in AI2020_DUDX.items():
        assert float(ocv.derivative(x)) == pytest.approx(d, rel=1e-8)
    assert ocv.x_range == (0.435, 0.9651)
    assert "-107897.40 x^9" in ocv.describe()


@pytest.mark.parametrize("name", sorted(REFERENCE_U))
def test_builtin_ocv_derivative_falls_and_is_plausible_over_the_window(name: str) -> None:
    """dU/dx against a central difference in extended precision (1e-6 relative), dU/dx < 0
    and 2.5 V < U < 4.8 V over the whole x_window."""
    if np.finfo(np.longdouble).eps > 1e-18:
        pytest.skip("the central difference needs an extended-precision long double")
    m = CATHODES[name]
    lo, hi = m.x_window
    xs = np.linspace(lo, hi, 501)
    h = np.longdouble(1e-5)
    xl = xs.astype(np.longdouble)
    fd = np.asarray((m.ocv(xl + h) - m.ocv(xl - h)) / (2 * h), dtype=float)
    d = np.asarray(m.ocv.derivative(xs), dtype=float)
    assert np.max(np.abs(d - fd) / np.abs(d)) < 1e-6
    assert check_decreasing(m.ocv, lo, hi, n=4001) is None
    u = np.asarray(m.ocv(xs), dtype=float)
    assert u.min() > 2.5 and u.max() < 4.8
    theta = thermodynamic_factor(m.ocv, xs, 298.15)
    assert np.all(np.isfinite(theta)) and theta.min() > 0.0


def test_ocv_sources_flag_proxies() -> None:
    """A fit borrowed from another composition is an estimate and says so in its note."""
    for name in ("NCM622", "NCM111", "CoRichNCM"):
        src = CATHODES[name].sources["ocv"]
        assert src.estimate and src.note.startswith("PROXY"), name
    for name in ("NCM811", "LCO"):
        assert CATHODES[name].sources["ocv"].evidence_level == "model-parameter"


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
    laws = (
        (Chen2020NmcOcv(), 0.15, 1e-12),
        (TabulatedOcv((0.1, 0.3, 0.6, 1.0), (4.5, 4.2, 3.9, 3.6)), 0.15, 1e-12),
        # falls only from its window start 0.435 on; the 9th-order polynomial's terms reach
        # 1e6 V where dU/dx is 0.04 V (x = 0.8): float64 rounding alone leaves ~1e-8 relative
        (Ai2020LcoOcv(), 0.45, 1e-7),
    )
    for law, x0, tol in laws:
        x.interpolate(lambda p, x0=x0: x0 + (0.95 - x0) * p[0])
        xs = x.x.array.copy()
        out = fem.Function(V)
        out.interpolate(
            fem.Expression(drift_coefficient(law, x, 298.15, ufl), V.element.interpolation_points)
        )
        ref = drift_coefficient(law, xs, 298.15)
        assert np.abs(out.x.array - ref).max() < tol * np.abs(ref).max()


def test_two_way_without_an_ocv_is_refused() -> None:
    from polycat.config.loading import validate_config
    from polycat.config.resolve import resolve
    from polycat.errors import ConfigError

    custom = {  # an inline cathode without an ocv (every built-in one has one)
        "name": "NoOcv",
        "elasticity": {"E_GPa": 140.0, "nu": 0.3},
        "lattice_strain": {"eps_a_per_x": 0.01, "eps_c_per_x": -0.01},
        "diffusivity_m2_s": 1e-14,
        "c_max_mol_m3": 49000.0,
    }
    cfg = validate_config({"coupling": "two_way", "materials": {"cathode": custom}})
    with pytest.raises(ConfigError, match="thermodynamic_factor: dilute"):
        resolve(cfg)
    for name in CATHODES:
        plan = resolve(validate_config({"coupling": "two_way", "materials": {"cathode": name}}))
        assert plan.thermodynamic_factor == "ocv" and plan.cathode.ocv is not None, name
    dilute = {"coupling": "two_way", "thermodynamic_factor": "dilute",
              "materials": {"cathode": custom}}  # fmt: skip
    assert resolve(validate_config(dilute)).thermodynamic_factor == "dilute"
