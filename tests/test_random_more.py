"""The samplers added after issue 9 (poisson, binomial, geometric, t, chisquare, f, pareto,
weibull_min, wald, triangular, double_sided_maxwell, generalized_normal, ball, orthogonal,
multinomial, key_dtype) against draws and gradients hard-coded from real JAX 0.10.2 (CPU, default
config; the x64 ones with jax_enable_x64), plus moment checks that would catch a wrong
distribution, identical draws under vmap over keys and under jit, and JAX's argument errors."""
import math

import numpy as np
import pytest

import jaxish as jax
import jaxish.numpy as jnp
from jaxish import random

from breadth_helpers import enable_x64, check_grads

nan, inf = np.nan, np.inf
K0, K42 = random.PRNGKey(0), random.PRNGKey(42)

# jax 0.10.2: {name: (values, dtype)} for the calls in CASES below (keys PRNGKey(0) / PRNGKey(42)).
REF = {'ball': ([[0.9171597361564636, 0.3927421569824219, 0.01165350154042244],
           [-0.8613650798797607, 0.3168482482433319, -0.06285543739795685]],
          'float32'),
 'ball_p1': ([0.5438264012336731, 0.0415043830871582], 'float32'),
 'binomial': ([2.0, 2.0, 1.0, 2.0, 1.0, 4.0, 6.0, 3.0], 'float32'),
 'binomial_arr': ([0.0, 1.0, 18.0, 73.0, 279.0, 4.0, 50.0, 0.0], 'float32'),
 'binomial_special': ([2.0, nan, nan, inf, inf, nan], 'float32'),
 'chisquare': ([1.719925880432129,
                1.972561001777649,
                1.0705076456069946,
                5.624571323394775,
                3.8766942024230957],
               'float32'),
 'chisquare_arr': ([0.13176222145557404, 1.0126549005508423, 12.336588859558105], 'float32'),
 'dsm': ([4.091442108154297, 4.148255348205566, -3.1650609970092773, 5.584834575653076], 'float32'),
 'dsm_arr': ([[-1.3810217380523682, 9.324311256408691],
              [2.2220213413238525, 10.675549507141113],
              [1.677055835723877, 10.833334922790527]],
             'float32'),
 'dsm_noshape': ([[[[-1.3810217380523682, 9.324311256408691], [4.444042682647705, 11.351099967956543]],
                   [[1.677055835723877, 10.833334922790527], [4.963901519775391, 12.709748268127441]]],
                  [[[2.016648292541504, 12.174410820007324], [1.9896634817123413, 12.41904067993164]],
                   [[-1.461846113204956, 8.7440767288208], [-4.358640193939209, 11.129037857055664]]]],
                 'float32'),
 'f': ([2.579707384109497, 0.1921967715024948, 0.15977689623832703, 0.3884202837944031, 0.9917945265769958],
       'float32'),
 'f_arr': ([0.2488178014755249, 0.38239604234695435], 'float32'),
 'gennorm': ([1.0603917837142944,
              0.08920828253030777,
              -1.375133752822876,
              0.5591428875923157,
              0.6801239252090454],
             'float32'),
 'gennorm_p2': ([[-0.7670090794563293, -0.22936896979808807], [0.9689770340919495, 0.08514713495969772]],
                'float32'),
 'geometric': ([1, 1, 4, 3, 2, 6, 4, 2], 'int32'),
 'geometric_arr': ([72, 1, 1, 1], 'int32'),
 'multinomial': ([1.0, 6.0, 13.0], 'float32'),
 'multinomial_batch': ([[0.0, 0.0, 1.0, 4.0], [14.0, 16.0, 12.0, 8.0]], 'float32'),
 'multinomial_shape': ([[4, 4, 2], [6, 1, 3]], 'int32'),
 'orthogonal': ([[0.9554101228713989, 0.2941357493400574, 0.02599557861685753],
                 [-0.04628981649875641, 0.2361408770084381, -0.9706156253814697],
                 [-0.2916313707828522, 0.9261326193809509, 0.23922686278820038]],
                'float32'),
 'orthogonal_tall': ([[-0.08792734146118164, 0.8722633719444275],
                      [0.918591320514679, 0.2578020393848419],
                      [-0.3853037655353546, 0.41556569933891296]],
                     'float32'),
 'orthogonal_wide': ([[[-0.08792734146118164, 0.918591320514679, -0.3853037655353546],
                       [0.8722633719444275, 0.2578020393848419, 0.41556569933891296]],
                      [[-0.9120513200759888, 0.330043226480484, -0.2433796525001526],
                       [0.09860805422067642, 0.7525968551635742, 0.6510564088821411]]],
                     'float32'),
 'pareto': ([4.371315956115723,
             6.832647800445557,
             1.2237889766693115,
             1.3718833923339844,
             1.5247883796691895],
            'float32'),
 'pareto_arr': ([3.8252925872802734, 1.4617000818252563], 'float32'),
 'poisson': ([0, 0, 4, 4, 1, 2, 2, 6], 'int32'),
 'poisson_arr': ([0, 1, 3, 7, 5, 9, 46, 953], 'int32'),
 'poisson_i16': ([[0, 0, 1], [36, 25, 32]], 'int16'),
 't': ([0.6902246475219727,
        -3.2393364906311035,
        -1.6745249032974243,
        -1.8150756359100342,
        -0.5042913556098938],
       'float32'),
 't_arr': ([0.432145893573761, -3.754441022872925, 1.470391035079956], 'float32'),
 'triangular': ([0.8086022734642029,
                 0.8775496482849121,
                 0.31633639335632324,
                 0.3901376724243164,
                 0.4512943625450134,
                 0.2228248417377472],
                'float32'),
 'triangular_arr': ([0.2485027313232422, 2.0198936462402344], 'float32'),
 'wald': ([0.4688202738761902,
           0.5198179483413696,
           0.6178595423698425,
           0.39529651403427124,
           0.5398229956626892],
          'float32'),
 'wald_arr': ([0.2069072723388672, 1.6187800168991089, 0.46823883056640625], 'float32'),
 'weibull_min': ([4.113933563232422,
                  4.9072957038879395,
                  1.0928194522857666,
                  1.4734783172607422,
                  1.7857714891433716],
                 'float32')}

CASES = {
    'poisson': lambda: random.poisson(K0, 3.0, (8,)),
    'poisson_arr': lambda: random.poisson(K42, jnp.array([0., 1., 5., 9.5, 10., 12., 50., 1000.])),
    'poisson_i16': lambda: random.poisson(K0, jnp.array([[2.], [30.]]), (2, 3), dtype=jnp.int16),
    'binomial': lambda: random.binomial(K0, 10., 0.3, (8,)),
    'binomial_arr': lambda: random.binomial(K42, jnp.array([0., 5., 20., 100., 1000., 7.5, 50., 3.]),
                                            jnp.array([.1, .5, .9, .7, .3, .6, 1., 0.])),
    'binomial_special': lambda: random.binomial(K0, jnp.array([5., -1., nan, inf, inf, 5.]),
                                                jnp.array([.3, .3, .3, .3, .8, nan])),
    'geometric': lambda: random.geometric(K0, 0.3, (8,)),
    'geometric_arr': lambda: random.geometric(K42, jnp.array([.01, .5, .9, 1.])),
    't': lambda: random.t(K0, 3.0, (5,)),
    't_arr': lambda: random.t(K42, jnp.array([0.5, 2., 30.])),
    'chisquare': lambda: random.chisquare(K0, 2.5, (5,)),
    'chisquare_arr': lambda: random.chisquare(K42, jnp.array([0.3, 1., 8.])),
    'f': lambda: random.f(K0, 3., 5., (5,)),
    'f_arr': lambda: random.f(K42, jnp.array([1., 4.]), jnp.array([2., 9.])),
    'pareto': lambda: random.pareto(K0, 2., (5,)),
    'pareto_arr': lambda: random.pareto(K42, jnp.array([.5, 3.])),
    'weibull_min': lambda: random.weibull_min(K0, 2., 1.5, (5,)),
    'wald': lambda: random.wald(K0, 1.5, (5,)),
    'wald_arr': lambda: random.wald(K42, jnp.array([.2, 1., 4.])),
    'triangular': lambda: random.triangular(K0, 0., .3, 1., (6,)),
    'triangular_arr': lambda: random.triangular(K42, jnp.array([-1., 0.]), jnp.array([0., 2.]),
                                                jnp.array([2., 3.])),
    'dsm': lambda: random.double_sided_maxwell(K0, 1., 2., (4,)),
    'dsm_arr': lambda: random.double_sided_maxwell(K42, jnp.array([0., 10.]), 1., (3,)),
    'dsm_noshape': lambda: random.double_sided_maxwell(K42, jnp.array([0., 10.]), jnp.array([[1.], [2.]])),
    'gennorm': lambda: random.generalized_normal(K0, 1.5, (5,)),
    'gennorm_p2': lambda: random.generalized_normal(K42, 2.0, (2, 2)),
    'orthogonal': lambda: random.orthogonal(K0, 3),
    'orthogonal_wide': lambda: random.orthogonal(K42, 2, (2,), m=3),
    'orthogonal_tall': lambda: random.orthogonal(K42, 3, m=2),
    'ball': lambda: random.ball(K0, 3, 2., (2,)),
    'ball_p1': lambda: random.ball(K42, 2, 1.),
    'multinomial': lambda: random.multinomial(K0, 20., jnp.array([.2, .3, .5])),
    'multinomial_batch': lambda: random.multinomial(K42, jnp.array([5., 50.]),
                                                    jnp.array([[.1, .2, .3, .4], [.4, .3, .2, .1]])),
    'multinomial_shape': lambda: random.multinomial(K42, 10., jnp.array([.5, .25, .25]), shape=(2, 3),
                                                    dtype=jnp.int32),
}


def _check_ref(got, want, dtype):
    got = np.asarray(got)
    want = np.array(want, dtype=dtype)
    assert got.dtype == want.dtype and got.shape == want.shape, (got.dtype, got.shape, want.shape)
    if np.issubdtype(want.dtype, np.integer):
        np.testing.assert_array_equal(got, want)
    else:
        np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-6, equal_nan=True)


@pytest.mark.parametrize("name", sorted(CASES))
def test_draws_match_real_jax(name):
    _check_ref(CASES[name](), *REF[name])


# jax 0.10.2 with jax_enable_x64, key PRNGKey(7): default dtypes become 64-bit.
REF64 = {
    'poisson64': (lambda k: random.poisson(k, jnp.array([2.0, 40.0])), [4, 47], 'int64'),
    'binomial64': (lambda k: random.binomial(k, jnp.array([8.0, 300.0]), 0.35), [5.0, 102.0], 'float64'),
    'geometric64': (lambda k: random.geometric(k, 0.2, (3,)), [1, 14, 7], 'int64'),
    't64': (lambda k: random.t(k, 4.0, (3,)),
            [0.3824240509273329, -1.1653098436415021, -0.04162241169745968], 'float64'),
    'wald64': (lambda k: random.wald(k, 2.0, (3,)),
               [1.222488559813012, 0.4505433598517179, 2.1349619813755516], 'float64'),
    'multinomial64': (lambda k: random.multinomial(k, 30.0, jnp.array([.1, .6, .3])),
                      [3.0, 18.0, 9.0], 'float64'),
}


@pytest.mark.parametrize("name", sorted(REF64))
def test_x64_draws_match_real_jax(name):
    fn, want, dtype = REF64[name]
    with enable_x64():
        _check_ref(fn(random.PRNGKey(7)), want, dtype)


# jax 0.10.2, x64, key PRNGKey(3): gradients w.r.t. the parameters (gamma-based ones use JAX's
# implicit reparameterization gradient).
GRADS64 = {
    'gamma': (lambda k, a: random.gamma(k, a).sum(), (jnp.array([0.05, 0.3, 1.0, 2.5, 10.0, 150.0]),),
              [2.5188640429295654, 1.885077691293075, 0.4115065989150369, 1.1149987273315416,
               0.9344783288889177, 0.9828382090258333]),
    't': (lambda k, a: random.t(k, a, (3,)).sum(), (3.0,), 0.009350369625490046),
    'chisquare': (lambda k, a: random.chisquare(k, a, (3,)).sum(), (3.0,), 2.2282887454586997),
    'f': (lambda k, a, b: random.f(k, a, b, (3,)).sum(), (3.0, 5.0),
          [-0.04208520953382766, 0.11456759659413629]),
    'gennorm': (lambda k, p: random.generalized_normal(k, p, (3,)).sum(), (1.5,), -2.0727010630768135),
    'ball': (lambda k, p: random.ball(k, 3, p).sum(), (1.5,), 0.3103194919829273),
    'pareto': (lambda k, b: random.pareto(k, b, (3,)).sum(), (2.0,), -1.6486583201017913),
    'wald': (lambda k, m: random.wald(k, m, (3,)).sum(), (2.0,), 1.5168530681520234),
    'weibull': (lambda k, s, c: random.weibull_min(k, s, c, (3,)).sum(), (2.0, 1.5),
                [2.7248718364300997, -0.17742077748347845]),
    'triangular': (lambda k, l, m, r: random.triangular(k, l, m, r, (3,)).sum(), (0.0, 0.4, 2.0),
                   [0.8850190535336198, 1.1062738169170248, 1.0087071295493555]),
    'dsm': (lambda k, l, s: random.double_sided_maxwell(k, l, s, (3,)).sum(), (1.0, 2.0),
            [3.0, 3.9859294105049488]),
}


@pytest.mark.parametrize("name", sorted(GRADS64))
def test_x64_grads_match_real_jax(name):
    fn, args, want = GRADS64[name]
    with enable_x64():
        k = random.PRNGKey(3)
        args = [jnp.asarray(a, jnp.float64) for a in args]
        g = jax.grad(lambda *a: fn(k, *a), argnums=tuple(range(len(args))))(*args)
        got = np.concatenate([np.ravel(np.asarray(x)) for x in g])
        np.testing.assert_allclose(got, np.ravel(want), rtol=1e-6, atol=1e-12)


def test_smooth_samplers_grads_match_finite_differences():
    with enable_x64():
        k = random.PRNGKey(5)
        check_grads(lambda b: random.pareto(k, b, (4,)), np.array(2.5))
        check_grads(lambda m: random.wald(k, m), np.array([0.5, 1.0, 3.0]))
        check_grads(lambda s, c: random.weibull_min(k, s, c, (3,)), np.array(2.0), np.array(1.5))
        check_grads(lambda l, m, r: random.triangular(k, l, m, r, (5,)),
                    np.array(-1.0), np.array(0.3), np.array(2.0))
        check_grads(lambda l, s: random.double_sided_maxwell(k, l, s, (2,)), np.array(1.0), np.array(2.0))


def test_discrete_samplers_have_zero_gradients():
    k = random.PRNGKey(1)
    assert float(jax.grad(lambda l: random.poisson(k, l).astype(float))(3.0)) == 0.0
    assert float(jax.grad(lambda n: random.binomial(k, n, 0.3))(30.0)) == 0.0
    assert float(jax.grad(lambda p: random.binomial(k, 30.0, p))(0.4)) == 0.0
    assert float(jax.grad(lambda p: random.geometric(k, p).astype(float))(0.3)) == 0.0
    g = jax.grad(lambda p: random.multinomial(k, 10., jnp.stack([p, 1 - p])).sum())(0.3)
    assert float(g) == 0.0


# ---- transformations: the same draws under vmap (over keys) and jit --------------------------------
SAMPLERS = {
    'poisson': lambda k: random.poisson(k, jnp.array([1., 5., 30.])),
    'binomial': lambda k: random.binomial(k, jnp.array([5., 100., 1000.]), 0.3),
    'geometric': lambda k: random.geometric(k, 0.3, (3,)),
    't': lambda k: random.t(k, 3.0, (2,)),
    'chisquare': lambda k: random.chisquare(k, 2.5, (2,)),
    'f': lambda k: random.f(k, 3., 5., (2,)),
    'pareto': lambda k: random.pareto(k, 2., (3,)),
    'weibull_min': lambda k: random.weibull_min(k, 2., 1.5, (3,)),
    'wald': lambda k: random.wald(k, 1.5, (3,)),
    'triangular': lambda k: random.triangular(k, 0., .3, 1., (3,)),
    'double_sided_maxwell': lambda k: random.double_sided_maxwell(k, 1., 2., (3,)),
    'generalized_normal': lambda k: random.generalized_normal(k, 1.5, (2,)),
    'ball': lambda k: random.ball(k, 2),
    'orthogonal': lambda k: random.orthogonal(k, 3),
    'multinomial': lambda k: random.multinomial(k, 20., jnp.array([.2, .3, .5])),
}
KEYS = random.split(random.PRNGKey(11), 2)


_SLOW_VMAP = {"f", "generalized_normal"}  # compositions of gamma draws, which 't'/'chisquare' cover


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n in _SLOW_VMAP else n
                                  for n in sorted(SAMPLERS)])
def test_vmap_over_keys_and_jit_give_the_same_draws(name):
    fn = SAMPLERS[name]
    want = np.stack([np.asarray(fn(KEYS[i])) for i in range(2)])
    np.testing.assert_allclose(jax.vmap(fn)(KEYS), want, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(jax.jit(fn, backend="eager")(KEYS[1]), want[1], rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name,backend", [("poisson", "cpp"), ("binomial", "cpp"), ("wald", "cpp"),
                                          ("geometric", "triton"), ("multinomial", "triton")])
def test_compiled_backends_give_the_same_draws(name, backend):
    if backend == "triton":
        pytest.importorskip("jaxish.codegen_triton")
    fn = SAMPLERS[name]
    np.testing.assert_allclose(jax.jit(fn, backend=backend)(KEYS[0]), fn(KEYS[0]), rtol=1e-5, atol=1e-5)


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["cpp", "triton"])
@pytest.mark.parametrize("name", sorted(SAMPLERS))
def test_compiled_backends_all_samplers(name, backend):
    if backend == "triton":
        pytest.importorskip("jaxish.codegen_triton")
    fn = SAMPLERS[name]
    np.testing.assert_allclose(jax.jit(fn, backend=backend)(KEYS[1]), fn(KEYS[1]), rtol=1e-5, atol=1e-5)


def test_vmap_over_parameters_matches_loop():
    lam = jnp.array([0.5, 3.0, 15.0, 60.0])
    k = random.PRNGKey(2)
    got = jax.vmap(lambda l: random.poisson(k, l, (5,)))(lam)
    want = np.stack([np.asarray(random.poisson(k, l, (5,))) for l in lam])
    np.testing.assert_array_equal(got, want)
    n = jnp.array([3.0, 40.0, 400.0])
    got = jax.vmap(lambda n: random.binomial(k, n, 0.4, (4,)))(n)
    np.testing.assert_array_equal(got, np.stack([np.asarray(random.binomial(k, v, 0.4, (4,))) for v in n]))


# ---- distributions: moments of largish samples (fixed seeds) -------------------------------------------
def _moments_close(x, mean, var, n_se=5.0, var_rtol=0.15):
    x = np.asarray(x, np.float64)
    se = math.sqrt(var / x.shape[0])
    assert abs(x.mean(0) - mean).max() <= n_se * se, (x.mean(0), mean, se)
    np.testing.assert_allclose(x.var(0), var, rtol=var_rtol)


N = 4000


def test_poisson_binomial_geometric_moments():
    lam = np.array([0.5, 4.0, 25.0, 200.0])
    x = random.poisson(random.PRNGKey(1), jnp.asarray(lam), (N // 2, 4))
    assert x.dtype == jnp.int32 and int(x.min()) >= 0
    for j in range(4):
        _moments_close(x[:, j], lam[j], lam[j])
    n, p = np.array([20.0, 500.0, 3.0]), np.array([0.3, 0.7, 0.9])
    x = np.asarray(random.binomial(random.PRNGKey(2), jnp.asarray(n), jnp.asarray(p), (N, 3)))
    assert (x >= 0).all() and (x <= n).all() and (x == np.round(x)).all()
    for j in range(3):
        _moments_close(x[:, j], n[j] * p[j], n[j] * p[j] * (1 - p[j]))
    x = random.geometric(random.PRNGKey(3), 0.3, (N,))
    assert int(x.min()) == 1
    _moments_close(x, 1 / 0.3, 0.7 / 0.09)
    assert abs(float(jnp.mean(x == 1)) - 0.3) < 0.03


@pytest.mark.slow
def test_gamma_based_moments():
    k = random.split(random.PRNGKey(4), 6)
    _moments_close(random.chisquare(k[0], 3.0, (N,)), 3.0, 6.0)
    _moments_close(random.t(k[1], 6.0, (N,)), 0.0, 1.5, var_rtol=0.2)
    _moments_close(random.f(k[2], 6.0, 12.0, (N,)), 1.2, 2 * 144 * 16 / (6 * 100 * 8), var_rtol=0.3)
    # density exp(-|x|**p): variance Gamma(3/p) / Gamma(1/p)
    for p, kk in ((1.0, k[3]), (2.0, k[4]), (4.0, k[5])):
        _moments_close(random.generalized_normal(kk, p, (N,)), 0.0, math.gamma(3 / p) / math.gamma(1 / p))


def test_gamma_based_moments_small():
    k = random.split(random.PRNGKey(14), 2)
    _moments_close(random.chisquare(k[0], 3.0, (600,)), 3.0, 6.0, var_rtol=0.3)
    _moments_close(random.generalized_normal(k[1], 1.0, (600,)), 0.0, 2.0, var_rtol=0.3)


def test_continuous_moments():
    k = random.split(random.PRNGKey(4), 9)
    _moments_close(random.pareto(k[3], 5.0, (N,)), 1.25, 5 / (16 * 3), var_rtol=0.3)
    g1, g2 = math.gamma(1 + 1 / 1.5), math.gamma(1 + 2 / 1.5)
    _moments_close(random.weibull_min(k[4], 2.0, 1.5, (N,)), 2 * g1, 4 * (g2 - g1 ** 2))
    _moments_close(random.wald(k[5], 2.0, (N,)), 2.0, 8.0, var_rtol=0.3)
    a, m, b = 0.0, 0.3, 1.0
    _moments_close(random.triangular(k[6], a, m, b, (N,)), (a + m + b) / 3,
                   (a * a + m * m + b * b - a * m - a * b - m * b) / 18)
    _moments_close(random.double_sided_maxwell(k[7], 1.0, 2.0, (N,)), 1.0, 12.0)


@pytest.mark.slow
def test_ball_moments():
    b = np.asarray(random.ball(random.PRNGKey(5), 3, 2.0, (N,)))
    r = np.linalg.norm(b, axis=-1)
    assert r.max() <= 1.0
    _moments_close(r ** 3, 0.5, 1 / 12)
    b1 = np.asarray(random.ball(random.PRNGKey(6), 2, 1.0, (N,)))
    assert np.abs(b1).sum(-1).max() <= 1.0
    _moments_close(np.abs(b1).sum(-1) ** 2, 0.5, 1 / 12)


def test_ball_orthogonal_multinomial_structure():
    b = np.asarray(random.ball(random.PRNGKey(5), 3, 2.0, (500,)))
    r = np.linalg.norm(b, axis=-1)
    assert b.shape == (500, 3) and r.max() <= 1.0
    # uniform in the ball: P(|x| <= s) = s**3, so |x|**3 is uniform on [0, 1]
    _moments_close(r ** 3, 0.5, 1 / 12, var_rtol=0.3)

    q = np.asarray(random.orthogonal(random.PRNGKey(7), 4, (500,)))
    np.testing.assert_allclose(q @ np.swapaxes(q, -1, -2), np.broadcast_to(np.eye(4), q.shape), atol=1e-5)
    _moments_close(q[:, 0, 0], 0.0, 0.25)  # Haar: each entry has mean 0 and variance 1/n
    assert 0.4 < np.mean(np.linalg.det(q) > 0) < 0.6
    w = np.asarray(random.orthogonal(random.PRNGKey(8), 2, (3,), m=5))
    assert w.shape == (3, 2, 5)
    np.testing.assert_allclose(w @ np.swapaxes(w, -1, -2), np.broadcast_to(np.eye(2), (3, 2, 2)), atol=1e-5)
    with enable_x64():
        u = np.asarray(random.orthogonal(random.PRNGKey(9), 3, dtype=jnp.complex128))
        assert u.dtype == np.complex128
        np.testing.assert_allclose(u @ u.conj().T, np.eye(3), atol=1e-12)

    p = np.array([0.1, 0.2, 0.3, 0.4])
    c = np.asarray(random.multinomial(random.PRNGKey(10), 50.0, jnp.asarray(p), shape=(400, 4)))
    np.testing.assert_array_equal(c.sum(-1), 50)
    for j in range(4):
        _moments_close(c[:, j], 50 * p[j], 50 * p[j] * (1 - p[j]), var_rtol=0.3)


# ---- keys and errors -------------------------------------------------------------------------------
def test_key_dtype():
    d = random.key_dtype()
    assert repr(d) == "key<fry>" and d.name == "key<fry>"
    assert random.key_dtype("threefry2x32") == d
    np.testing.assert_array_equal(random.key(3, dtype=d), random.PRNGKey(3))
    with pytest.raises(ValueError, match="threefry2x32"):
        random.key_dtype("rbg")
    with pytest.raises(TypeError, match="unrecognized type"):
        random.key_dtype(3)


def test_argument_errors():
    f32 = jnp.ones(3, jnp.float32)
    with pytest.raises(ValueError, match="int dtype"):
        random.poisson(K0, 3.0, (2,), dtype=jnp.float32)
    with pytest.raises(ValueError, match=r"lam of shape \(3,\).*\(2,\)"):
        random.poisson(K0, f32, (2,))
    with pytest.raises(ValueError, match="single key"):
        random.poisson(random.split(K0), 3.0)
    with pytest.raises(ValueError, match="float dtype"):
        random.binomial(K0, 5, 0.5, dtype=jnp.int32)
    with pytest.raises(ValueError, match="Incompatible shapes"):
        random.binomial(K0, f32, 0.5, (2,))
    with pytest.raises(TypeError, match="binomial requires ndarray or scalar.*position 0"):
        random.binomial(K0, [5, 5], 0.5)
    with pytest.raises(ValueError, match="int dtype"):
        random.geometric(K0, 0.5, dtype=jnp.float32)
    with pytest.raises(TypeError, match="geometric requires ndarray"):
        random.geometric(K0, [0.5, 0.2])
    with pytest.raises(ValueError, match="float dtype"):
        random.t(K0, 3.0, dtype=jnp.int32)
    with pytest.raises(ValueError, match="Incompatible shapes"):
        random.t(K0, f32, (2,))
    with pytest.raises(ValueError, match="cannot safely cast.*float32.*float16"):
        random.t(K0, f32, dtype=jnp.float16)
    with pytest.raises(ValueError, match="cannot safely cast"):
        random.chisquare(K0, f32, dtype=jnp.bfloat16)
    with pytest.raises(ValueError, match="Incompatible shapes"):
        random.f(K0, f32, jnp.ones(2))
    for fn in (lambda: random.pareto(K0, 3.0, dtype=int), lambda: random.weibull_min(K0, 1., 2., dtype=int),
               lambda: random.double_sided_maxwell(K0, 0., 1., dtype=int),
               lambda: random.ball(K0, 3, dtype=int), lambda: random.orthogonal(K0, 3, dtype=int),
               lambda: random.generalized_normal(K0, 2.0, (3,), dtype=int)):
        with pytest.raises(ValueError, match="float"):
            fn()
    with pytest.raises(ValueError, match="cannot safely cast"):
        random.wald(K0, f32[:2], dtype=jnp.float16)
    with pytest.raises(ValueError, match="Incompatible shapes"):
        random.triangular(K0, 0., f32 * .5, 1., (2,))
    with pytest.raises(TypeError, match="integer"):
        random.orthogonal(K0, 2.5)
    with pytest.raises(TypeError, match="integer"):
        random.ball(K0, 2.5)
    with pytest.raises(ValueError, match="nonnegative"):
        random.orthogonal(K0, -1)
    with pytest.raises(ValueError, match="nonnegative"):
        random.ball(K0, -1)
    with pytest.raises(ValueError, match=r"p of shape \(3,\).*\(2, 4\)"):
        random.multinomial(K0, 10., jnp.array([.2, .3, .5]), shape=(2, 4))
    with pytest.raises(TypeError, match="multinomial requires ndarray.*position 1"):
        random.multinomial(K0, 10., [.2, .3, .5])
    # valid corner cases JAX accepts
    assert random.poisson(K0, 3, (2,)).dtype == jnp.int32
    assert random.geometric(K0, 1, (3,)).tolist() == [1, 1, 1]
    assert random.multinomial(K0, 10, jnp.array([1, 2, 3])).dtype == jnp.float32
    assert random.poisson(K0, 2.0, (0, 3)).shape == (0, 3)
