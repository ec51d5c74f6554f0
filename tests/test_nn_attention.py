"""Attention against PyTorch: what the op registry (tests/registry_attention.py, run by
test_ops.py) cannot check of ``F.scaled_dot_product_attention`` (fully masked rows, dropout), and
``nn.MultiheadAttention`` / ``F.multi_head_attention_forward`` (outputs, attention weights and
every gradient, with each mask kind, batch_first, kdim/vdim, add_bias_kv, add_zero_attn)."""
import warnings

import numpy as np
import pytest

torch = pytest.importorskip('torch')

import flambeau  # noqa: E402
from nn_helpers import assert_close, check_module, to_fl  # noqa: E402


# -- sdpa: what the registry cannot check ----------------------------------------------------------
def test_sdpa_fully_masked_rows_are_zero():
    q = flambeau.randn(1, 2, 3, 4, requires_grad=True)
    k = flambeau.randn(1, 2, 5, 4, requires_grad=True)
    v = flambeau.randn(1, 2, 5, 4, requires_grad=True)
    m = flambeau.ones(3, 5, dtype=flambeau.bool)
    m[0] = False
    out = flambeau.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=m)
    assert (out[:, :, 0] == 0).all()
    assert not out.isnan().any()
    out.sum().backward()
    assert (q.grad[:, :, 0] == 0).all() and not k.grad.isnan().any()


def test_sdpa_dropout():
    flambeau.manual_seed(0)
    q = flambeau.zeros(4, 2, 64, 8)
    v = flambeau.ones(4, 2, 64, 8, requires_grad=True)
    out = flambeau.nn.functional.scaled_dot_product_attention(q, q, v, dropout_p=0.25)
    # uniform weights 1/64: each output is (kept count) / 64 / 0.75, mean 1
    assert abs(out.mean().item() - 1.0) < 0.05
    assert out.grad_fn.name() == 'UnsafeViewBackward0'
    out.sum().backward()
    assert abs(v.grad.mean().item() - 1.0) < 0.05  # each key: 64 rows of weight 1/64
    with pytest.raises(RuntimeError, match='dropout probability has to be between 0 and 1'):
        flambeau.nn.functional.scaled_dot_product_attention(q, q, v, dropout_p=1.5)


def test_sdpa_causal_with_mask_on_flash_path_ignores_mask():
    rng = np.random.default_rng(0)
    a = [rng.standard_normal((2, 2, 3, 4)).astype(np.float32) for _ in range(3)]
    m = rng.random((3, 3)) < 0.5
    t = torch.nn.functional.scaled_dot_product_attention(
        *map(torch.from_numpy, a), attn_mask=torch.from_numpy(m), is_causal=True)
    f = flambeau.nn.functional.scaled_dot_product_attention(
        *map(flambeau.tensor, a), attn_mask=flambeau.tensor(m), is_causal=True)
    assert_close(f, t)


@pytest.mark.parametrize('dt', ['float32', 'float64'])
@pytest.mark.parametrize('mask', ['causal', 'bool', 'bool4', 'float', 'float_heads'])
def test_sdpa_masks_and_a_nan_key_as_pytorch(mask, dt):
    """Masks broadcast over batch and heads (copied across the heads, Note [Masks over the
    heads]) or given whole, with a NaN key: PyTorch adds a boolean or float mask (the NaN
    reaches every row) but replaces the causal triangle's scores (rows that block the key stay
    finite); values and gradients."""
    rng = np.random.default_rng(1)
    q, k, v = (rng.standard_normal((3, 4, 6, 5)).astype(dt) for _ in range(3))
    k[:, :, 4] = np.nan
    kw = {'causal': dict(is_causal=True),
          'bool': dict(attn_mask=np.tril(np.ones((6, 6), bool)) | (rng.random((6, 6)) < 0.3)),
          'bool4': dict(attn_mask=rng.random((3, 4, 6, 6)) < 0.7),
          'float': dict(attn_mask=np.triu(np.full((6, 6), -np.inf, dt), 1)),
          'float_heads': dict(attn_mask=rng.standard_normal((4, 1, 6)).astype(dt))}[mask]
    fq, fk, fv = (flambeau.tensor(a, requires_grad=True) for a in (q, k, v))
    tq, tk, tv = (torch.tensor(a, requires_grad=True) for a in (q, k, v))
    f = flambeau.nn.functional.scaled_dot_product_attention(
        fq, fk, fv, **{n: flambeau.tensor(a) if isinstance(a, np.ndarray) else a
                       for n, a in kw.items()})
    t = torch.nn.functional.scaled_dot_product_attention(
        tq, tk, tv, **{n: torch.tensor(a) if isinstance(a, np.ndarray) else a
                       for n, a in kw.items()})
    assert_close(f, t)
    assert np.isnan(f.detach().numpy()).any()
    if mask == 'causal':
        assert not np.isnan(f.detach().numpy()[:, :, :4]).any()
    g = rng.standard_normal(t.shape).astype(dt)
    f.backward(flambeau.tensor(g))
    t.backward(torch.tensor(g))
    for a, b, name in ((fq, tq, 'q'), (fk, tk, 'k'), (fv, tv, 'v')):
        assert_close(a.grad, b.grad, what=name)


def test_sdpa_no_grad_records_nothing():
    q = flambeau.randn(2, 2, 3, 4, requires_grad=True)
    with flambeau.no_grad():
        out = flambeau.nn.functional.scaled_dot_product_attention(q, q, q)
    assert out.grad_fn is None and not out.requires_grad


def test_sdpa_backward_twice_raises():
    q = flambeau.randn(2, 2, 3, 4, requires_grad=True)
    out = flambeau.nn.functional.scaled_dot_product_attention(q, q, q)
    out.sum().backward()
    with pytest.raises(RuntimeError, match='Trying to backward through the graph a second time'):
        out.sum().backward()


# -- MultiheadAttention ---------------------------------------------------------------------------
def _rand(*shape):
    return np.random.default_rng(sum(shape)).standard_normal(shape).astype(np.float32)


def _pair(*args, **kwargs):
    return torch.nn.MultiheadAttention(*args, **kwargs), \
        flambeau.nn.MultiheadAttention(*args, **kwargs)


def _self_attention(m):
    """A module calling its ``mha`` with the same tensor as query, key and value."""
    class SelfAttention(m.nn.Module):
        def __init__(self, mha):
            super().__init__()
            self.mha = mha

        def forward(self, x, *args, **kwargs):
            return self.mha(x, x, x, *args, **kwargs)
    return SelfAttention


def _self_pair(*args, **kwargs):
    t, f = _pair(*args, **kwargs)
    return _self_attention(torch)(t), _self_attention(flambeau)(f)


def test_mha_repr_and_parameters():
    for kw in ({}, {'bias': False}, {'kdim': 3, 'vdim': 5}, {'add_bias_kv': True},
               {'batch_first': True, 'dropout': 0.1}):
        t, f = _pair(8, 2, **kw)
        assert repr(f) == repr(t)
        assert list(f.state_dict()) == list(t.state_dict())
        assert [n for n, _ in f.named_parameters()] == [n for n, _ in t.named_parameters()]
        for name, p in t.named_parameters():
            assert tuple(dict(f.named_parameters())[name].shape) == tuple(p.shape)
    _, f = _pair(8, 2)
    assert f.head_dim == 4 and f._qkv_same_embed_dim and f.bias_k is None
    assert (f.in_proj_bias == 0).all() and (f.out_proj.bias == 0).all()
    bound = (6 / (8 + 24)) ** 0.5  # xavier uniform of (24, 8)
    assert f.in_proj_weight.abs().max().item() <= bound


def test_mha_constructor_errors():
    for args, exc, msg in (((0, 2), ValueError, 'embed_dim and num_heads must be greater than 0'),
                           ((8, 3), AssertionError, 'embed_dim must be divisible by num_heads')):
        with pytest.raises(exc, match=msg):
            torch.nn.MultiheadAttention(*args)
        with pytest.raises(exc, match=msg):
            flambeau.nn.MultiheadAttention(*args)


@pytest.mark.parametrize('batch_first', [False, True])
@pytest.mark.parametrize('need_weights', [True, False])
def test_mha_self_attention(batch_first, need_weights):
    t, f = _self_pair(8, 2, batch_first=batch_first)
    check_module(t, f, _rand(3, 5, 8), None, need_weights)


@pytest.mark.parametrize('average', [True, False])
def test_mha_cross_attention_weights(average):
    t, f = _pair(8, 4)
    check_module(t, f, _rand(3, 2, 8), _rand(5, 2, 8), _rand(5, 2, 8),
                 kwargs={'average_attn_weights': average})


def test_mha_kdim_vdim_no_bias():
    t, f = _pair(8, 2, kdim=3, vdim=5, bias=False)
    check_module(t, f, _rand(4, 2, 8), _rand(6, 2, 3), _rand(6, 2, 5))
    check_module(t, f, _rand(4, 2, 8), _rand(6, 2, 3), _rand(6, 2, 5),
                 kwargs={'need_weights': False})


def test_mha_unbatched():
    t, f = _self_pair(8, 2)
    check_module(t, f, _rand(5, 8))
    t, f = _pair(8, 2)
    check_module(t, f, _rand(4, 8), _rand(6, 8), _rand(6, 8), np.arange(6) > 3,
                 kwargs={'need_weights': False})


def _masks(L, S, N, heads):
    rng = np.random.default_rng(3)
    bool2 = rng.random((L, S)) < 0.3
    bool2[:, 0] = False  # every row keeps a position
    float3 = rng.standard_normal((N * heads, L, S)).astype(np.float32)
    kpm = np.zeros((N, S), bool)
    kpm[0, -2:] = True
    return bool2, float3, kpm


@pytest.mark.parametrize('need_weights', [True, False])
def test_mha_masks(need_weights):
    L = S = 4
    bool2, float3, kpm = _masks(L, S, 3, 2)
    t, f = _self_pair(8, 2, batch_first=True)
    check_module(t, f, _rand(3, L, 8), None, need_weights, bool2)
    check_module(t, f, _rand(3, L, 8), None, need_weights, float3)
    check_module(t, f, _rand(3, L, 8), kpm, need_weights)
    check_module(t, f, _rand(3, L, 8), kpm, need_weights, bool2)
    fkpm = np.where(kpm, -1e4, 0.0).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        check_module(t, f, _rand(3, L, 8), fkpm, need_weights, float3)


def test_mha_causal_hint():
    causal = np.triu(np.full((4, 4), -np.inf, np.float32), 1)
    t, f = _self_pair(8, 2)
    check_module(t, f, _rand(4, 3, 8), None, False, causal, True, True)
    check_module(t, f, _rand(4, 3, 8), None, True, causal, True, True)


@pytest.mark.parametrize('batch_first', [False, True])
def test_mha_bias_kv_and_zero_attn(batch_first):
    t, f = _pair(8, 2, add_bias_kv=True, add_zero_attn=True, batch_first=batch_first)
    bool2, float3, kpm = _masks(3, 5, 2, 2)
    q, kv = ((2, 3, 8), (2, 5, 8)) if batch_first else ((3, 2, 8), (5, 2, 8))
    for nw in (True, False):
        check_module(t, f, _rand(*q), _rand(*kv), _rand(*kv), kpm, nw, bool2)
        check_module(t, f, _rand(*q), _rand(*kv), _rand(*kv), None, nw, float3)


@pytest.mark.parametrize('need_weights', [True, False])
def test_mha_batch_first_kdim_vdim(need_weights):
    t, f = _pair(8, 2, kdim=3, vdim=5, batch_first=True)
    _, _, kpm = _masks(4, 6, 2, 2)
    check_module(t, f, _rand(2, 4, 8), _rand(2, 6, 3), _rand(2, 6, 5), kpm, need_weights)
    with pytest.raises(AssertionError) as ti:
        t(*map(torch.from_numpy, (_rand(2, 4, 8), _rand(2, 6, 3), _rand(2, 7, 5))))
    with pytest.raises(AssertionError) as fi:
        f(*map(flambeau.tensor, (_rand(2, 4, 8), _rand(2, 6, 3), _rand(2, 7, 5))))
    assert str(fi.value) == str(ti.value)


def test_mha_eval_dropout_and_train_dropout():
    t, f = _self_pair(8, 2, dropout=0.5)
    check_module(t, f, _rand(4, 3, 8), train=False)
    f.train()
    x = flambeau.tensor(_rand(4, 3, 8))
    out, w = f(x)
    assert out.shape == (4, 3, 8) and w.shape == (3, 4, 4)


def test_mha_errors():
    t, f = _pair(8, 2)
    x3, x2 = _rand(3, 2, 8), _rand(3, 8)
    cases = [
        ((x3, x2, x2), AssertionError, 'For batched (3-D) `query`, expected `key` and `value` '
                                       'to be 3-D but found 2-D and 2-D tensors respectively'),
        ((x2, x3, x3), AssertionError, 'For unbatched (2-D) `query`, expected `key` and `value` '
                                       'to be 2-D'),
        ((_rand(8),) * 3, AssertionError, 'query should be unbatched 2D or batched 3D tensor but '
                                          'received 1-D query tensor'),
        ((_rand(3, 2, 6),) * 3, AssertionError, 'was expecting embedding dimension of 8, but '
                                                'got 6'),
        ((x3, x3, _rand(4, 2, 8)), AssertionError, 'does not match value shape'),
        ((x3, x3, x3, None, True, np.zeros((3, 4), bool)), RuntimeError,
         'The shape of the 2D attn_mask is torch.Size([3, 4]), but should be (3, 3).'),
        ((x3, x3, x3, None, True, np.zeros((2, 3, 3), bool)), RuntimeError,
         'The shape of the 3D attn_mask is torch.Size([2, 3, 3]), but should be (4, 3, 3).'),
        ((x3, x3, x3, np.zeros((2, 4), bool)), AssertionError,
         'Expected key_padded_mask.shape[1] to be 3, but got 4'),
        ((x3, x3, x3, np.zeros((2, 3), np.int64)), AssertionError,
         'only bool and floating types of key_padding_mask are supported'),
        ((x3, x3, x3, None, True, None, True, True), RuntimeError,
         'Need attn_mask if specifying the is_causal hint'),
    ]
    for args, exc, msg in cases:
        with pytest.raises(exc) as ti:
            t(*[torch.from_numpy(a) if isinstance(a, np.ndarray) else a for a in args])
        assert msg in str(ti.value), str(ti.value)
        with pytest.raises(exc) as fi:
            f(*[flambeau.tensor(a) if isinstance(a, np.ndarray) else a for a in args])
        assert msg in str(fi.value), str(fi.value)


def test_multi_head_attention_forward_functional():
    rng = np.random.default_rng(5)
    E, H = 8, 2
    arrays = {'x': rng.standard_normal((3, 2, E)), 'w': rng.standard_normal((3 * E, E)),
              'b': rng.standard_normal(3 * E), 'ow': rng.standard_normal((E, E)),
              'ob': rng.standard_normal(E), 'sk': rng.standard_normal((2 * H, 4, E // H))}

    def run(m, conv):
        a = {k: conv(v.astype(np.float64)) for k, v in arrays.items()}
        for v in a.values():
            v.requires_grad_(True)
        out, w = m.nn.functional.multi_head_attention_forward(
            a['x'], a['x'], a['x'], E, H, a['w'], a['b'], None, None, False, 0.0, a['ow'],
            a['ob'], static_k=a['sk'], static_v=a['sk'])
        (out.sum() + (w * w).sum()).backward()
        return out, w, [a[k].grad for k in sorted(a)]
    to, tw, tg = run(torch, torch.from_numpy)
    fo, fw, fg = run(flambeau, flambeau.tensor)
    assert_close(fo, to)
    assert_close(fw, tw)
    for a, b in zip(fg, tg):
        assert_close(a, b)


def test_mha_to_fl_roundtrip_state_dict():
    t, f = _pair(8, 2, kdim=4, vdim=4, add_bias_kv=True)
    f.load_state_dict({k: to_fl(v, False) for k, v in t.state_dict().items()})
    for k, v in t.state_dict().items():
        assert_close(f.state_dict()[k], v)
