import numpy as np

from ingest.embed import MiniLMEmbedding


def test_real_model_gives_normalised_384d_vectors_that_mean_something(embedder: MiniLMEmbedding) -> None:
    texts = [
        "The defense ministers met in Yokosuka.",
        "Defence chiefs held talks at the Yokosuka naval base.",
        "The recipe needs two eggs and a cup of flour.",
    ]
    vectors = np.array(embedder.get_text_embedding_batch(texts))
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.3


def test_batching_and_order_do_not_change_vectors(embedder: MiniLMEmbedding) -> None:
    texts = ["short", "a somewhat longer sentence about defence cooperation", "mid length text"]
    together = np.array(embedder.get_text_embedding_batch(texts))
    alone = np.array([embedder.get_text_embedding(t) for t in texts])
    assert np.allclose(together, alone, atol=1e-4)
    assert np.allclose(embedder.get_query_embedding(texts[1]), alone[1], atol=1e-6)
