"""``flambeau.nn.init``: PyTorch's weight initialisations. Each fills its tensor in place under
``no_grad`` with flambeau's random generator (or ``generator``) and returns it.

Example::

    >>> w = flambeau.empty(3, 5)
    >>> flambeau.nn.init.kaiming_uniform_(w, mode='fan_in', nonlinearity='relu').shape
    torch.Size([3, 5])
"""
import math
import warnings

from ..autograd import grad_mode

__all__ = ['calculate_gain', 'uniform_', 'normal_', 'trunc_normal_', 'constant_', 'ones_',
           'zeros_', 'eye_', 'dirac_', 'xavier_uniform_', 'xavier_normal_', 'kaiming_uniform_',
           'kaiming_normal_', 'orthogonal_', 'sparse_', 'uniform', 'normal', 'constant',
           'xavier_uniform', 'xavier_normal', 'kaiming_uniform', 'kaiming_normal', 'orthogonal',
           'sparse']

_LINEAR_FNS = ('linear', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d',
               'conv_transpose3d')


def calculate_gain(nonlinearity, param=None):
    """The recommended gain for a nonlinearity: 1 for linear/conv/sigmoid, 5/3 for tanh,
    sqrt(2) for relu, sqrt(2 / (1 + slope^2)) for leaky_relu (``param`` = slope, default 0.01)
    and 3/4 for selu.

    Example::

        >>> flambeau.nn.init.calculate_gain('leaky_relu', 0.2)
        1.3867504905630728
    """
    if nonlinearity in _LINEAR_FNS or nonlinearity == 'sigmoid':
        return 1
    if nonlinearity == 'tanh':
        return 5.0 / 3
    if nonlinearity == 'relu':
        return math.sqrt(2.0)
    if nonlinearity == 'leaky_relu':
        if param is None:
            slope = 0.01
        elif (not isinstance(param, bool) and isinstance(param, int)) or isinstance(param, float):
            slope = param
        else:
            raise ValueError(f'negative_slope {param} not a valid number')
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == 'selu':
        return 3.0 / 4
    raise ValueError(f'Unsupported nonlinearity {nonlinearity}')


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Fill ``tensor`` with values drawn from the uniform distribution U(a, b).

    Example::

        >>> w = flambeau.nn.init.uniform_(flambeau.empty(3, 5), -0.1, 0.1)
    """
    with grad_mode.no_grad():
        return tensor.uniform_(a, b, generator=generator)


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """Fill ``tensor`` with values drawn from the normal distribution N(mean, std^2).

    Example::

        >>> w = flambeau.nn.init.normal_(flambeau.empty(3, 5), std=0.02)
    """
    with grad_mode.no_grad():
        return tensor.normal_(mean, std, generator=generator)


def _norm_cdf(x):
    return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    """Fill ``tensor`` with values drawn from the normal distribution N(mean, std^2)
    truncated to [a, b] (values outside are redrawn). Works best when ``a <= mean <= b``.

    Example::

        >>> w = flambeau.nn.init.trunc_normal_(flambeau.empty(3, 5), std=0.02, a=-0.04, b=0.04)
    """
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn('mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The '
                      'distribution of values may be incorrect.', stacklevel=2)
    with grad_mode.no_grad():
        # inverse CDF: uniform over [cdf(a), cdf(b)], mapped through the normal quantile
        lo = _norm_cdf((a - mean) / std)
        hi = _norm_cdf((b - mean) / std)
        tensor.uniform_(2 * lo - 1, 2 * hi - 1, generator=generator)
        tensor.erfinv_()
        tensor.mul_(std * math.sqrt(2.0))
        tensor.add_(mean)
        tensor.clamp_(min=a, max=b)
    return tensor


def constant_(tensor, val):
    """Fill ``tensor`` with the value ``val``.

    Example::

        >>> flambeau.nn.init.constant_(flambeau.empty(2), 0.3)
        tensor([0.3000, 0.3000])
    """
    with grad_mode.no_grad():
        return tensor.fill_(val)


def ones_(tensor):
    """Fill ``tensor`` with ones.

    Example::

        >>> flambeau.nn.init.ones_(flambeau.empty(2))
        tensor([1., 1.])
    """
    with grad_mode.no_grad():
        return tensor.fill_(1.0)


def zeros_(tensor):
    """Fill ``tensor`` with zeros.

    Example::

        >>> flambeau.nn.init.zeros_(flambeau.empty(2))
        tensor([0., 0.])
    """
    with grad_mode.no_grad():
        return tensor.zero_()


def eye_(tensor):
    """Fill the 2-D ``tensor`` with the identity matrix (ones on the main diagonal).

    Example::

        >>> flambeau.nn.init.eye_(flambeau.empty(2, 3))
        tensor([[1., 0., 0.],
                [0., 1., 0.]])
    """
    if tensor.ndimension() != 2:
        raise ValueError('Only tensors with 2 dimensions are supported')
    from ..ops.creation import eye
    with grad_mode.no_grad():
        tensor.copy_(eye(*tensor.shape, dtype=tensor.dtype, device=tensor.device))
    return tensor


def dirac_(tensor, groups=1):
    """Fill the 3-, 4- or 5-D ``tensor`` (a convolution weight) with the Dirac delta: the
    convolution then copies its input channels (per group when ``groups > 1``).

    Example::

        >>> w = flambeau.nn.init.dirac_(flambeau.empty(3, 3, 3))
        >>> w[:, :, 1]
        tensor([[1., 0., 0.],
                [0., 1., 0.],
                [0., 0., 1.]])
    """
    n = tensor.ndimension()
    if n not in (3, 4, 5):
        raise ValueError('Only tensors with 3, 4, or 5 dimensions are supported')
    sizes = tensor.size()
    if sizes[0] % groups != 0:
        raise ValueError('dim 0 must be divisible by groups')
    per_group = sizes[0] // groups
    centre = tuple(s // 2 for s in sizes[2:])
    with grad_mode.no_grad():
        tensor.zero_()
        for g in range(groups):
            for d in range(min(per_group, sizes[1])):
                tensor[(g * per_group + d, d) + centre] = 1
    return tensor


def _calculate_fan_in_and_fan_out(tensor):
    """``(fan_in, fan_out)`` of a weight: ``size(1)`` and ``size(0)`` times the receptive field
    size (the product of the dimensions after the second)."""
    if tensor.dim() < 2:
        raise ValueError('Fan in and fan out can not be computed for tensor with fewer than 2 '
                         'dimensions')
    receptive = 1
    for s in tensor.shape[2:]:
        receptive *= s
    return tensor.size(1) * receptive, tensor.size(0) * receptive


def _calculate_correct_fan(tensor, mode):
    mode = mode.lower()
    valid = ['fan_in', 'fan_out']
    if mode not in valid:
        raise ValueError(f'Mode {mode} not supported, please use one of {valid}')
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == 'fan_in' else fan_out


def xavier_uniform_(tensor, gain=1.0, generator=None):
    """Fill ``tensor`` from U(-a, a) with ``a = gain * sqrt(6 / (fan_in + fan_out))`` (Glorot
    initialisation).

    Example::

        >>> w = flambeau.nn.init.xavier_uniform_(flambeau.empty(3, 5),
        ...                                      gain=flambeau.nn.init.calculate_gain('relu'))
    """
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    a = math.sqrt(3.0) * std
    return uniform_(tensor, -a, a, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    """Fill ``tensor`` from N(0, std^2) with ``std = gain * sqrt(2 / (fan_in + fan_out))``.

    Example::

        >>> w = flambeau.nn.init.xavier_normal_(flambeau.empty(3, 5))
    """
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def kaiming_uniform_(tensor, a=0, mode='fan_in', nonlinearity='leaky_relu', generator=None):
    """Fill ``tensor`` from U(-bound, bound) with ``bound = gain * sqrt(3 / fan)`` (He
    initialisation); ``fan`` is fan_in or fan_out after ``mode``, ``gain`` that of
    ``nonlinearity`` (with negative slope ``a`` for leaky_relu).

    Example::

        >>> w = flambeau.nn.init.kaiming_uniform_(flambeau.empty(3, 5), mode='fan_in',
        ...                                       nonlinearity='relu')
    """
    if 0 in tensor.shape:
        warnings.warn('Initializing zero-element tensors is a no-op', stacklevel=2)
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    bound = math.sqrt(3.0) * calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a=0, mode='fan_in', nonlinearity='leaky_relu', generator=None):
    """Fill ``tensor`` from N(0, std^2) with ``std = gain / sqrt(fan)`` (He initialisation).

    Example::

        >>> w = flambeau.nn.init.kaiming_normal_(flambeau.empty(3, 5), mode='fan_out',
        ...                                      nonlinearity='relu')
    """
    if 0 in tensor.shape:
        warnings.warn('Initializing zero-element tensors is a no-op', stacklevel=2)
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return normal_(tensor, 0.0, std, generator)


def orthogonal_(tensor, gain=1, generator=None):
    """Fill ``tensor`` (2-D or more, trailing dimensions flattened) with a (semi-)orthogonal
    matrix times ``gain``: the Q of the QR decomposition of a normal random matrix, signs
    fixed so that the result is uniformly distributed.

    Example::

        >>> w = flambeau.nn.init.orthogonal_(flambeau.empty(3, 5))
        >>> flambeau.allclose(w @ w.T, flambeau.eye(3), atol=1e-5)
        True
    """
    if tensor.ndimension() < 2:
        raise ValueError('Only tensors with 2 or more dimensions are supported')
    if tensor.numel() == 0:
        return tensor
    from ..ops.decomp import qr
    rows = tensor.size(0)
    cols = tensor.numel() // rows
    with grad_mode.no_grad():
        flat = tensor.new_empty((rows, cols)).normal_(0, 1, generator=generator)
        if rows < cols:
            flat = flat.t()
        q, r = qr(flat)
        q = q * r.diagonal().sign()
        if rows < cols:
            q = q.t()
        tensor.view_as(q).copy_(q)
        tensor.mul_(gain)
    return tensor


def sparse_(tensor, sparsity, std=0.01, generator=None):
    """Fill the 2-D ``tensor`` from N(0, std^2), then zero a fraction ``sparsity`` of the
    elements of each column (at random rows).

    Example::

        >>> w = flambeau.nn.init.sparse_(flambeau.empty(10, 4), sparsity=0.3)
        >>> int((w == 0).sum(0)[0])
        3
    """
    if tensor.ndimension() != 2:
        raise ValueError('Only tensors with 2 dimensions are supported')
    from ..ops.random import randperm
    rows, cols = tensor.shape
    num_zeros = math.ceil(sparsity * rows)
    with grad_mode.no_grad():
        tensor.normal_(0, std, generator=generator)
        for c in range(cols):
            rows_idx = randperm(rows, generator=generator) if generator is not None \
                else randperm(rows)
            tensor[rows_idx[:num_zeros], c] = 0
    return tensor


def _deprecated(fn):
    old = fn.__name__[:-1]

    def deprecated(*args, **kwargs):
        warnings.warn(f'`nn.init.{old}` is now deprecated in favor of `nn.init.{fn.__name__}`.',
                      FutureWarning, stacklevel=2)
        return fn(*args, **kwargs)
    deprecated.__name__ = old
    deprecated.__doc__ = f'Deprecated alias of :func:`{fn.__name__}`.'
    return deprecated


uniform = _deprecated(uniform_)
normal = _deprecated(normal_)
constant = _deprecated(constant_)
xavier_uniform = _deprecated(xavier_uniform_)
xavier_normal = _deprecated(xavier_normal_)
kaiming_uniform = _deprecated(kaiming_uniform_)
kaiming_normal = _deprecated(kaiming_normal_)
orthogonal = _deprecated(orthogonal_)
sparse = _deprecated(sparse_)
