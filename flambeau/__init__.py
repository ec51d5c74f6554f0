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
from .autograd.anomaly_mode import (is_anomaly_check_nan_enabled,  # noqa: E402
                                    is_anomaly_enabled, set_anomaly_enabled)
from .random import (Generator, default_generator, get_rng_state, initial_seed,  # noqa: E402
                     manual_seed, seed, set_rng_state)
from ._tensor_str import get_printoptions, printoptions, set_printoptions  # noqa: E402
from ._runtime import *  # noqa: E402,F401,F403
# Every ops module lists its public functions in __all__.
from .ops.arithmetic import *  # noqa: E402,F401,F403
from .ops.convert import *  # noqa: E402,F401,F403
from .ops.creation import *  # noqa: E402,F401,F403
from .ops.index import *  # noqa: E402,F401,F403
from .ops.linalg import *  # noqa: E402,F401,F403
from .ops.pointwise import *  # noqa: E402,F401,F403
from .ops.random import *  # noqa: E402,F401,F403
from .ops.reduce import *  # noqa: E402,F401,F403
from .ops.shape import *  # noqa: E402,F401,F403
from .ops.special import *  # noqa: E402,F401,F403
from .ops.activation import *  # noqa: E402,F401,F403
from .ops.sorting import *  # noqa: E402,F401,F403
from .ops.scan import *  # noqa: E402,F401,F403
from .ops.rearrange import *  # noqa: E402,F401,F403
from .ops.search import *  # noqa: E402,F401,F403
from .ops.decomp import *  # noqa: E402,F401,F403
from .ops.distance import *  # noqa: E402,F401,F403
from .ops.compare import *  # noqa: E402,F401,F403
from .ops.linear import *  # noqa: E402,F401,F403
from .ops.attention import *  # noqa: E402,F401,F403
from .ops.rnn import *  # noqa: E402,F401,F403
from .ops.loss import *  # noqa: E402,F401,F403
from .ops.ctc import *  # noqa: E402,F401,F403
from .ops.conv import *  # noqa: E402,F401,F403
from .ops.pooling import *  # noqa: E402,F401,F403
from .ops.resample import *  # noqa: E402,F401,F403
from .ops.normalization import *  # noqa: E402,F401,F403
from .ops.embedding import *  # noqa: E402,F401,F403
from .autograd.function import Function as _Function  # noqa: E402,F401

__version__ = '0.1.0'

# PyTorch's constants
from math import e, inf, nan, pi  # noqa: E402,F401
newaxis = None


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


from . import accelerator, backends, cuda, linalg, nn, optim  # noqa: E402
from .cuda import OutOfMemoryError  # noqa: E402,F401

# Rarely needed at import, costly to load: ``save``/``load`` pull in zipfile and the checkpoint
# machinery, ``utils`` (DataLoader) multiprocessing and sockets. They load on first use
# (PEP 562), so ``flambeau.save``, ``flambeau.utils.data`` and ``from flambeau import utils``
# work as before; ``import flambeau`` stays cheap.
_LAZY_ATTRS = {'save': 'serialization', 'load': 'serialization'}
_LAZY_MODULES = frozenset({'serialization', '_serialization', 'utils'})


def __getattr__(name):
    if name in _LAZY_ATTRS:
        import importlib
        value = getattr(importlib.import_module('.' + _LAZY_ATTRS[name], __name__), name)
        globals()[name] = value
        return value
    if name in _LAZY_MODULES:
        import importlib
        return importlib.import_module('.' + name, __name__)
    raise AttributeError(f"module '{__name__}' has no attribute '{name}'")


def __dir__():
    return sorted(set(globals()) | set(_LAZY_ATTRS) | _LAZY_MODULES)
