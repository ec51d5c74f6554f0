"""``flambeau.optim.swa_utils`` against ``torch.optim.swa_utils``: the same sequence of model
weights gives the same averaged parameters, buffers and ``n_averaged`` (SWA, EMA, single and
multi-tensor averaging functions, ``use_buffers``); ``SWALR`` gives the same learning rates
(both strategies, alone and after another scheduler); ``update_bn`` the same BatchNorm
statistics over a DataLoader; and the errors and ``state_dict`` layout are PyTorch's."""
import warnings

import numpy as np
import pytest

torch = pytest.importorskip('torch')

import flambeau  # noqa: E402
from flambeau.optim import swa_utils as fswa  # noqa: E402
from nn_helpers import copy_state, to_fl, to_np  # noqa: E402

tswa = torch.optim.swa_utils


def _models():
    torch.manual_seed(0)
    tm = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4), torch.nn.ReLU(),
                             torch.nn.Linear(4, 2))
    fm = flambeau.nn.Sequential(flambeau.nn.Linear(3, 4), flambeau.nn.BatchNorm1d(4),
                                flambeau.nn.ReLU(), flambeau.nn.Linear(4, 2))
    copy_state(tm, fm)
    return tm, fm


def _perturb(tm, fm, rng):
    """New random weights and buffers, the same in both models."""
    sd = {}
    for k, v in tm.state_dict().items():
        if v.is_floating_point():
            a = rng.standard_normal(tuple(v.shape)).astype(np.float32)
            if 'running_var' in k:
                a = np.abs(a) + 0.1
        else:
            a = rng.integers(0, 50, tuple(v.shape)).astype(np.int64)
        sd[k] = torch.from_numpy(a)
    tm.load_state_dict(sd)
    fm.load_state_dict({k: to_fl(v) for k, v in sd.items()})


def _compare(ta, fa):
    tsd, fsd = ta.state_dict(), fa.state_dict()
    assert list(tsd) == list(fsd)
    for k in tsd:
        assert str(fsd[k].dtype) == str(tsd[k].dtype), k
        np.testing.assert_allclose(to_np(fsd[k]), to_np(tsd[k]), rtol=1e-6, atol=1e-6,
                                   err_msg=k)


AVERAGING = [
    ('swa', {}),
    ('swa buffers', {'use_buffers': True}),
    ('swa multi', {'multi_avg_fn': 'get_swa_multi_avg_fn()'}),
    ('swa avg_fn buffers', {'avg_fn': 'get_swa_avg_fn()', 'use_buffers': True}),
    ('ema multi buffers', {'multi_avg_fn': 'get_ema_multi_avg_fn(0.9)', 'use_buffers': True}),
    ('ema avg_fn', {'avg_fn': 'get_ema_avg_fn(0.8)'}),
    ('custom avg_fn', {'avg_fn': 'lambda a, m, n: 0.5 * a + 0.5 * m'}),
]


def _build(mod, kwargs):
    out = {}
    for k, v in kwargs.items():
        if isinstance(v, str):
            v = eval(v, {'get_swa_multi_avg_fn': mod.get_swa_multi_avg_fn,
                         'get_swa_avg_fn': mod.get_swa_avg_fn,
                         'get_ema_multi_avg_fn': mod.get_ema_multi_avg_fn,
                         'get_ema_avg_fn': mod.get_ema_avg_fn})
        out[k] = v
    return out


@pytest.mark.parametrize('name,kwargs', AVERAGING, ids=[a[0] for a in AVERAGING])
def test_averaged_model_matches_torch(name, kwargs):
    rng = np.random.default_rng(0)
    tm, fm = _models()
    ta = tswa.AveragedModel(tm, **_build(tswa, kwargs))
    fa = fswa.AveragedModel(fm, **_build(fswa, kwargs))
    _compare(ta, fa)
    for _ in range(5):
        _perturb(tm, fm, rng)
        ta.update_parameters(tm)
        fa.update_parameters(fm)
        _compare(ta, fa)
    assert fa.n_averaged.item() == ta.n_averaged.item() == 5
    # the averaged copy is independent of the source model
    assert fa.module[0].weight is not fm[0].weight
    x = rng.standard_normal((6, 3)).astype(np.float32)
    ta.eval()
    fa.eval()
    np.testing.assert_allclose(to_np(fa(flambeau.tensor(x))), to_np(ta(torch.tensor(x))),
                               rtol=1e-5, atol=1e-6)


def test_averaged_model_state_dict_and_repr():
    tm, fm = _models()
    ta, fa = tswa.AveragedModel(tm), fswa.AveragedModel(fm)
    assert list(fa.state_dict()) == list(ta.state_dict())
    assert list(fa.state_dict())[0] == 'n_averaged'
    assert fa.n_averaged.dtype is flambeau.int64 and fa.n_averaged.shape == ()
    assert repr(fa) == repr(ta)
    # a state_dict saved by torch loads into flambeau
    ta.update_parameters(tm)
    fa.load_state_dict({k: to_fl(v) for k, v in ta.state_dict().items()})
    _compare(ta, fa)


def test_averaged_model_errors():
    tm, fm = _models()
    with pytest.raises(AssertionError, match='Only one of avg_fn and multi_avg_fn'):
        fswa.AveragedModel(fm, avg_fn=fswa.get_swa_avg_fn(),
                           multi_avg_fn=fswa.get_swa_multi_avg_fn())
    for fn in ('get_ema_avg_fn', 'get_ema_multi_avg_fn'):
        for decay in (-0.1, 1.5):
            with pytest.raises(ValueError) as te:
                getattr(tswa, fn)(decay)
            with pytest.raises(ValueError) as fe:
                getattr(fswa, fn)(decay)
            assert str(fe.value) == str(te.value)


def _sgd(mod, swa_lr_groups=2):
    params = [mod.nn.Parameter(mod.zeros(2)) for _ in range(swa_lr_groups)]
    return mod.optim.SGD([{'params': [p]} for p in params], lr=0.5)


@pytest.mark.parametrize('strategy', ['cos', 'linear'])
@pytest.mark.parametrize('anneal_epochs', [0, 1, 5, 10])
@pytest.mark.parametrize('swa_lr', [0.05, [0.05, 0.2]])
def test_swalr_sequence(strategy, anneal_epochs, swa_lr):
    topt, fopt = _sgd(torch), _sgd(flambeau)
    ts = tswa.SWALR(topt, swa_lr=swa_lr, anneal_epochs=anneal_epochs, anneal_strategy=strategy)
    fs = fswa.SWALR(fopt, swa_lr=swa_lr, anneal_epochs=anneal_epochs, anneal_strategy=strategy)
    assert fs.get_last_lr() == ts.get_last_lr()
    for _ in range(30):
        topt.step()
        fopt.step()
        ts.step()
        fs.step()
        assert fs.get_last_lr() == pytest.approx(ts.get_last_lr(), rel=1e-12, abs=1e-15)
        assert [g['lr'] for g in fopt.param_groups] == \
            pytest.approx([g['lr'] for g in topt.param_groups], rel=1e-12, abs=1e-15)
        assert [g['swa_lr'] for g in fopt.param_groups] == [g['swa_lr'] for g in
                                                             topt.param_groups]


@pytest.mark.parametrize('strategy', ['cos', 'linear'])
def test_swalr_after_another_scheduler(strategy):
    """As in PyTorch's docs: MultiplicativeLR until ``swa_start``, then SWALR."""
    topt, fopt = _sgd(torch), _sgd(flambeau)
    tsched = torch.optim.lr_scheduler.MultiplicativeLR(topt, lr_lambda=lambda e: 0.9)
    fsched = flambeau.optim.lr_scheduler.MultiplicativeLR(fopt, lr_lambda=lambda e: 0.9)
    tswa_s = tswa.SWALR(topt, anneal_strategy=strategy, anneal_epochs=5, swa_lr=0.05)
    fswa_s = fswa.SWALR(fopt, anneal_strategy=strategy, anneal_epochs=5, swa_lr=0.05)
    for i in range(30):
        topt.step()
        fopt.step()
        if i > 10:
            tswa_s.step()
            fswa_s.step()
        else:
            tsched.step()
            fsched.step()
        assert [g['lr'] for g in fopt.param_groups] == \
            pytest.approx([g['lr'] for g in topt.param_groups], rel=1e-12)


def test_swalr_errors_and_state_dict():
    topt, fopt = _sgd(torch), _sgd(flambeau)
    for kwargs in ({'swa_lr': [0.1]}, {'swa_lr': 0.1, 'anneal_strategy': 'exp'},
                   {'swa_lr': 0.1, 'anneal_epochs': -1}, {'swa_lr': 0.1, 'anneal_epochs': 2.0}):
        with pytest.raises(ValueError) as te:
            tswa.SWALR(topt, **kwargs)
        with pytest.raises(ValueError) as fe:
            fswa.SWALR(fopt, **kwargs)
        assert str(fe.value) == str(te.value)
    topt, fopt = _sgd(torch), _sgd(flambeau)
    ts = tswa.SWALR(topt, swa_lr=0.1, anneal_epochs=4, anneal_strategy='linear')
    fs = fswa.SWALR(fopt, swa_lr=0.1, anneal_epochs=4, anneal_strategy='linear')
    for _ in range(2):
        fopt.step()
        fs.step()
    sd = fs.state_dict()
    assert 'anneal_func' not in sd and 'optimizer' not in sd
    assert set(sd) == set(ts.state_dict())
    fs2 = fswa.SWALR(_sgd(flambeau), swa_lr=0.3, anneal_strategy='cos')
    fs2.load_state_dict(sd)
    assert fs2.anneal_func is fswa.SWALR._linear_anneal and fs2.anneal_epochs == 4
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        fs.get_lr()
    assert any('get_last_lr()' in str(x.message) for x in w)


@pytest.mark.parametrize('with_labels', [True, False])
def test_update_bn_matches_torch(with_labels):
    rng = np.random.default_rng(5)
    tm, fm = _models()
    x = (rng.standard_normal((22, 3)) * 2 + 1).astype(np.float32)
    y = rng.integers(0, 2, 22)
    if with_labels:
        tl = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.tensor(x),
                                                                        torch.tensor(y)),
                                         batch_size=5)
        fl = flambeau.utils.data.DataLoader(flambeau.utils.data.TensorDataset(
            flambeau.tensor(x), flambeau.tensor(y)), batch_size=5)
    else:
        tl = [torch.tensor(x[i:i + 5]) for i in range(0, 22, 5)]
        fl = [flambeau.tensor(x[i:i + 5]) for i in range(0, 22, 5)]
    tm.eval()
    fm.eval()
    tswa.update_bn(tl, tm)
    fswa.update_bn(fl, fm)
    assert fm.training is False
    assert fm[1].momentum == tm[1].momentum == 0.1
    for name in ('running_mean', 'running_var', 'num_batches_tracked'):
        tb, fb = getattr(tm[1], name), getattr(fm[1], name)
        np.testing.assert_allclose(to_np(fb), to_np(tb), rtol=1e-5, atol=1e-6, err_msg=name)
    # on an AveragedModel, as in PyTorch's example
    ta, fa = tswa.AveragedModel(tm), fswa.AveragedModel(fm)
    ta.update_parameters(tm)
    fa.update_parameters(fm)
    tswa.update_bn(tl, ta)
    fswa.update_bn(fl, fa)
    _compare(ta, fa)


def test_update_bn_without_batchnorm_is_a_no_op():
    m = flambeau.nn.Linear(3, 2)
    m.eval()
    assert fswa.update_bn([flambeau.randn(2, 3)], m) is None
    assert m.training is False
