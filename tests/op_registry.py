"""The op registry: one ``OpInfo`` per op drives every check of ``test_ops.py``.

An entry names the op, says how to call it (one lambda taking the module, so that the same
code runs on ``flambeau`` and on ``torch``), how to make sample inputs, which dtypes it
supports and whether it is differentiable. From that, test_ops.py checks, against PyTorch:

* forward values, shapes, dtypes and aliasing (view or copy) over every sample and supported
  dtype, for the function form and every other form (method, operator, reflected operator);
* that the dtypes left out raise the exception PyTorch raises;
* gradients of every floating-point input for the same upstream gradient, and ``grad_fn``
  names;
* ``gradcheck`` in float64 (and ``gradgradcheck`` where ``gradgrad=True``);
* the in-place forms (on a non-leaf and through a view of one, with gradients) and ``out=``;
* error inputs: same exception type, and a key part of the message in both.

Adding an op is one entry, in its family's section below::

    OpInfo('exp', samples=unary(), method=True, inplace=True, out=True, gradgrad=True)

* ``samples``: reuse ``unary()``, ``binary()``, ``scalar_lhs()``, ``reduce_samples()``,
  ``_many(...)``, or write a generator ``samples(make)``; ``make(shape, low=, high=)`` returns
  a NumPy array of the dtype under test (see ``Maker``). Cover a 0-d, an empty and a
  non-contiguous input, and broadcasting for ops of several tensors. A NumPy array anywhere in
  a sample's arguments (also inside lists and tuples: ``cat``'s list, an index tuple) becomes
  a tensor in each framework; everything else (numbers, lists of ints, slices) is passed as is.
* ``dtypes``: the ones PyTorch supports. The primary form must succeed in torch on every sample
  of these (else the registry is wrong); a dtype left out must make torch raise on at least one
  sample, and flambeau must raise the same exception type wherever torch does.
* Points where the op is not differentiable (ties, kinks): ``S(...).but(gradcheck=False)``;
  samples whose backward torch itself rejects: ``.but(grad=False)`` (forward still compared).
"""
import inspect
import operator

import ml_dtypes
import numpy as np

BOOL = ('bool',)
INTS = ('uint8', 'int8', 'int16', 'int32', 'int64')
FLOATS = ('float16', 'bfloat16', 'float32', 'float64')
ALL = BOOL + INTS + FLOATS
NUMERIC = INTS + FLOATS


def np_dtype(name):
    return np.dtype(ml_dtypes.bfloat16) if name == 'bfloat16' else np.dtype(name)


# -- samples ---------------------------------------------------------------------------------
class Sample:
    """One call: positional ``args``, keyword ``kwargs``.

    ``grad``: which inputs require grad: True (every floating-point array), False, or a tuple
    of positions in ``args``. ``gradcheck``: whether the float64 gradcheck uses it (False for
    points where the op is not differentiable, e.g. ties). ``desc``: shown on failure.
    """
    __slots__ = ('args', 'kwargs', 'grad', 'gradcheck', 'desc')

    def __init__(self, args, kwargs=None, grad=True, gradcheck=True, desc=''):
        self.args, self.kwargs = tuple(args), dict(kwargs or {})
        self.grad, self.gradcheck, self.desc = grad, gradcheck, desc

    def but(self, **meta):
        """This sample with ``grad``, ``gradcheck`` or ``desc`` changed."""
        for k, v in meta.items():
            setattr(self, k, v)
        return self

    def __repr__(self):
        parts = [_show(a) for a in self.args] + [f'{k}={_show(v)}' for k, v in self.kwargs.items()]
        return f"({', '.join(parts)}){' ' + self.desc if self.desc else ''}"


def S(*args, **kwargs):
    """A sample calling the op with ``(*args, **kwargs)``."""
    return Sample(args, kwargs)


def _show(a):
    if isinstance(a, np.ndarray):
        nc = '' if a.flags.c_contiguous or a.ndim < 2 else ' noncontig'
        return f'{a.dtype}{list(a.shape)}{nc}'
    if isinstance(a, list):
        return '[' + ', '.join(_show(x) for x in a) + ']'
    if isinstance(a, tuple):
        return '(' + ', '.join(_show(x) for x in a) + ')'
    return repr(a)


class ErrorInput:
    """A call that must raise ``exc`` (exactly that type, in torch and in flambeau) with
    ``match`` in the message of both."""
    __slots__ = ('sample', 'exc', 'match', 'op')

    def __init__(self, sample, exc, match, op=None):
        self.sample, self.exc, self.match, self.op = sample, exc, match, op

    def __repr__(self):
        return f'{self.sample!r} -> {self.exc.__name__}({self.match!r})'


class Maker:
    """``make(shape, low=None, high=None, exclude_zero=False, noncontig=False, dtype=None)``:
    a random NumPy array of the dtype under test (or ``dtype``), deterministic per test.

    Floats are uniform in ``[low, high)`` (default [-3, 3)), integers in ``[low, high)``
    (default [-9, 10), [0, 10) for uint8), bools half True. ``noncontig`` gives a transposed
    (non-contiguous) array; the tests build the tensors as a permuted view of a contiguous one.
    """

    def __init__(self, dtype, seed):
        self.dtype = dtype
        self.rng = np.random.default_rng(seed)

    @property
    def is_float(self):
        return self.dtype in FLOATS

    def __call__(self, shape, low=None, high=None, exclude_zero=False, noncontig=False,
                 dtype=None):
        dt = dtype or self.dtype
        shape = tuple(shape)
        if noncontig:
            return self(shape[::-1], low, high, exclude_zero, False, dt).T
        rng = self.rng
        if dt == 'bool':
            return np.asarray(rng.random(shape) < 0.5)
        if dt in FLOATS:
            lo = -3.0 if low is None else low
            hi = 3.0 if high is None else high
            v = rng.uniform(lo, hi, size=shape)
            if exclude_zero:
                v = np.where(np.abs(v) < 0.25, np.where(v < 0, -0.5, 0.5), v)
            return np.asarray(v.astype(np_dtype(dt)))
        info = np.iinfo(dt)
        lo = (0 if dt == 'uint8' else -9) if low is None else max(int(low), info.min)
        hi = 10 if high is None else min(int(high), info.max + 1)
        v = rng.integers(lo, hi, size=shape).astype(dt)
        if exclude_zero:
            v = np.where(v == 0, np.array(1, dt), v)
        return np.asarray(v)

    def index(self, shape, high, low=0):
        """An int64 index array with values in ``[low, high)``."""
        return np.asarray(self.rng.integers(low, high, size=shape).astype(np.int64))

    def perm_index(self, shape, dim, size):
        """An int64 index whose entries along ``dim`` are distinct values in ``[0, size)``
        (for ``scatter``: no two writes to one place)."""
        idx = np.empty(shape, np.int64)
        moved = np.moveaxis(idx, dim, -1)
        for pos in np.ndindex(moved.shape[:-1]):
            moved[pos] = self.rng.permutation(size)[:moved.shape[-1]]
        return idx

    def mask(self, shape):
        return np.asarray(self.rng.random(shape) < 0.5)

    def special(self):
        """Values where ops misbehave: zeros of both signs, infinities, NaN."""
        return np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1.5, -2.5],
                        dtype=np_dtype(self.dtype))


# -- OpInfo ----------------------------------------------------------------------------------
def _function(name):
    return lambda m, *a, **k: getattr(m, name)(*a, **k)


def _method(name):
    return lambda m, x, *a, **k: getattr(x, name)(*a, **k)


def takes_kwargs(fn):
    """Whether a form accepts keyword arguments (operator forms do not)."""
    return any(p.kind is p.VAR_KEYWORD for p in inspect.signature(fn).parameters.values())


class OpInfo:
    """One op of the registry.

    name: the test id (and, when ``op`` is not given, the name of the ``torch.<name>``
        function).
    op: the primary form, ``lambda m, *args, **kwargs`` with ``m`` the module.
    samples: ``samples(make) -> iterable of Sample``.
    dtypes: the dtypes PyTorch supports (others are checked to raise as in PyTorch).
    grad: whether the op is differentiable (gradient tests on the float dtypes).
    method: also test ``x.<name>(*rest)`` (True) or the given lambda.
    variants: more forms ``{label: lambda}`` (operators, aliases).
    inplace: the in-place form (True: ``x.<name>_(*rest)``).
    inplace_variants: more in-place forms ``{label: lambda}`` (``x += y``), each returning
        the tensor written to.
    out: whether the function form takes ``out=``.
    gradcheck: run float64 gradcheck (default: ``grad``). gradgrad: run gradgradcheck.
    errors: ``errors(make) -> iterable of ErrorInput`` (made with float32).
    broadcast: for a binary op, the dtype of the error inputs whose shapes do not broadcast
        (PyTorch's "The size of tensor a (3) must match ..."; the in-place form's "output with
        shape ... doesn't match the broadcast shape ...").
    tol / grad_tol: ``{dtype: (rtol, atol)}`` overriding the defaults.
    """

    def __init__(self, name, op=None, *, samples, dtypes=ALL, grad=True, method=False,
                 variants=None, inplace=None, inplace_variants=None, out=False, gradcheck=None,
                 gradgrad=False, errors=None, broadcast=None, tol=None, grad_tol=None):
        self.name = name
        self.op = op or _function(name)
        self.samples = samples
        self.dtypes = tuple(dtypes)
        self.grad = grad
        self.forms = {'fn': self.op}
        if method:
            self.forms['method'] = _method(name) if method is True else method
        self.forms.update(variants or {})
        self.inplace = _method(name + '_') if inplace is True else inplace
        self.inplace_forms = {'method': self.inplace} if self.inplace else {}
        self.inplace_forms.update(inplace_variants or {})
        self.out = out
        self.gradcheck = grad if gradcheck is None else gradcheck
        self.gradgrad = gradgrad
        self.errors = errors
        self.broadcast = broadcast
        self.tol = tol or {}
        self.grad_tol = grad_tol or {}

    def __repr__(self):
        return self.name

    @property
    def grad_dtypes(self):
        return tuple(d for d in self.dtypes if d in FLOATS) if self.grad else ()

    def sample_list(self, dtype, seed=0):
        return list(self.samples(Maker(dtype, seed)))

    def error_inputs(self):
        make = Maker('float32', 0)
        out = list(self.errors(make)) if self.errors else []
        d = self.broadcast
        if d:
            out += [ErrorInput(S(make((2, 3), dtype=d), make((4,), dtype=d)), RuntimeError,
                               'The size of tensor a (3) must match the size of tensor b (4) at '
                               'non-singleton dimension 1'),
                    ErrorInput(S(make((3, 1), dtype=d), make((1, 2, 4), dtype=d)), RuntimeError,
                               'The size of tensor a (3) must match the size of tensor b (2) at '
                               'non-singleton dimension 1')]
            if self.inplace:
                out.append(ErrorInput(S(make((3,), dtype=d), make((2, 3), dtype=d)), RuntimeError,
                                      "output with shape [3] doesn't match the broadcast shape "
                                      "[2, 3]", op=self.inplace))
        return out


DEFAULT_TOL = {'float16': (2e-3, 1e-3), 'bfloat16': (1.6e-2, 1e-2), 'float32': (1.3e-6, 1e-5),
               'float64': (1e-7, 1e-7)}
DEFAULT_GRAD_TOL = {'float16': (1e-2, 1e-2), 'bfloat16': (5e-2, 5e-2),
                    'float32': (1e-5, 1e-5), 'float64': (1e-7, 1e-7)}


# -- sample generators -----------------------------------------------------------------------
UNARY_SHAPES = [(), (0,), (5,), (2, 3), (2, 0, 3), (1, 3, 2)]


def unary(low=None, high=None, special=True, exclude_zero=False):
    """One tensor argument over several shapes, a non-contiguous one and special values."""
    def samples(make):
        for s in UNARY_SHAPES:
            yield S(make(s, low, high, exclude_zero))
        yield S(make((3, 4), low, high, exclude_zero, noncontig=True))
        if special and make.is_float:
            yield S(make.special()).but(gradcheck=False, desc='special values')
    return samples


BINARY_SHAPES = [((), ()), ((4,), (4,)), ((2, 3), (2, 3)), ((2, 3), (3,)), ((2, 1), (1, 3)),
                 ((2, 3), ()), ((), (2, 3)), ((0, 3), (3,)), ((3, 1, 2), (4, 1)),
                 ((1,), (2, 3))]


def binary(low=None, high=None, rhs_low=None, rhs_high=None, exclude_zero=False, scalars=(2, -1.5),
           kwargs_samples=()):
    """Two tensors over broadcasting shape pairs (0-d, empty, non-contiguous), then a tensor
    and each Python number of ``scalars``, then ``kwargs_samples`` (dicts of keywords)."""
    def samples(make):
        def lhs(s, **k):
            return make(s, low, high, **k)

        def rhs(s, **k):
            return make(s, rhs_low, rhs_high, exclude_zero=exclude_zero, **k)
        for sa, sb in BINARY_SHAPES:
            yield S(lhs(sa), rhs(sb))
        yield S(lhs((3, 4), noncontig=True), rhs((3, 4), noncontig=True))
        for c in scalars:
            yield S(lhs((2, 3)), c)
            yield S(lhs(()), c)
        for kw in kwargs_samples:
            kw = dict(kw)
            if kw.pop('float', False) and not make.is_float:
                continue  # a float alpha needs floating point inputs
            yield Sample((lhs((2, 3)), rhs((3,))), kw)
    return samples


# -- the registry ----------------------------------------------------------------------------
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


# matrix products
MATMUL_SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 2)), ((2, 3), (3, 4)),
                 ((2, 2, 3), (3, 4)), ((3,), (2, 3, 4)), ((2, 3, 4), (4,)), ((2, 3), (2, 3, 4)),
                 ((2, 1, 2, 3), (3, 3, 2)), ((2, 2, 3), (2, 3, 2)), ((0, 3), (3, 2)),
                 ((2, 0), (0, 3)), ((1, 2, 3), (4, 3, 1)), ((2, 0), (3, 0, 4)),
                 ((1, 3), (2, 3, 4)), ((3,), (2, 3, 1)), ((2, 2, 3), (1, 3, 2))]


def matmul_samples(make):
    for sa, sb in MATMUL_SHAPES:
        yield S(make(sa, -2, 2), make(sb, -2, 2))
    yield S(make((3, 4), -2, 2, noncontig=True), make((4, 2), -2, 2, noncontig=True))


class Sh(tuple):
    """A shape standing for a random tensor of that shape in ``_shape_errors``."""

    def __new__(cls, *shape):
        return tuple.__new__(cls, shape)


def _shape_errors(pairs):
    """Error inputs from ``(args, exc, match)`` where the first argument is a shape (a
    tensor of it) and further ones are taken as they are, except ``Sh(...)`` shapes."""
    def errors(make):
        return [ErrorInput(S(*[make(a) if i == 0 or isinstance(a, Sh) else a
                               for i, a in enumerate(args)]), exc, match)
                for args, exc, match in pairs]
    return errors


MATMUL_TOL = {'float16': (1e-2, 1e-2), 'bfloat16': (3e-2, 5e-2)}  # sums of products

register(
    OpInfo('matmul', samples=matmul_samples, dtypes=NUMERIC, method=True, out=True,
           gradgrad=True, tol=MATMUL_TOL, variants={'x@y': lambda m, x, y: x @ y},
           errors=_shape_errors([
               (((2, 3), Sh(2, 3)), RuntimeError,
                'mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)'),
               (((3,), Sh(4,)), RuntimeError, 'inconsistent tensor size'),
               (((), Sh(3,)), RuntimeError, 'both arguments to matmul need to be at least 1D'),
               (((2, 3), Sh(4,)), RuntimeError, 'size mismatch'),
               (((2, 2, 3), Sh(2, 4, 2)), RuntimeError,
                'Expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: '
                '[2, 4]'),
           ])),
    OpInfo('mm', samples=lambda make: [S(make((2, 3)), make((3, 4))),
                                       S(make((0, 3)), make((3, 2))),
                                       S(make((3, 2), noncontig=True), make((2, 2)))],
           dtypes=NUMERIC, method=True, out=True, gradgrad=True, tol=MATMUL_TOL,
           errors=_shape_errors([
               (((2, 3), Sh(2, 3)), RuntimeError,
                'mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)'),
               (((3,), Sh(3, 2)), RuntimeError, 'self must be a matrix'),
           ])),
    OpInfo('bmm', samples=lambda make: [S(make((2, 2, 3)), make((2, 3, 4))),
                                        S(make((0, 2, 3)), make((0, 3, 1)))],
           dtypes=NUMERIC, method=True, out=True, gradgrad=True, tol=MATMUL_TOL,
           errors=_shape_errors([
               (((2, 2, 3), Sh(3, 3, 4)), RuntimeError,
                'Expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: '
                '[3, 3]'),
               (((2, 3), Sh(2, 3, 4)), RuntimeError, 'batch1 must be a 3D tensor'),
           ])),
    OpInfo('mv', samples=lambda make: [S(make((2, 3)), make((3,))),
                                       S(make((0, 3)), make((3,)))],
           dtypes=NUMERIC, method=True, out=True, gradgrad=True, tol=MATMUL_TOL,
           errors=_shape_errors([
               (((2, 3), Sh(4,)), RuntimeError, 'size mismatch, got input (2), mat (2x3), vec (4)'),
           ])),
    OpInfo('dot', samples=lambda make: [S(make((3,)), make((3,))), S(make((0,)), make((0,)))],
           dtypes=NUMERIC, method=True, out=True, gradgrad=True, tol=MATMUL_TOL,
           errors=_shape_errors([
               (((3,), Sh(4,)), RuntimeError,
                'inconsistent tensor size, expected tensor [3] and src [4] to have the same '
                'number of elements'),
               (((2, 3), Sh(3,)), RuntimeError, '1D tensors expected, but got 2D and 1D tensors'),
           ])),
)


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


class _ModuleAttr:
    """An argument resolved on the module under test: ``M('float64')`` is ``m.float64``."""
    __slots__ = ('name',)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f'm.{self.name}'


M = _ModuleAttr
_float64 = M('float64')


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


# shape ops (views)
def _one(shape, *rest, **kw):
    """Samples: one tensor of ``shape`` followed by each argument tuple of ``rest``."""
    def samples(make):
        for args in rest:
            yield Sample((make(shape),) + tuple(args), kw)
    return samples


def _many(*cases):
    """Samples from ``(shape, args...)`` cases; ``shape`` may end in 'nc' (non-contiguous)."""
    def samples(make):
        for shape, *args in cases:
            nc = bool(shape) and shape[-1] == 'nc'
            shape = shape[:-1] if nc else shape
            yield Sample((make(shape, noncontig=nc),) + tuple(args))
    return samples


register(
    OpInfo('view', lambda m, x, *a: x.view(*a),
           samples=_many(((2, 3), 6), ((2, 3), 3, 2), ((2, 3), (-1,)), ((2, 3), [3, -1]),
                         ((), 1), ((1,), ()), ((0, 3), 3, 0), ((2, 3, 4), 2, -1)),
           errors=lambda make: [
               ErrorInput(S(make((2, 3)), 4), RuntimeError,
                          "shape '[4]' is invalid for input of size 6"),
               ErrorInput(S(make((2, 3)), -1, -1), RuntimeError,
                          'only one dimension can be inferred'),
               ErrorInput(S(make((3, 4), noncontig=True), 12), RuntimeError,
                          "view size is not compatible with input tensor's size and stride"),
           ]),
    OpInfo('reshape', samples=_many(((2, 3), (6,)), ((2, 3), (3, 2)), ((2, 3), (-1, 2)),
                                    ((), (1,)), ((3, 4, 'nc'), (12,)), ((3, 4, 'nc'), (4, 3)),
                                    ((0, 3), (3, 0)), ((2, 3), (2, 3))),
           method=lambda m, x, s: x.reshape(*s)),
    OpInfo('t', samples=_many(((2, 3),), ((3,),), ((),), ((3, 4, 'nc'),)), method=True,
           errors=_shape_errors([(((2, 3, 4),), RuntimeError,
                                  't() expects a tensor with <= 2 dimensions, but self is 3D')])),
    OpInfo('transpose', samples=_many(((2, 3), 0, 1), ((2, 3, 4), -1, 0), ((2, 3), 1, 1),
                                      ((), 0, -1), ((3, 4, 'nc'), 0, 1)),
           method=True, gradgrad=True,
           variants={'swapaxes': lambda m, x, a, b: x.swapaxes(a, b),
                     'swapdims': lambda m, x, a, b: m.swapdims(x, a, b)},
           errors=_shape_errors([(((2, 3), 0, 2), IndexError, 'Dimension out of range')])),
    OpInfo('permute', samples=_many(((2, 3, 4), (2, 0, 1)), ((2, 3), (1, 0)), ((), ()),
                                    ((2, 3, 4), (-1, 0, 1))),
           method=lambda m, x, d: x.permute(*d), gradgrad=True,
           errors=_shape_errors([
               (((2, 3), (0,)), RuntimeError,
                'number of dimensions in the tensor input does not match the length of the '
                'desired ordering of dimensions i.e. input.dim() = 2 is not equal to '
                'len(dims) = 1'),
               (((2, 3), (0, 0)), RuntimeError, 'permute(): duplicate dims are not allowed.')])),
    OpInfo('movedim', samples=_many(((2, 3, 4), 0, -1), ((2, 3, 4), (0, 1), (2, 0)),
                                    ((2, 3), 1, 0)), method=True,
           variants={'moveaxis': lambda m, *a: m.moveaxis(*a)}),
    OpInfo('squeeze', samples=_many(((2, 1, 3, 1),), ((2, 1, 3, 1), 1), ((2, 1, 3, 1), 0),
                                    ((2, 1, 3, 1), (1, 3)), ((1,),), ((),), ((), 0),
                                    ((1, 0),)), method=True),
    OpInfo('unsqueeze', samples=_many(((2, 3), 0), ((2, 3), -1), ((2, 3), 1), ((), 0)),
           method=True,
           errors=_shape_errors([(((2, 3), 3), IndexError,
                                  'Dimension out of range (expected to be in range of [-3, 2], but '
                                  'got 3)')])),
    OpInfo('flatten', samples=_many(((2, 3, 4),), ((2, 3, 4), 1), ((2, 3, 4), 0, 1),
                                    ((2, 3, 4), 1, 1), ((),), ((3, 4, 'nc'),)), method=True,
           errors=_shape_errors([(((2, 3, 4), 2, 1), RuntimeError,
                                  'flatten() has invalid args: start_dim cannot come after '
                                  'end_dim')])),
    OpInfo('unflatten', samples=_many(((2, 12), 1, (3, 4)), ((6,), 0, (2, -1)),
                                      ((2, 6), -1, (3, 2))), method=True),
    OpInfo('expand', lambda m, x, *a: x.expand(*a),
           samples=_many(((3, 1), 3, 4), ((3, 1), (2, 3, 4)), ((1,), 5), ((), 2, 3),
                         ((3, 1), -1, 2)),
           gradgrad=True,
           errors=_shape_errors([
               (((3, 2), 3, 4), RuntimeError,
                'The expanded size of the tensor (4) must match the existing size (2) at '
                'non-singleton dimension 1'),
               (((3, 2), 2), RuntimeError,
                'the number of sizes provided (1) must be greater or equal to the number of '
                'dimensions in the tensor (2)')])),
    OpInfo('expand_as', lambda m, x, y: x.expand_as(y),
           samples=lambda make: [S(make((3, 1)), make((2, 3, 4))), S(make(()), make((2,)))]),
    OpInfo('broadcast_to', samples=_many(((3, 1), (2, 3, 4)), ((), (2,))), method=True),
    OpInfo('narrow', samples=_many(((4, 3), 0, 1, 2), ((4, 3), -1, 0, 3), ((4, 3), 1, -2, 1),
                                   ((4, 3), 0, 0, 0)), method=True,
           errors=_shape_errors([(((4, 3), 0, 3, 2), RuntimeError,
                                  'start (3) + length (2) exceeds dimension size (4).')])),
    OpInfo('select', samples=_many(((4, 3), 0, 1), ((4, 3), 1, -1), ((4,), 0, 3)),
           method=True, gradgrad=True,
           errors=_shape_errors([(((4, 3), 0, 4), IndexError,
                                  'select(): index 4 out of range for tensor of size [4, 3] at '
                                  'dimension 0')])),
    OpInfo('unbind', samples=_many(((3, 2),), ((3, 2), 1), ((2, 3, 4), -1), ((0, 2), 1)),
           method=True, gradgrad=True),
    OpInfo('split', samples=_many(((5, 2), 2), ((5, 2), 1, 1), ((5, 2), [1, 4]),
                                  ((5, 2), [2, 0, 3]), ((5, 2), 5), ((5, 2), 7)),
           method=True, gradgrad=True,
           errors=_shape_errors([(((5, 2), [1, 2]), RuntimeError,
                                  'split_with_sizes expects split_sizes to sum exactly to 5')])),
    OpInfo('chunk', samples=_many(((5, 2), 2), ((5, 2), 5), ((5, 2), 7), ((6, 2), 3),
                                  ((5, 2), 1, 1)), method=True,
           errors=_shape_errors([(((5, 2), 0), RuntimeError,
                                  'chunk expects `chunks` to be greater than 0, got: 0')])),
)


def cat_samples(make):
    yield S([make((2, 3)), make((1, 3)), make((0, 3))])
    yield S([make((2, 3)), make((2, 1))], 1)
    yield S([make((2, 3)), make((2, 2))], dim=-1)
    yield S([make((2,))])
    yield S([make((0,)), make((2, 3))]).but(desc='legacy empty 1-d')
    yield S((make((3, 4), noncontig=True), make((1, 4))))


def stack_samples(make):
    yield S([make((2, 3)), make((2, 3))])
    yield S([make((2, 3)), make((2, 3)), make((2, 3))], 1)
    yield S([make((2, 3)), make((2, 3))], dim=-1)
    yield S([make(()), make(())])
    yield S([make((0, 2))])


register(
    OpInfo('cat', gradgrad=True, samples=cat_samples, out=True,
           variants={'concat': lambda m, *a, **k: m.concat(*a, **k)},
           errors=lambda make: [
               ErrorInput(S([make((2, 3)), make((2, 2))]), RuntimeError,
                          'Sizes of tensors must match except in dimension 0. Expected size 3 but '
                          'got size 2 for tensor number 1 in the list.'),
               ErrorInput(S([make(())]), RuntimeError,
                          'zero-dimensional tensor (at position 0) cannot be concatenated'),
               ErrorInput(S([make((2, 3)), make((2,))]), RuntimeError,
                          'Tensors must have same number of dimensions: got 2 and 1'),
               ErrorInput(S([]), ValueError, 'expected a non-empty list of Tensors'),
           ]),
    OpInfo('stack', gradgrad=True, samples=stack_samples, out=True,
           errors=lambda make: [
               ErrorInput(S([make((2, 3)), make((3, 2))]), RuntimeError,
                          'stack expects each tensor to be equal size, but got [2, 3] at entry 0 '
                          'and [3, 2] at entry 1'),
               ErrorInput(S([]), RuntimeError, 'stack expects a non-empty TensorList'),
           ]),
)


# gather / scatter
def gather_samples(make):
    x = make((3, 4))
    yield S(x, 0, make.index((2, 4), 3))
    yield S(x, 1, make.index((3, 2), 4))
    yield S(x, -1, make.index((2, 3), 4))
    yield S(make((4,)), 0, make.index((6,), 4))
    yield S(x, 1, make.index((3, 0), 4))
    yield S(x, 0, make.index((2, 4), 3).astype(np.int32))


def scatter_samples(make):
    x = make((3, 4))
    yield S(x, 0, make.perm_index((2, 4), 0, 3), make((2, 4)))
    # src larger than index: torch's backward rejects its own src gradient (shape [3, 2]
    # for a [3, 3] src), so only the forward is compared
    yield S(x, 1, make.perm_index((3, 2), 1, 4), make((3, 3))).but(grad=False)
    yield S(x, 1, make.perm_index((2, 3), 1, 4), 1.5)
    yield S(x, -1, make.perm_index((3, 4), 1, 4), make((3, 4)))
    yield S(x, 0, make.perm_index((2, 4), 0, 3).astype(np.int32), make((2, 4)))
    yield S(make((4,)), 0, make.perm_index((2,), 0, 4), make((3,))).but(grad=False)


def scatter_add_samples(make):
    x = make((3, 4))
    yield S(x, 0, make.index((5, 4), 3), make((5, 4)))
    yield S(x, 1, make.index((3, 6), 4), make((3, 6)))
    yield S(x, 1, make.index((2, 2), 4), make((3, 3))).but(grad=False)  # as in scatter
    yield S(make((4,)), 0, make.index((6,), 4), make((6,)))
    yield S(x, 0, make.index((5, 4), 3).astype(np.int32), make((5, 4)))


register(
    OpInfo('gather', gradgrad=True, samples=gather_samples, method=True, out=True,
           errors=lambda make: [
               ErrorInput(S(make((3, 4)), 0, make.index((2,), 3)), RuntimeError,
                          'Index tensor must have the same number of dimensions as input tensor'),
               ErrorInput(S(make((3, 4)), 0, make.index((2, 4), 3).astype(np.int16)),
                          RuntimeError, 'gather(): Expected dtype int32/int64 for index'),
           ]),
    OpInfo('scatter', gradgrad=True, samples=scatter_samples, method=True, inplace=True,
           errors=lambda make: [
               ErrorInput(S(make((3, 4)), 0, make.index((2,), 3), make((2,))), RuntimeError,
                          'Index tensor must have the same number of dimensions as self tensor'),
               ErrorInput(S(make((3, 4)), 0, make.index((2, 4), 3).astype(np.int16), 1.0),
                          RuntimeError, 'scatter(): Expected dtype int32/int64 for index'),
           ]),
    OpInfo('scatter_add', gradgrad=True, samples=scatter_add_samples, method=True, inplace=True),
)


# indexing
def _getitem(m, x, idx):
    """``x[idx]``; index arrays in ``idx`` arrive as tensors, lists stay lists."""
    return x[idx]


def getitem_samples(make):
    x = make((4, 5, 3))
    for idx in (1, -1, slice(1, 3), slice(None, None, 2), slice(-3, None), (1, 2), (1, -2, 0),
                (slice(None), 0), (Ellipsis, 1), (None, 1), (1, None, slice(None, None, 2)),
                (slice(1, 4, 2), Ellipsis, None), slice(5, 9), (slice(None), slice(1, 1)),
                np.array([0, 2, 2]), np.array([[1, 0], [3, 3]]), [0, 3], [[0, 1], [2, 3]],
                (np.array([0, 1]), np.array([2, 4])), (slice(None), np.array([1, 1, 0])),
                (np.array([1, 2]), slice(None), np.array([0, 2])),
                (Ellipsis, [0, 2]), (1, [0, 4], slice(None)), np.array(2),
                make.mask((4,)), make.mask((4, 5)), (slice(None), make.mask((5,))),
                make.mask((4, 5, 3)), np.array([], dtype=np.int64), True, (None, Ellipsis, None),
                np.array([1, 0, 1, 1], dtype=np.uint8), np.array([3, 0], dtype=np.int32),
                (np.array([0, 1], dtype=np.int32), 0)):
        yield S(x, idx)
    yield S(make(()), None)
    yield S(make(()), Ellipsis)
    yield S(make(()), np.array(True))
    yield S(make((3, 4), noncontig=True), (slice(None), 1))


register(
    OpInfo('getitem', _getitem, gradgrad=True, samples=getitem_samples,
           errors=lambda make: [
               ErrorInput(S(make((3,)), 3), IndexError,
                          'index 3 is out of bounds for dimension 0 with size 3'),
               ErrorInput(S(make((3, 2)), (0, 0, 0)), IndexError,
                          'too many indices for tensor of dimension 2'),
               ErrorInput(S(make(()), 0), IndexError, 'invalid index of a 0-dim tensor'),
               ErrorInput(S(make((3,)), make((2,))), IndexError,
                          'tensors used as indices must be long, int, byte or bool tensors'),
           ]),
)


def _setitem(m, x, idx, v):
    """``x[idx] = v`` on a clone of ``x``: the gradient flows into the rest of ``x``
    (CopySlices / IndexPutBackward0) and into ``v``."""
    y = x.clone()
    y[idx] = v
    return y


def setitem_samples(make):
    x = make((4, 3))
    yield S(x, 1, make((3,)))
    yield S(x, 1, 2.5 if make.is_float else 2)
    yield S(x, (slice(1, 3), 0), make((2,)))
    yield S(x, slice(None, None, 2), make((3,)))
    yield S(x, (Ellipsis, -1), make(()))
    yield S(x, np.array([0, 2]), make((2, 3)))
    yield S(x, (np.array([0, 3]), np.array([1, 2])), make((2,)))
    yield S(x, make.mask((4, 3)), 0)
    yield S(x, make.mask((4,)), make((3,)))
    yield S(x, [1, 3], make((1, 3)))
    yield S(x, (slice(None), [0, 2]), make((4, 1)))


register(
    OpInfo('setitem', _setitem, gradgrad=True, samples=setitem_samples,
           errors=lambda make: [
               ErrorInput(S(make((4, 3)), 1, make((2,))), RuntimeError,
                          'The expanded size of the tensor (3) must match the existing size (2)'),
               ErrorInput(S(make((4, 3)), 5, 1.0), IndexError,
                          'index 5 is out of bounds for dimension 0 with size 4'),
           ]),
)


def _write_through_views(m, x, y):
    """In-place ops through views of a non-leaf, one over another (CopySlices chains)."""
    b = x * 1
    b[1].mul_(y)
    b.t()[2].add_(y[:3] * y[:3])
    b[:, 0] = y[1:]
    b[0, 1:3].sub_(b[2, :2] * 2)
    return b


register(
    OpInfo('inplace_on_views', _write_through_views, gradgrad=True,
           samples=lambda make: [S(make((3, 4)), make((4,))),
                                 S(make((3, 4), noncontig=True), make((4,)))]),
)


# conversions and copies
def _cast_samples(make):
    yield S(make((2, 3)))
    yield S(make(()))
    yield S(make((0, 2)))
    yield S(make((3, 4), noncontig=True))


register(
    OpInfo('clone', samples=_cast_samples, method=True, gradgrad=True),
    OpInfo('contiguous', lambda m, x: x.contiguous(), samples=_cast_samples),
    OpInfo('to_float64', lambda m, x: x.to(m.float64), samples=_cast_samples, gradgrad=True,
           variants={'double': lambda m, x: x.double(),
                     'to(dtype=)': lambda m, x: x.to(dtype=m.float64),
                     'type': lambda m, x: x.type(m.float64)}),
    OpInfo('to_float32', lambda m, x: x.to(m.float32), samples=_cast_samples,
           variants={'float': lambda m, x: x.float(), 'to(x)': lambda m, x: x.to(m.zeros(1))},
           gradcheck=False),  # finite differences in float32 are too coarse
    OpInfo('to_float16', lambda m, x: x.to(m.float16), samples=_cast_samples,
           variants={'half': lambda m, x: x.half()}, grad_tol={'float64': (1e-3, 1e-3)},
           gradcheck=False),  # finite differences in float16 are too coarse
    OpInfo('to_bfloat16', lambda m, x: x.bfloat16(), samples=_cast_samples,
           grad_tol={'float64': (1e-2, 1e-2)}, gradcheck=False),
    OpInfo('to_int64', lambda m, x: x.long(), samples=_cast_samples, grad=False,
           variants={'to': lambda m, x: x.to(m.int64)}),
    OpInfo('to_int32', lambda m, x: x.int(), samples=_cast_samples, grad=False),
    OpInfo('to_int16', lambda m, x: x.short(), samples=_cast_samples, grad=False),
    OpInfo('to_int8', lambda m, x: x.char(), samples=_cast_samples, grad=False),
    OpInfo('to_uint8', lambda m, x: x.byte(), samples=lambda make: [S(make((2, 3), low=0))],
           grad=False),
    OpInfo('to_bool', lambda m, x: x.bool(), samples=_cast_samples, grad=False),
    OpInfo('to_same', lambda m, x: x.to(x.dtype), samples=_cast_samples,
           variants={'copy': lambda m, x: x.to(x.dtype, copy=True)}),
)

OPS_BY_NAME = {op.name: op for op in OPS}
assert len(OPS_BY_NAME) == len(OPS), 'duplicate OpInfo names'
