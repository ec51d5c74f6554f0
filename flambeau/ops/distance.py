"""Distances between vectors: ``cdist`` (all pairs of rows of two batches of matrices),
``pdist`` (all pairs of rows of one matrix), ``cosine_similarity`` and ``pairwise_distance``
(row by row), with derivatives.

``cdist`` is one node whose forward works on the array of all pairwise differences; its
backward is written with flambeau ops (so it is itself differentiable). The other two are
compositions of ``vector_norm`` and elementwise ops, as in PyTorch.
"""
__all__ = ['cdist', 'cosine_similarity', 'pairwise_distance', 'pdist']
FUNCTIONAL = ['cosine_similarity', 'pairwise_distance', 'pdist']
import math

import numpy as np

from .. import dtypes as _dt
from ..autograd.grad_mode import no_grad
from ._common import Node, Tensor, dtype_title, make, record, state, xp_of
from .reduce import LinalgVectorNormBackward0, vector_norm

_MODES = ('use_mm_for_euclid_dist_if_necessary', 'use_mm_for_euclid_dist',
          'donot_use_mm_for_euclid_dist')


class CdistBackward0(Node):
    """d_ij = ||x1_i - x2_j||_p: the gradient of x1_i is sum_j g_ij * dd_ij/dx1_i with
    dd/dx = sign(diff) |diff|^(p-1) / d^(p-1) (diff / d for p = 2, sign(diff) for p = 1, the
    sign at the largest |diff| for p = inf, zero for p = 0 and where d = 0); x2 gets the
    negative, summed over i."""
    __slots__ = ('p',)

    def backward(self, g):
        x1, x2 = self.saved_tensors
        d = self.saved_output()
        if self.p == 0:
            return x1 * 0, x2 * 0
        diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)  # (..., P, R, M)
        w = g.unsqueeze(-1) * _distance_slope(diff, d.unsqueeze(-1), self.p)
        g1 = w.sum(-2).sum_to_size(x1.shape) if self.next_functions[0][0] is not None else None
        g2 = (-w.sum(-3)).sum_to_size(x2.shape) if self.next_functions[1][0] is not None else None
        return g1, g2


def _distance_slope(diff, d, p):
    """d||diff||_p / d diff for p > 0, given the distances ``d`` (broadcast against ``diff``);
    zero where the distance is zero (PyTorch's subgradient), flambeau ops throughout."""
    from .pointwise import where
    if p == 1:
        return diff.sign()
    if p == 2:
        return where(d == 0, 0.0, diff / where(d == 0, 1.0, d))
    if math.isinf(p):
        return diff.sign() * (diff.abs() == d)
    a = diff.abs()
    return where(d == 0, 0.0, diff.sign() * a ** (p - 1) / where(d == 0, 1.0, d) ** (p - 1))


def cdist(x1, x2, p=2.0, compute_mode='use_mm_for_euclid_dist_if_necessary'):
    """The ``p``-norm distance between every row of ``x1`` ``(*, P, M)`` and every row of
    ``x2`` ``(*, R, M)``: a ``(*, P, R)`` tensor (batch dims broadcast). For ``p = 2`` and
    more than 25 rows (or ``compute_mode='use_mm_for_euclid_dist'``) the distances come from
    one matrix product, ``sqrt(|a|^2 + |b|^2 - 2 a.b)``, which is faster but less exact.

    Example::

        >>> a = flambeau.tensor([[0., 0.], [3., 4.]])
        >>> flambeau.cdist(a, a)
        tensor([[0., 5.],
                [5., 0.]])
    """
    for name, t in (('X1', x1), ('X2', x2)):
        if t._data.ndim < 2:
            raise RuntimeError(f'cdist only supports at least 2D tensors, {name} got: '
                               f'{t._data.ndim}D')
    for name, t in (('X1', x1), ('X2', x2)):
        if not t._dtype.is_floating_point:
            raise RuntimeError(f'cdist only supports floating-point dtypes, {name} got: '
                               f'{dtype_title(t._dtype)}')
    s1, s2 = x1._data.shape, x2._data.shape
    if x1._dtype is not x2._dtype:
        raise RuntimeError(f'cdist only supports floating-point dtypes, X2 got: '
                           f'{dtype_title(x2._dtype)}')
    if s1[-1] != s2[-1]:
        raise RuntimeError(f'X1 and X2 must have the same number of columns. X1: {s1[-1]} X2: '
                           f'{s2[-1]}')
    if p < 0:
        raise RuntimeError('cdist only supports non-negative p values')
    if compute_mode not in _MODES and compute_mode is not None:
        raise ValueError(f'{compute_mode} is not a valid value for compute_mode')
    try:
        batch = np.broadcast_shapes(s1[:-2], s2[:-2])
    except ValueError:
        raise RuntimeError(f'The size of tensor a ({s1[-3]}) must match the size of tensor b '
                           f'({s2[-3]}) at non-singleton dimension 0') from None
    P, R = s1[-2], s2[-2]
    mode = compute_mode or _MODES[0]
    if p == 2 and (mode == _MODES[1] or (mode == _MODES[0] and (P > 25 or R > 25))):
        return _euclid_mm(x1, x2, batch + (P, R))
    if x1._dtype.itemsize == 2 and P and R:  # the direct kernel has no float16/bfloat16
        from ._common import not_implemented
        raise not_implemented('cdist', x1._dtype)
    x, y = x1._data, x2._data
    xp = xp_of(x1)
    dt = x1._dtype
    diff = xp.abs(x[..., :, None, :] - y[..., None, :, :])
    res = _p_norm_last(xp, diff, p)
    res = xp.broadcast_to(res, batch + (P, R))
    r = make(xp.ascontiguousarray(res).astype(dt.numpy), dt, x1._device)
    if state.enabled and (x1._requires_grad or x2._requires_grad):
        node = CdistBackward0()
        node.p = float(p)
        node.save(x1, x2)
        node.save_output(r)
        record(node, r, x1, x2)
    return r


def _p_norm_last(xp, diff, p):
    """The ``p``-norm over the last axis of the array of absolute differences ``diff``."""
    if p == 0:
        return (diff != 0).sum(-1).astype(diff.dtype)
    if p == 1:
        return diff.sum(-1)
    if p == 2:
        return xp.sqrt((diff * diff).sum(-1))
    if math.isinf(p):
        return diff.max(-1) if diff.shape[-1] else xp.zeros(diff.shape[:-1], diff.dtype)
    return (diff ** p).sum(-1) ** (1.0 / p)


def _euclid_mm(x1, x2, shape):
    """Euclidean distances through one matrix product (PyTorch's ``use_mm`` path)."""
    n1 = (x1 * x1).sum(-1, keepdim=True)
    n2 = (x2 * x2).sum(-1, keepdim=True)
    sq = n1 - 2 * (x1 @ x2.mT) + n2.mT
    return sq.clamp_min(1e-30).sqrt().reshape(shape)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """The cosine of the angle between ``x1`` and ``x2`` along ``dim`` (they broadcast):
    ``sum(x1 * x2) / (max(||x1||, eps) * max(||x2||, eps))``, each norm clamped on its own.

    Example::

        >>> flambeau.cosine_similarity(flambeau.tensor([[1., 0.]]), flambeau.tensor([[1., 1.]]))
        tensor([0.7071])
    """
    if not isinstance(x1, Tensor) or not isinstance(x2, Tensor):
        bad = x1 if not isinstance(x1, Tensor) else x2
        raise TypeError(f"cosine_similarity(): argument '{'x1' if bad is x1 else 'x2'}' "
                        f'(position {1 if bad is x1 else 2}) must be Tensor, not '
                        f'{type(bad).__name__}')
    s1, s2 = x1._data.shape, x2._data.shape
    try:
        shape = np.broadcast_shapes(s1, s2)
    except ValueError as e:
        from ._common import broadcast_error
        raise broadcast_error(e, x1._data, x2._data) from None
    dt = _dt.result_type(x1, x2)
    if not dt.is_floating_point:
        raise RuntimeError(f'expected common dtype to be floating point, yet common dtype is '
                           f'{dtype_title(dt)}')
    if x1._dtype is not dt:
        x1 = x1.to(dt)
    if x2._dtype is not dt:
        x2 = x2.to(dt)
    if s1 != shape:
        x1 = x1.expand(shape)
    if s2 != shape:
        x2 = x2.expand(shape)
    # PyTorch clamps clones of the norms in place outside the graph: the values are clamped,
    # the gradient flows as if they were not
    n1 = vector_norm(x1, 2, dim, True).clone()
    n2 = vector_norm(x2, 2, dim, True).clone()
    with no_grad():
        n1.clamp_min_(eps)
        n2.clamp_min_(eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


class NormBackward1(LinalgVectorNormBackward0):
    """``torch.norm(x, p, dim)``'s node: the vector norm's derivative under its own name."""
    __slots__ = ()


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """The ``p``-norm of ``x1 - x2 + eps`` over the last dimension (row by row; the inputs
    broadcast).

    Example::

        >>> flambeau.pairwise_distance(flambeau.tensor([[0., 0.]]), flambeau.tensor([[3., 4.]]))
        tensor([5.0000])
    """
    nd = max(x1._data.ndim, x2._data.ndim)
    d = x1 - x2 + eps
    if not d._dtype.is_floating_point:
        raise RuntimeError(f'linalg.vector_norm: Expected a floating point or complex tensor as '
                           f'input. Got {dtype_title(d._dtype)}')
    r = vector_norm(d, p, nd - 1 if nd else None, keepdim)
    fn = r.grad_fn
    if fn is not None and type(fn) is LinalgVectorNormBackward0:
        fn.__class__ = NormBackward1  # same slots: PyTorch records this as torch.norm
    return r


class PdistBackward0(Node):
    """The distance d_k between rows i_k < j_k: row i_k gets g_k * dd_k/d(x_i - x_j), row j_k
    its negative (the slope of :func:`_distance_slope`), gathered with ``index_add``."""
    __slots__ = ('p', 'rows')

    def backward(self, g):
        x, = self.saved_tensors
        if self.p == 0:
            return x * 0
        i, j = self.rows
        diff = x.index_select(0, i) - x.index_select(0, j)
        w = g.unsqueeze(-1) * _distance_slope(diff, self.saved_output().unsqueeze(-1), self.p)
        return (x * 0).index_add(0, i, w).index_add(0, j, -w)


def pdist(input, p=2):
    """The ``p``-norm distance between every pair of rows of ``input`` ``(N, M)``: the upper
    triangle of ``cdist(input, input)`` without the diagonal, row by row, as a 1-D tensor of
    ``N * (N - 1) / 2`` values.

    Example::

        >>> flambeau.pdist(flambeau.tensor([[0., 0.], [3., 4.], [6., 8.]]))
        tensor([ 5., 10.,  5.])
    """
    if input._data.ndim != 2:
        raise RuntimeError(f'pdist only supports 2D tensors, got: {input._data.ndim}D')
    if not input._dtype.is_floating_point:
        raise RuntimeError('pdist only supports floating-point dtypes')
    if p < 0:
        raise RuntimeError('pdist only supports non-negative p values')
    xp = xp_of(input)
    x, dt = input._data, input._dtype
    i, j = np.triu_indices(x.shape[0], 1)
    if dt.itemsize == 2 and i.size and x.shape[1]:
        from ._common import not_implemented
        raise not_implemented('pdist', dt)
    diff = xp.abs(x[i] - x[j])
    res = _p_norm_last(xp, diff, p)
    r = make(xp.ascontiguousarray(res, dtype=dt.numpy), dt, input._device)
    if state.enabled and input._requires_grad:
        from .creation import as_tensor
        node = PdistBackward0()
        node.p = float(p)
        node.rows = (as_tensor(i, device=input._device), as_tensor(j, device=input._device))
        node.save(input)
        node.save_output(r)
        record(node, r, input)
    return r


METHODS = {}
INPLACE = {}
