"""Unit tests of the materials library (pure numpy/scipy, fast)."""

from __future__ import annotations

import dataclasses
import math
import pickle
from typing import Any, cast

import numpy as np
import pytest

import polycat.materials as mat
from polycat.materials import (
    CATHODE_SOURCE_KEYS,
    CATHODES,
    ELECTROLYTE_SOURCE_KEYS,
    ELECTROLYTES,
    CathodeMaterial,
    ConstantDiffusivity,
    ElectrolyteMaterial,
    IsotropicElasticity,
    LinearLatticeStrain,
    ORegan2022Diffusivity,
    Source,
    TabulatedLatticeStrain,
    TrigonalElasticity,
    UnknownMaterialError,
    describe_materials,
    get_cathode,
    get_electrolyte,
    volume_strain,
)
from polycat.materials.cathodes import lco, ncm111, ncm622, ncm811, ncm_corich
from polycat.materials.electrolytes import _common as se_common
from polycat.materials.estimates import (
    bimaterial_plane_strain_modulus_GPa,
    crystallographic_c_max,
    griffith_adhesion_strength_MPa,
)
from tool_helpers import require_module

EXPECTED_CATHODES = {"NCM811", "NCM622", "NCM111", "CoRichNCM", "LCO"}
EXPECTED_ELECTROLYTES = {
    "Li6PS5Cl",
    "Li6PS5Cl-sintered",
    "Li6PS5Cl-cold-pressed",
    "beta-Li3PS4",
    "Li10GeP2S12",
    "LLZO",
}


def _maerker() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    Q, a, c = ncm811.load_maerker2019_table()
    return 1.0 - Q / 275.5, a, c


def _toy_table(**kw: Any) -> TabulatedLatticeStrain:
    args: dict[str, Any] = {
        "x": (0.2, 0.4, 0.6, 0.8, 1.0),
        "eps_a": (-0.02, -0.015, -0.01, -0.004, 0.0),
        "eps_c": (0.01, 0.02, 0.015, 0.005, 0.0),
        "x_ref": 1.0,
    }
    args.update(kw)
    return TabulatedLatticeStrain(**args)


# ----------------------------------------------------------------------------- Märker table


def test_packaged_table_matches_reference_copy_and_has_no_duplicate_x() -> None:
    x, a, c = _maerker()
    assert x.size == 79
    assert np.unique(x).size == x.size  # no exact duplicate x to merge in this table
    assert a[0] == 2.8704 and c[0] == 14.1918
    assert x.min() == pytest.approx(1.0 - 242.40 / 275.5)


def test_interpolation_reproduces_every_table_point() -> None:
    x, a, c = _maerker()
    ea, ec = ncm811.NCM811_LATTICE.strains(x)
    np.testing.assert_allclose(ea, a / a[0] - 1.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(ec, c / c[0] - 1.0, rtol=0, atol=1e-12)


def test_interpolation_is_c1_and_does_not_overshoot() -> None:
    law = ncm811.NCM811_LATTICE
    xk = np.asarray(law.x)
    h = 1e-9
    for comp in (0, 1):
        # derivative continuous across every interior knot
        left = law.derivatives(xk[1:-1] - h)[comp]
        right = law.derivatives(xk[1:-1] + h)[comp]
        scale = np.max(np.abs(law.derivatives(xk)[comp]))
        assert np.max(np.abs(left - right)) < 1e-5 * scale
        # derivatives agree with finite differences of the values
        xs = np.linspace(xk[0] + 1e-4, xk[-1] - 1e-4, 997)
        fd = (law.strains(xs + 1e-7)[comp] - law.strains(xs - 1e-7)[comp]) / 2e-7
        np.testing.assert_allclose(fd, law.derivatives(xs)[comp], atol=1e-6 * scale)
        # no overshoot beyond the neighbouring table values
        y = np.asarray(law.eps_a if comp == 0 else law.eps_c)
        for i in range(xk.size - 1):
            xi = np.linspace(xk[i], xk[i + 1], 41)
            yi = law.strains(xi)[comp]
            assert yi.min() >= min(y[i], y[i + 1]) - 1e-15
            assert yi.max() <= max(y[i], y[i + 1]) + 1e-15


def test_strain_is_zero_at_reference() -> None:
    law = ncm811.NCM811_LATTICE
    ea, ec = law.strains(law.x_ref)
    assert ea == 0.0 and ec == 0.0
    # x_ref between knots: re-referenced with the ratio rule
    toy = _toy_table(x_ref=0.5)
    ea, ec = toy.strains(0.5)
    assert abs(float(ea)) < 1e-15 and abs(float(ec)) < 1e-15
    base = _toy_table()
    ratio = (1 + base.strains(0.3)[1]) / (1 + base.strains(0.5)[1]) - 1
    assert float(toy.strains(0.3)[1]) == pytest.approx(float(ratio), abs=1e-14)


def test_ncm811_lattice_features_match_physics_md() -> None:
    law = ncm811.NCM811_LATTICE
    xs = np.linspace(*law.x_range, 20001)
    _, ec = law.strains(xs)
    i = int(np.argmax(ec))
    assert 0.33 <= xs[i] <= 0.38  # c-axis maximum near x = 0.36
    assert ec[i] == pytest.approx(0.0205, abs=0.0003)
    x_end = law.x_range[0]
    assert x_end == pytest.approx(0.12, abs=0.002)
    ea_end, ec_end = law.strains(x_end)
    assert float(ec_end) == pytest.approx(-0.0130, abs=0.0003)
    assert float(ea_end) == pytest.approx(-0.0205, abs=0.0003)
    assert float(law.volume_strain(x_end)) == pytest.approx(-0.053, abs=0.001)
    assert float(law.volume_strain(0.357)) == pytest.approx(-0.0158, abs=0.0005)


def test_ncm811_c_max_is_crystallographic() -> None:
    m = get_cathode("NCM811")
    assert m.c_max_mol_m3 == pytest.approx(49195, abs=1)
    _, a, c = _maerker()
    assert crystallographic_c_max(a[0], c[0]) == pytest.approx(m.c_max_mol_m3, abs=1)


def test_out_of_range_raises_naming_range_or_clips() -> None:
    law = ncm811.NCM811_LATTICE
    lo, hi = law.x_range
    with pytest.raises(ValueError, match=r"outside the range \[0\.120145, 1\]"):
        law.strains(0.05)
    with pytest.raises(ValueError, match="outside the range"):
        law.derivatives(np.array([0.5, 1.01]))
    with pytest.raises(ValueError, match="NaN"):
        law.strains(np.nan)
    # rounding noise at the ends is clipped silently
    ea, _ = law.strains(hi + 1e-12)
    assert float(ea) == 0.0
    clipped = dataclasses.replace(law, out_of_range="clip")
    np.testing.assert_allclose(clipped.strains(0.0)[1], law.strains(lo)[1], rtol=0, atol=0)
    assert float(clipped.derivatives(0.0)[1]) == 0.0


# ----------------------------------------------------------------------------- table validation


def test_table_sorting_allowed_duplicates_and_short_tables_rejected() -> None:
    fwd = _toy_table()
    rev = _toy_table(x=fwd.x[::-1], eps_a=fwd.eps_a[::-1], eps_c=fwd.eps_c[::-1])
    assert rev == fwd
    with pytest.raises(ValueError, match=r"x = \[0\.4\] occurs more than once"):
        _toy_table(x=(0.2, 0.4, 0.4, 0.8, 1.0))
    with pytest.raises(ValueError, match="at least 4 table points"):
        _toy_table(x=(0.2, 0.6, 1.0), eps_a=(0, 0, 0), eps_c=(0, 0, 0))
    with pytest.raises(ValueError, match="same length"):
        _toy_table(eps_a=(0.0, 0.0, 0.0, 0.0))
    with pytest.raises(ValueError, match="x_ref"):
        _toy_table(x_ref=0.1)
    with pytest.raises(ValueError, match="non-finite"):
        _toy_table(eps_c=(0.0, np.nan, 0.0, 0.0, 0.0))
    with pytest.raises(ValueError, match="out_of_range"):
        _toy_table(out_of_range="extrapolate")


def test_from_lattice_parameters_uses_ratio_to_reference_row() -> None:
    x = [0.2, 0.4, 0.6, 0.8]
    a = [2.80, 2.82, 2.84, 2.86]
    c = [14.0, 14.4, 14.3, 14.2]
    law = TabulatedLatticeStrain.from_lattice_parameters(x, a, c, x_ref=0.6)
    np.testing.assert_allclose(law.strains(x)[0], np.array(a) / 2.84 - 1, atol=1e-15)
    np.testing.assert_allclose(law.strains(x)[1], np.array(c) / 14.3 - 1, atol=1e-15)
    with pytest.raises(ValueError, match="must be > 0"):
        TabulatedLatticeStrain.from_lattice_parameters(x, [0, 1, 2, 3], c, x_ref=0.6)


def test_linear_law() -> None:
    law = LinearLatticeStrain(eps_a_per_x=0.01, eps_c_per_x=-0.02, x_ref=0.5)
    ea, ec = law.strains([0.0, 0.5, 1.0])
    np.testing.assert_allclose(ea, [-0.005, 0.0, 0.005])
    np.testing.assert_allclose(ec, [0.01, 0.0, -0.01])
    np.testing.assert_allclose(law.derivatives([0.2, 0.9])[1], [-0.02, -0.02])
    assert law.x_range == (0.0, 1.0)
    with pytest.raises(ValueError, match="outside the range"):
        law.strains(1.5)
    with pytest.raises(ValueError, match="x_ref"):
        LinearLatticeStrain(0.01, 0.01, x_ref=2.0)
    assert float(volume_strain(0.01, 0.02)) == pytest.approx(1.01**2 * 1.02 - 1)


# ----------------------------------------------------------------------------- elasticity


def test_isotropic_voigt_and_validation() -> None:
    el = IsotropicElasticity(140.0, 0.3)
    C = el.voigt_GPa()
    lam, mu = 140 * 0.3 / (1.3 * 0.4), 140 / 2.6
    assert C[0, 0] == pytest.approx(lam + 2 * mu) and C[0, 1] == pytest.approx(lam)
    assert C[3, 3] == pytest.approx(mu) and C[0, 3] == 0.0
    assert el.is_isotropic
    # uniaxial stress: strain = S sigma gives E and nu back
    eps = np.linalg.solve(C, np.array([1.0, 0, 0, 0, 0, 0]))
    assert 1 / eps[0] == pytest.approx(140.0) and -eps[1] / eps[0] == pytest.approx(0.3)
    with pytest.raises(ValueError, match=r"IsotropicElasticity\.nu"):
        IsotropicElasticity(140.0, 0.5)
    with pytest.raises(ValueError, match=r"IsotropicElasticity\.E_GPa"):
        IsotropicElasticity(-1.0, 0.3)


def test_trigonal_layout_and_vrh_against_elate_licro2() -> None:
    # LiCrO2 (Materials Project mp-18793) as listed by ELATE; plumbing test, not NCM data
    t = TrigonalElasticity(C11=351, C12=106, C13=69, C14=-9, C33=203, C44=54)
    C = t.voigt_GPa()
    assert not t.is_isotropic
    np.testing.assert_array_equal(C, C.T)
    assert (C[0, 3], C[1, 3], C[4, 5], C[5, 5]) == (-9, 9, -9, 122.5)
    vrh = t.vrh_moduli_GPa()
    assert vrh["K_V"] == pytest.approx(154.78, abs=0.01)
    assert vrh["K_R"] == pytest.approx(141.82, abs=0.01)
    # ELATE lists C66 = 122 (rounded); (C11 - C12)/2 = 122.5 adds 3 * 0.5 / 15 to G_V
    assert vrh["G_V"] == pytest.approx(90.067 + 0.1, abs=0.005)
    assert vrh["G_R"] == pytest.approx(76.669, abs=0.1)
    # with the listed C66 the ELATE digits come back exactly
    listed = dataclasses.replace(t, c66_listed=122.0)
    assert listed.voigt_GPa()[5, 5] == 122.0
    assert listed.vrh_moduli_GPa()["G_V"] == pytest.approx(90.067, abs=5e-4)
    with pytest.raises(ValueError, match="c66_listed"):
        dataclasses.replace(t, c66_listed=120.0)


def test_non_positive_definite_trigonal_rejected() -> None:
    with pytest.raises(ValueError, match="positive definite"):
        TrigonalElasticity(C11=100, C12=120, C13=50, C14=0, C33=200, C44=50)
    with pytest.raises(ValueError, match="positive definite"):
        TrigonalElasticity(C11=351, C12=106, C13=69, C14=-120, C33=203, C44=54)


# ----------------------------------------------------------------------------- diffusivity

# docs/physics.md 5.1: evaluated O'Regan 2022 values in cm²/s (2 significant digits)
OREGAN_CM2_S = [
    (0.32, 2.86e-11),
    (0.35, 4.5e-11),
    (0.40, 1.0e-10),
    (0.50, 7.3e-11),
    (0.60, 6.8e-11),
    (0.70, 3.9e-11),
    (0.80, 3.0e-11),
    (0.95, 4.5e-11),
    (1.00, 6.1e-11),
    (0.25, 2.0e-10),
]


@pytest.mark.parametrize(("sto", "d_cm2_s"), OREGAN_CM2_S)
def test_oregan2022_reproduces_physics_md(sto: float, d_cm2_s: float) -> None:
    D = float(ORegan2022Diffusivity()(sto)) * 1e4  # m²/s -> cm²/s
    # 2 % or, for values quoted to 2 digits, half a unit of their last digit
    digits = 3 if sto == 0.32 else 2
    half_ulp = 0.5 * 10 ** (math.floor(math.log10(d_cm2_s)) - digits + 1)
    assert abs(D - d_cm2_s) <= max(0.02 * d_cm2_s, half_ulp)


class _FakeXP:
    """Records calls; only ``exp`` is provided, as a UFL-like namespace would."""

    def __init__(self) -> None:
        self.calls = 0

    def exp(self, value: Any) -> Any:
        self.calls += 1
        return np.exp(value)


def test_oregan2022_accepts_fake_namespace_and_temperature() -> None:
    law = ORegan2022Diffusivity()
    fake = _FakeXP()
    x = np.linspace(0.1, 1.0, 7)
    np.testing.assert_allclose(law(x, xp=fake), law(x), rtol=1e-14)
    assert fake.calls == 4
    assert law.constant_value is None
    assert law.arrhenius_factor == 1.0
    warm = ORegan2022Diffusivity(temperature_K=318.15)
    assert float(warm(0.5) / law(0.5)) == pytest.approx(math.exp(1449 * (1 / 298.15 - 1 / 318.15)))
    with pytest.raises(ValueError, match="temperature_K"):
        ORegan2022Diffusivity(temperature_K=0.0)


def test_diffusivity_laws_build_ufl_expressions() -> None:
    ufl = require_module("ufl", "pip install -e '.[dev]' (ufl comes with dolfinx)")
    basix_ufl = require_module("basix.ufl", "pip install -e '.[dev]' (basix comes with dolfinx)")
    mesh = ufl.Mesh(basix_ufl.element("Lagrange", "interval", 1, shape=(1,)))
    x = ufl.SpatialCoordinate(mesh)[0]
    expr = ORegan2022Diffusivity()(x, xp=ufl)
    assert isinstance(expr, ufl.core.expr.Expr)
    for xv in (0.25, 0.32, 0.9):
        assert expr((xv,)) == pytest.approx(float(ORegan2022Diffusivity()(xv)), rel=1e-12)
    assert ConstantDiffusivity(1e-14)(x, xp=ufl)((0.5,)) == pytest.approx(1e-14)


def test_constant_diffusivity() -> None:
    d = ConstantDiffusivity(1e-14)
    assert d.constant_value == 1e-14
    np.testing.assert_array_equal(d(np.zeros((2, 3))), np.full((2, 3), 1e-14))
    assert d(2.0, xp=_FakeXP()) == 1e-14
    np.testing.assert_array_equal(d(np.zeros(3), xp=_FakeXP()), np.full(3, 1e-14))
    with pytest.raises(ValueError, match="D_m2_s"):
        ConstantDiffusivity(0.0)


# ----------------------------------------------------------------------------- registry


def test_builtin_names() -> None:
    assert set(CATHODES) == EXPECTED_CATHODES
    assert set(ELECTROLYTES) == EXPECTED_ELECTROLYTES


@pytest.mark.parametrize("name", sorted(EXPECTED_CATHODES))
def test_every_cathode_field_has_a_source(name: str) -> None:
    m = CATHODES[name]
    assert isinstance(m, CathodeMaterial)
    assert set(m.sources) == set(CATHODE_SOURCE_KEYS)
    for key, src in m.sources.items():
        assert isinstance(src, Source) and src.citation.strip(), key
        if src.estimate:
            assert len(src.note) > 40, f"{name}.{key}: an estimate must say what it rests on"
    lo, hi = m.lattice_strain.x_range
    assert lo <= m.x_window[0] < m.x_window[1] <= hi
    ea, ec = m.lattice_strain.strains(m.lattice_strain.x_ref)
    assert abs(float(ea)) < 1e-15 and abs(float(ec)) < 1e-15
    assert np.all(np.asarray(m.diffusivity(np.linspace(*m.x_window, 5))) > 0)


@pytest.mark.parametrize("name", sorted(EXPECTED_ELECTROLYTES))
def test_every_electrolyte_field_has_a_source(name: str) -> None:
    m = ELECTROLYTES[name]
    assert isinstance(m, ElectrolyteMaterial)
    assert set(m.sources) == set(ELECTROLYTE_SOURCE_KEYS)
    assert all(isinstance(s, Source) for s in m.sources.values())
    assert m.sources["adhesion_strength_MPa"].estimate  # no measured MPa value exists
    assert m.elasticity.E_GPa == m.E_GPa


def test_lookup_is_forgiving_and_aliases_work() -> None:
    assert get_cathode("ncm-811") is CATHODES["NCM811"]
    assert get_cathode("NMC 622") is CATHODES["NCM622"]
    assert get_cathode("LiCoO2") is CATHODES["LCO"]
    assert get_electrolyte("Li3PS4") is ELECTROLYTES["beta-Li3PS4"]
    assert get_electrolyte("β-Li3PS4") is ELECTROLYTES["beta-Li3PS4"]
    assert get_electrolyte("LGPS") is ELECTROLYTES["Li10GeP2S12"]
    assert get_electrolyte("li6ps5cl") is ELECTROLYTES["Li6PS5Cl"]


def test_unknown_name_lists_valid_names() -> None:
    with pytest.raises(UnknownMaterialError) as info:
        get_cathode("NCM911")
    err = info.value
    assert isinstance(err, KeyError) and isinstance(err, ValueError)
    text = str(err)
    assert not text.startswith("'")  # not KeyError's quoted repr
    for name in EXPECTED_CATHODES:
        assert name in text
    with pytest.raises(UnknownMaterialError, match=r"Li6PS5Cl.*LLZO"):
        get_electrolyte("unobtainium")
    with pytest.raises(KeyError):
        get_electrolyte("unobtainium")


def test_electrolyte_given_as_cathode_is_explained() -> None:
    with pytest.raises(UnknownMaterialError, match=r"is a solid electrolyte.*not a cathode"):
        get_cathode("Li6PS5Cl")
    with pytest.raises(UnknownMaterialError, match="is a cathode active material"):
        get_electrolyte("NCM811")


def test_describe_mentions_every_material_and_source() -> None:
    text = describe_materials()
    materials: list[CathodeMaterial | ElectrolyteMaterial] = [
        *CATHODES.values(),
        *ELECTROLYTES.values(),
    ]
    for m in materials:
        assert m.name in text
        for src in m.sources.values():
            assert src.citation[:40] in text.replace("\n        ", " ")
    assert "*" in text and "estimate" in text


# ----------------------------------------------------------------------------- derived values


def test_derived_windows_and_lattice_constructions() -> None:
    # NCM111 / NCM622 windows: published (or interpolated) dV/V on the universal law
    m111 = CATHODES["NCM111"]
    assert float(volume_strain(*m111.lattice_strain.strains(m111.x_window[0]))) == pytest.approx(
        -0.012, abs=2e-4
    )
    interpolated = -(1.2 + (0.6 - 1 / 3) / (0.8 - 1 / 3) * 3.9) / 100
    assert interpolated == pytest.approx(ncm622.DV_AT_4V3)
    m622 = CATHODES["NCM622"]
    assert float(volume_strain(*m622.lattice_strain.strains(m622.x_window[0]))) == pytest.approx(
        ncm622.DV_AT_4V3, abs=3e-4
    )
    assert m111.x_window[0] > m622.x_window[0] > CATHODES["NCM811"].x_window[0]
    assert m111.x_window[0] == ncm111.X_MIN
    # Co-rich: |dV/V| <= 1 % wherever defined
    cr = CATHODES["CoRichNCM"].lattice_strain
    xs = np.linspace(*cr.x_range, 2001)
    dv = volume_strain(*cr.strains(xs))
    assert dv.min() == pytest.approx(-0.010, abs=1e-9) and dv.max() <= 1e-12
    assert 0 < ncm_corich.SCALE < 0.25
    # LCO: extremes read from Stallard 2022
    law = CATHODES["LCO"].lattice_strain
    xs = np.linspace(*law.x_range, 4001)
    ea, ec = law.strains(xs)
    assert ec.max() == pytest.approx(0.026, abs=1e-4)
    assert 0.40 <= xs[np.argmax(ec)] <= 0.47
    assert ec.min() == pytest.approx(-0.042, abs=1e-4) and xs[np.argmin(ec)] == pytest.approx(0.11)
    assert ea.min() == pytest.approx(-0.0036, abs=1e-5)
    assert CATHODES["LCO"].x_window[0] == pytest.approx(lco.X_MIN)


def test_adhesion_estimates_recompute() -> None:
    for m in ELECTROLYTES.values():
        E_star = bimaterial_plane_strain_modulus_GPa(140.0, 0.3, m.E_GPa, m.nu)
        energy = 2.4 if m.name == "LLZO" else 0.8
        assert m.interface_fracture_energy_J_m2 == energy
        sigma = griffith_adhesion_strength_MPa(E_star, energy, se_common.FLAW_HALF_LENGTH_M)
        assert m.adhesion_strength_MPa == se_common.round_sig(sigma)
        assert 40 < m.adhesion_strength_MPa < 500


# ----------------------------------------------------------------------------- material objects


def _sources(keys: tuple[str, ...]) -> dict[str, Source]:
    return dict.fromkeys(keys, mat.USER_SUPPLIED)


def test_user_defined_cathode_for_verification_cases() -> None:
    m = CathodeMaterial(
        name="iso-test",
        formula="-",
        elasticity=IsotropicElasticity(140.0, 0.3),
        lattice_strain=LinearLatticeStrain(0.01, 0.01, x_ref=1.0),
        diffusivity=ConstantDiffusivity(1e-14),
        c_max_mol_m3=49000.0,
        x_window=(0.2, 1.0),
        gb_strength_MPa=700.0,
        fracture_toughness_MPa_sqrt_m=None,
        sources=_sources(CATHODE_SOURCE_KEYS),
    )
    eig = m.eigenstrain([1.0, 0.5])
    assert eig.shape == (2, 3, 3)
    np.testing.assert_allclose(np.diagonal(eig[1]), [-0.005, -0.005, -0.005])
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.c_max_mol_m3 = 1.0  # type: ignore[misc]
    with pytest.raises(TypeError):
        m.sources["elasticity"] = mat.USER_SUPPLIED  # type: ignore[index]
    assert pickle.loads(pickle.dumps(m)) == m


def test_cathode_validation_messages() -> None:
    base = CATHODES["NCM811"]
    with pytest.raises(ValueError, match=r"x_window.*inside the lattice-strain law's range"):
        dataclasses.replace(base, x_window=(0.05, 1.0))
    with pytest.raises(ValueError, match=r"x_window: need 0 <= x_min < x_max <= 1"):
        dataclasses.replace(base, x_window=(0.8, 0.5))
    missing = {k: v for k, v in base.sources.items() if k != "gb_strength_MPa"}
    with pytest.raises(ValueError, match=r"sources.*missing \['gb_strength_MPa'\]"):
        dataclasses.replace(base, sources=missing)
    with pytest.raises(ValueError, match="c_max_mol_m3"):
        dataclasses.replace(base, c_max_mol_m3=-1.0)
    with pytest.raises(ValueError, match="lattice_strain"):
        dataclasses.replace(base, lattice_strain=cast(Any, object()))
    with pytest.raises(ValueError, match=r"ElectrolyteMaterial\.nu"):
        dataclasses.replace(ELECTROLYTES["LLZO"], nu=0.6)
    with pytest.raises(ValueError, match="must say what it is derived from"):
        Source("somebody", estimate=True)


def test_builtins_pickle_and_compare() -> None:
    for m in (*CATHODES.values(), *ELECTROLYTES.values()):
        assert pickle.loads(pickle.dumps(m)) == m
