"""Tensors: creation functions, attributes, conversions and their errors, views sharing memory
and version counters, clone/detach/requires_grad_, pickling and deepcopy. Each case runs the
same code in torch and flambeau (``check``) and compares results or exceptions."""
import copy
import io
import pickle
import warnings

import numpy as np
import pytest

torch = pytest.importorskip('torch')

import flambeau  # noqa: E402
from core_helpers import DTYPE_NAMES, assert_same, check, outcome  # noqa: E402

SIZES = {
    'args': lambda f: f(2, 3),
    'tuple': lambda f: f((2, 3)),
    'list': lambda f: f([2, 3]),
    'one': lambda f: f(4),
    'scalar_tuple': lambda f: f(()),
    'zero': lambda f: f(0),
    'zero_dim': lambda f: f(2, 0),
    'one_tuple': lambda f: f((3,)),
}


# -- creation ----------------------------------------------------------------------------
TENSOR_DATA = {
    'float_list': [1.5, 2, 3],
    'int_list': [1, 2, 3],
    'bool_list': [True, False],
    'mixed_bool_int': [True, 2],
    'nested': [[1, 2], [3, 4]],
    'nested_tuple': ((1., 2.), (3., 4.)),
    'deep': [[[1], [2]], [[3], [4]]],
    'scalar_float': 2.5,
    'scalar_int': 7,
    'scalar_bool': True,
    'empty': [],
    'empty_nested': [[]],
    'empty_nested2': [[], []],
    'big_int': [2 ** 40],
    'negative': [-1, -2.5],
    'ragged': [[1, 2], [3]],
    'ragged_deep': [[[1, 2]], [[3]]],
    'string': 'a',
    'mixed_string': [1, 'a'],
    'none': None,
    'np_float64': np.array([1.5, 2.5]),
    'np_float32': np.array([1.5, 2.5], dtype=np.float32),
    'np_float16': np.array([1.5, 2.5], dtype=np.float16),
    'np_int32': np.array([[1, 2]], dtype=np.int32),
    'np_uint8': np.array([1, 255], dtype=np.uint8),
    'np_int8': np.array([-1, 2], dtype=np.int8),
    'np_int16': np.array([-1, 2], dtype=np.int16),
    'np_bool': np.array([True, False]),
    'np_scalar_f64': np.float64(2.5),
    'np_scalar_i64': np.int64(3),
    'np_scalar_f32': np.float32(2.5),
    'list_of_np_scalars': [np.float32(1.5), np.float32(2.5)],
    'np_0d': np.array(3.5),
    'np_noncontig': np.arange(12.).reshape(3, 4)[:, ::2],
}


@pytest.mark.parametrize('case', list(TENSOR_DATA))
def test_tensor_from_data(case):
    data = TENSOR_DATA[case]
    check(lambda L: L.tensor(data))


@pytest.mark.parametrize('dtype', DTYPE_NAMES)
@pytest.mark.parametrize('data', [[1.7, -2.2, 0.], [[1, 0], [3, 4]], 5, [True, False]],
                         ids=['floats', 'ints', 'scalar', 'bools'])
def test_tensor_with_dtype(dtype, data):
    if dtype == 'uint8' and data == [1.7, -2.2, 0.]:
        data = [1.7, 2.2, 0.]  # negative float -> uint8 is undefined behaviour in C++
    check(lambda L: L.tensor(data, dtype=getattr(L, dtype)))


def test_tensor_from_0d_tensors_and_tensor_lists():
    check(lambda L: L.tensor([L.tensor(1.5), L.tensor(2.)]))
    check(lambda L: L.tensor([L.tensor(1), L.tensor(2)]))
    check(lambda L: L.tensor([L.tensor(1), 2.5]))


def test_tensor_copies():
    a = np.array([1., 2.])
    t = flambeau.tensor(a)
    a[0] = 9
    assert t.tolist() == [1., 2.]
    src = flambeau.tensor([1., 2.], requires_grad=True)
    with pytest.warns(UserWarning, match='sourceTensor.detach'):
        c = flambeau.tensor(src)
    assert not c.requires_grad and c.is_leaf
    c.fill_(0)
    assert src.tolist() == [1., 2.]


def test_tensor_requires_grad_kwarg():
    check(lambda L: L.tensor([1., 2.], requires_grad=True).requires_grad)
    check(lambda L: L.tensor([1., 2.], requires_grad=True).is_leaf)
    check(lambda L: L.tensor([1, 2], requires_grad=True))
    check(lambda L: L.tensor([1, 2], dtype=L.float64, requires_grad=True).grad_fn)


def test_as_tensor():
    a = np.array([1., 2.])
    t = flambeau.as_tensor(a)
    a[0] = 5
    assert t.tolist() == [5., 2.]
    t[1] = 7
    assert a.tolist() == [5., 7.]
    x = flambeau.tensor([1, 2])
    assert flambeau.as_tensor(x) is x
    assert flambeau.asarray(x) is x
    check(lambda L: L.as_tensor([1, 2], dtype=L.float64))
    check(lambda L: L.as_tensor(np.array([1, 2]), dtype=L.float32))
    check(lambda L: L.as_tensor(L.tensor([1, 2]), dtype=L.float16))
    b = np.array([1, 2])
    c = flambeau.as_tensor(b, dtype=flambeau.float32)  # a conversion copies
    c[0] = 10
    assert b.tolist() == [1, 2]


@pytest.mark.parametrize('dtype', ['float64', 'float32', 'float16', 'int64', 'int32', 'int16',
                                   'int8', 'uint8', 'bool'])
def test_from_numpy_shares_memory_both_ways(dtype):
    a = np.arange(6).reshape(2, 3).astype(dtype)
    t, r = flambeau.from_numpy(a), torch.from_numpy(a.copy())
    assert_same(t, r)
    a[0, 0] = 1
    assert t[0, 0].item() == a[0, 0]
    t[1, 2] = 0
    assert a[1, 2] == 0
    assert t.numpy() is a or np.shares_memory(t.numpy(), a)


def test_from_numpy_non_contiguous_and_views():
    a = np.arange(12.).reshape(3, 4)
    v = a[:, 1::2]
    t = flambeau.from_numpy(v)
    r = torch.from_numpy(v)
    assert t.stride() == r.stride() and t.is_contiguous() == r.is_contiguous()
    t.mul_(2)
    assert a[0, 1] == 2. and a[0, 0] == 0.


def test_from_numpy_errors():
    check(lambda L: L.from_numpy([1, 2]))
    check(lambda L: L.from_numpy(np.arange(3)[::-1]))


@pytest.mark.parametrize('fn', ['zeros', 'ones', 'empty'])
@pytest.mark.parametrize('form', list(SIZES))
def test_filled_sizes(fn, form):
    def make(L):
        t = SIZES[form](getattr(L, fn))
        return t.shape if fn == 'empty' else t
    check(make)
    check(lambda L: SIZES[form](getattr(L, fn)).dtype)


@pytest.mark.parametrize('fn', ['zeros', 'ones', 'empty', 'rand', 'randn'])
def test_filled_kwargs(fn):
    for dt in ('float64', 'float16', 'bfloat16'):
        check(lambda L: getattr(L, fn)(2, dtype=getattr(L, dt)).dtype)
    check(lambda L: getattr(L, fn)(2, 3, requires_grad=True).requires_grad)
    check(lambda L: getattr(L, fn)((2,), device='cpu').device)
    check(lambda L: getattr(L, fn)(L.Size([2, 3])).shape)
    check(lambda L: getattr(L, fn)(2, -1))
    check(lambda L: getattr(L, fn)(2, dtype=L.int64, requires_grad=True), match_prefix=True)


def test_negative_sizes():
    for fn in ('zeros', 'ones', 'empty'):
        kind, msg = outcome(lambda: getattr(flambeau, fn)(-1))
        assert kind is RuntimeError, (kind, msg)
    check(lambda L: L.zeros(2, -1))


@pytest.mark.parametrize('value', [1.5, 7, True, -2, 0.0])
@pytest.mark.parametrize('dtype', [None, 'float64', 'int32', 'bool', 'float16'])
def test_full(value, dtype):
    kw = {} if dtype is None else {'dtype': dtype}
    check(lambda L: L.full((2, 3), value, **{k: getattr(L, v) for k, v in kw.items()}))
    check(lambda L: L.full([2], value, **{k: getattr(L, v) for k, v in kw.items()}))
    check(lambda L: L.full((), value, **{k: getattr(L, v) for k, v in kw.items()}))


LIKE_INPUTS = {
    'float': lambda L: L.tensor([[1.5, 2.], [3., 4.]]),
    'int32': lambda L: L.tensor([1, 2, 3], dtype=L.int32),
    'bool': lambda L: L.tensor([True, False]),
    'float64_0d': lambda L: L.tensor(1.5, dtype=L.float64),
    'requires_grad': lambda L: L.ones(2, requires_grad=True),
    'view': lambda L: L.ones(4, 3).t(),
}


@pytest.mark.parametrize('inp', list(LIKE_INPUTS))
def test_like_functions(inp):
    x = LIKE_INPUTS[inp]
    check(lambda L: L.zeros_like(x(L)))
    check(lambda L: L.ones_like(x(L)))
    check(lambda L: L.full_like(x(L), 2.5))
    check(lambda L: L.full_like(x(L), 3))
    check(lambda L: L.empty_like(x(L)).shape)
    check(lambda L: L.empty_like(x(L)).dtype)
    check(lambda L: L.zeros_like(x(L), dtype=L.float64))
    check(lambda L: L.ones_like(x(L)).requires_grad)
    check(lambda L: L.ones_like(x(L), dtype=L.float32, requires_grad=True).requires_grad)
    check(lambda L: L.rand_like(x(L).float()).dtype)
    check(lambda L: L.randn_like(x(L).double()).shape)
    check(lambda L: L.randint_like(x(L), 5).dtype)
    check(lambda L: x(L).new_zeros(2))
    check(lambda L: x(L).new_ones((2, 1)))
    check(lambda L: x(L).new_full((2,), 3))
    check(lambda L: x(L).new_empty(2).dtype)
    check(lambda L: x(L).new_tensor([1, 2]))
    check(lambda L: x(L).new_zeros(2, dtype=L.int8))
    check(lambda L: x(L).new_ones(2).requires_grad)


ARANGE = [(5,), (0,), (1, 10, 3), (10, 1, -2), (0, -1, -0.25), (1, 2.5, 0.5), (0, 1, 0.1),
          (2.5,), (-3, 3), (0, 1, 1 / 3), (1., 4.), (0, 10, 2.5), (5, 5), (-1.5, 1.5, 0.5),
          (0, 0.3, 0.1), (10, 0, -3)]


@pytest.mark.parametrize('args', ARANGE, ids=str)
def test_arange(args):
    check(lambda L: L.arange(*args))


@pytest.mark.parametrize('dtype', ['float64', 'float32', 'int32', 'int8', 'float16', 'int64'])
def test_arange_dtype(dtype):
    check(lambda L: L.arange(0, 10, 3, dtype=getattr(L, dtype)))
    check(lambda L: L.arange(5, dtype=getattr(L, dtype), requires_grad=False))


def test_arange_tensor_arguments_and_errors():
    check(lambda L: L.arange(L.tensor(4)))
    check(lambda L: L.arange(L.tensor(1.), L.tensor(3.)))
    check(lambda L: L.arange(0, 1, 0))
    check(lambda L: L.arange(0, 1, -1))
    check(lambda L: L.arange(1, 0))
    check(lambda L: L.arange(3, requires_grad=True, dtype=L.float32).requires_grad)


@pytest.mark.parametrize('args', [(0, 1, 5), (-1, 1, 4), (0, 10, 1), (0, 10, 0), (3, 3, 5),
                                  (1, -1, 7), (0., 1., 11), (-5, 5, 100), (2, 3, 2)], ids=str)
def test_linspace(args):
    check(lambda L: L.linspace(*args))
    check(lambda L: L.linspace(*args, dtype=L.float64))


def test_linspace_int_dtype_and_errors():
    check(lambda L: L.linspace(0, 10, 4, dtype=L.int64))
    check(lambda L: L.linspace(-3, 10, 6, dtype=L.int32))
    check(lambda L: L.linspace(0, 1, -1))
    check(lambda L: L.linspace(L.tensor(0.), L.tensor(1.), 3))


@pytest.mark.parametrize('args', [(3,), (2, 4), (4, 2), (0,), (1,)], ids=str)
def test_eye(args):
    check(lambda L: L.eye(*args))
    check(lambda L: L.eye(*args, dtype=L.int64))
    check(lambda L: L.eye(*args, dtype=L.bool))
    check(lambda L: L.eye(*args, requires_grad=True).requires_grad)


def test_Tensor_constructor():
    check(lambda L: L.Tensor([1, 2]))
    check(lambda L: L.Tensor([[1.5]]))
    check(lambda L: L.Tensor(2, 3).shape)
    check(lambda L: L.Tensor(2, 3).dtype)
    check(lambda L: L.Tensor().shape if L is torch else L.Tensor(0).shape)


# -- random ------------------------------------------------------------------------------
RANDOM = {
    'rand': lambda L, **kw: L.rand(3, 4, **kw),
    'randn': lambda L, **kw: L.randn((3, 4), **kw),
    'randint': lambda L, **kw: L.randint(0, 10, (20,), **kw),
    'randint_high': lambda L, **kw: L.randint(5, (2, 3), **kw),
    'randint_neg': lambda L, **kw: L.randint(-5, -2, (50,), **kw),
    'randperm': lambda L, **kw: L.randperm(10, **kw),
}


@pytest.mark.parametrize('name', list(RANDOM))
def test_random_shapes_and_dtypes(name):
    fn = RANDOM[name]
    t, f = fn(torch), fn(flambeau)
    assert f.shape == tuple(t.shape) and f.dtype.name == str(t.dtype)[6:]
    assert not f.requires_grad and f.is_leaf


@pytest.mark.parametrize('name', list(RANDOM))
def test_manual_seed_reproducibility(name):
    fn = RANDOM[name]
    flambeau.manual_seed(123)
    a = fn(flambeau)
    b = fn(flambeau)
    flambeau.manual_seed(123)
    assert fn(flambeau).tolist() == a.tolist()
    assert fn(flambeau).tolist() == b.tolist()
    assert a.tolist() != b.tolist()
    g = flambeau.Generator().manual_seed(7)
    c = fn(flambeau, generator=g)
    flambeau.manual_seed(7)
    fn(flambeau)  # the global generator does not affect g
    assert fn(flambeau, generator=flambeau.Generator().manual_seed(7)).tolist() == c.tolist()


def test_random_value_ranges():
    flambeau.manual_seed(0)
    r = flambeau.rand(10000)
    assert 0 <= r.min().item() and r.max().item() < 1
    assert abs(r.mean().item() - 0.5) < 0.02
    n = flambeau.randn(10000, dtype=flambeau.float64)
    assert abs(n.mean().item()) < 0.05 and abs((n * n).mean().item() - 1) < 0.05
    i = flambeau.randint(-5, -2, (1000,))
    assert set(i.tolist()) == {-5, -4, -3}
    p = flambeau.randperm(50)
    assert sorted(p.tolist()) == list(range(50))
    assert flambeau.randperm(0).tolist() == []


def test_random_dtype_kwargs_and_errors():
    for dt in ('float64', 'float16', 'bfloat16'):
        check(lambda L: L.rand(2, dtype=getattr(L, dt)).dtype)
        check(lambda L: L.randn(2, dtype=getattr(L, dt)).dtype)
    for dt in ('int32', 'uint8', 'int16', 'float32'):
        check(lambda L: L.randint(0, 3, (2,), dtype=getattr(L, dt)).dtype)
        check(lambda L: L.randperm(4, dtype=getattr(L, dt)).dtype)
    check(lambda L: L.rand(2, requires_grad=True).requires_grad)
    check(lambda L: L.randint(5, 3, (2,)))
    check(lambda L: L.randint(3, 3, (2,)))
    for fn in ('rand', 'randn'):
        kind, msg = outcome(lambda: getattr(flambeau, fn)(2, dtype=flambeau.int64))
        tk, tm = outcome(lambda: getattr(torch, fn)(2, dtype=torch.int64))
        assert issubclass(kind, tk) or kind is RuntimeError and tk is NotImplementedError, (
            kind, tk)
        assert msg == tm


def test_generator_api():
    g = flambeau.Generator()
    assert g.device == flambeau.device('cpu')
    assert g.manual_seed(5) is g and g.initial_seed() == 5
    state = g.get_state()
    assert isinstance(state, flambeau.Tensor) and state.dtype is flambeau.uint8
    a = flambeau.rand(4, generator=g)
    g.set_state(state)
    assert flambeau.rand(4, generator=g).tolist() == a.tolist()
    assert flambeau.manual_seed(3) is flambeau.default_generator
    assert flambeau.initial_seed() == 3
    s = flambeau.get_rng_state()
    b = flambeau.randn(3)
    flambeau.set_rng_state(s)
    assert flambeau.randn(3).tolist() == b.tolist()
    tg = torch.Generator()
    assert tg.manual_seed(2 ** 64 - 1).initial_seed() == g.manual_seed(2 ** 64 - 1).initial_seed()
    assert tg.manual_seed(-1).initial_seed() == g.manual_seed(-1).initial_seed()


# -- attributes --------------------------------------------------------------------------
ATTR_TENSORS = {
    '0d': lambda L: L.tensor(1.5),
    '1d': lambda L: L.arange(6.),
    '2d': lambda L: L.arange(12.).reshape(3, 4),
    '3d': lambda L: L.arange(24, dtype=L.int32).reshape(2, 3, 4),
    'transposed': lambda L: L.arange(12.).reshape(3, 4).t(),
    'sliced': lambda L: L.arange(24.).reshape(4, 6)[1:, ::2],
    'expanded': lambda L: L.arange(3.).expand(2, 3),
    'unsqueezed': lambda L: L.arange(3.).unsqueeze(1),
    'empty': lambda L: L.zeros(0, 3),
    'permuted': lambda L: L.arange(24.).reshape(2, 3, 4).permute(2, 0, 1),
    'bool': lambda L: L.tensor([[True, False]]),
    'half': lambda L: L.ones(2, 3, dtype=L.float16),
    'narrowed': lambda L: L.arange(10.).narrow(0, 2, 5),
    'selected': lambda L: L.arange(12.).reshape(3, 4).select(1, 2),
    'diag_like_step': lambda L: L.arange(16.).reshape(4, 4)[::2, 1::2],
}

ATTRS = {
    'shape': lambda x: x.shape,
    'size': lambda x: x.size(),
    'size_0': lambda x: x.size(0),
    'size_-1': lambda x: x.size(-1),
    'size_bad': lambda x: x.size(5),
    'dim': lambda x: x.dim(),
    'ndim': lambda x: x.ndim,
    'ndimension': lambda x: x.ndimension(),
    'numel': lambda x: x.numel(),
    'nelement': lambda x: x.nelement(),
    'dtype': lambda x: x.dtype,
    'device': lambda x: x.device,
    'is_leaf': lambda x: x.is_leaf,
    'requires_grad': lambda x: x.requires_grad,
    'grad_fn': lambda x: x.grad_fn,
    'stride': lambda x: x.stride(),
    'stride_0': lambda x: x.stride(0),
    'is_contiguous': lambda x: x.is_contiguous(),
    'contiguous': lambda x: x.contiguous(),
    'contiguous_stride': lambda x: x.contiguous().stride(),
    'contiguous_is_self': lambda x: x.contiguous() is x,
    'element_size': lambda x: x.element_size(),
    'itemsize': lambda x: x.itemsize,
    'nbytes': lambda x: x.nbytes,
    'storage_offset': lambda x: x.storage_offset(),
    'T': lambda x: x.T if x.ndim <= 2 else x.permute(*range(x.ndim - 1, -1, -1)),
    'mT': lambda x: x.mT,
    'mT_stride': lambda x: x.mT.stride(),
    'is_floating_point': lambda x: x.is_floating_point(),
    'is_signed': lambda x: x.is_signed(),
    'is_complex': lambda x: x.is_complex(),
    'is_cuda': lambda x: x.is_cuda,
    'get_device': lambda x: x.get_device(),
    'type': lambda x: x.type(),
    'len': lambda x: len(x),
    'output_nr': lambda x: x.output_nr,
    'retains_grad': lambda x: x.retains_grad,
    'version': lambda x: x._version,
}


# Left out: the strides of a transposed empty tensor (NumPy gives empty arrays zero strides,
# flambeau reports those of a contiguous tensor).
@pytest.mark.parametrize('name,attr', [(n, a) for n in ATTR_TENSORS for a in ATTRS
                                       if (n, a) != ('empty', 'mT_stride')])
def test_attributes(name, attr):
    make, get = ATTR_TENSORS[name], ATTRS[attr]
    check(lambda L: get(make(L)))


def test_T_and_mT_warnings():
    """torch warns once per process (a C++ warn-once); flambeau warns on each use."""
    for make, attr in ((lambda L: L.ones(2, 3, 4), 'T'), (lambda L: L.ones(3), 'T'),
                       (lambda L: L.tensor(1.), 'T'), (lambda L: L.tensor(1.), 'mT'),
                       (lambda L: L.tensor(1.), 'mH'), (lambda L: L.tensor(1.), 'H')):
        with pytest.warns(UserWarning) as rec:
            r = getattr(make(flambeau), attr)
        with warnings.catch_warnings(record=True) as trec:
            warnings.simplefilter('always')
            t = getattr(make(torch), attr)
        assert_same(r, t)
        if trec:  # the first time in this process
            assert str(trec[0].message).startswith(str(rec[0].message))
    check(lambda L: L.ones(2, 3, 4).H)
    check(lambda L: L.ones(3).H)
    check(lambda L: L.ones(3).mH)
    check(lambda L: L.ones(2, 3).H)
    check(lambda L: L.ones(2, 3, 4).mH)


def test_Size():
    check(lambda L: L.Size([2, 3]))
    check(lambda L: L.zeros(2, 3, 4).shape[1:])
    check(lambda L: L.zeros(2, 3, 4).shape[1])
    check(lambda L: L.zeros(2, 3).shape + (4,))
    check(lambda L: L.zeros(2, 3).shape.numel())
    check(lambda L: repr(L.zeros(2, 3).shape))
    check(lambda L: str(L.zeros(0).shape))
    check(lambda L: L.zeros(2, 3).shape == (2, 3))
    assert pickle.loads(pickle.dumps(flambeau.Size([1, 2]))) == flambeau.Size([1, 2])
    assert isinstance(pickle.loads(pickle.dumps(flambeau.Size([1, 2]))), flambeau.Size)


# -- conversions --------------------------------------------------------------------------
CONVERSIONS = {
    'float': lambda x: x.float(),
    'double': lambda x: x.double(),
    'half': lambda x: x.half(),
    'bfloat16': lambda x: x.bfloat16(),
    'long': lambda x: x.long(),
    'int': lambda x: x.int(),
    'short': lambda x: x.short(),
    'char': lambda x: x.char(),
    'byte': lambda x: (x * x).byte(),
    'bool': lambda x: x.bool(),
    'to_dtype': lambda x: x.to(torch.float64) if isinstance(x, torch.Tensor)
    else x.to(flambeau.float64),
    'to_kw': lambda x: x.to(dtype=torch.int32) if isinstance(x, torch.Tensor)
    else x.to(dtype=flambeau.int32),
    'to_device_dtype': lambda x: x.to('cpu', torch.float16) if isinstance(x, torch.Tensor)
    else x.to('cpu', flambeau.float16),
    'to_same': lambda x: x.to(x.dtype) is x,
    'to_copy': lambda x: x.to(x.dtype, copy=True) is x,
    'to_other': lambda x: x.to(x.new_zeros(1, dtype=torch.int8) if isinstance(x, torch.Tensor)
                               else x.new_zeros(1, dtype=flambeau.int8)),
    'type_as': lambda x: x.type_as(x.new_zeros(1, dtype=torch.float64)
                                   if isinstance(x, torch.Tensor)
                                   else x.new_zeros(1, dtype=flambeau.float64)),
    'type_str': lambda x: x.type('torch.DoubleTensor'),
    'type_dtype': lambda x: x.type(torch.int16 if isinstance(x, torch.Tensor) else flambeau.int16),
    'float_is_self': lambda x: x.float() is x,
    'tolist': lambda x: x.tolist(),
    'numpy': lambda x: x.numpy(),
    'array': lambda x: np.asarray(x),
    'array_dtype': lambda x: np.array(x, dtype=np.float64),
    'item': lambda x: x.item(),
    'float()': lambda x: float(x),
    'int()': lambda x: int(x),
    'bool()': lambda x: bool(x),
    'index': lambda x: x.__index__(),
    'range': lambda x: list(range(x)) if x.numel() == 1 and not x.is_floating_point()
    else x.__index__(),
    'complex()': lambda x: complex(x),
    'len': lambda x: len(x),
    'iter': lambda x: [v for v in x],
    'iter_list': lambda x: list(x),
    'format': lambda x: f'{x:.2f}' if x.ndim == 0 else f'{x}',
    'contains': lambda x: 2 in x,
}

CONV_INPUTS = {
    'float': lambda L: L.tensor([1.7, -2.5, 3.]),
    'float_2d': lambda L: L.tensor([[1.5, 2.], [3., -4.]]),
    'float_0d': lambda L: L.tensor(-2.5),
    'float_1el': lambda L: L.tensor([[2.75]]),
    'int_0d': lambda L: L.tensor(3),
    'int': lambda L: L.tensor([1, 2, 0]),
    'bool_0d': lambda L: L.tensor(True),
    'bool': lambda L: L.tensor([True, False]),
    'uint8_0d': lambda L: L.tensor(200, dtype=L.uint8),
    'half': lambda L: L.tensor([1.5, 2.25], dtype=L.float16),
    'bf16_0d': lambda L: L.tensor(1.5, dtype=L.bfloat16),
    'double_1el': lambda L: L.tensor([0.1], dtype=L.float64),
    'empty': lambda L: L.zeros(0),
    'requires_grad': lambda L: L.tensor([1., 2.], requires_grad=True),
    'requires_grad_0d': lambda L: L.tensor(2., requires_grad=True),
}


@pytest.mark.parametrize('conv', list(CONVERSIONS))
@pytest.mark.parametrize('inp', list(CONV_INPUTS))
def test_conversions(inp, conv):
    make, fn = CONV_INPUTS[inp], CONVERSIONS[conv]
    check(lambda L: fn(make(L)))


def test_numpy_shares_memory():
    x = flambeau.zeros(3)
    a = x.numpy()
    a[0] = 5
    assert x[0].item() == 5
    x[1] = 7
    assert a[1] == 7
    x.add_(1)
    assert a.tolist() == [6., 8., 1.]
    v = x[1:].numpy()
    v[0] = -1
    assert x[1].item() == -1
    d = flambeau.ones(2, requires_grad=True)
    assert d.detach().numpy().tolist() == [1., 1.]
    forced = d.numpy(force=True)
    forced[0] = 3
    assert d.detach().tolist()[0] == 3.0  # force=True shares memory for CPU tensors, as torch
    tt = torch.ones(2, requires_grad=True)
    tt.numpy(force=True)[0] = 3
    assert tt.tolist()[0] == 3.0


def test_conversion_gradients():
    check(lambda L: L.tensor([1., 2.], requires_grad=True).double().grad_fn.name())
    for conv in ('double', 'half', 'float', 'long', 'int', 'bool'):
        check(lambda L: getattr(L.tensor([1., 2.], requires_grad=True), conv)().requires_grad)
    tx = torch.tensor([1., 2.], requires_grad=True)
    (tx.double() ** 2).sum().backward()
    x = flambeau.tensor([1., 2.], requires_grad=True)
    (x.double() ** 2).sum().backward()
    assert_same(x.grad, tx.grad)


# -- views, memory and version counters ---------------------------------------------------
VIEW_FNS = {
    'slice': lambda x: x[1:],
    'index': lambda x: x[1],
    'step': lambda x: x[::2],
    'view': lambda x: x.view(-1),
    'reshape': lambda x: x.reshape(2, -1),
    't': lambda x: x.t(),
    'transpose': lambda x: x.transpose(0, 1),
    'permute': lambda x: x.permute(1, 0),
    'unsqueeze': lambda x: x.unsqueeze(0),
    'squeeze': lambda x: x.unsqueeze(0).squeeze(0),
    'expand': lambda x: x[:1].expand(3, 4),
    'narrow': lambda x: x.narrow(1, 1, 2),
    'select': lambda x: x.select(1, 2),
    'detach': lambda x: x.detach(),
    'unbind': lambda x: x.unbind(0)[1],
    'split': lambda x: x.split(2, dim=1)[1],
    'chunk': lambda x: x.chunk(2)[0],
    'flatten': lambda x: x.flatten(),
    'unflatten': lambda x: x.unflatten(1, (2, 2)),
    'mT': lambda x: x.mT,
    'T': lambda x: x.T,
    'view_as': lambda x: x.view_as(x),
    'movedim': lambda x: x.movedim(0, 1),
    'ellipsis': lambda x: x[..., 1],
    'none': lambda x: x[None],
}

INPLACE = {
    'add_': lambda v: v.add_(1),
    'mul_': lambda v: v.mul_(2),
    'sub_': lambda v: v.sub_(1, alpha=2),
    'div_': lambda v: v.div_(2),
    'iadd': lambda v: v.__iadd__(3),
    'fill_': lambda v: v.fill_(7),
    'zero_': lambda v: v.zero_(),
    'copy_': lambda v: v.copy_(v * 0 + 5),
    'setitem': lambda v: v.__setitem__(0, 9),
    'setitem_all': lambda v: v.__setitem__(Ellipsis, -1),
    'exp_': lambda v: v.exp_(),
    'clamp_': lambda v: v.clamp_(0, 3),
    'neg_': lambda v: v.neg_(),
}


@pytest.mark.parametrize('op', list(INPLACE))
@pytest.mark.parametrize('view', list(VIEW_FNS))
def test_views_share_memory_and_version(view, op):
    def run(L):
        base = L.arange(12.).reshape(3, 4)
        v = VIEW_FNS[view](base)
        v2 = VIEW_FNS[view](base)  # a sibling view
        versions = [(base._version, v._version, v2._version)]
        INPLACE[op](v)
        versions.append((base._version, v._version, v2._version))
        base.add_(1)
        versions.append((base._version, v._version, v2._version))
        return base, v, v2, versions
    f, t = check(run)
    if t is not None:  # (writing into an expanded tensor raises, in both)
        assert f[3] == t[3]


def test_data_has_its_own_version_counter():
    def run(L):
        x = L.zeros(3, requires_grad=True)
        d = x.data
        out = [(x._version, d._version)]
        d.add_(1)
        out.append((x._version, d._version))
        y = x.detach()
        y.add_(1)
        out.append((x._version, d._version, y._version))
        return out, x.data
    check(run)


def test_version_counter_sequences():
    def run(L):
        x = L.zeros(4)
        seen = [x._version]
        x += 1
        seen.append(x._version)
        x[0] = 2
        seen.append(x._version)
        x[[1, 2]] = 3  # an advanced-index write
        seen.append(x._version)
        x[x > 2] = 0
        seen.append(x._version)
        y = x + 1  # out-of-place: a fresh counter
        seen.append((x._version, y._version))
        x.copy_(y)
        seen.append(x._version)
        x.view(2, 2)[1].mul_(2)
        seen.append(x._version)
        x.unbind(0)[0].fill_(1)
        seen.append(x._version)
        return seen, x
    check(run)


def test_views_write_through():
    def run(L):
        x = L.zeros(3, 4)
        x[1:, ::2] = 1
        x.t()[0, 2] = 5
        x.view(12)[-1] = 7
        x.unsqueeze(0)[0, 0, 0] = 3
        x.select(1, 1).add_(2)
        x.narrow(0, 0, 1).mul_(10)
        return x
    check(run)


def test_reshape_views_when_it_can():
    def run(L):
        x = L.arange(6.)
        r = x.reshape(2, 3)
        r[0, 0] = 100
        t = x.reshape(2, 3).t().reshape(6)  # cannot view: a copy
        t[1] = -1
        return x, r, t
    check(run)


# -- clone / detach / requires_grad_ -------------------------------------------------------
def test_clone():
    def run(L):
        x = L.tensor([1., 2.], requires_grad=True)
        c = x.clone()
        with L.no_grad():
            c.zero_()
        v = L.arange(6.).reshape(2, 3).t()
        cv = v.clone()
        return (x, c.grad_fn.name(), c.is_leaf, c.requires_grad, c._version, cv.is_contiguous(),
                cv.stride(), cv)
    check(run)
    a = flambeau.ones(3)
    b = a.clone()
    b[0] = 5
    assert a.tolist() == [1., 1., 1.]


def test_detach():
    def run(L):
        x = L.tensor([1., 2.], requires_grad=True)
        y = x * 2
        d = y.detach()
        info = (d.requires_grad, d.is_leaf, d.grad_fn, d._version)
        d[0] = 10  # shares memory and version with y
        return info, y.detach(), y._version, d._version
    check(run)


def test_detach_inplace():
    def run(L):
        x = L.tensor([1., 2.], requires_grad=True)
        y = x * 2
        r = y.detach_()
        return r is y, y.requires_grad, y.is_leaf, y.grad_fn
    check(run)
    check(lambda L: L.ones(3, requires_grad=True)[1:].detach_())


def test_requires_grad_():
    check(lambda L: L.ones(2).requires_grad_())
    check(lambda L: L.ones(2).requires_grad_().requires_grad)
    check(lambda L: L.ones(2).requires_grad_(False).requires_grad)
    check(lambda L: L.ones(2, dtype=L.int64).requires_grad_())
    check(lambda L: L.ones(2, dtype=L.bool).requires_grad_(True))
    check(lambda L: L.ones(2, dtype=L.int64).requires_grad_(False).requires_grad)
    check(lambda L: (L.ones(2, requires_grad=True) * 2).requires_grad_(False))
    check(lambda L: (L.ones(2, requires_grad=True) * 2).requires_grad_().requires_grad)
    x = flambeau.ones(2)
    assert x.requires_grad_() is x

    def setter(L):
        y = L.ones(2)
        y.requires_grad = True
        return y.requires_grad, y.is_leaf
    check(setter)

    def set_on_nonleaf(L):
        y = L.ones(2, requires_grad=True) * 2
        y.requires_grad = False
    check(set_on_nonleaf)


# -- pickling, deepcopy --------------------------------------------------------------------
PICKLED = {
    'float': lambda L: L.tensor([[1.5, -2.], [3., 4.]]),
    'int32': lambda L: L.tensor([1, 2], dtype=L.int32),
    'bool': lambda L: L.tensor([True, False]),
    'bf16': lambda L: L.tensor([1.5, 2.], dtype=L.bfloat16),
    'half': lambda L: L.tensor([1.5, 2.], dtype=L.float16),
    '0d': lambda L: L.tensor(3.),
    'view': lambda L: L.arange(12.).reshape(3, 4).t()[1:],
    'requires_grad': lambda L: L.tensor([1., 2.], requires_grad=True),
    'empty': lambda L: L.zeros(0, 2),
}


@pytest.mark.parametrize('name', list(PICKLED))
def test_pickle_round_trip(name):
    def run(L):
        x = PICKLED[name](L)
        y = pickle.loads(pickle.dumps(x))
        return y, y.requires_grad, y.is_leaf, y.shape, y.dtype
    check(run)
    x = PICKLED[name](flambeau)
    y = pickle.loads(pickle.dumps(x))
    with flambeau.no_grad():
        y.zero_()
    assert x.tolist() == PICKLED[name](flambeau).tolist()


def test_pickle_many_protocols_and_buffer():
    x = flambeau.arange(6.).reshape(2, 3)
    for proto in range(2, pickle.HIGHEST_PROTOCOL + 1):
        assert pickle.loads(pickle.dumps(x, protocol=proto)).tolist() == x.tolist()
    buf = io.BytesIO()
    pickle.dump([x, x], buf)
    buf.seek(0)
    a, b = pickle.load(buf)
    assert a is b  # pickle's memo keeps the aliasing, as for torch


@pytest.mark.parametrize('name', list(PICKLED))
def test_deepcopy(name):
    def run(L):
        x = PICKLED[name](L)
        y = copy.deepcopy(x)
        same = y is x
        with L.no_grad():
            y.zero_()
        return same, x, y.requires_grad, y.is_leaf, y.dtype
    check(run)


def test_deepcopy_keeps_grad_and_aliasing():
    def run(L):
        x = L.tensor([1., 2.], requires_grad=True)
        (x * 3).sum().backward()
        y = copy.deepcopy(x)
        pair = copy.deepcopy([x, x])
        return y.grad, y.grad is x.grad, pair[0] is pair[1], pair[0] is x
    check(run)
    check(lambda L: copy.deepcopy(L.ones(2, requires_grad=True) * 2))


def test_deepcopy_copies_python_attributes():
    x = flambeau.ones(2)
    x.tag = ['a']
    y = copy.deepcopy(x)
    assert y.tag == ['a'] and y.tag is not x.tag
    t = torch.ones(2)
    t.tag = ['a']
    assert copy.deepcopy(t).tag == ['a']


def test_float_of_requires_grad_tensor_warns():
    x = flambeau.tensor(2.5, requires_grad=True)
    with pytest.warns(UserWarning, match='Converting a tensor with requires_grad=True to a scalar'):
        assert float(x) == 2.5


def test_format_of_0d_tensor_is_its_number():
    torch = pytest.importorskip('torch')
    import flambeau
    for spec in ('', '.3f', '>8'):
        for make in (lambda m: m.tensor(2.5) * 2, lambda m: m.tensor(3)):
            assert format(make(flambeau), spec) == format(make(torch), spec)
    assert f'{flambeau.tensor([1., 2.])}' == f'{torch.tensor([1., 2.])}'
