"""The ODD description stays true to the code: every parameter it names is in the schema."""

from __future__ import annotations

import re
from pathlib import Path

from sim.schema_doc import schema_markdown

DOCS = Path(__file__).resolve().parents[1] / "docs"
LINK = re.compile(r"\[([a-z_]+(?:\.[a-z_]+)?|start to end)\]\(SCHEMA\.md#([a-z0-9-]+)\)")


def _sections(markdown: str) -> dict[str, tuple[str, set[str]]]:
    """GitHub anchor of each schema heading -> (section name, field names)."""
    out: dict[str, tuple[str, set[str]]] = {}
    anchor = ""
    for line in markdown.splitlines():
        if line.startswith("### "):
            title = line[4:]
            anchor = re.sub(r"[^a-z0-9 -]", "", title.lower()).replace(" ", "-")
            out[anchor] = (title.split("`")[1], set())
        elif anchor and line.startswith("| `"):
            out[anchor][1].add(line.split("`")[1])
    return out


def test_every_parameter_named_in_the_odd_exists_in_the_schema() -> None:
    text = (DOCS / "ODD.md").read_text(encoding="utf-8")
    links = LINK.findall(text)
    assert len(links) > 30
    live = _sections(schema_markdown())
    committed = _sections((DOCS / "SCHEMA.md").read_text(encoding="utf-8"))
    for name, anchor in links:
        assert anchor in live, f"ODD links to #{anchor}, not a section of the schema"
        section, fields = live[anchor]
        if "." in name:
            head, field = name.split(".")
            assert head == section, f"{name} linked to the {section} section"
            assert field in fields, f"{name} is not a parameter of the schema"
            assert field in committed[anchor][1], f"docs/SCHEMA.md lacks {name}: regenerate it"


def test_section_anchors_follow_githubs_rule() -> None:
    sections = _sections("### `movement` — MovementParams\n| `march_hours` | 8 |\n")
    assert sections == {"movement--movementparams": ("movement", {"march_hours"})}
