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

SETTINGS = settings(max_examples=8, deadline=None, derandomize=True,
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


def oracle(np_fn, operands, compute, exact=False):
    """np_fn on the operands cast to `compute` (then widened to f64/c128 unless `exact`)."""
    with np.errstate(all="ignore"):
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
    "positive": (np.positive, "any", "out", False, False), "sign": (np.sign, "any", "out", True, False),
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
    "logaddexp": (np.logaddexp, "any", "any", "out", False, False),
    "logaddexp2": (np.logaddexp2, "any", "any", "out", False, False),
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
    got = getattr(jnp, name)(*[jnp.asarray(o) if isinstance(o, np.ndarray) else o for o in operands])
    if cast == "out":
        compute = out_dtype
    else:
        compute = str(jnp.result_type(*[jnp.asarray(o) if isinstance(o, np.ndarray) else o
                                        for o in operands]))
    assert_close(got, oracle(np_fn, operands, compute, exact), out_dtype)
