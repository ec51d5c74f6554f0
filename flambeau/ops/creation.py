"""Creation functions: ``tensor``, ``as_tensor``, ``from_numpy``, ``zeros``, ``ones``,
``full``, ``empty`` and their ``_like`` forms, ``arange``, ``linspace``, ``eye`` and
``Tensor.new_*`` (the random ones, ``rand``, ``randn``, ... are in ``ops/random.py``).

All take ``dtype``, ``device`` and ``requires_grad`` keywords, and sizes both as ``zeros(2, 3)``
and ``zeros((2, 3))``. Arrays are made on the host by NumPy and moved once by the backend.
"""
__all__ = ['arange', 'as_tensor', 'asarray', 'empty', 'empty_like', 'eye', 'from_numpy', 'full',
           'full_like', 'linspace', 'ones', 'ones_like', 'tensor', 'zeros', 'zeros_like']
import numbers

import numpy as np

from .. import dtypes as _dt
from ..device import CPU, canonical
from ._common import Tensor, make, shape_arg


def _finish(data, dtype, device, requires_grad):
    """Put host array ``data`` on ``device`` and wrap it."""
    dev = canonical(device) if device is not None else CPU
    if dev is not CPU:
        data = dev._backend.from_host(data, dev.index)
    t = make(data, dtype, dev)
    if requires_grad:
        t._set_requires_grad(True, REQUIRES_GRAD_DTYPE_ERROR)
    return t


REQUIRES_GRAD_DTYPE_ERROR = 'Only Tensors of floating point and complex dtype can require gradients'


def check_sizes(shape, fn=None):
    """PyTorch's error for a negative size (``zeros`` words it its own way)."""
    for s in shape:
        if s < 0:
            if fn == 'zeros':
                raise RuntimeError('zeros: Dimension size must be non-negative.')
            raise RuntimeError(f'Trying to create tensor with negative dimension {s}: '
                               f'{list(shape)}')


def _infer_dtype(arr, data):
    """PyTorch's dtype for data given as Python numbers: floats take the default dtype,
    ints int64, bools bool."""
    k = arr.dtype.kind
    if k == 'f':
        return _dt.get_default_dtype()
    if k in 'iu':
        return _dt.int64
    if k == 'b':
        return _dt.bool
    raise TypeError(f"can't convert {type(data).__name__} to a tensor")


def _to_array(data):
    if isinstance(data, Tensor):
        return data._host(), data._dtype
    if isinstance(data, np.ndarray):
        return data, _dt.from_numpy_dtype(data.dtype)
    if isinstance(data, np.generic):
        return np.asarray(data), _dt.from_numpy_dtype(data.dtype)
    if isinstance(data, (list, tuple)) and any(isinstance(x, Tensor) for x in _flat(data)):
        items = _flat(data)
        dts = [x._dtype if isinstance(x, Tensor) else _dt.scalar_dtype(x) for x in items]
        d = dts[0]
        for o in dts[1:]:
            d = _dt.promote(d, o)
        arr = np.array(_unwrap(data), dtype=d.numpy)
        return arr, d
    try:
        arr = np.array(data)
    except ValueError:
        raise _ragged_error(data) from None
    if arr.dtype == object:
        raise _ragged_error(data) if isinstance(data, (list, tuple)) else \
            RuntimeError(f'Could not infer dtype of {type(data).__name__}')
    if arr.dtype.kind in 'US':
        raise TypeError(f'new(): invalid data type \'{arr.dtype.kind == "U" and "str"}\'')
    return arr, _infer_dtype(arr, data)


def _flat(data):
    out = []
    stack = [data]
    while stack:
        x = stack.pop()
        if isinstance(x, (list, tuple)):
            stack.extend(x)
        else:
            out.append(x)
    return out


def _unwrap(data):
    if isinstance(data, (list, tuple)):
        return [_unwrap(x) for x in data]
    if isinstance(data, Tensor):
        return data._host()
    return data


def _ragged_error(data):
    """PyTorch's error for nested sequences that do not form a tensor: the sizes are those of
    the first element at each depth, and the first sequence (depth first) that disagrees is
    reported."""
    sizes = []
    x = data
    while isinstance(x, (list, tuple)):
        sizes.append(len(x))
        if not x:
            break
        x = x[0]
    stack = [(data, 0)]
    while stack:
        x, d = stack.pop()
        if d >= len(sizes):
            continue
        if not isinstance(x, (list, tuple)):
            return TypeError('not a sequence')
        if len(x) != sizes[d]:
            return ValueError(f'expected sequence of length {sizes[d]} at dim {d} '
                              f'(got {len(x)})')
        stack.extend((e, d + 1) for e in reversed(x))
    return ValueError('could not convert the data to a tensor')


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor that copies ``data`` (a number, a nested list or tuple, a NumPy array).

    Python floats become the default dtype (float32), ints int64, bools bool; NumPy arrays
    keep their dtype.

    Example::

        >>> flambeau.tensor([[1, 2], [3, 4.5]])
        tensor([[1.0000, 2.0000],
                [3.0000, 4.5000]])
    """
    if isinstance(data, Tensor):
        import warnings
        warnings.warn('To copy construct from a tensor, it is recommended to use '
                      'sourceTensor.detach().clone() or sourceTensor.detach().clone()'
                      '.requires_grad_(True), rather than torch.tensor(sourceTensor).',
                      UserWarning, stacklevel=2)
    arr, inferred = _to_array(data)
    dtype = dtype or inferred
    arr = np.array(arr, dtype=dtype.numpy, copy=True)
    if device is None and isinstance(data, Tensor):
        device = data.device
    return _finish(arr, dtype, device, requires_grad)


def scalar_tensor(value, like):
    """A 0-d tensor holding Python number ``value`` on ``like``'s device, in the dtype
    ``value`` takes when combined with ``like`` (internal helper)."""
    from ._common import scalar_result_dtype, scalar_value
    d = scalar_result_dtype(like._dtype, value) if isinstance(value, (int, float, bool)) \
        else like._dtype
    return _finish(np.array(scalar_value(value, d), dtype=d.numpy), d, like._device, False)


def as_tensor(data, dtype=None, device=None):
    """``data`` as a tensor, sharing memory when it already is a tensor or a NumPy array of
    the wanted dtype and device (no copy), else a copy.

    Example::

        >>> a = numpy.array([1., 2.])
        >>> t = flambeau.as_tensor(a)
        >>> t[0] = 5.
        >>> a
        array([5., 2.])
    """
    if isinstance(data, Tensor):
        t = data
        if dtype is not None or device is not None:
            t = t.to(device=device, dtype=dtype)
        return t
    if isinstance(data, np.ndarray) and (device is None or canonical(device) is CPU):
        t = from_numpy(data)
        return t if dtype is None or dtype is t._dtype else t.to(dtype)
    return tensor(data, dtype=dtype, device=device)


asarray = as_tensor


def from_numpy(ndarray):
    """A CPU tensor sharing memory with NumPy array ``ndarray`` (writes show on both sides).

    Example::

        >>> flambeau.from_numpy(numpy.arange(3))
        tensor([0, 1, 2])
    """
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f'expected np.ndarray (got {type(ndarray).__name__})')
    if any(s < 0 for s in ndarray.strides):
        raise ValueError('At least one stride in the given numpy array is negative, and tensors '
                         'with negative strides are not currently supported. (You can probably '
                         'work around this by making a copy of your array  with array.copy().) ')
    return make(ndarray, _dt.from_numpy_dtype(ndarray.dtype), CPU)


def _filled(size, fill, dtype, device, requires_grad, fn=None):
    shape = shape_arg(size)
    check_sizes(shape, fn)
    dtype = dtype or _dt.get_default_dtype()
    if fill is None:
        arr = np.empty(shape, dtype=dtype.numpy)
    elif fill == 0:
        arr = np.zeros(shape, dtype=dtype.numpy)
    else:
        arr = np.full(shape, fill, dtype=dtype.numpy)
    return _finish(arr, dtype, device, requires_grad)


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False):
    """A tensor of zeros of shape ``size``.

    Example::

        >>> flambeau.zeros(2, 3)
        tensor([[0., 0., 0.],
                [0., 0., 0.]])
    """
    return _filled(size, 0, dtype, device, requires_grad, 'zeros')


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    """A tensor of ones of shape ``size``.

    Example::

        >>> flambeau.ones(2, dtype=flambeau.int8)
        tensor([1, 1], dtype=torch.int8)
    """
    return _filled(size, 1, dtype, device, requires_grad)


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None):
    """An uninitialised tensor of shape ``size``.

    Example::

        >>> flambeau.empty(2, 3).shape
        torch.Size([2, 3])
    """
    return _filled(size, None, dtype, device, requires_grad)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False):
    """A tensor of shape ``size`` filled with ``fill_value``; the dtype follows the value
    (bool, int64, or the default float dtype).

    Example::

        >>> flambeau.full((2,), 7)
        tensor([7, 7])
    """
    if dtype is None:
        dtype = _dt.scalar_dtype(fill_value.item() if isinstance(fill_value, Tensor)
                                 else fill_value)
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    return _filled((size,) if isinstance(size, int) else size, fill_value, dtype, device,
                   requires_grad)


def _like(input, dtype, device):
    return dtype or input._dtype, device if device is not None else input._device


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    """Zeros with the shape (and by default dtype and device) of ``input``.

    Example::

        >>> flambeau.zeros_like(flambeau.ones(2, dtype=flambeau.int32))
        tensor([0, 0], dtype=torch.int32)
    """
    dtype, device = _like(input, dtype, device)
    return _filled(input.shape, 0, dtype, device, requires_grad)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    """Ones with the shape (and by default dtype and device) of ``input``."""
    dtype, device = _like(input, dtype, device)
    return _filled(input.shape, 1, dtype, device, requires_grad)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    """An uninitialised tensor with the shape (and by default dtype and device) of ``input``."""
    dtype, device = _like(input, dtype, device)
    return _filled(input.shape, None, dtype, device, requires_grad)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    """``fill_value`` everywhere, with the shape (and by default dtype and device) of
    ``input``."""
    dtype, device = _like(input, dtype, device)
    return _filled(input.shape, fill_value, dtype, device, requires_grad)


def arange(start, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False):
    """Values from ``start`` (default 0) up to but excluding ``end``, ``step`` apart. The
    dtype is int64 when all arguments are integers, else the default float dtype.

    Example::

        >>> flambeau.arange(1, 2.5, 0.5)
        tensor([1.0000, 1.5000, 2.0000])
    """
    if end is None:
        start, end = 0, start
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    start, end, step = vals
    if step == 0:
        raise RuntimeError('step must be nonzero')
    if (end - start) * step < 0:
        raise RuntimeError('upper bound and lower bound inconsistent with step sign')
    if dtype is None:
        integral = all(isinstance(v, numbers.Integral) for v in vals)
        dtype = _dt.int64 if integral else _dt.get_default_dtype()
    n = int(np.ceil((end - start) / step))
    if dtype.is_floating_point:
        arr = (start + np.arange(n, dtype=np.float64) * step).astype(dtype.numpy)
    else:
        arr = np.arange(start, end, step).astype(dtype.numpy)[:n]
    return _finish(arr, dtype, device, requires_grad)


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive.

    Example::

        >>> flambeau.linspace(0, 1, 5)
        tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
    """
    if steps < 0:
        raise RuntimeError('number of steps must be non-negative')
    dtype = dtype or _dt.get_default_dtype()
    start = start.item() if isinstance(start, Tensor) else start
    end = end.item() if isinstance(end, Tensor) else end
    if steps == 1:
        arr = np.array([start], dtype=np.float64)
    else:
        # PyTorch fills the first half from start and the second half from end.
        step = (end - start) / (steps - 1)
        i = np.arange(steps, dtype=np.float64)
        half = steps // 2
        arr = np.where(i < half, start + step * i, end - step * (steps - 1 - i))
    if not dtype.is_floating_point:
        arr = np.trunc(arr)
    return _finish(arr.astype(dtype.numpy), dtype, device, requires_grad)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """The ``n x m`` identity matrix (``m`` defaults to ``n``).

    Example::

        >>> flambeau.eye(2)
        tensor([[1., 0.],
                [0., 1.]])
    """
    dtype = dtype or _dt.get_default_dtype()
    return _finish(np.eye(n, m, dtype=dtype.numpy), dtype, device, requires_grad)


def _tensor_ctor(args, device):
    """``Tensor(*sizes)`` (uninitialised, default dtype) or ``Tensor(data)``."""
    if len(args) == 1 and not isinstance(args[0], (int, np.integer)):
        data = args[0]
        if isinstance(data, Tensor):
            return data
        arr, _ = _to_array(data)
        d = _dt.get_default_dtype()
        return _finish(np.array(arr, dtype=d.numpy), d, device, False)
    return empty(*args, device=device)
