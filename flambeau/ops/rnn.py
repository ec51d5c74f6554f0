"""Recurrent networks as fused ops.

Cells (one time step, one graph node each, backward in Tensor ops so that it is itself
differentiable): ``rnn_tanh_cell``, ``rnn_relu_cell``, ``lstm_cell``, ``gru_cell``.

Layers (what ``nn.RNN``/``nn.LSTM``/``nn.GRU`` call, with PyTorch's signatures of
``torch.rnn_tanh``, ``torch.rnn_relu``, ``torch.lstm``, ``torch.gru``, padded or packed).

Note [fused recurrent layer]: one layer direction is ONE graph node. Its forward does the input
projection of every time step as a single GEMM (``X @ W_ih^T`` over the ``(T*B, in)`` input),
then loops over time on raw arrays (one small GEMM ``h @ W_hh^T`` and a few in-place ufuncs per
step), keeping the gate activations of every step. Its backward is backpropagation through time
on raw arrays: the per-step loop only carries ``dh``/``dc`` back; the weight gradients are then
single GEMMs over all steps (``dG^T @ X``, ``dG^T @ H_prev``). The LSTM gates are reordered
to (i, f, o, g) and the i, f, o rows of the weights halved (exact: a power of two), so that
one ``tanh`` over the whole contiguous gate block, then ``* 0.5 + 0.5``, gives all four:
``sigmoid(x) = tanh(x / 2) / 2 + 1 / 2`` and ``tanh(x) = 2 sigmoid(2x) - 1`` (NumPy's float32
``tanh`` is faster than ``exp`` plus a reciprocal, and ufuncs on a strided part of the block
cost 2-3x more per element than on the whole; gates near 0 or 1 are exact to float32's
absolute, not relative, precision). The block keeps the raw tanh values T and the cell states;
the sigmoid gates (gate-major) and ``tanh(c)`` live in per-step scratch arrays that stay in the
cache, and the backward recomputes them, bit for bit, where it needs them: two small passes on
data it has just read, instead of 6.5 MB more per layer written and read back from memory
(LSTM workload: 0-5% faster in alternating runs, peak memory 96 -> 83 MiB). The backward
takes every gate's derivative as one contiguous ``1 - T^2`` (the sigmoid's 1/4 moved into the
weights it meets). A packed batch runs the same loop with the batch size of each step
(``batch_sizes`` never grows going forward in time, so the rows of a step are a prefix of the
rows of the step before); the plain padded batch is the case where every step has the full
batch. Under ``create_graph`` (double backward) the node's
backward instead recomputes the layer step by step with Tensor ops and differentiates that:
slow, but exact and itself differentiable.
"""
import numpy as np

from .. import dtypes as _dt
from .._blas import gemm_acc
from ..autograd import grad_mode
from ..autograd.node import Node, record
from ..tensor import Tensor
from ._common import dtype_title, not_implemented, rows_op, xp_of
from .creation import zeros_like
from ._common import _sum_over
from .shape import cat, stack

__all__ = ['rnn_tanh_cell', 'rnn_relu_cell', 'lstm_cell', 'gru_cell', 'rnn_tanh', 'rnn_relu',
           'lstm', 'gru']
FUNCTIONAL = []
METHODS = {}
INPLACE = {}

_state = grad_mode.state
_make = Tensor._make
_HALF = (_dt.float16, _dt.bfloat16)


def _arr(t, cdt):
    """``t``'s array in compute dtype ``cdt`` (None stays None)."""
    if t is None:
        return None
    a = t._data
    return a if a.dtype == cdt else a.astype(cdt)


def _compute_dtype(dt):
    """The NumPy dtype the math runs in: float32 for the half types (rounded once at the end,
    as PyTorch's CPU GEMMs accumulate), else ``dt``'s own."""
    return np.dtype(np.float32) if dt in _HALF else np.dtype(dt.numpy)


def _wrap(a, dt, device):
    """A tensor of ``dt`` over array ``a`` (cast if computed in another dtype)."""
    if a is None:
        return None
    if a.dtype != dt.numpy:
        a = a.astype(dt.numpy)
    return _make(a, dt, device)


_C_NAME = {'float64': 'double', 'float32': 'float', 'float16': 'c10::Half',
           'bfloat16': 'c10::BFloat16'}


def _same_dtype(tensors):
    """The common dtype of ``tensors`` (None entries skipped), or PyTorch's error."""
    first = None
    for t in tensors:
        if t is None:
            continue
        if first is None:
            first = t
        elif t._dtype is not first._dtype:
            a, b = sorted((first._dtype, t._dtype), key=lambda d: d.itemsize, reverse=True)
            raise RuntimeError(f'expected m1 and m2 to have the same dtype, but got: '
                               f'{_C_NAME.get(a.name, a.name)} != {_C_NAME.get(b.name, b.name)}')
    return first._dtype


# -- cells ----------------------------------------------------------------------------------
def _check_cell(input, hxs, w_ih, w_hh, chunks):
    """PyTorch's checks of a cell's arguments, in its order and words."""
    if input.dim() < 2:
        raise IndexError(f'Dimension out of range (expected to be in range of '
                         f'[-{max(input.dim(), 1)}, {max(input.dim(), 1) - 1}], but got 1)')
    if input.shape[1] != w_ih.shape[1]:
        raise RuntimeError(f'input has inconsistent input_size: got {input.shape[1]} expected '
                           f'{w_ih.shape[1]}')
    for k, h in enumerate(hxs):
        if input.shape[0] != h.shape[0]:
            raise RuntimeError(f"Input batch size {input.shape[0]} doesn't match hidden{k} "
                               f"batch size {h.shape[0]}")
        if h.shape[1] != w_hh.shape[1]:
            raise RuntimeError(f'hidden{k} has inconsistent hidden_size: got {h.shape[1]}, '
                               f'expected {w_hh.shape[1]}')
    hidden = hxs[-1].shape[1]
    for wname, w in (('weight_ih', w_ih), ('weight_hh', w_hh)):
        if w.shape[0] != chunks * hidden:
            raise RuntimeError(f'{wname} first dim must be {chunks} * hidden_size = '
                               f'{chunks * hidden}, but got {w.shape[0]}')


def _integer_cell(dt, relu, input, hx, w_ih, w_hh, b_ih, b_hh):
    """A cell on integer tensors, as PyTorch computes it: the affine part in the integer
    dtype, then ReLU keeps it, tanh turns it into the default float dtype; the gated cells
    (``lstm``/``gru``, ``relu=None``) cannot write their float gates back."""
    if dt is _dt.bool and input._data.size and w_ih._data.size:
        raise not_implemented('addmm_impl_cpu_', dt)
    if relu is None:
        raise RuntimeError(f"result type Float can't be cast to the desired output type "
                           f"{dtype_title(dt)}")
    if relu and dt is _dt.bool:
        raise RuntimeError('Boolean inputs not supported for relu')
    g = _pre_gates(input._data, w_ih._data, None if b_ih is None else b_ih._data)
    g += _pre_gates(hx._data, w_hh._data, None if b_hh is None else b_hh._data)
    if relu:
        return _make(xp_of(input).maximum(g, 0).astype(dt.numpy), dt, input._device)
    fdt = _dt.get_default_dtype()
    return _make(xp_of(input).tanh(g.astype(fdt.numpy)), fdt, input._device)


def _pre_gates(x, w, b):
    """``x @ w^T + b`` on arrays (``b`` may be None)."""
    g = x @ w.T
    if b is not None:
        if type(g) is np.ndarray:
            rows_op(np.add, g, b, g)  # (Note [Row vectors over short rows])
        else:
            g += b
    return g


def _sigmoid_(a, xp):
    """Sigmoid of ``a`` in place, ``1 / (1 + exp(-a))`` (exp overflows to inf for very
    negative ``a``, which gives the right 0; NumPy's warning about it is silenced)."""
    xp.negative(a, out=a)
    with np.errstate(over='ignore'):
        xp.exp(a, out=a)
    a += 1
    xp.reciprocal(a, out=a)
    return a


def _mm_t(a, w):
    """``a @ w^T`` with Tensor ops (differentiable)."""
    return a.matmul(w.t())


class _CellBackward(Node):
    """Common part of the cell nodes: gradients of ``x``, ``h``, the weights and biases from
    the gradients ``dgi``, ``dgh`` of the input and hidden pre-activations, in Tensor ops."""
    __slots__ = ()

    @staticmethod
    def _linear_grads(nf, x, h, w_ih, w_hh, dgi, dgh):
        gx = dgi.matmul(w_ih) if nf[0][0] is not None else None
        gh = dgh.matmul(w_hh) if nf[1][0] is not None else None
        gwi = dgi.t().matmul(x) if nf[-4][0] is not None else None
        gwh = dgh.t().matmul(h) if nf[-3][0] is not None else None
        gbi = dgi.sum(0) if nf[-2][0] is not None else None
        gbh = dgh.sum(0) if nf[-1][0] is not None else None
        return gx, gh, gwi, gwh, gbi, gbh


class RnnTanhCellBackward(_CellBackward):
    __slots__ = ()

    def name(self):
        return 'TanhBackward0'

    def backward(self, g):
        x, h, w_ih, w_hh = self.saved_tensors
        y = self.saved_output()
        dg = g * (1 - y * y)
        return self._linear_grads(self.next_functions, x, h, w_ih, w_hh, dg, dg)


class RnnReluCellBackward(_CellBackward):
    __slots__ = ()

    def name(self):
        return 'ReluBackward0'

    def backward(self, g):
        x, h, w_ih, w_hh = self.saved_tensors
        y = self.saved_output()
        dg = g * (y > 0).to(g.dtype)
        return self._linear_grads(self.next_functions, x, h, w_ih, w_hh, dg, dg)


def _rnn_cell(input, hx, w_ih, w_hh, b_ih, b_hh, relu):
    _check_cell(input, (hx,), w_ih, w_hh, 1)
    dt = _same_dtype((input, hx, w_ih, w_hh, b_ih, b_hh))
    if not dt.is_floating_point:
        return _integer_cell(dt, relu, input, hx, w_ih, w_hh, b_ih, b_hh)
    cdt = _compute_dtype(dt)
    xp = xp_of(input)
    g = _pre_gates(_arr(input, cdt), _arr(w_ih, cdt), _arr(b_ih, cdt))
    g += _pre_gates(_arr(hx, cdt), _arr(w_hh, cdt), _arr(b_hh, cdt))
    if relu:
        xp.maximum(g, 0, out=g)
    else:
        xp.tanh(g, out=g)
    out = _wrap(g, dt, input._device)
    if _state.enabled and (input._requires_grad or hx._requires_grad or w_ih._requires_grad
                           or w_hh._requires_grad or (b_ih is not None and b_ih._requires_grad)
                           or (b_hh is not None and b_hh._requires_grad)):
        node = RnnReluCellBackward() if relu else RnnTanhCellBackward()
        node.save(input, hx, w_ih, w_hh)
        node.save_output(out)
        record(node, out, input, hx, w_ih, w_hh, b_ih, b_hh)
    return out


def rnn_tanh_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    r"""One step of an Elman RNN with tanh: ``h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)``.

    Shapes: ``input`` ``(B, in)``, ``hx`` ``(B, H)``, ``w_ih`` ``(H, in)``, ``w_hh``
    ``(H, H)``, biases ``(H)`` or None; returns ``(B, H)``.

    Example::

        >>> x, h = flambeau.randn(3, 10), flambeau.randn(3, 20)
        >>> flambeau.rnn_tanh_cell(x, h, flambeau.randn(20, 10), flambeau.randn(20, 20)).shape
        torch.Size([3, 20])
    """
    return _rnn_cell(input, hx, w_ih, w_hh, b_ih, b_hh, False)


def rnn_relu_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    r"""One step of an Elman RNN with ReLU: ``h' = relu(x W_ih^T + b_ih + h W_hh^T + b_hh)``.

    Shapes as :func:`rnn_tanh_cell`.

    Example::

        >>> x, h = flambeau.randn(3, 10), flambeau.randn(3, 20)
        >>> flambeau.rnn_relu_cell(x, h, flambeau.randn(20, 10), flambeau.randn(20, 20)).shape
        torch.Size([3, 20])
    """
    return _rnn_cell(input, hx, w_ih, w_hh, b_ih, b_hh, True)


class _CellStateBackward(Node):
    """Passes the gradient of ``lstm_cell``'s ``c'`` to output 1 of the fused node: ``c'`` gets
    a ``grad_fn`` of its own, named as PyTorch's (``c' = f * c + i * g``)."""
    __slots__ = ()

    def name(self):
        return 'AddBackward0'

    def backward(self, g):
        return g


class LstmCellBackward(_CellBackward):
    """Outputs (h', c'); inputs (x, h, c, w_ih, w_hh, b_ih, b_hh). The gate activations are
    the saved arrays, or recomputed with Tensor ops under ``create_graph`` (so that the double
    backward sees how they depend on the inputs)."""
    __slots__ = ('gates',)
    n_outputs = 2

    def name(self):
        return 'MulBackward0'  # h' = o * tanh(c'), as PyTorch's graph ends

    def backward(self, grads):
        dh, dc = grads
        x, h, c, w_ih, w_hh, b_ih, b_hh = self.saved_tensors
        H = h.shape[1]
        if _state.enabled:
            g = _mm_t(x, w_ih) + _mm_t(h, w_hh)
            if b_ih is not None:
                g = g + b_ih
            if b_hh is not None:
                g = g + b_hh
            i, f, gg, o = g[:, :H].sigmoid(), g[:, H:2 * H].sigmoid(), g[:, 2 * H:3 * H].tanh(), \
                g[:, 3 * H:].sigmoid()
            c2 = f * c + i * gg
        else:
            a, dt, dev = self.gates, h._dtype, h._device
            i, f, gg, o = (_wrap(a[:, k * H:(k + 1) * H], dt, dev) for k in range(4))
            c2 = _wrap(a[:, 4 * H:], dt, dev)
        tc = c2.tanh()
        dct = dc
        if dh is not None:
            t = dh * o * (1 - tc * tc)
            dct = t if dct is None else dct + t
            do = dh * tc * o * (1 - o)
        else:
            do = zeros_like(o)
        di = dct * gg * i * (1 - i)
        df = dct * c * f * (1 - f)
        dgg = dct * i * (1 - gg * gg)
        dg = cat([di, df, dgg, do], 1)
        nf = self.next_functions
        gx = dg.matmul(w_ih) if nf[0][0] is not None else None
        gh = dg.matmul(w_hh) if nf[1][0] is not None else None
        gc = dct * f if nf[2][0] is not None else None
        gwi = dg.t().matmul(x) if nf[3][0] is not None else None
        gwh = dg.t().matmul(h) if nf[4][0] is not None else None
        gb = dg.sum(0) if (nf[5][0] is not None or nf[6][0] is not None) else None
        return gx, gh, gc, gwi, gwh, gb, gb


def lstm_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    r"""One step of an LSTM; ``hx`` is the pair ``(h, c)``; returns ``(h', c')`` with

    ``i, f, g, o = chunks of (x W_ih^T + b_ih + h W_hh^T + b_hh)`` (sigmoid, sigmoid, tanh,
    sigmoid), ``c' = f * c + i * g``, ``h' = o * tanh(c')``.

    Shapes: ``input`` ``(B, in)``, ``h``, ``c`` ``(B, H)``, ``w_ih`` ``(4H, in)``, ``w_hh``
    ``(4H, H)``, biases ``(4H)`` or None.

    Example::

        >>> x, h, c = flambeau.randn(3, 10), flambeau.zeros(3, 20), flambeau.zeros(3, 20)
        >>> h2, c2 = flambeau.lstm_cell(x, (h, c), flambeau.randn(80, 10),
        ...                             flambeau.randn(80, 20))
        >>> h2.shape
        torch.Size([3, 20])
    """
    if len(hx) != 2:
        raise RuntimeError('lstm_cell expects two hidden states')
    h, c = hx
    _check_cell(input, (h, c), w_ih, w_hh, 4)
    dt = _same_dtype((input, h, c, w_ih, w_hh, b_ih, b_hh))
    if not dt.is_floating_point:
        _integer_cell(dt, None, input, h, w_ih, w_hh, b_ih, b_hh)
    cdt = _compute_dtype(dt)
    xp = xp_of(input)
    H = h.shape[1]
    g = _pre_gates(_arr(input, cdt), _arr(w_ih, cdt), _arr(b_ih, cdt))
    g += _pre_gates(_arr(h, cdt), _arr(w_hh, cdt), _arr(b_hh, cdt))
    _sigmoid_(g[:, :2 * H], xp)
    xp.tanh(g[:, 2 * H:3 * H], out=g[:, 2 * H:3 * H])
    _sigmoid_(g[:, 3 * H:], xp)
    c2 = g[:, H:2 * H] * _arr(c, cdt)
    c2 += g[:, :H] * g[:, 2 * H:3 * H]
    h2 = g[:, 3 * H:] * xp.tanh(c2)
    dev = input._device
    hy, cy = _wrap(h2, dt, dev), _wrap(c2, dt, dev)
    ins = (input, h, c, w_ih, w_hh, b_ih, b_hh)
    if _state.enabled and any(t is not None and t._requires_grad for t in ins):
        node = LstmCellBackward()
        node.save(*ins)
        node.gates = xp.concatenate((g, c2), 1)
        record(node, hy, *ins)
        c_edge = _make(c2, dt, dev)
        c_edge.grad_fn, c_edge._requires_grad, c_edge._output_nr = node, True, 1
        record(_CellStateBackward(), cy, c_edge)
    return hy, cy


class GruCellBackward(_CellBackward):
    """Inputs (x, h, w_ih, w_hh, b_ih, b_hh). r, z, n and ``W_hn h + b_hn`` are the saved
    arrays, or recomputed with Tensor ops under ``create_graph``."""
    __slots__ = ('gates',)

    def name(self):
        return 'AddBackward0'  # h' = n + z * (h - n)

    def backward(self, dh):
        x, h, w_ih, w_hh, b_ih, b_hh = self.saved_tensors
        H = h.shape[1]
        if _state.enabled:
            gi, gh = _mm_t(x, w_ih), _mm_t(h, w_hh)
            if b_ih is not None:
                gi = gi + b_ih
            if b_hh is not None:
                gh = gh + b_hh
            r = (gi[:, :H] + gh[:, :H]).sigmoid()
            z = (gi[:, H:2 * H] + gh[:, H:2 * H]).sigmoid()
            ghn = gh[:, 2 * H:]
            n = (gi[:, 2 * H:] + r * ghn).tanh()
        else:
            a, dt, dev = self.gates, h._dtype, h._device
            r, z, n, ghn = (_wrap(a[:, k * H:(k + 1) * H], dt, dev) for k in range(4))
        dn = dh * (1 - z) * (1 - n * n)
        dz = dh * (h - n) * z * (1 - z)
        dr = dn * ghn * r * (1 - r)
        dgi = cat([dr, dz, dn], 1)
        dgh = cat([dr, dz, dn * r], 1)
        nf = self.next_functions
        gx = dgi.matmul(w_ih) if nf[0][0] is not None else None
        gh_ = None
        if nf[1][0] is not None:
            gh_ = dh * z + dgh.matmul(w_hh)
        gwi = dgi.t().matmul(x) if nf[2][0] is not None else None
        gwh = dgh.t().matmul(h) if nf[3][0] is not None else None
        gbi = dgi.sum(0) if nf[4][0] is not None else None
        gbh = dgh.sum(0) if nf[5][0] is not None else None
        return gx, gh_, gwi, gwh, gbi, gbh


def gru_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    r"""One step of a GRU: with ``r, z, n`` the three chunks of the gates,

    ``r = sigmoid(x W_ir^T + b_ir + h W_hr^T + b_hr)``, ``z`` likewise,
    ``n = tanh(x W_in^T + b_in + r * (h W_hn^T + b_hn))``, ``h' = (1 - z) * n + z * h``.

    Shapes: ``input`` ``(B, in)``, ``hx`` ``(B, H)``, ``w_ih`` ``(3H, in)``, ``w_hh``
    ``(3H, H)``, biases ``(3H)`` or None; returns ``(B, H)``.

    Example::

        >>> x, h = flambeau.randn(3, 10), flambeau.zeros(3, 20)
        >>> flambeau.gru_cell(x, h, flambeau.randn(60, 10), flambeau.randn(60, 20)).shape
        torch.Size([3, 20])
    """
    _check_cell(input, (hx,), w_ih, w_hh, 3)
    dt = _same_dtype((input, hx, w_ih, w_hh, b_ih, b_hh))
    if not dt.is_floating_point:
        _integer_cell(dt, None, input, hx, w_ih, w_hh, b_ih, b_hh)
    cdt = _compute_dtype(dt)
    xp = xp_of(input)
    H = hx.shape[1]
    h = _arr(hx, cdt)
    gi = _pre_gates(_arr(input, cdt), _arr(w_ih, cdt), _arr(b_ih, cdt))
    gh = _pre_gates(h, _arr(w_hh, cdt), _arr(b_hh, cdt))
    rz = gi[:, :2 * H]
    rz += gh[:, :2 * H]
    _sigmoid_(rz, xp)
    n = gi[:, 2 * H:]
    n += rz[:, :H] * gh[:, 2 * H:]
    xp.tanh(n, out=n)
    h2 = n + rz[:, H:] * (h - n)
    out = _wrap(h2, dt, input._device)
    ins = (input, hx, w_ih, w_hh, b_ih, b_hh)
    if _state.enabled and any(t is not None and t._requires_grad for t in ins):
        node = GruCellBackward()
        node.save(*ins)
        node.gates = xp.concatenate((gi, gh[:, 2 * H:]), 1)
        record(node, out, *ins)
    return out


# -- fused layers (Note [fused recurrent layer]) ----------------------------------------------
class _Saved:
    """The raw arrays a fused layer keeps for its backward, stored among the node's saved
    tensors (with a version counter that never moves) so that the engine frees them with the
    rest when backward is done."""
    __slots__ = ('_vc', 'arrays')

    def __init__(self, arrays):
        self._vc = [0]
        self.arrays = arrays


def _final_rows(Y, steps, reverse, B, xp):
    """The state each sequence ends with: its row of its last step (first step when
    ``reverse``)."""
    if reverse:
        s, b = steps[0]
        return Y[s:s + b].copy()
    s, b = steps[-1]
    if b == B:
        return Y[s:s + b].copy()
    out = xp.empty((B,) + Y.shape[1:], Y.dtype)
    for k, (s, b) in enumerate(steps):
        nb = steps[k + 1][1] if k + 1 < len(steps) else 0
        if nb < b:
            out[nb:b] = Y[s + nb:s + b]
    return out


def _prev(prev, init, b, xp):
    """The previous state for a step of ``b`` rows: a prefix of ``prev``, or ``prev`` followed
    by the initial state of the sequences that start here (reverse direction of a packed
    batch)."""
    n = prev.shape[0]
    if n == b:
        return prev
    if n > b:
        return prev[:b]
    return xp.concatenate((prev, init[n:b]))


def _order(T, reverse):
    return range(T - 1, -1, -1) if reverse else range(T)


def _sigmoid_gates(g, out, H3, xp):
    """The sigmoid gates ``(i, f, o)`` of a step's gate block ``g`` (tanh of the halved
    pre-activations, Note [fused recurrent layer]) into ``out`` (3, b, H), gate-major."""
    xp.multiply(g[:, :H3].reshape(g.shape[0], 3, -1).swapaxes(0, 1), 0.5, out=out)
    out += 0.5
    return out


def _lstm_forward(xp, X, steps, reverse, h0, c0, wih, whh, bias, whr):
    H = whh.shape[0] // 4
    B = h0.shape[0]
    N = X.shape[0]
    # gates reordered to (i, f, o, g): the tanh gate last, one slice (Note [fused recurrent
    # layer])
    wih_p = xp.concatenate((wih[:2 * H], wih[3 * H:], wih[2 * H:3 * H]))
    whh_p = xp.concatenate((whh[:2 * H], whh[3 * H:], whh[2 * H:3 * H]))
    # pre-activations halved for i, f, o (Note [fused recurrent layer]); whh_p, wih_p unscaled
    # serve the backward
    half = xp.full((4 * H, 1), 0.5, X.dtype)
    half[3 * H:] = 1
    G = X @ (wih_p * half).T
    if bias is not None:
        bp = xp.concatenate((bias[:2 * H], bias[3 * H:], bias[2 * H:3 * H])) * half[:, 0]
        if xp is np:
            rows_op(np.add, G, bp, G)  # (Note [Row vectors over short rows])
        else:
            G += bp
    whh_sT = (whh_p * half).T.copy()
    C = xp.empty((N, H), X.dtype)
    A = xp.empty((3, B, H), X.dtype)  # a step's sigmoid(i), sigmoid(f), sigmoid(o), gate-major
    TC = xp.empty((B, H), X.dtype)  # a step's tanh(c)
    P = whh.shape[1]
    Y = xp.empty((N, P), X.dtype)
    Hraw = xp.empty((N, H), X.dtype) if whr is not None else Y
    whrT = xp.ascontiguousarray(whr.T) if whr is not None else None
    tmp = xp.empty((B, 4 * H), X.dtype)
    tmpH = xp.empty((B, H), X.dtype)
    hps, cps = [None] * len(steps), [None] * len(steps)
    hp, cp = h0, c0
    H3 = 3 * H
    for k in _order(len(steps), reverse):
        s, b = steps[k]
        e = s + b
        hp = _prev(hp, h0, b, xp)
        cp = _prev(cp, c0, b, xp)
        hps[k], cps[k] = hp, cp
        g = G[s:e]
        if xp is not np or not gemm_acc(hp, whh_sT, g):  # (Note [GEMM into an existing array])
            t = tmp[:b]
            xp.matmul(hp, whh_sT, out=t)
            g += t
        xp.tanh(g, out=g)  # G keeps these tanh values T: the backward's derivatives are 1 - T^2
        a = _sigmoid_gates(g, A[:, :b], H3, xp)
        tg = g[:, H3:]
        cn = C[s:e]
        xp.multiply(a[1], cp, out=cn)
        u = tmpH[:b]
        xp.multiply(a[0], tg, out=u)
        cn += u
        tc = xp.tanh(cn, out=TC[:b])
        hr = Hraw[s:e]
        xp.multiply(a[2], tc, out=hr)
        if whr is not None:
            xp.matmul(hr, whrT, out=Y[s:e])
        hp, cp = Y[s:e], cn
    hn = _final_rows(Y, steps, reverse, B, xp)
    cn = _final_rows(C, steps, reverse, B, xp)
    return Y, hn, cn, (X, G, C, Hraw, hps, cps, wih_p, whh_p, whr, Y)


def _times_prev(xp, D, hps, Y, steps, reverse):
    """``D.T @ concatenate(hps)``: a recurrent weight's gradient, ``hps`` each step's previous
    state. With every step a full batch, the previous states after the first are the rows of
    the output ``Y`` one step back: two products, and no copy of the states (LSTM layer of the
    benchmark: 3200 x 128 states)."""
    B = steps[0][1]
    N = D.shape[0]
    if any(b != B for _, b in steps) or Y.shape[0] != N:
        return D.T @ xp.concatenate(hps)
    if reverse:
        return D[:N - B].T @ Y[B:] + D[N - B:].T @ hps[-1]
    return D[B:].T @ Y[:N - B] + D[:B].T @ hps[0]


def _unperm(a, H):
    """(i, f, o, g) rows back to PyTorch's (i, f, g, o)."""
    return a[:2 * H], a[3 * H:], a[2 * H:3 * H]


def _lstm_backward(xp, saved, steps, reverse, dY, dhn, dcn, need):
    X, G, C, Hraw, hps, cps, wih_p, whh_p, whr, Y = saved
    H = C.shape[1]
    B = steps[0][1]
    P = whh_p.shape[1]
    N = X.shape[0]
    dt = X.dtype
    H2, H3 = 2 * H, 3 * H
    # G holds T = tanh of the (i, f, o halved) pre-activations: every gate's derivative is
    # (1 - T^2) times 1/4 for i, f, o (sigmoid(x) = T / 2 + 1 / 2 with T = tanh(x / 2)) and 1
    # for g. DG keeps 4x the i, f, o gradients, one contiguous product per step; the weights
    # that multiply DG, and the products of DG, take the exact 1/4 instead.
    quarter = xp.full((4 * H, 1), 0.25, dt)
    quarter[H3:] = 1
    whh_q = whh_p * quarter
    dh = dhn.copy() if dhn is not None else xp.zeros((B, P), dt)
    dc = dcn.copy() if dcn is not None else xp.zeros((B, H), dt)
    DG = xp.empty((N, 4 * H), dt)
    DHT = xp.empty((N, P), dt) if whr is not None else None
    t1 = xp.empty((B, H), dt)
    t2 = xp.empty((B, H), dt)
    t4 = xp.empty((B, 4 * H), dt)
    A = xp.empty((3, B, H), dt)
    TC = xp.empty((B, H), dt)
    for k in _order(len(steps), not reverse):
        s, b = steps[k]
        e = s + b
        dhb = dh[:b]
        if dY is not None:
            dhb += dY[s:e]
        if whr is not None:
            DHT[s:e] = dhb
            dhr = t2[:b]
            xp.matmul(dhb, whr, out=dhr)
        else:
            dhr = dhb
        g = G[s:e]
        a = _sigmoid_gates(g, A[:, :b], H3, xp)  # the forward's, recomputed
        tc = xp.tanh(C[s:e], out=TC[:b])
        dg = DG[s:e]
        dcb = dc[:b]
        xp.multiply(dhr, tc, out=dg[:, H2:H3])
        u = t1[:b]
        xp.multiply(tc, tc, out=u)
        xp.subtract(1, u, out=u)
        u *= a[2]
        u *= dhr
        dcb += u
        xp.multiply(dcb, g[:, H3:], out=dg[:, :H])
        xp.multiply(dcb, cps[k], out=dg[:, H:H2])
        xp.multiply(dcb, a[0], out=dg[:, H3:])
        dcb *= a[1]
        d = t4[:b]
        xp.multiply(g, g, out=d)
        xp.subtract(1, d, out=d)
        dg *= d
        xp.matmul(dg, whh_q, out=dhb)
    res = {}
    if need[0]:
        res['x'] = DG @ (wih_p * quarter)
    if need[1]:
        res['h'] = dh
    if need[2]:
        res['c'] = dc
    if need[3]:
        res['w_ih'] = xp.concatenate(_unperm(DG.T @ X * quarter, H))
    if need[4]:
        res['w_hh'] = xp.concatenate(_unperm(_times_prev(xp, DG, hps, Y, steps, reverse) * quarter,
                                             H))
    if need[5] or need[6]:
        res['b'] = xp.concatenate(_unperm(_sum_over(DG, (0,)) * quarter[:, 0], H))
    if whr is not None and need[7]:
        res['w_hr'] = DHT.T @ Hraw
    return res


def _gru_forward(xp, X, steps, reverse, h0, wih, whh, b_ih, b_hh):
    H = whh.shape[1]
    B = h0.shape[0]
    N = X.shape[0]
    H2 = 2 * H
    GI = X @ wih.T
    if b_ih is not None:
        GI += b_ih
    if b_hh is not None:
        GI[:, :H2] += b_hh[:H2]
        bhn = b_hh[H2:]
    else:
        bhn = None
    whh_sT = xp.ascontiguousarray(whh.T)
    GHN = xp.empty((N, H), X.dtype)
    Y = xp.empty((N, H), X.dtype)
    tmp = xp.empty((B, 3 * H), X.dtype)
    tmpH = xp.empty((B, H), X.dtype)
    hps = [None] * len(steps)
    hp = h0
    for k in _order(len(steps), reverse):
        s, b = steps[k]
        e = s + b
        hp = _prev(hp, h0, b, xp)
        hps[k] = hp
        gi = GI[s:e]
        t = tmp[:b]
        xp.matmul(hp, whh_sT, out=t)
        rz = gi[:, :H2]
        rz += t[:, :H2]
        _sigmoid_(rz, xp)
        ghn = GHN[s:e]
        if bhn is not None:
            xp.add(t[:, H2:], bhn, out=ghn)
        else:
            ghn[...] = t[:, H2:]
        n = gi[:, H2:]
        u = tmpH[:b]
        xp.multiply(rz[:, :H], ghn, out=u)
        n += u
        xp.tanh(n, out=n)
        y = Y[s:e]
        xp.subtract(hp, n, out=y)
        y *= rz[:, H:]
        y += n
        hp = y
    hn = _final_rows(Y, steps, reverse, B, xp)
    return Y, hn, None, (X, GI, GHN, hps, wih, whh, Y)


def _gru_backward(xp, saved, steps, reverse, dY, dhn, dcn, need):
    X, GI, GHN, hps, wih, whh, Y = saved
    H = whh.shape[1]
    B = steps[0][1]
    N = X.shape[0]
    dt = X.dtype
    H2 = 2 * H
    dh = dhn.copy() if dhn is not None else xp.zeros((B, H), dt)
    DGH = xp.empty((N, 3 * H), dt)
    DGN = xp.empty((N, H), dt)
    t1 = xp.empty((B, H), dt)
    t2 = xp.empty((B, H), dt)
    for k in _order(len(steps), not reverse):
        s, b = steps[k]
        e = s + b
        dhb = dh[:b]
        if dY is not None:
            dhb += dY[s:e]
        gi = GI[s:e]
        r, z, n = gi[:, :H], gi[:, H:H2], gi[:, H2:]
        ghn = GHN[s:e]
        dgh = DGH[s:e]
        dr, dz, dnh = dgh[:, :H], dgh[:, H:H2], dgh[:, H2:]
        dn = DGN[s:e]
        u = t1[:b]
        xp.subtract(hps[k], n, out=dz)
        dz *= dhb
        xp.subtract(1, z, out=u)
        u *= z
        dz *= u
        xp.subtract(1, z, out=dn)
        dn *= dhb
        xp.multiply(n, n, out=u)
        xp.subtract(1, u, out=u)
        dn *= u
        xp.multiply(dn, ghn, out=dr)
        xp.subtract(1, r, out=u)
        u *= r
        dr *= u
        xp.multiply(dn, r, out=dnh)
        dhb *= z
        t = t2[:b]
        xp.matmul(dgh, whh, out=t)
        dhb += t
    DGI = DGH.copy()
    DGI[:, H2:] = DGN
    res = {}
    if need[0]:
        res['x'] = DGI @ wih
    if need[1]:
        res['h'] = dh
    if need[3]:
        res['w_ih'] = DGI.T @ X
    if need[4]:
        res['w_hh'] = _times_prev(xp, DGH, hps, Y, steps, reverse)
    if need[5]:
        res['b_ih'] = _sum_over(DGI, (0,))
    if need[6]:
        res['b_hh'] = _sum_over(DGH, (0,))
    return res


def _simple_forward(xp, X, steps, reverse, h0, wih, whh, bias, relu):
    B = h0.shape[0]
    GI = X @ wih.T
    if bias is not None:
        GI += bias
    whhT = xp.ascontiguousarray(whh.T)
    Y = xp.empty((X.shape[0], whh.shape[1]), X.dtype)
    hps = [None] * len(steps)
    hp = h0
    for k in _order(len(steps), reverse):
        s, b = steps[k]
        e = s + b
        hp = _prev(hp, h0, b, xp)
        hps[k] = hp
        y = Y[s:e]
        xp.matmul(hp, whhT, out=y)
        y += GI[s:e]
        if relu:
            xp.maximum(y, 0, out=y)
        else:
            xp.tanh(y, out=y)
        hp = y
    hn = _final_rows(Y, steps, reverse, B, xp)
    return Y, hn, None, (X, Y, hps, wih, whh, relu)


def _simple_backward(xp, saved, steps, reverse, dY, dhn, dcn, need):
    X, Y, hps, wih, whh, relu = saved
    B = steps[0][1]
    H = whh.shape[1]
    dt = X.dtype
    dh = dhn.copy() if dhn is not None else xp.zeros((B, H), dt)
    DG = xp.empty(Y.shape, dt)
    for k in _order(len(steps), not reverse):
        s, b = steps[k]
        e = s + b
        dhb = dh[:b]
        if dY is not None:
            dhb += dY[s:e]
        y = Y[s:e]
        dg = DG[s:e]
        if relu:
            xp.multiply(dhb, y > 0, out=dg)
        else:
            xp.multiply(y, y, out=dg)
            xp.subtract(1, dg, out=dg)
            dg *= dhb
        xp.matmul(dg, whh, out=dhb)
    res = {}
    if need[0]:
        res['x'] = DG @ wih
    if need[1]:
        res['h'] = dh
    if need[3]:
        res['w_ih'] = DG.T @ X
    if need[4]:
        res['w_hh'] = _times_prev(xp, DG, hps, Y, steps, reverse)
    if need[5] or need[6]:
        res['b'] = _sum_over(DG, (0,))
    return res


_BACKWARD = {'LSTM': _lstm_backward, 'GRU': _gru_backward, 'RNN_TANH': _simple_backward,
             'RNN_RELU': _simple_backward}
_EDGES = ('x', 'h', 'c', 'w_ih', 'w_hh', 'b_ih', 'b_hh', 'w_hr')


class RnnLayerBackward0(Node):
    """One direction of one layer of a fused RNN/LSTM/GRU (Note [fused recurrent layer]).
    Outputs (y, h_n, c_n); inputs (x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr), None where the
    mode has no such input."""
    __slots__ = ('mode', 'steps', 'reverse', 'packed', 'shapes', 'label')
    n_outputs = 3

    def name(self):
        return self.label

    def backward(self, grads):
        saved = self.saved_tensors
        if _state.enabled:
            return self._differentiable_backward(saved[:8], grads)
        x = saved[0]
        dt, dev = x._dtype, x._device
        xp = xp_of(x)
        gy, gh, gc = grads
        cdt = _compute_dtype(dt)
        dY = None if gy is None else _arr(gy, cdt).reshape(-1, gy.shape[-1])
        need = [f is not None for f, _ in self.next_functions]
        res = _BACKWARD[self.mode](xp, saved[-1].arrays, self.steps, self.reverse, dY,
                                   _arr(gh, cdt), _arr(gc, cdt), need)
        out = []
        for k, name in enumerate(_EDGES):
            if not need[k]:
                out.append(None)
                continue
            a = res.get(name)
            if a is None:
                a = res['b']
            out.append(_wrap(a.reshape(self.shapes[k]), dt, dev))
        return tuple(out)


    def _differentiable_backward(self, ins, grads):
        """Backward under ``create_graph``: the layer is recomputed step by step with Tensor
        ops and differentiated with ``autograd.grad(create_graph=True)``, so that the
        gradients are themselves differentiable (slow, but only double backward pays it)."""
        from ..autograd import grad
        x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr = ins
        outs = _unrolled(self.mode, x, self.steps, self.reverse, h0, c0,
                         (w_ih, w_hh, b_ih, b_hh, w_hr), self.packed)
        pairs = [(o, g) for o, g in zip(outs, grads) if o is not None and g is not None]
        wanted = [k for k, (f, _) in enumerate(self.next_functions) if f is not None]
        res = grad([o for o, _ in pairs], [ins[k] for k in wanted], [g for _, g in pairs],
                   create_graph=True, allow_unused=True)
        out = [None] * len(ins)
        for k, g in zip(wanted, res):
            out[k] = g
        return tuple(out)


def _unrolled(mode, x, steps, reverse, h0, c0, w, packed):
    """The outputs (y, h_n, c_n) of one fused layer recomputed with one Tensor op per
    operation (for double backward; see :func:`_layer`)."""
    w_ih, w_hh, b_ih, b_hh, w_hr = w
    X = x.reshape(-1, x.shape[-1])
    ys, ends_h, ends_c = [None] * len(steps), [], []
    hp, cp = h0, c0
    for k in _order(len(steps), reverse):
        s, b = steps[k]
        n = hp.shape[0]
        if n > b:
            hp = hp[:b]
            cp = cp[:b] if cp is not None else None
        elif n < b:
            hp = cat([hp, h0[n:b]])
            cp = cat([cp, c0[n:b]]) if cp is not None else None
        gi = _mm_t(X[s:s + b], w_ih)
        gh = _mm_t(hp, w_hh)
        if b_ih is not None:
            gi = gi + b_ih
        if b_hh is not None:
            gh = gh + b_hh
        if mode == 'LSTM':
            H = cp.shape[1]
            g = gi + gh
            c = g[:, H:2 * H].sigmoid() * cp + g[:, :H].sigmoid() * g[:, 2 * H:3 * H].tanh()
            h = g[:, 3 * H:].sigmoid() * c.tanh()
            if w_hr is not None:
                h = _mm_t(h, w_hr)
            cp = c
        elif mode == 'GRU':
            H = hp.shape[1]
            r = (gi[:, :H] + gh[:, :H]).sigmoid()
            z = (gi[:, H:2 * H] + gh[:, H:2 * H]).sigmoid()
            nn = (gi[:, 2 * H:] + r * gh[:, 2 * H:]).tanh()
            h = nn + z * (hp - nn)
        else:
            h = (gi + gh).relu() if mode == 'RNN_RELU' else (gi + gh).tanh()
        ys[k] = hp = h
        if not reverse:
            nb = steps[k + 1][1] if k + 1 < len(steps) else 0
            if nb < b:  # rows nb:b end here
                ends_h.append(h[nb:b])
                if cp is not None:
                    ends_c.append(cp[nb:b])
    if reverse:
        hn, cn = hp, cp
    else:  # the rows that end last come first
        hn = cat(ends_h[::-1])
        cn = cat(ends_c[::-1]) if c0 is not None else None
    y = cat(ys)
    if not packed:
        y = y.reshape(x.shape[:-1] + (y.shape[-1],))
    return y, hn, cn


def _layer(mode, x, steps, reverse, h0, c0, w, packed):
    """Run one direction of one layer: ``x`` is ``(T, B, in)`` (or ``(N, in)`` packed), ``h0``,
    ``c0`` ``(B, *)``, ``w`` = (w_ih, w_hh, b_ih, b_hh, w_hr) with None for the absent ones.
    Returns the tensors (y, h_n, c_n)."""
    w_ih, w_hh, b_ih, b_hh, w_hr = w
    dt = x._dtype
    dev = x._device
    cdt = _compute_dtype(dt)
    xp = xp_of(x)
    X = _arr(x, cdt).reshape(-1, x.shape[-1])
    wih, whh, bih, bhh = _arr(w_ih, cdt), _arr(w_hh, cdt), _arr(b_ih, cdt), _arr(b_hh, cdt)
    h = _arr(h0, cdt)
    if mode == 'LSTM':
        bias = None if bih is None else (bih + bhh if bhh is not None else bih)
        Y, hn, cn, saved = _lstm_forward(xp, X, steps, reverse, h, _arr(c0, cdt), wih, whh,
                                         bias, _arr(w_hr, cdt))
    elif mode == 'GRU':
        Y, hn, cn, saved = _gru_forward(xp, X, steps, reverse, h, wih, whh, bih, bhh)
    else:
        bias = None if bih is None else (bih + bhh if bhh is not None else bih)
        Y, hn, cn, saved = _simple_forward(xp, X, steps, reverse, h, wih, whh, bias,
                                           mode == 'RNN_RELU')
    if not packed:
        Y = Y.reshape(x.shape[:-1] + (Y.shape[-1],))
    # the output gets its own copy: the saved states of the backward live in Y, and an
    # in-place change of the output must not reach them (PyTorch allows such changes)
    y = _wrap(Y.copy() if Y.dtype == dt.numpy else Y, dt, dev)
    hn = _wrap(hn, dt, dev)
    cn = _wrap(cn, dt, dev)
    ins = (x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr)
    if _state.enabled and any(t is not None and t._requires_grad for t in ins):
        node = RnnLayerBackward0()
        node.mode, node.steps, node.reverse, node.packed = mode, steps, reverse, packed
        # named as the last node PyTorch's CPU kernels give this output
        node.label = 'CatBackward0' if packed else (
            'MkldnnRnnLayerBackward0' if mode == 'LSTM' and dt is _dt.float32
            else 'StackBackward0')
        node.shapes = tuple(None if t is None else t.shape for t in ins)
        node.save(*ins, _Saved(saved))
        record(node, y, *ins)
        hn.grad_fn, hn._requires_grad, hn._output_nr = node, True, 1
        if cn is not None:
            cn.grad_fn, cn._requires_grad, cn._output_nr = node, True, 2
    return y, hn, cn


def _integer_layer(mode, dt, input, params):
    """PyTorch's errors for integer layers (only ``rnn_relu`` computes in integers)."""
    if dt is _dt.bool:
        if input._data.size and params[0]._data.size:
            raise not_implemented('addmm_impl_cpu_', dt)
    elif mode == 'RNN_TANH':
        raise RuntimeError(f'mat1 and mat2 must have the same dtype, but got Float and '
                           f'{dtype_title(dt)}')
    if mode != 'RNN_RELU':
        raise RuntimeError(f"result type Float can't be cast to the desired output type "
                           f"{dtype_title(dt)}")


def _rnn(mode, input, batch_sizes, hx, params, has_biases, num_layers, dropout, train,
         bidirectional, batch_first):
    """The stacked (optionally bidirectional) recurrent network behind ``nn.RNN``/``LSTM``/
    ``GRU``: returns ``(output, h_n)`` or, for LSTM, ``(output, h_n, c_n)``."""
    if not input._dtype.is_floating_point:
        _integer_layer(mode, input._dtype, input, params)
    packed = batch_sizes is not None
    D = 2 if bidirectional else 1
    if mode == 'LSTM':
        h0s, c0s = hx
    else:
        h0s, c0s = hx, None
    params = list(params)
    per = len(params) // (num_layers * D)
    x = input
    if packed:
        bs = batch_sizes._data.tolist() if isinstance(batch_sizes, Tensor) else list(batch_sizes)
        steps, start = [], 0
        for b in bs:
            steps.append((start, int(b)))
            start += int(b)
    else:
        if batch_first:
            x = x.transpose(0, 1)
        T, B = x.shape[0], x.shape[1]
        if T == 0:
            raise RuntimeError('Expected sequence length to be larger than 0 in RNN')
        steps = [(t * B, B) for t in range(T)]
    hs, cs = [], []
    for layer in range(num_layers):
        outs = []
        for d in range(D):
            k = layer * D + d
            p = params[k * per:(k + 1) * per]
            if has_biases:
                w = (p[0], p[1], p[2], p[3], p[4] if per == 5 else None)
            else:
                w = (p[0], p[1], None, None, p[2] if per == 3 else None)
            _same_dtype((x, h0s) + tuple(w))
            y, hn, cn = _layer(mode, x, steps, d == 1, h0s[k], None if c0s is None else c0s[k],
                               w, packed)
            outs.append(y)
            hs.append(hn)
            cs.append(cn)
        x = outs[0] if D == 1 else cat(outs, -1)
        if dropout and train and layer < num_layers - 1:
            x = _dropout(x, dropout, True)
    if batch_first and not packed:
        x = x.transpose(0, 1)
    if mode == 'LSTM':
        return x, stack(hs), stack(cs)
    return x, stack(hs)


def _dropout(x, p, train):
    from .random import dropout
    return dropout(x, p, train)


def _layer_args(name, args, kwargs, hx_tuple):
    """Sort the two overloads of ``torch.lstm``/``gru``/``rnn_*`` into
    (input, batch_sizes, hx, params, has_biases, num_layers, dropout, train, bidirectional,
    batch_first)."""
    names_padded = ('input', 'hx', 'params', 'has_biases', 'num_layers', 'dropout', 'train',
                    'bidirectional', 'batch_first')
    names_packed = ('data', 'batch_sizes', 'hx', 'params', 'has_biases', 'num_layers',
                    'dropout', 'train', 'bidirectional')
    if 'batch_sizes' in kwargs or 'data' in kwargs:
        packed = True
    elif hx_tuple:  # lstm(input, (h0, c0), ...) or lstm(data, batch_sizes, (h0, c0), ...)
        packed = len(args) > 1 and isinstance(args[1], Tensor)
    else:  # gru(input, h0, params, ...) or gru(data, batch_sizes, h0, params, ...)
        packed = len(args) > 2 and isinstance(args[2], Tensor)
    names = names_packed if packed else names_padded
    if len(args) + len(kwargs) != 9:
        raise TypeError(f'{name}() takes 9 arguments ({len(args) + len(kwargs)} given)')
    bound = dict(zip(names, args))
    bound.update(kwargs)
    missing = [n for n in names if n not in bound]
    if missing:
        raise TypeError(f'{name}() missing required argument "{missing[0]}"')
    first = bound['data'] if packed else bound['input']
    return (first, bound.get('batch_sizes'), bound['hx'], bound['params'], bound['has_biases'],
            bound['num_layers'], bound['dropout'], bound['train'], bound['bidirectional'],
            bound.get('batch_first', False))


def lstm(*args, **kwargs):
    r"""A stacked LSTM over a whole sequence (the function behind :class:`nn.LSTM`).

    Two forms, as in PyTorch: ``lstm(input, hx, params, has_biases, num_layers, dropout, train,
    bidirectional, batch_first)`` with ``input`` ``(T, B, in)`` (``(B, T, in)`` if
    ``batch_first``), and ``lstm(data, batch_sizes, hx, params, has_biases, num_layers,
    dropout, train, bidirectional)`` for packed data. ``hx`` is ``(h0, c0)``, each
    ``(num_layers * num_directions, B, *)``; ``params`` the flat list of weights, per layer and
    direction ``w_ih, w_hh[, b_ih, b_hh][, w_hr]``. Returns ``(output, h_n, c_n)``.

    Example::

        >>> m = flambeau.nn.LSTM(10, 20)
        >>> h0 = c0 = flambeau.zeros(1, 3, 20)
        >>> out, h, c = flambeau.lstm(flambeau.randn(5, 3, 10), (h0, c0), m._flat_weights,
        ...                           True, 1, 0.0, False, False, False)
        >>> out.shape
        torch.Size([5, 3, 20])
    """
    return _rnn('LSTM', *_layer_args('lstm', args, kwargs, True))


def gru(*args, **kwargs):
    r"""A stacked GRU over a whole sequence (the function behind :class:`nn.GRU`); the forms
    and arguments of :func:`lstm`, with ``hx`` a single tensor. Returns ``(output, h_n)``.

    Example::

        >>> m = flambeau.nn.GRU(10, 20)
        >>> out, h = flambeau.gru(flambeau.randn(5, 3, 10), flambeau.zeros(1, 3, 20),
        ...                       m._flat_weights, True, 1, 0.0, False, False, False)
        >>> h.shape
        torch.Size([1, 3, 20])
    """
    return _rnn('GRU', *_layer_args('gru', args, kwargs, False))


def rnn_tanh(*args, **kwargs):
    r"""A stacked Elman RNN with tanh over a whole sequence (behind :class:`nn.RNN`); forms
    and arguments of :func:`gru`. Returns ``(output, h_n)``.

    Example::

        >>> m = flambeau.nn.RNN(10, 20)
        >>> out, h = flambeau.rnn_tanh(flambeau.randn(5, 3, 10), flambeau.zeros(1, 3, 20),
        ...                            m._flat_weights, True, 1, 0.0, False, False, False)
        >>> out.shape
        torch.Size([5, 3, 20])
    """
    return _rnn('RNN_TANH', *_layer_args('rnn_tanh', args, kwargs, False))


def rnn_relu(*args, **kwargs):
    r"""A stacked Elman RNN with ReLU over a whole sequence (behind
    ``nn.RNN(nonlinearity='relu')``); forms and arguments of :func:`gru`.

    Example::

        >>> m = flambeau.nn.RNN(10, 20, nonlinearity='relu')
        >>> out, h = flambeau.rnn_relu(flambeau.randn(5, 3, 10), flambeau.zeros(1, 3, 20),
        ...                            m._flat_weights, True, 1, 0.0, False, False, False)
        >>> out.shape
        torch.Size([5, 3, 20])
    """
    return _rnn('RNN_RELU', *_layer_args('rnn_relu', args, kwargs, False))
