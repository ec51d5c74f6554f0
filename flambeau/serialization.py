"""Saving and loading: ``save`` and ``load`` in PyTorch's zip checkpoint format.

Files interchange with PyTorch both ways: ``torch.load(..., weights_only=True)`` reads what
``flambeau.save`` writes and ``flambeau.load`` reads what ``torch.save`` writes (also the
legacy pre-1.6 format), without PyTorch installed. Loading is weights-only by default: no
code from the file runs (see Note [Weights-only loading] in ``_serialization/unpickler.py``).
The machinery lives in ``flambeau/_serialization/``.
"""
import contextlib
import io
import os
import pickle
import secrets
import stat

from ._serialization import container
from ._serialization.pickler import pickle_with_storages
from ._serialization.unpickler import (LocationError, Storage,  # noqa: F401
                                       default_restore_location, restore_function,
                                       user_globals)

__all__ = ['save', 'load']

DEFAULT_PROTOCOL = 2


def _is_path(f):
    return isinstance(f, (str, os.PathLike))


def save(obj, f, pickle_module=pickle, pickle_protocol=DEFAULT_PROTOCOL,
         _use_new_zipfile_serialization=True, _disable_byteorder_record=False):
    """Save ``obj`` (tensors, ``state_dict()``\\ s, optimizer state, nested dicts / lists /
    tuples of them with numbers and strings) to ``f`` in PyTorch's checkpoint format.

    Tensors are written once per storage: views saved together (a tensor and a slice of it)
    still share memory after :func:`load`. The file loads with ``torch.load``.

    Args:
        obj: the object to save.
        f: a path (``str`` or ``os.PathLike``) or a binary file object open for writing.
            A path is written atomically: to a temporary file beside it, then renamed over
            it, so an interrupted save leaves the previous file intact. A file object is
            written directly (no atomicity is possible there).
        pickle_module: only the standard ``pickle`` module is supported.
        pickle_protocol (int): the pickle protocol of ``data.pkl``. Default: 2, as PyTorch.
        _use_new_zipfile_serialization (bool): ``False`` writes the legacy (pre-1.6) format.

    Example::

        >>> model = flambeau.nn.Linear(3, 2)
        >>> flambeau.save(model.state_dict(), 'model.pt')
        >>> model.load_state_dict(flambeau.load('model.pt'))
        <All keys matched successfully>
    """
    if pickle_module is not pickle:
        raise ValueError('flambeau.save supports only the standard pickle module')
    legacy = not _use_new_zipfile_serialization
    pkl, refs = pickle_with_storages(obj, pickle_protocol, legacy)
    if _is_path(f):
        path = os.fspath(f)
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        parent = os.path.dirname(path)
        if parent and not os.path.isdir(parent):
            raise RuntimeError(f'Parent directory {parent} does not exist.')
        archive = os.path.splitext(os.path.basename(path))[0]
        _atomic_write(path, lambda fp: _write(fp, archive, pkl, refs, legacy, pickle_protocol))
    else:
        if not hasattr(f, 'write'):
            raise AttributeError(f"'{type(f).__name__}' object has no attribute 'write'")
        _write(f, 'archive', pkl, refs, legacy, pickle_protocol)


def _write(fp, archive, pkl, refs, legacy, protocol):
    if legacy:
        container.write_legacy(fp, pkl, refs, protocol)
    else:
        container.write_zip(fp, archive, pkl, refs)


def _atomic_write(path, write):
    # Note [Atomic save]: write beside the target, flush to disk, then os.replace: a process
    # killed mid-save leaves the old file (and a stray temporary at worst), never half a file.
    # Saving through a symlink updates the file it points to; an existing file keeps its mode.
    path = os.path.realpath(path) if os.path.islink(path) else path
    directory, base = os.path.split(path)
    tmp = os.path.join(directory, f'.{base}.{secrets.token_hex(6)}.tmp')
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, 'O_BINARY', 0), 0o666)
    try:
        with os.fdopen(fd, 'wb') as fp:
            write(fp)
            fp.flush()
            os.fsync(fp.fileno())
        with contextlib.suppress(FileNotFoundError):
            os.chmod(tmp, stat.S_IMODE(os.stat(path).st_mode))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def load(f, map_location=None, pickle_module=None, *, weights_only=True, mmap=None):
    """Load an object saved with :func:`save` or ``torch.save`` from ``f``.

    Args:
        f: a path (``str`` or ``os.PathLike``) or a binary file object open for reading.
        map_location: where to put the tensors: None (where they were saved from), a device
            or a string (``'cpu'``, ``'cuda:0'``), a dict mapping saved locations to new ones
            (``{'cuda:0': 'cpu'}``), or a callable ``(storage, location) -> storage or None``.
        pickle_module: must be left out with ``weights_only=True``.
        weights_only (bool): load only tensors, containers, numbers, strings, dtypes and
            devices; any other global the file names is refused with
            ``pickle.UnpicklingError``. ``False`` unpickles anything: only for files from a
            trusted source, as it runs whatever code the file names. Default: ``True``.
        mmap (bool): memory-map the tensor records instead of reading them (``f`` must be a
            path to a zip checkpoint with uncompressed records). The maps are copy-on-write:
            writes to the tensors do not reach the file.

    Example::

        >>> flambeau.save({'w': flambeau.ones(2)}, 'ckpt.pt')
        >>> flambeau.load('ckpt.pt')
        {'w': tensor([1., 1.])}
        >>> flambeau.load('ckpt.pt', map_location='cpu', mmap=True)['w']
        tensor([1., 1.])
    """
    if weights_only is None:
        weights_only = True
    if pickle_module is not None:
        if weights_only:
            raise RuntimeError('Can not safely load weights when explicit pickle_module is '
                               'specified')
        if pickle_module is not pickle:
            raise ValueError('flambeau.load supports only the standard pickle module')
    if mmap and not _is_path(f):
        raise ValueError('f must be a file path in order to use the mmap argument')
    restore = restore_function(map_location)
    if _is_path(f):
        label = repr(os.fspath(f))
        fp = open(f, 'rb')
    else:
        label = repr(getattr(f, 'name', f))
        fp = f
    try:
        if not fp.seekable():
            fp = io.BytesIO(fp.read())
        if container.is_zip(fp):
            return container.read_zip(fp, restore, weights_only, os.fspath(f) if mmap else None)
        if mmap:
            raise RuntimeError('mmap can only be used with files saved with '
                               '`torch.save(_use_new_zipfile_serialization=True)`, please '
                               'torch.save your checkpoint with this option in order to use mmap.')
        return container.read_legacy(fp, restore, weights_only)
    except (container.CheckpointError, LocationError) as e:
        raise RuntimeError(f'{e} (while loading {label})') from None
    except EOFError as e:
        raise EOFError(f'{label} ended before the checkpoint did ({e or "empty file"}): the file '
                       'is empty or truncated') from None
    finally:
        if fp is not f:
            fp.close()


def add_safe_globals(safe_globals):
    """Allow ``load(weights_only=True)`` to use these globals: objects (named by their
    ``__module__.__qualname__``) or ``(object, 'module.name')`` pairs. Only for classes and
    functions you trust; globals of ``os``, ``sys``, ``posix`` and ``nt`` stay refused.

    Example::

        >>> flambeau.serialization.add_safe_globals([MyConfig])
    """
    for g in safe_globals:
        if isinstance(g, tuple):
            if len(g) != 2:
                raise ValueError(f'Expected tuple of length 2 (global, str of callable full '
                                 f'path), but got tuple of length: {len(g)}')
            obj, name = g
            if type(name) is not str:
                raise TypeError(f'Expected second item in tuple to be str of callable full '
                                f'path, but got: {type(name)}')
        else:
            obj, name = g, f'{g.__module__}.{g.__qualname__}'
        user_globals[name] = obj


def get_safe_globals():
    """The globals added by :func:`add_safe_globals`."""
    return list(user_globals.values())


def clear_safe_globals():
    """Forget the globals added by :func:`add_safe_globals`."""
    user_globals.clear()


@contextlib.contextmanager
def safe_globals(globals_):
    """:func:`add_safe_globals` for the duration of a ``with`` block."""
    before = dict(user_globals)
    add_safe_globals(globals_)
    try:
        yield
    finally:
        user_globals.clear()
        user_globals.update(before)

