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
        yield S(x, 0)  # leading dims: column sums by BLAS (Note [Sums by BLAS])
        yield S(x, (1, 0), True)
        yield S(x, -1, True)
        yield S(x, (0, 2))
        yield S(x, dim=[2, 0], keepdim=True)
        # all dims but 1 (a convolution's bias gradient): by BLAS too
        yield S(make((3, 2, 4, 5)), (0, 2, 3))
        yield S(make((3, 2, 4, 5)), (0, -1, 2), True)
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
    OpInfo('max', gradgrad=True, samples=maxmin_samples, method=True, out=True, errors=_maxmin_errors('max')),
    OpInfo('min', samples=maxmin_samples, method=True, out=True, errors=_maxmin_errors('min')),
    OpInfo('amax', gradgrad=True, samples=amax_samples, method=True),
    OpInfo('amin', samples=amax_samples, method=True),
    OpInfo('argmax', samples=arg_samples, dtypes=NUMERIC, grad=False, method=True),
    OpInfo('argmin', samples=arg_samples, dtypes=NUMERIC, grad=False, method=True),
)


# -- helpers for the ops below ---------------------------------------------------------------
def distinct(make, shape, noncontig=False):
    """An array of ``shape`` whose values are all different (no ties for index-returning ops
    whose choice among ties PyTorch leaves unspecified); bool gets random values."""
    shape = tuple(shape)
    if noncontig:
        return distinct(make, shape[::-1]).T
    if make.dtype == 'bool':
        return make(shape)
    n = int(np.prod(shape))
    v = make.rng.permutation(n)
    if make.dtype in FLOATS:
        v = (v - n // 2) * 0.5
    elif make.dtype != 'uint8':
        v = v - n // 2
    return np.asarray(v.astype(np_dtype(make.dtype)).reshape(shape))


def with_zeros(make, shape, frac=0.3):
    a = make(shape).copy()
    a[make.rng.random(shape) < frac] = 0
    return a


def _small_ints(make, shape, high=4):
    """Values from a few integers, cast to the dtype under test: many repeats."""
    v = make.rng.integers(0, high, size=shape)
    return np.asarray(v.astype(np_dtype(make.dtype)))


def _nan_rows(make):
    return np.array([[1., np.nan, 3., 2.], [0.5, 2.5, -1., 4.], [5., 4., np.nan, np.nan]],
                    dtype=np_dtype(make.dtype))


def _errors(*cases):
    """Error inputs from ``(args, kwargs, exc, match)`` with args made by ``make``."""
    def errors(make):
        return [ErrorInput(S(*a(make), **k), exc, match) for a, k, exc, match in cases]
    return errors


_FLOAT_ONLY_VAR = ((lambda make: (make((3,), dtype='int64'),)), {}, RuntimeError,
                   'std and var only support floating point and complex dtypes')

# -- prod ------------------------------------------------------------------------------------


def prod_samples(make):
    lo, hi = (0.5, 2.0) if make.is_float else (-3, 4)
    x = make((2, 3, 2), lo, hi)
    yield S(x)
    yield S(x, 1)
    yield S(x, -1, True)
    yield S(x, dim=0, keepdim=False)
    yield S(make((), lo, hi))
    yield S(make((), lo, hi), 0)
    yield S(make((0, 3)))
    yield S(make((0, 3)), 1)
    yield S(make((0, 3)), 0)
    yield S(make((3, 4), lo, hi, noncontig=True), 0)
    yield S(x, 1, dtype=_float64)
    z = make((2, 3), lo, hi).copy()
    z[0, 1] = 0
    yield S(z).but(desc='one zero')
    yield S(z, 1).but(desc='one zero')
    z2 = z.copy()
    z2[1, 2] = z2[0, 2] = 0
    yield S(z2).but(desc='two zeros')
    yield S(z2, 0).but(desc='zeros')
    z3 = z.copy()
    z3[0, 2] = 0
    yield S(z3, 1).but(desc='two zeros in a row')


register(
    OpInfo('prod', samples=prod_samples, method=True, out=True, gradgrad=True,
           tol={'float16': (1e-2, 1e-2), 'bfloat16': (3e-2, 5e-2)},
           errors=lambda make: _dim_error(make) + [
               ErrorInput(S(make((2, 3)), (0, 1)), TypeError,
                          'prod() received an invalid combination of arguments')]),
)


# -- var / std -------------------------------------------------------------------------------
def var_samples(make):
    x = make((2, 3, 4))
    yield S(x)
    yield S(x, 1)
    yield S(x, (0, 2), keepdim=True)
    yield S(x, [2, 0])
    yield S(x, -1, correction=0)
    yield S(x, 1, correction=2, keepdim=True)
    yield S(x, 1, False, True)
    yield S(x, True)
    yield S(x, False)
    yield S(x, dim=1, unbiased=False)
    yield S(x, ()).but(grad=False, desc="dim=(): PyTorch's backward takes it as no reduction")
    yield S(make((2, 3)), None, correction=0.5)
    yield S(make(()), correction=0).but(gradcheck=False, desc='std 0: not differentiable')
    yield S(make((0, 3)), 1)
    yield S(make((3, 4), noncontig=True), 0)
    yield S(np.ones((2, 3), dtype=np_dtype(make.dtype)), 1).but(gradcheck=False, desc='constant')


_MOMENT_TOL = {'float16': (1e-2, 1e-2), 'bfloat16': (3e-2, 5e-2)}
register(
    OpInfo('var', samples=var_samples, dtypes=FLOATS, method=True, out=True, gradgrad=True,
           tol=_MOMENT_TOL, errors=_errors(_FLOAT_ONLY_VAR)),
    OpInfo('std', samples=var_samples, dtypes=FLOATS, method=True, out=True, gradgrad=True,
           tol=_MOMENT_TOL, grad_tol={'float16': (2e-2, 2e-2)}, errors=_errors(_FLOAT_ONLY_VAR)),
    OpInfo('var_mean', samples=var_samples, dtypes=FLOATS, gradgrad=True, tol=_MOMENT_TOL),
    OpInfo('std_mean', samples=var_samples, dtypes=FLOATS, gradgrad=True, tol=_MOMENT_TOL,
           grad_tol={'float16': (2e-2, 2e-2)}),
)


# -- norm / vector_norm ----------------------------------------------------------------------
INF = float('inf')


def norm_samples(make):
    x = make((2, 3, 4), exclude_zero=True)
    yield S(x)
    yield S(x, 1)
    yield S(x, 3, 1)
    yield S(x, INF, (0, 2))
    yield S(x, -INF, 1, True)
    yield S(x, 0, 1)
    yield S(x, 0.5, 1)
    yield S(x, 1.5)
    yield S(x, -1.5, 2)
    yield S(x, 'fro', (0, 1))
    yield S(x, p=2, dim=-1, keepdim=True)
    yield S(x, 1, (0, 1))
    yield S(x, dtype=_float64)
    yield S(make(()))
    yield S(make(()), 1, 0)
    yield S(make((0, 3)))
    yield S(make((0, 3)), 2, 0)
    yield S(make((3, 4), noncontig=True), 2, 0)
    yield S(np.zeros((2, 3), dtype=np_dtype(make.dtype)), 2, 1).but(gradcheck=False, desc='zeros')
    if make.is_float:
        yield S(np.array([1., -3., 3., 2.], dtype=np_dtype(make.dtype)), INF).but(
            gradcheck=False, desc='ties')


def vector_norm_samples(make):
    for s in norm_samples(make):
        if s.args[1:2] != ('fro',) and 'p' not in s.kwargs:
            yield s


def _vector_norm(m, *args, **kwargs):
    if m.__name__ == 'flambeau':  # the core in ops.reduce (linalg.vector_norm builds on it)
        from flambeau.ops.reduce import vector_norm
        return vector_norm(*args, **kwargs)
    return m.linalg.vector_norm(*args, **kwargs)


_NORM_ERRORS = _errors(
    ((lambda make: (make((3,), dtype='int64'),)), {}, RuntimeError,
     'linalg.vector_norm: Expected a floating point or complex tensor as input. Got Long'),
    ((lambda make: (make((0, 3)), INF)), {}, RuntimeError,
     'linalg.vector_norm cannot compute the inf norm on an empty tensor because the operation '
     'does not have an identity'),
    ((lambda make: (make((0, 3)), -1, 0)), {}, RuntimeError,
     'linalg.vector_norm cannot compute the -1 norm on the dimension 0because this dimension is '
     'empty'))
register(
    OpInfo('norm', samples=norm_samples, dtypes=FLOATS, method=True, gradgrad=True,
           tol=_MOMENT_TOL, grad_tol={'float16': (2e-2, 2e-2), 'bfloat16': (1e-1, 1e-1)},
           errors=_NORM_ERRORS),
    OpInfo('vector_norm', _vector_norm, samples=vector_norm_samples, dtypes=FLOATS,
           gradgrad=True, tol=_MOMENT_TOL,
           grad_tol={'float16': (2e-2, 2e-2), 'bfloat16': (1e-1, 1e-1)}, errors=_NORM_ERRORS),
)


# -- logsumexp -------------------------------------------------------------------------------
def logsumexp_samples(make):
    x = make((2, 3, 4))
    yield S(x, 1)
    yield S(x, -1, True)
    yield S(x, (0, 2))
    yield S(x, dim=[2, 0], keepdim=True)
    yield S(make(()), 0)
    yield S(make((0, 3)), 0)
    yield S(make((0, 3)), 1)
    yield S(make((3, 4), noncontig=True), 0)
    if make.is_float:
        yield S(np.asarray(make((2, 3)) * 30), 1).but(desc='large')
        yield S(np.array([[-np.inf, -np.inf], [np.inf, 1.], [-np.inf, 2.]],
                         dtype=np_dtype(make.dtype)), 1).but(grad=False, desc='infinities')


register(
    OpInfo('logsumexp', samples=logsumexp_samples, method=True, out=True, gradgrad=True,
           tol={'float16': (1e-2, 1e-2), 'bfloat16': (3e-2, 5e-2)}, errors=_dim_error),
)


# -- all / any / count_nonzero ---------------------------------------------------------------
def bool_reduce_samples(make):
    x = with_zeros(make, (2, 3, 4))
    yield S(x)
    yield S(x, 1)
    yield S(x, -1, True)
    yield S(x, (0, 2))
    yield S(x, dim=(0, 1), keepdim=True)
    yield S(x, ())
    yield S(x, keepdim=True)
    yield S(make(()))
    yield S(make(()), 0)
    yield S(make((0, 3)))
    yield S(make((0, 3)), 1)
    yield S(with_zeros(make, (3, 4)).T, 0)
    yield S(np.zeros((2, 2), dtype=np_dtype(make.dtype)), 1)


def count_nonzero_samples(make):
    x = with_zeros(make, (2, 3, 4))
    yield S(x)
    yield S(x, 1)
    yield S(x, (0, 2))
    yield S(x, -1)
    yield S(x, ())
    yield S(make(()))
    yield S(make(()), 0)
    yield S(make((0, 3)), 1)
    yield S(with_zeros(make, (3, 4)).T, 0)


register(
    OpInfo('all', samples=bool_reduce_samples, grad=False, method=True, out=True,
           errors=_dim_error),
    OpInfo('any', samples=bool_reduce_samples, grad=False, method=True, out=True,
           errors=_dim_error),
    OpInfo('count_nonzero', samples=count_nonzero_samples, grad=False, method=True,
           errors=_dim_error),
)


# -- aminmax ---------------------------------------------------------------------------------
def aminmax_samples(make):
    x = make((2, 3, 4))
    yield S(x)
    yield S(x, dim=1)
    yield S(x, dim=-1, keepdim=True)
    yield S(x, keepdim=True)
    yield S(make(()))
    yield S(make(()), dim=0)
    yield S(make((0, 3)), dim=1)
    yield S(make((3, 4), noncontig=True), dim=0)
    if make.is_float:
        yield S(np.array([[1., 3., 3.], [2., 0., 0.]], dtype=np_dtype(make.dtype)), dim=1).but(
            gradcheck=False, desc='ties')
        yield S(np.array([[1., 3., 3.], [2., 0., 0.]], dtype=np_dtype(make.dtype))).but(
            gradcheck=False, desc='ties')


register(
    OpInfo('aminmax', samples=aminmax_samples, method=True, out=True, gradgrad=True,
           errors=_errors(
               ((lambda make: (make((0, 3)),)), {}, RuntimeError,
                'aminmax(): cannot compute aminmax over an empty dimension as the operation has '
                'no identity.'),
               ((lambda make: (make((0, 3)),)), {'dim': 0}, IndexError,
                'aminmax: Expected reduction dim 0 to have non-zero size.'))),
)


# -- nansum / nanmean ------------------------------------------------------------------------
def nan_reduce_samples(dtype_kw=True):
    base = reduce_samples(dtype_kw)

    def samples(make):
        yield from base(make)
        if make.is_float:
            a = make((3, 4)).copy()
            a[0, 1] = a[2, 0] = a[2, 3] = np.nan
            yield S(a).but(gradcheck=False, desc='NaN')
            yield S(a, 1).but(gradcheck=False, desc='NaN')
            yield S(a, 0, True).but(gradcheck=False, desc='NaN')
            yield S(np.full((2, 2), np.nan, dtype=np_dtype(make.dtype)), 1).but(
                gradcheck=False, desc='all NaN')
    return samples


def _nanmean_samples(make):
    """nan_reduce_samples, but an empty input is not gradchecked: its nansum / count double
    backward is 0 / 0 (torch's own gradgradcheck fails there too)."""
    for s in nan_reduce_samples()(make):
        yield s.but(gradcheck=False) if s.args[0].size == 0 else s


register(
    OpInfo('nansum', samples=nan_reduce_samples(), method=True, out=True, gradgrad=True,
           tol={'float16': (1e-2, 1e-2), 'bfloat16': (3e-2, 5e-2)}, errors=_dim_error),
    OpInfo('nanmean', samples=_nanmean_samples, dtypes=FLOATS, method=True, out=True,
           gradgrad=True, tol={'float16': (1e-2, 1e-2), 'bfloat16': (3e-2, 5e-2)},
           errors=lambda make: _dim_error(make) + [
               ErrorInput(S(make((2,), dtype='int64')), RuntimeError,
                          'nanmean(): expected input to have floating point or complex dtype but '
                          'got Long')]),
)


# -- bincount / histc ------------------------------------------------------------------------
def bincount_samples(make):
    x = make((12,), 0, 7)
    yield S(x)
    yield S(x, minlength=10)
    yield S(x, None, 3)
    yield S(x, make((12,), dtype='float32'))
    yield S(x, make((12,), dtype='float64'), 9)
    yield S(x, make((12,), dtype='float16'))
    yield S(x, weights=make((12,), dtype='int64'))
    yield S(make((0,)))
    yield S(make((0,)), minlength=3)


def histc_samples(make):
    x = make((50,))
    yield S(x)
    yield S(x, 7)
    yield S(x, bins=5, min=0, max=2)
    yield S(make((4, 5)), 6, -2.5, 2.5)
    yield S(make(()), 3)
    yield S(make((0,)), 4)
    yield S(make((0,)), 4, 0, 1)
    yield S(np.full((3,), 2., dtype=np_dtype(make.dtype)), 4).but(desc='constant')
    yield S(make((3, 4), noncontig=True), 4, -1, 1)


register(
    OpInfo('bincount', samples=bincount_samples, dtypes=('uint8', 'int8', 'int16', 'int32',
                                                         'int64'), grad=False, method=True,
           errors=_errors(
               ((lambda make: (np.array([1, -1, 2]),)), {}, RuntimeError,
                'bincount only supports 1-d non-negative integral inputs.'),
               ((lambda make: (np.array([[1, 2]]),)), {}, RuntimeError,
                'bincount only supports 1-d non-negative integral inputs.'),
               ((lambda make: (np.array([1, 2]), make((3,)))), {}, RuntimeError,
                'weights should be 1-d and have the same length as input'),
               ((lambda make: (np.array([1, 2]),)), {'minlength': -1}, RuntimeError,
                'minlength should be >= 0'))),
    OpInfo('histc', samples=histc_samples, dtypes=FLOATS, grad=False, method=True, out=True,
           errors=_errors(
               ((lambda make: (make((3,)), 0)), {}, RuntimeError,
                'torch.histogram(): bins must be > 0, but got 0 for dimension 0'),
               ((lambda make: (make((3,)), 4, 3, 1)), {}, RuntimeError,
                'torch.histc: max must be larger than min'),
               ((lambda make: (np.array([1., np.inf], np.float32),)), {}, RuntimeError,
                'torch.histc: range of [1, inf] is not finite'))),
)


# -- scans -----------------------------------------------------------------------------------
def scan_samples(dtype_kw=True, low=None, high=None):
    def samples(make):
        x = make((2, 3, 4), low, high)
        yield S(x, 1)
        yield S(x, -1)
        yield S(x, dim=0)
        yield S(make((), low, high), 0)
        yield S(make((), low, high), -1)
        yield S(make((0, 3)), 1)
        yield S(make((0, 3)), 0)
        yield S(make((3, 4), low, high, noncontig=True), 0)
        if dtype_kw:
            yield S(x, 1, dtype=_float64)
    return samples


def cumprod_samples(make):
    lo, hi = (0.5, 2.0) if make.is_float else (-3, 4)
    yield from scan_samples(True, lo, hi)(make)
    z = make((2, 5), lo, hi).copy()
    z[0, 1] = z[1, 4] = 0
    yield S(z, 1).but(desc='zeros')
    z2 = z.copy()
    z2[0, 3] = 0
    yield S(z2, 1).but(desc='two zeros in a row')
    yield S(z2, 0).but(desc='zeros')


def cummax_samples(make):
    x = make((2, 3, 4))
    yield S(x, 1)
    yield S(x, -1)
    yield S(make(()), 0)
    yield S(make((0, 3)), 1)
    yield S(make((3, 4), noncontig=True), 0)
    yield S(_small_ints(make, (3, 6)), 1).but(gradcheck=False, desc='ties')
    if make.is_float:
        yield S(np.array([3., np.nan, 1., np.nan, 5.], dtype=np_dtype(make.dtype)), 0).but(
            gradcheck=False, desc='NaN')


def logcumsumexp_samples(make):
    yield from scan_samples(False)(make)
    if not make.is_float:
        return
    yield S(np.asarray(make((2, 4)) * 40), 1).but(desc='large')
    yield S(np.array([-np.inf, 1., -np.inf, np.inf], dtype=np_dtype(make.dtype)), 0).but(
        grad=False, desc='infinities')


_SCAN_TOL = {'float16': (1e-2, 1e-2), 'bfloat16': (3e-2, 5e-2)}
register(
    OpInfo('cumsum', samples=scan_samples(), method=True, inplace=True, out=True, gradgrad=True,
           tol=_SCAN_TOL, errors=_dim_error),
    OpInfo('cumprod', samples=cumprod_samples, method=True, inplace=True, out=True,
           gradgrad=True, tol=_SCAN_TOL, grad_tol={'bfloat16': (1e-1, 1e-1)}, errors=_dim_error),
    OpInfo('cummax', samples=cummax_samples, method=True, out=True, gradgrad=True, errors=_dim_error),
    OpInfo('cummin', samples=cummax_samples, method=True, out=True, errors=_dim_error),
    OpInfo('logcumsumexp', samples=logcumsumexp_samples, dtypes=FLOATS, method=True, out=True,
           gradgrad=True, tol=_SCAN_TOL, grad_tol={'bfloat16': (1e-1, 1e-1)},
           errors=_dim_error),
)


# -- sorting ---------------------------------------------------------------------------------
def sort_samples(make):
    x = distinct(make, (2, 3, 4))
    if make.dtype == 'bool':  # bool always has ties: only the stable sort is specified
        yield S(x, stable=True)
        yield S(x, dim=1, stable=True)
        yield S(x, dim=0, descending=True, stable=True)
    else:
        yield S(x)
        yield S(x, 1)
        yield S(x, 0, True)
        yield S(x, dim=-1, descending=True)
        yield S(distinct(make, (3, 4), noncontig=True), 0)
    yield S(make(()))
    yield S(make(()), 0, True)
    yield S(make((0, 3)), 1)
    yield S(make((0, 3)), 0)
    t = _small_ints(make, (3, 7))
    yield S(t, stable=True).but(gradcheck=False, desc='ties')
    yield S(t, dim=1, descending=True, stable=True).but(gradcheck=False, desc='ties')
    yield S(t, dim=0, descending=True, stable=True).but(gradcheck=False, desc='ties')
    yield S(t, stable=False, dim=0).but(gradcheck=False, desc='ties')
    if make.is_float:
        nan = np.array([2., np.nan, -1., 4.], dtype=np_dtype(make.dtype))
        yield S(nan, descending=True).but(gradcheck=False, desc='NaN')
        yield S(nan).but(gradcheck=False, desc='NaN')


def topk_samples(make):
    x = distinct(make, (2, 3, 4))
    yield S(x, 2)
    yield S(x, 2, 1)
    yield S(x, 1, 0, False)
    yield S(x, 3, largest=False)
    yield S(x, 0)
    yield S(x, 4, -1, True, True)
    yield S(make(()), 1)
    yield S(make(()), 0)
    yield S(make((0, 3)), 0, 0)
    yield S(make((0, 3)), 2)
    yield S(distinct(make, (3, 4), noncontig=True), 2, 0)


def kthvalue_samples(make):
    x = distinct(make, (2, 3, 4))
    yield S(x, 2)
    yield S(x, 1, 1, True)
    yield S(x, 3, 1)
    yield S(x, 2, dim=0)
    yield S(x, 4, -1, keepdim=False)
    yield S(make(()), 1)
    yield S(make((0, 3)), 1, 1)
    yield S(distinct(make, (3, 4), noncontig=True), 2, 0)
    if make.is_float:
        yield S(np.array([2., np.nan, -1., 4.], dtype=np_dtype(make.dtype)), 4).but(
            gradcheck=False, desc='NaN')


def median_samples(make):
    x = distinct(make, (2, 3, 4))
    yield S(x)
    yield S(x, 1)
    yield S(x, -1, True)
    yield S(x, dim=0)
    yield S(distinct(make, (5,)))
    yield S(make(()))
    yield S(make(()), 0)
    yield S(make((0, 3)), 1)
    yield S(distinct(make, (3, 4), noncontig=True), 0)
    if make.is_float:
        yield S(_nan_rows(make)).but(gradcheck=False, desc='NaN')
        yield S(_nan_rows(make), 1).but(gradcheck=False, desc='NaN')
        yield S(make((0,))).but(desc='empty')


def mode_samples(make):
    x = distinct(make, (2, 3, 4))
    yield S(x)
    yield S(x, 1)
    yield S(x, 0, True)
    yield S(make(()))
    yield S(make(()), 0)
    yield S(make((0, 3)), 1)
    t = _small_ints(make, (3, 7))
    yield S(t).but(gradcheck=False, desc='ties')
    yield S(t, 0, True).but(gradcheck=False, desc='ties')
    yield S(_small_ints(make, (4, 3)).T, 1).but(gradcheck=False, desc='ties')


def _empty_dim_error(name):
    return _errors(((lambda make: (make((0, 3)), 0)), {}, IndexError,
                    f'{name}(): Expected reduction dim 0 to have non-zero size.'))


register(
    OpInfo('sort', samples=sort_samples, method=True, out=True, gradgrad=True, errors=_dim_error),
    OpInfo('argsort', samples=sort_samples, grad=False, method=True, errors=_dim_error),
    OpInfo('msort', samples=lambda make: (s for s in sort_samples(make)
                                          if len(s.args) == 1 and not s.kwargs),
           method=True),
    OpInfo('topk', samples=topk_samples, dtypes=NUMERIC, method=True, out=True, gradgrad=True,
           errors=_errors(((lambda make: (make((3,)), 4)), {}, RuntimeError,
                           'selected index k out of range'),
                          ((lambda make: (make((3,)), -1)), {}, RuntimeError,
                           'selected index k out of range'))),
    OpInfo('kthvalue', samples=kthvalue_samples, dtypes=NUMERIC, method=True, out=True, gradgrad=True,
           errors=_errors(((lambda make: (make((3,)), 4)), {}, RuntimeError,
                           'kthvalue(): selected number k out of range for dimension 0'),
                          ((lambda make: (make((2, 3)), 0, 1)), {}, RuntimeError,
                           'kthvalue(): selected number k out of range for dimension 1'))),
    OpInfo('median', samples=median_samples, dtypes=NUMERIC, method=True, out=True, gradgrad=True,
           errors=_empty_dim_error('median')),
    OpInfo('nanmedian', samples=median_samples, dtypes=NUMERIC, method=True, out=True,
           errors=_empty_dim_error('median')),  # PyTorch's message names median
    OpInfo('mode', samples=mode_samples, method=True, out=True, gradgrad=True,
           errors=_empty_dim_error('mode')),
)


# -- unique ----------------------------------------------------------------------------------
def unique_samples(make):
    x = _small_ints(make, (3, 5))
    yield S(x)
    yield S(x, return_inverse=True)
    yield S(x, return_counts=True)
    yield S(x, True, True, True)
    yield S(x, sorted=False)
    yield S(_small_ints(make, (3, 6), 2), dim=1, return_inverse=True, return_counts=True)
    yield S(_small_ints(make, (6, 2), 2), dim=0, return_counts=True)
    yield S(_small_ints(make, (2, 3, 4), 2), dim=-1)
    yield S(make(()), return_inverse=True)
    yield S(make((0, 3)), return_inverse=True, return_counts=True)
    yield S(make((0, 3)), dim=0)
    yield S(_small_ints(make, (4, 3)).T, return_inverse=True)
    if make.is_float:
        yield S(np.array([np.nan, 1., np.nan, 1.], dtype=np_dtype(make.dtype)),
                return_counts=True)


def unique_consecutive_samples(make):
    x = _small_ints(make, (3, 5), 2)
    yield S(x)
    yield S(x, return_inverse=True)
    yield S(x, return_counts=True)
    yield S(x, True, True)
    yield S(_small_ints(make, (6, 2), 2), dim=0, return_inverse=True, return_counts=True)
    yield S(_small_ints(make, (2, 7), 2), dim=1)
    yield S(make(()), return_inverse=True)
    yield S(make((0, 3)), return_counts=True)
    yield S(_small_ints(make, (4, 3), 2).T, return_inverse=True)


_UNIQUE_ERRORS = _errors(((lambda make: (make((2, 0)),)), {'dim': 0}, RuntimeError,
                          "There are 0 sized dimensions, and they aren't selected, so unique "
                          'cannot be applied'))
register(
    OpInfo('unique', samples=unique_samples, grad=False, method=True, errors=_UNIQUE_ERRORS),
    OpInfo('unique_consecutive', samples=unique_consecutive_samples, grad=False, method=True),
)
