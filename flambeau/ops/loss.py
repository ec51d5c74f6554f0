"""Loss functions (``mse_loss``, ``cross_entropy`` with a fused log-softmax + NLL, ``nll_loss``,
``binary_cross_entropy(_with_logits)``, ``kl_div`` ...): forward and derivative side by side.

Every loss takes ``reduction``: ``'none'`` (one loss per element or sample), ``'mean'`` (their
mean; the weighted mean for the class-weighted losses) or ``'sum'``. The losses PyTorch
computes with a kernel of their own (``mse_loss``, ``nll_loss``, ``binary_cross_entropy`` ...)
have a node of their own here, named as PyTorch names it; the ones PyTorch composes from other
ops (``l1_loss``, ``kl_div``, ``cosine_embedding_loss`` ...) are composed from the same ops, so
their graphs, and ``grad_fn`` names, are PyTorch's.

Note [Fused cross-entropy]: ``cross_entropy`` with class indices is one log-softmax pass and
one gather, recorded as a single ``NllLossBackward0`` whose backward is
``(softmax(input) - onehot(target)) * scale`` (``scale``: the upstream gradient times the
class weight of the target, zero where ``target == ignore_index``, over the total weight for
``'mean'``). Without ``create_graph`` it runs on the arrays; with it, the same formula in
Tensor ops, so that it is itself differentiable.
"""
# PyTorch's top-level ``torch.kl_div``, ``torch.poisson_nll_loss`` ... take the reduction as an
# enum int and other positional orders than ``nn.functional``'s: not exported here.
__all__ = []
import math
import warnings

import numpy as np

from .. import dtypes as _dt
from ._common import (_CHUNK, Node, Tensor, binary_operands, broadcast_error, dtype_title,
                      fix_dtype, make, not_implemented, record, reduce_grad, state, xp_of,
                      xp_of_array, _sum_kept)
from ..autograd.grad_mode import no_grad
from .activation import (_log_softmax_array, _shifted_exp, _softmax_input, log_softmax,
                         logsigmoid, softmax)
from .distance import pairwise_distance
from .pointwise import _blocks2, _select, exp, log, sigmoid, where

FUNCTIONAL = ['binary_cross_entropy', 'binary_cross_entropy_with_logits', 'cosine_embedding_loss',
              'cross_entropy', 'gaussian_nll_loss', 'hinge_embedding_loss', 'huber_loss',
              'kl_div', 'l1_loss', 'margin_ranking_loss', 'mse_loss', 'multi_margin_loss',
              'multilabel_margin_loss', 'multilabel_soft_margin_loss', 'nll_loss',
              'poisson_nll_loss', 'smooth_l1_loss', 'soft_margin_loss', 'triplet_margin_loss']

_REDUCTIONS = ('none', 'mean', 'sum')


# -- reduction ---------------------------------------------------------------------------------
def legacy_reduction(size_average, reduce, emit_warning=True):
    """The ``reduction`` string of the deprecated ``size_average`` / ``reduce`` flags."""
    if size_average is None:
        size_average = True
    if reduce is None:
        reduce = True
    ret = ('mean' if size_average else 'sum') if reduce else 'none'
    if emit_warning:
        warnings.warn(f"size_average and reduce args will be deprecated, please use reduction="
                      f"'{ret}' instead.", stacklevel=3)
    return ret


def _reduction(reduction, size_average=None, reduce=None):
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce)
    if reduction not in _REDUCTIONS:
        raise ValueError(f'{reduction} is not a valid value for reduction')
    return reduction


def _reduce(loss, reduction):
    if reduction == 'mean':
        if not loss._dtype.is_floating_point:
            raise RuntimeError('mean(): could not infer output dtype. Input dtype must be either '
                               f'a floating point or complex dtype. Got: '
                               f'{dtype_title(loss._dtype)}')
        return loss.mean()
    if reduction == 'sum':
        return loss.sum()
    return loss


def _size_warning(input, target):
    if target.shape != input.shape:
        warnings.warn(f'Using a target size ({target.size()}) that is different to the input size '
                      f'({input.size()}). This will likely lead to incorrect results due to '
                      f'broadcasting. Please ensure they have the same size.', stacklevel=3)


def _check_tensor(name, value):
    if not isinstance(value, Tensor):
        raise TypeError(f"{name}(): argument 'target' (position 2) must be Tensor, not "
                        f'{type(value).__name__}')


# -- pointwise losses with a node of their own ---------------------------------------------------
class _PointwiseLossBackward(Node):
    """The node of a loss ``reduce(f(input, target))``: ``deriv`` gives ``df/dinput`` and
    ``df/dtarget`` (Tensor ops, broadcast shape), scaled by the upstream gradient (over the
    element count for ``'mean'``) and summed back to each input's shape."""
    __slots__ = ('reduction', 'n', 'param', 'weight')

    def deriv(self, x, t):
        """``(df/dinput, df/dtarget)``; ``df/dtarget`` may be ``_NEGATED``: ``-df/dinput``,
        made only when the target needs a gradient (a pass over the loss's size saved)."""
        raise NotImplementedError

    # block_deriv(self, x, t, out): df/dinput of host array blocks written into ``out``, for
    # losses whose df/dtarget is -df/dinput; blocks_forward: whether the forward runs in
    # blocks (Note [Pointwise losses in blocks])
    block_deriv = None
    blocks_forward = False

    def backward(self, g):
        x, t = self.saved_tensors
        if x._data.size >= _BLOCKS_MIN and self.block_deriv is not None and \
                not state.enabled and self.weight is None:
            res = self._blocked(g, x, t)
            if res is not None:
                return res
        dx, dt = self.deriv(x, t)
        if self.reduction == 'mean':
            g = g / self.n
        gx = gt = None
        if self.next_functions[0][0] is not None:
            gx = reduce_grad(dx * g, x.shape, x._dtype)
        if self.next_functions[1][0] is not None:
            gt = reduce_grad((-dx if dt is _NEGATED else dt) * g, t.shape, t._dtype)
        return gx, gt

    def _blocked(self, g, x, t):
        """The gradients by ``block_deriv`` block by block: the operations of ``backward``
        in its order (the same bits), on cached blocks; None where that does not apply."""
        xa, ta, ga = x._data, t._data, g._data
        if not _in_blocks(xa, ta) or type(ga) is not np.ndarray or ga.dtype != xa.dtype or \
                ga.ndim and (ga.shape != xa.shape or not ga.flags.c_contiguous):
            return None
        if self.reduction == 'mean':
            ga = ga / ga.dtype.type(self.n)
        need_x, need_t = (f[0] is not None for f in self.next_functions)
        gx = np.empty(xa.shape, xa.dtype)
        gt = np.empty(xa.shape, xa.dtype) if need_t else None
        fx, ft, fgx = xa.reshape(-1), ta.reshape(-1), gx.reshape(-1)
        fg = ga.reshape(-1) if ga.ndim else ga
        fgt = gt.reshape(-1) if need_t else None
        for i in range(0, fx.size, _CHUNK):
            j = i + _CHUNK
            d = self.block_deriv(fx[i:j], ft[i:j], fgx[i:j])
            d *= fg[i:j] if ga.ndim else fg
            if need_t:
                np.negative(d, out=fgt[i:j])
        dev = x._device
        return (make(gx, x._dtype, dev) if need_x else None,
                make(gt, t._dtype, dev) if need_t else None)


_NEGATED = object()  # a deriv's df/dtarget that is -df/dinput


# Note [Pointwise losses in blocks]: a pointwise loss over two large host arrays of one shape
# and dtype computes its gradients block by block (``_CHUNK`` elements, ``block_deriv``), and
# the smooth L1 and Huber losses their elementwise loss too (``blocks_forward``): their dozen
# passes then run on cached blocks instead of arrays of the loss's size (the same operations in
# the same order: the same bits). The smooth L1 and Huber derivatives are a ``clip`` there,
# which gives PyTorch's NaN where the difference is NaN. (1024, 1024) float32, forward +
# backward for input and target (alternating, min): mse 2.24 -> 2.03 ms, smooth_l1 6.46 ->
# 3.64, huber 7.48 -> 4.25 (its forward's ``where`` also made branch-free, ``_select``).
# A forward of two passes (mse) or of a few transcendental ones (BCE) gains nothing in blocks.
_BLOCKS_MIN = 4 * _CHUNK
_BLOCK_PARAMS = (type(None), int, float)


def _in_blocks(x, t):
    """Whether a pointwise loss of host arrays ``x`` and ``t`` runs in blocks (Note
    [Pointwise losses in blocks])."""
    return type(x) is np.ndarray and type(t) is np.ndarray and x.size >= _BLOCKS_MIN and \
        x.shape == t.shape and x.dtype == t.dtype and x.dtype.kind == 'f' and \
        x.dtype.itemsize >= 4 and x.flags.c_contiguous and t.flags.c_contiguous


def _copy_loss(fwd, param):
    """``fwd`` (``(x, t, xp, param) -> loss``) as a ``_blocks2`` function of one block."""
    def block(x, t, out):
        np.copyto(out, fwd(x, t, np, param))
    return block


def _pointwise_loss(node_cls, kernel, input, target, reduction, fwd, param=None, weight=None):
    """``reduce(fwd(x, t))`` on the arrays (16-bit floats computed in float32), recorded as
    one ``node_cls``."""
    input, x, t, dt, _ = binary_operands(input, target)
    if not dt.is_floating_point:
        raise not_implemented(kernel, dt)
    xp = xp_of(input)
    if x.dtype.itemsize == 2:
        x, t = x.astype(np.float32), t.astype(np.float32)
    try:
        if x.size >= _BLOCKS_MIN and node_cls.blocks_forward and weight is None and \
                type(param) in _BLOCK_PARAMS and _in_blocks(x, t):
            loss = _blocks2(_copy_loss(fwd, param), x, t)
        else:
            loss = fwd(x, t, xp, param)
    except ValueError as e:
        raise broadcast_error(e, x, t) from None
    if weight is not None:
        loss = loss * weight._data
    n = loss.size
    if reduction == 'mean':
        loss = loss.mean() if n else xp.asarray(np.nan, loss.dtype)
    elif reduction == 'sum':
        loss = loss.sum()
    r = make(fix_dtype(xp.asarray(loss), dt), dt, input._device)
    if state.enabled and (input._requires_grad or target._requires_grad):
        node = node_cls()
        node.reduction, node.n, node.param, node.weight = reduction, n, param, weight
        node.save(input, target)
        record(node, r, input, target)
    return r


class MseLossBackward0(_PointwiseLossBackward):
    __slots__ = ()

    def deriv(self, x, t):
        return (x - t) * 2, _NEGATED

    def block_deriv(self, x, t, out):
        np.subtract(x, t, out=out)
        out *= x.dtype.type(2)
        return out


def _mse(x, t, xp, _):
    d = x - t
    return d * d


def mse_loss(input, target, size_average=None, reduce=None, reduction='mean', weight=None):
    """The squared error ``(input - target) ** 2``, reduced by ``reduction``; ``weight``
    (broadcastable to the loss) scales each element.

    Example::

        >>> F.mse_loss(flambeau.tensor([1., 2.]), flambeau.tensor([0., 0.]))
        tensor(2.5000)
    """
    _check_tensor('mse_loss', target)
    _size_warning(input, target)
    reduction = _reduction(reduction, size_average, reduce)
    if weight is not None:
        return _reduce(_mse(input, target, None, None) * weight, reduction)
    return _pointwise_loss(MseLossBackward0, 'mse_cpu', input, target, reduction, _mse)


def l1_loss(input, target, size_average=None, reduce=None, reduction='mean', weight=None):
    """The absolute error ``|input - target|``, reduced by ``reduction``.

    Example::

        >>> F.l1_loss(flambeau.tensor([1., -2.]), flambeau.tensor([0., 0.]))
        tensor(1.5000)
    """
    _check_tensor('l1_loss', target)
    _size_warning(input, target)
    reduction = _reduction(reduction, size_average, reduce)
    loss = (input - target).abs()
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


class SmoothL1LossBackward0(_PointwiseLossBackward):
    __slots__ = ()
    blocks_forward = True

    def deriv(self, x, t):
        d = x - t
        b = self.param
        dx = where(d.abs() >= b, d.sign(), d / b)  # (NaN passes, as in PyTorch)
        return dx, _NEGATED

    def block_deriv(self, x, t, out):
        np.subtract(x, t, out=out)
        if self.param != 1:
            out /= x.dtype.type(self.param)
        return np.clip(out, -1, 1, out=out)


def _smooth_l1(x, t, xp, beta):
    z = xp.abs(x - t)
    return _select(xp, z < beta, 0.5 * z * z / beta, z - 0.5 * beta, z.dtype)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction='mean', beta=1.0):
    """``0.5 * d ** 2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 * beta``, for
    ``d = input - target``: quadratic near 0, linear beyond (``beta=0`` is :func:`l1_loss`).

    Example::

        >>> F.smooth_l1_loss(flambeau.tensor([0.5, 3.]), flambeau.tensor([0., 0.]))
        tensor(1.3125)
    """
    _check_tensor('smooth_l1_loss', target)
    _size_warning(input, target)
    reduction = _reduction(reduction, size_average, reduce)
    if beta < 0:
        raise RuntimeError('smooth_l1_loss does not support negative values for beta.')
    if beta == 0:
        return l1_loss(input, target, reduction=reduction)
    return _pointwise_loss(SmoothL1LossBackward0, 'smooth_l1_cpu', input, target, reduction,
                           _smooth_l1, beta)


class HuberLossBackward0(_PointwiseLossBackward):
    __slots__ = ()
    blocks_forward = True

    def deriv(self, x, t):
        d = x - t
        delta = self.param
        dx = d.clamp(-delta, delta)
        return dx, _NEGATED

    def block_deriv(self, x, t, out):
        np.subtract(x, t, out=out)
        return np.clip(out, -self.param, self.param, out=out)


def _huber(x, t, xp, delta):
    z = xp.abs(x - t)
    return _select(xp, z < delta, 0.5 * z * z, delta * (z - 0.5 * delta), z.dtype)


def huber_loss(input, target, reduction='mean', delta=1.0, weight=None):
    """``0.5 * d ** 2`` where ``|d| < delta``, else ``delta * (|d| - 0.5 * delta)``, for
    ``d = input - target``.

    Example::

        >>> F.huber_loss(flambeau.tensor([0.5, 3.]), flambeau.tensor([0., 0.]))
        tensor(1.3125)
    """
    _check_tensor('huber_loss', target)
    _size_warning(input, target)
    reduction = _reduction(reduction)
    if delta <= 0:
        raise RuntimeError('huber_loss does not support non-positive values for delta.')
    if weight is not None:
        return _reduce(_huber_composed(input, target, delta) * weight, reduction)
    return _pointwise_loss(HuberLossBackward0, 'huber_cpu', input, target, reduction, _huber,
                           delta)


def _huber_composed(input, target, delta):
    z = (input - target).abs()
    return where(z < delta, z * z * 0.5, (z - 0.5 * delta) * delta)


class SoftMarginLossBackward0(_PointwiseLossBackward):
    __slots__ = ()

    def deriv(self, x, t):
        return -t * sigmoid(-t * x), None

    def backward(self, g):  # PyTorch has no derivative for the target
        x, t = self.saved_tensors
        if self.reduction == 'mean':
            g = g / self.n
        if self.next_functions[1][0] is not None:
            raise RuntimeError('the derivative for \'target\' is not implemented.')
        return reduce_grad(-t * sigmoid(-t * x) * g, x.shape, x._dtype), None


def _soft_margin(x, t, xp, _):
    z = -t * x
    return xp.maximum(z, 0) + xp.log1p(xp.exp(-xp.abs(z)))


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction='mean'):
    """The two-class logistic loss ``log(1 + exp(-target * input))`` (``target`` of 1 or -1).

    Example::

        >>> F.soft_margin_loss(flambeau.tensor([2., -1.]), flambeau.tensor([1., 1.]))
        tensor(0.7201)
    """
    _check_tensor('soft_margin_loss', target)
    reduction = _reduction(reduction, size_average, reduce)
    if not input._dtype.is_floating_point:
        raise RuntimeError(f"result type Float can't be cast to the desired output type "
                           f'{dtype_title(input._dtype)}')
    return _pointwise_loss(SoftMarginLossBackward0, 'soft_margin_loss', input, target,
                           reduction, _soft_margin)


# -- binary cross-entropy ------------------------------------------------------------------------
class BinaryCrossEntropyBackward0(_PointwiseLossBackward):
    """``(x - t) / max(x * (1 - x), 1e-12)`` for the input, ``log(1 - x) - log(x)`` (each
    clamped at -100) for the target; times the weight."""
    __slots__ = ()

    def deriv(self, x, t):
        w = self.weight
        dx = (x - t) / (x * (1 - x)).clamp_min(1e-12)
        dt = (1 - x).log() - x.log()
        if w is not None:
            dx, dt = dx * w, dt * w
        return dx, dt


def _bce(x, t, xp, _):
    with np.errstate(divide='ignore'):
        lx = xp.maximum(xp.log(x), -100)
        l1x = xp.maximum(xp.log1p(-x), -100)
    return -(t * lx + (1 - t) * l1x)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction='mean'):
    """``-weight * (target * log(input) + (1 - target) * log(1 - input))`` for probabilities
    ``input`` in [0, 1]; the logarithms are clamped at -100, so that the loss stays finite.

    Example::

        >>> F.binary_cross_entropy(flambeau.tensor([0.8, 0.4]), flambeau.tensor([1., 0.]))
        tensor(0.3670)
    """
    _check_tensor('binary_cross_entropy', target)
    reduction = _reduction(reduction, size_average, reduce)
    if target.shape != input.shape:
        raise ValueError(f'Using a target size ({target.size()}) that is different to the input '
                         f'size ({input.size()}) is deprecated. Please ensure they have the same '
                         'size.')
    x = input._data
    if x.size and input._dtype.is_floating_point and bool(((x < 0) | (x > 1)).any()):
        raise RuntimeError('all elements of input should be between 0 and 1')
    if weight is not None:
        weight = weight.expand(np.broadcast_shapes(target.shape, weight.shape))
    return _pointwise_loss(BinaryCrossEntropyBackward0, 'binary_cross_entropy', input, target,
                           reduction, _bce, weight=weight)


class BinaryCrossEntropyWithLogitsBackward0(_PointwiseLossBackward):
    """For ``(1 - t) x + l * softplus(-x)`` with ``l = 1 + (pos_weight - 1) t``:
    ``(1 - t) - l * sigmoid(-x)`` for the input, ``-x + (pos_weight - 1) softplus(-x)`` for the
    target; times the weight."""
    __slots__ = ()

    def deriv(self, x, t):
        pw = self.param
        s = sigmoid(-x)
        if pw is None:
            dx = 1 - t - s
            dt = -x
        else:
            dx = 1 - t - (1 + (pw - 1) * t) * s
            dt = -x + (pw - 1) * (-log(1 - s))
        w = self.weight
        if w is not None:
            dx, dt = dx * w, dt * w
        return dx, dt


def _bce_logits(x, t, xp, pos_weight):
    sp = xp.maximum(-x, 0) + xp.log1p(xp.exp(-xp.abs(x)))  # softplus(-x), stable
    if pos_weight is None:
        return (1 - t) * x + sp
    return (1 - t) * x + (1 + (pos_weight._data - 1) * t) * sp


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None,
                                     reduce=None, reduction='mean', pos_weight=None):
    """:func:`binary_cross_entropy` of ``sigmoid(input)``, computed from the logits without
    overflow; ``pos_weight`` (broadcast along the last dimension) weighs the positive term.

    Example::

        >>> F.binary_cross_entropy_with_logits(flambeau.tensor([2., -1.]),
        ...                                    flambeau.tensor([1., 0.]))
        tensor(0.2201)
    """
    _check_tensor('binary_cross_entropy_with_logits', target)
    reduction = _reduction(reduction, size_average, reduce)
    if target.shape != input.shape:
        raise ValueError(f'Target size ({target.size()}) must be the same as input size '
                         f'({input.size()})')
    return _pointwise_loss(BinaryCrossEntropyWithLogitsBackward0,
                           'binary_cross_entropy_with_logits', input, target, reduction,
                           _bce_logits, pos_weight, weight)


# -- negative log-likelihood and cross-entropy (Note [Fused cross-entropy]) ---------------------
class NllLossBackward0(Node):
    """``-coef`` at each target class (``coef``: the target's class weight, 0 where ignored,
    over the total weight for ``'mean'``), times the upstream gradient; for the fused
    ``cross_entropy`` (``logp`` set, or ``soft``: ``(exp(s), 1 / S)``, Note [Cross-entropy
    from the shifted exponentials]), ``softmax(input) * coef`` added; ``smooth``: the label
    smoothing of a fused cross-entropy (Note [Label smoothing in the fused cross-entropy])."""
    __slots__ = ('cd', 'idx', 'coef', 'logp', 'soft', 'reduction', 'smooth')

    def release(self):
        Node.release(self)
        self.logp = self.soft = None

    def backward(self, g):
        x, = self.saved_tensors
        cd, idx, coef = self.cd, self.idx, self.coef
        if state.enabled:
            return self._backward_graph(x, g)
        xp = xp_of(x)
        s = coef * g._data if self.reduction == 'none' else coef * g._data.item()
        if type(idx) is tuple:  # (N, C)
            if self.soft is not None:
                e, inv = self.soft
                grad = e * (s[:, None] * inv)
                eps = self.smooth
                if eps:
                    grad[idx] -= s * (1 - eps)
                    grad -= (s * (eps / grad.shape[1]))[:, None]
                else:
                    grad[idx] -= s
            elif self.logp is None:
                grad = xp.zeros(x._data.shape, s.dtype)
                grad[idx] = -s
            else:
                grad = xp.exp(self.logp)
                grad *= s[:, None]
                grad[idx] -= s
            return make(fix_dtype(grad, x._dtype), x._dtype, x._device)
        s = xp.expand_dims(s, cd)
        if self.logp is None:
            grad = xp.zeros(x._data.shape, s.dtype)
            if grad.size:
                xp.put_along_axis(grad, idx, -s, cd)
        else:
            grad = xp.exp(self.logp) * s
            if grad.size:
                xp.put_along_axis(grad, idx, xp.take_along_axis(grad, idx, cd) - s, cd)
        return make(fix_dtype(grad, x._dtype), x._dtype, x._device)

    def _backward_graph(self, x, g):
        xp = xp_of(x)
        cd = self.cd
        onehot = xp.zeros(x._data.shape, self.coef.dtype)
        if type(self.idx) is tuple:
            onehot[self.idx] = 1
        elif onehot.size:
            xp.put_along_axis(onehot, self.idx, 1, cd)
        s = (make(self.coef.astype(x._data.dtype), x._dtype, x._device) * g).unsqueeze(cd)
        oh = make(onehot.astype(x._data.dtype), x._dtype, x._device)
        if self.logp is None and self.soft is None:
            return -oh * s
        eps = self.smooth
        if eps:
            return (softmax(x, cd) - oh * (1 - eps) - eps / x.shape[cd]) * s
        return (softmax(x, cd) - oh) * s


class NllLoss2DBackward0(NllLossBackward0):
    """The node of ``nll_loss`` on inputs of more than 2 dimensions (PyTorch's 2-d kernel)."""
    __slots__ = ()


class _SmoothedNllBackward(NllLossBackward0):
    """The node of a fused cross-entropy with label smoothing, named as PyTorch's last node
    (Note [Label smoothing in the fused cross-entropy])."""
    __slots__ = ()

    def name(self):
        return 'AddBackward0'


def _nll_check(input, target, weight):
    """PyTorch's checks of ``nll_loss``; returns the class dim."""
    nd = input._data.ndim
    if nd < 1:
        raise ValueError(f'Expected 1 or more dimensions (got {nd})')
    ts = target.shape
    if nd != 1 and (not ts or input.shape[0] != ts[0]):
        raise ValueError(f'Expected input batch_size ({input.shape[0]}) to match target '
                         f'batch_size ({ts[0] if ts else 1}).')
    if nd <= 2:
        if len(ts) > 1:
            raise RuntimeError('0D or 1D target tensor expected, multi-target not supported')
        if nd == 1 and len(ts) == 1 and ts[0] != 1:
            raise RuntimeError(f'size mismatch (got input: {list(input.shape)} , target: '
                               f'{list(ts)})')
    else:
        want = list(input.shape[:1]) + list(input.shape[2:])
        if list(ts) != want:
            raise RuntimeError(f'Expected target size {want}, got {list(ts)}')
    if target._dtype not in (_dt.int64, _dt.uint8):
        raise RuntimeError(f'expected target dtype to be Long or Byte, but got '
                           f'{dtype_title(target._dtype)}')
    cd = 1 if nd >= 2 else 0
    c = input.shape[cd]
    if weight is not None and weight.numel() != c:
        raise RuntimeError(f'weight tensor should be defined either for all {c} classes or no '
                           f'classes but got weight tensor of shape: {list(weight.shape)}')
    return cd


# Note [Cross-entropy from the shifted exponentials]: for (N, C) logits, ``cross_entropy``
# never forms the log-probabilities ``s - log(S)`` (``s = x - max``, ``S = sum(exp(s))``): the
# loss reads ``s`` at the targets only, and the node keeps ``exp(s)`` and ``1 / S``, whose
# product is the softmax its gradient needs, instead of recomputing ``exp`` of the
# log-probabilities; the shift and exp run in row blocks that stay in the cache
# (``_shifted_exp``). On (2048, 256) float32 (the GPT workload's head) forward + backward
# 1.29 -> 0.88 ms (min of alternating runs).
# Note [Label smoothing in the fused cross-entropy]: PyTorch's cross-entropy with label
# smoothing ``eps`` over C classes is ``(1 - eps) * nll + ret * (eps / C)``, ``ret`` the sum of
# ``-log_softmax`` over the classes of each sample (0 where the target is ignored), reduced as
# the NLL is. On (N, C) logits without class weights flambeau computes ``ret`` from the parts
# of the fused log-softmax (``C log(S) - sum(s)`` per row: one BLAS row sum, no second
# log-softmax) and records one node, named as PyTorch's last (``AddBackward0``), whose
# gradient is ``coef * (softmax - (1 - eps) onehot - eps / C)``. (256, 1000) float32,
# forward + backward (alternating, min): 1.43 -> 0.61-0.66 ms (PyTorch ~0.62 in the same
# process; without smoothing both ~0.52).
def _smoothed(nll, shifted, mask, reduction, total, eps):
    """``(1 - eps) * nll + ret * (eps / C)`` (Note [Label smoothing in the fused
    cross-entropy]), ``nll`` the reduced NLL of the rows' log-softmax parts ``shifted``."""
    s, _, S = shifted
    c = s.shape[1]
    xp = xp_of_array(s)
    ret = xp.log(S[:, 0]) * s.dtype.type(c) - _sum_kept(s, (1,))[:, 0]
    if mask is not None:
        ret = ret * mask
    if reduction == 'sum':
        ret = ret.sum()
    elif reduction == 'mean':
        with np.errstate(invalid='ignore', divide='ignore'):
            ret = ret.sum() / total
    return nll * s.dtype.type(1 - eps) + ret * s.dtype.type(eps / c)


def _nll(input, logp, target, weight, ignore_index, reduction, cd, fused, shifted=None,
         smooth=0.0):
    """The NLL loss of log-probabilities ``logp`` (an array in the compute precision), recorded
    on ``input`` (the logits when ``fused``); or, for (N, C) logits, from ``shifted``, the
    parts ``(s, exp(s), S)`` of their log-softmax ``s - log(S)`` (Note [Cross-entropy from
    the shifted exponentials]), with label smoothing ``smooth`` (no class weights; Note [Label
    smoothing in the fused cross-entropy])."""
    xp = xp_of(input)
    t = target._data
    if input._data.ndim == 1 and t.ndim == 1:
        t = t.reshape(())
    if shifted is not None:
        logp = shifted[0]  # (its shape and dtype)
    c = logp.shape[cd]
    t = t.astype(np.int64, copy=False)
    if t.size and 0 <= t.min() and t.max() < c and not 0 <= ignore_index < c:
        mask, tt = None, t  # the common case: every target valid, none ignored
    else:
        mask = t != ignore_index
        bad = mask & ((t < 0) | (t >= c))
        if bad.any():
            raise IndexError(f'Target {int(t[bad].ravel()[0])} is out of bounds.')
        tt = xp.where(mask, t, 0)
    if logp.ndim == 2 and logp.size:  # (N, C): plain fancy indexing is the cheapest gather
        idx = (xp.arange(t.shape[0]), tt)
        picked = logp[idx]
        if shifted is not None:
            picked -= xp.log(shifted[2][:, 0])
    else:
        idx = xp.expand_dims(tt, cd)
        picked = xp.take_along_axis(logp, idx, cd).squeeze(cd) if logp.size else \
            xp.zeros(t.shape, logp.dtype)
    if weight is None:
        coef = xp.ones(t.shape, logp.dtype) if mask is None else mask.astype(logp.dtype)
    else:
        coef = weight._data.astype(logp.dtype)[tt]
        if mask is not None:
            coef = coef * mask
    losses = -picked * coef
    if reduction == 'none':
        res = losses
    elif reduction == 'sum':
        res = losses.sum()
    else:
        total = coef.sum()
        with np.errstate(invalid='ignore', divide='ignore'):
            res = losses.sum() / total
            coef = coef / total
            if not total and mask is not None:  # ignored targets get no gradient even then
                coef = xp.where(mask, coef, coef.dtype.type(0))  # (PyTorch's zeros, not NaN)
    if smooth:
        res = _smoothed(res, shifted, mask, reduction, total if reduction == 'mean' else None,
                        smooth)
    dt = input._dtype
    r = make(fix_dtype(xp.asarray(res), dt), dt, input._device)
    if state.enabled and input._requires_grad:
        node = _SmoothedNllBackward() if smooth else \
            NllLoss2DBackward0() if input._data.ndim > 2 else NllLossBackward0()
        node.smooth = smooth
        node.cd, node.idx, node.coef, node.reduction = cd, idx, coef, reduction
        node.logp = logp if fused and shifted is None else None
        node.soft = None if shifted is None else (shifted[1], 1 / shifted[2])
        node.save(input)
        record(node, r, input)
        if reduction == 'none' and input._data.ndim not in (2, 4) and input._data.ndim > 2:
            r = r.view(r.shape)  # PyTorch runs the 2-d kernel on a 4-d view, then views back
    return r


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction='mean'):
    """The negative log-likelihood loss: ``-weight[c] * input[n, c]`` for each sample's target
    class ``c``, with ``input`` log-probabilities of shape ``(C)``, ``(N, C)`` or
    ``(N, C, d1, ...)`` and ``target`` class indices of shape ``()``, ``(N)`` or
    ``(N, d1, ...)``. Targets equal to ``ignore_index`` contribute nothing; ``'mean'`` divides
    by the total weight of the other targets.

    Example::

        >>> F.nll_loss(flambeau.tensor([[-0.5, -1.0], [-2.0, -0.1]]), flambeau.tensor([0, 1]))
        tensor(0.3000)
    """
    reduction = _reduction(reduction, size_average, reduce)
    cd = _nll_check(input, target, weight)
    dt = input._dtype
    if not dt.is_floating_point:
        raise not_implemented('nll_loss_out_frame', dt)
    x = input._data
    return _nll(input, x.astype(np.float32) if x.dtype.itemsize == 2 else x, target, weight,
                ignore_index, reduction, cd, False)


class _DivScalar(Node):
    """``loss / n`` for a number ``n`` (PyTorch's ``DivBackward1``)."""
    __slots__ = ('n',)

    def name(self):
        return 'DivBackward1'

    def backward(self, g):
        return g / self.n


def _div_scalar(t, n):
    r = make(fix_dtype(t._data / n, t._dtype), t._dtype, t._device)
    if state.enabled and t._requires_grad:
        node = _DivScalar()
        node.n = n
        record(node, r, t)
    return r


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction='mean', label_smoothing=0.0):
    """The cross-entropy between ``softmax(input)`` over the class dimension (1, or 0 for a
    1-d input) and ``target``: class indices (as :func:`nll_loss`, fused with the
    log-softmax) or class probabilities of ``input``'s shape. ``label_smoothing`` in [0, 1]
    mixes the target with the uniform distribution.

    Example::

        >>> F.cross_entropy(flambeau.tensor([[2., 0.], [0., 2.]]), flambeau.tensor([0, 1]))
        tensor(0.1269)
    """
    reduction = _reduction(reduction, size_average, reduce)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f'label_smoothing must be between 0.0 and 1.0. Got: '
                           f'{label_smoothing:g}')
    nd = input._data.ndim
    cd = 1 if nd >= 2 else 0
    if target._dtype.is_floating_point and target.shape == input.shape:
        return _cross_entropy_probs(input, target, weight, reduction, label_smoothing, cd)
    cd = _nll_check(input, target, weight)
    input, d, x = _softmax_input(input, cd, None, 'log_softmax')
    if x is None:  # an empty integer input: nll_loss's dtype error
        raise not_implemented('nll_loss_out_frame', input._dtype)
    xp = xp_of(input)
    if x.ndim == 2 and x.size:  # (N, C) (Note [Cross-entropy from the shifted exponentials])
        shifted = _shifted_exp(x, 1, xp)
        if label_smoothing > 0 and weight is None:
            return _nll(input, None, target, weight, ignore_index, reduction, cd, True, shifted,
                        label_smoothing)
        loss = _nll(input, None, target, weight, ignore_index, reduction, cd, True, shifted)
    else:
        loss = _nll(input, _log_softmax_array(x, cd, xp), target, weight, ignore_index,
                    reduction, cd, True)
    if label_smoothing > 0:
        loss = _smoothing(input, target, weight, ignore_index, reduction, label_smoothing, cd,
                          loss)
    return loss


def _smoothing(input, target, weight, ignore_index, reduction, eps, cd, nll):
    logp = log_softmax(input, cd)
    c = input.shape[cd]
    if weight is not None:
        shape = [1] * input.ndim
        shape[cd] = c
        smooth = -(logp * weight.view(shape)).sum(cd)
    else:
        smooth = -logp.sum(cd)
    ignore = target == ignore_index
    smooth = smooth.masked_fill(ignore, 0.0)
    if reduction == 'mean':
        if weight is not None:
            ret = smooth.sum() / weight.gather(0, target.masked_select(~ignore).flatten()).sum()
        else:
            ret = smooth.sum() / (~ignore).sum()
    elif reduction == 'sum':
        ret = smooth.sum()
    else:
        ret = smooth
    return (1 - eps) * nll + ret * (eps / c)


def _cross_entropy_probs(input, target, weight, reduction, eps, cd):
    logp = log_softmax(input, cd)
    c = input.shape[cd]
    if eps > 0:
        target = target * (1 - eps) + eps / c
    if weight is not None:
        if weight.numel() != c:
            raise RuntimeError(f'weight tensor should be defined either for all {c} classes or '
                               f'no classes but got weight tensor of shape: '
                               f'{list(weight.shape)}')
        shape = [1] * input.ndim
        shape[cd] = c
        logp = logp * weight.view(shape)
    prod = logp * target
    if reduction == 'mean':
        n = input.numel() // c if c else 0
        return _div_scalar(-prod.sum(), n)
    if reduction == 'sum':
        return -prod.sum()
    return -prod.sum(cd)


# -- composed losses (their graph is that of their ops, as in PyTorch) ---------------------------
def kl_div(input, target, size_average=None, reduce=None, reduction='mean', log_target=False):
    """The Kullback-Leibler divergence ``target * (log(target) - input)`` of log-probabilities
    ``input`` from ``target`` (probabilities, or log-probabilities with ``log_target=True``).
    ``reduction='batchmean'`` divides the sum by the batch size (the mathematical KL
    divergence); ``'mean'`` divides by the number of elements, with a warning.

    Example::

        >>> F.kl_div(flambeau.tensor([-1., -1.]), flambeau.tensor([0.5, 0.5]),
        ...          reduction='sum')
        tensor(0.3069)
    """
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce)
    elif reduction == 'mean':
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                      "support size.'batchmean' divides only by the batch size, and aligns with "
                      "the KL div math definition.'mean' will be changed to behave the same as "
                      "'batchmean' in the next major release.", stacklevel=2)
    if reduction not in _REDUCTIONS and reduction != 'batchmean':
        raise ValueError(f'{reduction} is not a valid value for reduction')
    if not (input._dtype.is_floating_point and target._dtype.is_floating_point):
        raise RuntimeError('kl_div: Integral inputs not supported.')
    if log_target:
        loss = exp(target) * (target - input)
    else:
        loss = target.xlogy(target) - target * input
    if reduction == 'batchmean':
        out = loss.sum()
        return out / input.shape[0] if input.ndim else out
    return _reduce(loss, reduction)


def cosine_embedding_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None,
                          reduction='mean'):
    """``1 - cos(x1, x2)`` where ``target == 1`` and ``max(0, cos(x1, x2) - margin)`` where
    ``target == -1`` (the cosine over the last dimension).

    Example::

        >>> F.cosine_embedding_loss(flambeau.tensor([[1., 0.]]), flambeau.tensor([[0., 1.]]),
        ...                         flambeau.tensor([1]))
        tensor(1.)
    """
    reduction = _reduction(reduction, size_average, reduce)
    td = target.ndim
    s1, s2 = list(input1.shape), list(input2.shape)
    if td == 1:
        if input1.ndim != 2 or input2.ndim != 2:
            raise RuntimeError(f'1D target tensor expects 2D input tensors, but found inputs with '
                               f'sizes {s1} and {s2}.')
    elif td == 0:
        if input1.ndim != 1 or input2.ndim != 1:
            raise RuntimeError(f'0D target tensor expects 1D input tensors, but found inputs with '
                               f'sizes {s1} and {s2}.')
    else:
        raise RuntimeError('0D or 1D target tensor expected, multi-target not supported')
    prod_sum = (input1 * input2).sum(td)
    mag1 = (input1 * input1).sum(td) + 1e-12
    mag2 = (input2 * input2).sum(td) + 1e-12
    cos = prod_sum / (mag1 * mag2).sqrt()
    zeros = cos.new_zeros(cos.shape)
    pos = 1 - cos
    neg = (cos - margin).clamp_min(0)
    out = where(target == 1, pos, zeros) + where(target == -1, neg, zeros)
    return _reduce(out, reduction)


def margin_ranking_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None,
                        reduction='mean'):
    """``max(0, -target * (input1 - input2) + margin)``: ``target == 1`` asks ``input1`` to rank
    above ``input2`` by ``margin``, ``-1`` below.

    Example::

        >>> F.margin_ranking_loss(flambeau.tensor([1., 2.]), flambeau.tensor([2., 1.]),
        ...                       flambeau.tensor([1., 1.]))
        tensor(0.5000)
    """
    reduction = _reduction(reduction, size_average, reduce)
    if input1.ndim != input2.ndim or input1.ndim != target.ndim:
        raise RuntimeError(f'margin_ranking_loss : All input tensors should have same dimension '
                           f'but got sizes: input1: {input1.size()}, input2: {input2.size()}, '
                           f'target: {target.size()} ')
    return _reduce((-target * (input1 - input2) + margin).clamp_min(0), reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None,
                         reduction='mean'):
    """``input`` where ``target == 1`` and ``max(0, margin - input)`` where ``target == -1``
    (``input`` typically a distance).

    Example::

        >>> F.hinge_embedding_loss(flambeau.tensor([0.3, 0.4]), flambeau.tensor([1., -1.]))
        tensor(0.4500)
    """
    reduction = _reduction(reduction, size_average, reduce)
    if reduction == 'mean' and not input._dtype.is_floating_point:
        _reduce(input, reduction)  # PyTorch's error for an integer mean
    zeros = input.new_zeros(input.shape)
    margin_clamp = (margin - input).clamp_min(0)
    out = where(target != 1, margin_clamp, zeros) + where(target != -1, input, zeros)
    return _reduce(out, reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction='mean'):
    """``max(d(a, p) - d(a, n) + margin, 0)`` with ``d`` the pairwise ``p``-norm distance;
    ``swap=True`` uses ``min(d(a, n), d(p, n))`` as the negative distance.

    Example::

        >>> a = flambeau.tensor([[0., 0.]])
        >>> F.triplet_margin_loss(a, flambeau.tensor([[0., 1.]]), flambeau.tensor([[0., 3.]]))
        tensor(0.)
    """
    reduction = _reduction(reduction, size_average, reduce)
    a, pd, nd = anchor.ndim, positive.ndim, negative.ndim
    if not (a == pd == nd):
        raise RuntimeError(f'The anchor, positive, and negative tensors are expected to have the '
                           f'same number of dimensions, but got: anchor {a}D, positive {pd}D, and '
                           f'negative {nd}D inputs')
    if margin <= 0:
        raise ValueError(f'triplet_margin_loss: expected margin to be greater than 0, got '
                         f'{margin} instead')
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = d_neg.minimum(pairwise_distance(positive, negative, p, eps))
    return _reduce((d_pos - d_neg + margin).clamp_min(0), reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction='mean'):
    """The negative log-likelihood of ``target`` under a Poisson distribution of rate
    ``exp(input)`` (``log_input=True``) or ``input``: ``exp(input) - target * input``, or
    ``input - target * log(input + eps)``; ``full`` adds the Stirling term.

    Example::

        >>> F.poisson_nll_loss(flambeau.tensor([0., 1.]), flambeau.tensor([1., 2.]))
        tensor(0.8591)
    """
    reduction = _reduction(reduction, size_average, reduce)
    if log_input:
        loss = exp(input) - target * input
    else:
        loss = input - target * log(input + eps)
    if full:
        stirling = target * log(target) - target + log(2 * math.pi * target) * 0.5
        loss = loss + stirling.masked_fill(target <= 1, 0)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction='mean'):
    """The negative log-likelihood ``0.5 * (log(var) + (input - target) ** 2 / var)`` of
    ``target`` under a Gaussian of mean ``input`` and variance ``var`` (one per element, one
    per sample with the last dimension left out or of size 1, or a number), clamped at
    ``eps``; ``full`` adds ``0.5 * log(2 * pi)``.

    Example::

        >>> F.gaussian_nll_loss(flambeau.tensor([0., 1.]), flambeau.tensor([1., 1.]),
        ...                     flambeau.tensor([1., 1.]))
        tensor(0.2500)
    """
    if isinstance(var, float):
        if var < 0:
            raise ValueError('var has negative entry/entries')
        var = var * input.new_ones(input.shape)
    elif bool((var < 0).any()):
        raise ValueError('var has negative entry/entries')
    if var.shape != input.shape:
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif input.ndim == var.ndim and \
                sum(y for x, y in zip(input.shape, var.shape) if x != y) == 1:
            pass
        else:
            raise ValueError('var is of incorrect size')
    if reduction not in _REDUCTIONS:
        raise ValueError(reduction + ' is not valid')
    var = var.clone()
    with no_grad():
        var.clamp_(min=eps)
    loss = (log(var) + (input - target) ** 2 / var) * 0.5
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction='mean'):
    """The mean over classes of the binary logistic losses
    ``-(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))``, ``weight`` scaling
    each class.

    Example::

        >>> F.multilabel_soft_margin_loss(flambeau.tensor([[2., -1.]]), flambeau.tensor([[1., 0.]]))
        tensor(0.2201)
    """
    reduction = _reduction(reduction, size_average, reduce)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    cd = input.ndim - 1
    loss = loss.sum(cd) / input.shape[cd]
    return _reduce(loss, reduction)


# -- margin losses over classes (nodes of their own) -------------------------------------------
class MultiMarginLossBackward0(Node):
    """For ``z_j = margin - x[y] + x[j]`` (``j != y``, ``z_j > 0``): ``p * z_j ** (p - 1) *
    w[y] / C`` at ``j``, minus their sum at ``y``; times the upstream gradient."""
    __slots__ = ('target', 'p', 'margin', 'weight', 'reduction')

    def backward(self, g):
        x, = self.saved_tensors
        xp = xp_of(x)
        x2 = x if x.ndim == 2 else x.reshape(1, -1)
        t = self.target
        c = x2.shape[1]
        idx = make(t.reshape(-1, 1), _dt.int64, x._device)
        z = x2 - x2.gather(1, idx) + self.margin
        other = xp.ones(x2._data.shape, bool)
        if other.size:
            xp.put_along_axis(other, t.reshape(-1, 1), False, 1)
        onehot = make(~other, _dt.bool, x._device)
        active = (make(other, _dt.bool, x._device) & (z > 0)).to(x._dtype)
        term = active * z * 2 if self.p == 2 else active
        if self.weight is not None:
            term = term * self.weight.gather(0, make(t.reshape(-1), _dt.int64, x._device)) \
                .unsqueeze(1)
        term = term / c
        grad = term - where(onehot, term.sum(1, keepdim=True), 0.)
        if self.reduction == 'none':
            gg = g.reshape(-1, 1)
        elif self.reduction == 'mean':
            gg = g / x2.shape[0]
        else:
            gg = g
        return (grad * gg).reshape(x.shape)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None,
                      reduce=None, reduction='mean'):
    """The multi-class hinge loss ``sum_{j != y} max(0, margin - x[y] + x[j]) ** p / C`` per
    sample (``p`` of 1 or 2), ``weight[y]`` scaling each sample's term.

    Example::

        >>> F.multi_margin_loss(flambeau.tensor([[0.1, 0.2, 0.4, 0.8]]), flambeau.tensor([3]))
        tensor(0.3250)
    """
    reduction = _reduction(reduction, size_average, reduce)
    if p not in (1, 2):
        raise ValueError('only p == 1 and p == 2 supported')
    nd = input.ndim
    x = input._data
    if not (nd == 0 or nd <= 2 and x.shape[-1] != 0):
        raise RuntimeError(f'Expected non-empty vector or matrix with optional 0-dim batch size, '
                           f'but got: {list(input.shape)}')
    c = x.shape[-1] if nd else 1
    n = x.shape[0] if nd == 2 else 1
    t = target._data
    if target.ndim > 1 or t.size != n:
        raise RuntimeError(f'multi_margin_loss: target tensor should be 1-D with size equal to '
                           f'the number of input samples (batch size). Expected target size '
                           f'[{n}], but got {list(target.shape)}. Input has shape '
                           f'{list(input.shape)}.')
    if weight is not None and (weight.ndim > 1 or weight.numel() != c):
        raise RuntimeError(f'inconsistent weight size, expected {c} but got '
                           f'{list(weight.shape)}')
    dt = input._dtype
    if not dt.is_floating_point or dt.itemsize == 2:
        raise not_implemented('multi_margin_loss_cpu_kernel', dt)
    t = t.reshape(-1).astype(np.int64)
    if t.size and ((t < 0) | (t >= c)).any():
        raise RuntimeError('target out of range')
    xp = xp_of(input)
    x2 = x.reshape(n, c)
    x2 = x2.astype(np.float32) if x2.dtype.itemsize == 2 else x2
    picked = xp.take_along_axis(x2, t.reshape(-1, 1), 1)
    z = xp.maximum(margin - picked + x2, 0)
    if p == 2:
        z = z * z
    xp.put_along_axis(z, t.reshape(-1, 1), 0, 1)
    if weight is not None:
        z = z * weight._data[t].reshape(-1, 1)
    losses = z.sum(1) / c
    if reduction == 'none':
        res = losses if nd == 2 else losses.reshape(target.shape if nd else ())
    elif reduction == 'sum':
        res = losses.sum()
    else:
        res = losses.mean() if losses.size else xp.asarray(np.nan, losses.dtype)
    r = make(fix_dtype(xp.asarray(res), dt), dt, input._device)
    if state.enabled and input._requires_grad:
        node = MultiMarginLossBackward0()
        node.target, node.p, node.margin, node.weight, node.reduction = \
            t, p, margin, weight, reduction
        node.save(input)
        record(node, r, input)
    return r


class MultilabelMarginLossBackward0(Node):
    """For each target class ``j`` and non-target class ``k`` with ``1 - x[j] + x[k] > 0``:
    ``+1/C`` at ``k`` and ``-1/C`` at ``j``; times the upstream gradient."""
    __slots__ = ('coef', 'reduction')

    def backward(self, g):
        x, = self.saved_tensors
        c = make(self.coef.astype(x._data.dtype), x._dtype, x._device)
        if self.reduction == 'none':
            gg = g.reshape(-1, 1) if x.ndim == 2 else g
        elif self.reduction == 'mean':
            gg = g / (x.shape[0] if x.ndim == 2 else 1)
        else:
            gg = g
        return c * gg


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction='mean'):
    """The multi-label hinge loss ``sum_{j in y, k not in y} max(0, 1 - (x[j] - x[k])) / C``
    per sample, with ``target`` holding the target classes of each sample, ended by the first
    ``-1``.

    Example::

        >>> F.multilabel_margin_loss(flambeau.tensor([[0.1, 0.2, 0.4, 0.8]]),
        ...                          flambeau.tensor([[3, 0, -1, 1]]))
        tensor(0.8500)
    """
    reduction = _reduction(reduction, size_average, reduce)
    nd = input.ndim
    if nd > 2 or (nd == 2 and input.shape[1] == 0):
        raise RuntimeError(f'Expected non-empty vector or matrix with optional 0-dim batch size, '
                           f'but got: {list(input.shape)}')
    if target.shape != input.shape:
        raise RuntimeError(f'inconsistent target size: {list(target.shape)} for input of size: '
                           f'{list(input.shape)}')
    dt = input._dtype
    if not dt.is_floating_point or dt.itemsize == 2:
        raise not_implemented('multilabel_margin_loss_forward_out_frame', dt)
    xp = xp_of(input)
    c = input.shape[-1] if nd else 1
    x = input._data.reshape(-1, c)
    x = x.astype(np.float32) if x.dtype.itemsize == 2 else x
    t = target._data.reshape(-1, c).astype(np.int64)
    n = x.shape[0]
    if t.size and ((t < -1) | (t >= c)).any():
        raise RuntimeError('multilabel-margin-loss: target out of range')
    # the target classes of each sample: its entries before the first -1 (a class listed twice
    # counts twice, as in PyTorch)
    valid = xp.cumprod(t >= 0, axis=1).astype(bool)
    count = xp.zeros((n, c), x.dtype)
    rows = xp.nonzero(valid)
    xp.add.at(count, (rows[0], t[rows]), 1)
    # z[n, j, k] = 1 - x[j] + x[k] for target j, non-target k
    z = 1 - x[:, :, None] + x[:, None, :]
    pair = count[:, :, None] * ((count[:, None, :] == 0) & (z > 0))
    losses = (pair * z).sum(axis=(1, 2)) / c
    if reduction == 'none':
        res = losses if nd == 2 else losses.reshape(())
    elif reduction == 'sum':
        res = losses.sum()
    else:
        res = losses.mean() if n else xp.asarray(np.nan, losses.dtype)
    r = make(fix_dtype(xp.asarray(res), dt), dt, input._device)
    if state.enabled and input._requires_grad:
        coef = (pair.sum(axis=1) - pair.sum(axis=2)) / c
        node = MultilabelMarginLossBackward0()
        node.coef, node.reduction = coef.reshape(input.shape), reduction
        node.save(input)
        record(node, r, input)
    return r


# Tensor methods: {name: function}; INPLACE: {name_: out-of-place function}.
METHODS = {}
INPLACE = {}
