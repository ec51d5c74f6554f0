"""Shape ops: views (``view``, ``reshape``, ``t``, ``transpose``, ``permute``, ``squeeze``,
``unsqueeze``, ``flatten``, ``unflatten``, ``expand``, ``movedim``, ``narrow``, ``select``,
``unbind``, ``split``, ``chunk``) and joins (``cat``, ``stack``), each with its derivative.

Views share memory and the version counter with their input (Note [Views and versions] in
tensor.py); ``make_view`` also records how to recompute each view from its parent.
"""
__all__ = ['broadcast_to', 'cat', 'chunk', 'concat', 'concatenate', 'expand', 'flatten', 'movedim',
           'moveaxis', 'narrow', 'permute', 'reshape', 'select', 'split', 'squeeze', 'stack',
           'swapaxes', 'swapdims', 't', 'transpose', 'unbind', 'unflatten', 'unsqueeze']
import math

import numpy as np

from ._common import Node, Tensor, make, make_view, normalize_dims, record, shape_arg, state


def _view_of(t, data, label, fn, args, backward_meta):
    """Wrap ``data`` as a view of ``t`` and record a ``ViewBackward``-style node if needed."""
    v = make_view(t, data, fn, args)
    if state.enabled and t._requires_grad:
        node = ShapeBackward()
        node.label, node.kind, node.meta = label, backward_meta[0], backward_meta[1]
        record(node, v, t)
    return v


class ShapeBackward(Node):
    """The derivative of every pure view op: undo the view on the gradient.
    ``kind`` says which: 'reshape' (to ``meta`` shape), 'transpose' (swap ``meta`` dims),
    'permute' (by the inverse permutation ``meta``), 'unsqueeze' (squeeze dim ``meta``),
    'expand' (sum back to shape ``meta``)."""
    __slots__ = ('label', 'kind', 'meta')

    def name(self):
        return self.label

    def backward(self, g):
        kind, meta = self.kind, self.meta
        if kind == 'reshape':
            return g.reshape(meta)
        if kind == 'transpose':
            return g.transpose(*meta)
        if kind == 'permute':
            return g.permute(meta)
        if kind == 'unsqueeze':
            return g.squeeze(meta)
        return g.sum_to_size(meta)  # expand


def _infer_shape(shape, numel, fn='view'):
    shape = list(shape)
    neg = [i for i, s in enumerate(shape) if s == -1]
    if len(neg) > 1:
        raise RuntimeError('only one dimension can be inferred')
    for s in shape:
        if s < -1:
            raise RuntimeError(f'invalid shape dimension {s}')
    if neg:
        rest = math.prod(s for s in shape if s != -1)
        if rest == 0 or numel % rest:
            raise RuntimeError(f"shape '{list(map(int, _show(shape)))}' is invalid for input of "
                               f'size {numel}')
        shape[neg[0]] = numel // rest
    elif math.prod(shape) != numel:
        raise RuntimeError(f"shape '{shape}' is invalid for input of size {numel}")
    return tuple(shape)


def _show(shape):
    return shape


def view(input, *shape):
    """A view of ``input`` with another shape (one entry may be -1); the memory layout must
    allow it, else use ``reshape``. ``view(dtype)`` is not supported.

    Example::

        >>> flambeau.arange(6).view(2, -1)
        tensor([[0, 1, 2],
                [3, 4, 5]])
    """
    x = input._data
    new = _infer_shape(shape_arg(shape), x.size)
    try:
        data = x.reshape(new, copy=False)
    except (ValueError, AttributeError):
        raise RuntimeError("view size is not compatible with input tensor's size and stride (at "
                           'least one dimension spans across two contiguous subspaces). Use '
                           '.reshape(...) instead.') from None
    return _view_of(input, data, 'ViewBackward0', view, new, ('reshape', x.shape))


def reshape(input, *shape):
    """``input`` with another shape: a view when the layout allows, else a copy.

    Example::

        >>> flambeau.arange(4).reshape(2, 2)
        tensor([[0, 1],
                [2, 3]])
    """
    x = input._data
    new = _infer_shape(shape_arg(shape), x.size)
    if new == x.shape:
        return _view_of(input, x.view(), 'ViewBackward0', view, new, ('reshape', x.shape)) \
            if state.enabled and input._requires_grad else make_view(input, x.view(), view, new)
    try:
        data = x.reshape(new, copy=False)
    except (ValueError, AttributeError):
        data = None
    if data is not None:
        return _view_of(input, data, 'ViewBackward0', view, new, ('reshape', x.shape))
    r = make(x.reshape(new), input._dtype, input._device)
    if state.enabled and input._requires_grad:
        node = ShapeBackward()
        node.label, node.kind, node.meta = 'UnsafeViewBackward0', 'reshape', x.shape
        record(node, r, input)
    return r


def view_as(input, other):
    """``input.view(other.shape)``."""
    return view(input, other.shape)


def reshape_as(input, other):
    """``input.reshape(other.shape)``."""
    return reshape(input, other.shape)


def flatten(input, start_dim=0, end_dim=-1):
    """Merge dims ``start_dim`` .. ``end_dim`` into one (a view when possible).

    Example::

        >>> flambeau.zeros(2, 3, 4).flatten(1).shape
        torch.Size([2, 12])
    """
    x = input._data
    if x.ndim == 0:
        return reshape(input, 1)
    s, e = input._wrap_dim(start_dim), input._wrap_dim(end_dim)
    if s > e:
        raise RuntimeError('flatten() has invalid args: start_dim cannot come after end_dim')
    if s == e:
        return input
    shape = x.shape[:s] + (math.prod(x.shape[s:e + 1]),) + x.shape[e + 1:]
    return reshape(input, shape)


def unflatten(input, dim, sizes):
    """Split dim ``dim`` into ``sizes`` (one entry may be -1).

    Example::

        >>> flambeau.zeros(2, 12).unflatten(1, (3, 4)).shape
        torch.Size([2, 3, 4])
    """
    x = input._data
    d = input._wrap_dim(dim)
    sizes = _infer_shape(tuple(sizes), x.shape[d])
    return view(input, x.shape[:d] + sizes + x.shape[d + 1:])


def transpose(input, dim0, dim1):
    """A view with dims ``dim0`` and ``dim1`` swapped.

    Example::

        >>> flambeau.zeros(2, 3).transpose(0, 1).shape
        torch.Size([3, 2])
    """
    x = input._data
    if x.ndim == 0:
        input._wrap_dim(dim0)
        input._wrap_dim(dim1)
        return _view_of(input, x.view(), 'TransposeBackward0', transpose, (dim0, dim1),
                        ('reshape', ()))
    d0, d1 = input._wrap_dim(dim0), input._wrap_dim(dim1)
    return _view_of(input, x.swapaxes(d0, d1), 'TransposeBackward0', transpose, (d0, d1),
                    ('transpose', (d0, d1)))


swapaxes = swapdims = transpose


def t(input):
    """The transpose of a matrix (a view); 0-d and 1-d tensors are returned as they are.

    Example::

        >>> flambeau.tensor([[1, 2, 3]]).t()
        tensor([[1],
                [2],
                [3]])
    """
    x = input._data
    if x.ndim > 2:
        raise RuntimeError(f't() expects a tensor with <= 2 dimensions, but self is {x.ndim}D')
    if x.ndim < 2:
        return _view_of(input, x.view(), 'TBackward0', t, (), ('reshape', x.shape))
    return _view_of(input, x.T, 'TBackward0', t, (), ('transpose', (0, 1)))


def permute(input, *dims):
    """A view with the dims reordered.

    Example::

        >>> flambeau.zeros(2, 3, 4).permute(2, 0, 1).shape
        torch.Size([4, 2, 3])
    """
    x = input._data
    if not dims:
        raise TypeError('permute() missing 1 required positional arguments: "dims"')
    dims = shape_arg(dims)
    if len(dims) != x.ndim:
        raise RuntimeError(f'permute(sparse_coo): number of dimensions in the tensor input does not '
                           f'match the length of the desired ordering of dimensions i.e. input.dim() '
                           f'= {x.ndim} is not equal to len(dims) = {len(dims)}'.replace(
                               'permute(sparse_coo)', 'permute'))
    dims = tuple(input._wrap_dim(d) for d in dims)
    if len(set(dims)) != len(dims):
        raise RuntimeError('permute(): duplicate dims are not allowed.')
    inverse = tuple(int(i) for i in np.argsort(dims))
    return _view_of(input, x.transpose(dims), 'PermuteBackward0', permute, dims,
                    ('permute', inverse))


def movedim(input, source, destination):
    """Move dims ``source`` to positions ``destination`` (ints or sequences); a view.

    Example::

        >>> flambeau.zeros(2, 3, 4).movedim(0, -1).shape
        torch.Size([3, 4, 2])
    """
    n = input.ndim
    src = [input._wrap_dim(s) for s in ((source,) if isinstance(source, int) else source)]
    dst = [input._wrap_dim(d) for d in ((destination,) if isinstance(destination, int)
                                        else destination)]
    order = [d for d in range(n) if d not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute(input, order)


moveaxis = movedim


def squeeze(input, dim=None):
    """Remove dims of size 1 (all of them, or those among ``dim``); a view.

    Example::

        >>> flambeau.zeros(2, 1, 3).squeeze().shape
        torch.Size([2, 3])
    """
    x = input._data
    if dim is None:
        new = tuple(s for s in x.shape if s != 1)
        label = 'SqueezeBackward0'
    else:
        dims = normalize_dims(dim, x.ndim)
        new = tuple(s for i, s in enumerate(x.shape) if not (i in dims and s == 1))
        label = 'SqueezeBackward1' if isinstance(dim, int) else 'SqueezeBackward2'
    return _view_of(input, x.reshape(new), label, squeeze, (dim,), ('reshape', x.shape))


def unsqueeze(input, dim):
    """A view with a new dim of size 1 at position ``dim``.

    Example::

        >>> flambeau.zeros(2, 3).unsqueeze(1).shape
        torch.Size([2, 1, 3])
    """
    x = input._data
    n = x.ndim + 1
    if not -n <= dim < n:
        raise IndexError(f'Dimension out of range (expected to be in range of [{-n}, {n - 1}], '
                         f'but got {dim})')
    d = dim + n if dim < 0 else dim
    return _view_of(input, np.expand_dims(x, d) if type(x) is np.ndarray else
                    x.reshape(x.shape[:d] + (1,) + x.shape[d:]), 'UnsqueezeBackward0', unsqueeze,
                    (d,), ('unsqueeze', d))


def expand(input, *sizes):
    """A view repeating dims of size 1 to ``sizes`` without copying (-1 keeps a size).

    Example::

        >>> flambeau.tensor([[1], [2]]).expand(2, 3)
        tensor([[1, 1, 1],
                [2, 2, 2]])
    """
    x = input._data
    sizes = shape_arg(sizes)
    if len(sizes) < x.ndim:
        raise RuntimeError(f'expand(torch.{input.dtype.name.capitalize()}Tensor{{{list(x.shape)}}}, '
                           f'size=[{", ".join(map(str, sizes))}]): the number of sizes provided '
                           f'({len(sizes)}) must be greater or equal to the number of dimensions in '
                           f'the tensor ({x.ndim})')
    lead = len(sizes) - x.ndim
    new = list(sizes)
    for i in range(x.ndim - 1, -1, -1):  # PyTorch reports the last mismatching dim
        s = x.shape[i]
        want = sizes[lead + i]
        if want == -1:
            new[lead + i] = s
        elif s != want and s != 1:
            raise RuntimeError(f'The expanded size of the tensor ({want}) must match the existing '
                               f'size ({s}) at non-singleton dimension {lead + i}.  Target sizes: '
                               f'[{", ".join(map(str, sizes))}].  Tensor sizes: {list(x.shape)}')
    new = tuple(new)
    if new == x.shape:
        data = x.view() if type(x) is np.ndarray else x
    else:
        data = np.broadcast_to(x, new) if type(x) is np.ndarray else \
            input._device._backend.xp.broadcast_to(x, new)
    return _view_of(input, data, 'ExpandBackward0', expand, new, ('expand', x.shape))


def expand_as(input, other):
    """``input.expand(other.shape)``."""
    return expand(input, other.shape)


def broadcast_to(input, size):
    """``input.expand(size)``."""
    return expand(input, size)


# -- narrow / select / unbind / split / chunk: views through basic indexing ------------------
def narrow(input, dim, start, length):
    """A view of ``length`` elements along ``dim`` starting at ``start``.

    Example::

        >>> flambeau.arange(5).narrow(0, 1, 3)
        tensor([1, 2, 3])
    """
    from .index import index_view
    d = input._wrap_dim(dim)
    size = input._data.shape[d]
    start = int(start)
    if start < 0:
        start += size
    if start < 0 or start + length > size:
        raise RuntimeError(f'start ({start}) + length ({length}) exceeds dimension size ({size}).')
    return index_view(input, (slice(None),) * d + (slice(start, start + length),),
                      'SliceBackward0')


def select(input, dim, index):
    """The slice at ``index`` along ``dim``, with that dim removed (a view).

    Example::

        >>> flambeau.tensor([[1, 2], [3, 4]]).select(1, 0)
        tensor([1, 3])
    """
    from .index import index_view
    d = input._wrap_dim(dim)
    size = input._data.shape[d]
    if not -size <= index < size:
        raise IndexError(f'select(): index {index} out of range for tensor of size '
                         f'{list(input._data.shape)} at dimension {d}')
    return index_view(input, (slice(None),) * d + (int(index),), 'SelectBackward0')


class MultiOutputBackward(Node):
    """``unbind``/``split``: several outputs, each a slice of the input; the gradient is the
    outputs' gradients put back in place (zeros where an output got none)."""
    __slots__ = ('label', 'shape', 'dim', 'pieces', 'n_outputs', 'dtype', 'device')

    def name(self):
        return self.label

    def backward(self, grads):
        from .creation import zeros
        if self.n_outputs == 1:
            grads = (grads,)
        parts = []
        for g, (start, stop, squeeze_) in zip(grads, self.pieces):
            if g is None:
                shape = list(self.shape)
                shape[self.dim] = stop - start
                g = zeros(shape, dtype=self.dtype, device=self.device)
            elif squeeze_:
                g = g.unsqueeze(self.dim)
            parts.append(g)
        return cat(parts, self.dim)


def _multi_view(input, dim, pieces, label):
    """Views of ``input`` along ``dim`` at ``pieces`` = [(start, stop, squeeze), ...], one node
    with an output per piece."""
    x = input._data
    outs = []
    for start, stop, squeeze_ in pieces:
        idx = (slice(None),) * dim + ((start, Ellipsis) if squeeze_ else (slice(start, stop),))
        # (``...`` keeps a 0-d piece a view: NumPy returns a scalar copy for x[i] of 1-d x)
        from .index import getitem_basic
        outs.append(make_view(input, x[idx], getitem_basic, (idx,)))
    if state.enabled and input._requires_grad:
        node = MultiOutputBackward()
        node.label, node.shape, node.dim, node.pieces = label, x.shape, dim, pieces
        node.n_outputs, node.dtype, node.device = len(pieces), input._dtype, input._device
        record(node, outs[0], input)
        for i, o in enumerate(outs):
            o.grad_fn, o._output_nr, o._requires_grad = node, i, True
    return tuple(outs)


def unbind(input, dim=0):
    """All slices along ``dim``, as a tuple of views.

    Example::

        >>> flambeau.tensor([[1, 2], [3, 4]]).unbind(1)
        (tensor([1, 3]), tensor([2, 4]))
    """
    d = input._wrap_dim(dim)
    return _multi_view(input, d, [(i, i + 1, True) for i in range(input._data.shape[d])],
                       'UnbindBackward0')


def split(tensor, split_size_or_sections, dim=0):
    """Split into chunks of ``split_size`` along ``dim`` (the last may be smaller), or into
    pieces of the listed sizes; views.

    Example::

        >>> [p.tolist() for p in flambeau.arange(5).split(2)]
        [[0, 1], [2, 3], [4]]
    """
    d = tensor._wrap_dim(dim)
    size = tensor._data.shape[d]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step <= 0 and size:
            raise RuntimeError(f'split_size can only be 0 if dimension size is 0, but got '
                               f'dimension size of {size}')
        bounds = [(s, min(s + step, size)) for s in range(0, size, step)] if step else [(0, 0)]
        label = 'SplitBackward0'
    else:
        sections = list(split_size_or_sections)
        if sum(sections) != size:
            raise RuntimeError(f'split_with_sizes expects split_sizes to sum exactly to {size} '
                               f'(input tensor\'s size at dimension {d}), but got split_sizes='
                               f'{sections}')
        starts = np.cumsum([0] + sections[:-1])
        bounds = [(int(s), int(s) + n) for s, n in zip(starts, sections)]
        label = 'SplitWithSizesBackward0'
    return _multi_view(tensor, d, [(a, b, False) for a, b in bounds], label)


def chunk(input, chunks, dim=0):
    """Split into ``chunks`` pieces of equal size along ``dim`` (the last may be smaller).

    Example::

        >>> [p.shape[0] for p in flambeau.zeros(5).chunk(2)]
        [3, 2]
    """
    if chunks <= 0:
        raise RuntimeError(f'chunk expects `chunks` to be greater than 0, got: {chunks}')
    size = input._data.shape[input._wrap_dim(dim)]
    return split(input, max(-(-size // chunks), 1) if size else 1, dim)


# -- joins -------------------------------------------------------------------------------------
class CatBackward0(Node):
    """Each input gets its slice of the gradient, in its own dtype. ``sizes`` holds None for
    a skipped 1-d empty input (its gradient is empty too); ``dtypes`` None where no gradient
    is needed."""
    __slots__ = ('dim', 'sizes', 'dtypes')

    def backward(self, g):
        outs = []
        start = 0
        for n, dt in zip(self.sizes, self.dtypes):
            if dt is None:
                outs.append(None)
            elif n is None:
                outs.append(g.new_zeros((0,), dtype=dt))
            else:
                gi = g.narrow(self.dim, start, n)
                outs.append(gi if gi._dtype is dt else gi.to(dt))
            start += n or 0
        return tuple(outs)


def cat(tensors, dim=0, *, out=None):
    """Concatenate ``tensors`` along an existing dim ``dim`` (dtypes promote).

    Example::

        >>> flambeau.cat([flambeau.zeros(1, 2), flambeau.ones(1, 2)]).shape
        torch.Size([2, 2])
    """
    if out is not None:
        return out.copy_(cat(tensors, dim))
    tensors = list(tensors)
    if not tensors:
        raise ValueError('torch.cat(): expected a non-empty list of Tensors')
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f'expected Tensor as element {i} in argument 0, but got '
                            f'{type(t).__name__}')
    from .. import dtypes as _dt
    first = tensors[0]
    dt = first._dtype
    for t in tensors[1:]:
        if t._dtype is not dt:
            dt = _dt.promote(dt, t._dtype)
        if t._device is not first._device:
            from ._common import device_mismatch
            raise device_mismatch(first, t)
    # legacy: 1-d empty tensors are skipped
    used = [t for t in tensors if not (t._data.ndim == 1 and t._data.shape[0] == 0)] or tensors
    ref = used[0]
    if ref._data.ndim == 0:
        raise RuntimeError(f'zero-dimensional tensor (at position 0) cannot be concatenated')
    d = ref._wrap_dim(dim)
    for i, t in enumerate(used):
        if t._data.ndim != ref._data.ndim:
            raise RuntimeError(f'Tensors must have same number of dimensions: got '
                               f'{ref._data.ndim} and {t._data.ndim}')
        for k in range(ref._data.ndim):
            if k != d and t._data.shape[k] != ref._data.shape[k]:
                raise RuntimeError(f'Sizes of tensors must match except in dimension {d}. Expected '
                                   f'size {ref._data.shape[k]} but got size {t._data.shape[k]} for '
                                   f'tensor number {i} in the list.')
    xp = first._device._backend.xp
    data = xp.concatenate([t._data for t in used], axis=d, dtype=dt.numpy)
    r = make(data, dt, first._device)
    if state.enabled and any(t._requires_grad for t in tensors):
        node = CatBackward0()
        node.dim = d
        skipped = len(used) != len(tensors)
        node.sizes = [None if skipped and t._data.ndim == 1 and t._data.shape[0] == 0
                      else t._data.shape[d] for t in tensors]
        node.dtypes = [t._dtype if t._requires_grad else None for t in tensors]
        record(node, r, *tensors)
    return r


concat = concatenate = cat


def stack(tensors, dim=0, *, out=None):
    """Join ``tensors`` of equal shape along a new dim ``dim``.

    Example::

        >>> flambeau.stack([flambeau.zeros(2), flambeau.ones(2)], dim=1).shape
        torch.Size([2, 2])
    """
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError('stack expects a non-empty TensorList')
    shape = tensors[0]._data.shape
    for i, t in enumerate(tensors):
        if t._data.shape != shape:
            raise RuntimeError(f'stack expects each tensor to be equal size, but got {list(shape)} '
                               f'at entry 0 and {list(t._data.shape)} at entry {i}')
    n = len(shape) + 1
    if not -n <= dim < n:
        raise IndexError(f'Dimension out of range (expected to be in range of [{-n}, {n - 1}], '
                         f'but got {dim})')
    d = dim + n if dim < 0 else dim
    r = cat([unsqueeze(t, d) for t in tensors], d, out=out)
    if r.grad_fn is not None:
        r.grad_fn.__class__ = StackBackward0
    return r


class StackBackward0(CatBackward0):
    __slots__ = ()
