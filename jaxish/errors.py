"""JAX's error types for tracer misuse."""


class JAXTypeError(TypeError):
    pass


class ConcretizationTypeError(JAXTypeError):
    def __init__(self, tracer, context=""):
        aval = getattr(tracer, "aval", None)
        desc = aval.str_short() if aval is not None else type(tracer).__name__
        msg = (f"Abstract tracer value encountered where concrete value is expected: "
               f"traced array with shape {desc}.\n{context}\n"
               "The problem arose with a value that depends on the function's traced arguments. "
               "If it is a function argument, mark it static with `static_argnums` or "
               "`static_argnames` in jit; for value-dependent control flow use `lax.cond`, "
               "`lax.switch`, `lax.while_loop` or `jnp.where` instead of Python `if`/`while`.")
        super().__init__(msg)


class TracerBoolConversionError(ConcretizationTypeError):
    pass


class TracerIntegerConversionError(ConcretizationTypeError):
    pass


class TracerArrayConversionError(JAXTypeError):
    def __init__(self, tracer):
        super().__init__(
            f"The numpy.ndarray conversion method __array__() was called on traced array "
            f"with shape {tracer.aval.str_short()}. Use jaxish.numpy functions inside "
            "transformed functions instead of numpy functions.")


class UnexpectedTracerError(Exception):
    def __init__(self, tracer):
        aval = getattr(tracer, "aval", None)
        desc = aval.str_short() if aval is not None else ""
        super().__init__(
            f"Encountered an unexpected tracer {type(tracer).__name__} {desc}. A function "
            "transformed by jaxish (jit, grad, vmap...) leaked an intermediate value, e.g. by "
            "storing it in a global or a closure, and it was used after that transformation "
            "ended. Return values from transformed functions instead of storing them.")
