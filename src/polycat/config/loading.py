"""Reading run configs: YAML → overrides → validation → defaults from the material.

All failures raise `ConfigError`, whose message names the field path (e.g.
``geometry.n_grains``) and what is allowed, so the CLI can print it and exit
before any expensive work starts.
"""

from __future__ import annotations

import contextlib
import copy
import difflib
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from polycat.config.schema import CathodeConfig, RunConfig
from polycat.errors import ConfigError

# Union members are tagged; those tags appear in pydantic's error locations after
# the field that holds the union. They carry no meaning for a user.
_UNION_TAGS: dict[str, set[str]] = {
    "cathode": {"name", "inline"},
    "electrolyte": {"name", "inline"},
    "elasticity": {"isotropic", "anisotropic"},
    "lattice_strain": {"linear", "table"},
}


def read_yaml(path: str | Path) -> dict[str, Any]:
    """Read a YAML mapping from `path`; a missing, unreadable or non-mapping file is a
    ConfigError naming the file."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"{p}: no such config file")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{p}: not valid YAML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{p}: cannot be read: {exc.strerror}") from None
    if data is None:
        raise ConfigError(
            f"{p}: the file is empty; start from configs/default.yaml (a file holding just "
            "`{}` runs every default)"
        )
    if not isinstance(data, dict):
        raise ConfigError(
            f"{p}: the top level must be a mapping of sections, got {type(data).__name__}"
        )
    return data


def parse_override(item: str) -> tuple[list[str], Any]:
    """Split ``section.key=value`` into (path, value); the value is parsed as YAML."""
    if "=" not in item:
        raise ConfigError(f"--set {item!r}: expected section.key=value, e.g. geometry.n_grains=10")
    key, _, raw = item.partition("=")
    path = list(key.strip().split("."))
    if not key.strip() or any(not k for k in path):
        raise ConfigError(f"--set {item!r}: the key must be a dotted path like geometry.seed")
    try:
        value = yaml.safe_load(raw) if raw.strip() else None
    except yaml.YAMLError as exc:
        raise ConfigError(f"--set {item!r}: the value is not valid YAML: {exc}") from None
    if isinstance(value, str):  # YAML 1.1 reads 1e-3 as a string; users mean a number
        with contextlib.suppress(ValueError):
            value = float(value) if value.strip().lower() not in ("nan", "inf", "-inf") else value
    return path, value


def apply_overrides(data: dict[str, Any], overrides: Iterable[str]) -> dict[str, Any]:
    """Return a copy of `data` with each ``a.b.c=value`` override applied."""
    out = copy.deepcopy(data)
    for item in overrides:
        path, value = parse_override(item)
        node: Any = out
        for depth, key in enumerate(path[:-1]):
            nxt = node.get(key)
            if nxt is None:
                nxt = {}
                node[key] = nxt
            if not isinstance(nxt, dict):
                where = ".".join(path[: depth + 1])
                raise ConfigError(
                    f"--set {item!r}: {where} is {nxt!r}, not a section; cannot set "
                    f"{'.'.join(path)} inside it"
                )
            node = nxt
        node[path[-1]] = value
    return out


def _model_at(model: type[BaseModel], loc: Sequence[str | int]) -> type[BaseModel] | None:
    """The pydantic model class reached by following `loc` through fields (best effort)."""
    current: Any = model
    for part in loc:
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part)
        if field is None:
            continue  # a union tag or a dict key
        current = _first_model(field.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _first_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _first_model(arg)
        if found is not None:
            return found
    origin = getattr(annotation, "__origin__", None)
    if origin is not None:
        return _first_model(origin)
    return None


def _clean_loc(loc: Sequence[str | int]) -> list[str | int]:
    out: list[str | int] = []
    skip_tag_after: str | None = None
    for part in loc:
        if skip_tag_after is not None and part in _UNION_TAGS[skip_tag_after]:
            skip_tag_after = None
            continue
        skip_tag_after = part if isinstance(part, str) and part in _UNION_TAGS else None
        if isinstance(part, str) and "[" in part:  # literal[..], tuple[..], validator names
            continue
        out.append(part)
    return out


def _format_loc(loc: Sequence[str | int]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def format_validation_error(
    exc: ValidationError,
    source: str = "config",
    root: type[BaseModel] | None = None,
    what: str = "configuration",
) -> str:
    """One line per problem: ``field.path: what is wrong (got …)``; unknown keys get the
    allowed keys of their section (of ``root``, default RunConfig) and a close match."""
    root = RunConfig if root is None else root
    lines: list[str] = []
    seen: set[str] = set()
    for err in exc.errors(include_url=False):
        loc = _clean_loc(err["loc"])
        path = _format_loc(loc)
        msg = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            parent = _model_at(root, loc[:-1])
            fields = parent.model_fields if parent is not None else {}
            allowed = sorted(f.alias or name for name, f in fields.items())
            close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            msg = f"unknown key{hint} Allowed keys here: {', '.join(allowed)}"
        elif err["type"] == "missing":
            msg = "required field is missing"
        got = err.get("input")
        shown = ""
        if err["type"] not in ("missing", "extra_forbidden") and not isinstance(got, dict):
            shown = f" (got {json.dumps(got, default=str)})"
        # A spec's own check (the one home of a rule) names the full field path itself.
        line = f"  {msg}{shown}" if msg.startswith(f"{path}.") else f"  {path}: {msg}{shown}"
        if line not in seen:
            seen.add(line)
            lines.append(line)
    return f"{source}: invalid {what}\n" + "\n".join(lines)


def _material_defaults(data: dict[str, Any], cfg: RunConfig) -> dict[str, Any]:
    """Fill loading.x_start / x_end from the cathode's window and check them against it."""
    from polycat.materials import get_cathode

    cathode = cfg.materials.cathode
    if isinstance(cathode, CathodeConfig):
        x_min, x_max = cathode.x_window
        name = cathode.name
    else:
        mat = get_cathode(cathode)
        x_min, x_max = mat.x_window
        name = mat.name
    loading = cfg.loading
    x_start, x_end = loading.x_start, loading.x_end
    if loading.mode == "charge":
        x_start = x_max if x_start is None else x_start
        x_end = x_min if x_end is None else x_end
    else:
        x_start = x_min if x_start is None else x_start
        x_end = x_max if x_end is None else x_end
    wrong_way = x_start <= x_end if loading.mode == "charge" else x_start >= x_end
    if wrong_way:
        need = "x_start > x_end" if loading.mode == "charge" else "x_start < x_end"
        raise ConfigError(
            f"config: invalid configuration\n  loading: {loading.mode} needs {need}, got "
            f"x_start={x_start}, x_end={x_end} (window of {name}: [{x_min}, {x_max}])"
        )
    for key, value in (("x_start", x_start), ("x_end", x_end)):
        if not x_min - 1e-12 <= value <= x_max + 1e-12:
            raise ConfigError(
                f"config: invalid configuration\n  loading.{key}: {value} is outside the x window "
                f"[{x_min}, {x_max}] of cathode {name}; choose a value inside it"
            )
    out = copy.deepcopy(data)
    out.setdefault("loading", {})
    out["loading"]["x_start"] = x_start
    out["loading"]["x_end"] = x_end
    return out


def validate_config(data: Mapping[str, Any], source: str = "config") -> RunConfig:
    """Validate a config mapping and resolve defaults that depend on the material."""
    try:
        first = RunConfig.model_validate(dict(data))
        resolved = _material_defaults(dict(data), first)
        return RunConfig.model_validate(resolved)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, source)) from None


def load_config(path: str | Path, overrides: Iterable[str] = ()) -> RunConfig:
    """Read, override and validate the run config at `path`."""
    data = apply_overrides(read_yaml(path), overrides)
    return validate_config(data, source=str(path))


def dump_config(cfg: RunConfig) -> str:
    """The resolved config as YAML (what `polycat validate` prints and runs store)."""
    return yaml.safe_dump(
        json.loads(cfg.model_dump_json()), sort_keys=False, default_flow_style=None, width=100
    )
