"""The one output format of the benchmark scripts: a markdown table on stdout and the same
rows appended to a CSV file (header written once)."""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any


def emit_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], csv_path: Path) -> None:
    """Print ``rows`` as a markdown table and append them to ``csv_path``."""
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for r in rows:
        print("| " + " | ".join(str(r.get(c, "")) for c in columns) + " |")
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    new = not csv_path.exists()
    with csv_path.open("a", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(columns), extrasaction="ignore")
        if new:
            writer.writeheader()
        writer.writerows(rows)
