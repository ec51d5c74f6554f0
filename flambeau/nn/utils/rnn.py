"""Variable-length sequences for recurrent networks: :class:`PackedSequence` and the functions
that pack, pad and unpad batches of sequences.

Every function here is built from differentiable flambeau ops, so gradients flow from a
packed or padded result back to the sequences it came from.

Note [one gather per reshuffle]: packing and padding only move rows around. Each function
works out on the host, with NumPy, which source row lands at each output position, then does
the move with a single ``index_select`` (padding positions read one extra row, holding the
padding value, appended with ``cat``). That costs one or two graph nodes whatever the batch
size, where PyTorch's loops of slices cost one node per step or sequence, and the backward is
the one ``index_add`` of ``index_select``.
"""
from collections import namedtuple
from collections.abc import Iterable

import numpy as np

from ... import dtypes as _dt
from ...device import CPU
from ...ops._common import dtype_title, make, xp_of
from ...ops.creation import arange, as_tensor, empty_like, full
from ...ops.shape import cat
from ...ops.sorting import sort
from ...tensor import Tensor

__all__ = ['PackedSequence', 'invert_permutation', 'pack_padded_sequence',
           'pad_packed_sequence', 'pad_sequence', 'unpad_sequence', 'pack_sequence',
           'unpack_sequence']

_int64 = _dt.int64
_INT_LIMITS = {d: (int(np.iinfo(d.numpy).min), int(np.iinfo(d.numpy).max))
               for d in (_dt.uint8, _dt.int8, _dt.int16, _dt.int32, _dt.int64)}
_FLOAT_MAX = {_dt.float16: 65504.0, _dt.bfloat16: 3.3895313892515355e38,
              _dt.float32: 3.4028234663852886e38}
_C_NAMES = {'uint8': 'uint8_t', 'int8': 'int8_t', 'int16': 'int16_t', 'int32': 'int',
            'int64': 'int64_t', 'float16': 'c10::Half', 'bfloat16': 'c10::BFloat16',
            'float32': 'float'}


def _fill_value(value, dt, wrap_unsigned=False):
    """``padding_value`` (a number) as a value of ``dt``, with PyTorch's overflow error for
    values the dtype cannot hold (``300`` in uint8, ``1e6`` in float16). With
    ``wrap_unsigned`` (``pad_packed_sequence``), a negative Python int down to ``-255`` wraps
    around in uint8 as in PyTorch (``-1`` pads with ``255``)."""
    if dt is _dt.bool:
        return bool(value)
    v = float(value)
    if dt in _INT_LIMITS:
        lo, hi = _INT_LIMITS[dt]
        if (wrap_unsigned and lo == 0 and isinstance(value, int) and -hi <= value < 0):
            return value + hi + 1
        # compared as doubles, like PyTorch: 2**63 passes for int64 and wraps to its minimum
        if not float(lo) <= v <= float(hi):  # also false for nan
            raise RuntimeError(f'value cannot be converted to type {_C_NAMES[dt.name]} '
                               f'without overflow')
        return lo if v >= 2.0 ** 63 else int(v)
    if dt in _FLOAT_MAX and abs(v) > _FLOAT_MAX[dt] and v not in (np.inf, -np.inf):
        raise RuntimeError(f'value cannot be converted to type {_C_NAMES[dt.name]} '
                           f'without overflow')
    return v


def _long_vector(t, name):
    """The host int64 values of ``t``, which must be a 1-D CPU int64 tensor (PyTorch's check
    on ``lengths`` and ``batch_sizes``)."""
    if t._dtype is not _int64 or t.ndim != 1 or t._device is not CPU:
        raise RuntimeError(f"'{name}' argument should be a 1D CPU int64 tensor, but got "
                           f"{t.ndim}D {t._device} {dtype_title(t._dtype)} tensor")
    return t._data


def _index_tensor(idx, like):
    """Host index array ``idx`` as an int64 tensor on ``like``'s device."""
    return make(xp_of(like).asarray(idx.reshape(-1), dtype=np.int64), _int64, like._device)


def _padded_gather(parts, trailing, idx, fill):
    """The rows of ``parts`` (tensors ``N_i x *trailing`` of one dtype and device) followed
    by one row of ``fill``, gathered at host positions ``idx`` (position ``sum(N_i)`` reads
    the padding) into shape ``idx.shape + trailing``. See Note [one gather per reshuffle]."""
    like = parts[0]
    pad = full((1,) + trailing, fill, dtype=like._dtype, device=like._device)
    ext = cat(parts + [pad])
    return ext.index_select(0, _index_tensor(idx, like)).reshape(idx.shape + trailing)


# -- PackedSequence ---------------------------------------------------------------------------
_PackedSequenceBase = namedtuple('PackedSequence_',
                                 ['data', 'batch_sizes', 'sorted_indices', 'unsorted_indices'])


class PackedSequence(_PackedSequenceBase):
    r"""Holds the ``data`` and the ``batch_sizes`` of a packed batch of sequences; every
    recurrent module accepts one as input. Build it with :func:`pack_padded_sequence` or
    :func:`pack_sequence` rather than by hand.

    ``batch_sizes[t]`` is the number of sequences that have a step ``t``: the data of
    sequences ``abc`` and ``x`` packs to ``axbc`` with ``batch_sizes=[2, 1, 1]``.

    Attributes:
        data (Tensor): the steps of all sequences, time step by time step.
        batch_sizes (Tensor): a CPU int64 tensor, the batch size at each time step.
        sorted_indices (Tensor, optional): how the sequences were reordered (longest first)
            to build this batch, or ``None`` if they came sorted.
        unsorted_indices (Tensor, optional): the inverse permutation, which restores the
            original order.

    Example::

        >>> from flambeau.nn.utils.rnn import pack_sequence
        >>> pack_sequence([flambeau.tensor([1, 2, 3]), flambeau.tensor([4])])
        PackedSequence(data=tensor([1, 4, 2, 3]), batch_sizes=tensor([2, 1, 1]), sorted_indices=None, unsorted_indices=None)
    """
    __slots__ = ()

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        return super().__new__(cls, *_packed_sequence_init_args(
            data, batch_sizes, sorted_indices, unsorted_indices))

    def to(self, *args, **kwargs):
        """This sequence with ``data`` converted as by :meth:`Tensor.to` (dtype and/or
        device); the indices follow ``data`` to its device, ``batch_sizes`` stays on the CPU.
        Returns ``self`` when nothing changes.

        Example::

            >>> p = pack_sequence([flambeau.tensor([1., 2.]), flambeau.tensor([3.])])
            >>> p.to(flambeau.float64).data.dtype
            torch.float64
        """
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        dev = data.device
        sorted_indices = None if self.sorted_indices is None else self.sorted_indices.to(dev)
        unsorted_indices = (None if self.unsorted_indices is None
                            else self.unsorted_indices.to(dev))
        return type(self)(data, self.batch_sizes, sorted_indices, unsorted_indices)

    def cuda(self, device=None, non_blocking=False, memory_format=None):
        """This sequence on CUDA device ``device`` (default: the current one)."""
        if device is None:
            device = 'cuda'
        elif isinstance(device, int) and not isinstance(device, bool):
            device = f'cuda:{device}'
        return self.to(device)

    def cpu(self, memory_format=None):
        """This sequence on the CPU (``self`` if it is there already)."""
        return self.to(CPU)

    def double(self):
        """``self.to(flambeau.float64)``."""
        return self.to(dtype=_dt.float64)

    def float(self):
        """``self.to(flambeau.float32)``."""
        return self.to(dtype=_dt.float32)

    def half(self):
        """``self.to(flambeau.float16)``."""
        return self.to(dtype=_dt.float16)

    def long(self):
        """``self.to(flambeau.int64)``."""
        return self.to(dtype=_dt.int64)

    def int(self):
        """``self.to(flambeau.int32)``."""
        return self.to(dtype=_dt.int32)

    def short(self):
        """``self.to(flambeau.int16)``."""
        return self.to(dtype=_dt.int16)

    def char(self):
        """``self.to(flambeau.int8)``."""
        return self.to(dtype=_dt.int8)

    def byte(self):
        """``self.to(flambeau.uint8)``."""
        return self.to(dtype=_dt.uint8)

    @property
    def is_cuda(self):
        """Whether ``data`` is on a CUDA device."""
        return self.data.is_cuda


def _packed_sequence_init_args(data, batch_sizes=None, sorted_indices=None,
                               unsorted_indices=None):
    if unsorted_indices is None:
        unsorted_indices = invert_permutation(sorted_indices)
    if batch_sizes is not None:
        if batch_sizes.device.type != 'cpu':
            raise ValueError(
                'batch_sizes should always be on CPU. Instances of PackedSequence should never '
                'be created manually. They should be instantiated by functions like '
                'pack_sequence and pack_padded_sequences in nn.utils.rnn. '
                'https://pytorch.org/docs/stable/nn.html#torch.nn.utils.rnn.pack_sequence')
        return data, batch_sizes, sorted_indices, unsorted_indices
    if not (isinstance(data, (list, tuple)) and len(data) == 2):
        raise AssertionError('Expected data to be a list or tuple of length 2')
    return data[0], data[1], sorted_indices, unsorted_indices


def invert_permutation(permutation):
    """The inverse of the 1-D index tensor ``permutation`` (``None`` for ``None``): the
    ``unsorted_indices`` that undo ``sorted_indices``.

    Example::

        >>> invert_permutation(flambeau.tensor([2, 0, 1]))
        tensor([1, 2, 0])
    """
    if permutation is None:
        return None
    return empty_like(permutation).scatter_(
        0, permutation, arange(permutation.numel(), device=permutation.device))


# -- packing ------------------------------------------------------------------------------------
def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    r"""Pack a padded batch of variable-length sequences.

    ``input`` is ``T x B x *`` (``B x T x *`` with ``batch_first=True``), where ``T`` is
    the longest length and ``*`` any number of trailing dims; ``lengths`` (a list or a CPU
    tensor of ``B`` ints) gives each sequence's length. With ``enforce_sorted=True`` the
    lengths must be in decreasing order; with ``False`` the batch is sorted first and the
    permutation kept in ``sorted_indices``. Steps past a sequence's length are dropped.
    :func:`pad_packed_sequence` is the inverse.

    Example::

        >>> x = flambeau.tensor([[1, 2, 0], [3, 0, 0], [4, 5, 6]])
        >>> p = pack_padded_sequence(x, [2, 1, 3], batch_first=True, enforce_sorted=False)
        >>> p.data, p.batch_sizes
        (tensor([4, 1, 3, 5, 2, 6]), tensor([3, 2, 1]))
    """
    if not isinstance(lengths, Tensor):
        lengths = as_tensor(lengths, dtype=_int64, device='cpu')
    else:
        lengths = lengths.to(dtype=_int64)
    if enforce_sorted:
        sorted_indices = None
    else:
        lengths, sorted_indices = sort(lengths, descending=True)
        sorted_indices = sorted_indices.to(input.device)
        input = input.index_select(0 if batch_first else 1, sorted_indices)
    data, batch_sizes = _pack(input, lengths, batch_first)
    return PackedSequence(data, batch_sizes, sorted_indices, None)


def _pack(input, lengths, batch_first):
    """``data`` and ``batch_sizes`` of the sorted padded batch ``input``."""
    if input.numel() == 0:
        raise RuntimeError('Cannot pack empty tensors.')
    input._wrap_dim(1)  # PyTorch's IndexError for a 1-d input
    shape = input.shape
    steps, batch = (shape[1], shape[0]) if batch_first else (shape[0], shape[1])
    lens = _long_vector(lengths.contiguous(), 'lengths')
    if lens.shape[0] != batch:
        raise RuntimeError(f'Expected `len(lengths)` to be equal to batch_size, but got '
                           f'{lens.shape[0]} (batch_size={batch})')
    if lens[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an "
                           "element in 'lengths' that is <= 0")
    if batch > 1 and (lens[1:] > lens[:-1]).any():
        raise RuntimeError('`lengths` array must be sorted in decreasing order when '
                           '`enforce_sorted` is True. You can pass `enforce_sorted=False` to '
                           'pack_padded_sequence and/or pack_sequence to sidestep this '
                           'requirement if you do not need ONNX exportability.')
    longest = int(lens[0])
    present = lens[None, :] > np.arange(longest)[:, None]  # [t, b]: sequence b has step t
    batch_sizes = present.sum(1)
    # PyTorch clips steps past the input's end but still counts them in batch_sizes
    t, b = np.nonzero(present[:steps])
    src = b * steps + t if batch_first else t * batch + b
    data = input.reshape((-1,) + tuple(shape[2:])).index_select(0, _index_tensor(src, input))
    return data, make(batch_sizes.astype(np.int64), _int64, CPU)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    r"""Pad a packed batch of sequences back to a tensor: the inverse of
    :func:`pack_padded_sequence`.

    Returns ``(padded, lengths)``: ``padded`` is ``T x B x *`` (``B x T x *`` with
    ``batch_first=True``), ``T`` the longest length or ``total_length`` when given (a
    ``ValueError`` if shorter than the longest sequence), positions past a sequence's end
    hold ``padding_value``; ``lengths`` is a CPU int64 tensor. The batch comes back in the
    order it had before packing.

    Example::

        >>> p = pack_sequence([flambeau.tensor([1, 2, 3]), flambeau.tensor([4])])
        >>> pad_packed_sequence(p, batch_first=True)
        (tensor([[1, 2, 3],
                [4, 0, 0]]), tensor([3, 1]))
    """
    max_seq_length = sequence.batch_sizes.size(0)
    if total_length is not None:
        if total_length < max_seq_length:
            raise ValueError(
                'Expected total_length to be at least the length of the longest sequence in '
                f'input, but got total_length={total_length} and max sequence length being '
                f'{max_seq_length}')
        max_seq_length = total_length
    data = sequence.data
    bs = _long_vector(sequence.batch_sizes.contiguous(), 'batch_sizes')
    batch = int(bs[0])
    present = np.arange(batch)[None, :] < bs[:, None]  # [t, b]: sequence b has step t
    idx = np.full((max_seq_length, batch), data.shape[0], dtype=np.int64)
    idx[:bs.shape[0]][present] = np.arange(int(bs.sum()))
    lengths = present.sum(0)
    unsorted = sequence.unsorted_indices
    if unsorted is not None:
        order = unsorted.cpu()._data
        idx, lengths = idx[:, order], lengths[order]
    if batch_first:
        idx = idx.T
    trailing = tuple(data.shape[1:])
    padded = _padded_gather([data], trailing, idx,
                             _fill_value(padding_value, data._dtype, True))
    return padded, make(lengths.astype(np.int64), _int64, CPU)


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side='right'):
    r"""Stack a list of variable-length tensors (each ``L_i x *``, same trailing dims) into
    one padded tensor ``T x B x *`` (``B x T x *`` with ``batch_first=True``), ``T`` the
    longest length; the gaps hold ``padding_value``, after each sequence
    (``padding_side='right'``) or before it (``'left'``). The result has the dtype of the
    first sequence.

    Example::

        >>> pad_sequence([flambeau.tensor([1, 2, 3]), flambeau.tensor([4])], batch_first=True)
        tensor([[1, 2, 3],
                [4, 0, 0]])
    """
    if not isinstance(sequences, Iterable):
        raise RuntimeError('pad_sequence: Expected iterable for input sequences, but got arg '
                           f'of type: {type(sequences)}')
    sequences = tuple(sequences)
    if not sequences:
        raise RuntimeError('received an empty list of sequences')
    first = sequences[0]
    if first.ndim == 0:
        raise RuntimeError('ArrayRef: invalid slice, N = 1; size = 0')
    trailing = tuple(first.shape[1:])
    lens = np.array([s.size(0) for s in sequences], dtype=np.int64)
    longest = int(lens.max())
    dt, dev = first._dtype, first._device
    pad_value = _fill_value(padding_value, dt)
    if padding_side not in ('left', 'right'):
        raise RuntimeError(f'Expected padding_side to be one of left or right, but got '
                           f'{padding_side}.')
    rows = [_fit(s, dt, dev, trailing) for s in sequences]
    offsets = np.concatenate(([0], np.cumsum(lens)[:-1]))
    k = np.arange(longest)[None, :]
    if padding_side == 'left':
        k = k - (longest - lens)[:, None]
    idx = np.where((k >= 0) & (k < lens[:, None]), offsets[:, None] + k, int(lens.sum()))
    if not batch_first:
        idx = idx.T
    return _padded_gather(rows, trailing, idx, pad_value)


def _fit(seq, dt, dev, trailing):
    """``seq`` converted and broadcast to ``dt``, ``dev`` and ``(len, *trailing)``, as
    PyTorch's copy into the padded output does."""
    if seq._dtype is not dt or seq._device is not dev:
        seq = seq.to(dev, dt)
    shape = tuple(seq.shape)
    target = shape[:1] + trailing
    if shape == target:
        return seq
    out = target
    n = max(len(target), len(shape))
    for i in range(1, n + 1):
        p = target[-i] if i <= len(target) else 1
        q = shape[-i] if i <= len(shape) else 1
        if p != q and p != 1 and q != 1:
            raise RuntimeError(f'The size of tensor a ({p}) must match the size of tensor b '
                               f'({q}) at non-singleton dimension {n - i}')
    if len(shape) > len(target):
        out = tuple(max(p, q) for p, q in zip((1,) * (n - len(target)) + target, shape))
        raise RuntimeError(f'output with shape {list(target)} doesn\'t match the broadcast '
                           f'shape {list(out)}')
    return seq.expand(target)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    r"""Split a padded batch ``T x B x *`` (``B x T x *`` with ``batch_first=True``) back
    into a list of ``B`` tensors, sequence ``i`` cut to ``lengths[i]`` steps (``lengths`` a
    tensor). Unlike PyTorch, which transposes ``padded_sequences`` in place when
    ``batch_first=False``, the input is left unchanged.

    Example::

        >>> padded = pad_sequence([flambeau.tensor([1, 2, 3]), flambeau.tensor([4])])
        >>> unpad_sequence(padded, flambeau.tensor([3, 1]))
        [tensor([1, 2, 3]), tensor([4])]
    """
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    idx = arange(padded_sequences.shape[1], device=lengths.device)
    return [seq[idx < length] for seq, length in zip(padded_sequences, lengths, strict=True)]


def pack_sequence(sequences, enforce_sorted=True):
    r"""Pack a list of variable-length tensors (each ``L_i x *``): :func:`pad_sequence`
    followed by :func:`pack_padded_sequence`. With ``enforce_sorted=True`` the sequences
    must come longest first.

    Example::

        >>> pack_sequence([flambeau.tensor([1, 2, 3]), flambeau.tensor([4, 5]),
        ...                flambeau.tensor([6])])
        PackedSequence(data=tensor([1, 4, 6, 2, 5, 3]), batch_sizes=tensor([3, 2, 1]), sorted_indices=None, unsorted_indices=None)
    """
    lengths = as_tensor([v.size(0) for v in sequences])
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    r"""Unpack a :class:`PackedSequence` into the list of variable-length tensors it holds,
    in their original order.

    Example::

        >>> unpack_sequence(pack_sequence([flambeau.tensor([1, 2, 3]), flambeau.tensor([4])]))
        [tensor([1, 2, 3]), tensor([4])]
    """
    padded_sequences, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded_sequences, lengths, batch_first=True)
