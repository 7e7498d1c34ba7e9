"""Provenance of every number in the materials library."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["USER_SUPPLIED", "Source"]


@dataclass(frozen=True, slots=True)
class Source:
    """Where a value comes from.

    ``estimate=True`` marks a value that is derived, borrowed from another material or
    assumed; ``note`` must then say exactly what it rests on. Verification tags of the
    project's reference notes ([R] repository file, [A] abstract/web page, [S] second-hand
    digest, [C] computed here) are written at the start of ``note``.
    """

    citation: str
    doi: str | None = None
    estimate: bool = False
    note: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.citation, str) or not self.citation.strip():
            raise ValueError("Source.citation: must be a non-empty string naming the source")
        if self.doi is not None and (not isinstance(self.doi, str) or not self.doi.strip()):
            raise ValueError("Source.doi: must be None or a non-empty string")
        if not isinstance(self.estimate, bool):
            raise ValueError(f"Source.estimate: must be True or False, got {self.estimate!r}")
        if not isinstance(self.note, str):
            raise ValueError("Source.note: must be a string")
        if self.estimate and not self.note.strip():
            raise ValueError(
                "Source.note: an estimate (estimate=True) must say what it is derived from"
            )

    def short(self) -> str:
        """One-line form: citation, DOI and an ``[estimate]`` flag."""
        text = self.citation
        if self.doi:
            text += f" (doi:{self.doi})"
        if self.estimate:
            text += " [estimate]"
        return text


USER_SUPPLIED = Source("user-supplied value (configuration file)")
"""Source for values a user types into a configuration (inline materials)."""
