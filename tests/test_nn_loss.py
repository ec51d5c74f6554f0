"""The loss modules of ``flambeau.nn`` against PyTorch's: outputs and gradients (through
``nn_helpers.check_module``), constructor options (deprecated ``size_average`` / ``reduce``),
buffers and reprs; and the numerical stability of the fused cross-entropy."""
import warnings

import numpy as np
import pytest

torch = pytest.importorskip('torch')

import flambeau  # noqa: E402
from nn_helpers import check_module, to_np  # noqa: E402

R = np.random.default_rng(0)


def f32(*shape, low=-2, high=2):
    return R.uniform(low, high, shape).astype(np.float32)


def sign(*shape):
    return np.where(R.random(shape) < 0.5, -1, 1).astype(np.int64)


W4 = np.array([0.5, 1.0, 2.0, 1.5], np.float32)
CASES = [
    ('L1Loss', {}, lambda: (f32(3, 4), f32(3, 4)), {}),
    ('MSELoss', {'reduction': 'sum'}, lambda: (f32(3, 4), f32(3, 4)), {}),
    ('SmoothL1Loss', {'beta': 0.5}, lambda: (f32(3, 4), f32(3, 4)), {}),
    ('HuberLoss', {'delta': 0.7, 'reduction': 'none'}, lambda: (f32(3, 4), f32(3, 4)), {}),
    ('SoftMarginLoss', {}, lambda: (f32(3, 4), sign(3, 4).astype(np.float32)),
     {'input_grad': False}),
    ('NLLLoss', {'ignore_index': 1}, lambda: (f32(5, 4, low=-3, high=0),
                                              R.integers(0, 4, (5,))), {}),
    ('NLLLoss', {'weight': W4}, lambda: (f32(5, 4, 3), R.integers(0, 4, (5, 3))), {}),
    ('CrossEntropyLoss', {}, lambda: (f32(5, 4), R.integers(0, 4, (5,))), {}),
    ('CrossEntropyLoss', {'weight': W4, 'label_smoothing': 0.1, 'reduction': 'sum'},
     lambda: (f32(5, 4), R.integers(0, 4, (5,))), {}),
    ('CrossEntropyLoss', {}, lambda: (f32(5, 4), f32(5, 4, low=0, high=1)), {}),
    ('BCELoss', {'weight': W4}, lambda: (f32(3, 4, low=0.05, high=0.95),
                                         f32(3, 4, low=0, high=1)), {}),
    ('BCEWithLogitsLoss', {'pos_weight': W4}, lambda: (f32(3, 4), f32(3, 4, low=0, high=1)),
     {}),
    ('KLDivLoss', {'reduction': 'batchmean'}, lambda: (f32(3, 4, low=-3, high=0),
                                                      f32(3, 4, low=0.1, high=1)), {}),
    ('KLDivLoss', {'reduction': 'sum', 'log_target': True},
     lambda: (f32(3, 4, low=-3, high=0), f32(3, 4, low=-3, high=0)), {}),
    ('PoissonNLLLoss', {'full': True}, lambda: (f32(3, 4), f32(3, 4, low=0, high=4)), {}),
    ('GaussianNLLLoss', {'full': True}, lambda: (f32(3, 4), f32(3, 4),
                                                 f32(3, 1, low=0.1, high=2)), {}),
    ('CosineEmbeddingLoss', {'margin': 0.2}, lambda: (f32(3, 4), f32(3, 4), sign(3)), {}),
    ('MarginRankingLoss', {'margin': 0.3}, lambda: (f32(5), f32(5), sign(5)), {}),
    ('HingeEmbeddingLoss', {'margin': 0.5}, lambda: (f32(3, 4), sign(3, 4)), {}),
    ('TripletMarginLoss', {'margin': 2.0, 'swap': True}, lambda: (f32(3, 4), f32(3, 4),
                                                                  f32(3, 4)), {}),
    ('MultiLabelSoftMarginLoss', {'weight': W4}, lambda: (f32(3, 4),
                                                          f32(3, 4, low=0, high=1).round()), {}),
    ('MultiMarginLoss', {'p': 2, 'weight': W4}, lambda: (f32(3, 4), R.integers(0, 4, (3,))),
     {}),
    ('MultiLabelMarginLoss', {}, lambda: (f32(2, 4), np.array([[3, 0, -1, 1], [1, 2, 3, -1]])),
     {}),
]


def _kwargs(kw, m):
    return {k: (m.tensor(v) if m is flambeau else torch.from_numpy(v))
            if isinstance(v, np.ndarray) else v for k, v in kw.items()}


@pytest.mark.parametrize('name,kw,inputs,opts', CASES,
                         ids=[f'{c[0]}-{i}' for i, c in enumerate(CASES)])
def test_loss_module(name, kw, inputs, opts):
    tm = getattr(torch.nn, name)(**_kwargs(kw, torch))
    fm = getattr(flambeau.nn, name)(**_kwargs(kw, flambeau))
    assert repr(fm) == repr(tm)
    assert [n for n, _ in fm.named_buffers()] == [n for n, _ in tm.named_buffers()]
    check_module(tm, fm, *inputs(), **opts)


def test_legacy_reduction_flags():
    for sa, red, expect in ((False, None, 'sum'), (None, False, 'none'), (True, True, 'mean')):
        with pytest.warns(UserWarning, match='size_average and reduce args will be deprecated'):
            m = flambeau.nn.MSELoss(size_average=sa, reduce=red)
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            t = torch.nn.MSELoss(size_average=sa, reduce=red)
        assert m.reduction == t.reduction == expect


def test_state_dict_holds_weight_buffers():
    m = flambeau.nn.CrossEntropyLoss(weight=flambeau.tensor([1., 2.]))
    assert list(m.state_dict()) == ['weight']
    m = flambeau.nn.BCEWithLogitsLoss(pos_weight=flambeau.tensor([1., 2.]))
    assert list(m.state_dict()) == ['pos_weight']


def test_constructor_errors():
    with pytest.raises(ValueError, match='only p == 1 and p == 2 supported'):
        flambeau.nn.MultiMarginLoss(p=3)
    with pytest.raises(ValueError, match='expected margin to be greater than 0'):
        flambeau.nn.TripletMarginLoss(margin=0.0)


@pytest.mark.parametrize('scale', [1e4, 1e6])
def test_cross_entropy_stable_for_large_logits(scale):
    x = f32(8, 10) * scale
    t = R.integers(0, 10, (8,))
    fx = flambeau.tensor(x, requires_grad=True)
    loss = flambeau.nn.functional.cross_entropy(fx, flambeau.tensor(t))
    loss.backward()
    tx = torch.tensor(x, requires_grad=True)
    tl = torch.nn.functional.cross_entropy(tx, torch.tensor(t))
    tl.backward()
    assert np.isfinite(to_np(loss)).all() and np.isfinite(to_np(fx.grad)).all()
    np.testing.assert_allclose(to_np(loss), to_np(tl), rtol=1e-5)
    np.testing.assert_allclose(to_np(fx.grad), to_np(tx.grad), atol=1e-6)


def test_cross_entropy_and_log_softmax_rows_with_inf_or_nan_match_torch():
    """A row holding inf or NaN is NaN throughout, values and gradients, as in PyTorch."""
    inf, nan = np.inf, np.nan
    x = np.array([[inf, 1, 2], [-inf, -inf, -inf], [nan, 1, 2], [1e30, -1e30, 0], [1, 2, 3],
                  [-inf, 0, 1]], np.float32)
    t = np.array([0, 1, 2, 0, 1, 2])
    fx, tx = flambeau.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    fl = flambeau.nn.functional.cross_entropy(fx, flambeau.tensor(t), reduction='none')
    tl = torch.nn.functional.cross_entropy(tx, torch.tensor(t), reduction='none')
    fl.sum().backward()
    tl.sum().backward()
    np.testing.assert_allclose(to_np(fl), to_np(tl), rtol=1e-6)
    np.testing.assert_allclose(to_np(fx.grad), to_np(tx.grad), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(to_np(flambeau.log_softmax(flambeau.tensor(x), 1)),
                               to_np(torch.log_softmax(torch.tensor(x), 1)), rtol=1e-6)


@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_cross_entropy_over_many_rows_matches_torch(dtype):
    """(N, C) logits of several row blocks (Note [Cross-entropy from the shifted
    exponentials]), with class weights and an ignored class."""
    x = (f32(3000, 37) * 5).astype(dtype)
    t = R.integers(0, 37, (3000,))
    w = (np.abs(f32(37)) + 0.1).astype(dtype)
    for kw in ({}, {'weight': w, 'ignore_index': 3}, {'reduction': 'sum'}):
        fx, tx = flambeau.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        fk = {k: flambeau.tensor(v) if k == 'weight' else v for k, v in kw.items()}
        tk = {k: torch.tensor(v) if k == 'weight' else v for k, v in kw.items()}
        fl = flambeau.nn.functional.cross_entropy(fx, flambeau.tensor(t), **fk)
        tl = torch.nn.functional.cross_entropy(tx, torch.tensor(t), **tk)
        fl.backward()
        tl.backward()
        assert fl.dtype == (flambeau.float32 if dtype == np.float32 else flambeau.float64)
        np.testing.assert_allclose(to_np(fl), to_np(tl), rtol=1e-5)
        np.testing.assert_allclose(to_np(fx.grad), to_np(tx.grad), rtol=1e-4, atol=1e-8)


def test_bce_with_logits_stable_for_large_logits():
    x = np.array([-1e4, 1e4, 0.0], np.float32)
    y = np.array([1.0, 0.0, 1.0], np.float32)
    f = flambeau.nn.functional.binary_cross_entropy_with_logits(flambeau.tensor(x),
                                                                flambeau.tensor(y))
    t = torch.nn.functional.binary_cross_entropy_with_logits(torch.tensor(x), torch.tensor(y))
    np.testing.assert_allclose(to_np(f), to_np(t), rtol=1e-6)


def test_cross_entropy_create_graph():
    """The fused backward is itself differentiable (create_graph)."""
    x = f32(4, 5).astype(np.float64)
    t = R.integers(0, 5, (4,))
    fx = flambeau.tensor(x, requires_grad=True)
    g, = flambeau.autograd.grad(flambeau.nn.functional.cross_entropy(fx, flambeau.tensor(t)),
                                fx, create_graph=True)
    gg, = flambeau.autograd.grad((g * g).sum(), fx)
    tx = torch.tensor(x, requires_grad=True)
    tg, = torch.autograd.grad(torch.nn.functional.cross_entropy(tx, torch.tensor(t)), tx,
                              create_graph=True)
    tgg, = torch.autograd.grad((tg * tg).sum(), tx)
    np.testing.assert_allclose(to_np(gg), to_np(tgg), rtol=1e-10, atol=1e-12)


def test_mse_size_mismatch_warns():
    with pytest.warns(UserWarning, match=r'Using a target size \(torch.Size\(\[3\]\)\) that is '
                                         r'different to the input size'):
        flambeau.nn.functional.mse_loss(flambeau.ones(2, 3), flambeau.ones(3))


def test_softmax_implicit_dim_warns():
    with pytest.warns(UserWarning, match='Implicit dimension choice for softmax has been '
                                         'deprecated'):
        flambeau.nn.functional.softmax(flambeau.ones(2, 3))


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('reduction', ['mean', 'sum', 'none'])
def test_fused_label_smoothing_matches_torch(dtype, reduction):
    """cross_entropy with label smoothing on (N, C) logits without class weights, fused into
    one node (Note [Label smoothing in the fused cross-entropy]): PyTorch's loss, gradient and
    node name, ignored targets included; all targets ignored: NaN loss, zero gradient (as
    PyTorch's; the gradient was NaN before); double backward."""
    rng = np.random.default_rng(7)
    for n, c in ((64, 10), (7, 1000)):
        a = (rng.standard_normal((n, c)) * 3).astype(dtype)
        t = rng.integers(0, c, n)
        t[::5] = -100
        for eps in (0.1, 1.0):
            res = []
            for m in (flambeau, torch):
                x = m.tensor(a, requires_grad=True)
                loss = m.nn.functional.cross_entropy(x, m.tensor(t), label_smoothing=eps,
                                                     reduction=reduction)
                g = None if reduction != 'none' else \
                    m.tensor(np.cos(np.arange(n)).astype(dtype))
                loss.backward(g)
                res.append((loss.detach().numpy(), x.grad.numpy(), repr(loss.grad_fn).split()[0]))
            (fl_loss, fl_grad, fl_name), (th_loss, th_grad, th_name) = res
            tol = 1e-5 if dtype == 'float32' else 1e-12
            np.testing.assert_allclose(fl_loss, th_loss, rtol=tol, atol=tol)
            np.testing.assert_allclose(fl_grad, th_grad, rtol=tol, atol=tol)
            assert fl_name == th_name
    for m in (flambeau, torch):
        x = m.tensor(np.ones((3, 4), dtype), requires_grad=True)
        loss = m.nn.functional.cross_entropy(x, m.tensor([-100, -100, -100]),
                                             label_smoothing=0.1)
        loss.backward()
        assert np.isnan(loss.item()) and not x.grad.numpy().any()
    x = flambeau.tensor(rng.standard_normal((5, 4)), requires_grad=True)
    tt = flambeau.tensor([0, 3, -100, 1, 2])

    def f(v):
        return flambeau.nn.functional.cross_entropy(v, tt, label_smoothing=0.2,
                                                    reduction=reduction).sum()
    assert flambeau.autograd.gradcheck(f, (x,))
    assert flambeau.autograd.gradgradcheck(f, (x,))
