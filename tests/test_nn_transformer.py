"""The transformer modules against PyTorch: ``TransformerEncoderLayer``,
``TransformerDecoderLayer``, their stacks and ``Transformer`` — reprs, ``state_dict`` keys,
outputs and every gradient (weights copied from torch) with each mask kind, batch_first,
norm_first, gelu and callable activations, bias=False; errors; initialisation; the causal mask."""
import warnings

import numpy as np
import pytest

torch = pytest.importorskip('torch')

import flambeau  # noqa: E402
from nn_helpers import assert_close, check_module  # noqa: E402

D, H, FF = 8, 2, 16
# PyTorch's (and flambeau's) note that seq-first layers cannot use nested tensors
pytestmark = pytest.mark.filterwarnings('ignore:enable_nested_tensor is True')


def _rand(*shape):
    return np.random.default_rng(sum(shape) + len(shape)).standard_normal(shape).astype(
        np.float32)


def _both(name, *args, **kwargs):
    """The module ``name`` built in torch and in flambeau (nested-tensor warnings ignored)."""
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return getattr(torch.nn, name)(*args, **kwargs), getattr(flambeau.nn, name)(*args,
                                                                                 **kwargs)


def _stack(kind, num_layers, norm=True, **kw):
    layer_t, layer_f = _both(f'Transformer{kind}Layer', D, H, FF, **kw)
    norms = _both('LayerNorm', D) if norm else (None, None)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return (getattr(torch.nn, f'Transformer{kind}')(layer_t, num_layers, norms[0]),
                getattr(flambeau.nn, f'Transformer{kind}')(layer_f, num_layers, norms[1]))


CONFIGS = [{}, {'batch_first': True}, {'norm_first': True}, {'activation': 'gelu'},
           {'bias': False, 'layer_norm_eps': 1e-6}, {'dropout': 0.0, 'batch_first': True}]


# -- structure -------------------------------------------------------------------------------------
@pytest.mark.parametrize('kw', CONFIGS)
def test_reprs_and_state_dict_keys(kw):
    for name in ('TransformerEncoderLayer', 'TransformerDecoderLayer'):
        t, f = _both(name, D, H, FF, **kw)
        assert repr(f) == repr(t)
        assert list(f.state_dict()) == list(t.state_dict())
    for kind in ('Encoder', 'Decoder'):
        t, f = _stack(kind, 2, **kw)
        assert repr(f) == repr(t)
        assert list(f.state_dict()) == list(t.state_dict())
    t, f = _both('Transformer', D, H, 2, 1, FF, **kw)
    assert repr(f) == repr(t)
    assert list(f.state_dict()) == list(t.state_dict())
    assert 'encoder.layers.1.self_attn.in_proj_weight' in f.state_dict()


def test_attributes():
    _, f = _both('TransformerEncoderLayer', D, H, FF, activation='gelu')
    assert f.activation is flambeau.nn.functional.gelu and f.activation_relu_or_gelu == 2
    _, f = _both('TransformerEncoderLayer', D, H, FF)
    assert f.activation is flambeau.nn.functional.relu and f.activation_relu_or_gelu == 1
    f = flambeau.nn.TransformerEncoderLayer(D, H, FF, activation=flambeau.nn.GELU())
    assert f.activation_relu_or_gelu == 2
    f = flambeau.nn.TransformerEncoderLayer(D, H, FF, activation=flambeau.tanh)
    assert f.activation_relu_or_gelu == 0
    _, f = _both('Transformer', D, H, 1, 1, FF, batch_first=True)
    assert (f.d_model, f.nhead, f.batch_first) == (D, H, True)
    enc = f.encoder
    assert enc.num_layers == 1 and enc.enable_nested_tensor and enc.use_nested_tensor
    assert enc.layers[0] is not f.decoder.layers[0]


def test_layers_are_independent_copies():
    _, f = _stack('Encoder', 3)
    ws = [m.linear1.weight for m in f.layers]
    assert all(w is not ws[0] for w in ws[1:])
    assert all((w == ws[0]).all() for w in ws[1:])  # deep copies of one layer
    with flambeau.no_grad():
        ws[0].add_(1)
    assert not (ws[1] == ws[0]).all()


def test_nested_tensor_warning_as_torch():
    layer_t = torch.nn.TransformerEncoderLayer(D, H, FF)
    layer_f = flambeau.nn.TransformerEncoderLayer(D, H, FF)
    with pytest.warns(UserWarning) as tw:
        t = torch.nn.TransformerEncoder(layer_t, 1)
    with pytest.warns(UserWarning) as fw:
        f = flambeau.nn.TransformerEncoder(layer_f, 1)
    assert str(fw[0].message) == str(tw[0].message)
    assert f.use_nested_tensor is t.use_nested_tensor is False
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        flambeau.nn.TransformerEncoder(layer_f, 1, enable_nested_tensor=False)


def test_transformer_init_xavier():
    flambeau.manual_seed(0)
    f = flambeau.nn.Transformer(D, H, 1, 1, FF)
    for name, p in f.named_parameters():
        if p.dim() > 1:
            fan_out, fan_in = p.shape[0], p.shape[1]
            bound = (6 / (fan_in + fan_out)) ** 0.5
            assert p.abs().max().item() <= bound + 1e-6, name
            assert p.abs().max().item() > bound * 0.8, name
    assert (f.encoder.layers[0].self_attn.in_proj_bias == 0).all()


def test_generate_square_subsequent_mask():
    for sz in (0, 1, 4):
        assert_close(flambeau.nn.Transformer.generate_square_subsequent_mask(sz),
                     torch.nn.Transformer.generate_square_subsequent_mask(sz))
    m = flambeau.nn.Transformer.generate_square_subsequent_mask(3, dtype=flambeau.float64)
    assert m.dtype == flambeau.float64


# -- numerics: outputs and all gradients ----------------------------------------------------------
def _src(batch_first, L=5, N=3):
    return _rand(N, L, D) if batch_first else _rand(L, N, D)


def _bool_mask(L, S):
    m = np.random.default_rng(L * S).random((L, S)) < 0.3
    m[:, 0] = False
    return m


@pytest.mark.parametrize('kw', CONFIGS)
def test_encoder_layer(kw):
    t, f = _both('TransformerEncoderLayer', D, H, FF, **kw)
    bf = kw.get('batch_first', False)
    check_module(t, f, _src(bf), train=kw.get('dropout', 0.1) == 0.0, atol=1e-4)


@pytest.mark.parametrize('bf', [False, True])
def test_encoder_layer_masks(bf):
    t, f = _both('TransformerEncoderLayer', D, H, FF, dropout=0.0, batch_first=bf)
    L, N = 5, 3
    kpm = np.zeros((N, L), bool)
    kpm[1, -2:] = True
    fmask = np.random.default_rng(0).standard_normal((L, L)).astype(np.float32)
    causal = np.triu(np.full((L, L), -np.inf, np.float32), 1)
    check_module(t, f, _src(bf), _bool_mask(L, L), atol=1e-4)
    check_module(t, f, _src(bf), fmask, atol=1e-4)
    check_module(t, f, _src(bf), None, kpm, atol=1e-4)
    check_module(t, f, _src(bf), _bool_mask(L, L), kpm, atol=1e-4)
    check_module(t, f, _src(bf), causal, None, True, atol=1e-4)
    check_module(t, f, _src(bf), _rand(N * H, L, L), atol=1e-4)


def test_encoder_layer_unbatched_and_eval():
    t, f = _both('TransformerEncoderLayer', D, H, FF)
    check_module(t, f, _rand(5, D), train=False, atol=1e-4)
    t, f = _both('TransformerEncoderLayer', D, H, FF, batch_first=True)
    with torch.no_grad(), flambeau.no_grad():  # PyTorch's inference fast path, same values
        check_module(t, f, _src(True), train=False, grad=False, atol=1e-4)


def test_encoder_layer_callable_activation():
    t = torch.nn.TransformerEncoderLayer(D, H, FF, dropout=0.0, activation=torch.tanh)
    f = flambeau.nn.TransformerEncoderLayer(D, H, FF, dropout=0.0, activation=flambeau.tanh)
    check_module(t, f, _src(False), atol=1e-4)
    t = torch.nn.TransformerEncoderLayer(D, H, FF, dropout=0.0, activation=torch.nn.GELU())
    f = flambeau.nn.TransformerEncoderLayer(D, H, FF, dropout=0.0, activation=flambeau.nn.GELU())
    check_module(t, f, _src(False), atol=1e-4)


@pytest.mark.parametrize('kw', [{}, {'batch_first': True, 'norm_first': True}])
def test_encoder_stack(kw):
    t, f = _stack('Encoder', 2, dropout=0.0, **kw)
    bf = kw.get('batch_first', False)
    L = 5
    causal = np.triu(np.full((L, L), -np.inf, np.float32), 1)
    kpm = np.zeros((3, L), bool)
    kpm[0, -1] = True
    check_module(t, f, _src(bf), atol=1e-4)
    check_module(t, f, _src(bf), causal, atol=1e-4)  # detected as causal
    check_module(t, f, _src(bf), causal, None, True, atol=1e-4)
    check_module(t, f, _src(bf), None, kpm, atol=1e-4)
    check_module(t, f, _src(bf), _bool_mask(L, L), kpm, atol=1e-4)
    t, f = _stack('Encoder', 2, norm=False, dropout=0.0, **kw)
    check_module(t, f, _src(bf), atol=1e-4)


@pytest.mark.parametrize('kw', CONFIGS)
def test_decoder_layer(kw):
    t, f = _both('TransformerDecoderLayer', D, H, FF, **kw)
    bf = kw.get('batch_first', False)
    check_module(t, f, _src(bf, 4), _src(bf, 6), train=kw.get('dropout', 0.1) == 0.0,
                 atol=1e-4)


def test_decoder_masks():
    t, f = _stack('Decoder', 2, dropout=0.0)
    T_, S_, N = 4, 6, 3
    causal = np.triu(np.full((T_, T_), -np.inf, np.float32), 1)
    tkpm = np.zeros((N, T_), bool)
    tkpm[2, -1] = True
    mkpm = np.zeros((N, S_), bool)
    mkpm[1, -3:] = True
    tgt, mem = _src(False, T_), _src(False, S_)
    check_module(t, f, tgt, mem, causal, atol=1e-4)
    check_module(t, f, tgt, mem, causal, _bool_mask(T_, S_), tkpm, mkpm, atol=1e-4)
    check_module(t, f, tgt, mem, None, None, None, None, None, False, atol=1e-4)
    t, f = _both('TransformerDecoderLayer', D, H, FF, dropout=0.0, norm_first=True)
    check_module(t, f, tgt, mem, causal, None, None, None, True, atol=1e-4)
    check_module(t, f, _rand(T_, D), _rand(S_, D), causal, atol=1e-4)  # unbatched


@pytest.mark.parametrize('kw', [{}, {'batch_first': True, 'norm_first': True,
                                     'activation': 'gelu'}])
def test_transformer(kw):
    t, f = _both('Transformer', D, H, 2, 2, FF, dropout=0.0, **kw)
    bf = kw.get('batch_first', False)
    T_ = 4
    causal = np.triu(np.full((T_, T_), -np.inf, np.float32), 1)
    kpm = np.zeros((3, 5), bool)
    kpm[0, -1] = True
    check_module(t, f, _src(bf, 5), _src(bf, T_), atol=1e-4)
    check_module(t, f, _src(bf, 5), _src(bf, T_), None, causal, None, kpm, None, kpm,
                 atol=1e-4)


def test_transformer_eval_with_dropout():
    t, f = _both('Transformer', D, H, 1, 1, FF, dropout=0.3)
    check_module(t, f, _src(False, 5), _src(False, 4), train=False, atol=1e-4)
    f.train()
    out = f(flambeau.tensor(_src(False, 5)), flambeau.tensor(_src(False, 4)))
    assert out.shape == (4, 3, D)


# -- errors ----------------------------------------------------------------------------------------
def _raises_like(fn_t, fn_f, exc):
    with pytest.raises(exc) as ti:
        fn_t()
    with pytest.raises(exc) as fi:
        fn_f()
    assert str(fi.value) == str(ti.value)


def test_errors():
    _raises_like(lambda: torch.nn.TransformerEncoderLayer(D, H, activation='tanh'),
                 lambda: flambeau.nn.TransformerEncoderLayer(D, H, activation='tanh'),
                 RuntimeError)
    _raises_like(lambda: torch.nn.TransformerDecoderLayer(D, H, activation='swish'),
                 lambda: flambeau.nn.TransformerDecoderLayer(D, H, activation='swish'),
                 RuntimeError)
    t, f = _both('Transformer', D, H, 1, 1, FF)
    _raises_like(lambda: t(torch.zeros(5, 3, D), torch.zeros(4, 2, D)),
                 lambda: f(flambeau.zeros(5, 3, D), flambeau.zeros(4, 2, D)), RuntimeError)
    _raises_like(lambda: t(torch.zeros(5, 3, D), torch.zeros(4, 3, D + 1)),
                 lambda: f(flambeau.zeros(5, 3, D), flambeau.zeros(4, 3, D + 1)), RuntimeError)
    t, f = _both('TransformerEncoderLayer', D, H, FF)
    _raises_like(lambda: t(torch.zeros(5, 3, D), torch.zeros(5, 4, dtype=torch.bool)),
                 lambda: f(flambeau.zeros(5, 3, D), flambeau.zeros(5, 4, dtype=flambeau.bool)),
                 RuntimeError)
    _raises_like(lambda: t(torch.zeros(5, 3, D), None, torch.zeros(3, 5, dtype=torch.long)),
                 lambda: f(flambeau.zeros(5, 3, D), None,
                           flambeau.zeros(3, 5, dtype=flambeau.long)), AssertionError)
