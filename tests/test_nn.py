"""jaxish.nn (activations, softmax family, one_hot, standardize, initializers), jaxish.scipy.special
and stats.norm, and lax.conv_general_dilated.

Oracles: torch.nn.functional / torch.special for activations and special functions, a direct
numpy loop convolution for conv (every dimension-number layout, dilation, padding and group
option). Each function: jit (eager backend) against eager, vmap against a loop, jvp against
finite differences and vjp against jvp in float64; kink derivatives pinned to jax 0.10.2's."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings, strategies as st

import jaxish as jax
import jaxish.numpy as jnp
from jaxish import lax, nn
from jaxish.scipy import special, stats

from breadth_helpers import enable_x64, check_jit, check_vmap, check_grads, normal as _r, x64  # noqa: F401

SETTINGS = dict(max_examples=10, deadline=None)


def _away(shape, seed=0, scale=2.0):
    """Normal samples kept at least 0.05 away from the kinks at 0, +-1, 6 and -3, 3."""
    x = _r(shape, seed, scale)
    for k in (0.0, 1.0, -1.0, 3.0, -3.0, 6.0):
        near = np.abs(x - k) < 0.05
        x = np.where(near, k + 0.1, x)
    return x


T = torch.from_numpy


def _t(fn):
    return lambda *a: fn(*[T(np.asarray(x)) for x in a]).numpy()


# (name, jaxish fn, torch/numpy oracle, args(seed), differentiable)
ACT = [
    ("relu", nn.relu, _t(F.relu), lambda s: [_away((3, 4), s)], True),
    ("relu6", nn.relu6, _t(F.relu6), lambda s: [_away((3, 4), s, 4.0)], True),
    ("sigmoid", nn.sigmoid, _t(torch.sigmoid), lambda s: [_r((3, 4), s, 3)], True),
    ("softplus", nn.softplus, _t(F.softplus), lambda s: [_r((3, 4), s, 3)], True),
    ("soft_sign", nn.soft_sign, _t(F.softsign), lambda s: [_r((3, 4), s, 3)], True),
    ("silu", nn.silu, _t(F.silu), lambda s: [_r((3, 4), s, 3)], True),
    ("swish", nn.swish, _t(F.silu), lambda s: [_r((5,), s, 3)], True),
    ("log_sigmoid", nn.log_sigmoid, _t(F.logsigmoid), lambda s: [_r((3, 4), s, 3)], True),
    ("elu", lambda x: nn.elu(x, 0.7), _t(lambda x: F.elu(x, 0.7)), lambda s: [_away((3, 4), s)], True),
    ("celu", lambda x: nn.celu(x, 1.3), _t(lambda x: F.celu(x, 1.3)), lambda s: [_away((3, 4), s)], True),
    ("selu", nn.selu, _t(F.selu), lambda s: [_away((3, 4), s)], True),
    ("leaky_relu", lambda x: nn.leaky_relu(x, 0.2), _t(lambda x: F.leaky_relu(x, 0.2)), lambda s: [_away((3, 4), s)],
     True),
    ("hard_tanh", nn.hard_tanh, _t(F.hardtanh), lambda s: [_away((3, 4), s)], True),
    ("hard_sigmoid", nn.hard_sigmoid, _t(F.hardsigmoid), lambda s: [_away((3, 4), s, 3)], True),
    ("hard_silu", nn.hard_silu, _t(F.hardswish), lambda s: [_away((3, 4), s, 3)], True),
    ("gelu_tanh", nn.gelu, _t(lambda x: F.gelu(x, approximate="tanh")), lambda s: [_r((3, 4), s, 3)], True),
    ("gelu_exact", lambda x: nn.gelu(x, approximate=False), _t(F.gelu), lambda s: [_r((3, 4), s, 3)], True),
    ("glu", nn.glu, _t(lambda x: F.glu(x, -1)), lambda s: [_r((3, 6), s)], True),
    ("glu_axis0", lambda x: nn.glu(x, axis=0), _t(lambda x: F.glu(x, 0)), lambda s: [_r((4, 3), s)], True),
    ("mish", nn.mish, _t(F.mish), lambda s: [_r((3, 4), s, 3)], True),
    ("softmax", nn.softmax, _t(lambda x: torch.softmax(x, -1)), lambda s: [_r((3, 5), s, 3)], True),
    ("softmax_axis0", lambda x: nn.softmax(x, axis=0), _t(lambda x: torch.softmax(x, 0)), lambda s: [_r((3, 5), s)],
     True),
    ("log_softmax", nn.log_softmax, _t(lambda x: torch.log_softmax(x, -1)), lambda s: [_r((3, 5), s, 3)], True),
    ("logsumexp", lambda x: nn.logsumexp(x, axis=1), _t(lambda x: torch.logsumexp(x, 1)), lambda s: [_r((3, 5), s, 9)],
     True),
    ("logmeanexp", lambda x: nn.logmeanexp(x, axis=0), _t(lambda x: torch.logsumexp(x, 0) - math.log(x.shape[0])),
     lambda s: [_r((4, 3), s, 5)], True),
    ("logsumexp_all", nn.logsumexp, _t(lambda x: torch.logsumexp(x.reshape(-1), 0)), lambda s: [_r((2, 3), s)], True),
    ("standardize", nn.standardize, _t(lambda x: (x - x.mean(-1, keepdim=True)) /
                                       torch.sqrt(x.var(-1, unbiased=False, keepdim=True) + 1e-5)),
     lambda s: [_r((3, 5), s)], True),
    ("erf", special.erf, _t(torch.special.erf), lambda s: [_r((6,), s)], True),
    ("erfc", special.erfc, _t(torch.special.erfc), lambda s: [_r((6,), s)], True),
    ("erfinv", special.erfinv, _t(torch.special.erfinv), lambda s: [np.tanh(_r((6,), s))], True),
    ("expit", special.expit, _t(torch.special.expit), lambda s: [_r((6,), s, 3)], True),
    ("logit", special.logit, _t(torch.special.logit), lambda s: [1 / (1 + np.exp(-_r((6,), s)))], True),
    ("gammaln", special.gammaln, _t(torch.special.gammaln), lambda s: [np.abs(_r((6,), s, 3)) + 0.1], True),
    ("digamma", special.digamma, _t(torch.special.digamma), lambda s: [np.abs(_r((6,), s, 3)) + 0.1], True),
    ("polygamma2", lambda x: special.polygamma(2, x), _t(lambda x: torch.special.polygamma(2, x)),
     lambda s: [np.abs(_r((6,), s, 3)) + 0.3], True),
    ("xlogy", special.xlogy, _t(torch.special.xlogy), lambda s: [_r((6,), s), np.abs(_r((6,), s + 1)) + 0.1], True),
    ("xlog1py", special.xlog1py, _t(torch.special.xlog1py), lambda s: [_r((6,), s), np.abs(_r((6,), s + 1))], True),
    ("entr", special.entr, _t(torch.special.entr), lambda s: [np.abs(_r((6,), s)) + 0.1], True),
    ("ndtr", special.ndtr, _t(torch.special.ndtr), lambda s: [_r((6,), s, 3)], True),
    ("ndtri", special.ndtri, _t(torch.special.ndtri), lambda s: [1 / (1 + np.exp(-_r((6,), s)))], True),
    ("log_ndtr", special.log_ndtr, _t(torch.special.log_ndtr), lambda s: [_r((8,), s, 12)], True),
    ("scipy_logsumexp_b", lambda a, b: special.logsumexp(a, axis=0, b=b),
     lambda a, b: np.log(np.sum(b * np.exp(a), axis=0)), lambda s: [_r((4, 3), s), np.abs(_r((4, 3), s + 1))], True),
    ("norm_logpdf", lambda x: stats.norm.logpdf(x, 1.0, 2.0),
     lambda x: -0.5 * ((x - 1) / 2) ** 2 - 0.5 * np.log(2 * np.pi) - np.log(2.0), lambda s: [_r((6,), s)], True),
    ("norm_cdf", lambda x: stats.norm.cdf(x, -1.0, 0.5), _t(lambda x: torch.special.ndtr((x + 1) / 0.5)),
     lambda s: [_r((6,), s)], True),
    ("norm_ppf", lambda q: stats.norm.ppf(q, 2.0, 3.0), _t(lambda q: 2 + 3 * torch.special.ndtri(q)),
     lambda s: [1 / (1 + np.exp(-_r((6,), s)))], True),
    ("one_hot", lambda i: nn.one_hot(i, 5), _t(lambda i: F.one_hot(i.clamp(0, 4), 5).double() *
                                              ((i >= 0) & (i < 5)).double()[..., None]),
     lambda s: [np.random.default_rng(s).integers(-1, 7, (4, 3))], False),
]
IDS = [c[0] for c in ACT]


@pytest.mark.parametrize("case", ACT, ids=IDS)
def test_eager_matches_oracle(case):
    name, f, ref, make, _ = case
    args = make(0)
    got = np.asarray(f(*[jnp.asarray(a) for a in args]))
    want = ref(*args)
    assert got.shape == np.shape(want), name
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12, err_msg=name)


@pytest.mark.parametrize("case", ACT, ids=IDS)
def test_jit_matches_eager(case):
    check_jit(case[1], *[jnp.asarray(a) for a in case[3](0)])


@pytest.mark.parametrize("case", ACT, ids=IDS)
def test_vmap_matches_loop(case):
    sets = [case[3](s) for s in (0, 1, 2)]
    batched = [jnp.asarray(np.stack(p)) for p in zip(*sets)]
    check_vmap(case[1], *batched)


@pytest.mark.parametrize("case", [c for c in ACT if c[4]], ids=[c[0] for c in ACT if c[4]])
def test_grads_match_finite_differences(case):
    check_grads(case[1], *[jnp.asarray(a) for a in case[3](4)], rtol=2e-5)


def test_kink_derivatives_as_jax():
    x = jnp.array([-6., -1., 0., 1., 6.])
    want = {
        nn.relu: [0, 0, 0, 1, 1], nn.relu6: [0, 0, 0, 1, 0], nn.leaky_relu: [0.01, 0.01, 1, 1, 1],
        nn.hard_tanh: [0, 1, 1, 1, 0], nn.sparse_plus: [0, 0, 0.5, 1, 1], nn.sparse_sigmoid: [0, 0.25, 0.5, 0.25, 0],
        nn.hard_sigmoid: [0, 1 / 6, 1 / 6, 1 / 6, 0], nn.elu: [0.00247875, 0.36787944, 1, 1, 1],
    }
    for f, w in want.items():
        np.testing.assert_allclose(np.asarray(jax.vmap(jax.grad(f))(x)), w, rtol=1e-6, err_msg=f.__name__)


def test_softmax_where_logsumexp_sign_and_one_hot_axis():
    x = jnp.asarray(_r((2, 4)))
    mask = jnp.array([[True, False, True, True], [False, False, True, False]])
    s = np.asarray(nn.softmax(x, where=mask))
    xm = np.where(np.asarray(mask), np.asarray(x), -np.inf)
    ref = np.exp(xm - xm.max(-1, keepdims=True))
    np.testing.assert_allclose(s, ref / ref.sum(-1, keepdims=True), rtol=1e-12)
    val, sign = special.logsumexp(jnp.array([1.0, 2.0]), b=jnp.array([1.0, -2.0]), return_sign=True)
    np.testing.assert_allclose([float(val), float(sign)], [np.log(2 * np.e ** 2 - np.e), -1.0])
    assert np.isnan(float(special.logsumexp(jnp.array([1.0, 2.0]), b=jnp.array([1.0, -2.0]))))
    assert float(nn.logsumexp(jnp.array([-np.inf, -np.inf]))) == -np.inf
    oh = nn.one_hot(jnp.array([[0, 2], [1, 5]]), 3, axis=0, dtype=jnp.int32)
    assert oh.shape == (3, 2, 2) and oh.dtype == jnp.int32
    np.testing.assert_array_equal(np.asarray(oh[:, 1, 1]), [0, 0, 0])
    with enable_x64(False):
        assert nn.one_hot(jnp.array([1]), 2).dtype == jnp.float32
        assert nn.gelu(jnp.ones(2, jnp.float32)).dtype == jnp.float32
        assert nn.softmax(jnp.ones(2, jnp.bfloat16)).dtype == jnp.bfloat16


def test_softmax_grad_is_stable_for_large_inputs():
    x = jnp.array([1000.0, 1000.0, -1000.0])
    g = jax.grad(lambda x: nn.log_softmax(x)[0])(x)
    np.testing.assert_allclose(np.asarray(g), [0.5, -0.5, 0.0], atol=1e-12)


# ---- initializers -----------------------------------------------------------------------------
def test_initializers_shapes_dtypes_and_statistics():
    key = jax.random.PRNGKey(0)
    init = nn.initializers
    assert np.asarray(init.zeros(key, (2, 3))).sum() == 0 and init.zeros(key, (2,), jnp.int32).dtype == jnp.int32
    np.testing.assert_array_equal(np.asarray(init.ones(key, (2,))), [1, 1])
    np.testing.assert_array_equal(np.asarray(init.constant(-2.5)(key, (2, 2))), np.full((2, 2), -2.5))
    with enable_x64(False):
        assert init.glorot_normal()(key, (3, 4)).dtype == jnp.float32
    shape = (200, 150)
    cases = {
        "normal": (init.normal(0.5), 0.5),
        "glorot_uniform": (init.glorot_uniform(), math.sqrt(2 / 350)),
        "glorot_normal": (init.glorot_normal(), math.sqrt(2 / 350)),
        "he_normal": (init.he_normal(), math.sqrt(2 / 200)),
        "he_uniform": (init.kaiming_uniform(), math.sqrt(2 / 200)),
        "lecun_normal": (init.lecun_normal(), math.sqrt(1 / 200)),
        "lecun_uniform": (init.lecun_uniform(), math.sqrt(1 / 200)),
        "fan_out_normal": (init.variance_scaling(3.0, "fan_out", "normal"), math.sqrt(3 / 150)),
        "fan_geo_avg": (init.variance_scaling(1.0, "fan_geo_avg", "uniform"), math.sqrt(1 / math.sqrt(200 * 150))),
    }
    for name, (f, std) in cases.items():
        w = np.asarray(f(key, shape))
        assert w.shape == shape, name
        assert abs(w.std() / std - 1) < 0.04, (name, w.std(), std)
        assert abs(w.mean()) < 0.05 * std + 1e-3, name
    u = np.asarray(init.uniform(2.0)(key, (1000,)))
    assert u.min() >= 0 and u.max() < 2.0 and abs(u.mean() - 1) < 0.1
    t = np.asarray(init.truncated_normal(1.0)(key, (2000,)))
    assert t.min() >= -2 and t.max() <= 2
    np.testing.assert_array_equal(np.asarray(init.he_normal()(key, (3, 3))), np.asarray(init.he_normal()(key, (3, 3))))
    conv = np.asarray(init.he_normal(in_axis=-2, out_axis=-1)(key, (3, 3, 32, 16)))
    assert abs(conv.std() / math.sqrt(2 / (32 * 9)) - 1) < 0.06
    with pytest.raises(ValueError, match="mode"):
        init.variance_scaling(1.0, "fan_bad", "normal")
    with pytest.raises(ValueError, match="2D"):
        init.glorot_normal()(key, (5,))


@pytest.mark.parametrize("shape,axis", [((5, 3), -1), ((3, 5), -1), ((4, 2, 6), 0)])
def test_orthogonal_initializer(shape, axis):
    w = np.asarray(nn.initializers.orthogonal(scale=2.0, column_axis=axis)(jax.random.PRNGKey(1), shape))
    assert w.shape == shape
    cols = np.moveaxis(w, axis, -1).reshape(-1, shape[axis])
    g = cols.T @ cols if cols.shape[0] >= cols.shape[1] else cols @ cols.T
    np.testing.assert_allclose(g, 4 * np.eye(len(g)), atol=1e-5)


# ---- convolution ------------------------------------------------------------------------------
def _np_conv(lhs, rhs, strides, padding, lhs_dil, rhs_dil, dn, fgc=1, bgc=1):
    """Reference conv_general_dilated by explicit loops over output positions (small sizes)."""
    ls, rs, os_ = dn
    x = np.transpose(lhs, ls)
    w = np.transpose(rhs, rs)
    nsp = x.ndim - 2
    for i in range(nsp):  # lhs dilation: zeros between entries
        d = lhs_dil[i]
        if d > 1:
            n = x.shape[2 + i]
            shape = list(x.shape)
            shape[2 + i] = (n - 1) * d + 1 if n else 0
            y = np.zeros(shape, x.dtype)
            idx = [slice(None)] * x.ndim
            idx[2 + i] = slice(None, None, d)
            y[tuple(idx)] = x
            x = y
    for i, (lo, hi) in enumerate(padding):
        ax = 2 + i
        if lo < 0:
            x = np.take(x, range(-lo, x.shape[ax]), axis=ax)
            lo = 0
        if hi < 0:
            x = np.take(x, range(0, x.shape[ax] + hi), axis=ax)
            hi = 0
        pw = [(0, 0)] * x.ndim
        pw[ax] = (lo, hi)
        x = np.pad(x, pw)
    N, C = x.shape[:2]
    O, I = w.shape[:2]
    k = w.shape[2:]
    kd = [(kk - 1) * d + 1 for kk, d in zip(k, rhs_dil)]
    out_sp = [(x.shape[2 + i] - kd[i]) // strides[i] + 1 for i in range(nsp)]
    out = np.zeros((N // bgc, O) + tuple(out_sp))
    og = O // max(fgc, bgc)
    for o in range(O):
        g = o // og
        for n in range(N // bgc):
            src_n = n + (g * (N // bgc) if bgc > 1 else 0)
            chans = range(g * I, (g + 1) * I) if fgc > 1 else range(I)
            for pos in np.ndindex(*out_sp):
                acc = 0.0
                for ci, c in enumerate(chans):
                    for kpos in np.ndindex(*k):
                        xi = tuple(p * s + kp * d for p, s, kp, d in zip(pos, strides, kpos, rhs_dil))
                        acc += x[(src_n, c) + xi] * w[(o, ci) + kpos]
                out[(n, o) + pos] = acc
    return np.transpose(out, np.argsort(os_))


CONV = [
    # name, lhs shape, rhs shape, kwargs for conv_general_dilated
    ("nchw_basic", (2, 3, 6, 5), (4, 3, 3, 2), dict(window_strides=(1, 1), padding="VALID")),
    ("nchw_same_strided", (1, 2, 7, 6), (3, 2, 3, 3), dict(window_strides=(2, 3), padding="SAME")),
    ("nhwc_hwio_dilated", (2, 6, 5, 3), (2, 3, 3, 4),
     dict(window_strides=(1, 2), padding=((1, 2), (-1, 1)), lhs_dilation=(1, 2), rhs_dilation=(2, 1),
          dimension_numbers=("NHWC", "HWIO", "NHWC"))),
    ("groups", (2, 4, 5, 5), (6, 2, 2, 2), dict(window_strides=(1, 1), padding="SAME", feature_group_count=2)),
    ("batch_groups", (4, 3, 4, 4), (4, 3, 2, 2), dict(window_strides=(1, 1), padding="VALID", batch_group_count=2)),
    ("conv1d_nwc", (2, 7, 3), (3, 3, 2), dict(window_strides=(2,), padding="SAME_LOWER",
                                              dimension_numbers=("NWC", "WIO", "NWC"))),
    ("conv3d", (1, 2, 3, 4, 3), (2, 2, 2, 2, 2), dict(window_strides=(1, 1, 1), padding=((0, 1), (1, 0), (0, 0)))),
]
CONV_IDS = [c[0] for c in CONV]


def _conv_args(case, seed=0):
    _, ls, rs, kw = case
    return _r(ls, seed), _r(rs, seed + 1), kw


def _explicit(kw, lshape, rshape):
    la = jnp.zeros(lshape)
    dn = lax.conv_dimension_numbers(lshape, rshape, kw.get("dimension_numbers"))
    nsp = len(lshape) - 2
    pad = kw["padding"]
    rd = kw.get("rhs_dilation") or (1,) * nsp
    if isinstance(pad, str):
        k = [(rshape[dn.rhs_spec[2 + i]] - 1) * rd[i] + 1 for i in range(nsp)]
        pad = lax.padtype_to_pads([lshape[dn.lhs_spec[2 + i]] for i in range(nsp)], k, kw["window_strides"], pad)
    return dn, pad, kw.get("lhs_dilation") or (1,) * nsp, rd


@pytest.mark.parametrize("case", CONV, ids=CONV_IDS)
def test_conv_matches_reference(case):
    lhs, rhs, kw = _conv_args(case)
    got = np.asarray(lax.conv_general_dilated(jnp.asarray(lhs), jnp.asarray(rhs), **kw))
    dn, pad, ld, rd = _explicit(kw, lhs.shape, rhs.shape)
    want = _np_conv(lhs, rhs, kw["window_strides"], pad, ld, rd, dn, kw.get("feature_group_count", 1),
                    kw.get("batch_group_count", 1))
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("case", CONV, ids=CONV_IDS)
def test_conv_grads_jit_and_vmap(case):
    lhs, rhs, kw = _conv_args(case, seed=3)
    f = lambda a, b: lax.conv_general_dilated(a, b, **kw)
    a, b = jnp.asarray(lhs), jnp.asarray(rhs)
    check_grads(f, a, b)
    check_jit(f, a, b)
    a2, b2 = jnp.asarray(_r((2,) + lhs.shape, 5)), jnp.asarray(_r((2,) + rhs.shape, 6))
    check_vmap(f, a2, b2)
    check_vmap(f, jnp.moveaxis(a2, 0, 2), b, in_axes=(2, None))
    check_vmap(f, a, jnp.moveaxis(b2, 0, -1), in_axes=(None, b.ndim))


def test_conv_against_torch_and_helpers():
    x, w = _r((2, 3, 9, 8), 1), _r((5, 3, 3, 3), 2)
    got = lax.conv(jnp.asarray(x), jnp.asarray(w), (2, 1), "SAME")
    want = F.conv2d(F.pad(T(x), (1, 1, 1, 1)), T(w), stride=(2, 1)).numpy()
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-10)
    assert lax.padtype_to_pads((8, 8), (3, 3), (2, 1), "SAME") == [(0, 1), (1, 1)]
    assert lax.padtype_to_pads((8, 8), (3, 3), (2, 1), "SAME_LOWER") == [(1, 0), (1, 1)]
    assert lax.padtype_to_pads((8, 8), (3, 3), (2, 1), "VALID") == [(0, 0), (0, 0)]
    dn = lax.conv_dimension_numbers((1, 5, 6, 3), (2, 2, 3, 4), ("NHWC", "HWIO", "NHWC"))
    assert dn == lax.ConvDimensionNumbers((0, 3, 1, 2), (3, 2, 0, 1), (0, 3, 1, 2))
    # conv_transpose is the gradient of a strided conv with respect to its input
    y = jnp.asarray(_r((1, 4, 4, 2), 3))
    k = jnp.asarray(_r((3, 3, 5, 2), 4))
    t = lax.conv_transpose(y, k, (2, 2), "SAME", transpose_kernel=True)
    fwd = lambda x: lax.conv_general_dilated(x, k, (2, 2), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC"))
    _, pull = jax.vjp(fwd, jnp.zeros((1, 8, 8, 5)))
    np.testing.assert_allclose(np.asarray(t), np.asarray(pull(y)[0]), rtol=1e-10, atol=1e-12)


def test_conv_errors():
    x, w = jnp.ones((1, 3, 5, 5)), jnp.ones((2, 2, 3, 3))
    with pytest.raises(TypeError, match="feature_group_count"):
        lax.conv_general_dilated(x, w, (1, 1), "VALID")
    with pytest.raises(ValueError, match="Unknown padding"):
        lax.conv(x, jnp.ones((2, 3, 3, 3)), (1, 1), "FULL")
    with pytest.raises(TypeError, match="window_strides"):
        lax.conv(x, jnp.ones((2, 3, 3, 3)), (1,), "VALID")
    with pytest.raises(TypeError, match="dimension_numbers"):
        lax.conv_general_dilated(x, w, (1, 1), "VALID", dimension_numbers=("NCH", "OIH", "NCH"))
    with pytest.raises(TypeError, match="same dtypes"):
        lax.conv(x, jnp.ones((2, 3, 3, 3), jnp.float32), (1, 1), "VALID")


@settings(**SETTINGS)
@given(st.integers(1, 6), st.integers(1, 3), st.integers(1, 2), st.integers(1, 2), st.integers(-1, 2),
       st.integers(0, 2), st.integers(0, 1000))
def test_conv1d_drawn_parameters_match_reference(n, k, stride, dil, lo, hi, seed):
    x, w = _r((1, 2, n), seed), _r((3, 2, k), seed + 1)
    kd = (k - 1) * dil + 1
    if n + lo + hi < kd or n + lo <= 0:
        return
    got = lax.conv_general_dilated(jnp.asarray(x), jnp.asarray(w), (stride,), ((lo, hi),), rhs_dilation=(dil,))
    want = _np_conv(x, w, (stride,), ((lo, hi),), (1,), (dil,), ((0, 1, 2),) * 3)
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-10, atol=1e-10)


def test_default_backend_jit_of_a_small_network():
    key = jax.random.PRNGKey(0)
    k1, k2 = jax.random.split(key)
    w1 = nn.initializers.he_normal(in_axis=1, out_axis=0)(k1, (4, 3, 3, 3))
    w2 = nn.initializers.glorot_normal()(k2, (4 * 4 * 4, 5))

    def net(x):
        h = nn.gelu(lax.conv(x, w1, (2, 2), "SAME"))
        h = h.reshape(h.shape[0], -1)
        return nn.log_softmax(nn.standardize(h) @ w2)

    x = jnp.asarray(_r((2, 3, 8, 8), 9))
    check_jit(net, x, default_backend=True)
    g = jax.jit(jax.grad(lambda x: net(x)[:, 0].sum()))(x)
    np.testing.assert_allclose(np.asarray(g), np.asarray(jax.grad(lambda x: net(x)[:, 0].sum())(x)), rtol=1e-6,
                               atol=1e-9)
