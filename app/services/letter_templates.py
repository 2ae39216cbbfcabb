"""Letter templates as a legal officer keeps them: .docx files that hold the wording, looked up first in the
agency's own folder and then in templates_docx/, each checked when it is loaded (every placeholder known,
every required element present, the Jinja tags well formed) and refused with the place and the reason when
it is not; shared clauses (``_<name>.docx``, used as ``{{p clause_<name> }}``) rendered with the same values
and inserted whole; and the table of legal provisions (articles.yaml) the letters cite."""
from __future__ import annotations

import html
import io
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from docx import Document as open_docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docxtpl import DocxTemplate
from jinja2 import Environment, TemplateSyntaxError, meta

from workflow.engine import LetterKind
from workflow.errors import WorkflowError
from workflow.letters import COMMON_REQUIRED, COMMON_VARIABLES, FORM_REQUIRED

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "templates_docx"
ARTICLES = "articles.yaml"
CLAUSE_PREFIX = "clause_"
# Values of the layout rather than of the letter: the agency's letterhead ("title" or "red"), printed by
# the first-page header of every template (templates_docx/scaffold.py).
LAYOUT_VARIABLES = ("letterhead",)
LETTERHEADS = ("title", "red")

log = logging.getLogger(__name__)


class TemplateRejected(WorkflowError):
    """A template that cannot be used: no letter is issued from it."""

    code = "template_invalid"


@dataclass(frozen=True)
class Template:
    """A checked template: where it came from, its bytes, the values and clauses it uses."""

    name: str
    path: Path
    content: bytes
    variables: frozenset[str]

    @property
    def clauses(self) -> tuple[str, ...]:
        return tuple(sorted(v[len(CLAUSE_PREFIX):] for v in self.variables if v.startswith(CLAUSE_PREFIX)))


def folders(agency: dict) -> list[Path]:
    """Where an agency's templates are looked up: its own folder (``templates_dir``) first."""
    own = (agency.get("templates_dir") or "").strip()
    return ([Path(own)] if own else []) + [DEFAULT_DIR]


def locate(agency: dict, name: str) -> Path:
    for folder in folders(agency):
        if (folder / name).is_file():
            return folder / name
    raise TemplateRejected(f"找不到文书模板 {name}", template=name, problems=[f"模板文件 {name} 不存在"])


_READ: dict[tuple, tuple[bytes, set[str] | None, list[str]]] = {}


def _read(path: Path, allowed: set[str]) -> tuple[bytes, set[str] | None, list[str]]:
    """A template file's bytes, variables and own problems, read again only when the file changes."""
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size, frozenset(allowed))
    if key not in _READ:
        content = path.read_bytes()
        _READ[key] = (content, *inspect(content, allowed=allowed))
    return _READ[key]


def load(agency: dict, name: str, *, allowed: set[str], required: set[str]) -> Template:
    """The checked template ``name`` for an agency, with the clauses it includes checked too (each looked
    up in the agency's folder first). Raises TemplateRejected naming each problem."""
    path = locate(agency, name)
    content, variables, problems = _read(path, allowed)
    problems = list(problems)
    if variables is not None:  # the tags parsed: check the clauses and the required elements
        printed = set(variables)
        for clause in sorted(v for v in variables if v.startswith(CLAUSE_PREFIX)):
            clause_name = f"_{clause[len(CLAUSE_PREFIX):]}.docx"
            try:
                printed |= load(agency, clause_name, allowed=allowed, required=set()).variables
            except TemplateRejected as exc:
                problems += [f"{clause_name}：{p}" for p in exc.details.get("problems", [exc.message])]
        problems += [f"缺少必备内容：{{{{ {m} }}}}" for m in sorted(required - printed)]
    if problems:
        log.error("letter template %s refused: %s", path, "; ".join(problems))
        raise TemplateRejected(f"文书模板 {name} 有误，不予出具：" + "；".join(problems), template=name,
                               path=str(path), problems=problems)
    return Template(name, path, content, frozenset(variables))


def inspect(content: bytes, *, allowed: set[str]) -> tuple[set[str] | None, list[str]]:
    """The variables a template uses (None when its tags do not parse) and its problems: not a .docx, a
    malformed tag (with the paragraph it is in) or a placeholder no letter provides."""
    try:
        template = DocxTemplate(io.BytesIO(content))
        document = open_docx(io.BytesIO(content))
    except Exception as exc:  # not a .docx at all (zip or XML error): say so rather than fail later
        return None, [f"不是有效的 .docx 文件（{type(exc).__name__}）"]
    unbalanced = _unbalanced_paragraphs(document)
    if unbalanced:
        return None, unbalanced
    # The body's placeholders are what the letter prints (the required elements are looked for there);
    # the headers' and footers' (the letterhead, the page number) are checked as well, but print no element
    # of the letter.
    parts = [document._element.body] + [rel.target_part.element for rel in document.part.rels.values()
                                        if rel.reltype in (RT.HEADER, RT.FOOTER)]
    variables, problems = set(), []
    for number, part in enumerate(parts):
        xml = template.patch_xml(template.xml_to_string(part))
        # One paragraph a line, so a syntax error's line number points at a paragraph.
        lines = re.sub(r"(<w:p[ >])", r"\n\1", xml).split("\n")
        try:
            parsed = Environment(autoescape=True).parse("\n".join(lines))
        except TemplateSyntaxError as exc:
            where = "" if number == 0 else "页眉或页脚"
            return None, [f"{where}第 {exc.lineno} 段附近（“{_text(lines, exc.lineno)}”）：{exc.message}"]
        found = set(meta.find_undeclared_variables(parsed))
        unknown = sorted(v for v in found - allowed if not v.startswith(CLAUSE_PREFIX))
        problems += [f"未知的占位符 {{{{ {v} }}}}（在“{_text(lines, _line_of(lines, v))}”）" for v in unknown]
        if number == 0:
            variables = found
    return variables, problems


def _unbalanced_paragraphs(document) -> list[str]:
    """A tag must open and close in one paragraph (README.md): name each paragraph where it does not."""
    paragraphs = list(document.paragraphs)
    paragraphs += [p for table in document.tables for row in table.rows for cell in row.cells for p in cell.paragraphs]
    problems = []
    for number, paragraph in enumerate(paragraphs, 1):
        text = paragraph.text
        for opening, closing in (("{{", "}}"), ("{%", "%}"), ("{#", "#}")):
            if text.count(opening) != text.count(closing):
                snippet = text[:60] + ("…" if len(text) > 60 else "")
                problems.append(f"第 {number} 段（“{snippet}”）：{opening} 与 {closing} 不成对，标记不完整")
                break
    return problems


def _line_of(lines: list[str], name: str) -> int:
    pattern = re.compile(rf"(\{{\{{|\{{%)[^}}%]*\b{re.escape(name)}\b")
    return next((i for i, line in enumerate(lines, 1) if pattern.search(line)), 1)


def _text(lines: list[str], lineno: int | None) -> str:
    line = lines[(lineno or 1) - 1] if lines else ""
    text = html.unescape(re.sub(r"<[^>]+>", "", line)).strip()
    return text[:60] + ("…" if len(text) > 60 else "")


# -- rendering -------------------------------------------------------------------------------------
def variables_of(letter: LetterKind) -> set[str]:
    """The values a letter kind's template may print: the common ones and its builder's own."""
    return set(COMMON_VARIABLES) | set(letter.variables) | set(LAYOUT_VARIABLES)


def required_of(letter: LetterKind) -> set[str]:
    """What a letter kind's template must print: the common elements (but the addressee line, for a record
    laid out as a form) and the kind's own."""
    return set(FORM_REQUIRED if letter.form else COMMON_REQUIRED) | set(letter.required)


def template_for(agency: dict, letter: LetterKind) -> Template:
    return load(agency, letter.template, allowed=variables_of(letter), required=required_of(letter))


def render(agency: dict, letter: LetterKind, context: dict) -> bytes:
    """Render a letter: its clauses first (same values), then the letter with them inserted. Text is
    escaped (autoescape), so a name with & or < prints as typed."""
    template = template_for(agency, letter)
    document = DocxTemplate(io.BytesIO(template.content))
    context = {**context, "letterhead": letterhead(agency)}
    values = dict(context)
    for clause in template.clauses:
        clause_template = load(agency, f"_{clause}.docx", allowed=variables_of(letter), required=set())
        values[CLAUSE_PREFIX + clause] = document.new_subdoc(io.BytesIO(_render_bytes(clause_template.content,
                                                                                        context)))
    document.render(values, autoescape=True)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def letterhead(agency: dict) -> str:
    """The agency's letterhead: "title" (the default: its name printed in the signature only) or "red"
    (信函格式: its name in red over the red double line, at the top of the first page)."""
    value = agency.get("letterhead") or "title"
    if value not in LETTERHEADS:
        raise TemplateRejected(f"机关配置 letterhead 应为 {' 或 '.join(LETTERHEADS)}，而不是 {value!r}",
                               template="", problems=[f"letterhead: {value!r}"])
    return value


def _render_bytes(content: bytes, context: dict) -> bytes:
    document = DocxTemplate(io.BytesIO(content))
    document.render(context, autoescape=True)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# -- the table of legal provisions -----------------------------------------------------------------
_ARTICLES: dict[tuple, dict] = {}


def article_table(agency: dict) -> dict:
    """articles.yaml from the agency's folder, else the default one; re-read when the file changes. An
    agency's copy must hold every entry of the shipped table (its words may differ): one that lacks an entry
    a letter cites is refused, naming the entry."""
    path = locate(agency, ARTICLES)
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    table = _ARTICLES.get(key)
    if table is None:
        try:
            table = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise TemplateRejected(f"法律依据表 {path.name} 格式有误：{exc}", template=ARTICLES,
                                   problems=[str(exc)]) from None
        if path != DEFAULT_DIR / ARTICLES:
            missing = _missing_entries(article_table({}), table if isinstance(table, dict) else {})
            if missing:
                problems = [f"缺少条目 {entry}" for entry in missing]
                raise TemplateRejected(f"法律依据表 {path} 有误：" + "；".join(problems), template=ARTICLES,
                                       path=str(path), problems=problems)
        _ARTICLES[key] = table
    return table


def _missing_entries(shipped: dict, given: dict, prefix: str = "") -> list[str]:
    """The keys of the shipped table (at any depth) that a copy lacks, as dotted paths."""
    missing = []
    for name, value in shipped.items():
        path = f"{prefix}{name}"
        if name not in given:
            missing.append(path)
        elif isinstance(value, dict):
            missing += _missing_entries(value, given[name] if isinstance(given[name], dict) else {}, path + ".")
    return missing


def check_all(agency: dict, letters: list[LetterKind]) -> dict[str, list[str]]:
    """Every template the letters use, checked for an agency: name -> problems (empty when usable)."""
    report = {}
    try:
        article_table(agency)
        report[ARTICLES] = []
    except TemplateRejected as exc:
        report[ARTICLES] = list(exc.details.get("problems", [exc.message]))
    for letter in letters:
        try:
            template_for(agency, letter)
            report[letter.template] = []
        except TemplateRejected as exc:
            report[letter.template] = list(exc.details.get("problems", [exc.message]))
    return report
