"""The file formats around the pickle: PyTorch's zip archive (1.6 and later) and the legacy
stream of pickles (``_use_new_zipfile_serialization=False``).

Zip archive, as ``torch.save`` writes it: records ``<archive>/data.pkl``, ``.format_version``,
``.storage_alignment``, ``byteorder``, ``data/<key>`` (one per storage, raw little-endian
bytes), ``version``, ``.data/serialization_id``; every record stored uncompressed with its
bytes starting at a multiple of 64 (padding goes into an ``FB`` extra field of the local
header), which is what lets ``mmap=True`` map a record straight from the file.

Legacy stream: pickles of the magic number, the protocol version, a system-info dict, the
object (persistent ids with one more field), the list of storage keys; then per storage an
int64 element count and the raw bytes.
"""
import io
import pickle
import secrets
import struct
import sys
import zipfile

import numpy as np

from .unpickler import FullUnpickler, Storage, WeightsUnpickler, weights_only_message
from ..device import CPU

ALIGNMENT = 64
MAGIC_NUMBER = 0x1950A86A20F9469CFC6C
PROTOCOL_VERSION = 1001
_ZIP_ERROR = ('PytorchStreamReader failed reading zip archive: failed finding central '
              'directory. This is an internal miniz error. If you are seeing this error, there '
              'is a high likelihood that your checkpoint file is corrupted. This can happen if '
              'the checkpoint was not saved properly, was transferred incorrectly, or the file '
              'was modified after saving.')


class CheckpointError(RuntimeError):
    """A malformed checkpoint; ``load`` re-raises it as RuntimeError naming the file."""


def _host_bytes(ref):
    """The bytes of a storage to write, as a memoryview (device storages copied to the host)."""
    data = ref.data
    if not isinstance(data, np.ndarray):
        data = data.get()  # CuPy
    return memoryview(np.ascontiguousarray(data)).cast('B')


# -- zip archive -----------------------------------------------------------------------------
def write_zip(fp, archive, pkl, refs):
    """Write PyTorch's zip checkpoint to the binary file object ``fp``."""
    with zipfile.ZipFile(fp, 'w', zipfile.ZIP_STORED, allowZip64=True) as zf:
        def record(name, data):
            data = data.encode() if isinstance(data, str) else data
            size = len(data) if isinstance(data, bytes) else data.nbytes
            info = zipfile.ZipInfo(f'{archive}/{name}', date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            info.file_size = size
            zip64 = size * 1.05 > zipfile.ZIP64_LIMIT
            header = 30 + len(info.filename.encode('utf-8')) + (20 if zip64 else 0) + 4
            pad = -(zf.start_dir + header) % ALIGNMENT
            info.extra = b'FB' + struct.pack('<H', pad) + b'Z' * pad
            with zf.open(info, 'w', force_zip64=zip64) as w:
                if size:
                    w.write(data)

        record('data.pkl', pkl)
        record('.format_version', '1')
        record('.storage_alignment', str(ALIGNMENT))
        record('byteorder', sys.byteorder)
        for ref in refs:
            record(f'data/{ref.key}', _host_bytes(ref))
        record('version', '3\n')
        record('.data/serialization_id', f'{secrets.randbits(128):040d}')


class ZipReader:
    """The records of a zip checkpoint opened on the binary file object ``fp``."""

    def __init__(self, fp):
        try:
            self.zf = zipfile.ZipFile(fp)
            names = self.zf.namelist()
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, struct.error):
            raise CheckpointError(_ZIP_ERROR) from None
        if not names:
            raise CheckpointError('PytorchStreamReader failed locating file data.pkl: file not '
                                  'found')
        self.fp = fp
        self.prefix = names[0].split('/', 1)[0] + '/'
        self.infos = {n[len(self.prefix):]: i for n, i in
                      ((i.filename, i) for i in self.zf.infolist()) if n.startswith(self.prefix)}

    def has(self, name):
        return name in self.infos

    def _info(self, name):
        info = self.infos.get(name)
        if info is None:
            raise CheckpointError(f'PytorchStreamReader failed locating file {name}: file not '
                                  'found')
        return info

    def read(self, name):
        try:
            return self.zf.read(self._info(name))
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, struct.error) as e:
            raise CheckpointError(f'PytorchStreamReader failed reading file {name}: {e}') from None

    def data_offset(self, name):
        """Where the bytes of an uncompressed record start in the file."""
        info = self._info(name)
        self.fp.seek(info.header_offset)
        head = self.fp.read(30)
        if len(head) != 30 or head[:4] != b'PK\x03\x04':
            raise CheckpointError(f'PytorchStreamReader failed reading file {name}: bad local '
                                  'header')
        n, m = struct.unpack('<HH', head[26:30])
        return info.header_offset + 30 + n + m

    def array(self, name, nbytes, mmap_path=None):
        """Record ``name`` as a writable flat uint8 array of ``nbytes`` bytes (a copy-on-write
        memory map of the file with ``mmap_path``)."""
        info = self._info(name)
        if info.file_size != nbytes:
            raise CheckpointError(f'PytorchStreamReader failed reading file {name}: the record '
                                  f'holds {info.file_size} bytes, the tensor needs {nbytes}')
        if not nbytes:
            return np.empty(0, np.uint8)
        if info.compress_type != zipfile.ZIP_STORED:
            if mmap_path is not None:
                raise CheckpointError(f'mmap=True needs uncompressed records, but {name} is '
                                      'compressed')
            return np.frombuffer(bytearray(self.read(name)), np.uint8)
        offset = self.data_offset(name)
        if mmap_path is not None:
            return np.memmap(mmap_path, np.uint8, mode='c', offset=offset, shape=(nbytes,))
        out = np.empty(nbytes, np.uint8)
        self.fp.seek(offset)
        got = _read_into(self.fp, out)
        if got != nbytes:
            raise CheckpointError(f'PytorchStreamReader failed reading file {name}: file read '
                                  f'failed (the file is truncated: {got} of {nbytes} bytes)')
        return out


def _read_into(fp, out):
    view = memoryview(out).cast('B')
    readinto = getattr(fp, 'readinto', None)
    got = 0
    while got < len(view):
        if readinto is not None:
            n = readinto(view[got:])
        else:
            chunk = fp.read(len(view) - got)
            n = len(chunk)
            view[got:got + n] = chunk
        if not n:
            break
        got += n
    return got


def _storage_loader(get_bytes, restore, swap):
    """persistent_load for zip checkpoints: storage ``key`` read on first use, then shared."""
    loaded = {}

    def persistent_load(pid):
        stype, key, location, numel = pid[1:5]
        key = key.decode() if isinstance(key, bytes) else str(key)
        location = location.decode() if isinstance(location, bytes) else location
        st = loaded.get(key)
        if st is None:
            dtype = stype.dtype
            data = get_bytes(f'data/{key}', numel * dtype.itemsize)
            if swap and dtype.itemsize > 1:
                data.view(dtype.numpy).byteswap(inplace=True)
            st = loaded[key] = restore(Storage(data, dtype, CPU), location)
        return st
    return persistent_load


def _unpickle(cls, fp, persistent_load, weights_only):
    try:
        return cls(fp, persistent_load).load()
    except pickle.UnpicklingError as e:
        if weights_only:
            raise pickle.UnpicklingError(weights_only_message(str(e))) from None
        raise


def read_zip(fp, restore, weights_only, mmap_path=None):
    """The object of the zip checkpoint on ``fp``."""
    reader = ZipReader(fp)
    order = reader.read('byteorder') if reader.has('byteorder') else b'little'
    if order not in (b'little', b'big'):
        raise ValueError('Unknown endianness type: ' + order.decode(errors='replace'))
    pkl = reader.read('data.pkl')
    load = _storage_loader(lambda name, n: reader.array(name, n, mmap_path), restore,
                           order.decode() != sys.byteorder)
    cls = WeightsUnpickler if weights_only else FullUnpickler
    return _unpickle(cls, io.BytesIO(pkl), load, weights_only)


# -- legacy stream ---------------------------------------------------------------------------
def write_legacy(fp, pkl, refs, protocol):
    """Write the pre-1.6 stream (``pkl`` was pickled with legacy persistent ids)."""
    for header in (MAGIC_NUMBER, PROTOCOL_VERSION,
                   {'protocol_version': PROTOCOL_VERSION,
                    'little_endian': sys.byteorder == 'little',
                    'type_sizes': {'short': 2, 'int': 4, 'long': 4}}):
        pickle.dump(header, fp, protocol=protocol)
    fp.write(pkl)
    pickle.dump([ref.key for ref in refs], fp, protocol=protocol)
    for ref in refs:
        fp.write(struct.pack('<q', ref.numel))
        fp.write(_host_bytes(ref))


def read_legacy(fp, restore, weights_only):
    """The object of a legacy checkpoint on ``fp`` (storages are placed on the CPU only)."""
    def header():
        try:
            return WeightsUnpickler(fp, None).load()
        except EOFError:
            raise
        except Exception:
            raise CheckpointError('Invalid magic number; corrupt file? (neither a zip checkpoint '
                                  'nor a legacy PyTorch checkpoint)') from None

    if header() != MAGIC_NUMBER:
        raise CheckpointError('Invalid magic number; corrupt file?')
    version = header()
    if version != PROTOCOL_VERSION:
        raise CheckpointError(f'Invalid protocol version: {version}')
    info = header()
    if not isinstance(info, dict) or not info.get('little_endian', True):
        raise CheckpointError('flambeau reads little-endian legacy checkpoints only')
    storages = {}

    def persistent_load(pid):
        stype, key, location, numel, view = pid[1:6]
        key, location = str(key), str(location)
        st = storages.get(key)
        if st is None:
            dtype = stype.dtype
            st = Storage(np.empty(numel * dtype.itemsize, np.uint8), dtype, CPU)
            if restore(st, location) is not st or st.device is not CPU:
                raise CheckpointError('flambeau loads legacy (non-zip) checkpoints onto the CPU '
                                      "only: pass map_location='cpu'")
            storages[key] = st
        if view is not None:
            _, offset, size = view
            item = st.dtype.itemsize
            return Storage(st._bytes[offset * item:(offset + size) * item], st.dtype, CPU)
        return st

    cls = WeightsUnpickler if weights_only else FullUnpickler
    result = _unpickle(cls, fp, persistent_load, weights_only)
    keys = WeightsUnpickler(fp, None).load()
    for key in keys:
        st = storages.get(str(key))
        head = fp.read(8)
        if st is None or len(head) != 8:
            raise CheckpointError('the legacy checkpoint is truncated or corrupted')
        numel, = struct.unpack('<q', head)
        if numel * st.dtype.itemsize != st._bytes.size or _read_into(fp, st._bytes) != numel * \
                st.dtype.itemsize:
            raise CheckpointError('the legacy checkpoint is truncated or corrupted (storage '
                                  f'{key})')
    return result


def is_zip(fp):
    start = fp.tell()
    magic = fp.read(4)
    fp.seek(start)
    return magic == b'PK\x03\x04'

