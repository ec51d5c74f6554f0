"""Recurrent layers: ``RNN``, ``LSTM``, ``GRU`` (their common base ``RNNBase``) and the cells
``RNNCell``, ``LSTMCell``, ``GRUCell``. The math is in ``flambeau/ops/rnn.py``: one fused
graph node per layer and direction, one per cell step."""
import math
import numbers
import warnings

from ...ops import rnn as _ops
from ...ops.creation import empty, zeros
from .. import init
from ..parameter import Parameter
from ..utils.rnn import PackedSequence
from .module import Module

__all__ = ['RNNBase', 'RNN', 'LSTM', 'GRU', 'RNNCellBase', 'RNNCell', 'LSTMCell', 'GRUCell']

_GATES = {'LSTM': 4, 'GRU': 3, 'RNN_TANH': 1, 'RNN_RELU': 1}
_LAYER_FN = {'LSTM': _ops.lstm, 'GRU': _ops.gru, 'RNN_TANH': _ops.rnn_tanh,
             'RNN_RELU': _ops.rnn_relu}


def _permute(t, permutation):
    """``t`` with its batch dimension (dim 1) reordered by ``permutation``."""
    return t.index_select(1, permutation)


class RNNBase(Module):
    r"""The base of :class:`RNN`, :class:`LSTM` and :class:`GRU`: holds the parameters of
    every layer and direction and checks the arguments.

    Parameters are named as in PyTorch, so state dicts interchange: ``weight_ih_l{k}``
    ``(gates * hidden_size, in)``, ``weight_hh_l{k}`` ``(gates * hidden_size, H_out)``,
    ``bias_ih_l{k}``, ``bias_hh_l{k}`` ``(gates * hidden_size)``, ``weight_hr_l{k}``
    ``(proj_size, hidden_size)`` for a projected LSTM, with the suffix ``_reverse`` for the
    backward direction. Every one is initialised from U(-1/sqrt(hidden_size),
    1/sqrt(hidden_size)).

    Example::

        >>> m = flambeau.nn.RNNBase('LSTM', 10, 20, num_layers=2)
        >>> [n for n, _ in m.named_parameters()][:2]
        ['weight_ih_l0', 'weight_hh_l0']
    """

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, proj_size=0,
                 device=None, dtype=None):
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        D = 2 if bidirectional else 1
        if (not isinstance(dropout, numbers.Number) or isinstance(dropout, bool)
                or not 0 <= dropout <= 1):
            raise ValueError('dropout should be a number in range [0, 1] representing the '
                             'probability of an element being zeroed')
        if dropout > 0 and num_layers == 1:
            warnings.warn('dropout option adds dropout after all but last recurrent layer, so '
                          'non-zero dropout expects num_layers greater than 1, but got '
                          f'dropout={dropout} and num_layers={num_layers}', stacklevel=2)
        if not isinstance(bias, bool):
            raise TypeError(f'bias should be of type bool, got: {type(bias).__name__}')
        if not isinstance(batch_first, bool):
            raise TypeError(f'batch_first should be of type bool, got: '
                            f'{type(batch_first).__name__}')
        if not isinstance(input_size, int):
            raise TypeError(f'input_size should be of type int, got: '
                            f'{type(input_size).__name__}')
        if input_size <= 0:
            raise ValueError('input_size must be greater than zero')
        if not isinstance(hidden_size, int):
            raise TypeError(f'hidden_size should be of type int, got: '
                            f'{type(hidden_size).__name__}')
        if hidden_size <= 0:
            raise ValueError('hidden_size must be greater than zero')
        if num_layers <= 0:
            raise ValueError('num_layers must be greater than zero')
        if proj_size < 0:
            raise ValueError('proj_size should be a positive integer or zero to disable '
                             'projections')
        if proj_size >= hidden_size:
            raise ValueError('proj_size has to be smaller than hidden_size')
        if mode not in _GATES:
            raise ValueError('Unrecognized RNN mode: ' + mode)
        gate_size = _GATES[mode] * hidden_size
        real_hidden = proj_size if proj_size > 0 else hidden_size
        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            for direction in range(D):
                layer_in = input_size if layer == 0 else real_hidden * D
                suffix = '_reverse' if direction == 1 else ''
                shapes = [('weight_ih_l{}{}', (gate_size, layer_in)),
                          ('weight_hh_l{}{}', (gate_size, real_hidden))]
                if bias:
                    shapes += [('bias_ih_l{}{}', (gate_size,)), ('bias_hh_l{}{}', (gate_size,))]
                if proj_size > 0:
                    shapes += [('weight_hr_l{}{}', (proj_size, hidden_size))]
                names = []
                for fmt, shape in shapes:
                    name = fmt.format(layer, suffix)
                    setattr(self, name, Parameter(empty(*shape, device=device, dtype=dtype)))
                    names.append(name)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    @property
    def _flat_weights(self):
        """The parameters in the flat order that ``flambeau.lstm`` & co. take."""
        p = self._parameters
        return [p.get(n) for n in self._flat_weights_names]

    def flatten_parameters(self):
        """Kept for PyTorch compatibility: the parameters are already in the layout the fused
        layers use, so this does nothing."""

    def reset_parameters(self):
        """Re-initialise every parameter from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    @property
    def all_weights(self):
        """The parameters as a list per layer and direction."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    # -- argument checks (PyTorch's messages) ----------------------------------------------
    def check_input(self, input, batch_sizes):
        w = self._parameters[self._flat_weights_names[0]]
        if input.dtype is not w.dtype:
            raise ValueError(f'RNN input dtype ({input.dtype}) does not match weight dtype '
                             f'({w.dtype}). Convert input: input.to({w.dtype}), or convert '
                             f'model: model.to({input.dtype})')
        expected = 2 if batch_sizes is not None else 3
        if input.dim() != expected:
            raise RuntimeError(f'input must have {expected} dimensions, got {input.dim()}')
        if self.input_size != input.size(-1):
            raise RuntimeError(f'input.size(-1) must be equal to input_size. Expected '
                               f'{self.input_size}, got {input.size(-1)}')

    def get_expected_hidden_size(self, input, batch_sizes):
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        else:
            mini_batch = input.size(0) if self.batch_first else input.size(1)
        D = 2 if self.bidirectional else 1
        size = self.proj_size if self.proj_size > 0 else self.hidden_size
        return (self.num_layers * D, mini_batch, size)

    def check_hidden_size(self, hx, expected_hidden_size, msg='Expected hidden size {}, got {}'):
        if tuple(hx.size()) != expected_hidden_size:
            raise RuntimeError(msg.format(expected_hidden_size, list(hx.size())))

    def check_forward_args(self, input, hidden, batch_sizes):
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden, self.get_expected_hidden_size(input, batch_sizes))

    def permute_hidden(self, hx, permutation):
        if permutation is None:
            return hx
        return _permute(hx, permutation)

    def _zeros(self, input, mini_batch, size):
        D = 2 if self.bidirectional else 1
        return zeros(self.num_layers * D, mini_batch, size, dtype=input.dtype,
                     device=input.device)

    def _prepare(self, input, hx, lstm):
        """Unpack a PackedSequence or add the batch dimension to unbatched input; build zero
        initial states. Returns (input, batch_sizes, sorted, unsorted, hx, batched, bdim)."""
        name = self.mode if self.mode in ('LSTM', 'GRU') else 'RNN'
        h_size = self.proj_size if self.proj_size > 0 else self.hidden_size
        if isinstance(input, PackedSequence):
            input, batch_sizes, sorted_indices, unsorted_indices = input
            mini_batch = int(batch_sizes[0])
            if hx is None:
                hx = self._zeros(input, mini_batch, h_size)
                if lstm:
                    hx = (hx, self._zeros(input, mini_batch, self.hidden_size))
            else:
                hx = self.permute_hidden(hx, sorted_indices)
            return input, batch_sizes, sorted_indices, unsorted_indices, hx, True, 1
        if input.dim() not in (2, 3):
            suffix = ' tensor' if name == 'RNN' else ''
            raise ValueError(f'{name}: Expected input to be 2D or 3D, got {input.dim()}D'
                             f'{suffix} instead')
        batched = input.dim() == 3
        bdim = 0 if self.batch_first else 1
        if not batched:
            input = input.unsqueeze(bdim)
        mini_batch = input.size(0) if self.batch_first else input.size(1)
        if hx is None:
            hx = self._zeros(input, mini_batch, h_size)
            if lstm:
                hx = (hx, self._zeros(input, mini_batch, self.hidden_size))
        elif lstm:
            h, c = hx
            if batched and (h.dim() != 3 or c.dim() != 3):
                raise RuntimeError(f'For batched 3-D input, hx and cx should also be 3-D but '
                                   f'got ({h.dim()}-D, {c.dim()}-D) tensors')
            if not batched:
                if h.dim() != 2 or c.dim() != 2:
                    raise RuntimeError(f'For unbatched 2-D input, hx and cx should also be 2-D '
                                       f'but got ({h.dim()}-D, {c.dim()}-D) tensors')
                hx = (h.unsqueeze(1), c.unsqueeze(1))
        else:
            if batched and hx.dim() != 3:
                raise RuntimeError(f'For batched 3-D input, hx should also be 3-D but got '
                                   f'{hx.dim()}-D tensor')
            if not batched:
                if hx.dim() != 2:
                    raise RuntimeError(f'For unbatched 2-D input, hx should also be 2-D but '
                                       f'got {hx.dim()}-D tensor')
                hx = hx.unsqueeze(1)
        return input, None, None, None, hx, batched, bdim

    def _run(self, input, hx, lstm):
        orig = input
        input, batch_sizes, sorted_indices, unsorted_indices, hx, batched, bdim = \
            self._prepare(input, hx, lstm)
        self.check_forward_args(input, hx, batch_sizes)
        fn = _LAYER_FN[self.mode]
        if batch_sizes is None:
            result = fn(input, hx, self._flat_weights, self.bias, self.num_layers,
                        self.dropout, self.training, self.bidirectional, self.batch_first)
        else:
            result = fn(input, batch_sizes, hx, self._flat_weights, self.bias,
                        self.num_layers, self.dropout, self.training, self.bidirectional)
        output = result[0]
        hidden = result[1:] if lstm else result[1]
        if isinstance(orig, PackedSequence):
            return (PackedSequence(output, batch_sizes, sorted_indices, unsorted_indices),
                    self.permute_hidden(hidden, unsorted_indices))
        if not batched:
            output = output.squeeze(bdim)
            hidden = (hidden[0].squeeze(1), hidden[1].squeeze(1)) if lstm else \
                hidden.squeeze(1)
        return output, hidden

    def extra_repr(self):
        s = f'{self.input_size}, {self.hidden_size}'
        if self.proj_size != 0:
            s += f', proj_size={self.proj_size}'
        if self.num_layers != 1:
            s += f', num_layers={self.num_layers}'
        if self.bias is not True:
            s += f', bias={self.bias}'
        if self.batch_first is not False:
            s += f', batch_first={self.batch_first}'
        if self.dropout != 0:
            s += f', dropout={self.dropout}'
        if self.bidirectional is not False:
            s += f', bidirectional={self.bidirectional}'
        return s


class RNN(RNNBase):
    r"""A multi-layer Elman RNN with tanh or ReLU:
    ``h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)``.

    Args:
        input_size: features of the input ``x``
        hidden_size: features of the hidden state ``h``
        num_layers: number of stacked recurrent layers. Default: 1
        nonlinearity: ``'tanh'`` or ``'relu'``. Default: ``'tanh'``
        bias: if ``False``, no ``b_ih``, ``b_hh``. Default: ``True``
        batch_first: input and output are ``(batch, seq, feature)``. Default: ``False``
        dropout: dropout probability on the outputs of every layer but the last (training
            mode only). Default: 0
        bidirectional: also run each layer backward in time. Default: ``False``

    Inputs: ``input``, ``h_0``
        - ``input``: ``(L, N, H_in)`` (``(N, L, H_in)`` if ``batch_first``), ``(L, H_in)``
          unbatched, or a :class:`~flambeau.nn.utils.rnn.PackedSequence`
        - ``h_0``: ``(D * num_layers, N, H_out)`` (``(D * num_layers, H_out)`` unbatched),
          zeros if not given

    Outputs: ``output`` ``(L, N, D * H_out)`` (or a PackedSequence), ``h_n`` like ``h_0``.

    Example::

        >>> rnn = flambeau.nn.RNN(10, 20, 2)
        >>> output, hn = rnn(flambeau.randn(5, 3, 10), flambeau.randn(2, 3, 20))
        >>> output.shape, hn.shape
        (torch.Size([5, 3, 20]), torch.Size([2, 3, 20]))
    """

    def __init__(self, *args, **kwargs):
        if 'proj_size' in kwargs:
            raise ValueError('proj_size argument is only supported for LSTM, not RNN or GRU')
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop('nonlinearity', 'tanh')
        if self.nonlinearity == 'tanh':
            mode = 'RNN_TANH'
        elif self.nonlinearity == 'relu':
            mode = 'RNN_RELU'
        else:
            raise ValueError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' "
                             "or 'relu'.")
        super().__init__(mode, *args, **kwargs)

    def forward(self, input, hx=None):
        return self._run(input, hx, False)


class LSTM(RNNBase):
    r"""A multi-layer long short-term memory RNN. For each step each layer computes

    ``i, f, g, o = sigmoid/sigmoid/tanh/sigmoid of the chunks of
    x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh``, ``c_t = f * c_{t-1} + i * g``,
    ``h_t = o * tanh(c_t)`` (times ``W_hr^T`` when ``proj_size > 0``).

    Args:
        input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional: as
            for :class:`RNN`
        proj_size: if ``> 0``, project ``h_t`` to this size. Default: 0

    Inputs: ``input``, ``(h_0, c_0)``: ``input`` as for :class:`RNN`; ``h_0``
    ``(D * num_layers, N, H_out)``, ``c_0`` ``(D * num_layers, N, hidden_size)``; zeros if
    not given. ``H_out`` is ``proj_size`` if set, else ``hidden_size``.

    Outputs: ``output``, ``(h_n, c_n)``.

    Example::

        >>> rnn = flambeau.nn.LSTM(10, 20, 2)
        >>> h0, c0 = flambeau.randn(2, 3, 20), flambeau.randn(2, 3, 20)
        >>> output, (hn, cn) = rnn(flambeau.randn(5, 3, 10), (h0, c0))
        >>> output.shape
        torch.Size([5, 3, 20])
    """

    def __init__(self, *args, **kwargs):
        super().__init__('LSTM', *args, **kwargs)

    def get_expected_cell_size(self, input, batch_sizes):
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        else:
            mini_batch = input.size(0) if self.batch_first else input.size(1)
        D = 2 if self.bidirectional else 1
        return (self.num_layers * D, mini_batch, self.hidden_size)

    def check_forward_args(self, input, hidden, batch_sizes):
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden[0], self.get_expected_hidden_size(input, batch_sizes),
                               'Expected hidden[0] size {}, got {}')
        self.check_hidden_size(hidden[1], self.get_expected_cell_size(input, batch_sizes),
                               'Expected hidden[1] size {}, got {}')

    def permute_hidden(self, hx, permutation):
        if permutation is None:
            return hx
        return _permute(hx[0], permutation), _permute(hx[1], permutation)

    def forward(self, input, hx=None):
        return self._run(input, hx, True)


class GRU(RNNBase):
    r"""A multi-layer gated recurrent unit RNN. For each step each layer computes

    ``r = sigmoid(x W_ir^T + b_ir + h W_hr^T + b_hr)``, ``z`` likewise,
    ``n = tanh(x W_in^T + b_in + r * (h W_hn^T + b_hn))``, ``h' = (1 - z) * n + z * h``.

    Args, inputs and outputs as for :class:`RNN` (no ``nonlinearity``).

    Example::

        >>> rnn = flambeau.nn.GRU(10, 20, 2)
        >>> output, hn = rnn(flambeau.randn(5, 3, 10), flambeau.randn(2, 3, 20))
        >>> hn.shape
        torch.Size([2, 3, 20])
    """

    def __init__(self, *args, **kwargs):
        if 'proj_size' in kwargs:
            raise ValueError('proj_size argument is only supported for LSTM, not RNN or GRU')
        super().__init__('GRU', *args, **kwargs)

    def forward(self, input, hx=None):
        return self._run(input, hx, False)


class RNNCellBase(Module):
    """The base of the cells: parameters ``weight_ih`` ``(chunks * hidden_size,
    input_size)``, ``weight_hh`` ``(chunks * hidden_size, hidden_size)``, ``bias_ih``,
    ``bias_hh`` ``(chunks * hidden_size)``, all from U(-1/sqrt(hidden_size),
    1/sqrt(hidden_size)).

    Example::

        >>> flambeau.nn.RNNCellBase(10, 20, True, 4).weight_ih.shape
        torch.Size([80, 10])
    """

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(empty(num_chunks * hidden_size, input_size, device=device,
                                         dtype=dtype))
        self.weight_hh = Parameter(empty(num_chunks * hidden_size, hidden_size, device=device,
                                         dtype=dtype))
        if bias:
            self.bias_ih = Parameter(empty(num_chunks * hidden_size, device=device, dtype=dtype))
            self.bias_hh = Parameter(empty(num_chunks * hidden_size, device=device, dtype=dtype))
        else:
            self.register_parameter('bias_ih', None)
            self.register_parameter('bias_hh', None)
        self.reset_parameters()

    def extra_repr(self):
        s = f'{self.input_size}, {self.hidden_size}'
        if 'bias' in self.__dict__ and self.bias is not True:
            s += f', bias={self.bias}'
        if 'nonlinearity' in self.__dict__ and self.nonlinearity != 'tanh':
            s += f', nonlinearity={self.nonlinearity}'
        return s

    def reset_parameters(self):
        """Re-initialise every parameter from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _batched(self, input, hx, name, what='hidden'):
        if input.dim() not in (1, 2):
            raise ValueError(f'{name}: Expected input to be 1D or 2D, got {input.dim()}D '
                             'instead')
        if hx is not None and hx.dim() not in (1, 2):
            raise ValueError(f'{name}: Expected {what} to be 1D or 2D, got {hx.dim()}D instead')
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
        if hx is None:
            hx = zeros(input.size(0), self.hidden_size, dtype=input.dtype, device=input.device)
        elif not batched:
            hx = hx.unsqueeze(0)
        return input, hx, batched


class RNNCell(RNNCellBase):
    r"""An Elman RNN cell: ``h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)`` (or ReLU).

    Args:
        input_size, hidden_size: features of ``x`` and ``h``
        bias: if ``False``, no ``b_ih``, ``b_hh``. Default: ``True``
        nonlinearity: ``'tanh'`` or ``'relu'``. Default: ``'tanh'``

    Inputs: ``input`` ``(N, H_in)`` or ``(H_in)``, ``hidden`` ``(N, H_out)`` or ``(H_out)``
    (zeros if not given). Output: ``h'``, shaped like ``hidden``.

    Example::

        >>> cell = flambeau.nn.RNNCell(10, 20)
        >>> hx = flambeau.randn(3, 20)
        >>> for x in flambeau.randn(6, 3, 10):
        ...     hx = cell(x, hx)
        >>> hx.shape
        torch.Size([3, 20])
    """

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity='tanh', device=None,
                 dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device,
                         dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        input, hx, batched = self._batched(input, hx, 'RNNCell')
        if self.nonlinearity == 'tanh':
            ret = _ops.rnn_tanh_cell(input, hx, self.weight_ih, self.weight_hh, self.bias_ih,
                                     self.bias_hh)
        elif self.nonlinearity == 'relu':
            ret = _ops.rnn_relu_cell(input, hx, self.weight_ih, self.weight_hh, self.bias_ih,
                                     self.bias_hh)
        else:
            raise RuntimeError(f'Unknown nonlinearity: {self.nonlinearity}')
        return ret if batched else ret.squeeze(0)


class LSTMCell(RNNCellBase):
    r"""An LSTM cell: one step of :class:`LSTM` (without projection).

    Inputs: ``input`` ``(N, H_in)`` or ``(H_in)``, ``(h_0, c_0)`` each ``(N, H)`` or ``(H)``
    (zeros if not given). Outputs: ``(h_1, c_1)``.

    Example::

        >>> cell = flambeau.nn.LSTMCell(10, 20)
        >>> hx, cx = cell(flambeau.randn(3, 10))
        >>> cx.shape
        torch.Size([3, 20])
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device,
                         dtype=dtype)

    def forward(self, input, hx=None):
        if input.dim() not in (1, 2):
            raise ValueError(f'LSTMCell: Expected input to be 1D or 2D, got {input.dim()}D '
                             'instead')
        if hx is not None:
            for idx, value in enumerate(hx):
                if value.dim() not in (1, 2):
                    raise ValueError(f'LSTMCell: Expected hx[{idx}] to be 1D or 2D, got '
                                     f'{value.dim()}D instead')
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
        if hx is None:
            z = zeros(input.size(0), self.hidden_size, dtype=input.dtype, device=input.device)
            hx = (z, z)
        elif not batched:
            hx = (hx[0].unsqueeze(0), hx[1].unsqueeze(0))
        h, c = _ops.lstm_cell(input, hx, self.weight_ih, self.weight_hh, self.bias_ih,
                              self.bias_hh)
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    r"""A GRU cell: one step of :class:`GRU`.

    Inputs: ``input`` ``(N, H_in)`` or ``(H_in)``, ``hidden`` ``(N, H)`` or ``(H)`` (zeros
    if not given). Output: ``h'``, shaped like ``hidden``.

    Example::

        >>> cell = flambeau.nn.GRUCell(10, 20)
        >>> cell(flambeau.randn(3, 10), flambeau.randn(3, 20)).shape
        torch.Size([3, 20])
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device,
                         dtype=dtype)

    def forward(self, input, hx=None):
        input, hx, batched = self._batched(input, hx, 'GRUCell')
        ret = _ops.gru_cell(input, hx, self.weight_ih, self.weight_hh, self.bias_ih,
                            self.bias_hh)
        return ret if batched else ret.squeeze(0)
