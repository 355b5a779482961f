"""End-to-end cases of timestep_embedding, embedding and vector_quantize
(embeddings.mlir)."""

import numpy as np

import reference as ref
from cases import case, rand


@case("timestep_embedding_sd")
def timestep_embedding_sd():
    t = np.array([999, 0, 501, 37, 981], dtype=np.int64)
    want = ref.timestep_embedding(t, 64, flip_sin_to_cos=True,
                                  downscale_freq_shift=0.0)
    return [t], [want], 1e-6


@case("timestep_embedding_odd")
def timestep_embedding_odd():
    t = np.array([1, 999, 250], dtype=np.int64)
    want = ref.timestep_embedding(t, 33, scale=2.0, max_period=1000.0)
    return [t], [want], 1e-6


@case("timestep_embedding_float_t")
def timestep_embedding_float_t():
    t = np.array([0.5, 17.25, 980.75], dtype=np.float32)
    return [t], [ref.timestep_embedding(t, 10, flip_sin_to_cos=True)], 1e-6


@case("timestep_embedding_i32_f16")
def timestep_embedding_i32_f16():
    t = np.array([3, 400, 999, 12], dtype=np.int32)
    return [t], [ref.timestep_embedding(t, 16)], 1e-3


@case("embedding_labels")
def embedding_labels():
    rng = np.random.default_rng(401)
    table = rand(rng, 11, 7)
    labels = np.array([3, 10, 0, 10, 7], dtype=np.int64)
    return [table, labels], [ref.f64(table)[labels]], 0.0


@case("embedding_tokens_i32")
def embedding_tokens_i32():
    rng = np.random.default_rng(402)
    table = rand(rng, 50, 5)
    tokens = rng.integers(0, 50, (2, 3)).astype(np.int32)
    return [table, tokens], [ref.f64(table)[tokens]], 0.0


@case("embedding_out_of_range")
def embedding_out_of_range():
    rng = np.random.default_rng(403)
    table = rand(rng, 4, 3)
    idx = np.array([0, 4, 3, -1, 1000], dtype=np.int64)
    bad = ((idx < 0) | (idx >= 4)).astype(np.float64)
    return [table, idx], [np.repeat(bad[:, None], 3, axis=1)], 0.0


@case("vector_quantize_channels")
def vector_quantize_channels():
    rng = np.random.default_rng(404)
    z, cb = rand(rng, 3, 4, 5, 7), rand(rng, 37, 4)
    q, idx = ref.vector_quantize(z, cb, 1)
    return [z, cb], [q, idx], 0.0


@case("vector_quantize_ties")
def vector_quantize_ties():
    # Rows 7, 9 and 11 repeat rows 2, 4 and 5; the inputs sit near them, so
    # the nearest distance is attained twice and torch.argmin takes the
    # first.
    rng = np.random.default_rng(405)
    cb = rand(rng, 12, 3)
    cb[7], cb[9], cb[11] = cb[2], cb[4], cb[5]
    pick = rng.choice([2, 4, 5], size=(2, 4, 4))
    z = np.moveaxis(cb[pick], -1, 1) + rand(rng, 2, 3, 4, 4, scale=0.01)
    z = z.astype(np.float32)
    q, idx = ref.vector_quantize(z, cb, 1)
    assert set(np.unique(idx)) <= {2, 4, 5}
    return [z, cb], [q, idx], 0.0


@case("vector_quantize_last_i32")
def vector_quantize_last_i32():
    rng = np.random.default_rng(406)
    z, cb = rand(rng, 2, 3, 6), rand(rng, 9, 6)
    q, idx = ref.vector_quantize(z, cb, -1)
    return [z, cb], [q, idx], 0.0
