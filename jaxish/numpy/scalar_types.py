"""Scalar types (jnp.float32 etc.): numpy-dtype-like objects that build 0-d arrays when called."""
import numpy as np

from .. import dtypes


class _ScalarMeta(type):
    """The metaclass of jnp.float32 & co. (as JAX's): calling the class builds a 0-d array of its
    dtype, it compares equal to that dtype, and isinstance checks numpy scalars of the dtype."""

    def __call__(cls, x=0):
        from .creation import asarray
        if type(x) is int and cls.dtype.kind in "iu":
            info = np.iinfo(cls.dtype)
            if not info.min <= x <= info.max:   # as JAX (numpy would wrap or raise otherwise)
                raise OverflowError(f"Python integer {x} out of bounds for {cls.dtype.name}")
        return asarray(x, dtype=cls.dtype)

    def __repr__(cls):
        return f"<class 'jaxish.numpy.{cls.__name__}'>"

    def __eq__(cls, other):
        if cls is other:
            return True
        try:
            if isinstance(other, type) and issubclass(other, np.generic):
                return cls.dtype == np.dtype(other)
            return cls.dtype == np.dtype(getattr(other, "dtype", other))
        except TypeError:
            return False

    def __ne__(cls, other):
        return not cls == other

    def __hash__(cls):
        return hash(cls.dtype)

    def __instancecheck__(cls, instance):
        return isinstance(instance, cls.dtype.type)


def _ScalarType(name, dtype):
    return _ScalarMeta(name, (), {"dtype": np.dtype(dtype), "__module__": "jaxish.numpy"})


bool_ = _ScalarType("bool_", dtypes.bool_)
int8 = _ScalarType("int8", dtypes.int8)
int16 = _ScalarType("int16", dtypes.int16)
int32 = _ScalarType("int32", dtypes.int32)
int64 = _ScalarType("int64", dtypes.int64)
uint8 = _ScalarType("uint8", dtypes.uint8)
uint16 = _ScalarType("uint16", dtypes.uint16)
uint32 = _ScalarType("uint32", dtypes.uint32)
uint64 = _ScalarType("uint64", dtypes.uint64)
float16 = _ScalarType("float16", dtypes.float16)
bfloat16 = _ScalarType("bfloat16", dtypes.bfloat16)
float32 = _ScalarType("float32", dtypes.float32)
float64 = _ScalarType("float64", dtypes.float64)
complex64 = _ScalarType("complex64", dtypes.complex64)
complex128 = _ScalarType("complex128", dtypes.complex128)
float_ = float64
int_ = int64
uint = uint64
complex_ = complex128
single, double = float32, float64
half = float16
