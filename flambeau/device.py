"""``flambeau.device``: where a tensor's memory lives (``cpu`` or ``cuda:N``)."""
from .backend import get_backend

__all__ = ['device']


class device:
    """A device: a type (``'cpu'`` or ``'cuda'``) and an optional index.

    Accepts ``device('cuda:1')``, ``device('cuda', 1)``, ``device(1)`` (a CUDA ordinal) or
    another device. Compares and hashes by value; prints like PyTorch's.

    Example::

        >>> flambeau.device('cuda:1')
        device(type='cuda', index=1)
        >>> str(flambeau.device('cpu'))
        'cpu'
    """
    __slots__ = ('type', 'index', '_backend')  # _backend: set on the canonical devices only

    def __init__(self, type, index=None):
        if isinstance(type, device):
            if index is not None:
                raise TypeError('device(): a device object takes no separate index')
            type, index = type.type, type.index
        elif isinstance(type, int) and not isinstance(type, bool):
            type, index = 'cuda', type
        elif isinstance(type, str):
            if ':' in type:
                if index is not None:
                    raise RuntimeError(f'type (string) must not include an index because index was '
                                       f'passed explicitly: {type}')
                type, _, idx = type.partition(':')
                if not idx.isdigit():
                    raise RuntimeError(f'Invalid device string: \'{type}:{idx}\'')
                index = int(idx)
        else:
            raise TypeError(f'device() received an invalid combination of arguments - got '
                            f'({type.__class__.__name__})')
        if type not in ('cpu', 'cuda', 'meta'):
            raise RuntimeError(f'Expected one of cpu, cuda, meta device type at start of device '
                               f'string: {type}')
        if index is not None and index < 0:
            raise RuntimeError(f'Device index must not be negative')
        self.type = type
        self.index = index

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f'{self.type}:{self.index}'

    def __eq__(self, other):
        if not isinstance(other, device):  # as in PyTorch, a device never equals a string
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type, self.index))


CPU = device('cpu')
CPU._backend = get_backend('cpu')
_canonical = {}


def canonical(d):
    """The one device object that tensors on ``d`` carry (with an explicit index for cuda),
    so tensor devices compare by identity on the hot path."""
    if d is None:
        return CPU
    key = d
    r = _canonical.get(key)
    if r is None:
        if isinstance(d, str) or isinstance(d, int):
            d = device(d)
        if d.type == 'cpu':
            r = CPU
        else:
            backend = get_backend(d.type)
            idx = d.index if d.index is not None else backend.current_device()
            if idx >= backend.device_count():
                raise RuntimeError(f'CUDA error: invalid device ordinal (device {idx} of '
                                   f'{backend.device_count()})')
            r = _canonical.get(('canon', d.type, idx))
            if r is None:
                r = _canonical[('canon', d.type, idx)] = device(d.type, idx)
                r._backend = backend
        if d.type != 'cuda' or d.index is not None:
            _canonical[key] = r  # 'cuda' alone follows current_device: do not cache it
    return r
