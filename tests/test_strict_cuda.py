"""Every op of the registry on the strict stand-in for ``cuda`` (the Note in fake_cuda.py):
its device arrays refuse NumPy functions (``np.exp(a)`` where ``xp.exp(a)`` is meant) and
host operands (``a + host``), as CuPy would, so an op that would fail on a GPU fails here on
a CPU machine. One dtype per op (float32 where the op takes it) keeps this module short; the
full matrix runs with ``FLAMBEAU_TEST_DEVICES=cpu,strict_cuda pytest tests/test_ops.py``.
Skipped where a real GPU serves ``cuda`` (test_ops.py then runs the real thing)."""
import pytest

torch = pytest.importorskip('torch')

import test_ops as T  # noqa: E402
from op_registry import OPS  # noqa: E402

if T._real_cuda():
    pytest.skip('a GPU serves cuda: test_ops.py runs its cases', allow_module_level=True)

pytestmark = pytest.mark.usefixtures('strict_cuda')


def _one(dtypes):
    dtypes = list(dtypes)
    return 'float32' if 'float32' in dtypes else dtypes[0] if dtypes else None


def _cases(select):
    return [pytest.param(*c, 'cuda', id='-'.join(map(str, c))) for op in OPS for c in select(op)]


FORWARD = _cases(lambda op: [(op, f, _one(op.dtypes)) for f in op.forms if op.dtypes])
GRAD = _cases(lambda op: [(op, f, _one(op.grad_dtypes)) for f in op.forms if op.grad_dtypes])
INPLACE = _cases(lambda op: [(op, f, _one(op.dtypes)) for f in op.inplace_forms if op.dtypes])
ERRORS = _cases(lambda op: [(op,)] if op.errors or op.broadcast else [])


@pytest.mark.parametrize('op,form,dtype,device', FORWARD)
def test_forward(op, form, dtype, device):
    T.test_forward(op, form, dtype, device)


@pytest.mark.parametrize('op,form,dtype,device', GRAD)
def test_grad(op, form, dtype, device):
    T.test_grad(op, form, dtype, device)


@pytest.mark.parametrize('op,form,dtype,device', INPLACE)
def test_inplace(op, form, dtype, device):
    T.test_inplace(op, form, dtype, device)


@pytest.mark.parametrize('op,device', ERRORS)
def test_errors(op, device):
    T.test_errors(op, device)


def test_strict_arrays_refuse_numpy_and_host_operands(strict_cuda):
    """The stand-in itself: xp works, NumPy functions and host operands raise."""
    import numpy as np
    import flambeau
    a = flambeau.arange(6.).reshape(2, 3).to('cuda')._data
    xp = strict_cuda.xp
    assert float(xp.exp(a).sum()) == pytest.approx(float(np.exp(np.arange(6.)).sum()))
    assert type((a + 1).sum()) is type(a) and (a.T.copy().astype(np.float32)).shape == (3, 2)
    for bad in (lambda: np.exp(a), lambda: np.where(a > 1, a, 0), lambda: a + np.ones(3),
                lambda: np.ones(3) * a, lambda: xp.where(a > 1, np.ones(3), a)):
        with pytest.raises(TypeError):
            bad()
