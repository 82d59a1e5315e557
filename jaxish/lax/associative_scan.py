"""lax.associative_scan: JAX's parallel (odd-even, Blelloch) prefix scan with a user's associative
`fn`, composed from strided slices, concatenation and interleaving, so grad, vmap and jit come from
those primitives' own rules."""
from ..array import Array
from ..tree_util import tree_flatten, tree_unflatten
from ._api import concatenate, reshape, rev, slice_in_dim


def _interleave(a, b, axis):
    """[a0, b0, a1, b1, ...] along `axis`; `a` is as long as `b` or one longer."""
    n = b.shape[axis]
    tail = None
    if a.shape[axis] == n + 1:
        tail = slice_in_dim(a, n, n + 1, axis=axis)
        a = slice_in_dim(a, 0, n, axis=axis)
    shape = a.shape
    ex = shape[:axis + 1] + (1,) + shape[axis + 1:]
    both = concatenate([reshape(a, ex), reshape(b, ex)], axis + 1)
    out = reshape(both, shape[:axis] + (2 * n,) + shape[axis + 1:])
    return out if tail is None else concatenate([out, tail], axis)


def _as_array(x):
    if isinstance(x, Array):
        return x
    from .. import numpy as jnp
    return jnp.asarray(x)


def associative_scan(fn, elems, reverse=False, axis=0):
    """Inclusive scan of `elems` (a pytree of arrays sharing the `axis` length) with the
    associative binary `fn`: out[k] = fn(...fn(fn(e[0], e[1]), e[2])..., e[k]) (from the end
    when `reverse`), in O(log n) sequential steps of elementwise `fn` calls."""
    if not callable(fn):
        raise TypeError("lax.associative_scan: fn argument should be callable.")
    elems_flat, tree = tree_flatten(elems)
    if not elems_flat:
        raise ValueError("lax.associative_scan: elems must contain at least one array, got "
                         f"{elems!r}")
    elems_flat = [_as_array(e) for e in elems_flat]
    ndim = elems_flat[0].ndim
    if not -ndim <= axis < ndim:
        raise ValueError(f"lax.associative_scan: axis {axis} is out of bounds for the first "
                         f"array in elems, of shape {elems_flat[0].shape} and dtype "
                         f"{elems_flat[0].dtype}")
    axis = axis % ndim
    for e in elems_flat:
        if e.ndim <= axis:
            raise ValueError(f"lax.associative_scan: every array in elems needs axis {axis}, but "
                             f"one has shape {e.shape} and dtype {e.dtype}")
    num_elems = elems_flat[0].shape[axis]
    if any(e.shape[axis] != num_elems for e in elems_flat[1:]):
        raise ValueError("Array inputs to associative_scan must have the same first dimension. "
                         f"(saw: {[e.shape for e in elems_flat]})")

    if reverse:
        elems_flat = [rev(e, (axis,)) for e in elems_flat]

    def combine(a_flat, b_flat):
        c = fn(tree_unflatten(tree, a_flat), tree_unflatten(tree, b_flat))
        c_flat, c_tree = tree_flatten(c)
        if c_tree != tree:
            raise ValueError("lax.associative_scan: fn must return the same tree structure as "
                            f"elems ({tree}), got {c_tree}")
        c_flat = [_as_array(x) for x in c_flat]
        for x, a in zip(c_flat, a_flat):
            if x.shape != a.shape:
                raise ValueError("lax.associative_scan: fn must act elementwise along the scanned "
                                 f"axis and keep shapes: inputs of shape {a.shape} gave a result "
                                 f"of shape {x.shape} and dtype {x.dtype}")
        return c_flat

    def scan(elems):
        n = elems[0].shape[axis]
        if n < 2:
            return elems
        reduced = combine([slice_in_dim(e, 0, n - 1, 2, axis) for e in elems],
                          [slice_in_dim(e, 1, n, 2, axis) for e in elems])
        odd = scan(reduced)
        if n == 2:  # nothing left to combine (JAX calls fn on empty slices here; same result)
            return [concatenate([slice_in_dim(e, 0, 1, axis=axis), o], axis) for e, o in zip(elems, odd)]
        if n % 2 == 0:
            even = combine([slice_in_dim(o, 0, o.shape[axis] - 1, axis=axis) for o in odd],
                           [slice_in_dim(e, 2, n, 2, axis) for e in elems])
        else:
            even = combine(odd, [slice_in_dim(e, 2, n, 2, axis) for e in elems])
        even = [concatenate([slice_in_dim(e, 0, 1, axis=axis), r], axis)
                for e, r in zip(elems, even)]
        return [_interleave(e, o, axis) for e, o in zip(even, odd)]

    scans = scan(elems_flat)
    if reverse:
        scans = [rev(s, (axis,)) for s in scans]
    return tree_unflatten(tree, scans)


__all__ = ["associative_scan"]
