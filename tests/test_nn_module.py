"""flambeau.nn core against torch.nn: Parameter, Module (registration, iteration, state_dict,
hooks, repr, conversion, errors), containers, Linear/Bilinear/Identity/Flatten/Unflatten, the
activation and distance modules, nn.utils."""
import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest

torch = pytest.importorskip('torch')

import flambeau
import flambeau.nn as fnn
from nn_helpers import check_module, to_fl

tnn = torch.nn
RNG = np.random.default_rng(1)


def randn(*shape, dtype=np.float32):
    return RNG.standard_normal(shape).astype(dtype)


def both(fn):
    """``fn(nn)`` built in torch and flambeau."""
    return fn(tnn), fn(fnn)


def raises_same(ft, ff):
    with pytest.raises(Exception) as et:
        ft()
    with pytest.raises(Exception) as ef:
        ff()
    assert type(ef.value) is type(et.value), (ef.value, et.value)
    assert str(ef.value) == str(et.value)


# -- Parameter ----------------------------------------------------------------------------------
def test_parameter_basics():
    p = fnn.Parameter(flambeau.ones(2))
    tp = tnn.Parameter(torch.ones(2))
    assert isinstance(p, flambeau.Tensor) and p.requires_grad and p.is_leaf
    assert repr(p) == repr(tp) and str(p) == str(tp)
    assert repr(fnn.Parameter()) == repr(tnn.Parameter())
    assert repr(fnn.Parameter(flambeau.ones(2), requires_grad=False)) == \
        repr(tnn.Parameter(torch.ones(2), requires_grad=False))
    assert type(p.data) is flambeau.Tensor and type(p * 2) is flambeau.Tensor
    q = copy.deepcopy(p)
    assert type(q) is fnn.Parameter and q.requires_grad and q.data_ptr() != p.data_ptr()
    r = pickle.loads(pickle.dumps(p))
    assert type(r) is fnn.Parameter and repr(r) == repr(p)
    raises_same(lambda: tnn.Parameter(torch.ones(2, dtype=torch.long)),
                lambda: fnn.Parameter(flambeau.ones(2, dtype=flambeau.long)))


def test_parameter_shares_memory():
    t = flambeau.zeros(3)
    p = fnn.Parameter(t)
    t.add_(1)
    assert p.tolist() == [1.0, 1.0, 1.0] and p._version == t._version == 1


def test_buffer_assignment():
    m = fnn.Module()
    m.b = fnn.Buffer(flambeau.zeros(2))
    m.c = fnn.Buffer(flambeau.ones(1), persistent=False)
    assert list(m.state_dict()) == ['b'] and [n for n, _ in m.named_buffers()] == ['b', 'c']
    assert isinstance(m.b, fnn.Buffer) and not isinstance(flambeau.zeros(1), fnn.Buffer)


# -- Module: registration, attributes, errors --------------------------------------------------
class _Net:
    """The same small model in both frameworks."""

    @staticmethod
    def build(nn, F):
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(4, 5)
                self.act = nn.ReLU()
                self.block = nn.Sequential(nn.Linear(5, 5), nn.Tanh(), nn.Linear(5, 3, bias=False))
                self.scale = nn.Parameter(torch_or_fl(nn).ones(3))
                self.register_buffer('running', torch_or_fl(nn).zeros(3))
                self.register_buffer('tmp', torch_or_fl(nn).zeros(1), persistent=False)

            def forward(self, x):
                return self.block(self.act(self.fc1(x))) * self.scale
        return Net()


def torch_or_fl(nn):
    return torch if nn is tnn else flambeau


def nets():
    return _Net.build(tnn, None), _Net.build(fnn, None)


def test_names_and_keys_match_torch():
    t, f = nets()
    assert [n for n, _ in f.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in f.named_buffers()] == [n for n, _ in t.named_buffers()]
    assert list(f.state_dict()) == list(t.state_dict())
    assert [n for n, _ in f.named_modules()] == [n for n, _ in t.named_modules()]
    assert [n for n, _ in f.named_children()] == [n for n, _ in t.named_children()]
    assert [n for n, _ in f.named_parameters(prefix='m', recurse=False)] == \
        [n for n, _ in t.named_parameters(prefix='m', recurse=False)]
    assert len(list(f.modules())) == len(list(t.modules()))
    assert repr(f) == repr(t)
    assert f.state_dict()._metadata.keys() == t.state_dict()._metadata.keys()


def test_forward_and_gradients_match():
    t, f = nets()
    check_module(t, f, randn(6, 4))
    check_module(t, f, randn(6, 4), train=False)


def test_shared_parameters_and_remove_duplicate():
    for nn in (tnn, fnn):
        lin = nn.Linear(2, 2)
        s = nn.Sequential(lin, lin)
        nn_names = [n for n, _ in s.named_parameters()]
        all_names = [n for n, _ in s.named_parameters(remove_duplicate=False)]
        mods = [n for n, _ in s.named_modules(remove_duplicate=False)]
        if nn is tnn:
            expected = (nn_names, all_names, mods)
        else:
            assert (nn_names, all_names, mods) == expected


def test_attribute_errors():
    raises_same(lambda: tnn.Linear(2, 2).foo, lambda: fnn.Linear(2, 2).foo)

    def assign(nn, value):
        m = nn.Linear(2, 2)
        m.weight = value
    raises_same(lambda: assign(tnn, 3), lambda: assign(fnn, 3))
    raises_same(lambda: assign(tnn, torch.ones(2, 2)), lambda: assign(fnn, flambeau.ones(2, 2)))

    def assign_module(nn):
        m = nn.Sequential(nn.ReLU())
        m[0] = 1
    raises_same(lambda: assign_module(tnn), lambda: assign_module(fnn))

    def buffer_bad(nn, name, value):
        nn.Module().register_buffer(name, value)
    raises_same(lambda: buffer_bad(tnn, 'a.b', None), lambda: buffer_bad(fnn, 'a.b', None))
    raises_same(lambda: buffer_bad(tnn, '', None), lambda: buffer_bad(fnn, '', None))
    raises_same(lambda: buffer_bad(tnn, 'x', 3), lambda: buffer_bad(fnn, 'x', 3))
    raises_same(lambda: buffer_bad(tnn, 1, None), lambda: buffer_bad(fnn, 1, None))
    raises_same(lambda: buffer_bad(tnn, 'training', None),
                lambda: buffer_bad(fnn, 'training', None))

    def param_bad(nn, lib, name, value):
        nn.Module().register_parameter(name, value)
    raises_same(lambda: param_bad(tnn, torch, 'w', torch.ones(1)),
                lambda: param_bad(fnn, flambeau, 'w', flambeau.ones(1)))
    raises_same(lambda: tnn.Module().add_module('a.b', tnn.ReLU()),
                lambda: fnn.Module().add_module('a.b', fnn.ReLU()))
    raises_same(lambda: tnn.Module().add_module('a', 3), lambda: fnn.Module().add_module('a', 3))

    def early(nn, lib):
        class M(nn.Module):
            def __init__(self):
                self.w = nn.Parameter(lib.ones(1))
        M()
    raises_same(lambda: early(tnn, torch), lambda: early(fnn, flambeau))
    raises_same(lambda: tnn.Module().forward(1), lambda: fnn.Module().forward(1))
    raises_same(lambda: tnn.Module().train(1), lambda: fnn.Module().train(1))


def test_setattr_moves_between_kinds_and_delattr():
    for nn, lib in ((tnn, torch), (fnn, flambeau)):
        m = nn.Module()
        m.x = lib.ones(1)  # a plain attribute ...
        m.x = nn.Linear(1, 1)  # ... replaced by a submodule
        assert 'x' in m._modules and 'x' not in m.__dict__
        with pytest.raises(TypeError):
            m.x = 3
        m.register_buffer('b', lib.ones(1))
        m.b = lib.zeros(2)  # a tensor assigned to a buffer name stays a buffer
        assert m._buffers['b'].shape == (2,)
        del m.b
        del m.x
        assert not m._buffers and not m._modules
        m.weight = None
        assert m.weight is None
    assert sorted(k for k in dir(fnn.Linear(1, 1)) if not k.startswith('_')) == \
        sorted(k for k in dir(tnn.Linear(1, 1)) if not k.startswith('_') and
               hasattr(fnn.Linear(1, 1), k))


def test_get_submodule_parameter_buffer():
    t, f = nets()
    assert repr(f.get_submodule('block.0')) == repr(t.get_submodule('block.0'))
    assert f.get_parameter('block.2.weight') is f.block[2].weight
    assert f.get_buffer('running') is f.running
    raises_same(lambda: t.get_submodule('block.9'), lambda: f.get_submodule('block.9'))
    raises_same(lambda: t.get_submodule('scale'), lambda: f.get_submodule('scale'))
    raises_same(lambda: t.get_parameter('running'), lambda: f.get_parameter('running'))
    raises_same(lambda: t.get_parameter('fc1.nope'), lambda: f.get_parameter('fc1.nope'))
    raises_same(lambda: t.get_buffer('scale'), lambda: f.get_buffer('scale'))


# -- state_dict / load_state_dict -----------------------------------------------------------
def test_load_state_dict_results_and_errors():
    t, f = nets()
    tsd, fsd = t.state_dict(), f.state_dict()
    assert repr(f.load_state_dict(fsd)) == repr(t.load_state_dict(tsd))
    for drop in ('fc1.bias', 'running'):
        t2 = OrderedDict((k, v) for k, v in tsd.items() if k != drop)
        f2 = OrderedDict((k, v) for k, v in fsd.items() if k != drop)
        t2['extra.key'] = torch.ones(1)
        f2['extra.key'] = flambeau.ones(1)
        raises_same(lambda: t.load_state_dict(t2), lambda: f.load_state_dict(f2))
        assert repr(f.load_state_dict(f2, strict=False)) == repr(t.load_state_dict(t2, strict=False))
    t3, f3 = dict(tsd), dict(fsd)
    t3['fc1.weight'] = torch.ones(3, 4)
    f3['fc1.weight'] = flambeau.ones(3, 4)
    raises_same(lambda: t.load_state_dict(t3), lambda: f.load_state_dict(f3))
    raises_same(lambda: t.load_state_dict(t3, strict=False),
                lambda: f.load_state_dict(f3, strict=False))
    raises_same(lambda: t.load_state_dict([1]), lambda: f.load_state_dict([1]))


def test_load_state_dict_copies_and_assign():
    f = fnn.Linear(2, 2)
    w = f.weight
    sd = {'weight': flambeau.ones(2, 2), 'bias': flambeau.zeros(2)}
    f.load_state_dict(sd)
    assert f.weight is w and f.weight.tolist() == [[1.0, 1.0], [1.0, 1.0]]
    f.load_state_dict(sd, assign=True)
    assert f.weight is not w and isinstance(f.weight, fnn.Parameter) and f.weight.requires_grad


def test_state_dict_detached_and_keep_vars():
    f = fnn.Linear(2, 2)
    assert not f.state_dict()['weight'].requires_grad
    assert f.state_dict(keep_vars=True)['weight'] is f.weight
    sd = f.state_dict(prefix='m.')
    assert list(sd) == ['m.weight', 'm.bias']


def test_extra_state():
    for nn in (tnn, fnn):
        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.v = 1

            def get_extra_state(self):
                return {'v': self.v}

            def set_extra_state(self, state):
                self.v = state['v']
        m = M()
        sd = m.state_dict()
        assert list(sd) == ['_extra_state']
        m.v = 5
        m.load_state_dict(sd)
        assert m.v == 1


# -- modes, conversion, grads ---------------------------------------------------------------------
def test_train_eval_requires_grad_zero_grad_apply():
    f = nets()[1]
    assert f.eval() is f and not f.training and not f.block[0].training
    f.train()
    assert f.block[1].training
    f.requires_grad_(False)
    assert not any(p.requires_grad for p in f.parameters())
    f.requires_grad_()
    f(flambeau.randn(2, 4)).sum().backward()
    assert all(p.grad is not None for p in f.parameters())
    f.zero_grad(set_to_none=False)
    assert all(float(p.grad.abs().sum()) == 0 for p in f.parameters())
    f.zero_grad()
    assert all(p.grad is None for p in f.parameters())
    seen = []
    f.apply(lambda m: seen.append(type(m).__name__))
    assert seen == ['Linear', 'ReLU', 'Linear', 'Tanh', 'Linear', 'Sequential', 'Net']


def test_to_and_casts():
    f = nets()[1]
    w = f.fc1.weight
    f(flambeau.randn(2, 4)).sum().backward()
    assert f.double() is f
    assert f.fc1.weight is w and w.dtype == flambeau.float64 and w.grad.dtype == flambeau.float64
    assert f.running.dtype == flambeau.float64
    f.to(flambeau.float32)
    assert w.dtype == flambeau.float32
    f.half()
    assert w.dtype == flambeau.float16
    f.float().to('cpu')
    assert w.dtype == flambeau.float32 and w.device.type == 'cpu'
    m = fnn.Module()
    m.register_buffer('idx', flambeau.zeros(2, dtype=flambeau.long))
    m.double()
    assert m.idx.dtype == flambeau.long
    raises_same(lambda: tnn.Linear(1, 1).to(torch.long), lambda: fnn.Linear(1, 1).to(flambeau.long))


def test_to_fake_cuda(fake_cuda):
    f = fnn.Linear(2, 2)
    f.cuda()
    assert f.weight.device.type == 'cuda' and isinstance(f.weight, fnn.Parameter)
    assert f(flambeau.ones(1, 2, device='cuda')).device.type == 'cuda'
    f.cpu()
    assert f.weight.device.type == 'cpu'


def test_deepcopy_and_pickle():
    f = nets()[1]
    g = copy.deepcopy(f)
    assert repr(g) == repr(f) and g.fc1.weight is not f.fc1.weight
    assert isinstance(g.fc1.weight, fnn.Parameter)
    for k, v in f.state_dict().items():
        assert g.state_dict()[k].tolist() == v.tolist()
    lin = fnn.Sequential(fnn.Linear(2, 3), fnn.ReLU())
    h = pickle.loads(pickle.dumps(lin))
    assert repr(h) == repr(lin) and h[0].weight.tolist() == lin[0].weight.tolist()
    x = flambeau.randn(2, 2)
    assert h(x).tolist() == lin(x).tolist()


# -- hooks ------------------------------------------------------------------------------------
def _hook_log(nn, lib):
    log = []
    m = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    with lib.no_grad():
        for p in m.parameters():
            p.copy_(lib.linspace(-1, 1, p.numel()).reshape(p.shape))

    def fpre(mod, args):
        log.append(('pre', type(mod).__name__, tuple(args[0].shape)))

    def fpre_kw(mod, args, kwargs):
        log.append(('prekw', type(mod).__name__))
        return (args[0] * 2,), kwargs

    def fwd(mod, args, out):
        log.append(('fwd', type(mod).__name__, tuple(out.shape)))

    def fwd_kw(mod, args, kwargs, out):
        log.append(('fwdkw', type(mod).__name__))
        return out + 1

    def bpre(mod, gout):
        log.append(('bpre', type(mod).__name__, [tuple(g.shape) for g in gout]))

    def bwd(mod, gin, gout):
        log.append(('bwd', type(mod).__name__, [None if g is None else tuple(g.shape)
                                                for g in gin], [tuple(g.shape) for g in gout]))

    hs = []
    for sub in m:
        hs.append(sub.register_forward_pre_hook(fpre))
        hs.append(sub.register_forward_hook(fwd))
        hs.append(sub.register_full_backward_pre_hook(bpre))
        hs.append(sub.register_full_backward_hook(bwd))
    hs.append(m[0].register_forward_pre_hook(fpre_kw, with_kwargs=True, prepend=True))
    hs.append(m[2].register_forward_hook(fwd_kw, with_kwargs=True))
    x = lib.ones(5, 3, requires_grad=True)
    out = m(x)
    out.sum().backward()
    grads = [x.grad.tolist()] + [p.grad.tolist() for p in m.parameters()]
    for h in hs:
        h.remove()
    n = len(log)
    m(x)
    assert len(log) == n
    return log, out.tolist(), grads


def test_hooks_order_and_values():
    lt, ot, gt = _hook_log(tnn, torch)
    lf, of, gf = _hook_log(fnn, flambeau)
    assert lf == lt
    np.testing.assert_allclose(of, ot, rtol=1e-5, atol=1e-6)
    for a, b in zip(gf, gt):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def _backward_hook_changes(nn, lib):
    m = nn.Linear(2, 2)
    with lib.no_grad():
        m.weight.copy_(lib.tensor([[1.0, 2.0], [3.0, 4.0]]))
        m.bias.zero_()
    m.register_full_backward_hook(lambda mod, gin, gout: (gin[0] * 10,))
    m.register_full_backward_pre_hook(lambda mod, gout: (gout[0] * 2,))
    x = lib.ones(1, 2, requires_grad=True)
    m(x).sum().backward()
    return x.grad.tolist(), m.weight.grad.tolist()


def test_backward_hooks_replace_gradients():
    assert _backward_hook_changes(fnn, flambeau) == _backward_hook_changes(tnn, torch)


def test_backward_hook_no_input_grad_warns():
    for nn, lib in ((tnn, torch), (fnn, flambeau)):
        seen = []
        m = nn.Linear(2, 2)
        m.register_full_backward_hook(lambda mod, gin, gout: seen.append(gin))
        with pytest.warns(UserWarning, match='Full backward hook is firing'):
            m(lib.ones(1, 2)).sum().backward()
        assert seen == [(None,)]


def test_forward_hook_always_call_and_errors():
    for nn in (tnn, fnn):
        calls = []

        class Bad(nn.Module):
            def forward(self, x):
                raise ValueError('boom')
        b = Bad()
        b.register_forward_hook(lambda m, a, o: calls.append(o), always_call=True)
        with pytest.raises(ValueError):
            b(1)
        assert calls == [None]

    def bad_pre(nn):
        m = nn.Identity()
        m.register_forward_pre_hook(lambda mod, a, k: 5, with_kwargs=True)
        m(1)
    raises_same(lambda: bad_pre(tnn), lambda: bad_pre(fnn))


def test_module_global_hooks():
    from flambeau.nn.modules import module as fm
    log = []
    h = fm.register_module_forward_hook(lambda m, a, o: log.append(type(m).__name__))
    try:
        fnn.Sequential(fnn.ReLU())(flambeau.ones(1))
    finally:
        h.remove()
    fnn.ReLU()(flambeau.ones(1))
    assert log == ['ReLU', 'Sequential']


def test_handle_context_manager():
    m = fnn.Identity()
    with m.register_forward_hook(lambda mod, a, o: o + 1):
        assert m(flambeau.zeros(1)).tolist() == [1.0]
    assert m(flambeau.zeros(1)).tolist() == [0.0]


# -- repr ---------------------------------------------------------------------------------------
def test_repr_layouts():
    def build(nn):
        class Custom(nn.Module):
            def __init__(self):
                super().__init__()
                self.layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)] +
                                            [nn.ReLU(), nn.ReLU(), nn.Linear(2, 3)])
                self.heads = nn.ModuleDict({'a': nn.Sequential(nn.Linear(2, 2), nn.GELU()),
                                            'b': nn.Identity()})
                self.none = None

            def extra_repr(self):
                return 'custom=1\nsecond line'
        return Custom()
    t, f = build(tnn), build(fnn)
    assert repr(f) == repr(t)
    assert repr(fnn.ModuleList()) == repr(tnn.ModuleList())
    plist = both(lambda nn: nn.ParameterList([nn.Parameter(torch_or_fl(nn).ones(2)),
                                              torch_or_fl(nn).ones(2, 3, dtype=torch_or_fl(nn).float64),
                                              'x']))
    assert repr(plist[1]) == repr(plist[0])
    pdict = both(lambda nn: nn.ParameterDict({'b': nn.Parameter(torch_or_fl(nn).ones(2)),
                                              'a': torch_or_fl(nn).ones(1), 'c': 3}))
    assert repr(pdict[1]) == repr(pdict[0])


# -- containers ---------------------------------------------------------------------------------
def test_sequential_ops():
    for nn in (tnn, fnn):
        s = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Tanh())
        assert isinstance(s[1:], nn.Sequential) and len(s[1:]) == 2
        assert isinstance(s[-1], nn.Tanh)
        s.append(nn.Sigmoid())
        s.insert(0, nn.Identity())
        s.extend([nn.ReLU6()])
        assert [type(m).__name__ for m in s] == ['Identity', 'Linear', 'ReLU', 'Tanh', 'Sigmoid',
                                                 'ReLU6']
        assert isinstance(s.pop(1), nn.Linear)
        del s[0]
        assert list(s._modules) == ['0', '1', '2', '3']
        del s[1:3]
        assert [type(m).__name__ for m in s] == ['ReLU', 'ReLU6']
        s[0] = nn.ELU()
        assert isinstance(s[0], nn.ELU)
        assert len(s + s) == 4 and len(s * 2) == 4
        d = nn.Sequential(OrderedDict([('conv', nn.Linear(1, 1)), ('act', nn.ReLU())]))
        assert list(d._modules) == ['conv', 'act'] and isinstance(d.act, nn.ReLU)
    raises_same(lambda: tnn.Sequential(tnn.ReLU())[3], lambda: fnn.Sequential(fnn.ReLU())[3])
    raises_same(lambda: tnn.Sequential().insert(2, tnn.ReLU()),
                lambda: fnn.Sequential().insert(2, fnn.ReLU()))
    raises_same(lambda: tnn.Sequential() + 1, lambda: fnn.Sequential() + 1)
    with pytest.raises(ValueError, match='Non-positive multiplication factor 0'):
        fnn.Sequential() * 0
    check_module(tnn.Sequential(tnn.Linear(3, 4), tnn.ReLU(), tnn.Linear(4, 2)),
                 fnn.Sequential(fnn.Linear(3, 4), fnn.ReLU(), fnn.Linear(4, 2)), randn(5, 3))


def test_modulelist_moduledict():
    for nn in (tnn, fnn):
        ml = nn.ModuleList([nn.ReLU(), nn.Tanh()])
        ml.append(nn.Identity())
        ml.insert(1, nn.ELU())
        ml += [nn.SELU()]
        assert [type(m).__name__ for m in ml] == ['ReLU', 'ELU', 'Tanh', 'Identity', 'SELU']
        assert isinstance(ml[1:3], nn.ModuleList) and len(ml[1:3]) == 2
        del ml[0]
        assert list(ml._modules) == ['0', '1', '2', '3']
        assert isinstance(ml.pop(-1), nn.SELU)
        md = nn.ModuleDict({'b': nn.ReLU(), 'a': nn.Tanh()})
        md['c'] = nn.Identity()
        md.update([('d', nn.ELU())])
        assert list(md.keys()) == ['b', 'a', 'c', 'd'] and 'a' in md and len(md) == 4
        assert isinstance(md.pop('a'), nn.Tanh)
        md.clear()
        assert len(md) == 0
    raises_same(lambda: tnn.ModuleList()[0], lambda: fnn.ModuleList()[0])
    raises_same(lambda: tnn.ModuleList().extend(3), lambda: fnn.ModuleList().extend(3))
    raises_same(lambda: tnn.ModuleDict().update(3), lambda: fnn.ModuleDict().update(3))
    raises_same(lambda: tnn.ModuleDict().update([(1, 2, 3)]),
                lambda: fnn.ModuleDict().update([(1, 2, 3)]))


def test_parameterlist_parameterdict():
    for nn, lib in ((tnn, torch), (fnn, flambeau)):
        pl = nn.ParameterList([lib.ones(2), nn.Parameter(lib.zeros(3))])
        assert isinstance(pl[0], nn.Parameter) and len(pl) == 2
        pl.append(lib.ones(1))
        assert [n for n, _ in pl.named_parameters()] == ['0', '1', '2']
        assert len(pl[1:]) == 2
        pd = nn.ParameterDict({'b': lib.ones(1), 'a': lib.ones(2)})
        assert list(pd.keys()) == ['a', 'b'] and isinstance(pd['a'], nn.Parameter)
        pd['c'] = lib.ones(3)
        assert pd.get('zz', 7) == 7 and 'c' in pd
        assert pd.popitem()[0] == 'c'
        assert len(pd | nn.ParameterDict({'z': lib.ones(1)})) == 3
    raises_same(lambda: tnn.ParameterList()(1), lambda: fnn.ParameterList()(1))
    raises_same(lambda: tnn.ParameterDict()[1], lambda: fnn.ParameterDict()[1])
    raises_same(lambda: tnn.ParameterList().extend(torch.ones(2)),
                lambda: fnn.ParameterList().extend(flambeau.ones(2)))


# -- layers -------------------------------------------------------------------------------------
@pytest.mark.parametrize('shape', [(5, 3), (3,), (2, 4, 3), (0, 3)])
@pytest.mark.parametrize('bias', [True, False])
def test_linear(shape, bias):
    t, f = tnn.Linear(3, 4, bias=bias), fnn.Linear(3, 4, bias=bias)
    assert repr(f) == repr(t)
    _, out = check_module(t, f, randn(*shape))
    x = to_fl(torch.ones(shape, requires_grad=True))
    assert repr(f(x).grad_fn).split()[0] == repr(t(torch.ones(shape, requires_grad=True))
                                               .grad_fn).split()[0]


def test_linear_double_gradcheck_and_errors():
    f = fnn.Linear(3, 2).double()
    x = flambeau.randn(4, 3, dtype=flambeau.float64, requires_grad=True)
    assert flambeau.autograd.gradcheck(lambda x, w, b: fnn.functional.linear(x, w, b),
                                       (x, f.weight, f.bias))
    assert flambeau.autograd.gradgradcheck(lambda x, w, b: fnn.functional.linear(x, w, b),
                                           (x, f.weight, f.bias))
    raises_same(lambda: tnn.functional.linear(torch.ones(2, 4, 3), torch.ones(2, 4)),
                lambda: fnn.functional.linear(flambeau.ones(2, 4, 3), flambeau.ones(2, 4)))
    raises_same(lambda: tnn.functional.linear(torch.ones(2, 3), torch.ones(2, 3, dtype=torch.float64)),
                lambda: fnn.functional.linear(flambeau.ones(2, 3),
                                              flambeau.ones(2, 3, dtype=flambeau.float64)))
    out_t = tnn.functional.linear(torch.arange(6).reshape(2, 3), torch.ones(2, 3, dtype=torch.long))
    out_f = fnn.functional.linear(flambeau.arange(6).reshape(2, 3),
                                  flambeau.ones(2, 3, dtype=flambeau.long))
    assert out_f.tolist() == out_t.tolist() and str(out_f.dtype) == str(out_t.dtype)


def test_linear_init_statistics():
    flambeau.manual_seed(0)
    m = fnn.Linear(400, 300)
    w = m.weight.detach().numpy()
    bound = 1 / np.sqrt(400)  # kaiming_uniform(a=sqrt(5)) gives U(-1/sqrt(fan_in), ...)
    assert w.min() >= -bound and w.max() <= bound and abs(w.std() - bound / np.sqrt(3)) < 1e-3
    b = m.bias.detach().numpy()
    assert b.min() >= -bound and b.max() <= bound
    f64 = fnn.Linear(2, 2, dtype=flambeau.float64)
    assert f64.weight.dtype == flambeau.float64 and f64.bias.dtype == flambeau.float64


@pytest.mark.parametrize('shapes', [((5, 3), (5, 2)), ((3,), (2,)), ((2, 4, 3), (2, 4, 2))])
def test_bilinear(shapes):
    t, f = tnn.Bilinear(3, 2, 4), fnn.Bilinear(3, 2, 4)
    assert repr(f) == repr(t)
    check_module(t, f, randn(*shapes[0]), randn(*shapes[1]))
    for a, b, w in [((2, 3), (3, 2), (4, 3, 2)), ((2, 3), (2, 5), (4, 3, 2)),
                    ((2, 2), (2, 2), (4, 3, 2)), ((2, 3, 1), (2, 2), (4, 3, 2))]:
        raises_same(lambda: tnn.functional.bilinear(torch.ones(a), torch.ones(b), torch.ones(w)),
                    lambda: fnn.functional.bilinear(flambeau.ones(a), flambeau.ones(b),
                                                    flambeau.ones(w)))


def test_identity_flatten_unflatten():
    check_module(tnn.Identity(3, x=1), fnn.Identity(3, x=1), randn(2, 3))
    for args in [(), (0,), (1, 2), (-2, -1)]:
        t, f = tnn.Flatten(*args), fnn.Flatten(*args)
        assert repr(f) == repr(t)
        check_module(t, f, randn(2, 3, 4))
    t, f = tnn.Unflatten(1, (2, 5)), fnn.Unflatten(1, (2, 5))
    assert repr(f) == repr(t)
    check_module(t, f, randn(3, 10))
    check_module(tnn.Unflatten(-1, [2, -1]), fnn.Unflatten(-1, [2, -1]), randn(3, 10))
    raises_same(lambda: tnn.Unflatten(1, 5), lambda: fnn.Unflatten(1, 5))
    raises_same(lambda: tnn.Unflatten(1, (2, 2.0)), lambda: fnn.Unflatten(1, (2, 2.0)))


ACTIVATIONS = [
    ('Threshold', (0.1, 20.0)), ('Threshold', (0.1, 20.0, True)), ('ReLU', ()), ('ReLU', (True,)),
    ('Hardtanh', ()), ('Hardtanh', (-2.0, 3.0, True)), ('ReLU6', ()), ('ReLU6', (True,)),
    ('Sigmoid', ()), ('Hardsigmoid', ()), ('Tanh', ()), ('SiLU', ()), ('SiLU', (True,)),
    ('Mish', ()), ('Hardswish', ()), ('ELU', ()), ('ELU', (0.5, True)), ('CELU', (2.0,)),
    ('SELU', ()), ('GLU', ()), ('GLU', (0,)), ('GELU', ()), ('GELU', ('tanh',)),
    ('Hardshrink', ()), ('Hardshrink', (0.3,)), ('LeakyReLU', ()), ('LeakyReLU', (0.2, True)),
    ('LogSigmoid', ()), ('Softplus', ()), ('Softplus', (2.0, 1.0)), ('Softshrink', ()),
    ('Softsign', ()), ('Tanhshrink', ()), ('Softmin', (1,)), ('Softmax', (0,)),
    ('Softmax', (-1,)), ('LogSoftmax', (1,)), ('Softmax2d', ()), ('PReLU', ()),
    ('RReLU', ()),
]


@pytest.mark.parametrize('name,args', ACTIVATIONS, ids=[f'{n}{a}' for n, a in ACTIVATIONS])
def test_activation_modules(name, args):
    t, f = getattr(tnn, name)(*args), getattr(fnn, name)(*args)
    assert repr(f) == repr(t)
    shape = (2, 4, 3, 2)
    inplace = 'True' in repr(t)
    x = randn(*shape, dtype=np.float64)
    if inplace:  # in-place on a leaf is an error: compare on a non-leaf input
        check_module(t, f, x, grad=False)
        tx = torch.tensor(x, requires_grad=True)
        fx = to_fl(tx)
        ty, fy = t(tx * 1), f(fx * 1)
        np.testing.assert_allclose(fy.detach().numpy(), ty.detach().numpy(), rtol=1e-6)
        ty.sum().backward()
        fy.sum().backward()
        np.testing.assert_allclose(fx.grad.numpy(), tx.grad.numpy(), rtol=1e-6)
    elif name == 'RReLU':
        check_module(t, f, x, train=False)
    else:
        check_module(t.double(), f.double(), x)


def test_activation_errors_and_prelu_channels():
    raises_same(lambda: tnn.Hardtanh(1.0, 0.0), lambda: fnn.Hardtanh(1.0, 0.0))
    raises_same(lambda: tnn.Softmax2d()(torch.ones(2, 2)), lambda: fnn.Softmax2d()(flambeau.ones(2, 2)))
    t, f = tnn.PReLU(3, init=0.1), fnn.PReLU(3, init=0.1)
    assert repr(f) == repr(t)
    check_module(t, f, randn(2, 3, 4))
    assert f.weight.tolist() == pytest.approx([0.1] * 3)


def test_distance_modules():
    for p in (2.0, 1.0, 3.0):
        check_module(tnn.PairwiseDistance(p), fnn.PairwiseDistance(p), randn(4, 5), randn(4, 5))
    check_module(tnn.PairwiseDistance(keepdim=True), fnn.PairwiseDistance(keepdim=True),
                 randn(4, 5), randn(1, 5))
    check_module(tnn.CosineSimilarity(), fnn.CosineSimilarity(), randn(4, 5), randn(4, 5))
    check_module(tnn.CosineSimilarity(dim=0, eps=1e-6), fnn.CosineSimilarity(dim=0, eps=1e-6),
                 randn(4, 5), randn(4, 5))
    assert repr(fnn.PairwiseDistance()) == repr(tnn.PairwiseDistance())


# -- nn.utils -----------------------------------------------------------------------------------
def _grads(lib, nn):
    rng = np.random.default_rng(3)
    ps = []
    for shape in [(3, 4), (4,), (2,)]:
        p = nn.Parameter(lib.zeros(shape))
        p.grad = lib.tensor(rng.standard_normal(shape).astype(np.float32))
        ps.append(p)
    ps.append(nn.Parameter(lib.zeros(2)))  # no grad
    return ps


@pytest.mark.parametrize('norm_type', [2.0, 1, 3.5, float('inf')])
@pytest.mark.parametrize('max_norm', [0.5, 100.0])
def test_clip_grad_norm(norm_type, max_norm):
    pt, pf = _grads(torch, tnn), _grads(flambeau, fnn)
    nt = tnn.utils.clip_grad_norm_(pt, max_norm, norm_type)
    nf = fnn.utils.clip_grad_norm_(pf, max_norm, norm_type, foreach=True)
    np.testing.assert_allclose(nf.numpy(), nt.numpy(), rtol=1e-5)
    assert str(nf.dtype) == str(nt.dtype) and nf.shape == ()
    for a, b in zip(pf, pt):
        if b.grad is None:
            assert a.grad is None
        else:
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-5, atol=1e-7)


def test_clip_grad_edge_cases():
    assert fnn.utils.clip_grad_norm_([], 1.0).tolist() == tnn.utils.clip_grad_norm_([], 1.0).tolist()
    p = fnn.Parameter(flambeau.zeros(2))
    p.grad = flambeau.tensor([float('inf'), 1.0])
    tp = tnn.Parameter(torch.zeros(2))
    tp.grad = torch.tensor([float('inf'), 1.0])
    raises_same(lambda: tnn.utils.clip_grad_norm_(tp, 1.0, error_if_nonfinite=True),
                lambda: fnn.utils.clip_grad_norm_(p, 1.0, error_if_nonfinite=True))
    single = fnn.Parameter(flambeau.zeros(2))
    single.grad = flambeau.tensor([3.0, 4.0])
    assert fnn.utils.clip_grad_norm_(single, 1.0).item() == 5.0


def test_clip_grad_value():
    pt, pf = _grads(torch, tnn), _grads(flambeau, fnn)
    assert tnn.utils.clip_grad_value_(pt, 0.5) is None
    assert fnn.utils.clip_grad_value_(pf, 0.5) is None
    for a, b in zip(pf, pt):
        if b.grad is not None:
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy())


def test_parameters_vector_roundtrip():
    t, f = nets()
    for p_t, p_f in zip(t.parameters(), f.parameters()):
        with flambeau.no_grad():
            p_f.copy_(to_fl(p_t.detach()))
    vt = tnn.utils.parameters_to_vector(t.parameters())
    vf = fnn.utils.parameters_to_vector(f.parameters())
    np.testing.assert_allclose(vf.detach().numpy(), vt.detach().numpy())
    assert vf.requires_grad == vt.requires_grad
    fnn.utils.vector_to_parameters(flambeau.arange(vf.numel(), dtype=flambeau.float32),
                                   f.parameters())
    assert f.scale.tolist() == [0.0, 1.0, 2.0]  # the module's own parameter comes first
    assert isinstance(f.fc1.weight, fnn.Parameter)
    raises_same(lambda: tnn.utils.vector_to_parameters([1], t.parameters()),
                lambda: fnn.utils.vector_to_parameters([1], f.parameters()))
