"""Normalization: ``batch_norm``, ``layer_norm``, ``group_norm``, ``instance_norm``, ``rms_norm``,
``local_response_norm``, ``normalize``; and ``dropout``, ``dropout1d/2d/3d``, ``alpha_dropout``,
``feature_alpha_dropout`` with ``torch.nn.functional``'s arguments.

Note [Fused normalization backward]: ``batch_norm``, ``layer_norm`` and ``group_norm`` record one
node each (``NativeBatchNormBackward0`` ...), whose backward is the closed form

    x_hat = (x - mean) * invstd,   g_hat = grad * weight,
    grad_x = invstd * (g_hat - mean(g_hat) - x_hat * mean(g_hat * x_hat))

(means over the normalized elements; ``grad_x = g_hat * invstd`` where running statistics were
used), ``grad_weight = sum(grad * x_hat)``, ``grad_bias = sum(grad)``. Without ``create_graph``
it runs on the raw arrays, with the statistics kept from the forward; with ``create_graph`` it is
composed from Tensor ops that recompute the statistics from the saved input, so that it is
itself differentiable (double backward). Half-precision inputs are normalized in float32.

One module cannot hold two functions under one name: ``torch.batch_norm`` and
``torch.instance_norm`` (ATen's argument order, ``weight`` first) live in ``embedding.py``,
``torch.dropout`` (``train=``) in ``random.py``; the functions here are those of
``torch.nn.functional``.
"""
__all__ = ['embedding', 'group_norm', 'layer_norm', 'rms_norm']
import warnings

import numpy as np

from .. import dtypes as _dt
from ._common import (Node, broadcast_op, by_outer, col_op, dtype_title, make, not_implemented,
                      outer_add, outer_into, record, rows_op, state, xp_of)
from .arithmetic import div
from .creation import zeros
from .shape import cat
from .random import _dropout
from ._common import _sum_kept, _sum_over

# the names ``flambeau.nn.functional`` exports from this module
FUNCTIONAL = ['alpha_dropout', 'batch_norm', 'dropout', 'dropout1d', 'dropout2d', 'dropout3d',
              'feature_alpha_dropout', 'group_norm', 'instance_norm', 'layer_norm',
              'local_response_norm', 'normalize', 'rms_norm']


def _acc(a):
    """The array dtype statistics of array ``a`` are computed in (float32 for 16-bit floats)."""
    return np.float32 if a.dtype.itemsize == 2 else a.dtype


def _fmt_shape(s):
    return '[' + ', '.join(str(int(v)) for v in s) + ']'


def _check_params(input, params):
    """PyTorch's CPU rule for the dtypes of weight, bias and running statistics: those of the
    input, or float32 with a float16/bfloat16 input."""
    dt = input._dtype
    given = [p._dtype for p in params if p is not None]
    if all(d is dt for d in given):
        return
    if dt.itemsize == 2 and all(d is _dt.float32 for d in given):
        return
    if all(d is given[0] for d in given):
        raise RuntimeError('mixed dtype (CPU): all inputs must share same datatype.')
    title = {'float32': 'Float', 'float64': 'Double', 'float16': 'Half',
             'bfloat16': 'BFloat16'}.get(dt.name, dt.name)
    raise RuntimeError(f'mixed dtype (CPU): expect parameter to have scalar type of {title}')


def _stats(xp, xa, axes, n, eps):
    """Mean, ``xa - mean``, biased variance and 1 / sqrt(variance + eps) of ``xa`` over
    ``axes`` (kept), ``n`` elements each; zeros (invstd 1 / sqrt(eps)) for empty groups."""
    if n:
        # sums times 1/n: ndarray.mean costs a few microseconds more per call
        mean = _sum_kept(xa, axes) * (1.0 / n)
        xc = col_op(np.subtract, xa, mean, np.empty_like(xa)) if axes == (1,) and \
            by_outer(xa) else xa - mean
        var = _sum_kept(xc * xc, axes) * (1.0 / n)
    else:
        shape = tuple(1 if i in axes else s for i, s in enumerate(xa.shape))
        mean = xp.zeros(shape, xa.dtype)
        var = xp.zeros(shape, xa.dtype)
        xc = xa - mean
    return mean, xc, var, 1.0 / xp.sqrt(var + eps)


def _mul_into(a, b, out):
    """``a * b`` written into ``out`` (an array of the broadcast shape) when it is free."""
    if type(out) is np.ndarray:  # (a NumPy array; a device array takes the product below)
        return np.multiply(a, b, out=out)
    return a * b


class _AffineNormBackward(Node):
    """The fused backward of Note [Fused normalization backward], for inputs
    ``(input, weight, bias)``.

    ``grouped``: the shape ``input`` is viewed as for the statistics; ``axes``: the axes of
    that view they reduce; ``n``: elements per statistic; ``wshape``: the shape weight takes to
    broadcast against ``input``; ``waxes``: the axes of ``input`` summed for the weight and
    bias gradients; ``mean``/``invstd``: the statistics (arrays, in the grouped view);
    ``batch``: whether they came from the input (False: running statistics); ``bias_dt``;
    ``xhat``: the normalized input the forward computed (grouped view), or None.
    """
    __slots__ = ('grouped', 'axes', 'n', 'wshape', 'waxes', 'mean', 'invstd', 'batch', 'eps',
                 'bias_dt', 'xhat', 'xc', 'channels', 'group_rows')

    def release(self):
        Node.release(self)
        self.xhat = self.xc = None

    def backward(self, g):
        x, w = self.saved_tensors
        nf = self.next_functions
        need_x, need_w, need_b = nf[0][0] is not None, nf[1][0] is not None, nf[2][0] is not None
        if state.enabled:
            return self._backward_graph(g, x, w, need_x, need_w, need_b)
        if self.xc is not None:
            return self._backward_outer(g, x, w, need_x, need_w, need_b)
        if self.channels:
            return self._backward_channels(g, x, w, need_x, need_w, need_b)
        if self.group_rows is not None:
            return self._backward_group_rows(g, x, w, need_x, need_w, need_b)
        shape, grouped, axes, waxes = x._data.shape, self.grouped, self.axes, self.waxes
        acc = _acc(x._data)
        ga = g._data.astype(acc, copy=False)
        # fresh arrays below are updated in place: fewer passes and allocations
        xhat = self.xhat
        if xhat is None:
            xhat = x._data.astype(acc, copy=False).reshape(grouped) - self.mean
            xhat *= self.invstd
        xhat = xhat.reshape(shape)
        gx = gw = gb = None
        prod = None
        if need_b:
            gb = make(_sum_over(ga, waxes).astype(self.bias_dt.numpy), self.bias_dt,
                      x._device)
        if need_w:
            prod = ga * xhat
            gw = make(_sum_over(prod, waxes).astype(w._dtype.numpy), w._dtype, x._device)
        if need_x:
            rows = type(ga) is np.ndarray and len(grouped) == 2 and axes == (1,) and \
                ga.flags.c_contiguous
            if w is None:
                gh = ga.copy()
            elif rows:
                wr = w._data.astype(acc, copy=False).reshape(-1)
                gh = rows_op(np.multiply, ga.reshape(grouped), wr, np.empty(grouped, acc))
            else:
                gh = ga * w._data.astype(acc, copy=False).reshape(self.wshape)
            gh = gh.reshape(grouped)
            if self.batch and self.n:
                xh = xhat.reshape(grouped)
                inv_n = 1.0 / self.n
                m1 = _sum_kept(gh, axes) * inv_n
                if rows and w is not None and prod is not None:
                    # sum(gh * xhat) = (grad * xhat) @ weight: the product made for the
                    # weight's gradient, one vector product instead of a pass and a sum
                    prod = prod.reshape(grouped)
                    m2 = (prod @ wr).reshape(-1, 1) * inv_n
                elif prod is None or prod.shape != shape:
                    prod = gh * xh
                    m2 = _sum_kept(prod, axes) * inv_n
                else:
                    prod = _mul_into(gh, xh, prod.reshape(grouped))
                    m2 = _sum_kept(prod, axes) * inv_n
                gh -= m1
                gh -= _mul_into(xh, m2, prod)
            gh *= self.invstd
            gx = make(gh.reshape(shape).astype(x._dtype.numpy, copy=False), x._dtype,
                      x._device)
        return gx, gw, gb

    def _backward_outer(self, g, x, w, need_x, need_w, need_b):
        """The backward from the centered rows ``xc`` the forward kept (Note [Layer norm by
        outer products])."""
        xc, n = self.xc, self.n
        acc = xc.dtype
        sig = self.invstd.reshape(-1)
        ga = g._data.astype(acc, copy=False).reshape(xc.shape)
        gx = gw = gb = None
        if need_b:
            gb = make(_sum_over(ga, (0,)).reshape(self.wshape).astype(self.bias_dt.numpy),
                      self.bias_dt, x._device)
        prod = ga * xc if need_w or need_x else None
        if need_w:
            gw = make((sig @ prod).reshape(self.wshape).astype(w._dtype.numpy), w._dtype,
                      x._device)
        if need_x:
            wr = np.ones(xc.shape[1], acc) if w is None else \
                w._data.astype(acc, copy=False).reshape(-1)
            m1 = (ga @ wr) * (1.0 / n)
            m2 = (prod @ wr) * sig * (1.0 / n)
            res = outer_into(sig, wr, np.empty_like(xc))
            res *= ga
            res += col_op(np.multiply, xc, -(sig * sig * m2), prod)
            outer_add(-(sig * m1), np.ones(xc.shape[1], acc), res)
            gx = make(res.reshape(x._data.shape).astype(x._dtype.numpy, copy=False), x._dtype,
                      x._device)
        return gx, gw, gb

    def _backward_channels(self, g, x, w, need_x, need_w, need_b):
        """The backward of a batch norm over (N, C, *S) as per-channel sums and an affine map
        of the gradient and the centered input (Note [Batch norm by channel sums])."""
        xa = x._data
        ga = g._data.astype(xa.dtype, copy=False)
        wshape, axes = self.wshape, self.waxes
        mean, invstd = self.mean.reshape(-1), self.invstd.reshape(-1)
        sg = _sum_over(ga, axes)
        xc = np.subtract(xa, mean.reshape(wshape))
        gxh = _channel_dots(ga, xc) * invstd  # sum(g * x_hat)
        dev = x._device
        gb = make(sg.astype(self.bias_dt.numpy), self.bias_dt, dev) if need_b else None
        gw = make(gxh.astype(w._dtype.numpy), w._dtype, dev) if need_w else None
        gx = None
        if need_x:
            a = invstd if w is None else w._data.astype(xa.dtype, copy=False) * invstd
            inv_n = 1.0 / self.n
            res = np.multiply(ga, a.reshape(wshape))
            xc *= (a * invstd * gxh * -inv_n).reshape(wshape)
            res += xc
            res += (a * sg * -inv_n).reshape(wshape)
            gx = make(res, x._dtype, dev)
        return gx, gw, gb

    def _backward_group_rows(self, g, x, w, need_x, need_w, need_b):
        """The backward of a group norm from per-(sample, channel) sums (Note [Group norm by
        channel rows])."""
        N, G, cg, hw = self.group_rows
        C = G * cg
        xa = x._data
        ga = g._data.astype(xa.dtype, copy=False).reshape(N * C, hw)
        invstd = self.invstd.reshape(N, G)
        xc = np.subtract(xa.reshape(N, G, cg * hw), self.mean).reshape(N * C, hw)
        sg = _sum_kept(ga, (1,)).reshape(N, G, cg)  # sum(g) per (sample, channel)
        sgx = np.einsum('ij,ij->i', ga, xc).reshape(N, G, cg)  # sum(g * (x - mean))
        dev = x._device
        gb = gw = gx = None
        if need_b:
            gb = make(sg.sum(0).reshape(C).astype(self.bias_dt.numpy), self.bias_dt, dev)
        if need_w:
            gw = make((sgx * invstd[:, :, None]).sum(0).reshape(C).astype(w._dtype.numpy),
                      w._dtype, dev)
        if need_x:
            wc = np.ones((G, cg), xa.dtype) if w is None else \
                w._data.astype(xa.dtype, copy=False).reshape(G, cg)
            inv_n = 1.0 / self.n
            m1 = (sg * wc).sum(2) * inv_n  # mean of g * w over the group
            m2 = (sgx * wc).sum(2) * invstd * inv_n  # mean of g * w * x_hat
            a = (invstd[:, :, None] * wc).reshape(N * C, 1)
            res = np.multiply(ga, a)
            xc *= np.repeat(-invstd * invstd * m2, cg).reshape(N * C, 1)
            res += xc
            res += np.repeat(-invstd * m1, cg).reshape(N * C, 1)
            gx = make(res.reshape(xa.shape).astype(x._dtype.numpy, copy=False), x._dtype, dev)
        return gx, gw, gb

    def _backward_graph(self, g, x, w, need_x, need_w, need_b):
        """The same formula in Tensor ops (``create_graph``): differentiable again."""
        shape, grouped, axes = x._data.shape, self.grouped, self.axes
        xg = x.reshape(grouped)
        if self.batch:
            mean = xg.mean(axes, keepdim=True)
            xc = xg - mean
            invstd = ((xc * xc).mean(axes, keepdim=True) + self.eps).rsqrt()
        else:
            xc = xg - make(self.mean.astype(x._dtype.numpy), x._dtype, x._device)
            invstd = make(self.invstd.astype(x._dtype.numpy), x._dtype, x._device)
        xhat = (xc * invstd).reshape(shape)
        gx = gw = gb = None
        if need_b:
            gb = g.sum(self.waxes).to(self.bias_dt)
        if need_w:
            gw = (g * xhat).sum(self.waxes).to(w._dtype)
        if need_x:
            gh = g if w is None else g * w.reshape(self.wshape)
            gh = gh.reshape(grouped)
            if self.batch and self.n:
                xh = xhat.reshape(grouped)
                gh = gh - gh.mean(axes, keepdim=True) - xh * (gh * xh).mean(axes, keepdim=True)
            gx = (gh * invstd).reshape(shape).to(x._dtype)
        return gx, gw, gb


class NativeBatchNormBackward0(_AffineNormBackward):
    __slots__ = ()


class NativeLayerNormBackward0(_AffineNormBackward):
    __slots__ = ()


class NativeGroupNormBackward0(_AffineNormBackward):
    __slots__ = ()


def _affine_norm(node_cls, input, weight, bias, grouped, axes, wshape, waxes, eps,
                 mean=None, invstd=None):
    """Normalize ``input`` (viewed as ``grouped``) over ``axes``, with the given statistics or
    its own, then scale and shift by ``weight``/``bias`` (reshaped to ``wshape``); record
    ``node_cls``. Returns the output and the statistics (arrays, in the grouped view)."""
    x = input._data
    xp = xp_of(input)
    acc = _acc(x)
    xa = x.astype(acc, copy=False).reshape(grouped)
    n = 1
    for a in axes:
        n *= grouped[a]
    batch = mean is None
    var = None
    if _by_channels(xp, xa, axes):
        return _channel_norm(node_cls, input, weight, bias, xa, axes, wshape, eps, n, mean,
                             invstd)
    if mean is None and _by_group_rows(xp, xa, axes, x):
        return _group_rows_norm(node_cls, input, weight, bias, xa, wshape, waxes, eps, n)
    if batch:
        mean, xc, var, invstd = _stats(xp, xa, axes, n, eps)
    else:
        xc = xa - mean
    record_node = state.enabled and (
        input._requires_grad or (weight is not None and weight._requires_grad) or
        (bias is not None and bias._requires_grad))
    rows = xp is np and len(grouped) == 2 and axes == (1,)  # a layer norm's (m, k) rows
    outer = rows and batch and by_outer(xc)
    if outer:
        y = _norm_rows(xc, invstd, weight, bias, acc, record_node)
        keep = False
    else:
        y, keep = _norm_scaled(xc, invstd, weight, bias, acc, record_node, rows, x.shape,
                               wshape, grouped)
    y = y.reshape(x.shape)
    dt = input._dtype
    out = make(y.astype(dt.numpy, copy=False), dt, input._device)
    if record_node:
        node = node_cls()
        node.xhat = xc if keep else None
        node.xc = xc if outer else None
        node.channels = False
        node.group_rows = None
        node.grouped, node.axes, node.n, node.wshape, node.waxes = grouped, axes, n, wshape, waxes
        node.mean, node.invstd, node.batch, node.eps = mean, invstd, batch, eps
        node.bias_dt = bias._dtype if bias is not None else dt
        node.save(input, weight)
        record(node, out, input, weight, bias)
    return out, mean, var


# Note [Batch norm by channel sums]: a batch norm over (N, C, *S) host arrays normalizes each
# channel's rows of ``prod(S)`` elements: its sums are vector products (Note [Sums by BLAS]),
# its sums of products row dot products (``einsum``, no temporary), and its output and input
# gradient per-channel affine maps of whole arrays: ``y = (x - mean) * (invstd w) + b``, and
# ``grad_x = a g + c (x - mean) + d`` with ``a = w invstd``, ``c = -a invstd sum(g x_hat) / n``,
# ``d = -a sum(g) / n`` (Note [Fused normalization backward]). The node keeps no normalized
# copy: the backward centers the saved input again (one pass, where keeping it cost the
# forward one). Evaluation with running statistics is PyTorch's ``x * alpha + beta``.
# BatchNorm2d on (32, 16, 32, 32) float32, forward + backward (alternating, min): 1.83 -> 1.23
# ms (PyTorch 0.75, on both cores).
_CHANNEL_ROW_MIN = 64


def _by_channels(xp, xa, axes):
    """Whether statistics over all dims but 1 of a host array take Note [Batch norm by
    channel sums]: float32/float64, contiguous, rows of at least ``_CHANNEL_ROW_MIN``
    elements (shorter ones: NumPy's broadcasts over them cost more than the passes saved)."""
    return xp is np and xa.ndim >= 3 and axes == (0,) + tuple(range(2, xa.ndim)) and \
        xa.dtype in (np.float32, np.float64) and xa.flags.c_contiguous and xa.size and \
        xa.size >= _CHANNEL_ROW_MIN * xa.shape[0] * xa.shape[1]


def _channel_dots(a, b):
    """Per channel, ``sum(a * b)`` over all dims but 1 of (N, C, *S) arrays: (C,)."""
    n, c = a.shape[:2]
    a2, b2 = a.reshape(n * c, -1), b.reshape(n * c, -1)
    return np.einsum('ij,ij->i', a2, b2).reshape(n, c).sum(0)


def _channel_norm(node_cls, input, weight, bias, xa, axes, wshape, eps, n, mean, invstd):
    """``_affine_norm`` by Note [Batch norm by channel sums]: the output and the statistics
    (``mean``/``invstd`` given: running statistics)."""
    C = xa.shape[1]
    dt = xa.dtype
    w = None if weight is None else weight._data.astype(dt, copy=False).reshape(C)
    b = None if bias is None else bias._data.astype(dt, copy=False).reshape(C)
    batch = mean is None
    var = None
    if batch:
        mean = _sum_over(xa, axes) * (1.0 / n)  # (n >= _CHANNEL_ROW_MIN here)
        y = np.subtract(xa, mean.reshape(wshape))
        var = _channel_dots(y, y) * (1.0 / n)
        invstd = 1.0 / np.sqrt(var + eps)
        y *= (invstd if w is None else invstd * w).reshape(wshape)
        if b is not None:
            y += b.reshape(wshape)
    else:
        mean, invstd = mean.reshape(C), invstd.reshape(C)
        alpha = invstd if w is None else invstd * w
        beta = -mean * alpha if b is None else b - mean * alpha
        y = np.multiply(xa, alpha.reshape(wshape))
        y += beta.reshape(wshape)
    out = make(y.astype(input._dtype.numpy, copy=False), input._dtype, input._device)
    if state.enabled and (input._requires_grad or (weight is not None and weight._requires_grad)
                          or (bias is not None and bias._requires_grad)):
        node = node_cls()
        node.xhat = node.xc = None
        node.channels = batch
        node.group_rows = None
        node.grouped, node.axes, node.n, node.wshape, node.waxes = xa.shape, axes, n, wshape, axes
        node.mean, node.invstd = mean.reshape(wshape), invstd.reshape(wshape)
        node.batch, node.eps = batch, eps
        node.bias_dt = bias._dtype if bias is not None else input._dtype
        node.save(input, weight)
        record(node, out, input, weight, bias)
    return out, mean.reshape(wshape), var if var is None else var.reshape(wshape)


# Note [Group norm by channel rows]: a group norm of a host (N, C, *S) array normalizes each
# (sample, group) over its C / G channels' rows of prod(S) elements; as in Note [Batch norm by
# channel sums], its sums are vector products and row dot products (no temporary), and its
# output and input gradient are per-row affine maps of whole arrays: ``y = (x - mean) a + b``
# with ``a = invstd w`` per (sample, channel), and ``grad_x = a g + c (x - mean) + d`` with
# ``c = -invstd^2 m2``, ``d = -invstd m1``, ``m1``, ``m2`` the group means of ``g w`` and
# ``g w x_hat``, from the per-(sample, channel) sums of ``g`` and ``g (x - mean)``. The node
# keeps no normalized copy: the backward centers the input again. GroupNorm(4, 16) on (32, 16,
# 32, 32) float32 (alternating, min): forward 744 -> 483 us, backward 975 -> 730 us (PyTorch's
# forward + backward 0.43-0.53 ms on both cores). Per-row scaling is NumPy's slower loop over a
# stride-0 operand (95 us against 78 for a product of two such arrays), not worth a repeat.
def _by_group_rows(xp, xa, axes, x):
    """Whether a group norm (``xa``: its (N, G, C / G * prod(S)) view of the host array ``x``)
    takes Note [Group norm by channel rows]: float32/float64, contiguous, channel rows of at
    least ``_CHANNEL_ROW_MIN`` elements."""
    return xp is np and axes == (2,) and xa.ndim == 3 and x.ndim >= 3 and xa.size and \
        xa.dtype in (np.float32, np.float64) and x.flags.c_contiguous and \
        x.size >= _CHANNEL_ROW_MIN * x.shape[0] * x.shape[1]


def _group_rows_norm(node_cls, input, weight, bias, xa, wshape, waxes, eps, n):
    """``_affine_norm`` of a group norm by Note [Group norm by channel rows]: the output and
    the statistics."""
    N, G, per = xa.shape
    C = input._data.shape[1]
    cg, hw = C // G, per * G // C
    dt = xa.dtype
    mean = _sum_kept(xa, (2,)) * (1.0 / n)
    y = np.subtract(xa, mean)
    rows = y.reshape(N * G, per)
    var = np.einsum('ij,ij->i', rows, rows).reshape(N, G, 1) * (1.0 / n)
    invstd = 1.0 / np.sqrt(var + eps)
    a = np.repeat(invstd.reshape(N * G), cg).reshape(N, C)
    if weight is not None:
        a *= weight._data.astype(dt, copy=False).reshape(1, C)
    y = y.reshape(N * C, hw)
    y *= a.reshape(N * C, 1)
    if bias is not None:
        y = y.reshape(N, C, hw)
        y += bias._data.astype(dt, copy=False).reshape(1, C, 1)
    x = input._data
    out = make(y.reshape(x.shape).astype(input._dtype.numpy, copy=False), input._dtype,
               input._device)
    if state.enabled and (input._requires_grad or (weight is not None and weight._requires_grad)
                          or (bias is not None and bias._requires_grad)):
        node = node_cls()
        node.xhat = node.xc = None
        node.channels = False
        node.group_rows = (N, G, cg, hw)
        node.grouped, node.axes, node.n, node.wshape, node.waxes = xa.shape, (2,), n, wshape, \
            waxes
        node.mean, node.invstd, node.batch, node.eps = mean, invstd, True, eps
        node.bias_dt = bias._dtype if bias is not None else input._dtype
        node.save(input, weight)
        record(node, out, input, weight, bias)
    return out, mean, var


# Note [Layer norm by outer products]: a layer norm over rows of up to 512 features builds its
# per-row terms as matrices by BLAS (Note [Column vectors by GEMM]) instead of broadcasting
# them: the output is ``xc * (invstd w^T) + b`` with ``xc = x - mean`` (itself ``x`` plus the
# matrix of ``-mean``), and the node keeps ``xc``; its backward is
# ``grad_x = g * (invstd w^T) - xc * (invstd^2 m2) - invstd m1`` with
# ``m1 = (g @ w) / k`` and ``m2 = invstd ((g * xc) @ w) / k``, the last term one accumulating
# GEMM, and ``grad_w = invstd @ (g * xc)``: four passes fewer than scaling the rows, then the
# columns (2048 x 128 float32: the forward's array work 256 -> 188 us; LayerNorm forward +
# backward 0.74 -> 0.61 ms, the GPT step ~1% faster).
def _norm_rows(xc, invstd, weight, bias, acc, record_node):
    """A layer norm's output from its centered rows ``xc`` (Note [Layer norm by outer
    products]); ``xc`` is kept intact when the node will need it."""
    if weight is not None:
        y = outer_into(invstd, weight._data.astype(acc, copy=False).reshape(-1),
                       np.empty_like(xc))
        y *= xc
    else:
        y = col_op(np.multiply, xc, invstd, np.empty_like(xc) if record_node else xc)
    if bias is not None:
        rows_op(np.add, y, bias._data.astype(acc, copy=False).reshape(-1), y)
    return y


def _norm_scaled(xc, invstd, weight, bias, acc, record_node, rows, shape, wshape, grouped):
    """``xc * invstd`` scaled and shifted by ``weight``/``bias``; and whether ``xc`` (then
    x_hat) is kept for the backward."""
    # xc is a fresh array: scaled and shifted in place, unless the backward keeps it as x_hat
    # (two passes fewer there; the output is then a new array)
    xc *= invstd
    y = xc.reshape(shape)
    keep = record_node and weight is not None
    if weight is not None:
        w = weight._data.astype(acc, copy=False).reshape(wshape)
        if rows:
            y = rows_op(np.multiply, xc, w.reshape(-1), np.empty_like(xc) if keep else xc)
        elif keep:
            y = y * w
        else:
            y *= w
    if bias is not None:
        b = bias._data.astype(acc, copy=False)
        if rows:
            y = rows_op(np.add, y.reshape(grouped), b.reshape(-1), y.reshape(grouped))
        else:
            y += b.reshape(wshape)
    return y, keep


def _float_input(input, kernel):
    dt = input._dtype
    if not dt.is_floating_point:
        raise not_implemented(kernel, dt)


# -- batch norm ----------------------------------------------------------------------------------
def _count_check(name, t, c):
    if t is not None and t._data.size != c:
        raise RuntimeError(f'{name} should contain {c} elements not {t._data.size}')


def _batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps):
    """torch.batch_norm's kernel: checks, statistics, running-statistics update, output."""
    if input._data.size == 0:
        # PyTorch's shortcut for an empty input (no dtype or size checks; the affine parameters'
        # first entries keep the graph connected)
        out = input.clone()
        if weight is not None:
            out = out * weight[0]
        if bias is not None:
            out = out + bias[0]
        return out
    dt = input._dtype
    if not dt.is_floating_point:
        if training and not input.is_contiguous():  # PyTorch's path through mean()
            raise RuntimeError(f'mean(): could not infer output dtype. Input dtype must be either '
                               f'a floating point or complex dtype. Got: {dtype_title(dt)}')
        raise not_implemented('batch_norm', dt)
    x = input._data
    nd = x.ndim
    c = x.shape[1] if nd > 1 else 0
    if nd == 1 and weight is None and bias is None and running_mean is None \
            and running_var is None:
        raise IndexError('Dimension out of range (expected to be in range of [-1, 0], but got 1)')
    _count_check('running_mean', running_mean, c)
    _count_check('running_var', running_var, c)
    _count_check('weight', weight, c)
    _count_check('bias', bias, c)
    _check_params(input, (weight, bias, running_mean, running_var))
    use_batch = training or running_mean is None
    if not use_batch or (running_var is None and not training):
        if running_mean is None:
            raise RuntimeError('running_mean must be defined in evaluation mode')
        if running_var is None:
            raise RuntimeError('running_var must be defined in evaluation mode')
    wshape = (1, c) + (1,) * (nd - 2)
    axes = (0,) + tuple(range(2, nd))
    if use_batch:
        out, mean, var = _affine_norm(NativeBatchNormBackward0, input, weight, bias, x.shape,
                                      axes, wshape, axes, eps)
        n = x.size // c if c else 0
        if training and n:
            # running statistics: momentum average with the unbiased variance, in place
            m = momentum
            if running_mean is not None:
                rm = running_mean._data
                rm[...] = (rm * (1 - m) + mean.reshape(c) * m).astype(rm.dtype)
                running_mean._vc[0] += 1
            if running_var is not None:
                rv = running_var._data
                unbiased = var.reshape(c) * (n / (n - 1)) if n > 1 else \
                    xp_of(input).full(c, np.inf, var.dtype)
                rv[...] = (rv * (1 - m) + unbiased * m).astype(rv.dtype)
                running_var._vc[0] += 1
        return out
    xp = xp_of(input)
    acc = _acc(x)
    mean = running_mean._data.astype(acc).reshape(wshape)
    invstd = 1.0 / xp.sqrt(running_var._data.astype(acc).reshape(wshape) + eps)
    return _affine_norm(NativeBatchNormBackward0, input, weight, bias, x.shape, axes, wshape,
                        axes, eps, mean, invstd)[0]


def _verify_batch_size(size):
    n = size[0]
    for s in size[2:]:
        n *= s
    if n == 1:
        raise ValueError(f'Expected more than 1 value per channel when training, got input size '
                         f'{size}')


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Batch normalization of a ``(N, C, *)`` input over all dimensions but ``C``.

    In training (or without running statistics) each channel is normalized with its batch mean
    and biased variance, and ``running_mean``/``running_var`` (when given) are updated in place:
    ``running = (1 - momentum) * running + momentum * batch_stat``, with the unbiased variance.
    In evaluation the running statistics are used. Then ``weight * x_hat + bias``.

    Example::

        >>> x = flambeau.tensor([[1., 2.], [3., 6.]])
        >>> rm, rv = flambeau.zeros(2), flambeau.ones(2)
        >>> F.batch_norm(x, rm, rv, training=True)
        tensor([[-1.0000, -1.0000],
                [ 1.0000,  1.0000]])
        >>> rm
        tensor([0.2000, 0.4000])
    """
    if training:
        _verify_batch_size(input.size())
        if eps <= 0.0:
            raise ValueError(f'batch_norm eps must be positive during training, but got {eps}')
    elif eps < 0.0:
        raise ValueError(f'batch_norm eps must be non-negative, but got {eps}')
    return _batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps)


# -- instance norm ---------------------------------------------------------------------------------
def _instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum,
                   eps):
    """torch.instance_norm's kernel: batch norm of the input viewed as ``(1, N * C, *)``."""
    if not use_input_stats and (running_mean is None or running_var is None):
        raise RuntimeError('Expected running_mean and running_var to be defined when '
                           'use_input_stats is false')
    shape = input.shape
    b, c = shape[0], shape[1]
    x = input.contiguous().view((1, b * c) + tuple(shape[2:]))
    w = weight.repeat(b) if weight is not None else None
    bi = bias.repeat(b) if bias is not None else None
    rm = _repeat_stat(running_mean, b)
    rv = _repeat_stat(running_var, b)
    out = _batch_norm(x, w, bi, rm, rv, use_input_stats, momentum, eps)
    for stat, rep in ((running_mean, rm), (running_var, rv)):
        if stat is not None:
            stat._data[...] = rep._data.reshape(b, c).mean(axis=0).astype(stat._data.dtype)
            stat._vc[0] += 1
    return out.view(shape)


def _repeat_stat(t, b):
    if t is None:
        return None
    xp = xp_of(t)
    return make(xp.tile(t._data, b), t._dtype, t._device)


def _verify_spatial_size(size):
    n = 1
    for s in size[2:]:
        n *= s
    if n == 1:
        raise ValueError(f'Expected more than 1 spatial element when training, got input size '
                         f'{size}')


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-5):
    """Instance normalization: each ``input[n, c]`` of a ``(N, C, *)`` input normalized over
    its own elements (``*``), then ``weight * x_hat + bias`` per channel.

    With ``use_input_stats=False`` the running statistics are used instead; otherwise they are
    updated in place (when given) with the mean over the batch of the per-instance statistics.

    Example::

        >>> F.instance_norm(flambeau.tensor([[[1., 3.], [0., 4.]]]))
        tensor([[[-1.0000,  1.0000],
                 [-1.0000,  1.0000]]])
    """
    if use_input_stats:
        _verify_spatial_size(input.size())
    return _instance_norm(input, weight, bias, running_mean, running_var, use_input_stats,
                          momentum, eps)


# -- layer norm -----------------------------------------------------------------------------------
def _normalized_shape(normalized_shape, fn):
    if isinstance(normalized_shape, (int, np.integer)):
        raise TypeError(f"{fn}(): argument 'normalized_shape' (position 2) must be tuple of "
                        f"ints, not int")
    return tuple(int(s) for s in normalized_shape)


def _check_normalized(input, ns, weight, bias, star):
    if not ns:
        raise RuntimeError('Expected normalized_shape to be at least 1-dimensional, i.e., '
                           'containing at least one element, but got normalized_shape = []')
    for name, t in (('weight', weight), ('bias', bias)):
        if t is not None and tuple(t._data.shape) != ns:
            raise RuntimeError(f'Expected {name} to be of same shape as normalized_shape, but '
                               f'got {name} of shape {_fmt_shape(t._data.shape)} and '
                               f'normalized_shape = {_fmt_shape(ns)}')
    shape = input._data.shape
    k = len(ns)
    if len(shape) < k or tuple(shape[len(shape) - k:]) != ns:
        sep = ', ' if star else ''
        raise RuntimeError(f'Given normalized_shape={_fmt_shape(ns)}, expected input with shape '
                           f'[*{sep}{_fmt_shape(ns)[1:-1]}], but got input of size'
                           f'{_fmt_shape(shape)}')


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Layer normalization over the last ``len(normalized_shape)`` dimensions: mean and biased
    variance of those elements, then ``weight * x_hat + bias`` (both of ``normalized_shape``).

    Example::

        >>> F.layer_norm(flambeau.tensor([[1., 3.], [2., 2.]]), (2,))
        tensor([[-1.0000,  1.0000],
                [ 0.0000,  0.0000]])
    """
    ns = _normalized_shape(normalized_shape, 'layer_norm')
    _check_normalized(input, ns, weight, bias, True)
    _float_input(input, 'LayerNormKernelImpl')
    _check_params(input, (weight, bias))
    shape = input._data.shape
    lead = len(shape) - len(ns)
    m = 1
    for s in shape[:lead]:
        m *= s
    k = 1
    for s in ns:
        k *= s
    grouped = (m, k)
    return _affine_norm(NativeLayerNormBackward0, input, weight, bias, grouped, (1,), ns,
                        tuple(range(lead)), eps)[0]


# -- group norm -----------------------------------------------------------------------------------
def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Group normalization: the ``C`` channels of a ``(N, C, *)`` input split into
    ``num_groups`` groups, each ``(sample, group)`` normalized over its elements, then
    ``weight * x_hat + bias`` per channel.

    Example::

        >>> F.group_norm(flambeau.tensor([[1., 3., 0., 4.]]), 2)
        tensor([[-1.0000,  1.0000, -1.0000,  1.0000]])
    """
    nd = input._data.ndim
    if nd < 2:
        raise RuntimeError(f'Expected at least 2 dimensions for input tensor but received {nd}')
    shape = input._data.shape
    _verify_batch_size([shape[0] * shape[1] // num_groups, num_groups] + list(shape[2:]))
    n, c = shape[0], shape[1]
    if c % num_groups:
        raise RuntimeError(f'Expected number of channels in input to be divisible by '
                           f'num_groups, but got input of shape {_fmt_shape(shape)} and '
                           f'num_groups={num_groups}')
    for name, t in (('weight', weight), ('bias', bias)):
        if t is not None and (t._data.ndim != 1 or t._data.shape[0] != c):
            raise RuntimeError(f'Expected {name} to be a vector of size equal to the number of '
                               f'channels in input, but got {name} of shape '
                               f'{_fmt_shape(t._data.shape)} and input of shape '
                               f'{_fmt_shape(shape)}')
    _float_input(input, 'GroupNormKernelImpl')
    _check_params(input, (weight, bias))
    per = input._data.size // (n * num_groups) if n * num_groups else 0
    wshape = (1, c) + (1,) * (nd - 2)
    waxes = (0,) + tuple(range(2, nd))
    return _affine_norm(NativeGroupNormBackward0, input, weight, bias, (n, num_groups, per),
                        (2,), wshape, waxes, eps)[0]


# -- RMS norm --------------------------------------------------------------------------------------
def rms_norm(input, normalized_shape, weight=None, eps=None):
    """Root-mean-square normalization over the last ``len(normalized_shape)`` dimensions:
    ``input / sqrt(mean(input ** 2) + eps) * weight``; ``eps=None`` takes the machine epsilon
    of the input's dtype (of float32 for 16-bit floats, which are computed in float32).

    Example::

        >>> F.rms_norm(flambeau.tensor([[3., 4.]]), (2,))
        tensor([[0.8485, 1.1314]])
    """
    ns = _normalized_shape(normalized_shape, 'rms_norm')
    _check_normalized(input, ns, weight, None, False)
    dt = input._dtype
    if not dt.is_floating_point:
        raise not_implemented('rms_norm', dt)
    x = input
    if dt.itemsize == 2:
        x = input.to(_dt.float32)
    if eps is None:
        eps = float(np.finfo(x._dtype.numpy).eps)
    dims = tuple(range(-len(ns), 0))
    r = x * (x * x).mean(dims, keepdim=True).add(eps).rsqrt()
    if weight is not None:
        r = r * weight
    if not r.is_contiguous():
        r = r.contiguous()
    return r.to(dt) if r._dtype is not dt else r


# -- local response norm ---------------------------------------------------------------------------
def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """Local response normalization across channels of a ``(N, C, *)`` input:
    ``input / (k + alpha * mean of input ** 2 over a window of size channels) ** beta``
    (the window centred on each channel, zero beyond the ends).

    Example::

        >>> F.local_response_norm(flambeau.ones(1, 3, 1), 2).shape
        torch.Size([1, 3, 1])
    """
    dim = input._data.ndim
    if dim < 3:
        raise ValueError(f'Expected 3D or higher dimensionality                          input '
                         f'(got {dim} dimensions)')
    if input._data.size == 0:
        return input
    dt = input._dtype
    kernel = 'avg_pool2d' if dim == 3 else 'avg_pool3d_out_frame'
    if (not dt.is_floating_point and dt is not _dt.int64) or (dim > 3 and dt.itemsize == 2):
        raise not_implemented(kernel, dt)
    sq = input * input
    c = input._data.shape[1]
    pad_shape = list(sq.shape)
    parts = []
    if size // 2:
        pad_shape[1] = size // 2
        parts.append(zeros(pad_shape, dtype=sq.dtype, device=sq.device))
    parts.append(sq)
    if (size - 1) // 2:
        pad_shape[1] = (size - 1) // 2
        parts.append(zeros(pad_shape, dtype=sq.dtype, device=sq.device))
    padded = cat(parts, 1) if len(parts) > 1 else sq
    acc = padded.narrow(1, 0, c)
    for j in range(1, size):
        acc = acc + padded.narrow(1, j, c)
    # the average pooling of PyTorch's formula divides integers with truncation
    d = (acc // size if dt is _dt.int64 else acc / size).mul(alpha).add(k).pow(beta)
    return input / d


# -- normalize -------------------------------------------------------------------------------------
def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """``input`` divided by its ``p``-norm along ``dim`` (at least ``eps``), so that each
    slice along ``dim`` has unit norm.

    Example::

        >>> F.normalize(flambeau.tensor([[3., 4.]]))
        tensor([[0.6000, 0.8000]])
    """
    x = input._data
    if out is None and p == 2 and type(x) is np.ndarray and x.dtype.char in 'fd' and \
            x.ndim and x.size and dim in (-1, x.ndim - 1):
        return _normalize_rows(input, x, eps)
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    if out is None:
        return input / denom
    return div(input, denom, out=out)


# Note [Fused normalize]: ``normalize`` is PyTorch's composite ``x / norm(x).clamp_min(eps)``;
# its backward then runs a division's (~6 passes over broadcast operands), the expand's sum,
# the clamp's and the norm's, and adds the two gradients of x. For the 2-norm over the last dim
# of a float32/float64 host array it is one node with the closed form
#
#     d = max(n, eps),  s = sum(g * x)  (per row),
#     grad_x = g / d - x * s / (d^2 n)   (the second term 0 where n < eps or n = 0),
#
# four passes (``vecdot``, two broadcast products, a difference), the row norms kept from the
# forward. The node prints as PyTorch's last one, ``DivBackward0``, with the input its only
# edge; under ``create_graph`` its backward is the same formula in Tensor ops, recomputing the
# norm from the input (double backward). The forward's values are the composite's bits; the
# gradient is summed in another order (last bits). float32 forward / forward + backward:
# (8192, 128) 601 -> 438 / 7328 -> 2350 us (PyTorch 200 / 3990 in the same minutes), (256, 512)
# 94 -> 66 / 732 -> 254 us, (64, 16) 35 -> 10 / 147 -> 43 us.
class NormalizeBackward(Node):
    __slots__ = ('n', 'eps')  # n: the forward's row norms

    def name(self):
        return 'DivBackward0'

    def release(self):
        Node.release(self)
        self.n = None

    def backward(self, g):
        x, = self.saved_tensors
        ga, xa = g._data, x._data
        if state.enabled or type(ga) is not np.ndarray or ga.dtype != xa.dtype:
            n = x.norm(2, -1, keepdim=True)
            d = n.clamp_min(self.eps)
            ok = (n >= self.eps) & (n != 0)
            c = (g * x).sum(-1, keepdim=True) / (d * d * n.masked_fill(~ok, 1.0))
            return g / d - x * c.masked_fill(~ok, 0.0)
        n = self.n
        d = np.maximum(n, xa.dtype.type(self.eps))
        ok = (n >= self.eps) & (n != 0)
        c = np.vecdot(ga, xa)[..., None]
        c /= d * d * np.where(ok, n, 1)
        c[~ok] = 0
        res = broadcast_op(np.divide, ga, d)
        return make(np.subtract(res, broadcast_op(np.multiply, xa, c), out=res), g._dtype,
                    g._device)


def _normalize_rows(input, x, eps):
    """``normalize(input, 2, -1, eps)`` of the float host array ``x`` (Note [Fused
    normalize])."""
    n = np.sqrt(np.vecdot(x, x))[..., None]  # (Note [Two-norms of rows by vecdot])
    d = np.maximum(n, x.dtype.type(eps))
    r = make(broadcast_op(np.divide, x, d), input._dtype, input._device)
    if state.enabled and input._requires_grad:
        node = NormalizeBackward()
        node.n, node.eps = n, eps
        node.save(input)
        record(node, r, input)
    return r


# -- dropout (torch.nn.functional's arguments) -----------------------------------------------------
def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f'dropout probability has to be between 0 and 1, but got {p}')


def dropout(input, p=0.5, training=True, inplace=False):
    """During training, zero each element of ``input`` with probability ``p`` and scale the
    others by ``1 / (1 - p)``; the identity (``input`` itself) otherwise.

    Example::

        >>> x = flambeau.ones(4)
        >>> F.dropout(x, training=False) is x
        True
    """
    _check_p(p)
    return _dropout(input, p, training, inplace, False, False)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Alpha dropout (for SELU networks): dropped elements take SELU's negative saturation
    value, then an affine map keeps the mean and variance. Identity unless ``training``.

    Example::

        >>> F.alpha_dropout(flambeau.ones(3))
        tensor([1., 1., 1.])
    """
    _check_p(p)
    return _dropout(input, p, training, inplace, False, True)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """:func:`alpha_dropout` of whole channels ``input[n, c]``. Identity unless ``training``.

    Example::

        >>> F.feature_alpha_dropout(flambeau.ones(2, 3), 0.5).shape
        torch.Size([2, 3])
    """
    _check_p(p)
    return _dropout(input, p, training, inplace, True, True)


def _channel_dropout(input, p, training, inplace, batched):
    """Channel dropout of a batched input, or of an unbatched one given a batch dimension."""
    if batched:
        return _dropout(input, p, training, inplace, True, False)
    r = _dropout(input.unsqueeze(0), p, training, inplace, True, False)
    return input if inplace else r.squeeze(0)  # in place: written through the view


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels (1-D feature maps) of a ``(N, C, L)`` or ``(C, L)`` input with
    probability ``p`` during training, scaling the others by ``1 / (1 - p)``.

    Example::

        >>> F.dropout1d(flambeau.ones(2, 3, 4), 0.5).shape
        torch.Size([2, 3, 4])
    """
    _check_p(p)
    nd = input._data.ndim
    if nd not in (2, 3):
        raise RuntimeError(
            f'dropout1d: Expected 2D or 3D input, but received a {nd}D input. Note that '
            'dropout1d exists to provide channel-wise dropout on inputs with 1 spatial '
            'dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D '
            'inputs).')
    return _channel_dropout(input, p, training, inplace, nd == 3)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels (2-D feature maps) of a ``(N, C, H, W)`` input with probability
    ``p`` during training, scaling the others by ``1 / (1 - p)``. A 3-D input is taken as
    ``(N, C, L)`` (with PyTorch's warning).

    Example::

        >>> F.dropout2d(flambeau.ones(2, 3, 4, 4), 0.5).shape
        torch.Size([2, 3, 4, 4])
    """
    _check_p(p)
    nd = input._data.ndim
    if nd not in (3, 4):
        warnings.warn(
            f'dropout2d: Received a {nd}-D input to dropout2d, which is deprecated and will '
            'result in an error in a future release. To retain the behavior and silence this '
            'warning, please use dropout instead. Note that dropout2d exists to provide '
            'channel-wise dropout on inputs with 2 spatial dimensions, a channel dimension, '
            'and an optional batch dimension (i.e. 3D or 4D inputs).', stacklevel=2)
    if nd == 3:
        warnings.warn(
            'dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D '
            'dropout behavior is desired - input is interpreted as shape (N, C, L), where C is '
            'the channel dim. This behavior will change in a future release to interpret the '
            'input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D '
            'channel-wise dropout behavior, please switch to using dropout1d instead.',
            stacklevel=2)
    return _dropout(input, p, training, inplace, True, False)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels (3-D feature maps) of a ``(N, C, D, H, W)`` or ``(C, D, H, W)``
    input with probability ``p`` during training, scaling the others by ``1 / (1 - p)``.

    Example::

        >>> F.dropout3d(flambeau.ones(2, 3, 2, 2, 2), 0.5).shape
        torch.Size([2, 3, 2, 2, 2])
    """
    _check_p(p)
    nd = input._data.ndim
    if nd not in (4, 5):
        warnings.warn(
            f'dropout3d: Received a {nd}-D input to dropout3d, which is deprecated and will '
            'result in an error in a future release. To retain the behavior and silence this '
            'warning, please use dropout instead. Note that dropout3d exists to provide '
            'channel-wise dropout on inputs with 3 spatial dimensions, a channel dimension, '
            'and an optional batch dimension (i.e. 4D or 5D inputs).', stacklevel=2)
    return _channel_dropout(input, p, training, inplace, nd == 5)


# -- torch.embedding (ATen's argument order; F.embedding is in embedding.py) -----------------------
def embedding(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    """``weight[indices]``: the rows of ``weight`` that ``indices`` select (PyTorch's
    ``torch.embedding``; ``torch.nn.functional.embedding`` takes ``(input, weight)``). Row
    ``padding_idx`` gets no gradient.

    Example::

        >>> flambeau.embedding(flambeau.eye(3), flambeau.tensor([2, 0]))
        tensor([[0., 0., 1.],
                [1., 0., 0.]])
    """
    return _embedding_ops._embedding(weight, indices, padding_idx, scale_grad_by_freq)


METHODS = {}
INPLACE = {}

# last: embedding.py imports this module's kernels (a cycle that works once both are defined)
from . import embedding as _embedding_ops  # noqa: E402
