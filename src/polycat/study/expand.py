"""From a study file to its cases: grid × zip × seeds, each a validated run config with a
stable id (a hash of the resolved config), checked completely before anything runs."""

from __future__ import annotations

import copy
import itertools
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from polycat.config import ConfigError, RunConfig, read_yaml, validate_config
from polycat.config.geometry_spec import anchor_geometry_file
from polycat.digest import stable_digest
from polycat.study.schema import StudyConfig, check_config_path, format_study_error

SEED_PATHS = ("geometry.seed", "orientation.seed")
# Where the case runs and where meshes are cached do not change its answer.
LOCATION_KEYS = ("dir", "mesh_dir")
ID_LENGTH = 12


@dataclass(frozen=True)
class Case:
    """One resolved run of a study."""

    id: str  # hash of the resolved config, without output.dir / output.mesh_dir
    index: int  # position in the study's expansion order
    values: dict[str, Any]  # varied config path → value (grid and zip)
    seed: int | None  # replicate seed (None: the base config's seeds)
    config: RunConfig  # output.dir is the case's results directory

    @property
    def label(self) -> str:
        """How messages and tables name the case."""
        return case_label(self.values, self.seed)


@dataclass(frozen=True)
class Study:
    """A study file, expanded."""

    path: Path  # the study file
    spec: StudyConfig
    name: str
    dir: Path  # study directory (absolute)
    varied: list[str]  # varied config paths, grid first then zip, in file order
    cases: list[Case]

    @property
    def ranks_per_case(self) -> int:
        """MPI ranks per case."""
        return self.spec.ranks_per_case

    def max_parallel(self, override: int | None = None) -> int:
        """Cases at once: the override, the study file's value, or cores // ranks_per_case."""
        if override is not None:
            return override
        if self.spec.max_parallel is not None:
            return self.spec.max_parallel
        return max(1, available_cores() // self.ranks_per_case)

    @property
    def jit_dir(self) -> Path:
        """The directory of the per-slot JIT caches."""
        if self.spec.jit_cache_dir is None:
            return self.dir / "jit"
        return _resolve(self.spec.jit_cache_dir, Path.cwd())

    def case(self, case_id: str) -> Case:
        """The case with id ``case_id``."""
        for c in self.cases:
            if c.id == case_id:
                return c
        raise ConfigError(f"{self.path}: no case {case_id!r} in this study")


def available_cores() -> int:
    """The CPU cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def format_value(v: Any) -> str:
    """A varied value as a short text (table cells, plot labels)."""
    if isinstance(v, str):
        return v
    if isinstance(v, bool) or v is None:
        return json.dumps(v)
    if isinstance(v, int | float):
        return f"{v:g}"
    if isinstance(v, dict) and isinstance(v.get("name"), str):
        return str(v["name"])
    return json.dumps(v, sort_keys=True, separators=(",", ":"))


def case_label(values: dict[str, Any], seed: int | None) -> str:
    """``path=value, …, seed=N``: how messages and tables name a case."""
    parts = [f"{path}={format_value(v)}" for path, v in values.items()]
    if seed is not None:
        parts.append(f"seed={seed}")
    return ", ".join(parts) or "base"


def case_id(cfg: RunConfig) -> str:
    """Stable id of a resolved config: sha256 of its canonical JSON, without the output
    locations (output.dir, output.mesh_dir) and allow_outside_range, first 12 hex digits."""
    data = cfg.model_dump(mode="json")
    for key in LOCATION_KEYS:
        data["output"].pop(key, None)
    # allow_outside_range permits values and never changes the answer (and leaving it
    # out keeps the ids of studies from before it existed)
    data.pop("allow_outside_range", None)
    return stable_digest(data, ID_LENGTH)


def set_path(data: dict[str, Any], path: str, value: Any, where: str) -> None:
    """Set ``a.b.c`` in the nested mapping `data` (sections are created as needed)."""
    keys = path.split(".")
    node: Any = data
    for depth, key in enumerate(keys[:-1]):
        nxt = node.get(key)
        if nxt is None:
            nxt = {}
            node[key] = nxt
        if not isinstance(nxt, dict):
            raise ConfigError(
                f"{where}: {'.'.join(keys[: depth + 1])} is {nxt!r}, not a section; cannot set "
                f"{path} inside it"
            )
        node = nxt
    node[keys[-1]] = copy.deepcopy(value)


def _resolve(path: str | Path, root: Path) -> Path:
    p = Path(path).expanduser()
    return (p if p.is_absolute() else root / p).resolve()


def read_study(path: str | Path) -> StudyConfig:
    """Read and validate a study file (its shape only; cases are checked by `load_study`)."""
    if not Path(path).is_file():
        raise ConfigError(f"{path}: no such study file")
    data = read_yaml(path)
    try:
        return StudyConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_study_error(exc, str(path))) from None


def load_study(path: str | Path, out_dir: str | Path | None = None) -> Study:
    """Read a study file and expand it into validated cases.

    Every case config is validated here, so a bad value fails before any case runs, with
    a message naming the case and the field. `out_dir` overrides ``output.dir``.
    """
    path = Path(path)
    spec = read_study(path)
    src = str(path)
    base_path = _resolve(spec.base, path.resolve().parent)
    if not base_path.is_file():
        raise ConfigError(f"{src}: base: no run config at {base_path} (relative to the study file)")
    base = read_yaml(base_path)
    anchor_geometry_file(base, base_path.parent)  # a mesh file relative to the base config
    grid, zipped = spec.vary.grid, spec.vary.zip
    varied = list(grid) + list(zipped)
    for where, paths in (("set", list(spec.overrides)), ("vary.grid", grid), ("vary.zip", zipped)):
        for p in paths:
            problem = check_config_path(p)
            if problem is not None:
                raise ConfigError(f"{src}: {where}: {problem}")
    both = set(grid) & set(zipped)
    if both:
        raise ConfigError(f"{src}: vary: {sorted(both)} appear in both grid and zip; keep one")
    fixed_and_varied = set(spec.overrides) & set(varied)
    if fixed_and_varied:
        raise ConfigError(
            f"{src}: set: {sorted(fixed_and_varied)} are also varied; remove them from set"
        )
    lengths = {p: len(v) for p, v in zipped.items()}
    if len(set(lengths.values())) > 1:
        raise ConfigError(
            f"{src}: vary.zip: lists must have equal lengths, got "
            + ", ".join(f"{p}: {n}" for p, n in lengths.items())
        )
    seeds = spec.seed_list()
    if seeds is not None:
        clash = [p for p in (*varied, *spec.overrides) if p in SEED_PATHS]
        if clash:
            raise ConfigError(
                f"{src}: seeds sets {' and '.join(SEED_PATHS)}; do not also set or vary {clash}"
            )
    study_dir = _resolve(spec.output.dir if out_dir is None else out_dir, Path.cwd())
    if study_dir == Path.cwd().resolve() or study_dir == base_path.parent:
        raise ConfigError(f"{src}: output.dir must name a directory of its own, got {study_dir}")

    fixed = copy.deepcopy(base)
    for p, v in spec.overrides.items():
        set_path(fixed, p, v, f"{src}: set {p}")
    mesh_dir = fixed.get("output", {}).get("mesh_dir", "meshes")
    mesh_dir = str(_resolve(mesh_dir, Path.cwd()))

    grid_points = list(itertools.product(*grid.values())) if grid else [()]
    n_zip = next(iter(lengths.values()), 0)
    zip_points = [tuple(v[i] for v in zipped.values()) for i in range(n_zip)] or [()]
    cases: list[Case] = []
    seen: dict[str, Case] = {}
    for g, z in itertools.product(grid_points, zip_points):
        values = dict(zip(varied, (*g, *z), strict=True))
        for seed in seeds if seeds is not None else [None]:
            data = copy.deepcopy(fixed)
            for p, v in values.items():
                set_path(data, p, v, f"{src}: vary {p}")
            if seed is not None:
                for p in SEED_PATHS:
                    set_path(data, p, seed, f"{src}: seeds")
            label = case_label(values, seed)
            set_path(data, "output.mesh_dir", mesh_dir, src)
            set_path(data, "output.dir", "case", src)
            cfg = validate_config(data, source=f"{src}, case {label}")
            cid = case_id(cfg)
            case_dir = study_dir / "cases" / cid
            cfg = cfg.model_copy(
                update={"output": cfg.output.model_copy(update={"dir": str(case_dir)})}
            )
            case = Case(cid, len(cases), values, seed, cfg)
            if cid in seen:
                raise ConfigError(
                    f"{src}: cases {seen[cid].label!r} and {case.label!r} resolve to the same "
                    "run config; a varied value has no effect there"
                )
            seen[cid] = case
            cases.append(case)
    name = spec.name or path.stem
    return Study(path.resolve(), spec, name, study_dir, varied, cases)
