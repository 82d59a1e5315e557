"""Abstract values: what staging and abstract_eval know about an array (shape, dtype, weak type)."""
import numpy as np

from .. import dtypes


class ShapedArray:
    __slots__ = ("shape", "dtype", "weak_type", "_hash")

    def __init__(self, shape, dtype, weak_type=False):
        self.shape = tuple(int(d) for d in shape)
        self.dtype = np.dtype(dtype)
        self.weak_type = bool(weak_type)
        self._hash = hash((self.shape, self.dtype, self.weak_type))

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def size(self):
        n = 1
        for d in self.shape:
            n *= d
        return n

    def update(self, shape=None, dtype=None, weak_type=None):
        return ShapedArray(self.shape if shape is None else shape,
                           self.dtype if dtype is None else dtype,
                           self.weak_type if weak_type is None else weak_type)

    def strip_weak_type(self):
        return self.update(weak_type=False) if self.weak_type else self

    def __eq__(self, other):
        return (isinstance(other, ShapedArray) and self.shape == other.shape
                and self.dtype == other.dtype and self.weak_type == other.weak_type)

    def __hash__(self):
        return self._hash

    def str_short(self):
        return f"{dtypes.dtype_short(self.dtype)}[{','.join(str(d) for d in self.shape)}]"

    def __str__(self):   # as JAX: float32[3]
        return f"{np.dtype(self.dtype).name}[{','.join(str(d) for d in self.shape)}]"

    def __repr__(self):
        w = ", weak_type=True" if self.weak_type else ""
        return f"ShapedArray({self}{w})"


def tangent_dtype(dtype):
    """The dtype of tangents for primals of `dtype` (float0 for ints in JAX; we use the same dtype
    flagged as non-differentiable by callers)."""
    return dtype
