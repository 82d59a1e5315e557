"""Pytree utilities behave as jax.tree_util / jax.tree document."""
import collections
import dataclasses
import pickle
import re

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from jaxish import tree as jtree
from jaxish import tree_util as tu

Point = collections.namedtuple("Point", ["x", "y"])
Triple = collections.namedtuple("Triple", ["a", "b", "c"])


def _trees(leaves=st.integers(-100, 100)):
    keys = st.text(alphabet="abcxyz", min_size=1, max_size=3)

    def extend(children):
        return st.one_of(
            st.tuples(children, children).map(tuple),
            st.lists(children, max_size=4).map(tuple),
            st.lists(children, max_size=4),
            st.dictionaries(keys, children, max_size=4),
            st.builds(Point, children, children),
            st.builds(Triple, children, children, children),
            st.dictionaries(keys, children, max_size=3).map(collections.OrderedDict),
        )

    return st.recursive(st.one_of(leaves, st.none()), extend, max_leaves=25)


def _count_ints(tree):
    if tree is None:
        return 0
    if isinstance(tree, dict):
        return sum(_count_ints(v) for v in tree.values())
    if isinstance(tree, (tuple, list)):
        return sum(_count_ints(v) for v in tree)
    return 1


# ----------------------------------------------------------------------------- properties

@settings(max_examples=200, deadline=None)
@given(_trees())
def test_flatten_unflatten_roundtrip(tree):
    leaves, treedef = tu.tree_flatten(tree)
    assert treedef.num_leaves == len(leaves) == _count_ints(tree)
    rebuilt = tu.tree_unflatten(treedef, leaves)
    assert rebuilt == tree
    assert type(rebuilt) is type(tree)
    assert tu.tree_structure(rebuilt) == treedef
    assert hash(tu.tree_structure(rebuilt)) == hash(treedef)
    assert treedef.flatten_up_to(tree) == leaves


@settings(max_examples=100, deadline=None)
@given(_trees())
def test_map_and_paths_agree_with_flatten(tree):
    leaves, treedef = tu.tree_flatten(tree)
    mapped = tu.tree_map(lambda x: x + 1, tree)
    assert tu.tree_structure(mapped) == treedef
    assert tu.tree_leaves(mapped) == [x + 1 for x in leaves]
    with_path, path_treedef = tu.tree_flatten_with_path(tree)
    assert path_treedef == treedef
    assert [x for _, x in with_path] == leaves
    assert len({tu.keystr(p) for p, _ in with_path}) == len(leaves)
    assert pickle.loads(pickle.dumps(treedef)) == treedef


@settings(max_examples=100, deadline=None)
@given(_trees())
def test_children_rebuild_treedef(tree):
    treedef = tu.tree_structure(tree)
    children = treedef.children()
    if tu.treedef_is_leaf(treedef):
        assert children == []
        return
    assert sum(c.num_leaves for c in children) == treedef.num_leaves
    assert sum(c.num_nodes for c in children) == treedef.num_nodes - 1
    if type(tree) is tuple:
        assert tu.treedef_tuple(children) == treedef


# ----------------------------------------------------------------------------- node types

def test_dict_flattens_in_sorted_key_order():
    tree = {"b": 1, "a": 2, "c": 3}
    leaves, treedef = tu.tree_flatten(tree)
    assert leaves == [2, 1, 3]
    assert list(treedef.unflatten(leaves)) == ["a", "b", "c"]
    assert treedef == tu.tree_structure({"c": 0, "a": 0, "b": 0})
    assert repr(treedef) == "PyTreeDef({'a': *, 'b': *, 'c': *})"


def test_unsortable_dict_keys_raise():
    with pytest.raises(ValueError, match="sorting pytree dictionary keys"):
        tu.tree_flatten({1: 0, "a": 0})


def test_ordereddict_keeps_insertion_order():
    tree = collections.OrderedDict([("b", 1), ("a", 2)])
    leaves, treedef = tu.tree_flatten(tree)
    assert leaves == [1, 2]
    rebuilt = treedef.unflatten(leaves)
    assert type(rebuilt) is collections.OrderedDict and list(rebuilt) == ["b", "a"]
    assert treedef != tu.tree_structure(collections.OrderedDict([("a", 1), ("b", 2)]))
    assert treedef != tu.tree_structure({"b": 1, "a": 2})


def test_defaultdict_keeps_factory():
    tree = collections.defaultdict(list, {"y": 1, "x": 2})
    leaves, treedef = tu.tree_flatten(tree)
    assert leaves == [2, 1]
    rebuilt = treedef.unflatten([5, 6])
    assert type(rebuilt) is collections.defaultdict and rebuilt.default_factory is list
    assert rebuilt == {"x": 5, "y": 6}


def test_namedtuple_type_preserved():
    tree = Point(1, Point(2, 3))
    leaves, treedef = tu.tree_flatten(tree)
    assert leaves == [1, 2, 3]
    out = tu.tree_map(lambda v: v * 2, tree)
    assert type(out) is Point and type(out.y) is Point and out == Point(2, Point(4, 6))
    assert treedef != tu.tree_structure((1, (2, 3)))
    assert repr(tu.tree_structure(Point(1, 2))) == "PyTreeDef(CustomNode(namedtuple[Point], [*, *]))"
    assert [tu.keystr(p) for p, _ in tu.tree_leaves_with_path(tree)] == [".x", ".y.x", ".y.y"]


def test_none_is_an_empty_subtree():
    assert tu.tree_leaves([None, 1]) == [1]
    assert tu.tree_leaves(None) == []
    treedef = tu.tree_structure(None)
    assert treedef.num_leaves == 0 and treedef.num_nodes == 1
    assert repr(treedef) == "PyTreeDef(None)"
    assert tu.tree_map(lambda x: x + 1, (None, 1, [None])) == (None, 2, [None])
    assert tu.tree_unflatten(tu.tree_structure([None, 1]), [7]) == [None, 7]


def test_is_leaf_can_make_none_a_leaf():
    assert tu.tree_leaves([None, 1], is_leaf=lambda x: x is None) == [None, 1]
    assert tu.tree_map(lambda x: 0 if x is None else x, [None, 1],
                       is_leaf=lambda x: x is None) == [0, 1]


def test_everything_unregistered_is_a_leaf():
    class TupleSub(tuple):
        pass

    class DictSub(dict):
        pass

    t = torch.ones(2)
    for leaf in (t, 3, 2.5, "s", TupleSub((1, 2)), DictSub(a=1), object):
        assert tu.tree_leaves(leaf) == [leaf]
        assert tu.is_leaf(leaf)
        assert tu.treedef_is_strict_leaf(tu.tree_structure(leaf))
    for node in (None, (), [], {}, Point(1, 2)):
        assert not tu.is_leaf(node)
    assert tu.all_leaves([t, 1, "a"])
    assert not tu.all_leaves([t, None])
    assert not tu.all_leaves([(1,)])
    assert tu.all_leaves([None], is_leaf=lambda x: x is None)


# ----------------------------------------------------------------------------- PyTreeDef

def test_treedef_equality_hash_and_repr():
    a = tu.tree_structure((1, {"a": 2}))
    b = tu.tree_structure(("x", {"a": torch.zeros(1)}))
    assert a == b and hash(a) == hash(b)
    assert {a: 1}[b] == 1
    assert a != tu.tree_structure([1, {"a": 2}])
    assert a != tu.tree_structure((1, {"b": 2}))
    assert a != tu.tree_structure((1, 2))
    assert a != "PyTreeDef"
    assert repr(a) == "PyTreeDef((*, {'a': *}))"
    assert repr(tu.tree_structure((1,))) == "PyTreeDef((*,))"
    assert repr(tu.tree_structure([1, [None]])) == "PyTreeDef([*, [None]])"
    assert repr(tu.tree_structure(5)) == "PyTreeDef(*)"


def test_treedef_inspection():
    treedef = tu.tree_structure((1, [2, 3], {"k": None}))
    assert treedef.num_leaves == 3
    assert treedef.num_nodes == 7
    assert treedef.children() == [tu.tree_structure(0), tu.tree_structure([0, 0]),
                                  tu.tree_structure({"k": None})]
    assert treedef.node_data() == (tuple, None)
    assert tu.tree_structure({"k": 1}).node_data() == (dict, ("k",))
    assert tu.tree_structure(1).node_data() is None
    assert tu.tree_structure(1).children() == []
    assert tu.treedef_is_leaf(tu.tree_structure(1))
    assert tu.treedef_is_leaf(tu.tree_structure(None))
    assert not tu.treedef_is_strict_leaf(tu.tree_structure(None))
    assert not tu.treedef_is_leaf(treedef)
    composed = tu.tree_structure([0, 0]).compose(tu.tree_structure((0, 0)))
    assert composed == tu.tree_structure([(0, 0), (0, 0)])


def test_unflatten_wrong_leaf_count_raises():
    treedef = tu.tree_structure((1, 2))
    with pytest.raises(ValueError, match="Too few leaves"):
        treedef.unflatten([1])
    with pytest.raises(ValueError, match="Too many leaves"):
        tu.tree_unflatten(treedef, [1, 2, 3])
    assert tu.tree_unflatten(treedef, iter([1, 2])) == (1, 2)


# ----------------------------------------------------------------------------- tree_map

def test_tree_map_over_several_trees():
    out = tu.tree_map(lambda a, b, c: a + b * c, (1, [2]), (3, [4]), (5, [6]))
    assert out == (16, [26])
    assert jtree.map(lambda a, b: a - b, {"x": 3, "y": 4}, {"y": 1, "x": 1}) == {"x": 2, "y": 3}


def test_tree_map_rest_may_be_deeper_than_first_tree():
    out = tu.tree_map(lambda a, sub: (a, sub), [1, 2], [(3, 4), {"k": 5}])
    assert out == [(1, (3, 4)), (2, {"k": 5})]


def test_tree_map_with_is_leaf():
    tree = {"a": (1, 2), "b": [3, (4, 5)]}
    out = tu.tree_map(lambda t: sum(t) if isinstance(t, tuple) else -t, tree,
                      is_leaf=lambda x: isinstance(x, tuple))
    assert out == {"a": 3, "b": [-3, 9]}


@pytest.mark.parametrize("first, other, reason", [
    ((1, 2), [1, 2], "Expected tuple"),
    ((1, 2), (1, 2, 3), "Tuple arity mismatch"),
    ({"a": 1}, {"b": 1}, "Dict key mismatch"),
    ((None, 1), (1, 1), "Expected None"),
    (Point(1, 2), (1, 2), "Named tuple type mismatch"),
    ([(1, 2)], [[1, 2]], r"Expected tuple, got \[1, 2\] at key path '\[0\]'"),
])
def test_tree_map_structure_mismatch(first, other, reason):
    with pytest.raises(ValueError) as info:
        tu.tree_map(lambda a, b: a, first, other)
    msg = str(info.value)
    assert "Tree structures did not match" in msg
    assert repr(tu.tree_structure(first)) in msg
    assert repr(tu.tree_structure(other)) in msg
    assert re.search(reason, msg)


def test_custom_node_type_mismatch():
    @tu.register_pytree_node_class
    class Box:
        def __init__(self, v):
            self.v = v

        def tree_flatten(self):
            return (self.v,), None

        @classmethod
        def tree_unflatten(cls, aux, children):
            return cls(*children)

    with pytest.raises(ValueError, match="Custom node type mismatch"):
        tu.tree_map(lambda a, b: a, Box(1), (1,))


def test_tree_map_with_path():
    out = tu.tree_map_with_path(lambda p, x, y: (tu.keystr(p), x + y),
                                {"a": [1, 2]}, {"a": [10, 20]})
    assert out == {"a": [("['a'][0]", 11), ("['a'][1]", 22)]}
    assert jtree.map_with_path(lambda p, x: len(p), (1, (2,))) == (1, (2,))


# ----------------------------------------------------------------------------- reductions

def test_reduce_all_transpose():
    assert tu.tree_reduce(lambda a, b: a + b, [1, (2, 3)]) == 6
    assert tu.tree_reduce(lambda a, b: a + b, [], initializer=10) == 10
    with pytest.raises(TypeError):
        tu.tree_reduce(lambda a, b: a + b, [])
    assert tu.tree_all([True, (1, "x")])
    assert not tu.tree_all([True, (0,)])
    assert tu.tree_all([])

    outer = tu.tree_structure([0, 0, 0])
    inner = tu.tree_structure({"a": 0, "b": 0})
    tree = [{"a": 1, "b": 2}, {"a": 3, "b": 4}, {"a": 5, "b": 6}]
    assert tu.tree_transpose(outer, inner, tree) == {"a": [1, 3, 5], "b": [2, 4, 6]}
    assert jtree.transpose(outer, None, tree) == {"a": [1, 3, 5], "b": [2, 4, 6]}
    with pytest.raises(TypeError, match="Mismatch"):
        tu.tree_transpose(outer, inner, [1, 2, 3])


def test_broadcast_prefix():
    full = ((1, 2), {"a": 3, "b": None})
    assert tu.broadcast_prefix((0, None), full, is_leaf=lambda x: x is None) == [0, 0, None]
    assert tu.tree_broadcast((0, 1), full) == ((0, 0), {"a": 1, "b": None})


def test_keystr_and_key_types():
    path = (tu.SequenceKey(0), tu.DictKey("w"), tu.GetAttrKey("x"), tu.FlattenedIndexKey(2))
    assert tu.keystr(path) == "[0]['w'].x[<flat index 2>]"
    assert tu.keystr(path, simple=True, separator="/") == "0/w/x/2"
    assert tu.DictKey("a") == tu.DictKey("a") and hash(tu.SequenceKey(1)) == hash(tu.SequenceKey(1))


# ----------------------------------------------------------------------------- registration

class Pair:
    def __init__(self, first, second, name):
        self.first, self.second, self.name = first, second, name


tu.register_pytree_node(Pair, lambda p: ((p.first, p.second), p.name),
                        lambda name, children: Pair(*children, name))


def test_register_pytree_node_roundtrip():
    tree = [Pair(1, (2, 3), "n"), 4]
    leaves, treedef = tu.tree_flatten(tree)
    assert leaves == [1, 2, 3, 4]
    out = treedef.unflatten([10, 20, 30, 40])
    assert isinstance(out[0], Pair) and out[0].name == "n"
    assert (out[0].first, out[0].second, out[1]) == (10, (20, 30), 40)
    assert treedef != tu.tree_structure([Pair(1, (2, 3), "other"), 4])
    assert treedef == tu.tree_structure([Pair(0, (0, 0), "n"), 0])
    assert repr(tu.tree_structure(Pair(1, 2, "n"))) == "PyTreeDef(CustomNode(Pair['n'], [*, *]))"
    paths = [tu.keystr(p) for p, _ in tu.tree_leaves_with_path(tree)]
    assert paths == ["[0][<flat index 0>]", "[0][<flat index 1>][0]",
                     "[0][<flat index 1>][1]", "[1]"]
    with pytest.raises(ValueError, match="Mismatch custom node data"):
        tu.tree_map(lambda a, b: a, Pair(1, 2, "n"), Pair(1, 2, "m"))


def test_duplicate_registration_raises():
    with pytest.raises(ValueError, match="Duplicate"):
        tu.register_pytree_node(Pair, lambda p: ((), None), lambda a, c: None)


def test_register_pytree_node_class_roundtrip():
    @tu.register_pytree_node_class
    class Scaled:
        def __init__(self, value, scale):
            self.value, self.scale = value, scale

        def tree_flatten(self):
            return (self.value,), self.scale

        @classmethod
        def tree_unflatten(cls, scale, children):
            return cls(children[0], scale)

    s = Scaled({"w": 1, "b": 2}, 3.0)
    leaves, treedef = tu.tree_flatten(s)
    assert leaves == [2, 1]
    out = tu.tree_map(lambda x: x * 10, s)
    assert isinstance(out, Scaled) and out.scale == 3.0 and out.value == {"w": 10, "b": 20}
    assert tu.tree_structure(out) == treedef


def test_register_with_keys_dataclass_and_static():
    class Named:
        def __init__(self, a, b):
            self.a, self.b = a, b

    tu.register_pytree_with_keys(
        Named, lambda n: (((tu.GetAttrKey("a"), n.a), (tu.GetAttrKey("b"), n.b)), None),
        lambda _, ch: Named(*ch))
    paths = [tu.keystr(p) for p, _ in tu.tree_leaves_with_path(Named(1, [2]))]
    assert paths == [".a", ".b[0]"]
    assert tu.tree_leaves(Named(1, [2])) == [1, 2]

    @tu.register_dataclass
    @dataclasses.dataclass
    class Params:
        w: object
        size: int = dataclasses.field(default=1, metadata=dict(static=True))

    p = Params(w=[1, 2], size=3)
    leaves, treedef = tu.tree_flatten(p)
    assert leaves == [1, 2]
    assert treedef.unflatten([5, 6]) == Params(w=[5, 6], size=3)
    assert treedef != tu.tree_structure(Params(w=[1, 2], size=4))

    @tu.register_static
    class Config:
        def __eq__(self, other):
            return type(other) is Config

        def __hash__(self):
            return 0

    assert tu.tree_leaves((1, Config())) == [1]
    assert isinstance(tu.tree_map(lambda x: x, (1, Config()))[1], Config)


def test_registering_a_namedtuple_overrides_detection():
    Rec = collections.namedtuple("Rec", ["a", "b"])
    assert tu.tree_leaves(Rec(1, 2)) == [1, 2]
    tu.register_pytree_node(Rec, lambda r: ((r.b,), r.a), lambda a, ch: Rec(a, ch[0]))
    assert tu.tree_leaves(Rec(1, 2)) == [2]


# ----------------------------------------------------------------------------- Partial

def test_partial_is_a_callable_pytree():
    def affine(x, w, b=0):
        return x * w + b

    p = tu.Partial(affine, 2, b=1)
    assert p(3) == 7
    leaves, treedef = tu.tree_flatten(p)
    assert leaves == [2, 1]
    q = treedef.unflatten([10, 5])
    assert isinstance(q, tu.Partial) and q.func is affine and q(3) == 35
    assert tu.tree_map(lambda v: v * 2, p)(1) == 6
    assert treedef == tu.tree_structure(tu.Partial(affine, 0, b=0))
    assert treedef != tu.tree_structure(tu.Partial(lambda x, w, b: 0, 2, b=1))
    assert tu.tree_leaves(tu.Partial(affine)) == []
    assert tu.tree_leaves(tu.Partial(affine, torch.ones(2)))[0].shape == (2,)


# ----------------------------------------------------------------------------- jax.tree

def test_jax_tree_module_delegates():
    tree = {"a": [1, 2], "b": (3,)}
    leaves, treedef = jtree.flatten(tree)
    assert leaves == jtree.leaves(tree) == [1, 2, 3]
    assert jtree.structure(tree) == treedef
    assert jtree.unflatten(treedef, leaves) == tree
    assert jtree.reduce(lambda a, b: a * b, tree) == 6
    assert jtree.reduce(lambda a, b: a * b, tree, 2) == 12
    assert jtree.all(tree)
    assert [tu.keystr(p) for p, _ in jtree.leaves_with_path(tree)] == \
        ["['a'][0]", "['a'][1]", "['b'][0]"]
    path_leaves, path_treedef = jtree.flatten_with_path(tree)
    assert path_treedef == treedef and [x for _, x in path_leaves] == leaves
    assert jtree.broadcast((0,), ([1, 2],)) == ([0, 0],)
    assert jtree.leaves([None, 1], is_leaf=lambda x: x is None) == [None, 1]


def test_unhashable_aux_data_still_hashes_and_compares():
    class Bag:
        def __init__(self, items, tags):
            self.items, self.tags = items, tags

    tu.register_pytree_node(Bag, lambda b: (b.items, list(b.tags)),
                            lambda tags, items: Bag(list(items), tags))
    a = tu.tree_structure(Bag([1, 2], ["x"]))
    b = tu.tree_structure(Bag([3, 4], ["x"]))
    assert a == b and hash(a) == hash(b)
    assert a != tu.tree_structure(Bag([1, 2], ["y"]))
