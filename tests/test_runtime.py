"""Process-wide settings: thread counts, determinism and matmul-precision flags, typename,
constants and ``flambeau.backends``, against PyTorch's behaviour."""
import math
import warnings

import numpy as np
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


# -- flambeau._blas.gemm_acc (Note [GEMM into an existing array]) ---------------------------------
def _gemm_cases(dt):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((5, 7)).astype(dt)
    b = rng.standard_normal((7, 3)).astype(dt)
    big = rng.standard_normal((9, 12)).astype(dt)
    yield a, b                      # row-major
    yield a, np.asfortranarray(b)   # a transposed operand
    yield np.asfortranarray(a), b
    yield big[:5, 1:8], big[2:9, :3]  # rows longer than the matrix (leading dimension)
    yield a[:, :0], b[:0]           # k = 0: nothing added


@pytest.mark.parametrize('dt', [np.float32, np.float64])
def test_gemm_acc_adds_the_product_into_c(dt):
    from flambeau import _runtime
    from flambeau._blas import gemm_acc
    lib = _runtime.blas_library()
    if lib is not None and hasattr(lib, 'scipy_cblas_sgemm64_'):  # NumPy's bundled OpenBLAS:
        c = np.zeros((2, 2), dt)                                 # the direct path is taken
        assert gemm_acc(np.eye(2, dtype=dt), np.eye(2, dtype=dt), c) is True
        assert np.array_equal(c, np.eye(2))
    for a, b in _gemm_cases(dt):
        c0 = np.random.default_rng(1).standard_normal((a.shape[0], b.shape[1])).astype(dt)
        c = c0.copy()
        done = gemm_acc(a, b, c)
        if not done:  # no BLAS routine here: nothing may have been written
            assert np.array_equal(c, c0)
            continue
        tol = 1e-5 if dt == np.float32 else 1e-12
        np.testing.assert_allclose(c, c0 + a @ b, rtol=tol, atol=tol)
    # a destination with rows of unit stride inside a wider array
    c0 = np.zeros((5, 10), dt)
    done = gemm_acc(a, b, c0[:, 2:5])
    assert not done or (np.allclose(c0[:, 2:5], a @ b, atol=1e-5) and not c0[:, :2].any()
                        and not c0[:, 5:].any())


def test_gemm_acc_declines_what_blas_cannot_take():
    from flambeau._blas import gemm_acc
    a = np.ones((4, 4), np.float32)
    c = np.zeros((4, 4), np.float32)
    assert gemm_acc(a.astype(np.float16), a.astype(np.float16), c.astype(np.float16)) is False
    assert gemm_acc(a, a.astype(np.float64), c) is False           # mixed dtypes
    assert gemm_acc(a, a, np.zeros((4, 8), np.float32)[:, ::2]) is False  # c's rows strided
    assert gemm_acc(c, a, c) is False and not c.any()              # c overlaps an operand
    assert gemm_acc(a, a, np.zeros((3, 4), np.float32)) is False   # shapes do not match


# -- flambeau._blas.axpby (Note [Vector updates by the BLAS]) ------------------------------------
@pytest.mark.parametrize('dt', [np.float32, np.float64])
def test_axpby_updates_y_in_place(dt):
    """``y = a x + b y`` through the BLAS where it is found (NumPy's bundled OpenBLAS: always
    here), for whole arrays of any shape; nothing written where it declines."""
    from flambeau import _runtime
    from flambeau._blas import _AXPBY_MIN, axpby
    rng = np.random.default_rng(3)
    n = _AXPBY_MIN + 5
    for shape in ((n,), (5, n // 5 + 1)):
        x = rng.standard_normal(shape).astype(dt)
        y0 = rng.standard_normal(shape).astype(dt)
        y = y0.copy()
        done = axpby(0.25, x, -1.5, y)
        lib = _runtime.blas_library()
        if lib is not None and hasattr(lib, 'scipy_cblas_saxpby64_'):
            assert done is True
        if done:
            tol = 1e-6 if dt == np.float32 else 1e-14
            np.testing.assert_allclose(y, 0.25 * x + -1.5 * y0, rtol=tol, atol=tol)
        else:
            assert np.array_equal(y, y0)


def test_axpby_declines_what_it_should_not_take():
    """Small arrays (NumPy's passes are faster), mixed dtypes, other sizes, strided or
    overlapping arrays: False, nothing written."""
    from flambeau._blas import _AXPBY_MIN, axpby
    n = _AXPBY_MIN
    x = np.ones(n, np.float32)
    cases = [(x[:10], np.zeros(10, np.float32)), (x, np.zeros(n, np.float64)),
             (x, np.zeros(n + 1, np.float32)), (np.ones(2 * n, np.float32)[::2],
                                                np.zeros(n, np.float32))]
    for a, y in cases:
        before = y.copy()
        assert axpby(2.0, a, 1.0, y) is False and np.array_equal(y, before)
    y = np.zeros(2 * n, np.float32)
    assert axpby(2.0, y[:n], 1.0, y[1:n + 1]) is False and not y.any()


# -- flambeau._blas.transpose_into (Note [Transposes by the BLAS]) --------------------------------
@pytest.mark.parametrize('dt', [np.float32, np.float64, np.int64, np.float16])
def test_transpose_into_writes_the_transpose(dt):
    """Through the BLAS for float32/float64 (padded rows on either side included), by NumPy
    otherwise (other dtypes, strided columns, overlap): always ``out == a.T``, nothing written
    outside ``out``."""
    from flambeau import _runtime
    from flambeau._blas import transpose_into
    rng = np.random.default_rng(2)
    big = (rng.standard_normal((40, 70)) * 100).astype(dt)
    for a in (big[:33, :17], big, big[:0, :5], big[::2, :9], big[:7, ::3], big[:1, :1]):
        wide = np.zeros((a.shape[1], a.shape[0] + 4), dt)
        out = wide[:, 1:1 + a.shape[0]]
        transpose_into(a, out)
        assert np.array_equal(out, a.T)
        assert not wide[:, 0].any() and not wide[:, 1 + a.shape[0]:].any()
    sq = np.arange(16, dtype=dt).reshape(4, 4)
    transpose_into(sq[:2, :2], sq[2:, 2:])  # disjoint parts of one array
    assert np.array_equal(sq[2:, 2:], sq[:2, :2].T)
    lib = _runtime.blas_library()
    if dt in (np.float32, np.float64) and lib is not None and \
            hasattr(lib, 'scipy_cblas_somatcopy64_'):  # NumPy's bundled OpenBLAS: the BLAS runs
        from flambeau import _blas
        assert _blas._transposes and np.dtype(dt) in _blas._transposes
