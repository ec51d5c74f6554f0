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


def _analytical_jacobian(fn, inputs, i, outputs):
    """Row by row: backward of each output element with a one-hot gradient."""
    from ..ops.creation import zeros_like
    from . import grad as autograd_grad
    rows = []
    x = inputs[i]
    for o in outputs:
        for k in range(o.numel()):
            g = zeros_like(o)
            g._data.reshape(-1)[k] = 1
            if not o.requires_grad:
                rows.append(np.zeros(x.numel()))
                continue
            gi, = autograd_grad(o, x, g, retain_graph=True, allow_unused=True)
            rows.append(np.zeros(x.numel()) if gi is None else
                        gi._host().astype(np.float64).ravel().copy())
    return np.stack(rows) if rows else np.zeros((0, x.numel()))


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
              check_batched_grad=False, check_batched_forward_grad=False,
              check_forward_ad=False, check_backward_ad=True, fast_mode=False, masked=None):
    """Check the gradients of ``func`` at ``inputs`` against finite differences: for every
    input that requires grad, the Jacobian from backward must match the central-difference
    one within ``atol + rtol * |numerical|``. Use float64 inputs.

    Example::

        >>> x = flambeau.randn(3, dtype=flambeau.float64, requires_grad=True)
        >>> flambeau.autograd.gradcheck(lambda t: (t * t).sin(), (x,))
        True
    """
    inputs = _tensors(inputs)
    for t in inputs:
        if t.requires_grad and t.dtype.itemsize < 8:
            import warnings
            warnings.warn(f'Input #{inputs.index(t)} requires gradient and is not a double '
                          'precision floating point. This check will likely fail if all the '
                          'inputs are not of double precision floating point.', UserWarning)
    outputs = _outputs(func, inputs)
    for i, x in enumerate(inputs):
        if not x.requires_grad:
            continue
        analytical = _analytical_jacobian(func, inputs, i, outputs)
        numerical = _numerical_jacobian(func, inputs, i, eps)
        if analytical.shape != numerical.shape or not np.allclose(analytical, numerical,
                                                                   rtol=rtol, atol=atol):
            if not raise_exception:
                return False
            raise GradcheckError(f'Jacobian mismatch for output 0 with respect to input {i},\n'
                                 f'numerical:{numerical}\nanalytical:{analytical}\n')
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, **kwargs):
    """Check second derivatives: ``gradcheck`` of the function that maps inputs (and output
    gradients) to the first derivatives computed with ``create_graph=True``.

    Example::

        >>> x = flambeau.randn(3, dtype=flambeau.float64, requires_grad=True)
        >>> flambeau.autograd.gradgradcheck(lambda t: (t ** 3).sum(), (x,))
        True
    """
    from ..ops.random import randn_like
    from . import grad as autograd_grad
    inputs = _tensors(inputs)
    outputs = [o for o in _outputs(func, inputs) if o.requires_grad]  # (not max's indices)
    if grad_outputs is None:
        grad_outputs = tuple(randn_like(o).requires_grad_() for o in outputs)
    grad_outputs = _tensors(grad_outputs)
    diff = [x for x in inputs if x.requires_grad]
    n = len(inputs)

    def first_derivatives(*args):
        xs, gs = args[:n], args[n:]
        outs = [o for o in _outputs(func, xs) if o.requires_grad]
        grads = autograd_grad(outs, [x for x in xs if x.requires_grad], gs, create_graph=True,
                              allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_derivatives, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
