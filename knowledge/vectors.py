"""Fact vectors: computed at ingest, stored in the knowledge base, reused when a text returns.

A vector is stored as float16 beside the hash of the exact text that was embedded (model name
included), so re-ingesting an unchanged article embeds nothing: the vectors come back from the
knowledge base being replaced, from the seed's vectors shipped in the package, or from the
files named in $QABOT_VECTOR_CACHE (`.npz` files written by `save_cache`, or knowledge
bases), separated by the path separator.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from importlib import resources
from pathlib import Path

import numpy as np

from .embed import Embedder, passage_text

SEED_CACHE = "seed-vectors.npz"
CACHE_ENV = "QABOT_VECTOR_CACHE"


def text_hash(model: str, text: str) -> str:
    """The key of one embedded text."""
    return hashlib.sha1(f"{model}\n{text}".encode()).hexdigest()


def to_blob(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float16).tobytes()


def from_blobs(blobs: Sequence[bytes], dim: int) -> np.ndarray:
    """Stack float16 blobs into a float32 matrix, one row each."""
    if not blobs:
        return np.zeros((0, dim), dtype=np.float32)
    return (
        np.frombuffer(b"".join(blobs), dtype=np.float16).reshape(len(blobs), dim).astype(np.float32)
    )


class VectorCache:
    """Known vectors by text hash, gathered from earlier knowledge bases and cache files."""

    def __init__(self) -> None:
        self.known: dict[str, bytes] = {}

    def add_database(self, path: str | Path) -> None:
        """Take the vectors of an existing knowledge base (if it is one and has them)."""
        path = Path(path)
        if not path.is_file():
            return
        with contextlib.suppress(sqlite3.DatabaseError, OSError):
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            try:
                for key, blob in conn.execute("select hash, vector from vectors"):
                    self.known[key] = blob
            finally:
                conn.close()

    def add_file(self, path: str | Path) -> None:
        """Take the vectors of an `.npz` cache file, if it is readable."""
        with (
            contextlib.suppress(OSError, ValueError, KeyError),
            np.load(path, allow_pickle=False) as data,
        ):
            for key, vector in zip(data["hashes"], data["vectors"], strict=True):
                self.known[str(key)] = np.asarray(vector, dtype=np.float16).tobytes()

    @classmethod
    def default(cls, previous: str | Path | None = None) -> VectorCache:
        """The previous knowledge base, the shipped seed vectors and $QABOT_VECTOR_CACHE."""
        cache = cls()
        shipped = resources.files("knowledge").joinpath("data", SEED_CACHE)
        with contextlib.suppress(OSError), resources.as_file(shipped) as path:
            cache.add_file(path)
        for name in filter(None, os.environ.get(CACHE_ENV, "").split(os.pathsep)):
            if name.endswith(".npz"):
                cache.add_file(name)
            else:
                cache.add_database(name)
        if previous is not None:
            cache.add_database(previous)
        return cache


def embed_facts(
    facts: Iterable[tuple[int, str, str]],
    embedder: Embedder,
    cache: VectorCache,
    progress: Callable[[int, int], None] | None = None,
) -> list[dict]:
    """Rows of the `vectors` table for (fact id, article title, fact text) triples.

    Texts already in the cache are not embedded again; `progress(done, total)` follows the
    ones that are.
    """
    rows, todo = [], []
    for fact_id, title, text in facts:
        embedded = passage_text(title, text)
        key = text_hash(embedder.name, embedded)
        row = {"fact_id": fact_id, "hash": key, "vector": cache.known.get(key)}
        rows.append(row)
        if row["vector"] is None:
            todo.append((row, embedded))
    done = 0

    def step(count: int) -> None:
        nonlocal done
        done += count
        if progress:
            progress(done, len(todo))

    if todo:
        vectors = embedder.passages([text for _, text in todo], progress=step)
        for (row, _), vector in zip(todo, vectors, strict=True):
            row["vector"] = to_blob(vector)
            cache.known[row["hash"]] = row["vector"]
    return rows


def save_cache(databases: Sequence[str | Path], out: str | Path) -> int:
    """Write the vectors of knowledge bases to an `.npz` cache file; returns their count."""
    cache = VectorCache()
    for path in databases:
        cache.add_database(path)
    keys = sorted(cache.known)
    dim = len(cache.known[keys[0]]) // 2 if keys else 0
    vectors = from_blobs([cache.known[k] for k in keys], dim).astype(np.float16)
    np.savez_compressed(out, hashes=np.array(keys), vectors=vectors)
    return len(keys)


def main() -> None:
    """Refresh the shipped seed vectors and the test articles' vectors (`make vectors`)."""
    import tempfile

    from .ingest import SEED_NAME, build_knowledge_base

    root = Path(__file__).resolve().parents[1]
    seed = root / "knowledge" / "data" / SEED_NAME
    tests = sorted((root / "tests" / "data").rglob("*.txt"))
    with tempfile.TemporaryDirectory() as tmp:
        seed_db, tests_db = Path(tmp) / "seed.db", Path(tmp) / "tests.db"
        build_knowledge_base([seed], seed_db)
        print(save_cache([seed_db], root / "knowledge" / "data" / SEED_CACHE), "seed vectors")
        built = build_knowledge_base(tests, tests_db, skip_bad=True)
        for problem in built.skipped:
            print(f"skipped {problem}")
        print(save_cache([tests_db], root / "tests" / "data" / "vectors.npz"), "test vectors")


if __name__ == "__main__":
    main()
