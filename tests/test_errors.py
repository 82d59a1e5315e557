"""Bad input gets JAX's errors (TypeError/ValueError/IndexError naming shapes and dtypes) before
any kernel runs -- never a torch message; tracer misuse raises ConcretizationTypeError /
UnexpectedTracerError; make_jaxpr prints like JAX. Expected behaviour checked against JAX 0.10.2."""
import numpy as np
import pytest

import jaxish as jax
import jaxish.numpy as jnp
from jaxish import lax, random

X3, X4 = jnp.ones(3), jnp.ones(4)
M23, M34 = jnp.ones((2, 3)), jnp.ones((3, 4))
I3 = jnp.arange(3)


# ---- incompatible shapes ------------------------------------------------------------------------
SHAPE_MISMATCH = {
    "add": lambda: jnp.add(X3, X4), "operator+": lambda: X3 + X4, "operator*": lambda: X3 * X4,
    "subtract": lambda: jnp.subtract(X3, X4), "maximum": lambda: jnp.maximum(X3, X4),
    "arctan2": lambda: jnp.arctan2(X3, X4), "less": lambda: X3 < X4, "where": lambda: jnp.where(X3 > 0, X3, X4),
    "lax.add": lambda: lax.add(X3, X4), "lax.div": lambda: lax.div(X3, X4),
    "int add": lambda: I3 + jnp.arange(4), "jit add": lambda: jax.jit(jnp.add)(X3, X4),
    "make_jaxpr add": lambda: jax.make_jaxpr(jnp.add)(X3, X4), "vmap add": lambda: jax.vmap(jnp.add)(jnp.ones((2, 3)), jnp.ones((2, 4))),
}


@pytest.mark.parametrize("name", sorted(SHAPE_MISMATCH))
def test_incompatible_shapes_raise_type_error_naming_both(name):
    with pytest.raises(TypeError) as info:
        SHAPE_MISMATCH[name]()
    msg = str(info.value)
    assert "(3,)" in msg and "(4,)" in msg, msg
    assert "incompatible shapes" in msg


def test_matmul_shape_errors_name_the_shapes():
    with pytest.raises(TypeError, match=r"\(2, 3\)") as info:
        M23 @ M23
    assert "contracting" in str(info.value)
    with pytest.raises(TypeError, match=r"\(3,\).*\(4,\)"):
        jnp.dot(X3, X4)


# ---- dtypes and non-array arguments -----------------------------------------------------------
BAD_DTYPE = {
    "zeros str": lambda: jnp.zeros(3, dtype="foo"),
    "astype": lambda: X3.astype("int3"),
    "ones object": lambda: jnp.ones(2, dtype=object),
    "astype str_": lambda: X3.astype(np.str_),
    "asarray dtype": lambda: jnp.asarray([1, 2], dtype="complex7"),
    "convert": lambda: lax.convert_element_type(X3, "foo"),
    "arange": lambda: jnp.arange(3, dtype="bogus"),
    "uniform": lambda: random.uniform(random.PRNGKey(0), (2,), dtype="notatype"),
}


@pytest.mark.parametrize("name", sorted(BAD_DTYPE))
def test_unknown_dtype_raises_type_error(name):
    with pytest.raises(TypeError, match="dtype|data type"):
        BAD_DTYPE[name]()


NOT_ARRAYS = {
    "sin str": (lambda: jnp.sin("a"), "str"),
    "add object": (lambda: jnp.add(object(), 1), "object"),
    "sum dict": (lambda: jnp.sum({"a": 1}), "dict"),
    "reshape None": (lambda: jnp.reshape(None, 3), "NoneType"),
    "asarray str": (lambda: jnp.asarray("abc"), "str"),
    "asarray None": (lambda: jnp.asarray(None), "NoneType"),
    "asarray dict": (lambda: jnp.asarray({"a": 1}), "dict"),
    "asarray objects": (lambda: jnp.asarray([object()]), "convert"),
    "sqrt of strings": (lambda: jnp.sqrt(["a"]), "requires ndarray or scalar arguments"),
    "outer str": (lambda: jnp.outer(X3, "a"), "str"),
    "isclose str": (lambda: jnp.isclose(X3, "a"), "str"),
    "exp set": (lambda: jnp.exp({1, 2}), "set"),
}


@pytest.mark.parametrize("name", sorted(NOT_ARRAYS))
def test_non_array_arguments_raise_clear_type_error(name):
    fn, word = NOT_ARRAYS[name]
    with pytest.raises(TypeError, match=word):
        fn()


def test_lax_does_not_promote():
    with pytest.raises(TypeError, match="same dtypes"):
        lax.add(X3, I3)
    with pytest.raises(TypeError, match="same dtypes"):
        lax.mul(jnp.ones(2, jnp.float16), jnp.asarray(2.0))  # weak arrays do not help at lax level
    with pytest.raises(TypeError, match="sin does not accept dtype int32"):
        lax.sin(I3)
    with pytest.raises(TypeError, match="which"):
        lax.select(X3, X3, X3)
    assert lax.add(X3, 2.0).dtype == np.float32  # Python scalars are weak: fine


# what JAX 0.10.2 does with lax.add (and friends) on mixed operands, x64 off: a Python scalar
# counts as its default dtype (int32, float32), numpy float64 canonicalizes to float32
LAX_MIXED = [
    ("f32+3", lambda: lax.add(jnp.ones(2), 3), None),
    ("f32+3.0", lambda: lax.add(jnp.ones(2), 3.0), ("float32", False)),
    ("i32+3", lambda: lax.add(jnp.ones(2, jnp.int32), 3), ("int32", False)),
    ("i32+3.0", lambda: lax.add(jnp.ones(2, jnp.int32), 3.0), None),
    ("f16+3.0", lambda: lax.add(jnp.ones(2, jnp.float16), 3.0), None),
    ("3+4", lambda: lax.add(3, 4), ("int32", True)),
    ("3.0+4", lambda: lax.add(3.0, 4), None),
    ("np32+2.0", lambda: lax.add(np.float32(1), 2.0), ("float32", False)),
    ("u32+1", lambda: lax.add(jnp.ones(2, jnp.uint32), 1), None),
    ("i8+1", lambda: lax.add(jnp.ones(2, jnp.int8), 1), None),
    ("f32+np.f64", lambda: lax.add(jnp.ones(2), np.float64(1)), ("float32", False)),
    ("weak f32 array+f16", lambda: lax.add(jnp.asarray(1.0), jnp.ones(2, jnp.float16)), None),
    ("f32+np int32 array", lambda: lax.add(jnp.ones(2), np.ones(2, np.int32)), None),
    ("shift_left u32, 2", lambda: lax.shift_left(jnp.ones(2, jnp.uint32), 2), None),
    ("max f32, 2", lambda: lax.max(jnp.ones(2), 2), None),
    ("eq f32, 2", lambda: lax.eq(jnp.ones(2), 2), None),
    ("pow f32, 2", lambda: lax.pow(jnp.ones(2), 2), ("float32", False)),
    ("sin 3", lambda: lax.sin(3), "sin does not accept dtype int32"),
    ("exp 2", lambda: lax.exp(2), "exp does not accept dtype int32"),
    ("sin 3.0", lambda: lax.sin(3.0), ("float32", True)),
    ("neg 3", lambda: lax.neg(3), ("int32", True)),
]


@pytest.mark.parametrize("name", [c[0] for c in LAX_MIXED])
def test_lax_mixed_dtypes_as_jax(name):
    fn, want = {c[0]: c[1:] for c in LAX_MIXED}[name]
    if want is None or isinstance(want, str):
        with pytest.raises(TypeError, match=want or "requires arguments to have the same dtypes.*Tip: jnp"):
            fn()
        return
    out = fn()
    assert (str(out.dtype), out.weak_type) == want


# ---- hunting torch messages: every one of these must fail with our JAX-like error -------------
BAD_CALLS = {
    "reshape size": lambda: X3.reshape(4),
    "reshape two -1": lambda: jnp.ones(6).reshape(-1, -1),
    "transpose repeat": lambda: jnp.transpose(M23, (0, 0)),
    "transpose range": lambda: jnp.transpose(M23, (0, 2)),
    "sum axis": lambda: jnp.sum(M23, axis=2),
    "concatenate ndim": lambda: jnp.concatenate([X3, M23]),
    "concatenate shapes": lambda: jnp.concatenate([M23, M34]),
    "stack shapes": lambda: jnp.stack([X3, X4]),
    "broadcast_to": lambda: jnp.broadcast_to(X3, (4,)),
    "broadcast_to rank": lambda: jnp.broadcast_to(M23, (3,)),
    "split uneven": lambda: jnp.split(X3, 2),
    "squeeze non-1": lambda: jnp.squeeze(M23, 0),
    "expand_dims axis": lambda: jnp.expand_dims(X3, 5),
    "moveaxis axis": lambda: jnp.moveaxis(M23, 0, 5),
    "zeros negative": lambda: jnp.zeros(-1),
    "full negative": lambda: jnp.full((2, -3), 1.0),
    "zeros float shape": lambda: jnp.zeros(2.5),
    "zeros str shape": lambda: jnp.zeros("3"),
    "eye negative": lambda: jnp.eye(-1),
    "linspace negative": lambda: jnp.linspace(0, 1, -1),
    "bitwise float": lambda: jnp.bitwise_and(X3, X3),
    "invert float": lambda: ~X3,
    "shift float": lambda: X3 << 1,
    "mod complex": lambda: jnp.ones(2, jnp.complex64) % 2,
    "floor complex": lambda: jnp.floor(jnp.ones(2, jnp.complex64)),
    "negate bool": lambda: -jnp.array([True]),
    "subtract bool": lambda: jnp.array([True]) - jnp.array([True]),
    "int power negative": lambda: I3 ** -1,
    "argmax empty": lambda: jnp.argmax(jnp.zeros(0)),
    "max empty": lambda: jnp.max(jnp.zeros(0)),
    "argmax complex": lambda: jnp.argmax(jnp.ones(2, jnp.complex64)),
    "take axis": lambda: jnp.take(X3, jnp.array([0]), axis=3),
    "take float indices": lambda: jnp.take(X3, jnp.array([0.5])),
    "index float": lambda: X3[0.5],
    "index str": lambda: X3["a"],
    "index too many": lambda: X3[0, 0],
    "index two ellipsis": lambda: M23[..., ...],
    "index bad mask": lambda: M23[jnp.array([True, False, True])],
    "at float index": lambda: X3.at[jnp.array([0.5])].set(1.0),
    "at value shape": lambda: X3.at[:].set(jnp.ones(4)),
    "clip shapes": lambda: jnp.clip(X3, X4),
    "matmul 0-d": lambda: jnp.matmul(jnp.ones(()), X3),
    "einsum sizes": lambda: jnp.einsum("ij,jk->ik", M23, M23),
    "einsum operands": lambda: jnp.einsum("ij,j", M23),
    "tensordot": lambda: jnp.tensordot(M23, M23, axes=1),
    "lax.reshape": lambda: lax.reshape(X3, (2,)),
    "lax.broadcast_in_dim": lambda: lax.broadcast_in_dim(X3, (4,), (0,)),
    "lax.slice bounds": lambda: lax.slice(X3, (0,), (5,)),
    "lax.dynamic_slice sizes": lambda: lax.dynamic_slice(X3, (0,), (5,)),
    "lax.pad config": lambda: lax.pad(X3, 0.0, ((1, 1),) * 2),
    "lax.transpose perm": lambda: lax.transpose(M23, (0,)),
    "lax.rev dims": lambda: lax.rev(X3, (1,)),
    "lax.iota negative": lambda: lax.iota(np.float32, -1),
    "lax.full negative": lambda: lax.full((2, -1), 0.0),
    "lax.reduce_sum axes": lambda: lax.reduce_sum(X3, (1,)),
    "lax.squeeze": lambda: lax.squeeze(M23, (0,)),
    "cumsum axis": lambda: jnp.cumsum(M23, axis=3),
    "var duplicate axis": lambda: jnp.var(M23, axis=(0, 0)),
    "where two args": lambda: jnp.where(X3 > 0, X3),
    "ragged list": lambda: jnp.array([[1, 2], [3]]),
    "nonzero float size": lambda: jnp.nonzero(X3, size=1.5),
    "reshape float": lambda: X3.reshape(1.5),
    "grad of int": lambda: jax.grad(lambda x: x * 2)(3),
    "grad non-scalar": lambda: jax.grad(lambda x: x * 2)(X3),
    "vmap sizes": lambda: jax.vmap(lambda a, b: a + b)(X3, X4),
    "vmap axis": lambda: jax.vmap(lambda a: a, in_axes=2)(X3),
    "random bad key": lambda: random.normal(jnp.zeros(2), (3,)),
}
TORCH_WORDS = ("torch", "tensor", "Tensor", "not implemented for", "aten::", "CPUFloatType")


@pytest.mark.parametrize("name", sorted(BAD_CALLS))
def test_bad_calls_raise_jax_like_errors(name):
    with pytest.raises((TypeError, ValueError, IndexError)) as info:
        BAD_CALLS[name]()
    assert not isinstance(info.value, RuntimeError) or isinstance(info.value, TypeError)
    msg = str(info.value)
    assert not any(w in msg for w in TORCH_WORDS), msg


def test_integer_division_by_zero_does_not_crash():
    # torch raises (and INT_MIN // -1 traps the CPU); XLA's results come back instead
    np.testing.assert_array_equal(np.asarray(jnp.array([7, -7]) // 0), [-2, -2])
    np.testing.assert_array_equal(np.asarray(jnp.array([-2 ** 31], jnp.int32) // -1), [-2 ** 31])
    np.testing.assert_array_equal(np.asarray(jax.jit(lambda a, b: a % b)(jnp.arange(3), 0)), [0, 0, 0])


# ---- tracer misuse -----------------------------------------------------------------------------
def _branchy(x):
    if x > 0:
        return x
    return -x


@pytest.mark.parametrize("transform", ["make_jaxpr", "jit"])
def test_bool_of_staged_value_raises_concretization_error(transform):
    f = jax.make_jaxpr(_branchy) if transform == "make_jaxpr" else jax.jit(_branchy)
    with pytest.raises(jax.errors.ConcretizationTypeError) as info:
        f(1.0)
    err = info.value
    assert isinstance(err, TypeError)
    assert isinstance(err, jax.errors.TracerBoolConversionError)
    msg = str(err)
    assert "bool" in msg and "f32[]" not in msg or "bool[]" in msg
    assert "static_argnums" in msg and "lax.cond" in msg


def test_other_concretizations_raise():
    with pytest.raises(jax.errors.TracerIntegerConversionError, match="int|__index__"):
        jax.jit(lambda x: list(range(3))[x])(1)
    with pytest.raises(jax.errors.ConcretizationTypeError, match="float"):
        jax.make_jaxpr(lambda x: float(x))(1.0)
    with pytest.raises(jax.errors.TracerArrayConversionError, match="__array__"):
        jax.jit(lambda x: np.asarray(x))(jnp.ones(2))
    with pytest.raises(TypeError, match="concrete"):  # JAX: a TypeError too
        jax.jit(lambda x: jnp.zeros(x))(3)
    # concrete values under grad/vmap-free jvp are allowed, as in JAX
    assert jax.grad(lambda x: x * 2 if x > 0 else -x)(1.0) == 2.0


def test_static_argnums_fixes_the_branch():
    f = jax.jit(lambda x, flag: x + 1 if flag else x - 1, static_argnums=1)
    assert float(f(1.0, True)) == 2.0 and float(f(1.0, False)) == 0.0


LEAKS = {
    "jit": lambda f: jax.jit(f)(1.0),
    "make_jaxpr": lambda f: jax.make_jaxpr(f)(1.0),
    "vmap": lambda f: jax.vmap(f)(jnp.ones(3)),
    "grad": lambda f: jax.grad(f)(1.0),
}


@pytest.mark.parametrize("transform", sorted(LEAKS))
def test_leaked_tracer_raises_unexpected_tracer_error(transform):
    leaked = []

    def f(x):
        leaked.append(x)
        return (x * 2).sum()

    LEAKS[transform](f)
    t = leaked[0]
    with pytest.raises(jax.errors.UnexpectedTracerError, match="leaked"):
        t + 1
    with pytest.raises(jax.errors.UnexpectedTracerError):
        jnp.sin(t)
    with pytest.raises(jax.errors.UnexpectedTracerError):
        jax.jit(lambda y: y + t)(1.0)


# ---- make_jaxpr prints like JAX -----------------------------------------------------------------
def test_make_jaxpr_prints_like_jax():
    got = str(jax.make_jaxpr(lambda x: x * x + jnp.sin(x))(2.0))
    assert got == ("{ lambda ; a:f32[]. let\n    b:f32[] = mul a a\n    c:f32[] = sin a\n"
                   "    d:f32[] = add b c\n  in (d,) }")


def test_make_jaxpr_literals_and_outputs_like_jax():
    got = str(jax.make_jaxpr(lambda a, b: (a + b, a * b, a > 1, a + 1))(1.0, 2.0))
    assert got == ("{ lambda ; a:f32[] b:f32[]. let\n    c:f32[] = add a b\n    d:f32[] = mul a b\n"
                   "    e:bool[] = gt a 1.0:f32[]\n    f:f32[] = add a 1.0:f32[]\n  in (c, d, e, f) }")
    got = str(jax.make_jaxpr(lambda a: a.astype(jnp.int32) + True)(jnp.ones((2,))))
    assert got == ("{ lambda ; a:f32[2]. let\n"
                   "    b:i32[2] = convert_element_type[new_dtype=int32 weak_type=False] a\n"
                   "    c:i32[2] = add b 1:i32[]\n  in (c,) }")
    jaxpr = jax.make_jaxpr(lambda x: jnp.sin(x).sum())(jnp.ones((3,)))
    assert [e.primitive.name for e in jaxpr.eqns] == ["sin", "reduce_sum"]


# JAX 0.10.2: a list or tuple is an array only through jnp.array/asarray; elsewhere a TypeError
LIST_OPERANDS = {
    "sum": lambda: jnp.sum([1, 2]), "add": lambda: jnp.add([1, 2], 1), "sin": lambda: jnp.sin([1.0]),
    "concatenate": lambda: jnp.concatenate([[1], [2]]), "where": lambda: jnp.where([True], 1, 2),
    "reshape": lambda: jnp.reshape([1, 2], (2,)), "dot": lambda: jnp.dot([1, 2], [3, 4]),
    "mean of a tuple": lambda: jnp.mean((1, 2)), "take": lambda: jnp.take(jnp.ones(3), [0, 1]),
    "clip": lambda: jnp.clip([1, 2], 0, 1), "second operand": lambda: jnp.multiply(jnp.ones(2), [1.0, 2.0]),
}


@pytest.mark.parametrize("name", sorted(LIST_OPERANDS))
def test_lists_are_not_arrays(name):
    with pytest.raises(TypeError, match="requires ndarray or scalar arguments, got <class '(list|tuple)'>"):
        LIST_OPERANDS[name]()


def test_lists_where_jax_takes_them():
    np.testing.assert_array_equal(np.asarray(jnp.array([1, 2])), [1, 2])
    np.testing.assert_array_equal(np.asarray(jnp.asarray((1.0, 2.0))), [1.0, 2.0])
    assert jnp.ones([2, 3]).shape == (2, 3)
    assert jnp.sum(jnp.ones((2, 2)), axis=(0, 1)) == 4.0
    assert jnp.stack([jnp.ones(2), jnp.zeros(2)]).shape == (2, 2)
    assert jnp.transpose(jnp.ones((2, 3)), (1, 0)).shape == (3, 2)


def test_list_index_as_jax():
    """JAX 0.10.2: a bare list index is a TypeError (with the fix it suggests); lists inside a
    tuple index, and arrays, index as usual."""
    x = jnp.arange(6).reshape(2, 3)
    for bad, fix in ((lambda: x[[0, 1]], "array"), (lambda: x.at[[0, 1]].set(0), "array"),
                     (lambda: x[[True, False]], "array"), (lambda: x[[[0, 1]]], "tuple")):
        with pytest.raises(TypeError, match=rf"non-tuple sequence .* use `arr\[{fix}\(seq\)\]`"):
            bad()
    assert x[[0, 1], [1, 2]].shape == (2,)
    assert x[0, [1, 2]].shape == (2,)
    assert x[jnp.array([0, 1])].shape == (2, 3)
    assert x.at[jnp.array([0, 1])].set(0).shape == (2, 3)


# more of the jnp sweep against JAX 0.10.2 (docs/jnp_sweep.py): the error types JAX raises
JNP_ERRORS = {
    "arange(True)": (lambda: jnp.arange(True), TypeError, "iota does not accept dtype bool"),
    "arange bool dtype": (lambda: jnp.arange(3, dtype=jnp.bool_), TypeError, "iota does not accept dtype bool"),
    "argsort 0-d": (lambda: jnp.argsort(jnp.float32(1)), ValueError, "axis -1 is out of bounds"),
    "clip complex": (lambda: jnp.clip(jnp.ones(2, jnp.complex64), 0, 1), ValueError, "complex"),
    "ediff1d bool": (lambda: jnp.ediff1d(jnp.ones(3, bool)), TypeError, "sub does not accept dtype bool"),
    "ediff1d list to_end": (lambda: jnp.ediff1d(jnp.ones(3), to_end=[1, 2]), TypeError, "ndarray or scalar"),
    "kron bool": (lambda: jnp.kron(jnp.ones(2, bool), jnp.ones(2, bool)), TypeError, "mul does not accept dtype bool"),
    "var dtype bool": (lambda: jnp.var(jnp.ones(3), dtype=jnp.bool_), TypeError, "div does not accept dtype bool"),
    "nanmean dtype bool": (lambda: jnp.nanmean(jnp.ones(3, jnp.float16), dtype=jnp.bool_), TypeError, "div"),
    "result_type()": (lambda: jnp.result_type(), ValueError, "at least one array or dtype"),
    "uint8(-1)": (lambda: jnp.uint8(-1), OverflowError, "Python integer -1 out of bounds for uint8"),
    "int8(300)": (lambda: jnp.int8(300), OverflowError, "Python integer 300 out of bounds for int8"),
    "int32(2**31)": (lambda: jnp.int32(2 ** 31), OverflowError, "out of bounds for int32"),
    "power int negative": (lambda: jnp.power(jnp.ones(3, jnp.int32), -1), TypeError, "Integers cannot be raised"),
    "where x only": (lambda: jnp.where(jnp.ones(2, bool), 1.0), TypeError, "ndarray or scalar"),
    "vecdot shapes": (lambda: jnp.vecdot(jnp.ones((2, 3)), jnp.ones(4)), ValueError, "axes must match"),
    "tensordot axes": (lambda: jnp.tensordot(jnp.ones((2, 3)), jnp.ones((2, 3)), axes=3), TypeError, "exceeds input ranks"),
    "pad mode": (lambda: jnp.pad(jnp.ones(3), 1, mode="bogus"), NotImplementedError, "Unimplemented padding mode"),
    "fill_diagonal inplace": (lambda: jnp.fill_diagonal(jnp.ones((2, 2)), 5.0), NotImplementedError, "immutable"),
    "put inplace before lists": (lambda: jnp.put(jnp.ones(3), [0], [7]), ValueError, "in-place"),
    "delete list obj": (lambda: jnp.delete(jnp.ones(3), [0, 2]), TypeError, "at position 1"),
    "repeat list": (lambda: jnp.repeat(jnp.ones(3), [1, 0, 2]), TypeError, "at position 1"),
    "polyfit lists": (lambda: jnp.polyfit([0.0, 1, 2], [1.0, 3, 5], 1), TypeError, "at position 0"),
    "roots list": (lambda: jnp.roots([1.0, -3, 2]), TypeError, "at position 0"),
    "unwrap list": (lambda: jnp.unwrap([0.0, 3.0]), TypeError, "at position 0"),
}


@pytest.mark.parametrize("name", sorted(JNP_ERRORS))
def test_jnp_error_types_as_jax(name):
    fn, exc, match = JNP_ERRORS[name]
    with pytest.raises(exc, match=match):
        fn()


def test_jnp_sweep_returns_as_jax():
    import warnings
    f = jnp.array([0.0, 1.0, 2.0])
    np.testing.assert_array_equal(np.asarray(jnp.select([f], [f + 1], default=7)), [7.0, 2.0, 3.0])
    assert bool(jnp.array_equal(jnp.array([1.0, 2.0]), [1, 2]))
    assert bool(jnp.array_equiv(jnp.ones(2), [1.0]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert jnp.shape([[1, 2]]) == (1, 2) and jnp.ndim([[1, 2]]) == 2 and jnp.size([[1, 2]]) == 2
    assert jnp.size(jnp.ones((2, 3, 4)), axis=(0, 2)) == 8
    assert int(jnp.int8(-128)) == -128 and int(jnp.uint8(255)) == 255
    np.testing.assert_array_equal(np.asarray(jnp.argsort(jnp.float32(1), axis=None)), [0])


# common user mistakes: the exception JAX 0.10.2 raises (its base type; "Concretization" marks
# ConcretizationTypeError), or "no error"
MISTAKES = {
    "python_if_on_tracer": (lambda: jax.jit(lambda x: 1 if x > 0 else 2)(1.0),
        "TypeError/Concretization"),
    "int_of_tracer": (lambda: jax.jit(lambda x: int(x))(1.0),
        "TypeError/Concretization"),
    "zeros_traced_shape": (lambda: jax.jit(lambda n: jnp.zeros(n))(3),
        "TypeError"),
    "grad_nonscalar": (lambda: jax.grad(lambda x: x * 2)(jnp.ones(2)),
        "TypeError"),
    "grad_int_input": (lambda: jax.grad(lambda x: x * 2)(3),
        "TypeError"),
    "vmap_mismatched_sizes": (lambda: jax.vmap(lambda a, b: a + b)(jnp.ones(2), jnp.ones(3)),
        "ValueError"),
    "vmap_in_axes_out_of_range": (lambda: jax.vmap(lambda a: a, in_axes=2)(jnp.ones(2)),
        "ValueError"),
    "scan_carry_mismatch": (lambda: lax.scan(lambda c, x: (c.astype(jnp.int32), x), 0.0, jnp.ones(3)),
        "TypeError"),
    "cond_branch_mismatch": (lambda: lax.cond(True, lambda: jnp.ones(2), lambda: jnp.ones(3)),
        "TypeError"),
    "reshape_bad": (lambda: jnp.ones(6).reshape(4, 2),
        "TypeError"),
    "setitem": (lambda: jnp.ones(3).__setitem__(0, 1.0),
        "TypeError"),
    "ragged_array": (lambda: jnp.array([[1, 2], [3]]),
        "ValueError"),
    "dot_mismatch": (lambda: jnp.dot(jnp.ones(3), jnp.ones(4)),
        "TypeError"),
    "tree_map_mismatch": (lambda: jax.tree.map(lambda a, b: a + b, {"a": 1}, {"b": 2}),
        "ValueError"),
    "jit_unhashable_static": (lambda: jax.jit(lambda x, s: x, static_argnums=1)(1.0, [1, 2]),
        "ValueError"),
    "jit_non_array_arg": (lambda: jax.jit(lambda x: x)("a"),
        "TypeError"),
    "while_body_type_change": (lambda: lax.while_loop(lambda c: c < 3, lambda c: c + 1.0, 0),
        "no error"),
    "fori_float_bounds": (lambda: lax.fori_loop(0.0, 3, lambda i, c: c, 0),
        "TypeError"),
    "concat_rank_mismatch": (lambda: jnp.concatenate([jnp.ones(2), jnp.ones((2, 2))]),
        "TypeError"),
    "index_out_of_bounds_static": (lambda: jnp.ones(3)[5],
        "no error"),
    "too_many_indices": (lambda: jnp.ones(3)[0, 0],
        "IndexError"),
    "random_bad_key": (lambda: jax.random.normal(1.0, (2,)),
        "TypeError"),
    "custom_vjp_bad_bwd_arity": (lambda: (lambda f: (f.defvjp(lambda x: (x, None), lambda r, g: (g, g)), jax.grad(f)(1.0)))(jax.custom_vjp(lambda x: x)),
        "TypeError"),
    "linalg_inv_nonsquare": (lambda: jnp.linalg.inv(jnp.ones((2, 3))),
        "ValueError"),
    "argnums_out_of_range": (lambda: jax.grad(lambda x: x, argnums=2)(1.0),
        "TypeError"),
    "has_aux_not_tuple": (lambda: jax.grad(lambda x: x, has_aux=True)(1.0),
        "TypeError"),
    "transpose_bad_perm": (lambda: jnp.transpose(jnp.ones((2, 3)), (0, 0)),
        "TypeError"),
    "astype_bad": (lambda: jnp.ones(2).astype("not a dtype"),
        "TypeError"),
}


def _kind(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - classified below
        mro = [c.__name__ for c in type(e).__mro__]
        base = next((b for b in ("TypeError", "ValueError", "IndexError", "KeyError", "NotImplementedError",
                                 "RuntimeError", "AttributeError") if b in mro), mro[0])
        return base + ("/Concretization" if "ConcretizationTypeError" in mro else "")
    return "no error"


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_user_mistakes_raise_as_jax(name):
    fn, want = MISTAKES[name]
    assert _kind(fn) == want
