"""The programs of ``examples/``, each run in a subprocess as a user runs it (``python
examples/NAME.py``), with its short-run flag (``--quick``) where it has one.

An example whose optional package (scikit-learn, tqdm, matplotlib: the ``examples`` extra;
Pillow: ``vision``) is missing is skipped. Besides "it runs", the tests check what each
example promises: the quickstart reaches PyTorch's accuracy with the same script (run with
``--framework torch``) and writes its checkpoint and plot; the tensor-basics program prints
exactly what it prints under PyTorch; the CNN reads a tiny IDX data set and explains how to get
the data when it is missing; the ``--device`` switch runs on the test stand-in for ``cuda``.
"""
import importlib.util
import os
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip('torch')
import flambeau  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, 'examples')
TESTS = os.path.join(ROOT, 'tests')

# Runs sys.argv[1] as __main__ with the remaining arguments, after an optional setup line.
_RUNNER = ('import runpy, sys\n{setup}\nsys.argv = sys.argv[1:]\n'
           "runpy.run_path(sys.argv[0], run_name='__main__')\n")
# flambeau replaced by PyTorch: the same program, `import flambeau as torch` binds real torch
_AS_TORCH = ("import torch, torch.nn.functional, torch.utils.data\n"
             "for name in ('', '.nn', '.nn.functional', '.utils', '.utils.data'):\n"
             "    sys.modules['flambeau' + name] = sys.modules['torch' + name]")
# the test-only strict stand-in for the `cuda` device (tests/fake_cuda.py): its arrays refuse
# host NumPy calls, as CuPy arrays would
_FAKE_CUDA = (f'sys.path.insert(0, {TESTS!r})\n'
              'from fake_cuda import StrictCudaBackend\n'
              'from flambeau import backend\n'
              "backend.register_backend('cuda', StrictCudaBackend())")


def needs(*modules):
    """Skip unless every module is importable (checked without importing it)."""
    for name in modules:
        if importlib.util.find_spec(name) is None:
            pytest.skip(f'{name} is not installed (the examples extra: '
                        "pip install 'flambeau[examples]')")


def run(name, *args, cwd, setup=None, check=True, timeout=240):
    """Run ``examples/<name>`` with ``args`` in ``cwd``; return the completed process."""
    # one BLAS/OpenMP thread: on a small shared machine PyTorch's thread pool otherwise
    # oversubscribes the cores and runs several times slower
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get('PYTHONPATH', ''),
               MPLBACKEND='Agg', PYTHONHASHSEED='0', OMP_NUM_THREADS='1')
    path = os.path.join(EXAMPLES, name)
    cmd = [sys.executable, path, *args] if setup is None else \
        [sys.executable, '-c', _RUNNER.format(setup=setup), path, *args]
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)
    if check:
        assert proc.returncode == 0, (f'{name} {" ".join(args)} failed:\n'
                                      f'{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}')
    return proc


def held_out_accuracy(stdout):
    line = next(ln for ln in stdout.splitlines() if ln.startswith('held-out accuracy:'))
    return float(line.split()[2].rstrip('%'))


def test_every_example_is_tested():
    tested = {'demo.py', 'tensor_basics.py', 'linear_regression.py', 'custom_dataset.py',
              'mnist_cnn.py', 'char_lstm.py', 'char_transformer.py', 'vae.py', 'quickstart.py',
              'distributed_digits.py'}
    assert {f for f in os.listdir(EXAMPLES) if f.endswith('.py')} == tested


def test_demo(tmp_path):
    out = run('demo.py', cwd=tmp_path).stdout
    assert 'final loss: tensor(' in out


def test_tensor_basics_prints_as_pytorch_does(tmp_path):
    ours = run('tensor_basics.py', cwd=tmp_path).stdout
    theirs = run('tensor_basics.py', cwd=tmp_path, setup=_AS_TORCH).stdout
    assert ours == theirs
    assert 'from_numpy shares memory' in ours


def test_linear_regression_matches_least_squares(tmp_path):
    out = run('linear_regression.py', '--quick', cwd=tmp_path).stdout
    # each of the three ways asserts its own agreement with the closed form; check they ran
    for way in ('1. NumPy', '2. autograd', '3. nn.Linear'):
        assert way in out
    if importlib.util.find_spec('sklearn') is not None:
        assert 'sklearn LinearRegression' in out


def test_custom_dataset_with_workers(tmp_path):
    out = run('custom_dataset.py', '--quick', '--workers', '2', cwd=tmp_path).stdout
    assert 'one batch: features (32, 2) torch.float32, labels (32,) torch.int64' in out
    assert 'validation accuracy' in out


def _write_idx(path, array):
    code = {1: 0x0801, 3: 0x0803}[array.ndim]   # unsigned bytes, 1-d or 3-d
    with open(path, 'wb') as f:
        f.write(code.to_bytes(4, 'big'))
        for d in array.shape:
            f.write(int(d).to_bytes(4, 'big'))
        f.write(array.astype(np.uint8).tobytes())


def _tiny_mnist(root, n_train=64, n_test=32):
    """MNIST's four IDX files with a few images: label k lights up rows 2k..2k+5."""
    raw = os.path.join(root, 'MNIST', 'raw')
    os.makedirs(raw)
    rng = np.random.default_rng(0)
    for split, n in (('train', n_train), ('t10k', n_test)):
        labels = rng.integers(0, 10, n)
        images = rng.integers(0, 40, (n, 28, 28))
        for i, k in enumerate(labels):
            images[i, 2 * k:2 * k + 6, 4:24] = 255
        _write_idx(os.path.join(raw, f'{split}-images-idx3-ubyte'), images)
        _write_idx(os.path.join(raw, f'{split}-labels-idx1-ubyte'), labels)


def test_mnist_cnn_on_tiny_idx_data(tmp_path):
    needs('PIL')
    _tiny_mnist(str(tmp_path / 'data'))
    out = run('mnist_cnn.py', '--data', str(tmp_path / 'data'), '--quick', cwd=tmp_path).stdout
    assert '64 training and 32 test images of MNIST, on cpu' in out
    assert 'epoch 1: test loss' in out


def test_mnist_cnn_says_how_to_get_the_data(tmp_path):
    needs('PIL')
    proc = run('mnist_cnn.py', '--data', str(tmp_path / 'none'), '--quick', cwd=tmp_path,
               check=False)
    assert proc.returncode == 1
    assert 'Dataset not found' in proc.stderr
    assert '--download' in proc.stderr and 'train-images-idx3-ubyte' in proc.stderr


@pytest.mark.parametrize('name', ['char_lstm.py', 'char_transformer.py'])
def test_char_language_models(tmp_path, name):
    out = run(name, '--quick', cwd=tmp_path).stdout
    assert 'vocabulary of' in out and 'step   10  loss' in out
    sample = out.split('--- sample ---\n')[1]
    assert sample.startswith('Beautiful is')
    assert len(sample.rstrip('\n')) == len('Beautiful is') + 40


def test_vae(tmp_path):
    needs('sklearn', 'matplotlib')
    out = run('vae.py', '--quick', '--out', 'pics', cwd=tmp_path).stdout
    assert 'held-out loss' in out
    assert (tmp_path / 'pics' / 'vae_digits.png').stat().st_size > 0


def test_quickstart_outputs(tmp_path):
    needs('sklearn', 'tqdm', 'matplotlib')
    proc = run('quickstart.py', '--quick', '--out', 'qs', cwd=tmp_path)
    out = proc.stdout
    assert 'training' in proc.stderr        # the tqdm bar, with loss and accuracy
    assert 'loss=' in proc.stderr and 'acc=' in proc.stderr
    assert 'checkpoint: qs/digits_mlp.pt' in out and 'plot: qs/training.png' in out
    ckpt = flambeau.load(str(tmp_path / 'qs' / 'digits_mlp.pt'))
    assert ckpt['epochs'] == 2 and set(ckpt) == {'model', 'optimizer', 'epochs', 'test_acc'}
    assert ckpt['model']['0.weight'].shape == (128, 64)
    with open(tmp_path / 'qs' / 'training.png', 'rb') as f:
        assert f.read(8) == b'\x89PNG\r\n\x1a\n'
    if importlib.util.find_spec('graphviz') is not None:
        assert 'graph: qs/graph.' in out
        assert 'AddmmBackward0' in (tmp_path / 'qs' / 'graph.dot').read_text()


def test_quickstart_reaches_pytorch_accuracy(tmp_path):
    """The whole run (40 epochs), on flambeau and on PyTorch: held-out accuracies within a
    point. (Random streams differ between the two, so the numbers are not identical.)"""
    needs('sklearn', 'tqdm', 'matplotlib')
    ours = held_out_accuracy(run('quickstart.py', '--out', 'a', cwd=tmp_path).stdout)
    theirs = held_out_accuracy(run('quickstart.py', '--framework', 'torch', '--out', 'b',
                                   cwd=tmp_path).stdout)
    assert ours > 95.0
    assert abs(ours - theirs) <= 1.0, (ours, theirs)


def test_device_switch_on_cuda_stand_in(tmp_path):
    """``--device cuda`` moves model and data to the GPU; here the strict test stand-in for
    ``cuda`` (NumPy underneath, refusing host NumPy calls on its arrays) runs the same code
    path."""
    needs('sklearn', 'tqdm', 'matplotlib')
    out = run('quickstart.py', '--quick', '--device', 'cuda', '--out', 'qs', cwd=tmp_path,
              setup=_FAKE_CUDA).stdout
    assert 'on cuda' in out and 'held-out accuracy' in out


@pytest.mark.parametrize('name,marker', [('char_lstm.py', '--- sample ---'),
                                         ('char_transformer.py', '--- sample ---'),
                                         ('vae.py', 'picture:')])
def test_more_examples_on_cuda_stand_in(tmp_path, name, marker):
    if name == 'vae.py':
        needs('sklearn', 'matplotlib')
    out = run(name, '--quick', '--device', 'cuda', cwd=tmp_path, setup=_FAKE_CUDA).stdout
    assert marker in out


@pytest.mark.skipif(not flambeau.cuda.is_available(), reason='no GPU (CuPy) here')
def test_device_switch_on_a_real_gpu(tmp_path):
    needs('sklearn', 'tqdm', 'matplotlib')
    out = run('quickstart.py', '--quick', '--device', 'cuda', '--out', 'qs', cwd=tmp_path).stdout
    assert 'on cuda' in out


def test_distributed_digits_on_two_ranks(tmp_path):
    """The data-parallel example under the launcher (mpirun underneath): both ranks train,
    rank 0 evaluates and saves."""
    needs('sklearn', 'mpi4py')
    import shutil
    if shutil.which('mpirun') is None:
        pytest.skip('needs mpirun (apt-get install openmpi-bin libopenmpi-dev)')
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get('PYTHONPATH', ''),
               OMPI_MCA_btl_vader_single_copy_mechanism='none')
    proc = subprocess.run([sys.executable, '-m', 'flambeau.distributed.run', '--nproc-per-node',
                           '2', os.path.join(EXAMPLES, 'distributed_digits.py'), '--quick'],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert '2 ranks: held-out accuracy' in proc.stdout
    assert (tmp_path / 'distributed_out' / 'digits_ddp.pt').exists()
