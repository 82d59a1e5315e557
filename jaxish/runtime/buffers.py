"""Buffer handling shared by the compiled backends' executables (C++ and Triton)."""
import logging
import sys

import torch

_fusion_log = logging.getLogger("jaxish.fusion")
_handler = []


def donated_storage(t, others):
    """A donated input's tensor, to be overwritten in place by the output it becomes (a private
    copy when it is not contiguous or shares memory with another operand)."""
    if t.is_contiguous():
        ptr = t.untyped_storage().data_ptr()
        if not any(isinstance(o, torch.Tensor) and o.untyped_storage().data_ptr() == ptr for o in others):
            return t
    return t.clone(memory_format=torch.contiguous_format)


def fix_extern_output(pool):
    """fix(t, aliasing): an extern call's result made contiguous and, when it may alias, never
    sharing storage with the executable's reusable buffers (`pool`: their storage pointers)."""
    def fix(t, aliasing):
        if not isinstance(t, torch.Tensor):
            return t
        if not t.is_contiguous():
            return t.contiguous()
        if aliasing and pool and t.untyped_storage().data_ptr() in pool:
            return t.clone()
        return t
    return fix


def log_fusion_text(text):
    """Print an executable's fusion report on stderr (JAXISH_LOG=fusion)."""
    if not _handler:
        h = logging.StreamHandler(sys.stderr)
        _fusion_log.addHandler(h)
        _fusion_log.setLevel(logging.INFO)
        _handler.append(h)
    _fusion_log.info(text)
