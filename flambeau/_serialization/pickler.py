"""Writing PyTorch's pickle stream (``data.pkl``) without PyTorch.

Note [Pickling torch globals]: a checkpoint names PyTorch's functions and classes
(``torch._utils._rebuild_tensor_v2``, ``torch.FloatStorage``, ``torch.float32``) as pickle
GLOBALs. Python's pickler only writes a global that it can import and find again, and torch
is not importable here, so the pickler below is a subclass of the pure-Python pickler that
writes the GLOBAL opcode itself for ``Global`` markers. Everything else goes through the
ordinary pickle machinery. ``data.pkl`` holds only metadata (tensor bytes go to separate
records), so the pure-Python pickler's speed does not matter.

Note [Storages]: PyTorch writes each *storage* (the memory block under a tensor and its views)
once, and a tensor as (storage, offset, size, stride). A flambeau tensor is a NumPy (or CuPy)
array; the memory block is the array that owns the memory, found by following ``.base``
through views. Tensors whose arrays share that owner are written against one storage, so
that views saved together still share memory after loading. A tensor whose layout cannot be
expressed that way (negative strides, an owner that is itself strided) gets a private
contiguous copy.
"""
import io
import pickle
from collections import OrderedDict

import numpy as np

from ..device import device as _device
from ..tensor import Size, Tensor
from .. import dtypes as _dt

STORAGE_NAMES = {'float64': 'DoubleStorage', 'float32': 'FloatStorage', 'float16': 'HalfStorage',
                 'bfloat16': 'BFloat16Storage', 'int64': 'LongStorage', 'int32': 'IntStorage',
                 'int16': 'ShortStorage', 'int8': 'CharStorage', 'uint8': 'ByteStorage',
                 'bool': 'BoolStorage'}
_SHARED_TYPES_ERROR = ('Cannot save multiple tensors or storages that view the same data as '
                       'different types')


class Global:
    """A pickle GLOBAL ``module.name`` written verbatim (see Note [Pickling torch globals])."""
    __slots__ = ('module', 'name')

    def __init__(self, module, name):
        self.module = module
        self.name = name

    def __call__(self, *args):  # save_reduce insists on a callable
        raise TypeError(f'{self.module}.{self.name} is a pickle marker, not a function')

    def __repr__(self):
        return f'{self.module}.{self.name}'


_GLOBALS = {}


def global_(module, name):
    """The one ``Global`` for ``module.name`` (one object, so the pickle memo reuses it)."""
    g = _GLOBALS.get((module, name))
    if g is None:
        g = _GLOBALS[(module, name)] = Global(module, name)
    return g


_REBUILD_V2 = global_('torch._utils', '_rebuild_tensor_v2')
_REBUILD_PARAM = global_('torch._utils', '_rebuild_parameter')
_REBUILD_PARAM_STATE = global_('torch._utils', '_rebuild_parameter_with_state')
_REBUILD_TYPE = global_('torch._tensor', '_rebuild_from_type_v2')
_TORCH_TENSOR = global_('torch', 'Tensor')
_TORCH_DEVICE = global_('torch', 'device')
_TORCH_SIZE = global_('torch', 'Size')


class StorageRef:
    """One storage to write: ``data`` a flat uint8 array of the backend holding its bytes,
    ``dtype`` its element type, ``numel`` its length in elements, ``key`` its record name."""
    __slots__ = ('key', 'dtype', 'data', 'location', 'numel')

    def __init__(self, key, dtype, data, location, numel):
        self.key, self.dtype, self.data = key, dtype, data
        self.location, self.numel = location, numel


def _owner(a):
    """The array that owns ``a``'s memory: follow ``.base`` through views (and through the
    wrapper object that ``as_strided`` leaves between an array and the one it views)."""
    while True:
        b = a.base
        if b is None:
            return a
        if not hasattr(b, 'strides'):
            b = getattr(b, 'base', None)
            if b is None or not hasattr(b, 'strides'):
                return a  # memory of a non-array object (bytes, mmap): ``a`` is the owner
        a = b


def _address(a):
    ai = getattr(a, '__array_interface__', None)
    return ai['data'][0] if ai is not None else a.data.ptr


def _contiguous_strides(shape):
    strides, n = [], 1
    for s in reversed(shape):
        strides.append(n)
        n *= max(s, 1)
    return tuple(reversed(strides))


class Storages:
    """Assigns each saved tensor to a storage (see Note [Storages]), in the order met."""

    def __init__(self):
        self.refs = []
        self._by_owner = {}  # id(owner) -> (owner, StorageRef, address of the owner's memory)

    def _add(self, t, flat_bytes, numel):
        ref = StorageRef(str(len(self.refs)), t._dtype, flat_bytes, str(t._device), numel)
        self.refs.append(ref)
        return ref

    def locate(self, t):
        """(StorageRef, offset, stride) of tensor ``t``, offset and stride in elements."""
        a = t._data
        dt = t._dtype
        item = dt.itemsize
        if a.size:
            owner = _owner(a)
            entry = self._by_owner.get(id(owner))
            if entry is None and (owner.flags.c_contiguous or owner.flags.f_contiguous) \
                    and owner.nbytes % item == 0:
                flat = owner.reshape(-1, order='A').view(np.uint8)
                entry = (owner, self._add(t, flat, owner.nbytes // item), _address(owner))
                self._by_owner[id(owner)] = entry
            if entry is not None:
                ref = entry[1]
                if ref.dtype is not dt:
                    raise RuntimeError(_SHARED_TYPES_ERROR)
                offset = _address(a) - entry[2]
                strides = a.strides
                if offset % item == 0 and all(s >= 0 and s % item == 0 for s in strides):
                    return ref, offset // item, tuple(s // item for s in strides)
        xp = t._device._backend.xp
        c = xp.ascontiguousarray(a)
        return self._add(t, c.reshape(-1).view(np.uint8), a.size), 0, _contiguous_strides(a.shape)


def _state(t):
    """The Python attributes PyTorch would pickle with a tensor (public ones, and the tags of
    ``nn.Buffer``); flambeau's private bookkeeping (grad, base, hooks) is not saved."""
    d = t.__dict__
    if not d:
        return None
    s = {k: v for k, v in d.items() if not k.startswith('_') or k == '_is_buffer'}
    return s or None


_parameter_cls = None


def _parameter():
    global _parameter_cls
    if _parameter_cls is None:  # flambeau.nn imports after flambeau.serialization
        from ..nn.parameter import Parameter
        _parameter_cls = Parameter
    return _parameter_cls


class TorchPickler(pickle._Pickler):
    """Pickles ``obj`` as ``torch.save`` does: tensors by reference to their storages
    (persistent ids), dtypes/devices/sizes as torch globals. ``legacy`` writes the persistent
    ids of the pre-1.6 format (one more field, the storage view)."""
    dispatch = dict(pickle._Pickler.dispatch)

    def __init__(self, file, protocol, storages, legacy=False):
        super().__init__(file, protocol)
        self.storages = storages
        self.legacy = legacy

    def persistent_id(self, obj):
        if type(obj) is StorageRef:
            pid = ('storage', global_('torch', STORAGE_NAMES[obj.dtype.name]), obj.key,
                   obj.location, obj.numel)
            return pid + (None,) if self.legacy else pid
        return None

    def reducer_override(self, obj):
        if isinstance(obj, Tensor):
            return self._reduce_tensor(obj)
        t = type(obj)
        if t is _device:
            return _TORCH_DEVICE, (obj.type,) if obj.index is None else (obj.type, obj.index)
        if t is Size:
            return _TORCH_SIZE, (tuple(obj),)
        return NotImplemented

    def _reduce_tensor(self, t):
        param = _parameter()
        state = _state(t)
        if isinstance(t, param):
            data = Tensor._make(t._data, t._dtype, t._device)
            if state:
                return _REBUILD_PARAM_STATE, (data, t._requires_grad, OrderedDict(), state)
            return _REBUILD_PARAM, (data, t._requires_grad, OrderedDict())
        if t._device.type == 'meta':
            raise RuntimeError('flambeau cannot save meta tensors: they hold no data')
        ref, offset, stride = self.storages.locate(t)
        args = (ref, offset, tuple(t._data.shape), stride, t._requires_grad, OrderedDict())
        if state or type(t) is not Tensor:
            cls = _TORCH_TENSOR if type(t) is Tensor else type(t)
            return _REBUILD_TYPE, (_REBUILD_V2, cls, args, state or {})
        return _REBUILD_V2, args

    def _save_global_marker(self, obj):
        self.write(pickle.GLOBAL + f'{obj.module}\n{obj.name}\n'.encode('utf-8'))
        self.memoize(obj)

    def _save_dtype(self, obj):
        self.save(global_('torch', obj.name))

    dispatch[Global] = _save_global_marker
    dispatch[_dt.dtype] = _save_dtype


def pickle_with_storages(obj, protocol=2, legacy=False):
    """``obj`` pickled as ``torch.save`` does: (the pickle bytes, the StorageRefs in key order)."""
    buf = io.BytesIO()
    storages = Storages()
    TorchPickler(buf, protocol, storages, legacy).dump(obj)
    return buf.getvalue(), storages.refs
