"""Data types and PyTorch's type-promotion rules.

A :class:`dtype` prints like PyTorch's (``torch.float32``) and maps to a NumPy dtype
(``bfloat16`` through ``ml_dtypes``, imported on first use: it takes longer to import than the
rest of flambeau). Promotion follows PyTorch, not NumPy:

* ``int32 + float32 -> float32`` (NumPy: float64),
* ``int / int -> float32`` (the default dtype),
* a 0-d tensor or a Python number does not widen a dimensioned tensor of the same
  category: ``float32 tensor + float64 0-d -> float32``, ``uint8 tensor + 300 -> uint8``.
"""
import builtins

import numpy as np

__all__ = ['dtype', 'bool', 'uint8', 'int8', 'int16', 'int32', 'int64', 'float16', 'bfloat16',
           'float32', 'float64', 'float', 'double', 'half', 'long', 'int', 'short',
           'get_default_dtype', 'set_default_dtype', 'promote_types', 'result_type', 'can_cast',
           'finfo', 'iinfo']

# Categories, ordered: a higher category wins a mixed promotion.
BOOL, INT, FLOAT = 0, 1, 2


class dtype:
    """The data type of a tensor's elements, e.g. ``flambeau.float32``.

    Example::

        >>> flambeau.float32
        torch.float32
        >>> flambeau.float32.is_floating_point, flambeau.float32.itemsize
        (True, 4)
    """
    __slots__ = ('name', 'numpy', 'itemsize', 'category', 'is_floating_point', 'is_signed',
                 'is_complex', '_rank')

    def __init__(self, name, np_dtype, category, rank, itemsize=None):
        self.name = name
        if np_dtype is not None:  # None: bfloat16, whose slot __getattr__ fills on first use
            self.numpy = np.dtype(np_dtype)
        self.itemsize = itemsize or self.numpy.itemsize
        self.category = category
        self.is_floating_point = category == FLOAT
        self.is_signed = name not in ('bool', 'uint8')
        self.is_complex = False
        self._rank = rank  # position in the promotion lattice within its category

    def __getattr__(self, name):  # only reached while a slot is unset
        if name == 'numpy' and self.name == 'bfloat16':
            import ml_dtypes
            self.numpy = np.dtype(ml_dtypes.bfloat16)
            return self.numpy
        raise AttributeError(f"'torch.dtype' object has no attribute '{name}'")

    def __repr__(self):
        return 'torch.' + self.name

    def __reduce__(self):
        return (_by_name, (self.name,))

    def to_real(self):
        return self

    def to_complex(self):
        raise RuntimeError(f'to_complex is not supported for {self}: flambeau has no complex dtypes')


bool = dtype('bool', np.bool_, BOOL, 0)
uint8 = dtype('uint8', np.uint8, INT, 0)
int8 = dtype('int8', np.int8, INT, 0)
int16 = dtype('int16', np.int16, INT, 1)
int32 = dtype('int32', np.int32, INT, 2)
int64 = dtype('int64', np.int64, INT, 3)
float16 = dtype('float16', np.float16, FLOAT, 0)
bfloat16 = dtype('bfloat16', None, FLOAT, 0, itemsize=2)
float32 = dtype('float32', np.float32, FLOAT, 1)
float64 = dtype('float64', np.float64, FLOAT, 2)

float, double, half = float32, float64, float16
long, int, short = int64, int32, int16

ALL = (bool, uint8, int8, int16, int32, int64, float16, bfloat16, float32, float64)
_NAMES = {d.name: d for d in ALL}
_FROM_NUMPY = {d.numpy: d for d in ALL if d is not bfloat16}


def _by_name(name):
    return _NAMES[name]


def from_numpy_dtype(np_dtype):
    """The flambeau dtype for a NumPy dtype; TypeError for dtypes PyTorch has no match for."""
    d = _FROM_NUMPY.get(np_dtype)
    if d is None:
        np_dtype = np.dtype(np_dtype)
        d = _FROM_NUMPY.get(np_dtype)
        if d is None and np_dtype.name == 'bfloat16' and np_dtype == bfloat16.numpy:
            d = _FROM_NUMPY[np_dtype] = bfloat16
        if d is None:
            raise TypeError(f"can't convert np.ndarray of type numpy.{np.dtype(np_dtype)}. The only "
                            'supported types are: float64, float32, float16, int64, int32, int16, '
                            'int8, uint8, and bool.')
    return d


_default = float32


def get_default_dtype():
    """The default floating point dtype (initially ``torch.float32``).

    Example::

        >>> flambeau.get_default_dtype()
        torch.float32
    """
    return _default


def set_default_dtype(d):
    """Set the default floating point dtype: ``float32`` or ``float64`` (or 16-bit floats).

    It is the dtype of ``flambeau.tensor([1.5])``, ``flambeau.zeros(2)`` and of a Python
    float taking part in an operation with an integer tensor.

    Example::

        >>> flambeau.set_default_dtype(flambeau.float64)
        >>> flambeau.tensor([1.2, 3]).dtype
        torch.float64
    """
    global _default
    if not isinstance(d, dtype) or not d.is_floating_point:
        raise TypeError(f'only floating-point types are supported as the default type, got {d}')
    _default = d


def promote_types(type1, type2):
    """The smallest dtype to which both ``type1`` and ``type2`` can be cast without losing
    range; PyTorch's lattice (``uint8 + int8 -> int16``, ``float16 + bfloat16 -> float32``).

    Example::

        >>> flambeau.promote_types(flambeau.int32, flambeau.float32)
        torch.float32
    """
    if type1 is type2:
        return type1
    if type1.category != type2.category:
        return type1 if type1.category > type2.category else type2
    if type1.category == INT and (type1 is uint8 or type2 is uint8):
        other = type2 if type1 is uint8 else type1
        return int16 if other is int8 else other
    if type1._rank == type2._rank:  # float16 vs bfloat16
        return float32
    return type1 if type1._rank > type2._rank else type2


_promote_cache = {}


def promote(type1, type2):
    """promote_types with a cache: the hot path of every binary op."""
    r = _promote_cache.get((type1, type2))
    if r is None:
        r = _promote_cache[(type1, type2)] = promote_types(type1, type2)
    return r


def scalar_dtype(value):
    """The dtype a Python number takes part in promotion as (a 'wrapped number')."""
    t = type(value)
    if t is builtins.float:
        return _default
    if t is builtins.bool:
        return bool
    if t is builtins.int:
        return int64
    if isinstance(value, np.generic):
        return from_numpy_dtype(value.dtype)
    raise TypeError(f'unsupported scalar type {t.__name__}')


def _combine(higher, lower):
    """Combine the results of two priority tiers (dimensioned > 0-d > Python numbers):
    a lower tier only counts when it is of a higher category."""
    if higher is None:
        return lower
    if lower is None or higher.is_floating_point:
        return higher
    if higher is bool or lower.is_floating_point:
        return promote(higher, lower)
    return higher


def result_type(*operands):
    """The dtype of ``operands`` combined in an arithmetic operation, by PyTorch's rules:
    tensors with dimensions, then 0-d tensors, then Python numbers, each tier mattering only
    when it brings a higher category (bool < integer < floating point).

    Example::

        >>> flambeau.result_type(flambeau.tensor([1, 2], dtype=flambeau.uint8), 300)
        torch.uint8
        >>> flambeau.result_type(flambeau.tensor([1, 2]), 1.0)
        torch.float32
    """
    dim = zero = wrapped = None
    for x in operands:
        d = getattr(x, 'dtype', None)
        if isinstance(d, dtype):
            if x.ndim:
                dim = d if dim is None else promote(dim, d)
            else:
                zero = d if zero is None else promote(zero, d)
        else:
            d = scalar_dtype(x)
            wrapped = d if wrapped is None else promote(wrapped, d)
    return _combine(dim, _combine(zero, wrapped))


def can_cast(from_, to):
    """Whether PyTorch's casting rules allow an operation to write a ``from_`` result into a
    ``to`` tensor: no float to integer, no non-bool to bool.

    Example::

        >>> flambeau.can_cast(flambeau.double, flambeau.float)
        True
        >>> flambeau.can_cast(flambeau.float, flambeau.int)
        False
    """
    return from_.category <= to.category


class finfo:
    """Machine limits of a floating point dtype: ``bits``, ``eps``, ``max``, ``min``, ``tiny``
    (= ``smallest_normal``), ``resolution``, ``dtype``.

    Example::

        >>> flambeau.finfo(flambeau.float32).eps
        1.1920928955078125e-07
    """

    def __init__(self, type=None):
        type = _default if type is None else type
        if not type.is_floating_point:
            raise TypeError('torch.finfo() requires a floating point input type. Use torch.iinfo '
                            'to handle \'torch.finfo\'')
        if type is bfloat16:
            import ml_dtypes
            info = ml_dtypes.finfo(type.numpy)
        else:
            info = np.finfo(type.numpy)
        self.bits = type.itemsize * 8
        self.eps = builtins.float(info.eps)
        self.max = builtins.float(info.max)
        self.min = builtins.float(info.min)
        self.tiny = self.smallest_normal = builtins.float(info.smallest_normal)
        self.resolution = 10.0 ** -info.precision  # exact powers of ten (NumPy's are rounded)
        self.dtype = type.name

    def __repr__(self):
        return (f'finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, '
                f'eps={self.eps:g}, smallest_normal={self.tiny:g}, tiny={self.tiny:g}, '
                f'dtype={self.dtype})')


class iinfo:
    """Machine limits of an integer dtype: ``bits``, ``max``, ``min``, ``dtype``.

    Example::

        >>> flambeau.iinfo(flambeau.uint8).max
        255
    """

    def __init__(self, type):
        if type.is_floating_point:
            raise TypeError('torch.iinfo() requires an integer input type. Use torch.finfo to '
                            'handle \'torch.iinfo\'')
        if type is bool:
            raise TypeError('torch.bool is not supported by torch.iinfo')
        info = np.iinfo(type.numpy)
        self.bits = type.itemsize * 8
        self.max = builtins.int(info.max)
        self.min = builtins.int(info.min)
        self.dtype = type.name

    def __repr__(self):
        return f'iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})'
