"""flambeau.vision.datasets against small files in the real formats, written here: IDX files
for the MNIST family, pickled batches for CIFAR, folders of PNGs. Downloads run offline from
file:// mirrors."""
import gzip
import hashlib
import io
import os
import pickle
import tarfile

import numpy as np
import pytest

import flambeau
from flambeau.vision import datasets, transforms
from flambeau.vision.datasets import utils as dutils

Image = pytest.importorskip('PIL.Image')


def _idx(arr):
    codes = {np.dtype(np.uint8): 8, np.dtype(np.int32): 12, np.dtype(np.float32): 13}
    head = (codes[arr.dtype] * 256 + arr.ndim).to_bytes(4, 'big')
    head += b''.join(int(s).to_bytes(4, 'big') for s in arr.shape)
    return head + arr.astype(arr.dtype.newbyteorder('>')).tobytes()


def _md5(data):
    return hashlib.md5(data).hexdigest()


def _mnist_files(n_train=5, n_test=3, seed=0):
    g = np.random.default_rng(seed)
    out = {}
    for split, n in (('train', n_train), ('t10k', n_test)):
        out[f'{split}-images-idx3-ubyte'] = _idx(g.integers(0, 256, (n, 28, 28), dtype=np.uint8))
        out[f'{split}-labels-idx1-ubyte'] = _idx(g.integers(0, 10, n, dtype=np.uint8))
    return out


def _write_raw(root, cls, files):
    raw = os.path.join(root, cls, 'raw')
    os.makedirs(raw, exist_ok=True)
    for name, data in files.items():
        with open(os.path.join(raw, name), 'wb') as f:
            f.write(data)


@pytest.mark.parametrize('cls', [datasets.MNIST, datasets.FashionMNIST, datasets.KMNIST])
def test_mnist_family_reads_idx(tmp_path, cls):
    files = _mnist_files()
    _write_raw(str(tmp_path), cls.__name__, files)
    ds = cls(str(tmp_path), train=True)
    assert len(ds) == 5
    assert ds.data.dtype == flambeau.uint8 and tuple(ds.data.shape) == (5, 28, 28)
    assert ds.targets.dtype == flambeau.int64
    imgs = np.frombuffer(files['train-images-idx3-ubyte'], np.uint8, offset=16).reshape(5, 28, 28)
    labels = np.frombuffer(files['train-labels-idx1-ubyte'], np.uint8, offset=8)
    np.testing.assert_array_equal(ds.data.numpy(), imgs)
    np.testing.assert_array_equal(ds.targets.numpy(), labels)
    img, target = ds[2]
    assert img.mode == 'L' and img.size == (28, 28) and target == int(labels[2])
    assert isinstance(target, int)
    np.testing.assert_array_equal(np.asarray(img), imgs[2])
    test = cls(str(tmp_path), train=False, transform=transforms.ToTensor(),
               target_transform=lambda y: y + 100)
    x, y = test[0]
    assert len(test) == 3 and tuple(x.shape) == (1, 28, 28) and x.dtype == flambeau.float32
    assert y >= 100
    assert ds.class_to_idx[ds.classes[3]] == 3 and len(ds.classes) == 10
    # as torchvision: only the first line of the transforms' repr is indented
    assert repr(test) == (
        f'Dataset {cls.__name__}\n    Number of datapoints: 3\n    Root location: {tmp_path}\n'
        '    Split: Test\n    StandardTransform\nTransform: ToTensor()\n'
        f'Target transform: {test.target_transform!r}')


def test_mnist_legacy_processed_files(tmp_path):
    """A root prepared by an old torchvision (``processed/training.pt`` and ``test.pt``, each
    a ``(data, targets)`` pair written by ``torch.save``) is read through ``flambeau.load``."""
    g = np.random.default_rng(3)
    processed = tmp_path / 'MNIST' / 'processed'
    processed.mkdir(parents=True)
    pairs = {}
    for name, n in (('training.pt', 4), ('test.pt', 2)):
        pairs[name] = (g.integers(0, 256, (n, 28, 28), dtype=np.uint8),
                       g.integers(0, 10, n).astype(np.int64))
        data = (flambeau.tensor(pairs[name][0]), flambeau.tensor(pairs[name][1]))
        flambeau.save(data, str(processed / name))
    try:
        import torch
        torch.save((torch.from_numpy(pairs['test.pt'][0]), torch.from_numpy(pairs['test.pt'][1])),
                   str(processed / 'test.pt'))  # a file from PyTorch itself
    except ImportError:
        pass
    for train, name in ((True, 'training.pt'), (False, 'test.pt')):
        ds = datasets.MNIST(str(tmp_path), train=train)
        assert ds.data.dtype == flambeau.uint8 and ds.targets.dtype == flambeau.int64
        np.testing.assert_array_equal(ds.data.numpy(), pairs[name][0])
        np.testing.assert_array_equal(ds.targets.numpy(), pairs[name][1])
        assert ds[1][1] == int(pairs[name][1][1])


def test_mnist_missing_and_bad_files(tmp_path):
    with pytest.raises(RuntimeError, match='Dataset not found. You can use download=True to '
                                           'download it'):
        datasets.MNIST(str(tmp_path))
    files = _mnist_files()
    files['train-images-idx3-ubyte'] = _idx(np.zeros((2, 3), np.uint8))
    _write_raw(str(tmp_path), 'MNIST', files)
    with pytest.raises(ValueError, match='x should have 3 dimension instead of 2'):
        datasets.MNIST(str(tmp_path))
    dutils_read = datasets.mnist.read_sn3_pascalvincent_tensor
    p = tmp_path / 'f.idx'
    p.write_bytes(_idx(np.arange(6, dtype=np.int32).reshape(2, 3) - 3))
    got = dutils_read(str(p))
    assert got.dtype == flambeau.int32
    np.testing.assert_array_equal(got.numpy(), np.arange(6).reshape(2, 3) - 3)


def _serve(tmp_path, files):
    """Gzip ``files`` into a 'mirror' folder; returns (file:// URL, resources with MD5s)."""
    mirror = tmp_path / 'mirror'
    mirror.mkdir(exist_ok=True)
    resources = []
    for name, data in files.items():
        gz = gzip.compress(data)
        (mirror / (name + '.gz')).write_bytes(gz)
        resources.append((name + '.gz', _md5(gz)))
    return mirror.as_uri() + '/', resources


def test_mnist_download_mirrors_md5_and_skip(tmp_path, monkeypatch, capsys):
    files = _mnist_files()
    url, resources = _serve(tmp_path, files)
    bad = (tmp_path / 'nowhere').as_uri() + '/'
    monkeypatch.setattr(datasets.MNIST, 'mirrors', [bad, url])
    monkeypatch.setattr(datasets.MNIST, 'resources', resources)
    root = str(tmp_path / 'data')
    ds = datasets.MNIST(root, download=True)
    assert len(ds) == 5
    raw = os.path.join(root, 'MNIST', 'raw')
    assert sorted(os.listdir(raw)) == sorted(list(files) + [r[0] for r in resources])
    assert 'trying next' in capsys.readouterr().err
    # present: a second download fetches nothing, even with no mirror reachable
    monkeypatch.setattr(datasets.MNIST, 'mirrors', [bad])
    assert len(datasets.MNIST(root, train=False, download=True)) == 3
    # every mirror failing names each of them
    with pytest.raises(RuntimeError, match='Error downloading train-images-idx3-ubyte.gz:\n'
                                           f'Tried {bad}, got:'):
        datasets.MNIST(str(tmp_path / 'other'), download=True)
    # a wrong MD5 is an error
    monkeypatch.setattr(datasets.MNIST, 'mirrors', [url])
    monkeypatch.setattr(datasets.MNIST, 'resources', [(n, '0' * 32) for n, _ in resources])
    with pytest.raises(RuntimeError, match='File not found or corrupted.'):
        datasets.MNIST(str(tmp_path / 'third'), download=True)


def _cifar_batch(n, seed, key='labels', nclass=10):
    g = np.random.default_rng(seed)
    return {'batch_label': f'batch {seed}', key: g.integers(0, nclass, n).tolist(),
            'data': g.integers(0, 256, (n, 3072), dtype=np.uint8),
            'filenames': [f'img_{i}.png' for i in range(n)]}


def _write_cifar(folder, batches):
    os.makedirs(folder, exist_ok=True)
    md5s = {}
    for name, obj in batches.items():
        data = pickle.dumps(obj, protocol=2)
        with open(os.path.join(folder, name), 'wb') as f:
            f.write(data)
        md5s[name] = _md5(data)
    return md5s


def _cifar10_setup(root, monkeypatch):
    names = [f'data_batch_{i}' for i in range(1, 6)]
    batches = {n: _cifar_batch(2, i) for i, n in enumerate(names)}
    batches['test_batch'] = _cifar_batch(3, 9)
    batches['batches.meta'] = {'label_names': [f'class{i}' for i in range(10)],
                               'num_cases_per_batch': 2}
    md5 = _write_cifar(os.path.join(root, 'cifar-10-batches-py'), batches)
    monkeypatch.setattr(datasets.CIFAR10, 'train_list', [[n, md5[n]] for n in names])
    monkeypatch.setattr(datasets.CIFAR10, 'test_list', [['test_batch', md5['test_batch']]])
    monkeypatch.setattr(datasets.CIFAR10, 'meta', {'filename': 'batches.meta',
                                                   'key': 'label_names',
                                                   'md5': md5['batches.meta']})
    return batches


def test_cifar10(tmp_path, monkeypatch):
    batches = _cifar10_setup(str(tmp_path), monkeypatch)
    ds = datasets.CIFAR10(str(tmp_path), train=True)
    assert len(ds) == 10 and ds.data.shape == (10, 32, 32, 3) and ds.data.dtype == np.uint8
    first = batches['data_batch_1']
    np.testing.assert_array_equal(ds.data[0], first['data'][0].reshape(3, 32, 32)
                                  .transpose(1, 2, 0))
    assert ds.targets[:2] == first['labels']
    assert ds.classes == [f'class{i}' for i in range(10)] and ds.class_to_idx['class4'] == 4
    img, y = ds[1]
    assert img.mode == 'RGB' and img.size == (32, 32) and y == first['labels'][1]
    test = datasets.CIFAR10(str(tmp_path), train=False, transform=transforms.ToTensor())
    x, _ = test[2]
    assert len(test) == 3 and tuple(x.shape) == (3, 32, 32)
    assert 'Split: Test' in repr(test)
    # a corrupted batch fails the MD5 check
    with open(os.path.join(str(tmp_path), 'cifar-10-batches-py', 'test_batch'), 'ab') as f:
        f.write(b'x')
    with pytest.raises(RuntimeError, match='Dataset not found or corrupted.'):
        datasets.CIFAR10(str(tmp_path), train=False)


def test_cifar100(tmp_path, monkeypatch):
    folder = os.path.join(str(tmp_path), 'cifar-100-python')
    md5 = _write_cifar(folder, {'train': _cifar_batch(4, 1, 'fine_labels', 100),
                                'test': _cifar_batch(2, 2, 'fine_labels', 100),
                                'meta': {'fine_label_names': [f'c{i}' for i in range(100)],
                                         'coarse_label_names': ['x'] * 20}})
    monkeypatch.setattr(datasets.CIFAR100, 'train_list', [['train', md5['train']]])
    monkeypatch.setattr(datasets.CIFAR100, 'test_list', [['test', md5['test']]])
    monkeypatch.setattr(datasets.CIFAR100, 'meta', {'filename': 'meta',
                                                    'key': 'fine_label_names',
                                                    'md5': md5['meta']})
    ds = datasets.CIFAR100(str(tmp_path))
    assert len(ds) == 4 and len(ds.classes) == 100 and all(0 <= t < 100 for t in ds.targets)


class _Evil:
    def __reduce__(self):
        return (os.system, ('echo pwned',))


def test_cifar_unpickler_runs_no_code(tmp_path, monkeypatch):
    _cifar10_setup(str(tmp_path), monkeypatch)
    path = os.path.join(str(tmp_path), 'cifar-10-batches-py', 'data_batch_1')
    data = pickle.dumps({'data': np.zeros((1, 3072), np.uint8), 'labels': [_Evil()]},
                        protocol=2)
    with open(path, 'wb') as f:
        f.write(data)
    train_list = [list(x) for x in datasets.CIFAR10.train_list]
    train_list[0][1] = _md5(data)
    monkeypatch.setattr(datasets.CIFAR10, 'train_list', train_list)
    with pytest.raises(pickle.UnpicklingError, match='not allowed in a CIFAR batch file'):
        datasets.CIFAR10(str(tmp_path))


def test_cifar_download_extracts_archive(tmp_path, monkeypatch):
    src = tmp_path / 'src'
    batches = _cifar10_setup(str(src), monkeypatch)
    archive = tmp_path / 'cifar-10-python.tar.gz'
    with tarfile.open(archive, 'w:gz') as tar:
        tar.add(str(src / 'cifar-10-batches-py'), arcname='cifar-10-batches-py')
    monkeypatch.setattr(datasets.CIFAR10, 'url', archive.as_uri())
    monkeypatch.setattr(datasets.CIFAR10, 'tgz_md5', _md5(archive.read_bytes()))
    root = tmp_path / 'root'
    ds = datasets.CIFAR10(str(root), train=False, download=True)
    assert len(ds) == 3 and ds.targets == batches['test_batch']['labels']
    assert (root / 'cifar-10-python.tar.gz').exists()


def test_extract_archive_refuses_escaping_members(tmp_path):
    archive = tmp_path / 'bad.tar'
    with tarfile.open(archive, 'w') as tar:
        info = tarfile.TarInfo('../escape.txt')
        info.size = 3
        tar.addfile(info, io.BytesIO(b'bad'))
    with pytest.raises(RuntimeError, match='outside'):
        dutils.extract_archive(str(archive), str(tmp_path / 'out'))
    assert not (tmp_path / 'escape.txt').exists()


def test_download_helpers(tmp_path):
    payload = b'hello flambeau'
    src = tmp_path / 'payload.txt'
    src.write_bytes(payload)
    assert dutils.calculate_md5(str(src)) == _md5(payload)
    assert dutils.check_integrity(str(src)) and dutils.check_integrity(str(src), _md5(payload))
    assert not dutils.check_integrity(str(src), '0' * 32)
    assert not dutils.check_integrity(str(tmp_path / 'missing'))
    dutils.download_url(src.as_uri(), str(tmp_path / 'dl'), md5=_md5(payload))
    assert (tmp_path / 'dl' / 'payload.txt').read_bytes() == payload
    gz = tmp_path / 'p.txt.gz'
    gz.write_bytes(gzip.compress(payload))
    out = dutils.extract_archive(str(gz), remove_finished=True)
    assert out == str(tmp_path / 'p.txt') and not gz.exists()
    with pytest.raises(RuntimeError, match="Unknown compression or archive type: '.foo'"):
        dutils.extract_archive(str(tmp_path / 'x.foo'))


def _png_tree(root, layout):
    g = np.random.default_rng(0)
    for cls, names in layout.items():
        os.makedirs(os.path.join(root, cls), exist_ok=True)
        for n in names:
            arr = g.integers(0, 256, (6, 5, 3), dtype=np.uint8)
            Image.fromarray(arr).save(os.path.join(root, cls, n))


def test_image_folder(tmp_path):
    root = str(tmp_path)
    _png_tree(root, {'dog': ['b.png', 'a.png'], 'cat': ['z.png'], 'bird': ['1.png']})
    (tmp_path / 'cat' / 'notes.txt').write_text('not an image')
    ds = datasets.ImageFolder(root)
    assert ds.classes == ['bird', 'cat', 'dog']
    assert ds.class_to_idx == {'bird': 0, 'cat': 1, 'dog': 2}
    assert [os.path.relpath(p, root) for p, _ in ds.samples] == \
        ['bird/1.png', 'cat/z.png', 'dog/a.png', 'dog/b.png']
    assert ds.targets == [0, 1, 2, 2] and ds.imgs is ds.samples and len(ds) == 4
    img, y = ds[2]
    assert img.mode == 'RGB' and img.size == (5, 6) and y == 2
    np.testing.assert_array_equal(np.asarray(img),
                                  np.asarray(Image.open(os.path.join(root, 'dog', 'a.png'))))
    t = datasets.ImageFolder(root, transform=transforms.Compose([transforms.ToTensor()]))
    assert tuple(t[0][0].shape) == (3, 6, 5)
    only = datasets.ImageFolder(root, is_valid_file=lambda p: p.endswith('a.png'),
                                allow_empty=True)
    assert len(only) == 1
    with pytest.raises(FileNotFoundError, match='Found no valid file for the classes bird, cat. '):
        datasets.ImageFolder(root, is_valid_file=lambda p: p.endswith('a.png'))
    with pytest.raises(FileNotFoundError, match="Couldn't find any class folder"):
        datasets.ImageFolder(str(tmp_path / 'cat'))


def test_dataset_folder(tmp_path):
    root = str(tmp_path)
    for cls in ('x', 'y'):
        os.makedirs(os.path.join(root, cls, 'sub'))
        np.save(os.path.join(root, cls, 'sub', 'a.npy'), np.full(3, ord(cls)))
    ds = datasets.DatasetFolder(root, loader=np.load, extensions=('.npy',))
    assert len(ds) == 2 and ds.targets == [0, 1]
    np.testing.assert_array_equal(ds[1][0], np.full(3, ord('y')))
    with pytest.raises(ValueError, match='Both extensions and is_valid_file cannot be None'):
        datasets.DatasetFolder(root, loader=np.load)
    with pytest.raises(FileNotFoundError, match='Supported extensions are: .png'):
        datasets.DatasetFolder(root, loader=np.load, extensions='.png')


def test_fake_data():
    ds = datasets.FakeData(size=4, image_size=(3, 8, 6), num_classes=3,
                           transform=transforms.ToTensor())
    flambeau.manual_seed(7)
    before = flambeau.rand(1)
    flambeau.manual_seed(7)
    a, ya = ds[1]
    after = flambeau.rand(1)
    assert after.item() == before.item()  # global generator untouched
    b, yb = ds[1]
    assert tuple(a.shape) == (3, 8, 6) and flambeau.equal(a, b) and ya == yb
    assert isinstance(ya, int) and 0 <= ya < 3 and len(ds) == 4
    assert not flambeau.equal(a, ds[2][0])
    img, _ = datasets.FakeData(size=1, image_size=(1, 4, 4))[0]
    assert img.mode == 'L'
    with pytest.raises(IndexError, match='FakeData index out of range'):
        ds[4]
    assert repr(datasets.FakeData(size=2)).startswith('Dataset FakeData\n    Number of '
                                                      'datapoints: 2')
