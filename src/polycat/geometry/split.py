"""Splitting a conforming mesh along its interfaces: every region gets its own copy of the
nodes it shares with another region (numpy only, rank 0).

A region is the set of cells with one cell tag (a grain, the electrolyte). After the
split the regions touch only geometrically: a displacement (or Li fraction) field that is
continuous inside each region may jump across grain boundaries and the CAM–SE interface.
Every split facet exists twice, once per side, with the same nodes' coordinates; the pair
table says which two facet rows belong together and which is side 0 (grain ``i`` of
``gb_i_j``; the grain of ``interface_i``) and side 1 (grain ``j``; the electrolyte).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from polycat.geometry import tags as T

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

__all__ = ["SplitMesh", "facet_sides", "split_mesh"]


@dataclass(frozen=True)
class SplitMesh:
    """A mesh whose regions share no node.

    Attributes:
        points: (P', 3) node coordinates, µm (copies of the shared nodes appended).
        cells: (C, nv) node indices into ``points`` (same cells, same order as the input).
        cell_tags: (C,) the input cell tags.
        facets: (F', nvf) node indices of the tagged facets: every split facet twice
            (side 0 first), every other tagged facet once.
        facet_tags: (F',) the input facet tag of each row.
        pairs: (M, 2) rows of ``facets``: side 0 and side 1 of each split facet.
        pair_tags: (M,) the input facet tag of each pair (``gb_i_j``, ``interface_i``).
        node_origin: (P',) the input node each node is a copy of.
    """

    points: FloatArray
    cells: IntArray
    cell_tags: IntArray
    facets: IntArray
    facet_tags: IntArray
    pairs: IntArray
    pair_tags: IntArray
    node_origin: IntArray


def facet_sides(tag: int, electrolyte: int = T.ELECTROLYTE) -> tuple[int, int] | None:
    """The cell tags on side 0 and side 1 of an interface facet tag (None: not split)."""
    if tag >= T.GB_BASE:
        rest = tag - T.GB_BASE
        return rest // 1000, rest % 1000
    if T.INTERFACE_BASE < tag < T.INTERFACE_BASE + 1000:
        return tag - T.INTERFACE_BASE, electrolyte
    return None


def split_mesh(
    points: FloatArray,
    cells: IntArray,
    cell_tags: IntArray,
    facets: IntArray,
    facet_tags: IntArray,
    split_tags: set[int] | frozenset[int],
) -> SplitMesh:
    """Duplicate the nodes on the facets whose tag is in ``split_tags`` (grain-boundary
    and interface tags, see :func:`facet_sides`), one copy per region touching them.

    Raises:
        ValueError: a split facet's nodes are not all in the cells of its two regions,
            or a tag in ``split_tags`` is not an interface tag.
    """
    cells = np.asarray(cells, dtype=np.int64)
    cell_tags = np.asarray(cell_tags, dtype=np.int64)
    facets = np.asarray(facets, dtype=np.int64)
    facet_tags = np.asarray(facet_tags, dtype=np.int64)
    for t in split_tags:
        if facet_sides(int(t)) is None:
            raise ValueError(f"facet tag {t} is not a grain-boundary or interface tag")
    regions = np.unique(cell_tags)
    code = np.searchsorted(regions, cell_tags)  # region index per cell
    n_regions = len(regions)
    # Nodes touched by each region; a node touched by k regions gets k copies, except that
    # regions are merged where they are not separated by a split facet: two regions that
    # share a node only through unsplit facets keep one copy. Here every interface facet
    # between two regions is split (callers split all GBs and the interface together), so
    # one copy per (node, region) pair is what is needed.
    nv = cells.shape[1]
    key = cells.ravel() * n_regions + np.repeat(code, nv)
    uniq, inverse = np.unique(key, return_inverse=True)
    node_origin = uniq // n_regions
    new_cells = inverse.reshape(cells.shape).astype(np.int64)
    new_points = np.asarray(points, dtype=np.float64)[node_origin]

    def copy_of(nodes: IntArray, region_tag: int) -> IntArray:
        r = int(np.searchsorted(regions, region_tag))
        if r >= n_regions or regions[r] != region_tag:
            raise ValueError(f"no cells with tag {region_tag}")
        k = nodes * n_regions + r
        pos = np.searchsorted(uniq, k)
        ok = (pos < len(uniq)) & (uniq[np.minimum(pos, len(uniq) - 1)] == k)
        if not np.all(ok):
            raise ValueError(f"facet nodes not in the cells of region {region_tag}")
        return pos.astype(np.int64)

    out_facets: list[IntArray] = []
    out_tags: list[IntArray] = []
    pair_rows: list[IntArray] = []
    pair_tag_list: list[IntArray] = []
    row = 0
    for t in np.unique(facet_tags):
        sel = facets[facet_tags == t]
        sides = facet_sides(int(t)) if int(t) in split_tags else None
        if sides is None:
            # One side only: the region of the cell each facet belongs to (outer faces:
            # the electrolyte, or the grains without a matrix).
            owners = cell_tags[_facet_cells(cells, sel)]
            copy = np.empty_like(sel)
            for owner in np.unique(owners):
                mask = owners == owner
                copy[mask] = copy_of(sel[mask].ravel(), int(owner)).reshape(sel[mask].shape)
            out_facets.append(copy)
            out_tags.append(np.full(len(sel), t, dtype=np.int64))
            row += len(sel)
            continue
        a = copy_of(sel.ravel(), sides[0]).reshape(sel.shape)
        b = copy_of(sel.ravel(), sides[1]).reshape(sel.shape)
        out_facets += [a, b]
        out_tags += [np.full(len(sel), t, dtype=np.int64)] * 2
        m = len(sel)
        pair_rows.append(np.stack([row + np.arange(m), row + m + np.arange(m)], axis=1))
        pair_tag_list.append(np.full(m, t, dtype=np.int64))
        row += 2 * m
    nvf = facets.shape[1] if facets.ndim == 2 else nv - 1
    return SplitMesh(
        points=new_points,
        cells=new_cells,
        cell_tags=cell_tags,
        facets=np.concatenate(out_facets) if out_facets else np.zeros((0, nvf), np.int64),
        facet_tags=np.concatenate(out_tags) if out_tags else np.zeros(0, np.int64),
        pairs=np.concatenate(pair_rows) if pair_rows else np.zeros((0, 2), np.int64),
        pair_tags=np.concatenate(pair_tag_list) if pair_tag_list else np.zeros(0, np.int64),
        node_origin=node_origin.astype(np.int64),
    )


def _facet_cells(cells: IntArray, facets: IntArray) -> IntArray:
    """For each facet (its node indices), the index of a cell that has it as a face."""
    nv = cells.shape[1]
    n = int(max(cells.max(initial=0), facets.max(initial=0))) + 1
    faces = np.sort(
        np.concatenate([np.delete(cells, k, axis=1) for k in range(nv)]), axis=1
    ).astype(np.int64)
    owner = np.tile(np.arange(len(cells)), nv)

    def key(a: IntArray) -> IntArray:
        out = np.zeros(len(a), dtype=np.int64)
        for col in range(a.shape[1]):
            out = out * n + a[:, col]
        return out

    fk = key(faces)
    order = np.argsort(fk, kind="stable")
    fk, owner = fk[order], owner[order]
    q = key(np.sort(facets, axis=1).astype(np.int64))
    pos = np.searchsorted(fk, q)
    ok = (pos < len(fk)) & (fk[np.minimum(pos, len(fk) - 1)] == q)
    if not np.all(ok):
        raise ValueError(f"{int((~ok).sum())} tagged facets are not faces of any cell")
    return owner[pos]
