"""Small Gmsh meshes for the FEM tests, tagged as in docs/internals.md.

``grain_<i>`` = i, ``electrolyte`` = 1000, ``gb_<i>_<j>`` = 100000 + 1000 i + j,
``interface_<i>`` = 2000 + i, ``outer_<x|y|z><min|max>`` = 3001…3006,
``outer_sphere`` = 3010. Lengths in µm, particle centred at the origin. Gmsh runs on
rank 0 of ``comm`` only; the mesh is distributed by DOLFINx.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dolfinx_solver  # noqa: F401
from mpi4py import MPI

import numpy as np

import dolfinx.io.gmsh
import dolfinx.mesh
import gmsh

from polycat.geometry.tags import OuterFace, ParticleTags

ELECTROLYTE = 1000
OUTER_SPHERE = 3010
BOX_FACES = ("outer_xmin", "outer_xmax", "outer_ymin", "outer_ymax", "outer_zmin", "outer_zmax")
BOX_TAGS = {name: 3001 + k for k, name in enumerate(BOX_FACES)}


def interface_tag(i: int) -> int:
    return 2000 + i


def gb_tag(i: int, j: int) -> int:
    i, j = min(i, j), max(i, j)
    return 100000 + 1000 * i + j


@dataclass
class TaggedMesh:
    mesh: dolfinx.mesh.Mesh
    cell_tags: dolfinx.mesh.MeshTags
    facet_tags: dolfinx.mesh.MeshTags
    tags: ParticleTags

    @property
    def grain_tags(self) -> list[int]:
        return list(self.tags.grains)

    @property
    def matrix_tag(self) -> int | None:
        return self.tags.electrolyte

    @property
    def interface_tags(self) -> list[int]:
        return sorted(self.tags.interface)

    @property
    def outer(self) -> tuple[OuterFace, ...]:
        return self.tags.outer


def _init(name: str) -> None:
    gmsh.initialize(interruptible=False)
    gmsh.option.setNumber("General.Terminal", 0)
    gmsh.option.setNumber("General.NumThreads", 1)
    gmsh.model.add(name)


def _size_field(h_in: float, h_out: float, r_in: float, r_out: float, band: bool = False) -> None:
    """Mesh size h_in for r ≤ r_in growing linearly to h_out at r_out.

    With ``band``, h_in at r = r_in growing linearly with |r − r_in| on both sides.
    """
    f = gmsh.model.mesh.field.add("MathEval")
    dist = "Abs(Sqrt(x*x + y*y + z*z) - {r_in})" if band else "(Sqrt(x*x + y*y + z*z) - {r_in})"
    dist = dist.format(r_in=r_in)
    expr = f"{h_in} + ({h_out} - {h_in}) * Min(1, Max(0, {dist} / ({r_out} - {r_in})))"
    gmsh.model.mesh.field.setString(f, "F", expr)
    gmsh.model.mesh.field.setAsBackgroundMesh(f)
    gmsh.option.setNumber("Mesh.MeshSizeExtendFromBoundary", 0)
    gmsh.option.setNumber("Mesh.MeshSizeFromPoints", 0)
    gmsh.option.setNumber("Mesh.MeshSizeFromCurvature", 0)


def _finish(comm: MPI.Comm, order: int, msh_file: Path | None) -> dolfinx.io.gmsh.MeshData:
    gmsh.model.mesh.generate(3)
    if order > 1:
        gmsh.model.mesh.setOrder(order)
    if msh_file is not None:
        gmsh.write(str(msh_file))
    return dolfinx.io.gmsh.model_to_mesh(gmsh.model, comm, 0, gdim=3)


def _tagged(data: dolfinx.io.gmsh.MeshData) -> TaggedMesh:
    groups = {name: (int(pg.tag), int(pg.dim)) for name, pg in data.physical_groups.items()}
    return TaggedMesh(
        mesh=data.mesh,
        cell_tags=data.cell_tags,
        facet_tags=data.facet_tags,
        tags=ParticleTags.from_markers(groups),
    )


def load_msh(path: Path, comm: MPI.Comm, shared_facet: bool = False) -> TaggedMesh:
    """Read a .msh written by one of the builders on ``comm`` (optionally ghosting the
    cells across partition facets, as interior-facet readers need)."""
    partitioner = None
    if shared_facet:
        mode = dolfinx.mesh.GhostMode.shared_facet
        partitioner = dolfinx.mesh.create_cell_partitioner(mode, 2)
    data = dolfinx.io.gmsh.read_from_msh(str(path), comm, 0, gdim=3, partitioner=partitioner)
    return _tagged(data)


def sphere(
    comm: MPI.Comm, radius: float, h: float, order: int = 1, h_centre: float | None = None
) -> TaggedMesh:
    """A free single-grain sphere: ``grain_1`` and its surface ``interface_1``."""
    data = None
    if comm.rank == 0:
        _init("sphere")
        vol = gmsh.model.occ.addSphere(0, 0, 0, radius)
        gmsh.model.occ.synchronize()
        surf = gmsh.model.getBoundary([(3, vol)], oriented=False)
        gmsh.model.addPhysicalGroup(3, [vol], 1, name="grain_1")
        gmsh.model.addPhysicalGroup(2, [s[1] for s in surf], interface_tag(1), name="interface_1")
        _size_field(h if h_centre is None else h_centre, h, 0.0, radius)
        data = _finish(comm, order, None)
        gmsh.finalize()
    else:
        data = dolfinx.io.gmsh.model_to_mesh(None, comm, 0, gdim=3)
    return _tagged(data)


def sphere_in_shell(
    comm: MPI.Comm,
    a: float,
    b: float,
    h_in: float,
    h_out: float,
    order: int = 1,
    band: bool = False,
    msh_file: Path | None = None,
) -> TaggedMesh:
    """Sphere r < a (``grain_1``) bonded in a shell a < r < b (``electrolyte``).

    Size h_in inside and at the interface, growing linearly to h_out at r = b (with
    ``band``: h_in at the interface, growing with |r − a| on both sides).
    """
    if comm.rank == 0:
        _init("shell")
        inner = gmsh.model.occ.addSphere(0, 0, 0, a)
        outer = gmsh.model.occ.addSphere(0, 0, 0, b)
        out, _ = gmsh.model.occ.fragment([(3, outer)], [(3, inner)])
        gmsh.model.occ.synchronize()
        vols = [t for d, t in out if d == 3]
        masses = {t: gmsh.model.occ.getMass(3, t) for t in vols}
        grain = min(vols, key=lambda t: masses[t])
        shell = max(vols, key=lambda t: masses[t])
        iface = [s[1] for s in gmsh.model.getBoundary([(3, grain)], oriented=False)]
        shell_b = [s[1] for s in gmsh.model.getBoundary([(3, shell)], oriented=False)]
        outer_s = [s for s in shell_b if s not in iface]
        gmsh.model.addPhysicalGroup(3, [grain], 1, name="grain_1")
        gmsh.model.addPhysicalGroup(3, [shell], ELECTROLYTE, name="electrolyte")
        gmsh.model.addPhysicalGroup(2, iface, interface_tag(1), name="interface_1")
        gmsh.model.addPhysicalGroup(2, outer_s, OUTER_SPHERE, name="outer_sphere")
        _size_field(h_in, h_out, a, b, band)
        data = _finish(comm, order, msh_file)
        gmsh.finalize()
    else:
        data = dolfinx.io.gmsh.model_to_mesh(None, comm, 0, gdim=3)
    return _tagged(data)


def cut_sphere(
    comm: MPI.Comm,
    radius: float,
    h: float,
    planes: list[tuple[tuple[float, float, float], float]],
    box_half: float | None = None,
    h_out: float | None = None,
    msh_file: Path | None = None,
) -> TaggedMesh:
    """A sphere cut into grains by planes n·x = d, optionally in a cube matrix.

    Grains are numbered 1…N by the lexicographic order of their centres of mass (rounded),
    so numbering does not depend on OCC's internal order. Grain boundaries ``gb_i_j``,
    interfaces ``interface_i``, and with ``box_half`` an ``electrolyte`` cube
    [−box_half, box_half]³ with ``outer_*`` faces.
    """
    if comm.rank == 0:
        _init("cut_sphere")
        occ = gmsh.model.occ
        ball = occ.addSphere(0, 0, 0, radius)
        big = 4.0 * radius
        tools = []
        for n, d in planes:
            n_arr = np.asarray(n, dtype=float)
            n_arr /= np.linalg.norm(n_arr)
            # a large box whose face lies on the plane: half-space n·x >= d
            bx = occ.addBox(-big, -big, 0.0, 2 * big, 2 * big, 2 * big)
            z = np.array([0.0, 0.0, 1.0])
            axis = np.cross(z, n_arr)
            angle = float(np.arccos(np.clip(z @ n_arr, -1.0, 1.0)))
            if np.linalg.norm(axis) > 1e-12:
                occ.rotate([(3, bx)], 0, 0, 0, *axis, angle)
            elif n_arr[2] < 0:
                occ.rotate([(3, bx)], 0, 0, 0, 1, 0, 0, np.pi)
            occ.translate([(3, bx)], *(d * n_arr))
            tools.append((3, bx))
        pieces = [(3, ball)]
        for tool in tools:
            inside, _ = occ.intersect(pieces, [tool], removeObject=False, removeTool=False)
            outside, _ = occ.cut(pieces, [tool], removeObject=True, removeTool=True)
            pieces = inside + outside
        objects = pieces
        if box_half is not None:
            cube = occ.addBox(
                -box_half, -box_half, -box_half, 2 * box_half, 2 * box_half, 2 * box_half
            )
            out, _ = occ.fragment([(3, cube)], objects)
        else:
            out, _ = occ.fragment(objects, [])
        occ.synchronize()
        vols = [t for d, t in out if d == 3]
        com = {t: np.array(occ.getCenterOfMass(3, t)) for t in vols}

        def inside(t: int) -> bool:
            bb = np.abs(np.array(occ.getBoundingBox(3, t)))
            return bool(bb.max() <= radius * (1.0 + 1e-6))

        grains = [t for t in vols if inside(t)]
        grains.sort(key=lambda t: tuple(np.round(com[t], 3)))
        matrix = [t for t in vols if t not in grains]
        grain_id = {t: i + 1 for i, t in enumerate(grains)}
        faces_of = {
            t: {s[1] for s in gmsh.model.getBoundary([(3, t)], oriented=False)} for t in vols
        }
        for t in grains:
            gmsh.model.addPhysicalGroup(3, [t], grain_id[t], name=f"grain_{grain_id[t]}")
        if matrix:
            gmsh.model.addPhysicalGroup(3, matrix, ELECTROLYTE, name="electrolyte")
        matrix_faces = set().union(*(faces_of[t] for t in matrix)) if matrix else set()
        for t in grains:
            i = grain_id[t]
            others = set().union(*(faces_of[s] for s in grains if s != t))
            iface = sorted(f for f in faces_of[t] if f not in others)
            if matrix:
                iface = sorted(f for f in iface if f in matrix_faces)
            gmsh.model.addPhysicalGroup(2, iface, interface_tag(i), name=f"interface_{i}")
            for s in grains:
                j = grain_id[s]
                if j > i:
                    shared = sorted(faces_of[t] & faces_of[s])
                    if shared:
                        gmsh.model.addPhysicalGroup(2, shared, gb_tag(i, j), name=f"gb_{i}_{j}")
        if box_half is not None:
            all_faces = set().union(*(faces_of[t] for t in matrix))
            for k, name in enumerate(BOX_FACES):
                axis, side = k // 2, (-1.0 if k % 2 == 0 else 1.0)
                sel = sorted(
                    f
                    for f in all_faces
                    if abs(occ.getCenterOfMass(2, f)[axis] - side * box_half) < 1e-6 * box_half
                )
                gmsh.model.addPhysicalGroup(2, sel, 3001 + k, name=name)
        _size_field(h, h if h_out is None else h_out, radius, 1.5 * (box_half or radius))
        data = _finish(comm, 1, msh_file)
        gmsh.finalize()
    else:
        data = dolfinx.io.gmsh.model_to_mesh(None, comm, 0, gdim=3)
    return _tagged(data)


def disc(comm: MPI.Comm, radius: float, h: float) -> TaggedMesh:
    """A free 2D single-grain disc (plane strain): ``grain_1`` and ``interface_1``."""
    if comm.rank == 0:
        _init("disc")
        s = gmsh.model.occ.addDisk(0, 0, 0, radius, radius)
        gmsh.model.occ.synchronize()
        curves = [c[1] for c in gmsh.model.getBoundary([(2, s)], oriented=False)]
        gmsh.model.addPhysicalGroup(2, [s], 1, name="grain_1")
        gmsh.model.addPhysicalGroup(1, curves, interface_tag(1), name="interface_1")
        gmsh.option.setNumber("Mesh.MeshSizeMax", h)
        gmsh.option.setNumber("Mesh.MeshSizeMin", h)
        gmsh.model.mesh.generate(2)
        data = dolfinx.io.gmsh.model_to_mesh(gmsh.model, comm, 0, gdim=2)
        gmsh.finalize()
    else:
        data = dolfinx.io.gmsh.model_to_mesh(None, comm, 0, gdim=2)
    return _tagged(data)


@dataclass
class SplitMesh:
    """A mesh split along its interfaces (every grain and the electrolyte with own nodes)."""

    mesh: dolfinx.mesh.Mesh
    cell_tags: dolfinx.mesh.MeshTags
    facet_tags: dolfinx.mesh.MeshTags
    tags: ParticleTags
    split: Any

    @property
    def grain_tags(self) -> list[int]:
        return list(self.tags.grains)

    @property
    def matrix_tag(self) -> int | None:
        return self.tags.electrolyte

    @property
    def interface_tags(self) -> list[int]:
        return sorted(self.tags.interface)

    @property
    def outer(self) -> tuple[OuterFace, ...]:
        return self.tags.outer


def load_split(path: Path, comm: MPI.Comm, tags: ParticleTags) -> SplitMesh:
    """Read a .msh written by a builder here, split along every interface (``tags``: those
    of the builder's TaggedMesh)."""
    from polycat.mesh import read_split_msh

    mesh, ct, ft, split = read_split_msh(comm, Path(path), 3)
    return SplitMesh(mesh, ct, ft, tags, split)


def two_blocks(comm: MPI.Comm, h: float, msh_file: Path | None = None) -> TaggedMesh:
    """[0, 2] × [0, 1] × [0, 1]: ``grain_1`` at x < 1, ``grain_2`` at x > 1, the grain
    boundary ``gb_1_2`` at x = 1, outer faces ``outer_xmin`` … ``outer_zmax``; no matrix."""
    if comm.rank == 0:
        _init("two_blocks")
        occ = gmsh.model.occ
        b1 = occ.addBox(0, 0, 0, 1, 1, 1)
        b2 = occ.addBox(1, 0, 0, 1, 1, 1)
        occ.fragment([(3, b1)], [(3, b2)])
        occ.synchronize()
        vols = sorted(
            (t for _, t in gmsh.model.getEntities(3)),
            key=lambda t: gmsh.model.occ.getCenterOfMass(3, t)[0],
        )
        gmsh.model.addPhysicalGroup(3, [vols[0]], 1, name="grain_1")
        gmsh.model.addPhysicalGroup(3, [vols[1]], 2, name="grain_2")
        faces: dict[str, list[int]] = {}
        for _, f in gmsh.model.getEntities(2):
            c = gmsh.model.occ.getCenterOfMass(2, f)
            for axis, name in enumerate("xyz"):
                lo, hi = 0.0, 2.0 if axis == 0 else 1.0
                if abs(c[axis] - lo) < 1e-9:
                    faces.setdefault(f"outer_{name}min", []).append(f)
                elif abs(c[axis] - hi) < 1e-9:
                    faces.setdefault(f"outer_{name}max", []).append(f)
            if abs(c[0] - 1.0) < 1e-9:
                faces.setdefault("gb_1_2", []).append(f)
        for name, fs in faces.items():
            tag = gb_tag(1, 2) if name == "gb_1_2" else BOX_TAGS[name]
            gmsh.model.addPhysicalGroup(2, fs, tag, name=name)
        gmsh.option.setNumber("Mesh.MeshSizeMax", h)
        gmsh.option.setNumber("Mesh.MeshSizeMin", h)
        data = _finish(comm, 1, msh_file)
        gmsh.finalize()
    else:
        data = dolfinx.io.gmsh.model_to_mesh(None, comm, 0, gdim=3)
    return _tagged(data)
