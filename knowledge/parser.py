"""Parse the plain-text article format into an `Article`.

The format: a ``= Title =`` line, ``==Section==`` headings (down to ``====X====``), an
``Infobox`` block of ``- Key: Value`` lines, paragraphs, and pipe tables with a header row.
Real files are messy, so the parser tolerates CRLF, a BOM, trailing spaces, headings such as
``== X==``, tables with no blank line before them, rows without a trailing pipe, escaped
``\\|`` inside cells and HTML entities. Anything it cannot make sense of raises
`ArticleParseError`, which names the file and the line.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

TITLE_RE = re.compile(r"^=\s*([^=].*?)\s*=$")
HEADING_RE = re.compile(r"^(={2,6})\s*(.*?)\s*(={1,6})$")
INFOBOX_RE = re.compile(r"^infobox\b\s*:?\s*(.*)$", re.IGNORECASE)
INFOBOX_ITEM_RE = re.compile(r"^[-*]\s*([^:]+?)\s*:\s*(.*)$")
LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")
CELL_SPLIT_RE = re.compile(r"(?<!\\)\|")
SEPARATOR_ROW_RE = re.compile(r"^[\s|:\-+=]+$")
MAX_TABLE_COLUMNS = 64
# Infobox keys that give the article's own link instead of a fact: `- URL: https://…`
LINK_KEYS = frozenset({"url", "source", "link", "website"})
LINK_RE = re.compile(r"^https?://\S+$", re.IGNORECASE)


class ArticleParseError(ValueError):
    """An article file that cannot be parsed. The message names the file and the line."""

    def __init__(self, source: str, line: int, reason: str):
        self.source, self.line, self.reason = source, line, reason
        super().__init__(f"{source}:{line}: {reason}")


@dataclass
class Table:
    """A pipe table: its header and rows (cells already unescaped)."""

    section: tuple[str, ...]
    header: list[str]
    rows: list[list[str]]
    line: int


@dataclass
class Paragraph:
    """A paragraph of running text under a section."""

    section: tuple[str, ...]
    text: str
    line: int


@dataclass
class Article:
    """A parsed article: title, infobox pairs, and its blocks in reading order."""

    title: str
    infobox: list[tuple[str, str]] = field(default_factory=list)
    blocks: list[Paragraph | Table] = field(default_factory=list)
    sections: list[tuple[str, ...]] = field(default_factory=list)
    source: str = ""
    url: str | None = None  # declared in the infobox (`URL:` or `Source:`); None: not given
    warnings: list[str] = field(default_factory=list)  # `file:line: …`, the article still loads

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]

    @property
    def paragraphs(self) -> list[Paragraph]:
        return [b for b in self.blocks if isinstance(b, Paragraph)]


def clean(text: str) -> str:
    """Unescape HTML entities and collapse white space."""
    return " ".join(html.unescape(text).split())


def split_cells(line: str) -> list[str]:
    """Split a table row on unescaped pipes; ``\\|`` stays inside its cell."""
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    return [clean(cell.replace("\\|", "|")) for cell in CELL_SPLIT_RE.split(body)]


def decode(data: bytes, source: str) -> str:
    """Bytes to text: UTF-8 with or without a BOM; anything else is a parse error."""
    if b"\x00" in data:
        raise ArticleParseError(source, 1, "this is a binary file, not a text article")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ArticleParseError(source, line, "the file is not valid UTF-8 text") from None


def parse_file(path: str | Path) -> Article:
    """Parse an article file. Raises ArticleParseError (also for unreadable files)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ArticleParseError(str(path), 0, f"cannot read the file ({exc.strerror})") from None
    return parse_text(decode(data, str(path)), source=str(path))


def parse_text(text: str, source: str = "<text>") -> Article:
    """Parse article text (already decoded)."""
    # Only CR, LF and CRLF end a line, as in an editor (str.splitlines also splits on
    # form feeds and other separators, which would shift the line numbers in errors).
    lines = LINE_BREAK_RE.split(text.lstrip("\ufeff"))
    number, title = _find_title(lines, source)
    article = Article(title=title, source=source)
    section: tuple[str, ...] = ()
    paragraph: list[str] = []
    paragraph_line = 0
    table: Table | None = None
    in_infobox = False

    def flush() -> None:
        nonlocal paragraph, table
        if paragraph:
            article.blocks.append(Paragraph(section, clean(" ".join(paragraph)), paragraph_line))
            paragraph = []
        if table is not None:
            article.blocks.append(table)
            table = None

    for index in range(number + 1, len(lines)):
        lineno = index + 1
        line = lines[index].strip()
        if not line:
            flush()
            in_infobox = False
            continue
        if line.startswith("|"):
            in_infobox = False
            if paragraph:
                flush()
            cells = split_cells(line)
            if len(cells) > MAX_TABLE_COLUMNS:
                raise ArticleParseError(source, lineno, f"a table row has {len(cells)} columns")
            if SEPARATOR_ROW_RE.match(line):
                continue
            if table is None:
                if not any(cells):
                    raise ArticleParseError(source, lineno, "a table header has no column names")
                table = Table(section, cells, [], lineno)
            elif any(cells):
                table.rows.append(_fit_row(cells, len(table.header)))
            continue
        if table is not None:
            flush()
        heading = HEADING_RE.match(line)
        if heading:
            flush()
            in_infobox = False
            name = clean(heading.group(2))
            if not name:  # the text goes on under the previous heading
                warning = f"{source}:{lineno}: skipped a section heading with no text"
                article.warnings.append(warning)
                continue
            level = len(heading.group(1))
            parent = section[: max(0, level - 2)]
            section = (*parent, name)
            if section not in article.sections:
                article.sections.append(section)
            continue
        infobox = INFOBOX_RE.match(line)
        if infobox and not paragraph and not infobox.group(1):
            flush()
            in_infobox = True
            continue
        item = INFOBOX_ITEM_RE.match(line)
        if in_infobox and item:
            key, value = clean(item.group(1)), clean(item.group(2))
            if key.casefold() in LINK_KEYS and LINK_RE.match(value):
                article.url = article.url or value
                continue
            if key and value:
                article.infobox.append((key, value))
            continue
        in_infobox = False
        if not paragraph:
            paragraph_line = lineno
        paragraph.append(line)
    flush()
    return article


def _find_title(lines: list[str], source: str) -> tuple[int, str]:
    for index, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            continue
        match = TITLE_RE.match(line)
        title = clean(match.group(1)) if match else ""
        if not title:
            raise ArticleParseError(
                source, index + 1, "expected the article title as '= Title =' on the first line"
            )
        return index, title
    raise ArticleParseError(source, 1, "the file is empty")


def _fit_row(cells: list[str], width: int) -> list[str]:
    """Pad a short row; fold the extra cells of a long row into its last column."""
    if len(cells) < width:
        return cells + [""] * (width - len(cells))
    if len(cells) > width:
        return cells[: width - 1] + [" | ".join(c for c in cells[width - 1 :] if c)]
    return cells
