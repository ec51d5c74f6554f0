"""Helpers for the ``flambeau.nn`` tests: build the same layer in torch and flambeau, copy
torch's weights into flambeau, run both, compare outputs and every gradient.

Typical use::

    from nn_helpers import check_module
    check_module(torch.nn.Linear(3, 4), flambeau.nn.Linear(3, 4), np.random.randn(5, 3))
"""
import numpy as np
import torch

import flambeau

_RNG = np.random.default_rng(0)


def to_fl(t, requires_grad=None):
    """A flambeau copy of a torch tensor (or NumPy array / number): same values, dtype,
    requires_grad (unless given)."""
    if isinstance(t, flambeau.Tensor):
        return t
    if isinstance(t, torch.Tensor):
        rg = t.requires_grad if requires_grad is None else requires_grad
        d = t.detach().cpu()
        if d.dtype is torch.bfloat16:
            f = flambeau.tensor(d.float().numpy().copy()).to(flambeau.bfloat16)
        else:
            f = flambeau.tensor(d.numpy().copy())
        if rg:
            f.requires_grad_(True)
        return f
    a = np.asarray(t)
    f = flambeau.tensor(a.copy())
    if requires_grad:
        f.requires_grad_(True)
    return f


def to_torch(a, requires_grad=False):
    """A torch tensor from a NumPy array or number (float arrays keep their dtype)."""
    if isinstance(a, torch.Tensor):
        return a
    t = torch.tensor(np.asarray(a).copy())
    if requires_grad:
        t.requires_grad_(True)
    return t


def to_np(t):
    """A float64/int/bool NumPy copy of a torch or flambeau tensor."""
    if isinstance(t, torch.Tensor):
        t = t.detach().cpu()
        if t.dtype in (torch.float16, torch.bfloat16):
            t = t.double()
        return t.numpy().copy()
    t = t.detach().cpu()
    if t.dtype in (flambeau.float16, flambeau.bfloat16):
        t = t.double()
    return np.array(t.numpy(), copy=True)


def copy_state(torch_module, fl_module):
    """Load torch's ``state_dict`` into the flambeau module (strictly: the keys must be the
    same, in the same order) and copy ``requires_grad`` of every parameter."""
    tsd = torch_module.state_dict()
    fsd = fl_module.state_dict()
    assert list(tsd) == list(fsd), (list(tsd), list(fsd))
    fl_module.load_state_dict({k: to_fl(v, False) for k, v in tsd.items()})
    fparams = dict(fl_module.named_parameters())
    for name, p in torch_module.named_parameters():
        fparams[name].requires_grad_(p.requires_grad)


def _flatten(out):
    if isinstance(out, (tuple, list)):
        res = []
        for o in out:
            res.extend(_flatten(o))
        return res
    return [out]


def assert_close(f, t, atol=1e-5, rtol=1e-4, what='value'):
    """A flambeau tensor equals a torch tensor: shape, dtype and values."""
    assert isinstance(f, flambeau.Tensor), (what, type(f))
    assert tuple(f.shape) == tuple(t.shape), (what, f.shape, t.shape)
    assert str(f.dtype) == str(t.dtype), (what, f.dtype, t.dtype)
    np.testing.assert_allclose(to_np(f), to_np(t), atol=atol, rtol=rtol, equal_nan=True,
                               err_msg=what)


def check_module(torch_module, fl_module, *inputs, train=True, atol=1e-5, rtol=1e-4,
                 kwargs=None, grad=True, copy=True, input_grad=True):
    """Run ``torch_module`` and ``fl_module`` on the same inputs and compare.

    ``inputs`` are NumPy arrays, numbers or torch tensors (converted for both frameworks;
    floating ones require grad when ``input_grad``). Torch's ``state_dict`` is copied into
    flambeau first (``copy=True``), both modules are put in ``train`` mode (or eval), the
    outputs are compared (shape, dtype, values), then the same random upstream gradient is
    backpropagated through both and the gradients of the inputs and of every parameter (by
    name) are compared. Returns ``(torch_output, flambeau_output)``.
    """
    kwargs = kwargs or {}
    if copy:
        copy_state(torch_module, fl_module)
    torch_module.train(train)
    fl_module.train(train)
    assert fl_module.training is train
    t_in, f_in = [], []
    for a in inputs:
        if isinstance(a, torch.Tensor):
            t = a.detach().clone()
        elif isinstance(a, np.ndarray):
            t = torch.from_numpy(a.copy())
        else:
            t_in.append(a)
            f_in.append(a)
            continue
        if input_grad and t.is_floating_point() and grad:
            t.requires_grad_(True)
        t_in.append(t)
        f_in.append(to_fl(t))
    t_out = torch_module(*t_in, **kwargs)
    f_out = fl_module(*f_in, **kwargs)
    t_flat, f_flat = _flatten(t_out), _flatten(f_out)
    assert len(t_flat) == len(f_flat), (t_out, f_out)
    for i, (f, t) in enumerate(zip(f_flat, t_flat)):
        if isinstance(t, torch.Tensor):
            assert_close(f, t, atol, rtol, what=f'output {i}')
        else:
            assert f == t, (f, t)
    for name, tb in torch_module.named_buffers():
        fb = dict(fl_module.named_buffers())[name]
        if tb is not None:
            assert_close(fb, tb, atol, rtol, what=f'buffer {name}')
    if not grad:
        return t_out, f_out
    t_roots, f_roots, grads_t, grads_f = [], [], [], []
    for f, t in zip(f_flat, t_flat):
        if isinstance(t, torch.Tensor) and t.requires_grad:
            g = _RNG.standard_normal(tuple(t.shape)).astype(to_np(t).dtype)
            t_roots.append(t)
            f_roots.append(f)
            grads_t.append(torch.from_numpy(g.copy()).to(t.dtype))
            grads_f.append(to_fl(torch.from_numpy(g.copy()).to(t.dtype)))
    if not t_roots:
        return t_out, f_out
    torch.autograd.backward(t_roots, grads_t)
    flambeau.autograd.backward(f_roots, grads_f)
    for i, (f, t) in enumerate(zip(f_in, t_in)):
        if isinstance(t, torch.Tensor) and t.requires_grad:
            if t.grad is None:
                assert f.grad is None, f'input {i} grad'
            else:
                assert_close(f.grad, t.grad, atol, rtol, what=f'grad of input {i}')
    fparams = dict(fl_module.named_parameters())
    for name, p in torch_module.named_parameters():
        fp = fparams[name]
        if p.grad is None:
            assert fp.grad is None, f'grad of {name}: {fp.grad}'
        else:
            assert fp.grad is not None, f'grad of {name} missing'
            assert_close(fp.grad, p.grad, atol, rtol, what=f'grad of {name}')
    return t_out, f_out
