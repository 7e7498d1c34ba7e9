"""Human-readable tables of materials with every value and its source."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable

from polycat.materials.sources import Source
from polycat.materials.types import (
    CATHODE_SOURCE_KEYS,
    ELECTROLYTE_SOURCE_KEYS,
    CathodeMaterial,
    ElectrolyteMaterial,
)

__all__ = ["describe_cathode", "describe_electrolyte", "describe_table"]

_WIDTH = 100


def _law_text(law: object) -> str:
    describe = getattr(law, "describe", None)
    return str(describe()) if callable(describe) else repr(law)


def _rows(rows: Iterable[tuple[str, str, Source]]) -> list[str]:
    lines = []
    for field, value, src in rows:
        flag = "!" if src.evidence_level == "hypothesis" else ("*" if src.estimate else " ")
        lines.extend(
            textwrap.wrap(
                f"{field}: {value}",
                _WIDTH,
                initial_indent=f"  {flag} ",
                subsequent_indent="        ",
            )
        )
        lines.extend(
            textwrap.wrap(
                f"source: {src.short()}",
                _WIDTH,
                initial_indent="      ",
                subsequent_indent="        ",
            )
        )
        if src.checked:
            lines.extend(
                textwrap.wrap(
                    f"checked: {src.checked}",
                    _WIDTH,
                    initial_indent="      ",
                    subsequent_indent="        ",
                )
            )
        if src.note:
            lines.extend(
                textwrap.wrap(
                    f"note: {src.note}",
                    _WIDTH,
                    initial_indent="      ",
                    subsequent_indent="        ",
                )
            )
    return lines


def _header(kind: str, name: str, formula: str, notes: str, flags: str = "") -> list[str]:
    lines = [f"{kind} {name}  ({formula}){flags}"]
    if notes:
        lines.extend(textwrap.wrap(notes, _WIDTH, initial_indent="  ", subsequent_indent="  "))
    return lines


def _anisotropy_text(m: CathodeMaterial) -> str:
    """D_c/D_ab in a line, with the crystal-frame values at the window's middle."""
    r = m.diffusion_anisotropy
    if r is None:
        return "isotropic (D the same along a and c)"
    k_ab = 3.0 / (2.0 + r)
    x_mid = 0.5 * sum(m.x_window)
    D = float(m.diffusivity(x_mid))
    return (
        f"D_c/D_ab = {r:g}: D_ab = {k_ab:.3g} D, D_c = {r * k_ab:.3g} D (orientation average "
        f"D); at x = {x_mid:g}: D_ab = {k_ab * D:.3g}, D_c = {r * k_ab * D:.3g} m²/s"
    )


def _ocv_text(m: CathodeMaterial) -> str:
    """U(x) in a line: where it was fitted, U and Θ at the ends of the window."""
    if m.ocv is None:
        return "not set (two-way coupling needs thermodynamic_factor: dilute)"
    from polycat.materials.ocv import thermodynamic_factor

    lo, hi = m.x_window
    U = [float(m.ocv(v)) for v in (hi, lo)]
    th = [float(thermodynamic_factor(m.ocv, v, 298.15)) for v in (hi, lo)]
    a, b = m.ocv.x_range
    return (
        f"{type(m.ocv).__name__}: U = {U[0]:.3f} V at x = {hi:g}, {U[1]:.3f} V at x = {lo:g} "
        f"(vs Li/Li+); Theta = {th[0]:.1f}, {th[1]:.1f} (298 K); fitted over x {a:g}-{b:g}"
    )


def describe_cathode(m: CathodeMaterial) -> str:
    """Every value of a cathode with its source and note (``*`` = estimate)."""
    tough = m.fracture_toughness_MPa_sqrt_m
    g_gb = m.gb_fracture_energy_J_m2
    g_text = "not set" if g_gb is None else f"{g_gb:g} J/m²"
    if g_gb is not None and m.gb_fracture_energy_vs_x is not None:
        g_text += f"; x-dependence: {m.gb_fracture_energy_vs_x.describe()}"
    values = {
        "elasticity": _law_text(m.elasticity),
        "lattice_strain": _law_text(m.lattice_strain),
        "diffusivity": _law_text(m.diffusivity),
        "c_max_mol_m3": f"{m.c_max_mol_m3:.0f} mol/m³",
        "x_window": f"x from {m.x_window[1]:g} (start of charge) to {m.x_window[0]:g}",
        "gb_strength_MPa": f"{m.gb_strength_MPa:g} MPa",
        "fracture_toughness_MPa_sqrt_m": "not set" if tough is None else f"{tough:g} MPa·m^0.5",
        "gb_fracture_energy_J_m2": g_text,
        "ocv": _ocv_text(m),
        "diffusion_anisotropy": _anisotropy_text(m),
        "kinetics": "not set" if m.kinetics is None else m.kinetics.describe(),
    }
    rows = [(k, values[k], m.sources[k]) for k in CATHODE_SOURCE_KEYS]
    if m.gb_fracture_energy_vs_x is not None:
        rows.append(("gb_fracture_energy_vs_x", "see above", m.gb_fracture_energy_vs_x.source))
    hyp = [k for k, s in m.sources.items() if s.evidence_level == "hypothesis"]
    flags = f"  [evidence: hypothesis in {', '.join(hyp)}]" if hyp else ""
    return "\n".join(_header("CATHODE", m.name, m.formula, m.notes, flags) + _rows(rows))


def describe_electrolyte(m: ElectrolyteMaterial) -> str:
    """Every value of a solid electrolyte with its source and note (``*`` = estimate)."""
    tough = m.fracture_toughness_MPa_sqrt_m
    values = {
        "E_GPa": f"{m.E_GPa:g} GPa",
        "nu": f"{m.nu:g}",
        "adhesion_strength_MPa": f"{m.adhesion_strength_MPa:g} MPa",
        "fracture_toughness_MPa_sqrt_m": "not set" if tough is None else f"{tough:g} MPa·m^0.5",
        "interface_fracture_energy_J_m2": (
            "not set"
            if m.interface_fracture_energy_J_m2 is None
            else f"{m.interface_fracture_energy_J_m2:g} J/m² (CAM|SE)"
        ),
    }
    rows = [(k, values[k], m.sources[k]) for k in ELECTROLYTE_SOURCE_KEYS]
    formula = f"{m.formula}; {m.state}" if m.state else m.formula
    return "\n".join(_header("ELECTROLYTE", m.name, formula, m.notes) + _rows(rows))


def describe_table(
    cathodes: Iterable[CathodeMaterial],
    electrolytes: Iterable[ElectrolyteMaterial],
    aliases: dict[str, str] | None = None,
) -> str:
    """The one-line-per-material table of `polycat materials`."""
    parts = [
        "polycat built-in materials",
        "Units: GPa, MPa, MPa·m^0.5, J/m², mol/m³, m²/s; x = Li fraction c/c_max.",
        "Each source ends with [evidence: LEVEL]: measured, dft, model-parameter, derived, "
        "estimate, hypothesis, user, none.",
        "Lines marked * rest on estimates (borrowed or assumed); lines marked ! are "
        "HYPOTHESES (a constructed law: results that depend on it follow from the "
        "construction in its note).",
        "Tags: [R] read in a public repository file, [A] abstract/web page, "
        "[S] second-hand digest, [C] computed, [U] unverified.",
        "",
    ]
    parts += [describe_cathode(m) + "\n" for m in cathodes]
    parts += [describe_electrolyte(m) + "\n" for m in electrolytes]
    if aliases:
        alias_text = ", ".join(f"{a} -> {n}" for a, n in sorted(aliases.items()))
        parts += textwrap.wrap(f"Aliases: {alias_text}", _WIDTH)
    return "\n".join(parts).rstrip() + "\n"
