"""Registry entries of the recurrent ops (flambeau/ops/rnn.py): the cells and the layer
functions behind nn.RNN/LSTM/GRU."""
from opinfo import FLOATS, NUMERIC, ErrorInput, OpInfo, S

_B, _I, _H = 3, 4, 5
_TOL = {'float16': (2e-2, 2e-2), 'bfloat16': (1e-1, 1e-1)}
# PyTorch sums the per-step weight gradients of a layer in bfloat16 (flambeau in float32)
_LAYER_GRAD_TOL = {'float16': (2e-2, 2e-2), 'bfloat16': (3e-1, 3e-1)}


def _cell_samples(chunks, lstm):
    def samples(make):
        for b, bias, nc in ((_B, True, False), (_B, False, False), (0, True, False),
                            (_B, True, True), (1, True, False)):
            x = make((_I, b), noncontig=True) if nc else make((b, _I), low=-1, high=1)
            h = make((b, _H), low=-1, high=1)
            w = [make((chunks * _H, _I), low=-1, high=1), make((chunks * _H, _H), low=-1, high=1)]
            if bias:
                w += [make((chunks * _H,), low=-1, high=1), make((chunks * _H,), low=-1, high=1)]
            hx = (h, make((b, _H), low=-1, high=1)) if lstm else h
            if nc:
                x = x.T
            yield S(x, hx, *w)
        # tiny ones, for gradcheck (40 numbers at most) and gradgradcheck (16)
        for i, h, bias in ((2, 2, False), (1, 1, chunks < 4)):
            w = [make((chunks * h, i), low=-1, high=1), make((chunks * h, h), low=-1, high=1)]
            if bias:
                w += [make((chunks * h,), low=-1, high=1), make((chunks * h,), low=-1, high=1)]
            hh = make((1, h), low=-1, high=1)
            yield S(make((1, i), low=-1, high=1),
                    (hh, make((1, h), low=-1, high=1)) if lstm else hh, *w)
    return samples


def _cell_errors(name, chunks, lstm):
    def errors(make):
        def hx(b, n):
            return (make((b, n)), make((b, n))) if lstm else make((b, n))
        w = (make((chunks * _H, _I)), make((chunks * _H, _H)))
        return [
            ErrorInput(S(make((_B, 7)), hx(_B, _H), *w), RuntimeError,
                       'input has inconsistent input_size: got 7 expected 4'),
            ErrorInput(S(make((_B, _I)), hx(2, _H), *w), RuntimeError,
                       "Input batch size 3 doesn't match hidden0 batch size 2"),
            ErrorInput(S(make((_B, _I)), hx(_B, 6), *w), RuntimeError,
                       'hidden0 has inconsistent hidden_size: got 6, expected 5'),
            ErrorInput(S(make((_B, _I)), hx(_B, _H), make(((chunks + 1) * _H, _I)), w[1]),
                       RuntimeError, f'weight_ih first dim must be {chunks} * hidden_size = '
                       f'{chunks * _H}, but got {(chunks + 1) * _H}'),
        ]
    return errors


def _layer_samples(mode):
    chunks = {'lstm': 4, 'gru': 3}.get(mode, 1)
    # ReLU: positive values keep every pre-activation off the kink at 0, where float32 and
    # PyTorch's half-precision rounding may land on different sides

    def bounds(make):
        if mode != 'rnn_relu':
            return -1, 1
        return (0, 0.5) if make.is_float else (0, 3)

    def params(make, layers, dirs, bias):
        lo, hi = bounds(make)
        out = []
        for layer in range(layers):
            for _ in range(dirs):
                n_in = _I if layer == 0 else _H * dirs
                out += [make((chunks * _H, n_in), low=lo, high=hi),
                        make((chunks * _H, _H), low=lo, high=hi)]
                if bias:
                    out += [make((chunks * _H,), low=lo, high=hi),
                            make((chunks * _H,), low=lo, high=hi)]
        return out

    def hx(make, n, b):
        lo, hi = bounds(make)
        h = make((n, b, _H), low=lo, high=hi)
        return (h, make((n, b, _H), low=lo, high=hi)) if mode == 'lstm' else h

    def samples(make):
        lo, hi = bounds(make)
        # batch_first is left to test_nn_rnn.py: PyTorch's transposed output is named
        # TransposeBackward1, flambeau's transpose TransposeBackward0
        for layers, dirs, bias in ((1, 1, True), (2, 2, True), (1, 2, False)):
            x = make((4, 2, _I), low=lo, high=hi)
            yield S(x, hx(make, layers * dirs, 2), params(make, layers, dirs, bias), bias,
                    layers, 0.0, False, dirs == 2, False)
        # packed: batch sizes 3, 2, 2, 1
        yield S(make((8, _I), low=lo, high=hi), [3, 2, 2, 1], hx(make, 2, 3),
                params(make, 1, 2, True), True, 1, 0.0, False, True).but(desc='packed')
        # tiny, for gradcheck: one unit, no bias
        w = [make((chunks, 1), low=lo, high=hi), make((chunks, 1), low=lo, high=hi)]
        h = make((1, 1, 1), low=lo, high=hi)
        yield S(make((3, 1, 1), low=lo, high=hi),
                (h, make((1, 1, 1), low=lo, high=hi)) if mode == 'lstm' else h, w, False, 1,
                0.0, False, False, False)
    return samples


def _layer_op(name):
    def op(m, first, *rest):
        if isinstance(rest[0], list) and rest[0] and isinstance(rest[0][0], int):
            rest = (m.tensor(rest[0]),) + rest[1:]  # packed: batch_sizes as a CPU tensor
        return getattr(m, name)(first, *rest)
    return op


OPS = [
    OpInfo('rnn_tanh_cell', samples=_cell_samples(1, False), dtypes=NUMERIC, gradgrad=True,
           tol=_TOL, grad_tol=_TOL, errors=_cell_errors('rnn_tanh_cell', 1, False)),
    OpInfo('rnn_relu_cell', samples=_cell_samples(1, False), dtypes=NUMERIC, gradgrad=True,
           tol=_TOL, grad_tol=_TOL, errors=_cell_errors('rnn_relu_cell', 1, False)),
    OpInfo('lstm_cell', samples=_cell_samples(4, True), dtypes=FLOATS, gradgrad=True,
           tol=_TOL, grad_tol=_TOL, errors=_cell_errors('lstm_cell', 4, True)),
    OpInfo('gru_cell', samples=_cell_samples(3, False), dtypes=FLOATS, gradgrad=True,
           tol=_TOL, grad_tol=_TOL, errors=_cell_errors('gru_cell', 3, False)),
    OpInfo('lstm', _layer_op('lstm'), samples=_layer_samples('lstm'), dtypes=FLOATS,
           tol=_TOL, grad_tol=_LAYER_GRAD_TOL, gradgrad=True),
    OpInfo('gru', _layer_op('gru'), samples=_layer_samples('gru'), dtypes=FLOATS,
           tol=_TOL, grad_tol=_LAYER_GRAD_TOL, gradgrad=True),
    OpInfo('rnn_tanh', _layer_op('rnn_tanh'), samples=_layer_samples('rnn_tanh'),
           dtypes=FLOATS, tol=_TOL, grad_tol=_LAYER_GRAD_TOL, gradgrad=True),
    OpInfo('rnn_relu', _layer_op('rnn_relu'), samples=_layer_samples('rnn_relu'),
           dtypes=NUMERIC, tol=_TOL, grad_tol=_LAYER_GRAD_TOL, gradgrad=True),
]
