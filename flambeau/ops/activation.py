"""Activation functions (``softplus``, ``gelu``, ``silu``, ``elu`` ...): forward and derivative side
by side. ``flambeau.nn.functional`` re-exports them.

Activations that PyTorch can run in place take ``inplace=False``; with ``inplace=True`` the
input takes the result (``ops.inplace.apply_inplace``: PyTorch's errors on leaves, version
counters, views), and the recorded node is the one PyTorch records for the in-place kernel
(``EluBackward1`` saves the result instead of the input). ``relu_``, ``elu_`` ... are the same
as ``inplace=True``.
"""
__all__ = ['celu', 'celu_', 'hardshrink', 'log_softmax', 'prelu', 'relu_', 'rrelu', 'rrelu_',
           'selu', 'selu_', 'softmax', 'threshold', 'threshold_']
import math
import warnings

import numpy as np

from .. import dtypes as _dt
from ..random import _generator_for
from ._common import (_CHUNK, Node, checked_scalar, dtype_title, fix_dtype, make,
                      normalize_dims, not_implemented, record, state, xp_of)
from .arithmetic import div, sub
from .creation import empty_like, zeros_like
from .inplace import apply_inplace
from .pointwise import abs as _abs
from .pointwise import relu as _relu
from .pointwise import (_blocks2, _one_plus_exp_neg, _select, _sigmoid_array, exp,  # noqa: F401
                        sigmoid, tanh, where)  # (sigmoid, tanh: F.sigmoid, F.tanh)
from ._common import _BROADCAST_OP_MIN, _sum_kept, broadcast_op, reduce_last
from .shape import cat
from ._common import _blockwise
from .special import erf, erf_array, odd_horner, xp_of_array

_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_HALF_LOG2E_F32 = np.float32(-0.5 / math.log(2.0))
_LN2_F32 = np.float32(math.log(2.0))
_EXP2_MIN_F32 = -126.0  # (below, float32 exp2's results are subnormal or zero)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_GELU_C = 0.044715
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _float_only(input, kernel):
    """The input array of an activation defined on float tensors only."""
    dt = input._dtype
    if not dt.is_floating_point:
        raise not_implemented(kernel, dt)
    return input._data


def _maybe_inplace(inplace, fn, input, *args):
    if inplace:
        return apply_inplace(input, fn, args)
    return fn(input, *args)


def _finish(input, res, node_cls, save_input=False, save_output=False, **attrs):
    r = make(fix_dtype(res, input._dtype), input._dtype, input._device)
    if state.enabled and input._requires_grad:
        node = node_cls()
        for k, v in attrs.items():
            setattr(node, k, v)
        if save_input:
            node.save(input)
        if save_output:
            node.save_output(r)
        record(node, r, input)
    return r


# -- relu family -------------------------------------------------------------------------------
def relu(input, inplace=False):
    """``max(input, 0)`` elementwise; ``inplace=True`` writes into ``input``.

    Example::

        >>> F.relu(flambeau.tensor([-1., 2.]))
        tensor([0., 2.])
    """
    return apply_inplace(input, _relu) if inplace else _relu(input)


def relu_(input):
    """In-place :func:`relu`."""
    return apply_inplace(input, _relu)


class ThresholdBackward(Node):
    """The gradient passes where the input was greater than ``threshold`` (also in place:
    ``ThresholdBackward1``)."""
    __slots__ = ('label', 'threshold')

    def name(self):
        return self.label

    def backward(self, g):
        x, = self.saved_tensors
        return where(x <= self.threshold, 0., g)


def _threshold(input, threshold, value, in_place=False):
    dt = input._dtype
    if dt is _dt.bool:
        raise not_implemented('threshold_cpu', dt)
    x = input._data
    if not dt.is_floating_point:  # the Scalars convert to the integer dtype
        threshold, value = int(threshold), checked_scalar(int(value), dt)
    xp = xp_of(input)
    res = xp.where(x <= threshold, x.dtype.type(value), x)
    return _finish(input, res, ThresholdBackward, save_input=True,
                   label='ThresholdBackward1' if in_place else 'ThresholdBackward0',
                   threshold=threshold)


def threshold(input, threshold, value, inplace=False):
    """``input`` where it is greater than ``threshold``, else ``value``.

    Example::

        >>> F.threshold(flambeau.tensor([0.5, 2.]), 1., -1.)
        tensor([-1.,  2.])
    """
    if inplace:
        return apply_inplace(input, _threshold, (threshold, value, True))
    return _threshold(input, threshold, value)


def threshold_(input, threshold, value):
    """In-place :func:`threshold`."""
    return apply_inplace(input, _threshold, (threshold, value, True))


class LeakyReluBackward(Node):
    __slots__ = ('label', 'slope')

    def name(self):
        return self.label

    def backward(self, g):
        if self.label == 'LeakyReluBackward1':
            x = self.saved_output()
        else:
            x, = self.saved_tensors
        return where(x > 0, g, g * self.slope)


def _leaky_relu(input, negative_slope, in_place=False):
    x = _float_only(input, 'leaky_relu_cpu')
    xp = xp_of(input)
    scaled = x * x.dtype.type(negative_slope)
    if xp is np and 0 < negative_slope <= 1 and x.ndim:  # the larger of x and slope * x
        res = np.maximum(x, scaled, out=scaled)
    else:
        res = _select(xp, x > 0, x, scaled, x.dtype)
    return _finish(input, res, LeakyReluBackward, save_input=not in_place,
                   save_output=in_place, slope=negative_slope,
                   label='LeakyReluBackward1' if in_place else 'LeakyReluBackward0')


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """``input`` where positive, else ``negative_slope * input``.

    Example::

        >>> F.leaky_relu(flambeau.tensor([-2., 3.]), 0.1)
        tensor([-0.2000,  3.0000])
    """
    if inplace:
        return apply_inplace(input, _leaky_relu, (negative_slope, True))
    return _leaky_relu(input, negative_slope)


def leaky_relu_(input, negative_slope=0.01):
    """In-place :func:`leaky_relu`."""
    return apply_inplace(input, _leaky_relu, (negative_slope, True))


class HardtanhBackward0(Node):
    """The gradient passes strictly inside ``(min_val, max_val)``."""
    __slots__ = ('lo', 'hi')

    def backward(self, g):
        x, = self.saved_tensors
        return where((x <= self.lo) | (x >= self.hi), 0., g)


def _hardtanh(input, min_val, max_val):
    dt = input._dtype
    if dt is _dt.bool:
        raise RuntimeError('Bool inputs not supported for hardtanh')
    x = input._data
    if not dt.is_floating_point:  # the limits convert to the integer dtype first
        min_val, max_val = int(min_val), int(max_val)
        if dt is _dt.uint8 and (min_val < 0 or max_val < 0):
            raise RuntimeError('cannot do hardtanh on an unsigned type with negative limits')
    xp = xp_of(input)
    res = xp.minimum(xp.maximum(x, x.dtype.type(min_val)), x.dtype.type(max_val))
    if dt.is_floating_point:
        res = xp.where(xp.isnan(x), x, res)
    # the hardtanh_ kernel saves its input too (PyTorch records HardtanhBackward0 for both)
    r = make(fix_dtype(res, dt), dt, input._device)
    if state.enabled and input._requires_grad:
        node = HardtanhBackward0()
        node.lo, node.hi = min_val, max_val
        node.save(input)
        record(node, r, input)
    return r


def _check_hardtanh(min_val, max_val):
    if min_val > max_val:
        raise ValueError('min_val cannot be greater than max_val')


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """``input`` clamped to ``[min_val, max_val]``.

    Example::

        >>> F.hardtanh(flambeau.tensor([-2., 0.5, 3.]))
        tensor([-1.0000,  0.5000,  1.0000])
    """
    _check_hardtanh(min_val, max_val)
    return _maybe_inplace(inplace, _hardtanh, input, min_val, max_val)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    """In-place :func:`hardtanh`."""
    _check_hardtanh(min_val, max_val)
    return apply_inplace(input, _hardtanh, (min_val, max_val))


def relu6(input, inplace=False):
    """``min(max(input, 0), 6)`` elementwise.

    Example::

        >>> F.relu6(flambeau.tensor([-1., 3., 8.]))
        tensor([0., 3., 6.])
    """
    return _maybe_inplace(inplace, _hardtanh, input, 0.0, 6.0)


# -- elu family --------------------------------------------------------------------------------
class EluBackward(Node):
    """``scale * x`` above 0, ``scale * alpha * (exp(input_scale * x) - 1)`` below; the
    in-place kernels save the result and differentiate through it."""
    __slots__ = ('label', 'alpha', 'scale', 'input_scale', 'is_result')

    def name(self):
        return self.label

    def backward(self, g):
        alpha, scale, s_in = self.alpha, self.scale, self.input_scale
        if self.is_result:
            y = self.saved_output()
            neg = g * ((y + alpha * scale) * s_in)
            return where(y <= 0, neg, g * scale)
        x, = self.saved_tensors
        xa, ga = x._data, g._data
        if not state.enabled and type(xa) is np.ndarray and xa.dtype.char in 'fd' and \
                ga.dtype == xa.dtype and ga.shape == xa.shape:
            def block(x, g, out):
                _elu_grad_block(x, g, out, alpha, scale, s_in)
            return make(_blocks2(block, xa, ga), g._dtype, g._device)
        neg = g * (exp(x * s_in) * (alpha * scale * s_in))
        return where(x <= 0, neg, g * scale)  # (NaN takes the linear side, as in PyTorch)


# (the ELU family's forward and gradient run block by block on host arrays: the same
# operations, their passes on cached data, the same bits; (1024, 1024) float32 forward +
# backward, alternating, min: 4.2-4.7 -> 3.6-3.8 ms, 5.17 -> 3.70 with the three-pass
# ``_select`` too. Hardswish's few cheap passes measured no faster in blocks: left whole.)
def _elu_block(x, alpha, scale, input_scale):
    """``scale * x`` above 0, ``alpha * scale * expm1(input_scale * x)`` below, of a float
    array (as a new array; 0-d arrays too)."""
    xp = xp_of_array(x)
    flat = x.reshape(-1)  # (a 0-d array's ufunc results would be scalars)
    neg = xp.expm1(flat * input_scale if input_scale != 1 else flat)
    neg *= alpha * scale
    return _select(xp, flat > 0, flat * scale if scale != 1 else flat, neg,
                   neg.dtype).reshape(x.shape)


def _elu_grad_block(x, g, out, alpha, scale, s_in):
    """The ELU family's gradient ``g * (exp(s_in x) * alpha scale s_in)`` where ``x <= 0``,
    ``g * scale`` elsewhere (NaN too), into ``out`` (host arrays of one dtype)."""
    np.exp(x * s_in if s_in != 1 else x, out=out)
    out *= alpha * scale * s_in
    out *= g
    out[...] = _select(np, x <= 0, out, g * scale if scale != 1 else g, out.dtype)
    return out


def _elu(input, alpha, scale, input_scale, kind, in_place=False):
    x = _float_only(input, 'elu_cpu')
    calc = x.astype(np.float32) if x.dtype.itemsize == 2 else x

    def block(a):
        return _elu_block(a, alpha, scale, input_scale)
    res = _blockwise(block, calc)
    return _finish(input, res, EluBackward, save_input=not in_place, save_output=in_place,
                   label=f'{kind}Backward{1 if in_place else 0}', alpha=alpha, scale=scale,
                   input_scale=input_scale, is_result=in_place)


def elu(input, alpha=1.0, inplace=False):
    """``input`` where positive, else ``alpha * (exp(input) - 1)``.

    Example::

        >>> F.elu(flambeau.tensor([-1., 2.]))
        tensor([-0.6321,  2.0000])
    """
    if inplace:
        return apply_inplace(input, _elu, (alpha, 1.0, 1.0, 'Elu', True))
    return _elu(input, alpha, 1.0, 1.0, 'Elu')


def elu_(input, alpha=1.0):
    """In-place :func:`elu`."""
    return elu(input, alpha, True)


def selu(input, inplace=False):
    """``scale * elu(input, alpha)`` with PyTorch's constants ``alpha = 1.6732632423543772``
    and ``scale = 1.0507009873554805`` (self-normalising networks).

    Example::

        >>> F.selu(flambeau.tensor([-1., 2.]))
        tensor([-1.1113,  2.1014])
    """
    if inplace:
        return apply_inplace(input, _elu, (_SELU_ALPHA, _SELU_SCALE, 1.0, 'Elu', True))
    return _elu(input, _SELU_ALPHA, _SELU_SCALE, 1.0, 'Elu')


def selu_(input):
    """In-place :func:`selu`."""
    return selu(input, True)


def celu(input, alpha=1.0, inplace=False):
    """``input`` where positive, else ``alpha * (exp(input / alpha) - 1)``.

    Example::

        >>> F.celu(flambeau.tensor([-1., 2.]), alpha=2.)
        tensor([-0.7869,  2.0000])
    """
    if alpha == 0:
        raise RuntimeError('ZeroDivisionError: alpha cannot be 0 for CELU')
    if inplace:
        return apply_inplace(input, _elu, (alpha, 1.0, 1.0 / alpha, 'Celu', True))
    return _elu(input, alpha, 1.0, 1.0 / alpha, 'Celu')


def celu_(input, alpha=1.0):
    """In-place :func:`celu`."""
    return celu(input, alpha, True)


# -- smooth activations --------------------------------------------------------------------------
# Note [Softplus by PyTorch's formula]: softplus is PyTorch's own ``log1p(exp(beta x)) / beta``
# where ``beta x <= threshold`` and ``x`` above (the threshold keeps ``exp`` finite), its
# derivative ``g z / (z + 1)`` with ``z = exp(beta x)``, both evaluated on host arrays block by
# block (``_blockwise``, ``_blocks2``: the passes on cached data) with the few elements above
# the threshold copied in afterwards. The stable ``max(y, 0) + log1p(exp(-|y|))`` it replaced
# rounded differently for positive inputs, and branched per element in ``where``. (1024, 1024)
# float32 forward + backward (alternating, min): 6.23 -> 3.1-3.3 ms (PyTorch ~1.5 on both cores).
class SoftplusBackward0(Node):
    __slots__ = ('beta', 'threshold')

    def backward(self, g):
        x, = self.saved_tensors
        xa, ga = x._data, g._data
        if not state.enabled and type(xa) is np.ndarray and xa.dtype.char in 'fd' and \
                ga.dtype == xa.dtype and ga.shape == xa.shape:
            beta, threshold = self.beta, self.threshold

            def block(x, g, out):
                _softplus_grad_block(x, g, out, beta, threshold)
            return make(_blocks2(block, xa, ga), g._dtype, g._device)
        xb = x * self.beta  # (differentiable again: sigmoid keeps the unused side finite)
        return where(xb > self.threshold, g, g * sigmoid(xb))


def _softplus_block(x, beta, threshold):
    """PyTorch's softplus of a float array: ``log1p(exp(beta x)) / beta``, and ``x`` where
    ``beta x > threshold`` (Note [Softplus by PyTorch's formula]); a new array."""
    xp = xp_of_array(x)
    flat = x.reshape(-1)  # (a 0-d array's ufunc results would be scalars)
    with np.errstate(over='ignore'):  # (exp overflows only above the threshold's usual range)
        xb = flat * beta if beta != 1 else flat
        r = xp.exp(xb)
    xp.log1p(r, out=r)
    if beta != 1:
        r /= beta
    big = xb > threshold
    if big.any():
        xp.copyto(r, flat, where=big)
    return r.reshape(x.shape)


def _softplus_grad_block(x, g, out, beta, threshold):
    """PyTorch's softplus gradient ``g z / (z + 1)``, ``z = exp(beta x)``, and ``g`` where
    ``beta x > threshold``, into ``out`` (host arrays of one dtype)."""
    with np.errstate(over='ignore', invalid='ignore'):
        xb = x * beta if beta != 1 else x
        z = np.exp(xb)
        np.multiply(g, z, out=out)
        z += x.dtype.type(1)
        out /= z
    big = xb > threshold
    if big.any():
        np.copyto(out, g, where=big)
    return out


def softplus(input, beta=1.0, threshold=20.0):
    """``log(1 + exp(beta * input)) / beta``, and ``input`` itself where ``beta * input``
    exceeds ``threshold`` (where the two agree to the dtype's precision).

    Example::

        >>> F.softplus(flambeau.tensor([-1., 0., 30.]))
        tensor([ 0.3133,  0.6931, 30.0000])
    """
    x = _float_only(input, 'softplus_cpu')
    calc = x.astype(np.float32) if x.dtype.itemsize == 2 else x

    def block(a):
        return _softplus_block(a, beta, threshold)
    res = _blockwise(block, calc)
    return _finish(input, res, SoftplusBackward0, save_input=True, beta=beta, threshold=threshold)


# Note [GELU's normal CDF in float32]: the exact GELU ``x * Phi(x)`` of a float32 array takes
# Phi as ``1/2 + tanh(x * P(x**2)) / 2``, P of degree 6 fitting ``atanh(erf(x / sqrt(2))) / x``,
# instead of ``(1 + erf(x / sqrt(2))) / 2`` through Note [erf in float32]: 18 passes over a
# cached block against 40 (NumPy's float32 tanh is vectorised). The coefficients are an
# iteratively reweighted least-squares fit in float64 on Chebyshev nodes of [0, 5.9], weighted
# by dPhi/dP = 2 Phi (1 - Phi) x, rounded to float32. Beyond 5.9, x * P(x**2) only grows
# (from 11, where NumPy's tanh is already +-1, to inf when it overflows; never NaN), so no
# clamp is needed: Phi = 0 for x <= -5.72, as PyTorch's rounding gives. Checked over 6M points
# of [-9, 9] (and up to 3e19) against float64 Phi: |error| <= 9.6e-8
# (1.5 ulp near 1; PyTorch's float32 GELU is off by up to 1.2e-6), GELU's relative error
# <= 1.7e-7 for x > 0; +-inf give +inf and NaN as before. Half types run in float32 too;
# float64 keeps erf.
_PHI32_P = tuple(np.float32(c) for c in (
    0.7978849411010742, 0.03633308410644531, -3.2594980439171195e-05, -5.530619455385022e-05,
    3.964745246776147e-06, -1.3226345174643939e-07, 1.7561752052586144e-09))


def _normal_cdf_f32(x, out, sq=None):
    """Phi(x) of a float32 array into ``out`` (Note [GELU's normal CDF in float32]); ``x**2``
    is left in ``sq`` if given."""
    xp = xp_of_array(x)
    p = odd_horner(x, xp.multiply(x, x, out=out if sq is None else sq), _PHI32_P)
    xp.tanh(p, out=p)
    p *= np.float32(0.5)
    xp.add(p, np.float32(0.5), out=out)
    return out


def _gelu_f32(x, deriv=False):
    """``(x * Phi(x), Phi(x))`` of a float32 array, or with ``deriv`` ``(x * Phi(x), Phi(x) +
    x * pdf(x))``, GELU's derivative (Note [GELU's derivative from the forward]); block by block
    on the host (the temporaries stay in the cache)."""
    xp = xp_of_array(x)
    fx = x.reshape(-1)
    fc = xp.empty(fx.shape, x.dtype)
    fr = xp.empty(fx.shape, x.dtype)
    step = _CHUNK if xp is np else max(fx.size, 1)
    if deriv:
        cdf, sq = xp.empty((2, min(step, fx.size)), x.dtype)
    for i in range(0, fx.size, step):
        j = i + step
        xb = fx[i:j]
        if deriv:
            c = _normal_cdf_f32(xb, cdf[:xb.size], sq[:xb.size])
            _gelu_grad_block(xb, None, c, out=fc[i:j], sq=sq[:xb.size])
        else:
            c = _normal_cdf_f32(xb, fc[i:j])
        xp.multiply(xb, c, out=fr[i:j])
    return fr.reshape(x.shape), fc.reshape(x.shape)


def _gelu_cdf_block(x):
    """The standard normal CDF ``0.5 * (1 + erf(x / sqrt(2)))`` of a float array, its dtype."""
    r = erf_array(x * x.dtype.type(_SQRT_HALF))
    r += 1
    r *= x.dtype.type(0.5)
    return r


def _gelu_grad_block(x, g, cdf, out=None, sq=None):
    """``g * (cdf + x * pdf(x))``, the exact GELU's gradient (``g`` None: its derivative), on
    arrays of one dtype (into ``out`` if given, which must not be ``cdf``; ``sq``: ``x**2``
    if known)."""
    xp = xp_of_array(x)
    # float32: exp(-x**2 / 2) as 2**(x**2 * -log2(e) / 2), NumPy's float32 exp2 taking half
    # the time of its exp (64K elements: 15 against 31 us); the rounded constant moves the
    # exponent by under 2e-6 where pdf(x) x is above 1e-7. Below 2**-126 (|x| > 13.2) NumPy's
    # exp2 leaves its vector loop (~30 ns an element, 90x its exp): a block reaching there
    # takes exp (Note [GELU's derivative from the forward])
    f32 = x.dtype == np.float32
    half = _HALF_LOG2E_F32 if f32 else x.dtype.type(-0.5)
    if sq is None:
        r = xp.multiply(x, x, out=out)
        r *= half
    else:
        r = xp.multiply(sq, half, out=out)
    if f32 and xp is np and r.size and np.fmin.reduce(r, axis=None) < _EXP2_MIN_F32:
        r *= _LN2_F32
        f32 = False
    (xp.exp2 if f32 else xp.exp)(r, out=r)
    r *= x.dtype.type(_INV_SQRT_2PI)
    r *= x
    r += cdf
    if g is not None:
        r *= g
    return r


# Note [GELU's derivative from the forward]: a float32 GELU that records a node computes its
# derivative ``Phi + x * pdf`` in the forward, in the cache-blocked loop where x and Phi already
# are, and keeps that instead of Phi: the backward is then one product with the incoming
# gradient, where it read x, Phi and the gradient from memory and made nine passes more
# (the same operations in the same order: the same bits). On 2048x512 (the GPT workload's
# feed-forward layer) forward + backward measured 3.8-4.4 -> 3.7-4.2 ms in place, the GPT step
# 1-2% faster (the forward takes ~1 ms more, the backward ~1.2 ms less), where x and Phi come
# back from memory.
# In float32 the pdf's exponential is NumPy's exp2 (a constant folded into the square): the
# forward with the derivative on 1M elements 3.17 -> 2.56 ms, the derivative's largest error
# against float64 over [-12, 12] 1.81e-7 -> 1.71e-7. NumPy's float32 exp2 is vectorised only
# for results in the normal range: from |x| > 13.2 on, each element takes ~30 ns (a GELU of 1M
# N(0, 11^2) elements 2.9 -> 8.3 ms), so a block whose exponent falls below -126 takes exp of
# the same exponent times ln 2 (one min per block, ~3 us in 64K elements).
class GeluBackward0(Node):
    # cdf: the forward's normal CDF of x (exact GELU, float64 arrays), kept so that backward
    # does not evaluate erf again (erf is most of GELU's cost); deriv: the derivative (float32,
    # Note [GELU's derivative from the forward])
    __slots__ = ('approximate', 'cdf', 'deriv')

    def release(self):
        Node.release(self)
        self.cdf = self.deriv = None

    def backward(self, g):
        x, = self.saved_tensors
        if self.approximate == 'none':
            xd, gd, cdf = x._data, g._data, self.cdf
            d = self.deriv
            if not state.enabled and d is not None and gd.dtype == d.dtype \
                    and gd.shape == d.shape:
                return make(xp_of_array(d).multiply(gd, d), g._dtype, g._device)
            # without create_graph: one fused, cache-blocked pass on the arrays
            if not state.enabled and cdf is not None and xd.dtype == gd.dtype \
                    and xd.shape == gd.shape:
                if xd.size <= 4 * _CHUNK or type(xd) is not np.ndarray:
                    res = _gelu_grad_block(xd, gd, cdf)
                else:
                    res = np.empty(xd.shape, xd.dtype)
                    fx, fg, fc, fr = (a.reshape(-1) for a in (xd, gd, cdf, res))
                    for i in range(0, fx.size, _CHUNK):
                        j = i + _CHUNK
                        _gelu_grad_block(fx[i:j], fg[i:j], fc[i:j], fr[i:j])
                return make(res, g._dtype, g._device)
            cdf = (erf(x * _SQRT_HALF) + 1) * 0.5
            pdf = exp(x * x * -0.5) * _INV_SQRT_2PI
            return g * (cdf + x * pdf)
        inner = (x + x * x * x * _GELU_C) * _SQRT_2_OVER_PI
        t = tanh(inner)
        d_inner = (x * x * (3 * _GELU_C) + 1) * _SQRT_2_OVER_PI
        return g * ((t + 1) * 0.5 + x * 0.5 * (1 - t * t) * d_inner)


def gelu(input, approximate='none'):
    """The Gaussian error linear unit ``input * Phi(input)``, ``Phi`` the standard normal
    CDF; ``approximate='tanh'`` uses ``0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x**3)))``.

    Example::

        >>> F.gelu(flambeau.tensor([-1., 0., 1.]))
        tensor([-0.1587,  0.0000,  0.8413])
    """
    if approximate not in ('none', 'tanh'):
        raise RuntimeError('approximate argument must be either none or tanh.')
    x = _float_only(input, 'GeluKernelImpl')
    xp = xp_of(input)
    calc = x.astype(np.float32) if x.dtype.itemsize == 2 else x
    cdf = deriv = None
    if approximate == 'none':
        # half types: the gradient is computed in float32, from x
        keep = calc is x and x.ndim and state.enabled and input._requires_grad
        if calc.dtype == np.float32:
            res, aux = _gelu_f32(calc, deriv=keep)
            deriv = aux if keep else None
        else:
            cdf = _blockwise(_gelu_cdf_block, calc)
            res = calc * cdf
            cdf = cdf if keep else None
    else:
        inner = calc.dtype.type(_SQRT_2_OVER_PI) * (calc + calc.dtype.type(_GELU_C) * calc ** 3)
        res = calc * 0.5 * (1 + xp.tanh(inner))
    return _finish(input, res, GeluBackward0, save_input=True, approximate=approximate, cdf=cdf,
                   deriv=deriv)


def _silu_block(x):
    """``x / (1 + exp(-x))`` of a host float array, PyTorch's formula (-0.0 far below zero,
    where ``exp(-x)`` overflows)."""
    e = _one_plus_exp_neg(x)
    with np.errstate(invalid='ignore'):  # (-inf / inf: NaN, as PyTorch's)
        return np.divide(x.reshape(-1), e, out=e).reshape(x.shape)


class SiluBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        x, = self.saved_tensors
        xa, ga = x._data, g._data
        if not state.enabled and type(xa) is np.ndarray and xa.dtype.char in 'fd' and \
                ga.dtype == xa.dtype and ga.shape == xa.shape:
            return make(_blocks2(_silu_grad_block, ga, xa), g._dtype, g._device)
        s = sigmoid(x)
        return g * (s * (x * (1 - s) + 1))


def _silu_grad_block(g, x, out):
    """PyTorch's ``(g * s) * (1 + x * (1 - s))``, ``s = sigmoid(x)``, into ``out``."""
    s = _sigmoid_array(x)
    np.subtract(x.dtype.type(1), s, out=out)
    out *= x
    out += x.dtype.type(1)
    s *= g
    out *= s


def _silu(input):
    x = _float_only(input, 'silu_cpu')
    xp = xp_of(input)
    calc = x.astype(np.float32) if x.dtype.itemsize == 2 else x
    res = _blockwise(_silu_block, calc) if xp is np else calc / (1 + xp.exp(-calc))
    return _finish(input, res, SiluBackward0, save_input=True)


def silu(input, inplace=False):
    """``input * sigmoid(input)`` (the swish function).

    Example::

        >>> F.silu(flambeau.tensor([-1., 0., 1.]))
        tensor([-0.2689,  0.0000,  0.7311])
    """
    return _maybe_inplace(inplace, _silu, input)


class MishBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        x, = self.saved_tensors
        t = tanh(softplus(x))
        return g * (t + x * sigmoid(x) * (1 - t * t))


def _mish(input):
    x = _float_only(input, 'mish_cpu')
    xp = xp_of(input)
    calc = x.astype(np.float32) if x.dtype.itemsize == 2 else x
    sp = xp.maximum(calc, 0) + xp.log1p(xp.exp(-xp.abs(calc)))
    return _finish(input, calc * xp.tanh(sp), MishBackward0, save_input=True)


def mish(input, inplace=False):
    """``input * tanh(softplus(input))``.

    Example::

        >>> F.mish(flambeau.tensor([-1., 0., 1.]))
        tensor([-0.3034,  0.0000,  0.8651])
    """
    return _maybe_inplace(inplace, _mish, input)


class LogSigmoidBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        x, = self.saved_tensors
        return g * sigmoid(-x)


def logsigmoid(input):
    """``log(sigmoid(input))``, computed without overflow.

    Example::

        >>> F.logsigmoid(flambeau.tensor([-100., 0.]))
        tensor([-100.0000,   -0.6931])
    """
    x = _float_only(input, 'log_sigmoid_cpu')
    xp = xp_of(input)
    calc = x.astype(np.float32) if x.dtype.itemsize == 2 else x
    res = xp.minimum(calc, 0) - xp.log1p(xp.exp(-xp.abs(calc)))
    return _finish(input, res, LogSigmoidBackward0, save_input=True)


# -- hard (piecewise linear) activations ---------------------------------------------------------
class HardsigmoidBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        x, = self.saved_tensors
        return where((x > -3) & (x < 3), g / 6, 0.)


def _hardsigmoid(input):
    x = _float_only(input, 'hardsigmoid_cpu')
    xp = xp_of(input)
    calc = x.astype(np.float32) if x.dtype.itemsize == 2 else x
    res = xp.minimum(xp.maximum(calc + 3, 0), 6) / 6
    return _finish(input, res, HardsigmoidBackward0, save_input=True)


def hardsigmoid(input, inplace=False):
    """``relu6(input + 3) / 6``: 0 below -3, 1 above 3, linear between.

    Example::

        >>> F.hardsigmoid(flambeau.tensor([-4., 0., 1.5]))
        tensor([0.0000, 0.5000, 0.7500])
    """
    return _maybe_inplace(inplace, _hardsigmoid, input)


class HardswishBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        x, = self.saved_tensors
        # PyTorch's boundaries: 0 from -3 down, the linear side from 3 up
        return where(x <= -3, 0., where(x < 3, g * (x / 3 + 0.5), g))


def _hardswish(input):
    x = _float_only(input, 'hardswish_cpu')
    xp = xp_of(input)
    calc = x.astype(np.float32) if x.dtype.itemsize == 2 else x
    res = calc * xp.clip(calc + 3, 0, 6) / 6  # (clip: one vector pass; signed zeros as before)
    return _finish(input, res, HardswishBackward0, save_input=True)


def hardswish(input, inplace=False):
    """``input * relu6(input + 3) / 6``.

    Example::

        >>> F.hardswish(flambeau.tensor([-4., 0., 1.5]))
        tensor([-0.0000,  0.0000,  1.1250])
    """
    return _maybe_inplace(inplace, _hardswish, input)


class HardshrinkBackward0(Node):
    __slots__ = ('lambd',)

    def backward(self, g):
        x, = self.saved_tensors
        lam = self.lambd
        return where((x >= -lam) & (x <= lam), 0., g)


def hardshrink(input, lambd=0.5):
    """``input`` where ``|input| > lambd``, else 0.

    Example::

        >>> F.hardshrink(flambeau.tensor([-1., 0.3, 0.7]))
        tensor([-1.0000,  0.0000,  0.7000])
    """
    x = _float_only(input, 'hardshrink_cpu')
    xp = xp_of(input)
    res = xp.where((x >= -lambd) & (x <= lambd), x.dtype.type(0), x)
    return _finish(input, res, HardshrinkBackward0, save_input=True, lambd=lambd)


class SoftshrinkBackward0(Node):
    __slots__ = ('lambd',)

    def backward(self, g):
        x, = self.saved_tensors
        lam = self.lambd
        return where((x >= -lam) & (x <= lam), 0., g)


_LAMBDA_MAX = {'float32': '3.40282e+38', 'float64': '1.79769e+308', 'float16': '65504',
               'bfloat16': '3.38953e+38'}
_TYPE_TITLE = {'float32': 'Float', 'float64': 'Double', 'float16': 'Half', 'bfloat16': 'BFloat16'}


def softshrink(input, lambd=0.5):
    """``input - lambd`` above ``lambd``, ``input + lambd`` below ``-lambd``, else 0
    (``lambd >= 0``).

    Example::

        >>> F.softshrink(flambeau.tensor([-1., 0.3, 0.7]))
        tensor([-0.5000,  0.0000,  0.2000])
    """
    x = _float_only(input, 'softshrink_check')
    name = input._dtype.name
    if not lambd >= 0:
        raise RuntimeError(f'lambda must be in range [0, {_LAMBDA_MAX[name]}] for input dtype '
                           f'{_TYPE_TITLE[name]}, but found {lambd:g}')
    xp = xp_of(input)
    calc = x.astype(np.float32) if x.dtype.itemsize == 2 else x
    res = xp.where((calc >= -lambd) & (calc <= lambd), 0, xp.where(calc > lambd, calc - lambd,
                                                                     calc + lambd))
    return _finish(input, res, SoftshrinkBackward0, save_input=True, lambd=lambd)


# -- composites (their graph is that of the ops they are made of, as in PyTorch) ---------------
def tanhshrink(input):
    """``input - tanh(input)``.

    Example::

        >>> F.tanhshrink(flambeau.tensor([-1., 2.]))
        tensor([-0.2384,  1.0360])
    """
    return sub(input, tanh(input))


def softsign(input):
    """``input / (1 + |input|)``.

    Example::

        >>> F.softsign(flambeau.tensor([-1., 3.]))
        tensor([-0.5000,  0.7500])
    """
    return div(input, _abs(input) + 1)


# -- softmax family ------------------------------------------------------------------------------
def _softmax_dim(name, ndim, stacklevel):
    warnings.warn(f'Implicit dimension choice for {name} has been deprecated. Change the call to '
                  'include dim=X as an argument.', stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def _softmax_input(input, dim, dtype, kernel):
    """``input`` cast to ``dtype`` (when given), its wrapped ``dim`` and its array in the
    compute precision (float32 for 16-bit floats)."""
    if dtype is not None:
        input = input.to(dtype)
    dt = input._dtype
    nd = input._data.ndim
    d = normalize_dims(dim, nd)
    d = d[0] if d else 0
    if not dt.is_floating_point:
        if input._data.size == 0 and nd:  # no kernel runs on an empty tensor
            return input, d, None
        last = nd == 0 or d == nd - 1
        raise not_implemented(f'{kernel}_lastdim_kernel_impl' if last else f'{kernel}_kernel_impl',
                              dt)
    x = input._data
    return input, d, (x.astype(np.float32) if x.dtype.itemsize == 2 else x)


def _shifted_exp(x, d, xp):
    """``(s, e, S)``: ``s = x - max(x, d)``, ``e = exp(s)`` and ``S = sum(e, d)`` (kept), the
    parts of a (log-)softmax of a non-empty ``x`` (the max subtracted first: no overflow)."""
    if xp is np and x.ndim == 2 and d == 1:
        # rows in blocks of about _CHUNK elements: each block's shift and exp while it is in
        # the cache
        s, e = np.empty_like(x), np.empty_like(x)
        step = max(1, _CHUNK // x.shape[1])
        for i in range(0, x.shape[0], step):
            j = i + step
            np.subtract(x[i:j], _row_max(x[i:j], 1, np), out=s[i:j])
            np.exp(s[i:j], out=e[i:j])
        return s, e, _sum_kept(e, (1,))
    s = x - _row_max(x, d, xp)
    e = xp.exp(s)
    return s, e, _sum_kept(e, (d,))


def _row_max(x, d, xp):
    """The max of ``x`` over ``d`` (kept). A row with inf or NaN comes out NaN below, as in
    PyTorch (inf - inf)."""
    # fmax off the last dim: NumPy's max checks for NaN as it goes (~20% slower); NaN is NaN
    # whatever the shift. On the last dim maximum, which reduce_last takes by argmax
    if xp is not np:
        return x.max(axis=d, keepdims=True)
    if x.ndim and d == x.ndim - 1:
        return reduce_last(np.maximum, x, True)  # (Note [Row maxima through a transpose])
    return np.fmax.reduce(x, axis=d, keepdims=True)


def _log_softmax_array(x, d, xp):
    """``x - logsumexp(x, d)``."""
    if x.ndim == 0:
        return x - x
    if x.shape[d] == 0:
        return x.copy()
    s, _, S = _shifted_exp(x, d, xp)
    s -= xp.log(S)
    return s


def _softmax_array(x, d, xp):
    if x.ndim == 0:
        return xp.ones_like(x)
    if x.shape[d] == 0:
        return x.copy()
    if xp is not np or x.size < _BROADCAST_OP_MIN:
        e = xp.exp(x - x.max(axis=d, keepdims=True))
        e /= _sum_kept(e, (d,)) if xp is np else e.sum(axis=d, keepdims=True)
        return e
    # (Note [Broadcasts over short rows] for the per-row shift and sums)
    e = broadcast_op(np.subtract, x, _row_max(x, d, xp))
    np.exp(e, out=e)
    return broadcast_op(np.divide, e, _sum_kept(e, (d,)))


class SoftmaxBackward0(Node):
    """``y * (g - sum(g * y, dim))`` with ``y`` the saved output."""
    __slots__ = ('dim',)

    def backward(self, g):
        y = self.saved_output()
        d = self.dim
        if state.enabled:
            return y * (g - (g * y).sum(d, keepdim=True))
        ya, ga = y._data, g._data
        if ya.ndim == 0:
            return g * 0
        gy = ga * ya
        if type(ya) is not np.ndarray or ya.size < _BROADCAST_OP_MIN:
            return make(fix_dtype(gy - ya * gy.sum(axis=d, keepdims=True), y._dtype), y._dtype,
                        y._device)
        yt = broadcast_op(np.multiply, ya, _sum_kept(gy, (d,)))
        return make(fix_dtype(np.subtract(gy, yt, out=yt), y._dtype), y._dtype,
                    y._device)


class LogSoftmaxBackward0(Node):
    """``g - exp(y) * sum(g, dim)`` with ``y`` the saved output."""
    __slots__ = ('dim',)

    def backward(self, g):
        y = self.saved_output()
        d = self.dim
        if state.enabled:
            return g - exp(y) * g.sum(d, keepdim=True)
        ya, ga = y._data, g._data
        if ya.ndim == 0:
            return g * 0
        xp = xp_of(y)
        calc = ya.astype(np.float32) if ya.dtype.itemsize == 2 else ya
        total = _sum_kept(ga, (d,)) if ga.dtype == calc.dtype else \
            ga.sum(axis=d, keepdims=True, dtype=calc.dtype)
        if xp is np and ga.dtype == calc.dtype and calc.size >= _BROADCAST_OP_MIN:
            e = np.exp(calc)  # (Note [Broadcasts over short rows] for the per-row totals)
            e = broadcast_op(np.multiply, e, total)
            return make(fix_dtype(np.subtract(ga, e, out=e), y._dtype), y._dtype, y._device)
        res = ga - xp.exp(calc) * total
        return make(fix_dtype(res, y._dtype), y._dtype, y._device)


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``exp(input) / sum(exp(input), dim)``: rescales ``input`` along ``dim`` into a
    probability distribution (entries in [0, 1] summing to 1). ``dtype`` casts the input first.
    Without ``dim``, PyTorch's deprecated implicit choice (0 for 0-, 1- and 3-d inputs, else 1)
    is made, with its warning.

    Example::

        >>> F.softmax(flambeau.tensor([[1., 2., 3.]]), dim=1)
        tensor([[0.0900, 0.2447, 0.6652]])
    """
    if dim is None:
        dim = _softmax_dim('softmax', input.ndim, _stacklevel)
    input, d, x = _softmax_input(input, dim, dtype, 'softmax')
    dt = input._dtype
    if x is None:
        return make(input._data.copy(), dt, input._device)
    r = make(fix_dtype(_softmax_array(x, d, xp_of(input)), dt), dt, input._device)
    if state.enabled and input._requires_grad:
        node = SoftmaxBackward0()
        node.dim = d
        node.save_output(r)
        record(node, r, input)
    return r


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``log(softmax(input, dim))``, computed as ``input - logsumexp(input, dim)`` so that
    large logits neither overflow nor lose precision. ``dtype`` casts the input first.

    Example::

        >>> F.log_softmax(flambeau.tensor([0., 1000.]), dim=0)
        tensor([-1000.,     0.])
    """
    if dim is None:
        dim = _softmax_dim('log_softmax', input.ndim, _stacklevel)
    input, d, x = _softmax_input(input, dim, dtype, 'log_softmax')
    dt = input._dtype
    if x is None:
        return make(input._data.copy(), dt, input._device)
    r = make(fix_dtype(_log_softmax_array(x, d, xp_of(input)), dt), dt, input._device)
    if state.enabled and input._requires_grad:
        node = LogSoftmaxBackward0()
        node.dim = d
        node.save_output(r)
        record(node, r, input)
    return r


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """``softmax(-input, dim)``: small entries get large probabilities.

    Example::

        >>> F.softmin(flambeau.tensor([1., 2., 3.]), dim=0)
        tensor([0.6652, 0.2447, 0.0900])
    """
    if dim is None:
        dim = _softmax_dim('softmin', input.ndim, _stacklevel)
    return softmax(-input, dim, dtype=dtype)


def gumbel_softmax(logits, tau=1.0, hard=False, eps=1e-10, dim=-1):
    """A sample of the Gumbel-softmax distribution: ``softmax((logits + g) / tau, dim)`` with
    ``g`` drawn from Gumbel(0, 1). ``hard=True`` returns one-hot vectors (the argmax of the
    sample) whose gradient is that of the soft sample (straight-through estimator).

    Example::

        >>> y = F.gumbel_softmax(flambeau.zeros(2, 3), hard=True)
        >>> y.sum(-1)
        tensor([1., 1.])
    """
    if eps != 1e-10:
        warnings.warn('`eps` parameter is deprecated and has no effect.', stacklevel=2)
    gumbels = -empty_like(logits).exponential_().log()
    y_soft = softmax((logits + gumbels) / tau, dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = zeros_like(logits).scatter_(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft


# -- gated and parametric -----------------------------------------------------------------------
class GluBackward0(Node):
    """For ``a * sigmoid(b)`` (``a``, ``b`` the halves of the input): ``g * sigmoid(b)`` and
    ``g * a * sigmoid(b) * (1 - sigmoid(b))``, joined along ``dim``."""
    __slots__ = ('dim',)

    def backward(self, g):
        x, = self.saved_tensors
        a, b = x.chunk(2, self.dim)
        s = sigmoid(b)
        ga = g * s
        return cat([ga, ga * a * (1 - s)], self.dim)


def glu(input, dim=-1):
    """The gated linear unit: ``a * sigmoid(b)`` where ``a`` and ``b`` are the first and second
    halves of ``input`` along ``dim`` (whose size must be even).

    Example::

        >>> F.glu(flambeau.tensor([1., 2., 0., 0.]))
        tensor([0.5000, 1.0000])
    """
    nd = input._data.ndim
    if nd == 0:
        raise RuntimeError('glu does not support scalars because halving size must be even')
    d = normalize_dims(dim, nd)[0]
    n = input._data.shape[d]
    if n % 2:
        raise RuntimeError(f'Halving dimension must be even, but dimension {d} is size {n}')
    x = _float_only(input, 'glu_cpu')
    xp = xp_of(input)
    calc = x.astype(np.float32) if x.dtype.itemsize == 2 else x
    h = n // 2
    a = calc[(slice(None),) * d + (slice(0, h),)]
    b = calc[(slice(None),) * d + (slice(h, n),)]
    return _finish(input, a * _sigmoid_array(b, xp), GluBackward0, save_input=True, dim=d)


class PreluKernelBackward0(Node):
    """``g`` where the input is positive, else ``weight * g``; the weight's gradient sums
    ``input * g`` over the negative part down to its shape."""
    __slots__ = ('wshape',)

    def backward(self, g):
        x, w = self.saved_tensors
        wb = w.reshape(self.wshape)
        pos = x > 0
        gi = where(pos, g, wb * g) if self.next_functions[0][0] is not None else None
        gw = None
        if self.next_functions[1][0] is not None:
            gw = where(pos, 0., x * g).sum_to_size(self.wshape).reshape(w.shape)
        return gi, gw


def prelu(input, weight):
    """``max(0, input) + weight * min(0, input)`` with a learnt ``weight`` of one element or
    one per channel (dimension 1 of ``input``).

    Example::

        >>> F.prelu(flambeau.tensor([-2., 3.]), flambeau.tensor([0.25]))
        tensor([-0.5000,  3.0000])
    """
    wd = weight._data
    if wd.ndim > 1:
        raise RuntimeError(f'prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim '
                           f'= {wd.ndim}')
    nd = input._data.ndim
    if wd.size != 1:
        if nd == 0:
            raise RuntimeError('Not allow zero-dim input tensor.')
        c = input._data.shape[1] if nd > 1 else 1
        if c != wd.size:
            raise RuntimeError(f'Mismatch of parameter numbers and input channel size. Found '
                               f'parameter numbers = {wd.size} and channel size = {c}.')
    if input._dtype is not weight._dtype:
        raise RuntimeError(f'prelu: Type promoting not supported. Got {dtype_title(input._dtype)} '
                           f'and {dtype_title(weight._dtype)}')
    x = _float_only(input, 'prelu_cpu')
    wshape = (1, wd.size) + (1,) * (nd - 2) if nd > 1 else wd.shape
    res = xp_of(input).where(x > 0, x, x * wd.reshape(wshape))
    dt = input._dtype
    r = make(fix_dtype(res, dt), dt, input._device)
    if state.enabled and (input._requires_grad or weight._requires_grad):
        node = PreluKernelBackward0()
        node.wshape = wshape
        node.save(input, weight)
        record(node, r, input, weight)
    return r


class RreluWithNoiseBackward(Node):
    """``g * noise`` where the input (the result, in place) is not positive, else ``g``."""
    __slots__ = ('label', 'noise', 'in_place')

    def name(self):
        return self.label

    def backward(self, g):
        x = self.saved_output() if self.in_place else self.saved_tensors[0]
        return where(x > 0, g, g * self.noise)


def _rrelu(input, lower, upper, training, generator, in_place=False):
    x = _float_only(input, 'leaky_relu_cpu')
    xp = xp_of(input)
    if training:
        if input._dtype is _dt.float16:
            raise not_implemented('rrelu_with_noise_out_cpu', input._dtype)
        bits = _generator_for(generator, input._device)
        gen = np.float64 if x.dtype == np.float64 else np.float32
        u = bits.random(x.shape, dtype=gen) * (upper - lower) + lower
        if not isinstance(u, xp.ndarray):
            u = xp.asarray(u)
        noise_arr = xp.where(x <= 0, u, 1).astype(x.dtype)
        res = x * noise_arr
        noise = make(noise_arr, input._dtype, input._device)
    else:
        noise = (lower + upper) / 2
        res = xp.where(x > 0, x, x * x.dtype.type(noise))
    return _finish(input, res, RreluWithNoiseBackward, save_input=not in_place,
                   save_output=in_place, noise=noise, in_place=in_place,
                   label='RreluWithNoiseBackward1' if in_place else 'RreluWithNoiseBackward0')


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False, generator=None):
    """The randomized leaky ReLU: ``input`` where positive, else ``a * input`` with ``a``
    drawn uniformly from ``[lower, upper]`` per element when ``training``, and
    ``(lower + upper) / 2`` otherwise.

    Example::

        >>> F.rrelu(flambeau.tensor([-3., 2.]), 0.1, 0.3)
        tensor([-0.6000,  2.0000])
    """
    if inplace:
        return apply_inplace(input, _rrelu, (lower, upper, training, generator, True))
    return _rrelu(input, lower, upper, training, generator)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    """In-place :func:`rrelu`."""
    return apply_inplace(input, _rrelu, (lower, upper, training, generator, True))


# the names ``flambeau.nn.functional`` exports from this module
FUNCTIONAL = ['celu', 'celu_', 'elu', 'elu_', 'gelu', 'glu', 'gumbel_softmax', 'hardshrink',
              'hardsigmoid', 'hardswish', 'hardtanh', 'hardtanh_', 'leaky_relu', 'leaky_relu_',
              'log_softmax', 'logsigmoid', 'mish', 'prelu', 'relu', 'relu6', 'relu_', 'rrelu',
              'rrelu_', 'selu', 'selu_', 'sigmoid', 'silu', 'softmax', 'softmin', 'softplus',
              'softshrink', 'softsign', 'tanh', 'tanhshrink', 'threshold', 'threshold_']


# Tensor methods: {name: function}; INPLACE: {name_: out-of-place function} made in-place by
# ops.inplace.inplace_of.
METHODS = {'hardshrink': hardshrink, 'softmax': softmax, 'log_softmax': log_softmax,
           'prelu': prelu}
INPLACE = {}
