"""Shape ops that copy: ``repeat``/``tile``, ``repeat_interleave``, ``flip`` (``fliplr``,
``flipud``), ``roll``, ``rot90``, ``tril``/``triu``, ``diag``, ``diag_embed``, ``diagflat`` and
the ``*stack`` family (``hstack``, ``vstack``/``row_stack``, ``dstack``, ``column_stack``), each
with its derivative.

These ops only move elements, so every derivative is the same kind of move applied to the
gradient (``flip`` of a flip, ``roll`` back, the diagonal read back ...) and is itself
differentiable. Views (``diagonal``, ``unfold``, ``as_strided`` ...) live in shape.py.
"""
__all__ = ['column_stack', 'diag', 'diag_embed', 'diagflat', 'dstack', 'flip', 'fliplr', 'flipud',
           'hstack', 'repeat_interleave', 'roll', 'rot90', 'row_stack', 'tile', 'tril', 'triu',
           'vstack']
import numpy as np

from .. import dtypes as _dt
from ._common import Node, Tensor, make, normalize_dims, not_implemented, record, shape_arg, state
from .convert import clone
from .index import index_put_zeros
from .shape import (DiagonalBackward, _at1, _at2, _at3, _diagonal_array, _diagonal_dims, cat,
                    embed_diagonal, expand, flatten, reshape, unsqueeze)


# -- repeat / tile ---------------------------------------------------------------------------
class RepeatBackward0(Node):
    """Each input element's gradient is the sum over its copies: view the gradient as
    (copies, size) pairs per dim and sum the copies."""
    __slots__ = ('shape', 'sizes')

    def backward(self, g):
        sizes, shape = self.sizes, self.shape
        if not sizes:
            return g
        padded = (1,) * (len(sizes) - len(shape)) + tuple(shape)
        split = []
        for r, n in zip(sizes, padded):
            split += [r, n]
        return g.reshape(split).sum(tuple(range(0, 2 * len(sizes), 2))).reshape(shape)


def repeat(input, *sizes):
    """``input`` repeated ``sizes[i]`` times along each dim (a copy). ``sizes`` may have more
    entries than ``input`` has dims: the tensor is then treated as having leading dims of
    size 1. ``Tensor.repeat`` is NumPy's ``tile``.

    Example::

        >>> flambeau.tensor([1, 2]).repeat(2, 2)
        tensor([[1, 2, 1, 2],
                [1, 2, 1, 2]])
    """
    if not sizes:
        raise TypeError('repeat() missing 1 required positional arguments: "repeats"')
    sizes = shape_arg(sizes)
    x = input._data
    if len(sizes) < x.ndim:
        raise RuntimeError('Number of dimensions of repeat dims can not be smaller than number of '
                           'dimensions of tensor')
    padded = (1,) * (len(sizes) - x.ndim) + x.shape
    target = [r * n for r, n in zip(sizes, padded)]
    for n in target:
        if n < 0:
            raise RuntimeError(f'Trying to create tensor with negative dimension {n}: {target}')
    xp = input._device._backend.xp
    r = make(xp.tile(x, sizes) if sizes else x.copy(), input._dtype, input._device)
    if state.enabled and input._requires_grad:
        node = RepeatBackward0()
        node.shape, node.sizes = x.shape, sizes
        record(node, r, input)
    return r


def tile(input, dims):
    """``input`` repeated ``dims[i]`` times along each dim; fewer ``dims`` than dims of
    ``input`` are padded with leading 1s (unlike ``repeat``).

    Example::

        >>> flambeau.tensor([[1, 2]]).tile((2,))
        tensor([[1, 2, 1, 2]])
    """
    if isinstance(dims, (int, np.integer)):
        raise TypeError(f"tile(): argument 'dims' (position 2) must be tuple of ints, not "
                        f'{type(dims).__name__}')
    dims = tuple(int(d) for d in dims)
    n = input._data.ndim
    if len(dims) < n:
        dims = (1,) * (n - len(dims)) + dims
    return repeat(input, dims)


def _tile_method(self, *dims):
    """``Tensor.tile(*dims)``: :func:`tile` with the repeats as a sequence or as arguments."""
    if not dims:
        raise TypeError('tile() missing 1 required positional arguments: "dims"')
    return tile(self, shape_arg(dims))


# -- repeat_interleave -----------------------------------------------------------------------
class IndexSelectBackward0(Node):
    """Gradient of selecting along a dim with a (repeating) index: add the gradient back."""
    __slots__ = ('shape', 'idx')

    def backward(self, g):
        return index_put_zeros(g, self.shape, self.idx, True)


def _repeats_index(repeats):
    """``repeat_interleave(repeats)``: each position ``i`` written ``repeats[i]`` times."""
    if repeats._dtype not in (_dt.int64, _dt.int32):
        raise not_implemented('repeat_interleave_cpu', repeats._dtype)
    if repeats._data.ndim > 1:
        raise RuntimeError('repeats must be 0-dim or 1-dim tensor')
    counts = repeats._host().reshape(-1)
    if counts.size and counts.min() < 0:
        raise RuntimeError('repeats can not be negative')
    return np.repeat(np.arange(counts.size, dtype=np.int64), counts)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Repeat each element of ``input`` ``repeats`` times along ``dim`` (``input`` flattened
    when ``dim`` is None). ``repeats`` is an int or a tensor with one count per element of that
    dim (or a single count). ``output_size`` is the length of the result along ``dim``, which
    it must match. ``repeat_interleave(repeats)`` alone gives the indices
    ``0, ..., 0, 1, ..., 1, ...`` repeated by ``repeats``.

    Example::

        >>> flambeau.tensor([1, 2]).repeat_interleave(2)
        tensor([1, 1, 2, 2])
        >>> flambeau.tensor([[1, 2], [3, 4]]).repeat_interleave(flambeau.tensor([1, 2]), dim=0)
        tensor([[1, 2],
                [3, 4],
                [3, 4]])
    """
    if repeats is None:  # the index form: the input is the repeats tensor
        if input._data.ndim != 1:
            raise RuntimeError('repeat_interleave only accept 1D vector as repeat')
        index = _repeats_index(input)
        if output_size is not None and output_size != index.size:
            raise RuntimeError('allocated size does not match required size')
        return make(input._device._backend.from_host(index.astype(input._dtype.numpy),
                                                     input._device.index),
                    input._dtype, input._device)
    if isinstance(repeats, Tensor):
        if dim is None:
            input = flatten(input)
            d = 0
        else:
            d = input._wrap_dim(dim)
        n = input._data.shape[d]
        if repeats._data.ndim == 1 and repeats._data.size != 1 and repeats._data.size != n:
            raise RuntimeError(f'repeats must have the same size as input along dim, but got '
                               f'repeats.size(0) = {repeats._data.size} and input.size({d}) = {n}')
        index = _repeats_index(repeats)
        if repeats._data.size == 1 and repeats._data.ndim <= 1:
            index = np.repeat(np.arange(n, dtype=np.int64), int(repeats._host().reshape(())))
        if output_size is not None and output_size != index.size:
            raise RuntimeError('allocated size does not match required size')
        idx = (slice(None),) * d + (input._device._backend.from_host(index, input._device.index),)
        r = make(input._data[idx], input._dtype, input._device)
        if state.enabled and input._requires_grad:
            node = IndexSelectBackward0()
            node.shape, node.idx = input._data.shape, idx
            record(node, r, input)
        return r
    repeats = int(repeats)
    d = input._wrap_dim(0 if dim is None else dim)
    if dim is None:
        input = flatten(input)
    if repeats < 0:
        raise RuntimeError('Repeats must be non-negative')
    if output_size is not None:
        want = (input._data.shape[d] if input._data.ndim else 1) * repeats
        if output_size != want:
            raise RuntimeError(f'repeat_interleave: Invalid output_size, expected {want} but got '
                               f'{output_size}')
    # as PyTorch builds it (the same grad_fn chain): unsqueeze, expand, clone, flatten
    u = unsqueeze(input, d + 1)
    shape = list(u._data.shape)
    shape[d + 1] = repeats
    return flatten(clone(expand(u, shape)), d, d + 1)


# -- flip / roll / rot90 -------------------------------------------------------------------------
class FlipBackward0(Node):
    __slots__ = ('dims',)

    def backward(self, g):
        return flip(g, self.dims)


def flip(input, dims):
    """A copy of ``input`` with the order of elements reversed along each dim in ``dims``.

    Example::

        >>> flambeau.tensor([[1, 2], [3, 4]]).flip([0])
        tensor([[3, 4],
                [1, 2]])
    """
    if isinstance(dims, (int, np.integer)):
        raise TypeError(f"flip(): argument 'dims' (position 2) must be tuple of ints, not "
                        f'{type(dims).__name__}')
    x = input._data
    dims = normalize_dims(tuple(dims), x.ndim)
    r = make(input._device._backend.xp.flip(x, dims).copy() if dims else x.copy(), input._dtype,
             input._device)
    if state.enabled and input._requires_grad:
        node = FlipBackward0()
        node.dims = dims
        record(node, r, input)
    return r


def _flip_method(self, *dims):
    """``Tensor.flip(*dims)``: :func:`flip` with the dims as a sequence or as arguments."""
    if not dims:
        raise TypeError('flip() missing 1 required positional arguments: "dims"')
    return flip(self, shape_arg(dims))


def fliplr(input):
    """``input`` with its columns (dim 1) in reverse order; at least 2 dims.

    Example::

        >>> flambeau.tensor([[1, 2], [3, 4]]).fliplr()
        tensor([[2, 1],
                [4, 3]])
    """
    if input._data.ndim < 2:
        raise RuntimeError('Input must be >= 2-d.')
    return flip(input, (1,))


def flipud(input):
    """``input`` with its rows (dim 0) in reverse order; at least 1 dim.

    Example::

        >>> flambeau.tensor([[1, 2], [3, 4]]).flipud()
        tensor([[3, 4],
                [1, 2]])
    """
    if input._data.ndim < 1:
        raise RuntimeError('Input must be >= 1-d.')
    return flip(input, (0,))


class RollBackward0(Node):
    __slots__ = ('shifts', 'dims')

    def backward(self, g):
        return roll(g, tuple(-s for s in self.shifts), self.dims)


def roll(input, shifts, dims=None):
    """Shift the elements of ``input`` cyclically by ``shifts`` along ``dims`` (ints or
    tuples of the same length); without ``dims`` the tensor is rolled as if flattened.

    Example::

        >>> flambeau.tensor([[1, 2], [3, 4]]).roll(1)
        tensor([[4, 1],
                [2, 3]])
        >>> flambeau.tensor([[1, 2], [3, 4]]).roll(1, 1)
        tensor([[2, 1],
                [4, 3]])
    """
    shifts = (int(shifts),) if isinstance(shifts, (int, np.integer)) else \
        tuple(int(s) for s in shifts)
    dims = () if dims is None else (int(dims),) if isinstance(dims, (int, np.integer)) else \
        tuple(int(d) for d in dims)
    if not shifts:
        raise RuntimeError('`shifts` required')
    x = input._data
    xp = input._device._backend.xp
    if not dims and len(shifts) == 1:
        flat = x.reshape(-1)
        data = _roll_array(xp, flat, shifts[0], 0)
        data = (flat.copy() if data is flat else data).reshape(x.shape)
        dims = None
    else:
        if len(shifts) != len(dims):
            raise RuntimeError(f'shifts and dimensions must align. shifts: {len(shifts)}, '
                               f'dims:{len(dims)}')
        dims = tuple(input._wrap_dim_sized(d) for d in dims)
        data = x
        for s, d in zip(shifts, dims):
            data = _roll_array(xp, data, s, d)
        if data is x:
            data = x.copy()
    r = make(data, input._dtype, input._device)
    if state.enabled and input._requires_grad:
        node = RollBackward0()
        node.shifts, node.dims = shifts, dims
        record(node, r, input)
    return r


def _roll_array(xp, x, shift, axis):
    """``x`` rolled by ``shift`` along ``axis`` in two slice copies (np.roll costs ~3x more on
    small arrays); ``x`` itself when the shift is a whole turn."""
    n = x.shape[axis]
    s = shift % n if n else 0
    if not s:
        return x
    out = xp.empty(x.shape, x.dtype)
    lead = (slice(None),) * axis
    out[lead + (slice(s, None),)] = x[lead + (slice(None, n - s),)]
    out[lead + (slice(None, s),)] = x[lead + (slice(n - s, None),)]
    return out


class Rot90Backward0(Node):
    __slots__ = ('k', 'dims')

    def backward(self, g):
        return rot90(g, -self.k, self.dims)


def rot90(input, k=1, dims=(0, 1)):
    """``input`` rotated by 90 degrees ``k`` times in the plane of ``dims``, from the first
    dim towards the second (a copy).

    Example::

        >>> flambeau.tensor([[1, 2], [3, 4]]).rot90()
        tensor([[2, 4],
                [1, 3]])
    """
    dims = [int(d) for d in dims]
    x = input._data
    n = x.ndim
    if len(dims) != 2:
        raise RuntimeError(f'expected total rotation dims == 2, but got dims = {len(dims)}')
    if n < 2:
        raise RuntimeError(f'expected total dims >= 2, but got total dims = {n}')
    a, b = input._wrap_dim(dims[0]), input._wrap_dim(dims[1])
    if a == b:
        raise RuntimeError(f'expected rotation dims to be different, but got dim0 = {dims[0]} and '
                           f'dim1 = {dims[1]}')
    k = int(k)
    turns = k % 4
    xp = input._device._backend.xp
    if turns == 1:  # as PyTorch lays it out: a flipped copy, transposed
        data = xp.flip(x, b).copy().swapaxes(a, b)
    elif turns == 2:
        data = xp.flip(x, (a, b)).copy()
    elif turns == 3:
        data = xp.flip(x, a).copy().swapaxes(a, b)
    else:
        data = x.copy()
    r = make(data, input._dtype, input._device)
    if state.enabled and input._requires_grad:
        node = Rot90Backward0()
        node.k, node.dims = k, (a, b)
        record(node, r, input)
    return r


# -- triangles and diagonals -----------------------------------------------------------------
class TrilBackward0(Node):
    __slots__ = ('diagonal',)

    def backward(self, g):
        return tril(g, self.diagonal)


class TriuBackward0(Node):
    __slots__ = ('diagonal',)

    def backward(self, g):
        return triu(g, self.diagonal)


_TRI_MASKS = {}


def _tri_mask(n, m, k, lower):
    """The (cached) bool mask of the elements ``tril``/``triu`` keep in an ``n`` x ``m``
    matrix: np.tril rebuilds it on every call, which costs most of its time on small inputs."""
    key = (n, m, k, lower)
    mask = _TRI_MASKS.get(key)
    if mask is None:
        mask = np.tri(n, m, k, dtype=bool) if lower else ~np.tri(n, m, k - 1, dtype=bool)
        if n * m <= 65536:  # small masks only: a cache of big ones would hold much memory
            if len(_TRI_MASKS) >= 256:
                _TRI_MASKS.clear()
            _TRI_MASKS[key] = mask
    return mask


def _triangle(input, diagonal, out, name, node_cls):
    x = input._data
    if x.ndim < 2:
        raise RuntimeError(f'{name}: input tensor must have at least 2 dimensions')
    xp = input._device._backend.xp
    diagonal = int(diagonal)
    if xp is np:
        data = np.where(_tri_mask(x.shape[-2], x.shape[-1], diagonal, name == 'tril'), x,
                        np.zeros((), x.dtype))
    else:
        data = (xp.tril if name == 'tril' else xp.triu)(x, diagonal)
    r = make(data, input._dtype, input._device)
    if state.enabled and input._requires_grad:
        node = node_cls()
        node.diagonal = diagonal
        record(node, r, input)
    return r if out is None else out.copy_(r)


def tril(input, diagonal=0, *, out=None):
    """The lower triangle of each matrix of ``input`` (its last two dims): elements above
    diagonal ``diagonal`` (0 the main one, > 0 above it, < 0 below) set to zero.

    Example::

        >>> flambeau.ones(3, 3).tril()
        tensor([[1., 0., 0.],
                [1., 1., 0.],
                [1., 1., 1.]])
    """
    return _triangle(input, diagonal, out, 'tril', TrilBackward0)


def triu(input, diagonal=0, *, out=None):
    """The upper triangle of each matrix of ``input`` (its last two dims): elements below
    diagonal ``diagonal`` (0 the main one, > 0 above it, < 0 below) set to zero.

    Example::

        >>> flambeau.ones(3, 3).triu(1)
        tensor([[0., 1., 1.],
                [0., 0., 1.],
                [0., 0., 0.]])
    """
    return _triangle(input, diagonal, out, 'triu', TriuBackward0)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """A tensor whose diagonals (``offset``, over the new dims ``dim1`` and ``dim2``) hold the
    last dim of ``input``; zeros elsewhere. The result has one dim more than ``input``.

    Example::

        >>> flambeau.diag_embed(flambeau.tensor([[1, 2], [3, 4]]))
        tensor([[[1, 0],
                 [0, 2]],
        <BLANKLINE>
                [[3, 0],
                 [0, 4]]])
    """
    x = input._data
    offset, d1, d2 = _diagonal_dims(x.ndim + 1, offset, dim1, dim2)
    n = (x.shape[-1] if x.ndim else 1) + abs(offset)
    shape = list(x.shape[:-1])
    for d in sorted((d1, d2)):
        shape.insert(d, n)
    src = input if x.ndim else reshape(input, (1,))
    return embed_diagonal(src, tuple(shape), offset, d1, d2)


def diag(input, diagonal=0, *, out=None):
    """For a 1-d ``input``, the square matrix with ``input`` on diagonal ``diagonal``; for a
    2-d ``input``, a copy of that diagonal (see ``diagonal`` for a view).

    Example::

        >>> flambeau.diag(flambeau.tensor([1, 2]))
        tensor([[1, 0],
                [0, 2]])
        >>> flambeau.diag(flambeau.tensor([[1, 2], [3, 4]]), 1)
        tensor([2])
    """
    x = input._data
    if x.ndim == 1:
        r = diag_embed(input, diagonal, 0, 1)
    elif x.ndim == 2:
        diagonal = int(diagonal)
        r = make(_diagonal_array(x, diagonal, 0, 1).copy(), input._dtype, input._device)
        if state.enabled and input._requires_grad:
            node = DiagonalBackward()
            node.label, node.shape, node.dims = 'DiagonalBackward0_copy', x.shape, (diagonal, 0, 1)
            record(node, r, input)
    else:
        raise RuntimeError(f'diag(): Supports 1D or 2D tensors. Got {x.ndim}D')
    return r if out is None else out.copy_(r)


def diagflat(input, offset=0):
    """The square matrix with the flattened ``input`` on diagonal ``offset``.

    Example::

        >>> flambeau.diagflat(flambeau.tensor([[1, 2], [3, 4]]))
        tensor([[1, 0, 0, 0],
                [0, 2, 0, 0],
                [0, 0, 3, 0],
                [0, 0, 0, 4]])
    """
    return diag_embed(reshape(input, (-1,)), offset, 0, 1)


# -- the *stack family ---------------------------------------------------------------------------
def _tensor_list(tensors, name):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError(f'{name} expects a non-empty TensorList')
    return tensors


def hstack(tensors, *, out=None):
    """Stack horizontally: ``cat`` along dim 1, or dim 0 for 1-d tensors (0-d ones count as
    1-d).

    Example::

        >>> flambeau.hstack([flambeau.tensor([1, 2]), flambeau.tensor([3])])
        tensor([1, 2, 3])
    """
    ts = [_at1(t) for t in _tensor_list(tensors, 'hstack')]
    return cat(ts, 0 if ts[0]._data.ndim == 1 else 1, out=out)


def vstack(tensors, *, out=None):
    """Stack vertically: ``cat`` along dim 0 after making every tensor at least 2-d (a 1-d
    tensor of length n becomes a row ``(1, n)``).

    Example::

        >>> flambeau.vstack([flambeau.tensor([1, 2]), flambeau.tensor([3, 4])])
        tensor([[1, 2],
                [3, 4]])
    """
    return cat([_at2(t) for t in _tensor_list(tensors, 'vstack')], 0, out=out)


def row_stack(tensors, *, out=None):
    """Alias of :func:`vstack`."""
    return vstack(tensors, out=out)


def dstack(tensors, *, out=None):
    """Stack depthwise: ``cat`` along dim 2 after making every tensor at least 3-d.

    Example::

        >>> flambeau.dstack([flambeau.tensor([1, 2]), flambeau.tensor([3, 4])])
        tensor([[[1, 3],
                 [2, 4]]])
    """
    return cat([_at3(t) for t in _tensor_list(tensors, 'dstack')], 2, out=out)


def column_stack(tensors, *, out=None):
    """Stack as columns: 0-d and 1-d tensors become columns ``(n, 1)``, then ``cat`` along
    dim 1.

    Example::

        >>> flambeau.column_stack([flambeau.tensor([1, 2]), flambeau.tensor([3, 4])])
        tensor([[1, 3],
                [2, 4]])
    """
    ts = [reshape(t, (t._data.size, 1)) if t._data.ndim <= 1 else t
          for t in _tensor_list(tensors, 'column_stack')]
    return cat(ts, 1, out=out)


# Tensor methods: {name: function}; INPLACE: {name_: out-of-place function} made in-place by
# ops.inplace.inplace_of.
METHODS = {'repeat': repeat, 'tile': _tile_method, 'repeat_interleave': repeat_interleave,
           'flip': _flip_method, 'fliplr': fliplr, 'flipud': flipud, 'roll': roll, 'rot90': rot90,
           'tril': tril, 'triu': triu, 'diag': diag, 'diag_embed': diag_embed,
           'diagflat': diagflat}
INPLACE = {'tril_': tril, 'triu_': triu}
