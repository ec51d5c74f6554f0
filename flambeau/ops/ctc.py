"""The Connectionist Temporal Classification loss (``ctc_loss``): the forward (alpha) recursion
and its derivative (from the backward, beta, recursion) side by side.

Note [CTC recursions]: a target ``l`` of length ``S`` is extended to ``l'`` of length
``2S + 1`` with a blank before, between and after its labels. ``alpha[t, s]`` is the log
probability of all alignments of the first ``t + 1`` frames that end in state ``s`` of
``l'``; a state is reached from itself, from the state before, or from two states before when
that one holds a different label (so that repeated labels need a blank in between). Both
recursions are one loop over time, each step vectorised over the batch and the extended
states (states past a sample's own ``2S + 1`` are never read). The gradient is PyTorch's
``ctc_loss_backward`` formula: ``exp(log_probs) - occupancy`` for the frames within each
input length (zero after), where ``occupancy[t, c]`` is the posterior mass of the states of
label ``c`` at frame ``t``, ``exp(alpha + beta - log_probs + nll)`` summed over those states.
Through a ``log_softmax`` the ``exp(log_probs)`` term cancels out and the result is the true
gradient of the logits; w.r.t. ``log_probs`` themselves it is PyTorch's convention, not the
derivative. Like PyTorch, there is no double backward.

PyTorch's ``torch.ctc_loss`` takes ``reduction`` as an enum int (0 none, 1 mean, 2 sum) where
``torch.nn.functional.ctc_loss`` takes a string; both names are this one function, which takes
either.
"""
__all__ = ['ctc_loss']
import warnings

import numpy as np

from .. import dtypes as _dt
from ._common import Node, Tensor, make, not_implemented, record, state, xp_of
from .pointwise import where

FUNCTIONAL = ['ctc_loss']
METHODS = {}
INPLACE = {}

_NEG_INF = float('-inf')
_INF = float('inf')
_ENUMS = {'none': 0, 'mean': 1, 'sum': 2}
_CHECKING = ' (while checking arguments for ctc_loss_allocate_outputs)'
_SIGNATURES = (
    ('Tensor log_probs', 'Tensor targets', 'tuple of ints input_lengths',
     'tuple of ints target_lengths', 'int blank = 0', 'int reduction = at::Reduction::Mean',
     'bool zero_infinity = False'),
    ('Tensor log_probs', 'Tensor targets', 'Tensor input_lengths', 'Tensor target_lengths',
     'int blank = 0', 'int reduction = at::Reduction::Mean', 'bool zero_infinity = False'))


# -- arguments -----------------------------------------------------------------------------------
def _is_int(v):
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def _int_list(v):
    """``v`` as a list of ints when it is a tuple/list of ints (or of one-element integer
    tensors), else None."""
    if not isinstance(v, (tuple, list)):
        return None
    out = []
    for x in v:
        if _is_int(x):
            out.append(int(x))
        elif (isinstance(x, Tensor) and x.numel() == 1 and not x._dtype.is_floating_point
              and x._dtype is not _dt.bool):
            out.append(int(x.item()))
        else:
            return None
    return out


def _type_desc(v, inner):
    if isinstance(v, Tensor):
        return 'Tensor'
    if inner and isinstance(v, tuple):
        return 'tuple of (' + ', '.join(_type_desc(x, False) for x in v) + ')'
    if inner and isinstance(v, list):
        return 'list of [' + ', '.join(_type_desc(x, False) for x in v) + ']'
    return type(v).__name__


def _arg_error(args):
    """PyTorch's TypeError for arguments that match neither overload of ``ctc_loss``."""
    got = ', '.join(_type_desc(a, False) for a in args)
    lines = [f'ctc_loss() received an invalid combination of arguments - got ({got}), but '
             f'expected one of:']
    for sig in _SIGNATURES:
        marks = []
        ok = True
        for a, p in zip(args, sig):
            # PyTorch marks every argument from the first mismatch on, and always counts an
            # int list as a mismatch here
            ok = ok and p.startswith('Tensor') and isinstance(a, Tensor)
            d = _type_desc(a, True)
            marks.append(d if ok else f'!{d}!')
        lines.append(f" * ({', '.join(sig)})")
        lines.append("      didn't match because some of the arguments have invalid types: "
                     f"({', '.join(marks)})")
    return TypeError('\n'.join(lines) + '\n')


def _reduction_enum(reduction):
    if isinstance(reduction, str):
        if reduction == 'elementwise_mean':
            warnings.warn("reduction='elementwise_mean' is deprecated. Please use "
                          "reduction='mean' instead.", stacklevel=3)
            return 1
        if reduction not in _ENUMS:
            raise ValueError(f'{reduction} is not a valid value for reduction')
        return _ENUMS[reduction]
    return reduction


def _lengths(input_lengths, target_lengths, args):
    """Both length arguments as lists of ints (tuples/lists, or integer tensors)."""
    if isinstance(input_lengths, Tensor) and isinstance(target_lengths, Tensor):
        for name, t in (('input_lengths', input_lengths), ('target_lengths', target_lengths)):
            if t._dtype.is_floating_point or t._dtype is _dt.bool:
                raise RuntimeError(f'{name} must be integral')
        return ([int(v) for v in input_lengths._data.ravel().tolist()],
                [int(v) for v in target_lengths._data.ravel().tolist()])
    il, tl = _int_list(input_lengths), _int_list(target_lengths)
    if il is None or tl is None:
        raise _arg_error(args)
    return il, tl


def _check(lp, targets, il, tl, blank):
    """PyTorch's checks of ``_ctc_loss`` in its order; returns the (N, S) labels (padded
    with ``blank``) as an int64 array."""
    if lp._dtype not in (_dt.float32, _dt.float64):
        raise not_implemented('ctc_loss_cpu', lp._dtype)
    if lp._data.size == 0:
        raise RuntimeError('log_probs tensor must not be empty')
    if lp._data.ndim != 3:
        raise RuntimeError(f'Expected 3-dimensional tensor, but got {lp._data.ndim}-dimensional '
                           f"tensor for argument #1 'log_probs'{_CHECKING}")
    tnd = targets._data.ndim
    if not 1 <= tnd <= 2:
        raise RuntimeError(f'Expected 1 to 2 dimensions, but got {tnd}-dimensional tensor for '
                           f"argument #2 'targets'{_CHECKING}")
    T, N, C = lp._data.shape
    if not 0 <= blank < C:
        raise RuntimeError('blank must be in label range')
    if len(il) != N:
        raise RuntimeError('input_lengths must be of size batch_size')
    if len(tl) != N:
        raise RuntimeError('target_lengths must be of size batch_size')
    for v in tl:
        if v < 0:
            raise RuntimeError(f'Expected target_lengths to have value at least 0, but got value '
                               f'{v}{_CHECKING}')
    tshape = targets._data.shape
    want = sum(tl) if tnd == 1 else N
    if tshape[0] != want:
        raise RuntimeError(f'Expected tensor to have size {want} at dimension 0, but got size '
                           f"{tshape[0]} for argument #2 'targets'{_CHECKING}")
    S = max(tl) if N else 0
    if tnd == 2 and tshape[1] < S:
        raise RuntimeError(f'Expected tensor to have size at least {S} at dimension 1, but got '
                           f"size {tshape[1]} for argument #2 'targets'{_CHECKING}")
    for v in il:
        if v < 0:
            raise RuntimeError(f'Expected input_lengths to have value at least 0, but got value '
                               f'{v}{_CHECKING}')
        if v > T:
            raise RuntimeError(f'Expected input_lengths to have value at most {T}, but got value '
                               f'{v}{_CHECKING}')
    xp = xp_of(lp)
    t = targets._data
    if t.dtype.kind == 'c':
        t = t.real
    t = t.astype(np.int64, copy=False)
    keep = np.arange(S)[None, :] < np.asarray(tl, np.int64)[:, None]  # (N, S): real labels
    if tnd == 1:
        if S:
            starts = np.cumsum(tl) - np.asarray(tl)
            pos = np.minimum(starts[:, None] + np.arange(S)[None, :], max(t.shape[0] - 1, 0))
            labels = t[xp.asarray(pos)]
        else:
            labels = xp.zeros((N, 0), np.int64)
    else:
        labels = t[:, :S]
    keep = xp.asarray(keep)
    labels = xp.where(keep, labels, blank)
    if labels.size:
        bad = keep & ((labels < 0) | (labels >= C))
        if bad.any():
            raise IndexError(f'Target {int(labels[bad].ravel()[0])} is out of bounds.')
    return labels


# -- forward and backward ------------------------------------------------------------------------
def _alpha(lp, labels, il, tl, blank, xp):
    """The alpha recursion (Note [CTC recursions]) on the (T, N, C) array ``lp``. Returns
    ``nll`` (N,), ``alpha`` (T, N, L + 2: two -inf columns in front), the extended labels
    (N, L), their log probabilities ``lpe`` (T, N, L) and the skip mask (N, L: 0 where the
    state two before may be skipped from, -inf where not)."""
    T, N, _ = lp.shape
    L = 2 * labels.shape[1] + 1
    dt = lp.dtype
    ext = xp.full((N, L), blank, np.int64)
    ext[:, 1::2] = labels
    lpe = lp[:, xp.arange(N)[:, None], ext]
    skip = xp.full((N, L), _NEG_INF, dt)
    if L > 2:
        skip[:, 2:][ext[:, 2:] != ext[:, :-2]] = 0
    A = xp.full((T, N, L + 2), _NEG_INF, dt)
    A[0, :, 2] = lpe[0, :, 0]
    if L > 1:
        A[0, :, 3] = xp.where(xp.asarray(tl) > 0, lpe[0, :, 1], _NEG_INF)
    la = xp.logaddexp
    for t in range(1, T):
        prev, cur = A[t - 1], A[t, :, 2:]
        la(prev[:, 2:], prev[:, 1:L + 1], out=cur)
        la(cur, prev[:, :L] + skip, out=cur)
        cur += lpe[t]
    iln = np.asarray(il, np.int64)
    tln = np.asarray(tl, np.int64)
    n = np.arange(N)
    last = A[xp.asarray(np.maximum(iln - 1, 0)), xp.asarray(n)]  # (N, L + 2)
    l1 = last[xp.asarray(n), xp.asarray(2 * tln + 2)]
    l2 = last[xp.asarray(n), xp.asarray(2 * tln + 1)]  # -inf column when the target is empty
    ll = la(l1, l2)
    if (iln == 0).any():
        ll = xp.where(xp.asarray(iln == 0), xp.where(xp.asarray(tln == 0), 0.0, _NEG_INF)
                      .astype(dt), ll)
    return -ll, A, ext, lpe, skip


def _grad(lp, gout, nll, A, ext, lpe, skip, il, tl, zero_infinity, xp):
    """PyTorch's ``ctc_loss_backward`` (Note [CTC recursions]) as a (T, N, C) array."""
    T, N, C = lp.shape
    L = ext.shape[1]
    dt = lp.dtype
    iln = xp.asarray(np.asarray(il, np.int64))
    tln = xp.asarray(np.asarray(tl, np.int64))
    s = xp.arange(L)[None, :]
    endmask = (s == 2 * tln[:, None]) | ((s == 2 * tln[:, None] - 1) & (tln[:, None] > 0))
    skipb = xp.full((N, L), _NEG_INF, dt)
    if L > 2:
        skipb[:, :-2] = skip[:, 2:]
    B = xp.full((T, N, L + 2), _NEG_INF, dt)  # two -inf columns at the end
    la = xp.logaddexp
    rec = xp.empty((N, L), dt)
    for t in range(T - 1, -1, -1):
        init = xp.where(endmask & (iln == t + 1)[:, None], lpe[t], _NEG_INF)
        if t < T - 1:
            nxt = B[t + 1]
            la(nxt[:, :L], nxt[:, 1:L + 1], out=rec)
            la(rec, nxt[:, 2:] + skipb, out=rec)
            rec += lpe[t]
            B[t, :, :L] = xp.where((iln > t + 1)[:, None], rec, init)
        else:
            B[t, :, :L] = init
    t_in = xp.arange(T)[:, None] < iln[None, :]  # (T, N): frames within the input lengths
    with np.errstate(all='ignore'):
        gam = xp.exp(A[:, :, 2:] + B[:, :, :L] - lpe + nll[None, :, None])
        valid = t_in[:, :, None] & (s <= 2 * tln[:, None])[None]
        gam = xp.where(valid, gam, 0)
        onehot = (ext[:, :, None] == xp.arange(C)[None, None, :]).astype(dt)  # (N, L, C)
        occ = xp.matmul(gam.transpose(1, 0, 2), onehot).transpose(1, 0, 2)  # (T, N, C)
        grad = xp.exp(lp) - occ
        # where PyTorch's log-space formula meets inf - inf: a log-probability of -inf, or
        # an impossible alignment (nll = inf)
        nan = (lp == _NEG_INF) | xp.isinf(nll)[None, :, None]
        grad = xp.where(nan, np.nan, grad)
        grad *= gout[None, :, None]
    keep = t_in
    if zero_infinity:
        keep = keep & ~xp.isinf(nll)[None, :]
    return xp.where(keep[:, :, None], grad, 0).astype(dt, copy=False)


class CtcLossBackward0(Node):
    """The gradient of the per-sample CTC losses w.r.t. the (T, N, C) log-probabilities."""
    __slots__ = ('nll', 'alpha', 'ext', 'lpe', 'skip', 'il', 'tl', 'zero_infinity')

    def backward(self, g):
        lp, = self.saved_tensors
        xp = xp_of(lp)
        grad = _grad(lp._data, g._data.astype(lp._data.dtype, copy=False), self.nll, self.alpha,
                     self.ext, self.lpe, self.skip, self.il, self.tl, self.zero_infinity, xp)
        r = make(grad, lp._dtype, lp._device)
        if state.enabled:  # create_graph: PyTorch has no derivative of ctc_loss_backward
            record(_NotImplemented(), r, g, lp)
        return r

    def release(self):
        Node.release(self)
        self.alpha = self.lpe = None


class _NotImplemented(Node):
    """The ``grad_fn`` of a CTC gradient computed with ``create_graph=True``: PyTorch's
    ``NotImplemented`` node, whose backward raises."""
    __slots__ = ()

    def name(self):
        return 'NotImplemented'

    def backward(self, g):
        raise RuntimeError('derivative for aten::_ctc_loss_backward is not implemented')


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction='mean',
             zero_infinity=False):
    """The Connectionist Temporal Classification loss: the negative log-likelihood of each
    target sequence summed over all its alignments with the input frames.

    ``log_probs``: (T, N, C) or unbatched (T, C) log-probabilities (e.g. from ``log_softmax``)
    of C classes, blank included, over T frames. ``targets``: (N, S) padded or 1-d
    concatenated class indices (not ``blank``). ``input_lengths`` / ``target_lengths``: (N)
    integer tensors or tuples/lists of ints (each input length at most T). ``reduction``:
    ``'none'`` gives the (N) losses (``()`` unbatched), ``'sum'`` their sum, ``'mean'`` (the
    default) the mean of each loss divided by its target length (at least 1); the enum ints
    0 / 1 / 2 of ``torch.ctc_loss`` are accepted too. ``zero_infinity`` sets the infinite
    losses of impossible alignments (and their gradients) to zero.

    Example::

        >>> log_probs = flambeau.randn(50, 16, 20).log_softmax(2).detach().requires_grad_()
        >>> targets = flambeau.randint(1, 20, (16, 30), dtype=flambeau.long)
        >>> input_lengths = flambeau.full((16,), 50, dtype=flambeau.long)
        >>> target_lengths = flambeau.randint(10, 30, (16,), dtype=flambeau.long)
        >>> loss = F.ctc_loss(log_probs, targets, input_lengths, target_lengths)
        >>> loss.backward()
    """
    enum = _reduction_enum(reduction)
    args = (log_probs, targets, input_lengths, target_lengths, blank,
            enum if isinstance(enum, int) else reduction, zero_infinity)
    if (not isinstance(log_probs, Tensor) or not isinstance(targets, Tensor)
            or not _is_int(blank) or not _is_int(enum)
            or not isinstance(zero_infinity, (bool, np.bool_))):
        raise _arg_error(args)
    il, tl = _lengths(input_lengths, target_lengths, args)
    blank = int(blank)
    batched = log_probs.ndim == 3
    lp = log_probs if batched else log_probs.unsqueeze(1)
    labels = _check(lp, targets, il, tl, blank)
    xp = xp_of(lp)
    x = lp._data
    with np.errstate(all='ignore'):
        nll, alpha, ext, lpe, skip = _alpha(x, labels, il, tl, blank, xp)
    dt = lp._dtype
    res = make(nll.astype(x.dtype, copy=False), dt, lp._device)
    if state.enabled and lp._requires_grad:
        node = CtcLossBackward0()
        node.nll, node.alpha, node.ext, node.lpe, node.skip = nll, alpha, ext, lpe, skip
        node.il, node.tl, node.zero_infinity = il, tl, bool(zero_infinity)
        node.save(lp)
        record(node, res, lp)
    if zero_infinity:
        res = where(res == _INF, make(xp.zeros((), x.dtype), dt, lp._device), res)
    if enum == 1:
        lens = make(xp.maximum(xp.asarray(np.asarray(tl, x.dtype)), 1), dt, lp._device)
        return (res / lens).mean()
    if enum == 2:
        return res.sum()
    return res if batched else res.squeeze(0)
