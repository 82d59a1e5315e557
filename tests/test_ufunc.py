"""jnp.ufunc / jnp.frompyfunc and the ufunc methods of jnp.add & co.; values from JAX 0.10.2."""
import numpy as np
import pytest

import jaxish as jax
import jaxish.numpy as jnp
from jaxish.tree_util import flatten_one_level, flatten_one_level_with_keys, is_tree_node, tree_reduce_associative

from breadth_helpers import check_grads, check_jit, check_vmap


def test_jnp_ufuncs_are_ufuncs_with_jax_identities():
    want = {"add": 0, "bitwise_and": -1, "bitwise_or": 0, "bitwise_xor": 0, "logaddexp": -np.inf,
            "logaddexp2": -np.inf, "logical_and": True, "logical_or": False, "logical_xor": False,
            "maximum": None, "minimum": None, "multiply": 1, "subtract": None}
    for name, ident in want.items():
        u = getattr(jnp, name)
        assert isinstance(u, jnp.ufunc) and u.nin == 2 and u.nout == 1 and u.identity == ident, name
    assert isinstance(jnp.negative, jnp.ufunc) and jnp.negative.nin == 1
    assert repr(jnp.add) == "<jnp.ufunc 'add'>"


def test_fast_methods_match_numpy():
    x = np.arange(1.0, 7.0).reshape(2, 3)
    assert float(jnp.add.reduce(jnp.arange(5))) == 10
    np.testing.assert_array_equal(np.asarray(jnp.add.reduce(x, axis=1)), np.add.reduce(x, axis=1))
    assert jnp.add.reduce(x, axis=(0, 1), keepdims=True).shape == (1, 1)
    assert jnp.maximum.accumulate(jnp.asarray([1, 3, 2, 5])).tolist() == [1, 3, 3, 5]
    np.testing.assert_array_equal(np.asarray(jnp.multiply.accumulate(x, axis=1)), np.multiply.accumulate(x, axis=1))
    assert jnp.multiply.outer(jnp.arange(3), jnp.arange(2)).tolist() == np.multiply.outer(np.arange(3), np.arange(2)).tolist()
    assert jnp.add.at(jnp.zeros(3), jnp.asarray([0, 0, 2]), 1.0, inplace=False).tolist() == [2.0, 0.0, 1.0]
    with pytest.raises(NotImplementedError, match="inplace=False"):
        jnp.add.at(jnp.zeros(3), jnp.asarray([0]), 1.0)
    assert jnp.add.reduceat(jnp.arange(8.0), jnp.asarray([0, 4, 1, 5])).tolist() == [6.0, 4.0, 10.0, 18.0]
    assert jnp.add(jnp.ones(2), 1).tolist() == [2.0, 2.0] and (jnp.ones(2) - 1).tolist() == [0.0, 0.0]
    with pytest.raises(TypeError, match="takes 2 positional arguments"):
        jnp.add(jnp.ones(2))


def test_frompyfunc_general_methods_match_jax():
    u = jnp.frompyfunc(lambda a, b: a * b + 1, 2, 1)
    assert (u.nin, u.nout, u.nargs, u.__name__, repr(u)) == (2, 1, 2, "<lambda>", "<jnp.ufunc '<lambda>'>")
    assert int(u.reduce(jnp.arange(1, 5))) == 41
    assert u.accumulate(jnp.arange(1.0, 5.0)).tolist() == [1.0, 3.0, 10.0, 41.0]
    assert u.at(jnp.ones(3), jnp.asarray([0, 0]), 2.0, inplace=False).tolist() == [7.0, 1.0, 1.0]
    assert u.reduceat(jnp.arange(1.0, 7.0), jnp.asarray([0, 2, 5])).tolist() == [3.0, 66.0, 6.0]
    assert u.outer(jnp.arange(2.0), jnp.arange(3.0)).tolist() == [[1.0, 1.0, 1.0], [1.0, 2.0, 3.0]]
    with pytest.raises(ValueError, match="zero-size array to reduction operation <lambda> which has no identity"):
        u.reduce(jnp.zeros((0,)))
    assert float(jnp.frompyfunc(lambda a, b: a + b, 2, 1, identity=5.0).reduce(jnp.zeros((0,)))) == 5.0
    np.testing.assert_allclose(np.asarray(jnp.frompyfunc(jnp.sin, 1, 1)(jnp.arange(3.0))), np.sin(np.arange(3.0)),
                               rtol=1e-6)


def test_frompyfunc_transforms():
    u = jnp.frompyfunc(lambda a, b: a * b + 1, 2, 1)
    assert jax.grad(lambda v: u.reduce(v))(jnp.arange(1.0, 4.0)).tolist() == [6.0, 3.0, 3.0]
    check_jit(lambda v: u.accumulate(v, axis=1), jnp.arange(6.0).reshape(2, 3))
    check_vmap(lambda v: u.reduce(v), jnp.arange(6.0).reshape(2, 3))
    with jax.enable_x64():
        check_grads(lambda v: u.at(v, jnp.asarray([1, 1, 0]), 0.5, inplace=False), np.arange(1.0, 4.0))


def test_tree_util_one_level_and_associative_reduce():
    assert is_tree_node(tuple) and is_tree_node(dict) and is_tree_node(type(None)) and not is_tree_node(int)
    assert flatten_one_level({"a": 1, "b": (2, 3)}) == ((1, (2, 3)), ("a", "b"))
    keyed, aux = flatten_one_level_with_keys({"a": 1, "b": (2, 3)})
    assert [k.key for k, _ in keyed] == ["a", "b"] and aux == ("a", "b")
    assert flatten_one_level(None) == ((), None)
    with pytest.raises(ValueError, match="can't tree-flatten type"):
        flatten_one_level(1)
    assert tree_reduce_associative(lambda a, b: (a, b), [1, 2, 3, 4, 5]) == ((1, 2), (3, (4, 5)))   # JAX's pairing
    assert tree_reduce_associative(lambda a, b: a + b, [1, 2, (3, 4)]) == 10
    assert tree_reduce_associative(lambda a, b: a + b, [], identity=0) == 0
    with pytest.raises(TypeError, match="Must specify identity"):
        tree_reduce_associative(lambda a, b: a + b, [])


def test_jit_of_a_callable_whose_attributes_match_jit_internals():
    """jit copies a wrapped object's attributes (as JAX's wraps) but never over its own methods."""
    class Scale:
        def __init__(self):
            self._call, self._cache, self.fun = "not a method", {}, "not the function"

        def __call__(self, x):
            return x * 2.0
    assert jax.jit(Scale())(jnp.ones(2)).tolist() == [2.0, 2.0]
    assert jax.jit(jnp.add)(jnp.ones(2), 1.0).tolist() == [2.0, 2.0]
