"""Finding elements: ``nonzero``, ``argwhere``, ``searchsorted``, ``bucketize``. None of them
is differentiable: their results are int64 (or int32) positions."""
__all__ = ['argwhere', 'bucketize', 'nonzero', 'searchsorted']
import numpy as np

from .. import dtypes as _dt
from ._common import Tensor, device_mismatch, dtype_title, make, not_implemented, xp_of


def nonzero(input, *, out=None, as_tuple=False):
    """The positions of the non-zero elements of ``input``: a 2-D int64 tensor with one row
    ``(i, j, ...)`` per element, in row-major order, or with ``as_tuple=True`` a tuple of one
    1-D tensor per dim (a 0-d input counts as 1-D there).

    Example::

        >>> x = flambeau.tensor([[0, 1], [2, 0]])
        >>> flambeau.nonzero(x)
        tensor([[0, 1],
                [1, 0]])
        >>> flambeau.nonzero(x, as_tuple=True)
        (tensor([0, 1]), tensor([1, 0]))
    """
    xp = xp_of(input)
    x = input._data
    dev = input._device
    if as_tuple:
        if out is not None:
            raise TypeError('nonzero(): as_tuple=True does not take out=')
        parts = xp.nonzero(x.reshape(1) if x.ndim == 0 else x)
        return tuple(make(p.astype(np.int64, copy=False), _dt.int64, dev) for p in parts)
    if x.ndim == 0:
        data = xp.zeros((1 if x.item() else 0, 0), dtype=np.int64)
    else:
        data = xp.ascontiguousarray(xp.array(xp.nonzero(x), dtype=np.int64).T)
    r = make(data, _dt.int64, dev)
    return r if out is None else out.copy_(r)


def argwhere(input):
    """The positions of the non-zero elements of ``input``, one row per element (the same as
    ``nonzero(input)``).

    Example::

        >>> flambeau.argwhere(flambeau.tensor([1, 0, 3]))
        tensor([[0],
                [2]])
    """
    return nonzero(input)


def _sorted_values(name, boundaries, input, sorter=None):
    """Arrays of ``boundaries`` and ``input`` in a common dtype (PyTorch promotes them; a
    Python number is a 0-d tensor)."""
    if isinstance(input, Tensor):
        if input._device is not boundaries._device:
            raise device_mismatch(boundaries, input)
        dt = _dt.result_type(boundaries, input)
        v = input._data
    else:
        from ._common import as_number, scalar_result_dtype, scalar_value
        value = as_number(input)
        if type(value) not in (int, float, bool):
            raise TypeError(f"{name}(): argument 'input' must be Tensor or Number, not "
                            f'{type(value).__name__}')
        dt = scalar_result_dtype(boundaries._dtype, value)
        v = xp_of(boundaries).asarray(scalar_value(value, dt))
    if dt is _dt.bool and v.size:  # PyTorch returns empty inputs before picking a kernel
        raise not_implemented('searchsorted_out_cpu', dt)
    b = boundaries._data
    if b.dtype != dt.numpy:
        b = b.astype(dt.numpy)
    if v.dtype != dt.numpy:
        v = v.astype(dt.numpy)
    if dt in (_dt.float16, _dt.bfloat16):  # NumPy sorts ml_dtypes' bfloat16 only through float32
        b, v = b.astype(np.float32), v.astype(np.float32)
    return b, v


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None,
                 out=None):
    """For every value of ``input``, the index at which it would be inserted into the last dim
    of ``sorted_sequence`` to keep it sorted: the first such index, or the last with
    ``right=True`` (``side='right'``). ``sorted_sequence`` is 1-D, or has ``input``'s leading
    dims (one sorted row per row of ``input``); ``sorter`` gives the order that sorts an
    unsorted ``sorted_sequence``. The result has ``input``'s shape (0-d for a number), int64
    or int32 with ``out_int32=True``.

    Example::

        >>> flambeau.searchsorted(flambeau.tensor([1, 3, 5, 7]), flambeau.tensor([3, 6, 9]))
        tensor([1, 3, 4])
        >>> flambeau.searchsorted(flambeau.tensor([1, 3, 5, 7]), 3, right=True)
        tensor(2)
    """
    name = 'torch.searchsorted'
    if side is not None:
        if side not in ('left', 'right'):
            raise RuntimeError(f"{name}(): side can only be 'left' or 'right' but got {side}")
        if right and side == 'left':
            raise RuntimeError(f"{name}(): side and right can't be set to opposites, got side of "
                               f'left while right was True')
        right = side == 'right'
    bnd = sorted_sequence._data
    if bnd.ndim == 0:
        raise RuntimeError(f'{name}(): boundaries tensor should have positive dimension, but got '
                           f'0 dimension')
    vshape = input._data.shape if isinstance(input, Tensor) else ()
    if bnd.ndim > 1 and tuple(bnd.shape[:-1]) != tuple(vshape[:-1]) or \
            bnd.ndim > 1 and len(vshape) != bnd.ndim:
        raise RuntimeError(f'{name}(): boundaries tensor should be 1 dimension or the first N-1 '
                           f'dimensions of boundaries tensor and input value tensor must match, '
                           f'but we got boundaries tensor {list(bnd.shape)} and input value '
                           f'tensor {list(vshape)}')
    b, v = _sorted_values(name, sorted_sequence, input)
    xp = xp_of(sorted_sequence)
    if sorter is not None:
        if sorter._dtype is not _dt.int64:
            raise RuntimeError(f'{name}(): sorter must be a tensor of long dtype but got dtype '
                               f'{dtype_title(sorter._dtype)}')
        if sorter._data.shape != bnd.shape:
            raise RuntimeError(f'{name}(): boundary and sorter must have the same size, but got '
                               f'boundary tensor {list(bnd.shape)}and got sorter tensor '
                               f'{list(sorter._data.shape)}')
        b = xp.take_along_axis(b, sorter._data, axis=-1)
    s = 'right' if right else 'left'
    if b.ndim == 1:
        res = xp.searchsorted(b, v, side=s)
    else:  # one sorted row per row of ``input``
        rows_b = b.reshape(-1, b.shape[-1])
        rows_v = v.reshape(-1, v.shape[-1])
        res = xp.empty(rows_v.shape, dtype=np.int64)
        for k in range(rows_b.shape[0]):
            res[k] = xp.searchsorted(rows_b[k], rows_v[k], side=s)
        res = res.reshape(v.shape)
    dt = _dt.int32 if out_int32 else _dt.int64
    r = make(xp.asarray(res).astype(dt.numpy, copy=False), dt, sorted_sequence._device)
    return r if out is None else out.copy_(r)


def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    """The index of the bucket of ``boundaries`` (1-D, increasing) each value of ``input``
    falls in: ``i`` such that ``boundaries[i-1] < x <= boundaries[i]``
    (``boundaries[i-1] <= x < boundaries[i]`` with ``right=True``). The result has
    ``input``'s shape (0-d for a number), int64 or int32 with ``out_int32=True``.

    Example::

        >>> flambeau.bucketize(flambeau.tensor([1, 5, 9]), flambeau.tensor([1, 3, 5, 7]))
        tensor([0, 2, 4])
    """
    if boundaries._data.ndim != 1:
        raise RuntimeError(f'boundaries tensor must be 1 dimension, but got dim('
                           f'{boundaries._data.ndim})')
    b, v = _sorted_values('bucketize', boundaries, input)
    xp = xp_of(boundaries)
    res = xp.asarray(xp.searchsorted(b, v, side='right' if right else 'left'))
    dt = _dt.int32 if out_int32 else _dt.int64
    r = make(res.astype(dt.numpy, copy=False), dt, boundaries._device)
    return r if out is None else out.copy_(r)


# Tensor methods: {name: function}; INPLACE: {name_: out-of-place function} made in-place by
# ops.inplace.inplace_of.
METHODS = {'nonzero': nonzero, 'argwhere': argwhere}
INPLACE = {}
