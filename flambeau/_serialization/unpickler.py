"""Reading PyTorch's pickle stream back: storages, tensor rebuild functions, ``map_location``
and the allow-list of globals.

Note [Weights-only loading]: a pickle is a program; loading one may call any function it
names. ``WeightsUnpickler`` resolves every global a checkpoint names through ``find_class``
against an allow-list (the globals PyTorch's weights-only unpickler accepts, mapped onto
flambeau's objects), so a file can only build containers, numbers, strings, dtypes, devices
and tensors. Anything else (``posix.system``...) is refused with PyTorch's
``UnpicklingError`` before it is called. ``FullUnpickler`` (``weights_only=False``, which
must be asked for) resolves any global, mapping ``torch.*`` onto flambeau.
"""
import _codecs
import _compat_pickle
import importlib
import pickle
import re
from collections import Counter, OrderedDict

import numpy as np

from .. import dtypes as _dt
from ..device import CPU, canonical
from ..device import device as _device
from ..tensor import Size, Tensor
from .pickler import STORAGE_NAMES

_BLOCKED_MODULES = ('sys', 'os', 'posix', 'nt')


class LocationError(RuntimeError):
    """A storage location that cannot be restored (``load`` re-raises it naming the file)."""
_CUDA_LOCATION = re.compile('cuda(:|[0-9]+)')


class Storage:
    """A storage read from a checkpoint: its bytes (a flat uint8 array of ``device``'s
    backend) and element type. A ``map_location`` callable receives one and the location tag
    it was saved from, and returns it (possibly moved with ``.cpu()``/``.cuda()``/``.to()``)
    or None for the default placement.

    Example::

        >>> flambeau.load('m.pt', map_location=lambda storage, loc: storage)  # keep on the CPU
    """
    __slots__ = ('_bytes', 'dtype', 'device')

    def __init__(self, data, dtype, device):
        self._bytes = data
        self.dtype = dtype
        self.device = device

    def size(self):
        """The number of elements."""
        return self._bytes.size // self.dtype.itemsize

    __len__ = size

    def nbytes(self):
        """The size in bytes."""
        return self._bytes.size

    def element_size(self):
        """The size in bytes of one element."""
        return self.dtype.itemsize

    def to(self, device):
        """This storage on ``device`` (itself if already there)."""
        d = canonical(device if isinstance(device, _device) else _device(device))
        if d is self.device:
            return self
        host = self.device._backend.to_host(self._bytes)
        return Storage(d._backend.from_host(np.array(host, copy=True), d.index), self.dtype, d)

    def cpu(self):
        """This storage on the CPU."""
        return self.to(CPU)

    def cuda(self, device=None):
        """This storage on CUDA device ``device`` (default: the current one)."""
        if device is None:
            return self.to('cuda')
        return self.to(device if isinstance(device, (str, _device)) else _device('cuda', device))

    def __repr__(self):
        return f'<flambeau Storage of {self.size()} {self.dtype} on {self.device}>'


def default_restore_location(storage, location):
    """Place ``storage`` on the device of ``location`` ('cpu', 'cuda', 'cuda:1'), with
    PyTorch's errors for unknown tags and unavailable devices."""
    if location == 'cpu':
        return storage
    if location == 'cuda' or _CUDA_LOCATION.match(location):
        from .. import cuda
        if not cuda.is_available():
            raise LocationError('Attempting to deserialize object on a CUDA device but '
                               'torch.cuda.is_available() is False. If you are running on a '
                               'CPU-only machine, please use torch.load with '
                               "map_location=torch.device('cpu') to map your storages to the CPU.")
        d = _device(location)
        index = d.index if d.index is not None else cuda.current_device()
        count = cuda.device_count()
        if index >= count:
            raise LocationError(f'Attempting to deserialize object on CUDA device {index} but '
                               f'torch.cuda.device_count() is {count}. Please use torch.load with '
                               'map_location to map your storages to an existing device.')
        return storage.to(_device('cuda', index))
    raise LocationError(f"don't know how to restore data location of torch.storage.UntypedStorage "
                       f'(tagged with {location})')


def restore_function(map_location):
    """``(storage, location) -> storage`` for a ``map_location`` argument of ``load``."""
    if map_location is None:
        return default_restore_location
    if isinstance(map_location, dict):
        return lambda s, loc: default_restore_location(s, map_location.get(loc, loc))
    if isinstance(map_location, (str, bytes, _device)):
        fixed = map_location.decode() if isinstance(map_location, bytes) else str(map_location)
        return lambda s, loc: default_restore_location(s, fixed)

    def call(storage, location):
        r = map_location(storage, location)
        if r is None:
            return default_restore_location(storage, location)
        if not isinstance(r, Storage):
            raise TypeError(f'map_location must return a storage (or None), got '
                            f'{type(r).__name__}')
        return r
    return call


# -- rebuilding tensors --------------------------------------------------------------------------
def _array_over(storage, dtype, offset, size, stride):
    """A strided array of ``dtype`` over ``storage``'s bytes (sharing them), PyTorch's
    (offset, size, stride) in elements."""
    size, stride = tuple(size), tuple(stride)
    data = storage._bytes
    xp = storage.device._backend.xp
    item = dtype.itemsize
    n = 1
    for s in size:
        n *= s
    if n == 0:
        return xp.empty(size, dtype.numpy)
    need = offset + 1 + sum((s - 1) * st for s, st in zip(size, stride))
    if offset < 0 or min(stride, default=0) < 0 or need * item > data.size:
        raise RuntimeError(f'setStorage: sizes {list(size)}, strides {list(stride)}, storage '
                           f'offset {offset}, and itemsize {item} requiring a storage size of '
                           f'{need * item} are out of bounds for storage of size {data.size}')
    strides = tuple(st * item for st in stride)
    if isinstance(data, np.ndarray):  # a view whose .base is the storage's array
        return np.ndarray(size, dtype.numpy, buffer=data, offset=offset * item, strides=strides)
    piece = data[offset * item:need * item].view(dtype.numpy)
    return xp.lib.stride_tricks.as_strided(piece, size, strides)


def _tensor(storage, dtype, offset, size, stride, requires_grad):
    t = Tensor._make(_array_over(storage, dtype, offset, size, stride), dtype, storage.device)
    if requires_grad:
        t.requires_grad = True
    return t


def _rebuild_tensor(storage, storage_offset, size, stride):
    return _tensor(storage, storage.dtype, storage_offset, size, stride, False)


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks,
                       metadata=None):
    return _tensor(storage, storage.dtype, storage_offset, size, stride, requires_grad)


def _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks,
                       dtype, metadata=None):
    return _tensor(storage, dtype, storage_offset, size, stride, requires_grad)


def _set_state(obj, state):
    if isinstance(state, tuple):  # (__dict__ state, __slots__ state)
        dict_state, slots_state = state
        for k, v in (slots_state or {}).items():
            setattr(obj, k, v)
        state = dict_state
    for k, v in (state or {}).items():
        if k in ('_is_buffer', 'persistent'):
            obj.__dict__[k] = v
        else:
            setattr(obj, k, v)


def _parameter():
    from ..nn.parameter import Parameter
    return Parameter


def _rebuild_parameter(data, requires_grad, backward_hooks):
    return _parameter()(data, requires_grad)


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    p = _parameter()(data, requires_grad)
    _set_state(p, state)
    return p


def _rebuild_from_type_v2(func, new_type, args, state):
    t = func(*args)
    if type(t) is not new_type:
        param = _parameter()
        if new_type is param:
            t = param(t, t._requires_grad)
        elif isinstance(new_type, type) and issubclass(new_type, Tensor) and new_type is not Tensor:
            raise pickle.UnpicklingError(f'flambeau cannot rebuild a tensor of type '
                                         f'{new_type.__qualname__}')
    _set_state(t, state)
    return t


def _rebuild_device_tensor_from_cpu_tensor(data, dtype, device, requires_grad):
    t = data.to(device=device, dtype=dtype)
    if requires_grad:
        t.requires_grad = True
    return t


def _get_layout(name):
    if name != 'torch.strided':
        raise RuntimeError(f'flambeau supports only the strided layout, not {name}')
    return name


class StorageType:
    """What a checkpoint's ``torch.FloatStorage`` ... resolves to: its element type."""
    __slots__ = ('dtype',)

    def __init__(self, dtype):
        self.dtype = dtype

    def __repr__(self):
        return f'StorageType(dtype={self.dtype})'


def _unsupported(what):
    def refuse(*args, **kwargs):
        raise RuntimeError(f'flambeau cannot load {what}')
    return refuse


def _allowed_globals():
    from ..nn.parameter import Parameter
    g = {
        'collections.OrderedDict': OrderedDict,
        'collections.Counter': Counter,
        'torch.nn.parameter.Parameter': Parameter,
        'torch.serialization._get_layout': _get_layout,
        'torch.Size': Size,
        'torch.Tensor': Tensor,
        'torch.device': _device,
        '_codecs.encode': _codecs.encode,
        'builtins.bytearray': bytearray,
        'builtins.set': set,
        'builtins.complex': complex,
        'torch._utils._rebuild_tensor': _rebuild_tensor,
        'torch._utils._rebuild_tensor_v2': _rebuild_tensor_v2,
        'torch._utils._rebuild_tensor_v3': _rebuild_tensor_v3,
        'torch._utils._rebuild_parameter': _rebuild_parameter,
        'torch._utils._rebuild_parameter_with_state': _rebuild_parameter_with_state,
        'torch._utils._rebuild_device_tensor_from_cpu_tensor':
            _rebuild_device_tensor_from_cpu_tensor,
        'torch._tensor._rebuild_from_type_v2': _rebuild_from_type_v2,
    }
    for kind, fn in (('quantized', '_rebuild_qtensor'), ('sparse', '_rebuild_sparse_tensor'),
                     ('meta', '_rebuild_meta_tensor_no_storage'),
                     ('nested', '_rebuild_nested_tensor'),
                     ('tensor subclass', '_rebuild_wrapper_subclass'),
                     ('NumPy-backed device', '_rebuild_device_tensor_from_numpy')):
        g[f'torch._utils.{fn}'] = _unsupported(f'{kind} tensors (torch._utils.{fn})')
    for d in _dt.ALL:
        g[f'torch.{d.name}'] = d
        g[f'torch.{STORAGE_NAMES[d.name]}'] = g[f'torch.cuda.{STORAGE_NAMES[d.name]}'] = \
            StorageType(d)
    g['torch.storage.UntypedStorage'] = g['torch.UntypedStorage'] = StorageType(_dt.uint8)
    return g


# dtypes and storages PyTorch allows that flambeau has no match for: a clear error, not
# "unsupported global"
_TORCH_ONLY = re.compile(r'torch\.(cuda\.)?(complex\w*|cfloat|cdouble|uint(16|32|64)|'
                         r'float8\w*|quint\w*|qint\w*|Complex\w*Storage|QU?Int\w*Storage|'
                         r'UInt\d+Storage|Float8\w*Storage|bits\w*)$')
_allowed = None
user_globals = {}  # 'module.name' -> object, from serialization.add_safe_globals


def allowed_globals():
    """{'module.name': flambeau object} for every global a weights-only load may use."""
    global _allowed
    if _allowed is None:
        _allowed = _allowed_globals()
    return _allowed


def _fix_name(module, name):
    # protocol-2 pickles from Python 2 name modules the old way (__builtin__, copy_reg)
    if (module, name) in _compat_pickle.NAME_MAPPING:
        return _compat_pickle.NAME_MAPPING[(module, name)]
    return _compat_pickle.IMPORT_MAPPING.get(module, module), name


class _CheckpointUnpickler(pickle.Unpickler):
    def __init__(self, file, persistent_load):
        super().__init__(file, encoding='utf-8')
        self._persistent_load = persistent_load

    def persistent_load(self, pid):
        if not isinstance(pid, tuple) or not pid:
            raise pickle.UnpicklingError(f'persistent_load id must be tuple or int, but got '
                                         f'{type(pid)}')
        if pid[0] not in ('storage', b'storage'):
            raise pickle.UnpicklingError(f'Only persistent_load of storage is allowed, but got '
                                         f'{pid[0]}')
        if self._persistent_load is None:
            raise pickle.UnpicklingError('unsupported persistent id encountered')
        return self._persistent_load(pid)


class WeightsUnpickler(_CheckpointUnpickler):
    """The allow-list unpickler of ``weights_only=True`` (see Note [Weights-only loading])."""

    def find_class(self, module, name):
        module, name = _fix_name(module, name)
        full = f'{module}.{name}'
        if module in _BLOCKED_MODULES:
            raise pickle.UnpicklingError(f'Trying to load unsupported GLOBAL {full} whose module '
                                         f'{module} is blocked.')
        obj = allowed_globals().get(full)
        if obj is None:
            obj = user_globals.get(full)
        if obj is not None:
            return obj
        if _TORCH_ONLY.match(full):
            raise RuntimeError(f'flambeau cannot load this checkpoint: it uses {full}, which has '
                               'no flambeau equivalent')
        if full.startswith('builtins.'):
            full = full[len('builtins.'):]
        raise pickle.UnpicklingError(
            f'Unsupported global: GLOBAL {full} was not an allowed global by default. Please use '
            f'`torch.serialization.add_safe_globals([{full}])` or the '
            f'`torch.serialization.safe_globals([{full}])` context manager to allowlist this '
            'global if you trust this class/function.')


class FullUnpickler(_CheckpointUnpickler):
    """The unpickler of ``weights_only=False``: any global, ``torch.*`` mapped onto flambeau.
    Only for files from a trusted source: loading runs whatever the file names."""

    def find_class(self, module, name):
        module, name = _fix_name(module, name)
        obj = allowed_globals().get(f'{module}.{name}')
        if obj is not None:
            return obj
        if module == 'torch' or module.startswith('torch.'):
            try:
                target = importlib.import_module('flambeau' + module[5:])
                for part in name.split('.'):
                    target = getattr(target, part)
                return target
            except (ImportError, AttributeError):
                raise pickle.UnpicklingError(f'flambeau has no equivalent of {module}.{name}, '
                                             'which this checkpoint needs') from None
        return super().find_class(module, name)


UNSAFE_MESSAGE = (
    'In PyTorch 2.6, we changed the default value of the `weights_only` argument in `torch.load` '
    'from `False` to `True`. Re-running `torch.load` with `weights_only` set to `False` will '
    'likely succeed, but it can result in arbitrary code execution. Do it only if you got the '
    'file from a trusted source.')
_DOCS_MESSAGE = (
    '\n\nCheck the documentation of torch.load to learn more about types accepted by default '
    'with weights_only https://pytorch.org/docs/stable/generated/torch.load.html.')


def weights_only_message(message):
    """PyTorch's wording around an error of the weights-only unpickler."""
    if re.search(r'GLOBAL (\S+) was not an allowed global by default.', message):
        text = ('Weights only load failed. This file can still be loaded, to do so you have two '
                'options, \033[1mdo those steps only if you trust the source of the '
                f'checkpoint\033[0m. \n\t(1) {UNSAFE_MESSAGE}\n\t(2) Alternatively, to load with '
                '`weights_only=True` please check the recommended steps in the following error '
                'message.\n\tWeightsUnpickler error: ' + message)
    else:
        text = f'Weights only load failed. {UNSAFE_MESSAGE}\n'
        if not re.search(r'whose module (\S+) is blocked', message):
            text += ('Please file an issue with the following so that we can make '
                     '`weights_only=True` compatible with your use case: WeightsUnpickler error: ')
        text += '\n\n' + message
    return text + _DOCS_MESSAGE
