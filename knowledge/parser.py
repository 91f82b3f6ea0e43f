"""Parse the plain-text article format into an `Article`.

The format: a ``= Title =`` line, ``==Section==`` headings (down to ``====X====``), an
``Infobox`` block of ``- Key: Value`` lines, paragraphs, and pipe tables with a header row.
Real files are messy, so the parser tolerates CRLF, a BOM, trailing spaces, headings such as
``== X==``, tables with no blank line before them, rows without a trailing pipe, escaped
``\\|`` inside cells and HTML entities. Anything it cannot make sense of raises
`ArticleParseError`, which names the file and the line.
"""

from __future__ import annotations

import codecs
import html
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

# Every pattern here runs in linear time: the text between the markers is one lazy or
# greedy group with nothing around it that can match the same characters (white space is
# trimmed by `clean` afterwards), so a line of 5,000 spaces cannot make them backtrack.
TITLE_RE = re.compile(r"^=([^=].*)=$")
HEADING_RE = re.compile(r"^(={2,6})(.*?)(={1,6})$")
INFOBOX_RE = re.compile(r"^infobox\b\s*:?\s*(.*)$", re.IGNORECASE)
LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")
CELL_SPLIT_RE = re.compile(r"(?<!\\)\|")
SEPARATOR_ROW_RE = re.compile(r"^[\s|:\-+=]+$")
MAX_TABLE_COLUMNS = 64
# Infobox keys that give the article's own link instead of a fact: `- URL: https://…`
LINK_KEYS = frozenset({"url", "source", "link", "website"})
LINK_RE = re.compile(r"^https?://\S+$", re.IGNORECASE)
# An article bigger than this is refused (the longest Wikipedia articles are under 1 MB
# of text); QABOT_MAX_ARTICLE_BYTES or `qabot ingest --max-bytes` change it.
MAX_ARTICLE_BYTES = 8 * 1024 * 1024
MAX_BYTES_ENV = "QABOT_MAX_ARTICLE_BYTES"
# Terminal escape sequences (colours, cursor moves, window titles) and the other control
# characters: an article's text must not drive the terminal that shows an answer.
ESCAPE_RE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b\n]*(?:\x07|\x1b\\)?)")
CONTROLS = {c: None for c in [*range(0x20), *range(0x7F, 0xA0)] if chr(c) not in "\t\n\r"}
CONTROLS |= {0x0B: " ", 0x0C: " "}  # vertical tab and form feed separate words


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


def strip_controls(text: str) -> str:
    """Drop terminal escape sequences and control characters; keep tabs and line breaks."""
    return ESCAPE_RE.sub("", text).translate(CONTROLS)


# UTF-32 first: its little-endian BOM begins with UTF-16's.
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode(data: bytes, source: str) -> str:
    """Bytes to text: UTF-8 with or without a BOM, or UTF-16/32 with a BOM; control
    characters are dropped. Anything else is a parse error."""
    encoding = next((name for bom, name in BOMS if data.startswith(bom)), None)
    if encoding is None and b"\x00" in data:
        raise ArticleParseError(source, 1, "this is a binary file, not a text article")
    try:
        text = data.decode(encoding or "utf-8-sig")
    except UnicodeDecodeError as exc:
        if encoding:
            problem = f"the file is not valid {encoding.upper()} text"
            raise ArticleParseError(source, 1, problem) from None
        line = data[: exc.start].count(b"\n") + 1
        raise ArticleParseError(source, line, "the file is not valid UTF-8 text") from None
    if "\x00" in text:
        raise ArticleParseError(source, 1, "this is a binary file, not a text article")
    return strip_controls(text)


def max_article_bytes() -> int:
    """The size limit of one article: $QABOT_MAX_ARTICLE_BYTES, else MAX_ARTICLE_BYTES."""
    value = os.environ.get(MAX_BYTES_ENV, "").strip()
    if not value:
        return MAX_ARTICLE_BYTES
    if not value.isdigit() or int(value) <= 0:
        raise ValueError(f"{MAX_BYTES_ENV} must be a positive number of bytes, not {value!r}")
    return int(value)


def read_article(path: str | Path, max_bytes: int | None = None) -> bytes:
    """The bytes of an article file, refusing one bigger than `max_bytes` (reads at most
    one byte more, so /dev/zero or a huge file costs nothing)."""
    limit = max_bytes if max_bytes is not None else max_article_bytes()
    try:
        with open(path, "rb") as file:
            data = file.read(limit + 1)
    except OSError as exc:
        raise ArticleParseError(str(path), 0, f"cannot read the file ({exc.strerror})") from None
    if len(data) > limit:
        raise ArticleParseError(
            str(path),
            0,
            f"the file is bigger than {limit:,} bytes; raise the limit with --max-bytes "
            f"or {MAX_BYTES_ENV} if it really is one article",
        )
    return data


def parse_file(path: str | Path, max_bytes: int | None = None) -> Article:
    """Parse an article file. Raises ArticleParseError (also for unreadable or too big
    files)."""
    return parse_text(decode(read_article(path, max_bytes), str(path)), source=str(path))


def parse_text(text: str, source: str = "<text>") -> Article:
    """Parse article text (already decoded)."""
    # Only CR, LF and CRLF end a line, as in an editor (str.splitlines also splits on
    # form feeds and other separators, which would shift the line numbers in errors).
    lines = LINE_BREAK_RE.split(strip_controls(text.lstrip("\ufeff")))
    number, title = _find_title(lines, source)
    article = Article(title=title, source=source)
    section: tuple[str, ...] = ()
    paragraph: list[str] = []
    paragraph_line = 0
    table: Table | None = None
    in_infobox = False
    known_sections: set[tuple[str, ...]] = set()

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
            if section not in known_sections:
                known_sections.add(section)
                article.sections.append(section)
            continue
        infobox = INFOBOX_RE.match(line)
        if infobox and not paragraph and not infobox.group(1):
            flush()
            in_infobox = True
            continue
        item = _infobox_item(line) if in_infobox else None
        if item:
            key, value = item
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


def _infobox_item(line: str) -> tuple[str, str] | None:
    """('Key', 'Value') of a `- Key: Value` line, else None (a split, not a regex: a
    backtracking pattern is quadratic on a long line of spaces)."""
    if line[:1] not in ("-", "*"):
        return None
    key, colon, value = line[1:].partition(":")
    if not colon or not key:
        return None
    return clean(key), clean(value)


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
