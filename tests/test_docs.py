"""The README stays a five-minute read, and the docs hold together: every relative link and anchor in
README.md and docs/*.md resolves, and the README's benchmark list is the benchmarks/ directory. Facts
are checked against the code elsewhere (tests/test_reference_docs.py and the tests that read a table
or a code block through tests/markdown.py); nothing here reads prose."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.markdown import (
    DOCS_DIR,
    PROJECT_DIR,
    README,
    code_blocks,
    heading_anchors,
    markdown_files,
    relative_links,
    table_rows,
)

MAX_README_LINES = 250


def test_the_readme_is_at_most_250_lines() -> None:
    lines = len(README.read_text().splitlines())
    assert lines <= MAX_README_LINES, f"README.md has {lines} lines: move detail into docs/"


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: str(p.relative_to(PROJECT_DIR)))
def test_every_relative_link_points_to_an_existing_file_and_heading(path: Path) -> None:
    broken = []
    for link in relative_links(path):
        target, _, anchor = link.partition("#")
        resolved = (path.parent / target).resolve() if target else path
        if not resolved.exists():
            broken.append(f"{link}: no such file")
        elif anchor and resolved.suffix == ".md" and anchor not in heading_anchors(resolved):
            broken.append(f"{link}: no heading with anchor #{anchor}")
    assert not broken, f"{path.name}: " + "; ".join(broken)


def test_the_link_reader_sees_links_but_not_code(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text(
        "# A title\nsee [x](other.md#a-title) and [web](https://example.com) [top](#a-title)\n"
        "`[not](code.md)`\n```\n[nor](block.md)\n```\n"
    )
    assert relative_links(doc) == ["other.md#a-title"]
    assert heading_anchors(doc) == {"a-title"}


def test_the_readme_links_every_docs_file() -> None:
    linked = {(README.parent / link.partition("#")[0]).resolve() for link in relative_links(README)}
    missing = [p.name for p in sorted(DOCS_DIR.glob("*.md")) if p.resolve() not in linked]
    assert not missing, f"README.md links none of: {missing}"


def test_the_readmes_benchmark_list_is_the_benchmarks_directory() -> None:
    """Each row names a benchmark module and the command that runs it; every module is listed (but
    the helpers, ``_``-named, that a benchmark runs)."""
    rows = table_rows(README, ("benchmark", "what it measures", "command"))
    modules = {p.stem for p in (PROJECT_DIR / "benchmarks").glob("*.py") if not p.stem.startswith("_")}
    listed = {row[0].strip("`") for row in rows}
    assert listed == modules
    for row in rows:
        name = row[0].strip("`")
        assert re.fullmatch(rf"`\.venv/bin/python -m benchmarks\.{name}( [^`]*)?`", row[2]), row


def test_the_structure_readers_find_tables_by_header_and_blocks_by_language(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text(
        "# T\n| a | b |\n|---|---|\n| `x\\|y` | 1 |\n| z | 2 |\n\ntext\n| c | d |\n|---|---|\n| 3 | 4 |\n"
        "```python\nfirst = 1\n```\n```bash\nnot_python\n```\n```python\nsecond = 2\n```\n"
    )
    assert table_rows(doc, ("a", "b")) == [["`x|y`", "1"], ["z", "2"]]
    assert table_rows(doc, ("c", "d")) == [["3", "4"]]
    with pytest.raises(AssertionError, match="expected one table"):
        table_rows(doc, ("a", "c"))
    assert code_blocks(doc, "python") == ["first = 1\n", "second = 2\n"]
