"""Provenance of every number in the materials library."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["EVIDENCE_LEVELS", "NOT_SET", "USER_SUPPLIED", "Source"]

EVIDENCE_LEVELS: dict[str, str] = {
    "measured": "experiment on this material (as reported by the cited source)",
    "dft": "first-principles calculation for this material",
    "model-parameter": "value of a published cell-model parameter set (not a measurement)",
    "derived": "computed here from measured or DFT inputs by the formula stated in the note",
    "estimate": "borrowed from another material or composition, assumed, or rounded",
    "hypothesis": "a constructed law or value, not measured for this material: results "
    "that depend on it follow from the construction stated in the note",
    "user": "typed into a configuration by the user",
    "none": "no value set",
}
"""How solid a value is, from a measurement on this material down to a construction."""

_ESTIMATE_LEVELS = ("estimate", "hypothesis")


@dataclass(frozen=True, slots=True)
class Source:
    """Where a value comes from, and how solid it is.

    ``evidence`` is one of :data:`EVIDENCE_LEVELS`. ``estimate=True`` marks a value that
    is derived, borrowed from another material or assumed; the levels ``estimate`` and
    ``hypothesis`` set it automatically, and ``note`` must then say exactly what the value
    rests on. Verification tags of the project's reference notes ([R] repository file,
    [A] abstract/web page, [S] second-hand digest, [C] computed here) are written at the
    start of ``note``; ``checked`` says where a number was read first-hand (empty when it
    was not).
    """

    citation: str
    doi: str | None = None
    estimate: bool = False
    note: str = ""
    evidence: str = ""
    checked: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.citation, str) or not self.citation.strip():
            raise ValueError("Source.citation: must be a non-empty string naming the source")
        if self.doi is not None and (not isinstance(self.doi, str) or not self.doi.strip()):
            raise ValueError("Source.doi: must be None or a non-empty string")
        if not isinstance(self.estimate, bool):
            raise ValueError(f"Source.estimate: must be True or False, got {self.estimate!r}")
        if not isinstance(self.note, str) or not isinstance(self.checked, str):
            raise ValueError("Source.note and Source.checked: must be strings")
        if self.evidence and self.evidence not in EVIDENCE_LEVELS:
            raise ValueError(
                f"Source.evidence: must be one of {list(EVIDENCE_LEVELS)}, got {self.evidence!r}"
            )
        if self.evidence in _ESTIMATE_LEVELS:
            object.__setattr__(self, "estimate", True)
        elif self.estimate and self.evidence in ("measured", "dft"):
            raise ValueError(
                f"Source: evidence {self.evidence!r} contradicts estimate=True; use 'estimate', "
                "'hypothesis' or 'derived'"
            )
        if self.estimate and not self.note.strip():
            raise ValueError(
                "Source.note: an estimate (estimate=True) must say what it is derived from"
            )

    @property
    def evidence_level(self) -> str:
        """The explicit ``evidence``, else ``estimate`` / ``unclassified`` from the flag."""
        if self.evidence:
            return self.evidence
        return "estimate" if self.estimate else "unclassified"

    def short(self) -> str:
        """One-line form: citation, DOI and the evidence level."""
        text = self.citation
        if self.doi:
            text += f" (doi:{self.doi})"
        return text + f" [evidence: {self.evidence_level}]"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (``polycat materials --json``)."""
        return {
            "citation": self.citation,
            "doi": self.doi,
            "evidence": self.evidence_level,
            "estimate": self.estimate,
            "checked_first_hand": self.checked,
            "note": self.note,
        }


USER_SUPPLIED = Source("user-supplied value (configuration file)", evidence="user")
"""Source for values a user types into a configuration (inline materials)."""

NOT_SET = Source("not set", evidence="none", note="no value is set for this field")
"""Source of an optional field that has no value."""
