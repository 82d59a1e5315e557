"""The ``jax.tree`` namespace: short names for the tree_util functions."""
from __future__ import annotations

from typing import Any, Callable, Iterable

from jaxish import tree_util
from jaxish.tree_util import PyTreeDef

__all__ = ["all", "broadcast", "flatten", "flatten_with_path", "leaves", "leaves_with_path",
           "map", "map_with_path", "reduce", "structure", "transpose", "unflatten"]

_IsLeaf = Callable[[Any], bool] | None


def all(tree, *, is_leaf: _IsLeaf = None) -> bool:
    return tree_util.tree_all(tree, is_leaf=is_leaf)


def broadcast(prefix_tree, full_tree, is_leaf: _IsLeaf = None):
    return tree_util.tree_broadcast(prefix_tree, full_tree, is_leaf)


def flatten(tree, is_leaf: _IsLeaf = None):
    return tree_util.tree_flatten(tree, is_leaf)


def flatten_with_path(tree, is_leaf: _IsLeaf = None):
    return tree_util.tree_flatten_with_path(tree, is_leaf)


def leaves(tree, is_leaf: _IsLeaf = None) -> list:
    return tree_util.tree_leaves(tree, is_leaf)


def leaves_with_path(tree, is_leaf: _IsLeaf = None) -> list:
    return tree_util.tree_leaves_with_path(tree, is_leaf)


def map(f: Callable, tree, *rest, is_leaf: _IsLeaf = None):
    return tree_util.tree_map(f, tree, *rest, is_leaf=is_leaf)


def map_with_path(f: Callable, tree, *rest, is_leaf: _IsLeaf = None):
    return tree_util.tree_map_with_path(f, tree, *rest, is_leaf=is_leaf)


def reduce(function: Callable, tree, initializer: Any = tree_util._NO_INITIALIZER,
           is_leaf: _IsLeaf = None):
    return tree_util.tree_reduce(function, tree, initializer, is_leaf)


def structure(tree, is_leaf: _IsLeaf = None) -> PyTreeDef:
    return tree_util.tree_structure(tree, is_leaf)


def transpose(outer_treedef: PyTreeDef, inner_treedef: PyTreeDef | None, pytree_to_transpose):
    return tree_util.tree_transpose(outer_treedef, inner_treedef, pytree_to_transpose)


def unflatten(treedef: PyTreeDef, leaves: Iterable):
    return tree_util.tree_unflatten(treedef, leaves)
