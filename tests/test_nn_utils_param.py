"""Weight and spectral normalization (the hook-based ``nn.utils.weight_norm`` /
``spectral_norm`` and the ``nn.utils.parametrizations`` forms) and ``nn.utils.parametrize``
against PyTorch: the same module and weights in both, outputs and gradients of the original
parameters over a few training steps, ``state_dict`` keys, loading torch's ``state_dict``, the
``remove_*`` functions, printing and errors."""
import copy
import pickle
import warnings

import numpy as np
import pytest

torch = pytest.importorskip('torch')

import flambeau  # noqa: E402
from nn_helpers import assert_close, copy_state, to_fl, to_np  # noqa: E402

R = np.random.default_rng(0)
tP = torch.nn.utils.parametrize
fP = flambeau.nn.utils.parametrize
tPs = torch.nn.utils.parametrizations
fPs = flambeau.nn.utils.parametrizations


def layer(lib, kind, dtype='float32'):
    """The same small layer built in torch or flambeau."""
    nn = lib.nn
    m = {'linear': lambda: nn.Linear(3, 4),
         'conv2d': lambda: nn.Conv2d(2, 3, 3),
         'convt2d': lambda: nn.ConvTranspose2d(2, 3, 3),
         'conv1d': lambda: nn.Conv1d(2, 4, 2)}[kind]()
    return m.to(getattr(lib, dtype))


INPUTS = {'linear': (5, 3), 'conv2d': (2, 2, 5, 5), 'convt2d': (2, 2, 4, 4), 'conv1d': (2, 2, 6)}


def quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', FutureWarning)
        return fn(*args, **kwargs)


def train_same(tm, fm, kind, steps=3, lr=0.1, atol=1e-5, rtol=1e-4, train=True,
               dtype=np.float32):
    """Run ``steps`` SGD steps on both modules with the same inputs and compare outputs, the
    gradients of every parameter, the buffers and the parameters after each step."""
    tm.train(train)
    fm.train(train)
    topt = torch.optim.SGD(tm.parameters(), lr=lr, momentum=0.5)
    fopt = flambeau.optim.SGD(fm.parameters(), lr=lr, momentum=0.5)
    tnames = [n for n, _ in tm.named_parameters()]
    assert tnames == [n for n, _ in fm.named_parameters()]
    for _ in range(steps):
        x = R.standard_normal(INPUTS[kind]).astype(dtype)
        tout, fout = tm(torch.tensor(x)), fm(flambeau.tensor(x))
        assert_close(fout, tout, atol, rtol, 'output')
        g = R.standard_normal(tuple(tout.shape)).astype(dtype)
        topt.zero_grad()
        fopt.zero_grad()
        (tout * torch.tensor(g)).sum().backward()
        (fout * flambeau.tensor(g)).sum().backward()
        fparams = dict(fm.named_parameters())
        for name, p in tm.named_parameters():
            assert_close(fparams[name].grad, p.grad, atol, rtol, f'grad of {name}')
        fbufs = dict(fm.named_buffers())
        for name, b in tm.named_buffers():
            assert_close(fbufs[name], b, atol, rtol, f'buffer {name}')
        topt.step()
        fopt.step()
        for name, p in tm.named_parameters():
            assert_close(fparams[name], p, atol, rtol, f'{name} after step')


def same_error(tfn, ffn, exc=Exception):
    with pytest.raises(exc) as te:
        tfn()
    with pytest.raises(exc) as fe:
        ffn()
    assert type(fe.value) is type(te.value), (fe.value, te.value)
    assert str(fe.value) == str(te.value)


# -- hook-based weight_norm ---------------------------------------------------------------------
@pytest.mark.parametrize('kind,dim', [('linear', 0), ('linear', 1), ('linear', None),
                                      ('conv2d', 0), ('conv2d', 2), ('conv2d', -2),
                                      ('convt2d', 1), ('conv1d', -1)])
def test_weight_norm_hook(kind, dim):
    tm = quiet(torch.nn.utils.weight_norm, layer(torch, kind), dim=dim)
    fm = quiet(flambeau.nn.utils.weight_norm, layer(flambeau, kind), dim=dim)
    assert list(fm.state_dict()) == list(tm.state_dict())
    assert [n for n, _ in fm.named_parameters()] == [n for n, _ in tm.named_parameters()]
    assert repr(fm) == repr(tm)
    assert tuple(fm.weight_g.shape) == tuple(tm.weight_g.shape)
    copy_state(tm, fm)
    train_same(tm, fm, kind)
    # the hook recomputed the weight at the last forward; remove restores a plain parameter
    tw = torch.nn.utils.remove_weight_norm(tm).weight
    fw = flambeau.nn.utils.remove_weight_norm(fm).weight
    assert isinstance(fw, flambeau.nn.Parameter) and fw.requires_grad
    assert_close(fw, tw, 1e-6, 1e-5)
    assert list(fm.state_dict()) == list(tm.state_dict())
    assert not fm._forward_pre_hooks
    train_same(tm, fm, kind, steps=1)


def test_weight_norm_hook_values_and_float64():
    tm = quiet(torch.nn.utils.weight_norm, layer(torch, 'conv2d', 'float64'))
    fm = quiet(flambeau.nn.utils.weight_norm, layer(flambeau, 'conv2d', 'float64'))
    copy_state(tm, fm)
    train_same(tm, fm, 'conv2d', atol=1e-12, rtol=1e-10, dtype=np.float64)
    # after a forward, weight is g * v / ||v|| per output channel
    fm(flambeau.zeros(1, 2, 5, 5, dtype=flambeau.float64))
    v, g = to_np(fm.weight_v), to_np(fm.weight_g)
    expect = g * v / np.sqrt((v ** 2).sum(axis=(1, 2, 3), keepdims=True))
    np.testing.assert_allclose(to_np(fm.weight), expect, rtol=1e-12)


def test_weight_norm_hook_gradcheck():
    from flambeau.nn.utils.weight_norm import _weight_norm
    fm = quiet(flambeau.nn.utils.weight_norm, flambeau.nn.Conv1d(2, 3, 2).double())
    g = fm.weight_g.detach().requires_grad_()
    v = fm.weight_v.detach().requires_grad_()
    for dim in (0, 1, 2):
        gd = flambeau.linalg.vector_norm(v.detach(), dim=[d for d in range(3) if d != dim],
                                         keepdim=True).requires_grad_()
        assert flambeau.autograd.gradcheck(lambda a, b, d=dim: _weight_norm(b, a, d), (gd, v))
        assert flambeau.autograd.gradgradcheck(lambda a, b, d=dim: _weight_norm(b, a, d),
                                               (gd, v))
    assert flambeau.autograd.gradcheck(lambda a, b: _weight_norm(b, a, -1),
                                       (g.detach().sum().requires_grad_(), v))
    # a 1-d weight with dim=0: each element is its own norm
    w = flambeau.tensor([0.5, -2.0, 3.0], dtype=flambeau.float64, requires_grad=True)
    gw = flambeau.tensor([1.0, 2.0, 3.0], dtype=flambeau.float64, requires_grad=True)
    assert flambeau.autograd.gradcheck(lambda a, b: _weight_norm(b, a, 0), (gw, w))


def test_weight_norm_hook_load_and_warn():
    tm = quiet(torch.nn.utils.weight_norm, torch.nn.Linear(3, 4))
    fm = quiet(flambeau.nn.utils.weight_norm, flambeau.nn.Linear(3, 4))
    fm.load_state_dict({k: to_fl(v) for k, v in tm.state_dict().items()})
    x = R.standard_normal((2, 3)).astype(np.float32)
    assert_close(fm(flambeau.tensor(x)), tm(torch.tensor(x)), 1e-6, 1e-5)
    with pytest.warns(FutureWarning, match='`torch.nn.utils.weight_norm` is deprecated in favor '
                                           'of `torch.nn.utils.parametrizations.weight_norm`'):
        flambeau.nn.utils.weight_norm(flambeau.nn.Linear(2, 2))


def test_weight_norm_hook_errors():
    tm = quiet(torch.nn.utils.weight_norm, torch.nn.Linear(3, 4))
    fm = quiet(flambeau.nn.utils.weight_norm, flambeau.nn.Linear(3, 4))
    same_error(lambda: quiet(torch.nn.utils.weight_norm, tm),
               lambda: quiet(flambeau.nn.utils.weight_norm, fm), RuntimeError)
    same_error(lambda: torch.nn.utils.remove_weight_norm(tm, 'bias'),
               lambda: flambeau.nn.utils.remove_weight_norm(fm, 'bias'), ValueError)
    same_error(lambda: torch.nn.utils.remove_weight_norm(torch.nn.Linear(3, 4)),
               lambda: flambeau.nn.utils.remove_weight_norm(flambeau.nn.Linear(3, 4)),
               ValueError)
    same_error(lambda: quiet(torch.nn.utils.weight_norm, torch.nn.Linear(3, 4), dim=2),
               lambda: quiet(flambeau.nn.utils.weight_norm, flambeau.nn.Linear(3, 4), dim=2),
               IndexError)


# -- hook-based spectral_norm -------------------------------------------------------------------
@pytest.mark.parametrize('kind,kwargs', [('linear', {}), ('conv2d', {}), ('convt2d', {}),
                                         ('conv1d', {'n_power_iterations': 3, 'dim': 1}),
                                         ('linear', {'eps': 1e-3})])
def test_spectral_norm_hook(kind, kwargs):
    tm = torch.nn.utils.spectral_norm(layer(torch, kind), **kwargs)
    fm = flambeau.nn.utils.spectral_norm(layer(flambeau, kind), **kwargs)
    assert list(fm.state_dict()) == list(tm.state_dict())
    assert [n for n, _ in fm.named_parameters()] == [n for n, _ in tm.named_parameters()]
    assert [n for n, _ in fm.named_buffers()] == [n for n, _ in tm.named_buffers()]
    assert fm.state_dict()._metadata == tm.state_dict()._metadata
    assert repr(fm) == repr(tm)
    # ``weight`` stays readable before the first forward: the raw weight, not a parameter
    assert not isinstance(fm.weight, flambeau.nn.Parameter)
    assert tuple(fm.weight.shape) == tuple(tm.weight.shape)
    copy_state(tm, fm)
    train_same(tm, fm, kind)
    # eval mode: no power iteration, u and v stay as they are
    u_before = to_np(fm.weight_u)
    train_same(tm, fm, kind, steps=2, train=False)
    np.testing.assert_array_equal(to_np(fm.weight_u), u_before)
    tw = torch.nn.utils.remove_spectral_norm(tm).weight
    fw = flambeau.nn.utils.remove_spectral_norm(fm).weight
    assert isinstance(fw, flambeau.nn.Parameter)
    assert_close(fw, tw, 1e-5, 1e-4)
    assert list(fm.state_dict()) == list(tm.state_dict())
    assert not fm._state_dict_hooks and not fm._load_state_dict_pre_hooks
    assert not fm._forward_pre_hooks


def test_spectral_norm_hook_normalizes():
    fm = flambeau.nn.utils.spectral_norm(flambeau.nn.Linear(6, 5).double(),
                                         n_power_iterations=50)
    fm(flambeau.zeros(1, 6, dtype=flambeau.float64))
    s = np.linalg.svd(to_np(fm.weight), compute_uv=False)
    np.testing.assert_allclose(s[0], 1.0, rtol=1e-6)


def test_spectral_norm_hook_two_forwards_one_backward():
    # GAN pattern: two forwards (u, v updated in place in between), then one backward
    tm = torch.nn.utils.spectral_norm(torch.nn.Linear(3, 4))
    fm = flambeau.nn.utils.spectral_norm(flambeau.nn.Linear(3, 4))
    copy_state(tm, fm)
    a, b = R.standard_normal((2, 3)).astype(np.float32), R.standard_normal((2, 3)).astype(
        np.float32)
    (tm(torch.tensor(a)).sum() - tm(torch.tensor(b)).sum()).backward()
    (fm(flambeau.tensor(a)).sum() - fm(flambeau.tensor(b)).sum()).backward()
    assert_close(fm.weight_orig.grad, tm.weight_orig.grad, 1e-5, 1e-4)
    assert_close(fm.weight_u, tm.weight_u, 1e-6, 1e-5)


def test_spectral_norm_hook_load_state_dict():
    tm = torch.nn.utils.spectral_norm(torch.nn.Linear(3, 4).double())
    tm(torch.zeros(1, 3, dtype=torch.float64))
    fm = flambeau.nn.utils.spectral_norm(flambeau.nn.Linear(3, 4).double())
    fm.load_state_dict({k: to_fl(v) for k, v in tm.state_dict().items()})
    tm.eval()
    fm.eval()
    x = R.standard_normal((2, 3))
    assert_close(fm(flambeau.tensor(x)), tm(torch.tensor(x)), 1e-12, 1e-10)
    # a state_dict from before version 1 (normalized ``weight`` saved, no ``weight_v``)
    sd = tm.state_dict()
    old = {k: v for k, v in sd.items() if k != 'weight_v'}
    old['weight'] = tm.weight.detach().clone()
    t2 = torch.nn.utils.spectral_norm(torch.nn.Linear(3, 4).double())
    f2 = flambeau.nn.utils.spectral_norm(flambeau.nn.Linear(3, 4).double())
    t2.load_state_dict(dict(old))
    f2.load_state_dict({k: to_fl(v) for k, v in old.items()})
    assert_close(f2.weight_v, t2.weight_v, 1e-10, 1e-8)
    t2.eval()
    f2.eval()
    assert_close(f2(flambeau.tensor(x)), t2(torch.tensor(x)), 1e-10, 1e-8)


def test_spectral_norm_hook_errors():
    same_error(lambda: torch.nn.utils.spectral_norm(torch.nn.Linear(2, 2), n_power_iterations=0),
               lambda: flambeau.nn.utils.spectral_norm(flambeau.nn.Linear(2, 2),
                                                       n_power_iterations=0), ValueError)
    tm = torch.nn.utils.spectral_norm(torch.nn.Linear(2, 2))
    fm = flambeau.nn.utils.spectral_norm(flambeau.nn.Linear(2, 2))
    same_error(lambda: torch.nn.utils.spectral_norm(tm),
               lambda: flambeau.nn.utils.spectral_norm(fm), RuntimeError)
    same_error(lambda: torch.nn.utils.spectral_norm(torch.nn.Linear(2, 2, bias=False), 'bias'),
               lambda: flambeau.nn.utils.spectral_norm(flambeau.nn.Linear(2, 2, bias=False),
                                                       'bias'), ValueError)
    same_error(lambda: torch.nn.utils.remove_spectral_norm(torch.nn.Linear(2, 2)),
               lambda: flambeau.nn.utils.remove_spectral_norm(flambeau.nn.Linear(2, 2)),
               ValueError)


# -- parametrizations.weight_norm / spectral_norm ------------------------------------------------
@pytest.mark.parametrize('kind,dim', [('linear', 0), ('linear', None), ('conv2d', 0),
                                      ('conv2d', 1), ('convt2d', 1), ('conv1d', -1)])
def test_parametrized_weight_norm(kind, dim):
    tm = tPs.weight_norm(layer(torch, kind), dim=dim)
    fm = fPs.weight_norm(layer(flambeau, kind), dim=dim)
    assert type(fm).__name__ == type(tm).__name__ == 'Parametrized' + type(tm).__bases__[0].__name__
    assert repr(fm) == repr(tm)
    assert list(fm.state_dict()) == list(tm.state_dict())
    copy_state(tm, fm)
    assert_close(fm.weight, tm.weight, 1e-6, 1e-5)
    train_same(tm, fm, kind)
    tP.remove_parametrizations(tm, 'weight')
    fP.remove_parametrizations(fm, 'weight')
    assert type(fm) is getattr(flambeau.nn, type(tm).__name__)
    assert isinstance(fm.weight, flambeau.nn.Parameter)
    assert list(fm.state_dict()) == list(tm.state_dict())
    assert not hasattr(fm, 'parametrizations')
    assert_close(fm.weight, tm.weight, 1e-5, 1e-4)
    train_same(tm, fm, kind, steps=1)


def test_parametrized_weight_norm_loads_old_state_dict():
    old = quiet(torch.nn.utils.weight_norm, torch.nn.Linear(3, 4))
    tm, fm = tPs.weight_norm(torch.nn.Linear(3, 4)), fPs.weight_norm(flambeau.nn.Linear(3, 4))
    sd = old.state_dict()
    tm.load_state_dict(sd)
    fm.load_state_dict({k: to_fl(v) for k, v in sd.items()})
    assert_close(fm.parametrizations.weight.original0, tm.parametrizations.weight.original0, 0, 0)
    assert_close(fm.parametrizations.weight.original1, tm.parametrizations.weight.original1, 0, 0)
    x = R.standard_normal((2, 3)).astype(np.float32)
    assert_close(fm(flambeau.tensor(x)), old(torch.tensor(x)), 1e-6, 1e-5)


@pytest.mark.parametrize('kind,kwargs', [('linear', {}), ('conv2d', {}), ('convt2d', {}),
                                         ('conv1d', {'n_power_iterations': 2, 'dim': -1})])
def test_parametrized_spectral_norm(kind, kwargs):
    tm = tPs.spectral_norm(layer(torch, kind), **kwargs)
    fm = fPs.spectral_norm(layer(flambeau, kind), **kwargs)
    assert repr(fm) == repr(tm)
    assert list(fm.state_dict()) == list(tm.state_dict())
    assert [n for n, _ in fm.named_buffers()] == [n for n, _ in tm.named_buffers()]
    copy_state(tm, fm)
    train_same(tm, fm, kind)
    u_before = to_np(fm.parametrizations.weight[0]._u)
    train_same(tm, fm, kind, steps=2, train=False)
    np.testing.assert_array_equal(to_np(fm.parametrizations.weight[0]._u), u_before)
    with torch.no_grad():
        tw = tm.weight
    with flambeau.no_grad():
        fw = fm.weight
    assert_close(fw, tw, 1e-5, 1e-4)
    tP.remove_parametrizations(tm, 'weight')
    fP.remove_parametrizations(fm, 'weight')
    assert list(fm.state_dict()) == list(tm.state_dict())
    assert_close(fm.weight, tm.weight, 1e-5, 1e-4)


def test_parametrized_spectral_norm_normalizes_and_1d():
    fm = fPs.spectral_norm(flambeau.nn.Linear(6, 5).double(), n_power_iterations=30)
    s = np.linalg.svd(to_np(fm.weight), compute_uv=False)
    np.testing.assert_allclose(s[0], 1.0, rtol=1e-6)
    # a 1-d tensor is divided by its norm, no buffers
    tb = tPs.spectral_norm(torch.nn.Linear(3, 4), name='bias')
    fb = fPs.spectral_norm(flambeau.nn.Linear(3, 4), name='bias')
    assert list(fb.state_dict()) == list(tb.state_dict())
    copy_state(tb, fb)
    assert_close(fb.bias, tb.bias, 1e-6, 1e-5)
    train_same(tb, fb, 'linear', steps=2)


def test_parametrized_spectral_norm_errors():
    same_error(lambda: tPs.spectral_norm(torch.nn.Linear(2, 2), 'nope'),
               lambda: fPs.spectral_norm(flambeau.nn.Linear(2, 2), 'nope'), ValueError)
    same_error(lambda: tPs.spectral_norm(torch.nn.Linear(2, 2), dim=2),
               lambda: fPs.spectral_norm(flambeau.nn.Linear(2, 2), dim=2), IndexError)
    same_error(lambda: tPs.spectral_norm(torch.nn.Linear(2, 2), n_power_iterations=0),
               lambda: fPs.spectral_norm(flambeau.nn.Linear(2, 2), n_power_iterations=0),
               ValueError)


# -- parametrize --------------------------------------------------------------------------------
def make_param_modules(lib):
    nn = lib.nn

    class Symmetric(nn.Module):
        def forward(self, X):
            return X.triu() + X.triu(1).transpose(-1, -2)

        def right_inverse(self, A):
            return A.triu()

    class Scale(nn.Module):
        def __init__(self):
            super().__init__()
            self.s = nn.Parameter(lib.tensor(2.0))

        def forward(self, X):
            return X * self.s

    class Split(nn.Module):
        def forward(self, a, b):
            return a + b

        def right_inverse(self, X):
            return X * 0.25, X * 0.75

    class Reshape(nn.Module):
        def forward(self, X):
            return X.reshape(-1)

    class ToDouble(nn.Module):
        def forward(self, X):
            return X.double()

        def right_inverse(self, X):
            return X.double()

    class NotTensor(nn.Module):
        def forward(self, X):
            return 1

    return dict(Symmetric=Symmetric, Scale=Scale, Split=Split, Reshape=Reshape,
                ToDouble=ToDouble, NotTensor=NotTensor)


TP, FP = make_param_modules(torch), make_param_modules(flambeau)


def test_register_parametrization_chain_and_training():
    tm, fm = torch.nn.Linear(3, 3), flambeau.nn.Linear(3, 3)
    copy_state(tm, fm)
    t_orig, f_orig = tm.weight, fm.weight
    tP.register_parametrization(tm, 'weight', TP['Symmetric']())
    fP.register_parametrization(fm, 'weight', FP['Symmetric']())
    # the original parameter keeps its identity (an optimizer built before still works)
    assert fm.parametrizations.weight.original is f_orig
    assert tm.parametrizations.weight.original is t_orig
    tP.register_parametrization(tm, 'weight', TP['Scale']())
    fP.register_parametrization(fm, 'weight', FP['Scale']())
    assert repr(fm) == repr(tm)
    assert list(fm.state_dict()) == list(tm.state_dict())
    assert tP.is_parametrized(tm) and fP.is_parametrized(fm)
    assert fP.is_parametrized(fm, 'weight') and not fP.is_parametrized(fm, 'bias')
    assert fP.type_before_parametrizations(fm) is flambeau.nn.Linear
    assert_close(fm.weight, tm.weight, 1e-6, 1e-5)
    train_same(tm, fm, 'linear')
    # assigning to the parametrized tensor goes through right_inverse
    x = R.standard_normal((3, 3)).astype(np.float32)
    with pytest.raises(RuntimeError, match='parametrization Scale does not implement '
                                           'right_inverse.'):
        fm.weight = flambeau.tensor(x)


def test_register_parametrization_assignment_and_remove():
    tm, fm = torch.nn.Linear(3, 3), flambeau.nn.Linear(3, 3)
    copy_state(tm, fm)
    tP.register_parametrization(tm, 'weight', TP['Symmetric']())
    fP.register_parametrization(fm, 'weight', FP['Symmetric']())
    assert_close(fm.parametrizations.weight.original, tm.parametrizations.weight.original, 0, 0)
    x = R.standard_normal((3, 3)).astype(np.float32)
    tm.weight = torch.tensor(x)
    fm.weight = flambeau.tensor(x)
    assert_close(fm.weight, tm.weight, 0, 0)
    assert_close(fm.parametrizations.weight.original, tm.parametrizations.weight.original, 0, 0)
    # leave_parametrized=False gives back the original (upper triangular) tensor
    orig = fm.parametrizations.weight.original
    tP.remove_parametrizations(tm, 'weight', leave_parametrized=False)
    fP.remove_parametrizations(fm, 'weight', leave_parametrized=False)
    assert fm.weight is orig and type(fm) is flambeau.nn.Linear
    assert_close(fm.weight, tm.weight, 0, 0)
    assert repr(fm) == repr(tm)


def test_register_parametrization_sequence_originals():
    tm, fm = torch.nn.Linear(3, 2), flambeau.nn.Linear(3, 2)
    copy_state(tm, fm)
    tP.register_parametrization(tm, 'weight', TP['Split']())
    fP.register_parametrization(fm, 'weight', FP['Split']())
    assert list(fm.state_dict()) == list(tm.state_dict())
    assert isinstance(fm.parametrizations.weight.original0, flambeau.nn.Parameter)
    assert fm.parametrizations.weight.ntensors == 2
    assert_close(fm.weight, tm.weight, 1e-6, 1e-5)
    train_same(tm, fm, 'linear')
    same_error(lambda: tP.remove_parametrizations(tm, 'weight', leave_parametrized=False),
               lambda: fP.remove_parametrizations(fm, 'weight', leave_parametrized=False),
               ValueError)
    tP.remove_parametrizations(tm, 'weight')
    fP.remove_parametrizations(fm, 'weight')
    assert isinstance(fm.weight, flambeau.nn.Parameter) and fm.weight.is_leaf
    assert_close(fm.weight, tm.weight, 1e-6, 1e-5)


def test_parametrize_buffer_and_two_tensors():
    tm, fm = torch.nn.BatchNorm1d(3), flambeau.nn.BatchNorm1d(3)
    tP.register_parametrization(tm, 'running_var', TP['Scale']())
    fP.register_parametrization(fm, 'running_var', FP['Scale']())
    tP.register_parametrization(tm, 'weight', TP['Scale']())
    fP.register_parametrization(fm, 'weight', FP['Scale']())
    assert list(fm.state_dict()) == list(tm.state_dict())
    assert repr(fm) == repr(tm)
    assert_close(fm.running_var, tm.running_var, 0, 0)
    tP.remove_parametrizations(tm, 'running_var')
    fP.remove_parametrizations(fm, 'running_var')
    assert type(fm).__name__ == 'ParametrizedBatchNorm1d'
    assert 'running_var' in fm._buffers
    assert list(fm.state_dict()) == list(tm.state_dict())
    tP.remove_parametrizations(tm, 'weight')
    fP.remove_parametrizations(fm, 'weight')
    assert type(fm) is flambeau.nn.BatchNorm1d
    assert list(fm.state_dict()) == list(tm.state_dict())


def test_parametrize_cached():
    calls = []

    class Count(flambeau.nn.Module):
        def forward(self, X):
            calls.append(1)
            return X * 2

    m = flambeau.nn.Linear(2, 2)
    fP.register_parametrization(m, 'weight', Count())
    calls.clear()
    m.weight, m.weight
    assert len(calls) == 2
    with fP.cached():
        a = m.weight
        with fP.cached():
            b = m.weight
        c = m.weight
    assert a is b is c and len(calls) == 3
    assert fP._cache == {}
    m.weight
    assert len(calls) == 4


def test_parametrize_copy_and_pickle():
    fm = fPs.weight_norm(flambeau.nn.Linear(3, 2))
    clone = copy.deepcopy(fm)
    assert type(clone).__name__ == 'ParametrizedLinear'
    assert_close(clone.weight, torch.tensor(to_np(fm.weight)), 0, 0)
    assert clone.parametrizations.weight.original1 is not fm.parametrizations.weight.original1
    with pytest.raises(RuntimeError, match='Serialization of parametrized modules is only '
                                           r'supported through state_dict\(\)'):
        pickle.dumps(fm)


def test_transfer_parametrizations_and_params():
    src = fPs.weight_norm(flambeau.nn.Linear(3, 2))
    dst = fP.transfer_parametrizations_and_params(src, flambeau.nn.Linear(3, 2))
    assert fP.is_parametrized(dst, 'weight')
    assert_close(dst.weight, torch.tensor(to_np(src.weight)), 1e-6, 1e-6)


def test_parametrize_errors():
    def both(fn):
        return (lambda: fn(torch, tP, TP, torch.nn.Linear(3, 3)),
                lambda: fn(flambeau, fP, FP, flambeau.nn.Linear(3, 3)))

    cases = [
        lambda lib, P, M, m: P.register_parametrization(m, 'nope', M['Symmetric']()),
        lambda lib, P, M, m: P.register_parametrization(m, 'weight', M['Reshape']()),
        lambda lib, P, M, m: P.register_parametrization(m, 'weight', M['ToDouble']()),
        lambda lib, P, M, m: P.register_parametrization(m, 'weight', M['NotTensor']()),
        lambda lib, P, M, m: P.remove_parametrizations(m, 'weight'),
        lambda lib, P, M, m: P.register_parametrization(
            P.register_parametrization(m, 'weight', M['Symmetric']()), 'weight', M['Reshape']()),
        lambda lib, P, M, m: P.register_parametrization(
            P.register_parametrization(m, 'weight', M['Symmetric']()), 'weight',
            M['ToDouble']()),
        lambda lib, P, M, m: setattr(P.register_parametrization(m, 'weight', M['Symmetric']()),
                                     'weight', lib.nn.Parameter(lib.ones(3, 3))),
    ]
    for case in cases:
        same_error(*both(case))
    # with unsafe=True, shape and dtype may change
    tm = tP.register_parametrization(torch.nn.Linear(3, 3), 'weight', TP['Reshape'](),
                                     unsafe=True)
    fm = fP.register_parametrization(flambeau.nn.Linear(3, 3), 'weight', FP['Reshape'](),
                                     unsafe=True)
    assert tuple(fm.weight.shape) == tuple(tm.weight.shape) == (9,)


# -- parametrizations.orthogonal ----------------------------------------------------------------
@pytest.mark.parametrize('shape', [(4, 4), (3, 5), (5, 3)])
@pytest.mark.parametrize('omap', [None, 'matrix_exp', 'cayley', 'householder'])
@pytest.mark.parametrize('triv', [True, False])
def test_orthogonal(shape, omap, triv):
    tl = torch.nn.Linear(shape[1], shape[0]).double()
    fl = flambeau.nn.Linear(shape[1], shape[0]).double()
    copy_state(tl, fl)
    tm = tPs.orthogonal(tl, orthogonal_map=omap, use_trivialization=triv)
    fm = fPs.orthogonal(fl, orthogonal_map=omap, use_trivialization=triv)
    assert list(fm.state_dict()) == list(tm.state_dict())
    assert repr(fm) == repr(tm)
    # registration is deterministic: the same orthogonal weight without copying anything
    assert_close(fm.weight, tm.weight, 1e-12, 1e-10)
    w = to_np(fm.weight)
    gram = w.T @ w if shape[0] >= shape[1] else w @ w.T
    np.testing.assert_allclose(gram, np.eye(min(shape)), atol=1e-12)
    copy_state(tm, fm)
    INPUTS['orth'] = (4, shape[1])
    train_same(tm, fm, 'orth', steps=3, atol=1e-10, rtol=1e-8, dtype=np.float64)
    householder = omap == 'householder' or (omap is None and shape[0] != shape[1])
    if triv or householder:
        # assignment runs right_inverse: QR for Householder, a new base with the trivialization
        q = R.standard_normal(shape)
        tm.weight = torch.tensor(q)
        fm.weight = flambeau.tensor(q)
        assert_close(fm.weight, tm.weight, 1e-10, 1e-8)
        copy_state(tm, fm)  # a non-square base is completed with random columns
        train_same(tm, fm, 'orth', steps=1, atol=1e-10, rtol=1e-8, dtype=np.float64)
    tP.remove_parametrizations(tm, 'weight')
    fP.remove_parametrizations(fm, 'weight')
    assert_close(fm.weight, tm.weight, 1e-10, 1e-8)


def test_orthogonal_batched_and_float32():
    def make(lib):
        m = lib.nn.Module()
        m.w = lib.nn.Parameter(lib.tensor(np.arange(24.0).reshape(2, 4, 3) % 7 - 3))
        return m
    tm, fm = tPs.orthogonal(make(torch), 'w'), fPs.orthogonal(make(flambeau), 'w')
    assert_close(fm.w, tm.w, 1e-12, 1e-10)
    fm.w.sum().backward()
    tm.w.sum().backward()
    for name, p in tm.named_parameters():
        assert_close(dict(fm.named_parameters())[name].grad, p.grad, 1e-10, 1e-8)
    tl, fl = torch.nn.Linear(5, 5), flambeau.nn.Linear(5, 5)
    copy_state(tl, fl)
    tm, fm = tPs.orthogonal(tl), fPs.orthogonal(fl)
    assert_close(fm.weight, tm.weight, 1e-5, 1e-4)


def test_orthogonal_helpers_gradcheck():
    from flambeau.nn.utils.parametrizations import _householder_product, _matrix_exp
    a = flambeau.tensor(R.standard_normal((3, 3)) * 2, requires_grad=True)
    assert flambeau.autograd.gradcheck(_matrix_exp, (a,))
    assert_close(_matrix_exp(a), torch.matrix_exp(torch.tensor(to_np(a))), 1e-12, 1e-10)
    x = flambeau.tensor(R.standard_normal((4, 2)), requires_grad=True)
    tau = flambeau.tensor(R.standard_normal(2), requires_grad=True)
    assert flambeau.autograd.gradcheck(_householder_product, (x, tau))
    assert_close(_householder_product(x, tau),
                 torch.linalg.householder_product(torch.tensor(to_np(x)),
                                                  torch.tensor(to_np(tau))), 1e-12, 1e-10)


def test_orthogonal_errors():
    same_error(lambda: tPs.orthogonal(torch.nn.Linear(2, 2), 'bias'),
               lambda: fPs.orthogonal(flambeau.nn.Linear(2, 2), 'bias'), ValueError)
    same_error(lambda: tPs.orthogonal(torch.nn.Linear(2, 2), 'nope'),
               lambda: fPs.orthogonal(flambeau.nn.Linear(2, 2), 'nope'), ValueError)
    same_error(lambda: tPs.orthogonal(torch.nn.Linear(2, 2), orthogonal_map='qr'),
               lambda: fPs.orthogonal(flambeau.nn.Linear(2, 2), orthogonal_map='qr'),
               ValueError)
    tm = tPs.orthogonal(torch.nn.Linear(2, 2), use_trivialization=False)
    fm = fPs.orthogonal(flambeau.nn.Linear(2, 2), use_trivialization=False)

    def assign(m, lib):
        m.weight = lib.eye(2)
    same_error(lambda: assign(tm, torch), lambda: assign(fm, flambeau), NotImplementedError)
    tm = tPs.orthogonal(torch.nn.Linear(2, 3))
    fm = fPs.orthogonal(flambeau.nn.Linear(2, 3))
    same_error(lambda: tm.parametrizations.weight[0].right_inverse(torch.ones(2, 2)),
               lambda: fm.parametrizations.weight[0].right_inverse(flambeau.ones(2, 2)),
               ValueError)
