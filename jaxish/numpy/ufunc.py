"""jnp.ufunc and jnp.frompyfunc: numpy's ufunc methods (reduce, accumulate, at, outer, reduceat)
for any JAX-compatible function, as JAX's. The ufuncs JAX ships (jnp.add, jnp.maximum, ...) are
instances with fast paths (jnp.sum for add.reduce, .at[].add for add.at); a user function gets
the general ones, built on lax.scan and fori_loop so they trace, differentiate and batch."""
import numpy as np

from ..interpreters import core

__all__ = ["ufunc", "frompyfunc"]

_INPLACE = ("Because JAX arrays are immutable, jnp.ufunc.at() cannot operate inplace like\n"
            "np.ufunc.at(). Instead, you can pass inplace=False and capture the result; e.g.\n"
            ">>> arr = jnp.add.at(arr, ind, val, inplace=False)\n")


def _jnp():
    from .. import numpy
    return numpy


class ufunc:
    """A function with numpy's ufunc methods (jax.numpy.ufunc)."""

    def __init__(self, func, /, nin, nout, *, name=None, nargs=None, identity=None, call=None,
                 reduce=None, accumulate=None, at=None, reduceat=None):
        if not callable(func):
            raise TypeError(f"func must be callable, got {func!r}")
        self._uf_func = func     # private names start _uf_ (jit copies a wrapped object's attributes)
        self.nin, self.nout = int(nin), int(nout)
        self.nargs = int(nargs if nargs is not None else nin)
        self.identity = identity
        self.__name__ = name or getattr(func, "__name__", "ufunc")
        self._uf_call = call
        self._uf_reduce, self._uf_accumulate, self._uf_at, self._uf_reduceat = reduce, accumulate, at, reduceat

    def __repr__(self):
        return f"<jnp.ufunc '{self.__name__}'>"

    def __call__(self, *args, out=None, where=None):
        if out is not None:
            raise NotImplementedError(f"out argument of {self}")
        if where is not None:
            raise NotImplementedError(f"where argument of {self}")
        if len(args) != self.nin:
            raise TypeError(f"{self.__name__}() takes {self.nin} positional argument"
                            f"{'s' if self.nin != 1 else ''} but {len(args)} were given.")
        call = self._uf_call
        if call is None:
            call = self._uf_call = _jnp().vectorize(self._uf_func)
        return call(*args)

    def _binary(self, method):
        if self.nin != 2 or self.nout != 1:
            raise ValueError(f"{method} only supported for binary ufuncs with a single output; "
                             f"{self} has nin={self.nin} and nout={self.nout}")

    # -- reduce --------------------------------------------------------------------------------
    def reduce(self, a, axis=0, dtype=None, out=None, keepdims=False, initial=None, where=None):
        """Reduce `a` along `axis` (None: all axes) by applying the ufunc left to right."""
        self._binary("reduce")
        if out is not None:
            raise NotImplementedError(f"out argument of {self}.reduce()")
        jnp = _jnp()
        a = jnp.asarray(a, dtype=dtype)
        if self._uf_reduce is not None and where is None:
            kw = {} if initial is None else {"initial": initial}
            return self._uf_reduce(a, axis=axis, keepdims=keepdims, **kw)
        if where is not None:
            raise NotImplementedError(f"where argument of {self}.reduce() for a user function")
        nd = a.ndim
        axes = tuple(range(nd)) if axis is None else (axis,) if isinstance(axis, int) else tuple(axis)
        axes = tuple(sorted({_axis(ax, nd) for ax in axes}, reverse=True))
        res = a
        for ax in axes:
            res = self._reduce_one(res, ax, initial)
        if keepdims:
            res = jnp.expand_dims(res, tuple(sorted(axes)))
        return res

    def _reduce_one(self, a, axis, initial):
        from .. import lax
        jnp = _jnp()
        x = jnp.moveaxis(a, axis, 0)
        n = x.shape[0]
        init = initial if initial is not None else self.identity
        if n == 0:
            if init is None:
                raise ValueError(f"zero-size array to reduction operation {self.__name__} which has no identity")
            return jnp.full(x.shape[1:], init, dtype=x.dtype)
        if initial is not None:
            carry, rest = jnp.full(x.shape[1:], initial, dtype=x.dtype), x
        else:
            carry, rest = x[0], x[1:]

        def step(c, v):
            return jnp.asarray(self._uf_func(c, v), dtype=x.dtype), None
        out, _ = lax.scan(step, carry, rest)
        return out

    # -- accumulate ----------------------------------------------------------------------------
    def accumulate(self, a, axis=0, dtype=None, out=None):
        """The running results of reduce along `axis`."""
        self._binary("accumulate")
        if out is not None:
            raise NotImplementedError(f"out argument of {self}.accumulate()")
        jnp = _jnp()
        a = jnp.asarray(a, dtype=dtype)
        if self._uf_accumulate is not None:
            return self._uf_accumulate(a, axis=axis)
        from .. import lax
        axis = _axis(axis, a.ndim)
        x = jnp.moveaxis(a, axis, 0)
        if x.shape[0] == 0:
            return a

        def step(c, v):
            c = jnp.asarray(self._uf_func(c, v), dtype=x.dtype)
            return c, c
        _, rest = lax.scan(step, x[0], x[1:])
        return jnp.moveaxis(jnp.concatenate([x[:1], rest]), 0, axis)

    # -- at --------------------------------------------------------------------------------------
    def at(self, a, indices, b=None, /, *, inplace=True):
        """a with a[indices] = ufunc(a[indices], b), repeated indices applied one after another;
        JAX arrays are immutable, so inplace=False is required."""
        if inplace:
            raise NotImplementedError(_INPLACE)
        jnp = _jnp()
        a = jnp.asarray(a)
        if b is None:
            if self.nin != 1:
                raise ValueError(f"second operand needed for ufunc {self.__name__}")
            return a.at[indices].apply(lambda v: self(v))
        self._binary("at")
        if self._uf_at is not None:
            return self._uf_at(a, indices, b)
        from .. import lax
        idx = a.at[indices]       # normalizes the index expression: read it once, then loop
        sel = idx.get()
        b = jnp.broadcast_to(jnp.asarray(b, dtype=a.dtype), sel.shape)
        pos = jnp.arange(a.size).reshape(a.shape)[indices]
        flat_pos, flat_b = jnp.ravel(pos), jnp.ravel(b)

        def body(i, acc):
            p = flat_pos[i]
            return acc.at[p].set(jnp.asarray(self._uf_func(acc[p], flat_b[i]), dtype=a.dtype))
        return lax.fori_loop(0, flat_pos.shape[0], body, jnp.ravel(a)).reshape(a.shape)

    # -- outer -----------------------------------------------------------------------------------
    def outer(self, A, B, /):
        """ufunc(A[i..., None...], B[..., j...]): every pair of elements."""
        self._binary("outer")
        jnp = _jnp()
        A, B = jnp.asarray(A), jnp.asarray(B)
        return self(A.reshape(A.shape + (1,) * B.ndim), B)

    # -- reduceat --------------------------------------------------------------------------------
    def reduceat(self, a, indices, axis=0, dtype=None, out=None):
        """Reductions over a[indices[i]:indices[i+1]] along `axis` (a[indices[i]] when the next
        index is not larger); indices must be concrete."""
        self._binary("reduceat")
        if out is not None:
            raise NotImplementedError(f"out argument of {self}.reduceat()")
        jnp = _jnp()
        a = jnp.asarray(a, dtype=dtype)
        if isinstance(indices, core.Tracer) and indices.to_concrete_value() is None:
            raise core.ConcretizationTypeError(indices, f"The error arose for the indices of {self}.reduceat().")
        idx = [int(i) for i in np.asarray(indices).ravel()]
        axis = _axis(axis, a.ndim)
        n = a.shape[axis]
        pieces = []
        for k, start in enumerate(idx):
            if not 0 <= start < n:
                raise IndexError(f"index {start} out-of-bounds in {self.__name__}.reduceat [0, {n})")
            stop = idx[k + 1] if k + 1 < len(idx) else n
            part = jnp.take(a, jnp.arange(start, stop if stop > start else start + 1), axis=axis)
            pieces.append(self.reduce(part, axis=axis, keepdims=True))
        return jnp.concatenate(pieces, axis=axis)


def _axis(axis, nd):
    import operator
    axis = operator.index(axis)
    if not -nd <= axis < max(nd, 1):
        raise ValueError(f"axis {axis} is out of bounds for array of dimension {nd}")
    return axis % nd if nd else 0


def frompyfunc(func, /, nin, nout, *, identity=None):
    """A jnp.ufunc from a JAX-compatible scalar function of `nin` arguments."""
    return ufunc(func, nin, nout, identity=identity)


def _install(ns):
    """Make jnp's ufuncs (add, multiply, maximum, ...) ufunc instances with fast methods."""
    from .. import lax
    jnp = _jnp()

    def at(method):
        return lambda a, i, b: getattr(a.at[i], method)(b)

    def make(name, identity, reduce=None, accumulate=None, at_=None):
        raw = ns[name]
        ns[name] = ufunc(raw, 2, 1, name=name, identity=identity, call=raw, reduce=reduce,
                         accumulate=accumulate, at=at_)
    make("add", 0, jnp.sum, lambda a, axis: jnp.cumsum(a, axis=axis), at("add"))
    make("multiply", 1, jnp.prod, lambda a, axis: jnp.cumprod(a, axis=axis), at("multiply"))
    make("subtract", None)
    make("maximum", None, jnp.max, lambda a, axis: lax.cummax(a, axis=_axis(axis, a.ndim)), at("max"))
    make("minimum", None, jnp.min, lambda a, axis: lax.cummin(a, axis=_axis(axis, a.ndim)), at("min"))
    make("logical_and", True, jnp.all)
    make("logical_or", False, jnp.any)
    make("logical_xor", False)
    make("bitwise_and", -1)
    make("bitwise_or", 0)
    make("bitwise_xor", 0)
    make("logaddexp", -np.inf)
    make("logaddexp2", -np.inf)
    raw = ns["negative"]
    ns["negative"] = ufunc(raw, 1, 1, name="negative", call=raw)
