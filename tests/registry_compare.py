"""Op registry entries: closeness tests (``isclose``, ``allclose``), and the random ops at the
arguments where they are deterministic (std 0, probabilities 0 and 1, rate 0, dropout's
p = 0 / 1 / eval), which checks their dtypes, shapes, errors, ``grad_fn`` names and (zero)
gradients against PyTorch. Their statistics are tested in test_random.py.
(see opinfo.py for the framework)"""
import numpy as np

from opinfo import ALL, FLOATS, ErrorInput, M, OpInfo, S

OPS = []


def register(*infos):
    OPS.extend(infos)


# -- isclose / allclose ------------------------------------------------------------------------
def _close_samples(make):
    a = make((2, 3))
    yield S(a, a.copy())
    yield S(make((2, 3)), make((2, 3)))
    yield S(make((2, 3)), make((3,)))
    yield S(make(()), make(()))
    yield S(make((0, 3)), make((3,)))
    yield S(make((3, 4), noncontig=True), make((3, 4), noncontig=True))
    b = make((4, 5))
    noisy = (b.astype(np.float64) + make.rng.integers(0, 3, b.shape)).astype(b.dtype)
    yield S(b, noisy, rtol=0.5, atol=1)
    yield S(b, noisy, rtol=0.1, atol=0)
    yield S(b, b.copy(), rtol=0, atol=0)
    if make.is_float:
        sp = make.special()
        yield S(sp, sp.copy())
        yield S(sp, sp.copy(), equal_nan=True)
        yield S(sp, sp[::-1].copy(), atol=np.inf)
        yield S(b, (b * 1.001).astype(b.dtype), rtol=1e-2)


def _close_errors(make):
    a = make((2, 3))
    return [ErrorInput(S(a, make((2, 3), dtype='float64')), RuntimeError,
                       'Float did not match Double'),
            ErrorInput(S(make((2,), dtype='int64'), make((2,))), RuntimeError,
                       'Long did not match Float'),
            ErrorInput(S(a, a, rtol=-1.), RuntimeError,
                       'rtol must be greater than or equal to zero, but got -1'),
            ErrorInput(S(a, a, atol=-0.5), RuntimeError,
                       'atol must be greater than or equal to zero, but got -0.5'),
            ErrorInput(S(a, make((4,))), RuntimeError,
                       'The size of tensor a (3) must match the size of tensor b (4)'),
            ErrorInput(S(a, 1.0), TypeError, "argument 'other' (position 2) must be Tensor")]


register(
    OpInfo('isclose', samples=_close_samples, method=True, grad=False, errors=_close_errors),
    OpInfo('allclose', samples=_close_samples, method=True, grad=False, errors=_close_errors),
)


def _equal_samples(make):
    x = make((2, 3))
    yield S(x, x.copy())
    y = x.copy()
    y[1, 2] = y[0, 0] if y[1, 2] != y[0, 0] else y[0, 1]
    yield S(x, y).but(desc='one element differs')
    yield S(x, x[:, :2].copy()).but(desc='shapes differ')
    yield S(x, x.reshape(3, 2).copy()).but(desc='same numel, other shape')
    yield S(make(()), make(()))
    yield S(make((0, 2)), make((0, 2)))
    yield S(make((3, 4), noncontig=True), make((3, 4), noncontig=True))


register(
    OpInfo('equal', samples=_equal_samples, method=True, grad=False,
           errors=lambda make: [ErrorInput(S(make((2,)), 3), TypeError,
                                           "equal(): argument 'other' (position 2) must be Tensor, "
                                           'not int')]),
)


# -- random ops where they are deterministic ---------------------------------------------------
def _zeros_like(a):
    return np.zeros_like(a)


def _normal_samples(make):
    yield S(make((2, 3)), _zeros_like(make((2, 3))))
    yield S(make((2, 1)), np.zeros((3,), a_dtype(make)))
    yield S(make(()), np.zeros((), a_dtype(make)))
    yield S(make((0, 3)), np.zeros((3,), a_dtype(make)))
    yield S(make((3, 4), noncontig=True), np.zeros((4, 3), a_dtype(make)).T)


def a_dtype(make):
    return make((1,)).dtype


def _normal_float_std(make):
    yield S(make((2, 3)), 0.)
    yield S(make(()), 0.)
    yield S(make((0, 2)), 0.)
    yield S(make((3, 4), noncontig=True), 0.)


def _normal_errors(make):
    return [ErrorInput(S(make((3,)), -np.ones(3, np.float32)), RuntimeError,
                       'normal expects all elements of std >= 0.0'),
            ErrorInput(S(make((3,)), -2.), RuntimeError,
                       'normal expects std >= 0.0, but found std -2'),
            ErrorInput(S(make((2,)), np.zeros(3, np.float32)), RuntimeError,
                       'The size of tensor a (2) must match the size of tensor b (3)'),
            ErrorInput(S(make((2,), dtype='int64'), 1.), NotImplementedError,
                       '"normal_kernel_cpu" not implemented for \'Long\'')]


def _mean_std_zero(make):
    yield S(1.5, np.zeros((2, 3), a_dtype(make)))
    yield S(-1.0, np.zeros((), a_dtype(make)))


def _normal_ff_samples(make):
    yield S(2.5, 0., (2, 3))
    yield S(0., 0., (0,))
    yield S(1., 0., ())


def _prob01(make, shape, noncontig=False):
    return (make(shape, noncontig=noncontig, dtype='bool')).astype(a_dtype(make))


def _bernoulli_samples(make):
    yield S(_prob01(make, (2, 3)))
    yield S(_prob01(make, ()))
    yield S(_prob01(make, (0, 3)))
    yield S(_prob01(make, (3, 4), noncontig=True))


def _bernoulli_p_samples(make):
    for p in (0., 1.):
        yield S(make((2, 3)), p)
        yield S(make(()), p)
        yield S(make((3, 4), noncontig=True), p)
    yield S(make((0, 2)), 1.)


def _bernoulli_errors(make):
    return [ErrorInput(S(np.array([0.5, 1.5], np.float32)), RuntimeError,
                       'Expected p_in >= 0 && p_in <= 1 to be true, but got false.'),
            ErrorInput(S(np.array([0.5, np.nan], np.float32)), RuntimeError,
                       'Expected p_in >= 0 && p_in <= 1 to be true, but got false.'),
            ErrorInput(S(make((3,), dtype='int64')), NotImplementedError,
                       '"bernoulli_tensor_cpu_p_" not implemented for \'Long\''),
            ErrorInput(S(make((3,)), 1.5), RuntimeError,
                       'bernoulli_ expects p to be in [0, 1], but got p=1.5')]


def _onehot(make, rows, k, noncontig=False):
    idx = make.index((rows,), k)
    p = np.zeros((rows, k), a_dtype(make))
    p[np.arange(rows), idx] = 3
    return np.asfortranarray(p) if noncontig else p


def _multinomial_samples(make):
    yield S(_onehot(make, 1, 4)[0], 1)
    yield S(_onehot(make, 3, 4), 1)
    yield S(_onehot(make, 3, 4), 5, True)
    yield S(_onehot(make, 1, 4)[0], 3, replacement=True)
    yield S(np.zeros((0, 3), a_dtype(make)), 2)
    yield S(np.asarray(np.array([0, 0, 2, 0], a_dtype(make))), 1, False)


def _multinomial_errors(make):
    p = np.array([0.1, 0.2, 0.7], np.float32)
    return [ErrorInput(S(p, 4), RuntimeError, 'cannot sample n_sample > prob_dist.size(-1) '
                                                 'samples without replacement'),
            ErrorInput(S(p, 0), RuntimeError, 'cannot sample n_sample <= 0 samples'),
            ErrorInput(S(np.array(1., np.float32), 1), RuntimeError,
                       'prob_dist must be 1 or 2 dim'),
            ErrorInput(S(make((2, 2, 3)), 1), RuntimeError, 'prob_dist must be 1 or 2 dim'),
            ErrorInput(S(np.array([0.5, -0.1], np.float32), 1), RuntimeError,
                       'probability tensor contains either `inf`, `nan` or element < 0'),
            ErrorInput(S(np.array([0.5, np.inf], np.float32), 1), RuntimeError,
                       'probability tensor contains either `inf`, `nan` or element < 0'),
            ErrorInput(S(np.array([0., 0.], np.float32), 1), RuntimeError,
                       'invalid multinomial distribution (sum of probabilities <= 0)'),
            ErrorInput(S(np.array([[0., 0.], [1., 1.]], np.float32), 2, True), RuntimeError,
                       'invalid multinomial distribution (sum of probabilities <= 0)'),
            ErrorInput(S(np.array([0.5, -0.1], np.float32), 3, True), RuntimeError,
                       'invalid multinomial distribution (encountering probability entry < 0)'),
            ErrorInput(S(np.array([0.5, np.inf], np.float32), 3, True), RuntimeError,
                       'invalid multinomial distribution (encountering probability entry = '
                       'infinity or NaN)'),
            ErrorInput(S(np.array([1, 2], np.int64), 1), RuntimeError,
                       'multinomial only supports floating-point dtypes for input, got: Long')]


def _poisson_samples(make):
    yield S(np.zeros((2, 3), a_dtype(make)))
    yield S(np.zeros((), a_dtype(make)))
    yield S(np.zeros((0, 2), a_dtype(make)))


def _poisson_errors(make):
    return [ErrorInput(S(np.array([1., -1.], np.float32)), RuntimeError,
                       'invalid Poisson rate, expected rate to be non-negative'),
            ErrorInput(S(np.array([1, 2], np.int64)), NotImplementedError,
                       '"poisson_cpu" not implemented for \'Long\'')]


def _dropout_samples(make):
    for p, train in ((1., True), (0., True), (0.5, False)):
        yield S(make((2, 3)), p, train)
        yield S(make(()), p, train)
        yield S(make((3, 4), noncontig=True), p, train)
    yield S(make((0, 3)), 0.5, True)


def _feature_dropout_samples(make):
    for p, train in ((1., True), (0., True), (0.5, False)):
        yield S(make((2, 3, 4)), p, train)
        yield S(make((3, 4), noncontig=True), p, train)


def _dropout_errors(make):
    return [ErrorInput(S(make((2, 3)), 1.5, True), RuntimeError,
                       'dropout probability has to be between 0 and 1, but got 1.5'),
            ErrorInput(S(make((2, 3)), -0.5, False), RuntimeError,
                       'dropout probability has to be between 0 and 1, but got -0.5'),
            ErrorInput(S(make((2, 3), dtype='int64'), 0.5, True), RuntimeError,
                       "result type Float can't be cast to the desired output type Long")]


def _feature_dropout_errors(make):
    return _dropout_errors(make) + [
        ErrorInput(S(make((3,)), 0.5, True), RuntimeError,
                   'Feature dropout requires at least 2 dimensions in the input')]


# in-place samplers at deterministic arguments: x.clone().op_(...)
def _inplace_samples(*arg_sets):
    def samples(make):
        for args in arg_sets:
            yield S(make((2, 3)), *args)
            yield S(make(()), *args)
            yield S(make((3, 4), noncontig=True), *args)
    return samples


def _on_clone(name):
    return lambda m, x, *a, **k: getattr(x.clone(), name)(*a, **k)


def _tensor_p_bernoulli_(m, x, p):
    return x.clone().bernoulli_(p)


def _tensor_p_samples(make):
    yield S(make((2, 3)), _prob01(make, (3,)).astype(np.float32))
    yield S(make(()), np.array(1., np.float32))
    yield S(make((3, 4), noncontig=True), _prob01(make, (3, 4)).astype(np.float64))


def _uniform_errors(make):
    return [ErrorInput(S(make((3,)), 2., 1.), RuntimeError,
                       'uniform_ expects to return a [from, to) range, but found from=2 > to=1'),
            ErrorInput(S(make((3,)), 0., np.inf), RuntimeError, 'to is out of bounds for float'),
            ErrorInput(S(make((3,)), -3e38, 3e38), RuntimeError,
                       'uniform_ expects to-from <= std::numeric_limits<Float>::max()'),
            ErrorInput(S(make((3,), dtype='int64')), NotImplementedError,
                       '"check_uniform_bounds" not implemented for \'Long\'')]


def _normal_inplace_errors(make):
    return [ErrorInput(S(make((3,)), 0., -1.), RuntimeError,
                       'normal expects std >= 0.0, but found std -1'),
            ErrorInput(S(make((3,), dtype='int64')), NotImplementedError,
                       '"normal_kernel_cpu" not implemented for \'Long\'')]


def _random_errors(make):
    return [ErrorInput(S(make((3,)), 3, 3), RuntimeError,
                       "random_ expects 'from' to be less than 'to', but got from=3 >= to=3"),
            ErrorInput(S(make((3,), dtype='uint8'), 0, 300), RuntimeError,
                       'to - 1 is out of bounds for unsigned char'),
            ErrorInput(S(make((3,), dtype='int16'), -1, 40000), RuntimeError,
                       'to - 1 is out of bounds for short int'),
            ErrorInput(S(make((3,), dtype='int8'), -200, 3), RuntimeError,
                       'from is out of bounds for signed char'),
            ErrorInput(S(make((3,), dtype='bool'), 0, 3), RuntimeError,
                       'to - 1 is out of bounds for bool'),
            ErrorInput(S(make((3,)), 2 ** 25, None), RuntimeError,
                       "random_ expects 'from' casted to dtype to be less than or equal to "
                       "'to_inc' casted to dtype, but got from=33554432 > to_inc=16777216")]


def _other_inplace_errors(make):
    f, i = make((3,)), make((3,), dtype='int64')
    return [
        ErrorInput(S(f, 0.), RuntimeError, 'exponential_ expects lambda > 0.0, but found lambda=0',
                   op=_on_clone('exponential_')),
        ErrorInput(S(i), RuntimeError, 'Exponential distribution is a continuous probability '
                                       'distribution. dtype must be a floating point but you '
                                       'specified Long', op=_on_clone('exponential_')),
        ErrorInput(S(f, 0., -1.), RuntimeError, 'cauchy_ expects sigma > 0.0, but found sigma=-1',
                   op=_on_clone('cauchy_')),
        ErrorInput(S(i), RuntimeError, 'Cauchy distribution is a continuous probability '
                                       'distribution. dtype must be a floating point but you '
                                       'specified long int', op=_on_clone('cauchy_')),
        ErrorInput(S(f, 1., 0.), RuntimeError, 'log_normal_ expects std > 0.0, but found std=0',
                   op=_on_clone('log_normal_')),
        ErrorInput(S(i), NotImplementedError, '"log_normal_cpu" not implemented for \'Long\'',
                   op=_on_clone('log_normal_')),
        ErrorInput(S(f, 1.), RuntimeError, 'geometric_ expects p to be in (0, 1), but got p=1',
                   op=_on_clone('geometric_')),
        ErrorInput(S(make((3,), dtype='bool'), 0.5), NotImplementedError,
                   '"geometric_cpu" not implemented for \'Bool\'', op=_on_clone('geometric_')),
        ErrorInput(S(f, 1.5), RuntimeError, 'bernoulli_ expects p to be in [0, 1], but got p=1.5',
                   op=_on_clone('bernoulli_')),
        ErrorInput(S(make((2, 3)), np.full((2,), 0.5, np.float32)), RuntimeError,
                   'The expanded size of the tensor (3) must match the existing size (2)',
                   op=_on_clone('bernoulli_')),
        ErrorInput(S(f, np.array([0.5, 2., 0.], np.float32)), RuntimeError,
                   'Expected p_in >= 0 && p_in <= 1 to be true', op=_on_clone('bernoulli_')),
    ]


register(
    OpInfo('normal', samples=_normal_samples, dtypes=FLOATS, gradcheck=False,
           errors=_normal_errors),
    OpInfo('normal_tensor_float', lambda m, mean, std: m.normal(mean, std),
           samples=_normal_float_std, dtypes=FLOATS, gradcheck=False),
    OpInfo('normal_float_tensor', lambda m, mean, std: m.normal(mean, std),
           samples=_mean_std_zero, dtypes=FLOATS, gradcheck=False),
    OpInfo('normal_float_float', lambda m, *a: m.normal(*a), samples=_normal_ff_samples,
           dtypes=ALL, grad=False),
    OpInfo('bernoulli', samples=_bernoulli_samples, dtypes=FLOATS, method=True,
           gradcheck=False, errors=_bernoulli_errors, out=True),
    OpInfo('bernoulli_p', lambda m, x, p: m.bernoulli(x, p), samples=_bernoulli_p_samples,
           method=lambda m, x, p: x.bernoulli(p), gradcheck=False,
           inplace=lambda m, x, p: x.bernoulli_(p)),
    OpInfo('bernoulli__tensor_p', _tensor_p_bernoulli_, samples=_tensor_p_samples,
           gradcheck=False),
    OpInfo('multinomial', samples=_multinomial_samples, dtypes=FLOATS, method=True, grad=False,
           errors=_multinomial_errors, out=True),
    OpInfo('poisson', samples=_poisson_samples, dtypes=FLOATS, gradcheck=False,
           errors=_poisson_errors),
    OpInfo('dropout', samples=_dropout_samples, errors=_dropout_errors, gradgrad=True,
           inplace=lambda m, x, *a: m.dropout_(x, *a)),
    OpInfo('feature_dropout', samples=_feature_dropout_samples, errors=_feature_dropout_errors,
           inplace=lambda m, x, *a: m.feature_dropout_(x, *a)),
    OpInfo('alpha_dropout', samples=_dropout_samples, errors=_dropout_errors,
           inplace=lambda m, x, *a: m.alpha_dropout_(x, *a)),
    OpInfo('feature_alpha_dropout', samples=_feature_dropout_samples,
           errors=_feature_dropout_errors,
           inplace=lambda m, x, *a: m.feature_alpha_dropout_(x, *a)),
    OpInfo('uniform_', _on_clone('uniform_'), samples=_inplace_samples((2.5, 2.5), (-1., -1.)),
           dtypes=FLOATS, gradcheck=False, errors=_uniform_errors),
    OpInfo('normal_', _on_clone('normal_'), samples=_inplace_samples((2.5, 0.), (-1., 0.)),
           dtypes=FLOATS, gradcheck=False, errors=_normal_inplace_errors),
    OpInfo('random_', _on_clone('random_'), samples=_inplace_samples((0, 1), (1,)),
           gradcheck=False, errors=_random_errors),
    OpInfo('random_from', _on_clone('random_'), samples=_inplace_samples((1, 2), (-1, 0)),
           dtypes=tuple(d for d in ALL if d not in ('bool', 'uint8')), gradcheck=False),
    OpInfo('bernoulli_', _on_clone('bernoulli_'), samples=_inplace_samples((0.,), (1.,)),
           gradcheck=False, errors=_other_inplace_errors),
)


# -- clone / contiguous with memory_format (the formats live in ops/convert.py) -----------------
def _mf_samples(make):
    yield S(make((2, 3, 4, 5)), memory_format=M('channels_last'))
    yield S(make((2, 3, 1, 1)), memory_format=M('channels_last'))
    yield S(make((0, 3, 2, 2)), memory_format=M('channels_last'))
    yield S(make((2, 3, 4, 5, 2)), memory_format=M('channels_last_3d'))
    yield S(make((3, 4), noncontig=True), memory_format=M('contiguous_format'))
    yield S(make((3, 4), noncontig=True), memory_format=M('preserve_format'))


def _mf_errors(make):
    return [ErrorInput(S(make((2, 3, 4)), memory_format=M('channels_last')), RuntimeError,
                       'required rank 4 tensor to use channels_last format'),
            ErrorInput(S(make((2, 3, 4, 5)), memory_format=M('channels_last_3d')), RuntimeError,
                       'required rank 5 tensor to use channels_last_3d format'),
            ErrorInput(S(make((2, 3)), memory_format=M('float32')), TypeError,
                       "argument 'memory_format' must be torch.memory_format")]


def _contiguous_mf_samples(make):
    for s in _mf_samples(make):
        if s.kwargs['memory_format'].name != 'preserve_format':
            yield s


register(
    OpInfo('clone_memory_format', lambda m, x, **k: m.clone(x, **k), samples=_mf_samples,
           method=lambda m, x, **k: x.clone(**k), gradgrad=True, errors=_mf_errors),
    OpInfo('contiguous_memory_format', lambda m, x, **k: x.contiguous(**k),
           samples=_contiguous_mf_samples, gradgrad=True),
)
