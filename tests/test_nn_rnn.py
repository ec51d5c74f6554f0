"""nn.RNN / nn.LSTM / nn.GRU, their cells and the functional ops behind them
(``flambeau/ops/rnn.py``, ``flambeau/nn/modules/rnn.py``), compared with PyTorch: outputs,
final states, every gradient, packed sequences, reprs, state dict keys and error messages."""
import itertools
import warnings

import numpy as np
import pytest

torch = pytest.importorskip('torch')

import flambeau  # noqa: E402
from nn_helpers import check_module, to_fl  # noqa: E402

_RNG = np.random.default_rng(1)
_DTYPES = {'float32': (torch.float32, flambeau.float32, 1e-5, 1e-4),
           'float64': (torch.float64, flambeau.float64, 1e-10, 1e-8)}


def _randn(*shape, dtype='float64'):
    return _RNG.standard_normal(shape).astype(dtype)


def _pair(name, *args, **kwargs):
    """The same layer in torch and flambeau (torch's weights are copied by check_module)."""
    t = getattr(torch.nn, name)(*args, **kwargs)
    f = getattr(flambeau.nn, name)(*args, **kwargs)
    return t, f


def _tol(dt):
    return dict(atol=_DTYPES[dt][2], rtol=_DTYPES[dt][3])


# -- layers: padded input ----------------------------------------------------------------------
_LAYER_CASES = list(itertools.product(
    ['RNN', 'LSTM', 'GRU'], [1, 2], [False, True], [False, True], [False, True]))


@pytest.mark.parametrize('dt', ['float32', 'float64'])
@pytest.mark.parametrize('name,num_layers,bidirectional,batch_first,with_h0', _LAYER_CASES)
def test_layer_matches_torch(name, num_layers, bidirectional, batch_first, with_h0, dt):
    tdt, fdt = _DTYPES[dt][:2]
    t, f = _pair(name, 4, 6, num_layers, bidirectional=bidirectional, batch_first=batch_first)
    t, f = t.to(tdt), f.to(fdt)
    T, B = 5, 3
    x = _randn(*((B, T, 4) if batch_first else (T, B, 4)), dtype=dt)
    inputs = [x]
    D = 2 if bidirectional else 1
    if with_h0:
        h0 = _randn(num_layers * D, B, 6, dtype=dt)
        if name == 'LSTM':
            inputs.append((torch.from_numpy(h0).requires_grad_(),
                           torch.from_numpy(_randn(num_layers * D, B, 6, dtype=dt))
                           .requires_grad_()))
        else:
            inputs.append(h0)
    if name == 'LSTM' and with_h0:
        _check_lstm_tuple(t, f, inputs, dt)
    else:
        check_module(t, f, *inputs, **_tol(dt))


def _check_lstm_tuple(t, f, inputs, dt):
    """check_module for an LSTM given ``(h0, c0)``: compares outputs and the gradients of the
    input, h0, c0 and every parameter."""
    x, (h0, c0) = inputs
    fx = to_fl(torch.from_numpy(x), True)
    fh0, fc0 = to_fl(h0), to_fl(c0)
    tx = torch.from_numpy(x.copy()).requires_grad_()
    from nn_helpers import assert_close, copy_state
    copy_state(t, f)
    to, (th, tc) = t(tx, (h0, c0))
    fo, (fh, fc) = f(fx, (fh0, fc0))
    tol = _tol(dt)
    for a, b, w in ((fo, to, 'output'), (fh, th, 'h_n'), (fc, tc, 'c_n')):
        assert_close(a, b, what=w, **tol)
    gs = [torch.randn_like(z) for z in (to, th, tc)]
    torch.autograd.backward([to, th, tc], gs)
    flambeau.autograd.backward([fo, fh, fc], [to_fl(g) for g in gs])
    for a, b, w in ((fx, tx, 'x'), (fh0, h0, 'h0'), (fc0, c0, 'c0')):
        assert_close(a.grad, b.grad, what=f'grad of {w}', **tol)
    fp = dict(f.named_parameters())
    for n, p in t.named_parameters():
        assert_close(fp[n].grad, p.grad, what=f'grad of {n}', **tol)


@pytest.mark.parametrize('dt', ['float32', 'float64'])
@pytest.mark.parametrize('num_layers,bidirectional,batch_first,with_h0',
                         list(itertools.product([1, 2], [False, True], [False, True],
                                                [False, True])))
def test_lstm_proj_size(num_layers, bidirectional, batch_first, with_h0, dt):
    tdt, fdt = _DTYPES[dt][:2]
    t, f = _pair('LSTM', 4, 6, num_layers, bidirectional=bidirectional,
                 batch_first=batch_first, proj_size=3)
    t, f = t.to(tdt), f.to(fdt)
    D = 2 if bidirectional else 1
    x = _randn(*((3, 5, 4) if batch_first else (5, 3, 4)), dtype=dt)
    if with_h0:
        h0 = torch.from_numpy(_randn(num_layers * D, 3, 3, dtype=dt)).requires_grad_()
        c0 = torch.from_numpy(_randn(num_layers * D, 3, 6, dtype=dt)).requires_grad_()
        _check_lstm_tuple(t, f, [x, (h0, c0)], dt)
    else:
        check_module(t, f, x, **_tol(dt))


@pytest.mark.parametrize('name', ['RNN', 'LSTM', 'GRU'])
@pytest.mark.parametrize('with_h0', [False, True])
@pytest.mark.parametrize('batch_first', [False, True])
def test_unbatched(name, with_h0, batch_first):
    t, f = _pair(name, 4, 5, 2, bidirectional=True, batch_first=batch_first)
    t, f = t.double(), f.double()
    x = _randn(6, 4)
    if not with_h0:
        check_module(t, f, x, **_tol('float64'))
    elif name == 'LSTM':
        h0 = torch.from_numpy(_randn(4, 5)).requires_grad_()
        c0 = torch.from_numpy(_randn(4, 5)).requires_grad_()
        _check_lstm_tuple(t, f, [x, (h0, c0)], 'float64')
    else:
        check_module(t, f, x, _randn(4, 5), **_tol('float64'))


def test_rnn_relu_and_no_bias():
    t, f = _pair('RNN', 4, 5, 2, nonlinearity='relu', bias=False)
    check_module(t.double(), f.double(), _randn(7, 2, 4), **_tol('float64'))
    t, f = _pair('GRU', 4, 5, bias=False)
    check_module(t.double(), f.double(), _randn(7, 2, 4), **_tol('float64'))
    t, f = _pair('LSTM', 4, 5, bias=False, proj_size=2)
    check_module(t.double(), f.double(), _randn(7, 2, 4), **_tol('float64'))


def test_dropout_eval_is_identity():
    t, f = _pair('LSTM', 4, 5, 3, dropout=0.5)
    check_module(t.double(), f.double(), _randn(6, 2, 4), train=False, **_tol('float64'))


def test_dropout_train_changes_output():
    f = flambeau.nn.GRU(4, 8, 2, dropout=0.9).double()
    x = flambeau.tensor(_randn(6, 2, 4))
    flambeau.manual_seed(0)
    a, _ = f(x)
    f.eval()
    b, _ = f(x)
    assert a.shape == b.shape == (6, 2, 8)
    assert not np.allclose(a.detach().numpy(), b.detach().numpy())
    # dropout=1 in training zeroes the input of the last layer: its output depends on the
    # biases only
    f = flambeau.nn.RNN(4, 3, 2, dropout=1.0).double()
    out, _ = f(x)
    last = flambeau.nn.RNN(3, 3).double()
    last.weight_ih_l0.data = f.weight_ih_l1.data
    last.weight_hh_l0.data = f.weight_hh_l1.data
    last.bias_ih_l0.data = f.bias_ih_l1.data
    last.bias_hh_l0.data = f.bias_hh_l1.data
    ref, _ = last(flambeau.zeros(6, 2, 3, dtype=flambeau.float64))
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), atol=1e-12)


# -- layers: packed sequences ------------------------------------------------------------------
def _packed_wrapper(lib, rnn, lengths, enforce_sorted, batch_first):
    class Packed(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = rnn

        def forward(self, x, *hx):
            p = lib.nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=batch_first,
                                                      enforce_sorted=enforce_sorted)
            if hx and isinstance(rnn, lib.nn.LSTM):
                hx = (tuple(hx),)
            out, hid = self.rnn(p, *hx)
            assert isinstance(out, lib.nn.utils.rnn.PackedSequence)
            padded, lens = lib.nn.utils.rnn.pad_packed_sequence(out, batch_first=batch_first)
            return out.data, out.batch_sizes, out.sorted_indices, out.unsorted_indices, \
                padded, lens, hid
    return Packed()


_PACKED_CASES = list(itertools.product(['RNN', 'LSTM', 'GRU'], [True, False], [1, 2],
                                       [False, True]))


@pytest.mark.parametrize('dt', ['float32', 'float64'])
@pytest.mark.parametrize('name,enforce_sorted,num_layers,bidirectional', _PACKED_CASES)
def test_packed(name, enforce_sorted, num_layers, bidirectional, dt):
    tdt, fdt = _DTYPES[dt][:2]
    lengths = [5, 4, 4, 2, 1] if enforce_sorted else [2, 5, 1, 4, 4]
    batch_first = not enforce_sorted
    kw = dict(bidirectional=bidirectional, batch_first=batch_first)
    if name == 'LSTM' and num_layers == 2:
        kw['proj_size'] = 2
    t, f = _pair(name, 3, 4, num_layers, **kw)
    tw = _packed_wrapper(torch, t.to(tdt), lengths, enforce_sorted, batch_first)
    fw = _packed_wrapper(flambeau, f.to(fdt), lengths, enforce_sorted, batch_first)
    x = _randn(*((5, 5, 3) if batch_first else (5, 5, 3)), dtype=dt)
    D = 2 if bidirectional else 1
    H = 2 if 'proj_size' in kw else 4
    inputs = [x, _randn(num_layers * D, 5, H, dtype=dt)]
    if name == 'LSTM':
        inputs.append(_randn(num_layers * D, 5, 4, dtype=dt))
    check_module(tw, fw, *inputs, **_tol(dt))
    check_module(tw, fw, x, **_tol(dt))  # zero initial state


# -- functional layer ops ---------------------------------------------------------------------
def test_functional_lstm_and_gru():
    t = torch.nn.LSTM(3, 4, 2, bidirectional=True).double()
    x = _randn(5, 2, 3)
    h0, c0 = _randn(4, 2, 4), _randn(4, 2, 4)
    tw = [p.detach() for p in t._flat_weights]
    ref = torch.lstm(torch.from_numpy(x), (torch.from_numpy(h0), torch.from_numpy(c0)), tw,
                     True, 2, 0.0, False, True, False)
    got = flambeau.lstm(flambeau.tensor(x), (flambeau.tensor(h0), flambeau.tensor(c0)),
                        [to_fl(w) for w in tw], True, 2, 0.0, False, True, False)
    for a, b in zip(got, ref):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-12)
    g = torch.nn.GRU(3, 4).double()
    gw = [p.detach() for p in g._flat_weights]
    data = _randn(6, 3)
    bs = torch.tensor([3, 2, 1])
    ref = torch.gru(torch.from_numpy(data), bs, torch.zeros(1, 3, 4, dtype=torch.float64), gw,
                    True, 1, 0.0, False, False)
    got = flambeau.gru(flambeau.tensor(data), flambeau.tensor([3, 2, 1]),
                       flambeau.zeros(1, 3, 4, dtype=flambeau.float64),
                       [to_fl(w) for w in gw], True, 1, 0.0, False, False)
    for a, b in zip(got, ref):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-12)


@pytest.mark.parametrize('name', ['LSTM', 'GRU', 'RNN'])
@pytest.mark.parametrize('bidirectional', [False, True])
def test_layer_gradcheck(name, bidirectional):
    m = getattr(flambeau.nn, name)(2, 3, bidirectional=bidirectional).double()
    D = 2 if bidirectional else 1
    x = flambeau.tensor(_randn(3, 2, 2), requires_grad=True)
    h0 = flambeau.tensor(_randn(D, 2, 3), requires_grad=True)
    c0 = flambeau.tensor(_randn(D, 2, 3), requires_grad=True)
    ws = [p.detach().requires_grad_() for p in m._flat_weights]
    fn = {'LSTM': flambeau.lstm, 'GRU': flambeau.gru, 'RNN': flambeau.rnn_tanh}[name]

    def f(x, h0, c0, *ws):
        hx = (h0, c0) if name == 'LSTM' else h0
        return fn(x, hx, list(ws), True, 1, 0.0, False, bidirectional, False)
    assert flambeau.autograd.gradcheck(f, (x, h0, c0, *ws))


def test_packed_gradcheck():
    m = flambeau.nn.LSTM(2, 3, bidirectional=True, proj_size=2).double()
    data = flambeau.tensor(_randn(6, 2), requires_grad=True)
    bs = flambeau.tensor([3, 2, 1])
    h0 = flambeau.tensor(_randn(2, 3, 2), requires_grad=True)
    c0 = flambeau.tensor(_randn(2, 3, 3), requires_grad=True)
    ws = [p.detach().requires_grad_() for p in m._flat_weights]

    def f(data, h0, c0, *ws):
        return flambeau.lstm(data, bs, (h0, c0), list(ws), True, 1, 0.0, False, True)
    assert flambeau.autograd.gradcheck(f, (data, h0, c0, *ws))


@pytest.mark.parametrize('name', ['LSTM', 'GRU', 'RNN'])
def test_layer_gradgradcheck(name):
    """Double backward through a fused layer (recomputed with Tensor ops under
    create_graph)."""
    m = getattr(flambeau.nn, name)(1, 1, bias=False, bidirectional=True).double()
    x = flambeau.tensor(_randn(3, 1, 1), requires_grad=True)
    h0 = flambeau.tensor(_randn(2, 1, 1), requires_grad=True)
    c0 = flambeau.tensor(_randn(2, 1, 1), requires_grad=True)
    ws = [p.detach().requires_grad_() for p in m._flat_weights]
    fn = {'LSTM': flambeau.lstm, 'GRU': flambeau.gru, 'RNN': flambeau.rnn_tanh}[name]

    def f(x, h0, c0, *ws):
        hx = (h0, c0) if name == 'LSTM' else h0
        return fn(x, hx, list(ws), False, 1, 0.0, False, True, False)
    assert flambeau.autograd.gradgradcheck(f, (x, h0, c0, *ws))


def test_packed_gradgradcheck():
    m = flambeau.nn.LSTM(1, 2, bias=False, bidirectional=True, proj_size=1).double()
    data = flambeau.tensor(_randn(4, 1), requires_grad=True)
    bs = flambeau.tensor([2, 1, 1])
    h0 = flambeau.tensor(_randn(2, 2, 1), requires_grad=True)
    c0 = flambeau.tensor(_randn(2, 2, 2), requires_grad=True)
    ws = [p.detach().requires_grad_() for p in m._flat_weights]

    def f(data, h0, c0, *ws):
        return flambeau.lstm(data, bs, (h0, c0), list(ws), False, 1, 0.0, False, True)
    assert flambeau.autograd.gradgradcheck(f, (data, h0, c0, *ws))


def test_gradient_penalty_through_lstm_matches_torch():
    """A gradient penalty (create_graph through the fused layer, then backward) as in torch."""
    t = torch.nn.LSTM(3, 4, 2).double()
    f = flambeau.nn.LSTM(3, 4, 2).double()
    from nn_helpers import copy_state
    copy_state(t, f)
    x = _randn(5, 2, 3)
    tx = torch.from_numpy(x.copy()).requires_grad_()
    fx = flambeau.tensor(x, requires_grad=True)
    for lib, m, xx in ((torch, t, tx), (flambeau, f, fx)):
        out, _ = m(xx)
        g, = lib.autograd.grad(out.pow(2).sum(), xx, create_graph=True)
        g.pow(2).sum().backward()
    np.testing.assert_allclose(fx.grad.numpy(), tx.grad.numpy(), atol=1e-10)
    fp = dict(f.named_parameters())
    for n, p in t.named_parameters():
        np.testing.assert_allclose(fp[n].grad.numpy(), p.grad.numpy(), atol=1e-10, err_msg=n)


def test_hidden_size_one():
    """hidden_size 1: the transposed recurrent weights are contiguous without a copy."""
    for name in ('LSTM', 'GRU', 'RNN'):
        t, f = _pair(name, 2, 1, 2, bidirectional=True)
        check_module(t.double(), f.double(), _randn(4, 3, 2), **_tol('float64'))
    t, f = _pair('LSTM', 2, 3, proj_size=1)
    check_module(t.double(), f.double(), _randn(4, 3, 2), **_tol('float64'))


def test_integer_cells_and_layers():
    def cases(lib):
        x, h = lib.ones(3, 4, dtype=lib.int64), lib.ones(3, 5, dtype=lib.int64)
        w, u, b = (lib.ones(5, 4, dtype=lib.int64), lib.ones(5, 5, dtype=lib.int64),
                   lib.ones(5, dtype=lib.int64))
        return [lambda: lib.rnn_relu_cell(x, h, w, u, b, b),
                lambda: lib.rnn_tanh_cell(x, h, w, u, b, b),
                lambda: lib.rnn_relu(x[None], h[None], [w, u, b, b], True, 1, 0.0, False,
                                     False, False)[0]]
    for tc, fc in zip(cases(torch), cases(flambeau)):
        r, s = tc(), fc()
        assert str(r.dtype) == str(s.dtype)
        np.testing.assert_allclose(s.numpy(), r.numpy())
    r = torch.ones
    _raises_like(lambda: torch.lstm_cell(r(3, 4).long(), (r(3, 5).long(), r(3, 5).long()),
                                         r(20, 4).long(), r(20, 5).long()),
                 lambda: flambeau.lstm_cell(flambeau.ones(3, 4).long(),
                                            (flambeau.ones(3, 5).long(),
                                             flambeau.ones(3, 5).long()),
                                            flambeau.ones(20, 4).long(),
                                            flambeau.ones(20, 5).long()))
    _raises_like(lambda: torch.nn.GRU(4, 5).to(torch.bfloat16)(r(2, 3, 4).bool()),
                 lambda: flambeau.nn.GRU(4, 5).to(flambeau.bfloat16)(flambeau.ones(2, 3, 4)
                                                                       .bool()))


def test_grad_fn_names():
    for dt in (torch.float32, torch.float64):
        fdt = flambeau.float32 if dt is torch.float32 else flambeau.float64
        for name in ('LSTM', 'GRU', 'RNN'):
            for bi in (False, True):
                t = getattr(torch.nn, name)(3, 4, bidirectional=bi).to(dt)
                f = getattr(flambeau.nn, name)(3, 4, bidirectional=bi).to(fdt)
                to = t(torch.randn(2, 1, 3, dtype=dt, requires_grad=True))
                fo = f(flambeau.randn(2, 1, 3, dtype=fdt, requires_grad=True))
                assert fo[0].grad_fn.name() == to[0].grad_fn.name()
    x = flambeau.randn(2, 3, requires_grad=True)
    h, c = flambeau.nn.LSTMCell(3, 4)(x)
    assert (h.grad_fn.name(), c.grad_fn.name()) == ('MulBackward0', 'AddBackward0')


# -- cells -------------------------------------------------------------------------------------
_CELLS = [('rnn_tanh_cell', 1), ('rnn_relu_cell', 1), ('lstm_cell', 4), ('gru_cell', 3)]


@pytest.mark.parametrize('bias', [True, False])
@pytest.mark.parametrize('name,chunks', _CELLS)
def test_cell_functions(name, chunks, bias):
    B, I, H = 3, 4, 5
    arrays = [_randn(B, I), _randn(B, H), _randn(B, H), _randn(chunks * H, I),
              _randn(chunks * H, H), _randn(chunks * H), _randn(chunks * H)]
    if not bias:
        arrays = arrays[:5]
    tt = [torch.from_numpy(a.copy()).requires_grad_() for a in arrays]
    ff = [flambeau.tensor(a.copy(), requires_grad=True) for a in arrays]

    def call(lib, ts):
        fn = getattr(lib, name)
        hx = (ts[1], ts[2]) if name == 'lstm_cell' else ts[1]
        out = fn(ts[0], hx, *ts[3:])
        return list(out) if isinstance(out, tuple) else [out]
    to, fo = call(torch, tt), call(flambeau, ff)
    for a, b in zip(fo, to):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), atol=1e-12)
    gs = [_randn(*z.shape) for z in to]
    torch.autograd.backward(to, [torch.from_numpy(g) for g in gs])
    flambeau.autograd.backward(fo, [flambeau.tensor(g) for g in gs])
    for a, b in zip(ff, tt):
        if b.grad is None:
            assert a.grad is None
        else:
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), atol=1e-10)
    ins = tuple(ff) if name == 'lstm_cell' else tuple(ff[:2] + ff[3:])

    def f(*ts):
        if name == 'lstm_cell':
            return getattr(flambeau, name)(ts[0], (ts[1], ts[2]), *ts[3:])
        return getattr(flambeau, name)(ts[0], ts[1], *ts[2:])
    assert flambeau.autograd.gradcheck(f, ins)
    assert flambeau.autograd.gradgradcheck(f, ins)


@pytest.mark.parametrize('dt', ['float32', 'float64'])
@pytest.mark.parametrize('name', ['RNNCell', 'LSTMCell', 'GRUCell'])
@pytest.mark.parametrize('batched', [True, False])
@pytest.mark.parametrize('with_h', [True, False])
def test_cell_modules(name, batched, with_h, dt):
    tdt, fdt = _DTYPES[dt][:2]
    t, f = _pair(name, 4, 5)
    t, f = t.to(tdt), f.to(fdt)
    shape = (3,) if batched else ()
    x = _randn(*shape, 4, dtype=dt)
    if not with_h:
        check_module(t, f, x, **_tol(dt))
    elif name == 'LSTMCell':
        h = torch.from_numpy(_randn(*shape, 5, dtype=dt)).requires_grad_()
        c = torch.from_numpy(_randn(*shape, 5, dtype=dt)).requires_grad_()
        from nn_helpers import copy_state
        copy_state(t, f)
        th, tc = t(torch.from_numpy(x), (h, c))
        fh, fc = f(flambeau.tensor(x), (to_fl(h), to_fl(c)))
        np.testing.assert_allclose(fh.detach().numpy(), th.detach().numpy(), **_tol(dt))
        np.testing.assert_allclose(fc.detach().numpy(), tc.detach().numpy(), **_tol(dt))
    else:
        check_module(t, f, x, _randn(*shape, 5, dtype=dt), **_tol(dt))


def test_rnn_cell_relu_module():
    t, f = _pair('RNNCell', 4, 5, bias=False, nonlinearity='relu')
    check_module(t.double(), f.double(), _randn(3, 4), _randn(3, 5), **_tol('float64'))


def test_cell_loop_trains_like_torch():
    """An LSTMCell unrolled by hand over 6 steps: same outputs and gradients as torch."""
    t, f = _pair('LSTMCell', 3, 4)
    t, f = t.double(), f.double()
    from nn_helpers import copy_state
    copy_state(t, f)
    xs = _randn(6, 2, 3)
    th = tc = torch.zeros(2, 4, dtype=torch.float64)
    fh = fc = flambeau.zeros(2, 4, dtype=flambeau.float64)
    for x in xs:
        th, tc = t(torch.from_numpy(x), (th, tc))
        fh, fc = f(flambeau.tensor(x), (fh, fc))
    (th.sum() + tc.pow(2).sum()).backward()
    (fh.sum() + fc.pow(2).sum()).backward()
    fp = dict(f.named_parameters())
    for n, p in t.named_parameters():
        np.testing.assert_allclose(fp[n].grad.numpy(), p.grad.numpy(), atol=1e-10)


# -- module API --------------------------------------------------------------------------------
_REPRS = [
    ('LSTM', (10, 20, 2), dict(batch_first=True, dropout=0.5, bidirectional=True, proj_size=5)),
    ('LSTM', (10, 20), {}),
    ('GRU', (10, 20), dict(bias=False)),
    ('RNN', (10, 20), dict(nonlinearity='relu')),
    ('RNN', (10, 20, 3, 'relu', False), {}),
    ('RNNCell', (10, 20), dict(nonlinearity='relu', bias=False)),
    ('LSTMCell', (10, 20), {}),
    ('GRUCell', (10, 20), {}),
    ('RNNCell', (10, 20), {}),
]


@pytest.mark.parametrize('name,args,kwargs', _REPRS)
def test_repr_and_state_dict_keys(name, args, kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        t = getattr(torch.nn, name)(*args, **kwargs)
        f = getattr(flambeau.nn, name)(*args, **kwargs)
    assert repr(f) == repr(t)
    assert list(f.state_dict()) == list(t.state_dict())
    for (n1, p1), (n2, p2) in zip(f.named_parameters(), t.named_parameters()):
        assert n1 == n2 and tuple(p1.shape) == tuple(p2.shape)


def test_init_range_all_weights_and_flatten():
    f = flambeau.nn.LSTM(10, 16, 2, bidirectional=True, proj_size=4)
    for p in f.parameters():
        a = p.detach().numpy()
        assert a.min() >= -0.25 and a.max() <= 0.25 and a.std() > 0.05
    t = torch.nn.LSTM(10, 16, 2, bidirectional=True, proj_size=4)
    assert [[tuple(p.shape) for p in ws] for ws in f.all_weights] == \
        [[tuple(p.shape) for p in ws] for ws in t.all_weights]
    assert f.flatten_parameters() is None
    assert f._flat_weights[0] is f.weight_ih_l0
    f.double()
    assert f._flat_weights[0].dtype is flambeau.float64
    out, (h, c) = f(flambeau.randn(3, 2, 10, dtype=flambeau.float64))
    assert out.shape == (3, 2, 8) and h.shape == (4, 2, 4) and c.shape == (4, 2, 16)


def test_state_dict_round_trip():
    t = torch.nn.GRU(3, 4, 2, bidirectional=True)
    f = flambeau.nn.GRU(3, 4, 2, bidirectional=True)
    f.load_state_dict({k: to_fl(v) for k, v in t.state_dict().items()})
    x = _randn(5, 2, 3, dtype='float32')
    np.testing.assert_allclose(f(flambeau.tensor(x))[0].detach().numpy(),
                               t(torch.from_numpy(x))[0].detach().numpy(), atol=1e-6)


# -- errors -------------------------------------------------------------------------------------
def _raises_like(make_t, make_f):
    with pytest.raises(Exception) as te:
        make_t()
    with pytest.raises(Exception) as fe:
        make_f()
    assert type(fe.value) is type(te.value), (fe.value, te.value)
    assert str(fe.value) == str(te.value)


def _call(lib, ctor, *shapes, hx=None, tuple_hx=False, **dtype):
    m = getattr(lib.nn, ctor[0])(*ctor[1], **ctor[2])
    x = lib.randn(*shapes[0], **dtype)
    if hx is None:
        return m(x)
    hs = tuple(lib.randn(*s) for s in hx)
    return m(x, hs if tuple_hx else hs[0])


_CALL_ERRORS = [
    (('LSTM', (10, 20, 2), {}), [(5, 3, 7)], None, False),
    (('LSTM', (10, 20, 2), {}), [(5, 3, 10)], [(1, 3, 20), (2, 3, 20)], True),
    (('LSTM', (10, 20, 2), {}), [(5, 3, 10)], [(2, 3, 20), (1, 3, 20)], True),
    (('LSTM', (10, 20, 2), {}), [(5, 10)], [(2, 3, 20), (2, 3, 20)], True),
    (('LSTM', (10, 20, 2), {}), [(5, 3, 10)], [(2, 20), (2, 20)], True),
    (('LSTM', (10, 20, 2), {}), [(5, 3, 2, 10)], None, False),
    (('LSTM', (10, 20, 2), {}), [(10,)], None, False),
    (('LSTM', (10, 20), dict(batch_first=True)), [(5, 3, 10)], [(1, 3, 20), (1, 3, 20)], True),
    (('GRU', (10, 20, 2), {}), [(5, 3, 10)], [(1, 3, 20)], False),
    (('GRU', (10, 20, 2), {}), [(5, 10)], [(2, 3, 20)], False),
    (('GRU', (10, 20, 2), {}), [(5, 3, 10)], [(2, 20)], False),
    (('GRU', (10, 20), {}), [(5, 3, 2, 10)], None, False),
    (('RNN', (10, 20), {}), [(5, 3, 2, 10)], None, False),
    (('RNN', (10, 20), {}), [(5, 3, 10)], [(2, 3, 20)], False),
    (('RNN', (10, 20), {}), [(5, 10)], [(1, 3, 20)], False),
    (('LSTMCell', (10, 20), {}), [(3, 7)], None, False),
    (('LSTMCell', (10, 20), {}), [(3, 10)], [(4, 20), (4, 20)], True),
    (('LSTMCell', (10, 20), {}), [(3, 10)], [(3, 21), (3, 20)], True),
    (('LSTMCell', (10, 20), {}), [(3, 10)], [(3, 20), (3, 21)], True),
    (('LSTMCell', (10, 20), {}), [(2, 3, 10)], None, False),
    (('LSTMCell', (10, 20), {}), [(3, 10)], [(2, 3, 20), (3, 20)], True),
    (('GRUCell', (10, 20), {}), [(3, 7)], None, False),
    (('GRUCell', (10, 20), {}), [(3, 10)], [(4, 20)], False),
    (('GRUCell', (10, 20), {}), [(2, 3, 10)], None, False),
    (('GRUCell', (10, 20), {}), [(3, 10)], [(2, 3, 20)], False),
    (('RNNCell', (10, 20), {}), [(2, 3, 10)], None, False),
    (('RNNCell', (10, 20), {}), [(3, 10)], [(2, 3, 20)], False),
]


@pytest.mark.parametrize('ctor,shapes,hx,tuple_hx', _CALL_ERRORS)
def test_forward_errors(ctor, shapes, hx, tuple_hx):
    _raises_like(lambda: _call(torch, ctor, *shapes, hx=hx, tuple_hx=tuple_hx),
                 lambda: _call(flambeau, ctor, *shapes, hx=hx, tuple_hx=tuple_hx))


def test_dtype_mismatch_error():
    _raises_like(lambda: torch.nn.GRU(10, 20)(torch.randn(5, 3, 10).double()),
                 lambda: flambeau.nn.GRU(10, 20)(flambeau.randn(5, 3, 10).double()))


_CTOR_ERRORS = [
    ('RNN', (10, 20), dict(nonlinearity='sigmoid')),
    ('RNN', (10, 20), dict(proj_size=3)),
    ('GRU', (10, 20), dict(proj_size=3)),
    ('LSTM', (10, 20), dict(proj_size=20)),
    ('LSTM', (10, 20), dict(proj_size=-1)),
    ('LSTM', (10, 20), dict(dropout=1.5)),
    ('LSTM', (10, 20), dict(dropout=True)),
    ('LSTM', (10, 0), {}),
    ('LSTM', (0, 10), {}),
    ('LSTM', (10, 20, 0), {}),
    ('LSTM', (10, 2.5), {}),
    ('LSTM', (10.0, 2), {}),
    ('LSTM', (10, 20), dict(bias=1)),
    ('LSTM', (10, 20), dict(batch_first=None)),
    ('RNNBase', ('FOO', 10, 20), {}),
]


@pytest.mark.parametrize('name,args,kwargs', _CTOR_ERRORS)
def test_constructor_errors(name, args, kwargs):
    _raises_like(lambda: getattr(torch.nn, name)(*args, **kwargs),
                 lambda: getattr(flambeau.nn, name)(*args, **kwargs))


def test_dropout_single_layer_warns():
    with pytest.warns(UserWarning, match='non-zero dropout expects num_layers greater than 1'):
        flambeau.nn.LSTM(10, 20, dropout=0.5)


def test_cell_function_errors():
    def cases(lib):
        r = lib.randn
        return [
            lambda: lib.lstm_cell(r(3, 10), (r(3, 20), r(3, 20)), r(60, 10), r(80, 20)),
            lambda: lib.lstm_cell(r(3, 10), (r(3, 20), r(3, 20)), r(80, 10), r(60, 20)),
            lambda: lib.lstm_cell(r(3, 10), (r(3, 20),), r(80, 10), r(80, 20)),
            lambda: lib.gru_cell(r(3, 10), r(3, 20), r(50, 10), r(60, 20)),
            lambda: lib.rnn_tanh_cell(r(3, 10), r(3, 20), r(20, 10), r(30, 20)),
            lambda: lib.rnn_tanh_cell(r(3, 7), r(3, 20), r(20, 10), r(20, 20)),
            lambda: lib.rnn_relu_cell(r(3, 10), r(4, 20), r(20, 10), r(20, 20)),
            lambda: lib.rnn_tanh_cell(r(3, 10).double(), r(3, 20), r(20, 10), r(20, 20)),
        ]
    for tc, fc in zip(cases(torch), cases(flambeau)):
        _raises_like(tc, fc)


def test_inplace_on_output_before_backward():
    """PyTorch lets the output be changed in place before backward; the gradients stay
    right (the states the backward needs are not the output's memory)."""
    t = torch.nn.GRU(3, 4).double()
    f = flambeau.nn.GRU(3, 4).double()
    from nn_helpers import copy_state
    copy_state(t, f)
    x = _randn(5, 2, 3)
    tx = torch.from_numpy(x.copy()).requires_grad_()
    fx = flambeau.tensor(x, requires_grad=True)
    for m, xx in ((t, tx), (f, fx)):
        out, h = m(xx)
        out.mul_(2)
        (out.sum() + h.sum()).backward()
    np.testing.assert_allclose(fx.grad.numpy(), tx.grad.numpy(), atol=1e-10)


def test_lstm_with_and_without_the_accumulating_gemm(monkeypatch):
    """The LSTM layer's recurrent product accumulates into the gate block through BLAS where it
    can (Note [GEMM into an existing array]); NumPy's product-then-add path gives the same
    outputs and gradients, and both match PyTorch."""
    from flambeau.ops import rnn
    torch.manual_seed(0)
    ref = torch.nn.LSTM(5, 7, num_layers=2)
    x = torch.randn(6, 3, 5)
    ty, _ = ref(x)
    ty.sum().backward()
    results = []
    for use_blas in (True, False):
        if not use_blas:
            monkeypatch.setattr(rnn, 'gemm_acc', lambda a, b, c: False)
        m = flambeau.nn.LSTM(5, 7, num_layers=2)
        m.load_state_dict({k: to_fl(v) for k, v in ref.state_dict().items()})
        y, _ = m(flambeau.tensor(x.numpy()))
        y.sum().backward()
        results.append((y.detach().numpy(), m.weight_hh_l0.grad.numpy()))
        np.testing.assert_allclose(results[-1][0], ty.detach().numpy(), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(results[-1][1], ref.weight_hh_l0.grad.numpy(), rtol=1e-4,
                                   atol=1e-5)
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-6, atol=1e-7)
