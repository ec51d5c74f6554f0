"""Transformer layers: encoder/decoder layers, their stacks and ``Transformer``, as in
"Attention Is All You Need". The attention is :class:`MultiheadAttention`, called with
``need_weights=False`` so that it runs the fused ``scaled_dot_product_attention``; module
names and ``state_dict`` keys are PyTorch's (``layers.0.self_attn.in_proj_weight``,
``linear1``, ``norm1`` ...)."""
import copy
import warnings

from ...ops import activation as _A
from ...ops import attention as _attn
from ...ops.creation import full
from ...ops.rearrange import triu
from .. import init
from .activation import GELU, MultiheadAttention, ReLU
from .container import ModuleList
from .dropout import Dropout
from .linear import Linear
from .module import Module
from .normalization import LayerNorm

__all__ = ['Transformer', 'TransformerEncoder', 'TransformerDecoder', 'TransformerEncoderLayer',
           'TransformerDecoderLayer']


def _generate_square_subsequent_mask(sz, device=None, dtype=None):
    """The ``(sz, sz)`` float mask of a causal attention: -inf above the diagonal, 0 on and
    below it."""
    return triu(full((sz, sz), float('-inf'), dtype=dtype, device=device), diagonal=1)


def _get_seq_len(src, batch_first):
    shape = src.size()
    if len(shape) == 2:
        return shape[0]
    return shape[1 if batch_first else 0]


def _detect_is_causal_mask(mask, is_causal=None, size=None):
    """``is_causal`` if it is given (True or False); when it is None, whether ``mask`` is
    exactly the causal mask of ``size`` (or of its own size)."""
    make_causal = is_causal is True
    if is_causal is None and mask is not None:
        sz = size if size is not None else mask.size(-2)
        causal = _generate_square_subsequent_mask(sz, device=mask.device, dtype=mask.dtype)
        if mask.size() == causal.size():
            make_causal = bool((mask == causal).all())
        else:
            make_causal = False
    return make_causal


def _get_clones(module, n):
    return ModuleList([copy.deepcopy(module) for _ in range(n)])


def _get_activation_fn(activation):
    if activation == 'relu':
        return _A.relu
    if activation == 'gelu':
        return _A.gelu
    raise RuntimeError(f'activation should be relu/gelu, not {activation}')


class Transformer(Module):
    """A transformer: an encoder stack over ``src`` and a decoder stack over ``tgt`` that
    attends to the encoder's output.

    Args:
        d_model: number of expected features in the inputs. Default: 512
        nhead: number of attention heads. Default: 8
        num_encoder_layers, num_decoder_layers: layers in each stack. Default: 6
        dim_feedforward: width of the feedforward networks. Default: 2048
        dropout: dropout probability. Default: 0.1
        activation: of the feedforward networks: ``"relu"``, ``"gelu"`` or a callable.
            Default: relu
        custom_encoder, custom_decoder: modules used instead of the default stacks
        layer_norm_eps: eps of the layer norms. Default: 1e-5
        batch_first: inputs and outputs are ``(batch, seq, feature)``. Default: ``False``
        norm_first: layer norm before (not after) attention and feedforward. Default:
            ``False``
        bias: biases in the linear and layer-norm layers. Default: ``True``

    Parameters of more than one dimension are initialised xavier uniform.

    Shape (forward): ``src`` ``(S, N, E)``, ``tgt`` ``(T, N, E)`` (batch first with
    ``batch_first``; unbatched ``(S, E)``/``(T, E)``); output ``(T, N, E)``.

    Example::

        >>> model = flambeau.nn.Transformer(d_model=16, nhead=2, num_encoder_layers=1,
        ...                                 num_decoder_layers=1, dim_feedforward=32)
        >>> model(flambeau.rand(10, 4, 16), flambeau.rand(7, 4, 16)).shape
        torch.Size([7, 4, 16])
    """

    def __init__(self, d_model=512, nhead=8, num_encoder_layers=6, num_decoder_layers=6,
                 dim_feedforward=2048, dropout=0.1, activation=_A.relu, custom_encoder=None,
                 custom_decoder=None, layer_norm_eps=1e-5, batch_first=False, norm_first=False,
                 bias=True, device=None, dtype=None):
        super().__init__()
        fk = {'device': device, 'dtype': dtype}
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            layer = TransformerEncoderLayer(d_model, nhead, dim_feedforward, dropout, activation,
                                            layer_norm_eps, batch_first, norm_first, bias, **fk)
            norm = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **fk)
            self.encoder = TransformerEncoder(layer, num_encoder_layers, norm)
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            layer = TransformerDecoderLayer(d_model, nhead, dim_feedforward, dropout, activation,
                                            layer_norm_eps, batch_first, norm_first, bias, **fk)
            norm = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **fk)
            self.decoder = TransformerDecoder(layer, num_decoder_layers, norm)
        self._reset_parameters()
        self.d_model = d_model
        self.nhead = nhead
        self.batch_first = batch_first

    def forward(self, src, tgt, src_mask=None, tgt_mask=None, memory_mask=None,
                src_key_padding_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, src_is_causal=None, tgt_is_causal=None,
                memory_is_causal=False):
        """Encode ``src`` (with ``src_mask``/``src_key_padding_mask``), then decode ``tgt``
        against it (``tgt_mask``, ``memory_mask`` and their key-padding masks)."""
        is_batched = src.dim() == 3
        if is_batched and src.size(0 if self.batch_first else 1) != \
                tgt.size(0 if self.batch_first else 1):
            raise RuntimeError('the batch number of src and tgt must be equal')
        if src.size(-1) != self.d_model or tgt.size(-1) != self.d_model:
            raise RuntimeError('the feature number of src and tgt must be equal to d_model')
        memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask,
                              is_causal=src_is_causal)
        return self.decoder(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                            tgt_key_padding_mask=tgt_key_padding_mask,
                            memory_key_padding_mask=memory_key_padding_mask,
                            tgt_is_causal=tgt_is_causal, memory_is_causal=memory_is_causal)

    @staticmethod
    def generate_square_subsequent_mask(sz, device=None, dtype=None):
        """The causal mask of a sequence of ``sz``: a float ``(sz, sz)`` tensor with -inf
        above the diagonal and 0 elsewhere.

        Example::

            >>> flambeau.nn.Transformer.generate_square_subsequent_mask(2)
            tensor([[0., -inf],
                    [0., 0.]])
        """
        return _generate_square_subsequent_mask(sz, dtype=dtype, device=device)

    def _reset_parameters(self):
        for p in self.parameters():
            if p.dim() > 1:
                init.xavier_uniform_(p)


class TransformerEncoder(Module):
    """A stack of ``num_layers`` copies of ``encoder_layer``, then ``norm`` (if given).

    Args:
        encoder_layer: a :class:`TransformerEncoderLayer` (deep-copied ``num_layers`` times)
        num_layers: number of layers
        norm: a final layer norm (optional)
        enable_nested_tensor, mask_check: accepted for compatibility (flambeau has no nested
            tensors: padding is always handled by the key-padding mask)

    Example::

        >>> layer = flambeau.nn.TransformerEncoderLayer(d_model=16, nhead=2, batch_first=True)
        >>> enc = flambeau.nn.TransformerEncoder(layer, num_layers=2)
        >>> enc(flambeau.rand(4, 10, 16)).shape
        torch.Size([4, 10, 16])
    """
    __constants__ = ['norm']

    def __init__(self, encoder_layer, num_layers, norm=None, enable_nested_tensor=True,
                 mask_check=True):
        super().__init__()
        self.layers = _get_clones(encoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm
        self.enable_nested_tensor = enable_nested_tensor
        self.use_nested_tensor = enable_nested_tensor
        self.mask_check = mask_check
        why = _why_not_sparsity(encoder_layer)
        if enable_nested_tensor and why:
            warnings.warn(f'enable_nested_tensor is True, but self.use_nested_tensor is False '
                          f'because {why}', stacklevel=2)
            self.use_nested_tensor = False

    def forward(self, src, mask=None, src_key_padding_mask=None, is_causal=None):
        """Pass ``src`` through the layers. ``mask``: ``(S, S)`` or ``(N * nhead, S, S)``;
        ``src_key_padding_mask``: ``(N, S)``; ``is_causal``: a hint that ``mask`` is the
        causal mask (None: detected by comparing ``mask`` with it)."""
        src_key_padding_mask = _attn._canonical_mask(
            src_key_padding_mask, 'src_key_padding_mask', _attn._none_or_dtype(mask), 'mask',
            src.dtype)
        mask = _attn._canonical_mask(mask, 'mask', None, '', src.dtype, check_other=False)
        first = self.layers[0]
        seq_len = _get_seq_len(src, first.self_attn.batch_first)
        is_causal = _detect_is_causal_mask(mask, is_causal, seq_len)
        output = src
        for mod in self.layers:
            output = mod(output, src_mask=mask, is_causal=is_causal,
                         src_key_padding_mask=src_key_padding_mask)
        if self.norm is not None:
            output = self.norm(output)
        return output


def _why_not_sparsity(layer):
    """PyTorch's reason not to use nested tensors with ``layer`` ('' if it would)."""
    name = 'encoder_layer'
    if not isinstance(layer, TransformerEncoderLayer):
        return f'{name} was not TransformerEncoderLayer'
    if layer.norm_first:
        return f'{name}.norm_first was True'
    if not layer.self_attn.batch_first:
        return (f'{name}.self_attn.batch_first was not True(use batch_first for better '
                f'inference performance)')
    if not layer.self_attn._qkv_same_embed_dim:
        return f'{name}.self_attn._qkv_same_embed_dim was not True'
    if layer.self_attn.in_proj_bias is None:
        return f'{name}.self_attn was passed bias=False'
    if not layer.activation_relu_or_gelu:
        return f'{name}.activation_relu_or_gelu was not True'
    if layer.norm1.eps != layer.norm2.eps:
        return f'{name}.norm1.eps was not equal to {name}.norm2.eps'
    if layer.self_attn.num_heads % 2 == 1:
        return f'{name}.self_attn.num_heads is odd'
    return ''


class TransformerDecoder(Module):
    """A stack of ``num_layers`` copies of ``decoder_layer``, then ``norm`` (if given).

    Example::

        >>> layer = flambeau.nn.TransformerDecoderLayer(d_model=16, nhead=2)
        >>> dec = flambeau.nn.TransformerDecoder(layer, num_layers=2)
        >>> dec(flambeau.rand(7, 4, 16), flambeau.rand(10, 4, 16)).shape
        torch.Size([7, 4, 16])
    """
    __constants__ = ['norm']

    def __init__(self, decoder_layer, num_layers, norm=None):
        super().__init__()
        self.layers = _get_clones(decoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=None, memory_is_causal=False):
        """Pass ``tgt`` through the layers, each attending to ``memory``. ``tgt_is_causal``
        None: detected by comparing ``tgt_mask`` with the causal mask."""
        seq_len = _get_seq_len(tgt, self.layers[0].self_attn.batch_first)
        tgt_is_causal = _detect_is_causal_mask(tgt_mask, tgt_is_causal, seq_len)
        output = tgt
        for mod in self.layers:
            output = mod(output, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                         tgt_key_padding_mask=tgt_key_padding_mask,
                         memory_key_padding_mask=memory_key_padding_mask,
                         tgt_is_causal=tgt_is_causal, memory_is_causal=memory_is_causal)
        if self.norm is not None:
            output = self.norm(output)
        return output


class TransformerEncoderLayer(Module):
    """Self-attention and a feedforward network, each in a residual connection with layer
    norm (after it, or before it with ``norm_first``).

    Args:
        d_model: number of expected features in the input
        nhead: number of attention heads
        dim_feedforward: width of the feedforward network. Default: 2048
        dropout: dropout probability. Default: 0.1
        activation: ``"relu"``, ``"gelu"`` or a callable. Default: relu
        layer_norm_eps: eps of the layer norms. Default: 1e-5
        batch_first: inputs and outputs are ``(batch, seq, feature)``. Default: ``False``
        norm_first: layer norm first (pre-norm). Default: ``False``
        bias: biases in the linear and layer-norm layers. Default: ``True``

    Example::

        >>> layer = flambeau.nn.TransformerEncoderLayer(d_model=16, nhead=2)
        >>> layer(flambeau.rand(10, 4, 16)).shape
        torch.Size([10, 4, 16])
    """
    __constants__ = ['norm_first']

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation=_A.relu,
                 layer_norm_eps=1e-5, batch_first=False, norm_first=False, bias=True,
                 device=None, dtype=None):
        super().__init__()
        fk = {'device': device, 'dtype': dtype}
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias,
                                            batch_first=batch_first, **fk)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, **fk)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, **fk)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **fk)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **fk)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        if isinstance(activation, str):
            activation = _get_activation_fn(activation)
        if activation is _A.relu or isinstance(activation, ReLU):
            self.activation_relu_or_gelu = 1
        elif activation is _A.gelu or isinstance(activation, GELU):
            self.activation_relu_or_gelu = 2
        else:
            self.activation_relu_or_gelu = 0
        self.activation = activation

    def __setstate__(self, state):
        super().__setstate__(state)
        if not hasattr(self, 'activation'):
            self.activation = _A.relu

    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        """``src`` ``(S, N, E)`` (``(N, S, E)`` batch first, ``(S, E)`` unbatched);
        ``src_mask`` ``(S, S)`` or ``(N * nhead, S, S)``; ``src_key_padding_mask``
        ``(N, S)``; ``is_causal``: a hint that ``src_mask`` is the causal mask."""
        src_key_padding_mask = _attn._canonical_mask(
            src_key_padding_mask, 'src_key_padding_mask', _attn._none_or_dtype(src_mask),
            'src_mask', src.dtype)
        src_mask = _attn._canonical_mask(src_mask, 'src_mask', None, '', src.dtype,
                                         check_other=False)
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            x = x + self._ff_block(self.norm2(x))
        else:
            x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
            x = self.norm2(x + self._ff_block(x))
        return x

    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal=False):
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                           need_weights=False, is_causal=is_causal)[0]
        return self.dropout1(x)

    def _ff_block(self, x):
        x = self.linear2(self.dropout(self.activation(self.linear1(x))))
        return self.dropout2(x)


class TransformerDecoderLayer(Module):
    """Self-attention, attention over the encoder's output (``memory``) and a feedforward
    network, each in a residual connection with layer norm (after it, or before it with
    ``norm_first``). Arguments as :class:`TransformerEncoderLayer`.

    Example::

        >>> layer = flambeau.nn.TransformerDecoderLayer(d_model=16, nhead=2)
        >>> layer(flambeau.rand(7, 4, 16), flambeau.rand(10, 4, 16)).shape
        torch.Size([7, 4, 16])
    """
    __constants__ = ['norm_first']

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation=_A.relu,
                 layer_norm_eps=1e-5, batch_first=False, norm_first=False, bias=True,
                 device=None, dtype=None):
        super().__init__()
        fk = {'device': device, 'dtype': dtype}
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout,
                                            batch_first=batch_first, bias=bias, **fk)
        self.multihead_attn = MultiheadAttention(d_model, nhead, dropout=dropout,
                                                 batch_first=batch_first, bias=bias, **fk)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, **fk)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, **fk)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **fk)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **fk)
        self.norm3 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **fk)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.dropout3 = Dropout(dropout)
        self.activation = _get_activation_fn(activation) if isinstance(activation, str) \
            else activation

    def __setstate__(self, state):
        if 'activation' not in state:
            state['activation'] = _A.relu
        super().__setstate__(state)

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False):
        """``tgt`` ``(T, N, E)``, ``memory`` ``(S, N, E)`` (batch first with
        ``batch_first``); ``tgt_mask`` ``(T, T)``, ``memory_mask`` ``(T, S)`` and the
        key-padding masks ``(N, T)``/``(N, S)``."""
        x = tgt
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), tgt_mask, tgt_key_padding_mask, tgt_is_causal)
            x = x + self._mha_block(self.norm2(x), memory, memory_mask,
                                    memory_key_padding_mask, memory_is_causal)
            x = x + self._ff_block(self.norm3(x))
        else:
            x = self.norm1(x + self._sa_block(x, tgt_mask, tgt_key_padding_mask, tgt_is_causal))
            x = self.norm2(x + self._mha_block(x, memory, memory_mask, memory_key_padding_mask,
                                               memory_is_causal))
            x = self.norm3(x + self._ff_block(x))
        return x

    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal=False):
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                           is_causal=is_causal, need_weights=False)[0]
        return self.dropout1(x)

    def _mha_block(self, x, mem, attn_mask, key_padding_mask, is_causal=False):
        x = self.multihead_attn(x, mem, mem, attn_mask=attn_mask,
                                key_padding_mask=key_padding_mask, is_causal=is_causal,
                                need_weights=False)[0]
        return self.dropout2(x)

    def _ff_block(self, x):
        x = self.linear2(self.dropout(self.activation(self.linear1(x))))
        return self.dropout3(x)
