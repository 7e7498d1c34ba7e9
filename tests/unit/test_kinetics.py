"""Butler–Volmer law, exchange currents of the built-ins, molar masses, and the config's
kinetics section (polycat.materials.kinetics, polycat.config.resolve)."""

from __future__ import annotations

import numpy as np
import pytest

from polycat.config.loading import validate_config
from polycat.config.resolve import resolve
from polycat.errors import ConfigError
from polycat.materials import CATHODES
from polycat.materials.kinetics import (
    FARADAY,
    GAS_CONSTANT,
    ButlerVolmer,
    molar_mass_g_mol,
    specific_capacity_mAh_g,
)

F_RT = FARADAY / (GAS_CONSTANT * 298.15)
NO_OCV = {  # an inline cathode without an ocv
    "name": "NoOcv",
    "elasticity": {"E_GPa": 140.0, "nu": 0.3},
    "lattice_strain": {"eps_a_per_x": 0.01, "eps_c_per_x": -0.01},
    "diffusivity_m2_s": 1e-14,
    "c_max_mol_m3": 49000.0,
}


def test_current_and_overpotential_are_inverse() -> None:
    sym = ButlerVolmer(2.0)
    assert float(sym.i0(0.5)) == pytest.approx(2.0, rel=1e-15)
    assert float(sym.i0(0.1)) == pytest.approx(2.0 * np.sqrt(0.1 * 0.9) / 0.5, rel=1e-14)
    # symmetric: i = 2 i0 sinh(f η / 2)
    assert float(sym.current(0.5, 0.05, 298.15)) == pytest.approx(
        4.0 * np.sinh(0.025 * F_RT), rel=1e-14
    )
    asym = ButlerVolmer(1.0, alpha_a=0.3, alpha_c=0.7, x_dependence="constant")
    for law in (sym, asym):
        for i in (-5.0, -0.1, 0.0, 0.3, 7.0):
            eta = law.overpotential(i, 0.4, 298.15)
            assert float(law.current(0.4, eta, 298.15)) == pytest.approx(i, rel=1e-12, abs=1e-14)
            assert np.sign(eta) == np.sign(i)  # anodic current, positive overpotential
    # Tafel limit of the asymmetric law: η → ln(i/i0)/(α_a f)
    assert asym.overpotential(1e3, 0.4, 298.15) == pytest.approx(
        np.log(1e3) / (0.3 * F_RT), rel=1e-3
    )


@pytest.mark.parametrize(
    "kwargs",
    [{"i0_A_m2": 0.0}, {"i0_A_m2": 1.0, "alpha_a": 1.0}, {"i0_A_m2": 1.0, "x_dependence": "x"}],
)
def test_bad_laws_are_refused(kwargs: dict) -> None:
    with pytest.raises(ValueError, match="ButlerVolmer"):
        ButlerVolmer(**kwargs)


def test_molar_masses_and_capacity() -> None:
    # LiNi0.8Co0.1Mn0.1O2: 275.5 mAh/g theoretical (F / (3.6 M), M = 97.28 g/mol)
    m811 = molar_mass_g_mol("LiNi0.8Co0.1Mn0.1O2")
    assert m811 == pytest.approx(6.94 + 0.8 * 58.693 + 0.1 * 58.933 + 0.1 * 54.938 + 2 * 15.999)
    assert specific_capacity_mAh_g(1.0, m811) == pytest.approx(275.5, abs=0.1)
    assert molar_mass_g_mol("LiNi1/3Co1/3Mn1/3O2") == pytest.approx(96.459, abs=1e-3)
    assert molar_mass_g_mol("LiCoO2") == pytest.approx(97.871, abs=1e-3)
    for text in ("LiNi(x)Co(y)Mn(z)O2", "LiXyO2", "", "Li Co O2"):
        assert molar_mass_g_mol(text) is None


def test_every_builtin_cathode_has_kinetics_with_a_source() -> None:
    for name, m in CATHODES.items():
        assert isinstance(m.kinetics, ButlerVolmer), name
        src = m.sources["kinetics"]
        assert src.estimate and "liquid" in src.note.lower(), name  # liquid-cell values


X0 = {"x_start": 0.99}


def test_config_resolves_kinetics() -> None:
    plan = resolve(validate_config({}))
    assert plan.kinetics.model == "uniform_flux" and plan.kinetics.law is None
    plan = resolve(validate_config({"kinetics": {"model": "butler_volmer"}, "loading": X0}))
    assert plan.kinetics.law == CATHODES["NCM811"].kinetics
    plan = resolve(
        validate_config(
            {
                "kinetics": {
                    "model": "butler_volmer",
                    "i0_A_m2": 0.5,
                    "alpha_a": 0.4,
                    "series_resistance_ohm_m2": 2e-3,
                },
                "loading": X0,
            }
        )
    )
    law = plan.kinetics.law
    assert (law.i0_A_m2, law.alpha_a, law.alpha_c) == (0.5, 0.4, 0.5)
    assert plan.kinetics.series_resistance_ohm_m2 == 2e-3


def test_bad_kinetics_are_refused_naming_the_field() -> None:
    with pytest.raises(ConfigError, match=r"kinetics.model: butler_volmer needs the open-circuit"):
        resolve(validate_config({"kinetics": {"model": "butler_volmer"},
                                 "materials": {"cathode": NO_OCV}}))  # fmt: skip
    with_ocv = {**NO_OCV, "ocv": {"table": [[0.2, 4.3], [0.9, 3.6]]}}
    with pytest.raises(ConfigError, match=r"kinetics.i0_A_m2: NoOcv has no exchange current"):
        resolve(validate_config({"kinetics": {"model": "butler_volmer"},
                                 "materials": {"cathode": with_ocv}}))  # fmt: skip
    ok = {
        "kinetics": {"model": "butler_volmer", "i0_A_m2": 1.0},
        "materials": {"cathode": with_ocv},
        "loading": {"x_start": 0.9},
    }
    assert resolve(validate_config(ok)).kinetics.law.i0_A_m2 == 1.0
    flat = {"model": "butler_volmer", "i0_x_dependence": "constant"}
    assert resolve(validate_config({"kinetics": flat})).kinetics.law.x_dependence == "constant"
    for bad, field in (
        ({"i0_A_m2": -1.0}, "i0_A_m2"),
        ({"alpha_a": 1.5}, "alpha_a"),
        ({"series_resistance_ohm_m2": 5.0}, "series_resistance_ohm_m2"),
    ):
        with pytest.raises(ConfigError, match=field):
            validate_config({"kinetics": {"model": "butler_volmer", **bad}})
    cohesive = {
        "kinetics": {"model": "butler_volmer"},
        "interfaces": {"cathode_electrolyte": {"model": "cohesive"}},
    }
    with pytest.raises(ConfigError, match="not yet combined with cohesive"):
        validate_config(cohesive)
