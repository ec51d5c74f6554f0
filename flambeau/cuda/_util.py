"""Helpers shared by ``flambeau.cuda``'s modules: finding the CUDA backend and reading device
arguments."""
from ..backend import _backends, get_backend
from ..device import canonical, device as _device_cls

_no_cupy = [False]  # the CuPy backend failed to load once: do not retry the import every call


def _backend():
    """The CUDA backend, or None when there is none (no CuPy, no GPU)."""
    b = _backends.get('cuda')
    if b is not None:
        return b
    if _no_cupy[0]:
        return None
    try:
        return get_backend('cuda')
    except AssertionError:
        _no_cupy[0] = True
        return None


def _require():
    """The CUDA backend, or PyTorch's AssertionError when there is none."""
    b = _backend()
    return b if b is not None else get_backend('cuda')


def _device_index(b, device):
    """The device index that ``device`` (None, an int, 'cuda:1', a device) names on backend
    ``b``; None and a bare 'cuda' mean the current device."""
    if device is None:
        return b.current_device()
    if isinstance(device, int) and not isinstance(device, bool):
        index = device
    else:
        d = device if isinstance(device, _device_cls) else _device_cls(device)
        if d.type != 'cuda':
            raise ValueError(f'Expected a cuda device, but got: {d}')
        index = d.index if d.index is not None else b.current_device()
    if not 0 <= index < b.device_count():
        raise AssertionError('Invalid device id')
    return index


def _cuda_device(index):
    """The canonical ``cuda:index`` device."""
    return canonical(f'cuda:{index}')
