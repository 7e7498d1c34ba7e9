"""The study-file schema: a base run config, what varies (by config path), the replicate
seeds and how cases are launched. Strict like the run config: unknown keys are errors.

No FEniCSx import; a study file is checked completely before any case runs.
"""

from __future__ import annotations

import difflib
import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from polycat.config import RunConfig
from polycat.config.loading import format_validation_error


class StudySection(BaseModel):
    """Base of the study-file sections: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


ValueList = Annotated[list[Any], Field(min_length=1)]


class VaryConfig(StudySection):
    """What varies: `grid` paths form every combination, `zip` paths vary together."""

    grid: dict[str, ValueList] = Field(
        default_factory=dict, description="config path → values; every combination is a case"
    )
    zip: dict[str, ValueList] = Field(
        default_factory=dict, description="config path → values; lists of equal length"
    )

    @field_validator("grid")
    @classmethod
    def _distinct(cls, v: dict[str, list[Any]]) -> dict[str, list[Any]]:
        for path, values in v.items():
            keys = [json.dumps(x, sort_keys=True) for x in values]
            dup = sorted({k for k in keys if keys.count(k) > 1})
            if dup:
                raise ValueError(f"{path}: values repeat ({', '.join(dup)}); list each once")
        return v

    @field_validator("zip")
    @classmethod
    def _distinct_tuples(cls, v: dict[str, list[Any]]) -> dict[str, list[Any]]:
        """Zipped paths may repeat a value; the combinations (the cases) may not."""
        lengths = {len(values) for values in v.values()}
        if len(lengths) > 1:
            return v  # the equal-length check names the paths
        rows = [
            json.dumps([values[i] for values in v.values()], sort_keys=True)
            for i in range(lengths.pop() if lengths else 0)
        ]
        dup = sorted({r for r in rows if rows.count(r) > 1})
        if dup:
            raise ValueError(
                f"{', '.join(v)}: the zipped combinations repeat ({'; '.join(dup)}); list each once"
            )
        return v


class SlurmConfig(StudySection):
    """The job array written for ``launcher: slurm``."""

    partition: str | None = Field(None, description="#SBATCH --partition")
    time_limit: str | None = Field(
        None, description="#SBATCH --time per case, e.g. '01:00:00' or '30' (minutes)"
    )
    ntasks_per_case: int | None = Field(
        None, ge=1, le=100000, description="MPI ranks per case (default: ranks_per_case)"
    )
    cpus_per_task: int | None = Field(None, ge=1, le=1024, description="#SBATCH --cpus-per-task")
    mem: str | None = Field(None, description="#SBATCH --mem, e.g. '4G'")
    launch: Literal["mpiexec", "srun"] = Field(
        "mpiexec", description="how a multi-rank case starts: the venv's mpiexec, or srun"
    )
    srun_options: list[str] = Field(
        default_factory=lambda: ["--mpi=pmi2"],
        description="options of srun for launch: srun (MPICH talks PMI-2 with SLURM)",
    )
    extra: list[str] = Field(
        default_factory=list,
        description="more sbatch options, e.g. '--account=abc' (written as #SBATCH lines)",
    )
    setup: list[str] = Field(
        default_factory=list, description="shell lines run before each case (module load …)"
    )

    @field_validator("extra")
    @classmethod
    def _options(cls, v: list[str]) -> list[str]:
        for line in v:
            text = line.removeprefix("#SBATCH").strip()
            if not text.startswith("-") or "\n" in line:
                raise ValueError(
                    f"{line!r}: give one sbatch option per entry, e.g. '--account=abc'"
                )
        return v


class StudyOutputConfig(StudySection):
    """Where a study writes."""

    dir: str = Field(min_length=1, description="study directory (relative to the working dir)")


class StudyConfig(StudySection):
    """A parameter study: ``polycat study STUDY.yaml``."""

    name: str | None = Field(None, description="short name (default: the file name)")
    question: str | None = Field(None, description="what the study answers (plot titles)")
    base: str = Field(min_length=1, description="run config, relative to the study file")
    overrides: dict[str, Any] = Field(
        default_factory=dict,
        alias="set",
        description="config path → value applied to the base before varying",
    )
    vary: VaryConfig = Field(default_factory=VaryConfig)
    seeds: int | list[int] | None = Field(
        None,
        description="replicates: N sets geometry.seed = orientation.seed = 1..N, or a list",
    )
    launcher: Literal["local", "slurm"] = Field("local", description="local | slurm")
    max_parallel: int | None = Field(
        None, ge=1, le=100000, description="cases at once (default: cores // ranks_per_case)"
    )
    ranks_per_case: int = Field(1, ge=1, le=100000, description="MPI ranks of each case")
    jit_cache_dir: str | None = Field(
        None, description="root of the per-slot FFCx caches (default: <study dir>/jit)"
    )
    output: StudyOutputConfig
    slurm: SlurmConfig = Field(default_factory=SlurmConfig)  # type: ignore[arg-type]

    @field_validator("seeds", mode="before")
    @classmethod
    def _seeds(cls, v: Any) -> Any:
        what = "seeds must be a replicate count (an integer ≥ 1) or a list of seeds (integers ≥ 0)"
        if v is None:
            return v
        if isinstance(v, bool) or not isinstance(v, int | list):
            raise ValueError(what)
        if isinstance(v, int):
            if not 1 <= v <= 10000:
                raise ValueError(what)
            return v
        if not v or any(isinstance(s, bool) or not isinstance(s, int) or s < 0 for s in v):
            raise ValueError(what)
        if len(set(v)) != len(v):
            raise ValueError(f"seeds repeat in {v}; list each once")
        return v

    def seed_list(self) -> list[int] | None:
        """The replicate seeds, or None when the base config's seeds are used as they are."""
        if self.seeds is None:
            return None
        if isinstance(self.seeds, int):
            return list(range(1, self.seeds + 1))
        return list(self.seeds)


def format_study_error(exc: ValidationError, source: str) -> str:
    """One line per problem, ``field.path: what is wrong (got …)``, like run configs."""
    return format_validation_error(exc, source, root=StudyConfig, what="study file")


def check_config_path(path: str) -> str | None:
    """None if `path` (``section.key``) names a run-config field, else what is wrong.

    Paths that go inside a field whose value is not a fixed section (an inline material
    mapping, a PETSc options dict) are accepted here and checked when the case validates.
    """
    parts = path.split(".")
    if not path or any(not p for p in parts):
        return f"{path!r} is not a dotted config path like geometry.n_grains"
    model: type[BaseModel] = RunConfig
    for depth, part in enumerate(parts):
        fields = model.model_fields
        if part not in fields:
            prefix = ".".join(parts[:depth])
            options = [f"{prefix}.{k}" if prefix else k for k in fields]
            close = difflib.get_close_matches(path, _all_paths(), n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            where = f"section {prefix}" if prefix else "a run config"
            return f"{path}: {where} has no key {part!r}{hint} (keys: {', '.join(options)})"
        ann = fields[part].annotation
        if depth < len(parts) - 1:
            if isinstance(ann, type) and issubclass(ann, BaseModel):
                model = ann
            else:
                return None  # a union / mapping: the case validation checks the rest
    return None


def _all_paths() -> list[str]:
    out: list[str] = []

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, f in model.model_fields.items():
            full = f"{prefix}{name}"
            out.append(full)
            ann = f.annotation
            if isinstance(ann, type) and issubclass(ann, BaseModel):
                walk(ann, full + ".")

    walk(RunConfig, "")
    return out
