"""Op registry entries: elementwise ops (see opinfo.py for the framework)."""
import operator

import numpy as np

from opinfo import BOOL, FLOATS, ErrorInput, INTS, NUMERIC, OpInfo, S, binary, unary

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


# -- more unary float math (flambeau/ops/special.py) -------------------------------------------
def _unit(low=-0.95, high=0.95):
    """Float samples inside (low, high); integers over the default range (NaN outside)."""
    floats, ints = unary(low=low, high=high), unary()
    return lambda make: (floats if make.is_float else ints)(make)


register(
    OpInfo('rsqrt', samples=unary(low=0.2), method=True, inplace=True, out=True, gradgrad=True),
    OpInfo('reciprocal', samples=unary(exclude_zero=True), method=True, inplace=True, out=True,
           gradgrad=True),
    OpInfo('log1p', samples=unary(low=-0.9), method=True, inplace=True, out=True, gradgrad=True),
    OpInfo('expm1', samples=unary(), method=True, inplace=True, out=True, gradgrad=True),
    OpInfo('exp2', samples=unary(), method=True, inplace=True, out=True, gradgrad=True),
    OpInfo('log2', samples=unary(low=0.1), method=True, inplace=True, out=True, gradgrad=True),
    OpInfo('log10', samples=unary(low=0.1), method=True, inplace=True, out=True, gradgrad=True),
    OpInfo('tan', samples=unary(low=-1.2, high=1.2), method=True, inplace=True, out=True,
           gradgrad=True),
    OpInfo('asin', samples=_unit(), method=True, inplace=True, out=True, gradgrad=True,
           variants={'arcsin': lambda m, x: m.arcsin(x), 'x.arcsin': lambda m, x: x.arcsin()}),
    OpInfo('acos', samples=_unit(), method=True, inplace=True, out=True, gradgrad=True,
           variants={'arccos': lambda m, x: m.arccos(x)}),
    OpInfo('atan', samples=unary(), method=True, inplace=True, out=True, gradgrad=True,
           variants={'arctan': lambda m, x: m.arctan(x)}),
    OpInfo('sinh', samples=unary(), method=True, inplace=True, out=True, gradgrad=True),
    OpInfo('cosh', samples=unary(), method=True, inplace=True, out=True, gradgrad=True),
    OpInfo('asinh', samples=unary(), method=True, inplace=True, out=True, gradgrad=True,
           variants={'arcsinh': lambda m, x: m.arcsinh(x)}),
    OpInfo('acosh', samples=unary(low=1.1, high=4), method=True, inplace=True, out=True,
           gradgrad=True, variants={'arccosh': lambda m, x: m.arccosh(x)}),
    OpInfo('atanh', samples=_unit(), method=True, inplace=True, out=True, gradgrad=True,
           variants={'arctanh': lambda m, x: m.arctanh(x), 'x.arctanh_': lambda m, x: x.arctanh()}),
    OpInfo('erf', samples=unary(low=-5, high=5), method=True, inplace=True, out=True,
           gradgrad=True),
    OpInfo('erfc', samples=unary(low=-5, high=5), method=True, inplace=True, out=True,
           gradgrad=True),
    OpInfo('erfinv', samples=_unit(-0.99, 0.99), method=True, inplace=True, out=True,
           gradgrad=True),
    OpInfo('logit', samples=lambda make: list(_unit(0.05, 0.95)(make)) + [
        S(make((2, 3), 0, 2), 0.2).but(gradcheck=False), S(make((4,), 0, 2), eps=0.1)
        .but(gradcheck=False)], method=True, inplace=True, out=True, gradgrad=True),
)


def large_unary(make):
    """Values in a wide range (the tails of erf/erfc) and special values."""
    yield S(make((50,), -30, 30))
    if make.is_float:
        yield S(make.special())


register(
    OpInfo('erf_tails', lambda m, x, **k: m.erf(x, **k), samples=large_unary, grad=False),
    OpInfo('erfc_tails', lambda m, x, **k: m.erfc(x, **k), samples=large_unary, grad=False),
    OpInfo('erfinv_tails', lambda m, x, **k: m.erfinv(x, **k), grad=False,
           samples=lambda make: [S(make((40,), -1, 1))] + (
               [S(make.special()), S(make((3,), 1, 1))] if make.is_float else [])),
)


# -- float binary math --------------------------------------------------------------------------
def _tensor_only(name):
    return lambda make: [ErrorInput(S(make((2,)), 2.0), TypeError,
                                    f"{name}(): argument 'other' (position 2) must be Tensor")]


register(
    OpInfo('atan2', samples=binary(exclude_zero=True, scalars=()), method=True, inplace=True,
           out=True, gradgrad=True, broadcast='float32', errors=_tensor_only('atan2'),
           variants={'arctan2': lambda m, x, y: m.arctan2(x, y)}),
    OpInfo('hypot', samples=binary(exclude_zero=True, scalars=()), dtypes=FLOATS, method=True,
           inplace=True, out=True, gradgrad=True, broadcast='float32',
           errors=_tensor_only('hypot')),
    OpInfo('logaddexp', samples=binary(scalars=()), dtypes=FLOATS, method=True, out=True,
           gradgrad=True, broadcast='float32', errors=_tensor_only('logaddexp')),
    OpInfo('logaddexp2', samples=binary(scalars=()), dtypes=FLOATS, method=True, out=True,
           gradgrad=True, broadcast='float32'),
    OpInfo('xlogy', samples=binary(rhs_low=0.1, scalars=(2, 0.5)), method=True, inplace=True,
           out=True, gradgrad=True, broadcast='float32'),
    OpInfo('xlogy_scalar_self', lambda m, x, **k: m.xlogy(2.5, x, **k),
           samples=lambda make: [S(make((2, 3), 0.1)), S(make((), 0.1)), S(make((0,), 0.1))],
           gradgrad=True),
    OpInfo('xlogy_special', lambda m, x, y: m.xlogy(x, y), grad=False,
           samples=lambda make: [S(make.special(), make.special()[::-1].copy()),
                                 S(make.special() * 0, make.special())] if make.is_float else
           [S(make((3,)), make((3,)))]),
)


# -- rounding, sign ------------------------------------------------------------------------------
register(
    OpInfo('sgn', samples=unary(), method=True, inplace=True, out=True),
    OpInfo('signbit', samples=unary(), grad=False, method=True, out=True),
    OpInfo('floor', samples=unary(), dtypes=NUMERIC, method=True, inplace=True, out=True),
    OpInfo('ceil', samples=unary(), dtypes=NUMERIC, method=True, inplace=True, out=True),
    OpInfo('trunc', samples=unary(), dtypes=NUMERIC, method=True, inplace=True, out=True,
           variants={'fix': lambda m, x: m.fix(x), 'x.fix': lambda m, x: x.fix()}),
    OpInfo('round', samples=lambda make: list(unary()(make)) + [
        S(np.array([0.5, 1.5, 2.5, -0.5, -1.5], dtype=make((1,)).dtype) if make.is_float
          else make((3,))).but(gradcheck=False, desc='halves')], dtypes=NUMERIC, method=True,
           inplace=True, out=True),
    OpInfo('round_decimals', lambda m, x, d, **k: m.round(x, decimals=d, **k),
           samples=lambda make: [S(make((2, 3), -300, 300), 1), S(make((4,), -3000, 3000), -2),
                                 S(make((), -300, 300), 3), S(make((0,)), 2),
                                 S(make((3, 4), noncontig=True), 0)],
           dtypes=FLOATS, method=lambda m, x, d: x.round(decimals=d),
           inplace=lambda m, x, d: x.round_(decimals=d), out=True,
           tol={'float16': (2e-3, 1e-1), 'bfloat16': (1.6e-2, 4)}),
    OpInfo('frac', samples=unary(), dtypes=FLOATS, method=True, inplace=True, out=True,
           gradgrad=True),
)


# -- classification, nan_to_num ------------------------------------------------------------------
for _name in ('isnan', 'isinf', 'isfinite', 'isreal'):
    register(OpInfo(_name, samples=unary(), grad=False, method=True))
for _name in ('isposinf', 'isneginf'):
    register(OpInfo(_name, samples=unary(), grad=False, method=True, out=True))


def nan_to_num_samples(make):
    for s in unary()(make):
        yield s
    if make.is_float:
        yield S(make.special(), 1.0, 5.0, -5.0).but(gradcheck=False)
        yield S(make.special(), posinf=2.0).but(gradcheck=False)


register(
    OpInfo('nan_to_num', samples=nan_to_num_samples, method=True, inplace=True, out=True,
           gradgrad=True),
)


# -- fmax / fmin, shifts --------------------------------------------------------------------------
def fmaxmin_samples(make):
    yield from binary(scalars=())(make)
    if make.is_float:
        yield S(make.special(), make.special()[::-1].copy()).but(gradcheck=False)
    x = make((2, 3))
    yield S(x, x.copy()).but(gradcheck=False, desc='ties')


register(
    OpInfo('fmax', samples=fmaxmin_samples, method=True, out=True, gradgrad=True,
           broadcast='float32', errors=_tensor_only('fmax')),
    OpInfo('fmin', samples=fmaxmin_samples, method=True, out=True, gradgrad=True,
           broadcast='float32'),
    OpInfo('maximum_ties', lambda m, x, y, **k: m.maximum(x, y, **k), gradcheck=False,
           samples=lambda make: [S(make((2, 3)), make((2, 3))).but(gradcheck=False)]),
)


def shift_samples(make):
    yield from binary(low=-50, high=50, rhs_low=0, rhs_high=8, scalars=(1, 3))(make)
    if not make.is_float and make.dtype != 'bool':
        bits = np.dtype(make.dtype).itemsize * 8
        yield S(make((4,)), np.array([bits - 1, bits, bits + 3, -1]).astype(make.dtype)
                if make.dtype != 'uint8' else np.array([7, 8, 11, 200], np.uint8))
        yield S(make((3,)), 70)


register(
    OpInfo('bitwise_left_shift', samples=shift_samples, dtypes=INTS, grad=False, method=True,
           inplace=True, out=True, broadcast='int64',
           variants={'x<<y': lambda m, x, y: x << y, '3<<x': lambda m, x, y: 3 << x},
           inplace_variants={'x<<=y': lambda m, x, y: operator.ilshift(x, y)}),
    OpInfo('bitwise_right_shift', samples=shift_samples, dtypes=INTS, grad=False, method=True,
           inplace=True, out=True, broadcast='int64',
           variants={'x>>y': lambda m, x, y: x >> y, '300>>x': lambda m, x, y: 300 >> x},
           inplace_variants={'x>>=y': lambda m, x, y: operator.irshift(x, y)}),
)
for _name in ('logical_and', 'logical_or', 'logical_xor'):
    register(OpInfo(_name + '_inplace', lambda m, x, y, _n=_name: getattr(m, _n)(x, y),
                    samples=binary(scalars=()), grad=False,
                    inplace=lambda m, x, y, _n=_name: getattr(x, _n + '_')(y)))


# -- fmod, square, lerp, addcmul, addcdiv (flambeau/ops/arithmetic.py) ---------------------------
register(
    OpInfo('fmod', samples=binary(exclude_zero=True, scalars=(2, -1.5)), dtypes=NUMERIC,
           method=True, inplace=True, out=True, gradgrad=True, broadcast='float32',
           errors=lambda make: [ErrorInput(S(make((2,), dtype='int64'), 0), RuntimeError,
                                           'ZeroDivisionError')]),
    OpInfo('square', samples=unary(), method=True, inplace=True, out=True, gradgrad=True),
    OpInfo('pow_negative_base', lambda m, x, y, **k: m.pow(x, y, **k),
           samples=lambda make: [S(make((2, 3), -3, -0.5), 2), S(make((2, 3), -3, -0.5), 3),
                                 S(make((2, 3), -3, -0.5), make((3,), 0, 4).round())
                                 .but(gradcheck=False, desc='d/dy is NaN'),
                                 S(make((4,), -3, -0.5), -2)] if make.is_float else
           [S(make((2, 3)), 3), S(make((3,), -5, 5), make((3,), 0, 4))],
           dtypes=NUMERIC, method=lambda m, x, y: x.pow(y), gradgrad=True,
           variants={'int_neg_exponents': lambda m, x, y: m.pow(
               m.tensor([2, 3, 1, -1, 0, -1]), m.tensor([1, -1, -1, -1, -2, -3]))}),
)


def lerp_samples(make):
    yield S(make((2, 3)), make((2, 3)), 0.3)
    yield S(make((2, 3)), make((3,)), 0.7)
    yield S(make(()), make(()), -0.5)
    yield S(make((0, 3)), make((3,)), 0.5)
    yield S(make((3, 4), noncontig=True), make((3, 4)), 1.5)
    yield S(make((2, 3)), make((2, 3)), make((2, 3), 0, 1))
    yield S(make((2, 1)), make((1, 3)), make((3,), 0, 1))
    yield S(make(()), make((2, 3)), make(()))


register(
    OpInfo('lerp', samples=lerp_samples, dtypes=FLOATS, method=True, inplace=True, out=True,
           gradgrad=True,
           errors=lambda make: [
               ErrorInput(S(make((2,)), make((2,), dtype='float64'), 0.5), RuntimeError,
                          'expected dtype float for `end` but got dtype double'),
               ErrorInput(S(make((2,)), make((2,)), make((2,), dtype='float64')), RuntimeError,
                          'expected dtype float for `weight` but got dtype double'),
               ErrorInput(S(make((2, 3)), make((4,)), 0.5), RuntimeError,
                          'The size of tensor a (3) must match the size of tensor b (4)')]),
)


def addc_samples(div):
    def samples(make):
        def d(shape):
            return make(shape, exclude_zero=True) if div else make(shape)
        yield S(make((2, 3)), make((2, 3)), d((2, 3)))
        yield S(make((2, 3)), make((3,)), d((2, 1)))
        yield S(make(()), make(()), d(()))
        yield S(make((0, 3)), make((3,)), d((3,)))
        yield S(make((3, 4), noncontig=True), make((3, 4)), d((3, 4), ))
        yield S(make((3,)), make((2, 3)), d(()), value=2)
        if make.is_float:
            yield S(make((2, 3)), make((2, 3)), d((2, 3)), value=-0.5)
    return samples


register(
    OpInfo('addcmul', samples=addc_samples(False), dtypes=NUMERIC, method=True, inplace=True,
           out=True, gradgrad=True,
           errors=lambda make: [ErrorInput(S(make((2, 3)), make((4,)), make((2, 3))),
                                           RuntimeError, 'must match the size of tensor b')]),
    OpInfo('addcdiv', samples=addc_samples(True), dtypes=FLOATS, method=True, inplace=True,
           out=True, gradgrad=True,
           errors=lambda make: [ErrorInput(S(make((2,), dtype='int64'), make((2,), dtype='int64'),
                                             make((2,), dtype='int64')), RuntimeError,
                                           'Integer division with addcdiv is no longer supported')]),
)
