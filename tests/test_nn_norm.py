"""Normalization, dropout and embedding beyond the op registry (registry_norm.py): running
statistics updated in place as PyTorch updates them, random masks of the dropouts (rates,
scaling, channel masks, warnings), ``max_norm`` renormalisation of embeddings, and the layers of
``flambeau.nn`` (BatchNorm, LayerNorm, GroupNorm, InstanceNorm, RMSNorm, LocalResponseNorm,
Dropout*, Embedding, EmbeddingBag) against PyTorch's: constructors, parameters, buffers,
state_dict keys, reprs, outputs and gradients."""
import warnings

import numpy as np
import pytest

torch = pytest.importorskip('torch')

import flambeau  # noqa: E402
import flambeau.nn.functional as F  # noqa: E402
import torch.nn.functional as TF  # noqa: E402


def both(a, dtype='float32'):
    """The same values as a flambeau and a torch tensor."""
    a = np.asarray(a, dtype=dtype)
    return flambeau.tensor(a), torch.tensor(a)


def close(f, t, rtol=1e-5, atol=1e-6):
    assert tuple(f.shape) == tuple(t.shape)
    np.testing.assert_allclose(np.asarray(f.detach().float().numpy(), dtype=np.float64),
                               t.detach().double().numpy(), rtol=rtol, atol=atol)


RNG = np.random.default_rng(0)


# -- running statistics -------------------------------------------------------------------------
@pytest.mark.parametrize('shape', [(5, 3), (4, 3, 6), (2, 3, 2, 3)])
@pytest.mark.parametrize('momentum', [0.1, 0.5])
def test_batch_norm_running_stats(shape, momentum):
    x = RNG.standard_normal(shape)
    fx, tx = both(x)
    frm, trm = both(RNG.standard_normal(3))
    frv, trv = both(RNG.uniform(0.5, 2, 3))
    v0 = frm._version
    for _ in range(2):
        fo = F.batch_norm(fx, frm, frv, training=True, momentum=momentum)
        to = TF.batch_norm(tx, trm, trv, training=True, momentum=momentum)
    close(fo, to)
    close(frm, trm)
    close(frv, trv)
    assert frm._version == v0 + 2
    # eval uses the running statistics
    close(F.batch_norm(fx, frm, frv), TF.batch_norm(tx, trm, trv), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('shape', [(4, 3, 70), (3, 4, 9, 8), (2, 3, 4, 4, 5)])
@pytest.mark.parametrize('affine', [True, False])
def test_batch_norm_by_channel_sums_matches_torch(monkeypatch, shape, affine, dtype):
    """Batch norm over rows of 64+ elements (Note [Batch norm by channel sums]), on inputs far
    from zero mean: training output, running statistics, input/weight/bias gradients; then
    evaluation with the running statistics; the channel kernel checked to run."""
    from flambeau.ops import normalization
    ran = []
    fn = normalization._channel_norm
    monkeypatch.setattr(normalization, '_channel_norm', lambda *a: (ran.append(1), fn(*a))[1])
    rng = np.random.default_rng(8)
    c = shape[1]
    x = rng.standard_normal(shape) * 3 + 50
    fx, tx = both(x, dtype)
    fx.requires_grad_()
    tx.requires_grad_()
    fw, tw = both(rng.standard_normal(c), dtype) if affine else (None, None)
    fb, tb = both(rng.standard_normal(c), dtype) if affine else (None, None)
    for t in (fw, tw, fb, tb):
        if t is not None:
            t.requires_grad_()
    frm, trm = both(np.zeros(c), dtype)
    frv, trv = both(np.ones(c), dtype)
    fo = F.batch_norm(fx, frm, frv, fw, fb, training=True)
    to = TF.batch_norm(tx, trm, trv, tw, tb, training=True)
    tol = dict(rtol=1e-4, atol=1e-4) if dtype == 'float32' else dict(rtol=1e-9, atol=1e-9)

    def close(f, t, **tol):  # (in the tensors' own precision)
        assert tuple(f.shape) == tuple(t.shape) and str(f.dtype) == str(t.dtype)
        np.testing.assert_allclose(f.detach().numpy(), t.detach().numpy(), **tol)
    close(fo, to, **tol)
    close(frm, trm, **tol)
    close(frv, trv, **tol)
    g = rng.standard_normal(shape)
    fo.backward(flambeau.tensor(g.astype(dtype)))
    to.backward(torch.tensor(g.astype(dtype)))
    for f, t in ((fx, tx), (fw, tw), (fb, tb)):
        if f is not None:
            close(f.grad, t.grad, **tol)
    close(F.batch_norm(fx, frm, frv, fw, fb), TF.batch_norm(tx, trm, trv, tw, tb), **tol)
    assert len(ran) == 2


def test_batch_norm_by_channel_sums_passes_gradcheck(monkeypatch):
    """The channel kernel's backward under float64 gradcheck; its double backward (the
    Tensor-op form) under gradgradcheck."""
    from flambeau.ops import normalization
    monkeypatch.setattr(normalization, '_CHANNEL_ROW_MIN', 2)
    rng = np.random.default_rng(9)
    x = flambeau.tensor(rng.standard_normal((2, 3, 2, 2)), requires_grad=True)
    w = flambeau.tensor(rng.standard_normal(3), requires_grad=True)
    b = flambeau.tensor(rng.standard_normal(3), requires_grad=True)

    def f(x, w, b):
        return F.batch_norm(x, None, None, w, b, training=True)
    assert f(x, w, b).grad_fn.channels
    assert flambeau.autograd.gradcheck(f, (x, w, b))
    assert flambeau.autograd.gradgradcheck(f, (x, w, b))


def test_batch_norm_half_input_float_stats():
    x = RNG.standard_normal((4, 3, 5))
    fx, tx = both(x, 'float16')
    frm, trm = both(np.zeros(3))
    frv, trv = both(np.ones(3))
    fo = F.batch_norm(fx, frm, frv, training=True)
    to = TF.batch_norm(tx, trm, trv, training=True)
    assert fo.dtype is flambeau.float16 and frm.dtype is flambeau.float32
    close(fo, to, 1e-2, 1e-2)
    close(frm, trm, 1e-3, 1e-3)
    close(frv, trv, 1e-3, 1e-3)


def test_instance_norm_running_stats():
    x = RNG.standard_normal((3, 2, 5))
    fx, tx = both(x)
    frm, trm = both(np.zeros(2))
    frv, trv = both(np.ones(2))
    close(F.instance_norm(fx, frm, frv, momentum=0.3), TF.instance_norm(tx, trm, trv, momentum=0.3))
    close(frm, trm)
    close(frv, trv)


# -- dropout ---------------------------------------------------------------------------------------
def test_dropout_rate_scale_and_grad():
    flambeau.manual_seed(0)
    x = flambeau.ones(20000, requires_grad=True)
    y = F.dropout(x, 0.3)
    kept = y.detach().numpy() != 0
    assert abs(1 - kept.mean() - 0.3) < 0.02
    np.testing.assert_allclose(y.detach().numpy()[kept], 1 / 0.7, rtol=1e-6)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), y.detach().numpy(), rtol=1e-6)
    assert F.dropout(x, 0.3, training=False) is x


@pytest.mark.parametrize('fn,shape,batched', [('dropout1d', (4, 6, 7), True),
                                              ('dropout1d', (6, 7), False),
                                              ('dropout2d', (4, 6, 3, 3), True),
                                              ('dropout3d', (4, 6, 2, 2, 2), True),
                                              ('dropout3d', (6, 2, 2, 2), False)])
def test_channel_dropout_masks(fn, shape, batched):
    flambeau.manual_seed(1)
    y = getattr(F, fn)(flambeau.ones(shape), 0.5).numpy()
    assert y.shape == shape
    flat = y.reshape(shape[:2] + (-1,)) if batched else y.reshape(shape[0], -1)
    # each channel is all zeros or all 2
    assert ((flat == 0).all(-1) | (flat == 2).all(-1)).all()
    assert 0 < (flat == 0).all(-1).mean() < 1


def test_dropout_inplace():
    x = flambeau.ones(3, 4)
    assert F.dropout(x, 0.5, inplace=True) is x
    assert set(np.unique(x.numpy())) <= {0.0, 2.0}
    z = flambeau.ones(3, 4)
    assert F.dropout1d(z, 0.5, inplace=True) is z and z.shape == (3, 4)


def test_dropout2d_warnings():
    for shape, n in [((2, 3, 4), 1), ((2, 3), 1), ((2, 3, 4, 5, 6), 1)]:
        with warnings.catch_warnings(record=True) as fw:
            warnings.simplefilter('always')
            F.dropout2d(flambeau.ones(shape), 0.5)
        with warnings.catch_warnings(record=True) as tw:
            warnings.simplefilter('always')
            TF.dropout2d(torch.ones(shape), 0.5)
        assert [str(w.message) for w in fw] == [str(w.message) for w in tw]
        assert fw and fw[0].filename == __file__  # points at the caller
    with warnings.catch_warnings(record=True) as fw:
        warnings.simplefilter('always')
        F.dropout3d(flambeau.ones(2, 3, 4), 0.5)
    assert 'dropout3d: Received a 3-D input to dropout3d' in str(fw[0].message)


def test_alpha_dropout_keeps_moments():
    flambeau.manual_seed(2)
    x = flambeau.randn(200000)
    y = F.alpha_dropout(x, 0.2, training=True).numpy()
    assert abs(y.mean()) < 0.02 and abs(y.std() - 1) < 0.02
    z = F.feature_alpha_dropout(flambeau.ones(50, 8, 3), 0.5, training=True).numpy()
    assert (z == z[..., :1]).all()  # one value per channel
    assert F.alpha_dropout(x, 0.2) is x  # training defaults to False


def test_dropout_bad_p():
    for fn in ('dropout', 'dropout1d', 'dropout2d', 'dropout3d', 'alpha_dropout',
               'feature_alpha_dropout'):
        with pytest.raises(ValueError, match='dropout probability has to be between 0 and 1, '
                                             'but got 1.5'):
            getattr(F, fn)(flambeau.ones(2, 3, 4), 1.5)


# -- embedding -------------------------------------------------------------------------------------
@pytest.mark.parametrize('norm_type', [2.0, 1.0, float('inf')])
def test_embedding_max_norm_renormalises_weight(norm_type):
    w = RNG.standard_normal((6, 4)) * 2
    fw, tw = both(w)
    fw.requires_grad_(True)
    tw.requires_grad_(True)
    idx = np.array([[0, 2], [2, 5]])
    fo = F.embedding(flambeau.tensor(idx), fw, max_norm=1.0, norm_type=norm_type)
    to = TF.embedding(torch.tensor(idx), tw, max_norm=1.0, norm_type=norm_type)
    close(fo, to)
    close(fw, tw)
    assert fw.grad_fn is None and fw.requires_grad
    fo.sum().backward()
    to.sum().backward()
    close(fw.grad, tw.grad)


def test_embedding_double_backward():
    w = RNG.standard_normal((5, 3))
    idx = np.array([1, 3, 1])
    fw, tw = both(w, 'float64')
    fw.requires_grad_(True)
    tw.requires_grad_(True)
    res = []
    for m, W, fn in ((flambeau, fw, F), (torch, tw, TF)):
        out = fn.embedding(m.tensor(idx), W, padding_idx=3)
        g, = m.autograd.grad((out ** 2).sum(), W, create_graph=True)
        g2, = m.autograd.grad((g ** 2).sum(), W)
        res.append((g, g2))
    close(res[0][0], res[1][0])
    close(res[0][1], res[1][1])


def test_one_hot_default_classes():
    f = F.one_hot(flambeau.tensor([[0, 3], [1, 1]]))
    t = TF.one_hot(torch.tensor([[0, 3], [1, 1]]))
    assert f.dtype is flambeau.int64 and f.tolist() == t.tolist()


# -- modules ---------------------------------------------------------------------------------------
import flambeau.nn as fnn  # noqa: E402
import torch.nn as tnn  # noqa: E402


def build(name, *args, **kwargs):
    """The same layer in both frameworks, flambeau's holding torch's (randomized) state."""
    tm = getattr(tnn, name)(*args, **kwargs)
    fm = getattr(fnn, name)(*args, **kwargs)
    with torch.no_grad():
        for p in tm.parameters():
            p.copy_(torch.randn_like(p))
    fm.load_state_dict({k: flambeau.tensor(v.detach().numpy().copy())
                        for k, v in tm.state_dict().items()})
    return fm, tm


def compare_module(fm, tm, shape, steps=2, rtol=1e-5, atol=1e-5, make=None):
    """Forward (``steps`` calls) and backward in both; outputs, buffers and gradients of the
    input and of every parameter agree."""
    for _ in range(steps):
        x = make() if make else RNG.standard_normal(shape)
        fx, tx = both(x) if make is None else (flambeau.tensor(x), torch.tensor(x))
        if fx.is_floating_point():
            fx.requires_grad_(True)
            tx.requires_grad_(True)
        fo, to = fm(fx), tm(tx)
        close(fo, to, rtol, atol)
        up = RNG.standard_normal(tuple(to.shape))
        fo.backward(flambeau.tensor(up, dtype=fo.dtype))
        to.backward(torch.tensor(up, dtype=to.dtype))
        if tx.requires_grad:
            close(fx.grad, tx.grad, rtol, atol)
    for (fk, fv), (tk, tv) in zip(fm.state_dict().items(), tm.state_dict().items()):
        assert fk == tk
        close(fv, tv, rtol, atol)
    for (fk, fp), (tk, tp) in zip(fm.named_parameters(), tm.named_parameters()):
        assert fk == tk
        if tp.grad is None:
            assert fp.grad is None, fk
        else:  # (flambeau's gradient of a sparse=True embedding is the dense equivalent)
            close(fp.grad, tp.grad.to_dense() if tp.grad.is_sparse else tp.grad, rtol, atol)


@pytest.mark.parametrize('name,shape', [('BatchNorm1d', (6, 3)), ('BatchNorm1d', (4, 3, 5)),
                                        ('BatchNorm2d', (2, 3, 4, 4)),
                                        ('BatchNorm3d', (2, 3, 2, 3, 2))])
@pytest.mark.parametrize('kwargs', [{}, {'momentum': None}, {'affine': False},
                                    {'track_running_stats': False}, {'bias': False}])
def test_batchnorm_modules(name, shape, kwargs):
    fm, tm = build(name, 3, **kwargs)
    assert repr(fm) == repr(tm)
    assert list(fm.state_dict()) == list(tm.state_dict())
    compare_module(fm, tm, shape, steps=3)
    if kwargs.get('track_running_stats', True):
        assert int(fm.num_batches_tracked) == int(tm.num_batches_tracked) == 3
    fm.eval()
    tm.eval()
    compare_module(fm, tm, shape, steps=1)


@pytest.mark.parametrize('name,bad', [('BatchNorm1d', (2, 3, 4, 5)), ('BatchNorm2d', (2, 3, 4)),
                                      ('BatchNorm3d', (2, 3)), ('InstanceNorm1d', (3,)),
                                      ('InstanceNorm2d', (2, 3)),
                                      ('InstanceNorm3d', (2, 3, 4, 5, 6, 7))])
def test_norm_input_dim_errors(name, bad):
    with pytest.raises(ValueError) as t:
        getattr(tnn, name)(3)(torch.zeros(bad))
    with pytest.raises(ValueError) as f:
        getattr(fnn, name)(3)(flambeau.zeros(bad))
    assert str(f.value) == str(t.value)


def test_batchnorm_defaults_and_reset():
    m = fnn.BatchNorm1d(4)
    assert m.weight.tolist() == [1.0] * 4 and m.bias.tolist() == [0.0] * 4
    assert m.num_batches_tracked.dtype is flambeau.int64
    m(flambeau.randn(5, 4))
    m.reset_running_stats()
    assert m.running_mean.tolist() == [0.0] * 4 and int(m.num_batches_tracked) == 0
    # a pre-version-2 checkpoint without num_batches_tracked loads (starting at 0)
    sd = {k: v for k, v in m.state_dict().items() if k != 'num_batches_tracked'}
    sd = type(m.state_dict())(sd)
    sd._metadata = {'': {'version': 1}}
    m.load_state_dict(sd)
    assert int(m.num_batches_tracked) == 0


@pytest.mark.parametrize('name,shape', [('InstanceNorm1d', (2, 3, 5)), ('InstanceNorm1d', (3, 5)),
                                        ('InstanceNorm2d', (2, 3, 3, 3)),
                                        ('InstanceNorm3d', (2, 3, 2, 2, 3))])
@pytest.mark.parametrize('kwargs', [{}, {'affine': True}, {'track_running_stats': True},
                                    {'affine': True, 'track_running_stats': True}])
def test_instancenorm_modules(name, shape, kwargs):
    fm, tm = build(name, 3, **kwargs)
    assert repr(fm) == repr(tm)
    assert list(fm.state_dict()) == list(tm.state_dict())
    compare_module(fm, tm, shape)
    fm.eval()
    tm.eval()
    compare_module(fm, tm, shape, steps=1)


def test_instancenorm_num_features_mismatch():
    with pytest.raises(ValueError, match=r"expected input's size at dim=1 to match num_features "
                                         r"\(4\), but got: 3\."):
        fnn.InstanceNorm1d(4, affine=True)(flambeau.randn(2, 3, 5))
    with pytest.warns(UserWarning, match="input's size at dim=1 does not match num_features"):
        fnn.InstanceNorm1d(4)(flambeau.randn(2, 3, 5))


@pytest.mark.parametrize('args,kwargs,shape', [
    (('LayerNorm', 4), {}, (2, 3, 4)),
    (('LayerNorm', [3, 4]), {'eps': 1e-3}, (2, 3, 4)),
    (('LayerNorm', 4), {'elementwise_affine': False}, (3, 4)),
    (('LayerNorm', 4), {'bias': False}, (3, 4)),
    (('GroupNorm', 2, 4), {}, (3, 4, 5)),
    (('GroupNorm', 4, 4), {'affine': False}, (3, 4, 2, 2)),
    (('GroupNorm', 1, 4), {'bias': False}, (3, 4)),
    (('RMSNorm', 4), {}, (2, 3, 4)),
    (('RMSNorm', [3, 4]), {'eps': 1e-4}, (2, 3, 4)),
    (('RMSNorm', 4), {'elementwise_affine': False}, (3, 4)),
    (('LocalResponseNorm', 3), {}, (2, 5, 3)),
    (('LocalResponseNorm', 2), {'alpha': 0.1, 'beta': 0.5, 'k': 2.0}, (2, 4, 2, 2)),
])
def test_normalization_modules(args, kwargs, shape):
    fm, tm = build(*args, **kwargs)
    assert repr(fm) == repr(tm)
    assert list(fm.state_dict()) == list(tm.state_dict())
    compare_module(fm, tm, shape)


def test_groupnorm_divisibility():
    with pytest.raises(ValueError, match=r'num_channels \(5\) must be divisible by num_groups '
                                         r'\(2\)'):
        fnn.GroupNorm(2, 5)


@pytest.mark.parametrize('name', ['Dropout', 'Dropout1d', 'Dropout2d', 'Dropout3d',
                                  'AlphaDropout', 'FeatureAlphaDropout'])
def test_dropout_modules(name):
    fm, tm = getattr(fnn, name)(0.25, inplace=True), getattr(tnn, name)(0.25, inplace=True)
    assert repr(fm) == repr(tm) and list(fm.state_dict()) == []
    shapes = {'Dropout1d': (4, 6, 3), 'Dropout2d': (4, 6, 2, 2)}
    x = flambeau.ones(shapes.get(name, (4, 6, 2, 2, 2)))
    y = fm(x.clone())
    assert y.shape == x.shape and (y.numpy() != 1).any()
    fm.eval()
    assert fm(x) is x
    with pytest.raises(ValueError, match='dropout probability has to be between 0 and 1, but got '
                                         '1.5'):
        getattr(fnn, name)(1.5)


@pytest.mark.parametrize('kwargs', [{}, {'padding_idx': 1}, {'padding_idx': -1, 'max_norm': 1.0},
                                    {'scale_grad_by_freq': True, 'norm_type': 1.0},
                                    {'sparse': True}])
def test_embedding_module(kwargs):
    fm, tm = build('Embedding', 6, 3, **kwargs)
    assert repr(fm) == repr(tm)
    idx = np.array([[0, 1, 5], [1, 1, 2]])
    compare_module(fm, tm, None, make=lambda: idx)


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_embedding_and_index_add_grads_over_many_repeats(dtype):
    """Hundreds of indices with repeats (rows summed per index after a sort): the weight
    gradient of embedding (also with padding_idx), and index_add along dim 1, against
    PyTorch."""
    idx = RNG.integers(0, 7, (12, 25))
    g = RNG.standard_normal((12, 25, 4)).astype(dtype)
    for kw in ({}, {'padding_idx': 3}):
        grads = []
        for m in (torch, flambeau):
            w = m.tensor(RNG.standard_normal((7, 4)).astype(dtype) * 0 + 1, requires_grad=True)
            m.nn.functional.embedding(m.tensor(idx), w, **kw).backward(m.tensor(g))
            grads.append(w.grad.numpy())
        assert np.allclose(grads[0], grads[1], rtol=1e-5, atol=1e-5)
    base = RNG.standard_normal((3, 9, 2)).astype(dtype)
    ix = RNG.integers(0, 9, 60)
    src = RNG.standard_normal((3, 60, 2)).astype(dtype)
    outs = [m.tensor(base).index_add(1, m.tensor(ix), m.tensor(src), alpha=2).numpy()
            for m in (torch, flambeau)]
    assert np.allclose(outs[0], outs[1], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_embedding_grad_sums_rows_in_pytorchs_order(dtype):
    """The weight gradient of an embedding with many repeats (Note [Rows added by slots]): the
    rows of each index added one after another, bit for bit as PyTorch's; a skewed set of
    indices (one far more frequent: sorted runs instead) within rounding."""
    rng = np.random.default_rng(31)
    g = rng.standard_normal((64, 32, 24)).astype(dtype)
    uniform = (np.arange(64 * 32) * 7919 + 13) % 256
    skewed = np.where(np.arange(64 * 32) % 3 == 0, 5, uniform)
    for idx, exact in ((uniform, True), (skewed, False)):
        grads = []
        for m in (torch, flambeau):
            w = m.zeros((256, 24), dtype=getattr(m, dtype), requires_grad=True)
            m.nn.functional.embedding(m.tensor(idx.reshape(64, 32)), w).backward(m.tensor(g))
            grads.append(w.grad.numpy())
        if exact:
            assert grads[1].tobytes() == grads[0].tobytes()
        else:
            np.testing.assert_allclose(grads[1], grads[0], rtol=1e-5, atol=1e-4)


def test_embedding_init_and_from_pretrained():
    m = fnn.Embedding(5, 3, padding_idx=2)
    assert m.weight[2].tolist() == [0.0] * 3 and m.weight.requires_grad
    w = flambeau.tensor([[1., 2.], [3., 4.]])
    e = fnn.Embedding.from_pretrained(w)
    assert not e.weight.requires_grad and e(flambeau.tensor([1])).tolist() == [[3.0, 4.0]]
    assert fnn.Embedding.from_pretrained(w, freeze=False).weight.requires_grad
    with pytest.raises(AssertionError, match='Padding_idx must be within num_embeddings'):
        fnn.Embedding(3, 2, padding_idx=3)
    with pytest.raises(AssertionError, match='Embeddings parameter is expected to be '
                                             '2-dimensional'):
        fnn.Embedding.from_pretrained(flambeau.ones(3))


@pytest.mark.parametrize('kwargs', [{}, {'mode': 'sum'}, {'mode': 'max'},
                                    {'padding_idx': 0, 'mode': 'mean'},
                                    {'include_last_offset': True, 'mode': 'sum'}])
def test_embedding_bag_module(kwargs):
    fm, tm = build('EmbeddingBag', 6, 3, **kwargs)
    assert repr(fm) == repr(tm)
    idx = np.array([0, 1, 5, 1, 2, 3])
    # with include_last_offset the last offset ends the last bag (torch's results differ
    # between dtypes when it falls short of the input's length)
    off = np.array([0, 2, 6] if kwargs.get('include_last_offset') else [0, 2, 4])
    fo = fm(flambeau.tensor(idx), flambeau.tensor(off))
    to = tm(torch.tensor(idx), torch.tensor(off))
    close(fo, to)
    up = RNG.standard_normal(tuple(to.shape))
    fo.backward(flambeau.tensor(up, dtype=fo.dtype))
    to.backward(torch.tensor(up, dtype=to.dtype))
    close(fm.weight.grad, tm.weight.grad)
    b = fnn.EmbeddingBag.from_pretrained(flambeau.tensor([[1., 2.], [3., 4.]]))
    assert b(flambeau.tensor([[0, 1]])).tolist() == [[2.0, 3.0]] and not b.weight.requires_grad


@pytest.mark.parametrize('shape,ns', [((70, 128), (128,)), ((3, 70, 4, 32), (4, 32)),
                                      ((200, 8), (8,)), ((2, 3), (3,)),
                                      # from 32K elements: Note [Layer norm by outer products]
                                      ((300, 128), (128,)), ((2, 160, 4, 32), (4, 32)),
                                      ((70, 600), (600,))])
@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('affine', [True, False])
def test_layer_norm_over_row_blocks_matches_torch(shape, ns, dtype, affine):
    """Rows that fill tiled blocks and a remainder (Note [Row vectors over short rows]), rows
    normalized by outer products (Note [Layer norm by outer products]) and rows too long for
    them: the output and all three gradients."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal(shape) * 3 + 1
    g = rng.standard_normal(shape)
    w, b = rng.standard_normal(ns), rng.standard_normal(ns)
    fx, tx = (t.requires_grad_() for t in both(x, dtype))
    fw, tw = (t.requires_grad_() for t in both(w, dtype)) if affine else (None, None)
    fb, tb = (t.requires_grad_() for t in both(b, dtype)) if affine else (None, None)
    fy, ty = F.layer_norm(fx, ns, fw, fb), TF.layer_norm(tx, ns, tw, tb)
    fy.backward(flambeau.tensor(g.astype(dtype)))
    ty.backward(torch.tensor(g.astype(dtype)))
    close(fy, ty)
    close(fx.grad, tx.grad, atol=1e-5)
    if affine:
        close(fw.grad, tw.grad, atol=1e-4)
        close(fb.grad, tb.grad, atol=1e-4)


@pytest.mark.parametrize('shape,groups', [((4, 6, 9, 11), 3), ((3, 8, 64), 2), ((2, 6, 5, 5, 4), 6),
                                          ((5, 4, 16, 16), 1), ((2, 6, 3, 3), 3)])
@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('affine', [True, False])
def test_group_norm_by_channel_rows_matches_torch(shape, groups, dtype, affine):
    """Group norms whose channel rows take Note [Group norm by channel rows] (and one with rows
    too short for it), inputs far from zero (the sums are taken over centered rows): the output
    and the gradients of input, weight and bias, each alone and together."""
    rng = np.random.default_rng(4)
    x = rng.standard_normal(shape) * 2 + 50
    g = rng.standard_normal(shape)
    c = shape[1]
    w, b = rng.standard_normal(c), rng.standard_normal(c)
    for need in ((True, True, True), (False, True, True), (True, False, False)):
        fx, tx = both(x, dtype)
        fw, tw = both(w, dtype) if affine else (None, None)
        fb, tb = both(b, dtype) if affine else (None, None)
        for pair, req in zip(((fx, tx), (fw, tw), (fb, tb)), need):
            for t in pair:
                if t is not None:
                    t.requires_grad_(req)
        if not any(t is not None and t.requires_grad for t in (tx, tw, tb)):
            continue
        fy, ty = F.group_norm(fx, groups, fw, fb), TF.group_norm(tx, groups, tw, tb)
        close(fy, ty, atol=1e-5)
        fy.backward(flambeau.tensor(g.astype(dtype)))
        ty.backward(torch.tensor(g.astype(dtype)))
        for f, t in ((fx, tx), (fw, tw), (fb, tb)):
            if t is not None and t.requires_grad:
                close(f.grad, t.grad, atol=1e-4)


def test_group_norm_by_channel_rows_gradcheck():
    """float64 gradcheck and gradgradcheck of a group norm on channel rows (Note [Group norm
    by channel rows]; the second derivative goes through the Tensor formula)."""
    rng = np.random.default_rng(5)
    x = flambeau.tensor(rng.standard_normal((2, 4, 8, 9)) + 3, requires_grad=True)
    w = flambeau.tensor(rng.standard_normal(4), requires_grad=True)
    b = flambeau.tensor(rng.standard_normal(4), requires_grad=True)
    assert F.group_norm(x, 2, w, b).grad_fn.group_rows is not None

    def f(x, w, b):
        return F.group_norm(x, 2, w, b)
    assert flambeau.autograd.gradcheck(f, (x, w, b))
    assert flambeau.autograd.gradgradcheck(f, (x, w, b))
