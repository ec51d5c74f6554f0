"""flambeau.optim against PyTorch: the same parameters fed the same gradients (a deterministic
function of the parameters, computed in NumPy) must follow the same trajectory over 100
steps, for every optimizer and a set of option combinations; plus state_dict layout,
save/resume, argument validation (same exception and message as PyTorch), hooks, zero_grad and
param groups."""
import copy
import pickle
import warnings

import numpy as np
import pytest

torch = pytest.importorskip('torch')

import flambeau
import flambeau.optim as fo

SHAPES = [(4, 3), (7,), ()]
STEPS = 100


def _init_arrays(dtype=np.float64):
    rng = np.random.default_rng(0)
    return [rng.uniform(-1.5, 1.5, size=s).astype(dtype) for s in SHAPES]


def _grad_of(a, step, k):
    """A deterministic gradient of parameter ``k`` at ``step`` given its values ``a``."""
    return (np.sin(3 * a + k) + 0.1 * a ** 3 - 0.3 + 0.2 * np.cos(0.7 * step + k)).astype(a.dtype)


def _run(m, make_opt, arrays, steps=STEPS, groups=None):
    """``steps`` optimizer steps in framework ``m`` (flambeau or torch); returns (params, opt)."""
    params = [m.tensor(a.copy(), requires_grad=True) for a in arrays]
    spec = params if groups is None else [dict(g, params=[params[i] for i in idx])
                                          for idx, g in groups]
    opt = make_opt(m, spec)
    for step in range(steps):
        opt.zero_grad()
        for k, p in enumerate(params):
            g = _grad_of(p.detach().numpy(), step, k)
            p.grad = m.tensor(g)
        opt.step()
    return params, opt


def _close(fl_params, th_params, rtol=1e-5, atol=1e-9):
    for a, b in zip(fl_params, th_params):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=rtol, atol=atol)


def _opt(name, **kw):
    return lambda m, params: getattr(m.optim, name)(params, **kw)


CASES = [
    ('SGD', dict(lr=0.05)),
    ('SGD', dict(lr=0.05, momentum=0.9)),
    ('SGD', dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.01)),
    ('SGD', dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.1)),
    ('SGD', dict(lr=0.05, momentum=0.5, maximize=True, foreach=True)),
    ('Adam', dict(lr=0.01)),
    ('Adam', dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
    ('Adam', dict(lr=0.01, betas=(0.8, 0.99), maximize=True, capturable=False,
                  differentiable=False)),
    ('Adam', dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, foreach=False)),
    ('Adam', dict(lr=0.01, betas=(0.6, 0.9), amsgrad=True, maximize=True)),
    ('AdamW', dict(lr=0.01)),
    ('AdamW', dict(lr=0.01, weight_decay=0.2, amsgrad=True, maximize=True)),
    ('RMSprop', dict(lr=0.01)),
    ('RMSprop', dict(lr=0.01, centered=True, momentum=0.9)),
    ('RMSprop', dict(lr=0.01, alpha=0.9, weight_decay=0.1, momentum=0.5, maximize=True)),
    ('RMSprop', dict(lr=0.01, centered=True, eps=1e-3)),
    ('Adagrad', dict(lr=0.1)),
    ('Adagrad', dict(lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.5)),
    ('Adagrad', dict(lr=0.1, maximize=True, eps=1e-5)),
    ('Adadelta', dict()),
    ('Adadelta', dict(lr=0.5, rho=0.8, weight_decay=0.1, maximize=True)),
    ('Adamax', dict()),
    ('Adamax', dict(lr=0.01, betas=(0.8, 0.95), weight_decay=0.1, maximize=True)),
    ('NAdam', dict()),
    ('NAdam', dict(lr=0.01, weight_decay=0.1, momentum_decay=0.01)),
    ('NAdam', dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ('RAdam', dict()),
    ('RAdam', dict(lr=0.01, weight_decay=0.1, betas=(0.9, 0.9))),
    ('RAdam', dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ('ASGD', dict()),
    ('ASGD', dict(lr=0.05, lambd=1e-3, alpha=0.6, t0=30, weight_decay=0.05)),
    ('ASGD', dict(lr=0.05, t0=10, maximize=True)),
    ('Rprop', dict()),
    ('Rprop', dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.2), maximize=True)),
]


def _case_id(case):
    name, kw = case
    return name + ('-' + '-'.join(f'{k}={v}' for k, v in kw.items()) if kw else '')


@pytest.mark.parametrize('case', CASES, ids=[_case_id(c) for c in CASES])
def test_trajectory_float64(case):
    name, kw = case
    arrays = _init_arrays()
    fp, fopt = _run(flambeau, _opt(name, **kw), arrays)
    tp, topt = _run(torch, _opt(name, **kw), arrays)
    _close(fp, tp)
    # the state has torch's keys, dtypes and (to the same tolerance) values
    fs, ts = fopt.state_dict(), topt.state_dict()
    assert fs['param_groups'] == ts['param_groups']
    assert sorted(fs['state']) == sorted(ts['state'])
    for i in ts['state']:
        assert list(fs['state'][i]) == list(ts['state'][i])
        for key, tv in ts['state'][i].items():
            fv = fs['state'][i][key]
            if isinstance(tv, torch.Tensor):
                assert isinstance(fv, flambeau.Tensor), key
                assert str(fv.dtype) == str(tv.dtype), key
                assert tuple(fv.shape) == tuple(tv.shape), key
                np.testing.assert_allclose(fv.numpy(), tv.numpy(), rtol=1e-5, atol=1e-9)
            else:
                assert fv == tv, key


@pytest.mark.parametrize('name', ['SGD', 'Adam', 'AdamW', 'RMSprop', 'Adagrad', 'Adadelta',
                                  'Adamax', 'NAdam', 'RAdam', 'ASGD', 'Rprop'])
def test_trajectory_float32(name):
    kw = {'SGD': dict(lr=0.05, momentum=0.9)}.get(name, {})
    arrays = _init_arrays(np.float32)
    fp, _ = _run(flambeau, _opt(name, **kw), arrays, steps=30)
    tp, _ = _run(torch, _opt(name, **kw), arrays, steps=30)
    for p in fp:
        assert p.dtype is flambeau.float32
    _close(fp, tp, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize('name,kw', [
    ('Adam', dict(lr=0.01, weight_decay=0.1)),
    ('Adam', dict(lr=0.01, amsgrad=True, maximize=True, weight_decay=0.1)),
    ('AdamW', dict(lr=0.01, maximize=True)),
    ('AdamW', dict(lr=0.01, amsgrad=True)),
    ('SGD', dict(lr=0.01, momentum=0.9)),
    ('SGD', dict(lr=0.01, momentum=0.9, dampening=0.3, weight_decay=0.1)),
    ('SGD', dict(lr=0.01, momentum=0.9, nesterov=True, maximize=True))])
def test_large_parameters_blocked_update(name, kw):
    """Parameters large enough for the blocked update (Note [Blocked updates]: over two
    blocks, a partial last one) and for the BLAS's vector updates (Note [Vector updates by the
    BLAS]; SGD's are whole-array), beside a small and a non-contiguous one, follow PyTorch's
    trajectory."""
    from flambeau.optim.optimizer import _BLOCK
    rng = np.random.default_rng(1)
    sizes = ((2 * _BLOCK + 1,), (5, 3 * _BLOCK // 5 + 7), (5,))
    arrays = [rng.uniform(-1, 1, size=s).astype(np.float32) for s in sizes]
    fp, _ = _run(flambeau, _opt(name, **kw), arrays, steps=5)
    tp, _ = _run(torch, _opt(name, **kw), arrays, steps=5)
    _close(fp, tp, rtol=1e-4, atol=1e-6)
    # a non-contiguous gradient takes the whole-array path
    p = flambeau.zeros(400, 400, requires_grad=True)
    q = torch.zeros(400, 400, requires_grad=True)
    g = rng.uniform(-1, 1, size=(400, 400)).astype(np.float32)
    p.grad, q.grad = flambeau.tensor(g).t(), torch.tensor(g).t()
    getattr(flambeau.optim, name)([p], **kw).step()
    getattr(torch.optim, name)([q], **kw).step()
    _close([p], [q], rtol=1e-4, atol=1e-6)


def test_param_groups_and_missing_grads():
    groups = [([0, 2], dict(lr=0.1, momentum=0.9)), ([1], dict(lr=0.01))]

    def run(m):
        params = [m.tensor(a.copy(), requires_grad=True) for a in _init_arrays()]
        opt = m.optim.SGD([dict(g, params=[params[i] for i in idx]) for idx, g in groups],
                          lr=0.5, nesterov=False)
        for step in range(10):
            opt.zero_grad()
            for k, p in enumerate(params):
                if k == 1 and step % 3 == 0:
                    continue  # no gradient: the parameter is skipped
                p.grad = m.tensor(_grad_of(p.detach().numpy(), step, k))
            opt.step()
        return params, opt

    fp, fopt = run(flambeau)
    tp, topt = run(torch)
    _close(fp, tp)
    assert fopt.state_dict()['param_groups'] == topt.state_dict()['param_groups']
    assert repr(fopt) == repr(topt)


def test_backward_and_closure():
    """Gradients from the autograd engine; closures; the loss ``step(closure)`` returns."""
    def run(m):
        w = m.tensor([[0.5, -0.2], [0.1, 0.3]], dtype=m.float64, requires_grad=True)
        b = m.tensor([0.1, -0.1], dtype=m.float64, requires_grad=True)
        x = m.tensor([[1.0, 2.0], [3.0, -1.0], [0.5, 0.5]], dtype=m.float64)
        y = m.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], dtype=m.float64)
        opt = m.optim.Adam([w, b], lr=0.05)
        losses = []

        def closure():
            opt.zero_grad()
            loss = ((x @ w + b - y) ** 2).mean()
            loss.backward()
            return loss
        for _ in range(50):
            losses.append(float(opt.step(closure).detach()))
        return [w, b], losses

    fp, fl = run(flambeau)
    tp, tl = run(torch)
    _close(fp, tp)
    np.testing.assert_allclose(fl, tl, rtol=1e-6)


def _rosenbrock_closure(m, opt, params):
    def closure():
        opt.zero_grad()
        x, y = params
        loss = ((1 - x) ** 2 + 100 * (y - x ** 2) ** 2).sum() + (x ** 4).sum() * 0.01
        loss.backward()
        return loss
    return closure


@pytest.mark.parametrize('kw', [dict(), dict(line_search_fn='strong_wolfe'),
                                dict(history_size=3, max_iter=5, lr=0.5),
                                dict(line_search_fn='strong_wolfe', history_size=2,
                                     max_iter=7, max_eval=9)])
def test_lbfgs(kw):
    def run(m):
        params = [m.tensor([-1.2, 0.5, 2.0], dtype=m.float64, requires_grad=True),
                  m.tensor([1.0, -0.3, 1.5], dtype=m.float64, requires_grad=True)]
        opt = m.optim.LBFGS(params, **kw)
        closure = _rosenbrock_closure(m, opt, params)
        losses = [float(opt.step(closure).detach()) for _ in range(6)]
        return params, losses, opt

    fp, fl, fopt = run(flambeau)
    tp, tl, topt = run(torch)
    _close(fp, tp, rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(fl, tl, rtol=1e-5, atol=1e-10)
    fs = fopt.state[fopt.param_groups[0]['params'][0]]
    ts = topt.state[topt.param_groups[0]['params'][0]]
    assert fs['func_evals'] == ts['func_evals'] and fs['n_iter'] == ts['n_iter']
    assert len(fs['old_dirs']) == len(ts['old_dirs'])


def test_lbfgs_errors():
    p = flambeau.zeros(2, requires_grad=True)
    q = flambeau.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match=r"LBFGS doesn't support per-parameter options"):
        fo.LBFGS([{'params': [p]}, {'params': [q]}])
    opt = fo.LBFGS([p], line_search_fn='wolfe')

    def closure():
        opt.zero_grad()
        loss = ((p - 1) ** 2).sum()
        loss.backward()
        return loss
    with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
        opt.step(closure)


@pytest.mark.parametrize('name,kw', [('SGD', dict(lr=0.05, momentum=0.9, nesterov=True)),
                                     ('Adam', dict(lr=0.01, amsgrad=True)),
                                     ('RMSprop', dict(centered=True, momentum=0.5)),
                                     ('NAdam', dict()), ('ASGD', dict(t0=20)),
                                     ('Rprop', dict()), ('Adagrad', dict(lr_decay=0.1))])
def test_save_resume(name, kw):
    """state_dict midway, a new optimizer over new tensors, load, continue: the same end as an
    uninterrupted run (and as PyTorch)."""
    arrays = _init_arrays()
    full, _ = _run(flambeau, _opt(name, **kw), arrays)
    half, opt = _run(flambeau, _opt(name, **kw), arrays, steps=STEPS // 2)
    saved = pickle.loads(pickle.dumps(opt.state_dict()))
    params = [flambeau.tensor(p.detach().numpy().copy(), requires_grad=True) for p in half]
    opt2 = _opt(name, **kw)(flambeau, params)
    opt2.load_state_dict(saved)
    for step in range(STEPS // 2, STEPS):
        opt2.zero_grad()
        for k, p in enumerate(params):
            p.grad = flambeau.tensor(_grad_of(p.detach().numpy(), step, k))
        opt2.step()
    # (ASGD's float32 eta and mu are loaded cast to the parameters' float64, as in PyTorch,
    # so its resumed run differs from the uninterrupted one by float32 rounding)
    _close(params, full, rtol=1e-6 if name == 'ASGD' else 1e-12, atol=0)
    tp, _ = _run(torch, _opt(name, **kw), arrays)
    _close(params, tp)
    # a loaded state is a copy: stepping doesn't touch the saved dict
    assert opt2.state[params[0]] is not saved['state'][0]


def test_load_state_dict_casts_and_checks():
    p = flambeau.zeros(3, dtype=flambeau.float64, requires_grad=True)
    q = flambeau.zeros(3, dtype=flambeau.float32, requires_grad=True)
    opt = fo.Adam([p])
    p.grad = flambeau.ones(3, dtype=flambeau.float64)
    opt.step()
    sd = opt.state_dict()
    opt2 = fo.Adam([q])
    opt2.load_state_dict(sd)
    st = opt2.state[q]
    assert st['exp_avg'].dtype is flambeau.float32      # cast to the parameter's dtype
    assert st['step'].dtype is flambeau.float32         # 'step' keeps its dtype
    with pytest.raises(ValueError, match='different number of parameter groups'):
        fo.Adam([{'params': [q]}, {'params': [flambeau.zeros(1, requires_grad=True)]}]) \
            .load_state_dict(sd)
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        fo.Adam([q, flambeau.zeros(1, requires_grad=True)]).load_state_dict(sd)


def _error_of(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return type(e), str(e)
    return None


BAD_ARGS = [
    ('SGD', dict(lr=-1.0)), ('SGD', dict(momentum=-0.5)), ('SGD', dict(weight_decay=-1e-2)),
    ('SGD', dict(nesterov=True)), ('SGD', dict(nesterov=True, momentum=0.9, dampening=0.1)),
    ('Adam', dict(lr=-1.0)), ('Adam', dict(eps=-1.0)), ('Adam', dict(betas=(1.0, 0.999))),
    ('Adam', dict(betas=(0.9, -0.1))), ('Adam', dict(weight_decay=-1.0)),
    ('Adam', dict(betas=(0, 0.99))), ('AdamW', dict(lr=-0.5)),
    ('RMSprop', dict(lr=-1.0)), ('RMSprop', dict(eps=-1.0)), ('RMSprop', dict(momentum=-1.0)),
    ('RMSprop', dict(weight_decay=-1.0)), ('RMSprop', dict(alpha=-1.0)),
    ('Adagrad', dict(lr=-1.0)), ('Adagrad', dict(lr_decay=-1.0)),
    ('Adagrad', dict(weight_decay=-1.0)), ('Adagrad', dict(initial_accumulator_value=-1.0)),
    ('Adagrad', dict(eps=-1.0)),
    ('Adadelta', dict(lr=-1.0)), ('Adadelta', dict(rho=1.5)), ('Adadelta', dict(eps=-1.0)),
    ('Adadelta', dict(weight_decay=-1.0)),
    ('Adamax', dict(lr=-1.0)), ('Adamax', dict(eps=-1.0)), ('Adamax', dict(betas=(0.9, 1.0))),
    ('Adamax', dict(weight_decay=-1.0)),
    ('NAdam', dict(lr=-1.0)), ('NAdam', dict(momentum_decay=-1.0)),
    ('NAdam', dict(betas=(-0.1, 0.9))),
    ('RAdam', dict(lr=-1.0)), ('RAdam', dict(eps=-1.0)), ('RAdam', dict(weight_decay=-1.0)),
    ('ASGD', dict(lr=-1.0)), ('ASGD', dict(weight_decay=-1.0)),
    ('Rprop', dict(lr=-1.0)), ('Rprop', dict(etas=(1.2, 0.5))),
    ('LBFGS', dict(lr=-1.0)),
]


@pytest.mark.parametrize('case', BAD_ARGS, ids=[_case_id(c) for c in BAD_ARGS])
def test_argument_validation(case):
    name, kw = case
    expected = _error_of(lambda: getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)],
                                                            **kw))
    got = _error_of(lambda: getattr(fo, name)([flambeau.zeros(2, requires_grad=True)], **kw))
    assert expected is not None
    assert got == expected


def _bad_params(m):
    x = m.zeros(2, requires_grad=True)
    return [
        lambda: m.optim.SGD(x, lr=0.1),
        lambda: m.optim.SGD([], lr=0.1),
        lambda: m.optim.SGD([x, 1.0], lr=0.1),
        lambda: m.optim.SGD([x * 2], lr=0.1),
        lambda: m.optim.SGD([{'params': [x]}, {'params': [x]}], lr=0.1),
        lambda: m.optim.SGD([{'params': {x}}], lr=0.1),
        lambda: m.optim.SGD([('a', x), m.zeros(1, requires_grad=True)], lr=0.1),
        lambda: m.optim.SGD([{'params': [('a', x)]},
                             {'params': [m.zeros(1, requires_grad=True)]}], lr=0.1),
        lambda: m.optim.SGD([x], lr=0.1).add_param_group([x]),
    ]


def test_param_errors_match_torch():
    for f, t in zip(_bad_params(flambeau), _bad_params(torch)):
        expected = _error_of(t)
        got = _error_of(f)
        assert expected is not None
        assert got[0] is expected[0]
        # PyTorch names its own types (torch.FloatTensor...), flambeau prints the same names
        assert got[1] == expected[1]


def test_accepted_params():
    x = flambeau.zeros(2, requires_grad=True)
    y = flambeau.zeros(3, requires_grad=True)
    opt = fo.SGD((p for p in [x, y]), lr=0.1)             # a generator
    assert opt.param_groups[0]['params'] == [x, y] or opt.param_groups[0]['params'][1] is y
    opt = fo.SGD([('x', x), ('y', y)], lr=0.1)             # named parameters
    assert opt.param_groups[0]['param_names'] == ['x', 'y']
    assert opt.state_dict()['param_groups'][0]['param_names'] == ['x', 'y']
    with pytest.warns(UserWarning, match='duplicate parameters'):
        fo.SGD([x, x], lr=0.1)
    opt = fo.SGD([x], lr=0.1)
    opt.add_param_group({'params': y, 'lr': 0.5})
    assert [g['lr'] for g in opt.param_groups] == [0.1, 0.5]
    assert opt.param_groups[1]['momentum'] == 0
    retained = (x * 2)
    retained.retain_grad()
    fo.SGD([retained], lr=0.1)                            # a retain_grad tensor is accepted


def test_zero_grad():
    x = flambeau.ones(3, requires_grad=True)
    opt = fo.SGD([x], lr=0.1)
    (x * x).sum().backward()
    g = x.grad
    opt.zero_grad(set_to_none=False)
    assert x.grad is g and x.grad.tolist() == [0.0, 0.0, 0.0]
    opt.zero_grad()
    assert x.grad is None
    opt.step()                                            # no grad: nothing happens
    assert x.tolist() == [1.0, 1.0, 1.0]


def test_step_bumps_version_and_records_no_graph():
    x = flambeau.ones(3, requires_grad=True)
    y = x * 2
    saved = x * x                                         # saves x for backward
    opt = fo.SGD([x], lr=0.1)
    x.grad = flambeau.ones(3)
    v = x._version
    opt.step()
    assert x._version == v + 1
    assert x.grad_fn is None and x.is_leaf and x.requires_grad
    with pytest.raises(RuntimeError, match='modified by an inplace operation'):
        saved.sum().backward()
    del y


def test_step_hooks():
    x = flambeau.ones(2, requires_grad=True)
    opt = fo.SGD([x], lr=0.1)
    calls = []
    h1 = opt.register_step_pre_hook(lambda o, a, k: calls.append(('pre', o is opt)))
    h2 = opt.register_step_post_hook(lambda o, a, k: calls.append(('post', o is opt)))
    h3 = fo.optimizer.register_optimizer_step_pre_hook(lambda o, a, k: calls.append('gpre'))
    h4 = fo.optimizer.register_optimizer_step_post_hook(lambda o, a, k: calls.append('gpost'))
    opt.step()
    assert calls == ['gpre', ('pre', True), ('post', True), 'gpost']
    for h in (h1, h2, h3, h4):
        h.remove()
    calls.clear()
    opt.step()
    assert calls == []
    # a pre hook may replace the arguments
    opt.register_step_pre_hook(lambda o, a, k: ((), {'closure': lambda: 7.0}))
    assert opt.step() == 7.0
    opt2 = fo.SGD([x], lr=0.1)
    opt2.register_step_pre_hook(lambda o, a, k: 5)
    with pytest.raises(RuntimeError, match='must return None or a tuple'):
        opt2.step()


def test_state_dict_hooks():
    x = flambeau.ones(2, requires_grad=True)
    opt = fo.Adam([x])
    seen = []
    opt.register_state_dict_pre_hook(lambda o: seen.append('pre'))
    opt.register_state_dict_post_hook(lambda o, sd: dict(sd, extra=1))
    sd = opt.state_dict()
    assert seen == ['pre'] and sd['extra'] == 1
    opt.register_load_state_dict_pre_hook(lambda o, sd: seen.append('lpre'))
    opt.register_load_state_dict_post_hook(lambda o: seen.append('lpost'))
    opt.load_state_dict(sd)
    assert seen == ['pre', 'lpre', 'lpost']


def test_pickle_and_deepcopy_optimizer():
    x = flambeau.ones(2, requires_grad=True)
    opt = fo.Adam([x], lr=0.1)
    x.grad = flambeau.ones(2)
    opt.step()
    opt2 = copy.deepcopy(opt)
    p2 = opt2.param_groups[0]['params'][0]
    assert p2 is not x and opt2.state[p2]['step'].item() == 1.0
    p2.grad = flambeau.ones(2)
    opt2.step()                                            # hooks and scratch rebuilt
    opt3 = pickle.loads(pickle.dumps(opt))
    assert opt3.state_dict()['param_groups'] == opt.state_dict()['param_groups']


def test_scalar_state_dtype_follows_default(default_dtype_restored):
    flambeau.set_default_dtype(flambeau.float64)
    x = flambeau.ones(2, requires_grad=True)
    opt = fo.Adam([x])
    x.grad = flambeau.ones(2)
    opt.step()
    assert opt.state[x]['step'].dtype is flambeau.float64


def test_differentiable_not_supported():
    with pytest.raises(RuntimeError, match='differentiable=True'):
        fo.SGD([flambeau.zeros(1, requires_grad=True)], lr=0.1, differentiable=True)


def test_with_modules():
    nn = pytest.importorskip('flambeau.nn')
    if not hasattr(nn, 'Linear') or not hasattr(nn, 'Module'):
        pytest.skip('flambeau.nn.Linear is not there yet')
    tl = torch.nn.Linear(3, 2).double()
    fl = nn.Linear(3, 2).double()
    with flambeau.no_grad():
        fl.weight.copy_(flambeau.tensor(tl.weight.detach().numpy()))
        fl.bias.copy_(flambeau.tensor(tl.bias.detach().numpy()))
    x = np.linspace(-1, 1, 12).reshape(4, 3)
    y = np.cos(np.arange(8.0)).reshape(4, 2)
    for m, model in ((flambeau, fl), (torch, tl)):
        opt = m.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        sched = m.optim.lr_scheduler.StepLR(opt, step_size=5, gamma=0.5)
        xx, yy = m.tensor(x), m.tensor(y)
        for _ in range(20):
            opt.zero_grad()
            ((model(xx) - yy) ** 2).mean().backward()
            opt.step()
            sched.step()
    _close([fl.weight, fl.bias], [tl.weight, tl.bias], rtol=1e-10)


def test_module_exports():
    for name in ['ASGD', 'Adadelta', 'Adagrad', 'Adam', 'AdamW', 'Adamax', 'LBFGS', 'NAdam',
                 'Optimizer', 'RAdam', 'RMSprop', 'Rprop', 'SGD']:
        assert hasattr(torch.optim, name)
        assert issubclass(getattr(fo, name), fo.Optimizer)
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        assert isinstance(fo.SGD([flambeau.zeros(1, requires_grad=True)]), fo.Optimizer)


@pytest.mark.parametrize('name', ['NAdam', 'ASGD', 'Adam'])
def test_state_follows_the_parameters_to_a_device(strict_cuda, name):
    """After load_state_dict onto parameters on another device, the state tensors follow them
    and step() runs there (on the strict cuda stand-in, which refuses host NumPy calls on
    device arrays); ``step`` stays where it was, as in PyTorch."""
    w = flambeau.nn.Parameter(flambeau.tensor([1.0, -2.0, 3.0]))
    opt = getattr(flambeau.optim, name)([w], lr=0.1)
    for _ in range(2):
        opt.zero_grad()
        (w * w).sum().backward()
        opt.step()
    saved = opt.state_dict()
    wc = flambeau.nn.Parameter(w.detach().to('cuda'))
    opt2 = getattr(flambeau.optim, name)([wc], lr=0.1)
    opt2.load_state_dict(saved)
    state = opt2.state[wc]
    assert state['step'].device.type == 'cpu'
    assert all(v.device.type == 'cuda' for k, v in state.items()
               if isinstance(v, flambeau.Tensor) and k != 'step')
    for o, p in ((opt, w), (opt2, wc)):
        o.zero_grad()
        (p * p).sum().backward()
        o.step()
    assert wc.device.type == 'cuda'
    assert wc.detach().cpu().tolist() == w.detach().tolist()
