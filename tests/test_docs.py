"""The published process diagrams are generated from the code and must match it."""
from pathlib import Path

from workflow.docs import process_markdown
from workflow.processes import PROCESSES

DOC = Path(__file__).resolve().parents[1] / "docs" / "processes.md"


def test_the_published_diagrams_match_the_process_definitions():
    assert DOC.read_text(encoding="utf-8") == process_markdown(), "run: flask --app wsgi write-diagrams"


def test_every_process_has_a_mermaid_diagram_in_the_docs():
    text = DOC.read_text(encoding="utf-8")
    for name in PROCESSES:
        assert f"`{name}`" in text
    assert text.count("```mermaid") == len(PROCESSES)
