"""flambeau.save / flambeau.load and flambeau.safetensors: round trips, storage sharing, the
weights-only allow-list, map_location, mmap, atomic saves, errors; and interchange with
PyTorch and the safetensors package both ways (those tests skip when torch is missing)."""
import collections
import io
import os
import pathlib
import pickle
import signal
import subprocess
import sys
import zipfile

import numpy as np
import pytest

import flambeau
import flambeau.safetensors as fsafe

try:
    import torch
except ImportError:  # the tests of flambeau alone still run
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason='needs PyTorch as the reference')
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DTYPES = ['bool', 'uint8', 'int8', 'int16', 'int32', 'int64', 'float16', 'bfloat16', 'float32',
          'float64']


def _values(t):
    """A float64/bool NumPy copy of a flambeau or torch tensor's values."""
    if isinstance(t, flambeau.Tensor):
        a = np.asarray(t._data)
        return a.copy() if a.dtype == np.bool_ else a.astype(np.float64)
    if t.dtype == torch.bool:
        return t.numpy().copy()
    return t.detach().double().numpy()


def _same(fl, th):
    assert str(fl.dtype) == str(th.dtype)
    assert tuple(fl.shape) == tuple(th.shape)
    np.testing.assert_array_equal(_values(fl), _values(th))


def _sample(dtype, shape=(2, 3)):
    n = int(np.prod(shape))
    t = flambeau.arange(n).reshape(shape)
    if dtype == 'bool':
        return t % 2 == 0
    return (t * 3 - 4).to(getattr(flambeau, dtype)) if dtype != 'uint8' else t.to(flambeau.uint8)


# -- flambeau alone ----------------------------------------------------------------------------
@pytest.mark.parametrize('dtype', DTYPES)
def test_roundtrip_every_dtype(tmp_path, dtype):
    t = _sample(dtype)
    obj = {'t': t, 'zero_d': t[0, 0].clone(), 'empty': t[:0], 'transposed': t.t(),
           'step': t[:, ::2]}
    flambeau.save(obj, tmp_path / 'a.pt')
    back = flambeau.load(tmp_path / 'a.pt')
    for k, v in obj.items():
        assert back[k].dtype == v.dtype and back[k].shape == v.shape, k
        np.testing.assert_array_equal(np.asarray(back[k]._data), np.asarray(v._data))
    assert back['transposed'].stride() == (1, 3)


def test_odd_layouts(tmp_path):
    x = flambeau.arange(3.)
    reversed_ = flambeau.Tensor._make(np.arange(4.)[::-1], flambeau.float64, x.device)
    flambeau.save({'expanded': x[:1].expand(3, 2), 'reversed': reversed_}, tmp_path / 'o.pt')
    back = flambeau.load(tmp_path / 'o.pt')
    assert back['expanded'].stride() == (0, 0) and back['expanded'].tolist() == [[0., 0.]] * 3
    assert back['reversed'].tolist() == [3., 2., 1., 0.]  # written as a contiguous copy


def test_save_to_unseekable_stream_symlink_and_mode(tmp_path):
    class Sink(io.RawIOBase):
        def __init__(self):
            self.data = bytearray()

        def writable(self):
            return True

        def write(self, b):
            self.data += bytes(b)
            return len(b)

    sink = Sink()
    flambeau.save({'a': flambeau.ones(3)}, sink)
    assert flambeau.load(io.BytesIO(bytes(sink.data)))['a'].tolist() == [1., 1., 1.]
    real = tmp_path / 'real.pt'
    flambeau.save(1, real)
    os.chmod(real, 0o640)
    os.symlink(real, tmp_path / 'link.pt')
    flambeau.save(2, tmp_path / 'link.pt')
    assert os.path.islink(tmp_path / 'link.pt') and flambeau.load(real) == 2
    assert os.stat(real).st_mode & 0o777 == 0o640
    assert sorted(os.listdir(tmp_path)) == ['link.pt', 'real.pt']


def test_roundtrip_containers_and_scalars(tmp_path):
    od = collections.OrderedDict([('b', 1), ('a', 2.5)])
    obj = {'list': [1, 'two', None, True, False], 'tuple': (1.5, -3, 2 ** 70), 'od': od,
           'dtype': flambeau.bfloat16, 'device': flambeau.device('cpu'),
           'cuda': flambeau.device('cuda', 1), 'size': flambeau.Size([2, 3]),
           'set': {1, 2}, 'bytes': b'\x00\xff', 'complex': 1 + 2j, 'nested': [{'x': [()]}]}
    flambeau.save(obj, tmp_path / 'c.pt')
    back = flambeau.load(tmp_path / 'c.pt')
    assert back == obj
    assert type(back['od']) is collections.OrderedDict and list(back['od']) == ['b', 'a']
    assert back['dtype'] is flambeau.bfloat16 and type(back['size']) is flambeau.Size


def test_views_share_storage_after_load(tmp_path):
    x = flambeau.arange(10.)
    flambeau.save({'x': x, 'mid': x[2:5], 'even': x[::2], 'again': x}, tmp_path / 'v.pt')
    back = flambeau.load(tmp_path / 'v.pt')
    assert back['again'] is back['x']  # one object saved twice stays one object
    back['mid'][0] = 100.
    assert back['x'][2].item() == 100. and back['even'][1].item() == 100.
    back['x'][4] = -1.
    assert back['mid'][2].item() == -1.
    with zipfile.ZipFile(tmp_path / 'v.pt') as z:  # one storage record for the three tensors
        assert sorted(n for n in z.namelist() if '/data/' in n) == ['v/data/0']


def test_parameters_and_requires_grad(tmp_path):
    p = flambeau.nn.Parameter(flambeau.ones(2, 2))
    frozen = flambeau.nn.Parameter(flambeau.zeros(3), requires_grad=False)
    nonleaf = flambeau.ones(2, requires_grad=True) * 2
    flambeau.save([p, frozen, nonleaf, p], tmp_path / 'p.pt')
    a, b, c, d = flambeau.load(tmp_path / 'p.pt')
    assert type(a) is flambeau.nn.Parameter and a.requires_grad and a.is_leaf
    assert type(b) is flambeau.nn.Parameter and not b.requires_grad
    assert type(c) is flambeau.Tensor and c.requires_grad and c.grad_fn is None
    assert d is a


def test_state_dict_and_optimizer_roundtrip(tmp_path):
    flambeau.manual_seed(0)
    model = flambeau.nn.Sequential(flambeau.nn.Linear(3, 4), flambeau.nn.BatchNorm1d(4))
    opt = flambeau.optim.Adam(model.parameters(), lr=0.1)
    model(flambeau.randn(5, 3)).sum().backward()
    opt.step()
    flambeau.save({'model': model.state_dict(), 'opt': opt.state_dict()}, tmp_path / 'm.pt')
    ck = flambeau.load(tmp_path / 'm.pt')
    assert ck['model']._metadata == model.state_dict()._metadata
    model2 = flambeau.nn.Sequential(flambeau.nn.Linear(3, 4), flambeau.nn.BatchNorm1d(4))
    model2.load_state_dict(ck['model'])
    for (k, v), (k2, v2) in zip(model.state_dict().items(), model2.state_dict().items()):
        assert k == k2 and v.dtype == v2.dtype
        np.testing.assert_array_equal(np.asarray(v._data), np.asarray(v2._data))
    opt2 = flambeau.optim.Adam(model2.parameters(), lr=0.1)
    opt2.load_state_dict(ck['opt'])
    assert opt2.state_dict()['param_groups'] == opt.state_dict()['param_groups']
    s, s2 = opt.state_dict()['state'][0], opt2.state_dict()['state'][0]
    np.testing.assert_array_equal(np.asarray(s['exp_avg']._data), np.asarray(s2['exp_avg']._data))


def test_file_objects_and_pathlike(tmp_path):
    buf = io.BytesIO()
    flambeau.save({'w': flambeau.ones(3)}, buf)
    buf.seek(0)
    with zipfile.ZipFile(buf) as z:
        assert z.namelist()[0] == 'archive/data.pkl'
    buf.seek(0)
    assert flambeau.load(buf)['w'].tolist() == [1., 1., 1.]
    flambeau.save(flambeau.zeros(2), str(tmp_path / 'str.pt'))
    with open(tmp_path / 'str.pt', 'rb') as f:
        assert flambeau.load(f).tolist() == [0., 0.]
    assert flambeau.load(pathlib.Path(tmp_path / 'str.pt')).tolist() == [0., 0.]


def test_zip_layout_is_pytorchs(tmp_path):
    flambeau.save({'a': flambeau.ones(3), 'b': flambeau.ones(2, dtype=flambeau.int64)},
                  tmp_path / 'ckpt.pt')
    raw = (tmp_path / 'ckpt.pt').read_bytes()
    with zipfile.ZipFile(tmp_path / 'ckpt.pt') as z:
        names = [i.filename for i in z.infolist()]
        assert names == ['ckpt/data.pkl', 'ckpt/.format_version', 'ckpt/.storage_alignment',
                         'ckpt/byteorder', 'ckpt/data/0', 'ckpt/data/1', 'ckpt/version',
                         'ckpt/.data/serialization_id']
        assert z.read('ckpt/byteorder') == b'little' and z.read('ckpt/version') == b'3\n'
        assert z.read('ckpt/.storage_alignment') == b'64'
        assert len(z.read('ckpt/.data/serialization_id')) == 40
        for info in z.infolist():
            assert info.compress_type == zipfile.ZIP_STORED
            o = info.header_offset
            start = o + 30 + int.from_bytes(raw[o + 26:o + 28], 'little') + \
                int.from_bytes(raw[o + 28:o + 30], 'little')
            assert start % 64 == 0, info.filename
        pkl = z.read('ckpt/data.pkl')
    assert pkl.startswith(b'\x80\x02') and b'ctorch._utils\n_rebuild_tensor_v2\n' in pkl
    assert b'ctorch\nFloatStorage\n' in pkl and b'ctorch\nLongStorage\n' in pkl


def test_different_dtypes_sharing_memory_refused(tmp_path):
    x = flambeau.ones(4)
    alias = flambeau.Tensor._make(x._data.view(np.int32), flambeau.int32, x.device)
    with pytest.raises(RuntimeError, match='Cannot save multiple tensors or storages that view '
                                           'the same data as different types'):
        flambeau.save([x, alias], tmp_path / 'bad.pt')
    assert not os.listdir(tmp_path)  # nothing written, no temporary left behind


class _RunsCode:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f'touch {self.marker}',)


class _Sqrt:
    def __reduce__(self):
        import math
        return math.sqrt, (4.0,)


def test_weights_only_refuses_code(tmp_path):
    marker = tmp_path / 'pwned'
    flambeau.save({'a': _RunsCode(marker), 't': flambeau.ones(1)}, tmp_path / 'evil.pt')
    with pytest.raises(pickle.UnpicklingError) as e:
        flambeau.load(tmp_path / 'evil.pt')
    assert 'Weights only load failed' in str(e.value)
    assert 'Trying to load unsupported GLOBAL posix.system whose module posix is blocked.' in \
        str(e.value)
    assert not marker.exists()
    flambeau.save([_Sqrt()], tmp_path / 'sqrt.pt')
    with pytest.raises(pickle.UnpicklingError, match='Unsupported global: GLOBAL math.sqrt was '
                                                     'not an allowed global by default'):
        flambeau.load(tmp_path / 'sqrt.pt')
    # asked for explicitly, anything loads
    assert flambeau.load(tmp_path / 'sqrt.pt', weights_only=False) == [2.0]
    with pytest.raises(RuntimeError, match='Can not safely load weights when explicit '
                                           'pickle_module is specified'):
        flambeau.load(tmp_path / 'sqrt.pt', pickle_module=pickle)


def test_safe_globals(tmp_path):
    flambeau.save([_Sqrt()], tmp_path / 'sqrt.pt')
    import math
    with flambeau.serialization.safe_globals([math.sqrt]):
        assert flambeau.load(tmp_path / 'sqrt.pt') == [2.0]
    with pytest.raises(pickle.UnpicklingError):
        flambeau.load(tmp_path / 'sqrt.pt')


def test_weights_only_false_loads_flambeau_objects(tmp_path):
    model = flambeau.nn.Linear(2, 2)
    flambeau.save(model, tmp_path / 'model.pt')
    with pytest.raises(pickle.UnpicklingError, match='Unsupported global'):
        flambeau.load(tmp_path / 'model.pt')
    back = flambeau.load(tmp_path / 'model.pt', weights_only=False)
    assert type(back) is flambeau.nn.Linear and type(back.weight) is flambeau.nn.Parameter
    np.testing.assert_array_equal(np.asarray(back.weight._data), np.asarray(model.weight._data))


def test_map_location_cpu_forms(tmp_path):
    flambeau.save({'w': flambeau.ones(2)}, tmp_path / 'w.pt')
    seen = []

    def keep(storage, location):
        seen.append(location)
        return storage

    for ml in (None, 'cpu', flambeau.device('cpu'), {'cpu': 'cpu'}, keep,
               lambda storage, location: None):
        assert flambeau.load(tmp_path / 'w.pt', map_location=ml)['w'].device.type == 'cpu'
    assert seen == ['cpu']
    with pytest.raises(RuntimeError, match=r"don't know how to restore data location of "
                                           r'torch.storage.UntypedStorage \(tagged with garbage\)'
                                           r".*w\.pt"):
        flambeau.load(tmp_path / 'w.pt', map_location='garbage')
    with pytest.raises(RuntimeError, match='Attempting to deserialize object on a CUDA device '
                                           r'but torch.cuda.is_available\(\) is False.*w\.pt'):
        flambeau.load(tmp_path / 'w.pt', map_location='cuda')
    with pytest.raises(RuntimeError, match='is_available'):
        flambeau.load(tmp_path / 'w.pt', map_location={'cpu': 'cuda:0'})


def test_map_location_cuda(tmp_path, fake_cuda):
    x = flambeau.arange(6.).to('cuda:0')
    flambeau.save({'x': x, 'view': x[1:3], 'p': flambeau.nn.Parameter(x.clone())},
                  tmp_path / 'g.pt')
    with zipfile.ZipFile(tmp_path / 'g.pt') as z:
        assert b'cuda:0' in z.read('g/data.pkl')
    back = flambeau.load(tmp_path / 'g.pt')
    assert back['x'].device == flambeau.device('cuda', 0)
    assert back['x'].tolist() == x.tolist() and back['view'].tolist() == [1., 2.]
    cpu = flambeau.load(tmp_path / 'g.pt', map_location={'cuda:0': 'cpu'})
    assert cpu['x'].device.type == 'cpu' and type(cpu['p']) is flambeau.nn.Parameter
    cpu['view'][0] = 50.
    assert cpu['x'][1].item() == 50.
    moved = flambeau.load(tmp_path / 'g.pt', map_location='cuda:1')
    assert moved['view'].device == flambeau.device('cuda', 1)
    moved = flambeau.load(tmp_path / 'g.pt', map_location=lambda s, loc: s.cuda(1))
    assert moved['x'].device == flambeau.device('cuda', 1)
    with pytest.raises(RuntimeError, match=r'Attempting to deserialize object on CUDA device 5 '
                                           r'but torch.cuda.device_count\(\) is 2'):
        flambeau.load(tmp_path / 'g.pt', map_location='cuda:5')


def test_mmap(tmp_path):
    x = flambeau.arange(1000.).reshape(10, 100)
    flambeau.save({'x': x, 'col': x[:, 3]}, tmp_path / 'big.pt')
    before = (tmp_path / 'big.pt').read_bytes()
    back = flambeau.load(tmp_path / 'big.pt', mmap=True)
    assert back['x'].tolist() == x.tolist() and back['col'].tolist() == x[:, 3].tolist()
    root = back['x']._data
    while not isinstance(root, np.memmap):
        root = root.base
    back['x'][0, 3] = -5.  # copy-on-write: shared by the views, never written to the file
    assert back['col'][0].item() == -5.
    del back, root
    assert (tmp_path / 'big.pt').read_bytes() == before
    with pytest.raises(ValueError, match='f must be a file path in order to use the mmap '
                                         'argument'):
        flambeau.load(io.BytesIO(before), mmap=True)
    flambeau.save(x, tmp_path / 'old.pt', _use_new_zipfile_serialization=False)
    with pytest.raises(RuntimeError, match='mmap can only be used with files saved with'):
        flambeau.load(tmp_path / 'old.pt', mmap=True)


def test_legacy_format_roundtrip(tmp_path):
    x = flambeau.arange(6.).reshape(2, 3)
    obj = {'x': x, 't': x.t(), 'h': flambeau.ones(2, dtype=flambeau.bfloat16),
           'p': flambeau.nn.Parameter(flambeau.ones(1)), 'n': [1, 'a']}
    flambeau.save(obj, tmp_path / 'old.pt', _use_new_zipfile_serialization=False)
    assert not zipfile.is_zipfile(tmp_path / 'old.pt')
    back = flambeau.load(tmp_path / 'old.pt')
    assert back['t'].tolist() == x.t().tolist() and back['n'] == [1, 'a']
    assert back['h'].dtype == flambeau.bfloat16 and type(back['p']) is flambeau.nn.Parameter
    back['x'][0, 1] = 9.
    assert back['t'][1, 0].item() == 9.


def test_atomic_save_survives_sigkill(tmp_path):
    target = tmp_path / 'ckpt.pt'
    flambeau.save({'version': 1, 'w': flambeau.ones(3)}, target)
    before = target.read_bytes()
    child = (
        'import sys, time\n'
        'import flambeau\n'
        'from flambeau._serialization import container\n'
        'write = container._host_bytes\n'
        'def slow(ref):\n'
        '    print("writing", flush=True)\n'
        '    time.sleep(60)\n'
        '    return write(ref)\n'
        'container._host_bytes = slow\n'
        'flambeau.save({"version": 2, "w": flambeau.zeros(1000, 1000)}, sys.argv[1])\n')
    env = dict(os.environ, PYTHONPATH=ROOT)
    p = subprocess.Popen([sys.executable, '-c', child, str(target)], stdout=subprocess.PIPE,
                         env=env)
    try:
        assert p.stdout.readline().strip() == b'writing'
        leftovers = [n for n in os.listdir(tmp_path) if n != 'ckpt.pt']
        assert leftovers and os.path.getsize(tmp_path / leftovers[0]) > 0  # mid-write
        os.kill(p.pid, signal.SIGKILL)
        p.wait(30)
    finally:
        if p.poll() is None:
            p.kill()
        p.stdout.close()
    assert target.read_bytes() == before
    ck = flambeau.load(target)
    assert ck['version'] == 1 and ck['w'].tolist() == [1., 1., 1.]


def test_corrupted_files_name_the_file(tmp_path):
    flambeau.save({'w': flambeau.ones(100)}, tmp_path / 'good.pt')
    raw = (tmp_path / 'good.pt').read_bytes()
    (tmp_path / 'cut.pt').write_bytes(raw[:300])
    with pytest.raises(RuntimeError, match=r'PytorchStreamReader failed reading zip archive: '
                                           r'failed finding central directory.*cut\.pt'):
        flambeau.load(tmp_path / 'cut.pt')
    (tmp_path / 'text.pt').write_text('hello, not a checkpoint')
    with pytest.raises(RuntimeError, match=r'Invalid magic number; corrupt file\?.*text\.pt'):
        flambeau.load(tmp_path / 'text.pt')
    with open(tmp_path / 'plain.pkl', 'wb') as f:
        pickle.dump({'a': 1}, f)
    with pytest.raises(RuntimeError, match=r'Invalid magic number.*plain\.pkl'):
        flambeau.load(tmp_path / 'plain.pkl')
    (tmp_path / 'empty.pt').write_bytes(b'')
    with pytest.raises(EOFError, match='empty.pt'):
        flambeau.load(tmp_path / 'empty.pt')
    with pytest.raises(FileNotFoundError):
        flambeau.load(tmp_path / 'missing.pt')
    with zipfile.ZipFile(tmp_path / 'good.pt') as z, \
            zipfile.ZipFile(tmp_path / 'norec.pt', 'w') as out:
        for info in z.infolist():
            if not info.filename.endswith('data/0'):
                out.writestr(info.filename, z.read(info))
    with pytest.raises(RuntimeError, match=r'failed locating file data/0.*norec\.pt'):
        flambeau.load(tmp_path / 'norec.pt')
    with pytest.raises(RuntimeError, match='Parent directory .*nowhere does not exist.'):
        flambeau.save(1, tmp_path / 'nowhere' / 'x.pt')


# -- safetensors, flambeau alone ----------------------------------------------------------------
def test_safetensors_roundtrip(tmp_path):
    tensors = {d: _sample(d) for d in DTYPES}
    tensors['zero_d'] = flambeau.tensor(3.5)
    tensors['empty'] = flambeau.ones(0, 2)
    fsafe.save_file(tensors, tmp_path / 'a.safetensors', metadata={'format': 'pt'})
    back = fsafe.load_file(tmp_path / 'a.safetensors')
    assert set(back) == set(tensors)
    for k, v in tensors.items():
        assert back[k].dtype == v.dtype and back[k].shape == v.shape
        np.testing.assert_array_equal(np.asarray(back[k]._data), np.asarray(v._data))
    back['float32'][0, 0] = 7.  # separate, writable tensors
    assert back['float64'][0, 0].item() == -4.
    data = fsafe.save(tensors)
    assert fsafe.load(data)['bfloat16'].tolist() == tensors['bfloat16'].tolist()
    with fsafe.safe_open(tmp_path / 'a.safetensors', framework='pt') as f:
        assert f.keys() == sorted(tensors) and f.metadata() == {'format': 'pt'}
        assert f.get_slice('int64')[:, 1:].tolist() == tensors['int64'][:, 1:].tolist()
        assert f.get_slice('bfloat16').get_dtype() == 'BF16'
        assert f.get_slice('bfloat16').get_shape() == [2, 3]
        with pytest.raises(fsafe.SafetensorError, match='File does not contain tensor nope'):
            f.get_tensor('nope')
    with fsafe.safe_open(tmp_path / 'a.safetensors', framework='numpy') as f:
        assert isinstance(f.get_tensor('int8'), np.ndarray)


def test_safetensors_errors(tmp_path):
    x = flambeau.arange(4.)
    with pytest.raises(RuntimeError, match="Some tensors share memory.*\\[\\{'a', 'b'\\}\\]|"
                                           "Some tensors share memory.*\\[\\{'b', 'a'\\}\\]"):
        fsafe.save_file({'a': x, 'b': x[:2]}, tmp_path / 's.safetensors')
    fsafe.save_file({'a': x[:2], 'b': x[2:]}, tmp_path / 's.safetensors')  # disjoint is fine
    with pytest.raises(ValueError, match='You are trying to save a non contiguous tensor: `a`'):
        fsafe.save({'a': x[::2]})
    with pytest.raises(ValueError, match="Key `a` is invalid, expected torch.Tensor but "
                                         "received <class 'int'>"):
        fsafe.save({'a': 3})
    with pytest.raises(TypeError, match="argument 'metadata'"):
        fsafe.save({'a': x}, metadata={'k': 1})
    data = fsafe.save({'a': x})
    for bad, msg in ((data[:5], 'header too small'), (data[:10], 'invalid header length'),
                     (b'\xff' * 8 + b'{}', 'header too large'),
                     (data[:-1], 'incomplete metadata, file not fully covered'),
                     (data[:8] + b'x' * (len(data) - 8), 'invalid header deserialization')):
        with pytest.raises(fsafe.SafetensorError, match=msg):
            fsafe.load(bad)
    with pytest.raises(fsafe.SafetensorError, match='framework xx is invalid'):
        fsafe.safe_open(tmp_path / 's.safetensors', 'xx')


# -- interchange with PyTorch ---------------------------------------------------------------------
@needs_torch
def test_torch_checkpoints_load(tmp_path):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Conv2d(2, 3, 3), torch.nn.BatchNorm2d(3),
                                torch.nn.Flatten(), torch.nn.Linear(12, 2))
    x = torch.arange(10.)
    obj = {'model': model.state_dict(), 'x': x, 'view': x[2:5], 'even': x[::2],
           't': torch.arange(6, dtype=torch.int16).reshape(2, 3).t(),
           'p': torch.nn.Parameter(torch.ones(2)), 'frozen': torch.nn.Parameter(
               torch.ones(1), requires_grad=False), 'rg': torch.ones(2, requires_grad=True),
           'zero_d': torch.tensor(2.5, dtype=torch.float64), 'empty': torch.ones(0, 3),
           'dtype': torch.bfloat16, 'device': torch.device('cpu'), 'size': torch.Size([1, 2]),
           'misc': (1, 2.5, 'str', None, True, [b'by']), 'set': {3}}
    for d in DTYPES:
        obj[d] = torch.from_numpy(np.asarray(_sample(d if d != 'bfloat16' else 'float32')._data))
        if d == 'bfloat16':
            obj[d] = obj[d].to(torch.bfloat16)
    torch.save(obj, tmp_path / 't.pt')
    back = flambeau.load(tmp_path / 't.pt')
    for k, v in obj.items():
        if isinstance(v, torch.Tensor):
            _same(back[k], v)
    for k, v in obj['model'].items():
        _same(back['model'][k], v)
    assert back['model']._metadata == obj['model']._metadata
    assert type(back['p']) is flambeau.nn.Parameter and back['p'].requires_grad
    assert not back['frozen'].requires_grad and back['rg'].requires_grad
    assert back['dtype'] is flambeau.bfloat16 and back['device'] == flambeau.device('cpu')
    assert back['size'] == flambeau.Size([1, 2]) and back['misc'] == obj['misc']
    back['view'][0] = 100.
    assert back['x'][2].item() == 100. and back['even'][1].item() == 100.
    mapped = flambeau.load(tmp_path / 't.pt', mmap=True)
    for k in DTYPES + ['t', 'even', 'zero_d', 'empty']:
        _same(mapped[k], obj[k])
    # the weights load into the same flambeau model
    fl_model = flambeau.nn.Sequential(flambeau.nn.Conv2d(2, 3, 3), flambeau.nn.BatchNorm2d(3),
                                      flambeau.nn.Flatten(), flambeau.nn.Linear(12, 2))
    fl_model.load_state_dict(back['model'])
    inp = np.random.default_rng(0).standard_normal((2, 2, 4, 4)).astype(np.float32)
    model.eval(), fl_model.eval()
    np.testing.assert_allclose(_values(fl_model(flambeau.tensor(inp))),
                               _values(model(torch.tensor(inp))), rtol=1e-5, atol=1e-6)


@needs_torch
def test_flambeau_checkpoints_load_in_torch(tmp_path):
    flambeau.manual_seed(0)
    x = flambeau.arange(10.)
    obj = {'x': x, 'view': x[2:5], 'even': x[::2], 't': _sample('int32').t(),
           'p': flambeau.nn.Parameter(flambeau.ones(2)), 'rg': flambeau.ones(2, requires_grad=True),
           'zero_d': flambeau.tensor(1.5), 'empty': flambeau.ones(0), 'dtype': flambeau.float16,
           'device': flambeau.device('cpu'), 'size': flambeau.Size([3]),
           'misc': [1, 'a', None, (2.5, False)], 'od': collections.OrderedDict(a=1)}
    for d in DTYPES:
        obj[d] = _sample(d)
    flambeau.save(obj, tmp_path / 'f.pt')
    back = torch.load(tmp_path / 'f.pt', weights_only=True)
    for k, v in obj.items():
        if isinstance(v, flambeau.Tensor):
            _same(v, back[k])
    assert type(back['p']) is torch.nn.Parameter and back['rg'].requires_grad
    assert back['dtype'] is torch.float16 and back['device'] == torch.device('cpu')
    assert back['size'] == torch.Size([3]) and back['misc'] == obj['misc']
    assert back['t'].stride() == (1, 3)
    assert back['view'].untyped_storage().data_ptr() == back['x'].untyped_storage().data_ptr()
    back['x'][3] = -1.
    assert back['view'][1].item() == -1.


@needs_torch
def test_state_dict_round_trip_through_torch(tmp_path):
    flambeau.manual_seed(1)
    fl_model = flambeau.nn.Sequential(flambeau.nn.Linear(4, 3), flambeau.nn.BatchNorm1d(3))
    flambeau.save(fl_model.state_dict(), tmp_path / 'm.pt')
    t_model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3))
    t_model.load_state_dict(torch.load(tmp_path / 'm.pt', weights_only=True))
    torch.save(t_model.state_dict(), tmp_path / 'm2.pt')
    back = flambeau.load(tmp_path / 'm2.pt')
    for k, v in fl_model.state_dict().items():
        assert back[k].dtype == v.dtype
        np.testing.assert_array_equal(np.asarray(back[k]._data), np.asarray(v._data))
    assert back._metadata == fl_model.state_dict()._metadata


@needs_torch
def test_torch_optimizer_state_loads(tmp_path):
    p = torch.nn.Parameter(torch.ones(3))
    opt = torch.optim.Adam([p], lr=0.01)
    p.sum().backward()
    opt.step()
    torch.save(opt.state_dict(), tmp_path / 'o.pt')
    sd = flambeau.load(tmp_path / 'o.pt')
    assert sd['param_groups'][0]['betas'] == (0.9, 0.999) and sd['param_groups'][0]['params'] == [0]
    _same(sd['state'][0]['exp_avg'], opt.state_dict()['state'][0]['exp_avg'])
    _same(sd['state'][0]['step'], opt.state_dict()['state'][0]['step'])


@needs_torch
def test_torch_legacy_files(tmp_path):
    x = torch.arange(6.).reshape(2, 3)
    obj = {'x': x, 't': x.t(), 'b': torch.tensor([True, False]),
           'h': torch.ones(2, dtype=torch.bfloat16), 'p': torch.nn.Parameter(torch.ones(1))}
    torch.save(obj, tmp_path / 'old.pt', _use_new_zipfile_serialization=False)
    back = flambeau.load(tmp_path / 'old.pt')
    for k, v in obj.items():
        _same(back[k], v)
    back['x'][0, 1] = 9.
    assert back['t'][1, 0].item() == 9.
    flambeau.save({'x': flambeau.arange(3.)}, tmp_path / 'fl_old.pt',
                  _use_new_zipfile_serialization=False)
    assert torch.load(tmp_path / 'fl_old.pt', weights_only=True)['x'].tolist() == [0., 1., 2.]


@needs_torch
def test_torch_buffer_with_python_state(tmp_path):
    buf = torch.nn.Buffer(torch.ones(2))
    torch.save({'buf': buf}, tmp_path / 'b.pt')
    back = flambeau.load(tmp_path / 'b.pt')['buf']
    assert isinstance(back, flambeau.nn.Buffer) and back.tolist() == [1., 1.]
    flambeau.save({'buf': flambeau.nn.Buffer(flambeau.ones(2))}, tmp_path / 'fb.pt')
    assert torch.load(tmp_path / 'fb.pt', weights_only=True)['buf'].tolist() == [1., 1.]


@needs_torch
def test_errors_match_torch(tmp_path):
    marker = tmp_path / 'pwned'
    flambeau.save({'a': _RunsCode(marker)}, tmp_path / 'evil.pt')
    flambeau.save([_Sqrt()], tmp_path / 'sqrt.pt')
    for name in ('evil.pt', 'sqrt.pt'):
        with pytest.raises(pickle.UnpicklingError) as ours:
            flambeau.load(tmp_path / name)
        with pytest.raises(pickle.UnpicklingError) as theirs:
            torch.load(tmp_path / name)
        assert str(ours.value) == str(theirs.value)
    assert not marker.exists()
    torch.save({'w': torch.ones(100)}, tmp_path / 'w.pt')
    for ml in ('garbage', 'cuda'):
        with pytest.raises(RuntimeError) as theirs:
            torch.load(tmp_path / 'w.pt', map_location=ml)
        with pytest.raises(RuntimeError) as ours:
            flambeau.load(tmp_path / 'w.pt', map_location=ml)
        assert str(theirs.value) in str(ours.value) and 'w.pt' in str(ours.value)
    (tmp_path / 'cut.pt').write_bytes((tmp_path / 'w.pt').read_bytes()[:300])
    with pytest.raises(RuntimeError) as theirs:
        torch.load(tmp_path / 'cut.pt')
    with pytest.raises(RuntimeError) as ours:
        flambeau.load(tmp_path / 'cut.pt')
    assert str(theirs.value) in str(ours.value) and 'cut.pt' in str(ours.value)
    x = torch.ones(4)
    with pytest.raises(RuntimeError) as theirs:
        torch.save([x, x.view(torch.int32)], tmp_path / 'bad.pt')
    fx = flambeau.ones(4)
    with pytest.raises(RuntimeError) as ours:
        flambeau.save([fx, flambeau.Tensor._make(fx._data.view(np.int32), flambeau.int32,
                                                 fx.device)], tmp_path / 'bad.pt')
    assert str(ours.value) == str(theirs.value)


@needs_torch
def test_safetensors_interchange(tmp_path):
    st = pytest.importorskip('safetensors.torch')
    sn = pytest.importorskip('safetensors.numpy')
    tensors = {d: _sample(d) for d in DTYPES}
    tensors['zero_d'] = flambeau.tensor(2.)
    tensors['empty'] = flambeau.ones(0)
    th = {}
    for k, v in tensors.items():
        a = np.asarray(v._data)
        th[k] = torch.from_numpy(a.view(np.int16)).view(torch.bfloat16) \
            if v.dtype == flambeau.bfloat16 else torch.from_numpy(a.copy())
    # the same bytes as the safetensors package
    assert fsafe.save(tensors, metadata={'m': 'x'}) == st.save(th, metadata={'m': 'x'})
    fsafe.save_file(tensors, tmp_path / 'f.safetensors')
    for k, v in st.load_file(tmp_path / 'f.safetensors').items():
        _same(tensors[k], v)
    st.save_file(th, tmp_path / 't.safetensors')
    for k, v in fsafe.load_file(tmp_path / 't.safetensors').items():
        _same(v, th[k])
    sn.save_file({'a': np.arange(4, dtype=np.int32)}, tmp_path / 'n.safetensors')
    assert fsafe.load_file(tmp_path / 'n.safetensors')['a'].tolist() == [0, 1, 2, 3]
    assert sn.load_file(tmp_path / 'f.safetensors')['int16'].tolist() == \
        tensors['int16'].tolist()
    x, tx = flambeau.arange(4.), torch.arange(4.)
    for fl_arg, th_arg in (({'a': x[::2]}, {'a': tx[::2]}),
                           ({'a': x, 'b': x[1:]}, {'a': tx, 'b': tx[1:]})):
        with pytest.raises((ValueError, RuntimeError)) as theirs:
            st.save(th_arg)
        with pytest.raises(type(theirs.value)) as ours:
            fsafe.save(fl_arg)
        assert sorted(str(ours.value)) == sorted(str(theirs.value))  # set order may differ
