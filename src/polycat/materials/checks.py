"""Checks that no material conclusion is put in by construction."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from polycat.materials.types import CathodeMaterial, LatticeStrainLaw

__all__ = ["lattice_scale_factor", "unflagged_related_lattice_laws"]


def lattice_scale_factor(
    a: LatticeStrainLaw, b: LatticeStrainLaw, rtol: float = 1e-6, n: int = 401
) -> float | None:
    """The factor s with ``b = s * a`` (both strain components, one s, or each component
    separately proportional) on the laws' common x range; None when they are not.

    A copy gives s = 1. ``rtol`` is the residual relative to ``|b|`` below which b counts as
    a multiple of a; laws that do not overlap in x, or that vanish there, give None.
    """
    lo = max(a.x_range[0], b.x_range[0])
    hi = min(a.x_range[1], b.x_range[1])
    if not hi > lo:
        return None
    xs = np.linspace(lo, hi, n)
    ea, eb = (np.concatenate(law.strains(xs)) for law in (a, b))
    if float(ea @ ea) == 0.0 or float(eb @ eb) == 0.0:
        return None

    def fit(u: np.ndarray, v: np.ndarray) -> float | None:
        s = float(u @ v) / float(u @ u)
        if np.linalg.norm(v - s * u) <= rtol * np.linalg.norm(v):
            return s
        return None

    joint = fit(ea, eb)
    if joint is not None:
        return joint
    m = xs.size
    sa, sc = fit(ea[:m], eb[:m]), fit(ea[m:], eb[m:])
    if sa is not None and sc is not None:
        return sa  # each component proportional on its own (factor of eps_a returned)
    return None


def unflagged_related_lattice_laws(
    cathodes: Iterable[CathodeMaterial],
) -> list[tuple[str, str, float]]:
    """Pairs of cathodes whose lattice laws are copies or scalar multiples of each other
    while neither is flagged ``evidence: hypothesis``: ``(name_a, name_b, factor)``."""
    items = list(cathodes)
    bad = []
    for i, m1 in enumerate(items):
        for m2 in items[i + 1 :]:
            s = lattice_scale_factor(m1.lattice_strain, m2.lattice_strain)
            if s is None:
                continue
            flags = {m.sources["lattice_strain"].evidence_level for m in (m1, m2)}
            if "hypothesis" not in flags:
                bad.append((m1.name, m2.name, s))
    return bad
