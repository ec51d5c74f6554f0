"""Op registry entries: activation ops (see opinfo.py for the framework).

Activations are reached as ``torch.nn.functional.<name>`` in PyTorch; flambeau.nn does not
exist yet, so the entries call them through ``F(m)``: torch's ``nn.functional`` or
``flambeau.ops.activation``."""
import numpy as np
import flambeau.ops.activation as _activation
from opinfo import ALL, BOOL, FLOATS, INTS, NUMERIC, ErrorInput, M, OpInfo, S, unary  # noqa: F401

OPS = []


def register(*infos):
    OPS.extend(infos)


def F(m):
    """The module holding the activations: ``torch.nn.functional`` or flambeau's."""
    return m.nn.functional if m.__name__ == 'torch' else _activation


def fn(name, **fixed):
    return lambda m, *a, **k: getattr(F(m), name)(*a, **fixed, **k)


def inplace_kw(name):
    """The ``inplace=True`` form, returning the tensor written to."""
    return lambda m, x, *a, **k: getattr(F(m), name)(x, *a, inplace=True, **k)


def inplace_fn(name):
    """The ``F.<name>_`` form."""
    return lambda m, x, *a, **k: getattr(F(m), name + '_')(x, *a, **k)


def with_args(*arg_sets, low=None, high=None, exclude_zero=True):
    """``unary()`` samples (no values at the kinks), then a (2, 3) tensor with each argument
    tuple or keyword dict of ``arg_sets``."""
    base = unary(low=low, high=high, exclude_zero=exclude_zero)

    def samples(make):
        yield from base(make)
        for a in arg_sets:
            x = make((2, 3), low, high, exclude_zero=exclude_zero)
            yield S(x, **a) if isinstance(a, dict) else S(x, *a)
    return samples


def without_pos_inf(samples):
    """``samples`` with +inf replaced by 30 in the special values. PyTorch's float32 and
    bfloat16 GELU gives NaN at +inf on CPUs with AVX-512 (its vectorised erf) and +inf
    elsewhere and in float64; flambeau gives +inf everywhere (test_gelu_of_infinity)."""
    def wrapped(make):
        for s in samples(make):
            if s.desc == 'special values':
                x = s.args[0].copy()
                x[x == np.inf] = 30
                s.args = (x,) + s.args[1:]
            yield s
    return wrapped


register(
    OpInfo('F.relu', fn('relu'), samples=unary(exclude_zero=True), dtypes=NUMERIC, gradgrad=True,
           inplace=inplace_kw('relu'), inplace_variants={'relu_': inplace_fn('relu')}),
    OpInfo('relu_', lambda m, x: m.relu_(x * 1) if x.dtype.is_floating_point else m.relu_(x),
           samples=unary(exclude_zero=True), dtypes=NUMERIC, gradgrad=True),
)


def threshold_samples(make):
    for s in unary()(make):
        yield S(s.args[0], 0.3, 2.0).but(gradcheck=s.gradcheck)
    yield S(make((2, 3)), 1, 7)


register(
    OpInfo('F.threshold', fn('threshold'), samples=threshold_samples, dtypes=NUMERIC,
           gradgrad=True, variants={'torch.threshold': lambda m, *a: m.threshold(*a)},
           inplace=inplace_kw('threshold'),
           inplace_variants={'threshold_': inplace_fn('threshold')}),
    OpInfo('F.leaky_relu', fn('leaky_relu'), samples=with_args((0.2,), {'negative_slope': 1.5}),
           dtypes=FLOATS, gradgrad=True, inplace=inplace_kw('leaky_relu'),
           inplace_variants={'leaky_relu_': inplace_fn('leaky_relu')}),
    OpInfo('F.hardtanh', fn('hardtanh'), samples=with_args((-0.5, 2.0), {'max_val': 0.5}),
           dtypes=FLOATS + INTS[1:], gradgrad=True, inplace=inplace_kw('hardtanh'),
           inplace_variants={'hardtanh_': inplace_fn('hardtanh')},
           errors=lambda make: [ErrorInput(S(make((2,)), 2.0, 1.0), ValueError,
                                           'min_val cannot be greater than max_val'),
                                ErrorInput(S(make((2,), dtype='bool')), RuntimeError,
                                           'Bool inputs not supported for hardtanh'),
                                ErrorInput(S(make((2,), dtype='uint8')), RuntimeError,
                                           'cannot do hardtanh on an unsigned type with negative '
                                           'limits')]),
    OpInfo('F.relu6', fn('relu6'), samples=unary(low=-8, high=8, exclude_zero=True),
           dtypes=NUMERIC, gradgrad=True, inplace=inplace_kw('relu6')),
    OpInfo('F.elu', fn('elu'), samples=with_args((0.5,), {'alpha': 2.0}), dtypes=FLOATS,
           gradgrad=True, inplace=inplace_kw('elu'), inplace_variants={'elu_': inplace_fn('elu')}),
    OpInfo('F.selu', fn('selu'), samples=unary(exclude_zero=True), dtypes=FLOATS, gradgrad=True,
           variants={'torch.selu': lambda m, x: m.selu(x)}, inplace=inplace_kw('selu'),
           inplace_variants={'selu_': inplace_fn('selu'),
                             'torch.selu_': lambda m, x: m.selu_(x)}),
    OpInfo('F.celu', fn('celu'), samples=with_args((0.5,), {'alpha': 2.0}), dtypes=FLOATS,
           gradgrad=True, variants={'torch.celu': lambda m, x, *a: m.celu(x, *a)},
           inplace=inplace_kw('celu'), inplace_variants={'celu_': inplace_fn('celu')},
           errors=lambda make: [ErrorInput(S(make((2,)), 0.0), RuntimeError,
                                           'alpha cannot be 0 for CELU')]),
    OpInfo('F.softplus', fn('softplus'),
           samples=with_args((2.0,), (0.5, 1.0), {'beta': 3.0, 'threshold': 2.0}, low=-30,
                             high=30, exclude_zero=False),
           dtypes=FLOATS, gradgrad=True),
    OpInfo('F.gelu', fn('gelu'), samples=without_pos_inf(with_args(
        {'approximate': 'tanh'}, {'approximate': 'none'}, exclude_zero=False)),
           dtypes=FLOATS, gradgrad=True,
           errors=lambda make: [ErrorInput(S(make((2,)), approximate='foo'), RuntimeError,
                                           'approximate argument must be either none or tanh')]),
    OpInfo('F.silu', fn('silu'), samples=unary(low=-10, high=10), dtypes=FLOATS, gradgrad=True,
           inplace=inplace_kw('silu')),
    OpInfo('F.mish', fn('mish'), samples=unary(low=-10, high=10), dtypes=FLOATS, gradgrad=True,
           inplace=inplace_kw('mish')),
    OpInfo('F.logsigmoid', fn('logsigmoid'), samples=unary(low=-30, high=30), dtypes=FLOATS,
           gradgrad=True),
    OpInfo('F.hardsigmoid', fn('hardsigmoid'), samples=unary(low=-5, high=5), dtypes=FLOATS,
           gradgrad=True, inplace=inplace_kw('hardsigmoid')),
    OpInfo('F.hardswish', fn('hardswish'), samples=unary(low=-5, high=5), dtypes=FLOATS,
           gradgrad=True, inplace=inplace_kw('hardswish')),
    OpInfo('F.hardshrink', fn('hardshrink'),
           samples=with_args((1.0,), {'lambd': 0.1}, exclude_zero=False),
           dtypes=FLOATS, gradgrad=True,
           variants={'torch.hardshrink': lambda m, x, *a: m.hardshrink(x, *a),
                     'x.hardshrink': lambda m, x, *a: x.hardshrink(*a)}),
    OpInfo('F.softshrink', fn('softshrink'),
           samples=with_args((1.0,), {'lambd': 0.1}, exclude_zero=False),
           dtypes=FLOATS, gradgrad=True,
           errors=lambda make: [ErrorInput(S(make((2,)), -1.0), RuntimeError,
                                           'lambda must be in range [0, 3.40282e+38] for input '
                                           'dtype Float, but found -1')]),
    OpInfo('F.tanhshrink', fn('tanhshrink'), samples=unary(), dtypes=NUMERIC, gradgrad=True),
    OpInfo('F.softsign', fn('softsign'), samples=unary(exclude_zero=True), dtypes=NUMERIC,
           gradgrad=True),
    OpInfo('F.sigmoid', fn('sigmoid'), samples=unary(), gradgrad=True),
    OpInfo('F.tanh', fn('tanh'), samples=unary(), gradgrad=True),
)


# -- softmax family, glu, prelu, rrelu, gumbel_softmax ---------------------------------------------
def softmax_samples(make):
    yield S(make(()), 0)
    yield S(make((0, 3)), 1)
    yield S(make((5,)), -1)
    yield S(make((2, 3)), 0)
    yield S(make((2, 3, 4)), 1)
    yield S(make((3, 4), noncontig=True), 1)
    yield S(make((2, 0, 3)), 2)
    yield S(make((2, 3), low=-1e4, high=1e4), 1).but(gradcheck=False, desc='large logits')
    yield S(make((2, 3)), dim=1)


def softmax_dtype_samples(make):
    yield S(make((2, 3)), 1, dtype=M('float64'))
    yield S(make((4,)), 0, dtype=M('float32')).but(gradcheck=False)


def _softmax_errors(make):
    return [ErrorInput(S(make((2,)), 2), IndexError,
                       'Dimension out of range (expected to be in range of [-1, 0], but got 2)'),
            ErrorInput(S(make((2,), dtype='int64'), 0), NotImplementedError,
                       'not implemented for \'Long\'')]


register(
    OpInfo('F.softmax', fn('softmax'), samples=softmax_samples, dtypes=FLOATS, gradgrad=True,
           method=lambda m, x, *a, **k: x.softmax(*a, **k),
           variants={'torch.softmax': lambda m, x, *a, **k: m.softmax(x, *a, **k)},
           errors=_softmax_errors),
    OpInfo('F.log_softmax', fn('log_softmax'), samples=softmax_samples, dtypes=FLOATS,
           gradgrad=True, method=lambda m, x, *a, **k: x.log_softmax(*a, **k),
           variants={'torch.log_softmax': lambda m, x, *a, **k: m.log_softmax(x, *a, **k)},
           errors=_softmax_errors),
    OpInfo('F.softmin', fn('softmin'), samples=softmax_samples, dtypes=FLOATS, gradgrad=True),
    OpInfo('F.softmax(dtype)', fn('softmax'), samples=softmax_dtype_samples, dtypes=ALL,
           gradgrad=True),
    OpInfo('F.log_softmax(dtype)', fn('log_softmax'), samples=softmax_dtype_samples, dtypes=ALL,
           gradgrad=True),
    OpInfo('F.softmin(dtype)', fn('softmin'), samples=softmax_dtype_samples, dtypes=NUMERIC,
           gradgrad=True),
)


def glu_samples(make):
    yield S(make((4,)))
    yield S(make((2, 6)))
    yield S(make((4, 3)), 0)
    yield S(make((2, 4, 3)), dim=1)
    yield S(make((3, 4), noncontig=True), -1)
    yield S(make((0, 2)))


def prelu_samples(make):
    yield S(make((2, 3), exclude_zero=True), make((1,)))
    yield S(make((2, 3, 4), exclude_zero=True), make((3,)))
    yield S(make((4, 3, 2), exclude_zero=True, noncontig=True), make((3,)))
    yield S(make((5,), exclude_zero=True), make((1,)))
    yield S(make((), exclude_zero=True), make(()))
    yield S(make((2, 3), exclude_zero=True), make(()))
    yield S(make((0, 3)), make((3,)))


def rrelu_samples(make):
    for s in unary(exclude_zero=True)(make):
        yield s
    yield S(make((2, 3), exclude_zero=True), 0.1, 0.3)
    yield S(make((2, 3), exclude_zero=True), lower=0.2, upper=0.5, training=False)


def gumbel_sum_samples(make):
    yield S(make((2, 3)))
    yield S(make((3, 4)), hard=True)
    yield S(make((2, 3, 4)), tau=0.5, dim=1)
    yield S(make((3, 4), noncontig=True), hard=True, dim=0)


register(
    OpInfo('F.glu', fn('glu'), samples=glu_samples, dtypes=FLOATS, gradgrad=True,
           errors=lambda make: [
               ErrorInput(S(make((3,))), RuntimeError,
                          'Halving dimension must be even, but dimension 0 is size 3'),
               ErrorInput(S(make(())), RuntimeError,
                          'glu does not support scalars because halving size must be even'),
               ErrorInput(S(make((3, 4)), 2), IndexError, 'Dimension out of range')]),
    OpInfo('F.prelu', fn('prelu'), samples=prelu_samples, dtypes=FLOATS, gradgrad=True,
           variants={'torch.prelu': lambda m, x, w: m.prelu(x, w),
                     'x.prelu': lambda m, x, w: x.prelu(w)},
           errors=lambda make: [
               ErrorInput(S(make((3, 4)), make((3,))), RuntimeError,
                          'Mismatch of parameter numbers and input channel size. Found parameter '
                          'numbers = 3 and channel size = 4.'),
               ErrorInput(S(make((3, 4)), make((4, 1))), RuntimeError,
                          'prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = '
                          '2')]),
    OpInfo('F.rrelu', fn('rrelu'), samples=rrelu_samples, dtypes=FLOATS, gradgrad=True,
           variants={'torch.rrelu': lambda m, x, *a, **k: m.rrelu(x, *a, **k)},
           inplace=inplace_kw('rrelu'),
           inplace_variants={'rrelu_': inplace_fn('rrelu'),
                             'torch.rrelu_': lambda m, x, *a, **k: m.rrelu_(x, *a, **k)}),
    # training=True draws the slopes: compare what does not depend on them (x >= 0 part,
    # slopes within [lower, upper])
    OpInfo('F.rrelu(training)',
           lambda m, x: (F(m).rrelu(x, 0.1, 0.3, training=True).relu(),
                         (F(m).rrelu(x, 0.1, 0.3, training=True) / x).clamp(0.1, 0.3) >= 0),
           samples=unary(exclude_zero=True), dtypes=('bfloat16', 'float32', 'float64'), grad=False),
    # the sample is random: its sum over ``dim`` (1) and the shape are what can be compared
    OpInfo('F.gumbel_softmax', lambda m, x, **k: F(m).gumbel_softmax(x, **k).sum(k.get('dim', -1)),
           samples=gumbel_sum_samples, dtypes=FLOATS, grad=False),
)
