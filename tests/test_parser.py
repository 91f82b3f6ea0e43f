"""The article parser: the seed, messy real-world files, the other test articles, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge import ArticleParseError, parse_file, parse_text

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "knowledge" / "data" / "algeria-russia-relations.txt"
ARTICLES = ROOT / "tests" / "data" / "articles"

SEED_SECTIONS = [
    ("Background",),
    ("Background", "Cold War Era"),
    ("Background", "Cold War Era", "Early years"),
    ("Background", "Cold War Era", "1970s"),
    ("Background", "Post Cold War"),
    ("Background", "Recent relations"),
    ("High level visits",),
    ("Economic relations",),
]


@pytest.fixture(scope="module")
def seed():
    return parse_file(SEED)


def test_seed_title(seed):
    assert seed.title == "Algeria–Russia relations"
    assert seed.source == str(SEED)


def test_seed_infobox(seed):
    assert seed.infobox == [
        ("Filetype", "svg"),
        ("Envoy2", "Boumediene Guennad"),
        ("Envoy1", "Valerian Shuvaev"),
        ("Envoytitle2", "Algerian Ambassador to Russia"),
        ("Envoytitle1", "Russian Ambassador to Algeria"),
        ("Mission2", "Embassy of Russia in Algiers, Algeria"),
        ("Mission1", "Embassy of Algeria in Moscow, Russia"),
    ]


def test_seed_sections(seed):
    assert seed.sections == SEED_SECTIONS


def test_seed_paragraph_sections(seed):
    first = seed.paragraphs[0]
    assert first.section == ()
    assert first.text.startswith("Russia has an embassy in Algiers and a consulate in Annaba")
    early_years = ("Background", "Cold War Era", "Early years")
    early = [p for p in seed.paragraphs if p.section == early_years]
    assert len(early) == 3
    assert early[0].text.startswith("Throughout the Algerian War of Independence")
    assert [p.section for p in seed.paragraphs].count(("Economic relations",)) == 4


def test_seed_visits_table(seed):
    assert len(seed.tables) == 1
    table = seed.tables[0]
    assert table.section == ("High level visits",)
    assert table.header == ["Guest", "Host", "Place of visit", "Date of visit", "Notes"]
    assert len(table.rows) == 8
    assert table.rows[0] == [
        "President Houari Boumediène",
        "Chairman Leonid Brezhnev",
        "Moscow",
        "13-18 December 1965",
        "",
    ]
    assert table.rows[2] == [
        "Chairman Nikolai Podgorny",
        "President Houari Boumediène",
        "Algiers",
        "26 March-1 April 1969",
        "",
    ]
    assert [row[3] for row in table.rows] == [
        "13-18 December 1965",
        "June–July 1967",
        "26 March-1 April 1969",
        "3-6 April 2001",
        "10 March 2006",
        "18-19 February 2008",
        "6 October 2010",
        "13 June 2023",
    ]


# -- messy input --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def messy():
    raw = (ARTICLES / "messy-example.txt").read_bytes()
    # The file really is messy: make sure the test data still exercises each case.
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in raw
    assert b"== History==" in raw
    assert b"\\|" in raw
    return parse_file(ARTICLES / "messy-example.txt")


def test_messy_title_without_bom_or_spaces(messy):
    assert messy.title == "Lanternfest of Brackwater"


def test_messy_infobox_trailing_spaces(messy):
    assert messy.infobox == [
        ("Type", "Lantern festival"),
        ("Location", "Brackwater, Norfolk"),
        ("Founded", "1952"),
        ("Founder", "Edith Marlow"),
        ("Frequency", "Annual (second Saturday of November)"),
        ("Attendance", "14,000 (2023)"),
    ]


def test_messy_headings(messy):
    assert messy.sections == [("History",), ("History", "Revival"), ("Programme",), ("Awards",)]


def test_messy_html_entities_in_paragraphs(messy):
    texts = {p.section: p.text for p in messy.paragraphs}
    assert texts[()] == (
        "The Lanternfest of Brackwater is an annual lantern festival held in the small market "
        "town of Brackwater. It is organised by the Brackwater Arts & Lantern Society and ends "
        "with a procession to the harbour."
    )
    assert texts[("History", "Revival")] == (
        "After a pause between 1974 and 1981, the festival was revived by the local brewer "
        "Tom Archer, who paid £500 towards new lanterns. The local paper called it "
        '"the brightest night in Norfolk" in 1985.'
    )
    assert texts[("Programme",)] == "The main events of the 2023 festival were:"
    assert "\r" not in "".join(texts.values())


def test_messy_table(messy):
    [table] = messy.tables
    assert table.section == ("Programme",)
    assert table.header == ["Event", "Venue", "Start time", "Ticket price"]
    assert table.rows == [
        ["Lantern workshop", "St Mary's Church Hall", "10:00", "£5"],
        ["Children's parade", "Market Square", "15:30", "Free"],
        ["Fish | chips supper", "Harbour Inn", "18:00", "£12"],
        ["Grand procession", "High Street to the harbour", "19:00", "Free"],
    ]


def test_messy_blocks_in_reading_order(messy):
    kinds = [type(b).__name__ for b in messy.blocks]
    assert kinds == ["Paragraph", "Paragraph", "Paragraph", "Paragraph", "Table", "Paragraph"]


def test_short_and_long_rows_fit_the_header():
    article = parse_text("= T =\n\n| A | B | C |\n|---|---|---|\n| 1 |\n| 1 | 2 | 3 | 4 |\n")
    assert article.tables[0].header == ["A", "B", "C"]
    assert article.tables[0].rows == [["1", "", ""], ["1", "2", "3 | 4"]]


def test_same_text_with_lf_or_crlf():
    lf = "= T =\n\n== A ==\nOne. Two.\n\n| X | Y |\n| 1 | 2 |\n"
    a, b = parse_text(lf), parse_text(lf.replace("\n", "\r\n"))
    assert (a.title, a.sections, a.blocks) == (b.title, b.sections, b.blocks)


# -- the other test articles --------------------------------------------------------------


def test_river_thames():
    article = parse_file(ARTICLES / "river-thames.txt")
    assert article.title == "River Thames"
    assert article.infobox[0] == ("Length", "346 km (215 mi)")
    assert len(article.infobox) == 8
    assert ("History", "Frost fairs") in article.sections
    [table] = article.tables
    assert table.section == ("Crossings",)
    assert table.header == ["Bridge", "Opened", "Type", "Borough"]
    assert len(table.rows) == 8
    assert table.rows[0] == [
        "Hammersmith Bridge",
        "1887",
        "Suspension bridge",
        "Hammersmith and Fulham",
    ]


def test_apollo_11():
    article = parse_file(ARTICLES / "apollo-11.txt")
    assert article.title == "Apollo 11"
    assert ("Mission", "Lunar landing", "Moonwalk") in article.sections
    crew, timeline = article.tables
    assert crew.section == ("Crew",)
    assert crew.header == ["Position", "Astronaut", "Born", "Previous flights"]
    assert crew.rows[0] == ["Commander", "Neil Armstrong", "5 August 1930", "Gemini 8"]
    assert len(crew.rows) == 3
    assert timeline.section == ("Timeline",)
    assert timeline.header == ["Event", "Date", "Time (UTC)"]
    assert timeline.rows[-1] == ["Splashdown", "24 July 1969", "16:50"]
    assert len(timeline.rows) == 6


def test_france_japan_relations():
    article = parse_file(ARTICLES / "france-japan-relations.txt")
    assert article.title == "France–Japan relations"
    assert ("History", "Bakumatsu and Meiji periods", "Japonisme") in article.sections
    [table] = article.tables
    assert table.section == ("High level visits",)
    assert table.header == ["Guest", "Host", "Place of visit", "Date of visit", "Notes"]
    assert len(table.rows) == 8
    assert table.rows[0][4] == "First state visit by a French president"


# -- broken input -------------------------------------------------------------------------


def _write(tmp_path: Path, data: bytes, name: str = "broken.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_binary_garbage(tmp_path):
    path = _write(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    with pytest.raises(ArticleParseError) as info:
        parse_file(path)
    assert str(info.value) == f"{path}:1: this is a binary file, not a text article"
    assert info.value.source == str(path)
    assert info.value.line == 1


def test_missing_title(tmp_path):
    path = _write(tmp_path, b"\n\nJust some text without a title.\n")
    with pytest.raises(ArticleParseError) as info:
        parse_file(path)
    assert str(info.value) == (
        f"{path}:3: expected the article title as '= Title =' on the first line"
    )


def test_section_heading_as_title(tmp_path):
    path = _write(tmp_path, b"== Not a title ==\nText.\n")
    with pytest.raises(ArticleParseError, match=r"broken\.txt:1: expected the article title"):
        parse_file(path)


def test_empty_file(tmp_path):
    path = _write(tmp_path, b"  \n\n")
    with pytest.raises(ArticleParseError) as info:
        parse_file(path)
    assert str(info.value) == f"{path}:1: the file is empty"


def test_heading_with_no_text_is_skipped_with_a_warning_naming_the_line(tmp_path):
    path = _write(tmp_path, b"= Title =\n\nIntro.\n\n== History ==\nText.\n\n==  ==\nMore.\n")
    article = parse_file(path)
    assert article.warnings == [f"{path}:8: skipped a section heading with no text"]
    assert article.sections == [("History",)]
    assert [(p.section, p.text) for p in article.paragraphs][-1] == (("History",), "More.")


def test_infobox_url_line_is_the_articles_link_not_a_fact():
    article = parse_text(
        "= Our Mill =\n\nInfobox\n- URL: https://wiki.example.org/Our_Mill\n- Built: 1820\n"
        "- Source: the parish records\n\nText.\n"
    )
    assert article.url == "https://wiki.example.org/Our_Mill"
    assert article.infobox == [("Built", "1820"), ("Source", "the parish records")]
    assert parse_text("= T =\n\nText.\n").url is None


def test_non_utf8_bytes(tmp_path):
    path = _write(tmp_path, "= Café =\n\nIntro.\n".encode() + b"Caf\xe9 au lait.\n")
    with pytest.raises(ArticleParseError) as info:
        parse_file(path)
    assert str(info.value) == f"{path}:4: the file is not valid UTF-8 text"


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere.txt"
    with pytest.raises(ArticleParseError, match=r"nowhere\.txt:0: cannot read the file"):
        parse_file(path)


def test_parse_text_names_its_source():
    with pytest.raises(ArticleParseError) as info:
        parse_text("no title", source="pasted")
    assert str(info.value).startswith("pasted:1: ")
