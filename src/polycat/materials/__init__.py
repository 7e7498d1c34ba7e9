"""Cited materials library: cathodes, solid electrolytes, lattice-strain and diffusivity laws.

Pure numpy/scipy. Every built-in value carries a :class:`Source`; values that are derived,
borrowed or assumed have ``Source.estimate = True`` and a note saying what they rest on
(``polycat materials`` prints them all, see :func:`describe_materials`).

Every Source also carries an evidence level (measured, dft, model-parameter, derived,
estimate, hypothesis; :data:`EVIDENCE_LEVELS`); ``polycat materials --json`` exports them.

Built-ins (one module per parameter set under ``polycat.materials.cathodes`` and
``polycat.materials.electrolytes``): cathodes NCM811 (measured lattice law), NCM622,
NCM111, CoRichNCM and LCO (lattice laws flagged ``hypothesis``); electrolytes Li6PS5Cl
(DFT dense crystal, the default), Li6PS5Cl-sintered, Li6PS5Cl-cold-pressed, beta-Li3PS4
(alias Li3PS4), Li10GeP2S12 (alias LGPS), LLZO. Names are matched case-insensitively,
ignoring spaces, ``-`` and ``_``.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from polycat.materials import cathodes as _cathodes
from polycat.materials import electrolytes as _electrolytes
from polycat.materials.checks import lattice_scale_factor, unflagged_related_lattice_laws
from polycat.materials.describe import describe_cathode, describe_electrolyte, describe_table
from polycat.materials.export import cathode_dict, electrolyte_dict, library_dict
from polycat.materials.types import (
    CATHODE_SOURCE_KEYS,
    ELECTROLYTE_SOURCE_KEYS,
    EVIDENCE_LEVELS,
    NOT_SET,
    USER_SUPPLIED,
    CathodeMaterial,
    ConstantDiffusivity,
    DiffusivityLaw,
    ElectrolyteMaterial,
    IsotropicElasticity,
    LatticeStrainLaw,
    LinearLatticeStrain,
    ORegan2022Diffusivity,
    Source,
    TabulatedLatticeStrain,
    TrigonalElasticity,
    XDependence,
    volume_strain,
)

__all__ = [
    "CATHODES",
    "CATHODE_ALIASES",
    "CATHODE_SOURCE_KEYS",
    "ELECTROLYTES",
    "ELECTROLYTE_ALIASES",
    "ELECTROLYTE_SOURCE_KEYS",
    "EVIDENCE_LEVELS",
    "NOT_SET",
    "USER_SUPPLIED",
    "CathodeMaterial",
    "ConstantDiffusivity",
    "DiffusivityLaw",
    "ElectrolyteMaterial",
    "IsotropicElasticity",
    "LatticeStrainLaw",
    "LinearLatticeStrain",
    "ORegan2022Diffusivity",
    "Source",
    "TabulatedLatticeStrain",
    "TrigonalElasticity",
    "UnknownMaterialError",
    "XDependence",
    "cathode_dict",
    "describe_cathode",
    "describe_electrolyte",
    "describe_materials",
    "electrolyte_dict",
    "find_material",
    "get_cathode",
    "get_electrolyte",
    "lattice_scale_factor",
    "library_dict",
    "materials_json",
    "unflagged_related_lattice_laws",
    "volume_strain",
]

CATHODES: Mapping[str, CathodeMaterial] = MappingProxyType({m.name: m for m in _cathodes.BUILTIN})
"""Built-in cathodes by canonical name."""

ELECTROLYTES: Mapping[str, ElectrolyteMaterial] = MappingProxyType(
    {m.name: m for m in _electrolytes.BUILTIN}
)
"""Built-in solid electrolytes by canonical name."""

CATHODE_ALIASES: Mapping[str, str] = MappingProxyType(dict(_cathodes.ALIASES))
ELECTROLYTE_ALIASES: Mapping[str, str] = MappingProxyType(dict(_electrolytes.ALIASES))


class UnknownMaterialError(KeyError, ValueError):
    """A material name that is not built in; the message lists the valid names."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def _key(name: str) -> str:
    return name.replace("β", "beta").casefold().replace(" ", "").replace("-", "").replace("_", "")


def _index(names: Mapping[str, object], aliases: Mapping[str, str]) -> dict[str, str]:
    index = {_key(n): n for n in names}
    index.update({_key(a): n for a, n in aliases.items()})
    return index


_CATHODE_INDEX = _index(CATHODES, CATHODE_ALIASES)
_ELECTROLYTE_INDEX = _index(ELECTROLYTES, ELECTROLYTE_ALIASES)


def _unknown(kind: str, name: object, valid: Mapping[str, object], index: dict[str, str]) -> str:
    listed = ", ".join(valid)
    msg = f"unknown {kind} {name!r}; built-in {kind}s: {listed}"
    if isinstance(name, str):
        close = difflib.get_close_matches(_key(name), list(index), n=1, cutoff=0.6)
        if close:
            msg += f" (did you mean {index[close[0]]!r}?)"
    return msg + f"; or define the {kind} inline in the configuration"


def _lookup(
    name: str,
    kind: str,
    table: Mapping[str, Any],
    index: dict[str, str],
    other_index: dict[str, str],
    is_other: str,
) -> Any:
    """A built-in of `table` ("cathode" or "electrolyte" `kind`) by name or alias; a name of
    the other kind gets a message that says so (`is_other`: what that name is)."""
    if isinstance(name, str):
        hit = index.get(_key(name))
        if hit is not None:
            return table[hit]
        other = other_index.get(_key(name))
        if other is not None:
            noun = "cathode" if kind == "cathode" else "solid electrolyte"
            field = "electrolyte" if kind == "cathode" else "cathode"
            raise UnknownMaterialError(
                f"{name!r} is {is_other} ({other}), not a {noun}: give it as "
                f"materials.{field}. Built-in {kind}s: {', '.join(table)}"
            )
    raise UnknownMaterialError(_unknown(kind, name, table, index))


def get_cathode(name: str) -> CathodeMaterial:
    """A built-in cathode by name or alias (case-insensitive; spaces, '-', '_' ignored)."""
    mat: CathodeMaterial = _lookup(
        name, "cathode", CATHODES, _CATHODE_INDEX, _ELECTROLYTE_INDEX, "a solid electrolyte"
    )
    return mat


def get_electrolyte(name: str) -> ElectrolyteMaterial:
    """A built-in solid electrolyte by name or alias (case-insensitive)."""
    mat: ElectrolyteMaterial = _lookup(
        name, "electrolyte", ELECTROLYTES, _ELECTROLYTE_INDEX, _CATHODE_INDEX,
        "a cathode active material",
    )  # fmt: skip
    return mat


def describe_materials() -> str:
    """Every built-in material with every value and its source (``polycat materials``)."""
    return describe_table(
        CATHODES.values(),
        ELECTROLYTES.values(),
        {**dict(CATHODE_ALIASES), **dict(ELECTROLYTE_ALIASES)},
    )


def find_material(name: str) -> CathodeMaterial | ElectrolyteMaterial:
    """A built-in cathode or electrolyte by name or alias (``polycat materials NAME``);
    an unknown name raises :class:`UnknownMaterialError` listing every valid name."""
    if isinstance(name, str):
        hit = _CATHODE_INDEX.get(_key(name))
        if hit is not None:
            return CATHODES[hit]
        hit = _ELECTROLYTE_INDEX.get(_key(name))
        if hit is not None:
            return ELECTROLYTES[hit]
    index = {**_CATHODE_INDEX, **_ELECTROLYTE_INDEX}
    msg = (
        f"unknown material {name!r}; built-in cathodes: {', '.join(CATHODES)}; "
        f"built-in electrolytes: {', '.join(ELECTROLYTES)}"
    )
    if isinstance(name, str):
        close = difflib.get_close_matches(_key(name), list(index), n=1, cutoff=0.6)
        if close:
            found = index[close[0]]
            msg += f" (did you mean {found!r}?)"
    raise UnknownMaterialError(msg)


def materials_json(name: str | None = None) -> str:
    """The whole library (or one material) as JSON, every value with source and evidence."""
    import json

    if name is None:
        data: dict[str, Any] = library_dict(
            CATHODES.values(),
            ELECTROLYTES.values(),
            {**dict(CATHODE_ALIASES), **dict(ELECTROLYTE_ALIASES)},
        )
    else:
        m = find_material(name)
        data = cathode_dict(m) if isinstance(m, CathodeMaterial) else electrolyte_dict(m)
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False)
