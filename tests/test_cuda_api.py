"""``flambeau.cuda``: the API without any CUDA backend (PyTorch CPU's answers and errors), the
same API through the test stand-in of fake_cuda.py (devices, seeding, memory counters,
``OutOfMemoryError``, streams, events), and, on a machine with a GPU, through the real CuPy
backend (the ``gpu`` tests skip cleanly elsewhere)."""
import re
from collections import OrderedDict

import pytest

torch = pytest.importorskip('torch')

import flambeau  # noqa: E402
from flambeau import cuda  # noqa: E402
from flambeau.cuda.memory import format_size  # noqa: E402


def _real_gpu():
    if not cuda.is_available():
        return False
    from flambeau.backend import get_backend
    from flambeau.backend.cupy_backend import CupyBackend
    return isinstance(get_backend('cuda'), CupyBackend)


REAL_GPU = _real_gpu()
no_cuda = pytest.mark.skipif(cuda.is_available(), reason='a real CUDA backend is installed')
gpu = pytest.mark.skipif(not REAL_GPU, reason='needs a GPU with CuPy')
NOT_COMPILED = 'Torch not compiled with CUDA enabled'


def outcome(fn):
    try:
        return fn(), None
    except Exception as e:  # noqa: BLE001
        return None, e


# -- without CUDA: as a CPU-only PyTorch -----------------------------------------------------
@no_cuda
@pytest.mark.parametrize('name', ['is_available', 'device_count', 'memory_allocated',
                                  'max_memory_allocated', 'memory_reserved',
                                  'max_memory_reserved', 'empty_cache', 'is_bf16_supported',
                                  'memory_stats', 'is_initialized', 'seed', 'seed_all'])
def test_answers_without_cuda(name):
    assert getattr(cuda, name)() == getattr(torch.cuda, name)()


@no_cuda
def test_seeding_without_cuda_is_a_no_op():
    for name in ('manual_seed', 'manual_seed_all'):
        assert getattr(cuda, name)(3) is None and getattr(torch.cuda, name)(3) is None
    assert cuda.memory_stats() == OrderedDict()


@no_cuda
@pytest.mark.parametrize('name', ['current_device', 'get_device_name', 'get_device_properties',
                                  'synchronize', 'initial_seed', 'current_stream',
                                  'default_stream', 'mem_get_info', 'get_device_capability',
                                  'get_rng_state', 'init'])
def test_not_compiled_errors_without_cuda(name):
    _, te = outcome(getattr(torch.cuda, name))
    _, fe = outcome(getattr(cuda, name))
    assert type(te) is AssertionError and str(te) == NOT_COMPILED
    assert type(fe) is AssertionError and str(fe).startswith(NOT_COMPILED)


@no_cuda
@pytest.mark.parametrize('name', ['set_device', 'reset_peak_memory_stats'])
def test_other_calls_without_cuda_raise(name):
    # torch's CPU build raises AttributeError (a missing C binding) here; flambeau says why
    args = (0,) if name == 'set_device' else ()
    _, fe = outcome(lambda: getattr(cuda, name)(*args))
    assert type(fe) is AssertionError and str(fe).startswith(NOT_COMPILED)


@no_cuda
@pytest.mark.parametrize('cls', ['Stream', 'Event'])
def test_streams_and_events_without_cuda(cls):
    _, te = outcome(getattr(torch.cuda, cls))
    _, fe = outcome(getattr(cuda, cls))
    assert type(fe) is type(te) is RuntimeError
    assert str(fe) == f'torch.cuda.{cls} requires CUDA support'


@no_cuda
def test_contexts_without_cuda():
    def enter(ctx):
        with ctx:
            return 'entered'
    for mk in (lambda L: L.cuda.device(0), lambda L: L.cuda.device('cuda:0')):
        _, te = outcome(lambda: enter(mk(torch)))
        _, fe = outcome(lambda: enter(mk(flambeau)))
        assert type(fe) is type(te) is RuntimeError and str(fe) == str(te)
    for mk in (lambda L: L.cuda.device(-1), lambda L: L.cuda.device_of(L.ones(1)),
               lambda L: L.cuda.stream(None)):
        assert enter(mk(flambeau)) == enter(mk(torch)) == 'entered'


def test_out_of_memory_error_class():
    assert issubclass(cuda.OutOfMemoryError, RuntimeError)
    assert issubclass(torch.cuda.OutOfMemoryError, RuntimeError)


@pytest.mark.parametrize('n,text', [(0, '0 bytes'), (512, '512 bytes'), (1024, '1024 bytes'),
                                    (1025, '1.00 KiB'), (1536, '1.50 KiB'),
                                    (20 << 20, '20.00 MiB'), (1 << 30, '1024.00 MiB'),
                                    (2 << 30, '2.00 GiB'), (int(79.19 * (1 << 30)), '79.19 GiB')])
def test_format_size_like_torch_messages(n, text):
    assert format_size(n) == text


# -- through the stand-in backend ---------------------------------------------------------
def test_devices(fake_cuda):
    assert cuda.is_available() and cuda.is_initialized() and cuda.device_count() == 2
    assert cuda.current_device() == 0
    assert cuda.get_device_name() == 'Fake CUDA device 0'
    assert cuda.get_device_name(1) == cuda.get_device_name('cuda:1') == \
        cuda.get_device_name(flambeau.device('cuda', 1)) == 'Fake CUDA device 1'
    assert cuda.get_device_capability(1) == (8, 1)
    cuda.set_device(1)
    assert cuda.current_device() == 1
    assert flambeau.zeros(1, device='cuda').device == flambeau.device('cuda:1')
    cuda.set_device(-1)  # negative: nothing changes
    assert cuda.current_device() == 1
    cuda.set_device('cuda:0')
    assert cuda.current_device() == 0


def test_invalid_device_ids(fake_cuda):
    for fn in (lambda: cuda.get_device_name(2), lambda: cuda.get_device_properties(5),
               lambda: cuda.set_device(2), lambda: cuda.memory_allocated(3)):
        with pytest.raises(AssertionError, match='Invalid device id'):
            fn()
    with pytest.raises(ValueError, match='Expected a cuda device'):
        cuda.get_device_name('cpu')


def test_device_properties(fake_cuda):
    p = cuda.get_device_properties(0)
    assert p.name == 'Fake CUDA device 0' and (p.major, p.minor) == (8, 0)
    assert p.total_memory == fake_cuda.capacity and p.multi_processor_count == 108
    assert repr(p) == ("_CudaDeviceProperties(name='Fake CUDA device 0', major=8, minor=0, "
                       'total_memory=1024MB, multi_processor_count=108, '
                       'uuid=00000000-0000-0000-0000-000000000000, L2_cache_size=40MB)')


def test_device_context(fake_cuda):
    with cuda.device(1) as d:
        assert cuda.current_device() == 1 and d.idx == 1
        assert flambeau.ones(1, device='cuda').get_device() == 1
        with cuda.device('cuda:0'):
            assert cuda.current_device() == 0
        assert cuda.current_device() == 1
        with cuda.device(None), cuda.device(-1):
            assert cuda.current_device() == 1
    assert cuda.current_device() == 0
    with pytest.raises(KeyError):
        with cuda.device(1):
            raise KeyError('restored on errors too')
    assert cuda.current_device() == 0


def test_device_of(fake_cuda):
    x = flambeau.ones(2, device='cuda:1')
    with cuda.device_of(x):
        assert cuda.current_device() == 1
        assert flambeau.zeros(1, device='cuda').device == x.device
    with cuda.device_of(flambeau.ones(1)):
        assert cuda.current_device() == 0
    assert cuda.current_device() == 0


def test_synchronize(fake_cuda):
    cuda.synchronize()
    cuda.synchronize(1)
    cuda.synchronize('cuda:1')
    assert fake_cuda.synchronized == [0, 1, 1]


# -- seeding --------------------------------------------------------------------------------------
def test_manual_seed_is_reproducible(fake_cuda):
    cuda.manual_seed(7)
    a = flambeau.randn(5, device='cuda')
    cuda.manual_seed(7)
    assert flambeau.randn(5, device='cuda').tolist() == a.tolist()
    assert cuda.initial_seed() == 7


def test_manual_seed_seeds_the_current_device_only(fake_cuda):
    cuda.manual_seed_all(1)
    b1 = flambeau.rand(4, device='cuda:1').tolist()
    cuda.manual_seed_all(1)
    cuda.manual_seed(2)  # device 0 only
    assert flambeau.rand(4, device='cuda:1').tolist() == b1
    with cuda.device(1):
        assert cuda.initial_seed() == 1
    assert cuda.initial_seed() == 2


def test_manual_seed_all_and_global_seed(fake_cuda):
    cuda.manual_seed_all(5)
    a = [flambeau.rand(3, device=f'cuda:{i}').tolist() for i in (0, 1)]
    flambeau.manual_seed(5)  # seeds every device too
    assert [flambeau.rand(3, device=f'cuda:{i}').tolist() for i in (0, 1)] == a


def test_seed_and_seed_all(fake_cuda):
    cuda.manual_seed_all(0)
    cuda.seed()
    s = cuda.initial_seed()
    assert s != 0
    cuda.seed_all()
    s0 = cuda.initial_seed()
    with cuda.device(1):
        assert cuda.initial_seed() == s0


def test_rng_state_round_trip(fake_cuda):
    cuda.manual_seed(3)
    state = cuda.get_rng_state()
    assert state.dtype == flambeau.uint8 and state.device == flambeau.device('cpu')
    a = flambeau.randn(4, device='cuda').tolist()
    cuda.set_rng_state(state)
    assert flambeau.randn(4, device='cuda').tolist() == a
    states = cuda.get_rng_state_all()
    b = [flambeau.rand(2, device=f'cuda:{i}').tolist() for i in (0, 1)]
    cuda.set_rng_state_all(states)
    assert [flambeau.rand(2, device=f'cuda:{i}').tolist() for i in (0, 1)] == b


# -- memory ---------------------------------------------------------------------------------------
def test_memory_counters(fake_cuda):
    assert cuda.memory_allocated() == cuda.max_memory_allocated() == 0
    x = flambeau.ones(1024, device='cuda')  # 4 KiB
    assert cuda.memory_allocated() == cuda.memory_allocated(0) == 4096
    assert cuda.memory_allocated(1) == 0
    y = flambeau.ones(256, device='cuda', dtype=flambeau.float64)  # 2 KiB
    assert cuda.memory_allocated() == 6144 == cuda.max_memory_allocated()
    del x, y
    assert cuda.memory_allocated() == 0
    assert cuda.max_memory_allocated() == 6144
    assert cuda.memory_reserved() == cuda.max_memory_reserved() == 6144  # cached, not freed
    assert cuda.mem_get_info() == (fake_cuda.capacity - 6144, fake_cuda.capacity)
    cuda.empty_cache()
    assert cuda.memory_reserved() == 0 and cuda.max_memory_reserved() == 6144
    cuda.reset_peak_memory_stats()
    assert cuda.max_memory_allocated() == cuda.max_memory_reserved() == 0
    z = flambeau.zeros(10, device='cuda:1')
    assert cuda.memory_allocated('cuda:1') == 40 and cuda.memory_allocated() == 0
    assert cuda.memory_stats(1) == OrderedDict([
        ('allocated_bytes.all.current', 40), ('allocated_bytes.all.peak', 40),
        ('reserved_bytes.all.current', 40), ('reserved_bytes.all.peak', 40)])
    with cuda.device(1):
        assert cuda.memory_allocated() == 40
    del z


def test_memory_of_a_view_is_freed_with_its_base(fake_cuda):
    x = flambeau.ones(100, device='cuda')
    v = x[10:20]
    del x
    assert cuda.memory_allocated() == 400
    del v
    assert cuda.memory_allocated() == 0


def test_out_of_memory_error(fake_cuda):
    keep = flambeau.ones(1 << 20, device='cuda')  # 4 MiB
    with pytest.raises(cuda.OutOfMemoryError) as info:
        flambeau.zeros(1 << 28, device='cuda')  # 1 GiB of float32
    msg = str(info.value)
    assert isinstance(info.value, RuntimeError)
    assert msg.startswith('CUDA out of memory. Tried to allocate 1024.00 MiB. GPU 0 has a total '
                          'capacity of 1024.00 MiB of which 1020.00 MiB is free. ')
    assert 'Of the allocated memory 4.00 MiB is allocated by flambeau, and 0 bytes is reserved ' \
           'by flambeau but unallocated.' in msg
    assert cuda.memory_allocated() == 4 << 20  # nothing leaked by the failed allocation
    with pytest.raises(cuda.OutOfMemoryError, match='GPU 1 has a total capacity'):
        flambeau.ones((1 << 28) + 1, device='cuda:1')
    del keep


# -- streams ------------------------------------------------------------------------------------
def test_streams(fake_cuda):
    cur, dflt = cuda.current_stream(), cuda.default_stream()
    assert cur == dflt and cur.cuda_stream == 0 and cur.device == flambeau.device('cuda:0')
    assert repr(dflt) == '<torch.cuda.Stream device=cuda:0 cuda_stream=0x0>'
    s = cuda.Stream()
    assert s != dflt and s.device == flambeau.device('cuda:0') and s.priority == 0
    assert hash(s) == hash(cuda.Stream._wrap(fake_cuda, 0, s._native))
    assert s.query() is True
    s.synchronize()
    s1 = cuda.Stream(device=1, priority=-1)
    assert s1.device == flambeau.device('cuda:1') and s1.priority == -1
    assert cuda.current_stream(1) == cuda.default_stream(1) != cuda.default_stream(0)


def test_stream_context(fake_cuda):
    s = cuda.Stream()
    with cuda.stream(s) as entered:
        assert entered is s and cuda.current_stream() == s
        inner = cuda.Stream()
        with cuda.stream(inner):
            assert cuda.current_stream() == inner
        assert cuda.current_stream() == s
    assert cuda.current_stream() == cuda.default_stream()
    with s:
        assert cuda.current_stream() == s
    assert cuda.current_stream() == cuda.default_stream()
    with cuda.stream(None):
        assert cuda.current_stream() == cuda.default_stream()


def test_stream_context_on_another_device(fake_cuda):
    s1 = cuda.Stream(device='cuda:1')
    with cuda.stream(s1):
        assert cuda.current_device() == 1 and cuda.current_stream() == s1
        assert flambeau.ones(1, device='cuda').get_device() == 1
    assert cuda.current_device() == 0
    assert cuda.current_stream(1) == cuda.default_stream(1)
    assert cuda.current_stream(0) == cuda.default_stream(0)


def test_set_stream(fake_cuda):
    s = cuda.Stream()
    cuda.set_stream(s)
    assert cuda.current_stream() == s
    cuda.set_stream(cuda.default_stream())
    assert cuda.current_stream() == cuda.default_stream()


def test_stream_waits(fake_cuda):
    a, b = cuda.Stream(), cuda.Stream()
    ev = a.record_event()
    assert isinstance(ev, cuda.Event) and ev.device == a.device
    b.wait_event(ev)
    assert ev._native.waited_by == [b.cuda_stream]
    b.wait_stream(a)
    e = cuda.Event()
    e.wait(a)  # never recorded: nothing to wait for
    assert e._native is None


# -- events --------------------------------------------------------------------------------------
def test_events(fake_cuda):
    start, end = cuda.Event(enable_timing=True), cuda.Event(enable_timing=True)
    assert repr(start) == '<torch.cuda.Event uninitialized>' and start.query()
    start.synchronize()  # never recorded: returns at once
    start.record()
    flambeau.ones(100, device='cuda').sum()
    end.record(cuda.current_stream())
    end.synchronize()
    assert start.query() and end.query()
    ms = start.elapsed_time(end)
    assert isinstance(ms, float) and ms >= 0
    assert repr(start) == f'<torch.cuda.Event {start.cuda_event:#x}>'
    assert start.device == flambeau.device('cuda:0')


def test_event_errors(fake_cuda):
    plain = cuda.Event()
    timed, timed2 = cuda.Event(enable_timing=True), cuda.Event(enable_timing=True)
    with pytest.raises(ValueError, match=re.escape(
            "Both events must be created with argument 'enable_timing=True'.")):
        plain.elapsed_time(timed)
    with pytest.raises(ValueError, match='Both events must be recorded before calculating '
                                         'elapsed time.'):
        timed.elapsed_time(timed2)
    timed.record()
    with pytest.raises(RuntimeError, match="Event device 0 does not match recording stream's "
                                           'device 1.'):
        timed.record(cuda.Stream(device=1))


# -- with a real GPU ------------------------------------------------------------------------------
@gpu
def test_gpu_devices():
    n = cuda.device_count()
    assert n >= 1 and 0 <= cuda.current_device() < n
    p = cuda.get_device_properties(0)
    assert p.total_memory > 0 and p.major >= 3 and p.multi_processor_count > 0
    assert cuda.get_device_name(0) == p.name
    assert re.fullmatch(r"_CudaDeviceProperties\(name='.+', major=\d+, minor=\d+, "
                        r'total_memory=\d+MB, multi_processor_count=\d+, uuid=.*, '
                        r'L2_cache_size=\d+MB\)', repr(p))
    free, total = cuda.mem_get_info()
    assert 0 < free <= total == p.total_memory
    assert cuda.is_bf16_supported() is False


@gpu
def test_gpu_tensors_round_trip():
    x = flambeau.arange(6, dtype=flambeau.float32).reshape(2, 3)
    y = x.cuda()
    assert y.is_cuda and type(y._data).__module__.startswith('cupy')
    assert ((y * 2 + 1).cpu().tolist() == (x * 2 + 1).tolist())
    assert y.to('cpu', non_blocking=True).tolist() == x.tolist()
    with pytest.raises(TypeError, match='bfloat16'):
        flambeau.ones(2, dtype=flambeau.bfloat16, device='cuda')


@gpu
def test_gpu_random_is_reproducible_and_on_device():
    cuda.manual_seed(0)
    a = flambeau.randn(1000, device='cuda')
    cuda.manual_seed(0)
    b = flambeau.randn(1000, device='cuda')
    assert a.is_cuda and a.cpu().tolist() == b.cpu().tolist()
    assert abs(a.mean().item()) < 0.2 and abs(a.std().item() - 1) < 0.1
    state = cuda.get_rng_state()
    u = flambeau.rand(10, device='cuda').cpu().tolist()
    cuda.set_rng_state(state)
    assert flambeau.rand(10, device='cuda').cpu().tolist() == u
    p = flambeau.randperm(50, device='cuda')
    assert sorted(p.cpu().tolist()) == list(range(50))
    k = flambeau.randint(0, 5, (100,), device='cuda')
    assert k.dtype == flambeau.int64 and 0 <= k.min().item() and k.max().item() < 5


@gpu
def test_gpu_memory_counters():
    cuda.synchronize()
    cuda.empty_cache()
    base = cuda.memory_allocated()
    cuda.reset_peak_memory_stats()
    x = flambeau.empty(1 << 20, device='cuda')  # 4 MiB
    assert cuda.memory_allocated() >= base + (4 << 20)
    assert cuda.max_memory_allocated() >= cuda.memory_allocated()
    assert cuda.memory_reserved() >= cuda.memory_allocated()
    del x
    assert cuda.memory_allocated() == base
    assert cuda.max_memory_allocated() >= base + (4 << 20)
    cuda.empty_cache()
    assert cuda.memory_reserved() <= cuda.max_memory_reserved()


@gpu
def test_gpu_out_of_memory():
    total = cuda.get_device_properties(0).total_memory
    with pytest.raises(cuda.OutOfMemoryError) as info:
        flambeau.empty(2 * total // 4, device='cuda')
    assert re.match(r'CUDA out of memory\. Tried to allocate [\d.]+ GiB\. GPU 0 has a total '
                    r'capacity of [\d.]+ GiB of which .* is free\.', str(info.value))


@gpu
def test_gpu_events_and_streams():
    start, end = cuda.Event(enable_timing=True), cuda.Event(enable_timing=True)
    a = flambeau.randn(512, 512, device='cuda')
    start.record()
    for _ in range(5):
        a = a @ a / 512
    end.record()
    end.synchronize()
    assert end.query() and start.elapsed_time(end) > 0
    s = cuda.Stream()
    with cuda.stream(s):
        assert cuda.current_stream() == s and s.cuda_stream != 0
        b = flambeau.ones(1000, device='cuda') * 3
    s.synchronize()
    assert s.query() and b.sum().item() == 3000
    cuda.current_stream().wait_stream(s)
    cuda.synchronize()


@gpu
def test_gpu_grad_on_device():
    w = flambeau.randn(3, 4, device='cuda', requires_grad=True)
    x = flambeau.randn(5, 4, device='cuda')
    (x @ w.t()).relu().sum().backward()
    assert w.grad.is_cuda and w.grad.shape == (3, 4)
