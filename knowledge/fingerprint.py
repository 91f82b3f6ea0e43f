"""Which build of qabot made a knowledge base.

A knowledge base stores rows derived at ingest: stems, terms, value flags, places, country
aliases, CLDR place names. When the code or the word lists that derive them change, a base
built before answers differently from a fresh one under the same schema version (a base
built before CLDR's Spanish and German place names were stored answered "¿Quién es el
embajador de Rusia en Argelia?" with the other envoy). So every base records the fingerprint
of the build that made it, and a base with another fingerprint is stale.
"""

from __future__ import annotations

import functools
import hashlib
from importlib import metadata
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
# Libraries whose output a knowledge base stores: stems, transliterations, CLDR names,
# country names and capitals.
DERIVING_LIBRARIES = ("babel", "countryinfo", "snowballstemmer", "PyStemmer", "Unidecode")


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


def _sources() -> list[Path]:
    code = [p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts]
    words = [p for p in (PACKAGE / "data" / "lexicon").glob("*") if p.is_file()]
    return sorted(code + words)


@functools.cache
def build_fingerprint() -> str:
    """A short hash of the knowledge package's code and word lists and of the versions of
    the libraries it derives stored rows with."""
    digest = hashlib.sha1()
    for path in _sources():
        digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    for name in DERIVING_LIBRARIES:
        digest.update(f"{name}={_version(name)}\0".encode())
    return digest.hexdigest()[:16]
