"""Reductions: ``sum``, ``mean``, ``max``/``min`` (full, along a dim with indices, or
elementwise against another tensor), ``amax``/``amin``, ``argmax``/``argmin``, and
``sum_to_size`` (the reverse of broadcasting, used by every gradient of a broadcasting op)."""
__all__ = ['amax', 'amin', 'argmax', 'argmin', 'max', 'mean', 'min', 'return_types', 'sum']
import collections

import numpy as np

from .. import dtypes as _dt
from ._common import Node, Tensor, make, normalize_dims, record, shape_arg, state, xp_of

_f32, _f64 = _dt.float32, _dt.float64


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
    """A new array of ``shape`` filled with 0-d gradient ``g`` (over ``divisor``): the
    backward of a full reduction when no graph is recorded (cheaper than ``expand``)."""
    out = g._device._backend.xp.empty(shape, dtype=g._data.dtype)
    out[...] = g._data if divisor is None else g._data / divisor
    return make(out, g._dtype, g._device)


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
        import builtins
        return builtins.sum(input) if dim is None else builtins.sum(input, dim)
    d = input._dtype
    x = input._data
    if dim is None and dtype is None and not keepdim and (d is _f32 or d is _f64) and \
            x.__class__ is np.ndarray:
        # the common `loss.sum()`: one reduction, no argument processing
        r = make(np.add.reduce(x, axis=None), d, input._device)
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
        return (g / self.n).expand(self.shape)


class MeanBackward1(Node):
    __slots__ = ('shape', 'dims', 'keepdim', 'n')

    def backward(self, g):
        return _expand_back(g / self.n, self.shape, self.dims, self.keepdim)


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
    res = np.add.reduce(x, axis=None if full else dims, keepdims=keepdim,
                        dtype=_acc_dtype(d)) / n if x.__class__ is np.ndarray else \
        x.mean(axis=None if full else dims, keepdims=keepdim, dtype=_acc_dtype(d))
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

    values = property(lambda self: self[0])
    indices = property(lambda self: self[1])

    def __repr__(self):
        return f'torch.return_types.{self._name}(\nvalues={self[0]!r},\nindices={self[1]!r})'


def _return_type(name):
    return type(name, (_ReturnType,), {'__slots__': (), '_name': name})


return_types = collections.namedtuple('return_types', ['max', 'min', 'sort', 'topk'])(
    _return_type('max'), _return_type('min'), _return_type('sort'), _return_type('topk'))


class EvenlyDistributeBackward(Node):
    """Full ``max()``/``min()``: the gradient is shared evenly among the tied extremes."""
    __slots__ = ('label',)

    def name(self):
        return self.label

    def backward(self, g):
        x, = self.saved_tensors
        y = self.saved_output()
        mask = x == y
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
        return (maximum if is_max else minimum)(input, other)
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
        return r
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
    if out is not None:
        out[0].copy_(values)
        out[1].copy_(indices)
    return result


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
