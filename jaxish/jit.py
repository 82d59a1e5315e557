"""jit: trace once per signature, optimize the graph, compile it with a backend, and call the
executable on later hits through a flat path (flatten, one dict lookup, run, wrap)."""
import functools
import inspect
import logging

import numpy as np
import torch

from .array import Array, ArrayImpl
from .config import config
from .ir.avals import ShapedArray
from .interpreters import core
from .interpreters.eager import eager_trace
from .interpreters.staging import trace_to_graph, close_over_consts
from .tree_util import tree_flatten, tree_unflatten

log = logging.getLogger("jaxish")
_SCALARS = (int, float, bool, complex)


def _leaf_sig(x):
    t = type(x)
    if t is ArrayImpl:
        tt = x._t
        return (tt.shape, tt.dtype, x._weak, tt.device)
    if t in _SCALARS:
        return t
    if isinstance(x, core.Tracer):
        return x.aval
    return None


def _as_leaf(x):
    t = type(x)
    if t is ArrayImpl or t in _SCALARS:
        return x
    if isinstance(x, ArrayImpl):
        return ArrayImpl(x._t, x._weak)  # subclasses (sharded arrays) take the fast path as plain arrays
    if isinstance(x, Array):
        return x
    from .numpy import asarray
    try:
        return asarray(x)
    except TypeError:
        raise TypeError(f"Argument '{x!r}' of type {type(x)} is not a valid JAX type") from None


class _Entry:
    __slots__ = ("graph", "consts", "const_tensors", "out_tree", "out_weak", "exe", "in_avals")


class Lowered:
    def __init__(self, jitted, entry, backend):
        self._jitted = jitted
        self._entry = entry
        self._backend = backend

    def as_text(self):
        return str(self._entry.graph)

    def compile(self):
        from .runtime.executable import compile_cached
        tensors = self._entry.const_tensors
        exe = compile_cached(self._entry.graph, self._backend, tensors)
        return Compiled(self._jitted, self._entry, exe)


class Compiled:
    def __init__(self, jitted, entry, exe):
        self._jitted = jitted
        self._entry = entry
        self.executable = exe

    def as_text(self):
        return self.executable.as_text()

    @property
    def kernel_count(self):
        return getattr(self.executable, "kernel_count", 0)

    def __call__(self, *args, **kwargs):
        return self._jitted(*args, **kwargs)


class JitWrapped:
    def __init__(self, fun, static_argnums=(), static_argnames=(), donate_argnums=(), backend=None,
                 inline=False):
        self.fun = fun
        functools.update_wrapper(self, fun)
        sig = None
        try:
            sig = inspect.signature(fun)
        except (TypeError, ValueError):
            pass
        static_argnums = (static_argnums,) if isinstance(static_argnums, int) else tuple(static_argnums or ())
        static_argnames = (static_argnames,) if isinstance(static_argnames, str) else tuple(static_argnames or ())
        if sig is not None:
            params = list(sig.parameters.values())
            names = [p.name for p in params]
            for n in static_argnames:
                if n in names and names.index(n) not in static_argnums and \
                        params[names.index(n)].kind in (params[0].POSITIONAL_OR_KEYWORD, params[0].POSITIONAL_ONLY):
                    static_argnums = static_argnums + (names.index(n),)
            for i in static_argnums:
                if i < len(names) and names[i] not in static_argnames and \
                        params[i].kind == params[0].POSITIONAL_OR_KEYWORD:
                    static_argnames = static_argnames + (names[i],)
        self.static_argnums = frozenset(i for i in static_argnums)
        self.static_argnames = frozenset(static_argnames)
        self.donate_argnums = (donate_argnums,) if isinstance(donate_argnums, int) else tuple(donate_argnums or ())
        self.backend = backend
        self._cache = {}
        self._last_key = None
        self._signature = sig

    # ---- the call path ----
    def _split(self, args, kwargs):
        statics = ()
        if self.static_argnums:
            statics = tuple((i, args[i]) for i in sorted(self.static_argnums) if i < len(args))
            args = tuple(a for i, a in enumerate(args) if i not in self.static_argnums)
        skw = ()
        if self.static_argnames and kwargs:
            skw = tuple(sorted((k, v) for k, v in kwargs.items() if k in self.static_argnames))
            kwargs = {k: v for k, v in kwargs.items() if k not in self.static_argnames}
        for _, v in statics + skw:
            try:
                hash(v)
            except TypeError:
                raise ValueError(
                    f"Non-hashable static arguments are not supported. An error occurred while trying to "
                    f"hash an object of type {type(v)}, {v!r}. The error was:\nTypeError: unhashable type: "
                    f"'{type(v).__name__}'") from None
        return args, kwargs, statics, skw

    def __call__(self, *args, **kwargs):
        if config._values["jax_disable_jit"]:
            return self.fun(*args, **kwargs)
        if not self.static_argnums and not self.static_argnames:
            statics = skw = ()
            if kwargs:
                leaves, treedef = tree_flatten((args, kwargs))
            else:
                leaves, treedef = tree_flatten(args)
        else:
            args, kwargs, statics, skw = self._split(args, kwargs)
            leaves, treedef = tree_flatten((args, kwargs)) if kwargs else tree_flatten(args)
        sigs = []
        for x in leaves:
            s = _leaf_sig(x)
            if s is None:
                return self._call_slow(args, kwargs, statics, skw)
            sigs.append(s)
        key = (treedef, tuple(sigs), statics, skw, config.version, core.state.axis_env)
        entry = self._cache.get(key)
        trace = core.state.trace
        if entry is None:
            entry = self._trace(key, leaves, treedef, statics, skw, bool(kwargs))
        if trace is eager_trace and entry.consts is not None:
            exe = entry.exe
            if exe is None:
                exe = self._compile(entry, leaves)
            ts = entry.const_tensors + [x._t if type(x) is ArrayImpl else x for x in leaves]
            outs = exe.run_tensors(ts)
            return tree_unflatten(entry.out_tree, [ArrayImpl(o, w) for o, w in zip(outs, entry.out_weak)])
        return self._bind(entry, leaves)

    def _call_slow(self, args, kwargs, statics, skw):
        leaves, treedef = tree_flatten((args, kwargs)) if kwargs else tree_flatten(args)
        leaves = [_as_leaf(x) for x in leaves]
        if kwargs:
            a, k = tree_unflatten(treedef, leaves)
        else:
            a, k = tree_unflatten(treedef, leaves), {}
        return self(*self._rebuild(a, statics), **dict(k, **dict(skw)))

    def _rebuild(self, dyn_args, statics):
        args = list(dyn_args)
        for i, v in statics:
            args.insert(i, v)
        return args

    def _trace(self, key, leaves, treedef, statics, skw, has_kwargs):
        if config._values["jax_explain_cache_misses"]:
            self._explain_miss(key)
        self._last_key = key
        in_avals = [core.get_aval(x) for x in leaves]
        out_tree_box = []
        fun = self.fun

        def flat(*xs):
            if has_kwargs:
                a, k = tree_unflatten(treedef, xs)
            else:
                a, k = tree_unflatten(treedef, xs), {}
            out = fun(*self._rebuild(a, statics), **dict(k, **dict(skw)))
            ol, ot = tree_flatten(out)
            out_tree_box.append(ot)
            from .numpy import asarray
            return [o if isinstance(o, Array) else asarray(o) for o in ol]

        graph, consts = trace_to_graph(flat, in_avals)
        from .ir.passes import optimize
        graph, consts = optimize(graph, consts)
        entry = _Entry()
        entry.in_avals = in_avals
        entry.graph = close_over_consts(graph)
        entry.out_tree = out_tree_box[0]
        entry.out_weak = [a.weak_type for a in graph.out_avals]
        entry.exe = None
        if all(type(c) is ArrayImpl for c in consts):
            entry.consts = consts
            entry.const_tensors = [c._t for c in consts]
            self._cache[key] = entry
        else:
            entry.consts = None
            entry.const_tensors = consts
        return entry

    def _compile(self, entry, leaves):
        from .runtime.executable import compile_cached
        tensors = entry.const_tensors + [x._t for x in leaves if type(x) is ArrayImpl]
        entry.exe = compile_cached(entry.graph, self.backend, tensors)
        return entry.exe

    def _bind(self, entry, leaves):
        from .lax.jit_call import jit_call_p
        consts = entry.consts if entry.consts is not None else entry.const_tensors
        outs = jit_call_p.bind(*consts, *leaves, graph=entry.graph,
                               name=getattr(self.fun, "__name__", "jit"), backend=self.backend, donate=())
        return tree_unflatten(entry.out_tree, outs)

    def _explain_miss(self, key):
        prev = self._last_key
        name = getattr(self.fun, "__name__", "fun")
        if prev is None:
            log.warning("TRACING CACHE MISS at %s: never seen function %s before", name, name)
            return
        ptree, psig, pstat, pskw, pver, penv = prev
        tree, sig, stat, skw, ver, env = key
        if ptree != tree:
            msg = f"different input pytree structure: {ptree} vs {tree}"
        elif pstat != stat or pskw != skw:
            msg = f"different value of static args: {dict(pstat + pskw)} vs {dict(stat + skw)}"
        elif pver != ver:
            msg = "different config (jaxish.config was updated)"
        elif penv != env:
            msg = f"different named axes in scope: {penv} vs {env}"
        else:
            diffs = []
            for i, (a, b) in enumerate(zip(psig, sig)):
                if a != b:
                    diffs.append(f"argument leaf {i}: {_describe(a)} vs {_describe(b)}")
            msg = "; ".join(diffs) or "unknown reason"
        log.warning("TRACING CACHE MISS at %s because: %s", name, msg)

    # ---- AOT ----
    def lower(self, *args, **kwargs):
        args, kwargs, statics, skw = self._split(args, kwargs)
        leaves, treedef = tree_flatten((args, kwargs)) if kwargs else tree_flatten(args)
        leaves = [_as_leaf(x) for x in leaves]
        sigs = tuple(_leaf_sig(x) for x in leaves)
        key = (treedef, sigs, statics, skw, config.version, core.state.axis_env)
        entry = self._cache.get(key) or self._trace(key, leaves, treedef, statics, skw, bool(kwargs))
        return Lowered(self, entry, self.backend)

    def trace(self, *args, **kwargs):
        return self.lower(*args, **kwargs)

    def eval_shape(self, *args, **kwargs):
        from .api import eval_shape
        return eval_shape(self, *args, **kwargs)

    def clear_cache(self):
        self._cache.clear()

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        return functools.partial(self, obj)


def _describe(sig):
    if isinstance(sig, tuple) and len(sig) == 4:
        shape, dtype, weak, dev = sig
        return f"{dtype}{list(shape)}{' weak' if weak else ''} on {dev}"
    if isinstance(sig, type):
        return f"Python {sig.__name__}"
    return str(sig)


def jit(fun=None, *, static_argnums=(), static_argnames=(), donate_argnums=(), donate_argnames=(),
        backend=None, device=None, inline=False, keep_unused=False, in_shardings=None,
        out_shardings=None, abstracted_axes=None):
    if fun is None:
        return lambda f: jit(f, static_argnums=static_argnums, static_argnames=static_argnames,
                             donate_argnums=donate_argnums, backend=backend, inline=inline,
                             in_shardings=in_shardings, out_shardings=out_shardings)
    if not callable(fun):
        raise TypeError(f"Expected a callable value, got {fun!r}")
    if backend is not None and backend not in ("cpp", "triton", "eager", "cpu", "gpu", "cuda"):
        raise ValueError(f"Unknown backend {backend!r}; expected 'cpp', 'triton' or 'eager'")
    backend = {"cpu": "cpp", "gpu": "triton", "cuda": "triton"}.get(backend, backend)
    wrapped = JitWrapped(fun, static_argnums, static_argnames, donate_argnums, backend, inline)
    if in_shardings is not None or out_shardings is not None:
        from .distributed.sharded_jit import ShardedJit
        return ShardedJit(wrapped, in_shardings, out_shardings)
    return wrapped
