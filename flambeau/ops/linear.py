"""The affine maps of ``nn.functional``: ``linear`` and ``bilinear``.

``linear`` is one fused op (a GEMM plus the bias, one graph node) for float32/float64
operands; other cases go through the general ``matmul`` so that their errors and dtype rules are
those of the matrix product.
"""
import numpy as np

from .. import dtypes as _dt
from ..autograd import grad_mode
from ..autograd.node import Node, record
from .._blas import gemm_acc
from ..tensor import Tensor
from ._common import rows_op

__all__ = ['bilinear']  # torch.bilinear; linear is only in nn.functional
FUNCTIONAL = ['linear', 'bilinear']

_state = grad_mode.state
_make = Tensor._make
_FAST = (_dt.float32, _dt.float64, _dt.float16, _dt.bfloat16)
_HALF = (_dt.float16, _dt.bfloat16)


class _LinearBackward(Node):
    """Backward of the fused ``linear``: ``g @ W``, ``g^T x`` and ``sum(g)`` over the batch."""
    __slots__ = ()

    def backward(self, g):
        x, w = self.saved_tensors
        nf = self.next_functions
        out_f, in_f = w.shape
        gx = gw = gb = None
        if nf[0][0] is not None:
            gx = g.matmul(w)
        if nf[1][0] is not None:
            gw = g.reshape(-1, out_f).t().mm(x.reshape(-1, in_f))
        if len(nf) > 2 and nf[2][0] is not None:
            gb = g.reshape(-1, out_f).sum(0)
        return (gx, gw, gb) if len(nf) > 2 else (gx, gw)


# PyTorch's graph for linear depends on the input's rank; the node takes the name PyTorch's last
# node has, so that printed grad_fns read the same.
class AddmmBackward0(_LinearBackward):
    __slots__ = ()


class MmBackward0(_LinearBackward):
    __slots__ = ()


class ViewBackward0(_LinearBackward):
    __slots__ = ()


class UnsafeViewBackward0(_LinearBackward):
    __slots__ = ()


class SqueezeBackward4(_LinearBackward):
    __slots__ = ()


# Note [The bias under the GEMM]: PyTorch's addmm copies the bias into the output and has the
# BLAS accumulate the product onto it (beta = 1); so does linear here for host arrays, where
# the product and then a bias pass over the output cost one more pass: F.linear of (2048, 128)
# -> 384 / 512 / 256 (a GPT layer's projections) 1128 -> 1076 / 1545 -> 1488 / 805 -> 735 us,
# (64, 128) -> 512 137 -> 106 us. Below _BIAS_GEMM_MIN output elements the BLAS call through
# ctypes costs more than the pass it saves ((64, 128) -> 10: 10.4 against 3.8 us).
_BIAS_GEMM_MIN = 1 << 15


def _affine(x, w, b):
    """``x @ w.T + b`` (``b`` None: no bias) for arrays of one float dtype, ``x`` (*, in),
    ``w`` (out, in), ``b`` (out,): one GEMM over the stacked rows of ``x``."""
    out_f = w.shape[0]
    x2 = x.reshape(-1, x.shape[-1]) if x.ndim > 2 else x
    res = None
    if b is not None and x.ndim >= 2 and x.__class__ is np.ndarray and \
            w.__class__ is np.ndarray and x2.shape[0] * out_f >= _BIAS_GEMM_MIN:
        res = np.empty((x2.shape[0], out_f), x.dtype)
        res[...] = b
        if not gemm_acc(x2, w.T, res):  # (an operand the BLAS cannot read)
            res = None
    if res is None:
        res = x2.dot(w.T) if x2.ndim == 2 and x2.__class__ is w.__class__ else x2 @ w.T
        if b is not None:
            if res.__class__ is np.ndarray:
                rows_op(np.add, res, b, res)
            else:
                res += b
    return res.reshape(x.shape[:-1] + (out_f,)) if x.ndim > 2 else res


def linear(input, weight, bias=None):
    """Apply the affine map ``y = x W^T + b``.

    Shapes: ``input`` ``(*, in_features)``, ``weight`` ``(out_features, in_features)``,
    ``bias`` ``(out_features)`` or None; output ``(*, out_features)``.

    Example::

        >>> x, w = flambeau.ones(4, 3), flambeau.ones(2, 3)
        >>> flambeau.nn.functional.linear(x, w, flambeau.zeros(2)).shape
        torch.Size([4, 2])
    """
    x = input._data
    w = weight._data
    dt = input._dtype
    if (dt in _FAST and weight._dtype is dt and w.ndim == 2 and x.ndim >= 1 and
            input._device is weight._device and x.shape[-1] == w.shape[1] and
            (bias is None or (bias._dtype is dt and bias._data.shape == (w.shape[0],) and
                              bias._device is input._device))):
        half = dt in _HALF  # accumulate in float32, round once, as PyTorch's CPU kernels
        if half:
            x, w = x.astype('float32'), w.astype('float32')
        res = _affine(x, w, None if bias is None else bias._data.astype(x.dtype, copy=False))
        if half:
            res = res.astype(dt.numpy)
        r = _make(res, dt, input._device)
        if _state.enabled and (input._requires_grad or weight._requires_grad or
                               (bias is not None and bias._requires_grad)):
            nd = x.ndim
            if nd == 2:
                node = AddmmBackward0() if bias is not None else MmBackward0()
            elif nd == 1:
                node = ViewBackward0() if bias is not None else SqueezeBackward4()
            else:
                node = ViewBackward0() if bias is not None else UnsafeViewBackward0()
            node.save(input, weight)
            if bias is None:
                record(node, r, input, weight)
            else:
                record(node, r, input, weight, bias)
        return r
    if w.ndim == 2 and x.ndim >= 2 and x.shape[-1] != w.shape[1]:
        lead = 1
        for s in x.shape[:-1]:
            lead *= s
        raise RuntimeError(f'mat1 and mat2 shapes cannot be multiplied ({lead}x{x.shape[-1]} and '
                           f'{w.shape[1]}x{w.shape[0]})')
    out = input.matmul(weight.t())
    if bias is not None:
        out = out + bias
    return out


def bilinear(input1, input2, weight, bias=None):
    """Apply the bilinear map ``y_k = x1^T A_k x2 + b_k``.

    Shapes: ``input1`` ``(*, in1_features)``, ``input2`` ``(*, in2_features)`` (same leading
    dimensions), ``weight`` ``(out_features, in1_features, in2_features)``, ``bias``
    ``(out_features)``; output ``(*, out_features)``.

    Example::

        >>> x1, x2 = flambeau.ones(4, 3), flambeau.ones(4, 5)
        >>> flambeau.nn.functional.bilinear(x1, x2, flambeau.ones(2, 3, 5)).shape
        torch.Size([4, 2])
    """
    n1, n2 = input1.dim(), input2.dim()
    if n1 != n2:
        raise RuntimeError(f'bilinear(): input dimensions do not match: got {n1} and {n2}')
    s1, s2, sw = input1.shape, input2.shape, weight.shape
    for i in range(n1 - 1):
        if s1[i] != s2[i]:
            raise RuntimeError(f'bilinear(): input batch dimensions do not match at dim {i}: got '
                               f'{s1[i]} and {s2[i]}')
    if s1[-1] != sw[1]:
        raise RuntimeError(f'bilinear(): input1 size does not match weight size: got {s1[-1]} '
                           f'but expected {sw[1]}')
    if s2[-1] != sw[2]:
        raise RuntimeError(f'bilinear(): input2 size does not match weight size: got {s2[-1]} '
                           f'but expected {sw[2]}')
    if bias is not None and bias.shape[0] != sw[0]:
        raise RuntimeError(f'bilinear(): bias size does not match weight size: got '
                           f'{bias.shape[0]} but expected {sw[0]}')
    out_f, in1, in2 = sw
    # (*, in1) @ (in1, out*in2) -> (*, out, in2), then contract in2 against input2
    t = input1.matmul(weight.permute(1, 0, 2).reshape(in1, out_f * in2))
    t = t.reshape(tuple(s1[:-1]) + (out_f, in2))
    y = (t * input2.unsqueeze(-2)).sum(-1, dtype=t.dtype)  # ints stay in their dtype, as torch
    if bias is not None:
        return y + bias
    return y.view(y.shape)  # PyTorch's graph ends in a view here: same grad_fn name
