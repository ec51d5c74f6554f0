"""Random tensors: ``rand``, ``randn``, ``randint``, ``randperm`` and their ``_like`` forms.
Values come from the device's generator (``flambeau.random``)."""
__all__ = ['rand', 'rand_like', 'randint', 'randint_like', 'randn', 'randn_like', 'randperm']
import numpy as np

from .. import dtypes as _dt
from ..autograd.node import _TYPE_NAMES
from ..device import CPU, canonical
from ..random import _generator_for
from ._common import make, shape_arg
from .creation import REQUIRES_GRAD_DTYPE_ERROR, check_sizes

# The C++ type names PyTorch's range errors use (``randint(0, 300, dtype=torch.uint8)``).
_C_NAMES = {'bool': 'bool', 'uint8': 'unsigned char', 'int8': 'signed char', 'int16': 'short',
            'int32': 'int', 'int64': 'long'}


def _draw(device, generator, fn):
    dev = canonical(device) if device is not None else CPU
    bits = _generator_for(generator, dev)
    arr = fn(bits)
    if dev is not CPU and dev._backend.xp is not np and isinstance(arr, np.ndarray):
        arr = dev._backend.from_host(arr, dev.index)
    return arr, dev


def _float_draw(size, dtype, device, generator, requires_grad, method):
    shape = shape_arg(size)
    check_sizes(shape)
    dtype = dtype or _dt.get_default_dtype()
    if not dtype.is_floating_point:
        raise NotImplementedError(
            f'"{"check_uniform_bounds" if method == "random" else "normal_kernel_cpu"}" not '
            f"implemented for '{_TYPE_NAMES[dtype.name]}'")
    gen_dtype = dtype.numpy if dtype.itemsize >= 4 else np.float32
    arr, dev = _draw(device, generator,
                     lambda b: getattr(b, method)(shape, dtype=gen_dtype).astype(dtype.numpy,
                                                                                 copy=False))
    t = make(arr, dtype, dev)
    if requires_grad:
        t._set_requires_grad(True, REQUIRES_GRAD_DTYPE_ERROR)
    return t


def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False):
    """Uniform random numbers in ``[0, 1)`` of shape ``size``.

    Example::

        >>> flambeau.rand(2, 3).shape
        torch.Size([2, 3])
    """
    return _float_draw(size, dtype, device, generator, requires_grad, 'random')


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False):
    """Standard normal random numbers (mean 0, variance 1) of shape ``size``.

    Example::

        >>> flambeau.randn(2, 3, requires_grad=True).requires_grad
        True
    """
    return _float_draw(size, dtype, device, generator, requires_grad, 'standard_normal')


def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None,
            device=None, requires_grad=False):
    """Random integers in ``[low, high)`` of shape ``size`` (int64 by default);
    ``randint(high, size)`` starts at 0.

    Example::

        >>> flambeau.randint(0, 10, (3,)).dtype
        torch.int64
    """
    if size is None:
        if high is None or isinstance(high, int):
            raise TypeError('randint() missing 1 required positional arguments: "size"')
        low, high, size = 0, low, high
    shape = shape_arg((size,) if isinstance(size, int) else size)
    check_sizes(shape)
    if low >= high:
        raise RuntimeError(f'random_ expects \'from\' to be less than \'to\', but got from={low} '
                           f'>= to={high}')
    dtype = dtype or _dt.int64
    if not dtype.is_floating_point:
        _check_range(low, high, dtype)
    arr, dev = _draw(device, generator,
                     lambda b: b.integers(low, high, shape, dtype=np.int64).astype(dtype.numpy))
    t = make(arr, dtype, dev)
    if requires_grad:
        t._set_requires_grad(True, REQUIRES_GRAD_DTYPE_ERROR)
    return t


def _check_range(low, high, dtype):
    lo, hi = (0, 1) if dtype is _dt.bool else (int(np.iinfo(dtype.numpy).min),
                                                 int(np.iinfo(dtype.numpy).max))
    if not lo <= low <= hi:
        raise RuntimeError(f'from is out of bounds for {_C_NAMES[dtype.name]}')
    if not lo <= high - 1 <= hi:
        raise RuntimeError(f'to - 1 is out of bounds for {_C_NAMES[dtype.name]}')


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False):
    """A random permutation of ``0 .. n-1`` (int64 by default).

    Example::

        >>> sorted(flambeau.randperm(4).tolist())
        [0, 1, 2, 3]
    """
    check_sizes((n,))
    dtype = dtype or _dt.int64
    arr, dev = _draw(device, generator, lambda b: b.permutation(n).astype(dtype.numpy))
    t = make(arr, dtype, dev)
    if requires_grad:
        t._set_requires_grad(True, REQUIRES_GRAD_DTYPE_ERROR)
    return t


def rand_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    """Uniform random numbers in ``[0, 1)`` with the shape, dtype and device of ``input``."""
    return rand(input.shape, dtype=dtype or input.dtype, device=device or input.device,
                requires_grad=requires_grad)


def randn_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    """Standard normal random numbers with the shape, dtype and device of ``input``."""
    return randn(input.shape, dtype=dtype or input.dtype, device=device or input.device,
                 requires_grad=requires_grad)


def randint_like(input, low=0, high=None, *, dtype=None, layout=None, device=None,
                 requires_grad=False, memory_format=None):
    """Random integers in ``[low, high)`` with the shape, dtype and device of ``input``."""
    if high is None:
        low, high = 0, low
    return randint(low, high, input.shape, dtype=dtype or input.dtype,
                   device=device or input.device, requires_grad=requires_grad)
