"""dtypes: names and printing, PyTorch's type promotion (promote_types, result_type, the dtype
of binary ops), can_cast, finfo/iinfo, the default dtype, integer wrap-around, and that no
NumPy scalar ever leaks out of an op."""
import copy
import itertools
import pickle

import numpy as np
import pytest

torch = pytest.importorskip('torch')

import flambeau  # noqa: E402
from core_helpers import DTYPE_NAMES, assert_same, assert_same_error, check, fdt  # noqa: E402

ALIASES = ['float', 'double', 'half', 'long', 'int', 'short']
PAIRS = list(itertools.product(DTYPE_NAMES, DTYPE_NAMES))


# -- names, aliases, printing -------------------------------------------------------------
@pytest.mark.parametrize('name', DTYPE_NAMES + ALIASES)
def test_dtype_repr_and_attributes(name):
    f, t = getattr(flambeau, name), getattr(torch, name)
    assert isinstance(f, flambeau.dtype)
    assert repr(f) == repr(t) and str(f) == str(t)
    assert f.is_floating_point == t.is_floating_point
    assert f.is_signed == t.is_signed
    assert f.is_complex == t.is_complex
    assert f.itemsize == t.itemsize


@pytest.mark.parametrize('alias,name', [('float', 'float32'), ('double', 'float64'),
                                        ('half', 'float16'), ('long', 'int64'),
                                        ('int', 'int32'), ('short', 'int16')])
def test_aliases_are_the_same_object(alias, name):
    assert (getattr(torch, alias) is getattr(torch, name))
    assert getattr(flambeau, alias) is getattr(flambeau, name)


@pytest.mark.parametrize('name', DTYPE_NAMES)
def test_dtype_pickle_and_copy_keep_identity(name):
    d = getattr(flambeau, name)
    assert pickle.loads(pickle.dumps(d)) is d
    assert copy.deepcopy(d) is d
    assert copy.copy(d) is d


def test_dtypes_hash_and_compare():
    assert flambeau.float32 == flambeau.float
    assert flambeau.float32 != flambeau.float64
    assert len({flambeau.float32, flambeau.float, flambeau.int64, flambeau.long}) == 2


# -- promotion ---------------------------------------------------------------------------
@pytest.mark.parametrize('a,b', PAIRS)
def test_promote_types_table(a, b):
    r = torch.promote_types(getattr(torch, a), getattr(torch, b))
    assert flambeau.promote_types(getattr(flambeau, a), getattr(flambeau, b)) is fdt(r)


@pytest.mark.parametrize('a,b', PAIRS)
def test_can_cast_table(a, b):
    r = torch.can_cast(getattr(torch, a), getattr(torch, b))
    assert flambeau.can_cast(getattr(flambeau, a), getattr(flambeau, b)) is r


def _operand(lib, kind, name):
    dt = getattr(lib, name)
    if kind == 'dim':
        return lib.ones(2, dtype=dt)
    return lib.ones((), dtype=dt)


@pytest.mark.parametrize('ka,kb', [('dim', 'dim'), ('dim', 'zero'), ('zero', 'dim'),
                                   ('zero', 'zero')])
def test_result_type_tensor_pairs(ka, kb):
    for a, b in PAIRS:
        r = torch.result_type(_operand(torch, ka, a), _operand(torch, kb, b))
        f = flambeau.result_type(_operand(flambeau, ka, a), _operand(flambeau, kb, b))
        assert f is fdt(r), (ka, a, kb, b, f, r)


SCALARS = [True, 3, -2, 2.5]


@pytest.mark.parametrize('kind', ['dim', 'zero'])
@pytest.mark.parametrize('scalar', SCALARS, ids=repr)
def test_result_type_tensor_and_scalar(kind, scalar):
    for name in DTYPE_NAMES:
        r = torch.result_type(_operand(torch, kind, name), scalar)
        f = flambeau.result_type(_operand(flambeau, kind, name), scalar)
        assert f is fdt(r), (kind, name, scalar, f, r)


@pytest.mark.parametrize('a,b', [(x, y) for x in SCALARS for y in SCALARS], ids=repr)
def test_result_type_of_scalars(a, b):
    assert flambeau.result_type(a, b) is fdt(torch.result_type(a, b))


@pytest.mark.parametrize('ka,kb', [('dim', 'dim'), ('dim', 'zero'), ('zero', 'dim'),
                                   ('zero', 'zero')])
@pytest.mark.parametrize('op', ['add', 'mul', 'sub', 'div'])
def test_binary_op_result_dtypes(op, ka, kb):
    """The dtype (and values) that arithmetic produces follow result_type, for all pairs."""
    for a, b in PAIRS:
        if op == 'sub' and 'bool' in (a, b):
            continue  # torch refuses bool subtraction (checked in test_bool_subtraction_error)
        t = getattr(torch, op)(_operand(torch, ka, a) * 2, _operand(torch, kb, b))
        f = getattr(flambeau, op)(_operand(flambeau, ka, a) * 2, _operand(flambeau, kb, b))
        assert_same(f, t, rtol=1e-2)


@pytest.mark.parametrize('kind', ['dim', 'zero'])
@pytest.mark.parametrize('scalar', SCALARS, ids=repr)
@pytest.mark.parametrize('op', ['add', 'mul', 'div', 'radd', 'rmul', 'rdiv'])
def test_binary_op_with_scalar_dtypes(op, kind, scalar):
    for name in DTYPE_NAMES:
        tx, fx = _operand(torch, kind, name), _operand(flambeau, kind, name)
        if op.startswith('r'):
            fn = {'radd': lambda x: scalar + x, 'rmul': lambda x: scalar * x,
                  'rdiv': lambda x: scalar / x}[op]
        else:
            fn = {'add': lambda x: x + scalar, 'mul': lambda x: x * scalar,
                  'div': lambda x: x / scalar}[op]
        assert_same(fn(fx), fn(tx), rtol=1e-2)


def test_bool_subtraction_error():
    check(lambda L: L.ones(2, dtype=L.bool) - L.ones(2, dtype=L.bool))
    check(lambda L: L.ones(2, dtype=L.bool) - True)
    check(lambda L: True - L.ones(2, dtype=L.bool))
    check(lambda L: L.ones(2, dtype=L.bool) - 1)
    check(lambda L: L.ones(2) - L.ones(2, dtype=L.bool))


def test_result_type_docstring_cases():
    u = flambeau.tensor([1, 2], dtype=flambeau.uint8)
    assert flambeau.result_type(u, 300) is fdt(torch.result_type(
        torch.tensor([1, 2], dtype=torch.uint8), 300))
    assert flambeau.result_type(flambeau.tensor([1, 2]), 1.0) is fdt(
        torch.result_type(torch.tensor([1, 2]), 1.0))


# -- integer wrap-around ---------------------------------------------------------------------
@pytest.mark.parametrize('name,values,scalar', [
    ('uint8', [1, 2, 250], 300), ('uint8', [1, 2, 250], 10), ('int8', [100, -100], 100),
    ('int16', [30000], 5000), ('int32', [2 ** 31 - 1], 1), ('int64', [2 ** 63 - 1], 1)])
@pytest.mark.parametrize('op', ['add', 'mul'])
def test_integer_arithmetic_wraps(name, values, scalar, op):
    t = getattr(torch.tensor(values, dtype=getattr(torch, name)), op)(scalar)
    f = getattr(flambeau.tensor(values, dtype=getattr(flambeau, name)), op)(scalar)
    assert_same(f, t)


def test_uint8_plus_300_wraps():
    t = torch.tensor([1, 2], dtype=torch.uint8) + 300
    f = flambeau.tensor([1, 2], dtype=flambeau.uint8) + 300
    assert_same(f, t)
    assert f.tolist() == t.tolist()


def test_uint8_tensor_sum_is_int64():
    t = torch.tensor([200, 100], dtype=torch.uint8)
    f = flambeau.tensor([200, 100], dtype=flambeau.uint8)
    assert_same(f.sum(), t.sum())
    assert_same(f + f, t + t)


# -- finfo / iinfo ---------------------------------------------------------------------------
FLOATS = ['float16', 'bfloat16', 'float32', 'float64']
INTS = ['uint8', 'int8', 'int16', 'int32', 'int64']


@pytest.mark.parametrize('name', FLOATS)
def test_finfo_fields(name):
    f, t = flambeau.finfo(getattr(flambeau, name)), torch.finfo(getattr(torch, name))
    for field in ('bits', 'eps', 'max', 'min', 'tiny', 'smallest_normal', 'resolution', 'dtype'):
        a, b = getattr(f, field), getattr(t, field)
        assert type(a) is type(b) and a == b, (field, a, b)
    assert repr(f) == repr(t)


def test_finfo_default_follows_default_dtype(default_dtype_restored):
    assert flambeau.finfo().dtype == torch.finfo().dtype
    flambeau.set_default_dtype(flambeau.float64)
    torch.set_default_dtype(torch.float64)
    assert flambeau.finfo().eps == torch.finfo().eps
    assert flambeau.finfo().dtype == torch.finfo().dtype


@pytest.mark.parametrize('name', INTS)
def test_iinfo_fields(name):
    f, t = flambeau.iinfo(getattr(flambeau, name)), torch.iinfo(getattr(torch, name))
    for field in ('bits', 'max', 'min', 'dtype'):
        a, b = getattr(f, field), getattr(t, field)
        assert type(a) is type(b) and a == b, (field, a, b)
    assert repr(f) == repr(t)


def test_finfo_iinfo_errors():
    assert_same_error(lambda: flambeau.finfo(flambeau.int32), lambda: torch.finfo(torch.int32))
    assert_same_error(lambda: flambeau.iinfo(flambeau.float32), lambda: torch.iinfo(torch.float32))
    assert_same_error(lambda: flambeau.iinfo(flambeau.bool), lambda: torch.iinfo(torch.bool))


# -- the default dtype -----------------------------------------------------------------------
def test_get_default_dtype():
    assert flambeau.get_default_dtype() is fdt(torch.get_default_dtype())


def test_set_default_dtype_errors(default_dtype_restored):
    assert_same_error(lambda: flambeau.set_default_dtype(flambeau.int64),
                      lambda: torch.set_default_dtype(torch.int64), match_prefix=True)
    assert flambeau.get_default_dtype() is flambeau.float32


DEFAULT_DTYPE_CASES = {
    'tensor_float_list': lambda L: L.tensor([1.5, 2]),
    'tensor_float_scalar': lambda L: L.tensor(1.5),
    'tensor_int_list': lambda L: L.tensor([1, 2]),
    'tensor_bool': lambda L: L.tensor([True]),
    'zeros': lambda L: L.zeros(2),
    'ones_like_int': lambda L: L.ones_like(L.tensor([1, 2])),
    'empty_shape': lambda L: L.empty(2, 3).shape,
    'empty_dtype': lambda L: L.empty(2, 3).dtype,
    'full_float': lambda L: L.full((2,), 1.5),
    'full_int': lambda L: L.full((2,), 7),
    'full_bool': lambda L: L.full((2,), True),
    'arange_float': lambda L: L.arange(0, 1, 0.25),
    'arange_float_end': lambda L: L.arange(2.5),
    'arange_int': lambda L: L.arange(5),
    'linspace': lambda L: L.linspace(0, 1, 5),
    'eye': lambda L: L.eye(2),
    'int_times_float': lambda L: L.tensor([1, 2]) * 2.5,
    'int_div_int': lambda L: L.tensor([1, 2]) / L.tensor([2, 4]),
    'int_div_scalar': lambda L: L.tensor([1, 2]) / 2,
    'int_true_divide': lambda L: L.true_divide(L.tensor([3]), 2),
    'float32_plus_float': lambda L: L.ones(2, dtype=L.float32) + 1.5,
    'float16_plus_float': lambda L: L.ones(2, dtype=L.float16) + 1.5,
    'int_plus_0d_float64': lambda L: L.tensor([1, 2]) + L.tensor(1.5, dtype=L.float64),
    'bool_times_float': lambda L: L.tensor([True, False]) * 1.5,
    'rand_dtype': lambda L: L.rand(2).dtype,
    'randn_dtype': lambda L: L.randn(2).dtype,
    'int_mean_error_free_float_sum': lambda L: L.tensor([1., 2.]).sum(),
    'Tensor_ctor': lambda L: L.Tensor([1, 2]),
    'from_numpy_keeps_dtype': lambda L: L.from_numpy(np.array([1.5])),
}


@pytest.mark.parametrize('default', ['float32', 'float64'])
@pytest.mark.parametrize('case', list(DEFAULT_DTYPE_CASES))
def test_default_dtype_effects(case, default, default_dtype_restored):
    fn = DEFAULT_DTYPE_CASES[case]
    torch.set_default_dtype(getattr(torch, default))
    flambeau.set_default_dtype(getattr(flambeau, default))
    t, f = fn(torch), fn(flambeau)
    if isinstance(t, torch.dtype):
        assert f is fdt(t)
    elif isinstance(t, torch.Size):
        assert tuple(f) == tuple(t)
    else:
        assert_same(f, t)


def test_set_default_dtype_float16_for_creation(default_dtype_restored):
    torch.set_default_dtype(torch.float16)
    flambeau.set_default_dtype(flambeau.float16)
    assert_same(flambeau.tensor([1.5]), torch.tensor([1.5]))
    assert_same(flambeau.tensor([1, 2]) * 2.5, torch.tensor([1, 2]) * 2.5)


# -- no NumPy scalars leak -----------------------------------------------------------------
ZERO_D_CASES = {
    'sum': lambda L, x: x.sum(),
    'mean': lambda L, x: x.mean(),
    'max': lambda L, x: x.max(),
    'min': lambda L, x: x.min(),
    'amax': lambda L, x: L.amax(x),
    'argmax': lambda L, x: x.argmax(),
    'index': lambda L, x: x[1],
    'index2': lambda L, x: x.reshape(2, 2)[1, 0],
    'select': lambda L, x: x.select(0, 2),
    'sum_0d': lambda L, x: x[0] + x[1],
    'mul_0d_scalar': lambda L, x: x[0] * 3,
    'rsub_0d': lambda L, x: 3 - x[0],
    'div_0d': lambda L, x: x[0] / x[1],
    'pow_0d': lambda L, x: x[1] ** 2,
    'neg_0d': lambda L, x: -x[1],
    'exp_0d': lambda L, x: x[1].exp(),
    'sqrt_0d': lambda L, x: x[1].sqrt(),
    'abs_0d': lambda L, x: abs(x[1]),
    'cmp_0d': lambda L, x: x[0] < x[1],
    'eq_scalar_0d': lambda L, x: x[0] == 1,
    'dot': lambda L, x: L.dot(x, x),
    'matmul_1d': lambda L, x: x @ x,
    'sum_of_0d': lambda L, x: x.sum().sum(),
    'tensor_scalar': lambda L, x: L.tensor(3.5) + L.tensor(1.5),
    'float64_0d': lambda L, x: L.tensor(3.5, dtype=L.float64) * 2,
    'int_0d': lambda L, x: L.tensor(3) * 2,
    'where_0d': lambda L, x: L.where(x[0] > 0, x[0], x[1]),
    'clamp_0d': lambda L, x: x[2].clamp(0, 1),
}


@pytest.mark.parametrize('name', ['float32', 'float64', 'int64', 'int32', 'uint8', 'float16'])
@pytest.mark.parametrize('case', list(ZERO_D_CASES))
def test_zero_d_results_are_tensors(case, name):
    fn = ZERO_D_CASES[case]
    values = [1, 2, 3, 4]
    t = torch.tensor(values, dtype=getattr(torch, name))
    f = flambeau.tensor(values, dtype=getattr(flambeau, name))
    tr = _run(fn, torch, t)
    fr = _run(fn, flambeau, f)
    if isinstance(tr, Exception):
        assert isinstance(fr, type(tr)), (fr, tr)
        return
    assert isinstance(fr, flambeau.Tensor) and type(fr._data) is np.ndarray, type(fr)
    assert_same(fr, tr, rtol=1e-3)
    if fr.dtype is not flambeau.bfloat16:
        assert isinstance(fr.numpy(), np.ndarray)


def _run(fn, lib, x):
    try:
        return fn(lib, x)
    except Exception as e:  # noqa: BLE001
        return e


def test_item_returns_python_numbers():
    for name in DTYPE_NAMES:
        t = torch.ones((), dtype=getattr(torch, name))
        f = flambeau.ones((), dtype=getattr(flambeau, name))
        assert type(f.item()) is type(t.item()) and f.item() == t.item()
        assert type(f.tolist()) is type(t.tolist())


def test_tolist_returns_python_numbers():
    for name in DTYPE_NAMES:
        t = torch.tensor([[0, 1]], dtype=getattr(torch, name))
        f = flambeau.tensor([[0, 1]], dtype=getattr(flambeau, name))
        tl, fl = t.tolist(), f.tolist()
        assert fl == tl
        assert [type(v) for v in fl[0]] == [type(v) for v in tl[0]]


def test_numpy_scalars_mix_like_python_numbers():
    """A NumPy scalar operand acts as a Python number, in torch and flambeau."""
    for s in (np.float64(2.5), np.int64(3), np.float32(1.5)):
        for name in ('int64', 'float32', 'float16'):
            t = torch.ones(2, dtype=getattr(torch, name))
            f = flambeau.ones(2, dtype=getattr(flambeau, name))
            assert_same(f * s, t * s, rtol=1e-3)
            assert_same(f + s, t + s, rtol=1e-3)


def test_import_does_not_load_ml_dtypes():
    """ml_dtypes (bfloat16) takes longer to import than flambeau: it loads on first use."""
    import os
    import subprocess
    import sys
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    code = ('import sys, flambeau; assert "ml_dtypes" not in sys.modules; '
            'assert flambeau.ones(2, dtype=flambeau.bfloat16).dtype is flambeau.bfloat16; '
            'import ml_dtypes; from flambeau.dtypes import from_numpy_dtype; '
            'assert from_numpy_dtype(ml_dtypes.bfloat16) is flambeau.bfloat16')
    subprocess.run([sys.executable, '-c', code], check=True, cwd=root)
