"""Process-wide settings: thread counts, determinism and matmul-precision flags, typename,
constants and ``flambeau.backends``, against PyTorch's behaviour."""
import math
import warnings

import pytest

import flambeau

torch = pytest.importorskip('torch')


def test_num_threads_round_trip_and_errors():
    before = flambeau.get_num_threads()
    try:
        flambeau.set_num_threads(1)
        assert flambeau.get_num_threads() == 1
        flambeau.set_num_threads(2)
        assert flambeau.get_num_threads() == 2
    finally:
        flambeau.set_num_threads(before)
    for bad in (0, -1, 1.5, '2'):
        with pytest.raises(RuntimeError) as t:
            torch.set_num_threads(bad)
        with pytest.raises(RuntimeError) as f:
            flambeau.set_num_threads(bad)
        assert str(f.value) == str(t.value)
    flambeau.set_num_interop_threads(3)
    assert flambeau.get_num_interop_threads() == 3


def test_blas_threads_follow_the_setting():
    """The setting reaches NumPy's BLAS (the library flambeau's matmuls run on)."""
    from flambeau import _runtime
    blas = _runtime._blas_threads()
    if not blas:
        pytest.skip("NumPy's BLAS exposes no thread-count functions here")
    before = flambeau.get_num_threads()
    try:
        flambeau.set_num_threads(1)
        assert blas[1]() == 1
    finally:
        flambeau.set_num_threads(before)


def test_deterministic_and_precision_flags():
    assert flambeau.are_deterministic_algorithms_enabled() is False
    try:
        flambeau.use_deterministic_algorithms(True, warn_only=True)
        assert flambeau.are_deterministic_algorithms_enabled()
        assert flambeau.is_deterministic_algorithms_warn_only_enabled()
    finally:
        flambeau.use_deterministic_algorithms(False)
    assert not flambeau.is_deterministic_algorithms_warn_only_enabled()
    assert flambeau.get_float32_matmul_precision() == torch.get_float32_matmul_precision()
    try:
        flambeau.set_float32_matmul_precision('high')
        assert flambeau.get_float32_matmul_precision() == 'high'
        with pytest.warns(UserWarning, match="bad is not one of 'highest', 'high', or 'medium'"):
            flambeau.set_float32_matmul_precision('bad')
        assert flambeau.get_float32_matmul_precision() == 'high'
    finally:
        with warnings.catch_warnings():
            flambeau.set_float32_matmul_precision('highest')


def test_typename_and_constants():
    for dt in ('float32', 'int64', 'bool', 'float64'):
        assert (flambeau.typename(flambeau.zeros(2, dtype=getattr(flambeau, dt)))
                == torch.typename(torch.zeros(2, dtype=getattr(torch, dt))))
    assert flambeau.typename(3) == torch.typename(3) == 'int'
    assert flambeau.typename(flambeau.nn.Linear(1, 1)) == 'flambeau.nn.modules.linear.Linear'
    assert (flambeau.pi, flambeau.e, flambeau.inf) == (torch.pi, torch.e, torch.inf)
    assert math.isnan(flambeau.nan) and flambeau.newaxis is None
    assert flambeau.zeros(2, 3)[:, flambeau.newaxis].shape == (2, 1, 3)


def test_backends_flags():
    b = flambeau.backends
    assert b.cudnn.is_available() is False and b.mps.is_available() is False
    b.cudnn.benchmark = True
    try:
        assert flambeau.backends.cudnn.benchmark is True
    finally:
        b.cudnn.benchmark = False
    assert b.cudnn.deterministic is torch.backends.cudnn.deterministic
    assert b.cuda.matmul.allow_tf32 is torch.backends.cuda.matmul.allow_tf32
    assert b.cpu.get_cpu_capability() in ('AVX512', 'AVX2', 'DEFAULT')
