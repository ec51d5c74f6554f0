"""Embeddings: ``embedding`` (padding_idx, max_norm, scale_grad_by_freq), ``embedding_bag``
(sum, mean, max over bags), ``one_hot``, ``embedding_renorm_``.

The functions named ``embedding`` and ``embedding_bag`` here are ``torch.nn.functional``'s
(``(input, weight, ...)``); ``torch.embedding`` (ATen's ``(weight, indices, ...)``) is in
``normalization.py``. Conversely this module holds ``torch.batch_norm`` and
``torch.instance_norm`` with ATen's argument order (``weight, bias`` before the running
statistics): one module cannot hold two functions under one name.

Gradients: the weight gets the upstream rows added at the rows that were looked up (one
``EmbeddingBackward0`` / ``EmbeddingBagBackward0`` node), on raw arrays without
``create_graph`` and through ``index_add`` (differentiable) with it. ``sparse=True`` is
accepted; flambeau has no sparse tensors, so the gradient is the equivalent dense one.
"""
__all__ = ['batch_norm', 'embedding_renorm_', 'instance_norm']
import warnings

import numpy as np

from .. import dtypes as _dt
from ..autograd.node import tensor_type_name
from ._common import Node, dtype_title, make, record, state, xp_of
from .creation import arange, zeros
from .index import add_at_rows
from .inplace import check_inplace
from .normalization import _batch_norm, _instance_norm

# the names ``flambeau.nn.functional`` exports from this module
FUNCTIONAL = ['embedding', 'embedding_bag', 'one_hot']
_INDEX_DTYPES = ('int64', 'int32')


def _check_indices(indices, fn):
    if indices._dtype.name not in _INDEX_DTYPES:
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the "
                           f"following scalar types: Long, Int; but got "
                           f"{tensor_type_name(indices)} instead (while checking arguments for "
                           f"{fn})")


def _acc(dt):
    return np.float32 if dt.itemsize == 2 else dt.numpy


# -- embedding ------------------------------------------------------------------------------------
class EmbeddingBackward0(Node):
    """Upstream rows added into a zero weight gradient at the looked-up rows (not at
    ``padding_idx``; divided by each index's frequency with ``scale_grad_by_freq``)."""
    __slots__ = ('num', 'padding_idx', 'scale_by_freq', 'wdtype')

    def backward(self, g):
        indices, = self.saved_tensors
        idx = indices._data.reshape(-1)
        d = g._data.shape[-1] if g._data.ndim else 0
        keep = None if self.padding_idx < 0 else idx != self.padding_idx
        xp = xp_of(g)
        scale = None
        if self.scale_by_freq:
            scale = 1.0 / xp.bincount(idx, minlength=self.num)[idx]
        if state.enabled:
            gf = g.reshape(-1, d)
            if scale is not None:
                gf = gf * make(scale.astype(g._dtype.numpy)[:, None], g._dtype, g._device)
            if keep is not None:
                gf = gf * make(keep.astype(g._dtype.numpy)[:, None], g._dtype, g._device)
            gw = zeros((self.num, d), dtype=g._dtype, device=g._device)
            return gw.index_add(0, make(idx.astype(np.int64), _dt.int64, g._device), gf),
        gf = g._data.reshape(-1, d).astype(_acc(self.wdtype))
        if scale is not None:
            gf = gf * scale[:, None].astype(gf.dtype)
        if keep is not None:
            idx, gf = idx[keep], gf[keep]
        gw = xp.zeros((self.num, d), gf.dtype)
        add_at_rows(gw, idx, gf)
        return make(gw.astype(self.wdtype.numpy, copy=False), self.wdtype, g._device),


def _embedding(weight, indices, padding_idx, scale_grad_by_freq):
    """torch.embedding's kernel (``padding_idx`` already in [0, num) or -1)."""
    _check_indices(indices, 'embedding')
    w = weight._data
    if w.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    idx = indices._data
    num = w.shape[0]
    if idx.size and (idx.min() < 0 or idx.max() >= num):
        raise IndexError('index out of range in self')
    out = make(w[idx], weight._dtype, weight._device)
    if state.enabled and weight._requires_grad:
        node = EmbeddingBackward0()
        node.num, node.padding_idx, node.scale_by_freq = num, padding_idx, scale_grad_by_freq
        node.wdtype = weight._dtype
        node.save(indices)
        record(node, out, weight)
    return out


def _padding_index(padding_idx, num):
    if padding_idx is None:
        return -1
    if padding_idx > 0:
        if padding_idx >= num:
            raise AssertionError('Padding_idx must be within num_embeddings')
    elif padding_idx < 0:
        if padding_idx < -num:
            raise AssertionError('Padding_idx must be within num_embeddings')
        padding_idx = num + padding_idx
    return padding_idx


def embedding_renorm_(input, indices, max_norm, norm_type):
    """Rescale in place each row of ``input`` (a weight matrix) that ``indices`` selects and
    whose ``norm_type``-norm exceeds ``max_norm``, to norm ``max_norm``. Returns ``input``.

    Example::

        >>> w = flambeau.tensor([[3., 4.], [0.3, 0.4]])
        >>> flambeau.embedding_renorm_(w, flambeau.tensor([0, 1]), 1.0, 2.0)
        tensor([[0.6000, 0.8000],
                [0.3000, 0.4000]])
    """
    if not input._dtype.is_floating_point:
        raise RuntimeError(f'norm(): input dtype should be either floating point or complex. '
                           f'Got {dtype_title(input._dtype)} instead.')
    if state.enabled and input._requires_grad:
        check_inplace(input)
    xp = xp_of(input)
    w = input._data
    rows = xp.unique(indices._data.reshape(-1))
    if rows.size:
        sel = w[rows].astype(_acc(input._dtype))
        a = xp.abs(sel)
        p = float(norm_type)
        if p == np.inf:
            norms = a.max(axis=1)
        elif p == 0:
            norms = (a != 0).sum(axis=1).astype(a.dtype)
        else:
            norms = (a ** p).sum(axis=1) ** (1.0 / p)
        big = norms > max_norm
        if big.any():
            r = rows[big]
            scale = max_norm / (norms[big] + 1e-7)
            w[r] = (sel[big] * scale[:, None]).astype(w.dtype)
    input._vc[0] += 1
    return input


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """The rows of ``weight`` (``(num_embeddings, embedding_dim)``) that the integer tensor
    ``input`` selects: output shape ``input.shape + (embedding_dim,)``.

    ``padding_idx``: that row gets no gradient. ``max_norm``: the selected rows whose
    ``norm_type``-norm exceeds it are first rescaled in place (under no_grad).
    ``scale_grad_by_freq``: gradients divided by each index's frequency in ``input``.

    Example::

        >>> w = flambeau.tensor([[0., 1.], [2., 3.], [4., 5.]])
        >>> F.embedding(flambeau.tensor([[2, 0]]), w)
        tensor([[[4., 5.],
                 [0., 1.]]])
    """
    padding_idx = _padding_index(padding_idx, weight.size(0))
    if max_norm is not None:
        input = input.contiguous()
        prev = state.enabled
        state.enabled = False
        try:
            embedding_renorm_(weight, input, max_norm, norm_type)
        finally:
            state.enabled = prev
    return _embedding(weight, input, padding_idx, scale_grad_by_freq)


# -- embedding_bag ---------------------------------------------------------------------------------
class EmbeddingBagBackward0(Node):
    """Gradients of the weight (the bag's upstream row, scaled as in the forward, added at each
    member's row; for ``max`` only at the maximising member) and of ``per_sample_weights``
    (the dot product of the upstream row and the member's weight row)."""
    __slots__ = ('num', 'mode', 'idx', 'bag', 'pos', 'scale', 'argmax', 'freq', 'n')

    def backward(self, g):
        weight, psw = self.saved_tensors
        nf = self.next_functions
        need_w, need_p = nf[0][0] is not None, nf[1][0] is not None
        xp = xp_of(g)
        idx, bag, pos = self.idx, self.bag, self.pos
        d = g._data.shape[1]
        gw = gp = None
        if state.enabled:
            return self._backward_graph(g, weight, psw, need_w, need_p)
        ga = g._data.astype(_acc(weight._dtype))
        if need_w:
            gw = xp.zeros((self.num, d), ga.dtype)
            if self.mode == 2:
                b, c = xp.nonzero(self.argmax >= 0)
                xp.add.at(gw, (idx[self.argmax[b, c]], c), ga[b, c])
            else:
                contrib = ga[bag]
                if self.scale is not None:
                    contrib = contrib * self.scale[:, None].astype(ga.dtype)
                if psw is not None:
                    contrib = contrib * psw._data[pos].astype(ga.dtype)[:, None]
                xp.add.at(gw, idx, contrib)
            gw = make(gw.astype(weight._dtype.numpy), weight._dtype, g._device)
        if need_p:
            vals = (ga[bag] * weight._data[idx].astype(ga.dtype)).sum(axis=1)
            res = xp.zeros(self.n, ga.dtype)
            res[pos] = vals
            gp = make(res.astype(psw._dtype.numpy), psw._dtype, g._device)
        return gw, gp

    def _backward_graph(self, g, weight, psw, need_w, need_p):
        dtypes = _dt
        dev, dt = g._device, g._dtype
        idx_t = make(self.idx.astype(np.int64), dtypes.int64, dev)
        bag_t = make(self.bag.astype(np.int64), dtypes.int64, dev)
        d = g._data.shape[1]
        gw = gp = None
        if need_w:
            if self.mode == 2:
                b, c = g._device._backend.xp.nonzero(self.argmax >= 0)
                flat = make((self.idx[self.argmax[b, c]] * d + c).astype(np.int64),
                            dtypes.int64, dev)
                src = g.reshape(-1).index_select(
                    0, make((b * d + c).astype(np.int64), dtypes.int64, dev))
                gw = zeros(self.num * d, dtype=dt, device=dev).index_add(0, flat, src)
                gw = gw.reshape(self.num, d)
            else:
                contrib = g.index_select(0, bag_t)
                if self.scale is not None:
                    contrib = contrib * make(self.scale.astype(dt.numpy)[:, None], dt, dev)
                if psw is not None:
                    pos_t = make(self.pos.astype(np.int64), dtypes.int64, dev)
                    contrib = contrib * psw.index_select(0, pos_t).unsqueeze(1)
                gw = zeros((self.num, d), dtype=dt, device=dev).index_add(0, idx_t, contrib)
        if need_p:
            vals = (g.index_select(0, bag_t) * weight.index_select(0, idx_t)).sum(1)
            pos_t = make(self.pos.astype(np.int64), dtypes.int64, dev)
            gp = zeros(self.n, dtype=psw._dtype, device=dev).index_add(0, pos_t, vals)
        return gw, gp


_MODES = {'sum': 0, 'mean': 1, 'max': 2}


def _embedding_bag(weight, indices, offsets, scale_grad_by_freq, mode, psw,
                   include_last_offset, padding_idx):
    """torch.embedding_bag's kernel on a 1-D ``indices``: the output only."""
    _check_indices(indices, 'embedding_bag')
    if psw is not None and psw._dtype is not weight._dtype:
        raise RuntimeError(f"Expected tensor for argument #1 'weight' to have the same type as "
                           f"tensor for argument #1 'per_sample_weights'; but type "
                           f"{tensor_type_name(weight)} does not equal {tensor_type_name(psw)} "
                           f"(while checking arguments for embedding_bag)")
    if not weight._dtype.is_floating_point:
        got = 'CPUBoolType' if weight._dtype is _dt.bool else tensor_type_name(weight)
        raise RuntimeError(f"Expected tensor for argument #1 'weight' to have one of the "
                           f"following scalar types: Half, BFloat16, Float, Double; but got "
                           f"{got} instead (while checking arguments for embedding_bag)")
    xp = xp_of(weight)
    w = weight._data
    num, d = w.shape
    if padding_idx is None:
        padding_idx = -1
    else:
        if not -num <= padding_idx < num:
            raise RuntimeError(f'padding_idx must be within the number of embeddings, {-num} '
                               f'through {num - 1}, but got {padding_idx}')
        if padding_idx < 0:
            padding_idx += num
    idx = indices._data.astype(np.int64, copy=False)
    n = idx.shape[0]
    off = offsets._data.astype(np.int64, copy=False)
    if off.size and off[0] != 0:
        raise RuntimeError(f'offsets[0] has to be 0, i.e., the first sequence in the mini-batch '
                           f'has to start from position 0. However, got {int(off[0])}')
    if off.size and off[-1] > n:
        raise RuntimeError(f"offsets[-1] can not be greater than input's length {n} but got "
                           f'offsets[-1] of {int(off[-1])}')
    for i in range(n) if n and (idx.min() < 0 or idx.max() >= num) else ():
        v = int(idx[i])
        if not 0 <= v < num:
            raise RuntimeError(f'Index {i} of input takes value {v} which is not in the valid '
                               f'range [0, {num})')
    nbags = max(off.shape[0] - 1, 0) if include_last_offset else off.shape[0]
    bag = xp.searchsorted(off, xp.arange(n), side='right') - 1
    keep = bag < nbags
    if padding_idx >= 0:
        keep &= idx != padding_idx
    pos = xp.nonzero(keep)[0]
    bag, sel = bag[pos], idx[pos]
    acc = _acc(weight._dtype)
    rows = w[sel].astype(acc)
    out = xp.zeros((nbags, d), acc)
    scale = argmax = None
    if mode == 2:
        if pos.size:
            m = xp.full((nbags, d), -np.inf, acc)
            xp.maximum.at(m, bag, rows)
            first = xp.full((nbags, d), pos.size, np.int64)
            hit = rows == m[bag]
            xp.minimum.at(first, bag, xp.where(hit, xp.arange(pos.size)[:, None], pos.size))
            empty = first == pos.size
            out = xp.where(empty, 0, m).astype(acc)
            argmax = xp.where(empty, -1, first)
        else:
            argmax = xp.full((nbags, d), -1, np.int64)
    else:
        contrib = rows
        if psw is not None:
            contrib = contrib * psw._data[pos].astype(acc)[:, None]
        if mode == 1:
            counts = xp.bincount(bag, minlength=nbags)
            scale = 1.0 / counts[bag]
            contrib = contrib * scale[:, None].astype(acc)
        xp.add.at(out, bag, contrib)
    if scale_grad_by_freq and mode != 2:
        freq = xp.bincount(sel, minlength=num)[sel]
        scale = (scale if scale is not None else 1.0) / freq
    res = make(out.astype(w.dtype), weight._dtype, weight._device)
    if state.enabled and (weight._requires_grad or (psw is not None and psw._requires_grad)):
        node = EmbeddingBagBackward0()
        node.num, node.mode, node.idx, node.bag, node.pos = num, mode, sel, bag, pos
        node.scale, node.argmax, node.n = scale, argmax, n
        node.save(weight, psw)
        record(node, res, weight, psw)
    return res


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2,
                  scale_grad_by_freq=False, mode='mean', sparse=False, per_sample_weights=None,
                  include_last_offset=False, padding_idx=None):
    """Sums, means or maxima of bags of embeddings, without building the intermediate rows.

    ``input``: a 2-D ``(B, L)`` tensor of indices (each row a bag), or a 1-D one cut into bags
    at ``offsets`` (the start of each bag; with ``include_last_offset`` one more entry, the
    end). ``mode``: ``'sum'``, ``'mean'`` or ``'max'``; ``per_sample_weights`` (same shape as
    ``input``, ``'sum'`` only) weigh each row. Entries equal to ``padding_idx`` are left out;
    an empty bag gives zeros. Output ``(B, embedding_dim)``.

    Example::

        >>> w = flambeau.tensor([[0., 1.], [2., 3.], [4., 5.]])
        >>> F.embedding_bag(flambeau.tensor([0, 2, 1]), w, flambeau.tensor([0, 2]), mode='sum')
        tensor([[4., 6.],
                [2., 3.]])
    """
    if weight._dtype.name == 'int64' and input._dtype.is_floating_point:
        warnings.warn('Argument order of nn.functional.embedding_bag was changed. Usage '
                      '`embedding_bag(weight, input, ...)` is deprecated, and should now be '
                      '`embedding_bag(input, weight, ...)`.', stacklevel=2)
        weight, input = input, weight
    psw = per_sample_weights
    if psw is not None and tuple(input.shape) != tuple(psw.shape):
        raise ValueError(f'embedding_bag: If per_sample_weights ({psw.shape}) is not None, then '
                         f'it must have the same shape as the input ({input.shape})')
    if weight.dim() != 2:
        raise ValueError(f'weight has to be a 2D Tensor, but got Tensor of dimension '
                         f'{weight.dim()}')
    nd = input.dim()
    if nd == 2:
        if offsets is not None:
            raise ValueError(f'if input is 2D, then offsets has to be None, as input is treated '
                             f'is a mini-batch of fixed length sequences. However, found offsets '
                             f'of type {type(offsets)}')
        offsets = arange(0, input.numel(), input.size(1), dtype=input.dtype,
                         device=input.device)
        include_last_offset = False
        input = input.reshape(-1)
        if psw is not None:
            psw = psw.reshape(-1)
    elif nd == 1:
        if offsets is None:
            raise ValueError('offsets has to be a 1D Tensor but got None')
        if offsets.dim() != 1:
            raise ValueError('offsets has to be a 1D Tensor')
    else:
        raise ValueError(f'input has to be 1D or 2D Tensor, but got Tensor of dimension {nd}')
    m = _MODES.get(mode)
    if m is None:
        raise ValueError('mode has to be one of sum, mean or max')
    if m == 2:
        if scale_grad_by_freq:
            raise ValueError('max mode does not support scaling the gradient by the frequency')
        if sparse:
            raise ValueError('max mode does not support sparse weights')
    if max_norm is not None:
        prev = state.enabled
        state.enabled = False
        try:
            embedding_renorm_(weight, input, max_norm, norm_type)
        finally:
            state.enabled = prev
    if psw is not None and m != 0:
        raise NotImplementedError(
            f"embedding_bag: per_sample_weights was not None. per_sample_weights is only "
            f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
            f"GitHub.")
    return _embedding_bag(weight, input, offsets, scale_grad_by_freq, m, psw,
                          include_last_offset, padding_idx)


# -- one_hot ---------------------------------------------------------------------------------------
def one_hot(tensor, num_classes=-1):
    """An int64 tensor of shape ``tensor.shape + (num_classes,)`` with a 1 at each index of the
    int64 ``tensor`` and 0 elsewhere; ``num_classes=-1`` takes ``tensor.max() + 1``.

    Example::

        >>> F.one_hot(flambeau.tensor([0, 2]))
        tensor([[1, 0, 0],
                [0, 0, 1]])
    """
    if tensor._dtype.name != 'int64':
        raise RuntimeError('one_hot is only applicable to index tensor of type LongTensor.')
    x = tensor._data
    xp = xp_of(tensor)
    if x.size == 0:
        if num_classes == -1:
            raise RuntimeError('Can not infer total number of classes from empty tensor.')
    else:
        if x.min() < 0:
            raise RuntimeError('Class values must be non-negative.')
        if num_classes == -1:
            num_classes = int(x.max()) + 1
        elif x.max() >= num_classes:
            raise RuntimeError('Class values must be smaller than num_classes.')
    res = (x[..., None] == xp.arange(num_classes)).astype(np.int64)
    return make(res, tensor._dtype, tensor._device)


# -- torch.batch_norm / torch.instance_norm (ATen's argument order) ------------------------------
def batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps,
               cudnn_enabled):
    """``torch.batch_norm``: :func:`torch.nn.functional.batch_norm` with ATen's argument order
    (``weight`` and ``bias`` first) and none of its Python-side checks.

    Example::

        >>> x = flambeau.tensor([[1., 2.], [3., 6.]])
        >>> flambeau.batch_norm(x, None, None, None, None, True, 0.1, 1e-5, False)
        tensor([[-1.0000, -1.0000],
                [ 1.0000,  1.0000]])
    """
    return _batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps)


def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum,
                  eps, cudnn_enabled):
    """``torch.instance_norm``: :func:`torch.nn.functional.instance_norm` with ATen's argument
    order (``weight`` and ``bias`` first).

    Example::

        >>> x = flambeau.tensor([[[1., 3.], [0., 4.]]])
        >>> flambeau.instance_norm(x, None, None, None, None, True, 0.1, 1e-5, False)
        tensor([[[-1.0000,  1.0000],
                 [-1.0000,  1.0000]]])
    """
    return _instance_norm(input, weight, bias, running_mean, running_var, use_input_stats,
                          momentum, eps)


METHODS = {}
INPLACE = {}
