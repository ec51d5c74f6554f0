"""Download, checksum and extraction helpers of the datasets (torchvision's
``datasets.utils``): ``download_url``, ``check_integrity``, ``calculate_md5``,
``extract_archive``, ``download_and_extract_archive``.

Downloads go through ``urllib`` (any scheme it knows, ``file://`` included, which the tests
use). Archives are extracted safely: no member may land outside the target directory, and
links and device files are refused.
"""
import bz2
import gzip
import hashlib
import lzma
import os
import pathlib
import shutil
import tarfile
import urllib.error
import urllib.request
import zipfile

__all__ = ['calculate_md5', 'check_md5', 'check_integrity', 'download_url', 'extract_archive',
           'download_and_extract_archive', 'verify_str_arg']

_USER_AGENT = 'flambeau'
_CHUNK = 1024 * 32


def calculate_md5(fpath, chunk_size=1024 * 1024):
    """The hex MD5 digest of the file ``fpath``."""
    md5 = hashlib.md5(usedforsecurity=False)
    with open(fpath, 'rb') as f:
        while chunk := f.read(chunk_size):
            md5.update(chunk)
    return md5.hexdigest()


def check_md5(fpath, md5, **kwargs):
    """True if the file's MD5 is ``md5``."""
    return md5 == calculate_md5(fpath, **kwargs)


def check_integrity(fpath, md5=None):
    """True if ``fpath`` is a file and (when ``md5`` is given) has that MD5 digest."""
    if not os.path.isfile(fpath):
        return False
    if md5 is None:
        return True
    return check_md5(fpath, md5)


def _urlretrieve(url, filename, chunk_size=_CHUNK):
    tmp = filename + '.part'
    req = urllib.request.Request(url, headers={'User-Agent': _USER_AGENT})
    try:
        with urllib.request.urlopen(req) as response, open(tmp, 'wb') as fh:
            while chunk := response.read(chunk_size):
                fh.write(chunk)
        os.replace(tmp, filename)  # a broken download never leaves a half file under its name
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def download_url(url, root, filename=None, md5=None, max_redirect_hops=3):
    """Download ``url`` into directory ``root`` (as ``filename``, default the URL's basename),
    unless a file with the right ``md5`` is already there. Raises RuntimeError when the
    downloaded file does not match ``md5``; an https URL that fails is retried over http."""
    root = os.path.expanduser(os.fspath(root))
    if not filename:
        filename = os.path.basename(url)
    fpath = os.path.join(root, filename)
    os.makedirs(root, exist_ok=True)
    if check_integrity(fpath, md5):
        return
    print(f'Downloading {url} to {fpath}')
    try:
        _urlretrieve(url, fpath)
    except (urllib.error.URLError, OSError) as e:
        if url[:5] == 'https':
            url = url.replace('https:', 'http:')
            print('Failed download. Trying https -> http instead. Downloading ' + url + ' to '
                  + fpath)
            _urlretrieve(url, fpath)
        else:
            raise e
    if not check_integrity(fpath, md5):
        raise RuntimeError('File not found or corrupted.')


def _check_member(name, to_path):
    dest = os.path.realpath(os.path.join(to_path, name))
    root = os.path.realpath(to_path)
    if os.path.commonpath([root, dest]) != root:
        raise RuntimeError(f'Refusing to extract {name!r}: it would be written outside '
                           f'{to_path!r}')


def _extract_tar(from_path, to_path, compression):
    with tarfile.open(from_path, f'r:{compression[1:]}' if compression else 'r') as tar:
        for m in tar.getmembers():
            _check_member(m.name, to_path)
            if not (m.isfile() or m.isdir()):
                raise RuntimeError(f'Refusing to extract {m.name!r}: only regular files and '
                                   'directories are extracted')
        if hasattr(tarfile, 'data_filter'):
            tar.extractall(to_path, filter='data')
        else:
            tar.extractall(to_path)


def _extract_zip(from_path, to_path, compression):
    with zipfile.ZipFile(from_path, 'r') as z:
        for name in z.namelist():
            _check_member(name, to_path)
        z.extractall(to_path)


_ARCHIVE_EXTRACTORS = {'.tar': _extract_tar, '.zip': _extract_zip}
_COMPRESSED_FILE_OPENERS = {'.bz2': bz2.open, '.gz': gzip.open, '.xz': lzma.open}
_FILE_TYPE_ALIASES = {'.tbz': ('.tar', '.bz2'), '.tbz2': ('.tar', '.bz2'),
                      '.tgz': ('.tar', '.gz')}


def _detect_file_type(file):
    """``(suffix, archive_type, compression)`` of a file name."""
    suffixes = [s.lower() for s in pathlib.Path(file).suffixes]
    if not suffixes:
        raise RuntimeError(f"File '{file}' has no suffixes that could be used to detect the "
                           'archive type and compression.')
    suffix = suffixes[-1]
    if suffix in _FILE_TYPE_ALIASES:
        return (suffix, *_FILE_TYPE_ALIASES[suffix])
    if suffix in _ARCHIVE_EXTRACTORS:
        return suffix, suffix, None
    if suffix in _COMPRESSED_FILE_OPENERS:
        if len(suffixes) > 1 and suffixes[-2] in _ARCHIVE_EXTRACTORS:
            return suffixes[-2] + suffix, suffixes[-2], suffix
        return suffix, None, suffix
    valid = sorted(set(_FILE_TYPE_ALIASES) | set(_ARCHIVE_EXTRACTORS)
                   | set(_COMPRESSED_FILE_OPENERS))
    raise RuntimeError(f"Unknown compression or archive type: '{suffix}'.\n"
                       f"Known suffixes are: '{valid}'.")


def extract_archive(from_path, to_path=None, remove_finished=False):
    """Extract a ``.tar[.gz|.bz2|.xz]``, ``.tgz``, ``.zip`` archive, or decompress a single
    ``.gz``/``.bz2``/``.xz`` file, into ``to_path`` (default: the archive's directory).
    Returns the directory (archives) or the decompressed file's path.

    Example::

        >>> extract_archive('data/train-images-idx3-ubyte.gz')
        'data/train-images-idx3-ubyte'
    """
    from_path = os.fspath(from_path)
    if to_path is None:
        to_path = os.path.dirname(from_path)
    to_path = os.fspath(to_path)
    suffix, archive_type, compression = _detect_file_type(from_path)
    if not archive_type:
        out = os.path.join(to_path, os.path.basename(from_path)[:-len(suffix)])
        with _COMPRESSED_FILE_OPENERS[compression](from_path, 'rb') as rfh, \
                open(out, 'wb') as wfh:
            shutil.copyfileobj(rfh, wfh)
        result = out
    else:
        os.makedirs(to_path, exist_ok=True)
        _ARCHIVE_EXTRACTORS[archive_type](from_path, to_path, compression)
        result = to_path
    if remove_finished:
        os.remove(from_path)
    return result


def download_and_extract_archive(url, download_root, extract_root=None, filename=None, md5=None,
                                 remove_finished=False):
    """``download_url`` then ``extract_archive`` (into ``extract_root``, default
    ``download_root``)."""
    download_root = os.path.expanduser(os.fspath(download_root))
    if extract_root is None:
        extract_root = download_root
    if not filename:
        filename = os.path.basename(url)
    download_url(url, download_root, filename, md5)
    archive = os.path.join(download_root, filename)
    print(f'Extracting {archive} to {extract_root}')
    extract_archive(archive, extract_root, remove_finished)


def verify_str_arg(value, arg=None, valid_values=None, custom_msg=None):
    """Check that ``value`` is a str among ``valid_values``; returns it."""
    if not isinstance(value, str):
        msg = 'Expected type str' + ('' if arg is None else f' for argument {arg}') + \
            f', but got type {type(value)}.'
        raise ValueError(msg)
    if valid_values is None:
        return value
    if value not in valid_values:
        if custom_msg is not None:
            msg = custom_msg
        else:
            msg = ('Unknown value \'{value}\' for argument {arg}. Valid values are '
                   '{{{valid_values}}}.').format(value=value, arg=arg,
                                                 valid_values=', '.join(valid_values))
        raise ValueError(msg)
    return value
