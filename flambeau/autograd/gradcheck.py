"""``gradcheck`` and ``gradgradcheck``: compare analytical gradients with finite differences."""
import numpy as np

__all__ = ['gradcheck', 'gradgradcheck', 'GradcheckError']


class GradcheckError(RuntimeError):
    """Raised by ``gradcheck`` when analytical and numerical gradients disagree."""


def _tensors(inputs):
    from ..tensor import Tensor
    if isinstance(inputs, Tensor):
        return (inputs,)
    return tuple(inputs)


def _outputs(fn, inputs):
    from ..tensor import Tensor
    out = fn(*inputs)
    return (out,) if isinstance(out, Tensor) else tuple(o for o in out if isinstance(o, Tensor))


def _numerical_jacobian(fn, inputs, i, eps):
    """d(all outputs, flattened) / d(inputs[i], flattened), by central differences."""
    x = inputs[i]
    flat = x._data.reshape(-1)  # a view: perturb in place
    cols = []
    # ``fn`` runs in the caller's grad mode: gradgradcheck's ``fn`` itself differentiates
    for k in range(flat.size):
        orig = flat[k].item()
        flat[k] = orig + eps
        plus = [o._host().astype(np.float64).ravel().copy() for o in _outputs(fn, inputs)]
        flat[k] = orig - eps
        minus = [o._host().astype(np.float64).ravel().copy() for o in _outputs(fn, inputs)]
        flat[k] = orig
        cols.append(np.concatenate([(p - m) / (2 * eps) for p, m in zip(plus, minus)]))
    if not cols:  # an empty input: one row per output element, no column
        return np.zeros((sum(o.numel() for o in _outputs(fn, inputs)), 0))
    return np.stack(cols, axis=1)


def _analytical_jacobian(fn, inputs, i, outputs, check_grad_dtypes=False):
    """Row by row: backward of each output element with a one-hot gradient."""
    from ..ops.creation import zeros_like
    from . import grad as autograd_grad
    rows = []
    x = inputs[i]
    for o in outputs:
        for k in range(o.numel()):
            if not o.requires_grad:
                rows.append(np.zeros(x.numel()))
                continue
            g = zeros_like(o)
            g._data.reshape(-1)[k] = 1
            gi, = autograd_grad(o, x, g, retain_graph=True, allow_unused=True)
            if gi is not None and check_grad_dtypes and gi.dtype is not x.dtype:
                raise GradcheckError('Gradient has dtype mismatch')
            rows.append(np.zeros(x.numel()) if gi is None else
                        gi._host().astype(np.float64).ravel().copy())
    return np.stack(rows) if rows else np.zeros((0, x.numel()))


_NOT_REENTRANT = (
    'Backward is not reentrant, i.e., running backward with same input and grad_output multiple '
    'times gives different values, although analytical gradient matches numerical gradient.The '
    'tolerance for nondeterminism was {}.')


def _check_linear_in_grad(func, inputs):
    """Backward must scale with the output gradient: a zero one gives zero input gradients.
    (NaN, as 0 * inf makes where the derivative is infinite, is let through: PyTorch fails it
    too, but it does not mean that backward ignores its gradient.)"""
    from ..ops.creation import zeros_like
    from . import grad as autograd_grad
    diff = [x for x in inputs if x.requires_grad]
    outs = [o for o in _outputs(func, inputs) if o.requires_grad]
    if not outs:
        return
    grads = autograd_grad(outs, diff, [zeros_like(o) for o in outs], allow_unused=True)
    for g in grads:
        if g is not None:
            a = g._host()
            if (a[a == a] != 0).any():
                raise GradcheckError('backward not multiplied by grad_output')


def _check_undefined_grad(func, inputs):
    """With several outputs, the gradient of any one of them may be missing (None): backward
    must then treat it as zero (PyTorch's check_undefined_grad)."""
    from ..ops.creation import zeros_like
    from . import grad as autograd_grad
    diff = [x for x in inputs if x.requires_grad]
    n = len([o for o in _outputs(func, inputs) if o.requires_grad])
    for i in range(n if n > 1 else 0):
        outs = [o for o in _outputs(func, inputs) if o.requires_grad]
        others = [o for j, o in enumerate(outs) if j != i]
        try:
            grads = autograd_grad(others, diff, [zeros_like(o) for o in others],
                                  allow_unused=True)
        except RuntimeError as e:
            raise GradcheckError('Expected backward function to handle undefined output grads. '
                                 'Please look at "Notes about undefined output gradients" in '
                                 '"tools/autograd/derivatives.yaml"') from e
        for g in grads:
            if g is not None and g._host().any():
                raise GradcheckError('Expected all input grads to be undefined or zero when all '
                                     'output grads are undefined or zero. Please look at "Notes '
                                     'about undefined output gradients" in '
                                     '"tools/autograd/derivatives.yaml"')


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
              check_batched_grad=False, check_batched_forward_grad=False,
              check_forward_ad=False, check_backward_ad=True, fast_mode=False, masked=None):
    """Check the gradients of ``func`` at ``inputs`` against finite differences: for every
    input that requires grad, the Jacobian from backward must match the central-difference
    one within ``atol + rtol * |numerical|``. Use float64 inputs.

    Also checked, as in PyTorch: backward gives the same values when run twice (within
    ``nondet_tol``); with several outputs, a missing output gradient counts as zero
    (``check_undefined_grad``); gradient dtypes match the inputs' (``check_grad_dtypes``).
    ``fast_mode`` runs the full check. Forward-mode and batched checks
    (``check_forward_ad``, ``check_batched_grad``, ``check_batched_forward_grad``) are not
    available: flambeau has no forward-mode AD or vmap.

    Example::

        >>> x = flambeau.randn(3, dtype=flambeau.float64, requires_grad=True)
        >>> flambeau.autograd.gradcheck(lambda t: (t * t).sin(), (x,))
        True
    """
    if check_forward_ad or check_batched_grad or check_batched_forward_grad:
        raise NotImplementedError('flambeau.autograd.gradcheck: check_forward_ad, '
                                  'check_batched_grad and check_batched_forward_grad need '
                                  'forward-mode AD or vmap, which flambeau does not have')
    if not check_backward_ad:
        raise AssertionError('Expected at least one of check_forward_ad or check_backward_ad to '
                             'be True')
    inputs = _tensors(inputs)
    if not any(t.requires_grad for t in inputs):
        raise ValueError('gradcheck expects at least one input tensor to require gradient, but '
                         'none of them have requires_grad=True.')
    for k, t in enumerate(inputs):
        if t.requires_grad and t.dtype.itemsize < 8:
            import warnings
            warnings.warn(f'Input #{k} requires gradient and is not a double '
                          'precision floating point. This check will likely fail if all the '
                          'inputs are not of double precision floating point.', UserWarning)
    try:
        outputs = _outputs(func, inputs)
        for i, x in enumerate(inputs):
            if not x.requires_grad:
                continue
            analytical = _analytical_jacobian(func, inputs, i, outputs, check_grad_dtypes)
            numerical = _numerical_jacobian(func, inputs, i, eps)
            if analytical.shape != numerical.shape or not np.allclose(analytical, numerical,
                                                                       rtol=rtol, atol=atol):
                raise GradcheckError(f'Jacobian mismatch for output 0 with respect to input '
                                     f'{i},\nnumerical:{numerical}\nanalytical:{analytical}\n')
            again = _analytical_jacobian(func, inputs, i, outputs)
            if not np.allclose(again, analytical, rtol=0, atol=nondet_tol):
                raise GradcheckError(_NOT_REENTRANT.format(nondet_tol))
        _check_linear_in_grad(func, inputs)
        if check_undefined_grad:
            _check_undefined_grad(func, inputs)
    except GradcheckError:
        if raise_exception:
            raise
        return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
                  check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False,
                  masked=False):
    """Check second derivatives: ``gradcheck`` of the function that maps inputs (and output
    gradients) to the first derivatives computed with ``create_graph=True``. Random output
    gradients are drawn when ``grad_outputs`` is None. ``check_fwd_over_rev`` and
    ``check_batched_grad`` are not available (no forward-mode AD or vmap).

    Example::

        >>> x = flambeau.randn(3, dtype=flambeau.float64, requires_grad=True)
        >>> flambeau.autograd.gradgradcheck(lambda t: (t ** 3).sum(), (x,))
        True
    """
    from ..ops.random import randn_like
    from . import grad as autograd_grad
    if check_fwd_over_rev or check_batched_grad:
        raise NotImplementedError('flambeau.autograd.gradgradcheck: check_fwd_over_rev and '
                                  'check_batched_grad need forward-mode AD or vmap, which '
                                  'flambeau does not have')
    if not check_rev_over_rev:
        return True
    inputs = _tensors(inputs)
    outputs = [o for o in _outputs(func, inputs) if o.requires_grad]  # (not max's indices)
    if grad_outputs is None:
        grad_outputs = tuple(randn_like(o).requires_grad_() for o in outputs)
    grad_outputs = _tensors(grad_outputs)
    n = len(inputs)

    def first_derivatives(*args):
        xs, gs = args[:n], args[n:]
        outs = [o for o in _outputs(func, xs) if o.requires_grad]
        grads = autograd_grad(outs, [x for x in xs if x.requires_grad], gs, create_graph=True,
                              allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_derivatives, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, nondet_tol=nondet_tol,
                     check_undefined_grad=check_undefined_grad,
                     check_grad_dtypes=check_grad_dtypes, fast_mode=fast_mode)
