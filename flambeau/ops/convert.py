"""Copies and conversions: ``to`` (dtype and/or device), ``float()``/``long()``/... ,
``type``, ``type_as``, ``cpu``, ``cuda``, ``clone``, ``contiguous``, with derivatives, and the
memory formats (``contiguous_format``, ``preserve_format``, ``channels_last``,
``channels_last_3d``).

A channels-last tensor is a NumPy view with channels-last strides (the array of shape
(N, H, W, C) in row-major order, seen transposed as (N, C, H, W)), so ``stride()`` and
``is_contiguous(memory_format=...)`` read as in PyTorch."""
__all__ = ['channels_last', 'channels_last_3d', 'clone', 'contiguous_format', 'memory_format',
           'preserve_format']
import builtins

from .. import dtypes as _dt
from ..device import CPU, canonical, device as _device_cls
from ._common import Node, Tensor, make, record, state


class ToCopyBackward0(Node):
    """The gradient goes back to the input's dtype and device."""
    __slots__ = ('dtype', 'device')

    def backward(self, g):
        return _convert(g, self.dtype, self.device)


def _convert(t, dtype, device, non_blocking=False):
    """``t`` as ``dtype`` on ``device`` (always a new tensor), recording ToCopyBackward0.
    ``non_blocking``: let a copy between host and device run asynchronously where the device
    can (the backend decides; PyTorch's meaning)."""
    x = t._data
    src = t._device
    if device is not src:
        if src is not CPU:
            x = src._backend.to_host(x, non_blocking=non_blocking)
            if x is t._data:
                x = x.copy()
        if device is not CPU:
            x = device._backend.from_host(x if src is not CPU else x.copy(), device.index,
                                          non_blocking=non_blocking)
    if x.dtype != dtype.numpy:
        x = x.astype(dtype.numpy)
    elif x is t._data:
        x = x.copy()
    r = make(x, dtype, device)
    if state.enabled and t._requires_grad and dtype.is_floating_point:
        node = ToCopyBackward0()
        node.dtype, node.device = t._dtype, t._device
        record(node, r, t)
    return r


def _parse_to(args, kwargs):
    dtype = kwargs.pop('dtype', None)
    device = kwargs.pop('device', None)
    copy = kwargs.pop('copy', False)
    non_blocking = kwargs.pop('non_blocking', False)
    kwargs.pop('memory_format', None)
    if kwargs:
        raise TypeError(f'to() received an invalid combination of arguments - got unexpected '
                        f'keyword {next(iter(kwargs))!r}')
    bools = []
    for a in args:
        if isinstance(a, _dt.dtype):
            dtype = a
        elif isinstance(a, (str, _device_cls, builtins.int)) and not isinstance(a, builtins.bool):
            device = a
        elif isinstance(a, Tensor):
            dtype, device = a._dtype, a._device
        elif isinstance(a, builtins.bool):
            # to(device, dtype, non_blocking, copy) / to(dtype, non_blocking, copy)
            bools.append(a)
        else:
            raise TypeError(f'to() received an invalid combination of arguments - got '
                            f'({type(a).__name__})')
    if bools:
        non_blocking = bools[0]
        if len(bools) > 1:
            copy = bools[1]
    return dtype, device, copy, non_blocking


def to(input, *args, **kwargs):
    """``input`` with another dtype and/or on another device: ``x.to(flambeau.float64)``,
    ``x.to('cuda')``, ``x.to(other)`` (other's dtype and device). Returns ``input`` itself
    when nothing changes (unless ``copy=True``).

    Example::

        >>> flambeau.tensor([1, 2]).to(flambeau.float32)
        tensor([1., 2.])
    """
    dtype, device, copy, non_blocking = _parse_to(args, dict(kwargs))
    dtype = dtype or input._dtype
    device = canonical(device) if device is not None else input._device
    if dtype is input._dtype and device is input._device and not copy:
        return input
    return _convert(input, dtype, device, non_blocking)


def _caster(dt, name):
    def cast(self, memory_format=None):
        return to(self, dt)
    cast.__name__ = name
    cast.__doc__ = f"""``self.to({dt})``.

    Example::

        >>> flambeau.tensor([1, 2]).{name}().dtype
        {dt}
    """
    return cast


float = _caster(_dt.float32, 'float')
double = _caster(_dt.float64, 'double')
half = _caster(_dt.float16, 'half')
bfloat16 = _caster(_dt.bfloat16, 'bfloat16')
long = _caster(_dt.int64, 'long')
int = _caster(_dt.int32, 'int')
short = _caster(_dt.int16, 'short')
char = _caster(_dt.int8, 'char')
byte = _caster(_dt.uint8, 'byte')
bool = _caster(_dt.bool, 'bool')

_LEGACY = {'Float': _dt.float32, 'Double': _dt.float64, 'Half': _dt.float16,
           'BFloat16': _dt.bfloat16, 'Long': _dt.int64, 'Int': _dt.int32, 'Short': _dt.int16,
           'Char': _dt.int8, 'Byte': _dt.uint8, 'Bool': _dt.bool}


def type(input, dtype=None, non_blocking=False, **kwargs):
    """With no argument, the legacy type name (``'torch.FloatTensor'``); else ``input`` cast
    to ``dtype`` (a dtype or such a name).

    Example::

        >>> flambeau.zeros(2).type()
        'torch.FloatTensor'
    """
    if dtype is None:
        from ..autograd.node import tensor_type_name
        return tensor_type_name(input)
    if isinstance(dtype, str):
        name = dtype.rsplit('.', 1)[-1]
        if not name.endswith('Tensor') or name[:-6] not in _LEGACY:
            raise ValueError(f'invalid type: {dtype!r}')
        device = 'cuda' if '.cuda.' in dtype else 'cpu'
        return to(input, _LEGACY[name[:-6]], device=device)
    return to(input, dtype)


def type_as(input, other):
    """``input`` cast to ``other``'s dtype."""
    return to(input, other._dtype)


def cpu(input, memory_format=None):
    """A copy on the CPU (``input`` itself if it is there already)."""
    return to(input, CPU)


def cuda(input, device=None, non_blocking=False, memory_format=None):
    """A copy on CUDA device ``device`` (default: the current one)."""
    if device is None:
        device = 'cuda'
    elif isinstance(device, builtins.int):
        device = f'cuda:{device}'
    return to(input, device, non_blocking=non_blocking)


class memory_format:
    """How a tensor's elements are laid out in memory: ``flambeau.contiguous_format``
    (row-major), ``flambeau.channels_last`` (NHWC order for 4-d tensors),
    ``flambeau.channels_last_3d`` (NDHWC for 5-d tensors) and ``flambeau.preserve_format``
    (keep the input's layout), for the ``memory_format=`` of ``clone``, ``contiguous``...

    Example::

        >>> flambeau.channels_last
        torch.channels_last
    """
    __slots__ = ('name',)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f'torch.{self.name}'

    def __reduce__(self):
        return self.name  # pickles as the module attribute: loads as the same object


contiguous_format = memory_format('contiguous_format')
preserve_format = memory_format('preserve_format')
channels_last = memory_format('channels_last')
channels_last_3d = memory_format('channels_last_3d')
# dims in memory order for the channels-last formats (N, spatial..., C), by rank
_LAST_ORDER = {channels_last: (4, (0, 2, 3, 1)), channels_last_3d: (5, (0, 2, 3, 4, 1))}


def _check_format(fmt, fn):
    if builtins.type(fmt) is not memory_format:
        raise TypeError(f"{fn}(): argument 'memory_format' must be torch.memory_format, not "
                        f'{_type_name(fmt)}')


def _type_name(v):
    from .. import dtypes as d
    if isinstance(v, d.dtype):
        return 'torch.dtype'
    return builtins.type(v).__name__


def _channels_last_array(a, fmt):
    """A copy of array ``a`` laid out in channels-last order ``fmt``."""
    rank, order = _LAST_ORDER[fmt]
    if a.ndim != rank:
        raise RuntimeError(f'required rank {rank} tensor to use {fmt.name} format')
    inverse = tuple(order.index(i) for i in range(rank))
    return a.transpose(order).copy().transpose(inverse)


def is_contiguous_as(a, fmt):
    """Whether array ``a`` is laid out as memory format ``fmt`` (PyTorch's
    ``is_contiguous(memory_format=)``: sizes-1 dims have any stride)."""
    if fmt is None or fmt is contiguous_format or fmt is preserve_format:
        return a.flags.c_contiguous
    rank, order = _LAST_ORDER[fmt]
    if a.ndim != rank:
        return False
    expected = a.itemsize
    for d in reversed(order):
        n = a.shape[d]
        if n != 1:
            if a.strides[d] != expected:
                return False
            expected *= n
    return True


class CloneBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        return g


def clone(input, *, memory_format=preserve_format):
    """A copy of ``input`` with its own memory, part of the graph (the gradient flows back).
    ``memory_format``: ``preserve_format`` (default: keep the input's order of strides),
    ``contiguous_format``, or ``channels_last`` / ``channels_last_3d`` (4-d / 5-d inputs).

    Example::

        >>> a = flambeau.tensor([1., 2.])
        >>> b = a.clone(); b[0] = 9.
        >>> a
        tensor([1., 2.])
        >>> flambeau.zeros(1, 3, 2, 2).clone(memory_format=flambeau.channels_last).stride()
        (12, 1, 6, 3)
    """
    a = input._data
    if memory_format is not preserve_format:
        if memory_format is None or memory_format is contiguous_format:
            return _clone(input, a.copy())
        _check_format(memory_format, 'clone')
        return _clone(input, _channels_last_array(a, memory_format))
    if a.flags.c_contiguous or 0 in a.strides:
        return _clone(input, a.copy())
    return _clone(input, a.copy(order='K'))  # PyTorch keeps the order of the strides


def _clone(input, data):
    r = make(data, input._dtype, input._device)
    if state.enabled and input._requires_grad:
        record(CloneBackward0(), r, input)
    return r


def contiguous(input, memory_format=contiguous_format):
    """``input`` itself if its memory is laid out as ``memory_format`` (default: row-major),
    else a copy that is (``CloneBackward0`` in the graph).

    Example::

        >>> x = flambeau.zeros(2, 3)
        >>> x.contiguous() is x, x.t().contiguous().is_contiguous()
        (True, True)
    """
    a = input._data
    if memory_format is contiguous_format or memory_format is None:
        if a.flags.c_contiguous:
            return input
        return _clone(input, a.copy())
    _check_format(memory_format, 'contiguous')
    if is_contiguous_as(a, memory_format):
        return input
    if memory_format is preserve_format:
        raise RuntimeError('preserve memory format is unsupported by the contiguous operator')
    return _clone(input, _channels_last_array(a, memory_format))
