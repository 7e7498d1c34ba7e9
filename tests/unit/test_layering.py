"""The package's import graph: data flows one way and there is no import cycle.

    cli → {simulation, criteria} → {study, reports, exports, mesh, preflight, headline}
        → {geometry, config, fem, post, microstructure}
        → {materials, schedule, errors, crystal, faults, fileio, digest, interrupts}

A module may import from its own layer or below, never above. The graph is read from the
source (every ``import`` statement, also those inside functions), so a lazy import that
goes up counts too.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "polycat"

LAYERS = {
    "cli": 4, "__main__": 4, "__init__": 0,  # the package itself holds only __version__
    "simulation": 3, "criteria": 3,
    "study": 2, "reports": 2, "exports": 2, "mesh": 2, "preflight": 2, "headline": 2,
    "geometry": 1, "config": 1, "fem": 1, "post": 1, "microstructure": 1,
    "materials": 0, "schedule": 0, "errors": 0, "crystal": 0, "faults": 0, "fileio": 0,
    "digest": 0, "interrupts": 0, "fracture_plots": 2, "soc_tags": 0,
}  # fmt: skip


def _module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path, name: str) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("polycat")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if mod.startswith("polycat"):
                out.add(mod)
                out |= {f"{mod}.{a.name}" for a in node.names}
    return out


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in SRC.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        graph[name] = {m for m in _imports(path, name) if m in modules and m != name}
    return graph


def _layer(module: str) -> int:
    parts = module.split(".")
    return LAYERS[parts[1] if len(parts) > 1 else "__init__"]


def test_every_top_level_module_has_a_layer() -> None:
    tops = {
        p.stem if p.is_file() else p.name
        for p in SRC.iterdir()
        if p.suffix == ".py" or (p / "__init__.py").is_file()
    }
    assert tops <= set(LAYERS), sorted(tops - set(LAYERS))


def test_no_import_goes_up_a_layer() -> None:
    bad = [
        f"{a} (layer {_layer(a)}) imports {b} (layer {_layer(b)})"
        for a, deps in _graph().items()
        for b in deps
        if _layer(b) > _layer(a)
    ]
    assert not bad, "\n".join(sorted(bad))


def test_no_import_cycle() -> None:
    """Cycles of the module graph; a package importing its own submodules (lazy
    re-exports in ``__init__``) is not an edge of a cycle."""
    graph = {a: {b for b in deps if not b.startswith(a + ".")} for a, deps in _graph().items()}
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert not cycles, "\n".join(" → ".join(c) for c in cycles)


def test_pure_layers_import_no_fenics_or_gmsh() -> None:
    code = (
        "import sys, polycat.config, polycat.crystal, polycat.materials, polycat.reports, "
        "polycat.geometry.tessellation, polycat.simulation.restart, polycat.digest, "
        "polycat.fileio, polycat.schedule;"
        "print(','.join(m for m in ('dolfinx', 'ufl', 'petsc4py', 'gmsh', 'basix', 'ffcx') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"imported: {out.stdout.strip()}"
