"""dot_general (an extern matmul in every backend) with its bilinear jvp, transposes and a
batching rule that folds vmapped dims into the contraction's batch or free dims."""
import functools
import math

import numpy as np
import torch

from .. import dtypes
from ..ir.avals import ShapedArray
from ..interpreters import core
from ..interpreters.core import Primitive
from ..interpreters.jvp import defjvp, Zero
from ..interpreters.transpose import is_undefined
from ..interpreters.batching import moveaxis
from . import _ops as L

dot_general_p = Primitive("dot_general")
dot_general_p.extern = "matmul"
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _aval(x):
    return core.get_aval(x)


def _free(nd, contract, batch):
    s = set(contract) | set(batch)
    return [i for i in range(nd) if i not in s]


@functools.lru_cache(maxsize=4096)
def _mm_transposes(dimension_numbers, lnd, rnd):
    """For a plain 2-d product (no batch dims, one contracted dim): whether lhs and rhs enter
    torch.mm transposed (a view: BLAS takes transposed operands without copying); else None."""
    (lc, rc), (lb, rb) = dimension_numbers
    if lb or rb or lnd != 2 or rnd != 2 or len(lc) != 1:
        return None
    return lc[0] == 0, rc[0] == 1


def _dot_impl(lhs, rhs, dimension_numbers, precision=None, preferred_element_type=None):
    out_dtype = dtypes.to_torch_dtype(preferred_element_type) if preferred_element_type is not None else lhs.dtype
    compute = lhs.dtype
    if compute.is_floating_point and out_dtype == compute and rhs.dtype == compute:
        try:
            tr = _mm_transposes(dimension_numbers, lhs.dim(), rhs.dim())
        except TypeError:   # dimension numbers given as lists
            tr = None
        if tr is not None:   # the common case, without the general path's permutes and reshapes
            return torch.mm(lhs.T if tr[0] else lhs, rhs.T if tr[1] else rhs)
    (lc, rc), (lb, rb) = dimension_numbers
    lf, rf = _free(lhs.dim(), lc, lb), _free(rhs.dim(), rc, rb)
    lperm, rperm = list(lb) + lf + list(lc), list(rb) + list(rc) + rf
    lp = lhs.permute(lperm) if lperm != list(range(lhs.dim())) else lhs
    rp = rhs.permute(rperm) if rperm != list(range(rhs.dim())) else rhs
    bshape = [lhs.shape[i] for i in lb]
    m = math.prod(lhs.shape[i] for i in lf)
    k = math.prod(lhs.shape[i] for i in lc)
    n = math.prod(rhs.shape[i] for i in rf)
    a = lp.reshape(bshape + [m, k])
    b = rp.reshape(bshape + [k, n])
    if compute in (torch.int8, torch.int16, torch.uint8, torch.bool) or compute in dtypes.TORCH_WIDE_UNSIGNED:
        a, b = a.to(torch.int64), b.to(torch.int64)
    if out_dtype != compute and out_dtype.is_floating_point and \
            (not compute.is_floating_point or out_dtype.itemsize > compute.itemsize):
        # a wider preferred type accumulates in it (as XLA): f16 x f16 -> f32 must not overflow at 65504
        a, b = a.to(out_dtype), b.to(out_dtype)
    out = torch.matmul(a, b)
    out = out.reshape(bshape + [lhs.shape[i] for i in lf] + [rhs.shape[i] for i in rf])
    return out.to(out_dtype) if out.dtype != out_dtype else out


_SPEC_TORCH = {}


def _dot_specialize(in_avals, dimension_numbers, precision=None, preferred_element_type=None):
    """The compiled backends' extern call for operands of exactly these shapes and dtypes: a
    generated function doing only the torch calls (permute, reshape, mm/bmm, reshape), with the
    index work of _dot_impl done once here instead of on every call (about half of a jitted
    per-example-gradient step's host time went there). None where _dot_impl's dtype handling is
    needed (integers, mixed or widening dtypes)."""
    la, ra = in_avals
    ldt, rdt = np.dtype(la.dtype), np.dtype(ra.dtype)
    if ldt != rdt or ldt.kind not in "fc" or (preferred_element_type is not None
                                            and np.dtype(preferred_element_type) != ldt):
        return None
    (lc, rc), (lb, rb) = dimension_numbers
    lc, rc, lb, rb = (tuple(int(i) for i in t) for t in (lc, rc, lb, rb))
    lsh, rsh = tuple(la.shape), tuple(ra.shape)
    lf, rf = _free(len(lsh), lc, lb), _free(len(rsh), rc, rb)
    bshape = [lsh[i] for i in lb]
    m = math.prod(lsh[i] for i in lf)
    k = math.prod(lsh[i] for i in lc)
    n = math.prod(rsh[i] for i in rf)
    out_shape = tuple(bshape + [lsh[i] for i in lf] + [rsh[i] for i in rf])
    batch = math.prod(bshape)

    def operand(name, shape, perm, rows, cols):
        e = name
        if perm != list(range(len(shape))):
            e += f".permute({tuple(perm)})"
        want = (batch, rows, cols) if bshape else (rows, cols)
        if tuple(shape[i] for i in perm) != want:
            e += f".reshape({want})"
        return e
    if not lb and len(lsh) > 2 and len(rsh) == 2 and lc == (len(lsh) - 1,):
        # x[..., k] @ w: torch.matmul folds the leading dims in C++ (no reshapes from Python)
        body = f"_matmul(l, {'r' if rc == (0,) else 'r.T'})"
    else:
        a = operand("l", lsh, list(lb) + lf + list(lc), m, k)
        b = operand("r", rsh, list(rb) + list(rc) + rf, k, n)
        body = f"{'_bmm' if bshape else '_mm'}({a}, {b})"
        if out_shape != ((batch, m, n) if bshape else (m, n)):
            body = f"{body}.reshape({out_shape})"
    fn = _SPEC_TORCH.get(body)   # one generated function per distinct body
    if fn is None:
        ns = {"_mm": torch.mm, "_bmm": torch.bmm, "_matmul": torch.matmul}
        exec(f"def dot(l, r):\n    return {body}\n", ns)
        fn = _SPEC_TORCH[body] = ns["dot"]
    return fn


def _dot_abstract(lhs, rhs, dimension_numbers, precision=None, preferred_element_type=None):
    (lc, rc), (lb, rb) = dimension_numbers
    if len(lc) != len(rc) or len(lb) != len(rb):
        raise TypeError(f"dot_general requires equal numbers of lhs and rhs contracting/batch "
                        f"dimensions, got {dimension_numbers}")
    for a, b in zip(lc, rc):
        if lhs.shape[a] != rhs.shape[b]:
            raise TypeError(f"dot_general requires contracting dimensions to have the same shape, "
                            f"got {tuple(lhs.shape[i] for i in lc)} and {tuple(rhs.shape[i] for i in rc)} "
                            f"(lhs shape {lhs.shape}, rhs shape {rhs.shape}).")
    for a, b in zip(lb, rb):
        if lhs.shape[a] != rhs.shape[b]:
            raise TypeError(f"dot_general requires lhs batch dimensions and rhs batch dimensions to "
                            f"have the same shape, got {lhs.shape} and {rhs.shape} with {dimension_numbers}.")
    if lhs.dtype != rhs.dtype and not (lhs.weak_type or rhs.weak_type):
        raise TypeError(f"dot_general requires operands of the same dtype, got {lhs.dtype} and {rhs.dtype}")
    dtype = preferred_element_type or dtypes.promote_types((lhs.dtype, lhs.weak_type), (rhs.dtype, rhs.weak_type))[0]
    lf, rf = _free(lhs.ndim, lc, lb), _free(rhs.ndim, rc, rb)
    shape = [lhs.shape[i] for i in lb] + [lhs.shape[i] for i in lf] + [rhs.shape[i] for i in rf]
    return ShapedArray(shape, dtype, lhs.weak_type and rhs.weak_type)


def _dot_transpose_lhs(ct, x_aval, y, dimension_numbers, swap=False):
    (xc, yc), (xb, yb) = dimension_numbers
    x_nd = x_aval.ndim
    y_nd = _aval(y).ndim
    xf = _free(x_nd, xc, xb)
    yf = _free(y_nd, yc, yb)
    nb = len(xb)
    if swap:  # ct layout is [b, y_free, x_free]
        ct_b = list(range(nb))
        ct_yf = list(range(nb, nb + len(yf)))
    else:
        ct_b = list(range(nb))
        ct_yf = list(range(nb + len(xf), nb + len(xf) + len(yf)))
    res = dot_general_p.bind(ct, y, dimension_numbers=((tuple(ct_yf), tuple(yf)), (tuple(ct_b), tuple(yb))),
                             precision=None, preferred_element_type=None)
    # res dims: [b..., x_free..., y contract dims in increasing y order]
    y_contract_sorted = sorted(yc)
    src = list(xb) + xf + [xc[list(yc).index(d)] for d in y_contract_sorted]
    perm = list(np.argsort(src))
    out = L.transpose(res, perm) if perm != list(range(len(perm))) else res
    if _aval(out).dtype != x_aval.dtype:
        out = L.convert(out, x_aval.dtype)
    return out


def _dot_transpose(ct, lhs, rhs, dimension_numbers, precision=None, preferred_element_type=None):
    (lc, rc), (lb, rb) = dimension_numbers
    if type(ct) is Zero:
        return [Zero(lhs.aval) if is_undefined(lhs) else None, Zero(rhs.aval) if is_undefined(rhs) else None]
    if is_undefined(lhs):
        return [_dot_transpose_lhs(ct, lhs.aval, rhs, dimension_numbers), None]
    swapped = ((rc, lc), (rb, lb))
    return [None, _dot_transpose_lhs(ct, rhs.aval, lhs, swapped, swap=True)]


def _dot_batch(vals, dims, dimension_numbers, precision=None, preferred_element_type=None):
    (lhs, rhs), (ld, rd) = vals, dims
    (lc, rc), (lb, rb) = dimension_numbers
    params = dict(precision=precision, preferred_element_type=preferred_element_type)
    if ld is not None and rd is not None:
        lhs, rhs = moveaxis(lhs, ld, 0), moveaxis(rhs, rd, 0)
        sh = lambda t: tuple(i + 1 for i in t)
        dn = ((sh(lc), sh(rc)), ((0,) + sh(lb), (0,) + sh(rb)))
        return dot_general_p.bind(lhs, rhs, dimension_numbers=dn, **params), 0
    if ld is not None:
        lnd = _aval(lhs).ndim
        # ld becomes a free lhs dim; its output position follows batch dims and earlier lhs free dims
        shift = lambda t: tuple(i if i < ld else i + 1 for i in t)
        lc2, lb2 = shift(lc), shift(lb)
        lf = _free(lnd, lc2, lb2)
        out = dot_general_p.bind(lhs, rhs, dimension_numbers=((lc2, rc), (lb2, rb)), **params)
        return out, len(lb) + lf.index(ld)
    rnd = _aval(rhs).ndim
    shift = lambda t: tuple(i if i < rd else i + 1 for i in t)
    rc2, rb2 = shift(rc), shift(rb)
    rf = _free(rnd, rc2, rb2)
    lf = _free(_aval(lhs).ndim, lc, lb)
    out = dot_general_p.bind(lhs, rhs, dimension_numbers=((lc, rc2), (lb, rb2)), **params)
    return out, len(lb) + len(lf) + rf.index(rd)


dot_general_p.impl = _dot_impl
dot_general_p.abstract_eval = _dot_abstract
dot_general_p.batch = _dot_batch
dot_general_p.specialize = _dot_specialize
defjvp(dot_general_p,
       lambda g, x, y, **p: dot_general_p.bind(g, y, **p),
       lambda g, x, y, **p: dot_general_p.bind(x, g, **p))
dot_general_p.transpose = _dot_transpose
