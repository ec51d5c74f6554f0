"""Shape ops: views (``view``, ``reshape``, ``t``, ``transpose``, ``permute``, ``squeeze``,
``unsqueeze``, ``flatten``, ``unflatten``, ``expand``, ``movedim``, ``narrow``, ``select``,
``unbind``, ``split``, ``chunk``, ``tensor_split`` and ``h/v/dsplit``, ``diagonal``,
``as_strided``, ``unfold``, ``broadcast_tensors``, ``meshgrid``, ``atleast_nd``, ``ravel``) and
joins (``cat``, ``stack``), each with its derivative. Shape ops that copy live in rearrange.py.

Views share memory and the version counter with their input (Note [Views and versions] in
tensor.py); ``make_view`` also records how to recompute each view from its parent.
"""
__all__ = ['as_strided', 'atleast_1d', 'atleast_2d', 'atleast_3d', 'broadcast_shapes',
           'broadcast_tensors', 'broadcast_to', 'cat', 'chunk', 'concat', 'concatenate', 'diagonal',
           'dsplit', 'flatten', 'hsplit', 'meshgrid', 'movedim', 'moveaxis', 'narrow',
           'permute', 'ravel', 'reshape', 'select', 'split', 'squeeze', 'stack', 'swapaxes',
           'swapdims', 't', 'tensor_split', 'transpose', 'unbind', 'unflatten', 'unsqueeze',
           'vsplit']
import math

import numpy as np

from .. import dtypes as _dt
from ..backend import backend_of
from ._common import (Node, Tensor, broadcast_error, dtype_title, make, make_view, normalize_dims,
                      record, shape_arg, state)
from .convert import contiguous
from .index import getitem_basic, index_view


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
    n = input._data.ndim
    src = [source] if isinstance(source, (int, np.integer)) else list(source)
    dst = [destination] if isinstance(destination, (int, np.integer)) else list(destination)
    if len(src) != len(dst):
        raise RuntimeError(f'movedim: Invalid source or destination dims: source ({src} dims) '
                           f'should contain the same number of dims as destination ({dst} dims)')
    ws = [input._wrap_dim(s) for s in src]
    wd = [input._wrap_dim(d) for d in dst]
    if len(set(ws)) != len(ws):
        raise RuntimeError(f'movedim: repeated dim in `source` ({src})')
    if len(set(wd)) != len(wd):
        raise RuntimeError(f'movedim: repeated dim in `destination` ({dst})')
    order = [d for d in range(n) if d not in ws]
    for d, s in sorted(zip(wd, ws)):
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
    """A view of ``length`` elements along ``dim`` starting at ``start`` (which may be
    negative, counting from the end).

    Example::

        >>> flambeau.arange(5).narrow(0, 1, 3)
        tensor([1, 2, 3])
    """
    if not input._data.ndim:
        raise RuntimeError('narrow() cannot be applied to a 0-dim tensor.')
    if length < 0:
        raise RuntimeError('narrow(): length must be non-negative.')
    d = input._wrap_dim(dim)
    size = input._data.shape[d]
    start = int(start)
    if not -size <= start <= size:
        raise IndexError(f'start out of range (expected to be in range of [{-size}, {size}], but '
                         f'got {start})')
    if start < 0:
        start += size
    if start + length > size:
        raise RuntimeError(f'start ({start}) + length ({length}) exceeds dimension size ({size}).')
    return index_view(input, (slice(None),) * d + (slice(start, start + length),),
                      'SliceBackward0')


def select(input, dim, index):
    """The slice at ``index`` along ``dim``, with that dim removed (a view).

    Example::

        >>> flambeau.tensor([[1, 2], [3, 4]]).select(1, 0)
        tensor([1, 3])
    """
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
    d = input._wrap_dim_sized(dim)
    return _multi_view(input, d, [(i, i + 1, True) for i in range(input._data.shape[d])],
                       'UnbindBackward0')


def split(tensor, split_size_or_sections, dim=0):
    """Split into chunks of ``split_size`` along ``dim`` (the last may be smaller), or into
    pieces of the listed sizes; views.

    Example::

        >>> [p.tolist() for p in flambeau.arange(5).split(2)]
        [[0, 1], [2, 3], [4]]
    """
    if not tensor._data.ndim:
        raise RuntimeError('split expects at least a 1-dimensional tensor')
    d = tensor._wrap_dim(dim)
    size = tensor._data.shape[d]
    if isinstance(split_size_or_sections, (int, np.integer)):
        step = int(split_size_or_sections)
        if step < 0:
            raise RuntimeError(f'split expects split_size be non-negative, but got split_size='
                               f'{step}')
        if step == 0 and size:
            raise RuntimeError(f'split_size can only be 0 if dimension size is 0, but got '
                               f'dimension size of {size}')
        bounds = [(s, min(s + step, size)) for s in range(0, size, step)] if size else [(0, 0)]
        label = 'SplitBackward0'
    else:
        sections = [int(n) for n in split_size_or_sections]
        if any(n < 0 for n in sections):
            raise RuntimeError(f'split_with_sizes expects split_sizes have only non-negative '
                               f'entries, but got split_sizes={sections}')
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
    if not input._data.ndim:
        raise RuntimeError('chunk expects at least a 1-dimensional tensor')
    if chunks <= 0:
        raise RuntimeError(f'chunk expects `chunks` to be greater than 0, got: {chunks}')
    size = input._data.shape[input._wrap_dim(dim)]
    if not size:  # PyTorch gives ``chunks`` empty pieces here
        return split(input, [0] * chunks, dim)
    return split(input, -(-size // chunks), dim)


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


# -- tensor_split / hsplit / vsplit / dsplit: one SliceBackward0 view per piece ---------------
def tensor_split(input, indices_or_sections, dim=0):
    """Split ``input`` along ``dim`` into views: ``n`` pieces of near-equal size for an int
    ``n`` (the first ``size % n`` pieces one longer), or at the given indices for a list
    (``[2, 3]`` gives ``input[:2]``, ``input[2:3]``, ``input[3:]``). A 0-d int64 tensor counts
    as sections, a 1-d one as indices.

    Example::

        >>> [p.tolist() for p in flambeau.arange(7).tensor_split(3)]
        [[0, 1, 2], [3, 4], [5, 6]]
        >>> [p.tolist() for p in flambeau.arange(7).tensor_split([1, 5])]
        [[0], [1, 2, 3, 4], [5, 6]]
    """
    x = input._data
    if not x.ndim:
        raise RuntimeError(f'tensor_split expected at least a 1-dimensional tensor, but got a '
                           f'tensor with 0 dims')
    arg = indices_or_sections
    if isinstance(arg, Tensor):
        if arg._dtype.name != 'int64':
            raise RuntimeError(f'tensor_split expected tensor_indices_or_sections to have dtype of '
                               f'long, but got {dtype_title(arg._dtype)}')
        if arg._data.ndim > 1:
            raise RuntimeError(f'tensor_split expected tensor_indices_or_sections to be a '
                               f'zero-dimensional or one-dimensional tensor, but got a tensor '
                               f'with {arg._data.ndim} dims')
        arg = int(arg.item()) if arg._data.ndim == 0 else [int(v) for v in arg.tolist()]
    d = input._wrap_dim(dim)
    size = x.shape[d]
    lead = (slice(None),) * d
    if isinstance(arg, (int, np.integer)):
        n = int(arg)
        if n <= 0:
            raise RuntimeError(f'number of sections must be larger than 0, got {n}')
        small, extra = divmod(size, n)
        out, start = [], 0
        for i in range(n):
            stop = start + small + (i < extra)
            out.append(index_view(input, lead + (slice(start, stop),), 'SliceBackward0'))
            start = stop
        return tuple(out)
    bounds = [0] + [int(i) for i in arg] + [size]
    return tuple(index_view(input, lead + (slice(_clamp_index(a, size),
                                                 max(_clamp_index(b, size),
                                                     _clamp_index(a, size))),),
                            'SliceBackward0')
                 for a, b in zip(bounds[:-1], bounds[1:]))


def _clamp_index(i, size):
    """A slice bound as PyTorch's ``slice`` reads it: negatives count from the end, then
    clamped into ``[0, size]``."""
    if i < 0:
        i += size
    return 0 if i < 0 else (size if i > size else i)


def _directional_split(input, arg, name, min_dim, dim):
    n = input._data.ndim
    if n < min_dim:
        raise RuntimeError(f'torch.{name} requires a tensor with at least {min_dim} dimension, but '
                           f'got a tensor with {n} dimensions!')
    if isinstance(arg, (int, np.integer)):
        size = input._data.shape[dim]
        if arg == 0 or size % arg:
            raise RuntimeError(f'torch.{name} attempted to split along dimension {dim}, but the '
                               f'size of the dimension {size} is not divisible by the split_size '
                               f'{arg}!')
    return tensor_split(input, arg, dim)


def hsplit(input, indices_or_sections):
    """Split horizontally: ``tensor_split`` along dim 1 (dim 0 for a 1-d tensor). An int
    must divide that dim's size.

    Example::

        >>> [p.shape for p in flambeau.zeros(2, 4).hsplit(2)]
        [torch.Size([2, 2]), torch.Size([2, 2])]
    """
    return _directional_split(input, indices_or_sections, 'hsplit', 1,
                              1 if input._data.ndim > 1 else 0)


def vsplit(input, indices_or_sections):
    """Split vertically: ``tensor_split`` along dim 0 of a tensor of at least 2 dims. An int
    must divide that dim's size.

    Example::

        >>> [p.shape for p in flambeau.zeros(4, 2).vsplit([1])]
        [torch.Size([1, 2]), torch.Size([3, 2])]
    """
    return _directional_split(input, indices_or_sections, 'vsplit', 2, 0)


def dsplit(input, indices_or_sections):
    """Split depthwise: ``tensor_split`` along dim 2 of a tensor of at least 3 dims. An int
    must divide that dim's size.

    Example::

        >>> [p.shape for p in flambeau.zeros(1, 2, 4).dsplit(2)]
        [torch.Size([1, 2, 2]), torch.Size([1, 2, 2])]
    """
    return _directional_split(input, indices_or_sections, 'dsplit', 3, 2)


# -- diagonal: a strided view, and the op that puts values on a diagonal ----------------------
_ndarray = np.ndarray


class _Interface:
    """``x``'s memory from ``offset`` bytes on as an ``__array_interface__`` (the general path
    of ``_as_strided_array``; ``base`` keeps ``x`` alive)."""
    __slots__ = ('__array_interface__', 'base')

    def __init__(self, x, shape, strides, offset):
        i = dict(x.__array_interface__)
        ptr, readonly = i['data']
        i.update(data=(ptr + offset, readonly), shape=tuple(shape), strides=tuple(strides))
        i.pop('mask', None)
        self.__array_interface__ = i
        self.base = x


def _as_strided_array(x, shape, strides, offset=0):
    """A view of array ``x``'s memory starting ``offset`` bytes after its first element, with
    ``shape`` and byte ``strides``; read-only when ``x`` is."""
    if type(x) is not _ndarray:
        b = backend_of(x)
        if b.type != 'cpu':  # (a CUDA array)
            return b.as_strided(x, shape, strides, offset)
    # np.ndarray over a contiguous buffer: ~10x cheaper than np.lib.stride_tricks.as_strided
    try:
        if x.flags.c_contiguous:
            v = _ndarray(shape, x.dtype, x, offset, strides)
        else:  # over the memory's owner (reading data pointers costs ~2 us each)
            root = x
            while type(root.base) is _ndarray:
                root = root.base
            offset += x.__array_interface__['data'][0] - root.__array_interface__['data'][0]
            v = _ndarray(shape, x.dtype, root, offset, strides)
    except (TypeError, ValueError, BufferError):  # an owner without a plain buffer
        v = np.asarray(_Interface(x, shape, strides, offset))
        if v.dtype != x.dtype:  # the interface spells ml_dtypes' bfloat16 as raw bytes
            v = v.view(x.dtype)
    if not x.flags.writeable:
        v.flags.writeable = False
    return v


def _diagonal_array(x, offset, d1, d2):
    """The diagonal view of array ``x`` (dims ``d1``, ``d2`` removed, the diagonal last)."""
    shape, st = x.shape, x.strides
    n1, n2 = shape[d1], shape[d2]
    length = max(min(n1, n2 - offset) if offset >= 0 else min(n1 + offset, n2), 0)
    start = (offset * st[d2] if offset >= 0 else -offset * st[d1]) if length else 0
    rest = [i for i in range(len(shape)) if i != d1 and i != d2]
    return _as_strided_array(x, tuple(shape[i] for i in rest) + (length,),
                             tuple(st[i] for i in rest) + (st[d1] + st[d2],), start)


def _diagonal_dims(ndim, offset, dim1, dim2):
    n = ndim if ndim else 1
    for d in (dim1, dim2):
        if not -n <= d < n:
            raise IndexError(f'Dimension out of range (expected to be in range of [{-n}, {n - 1}], '
                             f'but got {d})')
    d1, d2 = dim1 % n, dim2 % n
    if d1 == d2:
        raise RuntimeError(f'diagonal dimensions cannot be identical {dim1}, {dim2}')
    return int(offset), d1, d2


def diagonal(input, offset=0, dim1=0, dim2=1):
    """A view of the diagonal of ``input`` over dims ``dim1`` and ``dim2`` (removed; the
    diagonal becomes the last dim). ``offset`` > 0 is above the main diagonal, < 0 below.

    Example::

        >>> x = flambeau.arange(9).view(3, 3)
        >>> x.diagonal(), x.diagonal(1), x.diagonal(-1)
        (tensor([0, 4, 8]), tensor([1, 5]), tensor([3, 7]))
    """
    offset, d1, d2 = _diagonal_dims(input._data.ndim, offset, dim1, dim2)
    v = make_view(input, _diagonal_array(input._data, offset, d1, d2), diagonal, (offset, d1, d2))
    if state.enabled and input._requires_grad:
        node = DiagonalBackward()
        node.label, node.shape, node.dims = 'DiagonalBackward0', input._data.shape, (offset, d1, d2)
        record(node, v, input)
    return v


class DiagonalBackward(Node):
    """``diagonal`` (and ``diag`` of a matrix): the gradient put on the diagonal of zeros."""
    __slots__ = ('label', 'shape', 'dims')

    def name(self):
        return self.label

    def backward(self, g):
        return embed_diagonal(g, self.shape, *self.dims, label='DiagonalBackwardBackward0')


class EmbedDiagonalBackward(Node):
    """``embed_diagonal`` (``diag_embed``, ``diagonal``'s backward): read the diagonal back."""
    __slots__ = ('label', 'dims')

    def name(self):
        return self.label

    def backward(self, g):
        return diagonal(g, *self.dims)


def embed_diagonal(src, shape, offset, d1, d2, label='DiagEmbedBackward0'):
    """Zeros of ``shape`` whose diagonal ``(offset, d1, d2)`` holds ``src`` (the inverse of
    ``diagonal``; ``src`` has that diagonal's shape)."""
    out = src._device._backend.xp.zeros(shape, dtype=src._data.dtype)
    _diagonal_array(out, offset, d1, d2)[...] = src._data
    r = make(out, src._dtype, src._device)
    if state.enabled and src._requires_grad:
        node = EmbedDiagonalBackward()
        node.label, node.dims = label, (offset, d1, d2)
        record(node, r, src)
    return r


# -- as_strided: a view of the base's memory ---------------------------------------------------
def _storage(t):
    """The array over whose memory ``as_strided`` addresses elements (``t``'s base's), its
    length in elements, and ``t``'s offset in it, in elements."""
    base = t._base if t._base is not None else t
    b = base._data
    item = b.itemsize
    extent = 1 + sum((n - 1) * (s // item) for n, s in zip(b.shape, b.strides)) if b.size else 0
    offset = (t.data_ptr() - base.data_ptr()) // item if base is not t else 0
    return b, extent, offset


def as_strided(input, size, stride, storage_offset=None):
    """A view of ``input``'s memory with the given ``size`` and ``stride`` (in elements),
    starting ``storage_offset`` elements into the memory of ``input``'s base (default: where
    ``input`` starts). Elements may overlap; the memory must hold every addressed element.

    Example::

        >>> x = flambeau.arange(6)
        >>> x.as_strided((2, 2), (1, 2))
        tensor([[0, 2],
                [1, 3]])
    """
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError('mismatch in length of strides and shape')
    if any(s < 0 for s in stride):
        raise RuntimeError(f'as_strided: Negative strides are not supported at the moment, got '
                           f'strides: {list(stride)}')
    for n in size:
        if n < 0:
            raise RuntimeError(f'Trying to create tensor with negative dimension {n}: '
                               f'{list(size)}')
    mem, extent, own = _storage(input)
    offset = own if storage_offset is None else int(storage_offset)
    if offset < 0:
        raise RuntimeError(f'Tensor: invalid storage offset {offset}')
    item = input._dtype.itemsize
    need = 0 if 0 in size else offset + 1 + sum((n - 1) * s for n, s in zip(size, stride))
    if need > extent:
        raise RuntimeError(f'setStorage: sizes {list(size)}, strides {list(stride)}, storage '
                           f'offset {offset}, and itemsize {item} requiring a storage size of '
                           f'{need * item} are out of bounds for storage of size {extent * item}')
    data = _as_strided_array(mem, size, tuple(s * item for s in stride),
                             offset * item if need else 0)
    v = make_view(input, data, as_strided, (size, stride, offset))
    if state.enabled and input._requires_grad:
        node = AsStridedBackward0()
        node.storage_n = extent
        node.out_geometry = (size, stride, offset)
        node.in_geometry = (input._data.shape, input.stride(), own)
        record(node, v, input)
    return v


def _positions(shape, stride, offset):
    """The storage position of every element of a strided layout, as an int64 array."""
    p = np.array(offset, dtype=np.int64)
    for n, s in zip(shape, stride):
        p = p[..., None] + np.arange(n, dtype=np.int64) * s
    return p


class AsStridedBackward0(Node):
    """Sum the gradient into the memory positions the view addressed (overlapping elements
    add up), then read it back at the input's positions."""
    __slots__ = ('storage_n', 'out_geometry', 'in_geometry')

    def backward(self, g):
        dev = g._device
        pos_out = make(dev._backend.from_host(_positions(*self.out_geometry).reshape(-1),
                                              dev.index), _dt.int64, dev)
        pos_in = make(dev._backend.from_host(_positions(*self.in_geometry), dev.index),
                      _dt.int64, dev)
        flat = g.new_zeros((self.storage_n,)).scatter_add(0, pos_out, g.reshape(-1))
        return flat[pos_in]


# -- unfold: sliding windows as a view -------------------------------------------------------
def unfold(input, dimension, size, step):
    """A view of every slice of length ``size`` along ``dimension``, ``step`` apart: that dim
    becomes the number of windows and a new last dim of length ``size`` is added.

    Example::

        >>> flambeau.arange(5).unfold(0, 2, 1)
        tensor([[0, 1],
                [1, 2],
                [2, 3],
                [3, 4]])
    """
    x = input._data
    d = input._wrap_dim(dimension)
    if size < 0:
        raise RuntimeError(f'size is {size} but must be >= 0')
    max_size = x.shape[d] if x.ndim else 1
    if size > max_size:
        raise RuntimeError(f'maximum size for tensor at dimension {d} is {max_size} but size is '
                           f'{size}')
    if step <= 0:
        raise RuntimeError(f'step is {step} but must be > 0')
    if x.ndim:
        shape, strides = list(x.shape), list(x.strides)
        shape[d] = (shape[d] - size) // step + 1
        strides.append(strides[d])
        strides[d] *= step
        shape.append(size)
        data = _as_strided_array(x, tuple(shape), tuple(strides))
    else:
        data = _as_strided_array(x, (size,), (x.itemsize,))
    v = make_view(input, data, unfold, (d, size, step))
    if state.enabled and input._requires_grad:
        node = UnfoldBackward0()
        node.shape, node.dims = x.shape, (d, size, step)
        record(node, v, input)
    return v


class UnfoldBackward0(Node):
    __slots__ = ('shape', 'dims')

    def backward(self, g):
        return _unfold_backward(g, self.shape, *self.dims)


class UnfoldBackwardBackward0(Node):
    __slots__ = ('dims',)

    def backward(self, g):
        return unfold(g, *self.dims)


def _unfold_backward(g, shape, dim, size, step):
    """Zeros of ``shape`` with every window of ``g`` added back at its place."""
    ga = g._data
    out = g._device._backend.xp.zeros(shape if shape else (1,), dtype=ga.dtype)
    if not shape:
        ga = ga[None]
        dim = 0
    n = ga.shape[dim]
    lead = (slice(None),) * dim
    for k in range(size):  # windows overlap when step < size: add, don't assign
        out[lead + (slice(k, k + (n - 1) * step + 1, step),)] += ga[..., k]
    r = make(out.reshape(shape), g._dtype, g._device)
    if state.enabled and g._requires_grad:
        node = UnfoldBackwardBackward0()
        node.dims = (dim, size, step)
        record(node, r, g)
    return r


# -- broadcasting, grids, at-least-n-d views -------------------------------------------------
def broadcast_shapes(*shapes):
    """The shape that tensors of ``shapes`` (ints or sequences of ints) broadcast to.

    Example::

        >>> flambeau.broadcast_shapes((2,), (3, 1), (1, 1, 1))
        torch.Size([1, 3, 2])
    """
    from ..tensor import Size
    shapes = [(s,) if isinstance(s, (int, np.integer)) else s for s in shapes if s is not None]
    if not shapes:
        return Size(())
    for s in shapes:
        if not isinstance(s, (tuple, list)):
            raise RuntimeError(f'Input shapes should be of type ints, a tuple of ints, or a list '
                               f'of ints, got {s}')
    common = [1] * max(len(s) for s in shapes)
    for k, s in enumerate(shapes):
        for i in range(-1, -1 - len(s), -1):
            n = s[i]
            if n == common[i]:
                continue
            if common[i] == 1:
                if n < 0:
                    raise ValueError('Attempting to broadcast a dimension with negative length!')
                common[i] = n
            if n != 1 and n != common[i]:
                raise RuntimeError(f'Attempting to broadcast a dimension of length {n} at {i}! '
                                   f'Mismatching argument at index {k} had {s}; but expected shape '
                                   f'should be broadcastable to {common}')
    return Size(int(n) for n in common)


def broadcast_tensors(*tensors):
    """Views of ``tensors`` expanded to their common broadcast shape (a tensor already of that
    shape is returned as it is).

    Example::

        >>> a, b = flambeau.broadcast_tensors(flambeau.zeros(2, 1), flambeau.zeros(3))
        >>> a.shape, b.shape
        (torch.Size([2, 3]), torch.Size([2, 3]))
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    shape = ()
    for t in tensors:
        s = t._data.shape
        if s != shape:
            try:
                shape = np.broadcast_shapes(shape, s)
            except ValueError:
                raise broadcast_error(None, *[t._data for t in tensors]) from None
    return tuple(t if t._data.shape == shape else expand(t, shape) for t in tensors)


_meshgrid_warned = [False]


def meshgrid(*tensors, indexing=None):
    """Coordinate grids from 1-d (or 0-d) tensors: output ``i`` holds ``tensors[i]`` expanded
    along every other dim (views). ``indexing='ij'`` gives shape ``(len(t0), len(t1), ...)``;
    ``'xy'`` (Cartesian) swaps the first two dims.

    Example::

        >>> gx, gy = flambeau.meshgrid(flambeau.tensor([1, 2]), flambeau.tensor([3, 4, 5]),
        ...                            indexing='ij')
        >>> gx
        tensor([[1, 1, 1],
                [2, 2, 2]])
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        if not _meshgrid_warned[0]:  # PyTorch warns once per process
            _meshgrid_warned[0] = True
            import warnings
            warnings.warn('torch.meshgrid: in an upcoming release, it will be required to pass the '
                          'indexing argument.', UserWarning, stacklevel=2)
        indexing = 'ij'
    if not tensors:
        raise RuntimeError('meshgrid expects a non-empty TensorList')
    for t in tensors:
        if t._data.ndim > 1:
            raise RuntimeError(f'torch.meshgrid: Expected 0D or 1D tensor in the tensor list but '
                               f'got: {t!r}')
    first = tensors[0]
    for t in tensors[1:]:
        if t._dtype is not first._dtype:
            raise RuntimeError('meshgrid expects all tensors to have the same dtype')
        if t._device is not first._device:
            raise RuntimeError('meshgrid expects all tensors to have the same device')
    if indexing not in ('xy', 'ij'):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: '
                           f'{indexing}')
    tensors = list(tensors)
    swap = indexing == 'xy' and len(tensors) > 1
    if swap:
        tensors[0], tensors[1] = tensors[1], tensors[0]
    shape = tuple(t._data.size for t in tensors)
    n = len(tensors)
    grids = [expand(view(t, (1,) * i + (-1,) + (1,) * (n - i - 1)), shape)
             for i, t in enumerate(tensors)]
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


def _atleast(tensors, fn):
    if len(tensors) == 1:
        t = tensors[0]
        if isinstance(t, Tensor):
            return fn(t)
        tensors = t
    return tuple(fn(t) for t in tensors)


def _at1(t):
    return reshape(t, (1,)) if t._data.ndim == 0 else t


def _at2(t):
    n = t._data.ndim
    return reshape(t, (1, 1)) if n == 0 else unsqueeze(t, 0) if n == 1 else t


def _at3(t):
    n = t._data.ndim
    if n == 0:
        return reshape(t, (1, 1, 1))
    if n == 1:
        return unsqueeze(unsqueeze(t, 0), -1)
    return unsqueeze(t, -1) if n == 2 else t


def atleast_1d(*tensors):
    """Each input with at least 1 dim: a 0-d tensor becomes a view of shape ``(1,)``, others
    are returned as they are. One tensor gives a tensor; several (or a sequence) a tuple.

    Example::

        >>> flambeau.atleast_1d(flambeau.tensor(1.))
        tensor([1.])
    """
    return _atleast(tensors, _at1)


def atleast_2d(*tensors):
    """Each input with at least 2 dims: 0-d becomes ``(1, 1)``, 1-d ``(1, n)`` (views).

    Example::

        >>> flambeau.atleast_2d(flambeau.tensor([1, 2])).shape
        torch.Size([1, 2])
    """
    return _atleast(tensors, _at2)


def atleast_3d(*tensors):
    """Each input with at least 3 dims: 0-d becomes ``(1, 1, 1)``, 1-d ``(1, n, 1)``, 2-d
    ``(m, n, 1)`` (views).

    Example::

        >>> flambeau.atleast_3d(flambeau.zeros(2, 3)).shape
        torch.Size([2, 3, 1])
    """
    return _atleast(tensors, _at3)


def ravel(input):
    """``input`` flattened to 1-d: a view when it is contiguous, else a view of a contiguous
    copy.

    Example::

        >>> flambeau.tensor([[1, 2], [3, 4]]).ravel()
        tensor([1, 2, 3, 4])
    """
    return view(contiguous(input), (-1,))


# Tensor methods of this module's newer ops (the older ones are bound in _tensor_methods).
METHODS = {'tensor_split': tensor_split, 'hsplit': hsplit, 'vsplit': vsplit, 'dsplit': dsplit,
           'diagonal': diagonal, 'as_strided': as_strided, 'unfold': unfold, 'ravel': ravel}
INPLACE = {}
