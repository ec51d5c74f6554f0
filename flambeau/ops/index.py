"""Indexing: ``x[idx]`` (basic indexing gives a view, advanced indexing a copy),
``x[idx] = v``, and the index ops along a dim (``index_select``, ``index_add`` ...), by
position (``gather``, ``scatter``, ``scatter_reduce``, ``take``, ``put``) and by mask
(``masked_fill``, ``masked_select``, ``masked_scatter``), each with its derivative beside it.

An index is normalised once (``_normalize``) into what NumPy takes: ints, slices, None,
Ellipsis, and integer or bool arrays on the tensor's device.

Note [Ints among advanced indices]: NumPy counts an int as an advanced index when the index
holds an array too, so ``x[0, :, [0, 1]]`` has its advanced dims first (shape [2, n]);
PyTorch selects with the int first and then indexes the rest (shape [n, 2]). Such an index is
kept as a ``_Split(pre, post)``: ``pre`` (ints, slices, None, ...) is applied as a view first,
``post`` (the arrays) to that view. ``_read``, ``_write`` and ``_add_at`` take either form.
"""
__all__ = ['gather', 'index_add', 'index_copy', 'index_fill', 'index_put', 'index_reduce',
           'index_select', 'masked_fill', 'masked_scatter', 'masked_select', 'put', 'scatter',
           'scatter_add', 'scatter_reduce', 'take', 'take_along_dim']
import warnings

import numpy as np

from .. import dtypes as _dt
from ._common import (Node, Tensor, as_number, checked_scalar, device_mismatch, dtype_title,
                      make, make_view, record, state, xp_of, xp_of_array)
from .pointwise import _select

_int32, _int64, _bool = _dt.int32, _dt.int64, _dt.bool


class _Split(tuple):
    """An index applied in two steps, ``a[pre][post]`` (Note [Ints among advanced indices])."""
    __slots__ = ()


def _read(a, idx):
    if type(idx) is _Split:
        return a[idx[0]][idx[1]]
    return a[idx]


def _write(a, idx, v):
    if type(idx) is _Split:
        a[idx[0]][idx[1]] = v  # a[pre] is a view: the write reaches ``a``
    else:
        a[idx] = v


def _add_at(a, idx, v):
    """``a[idx] += v`` where repeated positions add up (``ufunc.at``)."""
    if type(idx) is _Split:
        a, idx = a[idx[0]], idx[1]
    if a.ndim == 1 and len(idx) == 1 and getattr(idx[0], 'dtype', None) != bool and \
            getattr(idx[0], 'ndim', 0):
        return add_at_1d(a, idx[0], v)
    if a.ndim > 1 and len(idx) == 1 and getattr(idx[0], 'ndim', 0) == 1 and \
            idx[0].dtype.kind in 'iu':  # whole rows (the gradient of x[rows]): by slots
        return add_at_rows(a, idx[0], v)
    parts = []
    for i in idx:
        if getattr(i, 'ndim', 1) == 0 and getattr(i, 'dtype', None) == bool:
            if not i:
                return  # x[False] selects nothing
            i = None  # x[True] adds a dim of size 1, as None does
        parts.append(i)
    (np if type(a) is np.ndarray else _xp_of_array(a)).add.at(a, tuple(parts), v)


def add_at_1d(a, ix, v):
    """``a[ix] += v`` for a 1-D ``a`` and an integer index array, repeats adding up. On NumPy
    floats ``bincount`` does it several times faster than ``np.add.at``."""
    n = a.size
    if type(a) is np.ndarray and a.dtype.kind == 'f' and a.dtype.itemsize >= 4 and \
            ix.size > 32:
        lo, hi = ix.min(), ix.max()
        if -n <= lo and hi < n:  # else np.add.at raises NumPy's IndexError
            w = np.broadcast_to(v, ix.shape).reshape(-1)
            ix = ix.reshape(-1)
            if lo < 0:
                ix = np.where(ix < 0, ix + n, ix)
            a += np.bincount(ix, w.astype(np.float64, copy=False),
                             minlength=n).astype(a.dtype, copy=False)
            return
    (np if type(a) is np.ndarray else _xp_of_array(a)).add.at(a, ix, v)


# Note [Rows added by slots]: ``a[ix] += v`` with repeated indices (an embedding's gradient)
# groups the rows of each index: sorted (stably) by index, each index's rows are written into
# its own run of ``C`` slots of a zeroed buffer (``C``: the most rows any index has), one
# scatter of all the rows, and each run is summed along the slot axis, which NumPy adds in
# order, row after row: the sums PyTorch's embedding backward makes, bit for bit (``add.reduceat``
# over the sorted rows adds in another order). GPT workload's token embedding (2048 rows of 128
# into 256): 484 -> ~250 us. Where the padding would more than double the rows (a few
# indices far more frequent than the rest) the sorted rows are summed by ``add.reduceat``.
def add_at_rows(a, ix, v):
    """``a[ix] += v`` along the first axis (``ix``: a 1-D integer array, ``v``: ``len(ix)`` rows
    of ``a``'s row shape), repeats adding up. On NumPy floats by index slots (Note [Rows added
    by slots]) or sorted runs: 4-10x faster than ``np.add.at`` on an embedding's gradient."""
    n = ix.size
    if type(a) is np.ndarray and a.dtype.kind == 'f' and n > 32 and a.ndim > 1 and \
            v.shape == ix.shape + a.shape[1:] and 0 <= ix.min() and ix.max() < a.shape[0]:
        order = np.argsort(ix, kind='stable')
        s = ix[order]
        starts = np.flatnonzero(np.concatenate(([True], s[1:] != s[:-1])))
        counts = np.diff(starts, append=n)
        runs, width = starts.size, int(counts.max())
        if width == 1:  # no index repeats: one fancy add
            a[s] += v[order]
            return
        if runs * width > 2 * n:
            a[s[starts]] += np.add.reduceat(v[order], starts, axis=0)
            return
        slot = np.empty(n, np.intp)  # each row's slot: its index's run, its place in the run
        slot[order] = np.arange(n) + np.repeat(np.arange(runs) * width - starts, counts)
        buf = np.zeros((runs * width,) + v.shape[1:], v.dtype)
        buf[slot] = v
        a[s[starts]] += buf.reshape((runs, width) + v.shape[1:]).sum(axis=1)
        return
    (np if type(a) is np.ndarray else _xp_of_array(a)).add.at(a, ix, v)


_xp_of_array = xp_of_array


def _normalize(t, idx):
    """``idx`` as a tuple NumPy understands (or a ``_Split``), and whether it is basic (a
    view)."""
    if not isinstance(idx, tuple):
        # PyTorch (as NumPy once did) reads a short list holding sequences, tensors, slices,
        # None or ... as a tuple: x[[[0, 1], [2, 3]]] is x[[0, 1], [2, 3]].
        if type(idx) is list and len(idx) < 32 and any(
                i is None or i is Ellipsis or isinstance(i, (list, tuple, slice, Tensor, np.ndarray))
                for i in idx):
            idx = tuple(idx)
        else:
            idx = (idx,)
    out = []
    basic = True
    has_int = False
    for i in idx:
        ti = type(i)
        if ti is int:
            out.append(i)
            has_int = True
        elif ti is slice or i is None or i is Ellipsis:
            out.append(i)
        elif ti is bool:
            out.append(np.bool_(i))
            basic = False
        elif isinstance(i, Tensor):
            if i._dtype.is_floating_point:
                raise IndexError('tensors used as indices must be long, int, byte or bool tensors')
            if i._data.ndim == 0 and i._dtype is not _dt.bool:  # an integer: x[t] is a view
                out.append(int(i.item()))
                has_int = True
                continue
            if i._device is not t._device and i._device.type != 'cpu':
                raise device_mismatch(t, i)
            data = i._data if i._device is t._device else \
                t._device._backend.from_host(i._data, t._device.index)
            if i._dtype is _dt.uint8:
                warnings.warn('indexing with dtype torch.uint8 is now deprecated, please use a '
                              'dtype torch.bool instead.', UserWarning, stacklevel=3)
                data = data.astype(bool)
            out.append(data)
            basic = False
        elif isinstance(i, np.integer):
            out.append(int(i))
            has_int = True
        elif isinstance(i, np.bool_):
            out.append(i)
            basic = False
        elif isinstance(i, (list, np.ndarray, range, tuple)):
            arr = np.asarray(i)
            if arr.dtype.kind == 'f':
                raise IndexError('tensors used as indices must be long, int, byte or bool tensors')
            if arr.dtype.kind not in 'biu' and arr.size == 0:
                arr = arr.astype(np.int64)
            elif arr.dtype.kind not in 'biu':
                raise IndexError('only integers, slices (`:`), ellipsis (`...`), None and long or '
                                 'byte Variables are valid indices (got ' + ti.__name__ + ')')
            out.append(t._device._backend.from_host(arr, t._device.index))
            basic = False
        else:
            raise IndexError('only integers, slices (`:`), ellipsis (`...`), None and long or byte '
                             'Variables are valid indices (got ' + ti.__name__ + ')')
    if has_int and not basic:
        return _split(out), False
    return tuple(out), basic


def _split(items):
    """The ``_Split`` of an index holding ints and arrays (Note [Ints among advanced
    indices])."""
    pre, post = [], []
    for i in items:
        if type(i) is int:
            pre.append(i)
        elif type(i) is slice or i is None:
            pre.append(i)
            post.append(slice(None))
        elif i is Ellipsis:
            pre.append(i)
            post.append(i)
        elif i.dtype == bool:
            pre.extend([slice(None)] * i.ndim)
            post.append(i)
        else:
            pre.append(slice(None))
            post.append(i)
    return _Split((tuple(pre), tuple(post)))


def _index_label(idx):
    """PyTorch's grad_fn name for a basic index: that of the last non-trivial component."""
    label = 'AliasBackward0'
    for i in idx:
        if type(i) is int:
            label = 'SelectBackward0'
        elif type(i) is slice and i != slice(None):
            label = 'SliceBackward0'
        elif i is None:
            label = 'UnsqueezeBackward0'
    return label


def _index_error(t, idx, err):
    msg = str(err)
    if 'out of bounds' in msg:
        # NumPy: "index 5 is out of bounds for axis 0 with size 3"
        return IndexError(msg.replace('axis', 'dimension'))
    if 'too many indices' in msg:
        return IndexError(f'too many indices for tensor of dimension {t._data.ndim}')
    return IndexError(msg)


class IndexBackward(Node):
    """Gradient of ``x[idx]``: the incoming gradient put (added, for advanced indices that
    may repeat) into zeros of ``x``'s shape at ``idx``."""
    __slots__ = ('label', 'idx', 'shape', 'accumulate')

    def name(self):
        return self.label

    def backward(self, g):
        return index_put_zeros(g, self.shape, self.idx, self.accumulate)


class IndexPutZerosBackward(Node):
    """Gradient of ``index_put_zeros``: read the gradient back at ``idx``."""
    __slots__ = ('idx',)

    def name(self):
        return 'IndexPutBackward0'

    def backward(self, g):
        return _getitem_norm(g, self.idx, False, 'IndexBackward0')


def _no_repeats(idx):
    """True when no element can be addressed twice (no integer arrays)."""
    items = idx[1] if type(idx) is _Split else idx
    for i in items:
        if getattr(i, 'ndim', 0) and i.dtype != bool:
            return False
    return True


def index_put_zeros(g, shape, idx, accumulate):
    """Zeros of ``shape`` with ``g`` put at ``idx`` (added when ``accumulate``)."""
    xp = xp_of(g)
    out = xp.zeros(shape, dtype=g._data.dtype)
    if accumulate and not _no_repeats(idx):
        _add_at(out, idx, g._data)
    else:
        _write(out, idx, g._data)
    r = make(out, g._dtype, g._device)
    if state.enabled and g._requires_grad:
        node = IndexPutZerosBackward()
        node.idx = idx
        record(node, r, g)
    return r


def _getitem_norm(t, idx, basic, label):
    try:
        data = _read(t._data, idx)
    except IndexError as e:
        raise _index_error(t, idx, e) from None
    if type(data) is not np.ndarray and isinstance(data, np.generic):
        data = t._data[idx + (Ellipsis,)]  # NumPy gives a scalar copy; x[0, ...] is a 0-d view
    if basic:
        r = make_view(t, data, getitem_basic, (idx,))
    else:
        r = make(data, t._dtype, t._device)
    if state.enabled and t._requires_grad:
        node = IndexBackward()
        node.label, node.idx, node.shape, node.accumulate = label, idx, t._data.shape, not basic
        record(node, r, t)
    return r


def getitem_basic(t, idx):
    """``t[idx]`` for an already-normalised basic index (used to replay views)."""
    return _getitem_norm(t, idx, True, _index_label(idx))


def index_view(t, idx, label):
    """A basic-index view of ``t`` with the given grad_fn name (narrow, select)."""
    return _getitem_norm(t, idx, True, label)


def getitem(input, idx):
    """``input[idx]``: ints, slices, None and ``...`` give a view; integer or bool tensors,
    lists and arrays select a copy. Advanced indices separated by a slice put their dims
    first, as in NumPy; ints are applied first, as selections.

    Example::

        >>> x = flambeau.arange(6).view(2, 3)
        >>> x[1], x[:, 1:], x[x > 3]
        (tensor([3, 4, 5]), tensor([[1, 2], [4, 5]]), tensor([4, 5]))
    """
    if type(idx) is int and input._data.ndim:  # fast path: x[i]
        a = input._data
        n = a.shape[0]
        if not -n <= idx < n:
            raise IndexError(f'index {idx} is out of bounds for dimension 0 with size {n}')
        if a.ndim > 1 and not (state.enabled and input._requires_grad):
            return make_view(input, a[idx], getitem_basic, ((idx,),))  # a view, no node
        return _getitem_norm(input, (idx,), True, 'SelectBackward0')
    norm, basic = _normalize(input, idx)
    if input._data.ndim == 0 and any(type(i) in (int, slice) for i in
                                     (norm[0] if type(norm) is _Split else norm)):
        raise IndexError('invalid index of a 0-dim tensor. Use `tensor.item()` in Python or '
                         '`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number')
    return _getitem_norm(input, norm, basic, _index_label(norm) if basic else 'IndexBackward0')


# -- setitem and index_put -------------------------------------------------------------------
class IndexPutBackward(Node):
    """Gradient of ``index_put``: the old tensor gets the gradient with ``idx`` zeroed (all of
    it when accumulating), the values the gradient read at ``idx`` (summed back to their
    shape)."""
    __slots__ = ('label', 'idx', 'vmeta', 'accumulate')

    def name(self):
        return self.label

    def backward(self, g):
        from ._common import reduce_grad
        if self.accumulate:
            gx = g
        elif state.enabled:  # create_graph: zero the written region differentiably
            keep = xp_of(g).ones(g._data.shape, dtype=bool)
            _write(keep, self.idx, False)
            gx = g.masked_fill(make(~keep, _bool, g._device), 0.)
        else:
            gx = g.clone()
            _write(gx._data, self.idx, 0)
        gv = None
        if self.vmeta is not None:
            gv = _getitem_norm(g, self.idx, False, 'IndexBackward0')
            shape = self.vmeta[0]
            if gv._data.ndim < len(shape):  # values may carry leading 1s: x[0] = v[None]
                gv = gv.reshape((1,) * (len(shape) - gv._data.ndim) + gv._data.shape)
            gv = reduce_grad(gv, *self.vmeta)
        return gx, gv


def values_array(t, value, shape):
    """``value`` (a Tensor or number) as an array of ``t``'s dtype and device."""
    if isinstance(value, Tensor):
        if value._device is not t._device:
            if value._data.ndim == 0 and value._device.type == 'cpu':
                return t._device._backend.from_host(value._data.astype(t._dtype.numpy),
                                                    t._device.index)
            raise device_mismatch(t, value)
        return value._data.astype(t._dtype.numpy, copy=False)
    from ._common import scalar_value
    value = as_number(value)
    if type(value) not in (int, float, bool):
        from ..autograd.node import tensor_type_name
        raise TypeError(f"can't assign a {type(value).__name__} to a {tensor_type_name(t)}")
    return scalar_value(value, t._dtype)


def setitem_shape_error(t, norm, basic, value):
    """PyTorch's error when ``value`` does not fit ``t[norm]``: a basic index is written by
    ``copy_`` (expand's message), an advanced one by ``index_put_``."""
    target = _read(t._data, norm).shape
    shape = tuple(getattr(value, 'shape', ()))
    if basic:
        lead = len(target) - len(shape)
        for i in range(len(shape) - 1, -1, -1):
            want = target[lead + i] if lead + i >= 0 else 1
            if shape[i] != want and shape[i] != 1:
                return RuntimeError(
                    f'The expanded size of the tensor ({want}) must match the existing size '
                    f'({shape[i]}) at non-singleton dimension {lead + i}.  Target sizes: '
                    f'{list(target)}.  Tensor sizes: {list(shape)}')
    return RuntimeError(f'shape mismatch: value tensor of shape {list(shape)} cannot be '
                        f'broadcast to indexing result of shape {list(target)}')


def put_index(input, norm, basic, values, accumulate=False, label=None):
    """A copy of ``input`` with ``values`` (a tensor or number, cast to ``input``'s dtype)
    written (or added) at the normalised index ``norm``: ``x[idx] = v`` and ``index_put``."""
    data = input._data.copy()
    vals = values_array(input, values, None)
    try:
        if accumulate:
            _add_at(data, norm, vals)
        else:
            _write(data, norm, vals)
    except IndexError as e:
        raise _index_error(input, norm, e) from None
    except ValueError:
        raise setitem_shape_error(input, norm, basic, values) from None
    r = make(data, input._dtype, input._device)
    vt = values if isinstance(values, Tensor) else None
    if state.enabled and (input._requires_grad or (vt is not None and vt._requires_grad)):
        node = IndexPutBackward()
        node.label = label or _put_label(norm)
        node.idx, node.accumulate = norm, accumulate
        node.vmeta = (vt._data.shape, vt._dtype) if vt is not None and vt._requires_grad else None
        record(node, r, input, vt)
    return r


def _put_label(norm):
    """PyTorch's grad_fn name of ``x[norm] = v``. PyTorch applies the ints, slices, None and
    bool scalars as a view first and writes into it (``CopySlices``), unless they leave all of
    ``x``: then ``x[...] = v`` is a ``copy_`` (``CopyBackwards``) and ``x[:, idx] = v`` an
    ``index_put_`` (``IndexPutBackward0``)."""
    items = norm[0] + norm[1] if type(norm) is _Split else norm
    arrays = False
    for i in items:
        if type(i) is int or i is None or (type(i) is slice and i != slice(None)):
            return 'torch::autograd::CopySlices'
        if i is not Ellipsis and type(i) is not slice:
            if i.ndim == 0 and i.dtype == bool:
                return 'torch::autograd::CopySlices'
            arrays = True
    return 'IndexPutBackward0' if arrays else 'CopyBackwards'


def index_put(input, indices, values, accumulate=False):
    """A copy of ``input`` with ``values`` written at ``input[indices]``; ``indices`` is a
    tuple of index tensors (integer or bool), one per leading dim. With ``accumulate=True``
    the values are added instead, and repeated indices add up.

    Example::

        >>> x = flambeau.zeros(3)
        >>> flambeau.index_put(x, (flambeau.tensor([0, 0, 2]),), flambeau.tensor(1.),
        ...                    accumulate=True)
        tensor([2., 0., 1.])
    """
    if not isinstance(indices, (tuple, list)):
        raise TypeError(f"index_put(): argument 'indices' (position 2) must be tuple of Tensors, "
                        f'not {type(indices).__name__}')
    for k, i in enumerate(indices):
        if not isinstance(i, Tensor):
            raise TypeError(f'expected Tensor as element {k} in argument 1, but got '
                            f'{type(i).__name__}')
    if not isinstance(values, Tensor):
        raise TypeError(f"index_put(): argument 'values' (position 3) must be Tensor, not "
                        f'{type(values).__name__}')
    if values._dtype is not input._dtype:
        raise RuntimeError(f'Index put requires the source and destination dtypes match, got '
                           f'{dtype_title(input._dtype)} for the destination and '
                           f'{dtype_title(values._dtype)} for the source.')
    if len(indices) > input._data.ndim:
        raise IndexError(f'too many indices for tensor of dimension {input._data.ndim} (got '
                         f'{len(indices)})')
    norm = []
    for i in indices:  # all tensors, so ints among them broadcast as NumPy's advanced indices
        if i._dtype.is_floating_point:
            raise IndexError('tensors used as indices must be long, int, byte or bool tensors')
        if i._device is not input._device:
            raise device_mismatch(input, i)
        norm.append(i._data.astype(bool) if i._dtype is _dt.uint8 else i._data)
    return put_index(input, tuple(norm), False, values, accumulate, 'IndexPutBackward0')


# -- helpers of the index ops ----------------------------------------------------------------
_UNSIGNED = {8: np.uint64, 4: np.uint32, 2: np.uint16, 1: np.uint8}


def _first_oob(ix, n, negative_ok):
    """The first value of index array ``ix`` outside ``[0, n)`` (``[-n, n)`` when
    ``negative_ok``), or None."""
    if not ix.size:
        return None
    if not negative_ok and ix.flags.c_contiguous and ix.dtype.kind == 'i':
        # one reduction instead of min and max: negatives read as unsigned are huge
        if ix.view(_UNSIGNED[ix.itemsize]).max() < n:
            return None
    lo = -n if negative_ok else 0
    if ix.min() >= lo and ix.max() < n:
        return None
    bad = (ix < lo) | (ix >= n)
    return int(ix[bad].reshape(-1)[0])


def _zeros(g, shape):
    return make(xp_of(g).zeros(shape, dtype=g._data.dtype), g._dtype, g._device)


def _same_device(input, *others):
    for o in others:
        if o is not None and o._device is not input._device:
            raise device_mismatch(input, o)


def _cast_scalar(value, dt):
    """Python number ``value`` as a 0-d array of ``dt`` (PyTorch's conversion of a Scalar
    argument: floats truncate into integer dtypes, out-of-range ints raise)."""
    return np.asarray(checked_scalar(as_number(value), dt)).astype(dt.numpy)


def _moved(a, d):
    """``a`` with dim ``d`` first (a view), 0-d arrays as 1-d."""
    if a.ndim == 0:
        return a.reshape(1)
    return a if d == 0 else np.moveaxis(a, d, 0) if type(a) is np.ndarray else \
        _xp_of_array(a).moveaxis(a, d, 0)


# -- index_select / index_add / index_copy / index_fill ----------------------------------------
class IndexSelectBackward0(Node):
    __slots__ = ('dim', 'shape')

    def backward(self, g):
        index, = self.saved_tensors
        return _zeros(g, self.shape).index_add(self.dim, index, g)


def index_select(input, dim, index, *, out=None):
    """The entries of ``input`` along ``dim`` at the positions in ``index`` (a 1-D int64 or
    int32 tensor); the result has ``len(index)`` entries along ``dim``.

    Example::

        >>> x = flambeau.tensor([[1, 2, 3], [4, 5, 6]])
        >>> flambeau.index_select(x, 1, flambeau.tensor([2, 0]))
        tensor([[3, 1],
                [6, 4]])
    """
    d = input._wrap_dim(dim)
    if index._dtype is not _int64 and index._dtype is not _int32:
        raise RuntimeError('index_select(): Expected dtype int32 or int64 for index')
    ix = index._data
    if ix.ndim > 1:
        raise IndexError('index_select(): Index is supposed to be a vector')
    _same_device(input, index)
    x = input._data
    if x.ndim == 0:
        if ix.size != 1:
            raise RuntimeError(f'index_select(): Index to scalar can have only 1 value, got '
                               f'{ix.size} value(s)')
        if _first_oob(ix, 1, False) is not None:
            raise IndexError('index out of range in self')
        data = x.copy()
    else:
        if _first_oob(ix, x.shape[d], False) is not None:
            raise IndexError('index out of range in self')
        data = xp_of(input).take(x, ix.reshape(-1), axis=d)
    r = make(data, input._dtype, input._device)
    if state.enabled and input._requires_grad:
        node = IndexSelectBackward0()
        node.dim, node.shape = d, x.shape
        node.save(index)
        record(node, r, input)
    return r if out is None else out.copy_(r)


def _vector_index_dims(input, d, index, source, name):
    """The checks ``index_add`` and ``index_copy`` share on ``source``'s shape."""
    ix, src, x = index._data, source._data, input._data
    n = ix.size
    ssize = src.shape[d] if src.ndim > d else 1
    if n != ssize:
        if name != 'index_copy_':
            raise RuntimeError(f'{name}(): Number of indices ({n}) should be equal to '
                               f'source.size(dim): ({ssize}), for dim: {d}')
        raise IndexError(f'index_copy_(): Number of indices ({n}) should be equal to '
                         f'source.size(dim) ({ssize})')
    if x.ndim and src.ndim and (x.ndim != src.ndim or any(
            a != b for k, (a, b) in enumerate(zip(x.shape, src.shape)) if k != d)):
        if name != 'index_copy_':
            raise RuntimeError(f'source tensor shape must match self tensor shape, excluding the '
                               f'specified dimension. Got self.shape = {list(x.shape)} '
                               f'source.shape = {list(src.shape)}')
        xs = x.shape[:d] + x.shape[d + 1:]  # PyTorch numbers the dims of the slices
        ss = src.shape[:d] + src.shape[d + 1:]
        k = next((k for k, (a, b) in enumerate(zip(xs, ss)) if a != b), min(len(xs), len(ss)))
        raise RuntimeError(f'index_copy_(): Source/destination tensor must have same slice '
                           f'shapes. Destination slice shape: {xs[k] if k < len(xs) else 1} at '
                           f'dimension {k} and source slice shape: '
                           f'{ss[k] if k < len(ss) else 1} at dimension {k}.')


class IndexAddBackward0(Node):
    __slots__ = ('dim', 'alpha', 'smeta')

    def backward(self, g):
        index, = self.saved_tensors
        gs = None
        if self.smeta is not None:
            gs = g.index_select(self.dim, index)
            if self.alpha != 1:
                gs = gs * self.alpha
            if gs._data.shape != self.smeta:
                gs = gs.reshape(self.smeta)
        return g, gs


def index_add(input, dim, index, source, *, alpha=1):
    """A copy of ``input`` with ``alpha * source`` added along ``dim`` at the positions in
    ``index``: for ``dim=0``, ``out[index[i]] += alpha * source[i]`` (repeats add up).

    Example::

        >>> flambeau.zeros(3, 2).index_add(0, flambeau.tensor([0, 0, 2]), flambeau.ones(3, 2))
        tensor([[2., 2.],
                [0., 0.],
                [1., 1.]])
    """
    d = input._wrap_dim(dim)
    dt = index._dtype
    if dt is not _int64 and dt is not _int32:
        raise RuntimeError(f'index_add_(): Expected dtype int32/int64 for index but got: '
                           f'{dtype_title(dt)}')
    ix = index._data
    if ix.ndim > 1:
        raise IndexError(f'index_add_(): Index is supposed to be a vector, but got dim: '
                         f'{ix.ndim} with type: {dtype_title(dt)} and size: {list(ix.shape)}')
    if source._dtype is not input._dtype:
        raise RuntimeError(f'index_add_(): self ({dtype_title(input._dtype)}) and source '
                           f'({dtype_title(source._dtype)}) must have the same scalar type')
    _same_device(input, index, source)
    _vector_index_dims(input, d, index, source, 'index_add_')
    x = input._data
    size = x.shape[d] if x.ndim else 1
    bad = _first_oob(ix, size, False)
    if bad is not None:
        raise RuntimeError(f'index {bad} is out of bounds for dimension {d} with size {size}')
    src = source._data
    if alpha != 1:
        src = src * _cast_scalar(alpha, input._dtype)
    out = x.copy()
    if out.ndim <= 1:
        add_at_1d(out.reshape(-1), ix.reshape(-1), src.reshape(-1))
    else:
        add_at_rows(_moved(out, d), ix.reshape(-1), _moved(src, d))
    r = make(out, input._dtype, input._device)
    if state.enabled and (input._requires_grad or source._requires_grad):
        node = IndexAddBackward0()
        node.dim, node.alpha = d, alpha
        node.smeta = src.shape if source._requires_grad else None
        node.save(index)
        record(node, r, input, source)
    return r


class IndexCopyBackward0(Node):
    __slots__ = ('dim', 'smeta')

    def backward(self, g):
        index, = self.saved_tensors
        gs = None
        if self.smeta is not None:
            gs = g.index_select(self.dim, index)
            if gs._data.shape != self.smeta:
                gs = gs.reshape(self.smeta)
        return g.index_fill(self.dim, index, 0), gs


def index_copy(input, dim, index, source):
    """A copy of ``input`` with the entries of ``source`` written along ``dim`` at the
    positions in ``index`` (an int64 vector): for ``dim=0``, ``out[index[i]] = source[i]``.

    Example::

        >>> flambeau.zeros(3).index_copy(0, flambeau.tensor([2, 0]), flambeau.tensor([5., 6.]))
        tensor([6., 0., 5.])
    """
    d = input._wrap_dim(dim)
    if index._dtype is not _int64:
        raise RuntimeError(f'index_copy_(): Expected a long tensor for index, but got '
                           f'{dtype_title(index._dtype)}')
    ix = index._data
    if ix.ndim > 1:
        raise IndexError(f'index_copy_(): Index should have dimension 1 or 0 (got {ix.ndim})')
    if source._dtype is not input._dtype:
        raise RuntimeError(f'index_copy_(): self and source expected to have the same dtype, '
                           f'but got (self) {dtype_title(input._dtype)} and (source) '
                           f'{dtype_title(source._dtype)}')
    _same_device(input, index, source)
    _vector_index_dims(input, d, index, source, 'index_copy_')
    x = input._data
    size = x.shape[d] if x.ndim else 1
    bad = _first_oob(ix, size, False)
    if bad is not None:
        raise IndexError(f'index_copy_(): index {bad} is out of bounds for dimension {d} with '
                         f'size {size}')
    out = x.copy()
    _moved(out, d)[ix.reshape(-1)] = _moved(source._data, d)
    r = make(out, input._dtype, input._device)
    if state.enabled and (input._requires_grad or source._requires_grad):
        node = IndexCopyBackward0()
        node.dim = d
        node.smeta = source._data.shape if source._requires_grad else None
        node.save(index)
        record(node, r, input, source)
    return r


class IndexFillBackward(Node):
    __slots__ = ('label', 'dim', 'vmeta')

    def name(self):
        return self.label

    def backward(self, g):
        index, = self.saved_tensors
        gv = None
        if self.vmeta is not None:
            gv = g.index_select(self.dim, index).sum()
            if gv._dtype is not self.vmeta:
                gv = gv.to(self.vmeta)
        return g.index_fill(self.dim, index, 0), gv


def index_fill(input, dim, index, value):
    """A copy of ``input`` with ``value`` (a number or a 0-d tensor) written along ``dim`` at
    the positions in ``index`` (an int64 vector; negative positions count from the end).

    Example::

        >>> flambeau.zeros(2, 3).index_fill(1, flambeau.tensor([0, 2]), -1)
        tensor([[-1.,  0., -1.],
                [-1.,  0., -1.]])
    """
    d = input._wrap_dim(dim)
    if index._dtype is not _int64:
        raise IndexError('index_fill_(): Expected dtype int64 for index.')
    ix = index._data
    if ix.ndim > 1:
        raise RuntimeError('Index has to be a vector/scalar')
    vt = None
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(f'index_fill_ only supports a 0-dimensional value tensor, but got '
                               f'tensor with {value._data.ndim} dimension(s).')
        vt = value
        value = value.item()
    _same_device(input, index)
    x = input._data
    size = x.shape[d] if x.ndim else 1
    bad = _first_oob(ix, size, True)
    if bad is not None:
        raise IndexError(f'index {bad} is out of bounds for dimension {d} with size {size}')
    out = x.copy()
    _moved(out, d)[ix.reshape(-1)] = _cast_scalar(value, input._dtype)
    r = make(out, input._dtype, input._device)
    if state.enabled and (input._requires_grad or (vt is not None and vt._requires_grad)):
        node = IndexFillBackward()
        node.label = 'IndexFillBackward1' if vt is not None else 'IndexFillBackward0'
        node.dim = d
        node.vmeta = vt._dtype if vt is not None and vt._requires_grad else None
        node.save(index)
        record(node, r, input, vt)
    return r


# -- gather / scatter ------------------------------------------------------------------------
class GatherBackward0(Node):
    __slots__ = ('dim', 'shape')

    def backward(self, g):
        index, = self.saved_tensors
        return _zeros(g, self.shape).scatter_add(self.dim, index, g)


def _check_index(input, dim, index, name):
    if index._dtype is not _int64 and index._dtype is not _int32:
        raise RuntimeError(f'{name}(): Expected dtype int32/int64 for index')
    if index._data.ndim != input._data.ndim and index._data.size and \
            max(index._data.ndim, input._data.ndim) > 1:
        raise RuntimeError(f'Index tensor must have the same number of dimensions as '
                           f'{"input" if name == "gather" else "self"} tensor')
    _same_device(input, index)
    return input._wrap_dim(dim)


def _check_bounds(ix, x, d):
    size = x.shape[d] if x.ndim else 1
    bad = _first_oob(ix, size, False)
    if bad is not None:
        raise RuntimeError(f'index {bad} is out of bounds for dimension {d} with size {size}')


def gather(input, dim, index, *, sparse_grad=False, out=None):
    """Values of ``input`` along ``dim`` at ``index``: ``out[i][j] = input[index[i][j]][j]``
    for ``dim=0``. ``index`` has ``input``'s number of dims and is no larger than ``input``
    apart from ``dim``; the result has ``index``'s shape. ``sparse_grad`` is accepted (the
    gradient is dense).

    Example::

        >>> flambeau.gather(flambeau.tensor([[1, 2], [3, 4]]), 1, flambeau.tensor([[0, 0], [1, 0]]))
        tensor([[1, 1],
                [4, 3]])
    """
    d = _check_index(input, dim, index, 'gather')
    x, ix = input._data, index._data
    if ix.ndim != x.ndim:  # a 0-d input or index against a 1-d one
        ix1 = ix.reshape(-1) if ix.ndim else ix.reshape(1)
        x1 = x.reshape(-1) if x.ndim else x.reshape(1)
        _check_bounds(ix1, x1, 0)
        data = x1[ix1].reshape(ix.shape)
    elif not _fits(ix, x, d):
        k = next(k for k, (a, b) in enumerate(zip(ix.shape, x.shape)) if k != d and a > b)
        raise RuntimeError(f'Size does not match at dimension {k} expected index '
                           f'{list(ix.shape)} to be no larger than self {list(x.shape)} apart '
                           f'from dimension {d}')
    else:
        _check_bounds(ix, x, d)
        if x.ndim == 0:
            data = x.reshape(1)[ix]
        else:  # an index smaller than input reads its leading corner
            data = x[_scatter_index(ix, d)]
    r = make(data, input._dtype, input._device)
    if state.enabled and input._requires_grad:
        node = GatherBackward0()
        node.dim, node.shape = d, x.shape
        node.save(index)
        record(node, r, input)
    return r if out is None else out.copy_(r)


def _fits(ix, x, d):
    k = 0
    for a, b in zip(ix.shape, x.shape):
        if a > b and k != d:
            return False
        k += 1
    return True


def _scatter_index(ix, d):
    """Index arrays addressing, for every element of ``ix``, its position along ``dim``
    ``d`` (from ``ix``) and in the other dims (its own): what ``gather`` reads and
    ``scatter`` writes."""
    if ix.ndim == 0:
        return (ix.reshape(1),)
    nd = ix.ndim
    grids = []
    if type(ix) is np.ndarray:
        cache = _GRIDS
        for k, n in enumerate(ix.shape):  # cheaper than np.indices(sparse=True)
            if k == d:
                grids.append(ix)
                continue
            key = (n, k, nd)
            g = cache.get(key)
            if g is None:
                if len(cache) > 512:
                    cache.clear()
                g = cache[key] = np.arange(n).reshape((1,) * k + (n,) + (1,) * (nd - k - 1))
                g.flags.writeable = False
            grids.append(g)
    else:
        xp = _xp_of_array(ix)
        for k, n in enumerate(ix.shape):
            grids.append(ix if k == d else
                         xp.arange(n).reshape((1,) * k + (n,) + (1,) * (nd - k - 1)))
    return tuple(grids)


_GRIDS = {}  # (size, dim, ndim) -> the arange that indexes that dim


def _scatter_operands(input, dim, index, src, name):
    """Checks, the target positions and the source values shared by the scatter ops."""
    d = _check_index(input, dim, index, name)
    x, ix = input._data, index._data
    st = src if isinstance(src, Tensor) else None
    if st is not None:
        if st._dtype is not input._dtype:
            raise RuntimeError(f'{name}(): Expected self.dtype to be equal to src.dtype')
        _same_device(input, st)
        s = st._data
        if ix.ndim == x.ndim and s.ndim == ix.ndim and ix.ndim and (
                not _fits(ix, x, d) or any(a > b for a, b in zip(ix.shape, s.shape))):
            raise RuntimeError(f'Expected index {list(ix.shape)} to be no larger than self '
                               f'{list(x.shape)} apart from dimension {d} and to be no larger '
                               f'size than src {list(s.shape)}')
        vals = s[tuple(slice(0, n) for n in ix.shape)] if s.ndim == ix.ndim else \
            s.reshape(-1)[:ix.size].reshape(ix.shape)
    else:
        if ix.ndim == x.ndim and ix.ndim and not _fits(ix, x, d):
            raise RuntimeError(f'Expected index {list(ix.shape)} to be no larger than self '
                               f'{list(x.shape)} apart from dimension {d}')
        vals = _cast_scalar(src, input._dtype)
    if x.ndim == 0:
        _check_bounds(ix.reshape(-1), x.reshape(1), 0)
    else:
        _check_bounds(ix, x, d)
    return d, _scatter_index(ix, d), vals, st


class ScatterBackward(Node):
    __slots__ = ('label', 'dim', 'add')

    def name(self):
        return self.label

    def backward(self, g):
        index, = self.saved_tensors
        gx = g if self.add else g.scatter(self.dim, index, 0)
        return gx, g.gather(self.dim, index)


class NotImplementedBackward(Node):
    """The node of an op whose derivative PyTorch does not implement: backward raises."""
    __slots__ = ('what',)

    def name(self):
        return 'NotImplemented'

    def backward(self, g):
        raise RuntimeError(f'derivative for {self.what} is not implemented')


def _scatter(input, dim, index, src, how, name='scatter'):
    d, pos, vals, st = _scatter_operands(input, dim, index, src, name)
    xp = xp_of(input)
    out = input._data.copy()
    target = out.reshape(1) if out.ndim == 0 else out
    if how is None:
        target[pos] = vals
    else:
        getattr(xp, how).at(target, pos, vals)
    r = make(out, input._dtype, input._device)
    if state.enabled and (input._requires_grad or (st is not None and st._requires_grad)):
        if how == 'multiply' or (how == 'add' and name == 'scatter'):
            node = NotImplementedBackward()
            node.what = 'aten::scatter'
        else:
            node = ScatterBackward()
            node.label = 'ScatterAddBackward0' if how else ('ScatterBackward0' if st is not None
                                                            else 'ScatterBackward1')
            node.dim, node.add = d, how == 'add'
            node.save(index)
        record(node, r, input, st)
    return r


def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    """A copy of ``input`` with ``src`` (a tensor or number) written along ``dim`` at
    ``index``: ``out[index[i][j]][j] = src[i][j]`` for ``dim=0``. ``reduce='add'`` or
    ``'multiply'`` combines instead of overwriting (deprecated for a tensor ``src``: use
    :func:`scatter_reduce`).

    Example::

        >>> flambeau.zeros(2, 3).scatter(1, flambeau.tensor([[2], [0]]), 1.0)
        tensor([[0., 0., 1.],
                [1., 0., 0.]])
    """
    if src is None:
        src = value
    if src is None:
        raise TypeError("scatter() missing required argument 'src' (or 'value')")
    if reduce is None:
        return _scatter(input, dim, index, src, None)
    if reduce not in ('add', 'multiply'):
        raise RuntimeError('reduce argument must be either add or multiply.')
    if isinstance(src, Tensor):
        warnings.warn('The reduce argument of torch.scatter with Tensor src is deprecated and '
                      'will be removed in a future PyTorch release. Use torch.scatter_reduce '
                      'instead for more reduction options.', UserWarning, stacklevel=2)
    return _scatter(input, dim, index, src, reduce)


def scatter_add(input, dim, index, src):
    """A copy of ``input`` with ``src`` added along ``dim`` at ``index`` (repeats add up):
    ``out[index[i][j]][j] += src[i][j]`` for ``dim=0``.

    Example::

        >>> flambeau.zeros(3).scatter_add(0, flambeau.tensor([0, 0, 2]), flambeau.ones(3))
        tensor([2., 0., 1.])
    """
    if not isinstance(src, Tensor):
        raise TypeError(f"scatter_add(): argument 'src' (position 3) must be Tensor, not "
                        f'{type(src).__name__}')
    return _scatter(input, dim, index, src, 'add', 'scatter_add')


# -- scatter_reduce / index_reduce -------------------------------------------------------------
_REDUCE_UFUNC = {'sum': 'add', 'mean': 'add', 'prod': 'multiply', 'amax': 'maximum',
                 'amin': 'minimum'}
_LEGACY = {'max': 'amax', 'min': 'amin'}


def _identity(reduce, dtype):
    """The value a position takes before its first reduced element (``include_self=False``)."""
    if reduce in ('sum', 'mean'):
        return 0
    if reduce == 'prod':
        return 1
    if dtype == bool:
        return reduce == 'amin'
    if dtype.kind == 'f' or dtype.kind == 'V':
        return -np.inf if reduce == 'amax' else np.inf
    info = np.iinfo(dtype)
    return info.min if reduce == 'amax' else info.max


def _reduce_into(input, pos, vals, reduce, include_self):
    """The array of ``scatter_reduce``: ``input``'s values reduced with ``vals`` at
    ``pos``."""
    xp = xp_of(input)
    out = input._data.copy()
    target = out.reshape(1) if out.ndim == 0 else out
    if not include_self:
        target[pos] = _identity(reduce, out.dtype)
    if input._dtype in (_dt.float16, _dt.bfloat16):  # accumulate in float32, as PyTorch does
        acc = target.astype(np.float32)
        getattr(xp, _REDUCE_UFUNC[reduce]).at(acc, pos, vals.astype(np.float32))
    else:
        acc = target
        getattr(xp, _REDUCE_UFUNC[reduce]).at(acc, pos, vals)
    if reduce == 'mean':
        count = xp.full(acc.shape, 1 if include_self else 0, dtype=np.int64)
        xp.add.at(count, pos, 1)
        count[count == 0] = 1
        if input._dtype.is_floating_point:
            acc = acc / count
        else:
            acc = xp.floor_divide(acc, count)
    if acc is not target:
        target[...] = acc
    return out


class ScatterReduceBackward(Node):
    """Gradient of ``scatter_reduce``/``index_reduce``, as PyTorch defines it: ``amax``/
    ``amin`` share the gradient evenly among the elements equal to the result, ``prod``
    divides the result by each factor (zeros handled apart)."""
    __slots__ = ('label', 'dim', 'reduce', 'include_self')

    def name(self):
        return self.label

    def backward(self, g):
        x, index, src = self.saved_tensors
        result = self.saved_output()
        d, reduce = self.dim, self.reduce
        if reduce == 'sum':
            gx, gs = g, g.gather(d, index)
        elif reduce == 'mean':
            n = _zeros(g, g._data.shape) + 1 if self.include_self else _zeros(g, g._data.shape)
            n = n.scatter_add(d, index, _zeros(src, src._data.shape) + 1)
            n = n.masked_fill(n == 0, 1)
            gx, gs = g / n, g.gather(d, index) / n.gather(d, index)
        elif reduce == 'prod':
            masked_x = x.masked_fill(x == 0, 1)
            gx = g * _scatter_reduce(masked_x, d, index, src, 'prod', self.include_self,
                                     'ScatterReduceBackward0') / masked_x
            src_zero = src == 0
            n_zeros = _zeros(x, x._data.shape).scatter_add(d, index, src_zero.to(x._dtype))
            single = src_zero & (n_zeros.gather(d, index) == 1)
            masked_src = src.masked_fill(single, 1)
            masked_result = _scatter_reduce(x, d, index, masked_src, 'prod', self.include_self,
                                            'ScatterReduceBackward0')
            gs = (g * masked_result).gather(d, index).masked_fill(~single, 0) + \
                ((g * result).gather(d, index) / src.masked_fill(src_zero, 1)).masked_fill(
                    single, 0)
        else:
            value = result.gather(d, index)
            x_is = (x == result).to(x._dtype)
            src_is = (src == value).to(x._dtype)
            share = g / x_is.scatter_add(d, index, src_is)
            gx = x_is * share
            gs = src_is * share.gather(d, index)
        if not self.include_self:
            gx = gx.scatter(d, index, 0)
        return gx, gs


def _scatter_reduce(input, dim, index, src, reduce, include_self, label):
    d, pos, vals, st = _scatter_operands(input, dim, index, src, 'scatter')
    out = _reduce_into(input, pos, vals, reduce, include_self)
    r = make(out, input._dtype, input._device)
    if state.enabled and (input._requires_grad or src._requires_grad):
        node = ScatterReduceBackward()
        node.label, node.dim, node.reduce, node.include_self = label, d, reduce, include_self
        node.save(input, index, src)
        record(node, r, input, src)
        node.save_output(r)
    return r


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    """A copy of ``input`` where every element of ``src`` is reduced into the position
    ``index`` gives it along ``dim`` (for ``dim=0``, into ``out[index[i][j]][j]``), with
    ``reduce`` one of ``'sum'``, ``'prod'``, ``'mean'``, ``'amax'``, ``'amin'``. With
    ``include_self=False`` the values of ``input`` at the positions written to are left out.

    Example::

        >>> x = flambeau.tensor([1., 2., 3.])
        >>> x.scatter_reduce(0, flambeau.tensor([0, 0, 2]), flambeau.tensor([5., 7., 1.]), 'amax')
        tensor([7., 2., 3.])
    """
    reduce = _LEGACY.get(reduce, reduce)
    if reduce not in _REDUCE_UFUNC:
        raise RuntimeError(f'reduce argument must be either sum, prod, mean, amax or amin, got '
                           f'{reduce}')
    if reduce == 'mean' and input._dtype is _bool:
        from ._common import not_implemented
        raise not_implemented('scatter_gather_tensor_cpu_reduce_mean', _bool)
    return _scatter_reduce(input, dim, index, src, reduce, include_self,
                           'ScatterReduceBackward0')


def index_reduce(input, dim, index, source, reduce, *, include_self=True):
    """A copy of ``input`` where the entries of ``source`` along ``dim`` are reduced into the
    entries ``index`` names (for ``dim=0``, ``source[i]`` into ``out[index[i]]``), with
    ``reduce`` one of ``'prod'``, ``'mean'``, ``'amax'``, ``'amin'``.

    Example::

        >>> x = flambeau.ones(3)
        >>> x.index_reduce(0, flambeau.tensor([0, 0]), flambeau.tensor([2., 3.]), 'prod')
        tensor([6., 1., 1.])
    """
    warnings.warn('index_reduce() is in beta and the API may change at any time.', UserWarning,
                  stacklevel=2)
    if reduce not in ('prod', 'mean', 'amax', 'amin'):
        raise RuntimeError(f'index_reduce(): Expected reduce to be one of prod, mean, amax or '
                           f'amin but got {reduce}.')
    d = input._wrap_dim(dim)
    dt = index._dtype
    if dt is not _int64 and dt is not _int32:
        raise RuntimeError(f'index_reduce_(): Expected dtype int32/int64 for index but got: '
                           f'{dtype_title(dt)}')
    if input._dtype is _bool:  # PyTorch's kernels that lack bool, as it picks them
        from ._common import not_implemented
        if input._data.ndim <= 1:
            raise not_implemented('index_func_', _bool)
        if not include_self:
            raise not_implemented('index_reduce_func_exclude_input_init', _bool)
        if reduce == 'mean':
            raise not_implemented('div_floor_cpu', _bool)
    ix = index._data
    if ix.ndim > 1:
        raise IndexError(f'index_reduce_(): Index is supposed to be a vector, but got dim: '
                         f'{ix.ndim} with type: {dtype_title(dt)} and size: {list(ix.shape)}')
    if source._dtype is not input._dtype:
        raise RuntimeError(f'index_reduce_(): self ({dtype_title(input._dtype)}) and source '
                           f'({dtype_title(source._dtype)}) must have the same scalar type')
    _vector_index_dims(input, d, index, source, 'index_reduce_')
    s = source._data
    if s.ndim:  # the index of every element of ``source``: scatter_reduce does the rest
        shape = [1] * s.ndim
        shape[d] = -1
        full = xp_of(index).broadcast_to(ix.reshape(shape), s.shape)
    else:
        full = ix.reshape(())
    x = input._data
    size = x.shape[d] if x.ndim else 1
    bad = _first_oob(ix, size, False)
    if bad is not None:
        raise IndexError('index out of range in self')
    return _scatter_reduce(input, d, make(full, index._dtype, index._device), source, reduce,
                           include_self, 'IndexReduceBackward0')


# -- masks -----------------------------------------------------------------------------------
def _broadcast(input, mask):
    """``input`` and ``mask``'s arrays broadcast together (PyTorch's error if they can't)."""
    x, m = input._data, mask._data
    if x.shape == m.shape:
        return x, m
    xp = xp_of(input)
    try:
        shape = np.broadcast_shapes(x.shape, m.shape)
    except ValueError as e:
        from ._common import broadcast_error
        raise broadcast_error(e, x, m) from None
    return xp.broadcast_to(x, shape), xp.broadcast_to(m, shape)


class MaskedFillBackward(Node):
    __slots__ = ('label', 'xmeta', 'vmeta')

    def name(self):
        return self.label

    def backward(self, g):
        from ._common import reduce_grad
        mask, = self.saved_tensors
        gx = gv = None
        if self.xmeta is not None:
            gx = reduce_grad(g.masked_fill(mask, 0), *self.xmeta)
        if self.vmeta is not None:
            gv = g.masked_select(mask).sum()
            if gv._dtype is not self.vmeta:
                gv = gv.to(self.vmeta)
        return gx, gv


def masked_fill(input, mask, value):
    """A copy of ``input`` with ``value`` (a number or a 0-d tensor) where the bool ``mask``
    (broadcast with ``input``) is True.

    Example::

        >>> x = flambeau.tensor([1., -2., 3.])
        >>> x.masked_fill(x < 0, 0.)
        tensor([1., 0., 3.])
    """
    if mask._dtype is not _bool:
        from ..tensor import _C_TYPE
        raise RuntimeError(f'masked_fill_ only supports boolean masks, but got mask with dtype '
                           f'{_C_TYPE[mask._dtype.name]}')
    vt = None
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(f'masked_fill_ only supports a 0-dimensional value tensor, but got '
                               f'tensor with {value._data.ndim} dimension(s).')
        vt = value
        value = value.item()
    _same_device(input, mask)
    v = _cast_scalar(value, input._dtype)
    try:
        data = _select(xp_of(input), mask._data, v, input._data, input._data.dtype)
    except ValueError as e:
        from ._common import broadcast_error
        raise broadcast_error(e, mask._data, input._data) from None
    r = make(data, input._dtype, input._device)
    if state.enabled and (input._requires_grad or (vt is not None and vt._requires_grad)):
        node = MaskedFillBackward()
        node.label = 'MaskedFillBackward1' if vt is not None else 'MaskedFillBackward0'
        node.xmeta = (input._data.shape, input._dtype) if input._requires_grad else None
        node.vmeta = vt._dtype if vt is not None and vt._requires_grad else None
        node.save(mask)
        record(node, r, input, vt)
    return r


class MaskedSelectBackward0(Node):
    __slots__ = ('shape', 'dtype')

    def backward(self, g):
        from ._common import reduce_grad
        mask, = self.saved_tensors
        shape = np.broadcast_shapes(self.shape, mask._data.shape)
        return reduce_grad(_zeros(g, shape).masked_scatter(mask, g), self.shape, self.dtype)


def masked_select(input, mask, *, out=None):
    """The elements of ``input`` where the bool ``mask`` (broadcast with ``input``) is True,
    as a 1-D tensor.

    Example::

        >>> x = flambeau.tensor([[1, 2], [3, 4]])
        >>> flambeau.masked_select(x, x > 1)
        tensor([2, 3, 4])
    """
    if mask._dtype is not _bool:
        raise RuntimeError('masked_select: expected BoolTensor for mask')
    _same_device(input, mask)
    x, m = _broadcast(input, mask)
    r = make(x[m], input._dtype, input._device)
    if state.enabled and input._requires_grad:
        node = MaskedSelectBackward0()
        node.shape, node.dtype = input._data.shape, input._dtype
        node.save(mask)
        record(node, r, input)
    return r if out is None else out.copy_(r)


class MaskedScatterBackward0(Node):
    __slots__ = ('xmeta', 'smeta')

    def backward(self, g):
        from ._common import reduce_grad
        mask, = self.saved_tensors
        gx = gs = None
        if self.xmeta is not None:
            gx = reduce_grad(g.masked_fill(mask, 0), *self.xmeta)
        if self.smeta is not None:
            gs = g.masked_select(mask)
            n = 1
            for s in self.smeta:
                n *= s
            if gs._data.size < n:  # source elements left unused get zero gradient
                from .shape import cat
                gs = cat([gs, _zeros(gs, (n - gs._data.size,))])
            gs = gs.reshape(self.smeta)
        return gx, gs


def masked_scatter(input, mask, source):
    """A copy of ``input`` (broadcast with ``mask``) where the positions at which ``mask`` is
    True take the elements of ``source`` in order (row-major); ``source`` needs at least as
    many elements as ``mask`` has True values.

    Example::

        >>> x = flambeau.zeros(4)
        >>> x.masked_scatter(flambeau.tensor([True, False, True, False]), flambeau.tensor([1., 2.]))
        tensor([1., 0., 2., 0.])
    """
    if mask._dtype is not _bool:
        raise RuntimeError(f'masked_scatter_ only supports boolean masks, but got mask with '
                           f'dtype {dtype_title(mask._dtype)}')
    if source._dtype is not input._dtype:
        raise RuntimeError(f'masked_scatter: expected self and source to have same dtypes but got'
                           f'{dtype_title(input._dtype)} and {dtype_title(source._dtype)}')
    _same_device(input, mask, source)
    x, m = _broadcast(input, mask)
    n = int(m.sum())
    s = source._data
    if n > s.size:
        raise RuntimeError('Number of elements of source < number of ones in mask')
    out = x.copy()
    out[m] = s.reshape(-1)[:n]
    r = make(out, input._dtype, input._device)
    if state.enabled and (input._requires_grad or source._requires_grad):
        node = MaskedScatterBackward0()
        node.xmeta = (input._data.shape, input._dtype) if input._requires_grad else None
        node.smeta = s.shape if source._requires_grad else None
        node.save(mask)
        record(node, r, input, source)
    return r


# -- take / put / take_along_dim ---------------------------------------------------------------
def _flat_bounds(ix, n):
    bad = _first_oob(ix, n, True)
    if bad is not None:
        raise IndexError(f'out of range: tried to access index {bad} on a tensor of {n} '
                         f'elements.')


class TakeBackward0(Node):
    __slots__ = ('shape',)

    def backward(self, g):
        index, = self.saved_tensors
        return _zeros(g, self.shape).put(index, g, accumulate=True)


def take(input, index):
    """The elements of ``input``, read as a flat 1-D tensor, at the positions in ``index``
    (int64; negative positions count from the end); the result has ``index``'s shape.

    Example::

        >>> flambeau.take(flambeau.tensor([[4, 3], [5, 7]]), flambeau.tensor([0, 3, -1]))
        tensor([4, 7, 7])
    """
    if index._dtype is not _int64:
        raise RuntimeError(f'take(): Expected a long tensor for index, but got '
                           f'{dtype_title(index._dtype)}')
    _same_device(input, index)
    x, ix = input._data, index._data
    _flat_bounds(ix, x.size)
    data = x.reshape(-1)[ix]
    r = make(data, input._dtype, input._device)
    if state.enabled and input._requires_grad:
        node = TakeBackward0()
        node.shape = x.shape
        node.save(index)
        record(node, r, input)
    return r


class PutBackward0(Node):
    __slots__ = ('accumulate', 'xgrad', 'smeta')

    def backward(self, g):
        index, = self.saved_tensors
        gx = gs = None
        if self.xgrad:
            gx = g if self.accumulate else g.put(index, _zeros(g, index._data.shape))
        if self.smeta is not None:
            gs = g.take(index).reshape(self.smeta)
        return gx, gs


def put(input, index, source, accumulate=False):
    """A copy of ``input``, read as a flat 1-D tensor, with the elements of ``source``
    written at the positions in ``index`` (int64, as many as ``source`` has elements); with
    ``accumulate=True`` they are added, and repeated positions add up.

    Example::

        >>> flambeau.zeros(2, 2).put(flambeau.tensor([0, 0, 3]), flambeau.ones(3), accumulate=True)
        tensor([[2., 0.],
                [0., 1.]])
    """
    if index._dtype is not _int64:
        raise RuntimeError(f'put_(): Expected a long tensor for index, but got '
                           f'{dtype_title(index._dtype)}')
    if source._dtype is not input._dtype:
        raise RuntimeError(f'put_(): self and source expected to have the same dtype, but got '
                           f'self.dtype = {dtype_title(input._dtype)} and source.dtype = '
                           f'{dtype_title(source._dtype)}')
    ix, s = index._data, source._data
    if ix.size != s.size:
        raise IndexError(f'put_(): Expected source and index to have the same number of '
                         f'elements, but got source.numel() = {s.size}, index.numel() = '
                         f'{ix.size}')
    _same_device(input, index, source)
    out = input._data.copy()
    _flat_bounds(ix, out.size)
    flat = out.reshape(-1)  # a view: ``out`` is a fresh contiguous copy
    if accumulate:
        add_at_1d(flat, ix.reshape(-1), s.reshape(-1))
    else:
        flat[ix.reshape(-1)] = s.reshape(-1)
    r = make(out, input._dtype, input._device)
    if state.enabled and (input._requires_grad or source._requires_grad):
        node = PutBackward0()
        node.accumulate, node.xgrad = accumulate, input._requires_grad
        node.smeta = s.shape if source._requires_grad else None
        node.save(index)
        record(node, r, input, source)
    return r


def take_along_dim(input, indices, dim=None, *, out=None):
    """The values of ``input`` at ``indices`` along ``dim`` (``gather`` where ``input`` and
    ``indices`` broadcast against each other in the other dims); with ``dim=None`` both are
    read flat. Pairs with ``argsort``/``argmax(keepdim=True)``.

    Example::

        >>> x = flambeau.tensor([[10, 30, 20], [60, 40, 50]])
        >>> flambeau.take_along_dim(x, x.argmax(dim=1, keepdim=True), dim=1)
        tensor([[30],
                [60]])
    """
    if indices._dtype is not _int64:
        raise RuntimeError(f'torch.take_along_dim(): dtype of indices should be Long but got '
                           f'{dtype_title(indices._dtype)}')
    if dim is None:
        r = gather(input.reshape(-1), 0, indices.reshape(-1))
        return r if out is None else out.copy_(r)
    d = input._wrap_dim_sized(dim)
    x, ix = input._data, indices._data
    if x.ndim != ix.ndim:
        raise RuntimeError(f'torch.take_along_dim(): input and indices should have the same '
                           f'number of dimensions, but got {x.ndim} dimensions for input, and '
                           f'{ix.ndim} dimensions for indices')
    xs, ixs = list(x.shape), list(ix.shape)
    xs[d] = ixs[d]
    try:
        shape = list(np.broadcast_shapes(tuple(xs), tuple(ixs)))
    except ValueError as e:
        from ._common import broadcast_error
        z = np.empty((), bool)
        raise broadcast_error(e, np.broadcast_to(z, xs), np.broadcast_to(z, ixs)) from None
    if shape != ixs:
        indices = indices.expand(shape)
    shape[d] = x.shape[d]
    if shape != list(x.shape):
        input = input.expand(shape)
    r = gather(input, d, indices)
    return r if out is None else out.copy_(r)


# Tensor methods: {name: function}; INPLACE: {name_: out-of-place function} made in-place by
# ops.inplace.inplace_of. (gather, scatter, scatter_add and index_put are bound centrally.)
METHODS = {'index_select': index_select, 'index_add': index_add, 'index_copy': index_copy,
           'index_fill': index_fill, 'index_reduce': index_reduce, 'masked_fill': masked_fill,
           'masked_select': masked_select, 'masked_scatter': masked_scatter, 'take': take,
           'take_along_dim': take_along_dim, 'put': put, 'scatter_reduce': scatter_reduce}
INPLACE = {'index_add_': index_add, 'index_copy_': index_copy, 'index_fill_': index_fill,
           'index_reduce_': index_reduce, 'masked_fill_': masked_fill,
           'masked_scatter_': masked_scatter, 'put_': put, 'scatter_reduce_': scatter_reduce}
