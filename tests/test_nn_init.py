"""flambeau.nn.init against torch.nn.init: gains, fan computations, errors, and the
statistics of every initialisation (values cannot match torch's RNG)."""
import math

import numpy as np
import pytest

torch = pytest.importorskip('torch')

import flambeau
import flambeau.nn as fnn

finit, tinit = fnn.init, torch.nn.init


def raises_same(ft, ff):
    with pytest.raises(Exception) as et:
        ft()
    with pytest.raises(Exception) as ef:
        ff()
    assert type(ef.value) is type(et.value) and str(ef.value) == str(et.value), (ef.value, et.value)


@pytest.mark.parametrize('nl,param', [('linear', None), ('conv2d', None), ('sigmoid', None),
                                      ('tanh', None), ('relu', None), ('leaky_relu', None),
                                      ('leaky_relu', 0.2), ('leaky_relu', 1), ('selu', None),
                                      ('conv_transpose3d', None)])
def test_calculate_gain(nl, param):
    assert finit.calculate_gain(nl, param) == tinit.calculate_gain(nl, param)


def test_calculate_gain_errors():
    raises_same(lambda: tinit.calculate_gain('foo'), lambda: finit.calculate_gain('foo'))
    raises_same(lambda: tinit.calculate_gain('leaky_relu', True),
                lambda: finit.calculate_gain('leaky_relu', True))
    raises_same(lambda: tinit.calculate_gain('leaky_relu', 'x'),
                lambda: finit.calculate_gain('leaky_relu', 'x'))


@pytest.mark.parametrize('shape', [(3, 4), (5, 3, 2), (6, 2, 3, 3), (2, 3, 1, 2, 2), (0, 3)])
def test_fan_in_fan_out(shape):
    assert finit._calculate_fan_in_and_fan_out(flambeau.empty(shape)) == \
        tinit._calculate_fan_in_and_fan_out(torch.empty(shape))


def test_fan_errors():
    for shape in [(3,), ()]:
        raises_same(lambda: tinit._calculate_fan_in_and_fan_out(torch.empty(shape)),
                    lambda: finit._calculate_fan_in_and_fan_out(flambeau.empty(shape)))
    raises_same(lambda: tinit.kaiming_uniform_(torch.empty(2, 2), mode='fan_x'),
                lambda: finit.kaiming_uniform_(flambeau.empty(2, 2), mode='fan_x'))
    raises_same(lambda: tinit.xavier_normal_(torch.empty(2)),
                lambda: finit.xavier_normal_(flambeau.empty(2)))
    raises_same(lambda: tinit.eye_(torch.empty(2, 2, 2)), lambda: finit.eye_(flambeau.empty(2, 2, 2)))
    raises_same(lambda: tinit.dirac_(torch.empty(2, 2)), lambda: finit.dirac_(flambeau.empty(2, 2)))
    raises_same(lambda: tinit.dirac_(torch.empty(3, 2, 3), groups=2),
                lambda: finit.dirac_(flambeau.empty(3, 2, 3), groups=2))
    raises_same(lambda: tinit.orthogonal_(torch.empty(3)), lambda: finit.orthogonal_(flambeau.empty(3)))
    raises_same(lambda: tinit.sparse_(torch.empty(3), 0.1), lambda: finit.sparse_(flambeau.empty(3), 0.1))


def _stats(t):
    a = t.detach().numpy().astype(np.float64)
    return a.mean(), a.std(), a.min(), a.max()


def test_returns_tensor_in_place_no_grad():
    w = fnn.Parameter(flambeau.empty(30, 20))
    for fn in (lambda t: finit.uniform_(t), lambda t: finit.normal_(t),
               lambda t: finit.trunc_normal_(t), lambda t: finit.constant_(t, 0.5),
               finit.ones_, finit.zeros_, finit.eye_, finit.xavier_uniform_, finit.xavier_normal_,
               finit.kaiming_uniform_, finit.kaiming_normal_, finit.orthogonal_,
               lambda t: finit.sparse_(t, 0.2)):
        r = fn(w)
        assert r is w and w.requires_grad and w.grad_fn is None


def test_uniform_normal_constant():
    flambeau.manual_seed(0)
    m, s, lo, hi = _stats(finit.uniform_(flambeau.empty(200, 200), -2.0, 3.0))
    assert lo >= -2 and hi <= 3 and abs(m - 0.5) < 0.05 and abs(s - 5 / math.sqrt(12)) < 0.02
    m, s, _, _ = _stats(finit.normal_(flambeau.empty(200, 200), 1.0, 0.5))
    assert abs(m - 1) < 0.01 and abs(s - 0.5) < 0.01
    assert finit.constant_(flambeau.empty(2), 0.3).tolist() == pytest.approx([0.3, 0.3])
    assert finit.ones_(flambeau.empty(2)).tolist() == [1, 1]
    assert finit.zeros_(flambeau.empty(2)).tolist() == [0, 0]


def test_trunc_normal():
    flambeau.manual_seed(0)
    t = finit.trunc_normal_(flambeau.empty(300, 300), mean=0.5, std=1.0, a=-1.0, b=1.5)
    ref = tinit.trunc_normal_(torch.empty(300, 300), mean=0.5, std=1.0, a=-1.0, b=1.5)
    m, s, lo, hi = _stats(t)
    mt, st, _, _ = _stats(ref)
    assert lo >= -1 and hi <= 1.5 and abs(m - mt) < 0.01 and abs(s - st) < 0.01
    with pytest.warns(UserWarning, match='mean is more than 2 std'):
        finit.trunc_normal_(flambeau.empty(3), mean=10.0)


def test_eye_dirac():
    assert finit.eye_(flambeau.empty(2, 3)).tolist() == tinit.eye_(torch.empty(2, 3)).tolist()
    for shape, groups in [((4, 2, 3), 1), ((4, 2, 3, 3), 2), ((6, 3, 1, 3, 2), 3), ((2, 4, 5), 1)]:
        assert finit.dirac_(flambeau.empty(shape), groups).tolist() == \
            tinit.dirac_(torch.empty(shape), groups).tolist()


@pytest.mark.parametrize('shape', [(200, 300), (64, 32, 3, 3)])
@pytest.mark.parametrize('mode', ['fan_in', 'fan_out'])
def test_kaiming(shape, mode):
    flambeau.manual_seed(1)
    fan = tinit._calculate_fan_in_and_fan_out(torch.empty(shape))[0 if mode == 'fan_in' else 1]
    gain = tinit.calculate_gain('relu')
    m, s, lo, hi = _stats(finit.kaiming_uniform_(flambeau.empty(shape), mode=mode,
                                                 nonlinearity='relu'))
    bound = gain * math.sqrt(3 / fan)
    assert lo >= -bound and hi <= bound and abs(s - gain / math.sqrt(fan)) < 0.02 * s
    m, s, _, _ = _stats(finit.kaiming_normal_(flambeau.empty(shape), a=0.1, mode=mode))
    std = tinit.calculate_gain('leaky_relu', 0.1) / math.sqrt(fan)
    assert abs(s - std) < 0.02 * std and abs(m) < 0.02 * std * 10


def test_kaiming_empty_warns():
    with pytest.warns(UserWarning, match='Initializing zero-element tensors is a no-op'):
        finit.kaiming_uniform_(flambeau.empty(0, 3))


@pytest.mark.parametrize('shape', [(200, 300), (32, 16, 5, 5)])
def test_xavier(shape):
    flambeau.manual_seed(2)
    fan_in, fan_out = tinit._calculate_fan_in_and_fan_out(torch.empty(shape))
    std = 2.0 * math.sqrt(2.0 / (fan_in + fan_out))
    m, s, lo, hi = _stats(finit.xavier_uniform_(flambeau.empty(shape), gain=2.0))
    assert hi <= math.sqrt(3) * std and lo >= -math.sqrt(3) * std and abs(s - std) < 0.02 * std
    m, s, _, _ = _stats(finit.xavier_normal_(flambeau.empty(shape), gain=2.0))
    assert abs(s - std) < 0.02 * std


@pytest.mark.parametrize('shape', [(3, 5), (5, 3), (4, 2, 3), (6, 6)])
def test_orthogonal(shape):
    w = finit.orthogonal_(flambeau.empty(shape), gain=2.0)
    a = w.numpy().reshape(shape[0], -1)
    if a.shape[0] <= a.shape[1]:
        np.testing.assert_allclose(a @ a.T, 4 * np.eye(a.shape[0]), atol=1e-5)
    else:
        np.testing.assert_allclose(a.T @ a, 4 * np.eye(a.shape[1]), atol=1e-5)


def test_sparse():
    w = finit.sparse_(flambeau.empty(10, 6), sparsity=0.3, std=0.5)
    zeros = (w.numpy() == 0).sum(0)
    assert (zeros == 3).all()


def test_deprecated_aliases():
    with pytest.warns(FutureWarning, match='nn.init.normal'):
        finit.normal(flambeau.empty(2))
