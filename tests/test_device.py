"""Devices: ``flambeau.device`` objects, and the CUDA logic (moves copy, creation on a device,
printing, mixing devices, ``.numpy()``, gradients across devices) run through the test-only
stand-in for ``cuda`` of fake_cuda.py. Expected values come from the same code run in torch on
the CPU; what only a GPU build of torch could show (its CUDA texts) is spelled out here."""
import copy
import pickle
import re

import numpy as np
import pytest

torch = pytest.importorskip('torch')

import flambeau  # noqa: E402
from core_helpers import assert_same, assert_same_error, outcome  # noqa: E402

NUMPY_CUDA_ERROR = ("can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu() to copy "
                    'the tensor to host memory first.')


def mismatch(a, b):
    return (f'Expected all tensors to be on the same device, but found at least two devices, '
            f'{a} and {b}!')


# -- device objects ------------------------------------------------------------------------
@pytest.mark.parametrize('args', [('cuda:1',), ('cuda', 1), ('cpu',), ('cuda',), ('cuda:0',),
                                  ('meta',)], ids=str)
def test_device_objects(args):
    t, f = torch.device(*args), flambeau.device(*args)
    assert repr(f) == repr(t) and str(f) == str(t)
    assert f.type == t.type and f.index == t.index
    assert flambeau.device(f) == f
    assert hash(f) == hash(flambeau.device(*args))


@pytest.mark.parametrize('args', [('cuda:0', 1), ('cuda:-1',), ('foo',), ('cuda:x',),
                                  ('cuda', -1)], ids=str)
def test_device_errors(args):
    if args == ('foo',):  # torch lists its many device types; flambeau the ones it knows
        (tk, tm), (fk, fm) = outcome(lambda: torch.device(*args)), outcome(
            lambda: flambeau.device(*args))
        assert fk is tk and fm.startswith('Expected one of cpu, cuda')
        assert fm.endswith(tm.split(' device type ', 1)[1])
        return
    assert_same_error(lambda: flambeau.device(*args), lambda: torch.device(*args))


def test_device_equality_like_torch():
    pairs = [('cpu', 'cpu'), ('cuda', 'cuda:0'), ('cuda:0', 'cuda:0'), ('cuda:1', 'cuda:0')]
    for a, b in pairs:
        assert (flambeau.device(a) == flambeau.device(b)) == (torch.device(a) == torch.device(b))
    # a device never equals a string, in torch
    for s in ('cpu', 'cuda:0'):
        assert (flambeau.device(s) == s) == (torch.device(s) == s)
        assert (flambeau.device(s) != s) == (torch.device(s) != s)
    assert (flambeau.zeros(1).device == 'cpu') == (torch.zeros(1).device == 'cpu')


def test_device_pickle_and_copy():
    for s in ('cpu', 'cuda:1', 'cuda'):
        d = flambeau.device(s)
        assert pickle.loads(pickle.dumps(d)) == d
        assert copy.deepcopy(d) == d


def test_cpu_tensor_device_attributes():
    t, f = torch.ones(2), flambeau.ones(2)
    assert repr(f.device) == repr(t.device)
    assert f.is_cuda == t.is_cuda and f.is_cpu == t.is_cpu
    assert f.get_device() == t.get_device()
    assert (f.cpu() is f) == (t.cpu() is t)
    assert (f.to('cpu') is f) == (t.to('cpu') is t)
    assert (f.to(flambeau.device('cpu')) is f) == (t.to(torch.device('cpu')) is t)


# -- no CUDA backend: PyTorch CPU's errors ----------------------------------------------------
no_real_cuda = pytest.mark.skipif(flambeau.cuda.is_available(),
                                  reason='a real CUDA backend is installed')


@no_real_cuda
@pytest.mark.parametrize('case', ['zeros', 'tensor', 'cuda', 'to', 'randn', 'arange', 'device0'])
def test_cuda_unavailable_raises_like_torch_cpu(case):
    fn = {'zeros': lambda L: L.zeros(2, device='cuda'),
          'tensor': lambda L: L.tensor([1.], device='cuda'),
          'cuda': lambda L: L.ones(2).cuda(),
          'to': lambda L: L.ones(2).to('cuda'),
          'randn': lambda L: L.randn(2, device='cuda:0'),
          'arange': lambda L: L.arange(3, device=L.device('cuda')),
          'device0': lambda L: L.ones(2).to('cuda:0')}[case]
    assert_same_error(lambda: fn(flambeau), lambda: fn(torch), match_prefix=True)


# -- with the stand-in cuda backend --------------------------------------------------------
def test_fake_cuda_fixture_unregisters(fake_cuda):
    assert flambeau.zeros(1, device='cuda').is_cuda


@no_real_cuda
def test_fake_cuda_is_gone_after_the_fixture():
    with pytest.raises(AssertionError):
        flambeau.zeros(1, device='cuda')


def test_to_cuda_and_back_copy(fake_cuda):
    x = flambeau.tensor([1., 2., 3.])
    for move in (lambda t: t.to('cuda'), lambda t: t.cuda(), lambda t: t.to('cuda:1'),
                 lambda t: t.cuda(1), lambda t: t.to(flambeau.device('cuda', 0)),
                 lambda t: t.to(device='cuda', dtype=flambeau.float64)):
        y = move(x)
        assert y.is_cuda and not x.is_cuda
        assert y._data is not x._data
        y.fill_(7)
        assert x.tolist() == [1., 2., 3.]
        back = y.cpu()
        assert back.device == flambeau.device('cpu') and not back.is_cuda
        back.fill_(9)
        assert (y.cpu().tolist()) == [7., 7., 7.]


def test_device_attributes_on_cuda(fake_cuda):
    x = flambeau.ones(2, device='cuda')
    assert repr(x.device) == "device(type='cuda', index=0)"
    assert str(x.device) == 'cuda:0'
    assert x.device == flambeau.device('cuda:0') == flambeau.device('cuda', 0)
    assert x.is_cuda and not x.is_cpu and x.get_device() == 0
    y = x.to('cuda:1')
    assert repr(y.device) == "device(type='cuda', index=1)" and y.get_device() == 1
    assert x.to('cuda') is x and x.cuda() is x and x.cuda(0) is x
    assert y.cuda().device == flambeau.device('cuda:0')  # .cuda(): the current device
    assert x.type() == 'torch.cuda.FloatTensor'
    assert x.long().type() == 'torch.cuda.LongTensor'


def _cuda_repr(torch_tensor, dev='cuda:0'):
    """PyTorch's repr of a CUDA tensor: its CPU repr with device='...' as the first suffix."""
    r = repr(torch_tensor)
    m = re.search(r', (dtype|requires_grad|grad_fn)=', r)
    at = m.start() if m else len(r) - 1
    return r[:at] + f", device='{dev}'" + r[at:]


@pytest.mark.parametrize('case', ['float', 'int32', 'requires_grad', 'grad_fn', 'scalar', '2d',
                                  'int64'])
def test_cuda_repr(case, fake_cuda):
    fn = {'float': lambda L, d: L.tensor([1., 2.5], device=d),
          'int32': lambda L, d: L.tensor([1, 2], dtype=L.int32, device=d),
          'int64': lambda L, d: L.arange(3, device=d),
          'requires_grad': lambda L, d: L.ones(2, device=d, requires_grad=True),
          'grad_fn': lambda L, d: L.ones(2, device=d, requires_grad=True) * 2,
          'scalar': lambda L, d: L.tensor(3.5, dtype=L.float64, device=d),
          '2d': lambda L, d: L.eye(2, device=d)}[case]
    assert repr(fn(flambeau, 'cuda')) == _cuda_repr(fn(torch, 'cpu'))
    assert repr(fn(flambeau, 'cuda:1')) == _cuda_repr(fn(torch, 'cpu'), 'cuda:1')


CREATION = {
    'tensor': lambda L, d: L.tensor([[1, 2], [3, 4]], device=d),
    'tensor_float': lambda L, d: L.tensor([1.5, 2], dtype=L.float64, device=d),
    'as_tensor': lambda L, d: L.as_tensor([1., 2.], device=d),
    'as_tensor_np': lambda L, d: L.as_tensor(np.array([1, 2]), device=d),
    'zeros': lambda L, d: L.zeros(2, 3, device=d),
    'zeros_tuple': lambda L, d: L.zeros((2, 3), device=d, dtype=L.int32),
    'ones': lambda L, d: L.ones(2, device=d),
    'full': lambda L, d: L.full((2,), 1.5, device=d),
    'empty_shape': lambda L, d: L.empty(3, 1, device=d).shape,
    'arange': lambda L, d: L.arange(5, device=d),
    'arange_float': lambda L, d: L.arange(0, 1, 0.25, device=d),
    'linspace': lambda L, d: L.linspace(0, 1, 4, device=d),
    'eye': lambda L, d: L.eye(3, device=d),
    'zeros_like': lambda L, d: L.zeros_like(L.ones(2, device=d)),
    'ones_like': lambda L, d: L.ones_like(L.ones(2, device=d)),
    'full_like': lambda L, d: L.full_like(L.ones(2, device=d), 3),
    'new_zeros': lambda L, d: L.ones(2, device=d).new_zeros(3),
    'new_tensor': lambda L, d: L.ones(2, device=d).new_tensor([1, 2]),
    'new_full': lambda L, d: L.ones(2, device=d).new_full((2,), 4.),
    'randn_shape': lambda L, d: L.randn(2, 3, device=d).shape,
    'rand_dtype': lambda L, d: L.rand(2, device=d, dtype=L.float64).dtype,
    'randint_dtype': lambda L, d: L.randint(0, 5, (4,), device=d).dtype,
    'randperm_sum': lambda L, d: L.randperm(5, device=d).sum(),
}


@pytest.mark.parametrize('case', list(CREATION))
def test_creation_on_cuda(case, fake_cuda):
    fn = CREATION[case]
    t = fn(torch, 'cpu')
    for d in ('cuda', 'cuda:1', flambeau.device('cuda', 1)):
        f = fn(flambeau, d)
        if isinstance(t, torch.Tensor):
            assert f.is_cuda, (case, f.device)
            assert f.device == flambeau.device(d if not isinstance(d, str) or ':' in d
                                               else 'cuda:0')
            assert_same(f.cpu(), t)
        elif isinstance(t, torch.dtype):
            assert f.name == str(t).removeprefix('torch.')
        else:
            assert tuple(f) == tuple(t)


def test_creation_device_argument_forms(fake_cuda):
    for d in ('cuda', 'cuda:0', flambeau.device('cuda'), flambeau.device('cuda', 0), 0):
        assert flambeau.zeros(2, device=d).device == flambeau.device('cuda:0')
    assert flambeau.zeros(2, device=1).device == flambeau.device('cuda:1')
    with pytest.raises(RuntimeError):
        flambeau.zeros(2, device='cuda:5')


def test_random_on_cuda_is_reproducible(fake_cuda):
    flambeau.manual_seed(3)
    a = flambeau.randn(5, device='cuda')
    flambeau.manual_seed(3)
    b = flambeau.randn(5, device='cuda')
    assert a.is_cuda and a.cpu().tolist() == b.cpu().tolist()
    g = flambeau.Generator('cuda').manual_seed(1)
    c = flambeau.rand(3, device='cuda', generator=g)
    g.manual_seed(1)
    assert c.cpu().tolist() == flambeau.rand(3, device='cuda', generator=g).cpu().tolist()


# -- mixing devices --------------------------------------------------------------------------
def test_mixing_devices_raises(fake_cuda):
    c = flambeau.ones(2, device='cuda')
    p = flambeau.ones(2)
    for fn, devs in ((lambda: c + p, ('cuda:0', 'cpu')), (lambda: p + c, ('cpu', 'cuda:0')),
                     (lambda: c * p, ('cuda:0', 'cpu')), (lambda: c - p, ('cuda:0', 'cpu')),
                     (lambda: c / p, ('cuda:0', 'cpu')),
                     (lambda: c + flambeau.ones(2, device='cuda:1'), ('cuda:0', 'cuda:1')),
                     (lambda: flambeau.ones(2, device='cuda:1') + c, ('cuda:1', 'cuda:0'))):
        kind, msg = outcome(fn)
        assert kind is RuntimeError, (kind, msg)
        assert msg == mismatch(*devs)


def test_mixing_with_0d_cpu_tensor_is_allowed(fake_cuda):
    c = flambeau.tensor([1., 2.], device='cuda')
    s = flambeau.tensor(3.)
    tc, ts = torch.tensor([1., 2.]), torch.tensor(3.)
    for fn in (lambda a, b: a + b, lambda a, b: a * b, lambda a, b: a / b, lambda a, b: a - b,
               lambda a, b: a ** b, lambda a, b: a.add(b, alpha=2), flambeau.maximum,
               flambeau.atan2, lambda a, b: a > b, lambda a, b: a // b):
        r = fn(c, s)
        assert r.device == flambeau.device('cuda:0')
        assert_same(r.cpu(), fn(tc, ts) if fn not in (flambeau.maximum, flambeau.atan2)
                    else getattr(torch, fn.__name__)(tc, ts))
        # the CPU scalar first: the result is on the GPU too
        r = fn(s, c)
        assert r.device == flambeau.device('cuda:0')
        assert_same(r.cpu(), fn(ts, tc) if fn not in (flambeau.maximum, flambeau.atan2)
                    else getattr(torch, fn.__name__)(ts, tc))
    # in place into the CPU scalar: PyTorch refuses
    kind, _ = outcome(lambda: flambeau.tensor(3.).add_(c))
    assert kind is RuntimeError
    # a 0-d CUDA tensor does not mix with a dimensioned CPU tensor
    kind, msg = outcome(lambda: flambeau.tensor(3., device='cuda') + flambeau.ones(2))
    assert kind is RuntimeError and msg == mismatch('cuda:0', 'cpu')


def test_mixing_devices_in_backward_graph(fake_cuda):
    w = flambeau.ones(2, device='cuda', requires_grad=True)
    with pytest.raises(RuntimeError, match='same device'):
        w * flambeau.ones(2)


# -- numpy and conversions --------------------------------------------------------------------
def test_numpy_of_cuda_tensor_raises(fake_cuda):
    x = flambeau.ones(2, device='cuda')
    kind, msg = outcome(x.numpy)
    assert kind is TypeError and msg == NUMPY_CUDA_ERROR
    kind, msg = outcome(lambda: np.asarray(x))
    assert kind is TypeError and msg == NUMPY_CUDA_ERROR
    kind, msg = outcome(flambeau.ones(2, device='cuda:1').numpy)
    assert kind is TypeError and msg == NUMPY_CUDA_ERROR.replace('cuda:0', 'cuda:1')
    assert x.cpu().numpy().tolist() == [1., 1.]


def test_python_conversions_of_cuda_tensors(fake_cuda):
    x = flambeau.tensor([1.5, 2.5], device='cuda')
    assert x.tolist() == [1.5, 2.5]
    assert x[0].item() == 1.5 and float(x[1]) == 2.5 and int(x[1]) == 2 and bool(x[0])
    assert flambeau.tensor(3, device='cuda').__index__() == 3


def test_copy_between_devices(fake_cuda):
    x = flambeau.zeros(3, device='cuda')
    src = flambeau.tensor([1, 2, 3])
    x.copy_(src)
    assert x.is_cuda and x.tolist() == [1., 2., 3.]
    y = flambeau.zeros(3)
    y.copy_(x)
    assert y.tolist() == [1., 2., 3.]
    x.fill_(0)
    assert y.tolist() == [1., 2., 3.]
    assert flambeau.zeros(3, device='cuda:1').copy_(x).device == flambeau.device('cuda:1')


def test_pickle_and_deepcopy_of_cuda_tensor(fake_cuda):
    x = flambeau.tensor([1., 2.], device='cuda:1')
    for y in (pickle.loads(pickle.dumps(x)), copy.deepcopy(x)):
        assert y.device == x.device and y.tolist() == x.tolist()
        y.fill_(0)
        assert x.tolist() == [1., 2.]


# -- autograd across devices ---------------------------------------------------------------
def test_gradient_flows_back_across_to(fake_cuda):
    tx = torch.tensor([1., 2., 3.], requires_grad=True)
    (tx.to('cpu', torch.float64) * tx.to(torch.float64)).sum().backward()
    x = flambeau.tensor([1., 2., 3.], requires_grad=True)
    y = x.to('cuda', flambeau.float64)
    assert y.is_cuda and y.grad_fn.name() == 'ToCopyBackward0'
    (y * y).sum().backward()
    assert x.grad.device == flambeau.device('cpu')
    assert_same(x.grad, tx.grad)


def test_gradient_of_cuda_leaf_stays_on_its_device(fake_cuda):
    tx = torch.tensor([1., 2.], requires_grad=True)
    (tx.cpu() * 3).sum().backward()
    for dev in ('cuda:0', 'cuda:1'):
        x = flambeau.tensor([1., 2.], device=dev, requires_grad=True)
        z = (x.cpu() * 3).sum()
        assert z.device == flambeau.device('cpu')
        z.backward()
        assert x.grad.device == flambeau.device(dev)
        assert_same(x.grad.cpu(), tx.grad)


def test_gradient_through_cuda_ops(fake_cuda):
    tx = torch.tensor([[1., -2.], [3., 0.5]], requires_grad=True)
    ((tx * tx).exp().sum(0) * torch.tensor(2.)).sum().backward()
    x = flambeau.tensor([[1., -2.], [3., 0.5]], device='cuda', requires_grad=True)
    ((x * x).exp().sum(0) * flambeau.tensor(2.)).sum().backward()
    assert x.grad.is_cuda
    assert_same(x.grad.cpu(), tx.grad, rtol=1e-5)


def test_gradient_moves_between_cuda_devices(fake_cuda):
    x = flambeau.ones(2, device='cuda:1', requires_grad=True)
    (x.to('cuda:0') * 2).sum().backward()
    assert x.grad.device == flambeau.device('cuda:1')
    assert x.grad.cpu().tolist() == [2., 2.]


def test_grad_assignment_device_check(fake_cuda):
    x = flambeau.ones(2, device='cuda', requires_grad=True)
    with pytest.raises(RuntimeError, match='different device'):
        x.grad = flambeau.ones(2)
    x.grad = flambeau.ones(2, device='cuda')
    assert x.grad.is_cuda


def test_gradient_of_0d_cpu_tensor_mixed_with_cuda(fake_cuda):
    tc, ts = torch.tensor([1., 2.], requires_grad=True), torch.tensor(3., requires_grad=True)
    (tc * ts + tc / ts).sum().backward()
    c = flambeau.tensor([1., 2.], device='cuda', requires_grad=True)
    s = flambeau.tensor(3., requires_grad=True)
    (c * s + c / s).sum().backward()
    assert s.grad.device == flambeau.device('cpu') and c.grad.is_cuda
    assert_same(s.grad, ts.grad)
    assert_same(c.grad.cpu(), tc.grad)


def test_cuda_module_availability(fake_cuda):
    assert flambeau.cuda.is_available()
    assert flambeau.cuda.device_count() == 2
    assert flambeau.cuda.current_device() == 0


@no_real_cuda
def test_cuda_module_without_backend():
    assert flambeau.cuda.is_available() == torch.cuda.is_available()
    assert flambeau.cuda.device_count() == torch.cuda.device_count()


def test_non_blocking_reaches_the_backend(fake_cuda, monkeypatch):
    """``non_blocking=`` (keyword or positional, in ``to``, ``cuda`` and ``Module.to``) is
    handed to the backend's host<->device copies; the values are the same."""
    seen = []
    up, down = fake_cuda.from_host, fake_cuda.to_host
    monkeypatch.setattr(fake_cuda, 'from_host', lambda a, i, non_blocking=False:
                        seen.append(('up', non_blocking)) or up(a, i, non_blocking))
    monkeypatch.setattr(fake_cuda, 'to_host', lambda a, non_blocking=False:
                        seen.append(('down', non_blocking)) or down(a, non_blocking))
    t = flambeau.arange(3.)
    c = t.to('cuda', non_blocking=True)
    assert c.cpu().tolist() == [0., 1., 2.]
    t.cuda(non_blocking=True)
    t.to('cuda', flambeau.float64, True)         # (device, dtype, non_blocking)
    c.to('cpu', non_blocking=True)
    assert seen == [('up', True), ('down', False), ('up', True), ('up', True), ('down', True)]
    # the second positional flag is copy=, as in PyTorch
    assert t.to(flambeau.float32, False, True) is not t
    assert t.to(flambeau.float32, False, False) is t
