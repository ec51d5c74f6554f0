"""flambeau.optim.lr_scheduler against PyTorch: every scheduler's learning-rate (and momentum)
sequence over 100 steps, state_dict/load_state_dict resume, chaining, errors and the
step-order warning."""
import pickle
import warnings

import numpy as np
import pytest

torch = pytest.importorskip('torch')

import flambeau
import flambeau.optim as fo

STEPS = 100


def _optimizer(m, kind='sgd', groups=2):
    ps = [m.zeros(2, requires_grad=True) for _ in range(groups)]
    spec = [{'params': [p], 'lr': 0.1 * (i + 1)} for i, p in enumerate(ps)]
    if kind == 'adam':
        return m.optim.Adam(spec, lr=0.1)
    return m.optim.SGD(spec, lr=0.1, momentum=0.9)


def _metric(step):
    return 1.0 / (1 + step) if step < 30 else 0.03 + 0.001 * np.sin(step)


SCHEDULERS = {
    'StepLR': lambda s, o: s.StepLR(o, step_size=7, gamma=0.5),
    'MultiStepLR': lambda s, o: s.MultiStepLR(o, milestones=[10, 30, 30, 55], gamma=0.3),
    'ExponentialLR': lambda s, o: s.ExponentialLR(o, gamma=0.97),
    'CosineAnnealingLR': lambda s, o: s.CosineAnnealingLR(o, T_max=20, eta_min=0.001),
    'CosineAnnealingWarmRestarts': lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=7,
                                                                              T_mult=2,
                                                                              eta_min=0.01),
    'CyclicLR': lambda s, o: s.CyclicLR(o, base_lr=0.01, max_lr=[0.1, 0.2], step_size_up=8,
                                        step_size_down=5),
    'CyclicLR-triangular2': lambda s, o: s.CyclicLR(o, 0.01, 0.1, step_size_up=6,
                                                    mode='triangular2'),
    'CyclicLR-exp_range': lambda s, o: s.CyclicLR(o, 0.01, 0.1, step_size_up=6,
                                                  mode='exp_range', gamma=0.98,
                                                  cycle_momentum=False),
    'OneCycleLR': lambda s, o: s.OneCycleLR(o, max_lr=0.5, total_steps=STEPS + 1),
    'OneCycleLR-linear-3phase': lambda s, o: s.OneCycleLR(o, max_lr=[0.5, 1.0], epochs=11,
                                                          steps_per_epoch=10,
                                                          anneal_strategy='linear',
                                                          three_phase=True),
    'LinearLR': lambda s, o: s.LinearLR(o, start_factor=0.2, end_factor=0.9, total_iters=30),
    'ConstantLR': lambda s, o: s.ConstantLR(o, factor=0.25, total_iters=12),
    'LambdaLR': lambda s, o: s.LambdaLR(o, lr_lambda=[lambda e: 0.95 ** e,
                                                      lambda e: 1 / (1 + e)]),
    'MultiplicativeLR': lambda s, o: s.MultiplicativeLR(o, lr_lambda=lambda e: 0.98),
    'PolynomialLR': lambda s, o: s.PolynomialLR(o, total_iters=40, power=2.0),
    'SequentialLR': lambda s, o: s.SequentialLR(
        o, schedulers=[s.LinearLR(o, start_factor=0.1, total_iters=10),
                       s.CosineAnnealingLR(o, T_max=30), s.ExponentialLR(o, gamma=0.9)],
        milestones=[10, 50]),
    'ChainedScheduler': lambda s, o: s.ChainedScheduler(
        [s.ConstantLR(o, factor=0.5, total_iters=5), s.ExponentialLR(o, gamma=0.95),
         s.StepLR(o, step_size=20, gamma=0.5)], optimizer=o),
    'ReduceLROnPlateau': lambda s, o: s.ReduceLROnPlateau(o, patience=3, factor=0.5,
                                                          cooldown=2, min_lr=[0.01, 0.02]),
    'ReduceLROnPlateau-max-abs': lambda s, o: s.ReduceLROnPlateau(o, mode='max', patience=2,
                                                                  threshold=0.01,
                                                                  threshold_mode='abs'),
}


def _sequence(m, name, steps=STEPS, kind='sgd', start=None):
    opt = _optimizer(m, kind)
    sched = SCHEDULERS[name](m.optim.lr_scheduler, opt)
    out = [_snapshot(opt, sched)]
    for step in range(steps):
        opt.step()
        if 'Plateau' in name:
            sched.step(_metric(step))
        else:
            sched.step()
        out.append(_snapshot(opt, sched))
    return out, opt, sched


def _snapshot(opt, sched):
    groups = [(g['lr'], g.get('momentum'), g.get('betas')) for g in opt.param_groups]
    return groups, list(sched.get_last_lr())


@pytest.mark.parametrize('name', list(SCHEDULERS))
def test_lr_sequence(name):
    with warnings.catch_warnings():
        warnings.simplefilter('error')      # no step-order warning in the proper order
        got, _, _ = _sequence(flambeau, name)
    expected, _, _ = _sequence(torch, name)
    assert len(got) == len(expected)
    for i, (g, e) in enumerate(zip(got, expected)):
        np.testing.assert_allclose(np.array(g[1], float), np.array(e[1], float), rtol=1e-13,
                                   atol=0, err_msg=f'step {i}')
        for (lr, mom, betas), (lr_e, mom_e, betas_e) in zip(g[0], e[0]):
            assert lr == pytest.approx(lr_e, rel=1e-13, abs=0), i
            assert (mom is None) == (mom_e is None)
            if mom is not None:
                assert mom == pytest.approx(mom_e, rel=1e-13), i


def test_adam_beta1_cycles():
    got, _, _ = _sequence(flambeau, 'OneCycleLR', kind='adam')
    expected, _, _ = _sequence(torch, 'OneCycleLR', kind='adam')
    for g, e in zip(got, expected):
        for (lr, _, betas), (lr_e, _, betas_e) in zip(g[0], e[0]):
            assert lr == pytest.approx(lr_e, rel=1e-13)
            assert betas == pytest.approx(betas_e, rel=1e-13)


@pytest.mark.parametrize('name', ['StepLR', 'CosineAnnealingLR', 'CosineAnnealingWarmRestarts',
                                  'CyclicLR', 'OneCycleLR', 'SequentialLR', 'ChainedScheduler',
                                  'ReduceLROnPlateau', 'LambdaLR', 'PolynomialLR'])
def test_resume(name):
    """Save scheduler and optimizer midway, build new ones, load, continue: the same lrs as an
    uninterrupted run."""
    full, _, _ = _sequence(flambeau, name)
    half, opt, sched = _sequence(flambeau, name, steps=STEPS // 2)
    sd_sched = pickle.loads(pickle.dumps(
        {k: v for k, v in sched.state_dict().items()}))
    sd_opt = pickle.loads(pickle.dumps(opt.state_dict()))
    opt2 = _optimizer(flambeau)
    sched2 = SCHEDULERS[name](fo.lr_scheduler, opt2)
    sched2.load_state_dict(sd_sched)
    opt2.load_state_dict(sd_opt)
    out = []
    for step in range(STEPS // 2, STEPS):
        opt2.step()
        if 'Plateau' in name:
            sched2.step(_metric(step))
        else:
            sched2.step()
        out.append(_snapshot(opt2, sched2))
    for g, e in zip(out, full[STEPS // 2 + 1:]):
        assert g[1] == e[1]
        assert [x[0] for x in g[0]] == [x[0] for x in e[0]]


def test_state_dict_keys_match_torch():
    for name in ['StepLR', 'CyclicLR', 'OneCycleLR', 'ReduceLROnPlateau', 'LambdaLR',
                 'SequentialLR']:
        _, _, fs = _sequence(flambeau, name, steps=3)
        _, _, ts = _sequence(torch, name, steps=3)
        fk, tk = set(fs.state_dict()), set(ts.state_dict())
        assert fk == tk, (name, fk ^ tk)


def test_step_before_optimizer_step_warns():
    opt = _optimizer(flambeau)
    sched = fo.lr_scheduler.StepLR(opt, step_size=2)
    with pytest.warns(UserWarning, match=r'Detected call of `lr_scheduler.step\(\)` before '
                                         r'`optimizer.step\(\)`'):
        sched.step()
    opt = _optimizer(flambeau)
    sched = fo.lr_scheduler.StepLR(opt, step_size=2)
    opt.step = lambda closure=None: None      # overridden after the scheduler was created
    with pytest.warns(UserWarning, match='has been overridden after learning rate scheduler'):
        sched.step()


def test_epoch_argument_uses_closed_form():
    opt = _optimizer(flambeau)
    sched = fo.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
    opt.step()
    with pytest.warns(UserWarning, match='The epoch parameter in `scheduler.step\\(\\)`'):
        sched.step(7)
    assert sched.get_last_lr() == pytest.approx([0.1 * 0.25, 0.2 * 0.25])


def test_get_lr_outside_step_warns():
    opt = _optimizer(flambeau)
    sched = fo.lr_scheduler.ExponentialLR(opt, gamma=0.5)
    with pytest.warns(UserWarning, match='please use `get_last_lr\\(\\)`'):
        sched.get_lr()


def test_chaining_two_schedulers():
    """Two schedulers stepped one after the other multiply their effects, as in PyTorch."""
    def run(m):
        opt = _optimizer(m)
        s1 = m.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)
        s2 = m.optim.lr_scheduler.MultiStepLR(opt, milestones=[3, 6], gamma=0.1)
        lrs = []
        for _ in range(10):
            opt.step()
            s1.step()
            s2.step()
            lrs.append(s2.get_last_lr())
        return lrs
    np.testing.assert_allclose(run(flambeau), run(torch), rtol=1e-13)


def _errors(s, o, m):
    return [
        lambda: s.StepLR(object(), 3),
        lambda: s.ConstantLR(o, factor=1.5),
        lambda: s.LinearLR(o, start_factor=0),
        lambda: s.LinearLR(o, end_factor=2.0),
        lambda: s.LambdaLR(o, lr_lambda=[lambda e: 1.0]),
        lambda: s.MultiplicativeLR(o, lr_lambda=[1, 2]),
        lambda: s.CosineAnnealingWarmRestarts(o, T_0=0),
        lambda: s.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=0),
        lambda: s.CosineAnnealingWarmRestarts(o, T_0=2, eta_min='a'),
        lambda: s.CyclicLR(o, 0.01, 0.1, mode='bad'),
        lambda: s.CyclicLR(o, [0.01], 0.1),
        lambda: s.CyclicLR(m.optim.Adagrad([m.zeros(1, requires_grad=True)]), 0.01, 0.1),
        lambda: s.OneCycleLR(o, 0.1),
        lambda: s.OneCycleLR(o, 0.1, total_steps=0),
        lambda: s.OneCycleLR(o, 0.1, epochs=0, steps_per_epoch=2),
        lambda: s.OneCycleLR(o, 0.1, epochs=2, steps_per_epoch=-1),
        lambda: s.OneCycleLR(o, 0.1, total_steps=10, pct_start=1.5),
        lambda: s.OneCycleLR(o, 0.1, total_steps=10, anneal_strategy='exp'),
        lambda: s.ReduceLROnPlateau(o, factor=1.0),
        lambda: s.ReduceLROnPlateau(o, mode='avg'),
        lambda: s.ReduceLROnPlateau(o, threshold_mode='x'),
        lambda: s.ReduceLROnPlateau(o, min_lr=[0.1]),
        lambda: s.SequentialLR(o, schedulers=[], milestones=[]),
        lambda: s.SequentialLR(o, schedulers=[s.StepLR(o, 2)], milestones=[3]),
        lambda: s.SequentialLR(o, schedulers=[s.ReduceLROnPlateau(o)], milestones=[]),
        lambda: s.ChainedScheduler([]),
        lambda: s.StepLR(m.optim.SGD([m.zeros(1, requires_grad=True)]), 3, last_epoch=4),
    ]


def test_errors_match_torch():
    fo_opt, t_opt = _optimizer(flambeau), _optimizer(torch)
    for f, t in zip(_errors(fo.lr_scheduler, fo_opt, flambeau),
                    _errors(torch.optim.lr_scheduler, t_opt, torch)):
        try:
            t()
        except Exception as e:  # noqa: BLE001
            expected = (type(e), str(e))
        else:
            raise AssertionError('torch did not raise')
        with pytest.raises(expected[0]) as info:
            f()
        assert str(info.value) == expected[1]


def test_onecycle_too_many_steps():
    opt = _optimizer(flambeau)
    sched = fo.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=3)
    for _ in range(3):
        opt.step()
        sched.step()
    opt.step()
    with pytest.raises(ValueError, match='Tried to step 4 times. The specified number of total '
                                         'steps is 3'):
        sched.step()


def test_tensor_lr_is_filled_in_place():
    p = flambeau.zeros(2, requires_grad=True)
    lr = flambeau.tensor(0.1)
    opt = fo.SGD([p], lr=lr)
    sched = fo.lr_scheduler.ExponentialLR(opt, gamma=0.5)
    opt.step()
    sched.step()
    assert opt.param_groups[0]['lr'] is lr
    assert lr.item() == pytest.approx(0.05)
    assert isinstance(sched.get_last_lr()[0], flambeau.Tensor)
