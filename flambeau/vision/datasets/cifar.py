"""CIFAR10 and CIFAR100: the pickled Python batches of ``cifar-10-batches-py`` /
``cifar-100-python``, read with an unpickler that only builds what the batches hold (dicts,
lists, strings, numbers and NumPy arrays), so loading a file runs no code from it."""
import os
import pickle

import numpy as np

from .utils import check_integrity, download_and_extract_archive
from .vision import VisionDataset

__all__ = ['CIFAR10', 'CIFAR100']

# The only globals a CIFAR batch references: NumPy's array reconstruction, and bytes from
# protocol-2 pickles written by Python 3.
_ALLOWED = {('numpy.core.multiarray', '_reconstruct'), ('numpy._core.multiarray', '_reconstruct'),
            ('numpy.core.multiarray', 'scalar'), ('numpy._core.multiarray', 'scalar'),
            ('numpy._core.numeric', '_frombuffer'), ('numpy.core.numeric', '_frombuffer'),
            ('numpy', 'ndarray'), ('numpy', 'dtype'), ('_codecs', 'encode')}


class _BatchUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f'global {module}.{name} is not allowed in a CIFAR batch '
                                     'file (loading it would run code from the file)')


def _load_batch(path):
    with open(path, 'rb') as f:
        return _BatchUnpickler(f, encoding='latin1').load()


class CIFAR10(VisionDataset):
    """CIFAR-10: 32x32 colour images in 10 classes, 50 000 for training, 10 000 for testing.

    Args:
        root (str or pathlib.Path): the directory holding ``cifar-10-batches-py``.
        train (bool, optional): the training batches if True, else the test batch.
        transform (callable, optional): applied to the PIL image.
        target_transform (callable, optional): applied to the label.
        download (bool, optional): fetch the archive (MD5-checked) and extract it into
            ``root`` unless the batches are already there.

    ``data`` is a uint8 NumPy array ``(N, 32, 32, 3)``, ``targets`` a list of ints;
    ``dataset[i]`` is ``(PIL RGB image, int label)``.

    Example::

        >>> ds = CIFAR10('data', train=False, download=True)
        >>> ds.classes[ds[0][1]]
    """
    base_folder = 'cifar-10-batches-py'
    url = 'https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz'
    filename = 'cifar-10-python.tar.gz'
    tgz_md5 = 'c58f30108f718f92721af3b95e74349a'
    train_list = [['data_batch_1', 'c99cafc152244af753f735de768cd75f'],
                  ['data_batch_2', 'd4bba439e000b95fd0a9bffe97cbabec'],
                  ['data_batch_3', '54ebc095f3ab1f0389bbae665268c751'],
                  ['data_batch_4', '634d18415352ddfa80567beed471001a'],
                  ['data_batch_5', '482c414d41f54cd18b22e5b47cb7c3cb']]
    test_list = [['test_batch', '40351d587109b95175f43aff81a1287e']]
    meta = {'filename': 'batches.meta', 'key': 'label_names',
            'md5': '5ff9c542aee3614f3951f8cda6e48888'}

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        if not self._check_integrity():
            raise RuntimeError('Dataset not found or corrupted. You can use download=True to '
                               'download it')
        data, self.targets = [], []
        for file_name, _ in (self.train_list if self.train else self.test_list):
            entry = _load_batch(os.path.join(self.root, self.base_folder, file_name))
            data.append(entry['data'])
            self.targets.extend(entry['labels'] if 'labels' in entry else entry['fine_labels'])
        self.data = np.vstack(data).reshape(-1, 3, 32, 32).transpose((0, 2, 3, 1))  # HWC
        self._load_meta()

    def _load_meta(self):
        path = os.path.join(self.root, self.base_folder, self.meta['filename'])
        if not check_integrity(path, self.meta['md5']):
            raise RuntimeError('Dataset metadata file not found or corrupted. You can use '
                               'download=True to download it')
        self.classes = _load_batch(path)[self.meta['key']]
        self.class_to_idx = {c: i for i, c in enumerate(self.classes)}

    def __getitem__(self, index):
        from ..transforms.functional import _fromarray
        img, target = self.data[index], self.targets[index]
        img = _fromarray(img, 'RGB')
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self):
        return len(self.data)

    def _check_integrity(self):
        return all(check_integrity(os.path.join(self.root, self.base_folder, f), md5)
                   for f, md5 in self.train_list + self.test_list)

    def download(self):
        """Download and extract the archive unless the checked batches are already there."""
        if self._check_integrity():
            return
        download_and_extract_archive(self.url, self.root, filename=self.filename,
                                     md5=self.tgz_md5)

    def extra_repr(self):
        return f"Split: {'Train' if self.train is True else 'Test'}"


class CIFAR100(CIFAR10):
    """CIFAR-100: like :class:`CIFAR10` with 100 fine classes (``root/cifar-100-python``);
    ``targets`` are the fine labels."""
    base_folder = 'cifar-100-python'
    url = 'https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz'
    filename = 'cifar-100-python.tar.gz'
    tgz_md5 = 'eb9058c3a382ffc7106e4002c42a8d85'
    train_list = [['train', '16019d7e3df5f24257cddd939b257f8d']]
    test_list = [['test', 'f0ef6b0ae62326f3e7ffdfab6717acfc']]
    meta = {'filename': 'meta', 'key': 'fine_label_names',
            'md5': '7973b15100ade9c7d40fb424638fde48'}
