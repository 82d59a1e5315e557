"""Pytrees: nested containers of leaves, flattened and rebuilt as jax.tree_util does.

Node types are tuple, list, dict (sorted keys), None (an empty subtree), namedtuples,
OrderedDict, defaultdict and whatever is registered; everything else is a leaf.
A PyTreeDef stores its nodes in post-order as a tuple of (registration, aux, arity)
entries, so equality and hashing are single C-level tuple operations.
"""
from __future__ import annotations

import collections
import dataclasses
import functools
from typing import Any, Callable, Hashable, Iterable

__all__ = [
    "PyTreeDef", "Partial", "DictKey", "SequenceKey", "GetAttrKey", "FlattenedIndexKey",
    "tree_flatten", "tree_unflatten", "tree_leaves", "tree_structure", "tree_map",
    "tree_all", "tree_reduce", "tree_transpose", "tree_broadcast", "broadcast_prefix",
    "tree_flatten_with_path", "tree_leaves_with_path", "tree_map_with_path", "keystr",
    "treedef_is_leaf", "treedef_is_strict_leaf", "treedef_children", "treedef_tuple",
    "all_leaves", "is_leaf", "register_pytree_node", "register_pytree_node_class",
    "register_pytree_with_keys", "register_pytree_with_keys_class", "register_dataclass",
    "register_static", "KeyPath", "KeyEntry", "flatten_one_level", "flatten_one_level_with_keys",
    "is_tree_node", "tree_reduce_associative",
]


# ----------------------------------------------------------------------------- keys

@dataclasses.dataclass(frozen=True)
class DictKey:
    """Path entry for a mapping child: prints as ``['name']``."""
    key: Hashable

    def __str__(self):
        return f"[{self.key!r}]"


@dataclasses.dataclass(frozen=True)
class SequenceKey:
    """Path entry for a tuple or list child: prints as ``[0]``."""
    idx: int

    def __str__(self):
        return f"[{self.idx}]"


@dataclasses.dataclass(frozen=True)
class GetAttrKey:
    """Path entry for an attribute child (namedtuple field, dataclass field): ``.name``."""
    name: str

    def __str__(self):
        return f".{self.name}"


@dataclasses.dataclass(frozen=True)
class FlattenedIndexKey:
    """Path entry for a child of a custom node registered without keys."""
    key: int

    def __str__(self):
        return f"[<flat index {self.key}>]"


def keystr(keys, *, simple: bool = False, separator: str = "") -> str:
    """Render a key path: ``[0]['a'].x`` by default; ``simple=True`` drops the brackets."""
    if not simple:
        return separator.join(str(k) for k in keys)
    return separator.join(str(_simple_key(k)) for k in keys)


def _simple_key(k):
    if isinstance(k, DictKey):
        return k.key
    if isinstance(k, SequenceKey):
        return k.idx
    if isinstance(k, GetAttrKey):
        return k.name
    if isinstance(k, FlattenedIndexKey):
        return k.key
    return k


# ----------------------------------------------------------------------------- registry

class _Registration:
    """How one node type flattens one level and rebuilds from its children."""
    __slots__ = ("type", "kind", "flatten", "unflatten", "flatten_with_keys", "auto")

    def __init__(self, nodetype, kind, flatten, unflatten, flatten_with_keys, auto=False):
        self.type = nodetype
        self.kind = kind  # 'tuple' | 'list' | 'dict' | 'none' | 'namedtuple' | 'custom'
        self.flatten = flatten  # x -> (children, aux)
        self.unflatten = unflatten  # (aux, children) -> x
        self.flatten_with_keys = flatten_with_keys  # x -> ([(key, child)], aux)
        self.auto = auto  # namedtuple found by detection, not by registration

    def __repr__(self):
        return f"<pytree node {self.type.__qualname__}>"


_registry: dict[type, _Registration] = {}


def _sorted_keys(d) -> list:
    try:
        return sorted(d)
    except TypeError as e:
        raise ValueError(
            "Comparator raised exception while sorting pytree dictionary keys: "
            f"{list(d)!r}") from e


def _dict_flatten(d):
    keys = tuple(_sorted_keys(d))
    return [d[k] for k in keys], keys


def _dict_flatten_with_keys(d):
    keys = tuple(_sorted_keys(d))
    return [(DictKey(k), d[k]) for k in keys], keys


def _ordereddict_flatten(d):
    return list(d.values()), tuple(d.keys())


def _ordereddict_flatten_with_keys(d):
    return [(DictKey(k), v) for k, v in d.items()], tuple(d.keys())


def _defaultdict_flatten(d):
    keys = tuple(_sorted_keys(d))
    return [d[k] for k in keys], (d.default_factory, keys)


def _defaultdict_flatten_with_keys(d):
    keys = tuple(_sorted_keys(d))
    return [(DictKey(k), d[k]) for k in keys], (d.default_factory, keys)


def _sequence_flatten_with_keys(x):
    return [(SequenceKey(i), c) for i, c in enumerate(x)], None


_TUPLE = _Registration(tuple, "tuple", lambda x: (x, None),
                       lambda aux, ch: tuple(ch), _sequence_flatten_with_keys)
_LIST = _Registration(list, "list", lambda x: (x, None),
                      lambda aux, ch: list(ch), _sequence_flatten_with_keys)
_DICT = _Registration(dict, "dict", _dict_flatten,
                      lambda keys, ch: dict(zip(keys, ch)), _dict_flatten_with_keys)
_NONE = _Registration(type(None), "none", lambda x: ((), None),
                      lambda aux, ch: None, lambda x: ((), None))
_registry[tuple] = _TUPLE
_registry[list] = _LIST
_registry[dict] = _DICT
_registry[type(None)] = _NONE
_registry[collections.OrderedDict] = _Registration(
    collections.OrderedDict, "custom", _ordereddict_flatten,
    lambda keys, ch: collections.OrderedDict(zip(keys, ch)), _ordereddict_flatten_with_keys)
_registry[collections.defaultdict] = _Registration(
    collections.defaultdict, "custom", _defaultdict_flatten,
    lambda aux, ch: collections.defaultdict(aux[0], zip(aux[1], ch)),
    _defaultdict_flatten_with_keys)

_LEAF_NODE = (None, None, 0)
_NONE_NODE = (_NONE, None, 0)


def _namedtuple_registration(t: type) -> _Registration:
    fields = t._fields
    reg = _Registration(
        t, "namedtuple", lambda x: (x, None), lambda aux, ch: t(*ch),
        lambda x: ([(GetAttrKey(f), c) for f, c in zip(fields, x)], None), auto=True)
    _registry[t] = reg
    return reg


def _registration_of(x) -> _Registration | None:
    """The node registration for ``x``, or None when ``x`` is a leaf."""
    t = type(x)
    reg = _registry.get(t)
    if reg is None and issubclass(t, tuple) and hasattr(t, "_fields"):
        reg = _namedtuple_registration(t)
    return reg


def is_leaf(x) -> bool:
    """True when ``x`` is a pytree leaf: not None and not a registered or namedtuple node."""
    return _registration_of(x) is None


def _register(nodetype, kind, flatten, unflatten, flatten_with_keys):
    old = _registry.get(nodetype)
    if old is not None and not old.auto:
        raise ValueError(f"Duplicate custom PyTreeDef type registration for {nodetype}.")
    _registry[nodetype] = _Registration(nodetype, kind, flatten, unflatten, flatten_with_keys)


def _flatten_with_index_keys(flatten):
    def flatten_with_keys(x):
        children, aux = flatten(x)
        return [(FlattenedIndexKey(i), c) for i, c in enumerate(children)], aux
    return flatten_with_keys


def register_pytree_node(nodetype: type, flatten_func: Callable, unflatten_func: Callable,
                         flatten_with_keys_func: Callable | None = None) -> None:
    """Make ``nodetype`` a pytree node.

    ``flatten_func(x) -> (children, aux_data)``; ``unflatten_func(aux_data, children) -> x``.
    ``aux_data`` is static: it is compared (and hashed, by jit) as part of the treedef.
    """
    if flatten_with_keys_func is None:
        flatten_with_keys_func = _flatten_with_index_keys(flatten_func)
    _register(nodetype, "custom", flatten_func, unflatten_func, flatten_with_keys_func)


def register_pytree_with_keys(nodetype: type, flatten_with_keys: Callable,
                              unflatten_func: Callable,
                              flatten_func: Callable | None = None) -> None:
    """Register a node whose flatten names each child: ``x -> ([(key, child)], aux)``."""
    if flatten_func is None:
        def flatten_func(x):
            keyed, aux = flatten_with_keys(x)
            return [c for _, c in keyed], aux
    _register(nodetype, "custom", flatten_func, unflatten_func, flatten_with_keys)


def register_pytree_node_class(cls: type) -> type:
    """Class decorator: ``x.tree_flatten()`` and ``cls.tree_unflatten(aux, children)``."""
    register_pytree_node(cls, lambda x: x.tree_flatten(), cls.tree_unflatten)
    return cls


def register_pytree_with_keys_class(cls: type) -> type:
    """Class decorator: ``x.tree_flatten_with_keys()`` and ``cls.tree_unflatten``."""
    flatten = getattr(cls, "tree_flatten", None)
    register_pytree_with_keys(cls, lambda x: x.tree_flatten_with_keys(), cls.tree_unflatten,
                              (lambda x: x.tree_flatten()) if flatten is not None else None)
    return cls


def register_dataclass(nodetype: type | None = None, data_fields=None, meta_fields=None,
                       drop_fields=()):
    """Register a dataclass: ``data_fields`` are children, ``meta_fields`` are static.

    With no field lists, fields whose metadata has ``static=True`` are meta, others data.
    Usable as a bare decorator.
    """
    if nodetype is None:
        return functools.partial(register_dataclass, data_fields=data_fields,
                                 meta_fields=meta_fields, drop_fields=drop_fields)
    if data_fields is None and meta_fields is None:
        if not dataclasses.is_dataclass(nodetype):
            raise TypeError(f"register_dataclass: {nodetype} is not a dataclass; "
                            "pass data_fields and meta_fields explicitly.")
        fields = [f for f in dataclasses.fields(nodetype) if f.init and f.name not in drop_fields]
        meta_fields = [f.name for f in fields if f.metadata.get("static", False)]
        data_fields = [f.name for f in fields if not f.metadata.get("static", False)]
    elif data_fields is None or meta_fields is None:
        raise TypeError("register_dataclass: pass both data_fields and meta_fields, or neither.")
    data_fields, meta_fields = tuple(data_fields), tuple(meta_fields)

    def flatten(x):
        return [getattr(x, f) for f in data_fields], tuple(getattr(x, f) for f in meta_fields)

    def flatten_with_keys(x):
        keyed = [(GetAttrKey(f), getattr(x, f)) for f in data_fields]
        return keyed, tuple(getattr(x, f) for f in meta_fields)

    def unflatten(meta, children):
        kwargs = dict(zip(meta_fields, meta))
        kwargs.update(zip(data_fields, children))
        return nodetype(**kwargs)

    _register(nodetype, "custom", flatten, unflatten, flatten_with_keys)
    return nodetype


def register_static(cls: type) -> type:
    """Make instances of ``cls`` static: no leaves, the whole value is treedef aux data."""
    register_pytree_node(cls, lambda x: ((), x), lambda aux, _: aux)
    return cls


# ----------------------------------------------------------------------------- flatten

class _Mismatch(Exception):
    """Internal: flatten_up_to found a structure difference (message built later)."""


def _flatten_into(x, is_leaf, leaves: list, nodes: list) -> None:
    if is_leaf is not None and is_leaf(x):
        leaves.append(x)
        nodes.append(_LEAF_NODE)
        return
    t = type(x)
    reg = _registry.get(t)
    if reg is None:
        if issubclass(t, tuple) and hasattr(t, "_fields"):
            reg = _namedtuple_registration(t)
        else:
            leaves.append(x)
            nodes.append(_LEAF_NODE)
            return
    if reg is _TUPLE or reg is _LIST:
        children, aux = x, None
    elif reg is _DICT:
        aux = tuple(_sorted_keys(x))
        children = [x[k] for k in aux]
    elif reg is _NONE:
        nodes.append(_NONE_NODE)
        return
    else:
        children, aux = reg.flatten(x)
        if type(children) is not tuple and type(children) is not list:
            children = tuple(children)
    registry = _registry
    for c in children:
        ct = type(c)
        if is_leaf is None and ct not in registry and not issubclass(ct, tuple):
            leaves.append(c)
            nodes.append(_LEAF_NODE)
        else:
            _flatten_into(c, is_leaf, leaves, nodes)
    nodes.append((reg, aux, len(children)))


def tree_flatten(tree, is_leaf: Callable[[Any], bool] | None = None):
    """Flatten ``tree`` into ``(leaves, treedef)``; leaves in left-to-right order."""
    leaves: list = []
    nodes: list = []
    _flatten_into(tree, is_leaf, leaves, nodes)
    return leaves, PyTreeDef(tuple(nodes), len(leaves))


def tree_leaves(tree, is_leaf: Callable[[Any], bool] | None = None) -> list:
    """The leaves of ``tree``, left to right (None subtrees contribute nothing)."""
    leaves: list = []
    _flatten_into(tree, is_leaf, leaves, [])
    return leaves


def tree_structure(tree, is_leaf: Callable[[Any], bool] | None = None) -> PyTreeDef:
    """The treedef of ``tree``."""
    return tree_flatten(tree, is_leaf)[1]


def tree_unflatten(treedef: PyTreeDef, leaves: Iterable):
    """Rebuild a tree of ``treedef``'s shape from ``leaves``."""
    return treedef.unflatten(leaves)


# ----------------------------------------------------------------------------- treedef

class PyTreeDef:
    """The shape of a pytree: node types and static aux data, without the leaves."""
    __slots__ = ("_nodes", "num_leaves", "_hash")

    def __init__(self, nodes: tuple, num_leaves: int):
        self._nodes = nodes
        self.num_leaves = num_leaves
        try:
            self._hash = hash(nodes)
        except TypeError:  # unhashable aux data: hash the shape alone; __eq__ stays exact
            self._hash = hash(tuple((reg, n) for reg, _, n in nodes))

    @property
    def num_nodes(self) -> int:
        return len(self._nodes)

    def __hash__(self):
        return self._hash

    def __eq__(self, other):
        if self is other:
            return True
        if type(other) is not PyTreeDef:
            return NotImplemented
        return self._hash == other._hash and self._nodes == other._nodes

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __reduce__(self):
        nodes = tuple((None if reg is None else reg.type, aux, n) for reg, aux, n in self._nodes)
        return _treedef_from_types, (nodes, self.num_leaves)

    # --- rebuilding ---------------------------------------------------------------

    def unflatten(self, leaves: Iterable):
        """Rebuild a tree of this shape from ``leaves`` (any iterable)."""
        if type(leaves) is not list and type(leaves) is not tuple:
            leaves = list(leaves)
        n = len(leaves)
        if n != self.num_leaves:
            few_or_many = "few" if n < self.num_leaves else "many"
            raise ValueError(f"Too {few_or_many} leaves for {self}; "
                             f"expected {self.num_leaves}, got {n}.")
        nodes = self._nodes
        root_reg, root_aux, arity = nodes[-1]
        if arity == n and len(nodes) == n + 1:  # one node over leaves: the common case
            if root_reg is _TUPLE:
                return tuple(leaves)
            if root_reg is _LIST:
                return list(leaves)
            if root_reg is _DICT:
                return dict(zip(root_aux, leaves))
        if root_reg is None:
            return leaves[0]
        stack: list = []
        i = 0
        for reg, aux, arity in nodes:
            if reg is None:
                stack.append(leaves[i])
                i += 1
            elif arity == 0:
                stack.append(reg.unflatten(aux, ()))
            else:
                children = stack[-arity:]
                del stack[-arity:]
                if reg is _TUPLE:
                    stack.append(tuple(children))
                elif reg is _LIST:
                    stack.append(children)
                elif reg is _DICT:
                    stack.append(dict(zip(aux, children)))
                else:
                    stack.append(reg.unflatten(aux, tuple(children)))
        return stack[0]

    def flatten_up_to(self, tree) -> list:
        """Split ``tree`` at this treedef's leaves: one subtree of ``tree`` per leaf.

        ``tree`` must have this treedef as a prefix; otherwise ValueError says where not.
        """
        try:
            return self._flatten_up_to(tree)
        except _Mismatch:
            pass
        raise ValueError(_describe_mismatch(self, tree))

    def _flatten_up_to(self, tree) -> list:
        # Walk the post-order backwards (root first, last child first) with a stack of
        # pending subtrees; pushing children in order makes the last one pop first.
        out: list = []
        pending = [tree]
        for reg, aux, arity in reversed(self._nodes):
            x = pending.pop()
            if reg is None:
                out.append(x)
                continue
            if _registration_of(x) is not reg:
                raise _Mismatch
            if reg is _NONE:
                continue
            children, x_aux = reg.flatten(x)
            if len(children) != arity or x_aux != aux:
                raise _Mismatch
            pending.extend(children)
        out.reverse()
        return out

    def compose(self, inner: PyTreeDef) -> PyTreeDef:
        """The treedef with ``inner`` put in place of each of this treedef's leaves."""
        nodes: list = []
        for node in self._nodes:
            if node[0] is None:
                nodes.extend(inner._nodes)
            else:
                nodes.append(node)
        return PyTreeDef(tuple(nodes), self.num_leaves * inner.num_leaves)

    # --- inspection ---------------------------------------------------------------

    def _child_spans(self) -> list[tuple[int, int, int]]:
        """(start, stop, num_leaves) of each root child within the post-order nodes."""
        spans: list = []
        for i, (reg, _, arity) in enumerate(self._nodes[:-1]):
            if arity == 0:
                spans.append((i, i + 1, 1 if reg is None else 0))
            else:
                kids = spans[-arity:]
                del spans[-arity:]
                spans.append((kids[0][0], i + 1, sum(k[2] for k in kids)))
        return spans

    def children(self) -> list[PyTreeDef]:
        """The treedefs of the root node's children."""
        if self._nodes[-1][2] == 0:
            return []
        return [PyTreeDef(self._nodes[a:b], n) for a, b, n in self._child_spans()]

    def node_data(self):
        """``(node type, aux data)`` of the root, or None for a leaf."""
        reg, aux, _ = self._nodes[-1]
        return None if reg is None else (reg.type, aux)

    def __repr__(self):
        return f"PyTreeDef({self._render()})"

    def _render(self) -> str:
        stack: list[str] = []
        for reg, aux, arity in self._nodes:
            if arity:
                kids = stack[-arity:]
                del stack[-arity:]
            else:
                kids = []
            stack.append(_render_node(reg, aux, kids))
        return stack[0]


def _render_node(reg, aux, kids: list[str]) -> str:
    if reg is None:
        return "*"
    kind = reg.kind
    if kind == "none":
        return "None"
    if kind == "tuple":
        return "(" + ", ".join(kids) + ("," if len(kids) == 1 else "") + ")"
    if kind == "list":
        return "[" + ", ".join(kids) + "]"
    if kind == "dict":
        return "{" + ", ".join(f"{k!r}: {c}" for k, c in zip(aux, kids)) + "}"
    if kind == "namedtuple":
        return f"CustomNode(namedtuple[{reg.type.__name__}], [{', '.join(kids)}])"
    return f"CustomNode({reg.type.__name__}[{aux!r}], [{', '.join(kids)}])"


def _describe_mismatch(treedef: PyTreeDef, tree) -> str:
    """Why ``tree`` does not have ``treedef`` as a prefix, naming the first place it differs."""
    reason = _first_mismatch(treedef, tree, ()) or ""
    return (f"Tree structures did not match: expected a tree with structure {treedef} "
            f"(or with it as a prefix), got {tree_structure(tree)}.\n{reason}")


def _first_mismatch(treedef: PyTreeDef, x, path: tuple) -> str | None:
    reg, aux, arity = treedef._nodes[-1]
    if reg is None:
        return None
    where = f" at key path {keystr(path)!r}" if path else " at the root"
    x_reg = _registration_of(x)
    if x_reg is not reg:
        if reg is _NONE:
            return f"Expected None, got {x!r}{where}."
        if reg.kind in ("tuple", "list", "dict"):
            return f"Expected {reg.type.__name__}, got {x!r}{where}."
        if reg.kind == "namedtuple":
            return (f"Named tuple type mismatch: expected type {reg.type!r}, "
                    f"got {x!r}{where}.")
        return f"Custom node type mismatch; expected type: {reg.type!r}; value: {x!r}{where}."
    keyed, x_aux = reg.flatten_with_keys(x)
    if reg.kind in ("tuple", "list", "namedtuple") and len(keyed) != arity:
        return (f"{reg.type.__name__.capitalize()} arity mismatch: {len(keyed)} != {arity}; "
                f"{reg.type.__name__}: {x!r}{where}.")
    if reg.kind == "dict" and x_aux != aux:
        return (f"Dict key mismatch; expected keys: {list(aux)!r}; "
                f"dict: {x!r}{where}.")
    if x_aux != aux or len(keyed) != arity:
        return (f"Mismatch custom node data: {x_aux!r} != {aux!r}; "
                f"value: {x!r}{where}.")
    for child_def, (key, child) in zip(treedef.children(), keyed):
        reason = _first_mismatch(child_def, child, path + (key,))
        if reason is not None:
            return reason
    return None


def _treedef_from_types(nodes: tuple, num_leaves: int) -> PyTreeDef:
    """Unpickle a PyTreeDef: look each node type up in this process's registry."""
    def registration(t):
        if t is None:
            return None
        reg = _registry.get(t)
        if reg is None and issubclass(t, tuple) and hasattr(t, "_fields"):
            reg = _namedtuple_registration(t)
        if reg is None:
            raise ValueError(f"Cannot unpickle PyTreeDef: {t} is not a registered pytree node.")
        return reg
    return PyTreeDef(tuple((registration(t), aux, n) for t, aux, n in nodes), num_leaves)


def treedef_is_leaf(treedef: PyTreeDef) -> bool:
    """True for a treedef of one node: a leaf, or None (as in JAX)."""
    return treedef.num_nodes == 1


def treedef_is_strict_leaf(treedef: PyTreeDef) -> bool:
    """True only for the treedef of a single leaf."""
    return treedef.num_nodes == 1 and treedef.num_leaves == 1


def treedef_children(treedef: PyTreeDef) -> list[PyTreeDef]:
    return treedef.children()


def treedef_tuple(treedefs: Iterable[PyTreeDef]) -> PyTreeDef:
    """The treedef of a tuple whose children have ``treedefs``."""
    treedefs = list(treedefs)
    nodes: list = []
    for td in treedefs:
        nodes.extend(td._nodes)
    nodes.append((_TUPLE, None, len(treedefs)))
    return PyTreeDef(tuple(nodes), sum(td.num_leaves for td in treedefs))


def all_leaves(iterable: Iterable, is_leaf: Callable[[Any], bool] | None = None) -> bool:
    """True when every element of ``iterable`` is a leaf."""
    if is_leaf is None:
        return all(_registration_of(x) is None for x in iterable)
    items = list(iterable)
    return items == tree_leaves(items, is_leaf)


# ----------------------------------------------------------------------------- mapping

def tree_map(f: Callable, tree, *rest, is_leaf: Callable[[Any], bool] | None = None):
    """Apply ``f`` to corresponding leaves of ``tree`` and ``rest``, in ``tree``'s shape.

    Each tree in ``rest`` must have ``tree``'s structure or have it as a prefix
    (then ``f`` gets the whole subtree at each of ``tree``'s leaves).
    """
    leaves, treedef = tree_flatten(tree, is_leaf)
    if not rest:
        return treedef.unflatten([f(x) for x in leaves])
    all_leaves_ = [leaves] + [treedef.flatten_up_to(r) for r in rest]
    return treedef.unflatten([f(*xs) for xs in zip(*all_leaves_)])


def tree_all(tree, *, is_leaf: Callable[[Any], bool] | None = None) -> bool:
    """True when every leaf of ``tree`` is truthy."""
    return all(tree_leaves(tree, is_leaf))


class _NoInitializer:
    def __repr__(self):
        return "<no initializer>"


_NO_INITIALIZER = _NoInitializer()


def tree_reduce(function: Callable, tree, initializer: Any = _NO_INITIALIZER,
                is_leaf: Callable[[Any], bool] | None = None):
    """``functools.reduce`` over the leaves of ``tree``."""
    if initializer is _NO_INITIALIZER:
        return functools.reduce(function, tree_leaves(tree, is_leaf))
    return functools.reduce(function, tree_leaves(tree, is_leaf), initializer)


def tree_transpose(outer_treedef: PyTreeDef, inner_treedef: PyTreeDef | None, pytree_to_transpose):
    """Turn an outer tree of inner trees into an inner tree of outer trees.

    ``inner_treedef=None`` infers it from the first of the outer tree's subtrees.
    """
    if inner_treedef is None:
        inner_treedef = tree_structure(outer_treedef.flatten_up_to(pytree_to_transpose)[0])
    flat, treedef = tree_flatten(pytree_to_transpose)
    inner_size = inner_treedef.num_leaves
    outer_size = outer_treedef.num_leaves
    if treedef.num_leaves != inner_size * outer_size:
        expected = outer_treedef.compose(inner_treedef)
        raise TypeError(f"Mismatch\n{treedef}\n != \n{expected}")
    rows = [flat[i * inner_size:(i + 1) * inner_size] for i in range(outer_size)]
    columns = [outer_treedef.unflatten(col) for col in zip(*rows)] if outer_size else \
        [outer_treedef.unflatten([]) for _ in range(inner_size)]
    return inner_treedef.unflatten(columns)


def broadcast_prefix(prefix_tree, full_tree, is_leaf: Callable[[Any], bool] | None = None) -> list:
    """One leaf of ``prefix_tree`` per leaf of ``full_tree``: each prefix leaf repeated
    over the subtree of ``full_tree`` it covers (how ``vmap`` reads ``in_axes``)."""
    prefix_leaves, prefix_def = tree_flatten(prefix_tree, is_leaf)
    subtrees = prefix_def.flatten_up_to(full_tree)
    out: list = []
    for leaf, sub in zip(prefix_leaves, subtrees):
        out.extend([leaf] * len(tree_leaves(sub)))
    return out


def tree_broadcast(prefix_tree, full_tree, is_leaf: Callable[[Any], bool] | None = None):
    """``prefix_tree`` expanded to ``full_tree``'s structure by repeating its leaves."""
    return tree_structure(full_tree).unflatten(broadcast_prefix(prefix_tree, full_tree, is_leaf))


# ----------------------------------------------------------------------------- paths

def _flatten_with_path_into(x, path: tuple, is_leaf, out: list, nodes: list) -> None:
    if is_leaf is not None and is_leaf(x):
        out.append((path, x))
        nodes.append(_LEAF_NODE)
        return
    reg = _registration_of(x)
    if reg is None:
        out.append((path, x))
        nodes.append(_LEAF_NODE)
        return
    keyed, aux = reg.flatten_with_keys(x)
    for key, child in keyed:
        _flatten_with_path_into(child, path + (key,), is_leaf, out, nodes)
    nodes.append((reg, aux, len(keyed)))


def tree_flatten_with_path(tree, is_leaf: Callable[[Any], bool] | None = None):
    """Like tree_flatten, but each leaf comes as ``(key_path, leaf)``."""
    out: list = []
    nodes: list = []
    _flatten_with_path_into(tree, (), is_leaf, out, nodes)
    return out, PyTreeDef(tuple(nodes), len(out))


def tree_leaves_with_path(tree, is_leaf: Callable[[Any], bool] | None = None) -> list:
    """``[(key_path, leaf), ...]`` of ``tree``."""
    return tree_flatten_with_path(tree, is_leaf)[0]


def tree_map_with_path(f: Callable, tree, *rest, is_leaf: Callable[[Any], bool] | None = None):
    """Like tree_map, but ``f(key_path, leaf, *other_leaves)``."""
    keyed, treedef = tree_flatten_with_path(tree, is_leaf)
    paths = [p for p, _ in keyed]
    columns = [[x for _, x in keyed]] + [treedef.flatten_up_to(r) for r in rest]
    return treedef.unflatten([f(p, *xs) for p, *xs in zip(paths, *columns)])


# ----------------------------------------------------------------------------- Partial

class Partial(functools.partial):
    """A functools.partial that is a pytree: its args and kwargs are children, the
    function is static aux data. Lets a partially applied function cross ``jit``."""


register_pytree_node(
    Partial,
    lambda p: ((p.args, p.keywords), p.func),
    lambda func, children: Partial(func, *children[0], **children[1]),
)


# ---- one level at a time ----------------------------------------------------------------------
KeyEntry = Any                      # one step of a key path (DictKey, SequenceKey, GetAttrKey, ...)
KeyPath = tuple                     # a tuple of KeyEntry


def is_tree_node(typ: type) -> bool:
    """Whether values of type `typ` are pytree nodes (registered, built in, or a namedtuple)."""
    if not isinstance(typ, type):
        raise TypeError(f"is_tree_node expects a type, got {typ!r}")
    return typ in _registry or (issubclass(typ, tuple) and hasattr(typ, "_fields"))


def _one_level(tree, with_keys):
    reg = _registration_of(tree)
    if reg is None:
        raise ValueError(f"can't tree-flatten type: {type(tree)}")
    if with_keys:
        pairs, aux = reg.flatten_with_keys(tree)
        return tuple((k, c) for k, c in pairs), aux
    children, aux = reg.flatten(tree)
    return tuple(children), aux


def flatten_one_level(tree):
    """(children, aux data) of a pytree node, one level down; a leaf raises ValueError."""
    return _one_level(tree, False)


def flatten_one_level_with_keys(tree):
    """((key, child), ...) and the aux data of a pytree node, one level down."""
    return _one_level(tree, True)


def tree_reduce_associative(operation: Callable, tree, *, identity=_NO_INITIALIZER,
                            is_leaf: Callable[[Any], bool] | None = None):
    """Reduce the leaves with an associative `operation` as a balanced tree (the first half
    against the second, recursively); an empty tree needs `identity`."""
    leaves = tree_leaves(tree, is_leaf)
    if not leaves:
        if identity is _NO_INITIALIZER:
            raise TypeError("Must specify identity for parallel reduction of empty sequence.")
        return identity

    def go(xs):
        if len(xs) == 1:
            return xs[0]
        half = len(xs) // 2
        return operation(go(xs[:half]), go(xs[half:]))
    return go(leaves)
