"""Everything reported at one SOC, read from a solved state as plain values (no file I/O).

:class:`SocReader` is set up once per run (samplers, expressions, masks) and turns the
model's current state into a :class:`SocReport`: the summary row, the radial profile,
per-boundary and per-grain rows, the GB facet table and the z = 0 section. Collective:
every rank calls :meth:`SocReader.read`; reductions count owned entities once, and the
gathered parts (facets, section) are present on rank 0 only. Checks of local data (finite
stresses) are reduced before anyone raises, so a bad value on one rank stops every rank
with the same :class:`~polycat.errors.SolverError`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import dolfinx_solver  # noqa: F401  (orders MPI ahead of the DOLFINx bindings)
from mpi4py import MPI

import numpy as np

from dolfinx import fem

from polycat.errors import SolverError
from polycat.fem.model import ChemoMechanicsModel
from polycat.geometry.tags import ParticleTags
from polycat.materials import LatticeStrainLaw
from polycat.post.interfaces import (
    InterfaceSample,
    gather_pair_facets,
    interface_rows,
    interface_summary,
    isolated_volume_fraction,
)
from polycat.post.readers import (
    ReaderSettings,
    derive_samples,
    facet_statistics,
    grain_rows,
    radial_profile,
    stress_summary,
)
from polycat.post.sampling import FacetSamples, PointSampler, sample_cells, sample_facets
from polycat.post.stress import spherical_ufl
from polycat.schedule import X_ROUNDOFF

__all__ = ["FACET_COLUMNS", "SocReader", "SocReport", "collective_failure"]

log = logging.getLogger("polycat")

FACET_COLUMNS = (
    "tag", "area_um2", "tn_MPa", "ts_MPa", "x_um", "y_um", "z_um", "damage", "opening_um",
)  # fmt: skip
COHESIVE_COLUMNS = (
    "gb_damaged_area_fraction",
    "gb_cracked_area_fraction",
    "gb_opening_mean_um",
    "gb_opening_max_um",
    "interface_damaged_area_fraction",
    "interface_debonded_area_fraction",
    "interface_opening_mean_um",
    "interface_opening_max_um",
    "interface_contact_area_fraction",
    "dissipated_energy_pJ",
    "isolated_volume_fraction",
)
"""Summary columns of cohesive interfaces (empty for bonded runs)."""
INTERFACE_COLUMNS = (
    "interface_tn_max_MPa",
    "delam_risk_max",
    "interface_area_fraction_at_risk",
    "interface_tn_mean_MPa",
)
OPENING_KEYS = (
    "damaged_area_fraction",
    "cracked_area_fraction",
    "opening_mean_um",
    "opening_max_um",
)
BOUNDARY_KEYS = ("area_um2", "tn_mean_MPa", "tn_max_MPa", "tn_min_MPa", "ts_mean_MPa", "ts_max_MPa")
SE_COLUMNS = (
    "se_sigma_r_max_MPa",
    "se_sigma_r_min_MPa",
    "se_sigma_hoop_max_MPa",
    "se_sigma_hoop_min_MPa",
    "se_vm_max_MPa",
)


def collective_failure(comm: MPI.Comm, message: str | None) -> None:
    """Raise the same :class:`SolverError` on every rank if any rank has a ``message``
    (the first rank's, naming it); a no-op when none has."""
    messages = comm.allgather(message)
    ranks = [rank for rank, text in enumerate(messages) if text]
    if ranks:
        where = ""
        if comm.size > 1:
            where = f" (on rank{'s' if len(ranks) > 1 else ''} {', '.join(map(str, ranks))})"
        raise SolverError(f"{messages[ranks[0]]}{where}")


@dataclass(frozen=True)
class SocReport:
    """The quantities of one report SOC.

    Attributes:
        soc, time_s: the state of charge and the time (s).
        summary: the summary.csv row (every key a column; None = not applicable).
        profile: radial shell averages (profiles/soc_XXX.csv rows).
        boundaries: per grain boundary and interface patch (boundaries.csv rows).
        grains: per grain (grains.csv rows).
        facets: every GB facet (facets/gb_soc_XXX.csv rows); rank 0 only, else None.
        section: the z = 0 section of σ_hoop and the region (grain / electrolyte tag) at
            each point (arrays); rank 0 only, else None.
        interface_facets: every CAM–SE interface facet
            (facets/interface_soc_XXX.csv rows); rank 0 only, else None.
    """

    soc: float
    time_s: float
    summary: dict[str, Any]
    profile: list[dict[str, Any]]
    boundaries: list[dict[str, Any]]
    grains: list[dict[str, Any]]
    facets: list[dict[str, Any]] | None
    section: dict[str, Any] | None
    interface_facets: list[dict[str, Any]] | None = None
    tag: str = ""
    """The file tag of the per-report outputs (``soc_<tag>.csv``; empty: the SOC's,
    :func:`polycat.soc_tags.soc_tag`); numbered in a protocol where a SOC recurs."""
    series_time: float | None = None
    """The time value of the ParaView series (None: the SOC)."""

    @property
    def file_tag(self) -> str:
        """:attr:`tag`, or the SOC's tag."""
        from polycat.soc_tags import soc_tag

        return self.tag or soc_tag(self.soc)


class SocReader:
    """Reads a :class:`SocReport` from the model's current state (collective).

    Args:
        model: the solved problem.
        cell_tags, facet_tags: the mesh tags; tags: the typed tags of the mesh.
        settings: reader settings (strengths, radii, bins).
        lattice: the cathode's lattice law (the free-particle strain of the radial gap).
        section_half_um: half width of the z = 0 section grid, µm.
        c_rate: the run's C-rate (named when x leaves [0, 1]).
        on_x_outside_table: called once with (x_min, x_max, table range) the first time x
            leaves the lattice table.
    """

    def __init__(
        self,
        model: ChemoMechanicsModel,
        cell_tags: Any,
        facet_tags: Any,
        tags: ParticleTags,
        settings: ReaderSettings,
        lattice: LatticeStrainLaw,
        section_half_um: float,
        c_rate: float,
        section_points: int = 161,
    ) -> None:
        self.model = model
        self.mesh = mesh = model.mesh
        self.cell_tags, self.facet_tags, self.tags = cell_tags, facet_tags, tags
        self.settings = settings
        self.lattice = lattice
        self.c_rate = c_rate
        self.sigma = model.sigma
        self.s_rr, self.s_hoop = spherical_ufl(self.sigma, mesh)
        S1 = fem.functionspace(mesh, ("DG", 1))
        self.hoop_dg = fem.Function(S1, name="sigma_hoop_MPa")
        self.hoop_expr = fem.Expression(self.s_hoop, S1.element.interpolation_points)
        self.x_parent = model.x_on_mesh()
        tdim = mesh.topology.dim
        imap = mesh.topology.index_map(tdim)
        self.grain_cells = np.zeros(imap.size_local + imap.num_ghosts, dtype=bool)
        ct = cell_tags
        self.grain_cells[ct.indices[np.isin(ct.values, settings.grain_tags)]] = True
        self.section_axis = np.linspace(-section_half_um, section_half_um, section_points)
        X, Y = np.meshgrid(self.section_axis, self.section_axis)
        pts = np.column_stack([X.ravel(), Y.ravel(), np.zeros(X.size)])
        self.section_sampler = PointSampler(mesh, pts)
        # region id of every cell (grain tag, electrolyte tag): grain boundaries on the plot
        self.region_dg = fem.Function(fem.functionspace(mesh, ("DG", 0)), name="grain_id")
        self.region_dg.x.array[ct.indices] = ct.values
        self.region_dg.x.scatter_forward()
        self.warned_outside_table = False
        self.on_x_outside_table: Callable[[float, float, tuple[float, float]], None] = (
            _warn_outside_table
        )

    def read(
        self,
        soc: float,
        t_s: float,
        loop_values: dict[str, Any],
        corrupt: Callable[[Any], None] | None = None,
    ) -> SocReport:
        """The report of the current state at ``soc`` (time ``t_s``, s). ``loop_values``
        are the summary entries the loop owns (mass balance, iterations); ``corrupt`` (the
        fault-injection hook of the tests) may alter this rank's sampled stresses."""
        comm, r, m = self.mesh.comm, self.settings, self.model
        m.x_on_mesh()
        samples = sample_cells(self.mesh, self.cell_tags, self.sigma, self.x_parent, degree=2)
        if corrupt is not None:
            corrupt(samples.sigma)
        bad = not (np.all(np.isfinite(samples.sigma)) and np.all(np.isfinite(samples.x)))
        collective_failure(
            comm, f"non-finite stress or Li fraction at SOC {soc:.2f}" if bad else None
        )
        d = derive_samples(samples, r)
        row: dict[str, Any] = {"soc": soc, "time_s": t_s, "x_mean": m.mean_x()}
        stresses: dict[str, Any] = dict(stress_summary(comm, samples, d, r))
        stresses.pop("x_mean_particle")  # x_mean above is the exact (assembled) mean
        if r.matrix_tag is None:  # no electrolyte: its columns are not applicable
            stresses.update(dict.fromkeys(SE_COLUMNS))
        row.update(stresses)
        profile = radial_profile(comm, samples, d, r)
        grains = grain_rows(comm, samples, d, r)
        if m.cohesive is not None:
            itf_part, b_rows, facets, itf_facets = self._cohesive_interfaces(soc, grains)
        else:
            itf_part, b_rows, facets, itf_facets = self._bonded_interfaces(soc)
        row.update(itf_part)
        x_lo, x_hi = self._x_extremes()
        row.update(loop_values)
        row["x_min_particle"], row["x_max_particle"] = x_lo, x_hi
        return SocReport(
            soc=soc,
            time_s=t_s,
            summary=row,
            profile=profile,
            boundaries=b_rows,
            grains=[{"soc": soc, **g} for g in grains],
            facets=facets,
            section=self._section(),
            interface_facets=itf_facets,
        )

    # -- interfaces ----------------------------------------------------------------
    def _bonded_interfaces(
        self, soc: float
    ) -> tuple[
        dict[str, Any],
        list[dict[str, Any]],
        list[dict[str, Any]] | None,
        list[dict[str, Any]] | None,
    ]:
        """Tractions of bonded interfaces read from the stress (conforming mesh), with the
        facet samples behind them (``polycat report --set readers.…`` re-reads the risks
        from those)."""
        comm, r = self.mesh.comm, self.settings
        gb_tags = list(self.tags.gb)
        gb = sample_facets(self.mesh, self.facet_tags, gb_tags, self.sigma)
        gb_all, gb_rows = facet_statistics(
            comm, gb, gb_tags, r.gb_strength_MPa, r.gb_shear_strength_MPa
        )
        part: dict[str, Any] = {
            "gb_tn_max_MPa": gb_all["tn_max_MPa"],
            "gb_risk_max": gb_all["risk_max"],
            "gb_area_fraction_at_risk": gb_all["area_fraction_at_risk"],
            "gb_tn_mean_MPa": gb_all["tn_mean_MPa"],
            "gb_tn_tensile_mean_MPa": gb_all["tn_tensile_mean_MPa"],
            **dict.fromkeys(COHESIVE_COLUMNS),
            **dict.fromkeys(INTERFACE_COLUMNS),
        }
        b_rows = [
            self._boundary_row(soc, "gb", t, {**rr, **dict.fromkeys(OPENING_KEYS)})
            for t, rr in zip(sorted(self.tags.gb), gb_rows, strict=True)
        ]
        itf_facets = None
        if r.adhesion_strength_MPa is not None and self.tags.interface:
            itf_tags = list(self.tags.interface)
            itf = sample_facets(
                self.mesh,
                self.facet_tags,
                itf_tags,
                self.sigma,
                one_side=self.grain_cells,
                at="cell",
            )
            if_all, if_rows = facet_statistics(comm, itf, itf_tags, r.adhesion_strength_MPa)
            part.update(
                {
                    "interface_tn_max_MPa": if_all["tn_max_MPa"],
                    "delam_risk_max": if_all["risk_max"],
                    "interface_area_fraction_at_risk": if_all["area_fraction_at_risk"],
                    "interface_tn_mean_MPa": if_all["tn_mean_MPa"],
                }
            )
            b_rows += [
                self._boundary_row(soc, "interface", t, {**rr, **dict.fromkeys(OPENING_KEYS)})
                for t, rr in zip(sorted(self.tags.interface), if_rows, strict=True)
            ]
            itf_facets = self._gather_facets(itf)
        return part, b_rows, self._gather_facets(gb), itf_facets

    def _cohesive_interfaces(
        self, soc: float, grains: list[dict[str, Any]]
    ) -> tuple[
        dict[str, Any],
        list[dict[str, Any]],
        list[dict[str, Any]] | None,
        list[dict[str, Any]] | None,
    ]:
        """What cohesive interfaces did: tractions of the law, damage, openings."""
        comm = self.mesh.comm
        assert self.model.cohesive is not None
        sample = InterfaceSample(**self.model.cohesive.sample())
        is_gb = sample.tag >= 100_000
        gb = interface_summary(comm, sample.subset(is_gb))
        cse = interface_summary(comm, sample.subset(~is_gb))
        gb_rows = interface_rows(comm, sample.subset(is_gb), list(self.tags.gb))
        cse_rows = interface_rows(comm, sample.subset(~is_gb), list(self.tags.interface))
        sub = sample.subset(is_gb)
        w = sub.weight
        tens = comm.allreduce(float((w * np.maximum(sub.tn, 0.0)).sum()), op=MPI.SUM)
        part: dict[str, Any] = {
            "gb_tn_max_MPa": gb["tn_max_MPa"],
            "gb_risk_max": None,
            "gb_area_fraction_at_risk": None,
            "gb_tn_mean_MPa": gb["tn_mean_MPa"],
            "gb_tn_tensile_mean_MPa": tens / gb["area_um2"] if gb["area_um2"] > 0 else None,
            "interface_tn_max_MPa": cse["tn_max_MPa"],
            "delam_risk_max": None,
            "interface_area_fraction_at_risk": None,
            "interface_tn_mean_MPa": cse["tn_mean_MPa"],
            "gb_damaged_area_fraction": gb["damaged_area_fraction"],
            "gb_cracked_area_fraction": gb["cracked_area_fraction"],
            "gb_opening_mean_um": gb["opening_mean_um"],
            "gb_opening_max_um": gb["opening_max_um"],
            "interface_damaged_area_fraction": cse["damaged_area_fraction"],
            "interface_debonded_area_fraction": cse["cracked_area_fraction"],
            "interface_opening_mean_um": cse["opening_mean_um"],
            "interface_opening_max_um": cse["opening_max_um"],
            "interface_contact_area_fraction": cse["contact_area_fraction"],
            "dissipated_energy_pJ": gb["dissipated_energy_pJ"] + cse["dissipated_energy_pJ"],
            "isolated_volume_fraction": isolated_volume_fraction(
                grains, self.tags, gb_rows, cse_rows
            ),
        }

        def brow(kind: str, tag: int, rr: dict[str, Any]) -> dict[str, Any]:
            keep = {k: rr[k] for k in BOUNDARY_KEYS if k in rr}
            keep |= {k: rr[k] for k in OPENING_KEYS}
            return self._boundary_row(
                soc, kind, tag, {**keep, "risk_max": None, "area_fraction_at_risk": None}
            )

        b_rows = [brow("gb", t, rr) for t, rr in zip(sorted(self.tags.gb), gb_rows, strict=True)]
        b_rows += [
            brow("interface", t, rr)
            for t, rr in zip(sorted(self.tags.interface), cse_rows, strict=True)
        ]
        pairs = self.model.cohesive.pairs
        facets = gather_pair_facets(comm, pairs, sample, is_gb)
        itf_facets = gather_pair_facets(comm, pairs, sample, ~is_gb)
        return part, b_rows, facets, itf_facets

    # -- pieces --------------------------------------------------------------------
    def _x_extremes(self) -> tuple[float, float]:
        """Smallest and largest nodal Li fraction in the particle (collective); stops the
        run if x left [0, 1] (the particle cannot sustain the C-rate), reports once when
        it left the lattice table (whose end values are held there)."""
        lo, hi = self.model.x_extremes()
        if lo < -X_ROUNDOFF or hi > 1.0 + X_ROUNDOFF:
            raise self.model.x_range_error(lo, hi, self.c_rate)
        t_lo, t_hi = self.lattice.x_range
        if (lo < t_lo or hi > t_hi) and not self.warned_outside_table:
            self.on_x_outside_table(lo, hi, (t_lo, t_hi))
            self.warned_outside_table = True
        return lo, hi

    def _boundary_row(self, soc: float, kind: str, tag: int, rr: dict[str, Any]) -> dict[str, Any]:
        if kind == "gb":
            gi, gj_int = self.tags.gb[tag]
            gj: int | str = gj_int
            name = self.tags.gb_name(tag)
        else:
            gi, gj, name = self.tags.interface[tag], "", self.tags.interface_name(tag)
        return {
            "soc": soc,
            "kind": kind,
            "name": name,
            "grain_i": gi,
            "grain_j": gj,
            **{k: v for k, v in rr.items() if k != "tag"},
        }

    def _gather_facets(self, fs: FacetSamples) -> list[dict[str, Any]] | None:
        local = (
            np.column_stack([fs.tag, fs.area, fs.t_n, fs.t_s, fs.midpoint])
            if len(fs.tag)
            else np.zeros((0, 7))
        )
        parts = self.mesh.comm.gather(local, root=0)
        if parts is None:
            return None
        allv = np.concatenate(parts, axis=0)
        allv = allv[np.lexsort((allv[:, 6], allv[:, 5], allv[:, 4], allv[:, 0]))]
        return [
            {
                **dict(zip(FACET_COLUMNS[:7], (int(v[0]), *map(float, v[1:])), strict=True)),
                "damage": None,
                "opening_um": None,
            }
            for v in allv
        ]

    def _section(self) -> dict[str, Any] | None:
        """σ_hoop on the plane z = 0 (an n×n grid over the particle and the SE around it)."""
        self.hoop_dg.interpolate(self.hoop_expr)
        self.hoop_dg.x.scatter_forward()
        vals = self.section_sampler(self.hoop_dg)
        ids = self.section_sampler(self.region_dg)
        if vals is None or ids is None:
            return None
        n = len(self.section_axis)
        ax = self.section_axis
        return {
            "x_um": ax,
            "y_um": ax,
            "sigma_hoop_MPa": vals[:, 0].reshape(n, n),
            "grain_id": ids[:, 0].reshape(n, n),
        }


def _warn_outside_table(lo: float, hi: float, table: tuple[float, float]) -> None:
    log.warning(
        "local x reached %.4f…%.4f, outside the lattice table [%.4f, %.4f]; the table's end "
        "values are held there",
        lo,
        hi,
        table[0],
        table[1],
    )
