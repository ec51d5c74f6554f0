"""Random tensors: ``rand``, ``randn``, ``randint``, ``randperm`` and their ``_like`` forms.
Values come from the device's generator (``flambeau.random``)."""
import numpy as np

from .. import dtypes as _dt
from ..device import CPU, canonical
from ..random import _generator_for
from ._common import make, shape_arg


def _draw(device, generator, fn):
    dev = canonical(device) if device is not None else CPU
    bits = _generator_for(generator, dev)
    arr = fn(bits)
    if dev is not CPU and dev._backend.xp is not np and isinstance(arr, np.ndarray):
        arr = dev._backend.from_host(arr, dev.index)
    return arr, dev


def _float_draw(size, dtype, device, generator, requires_grad, method):
    shape = shape_arg(size)
    dtype = dtype or _dt.get_default_dtype()
    if not dtype.is_floating_point:
        raise RuntimeError(f'"{"check_uniform_bounds" if method == "random" else "normal_kernel_cpu"}'
                           f'" not implemented for \'{dtype.name}\'')
    gen_dtype = dtype.numpy if dtype.itemsize >= 4 else np.float32
    arr, dev = _draw(device, generator,
                     lambda b: getattr(b, method)(shape, dtype=gen_dtype).astype(dtype.numpy,
                                                                                 copy=False))
    t = make(arr, dtype, dev)
    if requires_grad:
        t.requires_grad_(True)
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
    if low >= high:
        raise RuntimeError(f'random_ expects \'from\' to be less than \'to\', but got from={low} '
                           f'>= to={high}')
    dtype = dtype or _dt.int64
    arr, dev = _draw(device, generator,
                     lambda b: b.integers(low, high, shape, dtype=np.int64).astype(dtype.numpy))
    t = make(arr, dtype, dev)
    if requires_grad:
        t.requires_grad_(True)
    return t


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False):
    """A random permutation of ``0 .. n-1`` (int64 by default).

    Example::

        >>> sorted(flambeau.randperm(4).tolist())
        [0, 1, 2, 3]
    """
    dtype = dtype or _dt.int64
    arr, dev = _draw(device, generator, lambda b: b.permutation(n).astype(dtype.numpy))
    t = make(arr, dtype, dev)
    if requires_grad:
        t.requires_grad_(True)
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
