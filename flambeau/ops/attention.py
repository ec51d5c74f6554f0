"""Attention: ``scaled_dot_product_attention`` (one fused graph node) and
``multi_head_attention_forward`` (the functional form of ``nn.MultiheadAttention``).

Note [Fused attention]: ``scaled_dot_product_attention`` runs its forward on raw arrays (two
matrix products around a stable softmax, the mask and the causal triangle applied in place) and
records a single node. Its backward has two forms. Without ``create_graph`` it works on arrays
too, from the attention probabilities saved by the forward. With ``create_graph`` it recomputes
the probabilities from the saved inputs with flambeau ops and writes the gradients as tensor
expressions, so that gradients of gradients flow (gradgradcheck). Rows whose every score is
masked out (all False, or -inf) give zero output and zero gradients, as PyTorch 2.13 does.

The node takes the name of PyTorch's last node: the CPU flash kernel's
(``ScaledDotProductFlashAttentionForCpuBackward0``) where PyTorch picks that kernel (4-D inputs
of one batch size and head count, no dropout, a 2-D or 4-D mask that needs no gradient, one head
size, contiguous last dims, non-empty sequences), otherwise that of its math path's last op.
"""
import math
import warnings

import numpy as np

from .. import dtypes as _dt
from ..random import _generator_for
from ..tensor import _C_TYPE
from ._common import (Node, Tensor, broadcast_error, device_mismatch, dtype_title, make, record,
                      reduce_grad, state, xp_of)
from .activation import softmax as _softmax
from .creation import zeros as _zeros
from .linear import linear as _linear
from .normalization import dropout as _dropout
from .pointwise import where as _where
from .random import _fmt, _place, _uniform
from .resample import pad as _pad
from .shape import cat as _cat

__all__ = []
FUNCTIONAL = ['scaled_dot_product_attention', 'multi_head_attention_forward']

_HALF = (_dt.float16, _dt.bfloat16)
_FLASH = 'ScaledDotProductFlashAttentionForCpuBackward0'
_NEG_INF = float('-inf')
_UPPER = {}  # (L, S, xp) -> bool array: the positions a causal row may not attend to


def _upper(L, S, xp):
    key = (L, S, xp)
    m = _UPPER.get(key)
    if m is None:
        if len(_UPPER) > 64:
            _UPPER.clear()
        m = _UPPER[key] = xp.asarray(~np.tri(L, S, 0, dtype=bool))
    return m


# Note [Key-major scores]: on the host the scores ``Q K^T`` (..., L, S) are stored with the key
# axis S outside the last batch axis: memory order (..., S, H, L) for (..., H, L, S). The softmax
# reductions over S then add whole rows of H*L elements at a time instead of looping over L*H
# rows of S elements one by one (NumPy's reduction over a short last axis costs ~60 ns a row):
# the row max 480 -> 110 us and the row sum 220 -> 85 us on GPT's (32, 4, 64, 64), for ~20 us
# more in the GEMM. BLAS reads such a layout directly (a leading dimension of H*L). Masks and
# dropout keep-masks are copied into the same layout first: NumPy sweeps two operands of
# conflicting memory orders 30x slower.
def _scores(xp, a, b):
    """``a @ b^T`` over broadcast batch dims: ``(..., L, E) x (..., S, E) -> (..., L, S)``, in
    the key-major layout on the host (Note [Key-major scores])."""
    if xp is not np:
        return a @ b.swapaxes(-1, -2)
    L, S = a.shape[-2], b.shape[-2]
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    pos = max(len(batch) - 1, 0)
    buf = np.empty(batch[:pos] + (S,) + batch[pos:] + (L,), np.result_type(a, b))
    # a^T copied first: OpenBLAS runs these small products 1.5x slower on a transposed operand
    np.matmul(b, np.ascontiguousarray(a.swapaxes(-1, -2)), out=np.moveaxis(buf, pos, -2))
    return np.moveaxis(buf, pos, -1)


# Note [Masks over the heads]: a mask broadcast over the heads axis leaves NumPy an inner loop
# of one query row (L elements) per head and key: GPT's (64, 64) causal float mask over
# (32, 4, 64, 64) scores, 8K loops of 64. Copied across the heads as well (H * L * S elements
# more, here 64 KB), the mask and the scores are contiguous over (S, H, L) and the add is one
# loop of 16K per batch entry: 100 -> 50 us. A boolean mask is added the same way, as 0 / -inf
# (PyTorch's semantics: a NaN score stays NaN), and ``is_causal`` puts -inf at the blocked
# scores (a NaN there is replaced, as PyTorch's flash kernel does) branch-free, as two bit
# operations with ``(S, H, L)`` words (``s & keep | blocked``): a masked copy
# (``copyto(where=)``) branches on each element, 190 us for the causal triangle (800 for a
# random mask), against ~90.
_MASK_COPY_MAX = 1 << 20


def _like_scores(m, s):
    """``m`` (broadcastable to the scores ``s``) with its last axis placed in memory as in ``s``
    (Note [Key-major scores]): a copy where ``s`` is key-major, made across the heads too where
    it is broadcast over them (Note [Masks over the heads])."""
    if type(s) is not np.ndarray or s.ndim < 2 or s.strides[-1] <= s.strides[-2]:
        return m
    pos = max(s.ndim - 3, 0)
    m = m.reshape((1,) * (s.ndim - m.ndim) + m.shape)
    full = m.shape[:pos] + s.shape[pos:]
    if m.shape != full and math.prod(full) <= min(_MASK_COPY_MAX, s.size // 2):
        m = np.broadcast_to(m, full)
    return np.moveaxis(np.ascontiguousarray(np.moveaxis(m, -1, pos)), pos, -1)


def _additive(xp, m, dtype):
    """A boolean mask (True: the position takes part) as the float mask PyTorch adds: 0 where
    True, -inf where False; on the host branch-free and in the memory layout of ``m``."""
    if xp is not np or dtype.itemsize not in (4, 8):
        return xp.where(m, dtype.type(0), dtype.type(_NEG_INF))
    u = np.dtype(f'u{dtype.itemsize}')
    bits = m.astype(u)
    bits -= 1  # 0 where True, all ones where False
    bits &= np.array(_NEG_INF, dtype).view(u)
    return bits.view(dtype)


def _block(xp, s, blocked):
    """``s[blocked] = -inf`` in place, ``blocked`` a boolean array broadcastable to the scores
    ``s`` (Note [Masks over the heads])."""
    blocked = _like_scores(blocked, s)
    if xp is not np or s.dtype.kind != 'f' or s.dtype.itemsize not in (4, 8):
        xp.copyto(s, _NEG_INF, where=blocked)
        return
    u = np.dtype(f'u{s.dtype.itemsize}')
    bits = s.view(u)
    keep = blocked.astype(u)  # (in the layout of ``blocked``, the scores')
    keep -= 1  # all ones where kept, 0 where blocked
    np.bitwise_and(bits, keep, out=bits)
    np.bitwise_or(bits, np.bitwise_and(~keep, np.array(_NEG_INF, s.dtype).view(u)), out=bits)


def _zero_strided(shape):
    return np.broadcast_to(np.zeros((), bool), shape)


def _broadcast_batch(a, b):
    """The broadcast of batch shapes ``a`` and ``b`` (PyTorch's error if they do not)."""
    try:
        return np.broadcast_shapes(a, b)
    except ValueError as e:
        raise broadcast_error(e, _zero_strided(a), _zero_strided(b)) from None


def _matmul_error(a, b):
    """PyTorch's error for ``(.., n, m) @ (.., m2, p)`` with ``m != m2`` (shapes ``a``, ``b``)."""
    if len(b) == 2:  # PyTorch folds the batch dims of ``a`` into rows: one mm
        return RuntimeError(f'mat1 and mat2 shapes cannot be multiplied '
                            f'({math.prod(a[:-1])}x{a[-1]} and {b[0]}x{b[1]})')
    batch = math.prod(_broadcast_batch(a[:-2], b[:-2]))
    return RuntimeError(f'Expected size for first two dimensions of batch2 tensor to be: '
                        f'[{batch}, {a[-1]}] but got: [{batch}, {b[-2]}].')


def _sum_to(x, shape):
    """Array ``x`` summed down to ``shape`` (a shape it was broadcast from)."""
    if x.shape == shape:
        return x
    lead = x.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(shape)
                                      if s == 1 and x.shape[lead + i] != 1)
    return x.sum(axis=axes).reshape(shape)


def _product_like(xp, a, b, like):
    """``a @ b`` (stacked); when it has ``like``'s shape, written into an array laid out as
    ``like`` is. The gradients of q, k and v then come back in the memory order of their
    inputs: for the heads of ``MultiheadAttention``, permuted views of (N, L, H, D) rows, the
    backward of the permute and of the reshape need no copy (GPT workload: six ~1 MB copies a
    step)."""
    if xp is np and type(like) is np.ndarray and a.dtype == b.dtype == like.dtype and \
            a.shape[:-2] == b.shape[:-2] == like.shape[:-2] and \
            (a.shape[-2], b.shape[-1]) == like.shape[-2:]:
        out = np.empty_like(like)
        return np.matmul(a, b, out=out)
    return a @ b


def _heads_sum(x, groups):
    """Sum the ``groups`` consecutive copies of each key/value head (dim -3) that grouped-query
    attention made (array or Tensor)."""
    if groups == 1:
        return x
    s = tuple(x.shape)
    x = x.reshape(s[:-3] + (s[-3] // groups, groups) + s[-2:])
    return x.sum(axis=-3) if isinstance(x, np.ndarray) else x.sum(-3)


def _check_tensor(t, name, pos):
    if not isinstance(t, Tensor):
        where = f' (position {pos})' if pos else ''
        raise TypeError(f"scaled_dot_product_attention(): argument '{name}'{where} must be "
                        f'Tensor, not {type(t).__name__}')


class ScaledDotProductAttentionBackward(Node):
    """Backward of the fused attention (Note [Fused attention]). With ``P`` the probabilities
    and ``g`` the output's gradient: ``dV = P^T g``, ``dS = P * (g V^T - rowsum(P * g V^T))``,
    ``dQ = scale dS K``, ``dK = scale dS^T Q``; a float mask gets ``dS``."""
    __slots__ = ('label', 'probs', 'keep', 'scale', 'groups_k', 'groups_v', 'bool_mask',
                 'causal', 'dead', 'has_mask')

    def name(self):
        return self.label

    def release(self):
        Node.release(self)
        self.probs = self.keep = self.bool_mask = self.dead = None

    def backward(self, g):
        saved = self.saved_tensors
        q, k, v = saved[0], saved[1], saved[2]
        if state.enabled:
            return self._backward_graph(g, q, k, v, saved[3] if self.has_mask else None)
        nf = self.next_functions
        dt = q._dtype
        qa, ka, va, ga = q._data, k._data, v._data, g._data
        if dt in _HALF:
            qa, ka, va, ga = (a.astype(np.float32) for a in (qa, ka, va, ga))
        P, keep = self.probs, self.keep
        xp = xp_of(q)
        ke = xp.repeat(ka, self.groups_k, axis=-3) if self.groups_k > 1 else ka
        ve = xp.repeat(va, self.groups_v, axis=-3) if self.groups_v > 1 else va
        gq = gk = gv = gm = None
        if nf[2][0] is not None:
            Pd = P if keep is None else P * keep
            gv = _heads_sum(_sum_to(_product_like(xp, Pd.swapaxes(-1, -2), ga, ve), ve.shape),
                            self.groups_v)
        mask_grad = self.has_mask and nf[3][0] is not None
        if nf[0][0] is not None or nf[1][0] is not None or mask_grad:
            dS = _scores(xp, ga, ve)
            if keep is not None:
                dS *= keep
            dS -= (dS * P).sum(axis=-1, keepdims=True)
            dS *= P
            if nf[0][0] is not None:
                gq = _sum_to(_product_like(xp, dS, ke, qa), qa.shape)
                gq *= self.scale
            if nf[1][0] is not None:
                gk = _heads_sum(_sum_to(_product_like(xp, dS.swapaxes(-1, -2), qa, ke),
                                        ke.shape), self.groups_k)
                gk *= self.scale
            if mask_grad:
                gm = _sum_to(dS, saved[3]._data.shape)
        dev = q._device
        res = [None if a is None else make(a.astype(dt.numpy, copy=False), dt, dev)
               for a in (gq, gk, gv)]
        if self.has_mask:
            m = saved[3]
            res.append(None if gm is None else
                       make(gm.astype(m._dtype.numpy, copy=False), m._dtype, dev))
        return tuple(res)

    def _backward_graph(self, g, q, k, v, mask):
        """The same gradients as tensor expressions (differentiable: ``create_graph``)."""
        nf = self.next_functions
        dev = q._device
        ke = k.repeat_interleave(self.groups_k, -3) if self.groups_k > 1 else k
        ve = v.repeat_interleave(self.groups_v, -3) if self.groups_v > 1 else v
        s = (q * self.scale).matmul(ke.transpose(-2, -1))
        if mask is not None:
            s = s + mask.to(s.dtype)
        if self.bool_mask is not None:
            s = s + make(_additive(xp_of(q), self.bool_mask, s._data.dtype), s._dtype, dev)
        if self.causal:
            up = _upper(s.shape[-2], s.shape[-1], xp_of(q))
            s = _where(make(up, _dt.bool, dev), _NEG_INF, s)
        dead = None if self.dead is None else make(self.dead, _dt.bool, dev)
        if dead is not None:  # rows of -inf only: softmax of zeros, then zeroed (no NaN)
            s = _where(dead, 0.0, s)
        P = _softmax(s, -1)
        if dead is not None:
            P = _where(dead, 0.0, P)
        keep = None if self.keep is None else make(self.keep.astype(P._data.dtype), P._dtype, dev)
        Pd = P if keep is None else P * keep
        gq = gk = gv = None
        if nf[2][0] is not None:
            gv = Pd.transpose(-2, -1).matmul(g).sum_to_size(ve.shape)
            gv = reduce_grad(_heads_sum(gv, self.groups_v), v.shape, v._dtype)
        dP = g.matmul(ve.transpose(-2, -1))
        if keep is not None:
            dP = dP * keep
        dS = P * (dP - (dP * P).sum(-1, keepdim=True))
        if nf[0][0] is not None:
            gq = reduce_grad(dS.matmul(ke).sum_to_size(q.shape) * self.scale, q.shape, q._dtype)
        if nf[1][0] is not None:
            t = dS.transpose(-2, -1).matmul(q).sum_to_size(ke.shape)
            gk = reduce_grad(_heads_sum(t, self.groups_k) * self.scale, k.shape, k._dtype)
        res = [gq, gk, gv]
        if self.has_mask:
            res.append(reduce_grad(dS, mask.shape, mask._dtype) if nf[3][0] is not None
                       else None)
        return tuple(res)


def _is_flash(q, k, v, m, mask_t, dropout_p, enable_gqa, L, S):
    """Whether PyTorch's CPU dispatch picks its flash kernel for these arrays."""
    if not (q.ndim == 4 and k.ndim == 4 and v.ndim == 4 and dropout_p <= 0 and L and S):
        return False
    if not q.shape[0] == k.shape[0] == v.shape[0] or k.shape[1] != v.shape[1]:
        return False
    if q.shape[1] != k.shape[1] and not (enable_gqa and q.shape[1] % k.shape[1] == 0):
        return False
    if m is not None and (m.ndim not in (2, 4) or mask_t._requires_grad):
        return False
    e = q.shape[-1]
    if k.shape[-1] != e or v.shape[-1] != e:
        return False
    for a in (q, k, v):
        if a.strides[-1] != a.itemsize and e != 1:
            return False
    return True


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, *, scale=None, enable_gqa=False):
    """Attention of ``query`` over ``key``/``value``: ``softmax(Q K^T * scale + bias) V``.

    Shapes: ``query`` ``(N, ..., L, E)``, ``key`` ``(N, ..., S, E)``, ``value``
    ``(N, ..., S, Ev)``; the batch dims broadcast; output ``(N, ..., L, Ev)``.

    Args:
        attn_mask: broadcastable to ``(N, ..., L, S)``: a bool mask (True = the position takes
            part) or a float mask added to the scores.
        dropout_p: dropout probability applied to the attention weights (always, whatever
            the training mode: pass 0.0 in evaluation).
        is_causal: attend only to positions ``j <= i`` (the top-left aligned lower triangle);
            an ``attn_mask`` may not be given with it.
        scale: the factor of ``Q K^T``; ``1 / sqrt(E)`` by default.
        enable_gqa: grouped-query attention: the ``Hk`` key/value heads (dim -3) are shared by
            groups of ``H / Hk`` query heads.

    Rows where every position is masked out give zeros.

    Example::

        >>> q = k = v = flambeau.ones(1, 2, 3, 4)
        >>> F.scaled_dot_product_attention(q, k, v, is_causal=True).shape
        torch.Size([1, 2, 3, 4])
    """
    _check_tensor(query, 'query', 1)
    _check_tensor(key, 'key', 2)
    _check_tensor(value, 'value', 3)
    if attn_mask is not None:
        _check_tensor(attn_mask, 'attn_mask', 0)
    dt = query._dtype
    if key._dtype is not dt or value._dtype is not dt:
        raise RuntimeError(f'Expected query, key, and value to have the same dtype, but got '
                           f'query.dtype: {_C_TYPE[dt.name]} key.dtype: '
                           f'{_C_TYPE[key._dtype.name]} and value.dtype: '
                           f'{_C_TYPE[value._dtype.name]} instead.')
    dev = query._device
    for t in (key, value, attn_mask):
        if t is not None and t._device is not dev:
            raise device_mismatch(query, t)
    q, k, v = query._data, key._data, value._data
    if q.ndim < 2 or k.ndim < 2 or v.ndim < 2:
        raise RuntimeError(f'Expected query, key, and value to all be  at least 2 dimensional, '
                           f'but got query.dim: {q.ndim} key.dim: {k.ndim} and value.dim: '
                           f'{v.ndim} instead.')
    m = None
    if attn_mask is not None:
        md = attn_mask._dtype
        if md is not _dt.bool and md is not _dt.float32 and md is not dt:
            raise RuntimeError(f'Expected attn_mask dtype to be bool or float or to match query '
                               f'dtype, but got attn_mask.dtype: {_C_TYPE[md.name]} and  '
                               f'query.dtype: {_C_TYPE[dt.name]} instead.')
        m = attn_mask._data
        if m.ndim == 0:
            raise IndexError('Dimension specified as -2 but tensor has no dimensions')
        if m.ndim == 1:
            raise IndexError('Dimension out of range (expected to be in range of [-1, 0], but '
                             'got -2)')
    L, S = q.shape[-2], k.shape[-2]
    # an empty result is made without computing: no dtype check then
    empty = 0 in q.shape[:-1] or 0 in k.shape[:-1] or 0 in v.shape[:-2]
    if not dt.is_floating_point and not empty:
        raise RuntimeError(f'expected scalar type Float but found {dtype_title(dt)}')
    flash = _is_flash(q, k, v, m, attn_mask, dropout_p, enable_gqa, L, S)
    if flash and dropout_p < 0:
        raise RuntimeError('scaled_dot_product_attention_flash_attention: Currently do not '
                           'support dropout > 0')
    if is_causal and m is not None and not flash:  # (PyTorch's flash kernel applies both)
        raise RuntimeError('_scaled_dot_product_attention: Explicit attn_mask should not be '
                           'set when is_causal=True')
    gk = gv = 1
    if enable_gqa:
        for a in (q, k, v):
            if a.ndim < 3:
                raise IndexError(f'Dimension out of range (expected to be in range of '
                                 f'[-{a.ndim}, {a.ndim - 1}], but got -3)')
        hq = q.shape[-3]
        if hq % k.shape[-3] or hq % v.shape[-3]:
            raise RuntimeError('Number of heads in key and value must divide the number of '
                               'heads in ')
        gk, gv = hq // k.shape[-3], hq // v.shape[-3]
    xp = xp_of(query)
    if q.dtype.itemsize < 4 or not dt.is_floating_point:  # 16-bit floats: float32 inside
        q, k, v = q.astype(np.float32), k.astype(np.float32), v.astype(np.float32)
    ke = xp.repeat(k, gk, axis=-3) if gk > 1 else k
    ve = xp.repeat(v, gv, axis=-3) if gv > 1 else v
    E = q.shape[-1]
    kt_shape = ke.shape[:-2] + (ke.shape[-1], S)
    _broadcast_batch(q.shape[:-2], ke.shape[:-2])
    if ke.shape[-1] != E:
        raise _matmul_error(q.shape, kt_shape)
    sc = (1.0 / math.sqrt(E) if E else math.inf) if scale is None else float(scale)
    s = _scores(xp, q * q.dtype.type(sc), ke)
    batch = _broadcast_batch(s.shape[:-2], ve.shape[:-2])
    if ve.shape[-2] != S:
        raise _matmul_error(s.shape, ve.shape)
    if m is not None:
        try:
            full = np.broadcast_shapes(m.shape, s.shape)
        except ValueError as e:
            raise broadcast_error(e, s, m) from None
        if full != s.shape:
            raise RuntimeError(f"output with shape {list(s.shape)} doesn't match the broadcast "
                               f'shape {list(full)}')
        if m.dtype == bool:
            # PyTorch adds a boolean mask as 0 / -inf (a NaN score stays NaN where blocked)
            s += _additive(xp, _like_scores(m, s), s.dtype)
        else:
            s += _like_scores(m, s)
    if is_causal:
        _block(xp, s, _upper(L, S, xp))
    dead = None
    if S:
        mx = s.max(axis=-1, keepdims=True)
        if m is not None or is_causal:
            d = mx == _NEG_INF
            if d.any():
                dead = d
                mx[d] = 0
        s -= mx
        xp.exp(s, out=s)
        tot = s.sum(axis=-1, keepdims=True)
        if dead is not None:
            tot[dead] = 1
        s /= tot
    P = s
    keep = None
    if dropout_p != 0:
        if not 0 <= dropout_p <= 1:
            raise RuntimeError(f'dropout probability has to be between 0 and 1, but got '
                               f'{_fmt(dropout_p)}')
        if dropout_p == 1:
            keep = xp.zeros_like(P)
        elif P.size:
            u = _uniform(_generator_for(None, dev), P.shape, dt)
            keep = _like_scores(_place((u < 1 - dropout_p).astype(P.dtype) *
                                       P.dtype.type(1 / (1 - dropout_p)), dev), P)
    if S:
        out = (P if keep is None else P * keep) @ ve
    else:
        out = xp.zeros(batch + (L, ve.shape[-1]), q.dtype)
    if empty and dt is _dt.bool:
        dt = _dt.int64  # PyTorch's empty result of bool inputs is a sum of them: int64
    if out.dtype != dt.numpy:
        out = out.astype(dt.numpy)
    r = make(out, dt, dev)
    has_mask = m is not None and m.dtype != bool
    if state.enabled and (query._requires_grad or key._requires_grad or value._requires_grad or
                          (has_mask and attn_mask._requires_grad)):
        node = ScaledDotProductAttentionBackward()
        if out.size == 0 or S == 0:
            node.label = 'AddBackward0'
        elif flash:
            node.label = _FLASH
        elif dt in _HALF:  # the math path computes in float32 and casts back
            node.label = 'ToCopyBackward0'
        else:
            node.label = 'MmBackward0' if out.ndim == 2 else 'UnsafeViewBackward0'
        node.probs, node.keep, node.scale, node.dead = P, keep, sc, dead
        node.groups_k, node.groups_v = gk, gv
        node.bool_mask = m if m is not None and not has_mask else None
        node.causal, node.has_mask = bool(is_causal), has_mask
        if has_mask:
            node.save(query, key, value, attn_mask)
            record(node, r, query, key, value, attn_mask)
        else:
            node.save(query, key, value)
            record(node, r, query, key, value)
    return r


# -- multi-head attention ------------------------------------------------------------------------
def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads):
    """Whether the inputs are batched (3-D query) or not (2-D); PyTorch's AssertionErrors for
    inconsistent ranks."""
    qd = query.dim()
    if qd == 3:
        if key.dim() != 3 or value.dim() != 3:
            raise AssertionError(f'For batched (3-D) `query`, expected `key` and `value` to be 3-D '
                                 f'but found {key.dim()}-D and {value.dim()}-D tensors '
                                 f'respectively')
        if key_padding_mask is not None and key_padding_mask.dim() != 2:
            raise AssertionError(f'For batched (3-D) `query`, expected `key_padding_mask` to be '
                                 f'`None` or 2-D but found {key_padding_mask.dim()}-D tensor '
                                 f'instead')
        if attn_mask is not None and attn_mask.dim() not in (2, 3):
            raise AssertionError(f'For batched (3-D) `query`, expected `attn_mask` to be `None`, '
                                 f'2-D or 3-D but found {attn_mask.dim()}-D tensor instead')
        return True
    if qd == 2:
        if key.dim() != 2 or value.dim() != 2:
            raise AssertionError(f'For unbatched (2-D) `query`, expected `key` and `value` to be '
                                 f'2-D but found {key.dim()}-D and {value.dim()}-D tensors '
                                 f'respectively')
        if key_padding_mask is not None and key_padding_mask.dim() != 1:
            raise AssertionError(f'For unbatched (2-D) `query`, expected `key_padding_mask` to be '
                                 f'`None` or 1-D but found {key_padding_mask.dim()}-D tensor '
                                 f'instead')
        if attn_mask is not None:
            if attn_mask.dim() not in (2, 3):
                raise AssertionError(f'For unbatched (2-D) `query`, expected `attn_mask` to be '
                                     f'`None`, 2-D or 3-D but found {attn_mask.dim()}-D tensor '
                                     f'instead')
            if attn_mask.dim() == 3:
                expected = (num_heads, query.shape[0], key.shape[0])
                if tuple(attn_mask.shape) != expected:
                    raise AssertionError(f'Expected `attn_mask` shape to be {expected} but got '
                                         f'{attn_mask.shape}')
        return False
    raise AssertionError(f'query should be unbatched 2D or batched 3D tensor but received '
                         f'{qd}-D query tensor')


def _canonical_mask(mask, mask_name, other_type, other_name, target_type, check_other=True):
    """A key-padding or attention mask as a float mask of ``target_type`` (a bool mask's True
    becomes -inf, False 0); float masks are returned as they are."""
    if mask is None:
        return None
    md = mask._dtype
    if md is not _dt.bool and not md.is_floating_point:
        raise AssertionError(f'only bool and floating types of {mask_name} are supported')
    if check_other and other_type is not None and md is not other_type:
        warnings.warn(f'Support for mismatched {mask_name} and {other_name} is deprecated. Use '
                      f'same type for both instead.', stacklevel=3)
    if md is _dt.bool:
        xp = xp_of(mask)
        return make(xp.where(mask._data, target_type.numpy.type(_NEG_INF),
                             target_type.numpy.type(0)), target_type, mask._device)
    return mask


def _none_or_dtype(input):
    if input is None:
        return None
    if isinstance(input, Tensor):
        return input.dtype
    raise RuntimeError('input to _none_or_dtype() must be None or torch.Tensor')


def _in_projection_packed(q, k, v, w, b=None):
    """``q @ Wq^T + bq``, ``k @ Wk^T + bk``, ``v @ Wv^T + bv`` with the three weights packed
    along dim 0 of ``w`` (one matrix product when ``q``, ``k``, ``v`` are one tensor)."""
    E = q.size(-1)
    if k is v:
        if q is k:  # self-attention: one GEMM, three views
            return _linear(q, w, b).chunk(3, -1)
        w_q, w_kv = w.split([E, E * 2])
        b_q, b_kv = (None, None) if b is None else b.split([E, E * 2])
        k_, v_ = _linear(k, w_kv, b_kv).chunk(2, -1)
        return _linear(q, w_q, b_q), k_, v_
    w_q, w_k, w_v = w.chunk(3)
    b_q, b_k, b_v = (None, None, None) if b is None else b.chunk(3)
    return _linear(q, w_q, b_q), _linear(k, w_k, b_k), _linear(v, w_v, b_v)


def _in_projection(q, k, v, w_q, w_k, w_v, b_q=None, b_k=None, b_v=None):
    """The three projections with separate weights (``kdim``/``vdim`` != ``embed_dim``)."""
    Eq, Ek, Ev = q.size(-1), k.size(-1), v.size(-1)
    for name, t, shape in (('query weights', w_q, (Eq, Eq)), ('key weights', w_k, (Eq, Ek)),
                           ('value weights', w_v, (Eq, Ev)), ('query bias', b_q, (Eq,)),
                           ('key bias', b_k, (Eq,)), ('value bias', b_v, (Eq,))):
        if t is not None and tuple(t.shape) != shape:
            raise AssertionError(f'expecting {name} shape of {shape}, but got {t.shape}')
    return _linear(q, w_q, b_q), _linear(k, w_k, b_k), _linear(v, w_v, b_v)


def _heads(t, n, heads, head_dim, batch_first):
    """``(seq, n, heads * head_dim)`` (``(n, seq, ...)`` batch first) -> ``(n, heads, seq,
    head_dim)``, a view."""
    if batch_first:
        return t.reshape(n, t.shape[1], heads, head_dim).permute(0, 2, 1, 3)
    return t.reshape(t.shape[0], n, heads, head_dim).permute(1, 2, 0, 3)


def _seq_first_shape(t, batch_first):
    """``t``'s shape as ``(seq, batch, ...)`` (for messages about batch-first inputs)."""
    s = t.shape
    return type(s)((s[1], s[0]) + tuple(s[2:])) if batch_first else s


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads,
                                 in_proj_weight, in_proj_bias, bias_k, bias_v, add_zero_attn,
                                 dropout_p, out_proj_weight, out_proj_bias, training=True,
                                 key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None,
                                 k_proj_weight=None, v_proj_weight=None, static_k=None,
                                 static_v=None, average_attn_weights=True, is_causal=False):
    """Multi-head attention (the computation of :class:`~flambeau.nn.MultiheadAttention`):
    project ``query``/``key``/``value``, attend in ``num_heads`` heads, project the
    concatenated heads with ``out_proj_weight``/``out_proj_bias``.

    Shapes: ``query`` ``(L, N, E)`` or unbatched ``(L, E)``; ``key``/``value`` ``(S, N, E)``
    or ``(S, E)``; ``key_padding_mask`` ``(N, S)`` or ``(S)`` (True/-inf: ignored);
    ``attn_mask`` ``(L, S)`` or ``(N * num_heads, L, S)`` (True/-inf: not attended).

    Returns ``(attn_output, attn_weights)``: ``(L, N, E)`` and, when ``need_weights``, the
    weights ``(N, L, S)`` averaged over heads (``(N, num_heads, L, S)`` unless
    ``average_attn_weights``), else None.

    Example::

        >>> E = 4
        >>> x = flambeau.randn(3, 2, E)
        >>> out, w = F.multi_head_attention_forward(x, x, x, E, 2, flambeau.randn(3 * E, E),
        ...     None, None, None, False, 0.0, flambeau.randn(E, E), None)
        >>> out.shape, w.shape
        (torch.Size([3, 2, 4]), torch.Size([2, 3, 3]))
    """
    return _mha_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight,
                        in_proj_bias, bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight,
                        out_proj_bias, training, key_padding_mask, need_weights, attn_mask,
                        use_separate_proj_weight, q_proj_weight, k_proj_weight, v_proj_weight,
                        static_k, static_v, average_attn_weights, is_causal, False)


def _mha_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias,
                 bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias,
                 training, key_padding_mask, need_weights, attn_mask, use_separate_proj_weight,
                 q_proj_weight, k_proj_weight, v_proj_weight, static_k, static_v,
                 average_attn_weights, is_causal, batch_first):
    """``multi_head_attention_forward``, also on batch-first inputs ``(N, L, E)``
    (``batch_first``): ``MultiheadAttention(batch_first=True)`` runs without transposing its
    inputs, so that every matrix product meets contiguous arrays."""
    is_batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    bf = batch_first and is_batched
    if not is_batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = _seq_first_shape(query, bf)
    src_len = key.shape[1 if bf else 0]
    key_padding_mask = _canonical_mask(key_padding_mask, 'key_padding_mask',
                                       _none_or_dtype(attn_mask), 'attn_mask', query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError('Need attn_mask if specifying the is_causal hint. You may use the '
                           'Transformer module method `generate_square_subsequent_mask` to '
                           'create this mask.')
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # the hint alone: SDPA applies the causal mask itself
    else:
        attn_mask = _canonical_mask(attn_mask, 'attn_mask', None, '', query.dtype,
                                    check_other=False)
        if key_padding_mask is not None:
            is_causal = False  # the merged mask is no longer causal
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f'was expecting embedding dimension of {embed_dim_to_check}, but '
                             f'got {embed_dim}')
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f'embed_dim {embed_dim} not divisible by num_heads {num_heads}')
    if use_separate_proj_weight:
        ks, vs = _seq_first_shape(key, bf), _seq_first_shape(value, bf)
        if ks[:2] != vs[:2]:
            raise AssertionError(f"key's sequence and batch dims {ks[:2]} do not match "
                                 f"value's {vs[:2]}")
    elif key.shape != value.shape:
        raise AssertionError(f'key shape {_seq_first_shape(key, bf)} does not match value shape '
                             f'{_seq_first_shape(value, bf)}')
    if not use_separate_proj_weight:
        if in_proj_weight is None:
            raise AssertionError('use_separate_proj_weight is False but in_proj_weight is None')
        q, k, v = _in_projection_packed(query, key, value, in_proj_weight, in_proj_bias)
    else:
        for name, w in (('q', q_proj_weight), ('k', k_proj_weight), ('v', v_proj_weight)):
            if w is None:
                raise AssertionError(f'use_separate_proj_weight is True but {name}_proj_weight '
                                     f'is None')
        b_q, b_k, b_v = (None, None, None) if in_proj_bias is None else in_proj_bias.chunk(3)
        q, k, v = _in_projection(query, key, value, q_proj_weight, k_proj_weight,
                                 v_proj_weight, b_q, b_k, b_v)
    if attn_mask is not None:
        if attn_mask.dim() == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError(f'The shape of the 2D attn_mask is {attn_mask.shape}, but '
                                   f'should be {(tgt_len, src_len)}.')
        elif attn_mask.dim() == 3:
            correct = (bsz * num_heads, tgt_len, src_len)
            if tuple(attn_mask.shape) != correct:
                raise RuntimeError(f'The shape of the 3D attn_mask is {attn_mask.shape}, but '
                                   f'should be {correct}.')
            attn_mask = attn_mask.view(bsz, num_heads, tgt_len, src_len)
        else:
            raise RuntimeError(f"attn_mask's dimension {attn_mask.dim()} is not supported")
    if bias_k is not None and bias_v is not None:
        if static_k is not None:
            raise AssertionError('bias cannot be added to static key.')
        if static_v is not None:
            raise AssertionError('bias cannot be added to static value.')
        reps = (bsz, 1, 1) if bf else (1, bsz, 1)
        k = _cat([k, bias_k.repeat(*reps)], 1 if bf else 0)
        v = _cat([v, bias_v.repeat(*reps)], 1 if bf else 0)
        if attn_mask is not None:
            attn_mask = _pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = _pad(key_padding_mask, (0, 1))
    elif bias_k is not None:
        raise AssertionError('bias_k is set but bias_v is None')
    elif bias_v is not None:
        raise AssertionError('bias_v is set but bias_k is None')
    # from here on (N, heads, seq, head_dim): the layout SDPA takes, reached through views
    q = _heads(q, bsz, num_heads, head_dim, bf)
    k = _static(static_k, 'k', bsz, num_heads, head_dim) if static_k is not None else \
        _heads(k, bsz, num_heads, head_dim, bf)
    v = _static(static_v, 'v', bsz, num_heads, head_dim) if static_v is not None else \
        _heads(v, bsz, num_heads, head_dim, bf)
    if add_zero_attn:
        zshape = (bsz, num_heads, 1, head_dim)
        k = _cat([k, _zeros(zshape, dtype=k.dtype, device=k.device)], 2)
        v = _cat([v, _zeros(zshape, dtype=v.dtype, device=v.device)], 2)
        if attn_mask is not None:
            attn_mask = _pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = _pad(key_padding_mask, (0, 1))
    src_len = k.shape[2]
    if key_padding_mask is not None:
        kb, ks = key_padding_mask.shape
        if kb != bsz:
            raise AssertionError(f'Expected key_padded_mask.shape[0] to be {bsz}, but got {kb}')
        if ks != src_len:
            raise AssertionError(f'Expected key_padded_mask.shape[1] to be {src_len}, but got '
                                 f'{ks}')
        key_padding_mask = key_padding_mask.view(bsz, 1, 1, src_len)
        attn_mask = key_padding_mask if attn_mask is None else attn_mask + key_padding_mask
    if not training:
        dropout_p = 0.0
    if need_weights:
        if is_causal and attn_mask is None:
            raise AssertionError('FIXME: is_causal not implemented for need_weights')
        scores = (q * math.sqrt(1.0 / float(head_dim))).matmul(k.transpose(-2, -1))
        if attn_mask is not None:
            scores = scores + attn_mask
        weights = _softmax(scores, -1)
        if dropout_p > 0.0:
            weights = _dropout(weights, p=dropout_p)
        out = weights.matmul(v)
    else:
        weights = None
        out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    if bf:
        out = out.permute(0, 2, 1, 3).reshape(bsz * tgt_len, embed_dim)
        out = _linear(out, out_proj_weight, out_proj_bias).view(bsz, tgt_len, -1)
    else:
        out = out.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)
        out = _linear(out, out_proj_weight, out_proj_bias).view(tgt_len, bsz, -1)
    if weights is not None and average_attn_weights:
        weights = weights.mean(dim=1)
    if not is_batched:
        out = out.squeeze(1)
        if weights is not None:
            weights = weights.squeeze(0)
    return out, weights


def _static(t, name, bsz, num_heads, head_dim):
    """A given ``static_k``/``static_v`` ``(N * heads, S, head_dim)`` as ``(N, heads, S,
    head_dim)``."""
    if t.size(0) != bsz * num_heads:
        raise AssertionError(f'expecting static_{name}.size(0) of {bsz * num_heads}, but got '
                             f'{t.size(0)}')
    if t.size(2) != head_dim:
        raise AssertionError(f'expecting static_{name}.size(2) of {head_dim}, but got '
                             f'{t.size(2)}')
    return t.view(bsz, num_heads, t.size(1), head_dim)


METHODS = {}
INPLACE = {}
