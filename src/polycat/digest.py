"""One way to hash configuration data: SHA-256 of its canonical JSON.

Canonical JSON: keys sorted, no whitespace, ASCII only. Used for mesh-cache keys, study
case ids, checkpoint config digests and orientation-table names, so that equal data
always gives equal names.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

__all__ = ["canonical_json", "stable_digest"]


def canonical_json(data: Any) -> str:
    """``data`` (JSON-serialisable) as canonical JSON text."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def stable_digest(data: Any, length: int) -> str:
    """The first ``length`` hex digits of the SHA-256 of :func:`canonical_json` (data)."""
    if not 1 <= length <= 64:
        raise ValueError(f"length must be in [1, 64], got {length}")
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()[:length]
