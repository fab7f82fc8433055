"""Write the component package's schema, offline (no Pulumi CLI): ``.venv/bin/python -m provider.schema``
from the repository root.

The schema is what the provider serves (``host.build_provider``), pretty-printed into
``provider/schema.json``, which is committed: a test regenerates it and fails when the file is stale.
``--check`` exits 1 instead of writing when the file differs.
"""

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from .host import build_provider

SCHEMA_FILE = Path(__file__).resolve().parent / "schema.json"
REGENERATE = ".venv/bin/python -m provider.schema"  # from the repository root


def schema() -> dict[str, Any]:
    """The schema the provider serves, as a dict."""
    return build_provider().spec


def render(spec: dict[str, Any]) -> str:
    """The committed form: two-space indents, keys in the analyzer's order, a final newline."""
    return json.dumps(spec, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale; write nothing")
    args = parser.parse_args(argv)
    text = render(schema())
    if args.check:
        stale = not SCHEMA_FILE.exists() or SCHEMA_FILE.read_text() != text
        if stale:
            print(f"{SCHEMA_FILE} is stale: run `{REGENERATE}`", file=sys.stderr)
        return 1 if stale else 0
    SCHEMA_FILE.write_text(text)
    print(f"wrote {SCHEMA_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
