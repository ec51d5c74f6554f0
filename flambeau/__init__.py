"""flambeau: a deep-learning framework that speaks PyTorch's public API, on NumPy (CPU) and
CuPy (NVIDIA GPUs). ``import flambeau as torch`` and a PyTorch program runs."""
import warnings as _warnings

# NumPy warns on 1/0, log(0), overflow...; PyTorch returns inf/nan silently. Filtering by module
# costs nothing per op (numpy.errstate would cost ~2 us on every call).
_warnings.filterwarnings('ignore', category=RuntimeWarning, module=r'flambeau(\.|$)')

from . import dtypes as _dtypes_mod  # noqa: E402
from .dtypes import (bfloat16, bool, can_cast, double, dtype, finfo, float, float16,  # noqa: E402
                     float32, float64, get_default_dtype, half, iinfo, int, int8, int16, int32,
                     int64, long, promote_types, result_type, set_default_dtype, short, uint8)
from .device import device  # noqa: E402
from .tensor import Size, Tensor  # noqa: E402
from . import _tensor_methods  # noqa: E402,F401
from . import autograd  # noqa: E402
from .autograd import (enable_grad, inference_mode, is_grad_enabled, no_grad,  # noqa: E402
                       set_grad_enabled)
from .autograd.grad_mode import is_inference_mode_enabled  # noqa: E402
from .random import (Generator, default_generator, get_rng_state, initial_seed,  # noqa: E402
                     manual_seed, seed, set_rng_state)
from ._tensor_str import get_printoptions, printoptions, set_printoptions  # noqa: E402
from .ops.arithmetic import (add, div, divide, floor_divide, mul, multiply, pow,  # noqa: E402
                             remainder, rsub, sub, subtract, true_divide)
from .ops.convert import clone  # noqa: E402
from .ops.creation import (arange, as_tensor, asarray, empty, empty_like, eye,  # noqa: E402
                           from_numpy, full, full_like, linspace, ones, ones_like, tensor, zeros,
                           zeros_like)
from .ops.index import gather, index_put, scatter, scatter_add  # noqa: E402
from .ops.linalg import bmm, dot, matmul, mm, mv  # noqa: E402
from .ops.pointwise import (abs, absolute, bitwise_and, bitwise_not, bitwise_or,  # noqa: E402
                            bitwise_xor, clamp, clamp_max, clamp_min, clip, cos, eq, equal, exp,
                            ge, greater, greater_equal, gt, le, less, less_equal, log,
                            logical_and, logical_not, logical_or, logical_xor, lt, maximum,
                            minimum, ne, neg, negative, not_equal, relu, sigmoid, sign, sin, sqrt,
                            tanh, where)
from .ops.random import (rand, rand_like, randint, randint_like, randn, randn_like,  # noqa: E402
                         randperm)
from .ops.reduce import amax, amin, argmax, argmin, max, mean, min, return_types, sum  # noqa
from .ops.shape import (broadcast_to, cat, chunk, concat, concatenate, expand,  # noqa: E402
                        flatten, movedim, moveaxis, narrow, permute, reshape, select, split,
                        squeeze, stack, swapaxes, swapdims, t, transpose, unbind, unflatten,
                        unsqueeze)
from .autograd.function import Function as _Function  # noqa: E402,F401

__version__ = '0.1.0'


def is_tensor(obj):
    """True if ``obj`` is a flambeau Tensor.

    Example::

        >>> flambeau.is_tensor(flambeau.zeros(1)), flambeau.is_tensor([1])
        (True, False)
    """
    return isinstance(obj, Tensor)


def numel(input):
    """The number of elements of ``input``."""
    return input.numel()


def is_floating_point(input):
    """True if ``input`` has a floating point dtype."""
    return input.is_floating_point()


def detach(input):
    """``input.detach()``."""
    return input.detach()


from . import accelerator, cuda  # noqa: E402
