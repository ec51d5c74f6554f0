"""Op registry entries: elementwise ops (see opinfo.py for the framework)."""
import operator

from opinfo import BOOL, ErrorInput, INTS, NUMERIC, OpInfo, S, binary, unary

OPS = []


def register(*infos):
    OPS.extend(infos)


# unary floating-point math: integers and bools promote to the default dtype
register(
    OpInfo('exp', samples=unary(), method=True, inplace=True, out=True, gradgrad=True),
    OpInfo('log', samples=unary(low=0.1), method=True, inplace=True, out=True, gradgrad=True),
    OpInfo('sqrt', samples=unary(low=0.1), method=True, inplace=True, out=True, gradgrad=True),
    OpInfo('sin', samples=unary(), method=True, inplace=True, out=True, gradgrad=True),
    OpInfo('cos', samples=unary(), method=True, inplace=True, out=True, gradgrad=True),
    OpInfo('tanh', samples=unary(), method=True, inplace=True, out=True, gradgrad=True),
    OpInfo('sigmoid', samples=unary(), method=True, inplace=True, out=True, gradgrad=True),
)

register(
    OpInfo('neg', samples=unary(), dtypes=NUMERIC, method=True, inplace=True, out=True,
           variants={'-x': lambda m, x: -x, 'negative': lambda m, x: m.negative(x)},
           errors=lambda make: [ErrorInput(S(make((2,), dtype='bool')), RuntimeError,
                                           'Negation, the `-` operator, on a bool tensor')]),
    OpInfo('abs', samples=unary(exclude_zero=True), dtypes=NUMERIC, method=True, inplace=True,
           out=True, gradgrad=True, variants={'abs()': lambda m, x: abs(x)}),
    OpInfo('sign', samples=unary(), method=True, inplace=True, out=True),
    OpInfo('relu', samples=unary(exclude_zero=True), dtypes=NUMERIC, method=True, inplace=True,
           gradgrad=True),
)


def clamp_samples(make):
    x = make((2, 3), exclude_zero=True)
    yield S(x, -1, 1)
    yield S(make(()), -1, 1)
    yield S(make((0, 2)), -1, 1)
    yield S(x, min=-1)
    yield S(x, max=1)
    yield S(x, -1.5, 1.5)
    yield S(x, 2, 1).but(desc='min > max')
    yield S(x, make((3,)), make((2, 1))).but(gradcheck=False)
    yield S(x, make((2, 3)))
    yield S(x, None, make((3,)))
    yield S(make((3, 4), noncontig=True), 0, 1)
    if make.is_float:
        yield S(make.special(), -1, 1).but(gradcheck=False, desc='special values')


register(
    OpInfo('clamp', samples=clamp_samples, dtypes=NUMERIC, method=True, inplace=True, out=True,
           gradgrad=True, variants={'clip': lambda m, *a, **k: m.clip(*a, **k)},
           errors=lambda make: [
               ErrorInput(S(make((2,))), RuntimeError,
                          "At least one of 'min' or 'max' must not be None"),
               ErrorInput(S(make((2, 3)), make((4,))), RuntimeError,
                          'The size of tensor a (3) must match the size of tensor b (4) at '
                          'non-singleton dimension 1'),
               ErrorInput(S(make((2, 3)), -1, make((3,))), TypeError,
                          'clamp() received an invalid combination of arguments'),
               ErrorInput(S(make((2, 3), dtype='uint8'), max=300), RuntimeError,
                          'value cannot be converted to type uint8_t without overflow')]),
    OpInfo('clamp_min', samples=lambda make: [S(make((2, 3)), 0.5), S(make(()), -1),
                                              S(make((2, 3)), make((3,)))],
           method=True, inplace=True),
    OpInfo('clamp_max', samples=lambda make: [S(make((2, 3)), 0.5), S(make(()), -1),
                                              S(make((2, 3)), make((3,)))],
           method=True, inplace=True),
)

# binary arithmetic
register(
    OpInfo('add', samples=binary(scalars=(2, -1.5, True),
                                 kwargs_samples=({'alpha': 2}, {'alpha': -0.5, 'float': True})),
           method=True, inplace=True, out=True, gradgrad=True, broadcast='float32',
           variants={'x+y': lambda m, x, y: x + y, 'y+x': lambda m, x, y: y + x},
           inplace_variants={'x+=y': lambda m, x, y: operator.iadd(x, y)}),
    OpInfo('sub', samples=binary(scalars=(2, -1.5), kwargs_samples=({'alpha': 2},)),
           dtypes=NUMERIC, method=True, inplace=True, out=True, gradgrad=True, broadcast='float32',
           variants={'x-y': lambda m, x, y: x - y,
                     'subtract': lambda m, *a, **k: m.subtract(*a, **k)},
           inplace_variants={'x-=y': lambda m, x, y: operator.isub(x, y)},
           errors=lambda make: [
               ErrorInput(S(make((2,), dtype='bool'), make((2,), dtype='bool')), RuntimeError,
                          'Subtraction, the `-` operator, with two bool tensors is not supported'),
               ErrorInput(S(make((2,), dtype='int64'), make((2,), dtype='bool')), RuntimeError,
                          'Subtraction, the `-` operator, with a bool tensor is not supported'),
               ErrorInput(S(make((2,), dtype='int64'), make((2,), dtype='int64'), alpha=0.5),
                          RuntimeError, 'argument alpha must not be a floating point number'),
           ]),
    OpInfo('mul', samples=binary(scalars=(2, -1.5, True)), method=True, inplace=True, out=True,
           gradgrad=True, broadcast='float32',
           variants={'x*y': lambda m, x, y: x * y,
                     'multiply': lambda m, *a, **k: m.multiply(*a, **k)},
           inplace_variants={'x*=y': lambda m, x, y: operator.imul(x, y)}),
    OpInfo('div', samples=binary(exclude_zero=True, scalars=(2, -1.5)), method=True, inplace=True,
           out=True, gradgrad=True, broadcast='float32',
           variants={'x/y': lambda m, x, y: x / y,
                     'true_divide': lambda m, x, y: m.true_divide(x, y),
                     'divide': lambda m, x, y: m.divide(x, y)},
           inplace_variants={'x/=y': lambda m, x, y: operator.itruediv(x, y)},
           errors=lambda make: [ErrorInput(S(make((2,)), 2, rounding_mode='round'), RuntimeError,
                                           "div expected rounding_mode to be one of None, 'trunc', "
                                           "or 'floor'")]),
    OpInfo('div_trunc', lambda m, x, y, **k: m.div(x, y, rounding_mode='trunc', **k),
           samples=binary(exclude_zero=True, scalars=(2, -1.5)), dtypes=NUMERIC,
           method=lambda m, x, y: x.div(y, rounding_mode='trunc'), out=True, gradgrad=True,
           inplace=lambda m, x, y: x.div_(y, rounding_mode='trunc')),
    OpInfo('div_floor', lambda m, x, y, **k: m.div(x, y, rounding_mode='floor', **k),
           samples=binary(exclude_zero=True, scalars=(2, -1.5)), dtypes=NUMERIC,
           method=lambda m, x, y: x.div(y, rounding_mode='floor'), out=True,
           inplace=lambda m, x, y: x.div_(y, rounding_mode='floor')),
    OpInfo('floor_divide', samples=binary(exclude_zero=True, scalars=(2, -1.5)), dtypes=NUMERIC,
           method=True, inplace=True, out=True, broadcast='float32',
           gradcheck=False,  # no derivative in PyTorch: backward raises (tested against torch)
           variants={'x//y': lambda m, x, y: x // y},
           inplace_variants={'x//=y': lambda m, x, y: operator.ifloordiv(x, y)},
           errors=lambda make: [ErrorInput(S(make((2,), dtype='int64'), 0), RuntimeError,
                                           'ZeroDivisionError')]),
    OpInfo('remainder', samples=binary(exclude_zero=True, scalars=(2, -1.5)), dtypes=NUMERIC,
           method=True, inplace=True, out=True, gradgrad=True, broadcast='float32',
           variants={'x%y': lambda m, x, y: x % y},
           inplace_variants={'x%=y': lambda m, x, y: operator.imod(x, y)}),
    OpInfo('pow', samples=binary(low=0.5, high=2, rhs_low=0, rhs_high=3,
                                 scalars=(2, 3, 0.5, -1.5, 0)),
           dtypes=NUMERIC, method=True, inplace=True, out=True, gradgrad=True, broadcast='float32',
           variants={'x**y': lambda m, x, y: x ** y},
           inplace_variants={'x**=y': lambda m, x, y: operator.ipow(x, y)},
           errors=lambda make: [ErrorInput(S(make((2,), dtype='int64'), -1), RuntimeError,
                                           'Integers to negative integer powers are not allowed')]),
)

def scalar_lhs(low=None, high=None, exclude_zero=False):
    """A tensor on the right of a Python number (reflected operators)."""
    def samples(make):
        for s in [(), (4,), (2, 3), (0,)]:
            yield S(make(s, low, high, exclude_zero=exclude_zero))
        yield S(make((3, 4), low, high, exclude_zero=exclude_zero, noncontig=True))
    return samples


# reflected operators: a Python number on the left
register(
    OpInfo('radd', lambda m, x: 2 + x, samples=scalar_lhs()),
    OpInfo('radd_float', lambda m, x: 1.5 + x, samples=scalar_lhs()),
    OpInfo('rsub', lambda m, x: 2 - x, samples=scalar_lhs(), dtypes=NUMERIC,
           variants={'torch.rsub': lambda m, x: m.rsub(x, 2)}),
    OpInfo('rsub_float', lambda m, x: 1.5 - x, samples=scalar_lhs(), dtypes=NUMERIC),
    OpInfo('rmul', lambda m, x: 2 * x, samples=scalar_lhs()),
    OpInfo('rdiv', lambda m, x: 2 / x, samples=scalar_lhs(exclude_zero=True), gradgrad=True),
    OpInfo('rfloordiv', lambda m, x: 7 // x, samples=scalar_lhs(exclude_zero=True),
           dtypes=NUMERIC, gradcheck=False),  # no derivative in PyTorch
    OpInfo('rmod', lambda m, x: 7 % x, samples=scalar_lhs(exclude_zero=True), dtypes=NUMERIC,
           gradcheck=False),  # no derivative in PyTorch
    OpInfo('rpow', lambda m, x: 2 ** x, samples=scalar_lhs(0, 3), gradgrad=True),
    OpInfo('rpow_float', lambda m, x: 1.5 ** x, samples=scalar_lhs(0, 3)),
)

# maximum / minimum
register(
    OpInfo('maximum', samples=binary(scalars=()), method=True, out=True, gradgrad=True,
           broadcast='float32',
           errors=lambda make: [ErrorInput(S(make((2,)), 1.0), TypeError,
                                           "argument 'other' (position 2) must be Tensor")]),
    OpInfo('minimum', samples=binary(scalars=()), method=True, out=True, broadcast='float32'),
)

# comparisons: bool results, no gradient
for _name, _op in (('eq', '=='), ('ne', '!='), ('lt', '<'), ('le', '<='), ('gt', '>'),
                   ('ge', '>=')):
    register(OpInfo(_name, samples=binary(scalars=(2, -1.5, True)), grad=False, method=True,
                    out=True, inplace=True, broadcast='float32',
                    variants={f'x{_op}y': eval(f'lambda m, x, y: x {_op} y'),
                              f'2{_op}x': eval(f'lambda m, x, y: 2 {_op} x')}))


def where_samples(make):
    yield S(make.mask((2, 3)), make((2, 3)), make((2, 3)))
    yield S(make.mask((2, 3)), make((3,)), make((2, 1)))
    yield S(make.mask((3,)), make((2, 3)), make(()))
    yield S(make.mask(()), make(()), make(()))
    yield S(make.mask((2, 3)), make((2, 3)), 0.5)
    yield S(make.mask((2, 3)), 2, make((2, 3)))
    yield S(make.mask((0, 3)), make((0, 3)), make((3,)))


register(
    OpInfo('where', samples=where_samples, out=True, gradgrad=True,
           method=lambda m, c, x, y: x.where(c, y),
           errors=lambda make: [
               ErrorInput(S(make((2,), dtype='float32'), make((2,)), make((2,))), RuntimeError,
                          'where expected condition to be a boolean tensor, but got a tensor with '
                          'dtype Float'),
               ErrorInput(S(make.mask((4,)), make((2, 3)), make((2, 3))), RuntimeError,
                          'The size of tensor a (4) must match the size of tensor b (3) at '
                          'non-singleton dimension 1')]),
)

# logical and bitwise
for _name in ('logical_and', 'logical_or', 'logical_xor'):
    register(OpInfo(_name, samples=binary(scalars=()), grad=False, method=True, out=True,
                    broadcast='float32'))
register(
    OpInfo('logical_not', samples=unary(), grad=False, method=True, out=True, inplace=True),
    OpInfo('bitwise_not', samples=unary(), dtypes=BOOL + INTS, grad=False, method=True, out=True,
           variants={'~x': lambda m, x: ~x},
           errors=lambda make: [ErrorInput(S(make((2,))), NotImplementedError,
                                           '"bitwise_not_cpu" not implemented for \'Float\''),
                                ErrorInput(S(make((2,))), TypeError,
                                           '~ (operator.invert) is only implemented on integer and '
                                           'Boolean-type tensors', op=lambda m, x: ~x)]),
)
for _name, _op, _iop in (('bitwise_and', '&', lambda m, x, y: operator.iand(x, y)),
                         ('bitwise_or', '|', lambda m, x, y: operator.ior(x, y)),
                         ('bitwise_xor', '^', lambda m, x, y: operator.ixor(x, y))):
    register(OpInfo(_name, samples=binary(scalars=(3, True)), dtypes=BOOL + INTS, grad=False,
                    method=True, out=True, inplace=True, broadcast='int64',
                    variants={f'x{_op}y': eval(f'lambda m, x, y: x {_op} y'),
                              f'3{_op}x': eval(f'lambda m, x, y: 3 {_op} x')},
                    inplace_variants={f'x{_op}=y': _iop}))
