"""The embedder wrapper, stored vectors and the retrievers."""

from __future__ import annotations

import numpy as np
import pytest
from embedder_fakes import CountingEmbedder

import knowledge
from knowledge import embed, retrieval, vectors
from knowledge.query import Query, Term


def test_checked_normalises_and_refuses_broken_vectors():
    good = embed.checked(np.array([[3.0, 4.0]]), ["x"])
    assert np.allclose(good, [[0.6, 0.8]])
    with pytest.raises(embed.EmbeddingError, match="'bad'"):
        embed.checked(np.array([[0.0, 0.0]]), ["bad"])
    with pytest.raises(embed.EmbeddingError):
        embed.checked(np.array([[np.nan, 1.0]]), ["nan"])


def test_inputs_are_capped_and_never_empty():
    assert len(embed.clip("word " * 10_000)) == embed.MAX_CHARS
    assert embed.clip("   ") == "?"


def test_a_fact_is_embedded_with_its_article_title():
    assert (
        embed.passage_text("Nokia", "It was founded in 1865.") == "Nokia: It was founded in 1865."
    )


def test_the_real_model_puts_a_translation_next_to_its_source():
    model = embed.default_embedder()
    q = model.queries(["Когда Путин посетил Алжир?", "What is the boiling point of water?"])
    p = model.passages(["Algeria–Russia relations: Vladimir Putin visited Algiers in March 2006."])
    assert q.shape == (2, embed.DIM) and np.allclose(np.linalg.norm(q, axis=1), 1.0, atol=1e-3)
    related, unrelated = (q @ p[0]).tolist()
    assert related > unrelated + 0.05


def test_unchanged_facts_are_not_embedded_again(tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("= Alpha =\n\nAlpha was founded in 1901. It has 30 members.\n", "utf-8")
    db = tmp_path / "kb.db"
    first = CountingEmbedder()
    knowledge.build_knowledge_base([article], db, embedder=first)
    assert len(first.seen) == 2
    article.write_text("= Alpha =\n\nAlpha was founded in 1901. It has 31 members.\n", "utf-8")
    second = CountingEmbedder()
    knowledge.build_knowledge_base([article], db, embedder=second)
    assert second.seen == ["Alpha: It has 31 members."]


def test_vector_cache_files_round_trip(tmp_path, seed_db):
    out = tmp_path / "cache.npz"
    count = vectors.save_cache([seed_db], out)
    cache = vectors.VectorCache()
    cache.add_file(out)
    assert count > 0 and len(cache.known) == count
    cache.add_file(tmp_path / "missing.npz")  # an unreadable cache is no error
    assert len(cache.known) == count


def test_the_shipped_seed_vectors_cover_the_seed(seed_db, monkeypatch):
    """A stale cache would make every fresh install embed the seed again."""
    monkeypatch.delenv(vectors.CACHE_ENV, raising=False)
    cache = vectors.VectorCache.default()
    stored = vectors.VectorCache()
    stored.add_database(seed_db)
    assert set(stored.known) <= set(cache.known)


def _query(*stems: str, entity: bool = False) -> Query:
    terms = [Term(s, s, 1.0, entity=entity) for s in stems]
    return Query(text=" ".join(stems), lang="en", intent="what", terms=terms, english="")


def test_dense_retriever_ranks_by_cosine():
    matrix = np.array([[1.0, 0.0], [0.6, 0.8], [0.0, 1.0]])
    dense = retrieval.DenseRetriever(np.array([10, 11, 12]), matrix)
    probe = retrieval.Probe(_query("x"), embed=lambda _: np.array([0.0, 1.0]))
    hits = dense.candidates(probe, 2)
    assert [h.fact_id for h in hits] == [12, 11] and [h.rank for h in hits] == [0, 1]
    assert dense.candidates(retrieval.Probe(_query("x")), 2) == []


def test_paragraph_vectors_average_their_sentences():
    matrix = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    paragraphs, owner = retrieval.paragraph_vectors([("a", 1), ("a", 1), ("b", 2)], matrix)
    assert owner.tolist() == [0, 0, 1]
    assert np.allclose(paragraphs[0], [2**-0.5, 2**-0.5]) and np.allclose(paragraphs[1], [1, 0])


def test_structured_retriever_finds_infobox_keys_and_visit_rows():
    table = retrieval.StructuredRetriever(
        [(1, "Russian Ambassador"), (2, "Founded")], [(3, "President Putin Bouteflika Algiers")]
    )
    assert [h.fact_id for h in table.candidates(retrieval.Probe(_query("ambassador")), 5)] == [1]
    named = table.candidates(retrieval.Probe(_query("putin", entity=True)), 5)
    assert [h.fact_id for h in named] == [3]


def test_merge_keeps_every_retrievers_vote():
    merged = retrieval.merge(
        {
            "fts": [retrieval.Hit(1, 5.0, 0)],
            "dense": [retrieval.Hit(1, 0.9, 2), retrieval.Hit(2, 0.8, 3)],
        }
    )
    assert set(merged) == {1, 2} and set(merged[1]) == {"fts", "dense"}


def test_lexical_retriever_uses_fts5(kb):
    probe = retrieval.Probe(kb_query(kb, "ambassador"))
    hits = kb.retrievers[0].candidates(probe, 5)
    assert hits and all(h.score > 0 for h in hits)
    assert any("Ambassador" in kb.fact(h.fact_id).text for h in hits)


def kb_query(kb, text):
    from knowledge.query import analyse

    return analyse(text, kb.vocab)


class SpyEmbedder:
    """The real model, recording which questions it was asked to embed."""

    def __init__(self, real):
        self.real, self.name, self.dim = real, real.name, real.dim
        self.questions: list[str] = []

    def queries(self, texts):
        self.questions.extend(texts)
        return self.real.queries(texts)

    def passages(self, texts, progress=None):
        return self.real.passages(texts, progress)


def test_only_a_route_whose_model_reads_vectors_embeds_the_question(seed_db):
    from knowledge.kb import open_database

    spy = SpyEmbedder(embed.default_embedder())
    base = knowledge.KnowledgeBase(open_database(seed_db, read_only=True), seed_db, spy)
    with base:
        english = base.ask("How much was the loan in 1963?")
        assert not english.abstained and english.route == "english"
        assert spy.questions == []  # ranked by words alone: no 25 ms wait for a vector
        russian = base.ask("Какой кредит СССР предоставил Алжиру?")
        assert russian.route == "foreign"
        assert spy.questions == ["Какой кредит СССР предоставил Алжиру?"]
