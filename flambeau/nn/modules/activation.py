"""The activation modules: each wraps the function of ``flambeau.ops.activation`` of the same
name, with its settings as attributes (printed by ``extra_repr``) and ``inplace=`` where
PyTorch has it."""
import warnings

from ...ops import activation as A
from ...ops.creation import empty
from ...ops.pointwise import sigmoid as _sigmoid, tanh as _tanh
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ['Threshold', 'ReLU', 'RReLU', 'Hardtanh', 'ReLU6', 'Sigmoid', 'Hardsigmoid', 'Tanh',
           'SiLU', 'Mish', 'Hardswish', 'ELU', 'CELU', 'SELU', 'GLU', 'GELU', 'Hardshrink',
           'LeakyReLU', 'LogSigmoid', 'Softplus', 'Softshrink', 'PReLU', 'Softsign',
           'Tanhshrink', 'Softmin', 'Softmax', 'Softmax2d', 'LogSoftmax', 'MultiheadAttention']


def _inplace_only(module):
    return 'inplace=True' if module.inplace else ''


def _inplace_suffix(module):
    return ', inplace=True' if module.inplace else ''


class Threshold(Module):
    """Threshold each element: ``y = x`` if ``x > threshold`` else ``value``.

    Args:
        threshold: the value to threshold at
        value: the value to replace with
        inplace: can optionally do the operation in-place. Default: ``False``

    Shape: input ``(*)``, output ``(*)``, the same.

    Example::

        >>> m = flambeau.nn.Threshold(0.1, 20)
        >>> m(flambeau.tensor([0.0, 0.5]))
        tensor([20.0000,  0.5000])
    """
    __constants__ = ['threshold', 'value', 'inplace']

    def __init__(self, threshold, value, inplace=False):
        super().__init__()
        self.threshold = threshold
        self.value = value
        self.inplace = inplace

    def forward(self, input):
        return A.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self):
        return f'threshold={self.threshold}, value={self.value}{_inplace_suffix(self)}'


class ReLU(Module):
    """Apply the rectified linear unit ``max(0, x)`` element-wise.

    Args:
        inplace: can optionally do the operation in-place. Default: ``False``

    Shape: input ``(*)``, output ``(*)``, the same.

    Example::

        >>> flambeau.nn.ReLU()(flambeau.tensor([-1.0, 2.0]))
        tensor([0., 2.])
    """
    __constants__ = ['inplace']

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return A.relu(input, inplace=self.inplace)

    def extra_repr(self):
        return _inplace_only(self)


class RReLU(Module):
    """Randomized leaky ReLU: in training the negative slope of each element is drawn from
    U(lower, upper); in evaluation it is ``(lower + upper) / 2``.

    Shape: input ``(*)``, output ``(*)``, the same.

    Example::

        >>> m = flambeau.nn.RReLU(0.1, 0.3).eval()
        >>> m(flambeau.tensor([-1.0, 1.0]))
        tensor([-0.2000,  1.0000])
    """
    __constants__ = ['lower', 'upper', 'inplace']

    def __init__(self, lower=1.0 / 8, upper=1.0 / 3, inplace=False):
        super().__init__()
        self.lower = lower
        self.upper = upper
        self.inplace = inplace

    def forward(self, input):
        return A.rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self):
        return f'lower={self.lower}, upper={self.upper}{_inplace_suffix(self)}'


class Hardtanh(Module):
    """Clamp each element to ``[min_val, max_val]``.

    Args:
        min_val: minimum value of the linear region range. Default: -1
        max_val: maximum value of the linear region range. Default: 1
        inplace: can optionally do the operation in-place. Default: ``False``

    Shape: input ``(*)``, output ``(*)``, the same.

    Example::

        >>> flambeau.nn.Hardtanh(-2, 2)(flambeau.tensor([-3.0, 1.0, 3.0]))
        tensor([-2.,  1.,  2.])
    """
    __constants__ = ['min_val', 'max_val', 'inplace']

    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False, min_value=None,
                 max_value=None):
        super().__init__()
        if min_value is not None:
            warnings.warn('keyword argument `min_value` is deprecated and renamed to `min_val`',
                          FutureWarning, stacklevel=2)
            min_val = min_value
        if max_value is not None:
            warnings.warn('keyword argument `max_value` is deprecated and renamed to `max_val`',
                          FutureWarning, stacklevel=2)
            max_val = max_value
        self.min_val = min_val
        self.max_val = max_val
        self.inplace = inplace
        if self.max_val <= self.min_val:
            raise AssertionError(f'max_val ({self.max_val}) must be greater than min_val '
                                 f'({self.min_val})')

    def forward(self, input):
        return A.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self):
        return f'min_val={self.min_val}, max_val={self.max_val}{_inplace_suffix(self)}'


class ReLU6(Hardtanh):
    """Apply ``min(max(0, x), 6)`` element-wise.

    Shape: input ``(*)``, output ``(*)``, the same.

    Example::

        >>> flambeau.nn.ReLU6()(flambeau.tensor([-1.0, 7.0]))
        tensor([0., 6.])
    """

    def __init__(self, inplace=False):
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self):
        return _inplace_only(self)


class Sigmoid(Module):
    """Apply the logistic sigmoid ``1 / (1 + exp(-x))`` element-wise.

    Shape: input ``(*)``, output ``(*)``, the same.

    Example::

        >>> flambeau.nn.Sigmoid()(flambeau.zeros(2))
        tensor([0.5000, 0.5000])
    """

    def forward(self, input):
        return _sigmoid(input)


class Hardsigmoid(Module):
    """Apply the piecewise-linear sigmoid ``relu6(x + 3) / 6`` element-wise.

    Shape: input ``(*)``, output ``(*)``, the same.

    Example::

        >>> flambeau.nn.Hardsigmoid()(flambeau.tensor([-4.0, 0.0, 4.0]))
        tensor([0.0000, 0.5000, 1.0000])
    """
    __constants__ = ['inplace']

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return A.hardsigmoid(input, self.inplace)


class Tanh(Module):
    """Apply the hyperbolic tangent element-wise.

    Shape: input ``(*)``, output ``(*)``, the same.

    Example::

        >>> flambeau.nn.Tanh()(flambeau.zeros(2))
        tensor([0., 0.])
    """

    def forward(self, input):
        return _tanh(input)


class SiLU(Module):
    """Apply the sigmoid linear unit (swish) ``x * sigmoid(x)`` element-wise.

    Shape: input ``(*)``, output ``(*)``, the same.

    Example::

        >>> flambeau.nn.SiLU()(flambeau.zeros(2))
        tensor([0., 0.])
    """
    __constants__ = ['inplace']

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return A.silu(input, inplace=self.inplace)

    def extra_repr(self):
        return _inplace_only(self)


class Mish(Module):
    """Apply ``x * tanh(softplus(x))`` element-wise.

    Shape: input ``(*)``, output ``(*)``, the same.

    Example::

        >>> flambeau.nn.Mish()(flambeau.zeros(2))
        tensor([0., 0.])
    """
    __constants__ = ['inplace']

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return A.mish(input, inplace=self.inplace)

    def extra_repr(self):
        return _inplace_only(self)


class Hardswish(Module):
    """Apply ``x * relu6(x + 3) / 6`` element-wise.

    Shape: input ``(*)``, output ``(*)``, the same.

    Example::

        >>> flambeau.nn.Hardswish()(flambeau.tensor([-4.0, 4.0]))
        tensor([-0.,  4.])
    """
    __constants__ = ['inplace']

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return A.hardswish(input, self.inplace)


class ELU(Module):
    """Apply the exponential linear unit: ``x`` if ``x > 0`` else ``alpha * (exp(x) - 1)``.

    Shape: input ``(*)``, output ``(*)``, the same.

    Example::

        >>> flambeau.nn.ELU()(flambeau.tensor([0.0, 1.0]))
        tensor([0., 1.])
    """
    __constants__ = ['alpha', 'inplace']

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input):
        return A.elu(input, self.alpha, self.inplace)

    def extra_repr(self):
        return f'alpha={self.alpha}{_inplace_suffix(self)}'


class CELU(Module):
    """Apply ``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))`` element-wise.

    Shape: input ``(*)``, output ``(*)``, the same.

    Example::

        >>> flambeau.nn.CELU()(flambeau.tensor([0.0, 1.0]))
        tensor([0., 1.])
    """
    __constants__ = ['alpha', 'inplace']

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input):
        return A.celu(input, self.alpha, self.inplace)

    def extra_repr(self):
        return f'alpha={self.alpha}{_inplace_suffix(self)}'


class SELU(Module):
    """Apply the scaled ELU ``scale * elu(x, alpha)`` with PyTorch's fixed constants
    (alpha = 1.6732..., scale = 1.0507...).

    Shape: input ``(*)``, output ``(*)``, the same.

    Example::

        >>> flambeau.nn.SELU()(flambeau.tensor([0.0]))
        tensor([0.])
    """
    __constants__ = ['inplace']

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return A.selu(input, self.inplace)

    def extra_repr(self):
        return _inplace_only(self)


class GLU(Module):
    """The gated linear unit: split the input in halves ``a, b`` along ``dim`` and return
    ``a * sigmoid(b)``.

    Shape: input ``(*, N, *)``, output ``(*, N / 2, *)``.

    Example::

        >>> flambeau.nn.GLU()(flambeau.zeros(4, 2)).shape
        torch.Size([4, 1])
    """
    __constants__ = ['dim']

    def __init__(self, dim=-1):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return A.glu(input, self.dim)

    def extra_repr(self):
        return f'dim={self.dim}'


class GELU(Module):
    """Apply the Gaussian error linear unit ``x * Phi(x)`` (``approximate='tanh'`` for the
    tanh approximation).

    Shape: input ``(*)``, output ``(*)``, the same.

    Example::

        >>> flambeau.nn.GELU()(flambeau.zeros(2))
        tensor([0., 0.])
    """
    __constants__ = ['approximate']

    def __init__(self, approximate='none'):
        super().__init__()
        self.approximate = approximate

    def forward(self, input):
        return A.gelu(input, approximate=self.approximate)

    def extra_repr(self):
        return f'approximate={self.approximate!r}'


class Hardshrink(Module):
    """Apply ``x`` if ``|x| > lambd`` else 0, element-wise.

    Shape: input ``(*)``, output ``(*)``, the same.

    Example::

        >>> flambeau.nn.Hardshrink()(flambeau.tensor([0.2, 1.0]))
        tensor([0., 1.])
    """
    __constants__ = ['lambd']

    def __init__(self, lambd=0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, input):
        return A.hardshrink(input, self.lambd)

    def extra_repr(self):
        return f'{self.lambd}'


class LeakyReLU(Module):
    """Apply ``x`` if ``x >= 0`` else ``negative_slope * x``, element-wise.

    Shape: input ``(*)``, output ``(*)``, the same.

    Example::

        >>> flambeau.nn.LeakyReLU(0.1)(flambeau.tensor([-1.0, 1.0]))
        tensor([-0.1000,  1.0000])
    """
    __constants__ = ['inplace', 'negative_slope']

    def __init__(self, negative_slope=1e-2, inplace=False):
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input):
        return A.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self):
        return f'negative_slope={self.negative_slope}{_inplace_suffix(self)}'


class LogSigmoid(Module):
    """Apply ``log(sigmoid(x))`` element-wise.

    Shape: input ``(*)``, output ``(*)``, the same.

    Example::

        >>> flambeau.nn.LogSigmoid()(flambeau.zeros(1))
        tensor([-0.6931])
    """

    def forward(self, input):
        return A.logsigmoid(input)


class Softplus(Module):
    """Apply ``log(1 + exp(beta * x)) / beta`` element-wise (linear above ``threshold`` for
    numerical stability).

    Shape: input ``(*)``, output ``(*)``, the same.

    Example::

        >>> flambeau.nn.Softplus()(flambeau.zeros(1))
        tensor([0.6931])
    """
    __constants__ = ['beta', 'threshold']

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input):
        return A.softplus(input, self.beta, self.threshold)

    def extra_repr(self):
        return f'beta={self.beta}, threshold={self.threshold}'


class Softshrink(Module):
    """Apply ``x - lambd`` if ``x > lambd``, ``x + lambd`` if ``x < -lambd``, else 0.

    Shape: input ``(*)``, output ``(*)``, the same.

    Example::

        >>> flambeau.nn.Softshrink()(flambeau.tensor([0.2, 1.0]))
        tensor([0.0000, 0.5000])
    """
    __constants__ = ['lambd']

    def __init__(self, lambd=0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, input):
        return A.softshrink(input, self.lambd)

    def extra_repr(self):
        return str(self.lambd)


class PReLU(Module):
    """Apply ``x`` if ``x >= 0`` else ``a * x`` with a learnable slope ``a`` (one shared, or
    one per channel: ``num_parameters`` = the size of dimension 1 of the input).

    Args:
        num_parameters: number of ``a`` to learn (1 or the number of channels). Default: 1
        init: the initial value of ``a``. Default: 0.25

    Shape: input ``(*)``, output ``(*)``, the same.

    Attributes:
        weight: the learnable slopes, of shape ``(num_parameters)``

    Example::

        >>> m = flambeau.nn.PReLU()
        >>> m(flambeau.tensor([-4.0, 2.0]))
        tensor([-1.,  2.], grad_fn=<PreluKernelBackward0>)
    """
    __constants__ = ['num_parameters']

    def __init__(self, num_parameters=1, init=0.25, device=None, dtype=None):
        self.num_parameters = num_parameters
        super().__init__()
        self.init = init
        self.weight = Parameter(empty(num_parameters, device=device, dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self):
        """Set every slope back to ``init``."""
        init.constant_(self.weight, self.init)

    def forward(self, input):
        return A.prelu(input, self.weight)

    def extra_repr(self):
        return f'num_parameters={self.num_parameters}'


class Softsign(Module):
    """Apply ``x / (1 + |x|)`` element-wise.

    Shape: input ``(*)``, output ``(*)``, the same.

    Example::

        >>> flambeau.nn.Softsign()(flambeau.tensor([1.0]))
        tensor([0.5000])
    """

    def forward(self, input):
        return A.softsign(input)


class Tanhshrink(Module):
    """Apply ``x - tanh(x)`` element-wise.

    Shape: input ``(*)``, output ``(*)``, the same.

    Example::

        >>> flambeau.nn.Tanhshrink()(flambeau.zeros(1))
        tensor([0.])
    """

    def forward(self, input):
        return A.tanhshrink(input)


class Softmin(Module):
    """Apply ``softmax(-x)`` along ``dim``: the outputs along it are in [0, 1] and sum to 1.

    Shape: input ``(*)``, output ``(*)``, the same.

    Example::

        >>> flambeau.nn.Softmin(dim=0)(flambeau.zeros(2))
        tensor([0.5000, 0.5000])
    """
    __constants__ = ['dim']

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def __setstate__(self, state):
        super().__setstate__(state)
        if not hasattr(self, 'dim'):
            self.dim = None

    def forward(self, input):
        return A.softmin(input, self.dim, _stacklevel=5)

    def extra_repr(self):
        return f'dim={self.dim}'


class Softmax(Module):
    """Apply ``exp(x_i) / sum_j exp(x_j)`` along ``dim``: the outputs along it are in [0, 1]
    and sum to 1.

    Shape: input ``(*)``, output ``(*)``, the same.

    Example::

        >>> flambeau.nn.Softmax(dim=1)(flambeau.zeros(1, 2))
        tensor([[0.5000, 0.5000]])
    """
    __constants__ = ['dim']

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def __setstate__(self, state):
        super().__setstate__(state)
        if not hasattr(self, 'dim'):
            self.dim = None

    def forward(self, input):
        return A.softmax(input, self.dim, _stacklevel=5)

    def extra_repr(self):
        return f'dim={self.dim}'


class Softmax2d(Module):
    """Apply softmax over the channels at each spatial location.

    Shape: input ``(N, C, H, W)`` or ``(C, H, W)``, output the same.

    Example::

        >>> flambeau.nn.Softmax2d()(flambeau.zeros(1, 2, 1, 1)).flatten()
        tensor([0.5000, 0.5000])
    """

    def forward(self, input):
        if input.dim() not in (3, 4):
            raise ValueError(f'Softmax2d: expected input to be 3D or 4D, got {input.dim()}D '
                             'instead')
        return A.softmax(input, -3, _stacklevel=5)


class LogSoftmax(Module):
    """Apply ``log(softmax(x))`` along ``dim`` (computed stably in one pass).

    Shape: input ``(*)``, output ``(*)``, the same.

    Example::

        >>> flambeau.nn.LogSoftmax(dim=0)(flambeau.zeros(2))
        tensor([-0.6931, -0.6931])
    """
    __constants__ = ['dim']

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def __setstate__(self, state):
        super().__setstate__(state)
        if not hasattr(self, 'dim'):
            self.dim = None

    def forward(self, input):
        return A.log_softmax(input, self.dim, _stacklevel=5)

    def extra_repr(self):
        return f'dim={self.dim}'


# -- multi-head attention ------------------------------------------------------------------------
from ...ops import attention as _attn  # noqa: E402
from .linear import Linear  # noqa: E402


class NonDynamicallyQuantizableLinear(Linear):
    """A :class:`Linear` under another name: the output projection of
    :class:`MultiheadAttention` (PyTorch names it so that quantization leaves it alone; it
    prints under this name)."""


class MultiheadAttention(Module):
    """Attend to information from several representation subspaces at once, as in
    "Attention Is All You Need":
    ``MultiHead(Q, K, V) = Concat(head_1, ..., head_h) W^O`` with
    ``head_i = Attention(Q W_i^Q, K W_i^K, V W_i^V)``.

    Args:
        embed_dim: total dimension of the model (split across ``num_heads`` heads of
            ``embed_dim // num_heads``)
        num_heads: number of parallel attention heads
        dropout: dropout probability on the attention weights. Default: ``0.0``
        bias: add a bias to the input and output projections. Default: ``True``
        add_bias_kv: add a learnt bias to the key and value sequences (one more position).
            Default: ``False``
        add_zero_attn: add a position of zeros to the key and value sequences.
            Default: ``False``
        kdim, vdim: number of features of keys and values (default: ``embed_dim``)
        batch_first: inputs and outputs are ``(batch, seq, feature)`` instead of
            ``(seq, batch, feature)``. Default: ``False``
        device, dtype: where and how the parameters are created

    Shape (forward): ``query`` ``(L, N, E)`` (``(N, L, E)`` with ``batch_first``, ``(L, E)``
    unbatched), ``key``/``value`` ``(S, N, kdim/vdim)``; ``key_padding_mask`` ``(N, S)``
    (True/-inf: ignored); ``attn_mask`` ``(L, S)`` or ``(N * num_heads, L, S)``
    (True/-inf: not attended). Output ``(L, N, E)`` and, when ``need_weights``, the weights
    ``(N, L, S)`` averaged over heads (``(N, num_heads, L, S)`` unless
    ``average_attn_weights``).

    Attributes:
        in_proj_weight: ``(3 * embed_dim, embed_dim)`` packed query/key/value projections
            (xavier uniform), or ``q_proj_weight``/``k_proj_weight``/``v_proj_weight`` when
            ``kdim``/``vdim`` differ from ``embed_dim``
        in_proj_bias: ``(3 * embed_dim)``, zeros; ``out_proj``: the output projection
        bias_k, bias_v: ``(1, 1, embed_dim)`` (xavier normal) with ``add_bias_kv``

    Example::

        >>> mha = flambeau.nn.MultiheadAttention(8, 2, batch_first=True)
        >>> x = flambeau.randn(3, 5, 8)
        >>> out, weights = mha(x, x, x)
        >>> out.shape, weights.shape
        (torch.Size([3, 5, 8]), torch.Size([3, 5, 5]))
    """
    __constants__ = ['batch_first']

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False,
                 add_zero_attn=False, kdim=None, vdim=None, batch_first=False, device=None,
                 dtype=None):
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f'embed_dim and num_heads must be greater than 0, got '
                             f'embed_dim={embed_dim} and num_heads={num_heads} instead')
        super().__init__()
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != self.embed_dim:
            raise AssertionError('embed_dim must be divisible by num_heads')
        fk = {'device': device, 'dtype': dtype}
        if not self._qkv_same_embed_dim:
            self.q_proj_weight = Parameter(empty((embed_dim, embed_dim), **fk))
            self.k_proj_weight = Parameter(empty((embed_dim, self.kdim), **fk))
            self.v_proj_weight = Parameter(empty((embed_dim, self.vdim), **fk))
            self.register_parameter('in_proj_weight', None)
        else:
            self.in_proj_weight = Parameter(empty((3 * embed_dim, embed_dim), **fk))
            self.register_parameter('q_proj_weight', None)
            self.register_parameter('k_proj_weight', None)
            self.register_parameter('v_proj_weight', None)
        if bias:
            self.in_proj_bias = Parameter(empty(3 * embed_dim, **fk))
        else:
            self.register_parameter('in_proj_bias', None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias, **fk)
        if add_bias_kv:
            self.bias_k = Parameter(empty((1, 1, embed_dim), **fk))
            self.bias_v = Parameter(empty((1, 1, embed_dim), **fk))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self):
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
        if self.bias_v is not None:
            init.xavier_normal_(self.bias_v)

    def __setstate__(self, state):
        if '_qkv_same_embed_dim' not in state:  # modules pickled by old versions
            state['_qkv_same_embed_dim'] = True
        super().__setstate__(state)

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True,
                attn_mask=None, average_attn_weights=True, is_causal=False):
        """Attend from ``query`` to ``key``/``value``; returns ``(attn_output,
        attn_weights)`` (``attn_weights`` is None unless ``need_weights``). ``is_causal``
        is a hint that ``attn_mask`` is the causal mask."""
        key_padding_mask = _attn._canonical_mask(key_padding_mask, 'key_padding_mask',
                                                 _attn._none_or_dtype(attn_mask), 'attn_mask',
                                                 query.dtype)
        attn_mask = _attn._canonical_mask(attn_mask, 'attn_mask', None, '', query.dtype,
                                          check_other=False)
        separate = not self._qkv_same_embed_dim
        # batch-first inputs are not transposed (PyTorch does): same values, contiguous GEMMs
        return _attn._mha_forward(
            query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight,
            self.in_proj_bias, self.bias_k, self.bias_v, self.add_zero_attn, self.dropout,
            self.out_proj.weight, self.out_proj.bias, self.training, key_padding_mask,
            need_weights, attn_mask, separate, self.q_proj_weight if separate else None,
            self.k_proj_weight if separate else None, self.v_proj_weight if separate else None,
            None, None, average_attn_weights, is_causal, self.batch_first)
