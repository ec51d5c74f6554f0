"""Reading and writing ``.safetensors`` files, with the names of the ``safetensors`` package
(``safetensors.torch``): swap ``from safetensors.torch import save_file, load_file`` for
``from flambeau.safetensors import save_file, load_file``.

The format: an 8-byte little-endian header length N, N bytes of JSON (padded with spaces to a
multiple of 8) mapping each tensor name to ``{"dtype", "shape", "data_offsets"}`` (plus an
optional ``"__metadata__"`` of strings), then the tensors' raw little-endian bytes, densely
packed. No code runs on loading: there is nothing but numbers in the file.
"""
import json
import os
import struct

import numpy as np

from . import dtypes as _dt
from .device import CPU, canonical
from .device import device as _device
from .tensor import Tensor

__all__ = ['save', 'save_file', 'load', 'load_file', 'safe_open', 'SafetensorError']

_NAMES = {_dt.bool: 'BOOL', _dt.uint8: 'U8', _dt.int8: 'I8', _dt.int16: 'I16',
          _dt.float16: 'F16', _dt.bfloat16: 'BF16', _dt.int32: 'I32', _dt.float32: 'F32',
          _dt.float64: 'F64', _dt.int64: 'I64'}
_DTYPES = {v: k for k, v in _NAMES.items()}
# the writer's order: larger dtypes first (as the safetensors package orders its dtype enum),
# then by name
_RANK = {d: i for i, d in enumerate(_NAMES)}
_MAX_HEADER = 100_000_000


class SafetensorError(Exception):
    """A malformed safetensors file or a request the file cannot answer."""


# -- writing ---------------------------------------------------------------------------------
def _check(tensors):
    if not isinstance(tensors, dict):
        raise ValueError(f'Expected a dict of [str, torch.Tensor] but received {type(tensors)}')
    for k, v in tensors.items():
        if not isinstance(v, Tensor):
            raise ValueError(f'Key `{k}` is invalid, expected torch.Tensor but received {type(v)}')
    failing = _shared(tensors)
    if failing:
        raise RuntimeError(
            '\n            Some tensors share memory, this will lead to duplicate memory on disk '
            f'and potential differences when loading them again: {failing}.\n            A '
            'potential way to correctly save your model is to use `save_model`.\n            More '
            'information at https://huggingface.co/docs/safetensors/torch_shared_tensors\n'
            '            ')
    for k, v in tensors.items():
        if not v.is_contiguous():
            raise ValueError(
                f'You are trying to save a non contiguous tensor: `{k}` which is not allowed. It '
                'either means you are trying to save tensors which are reference of each other in '
                "which case it's recommended to save only the full tensors, and reslice at load "
                'time, or simply call `.contiguous()` on your tensor to pack it before saving.')
        if v._dtype not in _NAMES:
            raise ValueError(f'flambeau cannot write {v._dtype} to safetensors')


def _shared(tensors):
    """Groups of names whose tensors overlap in memory (as ``safetensors.torch`` finds them)."""
    from ._serialization.pickler import _address, _owner
    groups = {}
    for k, v in tensors.items():
        if v._data.size:
            owner = _owner(v._data)
            groups.setdefault((v._device, id(owner)), []).append(k)
    failing = []
    for names in groups.values():
        if len(names) < 2:
            continue
        areas = sorted((_address(tensors[n]._data), _address(tensors[n]._data) +
                        tensors[n]._data.nbytes, n) for n in names)
        current, last_stop = {areas[0][2]}, areas[0][1]
        for start, stop, name in areas[1:]:
            if start >= last_stop:
                if len(current) > 1:
                    failing.append(current)
                current = {name}
            else:
                current.add(name)
            last_stop = stop
        if len(current) > 1:
            failing.append(current)
    return failing


def _layout(tensors, metadata):
    """(header bytes, [(name, tensor)] in file order)."""
    _check(tensors)
    header = {}
    if metadata is not None:
        for k, v in metadata.items():
            if not isinstance(k, str) or not isinstance(v, str):
                bad = v if isinstance(k, str) else k
                raise TypeError(f"argument 'metadata': '{type(bad).__name__}' object is not an "
                                "instance of 'str'")
        header['__metadata__'] = dict(metadata)
    items = sorted(tensors.items(), key=lambda kv: (-_RANK[kv[1]._dtype], kv[0]))
    offset = 0
    for name, t in items:
        n = t._data.nbytes
        header[name] = {'dtype': _NAMES[t._dtype], 'shape': list(t._data.shape),
                        'data_offsets': [offset, offset + n]}
        offset += n
    text = json.dumps(header, separators=(',', ':'), ensure_ascii=False).encode('utf-8')
    text += b' ' * (-len(text) % 8)
    return struct.pack('<Q', len(text)) + text, items


def _host(t):
    a = t._data if t._device is CPU else t._device._backend.to_host(t._data)
    return memoryview(np.ascontiguousarray(a).reshape(-1).view(np.uint8))


def save(tensors, metadata=None):
    """The bytes of a safetensors file holding ``tensors`` (a dict of name -> contiguous
    tensor that share no memory) and ``metadata`` (a dict of str -> str).

    Example::

        >>> data = flambeau.safetensors.save({'w': flambeau.zeros(2, 2)})
        >>> flambeau.safetensors.load(data)
        {'w': tensor([[0., 0.],
                [0., 0.]])}
    """
    head, items = _layout(tensors, metadata)
    return b''.join([head] + [_host(t).tobytes() for _, t in items])


def save_file(tensors, filename, metadata=None):
    """Write ``tensors`` (a dict of name -> contiguous tensor that share no memory) and
    ``metadata`` (a dict of str -> str) to the safetensors file ``filename``. The file is
    replaced atomically (written beside it, then renamed).

    Example::

        >>> flambeau.safetensors.save_file(model.state_dict(), 'model.safetensors')
    """
    from .serialization import _atomic_write
    head, items = _layout(tensors, metadata)

    def write(fp):
        fp.write(head)
        for _, t in items:
            if t._data.size:
                fp.write(_host(t))
    _atomic_write(os.fspath(filename), write)


# -- reading ---------------------------------------------------------------------------------
def _bad(what):
    return SafetensorError(f'Error while deserializing header: {what}')


def _parse_header(head_len_bytes, read_header, total):
    """{name: (dtype, shape, begin, end)} in offset order, metadata, and where the data starts."""
    if len(head_len_bytes) < 8:
        raise _bad('header too small')
    n, = struct.unpack('<Q', head_len_bytes)
    if n > _MAX_HEADER:
        raise _bad('header too large')
    if 8 + n > total:
        raise _bad('invalid header length')
    try:
        header = json.loads(read_header(n).decode('utf-8'))
    except (UnicodeDecodeError, ValueError) as e:
        raise _bad(f'invalid header deserialization: {e}') from None
    if not isinstance(header, dict):
        raise _bad('invalid header deserialization: the header is not a JSON object')
    metadata = header.pop('__metadata__', None)
    entries = []
    for name, info in header.items():
        if not isinstance(info, dict) or not {'dtype', 'shape', 'data_offsets'} <= info.keys():
            raise _bad(f'tensor {name}: malformed entry {info!r}')
        dtype = _DTYPES.get(info['dtype'])
        if dtype is None:
            raise SafetensorError(f'Error while deserializing header: tensor {name} has dtype '
                                  f'{info["dtype"]!r}, which flambeau does not support')
        try:
            shape = tuple(int(s) for s in info['shape'])
            begin, end = (int(o) for o in info['data_offsets'])
        except (TypeError, ValueError):
            raise _bad(f'tensor {name}: malformed entry {info!r}') from None
        numel = 1
        for s in shape:
            numel *= s
        if end < begin or end - begin != numel * dtype.itemsize:
            raise SafetensorError(f'Error while deserializing header: info data offsets '
                                  f'mismatch for tensor {name}')
        entries.append((begin, name, dtype, shape, end))
    entries.sort()
    expected = 0
    for begin, name, _, _, end in entries:
        if begin != expected:
            raise SafetensorError('Error while deserializing header: invalid offset for tensor '
                                  f'{name}')
        expected = end
    if 8 + n + expected != total:
        raise SafetensorError('Error while deserializing header: incomplete metadata, file not '
                              'fully covered')
    return {name: (dtype, shape, begin, end) for begin, name, dtype, shape, end in entries}, \
        metadata, 8 + n


def _target(device):
    if isinstance(device, int) and not isinstance(device, bool):
        device = _device('cuda', device)
    return canonical(device if isinstance(device, _device) else _device(device))


def _wrap(array, dtype, device):
    t = Tensor._make(array, dtype, CPU)
    return t if device is CPU else t.to(device)


def load(data):
    """The tensors (on the CPU) of the safetensors file whose bytes are ``data``.

    Example::

        >>> flambeau.safetensors.load(flambeau.safetensors.save({'a': flambeau.ones(1)}))
        {'a': tensor([1.])}
    """
    data = bytes(data)
    entries, _, start = _parse_header(data[:8], lambda n: data[8:8 + n], len(data))
    out = {}
    for name, (dtype, shape, begin, end) in entries.items():
        a = np.frombuffer(bytearray(data[start + begin:start + end]), np.uint8)
        out[name] = _wrap(a.view(dtype.numpy).reshape(shape), dtype, CPU)
    return out


def load_file(filename, device='cpu'):
    """The tensors of the safetensors file ``filename``, placed on ``device``.

    Example::

        >>> model.load_state_dict(flambeau.safetensors.load_file('model.safetensors'))
    """
    with safe_open(filename, framework='pt', device=device) as f:
        return f.get_tensors()


class _Slice:
    """One tensor of an open file, read only where it is indexed (``get_slice``)."""

    def __init__(self, owner, name):
        self._owner, self._name = owner, name

    def get_shape(self):
        """The tensor's shape, a list."""
        return list(self._owner._entries[self._name][1])

    def get_dtype(self):
        """The tensor's safetensors dtype name ('F32', 'BF16' ...)."""
        return _NAMES[self._owner._entries[self._name][0]]

    def __getitem__(self, index):
        return self._owner._make(self._name, index)


class safe_open:
    """Open a safetensors file lazily: tensors are read from a memory map when asked for.

    Args:
        filename (str or os.PathLike): the file.
        framework (str): ``'pt'`` (or ``'torch'``, ``'flambeau'``) for tensors,
            ``'numpy'`` (``'np'``) for NumPy arrays.
        device: where to put the tensors. Default: ``'cpu'``.

    Example::

        >>> with flambeau.safetensors.safe_open('model.safetensors', framework='pt') as f:
        ...     w = f.get_tensor('weight')
        ...     rows = f.get_slice('embedding')[:10]
    """

    def __init__(self, filename, framework, device='cpu'):
        if framework not in ('pt', 'torch', 'flambeau', 'numpy', 'np'):
            raise SafetensorError(f'framework {framework} is invalid')
        self._numpy = framework in ('numpy', 'np')
        self._device = _target(device)
        path = os.fspath(filename)
        try:
            total = os.path.getsize(path)
        except FileNotFoundError:
            raise FileNotFoundError(f'No such file or directory: {path}') from None
        with open(path, 'rb') as fp:
            self._entries, self._metadata, self._start = _parse_header(
                fp.read(8), fp.read, total)
        self._map = np.memmap(path, np.uint8, mode='r') if total > self._start else None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._map = None

    def keys(self):
        """The tensor names, sorted."""
        return sorted(self._entries)

    def offset_keys(self):
        """The tensor names in the order of their data in the file."""
        return list(self._entries)

    def metadata(self):
        """The free-form ``__metadata__`` of the header (None if there is none)."""
        return self._metadata

    def _make(self, name, index=None):
        entry = self._entries.get(name)
        if entry is None:
            raise SafetensorError(f'File does not contain tensor {name}')
        dtype, shape, begin, end = entry
        if end == begin:
            a = np.empty(shape, dtype.numpy)
        else:
            a = self._map[self._start + begin:self._start + end].view(dtype.numpy).reshape(shape)
        a = np.array(a if index is None else a[index], copy=True)
        return a if self._numpy else _wrap(a, dtype, self._device)

    def get_tensor(self, name):
        """The whole tensor ``name`` (a copy: the file is not kept open by it)."""
        return self._make(name)

    def get_slice(self, name):
        """An object that reads the part of tensor ``name`` that it is indexed with."""
        if name not in self._entries:
            raise SafetensorError(f'File does not contain tensor {name}')
        return _Slice(self, name)

    def get_tensors(self):
        """Every tensor, by name, in file order."""
        return {name: self._make(name) for name in self._entries}
