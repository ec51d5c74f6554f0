"""Random sampling against PyTorch where the values cannot match (flambeau draws from NumPy's
PCG64, PyTorch from its own generators): shapes, dtypes, ranges, distribution statistics with
generous tolerances, errors (same type and key message), ``grad_fn`` names and zero gradients,
and reproducibility (``manual_seed``, ``Generator``, ``get_rng_state``/``set_rng_state``).
The deterministic corners of these ops (std 0, p in {0, 1}, dropout p = 0 / 1) are in the op
registry (registry_compare.py)."""
import math
import warnings

import numpy as np
import pytest

torch = pytest.importorskip('torch')

import flambeau  # noqa: E402

N = 20000


def both(fn):
    """``fn(torch)`` and ``fn(flambeau)``."""
    return fn(torch), fn(flambeau)


def same_meta(t, f):
    assert tuple(f.shape) == tuple(t.shape), (f.shape, t.shape)
    assert repr(f.dtype) == repr(t.dtype), (f.dtype, t.dtype)
    assert f.requires_grad == t.requires_grad


def raises_like(fn, match=None):
    """torch and flambeau raise the same exception type (with ``match`` in both messages)."""
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        try:
            fn(torch)
        except Exception as e:  # noqa: BLE001
            te = e
        else:
            pytest.fail('torch did not raise')
        try:
            fn(flambeau)
        except Exception as e:  # noqa: BLE001
            fe = e
        else:
            pytest.fail(f'flambeau did not raise; torch raised {type(te).__name__}: {te}')
    assert type(fe) is type(te), f'{type(fe).__name__}({fe}) != {type(te).__name__}({te})'
    if match is not None:
        assert match in str(te), str(te)
        assert match in str(fe), str(fe)


def stats(t):
    a = t.double().numpy() if isinstance(t, flambeau.Tensor) else t.double().numpy()
    return a.mean(), a.std()


# -- shapes, dtypes, ranges, statistics --------------------------------------------------------
SAMPLERS = {
    'uniform_': (lambda L, d: L.empty(N, dtype=d).uniform_(-2, 3), (0.5, 5 / math.sqrt(12))),
    'normal_': (lambda L, d: L.empty(N, dtype=d).normal_(1., 2.), (1., 2.)),
    'exponential_': (lambda L, d: L.empty(N, dtype=d).exponential_(2.), (0.5, 0.5)),
    'log_normal_': (lambda L, d: L.empty(N, dtype=d).log_normal_(0., 0.5),
                    (math.exp(0.125), math.sqrt((math.exp(0.25) - 1) * math.exp(0.25)))),
    'geometric_': (lambda L, d: L.empty(N, dtype=d).geometric_(0.25), (4., math.sqrt(12))),
    'bernoulli_': (lambda L, d: L.empty(N, dtype=d).bernoulli_(0.3), (0.3, math.sqrt(0.21))),
    'bernoulli': (lambda L, d: L.bernoulli(L.full((N,), 0.7, dtype=d)), (0.7, math.sqrt(0.21))),
    'poisson': (lambda L, d: L.poisson(L.full((N,), 3., dtype=d)), (3., math.sqrt(3))),
    'normal_tt': (lambda L, d: L.normal(L.full((N,), 2., dtype=d), L.full((N,), 3., dtype=d)),
                  (2., 3.)),
    'normal_tf': (lambda L, d: L.normal(L.full((N,), -1., dtype=d), 0.5), (-1., 0.5)),
    'normal_ft': (lambda L, d: L.normal(4., L.full((N,), 0.5, dtype=d)), (4., 0.5)),
    'normal_ff': (lambda L, d: L.normal(1., 2., (N,), dtype=d), (1., 2.)),
    'rand': (lambda L, d: L.rand(N, dtype=d), (0.5, 1 / math.sqrt(12))),
    'randn': (lambda L, d: L.randn(N, dtype=d), (0., 1.)),
}


@pytest.mark.parametrize('dtype', ['float32', 'float64', 'float16', 'bfloat16'])
@pytest.mark.parametrize('name', list(SAMPLERS))
def test_statistics(name, dtype):
    fn, (mean, std) = SAMPLERS[name]
    flambeau.manual_seed(0)
    t, f = both(lambda L: fn(L, getattr(L, dtype)))
    same_meta(t, f)
    m, s = stats(f)
    tol = 0.05 * max(std, 1) + (0.02 * abs(mean) if dtype == 'bfloat16' else 0)
    assert abs(m - mean) < tol, (m, mean)
    assert abs(s - std) < 0.08 * std + (0.02 if dtype == 'bfloat16' else 0), (s, std)


def test_cauchy_median_and_quartiles():
    flambeau.manual_seed(0)
    f = flambeau.empty(N).cauchy_(1., 2.).numpy()
    q1, med, q3 = np.quantile(f, [0.25, 0.5, 0.75])
    assert abs(med - 1) < 0.1 and abs(q1 - (-1)) < 0.15 and abs(q3 - 3) < 0.15


def test_ranges():
    flambeau.manual_seed(1)
    u = flambeau.empty(N).uniform_(2, 3)
    assert u.min().item() >= 2 and u.max().item() < 3
    for d in ('float16', 'bfloat16'):
        r = flambeau.rand(N, dtype=getattr(flambeau, d)).float()
        assert r.min().item() >= 0 and r.max().item() < 1
    assert (flambeau.empty(N).exponential_().numpy() >= 0).all()
    assert (flambeau.empty(N).log_normal_().numpy() > 0).all()
    g = flambeau.empty(N, dtype=flambeau.int64).geometric_(0.5)
    assert g.numpy().min() == 1 and g.dtype is flambeau.int64
    assert set(np.unique(flambeau.empty(N).bernoulli_(0.5).numpy())) == {0., 1.}
    p = flambeau.poisson(flambeau.full((N,), 2.)).numpy()
    assert (p >= 0).all() and (p == np.round(p)).all()


@pytest.mark.parametrize('dtype', ['bool', 'uint8', 'int8', 'int16', 'int32', 'int64', 'float16',
                                   'bfloat16', 'float32', 'float64'])
def test_random_default_range(dtype):
    """``random_()`` draws from [0, 2**digits] for floats, [0, max] for integer types."""
    flambeau.manual_seed(0)
    t = torch.empty(N, dtype=getattr(torch, dtype)).random_()
    f = flambeau.empty(N, dtype=getattr(flambeau, dtype)).random_()
    same_meta(t, f)
    if dtype == 'bool':
        top = 1
    elif dtype in ('float16', 'bfloat16', 'float32', 'float64'):
        top = 2 ** {'float16': 11, 'bfloat16': 8, 'float32': 24, 'float64': 53}[dtype]
    else:
        top = int(np.iinfo(dtype).max)
    a = f.double().numpy() if dtype != 'int64' else f.numpy()
    assert a.min() >= 0 and a.max() <= top
    assert a.max() > top * 0.9  # the whole range is used
    assert (a == np.round(a)).all()


@pytest.mark.parametrize('args', [(5,), (-3, 3), (0, 1), (2, None), (-(2 ** 63), None)])
def test_random_from_to(args):
    f = flambeau.empty(2000, dtype=flambeau.int64).random_(*args)
    t = torch.empty(2000, dtype=torch.int64).random_(*args)
    same_meta(t, f)
    lo, hi = (0, args[0] - 1) if len(args) == 1 else \
        (args[0], (2 ** 63 - 1 if args[1] is None else args[1] - 1))
    a = f.tolist()
    assert min(a) >= lo and max(a) <= hi
    if hi - lo < 10:
        assert set(a) == set(range(lo, hi + 1))


def test_random_float_precision_warning():
    for L in (torch, flambeau):
        with pytest.warns(UserWarning, match=r'to - 1 is out of bounds \[-\(2\^24\), 2\^24\]'):
            L.empty(3).random_(0, 2 ** 25)


def test_multinomial_frequencies():
    flambeau.manual_seed(0)
    p = flambeau.tensor([0.1, 0.2, 0.7])
    s = flambeau.multinomial(p, N, replacement=True)
    counts = np.bincount(s.numpy(), minlength=3) / N
    assert np.allclose(counts, [0.1, 0.2, 0.7], atol=0.02)
    # without replacement: the first draw follows p, and each row is a permutation
    rows = flambeau.multinomial(p.expand(4000, 3), 3)
    assert rows.shape == (4000, 3) and rows.dtype is flambeau.int64
    r = rows.numpy()
    assert (np.sort(r, axis=1) == [0, 1, 2]).all()
    first = np.bincount(r[:, 0], minlength=3) / 4000
    assert np.allclose(first, [0.1, 0.2, 0.7], atol=0.04)
    # zero-probability categories come last, never before a positive one
    z = flambeau.multinomial(flambeau.tensor([0., 1., 0., 2.]), 4).tolist()
    assert sorted(z[:2]) == [1, 3]


def test_multinomial_shapes():
    for args in [((3,), 2, False), ((4, 3), 3, False), ((2, 5), 7, True), ((5,), 1, True)]:
        shape, n, repl = args
        t, f = both(lambda L: L.multinomial(L.rand(*shape), n, repl))
        same_meta(t, f)


def test_bernoulli_tensor_p_broadcasts():
    flambeau.manual_seed(0)
    x = flambeau.empty(N, 2).bernoulli_(flambeau.tensor([0.2, 0.9]))
    m = x.numpy().mean(axis=0)
    assert abs(m[0] - 0.2) < 0.02 and abs(m[1] - 0.9) < 0.02


def test_rejects_bad_arguments():
    raises_like(lambda L: L.normal(1., 2.), 'normal() received an invalid combination')
    raises_like(lambda L: L.normal(L.zeros(3), L.tensor([1., float('nan'), 1.])),
                'normal expects all elements of std >= 0.0')
    raises_like(lambda L: L.normal(0., 1., (2,), dtype=L.int64), 'normal_kernel_cpu')
    raises_like(lambda L: L.empty(3).normal_(0., float('nan')), 'normal expects std >= 0.0')
    raises_like(lambda L: L.rand(2, dtype=L.int64), 'check_uniform_bounds')
    raises_like(lambda L: L.randn(2, dtype=L.int64), 'normal_kernel_cpu')
    raises_like(lambda L: L.rand(2, dtype=L.float64, out=L.empty(2)),
                'dtype Double does not match dtype of out parameter (Float)')
    raises_like(lambda L: L.randperm(3000, dtype=L.float16), 'n cannot be greater than 2049')
    raises_like(lambda L: L.randperm(129, dtype=L.int8), 'value cannot be converted to type')
    raises_like(lambda L: L.randperm(3, dtype=L.bool), '"randperm" not implemented for \'Bool\'')
    raises_like(lambda L: L.randint(0, 300, (2,), dtype=L.uint8),
                'to - 1 is out of bounds for unsigned char')
    raises_like(lambda L: L.randint(0, 40000, (2,), dtype=L.int16),
                'to - 1 is out of bounds for short int')
    raises_like(lambda L: L.randint(0, 5, 3))
    raises_like(lambda L: L.rand(2, generator=5))
    raises_like(lambda L: L.empty(3).random_(1.5))
    raises_like(lambda L: L.empty(3).uniform_(float('nan'), 1.), 'from is out of bounds for float')
    raises_like(lambda L: L.empty(3, dtype=L.float16).uniform_(0, 1e5),
                'to is out of bounds for c10::Half')
    raises_like(lambda L: L.empty(3).geometric_(1.5), 'geometric_ expects p to be in (0, 1)')
    raises_like(lambda L: L.multinomial(L.ones(2), 1, out=L.empty(1, dtype=L.int32)),
                'multinomial expects Long tensor out, got: Int')
    raises_like(lambda L: L.zeros(3).expand(2, 3).uniform_(),
                'more than one element of the written-to tensor refers to a single memory')
    raises_like(lambda L: L.normal(L.zeros(3, requires_grad=True), 1., out=L.empty(3)),
                "normal(): functions with out=... arguments don't support automatic "
                "differentiation")
    raises_like(lambda L: L.set_rng_state(L.zeros(3)), 'RNG state must be a torch.ByteTensor')


def test_empty_int_tensors_follow_torch():
    """PyTorch skips the dtype check of some samplers on empty tensors."""
    for fn in (lambda L: L.empty(0, dtype=L.int64).normal_(),
               lambda L: L.empty(0, dtype=L.int64).exponential_(),
               lambda L: L.empty(0, dtype=L.int64).log_normal_(),
               lambda L: L.bernoulli(L.empty(0, dtype=L.int64))):
        t, f = both(fn)
        same_meta(t, f)
    raises_like(lambda L: L.empty(0, dtype=L.int64).uniform_(), 'check_uniform_bounds')
    raises_like(lambda L: L.empty(0, dtype=L.int64).cauchy_(), 'Cauchy distribution')
    raises_like(lambda L: L.poisson(L.empty(0, dtype=L.int64)), 'poisson_cpu')


# -- factories: kwargs ----------------------------------------------------------------------------
FACTORIES = {
    'rand': lambda L, **k: L.rand(2, 3, **k),
    'randn': lambda L, **k: L.randn((2, 3), **k),
    'randint': lambda L, **k: L.randint(0, 5, (2, 3), **k),
    'randperm': lambda L, **k: L.randperm(6, **k),
    'normal': lambda L, **k: L.normal(0., 1., (2, 3), **k),
    'rand_like': lambda L, **k: L.rand_like(L.zeros(2, 3), **k),
    'randn_like': lambda L, **k: L.randn_like(L.zeros(2, 3), **k),
    'randint_like': lambda L, **k: L.randint_like(L.zeros(2, 3), 3, 6, **k),
}


@pytest.mark.parametrize('name', list(FACTORIES))
def test_factory_kwargs(name):
    fn = FACTORIES[name]
    t, f = both(lambda L: fn(L, generator=L.Generator().manual_seed(3)))
    same_meta(t, f)
    a = fn(flambeau, generator=flambeau.Generator().manual_seed(3))
    flambeau.manual_seed(5)
    b = fn(flambeau, generator=flambeau.Generator().manual_seed(3))
    assert a.tolist() == b.tolist()
    if 'like' not in name:
        dt = 'int32' if name in ('randint', 'randperm') else 'float64'
        t, f = both(lambda L: fn(L, dtype=getattr(L, dt)))
        same_meta(t, f)
        for L in (torch, flambeau):
            o = L.empty(5, dtype=getattr(L, dt))
            r = fn(L, out=o)
            assert r is o and tuple(o.shape) == ((6,) if name == 'randperm' else (2, 3))
            assert o.dtype is getattr(L, dt)


def test_factory_out_requires_grad():
    raises_like(lambda L: L.rand(2, out=L.empty(2, requires_grad=True)),
                "functions with out=... arguments don't support automatic differentiation")


# -- reproducibility ------------------------------------------------------------------------------
OPS = {
    'uniform_': lambda L, **k: L.empty(5).uniform_(**k),
    'normal_': lambda L, **k: L.empty(5).normal_(**k),
    'exponential_': lambda L, **k: L.empty(5).exponential_(**k),
    'cauchy_': lambda L, **k: L.empty(5).cauchy_(**k),
    'log_normal_': lambda L, **k: L.empty(5).log_normal_(**k),
    'geometric_': lambda L, **k: L.empty(5).geometric_(0.3, **k),
    'random_': lambda L, **k: L.empty(5).random_(0, 1000, **k),
    'bernoulli_': lambda L, **k: L.empty(50).bernoulli_(0.5, **k),
    'bernoulli': lambda L, **k: L.bernoulli(L.full((50,), 0.5), **k),
    'multinomial': lambda L, **k: L.multinomial(L.ones(10), 5, **k),
    'poisson': lambda L, **k: L.poisson(L.full((5,), 4.), **k),
    'normal': lambda L, **k: L.normal(L.zeros(5), L.ones(5), **k),
    'rand': lambda L, **k: L.rand(5, **k),
}


@pytest.mark.parametrize('name', list(OPS))
def test_reproducible(name):
    fn = OPS[name]
    flambeau.manual_seed(42)
    a, b = fn(flambeau), fn(flambeau)
    assert a.tolist() != b.tolist()
    flambeau.manual_seed(42)
    assert fn(flambeau).tolist() == a.tolist() and fn(flambeau).tolist() == b.tolist()
    # a Generator is independent of the global one
    g = flambeau.Generator().manual_seed(7)
    c = fn(flambeau, generator=g)
    flambeau.manual_seed(0)
    fn(flambeau)
    assert fn(flambeau, generator=flambeau.Generator().manual_seed(7)).tolist() == c.tolist()
    # get_rng_state / set_rng_state round trip
    state = flambeau.get_rng_state()
    d = fn(flambeau)
    flambeau.set_rng_state(state)
    assert fn(flambeau).tolist() == d.tolist()


def test_generator_state_round_trip_and_safety():
    g = flambeau.Generator().manual_seed(11)
    s = g.get_state()
    assert s.dtype is flambeau.uint8 and s.dim() == 1
    a = flambeau.rand(4, generator=g)
    assert g.set_state(s) is g and g.initial_seed() == 11
    assert flambeau.rand(4, generator=g).tolist() == a.tolist()
    # a state is data, never code: a pickle payload is rejected, not run
    import pickle
    evil = pickle.dumps((0, {}))
    with pytest.raises(RuntimeError):
        g.set_state(flambeau.tensor(list(evil), dtype=flambeau.uint8))


def test_generator_device_mismatch(fake_cuda):
    g = flambeau.Generator()
    with pytest.raises(RuntimeError, match="Expected a 'cuda' device type for generator but "
                                           "found 'cpu'"):
        flambeau.rand(2, device='cuda', generator=g)
    x = flambeau.empty(3, device='cuda').uniform_(generator=flambeau.Generator('cuda'))
    assert x.device.type == 'cuda'
    flambeau.manual_seed(3)
    a = flambeau.empty(4, device='cuda').normal_()
    flambeau.manual_seed(3)
    assert flambeau.empty(4, device='cuda').normal_().cpu().tolist() == a.cpu().tolist()
    m = flambeau.multinomial(flambeau.ones(3, device='cuda'), 2)
    assert m.device.type == 'cuda'
    d = flambeau.dropout(flambeau.ones(8, device='cuda'), 0.5, True)
    assert d.device.type == 'cuda'


# -- autograd ---------------------------------------------------------------------------------
INPLACE = {
    'uniform_': lambda y: y.uniform_(), 'normal_': lambda y: y.normal_(),
    'exponential_': lambda y: y.exponential_(), 'cauchy_': lambda y: y.cauchy_(),
    'log_normal_': lambda y: y.log_normal_(), 'geometric_': lambda y: y.geometric_(0.5),
    'random_': lambda y: y.random_(), 'random_to': lambda y: y.random_(5),
    'random_from_to': lambda y: y.random_(1, 5), 'bernoulli_': lambda y: y.bernoulli_(0.5),
}


@pytest.mark.parametrize('name', list(INPLACE))
def test_inplace_autograd(name):
    fn = INPLACE[name]
    for L in (torch, flambeau):
        a = L.ones(3, requires_grad=True)
        with pytest.raises(RuntimeError, match='a leaf Variable that requires grad is being used '
                                               'in an in-place operation.'):
            fn(a)
        with L.no_grad():
            r = fn(a)
        assert r is a and a.requires_grad and a.grad_fn is None and a._version == 1
    names = []
    for L in (torch, flambeau):
        a = L.ones(3, requires_grad=True)
        y = a * 2
        assert fn(y) is y
        names.append(type(y.grad_fn).__name__ if L is torch else y.grad_fn.name())
        y.sum().backward()
        assert a.grad.tolist() == [0., 0., 0.]
        # through a view: the base takes CopySlices
        b = a * 1
        fn(b[1:])
        assert b.grad_fn.name().rsplit('::', 1)[-1] == 'CopySlices'
    assert names[0] == names[1]


def test_sampling_grad_fns_and_zero_gradients():
    cases = {
        'normal_tt': lambda L, m, s: L.normal(m, s),
        'normal_tf': lambda L, m, s: L.normal(m, 1.),
        'normal_ft': lambda L, m, s: L.normal(0., s),
        'bernoulli': lambda L, m, s: L.bernoulli(m.sigmoid()),
        'poisson': lambda L, m, s: L.poisson(s),
        'bernoulli_tensor_p': lambda L, m, s: (m * s).bernoulli_(s.sigmoid()),
    }
    for name, fn in cases.items():
        res = []
        for L in (torch, flambeau):
            m = L.zeros(2, 1, requires_grad=True)
            s = L.ones(3, requires_grad=True)
            r = fn(L, m, s)
            grads = L.autograd.grad(r.sum(), [m, s], allow_unused=True)
            res.append((r.grad_fn.name().rsplit('::', 1)[-1],
                        [None if g is None else g.tolist() for g in grads]))
        assert res[0] == res[1], name


def test_dropout_mask_and_gradient():
    flambeau.manual_seed(0)
    x = flambeau.randn(4000, dtype=flambeau.float64, requires_grad=True)
    y = flambeau.dropout(x, 0.3, True)
    assert y.grad_fn.name() == 'MulBackward0'
    kept = (y != 0).numpy()
    assert abs(kept.mean() - 0.7) < 0.03
    assert np.allclose(y.detach().numpy()[kept], x.detach().numpy()[kept] / 0.7)
    y.backward(flambeau.ones_like(y))
    assert np.allclose(x.grad.numpy(), kept / 0.7)
    # gradient of the gradient: the mask again
    x.grad = None
    y = flambeau.dropout(x, 0.5, True)
    g, = flambeau.autograd.grad((y * y).sum(), x, create_graph=True)
    gg, = flambeau.autograd.grad(g.sum(), x)
    mask = (y != 0).numpy()
    assert np.allclose(gg.numpy(), 2 * mask * 4)


def test_dropout_variants():
    flambeau.manual_seed(0)
    x = flambeau.ones(50, 40, 3)
    y = flambeau.feature_dropout(x, 0.5, True)
    per_channel = y.numpy().reshape(50, 40, 3)
    assert (per_channel == per_channel[..., :1]).all()  # whole channels at once
    assert set(np.unique(per_channel)) <= {0., 2.}
    a = flambeau.alpha_dropout(flambeau.randn(20000), 0.2, True)
    m, s = stats(a)
    assert abs(m) < 0.05 and abs(s - 1) < 0.05  # keeps zero mean and unit variance
    t = torch.alpha_dropout(torch.ones(2000), 0.5, True)
    f = flambeau.alpha_dropout(flambeau.ones(2000), 0.5, True)
    assert set(np.round(np.unique(f.numpy()), 4)) == set(np.round(np.unique(t.numpy()), 4))
    z = flambeau.ones(3, 4)
    assert flambeau.dropout_(z, 0.5, True) is z
    assert set(np.unique(z.numpy())) <= {0., 2.}
    x = flambeau.ones(3)
    assert flambeau.dropout(x, 0.5, train=False) is x and flambeau.dropout(x, 0.) is x
    assert flambeau.dropout(x, 1., True).tolist() == [0., 0., 0.]
