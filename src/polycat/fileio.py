"""Atomic text, JSON and CSV files, and reading tables back (stdlib and numpy).

Every table and JSON file of the package goes through these writers: a temporary file in
the same directory, fsync, then a rename, so a killed process never leaves a half-written
file. Rank 0 alone calls them.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any


def write_text_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file and a rename, so a killed
    process never leaves a half-written file behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp's 0600 would hide results from colleagues
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    """The process umask (read by setting and restoring it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_json_atomic(path: Path, data: Mapping[str, Any]) -> None:
    """Write ``data`` as indented JSON (numpy arrays and paths converted) atomically."""
    write_text_atomic(path, json.dumps(data, indent=2, sort_keys=False, default=_json_default))


def _json_default(obj: Any) -> Any:
    if hasattr(obj, "tolist"):
        return obj.tolist()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def write_csv_atomic(path: Path, rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> None:
    """Write a whole table (header + rows) atomically; floats with 10 significant digits."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_fmt(row.get(c, "")) for c in columns])
    write_text_atomic(path, buf.getvalue())


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.10g}"
    return str(value)


def write_columns(path: Path, table: Mapping[str, Any]) -> None:
    """Write a table of numeric columns (name → 1-D array, equal lengths) atomically;
    integers as integers, floats at full precision (``repr``): read back exactly by
    :func:`read_columns`."""
    import numpy as np

    names = list(table)
    n = len(table[names[0]]) if names else 0
    lines = [",".join(names)]
    for r in range(n):
        cells = []
        for name in names:
            v = table[name][r]
            cells.append(str(int(v)) if np.issubdtype(type(v), np.integer) else repr(float(v)))
        lines.append(",".join(cells))
    write_text_atomic(path, "\n".join(lines) + "\n")


def read_columns(path: Path) -> dict[str, Any]:
    """The columns of a numeric CSV (:func:`write_columns`) as numpy arrays; a column of
    integers stays integer (int64), any other is float."""
    import re

    import numpy as np

    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    out: dict[str, Any] = {}
    for k, name in enumerate(header):
        values = [r[k] for r in body]
        if all(re.fullmatch(r"-?\d+", v) for v in values):
            out[name] = np.array([int(v) for v in values], dtype=np.int64)
        else:
            out[name] = np.array([float(v) for v in values], dtype=float)
    return out


def read_csv(path: Path) -> list[dict[str, str]]:
    """The rows of a CSV file with a header, as strings."""
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))
