"""lax.gather / lax.scatter* with dimension numbers: hard-coded real-JAX outputs (values, grads,
errors), numpy loop oracles of XLA's semantics over random dimension-number configurations in
every mode, and grad (finite differences), vmap (loop) and jit (eager/cpp/triton) checks."""
import itertools

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import jaxish as jax
import jaxish.numpy as jnp
from jaxish import lax

from breadth_helpers import check_jit, check_vmap, check_grads, normal, x64  # noqa: F401

G, S = lax.GatherDimensionNumbers, lax.ScatterDimensionNumbers
nan = float("nan")


# ---- numpy loop oracles (XLA's operation semantics) -------------------------------------------
def np_gather(x, idx, dn, sizes, mode, fill=nan):
    """mode 'clip' clamps each start so the window fits; 'fill' fills windows that do not fit."""
    offset, collapsed, smap, obatch, ibatch = dn
    free = [d for d in range(x.ndim) if d not in collapsed and d not in obatch]
    bi, wi = iter(idx.shape[:-1]), iter(sizes[d] for d in free)
    out_shape = tuple(next(wi) if p in offset else next(bi) for p in range(len(offset) + idx.ndim - 1))
    out = np.empty(out_shape, x.dtype)
    bdims = [p for p in range(len(out_shape)) if p not in offset]
    for o in itertools.product(*map(range, out_shape)):
        g = tuple(o[p] for p in bdims)
        pos, ok = [0] * x.ndim, True
        for k, d in enumerate(smap):
            s, hi = int(idx[g + (k,)]), x.shape[d] - sizes[d]
            ok &= 0 <= s <= hi
            pos[d] = min(max(s, 0), hi)
        for i, d in enumerate(obatch):
            pos[d] = g[ibatch[i]]
        for j, d in enumerate(free):
            pos[d] += o[offset[j]]
        out[o] = fill if (mode == "fill" and not ok) else x[tuple(pos)]
    return out


def np_scatter(x, idx, upd, dn, mode, combine):
    """mode 'clip' clamps each start so the window fits; 'drop' skips windows that do not fit."""
    window, inserted, smap, obatch, ibatch = dn
    out = x.copy()
    free = [d for d in range(x.ndim) if d not in inserted and d not in obatch]
    wsize = {d: upd.shape[window[j]] for j, d in enumerate(free)}
    sdims = [p for p in range(upd.ndim) if p not in window]
    for u in itertools.product(*map(range, upd.shape)):
        g = tuple(u[p] for p in sdims)
        pos, ok = [0] * x.ndim, True
        for k, d in enumerate(smap):
            s, hi = int(idx[g + (k,)]), x.shape[d] - wsize.get(d, 1)
            ok &= 0 <= s <= hi
            pos[d] = min(max(s, 0), hi)
        if not ok and mode == "drop":
            continue
        for i, d in enumerate(obatch):
            pos[d] = g[ibatch[i]]
        for j, d in enumerate(free):
            pos[d] += u[window[j]]
        out[tuple(pos)] = combine(out[tuple(pos)], upd[u])
    return out


def random_config(rng, oob=True):
    """A valid gather config (operand shape, indices, dnums, slice sizes) with batching dims,
    collapsed dims, unindexed dims and offset dims anywhere; starts up to 2 out of bounds."""
    r = int(rng.integers(1, 4))
    shape = tuple(int(s) for s in rng.integers(1, 5, r))
    nob = int(rng.integers(0, min(2, r - 1) + 1))
    obatch = tuple(sorted(rng.choice(r, nob, replace=False).tolist())) if nob else ()
    rest = [d for d in range(r) if d not in obatch]
    smap = tuple(int(d) for d in rng.permutation(rest)[:int(rng.integers(0, len(rest) + 1))])
    collapsed = tuple(sorted(d for d in rest if rng.random() < 0.5))
    sizes = tuple(1 if d in obatch or d in collapsed else int(rng.integers(1, shape[d] + 1)) for d in range(r))
    nbatch = nob + int(rng.integers(0, 3))
    extra = iter(int(s) for s in rng.integers(1, 4, nbatch))
    places = rng.choice(nbatch, nob, replace=False).tolist() if nob else []  # indices dim of each obatch dim
    ibshape = [shape[obatch[places.index(p)]] if p in places else next(extra) for p in range(nbatch)]
    nfree = r - len(collapsed) - nob
    offset = tuple(sorted(rng.choice(nbatch + nfree, nfree, replace=False).tolist())) if nfree else ()
    lo, hi = (-2, 2) if oob else (0, 0)
    cols = [rng.integers(lo, shape[d] - sizes[d] + 1 + hi, ibshape) for d in smap]
    idx = np.stack(cols, -1) if cols else np.zeros(tuple(ibshape) + (0,), np.int64)
    return shape, idx.astype(np.int32), (offset, collapsed, smap, obatch, tuple(places)), sizes


def updates_shape(shape, idx, dn, sizes):
    offset, collapsed, _, obatch, _ = dn
    free = [d for d in range(len(shape)) if d not in collapsed and d not in obatch]
    bi, wi = iter(idx.shape[:-1]), iter(sizes[d] for d in free)
    return tuple(next(wi) if p in offset else next(bi) for p in range(len(offset) + idx.ndim - 1))


# ---- real JAX (0.10.2, x64) reference outputs -------------------------------------------------
X45 = np.arange(20.).reshape(4, 5)
WIN_IDX = np.array([[1, 2], [3, 3], [-1, 4]])
WIN_DN = G(offset_dims=(1, 2), collapsed_slice_dims=(), start_index_map=(0, 1))
WIN_W = np.arange(18.).reshape(3, 2, 3)
JAX_WINDOW = {
    "clip": ([[[7., 8., 9.], [12., 13., 14.]], [[12., 13., 14.], [17., 18., 19.]], [[2., 3., 4.], [7., 8., 9.]]],
             [[0, 0, 12, 13, 14], [0, 0, 15, 17, 19], [0, 0, 9, 11, 13], [0, 0, 9, 10, 11]]),
    "fill": ([[[7., 8., 9.], [12., 13., 14.]], [[nan] * 3, [nan] * 3], [[nan] * 3, [nan] * 3]],
             [[0, 0, 0, 0, 0], [0, 0, 0, 1, 2], [0, 0, 3, 4, 5], [0, 0, 0, 0, 0]]),
    # JAX's default: reads clamp like CLIP, but the cotangent of a window that does not fit is dropped
    "promise_in_bounds": ([[[7., 8., 9.], [12., 13., 14.]], [[12., 13., 14.], [17., 18., 19.]],
                           [[2., 3., 4.], [7., 8., 9.]]],
                          [[0, 0, 0, 0, 0], [0, 0, 0, 1, 2], [0, 0, 3, 4, 5], [0, 0, 0, 0, 0]]),
}


@pytest.mark.parametrize("mode", ["clip", "fill", "promise_in_bounds", None])
def test_window_gather_and_grad_match_jax(mode):
    want, want_grad = JAX_WINDOW[mode or "promise_in_bounds"]
    got = lax.gather(X45, WIN_IDX, WIN_DN, (2, 3), mode=mode)
    np.testing.assert_array_equal(np.asarray(got), np.array(want))
    g = jax.grad(lambda x: (lax.gather(x, WIN_IDX, WIN_DN, (2, 3), mode=mode) * WIN_W).sum())(X45)
    np.testing.assert_array_equal(np.asarray(g), np.array(want_grad, float))


def test_gather_layouts_match_jax():
    # offset dim between batch dims; 2-d start vectors
    got = lax.gather(X45, np.array([[[0, 1], [2, 3]], [[3, 0], [1, 4]]]),
                     G(offset_dims=(1,), collapsed_slice_dims=(0,), start_index_map=(0, 1)), (1, 3), mode="clip")
    np.testing.assert_array_equal(np.asarray(got), [[[1., 12.], [2., 13.], [3., 14.]],
                                                    [[15., 7.], [16., 8.], [17., 9.]]])
    # operand_batching_dims, fill with an explicit fill_value; and the indices' batch dim second
    xb = np.arange(10.).reshape(2, 5)
    ib = np.array([[[4], [0], [2]], [[1], [1], [7]]])
    got = lax.gather(xb, ib, G((), (1,), (1,), operand_batching_dims=(0,), start_indices_batching_dims=(0,)),
                     (1, 1), mode="fill", fill_value=-1.0)
    np.testing.assert_array_equal(np.asarray(got), [[4., 0., 2.], [6., 6., -1.]])
    got = lax.gather(xb, np.transpose(ib, (1, 0, 2)), G((), (1,), (1,), (0,), (1,)), (1, 1))
    np.testing.assert_array_equal(np.asarray(got), [[4., 6.], [0., 6.], [2., 9.]])
    # rank-0 operand: every (empty) index reads the scalar
    np.testing.assert_array_equal(np.asarray(lax.gather(np.float64(3.), np.zeros((2, 0), np.int32),
                                                        G((), (), ()), ())), [3., 3.])


@pytest.mark.parametrize("dtype,want", [("int8", -128), ("int32", -2**31), ("uint8", 255), ("uint32", 2**32 - 1),
                                        ("bool", True), ("float16", nan), ("float32", nan)])
def test_gather_fill_defaults(dtype, want):
    x = jnp.arange(6).astype(dtype)
    got = np.asarray(lax.gather(x, np.array([[5], [6], [-1]]), G((), (0,), (0,)), (1,), mode="fill"))
    assert got.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(got, np.array([np.asarray(x)[5], want, want], dtype))


SI = np.array([[0, 1], [2, 3], [3, 4], [-1, 0]])
SU = np.arange(1., 17.).reshape(4, 2, 2)
SDN = S(update_window_dims=(1, 2), inserted_window_dims=(), scatter_dims_to_operand_dims=(0, 1))
DROPPED = [[0, 1, 2, 0, 0], [0, 3, 4, 0, 0], [0, 0, 0, 5, 6], [0, 0, 0, 7, 8]]


@pytest.mark.parametrize("mode,want", [
    ("clip", [[13, 15, 2, 0, 0], [15, 19, 4, 0, 0], [0, 0, 0, 14, 16], [0, 0, 0, 18, 20]]),
    ("fill", DROPPED), ("drop", DROPPED), ("promise_in_bounds", DROPPED), (None, DROPPED)])
def test_scatter_add_windows_match_jax(mode, want):
    got = lax.scatter_add(np.zeros((4, 5)), SI, SU, SDN, mode=mode)
    np.testing.assert_array_equal(np.asarray(got), np.array(want, float))


def test_scatter_family_match_jax():
    d1 = S((), (0,), (0,))
    xi, ii, ui = np.array([5, 5, 5, 5], np.int32), np.array([[0], [0], [2], [9]]), np.array([3, -2, 7, 1], np.int32)
    for f, want in [(lax.scatter_mul, [-10, 5, 35, 5]), (lax.scatter_min, [-2, 5, 5, 5]),
                    (lax.scatter_max, [5, 5, 7, 5]), (lax.scatter, [-2, 5, 7, 5])]:
        got = f(xi, ii[1:], ui[1:], d1)
        assert np.asarray(got).dtype == np.int32
        np.testing.assert_array_equal(np.asarray(got), want)
    for f, want in [(lax.scatter_mul, [-30, 5, 35, 5]), (lax.scatter_min, [-2, 5, 5, 5]),
                    (lax.scatter_max, [5, 5, 7, 5])]:
        np.testing.assert_array_equal(np.asarray(f(xi, ii, ui, d1)), want)  # 9 dropped (default mode)
    got = lax.scatter_sub(np.ones(5), np.array([[1], [1], [4]]), np.array([1., 2., 3.]), d1)
    np.testing.assert_array_equal(np.asarray(got), [1., -2., 1., 1., -2.])
    np.testing.assert_array_equal(np.asarray(lax.scatter(np.zeros((4, 5)), SI[:2], SU[:2], SDN, mode="clip")),
                                  np.array(DROPPED[:2] + [[0, 0, 0, 5, 6], [0, 0, 0, 7, 8]], float))
    # a Python scalar update where the updates are rank 0
    np.testing.assert_array_equal(np.asarray(lax.scatter_add(jnp.arange(4.), jnp.array([1]), 5.0, d1)),
                                  [0., 6., 2., 3.])


def test_scatter_grads_match_jax():
    d1 = S((), (0,), (0,))
    xm, um, im, w = np.array([1., 5., 2.]), np.array([5., 5., 0., 3.]), np.array([[1], [1], [0], [2]]), np.array([1., 2., 3.])
    # min/max: tied values (updates and a retained operand entry) share the tangent equally
    gx, gu = jax.grad(lambda a, b: (lax.scatter_max(a, im, b, d1) * w).sum(), (0, 1))(xm, um)
    np.testing.assert_allclose(np.asarray(gx), [1., 2 / 3, 0.])
    np.testing.assert_allclose(np.asarray(gu), [2 / 3, 2 / 3, 0., 3.])
    gx, gu = jax.grad(lambda a, b: (lax.scatter_min(a, im, b, d1) * w).sum(), (0, 1))(xm, um)
    np.testing.assert_allclose(np.asarray(gx), [0., 2 / 3, 3.])
    np.testing.assert_allclose(np.asarray(gu), [2 / 3, 2 / 3, 1., 0.])
    # mul with unique indices: exact at a zero update
    gx, gu = jax.grad(lambda a, b: (lax.scatter_mul(a, np.array([[2], [0]]), b, d1, unique_indices=True) * w).sum(),
                      (0, 1))(xm, np.array([0., 4.]))
    np.testing.assert_array_equal(np.asarray(gx), [4., 2., 0.])
    np.testing.assert_array_equal(np.asarray(gu), [6., 1.])
    # set: overwritten operand entries and dropped windows get no gradient
    gx, gu = jax.grad(lambda a, b: (lax.scatter(a, SI, b, SDN, mode="fill") * X45).sum(), (0, 1))(np.zeros((4, 5)), SU)
    np.testing.assert_array_equal(np.asarray(gx), [[0, 0, 0, 3, 4], [5, 0, 0, 8, 9], [10, 11, 12, 0, 0],
                                                   [15, 16, 17, 0, 0]])
    np.testing.assert_array_equal(np.asarray(gu), [[[1, 2], [6, 7]], [[13, 14], [18, 19]], [[0, 0], [0, 0]],
                                                   [[0, 0], [0, 0]]])


def test_scatter_apply_matches_jax():
    d1 = S((), (0,), (0,))
    got = lax.scatter_apply(jnp.arange(6.), np.array([[1], [1], [3], [8]]), lambda v: v * 2 + 1, d1, update_shape=(4,))
    np.testing.assert_array_equal(np.asarray(got), [0., 7., 2., 7., 4., 5.])  # twice at 1, index 8 dropped
    got = lax.scatter_apply(jnp.arange(6.), np.array([[1], [3]]), jnp.sin, d1, update_shape=(2,), unique_indices=True)
    np.testing.assert_allclose(np.asarray(got), [0., np.sin(1.), 2., np.sin(3.), 4., 5.])
    f = jax.jit(lambda x, i: lax.scatter_apply(x, i, lambda v: v - 1, d1, update_shape=(3,)), backend="eager")
    np.testing.assert_array_equal(np.asarray(f(jnp.zeros(4), jnp.array([[0], [0], [2]]))), [-2., 0., -1., 0.])


def test_rank0_scatter():
    # (real JAX's XLA rejects this program; XLA's semantics add both updates)
    got = lax.scatter_add(np.float64(3.), np.zeros((2, 0), np.int32), np.array([1., 2.]), S((), (), ()))
    assert np.asarray(got).shape == () and float(got) == 6.0


def test_unsigned_and_narrow_indices():
    x = jnp.arange(300.)
    dn = G((1,), (), (0,))
    got = lax.gather(x, np.array([[250], [2]], np.uint8), dn, (60,), mode="clip")
    np.testing.assert_array_equal(np.asarray(got), [np.arange(240., 300.), np.arange(2., 62.)])
    got = lax.gather(x, np.array([[127], [-128]], np.int8), dn, (200,), mode="fill")
    assert np.isnan(np.asarray(got)).all()  # 127 + 200 > 300: the whole window is filled
    got = lax.gather(jnp.arange(10.), np.array([[4294967295]], np.uint32), G((), (0,), (0,)), (1,), mode="clip")
    np.testing.assert_array_equal(np.asarray(got), [9.])  # clamped high, not wrapped to -1


# ---- errors, with JAX's types and messages -----------------------------------------------------
_x = np.zeros((4, 5), np.float32)
_i = np.zeros((3, 1), np.int32)
ERRORS = [
    (lambda: lax.gather(_x, _i, G((1, 0), (), (0,)), (1, 5)), TypeError, "offset_dims in gather op must be sorted; got (1, 0)"),
    (lambda: lax.gather(_x, _i, G((0, 5), (), (0,)), (1, 5)), TypeError,
     "Offset dimension 1 in gather op is out of bounds; got 5, but should have been in [0, 3)"),
    (lambda: lax.gather(_x, _i, G((1,), (0,), (0, 1)), (1, 5)), TypeError,
     "Gather op has 2 elements in start_index_map and the bound of dimension index_vector_dim=1 of indices is 1."),
    (lambda: lax.gather(_x, _i, G((1,), (0,), (2,)), (1, 5)), TypeError, "Invalid start_index_map; domain is [0, 2), got: 0->2."),
    (lambda: lax.gather(_x, _i, G((1,), (0,), (0,)), (2, 5)), TypeError,
     "Gather op can only collapse slice dims with bound 1, but bound is 2 for index 0 at position 0."),
    (lambda: lax.gather(_x, _i, G((1,), (0,), (0,)), (1, 6)), TypeError,
     "Slice size at index 1 in gather op is out of range, must be within [0, 5 + 1), got 6."),
    (lambda: lax.gather(_x, _i, G((1,), (0,), (0,)), (1,)), TypeError,
     "Gather op must have one slice size for every input dimension; got: len(slice_sizes)=1, input_shape.rank=2"),
    (lambda: lax.gather(_x, _i, G((1,), (), (0,)), (1, 5)), TypeError,
     "All components of the offset index in a gather op must either be a offset dimension or explicitly collapsed/batching"),
    (lambda: lax.gather(_x, _i.astype(np.float32), G((1,), (0,), (0,)), (1, 5)), ValueError, "indices must have an integer type"),
    (lambda: lax.gather(_x, _i, G((), (1,), (1,), (0,), (0,)), (1, 1)), TypeError,
     "Gather op requires operand batching dimensions and indices batching dimensions to have the same shape, got (4,) and (3,)."),
    (lambda: lax.gather(_x, np.zeros((4, 1), np.int32), G((), (1,), (1,), (0,), (1,)), (1, 1)), TypeError,
     "Gather op cannot have the index vector dimension as a batching dimension; got (1,)."),
    (lambda: lax.gather(_x, np.zeros((3, 2), np.int32), G((), (0, 1), (0, 0)), (1, 1)), TypeError,
     "start_index_map in gather op must not repeat; got: (0, 0)."),
    (lambda: lax.gather(_x, _i, G((1,), (0,), (0,)), (1, 5), mode="wrap"), ValueError, 'Unknown gather mode "wrap"'),
    (lambda: lax.scatter_add(_x, _i, np.zeros((3,), np.float32), S((1,), (0,), (0,))), TypeError,
     "Updates tensor must be of rank 2; got 1."),
    (lambda: lax.scatter_add(_x, _i, np.zeros((3, 5), np.int32), S((1,), (0,), (0,))), TypeError,
     "lax.scatter requires arguments to have the same dtypes, got float32, int32."),
    (lambda: lax.scatter_add(_x, _i, np.zeros((3, 6), np.float32), S((1,), (0,), (0,))), TypeError,
     "For dimension 1, updates bound is 6, operand bound is 5."),
    (lambda: lax.scatter_add(_x, _i, np.zeros((2, 5), np.float32), S((1,), (0,), (0,))), TypeError,
     "For scatter dimension 0, updates bound is 2, indices bound is 3."),
    (lambda: lax.scatter_add(_x, _i, np.zeros((3, 5), np.float32), S((1,), (), (0,))), TypeError,
     "Scatter op has window of size 1; doesn't match operand of rank 2."),
    (lambda: lax.scatter(_x, _i, np.zeros((3, 5), np.float32), S((1,), (0,), (0, 1))), TypeError,
     "Scatter op has 2 elements in scatter_dims_to_operand_dims and the bound of dimension index_vector_dim=1"),
    (lambda: lax.scatter(_x, np.zeros((3, 2), np.int32), np.zeros((3,), np.float32), S((), (1, 0), (0, 1))), TypeError,
     "inserted_window_dims in scatter op must be sorted; got (1, 0)"),
    (lambda: lax.scatter_min(_x, _i, np.zeros((3, 5), np.float32), S((1,), (0,), (0,)), mode="bogus"), ValueError,
     'Unknown gather mode "bogus"'),
]


@pytest.mark.parametrize("k", range(len(ERRORS)))
def test_errors_match_jax(k):
    fn, exc, msg = ERRORS[k]
    with pytest.raises(exc) as e:
        fn()
    assert msg in str(e.value)


def test_mode_from_any():
    M = lax.GatherScatterMode
    assert [m.name for m in M] == ["CLIP", "FILL_OR_DROP", "PROMISE_IN_BOUNDS", "ONE_HOT"]
    assert M.from_any(None) is M.FILL_OR_DROP and M.from_any("drop") is M.FILL_OR_DROP
    assert M.from_any("fill") is M.FILL_OR_DROP and M.from_any("clip") is M.CLIP
    assert M.from_any("promise_in_bounds") is M.PROMISE_IN_BOUNDS and M.from_any(M.CLIP) is M.CLIP
    assert M.from_any("one_hot") is M.ONE_HOT
    with pytest.raises(NotImplementedError):
        lax.gather(_x, _i, G((1,), (0,), (0,)), (1, 5), mode="one_hot")
    got = lax.scatter_add(jnp.zeros(4), jnp.array([[1], [7]]), jnp.ones(2), S((), (0,), (0,)), mode="one_hot")
    np.testing.assert_array_equal(np.asarray(got), [0., 1., 0., 0.])  # as JAX: out-of-bounds dropped
    d = G((1,), (0,), (0,))
    assert d.operand_batching_dims == () and d.start_indices_batching_dims == ()
    assert S((1,), (0,), (0,)).scatter_indices_batching_dims == ()


# ---- random configurations against the loop oracles -------------------------------------------
@pytest.mark.parametrize("seed", range(24))
def test_gather_random_configs(seed):
    rng = np.random.default_rng(seed)
    shape, idx, dn, sizes = random_config(rng)
    x = normal(shape, seed)
    for mode in ["clip", "fill", "promise_in_bounds"]:
        got = np.asarray(lax.gather(x, idx, G(*dn), sizes, mode=mode))
        want = np_gather(x, idx, dn, sizes, "fill" if mode == "fill" else "clip")
        np.testing.assert_array_equal(got, want, err_msg=str((shape, idx.tolist(), dn, sizes, mode)))


COMBINE = [(lax.scatter_add, np.add), (lax.scatter_sub, np.subtract), (lax.scatter_mul, np.multiply),
           (lax.scatter_min, np.minimum), (lax.scatter_max, np.maximum)]


@pytest.mark.parametrize("seed", range(16))
def test_scatter_random_configs(seed):
    rng = np.random.default_rng(100 + seed)
    shape, idx, dn, sizes = random_config(rng)
    x, u = normal(shape, seed), normal(updates_shape(shape, idx, dn, sizes), seed + 1)
    for mode in ["clip", "fill", "promise_in_bounds"]:
        for f, comb in COMBINE:
            got = np.asarray(f(x, idx, u, S(*dn), mode=mode))
            want = np_scatter(x, idx, u, dn, "clip" if mode == "clip" else "drop", comb)
            np.testing.assert_allclose(got, want, rtol=1e-12, err_msg=str((shape, idx.tolist(), dn, mode, f)))


def _unique_windows_config(seed):
    """A config whose in-bounds windows never overlap: each start hits a distinct row of dim 0."""
    rng = np.random.default_rng(seed)
    x = normal((6, 4), seed)
    rows = rng.permutation(6)[:3]
    idx = np.stack([rows, rng.integers(0, 3, 3)], -1).astype(np.int32)
    return x, idx, normal((3, 2), seed + 1), S(update_window_dims=(1,), inserted_window_dims=(0,),
                                              scatter_dims_to_operand_dims=(0, 1))


@pytest.mark.parametrize("seed", range(4))
def test_scatter_set_random(seed):
    x, idx, u, dn = _unique_windows_config(seed)
    idx[0, 1] = 3  # a window that does not fit: dropped, or clamped to column 2 by CLIP
    for mode in ["clip", "fill"]:
        got = np.asarray(lax.scatter(x, idx, u, dn, mode=mode))
        want = np_scatter(x, idx, u, tuple(dn), "clip" if mode == "clip" else "drop", lambda a, b: b)
        np.testing.assert_array_equal(got, want)


# ---- transformations --------------------------------------------------------------------------
GRAD_CASES = {
    "gather_rows": lambda x: lax.gather(x, np.array([[2], [0], [2]]), G((1,), (0,), (0,)), (1, 5)),
    "gather_window_clip": lambda x: lax.gather(x, WIN_IDX, WIN_DN, (2, 3), mode="clip"),
    "gather_window_fill": lambda x: lax.gather(x, WIN_IDX, WIN_DN, (2, 3), mode="fill", fill_value=0.5),
    "gather_batched": lambda x: lax.gather(x, np.array([[[1], [3]], [[0], [0]], [[4], [2]], [[3], [3]]]),
                                           G((), (1,), (1,), (0,), (0,)), (1, 1)),
    "scatter_add": lambda x: lax.scatter_add(x, SI, x[:4, :2].reshape(4, 2, 1) * x[0, :2], SDN, mode="clip"),
}


@pytest.mark.parametrize("name", sorted(GRAD_CASES))
def test_grads(name):
    check_grads(GRAD_CASES[name], normal((4, 5), 3))


@pytest.mark.parametrize("seed", range(4))
def test_grads_random_configs(seed):
    shape, idx, dn, sizes = random_config(np.random.default_rng(200 + seed))
    x, u = normal(shape, seed), normal(updates_shape(shape, idx, dn, sizes), seed + 1)
    for mode in ["clip", "fill"]:
        check_grads(lambda a: lax.gather(a, idx, G(*dn), sizes, mode=mode, fill_value=0.5), x)
        check_grads(lambda a, b: lax.scatter_add(a, idx, b, S(*dn), mode=mode), x, u)


@pytest.mark.parametrize("seed", range(4))
def test_vmap_random_configs(seed):
    shape, idx, dn, sizes = random_config(np.random.default_rng(300 + seed))
    xs = normal((2,) + shape, seed)
    idxs = np.stack([idx, idx[::-1] if idx.ndim > 1 and not dn[3] else np.clip(idx - 1, -2, None)])
    us = normal((2,) + updates_shape(shape, idx, dn, sizes), seed + 1)
    check_vmap(lambda a, i: lax.gather(a, i, G(*dn), sizes, mode="fill"), xs, idxs)
    check_vmap(lambda a, i: lax.gather(a, i, G(*dn), sizes, mode="clip"), xs, idx, in_axes=(0, None))
    check_vmap(lambda a, i, b: lax.scatter_add(a, i, b, S(*dn)), xs, idxs, us)
    check_vmap(lambda a, i, b: lax.scatter_min(a, i, b, S(*dn), mode="clip"), xs[0], idxs, us, in_axes=(None, 0, 0))


def test_scatter_grads_wrt_both():
    x, idx, u, dn = _unique_windows_config(7)
    for f, kw in [(lax.scatter, {}), (lax.scatter_add, {}), (lax.scatter_sub, {}), (lax.scatter_mul, {"unique_indices": True}),
                  (lax.scatter_min, {}), (lax.scatter_max, {})]:
        check_grads(lambda a, b: f(a, idx, b, dn, mode="clip", **kw), x, u)


def test_vmap():
    x, idx, u, dn = _unique_windows_config(11)
    xs, us = normal((3, 6, 4), 1), normal((3, 3, 2), 2)
    idxs = np.stack([_unique_windows_config(s)[1] for s in range(3)])
    idxs[1, 0, 0] = 9  # out of bounds: dropped / filled / clamped
    for mode in ["clip", "fill", "promise_in_bounds"]:
        f = lambda a, i, b: lax.scatter_add(a, i, b, dn, mode=mode)
        check_vmap(f, xs, idxs, us, in_axes=(0, 0, 0))
        check_vmap(f, x, idxs, u, in_axes=(None, 0, None))
        check_vmap(f, np.moveaxis(xs, 0, 2), idx, us, in_axes=(2, None, 0))
        g = lambda a, i: lax.gather(a, i, G((1,), (0,), (0, 1)), (1, 2), mode=mode)
        check_vmap(g, xs, idxs, in_axes=(0, 0))
        check_vmap(g, xs, idx, in_axes=(0, None))
        check_vmap(g, x, np.moveaxis(idxs, 0, 1), in_axes=(None, 1))
    check_vmap(lambda a, i, b: lax.scatter_max(a, i, b, dn), xs, idxs, us)
    check_vmap(lambda a, i, b: lax.scatter(a, i, b, dn), xs, idxs, us)
    # vmap of grad: gather's transpose is a scatter-add
    gx = lambda a, i: jax.grad(lambda a: (lax.gather(a, i, G((1,), (0,), (0, 1)), (1, 2), mode="clip") ** 2).sum())(a)
    check_vmap(gx, xs, idxs)


def test_jit_backends():
    x, idx, u, dn = _unique_windows_config(5)
    idx = idx.copy()
    idx[1, 0] = -3

    def f(a, i, b):
        g = lax.gather(a, i, G((1,), (0,), (0, 1)), (1, 2), mode="fill", fill_value=-7.0)
        return lax.scatter_add(a, i, b * g, dn), lax.scatter_max(a, i, b, dn, mode="clip"), g
    want = check_jit(f, x, idx, u, default_backend=True)
    for backend in ["cpp", "triton"]:
        got = jax.jit(f, backend=backend)(x, idx, u)
        for a, b in zip(got, want):
            np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-12)
    h = jax.jit(jax.grad(lambda a: (lax.gather(a, WIN_IDX, WIN_DN, (2, 3)) * WIN_W).sum()))
    np.testing.assert_array_equal(np.asarray(h(X45)), np.array(JAX_WINDOW["promise_in_bounds"][1], float))


@settings(max_examples=80, deadline=None)
@given(st.data())
def test_scatter_nd_impl_drops_out_of_bounds_as_numpy(data):
    """scatter_nd's impl (every backend's extern) against a numpy loop: updates whose index is
    out of bounds in any indexed dim are dropped, in every mode, for k indexed leading dims."""
    import torch
    from jaxish.lax.indexing import _scatter_impl
    k = data.draw(st.integers(1, 2))
    shape = tuple(data.draw(st.integers(1, 4)) for _ in range(k)) + tuple(
        data.draw(st.integers(0, 3)) for _ in range(data.draw(st.integers(0, 2))))
    n = data.draw(st.integers(0, 6))
    mode = data.draw(st.sampled_from(["set", "add", "mul", "min", "max"]))
    rng = np.random.default_rng(data.draw(st.integers(0, 2 ** 31 - 1)))
    idx = [rng.integers(-2, shape[d] + 2, n) for d in range(k)]
    if mode == "set":   # which duplicate wins is unspecified: keep the in-bounds targets distinct
        seen, keep = set(), []
        for j in range(n):
            t = tuple(int(i[j]) for i in idx)
            inb = all(0 <= t[d] < shape[d] for d in range(k))
            if not inb or t not in seen:
                keep.append(j)
                seen.add(t)
        idx = [i[keep] for i in idx]
        n = len(keep)
    x = rng.standard_normal(shape)
    upd = rng.standard_normal((n,) + shape[k:])
    want = x.copy()
    for j in range(n):
        t = tuple(int(i[j]) for i in idx)
        if not all(0 <= t[d] < shape[d] for d in range(k)):
            continue
        cur = want[t]
        want[t] = {"set": upd[j], "add": cur + upd[j], "mul": cur * upd[j],
                   "min": np.minimum(cur, upd[j]), "max": np.maximum(cur, upd[j])}[mode]
    got = _scatter_impl(torch.from_numpy(x), torch.from_numpy(upd),
                        *[torch.from_numpy(i.astype(np.int32)) for i in idx], mode=mode)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12, atol=1e-12)
