"""Op registry entries: activation ops (see opinfo.py for the framework).

Activations are reached as ``torch.nn.functional.<name>`` in PyTorch; flambeau.nn does not
exist yet, so the entries call them through ``F(m)``: torch's ``nn.functional`` or
``flambeau.ops.activation``."""
import flambeau.ops.activation as _activation
from opinfo import BOOL, FLOATS, INTS, NUMERIC, ErrorInput, OpInfo, S, unary  # noqa: F401

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
    OpInfo('F.gelu', fn('gelu'), samples=with_args({'approximate': 'tanh'}, {'approximate': 'none'},
                                                   exclude_zero=False),
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
