"""Cumulative ops along a dim: ``cumsum``, ``cumprod``, ``cummax``, ``cummin``, ``logcumsumexp``.

Every scan keeps the input's shape; a 0-d input is treated as one element (dims -1 and 0).
The backward of ``cumsum`` is the *reversed* cumulative sum of the incoming gradient, written
as ``flip(cumsum(flip(g)))`` so that it is itself differentiable.
"""
__all__ = ['cummax', 'cummin', 'cumprod', 'cumsum', 'logcumsumexp']
import math

import numpy as np

from .. import dtypes as _dt
from ._common import Node, make, not_implemented, record, state, xp_of
from ..tensor import _C_TYPE
from . import reduce as _R
from .pointwise import where as _where

_int64 = _dt.int64


def _acc(d):
    """The NumPy accumulation dtype for dtype ``d`` (16-bit floats accumulate in float32)."""
    return np.float32 if d.is_floating_point and d.itemsize == 2 else d.numpy


# -- flip (private: the reversal the backward formulas need) ---------------------------------
class FlipBackward0(Node):
    __slots__ = ('dim',)

    def backward(self, g):
        return flip_dim(g, self.dim)


def flip_dim(input, dim):
    """A copy of ``input`` reversed along the (non-negative) ``dim``."""
    x = input._data
    if x.ndim == 0:
        res = x.copy()
    else:
        idx = [slice(None)] * x.ndim
        idx[dim] = slice(None, None, -1)
        res = x[tuple(idx)].copy()
    r = make(res, input._dtype, input._device)
    if state.enabled and input._requires_grad:
        node = FlipBackward0()
        node.dim = dim
        record(node, r, input)
    return r


def _rev_cumsum(g, dim):
    """``out[i] = sum(g[i:])`` along ``dim``, differentiable."""
    return flip_dim(cumsum(flip_dim(g, dim), dim), dim)


def _axis(x, d):
    """The NumPy axis of a scan along ``d``: a 0-d array is scanned as one element."""
    return None if x.ndim == 0 else d


def _scan_result(res, x):
    return res.reshape(()) if x.ndim == 0 else res


# -- cumsum ----------------------------------------------------------------------------------
class CumsumBackward0(Node):
    __slots__ = ('dim',)

    def backward(self, g):
        return _rev_cumsum(g, self.dim)


# Note [Running sums by triangular products]: PyTorch's CPU ``cumsum`` of float32 accumulates in
# double and rounds each running sum once; NumPy's float32 scan adds in float32 (differing from
# PyTorch's in most elements of a long row) and runs its loop one element at a time, along
# either axis ((8192, 64) float32: 1.8 ms along the last dim, 1.8 ms along the first; PyTorch
# 0.2). A float32 host array of finite values instead takes its running sums in float64 as
# products with the upper-triangular matrix of ones (``out[:, i] = sum(x[:, j] for j <= i)``),
# rows of up to ``_SCAN_BLOCK`` along the last dim in one product from the right, other dims
# by products from the left in blocks of ``_SCAN_BLOCK``, each block's sums shifted by the
# running total of the blocks before it. Rounded to float32 these are PyTorch's values (bit
# for bit, but for a double sum within 1e-16 of a float32 tie). A NaN or infinity would spread
# through the matrix's zeros to the sums before it: such arrays, longer rows along the last dim
# (whose products in float64 measured no faster) and other dtypes keep NumPy's scan, float32 in
# float64 as PyTorch (5-10% slower than in float32). float32, old (float32 scan) -> new, ms:
# (8192, 64) along the last dim 1.92 -> 1.40, along the first 1.96 -> 2.77 (the float64 scan:
# 7.2); (512, 1024) along the first 5.5 -> 1.95, along the last 1.83 -> ~1.9 (the scan).
_SCAN_BLOCK = 64
_SCAN_MIN = 4096  # elements; below, NumPy's scan is as fast
_TRIANGLES = {}  # n -> the (n, n) float64 upper-triangular matrix of ones


def _triangle(n):
    """The cached (n, n) float64 upper-triangular matrix of ones."""
    t = _TRIANGLES.get(n)
    if t is None:
        t = _TRIANGLES[n] = np.triu(np.ones((n, n)))
    return t


def _by_products(x, axis):
    """Whether a scan of ``x`` along ``axis`` takes Note [Running sums by triangular products]:
    a host float32 array of finite values, and rows of 8 to ``_SCAN_BLOCK`` along the last
    dim, or at least 16 elements after ``axis`` along another."""
    if type(x) is not np.ndarray or x.dtype != np.float32 or x.size < _SCAN_MIN:
        return False
    n = x.shape[axis]
    if axis == x.ndim - 1:
        fits = 8 <= n <= _SCAN_BLOCK
    else:
        fits = n >= 8 and x.size // math.prod(x.shape[:axis + 1]) >= 16
    return fits and bool(np.isfinite(x).all())


def _running_sums(x, axis):
    """``cumsum`` of a float32 array along ``axis``, in float64 by triangular products, rounded
    to float32 (Note [Running sums by triangular products])."""
    shape = x.shape
    L = shape[axis]
    A = math.prod(shape[:axis])
    if axis == x.ndim - 1:  # rows of up to _SCAN_BLOCK: one product from the right
        return (x.astype(np.float64).reshape(A, L) @ _triangle(L)).astype(np.float32)\
            .reshape(shape)
    x3 = x.astype(np.float64).reshape(A, L, -1)  # (the sums run along axis 1)
    B = _SCAN_BLOCK
    nb, rem = divmod(L, B) if L > B else (0, L)
    out = np.empty(x3.shape)
    total = 0
    if nb:  # blocks of B: each block's sums, then shifted by the totals of the blocks before
        full = np.matmul(_triangle(B).T, x3[:, :nb * B].reshape(A, nb, B, -1))
        before = np.cumsum(full[:, :, -1], axis=1)  # the running total at each block's end
        full[:, 1:] += before[:, :-1, None]
        out[:, :nb * B] = full.reshape(A, nb * B, -1)
        total = before[:, -1:]
    if rem:
        tail = np.matmul(_triangle(rem).T, x3[:, nb * B:])
        tail += total
        out[:, nb * B:] = tail
    return out.reshape(shape).astype(np.float32)


def cumsum(input, dim, *, dtype=None, out=None):
    """The cumulative sum along ``dim``: ``out[i] = input[0] + ... + input[i]``. Integer and bool
    inputs sum to int64 unless ``dtype`` says otherwise.

    Example::

        >>> flambeau.cumsum(flambeau.tensor([1., 2., 3.]), dim=0)
        tensor([1., 3., 6.])
    """
    if out is not None:
        return out.copy_(cumsum(input, dim, dtype=dtype))
    d = input._wrap_dim(dim)
    src = input._dtype
    if dtype is None:
        dtype = src if src.is_floating_point else _int64
    elif dtype is not src and state.enabled and input._requires_grad:
        return cumsum(input.to(dtype), d)  # the gradient comes back in input's dtype
    x = input._data
    if x.dtype != dtype.numpy:
        x = x.astype(dtype.numpy)
    if x.ndim and _by_products(x, d):
        res = _running_sums(x, d)
    else:  # (float32 in float64, as PyTorch: Note [Running sums by triangular products])
        acc = np.float64 if x.dtype == np.float32 and type(x) is np.ndarray else _acc(dtype)
        res = _scan_result(xp_of(input).cumsum(x, axis=_axis(x, d), dtype=acc), x)
    r = make(res if res.dtype == dtype.numpy else res.astype(dtype.numpy), dtype, input._device)
    if state.enabled and input._requires_grad:
        node = CumsumBackward0()
        node.dim = d
        record(node, r, input)
    return r


# -- cumprod ---------------------------------------------------------------------------------
class CumprodBackward0(Node):
    """``d out[k] / d x[i] = prod(x[j] for j <= k, j != i)`` for ``k >= i``.

    Without zeros that is ``revcumsum(g * out) / x``. With zeros (Note: only the first zero
    of a slice gets a gradient, every later element is multiplied by it): positions before the
    first zero use the formula above, the first zero gets ``revcumsum(g * cumprod(x'))`` where
    ``x'`` is ``x`` with that zero replaced by one, and the positions after it get zero."""
    __slots__ = ('dim',)

    def backward(self, g):
        x, = self.saved_tensors
        y = self.saved_output()
        d = self.dim
        if x._data.ndim == 0:
            return g
        if (x._data != 0).all():
            return _rev_cumsum(g * y, d) / x
        zero = x == 0
        nz = cumsum(zero, d)
        before = nz == 0
        first = zero & (nz == 1)
        x1 = _where(first, 1., x)
        g_before = _rev_cumsum(g * y, d) / _where(before, x, 1)
        g_first = _rev_cumsum(g * cumprod(x1, d), d)
        return _where(before, g_before, _where(first, g_first, 0))


def cumprod(input, dim, *, dtype=None, out=None):
    """The cumulative product along ``dim``: ``out[i] = input[0] * ... * input[i]``. Integer and
    bool inputs multiply in int64 unless ``dtype`` says otherwise. The gradient is exact also
    where the input holds zeros.

    Example::

        >>> flambeau.cumprod(flambeau.tensor([1., 2., 3.]), 0)
        tensor([1., 2., 6.])
    """
    if out is not None:
        return out.copy_(cumprod(input, dim, dtype=dtype))
    d = input._wrap_dim(dim)
    src = input._dtype
    if dtype is None:
        dtype = src if src.is_floating_point else _int64
    elif dtype is not src and state.enabled and input._requires_grad:
        return cumprod(input.to(dtype), d)
    x = input._data
    if x.dtype != dtype.numpy:
        x = x.astype(dtype.numpy)
    xp = xp_of(input)
    # float32 in float64, as PyTorch's CPU kernel (its values bit for bit; 1.2-2.2x the time
    # of a float32 scan)
    acc = np.float64 if x.dtype == np.float32 and type(x) is np.ndarray else _acc(dtype)
    res = _scan_result(xp.cumprod(x, axis=_axis(x, d), dtype=acc), x)
    r = make(res if res.dtype == dtype.numpy else res.astype(dtype.numpy), dtype, input._device)
    if state.enabled and input._requires_grad:
        node = CumprodBackward0()
        node.dim = d
        node.save(input)
        node.save_output(r)
        record(node, r, input)
    return r


# -- cummax / cummin -------------------------------------------------------------------------
def _cum_extreme(input, dim, is_max):
    d = input._wrap_dim(dim)
    xp = xp_of(input)
    x = input._data
    x1 = x.reshape(1) if x.ndim == 0 else x
    dd = 0 if x.ndim == 0 else d
    if input._dtype is _dt.bool:
        vals = (xp.logical_or if is_max else xp.logical_and).accumulate(x1, axis=dd)
    else:
        vals = (xp.maximum if is_max else xp.minimum).accumulate(x1, axis=dd)
    # a position takes the running extreme when it equals it (ties: the latest index, as in
    # PyTorch) or is NaN (NaN propagates and each later NaN becomes the index)
    hit = x1 == vals
    if input._dtype.is_floating_point:
        hit |= xp.isnan(x1)
    shape = [1] * x1.ndim
    shape[dd] = x1.shape[dd]
    pos = xp.arange(x1.shape[dd], dtype=np.int64).reshape(shape)
    idx = xp.maximum.accumulate(xp.where(hit, pos, 0), axis=dd) if x1.size else \
        xp.zeros(x1.shape, np.int64)
    if x.ndim == 0:
        vals, idx = vals.reshape(()), idx.reshape(())
    values = make(vals, input._dtype, input._device)
    indices = make(idx, _int64, input._device)
    if state.enabled and input._requires_grad:
        node = _R.ValueSelectBackward()
        node.label = 'CummaxBackward0' if is_max else 'CumminBackward0'
        node.dim, node.keepdim, node.shape, node.add = d, True, x.shape, True
        node.save(indices)
        record(node, values, input)
    return getattr(_R.return_types, 'cummax' if is_max else 'cummin')(values, indices)


def cummax(input, dim, *, out=None):
    """The running maximum along ``dim`` and the index where each was found, as
    ``(values, indices)``; on ties the latest index.

    Example::

        >>> flambeau.cummax(flambeau.tensor([1., 3., 2., 5.]), 0)
        torch.return_types.cummax(
        values=tensor([1., 3., 3., 5.]),
        indices=tensor([0, 1, 1, 3]))
    """
    r = _cum_extreme(input, dim, True)
    return r if out is None else _R.copy_pair(r, out)


def cummin(input, dim, *, out=None):
    """The running minimum along ``dim`` and the index where each was found, as
    ``(values, indices)``; on ties the latest index.

    Example::

        >>> flambeau.cummin(flambeau.tensor([3., 1., 2.]), 0).values
        tensor([3., 1., 1.])
    """
    r = _cum_extreme(input, dim, False)
    return r if out is None else _R.copy_pair(r, out)


# -- logcumsumexp ----------------------------------------------------------------------------
class LogcumsumexpBackward0(Node):
    """``grad_i = exp(x_i) * revcumsum(g * exp(-out))_i``, evaluated in log space (positive and
    negative parts of ``g`` apart) so that large inputs do not overflow."""
    __slots__ = ('dim',)

    def backward(self, g):
        x, = self.saved_tensors
        y = self.saved_output()
        d = self.dim
        if x._data.ndim == 0:
            return g
        lowest = float(_dt.finfo(x._dtype).min)
        log_abs = g.abs().log()
        pos = _where(g > 0, log_abs, lowest)
        neg = _where(g < 0, log_abs, lowest)
        out_pos = (flip_dim(logcumsumexp(flip_dim(pos - y, d), d), d) + x).exp()
        out_neg = (flip_dim(logcumsumexp(flip_dim(neg - y, d), d), d) + x).exp()
        return out_pos - out_neg


def logcumsumexp(input, dim, *, out=None):
    """``log(cumsum(exp(input)))`` along ``dim``, computed without overflow. Floating point
    inputs only.

    Example::

        >>> flambeau.logcumsumexp(flambeau.tensor([0., 0.]), 0)
        tensor([0.0000, 0.6931])
    """
    if out is not None:
        return out.copy_(logcumsumexp(input, dim))
    dt = input._dtype
    if not dt.is_floating_point:
        raise not_implemented('logcumsumexp_out_cpu', dt)
    d = input._wrap_dim(dim)
    x = input._data
    acc = _acc(dt)
    xa = x.astype(acc) if x.dtype != acc else x
    res = _scan_result(xp_of(input).logaddexp.accumulate(xa.reshape(1) if x.ndim == 0 else xa,
                                                          axis=0 if x.ndim == 0 else d), x)
    r = make(res if res.dtype == dt.numpy else res.astype(dt.numpy), dt, input._device)
    if state.enabled and input._requires_grad:
        node = LogcumsumexpBackward0()
        node.dim = d
        node.save(input)
        node.save_output(r)
        record(node, r, input)
    return r


def _cum_inplace(fn, kernel):
    """The out-of-place op behind ``x.cumsum_(dim)``/``x.cumprod_(dim)``: the result keeps
    ``x``'s dtype (bool has no kernel for that)."""
    def op(input, dim, *, dtype=None):
        if dtype is not None and dtype is not input._dtype:
            raise RuntimeError(f'Bad in-place call: input tensor dtype '
                               f'{_C_TYPE[input._dtype.name]} and output tensor dtype {_C_TYPE[dtype.name]} should match')
        if input._dtype is _dt.bool and input._data.size and input._data.ndim:
            raise not_implemented(kernel, input._dtype)
        return fn(input, dim, dtype=input._dtype)
    op.__name__ = fn.__name__
    return op


# Tensor methods: {name: function}; INPLACE: {name_: out-of-place function} made in-place by
# ops.inplace.inplace_of.
METHODS = {'cumsum': cumsum, 'cumprod': cumprod, 'cummax': cummax, 'cummin': cummin,
           'logcumsumexp': logcumsumexp}
INPLACE = {'cumsum_': _cum_inplace(cumsum, 'cumsum_out_cpu'),
           'cumprod_': _cum_inplace(cumprod, 'cumprod_out_cpu')}
