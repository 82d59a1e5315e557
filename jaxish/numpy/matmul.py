"""matmul, dot, vdot, inner, outer, tensordot, einsum — all lowered to lax.dot_general."""
import builtins
import operator
import string

import numpy as np

from .. import dtypes
from ..interpreters import core
from .. import lax
from ._core import promote_args, _SCALARS, multiply
from .shape import broadcast_to, reshape


def _arrs(name, *xs):
    xs = promote_args(name, *xs)
    from .creation import asarray
    return [asarray(x) if type(x) in _SCALARS else x for x in xs]


def matmul(a, b, *, precision=None, preferred_element_type=None):
    a, b = _arrs("matmul", a, b)
    av, bv = core.get_aval(a), core.get_aval(b)
    if av.ndim == 0 or bv.ndim == 0:
        raise ValueError(f"matmul: Input operand {0 if av.ndim == 0 else 1} does not have enough "
                         f"dimensions (shapes {av.shape} and {bv.shape})")
    a_vec, b_vec = av.ndim == 1, bv.ndim == 1
    if a_vec:
        a = reshape(a, (1, av.shape[0]))
    if b_vec:
        b = reshape(b, (bv.shape[0], 1))
    av, bv = core.get_aval(a), core.get_aval(b)
    if av.shape[-1] != bv.shape[-2]:
        raise TypeError(f"dot_general requires contracting dimensions to have the same shape, got "
                        f"({av.shape[-1]},) and ({bv.shape[-2]},) (matmul of shapes "
                        f"{av.shape} and {bv.shape}).")
    from .shape import broadcast_shapes
    batch = broadcast_shapes(av.shape[:-2], bv.shape[:-2])
    nb = len(batch)
    if av.ndim == 2 and bv.ndim > 2:
        out = lax.dot_general(a, b, (((1,), (bv.ndim - 2,)), ((), ())), precision, preferred_element_type)
        # out: (m, batch..., n) -> (batch..., m, n)
        perm = list(range(1, nb + 1)) + [0, nb + 1]
        out = lax.transpose(out, perm)
    elif bv.ndim == 2:
        out = lax.dot_general(a, b, (((av.ndim - 1,), (0,)), ((), ())), precision, preferred_element_type)
    else:
        a = broadcast_to(a, batch + av.shape[-2:])
        b = broadcast_to(b, batch + bv.shape[-2:])
        out = lax.dot_general(a, b, (((nb + 1,), (nb,)), (tuple(range(nb)), tuple(range(nb)))),
                              precision, preferred_element_type)
    oshape = core.get_aval(out).shape
    if a_vec and b_vec:
        return reshape(out, oshape[:-2])
    if a_vec:
        return reshape(out, oshape[:-2] + oshape[-1:])
    if b_vec:
        return reshape(out, oshape[:-1])
    return out


def dot(a, b, *, precision=None, preferred_element_type=None):
    a, b = _arrs("dot", a, b)
    av, bv = core.get_aval(a), core.get_aval(b)
    if av.ndim == 0 or bv.ndim == 0:
        return multiply(a, b)
    if bv.ndim == 1:
        return lax.dot_general(a, b, (((av.ndim - 1,), (0,)), ((), ())), precision, preferred_element_type)
    return lax.dot_general(a, b, (((av.ndim - 1,), (bv.ndim - 2,)), ((), ())), precision, preferred_element_type)


def vdot(a, b, *, precision=None, preferred_element_type=None):
    from ._core import conj
    from .shape import ravel
    a, b = _arrs("vdot", a, b)
    if dtypes.is_complex(core.get_aval(a).dtype):
        a = conj(a)
    return dot(ravel(a), ravel(b), precision=precision, preferred_element_type=preferred_element_type)


def vecdot(x1, x2, /, *, axis=-1, precision=None, preferred_element_type=None):
    from .reductions import sum
    from ._core import conj
    x1, x2 = _arrs("vecdot", x1, x2)
    s1, s2 = core.get_aval(x1).shape, core.get_aval(x2).shape
    if not s1 or not s2 or s1[axis] != s2[axis]:
        raise ValueError(f"axes must match; got shapes {s1} and {s2} with axis={axis}")
    if dtypes.is_complex(core.get_aval(x1).dtype):
        x1 = conj(x1)
    return sum(multiply(x1, x2), axis=axis)


def inner(a, b, *, precision=None, preferred_element_type=None):
    a, b = _arrs("inner", a, b)
    av, bv = core.get_aval(a), core.get_aval(b)
    if av.ndim == 0 or bv.ndim == 0:
        return multiply(a, b)
    return lax.dot_general(a, b, (((av.ndim - 1,), (bv.ndim - 1,)), ((), ())), precision, preferred_element_type)


def outer(a, b, out=None):
    from .shape import ravel
    a, b = _arrs("outer", a, b)
    a, b = ravel(a), ravel(b)
    return multiply(reshape(a, (-1, 1)), reshape(b, (1, -1)))


def tensordot(a, b, axes=2, *, precision=None, preferred_element_type=None):
    a, b = _arrs("tensordot", a, b)
    av, bv = core.get_aval(a), core.get_aval(b)
    if isinstance(axes, int):
        if axes > builtins.min(av.ndim, bv.ndim):
            raise TypeError(f"Number of tensordot axes (axes {axes}) exceeds input ranks ({av.shape} and {bv.shape})")
        ca = tuple(range(av.ndim - axes, av.ndim))
        cb = tuple(range(axes))
    else:
        ca, cb = axes
        ca = (ca,) if isinstance(ca, int) else tuple(ca)
        cb = (cb,) if isinstance(cb, int) else tuple(cb)
        ca = tuple(x % av.ndim for x in ca)
        cb = tuple(x % bv.ndim for x in cb)
    return lax.dot_general(a, b, ((ca, cb), ((), ())), precision, preferred_element_type)


def _parse_einsum(subscripts, nops):
    subscripts = subscripts.replace(" ", "")
    if "->" in subscripts:
        lhs, out = subscripts.split("->")
        explicit = True
    else:
        lhs, out, explicit = subscripts, None, False
    ins = lhs.split(",")
    if len(ins) != nops:
        raise ValueError(f"einsum: {len(ins)} operand specs for {nops} operands")
    return ins, out, explicit


def _interleaved_spec(first, rest):
    """(string spec, operands) from einsum(op0, sublist0, op1, sublist1, ..., [sublist_out]), the
    sublists being ints (axis labels) and Ellipsis."""
    args = [first] + list(rest)
    ops, subs = args[0::2], args[1::2]
    out = None
    if len(ops) > len(subs):      # a trailing output sublist was given
        out, ops = ops[-1], ops[:-1]
    labels = {}

    def letters(sub):
        s = ""
        for v in sub:
            if v is Ellipsis:
                s += "..."
            else:
                v = operator.index(v)
                if v not in labels:
                    if len(labels) >= len(string.ascii_letters):
                        raise ValueError("einsum: too many distinct axis labels")
                    labels[v] = string.ascii_letters[len(labels)]
                s += labels[v]
        return s
    try:
        spec = ",".join(letters(s) for s in subs)
        if out is not None:
            spec += "->" + letters(out)
    except TypeError:
        raise TypeError("einsum: subscripts must be a string, or operands interleaved with lists of "
                        "integer axis labels (and Ellipsis)") from None
    return spec, ops


def einsum(subscripts, *operands, out=None, optimize="optimal", precision=None, preferred_element_type=None,
           _dot_general=None):
    if not isinstance(subscripts, str):   # the interleaved form: op0, sublist0, op1, sublist1, ..., [out]
        subscripts, operands = _interleaved_spec(subscripts, operands)
    ops = _arrs("einsum", *operands)
    ins, outspec, explicit = _parse_einsum(subscripts, len(ops))
    # expand ellipses into fresh letters
    used = set("".join(ins) + (outspec or ""))
    free_letters = [c for c in string.ascii_letters if c not in used]
    ell_nd = 0
    new_ins = []
    for spec, op in zip(ins, ops):
        nd = core.get_aval(op).ndim
        if "..." in spec:
            k = nd - (len(spec) - 3)
            ell_nd = builtins.max(ell_nd, k)
            spec = spec.replace("...", "".join(free_letters[ell_nd - k:ell_nd]) if k else "")
        if len(spec) != nd:
            raise ValueError(f"einsum: operand with shape {core.get_aval(op).shape} does not match spec '{spec}'")
        new_ins.append(spec)
    ell = "".join(free_letters[:ell_nd])
    ins = new_ins
    if outspec is None:
        counts = {}
        for s in ins:
            for c in s:
                counts[c] = counts.get(c, 0) + 1
        outspec = ell + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))
    else:
        outspec = outspec.replace("...", ell)
    sizes = {}
    for s, op in zip(ins, ops):
        for c, d in zip(s, core.get_aval(op).shape):
            if c in sizes and sizes[c] != d and 1 not in (sizes[c], d):
                raise ValueError(f"einsum: size of label '{c}' differs between operands: {sizes[c]} vs {d}")
            sizes[c] = builtins.max(sizes.get(c, 1), d)
    # take diagonals for repeated labels within an operand
    ops = list(ops)
    for i, (s, op) in enumerate(zip(ins, ops)):
        while len(set(s)) != len(s):
            c = next(ch for ch in s if s.count(ch) > 1)
            j = s.index(c)
            k = s.index(c, j + 1)
            ops[i] = _diagonal(ops[i], j, k)
            s = s[:k] + s[k + 1:]
            s = s[:j] + s[j + 1:] + c
        ins[i] = s
    from .reductions import sum as _sum
    # sum out labels that appear in only one operand and not in the output
    def reduce_private(idx):
        s = ins[idx]
        others = set("".join(ins[:idx] + ins[idx + 1:])) | set(outspec)
        axes = tuple(j for j, c in enumerate(s) if c not in others)
        if axes:
            ops[idx] = _sum(ops[idx], axis=axes, dtype=core.get_aval(ops[idx]).dtype)   # as JAX: no promotion
            ins[idx] = "".join(c for j, c in enumerate(s) if j not in axes)

    for i in range(len(ops)):
        reduce_private(i)
    # contract pairwise, left to right, preferring pairs that share labels
    while len(ops) > 1:
        best = None
        for i in range(len(ops)):
            for j in range(i + 1, len(ops)):
                shared = set(ins[i]) & set(ins[j])
                cost = -len(shared)
                if best is None or cost < best[0]:
                    best = (cost, i, j)
        _, i, j = best
        a, b, sa, sb = ops[i], ops[j], ins[i], ins[j]
        rest = "".join(ins[k] for k in range(len(ops)) if k not in (i, j)) + outspec
        batch = [c for c in sa if c in sb and c in rest]
        contract = [c for c in sa if c in sb and c not in rest]
        # broadcast size-1 label dims
        a = _bcast_labels(a, sa, sizes, set(sb))
        b = _bcast_labels(b, sb, sizes, set(sa))
        dn = ((tuple(sa.index(c) for c in contract), tuple(sb.index(c) for c in contract)),
              (tuple(sa.index(c) for c in batch), tuple(sb.index(c) for c in batch)))
        res = lax.dot_general(a, b, dn, precision, preferred_element_type)
        rs = "".join(batch) + "".join(c for c in sa if c not in batch and c not in contract) + \
            "".join(c for c in sb if c not in batch and c not in contract)
        ops = [o for k, o in enumerate(ops) if k not in (i, j)] + [res]
        ins = [s for k, s in enumerate(ins) if k not in (i, j)] + [rs]
        reduce_private(len(ops) - 1)
    res, s = ops[0], ins[0]
    extra = tuple(j for j, c in enumerate(s) if c not in outspec)
    if extra:
        res = _sum(res, axis=extra, dtype=core.get_aval(res).dtype)
        s = "".join(c for c in s if c in outspec)
    if set(s) != set(outspec):
        missing = [c for c in outspec if c not in s]
        raise ValueError(f"einsum: output labels {missing} do not appear in the inputs")
    perm = [s.index(c) for c in outspec]
    if perm != list(range(len(perm))):
        res = lax.transpose(res, perm)
    if preferred_element_type is not None:
        res = lax.convert_element_type(res, preferred_element_type)
    return res


def _bcast_labels(x, spec, sizes, other_labels):
    shape = core.get_aval(x).shape
    want = tuple(sizes[c] if (d == 1 and c in other_labels) else d for c, d in zip(spec, shape))
    return broadcast_to(x, want) if want != shape else x


def _diagonal(x, j, k):
    """Diagonal over axes j<k, placed last."""
    av = core.get_aval(x)
    n = builtins.min(av.shape[j], av.shape[k])
    from .shape import moveaxis
    x = moveaxis(x, (j, k), (-2, -1))
    idx = lax.iota(dtypes.int32, n)
    from .indexing import _getitem
    return _getitem(x, (Ellipsis, idx, idx))
