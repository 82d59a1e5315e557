"""jaxish.numpy against numpy (values) and real JAX 0.10.2 (result dtypes and error types).

Values: hypothesis draws shapes (0-d, empty, broadcasting), dtypes and values; numpy computes
the oracle in float64/complex128 from inputs cast to the dtype JAX computes in. Dtypes: the
JAX_*_DTYPES tables below were produced by real JAX (`/work/jaxenv`, x64 off) for the same
calls on `jnp.ones((2,), dtype)` (and Python scalars 2 / 2.0 / 2j); 'f32*' means weak_type,
'!TypeError' means JAX raised that exception.
"""
import builtins
import math

import ml_dtypes
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import jaxish as jax
import jaxish.numpy as jnp

SETTINGS = settings(max_examples=12, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])

SHORT = {"b": "bool", "i8": "int8", "i16": "int16", "i32": "int32", "i64": "int64", "u8": "uint8",
         "u16": "uint16", "u32": "uint32", "f16": "float16", "bf16": "bfloat16", "f32": "float32",
         "f64": "float64", "c64": "complex64", "int": "int", "float": "float", "complex": "complex"}
NP_DTYPES = {name: (np.dtype(ml_dtypes.bfloat16) if name == "bfloat16" else np.dtype(name))
             for name in SHORT.values() if name not in ("int", "float", "complex")}
ALL = ["bool", "int8", "int16", "int32", "uint8", "uint16", "uint32", "float16", "bfloat16",
       "float32", "complex64"]
JAX_UNARY_DTYPES = {
    'abs': 'bf16:bf16 b:b c64:f32 f16:f16 f32:f32 i16:i16 i32:i32 i8:i8 u16:u16 u32:u32 u8:u8',
    'arccos': 'bf16:bf16 b:f32 c64:c64 f16:f16 f32:f32 i16:f32 i32:f32 i8:f32 u16:f32 u32:f32 u8:f32',
    'arccosh': 'bf16:bf16 b:f32 c64:c64 f16:f16 f32:f32 i16:f32 i32:f32 i8:f32 u16:f32 u32:f32 u8:f32',
    'arcsin': 'bf16:bf16 b:f32 c64:c64 f16:f16 f32:f32 i16:f32 i32:f32 i8:f32 u16:f32 u32:f32 u8:f32',
    'arcsinh': 'bf16:bf16 b:f32 c64:c64 f16:f16 f32:f32 i16:f32 i32:f32 i8:f32 u16:f32 u32:f32 u8:f32',
    'arctan': 'bf16:bf16 b:f32 c64:c64 f16:f16 f32:f32 i16:f32 i32:f32 i8:f32 u16:f32 u32:f32 u8:f32',
    'arctanh': 'bf16:bf16 b:f32 c64:c64 f16:f16 f32:f32 i16:f32 i32:f32 i8:f32 u16:f32 u32:f32 u8:f32',
    'cbrt': 'bf16:bf16 b:f32 c64:!TypeError f16:f16 f32:f32 i16:f32 i32:f32 i8:f32 u16:f32 u32:f32 u8:f32',
    'ceil': 'bf16:bf16 b:b c64:!TypeError f16:f16 f32:f32 i16:i16 i32:i32 i8:i8 u16:u16 u32:u32 u8:u8',
    'conj': 'bf16:bf16 b:b c64:c64 f16:f16 f32:f32 i16:i16 i32:i32 i8:i8 u16:u16 u32:u32 u8:u8',
    'cos': 'bf16:bf16 b:f32 c64:c64 f16:f16 f32:f32 i16:f32 i32:f32 i8:f32 u16:f32 u32:f32 u8:f32',
    'cosh': 'bf16:bf16 b:f32 c64:c64 f16:f16 f32:f32 i16:f32 i32:f32 i8:f32 u16:f32 u32:f32 u8:f32',
    'deg2rad': 'bf16:bf16 b:f32 c64:c64 f16:f16 f32:f32 i16:f32 i32:f32 i8:f32 u16:f32 u32:f32 u8:f32',
    'exp': 'bf16:bf16 b:f32 c64:c64 f16:f16 f32:f32 i16:f32 i32:f32 i8:f32 u16:f32 u32:f32 u8:f32',
    'exp2': 'bf16:bf16 b:f32 c64:c64 f16:f16 f32:f32 i16:f32 i32:f32 i8:f32 u16:f32 u32:f32 u8:f32',
    'expm1': 'bf16:bf16 b:f32 c64:c64 f16:f16 f32:f32 i16:f32 i32:f32 i8:f32 u16:f32 u32:f32 u8:f32',
    'fabs': 'bf16:bf16 b:f32 c64:!TypeError f16:f16 f32:f32 i16:f32 i32:f32 i8:f32 u16:f32 u32:f32 u8:f32',
    'floor': 'bf16:bf16 b:b c64:!TypeError f16:f16 f32:f32 i16:i16 i32:i32 i8:i8 u16:u16 u32:u32 u8:u8',
    'imag': 'bf16:bf16 b:b c64:f32 f16:f16 f32:f32 i16:i16 i32:i32 i8:i8 u16:u16 u32:u32 u8:u8',
    'invert': 'bf16:!TypeError b:b c64:!TypeError f16:!TypeError f32:!TypeError i16:i16 i32:i32 i8:i8 u16:u16 u32:u32 u8:u8',
    'isfinite': 'bf16:b b:b c64:b f16:b f32:b i16:b i32:b i8:b u16:b u32:b u8:b',
    'isinf': 'bf16:b b:b c64:b f16:b f32:b i16:b i32:b i8:b u16:b u32:b u8:b',
    'isnan': 'bf16:b b:b c64:b f16:b f32:b i16:b i32:b i8:b u16:b u32:b u8:b',
    'isneginf': 'bf16:b b:b c64:!ValueError f16:b f32:b i16:b i32:b i8:b u16:b u32:b u8:b',
    'isposinf': 'bf16:b b:b c64:!ValueError f16:b f32:b i16:b i32:b i8:b u16:b u32:b u8:b',
    'log': 'bf16:bf16 b:f32 c64:c64 f16:f16 f32:f32 i16:f32 i32:f32 i8:f32 u16:f32 u32:f32 u8:f32',
    'log10': 'bf16:bf16 b:f32 c64:c64 f16:f16 f32:f32 i16:f32 i32:f32 i8:f32 u16:f32 u32:f32 u8:f32',
    'log1p': 'bf16:bf16 b:f32 c64:c64 f16:f16 f32:f32 i16:f32 i32:f32 i8:f32 u16:f32 u32:f32 u8:f32',
    'log2': 'bf16:bf16 b:f32 c64:c64 f16:f16 f32:f32 i16:f32 i32:f32 i8:f32 u16:f32 u32:f32 u8:f32',
    'logical_not': 'bf16:b b:b c64:b f16:b f32:b i16:b i32:b i8:b u16:b u32:b u8:b',
    'nan_to_num': 'bf16:bf16 b:b c64:c64 f16:f16 f32:f32 i16:i16 i32:i32 i8:i8 u16:u16 u32:u32 u8:u8',
    'negative': 'bf16:bf16 b:!TypeError c64:c64 f16:f16 f32:f32 i16:i16 i32:i32 i8:i8 u16:u16 u32:u32 u8:u8',
    'positive': 'bf16:bf16 b:b c64:c64 f16:f16 f32:f32 i16:i16 i32:i32 i8:i8 u16:u16 u32:u32 u8:u8',
    'rad2deg': 'bf16:bf16 b:f32 c64:c64 f16:f16 f32:f32 i16:f32 i32:f32 i8:f32 u16:f32 u32:f32 u8:f32',
    'real': 'bf16:bf16 b:b c64:f32 f16:f16 f32:f32 i16:i16 i32:i32 i8:i8 u16:u16 u32:u32 u8:u8',
    'reciprocal': 'bf16:bf16 b:f32 c64:c64 f16:f16 f32:f32 i16:f32 i32:f32 i8:f32 u16:f32 u32:f32 u8:f32',
    'rint': 'bf16:bf16 b:f32 c64:c64 f16:f16 f32:f32 i16:f32 i32:f32 i8:f32 u16:f32 u32:f32 u8:f32',
    'round': 'bf16:bf16 b:!ValueError c64:c64 f16:f16 f32:f32 i16:i16 i32:i32 i8:i8 u16:u16 u32:u32 u8:u8',
    'sign': 'bf16:bf16 b:!TypeError c64:c64 f16:f16 f32:f32 i16:i16 i32:i32 i8:i8 u16:u16 u32:u32 u8:u8',
    'signbit': 'bf16:b b:b c64:!ValueError f16:b f32:b i16:b i32:b i8:b u16:b u32:b u8:b',
    'sin': 'bf16:bf16 b:f32 c64:c64 f16:f16 f32:f32 i16:f32 i32:f32 i8:f32 u16:f32 u32:f32 u8:f32',
    'sinc': 'bf16:bf16 b:f32 c64:c64 f16:f16 f32:f32 i16:f32 i32:f32 i8:f32 u16:f32 u32:f32 u8:f32',
    'sinh': 'bf16:bf16 b:f32 c64:c64 f16:f16 f32:f32 i16:f32 i32:f32 i8:f32 u16:f32 u32:f32 u8:f32',
    'sqrt': 'bf16:bf16 b:f32 c64:c64 f16:f16 f32:f32 i16:f32 i32:f32 i8:f32 u16:f32 u32:f32 u8:f32',
    'square': 'bf16:bf16 b:i32 c64:c64 f16:f16 f32:f32 i16:i16 i32:i32 i8:i8 u16:u16 u32:u32 u8:u8',
    'tan': 'bf16:bf16 b:f32 c64:c64 f16:f16 f32:f32 i16:f32 i32:f32 i8:f32 u16:f32 u32:f32 u8:f32',
    'tanh': 'bf16:bf16 b:f32 c64:c64 f16:f16 f32:f32 i16:f32 i32:f32 i8:f32 u16:f32 u32:f32 u8:f32',
    'trunc': 'bf16:bf16 b:b c64:!TypeError f16:f16 f32:f32 i16:i16 i32:i32 i8:i8 u16:u16 u32:u32 u8:u8',
}

JAX_REDUCE_DTYPES = {
    'all': 'bf16:b b:b c64:b f16:b f32:b i16:b i32:b i8:b u16:b u32:b u8:b',
    'any': 'bf16:b b:b c64:b f16:b f32:b i16:b i32:b i8:b u16:b u32:b u8:b',
    'argmax': 'bf16:i32 b:i32 c64:!TypeError f16:i32 f32:i32 i16:i32 i32:i32 i8:i32 u16:i32 u32:i32 u8:i32',
    'argmin': 'bf16:i32 b:i32 c64:!TypeError f16:i32 f32:i32 i16:i32 i32:i32 i8:i32 u16:i32 u32:i32 u8:i32',
    'count_nonzero': 'bf16:i32 b:i32 c64:i32 f16:i32 f32:i32 i16:i32 i32:i32 i8:i32 u16:i32 u32:i32 u8:i32',
    'cumprod': 'bf16:bf16 b:i32 c64:c64 f16:f16 f32:f32 i16:i16 i32:i32 i8:i8 u16:u16 u32:u32 u8:u8',
    'cumsum': 'bf16:bf16 b:i32 c64:c64 f16:f16 f32:f32 i16:i16 i32:i32 i8:i8 u16:u16 u32:u32 u8:u8',
    'max': 'bf16:bf16 b:b c64:c64 f16:f16 f32:f32 i16:i16 i32:i32 i8:i8 u16:u16 u32:u32 u8:u8',
    'mean': 'bf16:bf16 b:f32 c64:c64 f16:f16 f32:f32 i16:f32 i32:f32 i8:f32 u16:f32 u32:f32 u8:f32',
    'min': 'bf16:bf16 b:b c64:c64 f16:f16 f32:f32 i16:i16 i32:i32 i8:i8 u16:u16 u32:u32 u8:u8',
    'prod': 'bf16:bf16 b:i32 c64:c64 f16:f16 f32:f32 i16:i32 i32:i32 i8:i32 u16:u32 u32:u32 u8:u32',
    'ptp': 'bf16:bf16 b:!TypeError c64:c64 f16:f16 f32:f32 i16:i16 i32:i32 i8:i8 u16:u16 u32:u32 u8:u8',
    'std': 'bf16:bf16 b:f32 c64:f32 f16:f16 f32:f32 i16:f32 i32:f32 i8:f32 u16:f32 u32:f32 u8:f32',
    'sum': 'bf16:bf16 b:i32 c64:c64 f16:f16 f32:f32 i16:i32 i32:i32 i8:i32 u16:u32 u32:u32 u8:u32',
    'var': 'bf16:bf16 b:f32 c64:f32 f16:f16 f32:f32 i16:f32 i32:f32 i8:f32 u16:f32 u32:f32 u8:f32',
}

JAX_BINARY_DTYPES = {
    'add': 'bf16/bf16:bf16 bf16/f16:f32 b/b:b b/float:f32* b/int:i32* b/i8:i8 c64/c64:c64 f16/float:f16 f16/f16:f16 f32/c64:c64 f32/f32:f32 i16/i16:i16 i16/u32:i32 i32/float:f32* i32/f16:f16 i32/f32:f32 i32/int:i32 i32/i32:i32 i8/complex:c64* i8/i8:i8 i8/u8:i16 u16/u16:u16 u32/i32:i32 u32/u32:u32 u8/bf16:bf16 u8/int:u8 u8/i16:i16 u8/u8:u8',
    'arctan2': 'bf16/bf16:bf16 bf16/f16:f32 b/b:f32 b/float:f32* b/int:f32* b/i8:f32 c64/c64:c64 f16/float:f16 f16/f16:f16 f32/c64:c64 f32/f32:f32 i16/i16:f32 i16/u32:f32 i32/float:f32* i32/f16:f16 i32/f32:f32 i32/int:f32 i32/i32:f32 i8/complex:c64* i8/i8:f32 i8/u8:f32 u16/u16:f32 u32/i32:f32 u32/u32:f32 u8/bf16:bf16 u8/int:f32 u8/i16:f32 u8/u8:f32',
    'bitwise_and': 'bf16/bf16:!TypeError bf16/f16:!TypeError b/b:b b/float:!TypeError b/int:i32* b/i8:i8 c64/c64:!TypeError f16/float:!TypeError f16/f16:!TypeError f32/c64:!TypeError f32/f32:!TypeError i16/i16:i16 i16/u32:i32 i32/float:!TypeError i32/f16:!TypeError i32/f32:!TypeError i32/int:i32 i32/i32:i32 i8/complex:!TypeError i8/i8:i8 i8/u8:i16 u16/u16:u16 u32/i32:i32 u32/u32:u32 u8/bf16:!TypeError u8/int:u8 u8/i16:i16 u8/u8:u8',
    'bitwise_or': 'bf16/bf16:!TypeError bf16/f16:!TypeError b/b:b b/float:!TypeError b/int:i32* b/i8:i8 c64/c64:!TypeError f16/float:!TypeError f16/f16:!TypeError f32/c64:!TypeError f32/f32:!TypeError i16/i16:i16 i16/u32:i32 i32/float:!TypeError i32/f16:!TypeError i32/f32:!TypeError i32/int:i32 i32/i32:i32 i8/complex:!TypeError i8/i8:i8 i8/u8:i16 u16/u16:u16 u32/i32:i32 u32/u32:u32 u8/bf16:!TypeError u8/int:u8 u8/i16:i16 u8/u8:u8',
    'bitwise_xor': 'bf16/bf16:!TypeError bf16/f16:!TypeError b/b:b b/float:!TypeError b/int:i32* b/i8:i8 c64/c64:!TypeError f16/float:!TypeError f16/f16:!TypeError f32/c64:!TypeError f32/f32:!TypeError i16/i16:i16 i16/u32:i32 i32/float:!TypeError i32/f16:!TypeError i32/f32:!TypeError i32/int:i32 i32/i32:i32 i8/complex:!TypeError i8/i8:i8 i8/u8:i16 u16/u16:u16 u32/i32:i32 u32/u32:u32 u8/bf16:!TypeError u8/int:u8 u8/i16:i16 u8/u8:u8',
    'copysign': 'bf16/bf16:bf16 bf16/f16:f32 b/b:f32 b/float:f32* b/int:f32* b/i8:f32 c64/c64:!TypeError f16/float:f16 f16/f16:f16 f32/c64:!TypeError f32/f32:f32 i16/i16:f32 i16/u32:f32 i32/float:f32* i32/f16:f16 i32/f32:f32 i32/int:f32 i32/i32:f32 i8/complex:!TypeError i8/i8:f32 i8/u8:f32 u16/u16:f32 u32/i32:f32 u32/u32:f32 u8/bf16:bf16 u8/int:f32 u8/i16:f32 u8/u8:f32',
    'divide': 'bf16/bf16:bf16 bf16/f16:f32 b/b:f32 b/float:f32* b/int:f32* b/i8:f32 c64/c64:c64 f16/float:f16 f16/f16:f16 f32/c64:c64 f32/f32:f32 i16/i16:f32 i16/u32:f32 i32/float:f32* i32/f16:f16 i32/f32:f32 i32/int:f32 i32/i32:f32 i8/complex:c64* i8/i8:f32 i8/u8:f32 u16/u16:f32 u32/i32:f32 u32/u32:f32 u8/bf16:bf16 u8/int:f32 u8/i16:f32 u8/u8:f32',
    'equal': 'bf16/bf16:b bf16/f16:b b/b:b b/float:b* b/int:b* b/i8:b c64/c64:b f16/float:b f16/f16:b f32/c64:b f32/f32:b i16/i16:b i16/u32:b i32/float:b* i32/f16:b i32/f32:b i32/int:b i32/i32:b i8/complex:b* i8/i8:b i8/u8:b u16/u16:b u32/i32:b u32/u32:b u8/bf16:b u8/int:b u8/i16:b u8/u8:b',
    'float_power': 'bf16/bf16:bf16 bf16/f16:f32 b/b:f32 b/float:f32* b/int:f32* b/i8:f32 c64/c64:c64 f16/float:f16 f16/f16:f16 f32/c64:c64 f32/f32:f32 i16/i16:f32 i16/u32:f32 i32/float:f32* i32/f16:f16 i32/f32:f32 i32/int:f32 i32/i32:f32 i8/complex:c64* i8/i8:f32 i8/u8:f32 u16/u16:f32 u32/i32:f32 u32/u32:f32 u8/bf16:bf16 u8/int:f32 u8/i16:f32 u8/u8:f32',
    'floor_divide': 'bf16/bf16:bf16 bf16/f16:f32 b/b:i32 b/float:f32* b/int:i32* b/i8:i8 c64/c64:!TypeError f16/float:f16 f16/f16:f16 f32/c64:!TypeError f32/f32:f32 i16/i16:i16 i16/u32:i32 i32/float:f32* i32/f16:f16 i32/f32:f32 i32/int:i32 i32/i32:i32 i8/complex:!TypeError i8/i8:i8 i8/u8:i16 u16/u16:u16 u32/i32:i32 u32/u32:u32 u8/bf16:bf16 u8/int:u8 u8/i16:i16 u8/u8:u8',
    'fmax': 'bf16/bf16:bf16 bf16/f16:f32 b/b:b b/float:f32* b/int:i32* b/i8:i8 c64/c64:c64 f16/float:f16 f16/f16:f16 f32/c64:c64 f32/f32:f32 i16/i16:i16 i16/u32:i32 i32/float:f32* i32/f16:f16 i32/f32:f32 i32/int:i32 i32/i32:i32 i8/complex:c64* i8/i8:i8 i8/u8:i16 u16/u16:u16 u32/i32:i32 u32/u32:u32 u8/bf16:bf16 u8/int:u8 u8/i16:i16 u8/u8:u8',
    'fmin': 'bf16/bf16:bf16 bf16/f16:f32 b/b:b b/float:f32* b/int:i32* b/i8:i8 c64/c64:c64 f16/float:f16 f16/f16:f16 f32/c64:c64 f32/f32:f32 i16/i16:i16 i16/u32:i32 i32/float:f32* i32/f16:f16 i32/f32:f32 i32/int:i32 i32/i32:i32 i8/complex:c64* i8/i8:i8 i8/u8:i16 u16/u16:u16 u32/i32:i32 u32/u32:u32 u8/bf16:bf16 u8/int:u8 u8/i16:i16 u8/u8:u8',
    'fmod': 'bf16/bf16:bf16 bf16/f16:f32 b/b:i32 b/float:f32* b/int:i32* b/i8:i8 c64/c64:!TypeError f16/float:f16 f16/f16:f16 f32/c64:!TypeError f32/f32:f32 i16/i16:i16 i16/u32:i32 i32/float:f32* i32/f16:f16 i32/f32:f32 i32/int:i32 i32/i32:i32 i8/complex:!TypeError i8/i8:i8 i8/u8:i16 u16/u16:u16 u32/i32:i32 u32/u32:u32 u8/bf16:bf16 u8/int:u8 u8/i16:i16 u8/u8:u8',
    'gcd': 'bf16/bf16:!ValueError bf16/f16:!ValueError b/b:!ValueError b/float:!ValueError b/int:i32 b/i8:i8 c64/c64:!ValueError f16/float:!ValueError f16/f16:!ValueError f32/c64:!ValueError f32/f32:!ValueError i16/i16:i16 i16/u32:i32 i32/float:!ValueError i32/f16:!ValueError i32/f32:!ValueError i32/int:i32 i32/i32:i32 i8/complex:!ValueError i8/i8:i8 i8/u8:i16 u16/u16:u16 u32/i32:i32 u32/u32:u32 u8/bf16:!ValueError u8/int:u8 u8/i16:i16 u8/u8:u8',
    'greater': 'bf16/bf16:b bf16/f16:b b/b:b b/float:b* b/int:b* b/i8:b c64/c64:b f16/float:b f16/f16:b f32/c64:b f32/f32:b i16/i16:b i16/u32:b i32/float:b* i32/f16:b i32/f32:b i32/int:b i32/i32:b i8/complex:b* i8/i8:b i8/u8:b u16/u16:b u32/i32:b u32/u32:b u8/bf16:b u8/int:b u8/i16:b u8/u8:b',
    'greater_equal': 'bf16/bf16:b bf16/f16:b b/b:b b/float:b* b/int:b* b/i8:b c64/c64:b f16/float:b f16/f16:b f32/c64:b f32/f32:b i16/i16:b i16/u32:b i32/float:b* i32/f16:b i32/f32:b i32/int:b i32/i32:b i8/complex:b* i8/i8:b i8/u8:b u16/u16:b u32/i32:b u32/u32:b u8/bf16:b u8/int:b u8/i16:b u8/u8:b',
    'heaviside': 'bf16/bf16:bf16 bf16/f16:f32 b/b:f32 b/float:f32 b/int:f32 b/i8:f32 c64/c64:!TypeError f16/float:f16 f16/f16:f16 f32/c64:!TypeError f32/f32:f32 i16/i16:f32 i16/u32:f32 i32/float:f32 i32/f16:f16 i32/f32:f32 i32/int:f32 i32/i32:f32 i8/complex:!TypeError i8/i8:f32 i8/u8:f32 u16/u16:f32 u32/i32:f32 u32/u32:f32 u8/bf16:bf16 u8/int:f32 u8/i16:f32 u8/u8:f32',
    'hypot': 'bf16/bf16:bf16 bf16/f16:f32 b/b:f32 b/float:f32 b/int:f32 b/i8:f32 c64/c64:!ValueError f16/float:f16 f16/f16:f16 f32/c64:!ValueError f32/f32:f32 i16/i16:f32 i16/u32:f32 i32/float:f32 i32/f16:f16 i32/f32:f32 i32/int:f32 i32/i32:f32 i8/complex:!ValueError i8/i8:f32 i8/u8:f32 u16/u16:f32 u32/i32:f32 u32/u32:f32 u8/bf16:bf16 u8/int:f32 u8/i16:f32 u8/u8:f32',
    'lcm': 'bf16/bf16:!ValueError bf16/f16:!ValueError b/b:!ValueError b/float:!ValueError b/int:i32 b/i8:i8 c64/c64:!ValueError f16/float:!ValueError f16/f16:!ValueError f32/c64:!ValueError f32/f32:!ValueError i16/i16:i16 i16/u32:i32 i32/float:!ValueError i32/f16:!ValueError i32/f32:!ValueError i32/int:i32 i32/i32:i32 i8/complex:!ValueError i8/i8:i8 i8/u8:i16 u16/u16:u16 u32/i32:i32 u32/u32:u32 u8/bf16:!ValueError u8/int:u8 u8/i16:i16 u8/u8:u8',
    'left_shift': 'bf16/bf16:!TypeError bf16/f16:!TypeError b/b:i32 b/float:!TypeError b/int:i32* b/i8:i8 c64/c64:!TypeError f16/float:!TypeError f16/f16:!TypeError f32/c64:!TypeError f32/f32:!TypeError i16/i16:i16 i16/u32:i32 i32/float:!TypeError i32/f16:!TypeError i32/f32:!TypeError i32/int:i32 i32/i32:i32 i8/complex:!TypeError i8/i8:i8 i8/u8:i16 u16/u16:u16 u32/i32:i32 u32/u32:u32 u8/bf16:!TypeError u8/int:u8 u8/i16:i16 u8/u8:u8',
    'less': 'bf16/bf16:b bf16/f16:b b/b:b b/float:b* b/int:b* b/i8:b c64/c64:b f16/float:b f16/f16:b f32/c64:b f32/f32:b i16/i16:b i16/u32:b i32/float:b* i32/f16:b i32/f32:b i32/int:b i32/i32:b i8/complex:b* i8/i8:b i8/u8:b u16/u16:b u32/i32:b u32/u32:b u8/bf16:b u8/int:b u8/i16:b u8/u8:b',
    'less_equal': 'bf16/bf16:b bf16/f16:b b/b:b b/float:b* b/int:b* b/i8:b c64/c64:b f16/float:b f16/f16:b f32/c64:b f32/f32:b i16/i16:b i16/u32:b i32/float:b* i32/f16:b i32/f32:b i32/int:b i32/i32:b i8/complex:b* i8/i8:b i8/u8:b u16/u16:b u32/i32:b u32/u32:b u8/bf16:b u8/int:b u8/i16:b u8/u8:b',
    'logaddexp': 'bf16/bf16:bf16 bf16/f16:f32 b/b:f32 b/float:f32* b/int:f32* b/i8:f32 c64/c64:c64 f16/float:f16 f16/f16:f16 f32/c64:c64 f32/f32:f32 i16/i16:f32 i16/u32:f32 i32/float:f32* i32/f16:f16 i32/f32:f32 i32/int:f32 i32/i32:f32 i8/complex:c64 i8/i8:f32 i8/u8:f32 u16/u16:f32 u32/i32:f32 u32/u32:f32 u8/bf16:bf16 u8/int:f32 u8/i16:f32 u8/u8:f32',
    'logaddexp2': 'bf16/bf16:bf16 bf16/f16:f32 b/b:f32 b/float:f32 b/int:f32 b/i8:f32 c64/c64:c64 f16/float:f16 f16/f16:f16 f32/c64:c64 f32/f32:f32 i16/i16:f32 i16/u32:f32 i32/float:f32 i32/f16:f16 i32/f32:f32 i32/int:f32 i32/i32:f32 i8/complex:c64 i8/i8:f32 i8/u8:f32 u16/u16:f32 u32/i32:f32 u32/u32:f32 u8/bf16:bf16 u8/int:f32 u8/i16:f32 u8/u8:f32',
    'logical_and': 'bf16/bf16:b bf16/f16:b b/b:b b/float:b b/int:b b/i8:b c64/c64:b f16/float:b f16/f16:b f32/c64:b f32/f32:b i16/i16:b i16/u32:b i32/float:b i32/f16:b i32/f32:b i32/int:b i32/i32:b i8/complex:b i8/i8:b i8/u8:b u16/u16:b u32/i32:b u32/u32:b u8/bf16:b u8/int:b u8/i16:b u8/u8:b',
    'logical_or': 'bf16/bf16:b bf16/f16:b b/b:b b/float:b b/int:b b/i8:b c64/c64:b f16/float:b f16/f16:b f32/c64:b f32/f32:b i16/i16:b i16/u32:b i32/float:b i32/f16:b i32/f32:b i32/int:b i32/i32:b i8/complex:b i8/i8:b i8/u8:b u16/u16:b u32/i32:b u32/u32:b u8/bf16:b u8/int:b u8/i16:b u8/u8:b',
    'logical_xor': 'bf16/bf16:b bf16/f16:b b/b:b b/float:b b/int:b b/i8:b c64/c64:b f16/float:b f16/f16:b f32/c64:b f32/f32:b i16/i16:b i16/u32:b i32/float:b i32/f16:b i32/f32:b i32/int:b i32/i32:b i8/complex:b i8/i8:b i8/u8:b u16/u16:b u32/i32:b u32/u32:b u8/bf16:b u8/int:b u8/i16:b u8/u8:b',
    'maximum': 'bf16/bf16:bf16 bf16/f16:f32 b/b:b b/float:f32* b/int:i32* b/i8:i8 c64/c64:c64 f16/float:f16 f16/f16:f16 f32/c64:c64 f32/f32:f32 i16/i16:i16 i16/u32:i32 i32/float:f32* i32/f16:f16 i32/f32:f32 i32/int:i32 i32/i32:i32 i8/complex:c64* i8/i8:i8 i8/u8:i16 u16/u16:u16 u32/i32:i32 u32/u32:u32 u8/bf16:bf16 u8/int:u8 u8/i16:i16 u8/u8:u8',
    'minimum': 'bf16/bf16:bf16 bf16/f16:f32 b/b:b b/float:f32* b/int:i32* b/i8:i8 c64/c64:c64 f16/float:f16 f16/f16:f16 f32/c64:c64 f32/f32:f32 i16/i16:i16 i16/u32:i32 i32/float:f32* i32/f16:f16 i32/f32:f32 i32/int:i32 i32/i32:i32 i8/complex:c64* i8/i8:i8 i8/u8:i16 u16/u16:u16 u32/i32:i32 u32/u32:u32 u8/bf16:bf16 u8/int:u8 u8/i16:i16 u8/u8:u8',
    'multiply': 'bf16/bf16:bf16 bf16/f16:f32 b/b:b b/float:f32* b/int:i32* b/i8:i8 c64/c64:c64 f16/float:f16 f16/f16:f16 f32/c64:c64 f32/f32:f32 i16/i16:i16 i16/u32:i32 i32/float:f32* i32/f16:f16 i32/f32:f32 i32/int:i32 i32/i32:i32 i8/complex:c64* i8/i8:i8 i8/u8:i16 u16/u16:u16 u32/i32:i32 u32/u32:u32 u8/bf16:bf16 u8/int:u8 u8/i16:i16 u8/u8:u8',
    'nextafter': 'bf16/bf16:bf16 bf16/f16:f32 b/b:f32 b/float:f32* b/int:f32* b/i8:f32 c64/c64:!TypeError f16/float:f16 f16/f16:f16 f32/c64:!TypeError f32/f32:f32 i16/i16:f32 i16/u32:f32 i32/float:f32* i32/f16:f16 i32/f32:f32 i32/int:f32 i32/i32:f32 i8/complex:!TypeError i8/i8:f32 i8/u8:f32 u16/u16:f32 u32/i32:f32 u32/u32:f32 u8/bf16:bf16 u8/int:f32 u8/i16:f32 u8/u8:f32',
    'not_equal': 'bf16/bf16:b bf16/f16:b b/b:b b/float:b* b/int:b* b/i8:b c64/c64:b f16/float:b f16/f16:b f32/c64:b f32/f32:b i16/i16:b i16/u32:b i32/float:b* i32/f16:b i32/f32:b i32/int:b i32/i32:b i8/complex:b* i8/i8:b i8/u8:b u16/u16:b u32/i32:b u32/u32:b u8/bf16:b u8/int:b u8/i16:b u8/u8:b',
    'power': 'bf16/bf16:bf16 bf16/f16:f32 b/b:i32 b/float:f32* b/int:i32 b/i8:i8 c64/c64:c64 f16/float:f16 f16/f16:f16 f32/c64:c64 f32/f32:f32 i16/i16:i16 i16/u32:i32 i32/float:f32* i32/f16:f16 i32/f32:f32 i32/int:i32 i32/i32:i32 i8/complex:c64* i8/i8:i8 i8/u8:i16 u16/u16:u16 u32/i32:i32 u32/u32:u32 u8/bf16:bf16 u8/int:u8 u8/i16:i16 u8/u8:u8',
    'remainder': 'bf16/bf16:bf16 bf16/f16:f32 b/b:i32 b/float:f32* b/int:i32* b/i8:i8 c64/c64:!TypeError f16/float:f16 f16/f16:f16 f32/c64:!TypeError f32/f32:f32 i16/i16:i16 i16/u32:i32 i32/float:f32* i32/f16:f16 i32/f32:f32 i32/int:i32 i32/i32:i32 i8/complex:!TypeError i8/i8:i8 i8/u8:i16 u16/u16:u16 u32/i32:i32 u32/u32:u32 u8/bf16:bf16 u8/int:u8 u8/i16:i16 u8/u8:u8',
    'right_shift': 'bf16/bf16:!TypeError bf16/f16:!TypeError b/b:i32 b/float:!TypeError b/int:i32* b/i8:i8 c64/c64:!TypeError f16/float:!TypeError f16/f16:!TypeError f32/c64:!TypeError f32/f32:!TypeError i16/i16:i16 i16/u32:i32 i32/float:!TypeError i32/f16:!TypeError i32/f32:!TypeError i32/int:i32 i32/i32:i32 i8/complex:!TypeError i8/i8:i8 i8/u8:i16 u16/u16:u16 u32/i32:i32 u32/u32:u32 u8/bf16:!TypeError u8/int:u8 u8/i16:i16 u8/u8:u8',
    'subtract': 'bf16/bf16:bf16 bf16/f16:f32 b/b:!TypeError b/float:f32* b/int:i32* b/i8:i8 c64/c64:c64 f16/float:f16 f16/f16:f16 f32/c64:c64 f32/f32:f32 i16/i16:i16 i16/u32:i32 i32/float:f32* i32/f16:f16 i32/f32:f32 i32/int:i32 i32/i32:i32 i8/complex:c64* i8/i8:i8 i8/u8:i16 u16/u16:u16 u32/i32:i32 u32/u32:u32 u8/bf16:bf16 u8/int:u8 u8/i16:i16 u8/u8:u8',
}


def parse(table):
    """'i8/u8:i16 f32:!TypeError' -> {('int8', 'uint8'): ('int16', False), ('float32',): 'TypeError'}"""
    out = {}
    for item in table.split():
        key, val = item.rsplit(":", 1)
        k = tuple(SHORT[p] for p in key.split("/"))
        out[k] = val[1:] if val.startswith("!") else (SHORT[val.rstrip("*")], val.endswith("*"))
    return out


# Where jaxish deliberately or knowingly differs from JAX's table (kept short, with reasons).
KNOWN_DTYPE_DEVIATIONS = {
    # JAX returns complex results for arctan2 of complex inputs (numpy rejects them); we raise.
    ("arctan2", ("complex64", "complex64")), ("arctan2", ("float32", "complex64")),
    ("arctan2", ("int8", "complex")),
    # weak_type of these composite results differs (value and dtype agree).
    ("hypot", ("bool", "float")), ("hypot", ("bool", "int")), ("hypot", ("int32", "float")),
    ("logaddexp", ("int8", "complex")), ("logaddexp2", ("int8", "complex")),
    ("logaddexp2", ("bool", "float")), ("logaddexp2", ("bool", "int")), ("logaddexp2", ("int32", "float")),
}
NOT_IMPLEMENTED = {"gcd", "lcm"}  # need lax.while_loop-based integer algorithms (issue 9)


def table_operand(name):
    if name == "int":
        return 2
    if name == "float":
        return 2.0
    if name == "complex":
        return 2j
    return jnp.ones((2,), name)


def dtype_mismatches(fn_name, table):
    fn = getattr(jnp, fn_name)
    bad = []
    for key, want in parse(table).items():
        if (fn_name, key) in KNOWN_DTYPE_DEVIATIONS:
            continue
        args = [table_operand(k) for k in key]
        try:
            out = fn(*args)
            got = (str(out.dtype), bool(out.weak_type))
        except Exception as e:  # noqa: BLE001 - the exception type is what we compare
            got = type(e).__name__
            if isinstance(want, str) and isinstance(e, getattr(builtins, want)):
                continue
        if isinstance(want, tuple) and isinstance(got, tuple) and want[0] == "bool" == got[0]:
            got, want = got[0], want[0]  # weak_type of boolean results is not tracked (see report)
        if got != want:
            bad.append((key, "jax:", want, "jaxish:", got))
    return bad


@pytest.mark.parametrize("name", sorted(JAX_UNARY_DTYPES))
def test_unary_result_dtypes_match_jax(name):
    assert dtype_mismatches(name, JAX_UNARY_DTYPES[name]) == []


@pytest.mark.parametrize("name", sorted(set(JAX_BINARY_DTYPES) - NOT_IMPLEMENTED))
def test_binary_result_dtypes_match_jax(name):
    assert dtype_mismatches(name, JAX_BINARY_DTYPES[name]) == []


@pytest.mark.parametrize("name", sorted(JAX_REDUCE_DTYPES))
def test_reduction_result_dtypes_match_jax(name):
    assert dtype_mismatches(name, JAX_REDUCE_DTYPES[name]) == []


# ---- value oracles ----------------------------------------------------------------------------
FLOAT_RANGES = {"any": (-10.0, 10.0), "pos": (0.1, 50.0), "unit": (-0.95, 0.95), "ge1": (1.05, 50.0),
                "exp": (-15.0, 15.0), "tan": (-1.4, 1.4), "small": (-3.0, 3.0), "base": (0.1, 5.0),
                "nz": (0.5, 10.0), "shift": (0.0, 7.0)}
INT_RANGES = {"any": None, "pos": (1, 50), "unit": (-1, 1), "ge1": (1, 50), "exp": (-15, 15),
              "tan": (-1, 1), "small": (-3, 3), "base": (1, 5), "nz": (1, 9), "shift": (0, 7),
              "expo": (0, 4), "num": "nomin"}
FLOAT_RANGES["expo"] = (-3.0, 3.0)
FLOAT_RANGES["num"] = (-10.0, 10.0)
SPECIALS = [math.nan, math.inf, -math.inf, 0.0, -0.0]
TOL = {"float16": 4e-3, "bfloat16": 3e-2, "float32": 3e-5, "complex64": 1e-4, "float64": 1e-12}


def _is_float(name):
    return name in ("float16", "bfloat16", "float32", "float64")


def elements(dtype, domain, specials=False):
    if dtype == "bool":
        return st.booleans()
    if dtype.startswith(("int", "uint")):
        info = np.iinfo(dtype)
        rng = INT_RANGES[domain]
        if rng is None:
            lo, hi = int(info.min), int(info.max)
        elif rng == "nomin":
            lo, hi = int(info.min) + 1, int(info.max)
        else:
            lo, hi = max(rng[0], int(info.min)), min(rng[1], int(info.max))
        if domain == "nz" and not dtype.startswith("u"):
            return st.integers(1, hi) | st.integers(-hi, -1)
        return st.integers(lo, hi)
    lo, hi = FLOAT_RANGES[domain]
    el = st.floats(lo, hi, allow_nan=False, allow_infinity=False)
    if domain == "nz":
        el = el | st.floats(-hi, -lo)
    if dtype == "complex64":
        return st.builds(complex, el, el)
    if specials:
        el = el | st.sampled_from(SPECIALS)
    return el


def scalar(kind, domain):
    """A Python scalar operand (weakly typed) of kind int/float/complex within `domain`."""
    if kind == "int":
        rng = INT_RANGES[domain]
        lo, hi = (0, 9) if rng is None or rng == "nomin" else (max(rng[0], 0), min(rng[1], 9))
        return st.integers(max(lo, 1) if domain == "nz" else lo, hi)
    el = elements("complex64" if kind == "complex" else "float32", domain)
    return el


def array_of(data, dtype, shape, domain, specials=False):
    n = int(np.prod(shape))
    vals = data.draw(st.lists(elements(dtype, domain, specials), min_size=n, max_size=n))
    with np.errstate(all="ignore"):
        return np.array(vals, dtype=NP_DTYPES[dtype]).reshape(shape)


def upcast(a):
    a = np.asarray(a)
    if a.dtype == NP_DTYPES["bfloat16"] or a.dtype.kind == "f":
        return a.astype(np.float64)
    if a.dtype.kind == "c":
        return a.astype(np.complex128)
    return a


def assert_close(got, want, out_dtype):
    got_np = np.asarray(got)
    assert str(got.dtype) == out_dtype
    want = np.asarray(want)
    assert got_np.shape == want.shape, (got_np.shape, want.shape)
    with np.errstate(all="ignore"):
        want = want.astype(NP_DTYPES[out_dtype])
    if out_dtype in TOL:
        tol = TOL[out_dtype]
        np.testing.assert_allclose(upcast(got_np), upcast(want), rtol=tol, atol=10 * tol, equal_nan=True)
    else:
        np.testing.assert_array_equal(got_np, want)


def oracle(np_fn, operands, compute, exact=False, via=None):
    """np_fn on the operands cast to `via` (the promoted input dtype), then to `compute`, then
    widened to f64/c128 unless `exact`."""
    with np.errstate(all="ignore"):
        if via is not None:
            operands = [np.asarray(x, dtype=NP_DTYPES[via]) for x in operands]
        xs = [np.asarray(x, dtype=NP_DTYPES[compute]) for x in operands]
        if not exact:
            xs = [upcast(x) for x in xs]
        return np_fn(*xs)


def _recip(x):
    return 1 / x


def _nan_to_num(x):
    return np.nan_to_num(x)


# name: (numpy oracle, domain, cast, specials, exact)
# cast "out": compute in the result dtype; "in": compute in the (promoted) input dtype.
UNARY_OPS = {
    "abs": (np.abs, "any", "in", True, False), "negative": (np.negative, "any", "out", False, False),
    "positive": (lambda x: x, "any", "out", False, False), "sign": (np.sign, "any", "out", True, False),
    "floor": (np.floor, "any", "out", True, False), "ceil": (np.ceil, "any", "out", True, False),
    "trunc": (np.trunc, "any", "out", True, False), "rint": (np.rint, "any", "out", False, False),
    "round": (np.round, "any", "out", False, False), "exp": (np.exp, "exp", "out", False, False),
    "exp2": (np.exp2, "exp", "out", False, False), "expm1": (np.expm1, "exp", "out", False, False),
    "log": (np.log, "pos", "out", False, False), "log2": (np.log2, "pos", "out", False, False),
    "log10": (np.log10, "pos", "out", False, False), "log1p": (np.log1p, "pos", "out", False, False),
    "sqrt": (np.sqrt, "pos", "out", False, False), "cbrt": (np.cbrt, "any", "out", False, False),
    "square": (np.square, "any", "out", False, False), "reciprocal": (_recip, "pos", "out", False, False),
    "sin": (np.sin, "any", "out", False, False), "cos": (np.cos, "any", "out", False, False),
    "tan": (np.tan, "tan", "out", False, False), "arcsin": (np.arcsin, "unit", "out", False, False),
    "arccos": (np.arccos, "unit", "out", False, False), "arctan": (np.arctan, "any", "out", False, False),
    "sinh": (np.sinh, "small", "out", False, False), "cosh": (np.cosh, "small", "out", False, False),
    "tanh": (np.tanh, "any", "out", False, False), "arcsinh": (np.arcsinh, "any", "out", False, False),
    "arccosh": (np.arccosh, "ge1", "out", False, False), "arctanh": (np.arctanh, "unit", "out", False, False),
    "deg2rad": (lambda x: x * (np.pi / 180), "any", "out", False, False),
    "rad2deg": (lambda x: x * (180 / np.pi), "any", "out", False, False),
    "isnan": (np.isnan, "any", "in", True, False), "isinf": (np.isinf, "any", "in", True, False),
    "isfinite": (np.isfinite, "any", "in", True, False), "signbit": (np.signbit, "any", "in", True, False),
    "logical_not": (np.logical_not, "any", "in", False, False),
    "invert": (np.invert, "any", "out", False, False), "conj": (np.conj, "any", "out", False, False),
    "real": (np.real, "any", "in", False, False), "imag": (np.imag, "any", "in", False, False),
    "fabs": (np.fabs, "any", "out", True, False), "sinc": (np.sinc, "any", "out", False, False),
    "nan_to_num": (_nan_to_num, "any", "out", True, True),
    "isposinf": (np.isposinf, "any", "in", True, False), "isneginf": (np.isneginf, "any", "in", True, False),
}
assert set(UNARY_OPS) == set(JAX_UNARY_DTYPES)


def _valid_keys(table, exact=False):
    keys = [k for k, v in parse(table).items() if isinstance(v, tuple)]
    if exact:
        keys = [k for k in keys if "bfloat16" not in k]
    return keys


@pytest.mark.parametrize("name", sorted(UNARY_OPS))
@SETTINGS
@given(data=st.data())
def test_unary_values_match_numpy(name, data):
    np_fn, domain, cast, specials, exact = UNARY_OPS[name]
    table = parse(JAX_UNARY_DTYPES[name])
    (dtype,) = data.draw(st.sampled_from(_valid_keys(JAX_UNARY_DTYPES[name], exact)))
    out_dtype = table[(dtype,)][0]
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4))
    x = array_of(data, dtype, shape, domain, specials)
    got = getattr(jnp, name)(jnp.asarray(x))
    compute = out_dtype if cast == "out" else dtype
    assert_close(got, oracle(np_fn, [x], compute, exact), out_dtype)


def _logaddexp(x, y):
    if np.iscomplexobj(x) or np.iscomplexobj(y):
        return np.log(np.exp(x) + np.exp(y))
    return np.logaddexp(x, y)


def _logaddexp2(x, y):
    if np.iscomplexobj(x) or np.iscomplexobj(y):
        return np.log2(2.0 ** x + 2.0 ** y)
    return np.logaddexp2(x, y)


def _power(x, y):
    return np.power(x, y)


# name: (numpy oracle, domain of x1, domain of x2, cast, specials, exact)
BINARY_OPS = {
    "add": (np.add, "any", "any", "out", False, False),
    "subtract": (np.subtract, "any", "any", "out", False, False),
    "multiply": (np.multiply, "any", "any", "out", False, False),
    "divide": (np.divide, "any", "nz", "out", False, False),
    "floor_divide": (np.floor_divide, "num", "nz", "out", False, False),
    "remainder": (np.remainder, "num", "nz", "out", False, False),
    "fmod": (np.fmod, "num", "nz", "out", False, False),
    "power": (_power, "base", "expo", "out", False, False),
    "float_power": (np.power, "base", "small", "out", False, False),
    "maximum": (np.maximum, "any", "any", "out", True, False),
    "minimum": (np.minimum, "any", "any", "out", True, False),
    "fmax": (np.fmax, "any", "any", "out", True, False),
    "fmin": (np.fmin, "any", "any", "out", True, False),
    "arctan2": (np.arctan2, "any", "any", "out", False, False),
    "hypot": (np.hypot, "any", "any", "out", False, False),
    "logaddexp": (_logaddexp, "any", "any", "out", False, False),
    "logaddexp2": (_logaddexp2, "any", "any", "out", False, False),
    "copysign": (np.copysign, "any", "any", "out", True, False),
    "nextafter": (np.nextafter, "any", "any", "out", False, True),
    "heaviside": (np.heaviside, "any", "any", "out", False, False),
    "equal": (np.equal, "small", "small", "in", True, False),
    "not_equal": (np.not_equal, "small", "small", "in", True, False),
    "less": (np.less, "small", "small", "in", True, False),
    "less_equal": (np.less_equal, "small", "small", "in", True, False),
    "greater": (np.greater, "small", "small", "in", True, False),
    "greater_equal": (np.greater_equal, "small", "small", "in", True, False),
    "logical_and": (np.logical_and, "small", "small", "in", False, False),
    "logical_or": (np.logical_or, "small", "small", "in", False, False),
    "logical_xor": (np.logical_xor, "small", "small", "in", False, False),
    "bitwise_and": (np.bitwise_and, "any", "any", "out", False, False),
    "bitwise_or": (np.bitwise_or, "any", "any", "out", False, False),
    "bitwise_xor": (np.bitwise_xor, "any", "any", "out", False, False),
    "left_shift": (np.left_shift, "any", "shift", "out", False, False),
    "right_shift": (np.right_shift, "any", "shift", "out", False, False),
}
assert set(BINARY_OPS) == set(JAX_BINARY_DTYPES) - NOT_IMPLEMENTED


@pytest.mark.parametrize("name", sorted(BINARY_OPS))
@SETTINGS
@given(data=st.data())
def test_binary_values_match_numpy(name, data):
    np_fn, dom1, dom2, cast, specials, exact = BINARY_OPS[name]
    table = parse(JAX_BINARY_DTYPES[name])
    keys = [k for k in _valid_keys(JAX_BINARY_DTYPES[name], exact) if (name, k) not in KNOWN_DTYPE_DEVIATIONS]
    if name == "power":  # integer bases keep to exact, non-overflowing powers
        keys = [k for k in keys if k[1] != "bool"]
    key = data.draw(st.sampled_from(keys))
    out_dtype = table[key][0]
    s1, s2 = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3,
                                                         max_side=3)).input_shapes
    operands = []
    for kind, dom, shp in ((key[0], dom1, s1), (key[1], dom2, s2)):
        if kind in ("int", "float", "complex"):
            operands.append(data.draw(scalar(kind, dom)))
        else:
            if name == "power" and _is_float(kind) is False and kind != "complex64":
                dom = {"base": "small", "expo": "expo"}[dom]
            operands.append(array_of(data, kind, shp, dom, specials))
    args = [jnp.asarray(o) if isinstance(o, np.ndarray) else o for o in operands]
    got = getattr(jnp, name)(*args)
    promoted = str(jnp.result_type(*args))
    compute = out_dtype if cast == "out" else promoted
    assert_close(got, oracle(np_fn, operands, compute, exact, via=promoted), out_dtype)


# ---- reductions -----------------------------------------------------------------------------------
def _np_ptp(x, axis=None, keepdims=False):
    return np.max(x, axis=axis, keepdims=keepdims) - np.min(x, axis=axis, keepdims=keepdims)


# name: (numpy oracle, cast, takes a tuple axis, needs a non-empty reduced axis)
REDUCTIONS = {
    "sum": (np.sum, "out", True, False), "prod": (np.prod, "out", True, False),
    "max": (np.max, "in", True, True), "min": (np.min, "in", True, True),
    "mean": (np.mean, "out", True, False), "var": (np.var, "in", True, False),
    "std": (np.std, "in", True, False), "argmax": (np.argmax, "in", False, True),
    "argmin": (np.argmin, "in", False, True), "any": (np.any, "in", True, False),
    "all": (np.all, "in", True, False), "ptp": (_np_ptp, "in", True, True),
    "count_nonzero": (np.count_nonzero, "in", True, False),
}


@st.composite
def axis_args(draw, ndim, allow_tuple):
    choices = [st.none()]
    if ndim:
        choices.append(st.integers(-ndim, ndim - 1))
        if allow_tuple:
            choices.append(st.lists(st.integers(0, ndim - 1), unique=True, max_size=ndim).map(tuple))
    return draw(st.one_of(*choices))


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@SETTINGS
@given(data=st.data())
def test_reductions_match_numpy(name, data):
    np_fn, cast, allow_tuple, nonempty = REDUCTIONS[name]
    table = parse(JAX_REDUCE_DTYPES[name])
    (dtype,) = data.draw(st.sampled_from(_valid_keys(JAX_REDUCE_DTYPES[name])))
    out_dtype = table[(dtype,)][0]
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4))
    x = array_of(data, dtype, shape, "small" if name == "prod" else "any")
    axis = data.draw(axis_args(len(shape), allow_tuple))
    kwargs = {"axis": axis}
    if name not in ("count_nonzero",) or True:
        kwargs["keepdims"] = data.draw(st.booleans())
    if name in ("var", "std"):
        kwargs["ddof"] = data.draw(st.sampled_from([0, 1]))
    axes = range(len(shape)) if axis is None else ([axis] if isinstance(axis, int) else axis)
    reduced_empty = any(shape[a] == 0 for a in axes) or (axis is None and 0 in shape)
    if nonempty and reduced_empty:
        with pytest.raises(ValueError):
            getattr(jnp, name)(jnp.asarray(x), **kwargs)
        return
    got = getattr(jnp, name)(jnp.asarray(x), **kwargs)
    compute = out_dtype if cast == "out" else dtype
    if name in ("sum", "prod") and out_dtype.startswith(("int", "uint")):
        want = np_fn(x.astype(NP_DTYPES[out_dtype]), dtype=NP_DTYPES[out_dtype], **kwargs)
    else:
        with np.errstate(all="ignore"), _quiet():
            want = np_fn(upcast(np.asarray(x, dtype=NP_DTYPES[compute])), **kwargs)
    if name in ("argmax", "argmin", "count_nonzero"):
        want = np.asarray(want).astype(np.int32)
    if out_dtype in TOL:  # float accumulation error grows with the number of summands
        n = max(1, x.size)
        tol = TOL[out_dtype] * (4 if name in ("var", "std") else 1)
        w = np.asarray(want, dtype=np.complex128 if out_dtype == "complex64" else np.float64)
        assert str(got.dtype) == out_dtype and np.shape(got) == w.shape
        scale = float(np.max(np.abs(upcast(np.asarray(x, dtype=NP_DTYPES[compute]))))) if x.size else 1.0
        np.testing.assert_allclose(upcast(np.asarray(got)), w, rtol=tol * 4,
                                   atol=tol * n * max(scale, 1.0) ** (2 if name == "var" else 1),
                                   equal_nan=True)
    else:
        assert_close(got, want, out_dtype)


class _quiet:
    def __enter__(self):
        import warnings
        self._cm = warnings.catch_warnings()
        self._cm.__enter__()
        warnings.simplefilter("ignore")

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)


@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
@SETTINGS
@given(data=st.data())
def test_cumulative_match_numpy(name, data):
    table = parse(JAX_REDUCE_DTYPES[name])
    (dtype,) = data.draw(st.sampled_from(_valid_keys(JAX_REDUCE_DTYPES[name])))
    out_dtype = table[(dtype,)][0]
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4))
    x = array_of(data, dtype, shape, "small")
    axis = data.draw(st.none() | (st.integers(-len(shape), len(shape) - 1) if shape else st.none()))
    got = getattr(jnp, name)(jnp.asarray(x), axis=axis)
    np_fn = getattr(np, name)
    if out_dtype in TOL:
        want = np_fn(upcast(x.astype(NP_DTYPES[out_dtype])), axis=axis)
    else:
        want = np_fn(x.astype(NP_DTYPES[out_dtype]), axis=axis, dtype=NP_DTYPES[out_dtype])
    assert_close(got, want, out_dtype)


def test_reduction_options():
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4) - 10
    jx = jnp.asarray(x)
    np.testing.assert_allclose(np.asarray(jnp.sum(jx, axis=(0, 2), keepdims=True)),
                               x.sum(axis=(0, 2), keepdims=True))
    np.testing.assert_allclose(np.asarray(jnp.max(jx, axis=1, initial=5.0)), np.max(x, axis=1, initial=5.0))
    w = x > 0
    np.testing.assert_allclose(np.asarray(jnp.sum(jx, where=jnp.asarray(w))), x.sum(where=w))
    with _quiet(), np.errstate(all="ignore"):
        want = np.mean(x, axis=-1, where=w)
    np.testing.assert_allclose(np.asarray(jnp.mean(jx, axis=-1, where=jnp.asarray(w))), want, equal_nan=True)
    assert jnp.sum(jnp.ones(3, jnp.int8), dtype=jnp.int8).dtype == np.int8
    assert jnp.sum(jnp.ones(3, jnp.int8), promote_integers=False).dtype == np.int8
    np.testing.assert_allclose(np.asarray(jnp.std(jx, ddof=1)), np.std(x, ddof=1), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(jnp.average(jx, axis=1, weights=jnp.arange(3.0))),
                               np.average(x, axis=1, weights=np.arange(3.0)), rtol=1e-6)
    with pytest.raises(ValueError):
        jnp.sum(jx, axis=3)
    with pytest.raises(ValueError):
        jnp.sum(jx, axis=(0, 0))
    with pytest.raises(ValueError):
        jnp.max(jnp.zeros((0, 2)), axis=0)


def test_nan_semantics_of_max_min_argmax():
    x = jnp.array([1.0, np.nan, 5.0])
    assert np.isnan(float(jnp.max(x))) and np.isnan(float(jnp.min(x)))
    assert int(jnp.argmax(x)) == 1 and int(jnp.argmin(x)) == 1  # NaN wins, as numpy and JAX
    np.testing.assert_array_equal(np.asarray(jnp.maximum(jnp.array([1.0, np.nan]), jnp.array([np.nan, 2.0]))),
                                  [np.nan, np.nan])
    np.testing.assert_array_equal(np.asarray(jnp.fmax(jnp.array([1.0, np.nan]), jnp.array([np.nan, 2.0]))),
                                  [1.0, 2.0])


# ---- integer and conversion semantics that differ between numpy and XLA (values from JAX) ------
def test_integer_division_edge_cases_match_jax():
    x = jnp.array([7, -7, 0], jnp.int32)
    np.testing.assert_array_equal(np.asarray(jnp.floor_divide(x, 0)), [-2, -2, -1])
    np.testing.assert_array_equal(np.asarray(jnp.remainder(x, 0)), [0, 0, 0])
    np.testing.assert_array_equal(np.asarray(jnp.fmod(x, 0)), [0, 0, 0])
    np.testing.assert_array_equal(np.asarray(jax.lax.div(x, jnp.int32(0))), [-1, -1, -1])
    np.testing.assert_array_equal(np.asarray(jax.lax.rem(x, jnp.int32(0))), [7, -7, 0])
    np.testing.assert_array_equal(np.asarray(jax.lax.div(jnp.array([7], jnp.uint8), jnp.uint8(0))), [255])
    # INT_MIN / -1 traps on x86; XLA (and jaxish) return INT_MIN and 0.
    m = jnp.array([-2 ** 31], jnp.int32)
    np.testing.assert_array_equal(np.asarray(jnp.floor_divide(m, -1)), [-2 ** 31])
    np.testing.assert_array_equal(np.asarray(jnp.remainder(m, -1)), [0])
    np.testing.assert_array_equal(np.asarray(jnp.floor_divide(jnp.array([-128], jnp.int8), -1)), [-128])
    assert float(jnp.floor_divide(1.0, 0.1)) == 9.0  # numpy's divmod-based floor division


def test_shift_edge_cases_match_jax():
    np.testing.assert_array_equal(
        np.asarray(jnp.left_shift(jnp.array([1, -1], jnp.int32), jnp.array([32, 40]))), [0, 0])
    np.testing.assert_array_equal(
        np.asarray(jnp.right_shift(jnp.array([-8, 8], jnp.int32), jnp.array([33, 32]))), [-1, 0])
    np.testing.assert_array_equal(np.asarray(jnp.right_shift(jnp.array([2 ** 31], jnp.uint32), 40)), [0])
    np.testing.assert_array_equal(np.asarray(jnp.left_shift(jnp.array([3], jnp.int8), -1)), [0])


def test_float_to_int_casts_clamp_like_jax():
    x = jnp.array([1.7, -1.7, 300.0, -300, np.nan, np.inf, -np.inf, 3e9])
    np.testing.assert_array_equal(np.asarray(x.astype(jnp.int32)),
                                  [1, -1, 300, -300, 0, 2147483647, -2147483648, 2147483647])
    np.testing.assert_array_equal(np.asarray(jnp.array([300.0, -5, np.nan, 1e10]).astype(jnp.uint8)),
                                  [255, 0, 0, 255])
    np.testing.assert_array_equal(np.asarray(jnp.array([-5.5, 4e9, np.nan]).astype(jnp.uint32)),
                                  [0, 4000000000, 0])
    np.testing.assert_array_equal(np.asarray(jnp.array([-1, 256, 70000], jnp.int32).astype(jnp.uint8)),
                                  [255, 0, 112])
    np.testing.assert_array_equal(np.asarray(jnp.array([1 + 2j, -3.5 - 1j]).astype(jnp.float32)), [1, -3.5])
    np.testing.assert_array_equal(np.asarray(jnp.array([0.5, 0.0, np.nan]).astype(bool)), [True, False, True])
    assert int(jnp.int8(127) + 1) == -128 and int(jnp.uint8(0) - 1) == 255


def test_sign_and_round_semantics():
    s = np.asarray(jnp.sign(jnp.array([np.nan, -0.0, 0.0, -3.0])))
    assert np.isnan(s[0]) and np.signbit(s[1]) and not np.signbit(s[2]) and s[3] == -1
    np.testing.assert_array_equal(np.asarray(jnp.round(jnp.array([0.5, 1.5, 2.5, -0.5]))), [0, 2, 2, -0.0])
    np.testing.assert_allclose(np.asarray(jnp.round(jnp.array([1.2345]), 2)), [1.23], rtol=1e-6)
    np.testing.assert_array_equal(np.asarray(jnp.round(jnp.array([1.5 + 2.5j]))), [2 + 2j])
    np.testing.assert_array_equal(np.asarray(jnp.rint(jnp.array([1, 2], jnp.int32))), [1.0, 2.0])


def test_complex_ordering_is_lexicographic():
    c = jnp.array([1 + 5j, 2 + 0j])
    d = jnp.array([1 + 6j, 1 + 9j])
    np.testing.assert_array_equal(np.asarray(jnp.maximum(c, d)), [1 + 6j, 2 + 0j])
    np.testing.assert_array_equal(np.asarray(jnp.less(c, d)), [True, False])
    assert complex(jnp.max(jnp.array([1 + 5j, 2 + 0j, 2 - 1j]))) == 2 + 0j
    assert complex(jnp.min(jnp.array([1 + 5j, 1 + 2j, 2 - 1j]))) == 1 + 2j
    np.testing.assert_allclose(np.asarray(jnp.logaddexp(jnp.array([1 + 3j]), jnp.array([2 - 1j]))),
                               [1.7879903 - 1.351346j], rtol=1e-5)


# ---- shape operations ------------------------------------------------------------------------------
SHAPE_DTYPES = ["bool", "int8", "uint32", "float16", "bfloat16", "float32", "complex64"]


@st.composite
def any_array(draw, min_dims=0, max_dims=4, min_side=0, max_side=4, dtypes=SHAPE_DTYPES):
    dtype = draw(st.sampled_from(dtypes))
    shape = draw(hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                                  max_side=max_side))
    return array_of(draw_wrapper(draw), dtype, shape, "any")


class draw_wrapper:
    """Adapts a composite's `draw` to the `data.draw` interface array_of expects."""
    def __init__(self, draw):
        self.draw = draw


def same(got, want):
    want = np.asarray(want)
    got_np = np.asarray(got)
    assert got_np.dtype == want.dtype, (got_np.dtype, want.dtype)
    assert got_np.shape == want.shape, (got_np.shape, want.shape)
    np.testing.assert_array_equal(got_np, want)


@SETTINGS
@given(x=any_array(), data=st.data())
def test_reshape_ravel_and_transpose(x, data):
    jx = jnp.asarray(x)
    same(jnp.ravel(jx), np.ravel(x))
    same(jx.reshape(-1), x.reshape(-1))
    if x.size:
        k = data.draw(st.sampled_from([d for d in range(1, x.size + 1) if x.size % d == 0]))
        same(jnp.reshape(jx, (k, -1)), x.reshape(k, -1))
        same(jx.reshape(k, x.size // k), x.reshape(k, x.size // k))
    perm = data.draw(st.permutations(range(x.ndim)))
    same(jnp.transpose(jx, perm), np.transpose(x, perm))
    same(jx.T, x.T)
    same(jnp.transpose(jx), np.transpose(x))
    if x.ndim >= 2:
        a, b = data.draw(st.integers(-x.ndim, x.ndim - 1)), data.draw(st.integers(-x.ndim, x.ndim - 1))
        same(jnp.swapaxes(jx, a, b), np.swapaxes(x, a, b))
        same(jnp.moveaxis(jx, a, b), np.moveaxis(x, a, b))
        same(jnp.moveaxis(jx, (0, 1), (-1, -2)), np.moveaxis(x, (0, 1), (-1, -2)))


@SETTINGS
@given(x=any_array(max_dims=3), data=st.data())
def test_expand_squeeze_broadcast_flip(x, data):
    jx = jnp.asarray(x)
    ax = data.draw(st.integers(-x.ndim - 1, x.ndim))
    same(jnp.expand_dims(jx, ax), np.expand_dims(x, ax))
    same(jnp.expand_dims(jx, (0, -1)), np.expand_dims(x, (0, -1)))
    y = x.reshape((1,) + x.shape + (1,))
    same(jnp.squeeze(jnp.asarray(y)), np.squeeze(y))
    same(jnp.squeeze(jnp.asarray(y), axis=0), np.squeeze(y, axis=0))
    same(jnp.squeeze(jnp.asarray(y), axis=(0, -1)), np.squeeze(y, axis=(0, -1)))
    with pytest.raises(ValueError):
        jnp.squeeze(jnp.zeros((2, 3)), axis=0)
    target = data.draw(st.lists(st.integers(1, 3), max_size=2).map(tuple)) + tuple(
        data.draw(st.sampled_from([d, 1])) if d == 1 else d for d in x.shape)
    target = tuple(target[:-x.ndim] if x.ndim else target) + tuple(
        data.draw(st.integers(1, 3)) if d == 1 else d for d in x.shape)
    same(jnp.broadcast_to(jx, target), np.broadcast_to(x, target))
    same(jnp.flip(jx), np.flip(x))
    if x.ndim:
        same(jnp.flip(jx, axis=-1), np.flip(x, axis=-1))
    for f in ("atleast_1d", "atleast_2d", "atleast_3d"):
        same(getattr(jnp, f)(jx), getattr(np, f)(x))


@SETTINGS
@given(data=st.data())
def test_concatenate_stack_split(data):
    dtype = data.draw(st.sampled_from(["int32", "float32", "bool"]))
    shape = list(data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=3)))
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    parts = []
    for _ in range(data.draw(st.integers(1, 3))):
        s = list(shape)
        s[axis] = data.draw(st.integers(0, 3))
        parts.append(array_of(data, dtype, tuple(s), "any"))
    same(jnp.concatenate([jnp.asarray(p) for p in parts], axis=axis), np.concatenate(parts, axis=axis))
    same(jnp.concatenate([jnp.asarray(p) for p in parts], axis=None), np.concatenate(parts, axis=None))
    equal = [array_of(data, dtype, tuple(shape), "any") for _ in range(2)]
    sax = data.draw(st.integers(-len(shape) - 1, len(shape)))
    same(jnp.stack([jnp.asarray(p) for p in equal], axis=sax), np.stack(equal, axis=sax))
    same(jnp.hstack([jnp.asarray(p) for p in equal]), np.hstack(equal))
    same(jnp.vstack([jnp.asarray(p) for p in equal]), np.vstack(equal))
    x = np.concatenate(parts, axis=axis)
    n = x.shape[axis]
    divisors = [d for d in range(1, n + 1) if n % d == 0] or [1]
    k = data.draw(st.sampled_from(divisors))
    for g, w in zip(jnp.split(jnp.asarray(x), k, axis=axis), np.split(x, k, axis=axis)):
        same(g, w)
    idx = sorted(data.draw(st.lists(st.integers(0, n), max_size=3)))
    got = jnp.split(jnp.asarray(x), idx, axis=axis)
    want = np.split(x, idx, axis=axis)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        same(g, w)
    for g, w in zip(jnp.array_split(jnp.asarray(x), 2, axis=axis), np.array_split(x, 2, axis=axis)):
        same(g, w)
    if n % 2:
        with pytest.raises(ValueError):
            jnp.split(jnp.asarray(x), 2, axis=axis)


def test_concatenate_promotes_like_jax():
    out = jnp.concatenate([jnp.ones(2, jnp.int8), jnp.ones(2, jnp.uint8)])
    assert out.dtype == np.int16
    assert jnp.stack([jnp.ones(2, jnp.float16), jnp.ones(2, jnp.int32)]).dtype == np.float16
    with pytest.raises((TypeError, ValueError)):
        jnp.concatenate([jnp.ones((2, 3)), jnp.ones((2, 4))], axis=0)


# ---- creation ----------------------------------------------------------------------------------
@SETTINGS
@given(shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4),
       dtype=st.sampled_from(ALL))
def test_filled_creation(shape, dtype):
    nd = NP_DTYPES[dtype]
    same(jnp.zeros(shape, dtype), np.zeros(shape, nd))
    same(jnp.ones(shape, dtype), np.ones(shape, nd))
    same(jnp.full(shape, 1, dtype), np.full(shape, 1, nd))
    like = jnp.zeros(shape, dtype)
    same(jnp.zeros_like(like), np.zeros(shape, nd))
    same(jnp.ones_like(like), np.ones(shape, nd))
    same(jnp.full_like(like, 1), np.full(shape, 1, nd))
    same(jnp.ones_like(like, dtype=jnp.float32), np.ones(shape, np.float32))
    assert jnp.empty(shape, dtype).shape == tuple(shape)
    assert jnp.zeros(shape).dtype == np.float32


@SETTINGS
@given(start=st.integers(-20, 20), stop=st.integers(-20, 20), step=st.integers(-5, 5).filter(bool))
def test_arange_matches_numpy(start, stop, step):
    same(jnp.arange(start, stop, step), np.arange(start, stop, step, dtype=np.int32))
    same(jnp.arange(abs(stop)), np.arange(abs(stop), dtype=np.int32))
    got = jnp.arange(start / 2, stop / 2, step / 4)
    want = np.arange(start / 2, stop / 2, step / 4).astype(np.float32)
    assert got.shape == want.shape and got.dtype == np.float32
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-6, atol=1e-5)


@SETTINGS
@given(start=st.floats(-10, 10), stop=st.floats(-10, 10), num=st.integers(0, 12),
       endpoint=st.booleans())
def test_linspace_matches_numpy(start, stop, num, endpoint):
    got = jnp.linspace(start, stop, num, endpoint=endpoint)
    want = np.linspace(start, stop, num, endpoint=endpoint)
    assert got.dtype == np.float32 and got.shape == want.shape
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-5, atol=1e-5)
    got_i = jnp.linspace(0, 10, num, dtype=jnp.int32)
    np.testing.assert_array_equal(np.asarray(got_i), np.linspace(0, 10, num, dtype=np.int32))


@SETTINGS
@given(n=st.integers(0, 5), m=st.none() | st.integers(0, 5), k=st.integers(-5, 5),
       dtype=st.sampled_from(["float32", "int32", "bool"]))
def test_eye_identity_tri(n, m, k, dtype):
    same(jnp.eye(n, m, k, dtype=dtype), np.eye(n, m, k, dtype=NP_DTYPES[dtype]))
    same(jnp.identity(n, dtype=dtype), np.identity(n, dtype=NP_DTYPES[dtype]))
    same(jnp.tri(n, m, k, dtype=dtype), np.tri(n, m, k, dtype=NP_DTYPES[dtype]))


def test_array_and_asarray_conversions():
    same(jnp.array([[1, 2], [3, 4]]), np.array([[1, 2], [3, 4]], np.int32))
    same(jnp.array([1.5, 2]), np.array([1.5, 2], np.float32))
    same(jnp.array([True, False]), np.array([True, False]))
    same(jnp.array([1, 2.5j]), np.array([1, 2.5j], np.complex64))
    same(jnp.array(3.5), np.array(3.5, np.float32))
    same(jnp.array([[1, 2]], dtype=jnp.uint8), np.array([[1, 2]], np.uint8))
    same(jnp.array([], dtype=jnp.float32), np.array([], np.float32))
    same(jnp.array([1, 2], ndmin=3), np.array([1, 2], np.int32, ndmin=3))
    for dtype in ALL:
        x = np.arange(6).reshape(2, 3).astype(NP_DTYPES[dtype])
        same(jnp.asarray(x), x)
        same(jnp.array(x), x)
    same(jnp.asarray(np.arange(4, dtype=np.int64)), np.arange(4, dtype=np.int32))
    same(jnp.asarray(np.float64(2.5)), np.array(2.5, np.float32))
    same(jnp.asarray((1, 2, 3)), np.array([1, 2, 3], np.int32))
    same(jnp.array([jnp.ones(2), np.zeros(2)]), np.array([[1, 1], [0, 0]], np.float32))
    same(jnp.asarray(jnp.ones(2), dtype=jnp.int32), np.ones(2, np.int32))
    with pytest.raises(TypeError):
        jnp.asarray(["a", "b"])
    with pytest.raises((TypeError, ValueError)):
        jnp.array([[1, 2], [3]])


# ---- matmul, dot, einsum ---------------------------------------------------------------------------
def _mm_tol(dtype):
    return {"float32": 1e-4, "float16": 1e-2, "bfloat16": 5e-2, "complex64": 1e-4}.get(dtype)


@SETTINGS
@given(data=st.data())
def test_matmul_and_dot_match_numpy(data):
    dtype = data.draw(st.sampled_from(["float32", "int32", "int8", "float16", "complex64"]))
    b = data.draw(st.lists(st.integers(1, 3), max_size=2))
    n, k, m = (data.draw(st.integers(0, 4)) for _ in range(3))
    kind = data.draw(st.sampled_from(["mm", "mv", "vm", "vv", "batched"]))
    sa = {"mm": (n, k), "mv": (n, k), "vm": (k,), "vv": (k,), "batched": (*b, n, k)}[kind]
    sb = {"mm": (k, m), "mv": (k,), "vm": (k, m), "vv": (k,), "batched": (*b[len(b) // 2:], k, m)}[kind]
    x = array_of(data, dtype, sa, "small")
    y = array_of(data, dtype, sb, "small")
    tol = _mm_tol(dtype)
    for got, want in ((jnp.matmul(jnp.asarray(x), jnp.asarray(y)), np.matmul(upcast(x), upcast(y))),
                      (jnp.asarray(x) @ jnp.asarray(y), upcast(x) @ upcast(y))):
        assert str(got.dtype) == dtype and got.shape == want.shape
        if tol:
            np.testing.assert_allclose(upcast(np.asarray(got)), want, rtol=tol, atol=tol * 10)
        else:
            np.testing.assert_array_equal(np.asarray(got), want.astype(NP_DTYPES[dtype]))
    if kind != "batched":
        got = jnp.dot(jnp.asarray(x), jnp.asarray(y))
        want = np.dot(upcast(x), upcast(y))
        assert got.shape == want.shape
        np.testing.assert_allclose(upcast(np.asarray(got)), want, rtol=tol or 0, atol=(tol or 0) * 10)
    if kind == "vv":
        np.testing.assert_allclose(upcast(np.asarray(jnp.vdot(jnp.asarray(x), jnp.asarray(y)))),
                                   np.vdot(upcast(x), upcast(y)), rtol=tol or 0, atol=(tol or 0) * 10)
        np.testing.assert_allclose(upcast(np.asarray(jnp.outer(jnp.asarray(x), jnp.asarray(y)))),
                                   np.outer(upcast(x), upcast(y)), rtol=tol or 0, atol=(tol or 0) * 10)
        np.testing.assert_allclose(upcast(np.asarray(jnp.inner(jnp.asarray(x), jnp.asarray(y)))),
                                   np.inner(upcast(x), upcast(y)), rtol=tol or 0, atol=(tol or 0) * 10)


def test_matmul_promotion_and_errors():
    assert (jnp.ones((2, 2), jnp.int8) @ jnp.ones((2, 2), jnp.float16)).dtype == np.float16
    assert (jnp.ones((2, 2), jnp.int32) @ jnp.ones((2, 2), jnp.int32)).dtype == np.int32
    assert jnp.dot(jnp.ones(3), 2.0).shape == (3,)
    with pytest.raises(TypeError, match=r"\(2, 3\).*\(4, 2\)|\(4, 2\).*\(2, 3\)"):
        jnp.matmul(jnp.ones((2, 3)), jnp.ones((4, 2)))
    with pytest.raises((TypeError, ValueError)):
        jnp.matmul(jnp.ones(()), jnp.ones(3))


EINSUM_SPECS = [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("ij,jk", [(2, 3), (3, 4)]), ("i,i->", [(5,), (5,)]),
    ("i,j->ij", [(2,), (3,)]), ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]), ("ii->i", [(3, 3)]),
    ("ii", [(3, 3)]), ("ij->ji", [(2, 3)]), ("ij->", [(2, 3)]), ("...ij,...jk->...ik", [(2, 1, 3, 4), (5, 4, 2)]),
    ("ijk,ikl,ilm->jm", [(2, 3, 4), (2, 4, 3), (2, 3, 2)]), ("i,i,i->i", [(4,), (4,), (4,)]),
    ("ij,ij->ij", [(2, 3), (2, 3)]), ("abc->cab", [(2, 3, 4)]), ("a,b,c->abc", [(2,), (3,), (1,)]),
]


@pytest.mark.parametrize("spec,shapes", EINSUM_SPECS, ids=[s for s, _ in EINSUM_SPECS])
def test_einsum_matches_numpy(spec, shapes):
    rng = np.random.default_rng(0)
    xs = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    got = jnp.einsum(spec, *[jnp.asarray(x) for x in xs])
    want = np.einsum(spec, *[x.astype(np.float64) for x in xs])
    assert got.shape == want.shape and got.dtype == np.float32
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-4, atol=1e-4)
    ints = [rng.integers(-3, 3, s).astype(np.int32) for s in shapes]
    same(jnp.einsum(spec, *[jnp.asarray(x) for x in ints]), np.einsum(spec, *ints).astype(np.int32))


def test_tensordot_matches_numpy():
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((2, 3, 4)), rng.standard_normal((3, 4, 5))
    for axes in (2, ((1, 2), (0, 1)), ([1], [0]), 0):
        bb = b if axes != 0 else b[:1, :1, :2]
        got = jnp.tensordot(jnp.asarray(a), jnp.asarray(bb), axes)
        np.testing.assert_allclose(np.asarray(got), np.tensordot(a, bb, axes).astype(np.float32),
                                   rtol=1e-4, atol=1e-4)


# ---- indexing ------------------------------------------------------------------------------------
@st.composite
def basic_index(draw, shape):
    idx = []
    for n in shape:
        kind = draw(st.sampled_from(["int", "slice", "full"] if n else ["slice", "full"]))
        if kind == "int":
            idx.append(draw(st.integers(-n, n - 1)))
        elif kind == "slice":
            bound = st.none() | st.integers(-n - 2, n + 2)
            step = st.none() | st.integers(-3, 3).filter(bool)
            idx.append(slice(draw(bound), draw(bound), draw(step)))
        else:
            idx.append(slice(None))
    idx = idx[:draw(st.integers(0, len(idx)))]
    for _ in range(draw(st.integers(0, 2))):
        idx.insert(draw(st.integers(0, len(idx))), None)
    if draw(st.booleans()):
        idx.insert(draw(st.integers(0, len(idx))), Ellipsis)
    return tuple(idx)


@st.composite
def advanced_index(draw, shape):
    """A mix of integer arrays (broadcastable), a boolean mask, ints and slices."""
    idx = []
    bshape = draw(hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=3))
    dims = list(shape)
    if dims and draw(st.booleans()):  # boolean mask over the leading axes
        k = draw(st.integers(1, min(2, len(dims))))
        idx.append(draw(hnp.arrays(np.bool_, tuple(dims[:k]))))
        dims = dims[k:]
    for n in dims:
        kind = draw(st.sampled_from(["array", "slice", "int"] if n else ["slice"]))
        if kind == "array":
            sub = bshape[draw(st.integers(0, len(bshape))):]
            idx.append(draw(hnp.arrays(np.int32, sub, elements=st.integers(-n, n - 1))))
        elif kind == "int":
            idx.append(draw(st.integers(-n, n - 1)))
        else:
            idx.append(slice(None, None, draw(st.sampled_from([None, 2, -1]))))
    if draw(st.booleans()):
        idx.insert(draw(st.integers(0, len(idx))), None)
    return tuple(idx)


def _to_jax_index(idx, convert):
    if not convert:
        return idx
    return tuple(jnp.asarray(i) if isinstance(i, np.ndarray) else i for i in idx)


@SETTINGS
@given(x=any_array(min_dims=0, max_dims=4, dtypes=["int32", "float32", "uint32", "bool"]), data=st.data())
def test_basic_indexing_matches_numpy(x, data):
    idx = data.draw(basic_index(x.shape))
    same(jnp.asarray(x)[idx], x[idx])
    if len(idx) == 1:
        same(jnp.asarray(x)[idx[0]], x[idx[0]])


@SETTINGS
@given(x=any_array(min_dims=1, max_dims=3, min_side=1, dtypes=["int32", "float32", "int8"]), data=st.data())
def test_advanced_indexing_matches_numpy(x, data):
    idx = data.draw(advanced_index(x.shape))
    try:
        want = x[idx]
    except IndexError:  # e.g. index arrays that do not broadcast together
        with pytest.raises((IndexError, ValueError, TypeError)):
            jnp.asarray(x)[_to_jax_index(idx, True)]
        return
    same(jnp.asarray(x)[_to_jax_index(idx, data.draw(st.booleans()))], want)


def test_indexing_clamps_out_of_bounds_like_jax():
    x = jnp.arange(3)
    assert int(x[5]) == 2  # JAX clamps static out-of-bounds indices too
    np.testing.assert_array_equal(np.asarray(x[jnp.array([0, 5, -1, -7])]), [0, 2, 2, 0])
    np.testing.assert_array_equal(np.asarray(x.at[jnp.array([0, 5])].get(mode="fill", fill_value=-1)), [0, -1])
    m = jnp.arange(12).reshape(3, 4)
    np.testing.assert_array_equal(np.asarray(m[:, jnp.array([True, False, True, False])]),
                                  [[0, 2], [4, 6], [8, 10]])
    assert m[1, None, ..., 2].shape == (1,)
    assert m[None, jnp.array([0, 2]), ..., jnp.array([1, 3])].shape == (2, 1)


def test_indexing_errors():
    x = jnp.arange(6).reshape(2, 3)
    with pytest.raises(IndexError):
        x[0, 0, 0]
    with pytest.raises(IndexError):
        x[..., ...]
    with pytest.raises(TypeError):
        x[1.5]
    with pytest.raises(TypeError):
        x["a"]
    with pytest.raises(TypeError):
        x[jnp.array([0.5])]
    with pytest.raises(IndexError):
        x[jnp.array([True, False, True])]


# ---- .at[] updates ----------------------------------------------------------------------------------
AT_DTYPES = ["int32", "float32", "uint8", "bfloat16"]


@SETTINGS
@given(x=any_array(min_dims=1, max_dims=3, min_side=1, dtypes=AT_DTYPES), data=st.data())
def test_at_set_and_get_with_basic_index(x, data):
    idx = data.draw(basic_index(x.shape))
    region = x[idx]
    vals = array_of(data, str(x.dtype), region.shape, "small" if x.dtype.kind != "u" else "shift")
    jx = jnp.asarray(x)
    want = x.copy()
    want[idx] = vals
    same(jx.at[idx].set(jnp.asarray(vals)), want)
    same(jx.at[idx].get(), region)
    if region.size:
        scalar_v = 3
        want2 = x.copy()
        want2[idx] = scalar_v
        same(jx.at[idx].set(scalar_v), want2)
    same(jx, x)  # the original is untouched


UFUNC_AT = {"add": np.add.at, "multiply": np.multiply.at, "min": np.minimum.at, "max": np.maximum.at}


@pytest.mark.parametrize("op", sorted(UFUNC_AT))
@SETTINGS
@given(x=any_array(min_dims=1, max_dims=2, min_side=1, dtypes=["int32", "float32"]), data=st.data())
def test_at_scatter_ops_with_duplicate_indices(op, x, data):
    n = x.shape[0]
    ids = data.draw(hnp.arrays(np.int32, data.draw(st.integers(0, 6)), elements=st.integers(-n, n - 1)))
    vals = array_of(data, str(x.dtype), ids.shape + x.shape[1:], "small")
    want = x.copy()
    UFUNC_AT[op](want, ids, vals)
    got = getattr(jnp.asarray(x).at[jnp.asarray(ids)], op)(jnp.asarray(vals))
    if x.dtype.kind == "f":
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-5, atol=1e-5)
        assert got.dtype == x.dtype
    else:
        same(got, want)


def test_at_forms_match_jax():
    x = jnp.arange(3)
    np.testing.assert_array_equal(np.asarray(x.at[5].set(9)), [0, 1, 2])  # out of bounds: dropped
    np.testing.assert_array_equal(np.asarray(x.at[-4].set(7)), [0, 1, 2])
    np.testing.assert_array_equal(np.asarray(x.at[jnp.array([0, 5, -1])].set(9)), [9, 1, 9])
    np.testing.assert_array_equal(np.asarray(x.at[jnp.array([0, 0, 2])].add(1)), [2, 1, 3])
    np.testing.assert_array_equal(np.asarray(x.at[1:].set(jnp.array([8, 9]))), [0, 8, 9])
    np.testing.assert_array_equal(np.asarray(x.at[::-1].add(jnp.array([1, 2, 3]))), [3, 3, 3])
    m = jnp.arange(12).reshape(3, 4)
    np.testing.assert_array_equal(np.asarray(m.at[:, jnp.array([0, 0])].add(1)),
                                  [[2, 1, 2, 3], [6, 5, 6, 7], [10, 9, 10, 11]])
    np.testing.assert_array_equal(np.asarray(m.at[m > 5].set(0)), [[0, 1, 2, 3], [4, 5, 0, 0], [0, 0, 0, 0]])
    np.testing.assert_array_equal(np.asarray(m.at[jnp.array([0, 2]), 1:3].mul(2)),
                                  [[0, 2, 4, 3], [4, 5, 6, 7], [8, 18, 20, 11]])
    np.testing.assert_array_equal(np.asarray(m.at[jnp.array([[0], [2]]), jnp.array([1, 3])].min(-1)),
                                  [[0, -1, 2, -1], [4, 5, 6, 7], [8, -1, 10, -1]])
    f = jnp.ones(3)
    np.testing.assert_allclose(np.asarray(f.at[1].divide(4.0)), [1, 0.25, 1])
    np.testing.assert_allclose(np.asarray(f.at[1].power(3.0)), [1, 1, 1])
    np.testing.assert_allclose(np.asarray(f.at[0].subtract(2.0)), [-1, 1, 1])
    assert x.at[0].set(2.7).dtype == np.int32  # the update is cast to the array's dtype
    np.testing.assert_array_equal(np.asarray(x.at[0].set(2.7)), [2, 1, 2])


def test_take_and_take_along_axis():
    x = np.arange(12).reshape(3, 4).astype(np.float32)
    jx = jnp.asarray(x)
    same(jnp.take(jx, jnp.array([2, 0]), axis=1), np.take(x, [2, 0], axis=1))
    same(jnp.take(jx, jnp.array([5, 0])), np.take(x, [5, 0]))
    order = np.argsort(-x, axis=1)
    same(jnp.take_along_axis(jx, jnp.asarray(order), axis=1), np.take_along_axis(x, order, axis=1))
    same(jnp.nonzero(jnp.array([0, 3, 0, 4]))[0], np.array([1, 3], np.int32))
    same(jnp.nonzero(jnp.array([0, 3, 0, 4]), size=3, fill_value=-1)[0], np.array([1, 3, -1], np.int32))
    same(jnp.where(jnp.array([True, False, True]), jnp.ones(3), 0.0), np.where([True, False, True], 1.0, 0.0).astype(np.float32))
    same(jnp.argwhere(jnp.array([[0, 1], [1, 0]])), np.argwhere([[0, 1], [1, 0]]).astype(np.int32))


@SETTINGS
@given(data=st.data())
def test_where_and_clip_broadcast(data):
    s1, s2, s3 = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3)).input_shapes
    c = array_of(data, "bool", s1, "any")
    a = array_of(data, "float32", s2, "any")
    b = array_of(data, "int32", s3, "small")
    got = jnp.where(jnp.asarray(c), jnp.asarray(a), jnp.asarray(b))
    assert got.dtype == np.float32
    np.testing.assert_array_equal(np.asarray(got), np.where(c, a, b.astype(np.float32)))
    lo, hi = -2.0, 3.0
    np.testing.assert_array_equal(np.asarray(jnp.clip(jnp.asarray(a), lo, hi)), np.clip(a, lo, hi))
    np.testing.assert_array_equal(np.asarray(jnp.clip(jnp.asarray(b), max=1)), np.minimum(b, 1))
