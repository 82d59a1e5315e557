"""Interoperability with other frameworks (PyTorch)."""
from . import torch  # noqa: F401
