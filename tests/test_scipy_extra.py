"""jaxish.scipy.stats.{multinomial, nbinom, vonmises, betabinom}, stats._extra (rankdata, mode, sem,
gaussian_kde), scipy.ndimage.map_coordinates, scipy.interpolate.RegularGridInterpolator and
scipy.cluster.vq.vq.

Expected values are pinned to JAX 0.10.2 (run in a separate environment; float32 by default);
gradients are checked against finite differences in float64 and, where pinned, against JAX's."""
import numpy as np
import pytest

import jaxish as jax
import jaxish.numpy as jnp
import jaxish.scipy.cluster.vq as vq
import jaxish.scipy.ndimage as ndi
import jaxish.scipy.stats.betabinom as betabinom
import jaxish.scipy.stats.multinomial as multinomial
import jaxish.scipy.stats.nbinom as nbinom
import jaxish.scipy.stats.vonmises as vonmises
from jaxish.scipy.interpolate import RegularGridInterpolator
from jaxish.scipy.stats._extra import ModeResult, gaussian_kde, mode, rankdata, sem

from breadth_helpers import check_grads, enable_x64


def _close(got, want, rtol=2e-6, atol=1e-6):
    np.testing.assert_allclose(np.asarray(got), np.asarray(want, dtype=np.float64), rtol=rtol, atol=atol)


def _f32(x):
    assert x.dtype == jnp.float32, x.dtype
    return x


# ---- distributions -------------------------------------------------------------------------------
def test_multinomial():
    p = jnp.array([0.2, 0.3, 0.5])
    _close(_f32(multinomial.logpmf(jnp.array([1, 2, 3]), 6, p)), -2.002481)
    _close(multinomial.pmf(jnp.array([1, 2, 3]), 6, p), np.exp(-2.002481))
    assert float(multinomial.pmf(jnp.array([1, 2, 2]), 6, p)) == 0.0      # counts do not sum to n
    # as JAX: the sum compared with n runs over all of x, so a batch of rows never matches
    assert np.all(np.isneginf(np.asarray(multinomial.logpmf(jnp.array([[1, 2, 3], [2, 2, 2]]), 6, p))))
    _close(jax.jit(multinomial.logpmf)(jnp.array([1, 2, 3]), 6, p), -2.002481)
    _close(jax.grad(lambda p: multinomial.logpmf(jnp.array([1, 2, 3]), 6, p))(p), [5.0, 6.6666665, 6.0])
    with pytest.raises(ValueError, match="integer type"):
        multinomial.logpmf(jnp.array([1.0, 2.0, 3.0]), 6, p)


def test_nbinom():
    lp = _f32(nbinom.logpmf(jnp.array([0.0, 1, 2, 5, -1]), 3, 0.4))
    _close(lp, [-2.7488725, -2.1610847, -1.9787631, -2.2584777, -np.inf])
    _close(nbinom.pmf(3, 2.5, 0.3, 1), 0.10567636, rtol=1e-5)
    _close(jax.vmap(lambda k: nbinom.pmf(k, 3.0, 0.4))(jnp.arange(4.0)), [0.064, 0.1152, 0.13824, 0.13824], rtol=1e-5)
    _close(jax.jit(nbinom.logpmf)(jnp.array([2.0, 5.0]), 3.0, 0.4), [-1.9787631, -2.2584777])
    _close(jax.grad(lambda p: nbinom.logpmf(4.0, 2.5, p))(0.3), 2.6190472, rtol=1e-5)
    with enable_x64():
        check_grads(lambda n, p: nbinom.logpmf(jnp.array([0.0, 2.0, 7.0]), n, p), np.array(2.5), np.array(0.35))


def test_vonmises():
    lp = _f32(vonmises.logpdf(jnp.array([0.0, 1, 2, -3]), 2.0))
    _close(lp, [-0.6618706, -1.581266, -3.4941645, -4.6418557])
    pd = vonmises.pdf(0.5, jnp.array([0.0, 1, 50]))
    assert np.isnan(pd[0])                                             # kappa <= 0
    _close(pd[1:], [0.3023382, 0.00618069], rtol=1e-5)
    _close(jax.grad(lambda k: vonmises.logpdf(0.7, k))(1.5), 0.16870898, rtol=1e-5)
    _close(jax.jit(jax.vmap(vonmises.logpdf, in_axes=(0, None)))(jnp.array([0.0, 1.0]), 2.0), lp[:2])
    with enable_x64():
        check_grads(lambda x, k: vonmises.logpdf(x, k), np.array([0.3, -1.2]), np.array([0.8, 40.0]))
        # the density integrates to 1 over [-pi, pi] (scipy's normalisation), even for large kappa
        xs = np.linspace(-np.pi, np.pi, 20001)
        for k in (0.5, 3.0, 100.0):
            assert abs(np.trapezoid(np.asarray(vonmises.pdf(xs, k)), xs) - 1) < 1e-8


def test_betabinom():
    lp = _f32(betabinom.logpmf(jnp.array([0.0, 1, 2, 5, 6, -1, 2.5]), 5, 2.0, 3.0))
    _close(lp, [-1.7917573, -1.4350846, -1.4350841, -3.044523, -np.inf, -np.inf, -1.4350841])
    assert float(betabinom.pmf(0, 0, 1.0, 1.0)) == 1.0
    assert np.isnan(betabinom.logpmf(1, -1, 1.0, 1.0)) and np.isnan(betabinom.logpmf(1, 3, 0.0, 1.0))
    _close(jax.grad(lambda a: betabinom.logpmf(2.0, 6.0, a, 1.5))(2.0), -0.26124817, rtol=1e-5)
    with enable_x64():
        ks = np.arange(8.0)
        assert abs(float(jnp.sum(betabinom.pmf(ks, 7.0, 1.3, 2.4))) - 1) < 1e-12
        check_grads(lambda a, b: betabinom.logpmf(ks, 7.0, a, b), np.array(1.3), np.array(2.4))
    _close(jax.vmap(betabinom.logpmf, in_axes=(0, None, None, None))(jnp.array([0.0, 1.0]), 5, 2.0, 3.0), lp[:2])


# ---- rankdata, mode, sem -------------------------------------------------------------------------
@pytest.mark.parametrize("method,want", [
    ("average", [6, 2.5, 4, 6, 2.5, 6, 1]), ("min", [5, 2, 4, 5, 2, 5, 1]), ("max", [7, 3, 4, 7, 3, 7, 1]),
    ("dense", [4, 2, 3, 4, 2, 4, 1]), ("ordinal", [5, 2, 4, 6, 3, 7, 1])])
def test_rankdata_methods(method, want):
    x = jnp.array([3, 1, 2, 3, 1, 3, 0])
    r = _f32(rankdata(x, method))
    np.testing.assert_array_equal(r, want)
    np.testing.assert_array_equal(jax.jit(lambda x: rankdata(x, method))(x), want)


def test_rankdata_axis_nan_and_vmap():
    x = jnp.array([[1, 2, 1, 3, 2, 1], [3, 1, 3, 2, 1, 3], [1, 2, 2, 3, 1, 2]])
    np.testing.assert_array_equal(rankdata(x, axis=1), [[2, 4.5, 2, 6, 4.5, 2], [5, 1.5, 5, 3, 1.5, 5],
                                                        [1.5, 4, 4, 6, 1.5, 4]])
    np.testing.assert_array_equal(rankdata(jnp.array([[3.0, 1], [1, 3], [2, 2]]), axis=0), [[3, 1], [1, 3], [2, 2]])
    np.testing.assert_array_equal(rankdata(x), rankdata(jnp.ravel(x)).reshape(-1))
    assert rankdata(x).shape == (18,)
    assert np.all(np.isnan(rankdata(jnp.array([1.0, np.nan, 2.0]))))
    r = rankdata(jnp.array([[1.0, np.nan], [2.0, 0.5]]), axis=1)             # nan only in its own row
    assert np.all(np.isnan(r[0])) and np.array_equal(r[1], [2.0, 1.0])
    np.testing.assert_array_equal(jax.vmap(rankdata)(x), rankdata(x, axis=1))
    with pytest.raises(ValueError, match="unknown method 'foo'"):
        rankdata(x, "foo")
    with pytest.raises(NotImplementedError):
        rankdata(x, nan_policy="omit")
    with pytest.raises(ValueError, match="Illegal nan_policy"):
        rankdata(x, nan_policy="bad")
    with pytest.raises(TypeError):
        rankdata([1, 2, 3])


def test_mode():
    x = jnp.array([[1, 2, 1, 3, 2, 1], [3, 1, 3, 2, 1, 3], [1, 2, 2, 3, 1, 2]])
    m, c = mode(x)
    assert isinstance(mode(x), ModeResult)
    np.testing.assert_array_equal(m, [1, 2, 1, 3, 1, 1])
    np.testing.assert_array_equal(c, [2, 2, 1, 2, 2, 1])
    assert m.dtype == jnp.int32 and c.dtype == jnp.int32
    m, c = mode(x, axis=1, keepdims=True)
    np.testing.assert_array_equal(m, [[1], [3], [2]])
    np.testing.assert_array_equal(c, [[3], [3], [3]])
    m, c = mode(x, axis=None)
    assert (int(m), int(c), m.shape) == (1, 7, ())
    m, c = mode(jnp.array([2.0, 2, 5, 5, 1]))                                 # ties: the smallest value
    assert (float(m), int(c), m.dtype) == (2.0, 2, jnp.float32)
    m, c = mode(jnp.array([1.0, np.nan, np.nan, 2.0]))                        # nans count as one value
    assert np.isnan(m) and int(c) == 2
    m, c = mode(jnp.zeros((0, 3)))
    assert np.all(np.isnan(m)) and np.array_equal(c, [0.0, 0.0, 0.0]) and c.dtype == jnp.float32
    m, c = jax.jit(lambda x: mode(x, axis=1))(x)
    np.testing.assert_array_equal(m, [1, 3, 2])
    with pytest.raises(NotImplementedError):
        mode(x, nan_policy="raise")


def test_sem():
    x = jnp.array([[1, 2, 1, 3, 2, 1], [3, 1, 3, 2, 1, 3], [1, 2, 2, 3, 1, 2]])
    _close(_f32(sem(x)), [0.6666666, 0.3333333, 0.57735026, 0.3333333, 0.3333333, 0.57735026])
    _close(sem(x, axis=None), 0.19618735)
    assert sem(x, axis=1, keepdims=True).shape == (3, 1)
    x2 = jnp.array([[1, 2, 3, np.nan, 4, 2], [4, 5, 4, 3, np.nan, 1], [7, np.nan, 8, 7, 9, np.nan]])
    _close(sem(x2, nan_policy="omit"), [1.7320508, 1.5, 1.5275252, 2.0, 2.5, 0.5])
    assert np.isnan(sem(x2)[1]) and not np.isnan(sem(x2)[0])
    _close(jax.grad(lambda x: sem(x))(jnp.array([1.0, 2.0, 4.0, 7.0])), [-0.15748522, -0.09449113, 0.03149704, 0.2204793])
    _close(jax.jit(sem)(jnp.array([1.0, 2.0, 4.0, 7.0])), 1.3228756)
    with pytest.raises(ValueError, match="bad is not supported"):
        sem(x, nan_policy="bad")


# ---- gaussian_kde --------------------------------------------------------------------------------
D2 = np.array([[0.1, 0.5, 1.2, 2.0, -0.3, 0.8], [1.0, 0.2, -0.5, 0.7, 0.3, 1.1]], np.float32)


def test_gaussian_kde_2d():
    k = gaussian_kde(jnp.asarray(D2))
    assert (k.d, k.n) == (2, 6) and k.covariance.dtype == jnp.float32
    q = jnp.array([[0.0, 1.0], [0.5, 0.0]])
    _close(_f32(k.evaluate(q)), [0.20271996, 0.13909285], rtol=1e-5)
    _close(k(q), k.evaluate(q))
    _close(k.pdf(q), k.evaluate(q))
    _close(k.logpdf(q), [-1.5959299, -1.9726133], rtol=1e-5)
    _close(k.integrate_gaussian(jnp.array([0.1, 0.2]), jnp.eye(2)), 0.08308267, rtol=1e-5)
    # JAX's key use, so the same key gives JAX's samples
    _close(k.resample(jax.random.PRNGKey(3), (4,)), [[-0.37966794, 0.7711099, -0.48518026, -0.7771605],
                                                      [1.2224585, 1.2365195, -0.16379887, 0.06482582]], atol=1e-5)
    # a pytree: through jit and tree_map
    _close(jax.jit(lambda k, q: k.evaluate(q))(k, q), k.evaluate(q), rtol=1e-5)
    assert len(jax.tree_util.tree_leaves(k)) == 5
    with pytest.raises(ValueError, match="points have dimension 3"):
        k.evaluate(jnp.ones((3, 2)))
    with pytest.raises(ValueError, match="only handles 1D"):
        k.integrate_box_1d(0.0, 1.0)
    with pytest.raises(ValueError, match="mean does not have dimension 2"):
        k.integrate_gaussian(jnp.zeros(3), jnp.eye(2))
    with pytest.raises(NotImplementedError):
        k.set_bandwidth("scott")


def test_gaussian_kde_1d_weights_and_bandwidths():
    d = jnp.asarray(D2[0])
    k = gaussian_kde(d, bw_method="silverman", weights=jnp.array([1.0, 2, 3, 1, 1, 2]))
    _close(k(jnp.array([0.0, 0.5])), [0.30017933, 0.45554036], rtol=1e-5)
    _close(k.integrate_box_1d(-0.5, 1.0), 0.54301, rtol=1e-5)
    _close(k.resample(jax.random.PRNGKey(1), (3,)), [[0.37094107, -0.234989, 0.09613002]], atol=1e-5)
    _close(k.integrate_kde(gaussian_kde(jnp.asarray(D2[1]), 0.5)), 0.37417436, rtol=1e-5)
    assert gaussian_kde(d).resample(jax.random.PRNGKey(0), (5,)).shape == (1, 5)
    # scalar and callable bandwidths: the covariance is the data covariance times factor**2
    base = np.cov(D2[0].astype(np.float64))
    _close(gaussian_kde(d, bw_method=0.5).covariance, [[0.25 * base]], rtol=1e-5)
    _close(gaussian_kde(d, bw_method=lambda kde: 2.0).covariance, [[4 * base]], rtol=1e-5)
    _close(gaussian_kde(d).covariance, [[6 ** (-2 / 5) * base]], rtol=1e-5)       # scott: n**(-1/(d+4))
    # gradients (JAX's pinned values) through the points and the dataset
    _close(jax.grad(lambda x: gaussian_kde(d).logpdf(x)[0])(jnp.array([0.3])), [0.24560535], rtol=1e-5)
    _close(jax.grad(lambda d: gaussian_kde(d).evaluate(jnp.array([0.3]))[0])(d),
           [0.09325273, -0.05762142, -0.11340867, -0.06215676, 0.16649123, -0.12485626], rtol=1e-4, atol=1e-6)
    k0 = gaussian_kde(d)
    _close(jax.vmap(lambda x: k0.logpdf(x)[0])(jnp.array([0.0, 0.5])), k0.logpdf(jnp.array([0.0, 0.5])), rtol=1e-6)
    with pytest.raises(ValueError, match="bw_method"):
        gaussian_kde(d, bw_method="nope")
    with pytest.raises(ValueError, match="multiple elements"):
        gaussian_kde(jnp.array([1.0]))
    with pytest.raises(ValueError, match="length n"):
        gaussian_kde(d, weights=jnp.ones(4))
    with pytest.raises(NotImplementedError, match="complex"):
        gaussian_kde(d + 1j)


def test_gaussian_kde_weighted_matches_numpy_formula():
    # the density is the weighted mixture of N(x_i, cov) with numpy's aweights covariance
    with enable_x64():
        x = np.random.default_rng(0).standard_normal((2, 30))
        w = np.random.default_rng(1).uniform(0.5, 2.0, 30)
        k = gaussian_kde(x, weights=w)
        wn = w / w.sum()
        neff = 1 / np.sum(wn ** 2)
        cov = np.cov(x, aweights=wn) * neff ** (-2 / 6)
        _close(k.covariance, cov, rtol=1e-12)
        q = np.array([[0.1, -0.4], [0.7, 0.2]])
        diff = q.T[:, None, :] - x.T[None, :, :]
        quad = np.einsum("mni,ij,mnj->mn", diff, np.linalg.inv(cov), diff)
        want = (wn * np.exp(-0.5 * quad)).sum(1) / np.sqrt(np.linalg.det(2 * np.pi * cov))
        _close(k.evaluate(q), want, rtol=1e-12)
        _close(k.logpdf(q), np.log(want), rtol=1e-12)


# ---- ndimage.map_coordinates ---------------------------------------------------------------------
MC_WANT = {
    (0, "constant"): [6, 11, -1, -1, -1], (0, "nearest"): [6, 11, 3, 8, 8], (0, "wrap"): [6, 11, 8, 3, 0],
    (0, "mirror"): [6, 11, 6, 5, 4], (0, "reflect"): [6, 11, 3, 8, 8],
    (1, "constant"): [3.5, 8.5, -0.8800001, -1, -1], (1, "nearest"): [3.5, 8.5, 3, 8, 8.400001],
    (1, "wrap"): [3.5, 8.5, 5.8999996, 6.000001, 1.2000003], (1, "mirror"): [3.5, 8.5, 4.9, 6.8000007, 3.6],
    (1, "reflect"): [3.5, 8.5, 3, 8.2, 7.6],
}


@pytest.mark.parametrize("order,mode", sorted(MC_WANT))
def test_map_coordinates_modes(order, mode):
    inp = jnp.arange(12.0).reshape(3, 4)
    c = [jnp.array([0.5, 1.5, -0.7, 2.6, 3.2]), jnp.array([1.5, 2.5, 3.9, -1.2, 0.4])]
    out = _f32(ndi.map_coordinates(inp, c, order, mode=mode, cval=-1.0))
    _close(out, MC_WANT[order, mode], rtol=1e-6, atol=1e-6)


def test_map_coordinates_dtypes_grad_jit_vmap_errors():
    out = ndi.map_coordinates(jnp.arange(6, dtype=jnp.int32).reshape(2, 3), [jnp.array([0.5, 0.2]), jnp.array([0.5, 1.5])], 1)
    assert out.dtype == jnp.int32 and np.array_equal(out, [2, 2])           # rounded half away from zero
    np.testing.assert_array_equal(ndi.map_coordinates(jnp.arange(5.0), [jnp.array([0.5, 1.5, 2.5, -0.5])], 0), [1, 2, 3, 0])
    img = jnp.arange(12.0).reshape(3, 4) ** 2
    _close(jax.grad(lambda c: ndi.map_coordinates(img, [c, jnp.array(1.3)], 1))(0.6), 26.4, rtol=1e-5)
    f = jax.jit(lambda c0, c1: ndi.map_coordinates(img, [c0, c1], 1, mode="reflect"))
    c0, c1 = jnp.array([0.5, -0.7, 2.6]), jnp.array([1.5, 3.9, -1.2])
    _close(f(c0, c1), ndi.map_coordinates(img, [c0, c1], 1, mode="reflect"))
    _close(jax.vmap(lambda a, b: ndi.map_coordinates(img, [a, b], 1))(c0, c1), ndi.map_coordinates(img, [c0, c1], 1))
    with enable_x64():
        g = np.random.default_rng(0).standard_normal((4, 5))
        check_grads(lambda im, c: ndi.map_coordinates(im, [c, c[::-1] + 0.5], 1, mode="mirror"), g, np.array([0.3, 1.7, 2.2]))
    with pytest.raises(NotImplementedError, match="order<=1"):
        ndi.map_coordinates(img, [c0, c1], 3)
    with pytest.raises(NotImplementedError, match="mode grid-wrap"):
        ndi.map_coordinates(img, [c0, c1], 1, mode="grid-wrap")
    with pytest.raises(ValueError, match="length input.ndim"):
        ndi.map_coordinates(img, [c0], 1)


# ---- interpolate.RegularGridInterpolator ---------------------------------------------------------
def test_regular_grid_interpolator():
    pts = (jnp.array([1.0, 2, 3]), jnp.array([4.0, 5, 6, 8]))
    vals = jnp.arange(12.0).reshape(3, 4) ** 2
    q = jnp.array([[1.5, 4.5], [2.2, 5.8], [3.0, 8.0], [0.5, 5.0], [2.9, 7.1]])
    f = RegularGridInterpolator(pts, vals)
    out = _f32(f(q))
    _close(np.asarray(out)[[0, 1, 2, 4]], [10.5, 46.280006, 121.0, 104.71001], rtol=1e-6)
    assert np.isnan(out[3])                                                 # outside: fill_value nan
    np.testing.assert_array_equal(np.asarray(f(q, method="nearest"))[[0, 1, 2, 4]], [0, 36, 121, 121])
    _close(RegularGridInterpolator(pts, vals, fill_value=None)(q)[3], -11.0)  # extrapolates
    _close(RegularGridInterpolator(pts, vals, fill_value=-2.0)((jnp.array([1.5, 4.0]), jnp.array([4.5, 5.0]))), [10.5, -2.0])
    g = RegularGridInterpolator((jnp.array([0.0, 1, 3]),), jnp.arange(6.0).reshape(3, 2))   # trailing value dims
    _close(g(jnp.array([0.5, 2.0, 3.0])), [[1, 2], [3, 4], [4, 5]])
    # a pytree; jit, vmap and grad through the values
    h = RegularGridInterpolator((jnp.array([1.0, 2, 3]),), jnp.array([1.0, 4, 9]))
    _close(jax.jit(lambda h, q: h(q))(h, jnp.array([1.25, 2.5, 3.5])), [1.75, 6.5, np.nan])
    _close(jax.vmap(lambda x: h(x[None])[0])(jnp.array([1.25, 2.5])), [1.75, 6.5])
    _close(jax.grad(lambda v: RegularGridInterpolator((jnp.array([1.0, 2, 3]),), v)(jnp.array([1.25]))[0])(
        jnp.array([1.0, 4, 9])), [0.75, 0.25, 0.0])
    with enable_x64():
        check_grads(lambda v, x: RegularGridInterpolator(pts, v)(x), np.asarray(vals, np.float64) / 10,
                    np.array([[1.3, 4.6], [2.7, 7.2]]))
    with pytest.raises(ValueError, match="method 'cubic' is not defined"):
        RegularGridInterpolator(pts, vals, method="cubic")
    with pytest.raises(NotImplementedError, match="bounds_error"):
        RegularGridInterpolator(pts, vals, bounds_error=True)
    with pytest.raises(ValueError, match="3 point arrays"):
        RegularGridInterpolator(pts + (jnp.array([0.0, 1.0]),), vals)
    with pytest.raises(ValueError, match="dimension 3"):
        f(jnp.ones((2, 3)))
    with pytest.raises(ValueError, match="fill_value"):
        RegularGridInterpolator(pts, vals, fill_value=1j)


# ---- cluster.vq.vq -------------------------------------------------------------------------------
def test_vq():
    obs = jnp.array([[1.1, 2.1, 3.1], [5.9, 4.8, 6.2], [2.5, 3.5, 4.5]])
    cb = jnp.array([[1.0, 2.0, 3.0], [2.0, 3.0, 4.0], [3.0, 4.0, 5.0], [4.0, 5.0, 6.0]])
    code, dist = vq.vq(obs, cb)
    assert code.dtype == jnp.int32 and dist.dtype == jnp.float32
    np.testing.assert_array_equal(code, [0, 3, 1])                           # a tie goes to the first code
    _close(dist, [0.17320499, 1.9209373, 0.8660254])
    code, dist = vq.vq(jnp.array([1, 5, 9]), jnp.array([0, 4, 8, 12]))      # 1-d: length-1 vectors
    np.testing.assert_array_equal(code, [0, 1, 2])
    _close(_f32(dist), [1.0, 1.0, 1.0])
    c2, d2 = jax.jit(vq.vq)(obs, cb)
    np.testing.assert_array_equal(c2, [0, 3, 1])
    _close(jax.vmap(lambda o: vq.vq(o, cb)[1])(obs[:, None, :])[:, 0], [0.17320499, 1.9209373, 0.8660254])
    _close(jax.grad(lambda o: jnp.sum(vq.vq(o, cb)[1]))(obs[:1]), (obs[:1] - cb[:1]) / 0.17320499, rtol=1e-5)
    with pytest.raises(ValueError, match="same rank"):
        vq.vq(obs, cb[0])
    with pytest.raises(ValueError, match="ndim different than 1 or 2"):
        vq.vq(obs[None], cb[None])
    with pytest.raises(TypeError):
        vq.vq([[1.0]], cb)
