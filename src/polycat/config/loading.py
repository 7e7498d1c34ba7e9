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

from polycat.config.geometry_spec import anchor_geometry_file, geometry_spec
from polycat.config.plausibility import check_plausible
from polycat.config.schema import CathodeConfig, ReportConfig, RunConfig
from polycat.errors import ConfigError
from polycat.geometry.file_spec import FileGeometrySpec
from polycat.schedule import SOC_TOL, soc_of_x, step_report_socs

# Union members are tagged; those tags appear in pydantic's error locations after
# the field that holds the union. They carry no meaning for a user.
_UNION_TAGS: dict[str, set[str]] = {
    "cathode": {"name", "inline"},
    "electrolyte": {"name", "inline"},
    "elasticity": {"isotropic", "anisotropic"},
    "lattice_strain": {"linear", "table"},
}


def read_yaml(path: str | Path) -> dict[str, Any]:
    """Read a YAML mapping from `path`; a missing, unreadable, non-UTF-8 or non-mapping file,
    and a mapping that gives a key twice, are a ConfigError naming the file (and the field)."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"{p}: no such config file")
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{p}: cannot be read: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(_encoding_message(p, raw, exc)) from None
    data = parse_yaml_text(text, str(p))
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


def parse_yaml_text(text: str, source: str) -> Any:
    """Parse YAML text; a syntax error or a key given twice in one mapping is a
    ConfigError naming ``source``, the line and (for a duplicate) the field path."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        if root is not None:
            _refuse_duplicate_keys(root, [], source)
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML: {exc}") from None


def _key_text(node: yaml.Node) -> str | None:
    return str(node.value) if isinstance(node, yaml.ScalarNode) else None


def _refuse_duplicate_keys(node: yaml.Node, path: list[str | int], source: str) -> None:
    """YAML lets the last of two equal keys win silently (``n_grains: 6`` … ``n_grains:
    600``); refuse that, naming the field and both lines."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = _key_text(key_node)
            if key is None or key == "<<":  # complex keys and merge keys: not config fields
                continue
            line = key_node.start_mark.line + 1
            if key in seen:
                field = _format_loc([*path, key])
                raise ConfigError(
                    f"{source}: line {line}: duplicate key: {field} is given twice (lines "
                    f"{seen[key]} and {line}); YAML would silently keep the last one, so keep "
                    "one of them"
                )
            seen[key] = line
            _refuse_duplicate_keys(value_node, [*path, key], source)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _refuse_duplicate_keys(item, [*path, i], source)


def _encoding_message(p: Path, raw: bytes, exc: UnicodeDecodeError) -> str:
    """Where the first byte that is not UTF-8 sits: line, column and, when the rest of
    the file parses, the field whose text holds it."""
    pos = exc.start
    line = raw[:pos].count(b"\n") + 1
    column = pos - (raw.rfind(b"\n", 0, pos) + 1) + 1
    where = ""
    with contextlib.suppress(yaml.YAMLError, RecursionError):
        text = raw.decode("utf-8", errors="replace")
        offset = len(raw[:pos].decode("utf-8", errors="replace"))
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        loc = _loc_at(root, offset) if root is not None else []
        if loc:
            where = f" (in {_format_loc(loc)})"
    return (
        f"{p}: not UTF-8 text: byte 0x{raw[pos]:02x} at line {line}, column {column}{where}; "
        "config files are read as UTF-8: save the file as UTF-8 (e.g. `iconv -f latin1 -t "
        "utf-8`) or replace the character"
    )


def _loc_at(node: yaml.Node, offset: int) -> list[str | int]:
    """The field path of the innermost mapping value (or key) whose text spans ``offset``."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = _key_text(key_node)
            if key is None:
                continue
            if (
                key_node.start_mark.index
                <= offset
                < max(value_node.end_mark.index, key_node.end_mark.index)
            ):
                return [key, *_loc_at(value_node, offset)]
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            if item.start_mark.index <= offset < item.end_mark.index:
                return [i, *_loc_at(item, offset)]
    return []


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


def protocol_report_socs(soc0: float, soc1: float, report: ReportConfig) -> list[float]:
    """The report SOCs of a protocol's cc step from soc0 to soc1
    (:func:`polycat.schedule.step_report_socs` with ``report``'s settings)."""
    return step_report_socs(soc0, soc1, report.soc_step, report.at_step_end)


def _material_defaults(data: dict[str, Any], cfg: RunConfig, source: str) -> dict[str, Any]:
    """Fill loading.x_start / x_end from the cathode's window and check them against it;
    fill loading.report_soc (ten equal SOC steps of the run) and check it against the
    run's SOC range (SOC and C-rate are the material's, :mod:`polycat.schedule`)."""
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
            f"{source}: invalid configuration\n  loading: {loading.mode} needs {need}, got "
            f"x_start={x_start}, x_end={x_end} (window of {name}: [{x_min}, {x_max}])"
        )
    for key, value in (("x_start", x_start), ("x_end", x_end)):
        if not x_min - 1e-12 <= value <= x_max + 1e-12:
            raise ConfigError(
                f"{source}: invalid configuration\n  loading.{key}: {value} is outside the x "
                f"window [{x_min}, {x_max}] of cathode {name}; choose a value inside it"
            )
    if loading.mode == "discharge" and x_end >= 1.0 - 1e-12 and loading.cutoff_V is None:
        # (with a cut-off voltage the run ends on it first, or stops with a clear error)
        # (a charge to x = 0 is as impossible, but no built-in window reaches 0)
        which = (
            "" if loading.x_end is not None else f" (the default end: the top of {name}'s window)"
        )
        raise ConfigError(
            f"{source}: invalid configuration\n  loading.x_end: a galvanostatic discharge "
            f"cannot end at x = 1{which}: the surface reaches x = 1 before the particle's mean "
            "does, so the Li fraction would leave [0, 1] before the end (a real cell stops at "
            "its cut-off voltage first); set loading.x_end below 1, e.g. 0.95"
        )
    window = (x_min, x_max)
    soc0, soc1 = soc_of_x(x_start, window), soc_of_x(x_end, window)
    report = loading.report_soc
    if (
        report is not None
        and loading.report is not None
        and [round(v, 10) for v in report]
        != [round(v, 10) for v in protocol_report_socs(soc0, soc1, loading.report)]
    ):
        raise ConfigError(
            f"{source}: invalid configuration\n  loading: give report.soc_step or report_soc, "
            "not both (a protocol reports at multiples of report.soc_step)"
        )
    if report is None and loading.protocol is not None:
        report = protocol_report_socs(soc0, soc1, loading.report or ReportConfig.model_validate({}))
    if report is None:
        report = [round(soc0 + (soc1 - soc0) * k / 10, 10) for k in range(1, 11)]
    else:
        lo, hi = min(soc0, soc1), max(soc0, soc1)
        outside = [
            s for s in report if not (lo - SOC_TOL <= s <= hi + SOC_TOL) or abs(s - soc0) <= SOC_TOL
        ]
        if outside:
            first = "above" if soc1 > soc0 else "below"
            raise ConfigError(
                f"{source}: invalid configuration\n  loading.report_soc: {outside} not reached "
                f"after the start: this {loading.mode} of {name} runs from SOC {soc0:.4g} "
                f"(x = {x_start:g}) to SOC {soc1:.4g} (x = {x_end:g}); SOC = (x_max - x)/(x_max - "
                f"x_min) over the material's window [{x_min:g}, {x_max:g}] (1 = charged), so "
                f"give report SOCs {first} {soc0:.4g} up to {soc1:.4g}"
            )
    out = copy.deepcopy(data)
    # built-in materials by their canonical names (NMC811, ncm811 → NCM811): one physics,
    # one resolved config (and one study case id, one checkpoint digest)
    if isinstance(cathode, str) or isinstance(cfg.materials.electrolyte, str):
        from polycat.materials import get_electrolyte

        mats = out.setdefault("materials", {})
        if isinstance(cathode, str):
            mats["cathode"] = get_cathode(cathode).name
        if isinstance(cfg.materials.electrolyte, str):
            mats["electrolyte"] = get_electrolyte(cfg.materials.electrolyte).name
    out.setdefault("loading", {})
    out["loading"]["x_start"] = x_start
    out["loading"]["x_end"] = x_end
    out["loading"]["report_soc"] = list(report)
    return out


# Defaults of inline materials that decide the answer (not physical constants): a run
# that relies on them says so (`polycat validate`, the run log, run.json "defaulted").
DECISIVE_DEFAULTS: dict[str, tuple[str, ...]] = {
    "cathode": ("x_window", "x_ref", "gb_strength_MPa"),
    "electrolyte": ("adhesion_strength_MPa",),
}


def defaulted_fields(cfg: RunConfig) -> dict[str, Any]:
    """Field path → value of every decisive default an inline material of ``cfg`` took
    because the config did not give it (empty for built-in materials). Read from what the
    config set, so a config loaded from a run's own config.resolved.yaml has none."""
    out: dict[str, Any] = {}
    for name, keys in DECISIVE_DEFAULTS.items():
        spec = getattr(cfg.materials, name)
        if isinstance(spec, BaseModel):
            if name == "electrolyte" and geometry_spec(cfg.geometry).matrix == "none":
                continue
            for key in keys:
                if key not in spec.model_fields_set:
                    value = getattr(spec, key)
                    out[f"materials.{name}.{key}"] = (
                        list(value) if isinstance(value, tuple) else value
                    )
    return out


def config_notes(cfg: RunConfig) -> list[str]:
    """What a user should know about ``cfg`` before running it: decisive defaults taken,
    fields set that have no effect. One line each."""
    notes = [
        f"{path} = {json.dumps(value)} (defaulted: the inline material does not give it; "
        "it decides the answer, so set it explicitly)"
        for path, value in defaulted_fields(cfg).items()
    ]
    g = geometry_spec(cfg.geometry) if cfg.geometry.kind == "file" else None
    if isinstance(g, FileGeometrySpec):
        notes.append(
            f"geometry.file: {g.n_grains} grain(s), R_eq = {g.particle_radius_um:.4g} µm, "
            f"matrix {g.matrix}, {g.facts.n_cells} cells, mean edge {g.mesh_size_um:.3g} µm "
            f"(derived from the mesh; its coordinates are shifted by -center_um = "
            f"-({', '.join(f'{c:.6g}' for c in g.facts.center_um)}) µm)"
        )
    if cfg.coupling == "one_way" and "temperature_K" in cfg.mechanics.model_fields_set:
        notes.append(
            f"mechanics.temperature_K = {cfg.mechanics.temperature_K:g} has no effect with "
            "coupling: one_way (it enters only the stress-assisted flux of coupling: two_way)"
        )
    return notes


def validate_config(data: Mapping[str, Any], source: str = "config") -> RunConfig:
    """Validate a config mapping and resolve defaults that depend on the material."""
    try:
        first = RunConfig.model_validate(dict(data))
        resolved = _material_defaults(dict(data), first, source)
        cfg = RunConfig.model_validate(resolved)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, source)) from None
    problems = check_plausible(cfg.model_dump(mode="json"), cfg.allow_outside_range)
    if problems:
        raise ConfigError(
            f"{source}: implausible configuration\n" + "\n".join(f"  {p}" for p in problems)
        )
    return cfg


def load_config(path: str | Path, overrides: Iterable[str] = ()) -> RunConfig:
    """Read, override and validate the run config at `path`. A relative ``geometry.file``
    is relative to the config file's directory (given with ``--set``: to the working
    directory); it is made absolute here, so the resolved config names the file."""
    raw = read_yaml(path)
    anchor_geometry_file(raw, Path(path).resolve().parent)
    data = apply_overrides(raw, overrides)
    anchor_geometry_file(data, Path.cwd())
    return validate_config(data, source=str(path))


def dump_config(cfg: RunConfig) -> str:
    """The resolved config as YAML (what `polycat validate` prints and runs store)."""
    return yaml.safe_dump(
        json.loads(cfg.model_dump_json()), sort_keys=False, default_flow_style=None, width=100
    )
