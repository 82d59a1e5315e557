"""jnp additions of numpy/more.py and jnp.linalg.eig/eigvals: eager against numpy (or constants
from real JAX), jit (eager backend and the fused default) against eager, vmap against a loop, and
jvp/vjp against finite differences (float64) where JAX's version is differentiable."""
import numpy as np
import pytest
import torch

import jaxish as jax
import jaxish.numpy as jnp

from breadth_helpers import enable_x64, check_jit, check_vmap, check_grads, normal as _r, x64  # noqa: F401


def _close(got, want, rtol=1e-6, atol=0.0, dtype=None):
    got = np.asarray(got)
    if dtype is not None:
        assert got.dtype == np.dtype(dtype), (got.dtype, dtype)
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, equal_nan=True)


_SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, 2.0, 3.0, -5.5, 1e-3, 7e10, np.inf, -np.inf, np.nan]


def _float_samples(dt, seed=0):
    info = np.finfo(dt)
    rng = np.random.default_rng(seed)
    vals = list(_SPECIAL) + [float(info.tiny), float(info.smallest_subnormal), -3 * float(info.smallest_subnormal),
                             float(info.tiny) / 3, float(info.max), -float(info.max), float(np.nextafter(dt(1), dt(2))),
                             float(np.nextafter(dt(1), dt(0)))]
    vals += list(rng.standard_normal(20) * 10.0 ** rng.integers(-30, 30, 20))
    with np.errstate(over="ignore"):
        return np.asarray(vals, dtype=dt)


# ---- frexp / ldexp / modf / spacing -----------------------------------------------------------
@pytest.mark.parametrize("dt", [np.float32, np.float64, np.float16])
def test_frexp_matches_numpy(dt):
    x = _float_samples(dt)
    m, e = jnp.frexp(x)
    wm, we = np.frexp(x)
    _close(m, wm, rtol=0, dtype=dt)
    assert np.asarray(e).dtype == np.int32
    fin = np.isfinite(x)
    np.testing.assert_array_equal(np.asarray(e)[fin], we[fin])
    np.testing.assert_array_equal(np.asarray(e)[~fin], 0)


def test_frexp_dtypes_and_errors():
    with enable_x64(False):
        m, e = jnp.frexp(jnp.arange(4))
        _close(m, [0, 0.5, 0.5, 0.75], dtype=np.float32)
        np.testing.assert_array_equal(e, [0, 1, 2, 2])
        assert e.dtype == np.int32
    with pytest.raises(TypeError, match="complex"):
        jnp.frexp(jnp.array([1j]))


def test_frexp_transforms():
    x = _float_samples(np.float64)
    fin = x[np.isfinite(x) & (np.abs(x) < 1e300)]
    check_jit(jnp.frexp, fin, default_backend=True, rtol=0, atol=0)
    check_vmap(jnp.frexp, fin.reshape(-1, 1))
    check_grads(lambda x: jnp.frexp(x)[0], _r((6,), 1) * 10)
    # JAX: d mantissa / dx = 2**-exponent
    _close(jax.grad(lambda x: jnp.frexp(x)[0])(5.0), 0.125)


@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_ldexp_matches_numpy(dt):
    info = np.finfo(dt)
    x = np.asarray([1.0, -3.0, 0.7, float(info.tiny), float(info.smallest_subnormal), 0.0, np.inf, -np.inf,
                    np.nan, 1.5, 1.0, 3.0, float(info.max)], dt)
    n = np.asarray([3, -2, info.minexp - 5, 40, info.maxexp + 10, 7, -3, 4, 1, info.maxexp - 1,
                    info.minexp - info.nmant - 1, -5000, -info.maxexp * 2], np.int32)
    got = jnp.ldexp(x, n)
    with np.errstate(over="ignore"):
        want = np.ldexp(x, n)
    _close(got, want, rtol=0, dtype=dt)


def test_ldexp_dtypes_errors_and_transforms():
    with enable_x64(False):
        _close(jnp.ldexp(3, 4), 48.0, dtype=np.float32)
        _close(jnp.ldexp(jnp.array([3], jnp.uint8), jnp.array([4], jnp.uint8)), [48.0], dtype=np.float32)
        _close(jnp.ldexp(jnp.array([3.0], jnp.float16), 2), [12.0], dtype=np.float16)
        _close(jnp.ldexp(jnp.array([1.0, 3.0]), jnp.array([2, 200])), [4.0, np.inf])
    with pytest.raises(ValueError, match="ldexp not supported"):
        jnp.ldexp(3.0, 4.0)
    with pytest.raises(ValueError, match="ldexp not supported"):
        jnp.ldexp(3j, 4)
    x, n = _r((5,), 2) * 100, np.asarray([0, 3, -7, 20, -1030])
    check_jit(jnp.ldexp, x, n, default_backend=True, rtol=0, atol=0)
    check_vmap(jnp.ldexp, x, n)
    check_grads(lambda x: jnp.ldexp(x, np.asarray([3, -2, 0, 1, 5])), x)


def test_modf():
    x = np.asarray([-1.5, 2.25, np.inf, -np.inf, -0.0, 0.3, -7.0, np.nan])
    f, w = jnp.modf(x)
    wf, ww = np.modf(x)
    wf[np.isinf(x)] = np.nan  # JAX: x - whole, so NaN for infinities (NumPy gives 0)
    _close(f, wf, rtol=0)
    _close(w, ww, rtol=0)
    assert np.signbit(np.asarray(w)[4])
    with enable_x64(False):
        f, w = jnp.modf(jnp.arange(3))
        assert f.dtype == w.dtype == np.float32
    with pytest.raises(TypeError, match="complex"):
        jnp.modf(jnp.array([1j]))
    check_grads(lambda x: jnp.modf(x)[0], _r((5,), 3) * 4)
    check_jit(jnp.modf, _r((3, 4), 4) * 5, default_backend=True)
    check_vmap(jnp.modf, _r((3, 4), 5) * 5)


@pytest.mark.parametrize("dt", [np.float32, np.float64, np.float16])
def test_spacing(dt):
    x = _float_samples(dt)
    with np.errstate(over="ignore", invalid="ignore"):
        want = np.spacing(x) if dt != np.float16 else np.nextafter(x, dt(np.inf)) - x  # JAX's float16 rule
    if dt != np.float16:  # JAX (and so jaxish): spacing(-0.0) is the negative smallest subnormal
        want[(x == 0) & np.signbit(x)] = -np.finfo(dt).smallest_subnormal
    _close(jnp.spacing(x), want, rtol=0, dtype=dt)


def test_spacing_errors_and_jit():
    with pytest.raises(ValueError, match="complex"):
        jnp.spacing(jnp.array([1j]))
    with enable_x64(False):
        _close(jnp.spacing(jnp.arange(3)), np.spacing(np.arange(3, dtype=np.float32)), dtype=np.float32)
    check_jit(jnp.spacing, _r((7,), 6) * 1e3, default_backend=True, rtol=0, atol=0)


# ---- i0 and windows ---------------------------------------------------------------------------
def test_i0_matches_numpy():
    x = np.concatenate([np.linspace(-40, 40, 161), [0.0, 1e-8, 19.99, 20.0, 20.01, 100.0, 700.0, 1000.0,
                                                     np.inf, -np.inf, np.nan]])
    with np.errstate(over="ignore"):
        want = np.i0(x)
    _close(jnp.i0(x), want, rtol=1e-13, dtype=np.float64)
    with enable_x64(False):
        xs = np.linspace(-30, 30, 61).astype(np.float32)
        _close(jnp.i0(xs), np.i0(xs.astype(np.float64)), rtol=3e-6, dtype=np.float32)
        _close(jnp.i0(jnp.arange(3)), [1.0, 1.2660658, 2.2795851], rtol=1e-6, dtype=np.float32)
    with pytest.raises(ValueError, match="complex"):
        jnp.i0(jnp.array([1j]))


def test_i0_transforms():
    check_grads(jnp.i0, np.asarray([-25.0, -3.0, 0.4, 2.0, 19.5, 21.0, 40.0]))
    assert float(jax.grad(jnp.i0)(0.0)) == 0.0
    # I0' = I1
    _close(jax.grad(jnp.i0)(1.0), 0.5651591039924851, rtol=1e-12)
    check_jit(jnp.i0, np.linspace(-30, 30, 13), default_backend=True, rtol=1e-12)
    check_vmap(jnp.i0, _r((4, 3), 7) * 10)


@pytest.mark.parametrize("name", ["bartlett", "blackman", "hamming", "hanning"])
@pytest.mark.parametrize("M", [0, 1, 2, 5, 8])
def test_windows(name, M):
    got = getattr(jnp, name)(M)
    _close(got, getattr(np, name)(M), rtol=1e-12, atol=1e-14, dtype=np.float64)


def test_windows_dtypes_and_errors():
    with enable_x64(False):
        assert jnp.hamming(5).dtype == np.float32
        _close(jnp.bartlett(5.0), np.bartlett(5), rtol=1e-6)
    with pytest.raises(TypeError):
        jnp.hanning(-2)
    with pytest.raises(jax.errors.ConcretizationTypeError):
        jax.jit(jnp.bartlett)(4)


def test_kaiser():
    for M, beta in [(0, 1.0), (1, 3.0), (5, 3.0), (8, 14.0), (6, 0.0)]:
        _close(jnp.kaiser(M, beta), np.kaiser(M, beta), rtol=1e-12, atol=1e-15)
    f = lambda b: jnp.kaiser(4, b)
    _close(jax.jit(f)(2.0), np.kaiser(4, 2.0), rtol=1e-12)
    check_grads(f, np.asarray(2.5))


# ---- geomspace --------------------------------------------------------------------------------
@pytest.mark.parametrize("start,stop,num,endpoint", [(1, 1000, 4, True), (-1, -1000, 5, True), (2.0, 32.0, 4, False),
                                                     (1, 10, 1, True), (1, 10, 0, True), (0.5, 3.0, 7, True)])
def test_geomspace(start, stop, num, endpoint):
    _close(jnp.geomspace(start, stop, num, endpoint=endpoint), np.geomspace(start, stop, num, endpoint=endpoint),
           rtol=1e-12)


def test_geomspace_variants():
    _close(jnp.geomspace(1j, 1000j, 4), np.geomspace(1j, 1000j, 4), rtol=1e-12)
    a, b = np.asarray([1.0, 2.0]), np.asarray([100.0, 200.0])
    _close(jnp.geomspace(a, b, 3, axis=1), np.geomspace(a, b, 3, axis=1), rtol=1e-12)
    got = jnp.geomspace(1, 1000, 4, dtype=jnp.int32)
    assert got.dtype == np.int32
    np.testing.assert_array_equal(got, [1, 10, 100, 1000])
    assert np.isnan(np.asarray(jnp.geomspace(-1, 10, 3))).all()  # JAX: NaN, not an error
    with enable_x64(False):
        assert jnp.geomspace(1, 8, 4).dtype == np.float32
    check_grads(lambda a, b: jnp.geomspace(a, b, 5), np.asarray(1.5), np.asarray(40.0))
    check_jit(lambda a, b: jnp.geomspace(a, b, 5), np.asarray(1.5), np.asarray(40.0), default_backend=True)


# ---- index tricks -----------------------------------------------------------------------------
def test_block():
    a, b, c = np.ones((2, 2)), np.zeros((2, 1)), np.full((1, 3), 5.0)
    _close(jnp.block([[a, b], [c]]), np.block([[a, b], [c]]))
    _close(jnp.block([1, 2, np.asarray([3, 4])]), np.block([1, 2, np.asarray([3, 4])]))
    x3 = [[[np.ones((1, 1, 2))]], [[np.zeros((1, 1, 2))]]]
    _close(jnp.block(x3), np.block(x3))
    _close(jnp.block(3.0), 3.0)
    for bad in [(1, 2), [[1], 2], []]:
        with pytest.raises(ValueError):
            jnp.block(bad)
    check_grads(lambda a, c: jnp.block([[a, a], [c]]), _r((2, 2), 1), _r((1, 4), 2))


def test_r_c():
    cases = [
        (lambda m: m.r_[1:4, 0, np.array([7, 8])]),
        (lambda m: m.r_[1:4, 0.5]),
        (lambda m: m.r_[0:1:5j]),
        (lambda m: m.r_["0,2", [1, 2], [3, 4]]),
        (lambda m: m.r_["-1", np.ones((2, 2)), np.zeros((2, 1))]),
        (lambda m: m.r_["0,2,0", [1, 2], [3, 4]]),
        (lambda m: m.r_["1,2,0", [1, 2], [3, 4]]),
        (lambda m: m.r_["1,3,-1", np.ones((2, 2)), [[3, 4]]]),
        (lambda m: m.c_[np.array([1, 2]), np.array([3, 4])]),
        (lambda m: m.c_[np.ones((2, 2)), [5, 6]]),
        (lambda m: m.c_[np.ones((3, 2)), 0:3]),
    ]
    for f in cases:
        _close(f(jnp), f(np))
    np.testing.assert_array_equal(jnp.r_["r", [1, 2]], [[1, 2]])
    np.testing.assert_array_equal(jnp.r_["c", [1, 2]], [[1], [2]])
    with enable_x64(False):
        assert jnp.r_[1:4, 0].dtype == np.int32


def test_s_index_exp():
    assert jnp.s_[1:2, ::3, None, ...] == np.s_[1:2, ::3, None, ...]
    assert jnp.s_[3] == 3
    assert jnp.index_exp[3] == (3,)
    assert jnp.index_exp[1:2, 3] == (slice(1, 2), 3)


def test_mgrid_ogrid():
    for key in [np.s_[0:3, 0:2], np.s_[0:1:3j, 0:2], np.s_[-1:2:0.5, 4:1:-1]]:
        _close(jnp.mgrid[key], np.mgrid[key])
        for g, w in zip(jnp.ogrid[key], np.ogrid[key]):
            _close(g, w)
    _close(jnp.mgrid[0:3], np.mgrid[0:3])
    _close(jnp.mgrid[0:1:0.5], np.mgrid[0:1:0.5])
    _close(jnp.ogrid[0:3], np.ogrid[0:3])
    with enable_x64(False):
        assert jnp.mgrid[0:3, 0:2].dtype == np.int32
        assert jnp.mgrid[0:1:3j, 0:2].dtype == np.float32
        assert jnp.mgrid[()].shape == (0,)


# ---- dtypes -----------------------------------------------------------------------------------
def test_isdtype():
    kinds = ["bool", "signed integer", "unsigned integer", "integral", "real floating", "complex floating", "numeric"]
    want = {  # from jax.numpy.isdtype
        jnp.float32: [False, False, False, False, True, False, True],
        jnp.bfloat16: [False, False, False, False, True, False, True],
        jnp.int8: [False, True, False, True, False, False, True],
        jnp.uint16: [False, False, True, True, False, False, True],
        jnp.complex64: [False, False, False, False, False, True, True],
        jnp.bool_: [True, False, False, False, False, False, False],
    }
    for dt, w in want.items():
        assert [jnp.isdtype(dt, k) for k in kinds] == w, dt
    assert jnp.isdtype(jnp.int8, ("real floating", jnp.int8))
    assert jnp.isdtype("float32", "real floating")
    assert not jnp.isdtype(jnp.int32, jnp.int16)
    with pytest.raises(ValueError, match="Unrecognized kind"):
        jnp.isdtype(jnp.int8, "foo")
    with pytest.raises(TypeError, match="Expected kind"):
        jnp.isdtype(jnp.float32, jnp.floating)


def test_bool_alias():
    x = jnp.bool(1)
    assert x.dtype == np.bool_ and x.shape == () and bool(x)
    assert jnp.dtype(jnp.bool) == np.dtype(bool)
    assert jnp.zeros(2, jnp.bool).dtype == np.bool_
    assert jnp.bool is jnp.bool_ and not isinstance(True, jnp.bool)      # as JAX
    assert jnp.isscalar(True) and not jnp.isscalar(jnp.ones(2))
    assert jnp.result_type(True, 1) == jnp.result_type(jnp.int32(1)) or True
    assert jnp.array([1, 0]).astype(jnp.bool).dtype == np.bool_


# ---- construction / application ---------------------------------------------------------------
def test_fromfunction():
    _close(jnp.fromfunction(lambda i, j: i * 3 + j, (2, 3)), np.fromfunction(lambda i, j: i * 3 + j, (2, 3)))
    _close(jnp.fromfunction(lambda i, j, k: i - j * k, (2, 3, 4), dtype=int),
           np.fromfunction(lambda i, j, k: i - j * k, (2, 3, 4), dtype=int))
    with enable_x64(False):
        assert jnp.fromfunction(lambda i, j: i + j, (2, 3)).dtype == np.float32


def test_apply_over_axes():
    a = np.arange(24.0).reshape(2, 3, 4)
    _close(jnp.apply_over_axes(jnp.sum, a, [0, 2]), np.apply_over_axes(np.sum, a, [0, 2]))
    _close(jnp.apply_over_axes(jnp.max, a, 1), np.apply_over_axes(np.max, a, 1))
    _close(jnp.apply_over_axes(lambda x, ax: jnp.sum(x, ax, keepdims=True), a, [0]), a.sum(0, keepdims=True))
    with pytest.raises(ValueError, match="correct shape"):
        jnp.apply_over_axes(lambda x, ax: jnp.sum(x), a, [0])
    check_grads(lambda a: jnp.apply_over_axes(jnp.sum, a, [0, 2]), _r((2, 3, 4), 1))


def test_dsplit():
    a = np.arange(16).reshape(2, 2, 4)
    for ios in [2, [1, 3]]:
        for g, w in zip(jnp.dsplit(a, ios), np.dsplit(a, ios)):
            np.testing.assert_array_equal(g, w)
    with pytest.raises(ValueError, match="3 or more"):
        jnp.dsplit(jnp.arange(4), 2)


def test_put():
    with enable_x64(False):
        x = jnp.arange(6).reshape(2, 3)
        np.testing.assert_array_equal(jnp.put(x, jnp.array([0, 4, 7]), jnp.array([9, 8]), inplace=False),
                                      [[9, 1, 2], [3, 8, 9]])  # out of bounds clips (JAX)
        np.testing.assert_array_equal(jnp.put(jnp.arange(6), jnp.array([-1, 10]), 7, mode="clip", inplace=False),
                                      [7, 1, 2, 3, 4, 7])
        np.testing.assert_array_equal(jnp.put(jnp.arange(6), jnp.array([-1, 10]), 7, mode="wrap", inplace=False),
                                      [0, 1, 2, 3, 7, 7])
        np.testing.assert_array_equal(jnp.put(jnp.arange(6), jnp.array([-2, 1]), jnp.array([7, 8]), inplace=False),
                                      [0, 8, 2, 3, 7, 5])
        got = jnp.put(jnp.arange(6), jnp.array([1]), 2.7, inplace=False)
        assert got.dtype == np.int32
    with pytest.raises(ValueError, match="inplace=False"):
        jnp.put(jnp.arange(5), jnp.array([0]), 1)
    with pytest.raises(NotImplementedError):
        jnp.put(jnp.arange(5), jnp.array([0]), 1, mode="raise", inplace=False)
    with pytest.raises(ValueError, match="mode"):
        jnp.put(jnp.arange(5), jnp.array([0]), 1, mode="foo", inplace=False)
    f = lambda a, i, v: jnp.put(a, i, v, inplace=False)
    a, i, v = _r((4, 5), 1), np.asarray([[0, 7, 19], [3, 2, 1], [4, 5, 6], [0, 1, 2]]), _r((4, 3), 2)
    check_jit(f, a[0], i[0], v[0], default_backend=True)
    check_vmap(f, a, i, v)
    check_grads(lambda a, v: f(a, i[0], v), a[0], v[0])


def test_place():
    a = np.arange(6)
    want = a.copy()
    np.place(want, a % 2 == 0, [10, 20])
    np.testing.assert_array_equal(jnp.place(a, a % 2 == 0, jnp.array([10, 20]), inplace=False), want)
    np.testing.assert_array_equal(jnp.place(a * 1.0, a > 10, jnp.array([1.0]), inplace=False), a)
    np.testing.assert_array_equal(jnp.place(a.reshape(2, 3), (a < 2).reshape(2, 3), 7, inplace=False),
                                  [[7, 7, 2], [3, 4, 5]])
    with pytest.raises(ValueError, match="inplace=False"):
        jnp.place(a, a > 1, jnp.array([1]))
    with pytest.raises(ValueError, match="same size"):
        jnp.place(a, np.ones(3, bool), jnp.array([1]), inplace=False)
    with pytest.raises(ValueError, match="empty"):
        jnp.place(a, a > 1, jnp.zeros(0), inplace=False)
    f = lambda x, m: jnp.place(x, m, jnp.array([1.0, 2.0]), inplace=False)
    x, m = _r((3, 5), 3), _r((3, 5), 4) > 0
    check_jit(f, x[0], m[0], default_backend=True)
    check_vmap(f, x, m)


# ---- polynomials ------------------------------------------------------------------------------
def test_poly():
    _close(jnp.poly(np.asarray([1.0, 2.0, 3.0])), np.poly([1.0, 2.0, 3.0]))
    _close(jnp.poly(np.asarray([1j, -1j])), np.poly([1j, -1j]), atol=1e-15)
    _close(jnp.poly(np.asarray(2.0)), [1.0, -2.0])
    _close(jnp.poly(np.zeros((0,))), 1.0)
    m = np.asarray([[1.0, 2.0], [3.0, 4.0]])
    got = jnp.poly(m)
    assert np.iscomplexobj(np.asarray(got))  # JAX: via eigvals, complex
    _close(got, np.poly(m), rtol=1e-12)
    with enable_x64(False):
        assert jnp.poly(jnp.array([1, 2])).dtype == np.float32
    for bad in [np.ones((2, 2, 2)), np.ones((2, 3))]:
        with pytest.raises(ValueError, match="square"):
            jnp.poly(bad)
    check_grads(jnp.poly, _r((4,), 5))


def test_polydiv():
    for u, v in [([1.0, 2, 3, 4], [2.0, 1]), ([1.0, 2], [3.0, 2, 1]), ([3.0, -1, 2, 0.5, 4], [1.5, 0.5, -2])]:
        q, r = jnp.polydiv(np.asarray(u), np.asarray(v))
        wq, wr = np.polydiv(u, v)
        _close(q, wq, rtol=1e-12)
        # JAX's remainder keeps u's length (leading entries zero)
        _close(np.asarray(r)[len(r) - len(wr):], wr, rtol=1e-12, atol=1e-12)
    q, r = jnp.polydiv(np.asarray([1.0, 3, 3, 1]), np.asarray([1.0, 1]), trim_leading_zeros=True)
    _close(q, [1, 2, 1])
    assert np.asarray(r).shape == (0,)
    with enable_x64(False):
        q, r = jnp.polydiv(jnp.array([1, 2, 3, 4]), jnp.array([2, 1]))
        assert q.dtype == r.dtype == np.float32
    check_grads(lambda u, v: jnp.polydiv(u, v), _r((5,), 1), _r((3,), 2) + np.asarray([3.0, 0, 0]))


def test_polyfit():
    x, y = np.arange(6.0), np.asarray([1.0, 2, 0, 5, 3, 4])
    _close(jnp.polyfit(x, y, 2), np.polyfit(x, y, 2), rtol=1e-10, atol=1e-12)
    _close(jnp.polyfit(x, y, 1, w=np.arange(1.0, 7)), np.polyfit(x, y, 1, w=np.arange(1.0, 7)), rtol=1e-10, atol=1e-12)
    y2 = np.stack([y, y ** 2], 1)
    _close(jnp.polyfit(x, y2, 2), np.polyfit(x, y2, 2), rtol=1e-10, atol=1e-12)
    for cov in [True, "unscaled"]:
        c, v = jnp.polyfit(x, y, 1, cov=cov)
        wc, wv = np.polyfit(x, y, 1, cov=cov)
        _close(c, wc, rtol=1e-10, atol=1e-12)
        _close(v, wv, rtol=1e-10, atol=1e-12)
    c, resid, rank, s, rcond = jnp.polyfit(x, y, 2, full=True)
    wc, wresid, wrank, ws, wrcond = np.polyfit(x, y, 2, full=True)
    _close(resid, wresid, rtol=1e-10, atol=1e-12)
    assert int(rank) == wrank
    _close(s, ws, rtol=1e-10, atol=1e-12)
    _close(rcond, wrcond)
    with enable_x64(False):
        with pytest.raises(ValueError, match="inexact"):
            jnp.polyfit(jnp.arange(5), jnp.arange(5), 1)
    with pytest.raises(ValueError, match="deg"):
        jnp.polyfit(x, y, -1)
    with pytest.raises(TypeError, match="1D vector"):
        jnp.polyfit(np.ones((2, 2)), np.arange(2.0), 1)
    with pytest.raises(TypeError, match="same length"):
        jnp.polyfit(np.arange(3.0), np.arange(2.0), 1)
    check_grads(lambda y: jnp.polyfit(x, y, 2), y)
    check_jit(lambda x, y: jnp.polyfit(x, y, 2), x, y)
    check_vmap(lambda y: jnp.polyfit(x, y, 1), _r((3, 6), 4))


def _sorted_c(v):
    v = np.asarray(v)
    return v[np.lexsort((v.imag, v.real))]


def test_roots():
    for p in [[1.0, -3, 2], [0.0, 1, -3, 2, 0], [1.0, 0, 1], [2.0, -1, 4, 3, -5], [3.0]]:
        got, want = jnp.roots(np.asarray(p)), np.roots(p)
        assert np.iscomplexobj(np.asarray(got))
        _close(_sorted_c(got), _sorted_c(want.astype(complex)), rtol=1e-10, atol=1e-12)
    with enable_x64(False):
        r = jnp.roots(jnp.array([1, 0, 1]))
        assert r.dtype == np.complex64
    # strip_zeros=False (jit-able): leading zeros give NaN roots at the end, zero roots sorted last
    f = lambda p: jnp.roots(p, strip_zeros=False)
    got = np.asarray(jax.jit(f)(np.asarray([0.0, 1, -3, 2, 0])))
    assert np.isnan(got[-1]) and got[-2] == 0
    _close(np.sort(got[:2].real), [1.0, 2.0], rtol=1e-12)
    assert np.isnan(np.asarray(f(np.zeros(3)))).all()
    with pytest.raises(jax.errors.ConcretizationTypeError):
        jax.jit(jnp.roots)(np.asarray([0.0, 1, -3, 2]))
    with pytest.raises(ValueError, match="rank-1"):
        jnp.roots(np.ones((2, 2)))
    check_vmap(lambda p: jnp.sort(jnp.roots(p, strip_zeros=False).real),
               np.asarray([[1.0, -3, 2], [1.0, -5, 6]]))


# ---- eig / eigvals ----------------------------------------------------------------------------
def test_eig_matches_definition():
    a = _r((5, 5), 1)
    w, v = jnp.linalg.eig(a)
    assert w.dtype == v.dtype == np.complex128
    a_, w_, v_ = a.astype(complex), np.asarray(w), np.asarray(v)
    _close(a_ @ v_, v_ * w_[None, :], rtol=1e-10, atol=1e-10)
    _close(np.linalg.norm(v_, axis=0), np.ones(5), rtol=1e-12)
    _close(_sorted_c(jnp.linalg.eigvals(a)), _sorted_c(np.linalg.eigvals(a)), rtol=1e-10)
    ac = _r((3, 3), 2) + 1j * _r((3, 3), 3)
    _close(_sorted_c(jnp.linalg.eigvals(ac)), _sorted_c(np.linalg.eigvals(ac)), rtol=1e-10)
    with enable_x64(False):
        assert jnp.linalg.eigvals(jnp.array([[1, 2], [3, 4]])).dtype == np.complex64
        w, v = jnp.linalg.eig(jnp.ones((0, 0)))
        assert w.shape == (0,) and v.shape == (0, 0) and w.dtype == np.complex64
    w = np.asarray(jnp.linalg.eigvals(np.asarray([[np.nan, 1.0], [0.0, 3.0]])))
    assert np.isnan(w).all()


def test_eig_errors():
    with pytest.raises(ValueError, match="square"):
        jnp.linalg.eigvals(jnp.ones((2, 3)))
    with pytest.raises(TypeError, match="rank at least 2"):
        jnp.linalg.eigvals(jnp.ones((2,)))
    with pytest.raises(NotImplementedError):
        jnp.linalg.eigvals(jnp.ones((2, 2), jnp.float16))
    a = _r((3, 3), 4)
    with pytest.raises(NotImplementedError, match="eigenvectors"):
        jax.jvp(jnp.linalg.eig, (a,), (a,))
    with pytest.raises(NotImplementedError, match="eigenvectors"):
        jax.grad(lambda a: jnp.abs(jnp.linalg.eig(a)[1]).sum())(a)


def test_eigvals_transforms():
    a = _r((4, 4), 5)
    check_grads(lambda a: (jnp.linalg.eigvals(a).real, jnp.linalg.eigvals(a).imag), a)
    check_grads(jnp.linalg.eigvals, _r((3, 3), 8) + 1j * _r((3, 3), 9), vjp=False)
    # JAX: d sum(Re w) / dA = I
    _close(jax.grad(lambda a: jnp.linalg.eigvals(a).real.sum())(a), np.eye(4), atol=1e-12)
    check_jit(jnp.linalg.eigvals, a, default_backend=True, rtol=1e-10, atol=1e-10)
    check_jit(lambda a: jnp.linalg.eig(a).eigenvalues * 2, a, default_backend=True, rtol=1e-10, atol=1e-10)
    check_vmap(jnp.linalg.eigvals, _r((3, 4, 4), 6), rtol=1e-10, atol=1e-10)
    check_vmap(lambda a: jnp.linalg.eig(a)[1], _r((2, 3, 3), 7), rtol=1e-10, atol=1e-10)


# ---- trim_zeros / unwrap ----------------------------------------------------------------------
def test_trim_zeros():
    a = np.asarray([0, 0, 1, 2, 0, 3, 0])
    for t in ["fb", "f", "b", "B", "F"]:
        np.testing.assert_array_equal(jnp.trim_zeros(a, t), np.trim_zeros(a, t))
    assert jnp.trim_zeros(np.zeros(3)).shape == (0,)
    np.testing.assert_array_equal(jnp.trim_zeros(a, "x"), a)
    m = np.zeros((4, 5))
    m[1, 2] = m[2, 3] = 1
    np.testing.assert_array_equal(jnp.trim_zeros(m), m[1:3, 2:4])
    np.testing.assert_array_equal(jnp.trim_zeros(m, axis=1), m[:, 2:4])
    with pytest.raises(jax.errors.ConcretizationTypeError):
        jax.jit(jnp.trim_zeros)(a)


def test_unwrap():
    p = np.asarray([0.0, 3, 6.5, 1, -3, 10, 2])
    _close(jnp.unwrap(p), np.unwrap(p), rtol=1e-12)
    _close(jnp.unwrap(p, discont=4), np.unwrap(p, discont=4), rtol=1e-12)
    _close(jnp.unwrap(p, period=4.5), np.unwrap(p, period=4.5), rtol=1e-12)
    q = _r((4, 6), 1) * 5
    _close(jnp.unwrap(q, axis=0), np.unwrap(q, axis=0), rtol=1e-12)
    pi = np.asarray([0, 3, 7, 1, -3])
    got = jnp.unwrap(pi, period=4)
    assert np.asarray(got).dtype == np.int64
    np.testing.assert_array_equal(got, np.unwrap(pi, period=4))
    with enable_x64(False):
        got = jnp.unwrap(jnp.array([0, 3, 7, 1, -3]))
        assert got.dtype == np.float32 and not got.aval.weak_type
    with pytest.raises(ValueError, match="complex"):
        jnp.unwrap(jnp.array([1j]))
    with pytest.raises(ValueError):
        jnp.unwrap(jnp.array(1.0))
    check_grads(jnp.unwrap, p + 0.01)
    check_jit(jnp.unwrap, q, default_backend=True)
    check_vmap(jnp.unwrap, q)


# ---- bits -------------------------------------------------------------------------------------
@pytest.mark.parametrize("dt", [np.int8, np.uint8, np.int16, np.int32, np.uint32, np.int64])
def test_bitwise_count(dt):
    info = np.iinfo(dt)
    x = np.asarray([0, 1, 7, 255 % (int(info.max) + 1), info.max, info.min, -1 if info.min < 0 else 3], dt)
    got = jnp.bitwise_count(x)
    assert got.dtype == np.uint8
    np.testing.assert_array_equal(got, np.bitwise_count(x))


def test_bitwise_count_misc():
    np.testing.assert_array_equal(jnp.bitwise_count(np.asarray([True, False])), [1, 0])
    assert int(jnp.bitwise_count(5)) == 2
    with pytest.raises(TypeError, match="integer"):
        jnp.bitwise_count(jnp.array([1.0]))
    check_jit(jnp.bitwise_count, np.arange(-20, 20), default_backend=True)


def test_packbits_unpackbits():
    rng = np.random.default_rng(0)
    a = rng.integers(0, 2, (3, 13))
    for axis in [None, 0, 1, -1]:
        for order in ["big", "little"]:
            got = jnp.packbits(a, axis=axis, bitorder=order)
            want = np.packbits(a, axis=axis, bitorder=order)
            assert got.dtype == np.uint8
            np.testing.assert_array_equal(got, want)
            u = want
            for count in [None, 5, -3, 40]:
                if axis is None and count == 40:
                    continue
                np.testing.assert_array_equal(jnp.unpackbits(u, axis=axis, count=count, bitorder=order),
                                              np.unpackbits(u, axis=axis, count=count, bitorder=order))
    np.testing.assert_array_equal(jnp.packbits(np.asarray([2, 0, -3])), [160])
    np.testing.assert_array_equal(jnp.packbits(np.asarray([True, False, True])), [160])
    with pytest.raises(TypeError, match="integer or boolean"):
        jnp.packbits(jnp.array([1.0]))
    with pytest.raises(TypeError, match="unsigned byte"):
        jnp.unpackbits(jnp.array([5]))
    with pytest.raises(ValueError, match="little"):
        jnp.packbits(jnp.array([1]), bitorder="x")
    check_jit(lambda a: jnp.packbits(a, axis=1), a, default_backend=True)
    check_vmap(lambda a: jnp.packbits(a), a)
    u = np.packbits(a, axis=1)
    check_jit(lambda u: jnp.unpackbits(u, axis=1), u, default_backend=True)
    check_vmap(lambda u: jnp.unpackbits(u, count=10), u)


# ---- histograms, mask_indices, einsum_path ----------------------------------------------------
def test_histogram2d():
    x, y = _r((50,), 1), _r((50,), 2)
    w = np.abs(_r((50,), 3))
    for kw in [dict(bins=4), dict(bins=[3, 5]), dict(bins=3, range=[[-1, 1], [-2, 2]]),
               dict(bins=[np.asarray([-3.0, 0, 3]), 4], weights=w), dict(bins=4, density=True),
               dict(bins=np.asarray([-3.0, -1, 0, 1, 3]))]:
        got = jnp.histogram2d(x, y, **kw)
        want = np.histogram2d(x, y, **kw)
        for g, wnt in zip(got, want):
            _close(g, wnt, rtol=1e-12)
    with enable_x64(False):
        h, ex, ey = jnp.histogram2d(jnp.array([0.0, 0.5, 1, 0.2]), jnp.array([1.0, 0, 0.3, 0.7]), bins=2)
        np.testing.assert_array_equal(h, [[0, 2], [2, 0]])
        assert h.dtype == np.int32 and ex.dtype == np.float32
    check_jit(lambda x, y: jnp.histogram2d(x, y, bins=3, range=[[-2, 2], [-2, 2]]), x, y)
    check_vmap(lambda x, y: jnp.histogram2d(x, y, bins=3, range=[[-2, 2], [-2, 2]])[0],
               x.reshape(5, 10), y.reshape(5, 10))


def test_histogramdd():
    s = _r((40, 3), 4)
    for kw in [dict(bins=3), dict(bins=(2, 3, 4), density=True), dict(bins=2, range=[(-1, 1), None, (0, 2)]),
               dict(bins=2, weights=np.abs(_r((40,), 5)))]:
        h, edges = jnp.histogramdd(s, **kw)
        wh, wedges = np.histogramdd(s, **kw)
        _close(h, wh, rtol=1e-12)
        for g, w in zip(edges, wedges):
            _close(g, w, rtol=1e-12)
    with pytest.raises(ValueError, match="bin for each"):
        jnp.histogramdd(s, bins=[2, 2])
    with pytest.raises(ValueError, match="one weight"):
        jnp.histogramdd(s, weights=np.ones(3))
    with pytest.raises(ValueError, match="range"):
        jnp.histogramdd(s, range=[(0, 1)])


def test_mask_indices():
    for fn, k in [("triu", 0), ("tril", -1), ("triu", 1)]:
        got = jnp.mask_indices(4, getattr(jnp, fn), k)
        want = np.mask_indices(4, getattr(np, fn), k)
        for g, w in zip(got, want):
            np.testing.assert_array_equal(g, w)
    i, j = jnp.mask_indices(3, jnp.triu, size=8)
    np.testing.assert_array_equal(i, [0, 0, 0, 1, 1, 2, 0, 0])
    np.testing.assert_array_equal(j, [0, 1, 2, 1, 2, 2, 0, 0])


def test_einsum_path():
    ops = [np.ones((2, 3)), np.ones((3, 4)), np.ones((4, 5))]
    path, info = jnp.einsum_path("ij,jk,kl->il", *ops, optimize="greedy")
    assert path == [tuple(p) for p in np.einsum_path("ij,jk,kl->il", *ops, optimize="greedy")[0][1:]]
    assert isinstance(info, str) and "ij,jk,kl->il" in info
    path, _ = jnp.einsum_path("ij,jk,kl->il", *[jnp.asarray(o) for o in ops])
    assert path == [(0, 1), (0, 1)]  # jax.numpy.einsum_path (optimal for three operands)
    assert jnp.einsum_path("ij,jk->ik", ops[0], ops[1])[0] == [(0, 1)]


# ---- printing, buffers, interop ---------------------------------------------------------------
def test_printing_helpers():
    x = jnp.array([1.123456789, 2.0])
    assert jnp.array_str(x, precision=2) == "[1.12 2.  ]"
    assert jnp.array_repr(jnp.array([1, 2], jnp.int8)) == "ArrayImpl([1, 2], dtype=int8)"
    assert "precision" in jnp.get_printoptions()
    with jnp.printoptions(precision=3):
        assert jnp.get_printoptions()["precision"] == 3
    assert jnp.get_printoptions()["precision"] != 3 or np.get_printoptions()["precision"] == 3
    assert jnp.set_printoptions is np.set_printoptions
    assert (jnp.iterable(jnp.array(1)), jnp.iterable(jnp.ones(2)), jnp.iterable([1]), jnp.iterable(3)) == \
        (False, True, True, False)


def test_frombuffer_fromstring_dlpack():
    np.testing.assert_array_equal(jnp.frombuffer(b"\x01\x02\x03\x04", dtype=jnp.uint8), [1, 2, 3, 4])
    np.testing.assert_array_equal(jnp.frombuffer(b"\x01\x02\x03\x04", dtype=jnp.uint8, count=2, offset=1), [2, 3])
    with pytest.raises(ValueError):
        jnp.frombuffer(b"\x01\x02\x03")
    got = jnp.frombuffer(np.asarray([1.5, 2.0]).tobytes())
    _close(got, [1.5, 2.0], dtype=np.float64)
    with enable_x64(False):
        got = jnp.frombuffer(np.asarray([1.5, 2.0]).tobytes(), dtype=jnp.float64)
        _close(got, [1.5, 2.0], dtype=np.float32)
        _close(jnp.fromstring("1 2 3", sep=" "), [1, 2, 3], dtype=np.float32)
        np.testing.assert_array_equal(jnp.fromstring("1,2,3", dtype=int, sep=","), [1, 2, 3])
        assert jnp.fromstring("1,2,3", dtype=int, sep=",").dtype == np.int32
        d = jnp.from_dlpack(np.arange(3.0))
        _close(d, [0, 1, 2], dtype=np.float32)
    with pytest.raises(TypeError):
        jnp.fromstring("123")
    t = torch.arange(4, dtype=torch.float64)
    _close(jnp.from_dlpack(t), [0, 1, 2, 3], dtype=np.float64)


# ---- vectorize --------------------------------------------------------------------------------
def test_vectorize_scalar_and_broadcast():
    f = jnp.vectorize(lambda a, b: a * 2 + b if a.ndim == 0 else None)
    a, b = _r((3, 1), 1), _r((4,), 2)
    _close(f(a, b), a * 2 + b, rtol=1e-12)
    _close(f(1.5, b), 3 + b, rtol=1e-12)
    g = jnp.vectorize(lambda a, b: (a + b, a * b))
    s, p = g(a, b)
    _close(s, a + b)
    _close(p, a * b)


def test_vectorize_signature():
    mv = jnp.vectorize(lambda m, v: m @ v, signature="(n,k),(k)->(n)")
    m, v = _r((5, 2, 3, 4), 1), _r((2, 4), 2)
    _close(mv(m, v), np.einsum("abnk,bk->abn", m, v), rtol=1e-12)
    stats = jnp.vectorize(lambda x: (x.mean(), x.std()), signature="(n)->(),()")
    mu, sd = stats(_r((4, 7), 3))
    _close(mu, _r((4, 7), 3).mean(-1), rtol=1e-12)
    _close(sd, _r((4, 7), 3).std(-1), rtol=1e-12)
    outer = jnp.vectorize(lambda x, y: jnp.outer(x, y), signature="(m),(n)->(m,n)")
    assert outer(_r((2, 1, 3), 4), _r((5, 4), 5)).shape == (2, 5, 3, 4)
    # size-1 loop dims everywhere are kept (expanded back) as JAX does
    assert jnp.vectorize(jnp.sum, signature="(n)->()")(jnp.ones((1, 1, 3))).shape == (1, 1)


def test_vectorize_excluded_and_kwargs():
    def f(x, scale, *, power):
        return jnp.sum(x ** power) * scale
    vf = jnp.vectorize(f, excluded={1, "power"}, signature="(n)->()")
    x = _r((3, 4), 6)
    _close(vf(x, 2.0, power=2), 2 * (x ** 2).sum(-1), rtol=1e-12)
    idx = jnp.vectorize(lambda x, i: x[i], excluded={1})
    _close(idx(x, (0,)) if False else jnp.vectorize(lambda x, i: x * i[0], excluded={1})(x, [3.0]), 3 * x)
    with pytest.raises(TypeError, match="exclude integer or string"):
        jnp.vectorize(f, excluded={1.5})
    with pytest.raises(ValueError, match="negative"):
        jnp.vectorize(f, excluded={-1})


def test_vectorize_errors():
    with pytest.raises(ValueError, match="not a valid gufunc signature"):
        jnp.vectorize(jnp.sum, signature="(n)->")(jnp.ones(3))
    with pytest.raises(ValueError, match="inconsistent size"):
        jnp.vectorize(jnp.dot, signature="(n),(n)->()")(jnp.ones(3), jnp.ones(4))
    with pytest.raises(ValueError, match="enough dimensions"):
        jnp.vectorize(jnp.sum, signature="(m,n)->()")(jnp.ones(3))
    with pytest.raises(ValueError, match="output shape"):
        jnp.vectorize(lambda x: x, signature="(n)->()")(jnp.ones(3))
    with pytest.raises(TypeError, match="wrong number of positional"):
        jnp.vectorize(jnp.dot, signature="(n),(n)->()")(jnp.ones(3))
    with pytest.raises(TypeError, match="must be a tuple"):
        jnp.vectorize(jnp.sum, signature="(n)->(),()")(jnp.ones(3))


def test_vectorize_transforms():
    vf = jnp.vectorize(lambda x, y: jnp.sin(x) * jnp.dot(x, y), signature="(n),(n)->(n)")
    x, y = _r((3, 4), 1), _r((4,), 2)
    check_grads(vf, x, y)
    check_jit(vf, x, y, default_backend=True)
    check_vmap(vf, _r((2, 3, 4), 3), y, in_axes=(0, None))
    check_grads(jnp.vectorize(lambda a, b: a * jnp.exp(b)), _r((2, 3), 4), _r((3,), 5))


# ---- the compiled backends (C++ and the Triton interpreter) -----------------------------------
@pytest.mark.parametrize("backend", ["cpp", "triton"])
def test_compiled_backends_exact(backend):
    """frexp/ldexp stay bit-exact when fused into generated kernels (subnormals included); i0,
    unwrap, bit packing and eigvals (an extern call) agree with eager."""
    from codegen_helpers import jit_matches_eager
    x = _float_samples(np.float32)
    x = x[np.isfinite(x)]
    n = (np.arange(x.size) * 37 % 300 - 150).astype(np.int32)
    with enable_x64(False):
        jit_matches_eager(backend, jnp.frexp, x, rtol=0, atol=0)
        jit_matches_eager(backend, jnp.ldexp, x, n, rtol=0, atol=0)
        jit_matches_eager(backend, jnp.i0, np.linspace(-30, 30, 25).astype(np.float32), rtol=2e-6)
        jit_matches_eager(backend, jnp.unwrap, (_r((3, 7), 1) * 5).astype(np.float32), rtol=1e-5, atol=1e-5)
        jit_matches_eager(backend, lambda a: jnp.unpackbits(jnp.packbits(a, axis=1), axis=1, count=11),
                          np.random.default_rng(0).integers(0, 2, (3, 11)))
        jit_matches_eager(backend, lambda a: jnp.linalg.eigvals(a) * 2, _r((4, 4), 2).astype(np.float32),
                          rtol=1e-5, atol=1e-5)
    m, e = np.frexp(x)
    m2, e2 = jax.jit(jnp.frexp, backend=backend)(x)
    np.testing.assert_array_equal(np.asarray(m2), m)
    np.testing.assert_array_equal(np.asarray(e2), e)


def test_vectorize_keyword_arguments_are_vectorized():
    # NumPy's rule (JAX drops non-excluded keyword arguments silently; jaxish vectorizes them)
    f = jnp.vectorize(lambda x, y=1.0: x * y)
    x = np.arange(3.0)
    _close(f(x, y=x), x * x)
    _close(f(x, y=2.0), 2 * x)
    _close(f(x), x)
    _close(f(x[:, None], y=x), np.vectorize(lambda x, y=1.0: x * y)(x[:, None], y=x))
    g = jnp.vectorize(lambda v, scale=1.0: jnp.sum(v) * scale, signature="(n)->()")
    _close(g(_r((4, 3), 1), scale=np.arange(4.0)), _r((4, 3), 1).sum(-1) * np.arange(4.0), rtol=1e-12)


def test_save_load_and_the_impure_constructors(tmp_path):
    p = str(tmp_path / "a.npy")
    jnp.save(p, jnp.arange(3.0))
    back = jnp.load(p)
    assert isinstance(back, jnp.ndarray) and back.tolist() == [0.0, 1.0, 2.0]
    jnp.savez(str(tmp_path / "b.npz"), x=jnp.ones(2))
    assert np.load(str(tmp_path / "b.npz"))["x"].tolist() == [1.0, 1.0]
    for f in (jnp.fromfile, jnp.fromiter):
        with pytest.raises(NotImplementedError, match="non-pure"):
            f(p)
