"""Read the structured parts of the project's Markdown (tables, code blocks, links), never its prose.

A table is found by its header row and a code block by its language and content, not by the heading
above them or the sentences around them: rewording a doc never fails a test, changing a fact does.
"""

from __future__ import annotations

import re
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
README = PROJECT_DIR / "README.md"
DOCS_DIR = PROJECT_DIR / "docs"


def markdown_files() -> list[Path]:
    """README.md and every docs/*.md, the files a reader follows links between."""
    return [README, *sorted(DOCS_DIR.glob("*.md"))]


def _cells(line: str) -> list[str]:
    # A pipe escaped as \| belongs to the cell.
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]


def table_rows(path: Path, header: tuple[str, ...]) -> list[list[str]]:
    """The body rows (as cells) of the one table in ``path`` whose header row is ``header``."""
    lines = path.read_text().splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("|") and tuple(_cells(line)) == header]
    assert len(starts) == 1, f"{path.name}: expected one table with header {header}, found {len(starts)}"
    rows = []
    for line in lines[starts[0] + 2 :]:  # after the header and its rule
        if not line.startswith("|"):
            break
        rows.append(_cells(line))
    assert rows, f"{path.name}: the table with header {header} has no rows"
    return rows


def code_blocks(path: Path, language: str) -> list[str]:
    """Every fenced code block of ``language`` in ``path``, in order."""
    pattern = rf"^```{re.escape(language)}\n(.*?)^```$"
    return re.findall(pattern, path.read_text(), flags=re.MULTILINE | re.DOTALL)


def relative_links(path: Path) -> list[str]:
    """The targets of the Markdown links in ``path`` that point into the repository (no URL scheme,
    no bare anchor); code spans and fenced blocks are left out."""
    text = re.sub(r"^```.*?^```$", "", path.read_text(), flags=re.MULTILINE | re.DOTALL)
    text = re.sub(r"`[^`\n]*`", "", text)
    targets = re.findall(r"\]\(([^)\s]+)\)", text)
    return [t for t in targets if not re.match(r"^[a-z][a-z0-9+.-]*:", t) and not t.startswith("#")]


def heading_anchors(path: Path) -> set[str]:
    """GitHub's anchors for the headings of ``path``: lowercased, punctuation dropped, spaces as -."""
    text = re.sub(r"^```.*?^```$", "", path.read_text(), flags=re.MULTILINE | re.DOTALL)
    headings = re.findall(r"^#{1,6} (.+)$", text, flags=re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}
