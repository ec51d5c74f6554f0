"""Tensor printing: flambeau's tensor_repr must equal PyTorch's repr character for character.

Each case builds a torch tensor, wraps it in a small stand-in exposing only what
flambeau._tensor_str may use (``_host``, ``dtype``, ``device``, ``requires_grad``,
``is_leaf``, ``grad_fn``, ``shape``), and compares the two texts.
"""
import math
import zlib

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

torch = pytest.importorskip("torch")
ml_dtypes = pytest.importorskip("ml_dtypes")

from flambeau import _tensor_str, dtypes  # noqa: E402
from flambeau.device import device  # noqa: E402

DTYPE_NAMES = ['bool', 'uint8', 'int8', 'int16', 'int32', 'int64',
               'float16', 'bfloat16', 'float32', 'float64']
FLOAT_NAMES = ['float16', 'bfloat16', 'float32', 'float64']
INT_NAMES = ['uint8', 'int8', 'int16', 'int32', 'int64']


def torch_dtype(name):
    return getattr(torch, name)


class FakeTensor:
    """The part of a flambeau Tensor that printing uses, built from a torch tensor."""

    def __init__(self, t, device_str='cpu'):
        self._t = t
        self.dtype = getattr(dtypes, str(t.dtype).removeprefix('torch.'))
        self.device = device(device_str)
        self.requires_grad = t.requires_grad
        self.is_leaf = t.is_leaf
        self.grad_fn = t.grad_fn  # torch's node has the same .name() method
        self.shape = tuple(t.shape)

    def _host(self):
        t = self._t.detach()
        if t.dtype == torch.bfloat16:
            return t.view(torch.int16).numpy().view(ml_dtypes.bfloat16)
        return t.numpy()


def check(t):
    expected = repr(t)
    assert str(t) == expected
    got = _tensor_str.tensor_repr(FakeTensor(t))
    assert got == expected, f"\n--- flambeau ---\n{got}\n--- torch ---\n{expected}"


@pytest.fixture(autouse=True)
def reset_print_state():
    torch.set_printoptions(profile='default')
    _tensor_str.set_printoptions(profile='default')
    yield
    torch.set_printoptions(profile='default')
    _tensor_str.set_printoptions(profile='default')
    torch.set_default_dtype(torch.float32)
    dtypes.set_default_dtype(dtypes.float32)


def set_both(**kwargs):
    torch.set_printoptions(**kwargs)
    _tensor_str.set_printoptions(**kwargs)


# ---------------------------------------------------------------- value generators

def values(kind, shape, seed):
    """float64 values of one kind, deterministic in (kind, shape, seed)."""
    rng = np.random.default_rng(seed)
    n = math.prod(shape)
    if kind == 'small_int':
        v = rng.integers(-20, 20, n).astype(np.float64)
    elif kind == 'uniform':
        v = rng.uniform(-1, 1, n)
    elif kind == 'normal_1e3':
        v = rng.normal(0, 1e3, n)
    elif kind == 'positive':
        v = rng.uniform(0, 10, n)
    elif kind == 'wide':
        v = 10.0 ** rng.uniform(-10, 10, n) * rng.choice([-1, 1], n)
    elif kind == 'tiny':
        v = rng.uniform(-1, 1, n) * 1e-6
    elif kind == 'huge':
        v = rng.uniform(-1, 1, n) * 1e12
    elif kind == 'big_int':
        v = rng.integers(-10**9, 10**9, n).astype(np.float64) * 1000
    elif kind == 'special':
        v = rng.choice([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.5, -2.25, 3.0], n)
    elif kind == 'special_int':
        v = rng.choice([np.nan, np.inf, -np.inf, 0.0, -0.0, 7.0, -100.0], n)
    elif kind == 'zeros':
        v = np.where(rng.uniform(size=n) < 0.5, 0.0, -0.0)
    elif kind == 'nan_only':
        v = np.full(n, np.nan)
    elif kind == 'near_round':
        v = rng.choice([9.99995, 0.99995, -9.99996, 99999.5, 0.00015, 999.99999], n)
    else:
        raise ValueError(kind)
    return v.reshape(shape)


def int_values(name, shape, seed, wide):
    rng = np.random.default_rng(seed)
    if name == 'bool':
        return torch.from_numpy(rng.integers(0, 2, shape).astype(bool))
    info = np.iinfo(np.dtype(name))
    lo, hi = (info.min, info.max) if wide else (max(info.min, -30), 30)
    return torch.from_numpy(rng.integers(lo, hi, shape, dtype=np.dtype(name), endpoint=True))


def float_tensor(name, kind, shape, seed=0):
    return torch.tensor(values(kind, shape, seed), dtype=torch_dtype(name))


SHAPES = [(), (1,), (5,), (3, 4), (2, 3, 4), (2, 1, 3, 2), (30,), (7, 23),
          (25, 41), (11, 12, 13), (4, 5, 6, 7), (6, 7, 5, 9), (1001,), (2000, 1)]
FLOAT_KINDS = ['small_int', 'uniform', 'normal_1e3', 'positive', 'wide', 'tiny', 'huge',
               'big_int', 'special', 'special_int', 'zeros', 'nan_only', 'near_round']


# ---------------------------------------------------------------- values

@pytest.mark.parametrize('shape', SHAPES, ids=str)
@pytest.mark.parametrize('kind', FLOAT_KINDS)
@pytest.mark.parametrize('name', FLOAT_NAMES)
def test_float_values(name, kind, shape):
    check(float_tensor(name, kind, shape, seed=zlib.crc32(repr((kind, shape)).encode())))


@pytest.mark.parametrize('shape', SHAPES, ids=str)
@pytest.mark.parametrize('wide', [False, True], ids=['narrow', 'full_range'])
@pytest.mark.parametrize('name', INT_NAMES + ['bool'])
def test_integer_and_bool_values(name, wide, shape):
    check(int_values(name, shape, seed=len(shape) * 7 + int(wide), wide=wide))


@pytest.mark.parametrize('name', DTYPE_NAMES)
@pytest.mark.parametrize('shape', [(0,), (0, 3), (2, 0), (3, 0, 2), (0, 0, 0, 1)], ids=str)
def test_empty(name, shape):
    check(torch.zeros(shape, dtype=torch_dtype(name)))


@pytest.mark.parametrize('text', ['[]', '3.', '3', 'True', 'False', '-0.', 'float("nan")',
                                  'float("inf")', '-float("inf")', '1e-5', '123456789.',
                                  '0.1', '2.5', '[1., 2.]', '[1.5, 2.]', '[[1, 2], [3, 4]]',
                                  '[[True], [False]]', '[-0., 0.]', '[0., float("nan")]',
                                  '[1e8, 1.]', '[1e9, 1.]', '[1e-4, 1.]', '[9e-5, 1.]',
                                  '[1000., 1.]', '[1001., 1.]', '[1e300, 1e-300]',
                                  '[5e-324, 1.]', '[1e308, -1e308]', '[-1.5, float("nan")]',
                                  '[1e-4, 0.05]', '[1e-4, 0.1]', '[1e-4, 0.1000001]',
                                  '[99999999., 1e8]', '[100000001., 1e8]'])
@pytest.mark.parametrize('name', [None, 'float64', 'float16'])
def test_literals(text, name):
    # The sci-mode thresholds (ratio 1000, 1e8, 1e-4) are compared in float64.
    if name is None:
        check(torch.tensor(eval(text)))
    elif 'True' not in text and 'False' not in text:
        check(torch.tensor(eval(text), dtype=torch_dtype(name)))


@pytest.mark.parametrize('name', FLOAT_NAMES)
@pytest.mark.parametrize('value', [1.1, 2.2, -3.3333, 65504.0, 1e-7, 0.1, 1 / 3, 300.7])
def test_half_precision_exact_values(name, value):
    check(torch.tensor([value, value * 3], dtype=torch_dtype(name)))
    check(torch.tensor(value, dtype=torch_dtype(name)))


# ---------------------------------------------------------------- print options

OPTION_SETS = [
    dict(precision=0), dict(precision=1), dict(precision=2), dict(precision=6),
    dict(precision=10), dict(threshold=5), dict(threshold=0), dict(threshold=100),
    dict(edgeitems=0), dict(edgeitems=1), dict(edgeitems=2, threshold=10),
    dict(edgeitems=5, threshold=50), dict(linewidth=10), dict(linewidth=20),
    dict(linewidth=40), dict(linewidth=120), dict(linewidth=200), dict(sci_mode=True),
    dict(sci_mode=False), dict(sci_mode=True, precision=2), dict(profile='short'),
    dict(profile='full'), dict(profile='default'), dict(profile='short', precision=6),
    dict(profile='full', linewidth=50), dict(threshold=0, edgeitems=0, linewidth=30),
]
OPTION_TENSORS = [
    ('float32', 'uniform', (40,)), ('float32', 'wide', (7, 9)), ('float64', 'normal_1e3', (2, 3, 25)),
    ('float32', 'small_int', (1200,)), ('float16', 'special', (3, 30)), ('bfloat16', 'tiny', (13,)),
    ('float64', 'huge', ()), ('float32', 'zeros', (4, 4)), ('float32', 'positive', (20, 60)),
    ('float64', 'uniform', (3, 4, 5, 6)),
]


@pytest.mark.parametrize('tensor_spec', OPTION_TENSORS, ids=str)
@pytest.mark.parametrize('options', OPTION_SETS, ids=str)
def test_printoptions_float(options, tensor_spec):
    name, kind, shape = tensor_spec
    t = float_tensor(name, kind, shape, seed=3)
    set_both(**options)
    check(t)


@pytest.mark.parametrize('name', ['int64', 'int32', 'uint8', 'bool'])
@pytest.mark.parametrize('options', OPTION_SETS, ids=str)
def test_printoptions_integer(options, name):
    t = int_values(name, (9, 130), seed=5, wide=name == 'int32')
    set_both(**options)
    check(t)


def test_get_printoptions_matches_torch():
    assert _tensor_str.get_printoptions() == torch._tensor_str.get_printoptions()
    for options in OPTION_SETS:
        set_both(**options)
        assert _tensor_str.get_printoptions() == torch._tensor_str.get_printoptions()


def test_set_printoptions_resets_sci_mode():
    _tensor_str.set_printoptions(sci_mode=True)
    assert _tensor_str.get_printoptions()['sci_mode'] is True
    _tensor_str.set_printoptions(precision=3)
    assert _tensor_str.get_printoptions()['sci_mode'] is None
    assert _tensor_str.get_printoptions()['precision'] == 3


def test_unknown_profile_is_ignored_like_torch():
    set_both(profile='nonsense', precision=7)
    assert _tensor_str.get_printoptions() == torch._tensor_str.get_printoptions()


def test_printoptions_context_manager():
    t = torch.tensor([1.123456789, 2.0, 300.5])
    before = _tensor_str.get_printoptions()
    with _tensor_str.printoptions(precision=2, sci_mode=True):
        with torch._tensor_str.printoptions(precision=2, sci_mode=True):
            check(t)
        assert _tensor_str.get_printoptions()['precision'] == 2
    assert _tensor_str.get_printoptions() == before
    check(t)


def test_printoptions_restores_after_error():
    before = _tensor_str.get_printoptions()
    with pytest.raises(ZeroDivisionError):
        with _tensor_str.printoptions(threshold=3, linewidth=10):
            1 / 0
    assert _tensor_str.get_printoptions() == before


# ---------------------------------------------------------------- suffixes

@pytest.mark.parametrize('default', ['float32', 'float64'])
@pytest.mark.parametrize('name', DTYPE_NAMES)
@pytest.mark.parametrize('shape', [(), (3,), (0,), (0, 2), (2, 2)], ids=str)
def test_dtype_suffix_follows_default_dtype(default, name, shape):
    torch.set_default_dtype(torch_dtype(default))
    dtypes.set_default_dtype(getattr(dtypes, default))
    check(torch.ones(shape, dtype=torch_dtype(name)))


@pytest.mark.parametrize('name', FLOAT_NAMES)
@pytest.mark.parametrize('shape', [(), (3,), (2, 3), (0,), (0, 4), (50,), (3, 40)], ids=str)
def test_requires_grad_leaf(name, shape):
    t = float_tensor(name, 'uniform', shape).requires_grad_()
    check(t)


@pytest.mark.parametrize('op', ['mul', 'add', 'sum', 'mean', 'exp', 'matmul', 'view', 'index',
                                'neg', 'tanh', 'div'])
@pytest.mark.parametrize('name', ['float32', 'float64', 'float16'])
def test_grad_fn_suffix(op, name):
    x = float_tensor(name, 'uniform', (3, 4)).requires_grad_()
    y = {
        'mul': lambda: x * 2,
        'add': lambda: x + 1,
        'sum': lambda: x.sum(),
        'mean': lambda: x.mean(dim=0),
        'exp': lambda: x.exp(),
        'matmul': lambda: x @ x.T,
        'view': lambda: x.view(12),
        'index': lambda: x[1:],
        'neg': lambda: -x,
        'tanh': lambda: x.tanh(),
        'div': lambda: x / 3,
    }[op]()
    check(y)


@pytest.mark.parametrize('linewidth', [10, 30, 45, 60, 80])
def test_suffix_wrapping(linewidth):
    set_both(linewidth=linewidth)
    check(torch.tensor([1.5, 2.5, 3.5], dtype=torch.float16, requires_grad=True))
    check(torch.tensor([1.5, 2.5, 3.5], dtype=torch.float64, requires_grad=True) * 2)
    check(torch.zeros(0, 3, dtype=torch.int32))
    check(torch.arange(12, dtype=torch.int16).reshape(3, 4))


@pytest.mark.parametrize('shape', [(2, 3), (0,), (4,), ()], ids=str)
@pytest.mark.parametrize('name', ['float32', 'int64', 'int8', 'bool'])
def test_meta_device(shape, name):
    t = torch.empty(shape, dtype=torch_dtype(name), device='meta')
    got = _tensor_str.tensor_repr(FakeTensor(t, device_str='meta'))
    assert got == repr(t)


def torch_repr_on_device(t, device_str):
    """What torch prints for ``t`` living on ``device_str`` (no CUDA here): torch's own
    assembly with the device suffix first, as torch._tensor_str._str_intern does."""
    suffixes = [f"device='{device_str}'"]
    has_default = t.dtype in (torch.get_default_dtype(), torch.int64, torch.bool)
    if t.numel() == 0:
        if t.dim() != 1:
            suffixes.append(f'size={tuple(t.shape)}')
        if t.dtype != torch.get_default_dtype():
            suffixes.append(f'dtype={t.dtype}')
        body = '[]'
    else:
        if not torch._tensor_str.PRINT_OPTS.edgeitems:
            suffixes.append(f'size={tuple(t.shape)}')
        if not has_default:
            suffixes.append(f'dtype={t.dtype}')
        body = torch._tensor_str._tensor_str(t.detach(), len('tensor('))
    if t.grad_fn is not None:
        suffixes.append(f'grad_fn=<{type(t.grad_fn).__name__}>')
    elif t.requires_grad:
        suffixes.append('requires_grad=True')
    return torch._tensor_str._add_suffixes('tensor(' + body, suffixes, len('tensor('), False)


@pytest.mark.parametrize('device_str', ['cuda:0', 'cuda:1'])
@pytest.mark.parametrize('case', ['float', 'int32', 'grad', 'graph', 'empty', 'scalar', 'long'])
def test_cuda_device_suffix(device_str, case):
    t = {
        'float': lambda: torch.tensor([1.0, 2.0]),
        'int32': lambda: torch.tensor([[1, 2], [3, 4]], dtype=torch.int32),
        'grad': lambda: torch.tensor([1.5, -2.0], dtype=torch.float16, requires_grad=True),
        'graph': lambda: torch.tensor([1.5, -2.0], requires_grad=True) * 2,
        'empty': lambda: torch.zeros(0, 5, dtype=torch.uint8),
        'scalar': lambda: torch.tensor(3.5),
        'long': lambda: torch.linspace(0, 1, 15, dtype=torch.float64),
    }[case]()
    expected = torch_repr_on_device(t, device_str)
    assert _tensor_str.tensor_repr(FakeTensor(t, device_str)) == expected
    if case == 'float':
        assert expected == "tensor([1., 2.], device='cuda:0')" or device_str != 'cuda:0'


def test_cuda_reference_assembly_agrees_with_torch_on_cpu():
    # The hand-assembled reference above, minus the device, is torch's repr.
    t = torch.tensor([1.5, -2.0], dtype=torch.float16, requires_grad=True)
    assert torch_repr_on_device(t, 'x').replace("device='x', ", '') == repr(t)


# ---------------------------------------------------------------- random sweep

@pytest.mark.parametrize('seed', range(60))
def test_random_sweep(seed):
    rng = np.random.default_rng(1000 + seed)
    name = DTYPE_NAMES[seed % len(DTYPE_NAMES)]
    ndim = int(rng.integers(0, 5))
    shape = tuple(int(n) for n in rng.integers(1, 9, ndim))
    options = dict(precision=int(rng.integers(0, 8)), threshold=int(rng.integers(0, 300)),
                   edgeitems=int(rng.integers(0, 4)), linewidth=int(rng.integers(15, 150)),
                   sci_mode=[None, None, True, False][seed % 4])
    if name in FLOAT_NAMES:
        t = float_tensor(name, FLOAT_KINDS[seed % len(FLOAT_KINDS)], shape, seed)
        if seed % 3 == 0:
            t.requires_grad_()
    else:
        t = int_values(name, shape, seed, wide=seed % 2 == 0)
    set_both(**options)
    check(t)


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_hypothesis_float_arrays(data):
    name = data.draw(st.sampled_from(FLOAT_NAMES + INT_NAMES + ['bool']))
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=6))
    if name in FLOAT_NAMES:
        elements = st.floats(allow_nan=True, allow_infinity=True, width=64)
        array = data.draw(hnp.arrays(np.float64, shape, elements=elements))
        t = torch.tensor(array, dtype=torch_dtype(name))
    else:
        t = torch.from_numpy(data.draw(hnp.arrays(np.dtype(name), shape)))
    set_both(precision=data.draw(st.integers(0, 8)),
             threshold=data.draw(st.sampled_from([0, 10, 100, 1000])),
             edgeitems=data.draw(st.integers(0, 3)),
             linewidth=data.draw(st.integers(10, 120)),
             sci_mode=data.draw(st.sampled_from([None, True, False])))
    check(t)


def test_large_tensor_is_printed_quickly():
    import time
    t = torch.from_numpy(np.random.default_rng(0).normal(size=(2000, 3000)).astype(np.float32))
    start = time.perf_counter()
    text = _tensor_str.tensor_repr(FakeTensor(t))
    assert time.perf_counter() - start < 1.0
    assert text == repr(t)
