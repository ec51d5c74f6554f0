"""The op registry's framework (entries live in ``registry_<family>.py``, collected
by ``op_registry.py``): one ``OpInfo`` per op drives every check of ``test_ops.py``.

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

Adding an op is one entry, in its family's file ``registry_<family>.py``::

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


class _ModuleAttr:
    """An argument resolved on the module under test: ``M('float64')`` is ``m.float64``."""
    __slots__ = ('name',)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f'm.{self.name}'


M = _ModuleAttr
_float64 = M('float64')


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
