"""Reductions: ``sum``, ``mean``, ``prod``, ``max``/``min`` (full, along a dim with indices, or
elementwise against another tensor), ``amax``/``amin``/``aminmax``, ``argmax``/``argmin``,
``var``/``std`` (and ``var_mean``/``std_mean``), ``norm`` and its core ``vector_norm``,
``logsumexp``, ``all``/``any``/``count_nonzero``, ``nansum``/``nanmean``, ``bincount``/``histc``,
and ``sum_to_size`` (the reverse of broadcasting, used by every gradient of a broadcasting op).

The ``return_types`` of the ops that return named pairs (``max(dim)``, ``sort``, ``topk``...)
live here too. This module's ``all``/``any``/``max``/``min``/``sum`` shadow Python's builtins:
use ``builtins.<name>`` for those."""
__all__ = ['all', 'amax', 'amin', 'aminmax', 'any', 'argmax', 'argmin', 'bincount', 'count_nonzero',
           'histc', 'logsumexp', 'max', 'mean', 'min', 'nanmean', 'nansum', 'norm', 'prod',
           'return_types', 'std', 'std_mean', 'sum', 'var', 'var_mean']
import builtins
import collections
import math
import warnings

import numpy as np

from .. import dtypes as _dt
from . import creation as _creation
from ._common import (_SUM_ROWS_MIN, Node, Tensor, _channel_axes, _sum_dims, _sum_over,
                      _sum_rows, _trailing, make, normalize_dims, not_implemented, record,
                      reduce_last, shape_arg, state, xp_of)

_f32, _f64 = _dt.float32, _dt.float64


def _prod(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def _acc_dtype(d):
    """NumPy sums 16-bit floats in 16 bits; PyTorch accumulates them in float32."""
    return np.float32 if d.is_floating_point and d.itemsize == 2 else None


def _expand_back(g, shape, dims, keepdim):
    """Broadcast a reduced gradient back over the reduced ``dims`` of ``shape``."""
    if not keepdim and dims:
        for d in dims:
            g = g.unsqueeze(d)
    return g.expand(shape)


def _filled_like(g, shape, divisor=None):
    """0-d gradient ``g`` (over ``divisor``) over ``shape``: the backward of a full reduction
    when no graph is recorded (cheaper than ``expand``). From ``_BROADCAST_MIN`` elements a
    read-only broadcast view, as PyTorch's ``expand`` (gradients are never written in place; a
    leaf's ``.grad`` is a copy): a (32, 16, 32, 32) float32 sum's backward 37 -> 5 us; below, a
    filled array (``broadcast_to`` costs ~5 us of Python, a 10x10 fill 0.5)."""
    a = g._data
    small = _prod(shape) < _BROADCAST_MIN
    if small and a.__class__ is np.ndarray and a.dtype.char in 'fd' and \
            (divisor is None or 0 < divisor <= _EXACT_F32_INT):
        # in Python floats (dividing a 0-d array costs ~1 us): the float64 quotient of two
        # float32 values rounds to their float32 quotient (double rounding is exact there)
        out = np.empty(shape, a.dtype)
        out.fill(float(a) if divisor is None else float(a) / divisor)
        return make(out, g._dtype, g._device)
    xp = g._device._backend.xp
    v = a if divisor is None else a / divisor
    if not small:
        return make(xp.broadcast_to(xp.asarray(v, g._data.dtype), shape), g._dtype, g._device)
    out = xp.empty(shape, dtype=g._data.dtype)
    out[...] = v
    return make(out, g._dtype, g._device)


_BROADCAST_MIN = 1 << 14
_EXACT_F32_INT = 1 << 24  # integers up to here are exact in float32


class SumBackward0(Node):
    """Full sum: the gradient is the incoming one broadcast everywhere."""
    __slots__ = ('shape',)

    def backward(self, g):
        if not state.enabled:
            return _filled_like(g, self.shape)
        return g.expand(self.shape)


class SumBackward1(Node):
    __slots__ = ('shape', 'dims', 'keepdim')

    def backward(self, g):
        return _expand_back(g, self.shape, self.dims, self.keepdim)


def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """The sum of all elements, or over ``dim`` (an int or a tuple of ints). Integer and bool
    inputs sum to int64.

    Example::

        >>> x = flambeau.tensor([[1., 2.], [3., 4.]])
        >>> x.sum(), x.sum(0), x.sum(1, keepdim=True)
        (tensor(10.), tensor([4., 6.]), tensor([[3.], [7.]]))
    """
    if out is not None:
        return out.copy_(sum(input, dim, keepdim, dtype=dtype))
    if not isinstance(input, Tensor):
        return builtins.sum(input) if dim is None else builtins.sum(input, dim)
    d = input._dtype
    x = input._data
    if dim is None and dtype is None and not keepdim and (d is _f32 or d is _f64) and \
            x.__class__ is np.ndarray:
        # the common `loss.sum()`: one reduction, no argument processing
        # (into a 0-d array: wrapping the NumPy scalar it would return costs more)
        r = make(np.add.reduce(x, None, None, np.empty((), x.dtype)), d, input._device)
        if state.enabled and input._requires_grad:
            node = SumBackward0()
            node.shape = x.shape
            record(node, r, input)
        return r
    if isinstance(dim, Tensor):
        raise TypeError('sum() received an invalid combination of arguments - got (Tensor, '
                        'Tensor), but expected dim to be an int, a tuple of ints or None')
    if dtype is None:
        dtype = d if d.is_floating_point else _dt.int64
    elif dtype is not d and state.enabled and input._requires_grad:
        return sum(input.to(dtype), dim, keepdim)  # the gradient comes back in input's dtype
    x = input._data
    if dtype is not d:
        x = x.astype(dtype.numpy)
    full = dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0)
    dims = normalize_dims(None if full else dim, x.ndim)
    if not full and (dtype is _f32 or dtype is _f64) and (
            dims == tuple(range(len(dims))) or _channel_axes(dims, x.ndim)):
        res = _sum_over(x, dims)  # by BLAS (Note [Sums by BLAS])
        if keepdim:
            res = res.reshape(tuple(1 if i in dims else n for i, n in enumerate(x.shape)))
    elif x.size >= _SUM_ROWS_MIN and not full and _trailing(dims, x.ndim) and \
            (res := _sum_rows(x, len(dims), keepdim)) is not None:
        pass
    else:
        res = x.sum(axis=None if full else dims, keepdims=keepdim, dtype=_acc_dtype(dtype))
    r = make(res if res.dtype == dtype.numpy else res.astype(dtype.numpy), dtype, input._device)
    if state.enabled and input._requires_grad:
        if dim is None and not keepdim:
            node = SumBackward0()
            node.shape = x.shape
        else:
            node = SumBackward1()
            node.shape, node.dims, node.keepdim = x.shape, dims, keepdim
        record(node, r, input)
    return r


class MeanBackward0(Node):
    __slots__ = ('shape', 'n')

    def backward(self, g):
        if not state.enabled:
            return _filled_like(g, self.shape, self.n)
        # expand, then divide: the double backward sums first, so an empty input gives 0, not 0/0
        return g.expand(self.shape) / self.n


class MeanBackward1(Node):
    __slots__ = ('shape', 'dims', 'keepdim', 'n')

    def backward(self, g):
        return _expand_back(g, self.shape, self.dims, self.keepdim) / self.n


def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """The mean of all elements, or over ``dim``. The input must be floating point (or
    ``dtype`` given).

    Example::

        >>> flambeau.tensor([[1., 2.], [3., 4.]]).mean(0)
        tensor([2., 3.])
    """
    if out is not None:
        return out.copy_(mean(input, dim, keepdim, dtype=dtype))
    d = dtype or input._dtype
    if not d.is_floating_point:
        from .pointwise import _dt_title
        raise RuntimeError(f'mean(): could not infer output dtype. {"Optional" if dtype else "Input"}'
                           ' dtype must be either a floating point or complex dtype. Got: '
                           f'{_dt_title(d)}')
    if d is not input._dtype and state.enabled and input._requires_grad:
        return mean(input.to(d), dim, keepdim)  # the gradient comes back in input's dtype
    x = input._data
    if x.dtype != d.numpy:
        x = x.astype(d.numpy)
    full = dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0)
    dims = normalize_dims(None if full else dim, x.ndim)
    n = 1
    for k in dims:
        n *= x.shape[k]
    # sum / n: what PyTorch computes, and cheaper than ndarray.mean's Python wrapper
    res = _sum_rows(x, len(dims), keepdim) if x.size >= _SUM_ROWS_MIN and not full and \
        _trailing(dims, x.ndim) else None
    if res is not None:
        res /= n
    elif x.__class__ is np.ndarray:
        res = np.add.reduce(x, axis=None if full else dims, keepdims=keepdim,
                            dtype=_acc_dtype(d)) / n
    else:
        res = x.mean(axis=None if full else dims, keepdims=keepdim, dtype=_acc_dtype(d))
    r = make(res if res.dtype == d.numpy else res.astype(d.numpy), d, input._device)
    if state.enabled and input._requires_grad:
        if dim is None and not keepdim:
            node = MeanBackward0()
            node.shape, node.n = x.shape, n
        else:
            node = MeanBackward1()
            node.shape, node.dims, node.keepdim, node.n = x.shape, dims, keepdim, n
        record(node, r, input)
    return r


class SumToSizeBackward(Node):
    __slots__ = ('shape',)

    def name(self):
        return 'SumBackward1'

    def backward(self, g):
        return g.expand(self.shape)


def sum_to_size(input, *size):
    """Sum ``input`` down to ``size``, a shape it was broadcast from: the dims broadcasting
    added or expanded are summed away.

    Example::

        >>> flambeau.ones(2, 3).sum_to_size(1, 3)
        tensor([[2., 2., 2.]])
    """
    size = shape_arg(size)
    x = input._data
    if x.shape == size:
        return input
    lead = x.ndim - len(size)
    if lead < 0:
        raise RuntimeError(f'size {{{list(size)}}} is not expandable to size {{{list(x.shape)}}}.')
    axes = list(range(lead))
    for i, s in enumerate(size):
        if s == 1 and x.shape[lead + i] != 1:
            axes.append(lead + i)
        elif s != x.shape[lead + i]:
            raise RuntimeError(f'size {{{list(size)}}} is not expandable to size '
                               f'{{{list(x.shape)}}}.')
    res = x.sum(axis=tuple(axes), dtype=_acc_dtype(input._dtype)) if axes else x
    res = res.reshape(size)
    r = make(res if res.dtype == x.dtype else res.astype(x.dtype), input._dtype, input._device)
    if state.enabled and input._requires_grad:
        node = SumToSizeBackward()
        node.shape = x.shape
        record(node, r, input)
    return r


# -- max / min -------------------------------------------------------------------------------
class _ReturnType(tuple):
    """A named pair like ``torch.return_types.max(values=..., indices=...)``."""
    __slots__ = ()
    _fields = ('values', 'indices')
    _name = ''

    def __new__(cls, values, indices):
        return tuple.__new__(cls, (values, indices))

    def __repr__(self):
        return (f'torch.return_types.{self._name}(\n{self._fields[0]}={self[0]!r},\n'
                f'{self._fields[1]}={self[1]!r})')


def _return_type(name, fields=('values', 'indices')):
    props = {f: property(lambda self, i=i: self[i]) for i, f in enumerate(fields)}
    return type(name, (_ReturnType,), {'__slots__': (), '_name': name, '_fields': fields,
                                       **props})


_RETURN_TYPES = ('max', 'min', 'sort', 'topk', 'kthvalue', 'median', 'nanmedian', 'mode',
                 'cummax', 'cummin')
return_types = collections.namedtuple('return_types', _RETURN_TYPES + ('aminmax',))(
    *[_return_type(n) for n in _RETURN_TYPES], _return_type('aminmax', ('min', 'max')))


def copy_pair(result, out):
    """Write a ``(values, indices)`` result into the ``out=`` pair and return it typed as
    ``result``."""
    out[0].copy_(result[0])
    out[1].copy_(result[1])
    return type(result)(out[0], out[1])


class ValueSelectBackward(Node):
    """Ops whose values are input elements picked along ``dim`` by the ``indices`` they also
    return (``sort``, ``topk``, ``kthvalue``, ``median(dim)``, ``mode``, ``cummax``): the
    gradient flows back to the picked positions (added up where ``add``: an index picked
    several times)."""
    __slots__ = ('label', 'dim', 'keepdim', 'shape', 'add')

    def name(self):
        return self.label

    def backward(self, g):
        idx, = self.saved_tensors
        if not self.shape:  # a 0-d input is its own pick
            return g.reshape(())
        d = self.dim
        if not self.keepdim:
            g = g.unsqueeze(d)
            idx = idx.unsqueeze(d)
        z = _creation.zeros(self.shape, dtype=g.dtype, device=g.device)
        return z.scatter_add(d, idx, g) if self.add else z.scatter(d, idx, g)


def record_select(label, values, indices, input, dim, keepdim, add=False):
    """Record a ``ValueSelectBackward`` for ``values`` picked from ``input`` at ``indices``."""
    node = ValueSelectBackward()
    node.label, node.dim, node.keepdim, node.shape, node.add = \
        label, dim, keepdim, input._data.shape, add
    node.save(indices)
    record(node, values, input)


class EvenlyDistributeBackward(Node):
    """Full ``max()``/``min()``: the gradient is shared evenly among the tied extremes."""
    __slots__ = ('label',)

    def name(self):
        return self.label

    def backward(self, g):
        x, = self.saved_tensors
        y = self.saved_output()
        mask = x == y if y._data == y._data else x != x  # a NaN result: the NaNs share it
        return mask * (g / mask.sum())


class AmaxBackward(Node):
    __slots__ = ('label', 'dims', 'keepdim')

    def name(self):
        return self.label

    def backward(self, g):
        x, = self.saved_tensors
        y = self.saved_output()
        shape = x.shape
        yb = _expand_back(y, shape, self.dims, self.keepdim)
        mask = x == yb
        count = _expand_back(mask.sum(self.dims, keepdim=True), shape, (), True)
        return _expand_back(g, shape, self.dims, self.keepdim) * mask / count


class MaxDimBackward(Node):
    """``max(dim)``/``min(dim)``: the gradient goes to the selected index."""
    __slots__ = ('label', 'dim', 'keepdim', 'shape')

    def name(self):
        return self.label

    def backward(self, g):
        idx, = self.saved_tensors
        if not self.shape:  # a 0-d input is its own maximum
            return g
        if not self.keepdim:
            g = g.unsqueeze(self.dim)
            idx = idx.unsqueeze(self.dim)
        from .creation import zeros
        return zeros(self.shape, dtype=g.dtype, device=g.device).scatter(self.dim, idx, g)


def _extreme(input, dim, keepdim, other, is_max, out):
    name = 'max' if is_max else 'min'
    if other is not None:
        from .pointwise import maximum, minimum
        return (maximum if is_max else minimum)(input, other, out=out)
    xp = xp_of(input)
    x = input._data
    if dim is None:
        if x.size == 0:
            raise RuntimeError(f'{name}(): Expected reduction dim to be specified for input.numel() '
                               f'== 0. Specify the reduction dim with the \'dim\' argument.')
        res = (xp.max if is_max else xp.min)(x)
        r = make(res, input._dtype, input._device)
        if state.enabled and input._requires_grad:
            node = EvenlyDistributeBackward()
            node.label = 'MaxBackward1' if is_max else 'MinBackward1'
            node.save(input)
            node.save_output(r)
            record(node, r, input)
        return r if out is None else out.copy_(r)
    d = input._wrap_dim(dim)
    if x.ndim == 0:
        idx = xp.zeros((), dtype=np.int64)
        vals = x.copy()
    else:
        if x.shape[d] == 0:
            raise IndexError(f'{name}(): Expected reduction dim {d} to have non-zero size.')
        idx = (xp.argmax if is_max else xp.argmin)(x, axis=d, keepdims=True)
        vals = xp.take_along_axis(x, idx, axis=d)
        if not keepdim:
            idx, vals = idx.squeeze(d), vals.squeeze(d)
    values = make(vals, input._dtype, input._device)
    indices = make(idx.astype(np.int64, copy=False), _dt.int64, input._device)
    if state.enabled and input._requires_grad:
        node = MaxDimBackward()
        node.label = 'MaxBackward0' if is_max else 'MinBackward0'
        node.dim, node.keepdim, node.shape = d, keepdim or x.ndim == 0, x.shape
        node.save(indices)
        record(node, values, input)
    result = getattr(return_types, name)(values, indices)
    return result if out is None else copy_pair(result, out)


def max(input, dim=None, keepdim=False, *, out=None, other=None):
    """The largest element; with ``dim``, a ``(values, indices)`` pair along that dim; with a
    tensor as second argument, the elementwise ``maximum``.

    Example::

        >>> x = flambeau.tensor([[1., 5.], [7., 3.]])
        >>> x.max()
        tensor(7.)
        >>> x.max(dim=1).indices
        tensor([1, 0])
    """
    if isinstance(dim, Tensor):
        dim, other = None, dim
    return _extreme(input, dim, keepdim, other, True, out)


def min(input, dim=None, keepdim=False, *, out=None, other=None):
    """The smallest element; with ``dim``, a ``(values, indices)`` pair along that dim; with a
    tensor as second argument, the elementwise ``minimum``.

    Example::

        >>> flambeau.tensor([[1., 5.], [7., 3.]]).min(0).values
        tensor([1., 3.])
    """
    if isinstance(dim, Tensor):
        dim, other = None, dim
    return _extreme(input, dim, keepdim, other, False, out)


def _amaxmin(input, dim, keepdim, is_max):
    xp = xp_of(input)
    x = input._data
    dims = normalize_dims(dim if dim not in (None, ()) else None, x.ndim)
    if xp is np and x.ndim > 1 and dims == (x.ndim - 1,) and x.size:
        res = reduce_last(np.maximum if is_max else np.minimum, x, keepdim)
    else:
        res = (xp.max if is_max else xp.min)(x, axis=dims, keepdims=keepdim)
    r = make(res, input._dtype, input._device)
    if state.enabled and input._requires_grad:
        node = AmaxBackward()
        node.label = 'AmaxBackward0' if is_max else 'AminBackward0'
        node.dims, node.keepdim = dims, keepdim
        node.save(input)
        node.save_output(r)
        record(node, r, input)
    return r


def amax(input, dim=(), keepdim=False):
    """The maximum over ``dim`` (all dims when empty); ties share the gradient evenly.

    Example::

        >>> flambeau.amax(flambeau.tensor([[1., 5.], [7., 3.]]), dim=0)
        tensor([7., 5.])
    """
    return _amaxmin(input, dim, keepdim, True)


def amin(input, dim=(), keepdim=False):
    """The minimum over ``dim`` (all dims when empty); ties share the gradient evenly.

    Example::

        >>> flambeau.amin(flambeau.tensor([[1., 5.], [7., 3.]]), dim=1)
        tensor([1., 3.])
    """
    return _amaxmin(input, dim, keepdim, False)


def _arg(input, dim, keepdim, is_max):
    xp = xp_of(input)
    x = input._data
    if input._dtype is _dt.bool:
        raise RuntimeError(f'{"argmax" if is_max else "argmin"}(): does not support bool input')
    if dim is None:
        if x.size == 0:
            raise RuntimeError(f'{"argmax" if is_max else "argmin"}(): Expected reduction dim to '
                               'be specified for input.numel() == 0.')
        res = (xp.argmax if is_max else xp.argmin)(x)
        if keepdim:
            res = xp.asarray(res).reshape((1,) * x.ndim)
    else:
        d = input._wrap_dim(dim)
        if x.ndim == 0:
            res = xp.zeros((), dtype=np.int64)
        else:
            res = (xp.argmax if is_max else xp.argmin)(x, axis=d, keepdims=keepdim)
    return make(xp.asarray(res).astype(np.int64, copy=False), _dt.int64, input._device)


def argmax(input, dim=None, keepdim=False):
    """The index of the largest element (of the flattened tensor, or along ``dim``); the first
    one among ties.

    Example::

        >>> flambeau.argmax(flambeau.tensor([[1., 5.], [7., 3.]]), dim=1)
        tensor([1, 0])
    """
    return _arg(input, dim, keepdim, True)


def argmin(input, dim=None, keepdim=False):
    """The index of the smallest element (of the flattened tensor, or along ``dim``).

    Example::

        >>> flambeau.argmin(flambeau.tensor([3., 1., 2.]))
        tensor(1)
    """
    return _arg(input, dim, keepdim, False)


def _full(dim):
    """Whether ``dim`` asks for a reduction over every dim (None or an empty sequence)."""
    return dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0)


def _count(shape, dims):
    n = 1
    for k in dims:
        n *= shape[k]
    return n


# -- prod ------------------------------------------------------------------------------------
def _prod_others(x, d):
    """``out[i] = prod(x[j] for j != i)`` along ``d``, without dividing (exact with zeros):
    the exclusive cumulative products from the left and from the right, multiplied."""
    n = x.shape[d]
    if n <= 1:
        return _creation.ones_like(x)
    one = _creation.ones_like(x.narrow(d, 0, 1))
    left = _scan.cumprod(_shape.cat([one, x.narrow(d, 0, n - 1)], d), d)
    right = _scan.flip_dim(_scan.cumprod(_scan.flip_dim(
        _shape.cat([x.narrow(d, 1, n - 1), one], d), d), d), d)
    return left * right


class ProdBackward(Node):
    """Without zeros the gradient is ``g * out / x``; with zeros the products of the other
    elements are formed directly (``_prod_others``)."""
    __slots__ = ('label', 'dim', 'keepdim')

    def name(self):
        return self.label

    def backward(self, g):
        x, = self.saved_tensors
        d = self.dim
        if d is None:
            if not x._data.ndim:
                return g
            if x._data.all():
                return g * self.saved_output() / x
            return (g * _prod_others(x.reshape(-1), 0)).reshape(x.shape)
        if not x._data.ndim:
            return g.reshape(())
        keep = (d,)
        gb = _expand_back(g, x.shape, keep, self.keepdim)
        if x._data.all():
            return gb * _expand_back(self.saved_output(), x.shape, keep, self.keepdim) / x
        return gb * _prod_others(x, d)


def prod(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """The product of all elements, or along ``dim`` (one int). Integer and bool inputs
    multiply in int64. The gradient is exact also where the input holds zeros.

    Example::

        >>> x = flambeau.tensor([[1., 2.], [3., 4.]])
        >>> x.prod(), x.prod(1)
        (tensor(24.), tensor([ 2., 12.]))
    """
    if out is not None:
        return out.copy_(prod(input, dim, keepdim, dtype=dtype))
    if isinstance(dim, (tuple, list, Tensor)):
        raise TypeError(f'prod() received an invalid combination of arguments - got '
                        f'({type(dim).__name__}), but expected one of:\n'
                        ' * (*, torch.dtype dtype = None)\n'
                        ' * (int dim, bool keepdim = False, *, torch.dtype dtype = None)')
    src = input._dtype
    if dtype is None:
        dtype = src if src.is_floating_point else _dt.int64
    elif dtype is not src and state.enabled and input._requires_grad:
        return prod(input.to(dtype), dim, keepdim)
    x = input._data
    if x.dtype != dtype.numpy:
        x = x.astype(dtype.numpy)
    acc = _acc_dtype(dtype)
    if dim is None:
        res = x.prod(dtype=acc)
        d = None
    else:
        d = input._wrap_dim(dim)
        res = x.prod(axis=d if x.ndim else None, keepdims=keepdim and x.ndim > 0, dtype=acc)
    r = make(res if res.dtype == dtype.numpy else res.astype(dtype.numpy), dtype, input._device)
    if state.enabled and input._requires_grad:
        node = ProdBackward()
        node.label = 'ProdBackward0' if d is None else 'ProdBackward1'
        node.dim, node.keepdim = d, keepdim
        node.save(input)
        node.save_output(r)
        record(node, r, input)
    return r


# -- var / std -------------------------------------------------------------------------------
def _inf_div(a, b):
    """``a / b`` as C++ computes it in double: a zero ``b`` gives inf or nan, no exception."""
    if b == 0:
        return math.nan if a == 0 else math.copysign(math.inf, a)
    return a / b


def _var_grad(x, gv, dims, keepdim, dof):
    gb = _expand_back(gv, x.shape, dims, keepdim)
    return gb * _inf_div(2.0, dof) * (x - x.mean(dims, keepdim=True))


def _std_var_grad(g, std):
    """d var / d std: ``g / (2 std)``, zero where ``std`` is zero (as PyTorch)."""
    from .pointwise import where
    return where(std == 0, 0.0, g / (2 * std))


class VarStdBackward(Node):
    __slots__ = ('label', 'dims', 'keepdim', 'dof')

    def name(self):
        return self.label

    def backward(self, g):
        x, = self.saved_tensors
        if self.label == 'StdBackward0':
            g = _std_var_grad(g, self.saved_output())
        return _var_grad(x, g, self.dims, self.keepdim, self.dof)


class VarStdMeanBackward(Node):
    """``var_mean``/``std_mean``: outputs (var or std, mean) of one input."""
    __slots__ = ('label', 'dims', 'keepdim', 'dof', 'n')
    n_outputs = 2

    def name(self):
        return self.label

    def backward(self, grads):
        gv, gm = grads
        x, = self.saved_tensors
        res = None
        if gv is not None:
            if self.label == 'StdMeanBackward0':
                gv = _std_var_grad(gv, self.saved_output())
            res = _var_grad(x, gv, self.dims, self.keepdim, self.dof)
        if gm is not None:
            m = _expand_back(gm / self.n, x.shape, self.dims, self.keepdim)
            res = m if res is None else res + m
        return res


def _var_parse(dim, unbiased, correction):
    if isinstance(dim, bool):  # var(x, True): the ``unbiased`` overload
        dim, unbiased = None, dim
    if correction is None:
        correction = 0 if unbiased is False else 1
    return dim, correction


def _moments(input, dim, correction, keepdim, take_sqrt, with_mean, label):
    dt = input._dtype
    if not dt.is_floating_point:
        raise RuntimeError('std and var only support floating point and complex dtypes')
    xp = xp_of(input)
    x = input._data
    dims = normalize_dims(None if _full(dim) else dim, x.ndim)
    n = _count(x.shape, dims)
    if n - correction <= 0:
        warnings.warn(f'{"std" if take_sqrt else "var"}(): degrees of freedom is <= 0. Correction '
                      'should be strictly less than the reduction factor (input numel divided by '
                      'output numel).', UserWarning, stacklevel=3)
    acc = _acc_dtype(dt)
    xa = x.astype(acc) if acc is not None else x
    mean = _sum_dims(xa, dims, True) / n if n else xp.full(
        [1 if k in dims else s for k, s in enumerate(x.shape)], xp.nan, dtype=xa.dtype)
    dev = xa - mean
    dev *= dev
    v = _sum_dims(dev, dims, keepdim) / builtins.max(0, n - correction)
    if take_sqrt:
        v = xp.sqrt(v)
    r = make(xp.asarray(v).astype(dt.numpy, copy=False), dt, input._device)
    m = None
    if with_mean:
        mv = mean if keepdim else mean.reshape([s for k, s in enumerate(mean.shape)
                                                if k not in dims])
        m = make(mv.astype(dt.numpy, copy=False), dt, input._device)
    if state.enabled and input._requires_grad:
        node = VarStdMeanBackward() if with_mean else VarStdBackward()
        node.label, node.dims, node.keepdim, node.dof = label, dims, keepdim, n - correction
        node.save(input)
        node.save_output(r)
        record(node, r, input)
        if with_mean:
            node.n = n
            m.grad_fn, m._output_nr, m._requires_grad = node, 1, True
    return (r, m) if with_mean else r


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """The variance over ``dim`` (an int, a tuple of ints, or None for all):
    ``sum((x - mean)**2) / max(0, N - correction)`` with ``correction=1`` by default (Bessel's
    correction; ``unbiased=False`` means ``correction=0``).

    Example::

        >>> flambeau.tensor([[1., 2.], [3., 5.]]).var(1)
        tensor([0.5000, 2.0000])
    """
    dim, correction = _var_parse(dim, unbiased, correction)
    r = _moments(input, dim, correction, keepdim, False, False, 'VarBackward0')
    return r if out is None else out.copy_(r)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """The standard deviation over ``dim``: the square root of :func:`var` (same arguments).

    Example::

        >>> flambeau.tensor([1., 2., 3., 4.]).std()
        tensor(1.2910)
    """
    dim, correction = _var_parse(dim, unbiased, correction)
    r = _moments(input, dim, correction, keepdim, True, False, 'StdBackward0')
    return r if out is None else out.copy_(r)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(var(input, ...), mean(input, ...))`` in one pass, as a tuple.

    Example::

        >>> flambeau.var_mean(flambeau.tensor([1., 2., 3.]))
        (tensor(1.), tensor(2.))
    """
    dim, correction = _var_parse(dim, unbiased, correction)
    return _moments(input, dim, correction, keepdim, False, True, 'VarMeanBackward0')


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(std(input, ...), mean(input, ...))`` in one pass, as a tuple.

    Example::

        >>> flambeau.std_mean(flambeau.tensor([1., 2., 3.]))
        (tensor(1.), tensor(2.))
    """
    dim, correction = _var_parse(dim, unbiased, correction)
    return _moments(input, dim, correction, keepdim, True, True, 'StdMeanBackward0')


# -- vector norm / norm ----------------------------------------------------------------------
def _ord_str(ord):
    if isinstance(ord, float) and ord.is_integer():
        return str(int(ord))
    return str(ord)


class LinalgVectorNormBackward0(Node):
    __slots__ = ('ord', 'dims', 'keepdim')

    def backward(self, g):
        from .pointwise import where
        x, = self.saved_tensors
        y = self.saved_output()
        p, dims, keep = self.ord, self.dims, self.keepdim
        shape = x.shape
        gb = _expand_back(g, shape, dims, keep)
        if p == 0:
            return None  # PyTorch: no gradient at all
        if p == 1:
            return x.sign() * gb
        yb = _expand_back(y, shape, dims, keep)
        if p == 2:
            return x * where(yb == 0, 0.0, gb / yb)
        if math.isinf(p):
            ax = x.abs()
            mask = (ax == yb) | (ax != ax)
            return x.sign() * (gb / _expand_back(mask.sum(dims, keepdim=True), shape, (), True)) \
                * mask
        if p < 1:
            scaled = x.sign() * where(x == 0, 0.0, x.abs() ** (p - 1))
            return scaled * gb * yb ** (1 - p)
        scaled = x.sign() * x.abs() ** (p - 1) if p < 2 else x * x.abs() ** (p - 2)
        return scaled * where(yb == 0, 0.0, gb / yb ** (p - 1))


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    """The vector ``ord``-norm of ``x`` over ``dim`` (an int, a tuple of ints, or None for all
    elements): ``sum(abs(x)**ord)**(1/ord)``; ``inf``/``-inf`` give the largest/smallest
    absolute value, ``0`` the number of non-zero elements. ``dtype`` converts ``x`` first.
    This is the core of ``flambeau.linalg.vector_norm`` and of ``flambeau.norm``.

    Example::

        >>> vector_norm(flambeau.tensor([3., -4.]))
        tensor(5.)
        >>> vector_norm(flambeau.tensor([3., -4.]), ord=float('inf'))
        tensor(4.)
    """
    if out is not None:
        return out.copy_(vector_norm(x, ord, dim, keepdim, dtype=dtype))
    if isinstance(ord, bool) or not isinstance(ord, (int, float)):
        raise TypeError(f'linalg.vector_norm(): argument \'ord\' must be Number, not '
                        f'{type(ord).__name__}')
    if dtype is not None and dtype is not x._dtype:
        if not (dtype.is_floating_point and x._dtype.is_floating_point):
            from .pointwise import _dt_title
            raise RuntimeError(f'linalg.vector_norm: dtype should be floating point or complex. '
                               f'Got {_dt_title(dtype)} instead.' if not dtype.is_floating_point
                               else 'linalg.vector_norm: Expected a floating point or complex '
                               f'tensor as input. Got {_dt_title(x._dtype)}')
        x = x.to(dtype)
    dt = x._dtype
    if not dt.is_floating_point:
        from .pointwise import _dt_title
        raise RuntimeError(f'linalg.vector_norm: Expected a floating point or complex tensor as '
                           f'input. Got {_dt_title(dt)}')
    xp = xp_of(x)
    a = x._data
    dims = normalize_dims(None if _full(dim) else dim, a.ndim)
    p = float(ord)
    if p < 0 or math.isinf(p):
        if _full(dim) and a.size == 0:
            raise RuntimeError(f'linalg.vector_norm cannot compute the {_ord_str(ord)} norm on an '
                               'empty tensor because the operation does not have an identity')
        for k in dims:
            if a.shape[k] == 0:
                raise RuntimeError(f'linalg.vector_norm cannot compute the {_ord_str(ord)} norm on '
                                   f'the dimension {k}because this dimension is empty and the '
                                   'operation does not have an identity')
    acc = _acc_dtype(dt)
    if p == 2 and xp is np and a.ndim and dims == (a.ndim - 1,) and a.size:
        # (Note [Two-norms of rows by vecdot])
        ac = a.astype(acc) if acc is not None else a
        res = np.sqrt(np.vecdot(ac, ac))
        return _norm_result(res[..., None] if keepdim else res, x, p, dims, keepdim)
    ab = xp.abs(a.astype(acc) if acc is not None else a)
    axis = dims
    if p == math.inf:
        res = ab.max(axis=axis, keepdims=keepdim) if ab.size else \
            ab.sum(axis=axis, keepdims=keepdim)
    elif p == -math.inf:
        res = ab.min(axis=axis, keepdims=keepdim) if ab.size else \
            ab.sum(axis=axis, keepdims=keepdim)
    elif p == 0:
        res = (ab != 0).sum(axis=axis, keepdims=keepdim, dtype=ab.dtype)
    elif p == 1:
        res = _sum_dims(ab, axis, keepdim)  # (Note [Sums by BLAS] over trailing dims)
    elif p == 2:
        ab *= ab
        res = xp.sqrt(_sum_dims(ab, axis, keepdim))
    else:
        res = (ab ** p).sum(axis=axis, keepdims=keepdim) ** (1.0 / p)
    return _norm_result(res, x, p, dims, keepdim)


def _norm_result(res, x, p, dims, keepdim):
    """``vector_norm``'s result tensor from the array ``res``, its node recorded."""
    dt = x._dtype
    r = make(xp_of(x).asarray(res).astype(dt.numpy, copy=False), dt, x._device)
    if state.enabled and x._requires_grad:
        node = LinalgVectorNormBackward0()
        node.ord, node.dims, node.keepdim = p, dims, keepdim
        node.save(x)
        node.save_output(r)
        record(node, r, x)
    return r


# Note [Two-norms of rows by vecdot]: the 2-norm over the last dim of a host array is
# ``sqrt(vecdot(x, x))``: one pass, no squared copy, where ``abs``, the square and the sum took
# three ((8192, 64) float32 155 -> 86 us, (2048, 512) 309 -> 68, (64, 8192) 157 -> 24). The
# products are summed in another order (the values differ from the sum's in the last bit or
# two; PyTorch's vectorised sum has its own order).


def norm(input, p='fro', dim=None, keepdim=False, out=None, dtype=None):
    """The norm of ``input``: a vector ``p``-norm over ``dim`` (all elements by default) for a
    number ``p`` or ``'fro'`` (the 2-norm of the elements); ``'nuc'`` and other matrix norms go
    to ``flambeau.linalg.matrix_norm``.

    Example::

        >>> flambeau.norm(flambeau.tensor([[3., 4.], [0., 0.]]))
        tensor(5.)
        >>> flambeau.norm(flambeau.tensor([[3., 4.], [0., 0.]]), p=1, dim=1)
        tensor([7., 0.])
    """
    if p is None:
        p = 'fro'
    if isinstance(dim, int):
        dim = (dim,)
    if isinstance(p, str):
        if p == 'fro' and (dim is None or len(dim) <= 2):
            r = vector_norm(input, 2, dim, keepdim, dtype=dtype)
        else:
            if dim is not None and len(dim) != 2:
                raise RuntimeError(f'linalg.matrix_norm: dim must be a 2-tuple. Got '
                                   f'{" ".join(str(d) for d in dim)}')
            from .. import linalg
            matrix_norm = getattr(linalg, 'matrix_norm', None)
            if matrix_norm is None or p != 'nuc':
                raise RuntimeError(f'linalg.matrix_norm: Order {p} not supported.')
            r = matrix_norm(input, p, (-2, -1) if dim is None else dim, keepdim, dtype=dtype)
    else:
        r = vector_norm(input, p, dim, keepdim, dtype=dtype)
    return r if out is None else out.copy_(r)


# -- logsumexp -------------------------------------------------------------------------------
class LogsumexpBackward0(Node):
    __slots__ = ('dims', 'keepdim')

    def backward(self, g):
        x, = self.saved_tensors
        y = self.saved_output()
        shape = x.shape
        return _expand_back(g, shape, self.dims, self.keepdim) * \
            (x - _expand_back(y, shape, self.dims, self.keepdim)).exp()


def logsumexp(input, dim, keepdim=False, *, out=None):
    """``log(sum(exp(input)))`` over ``dim`` (an int or a tuple of ints), computed without
    overflow. Integer inputs give the default float dtype.

    Example::

        >>> flambeau.logsumexp(flambeau.tensor([[0., 0.], [1000., 1000.]]), dim=1)
        tensor([   0.6931, 1000.6931])
    """
    if out is not None:
        return out.copy_(logsumexp(input, dim, keepdim))
    dt = input._dtype
    xp = xp_of(input)
    x = input._data
    if not dt.is_floating_point:
        dt = _dt.get_default_dtype()
        x = x.astype(dt.numpy)
    dims = normalize_dims(dim, x.ndim)
    acc = _acc_dtype(dt)
    xa = x.astype(acc) if acc is not None else x
    if xa.size == 0:
        res = xp.log(xp.exp(xa).sum(axis=dims, keepdims=keepdim))
    else:
        m = xa.max(axis=dims, keepdims=True)
        m = xp.where(xp.isfinite(m), m, 0)
        res = xp.log(_sum_dims(xp.exp(xa - m), dims, True)) + m
        if not keepdim:
            res = res.reshape([s for k, s in enumerate(res.shape) if k not in dims])
    r = make(xp.asarray(res).astype(dt.numpy, copy=False), dt, input._device)
    if state.enabled and input._requires_grad:
        node = LogsumexpBackward0()
        node.dims, node.keepdim = dims, keepdim
        node.save(input)
        node.save_output(r)
        record(node, r, input)
    return r


# -- all / any / count_nonzero ---------------------------------------------------------------
def _all_any(input, dim, keepdim, out, is_all):
    xp = xp_of(input)
    x = input._data
    if input._dtype is not _dt.bool:
        x = x != 0
    if dim is None:
        res = (xp.all if is_all else xp.any)(x, keepdims=keepdim)
    elif isinstance(dim, (tuple, list)) and len(dim) == 0:
        res = x.copy()  # no dims: no reduction
    else:
        res = (xp.all if is_all else xp.any)(x, axis=normalize_dims(dim, x.ndim),
                                             keepdims=keepdim)
    dt = _dt.uint8 if input._dtype is _dt.uint8 else _dt.bool
    r = make(xp.asarray(res).astype(dt.numpy, copy=False), dt, input._device)
    return r if out is None else out.copy_(r)


def all(input, dim=None, keepdim=False, *, out=None):
    """Whether every element is non-zero, over all elements or ``dim`` (an int or a tuple).
    The result is bool (uint8 for a uint8 input).

    Example::

        >>> flambeau.tensor([[True, False], [True, True]]).all(1)
        tensor([False,  True])
    """
    return _all_any(input, dim, keepdim, out, True)


def any(input, dim=None, keepdim=False, *, out=None):
    """Whether some element is non-zero, over all elements or ``dim`` (an int or a tuple).
    The result is bool (uint8 for a uint8 input).

    Example::

        >>> flambeau.tensor([[0, 0], [0, 3]]).any(1)
        tensor([False,  True])
    """
    return _all_any(input, dim, keepdim, out, False)


def count_nonzero(input, dim=None):
    """The number of non-zero elements, over all elements or ``dim`` (an int or a tuple).

    Example::

        >>> flambeau.count_nonzero(flambeau.tensor([[0, 1, 2], [0, 0, 3]]), dim=1)
        tensor([2, 1])
    """
    x = input._data
    dims = normalize_dims(None if _full(dim) else dim, x.ndim)
    res = (x != 0).sum(axis=dims, dtype=np.int64)
    return make(xp_of(input).asarray(res), _dt.int64, input._device)


# -- aminmax ---------------------------------------------------------------------------------
class AminmaxBackward0(Node):
    """Each of min and max passes its gradient to the elements equal to it, shared evenly."""
    __slots__ = ('dims', 'keepdim', 'extremes')
    n_outputs = 2

    def backward(self, grads):
        x, = self.saved_tensors
        shape = x.shape
        res = None
        for g, v in zip(grads, self.extremes):
            if g is None:
                continue
            vb = _expand_back(make(v, x._dtype, x._device), shape, self.dims, self.keepdim)
            mask = x == vb
            count = _expand_back(mask.sum(self.dims, keepdim=True), shape, (), True)
            part = _expand_back(g, shape, self.dims, self.keepdim) * mask / count
            res = part if res is None else res + part
        return res


def aminmax(input, *, dim=None, keepdim=False, out=None):
    """The minimum and the maximum, over all elements or along ``dim``, as
    ``(min, max)``.

    Example::

        >>> flambeau.aminmax(flambeau.tensor([[1., 5.], [7., 3.]]), dim=1)
        torch.return_types.aminmax(
        min=tensor([1., 3.]),
        max=tensor([5., 7.]))
    """
    xp = xp_of(input)
    x = input._data
    if dim is None:
        if x.size == 0:
            raise RuntimeError('aminmax(): cannot compute aminmax over an empty dimension as the '
                               'operation has no identity.')
        dims = tuple(range(x.ndim))
    else:
        d = input._wrap_dim(dim)
        if x.ndim and x.shape[d] == 0:
            raise IndexError(f'aminmax: Expected reduction dim {d} to have non-zero size.')
        dims = (d,) if x.ndim else ()
    mn = xp.asarray(x.min(axis=dims, keepdims=keepdim) if x.size else
                    x.sum(axis=dims, keepdims=keepdim).astype(x.dtype))
    mx = xp.asarray(x.max(axis=dims, keepdims=keepdim) if x.size else mn.copy())
    a, b = make(mn, input._dtype, input._device), make(mx, input._dtype, input._device)
    if state.enabled and input._requires_grad:
        node = AminmaxBackward0()
        node.dims, node.keepdim, node.extremes = dims, keepdim, (mn, mx)
        node.save(input)
        record(node, a, input)
        b.grad_fn, b._output_nr, b._requires_grad = node, 1, True
    r = return_types.aminmax(a, b)
    return r if out is None else copy_pair(r, out)


# -- nansum / nanmean ------------------------------------------------------------------------
class NansumBackward0(Node):
    __slots__ = ('dims', 'keepdim')

    def backward(self, g):
        x, = self.saved_tensors
        return _expand_back(g, x.shape, self.dims, self.keepdim) * (x == x)


def nansum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """The sum of the elements that are not NaN (NaNs count as zero), over all elements or
    ``dim``.

    Example::

        >>> flambeau.nansum(flambeau.tensor([1., float('nan'), 2.]))
        tensor(3.)
    """
    if out is not None:
        return out.copy_(nansum(input, dim, keepdim, dtype=dtype))
    src = input._dtype
    if dtype is None:
        dtype = src if src.is_floating_point else _dt.int64
    elif dtype is not src and state.enabled and input._requires_grad:
        return nansum(input.to(dtype), dim, keepdim)
    xp = xp_of(input)
    x = input._data
    if x.dtype != dtype.numpy:
        x = x.astype(dtype.numpy)
    if dtype.is_floating_point:
        x = xp.where(xp.isnan(x), xp.zeros((), x.dtype), x)
    dims = normalize_dims(None if _full(dim) else dim, x.ndim)
    res = xp.asarray(x.sum(axis=dims, keepdims=keepdim, dtype=_acc_dtype(dtype)))
    r = make(res.astype(dtype.numpy, copy=False), dtype, input._device)
    if state.enabled and input._requires_grad:
        node = NansumBackward0()
        node.dims, node.keepdim = dims, keepdim
        node.save(input)
        record(node, r, input)
    return r


def nanmean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """The mean of the elements that are not NaN, over all elements or ``dim``.

    Example::

        >>> flambeau.nanmean(flambeau.tensor([1., float('nan'), 2.]))
        tensor(1.5000)
    """
    if not input._dtype.is_floating_point:
        from .pointwise import _dt_title
        raise RuntimeError('nanmean(): expected input to have floating point or complex dtype but '
                           f'got {_dt_title(input._dtype)}')
    dims = None if _full(dim) else dim
    r = nansum(input, dims, keepdim, dtype=dtype) / (input == input).sum(dims, keepdim)
    return r if out is None else out.copy_(r)


# -- bincount / histc ------------------------------------------------------------------------
def bincount(input, weights=None, minlength=0):
    """How often each value ``0 .. max(input)`` occurs in the 1-d non-negative integer
    ``input`` (at least ``minlength`` bins); with ``weights``, the sum of the weights of each
    value instead.

    Example::

        >>> flambeau.bincount(flambeau.tensor([1, 3, 3]))
        tensor([0, 1, 0, 2])
    """
    dt = input._dtype
    if dt is _dt.bool or dt.is_floating_point:
        raise not_implemented('bincount_cpu', dt)
    x = input._data
    if minlength < 0:
        raise RuntimeError('minlength should be >= 0')
    if x.ndim != 1 or (x.size and x.min() < 0):
        raise RuntimeError('bincount only supports 1-d non-negative integral inputs.')
    xp = xp_of(input)
    if weights is None:
        return make(xp.bincount(x, minlength=minlength).astype(np.int64, copy=False), _dt.int64,
                    input._device)
    w = weights._data
    if w.ndim != 1 or w.shape[0] != x.shape[0]:
        raise RuntimeError('weights should be 1-d and have the same length as input')
    out_dt = _dt.float32 if weights._dtype is _dt.float32 else _dt.float64
    res = xp.bincount(x, weights=w.astype(np.float64), minlength=minlength)
    return make(res.astype(out_dt.numpy, copy=False), out_dt, input._device)


def _fmt(v):
    return 'nan' if v != v else f'{v:g}'


def histc(input, bins=100, min=0, max=0, *, out=None):
    """A histogram of ``input`` with ``bins`` equal-width bins between ``min`` and ``max``
    (the data's own minimum and maximum when both are equal); elements outside are ignored.

    Example::

        >>> flambeau.histc(flambeau.tensor([1., 2., 1.]), bins=4, min=0, max=3)
        tensor([0., 2., 1., 0.])
    """
    dt = input._dtype
    if not dt.is_floating_point:
        if dt is not _dt.bool:  # PyTorch converts the range to the dtype first
            info = np.iinfo(dt.numpy)
            empty_range = min == max and not input._data.size  # widened to [min - 1, max + 1]
            for v in (min - 1, max + 1) if empty_range else (min, max):
                if not info.min <= v <= info.max:
                    raise RuntimeError(f'value cannot be converted to type '
                                       f'{"uint8_t" if dt is _dt.uint8 else dt.name + "_t"} '
                                       'without overflow')
        raise not_implemented('linspace_cpu' if dt is _dt.bool else 'histogram_cpu', dt)
    if bins <= 0:
        raise RuntimeError(f'torch.histogram(): bins must be > 0, but got {bins} for dimension 0')
    xp = xp_of(input)
    x = input._data
    acc = x.dtype  # the bin of each element is computed in the input's dtype, as PyTorch
    xa = x.reshape(-1)
    lo, hi = float(min), float(max)
    if lo > hi:
        raise RuntimeError('torch.histc: max must be larger than min')
    if lo == hi and xa.size:
        lo, hi = float(xa.min()), float(xa.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise RuntimeError(f'torch.histc: range of [{_fmt(lo)}, {_fmt(hi)}] is not finite')
    sel = xa[(xa >= lo) & (xa <= hi)]
    lo_a, hi_a = acc.type(lo), acc.type(hi)
    pos = ((sel - lo_a) * acc.type(bins) / (hi_a - lo_a)).astype(np.int64)
    pos[pos >= bins] = bins - 1
    res = xp.bincount(pos, minlength=bins).astype(dt.numpy)
    r = make(res, dt, input._device)
    return r if out is None else out.copy_(r)


from . import scan as _scan  # noqa: E402  (scan builds on this module)
from . import shape as _shape  # noqa: E402

METHODS = {'prod': prod, 'var': var, 'std': std, 'norm': norm, 'logsumexp': logsumexp,
           'all': all, 'any': any, 'count_nonzero': count_nonzero, 'aminmax': aminmax,
           'nansum': nansum, 'nanmean': nanmean, 'bincount': bincount, 'histc': histc}
INPLACE = {}
