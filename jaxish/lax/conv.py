"""conv_general_dilated as an extern primitive (torch.nn.functional.convNd in every backend):
dimension numbers, strides, explicit/SAME/VALID padding, lhs/rhs dilation, feature and batch
groups. Bilinear jvp; transposes are convolutions of the cotangent (as JAX/XLA define them);
the batch rule folds the vmapped axis into the batch, feature or group dims."""
import builtins
import collections

import numpy as np
import torch
import torch.nn.functional as F

from .. import dtypes
from ..ir.avals import ShapedArray
from ..interpreters import core
from ..interpreters.core import Primitive
from ..interpreters.jvp import defjvp, Zero
from ..interpreters.transpose import is_undefined
from . import _ops as L
from .shape import _pad_impl, fpad_widths

__all__ = ["conv_general_dilated", "conv", "conv_with_general_padding", "conv_transpose",
           "conv_dimension_numbers", "ConvDimensionNumbers", "padtype_to_pads",
           "conv_general_dilated_patches", "conv_general_dilated_local", "conv_shape_tuple",
           "conv_general_shape_tuple", "conv_transpose_shape_tuple", "conv_general_permutations"]

ConvDimensionNumbers = collections.namedtuple("ConvDimensionNumbers", ["lhs_spec", "rhs_spec", "out_spec"])


def _aval(x):
    return core.get_aval(x)


# ---- parameters -------------------------------------------------------------------------------
def conv_general_permutations(dimension_numbers):
    """Integer specs from strings like ('NHWC', 'HWIO', 'NHWC'); spatial order follows rhs."""
    lhs_s, rhs_s, out_s = dimension_numbers
    for s, chars, name in ((lhs_s, "NC", "lhs"), (rhs_s, "OI", "rhs"), (out_s, "NC", "out")):
        if not isinstance(s, str) or any(s.count(c) != 1 for c in chars):
            raise TypeError(f"Invalid {name} spec {s!r}: it must contain {chars[0]} and {chars[1]} once each")
        if len(set(s)) != len(s):
            raise TypeError(f"convolution dimension_numbers {name} spec {s!r} cannot have duplicate characters")
    if len(lhs_s) != len(rhs_s) or len(out_s) != len(rhs_s):
        raise TypeError(f"convolution dimension_numbers {dimension_numbers} must have equal lengths")
    rhs_spatial = [c for c in rhs_s if c not in "OI"]
    for s, name in ((lhs_s, "lhs"), (out_s, "out")):
        if sorted(c for c in s if c not in "NC") != sorted(rhs_spatial):
            raise TypeError(f"convolution dimension_numbers: {name} spec {s!r} and rhs spec {rhs_s!r} "
                            "must have the same spatial dimensions")

    def perm(spec, a, b):
        sp = sorted((i for i, c in enumerate(spec) if c not in (a, b)), key=lambda i: rhs_s.index(spec[i]))
        return (spec.index(a), spec.index(b)) + tuple(sp)
    return perm(lhs_s, "N", "C"), perm(rhs_s, "O", "I"), perm(out_s, "N", "C")


def conv_dimension_numbers(lhs_shape, rhs_shape, dimension_numbers):
    """ConvDimensionNumbers of integer specs from None, strings or integer tuples."""
    nd = len(lhs_shape)
    if len(rhs_shape) != nd:
        raise TypeError(f"convolution requires lhs and rhs ndim to be equal, got {len(lhs_shape)} and {len(rhs_shape)}.")
    if dimension_numbers is None:
        iota = tuple(range(nd))
        return ConvDimensionNumbers(iota, iota, iota)
    if isinstance(dimension_numbers, ConvDimensionNumbers) and all(
            isinstance(s, tuple) and all(isinstance(i, (int, np.integer)) for i in s) for s in dimension_numbers):
        return ConvDimensionNumbers(*(tuple(int(i) for i in s) for s in dimension_numbers))
    if not isinstance(dimension_numbers, (tuple, list)) or len(dimension_numbers) != 3:
        raise TypeError(f"convolution dimension_numbers must be a tuple/list of length 3, got {dimension_numbers!r}")
    if all(isinstance(s, str) for s in dimension_numbers):
        if builtins.any(len(s) != nd for s in dimension_numbers):
            raise TypeError(f"convolution dimension_numbers {tuple(dimension_numbers)} do not match operands of "
                            f"rank {nd}")
        return ConvDimensionNumbers(*conv_general_permutations(dimension_numbers))
    return ConvDimensionNumbers(*(tuple(int(i) for i in s) for s in dimension_numbers))


def _dilate(n, d):
    return 0 if n == 0 else 1 + d * (n - 1)


def padtype_to_pads(in_shape, window_shape, window_strides, padding):
    """Explicit (lo, hi) pairs for 'SAME', 'SAME_LOWER' or 'VALID' padding."""
    if isinstance(padding, str):
        mode = padding.upper()
        if mode == "VALID":
            return [(0, 0)] * len(in_shape)
        if mode in ("SAME", "SAME_LOWER"):
            out = [-(-n // s) for n, s in zip(in_shape, window_strides)]
            total = [builtins.max(0, (o - 1) * s + w - n)
                     for o, s, w, n in zip(out, window_strides, window_shape, in_shape)]
            if mode == "SAME":
                return [(t // 2, t - t // 2) for t in total]
            return [(t - t // 2, t // 2) for t in total]
        raise ValueError(f"Unknown padding type: {padding!r}; expected 'SAME', 'SAME_LOWER' or 'VALID'")
    return [tuple(p) for p in padding]


# ---- the primitive ----------------------------------------------------------------------------
conv_general_dilated_p = Primitive("conv_general_dilated")
conv_general_dilated_p.extern = "conv"

_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}


def _conv_out_shape(lhs_shape, rhs_shape, window_strides, padding, lhs_dilation, rhs_dilation,
                    dimension_numbers, batch_group_count):
    ls, rs, os = dimension_numbers
    n = lhs_shape[ls[0]] // batch_group_count
    o = rhs_shape[rs[0]]
    sp = []
    for i in range(len(ls) - 2):
        x = _dilate(lhs_shape[ls[i + 2]], lhs_dilation[i]) + padding[i][0] + padding[i][1]
        k = _dilate(rhs_shape[rs[i + 2]], rhs_dilation[i])
        sp.append(builtins.max(0, (x - k) // window_strides[i] + 1) if x >= k else 0)
    logical = [n, o] + sp
    out = [0] * len(os)
    for i, d in enumerate(os):
        out[d] = logical[i]
    return tuple(out)


def _conv_impl(lhs, rhs, *, window_strides, padding, lhs_dilation, rhs_dilation, dimension_numbers,
               feature_group_count, batch_group_count, precision=None, preferred_element_type=None):
    ls, rs, os = dimension_numbers
    out_dtype = (dtypes.to_torch_dtype(preferred_element_type) if preferred_element_type is not None
                 else lhs.dtype)
    out_shape = _conv_out_shape(tuple(lhs.shape), tuple(rhs.shape), window_strides, padding, lhs_dilation,
                                rhs_dilation, dimension_numbers, batch_group_count)
    if int(np.prod(out_shape)) == 0 or lhs.numel() == 0 or rhs.numel() == 0:
        return torch.zeros(out_shape, dtype=out_dtype, device=lhs.device)
    x = lhs.permute(ls)
    w = rhs.permute(rs)
    compute = x.dtype
    if not (compute.is_floating_point or compute.is_complex) or compute in (torch.float16, torch.bfloat16):
        compute = torch.float64 if not compute.is_floating_point else torch.float32
    if out_dtype.is_floating_point and out_dtype.itemsize > compute.itemsize and not compute.is_complex:
        compute = out_dtype
    x, w = x.to(compute), w.to(compute)
    nsp = x.dim() - 2
    if nsp == 0:
        x, w = x[..., None], w[..., None]
        window_strides, padding, lhs_dilation, rhs_dilation = (1,), ((0, 0),), (1,), (1,)
        nsp = 1
    # lhs dilation is interior padding; negative padding crops (lax.pad's rule does both)
    cfg = ((0, 0, 0), (0, 0, 0)) + tuple((lo, hi, d - 1) for (lo, hi), d in zip(padding, lhs_dilation))
    if builtins.any(c != (0, 0, 0) for c in cfg):
        x = _pad_impl(x, 0, cfg)
    groups = feature_group_count
    if batch_group_count > 1:
        g = batch_group_count
        nb, c = x.shape[:2]
        x = x.reshape((g, nb // g, c) + tuple(x.shape[2:])).transpose(0, 1).reshape((nb // g, g * c) + tuple(x.shape[2:]))
        groups = g
    out = _CONV[nsp](x, w, stride=tuple(window_strides), dilation=tuple(rhs_dilation), groups=groups)
    if out.dim() != len(os):
        out = out[..., 0]
    out = out.permute(tuple(np.argsort(os)))
    return out.to(out_dtype) if out.dtype != out_dtype else out


def _conv_specialize(in_avals, *, window_strides, padding, lhs_dilation, rhs_dilation, dimension_numbers,
                     feature_group_count, batch_group_count, precision=None, preferred_element_type=None):
    """The compiled backends' extern call for these operand avals (Primitive.specialize): the
    layout permutes, padding and torch conv decided once. Symmetric padding goes to the conv
    itself, other padding (crops too) to one F.pad; None for what only _conv_impl handles
    (half or integer dtypes, lhs dilation, batch groups, empty or 0-d spatial operands)."""
    la, ra = in_avals
    ldt = np.dtype(la.dtype)
    if ldt != np.dtype(ra.dtype) or ldt.kind != "f" or ldt.itemsize < 4 or (
            preferred_element_type is not None and np.dtype(preferred_element_type) != ldt):
        return None
    ls, rs, os = (tuple(int(i) for i in t) for t in dimension_numbers)
    nsp = len(ls) - 2
    if nsp not in _CONV or batch_group_count != 1 or builtins.any(d != 1 for d in lhs_dilation):
        return None
    padding = [tuple(int(v) for v in p) for p in padding]
    out_shape = _conv_out_shape(tuple(la.shape), tuple(ra.shape), window_strides, padding, lhs_dilation,
                                rhs_dilation, (ls, rs, os), batch_group_count)
    if 0 in out_shape or 0 in tuple(la.shape) or 0 in tuple(ra.shape):
        return None
    ident = tuple(range(len(ls)))
    lperm = None if ls == ident else ls
    rperm = None if rs == ident else rs
    operm = tuple(int(i) for i in np.argsort(os))
    operm = None if operm == ident else operm
    if builtins.all(lo == hi and lo >= 0 for lo, hi in padding):
        cpad, fpad = tuple(lo for lo, _ in padding), None
    else:
        cpad = (0,) * nsp
        cfg = ((0, 0, 0), (0, 0, 0)) + tuple((lo, hi, 0) for lo, hi in padding)   # on (N, C, spatial...)
        fpad = fpad_widths(tuple(la.shape[i] for i in ls), cfg)
        if fpad is None:
            return None
    conv, stride, dil, groups = _CONV[nsp], tuple(window_strides), tuple(rhs_dilation), feature_group_count
    pad = F.pad

    def run(lhs, rhs):
        x = lhs.permute(lperm) if lperm else lhs
        w = rhs.permute(rperm) if rperm else rhs
        if fpad:
            x = pad(x, fpad)
        out = conv(x, w, None, stride, cpad, dil, groups)
        return out.permute(operm) if operm else out
    return run


def _conv_abstract(lhs, rhs, *, window_strides, padding, lhs_dilation, rhs_dilation, dimension_numbers,
                   feature_group_count, batch_group_count, precision=None, preferred_element_type=None):
    ls, rs, os = dimension_numbers
    nd = lhs.ndim
    if rhs.ndim != nd:
        raise TypeError(f"convolution requires lhs and rhs ndim to be equal, got {lhs.ndim} and {rhs.ndim}.")
    if nd < 2:
        raise TypeError(f"convolution requires operands of rank >= 2, got shapes {lhs.shape} and {rhs.shape}")
    for spec, name in ((ls, "lhs"), (rs, "rhs"), (os, "out")):
        if sorted(spec) != list(range(nd)):
            raise TypeError(f"convolution {name}_spec {spec} is not a permutation of range({nd})")
    nsp = nd - 2
    for val, name in ((window_strides, "window_strides"), (padding, "padding"),
                      (lhs_dilation, "lhs_dilation"), (rhs_dilation, "rhs_dilation")):
        if len(val) != nsp:
            raise TypeError(f"conv_general_dilated {name} argument must have length equal to the number of "
                            f"spatial dimensions ({nsp}), got {tuple(val)}")
    for val, name in ((window_strides, "window_strides"), (lhs_dilation, "lhs_dilation"),
                      (rhs_dilation, "rhs_dilation")):
        if builtins.any(v <= 0 for v in val):
            raise ValueError(f"conv_general_dilated {name} must be positive, got {tuple(val)}")
    if feature_group_count < 1 or batch_group_count < 1:
        raise ValueError("conv_general_dilated feature_group_count and batch_group_count must be >= 1")
    if feature_group_count > 1 and batch_group_count > 1:
        raise ValueError("At most one of feature_group_count and batch_group_count may be > 1, got "
                         f"feature_group_count={feature_group_count} and batch_group_count={batch_group_count}")
    c = lhs.shape[ls[1]]
    i = rhs.shape[rs[1]]
    o = rhs.shape[rs[0]]
    if c != i * feature_group_count:
        raise TypeError(f"conv_general_dilated lhs feature dimension size divided by feature_group_count must "
                        f"equal the rhs input feature dimension size, but {c} // {feature_group_count} != {i} "
                        f"(lhs shape {lhs.shape}, rhs shape {rhs.shape}).")
    if o % feature_group_count:
        raise ValueError(f"conv_general_dilated rhs output feature dimension size must be a multiple of "
                         f"feature_group_count, but {o} is not a multiple of {feature_group_count}.")
    n = lhs.shape[ls[0]]
    if n % batch_group_count:
        raise ValueError(f"conv_general_dilated lhs batch dimension size must be evenly divisible by "
                         f"batch_group_count, but {n} is not a multiple of {batch_group_count}.")
    if o % batch_group_count:
        raise ValueError(f"conv_general_dilated rhs output feature dimension size must be a multiple of "
                         f"batch_group_count, but {o} is not a multiple of {batch_group_count}.")
    if lhs.dtype != rhs.dtype and not (lhs.weak_type or rhs.weak_type):
        raise TypeError(f"conv_general_dilated requires arguments to have the same dtypes, got "
                        f"{lhs.dtype}, {rhs.dtype}.")
    dtype = preferred_element_type or dtypes.promote_types((lhs.dtype, lhs.weak_type), (rhs.dtype, rhs.weak_type))[0]
    shape = _conv_out_shape(lhs.shape, rhs.shape, window_strides, padding, lhs_dilation, rhs_dilation,
                            dimension_numbers, batch_group_count)
    return ShapedArray(shape, dtype, lhs.weak_type and rhs.weak_type)


def _bind(lhs, rhs, **params):
    return conv_general_dilated_p.bind(lhs, rhs, **params)


# ---- reverse mode: convolutions of the cotangent ----------------------------------------------
def _spec_t(spec):
    return (spec[1], spec[0]) + tuple(spec[2:])


def _reshape_axis_out_of(src, size1, x):
    shape = list(_aval(x).shape)
    size2 = shape[src] // size1
    shape[src:src + 1] = [size1, size2]
    return L.reshape(x, shape)


def _reshape_axis_into(src, dst, x):
    """Merge axis src into axis dst (dst counted after removing src), src becoming the major part."""
    shape = _aval(x).shape
    perm = [i for i in range(len(shape)) if i != src]
    perm.insert(dst, src)
    new_shape = [shape[i] for i in range(len(shape)) if i != src]
    new_shape[dst] *= shape[src]
    x = L.transpose(x, perm) if perm != list(range(len(shape))) else x
    return L.reshape(x, new_shape)


def _transpose_lhs(g, lhs_aval, rhs, *, window_strides, padding, lhs_dilation, rhs_dilation,
                   dimension_numbers, feature_group_count, batch_group_count, precision=None,
                   preferred_element_type=None):
    ls, rs, os = dimension_numbers
    t_rs = _spec_t(rs)
    if feature_group_count > 1:
        rhs = _reshape_axis_out_of(rs[0], feature_group_count, rhs)
        rhs = _reshape_axis_into(rs[0], rs[1], rhs)
    elif batch_group_count > 1:
        rhs = _reshape_axis_out_of(rs[0], batch_group_count, rhs)
        rhs = _reshape_axis_into(rs[0], rs[1], rhs)
        feature_group_count = batch_group_count
    rshape = _aval(rhs).shape
    gshape = _aval(g).shape
    pads = []
    for i in range(len(ls) - 2):
        ld = _dilate(lhs_aval.shape[ls[i + 2]], lhs_dilation[i])
        kd = _dilate(rshape[rs[i + 2]], rhs_dilation[i])
        od = _dilate(gshape[os[i + 2]], window_strides[i])
        before = kd - padding[i][0] - 1
        after = ld + kd - 1 - od - before
        pads.append((before, after))
    from .shape import rev_p
    revd = rev_p.bind(rhs, dimensions=tuple(rs[2:]))
    out = _bind(g, revd, window_strides=tuple(lhs_dilation), padding=tuple(pads),
                lhs_dilation=tuple(window_strides), rhs_dilation=tuple(rhs_dilation),
                dimension_numbers=ConvDimensionNumbers(os, t_rs, ls),
                feature_group_count=feature_group_count, batch_group_count=1,
                precision=precision, preferred_element_type=preferred_element_type)
    if batch_group_count > 1:
        out = _reshape_axis_out_of(ls[1], batch_group_count, out)
        out = _reshape_axis_into(ls[1], ls[0], out)
    return out


def _transpose_rhs(g, lhs, rhs_aval, *, window_strides, padding, lhs_dilation, rhs_dilation,
                   dimension_numbers, feature_group_count, batch_group_count, precision=None,
                   preferred_element_type=None):
    ls, rs, os = dimension_numbers
    if batch_group_count > 1:
        feature_group_count, batch_group_count = batch_group_count, 1
    elif feature_group_count > 1:
        feature_group_count, batch_group_count = 1, feature_group_count
    lshape = _aval(lhs).shape
    gshape = _aval(g).shape
    pads = []
    for i in range(len(ls) - 2):
        ld = _dilate(lshape[ls[i + 2]], lhs_dilation[i])
        kd = _dilate(rhs_aval.shape[rs[i + 2]], rhs_dilation[i])
        od = _dilate(gshape[os[i + 2]], window_strides[i])
        lo = padding[i][0]
        hi = (od - ld) + (kd - lo - 1)
        pads.append((lo, hi))
    return _bind(lhs, g, window_strides=tuple(rhs_dilation), padding=tuple(pads),
                 lhs_dilation=tuple(lhs_dilation), rhs_dilation=tuple(window_strides),
                 dimension_numbers=ConvDimensionNumbers(_spec_t(ls), _spec_t(os), _spec_t(rs)),
                 feature_group_count=feature_group_count, batch_group_count=batch_group_count,
                 precision=precision, preferred_element_type=preferred_element_type)


def _conv_transpose_rule(ct, lhs, rhs, **params):
    if is_undefined(lhs) and is_undefined(rhs):
        raise NotImplementedError("conv_general_dilated is not linear in both arguments at once")
    if is_undefined(lhs):
        if type(ct) is Zero:
            return [Zero(lhs.aval), None]
        out = _transpose_lhs(ct, lhs.aval, rhs, **params)
        return [L.convert(out, lhs.aval.dtype), None]
    if type(ct) is Zero or _aval(ct).size == 0:
        return [None, Zero(rhs.aval)]
    out = _transpose_rhs(ct, lhs, rhs.aval, **params)
    return [None, L.convert(out, rhs.aval.dtype)]


# ---- vmap -------------------------------------------------------------------------------------
def _conv_batch(vals, dims, **params):
    (lhs, rhs), (ld, rd) = vals, dims
    ls, rs, os = params["dimension_numbers"]
    fgc, bgc = params["feature_group_count"], params["batch_group_count"]
    if ld is not None and rd is not None:
        b = _aval(lhs).shape[ld]
        p = dict(params)
        if bgc > 1:
            new_lhs = _reshape_axis_into(ld, ls[0], lhs)
            p["batch_group_count"] = bgc * b
        else:
            new_lhs = _reshape_axis_into(ld, ls[1], lhs)
            p["feature_group_count"] = fgc * b
        new_rhs = _reshape_axis_into(rd, rs[0], rhs)
        out = _bind(new_lhs, new_rhs, **p)
        return _reshape_axis_out_of(os[1], b, out), os[1]
    if ld is not None:
        b = _aval(lhs).shape[ld]
        if bgc == 1:
            new_lhs = _reshape_axis_into(ld, ls[0], lhs)
        else:
            new_lhs = _reshape_axis_out_of(ls[0] + int(ld <= ls[0]), bgc, lhs)
            new_lhs = _reshape_axis_into(ld + int(ls[0] < ld), ls[0] + 1, new_lhs)
            new_lhs = _reshape_axis_into(ls[0], ls[0], new_lhs)
        out = _bind(new_lhs, rhs, **params)
        return _reshape_axis_out_of(os[0], b, out), os[0]
    b = _aval(rhs).shape[rd]
    if fgc == 1 and bgc == 1:
        new_rhs = _reshape_axis_into(rd, rs[0], rhs)
        out = _bind(lhs, new_rhs, **params)
        return _reshape_axis_out_of(os[1], b, out), os[1]
    # groups must stay outermost in the output-feature dim: factor them out, fold the batch in
    # under them, and undo the same on the output
    g = fgc if fgc > 1 else bgc
    new_rhs = _reshape_axis_out_of(rs[0] + int(rd <= rs[0]), g, rhs)
    new_rhs = _reshape_axis_into(rd + int(rs[0] < rd), rs[0] + 1, new_rhs)
    new_rhs = _reshape_axis_into(rs[0], rs[0], new_rhs)
    out = _bind(lhs, new_rhs, **params)
    out = _reshape_axis_out_of(os[1], g, out)
    out = _reshape_axis_out_of(os[1] + 1, b, out)
    out = _reshape_axis_into(os[1], os[1] + 1, out)
    return out, os[1]


conv_general_dilated_p.impl = _conv_impl
conv_general_dilated_p.abstract_eval = _conv_abstract
conv_general_dilated_p.batch = _conv_batch
conv_general_dilated_p.specialize = _conv_specialize
defjvp(conv_general_dilated_p,
       lambda g, lhs, rhs, **p: _bind(g, rhs, **p),
       lambda g, lhs, rhs, **p: _bind(lhs, g, **p))
conv_general_dilated_p.transpose = _conv_transpose_rule


# ---- public API -------------------------------------------------------------------------------
def _tuple_param(v, n, name, default=1):
    if v is None:
        return (default,) * n
    if isinstance(v, (int, np.integer)):
        return (int(v),) * n
    v = tuple(int(i) for i in v)
    if len(v) != n:
        raise TypeError(f"conv_general_dilated {name} argument must have length equal to the number of "
                        f"spatial dimensions ({n}), got {v}")
    return v


def conv_general_dilated(lhs, rhs, window_strides, padding, lhs_dilation=None, rhs_dilation=None,
                         dimension_numbers=None, feature_group_count=1, batch_group_count=1,
                         precision=None, preferred_element_type=None):
    """General n-d convolution (cross-correlation, as XLA's Conv), with JAX's signature."""
    la, ra = _aval(lhs), _aval(rhs)
    dnums = conv_dimension_numbers(la.shape, ra.shape, dimension_numbers)
    nsp = la.ndim - 2
    window_strides = _tuple_param(window_strides, nsp, "window_strides")
    lhs_dilation = _tuple_param(lhs_dilation, nsp, "lhs_dilation")
    rhs_dilation = _tuple_param(rhs_dilation, nsp, "rhs_dilation")
    if isinstance(padding, str):
        ls, rs, _ = dnums
        k = [_dilate(ra.shape[rs[i + 2]], rhs_dilation[i]) for i in range(nsp)]
        padding = padtype_to_pads([la.shape[ls[i + 2]] for i in range(nsp)], k, window_strides, padding)
    padding = tuple((int(lo), int(hi)) for lo, hi in padding)
    if len(padding) != nsp:
        raise TypeError(f"conv_general_dilated padding argument must have length equal to the number of "
                        f"spatial dimensions ({nsp}), got {padding}")
    pet = None if preferred_element_type is None else dtypes.canonicalize(dtypes.check_dtype(preferred_element_type))
    if la.dtype != ra.dtype and (la.weak_type or ra.weak_type):
        dt = dtypes.promote_types((la.dtype, la.weak_type), (ra.dtype, ra.weak_type))[0]
        lhs, rhs = L.convert(lhs, dt), L.convert(rhs, dt)
    params = dict(window_strides=window_strides, padding=padding, lhs_dilation=lhs_dilation,
                  rhs_dilation=rhs_dilation, dimension_numbers=dnums, feature_group_count=int(feature_group_count),
                  batch_group_count=int(batch_group_count), precision=None, preferred_element_type=pet)
    _conv_abstract(_aval(lhs), _aval(rhs), **params)  # JAX's errors before any kernel runs
    return conv_general_dilated_p.bind(lhs, rhs, **params)


def conv(lhs, rhs, window_strides, padding, precision=None, preferred_element_type=None):
    """NC... x OI... convolution without dilation."""
    return conv_general_dilated(lhs, rhs, window_strides, padding, precision=precision,
                                preferred_element_type=preferred_element_type)


def conv_with_general_padding(lhs, rhs, window_strides, padding, lhs_dilation, rhs_dilation,
                              precision=None, preferred_element_type=None):
    return conv_general_dilated(lhs, rhs, window_strides, padding, lhs_dilation, rhs_dilation,
                                precision=precision, preferred_element_type=preferred_element_type)


def _conv_transpose_padding(k, s, padding):
    if padding == "SAME":
        pad_len = k + s - 2
        pad_a = k - 1 if s > k - 1 else int(np.ceil(pad_len / 2))
    elif padding == "VALID":
        pad_len = k + s - 2 + builtins.max(k - s, 0)
        pad_a = k - 1
    else:
        raise ValueError("Padding mode must be `SAME` or `VALID`.")
    return pad_a, pad_len - pad_a


def conv_transpose(lhs, rhs, strides, padding, rhs_dilation=None, dimension_numbers=None,
                   transpose_kernel=False, precision=None, preferred_element_type=None):
    """Transposed convolution (the gradient of conv, optionally with the kernel flipped/swapped)."""
    la, ra = _aval(lhs), _aval(rhs)
    nsp = la.ndim - 2
    if dimension_numbers is None:
        dimension_numbers = {1: ("NHC", "HIO", "NHC"), 2: ("NHWC", "HWIO", "NHWC"),
                             3: ("NHWDC", "HWDIO", "NHWDC")}.get(nsp)
        if dimension_numbers is None:
            raise ValueError("No 4+ dimensional dimension_number defaults.")
    dn = conv_dimension_numbers(la.shape, ra.shape, dimension_numbers)
    k_shape = [ra.shape[i] for i in dn.rhs_spec[2:]]
    rhs_dilation = _tuple_param(rhs_dilation, nsp, "rhs_dilation")
    strides = _tuple_param(strides, nsp, "strides")
    k_sdims = [_dilate(k, d) for k, d in zip(k_shape, rhs_dilation)]
    if isinstance(padding, str):
        pads = [_conv_transpose_padding(k, s, padding) for k, s in zip(k_sdims, strides)]
    else:
        pads = padding
    if transpose_kernel:
        from .shape import rev_p
        rhs = rev_p.bind(rhs, dimensions=tuple(dn.rhs_spec[2:]))
        perm = list(range(ra.ndim))
        o, i = dn.rhs_spec[0], dn.rhs_spec[1]
        perm[o], perm[i] = perm[i], perm[o]
        rhs = L.transpose(rhs, perm)
    return conv_general_dilated(lhs, rhs, (1,) * nsp, pads, strides, rhs_dilation, dn,
                                precision=precision, preferred_element_type=preferred_element_type)


# ---- im2col, unshared (locally connected) convolution, shape helpers ---------------------------
def _moveaxis(x, src, dst):
    nd = _aval(x).ndim
    src, dst = [s % nd for s in src], [d % nd for d in dst]
    rest = [i for i in range(nd) if i not in src]
    perm = [None] * nd
    for s_, d in zip(src, dst):
        perm[d] = s_
    it = iter(rest)
    perm = [p if p is not None else next(it) for p in perm]
    return L.transpose(x, perm) if perm != list(range(nd)) else x


def _filter_shape(filter_shape, lhs_ndim):
    try:
        fs = tuple(int(k) for k in filter_shape)
    except TypeError:
        raise TypeError(f"filter_shape must be a sequence of integers, got {filter_shape!r}") from None
    if builtins.any(k < 1 for k in fs):
        raise ValueError(f"filter_shape entries must be positive, got {fs}")
    if len(fs) != lhs_ndim - 2:
        raise TypeError(f"filter_shape {fs} must have one entry per spatial dimension of lhs "
                        f"(lhs has rank {lhs_ndim}, so {lhs_ndim - 2})")
    return fs


def conv_general_dilated_patches(lhs, filter_shape, window_strides, padding, lhs_dilation=None,
                                 rhs_dilation=None, dimension_numbers=None, precision=None,
                                 preferred_element_type=None):
    """Image patches as the output feature dim (JAX's im2col): a feature-grouped convolution with an
    identity kernel, so feature c, window offset k lands in output channel c * prod(filter_shape) + k
    (window offsets flattened in rhs-spec spatial order)."""
    la = _aval(lhs)
    fs = _filter_shape(filter_shape, la.ndim)
    ls, rs, os = conv_dimension_numbers(la.shape, (1, 1) + fs, dimension_numbers)
    window = int(np.prod(fs))
    channels = la.shape[ls[1]]
    eye = np.eye(window, dtype=np.dtype(la.dtype))
    kernel = np.broadcast_to(eye, (channels, window, window)).reshape((channels * window, 1) + fs)
    # kernel is (O, I, spatial in rhs order); place O and I where the rhs spec wants them
    kernel = np.moveaxis(kernel, (0, 1), (rs[0], rs[1]))
    return conv_general_dilated(lhs, np.ascontiguousarray(kernel), window_strides, padding, lhs_dilation,
                                rhs_dilation, ConvDimensionNumbers(ls, rs, os), feature_group_count=channels,
                                preferred_element_type=preferred_element_type)


def conv_general_dilated_local(lhs, rhs, window_strides, padding, filter_shape, lhs_dilation=None,
                               rhs_dilation=None, dimension_numbers=None, precision=None):
    """Unshared convolution: a separate kernel per output position. rhs spatial dims are the output
    positions; its I dim holds (input feature, window offset) flattened as in the patches."""
    if precision is not None and isinstance(precision, (tuple, list)) and len(precision) != 2:
        raise ValueError(f"Unsupported precision for conv_general_dilated_local: {precision}")
    la, ra = _aval(lhs), _aval(rhs)
    fs = _filter_shape(filter_shape, la.ndim)
    ls, rs, os = conv_dimension_numbers(la.shape, (1, 1) + fs, dimension_numbers)
    if ra.ndim != la.ndim:
        raise TypeError(f"conv_general_dilated_local requires lhs and rhs ndim to be equal, got lhs shape "
                        f"{la.shape} and rhs shape {ra.shape} (dtype {ra.dtype}).")
    patches = conv_general_dilated_patches(lhs, fs, window_strides, padding, lhs_dilation, rhs_dilation,
                                           ConvDimensionNumbers(ls, rs, os))
    pshape = _aval(patches).shape
    want_i = pshape[os[1]]
    want_sp = tuple(pshape[d] for d in os[2:])
    got_sp = tuple(ra.shape[d] for d in rs[2:])
    if ra.shape[rs[1]] != want_i or got_sp != want_sp:
        raise TypeError(f"conv_general_dilated_local rhs of shape {ra.shape} and dtype {ra.dtype} does not fit: "
                        f"its input-feature dim must be {want_i} (features x window size) and its spatial "
                        f"dims (in rhs spec order) the output positions {want_sp}, got {ra.shape[rs[1]]} "
                        f"and {got_sp}")
    lhs_b = list(os[2:])
    rhs_b = list(rs[2:])
    order = sorted(range(len(lhs_b)), key=lambda i: lhs_b[i])
    dn = (((os[1],), (rs[1],)), (tuple(lhs_b[i] for i in order), tuple(rhs_b[i] for i in order)))
    from ._api import dot_general
    out = dot_general(patches, rhs, dn)  # (output positions..., N, O)
    return _moveaxis(out, (-2, -1), (os[0], os[1]))


def _stride_dim(d, k, s):
    return builtins.max((d - k) // s + 1, 0)


def conv_shape_tuple(lhs_shape, rhs_shape, strides, pads, batch_group_count=1):
    """Output shape of a conv whose shapes are in canonical (N, C, spatial...) / (O, I, spatial...) order."""
    if isinstance(pads, str):
        pads = padtype_to_pads(lhs_shape[2:], rhs_shape[2:], strides, pads)
    if len(pads) != len(lhs_shape) - 2:
        raise TypeError(f"Wrong number of explicit pads for convolution: expected {len(lhs_shape) - 2}, "
                        f"got {len(pads)}.")
    padded = [int(d) + int(lo) + int(hi) for d, (lo, hi) in zip(lhs_shape[2:], pads)]
    if builtins.any(p < 0 for p in padded):
        raise ValueError("Negative padding is larger than the size of the corresponding dimension: "
                         f"got padding={pads} for lhs_shape[2:]={tuple(lhs_shape[2:])}")
    space = tuple(_stride_dim(d, int(k), int(s)) for d, k, s in zip(padded, rhs_shape[2:], strides))
    n = int(lhs_shape[0])
    if batch_group_count > 1:
        if n % batch_group_count:
            raise ValueError(f"lhs batch dimension {n} is not a multiple of batch_group_count {batch_group_count}")
        n //= batch_group_count
    return (n, int(rhs_shape[0])) + space


def conv_general_shape_tuple(lhs_shape, rhs_shape, window_strides, padding, dimension_numbers):
    """conv_shape_tuple for shapes laid out by string dimension_numbers; the result in out-spec order."""
    lp, rp, op = conv_general_permutations(dimension_numbers)
    out = conv_shape_tuple([lhs_shape[i] for i in lp], [rhs_shape[i] for i in rp], window_strides, padding)
    return tuple(out[i] for i in np.argsort(op))


def conv_transpose_shape_tuple(lhs_shape, rhs_shape, window_strides, padding, dimension_numbers):
    """Output shape of conv_transpose for shapes laid out by string dimension_numbers."""
    lp, rp, op = conv_general_permutations(dimension_numbers)
    lt = [int(lhs_shape[i]) for i in lp]
    rt = [int(rhs_shape[i]) for i in rp]
    if isinstance(padding, str):
        padding = [_conv_transpose_padding(k, s, padding) for k, s in zip(rt[2:], window_strides)]
    totals = [int(lo) + int(hi) for lo, hi in padding]
    space = [(i - 1) * s - k + 2 + p for i, k, s, p in zip(lt[2:], rt[2:], window_strides, totals)]
    out = (lt[0], rt[0]) + tuple(space)
    return tuple(out[i] for i in np.argsort(op))
