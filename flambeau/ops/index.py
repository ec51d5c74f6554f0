"""Indexing: ``x[idx]`` (basic indexing gives a view, advanced indexing a copy),
``x[idx] = v``, ``gather`` and ``scatter``, each with its derivative.

An index is normalised once (``_normalize``) into what NumPy takes: ints, slices, None,
Ellipsis, and integer or bool arrays on the tensor's device.
"""
__all__ = ['gather', 'index_put', 'scatter', 'scatter_add']
import numpy as np

from .. import dtypes as _dt
from ._common import Node, Tensor, make, make_view, record, state, xp_of


def _normalize(t, idx):
    """``idx`` as a tuple NumPy understands, and whether it is basic (a view)."""
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
    for i in idx:
        ti = type(i)
        if ti is int or ti is slice or i is None or i is Ellipsis:
            out.append(i)
        elif ti is bool:
            out.append(np.bool_(i))
            basic = False
        elif isinstance(i, Tensor):
            if i._dtype.is_floating_point:
                raise IndexError('tensors used as indices must be long, int, byte or bool tensors')
            if i._data.ndim == 0 and i._dtype is not _dt.bool:  # an integer: x[t] is a view
                out.append(int(i.item()))
                continue
            if i._device is not t._device and i._device.type != 'cpu':
                from ._common import device_mismatch
                raise device_mismatch(t, i)
            data = i._data if i._device is t._device else \
                t._device._backend.from_host(i._data, t._device.index)
            if i._dtype is _dt.uint8:
                data = data.astype(bool)
            out.append(data)
            basic = False
        elif isinstance(i, (np.integer,)):
            out.append(int(i))
        elif isinstance(i, (list, np.ndarray, range)):
            arr = np.asarray(i)
            if arr.dtype.kind == 'f':
                raise IndexError('tensors used as indices must be long, int, byte or bool tensors')
            if arr.dtype.kind not in 'biu' and arr.size == 0:
                arr = arr.astype(np.int64)
            out.append(t._device._backend.from_host(arr, t._device.index))
            basic = False
        else:
            raise IndexError('only integers, slices (`:`), ellipsis (`...`), None and long or byte '
                             'Variables are valid indices (got ' + ti.__name__ + ')')
    return tuple(out), basic


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
        msg = msg.replace('axis', 'dimension')
        return IndexError(msg)
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


def index_put_zeros(g, shape, idx, accumulate):
    """Zeros of ``shape`` with ``g`` put at ``idx`` (added when ``accumulate``)."""
    xp = xp_of(g)
    out = xp.zeros(shape, dtype=g._data.dtype)
    if accumulate:
        if xp is np:
            np.add.at(out, idx, g._data)
        else:
            xp.add.at(out, idx, g._data)
    else:
        out[idx] = g._data
    r = make(out, g._dtype, g._device)
    if state.enabled and g._requires_grad:
        node = IndexPutZerosBackward()
        node.idx = idx
        record(node, r, g)
    return r


def _getitem_norm(t, idx, basic, label):
    try:
        data = t._data[idx]
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
    lists and arrays select a copy.

    Example::

        >>> x = flambeau.arange(6).view(2, 3)
        >>> x[1], x[:, 1:], x[x > 3]
        (tensor([3, 4, 5]), tensor([[1, 2], [4, 5]]), tensor([4, 5]))
    """
    if type(idx) is int and input._data.ndim:  # fast path: x[i]
        n = input._data.shape[0]
        if not -n <= idx < n:
            raise IndexError(f'index {idx} is out of bounds for dimension 0 with size {n}')
        return _getitem_norm(input, (idx,), True, 'SelectBackward0')
    norm, basic = _normalize(input, idx)
    if input._data.ndim == 0 and any(type(i) in (int, slice) for i in norm):
        raise IndexError('invalid index of a 0-dim tensor. Use `tensor.item()` in Python or '
                         '`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number')
    return _getitem_norm(input, norm, basic, _index_label(norm) if basic else 'IndexBackward0')


# -- setitem ---------------------------------------------------------------------------------
class IndexPutBackward(Node):
    """Gradient of ``index_put``: the old tensor gets the gradient with ``idx`` zeroed, the
    values the gradient read at ``idx`` (summed back to their shape)."""
    __slots__ = ('label', 'idx', 'vmeta')

    def name(self):
        return self.label

    def backward(self, g):
        from ._common import reduce_grad
        if state.enabled:  # create_graph: zero the written region differentiably
            from .pointwise import where
            keep = xp_of(g).ones(g._data.shape, dtype=bool)
            keep[self.idx] = False
            gx = where(make(keep, _dt.bool, g._device), g, 0.)
        else:
            gx = g.clone()
            gx._data[self.idx] = 0
        gv = None
        if self.vmeta is not None:
            gv = reduce_grad(_getitem_norm(g, self.idx, False, 'IndexBackward0'), *self.vmeta)
        return gx, gv


def values_array(t, value, shape):
    """``value`` (a Tensor or number) as an array of ``t``'s dtype and device."""
    if isinstance(value, Tensor):
        if value._device is not t._device:
            if value._data.ndim == 0 and value._device.type == 'cpu':
                return t._device._backend.from_host(value._data.astype(t._dtype.numpy),
                                                    t._device.index)
            from ._common import device_mismatch
            raise device_mismatch(t, value)
        return value._data.astype(t._dtype.numpy, copy=False)
    from ._common import as_number, scalar_value
    return scalar_value(as_number(value), t._dtype)


def setitem_shape_error(t, norm, basic, value):
    """PyTorch's error when ``value`` does not fit ``t[norm]``: a basic index is written by
    ``copy_`` (expand's message), an advanced one by ``index_put_``."""
    target = t._data[norm].shape
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


def index_put(input, idx, values):
    """A copy of ``input`` with ``values`` written at ``idx`` (the out-of-place form of
    ``input[idx] = values``)."""
    norm, basic = _normalize(input, idx)
    data = input._data.copy()
    try:
        data[norm] = values_array(input, values, None)
    except IndexError as e:
        raise _index_error(input, norm, e) from None
    except ValueError:
        raise setitem_shape_error(input, norm, basic, values) from None
    r = make(data, input._dtype, input._device)
    vt = values if isinstance(values, Tensor) else None
    if state.enabled and (input._requires_grad or (vt is not None and vt._requires_grad)):
        node = IndexPutBackward()
        node.label = 'torch::autograd::CopySlices' if basic else 'IndexPutBackward0'
        node.idx = norm
        node.vmeta = (vt._data.shape, vt._dtype) if vt is not None and vt._requires_grad else None
        record(node, r, input, vt)
    return r


# -- gather / scatter ------------------------------------------------------------------------
class GatherBackward0(Node):
    __slots__ = ('dim', 'shape')

    def backward(self, g):
        index, = self.saved_tensors
        from .creation import zeros
        return zeros(self.shape, dtype=g.dtype, device=g.device).scatter_add(self.dim, index, g)


def _check_index(input, dim, index, name):
    if index._dtype is not _dt.int64 and index._dtype is not _dt.int32:
        raise RuntimeError(f'{name}(): Expected dtype int32/int64 for index')
    if index._data.ndim != input._data.ndim and index._data.size:
        raise RuntimeError(f'Index tensor must have the same number of dimensions as '
                           f'{"input" if name == "gather" else "self"} tensor')
    return input._wrap_dim(dim)


def gather(input, dim, index, *, sparse_grad=False, out=None):
    """Values of ``input`` along ``dim`` at ``index``: ``out[i][j] = input[index[i][j]][j]``
    for ``dim=0``.

    Example::

        >>> flambeau.gather(flambeau.tensor([[1, 2], [3, 4]]), 1, flambeau.tensor([[0, 0], [1, 0]]))
        tensor([[1, 1],
                [4, 3]])
    """
    d = _check_index(input, dim, index, 'gather')
    xp = xp_of(input)
    x, ix = input._data, index._data
    try:
        if ix.shape == x.shape:
            data = xp.take_along_axis(x, ix, axis=d)
        elif _fits(ix, x, d):  # an index smaller than input reads its leading corner
            corner = tuple(slice(None) if k == d else slice(0, n) for k, n in enumerate(ix.shape))
            data = xp.take_along_axis(x[corner], ix, axis=d)
        else:
            data = None
    except IndexError as e:
        raise RuntimeError(f'index out of range in self ({e})') from None
    if data is None:
        raise RuntimeError(f'Size does not match at dimension {d} expected index '
                           f'{list(ix.shape)} to be smaller than self {list(x.shape)} apart from '
                           f'dimension {d}')
    r = make(data, input._dtype, input._device)
    if state.enabled and input._requires_grad:
        node = GatherBackward0()
        node.dim, node.shape = d, x.shape
        node.save(index)
        record(node, r, input)
    return r if out is None else out.copy_(r)


def _fits(ix, x, d):
    return all(a <= b for k, (a, b) in enumerate(zip(ix.shape, x.shape)) if k != d)


def _scatter_index(ix, d):
    """Full index arrays addressing, for every element of ``ix``, the target position."""
    grids = list(np.indices(ix.shape, sparse=True))
    grids[d] = ix
    return tuple(grids)


class ScatterBackward(Node):
    __slots__ = ('label', 'dim', 'add')

    def name(self):
        return self.label

    def backward(self, g):
        index, = self.saved_tensors
        gx = g if self.add else g.scatter(self.dim, index, 0.0)
        return gx, g.gather(self.dim, index)


def _scatter(input, dim, index, src, add):
    d = _check_index(input, dim, index, 'scatter')
    xp = xp_of(input)
    out = input._data.copy()
    pos = _scatter_index(index._data, d)
    if isinstance(src, Tensor):
        vals = src._data[tuple(slice(0, s) for s in index._data.shape)]
        vals = vals.astype(out.dtype, copy=False)
    else:
        vals = src
    try:
        if add:
            if xp is np:
                np.add.at(out, pos, vals)
            else:
                xp.add.at(out, pos, vals)
        else:
            out[pos] = vals
    except IndexError as e:
        raise RuntimeError(f'index {e} is out of bounds') from None
    r = make(out, input._dtype, input._device)
    st = src if isinstance(src, Tensor) else None
    if state.enabled and (input._requires_grad or (st is not None and st._requires_grad)):
        node = ScatterBackward()
        node.label = 'ScatterAddBackward0' if add else ('ScatterBackward0' if st is not None
                                                        else 'ScatterBackward1')
        node.dim, node.add = d, add
        node.save(index)
        record(node, r, input, st)
    return r


def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    """A copy of ``input`` with ``src`` (a tensor or number) written along ``dim`` at
    ``index``: ``out[index[i][j]][j] = src[i][j]`` for ``dim=0``.

    Example::

        >>> flambeau.zeros(2, 3).scatter(1, flambeau.tensor([[2], [0]]), 1.0)
        tensor([[0., 0., 1.],
                [1., 0., 0.]])
    """
    if src is None:
        src = value
    if reduce is not None:
        if reduce == 'add':
            return _scatter(input, dim, index, src, True)
        raise RuntimeError(f'reduce argument must be either add or multiply, got {reduce}'
                           if reduce != 'multiply' else
                           "scatter(reduce='multiply') is not supported by flambeau yet")
    return _scatter(input, dim, index, src, False)


def scatter_add(input, dim, index, src):
    """A copy of ``input`` with ``src`` added along ``dim`` at ``index`` (repeats add up).

    Example::

        >>> flambeau.zeros(3).scatter_add(0, flambeau.tensor([0, 0, 2]), flambeau.ones(3))
        tensor([2., 0., 1.])
    """
    return _scatter(input, dim, index, src, True)
