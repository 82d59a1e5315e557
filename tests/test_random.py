"""jaxish.random against values drawn from real JAX 0.10.2 (threefry2x32, partitionable bits).

The reference values were produced with /work/jaxenv (jax 0.10.2, CPU, default config) and are
hard-coded here; integer draws must agree bit for bit, float draws to float rounding.
"""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import jaxish as jax
import jaxish.numpy as jnp
from jaxish import random

REF = {'PRNGKey': {-1: ([0, 4294967295], 'uint32'),
             0: ([0, 0], 'uint32'),
             42: ([0, 42], 'uint32'),
             123456789: ([0, 123456789], 'uint32'),
             2147483651: ([0, 2147483651], 'uint32'),
             1099511627781: ([0, 5], 'uint32')},
 'bernoulli': ([False, False, False, False, False, True, False, False], 'bool'),
 'bernoulli_high': ([True, False, False, False, True, False], 'bool'),
 'bernoulli_p': ([False, False, True, True], 'bool'),
 'bits': ([2098992034, 2919706841, 2646866425, 2409546199, 1935504149], 'uint32'),
 'bits16': ([[5026, 12505, 63993], [49623, 29461, 20184]], 'uint16'),
 'bits8': ([162, 217, 249, 215, 21], 'uint8'),
 'bits_scalar': (4070199207, 'uint32'),
 'categorical': ([1, 1, 1, 1, 1, 3, 1, 1, 1, 1], 'int32'),
 'categorical_2d': ([1, 0], 'int32'),
 'categorical_ax0': ([[1, 0, 1], [1, 0, 1], [1, 0, 1], [1, 0, 1]], 'int32'),
 'cauchy': ([-0.03548463061451912, 0.6337261199951172, 0.38244056701660156, 0.1940706968307495], 'float32'),
 'choice_arr': ([[24, 24], [21, 29]], 'int32'),
 'choice_norep': ([7, 4, 2, 5, 3], 'int32'),
 'choice_p': ([2, 2, 2, 2, 2, 2], 'int32'),
 'choice_rep': ([4, 4, 1, 9, 9], 'int32'),
 'exponential': ([0.670817494392395, 1.1388006210327148, 0.9578199982643127, 0.8232924938201904], 'float32'),
 'fold_in': {0: ([1832780943, 270669613], 'uint32'),
             7: ([2547012911, 1371500959], 'uint32'),
             4294967295: ([2398536845, 3890976714], 'uint32')},
 'gumbel': ([0.3340933918952942, 0.952019453048706, 0.7255305647850037, 0.5481715202331543], 'float32'),
 'gumbel_high': ([0.39925798773765564, -0.12997561693191528, 0.043095413595438004, 0.1944437325000763],
                 'float32'),
 'laplace': ([0.022839652374386787, -0.4456535577774048, -0.2646729052066803, -0.1301453858613968],
             'float32'),
 'logistic': ([-0.0451694130897522, 0.7528398036956787, 0.47375231981277466, 0.245286762714386], 'float32'),
 'lognormal': ([0.9720922112464905, 1.595411777496338, 1.3440709114074707], 'float32'),
 'maxwell': ([0.553582489490509, 0.293285071849823, 1.708603024482727], 'float32'),
 'normal': ([1.622642159461975, 2.0252647399902344, -0.4335944354534149], 'float32'),
 'normal42': ([[-0.02830461598932743, 0.4671318531036377, 0.2957029640674591, 0.15354591608047485],
               [-0.12403281778097153, 0.21692314743995667, -1.440878987312317, 0.755859911441803]],
              'float32'),
 'normal_c64': ([(0.05368746072053909+0.4283398389816284j), (-0.34389618039131165+0.5650094747543335j)],
                'complex64'),
 'normal_f16': ([-1.4296875, -0.87548828125, 1.974609375], 'float16'),
 'normal_scalar': (-0.02830461598932743, 'float32'),
 'permutation10': ([0, 1, 8, 5, 6, 4, 3, 2, 7, 9], 'int32'),
 'permutation_2000': ([1474, 815, 539, 874, 1693, 84, 995, 1191, 1713, 508], 'int32'),
 'permutation_arr': ([[6, 7, 8], [9, 10, 11], [0, 1, 2], [3, 4, 5]], 'int32'),
 'permutation_ax1': ([[2, 3, 0, 1], [6, 7, 4, 5], [10, 11, 8, 9]], 'int32'),
 'permutation_indep': ([[2, 3, 0, 1], [7, 4, 5, 6], [10, 11, 8, 9]], 'int32'),
 'rademacher': ([1, -1, -1, -1, 1, -1, 1, -1], 'int32'),
 'randint': ([9, 0, 2, 3, 1, 7], 'int32'),
 'randint_arr': ([4, 14, 271], 'int32'),
 'randint_big': ([977810628, 1236381714, -1367112521, -1019495231], 'int32'),
 'randint_empty': ([5, 5, 5], 'int32'),
 'randint_neg': ([[44, 814, 371], [469, 509, 819]], 'int32'),
 'randint_u8': ([196, 18, 183, 193, 141], 'uint8'),
 'rayleigh': ([2.3933022022247314, 1.7571814060211182, 1.9678773880004883], 'float32'),
 'split': ([[1797259609, 2579123966], [928981903, 3453687069]], 'uint32'),
 'split3_42': ([[1832780943, 270669613], [64467757, 2916123636], [2465931498, 255383827]], 'uint32'),
 'split_shape': ([[[1797259609, 2579123966], [928981903, 3453687069], [4146024105, 2718843009]],
                  [[2467461003, 3840466878], [2285895361, 433833334], [1524306142, 1887795613]]],
                 'uint32'),
 'truncated_normal': ([0.14770005643367767,
                       0.5684449076652527,
                       0.42102551460266113,
                       0.29997000098228455,
                       0.0691138207912445],
                      'float32'),
 'uniform': ([0.9476670026779175,
              0.9785798788070679,
              0.33229148387908936,
              0.46866846084594727,
              0.569888710975647],
             'float32'),
 'uniform42_23': ([[0.48870956897735596, 0.6797971725463867, 0.6162714958190918],
                   [0.5610160827636719, 0.4506446123123169, 0.58586585521698]],
                  'float32'),
 'uniform_bf16': ([0.6328125, 0.84375, 0.96875, 0.8359375], 'float32'),
 'uniform_f16': ([0.076171875, 0.1904296875, 0.9755859375, 0.7568359375], 'float16'),
 'uniform_jit': ([0.48870956897735596, 0.6797971725463867, 0.6162714958190918], 'float32'),
 'uniform_minmax': ([1.1540312767028809, 2.778275966644287, 2.2383077144622803, 1.768636703491211],
                    'float32'),
 'vmap_normal': ([[0.07592553645372391, -0.4863426387310028],
                  [0.6057640314102173, 0.7990440726280212],
                  [0.4323064982891083, 0.587263822555542]],
                 'float32'),
 'x64_PRNGKey': {-1: ([4294967295, 4294967295], 'uint32'), 1099511627781: ([256, 5], 'uint32')},
 'x64_bits64': ([7871734211187709741, 276886910877598708, 10591095138341673235], 'uint64'),
 'x64_normal64': ([-0.18471174528191162, -2.169824560397754, 0.18693555179382582], 'float64'),
 'x64_randint64': ([1035216336437, 739902740158, 138006711447], 'int64'),
 'x64_uniform64': ([0.4267275666499091, 0.015010069515314584, 0.5741444178995352], 'float64')}



from breadth_helpers import enable_x64 as x64  # noqa: E402


def check(got, name, sub=None, rtol=2e-6, atol=2e-6):
    want, dtype = REF[name] if sub is None else REF[name][sub]
    got_np = np.asarray(got)
    assert str(got.dtype) == dtype, (name, got.dtype, dtype)
    want = np.asarray(want, dtype=got_np.dtype if dtype != "bfloat16" else np.float32)
    assert got_np.shape == want.shape, (name, got_np.shape, want.shape)
    if got_np.dtype.kind in "fc" or dtype == "bfloat16":
        np.testing.assert_allclose(got_np.astype(want.dtype), want, rtol=rtol, atol=atol, err_msg=name)
    else:
        np.testing.assert_array_equal(got_np, want, err_msg=name)


K0 = random.PRNGKey(0)
K42 = random.PRNGKey(42)


# ---- the two headline checks -------------------------------------------------------------------
def test_split_prngkey0_matches_jax():
    keys = random.split(random.PRNGKey(0))
    assert keys.dtype == jnp.uint32 and keys.shape == (2, 2)
    np.testing.assert_array_equal(np.asarray(keys), [[1797259609, 2579123966], [928981903, 3453687069]])


def test_normal_prngkey0_matches_jax():
    x = random.normal(random.PRNGKey(0), (3,))
    assert x.dtype == jnp.float32 and x.shape == (3,)
    np.testing.assert_allclose(np.asarray(x), [1.6226422, 2.0252647, -0.43359444], rtol=1e-6, atol=1e-6)


# ---- keys -------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", sorted(REF["PRNGKey"]))
def test_prngkey(seed):
    check(random.PRNGKey(seed), "PRNGKey", seed)


@pytest.mark.parametrize("seed", sorted(REF["x64_PRNGKey"]))
def test_prngkey_x64(seed):
    with x64():
        check(random.PRNGKey(seed), "x64_PRNGKey", seed)


def test_key_and_key_data_share_representation():
    k = random.key(42)
    np.testing.assert_array_equal(np.asarray(random.key_data(k)), [0, 42])
    np.testing.assert_array_equal(np.asarray(random.wrap_key_data(random.key_data(k))), [0, 42])
    check(random.normal(k), "normal_scalar")


def test_prngkey_seed_array_and_numpy_scalar():
    np.testing.assert_array_equal(np.asarray(random.PRNGKey(np.uint32(4000000000))), [0, 4000000000])
    np.testing.assert_array_equal(np.asarray(random.PRNGKey(jnp.int32(42))), [0, 42])


def test_split_variants():
    check(random.split(K42, 3), "split3_42")
    check(random.split(K0, (2, 3)), "split_shape")
    assert random.split(K0, 0).shape == (0, 2)


@pytest.mark.parametrize("data", sorted(REF["fold_in"]))
def test_fold_in(data):
    check(random.fold_in(K42, data), "fold_in", data)


def test_fold_in_array_data():
    check(random.fold_in(K42, jnp.uint32(7)), "fold_in", 7)
    check(random.fold_in(K42, jnp.int32(7)), "fold_in", 7)


# ---- samplers ---------------------------------------------------------------------------------
SAMPLERS = {
    "bits": lambda: random.bits(K42, (5,)),
    "bits8": lambda: random.bits(K42, (5,), jnp.uint8),
    "bits16": lambda: random.bits(K42, (2, 3), jnp.uint16),
    "bits_scalar": lambda: random.bits(K0),
    "uniform": lambda: random.uniform(K0, (5,)),
    "uniform42_23": lambda: random.uniform(K42, (2, 3)),
    "uniform_minmax": lambda: random.uniform(K42, (4,), minval=-3.0, maxval=5.5),
    "uniform_f16": lambda: random.uniform(K42, (4,), jnp.float16),
    "uniform_bf16": lambda: random.uniform(K42, (4,), jnp.bfloat16).astype(jnp.float32),
    "normal": lambda: random.normal(K0, (3,)),
    "normal42": lambda: random.normal(K42, (2, 4)),
    "normal_scalar": lambda: random.normal(K42),
    "normal_f16": lambda: random.normal(K42, (3,), jnp.float16),
    "normal_c64": lambda: random.normal(K42, (2,), jnp.complex64),
    "randint": lambda: random.randint(K0, (6,), 0, 10),
    "randint_neg": lambda: random.randint(K42, (2, 3), -100, 1000),
    "randint_u8": lambda: random.randint(K42, (5,), 0, 256, jnp.uint8),
    "randint_big": lambda: random.randint(K42, (4,), -2 ** 31, 2 ** 31 - 1),
    "randint_arr": lambda: random.randint(K42, (3,), jnp.array([0, 10, 100]), jnp.array([5, 20, 1000])),
    "randint_empty": lambda: random.randint(K42, (3,), 5, 5),
    "bernoulli": lambda: random.bernoulli(K0, 0.3, (8,)),
    "bernoulli_p": lambda: random.bernoulli(K42, jnp.array([0.1, 0.5, 0.9, 0.99])),
    "bernoulli_high": lambda: random.bernoulli(K42, 0.5, (6,), mode="high"),
    "permutation10": lambda: random.permutation(K0, 10),
    "permutation_arr": lambda: random.permutation(K42, jnp.arange(12).reshape(4, 3)),
    "permutation_ax1": lambda: random.permutation(K42, jnp.arange(12).reshape(3, 4), axis=1),
    "permutation_indep": lambda: random.permutation(K42, jnp.arange(12).reshape(3, 4), axis=1,
                                                    independent=True),
    "permutation_2000": lambda: random.permutation(K42, 2000)[:10],
    "truncated_normal": lambda: random.truncated_normal(K42, -1.0, 2.0, (5,)),
    "gumbel": lambda: random.gumbel(K42, (4,)),
    "gumbel_high": lambda: random.gumbel(K42, (4,), mode="high"),
    "exponential": lambda: random.exponential(K42, (4,)),
    "logistic": lambda: random.logistic(K42, (4,)),
    "laplace": lambda: random.laplace(K42, (4,)),
    "cauchy": lambda: random.cauchy(K42, (4,)),
    "rademacher": lambda: random.rademacher(K42, (8,)),
    "categorical": lambda: random.categorical(K42, jnp.array([0.1, 2.0, -1.0, 0.5]), shape=(10,)),
    "categorical_2d": lambda: random.categorical(K42, jnp.array([[0.1, 2.0, -1.0], [3.0, 0.0, 0.0]])),
    "categorical_ax0": lambda: random.categorical(K42, jnp.array([[0.1, 2.0, -1.0], [3.0, 0.0, 0.0]]),
                                                  axis=0, shape=(4, 3)),
    "choice_rep": lambda: random.choice(K42, 10, (5,)),
    "choice_arr": lambda: random.choice(K42, jnp.arange(20, 30), (2, 2)),
    "choice_norep": lambda: random.choice(K42, 10, (5,), replace=False),
    "choice_p": lambda: random.choice(K42, 5, (6,), p=jnp.array([0.1, 0.2, 0.3, 0.2, 0.2])),
    "lognormal": lambda: random.lognormal(K42, shape=(3,)),
    "rayleigh": lambda: random.rayleigh(K42, 2.0, (3,)),
    "maxwell": lambda: random.maxwell(K42, (3,)),
    "uniform_jit": lambda: jax.jit(lambda k: random.uniform(k, (3,)))(K42),
    "vmap_normal": lambda: jax.vmap(lambda k: random.normal(k, (2,)))(random.split(K42, 3)),
}


@pytest.mark.parametrize("name", sorted(SAMPLERS))
def test_sampler_matches_jax(name):
    check(SAMPLERS[name](), name)


X64_SAMPLERS = {
    "x64_bits64": lambda: random.bits(K42, (3,), jnp.uint64),
    "x64_uniform64": lambda: random.uniform(K42, (3,), jnp.float64),
    "x64_normal64": lambda: random.normal(K42, (3,), jnp.float64),
    "x64_randint64": lambda: random.randint(K42, (3,), 0, 2 ** 40, jnp.int64),
}


@pytest.mark.parametrize("name", sorted(X64_SAMPLERS))
def test_x64_sampler_matches_jax(name):
    with x64():
        check(X64_SAMPLERS[name](), name, rtol=1e-12, atol=1e-12)


def test_uniform_bits_are_exact():
    """uniform's mantissa trick is exact: the float32 values equal JAX's bit for bit."""
    want = np.asarray(REF["uniform"][0], np.float32)
    np.testing.assert_array_equal(np.asarray(random.uniform(K0, (5,))), want)


# ---- transformations agree with eager -------------------------------------------------------
def test_jit_and_eager_agree_bit_for_bit():
    f = lambda k: (random.normal(k, (7,)), random.randint(k, (7,), -5, 5), random.split(k, 4),
                   random.fold_in(k, 3), random.bits(k, (3, 2)))
    eager = f(K42)
    jitted = jax.jit(f)(K42)
    for a, b in zip(eager, jitted):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def test_vmap_over_keys_equals_loop():
    keys = random.split(K0, 4)
    batched = jax.vmap(lambda k: random.uniform(k, (3,)))(keys)
    looped = np.stack([np.asarray(random.uniform(keys[i], (3,))) for i in range(4)])
    np.testing.assert_array_equal(np.asarray(batched), looped)
    seeds = jax.vmap(random.PRNGKey)(jnp.arange(3))
    np.testing.assert_array_equal(np.asarray(seeds), [[0, 0], [0, 1], [0, 2]])
    folded = jax.vmap(lambda d: random.fold_in(K42, d))(jnp.array([0, 7], dtype=jnp.uint32))
    np.testing.assert_array_equal(np.asarray(folded), [REF["fold_in"][0][0], REF["fold_in"][7][0]])


def test_grad_through_uniform_bounds():
    # d/dm sum(u * 2 + m) over 3 draws: the bounds are differentiable, the bits are not.
    g = jax.grad(lambda m: random.uniform(K42, (3,), minval=m, maxval=m + 2.0).sum())(1.0)
    assert float(g) == pytest.approx(3.0)


# ---- distribution sanity (cheap statistical checks over many seeds) ---------------------------
@settings(max_examples=10, deadline=None)
@given(st.integers(0, 2 ** 31 - 1))
def test_distributions_are_plausible(seed):
    k = random.PRNGKey(seed)
    u = np.asarray(random.uniform(k, (4000,)))
    assert u.min() >= 0.0 and u.max() < 1.0 and abs(u.mean() - 0.5) < 0.03
    n = np.asarray(random.normal(k, (4000,)))
    assert abs(n.mean()) < 0.1 and abs(n.std() - 1.0) < 0.1
    r = np.asarray(random.randint(k, (4000,), 3, 9))
    assert r.min() == 3 and r.max() == 8
    t = np.asarray(random.truncated_normal(k, -0.5, 0.25, (500,)))
    assert (t > -0.5).all() and (t < 0.25).all()
    p = np.asarray(random.permutation(k, 50))
    assert sorted(p.tolist()) == list(range(50))
    b = np.asarray(random.bernoulli(k, 0.25, (4000,)))
    assert abs(b.mean() - 0.25) < 0.04


def test_different_keys_differ_and_same_key_repeats():
    k1, k2 = random.split(K0)
    a, b = np.asarray(random.normal(k1, (8,))), np.asarray(random.normal(k2, (8,)))
    assert not np.allclose(a, b)
    np.testing.assert_array_equal(a, np.asarray(random.normal(k1, (8,))))


def test_empty_shapes():
    assert random.normal(K0, (0, 3)).shape == (0, 3)
    assert random.randint(K0, (0,), 0, 3).shape == (0,)
    assert random.bits(K0, (2, 0)).shape == (2, 0)


# ---- errors -----------------------------------------------------------------------------------
def test_bad_keys_raise_jax_errors():
    with pytest.raises(TypeError, match="uint32"):
        random.normal(jnp.zeros(2), (3,))
    with pytest.raises(TypeError, match=r"end with \(2,\)"):
        random.normal(jnp.zeros(3, jnp.uint32), (3,))
    with pytest.raises(ValueError, match="single key"):
        random.split(random.split(K0, 3))
    with pytest.raises(TypeError, match="key"):
        random.normal(5, (2,))


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="float dtype"):
        random.uniform(K0, (2,), dtype=jnp.int32)
    with pytest.raises(TypeError, match="integer dtypes"):
        random.randint(K0, (2,), 0, 5, dtype=jnp.float32)
    with pytest.raises(TypeError, match="seed must be an integer"):
        random.PRNGKey(1.5)
    with pytest.raises(TypeError, match="scalar seed"):
        random.PRNGKey(jnp.zeros(3, jnp.int32))
    with pytest.raises(OverflowError):
        random.fold_in(K0, -1)
    assert random.normal(K0, 3).shape == (3,)          # an int shape n means (n,), as JAX 0.10
    with pytest.raises(TypeError, match="Shapes must be"):
        random.normal(K0, (3.0,))
    with pytest.raises(TypeError, match=r"\(3,\).*\(4,\)"):
        random.uniform(K0, (3,), minval=jnp.zeros(4))
    with pytest.raises(TypeError, match="uniform"):
        random.uniform(K0, (3,), minval=jnp.zeros((2, 3)))
    with pytest.raises(ValueError, match="Incompatible shapes"):
        random.randint(K0, (3,), jnp.zeros(4, jnp.int32), 5)
    with pytest.raises(ValueError, match="broadcast-compatible"):
        random.randint(K0, (3,), jnp.zeros((2, 3), jnp.int32), 5)
    with pytest.raises(ValueError, match="larger sample"):
        random.choice(K0, 3, (5,), replace=False)


# ---- gamma family and multivariate normal (rejection loops under vmap, same keys as JAX) ----------
REF_GAMMA = {
    'gamma': [0.9994542002677917, 0.33158406615257263, 4.866050720214844],
    'gamma_shape': [[3.6725165843963623, 1.0923854112625122], [3.5018391609191895, 1.146207571029663]],
    'loggamma': [-0.8295456171035767, -1.1391260623931885, 0.03774839639663696],
    'beta': [0.4319617748260498, 0.31281834840774536, 0.6368728280067444],
    'dirichlet': [0.2647324502468109, 0.13479970395565033, 0.6004677414894104],
    'dirichlet_batch': [[0.6637444496154785, 0.3362555205821991], [0.9768888354301453, 0.0231111291795969]],
    'mvn': [[-0.04002876952290535, 0.4269546568393707], [0.41818714141845703, 0.24817584455013275],
            [-0.17540888488292694, 0.15906080603599548]],
    'mvn_mean': [0.9716953635215759, -0.5328681468963623],
}
GAMMA_SAMPLERS = {
    "gamma": lambda: random.gamma(K42, jnp.array([0.5, 1.0, 3.0])),
    "gamma_shape": lambda: random.gamma(K42, 2.0, (2, 2)),
    "loggamma": lambda: random.loggamma(K42, 0.3, (3,)),
    "beta": lambda: random.beta(K42, 2.0, 3.0, (3,)),
    "dirichlet": lambda: random.dirichlet(K42, jnp.array([1.0, 2.0, 3.0])),
    "dirichlet_batch": lambda: random.dirichlet(K42, jnp.array([0.5, 0.5]), (2,)),
    "mvn": lambda: random.multivariate_normal(K42, jnp.zeros(2), jnp.array([[2.0, 0.5], [0.5, 1.0]]), (3,)),
    "mvn_mean": lambda: random.multivariate_normal(K42, jnp.array([1.0, -1.0]), jnp.eye(2)),
}


@pytest.mark.parametrize("name", sorted(GAMMA_SAMPLERS))
def test_gamma_family_matches_jax(name):
    got = GAMMA_SAMPLERS[name]()
    assert got.dtype == jnp.float32
    np.testing.assert_allclose(np.asarray(got), REF_GAMMA[name], rtol=2e-6, atol=2e-6)


def test_gamma_is_plausible():
    g = np.asarray(random.gamma(K0, 2.5, (2000,)))
    assert (g > 0).all() and abs(g.mean() - 2.5) < 0.2
    d = np.asarray(random.dirichlet(K0, jnp.ones(4), (5,)))
    np.testing.assert_allclose(d.sum(-1), 1.0, rtol=1e-5)


def test_sampling_without_replacement_matches_jax():
    logits = jnp.array([[0.1, 2.0, -1.0, 0.3], [3.0, 0.0, 0.0, 1.0]])
    got = random.categorical(K42, logits, shape=(2, 2), replace=False)
    np.testing.assert_array_equal(np.asarray(got), [[1, 0], [3, 3]])
    got = random.choice(K42, 6, (3,), replace=False, p=jnp.array([0.1, 0.2, 0.3, 0.2, 0.1, 0.1]))
    np.testing.assert_array_equal(np.asarray(got), [2, 1, 3])
    assert sorted(np.asarray(random.shuffle(K42, jnp.arange(6))).tolist()) == list(range(6))
