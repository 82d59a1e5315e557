"""jaxish.Array: the surface JAX users touch (attributes, operators, methods, repr, conversions,
immutability, torch/DLPack interop, pickling). Reprs and dtypes were checked against real JAX."""
import copy
import operator
import pickle

import numpy as np
import pytest
import torch

import jaxish as jax
import jaxish.numpy as jnp
from jaxish import Array

# repr(...) / str(...) in real JAX 0.10.2 for the same constructions.
JAX_REPRS = {
    "f32_vec": (lambda: jnp.array([1., 2.]), "Array([1., 2.], dtype=float32)", "[1. 2.]"),
    "f32_scalar": (lambda: jnp.float32(1.5), "Array(1.5, dtype=float32)", "1.5"),
    "weak_scalar": (lambda: jnp.asarray(2.0), "Array(2., dtype=float32, weak_type=True)", "2.0"),
    "weak_int": (lambda: jnp.asarray(3), "Array(3, dtype=int32, weak_type=True)", "3"),
    "i32_mat": (lambda: jnp.arange(6).reshape(2, 3), "Array([[0, 1, 2],\n       [3, 4, 5]], dtype=int32)",
                "[[0 1 2]\n [3 4 5]]"),
    "bool_vec": (lambda: jnp.array([True, False]), "Array([ True, False], dtype=bool)", "[ True False]"),
    "empty": (lambda: jnp.zeros((0, 3)), "Array([], shape=(0, 3), dtype=float32)", "[]"),
    "empty_i": (lambda: jnp.zeros((0,), jnp.int32), "Array([], shape=(0,), dtype=int32)", "[]"),
    "u8": (lambda: jnp.array([1, 255], jnp.uint8), "Array([  1, 255], dtype=uint8)", "[  1 255]"),
    "f16": (lambda: jnp.array([0.5, 1.25], jnp.float16), "Array([0.5 , 1.25], dtype=float16)", "[0.5  1.25]"),
    "bf16": (lambda: jnp.array([0.5, 1.25], jnp.bfloat16), "Array([0.5, 1.25], dtype=bfloat16)", "[0.5 1.25]"),
    "c64": (lambda: jnp.array([1 + 2j, 3.5j]), "Array([1.+2.j , 0.+3.5j], dtype=complex64)", "[1.+2.j  0.+3.5j]"),
    "neg_f": (lambda: jnp.array([-1.5, 2.25, 1e-8]), "Array([-1.50e+00,  2.25e+00,  1.00e-08], dtype=float32)",
              "[-1.50e+00  2.25e+00  1.00e-08]"),
    "big_f": (lambda: jnp.array([1e10, 1.0]), "Array([1.e+10, 1.e+00], dtype=float32)", "[1.e+10 1.e+00]"),
    "nan_inf": (lambda: jnp.array([np.nan, np.inf, -np.inf, 0.0]), "Array([ nan,  inf, -inf,   0.], dtype=float32)",
                "[ nan  inf -inf   0.]"),
    "f32_3d": (lambda: jnp.ones((2, 2, 2)),
               "Array([[[1., 1.],\n        [1., 1.]],\n\n       [[1., 1.],\n        [1., 1.]]], dtype=float32)",
               "[[[1. 1.]\n  [1. 1.]]\n\n [[1. 1.]\n  [1. 1.]]]"),
    "long": (lambda: jnp.arange(2000), "Array([   0,    1,    2, ..., 1997, 1998, 1999], dtype=int32)",
             "[   0    1    2 ... 1997 1998 1999]"),
    "int_scalar": (lambda: jnp.int32(7), "Array(7, dtype=int32)", "7"),
    "bool_scalar": (lambda: jnp.asarray(True), "Array(True, dtype=bool)", "True"),
    "u32": (lambda: jnp.array([4000000000], jnp.uint32), "Array([4000000000], dtype=uint32)", "[4000000000]"),
    "mixed_width": (lambda: jnp.array([1.0, 100.5, -3.25]), "Array([  1.  , 100.5 ,  -3.25], dtype=float32)",
                    "[  1.   100.5   -3.25]"),
}


@pytest.mark.parametrize("name", sorted(JAX_REPRS))
def test_repr_and_str_match_jax(name):
    make, want_repr, want_str = JAX_REPRS[name]
    x = make()
    assert repr(x) == want_repr
    assert str(x) == want_str


def test_attributes():
    x = jnp.arange(6, dtype=jnp.float32).reshape(2, 3)
    assert isinstance(x, Array) and isinstance(x, jnp.ndarray)
    assert x.shape == (2, 3) and x.ndim == 2 and x.size == 6
    assert x.dtype == np.float32 and isinstance(x.dtype, np.dtype)
    assert x.itemsize == 4 and x.nbytes == 24
    assert x.T.shape == (3, 2) and x.mT.shape == (3, 2)
    assert x.device.type == "cpu" and x.devices() == {x.device}
    assert x.real.dtype == np.float32 and np.all(np.asarray(x.imag) == 0)
    assert len(x) == 2 and [r.shape for r in x] == [(3,), (3,)]
    assert jnp.ones(()).shape == () and jnp.ones(()).ndim == 0 and jnp.ones(()).size == 1
    assert x.weak_type is False and jnp.asarray(1.0).weak_type is True
    c = jnp.array([1 + 2j])
    assert c.real.dtype == np.float32 and float(c.imag[0]) == 2.0


BINOPS = [operator.add, operator.sub, operator.mul, operator.truediv, operator.floordiv, operator.mod,
          operator.pow, operator.lt, operator.le, operator.gt, operator.ge, operator.eq, operator.ne]
INT_BINOPS = [operator.and_, operator.or_, operator.xor, operator.lshift, operator.rshift]


@pytest.mark.parametrize("op", BINOPS, ids=lambda o: o.__name__)
def test_binary_operators_match_numpy(op):
    a = np.array([[1.5, -2.0, 3.0], [4.0, 0.5, -6.0]], np.float32)
    b = np.array([2.0, -1.5, 4.0], np.float32)
    ja, jb = jnp.asarray(a), jnp.asarray(b)
    with np.errstate(all="ignore"):
        cases = ((op(ja, jb), op(a, b)), (op(ja, 2.0), op(a, np.float32(2.0))),
                 (op(3.0, jb), op(np.float32(3.0), b)), (op(ja, b), op(a, b)))
    for got, want in cases:
        assert isinstance(got, Array)
        assert got.dtype == want.dtype
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-6)


@pytest.mark.parametrize("op", INT_BINOPS, ids=lambda o: o.__name__)
def test_integer_operators_match_numpy(op):
    a = np.array([5, -3, 12, 7], np.int32)
    b = np.array([1, 2, 3, 0], np.int32)
    got = op(jnp.asarray(a), jnp.asarray(b))
    assert got.dtype == np.int32
    np.testing.assert_array_equal(np.asarray(got), op(a, b))
    np.testing.assert_array_equal(np.asarray(op(jnp.asarray(a), 2)), op(a, 2))
    np.testing.assert_array_equal(np.asarray(op(6, jnp.asarray(b))), op(6, b))


def test_operator_dtypes_match_jax():
    # (dtype, weak_type) of each expression in real JAX, x64 off
    x, f = jnp.arange(3), jnp.arange(3.0)
    cases = {
        "2**x": (2 ** x, "int32", False), "x**2": (x ** 2, "int32", False), "2.0*x": (2.0 * x, "float32", True),
        "x/2": (x / 2, "float32", False), "-x": (-x, "int32", False), "~x": (~x, "int32", False),
        "x//2": (x // 2, "int32", False), "x%2": (x % 2, "int32", False), "np+x": (np.ones(3) + x, "float32", False),
        "np32*x": (np.float32(2) * x, "float32", False), "x@x": (x @ x, "int32", False),
        "abs": (abs(-x), "int32", False), "x<1": (x < 1, "bool", False), "x==f": (x == f, "bool", False),
        "x>>1": (x >> 1, "int32", False), "x&1": (x & 1, "int32", False), "1-x": (1 - x, "int32", False),
        "x.sum()": (x.sum(), "int32", False), "f.mean()": (f.mean(), "float32", False),
        "divmod": (divmod(x, 2)[0], "int32", False),
    }
    for name, (v, dtype, weak) in cases.items():
        assert isinstance(v, Array), name
        assert (str(v.dtype), v.weak_type) == (dtype, weak), name


def test_unary_operators_and_matmul():
    a = np.array([[1.0, -2.0], [3.0, 4.0]], np.float32)
    ja = jnp.asarray(a)
    np.testing.assert_array_equal(np.asarray(-ja), -a)
    np.testing.assert_array_equal(np.asarray(+ja), a)
    np.testing.assert_array_equal(np.asarray(abs(ja)), np.abs(a))
    np.testing.assert_array_equal(np.asarray(~jnp.array([True, False])), [False, True])
    np.testing.assert_allclose(np.asarray(ja @ ja), a @ a)
    np.testing.assert_allclose(np.asarray(a @ ja), a @ a)
    q, r = divmod(jnp.array([7, -7]), 3)
    np.testing.assert_array_equal(np.asarray(q), [2, -3])
    np.testing.assert_array_equal(np.asarray(r), [1, 2])
    q, r = divmod(7, jnp.array([2, -2]))
    np.testing.assert_array_equal(np.asarray(q), [3, -4])


def test_methods_match_numpy():
    a = np.array([[3.0, -1.0, 2.0], [0.5, 4.0, -2.5]], np.float32)
    x = jnp.asarray(a)
    checks = {
        "sum": (x.sum(), a.sum()), "sum0": (x.sum(axis=0), a.sum(axis=0)), "mean": (x.mean(1), a.mean(1)),
        "max": (x.max(), a.max()), "min": (x.min(axis=1, keepdims=True), a.min(axis=1, keepdims=True)),
        "prod": (x.prod(), a.prod()), "any": (x.any(), a.any()), "all": (x.all(axis=0), a.all(axis=0)),
        "argmax": (x.argmax(), a.argmax()), "argmin": (x.argmin(axis=1), a.argmin(axis=1)),
        "cumsum": (x.cumsum(axis=1), a.cumsum(axis=1)), "cumprod": (x.cumprod(), a.cumprod()),
        "var": (x.var(), a.var()), "std": (x.std(ddof=1), a.std(ddof=1)),
        "reshape_tuple": (x.reshape((3, 2)), a.reshape((3, 2))), "reshape_args": (x.reshape(3, 2), a.reshape(3, 2)),
        "reshape_neg": (x.reshape(-1), a.reshape(-1)), "transpose": (x.transpose(), a.transpose()),
        "transpose_args": (x.transpose(1, 0), a.transpose(1, 0)), "transpose_tuple": (x.transpose((1, 0)), a.T),
        "ravel": (x.ravel(), a.ravel()), "flatten": (x.flatten(), a.flatten()),
        "squeeze": (x.reshape(1, 2, 3).squeeze(), a), "swapaxes": (x.swapaxes(0, 1), a.swapaxes(0, 1)),
        "clip": (x.clip(-1, 1), a.clip(-1, 1)), "round": (x.round(), a.round()),
        "conj": (x.conj(), a.conj()), "dot": (x.dot(a.T), a.dot(a.T)),
        "astype": (x.astype(jnp.int32), a.astype(np.int32)), "take": (x.take(jnp.array([0, 4])), a.take([0, 4])),
        "sort": (x.sort(axis=1), np.sort(a, axis=1)), "argsort": (x.argsort(axis=1), np.argsort(a, axis=1)),
        "trace": (x.trace(), a.trace()), "diagonal": (x.diagonal(), a.diagonal()),
        "repeat": (x.repeat(2, axis=0), a.repeat(2, axis=0)), "nonzero": (x.nonzero()[1], a.nonzero()[1]),
    }
    for name, (got, want) in checks.items():
        assert isinstance(got, Array), name
        want = np.asarray(want)
        assert got.shape == want.shape, name
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-6, atol=1e-6, err_msg=name)
    assert x.astype(jnp.int32).dtype == np.int32
    assert x.astype("float16").dtype == np.float16


def test_python_scalar_conversions():
    assert int(jnp.asarray(3.7)) == 3 and float(jnp.asarray(2)) == 2.0
    assert complex(jnp.asarray(1 + 2j)) == 1 + 2j
    assert bool(jnp.asarray(0.5)) and not bool(jnp.zeros(()))
    assert jnp.asarray(5).item() == 5 and isinstance(jnp.asarray(5).item(), int)
    assert jnp.arange(4).reshape(2, 2).tolist() == [[0, 1], [2, 3]]
    assert [10, 20, 30][jnp.int32(1)] == 20  # __index__
    assert jnp.arange(5)[jnp.int32(2)].item() == 2
    assert format(jnp.asarray(3.14159), ".2f") == "3.14" and f"{jnp.asarray(2)}" == "2"
    assert round(jnp.asarray(2.5)) == 2
    np.testing.assert_allclose(float(round(jnp.asarray(2.567), 1)), 2.6, rtol=1e-6)
    with pytest.raises(TypeError, match="Only scalar arrays"):
        int(jnp.arange(2))
    with pytest.raises(TypeError, match="Only scalar arrays"):
        float(jnp.array([5.0]))
    with pytest.raises(ValueError, match="ambiguous"):
        bool(jnp.arange(2))
    with pytest.raises(ValueError, match="empty"):
        bool(jnp.zeros((0,)))
    with pytest.raises(TypeError):
        [1, 2][jnp.asarray(1.0)]
    with pytest.raises(TypeError, match="unhashable"):
        hash(jnp.arange(2))
    with pytest.raises(TypeError, match="len"):
        len(jnp.asarray(1.0))
    with pytest.raises(TypeError, match="0-d"):
        iter(jnp.asarray(1.0))
    with pytest.raises(ValueError, match="size 1"):
        jnp.arange(2).item()


def test_array_protocol_to_numpy():
    for dtype in ["bool", "int8", "uint16", "uint32", "int32", "float16", "bfloat16", "float32", "complex64"]:
        x = jnp.ones((2, 3), dtype)
        a = np.asarray(x)
        assert a.dtype == np.dtype(x.dtype) and a.shape == (2, 3)
        np.testing.assert_array_equal(a.real.astype(np.float64), np.ones((2, 3)))
    assert np.asarray(jnp.arange(3), dtype=np.float64).dtype == np.float64
    assert np.array(jnp.asarray(4000000000, dtype=jnp.uint32)) == 4000000000
    assert np.sum(jnp.arange(4)) == 6  # numpy functions accept Arrays


def test_immutability():
    x = jnp.arange(3)
    with pytest.raises(TypeError, match=r"immutable.*\.at\[idx\]\.set"):
        x[0] = 5
    np.testing.assert_array_equal(np.asarray(x.at[0].set(5)), [5, 1, 2])
    np.testing.assert_array_equal(np.asarray(x), [0, 1, 2])
    with pytest.raises(AttributeError):
        x.shape = (3, 1)
    x.at[1].add(10)  # .at returns a new array; x is unchanged
    assert jax.to_torch(x).tolist() == [0, 1, 2]


def test_block_until_ready_and_copies():
    x = jnp.arange(3.0)
    assert x.block_until_ready() is x
    tree = {"a": x, "b": [jnp.ones(2)]}
    assert jax.block_until_ready(tree) is tree
    y = x.copy()
    assert y is not x and jax.to_torch(y).data_ptr() != jax.to_torch(x).data_ptr()
    np.testing.assert_array_equal(np.asarray(y), np.asarray(x))
    z = copy.deepcopy(x)
    np.testing.assert_array_equal(np.asarray(z), np.asarray(x))
    assert copy.copy(x) is x or np.array_equal(np.asarray(copy.copy(x)), np.asarray(x))


def test_torch_interop_is_zero_copy():
    t = torch.arange(6, dtype=torch.float32).reshape(2, 3)
    x = jax.from_torch(t)
    assert isinstance(x, Array) and x.shape == (2, 3) and x.dtype == np.float32
    assert jax.to_torch(x).data_ptr() == t.data_ptr()
    back = jax.to_torch(x + 1)
    assert isinstance(back, torch.Tensor) and back.tolist() == [[1, 2, 3], [4, 5, 6]]
    for td in (torch.bfloat16, torch.float16, torch.int8, torch.uint8, torch.bool, torch.complex64):
        tt = torch.ones(3, dtype=td)
        xx = jax.from_torch(tt)
        assert jax.to_torch(xx).data_ptr() == tt.data_ptr()
        assert str(xx.dtype) == str(td).replace("torch.", "")
    # 64-bit tensors narrow to 32 bits while x64 is off (a conversion, as JAX would do)
    assert jax.from_torch(torch.arange(3)).dtype == np.int32
    with pytest.raises(TypeError, match="torch.Tensor"):
        jax.from_torch(np.ones(3))
    # a torch tensor passed to jnp functions is accepted as an array
    np.testing.assert_array_equal(np.asarray(jnp.add(torch.ones(2), 1.0)), [2.0, 2.0])


def test_dlpack_both_ways():
    x = jnp.arange(4.0)
    t = torch.from_dlpack(x)
    assert t.data_ptr() == jax.to_torch(x).data_ptr() and t.tolist() == [0, 1, 2, 3]
    src = torch.linspace(0, 1, 5)
    y = jax.from_dlpack(src)
    assert jax.to_torch(y).data_ptr() == src.data_ptr()
    np.testing.assert_allclose(np.asarray(y), src.numpy())
    np.testing.assert_array_equal(np.from_dlpack(x), [0, 1, 2, 3])
    z = jax.from_dlpack(np.arange(3, dtype=np.int32))  # any DLPack producer
    np.testing.assert_array_equal(np.asarray(z), [0, 1, 2])


def test_pickle_round_trip():
    for x in (jnp.arange(6.0).reshape(2, 3), jnp.asarray(2.0), jnp.array([1, 2], jnp.uint8),
              jnp.array([0.5], jnp.bfloat16), jnp.zeros((0, 2), jnp.int32)):
        y = pickle.loads(pickle.dumps(x))
        assert isinstance(y, Array)
        assert y.dtype == x.dtype and y.shape == x.shape and y.weak_type == x.weak_type
        np.testing.assert_array_equal(np.asarray(y).astype(np.float64), np.asarray(x).astype(np.float64))


def test_at_property_surface():
    x = jnp.zeros(4)
    np.testing.assert_array_equal(np.asarray(x.at[1].set(2.0)), [0, 2, 0, 0])
    np.testing.assert_array_equal(np.asarray(x.at[1:3].add(1.0)), [0, 1, 1, 0])
    np.testing.assert_array_equal(np.asarray(jnp.ones(3).at[0].mul(5.0)), [5, 1, 1])
    np.testing.assert_array_equal(np.asarray(jnp.arange(3.0).at[0].max(2.0)), [2, 1, 2])
    np.testing.assert_array_equal(np.asarray(jnp.arange(3.0).at[2].min(-1.0)), [0, 1, -1])
    assert float(jnp.arange(3.0).at[2].get()) == 2.0


def test_tracers_support_the_array_surface():
    def f(x):
        y = (x.T @ x).sum(axis=0) + x.mean() * 2 - abs(-x[0]) / 3
        z = x.reshape(-1)[::2].at[0].set(7.0)
        w = jnp.where(x > 1, x ** 2, -x).max(axis=1)
        return y, z, w, x.shape, x.ndim, x.dtype, x.astype(jnp.int32) // 2 % 3
    a = jnp.arange(6.0).reshape(2, 3)
    eager = f(a)
    jitted = jax.jit(lambda x: f(x)[:3] + (f(x)[6],))(a)
    for e, j in zip(eager[:3] + (eager[6],), jitted):
        np.testing.assert_allclose(np.asarray(e), np.asarray(j), rtol=1e-6)
    assert eager[3] == (2, 3) and eager[4] == 2 and eager[5] == np.float32
    vm = jax.vmap(lambda r: (r * 2).sum() + r.max())(a)
    np.testing.assert_allclose(np.asarray(vm), [2 * 3 + 2, 2 * 12 + 5])
    g = jax.grad(lambda x: (x * x).sum())(a)
    np.testing.assert_allclose(np.asarray(g), 2 * np.asarray(a))


def test_view_as_jax_and_numpy():
    """Array.view(dtype): the bits reinterpreted; numpy's shapes for other widths, JAX's errors."""
    x16 = np.arange(6, dtype=np.int16).reshape(2, 3)
    np.testing.assert_array_equal(np.asarray(jnp.asarray(x16).view(jnp.int8)), x16.view(np.int8))
    x8 = np.arange(8, dtype=np.uint8).reshape(2, 4)
    np.testing.assert_array_equal(np.asarray(jnp.asarray(x8).view(jnp.int16)), x8.view(np.int16))
    f = np.array([1.0, -2.5], np.float32)
    np.testing.assert_array_equal(np.asarray(jnp.asarray(f).view(jnp.int32)), f.view(np.int32))
    assert int(jnp.float32(1).view(jnp.int32)) == 1065353216
    np.testing.assert_array_equal(np.asarray(jnp.array([1, 0, 1], jnp.int8).view(jnp.bool_)), [True, False, True])
    x = jnp.arange(3)
    assert x.view() is x
    with pytest.raises(ValueError, match="divisor of the total size in bytes"):
        jnp.arange(3, dtype=jnp.int16).view(jnp.int32)
    with pytest.raises(ValueError, match="0d array"):
        jnp.float32(1).view(jnp.uint8)
    g = jax.jit(lambda a: a.view(jnp.uint32) >> 31)(jnp.asarray(f))   # under jit: the sign bits
    np.testing.assert_array_equal(np.asarray(g), [0, 1])
