"""jaxish.Array: the abstract array type (tracers are Arrays too) and ArrayImpl, an immutable
wrapper of a torch.Tensor. Operators and methods delegate to jaxish.numpy."""
import numpy as np
import torch

from . import dtypes

_jnp = None


def _np():
    global _jnp
    if _jnp is None:
        from . import numpy as m
        _jnp = m
    return _jnp


def _binop(name, reverse=False):
    fn = []    # the jnp function (a ufunc's plain call), looked up on first use

    def get():
        f = getattr(_np(), name)
        fn.append(getattr(f, "_uf_call", None) or f)
        return fn[0]
    if reverse:
        def op(self, other):
            return (fn[0] if fn else get())(other, self)
    else:
        def op(self, other):
            return (fn[0] if fn else get())(self, other)
    op.__name__ = f"__{'r' if reverse else ''}{name}__"
    return op


def _method(name):
    def m(self, *args, **kwargs):
        return getattr(_np(), name)(self, *args, **kwargs)
    m.__name__ = name
    return m


class Array:
    """Base of every jaxish array value: concrete (ArrayImpl) or traced (Tracer)."""
    __slots__ = ()
    __array_priority__ = 100

    # --- operators ---
    __add__, __radd__ = _binop("add"), _binop("add", True)
    __sub__, __rsub__ = _binop("subtract"), _binop("subtract", True)
    __mul__, __rmul__ = _binop("multiply"), _binop("multiply", True)
    __truediv__, __rtruediv__ = _binop("true_divide"), _binop("true_divide", True)
    __floordiv__, __rfloordiv__ = _binop("floor_divide"), _binop("floor_divide", True)
    __mod__, __rmod__ = _binop("remainder"), _binop("remainder", True)
    __pow__, __rpow__ = _binop("power"), _binop("power", True)
    __matmul__, __rmatmul__ = _binop("matmul"), _binop("matmul", True)
    __and__, __rand__ = _binop("bitwise_and"), _binop("bitwise_and", True)
    __or__, __ror__ = _binop("bitwise_or"), _binop("bitwise_or", True)
    __xor__, __rxor__ = _binop("bitwise_xor"), _binop("bitwise_xor", True)
    __lshift__, __rlshift__ = _binop("left_shift"), _binop("left_shift", True)
    __rshift__, __rrshift__ = _binop("right_shift"), _binop("right_shift", True)
    __lt__, __le__ = _binop("less"), _binop("less_equal")
    __gt__, __ge__ = _binop("greater"), _binop("greater_equal")
    __eq__, __ne__ = _binop("equal"), _binop("not_equal")

    def __divmod__(self, other):
        return _np().divmod(self, other)

    def __rdivmod__(self, other):
        return _np().divmod(other, self)

    def __neg__(self):
        return _np().negative(self)

    def __pos__(self):
        return _np().positive(self)

    def __abs__(self):
        return _np().abs(self)

    def __invert__(self):
        return _np().invert(self)

    def __getitem__(self, idx):
        if type(idx) is list:
            raise list_index_error(idx)
        return _np()._getitem(self, idx)

    def __setitem__(self, idx, value):
        raise TypeError(
            f"'{type(self).__name__}' object does not support item assignment. JAX arrays are "
            "immutable. Instead of ``x[idx] = y``, use ``x = x.at[idx].set(y)``.")

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d array")
        return (self[i] for i in range(self.shape[0]))

    __hash__ = None

    # --- methods ---
    sum = _method("sum")
    mean = _method("mean")
    max = _method("max")
    min = _method("min")
    prod = _method("prod")
    any = _method("any")
    all = _method("all")
    argmax = _method("argmax")
    argmin = _method("argmin")
    argsort = _method("argsort")
    sort = _method("sort")
    cumsum = _method("cumsum")
    cumprod = _method("cumprod")
    var = _method("var")
    std = _method("std")
    ravel = _method("ravel")
    flatten = _method("ravel")
    squeeze = _method("squeeze")
    swapaxes = _method("swapaxes")
    clip = _method("clip")
    round = _method("round")
    conj = _method("conj")
    conjugate = _method("conj")
    dot = _method("dot")
    trace = _method("trace")
    nonzero = _method("nonzero")
    take = _method("take")
    repeat = _method("repeat")
    diagonal = _method("diagonal")

    def reshape(self, *shape, order="C"):
        if len(shape) == 1 and not isinstance(shape[0], int):
            shape = shape[0]
        return _np().reshape(self, shape, order=order)

    def transpose(self, *axes):
        if len(axes) == 1 and (axes[0] is None or not isinstance(axes[0], int)):
            axes = axes[0]
        return _np().transpose(self, axes or None)

    def astype(self, dtype, copy=False):
        return _np().astype(self, dtype)

    def view(self, dtype=None, type=None):
        """The bits read as `dtype` (JAX's Array.view): same shape for equal widths, else the last
        axis resized by the width ratio; bools count as 8 bits."""
        if type is not None:
            raise NotImplementedError("`type` argument of array.view() is not supported.")
        if dtype is None:
            return self
        import numpy as np
        from . import dtypes, lax
        jnp = _np()
        dtype = dtypes.canonicalize(dtypes.check_dtype(dtype, "view"))
        nin, nout = np.dtype(self.dtype).itemsize, np.dtype(dtype).itemsize
        if self.ndim == 0:
            if nin != nout:
                raise ValueError("view() of a 0d array is only supported if the itemsize is unchanged.")
            return self.reshape(1).view(dtype).reshape(())
        if (self.shape[-1] * nin) % nout:
            raise ValueError("When changing to a larger dtype, its size must be a divisor of the total size "
                             "in bytes of the last axis of the array.")
        x = self
        if x.dtype == dtypes.bool_:
            x = x.astype(jnp.uint8)
        wide = jnp.uint8 if dtype == dtypes.bool_ else dtype
        if nin == nout:
            out = lax.bitcast_convert_type(x, wide)
        elif nin > nout:   # each element becomes nin // nout narrower ones
            out = lax.bitcast_convert_type(x, wide)
            out = out.reshape(x.shape[:-1] + (x.shape[-1] * (nin // nout),))
        else:
            r = nout // nin
            out = lax.bitcast_convert_type(x.reshape(x.shape[:-1] + (x.shape[-1] // r, r)), wide)
        return out.astype(jnp.bool_) if dtype == dtypes.bool_ else out

    @property
    def T(self):
        return _np().transpose(self)

    @property
    def mT(self):
        return _np().swapaxes(self, -1, -2)

    @property
    def real(self):
        return _np().real(self)

    @property
    def imag(self):
        return _np().imag(self)

    @property
    def at(self):
        return _np()._IndexUpdateHelper(self)

    @property
    def itemsize(self):
        return self.dtype.itemsize

    @property
    def nbytes(self):
        return self.size * self.dtype.itemsize

    def __round__(self, ndigits=None):
        if ndigits is None:
            return round(float(self))
        return _np().round(self, ndigits)

    def __format__(self, spec):
        if self.ndim == 0:
            return format(self.item(), spec)
        return format(str(self), spec)


def _torch_to_numpy(t):
    t = t.detach()
    if t.device.type != "cpu":
        t = t.cpu()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().view(dtypes.bfloat16)
    if t.dtype in dtypes.TORCH_WIDE_UNSIGNED:
        return t.to(torch.int64).numpy().astype(dtypes.from_torch_dtype(t.dtype))
    return t.numpy()


class _DeletedTensor(torch.Tensor):
    """Stands in for the buffer of a deleted (donated) array: every torch operation on it raises."""

    @staticmethod
    def make(desc):
        t = torch.Tensor._make_subclass(_DeletedTensor, torch.empty(0))
        object.__setattr__(t, "_jaxish_desc", desc)
        return t

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        desc = ""
        for a in list(args) + list((kwargs or {}).values()):
            if type(a) is _DeletedTensor:
                desc = object.__getattribute__(a, "_jaxish_desc")
                break
        raise RuntimeError(f"Array has been deleted with shape={desc}.")


class ArrayImpl(Array):
    """A concrete array: an immutable torch.Tensor plus JAX's weak-type flag."""
    __slots__ = ("_t", "_weak", "_sig")  # _sig: jit's interned (shape, dtype, weak, device) id

    def __init__(self, tensor, weak_type=False):
        self._t = tensor
        self._weak = weak_type
        self._sig = None

    @property
    def aval(self):
        from .ir.avals import ShapedArray
        return ShapedArray(self._t.shape, dtypes._TORCH_TO_NP[self._t.dtype], self._weak)

    @property
    def shape(self):
        return tuple(self._t.shape)

    @property
    def dtype(self):
        return dtypes._TORCH_TO_NP[self._t.dtype]

    @property
    def weak_type(self):
        return self._weak

    @property
    def ndim(self):
        return self._t.dim()

    @property
    def size(self):
        return self._t.numel()

    @property
    def device(self):
        return self._t.device

    def devices(self):
        return {self._t.device}

    def block_until_ready(self):
        if self._t.is_cuda:
            torch.cuda.synchronize(self._t.device)
        return self

    def is_ready(self):
        return True

    def delete(self):
        """Drop the buffer (as donation does): any later use raises RuntimeError."""
        if type(self._t) is not _DeletedTensor:
            desc = f"{self.dtype.name}[{','.join(str(d) for d in self.shape)}]"
            self._t = _DeletedTensor.make(desc)
            self._sig = None

    def is_deleted(self):
        return type(self._t) is _DeletedTensor

    def copy(self):
        return ArrayImpl(self._t.clone(), self._weak)

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self.copy()

    def __reduce__(self):
        return (_rebuild, (np.asarray(self), self._weak))

    def __array__(self, dtype=None, copy=None):
        a = _torch_to_numpy(self._t)
        return a if dtype is None else a.astype(dtype)

    def __dlpack__(self, *args, **kwargs):
        return self._t.__dlpack__(*args, **kwargs)

    def __dlpack_device__(self):
        return self._t.__dlpack_device__()

    def item(self):
        if self._t.numel() != 1:
            raise ValueError("can only convert an array of size 1 to a Python scalar")
        return np.asarray(self).item()

    def tolist(self):
        return np.asarray(self).tolist()

    def __bool__(self):
        n = self._t.numel()
        if n != 1:
            if n == 0:
                raise ValueError("The truth value of an empty array is ambiguous. Use "
                                 "`array.size > 0` to check that an array is not empty.")
            raise ValueError("The truth value of an array with more than one element is "
                             "ambiguous. Use a.any() or a.all()")
        return bool(self._t.item())

    def _scalar(self):
        if self._t.dim():
            raise TypeError(f"Only scalar arrays can be converted to Python scalars; got "
                            f"arr.ndim={self._t.dim()}")
        return self.item()

    def __int__(self):
        return int(self._scalar())

    def __float__(self):
        return float(self._scalar())

    def __complex__(self):
        return complex(self._scalar())

    def __index__(self):
        if not dtypes.is_int(self.dtype) or self._t.numel() != 1:
            raise TypeError("only integer scalar arrays can be converted to a scalar index")
        return int(self._t.item())

    def __repr__(self):
        a = np.asarray(self)
        extra = f"dtype={self.dtype.name}" + (", weak_type=True" if self._weak else "")
        if a.size == 0:
            return f"Array([], shape={a.shape}, {extra})"
        body = np.array2string(a, separator=", ", prefix="Array(")
        return f"Array({body}, {extra})"

    def __str__(self):
        return str(np.asarray(self))


def _rebuild(a, weak):
    from . import numpy as jnp
    return ArrayImpl(jnp.asarray(a)._t, weak)


def from_torch(tensor):
    """Wrap a torch.Tensor as an Array with no copy (64-bit dtypes narrow when x64 is off)."""
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"from_torch expects a torch.Tensor, got {type(tensor).__name__}")
    if tensor.dtype not in dtypes._TORCH_TO_NP:
        raise TypeError(f"from_torch: unsupported torch dtype {tensor.dtype}")
    want = dtypes.to_torch_dtype(dtypes.canonicalize(dtypes.from_torch_dtype(tensor.dtype)))
    if want != tensor.dtype:
        tensor = tensor.to(want)
    return ArrayImpl(tensor.detach())


def to_torch(x):
    """The torch.Tensor behind an Array (no copy)."""
    if isinstance(x, ArrayImpl):
        return x._t
    from . import numpy as jnp
    return jnp.asarray(x)._t


def from_dlpack(obj):
    return from_torch(torch.utils.dlpack.from_dlpack(obj))


def list_index_error(idx):
    """JAX's TypeError for `x[[0, 1]]`: a list index is not an array there (numpy's old
    multidimensional reading); `x[jnp.array(seq)]` or `x[tuple(seq)]` says which is meant."""
    unpack = any(e is None or e is Ellipsis or isinstance(e, (slice, list, tuple)) or
                 (hasattr(e, "ndim") and e.ndim > 0) for e in idx)
    fix = "arr[tuple(seq)]" if unpack else "arr[array(seq)]"
    return TypeError("Using a non-tuple sequence for multidimensional indexing is not allowed; use "
                     f"`{fix}` instead of `arr[seq]`. See https://github.com/jax-ml/jax/issues/4564 "
                     "for more information.")
