"""Helpers shared by the tensor, dtype, device and autograd tests: run the same code in torch
and flambeau and compare values, dtypes, shapes and raised exceptions."""
import numpy as np
import pytest
import torch

import flambeau

DTYPE_NAMES = ['bool', 'uint8', 'int8', 'int16', 'int32', 'int64',
               'float16', 'bfloat16', 'float32', 'float64']


def tdt(fdt):
    """The torch dtype of a flambeau dtype."""
    return getattr(torch, fdt.name)


def fdt(tdtype):
    """The flambeau dtype of a torch dtype."""
    return getattr(flambeau, str(tdtype).removeprefix('torch.'))


def host(t):
    """A float64 (or bool/int64) NumPy copy of a torch or flambeau tensor's values."""
    if isinstance(t, torch.Tensor):
        t = t.detach().cpu()
        if t.dtype in (torch.bfloat16, torch.float16):
            t = t.double()
        return t.numpy().copy()
    assert isinstance(t, flambeau.Tensor), f'expected a flambeau Tensor, got {type(t)}'
    t = t.detach().cpu()
    if t.dtype in (flambeau.bfloat16, flambeau.float16):
        t = t.double()
    return np.array(t.numpy(), copy=True)


def assert_same(f, t, rtol=1e-6, atol=1e-7, check_grad_mode=False):
    """``f`` (flambeau) and ``t`` (torch) have the same type, dtype, shape and values."""
    if isinstance(t, (tuple, list)):
        assert isinstance(f, (tuple, list)) and len(f) == len(t), (f, t)
        for a, b in zip(f, t):
            assert_same(a, b, rtol, atol, check_grad_mode)
        return
    if t is None:
        assert f is None, f
        return
    if isinstance(t, torch.Size):
        assert isinstance(f, flambeau.Size) and tuple(f) == tuple(t) and repr(f) == repr(t), (f, t)
        return
    if isinstance(t, (torch.dtype, torch.device)):
        assert repr(f) == repr(t), (f, t)
        return
    if isinstance(t, np.ndarray):
        assert isinstance(f, np.ndarray) and f.dtype == t.dtype and f.shape == t.shape, (f, t)
        np.testing.assert_allclose(f, t, rtol=rtol, atol=atol, equal_nan=True)
        return
    if not isinstance(t, torch.Tensor):
        assert type(f) is type(t), (f, t)
        assert f == t or (f != f and t != t), (f, t)
        return
    assert isinstance(f, flambeau.Tensor), f'expected a flambeau Tensor, got {type(f)}: {f!r}'
    assert f.dtype.name == str(t.dtype).removeprefix('torch.'), (f.dtype, t.dtype)
    assert tuple(f.shape) == tuple(t.shape), (f.shape, t.shape)
    a, b = host(f), host(t)
    assert isinstance(f.detach().cpu().numpy() if f.dtype is not flambeau.bfloat16 else a,
                      np.ndarray)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, equal_nan=True)
    if check_grad_mode:
        assert f.requires_grad == t.requires_grad
        assert f.is_leaf == t.is_leaf


def outcome(fn):
    """(exception type, message) raised by ``fn()``, or ('ok', result)."""
    try:
        return 'ok', fn()
    except Exception as e:  # noqa: BLE001
        return type(e), str(e)


def check(fn, rtol=1e-6, atol=1e-7, match_prefix=False):
    """Run ``fn(torch)`` and ``fn(flambeau)``: the same result (see assert_same) or the same
    exception type and message."""
    tk, tr = outcome(lambda: fn(torch))
    fk, fr = outcome(lambda: fn(flambeau))
    if tk == 'ok':
        assert fk == 'ok', f'flambeau raised {fk.__name__}: {fr}'
        assert_same(fr, tr, rtol, atol)
        return fr, tr
    assert fk != 'ok', f'flambeau returned {fr!r}; torch raised {tk.__name__}: {tr}'
    assert fk.__name__ == tk.__name__ or issubclass(fk, tk), (fk, fr, tk, tr)
    if match_prefix:
        assert fr.startswith(tr), (fr, tr)
    else:
        assert fr == tr, (fr, tr)
    return None, None


def assert_same_error(f_fn, t_fn, match_prefix=False):
    """``f_fn()`` raises the exception type and message that ``t_fn()`` raises in torch."""
    tk, tm = outcome(t_fn)
    assert tk != 'ok', f'torch did not raise: {tm!r}'
    fk, fm = outcome(f_fn)
    assert fk is not None and fk != 'ok', f'flambeau did not raise (torch: {tk.__name__}: {tm})'
    assert fk.__name__ == tk.__name__ or issubclass(fk, tk), (fk, fm, tk, tm)
    if match_prefix:
        assert fm.startswith(tm), (fm, tm)
    else:
        assert fm == tm, (fm, tm)
