"""Every op of ``op_registry.OPS`` against PyTorch: forward values, shapes, dtypes and aliasing
(all forms, all dtypes), unsupported dtypes, gradients and ``grad_fn`` names, float64
gradcheck and gradgradcheck, in-place forms (also through a view), ``out=``, and error inputs.
Then type promotion of the binary ops over the full dtype table.

Each check runs the same lambda on ``torch`` and on ``flambeau`` over the same NumPy inputs.

Devices: every registry test is parametrized by the device flambeau's inputs are made on.
``cpu`` always runs, with the test ids it has always had. ``cuda`` runs only when
``flambeau.cuda.is_available()`` with the real CuPy backend; its ids end in ``-cuda``
(``test_forward[exp-fn-float32-cuda]``). There flambeau's inputs are made on the GPU, its
results are compared on the host against torch on the CPU, with tolerances widened to
``CUDA_TOL`` / ``CUDA_GRAD_TOL`` (GPU math libraries and reduction orders differ from the
CPU's by a few ulp), and bfloat16 cases are skipped where the backend has no bfloat16 arrays.
``FLAMBEAU_TEST_DEVICES`` (comma-separated, default ``cpu,cuda``) narrows the devices:
``FLAMBEAU_TEST_DEVICES=cuda`` runs only the GPU cases; ``FLAMBEAU_TEST_DEVICES=cpu,fake_cuda``
runs the ``cuda`` cases on the test stand-in of fake_cuda.py (NumPy underneath) when no GPU
is there, to check the device plumbing of these tests on a CPU machine;
``FLAMBEAU_TEST_DEVICES=cpu,strict_cuda`` runs them on its strict variant, whose device arrays
refuse NumPy functions (``np.exp(a)`` instead of ``xp.exp(a)``) and host operands (``a + host``)
as CuPy would (see the Note in fake_cuda.py): the way to find GPU-only failures without a GPU.
"""
import itertools
import os
import re
import warnings

import numpy as np
import pytest

torch = pytest.importorskip('torch')

import flambeau  # noqa: E402
from op_registry import (ALL, FLOATS, OPS, DEFAULT_GRAD_TOL, DEFAULT_TOL, Maker,  # noqa: E402
                         _ModuleAttr, np_dtype, takes_kwargs)

torch.set_num_threads(1)
GRADCHECK_MAX_NUMEL = 40
GRADGRAD_MAX_NUMEL = 16
GRADGRAD_MAX_SAMPLES = 4

# on cuda: at least these (rtol, atol), over the CPU tables and an op's own overrides
CUDA_TOL = {'float16': (5e-3, 2e-3), 'bfloat16': (1.6e-2, 1e-2), 'float32': (1e-5, 1e-5),
            'float64': (1e-7, 1e-7)}
CUDA_GRAD_TOL = {'float16': (2e-2, 2e-2), 'bfloat16': (5e-2, 5e-2), 'float32': (5e-5, 5e-5),
                 'float64': (1e-7, 1e-7)}


def _real_cuda():
    """Whether ``cuda`` is served by the real CuPy backend (not the test stand-in)."""
    if not flambeau.cuda.is_available():
        return False
    from flambeau.backend import get_backend
    from flambeau.backend.cupy_backend import CupyBackend
    return isinstance(get_backend('cuda'), CupyBackend)


def _test_devices():
    wanted = os.environ.get('FLAMBEAU_TEST_DEVICES', 'cpu,cuda').replace(' ', '').split(',')
    devices = ['cpu'] if 'cpu' in wanted else []
    real = _real_cuda()
    stand_in = None if real else next((s for s in ('strict_cuda', 'fake_cuda') if s in wanted),
                                      None)
    if ('cuda' in wanted and real) or stand_in:
        devices.append('cuda')
    return devices, stand_in


DEVICES, FAKE_CUDA = _test_devices()  # FAKE_CUDA: the stand-in's fixture name, or None


@pytest.fixture(autouse=True)
def _cuda_stand_in(request):
    """With ``FLAMBEAU_TEST_DEVICES=...fake_cuda`` (or ``strict_cuda``), a ``cuda`` case runs
    on that stand-in."""
    spec = getattr(request.node, 'callspec', None)
    if FAKE_CUDA and spec is not None and spec.params.get('device') == 'cuda':
        request.getfixturevalue(FAKE_CUDA)
    yield


def _skip_dtype(device, dtype):
    """Skip a case whose dtype the device's backend cannot hold (bfloat16 on CuPy)."""
    if device != 'cpu' and dtype == 'bfloat16':
        b = flambeau.backend.get_backend('cuda')
        if not getattr(b, 'supports_bfloat16', False):
            pytest.skip(f'{type(b).__name__} has no bfloat16 arrays')


# -- building inputs ---------------------------------------------------------------------------
def _host_copy(a):
    """A C-contiguous private copy of ``a`` (or of its transpose if ``a`` is non-contiguous)
    and whether the tensor must be permuted back."""
    nc = a.ndim >= 2 and not a.flags.c_contiguous
    return (a.T if nc else a).copy(order='C'), nc


def _tensor(m, a, device='cpu'):
    if m is torch:
        if a.dtype == np_dtype('bfloat16'):
            return torch.from_numpy(a.view(np.int16)).view(torch.bfloat16)
        return torch.from_numpy(a)
    return flambeau.tensor(a) if device == 'cpu' else flambeau.tensor(a, device=device)


def _is_float(a):
    return a.dtype.name in FLOATS


class Inputs:
    """A sample's arguments as tensors of module ``m`` (flambeau's on ``device``). ``leaves``:
    the tensors that require grad (the contiguous bases of non-contiguous inputs); ``tensors``:
    the tensor arguments as the op sees them."""

    def __init__(self, m, sample, grad, leaves=None, device='cpu'):
        self.m = m
        self.device = device
        self.given = list(leaves) if leaves is not None else None
        self.leaves, self.tensors = [], []
        grad_pos = grad if isinstance(grad, tuple) else None
        self.args = tuple(self._conv(a, grad is True or (grad_pos is not None and i in grad_pos))
                          for i, a in enumerate(sample.args))
        self.kwargs = {k: self._conv(v, grad is True) for k, v in sample.kwargs.items()}

    def _conv(self, a, grad):
        m = self.m
        if isinstance(a, np.ndarray):
            base, nc = _host_copy(a)
            if grad and _is_float(a):
                t = self.given.pop(0) if self.given is not None else \
                    _tensor(m, base, self.device).requires_grad_(True)
                self.leaves.append(t)
            else:
                t = _tensor(m, base, self.device)
            if nc:
                t = t.permute(*range(a.ndim - 1, -1, -1))
            self.tensors.append(t)
            return t
        if isinstance(a, _ModuleAttr):
            return getattr(m, a.name)
        if isinstance(a, list):
            return [self._conv(x, grad) for x in a]
        if isinstance(a, tuple):
            return tuple(self._conv(x, grad) for x in a)
        return a


def to_torch(f):
    """A flambeau tensor's values as a torch tensor."""
    a = np.array(f._host(), order='C', copy=True)
    if a.dtype == np_dtype('bfloat16'):
        return torch.from_numpy(a.view(np.int16)).view(torch.bfloat16)
    return torch.from_numpy(a)


def from_array(m, a, device='cpu'):
    return _tensor(m, _host_copy(a)[0], device)


# -- comparing -----------------------------------------------------------------------------------
def _tol(table, overrides, dtype, device='cpu'):
    name = str(dtype).removeprefix('torch.')
    rtol, atol = overrides.get(name) or table.get(name) or (0, 0)
    if device != 'cpu':
        wide = (CUDA_GRAD_TOL if table is DEFAULT_GRAD_TOL else CUDA_TOL).get(name, (0, 0))
        rtol, atol = max(rtol, wide[0]), max(atol, wide[1])
    return rtol, atol


def assert_match(f, t, tol, where):
    """flambeau result ``f`` equals torch result ``t``: same structure, shapes, dtypes and
    values within ``tol(dtype) -> (rtol, atol)``."""
    if isinstance(t, torch.Tensor):
        assert isinstance(f, flambeau.Tensor), f'{where}: expected a Tensor, got {type(f)}'
        assert tuple(f.shape) == tuple(t.shape), \
            f'{where}: shape {tuple(f.shape)} != {tuple(t.shape)}'
        assert repr(f.dtype) == repr(t.dtype), f'{where}: dtype {f.dtype} != {t.dtype}'
        rtol, atol = tol(t.dtype)
        torch.testing.assert_close(to_torch(f), t.detach(), rtol=rtol, atol=atol, equal_nan=True,
                                   check_stride=False, msg=lambda m: f'{where}: {m}')
    elif isinstance(t, (tuple, list)):
        assert type(f).__name__ == type(t).__name__, \
            f'{where}: {type(f).__name__} != {type(t).__name__}'
        assert len(f) == len(t), f'{where}: {len(f)} outputs != {len(t)}'
        for i, (a, b) in enumerate(zip(f, t)):
            assert_match(a, b, tol, f'{where}[{i}]')
        if hasattr(t, 'values') and hasattr(t, 'indices'):  # torch.return_types
            assert f.values is f[0] and f.indices is f[1]
    else:
        assert type(f) is type(t) and f == t, f'{where}: {f!r} != {t!r}'


def tensors_of(out):
    if isinstance(out, (tuple, list)):
        return [o for x in out for o in tensors_of(x)]
    return [out] if isinstance(out, (torch.Tensor, flambeau.Tensor)) else []


def _shares(a, b):
    if isinstance(a, torch.Tensor):
        return (a.numel() > 0 and b.numel() > 0 and
                a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr())
    return a.numel() > 0 and b.numel() > 0 and \
        a._device._backend.xp.may_share_memory(a._data, b._data)


def assert_same_aliasing(fout, tout, fin, tin, where):
    """An output is the input itself, or shares its memory (a view), exactly when in torch."""
    for i, (fo, to) in enumerate(zip(tensors_of(fout), tensors_of(tout))):
        for j, (fi, ti) in enumerate(zip(fin.tensors, tin.tensors)):
            assert (fo is fi) == (to is ti), \
                f'{where}: output {i} is input {j}: {to is ti} in torch'
            assert _shares(fo, fi) == _shares(to, ti), \
                f'{where}: output {i} shares memory with input {j}: {_shares(to, ti)} in torch'


def grad_fn_name(t):
    fn = t.grad_fn
    if fn is None:
        return None
    return fn.name().rsplit('::', 1)[-1]  # as repr shows it (torch::autograd::CopySlices)


def assert_raises_like(fn, exc_type, where, match=None):
    """``fn()`` raises exactly ``exc_type`` (with ``match`` in the message, if given)."""
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        assert type(e) is exc_type, f'{where}: raised {type(e).__name__}({e}), torch raised ' \
                                    f'{exc_type.__name__}'
        if match is not None:
            assert match in str(e), f'{where}: message {str(e)!r} lacks {match!r}'
        return
    pytest.fail(f'{where}: did not raise; torch raised {exc_type.__name__}')


def run_both(fn, tin, fin, where, must_succeed):
    """Run ``fn`` on both; returns (torch result, flambeau result), or None when torch raised
    (then flambeau must raise the same exception type)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            tout = fn(torch, *tin.args, **tin.kwargs)
    except Exception as e:  # noqa: BLE001
        if must_succeed:
            pytest.fail(f'{where}: registry error, torch raised {type(e).__name__}: {e}')
        assert_raises_like(lambda: fn(flambeau, *fin.args, **fin.kwargs), type(e), where)
        return None
    fout = fn(flambeau, *fin.args, **fin.kwargs)
    return tout, fout


# -- parametrization -----------------------------------------------------------------------------
def _cases(select):
    """``select(op)``'s cases on each device of ``DEVICES`` (cpu ids as they always were)."""
    return [pytest.param(*c, dev, id='-'.join(map(str, c)) + ('' if dev == 'cpu' else f'-{dev}'))
            for dev in DEVICES for op in OPS for c in select(op)]


FORWARD = _cases(lambda op: [(op, form, d) for form in op.forms for d in op.dtypes])
UNSUPPORTED = _cases(lambda op: [(op, d) for d in ALL if d not in op.dtypes])
GRAD = _cases(lambda op: [(op, form, d) for form in op.forms for d in op.grad_dtypes])
GRADCHECK = _cases(lambda op: [(op,)] if op.gradcheck else [])
GRADGRAD = _cases(lambda op: [(op,)] if op.gradgrad else [])
INPLACE = _cases(lambda op: [(op, f, d) for f in op.inplace_forms for d in op.dtypes])
INPLACE_GRAD = _cases(lambda op: [(op, f, d) for f in op.inplace_forms for d in op.grad_dtypes])
OUT = _cases(lambda op: [(op, d) for d in op.dtypes] if op.out else [])
ERRORS = _cases(lambda op: [(op,)] if op.errors or op.broadcast else [])


def _samples(op, form, dtype):
    fn = op.forms[form]
    kw = takes_kwargs(fn)
    return [(i, s) for i, s in enumerate(op.sample_list(dtype)) if kw or not s.kwargs]


# -- forward -------------------------------------------------------------------------------------
@pytest.mark.parametrize('op,form,dtype,device', FORWARD)
def test_forward(op, form, dtype, device):
    _skip_dtype(device, dtype)
    fn = op.forms[form]
    tol = lambda d: _tol(DEFAULT_TOL, op.tol, d, device)  # noqa: E731
    for i, sample in _samples(op, form, dtype):
        where = f'{op.name}[{form}] {dtype} sample {i} {sample}'
        tin, fin = Inputs(torch, sample, False), Inputs(flambeau, sample, False, device=device)
        res = run_both(fn, tin, fin, where, must_succeed=form == 'fn')
        if res is None:
            continue
        tout, fout = res
        assert_match(fout, tout, tol, where)
        if device == 'cpu' or all(fo.device.type == device for fo in tensors_of(fout)):
            assert_same_aliasing(fout, tout, fin, tin, where)
        for fo in tensors_of(fout):
            assert fo.grad_fn is None and not fo.requires_grad, where
            if form == 'fn' and fin.tensors:  # (some variants make their own CPU tensors)
                assert fo.device.type == device, f'{where}: result on {fo.device}'


@pytest.mark.parametrize('op,dtype,device', UNSUPPORTED)
def test_unsupported_dtype(op, dtype, device):
    """Where PyTorch rejects a dtype, flambeau raises the same exception type."""
    _skip_dtype(device, dtype)
    raised = 0
    for i, sample in enumerate(op.sample_list(dtype)):
        where = f'{op.name} {dtype} sample {i} {sample}'
        tin, fin = Inputs(torch, sample, False), Inputs(flambeau, sample, False, device=device)
        res = run_both(op.op, tin, fin, where, must_succeed=False)
        if res is None:
            raised += 1
        else:
            assert_match(res[1], res[0], lambda d: _tol(DEFAULT_TOL, op.tol, d, device), where)
    assert raised, f'registry error: torch supports {op.name} on {dtype}; add it to dtypes'


# -- gradients -----------------------------------------------------------------------------------
def _upstream(touts, seed):
    """Random upstream gradients (the same arrays for both frameworks) for the outputs that
    require grad."""
    arrays = []
    for k, o in enumerate(touts):
        name = str(o.dtype).removeprefix('torch.')
        arrays.append(Maker(name, seed + k)(tuple(o.shape)))
    return arrays


def compare_grads(fouts, touts, fin, tin, gtol, where):
    """Output flags and ``grad_fn`` names, then the gradients of every leaf for the same
    upstream gradient (made on ``fin``'s device for flambeau)."""
    for k, (fo, to) in enumerate(zip(fouts, touts)):
        assert fo.requires_grad == to.requires_grad, \
            f'{where}: output {k} requires_grad {fo.requires_grad} != {to.requires_grad}'
        # PyTorch picks oneDNN (Mkldnn*Backward) kernels for some dtypes on CPUs that have
        # them (bfloat16 LSTM with AVX-512): a node name that depends on the machine
        assert grad_fn_name(fo) == grad_fn_name(to) or \
            (grad_fn_name(to) or '').startswith('Mkldnn'), \
            f'{where}: output {k} grad_fn {grad_fn_name(fo)} != {grad_fn_name(to)}'
    pairs = [(fo, to) for fo, to in zip(fouts, touts) if to.requires_grad]
    if not pairs:
        return
    ups = _upstream([to for _, to in pairs], 7)
    t_up = [from_array(torch, a) for a in ups]
    f_up = [from_array(flambeau, a, fin.device) for a in ups]
    try:
        tg = torch.autograd.grad([to for _, to in pairs], tin.leaves, t_up, allow_unused=True)
    except Exception as e:  # noqa: BLE001
        assert_raises_like(lambda: flambeau.autograd.grad([fo for fo, _ in pairs], fin.leaves, f_up,
                                                          allow_unused=True), type(e), where)
        return
    fg = flambeau.autograd.grad([fo for fo, _ in pairs], fin.leaves, f_up, allow_unused=True)
    for k, (a, b) in enumerate(zip(fg, tg)):
        if b is None:
            assert a is None, f'{where}: grad of input {k} is None in torch'
            continue
        assert a is not None, f'{where}: grad of input {k} is None, torch has one'
        assert not a.requires_grad, f'{where}: grad of input {k} requires grad'
        assert a.device == fin.leaves[k].device, f'{where}: grad of input {k} on {a.device}'
        assert_match(a, b, lambda d: _tol(DEFAULT_GRAD_TOL, gtol, d, fin.device),
                     f'{where} grad {k}')


@pytest.mark.parametrize('op,form,dtype,device', GRAD)
def test_grad(op, form, dtype, device):
    _skip_dtype(device, dtype)
    fn = op.forms[form]
    for i, sample in _samples(op, form, dtype):
        if sample.grad is False:
            continue
        where = f'{op.name}[{form}] {dtype} sample {i} {sample}'
        tin = Inputs(torch, sample, sample.grad)
        fin = Inputs(flambeau, sample, sample.grad, device=device)
        if not tin.leaves:
            continue
        res = run_both(fn, tin, fin, where, must_succeed=form == 'fn')
        if res is None:
            continue
        tout, fout = res
        assert_match(fout, tout, lambda d: _tol(DEFAULT_TOL, op.tol, d, device), where)
        compare_grads(tensors_of(fout), tensors_of(tout), fin, tin, op.grad_tol, where)


def _gradcheck_inputs(op, max_numel, max_samples=None, device='cpu'):
    out = []
    for i, sample in enumerate(op.sample_list('float64')):
        if not sample.gradcheck or sample.grad is False:
            continue
        fin = Inputs(flambeau, sample, sample.grad, device=device)
        if not fin.leaves or sum(t.numel() for t in fin.leaves) > max_numel:
            continue
        out.append((i, sample, fin))
    return out[:max_samples]


def _as_function(op, sample, device='cpu'):
    def f(*leaves):
        fin = Inputs(flambeau, sample, sample.grad, leaves, device)
        return op.op(flambeau, *fin.args, **fin.kwargs)
    return f


@pytest.mark.parametrize('op,device', GRADCHECK)
def test_gradcheck(op, device):
    cases = _gradcheck_inputs(op, GRADCHECK_MAX_NUMEL, device=device)
    assert cases, f'{op.name}: no sample for gradcheck'
    for i, sample, fin in cases:
        assert flambeau.autograd.gradcheck(_as_function(op, sample, device), tuple(fin.leaves)), \
            f'{op.name} sample {i} {sample}'


@pytest.mark.parametrize('op,device', GRADGRAD)
def test_gradgradcheck(op, device):
    cases = _gradcheck_inputs(op, GRADGRAD_MAX_NUMEL, GRADGRAD_MAX_SAMPLES, device)
    assert cases, f'{op.name}: no sample for gradgradcheck'
    flambeau.manual_seed(0)
    for i, sample, fin in cases:
        assert flambeau.autograd.gradgradcheck(_as_function(op, sample, device),
                                               tuple(fin.leaves)), \
            f'{op.name} sample {i} {sample}'


# -- in-place and out= ---------------------------------------------------------------------------
def _inplace_samples(op, dtype, form='method'):
    kw = takes_kwargs(op.inplace_forms[form])
    return [(i, s) for i, s in enumerate(op.sample_list(dtype))
            if isinstance(s.args[0], np.ndarray) and (kw or not s.kwargs)]


@pytest.mark.parametrize('op,form,dtype,device', INPLACE)
def test_inplace(op, form, dtype, device):
    """``x.op_(...)`` returns ``x`` holding ``op(x, ...)``, and writes through a view into its
    base; where torch refuses (result dtype or shape), flambeau raises the same type."""
    _skip_dtype(device, dtype)
    tol = lambda d: _tol(DEFAULT_TOL, op.tol, d, device)  # noqa: E731
    inplace = op.inplace_forms[form]
    for i, sample in _inplace_samples(op, dtype, form):
        where = f'{op.name}_[{form}] {dtype} sample {i} {sample}'
        tin, fin = Inputs(torch, sample, False), Inputs(flambeau, sample, False, device=device)
        res = run_both(inplace, tin, fin, where, must_succeed=False)
        if res is None:
            continue
        tout, fout = res
        assert tout is tin.args[0] and fout is fin.args[0], f'{where}: not returned self'
        assert_match(fout, tout, tol, where)
        assert fout._version == tout._version, f'{where}: version {fout._version}'
        # through a view: base[1] is x; the base sees the write
        tin, fin = Inputs(torch, sample, False), Inputs(flambeau, sample, False, device=device)
        bases = [m.stack([inp.args[0], inp.args[0]]) for m, inp in ((torch, tin), (flambeau, fin))]
        fn = lambda m, x, *a, **k: inplace(m, x[1], *a, **k)  # noqa: E731
        tin.args, fin.args = (bases[0],) + tin.args[1:], (bases[1],) + fin.args[1:]
        if run_both(fn, tin, fin, where + ' (view)', must_succeed=False) is not None:
            assert_match(bases[1], bases[0], tol, where + ' (view)')


@pytest.mark.parametrize('op,form,dtype,device', INPLACE_GRAD)
def test_inplace_grad(op, form, dtype, device):
    """In-place on a non-leaf (a clone of the inputs) and on a view of one: values, grad_fn
    names (``CopySlices`` for the base) and gradients of every leaf."""
    _skip_dtype(device, dtype)
    inplace = op.inplace_forms[form]
    for i, sample in _inplace_samples(op, dtype, form):
        if sample.grad is False:
            continue
        for via_view in (False, True):
            where = f'{op.name}_[{form}] {dtype} sample {i} {sample}' + \
                (' via view' if via_view else '')
            tin = Inputs(torch, sample, sample.grad)
            fin = Inputs(flambeau, sample, sample.grad, device=device)
            if not tin.leaves:
                continue

            def fn(m, x, *a, **k):
                if via_view:
                    base = m.stack([x, x]) * 1
                    inplace(m, base[1], *a, **k)
                    return base
                y = x.clone()
                r = inplace(m, y, *a, **k)
                assert r is y
                return r
            res = run_both(fn, tin, fin, where, must_succeed=False)
            if res is None:
                continue
            tout, fout = res
            assert_match(fout, tout, lambda d: _tol(DEFAULT_TOL, op.tol, d, device), where)
            compare_grads([fout], [tout], fin, tin, op.grad_tol, where)


@pytest.mark.parametrize('op,device',
                         _cases(lambda op: [(op,)] if op.inplace and op.grad else []))
def test_inplace_on_leaf_raises(op, device):
    sample = _inplace_samples(op, 'float32')[0][1]
    where = f'{op.name}_ {sample}'
    msg = 'a leaf Variable that requires grad is being used in an in-place operation.'
    tin, fin = Inputs(torch, sample, True), Inputs(flambeau, sample, True, device=device)
    if not tin.args[0].requires_grad:
        pytest.skip('first input is not a float tensor')
    with pytest.raises(RuntimeError, match='a leaf Variable'):
        op.inplace(torch, *tin.args, **tin.kwargs)
    assert_raises_like(lambda: op.inplace(flambeau, *fin.args, **fin.kwargs), RuntimeError, where,
                       msg)
    with torch.no_grad():  # allowed under no_grad
        tout = op.inplace(torch, *tin.args, **tin.kwargs)
    with flambeau.no_grad():
        fout = op.inplace(flambeau, *fin.args, **fin.kwargs)
    assert fout is fin.args[0] and fout.requires_grad and fout.grad_fn is None
    assert_match(fout, tout, lambda d: _tol(DEFAULT_TOL, op.tol, d, device), where)


def _empty_like(m, t, device='cpu'):
    """An empty tensor of ``m`` like torch tensor ``t`` (a tuple of them for a tuple), on
    ``device`` for flambeau."""
    if isinstance(t, tuple):
        return tuple(_empty_like(m, x, device) for x in t)
    dtype = getattr(m, str(t.dtype).removeprefix('torch.'))
    if m is torch or device == 'cpu':
        return m.empty(tuple(t.shape), dtype=dtype)
    return m.empty(tuple(t.shape), dtype=dtype, device=device)


def _returned(result, out):
    """Whether ``result`` is ``out`` (element by element for a tuple of outputs)."""
    if isinstance(out, tuple):
        return len(result) == len(out) and all(r is o for r, o in zip(result, out))
    return result is out


@pytest.mark.parametrize('op,dtype,device', OUT)
def test_out(op, dtype, device):
    """``op(..., out=o)``, with ``o`` of the result's shape and dtype, writes into ``o`` and
    returns it."""
    _skip_dtype(device, dtype)
    tol = lambda d: _tol(DEFAULT_TOL, op.tol, d, device)  # noqa: E731
    for i, sample in enumerate(op.sample_list(dtype)):
        where = f'{op.name}(out=) {dtype} sample {i} {sample}'
        tin, fin = Inputs(torch, sample, False), Inputs(flambeau, sample, False, device=device)
        expected = op.op(torch, *tin.args, **tin.kwargs)
        t_o, f_o = _empty_like(torch, expected), _empty_like(flambeau, expected, device)
        try:
            with warnings.catch_warnings():  # torch's matmul(1-d, 2-d, out=) warns on a resize
                warnings.simplefilter('ignore')
                tout = op.op(torch, *tin.args, out=t_o, **tin.kwargs)
        except TypeError:
            continue  # a signature without out= (torch.sum(x, out=o) needs a dim)
        fout = op.op(flambeau, *fin.args, out=f_o, **fin.kwargs)
        assert _returned(tout, t_o) and _returned(fout, f_o), f'{where}: out= not returned'
        assert_match(f_o, t_o, tol, where)


# torch's own exception classes and the flambeau classes that stand for them
_FLAMBEAU_EXC = {torch.linalg.LinAlgError: flambeau.linalg.LinAlgError}


def _on_cuda(message):
    """Torch's CPU message as its CUDA build words it (``torch.FloatTensor`` ->
    ``torch.cuda.FloatTensor``)."""
    return re.sub(r'\btorch\.(\w+Tensor)\b', r'torch.cuda.\1', message)


@pytest.mark.parametrize('op,device', ERRORS)
def test_errors(op, device):
    """Each error input raises the exception type torch raises, and both messages hold the
    key part (so it names the shapes or dtypes)."""
    for err in op.error_inputs():
        where = f'{op.name} {err}'
        fn = err.op or op.op
        tin = Inputs(torch, err.sample, False)
        fin = Inputs(flambeau, err.sample, False, device=device)
        with pytest.raises(err.exc) as info:
            fn(torch, *tin.args, **tin.kwargs)
        assert type(info.value) is err.exc, f'{where}: torch raised {type(info.value).__name__}'
        assert err.match in str(info.value), f'{where}: torch says {str(info.value)!r}'
        match = err.match if device == 'cpu' else _on_cuda(err.match)
        assert_raises_like(lambda: fn(flambeau, *fin.args, **fin.kwargs),
                           _FLAMBEAU_EXC.get(err.exc, err.exc), where, match)


# -- type promotion ------------------------------------------------------------------------------
PROMOTION_OPS = {
    'add': lambda m, a, b: a + b, 'sub': lambda m, a, b: a - b, 'mul': lambda m, a, b: a * b,
    'div': lambda m, a, b: a / b, 'floor_divide': lambda m, a, b: a // b,
    'remainder': lambda m, a, b: a % b, 'pow': lambda m, a, b: a ** b,
    'eq': lambda m, a, b: a == b, 'lt': lambda m, a, b: a < b,
    'bitwise_or': lambda m, a, b: a | b, 'add_alpha': lambda m, a, b: m.add(a, b, alpha=2),
    'where': lambda m, a, b: m.where(m.tensor([True, False, True]), a, b),
    'maximum': lambda m, a, b: m.maximum(a, b), 'clamp': lambda m, a, b: m.clamp(a, max=b),
    'cat': lambda m, a, b: m.cat([a.reshape(-1), b.reshape(-1)]),
}
TENSOR_ONLY = {'maximum', 'cat'}
KINDS = {'tensor-tensor': ((3,), (3,)), 'tensor-0d': ((3,), ()), '0d-tensor': ((), (3,)),
         '0d-0d': ((), ())}
SCALARS = [True, 2, -1, 300, 2.5, -0.5]


def _promo_tensor(m, values, dtype, shape):
    a = np.array(values, dtype=np.float64).astype(np_dtype(dtype))
    return _tensor(m, np.array(a[0]) if shape == () else a)


def _agree(fn, targs, fargs, where):
    """Same exception type, or the same dtype and values."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            t = fn(torch, *targs)
    except Exception as e:  # noqa: BLE001
        assert_raises_like(lambda: fn(flambeau, *fargs), type(e), where)
        return
    f = fn(flambeau, *fargs)
    assert_match(f, t, lambda d: _tol(DEFAULT_TOL, {}, d), where)


@pytest.mark.parametrize('op', PROMOTION_OPS)
@pytest.mark.parametrize('kind', KINDS)
def test_promotion_tensors(op, kind):
    """Every dtype pair, as tensors and 0-d tensors: PyTorch's result dtype (0-d tensors weigh
    less than dimensioned ones of the same category) and values."""
    fn = PROMOTION_OPS[op]
    sa, sb = KINDS[kind]
    for da, db in itertools.product(ALL, ALL):
        args = {m: (_promo_tensor(m, [2, 0, 1], da, sa), _promo_tensor(m, [3, 1, 2], db, sb))
                for m in (torch, flambeau)}
        _agree(fn, args[torch], args[flambeau], f'{op} {kind} {da} {db}')


@pytest.mark.parametrize('op', [o for o in PROMOTION_OPS if o not in TENSOR_ONLY])
def test_promotion_scalars(op):
    """Every dtype against Python bools, ints (also out of the dtype's range: they wrap) and
    floats, on either side and with 0-d tensors."""
    fn = PROMOTION_OPS[op]
    for dtype, shape, s in itertools.product(ALL, [(3,), ()], SCALARS):
        tf = {m: _promo_tensor(m, [2, 0, 1], dtype, shape) for m in (torch, flambeau)}
        where = f'{op} {dtype}{list(shape)} {s!r}'
        _agree(lambda m, a: fn(m, a, s), (tf[torch],), (tf[flambeau],), where)
        if op not in ('where', 'clamp', 'add_alpha'):
            _agree(lambda m, a: fn(m, s, a), (tf[torch],), (tf[flambeau],), f'{where} reflected')


def test_promotion_examples():
    """The cases users trip over, spelled out."""
    f = flambeau
    assert (f.tensor([250], dtype=f.uint8) + 300).tolist() == [38]  # wraps: (250 + 44) % 256
    assert (f.tensor([1], dtype=f.int32) + f.tensor([1.5])).dtype is f.float32
    assert (f.tensor([3]) / f.tensor([2])).dtype is f.float32
    assert (f.tensor([1.], dtype=f.float32) + f.tensor(2., dtype=f.float64)).dtype is f.float32
    assert (f.tensor([1], dtype=f.int8) + f.tensor(2, dtype=f.int64)).dtype is f.int8
    assert (f.tensor([1], dtype=f.int8) + f.tensor(2.5)).dtype is f.float32
    assert (f.tensor([True]) + 1).dtype is f.int64
    assert (f.tensor([1], dtype=f.uint8) + f.tensor([1], dtype=f.int8)).dtype is f.int16
    assert (f.tensor([1], dtype=f.float16) + f.tensor([1], dtype=f.bfloat16)).dtype is f.float32


@pytest.mark.parametrize('dtype', ['float16', 'bfloat16', 'float32', 'float64'])
@pytest.mark.parametrize('approximate', ['none', 'tanh'])
def test_gelu_of_infinity(dtype, approximate):
    """gelu(+inf) = +inf and gelu(-inf) = NaN (inf * 0) in every dtype, as PyTorch's float64
    kernel. (Its vectorised float32 and bfloat16 kernels give NaN at +inf too on AVX-512 CPUs
    only, so the registry samples leave +inf out.)"""
    x = flambeau.tensor([float('inf'), float('-inf')], dtype=getattr(flambeau, dtype))
    y = flambeau.nn.functional.gelu(x, approximate=approximate)
    expect = torch.nn.functional.gelu(torch.tensor([float('inf'), float('-inf')],
                                                   dtype=torch.float64), approximate=approximate)
    torch.testing.assert_close(torch.from_numpy(y.double().numpy()), expect, equal_nan=True)


def test_float32_gelu_over_a_dense_grid_matches_float64():
    """The exact GELU in float32 (Note [GELU's normal CDF in float32]) over 400K points of
    [-12, 12] (the cache-blocked path) against PyTorch's float64 GELU: within 2.5e-7 plus
    1.5e-7 relative (PyTorch's own float32 GELU is off by up to 1.2e-6), zero below -5.72 as
    PyTorch's float32 rounding gives; the gradient within the same bounds scaled by |g|."""
    x = np.linspace(-12, 12, 400_001, dtype=np.float32)
    g = np.cos(np.arange(x.size, dtype=np.float32))
    xt = flambeau.tensor(x, requires_grad=True)
    y = flambeau.nn.functional.gelu(xt)
    y.backward(flambeau.tensor(g))
    x64 = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y64 = torch.nn.functional.gelu(x64)
    y64.backward(torch.tensor(g, dtype=torch.float64))
    bound = 2.5e-7 + 1.5e-7 * np.abs(y64.detach().numpy())
    assert y.dtype is flambeau.float32
    yf = y.detach().numpy()
    assert np.all(np.abs(yf - y64.detach().numpy()) <= bound)
    assert np.all(yf[x < -5.72] == 0)
    dx = xt.grad.numpy()
    assert np.all(np.abs(dx - x64.grad.numpy()) <= 2.5e-7 + 1.5e-7 * np.abs(x64.grad.numpy()))
    big = np.array([3e19, -3e19, 1e30, -1e30, 3.4e38, -3.4e38], np.float32)  # x**2 overflows
    yb = flambeau.nn.functional.gelu(flambeau.tensor(big)).numpy()
    assert yb.tolist() == torch.nn.functional.gelu(torch.tensor(big, dtype=torch.float64)).tolist()


def test_float32_gelu_gradient_where_exp2_leaves_the_normal_range():
    """Blocks with |x| > 13.2 take the pdf by exp instead of NumPy's float32 exp2 (Note [GELU's
    derivative from the forward]): the gradient over [-40, 40] (blocks on both sides of the
    limit, and one block mixing them) is PyTorch's float64 gradient within 2.5e-7 plus 1.5e-7
    relative."""
    x = np.concatenate([np.linspace(-12, 12, 70_000), np.linspace(-40, 40, 200_001)]
                       ).astype(np.float32)
    g = np.cos(np.arange(x.size, dtype=np.float32))
    xt = flambeau.tensor(x, requires_grad=True)
    flambeau.nn.functional.gelu(xt).backward(flambeau.tensor(g))
    x64 = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    torch.nn.functional.gelu(x64).backward(torch.tensor(g, dtype=torch.float64))
    want = x64.grad.numpy()
    assert np.all(np.abs(xt.grad.numpy() - want) <= 2.5e-7 + 1.5e-7 * np.abs(want))


def test_float32_gelu_keeps_its_derivative_until_backward_is_done():
    """A float32 GELU that records a node keeps ``Phi + x pdf`` from its forward (Note [GELU's
    derivative from the forward]): reused by a retained second backward, released after the
    last; gradients as PyTorch's, and the same as a graph-recording backward's."""
    rng = np.random.default_rng(3)
    x = (rng.standard_normal((300, 500)) * 3).astype(np.float32)  # 150K: several blocks
    g = rng.standard_normal(x.shape).astype(np.float32)
    xt = flambeau.tensor(x, requires_grad=True)
    y = flambeau.nn.functional.gelu(xt)
    assert y.grad_fn.deriv is not None and y.grad_fn.deriv.shape == x.shape
    y.backward(flambeau.tensor(g), retain_graph=True)
    first = xt.grad.numpy().copy()
    y.backward(flambeau.tensor(g))
    assert y.grad_fn.deriv is None
    np.testing.assert_array_equal(xt.grad.numpy(), first * 2)
    tx = torch.tensor(x, requires_grad=True)
    torch.nn.functional.gelu(tx).backward(torch.tensor(g))
    np.testing.assert_allclose(first, tx.grad.numpy(), rtol=1e-6, atol=1e-6)
    xt2 = flambeau.tensor(x, requires_grad=True)
    gx, = flambeau.autograd.grad(flambeau.nn.functional.gelu(xt2), xt2, flambeau.tensor(g),
                                 create_graph=True)
    np.testing.assert_allclose(gx.detach().numpy(), first, rtol=1e-6, atol=1e-6)


def test_nodes_free_the_arrays_they_keep_once_backward_is_done():
    """The engine calls each node's ``release`` after its backward (unless ``retain_graph``):
    layer norm's x_hat and attention's probabilities go with the saved tensors."""
    x = flambeau.randn(4, 6, 8, requires_grad=True)
    w = flambeau.ones(8, requires_grad=True)
    y = flambeau.nn.functional.layer_norm(x, (8,), w, flambeau.zeros(8))
    a = flambeau.nn.functional.scaled_dot_product_attention(y, y, y)
    ln, attn = y.grad_fn, a.grad_fn
    assert ln.xhat is not None and attn.probs is not None
    a.sum().backward(retain_graph=True)
    assert ln.xhat is not None and attn.probs is not None
    a.sum().backward()
    assert ln.xhat is None and attn.probs is None


@pytest.mark.parametrize('dtype', ['float32', 'float64', 'int32', 'int64'])
def test_where_on_large_arrays_matches_torch_bit_for_bit(dtype):
    """``where`` over 40K elements (Note [Branch-free where]): an irregular mask, tensor and
    scalar operands, a broadcast operand; NaN, infinities and -0.0 kept as they are."""
    rng = np.random.default_rng(0)
    n = 40_000
    a = (rng.standard_normal(n) * 100).astype(dtype)
    b = (rng.standard_normal(n) * 100).astype(dtype)
    if dtype.startswith('float'):
        a[:6] = [np.nan, -np.inf, np.inf, -0.0, 0.0, 1e-45]
        b[:6] = [-0.0, np.nan, -np.inf, 0.0, -0.0, np.inf]
    c = rng.random(n) < 0.5
    c[:6] = [True, False, True, False, True, False]
    fc, tc = flambeau.tensor(c), torch.tensor(c)
    fa, fb, ta, tb = flambeau.tensor(a), flambeau.tensor(b), torch.tensor(a), torch.tensor(b)
    small = a[:200].reshape(200, 1)
    cases = [((fa, fb), (ta, tb)), ((0, fb), (0, tb)), ((fa, 0), (ta, 0)), ((-0.0, fb), (-0.0, tb)),
             ((3, fa), (3, ta))]
    for (x, y), (tx, ty) in cases:
        got = flambeau.where(fc, x, y).numpy()
        want = torch.where(tc, tx, ty).numpy()
        assert got.dtype == want.dtype and got.view(f'u{got.itemsize}').tolist() == \
            want.view(f'u{want.itemsize}').tolist()
    c2 = rng.random((200, 200)) < 0.5  # an operand broadcast against the condition
    got = flambeau.where(flambeau.tensor(c2), flambeau.tensor(small), 0).numpy()
    want = torch.where(torch.tensor(c2), torch.tensor(small), 0).numpy()
    assert got.view(f'u{got.itemsize}').tolist() == want.view(f'u{want.itemsize}').tolist()


@pytest.mark.parametrize('dtype', ['float32', 'float64', 'int32', 'int64'])
def test_relu_on_large_arrays_matches_torch_bit_for_bit(dtype):
    """relu over 100K elements (blocks against cached zeros): -0.0 and NaN pass unchanged, as in
    PyTorch's relu."""
    base = np.array([-0.0, 0.0, np.nan, -np.nan, -1.5, 1.5, np.inf, -np.inf, 1e-45, -1e-45])
    x = np.tile(base, 10_000)
    x = x.astype(dtype) if dtype.startswith('float') else \
        (np.nan_to_num(x, nan=7, posinf=5, neginf=-5) * 3).astype(dtype)
    got = flambeau.relu(flambeau.tensor(x)).numpy()
    want = torch.relu(torch.tensor(x)).numpy()
    assert got.dtype == want.dtype
    assert got.view(f'u{got.itemsize}').tolist() == want.view(f'u{want.itemsize}').tolist()


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('grad_layout', ['contiguous', 'broadcast', 'transposed'])
def test_relu_gradient_on_large_arrays_matches_torch_bit_for_bit(dtype, grad_layout):
    """relu's gradient over 100K elements (the mask from the output's bits): zero at +-0 outputs
    whatever the gradient (inf, NaN, -0.0 included), passed unchanged elsewhere, NaN outputs
    of either sign included."""
    base = np.array([-0.0, 0.0, np.nan, -np.nan, -1.5, 1.5, np.inf, -np.inf, 1e-45, -1e-45])
    x = np.tile(base, 10_000).astype(dtype).reshape(400, 250)
    grads = {'contiguous': np.tile([np.inf, -0.0, np.nan, -2.0, 3.0], 20_000).reshape(400, 250),
             'broadcast': np.broadcast_to(np.linspace(-1, 1, 250), (400, 250)),
             'transposed': np.tile([-np.inf, -0.0, 0.5, np.nan], 25_000).reshape(250, 400).T}
    g = grads[grad_layout].astype(dtype)
    out = []
    for m in (flambeau, torch):
        t = m.tensor(x, requires_grad=True)
        gt = m.tensor(np.ascontiguousarray(g))
        if grad_layout == 'broadcast':
            gt = m.tensor(np.ascontiguousarray(g[0])).expand(400, 250)
        elif grad_layout == 'transposed':
            gt = m.tensor(np.ascontiguousarray(g.T)).t()
        m.relu(t).backward(gt)
        out.append(t.grad.numpy())
    got, want = out
    assert got.dtype == want.dtype
    assert got.view(f'u{got.itemsize}').tolist() == want.view(f'u{want.itemsize}').tolist()


@pytest.mark.parametrize('dtype', ['float32', 'float64', 'float16'])
def test_linear_bias_over_tiled_rows_matches_torch(dtype):
    """A bias added over tiled row blocks and a remainder (Note [Row vectors over short
    rows]): (3, 700, 50) inputs, 2100 rows of 50 outputs; values and gradients."""
    rng = np.random.default_rng(5)
    x = rng.standard_normal((3, 700, 40)).astype(dtype)
    w = (rng.standard_normal((50, 40)) / 6).astype(dtype)
    b = rng.standard_normal(50).astype(dtype)
    out = []
    for m in (flambeau, torch):
        ts = [m.tensor(a, requires_grad=True) for a in (x, w, b)]
        y = m.nn.functional.linear(*ts)
        y.float().square().sum().backward()
        out.append([y.detach().float().numpy()] + [t.grad.float().numpy() for t in ts])
    tol = {'float16': 1e-2, 'float32': 1e-5, 'float64': 1e-12}[dtype]
    for got, want in zip(*out):
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol * np.abs(want).max())


@pytest.mark.parametrize('layout', ['contiguous', 'transposed', 'strided', 'batched_view',
                                    'weight_view'])
def test_linear_bias_under_the_gemm_matches_torch(layout):
    """Outputs of 32K+ elements take the bias copied into the output and the product
    accumulated onto it by the BLAS (Note [The bias under the GEMM]); inputs and weights the
    BLAS reads transposed, or cannot read (a step slice), and a batched input that is a view;
    inf and NaN in the bias; values and gradients against PyTorch."""
    rng = np.random.default_rng(8)
    x = rng.standard_normal((300, 2, 130)).astype(np.float32)
    w = (rng.standard_normal((130, 120)) / 8).astype(np.float32)
    b = rng.standard_normal(120).astype(np.float32)
    b[:3] = [np.inf, -np.inf, np.nan]
    out = []
    for m in (flambeau, torch):
        xt, wt, bt = (m.tensor(a, requires_grad=True) for a in (x, w, b))
        xi, wi = xt[:, 0], wt.t()
        if layout == 'transposed':
            xi = xt[:, 0].t().contiguous().t()
        elif layout == 'strided':
            xi = m.stack((xt[:, 0], xt[:, 1]), 2).reshape(300, 260)[:, ::2]
        elif layout == 'batched_view':
            xi = xt.transpose(0, 1)
        elif layout == 'weight_view':
            wi = wt.t().contiguous().t().t()
        y = m.nn.functional.linear(xi, wi, bt)
        y.nan_to_num(0.0, 0.0, 0.0).square().sum().backward()
        out.append([y.detach().numpy(), xt.grad.numpy(), wt.grad.numpy(), bt.grad.numpy()])
    for got, want in zip(*out):
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-4 * np.abs(want[np.isfinite(want)]).max())


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('big,small', [
    ((4096, 64), (4096, 1)), ((4096, 64), (64,)), ((64, 4096), (64, 1)),
    ((8, 16, 32, 40), (1, 16, 1, 1)), ((8, 16, 32, 40), (16, 1, 1)), ((8, 16, 32, 40), (32, 40)),
    ((8, 16, 32, 40), (1, 1, 40)), ((8, 16, 32, 40), (8, 16, 32, 1)),
    ((8, 16, 32, 40), (8, 1, 1, 1)),
    ((3, 700, 70), (3, 700, 1)), ((3, 700, 70), (70,)), ((128, 16, 8, 8), (1, 16, 1, 1))])
def test_broadcast_over_short_rows_matches_torch_bit_for_bit(big, small, dtype):
    """add/sub/mul/div with one operand broadcast along a large one's short trailing runs or
    over its leading axes (Note [Broadcasts over short rows]), either operand first: the
    values bit for bit as PyTorch's (signed zeros, infinities and NaN among them), and the
    gradients."""
    rng = np.random.default_rng(11)
    a = rng.standard_normal(big).astype(dtype)
    b = rng.standard_normal(small).astype(dtype)
    a.reshape(-1)[:6] = [-0.0, 0.0, np.inf, -np.inf, np.nan, 1.0]
    b.reshape(-1)[:3] = [-0.0, 0.0, np.inf][:b.size]
    for first in (a, b):
        second = b if first is a else a
        for op in ('add', 'sub', 'mul', 'div'):
            out = []
            for m in (flambeau, torch):
                x = m.tensor(first, requires_grad=True)
                y = m.tensor(second, requires_grad=True)
                r = getattr(m, op)(x, y)
                out.append(r.detach().numpy())
                if op in ('add', 'mul'):
                    (r * r.detach().nan_to_num(0, 0, 0)).nan_to_num(0, 0, 0).sum().backward()
                    out += [x.grad.numpy(), y.grad.numpy()]
            got, want = out[:len(out) // 2], out[len(out) // 2:]
            assert got[0].shape == want[0].shape and got[0].dtype == want[0].dtype
            u = f'u{got[0].itemsize}'
            assert got[0].view(u).tolist() == want[0].view(u).tolist(), (op, first.shape)
            for g, w in zip(got[1:], want[1:]):
                np.testing.assert_allclose(g, w, rtol=1e-4 if dtype == 'float32' else 1e-10,
                                           atol=1e-3 if dtype == 'float32' else 1e-9)


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('shape,dims', [((8192, 64), -1), ((16, 8, 64, 48), (-2, -1)),
                                        ((2048, 3), -1), ((100, 9000), -1), ((4096, 16), 0)])
def test_sums_over_trailing_axes_match_torch(shape, dims, dtype):
    """sum / mean / var / logsumexp / softmax over trailing axes by BLAS (Note [Sums by BLAS]),
    rows over _BLAS_ROW_MAX and leading axes by NumPy: values within float rounding of
    PyTorch's, NaN and infinities propagated, gradients."""
    rng = np.random.default_rng(12)
    a = rng.standard_normal(shape).astype(dtype) * 3 + 1
    a.reshape(-1)[[5, 700]] = [np.nan, np.inf]
    res = []
    for m in (flambeau, torch):
        x = m.tensor(a, requires_grad=True)
        outs = [x.sum(dims), x.mean(dims, keepdim=True), x.var(dims), m.logsumexp(x, dims)]
        if not isinstance(dims, tuple):
            outs.append(m.softmax(x.nan_to_num(0, 0, 0), dims))
        sum(o.nan_to_num(0, 0, 0).square().sum() for o in outs).backward()
        res.append([o.detach().numpy() for o in outs] + [x.grad.numpy()])
    tol = 2e-5 if dtype == 'float32' else 1e-12
    for got, want in zip(*res):
        assert got.shape == want.shape and got.dtype == want.dtype
        finite = np.isfinite(want)
        scale = np.abs(want[finite]).max() if finite.any() else 1.0
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol * scale)


@pytest.mark.parametrize('shape', [(4096, 16), (64, 8, 64), (3000, 65), (100, 10), (2048, 64),
                                   (32, 4, 64, 64), (512, 128), (2, 128, 256), (64, 768),
                                   (64, 769)])
def test_softmax_rows_through_transpose_match_torch(shape):
    """softmax / log_softmax over short last axes (Note [Row maxima through a transpose], Note
    [Broadcasts over short rows]): rows holding NaN, +inf, -inf and all -inf as PyTorch's, the
    rest within rounding; and the softmax gradient."""
    rng = np.random.default_rng(13)
    a = (rng.standard_normal(shape) * 4).astype(np.float32)
    rows = a.reshape(-1, shape[-1])
    rows[1, 3], rows[2, 0], rows[3, 5] = np.nan, np.inf, -np.inf
    rows[4] = -np.inf
    res = []
    for m in (flambeau, torch):
        x = m.tensor(a, requires_grad=True)
        y = m.softmax(x, -1)
        ls = m.log_softmax(x, -1)
        g = m.tensor(np.cos(np.arange(a.size)).reshape(shape).astype(np.float32))
        (y * g).nan_to_num(0, 0, 0).sum().backward()
        res.append([y.detach().numpy(), ls.detach().numpy(), x.grad.numpy()])
    for got, want in zip(*res):
        assert got.shape == want.shape and got.dtype == want.dtype
        np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
        np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize('dtype', ['float32', 'float64', 'int32', 'int64'])
@pytest.mark.parametrize('mask_shape', [(1, 1, 64, 64), (16, 1, 1, 64), (64,), (16, 4, 64, 64)])
def test_masked_fill_and_where_under_broadcast_masks_bit_for_bit(mask_shape, dtype):
    """masked_fill and where with a mask smaller than the result (Note [Branch-free where],
    ``_select_broadcast``), either side the scalar: bit for bit as PyTorch's, NaN and signed
    zeros kept; masked_fill's gradient."""
    rng = np.random.default_rng(14)
    a = (rng.standard_normal((16, 4, 64, 64)) * 5).astype(dtype)
    if dtype.startswith('float'):
        a.reshape(-1)[:4] = [np.nan, -0.0, np.inf, -np.inf]
    mask = rng.random(mask_shape) > 0.4
    fills = [-np.inf, 0.0, np.nan, 2.5] if dtype.startswith('float') else [0, -7]
    for fill in fills:
        res = []
        for m in (flambeau, torch):
            x, c = m.tensor(a), m.tensor(mask)
            res.append([x.masked_fill(c, fill).numpy(), m.where(c, x, fill).numpy(),
                        m.where(c, fill, x).numpy()])
        for got, want in zip(*res):
            assert got.dtype == want.dtype and got.shape == want.shape
            u = f'u{got.itemsize}'
            assert got.view(u).tolist() == want.view(u).tolist(), fill
    if dtype.startswith('float'):
        grads = []
        for m in (flambeau, torch):
            x = m.tensor(a, requires_grad=True)
            x.masked_fill(m.tensor(mask), -np.inf).nan_to_num(0, 0, 0).sum().backward()
            grads.append(x.grad.numpy())
        assert grads[0].tobytes() == grads[1].tobytes()


@pytest.mark.parametrize('dtype', ['float32', 'float64', 'float16'])
def test_sigmoid_and_silu_tails_match_torch(dtype):
    """sigmoid, silu and glu by PyTorch's formulas (``1 / (1 + exp(-x))``, ``x / (1 +
    exp(-x))``): exact 0 and -0.0 where ``exp(-x)`` overflows, 1 far above, NaN kept, the
    rest within a few ulp; over a large array (cache-sized blocks) and a 0-d one."""
    a = np.concatenate([np.linspace(-800, 800, 300001), [np.nan, np.inf, -np.inf, -0.0, 0.0,
                                                          -88.7, -89.0, 17.0, -17.0]])
    a = a.astype(dtype)
    for arr in (a, a[3:4].reshape(())):
        res = []
        for m in (flambeau, torch):
            x = m.tensor(arr)
            res.append([m.sigmoid(x).numpy(), m.nn.functional.silu(x).numpy()]
                       + ([m.nn.functional.glu(x, 0).numpy()] if arr.ndim else []))
        for got, want in zip(*res):
            assert got.dtype == want.dtype and got.shape == want.shape
            np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
            np.testing.assert_array_equal(got == 0, want == 0)
            np.testing.assert_array_equal(np.signbit(got[got == 0]), np.signbit(want[want == 0]))
            tol = {'float16': 1e-3, 'float32': 4e-7, 'float64': 1e-15}[dtype]
            np.testing.assert_allclose(got, want, rtol=tol, atol=0)


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_clamp_edge_values_bit_for_bit(dtype):
    """clamp with scalar and tensor bounds over signed zeros, NaN and infinities (in the input
    and in the bounds, ``min > max`` included): PyTorch's results bit for bit, NaN where
    PyTorch's are (its vector loops make some NaN all ones: payloads are not compared)."""
    vals = np.array([-0.0, 0.0, 1.0, -1.0, np.nan, np.inf, -np.inf, 0.5, -2.0], dtype)
    grid = np.array(np.meshgrid(vals, vals, vals, indexing='ij')).reshape(3, -1)
    a, lo, hi = (np.ascontiguousarray(g) for g in grid)
    u = f'u{a.itemsize}'
    large = np.tile(a, 8)  # (blocks against a cached bound from 4096 elements)

    def same(got, want):
        nan = np.isnan(want)
        return np.array_equal(np.isnan(got), nan) and \
            got[~nan].view(u).tolist() == want[~nan].view(u).tolist()
    for m_args in (lambda m: (m.tensor(lo), m.tensor(hi)), lambda m: (m.tensor(lo), None),
                   lambda m: (None, m.tensor(hi))):
        assert same(*(m.clamp(m.tensor(a), *m_args(m)).numpy() for m in (flambeau, torch)))
    for low in vals:
        for high in vals:
            for bounds in ((float(low), float(high)), (float(low), None), (None, float(high))):
                for arr in (a, large):
                    got, want = (m.clamp(m.tensor(arr), *bounds).numpy()
                                 for m in (flambeau, torch))
                    assert same(got, want), bounds


@pytest.mark.parametrize('dtype', ['float32', 'float64', 'int64', 'float16'])
@pytest.mark.parametrize('largest', [True, False])
def test_topk_by_partition_matches_a_stable_sort(dtype, largest):
    """topk (Notes [Top k by extraction], [Top k by partition]) on rows without ties, with
    ties at the k-th value, with NaN, with infinities (or the integer extremes: the
    extraction's sentinels), along a middle dim: the values as PyTorch's and the indices those
    of a stable sort (ties by index, NaN largest); the values' gradient."""
    rng = np.random.default_rng(15)
    base = rng.standard_normal((6, 300, 4)) * 50
    cases = [base, np.round(base / 40), base.copy(), np.round(base / 40)]
    cases[2][0, 7, 1] = cases[2][3, 100, 0] = np.nan
    if dtype == 'int64':
        info = np.iinfo(np.int64)
        cases[3] = cases[3].astype(np.int64)
        cases[3][:2, ::3] = info.min
        cases[3][2:4, ::5] = info.max
    else:
        cases[3][:2, ::3] = -np.inf
        cases[3][2:4, ::5] = np.inf
    for a in cases:
        if dtype == 'int64' and np.isnan(a).any():
            continue
        a = a.astype(dtype)
        for k in (1, 5, 16, 17, 40):
            res = []
            for m in (flambeau, torch):
                x = m.tensor(a, requires_grad=dtype != 'int64')
                v, i = m.topk(x, k, dim=1, largest=largest)
                if dtype != 'int64':
                    v.sum().backward()
                res.append((v.detach().numpy(), i.numpy(),
                            None if dtype == 'int64' else x.grad.numpy()))
            (fv, fi, fg), (tv, ti, tg) = res
            np.testing.assert_array_equal(fv, tv)
            keys = a.astype(np.float32) if dtype == 'float16' else a
            neg = ~keys if keys.dtype.kind == 'i' else -keys  # (~: no overflow at the min)
            full = np.argsort(neg if largest else keys, axis=1, kind='stable')[:, :k]
            if largest and np.isnan(keys).any():  # NaN first: the stable sort of -keys keeps
                full = np.argsort(np.where(np.isnan(keys), -np.inf, -keys), axis=1,
                                  kind='stable')[:, :k]
            np.testing.assert_array_equal(fi, full)
            if fg is not None:  # ones at the picked indices (PyTorch breaks ties its own way)
                want = np.zeros(a.shape, fg.dtype)
                np.put_along_axis(want, fi, 1, axis=1)
                np.testing.assert_array_equal(fg, want)


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('k', [16, 200, 2048, 3000])
def test_last_axis_extrema_through_a_transpose_match_torch(dtype, k):
    """amax / amin over the last axes of large arrays (Note [Row maxima through a transpose]:
    short rows through a transpose, longer ones by argmax / argmin): NaN propagated, values
    and the even split of tied gradients as PyTorch's; the sign of tied zeros as PyTorch's
    (the first) where argmax decides (NumPy's reduce elsewhere gives 0.0)."""
    rng = np.random.default_rng(16)
    a = np.round(rng.standard_normal((256, 640 // k + 1, k)) * 3).astype(dtype)  # (ties)
    a[0, 0, 3] = np.nan
    a[1, 0, :] = -np.inf
    a[2, 0, :] = 0.0
    a[2, 0, 1::2] = -0.0  # -0.0 first in some rows, 0.0 in others
    a[2, 0, 0] = 0.0
    a[3, 0, :] = -0.0
    a[3, 0, 5] = 0.0
    res = []
    for m in (flambeau, torch):
        x = m.tensor(a, requires_grad=True)
        outs = [m.amax(x, -1), m.amin(x, -1, keepdim=True), x.amax(2)]
        sum(o.nan_to_num(0, 0, 0).sum() for o in outs).backward()
        res.append([o.detach().numpy() for o in outs] + [x.grad.numpy()])
    for got, want in zip(*res):
        assert got.shape == want.shape and got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)
        if 64 < k <= 2048:
            np.testing.assert_array_equal(np.signbit(got), np.signbit(want))


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('exponent', [3, 3.0, -1, -2, -0.5, -1.0])
def test_pow_special_exponents_bit_for_bit(exponent, dtype):
    """x ** 3, 1 / x, 1 / x**2 and 1 / sqrt(x) by products and a division, as PyTorch's kernel
    computes them: its values bit for bit (zeros, infinities, NaN), and the gradient."""
    rng = np.random.default_rng(18)
    a = np.concatenate([rng.standard_normal(5000) * 3,
                        [0.0, -0.0, np.inf, -np.inf, np.nan, 1e-30, -1e20]]).astype(dtype)
    res = []
    for m in (flambeau, torch):
        x = m.tensor(a, requires_grad=True)
        y = x.pow(exponent)
        y.nan_to_num(0, 0, 0).sum().backward()
        res.append((y.detach().numpy(), x.grad.numpy()))
    (fy, fg), (ty, tg) = res
    same = (fy.view(f'u{fy.itemsize}') == ty.view(f'u{ty.itemsize}')) | (np.isnan(fy) & np.isnan(ty))
    assert same.all()
    ok = np.isfinite(tg)
    np.testing.assert_array_equal(np.isfinite(fg), ok)
    np.testing.assert_allclose(fg[ok], tg[ok], rtol=1e-6 if dtype == 'float32' else 1e-14)


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_branch_free_activations_match_torch(dtype):
    """leaky_relu (as the larger of x and slope * x for slopes in [0, 1], by bits otherwise),
    elu, hardswish, smooth_l1_loss, softplus (with exp overflowing under a high threshold),
    and the blocked sigmoid / silu gradients: PyTorch's values
    (leaky_relu bit for bit, signed zeros and NaN included) and gradients, on arrays large
    enough for the blocked and branch-free paths."""
    rng = np.random.default_rng(19)
    a = (rng.standard_normal(300000) * 4).astype(dtype)
    a[:6] = [0.0, -0.0, np.nan, np.inf, -np.inf, -3.0]
    t = (rng.standard_normal(300000)).astype(dtype)
    tol = 1e-5 if dtype == 'float32' else 1e-12
    for slope in (0.01, 0.0, 1.0, 2.0, -0.5):
        got, want = (m.nn.functional.leaky_relu(m.tensor(a), slope).numpy()
                     for m in (flambeau, torch))
        u = f'u{got.itemsize}'
        same = (got.view(u) == want.view(u)) | (np.isnan(got) & np.isnan(want))
        assert same.all(), slope
    F_ = {'elu': lambda m, x: m.nn.functional.elu(x),
          'hardswish': lambda m, x: m.nn.functional.hardswish(x),
          'sigmoid': lambda m, x: m.sigmoid(x), 'silu': lambda m, x: m.nn.functional.silu(x),
          'leaky': lambda m, x: m.nn.functional.leaky_relu(x, 0.1),
          'smooth_l1': lambda m, x: m.nn.functional.smooth_l1_loss(x, m.tensor(t), beta=0.5,
                                                                    reduction='none'),
          'softplus': lambda m, x: m.nn.functional.softplus(x, 2.0, 5.0),
          'softplus_overflow': lambda m, x: m.nn.functional.softplus(x * 30, 1.0, 100.0)}
    for name, f in F_.items():
        res = []
        for m in (flambeau, torch):
            x = m.tensor(a, requires_grad=True)
            y = f(m, x)
            (y * m.tensor(t)).nan_to_num(0, 0, 0).sum().backward()
            res.append((y.detach().numpy(), x.grad.numpy()))
        (fy, fg), (ty, tg) = res
        np.testing.assert_array_equal(np.isnan(fy), np.isnan(ty), err_msg=name)
        ok = np.isfinite(ty)
        np.testing.assert_allclose(fy[ok], ty[ok], rtol=tol, atol=tol, err_msg=name)
        ok = np.isfinite(a)  # (the gradient at a NaN or infinite input is not compared)
        np.testing.assert_allclose(fg[ok], tg[ok], rtol=tol, atol=tol, err_msg=name)


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_pointwise_losses_in_blocks(dtype):
    """mse, smooth_l1 and huber losses over arrays large enough to run in blocks (Note
    [Pointwise losses in blocks]): PyTorch's losses and gradients for input and target (NaN
    where the difference is NaN, as PyTorch's), and with ``reduction='none'`` the same bits
    as the same loss taken piece by piece below the blocks' size."""
    from flambeau.ops.loss import _BLOCKS_MIN
    rng = np.random.default_rng(21)
    n = _BLOCKS_MIN + 12345
    a = (rng.standard_normal(n) * 2).astype(dtype)
    b = rng.standard_normal(n).astype(dtype)
    a[:6] = [np.nan, np.inf, -np.inf, 0.5, -0.3, 1.0]
    b[3:6] = [0.0, 0.0, 0.7]
    g = np.cos(np.arange(n)).astype(dtype)
    tol = 1e-5 if dtype == 'float32' else 1e-12
    losses = {'mse': lambda m, x, t, r: m.nn.functional.mse_loss(x, t, reduction=r),
              'smooth_l1': lambda m, x, t, r: m.nn.functional.smooth_l1_loss(x, t, reduction=r),
              'smooth_l1_0.3': lambda m, x, t, r: m.nn.functional.smooth_l1_loss(
                  x, t, reduction=r, beta=0.3),
              'huber_0.7': lambda m, x, t, r: m.nn.functional.huber_loss(x, t, reduction=r,
                                                                         delta=0.7)}

    def run(m, f, x, t, r, grad):
        xt, tt = m.tensor(x, requires_grad=True), m.tensor(t, requires_grad=True)
        y = f(m, xt, tt, r)
        y.backward(m.tensor(grad) if r == 'none' else None)
        return y.detach().numpy(), xt.grad.numpy(), tt.grad.numpy()

    for name, f in losses.items():
        for r in ('none', 'mean', 'sum'):
            ours = run(flambeau, f, a, b, r, g)
            theirs = run(torch, f, a, b, r, g)
            for got, want in zip(ours, theirs):
                np.testing.assert_array_equal(np.isnan(got), np.isnan(want), err_msg=name)
                ok = ~np.isnan(want)
                np.testing.assert_allclose(got[ok], want[ok], rtol=tol, atol=tol, err_msg=name)
        whole = run(flambeau, f, a, b, 'none', g)
        step = _BLOCKS_MIN // 2
        parts = [run(flambeau, f, a[i:i + step], b[i:i + step], 'none', g[i:i + step])
                 for i in range(0, n, step)]
        for k in range(3):
            np.testing.assert_array_equal(whole[k], np.concatenate([p[k] for p in parts]),
                                          err_msg=name)


def _scan_both(a, name, dim):
    """``(values, gradient)`` of the scan ``name`` of ``a`` along ``dim`` in flambeau and in
    PyTorch, the gradient of a fixed pattern."""
    res = []
    for m in (flambeau, torch):
        x = m.tensor(a, requires_grad=True)
        y = getattr(x, name)(dim)
        y.backward(m.tensor(np.cos(np.arange(y.numel())).reshape(a.shape).astype(a.dtype)))
        res.append((y.detach().numpy(), x.grad.numpy()))
    return res


@pytest.mark.parametrize('dtype', ['float16', 'float32', 'float64'])
def test_two_norms_of_rows_by_vecdot_match_torch(dtype):
    """The 2-norm over the last dim (Note [Two-norms of rows by vecdot]) through vector_norm,
    norm, normalize: rows with zeros, inf, NaN and overflowing squares, keepdim, a 1-d
    input; values within rounding of PyTorch's, the same non-finite ones, and gradients."""
    rng = np.random.default_rng(21)
    a = (rng.standard_normal((300, 70)) * 3).astype(dtype)
    a[0] = 0
    a[1, 5] = np.inf
    a[2, 7] = np.nan
    if dtype == 'float32':
        a[3, 1] = 3e20  # its square overflows: inf, as PyTorch's
    tol = {'float16': 2e-3, 'float32': 2e-6, 'float64': 1e-12}[dtype]
    for m in (flambeau, torch):
        x = m.tensor(a, requires_grad=True)
        v = m.tensor(a[5], requires_grad=True)
        outs = [m.linalg.vector_norm(x, dim=-1), x.norm(dim=1, keepdim=True),
                m.nn.functional.normalize(x, dim=-1), m.linalg.vector_norm(v)]
        sum(o.nan_to_num(0, 0, 0).sum() for o in outs[2:]).backward()
        got = [o.detach().double().numpy() for o in outs] + [x.grad.double().numpy(),
                                                             v.grad.double().numpy()]
        if m is flambeau:
            mine = got
    for g, w in zip(mine, got):
        assert g.shape == w.shape
        np.testing.assert_array_equal(np.isfinite(g), np.isfinite(w))
        np.testing.assert_allclose(g, w, rtol=tol, atol=tol)


@pytest.mark.parametrize('shape,dim', [((8192, 64), -1), ((8192, 64), 0), ((64, 1000), -1),
                                       ((512, 300), 0), ((3, 70, 30), 1), ((3, 7, 300), 1),
                                       ((2, 3000), 0), ((50, 9), 1), ((10, 10), 0)])
def test_float32_cumsum_is_pytorchs(shape, dim):
    """float32 ``cumsum`` accumulates in float64 as PyTorch's CPU kernel does, by triangular
    products where they apply (Note [Running sums by triangular products]): PyTorch's values
    and gradients bit for bit, along every dim; a NaN or infinity keeps the scan (and its
    spread) as PyTorch's."""
    rng = np.random.default_rng(22)
    a = rng.standard_normal(shape).astype('float32') * 3
    for got, want in zip(*_scan_both(a, 'cumsum', dim)):
        np.testing.assert_array_equal(got, want)
    b = a.copy()
    b.reshape(-1)[[5, b.size // 2]] = [np.nan, np.inf]
    got, want = (m.tensor(b).cumsum(dim).numpy() for m in (flambeau, torch))
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize('shape,dim', [((64, 300), -1), ((300, 64), 0), ((8, 5, 40), 1)])
def test_float32_cumprod_is_pytorchs(shape, dim):
    """float32 ``cumprod`` accumulates in float64 as PyTorch's CPU kernel: its values bit for
    bit (a zero included), its gradient to float32 rounding."""
    rng = np.random.default_rng(23)
    a = (rng.standard_normal(shape) * 0.1 + 1).astype('float32')
    a.reshape(-1)[7] = 0.0
    res = _scan_both(a, 'cumprod', dim)
    np.testing.assert_array_equal(res[0][0], res[1][0])
    np.testing.assert_allclose(res[0][1], res[1][1], rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_row_index_gradient_by_slots_matches_torch(dtype):
    """The gradient of ``x[rows]`` (rows an integer array: unique, repeated, negative) added
    into zeros row by row (Note [Rows added by slots]): PyTorch's gradients."""
    rng = np.random.default_rng(20)
    a = rng.standard_normal((500, 3, 7)).astype(dtype)
    for rows in (np.arange(0, 500, 3), rng.integers(0, 500, 2000), rng.integers(-500, 500, 300)):
        res = []
        for m in (flambeau, torch):
            x = m.tensor(a, requires_grad=True)
            y = x[m.tensor(rows)]
            y.backward(m.tensor(np.cos(np.arange(y.numel())).reshape(tuple(y.shape))
                                .astype(dtype)))
            res.append(x.grad.numpy())
        np.testing.assert_allclose(res[0], res[1], rtol=1e-6 if dtype == 'float32' else 1e-13,
                                   atol=1e-6 if dtype == 'float32' else 1e-13)


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_full_mean_and_sum_backward_bit_for_bit(dtype):
    """The gradient of a full ``mean`` (``g / n``, filled in Python floats) and ``sum`` over
    small inputs: PyTorch's bits, for quotients that round, subnormal and huge gradients, inf
    and NaN, and the shapes of a broadcast reduction (``_SUM_TO_AXES``)."""
    rng = np.random.default_rng(3)
    gs = np.concatenate([rng.standard_normal(6), [1e-40, 3e-39, 1e-45, 3e38, -np.inf, np.nan,
                                                   0.0, -0.0, 1 / 3]]).astype(dtype)
    for n in (3, 7, 100, 1000, 12345):
        for gv in gs:
            out = []
            for m in (flambeau, torch):
                x = m.zeros(n, dtype=getattr(m, dtype), requires_grad=True)
                x.mean().backward(m.tensor(gv))
                y = m.zeros(n // 3 + 1, 3, dtype=getattr(m, dtype), requires_grad=True)
                y.sum().backward(m.tensor(gv))
                out.append(np.concatenate([x.grad.numpy(), y.grad.numpy().ravel()]))
            got, want = out
            assert got.view(f'u{got.itemsize}').tolist() == want.view(f'u{got.itemsize}').tolist(), (n, gv)
    # a bias-like leaf summed back from a broadcast: (100, 1) and (4, 5, 6) gradients
    for shape, small in (((100, 1), (1,)), ((4, 5, 6), (5, 1)), ((4, 5, 6), (6,))):
        a = rng.standard_normal(shape).astype(dtype)
        out = []
        for m in (flambeau, torch):
            b = m.zeros(small, dtype=getattr(m, dtype), requires_grad=True)
            (b + m.tensor(a)).pow(2).sum().backward()
            out.append(b.grad.numpy())
        np.testing.assert_allclose(out[0], out[1], rtol=1e-6)
        assert out[0].shape == out[1].shape


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_fused_normalize_matches_torch(dtype):
    """``F.normalize`` with p=2 over the last dim is one node (Note [Fused normalize]):
    PyTorch's values and gradients for 1-, 2- and 3-d inputs, a transposed one, rows of zeros,
    rows whose norm is below ``eps`` or near it, a broadcast incoming gradient; the node prints
    as PyTorch's last one; the double backward as PyTorch's."""
    rng = np.random.default_rng(31)
    a = rng.standard_normal((40, 9, 16)).astype(dtype)
    a[0, 0] = 0
    a[0, 1] = 1e-14
    a[0, 2:4] *= np.array([[5e-4], [2e-3]], dtype) / np.sqrt(np.vecdot(a[0, 2:4], a[0, 2:4]))[:, None]
    g = rng.standard_normal((40, 9, 16)).astype(dtype)
    tol = {'float32': 2e-5, 'float64': 1e-11}[dtype]
    cases = [(lambda x: x, {'dim': -1}), (lambda x: x, {'dim': 2}), (lambda x: x[:, 3], {}),
             (lambda x: x[0, 4], {'dim': 0}), (lambda x: x.transpose(0, 2), {'dim': -1}),
             (lambda x: x, {'dim': -1, 'eps': 1e-3}), (lambda x: x, {})]  # (the last: dim 1)
    for pick, kw in cases:
        out = []
        for m in (flambeau, torch):
            x = m.tensor(a, requires_grad=True)
            xi = pick(x)
            y = m.nn.functional.normalize(xi, **kw)
            assert y.grad_fn.name() == 'DivBackward0'
            (y * m.tensor(np.ascontiguousarray(pick(m.tensor(g)).numpy()))).sum().backward()
            m.nn.functional.normalize(xi, **kw).sum().backward()  # a broadcast gradient
            out.append([y.detach().numpy(), x.grad.numpy()])
        for got, want in zip(*out):
            assert got.shape == want.shape
            np.testing.assert_allclose(got, want, rtol=tol, atol=tol)
    # double backward, away from the clamp's kink
    b = rng.standard_normal((5, 7))
    out = []
    for m in (flambeau, torch):
        x = m.tensor(b, requires_grad=True)
        y = m.nn.functional.normalize(x, dim=-1)
        gx, = m.autograd.grad((y * m.tensor(b[::-1].copy())).sum(), x, create_graph=True)
        gx.pow(2).sum().backward()
        out.append([gx.detach().numpy(), x.grad.numpy()])
    for got, want in zip(*out):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    if dtype == 'float64':
        x = flambeau.tensor(b, requires_grad=True)
        f = lambda t: flambeau.nn.functional.normalize(t, dim=-1)  # noqa: E731
        assert flambeau.autograd.gradcheck(f, (x,))
        assert flambeau.autograd.gradgradcheck(f, (x,))
