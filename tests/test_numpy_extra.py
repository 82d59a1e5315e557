"""jnp breadth: sorting and set functions, padding, roll/tile/repeat, triangles and diagonals,
histograms, nan-aware reductions, quantiles, insert/delete, select/piecewise, interp, cross,
convolve, polyval — and the lax sort/top_k primitives under them.

Each function: eager against numpy, jit (eager backend) against eager, vmap against a loop, and
(where differentiable) jvp against finite differences and vjp against jvp, all in float64."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import jaxish as jax
import jaxish.numpy as jnp
from jaxish import lax

from breadth_helpers import enable_x64, check_jit, check_vmap, check_grads, normal as _r, x64  # noqa: F401

SETTINGS = dict(max_examples=12, deadline=None)


def _ints(shape, lo, hi, seed=0):
    return np.random.default_rng(seed).integers(lo, hi, shape)


def _pad_min(v, size):
    """JAX pads size=... set results with their smallest value."""
    return np.concatenate([v, np.full(size - v.size, v.min())])


def _np_put(x, idx, v, axis):
    x = x.copy()
    np.put_along_axis(x, idx, v, axis)
    return x


# ---- the case table: (name, jnp function, numpy oracle, args(seed), differentiable) ----------
def _pad(mode, width, **kw):
    return (lambda x: jnp.pad(x, width, mode=mode, **kw)), (lambda x: np.pad(x, width, mode=mode, **kw))


CASES = [
    ("sort_axis0", lambda x: jnp.sort(x, axis=0), lambda x: np.sort(x, axis=0), lambda s: [_r((5, 3), s)], True),
    ("sort_flat_desc", lambda x: jnp.sort(x, axis=None, descending=True), lambda x: np.sort(x, axis=None)[::-1],
     lambda s: [_r((3, 4), s)], True),
    ("argsort", lambda x: jnp.argsort(x), lambda x: np.argsort(x, kind="stable"), lambda s: [_ints((3, 7), 0, 4, s)],
     False),
    ("argsort_desc_stable", lambda x: jnp.argsort(x, descending=True),
     lambda x: (x.shape[-1] - 1 - np.argsort(x[..., ::-1], kind="stable")[..., ::-1]),
     lambda s: [_ints((2, 9), 0, 3, s)], False),
    ("lexsort", lambda a, b: jnp.lexsort((a, b)), lambda a, b: np.lexsort((a, b)),
     lambda s: [_ints((8,), 0, 3, s), _ints((8,), 0, 2, s + 1)], False),
    ("searchsorted_left", lambda a, v: jnp.searchsorted(a, v), lambda a, v: np.searchsorted(a, v).astype(np.int32),
     lambda s: [np.sort(_r((9,), s)), _r((4, 3), s + 1)], False),
    ("searchsorted_right", lambda a, v: jnp.searchsorted(a, v, side="right"),
     lambda a, v: np.searchsorted(a, v, side="right").astype(np.int32),
     lambda s: [np.array([0., 1, 1, 1, 2, 5]), _ints((7,), -1, 6, s).astype(float)], False),
    ("partition", lambda x: jnp.partition(x, 2)[..., :3], lambda x: np.sort(x, -1)[..., :3],
     lambda s: [_r((3, 6), s)], True),
    ("top_k", lambda x: lax.top_k(x, 3), lambda x: (-np.sort(-x, -1)[..., :3], np.argsort(-x, -1, kind="stable")[..., :3]
                                                     .astype(np.int32)), lambda s: [_r((2, 6), s)], True),
    ("unique_size", lambda x: jnp.unique(x, size=6, fill_value=-1),
     lambda x: np.concatenate([np.unique(x), -np.ones(6 - np.unique(x).size, x.dtype)]),
     lambda s: [_ints((10,), 0, 5, s)], False),
    ("diff", lambda x: jnp.diff(x, n=2, axis=0), lambda x: np.diff(x, n=2, axis=0), lambda s: [_r((5, 3), s)], True),
    ("diff_prepend", lambda x: jnp.diff(x, prepend=1.0, append=x[:1]), lambda x: np.diff(x, prepend=1.0, append=x[:1]),
     lambda s: [_r((6,), s)], True),
    ("ediff1d", lambda x: jnp.ediff1d(x, to_begin=-1.0), lambda x: np.ediff1d(x, to_begin=-1.0),
     lambda s: [_r((2, 3), s)], True),
    ("pad_constant", *_pad("constant", ((1, 2), (0, 3)), constant_values=((1.5, 2.0), (3.0, -1.0))),
     lambda s: [_r((3, 4), s)], True),
    ("pad_edge", *_pad("edge", ((2, 1), (3, 0))), lambda s: [_r((3, 4), s)], True),
    ("pad_reflect", *_pad("reflect", ((5, 2), (1, 4))), lambda s: [_r((3, 4), s)], True),
    ("pad_reflect_odd", *_pad("reflect", ((2, 7),), reflect_type="odd"), lambda s: [_r((4,), s)], True),
    ("pad_symmetric", *_pad("symmetric", ((4, 2), (0, 5))), lambda s: [_r((3, 4), s)], True),
    ("pad_symmetric_odd", *_pad("symmetric", ((5, 3),), reflect_type="odd"), lambda s: [_r((3,), s)], True),
    ("pad_wrap", *_pad("wrap", ((4, 1), (2, 6))), lambda s: [_r((3, 4), s)], True),
    ("pad_linear_ramp", *_pad("linear_ramp", ((2, 3), (1, 2)), end_values=((1.0, -2.0), (0.5, 4.0))),
     lambda s: [_r((3, 4), s)], True),
    ("pad_maximum", *_pad("maximum", ((1, 2), (2, 1)), stat_length=2), lambda s: [_r((3, 4), s)], True),
    ("pad_minimum", *_pad("minimum", ((1, 2), (2, 1))), lambda s: [_r((3, 4), s)], True),
    ("pad_mean", *_pad("mean", ((1, 2), (2, 1)), stat_length=((1, 2), (3, 2))), lambda s: [_r((3, 4), s)], True),
    ("pad_median", *_pad("median", ((2, 1),)), lambda s: [_r((5,), s)], True),
    ("pad_mean_int", *_pad("mean", ((2, 2),)), lambda s: [_ints((5,), 0, 9, s)], False),
    ("roll", lambda x: jnp.roll(x, (1, -2), axis=(0, 1)), lambda x: np.roll(x, (1, -2), axis=(0, 1)),
     lambda s: [_r((3, 5), s)], True),
    ("roll_flat", lambda x: jnp.roll(x, 7), lambda x: np.roll(x, 7), lambda s: [_r((3, 4), s)], True),
    ("tile", lambda x: jnp.tile(x, (2, 1, 3)), lambda x: np.tile(x, (2, 1, 3)), lambda s: [_r((2, 3), s)], True),
    ("repeat_scalar", lambda x: jnp.repeat(x, 3, axis=1), lambda x: np.repeat(x, 3, axis=1),
     lambda s: [_r((2, 3), s)], True),
    ("repeat_array", lambda x: jnp.repeat(x, np.array([2, 0, 1, 3]), axis=0),
     lambda x: np.repeat(x, [2, 0, 1, 3], axis=0), lambda s: [_r((4, 2), s)], True),
    ("repeat_total", lambda x: jnp.repeat(x, jnp.array([2, 0, 1, 3]), total_repeat_length=6),
     lambda x: np.repeat(x, [2, 0, 1, 3]), lambda s: [_r((4,), s)], True),
    ("tril", lambda x: jnp.tril(x, -1), lambda x: np.tril(x, -1), lambda s: [_r((2, 4, 3), s)], True),
    ("triu", lambda x: jnp.triu(x, 1), lambda x: np.triu(x, 1), lambda s: [_r((4, 5), s)], True),
    ("diagonal", lambda x: jnp.diagonal(x, 1, 2, 0), lambda x: np.diagonal(x, 1, 2, 0), lambda s: [_r((3, 2, 4), s)],
     True),
    ("trace", lambda x: jnp.trace(x, -1), lambda x: np.trace(x, -1), lambda s: [_r((4, 3), s)], True),
    ("diag_1d", lambda x: jnp.diag(x, 2), lambda x: np.diag(x, 2), lambda s: [_r((3,), s)], True),
    ("diag_2d", lambda x: jnp.diag(x, -1), lambda x: np.diag(x, -1), lambda s: [_r((4, 3), s)], True),
    ("meshgrid", lambda a, b: jnp.meshgrid(a, b), lambda a, b: np.meshgrid(a, b), lambda s: [_r((3,), s), _r((2,), s)],
     True),
    ("meshgrid_ij", lambda a, b: jnp.meshgrid(a, b, indexing="ij"), lambda a, b: np.meshgrid(a, b, indexing="ij"),
     lambda s: [_r((3,), s), _r((2,), s)], True),
    ("kron", jnp.kron, np.kron, lambda s: [_r((2, 3), s), _r((3, 2), s + 1)], True),
    ("histogram", lambda x: jnp.histogram(x, bins=4, range=(-2, 2)), lambda x: tuple(
        v.astype(np.float64) for v in np.histogram(x, bins=4, range=(-2, 2))), lambda s: [_r((20,), s)], False),
    ("histogram_density_weights", lambda x, w: jnp.histogram(x, bins=np.array([-3., -1, 0, 0.5, 3]), weights=w,
                                                             density=True),
     lambda x, w: np.histogram(x, bins=np.array([-3., -1, 0, 0.5, 3]), weights=w, density=True),
     lambda s: [_r((15,), s), np.abs(_r((15,), s + 1))], False),
    ("bincount", lambda x: jnp.bincount(x, length=8), lambda x: np.bincount(x, minlength=8)[:8],
     lambda s: [_ints((12,), 0, 10, s)], False),
    ("bincount_weights", lambda x, w: jnp.bincount(x, w, length=5), lambda x, w: np.bincount(x, w, minlength=5),
     lambda s: [_ints((9,), 0, 5, s), _r((9,), s)], False),
    ("nansum", lambda x: jnp.nansum(x, axis=1), lambda x: np.nansum(x, axis=1), lambda s: [_r((3, 4), s)], True),
    ("nanmean", lambda x: jnp.nanmean(x, axis=0), lambda x: np.nanmean(x, axis=0), lambda s: [_r((3, 4), s)], True),
    ("nanvar", lambda x: jnp.nanvar(x, axis=1, ddof=1), lambda x: np.nanvar(x, axis=1, ddof=1),
     lambda s: [_r((3, 4), s)], True),
    ("nanstd", lambda x: jnp.nanstd(x), lambda x: np.nanstd(x), lambda s: [_r((3, 4), s)], True),
    ("nanmax", lambda x: jnp.nanmax(x, axis=1), lambda x: np.nanmax(x, axis=1), lambda s: [_r((3, 4), s)], True),
    ("nanmin", lambda x: jnp.nanmin(x, axis=0), lambda x: np.nanmin(x, axis=0), lambda s: [_r((3, 4), s)], True),
    ("nanprod", lambda x: jnp.nanprod(x, axis=1), lambda x: np.nanprod(x, axis=1), lambda s: [_r((3, 4), s)], True),
    ("nanargmax", lambda x: jnp.nanargmax(x, axis=1), lambda x: np.nanargmax(x, axis=1), lambda s: [_r((3, 4), s)],
     False),
    ("nancumsum", lambda x: jnp.nancumsum(x, axis=1), lambda x: np.nancumsum(x, axis=1), lambda s: [_r((3, 4), s)],
     True),
    ("median", lambda x: jnp.median(x, axis=1), lambda x: np.median(x, axis=1), lambda s: [_r((3, 6), s)], True),
    ("median_all_keepdims", lambda x: jnp.median(x, keepdims=True), lambda x: np.median(x, keepdims=True),
     lambda s: [_r((3, 5), s)], True),
    ("quantile_linear", lambda x: jnp.quantile(x, np.array([0.1, 0.5, 0.93]), axis=0),
     lambda x: np.quantile(x, [0.1, 0.5, 0.93], axis=0), lambda s: [_r((7, 3), s)], True),
    ("quantile_nearest", lambda x: jnp.quantile(x, 0.3, axis=1, method="nearest"),
     lambda x: np.quantile(x, 0.3, axis=1, method="nearest"), lambda s: [_r((2, 8), s)], True),
    ("quantile_lower_higher_mid", lambda x: [jnp.quantile(x, 0.4, method=m) for m in ("lower", "higher", "midpoint")],
     lambda x: [np.quantile(x, 0.4, method=m) for m in ("lower", "higher", "midpoint")], lambda s: [_r((9,), s)],
     True),
    ("percentile", lambda x: jnp.percentile(x, 75.0, axis=(0, 2)), lambda x: np.percentile(x, 75.0, axis=(0, 2)),
     lambda s: [_r((3, 2, 4), s)], True),
    ("nanmedian", lambda x: jnp.nanmedian(x, axis=0), lambda x: np.nanmedian(x, axis=0), lambda s: [_r((5, 3), s)],
     True),
    ("insert", lambda x, v: jnp.insert(x, 1, v, axis=0), lambda x, v: np.insert(x, 1, v, axis=0),
     lambda s: [_r((3, 2), s), _r((2,), s + 1)], True),
    ("insert_many", lambda x: jnp.insert(x, np.array([0, 2, 2]), 7.0), lambda x: np.insert(x, [0, 2, 2], 7.0),
     lambda s: [_r((4,), s)], True),
    ("delete", lambda x: jnp.delete(x, np.array([0, 2]), axis=1), lambda x: np.delete(x, [0, 2], axis=1),
     lambda s: [_r((2, 4), s)], True),
    ("append", lambda a, b: jnp.append(a, b, axis=0), lambda a, b: np.append(a, b, axis=0),
     lambda s: [_r((2, 3), s), _r((1, 3), s)], True),
    ("select", lambda x: jnp.select([x > 0.5, x < -0.5], [x * 2, -x], 0.0),
     lambda x: np.select([x > 0.5, x < -0.5], [x * 2, -x], 0.0), lambda s: [_r((10,), s)], True),
    ("piecewise", lambda x: jnp.piecewise(x, [x < 0, x > 1], [lambda t: t ** 2, lambda t: 3 * t, 1.5]),
     lambda x: np.piecewise(x, [x < 0, x > 1], [lambda t: t ** 2, lambda t: 3 * t, 1.5]),
     lambda s: [_r((10,), s)], True),
    ("interp", lambda x: jnp.interp(x, np.array([-1.0, 0.0, 0.5, 2.0]), np.array([1.0, -2.0, 0.0, 3.0])),
     lambda x: np.interp(x, [-1.0, 0.0, 0.5, 2.0], [1.0, -2.0, 0.0, 3.0]), lambda s: [_r((8,), s, 1.5)], True),
    ("interp_lr_period", lambda x: [jnp.interp(x, np.array([0.0, 1.0, 3.0]), np.array([2.0, 0.0, 1.0]), left=-9,
                                               right=9),
                                    jnp.interp(x, np.array([0.0, 1.0, 3.0]), np.array([2.0, 0.0, 1.0]), period=4)],
     lambda x: [np.interp(x, [0.0, 1.0, 3.0], [2.0, 0.0, 1.0], left=-9, right=9),
                np.interp(x, [0.0, 1.0, 3.0], [2.0, 0.0, 1.0], period=4)], lambda s: [_r((8,), s, 3)], True),
    ("cross3", lambda a, b: jnp.cross(a, b), lambda a, b: np.cross(a, b), lambda s: [_r((4, 3), s), _r((4, 3), s + 1)],
     True),
    ("cross2", lambda a, b: jnp.cross(a, b), lambda a, b: a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0],
     lambda s: [_r((4, 2), s), _r((4, 2), s + 1)], True),
    ("convolve", lambda a, v: [jnp.convolve(a, v, mode=m) for m in ("full", "same", "valid")],
     lambda a, v: [np.convolve(a, v, mode=m) for m in ("full", "same", "valid")],
     lambda s: [_r((7,), s), _r((3,), s + 1)], True),
    ("correlate", lambda a, v: [jnp.correlate(a, v, mode=m) for m in ("full", "same", "valid")],
     lambda a, v: [np.correlate(a, v, mode=m) for m in ("full", "same", "valid")],
     lambda s: [_r((3,), s), _r((6,), s + 1)], True),
    ("polyval", jnp.polyval, np.polyval, lambda s: [_r((4,), s), _r((5,), s + 1)], True),
    ("rot90", lambda x: jnp.rot90(x, 3), lambda x: np.rot90(x, 3), lambda s: [_r((2, 3), s)], True),
    ("vander", lambda x: jnp.vander(x, 4), lambda x: np.vander(x, 4), lambda s: [_r((3,), s)], True),
    ("cov", jnp.cov, np.cov, lambda s: [_r((3, 6), s)], True),
    ("corrcoef", jnp.corrcoef, np.corrcoef, lambda s: [_r((3, 6), s)], True),
    ("trapezoid", lambda y: jnp.trapezoid(y, dx=0.5, axis=0), lambda y: np.trapezoid(y, dx=0.5, axis=0)
     if hasattr(np, "trapezoid") else np.trapz(y, dx=0.5, axis=0), lambda s: [_r((5, 2), s)], True),
    ("isin", lambda a, b: jnp.isin(a, b), np.isin, lambda s: [_ints((3, 4), 0, 8, s), _ints((5,), 0, 8, s + 1)],
     False),
    ("intersect1d", lambda a, b: jnp.intersect1d(a, b, size=3, fill_value=-1),
     lambda a, b: np.concatenate([np.intersect1d(a, b), -np.ones(3, int)])[:3],
     lambda s: [np.array([5, 1, 3, 3, 7, 9]) + s, np.array([3, 9, 2, 2, 8]) + s], False),
    ("union1d", lambda a, b: jnp.union1d(a, b, size=10), lambda a, b: _pad_min(np.union1d(a, b), 10),
     lambda s: [_ints((6,), 0, 9, s), _ints((4,), 0, 9, s + 1)], False),
    ("setdiff1d", lambda a, b: jnp.setdiff1d(a, b, size=8),
     lambda a, b: np.concatenate([np.setdiff1d(a, b), np.zeros(8, int)])[:8],
     lambda s: [_ints((8,), 0, 9, s), _ints((4,), 0, 9, s + 1)], False),
    ("setxor1d", lambda a, b: jnp.setxor1d(a, b, size=11), lambda a, b: _pad_min(np.setxor1d(a, b), 11),
     lambda s: [_ints((6,), 0, 9, s), _ints((5,), 0, 9, s + 1)], False),
    ("put_along_axis", lambda x, v: jnp.put_along_axis(x, np.array([[0], [2], [1]]), v, axis=1, inplace=False),
     lambda x, v: _np_put(x, np.array([[0], [2], [1]]), v, 1), lambda s: [_r((3, 4), s), _r((3, 1), s + 1)], True),
    ("gradient", lambda x: jnp.gradient(x), lambda x: np.gradient(x), lambda s: [_r((4, 5), s)], True),
    ("gradient_coords", lambda x: jnp.gradient(x, np.array([0.0, 0.5, 2.0, 2.5, 4.0])),
     lambda x: np.gradient(x, np.array([0.0, 0.5, 2.0, 2.5, 4.0])), lambda s: [_r((5,), s)], True),
    ("unstack", lambda x: jnp.unstack(x, axis=1), lambda x: tuple(np.moveaxis(x, 1, 0)), lambda s: [_r((2, 3), s)],
     True),
    ("angle", lambda re, im: jnp.angle(re + 1j * im, deg=True), lambda re, im: np.angle(re + 1j * im, deg=True),
     lambda s: [_r((5,), s), _r((5,), s + 1)], False),
    ("gcd_lcm", lambda a, b: (jnp.gcd(a, b), jnp.lcm(a, b)), lambda a, b: (np.gcd(a, b), np.lcm(a, b)),
     lambda s: [_ints((7,), -30, 30, s), _ints((7,), -30, 30, s + 1)], False),
    ("polyadd_polysub", lambda a, b: (jnp.polyadd(a, b), jnp.polysub(b, a)),
     lambda a, b: (np.polyadd(a, b), np.polysub(b, a)), lambda s: [_r((3,), s), _r((5,), s + 1)], True),
    ("polymul", jnp.polymul, np.polymul, lambda s: [_r((3,), s), _r((4,), s + 1)], True),
    ("polyder_polyint", lambda p: (jnp.polyder(p, 2), jnp.polyint(p, 2, k=np.array([1.0, -2.0]))),
     lambda p: (np.polyder(p, 2), np.polyint(p, 2, k=[1.0, -2.0])), lambda s: [_r((5,), s)], True),
    ("compress", lambda x: jnp.compress(np.array([True, False, True]), x, axis=1),
     lambda x: np.compress([True, False, True], x, axis=1), lambda s: [_r((2, 4), s)], True),
    ("compress_size", lambda c, x: jnp.compress(c, x, size=3, fill_value=-7.0),
     lambda c, x: np.concatenate([np.compress(c, x), np.full(3, -7.0)])[:3],
     lambda s: [_ints((5,), 0, 2, s).astype(bool), _r((5,), s)], False),
    ("extract", lambda c, x: jnp.extract(c, x, size=4), lambda c, x: np.concatenate([np.extract(c, x), np.zeros(4)])[:4],
     lambda s: [_ints((2, 3), 0, 2, s).astype(bool), _r((2, 3), s)], False),
    ("choose", lambda i, a, b: jnp.choose(i, [a, b], mode="wrap"), lambda i, a, b: np.choose(i, [a, b], mode="wrap"),
     lambda s: [_ints((5,), -3, 4, s), _r((5,), s), _r((5,), s + 1)], False),
    ("apply_along_axis", lambda x: jnp.apply_along_axis(lambda v: jnp.stack([v.sum(), (v * v).max()]), 1, x),
     lambda x: np.apply_along_axis(lambda v: np.stack([v.sum(), (v * v).max()]), 1, x), lambda s: [_r((2, 3, 4), s)],
     True),
    ("resize", lambda x: jnp.resize(x, (3, 5)), lambda x: np.resize(x, (3, 5)), lambda s: [_r((2, 3), s)], True),
    ("matvec_vecmat", lambda m, v: (jnp.matvec(m, v), jnp.vecmat(v, jnp.swapaxes(m, -1, -2))),
     lambda m, v: (m @ v, v @ np.swapaxes(m, -1, -2)), lambda s: [_r((2, 3, 4), s), _r((4,), s + 1)], True),
]
IDS = [c[0] for c in CASES]


def _np_args(case, seed=0):
    return case[3](seed)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_eager_matches_numpy(case):
    name, f, ref, make, _ = case
    args = _np_args(case)
    got = f(*[jnp.asarray(a) for a in args])
    want = ref(*args)
    got_l, want_l = jax.tree_util.tree_leaves(got), jax.tree_util.tree_leaves(want)
    assert len(got_l) == len(want_l)
    for g, w in zip(got_l, want_l):
        g = np.asarray(g)
        assert g.shape == np.shape(w), (name, g.shape, np.shape(w))
        np.testing.assert_allclose(g, w, rtol=1e-9, atol=1e-12, err_msg=name)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_jit_matches_eager(case):
    check_jit(case[1], *[jnp.asarray(a) for a in _np_args(case)])


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_vmap_matches_loop(case):
    name, f, _, make, _ = case
    sets = [make(s) for s in (0, 1, 2)]
    batched = [jnp.asarray(np.stack(parts)) for parts in zip(*sets)]
    check_vmap(f, *batched)
    # one operand batched along a later axis, the others shared
    if len(batched) > 1:
        moved = jnp.moveaxis(batched[0], 0, -1)
        check_vmap(f, moved, *[jnp.asarray(a) for a in sets[0][1:]],
                   in_axes=(-1 % moved.ndim,) + (None,) * (len(batched) - 1))


DIFF = [c for c in CASES if c[4]]


@pytest.mark.parametrize("case", DIFF, ids=[c[0] for c in DIFF])
def test_grads_match_finite_differences(case):
    args = [np.asarray(a, dtype=np.float64) for a in _np_args(case, seed=3)]
    fixed = [jnp.asarray(a) for a in args]
    ints = [not np.issubdtype(np.asarray(a).dtype, np.floating) for a in _np_args(case, seed=3)]
    if any(ints):
        pytest.skip("integer operand")
    check_grads(case[1], *fixed)


# ---- properties over drawn shapes -------------------------------------------------------------
@settings(**SETTINGS)
@given(st.lists(st.integers(1, 5), min_size=1, max_size=3), st.integers(0, 10_000), st.booleans())
def test_argsort_is_a_stable_sorting_permutation(shape, seed, desc):
    x = _ints(tuple(shape), 0, 3, seed)
    axis = seed % len(shape)
    idx = np.asarray(jnp.argsort(jnp.asarray(x), axis=axis, descending=desc))
    ref = np.argsort(-x if desc else x, axis=axis, kind="stable")
    np.testing.assert_array_equal(idx, ref)
    np.testing.assert_array_equal(np.asarray(jnp.sort(jnp.asarray(x), axis=axis, descending=desc)),
                                  np.take_along_axis(x, ref, axis))


@settings(**SETTINGS)
@given(st.integers(1, 6), st.integers(1, 6), st.integers(0, 9), st.integers(0, 9),
       st.sampled_from(["constant", "edge", "reflect", "symmetric", "wrap", "maximum", "minimum", "mean",
                        "linear_ramp"]), st.integers(0, 1000))
def test_pad_modes_match_numpy(n, m, lo, hi, mode, seed):
    x = _r((n, m), seed)
    if mode == "reflect" and n == 1:
        mode = "symmetric"
    got = jnp.pad(jnp.asarray(x), ((lo, hi), (hi, lo)), mode=mode)
    np.testing.assert_allclose(np.asarray(got), np.pad(x, ((lo, hi), (hi, lo)), mode=mode), rtol=1e-12, atol=1e-12)


@settings(**SETTINGS)
@given(st.lists(st.integers(1, 5), min_size=1, max_size=3), st.floats(0, 1), st.integers(0, 1000),
       st.sampled_from(["linear", "lower", "higher", "midpoint", "nearest"]))
def test_quantile_matches_numpy(shape, q, seed, method):
    x = _r(tuple(shape), seed)
    axis = seed % len(shape)
    got = jnp.quantile(jnp.asarray(x), q, axis=axis, method=method)
    np.testing.assert_allclose(np.asarray(got), np.quantile(x, q, axis=axis, method=method), rtol=1e-12, atol=1e-12)


@settings(**SETTINGS)
@given(st.integers(1, 12), st.integers(0, 1000))
def test_unique_with_size_matches_numpy(n, seed):
    x = _ints((n,), 0, 6, seed)
    vals, idx, inv, cnt = np.unique(x, return_index=True, return_inverse=True, return_counts=True)
    k = vals.size
    size = k + seed % 3
    u, ui, uinv, uc = jnp.unique(jnp.asarray(x), return_index=True, return_inverse=True, return_counts=True,
                                 size=size)
    np.testing.assert_array_equal(np.asarray(u)[:k], vals)
    np.testing.assert_array_equal(np.asarray(u)[k:], np.full(size - k, vals[0]))
    np.testing.assert_array_equal(np.asarray(ui)[:k], idx)
    np.testing.assert_array_equal(np.asarray(uinv), inv.reshape(-1))
    np.testing.assert_array_equal(np.asarray(uc), np.concatenate([cnt, np.zeros(size - k, int)]))


# ---- semantics: values JAX gives (checked against jax 0.10.2) ---------------------------------
def test_sort_and_argsort_nan_and_descending_ties():
    x = jnp.array([3., 1., 2., 1., 3., np.nan, 0.])
    np.testing.assert_array_equal(np.asarray(jnp.argsort(x, descending=True)), [5, 0, 4, 2, 1, 3, 6])
    np.testing.assert_array_equal(np.asarray(jnp.argsort(x)), [6, 1, 3, 2, 0, 4, 5])
    np.testing.assert_array_equal(np.asarray(jnp.sort(x)), [0., 1., 1., 2., 3., 3., np.nan])
    assert jnp.argsort(x).dtype == jnp.int64  # x64 on: default int


def test_unique_fill_and_truncation_as_jax():
    x = jnp.array([3., 1., 2., 1., 3., np.nan, 0.])
    np.testing.assert_array_equal(np.asarray(jnp.unique(x, size=9)), [0., 1., 2., 3., np.nan, 0., 0., 0., 0.])
    u, i, inv, c = jnp.unique(x, size=3, return_index=True, return_inverse=True, return_counts=True)
    np.testing.assert_array_equal(np.asarray(u), [0., 1., 2.])
    np.testing.assert_array_equal(np.asarray(i), [6, 1, 2])
    np.testing.assert_array_equal(np.asarray(inv), [3, 1, 2, 1, 3, 4, 0])
    np.testing.assert_array_equal(np.asarray(c), [1, 2, 1])
    rows = jnp.unique(jnp.array([[1, 2], [0, 5], [1, 2]]), axis=0, return_index=True, return_inverse=True,
                      return_counts=True, size=4)
    np.testing.assert_array_equal(np.asarray(rows[0]), [[0, 5], [1, 2], [0, 5], [0, 5]])
    np.testing.assert_array_equal(np.asarray(rows[1]), [1, 0, 1, 1])
    np.testing.assert_array_equal(np.asarray(rows[2]), [1, 0, 1])
    np.testing.assert_array_equal(np.asarray(rows[3]), [1, 2, 0, 0])


def test_set_operations_eager_without_size():
    a, b = jnp.array([5, 1, 3, 3, 7, 9]), jnp.array([3, 9, 2, 2, 8])
    np.testing.assert_array_equal(np.asarray(jnp.union1d(a, b)), [1, 2, 3, 5, 7, 8, 9])
    np.testing.assert_array_equal(np.asarray(jnp.setxor1d(a, b)), [1, 2, 5, 7, 8])
    np.testing.assert_array_equal(np.asarray(jnp.intersect1d(a, b, size=4)), [3, 9, 3, 3])
    np.testing.assert_array_equal(np.asarray(jnp.setdiff1d(jnp.array([1, 1]), jnp.array([1]), size=2)), [0, 0])
    v, i1, i2 = jnp.intersect1d(a, b, return_indices=True)
    np.testing.assert_array_equal(np.asarray(i1), [2, 5])
    np.testing.assert_array_equal(np.asarray(i2), [0, 1])
    with pytest.raises(jax.ConcretizationTypeError):
        jax.jit(jnp.union1d)(a, b)


def test_unique_without_size_under_jit_is_a_concretization_error():
    with pytest.raises(jax.ConcretizationTypeError):
        jax.jit(jnp.unique)(jnp.array([1, 2, 2]))
    out = jax.jit(lambda x: jnp.unique(x, size=3, fill_value=9))(jnp.array([2, 2, 1]))
    np.testing.assert_array_equal(np.asarray(out), [1, 2, 9])


def test_partition_and_argpartition_layout_as_jax():
    a = jnp.array([5, 2, 7, 1, 9, 3])
    np.testing.assert_array_equal(np.asarray(jnp.partition(a, 2)), [1, 2, 3, 9, 7, 5])
    np.testing.assert_array_equal(np.asarray(jnp.argpartition(a, 2)), [3, 1, 5, 0, 2, 4])
    m = jnp.array([[5., 2, 7, 1], [9, 3, 0, -1]])
    p = np.asarray(jnp.argpartition(m, 2, axis=1))
    np.testing.assert_array_equal(p, [[3, 1, 0, 2], [3, 2, 1, 0]])


def test_lax_sort_multi_operand_and_num_keys():
    k1 = jnp.array([2, 1, 2, 1, 0])
    k2 = jnp.array([0., 5., -1., 5., 3.])
    v = jnp.arange(5)
    a, b, c = lax.sort((k1, k2, v), num_keys=2)
    np.testing.assert_array_equal(np.asarray(c), [4, 1, 3, 2, 0])
    a, b, c = lax.sort((k1, k2, v), num_keys=1)
    np.testing.assert_array_equal(np.asarray(c), [4, 1, 3, 0, 2])  # stable on ties of k1
    z = jnp.array([1 + 2j, 1 - 1j, 0 + 5j])
    np.testing.assert_array_equal(np.asarray(lax.sort(z)), np.array([0 + 5j, 1 - 1j, 1 + 2j]))
    kk, vv = lax.sort_key_val(jnp.array([3., 1., 2.]), jnp.array([0, 1, 2]))
    np.testing.assert_array_equal(np.asarray(vv), [1, 2, 0])
    with pytest.raises(ValueError, match="num_keys"):
        lax.sort((k1, k2), num_keys=3)
    with pytest.raises(TypeError, match="same shape"):
        lax.sort((k1, jnp.arange(4)))


def test_sort_grad_permutes_cotangents_and_composes_with_jit():
    x = jnp.array([3., 1., 2.])
    g = jax.grad(lambda x: (jnp.sort(x) * jnp.array([1., 10., 100.])).sum())(x)
    np.testing.assert_array_equal(np.asarray(g), [100., 1., 10.])
    g2 = jax.jit(jax.grad(lambda x: (lax.top_k(x, 2)[0] * jnp.array([1., 10.])).sum()))(x)
    np.testing.assert_array_equal(np.asarray(g2), [1., 0., 10.])
    h = jax.jacfwd(lambda x: jnp.sort(x))(x)
    np.testing.assert_array_equal(np.asarray(h), [[0, 1, 0], [0, 0, 1], [1, 0, 0]])


def test_top_k_errors_and_ties():
    v, i = lax.top_k(jnp.array([1., 3., 3., 2.]), 3)
    np.testing.assert_array_equal(np.asarray(i), [1, 2, 3])
    assert i.dtype == jnp.int32
    with pytest.raises(TypeError, match="minor dimension"):
        lax.top_k(jnp.ones(3), 4)


def test_round_half_to_even_and_float_to_int_casts():
    np.testing.assert_array_equal(np.asarray(jnp.round(jnp.array([0.5, 1.5, 2.5, -0.5, -1.5]))),
                                  [0., 2., 2., -0., -2.])
    np.testing.assert_array_equal(np.asarray(jnp.round(jnp.array([1.25, 1.35]), 1)), [1.2, 1.4])
    # out-of-range saturates, NaN becomes 0, truncation toward zero (JAX on CPU)
    got = jnp.array([1e10, -1e10, np.nan, 2.7, -2.7]).astype(jnp.int32)
    np.testing.assert_array_equal(np.asarray(got), [2147483647, -2147483648, 0, 2, -2])
    np.testing.assert_array_equal(np.asarray(jnp.array([300., -5, 2.7]).astype(jnp.uint8)), [255, 0, 2])


def test_where_one_argument_with_size_and_nonzero():
    x = jnp.array([0, 3, 0, 5])
    (i,) = jnp.where(x, size=3, fill_value=-1)
    np.testing.assert_array_equal(np.asarray(i), [1, 3, -1])
    out = jax.jit(lambda x: jnp.argwhere(x > 0, size=3))(x)
    np.testing.assert_array_equal(np.asarray(out), [[1], [3], [0]])


def test_bincount_clips_negatives_and_drops_overflow():
    np.testing.assert_array_equal(np.asarray(jnp.bincount(jnp.array([-1, 1, 9]), length=5)), [1, 1, 0, 0, 0])
    with pytest.raises(jax.ConcretizationTypeError):
        jax.jit(jnp.bincount)(jnp.array([1, 2]))
    with pytest.raises(TypeError, match="integer"):
        jnp.bincount(jnp.array([1.0]))


def test_histogram_counts_are_float_and_right_edge_inclusive():
    h, e = jnp.histogram(jnp.array([0., 1., 2., 3., 4.]), bins=2)
    np.testing.assert_array_equal(np.asarray(h), [2., 3.])
    assert h.dtype == jnp.float64
    np.testing.assert_array_equal(np.asarray(e), [0., 2., 4.])


def test_repeat_needs_static_length_under_jit():
    with pytest.raises(jax.ConcretizationTypeError):
        jax.jit(lambda r: jnp.repeat(jnp.arange(3), r))(jnp.array([1, 2, 1]))
    out = jax.jit(lambda r: jnp.repeat(jnp.arange(3), r, total_repeat_length=5))(jnp.array([1, 2, 1]))
    np.testing.assert_array_equal(np.asarray(out), [0, 1, 1, 2, 2])


def test_roll_with_traced_shift():
    f = jax.jit(lambda x, s: jnp.roll(x, s))
    x = jnp.arange(5)
    for s in (-7, -1, 0, 2, 11):
        np.testing.assert_array_equal(np.asarray(f(x, s)), np.roll(np.arange(5), s))


def test_pad_errors():
    with pytest.raises(NotImplementedError, match="Unimplemented padding mode"):  # as JAX
        jnp.pad(jnp.ones(3), 1, mode="nope")
    with pytest.raises(ValueError, match="negative"):
        jnp.pad(jnp.ones(3), -1)
    with pytest.raises(ValueError, match="empty axis"):
        jnp.pad(jnp.ones((0,)), 1, mode="edge")


def test_nan_reductions_with_all_nan_slices():
    a = jnp.array([[np.nan, np.nan], [1.0, np.nan]])
    np.testing.assert_array_equal(np.asarray(jnp.nanmax(a, axis=1)), [np.nan, 1.0])
    np.testing.assert_array_equal(np.asarray(jnp.nanargmax(a, axis=1)), [-1, 0])
    np.testing.assert_array_equal(np.asarray(jnp.nansum(a)), 1.0)
    np.testing.assert_allclose(np.asarray(jnp.nanquantile(a, 0.5, axis=1)), [np.nan, 1.0])
    np.testing.assert_allclose(np.asarray(jnp.quantile(a, 0.5, axis=1)), [np.nan, np.nan])


def test_indexing_extras_compose_with_new_functions():
    x = jnp.asarray(_r((4, 5)))
    s = jnp.sort(x, axis=1)[::-1, None, ..., jnp.array([0, -1])]
    np.testing.assert_allclose(np.asarray(s), np.sort(np.asarray(x), 1)[::-1, None, ..., [0, -1]])
    d = jnp.diag(jnp.arange(3.0)).at[jnp.array([0, 5]), 1].add(10.0)  # out-of-bounds write dropped
    np.testing.assert_array_equal(np.asarray(d), [[0, 10, 0], [0, 1, 0], [0, 0, 2]])
    m = jnp.pad(jnp.arange(3.0), 1, mode="wrap")[jnp.array([True, False, True, True, False])]
    np.testing.assert_array_equal(np.asarray(m), [2., 1., 2.])


def test_float32_stays_float32():
    with enable_x64(False):
        x = jnp.ones((3, 3), jnp.float32)
        for out in (jnp.sort(x), jnp.median(x), jnp.pad(x, 1, mode="reflect"), jnp.nanmean(x),
                    jnp.quantile(x, 0.5), jnp.interp(x, jnp.arange(3.0), jnp.arange(3.0)), jnp.kron(x, x)):
            assert out.dtype == jnp.float32
        assert jnp.argsort(x).dtype == jnp.int32


def test_default_backend_jit_of_a_composite():
    def f(x, w):
        y = jnp.pad(jnp.sort(x, axis=1), ((0, 0), (1, 1)), mode="edge")
        return jnp.median(y, axis=1) + jnp.nanmean(x) + jnp.interp(w, jnp.arange(3.0), jnp.array([1.0, 0.0, 2.0]))
    check_jit(f, jnp.asarray(_r((4, 5))), jnp.asarray(_r((4,))), default_backend=True)
