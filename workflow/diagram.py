"""Diagrams of process definitions.

``mermaid`` writes the text diagram of the documents, drawn by transitions' GraphMachine from the engine's
machine (its states and transitions, one edge per source and destination), so that a diagram and the engine
read the same definition. Cached per definition.

``svg`` draws a process for the case page on the server, as inline SVG with the case's current state and
the path it took highlighted. The layout is made here, without graphviz, from the definition's states and
transitions (the same the engine's machine is built from), and cached per process name and version with
every part rendered in each of its highlights, so that a call only chooses among them. The layout is layered, left to right: depth-first search from the initial state
tells back edges (an edge to a state on the search's stack) from forward ones; a state's layer is the
longest path of forward edges that reaches it, terminal states share the last layer; an edge that spans
several layers runs through a placeholder point in each layer between, so it passes between the boxes; the
states and placeholders of each layer are ordered by the barycenter heuristic (sweeps down and up, adjacent
swaps, the order with the fewest crossings kept) and then placed vertically as near their neighbours as the
spacing allows (isotonic regression). Several triggers between the same two states make one edge with
their titles listed; an edge back to an earlier state is dashed, and when it runs beside its forward
counterpart the two bow apart. Each label goes on its edge, or just beside it, where it covers no box, arrow
head or other label and as little of the other edges as can be found.
"""
from __future__ import annotations

import itertools
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from xml.sax.saxutils import escape, quoteattr

from transitions.extensions import GraphMachine

from .engine import Process
from .processes import PROCESSES, get_engine


class _Sketch:
    """A throwaway model for drawing; cases never meet a GraphMachine."""


@cache
def mermaid(process_name: str) -> str:
    engine = get_engine(process_name)
    process = engine.process
    edges = [{"trigger": trigger, "source": source, "dest": step.dest}
             for trigger, event in engine.machine.events.items()
             for source, steps in event.transitions.items() for step in steps]
    machine = GraphMachine(model=_Sketch(), states=list(engine.machine.states), initial=engine.machine.initial,
                           transitions=edges, auto_transitions=False, graph_engine="mermaid",
                           title=f"{process.title} ({process.name} v{process.version})")
    text = machine.get_graph().draw(None)
    # transitions writes the title as a bare front-matter scalar, which mermaid does not accept; the
    # documents carry the title in their own heading. The sketch model's "active" state means nothing here.
    if text.startswith("---"):
        text = text.split("---", 2)[2].lstrip("\n")
    text = text.replace(" s_active", " s_default")
    ends = "".join(f"  {state} --> [*]\n" for state in process.terminal_states)
    return text.rstrip("\n") + "\n" + ends


# -- the SVG diagram -------------------------------------------------------------------------------------

FONT = "'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif"
TITLE_SIZE, LABEL_SIZE, LABEL_LINE = 14, 12, 15  # px: state titles, edge labels and their line height
LABEL_CHARS = 9  # an edge label's line holds at most this many characters
NODE_PAD, NODE_H, NODE_MIN_W = 12, 36, 64  # a state's box: side padding, least height and width
PORT_GAP = 8  # vertical distance between the ends of the edges on one side of a box
SEP_NODES, SEP_POINT = 34, 20  # vertical space between two boxes of a layer, and beside an edge's passage
LOOP_RISE = 30  # height of a self-loop's control points above its box
TARGET_WIDTH, MIN_GAP, MAX_GAP = 1100, 80, 150  # the drawing's aim (px) and the bounds of a layer gap
LABEL_ROOM = 14  # least room between a label that must sit in a gap and the boxes either side
ARROW = 9  # how far an arrow head reaches beyond the end of its path
START = 32  # room left of the initial state for the start dot and its arrow
MARGIN = 10
SWEEPS, ALIGNMENTS = 12, 12

INK, MUTED, LINE = "#1f2933", "#3e4c59", "#6b7785"  # text, edge labels, edges and borders
VISITED_FILL, VISITED_STROKE, VISITED_INK = "#dbeafe", "#1d4ed8", "#1e3a8a"
CURRENT_FILL, CURRENT_STROKE, CURRENT_INK = "#1e3a8a", "#0b1437", "#ffffff"


def text_width(text: str, size: float) -> float:
    """An estimate of a text's width: a CJK or full-width character is 1 em, anything else 0.6 em."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else 0.6 * size for ch in text)


def _wrap(title: str) -> list[str]:
    """A label title in lines of at most LABEL_CHARS characters, broken after a comma or enumeration mark,
    before an opening bracket or a conjunction where possible, a longer run split in equal parts."""
    if len(title) <= LABEL_CHARS:
        return [title]
    chunks, chunk = [], ""
    for ch in title:
        if ch in "（(" and chunk:
            chunks.append(chunk)
            chunk = ""
        chunk += ch
        if ch in "，、；：）)":
            chunks.append(chunk)
            chunk = ""
    if chunk:
        chunks.append(chunk)
    split = []  # a run still too long is broken before a conjunction
    for chunk in chunks:
        while len(chunk) > LABEL_CHARS and any(ch in "或及与和" for ch in chunk[1:]):
            at = max(i for i, ch in enumerate(chunk) if i and ch in "或及与和")
            at = at if at <= LABEL_CHARS else min(i for i, ch in enumerate(chunk) if i and ch in "或及与和")
            split.append(chunk[:at])
            chunk = chunk[at:]
        split.append(chunk)
    lines, line = [], ""
    for chunk in split:
        parts = math.ceil(len(chunk) / LABEL_CHARS)
        size = math.ceil(len(chunk) / parts)
        for piece in (chunk[i:i + size] for i in range(0, len(chunk), size)):
            if line and len(line) + len(piece) > LABEL_CHARS:
                lines.append(line)
                line = ""
            line += piece
    return [*lines, line] if line else lines


def _label_lines(titles: Sequence[str]) -> list[str]:
    """One label for the triggers of an edge: their titles joined by ／, each on lines of its own when
    they do not fit on one."""
    joined = "／".join(titles)
    if len(joined) <= LABEL_CHARS:
        return [joined]
    lines = []
    for i, title in enumerate(titles):
        wrapped = _wrap(title)
        if i < len(titles) - 1:
            wrapped[-1] += "／"
        lines += wrapped
    return lines


@dataclass(frozen=True)
class _Box:
    x: float
    y: float
    w: float
    h: float

    def overlaps(self, other: _Box, pad: float = 0.0) -> bool:
        return (self.x - pad < other.x + other.w and other.x - pad < self.x + self.w
                and self.y - pad < other.y + other.h and other.y - pad < self.y + self.h)

    def holds(self, x: float, y: float) -> bool:
        return self.x <= x <= self.x + self.w and self.y <= y <= self.y + self.h


@dataclass
class _Vertex:
    """A state's box or the passage of a long edge through a layer (``state`` None)."""

    layer: int
    state: str | None
    key: float
    w: float = 0.0
    h: float = 0.0
    slot: float = 0.0  # the height it takes in its layer: its box's, or more for the labels beside it
    reserve: float = 0.0  # room above the box for its self-loop and label
    y: float = 0.0  # centre


@dataclass
class _Edge:
    source: str
    dest: str
    triggers: list[str]
    titles: list[str]
    lines: list[str] = field(default_factory=list)
    back: bool = False
    loop: bool = False
    chain: list[int] = field(default_factory=list)  # vertices from the lower layer to the higher
    segments: list[tuple] = field(default_factory=list)  # ("L", p0, p1) or ("C", p0, c1, c2, p1)
    label: _Box | None = None
    prefer: float = 0.5  # where along the edge its label would best go

    @property
    def label_size(self) -> tuple[float, float]:
        return (max(text_width(line, LABEL_SIZE) for line in self.lines) + 8,
                len(self.lines) * LABEL_LINE + 3)


@dataclass(frozen=True)
class _Node:
    name: str
    title: str
    terminal: bool
    initial: bool
    box: _Box


@dataclass(frozen=True)
class _DrawnEdge:
    source: str
    dest: str
    triggers: tuple[str, ...]
    titles: tuple[str, ...]
    lines: tuple[str, ...]
    back: bool
    loop: bool
    d: str
    label: _Box


@dataclass(frozen=True)
class _Layout:
    process: Process
    width: float
    height: float
    nodes: dict[str, _Node]
    edges: tuple[_DrawnEdge, ...]
    start: tuple[float, float, float]  # the start dot's centre and the initial box's left side
    legend_y: float


def _edges(process: Process) -> list[_Edge]:
    """One edge per source and destination, with every trigger between them in the definition's order."""
    edges: dict[tuple[str, str], _Edge] = {}
    for t in process.transitions:
        for source in t.sources:
            for dest in t.destinations:
                edge = edges.setdefault((source, dest), _Edge(source, dest, [], []))
                if t.trigger not in edge.triggers:
                    edge.triggers.append(t.trigger)
                    edge.titles.append(t.title)
    for edge in edges.values():
        edge.lines = _label_lines(edge.titles)
        edge.loop = edge.source == edge.dest
    return list(edges.values())


def _ranks(process: Process, edges: list[_Edge]) -> tuple[dict[str, int], list[str]]:
    """Each state's layer and the order the depth-first search found the states in. An edge to a state on
    the search's stack closes a cycle: it is a back edge and does not count for the layers."""
    names = [s.name for s in process.states]
    after: dict[str, list[str]] = {n: [] for n in names}
    for e in edges:
        if not e.loop and e.dest not in after[e.source]:
            after[e.source].append(e.dest)
    mark: dict[str, int] = {}  # 1 on the stack, 2 done
    found, finished, back = [], [], set()
    for root in [process.initial, *names]:
        if root in mark:
            continue
        mark[root] = 1
        found.append(root)
        stack = [(root, iter(after[root]))]
        while stack:
            node, rest = stack[-1]
            nxt = next(rest, None)
            if nxt is None:
                mark[node] = 2
                finished.append(node)
                stack.pop()
            elif nxt not in mark:
                mark[nxt] = 1
                found.append(nxt)
                stack.append((nxt, iter(after[nxt])))
            elif mark[nxt] == 1:
                back.add((node, nxt))
    rank: dict[str, int] = {}
    for node in reversed(finished):  # a topological order of the forward edges
        rank.setdefault(node, 0)
        for nxt in after[node]:
            if (node, nxt) not in back:
                rank[nxt] = max(rank.get(nxt, 0), rank[node] + 1)
    terminal = {s.name for s in process.states if s.terminal}
    last = max((r for n, r in rank.items() if n not in terminal), default=-1) + 1
    for name in terminal:
        rank[name] = last
    return rank, found


def _crossings(layers: list[list[int]], down: dict[int, list[int]], pos: dict[int, int]) -> int:
    total = 0
    for layer in layers[:-1]:
        pairs = [(pos[a], pos[b]) for a in layer for b in down[a]]
        for i, (a1, b1) in enumerate(pairs):
            total += sum(1 for a2, b2 in pairs[i + 1:] if (a1 - a2) * (b1 - b2) < 0)
    return total


def _order(layers: list[list[int]], up: dict[int, list[int]], down: dict[int, list[int]]) -> list[list[int]]:
    """Order each layer by the barycenter heuristic, then swap neighbours while that removes crossings;
    keep the order with the fewest crossings."""
    pos = {v: i for layer in layers for i, v in enumerate(layer)}

    def sort(layer: list[int], nbrs: dict[int, list[int]]) -> None:
        centre = {v: sum(pos[u] for u in nbrs[v]) / len(nbrs[v]) if nbrs[v] else pos[v] for v in layer}
        layer.sort(key=lambda v: (centre[v], pos[v]))
        pos.update({v: i for i, v in enumerate(layer)})

    def cost(u: int, v: int) -> int:  # crossings between the edges of u and v when u comes first
        return (sum(1 for a in up[u] for b in up[v] if pos[a] > pos[b])
                + sum(1 for a in down[u] for b in down[v] if pos[a] > pos[b]))

    def transpose() -> None:
        for _ in range(len(pos)):
            improved = False
            for layer in layers:
                for i in range(len(layer) - 1):
                    u, v = layer[i], layer[i + 1]
                    if cost(v, u) < cost(u, v):
                        layer[i], layer[i + 1] = v, u
                        pos[u], pos[v] = i + 1, i
                        improved = True
            if not improved:
                return

    best, fewest = [list(layer) for layer in layers], _crossings(layers, down, pos)
    for _ in range(SWEEPS):
        for layer in layers[1:]:
            sort(layer, up)
        for layer in reversed(layers[:-1]):
            sort(layer, down)
        transpose()
        crossings = _crossings(layers, down, pos)
        if crossings < fewest:
            best, fewest = [list(layer) for layer in layers], crossings
        if not fewest:
            break
    return best


def _isotonic(values: list[float], weights: list[float]) -> list[float]:
    """The non-decreasing sequence nearest to the values (weighted least squares), by pooling adjacent
    violators."""
    blocks: list[list[float]] = []  # mean, weight, count
    for value, weight in zip(values, weights, strict=True):
        blocks.append([value, weight, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, w2, c2 = blocks.pop()
            m1, w1, c1 = blocks.pop()
            blocks.append([(m1 * w1 + m2 * w2) / (w1 + w2), w1 + w2, c1 + c2])
    return [mean for mean, _, count in blocks for _ in range(int(count))]


def _bezier(p0, c1, c2, p1, t: float) -> tuple[float, float]:
    s = 1 - t
    return (s ** 3 * p0[0] + 3 * s * s * t * c1[0] + 3 * s * t * t * c2[0] + t ** 3 * p1[0],
            s ** 3 * p0[1] + 3 * s * s * t * c1[1] + 3 * s * t * t * c2[1] + t ** 3 * p1[1])


def _samples(segments: list[tuple]) -> list[tuple[float, float]]:
    points = [segments[0][1]]
    for seg in segments:
        if seg[0] == "C":
            points += [_bezier(*seg[1:], i / 16) for i in range(1, 17)]
        else:
            (x0, y0), (x1, y1) = seg[1], seg[2]
            n = max(1, int(math.hypot(x1 - x0, y1 - y0) / 8))
            points += [(x0 + (x1 - x0) * i / n, y0 + (y1 - y0) * i / n) for i in range(1, n + 1)]
    return points


def _curve(p0: tuple[float, float], p1: tuple[float, float], bow: float = 0.0) -> tuple:
    """A cubic from p0 to p1 leaving and arriving horizontally, its middle pushed down by about bow."""
    h = (p1[0] - p0[0]) / 2
    return ("C", p0, (p0[0] + h, p0[1] + bow), (p1[0] - h, p1[1] + bow), p1)


def _compute(process: Process) -> _Layout:
    """The layout of a process (see the module's description), in the drawing's coordinates."""
    edges = _edges(process)
    rank, found = _ranks(process, edges)
    states = {s.name: s for s in process.states}
    n_layers = max(rank.values()) + 1

    vertices: list[_Vertex] = []
    index: dict[str, int] = {}
    for i, name in enumerate(found):
        index[name] = len(vertices)
        vertices.append(_Vertex(rank[name], name, float(i),
                                w=max(NODE_MIN_W, text_width(states[name].title, TITLE_SIZE) + 2 * NODE_PAD)))
    up: dict[int, list[int]] = {i: [] for i in range(len(vertices))}
    down: dict[int, list[int]] = {i: [] for i in range(len(vertices))}
    flat = []
    for k, e in enumerate(edges):
        if e.loop:
            continue
        lo, hi = sorted((e.source, e.dest), key=lambda n: rank[n])
        if rank[lo] == rank[hi]:  # only between two terminal states: drawn beside the layer
            flat.append(e)
            continue
        e.back = rank[e.source] > rank[e.dest]
        chain = [index[lo]]
        for layer in range(rank[lo] + 1, rank[hi]):
            vertices.append(_Vertex(layer, None, vertices[index[lo]].key + 0.5 + k / 1000))
            up[len(vertices) - 1], down[len(vertices) - 1] = [], []
            chain.append(len(vertices) - 1)
        chain.append(index[hi])
        for a, b in zip(chain, chain[1:], strict=False):
            down[a].append(b)
            up[b].append(a)
        e.chain = chain

    layers: list[list[int]] = [[] for _ in range(n_layers)]
    for i, v in enumerate(vertices):
        layers[v.layer].append(i)
    for layer in layers:
        layer.sort(key=lambda i: vertices[i].key)
    layers = _order(layers, up, down)

    # sizes: a box grows with the number of edges on its busier side; a self-loop needs room above it
    for v_id, v in enumerate(vertices):
        if v.state is not None:
            v.h = max(NODE_H, (max(len(up[v_id]), len(down[v_id])) + 1) * PORT_GAP)
        v.slot = v.h
    for e in edges:
        if e.loop:
            vertices[index[e.source]].reserve = 0.75 * LOOP_RISE + 4 + e.label_size[1]
    # the labels of an edge between neighbouring layers stack in that gap beside the end that has fewer of
    # them (the edges fanning out of a busy state spread towards the other ends): that end's slot holds them
    short = [e for e in edges if len(e.chain) == 2]
    count: dict[int, int] = {}
    for e in short:
        for v_id in e.chain:
            count[v_id] = count.get(v_id, 0) + 1
    stacked: dict[tuple[int, bool], float] = {}
    for e in short:
        a, b = e.chain
        end, left = (b, True) if count[b] <= count[a] else (a, False)
        stacked[(end, left)] = stacked.get((end, left), 0.0) + e.label_size[1] + 6
    for (v_id, _), height in stacked.items():
        vertices[v_id].slot = max(vertices[v_id].slot, height)

    # vertical places: each layer as near its neighbours as spacing allows, sweeping down and up
    def gap(a: _Vertex, b: _Vertex) -> float:
        sep = SEP_NODES if a.state is not None and b.state is not None else SEP_POINT
        return a.slot / 2 + b.slot / 2 + sep + b.reserve

    def place(layer: list[int], desired: list[float]) -> None:
        offsets = [0.0]
        for a, b in zip(layer, layer[1:], strict=False):
            offsets.append(offsets[-1] + gap(vertices[a], vertices[b]))
        weights = [1.0 if vertices[v].state is not None else 2.0 for v in layer]
        fitted = _isotonic([d - o for d, o in zip(desired, offsets, strict=True)], weights)
        for v, z, o in zip(layer, fitted, offsets, strict=True):
            vertices[v].y = z + o

    for layer in layers:
        place(layer, [0.0] * len(layer))
        middle = (vertices[layer[0]].y + vertices[layer[-1]].y) / 2
        for v in layer:
            vertices[v].y -= middle

    def align(layer: list[int], *nbrs: dict[int, list[int]]) -> None:
        desired = []
        for v in layer:
            near = [vertices[u].y for n in nbrs for u in n[v]]
            desired.append(sum(near) / len(near) if near else vertices[v].y)
        place(layer, desired)

    for _ in range(ALIGNMENTS):
        for layer in layers[1:]:
            align(layer, up)
        for layer in reversed(layers[:-1]):
            align(layer, down)
    for _ in range(2):
        for layer in layers:
            align(layer, up, down)

    # horizontal places: columns as wide as their widest box, gaps that bring the drawing near its aim
    widths = [max((vertices[v].w for v in layer), default=0.0) for layer in layers]
    # and a gap at least as wide as the widest label that must sit in it, with room on either side
    gaps = [MIN_GAP] * (n_layers - 1)
    for e in short:
        i = vertices[e.chain[0]].layer
        gaps[i] = max(gaps[i], e.label_size[0] + 2 * LABEL_ROOM)
    spare = TARGET_WIDTH - 2 * MARGIN - START - sum(widths) - sum(gaps)
    for _ in gaps:  # what is left of the aim widens every gap alike, up to MAX_GAP
        grow = [i for i, g in enumerate(gaps) if g < MAX_GAP]
        if spare < 1 or not grow:
            break
        step = min(spare / len(grow), *(MAX_GAP - gaps[i] for i in grow))
        for i in grow:
            gaps[i] += step
        spare -= step * len(grow)
    lefts = [0.0]
    for w, g in zip(widths, gaps, strict=False):
        lefts.append(lefts[-1] + w + g)

    def box(v_id: int) -> _Box:
        v = vertices[v_id]
        cx = lefts[v.layer] + widths[v.layer] / 2
        return _Box(cx - v.w / 2, v.y - v.h / 2, v.w, v.h)

    # ports: the edges on a side of a box, in the order of the points they lead to; a back edge below its
    # forward counterpart at both ends, so the two never cross
    port: dict[tuple[int, int, str], float] = {}
    ends: dict[tuple[int, str], list[tuple[float, bool, int]]] = {}
    for k, e in enumerate(edges):
        for a, b in zip(e.chain, e.chain[1:], strict=False):
            ends.setdefault((a, "R"), []).append((vertices[b].y, e.back, k))
            ends.setdefault((b, "L"), []).append((vertices[a].y, e.back, k))
    for (v_id, side), on_side in ends.items():
        on_side.sort()
        for j, (_, _, k) in enumerate(on_side):
            port[(v_id, k, side)] = vertices[v_id].y + (j - (len(on_side) - 1) / 2) * PORT_GAP

    for k, e in enumerate(edges):
        if e.loop:
            b = box(index[e.source])
            cx, top = b.x + b.w / 2, b.y
            e.segments = [("C", (cx + 7, top), (cx + 7 + 20, top - LOOP_RISE), (cx - 7 - 20, top - LOOP_RISE),
                           (cx - 7, top))]
            w, h = e.label_size
            e.label = _Box(cx - w / 2, top - 0.75 * LOOP_RISE - 3 - h, w, h)
            continue
        if not e.chain:
            continue
        lo, hi = e.chain[0], e.chain[-1]
        points = [(box(lo).x + box(lo).w, port[(lo, k, "R")])]
        for v_id in e.chain[1:-1]:
            layer = vertices[v_id].layer
            points += [(lefts[layer], vertices[v_id].y), (lefts[layer] + widths[layer], vertices[v_id].y)]
        points.append((box(hi).x, port[(hi, k, "L")]))
        if e.back:
            points.reverse()
        bow = 0.0
        if len(e.chain) == 2:
            partner = next((o for o in edges if o.source == e.dest and o.dest == e.source and o.chain), None)
            if e.back or (partner is not None and partner.back):
                heights = e.label_size[1] + (partner.label_size[1] if partner else e.label_size[1])
                bow = max(10.0, (heights / 2 + 8 - PORT_GAP) / 1.5) * (1 if e.back else -1)
        segments = []
        for i, (p, q) in enumerate(zip(points, points[1:], strict=False)):
            through = i % 2 == 1  # the straight passage through a layer between two gaps
            segments.append(("L", p, q) if through else _curve(p, q, bow))
        e.segments = segments
    for e in flat:
        a, b = box(index[e.source]), box(index[e.dest])
        p, q = (a.x + a.w, a.y + a.h / 2), (b.x + b.w, b.y + b.h / 2)
        e.segments = [("C", p, (p[0] + 40, p[1]), (q[0] + 40, q[1]), q)]

    # arrow heads: each path stops short of the box by the head's length, along its last tangent; no label
    # may cover a head
    heads = []
    for e in edges:
        kind, *pts = e.segments[-1]
        end, before = pts[-1], pts[-2]
        length = math.hypot(end[0] - before[0], end[1] - before[1]) or 1.0
        pts[-1] = (end[0] - ARROW * (end[0] - before[0]) / length, end[1] - ARROW * (end[1] - before[1]) / length)
        e.segments[-1] = (kind, *pts)
        heads.append(_Box(min(end[0], pts[-1][0]) - 4, min(end[1], pts[-1][1]) - 4,
                          abs(end[0] - pts[-1][0]) + 8, abs(end[1] - pts[-1][1]) + 8))

    # a label prefers the end of its edge where fewer edges meet: there they have spread apart
    for e in edges:
        if e.chain:
            lo, hi = e.chain[0], e.chain[-1]
            crowd_lo, crowd_hi = len(down[lo]), len(up[hi])
            if e.back:
                crowd_lo, crowd_hi = crowd_hi, crowd_lo
            e.prefer = 0.5 if crowd_lo == crowd_hi else 0.65 if crowd_lo > crowd_hi else 0.35
    nodes = {vertices[i].state: box(i) for i in index.values()}
    _place_labels(edges, [*nodes.values(), *heads])

    # everything shifted to the margin; the legend below
    init = nodes[process.initial]
    start = (init.x - START + 6, init.y + init.h / 2)
    xs = [init.x - START, *(b.x for b in nodes.values())]
    ys = [*(b.y for b in nodes.values())]
    xe = [*(b.x + b.w for b in nodes.values())]
    ye = [*(b.y + b.h for b in nodes.values())]
    for e in edges:
        for seg in e.segments:
            xs += [p[0] for p in seg[1:]]
            xe += [p[0] for p in seg[1:]]
            ys += [p[1] for p in seg[1:]]
            ye += [p[1] for p in seg[1:]]
        xs.append(e.label.x)
        ys.append(e.label.y)
        xe.append(e.label.x + e.label.w)
        ye.append(e.label.y + e.label.h)
    dx, dy = MARGIN - min(xs), MARGIN - min(ys)

    def moved(p: tuple[float, float]) -> tuple[float, float]:
        return (p[0] + dx, p[1] + dy)

    def moved_box(b: _Box) -> _Box:
        return _Box(b.x + dx, b.y + dy, b.w, b.h)

    legend_y = max(ye) + dy + 12
    drawn = tuple(_DrawnEdge(e.source, e.dest, tuple(e.triggers), tuple(e.titles), tuple(e.lines), e.back, e.loop,
                             _path(e.segments, moved), moved_box(e.label)) for e in edges)
    return _Layout(process=process, width=max(max(xe) + dx + MARGIN, _LEGEND_WIDTH + 2 * MARGIN),
                   height=legend_y + 20 + MARGIN,
                   nodes={name: _Node(name, states[name].title, states[name].terminal, name == process.initial,
                                      moved_box(b)) for name, b in nodes.items()},
                   edges=drawn, start=(*moved(start), init.x + dx), legend_y=legend_y)


def _place_labels(edges: list[_Edge], obstacles: list[_Box]) -> None:
    """Put each label on its edge, or just beside it, where it covers no box, arrow head or other label,
    crossing as few other edges as it can, as near the place its edge prefers as that allows. Short edges
    choose first (long ones have room); then each label in turn moves to its best place given all the
    others, a few rounds."""
    grid: dict[tuple[int, int], list[tuple[float, float, int]]] = {}  # the edges' sampled points by cell
    samples, lengths = {}, {}
    for k, e in enumerate(edges):
        pts = samples[k] = _samples(e.segments)
        acc = lengths[k] = [0.0]
        for (x0, y0), (x1, y1) in zip(pts, pts[1:], strict=False):
            acc.append(acc[-1] + math.hypot(x1 - x0, y1 - y0))
        for x, y in pts:
            grid.setdefault((int(x // 32), int(y // 32)), []).append((x, y, k))

    def crossed(box: _Box, own: int) -> int:
        return sum(1 for cx in range(int(box.x // 32), int((box.x + box.w) // 32) + 1)
                   for cy in range(int(box.y // 32), int((box.y + box.h) // 32) + 1)
                   for x, y, k in grid.get((cx, cy), ()) if k != own and box.holds(x, y))

    fractions = [0.08 + j / 50 for j in range(43)]
    shifts = ((0, 0), (0, -1), (0, 1), (-1, 0), (1, 0))  # on the edge, or just beside it
    candidates: dict[int, list[tuple[float, _Box]]] = {}  # each place with what it costs whatever the others do
    for k, e in enumerate(edges):
        if e.label is not None:  # a self-loop's, fixed above it
            continue
        pts, acc = samples[k], lengths[k]
        w, h = e.label_size
        options = []
        for f, (sx, sy) in itertools.product(fractions, shifts):
            x, y = pts[next(i for i, a in enumerate(acc) if a >= f * acc[-1])]
            box = _Box(x - w / 2 + sx * (w / 2 + 2), y - h / 2 + sy * (h / 2 + 2), w, h)
            cost = 60 * abs(f - e.prefer) + 25 * (abs(sx) + abs(sy))
            cost += 1000 * sum(1 for b in obstacles if box.overlaps(b, 3)) + 10 * crossed(box, k)
            options.append((cost, box))
        options.sort(key=lambda option: option[0])
        candidates[k] = options

    placed = {k: e.label for k, e in enumerate(edges) if e.label is not None}

    def best_place(k: int) -> _Box:
        best, best_cost = None, math.inf
        for cost, box in candidates[k]:
            if cost >= best_cost:
                break  # sorted: no later place can do better
            cost += 1000 * sum(1 for j, b in placed.items() if j != k and box.overlaps(b, 2))
            if cost < best_cost:
                best, best_cost = box, cost
        return best

    order = sorted(candidates, key=lambda k: lengths[k][-1])
    for _ in range(4):
        for k in order:
            placed[k] = best_place(k)
    for k in order:
        edges[k].label = placed[k]


def _n(value: float) -> str:
    return f"{round(value, 1) + 0.0:g}"


def _path(segments: list[tuple], moved) -> str:
    parts = ["M{},{}".format(*map(_n, moved(segments[0][1])))]
    for kind, *pts in segments:
        parts.append(kind + " ".join("{},{}".format(*map(_n, moved(p))) for p in pts[1:]))
    return " ".join(parts)


@dataclass(frozen=True)
class _Drawing:
    """A layout rendered once in every variant a call can ask for; a call only chooses and joins."""

    layout: _Layout
    opening: str  # the <svg> start tag
    defs: str
    edges: dict[tuple[str, str], tuple[str, str]]  # (source, dest) -> (plain, on the case's path)
    start: str
    nodes: dict[str, dict[tuple[bool, bool], str]]  # state -> (visited, current) -> markup
    legend: str


def _drawing(process: Process) -> _Drawing:
    """The drawing of a process: cached when it is the registered definition, drawn afresh otherwise (a
    test's or a draft's definition)."""
    if PROCESSES.get(process.name) is process:
        drawing = _cached_drawing(process.name, process.version)
        if drawing.layout.process is process:
            return drawing
    return _draw(_compute(process))


@cache
def _cached_drawing(name: str, version: int) -> _Drawing:
    return _draw(_compute(PROCESSES[name]))


_LEGEND = (("current", "当前状态"), ("visited", "已经过的状态和操作"), ("terminal", "办结状态"), ("back", "退回或返回"))
_LEGEND_WIDTH = sum(34 + text_width(text, LABEL_SIZE) + 18 for _, text in _LEGEND)


def _attrs(**values) -> str:
    return "".join(f" {name.rstrip('_').replace('_', '-')}={quoteattr(str(v))}" for name, v in values.items())


def svg(process: Process, *, current: str | None = None, path: Sequence[str] = ()) -> str:
    """The process as inline SVG for a case page: ``current`` (the case's state) strongly highlighted,
    the states of ``path`` (those the case has been in, in order) and the edges between consecutive ones
    marked ``visited``. Valid XML without scripts or external references; scales with CSS
    (``max-width: 100%``). A state the process does not have is a ValueError."""
    drawing = _drawing(process)
    nodes = drawing.layout.nodes
    for name in [*([current] if current is not None else []), *path]:
        if name not in nodes:
            raise ValueError(f"{process.name} has no state {name!r}; states: {', '.join(nodes)}")
    visited = set(path)
    walked = set(zip(path, path[1:], strict=False))
    titles = {name: node.title for name, node in nodes.items()}

    heading = f"流程图：{process.title}" + (f"，当前状态：{titles[current]}" if current else "")
    steps = [titles[name] for name in path]
    if current is not None and current in path:
        steps[len(path) - 1 - list(reversed(path)).index(current)] += "（当前）"
    terminal = "、".join(n.title for n in nodes.values() if n.terminal)
    description = (f"{process.title}共有{len(nodes)}个状态，从左到右按办理先后排列，"
                   f"起始状态为“{titles[process.initial]}”" + (f"，办结状态为{terminal}" if terminal else "") + "。")
    if steps:
        description += "办理经过：" + " → ".join(steps) + "。"
    if current is not None and current not in path:
        description += f"当前状态：{titles[current]}（当前）。"

    prefix = f"wfd-{process.name}"
    return "\n".join([
        drawing.opening,
        f"<title{_attrs(id=f'{prefix}-title')}>{escape(heading)}</title>",
        f"<desc{_attrs(id=f'{prefix}-desc')}>{escape(description)}</desc>",
        drawing.defs,
        '<g class="edges">',
        *(plain for pair, (plain, _) in drawing.edges.items() if pair not in walked),
        *(on_path for pair, (_, on_path) in drawing.edges.items() if pair in walked),  # the case's path on top
        "</g>",
        drawing.start,
        '<g class="states">',
        *(variants[(name in visited, name == current)] for name, variants in drawing.nodes.items()),
        "</g>",
        drawing.legend,
        "</svg>"])


def _draw(layout: _Layout) -> _Drawing:
    process = layout.process
    prefix = f"wfd-{process.name}"
    titles = {name: node.title for name, node in layout.nodes.items()}
    w, h = layout.width, layout.height
    opening = ('<svg xmlns="http://www.w3.org/2000/svg"'
               + _attrs(class_="process-diagram", width=_n(w), height=_n(h), viewBox=f"0 0 {_n(w)} {_n(h)}",
                        role="img", aria_labelledby=f"{prefix}-title {prefix}-desc", font_family=FONT,
                        style="max-width:100%;height:auto", data_process=process.name,
                        data_version=process.version)
               + ">")
    defs = ["<defs>"]
    for suffix, colour in (("", LINE), ("-visited", VISITED_STROKE)):
        defs.append(f"<marker{_attrs(id=f'{prefix}-arrow{suffix}')} viewBox=\"0 0 10 8\" refX=\"1\" refY=\"4\" "
                    f"markerWidth=\"10\" markerHeight=\"8\" markerUnits=\"userSpaceOnUse\" orient=\"auto\">"
                    f"<path d=\"M0,0 L10,4 L0,8 z\"{_attrs(fill=colour)}/></marker>")
    defs.append("</defs>")

    def edge(e: _DrawnEdge, on_path: bool) -> str:
        classes = " ".join(["edge", *(["back"] if e.back else []), *(["loop"] if e.loop else []),
                            *(["visited"] if on_path else [])])
        stroke, width, ink = (VISITED_STROKE, 2.5, VISITED_INK) if on_path else (LINE, 1.3, MUTED)
        out = [f"<g{_attrs(class_=classes, data_trigger=' '.join(e.triggers), data_from=e.source, data_to=e.dest)}>"
               f"<title>{escape(titles[e.source])} → {escape(titles[e.dest])}：{escape('／'.join(e.titles))}</title>"
               f"<path{_attrs(d=e.d, fill='none', stroke=stroke, stroke_width=width)}"
               + (' stroke-dasharray="6 4"' if e.back else "")
               + f"{_attrs(marker_end=f'url(#{prefix}-arrow' + ('-visited' if on_path else '') + ')')}/>"]
        b = e.label
        out.append(f"<rect{_attrs(x=_n(b.x), y=_n(b.y), width=_n(b.w), height=_n(b.h), rx=3, fill='#ffffff')}"
                   ' fill-opacity="0.9"/>')
        for i, line in enumerate(e.lines):
            baseline = b.y + 1.5 + LABEL_LINE * (i + 0.5) + 0.36 * LABEL_SIZE
            out.append(f"<text{_attrs(x=_n(b.x + b.w / 2), y=_n(baseline), font_size=LABEL_SIZE, fill=ink)}"
                       ' text-anchor="middle"' + (' font-weight="bold"' if on_path else "") + f">{escape(line)}</text>")
        out.append("</g>")
        return "".join(out)

    def node(n: _Node, was_visited: bool, is_current: bool) -> str:
        classes = " ".join(["state", *(["initial"] if n.initial else []), *(["terminal"] if n.terminal else []),
                            *(["visited"] if was_visited else []), *(["current"] if is_current else [])])
        if is_current:
            fill, stroke, width, ink = CURRENT_FILL, CURRENT_STROKE, 3, CURRENT_INK
        elif was_visited:
            fill, stroke, width, ink = VISITED_FILL, VISITED_STROKE, 1.6, VISITED_INK
        else:
            fill, stroke, width, ink = "#ffffff", LINE, 1.3, INK
        note = "（当前状态）" if is_current else "（已经过）" if was_visited else ""
        b = n.box
        out = [f"<g{_attrs(class_=classes, data_state=n.name)}>"
               f"<title>{escape(n.title + note + ('，办结状态' if n.terminal else ''))}</title>"
               f"<rect{_attrs(x=_n(b.x), y=_n(b.y), width=_n(b.w), height=_n(b.h), rx=8, fill=fill)}"
               f"{_attrs(stroke=stroke, stroke_width=width)}/>"]
        if n.terminal:  # a double border
            out.append(f"<rect{_attrs(x=_n(b.x + 3.5), y=_n(b.y + 3.5), width=_n(b.w - 7), height=_n(b.h - 7), rx=5)}"
                       f"{_attrs(fill='none', stroke=ink if is_current else stroke, stroke_width=1)}/>")
        out.append(f"<text{_attrs(x=_n(b.x + b.w / 2), y=_n(b.y + b.h / 2 + 0.36 * TITLE_SIZE))}"
                   f"{_attrs(font_size=TITLE_SIZE, fill=ink)} text-anchor=\"middle\""
                   + (' font-weight="bold"' if is_current else "") + f">{escape(n.title)}</text></g>")
        return "".join(out)

    sx, sy, tip = layout.start
    start = (f'<g class="start"><circle{_attrs(cx=_n(sx), cy=_n(sy), r=5, fill=INK)}/>'
             f"<path{_attrs(d=f'M{_n(sx + 5)},{_n(sy)} L{_n(tip - ARROW)},{_n(sy)}', stroke=LINE, stroke_width=1.3)}"
             f"{_attrs(marker_end=f'url(#{prefix}-arrow)')}/></g>")
    return _Drawing(
        layout=layout, opening=opening, defs="".join(defs),
        edges={(e.source, e.dest): (edge(e, False), edge(e, True)) for e in layout.edges},
        start=start,
        nodes={name: {(v, c): node(n, v, c) for v in (False, True) for c in (False, True)}
               for name, n in layout.nodes.items()},
        legend=_legend(layout.legend_y, prefix))


def _legend(y: float, prefix: str) -> str:
    """What the styles mean, in words: no colour carries a meaning of its own."""
    out, x = ['<g class="legend">'], MARGIN
    for kind, text in _LEGEND:
        if kind == "current":
            out.append(f"<rect{_attrs(x=x, y=_n(y + 2), width=28, height=16, rx=4, fill=CURRENT_FILL)}"
                       f"{_attrs(stroke=CURRENT_STROKE, stroke_width=3)}/>")
        elif kind == "visited":
            out.append(f"<rect{_attrs(x=x, y=_n(y + 2), width=28, height=16, rx=4, fill=VISITED_FILL)}"
                       f"{_attrs(stroke=VISITED_STROKE, stroke_width=1.6)}/>")
        elif kind == "terminal":
            out.append(f"<rect{_attrs(x=x, y=_n(y + 2), width=28, height=16, rx=4, fill='#ffffff')}"
                       f"{_attrs(stroke=LINE, stroke_width=1.3)}/>"
                       f"<rect{_attrs(x=x + 3, y=_n(y + 5), width=22, height=10, rx=2, fill='none')}"
                       f"{_attrs(stroke=LINE, stroke_width=1)}/>")
        else:
            out.append(f"<path{_attrs(d=f'M{x},{_n(y + 10)} L{x + 28 - ARROW},{_n(y + 10)}', stroke=LINE)}"
                       f'{_attrs(stroke_width=1.3)} stroke-dasharray="6 4"'
                       f"{_attrs(marker_end=f'url(#{prefix}-arrow)')}/>")
        out.append(f"<text{_attrs(x=x + 34, y=_n(y + 10 + 0.36 * LABEL_SIZE), font_size=LABEL_SIZE, fill=INK)}>"
                   f"{escape(text)}</text>")
        x += 34 + text_width(text, LABEL_SIZE) + 18
    out.append("</g>")
    return "".join(out)
