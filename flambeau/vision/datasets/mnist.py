"""MNIST, FashionMNIST and KMNIST: the IDX files under ``root/<ClassName>/raw`` (torchvision's
layout; its legacy ``processed/training.pt``/``test.pt`` are read when present and
``flambeau.load`` exists)."""
import os
import sys
from urllib.error import URLError

import numpy as np

from ...serialization import load
from .utils import check_integrity, download_and_extract_archive
from .vision import VisionDataset

__all__ = ['MNIST', 'FashionMNIST', 'KMNIST', 'read_sn3_pascalvincent_tensor',
           'read_image_file', 'read_label_file']

# IDX type codes -> big-endian NumPy dtypes
_SN3_TYPES = {8: np.dtype('>u1'), 9: np.dtype('>i1'), 11: np.dtype('>i2'),
              12: np.dtype('>i4'), 13: np.dtype('>f4'), 14: np.dtype('>f8')}


def read_sn3_pascalvincent_tensor(path, strict=True):
    """Read an IDX file (the format of MNIST's ``*-ubyte`` files) into a tensor."""
    from ...ops.creation import from_numpy
    with open(path, 'rb') as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], 'big')
    nd, ty = magic % 256, magic // 256
    if not (1 <= nd <= 3 and ty in _SN3_TYPES):
        raise ValueError(f'{path} is not an IDX file (magic number {magic})')
    dims = [int.from_bytes(data[4 * (i + 1):4 * (i + 2)], 'big') for i in range(nd)]
    parsed = np.frombuffer(data, dtype=_SN3_TYPES[ty], offset=4 * (nd + 1))
    n = int(np.prod(dims))
    if strict and parsed.shape[0] != n:
        raise ValueError(f'{path}: expected {n} values for shape {dims}, found '
                         f'{parsed.shape[0]}')
    return from_numpy(parsed[:n].astype(_SN3_TYPES[ty].newbyteorder('=')).reshape(dims))


def read_label_file(path):
    """Read an IDX label file: a 1-d uint8 file, returned as int64."""
    from ... import dtypes as _dt
    x = read_sn3_pascalvincent_tensor(path, strict=False)
    if x.dtype != _dt.uint8:
        raise TypeError(f'x should be of dtype torch.uint8 instead of {x.dtype}')
    if x.ndim != 1:
        raise ValueError(f'x should have 1 dimension instead of {x.ndim}')
    return x.long()


def read_image_file(path):
    """Read an IDX image file: a 3-d uint8 ``(N, H, W)`` tensor."""
    from ... import dtypes as _dt
    x = read_sn3_pascalvincent_tensor(path, strict=False)
    if x.dtype != _dt.uint8:
        raise TypeError(f'x should be of dtype torch.uint8 instead of {x.dtype}')
    if x.ndim != 3:
        raise ValueError(f'x should have 3 dimension instead of {x.ndim}')
    return x


class MNIST(VisionDataset):
    """The MNIST handwritten digits: 28x28 greyscale images, 60 000 for training and 10 000
    for testing.

    Args:
        root (str or pathlib.Path): the directory holding ``MNIST/raw/train-images-idx3-ubyte``
            and the other IDX files.
        train (bool, optional): the training set if True, else the test set.
        transform (callable, optional): applied to the PIL image.
        target_transform (callable, optional): applied to the label.
        download (bool, optional): fetch the files (trying each mirror in turn, checking
            their MD5) into ``root`` unless they are already there.

    ``data`` is a uint8 tensor ``(N, 28, 28)``, ``targets`` an int64 tensor ``(N,)``;
    ``dataset[i]`` is ``(PIL image of mode 'L', int label)``.

    Example::

        >>> ds = MNIST('data', train=False, download=True, transform=transforms.ToTensor())
        >>> img, label = ds[0]
    """
    mirrors = ['https://ossci-datasets.s3.amazonaws.com/mnist/',
               'http://yann.lecun.com/exdb/mnist/']
    resources = [('train-images-idx3-ubyte.gz', 'f68b3c2dcbeaaa9fbdd348bbdeb94873'),
                 ('train-labels-idx1-ubyte.gz', 'd53e105ee54ea40749a09fcbcd1e9432'),
                 ('t10k-images-idx3-ubyte.gz', '9fb629c4189551a2d022fa330f9573f3'),
                 ('t10k-labels-idx1-ubyte.gz', 'ec29112dd5afa0611ce80d1b7f02629c')]
    training_file = 'training.pt'
    test_file = 'test.pt'
    classes = ['0 - zero', '1 - one', '2 - two', '3 - three', '4 - four', '5 - five', '6 - six',
               '7 - seven', '8 - eight', '9 - nine']

    @property
    def train_labels(self):
        return self.targets

    @property
    def test_labels(self):
        return self.targets

    @property
    def train_data(self):
        return self.data

    @property
    def test_data(self):
        return self.data

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if self._check_legacy_exist():
            self.data, self.targets = self._load_legacy_data()
            return
        if download:
            self.download()
        if not self._check_exists():
            raise RuntimeError('Dataset not found. You can use download=True to download it')
        self.data, self.targets = self._load_data()

    def _check_legacy_exist(self):
        if not os.path.exists(self.processed_folder):
            return False
        return all(check_integrity(os.path.join(self.processed_folder, f))
                   for f in (self.training_file, self.test_file))

    def _load_legacy_data(self):
        f = self.training_file if self.train else self.test_file
        return load(os.path.join(self.processed_folder, f), weights_only=True)

    def _load_data(self):
        split = 'train' if self.train else 't10k'
        data = read_image_file(os.path.join(self.raw_folder, f'{split}-images-idx3-ubyte'))
        targets = read_label_file(os.path.join(self.raw_folder, f'{split}-labels-idx1-ubyte'))
        return data, targets

    def __getitem__(self, index):
        from ..transforms.functional import _fromarray
        img, target = self.data[index], int(self.targets[index])
        img = _fromarray(img.numpy(), 'L')
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self):
        return len(self.data)

    @property
    def raw_folder(self):
        return os.path.join(self.root, self.__class__.__name__, 'raw')

    @property
    def processed_folder(self):
        return os.path.join(self.root, self.__class__.__name__, 'processed')

    @property
    def class_to_idx(self):
        return {c: i for i, c in enumerate(self.classes)}

    def _check_exists(self):
        return all(check_integrity(os.path.join(self.raw_folder,
                                                os.path.splitext(os.path.basename(url))[0]))
                   for url, _ in self.resources)

    def download(self):
        """Download the IDX files into ``raw_folder`` unless they are there: each file is
        tried on every mirror in turn, MD5-checked and decompressed."""
        if self._check_exists():
            return
        os.makedirs(self.raw_folder, exist_ok=True)
        for filename, md5 in self.resources:
            errors = []
            for mirror in self.mirrors:
                url = f'{mirror}{filename}'
                try:
                    download_and_extract_archive(url, download_root=self.raw_folder,
                                                 filename=filename, md5=md5)
                except URLError as e:
                    print(f'Failed to download (trying next):\n{e}\n', file=sys.stderr)
                    errors.append(e)
                    continue
                break
            else:
                s = f'Error downloading {filename}:\n'
                for mirror, err in zip(self.mirrors, errors):
                    s += f'Tried {mirror}, got:\n{err}\n'
                raise RuntimeError(s)

    def extra_repr(self):
        return f"Split: {'Train' if self.train is True else 'Test'}"


class FashionMNIST(MNIST):
    """Zalando's Fashion-MNIST: 28x28 greyscale images of 10 kinds of clothing, in MNIST's
    format and layout (``root/FashionMNIST/raw``). Arguments as :class:`MNIST`."""
    mirrors = ['http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/']
    resources = [('train-images-idx3-ubyte.gz', '8d4fb7e6c68d591d4c3dfef9ec88bf0d'),
                 ('train-labels-idx1-ubyte.gz', '25c81989df183df01b3e8a0aad5dffbe'),
                 ('t10k-images-idx3-ubyte.gz', 'bef4ecab320f06d8554ea6380940ec79'),
                 ('t10k-labels-idx1-ubyte.gz', 'bb300cfdad3c16e7a12a480ee83cd310')]
    classes = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt',
               'Sneaker', 'Bag', 'Ankle boot']


class KMNIST(MNIST):
    """Kuzushiji-MNIST: 28x28 greyscale images of 10 cursive Japanese characters, in MNIST's
    format and layout (``root/KMNIST/raw``). Arguments as :class:`MNIST`."""
    mirrors = ['http://codh.rois.ac.jp/kmnist/dataset/kmnist/']
    resources = [('train-images-idx3-ubyte.gz', 'bdb82020997e1d708af4cf47b453dcf7'),
                 ('train-labels-idx1-ubyte.gz', 'e144d726b3acfaa3e44228e80efcd344'),
                 ('t10k-images-idx3-ubyte.gz', '5c965bf0a639b31b8f53240b1b52f4d7'),
                 ('t10k-labels-idx1-ubyte.gz', '7320c461ea6c1c855c0b718fb2a4b134')]
    classes = ['o', 'ki', 'su', 'tsu', 'na', 'ha', 'ma', 'ya', 're', 'wo']
