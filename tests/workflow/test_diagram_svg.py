"""The case page's process diagram (workflow.diagram.svg) for every registered process, read back as XML:
one box per state with its title, one edge per source and destination carrying every trigger of the
definition and joining the right boxes, the initial state, the case's current state and path, boxes that do
not overlap, labels that cover no box and no other label, everything inside the viewBox, the accessible
title and description, readable colours, no script or external reference, and a layout drawn once per
registered definition."""
from __future__ import annotations

import dataclasses
import math
import re
import xml.etree.ElementTree as ET

import pytest

from workflow import diagram
from workflow.diagram import svg
from workflow.engine import HANDLER, State, Transition
from workflow.processes import PROCESSES

SVG = "{http://www.w3.org/2000/svg}"

# The states a case went through, in order, ending at its current state; a process without an entry here
# is drawn with a case that has just been registered.
PATHS = {
    "disclosure_request": ["received", "awaiting_correction", "in_progress", "consulting_third_party",
                           "in_progress", "in_progress", "under_review", "in_progress", "under_review"],
    "policy_interpretation": ["drafting", "submitted", "returned", "submitted", "approved",
                              "interpretation_pending"],
    "enforcement_disclosure": ["decided", "published", "withdrawal_pending"],
    "opinion_response": ["detected", "assessed", "assessed"],
    "sketch": ["open", "checking", "open", "checking", "checking", "granted", "archived"],
}


def transition(trigger: str, sources: tuple[str, ...], dest: str | None, title: str, **more) -> Transition:
    return Transition(trigger, sources, dest, title, frozenset({HANDLER}), **more)


# A made-up definition with what the registered ones lack: a state no path reaches, edges between two
# terminal states, a destination chosen from the data, two triggers looping on one state, a long edge.
SKETCH = dataclasses.replace(
    PROCESSES["opinion_response"], name="sketch", title="示例流程", initial="open",
    states=(State("open", "待办"), State("checking", "核对中"), State("imported", "外部导入"),
            State("granted", "同意", terminal=True), State("refused", "不同意", terminal=True),
            State("archived", "已归档", terminal=True)),
    transitions=(transition("check", ("open",), "checking", "开始核对"),
                 transition("reopen", ("checking",), "open", "退回重新办理"),
                 transition("note", ("checking",), "checking", "记录核对意见"),
                 transition("remind", ("checking",), "checking", "催办"),
                 transition("decide", ("checking",), None, "作出决定", destination=lambda ctx: "granted",
                            dests=("granted", "refused")),
                 transition("archive", ("granted", "refused"), "archived", "归档"),
                 transition("adopt", ("imported",), "open", "导入后办理"),
                 transition("drop", ("open", "checking"), "archived", "不再办理，直接归档")))
DRAWN = {**PROCESSES, "sketch": SKETCH}


def definition_edges(process) -> dict[tuple[str, str], set[str]]:
    edges: dict[tuple[str, str], set[str]] = {}
    for t in process.transitions:
        for source in t.sources:
            for dest in t.destinations:
                edges.setdefault((source, dest), set()).add(t.trigger)
    return edges


def case_path(process) -> list[str]:
    path = PATHS.get(process.name, [process.initial])
    edges = definition_edges(process)
    assert all(step in edges for step in zip(path, path[1:], strict=False)), "the test's path must be walkable"
    return path


def classes(element: ET.Element) -> set[str]:
    return set(element.get("class", "").split())


def groups(root: ET.Element, kind: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if kind in classes(g)]


def box(rect: ET.Element) -> tuple[float, float, float, float]:
    return tuple(float(rect.get(a)) for a in ("x", "y", "width", "height"))


def overlap(a, b) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def points(d: str) -> list[tuple[float, float]]:
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", d)]
    return list(zip(numbers[::2], numbers[1::2], strict=True))


def distance_to(rect, point) -> float:
    x, y, w, h = rect
    dx = max(x - point[0], 0, point[0] - (x + w))
    dy = max(y - point[1], 0, point[1] - (y + h))
    return math.hypot(dx, dy)


def luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@pytest.fixture(params=list(DRAWN), scope="module")
def drawn(request):
    process = DRAWN[request.param]
    path = case_path(process)
    text = svg(process, current=path[-1], path=path)
    return process, path, text, ET.fromstring(text)


def test_one_box_per_state_with_its_title(drawn):
    process, _, _, root = drawn
    nodes = {g.get("data-state"): g for g in groups(root, "state")}
    assert len(groups(root, "state")) == len(process.states)
    assert set(nodes) == {s.name for s in process.states}
    for state in process.states:
        texts = [t.text for t in nodes[state.name].iter(f"{SVG}text")]
        assert texts == [state.title]
        assert ("terminal" in classes(nodes[state.name])) == state.terminal
        rects = nodes[state.name].findall(f"{SVG}rect")
        assert len(rects) == (2 if state.terminal else 1)  # a terminal state's double border


def test_one_edge_per_source_and_destination_with_every_trigger(drawn):
    process, _, _, root = drawn
    edges = {}
    for g in groups(root, "edge"):
        key = (g.get("data-from"), g.get("data-to"))
        assert key not in edges, f"{key} drawn twice"
        edges[key] = set(g.get("data-trigger").split())
    assert edges == definition_edges(process)
    titles = {t.trigger: t.title for t in process.transitions}
    for g in groups(root, "edge"):
        label = "".join(t.text for t in g.iter(f"{SVG}text"))
        for trigger in g.get("data-trigger").split():
            assert titles[trigger] in label


def test_edges_join_their_states_and_end_in_an_arrow(drawn):
    _, _, _, root = drawn
    boxes = {g.get("data-state"): box(g.find(f"{SVG}rect")) for g in groups(root, "state")}
    markers = {m.get("id") for m in root.iter(f"{SVG}marker")}
    for g in groups(root, "edge"):
        line = g.find(f"{SVG}path")
        ends = points(line.get("d"))
        assert distance_to(boxes[g.get("data-from")], ends[0]) < 0.2
        assert distance_to(boxes[g.get("data-to")], ends[-1]) <= diagram.ARROW + 0.2
        assert re.fullmatch(r"url\(#(.+)\)", line.get("marker-end")).group(1) in markers


def test_the_initial_state_is_marked(drawn):
    process, _, _, root = drawn
    assert [g.get("data-state") for g in groups(root, "state") if "initial" in classes(g)] == [process.initial]
    assert len(groups(root, "start")) == 1


def test_the_current_state_and_the_path_are_highlighted(drawn):
    process, path, _, root = drawn
    assert [g.get("data-state") for g in groups(root, "state") if "current" in classes(g)] == [path[-1]]
    assert {g.get("data-state") for g in groups(root, "state") if "visited" in classes(g)} == set(path)
    walked = set(zip(path, path[1:], strict=False))
    assert {(g.get("data-from"), g.get("data-to")) for g in groups(root, "edge") if "visited" in classes(g)} == walked
    current = next(g for g in groups(root, "state") if "current" in classes(g))
    widths = {float(g.find(f"{SVG}rect").get("stroke-width")) for g in groups(root, "state") if g is not current}
    assert float(current.find(f"{SVG}rect").get("stroke-width")) > max(widths)  # not colour alone


def test_boxes_do_not_overlap_and_labels_cover_no_box_or_label(drawn):
    _, _, _, root = drawn
    boxes = [box(g.find(f"{SVG}rect")) for g in groups(root, "state")]
    labels = [box(g.find(f"{SVG}rect")) for g in groups(root, "edge")]
    for i, a in enumerate(boxes):
        assert not any(overlap(a, b) for b in boxes[i + 1:])
    for i, a in enumerate(labels):
        assert not any(overlap(a, b) for b in boxes)
        assert not any(overlap(a, b) for b in labels[i + 1:])


def test_everything_lies_within_the_view_box(drawn):
    _, _, _, root = drawn
    x0, y0, width, height = map(float, root.get("viewBox").split())
    assert (x0, y0) == (0, 0) and (float(root.get("width")), float(root.get("height"))) == (width, height)

    def inside(x, y):
        assert 0 <= x <= width and 0 <= y <= height, (x, y)

    defs = {id(e) for d in root.iter(f"{SVG}defs") for e in d.iter()}
    for element in root.iter():
        if id(element) in defs:
            continue
        tag = element.tag.removeprefix(SVG)
        if tag == "rect":
            x, y, w, h = box(element)
            inside(x, y)
            inside(x + w, y + h)
        elif tag == "circle":
            r = float(element.get("r"))
            inside(float(element.get("cx")) - r, float(element.get("cy")) - r)
            inside(float(element.get("cx")) + r, float(element.get("cy")) + r)
        elif tag == "text":
            inside(float(element.get("x")), float(element.get("y")))
        elif tag == "path":
            for point in points(element.get("d")):  # a curve stays within its control points
                inside(*point)


def test_title_and_description_name_the_process_the_current_state_and_the_path(drawn):
    process, path, _, root = drawn
    titles = {s.name: s.title for s in process.states}
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert root.get("aria-labelledby").split() == [title.get("id"), desc.get("id")]
    assert title.text == f"流程图：{process.title}，当前状态：{titles[path[-1]]}"
    assert " → ".join(titles[name] for name in path) + "（当前）" in desc.text


def test_colours_are_readable(drawn):
    _, _, _, root = drawn
    for g in groups(root, "state"):
        fill = g.find(f"{SVG}rect").get("fill")
        assert contrast(g.find(f"{SVG}text").get("fill"), fill) >= 4.5
    for g in groups(root, "edge"):
        assert contrast(g.find(f"{SVG}path").get("stroke"), "#ffffff") >= 3  # a graphic
        for text in g.iter(f"{SVG}text"):
            assert contrast(text.get("fill"), g.find(f"{SVG}rect").get("fill")) >= 4.5


def test_no_script_style_or_external_reference(drawn):
    _, _, text, root = drawn
    tags = {e.tag.removeprefix(SVG) for e in root.iter()}
    assert not tags & {"script", "style", "image", "use", "foreignObject", "a"}
    assert not [name for e in root.iter() for name in e.attrib if name.endswith("href") or name.startswith("on")]
    assert re.findall(r"url\((?!#)", text) == []
    assert "max-width:100%" in root.get("style")
    assert "Noto Sans CJK SC" in root.get("font-family")


def test_the_brief_example_ends_in_a_terminal_state():
    process = PROCESSES["disclosure_request"]
    path = ["received", "awaiting_correction", "in_progress", "under_review", "in_progress", "under_review",
            "disclosed"]
    root = ET.fromstring(svg(process, current="disclosed", path=path))
    current = [g for g in groups(root, "state") if "current" in classes(g)]
    assert [g.get("data-state") for g in current] == ["disclosed"]
    assert len(current[0].findall(f"{SVG}rect")) == 2
    assert root.find(f"{SVG}title").text.endswith("当前状态：予以公开")
    assert "待审核 → 予以公开（当前）" in root.find(f"{SVG}desc").text


def test_without_a_case_nothing_is_highlighted():
    process = PROCESSES["disclosure_request"]
    root = ET.fromstring(svg(process))
    assert root.find(f"{SVG}title").text == f"流程图：{process.title}"
    assert not [g for g in root.iter(f"{SVG}g") if classes(g) & {"current", "visited"}]


def test_an_unknown_state_is_refused():
    process = PROCESSES["opinion_response"]
    with pytest.raises(ValueError, match="no_such_state"):
        svg(process, current="no_such_state")
    with pytest.raises(ValueError, match="no_such_state"):
        svg(process, path=["detected", "no_such_state"])


def test_the_layout_of_a_registered_process_is_drawn_once(monkeypatch):
    process = PROCESSES["disclosure_request"]
    first = svg(process)
    calls = []
    compute = diagram._compute
    monkeypatch.setattr(diagram, "_compute", lambda p: calls.append(p) or compute(p))
    assert svg(process) == first
    svg(process, current="in_progress", path=["received", "in_progress"])
    assert calls == []
    # a definition that is not the registered one (a draft, a test's) is drawn afresh, its texts escaped
    draft = dataclasses.replace(process, title="草稿 <A & B>")
    root = ET.fromstring(svg(draft, current="received"))
    assert calls == [draft]
    assert root.find(f"{SVG}title").text == "流程图：草稿 <A & B>，当前状态：已登记"
