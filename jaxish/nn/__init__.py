"""jaxish.nn: activation functions, softmax/logsumexp, one_hot, standardize, and initializers."""
from .functions import *  # noqa: F401,F403
from . import initializers  # noqa: F401
from .attention import dot_product_attention  # noqa: F401
