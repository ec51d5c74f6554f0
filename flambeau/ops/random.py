"""Random sampling: the factories ``rand``, ``randn``, ``randint``, ``randperm`` (and ``_like``
forms), ``normal``, ``bernoulli``, ``multinomial``, ``poisson``; the in-place samplers
``uniform_``, ``normal_``, ``bernoulli_``, ``exponential_``, ``cauchy_``, ``log_normal_``,
``geometric_``, ``random_``; and ``dropout`` with its feature and alpha variants.

Values come from the device's generator (``flambeau.random``): reproducible for a seed within
flambeau, not PyTorch's streams. Samples are drawn in float32 (float64 for float64 tensors)
and rounded to the tensor's dtype. Sampling is not differentiable: as in PyTorch, the graph
records a node whose gradient is zero (``NormalBackward0`` ...), and ``dropout`` is a
multiplication by a random mask (``MulBackward0``), whose gradient is the mask.
"""
__all__ = ['alpha_dropout', 'alpha_dropout_', 'bernoulli', 'dropout', 'dropout_',
           'feature_alpha_dropout', 'feature_alpha_dropout_', 'feature_dropout',
           'feature_dropout_', 'multinomial', 'normal', 'poisson', 'rand', 'rand_like', 'randint',
           'randint_like', 'randn', 'randn_like', 'randperm']
import math
import warnings

import numpy as np

from .. import dtypes as _dt
from ..backend import backend_of
from ..device import CPU, canonical
from ..random import _generator_for
from ..tensor import _C_TYPE
from ._common import (Node, Tensor, broadcast_error, checked_scalar, dtype_title, make,
                      not_implemented, record, shape_arg, state)
from .creation import REQUIRES_GRAD_DTYPE_ERROR, check_sizes
from .inplace import _overlap_error, check_inplace, commit

# float16 and bfloat16 uniforms are drawn on their own grid of [0, 1) (11 and 8 bits), so that
# rounding to the dtype never gives 1.0
_GRID_BITS = {'float16': 11, 'bfloat16': 8}
# std::numeric_limits<T>::digits: the integers a float dtype holds exactly, up to 2 ** digits
_DIGITS = {'float16': 11, 'bfloat16': 8, 'float32': 24, 'float64': 53}
_FLOAT_MAX = {'float16': 65504.0, 'bfloat16': 3.3895313892515355e38,
              'float32': 3.4028234663852886e38, 'float64': 1.7976931348623157e308}
_C_INT = {'uint8': 'uint8_t', 'int8': 'int8_t', 'int16': 'int16_t', 'int32': 'int',
          'int64': 'int64_t'}
_ALPHA = 1.7580993408473766  # SELU's alpha: alpha dropout keeps SELU's mean and variance


def _fmt(v):
    """A number as C++ streams print it in PyTorch's messages (``-2``, ``1.5``, ``3e+38``)."""
    return f'{v:g}'


# -- drawing ----------------------------------------------------------------------------------
def _place(arr, dev):
    """Host array ``arr`` on ``dev`` (a backend whose generator draws on the device already
    returns device arrays)."""
    if dev is not CPU and type(arr) is np.ndarray and dev._backend.xp is not np:
        return dev._backend.from_host(arr, dev.index)
    return arr


def _gen_dtype(dt):
    return np.float64 if dt is _dt.float64 else np.float32


def _uniform(bits, shape, dt):
    """Uniform values in [0, 1), as float32 (float64 for float64) for a tensor of dtype ``dt``."""
    m = _GRID_BITS.get(dt.name)
    if m is None:
        return bits.random(shape, dtype=_gen_dtype(dt))
    return bits.integers(0, 1 << m, shape, dtype=np.int32).astype(np.float32) * \
        np.float32(2.0 ** -m)


def _normal(bits, shape, dt):
    return bits.standard_normal(shape, dtype=_gen_dtype(dt))


def _as(arr, dt):
    """``arr`` cast to ``dt``'s array dtype (no copy when it already is)."""
    return arr.astype(dt.numpy, copy=False)


def _factory_out(out, arr, dt, name):
    """The result of a factory called with ``out=``: ``out`` takes ``arr``'s shape and values."""
    if state.enabled and out._requires_grad:
        raise RuntimeError(f"{name}: functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    arr = _place(_as(arr, out._dtype), out._device)
    if out._data.shape == arr.shape:
        out._data[...] = arr
    else:  # PyTorch resizes ``out``
        out._data = arr
    out._vc[0] += 1
    return out


def _out_grad_check(name, *tensors):
    if state.enabled:
        for t in tensors:
            if isinstance(t, Tensor) and t._requires_grad:
                raise RuntimeError(f"{name}(): functions with out=... arguments don't support "
                                   "automatic differentiation, but one of the arguments requires "
                                   "grad.")


def _finish(arr, dt, dev, requires_grad, out, name):
    if out is not None:
        return _factory_out(out, arr, dt, name)
    t = make(_place(_as(arr, dt), dev), dt, dev)
    if requires_grad:
        t._set_requires_grad(True, REQUIRES_GRAD_DTYPE_ERROR)
    return t


def _factory_dtype(dtype, out, default):
    if out is not None:
        if dtype is not None and dtype is not out._dtype:
            raise RuntimeError(f'dtype {dtype_title(dtype)} does not match dtype of out parameter '
                               f'({dtype_title(out._dtype)})')
        return out._dtype, out._device
    return dtype or default, None


def _float_factory(size, generator, out, dtype, device, requires_grad, normal):
    shape = shape_arg(size)
    check_sizes(shape)
    dt, out_dev = _factory_dtype(dtype, out, _dt.get_default_dtype())
    if not dt.is_floating_point:
        raise not_implemented('normal_kernel_cpu' if normal else 'check_uniform_bounds', dt)
    dev = out_dev or (canonical(device) if device is not None else CPU)
    bits = _generator_for(generator, dev)
    arr = _normal(bits, shape, dt) if normal else _uniform(bits, shape, dt)
    return _finish(arr, dt, dev, requires_grad, out, 'aten::randn()' if normal else 'aten::rand()')


def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False):
    """A tensor of shape ``size`` filled with uniform random numbers in ``[0, 1)``.

    ``dtype`` must be a floating point type (default: the default dtype). With ``out=``, the
    values are written into ``out`` (resized to ``size``).

    Example::

        >>> flambeau.rand(2, 3).shape
        torch.Size([2, 3])
    """
    return _float_factory(size, generator, out, dtype, device, requires_grad, False)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False):
    """A tensor of shape ``size`` filled with standard normal random numbers (mean 0,
    variance 1).

    Example::

        >>> flambeau.randn(2, 3, requires_grad=True).requires_grad
        True
    """
    return _float_factory(size, generator, out, dtype, device, requires_grad, True)


def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None,
            device=None, requires_grad=False, pin_memory=False):
    """Random integers drawn uniformly from ``[low, high)``, in a tensor of shape ``size``
    (int64 by default); ``randint(high, size)`` starts at 0.

    Example::

        >>> flambeau.randint(0, 10, (3,)).dtype
        torch.int64
    """
    if size is None:
        if high is None or isinstance(high, int):
            raise TypeError('randint() missing 1 required positional arguments: "size"')
        low, high, size = 0, low, high
    if isinstance(size, int):
        raise TypeError('randint() received an invalid combination of arguments - got (int, int, '
                        'int), but expected a tuple of ints as size')
    shape = shape_arg((size,))
    check_sizes(shape)
    dt, out_dev = _factory_dtype(dtype, out, _dt.int64)
    low, high = int(low), int(high)
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} "
                           f'>= to={high}')
    _check_from_to(low, high - 1, dt)
    dev = out_dev or (canonical(device) if device is not None else CPU)
    arr = _generator_for(generator, dev).integers(low, high, shape, dtype=np.int64)
    return _finish(arr, dt, dev, requires_grad, out, 'aten::randint()')


def _check_from_to(lo, hi_inc, dt):
    """PyTorch's range checks of ``random_``/``randint`` bounds ``lo`` and ``hi_inc`` (the
    last value that may be drawn) for dtype ``dt``."""
    name = dt.name
    if dt.is_floating_point:
        m = _FLOAT_MAX[name]
        lim = (-m, m)
    elif dt is _dt.bool:
        lim = (0, 1)
    else:
        info = np.iinfo(dt.numpy)
        lim = (int(info.min), int(info.max))
    if not lim[0] <= lo <= lim[1]:
        raise RuntimeError(f'from is out of bounds for {_C_TYPE[name]}')
    if not lim[0] <= hi_inc <= lim[1]:
        raise RuntimeError(f'to - 1 is out of bounds for {_C_TYPE[name]}')
    if dt.is_floating_point:
        d = _DIGITS[name]
        for v, what in ((lo, 'from'), (hi_inc, 'to - 1')):
            if not -(1 << d) <= v <= 1 << d:
                warnings.warn(f'{what} is out of bounds [-(2^{d}), 2^{d}]. Due to precision '
                              f'limitations {_C_TYPE[name]} can support discrete uniform '
                              'distribution only within this range. This warning will become an '
                              'error in version 1.7 release, please fix the code in advance',
                              UserWarning, stacklevel=3)


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False):
    """A random permutation of the integers ``0 .. n-1`` (int64 by default).

    Example::

        >>> sorted(flambeau.randperm(4).tolist())
        [0, 1, 2, 3]
    """
    n = int(n)
    check_sizes((n,))
    dt, out_dev = _factory_dtype(dtype, out, _dt.int64)
    if dt is _dt.bool:
        raise not_implemented('randperm', dt)
    if not dt.is_floating_point:
        checked_scalar(n - 1 if n > 0 else n, dt)
    elif dt.name in ('float16', 'float32', 'float64'):
        d = _DIGITS[dt.name]
        if n > (1 << d) + 1:
            raise RuntimeError(f'n cannot be greater than '
                               f'{(1 << d) + 1 if d == 11 else f"2^{d}+1"} for '
                               f'{dtype_title(dt)} type.')
    dev = out_dev or (canonical(device) if device is not None else CPU)
    arr = _generator_for(generator, dev).permutation(n)
    return _finish(arr, dt, dev, requires_grad, out, 'aten::randperm()')


def rand_like(input, *, generator=None, dtype=None, layout=None, device=None,
              requires_grad=False, memory_format=None):
    """Uniform random numbers in ``[0, 1)`` with the shape, dtype and device of ``input``.

    Example::

        >>> flambeau.rand_like(flambeau.zeros(2, dtype=flambeau.float64)).dtype
        torch.float64
    """
    return rand(input.shape, generator=generator, dtype=dtype or input._dtype,
                device=device or input._device, requires_grad=requires_grad)


def randn_like(input, *, generator=None, dtype=None, layout=None, device=None,
               requires_grad=False, memory_format=None):
    """Standard normal random numbers with the shape, dtype and device of ``input``.

    Example::

        >>> flambeau.randn_like(flambeau.zeros(2, 3)).shape
        torch.Size([2, 3])
    """
    return randn(input.shape, generator=generator, dtype=dtype or input._dtype,
                 device=device or input._device, requires_grad=requires_grad)


def randint_like(input, low=0, high=None, *, generator=None, dtype=None, layout=None,
                 device=None, requires_grad=False, memory_format=None):
    """Random integers in ``[low, high)`` with the shape, dtype and device of ``input``
    (``randint_like(input, high)`` starts at 0).

    Example::

        >>> flambeau.randint_like(flambeau.zeros(3), 5).dtype
        torch.float32
    """
    if high is None:
        low, high = 0, low
    return randint(low, high, tuple(input.shape), generator=generator,
                   dtype=dtype or input._dtype, device=device or input._device,
                   requires_grad=requires_grad)


# -- the zero gradient of sampling --------------------------------------------------------------
class _SampleBackward(Node):
    """Sampling ignores its inputs' values: the gradient of each input is zero (PyTorch's
    ``NormalBackward0``, ``UniformBackward0`` ... ``zeros_like(grad)``)."""
    __slots__ = ('label', 'inputs')

    def name(self):
        return self.label

    def backward(self, g):
        out = []
        for meta in self.inputs:
            if meta is None:
                out.append(None)
            else:
                shape, dt, dev = meta
                out.append(make(dev._backend.xp.zeros(shape, dt.numpy), dt, dev))
        return out[0] if len(out) == 1 else tuple(out)


def _record_sample(label, r, *inputs):
    """Record a ``_SampleBackward`` named ``label`` when one of ``inputs`` requires grad."""
    if not state.enabled:
        return r
    for t in inputs:
        if t is not None and t._requires_grad:
            break
    else:
        return r
    node = _SampleBackward()
    node.label = label
    node.inputs = tuple((t._data.shape, t._dtype, t._device)
                        if t is not None and t._requires_grad else None for t in inputs)
    return record(node, r, *[t if t is not None and t._requires_grad else None for t in inputs])


class _NotImplementedBackward(Node):
    """PyTorch defines no derivative (``bernoulli(input, p)``): backward raises."""
    __slots__ = ('op',)

    def name(self):
        return 'torch::autograd::NotImplemented'

    def backward(self, g):
        raise RuntimeError(f'derivative for {self.op} is not implemented')


def _write(self, arr, label, *others):
    """``self`` takes the sampled values ``arr`` (an array of its shape and dtype, on its
    device); under autograd it takes a zero-gradient node in the graph (and in its base's)."""
    if state.enabled and (self._requires_grad or any(o._requires_grad for o in others)):
        check_inplace(self)
        r = make(arr, self._dtype, self._device)
        return commit(self, _record_sample(label, r, self, *others))
    try:
        self._data[...] = arr
    except ValueError:
        raise _overlap_error(self) or RuntimeError('the tensor cannot be written to') from None
    self._vc[0] += 1
    return self


def _bits_of(self, generator):
    return _generator_for(generator, self._device)


# -- in-place samplers (Tensor methods) ---------------------------------------------------------
def uniform_(self, from_=0.0, to=1.0, *, generator=None, **kwargs):
    """Fill ``self`` with numbers drawn uniformly from ``[from, to)``.

    Example::

        >>> x = flambeau.empty(3).uniform_(-1, 1)
        >>> bool(((x >= -1) & (x < 1)).all())
        True
    """
    from_ = kwargs.pop('from', from_)
    _no_extra('uniform_', kwargs)
    dt = self._dtype
    if not dt.is_floating_point:
        raise not_implemented('check_uniform_bounds', dt)
    m = _FLOAT_MAX[dt.name]
    if not -m <= from_ <= m:
        raise RuntimeError(f'from is out of bounds for {_C_TYPE[dt.name]}')
    if not -m <= to <= m:
        raise RuntimeError(f'to is out of bounds for {_C_TYPE[dt.name]}')
    if from_ > to:
        raise RuntimeError(f'uniform_ expects to return a [from, to) range, but found '
                           f'from={_fmt(from_)} > to={_fmt(to)}')
    if to - from_ > m:
        raise RuntimeError(f'uniform_ expects to-from <= std::numeric_limits<{dtype_title(dt)}>'
                           f'::max(), but found to={_fmt(to)} and from={_fmt(from_)} which result '
                           'in to-from to exceed the limit')
    u = _uniform(_bits_of(self, generator), self._data.shape, dt)
    if from_ != 0 or to != 1:
        u = u * (to - from_) + from_
    return _write(self, _place(_as(u, dt), self._device), 'UniformBackward0')


def _no_extra(name, kwargs):
    if kwargs:
        raise TypeError(f"{name}() got an unexpected keyword argument '{next(iter(kwargs))}'")


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """Fill ``self`` with numbers drawn from the normal distribution N(``mean``, ``std``²).

    Example::

        >>> flambeau.empty(2).normal_(3., 0.)
        tensor([3., 3.])
    """
    if not std >= 0:
        raise RuntimeError(f'normal expects std >= 0.0, but found std {_fmt(std)}')
    if self._data.size == 0:
        return self
    dt = self._dtype
    if not dt.is_floating_point:
        raise not_implemented('normal_kernel_cpu', dt)
    z = _normal(_bits_of(self, generator), self._data.shape, dt)
    if std != 1 or mean != 0:
        z = z * std + mean
    return _write(self, _place(_as(z, dt), self._device), 'NormalBackward0')


def exponential_(self, lambd=1.0, *, generator=None):
    """Fill ``self`` with numbers drawn from the exponential distribution of rate ``lambd``
    (density ``lambd * exp(-lambd * x)``).

    Example::

        >>> bool((flambeau.empty(5).exponential_(2.) >= 0).all())
        True
    """
    if not lambd > 0:
        raise RuntimeError(f'exponential_ expects lambda > 0.0, but found lambda={_fmt(lambd)}')
    if self._data.size == 0:
        return self
    dt = self._dtype
    if not dt.is_floating_point:
        raise RuntimeError(f'Exponential distribution is a continuous probability distribution. '
                           f'dtype must be a floating point but you specified {dtype_title(dt)}')
    e = _bits_of(self, generator).standard_exponential(self._data.shape, dtype=_gen_dtype(dt))
    return _write(self, _place(_as(e / lambd, dt), self._device), 'ExponentialBackward0')


def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    """Fill ``self`` with numbers drawn from the Cauchy distribution
    (density ``sigma / (pi * ((x - median)² + sigma²))``).

    Example::

        >>> flambeau.empty(2, 3).cauchy_().shape
        torch.Size([2, 3])
    """
    dt = self._dtype
    if not dt.is_floating_point:
        raise RuntimeError(f'Cauchy distribution is a continuous probability distribution. dtype '
                           f'must be a floating point but you specified {_C_TYPE[dt.name]}')
    if not sigma > 0:
        raise RuntimeError(f'cauchy_ expects sigma > 0.0, but found sigma={_fmt(sigma)}')
    u = _bits_of(self, generator).random(self._data.shape, dtype=_gen_dtype(dt))
    c = np.tan(np.pi * (u - 0.5)) * sigma + median
    return _write(self, _place(_as(c, dt), self._device), 'CauchyBackward0')


def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    """Fill ``self`` with numbers ``exp(z)``, ``z`` drawn from N(``mean``, ``std``²).

    Example::

        >>> bool((flambeau.empty(4).log_normal_() > 0).all())
        True
    """
    if not std > 0:
        raise RuntimeError(f'log_normal_ expects std > 0.0, but found std={_fmt(std)}')
    if self._data.size == 0:
        return self
    dt = self._dtype
    if not dt.is_floating_point:
        raise not_implemented('log_normal_cpu', dt)
    z = _normal(_bits_of(self, generator), self._data.shape, dt)
    return _write(self, _place(_as(np.exp(z * std + mean), dt), self._device),
                  'LogNormalBackward0')


def geometric_(self, p, *, generator=None):
    """Fill ``self`` with the number of Bernoulli(``p``) trials up to and including the first
    success (values 1, 2, ...).

    Example::

        >>> bool((flambeau.empty(4).geometric_(0.5) >= 1).all())
        True
    """
    if not 0 < p < 1:
        raise RuntimeError(f'geometric_ expects p to be in (0, 1), but got p={_fmt(p)}')
    if self._data.size == 0:
        return self
    dt = self._dtype
    if dt is _dt.bool:
        raise not_implemented('geometric_cpu', dt)
    k = _bits_of(self, generator).geometric(p, self._data.shape)
    return _write(self, _place(_as(k, dt), self._device), 'GeometricBackward0')


def random_(self, *args, generator=None, **kwargs):
    """Fill ``self`` with integers drawn uniformly: ``random_(from, to)`` from ``[from, to)``,
    ``random_(to)`` from ``[0, to)``, ``random_()`` from ``[0, 2**digits]`` (floats: the
    integers the dtype holds exactly) or ``[0, max]`` (integers).

    Example::

        >>> flambeau.zeros(3, dtype=flambeau.int64).random_(5, 6)
        tensor([5, 5, 5])
    """
    if 'to' in kwargs:  # random_(to=5) is random_(5); random_(from=1, to=5) random_(1, 5)
        args = args + (kwargs.pop('to'),)
    if 'from' in kwargs:
        args = (kwargs.pop('from'),) + args
    _no_extra('random_', kwargs)
    if len(args) > 2:
        raise TypeError(f'random_() takes at most 2 arguments ({len(args)} given)')
    for a in args:
        if a is not None and (type(a) is not int and not isinstance(a, np.integer)):
            raise TypeError(f'random_() received an invalid combination of arguments - got '
                            f'({", ".join(type(x).__name__ for x in args)})')
    dt = self._dtype
    if dt.is_floating_point:
        top = 1 << _DIGITS[dt.name]
    elif dt is _dt.bool:
        top = 1
    else:
        top = int(np.iinfo(dt.numpy).max)
    if len(args) == 0:
        lo, hi, label = 0, top, 'RandomBackward2'
    elif len(args) == 1 or (len(args) == 2 and args[1] is not None):
        lo, to = (0, args[0]) if len(args) == 1 else args
        lo, to = int(lo), int(to)
        label = 'RandomBackward1' if len(args) == 1 else 'RandomBackward0'
        if lo >= to:
            raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={lo} "
                               f'>= to={to}')
        hi = to - 1
        _check_from_to(lo, hi, dt)
    else:  # random_(from, None): up to the dtype's top
        lo, hi, label = int(args[0]), top, 'RandomBackward0'
        _check_from_to(lo, hi, dt)
        if lo > hi:
            raise RuntimeError(f"random_ expects 'from' casted to dtype to be less than or equal "
                               f"to 'to_inc' casted to dtype, but got from={lo} > to_inc={hi}")
    k = _bits_of(self, generator).integers(lo, hi, self._data.shape, dtype=np.int64,
                                           endpoint=True)
    return _write(self, _place(_as(k, dt), self._device), label)


_P_RANGE_ERROR = ('Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error '
                  'message be improved?  If so, please report an enhancement request to PyTorch.)')


def _bernoulli_tensor_p(p, shape, bits, dev):
    """Bernoulli draws (a bool array of ``shape``) with probabilities from tensor ``p``."""
    if not p._dtype.is_floating_point:
        raise not_implemented('bernoulli_tensor_cpu_p_', p._dtype)
    pa = p._data
    xp = dev._backend.xp
    if pa.size and not bool(xp.all((pa >= 0) & (pa <= 1))):
        raise RuntimeError(_P_RANGE_ERROR)
    return _place(bits.random(shape), dev) < pa.astype(np.float64)


def bernoulli_(self, p=0.5, *, generator=None):
    """Fill ``self`` with draws of Bernoulli(``p``): 1 with probability ``p``, else 0. ``p`` is
    a number or a tensor of probabilities broadcastable to ``self``.

    Example::

        >>> flambeau.empty(3).bernoulli_(1.)
        tensor([1., 1., 1.])
    """
    bits = _bits_of(self, generator)
    shape = self._data.shape
    if isinstance(p, Tensor):
        if p._data.shape != shape:
            p.expand(shape)  # PyTorch's errors for a p that does not broadcast to self
        keep = _bernoulli_tensor_p(p, shape, bits, self._device)
        return _write(self, _as(keep, self._dtype), 'BernoulliBackward1', p)
    if not 0 <= p <= 1:
        raise RuntimeError(f'bernoulli_ expects p to be in [0, 1], but got p={_fmt(p)}')
    keep = _place(bits.random(shape), self._device) < p
    return _write(self, _as(keep, self._dtype), 'BernoulliBackward2')


# -- sampling functions -------------------------------------------------------------------------
def bernoulli(input, p=None, *, generator=None, out=None):
    """Draws of Bernoulli distributions: ``bernoulli(input)`` draws 1 with probability
    ``input[i]`` (a float tensor of values in [0, 1]); ``bernoulli(input, p)`` draws with the
    same probability ``p`` everywhere. The result has ``input``'s shape and dtype.

    Example::

        >>> flambeau.bernoulli(flambeau.tensor([0., 1., 1.]))
        tensor([0., 1., 1.])
    """
    bits = _generator_for(generator, input._device)
    shape = input._data.shape
    if p is not None:
        if not 0 <= p <= 1:
            raise RuntimeError(f'bernoulli_ expects p to be in [0, 1], but got p={_fmt(p)}')
        keep = _place(bits.random(shape), input._device) < p
        dt = input._dtype
        r = make(_as(keep, dt), dt, input._device)
        if state.enabled and input._requires_grad:
            node = _NotImplementedBackward()
            node.op = 'aten::bernoulli'
            record(node, r, input)
        return r
    if out is not None:
        _out_grad_check('bernoulli', input)
    if input._data.size == 0 and not input._dtype.is_floating_point:
        keep = input._data.astype(bool)
    else:
        keep = _bernoulli_tensor_p(input, shape, bits, input._device)
    if out is not None:
        return _factory_out(out, keep, out._dtype, 'bernoulli')
    r = make(_as(keep, input._dtype), input._dtype, input._device)
    return _record_sample('BernoulliBackward0', r, input)


def poisson(input, generator=None):
    """Draws of Poisson distributions of rates ``input`` (a float tensor of non-negative
    values), as a tensor of ``input``'s shape and dtype.

    Example::

        >>> flambeau.poisson(flambeau.zeros(3))
        tensor([0., 0., 0.])
    """
    dt = input._dtype
    if not dt.is_floating_point:
        raise not_implemented('poisson_cpu', dt)
    lam = input._data.astype(np.float64)
    xp = input._device._backend.xp
    if lam.size and not bool(xp.all(lam >= 0)):
        raise RuntimeError('invalid Poisson rate, expected rate to be non-negative')
    bits = _generator_for(generator, input._device)
    if input._device is not CPU and xp is not np:
        lam = input._device._backend.to_host(lam)
    k = _place(np.asarray(bits.poisson(lam), dtype=np.float64), input._device)
    r = make(_as(k, dt), dt, input._device)
    return _record_sample('PoissonBackward0', r, input)


def normal(mean, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None,
           device=None, pin_memory=False, requires_grad=False):
    """Draws of normal distributions N(``mean``, ``std``²).

    * ``normal(mean, std)`` with tensors: one draw per element of their broadcast shape (in
      ``mean``'s dtype);
    * ``normal(mean, std=1.0)`` with a tensor ``mean`` and a number ``std``, or ``normal(mean,
      std)`` with a number ``mean`` and a tensor ``std``: the tensor's shape and dtype;
    * ``normal(mean, std, size)`` with numbers: a tensor of shape ``size`` (``dtype``,
      ``device``, ``requires_grad`` as for ``randn``).

    The gradient with respect to a tensor ``mean`` or ``std`` is zero, as in PyTorch.

    Example::

        >>> flambeau.normal(flambeau.tensor([1., 2.]), 0.)
        tensor([1., 2.])
        >>> flambeau.normal(0., 1., (2, 3)).shape
        torch.Size([2, 3])
    """
    mt, st = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not mt and not st:
        if size is None:
            raise TypeError(f'normal() received an invalid combination of arguments - got '
                            f'({type(mean).__name__}, {type(std).__name__}), but expected one of:'
                            '\n * (Tensor mean, Tensor std, *, torch.Generator generator = None, '
                            'Tensor out = None)\n * (Tensor mean, float std = 1, *, '
                            'torch.Generator generator = None, Tensor out = None)\n * (float '
                            'mean, Tensor std, *, torch.Generator generator = None, Tensor out = '
                            'None)\n * (float mean, float std, tuple of ints size, *, '
                            'torch.Generator generator = None, Tensor out = None, torch.dtype '
                            'dtype = None, torch.layout layout = None, torch.device device = '
                            'None, bool pin_memory = False, bool requires_grad = False)\n')
        if not std >= 0:
            raise RuntimeError(f'normal expects std >= 0.0, but found std {_fmt(std)}')
        shape = shape_arg((size,))
        check_sizes(shape)
        dt, out_dev = _factory_dtype(dtype, out, _dt.get_default_dtype())
        if not dt.is_floating_point:
            raise not_implemented('normal_kernel_cpu', dt)
        dev = out_dev or (canonical(device) if device is not None else CPU)
        z = _normal(_generator_for(generator, dev), shape, dt) * std + mean
        return _finish(z, dt, dev, requires_grad, out, 'normal')
    if out is not None:
        _out_grad_check('normal', mean, std)
    if st:
        sa = std._data
        if sa.size and not bool(std._device._backend.xp.all(sa >= 0)):  # NaN fails too
            raise RuntimeError('normal expects all elements of std >= 0.0')
    elif not std >= 0:
        raise RuntimeError(f'normal expects std >= 0.0, but found std {_fmt(std)}')
    like = mean if mt else std
    dt, dev = like._dtype, like._device
    if mt and st:
        if std._device is not dev:
            from ._common import device_mismatch
            raise device_mismatch(mean, std)
        try:
            shape = np.broadcast_shapes(mean._data.shape, std._data.shape)
        except ValueError as e:
            raise broadcast_error(e, mean._data, std._data) from None
        label = 'NormalBackward3'
    else:
        shape = like._data.shape
        label = 'NormalBackward1' if mt else 'NormalBackward2'
    if not dt.is_floating_point:
        _normal_int_checks(mean, std, dt, shape)
        return make(dev._backend.xp.empty(shape, dt.numpy), dt, dev)
    z = _place(_normal(_generator_for(generator, dev), shape, dt), dev)
    m = mean._data if mt else mean
    s = std._data if st else std
    z = _as(_as(z, dt) * s + m, dt)
    if out is not None:
        return _factory_out(out, z, out._dtype, 'normal')
    r = make(z, dt, dev)
    return _record_sample(label, r, *((mean, std) if mt and st else (like,)))


def _normal_int_checks(mean, std, dt, shape):
    """PyTorch's errors for ``normal`` into an integer dtype ``dt``: a number ``mean`` is first
    made a tensor of ``dt``; sampling raises unless the result is empty, where only the
    in-place ``mul_(std).add_(mean)`` that follows the sampling can fail."""
    if not isinstance(mean, Tensor) and dt is not _dt.bool:
        info = np.iinfo(dt.numpy)
        if not info.min <= mean <= info.max:
            raise RuntimeError(f'value cannot be converted to type {_C_INT[dt.name]} without '
                               'overflow')
    if not shape or math.prod(shape):
        raise not_implemented('normal_kernel_cpu', dt)
    for o in (std, mean):
        if isinstance(o, Tensor):
            rt = _dt.promote(dt, o._dtype)
            if not _dt.can_cast(rt, dt):
                raise RuntimeError(f"result type {dtype_title(rt)} can't be cast to the desired "
                                   f'output type {dtype_title(dt)}')


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Indices drawn from the categorical distributions given by the rows of ``input``
    (non-negative weights, not necessarily summing to one): ``num_samples`` per row, with or
    without ``replacement``. ``input`` is 1-D (one distribution, result of shape
    ``(num_samples,)``) or 2-D (one per row, ``(rows, num_samples)``); the result is int64.

    Example::

        >>> flambeau.multinomial(flambeau.tensor([0., 1., 0.]), 1)
        tensor([1])
    """
    nd = input._data.ndim
    if not 1 <= nd <= 2:
        raise RuntimeError('prob_dist must be 1 or 2 dim')
    dt = input._dtype
    if not dt.is_floating_point:
        raise RuntimeError(f'multinomial only supports floating-point dtypes for input, got: '
                           f'{dtype_title(dt)}')
    if out is not None and out._dtype is not _dt.int64:
        raise RuntimeError(f'multinomial expects Long tensor out, got: {dtype_title(out._dtype)}')
    n = int(num_samples)
    if n <= 0:
        raise RuntimeError('cannot sample n_sample <= 0 samples')
    k = input._data.shape[-1]
    if not replacement and n > k:
        raise RuntimeError('cannot sample n_sample > prob_dist.size(-1) samples without '
                           'replacement')
    if k > 1 << 24:
        raise RuntimeError('number of categories cannot exceed 2^24')
    dev = input._device
    p = input._host().astype(np.float64).reshape(-1, k)
    rows = p.shape[0]
    if rows == 0:
        res = np.zeros((0, n), np.int64)
    else:
        res = _multinomial(p, n, replacement, _generator_for(generator, dev))
    if nd == 1:
        res = res.reshape(n)
    if out is not None:
        return _factory_out(out, res, _dt.int64, 'multinomial')
    return make(_place(res, dev), _dt.int64, dev)


def _multinomial(p, n, replacement, bits):
    """``n`` category indices per row of the (rows, k) float64 host array ``p``."""
    if not replacement or n == 1:
        if not bool(np.all(p >= 0)) or not bool(np.all(p < np.inf)):
            raise RuntimeError('probability tensor contains either `inf`, `nan` or element < 0')
        if bool(np.any(p.sum(axis=1) == 0)):
            raise RuntimeError('invalid multinomial distribution (sum of probabilities <= 0)')
        # Sampling without replacement by exponential races: the n largest p / E, E ~ Exp(1)
        # (the Gumbel top-k trick, as PyTorch does it).
        keys = p / _host(bits.standard_exponential(p.shape))
        if n == 1:
            return np.argmax(keys, axis=1).reshape(-1, 1).astype(np.int64)
        return np.argsort(-keys, axis=1, kind='stable')[:, :n].astype(np.int64)
    if bool(np.any(p < 0)) or bool(np.any(np.isnan(p))):
        raise RuntimeError('invalid multinomial distribution (encountering probability entry < 0)')
    if bool(np.any(np.isinf(p))):
        raise RuntimeError('invalid multinomial distribution (encountering probability entry = '
                           'infinity or NaN)')
    total = p.sum(axis=1)
    if bool(np.any(total <= 0)):
        raise RuntimeError('invalid multinomial distribution (sum of probabilities <= 0)')
    cdf = np.cumsum(p, axis=1) / total[:, None]
    u = _host(bits.random((p.shape[0], n)))
    res = np.empty((p.shape[0], n), np.int64)
    last = p.shape[1] - 1
    for i in range(p.shape[0]):
        res[i] = np.minimum(np.searchsorted(cdf[i], u[i], side='right'), last)
    return res


def _host(a):
    return a if type(a) is np.ndarray else backend_of(a).to_host(a)


# -- dropout ----------------------------------------------------------------------------------
def _dropout(input, p, train, inplace, feature, alpha):
    if not 0 <= p <= 1:
        raise RuntimeError(f'dropout probability has to be between 0 and 1, but got {_fmt(p)}')
    if p == 0 or not train or input._data.size == 0:
        return input
    from .creation import zeros
    dt, dev = input._dtype, input._device
    if p == 1:
        z = zeros((), dtype=dt, device=dev)
        return input.mul_(z) if inplace else input * z
    if feature:
        nd = input._data.ndim
        if nd < 2:
            raise RuntimeError('Feature dropout requires at least 2 dimensions in the input')
        shape = input._data.shape[:2] + (1,) * (nd - 2)
    else:
        shape = input._data.shape
    if not dt.is_floating_point:
        raise RuntimeError(f"result type {dtype_title(_dt.get_default_dtype())} can't be cast to "
                           f'the desired output type {dtype_title(dt)}')
    keep = _uniform(_generator_for(None, dev), shape, dt) < (1 - p)
    keep = _as(_place(keep, dev), dt)
    if alpha:
        a = 1 / math.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
        b = make(_as((keep - 1) * (_ALPHA * a) + _ALPHA * a * p, dt), dt, dev)
        noise = make(_as(keep * a, dt), dt, dev)
        return input.mul_(noise).add_(b) if inplace else input * noise + b
    noise = make(_as(keep / (1 - p), dt), dt, dev)
    return input.mul_(noise) if inplace else input * noise


def dropout(input, p=0.5, train=True, inplace=False):
    """Zero each element of ``input`` with probability ``p`` and scale the others by
    ``1 / (1 - p)`` (when ``train``; otherwise return ``input`` itself). The gradient is the
    same mask and scale. ``p == 0`` returns ``input`` itself; ``p == 1`` zeros everything.

    Example::

        >>> x = flambeau.ones(4)
        >>> flambeau.dropout(x, 0.5, train=False) is x
        True
        >>> flambeau.dropout(x, 1.0, True)
        tensor([0., 0., 0., 0.])
    """
    return _dropout(input, p, train, inplace, False, False)


def dropout_(input, p=0.5, train=True):
    """In-place :func:`dropout`: ``input`` takes the result."""
    return _dropout(input, p, train, True, False, False)


def feature_dropout(input, p=0.5, train=True, inplace=False):
    """Dropout of whole channels: zero each ``input[n, c]`` (of a (N, C, ...) tensor) with
    probability ``p``, scaling the others by ``1 / (1 - p)``.

    Example::

        >>> flambeau.feature_dropout(flambeau.ones(2, 3, 4), 0.5, True).shape
        torch.Size([2, 3, 4])
    """
    return _dropout(input, p, train, inplace, True, False)


def feature_dropout_(input, p=0.5, train=True):
    """In-place :func:`feature_dropout`."""
    return _dropout(input, p, train, True, True, False)


def alpha_dropout(input, p=0.5, train=True, inplace=False):
    """Dropout for SELU networks: dropped elements take SELU's negative saturation value and
    the result is scaled and shifted to keep zero mean and unit variance.

    Example::

        >>> flambeau.alpha_dropout(flambeau.ones(4), 0.5, False)
        tensor([1., 1., 1., 1.])
    """
    return _dropout(input, p, train, inplace, False, True)


def alpha_dropout_(input, p=0.5, train=True):
    """In-place :func:`alpha_dropout`."""
    return _dropout(input, p, train, True, False, True)


def feature_alpha_dropout(input, p=0.5, train=True, inplace=False):
    """:func:`alpha_dropout` of whole channels (``input[n, c]``)."""
    return _dropout(input, p, train, inplace, True, True)


def feature_alpha_dropout_(input, p=0.5, train=True):
    """In-place :func:`feature_alpha_dropout`."""
    return _dropout(input, p, train, True, True, True)


METHODS = {'uniform_': uniform_, 'normal_': normal_, 'exponential_': exponential_,
           'cauchy_': cauchy_, 'log_normal_': log_normal_, 'geometric_': geometric_,
           'random_': random_, 'bernoulli_': bernoulli_, 'bernoulli': bernoulli,
           'multinomial': multinomial}
INPLACE = {}
