"""The gettext catalogs: complete, compiled, consistent with the English messages."""

from __future__ import annotations

import gettext
import io
import re
import tomllib
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.i18n import LANGUAGES, LOCALE_DIR, choose_language, normalize, translator

ROOT = Path(__file__).resolve().parents[1]
TRANSLATED = [lang for lang in LANGUAGES if lang != "en"]
PLACEHOLDER = re.compile(r"\{[a-z_]*\}")
TAG = re.compile(r"</?[a-z]+")


def _catalog(lang: str):
    with open(LOCALE_DIR / lang / "LC_MESSAGES" / "qabot.po", "rb") as fh:
        return read_po(fh, locale=lang)


def test_russian_plural_forms() -> None:
    t = translator("ru")
    forms = [t.ngettext("{n} article", "{n} articles", n).format(n=n) for n in (1, 3, 5, 21, 11)]
    assert forms == ["1 статья", "3 статьи", "5 статей", "21 статья", "11 статей"]


def test_english_plural_and_unknown_language_falls_back_to_english() -> None:
    for lang in ("en", "it", None, ""):
        t = translator(lang)
        assert t.ngettext("{n} article", "{n} articles", 1).format(n=1) == "1 article"
        assert t.ngettext("{n} article", "{n} articles", 2).format(n=2) == "2 articles"


def test_spanish_and_german_have_two_plural_forms() -> None:
    for lang, one, two in (("es", "1 visita", "2 visitas"), ("de", "1 Besuch", "2 Besuche")):
        t = translator(lang)
        assert t.ngettext("{n} visit", "{n} visits", 1).format(n=1) == one
        assert t.ngettext("{n} visit", "{n} visits", 2).format(n=2) == two
        assert t.ngettext("{n} visit", "{n} visits", 0).format(n=0) == two.replace("2", "0")


def test_arabic_has_six_plural_forms() -> None:
    t = translator("ar")
    forms = {t.ngettext("{n} article", "{n} articles", n) for n in (0, 1, 2, 3, 11, 100)}
    assert len(forms) >= 4  # zero, one, two, few/many/other differ


def test_normalize_language_codes() -> None:
    codes = ("ru", "fr-CA", "pt-br", "AR", None, "en-GB", "es-MX", "de_AT")
    assert [normalize(c) for c in codes] == ["ru", "fr", "en", "ar", "en", "en", "es", "de"]


def test_choose_language_prefers_the_question() -> None:
    assert choose_language("ru", "fr") == "ru"
    assert choose_language(None, "fr") == "fr"
    assert choose_language(None, "it") == "en"
    assert choose_language("es", "de") == "es"
    assert choose_language(None, None) == "en"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalog_is_complete_and_keeps_placeholders_and_tags(lang: str) -> None:
    catalog = _catalog(lang)
    assert catalog.num_plurals >= 2
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"{lang}: untranslated {ids[0]!r}"
        assert "fuzzy" not in message.flags, f"{lang}: fuzzy {ids[0]!r}"
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            # a plural form may leave the number out ("one article"), never add a name
            assert set(PLACEHOLDER.findall(string)) <= wanted | set(PLACEHOLDER.findall(ids[0]))
            assert sorted(TAG.findall(string)) == sorted(TAG.findall(ids[0])), string
        if not isinstance(message.id, tuple):
            assert set(PLACEHOLDER.findall(strings[0])) == wanted, f"{lang}: {ids[0]!r}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_compiled_catalog_matches_its_source(lang: str) -> None:
    """`make catalogs` was run after the last change to the .po file."""
    buffer = io.BytesIO()
    write_mo(buffer, _catalog(lang))
    buffer.seek(0)
    fresh = gettext.GNUTranslations(buffer)
    with open(LOCALE_DIR / lang / "LC_MESSAGES" / "qabot.mo", "rb") as fh:
        shipped = gettext.GNUTranslations(fh)
    assert shipped._catalog == fresh._catalog  # type: ignore[attr-defined]


def test_catalogs_are_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["bot"]
    shipped = {p for pattern in patterns for p in (ROOT / "bot").glob(pattern)}
    assert {LOCALE_DIR / lang / "LC_MESSAGES" / "qabot.mo" for lang in TRANSLATED} <= shipped
