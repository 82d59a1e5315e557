"""The C++ backend: jit(backend="cpp") against eager for every primitive and for random graphs,
kernel counts of fused workloads, generated source, the on-disk cache and error paths."""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st, HealthCheck

import jaxish as jax
import jaxish.numpy as jnp
from jaxish import lax

os.environ.setdefault("JAXISH_CPP_STRICT", "1")
codegen = pytest.importorskip("jaxish.codegen_cpp")
if codegen.compiler.find_compiler() is None:
    pytest.skip("no C++ compiler", allow_module_level=True)


from codegen_helpers import (  # noqa: E402
    BINARY_FLOAT, INT_BINARY, UNARY_NAMES, _np, _unary_all, float_values as _float_values,
    jit_matches_eager, layernorm, softmax, x64)  # noqa: F401 - x64 is a fixture


def check(f, *args, **kw):
    """jit(f, backend='cpp')(*args) equals f(*args) run eagerly; returns the Compiled object."""
    return jit_matches_eager("cpp", f, *args, **kw)


def float_values(dtype, n=61, lo=-6.0, hi=6.0):
    return _float_values(dtype, n, lo, hi, randoms=40)


@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16"])
def test_unary_float_primitives(dtype):
    x = float_values(dtype)
    tol = {"float32": 2e-6, "float16": 1e-3, "bfloat16": 8e-3}[dtype]
    check(_unary_all, x, rtol=tol, atol=tol, names=UNARY_NAMES)


def test_round_matches_jax():
    # eager computes sign(x) * floor(|x| + 0.5), which rounds 0.49999997 up; JAX (and we) do not
    x = jnp.asarray([0.49999997, 2.5, -2.5, -0.49999997, 1.5], dtype="float32")
    r0, r1 = jax.jit(lambda x: (lax.round(x, 0), lax.round(x, 1)), backend="cpp")(x)
    np.testing.assert_array_equal(_np(r0), [0.0, 3.0, -3.0, -0.0, 2.0])
    np.testing.assert_array_equal(_np(r1), [0.0, 2.0, -2.0, -0.0, 2.0])


def test_unary_float64(x64):
    x = float_values("float64")
    check(_unary_all, x, rtol=1e-13, atol=1e-13, names=UNARY_NAMES)


def test_special_functions():
    rng = np.random.default_rng(1)
    u = jnp.asarray(np.concatenate([[-1.0, 1.0, 0.0, 0.999, -0.999, 1.5, float("nan")],
                                    rng.uniform(-0.99, 0.99, 50)]).astype(np.float32))
    pos = jnp.asarray(np.concatenate([[0.0, -0.0, 1.0, 2.0, 0.5, 1e-3, 10.0, 30.0, -0.5, -1.5, -2.0],
                                      rng.uniform(0.01, 20, 50)]).astype(np.float32))
    check(lambda u, p: [lax.erf_inv(u), lax.lgamma(p), lax.digamma(p)], u, pos, rtol=2e-5, atol=2e-5,
          names=["erf_inv", "lgamma", "digamma"])


@pytest.mark.parametrize("dtype", ["float32", "bfloat16"])
def test_binary_float_primitives(dtype):
    x = float_values(dtype, n=23)
    n = x.shape[0]
    y = jnp.asarray(np.random.default_rng(2).permutation(np.asarray(x.astype("float32")))).astype(dtype)

    def f(x, y):
        outs = [getattr(lax, name)(x, y) for name in BINARY_FLOAT]
        # torch.fmod(1e30, -1e-30) is nan in float32 (the exact remainder is finite): keep |y| sane
        outs[BINARY_FLOAT.index("rem")] = lax.rem(x, jnp.where(jnp.abs(y) < 1e-3, jnp.ones_like(y), y))
        outs.append(lax.clamp(jnp.asarray(-1.0, dtype), x, jnp.asarray(2.0, dtype)))
        outs.append(lax.select(x > y, x, y))
        return outs
    tol = 2e-6 if dtype == "float32" else 8e-3
    assert n > 10
    check(f, x, y, rtol=tol, atol=tol, names=BINARY_FLOAT + ["clamp", "select"])


@pytest.mark.parametrize("dtype", ["int32", "int8", "uint8", "int16", "uint32"])
def test_integer_primitives(dtype):
    rng = np.random.default_rng(3)
    info = np.iinfo(dtype)
    vals = np.concatenate([[0, 1, -1, 2, -2, 7, info.min, info.max], rng.integers(-50, 50, 40)])
    x = jnp.asarray(vals.astype(np.int64).astype(dtype))
    yv = np.concatenate([[1, 3, -1, 0, 5, -3, -1, 2], rng.integers(-9, 9, 40)])
    yv = np.where(yv == 0, 3, yv)  # eager (torch) raises on integer division by zero
    y = jnp.asarray(yv.astype(np.int64).astype(dtype))
    sh = jnp.asarray((np.arange(48) % 9).astype(dtype))

    def f(x, y, sh):
        outs = [getattr(lax, n)(x, y) for n in INT_BINARY]
        outs += [lax.neg(x), lax.sign(x), lax.abs(x), lax.square(x), lax.bitwise_not(x),
                 lax.integer_pow(x, 3), lax.population_count(x), lax.shift_left(x, sh),
                 lax.shift_right_logical(x, sh),
                 # eager shifts unsigned ints logically; XLA reads the bits as signed (tested below)
                 lax.shift_right_arithmetic(x, sh) if info.min < 0 else x,
                 lax.clamp(jnp.asarray(-3, dtype) if info.min < 0 else jnp.asarray(1, dtype), x,
                           jnp.asarray(40, dtype)),
                 lax.select_n(sh.astype("int32") % 3, x, y, sh)]
        return outs
    check(f, x, y, sh, names=INT_BINARY + ["neg", "sign", "abs", "square", "not", "ipow3", "popcnt", "shl",
                                          "shrl", "shra", "clamp", "select_n"])


def test_integer_division_by_zero_follows_xla():
    x = jnp.asarray([7, -7, 0, 5], dtype="int32")
    y = jnp.asarray([0, 0, 0, 2], dtype="int32")
    f = jax.jit(lambda x, y: (x // y, lax.div(x, y), lax.rem(x, y)), backend="cpp")
    _, d, r = f(x, y)
    np.testing.assert_array_equal(_np(d), [-1, -1, -1, 2])
    np.testing.assert_array_equal(_np(r), [7, -7, 0, 1])


def test_shift_right_arithmetic_matches_xla():
    f = jax.jit(lambda a, b: lax.shift_right_arithmetic(a, b), backend="cpp")
    np.testing.assert_array_equal(_np(f(jnp.asarray([200, 100, 200], dtype="uint8"),
                                        jnp.asarray([8, 8, 1], dtype="uint8"))), [255, 0, 228])
    np.testing.assert_array_equal(_np(f(jnp.asarray([-100, 100, -2**31], dtype="int32"),
                                        jnp.asarray([32, 40, 31], dtype="int32"))), [-1, 0, -1])


def test_bool_primitives():
    a = jnp.asarray([True, False, True, False, True])
    b = jnp.asarray([True, True, False, False, True])
    check(lambda a, b: [lax.bitwise_and(a, b), lax.bitwise_or(a, b), lax.bitwise_xor(a, b),
                        lax.bitwise_not(a), lax.eq(a, b), lax.max(a, b), lax.min(a, b),
                        lax.select(a, b, a)], a, b)


CONVERT_DTYPES = ["bool", "int8", "uint8", "int16", "int32", "uint32", "float16", "bfloat16", "float32"]


def test_convert_element_type_matrix():
    vals = np.array([0.0, 1.0, 2.7, -2.7, 100.5, 3.0, 0.5, 65.0, 1e4, 7.0])
    nonneg = np.abs(vals)
    ins = [jnp.asarray(vals.astype(np.float32)), jnp.asarray(nonneg.astype(np.float32)),
           jnp.asarray((vals > 1)), jnp.asarray(vals.astype(np.int32)), jnp.asarray(nonneg.astype(np.uint8))]

    def f(xf, xpos, xb, xi, xu):
        outs = []
        for d in CONVERT_DTYPES:
            src = xpos if d in ("uint32",) else xf  # eager wraps negatives into wide unsigned
            outs += [lax.convert_element_type(src, d), lax.convert_element_type(xb, d),
                     lax.convert_element_type(xi, d), lax.convert_element_type(xu, d),
                     lax.convert_element_type(lax.convert_element_type(xf, d), "float32")]
        return outs
    check(f, *ins)


def test_float_to_int_saturates_and_nan_is_zero():
    x = jnp.asarray([float("nan"), 1e10, -1e10, 3.9, -3.9, float("inf")], dtype="float32")
    out = jax.jit(lambda x: (x.astype("int32"), x.astype("int8")), backend="cpp")(x)
    np.testing.assert_array_equal(_np(out[0]), [0, 2**31 - 1, -2**31, 3, -3, 2**31 - 1])
    np.testing.assert_array_equal(_np(out[1]), [0, 127, -128, 3, -3, 127])


# ---- reductions ---------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "int32", "float16"])
def test_reductions_over_axes(dtype):
    rng = np.random.default_rng(4)
    x = jnp.asarray((rng.standard_normal((5, 7, 3)) * 4).astype(dtype))
    axes_list = [(0,), (1,), (2,), (0, 2), (0, 1, 2), (1, 2)]

    def f(x):
        outs = []
        for ax in axes_list:
            outs += [lax.reduce_sum(x, ax), lax.reduce_max(x, ax), lax.reduce_min(x, ax)]
        outs += [lax.argmax(x, 1, "int32"), lax.argmin(x, 0, "int32"), lax.argmax(x, 2, "int32")]
        if dtype != "float16":
            outs.append(lax.reduce_prod(x[:, :2] * 0.5 if dtype == "float32" else x[:, :2], (1, 2)))
        return outs
    tol = 1e-5 if dtype == "float32" else 4e-3
    check(f, x, rtol=tol, atol=tol)


def test_reductions_nan_and_bool_and_bitwise():
    x = jnp.asarray([[1.0, float("nan"), 3.0, 3.0], [2.0, 5.0, 5.0, -1.0], [float("nan")] * 4], dtype="float32")
    b = jnp.asarray([[True, False, True], [True, True, True]])
    i = jnp.asarray([[6, 3, 7], [12, 5, 9]], dtype="int32")
    check(lambda x, b, i: [jnp.max(x, axis=1), jnp.min(x, axis=1), jnp.argmax(x, axis=1), jnp.argmin(x, axis=1),
                           jnp.sum(x, axis=1), lax.reduce_and_p.bind(b, axes=(1,)), lax.reduce_or_p.bind(b, axes=(0,)),
                           jnp.any(b), jnp.all(b), lax.reduce_and_p.bind(i, axes=(1,)), lax.reduce_or_p.bind(i, axes=(1,)),
                           jnp.sum(b, axis=1)], x, b, i)


@pytest.mark.parametrize("dtype", ["float32", "float16", "int32"])
def test_column_reductions(dtype):
    rng = np.random.default_rng(14)
    v = rng.standard_normal((300, 70)) * 3
    if dtype != "int32":
        v[5, 3] = np.nan
    x = jnp.asarray(v.astype(dtype))
    c = check(lambda x: (jnp.sum(x, axis=0), jnp.max(x, axis=0) + 1, jnp.min(jnp.reshape(x, (3, 100, 70)), axis=(0, 1)),
                         jnp.sum(x * x, axis=0) - jnp.sum(x[:, 0]), x * 3, jnp.sum(x * 3, axis=0)), x,
              rtol=1e-5 if dtype != "float16" else 4e-3, atol=1e-4 if dtype != "float16" else 0.5)
    assert "pb += 64" in c.executable.source   # lanes run along the contiguous outer dimension


def test_long_sum_is_accurate_and_parallel():
    rng = np.random.default_rng(5)
    x = jnp.asarray(rng.standard_normal(1 << 20).astype(np.float32))
    c = check(lambda x: (jnp.sum(x * x), jnp.max(x), jnp.argmax(x)), x, rtol=1e-5)
    assert c.kernel_count == 1
    exact = float(np.sum(np.asarray(x).astype(np.float64) ** 2))
    got = float(jax.jit(lambda x: jnp.sum(x * x), backend="cpp")(x))
    assert abs(got - exact) / exact < 1e-6


@pytest.mark.parametrize("cols", [256, 300, 1024, 1029, 3000])
@pytest.mark.parametrize("dtype", ["float32", "float16", "int32"])
def test_long_row_reductions_use_lanes(cols, dtype):
    """Rows of 256 or more elements reduce into 64 lane accumulators, with a ragged tail (odd
    lengths, several blocks); NaN propagation, prod, and/or and every reduction kind agree."""
    rng = np.random.default_rng(cols)
    v = rng.standard_normal((6, cols)) * 2
    if dtype != "int32":
        v[1, cols - 1] = np.nan            # the NaN sits in the tail
        v[2, 70] = np.nan                  # and in a lane
    x = jnp.asarray(v.astype(dtype))
    small = jnp.asarray((1.0 + rng.standard_normal((6, cols)) * 1e-3).astype("float32"))

    def f(x, small):
        outs = [jnp.sum(x, axis=1), jnp.max(x, axis=1), jnp.min(x, axis=1), jnp.sum(x * x, axis=1),
                jnp.prod(small, axis=1), jnp.any(x > 3, axis=1), jnp.all(x > -3, axis=1)]
        if dtype == "int32":
            outs += [lax.reduce_and_p.bind(x, axes=(1,)), lax.reduce_or_p.bind(x, axes=(1,))]
        return outs
    c = check(f, x, small, rtol=1e-5 if dtype != "float16" else 4e-3, atol=1e-4 if dtype != "float16" else 0.5)
    assert "jx_c += 64" in c.executable.source


def test_bool_values_keep_math_loops_vectorized():
    """A softmax whose max also feeds a tie mask (the JVP of max does this) once mixed a 1-byte
    bool with floats in the exp loop, and GCC then called scalar expf for every element. Bool
    values are held as int: the loop calls libmvec's vector expf (when libmvec is what provides
    exp here), and the mask's values are right."""
    import shutil
    import subprocess

    def f(x):
        m = jnp.max(x, axis=1, keepdims=True)
        e = jnp.exp(x - m)
        ties = (x == m).astype("float32")
        return e / jnp.sum(e, axis=1, keepdims=True), jnp.sum(ties, axis=1), ties
    x = jnp.asarray(np.round(np.random.default_rng(3).standard_normal((64, 300)) * 2).astype(np.float32))
    c = check(f, x, rtol=1e-6)
    src = c.executable.source
    assert "const bool " not in src and "const int " in src
    nm = shutil.which("nm")
    if nm is None:
        pytest.skip("no nm to list the library's symbols")
    def vector_expf(compiled):
        syms = subprocess.run([nm, "-D", compiled.executable.source_path[:-4] + ".so"], capture_output=True,
                              text=True).stdout
        return any("_ZGV" in ln and "_expf@" in ln for ln in syms.splitlines())
    if not vector_expf(jax.jit(jnp.exp, backend="cpp").lower(x).compile()):
        pytest.skip("this libm has no vector expf")
    assert vector_expf(c)


def test_empty_and_zero_d():
    e = jnp.zeros((0, 3), dtype="float32")
    s = jnp.asarray(2.5, dtype="float32")
    check(lambda e, s: [jnp.sum(e, axis=0), lax.reduce_max(e, (0,)), jnp.max(e, axis=1), e * 2.0, jnp.sum(e), s * s + 1.0,
                        jnp.exp(s), jnp.prod(e, axis=0)], e, s)
    out = jax.jit(lambda s: s * 3.0, backend="cpp")(2.0)      # a Python scalar operand
    assert float(out) == 6.0 and out.dtype == np.float32


# ---- views --------------------------------------------------------------------------------------
def test_views_are_index_remaps():
    rng = np.random.default_rng(6)
    x = jnp.asarray(rng.standard_normal((4, 6, 5)).astype(np.float32))

    def f(x):
        return [jnp.reshape(x, (24, 5)) + 1.0, jnp.transpose(x, (2, 0, 1)) * 2.0,
                lax.rev(x, (0, 2)) - 1.0, x[1:3, ::2, 1:] * 3.0, jnp.reshape(x, (4, 30))[:, 7:11],
                jnp.broadcast_to(x[:, :1, :], (4, 6, 5)) + x, jnp.expand_dims(x, 1)[:, :, 2] * 1.0,
                lax.broadcasted_iota("int32", (3, 4), 1) + lax.broadcasted_iota("int32", (3, 4), 0) * 10,
                jnp.full((2, 3), 7.0) + jnp.reshape(x, (-1,))[:3], jnp.reshape(jnp.transpose(x, (1, 0, 2)), (6, 20))]
    c = check(f, x)
    assert c.executable.program is not None
    assert not any(type(s).__name__ == "ExternCall" for s in c.executable.program.steps)


def test_strided_and_broadcast_inputs():
    rng = np.random.default_rng(7)
    base = jnp.asarray(rng.standard_normal((33, 17)).astype(np.float32))
    xt = jnp.transpose(base)             # a non-contiguous view
    assert not xt._t.is_contiguous()
    xb = jnp.broadcast_to(jnp.asarray(rng.standard_normal(33).astype(np.float32)), (17, 33))

    def f(a, b):
        return jnp.tanh(a) * 2.0 + b + jnp.sum(b, axis=0) + jnp.max(a, axis=0)
    c = check(f, xt, xb, rtol=1e-5)
    assert c.executable.strides  # specialized on the operands' strides, no copies
    # a contiguous call after a strided one uses another specialization, same answers
    jf = jax.jit(lambda a: jnp.exp(a) + 1.0, backend="cpp")
    np.testing.assert_allclose(_np(jf(xt)), np.exp(_np(xt)) + 1, rtol=1e-6)
    np.testing.assert_allclose(_np(jf(jnp.asarray(_np(xt)))), np.exp(_np(xt)) + 1, rtol=1e-6)


# ---- externs ------------------------------------------------------------------------------------
def test_extern_calls_and_fallback():
    rng = np.random.default_rng(8)
    a = jnp.asarray(rng.standard_normal((6, 5)).astype(np.float32))
    b = jnp.asarray(rng.standard_normal((5, 4)).astype(np.float32))
    idx = jnp.asarray([0, 2, 5, 1], dtype="int32")

    def f(a, b, idx):
        h = jnp.tanh(a @ b + 1.0)
        return [h, jnp.cumsum(a, axis=0), a[idx], jnp.concatenate([a, a * 2.0], axis=1),
                jnp.pad(a, ((1, 2), (0, 1))), lax.dynamic_slice(a, (1, 2), (3, 2)),
                a.at[idx].add(1.0), jnp.sum(h * h)]
    c = check(f, a, b, idx, rtol=1e-5, atol=1e-6)
    text = c.as_text()
    assert "extern" in text and "dot_general" in text


def test_complex_falls_back_to_extern():
    z = jnp.asarray(np.array([1 + 2j, 3 - 1j], dtype=np.complex64))
    check(lambda z: (z * z + 1.0, jnp.abs(z)), z)


# ---- fusion -------------------------------------------------------------------------------------
def test_softmax_is_one_kernel():
    x = jnp.asarray(np.random.default_rng(9).standard_normal((37, 129)).astype(np.float32))
    c = check(softmax, x, rtol=1e-6, atol=1e-7)
    assert c.kernel_count == 1
    src = c.executable.source
    assert src.count("#pragma omp simd") >= 3          # max, sum(exp), normalized store
    assert "jx_exp" in src


def test_layernorm_is_one_kernel():
    rng = np.random.default_rng(10)
    x = jnp.asarray(rng.standard_normal((40, 96)).astype(np.float32))
    w = jnp.asarray(rng.standard_normal(96).astype(np.float32))
    b = jnp.asarray(rng.standard_normal(96).astype(np.float32))
    c = check(layernorm, x, w, b, rtol=1e-5, atol=1e-5)
    assert c.kernel_count == 1


def test_gelu_and_adam_fuse_to_one_kernel_each():
    x = jnp.asarray(np.random.default_rng(11).standard_normal(1000).astype(np.float32))

    def gelu(x):
        y = x * 1.5 + 0.25
        return 0.5 * y * (1.0 + jnp.tanh(0.7978845608 * (y + 0.044715 * y * y * y)))

    def adam(p, g, m, v):
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        return p - 1e-3 * (m / 0.6513) / (jnp.sqrt(v / 0.00995) + 1e-8), m, v
    assert check(gelu, x, rtol=1e-6).kernel_count == 1
    c = check(adam, x, x * 0.1, x * 0.01, jnp.abs(x) * 0.001, rtol=1e-6)
    assert c.kernel_count == 1
    assert c.executable.source.count("#pragma omp") == 1 or "parallel" not in c.executable.source


def test_donated_buffers_are_updated_in_place():
    rng = np.random.default_rng(15)

    def step(p, g, m):
        m = 0.9 * m + 0.1 * g
        return p - 0.01 * m, m
    p, g, m = (jnp.asarray(rng.standard_normal(500).astype(np.float32)) for _ in range(3))
    want = step(p, g, m)
    ptrs = {p._t.data_ptr(), m._t.data_ptr()}
    got = jax.jit(step, donate_argnums=(0, 2), backend="cpp")(p, g, m)
    for a, b in zip(got, want):
        np.testing.assert_array_equal(_np(a), _np(b))
    assert {o._t.data_ptr() for o in got} == ptrs
    with pytest.raises(RuntimeError, match="deleted"):
        p + 1.0
    # a donated buffer that is also passed as another operand is copied, not clobbered
    x = jnp.asarray(np.arange(6.0, dtype=np.float32))
    f = jax.jit(lambda a, b: a * 2.0 + b[::-1], donate_argnums=0, backend="cpp")
    np.testing.assert_array_equal(_np(f(x, x)), np.arange(6.0) * 2 + np.arange(6.0)[::-1])


def test_outputs_are_recycled_only_when_dropped():
    f = jax.jit(lambda x: x * 2.0, backend="cpp")
    x = jnp.ones((512, 1024))            # 2 MB: large outputs come from a small pool
    a = f(x)
    b = f(x)
    assert a._t.data_ptr() != b._t.data_ptr()
    keep = np.asarray(a)                  # a view of a's memory keeps it out of the pool
    pa = a._t.data_ptr()
    del a
    c = f(x + 1.0)
    assert c._t.data_ptr() != pa and float(keep[0, 0]) == 2.0
    del keep, b
    d = f(x + 2.0)
    assert float(d[0, 0]) == 6.0 and float(c[0, 0]) == 4.0


def test_reduction_epilogue_and_horizontal_fusion():
    x = jnp.asarray(np.random.default_rng(12).standard_normal((16, 50)).astype(np.float32))
    # a pointwise output and a reduction of the same rows share one loop nest
    c = check(lambda x: (x * 2.0, jnp.sum(x * 2.0, axis=1), jnp.max(x, axis=1) + 1.0), x)
    assert c.kernel_count == 1


def test_nothing_fuses_across_an_extern():
    a = jnp.asarray(np.random.default_rng(13).standard_normal((8, 8)).astype(np.float32))
    c = check(lambda a: jnp.tanh((a * 2.0) @ a) + 1.0, a, rtol=1e-5)
    assert c.kernel_count == 2
    kinds = [type(s).__name__ for s in c.executable.program.steps]
    assert kinds == ["Kernel", "ExternCall", "Kernel"]


def test_as_text_shows_groups_sources_and_traffic():
    x = jnp.ones((8, 16))
    text = jax.jit(softmax, backend="cpp").lower(x).compile().as_text()
    assert "fusion groups" in text and "reduce_max" in text and "read=" in text and "written=" in text
    assert "static void kernel0" in text


def test_fusion_log(monkeypatch, capfd):
    monkeypatch.setenv("JAXISH_LOG", "fusion")
    jax.jit(lambda x: jnp.sin(x) * 2.0 - 1.0, backend="cpp")(jnp.ones(5))
    err = capfd.readouterr().err
    assert "fusion groups" in err and "jx_sin" in err and "read=" in err


# ---- cache and errors ---------------------------------------------------------------------------
def test_second_process_uses_disk_cache(tmp_path):
    code = textwrap.dedent("""
        import sys
        import jaxish as jax, jaxish.numpy as jnp
        from jaxish.codegen_cpp import stats
        f = jax.jit(lambda x: jnp.cos(x) * 3.0 + jnp.sum(x), backend="cpp")
        print(float(f(jnp.arange(7.0))[2]), stats["compiles"], stats["disk_hits"], "sympy" in sys.modules)
    """)
    env = dict(os.environ, JAXISH_CACHE_DIR=str(tmp_path), PYTHONPATH=os.path.dirname(os.path.dirname(__file__)))
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env) for _ in range(2)]
    for r in runs:
        assert r.returncode == 0, r.stderr
    first, second = (r.stdout.split() for r in runs)
    assert first[0] == second[0]
    assert first[1:] == ["1", "0", "True"]
    assert second[1:] == ["0", "1", "False"]  # no compiler run, no scheduling in the second process
    assert any(p.suffix == ".so" for p in (tmp_path / "cpp").iterdir())


def test_compile_error_names_source(monkeypatch):
    from jaxish.codegen_cpp import compiler
    with pytest.raises(compiler.CompileError) as e:
        compiler.load_library("this is not C++ " + str(os.getpid()))
    assert ".cpp" in str(e.value) and "error" in str(e.value)


def test_no_compiler_warns_and_runs_eagerly(monkeypatch):
    from jaxish.codegen_cpp import compiler
    import jaxish.codegen_cpp as cg
    monkeypatch.setattr(compiler, "_compiler", [None])
    monkeypatch.setattr(cg, "_warned", [])
    with pytest.warns(RuntimeWarning, match="no C\\+\\+ compiler"):
        out = jax.jit(lambda x: x * 5.0 + 1.0, backend="cpp")(jnp.ones(3))
    np.testing.assert_allclose(_np(out), [6.0, 6.0, 6.0])


# ---- random graphs ------------------------------------------------------------------------------
_UN = [jnp.tanh, jnp.sin, lambda v: jnp.abs(v) + 1.0, lambda v: -v, lambda v: v * v,
       lambda v: jax.nn.sigmoid(v) if hasattr(jax, "nn") else 1.0 / (1.0 + jnp.exp(-v)),
       lambda v: jnp.exp(jnp.tanh(v)), lambda v: jnp.sqrt(jnp.abs(v))]
_BIN = [jnp.add, jnp.subtract, jnp.multiply, jnp.maximum, jnp.minimum, lambda a, b: a / (jnp.abs(b) + 1.0)]


def _program(draw_ops, x, y):
    vals = [x, y]
    for kind, a, b, c in draw_ops:
        v = vals[a % len(vals)]
        if kind == "un":
            v = _UN[b % len(_UN)](v)
        elif kind == "bin":
            w = vals[c % len(vals)]
            if w.ndim and v.ndim and w.shape[-1] != v.shape[-1] and w.shape[-1] != 1 and v.shape[-1] != 1:
                w = jnp.sum(w)
            try:
                v = _BIN[b % len(_BIN)](v, w)
            except TypeError:
                v = _BIN[b % len(_BIN)](v, jnp.sum(w))
        elif kind == "red" and v.ndim:
            ax = b % v.ndim
            red = [jnp.sum, jnp.max, jnp.min, jnp.mean][c % 4]
            v = red(v, axis=ax, keepdims=bool(c & 4))
        elif kind == "view" and v.ndim:
            choice = b % 4
            if choice == 0:
                v = jnp.transpose(v)
            elif choice == 1:
                v = jnp.reshape(v, (-1,))
            elif choice == 2:
                v = v[..., ::2] if v.shape[-1] > 1 else v
            else:
                v = jnp.flip(v, axis=0)
        vals.append(v)
    return vals[2:] or [x]


_op = st.tuples(st.sampled_from(["un", "bin", "red", "view"]), st.integers(0, 20), st.integers(0, 20),
                st.integers(0, 20))


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(ops=st.lists(_op, min_size=1, max_size=7), rows=st.sampled_from([1, 3, 8, 17]),
       cols=st.sampled_from([1, 5, 16, 33]), ybroad=st.booleans(), transposed=st.booleans())
def test_random_graphs_match_eager(ops, rows, cols, ybroad, transposed):
    rng = np.random.default_rng(rows * 100 + cols)
    x = jnp.asarray(rng.standard_normal((rows, cols)).astype(np.float32))
    if transposed:
        x = jnp.transpose(jnp.asarray(rng.standard_normal((cols, rows)).astype(np.float32)))
    y = jnp.asarray(rng.standard_normal((cols,) if ybroad else (rows, cols)).astype(np.float32))
    outs = _program(ops, x, y)
    check(lambda x, y: _program(ops, x, y)[-3:], x, y, rtol=2e-5, atol=2e-5)
    assert outs
