"""jax.experimental.pjit.pjit: the older spelling of jaxish.jit with in_shardings/out_shardings
(PartitionSpecs among them resolve against the mesh of an enclosing `with mesh:`)."""
from ..jit import jit as _jit

__all__ = ["pjit"]


class _Unspecified:
    def __repr__(self):
        return "UNSPECIFIED"


UNSPECIFIED = _Unspecified()


def _argnums(x):
    return () if x is None else x


def pjit(fun, in_shardings=UNSPECIFIED, out_shardings=UNSPECIFIED, static_argnums=None, static_argnames=None,
         donate_argnums=None, donate_argnames=None, keep_unused=False, device=None, backend=None,
         inline=False, compiler_options=None):
    """Compile `fun` as jaxish.jit does; shardings lay arguments and results out over devices."""
    return _jit(fun, in_shardings=None if in_shardings is UNSPECIFIED else in_shardings,
                out_shardings=None if out_shardings is UNSPECIFIED else out_shardings,
                static_argnums=_argnums(static_argnums), static_argnames=_argnums(static_argnames),
                donate_argnums=_argnums(donate_argnums), donate_argnames=_argnums(donate_argnames),
                keep_unused=keep_unused, device=device, backend=backend, inline=inline)
