"""The up-front diffusion check: the constant-flux sphere series against its two limits,
and a run that diffusion cannot carry refused before meshing (one that it can, accepted)."""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import pytest
import yaml

from polycat.config import ConfigError, validate_config
from polycat.config.resolve import resolve
from polycat.preflight import check_transport, surface_lag

ROOT = Path(__file__).resolve().parents[2]
DEFAULT: dict[str, Any] = yaml.safe_load((ROOT / "configs" / "default.yaml").read_text())


def test_surface_lag_has_the_steady_and_the_early_time_limits() -> None:
    R, D, rate = 5e-6, 1e-15, 2.4e-4
    steady = R**2 * rate / (15 * D)
    assert surface_lag(R, D, rate, 1e3 * R**2 / D) == pytest.approx(steady, rel=1e-9)
    # early times: semi-infinite medium, Δ = (2/√π)(J/c)√(t/D) with J/c = R ẋ / 3
    t = 1e-4 * R**2 / D
    early = 2 / math.sqrt(math.pi) * (R * rate / 3) * math.sqrt(t / D)
    assert surface_lag(R, D, rate, t) == pytest.approx(early, rel=0.03)
    assert surface_lag(R, D, rate, t) < surface_lag(R, D, rate, 10 * t) < steady


def _plan(**changes: Any) -> Any:
    data = copy.deepcopy(DEFAULT)
    data.pop("interfaces")
    for path, value in changes.items():
        section, key = path.split("__")
        data.setdefault(section, {})[key] = value
    return resolve(validate_config(data))


def test_a_run_diffusion_cannot_carry_is_refused_naming_the_fields() -> None:
    check_transport(_plan())  # the default case: the surface stays inside [0, 1]
    check_transport(_plan(loading__c_rate=2.0))
    with pytest.raises(ConfigError) as info:
        check_transport(_plan(loading__c_rate=10.0, geometry__particle_radius_um=8.0,
                              geometry__matrix_size_um=24.0))  # fmt: skip
    text = str(info.value)
    assert text.startswith("loading.c_rate: at 10C the surface of this particle")
    assert "geometry.particle_radius_um = 8 µm" in text and "near SOC" in text
    assert "Lower loading.c_rate to about" in text
