"""Pooling: ``max_pool1d/2d/3d`` (indices, ceil_mode, dilation), ``avg_pool1d/2d/3d``,
adaptive pools, ``max_unpool1d/2d``, ``lp_pool1d/2d``.

Max and average pools reduce a strided window view ``(..., *O, *K)`` of the padded input in one
vectorised call (no loop over output positions). Max pools keep the flat spatial index of each
maximum; their backward scatters the gradient there (``_scatter_to``), a flambeau op whose own
derivative is a gather, so double backward works. Average pooling is linear: its backward is
its adjoint (spread ``g / divisor`` back over each window, one slice-add per kernel offset),
and the adjoint's derivative is the pooling again.

Adaptive average pooling (and the ``area``/``nearest``/``linear``/``bicubic`` modes of
``interpolate``, in ``resample.py``) is a *separable* linear map: along each spatial dim, output
``o`` is ``sum_t w[t, o] * x[idx[t, o]]``. ``separable`` applies such maps with gathers; the
backward multiplies by each map's (small, dense) transposed matrix with flambeau ops.
"""
__all__ = ['max_pool1d', 'max_pool2d', 'max_pool3d', 'avg_pool1d', 'adaptive_avg_pool1d']
import math

import numpy as np

from .. import dtypes as _dt
from .._blas import transpose_into
from ._common import (_INT_OF, Node, copy_rows, dtype_title, make, not_implemented, record,
                      state, xp_of)
from .reduce import mean

# the names ``flambeau.nn.functional`` exports from this module
FUNCTIONAL = ['max_pool1d', 'max_pool2d', 'max_pool3d', 'max_pool1d_with_indices',
              'max_pool2d_with_indices', 'max_pool3d_with_indices', 'avg_pool1d', 'avg_pool2d',
              'avg_pool3d', 'adaptive_avg_pool1d', 'adaptive_avg_pool2d', 'adaptive_avg_pool3d',
              'adaptive_max_pool1d', 'adaptive_max_pool2d', 'adaptive_max_pool1d_with_indices',
              'adaptive_max_pool2d_with_indices', 'max_unpool1d', 'max_unpool2d', 'lp_pool1d',
              'lp_pool2d']
# Tensor methods: {name: function}; INPLACE: {name_: out-of-place function}.
METHODS = {}
INPLACE = {}

_FLOATS = ('float16', 'bfloat16', 'float32', 'float64')


# -- shared helpers -------------------------------------------------------------------------------
def _tuple(v, n, what, name):
    if isinstance(v, (int, np.integer)):
        return (int(v),) * n
    v = tuple(int(a) for a in v)
    if len(v) == 1:
        return v * n
    if len(v) != n:
        two = {1: 'a single int', 2: 'a tuple of two ints', 3: 'a tuple of three ints'}[n]
        raise RuntimeError(f'{name}: {what} must either be a single int, or {two}')
    return v


def _out_size(size, k, s, p, d, ceil_mode):
    """PyTorch's pooling output size (a window must start inside the input or left padding)."""
    num = size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)
    out = num // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def _pool_args(input, kernel_size, stride, padding, dilation, ceil_mode, n, name):
    k = _tuple(kernel_size, n, 'kernel_size', name)
    s = k if stride is None or (not isinstance(stride, int) and len(stride) == 0) else \
        _tuple(stride, n, 'stride', name)
    p = _tuple(padding, n, 'padding', name)
    d = _tuple(dilation, n, 'dilation', name)
    if any(a == 0 for a in s):
        raise RuntimeError('stride should not be zero')
    if any(a <= 0 for a in k):
        raise RuntimeError('kernel size should be greater than zero, but got '
                           + ' '.join(f'k{a}: {v}' for a, v in zip('HW' if n == 2 else 'THW', k)))
    if any(a <= 0 for a in d):
        raise RuntimeError('dilation should be greater than zero, but got '
                           + ' '.join(f'dilation{a}: {v}' for a, v in
                                      zip('HW' if n == 2 else 'THW', d)))
    for pp, kk, dd in zip(p, k, d):
        if pp > (dd * (kk - 1) + 1) // 2:
            raise RuntimeError(f'pad should be at most half of effective kernel size, but got '
                               f'pad={pp}, kernel_size={kk} and dilation={dd}')
    sp = input.shape[-n:]
    out = tuple(_out_size(a, kk, ss, pp, dd, ceil_mode)
                for a, kk, ss, pp, dd in zip(sp, k, s, p, d))
    if any(o <= 0 for o in out):
        C = input.shape[-n - 1]
        raise RuntimeError(f'Given input size: ({"x".join(map(str, (C,) + tuple(sp)))}). '
                           f'Calculated output size: ({"x".join(map(str, (C,) + out))}). Output '
                           f'size is too small')
    return k, s, p, d, out


def _check_pool_dims(input, n, name, kind='max'):
    nd = input.ndim
    if nd not in (n + 1, n + 2) or any(a == 0 for a in input.shape[-n - 1:]):
        if kind == 'max':
            raise RuntimeError(f'Expected {n + 1}D or {n + 2}D (batch mode) tensor with optional '
                               f'0 dim batch size for input, but got:{list(input.shape)}')
        raise RuntimeError(f'non-empty {n + 1}D or {n + 2}D (batch mode) tensor expected for '
                           f'input')


def _windows(xp, x, k, s, d, out, pads, fill):
    """A view ``(..., *out, *k)`` of ``x`` padded with ``fill`` (``pads``: (lo, hi) per dim)."""
    n = len(k)
    if any(lo or hi for lo, hi in pads):
        shape = x.shape[:-n] + tuple(a + lo + hi for a, (lo, hi) in zip(x.shape[-n:], pads))
        xpad = xp.full(shape, fill, x.dtype)
        xpad[(Ellipsis,) + tuple(slice(lo, lo + a) for a, (lo, _) in
                                 zip(x.shape[-n:], pads))] = x
    else:
        xpad = x
    st = xpad.strides
    lead = xpad.shape[:-n]
    sp = st[-n:]
    return xp.lib.stride_tricks.as_strided(
        xpad, lead + tuple(out) + tuple(k),
        st[:-n] + tuple(a * b for a, b in zip(sp, s)) + tuple(a * b for a, b in zip(sp, d)))


def _pads(sp, k, s, p, d, out):
    """Padding (lo, hi) per dim so that every window of the output lies inside the array."""
    return tuple((pp, max(0, (o - 1) * ss + dd * (kk - 1) + 1 - pp - a))
                 for a, kk, ss, pp, dd, o in zip(sp, k, s, p, d, out))


# -- scattering a gradient to flat spatial indices (max pools, unpool) --------------------------
class _ScatterToBackward(Node):
    __slots__ = ('idx', 'nsp')

    def backward(self, g):
        return _gather_from(g, self.idx, self.nsp)


class _GatherFromBackward(Node):
    __slots__ = ('idx', 'size')

    def backward(self, g):
        return _scatter_to(g, self.idx, self.size)


def _scatter_to(g, idx, sp, unique=False):
    """``out[..., idx] += g`` into a result of spatial shape ``sp`` (``idx``: int64 array of
    ``g``'s shape, flat positions in ``prod(sp)``; the leading dims are shared). ``unique``:
    no position repeats within a row (disjoint pooling windows), so a plain assignment does."""
    xp = xp_of(g)
    ga = g._data
    lead = ga.shape[:ga.ndim - len(sp)]
    m = math.prod(sp)
    rows = math.prod(lead)
    flat_idx = (idx.reshape(rows, math.prod(idx.shape[idx.ndim - len(sp):])) +
                (xp.arange(rows) * m)[:, None]).ravel()
    if unique:  # (+ 0: PyTorch adds the gradient to zeros, -0.0 arrives as 0.0)
        res = xp.zeros(rows * m, ga.dtype)
        res[flat_idx] = ga.reshape(-1) + ga.dtype.type(0)
    elif xp is np and ga.dtype.kind in 'fV':
        res = np.bincount(flat_idx, ga.reshape(-1).astype(np.float64), minlength=rows * m)
        res = res.astype(ga.dtype)
    else:
        res = xp.zeros(rows * m, ga.dtype)
        xp.add.at(res, flat_idx, ga.reshape(-1))
    out = make(res.reshape(lead + tuple(sp)), g._dtype, g._device)
    if state.enabled and g._requires_grad:
        node = _ScatterToBackward()
        node.idx, node.nsp = idx, len(sp)
        record(node, out, g)
    return out


def _gather_from(g, idx, nsp):
    """``g[..., idx]`` over the ``nsp`` flattened trailing dims of ``g`` (the adjoint of
    ``_scatter_to``); ``idx`` has the result's shape."""
    xp = xp_of(g)
    ga = g._data
    lead = ga.shape[:ga.ndim - nsp]
    res = xp.take_along_axis(ga.reshape(lead + (math.prod(ga.shape[ga.ndim - nsp:]),)),
                             idx.reshape(lead + (math.prod(idx.shape[idx.ndim - nsp:]),)), -1)
    out = make(res.reshape(idx.shape), g._dtype, g._device)
    if state.enabled and g._requires_grad:
        node = _GatherFromBackward()
        node.idx, node.size = idx, ga.shape[ga.ndim - nsp:]
        record(node, out, g)
    return out


# -- max pooling ----------------------------------------------------------------------------------
class _MaxPoolBackward(Node):
    # unique: the windows are disjoint; won, k: the winning offset of each window and the
    # kernel of a window-major pool (Note [Window-major max pooling]), idx then made on demand
    __slots__ = ('idx', 'size', 'unique', 'won', 'k')

    def backward(self, g):
        if self.won is not None:
            ga = g._data
            if not state.enabled and ga.dtype.itemsize in _INT_OF and ga.dtype.kind in 'fiu':
                return make(_window_major_scatter(ga, self.won, self.k, self.size), g._dtype,
                            g._device)
            if self.idx is None:
                self.idx = _won_index(self.won, self.k, self.size)
        return _scatter_to(g, self.idx, self.size, self.unique)

    def release(self):
        Node.release(self)
        self.idx = self.won = None


MaxPool2DWithIndicesBackward0 = type('MaxPool2DWithIndicesBackward0', (_MaxPoolBackward,),
                                     {'__slots__': ()})
MaxPool3DWithIndicesBackward0 = type('MaxPool3DWithIndicesBackward0', (_MaxPoolBackward,),
                                     {'__slots__': ()})
AdaptiveMaxPool2DBackward0 = type('AdaptiveMaxPool2DBackward0', (_MaxPoolBackward,),
                                  {'__slots__': ()})
AdaptiveMaxPool3DBackward0 = type('AdaptiveMaxPool3DBackward0', (_MaxPoolBackward,),
                                  {'__slots__': ()})


def _lowest(dt):
    return -np.inf if dt.kind in 'fV' else np.iinfo(dt).min


def _take_where(xp, won, j, mask):
    """``won[mask] = j`` as ``won -= mask * (won - j)`` (``mask``: booleans)."""
    d = won - won.dtype.type(j)
    d *= mask
    won -= d


# Note [Window-major max pooling]: the usual max pool reads its input through a strided window
# view: for 2x2 windows every operand steps by two elements, and NumPy's loops run such
# operands 6x slower than contiguous ones (a compare over LeNet's (64, 6, 14, 14) windows: 42
# against 7 us). A 2-D pool whose windows tile the input (stride = kernel, no padding or
# dilation) instead copies it once window-major, one (rows, Wo) array per kernel offset: the
# ``kh`` rows of each window moved apart as whole records (Note [Rows as records]), then its ``kw``
# columns by the BLAS (Note [Transposes by the BLAS]); the maxima and the winning offset
# (uint8) are then contiguous passes. The node keeps that offset; its backward puts the
# gradient at it in the same layout (one broadcast compare for all the offsets' masks, one
# integer product of the gradient's bits with them) and copies back, and the flat int64
# indices are made only when asked for (``return_indices``, or a double backward). LeNet's
# first pool, (64, 6, 28, 28): forward 455 -> 190 us, forward + backward 650 -> 500 us (the
# backward alone, ~300 us, was slower than the scatter through int64 indices it replaced, ~200
# us, but those indices cost the forward ~150 us); the second, (64, 16, 10, 10), forward +
# backward 410 -> 280 us. Windows two wide (``_pair_scatter``) skip the copies back: the
# gradient doubled into uint64 pairs and the winners into uint16 byte pairs make each window
# row's mask a compare with a scalar and its row of the input gradient one product written in
# place; the backward alone, against caches flushed before each call, 386 -> 306 us on LeNet's
# first pool, 224 -> 155 us on its second, 635 -> 474 us on (32, 16, 32, 32).
_WINDOW_MAJOR_MIN = 4096


def _window_major(x, k):
    """``x`` (..., H, W) cropped to whole windows ``k`` and copied window-major: the list of
    the ``kh * kw`` offsets' (rows, Wo) arrays, in the windows' row-major order (Note
    [Window-major max pooling])."""
    kh, kw = k
    H, W = x.shape[-2:]
    Ho, Wo = H // kh, W // kw
    x = np.ascontiguousarray(x[..., :Ho * kh, :Wo * kw])
    R = x.size // (kh * Wo * kw)
    rows = np.empty((kh, R, Wo * kw), x.dtype)  # the kh rows of each window apart
    copy_rows(rows, x.reshape(R, kh, -1).swapaxes(0, 1))
    cols = np.empty((kw, kh * R * Wo), x.dtype)  # then the kw columns
    transpose_into(rows.reshape(-1, kw), cols)
    cols = cols.reshape(kw, kh, R, Wo)
    return [cols[b, a] for a in range(kh) for b in range(kw)]


def _window_major_scatter(g, won, k, size):
    """The max pool's input gradient: ``g`` (..., Ho, Wo) at each window's winning offset
    ``won``, zeros elsewhere, as an array of the input's spatial ``size`` (Note [Window-major
    max pooling])."""
    kh, kw = k
    Ho, Wo = g.shape[-2:]
    lead = g.shape[:-2]
    it = _INT_OF[g.dtype.itemsize]
    # + 0: PyTorch adds the gradient to zeros, -0.0 arrives as 0.0
    gi = np.add(g, g.dtype.type(0)).reshape(-1, Wo).view(it)
    won = won.reshape(-1, Wo)
    R = gi.shape[0]
    if kw == 2 and it is np.int32 and won.dtype == np.uint8:
        res = np.empty(lead + (Ho * kh, Wo * kw), g.dtype)
        _pair_scatter(gi, won, kh, res.reshape(R, kh, 2 * Wo).view(it))
        return _uncrop(res, size)
    # cols[b, a]: the gradient where the window's winner is offset (a, b), else 0; all the
    # offsets' masks by one broadcast compare, and the gradient's bits kept by one product of
    # the integers with them (x * True = x exactly; 16 integer passes before: 102 -> 55 us on
    # LeNet's first pool)
    offsets = np.arange(kh, dtype=won.dtype) * won.dtype.type(kw) + \
        np.arange(kw, dtype=won.dtype).reshape(kw, 1)
    cols = np.multiply(gi, np.equal(won, offsets.reshape(kw, kh, 1, 1)), dtype=it)
    rows = np.empty((kh, R, Wo * kw), g.dtype)
    transpose_into(cols.reshape(kw, -1).view(g.dtype), rows.reshape(-1, kw))
    res = np.empty(lead + (Ho * kh, Wo * kw), g.dtype)
    copy_rows(res.reshape(R, kh, -1), rows.swapaxes(0, 1))
    return _uncrop(res, size)


def _pair_scatter(gi, won, kh, out):
    """The scatter of ``_window_major_scatter`` for windows two wide, on the 4-byte integer
    view ``gi`` (R, Wo) of the gradient and uint8 winners ``won`` (R, Wo), into ``out`` (R,
    kh, 2 * Wo) in the input's layout: each gradient doubled into both halves of a uint64, and
    each winner into both bytes of a uint16 less 1 in the high byte, so window row ``a``'s mask
    is one compare against the scalar ``2 * a``, its row one product of the doubled gradient
    with that mask (Note [Window-major max pooling]; no transposes back)."""
    g2 = gi.view(np.uint32).astype(np.uint64)
    g2 *= np.uint64(0x100000001)
    g2 = g2.view(gi.dtype).reshape(out.shape[0], -1)
    d = won.astype(np.uint16)
    d *= np.uint16(0x101)
    d -= np.uint16(0x100)
    d = d.view(np.uint8).reshape(g2.shape)
    for a in range(kh):
        np.multiply(g2, np.equal(d, 2 * a), out=out[:, a])


def _uncrop(res, size):
    """``res`` (..., Hc, Wc), the gradient of the cropped windows, zero-padded to the input's
    spatial ``size``."""
    if res.shape[-2:] != tuple(size):
        full = np.zeros(res.shape[:-2] + tuple(size), res.dtype)
        full[..., :res.shape[-2], :res.shape[-1]] = res
        return full
    return res


def _won_index(won, k, size):
    """The flat ``H * W`` input index of each window's winning offset ``won`` (..., Ho, Wo)."""
    kh, kw = k
    Ho, Wo = won.shape[-2:]
    W = size[-1]
    shifts = np.array([a * W + b for a in range(kh) for b in range(kw)], np.int64)
    idx = shifts.take(won)
    idx += (np.arange(Ho)[:, None] * (kh * W) + np.arange(Wo) * kw)
    return idx


def _first_max(xp, vs, vals, x):
    """The offset (small integers) of each window's first maximum among the window views
    ``vs`` (``vals``: their maxima), or of its last NaN, PyTorch's index."""
    # the first offset j with vs[j] == vals, as n0 (1 + n1 (1 + ... n_{K-2})) with n_j the
    # 0/1 inequalities (a NaN window is redone below)
    wdt = np.uint8 if len(vs) <= 256 else np.int32
    won = xp.zeros(vals.shape, wdt)
    for j in range(len(vs) - 2, -1, -1):
        won += 1
        won *= vs[j] != vals
    if x.dtype.kind in 'fV' and (vals != vals).any():
        for j, v in enumerate(vs):
            _take_where(xp, won, j, v != v)
    return won


def _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, n, name):
    if input._dtype.name == 'bool':
        raise not_implemented(name, input._dtype)
    k, s, p, d, out = _pool_args(input, kernel_size, stride, padding, dilation, ceil_mode, n,
                                 name)
    xp = xp_of(input)
    x = input._data
    sp = x.shape[-n:]
    if n == 2 and type(x) is np.ndarray and k == s and p == (0, 0) and d == (1, 1) and \
            x.size >= _WINDOW_MAJOR_MIN and out == tuple(a // b for a, b in zip(sp, k)) and \
            x.dtype.kind in 'fiu':
        return _max_pool_window_major(input, x, k, out)
    win = _windows(xp, x, k, s, d, out, _pads(sp, k, s, p, d, out), _lowest(x.dtype))
    # the flat input position of each window's first element, and of each offset in a window
    base = 0
    for j in range(n):
        o = xp.arange(out[j]).reshape((-1,) + (1,) * (n - 1 - j))
        base = base * sp[j] + (o * s[j] - p[j])
    flat_strides = [math.prod(sp[j + 1:]) * d[j] for j in range(n)]
    offsets = list(np.ndindex(*k))
    vs = [win[(Ellipsis,) + kidx] for kidx in offsets]
    # PyTorch's index: the first maximum, or the last NaN. Maximum first (NaN propagates), then
    # which offset won, by equality from the last offset to the first, kept as a small integer
    # per window with arithmetic on 0/1 masks (a masked copy costs ~25x more per element); the
    # flat index is then one lookup and one add.
    vals = vs[0].copy()
    for v in vs[1:]:
        xp.maximum(v, vals, out=vals)  # (on a tie NumPy returns the second: -0.0 before 0.0)
    won = _first_max(xp, vs, vals, x)
    shifts = xp.asarray([sum(a * f for a, f in zip(kidx, flat_strides)) for kidx in offsets],
                        np.int64)
    idx = shifts.take(won)
    idx += base
    res = make(vals, input._dtype, input._device)
    if state.enabled and input._requires_grad:
        node = (MaxPool3DWithIndicesBackward0 if n == 3 else MaxPool2DWithIndicesBackward0)()
        node.idx, node.size, node.won = idx, sp, None
        node.unique = all(ss >= dd * (kk - 1) + 1 for kk, ss, dd in zip(k, s, d))
        record(node, res, input)
    return res, idx


def _max_pool_window_major(input, x, k, out):
    """``_max_pool`` of a 2-D pool whose windows tile the host array ``x`` (Note [Window-major
    max pooling]): the result and a ``_LazyIndex`` of its flat indices."""
    lead = x.shape[:-2]
    vs = _window_major(x, k)
    # the earlier operand second: NumPy returns it on a tie (-0.0 and 0.0: the first, as
    # PyTorch)
    vals = np.maximum(vs[1], vs[0]) if len(vs) > 1 else vs[0].copy()
    for v in vs[2:]:
        np.maximum(v, vals, out=vals)
    won = _first_max(np, vs, vals, x).reshape(lead + tuple(out))
    res = make(vals.reshape(lead + tuple(out)), input._dtype, input._device)
    if state.enabled and input._requires_grad:
        node = MaxPool2DWithIndicesBackward0()
        node.idx, node.size, node.unique, node.won, node.k = None, x.shape[-2:], True, won, k
        record(node, res, input)
    return res, _LazyIndex(won, k, x.shape[-2:])


class _LazyIndex:
    """The flat indices of a window-major max pool, made when first asked for."""
    __slots__ = ('won', 'k', 'size')

    def __init__(self, won, k, size):
        self.won, self.k, self.size = won, k, size

    def array(self):
        return _won_index(self.won, self.k, self.size)


def _with_indices(res, idx, input):
    if isinstance(idx, _LazyIndex):
        idx = idx.array()
    return res, make(idx, _dt.int64, input._device)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    """``max_pool2d`` that also returns the flat ``H * W`` index of each maximum."""
    _check_pool_dims(input, 2, 'max_pool2d', 'empty')
    res, idx = _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, 2,
                         'max_pool2d')
    return _with_indices(res, idx, input)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Applies a 2D max pooling over an input ``(N, C, H, W)`` or ``(C, H, W)``.

    Each output is the maximum of a ``kernel_size`` window (``dilation`` apart, moved by
    ``stride``, default ``kernel_size``) of the input padded with ``-inf``; ``ceil_mode`` rounds
    the output size up. With ``return_indices`` it also returns the flat ``H * W`` index of
    each maximum (for ``max_unpool2d``).

    Example::

        >>> x = flambeau.arange(16.).reshape(1, 1, 4, 4)
        >>> F.max_pool2d(x, 2)
        tensor([[[[ 5.,  7.],
                  [13., 15.]]]])
    """
    if return_indices:
        return max_pool2d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    _check_pool_dims(input, 2, 'max_pool2d', 'empty')
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, 2,
                     'max_pool2d')[0]


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    """``max_pool3d`` that also returns the flat ``D * H * W`` index of each maximum."""
    _check_pool_dims(input, 3, 'max_pool3d', 'empty')
    res, idx = _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, 3,
                         'max_pool3d')
    return _with_indices(res, idx, input)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Applies a 3D max pooling over an input ``(N, C, D, H, W)`` or ``(C, D, H, W)`` (see
    ``max_pool2d``).

    Example::

        >>> F.max_pool3d(flambeau.randn(1, 2, 4, 4, 4), 2).shape
        flambeau.Size([1, 2, 2, 2, 2])
    """
    if return_indices:
        return max_pool3d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    _check_pool_dims(input, 3, 'max_pool3d', 'empty')
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, 3,
                     'max_pool3d')[0]


def _check_1d(input, name):
    if input.ndim not in (2, 3):
        raise RuntimeError(f'{name}: Expected 2D or 3D (batch mode) tensor with optional 0 dim '
                           f'batch size for input, but got:{list(input.shape)}')


def _one(v):
    return v if v is None or isinstance(v, (int, np.integer)) else tuple(v)[0] if len(v) else v


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    """``max_pool1d`` that also returns the index of each maximum."""
    _check_1d(input, 'max_pool1d')
    x = input.unsqueeze(-2)
    st = None if stride is None else (1, _one(stride))
    res, idx = max_pool2d_with_indices(x, (1, _one(kernel_size)), st, (0, _one(padding)),
                                       (1, _one(dilation)), ceil_mode)
    return res.squeeze(-2), idx.squeeze(-2)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Applies a 1D max pooling over an input ``(N, C, L)`` or ``(C, L)`` (see ``max_pool2d``).

    Example::

        >>> F.max_pool1d(flambeau.tensor([[1., 3., 2., 5.]]), 2)
        tensor([[3., 5.]])
    """
    if return_indices:
        return max_pool1d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    _check_1d(input, 'max_pool1d')
    if input._dtype.name not in _FLOATS:
        raise not_implemented('max_pool1d_impl', input._dtype)
    st = None if stride is None else (1, _one(stride))
    k = _one(kernel_size)
    out = _out_size(input.shape[-1], k, k if stride is None else _one(stride), _one(padding),
                    _one(dilation), ceil_mode)
    if out <= 0 and k > 0:
        raise RuntimeError(f'max_pool1d() Invalid computed output size: '
                           f'{out}')
    return max_pool2d(input.unsqueeze(-2), (1, k), st, (0, _one(padding)), (1, _one(dilation)),
                      ceil_mode).squeeze(-2)


# -- average pooling ------------------------------------------------------------------------------
def _divisors(xp, sp, k, s, p, out, count_include_pad, divisor_override, dtype):
    """The divisor of every output position, ``(*out)``, as PyTorch counts it."""
    if divisor_override is not None:
        return None
    div = 1
    for j in range(len(k)):
        start = np.arange(out[j]) * s[j] - p[j]
        end = np.minimum(start + k[j], sp[j] + p[j])
        size = end - start
        if not count_include_pad:
            size = np.minimum(end, sp[j]) - np.maximum(start, 0)
        div = div * size.reshape((-1,) + (1,) * (len(k) - 1 - j))
    return xp.asarray(div.astype(dtype))


class _AvgPoolBackward(Node):
    __slots__ = ('args',)

    def backward(self, g):
        return _avg_adjoint(g, *self.args)


class AvgPool2DBackward0(_AvgPoolBackward):
    __slots__ = ()


class AvgPool3DBackward0(_AvgPoolBackward):
    __slots__ = ()


class AvgPool2DBackwardBackward0(Node):
    __slots__ = ('args',)

    def backward(self, g):
        return _avg(g, *self.args)


def _acc_dtype(a):
    half = a.dtype.kind == 'V' or (a.dtype.kind == 'f' and a.dtype.itemsize == 2)
    return np.float32 if half else a.dtype


def _window_sum(xp, win, n, acc):
    """The sums of the windows ``win`` (..., *out, *k) over their last ``n`` (kernel) axes in
    ``acc``: a sum of one strided view per kernel offset, added in the windows' row-major
    order, as PyTorch does (NumPy's reduction over the few elements of a window ran ~20 ns an
    element: (32, 16, 32, 32) by 2x2, 4.3 -> 0.4 ms)."""
    offsets = list(np.ndindex(*win.shape[win.ndim - n:]))
    if win.dtype != acc or len(offsets) > 64:
        return win.sum(axis=tuple(range(win.ndim - n, win.ndim)), dtype=acc)
    tot = win[(Ellipsis,) + offsets[0]].copy()
    for kidx in offsets[1:]:
        tot += win[(Ellipsis,) + kidx]
    return tot


def _avg(input, k, s, p, out, cip, dov, sp):
    xp = xp_of(input)
    x = input._data
    n = len(k)
    acc = _acc_dtype(x)
    ones = (1,) * n
    win = _windows(xp, x, k, s, ones, out, _pads(sp, k, s, p, ones, out), 0)
    tot = _window_sum(xp, win, n, acc)
    div = _divisors(xp, sp, k, s, p, out, cip, dov, acc)
    if x.dtype.kind in 'iu':
        d = div if div is not None else dov
        res = (xp.abs(tot) // d) * xp.sign(tot)  # PyTorch's integer division truncates
    else:
        res = tot / (div if div is not None else np.dtype(acc).type(dov))
    res = make(xp.ascontiguousarray(res).astype(x.dtype, copy=False), input._dtype,
               input._device)
    if state.enabled and input._requires_grad:
        node = (AvgPool3DBackward0 if n == 3 else AvgPool2DBackward0)()
        node.args = (k, s, p, out, cip, dov, sp)
        record(node, res, input)
    return res


def _avg_adjoint(g, k, s, p, out, cip, dov, sp):
    """The adjoint of ``_avg``: each output gradient spread evenly over its window."""
    xp = xp_of(g)
    ga = g._data
    n = len(k)
    acc = _acc_dtype(ga)
    div = _divisors(xp, sp, k, s, p, out, cip, dov, acc)
    gd = ga.astype(acc) / (div if div is not None else np.dtype(acc).type(dov))
    pads = _pads(sp, k, s, p, (1,) * n, out)
    lead = ga.shape[:ga.ndim - n]
    res = xp.zeros(lead + tuple(a + lo + hi for a, (lo, hi) in zip(sp, pads)), acc)
    for kidx in np.ndindex(*k):
        res[(Ellipsis,) + tuple(slice(a, a + ss * (o - 1) + 1, ss)
                                for a, ss, o in zip(kidx, s, out))] += gd
    res = res[(Ellipsis,) + tuple(slice(lo, lo + a) for a, (lo, _) in zip(sp, pads))]
    r = make(xp.ascontiguousarray(res).astype(ga.dtype, copy=False), g._dtype, g._device)
    if state.enabled and g._requires_grad:
        node = AvgPool2DBackwardBackward0()
        node.args = (k, s, p, out, cip, dov, sp)
        record(node, r, g)
    return r


_AVG_DTYPES = ('int64',) + _FLOATS


def _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
              divisor_override, n, name):
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError('divisor must be not zero')
    if input._dtype.name not in _AVG_DTYPES:
        raise not_implemented(name, input._dtype)
    k, s, p, d, out = _pool_args(input, kernel_size, stride, padding, 1, ceil_mode, n, name)
    return _avg(input, k, s, p, out, count_include_pad, divisor_override, input.shape[-n:])


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """Applies 2D average pooling over an input ``(N, C, H, W)`` or ``(C, H, W)``.

    Each output is the mean of a ``kernel_size`` window moved by ``stride`` (default
    ``kernel_size``) over the zero-padded input. ``count_include_pad=False`` leaves the padding
    out of the divisor; ``divisor_override`` replaces it.

    Example::

        >>> x = flambeau.arange(16.).reshape(1, 1, 4, 4)
        >>> F.avg_pool2d(x, 2)
        tensor([[[[ 2.5000,  4.5000],
                  [10.5000, 12.5000]]]])
    """
    if input.ndim not in (3, 4):
        raise IndexError(f'Dimension out of range (expected to be in range of '
                         f'[{-max(input.ndim, 1)}, {max(input.ndim, 1) - 1}], but got -3)')
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override, 2, 'avg_pool2d')


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """Applies 3D average pooling over an input ``(N, C, D, H, W)`` or ``(C, D, H, W)`` (see
    ``avg_pool2d``).

    Example::

        >>> F.avg_pool3d(flambeau.ones(1, 1, 2, 2, 2), 2)
        tensor([[[[[1.]]]]])
    """
    if input.ndim not in (4, 5):
        raise RuntimeError('non-empty 4D or 5D (batch mode) tensor expected for input')
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override, 3, 'avg_pool3d')


def _dims_2_to_3(input, name):
    if input.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.ndim}-dimensional tensor "
                           f"for argument #1 'self' (while checking arguments for {name})")


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """Applies 1D average pooling over an input ``(N, C, L)`` or ``(C, L)`` (see
    ``avg_pool2d``).

    Example::

        >>> F.avg_pool1d(flambeau.tensor([[1., 3., 2., 6.]]), 2)
        tensor([[2., 4.]])
    """
    _dims_2_to_3(input, 'avg_pool1d')
    st = None if stride is None else (1, _one(stride))
    return avg_pool2d(input.unsqueeze(-2), (1, _one(kernel_size)), st, (0, _one(padding)),
                      ceil_mode, count_include_pad).squeeze(-2)


# -- separable linear maps (adaptive average pooling, interpolation) -------------------------------
class _SeparableBackward(Node):
    __slots__ = ('maps',)

    def backward(self, g):
        from .linalg import matmul
        for axis, idx, w, size in self.maps:
            m = _dense(xp_of(g), idx, w, size, g._data.dtype)
            g = matmul(g.movedim(axis, -1), make(m, g._dtype, g._device)).movedim(-1, axis)
        return g


_NODES = {}


def _node_class(name, base=None):
    """The node class ``name`` derived from ``base`` (``_SeparableBackward`` by default), made
    once."""
    base = _SeparableBackward if base is None else base
    cls = _NODES.get((name, base))
    if cls is None:
        cls = _NODES[(name, base)] = type(name, (base,), {'__slots__': ()})
    return cls


def _dense(xp, idx, w, size, dtype):
    """The ``(O, size)`` matrix of one separable map."""
    T, O = idx.shape
    m = np.zeros((O, size + 1), np.float64)
    wts = np.ones((T, O)) if w is None else w
    np.add.at(m, (np.broadcast_to(np.arange(O), (T, O)), idx), wts)
    return xp.asarray(m[:, :size].astype(dtype))


def separable(input, maps, name):
    """Apply, along each ``axis``, ``out[o] = sum_t w[t, o] * x[idx[t, o]]`` for ``maps``
    ``[(axis, idx (T, O) int array, w (T, O) float64 array or None (all ones, T = 1), size)]``;
    an index equal to ``size`` reads a zero. One node named ``name``."""
    xp = xp_of(input)
    x = input._data
    acc = _acc_dtype(x)
    rounded = x.dtype.kind in 'iu' and any(w is not None for _, _, w, _ in maps)
    if rounded:  # integer images interpolate in float32, then round back
        acc = np.float32
    if x.dtype != acc:
        x = x.astype(acc)
    for axis, idx, w, size in maps:
        if w is None:
            x = xp.take(x, xp.asarray(idx[0]), axis)
            continue
        if idx.max(initial=0) >= size:  # reads past the end: append a zero slice
            shape = list(x.shape)
            shape[axis] = 1
            x = xp.concatenate([x, xp.zeros(shape, x.dtype)], axis)
        bshape = [1] * x.ndim
        bshape[axis] = -1
        y = None
        for t in range(idx.shape[0]):
            wt = xp.asarray(w[t].astype(x.dtype)).reshape(bshape)
            term = xp.take(x, xp.asarray(idx[t]), axis) * wt
            y = term if y is None else y + term
        x = y
    if rounded:
        info = np.iinfo(input._data.dtype)
        x = xp.clip(xp.rint(x), info.min, info.max)
    res = make(xp.ascontiguousarray(x).astype(input._data.dtype, copy=False), input._dtype,
               input._device)
    if state.enabled and input._requires_grad:
        node = _node_class(name)()
        node.maps = maps
        record(node, res, input)
    return res


def _adaptive_map(size, out):
    """Adaptive pooling windows of one dim: ``[floor(i * size / out), ceil((i + 1) * size /
    out))``, as ``(idx, lengths)``, padded with ``size`` (a zero) to the longest window."""
    i = np.arange(out)
    start = (i * size) // out
    end = -((-(i + 1) * size) // out)
    L = end - start
    T = int(L.max()) if out else 0
    t = np.arange(T)[:, None]
    idx = np.where(t < L, start + t, size)
    return idx, L


def _adaptive_avg_maps(sp, out, nd):
    maps = []
    for j, (a, o) in enumerate(zip(sp, out)):
        idx, L = _adaptive_map(a, o)
        w = np.where(idx < a, 1.0 / L, 0.0)
        maps.append((nd - len(sp) + j, idx, w, a))
    return maps


def _output_size(output_size, sp, n, name):
    if isinstance(output_size, (int, np.integer)) or output_size is None:
        output_size = (output_size,) * n
    output_size = tuple(output_size)
    if len(output_size) != n:
        raise RuntimeError(f'{name}: output_size must be {n}')
    return tuple(a if o is None else int(o) for o, a in zip(output_size, sp))


def _check_adaptive(input, n, name, colon=''):
    if input.ndim not in (n + 1, n + 2):
        raise RuntimeError(f'{name}(): Expected {n + 1}D or {n + 2}D tensor, but got{colon} '
                           f'{list(input.shape)}')
    for j in range(input.ndim - n - 1 if input.ndim == n + 2 else 0, input.ndim):
        if j > 0 or input.ndim == n + 1:
            if input.shape[j] == 0:
                raise RuntimeError(f'{name}(): Expected input to have non-zero size for '
                                   f'non-batch dimensions, but input has sizes '
                                   f'{list(input.shape)} with dimension {j} being empty')
    if input._dtype.name not in _FLOATS:
        raise not_implemented(name, input._dtype)


# Note [Uniform adaptive windows]: where each pooled size is a multiple of its output size, the
# adaptive windows tile the input evenly: the forward is a mean over the window axes of one
# reshape, the backward the gradient divided by the window size and spread back by one
# broadcast copy. The separable maps (a take and a product per window offset and axis, dense
# matrices in the backward) cost 6x more: (32, 16, 32, 32) to 1 x 1, forward + backward 1358
# -> 238 us (PyTorch 218). An output of ones in 2 or 3 dims (a ResNet head's global average
# pool) now takes PyTorch's own shortcut instead, ``mean`` over the pooled dims, for its node
# (MeanBackward1) and its errors: 300 us there.
class _UniformAvgBackward(Node):
    # k: the window of each pooled dim; out: the output sizes
    __slots__ = ('k', 'out')

    def backward(self, g):
        n = len(self.k)
        lead = tuple(g.shape[:g.ndim - n])
        split = lead + tuple(d for o, kk in zip(self.out, self.k) for d in (o, kk))
        ones = lead + tuple(d for o in self.out for d in (o, 1))
        full = lead + tuple(o * kk for o, kk in zip(self.out, self.k))
        scale = 1.0 / math.prod(self.k)
        if state.enabled:
            return (g * scale).reshape(ones).expand(split).reshape(full)
        ga = g._data
        acc = np.dtype(_acc_dtype(ga))
        res = xp_of(g).empty(split, acc)
        res[...] = (ga.astype(acc, copy=False) * acc.type(scale)).reshape(ones)
        return make(res.reshape(full).astype(ga.dtype, copy=False), g._dtype, g._device)


def _uniform_avg(input, out, n):
    """Adaptive average pooling whose windows tile the input (Note [Uniform adaptive
    windows])."""
    x = input._data
    sp = x.shape[x.ndim - n:]
    k = tuple(a // o for a, o in zip(sp, out))
    lead = x.shape[:x.ndim - n]
    split = lead + tuple(d for o, kk in zip(out, k) for d in (o, kk))
    acc = np.dtype(_acc_dtype(x))
    y = x.reshape(split).mean(axis=tuple(len(lead) + 2 * j + 1 for j in range(n)), dtype=acc)
    res = make(y.astype(x.dtype, copy=False).reshape(lead + tuple(out)), input._dtype,
               input._device)
    if state.enabled and input._requires_grad:
        node = _node_class(f'AdaptiveAvgPool{n}DBackward0', _UniformAvgBackward)()
        node.k, node.out = k, tuple(out)
        record(node, res, input)
    return res


def _adaptive_avg(input, output_size, n):
    name = f'adaptive_avg_pool{n}d'
    if n > 1 and input.ndim >= n and all(
            o == 1 for o in _output_size(output_size, input.shape[-n:], n, name)):
        # PyTorch's global average pool: a mean over the pooled dims (its node, its errors)
        return mean(input, tuple(range(-n, 0)), keepdim=True)
    _check_adaptive(input, n, name)
    sp = input.shape[-n:]
    out = _output_size(output_size, sp, n, name)
    if all(o and a % o == 0 for a, o in zip(sp, out)):
        return _uniform_avg(input, out, n)
    return separable(input, _adaptive_avg_maps(sp, out, input.ndim),
                     f'AdaptiveAvgPool{n}DBackward0')


def adaptive_avg_pool2d(input, output_size):
    """Applies 2D adaptive average pooling: the output ``(N, C, *output_size)`` (or unbatched)
    averages, for each output position, the input window ``[floor(i * H / H_out),
    ceil((i + 1) * H / H_out))`` (and likewise along W). ``None`` keeps a size.

    Example::

        >>> F.adaptive_avg_pool2d(flambeau.arange(16.).reshape(1, 1, 4, 4), 1)
        tensor([[[[7.5000]]]])
    """
    return _adaptive_avg(input, output_size, 2)


def adaptive_avg_pool3d(input, output_size):
    """Applies 3D adaptive average pooling (see ``adaptive_avg_pool2d``).

    Example::

        >>> F.adaptive_avg_pool3d(flambeau.ones(1, 1, 4, 4, 4), 2).shape
        flambeau.Size([1, 1, 2, 2, 2])
    """
    return _adaptive_avg(input, output_size, 3)


def adaptive_avg_pool1d(input, output_size):
    """Applies 1D adaptive average pooling over ``(N, C, L)`` or ``(C, L)``.

    Example::

        >>> F.adaptive_avg_pool1d(flambeau.tensor([[1., 2., 3., 4.]]), 2)
        tensor([[1.5000, 3.5000]])
    """
    _dims_2_to_3(input, 'adaptive_avg_pool1d')
    o = output_size if isinstance(output_size, (int, np.integer)) else tuple(output_size)[0]
    return adaptive_avg_pool2d(input.unsqueeze(-2), (1, o)).squeeze(-2)


def _adaptive_max(input, output_size, n):
    name = f'adaptive_max_pool{n}d'
    _check_adaptive(input, n, name, ':')
    xp = xp_of(input)
    x = input._data
    sp = x.shape[-n:]
    out = _output_size(output_size, sp, n, name)
    # flat input positions of every window element, (O1, T1, O2, T2, ...); a window shorter
    # than the longest repeats its last element (harmless for a maximum)
    flat = np.zeros((), np.int64)
    for a, o in zip(sp, out):
        idx, L = _adaptive_map(a, o)
        idx = np.minimum(idx, (idx[0] + L - 1)[None, :]).T  # (O, T)
        flat = flat[..., None, None] * a + idx
    nd = flat.ndim
    perm = tuple(range(0, nd, 2)) + tuple(range(1, nd, 2))
    flat = flat.transpose(perm)
    flat = flat.reshape(tuple(out) + (-1,))
    lead = x.shape[:x.ndim - n]
    cols = x.reshape(lead + (-1,))[..., xp.asarray(flat)]  # (*lead, *out, T)
    am = cols.argmax(-1)[..., None]
    vals = xp.take_along_axis(cols, am, -1)[..., 0]
    idx = xp.take_along_axis(xp.broadcast_to(xp.asarray(flat), cols.shape), am, -1)[..., 0]
    idx = xp.ascontiguousarray(idx)
    res = make(vals, input._dtype, input._device)
    if state.enabled and input._requires_grad:
        node = (AdaptiveMaxPool3DBackward0 if n == 3 else AdaptiveMaxPool2DBackward0)()
        node.idx, node.size, node.unique, node.won = idx, sp, False, None  # (may overlap)
        record(node, res, input)
    return res, make(idx, _dt.int64, input._device)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    """``adaptive_max_pool2d`` returning the flat ``H * W`` index of each maximum too."""
    return _adaptive_max(input, output_size, 2)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Applies 2D adaptive max pooling: each output is the maximum of the adaptive window
    ``[floor(i * H / H_out), ceil((i + 1) * H / H_out))`` (likewise along W); with
    ``return_indices``, also the flat index of each maximum.

    Example::

        >>> F.adaptive_max_pool2d(flambeau.arange(16.).reshape(1, 1, 4, 4), 1)
        tensor([[[[15.]]]])
    """
    res, idx = _adaptive_max(input, output_size, 2)
    return (res, idx) if return_indices else res


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    """``adaptive_max_pool1d`` returning the index of each maximum too."""
    _dims_2_to_3(input, 'adaptive_max_pool1d')
    o = output_size if isinstance(output_size, (int, np.integer)) else tuple(output_size)[0]
    res, idx = _adaptive_max(input.unsqueeze(-2), (1, o), 2)
    return res.squeeze(-2), idx.squeeze(-2)


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Applies 1D adaptive max pooling over ``(N, C, L)`` or ``(C, L)``.

    Example::

        >>> F.adaptive_max_pool1d(flambeau.tensor([[1., 5., 3., 4.]]), 2)
        tensor([[5., 4.]])
    """
    res, idx = adaptive_max_pool1d_with_indices(input, output_size)
    return (res, idx) if return_indices else res


# -- max_unpool -----------------------------------------------------------------------------------
class _MaxUnpoolBackward(Node):
    __slots__ = ('idx', 'nsp')

    def backward(self, g):
        return _gather_from(g, self.idx, self.nsp)


MaxUnpool2DBackward0 = type('MaxUnpool2DBackward0', (_MaxUnpoolBackward,), {'__slots__': ()})


def _max_unpool(input, indices, kernel_size, stride, padding, output_size, n, name):
    k = _tuple(kernel_size, n, 'kernel_size', name)
    s = k if stride is None else _tuple(stride, n, 'stride', name)
    p = _tuple(padding, n, 'padding', name)
    sp = input.shape[-n:]
    default = tuple((a - 1) * ss - 2 * pp + kk for a, ss, pp, kk in zip(sp, s, p, k))
    if output_size is None:
        out = default
    else:
        out = tuple(int(a) for a in output_size)
        if len(out) == n + 2 or len(out) == n + 1:
            out = out[-n:]
        if len(out) != n:
            raise ValueError(f'output_size should be a sequence containing {n} or {n + 2} '
                             f"elements, but it has a length of '{len(out)}'")
        for j, (o, dflt) in enumerate(zip(out, default)):
            lo, hi = dflt - s[j], dflt + s[j]
            if not lo < o < hi:
                raise ValueError(f'invalid output_size "{tuple(output_size)}" (dim {j} must be '
                                 f'between {lo} and {hi})')
    if input._dtype.name not in _FLOATS:
        raise not_implemented(name, input._dtype)
    if indices._dtype.name != 'int64':
        raise RuntimeError(f'elements in indices should be type int64 but got: '
                           f'{dtype_title(indices._dtype)}')
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(f'Expected shape of indices to be same as that of the input tensor '
                           f'({list(input.shape)}) but got indices tensor with shape: '
                           f'{list(indices.shape)}')
    xp = xp_of(input)
    x = input._data
    idx = indices._data
    m = math.prod(out)
    if idx.size and (idx.min() < 0 or idx.max() >= m):
        bad = idx[(idx < 0) | (idx >= m)].reshape(-1)[0]
        raise RuntimeError(f'Found an invalid max index: {int(bad)} (output volumes are of size '
                           f'{"x".join(map(str, out))}')
    lead = x.shape[:x.ndim - n]
    res = xp.zeros(lead + (m,), x.dtype)
    xp.put_along_axis(res, idx.reshape(lead + (-1,)), x.reshape(lead + (-1,)), -1)
    r = make(res.reshape(lead + out), input._dtype, input._device)
    if state.enabled and input._requires_grad:
        node = MaxUnpool2DBackward0()
        node.idx, node.nsp = idx, n
        record(node, r, input)
    return r


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Computes a partial inverse of ``max_pool2d``: every value of ``input`` is put at its
    index (from ``max_pool2d(..., return_indices=True)``) of a zero ``(N, C, H_out, W_out)``
    output, ``H_out = (H - 1) * stride - 2 * padding + kernel_size`` unless ``output_size``
    says otherwise.

    Example::

        >>> x = flambeau.tensor([[[[1., 2.], [3., 4.]]]])
        >>> out, idx = F.max_pool2d(x, 2, return_indices=True)
        >>> F.max_unpool2d(out, idx, 2)
        tensor([[[[0., 0.],
                  [0., 4.]]]])
    """
    if input.ndim not in (3, 4):
        raise RuntimeError(f'Input to max_unpooling2d should be a 3d or 4d Tensor, but got a '
                           f'tensor with {input.ndim} dimensions.')
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 2,
                       'max_unpool2d')


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Computes a partial inverse of ``max_pool1d`` (see ``max_unpool2d``).

    Example::

        >>> out, idx = F.max_pool1d(flambeau.tensor([[1., 3., 2., 0.]]), 2, return_indices=True)
        >>> F.max_unpool1d(out, idx, 2)
        tensor([[0., 3., 2., 0.]])
    """
    if input.ndim not in (2, 3):
        raise RuntimeError(f'Input to max_unpooling1d should be a 2d or 3d Tensor, but got a '
                           f'tensor with {input.ndim} dimensions.')
    os = None if output_size is None else tuple(output_size)[-1:] + ()
    res = _max_unpool(input.unsqueeze(-2), indices.unsqueeze(-2), (1, _one(kernel_size)),
                      None if stride is None else (1, _one(stride)), (0, _one(padding)),
                      None if os is None else (1,) + os, 2, 'max_unpool2d')
    return res.squeeze(-2)


# -- power-average pooling ------------------------------------------------------------------------
def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Applies 2D power-average pooling: ``(sum over the window of x^p)^(1/p)``
    (``p = norm_type``; ``p = inf`` is max pooling, ``p = 1`` sum pooling).

    Example::

        >>> F.lp_pool2d(flambeau.ones(1, 1, 2, 2), 2, 2)
        tensor([[[[2.]]]])
    """
    from .activation import relu
    kh, kw = _tuple(kernel_size, 2, 'kernel_size', 'lp_pool2d')
    out = avg_pool2d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return (out.sign() * relu(out.abs())).mul(kw * kh).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Applies 1D power-average pooling (see ``lp_pool2d``).

    Example::

        >>> F.lp_pool1d(flambeau.tensor([[3., 4.]]), 2, 2)
        tensor([[5.]])
    """
    from .activation import relu
    out = avg_pool1d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return (out.sign() * relu(out.abs())).mul(_one(kernel_size)).pow(1.0 / norm_type)
