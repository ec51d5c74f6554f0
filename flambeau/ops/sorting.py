"""Sorting and order statistics: ``sort``, ``argsort``, ``msort``, ``topk``, ``kthvalue``,
``median``, ``nanmedian``, ``mode``, ``unique``, ``unique_consecutive``.

Every sort here is NumPy's stable sort, with NaN ordered as the largest value (as PyTorch).
A descending stable sort is the ascending stable sort of the reversed input, reversed back
(equal elements keep their order). Ops that return values with indices record one
``ValueSelectBackward`` (reduce.py): the gradient of the values goes to the picked indices.
"""
__all__ = ['argsort', 'kthvalue', 'median', 'mode', 'msort', 'nanmedian', 'sort', 'topk',
           'unique', 'unique_consecutive']
import numpy as np

from .. import dtypes as _dt
from ._common import make, not_implemented, record, state, xp_of
from .reduce import EvenlyDistributeBackward, copy_pair, record_select, return_types

_int64 = _dt.int64


def _keys(x):
    """``x`` as an array NumPy sorts in the right order (16-bit floats widened exactly)."""
    if x.dtype.itemsize == 2 and x.dtype.kind not in 'iu':
        return x.astype(np.float32)
    return x


def _argsort(xp, x, d, descending):
    """Stable argsort of ``x`` along ``d`` (NaN largest)."""
    k = _keys(x)
    if not descending:
        return xp.argsort(k, axis=d, kind='stable')
    n = k.shape[d]
    rev = [slice(None)] * k.ndim
    rev[d] = slice(None, None, -1)
    rev = tuple(rev)
    return (n - 1 - xp.argsort(k[rev], axis=d, kind='stable'))[rev]


def _pick(input, idx, d, keepdim):
    """(values, indices) tensors of ``input`` at ``idx`` (keepdims-shaped) along ``d``."""
    xp = xp_of(input)
    vals = xp.take_along_axis(input._data, idx, axis=d)
    if not keepdim:
        vals, idx = vals.squeeze(d), idx.squeeze(d)
    return (make(vals, input._dtype, input._device),
            make(idx.astype(np.int64, copy=False), _int64, input._device))


def _scalar_pair(input):
    """The (values, indices) of an order statistic of a 0-d input: itself, at index 0."""
    xp = xp_of(input)
    return (make(input._data.copy(), input._dtype, input._device),
            make(xp.zeros((), np.int64), _int64, input._device))


def _finish(name, label, input, values, indices, d, keepdim, out):
    if state.enabled and input._requires_grad:
        record_select(label, values, indices, input, d, keepdim or not input._data.ndim)
    r = getattr(return_types, name)(values, indices)
    return r if out is None else copy_pair(r, out)


# -- sort ------------------------------------------------------------------------------------
def sort(input, dim=-1, descending=False, stable=None, *, out=None):
    """The elements of ``input`` sorted along ``dim`` and their original indices, as
    ``(values, indices)``. The sort is stable (equal elements keep their order); NaN sorts as
    the largest value.

    Example::

        >>> flambeau.sort(flambeau.tensor([3., 1., 2.]), descending=True)
        torch.return_types.sort(
        values=tensor([3., 2., 1.]),
        indices=tensor([0, 2, 1]))
    """
    d = input._wrap_dim(dim)
    if not input._data.ndim:
        values, indices = _scalar_pair(input)
    else:
        values, indices = _pick(input, _argsort(xp_of(input), input._data, d, descending), d, True)
    return _finish('sort', 'SortBackward0' if stable is None else 'SortBackward1', input, values,
                   indices, d, True, out)


def argsort(input, dim=-1, descending=False, stable=None):
    """The indices that sort ``input`` along ``dim`` (see :func:`sort`).

    Example::

        >>> flambeau.argsort(flambeau.tensor([3., 1., 2.]))
        tensor([1, 2, 0])
    """
    d = input._wrap_dim(dim)
    xp = xp_of(input)
    if not input._data.ndim:
        return make(xp.zeros((), np.int64), _int64, input._device)
    return make(_argsort(xp, input._data, d, descending).astype(np.int64, copy=False), _int64,
                input._device)


def msort(input, *, out=None):
    """``input`` sorted along its first dim: ``sort(input, dim=0).values``.

    Example::

        >>> flambeau.msort(flambeau.tensor([[2., 1.], [1., 3.]]))
        tensor([[1., 1.],
                [2., 3.]])
    """
    r = sort(input, 0).values
    return r if out is None else out.copy_(r)


# -- topk / kthvalue -------------------------------------------------------------------------
def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None):
    """The ``k`` largest (or, with ``largest=False``, smallest) elements along ``dim`` and
    their indices, as ``(values, indices)``, in sorted order.

    Example::

        >>> flambeau.topk(flambeau.tensor([1., 5., 3., 4.]), 2)
        torch.return_types.topk(
        values=tensor([5., 4.]),
        indices=tensor([1, 3]))
    """
    if input._dtype is _dt.bool:
        raise RuntimeError('topk does not support bool dtypes on CPU')
    d = input._wrap_dim(dim)
    x = input._data
    n = x.shape[d] if x.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError('selected index k out of range')
    if not x.ndim:
        values, indices = _scalar_pair(input)
    else:
        xp = xp_of(input)
        order = _topk_order(x, d, k, largest) if xp is np else None
        if order is None:
            order = _argsort(xp, x, d, largest)
            sl = [slice(None)] * x.ndim
            sl[d] = slice(0, k)
            order = order[tuple(sl)]
        values, indices = _pick(input, order, d, True)
    return _finish('topk', 'TopkBackward0', input, values, indices, d, True, out)


# Note [Top k by partition]: the stable sort of whole rows that topk took costs ~50 ns an
# element ((64, 1000) float32: 3.0 ms; a top-k over a 50K vocabulary, 35 ms for 8 rows). A
# partition finds each row's k-th value in linear time; its k candidates are the answer
# unless that value is tied with elements left out, so where no row has such a tie the
# candidates, taken in index order, are sorted stably among themselves: the same indices, in
# the same order, as the full sort (ties by index; NaN largest). Otherwise, and where the k-th
# value is NaN, the full sort decides. (64, 1000), k = 5: 3049 -> ~500 us.
def _topk_order(x, d, k, largest):
    """The indices (k along ``d``) of ``x``'s top ``k`` as the stable sort orders them, by
    extraction or partition (Notes [Top k by extraction], [Top k by partition]); None where
    the full sort must decide."""
    n = x.shape[d]
    if not 0 < k < n // 2 or n < 64:
        return None
    keys = np.moveaxis(_keys(x), d, -1)
    if k <= _EXTRACT_MAX_K:
        order = _topk_extracted(keys, k, largest)
        if order is not None:
            return np.moveaxis(order, -1, d)
    kth = n - k if largest else k - 1
    cand = np.argpartition(keys, kth, axis=-1)
    cand = cand[..., kth:] if largest else cand[..., :k]
    cand.sort(axis=-1)  # (index order: the stable sort's order among ties)
    vals = np.take_along_axis(keys, cand, axis=-1)
    t = (vals.min if largest else vals.max)(axis=-1, keepdims=True)
    if keys.dtype.kind == 'f' and np.isnan(t).any():
        return None
    if ((keys == t).sum(axis=-1) != (vals == t).sum(axis=-1)).any():
        return None  # the k-th value is tied with elements outside the candidates
    order = np.take_along_axis(cand, _argsort(np, vals, -1, largest), axis=-1)
    return np.moveaxis(order, -1, d)


# Note [Top k by extraction]: NumPy's partition runs ~5-8 ns an element on this machine
# ((64, 1000) float32: argpartition 480 us), its argmax ~0.1 ns. For a small k the top k
# are taken one at a time: each row's argmax (its first maximum: the lowest index among
# ties, as the stable sort orders them, and NaN before all, NaN being largest), then that
# element overwritten with the dtype's lowest value (argmin and the highest for the
# smallest). Only an element already equal to that sentinel could be picked twice, so where
# a picked value is the sentinel (or, for the smallest, NaN: argmin takes NaN first) the
# partition below decides. (64, 1000), k = 5: 569 -> 71 us.
_EXTRACT_MAX_K = 16


def _topk_extracted(keys, k, largest):
    """The indices (k along the last dim) of the top ``k`` of ``keys`` in the stable sort's
    order, one argmax at a time (Note [Top k by extraction]); None where a picked value is
    the sentinel or (smallest) NaN."""
    w = np.array(keys, order='C')  # (a copy: picked elements are overwritten)
    n = w.shape[-1]
    flat = w.reshape(-1)
    base = np.arange(0, flat.size, n).reshape(w.shape[:-1])
    if w.dtype.kind == 'f':
        sentinel = -np.inf if largest else np.inf
    else:
        info = np.iinfo(w.dtype)
        sentinel = info.min if largest else info.max
    find = np.argmax if largest else np.argmin
    order = np.empty(w.shape[:-1] + (k,), np.int64)
    for j in range(k):
        i = find(w, axis=-1)
        order[..., j] = i
        flat[base + i] = sentinel
    vals = np.take_along_axis(keys, order, axis=-1)
    bad = vals == sentinel
    if w.dtype.kind == 'f' and not largest:
        bad |= vals != vals
    return None if bad.any() else order


def kthvalue(input, k, dim=-1, keepdim=False, *, out=None):
    """The ``k``-th smallest element along ``dim`` (``k`` counts from 1) and its index, as
    ``(values, indices)``.

    Example::

        >>> flambeau.kthvalue(flambeau.tensor([4., 1., 3.]), 2)
        torch.return_types.kthvalue(
        values=tensor(3.),
        indices=tensor(2))
    """
    if input._dtype is _dt.bool and input._data.ndim:
        raise not_implemented('kthvalue_cpu', input._dtype)
    d = input._wrap_dim(dim)
    x = input._data
    n = x.shape[d] if x.ndim else 1
    if not 1 <= k <= n:
        raise RuntimeError(f'kthvalue(): selected number k out of range for dimension {d}')
    if not x.ndim:
        values, indices = _scalar_pair(input)
    else:
        order = _argsort(xp_of(input), x, d, False)
        sl = [slice(None)] * x.ndim
        sl[d] = slice(k - 1, k)
        values, indices = _pick(input, order[tuple(sl)], d, keepdim)
    return _finish('kthvalue', 'KthvalueBackward0', input, values, indices, d, keepdim, out)


# -- median / nanmedian ----------------------------------------------------------------------
def _median_all(input, ignore_nan):
    if input._dtype is _dt.bool and input._data.size:
        raise not_implemented('median_cpu', input._dtype)
    xp = xp_of(input)
    flat = input._data.reshape(-1)
    isfloat = input._dtype.is_floating_point
    if isfloat:
        nan = xp.isnan(flat)
        if ignore_nan:
            flat = flat[~nan]
    if flat.size == 0 or (isfloat and not ignore_nan and nan.any()):
        res = xp.full((), np.nan if isfloat else 0, dtype=flat.dtype)
    else:
        k = (flat.size - 1) // 2
        res = flat[xp.argsort(_keys(flat), kind='stable')[k]]
    r = make(xp.asarray(res), input._dtype, input._device)
    if state.enabled and input._requires_grad:
        node = EvenlyDistributeBackward()
        node.label = 'NanmedianBackward0' if ignore_nan else 'MedianBackward0'
        node.save(input)
        node.save_output(r)
        record(node, r, input)
    return r


def _median_dim(input, dim, keepdim, out, ignore_nan):
    name = 'nanmedian' if ignore_nan else 'median'
    if input._dtype is _dt.bool:
        raise not_implemented('median_out', input._dtype)
    d = input._wrap_dim(dim)
    xp = xp_of(input)
    x = input._data
    if not x.ndim:
        values, indices = _scalar_pair(input)
    else:
        n = x.shape[d]
        if n == 0:
            raise IndexError(f'median(): Expected reduction dim {d} to have non-zero size.')
        order = _argsort(xp, x, d, False)
        if input._dtype.is_floating_point:
            nan = xp.isnan(x)
            if ignore_nan:  # the lower median of the non-NaN values (NaNs sort last)
                m = n - nan.sum(axis=d, keepdims=True)
                idx = xp.take_along_axis(order, xp.maximum(m - 1, 0) // 2, axis=d)
            else:  # a slice with a NaN has median NaN, at its first NaN
                idx = order.take([(n - 1) // 2], axis=d)
                idx = xp.where(nan.any(axis=d, keepdims=True),
                               xp.argmax(nan, axis=d, keepdims=True), idx)
        else:
            idx = order.take([(n - 1) // 2], axis=d)
        values, indices = _pick(input, idx, d, keepdim)
    label = 'NanmedianBackward1' if ignore_nan else 'MedianBackward1'
    return _finish(name, label, input, values, indices, d, keepdim, out)


def median(input, dim=None, keepdim=False, *, out=None):
    """The median of all elements (the lower of the two middle values for an even count;
    NaN if there is a NaN), or along ``dim`` as ``(values, indices)``.

    Example::

        >>> x = flambeau.tensor([[1., 4., 2.], [5., 3., 6.]])
        >>> x.median()
        tensor(3.)
        >>> x.median(1)
        torch.return_types.median(
        values=tensor([2., 5.]),
        indices=tensor([2, 0]))
    """
    if dim is None:
        r = _median_all(input, False)
        return r if out is None else out.copy_(r)
    return _median_dim(input, dim, keepdim, out, False)


def nanmedian(input, dim=None, keepdim=False, *, out=None):
    """:func:`median` ignoring NaN values (NaN only where all values are NaN).

    Example::

        >>> flambeau.nanmedian(flambeau.tensor([1., float('nan'), 3., 2.]))
        tensor(2.)
    """
    if dim is None:
        r = _median_all(input, True)
        return r if out is None else out.copy_(r)
    return _median_dim(input, dim, keepdim, out, True)


# -- mode ------------------------------------------------------------------------------------
def mode(input, dim=-1, keepdim=False, *, out=None):
    """The most frequent value along ``dim`` and the index of its last occurrence, as
    ``(values, indices)``; among equally frequent values, the smallest.

    Example::

        >>> flambeau.mode(flambeau.tensor([3, 1, 3, 2]))
        torch.return_types.mode(
        values=tensor(3),
        indices=tensor(2))
    """
    d = input._wrap_dim(dim)
    xp = xp_of(input)
    x = input._data
    if not x.ndim:
        values, indices = _scalar_pair(input)
        return _finish('mode', 'ModeBackward0', input, values, indices, d, keepdim, out)
    n = x.shape[d]
    if n == 0:
        raise IndexError(f'mode(): Expected reduction dim {d} to have non-zero size.')
    rows = xp.moveaxis(_keys(x), d, -1)
    lead = rows.shape[:-1]
    rows = rows.reshape(-1, n)
    order = xp.argsort(rows, axis=1, kind='stable')
    s = xp.take_along_axis(rows, order, axis=1)
    new = xp.ones(s.shape, bool)  # where a run of equal values starts
    new[:, 1:] = s[:, 1:] != s[:, :-1]
    last = xp.ones(s.shape, bool)  # where a run ends
    last[:, :-1] = new[:, 1:]
    j = xp.arange(n)
    start = xp.maximum.accumulate(xp.where(new, j, 0), axis=1)
    end = xp.minimum.accumulate(xp.where(last, j, n - 1)[:, ::-1], axis=1)[:, ::-1]
    best = xp.argmax(end - start, axis=1)  # the first longest run: the smallest value
    r = xp.arange(rows.shape[0])
    # stable sort: the run's last element is the value's last occurrence
    idx = order[r, end[r, best]].reshape(lead)
    idx = xp.expand_dims(idx, d)
    values, indices = _pick(input, idx.astype(np.int64, copy=False), d, keepdim)
    return _finish('mode', 'ModeBackward0', input, values, indices, d, keepdim, out)


# -- unique ----------------------------------------------------------------------------------
def _unique_flat(xp, flat, sort):
    """Runs of equal values of 1-d ``flat`` (sorted first when ``sort``): the order, the mask
    of run starts in that order."""
    if sort:
        order = xp.argsort(_keys(flat), kind='stable')
        s = _keys(flat)[order]
    else:
        order = None
        s = _keys(flat)
    new = xp.ones(s.shape, bool)
    new[1:] = s[1:] != s[:-1]
    return order, new


def _unique_rows(xp, rows, sort):
    """``_unique_flat`` for the rows of 2-d ``rows`` (compared as whole rows)."""
    k = _keys(rows)
    if sort:
        order = xp.lexsort(k.T[::-1]) if k.shape[1] else xp.arange(k.shape[0])
        s = k[order]
    else:
        order = None
        s = k
    new = xp.ones(s.shape[0], bool)
    new[1:] = (s[1:] != s[:-1]).any(axis=1)
    return order, new


def _unique(input, sort, return_inverse, return_counts, dim):
    xp = xp_of(input)
    x = input._data
    dev, dt = input._device, input._dtype
    if dim is None:
        flat = x.reshape(-1)
        order, new = _unique_flat(xp, flat, sort)
        src = flat
        inv_shape = x.shape
    else:
        if x.ndim == 0:
            raise IndexError(f'Dimension specified as {dim} but tensor has no dimensions')
        d = input._wrap_dim(dim)
        moved = xp.moveaxis(x, d, 0)
        if 0 in moved.shape[1:]:
            raise RuntimeError("There are 0 sized dimensions, and they aren't selected, so unique "
                               'cannot be applied')
        src = moved.reshape(moved.shape[0], int(np.prod(moved.shape[1:])))
        order, new = _unique_rows(xp, src, sort)
        inv_shape = (moved.shape[0],)
    n = new.shape[0]
    picked = src[order] if order is not None else src
    vals = picked[new]
    if dim is not None:
        vals = xp.moveaxis(vals.reshape((vals.shape[0],) + moved.shape[1:]), 0, d)
    res = [make(xp.ascontiguousarray(vals), dt, dev)]
    if return_inverse:
        run = xp.cumsum(new) - 1
        inv = xp.empty(n, np.int64)
        if order is not None:
            inv[order] = run
        else:
            inv[...] = run
        res.append(make(inv.reshape(inv_shape), _int64, dev))
    if return_counts:
        starts = xp.flatnonzero(new)
        counts = xp.diff(xp.append(starts, n)).astype(np.int64)
        res.append(make(counts, _int64, dev))
    return res[0] if len(res) == 1 else tuple(res)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct elements of ``input`` in ascending order (with ``dim``: the distinct slices
    along ``dim``); with ``return_inverse`` also where each input element went, with
    ``return_counts`` how often each occurs. NaNs are all distinct.

    Example::

        >>> flambeau.unique(flambeau.tensor([3, 1, 3, 2]), return_counts=True)
        (tensor([1, 2, 3]), tensor([1, 1, 2]))
    """
    return _unique(input, True, return_inverse, return_counts, dim)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """``input`` with each run of equal consecutive elements (or slices along ``dim``)
    collapsed to one; ``return_inverse`` and ``return_counts`` as in :func:`unique`.

    Example::

        >>> flambeau.unique_consecutive(flambeau.tensor([1, 1, 2, 2, 1]))
        tensor([1, 2, 1])
    """
    return _unique(input, False, return_inverse, return_counts, dim)


# Tensor methods: {name: function}; INPLACE: {name_: out-of-place function} made in-place by
# ops.inplace.inplace_of.
METHODS = {'sort': sort, 'argsort': argsort, 'msort': msort, 'topk': topk, 'kthvalue': kthvalue,
           'median': median, 'nanmedian': nanmedian, 'mode': mode, 'unique': unique,
           'unique_consecutive': unique_consecutive}
INPLACE = {}
