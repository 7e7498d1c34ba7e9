"""The project's docs can be followed inside the repository: no pointer into a
`shared/` folder or to a DESIGN.md / physics_notes that the repository does not hold,
every relative Markdown link resolves, and every "docs/physics.md §N" / "docs/design.md
§N" that the code or the tests cite names a section those pages have."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEXT_FILES = sorted(
    [
        ROOT / "README.md",
        *(ROOT / "docs").glob("*.md"),
        *(ROOT / "src").rglob("*.md"),
        *(ROOT / "src").rglob("*.py"),
        *(ROOT / "tests").rglob("*.py"),
    ]
)
FORBIDDEN = ("shared/reference", "physics_notes", "DESIGN.md", "DESIGN §", "../shared")


def test_no_pointer_outside_the_repository() -> None:
    bad = []
    for path in TEXT_FILES:
        if path == Path(__file__).resolve():
            continue
        text = path.read_text(encoding="utf-8")
        bad += [f"{path.relative_to(ROOT)}: {f}" for f in FORBIDDEN if f in text]
    assert not bad, "points outside the repository:\n" + "\n".join(bad)


@pytest.mark.parametrize(
    "path",
    [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), *(ROOT / "src").rglob("*.md")],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_relative_links_resolve(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if "://" in target:
            continue
        assert (path.parent / target).exists(), f"{path.relative_to(ROOT)}: broken link {target}"


def _sections(page: str) -> set[str]:
    text = (ROOT / "docs" / page).read_text(encoding="utf-8")
    found = set()
    for heading in re.findall(r"^#{2,3} (\d+(?:\.\d+)?[a-z]?)\b", text, flags=re.M):
        found.add(heading)
        found.add(heading.split(".")[0])
    return found


def test_cited_sections_exist() -> None:
    have = {"physics.md": _sections("physics.md"), "design.md": _sections("design.md")}
    missing = []
    for path in TEXT_FILES:
        text = path.read_text(encoding="utf-8")
        for page, sec in re.findall(r"docs/(physics|design)\.md §(\d+(?:\.\d+)?)", text):
            if sec not in have[f"{page}.md"]:
                missing.append(f"{path.relative_to(ROOT)}: docs/{page}.md §{sec}")
    assert not missing, "\n".join(missing)
