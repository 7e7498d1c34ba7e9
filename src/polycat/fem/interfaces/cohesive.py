"""The bilinear (linear-softening) cohesive law with frictionless contact, in numpy.

Per interface point, with the jump ⟦u⟧ (µm) split along the unit normal n (out of side 0):
δ_n = ⟦u⟧·n (> 0: apart), δ_s = ⟦u⟧ − δ_n n. Effective opening (mixed mode)

    λ = sqrt(⟨δ_n⟩₊² + β² |δ_s|²),   β = σ_c / τ_c  (1 by default: τ_c = σ_c),

history κ = max over time of λ (irreversible), damage

    d(κ) = δ_f (κ − δ_0) / (κ (δ_f − δ_0))   for δ_0 < κ < δ_f,   0 below, 1 above,
    δ_0 = σ_c / k_0,   δ_f = 2 G_c / σ_c,

and traction t = (1 − d) k_0 (⟨δ_n⟩₊ n + δ_s) + k_c ⟨δ_n⟩₋ n: linear elastic up to σ_c,
softening linearly to zero at δ_f (mode I: the area under the curve is G_c), unloading
and reloading along the secant (1 − d) k_0, and a penalty k_c against interpenetration that
acts in compression whatever the damage. In pure shear the strength is τ_c and the
fracture energy G_c (τ_c/σ_c)². A fully damaged point keeps ``residual`` × k_0 in
tension and shear (a tiny stiffness that keeps a detached grain's rigid motion bounded).

Units: k in MPa/µm, σ in MPa, G_c in J/m² = MPa·µm, openings in µm.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

__all__ = ["CohesiveLaw", "CohesiveState"]


@dataclass(frozen=True)
class CohesiveState:
    """The law evaluated at interface points (arrays over the points).

    Attributes:
        traction: (n, 3) the interface traction t (MPa): ∫ t·⟦v⟧ dA is its virtual work;
            t·n > 0 is tension.
        tangent: (n, 3, 3) consistent tangent ∂t/∂⟦u⟧ (MPa/µm).
        secant: (n, 3, 3) secant stiffness (symmetric positive definite, MPa/µm).
        kappa: (n,) trial history max(κ_prev, λ) (µm).
        damage: (n,) damage at ``kappa``.
        opening: (n,) normal opening δ_n (µm); shear: (n,) |δ_s| (µm).
    """

    traction: FloatArray
    tangent: FloatArray
    secant: FloatArray
    kappa: FloatArray
    damage: FloatArray
    opening: FloatArray
    shear: FloatArray


@dataclass(frozen=True)
class CohesiveLaw:
    """Bilinear traction–separation law with contact (see the module docstring).

    Attributes:
        k0: initial stiffness, MPa/µm.
        strength: tensile strength σ_c, MPa.
        energy: mode-I fracture energy G_c, J/m² (= MPa·µm).
        shear_strength: τ_c, MPa (None: equal to σ_c).
        contact_stiffness: penalty against interpenetration k_c, MPa/µm (None: k0).
        residual: fraction of k0 left at full damage (tension and shear).
        breakable: False for an interface that never damages (a stiff elastic bond).
    """

    k0: float
    strength: float
    energy: float
    shear_strength: float | None = None
    contact_stiffness: float | None = None
    residual: float = 1e-6
    breakable: bool = True

    def __post_init__(self) -> None:
        for name in ("k0", "strength", "energy"):
            if not float(getattr(self, name)) > 0.0:
                raise ValueError(
                    f"cohesive law: {name} must be positive, got {getattr(self, name)}"
                )
        if self.shear_strength is not None and not self.shear_strength > 0.0:
            raise ValueError("cohesive law: shear_strength must be positive")
        if self.contact_stiffness is not None and not self.contact_stiffness > 0.0:
            raise ValueError("cohesive law: contact_stiffness must be positive")
        if not 0.0 <= self.residual < 1e-2:
            raise ValueError("cohesive law: residual must lie in [0, 0.01)")
        if self.breakable and not self.delta_f > self.delta_0:
            raise ValueError(
                f"cohesive law: the final opening 2 G_c/σ_c = {self.delta_f:.3g} µm must exceed "
                f"the elastic limit σ_c/k0 = {self.delta_0:.3g} µm: raise the fracture energy "
                "or the initial stiffness"
            )

    @property
    def delta_0(self) -> float:
        """Opening at the strength, σ_c / k0 (µm)."""
        return self.strength / self.k0

    @property
    def delta_f(self) -> float:
        """Opening at full separation in mode I, 2 G_c / σ_c (µm)."""
        return 2.0 * self.energy / self.strength

    @property
    def beta(self) -> float:
        """Shear weight β = σ_c / τ_c of the effective opening."""
        return 1.0 if self.shear_strength is None else self.strength / self.shear_strength

    @property
    def kc(self) -> float:
        """Contact penalty (MPa/µm)."""
        return self.k0 if self.contact_stiffness is None else float(self.contact_stiffness)

    def damage(self, kappa: FloatArray) -> FloatArray:
        """d(κ) of the linear-softening law (0 for an unbreakable interface)."""
        kappa = np.asarray(kappa, dtype=np.float64)
        if not self.breakable:
            return np.zeros_like(kappa)
        d0, df = self.delta_0, self.delta_f
        with np.errstate(divide="ignore", invalid="ignore"):
            d = df * (kappa - d0) / (np.maximum(kappa, 1e-300) * (df - d0))
        return np.clip(np.where(kappa > d0, d, 0.0), 0.0, 1.0)

    def dissipated(self, kappa: FloatArray) -> FloatArray:
        """Energy dissipated per area up to history κ, J/m² (= G_c at κ ≥ δ_f)."""
        kappa = np.minimum(np.asarray(kappa, dtype=np.float64), self.delta_f)
        t = (1.0 - self.damage(kappa)) * self.k0 * kappa
        return np.where(kappa > self.delta_0, 0.5 * kappa * (self.strength - t), 0.0)

    def evaluate(
        self,
        jump: FloatArray,
        normal: FloatArray,
        kappa_prev: FloatArray,
        damage_prev: FloatArray | None = None,
        rate: float = np.inf,
        closed: NDArray[np.bool_] | None = None,
    ) -> CohesiveState:
        """Traction, tangents, trial history and damage at points with jumps ``jump``
        (n, 3), unit normals ``normal`` (n, 3), committed history ``kappa_prev`` (n,).

        Viscous regularisation (after Gao & Bower, Model. Simul. Mater. Sci. Eng. 12 (2004)
        453, applied to the history variable): with ``rate`` = r = Δt/η finite, the history
        relaxes towards the current effective opening, κ = κ_prev + r/(1 + r) (λ − κ_prev)
        for λ > κ_prev (backward Euler of κ̇ = (λ − κ)/η), which lets Newton pass the
        snap-back of unstable crack growth; ``rate`` = ∞ (default) is the rate-independent
        law κ = max(κ_prev, λ). Relaxing κ rather than d keeps the overstress bounded by
        σ_c λ/κ instead of scaling with k0. ``damage_prev`` is not used (kept for the
        call signature). ``closed``, if given, fixes the contact status of each point
        (True: the penalty k_c acts on δ_n of either sign; False: the cohesive secant
        does): with ``rate`` = 0 the law is then linear in the jump (IMPL-EX with a
        lagged contact status)."""
        jump = np.asarray(jump, dtype=np.float64)
        n = np.asarray(normal, dtype=np.float64)
        dn = np.einsum("pi,pi->p", jump, n)
        ds = jump - dn[:, None] * n
        s = np.sqrt(np.einsum("pi,pi->p", ds, ds))
        pos = dn > 0.0
        dnp = np.where(pos, dn, 0.0)
        if closed is not None:
            pos = ~np.asarray(closed, dtype=bool)
        dn_open = np.where(pos, dn, 0.0)  # = ⟨δ_n⟩₊ unless the status is fixed
        beta = self.beta
        lam = np.sqrt(dnp**2 + beta**2 * s**2)
        share = rate / (1.0 + rate) if np.isfinite(rate) else 1.0
        kappa = np.maximum(kappa_prev, kappa_prev + share * (lam - kappa_prev))
        d = self.damage(kappa)
        floor = 1.0 - self.residual
        d_eff = np.minimum(d, floor)
        k = (1.0 - d_eff) * self.k0
        nn = np.einsum("pi,pj->pij", n, n)
        eye = np.eye(3)[None]
        tang_part = eye - nn
        open_part = np.where(pos, 1.0, 0.0)[:, None, None] * nn
        closed_part = np.where(pos, 0.0, 1.0)[:, None, None] * nn
        dn_closed = np.where(pos, 0.0, dn)
        traction = k[:, None] * (dn_open[:, None] * n + ds) + self.kc * dn_closed[:, None] * n
        secant = k[:, None, None] * (open_part + tang_part) + self.kc * closed_part
        tangent = secant.copy()
        if self.breakable:
            d0, df = self.delta_0, self.delta_f
            loading = (lam >= kappa_prev) & (kappa > d0) & (kappa < df) & (d < floor)
            loading &= lam > 0.0
            if np.any(loading):
                L = lam[loading]
                Kp = kappa[loading]
                dd = share * df * d0 / (Kp**2 * (df - d0))  # ∂d/∂λ = d'(κ) ∂κ/∂λ
                a = dnp[loading, None] * n[loading] + ds[loading]  # ∂(t/k)/… direction
                g = (dnp[loading, None] * n[loading] + beta**2 * ds[loading]) / L[:, None]
                tangent[loading] -= self.k0 * dd[:, None, None] * np.einsum("pi,pj->pij", a, g)
        return CohesiveState(
            traction=traction,
            tangent=tangent,
            secant=secant,
            kappa=kappa,
            damage=d,
            opening=dn,
            shear=s,
        )
