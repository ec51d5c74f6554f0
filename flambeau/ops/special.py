"""Floating-point math beyond the basics of pointwise.py: reciprocals and roots, logarithms and
exponentials of other bases, the trigonometric and hyperbolic functions and their inverses, the
error function family (``erf``, ``erfc``, ``erfinv``), ``logit``, ``xlogy`` and the two-input
functions ``atan2``, ``hypot``, ``logaddexp`` and ``logaddexp2``, each with its derivative
beside it.

Integer and bool inputs promote to the default float dtype, as in PyTorch. NumPy has no error
function: ``erf``/``erfc`` use W. J. Cody's rational approximations (accurate to float64
precision) and ``erfinv`` refines a single-precision estimate by Newton steps on them.
"""
__all__ = ['acos', 'acosh', 'arccos', 'arccosh', 'arcsin', 'arcsinh', 'arctan', 'arctan2',
           'arctanh', 'asin', 'asinh', 'atan', 'atan2', 'atanh', 'cosh', 'erf', 'erfc', 'erfinv',
           'exp2', 'expm1', 'hypot', 'log10', 'log1p', 'log2', 'logaddexp', 'logaddexp2', 'logit',
           'reciprocal', 'rsqrt', 'sinh', 'tan', 'xlogy']
import math

import numpy as np

from .. import dtypes as _dt
from ._common import (_CHUNK, Node, Tensor, _blockwise, as_number, binary_operands,
                      broadcast_error, const_like, fix_dtype, make, not_implemented, record,
                      reduce_grad, state, xp_of, xp_of_array)
from .pointwise import _unary, exp, where

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_SQRT_PI_OVER_2 = math.sqrt(math.pi) / 2.0


def _out(r, out):
    return r if out is None else out.copy_(r)


# -- reciprocal and roots ---------------------------------------------------------------------
class RsqrtBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        y = self.saved_output()
        return g * (y * y * y) * -0.5


def _rsqrt_array(x):
    return 1 / xp_of_array(x).sqrt(x)


def rsqrt(input, *, out=None):
    """The reciprocal of the square root, ``1 / sqrt(input)``, elementwise.

    Example::

        >>> flambeau.rsqrt(flambeau.tensor([4., 0.25]))
        tensor([0.5000, 2.0000])
    """
    return _out(_unary(input, _rsqrt_array, RsqrtBackward0, save_output=True), out)


class ReciprocalBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        y = self.saved_output()
        return -g * (y * y)


def _reciprocal_array(x):
    return 1 / x


def reciprocal(input, *, out=None):
    """``1 / input`` elementwise (integers give floats).

    Example::

        >>> flambeau.reciprocal(flambeau.tensor([2., -4.]))
        tensor([ 0.5000, -0.2500])
    """
    return _out(_unary(input, _reciprocal_array, ReciprocalBackward0, save_output=True), out)


# -- exponentials and logarithms -------------------------------------------------------------
class Expm1Backward0(Node):
    __slots__ = ()

    def backward(self, g):
        return g * (self.saved_output() + 1)


def expm1(input, *, out=None):
    """``exp(input) - 1``, accurate for small ``input``.

    Example::

        >>> flambeau.expm1(flambeau.tensor([0., 1e-10]))
        tensor([0.0000e+00, 1.0000e-10])
    """
    return _out(_unary(input, xp_of(input).expm1, Expm1Backward0, save_output=True), out)


class Exp2Backward0(Node):
    __slots__ = ()

    def backward(self, g):
        return g * (self.saved_output() * _LN2)


def exp2(input, *, out=None):
    """``2 ** input`` elementwise.

    Example::

        >>> flambeau.exp2(flambeau.tensor([0., 3.]))
        tensor([1., 8.])
    """
    return _out(_unary(input, xp_of(input).exp2, Exp2Backward0, save_output=True), out)


class Log1PBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        x, = self.saved_tensors
        return g / (x + 1)


def log1p(input, *, out=None):
    """``log(1 + input)``, accurate for small ``input``.

    Example::

        >>> flambeau.log1p(flambeau.tensor([0., 1e-10]))
        tensor([0.0000e+00, 1.0000e-10])
    """
    return _out(_unary(input, xp_of(input).log1p, Log1PBackward0, save_input=True), out)


class Log2Backward0(Node):
    __slots__ = ()

    def backward(self, g):
        x, = self.saved_tensors
        return g / (x * _LN2)


def log2(input, *, out=None):
    """The base-2 logarithm, elementwise.

    Example::

        >>> flambeau.log2(flambeau.tensor([1., 8.]))
        tensor([0., 3.])
    """
    return _out(_unary(input, xp_of(input).log2, Log2Backward0, save_input=True), out)


class Log10Backward0(Node):
    __slots__ = ()

    def backward(self, g):
        x, = self.saved_tensors
        return g / (x * _LN10)


def log10(input, *, out=None):
    """The base-10 logarithm, elementwise.

    Example::

        >>> flambeau.log10(flambeau.tensor([1., 100.]))
        tensor([0., 2.])
    """
    return _out(_unary(input, xp_of(input).log10, Log10Backward0, save_input=True), out)


# -- trigonometric -----------------------------------------------------------------------------
class TanBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        y = self.saved_output()
        return g * (y * y + 1)


def tan(input, *, out=None):
    """The tangent, elementwise (radians).

    Example::

        >>> flambeau.tan(flambeau.tensor([0., 0.7854]))
        tensor([0.0000, 1.0000])
    """
    return _out(_unary(input, xp_of(input).tan, TanBackward0, save_output=True), out)


class AsinBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        x, = self.saved_tensors
        return g * rsqrt(1 - x * x)


def asin(input, *, out=None):
    """The arcsine, elementwise (``nan`` outside [-1, 1]).

    Example::

        >>> flambeau.asin(flambeau.tensor([0., 1.]))
        tensor([0.0000, 1.5708])
    """
    return _out(_unary(input, xp_of(input).arcsin, AsinBackward0, save_input=True), out)


class AcosBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        x, = self.saved_tensors
        return -g * rsqrt(1 - x * x)


def acos(input, *, out=None):
    """The arccosine, elementwise (``nan`` outside [-1, 1]).

    Example::

        >>> flambeau.acos(flambeau.tensor([1., 0.]))
        tensor([0.0000, 1.5708])
    """
    return _out(_unary(input, xp_of(input).arccos, AcosBackward0, save_input=True), out)


class AtanBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        x, = self.saved_tensors
        return g / (x * x + 1)


def atan(input, *, out=None):
    """The arctangent, elementwise.

    Example::

        >>> flambeau.atan(flambeau.tensor([0., 1.]))
        tensor([0.0000, 0.7854])
    """
    return _out(_unary(input, xp_of(input).arctan, AtanBackward0, save_input=True), out)


# -- hyperbolic ------------------------------------------------------------------------------
class SinhBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        x, = self.saved_tensors
        return g * cosh(x)


def sinh(input, *, out=None):
    """The hyperbolic sine, elementwise.

    Example::

        >>> flambeau.sinh(flambeau.tensor([0., 1.]))
        tensor([0.0000, 1.1752])
    """
    return _out(_unary(input, xp_of(input).sinh, SinhBackward0, save_input=True), out)


class CoshBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        x, = self.saved_tensors
        return g * sinh(x)


def cosh(input, *, out=None):
    """The hyperbolic cosine, elementwise.

    Example::

        >>> flambeau.cosh(flambeau.tensor([0., 1.]))
        tensor([1.0000, 1.5431])
    """
    return _out(_unary(input, xp_of(input).cosh, CoshBackward0, save_input=True), out)


class AsinhBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        x, = self.saved_tensors
        return g * rsqrt(x * x + 1)


def asinh(input, *, out=None):
    """The inverse hyperbolic sine, elementwise.

    Example::

        >>> flambeau.asinh(flambeau.tensor([0., 1.]))
        tensor([0.0000, 0.8814])
    """
    return _out(_unary(input, xp_of(input).arcsinh, AsinhBackward0, save_input=True), out)


class AcoshBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        x, = self.saved_tensors
        return g * rsqrt(x * x - 1)


def acosh(input, *, out=None):
    """The inverse hyperbolic cosine, elementwise (``nan`` below 1).

    Example::

        >>> flambeau.acosh(flambeau.tensor([1., 2.]))
        tensor([0.0000, 1.3170])
    """
    return _out(_unary(input, xp_of(input).arccosh, AcoshBackward0, save_input=True), out)


class AtanhBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        x, = self.saved_tensors
        return g / (1 - x * x)


def atanh(input, *, out=None):
    """The inverse hyperbolic tangent, elementwise (``nan`` outside [-1, 1]).

    Example::

        >>> flambeau.atanh(flambeau.tensor([0., 0.5]))
        tensor([0.0000, 0.5493])
    """
    return _out(_unary(input, xp_of(input).arctanh, AtanhBackward0, save_input=True), out)


arcsin, arccos, arctan = asin, acos, atan
arcsinh, arccosh, arctanh = asinh, acosh, atanh


# -- the error function ----------------------------------------------------------------------
# Note [erf]: W. J. Cody, "Rational Chebyshev approximations for the error function" (Math.
# Comp. 1969), as in his CALERF: erf by a rational function of x**2 below 0.46875, erfc by a
# rational function of |x| up to 4 and of 1/x**2 beyond, times exp(-x**2) computed in two
# parts (x**2 = a**2 + (x - a)(x + a) with a = x rounded to 1/16) to keep its accuracy.
_A = (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
      3.20937758913846947e03, 1.85777706184603153e-1)
_B = (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
      2.84423683343917062e03)
_C = (5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
      2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03,
      2.05107837782607147e03, 1.23033935479799725e03, 2.15311535474403846e-8)
_D = (1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
      1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
      3.43936767414372164e03, 1.23033935480374942e03)
_P = (3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
      1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2)
_Q = (2.56852019228982242e00, 1.87295284992346725e00, 5.27905102951428412e-1,
      6.05183413124413191e-2, 2.33520497626869185e-3)
_INV_SQRT_PI = 5.6418958354775628695e-1


def _erf_small(x, xp):
    """erf(x) for |x| <= 0.46875 (float64 array)."""
    z = x * x
    num = _A[4] * z
    den = z
    for i in range(3):
        num = (num + _A[i]) * z
        den = (den + _B[i]) * z
    return x * (num + _A[3]) / (den + _B[3])


def _erfc_large(y, xp):
    """erfc(y) for y > 0.46875 (float64 array, y >= 0)."""
    # 0.46875 < y <= 4
    num = _C[8] * y
    den = y
    for i in range(7):
        num = (num + _C[i]) * y
        den = (den + _D[i]) * y
    r = (num + _C[7]) / (den + _D[7])
    big = y > 4.0
    if big.any():  # rare (erfc < 2e-8 there): evaluated on those elements only
        yb = y[big]
        with np.errstate(divide='ignore', over='ignore', invalid='ignore'):
            z = 1.0 / (yb * yb)
        num = _P[5] * z
        den = z
        for i in range(4):
            num = (num + _P[i]) * z
            den = (den + _Q[i]) * z
        r[big] = (_INV_SQRT_PI - z * (num + _P[4]) / (den + _Q[4])) / yb
    a = xp.trunc(y * 16.0) / 16.0
    d = (y - a) * (y + a)
    r = xp.exp(-a * a) * xp.exp(-d) * r
    return xp.where(y == np.inf, 0.0, r)


_math_erf = np.frompyfunc(math.erf, 1, 1)
_math_erfc = np.frompyfunc(math.erfc, 1, 1)
_SMALL = 256  # below this many elements, Python's math.erf per element is faster




def erf_array(x):
    """erf of a float array: float64 by Cody's approximation (Note [erf]); float32 and the
    half types in float32 (Note [erf in float32])."""
    if x.size <= _SMALL and xp_of_array(x) is np:
        return np.asarray(_math_erf(x.astype(np.float64)), dtype=np.float64).astype(x.dtype,
                                                                                 copy=False)
    if x.dtype == np.float64:
        return _blockwise(_erf_block, x)
    if x.dtype == np.float32:
        return _blockwise(erf_block_f32, x)
    return _blockwise(erf_block_f32, x.astype(np.float32)).astype(x.dtype)


# Note [erf in float32]: for float32 (and float16/bfloat16) inputs erf is evaluated in float32,
# at a fifth of the float64 formula's cost, within 1.5 ulp of the true value (PyTorch's
# float32 erf: 1 ulp). Split as in glibc's and CUDA's erff: |x| <= 0.921875:
# x + x * P(x**2), P of degree 5; beyond: 1 - exp(L(|x|)), L of degree 7 fitting log(erfc)
# on [0.921875, 3.9375], |x| clamped there (erf rounds to 1 in float32 from ~3.92). The
# coefficients are float64 least-squares fits on Chebyshev nodes (weighted by erfc for L),
# rounded to float32, checked over 2M points of [-6, 6] and 1e-30..1 against the float64 erf.
_ERF32_P = tuple(np.float32(c) for c in (
    0.12837915122509003, -0.3761250376701355, 0.11281905323266983, -0.026769500225782394,
    0.004997014068067074, -0.0006008739583194256))
_ERF32_L = tuple(np.float32(c) for c in (
    8.640244777780026e-05, -1.129116177558899, -0.634096622467041, -0.10752014070749283,
    0.024671470746397972, -0.004017640370875597, 0.0004062111838720739,
    -1.8938439097837545e-05))
_ERF32_X0, _ERF32_X1 = np.float32(0.921875), np.float32(3.9375)


def odd_horner(x, s, coeffs):
    """``x * P(s)`` for ``s = x**2`` and the polynomial ``P`` of ``coeffs`` (constant term
    first), by Horner's rule in place on one new array."""
    p = s * coeffs[-1]
    for c in coeffs[-2:0:-1]:
        p += c
        p *= s
    p += coeffs[0]
    p *= x
    return p


def erf_block_f32(x):
    """erf of a float32 array, in float32 (Note [erf in float32]); a new array."""
    xp = xp_of_array(x)
    p = odd_horner(x, x * x, _ERF32_P)
    p += x
    t = xp.abs(x)
    small = t <= _ERF32_X0
    host = xp is np and x.ndim == 1
    u = xp.minimum(t, const_like(x, _ERF32_X1) if host else _ERF32_X1, out=t)
    r = u * _ERF32_L[7]
    for c in _ERF32_L[6:0:-1]:
        r += c
        r *= u
    r += _ERF32_L[0]
    xp.exp(r, out=r)
    xp.subtract(np.float32(1), r, out=r)
    if host:  # r >= 0 (or NaN): x's sign bit set into it, 2.5x faster than copysign
        rb = r.view(np.uint32)
        rb |= x.view(np.uint32) & np.uint32(0x80000000)
    else:
        xp.copysign(r, x, out=r)  # NaN stays NaN: min(NaN, X1) is NaN
    return xp.where(small, p, r)  # (a masked copyto takes twice as long)




def _erf_block(x):
    xp = xp_of_array(x)
    dt = x.dtype
    x = x.astype(np.float64)
    ax = xp.abs(x)
    small = ax <= 0.46875
    res = _erf_small(xp.where(small, x, 0.0), xp)
    big = 1.0 - _erfc_large(xp.where(small, 1.0, ax), xp)
    res = xp.where(small, res, xp.where(x < 0, -big, big))
    res = xp.where(xp.isnan(x), x, res)
    return res.astype(dt, copy=False)


def erfc_array(x):
    """erfc of a float array, computed in float64 (Note [erf])."""
    if x.size <= _SMALL and xp_of_array(x) is np:
        return np.asarray(_math_erfc(x.astype(np.float64)), dtype=np.float64).astype(x.dtype,
                                                                                  copy=False)
    return _blockwise(_erfc_block, x)


def _erfc_block(x):
    xp = xp_of_array(x)
    dt = x.dtype
    x = x.astype(np.float64)
    ax = xp.abs(x)
    small = ax <= 0.46875
    res = 1.0 - _erf_small(xp.where(small, x, 0.0), xp)
    c = _erfc_large(xp.where(small, 1.0, ax), xp)
    res = xp.where(small, res, xp.where(x < 0, 2.0 - c, c))
    res = xp.where(xp.isnan(x), x, res)
    return res.astype(dt, copy=False)


def erfinv_array(y):
    """The inverse error function of a float array: M. Giles' single-precision approximation
    ("Approximating the erfinv function", GPU Gems 2010), then Newton steps on erf/erfc."""
    xp = xp_of_array(y)
    dt = y.dtype
    y = y.astype(np.float64)
    ay = xp.abs(y)
    inside = ay < 1.0
    a = xp.where(inside, ay, 0.0)
    w = -xp.log((1.0 - a) * (1.0 + a))
    lo = w < 5.0
    w1 = w - 2.5
    p = 2.81022636e-08
    for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
              -0.00417768164, 0.246640727, 1.50140941):
        p = c + p * w1
    w2 = xp.sqrt(w) - 3.0
    q = -0.000200214257
    for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613,
              0.00943887047, 1.00167406, 2.83297682):
        q = c + q * w2
    x = xp.where(lo, p, q) * a
    # Newton steps: on erf(x) = a near 0, on log(erfc(x)) = log(1 - a) in the tail, where erf
    # is too flat for its residual to carry precision (1 - a is exact there)
    log_tail = xp.log(1.0 - a)
    for _ in range(3):
        tail = x > 0.5
        c = erfc_array(xp.where(tail, x, 1.0))
        d = _TWO_OVER_SQRT_PI * xp.exp(-x * x)
        x = xp.where(tail, x + (xp.log(c) - log_tail) * c / d, x - (erf_array(x) - a) / d)
    x = xp.where(a == 0, 0.0, x)
    res = xp.where(inside, x, xp.where(ay == 1.0, np.inf, np.nan))
    res = xp.where(y < 0, -res, res)
    res = xp.where(xp.isnan(y), y, res)
    return res.astype(dt, copy=False)


class ErfBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        x, = self.saved_tensors
        return g * (exp(-(x * x)) * _TWO_OVER_SQRT_PI)


def erf(input, *, out=None):
    """The error function ``2/sqrt(pi) * integral from 0 to input of exp(-t**2) dt``.

    Example::

        >>> flambeau.erf(flambeau.tensor([0., -1., 10.]))
        tensor([ 0.0000, -0.8427,  1.0000])
    """
    return _out(_unary(input, erf_array, ErfBackward0, save_input=True), out)


class ErfcBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        x, = self.saved_tensors
        return g * (exp(-(x * x)) * -_TWO_OVER_SQRT_PI)


def erfc(input, *, out=None):
    """The complementary error function ``1 - erf(input)``, accurate where erf is near 1.

    Example::

        >>> flambeau.erfc(flambeau.tensor([0., -1., 10.]))
        tensor([1.0000e+00, 1.8427e+00, 2.0885e-45])
    """
    return _out(_unary(input, erfc_array, ErfcBackward0, save_input=True), out)


class ErfinvBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        y = self.saved_output()
        return g * (exp(y * y) * _SQRT_PI_OVER_2)


def erfinv(input, *, out=None):
    """The inverse error function: ``erfinv(erf(x)) == x``; ``±inf`` at ±1, ``nan`` beyond.

    Example::

        >>> flambeau.erfinv(flambeau.tensor([0., 0.5, -1.]))
        tensor([ 0.0000,  0.4769,    -inf])
    """
    return _out(_unary(input, erfinv_array, ErfinvBackward0, save_output=True), out)


# -- logit -----------------------------------------------------------------------------------
class LogitBackward0(Node):
    __slots__ = ('eps',)

    def backward(self, g):
        x, = self.saved_tensors
        eps = self.eps
        if eps is None:  # NaN outside [0, 1], where the logit is not defined; +-inf at its ends
            d = g / where((x == 0) | (x == 1), 0., x * (1 - x))
            return where((x < 0) | (x > 1), float('nan'), d)
        d = g / (x * (1 - x))
        return where((x < eps) | (x > 1 - eps), 0., d)


def logit(input, eps=None, *, out=None):
    """The log-odds ``log(p / (1 - p))``; with ``eps``, ``p`` is first clamped to
    ``[eps, 1 - eps]``.

    Example::

        >>> flambeau.logit(flambeau.tensor([0.5, 0.75]))
        tensor([0.0000, 1.0986])
    """
    dt = input._dtype
    x = input._data
    if not dt.is_floating_point:
        dt = _dt.get_default_dtype()
        x = x.astype(dt.numpy)
    xp = xp_of(input)
    if eps is not None:
        x = xp.clip(x, eps, 1 - eps)
    r = make(fix_dtype(xp.log(x / (1 - x)), dt), dt, input._device)
    if state.enabled and input._requires_grad:
        node = LogitBackward0()
        node.eps = eps
        node.save(input)
        record(node, r, input)
    return _out(r, out)


# -- two inputs --------------------------------------------------------------------------------
def _need_tensor(other, name):
    if not isinstance(other, Tensor):
        raise TypeError(f"{name}(): argument 'other' (position 2) must be Tensor, not "
                        f'{type(other).__name__}')


def _float_operands(input, other, kernel=None):
    """``binary_operands`` with integer results promoted to the default float dtype (or, with
    ``kernel``, PyTorch's error for a kernel that takes floats only); ``input`` first, moved
    as ``binary_operands`` moves it."""
    input, x, y, dt, tb = binary_operands(input, other)
    if not dt.is_floating_point:
        if kernel is not None:
            raise not_implemented(kernel, dt)
        dt = _dt.get_default_dtype()
        x = x.astype(dt.numpy)
        y = y.astype(dt.numpy) if tb is not None else float(as_number(other))
    return input, x, y, dt, tb


def _meta(t):
    return (t._data.shape, t._dtype) if t is not None and t._requires_grad else None


def _binary_result(input, tb, fn, x, y, dt, node_cls):
    try:
        res = fn(x, y)
    except ValueError as e:
        raise broadcast_error(e, x, y) from None
    r = make(fix_dtype(res, dt), dt, input._device)
    if state.enabled and (input._requires_grad or tb._requires_grad):
        node = node_cls()
        node.a, node.b = _meta(input), _meta(tb)
        node.save(input, tb)
        record(node, r, input, tb)
    return r


class Atan2Backward0(Node):
    __slots__ = ('a', 'b')

    def backward(self, g):
        x, y = self.saved_tensors
        d = g / (x * x + y * y)
        return (reduce_grad(d * y, *self.a) if self.a is not None else None,
                reduce_grad(d * -x, *self.b) if self.b is not None else None)


def atan2(input, other, *, out=None):
    """The angle of the point ``(other, input)``: the arctangent of ``input / other`` in the
    right quadrant, in [-pi, pi].

    Example::

        >>> flambeau.atan2(flambeau.tensor([1., -1.]), flambeau.tensor([-1., -1.]))
        tensor([ 2.3562, -2.3562])
    """
    _need_tensor(other, 'atan2')
    input, x, y, dt, tb = _float_operands(input, other)
    return _out(_binary_result(input, tb, xp_of(input).arctan2, x, y, dt, Atan2Backward0), out)


arctan2 = atan2


class HypotBackward0(Node):
    __slots__ = ('a', 'b')

    def backward(self, g):
        x, y = self.saved_tensors
        d = g / hypot(x, y)
        return (reduce_grad(d * x, *self.a) if self.a is not None else None,
                reduce_grad(d * y, *self.b) if self.b is not None else None)


def hypot(input, other, *, out=None):
    """``sqrt(input**2 + other**2)`` elementwise, without overflow (float tensors).

    Example::

        >>> flambeau.hypot(flambeau.tensor([3.]), flambeau.tensor([4.]))
        tensor([5.])
    """
    _need_tensor(other, 'hypot')
    input, x, y, dt, tb = _float_operands(input, other, 'hypot_cpu')
    return _out(_binary_result(input, tb, xp_of(input).hypot, x, y, dt, HypotBackward0), out)


class LogaddexpBackward0(Node):
    __slots__ = ('a', 'b')

    def backward(self, g):
        x, y = self.saved_tensors
        return (reduce_grad(g / (exp(y - x) + 1), *self.a) if self.a is not None else None,
                reduce_grad(g / (exp(x - y) + 1), *self.b) if self.b is not None else None)


def logaddexp(input, other, *, out=None):
    """``log(exp(input) + exp(other))`` without overflow (float tensors).

    Example::

        >>> flambeau.logaddexp(flambeau.tensor([1000., 0.]), flambeau.tensor([1000., 0.]))
        tensor([1000.6931,    0.6931])
    """
    _need_tensor(other, 'logaddexp')
    input, x, y, dt, tb = _float_operands(input, other, 'logaddexp_cpu')
    return _out(_binary_result(input, tb, xp_of(input).logaddexp, x, y, dt, LogaddexpBackward0),
                out)


class Logaddexp2Backward0(Node):
    __slots__ = ('a', 'b')

    def backward(self, g):
        x, y = self.saved_tensors
        return (reduce_grad(g / (exp2(y - x) + 1), *self.a) if self.a is not None else None,
                reduce_grad(g / (exp2(x - y) + 1), *self.b) if self.b is not None else None)


def logaddexp2(input, other, *, out=None):
    """``log2(2**input + 2**other)`` without overflow (float tensors).

    Example::

        >>> flambeau.logaddexp2(flambeau.tensor([1., 3.]), flambeau.tensor([1., 3.]))
        tensor([2., 4.])
    """
    _need_tensor(other, 'logaddexp2')
    input, x, y, dt, tb = _float_operands(input, other, 'logaddexp2_cpu')
    return _out(_binary_result(input, tb, xp_of(input).logaddexp2, x, y, dt,
                               Logaddexp2Backward0), out)


# -- xlogy -----------------------------------------------------------------------------------
class XlogyBackward0(Node):
    """``xlogy(tensor, tensor)``: d/dx = log(y) (0 where x == 0), d/dy = x / y."""
    __slots__ = ('a', 'b', 'label')

    def name(self):
        return self.label

    def backward(self, g):
        x, y = self.saved_tensors
        ga = gb = None
        if self.a is not None:
            ga = reduce_grad(g * xlogy((x != 0).to(x.dtype), y), *self.a)
        if self.b is not None:
            gb = reduce_grad(g * x / y, *self.b)
        return ga, gb


def _xlogy_array(x, y, xp):
    res = x * xp.log(y)
    return xp.where((x == 0) & ~xp.isnan(y), 0.0, res)


def xlogy(input, other, *, out=None):
    """``input * log(other)``, but 0 where ``input`` is 0 (unless ``other`` is NaN). Either
    argument may be a Python number.

    Example::

        >>> flambeau.xlogy(flambeau.tensor([0., 2.]), flambeau.tensor([0., 3.]))
        tensor([0.0000, 2.1972])
    """
    if out is not None:
        return out.copy_(xlogy(input, other))
    scalar_self = not isinstance(input, Tensor)
    if scalar_self:
        from .creation import scalar_tensor
        ta = scalar_tensor(as_number(input), other)
        other, x, y, dt, tb = _float_operands(other, ta)
        y, x = x, y
        tb, ta = other, ta
        xt, yt = ta, tb
    else:
        input, x, y, dt, tb = _float_operands(input, other)
        xt, yt = input, tb
    xp = xp_of(xt if not scalar_self else yt)
    try:
        res = _xlogy_array(x, y, xp)
    except ValueError as e:
        raise broadcast_error(e, x, y) from None
    dev = (yt if scalar_self else xt)._device
    r = make(fix_dtype(xp.asarray(res), dt), dt, dev)
    need_a = not scalar_self and input._requires_grad
    need_b = yt is not None and yt._requires_grad
    if state.enabled and (need_a or need_b):
        node = XlogyBackward0()
        node.label = ('XlogyBackward1' if scalar_self else
                      'XlogyBackward2' if yt is None else 'XlogyBackward0')
        node.a = _meta(xt) if need_a else None
        node.b = _meta(yt) if need_b else None
        if yt is None:
            from .creation import scalar_tensor
            node.save(xt, scalar_tensor(as_number(other), xt))
            record(node, r, xt, None)
        elif scalar_self:
            node.save(xt, yt)
            record(node, r, None, yt)
        else:
            node.save(xt, yt)
            record(node, r, xt, yt)
    return r


class _InplaceNoDerivative(Node):
    """PyTorch's in-place ``asinh_``, ``acosh_``, ``atanh_`` have no derivative: backward
    through them raises, as there."""
    __slots__ = ()

    def backward(self, g):
        op = type(self).__name__[:5].lower()
        raise NotImplementedError(f"the derivative for 'inplace version of {op}' is not "
                                  f'implemented.')


class AsinhBackward1(_InplaceNoDerivative):
    __slots__ = ()


class AcoshBackward1(_InplaceNoDerivative):
    __slots__ = ()


class AtanhBackward1(_InplaceNoDerivative):
    __slots__ = ()


def _renamed(fn, node_cls):
    """``fn`` recording ``node_cls`` (the same derivative under the in-place op's name)."""
    def op(input, *args, **kwargs):
        r = fn(input, *args, **kwargs)
        if r.grad_fn is not None:
            r.grad_fn.__class__ = node_cls
        return r
    op.__name__ = fn.__name__
    return op


# Tensor methods: {name: function}; INPLACE: {name_: out-of-place function}.
METHODS = {n: globals()[n] for n in __all__}
INPLACE = {n + '_': globals()[n] for n in __all__ if n not in ('logaddexp', 'logaddexp2')}
for _n, _cls in (('asinh', AsinhBackward1), ('acosh', AcoshBackward1), ('atanh', AtanhBackward1)):
    INPLACE[_n + '_'] = INPLACE['arc' + _n[1:] + '_'] = _renamed(globals()[_n], _cls)
