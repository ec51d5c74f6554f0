"""Closeness tests: ``isclose`` (elementwise) and ``allclose`` (one Python bool)."""
__all__ = ['allclose', 'isclose']
from .. import dtypes as _dt
from ._common import Tensor, broadcast_error, device_mismatch, dtype_title, make, xp_of


def _close_array(input, other, rtol, atol, equal_nan, name):
    """The bool array of ``isclose``, after PyTorch's argument checks."""
    if not isinstance(other, Tensor):
        raise TypeError(f"{name}(): argument 'other' (position 2) must be Tensor, not "
                        f'{type(other).__name__}')
    dt = input._dtype
    if other._dtype is not dt:
        raise RuntimeError(f'{dtype_title(dt)} did not match {dtype_title(other._dtype)}')
    if not rtol >= 0:
        raise RuntimeError(f'rtol must be greater than or equal to zero, but got {rtol:g}')
    if not atol >= 0:
        raise RuntimeError(f'atol must be greater than or equal to zero, but got {atol:g}')
    if other._device is not input._device:
        raise device_mismatch(input, other)
    xp = xp_of(input)
    x, y = input._data, other._data
    try:
        close = x == y
    except ValueError as e:
        raise broadcast_error(e, x, y) from None
    if equal_nan and dt.is_floating_point:
        close |= (x != x) & (y != y)
    if rtol == 0 and atol == 0:
        return close
    # PyTorch computes the errors in the inputs' float dtype, or in the default float dtype
    # for integer and bool inputs (so int differences never wrap around).
    if dt.is_floating_point:
        ct = dt.numpy
    else:
        ct = _dt.get_default_dtype().numpy
        x, y = x.astype(ct), y.astype(ct)
    allowed = (atol + xp.abs(rtol * y).astype(ct, copy=False)).astype(ct, copy=False)
    actual = xp.abs((x - y).astype(ct, copy=False))
    close |= xp.isfinite(actual) & (actual <= allowed)
    return close


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """A bool tensor: where ``|input - other| <= atol + rtol * |other|`` (elementwise, the
    shapes broadcast), or where both are equal (also infinities of the same sign). NaNs
    compare equal only with ``equal_nan=True``. Both tensors must have the same dtype.

    Example::

        >>> flambeau.isclose(flambeau.tensor([1., 2.]), flambeau.tensor([1. + 1e-7, 2.1]))
        tensor([ True, False])
    """
    res = _close_array(input, other, rtol, atol, equal_nan, 'isclose')
    return make(xp_of(input).asarray(res), _dt.bool, input._device)


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True if :func:`isclose` holds everywhere (a Python bool).

    Example::

        >>> flambeau.allclose(flambeau.tensor([1., 2.]), flambeau.tensor([1., 2. + 1e-6]))
        True
    """
    return bool(_close_array(input, other, rtol, atol, equal_nan, 'allclose').all())


# Tensor methods: {name: function}; INPLACE: {name_: out-of-place function} made in-place by
# ops.inplace.inplace_of.
METHODS = {'isclose': isclose, 'allclose': allclose}
INPLACE = {}
