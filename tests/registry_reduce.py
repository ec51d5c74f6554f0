"""Op registry entries: reduce ops (see opinfo.py for the framework)."""
import numpy as np

from opinfo import ErrorInput, FLOATS, NUMERIC, OpInfo, S, _float64, np_dtype

OPS = []


def register(*infos):
    OPS.extend(infos)


# reductions
def reduce_samples(dtype_kw=True):
    def samples(make):
        x = make((2, 3, 4))
        yield S(x)
        yield S(x, 1)
        yield S(x, -1, True)
        yield S(x, (0, 2))
        yield S(x, dim=[2, 0], keepdim=True)
        yield S(x, ())
        yield S(make(()))
        yield S(make(()), 0)
        yield S(make((0, 3)))
        yield S(make((0, 3)), 1)
        yield S(make((3, 4), noncontig=True), 0)
        if dtype_kw:
            yield S(x, 1, dtype=_float64)
    return samples





def _dim_error(make):
    return [ErrorInput(S(make((2, 3)), 2), IndexError,
                       'Dimension out of range (expected to be in range of [-2, 1], but got 2)')]


register(
    OpInfo('sum', samples=reduce_samples(), method=True, out=True, gradgrad=True,
           tol={'float16': (1e-2, 1e-2), 'bfloat16': (3e-2, 5e-2)}, errors=_dim_error),
    OpInfo('mean', gradgrad=True, samples=reduce_samples(), dtypes=FLOATS, method=True, out=True,
           tol={'float16': (1e-2, 1e-2), 'bfloat16': (3e-2, 5e-2)},
           errors=lambda make: _dim_error(make) + [
               ErrorInput(S(make((2,), dtype='int64')), RuntimeError,
                          'mean(): could not infer output dtype. Input dtype must be either a '
                          'floating point or complex dtype. Got: Long')]),
)


def maxmin_samples(make):
    x = make((2, 3, 4))
    yield S(x)
    yield S(x, 1)
    yield S(x, -1, True)
    yield S(x, dim=0, keepdim=False)
    yield S(make(()))
    yield S(make(()), 0)
    yield S(make((0, 3)), 1)
    yield S(make((3, 4), noncontig=True), 1)
    yield S(x, make((3, 1)))
    if make.is_float:
        yield S(np.array([1., 3., 3., 2.], dtype=np_dtype(make.dtype))).but(
            gradcheck=False, desc='ties')


def _maxmin_errors(name):
    def errors(make):
        return [ErrorInput(S(make((0, 3))), RuntimeError,
                           f'{name}(): Expected reduction dim to be specified for '
                           f'input.numel() == 0'),
                ErrorInput(S(make((0, 3)), 0), IndexError,
                           f'{name}(): Expected reduction dim 0 to have non-zero size')]
    return errors


def amax_samples(make):
    x = make((2, 3, 4))
    yield S(x)
    yield S(x, 1)
    yield S(x, (0, 2), True)
    yield S(x, dim=-1)
    yield S(make(()))
    yield S(make((0, 3)), 1)
    if make.is_float:
        yield S(np.array([[1., 3., 3.], [2., 2., 0.]], dtype=np_dtype(make.dtype)), 1).but(
            gradcheck=False, desc='ties')


def arg_samples(make):
    x = make((2, 3, 4))
    yield S(x)
    yield S(x, 1)
    yield S(x, -1, True)
    yield S(x, keepdim=True)
    yield S(make(()))
    yield S(make(()), 0)
    yield S(make((3, 4), noncontig=True), 0)
    yield S(np.array([1, 3, 3, 2], dtype=np_dtype(make.dtype))).but(desc='ties')


register(
    OpInfo('max', gradgrad=True, samples=maxmin_samples, method=True, errors=_maxmin_errors('max')),
    OpInfo('min', samples=maxmin_samples, method=True, errors=_maxmin_errors('min')),
    OpInfo('amax', gradgrad=True, samples=amax_samples, method=True),
    OpInfo('amin', samples=amax_samples, method=True),
    OpInfo('argmax', samples=arg_samples, dtypes=NUMERIC, grad=False, method=True),
    OpInfo('argmin', samples=arg_samples, dtypes=NUMERIC, grad=False, method=True),
)
