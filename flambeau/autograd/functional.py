"""Higher-level autograd on whole functions: ``jacobian``, ``hessian``, ``vjp``, ``jvp``,
``hvp``, ``vhp``.

Each takes a function of tensors and a Tensor (or tuple of Tensors) to evaluate it at. The
inputs are detached copies that require grad, so the caller's graph is untouched; results are
detached unless ``create_graph=True``. Everything is built on reverse mode
(``autograd.grad``): a Jacobian is one backward per output element, and the forward-mode
products (``jvp``, ``hvp``) use the double-backward trick: ``u -> vjp(u)`` is linear in ``u``,
so its own vjp with ``v`` is the Jacobian-vector product. ``vectorize`` is accepted and
changes nothing (the rows are computed one by one either way); ``strategy="forward-mode"``
gives the same values as reverse mode.
"""
from . import grad as _grad
from .grad_mode import enable_grad

__all__ = ['vjp', 'jvp', 'jacobian', 'hessian', 'hvp', 'vhp']


def _as_tuple(x, what, fn):
    """(was a tuple, the tuple) with PyTorch's TypeError for anything but Tensors."""
    from ..tensor import Tensor
    if isinstance(x, Tensor):
        return False, (x,)
    if not isinstance(x, tuple):
        raise TypeError(f'The {what} given to {fn} must be either a Tensor or a tuple of '
                        f'Tensors but the given {what} has type {type(x)}.')
    for i, el in enumerate(x):
        if not isinstance(el, Tensor):
            raise TypeError(f'The {what} given to {fn} must be either a Tensor or a tuple of '
                            f'Tensors but the value at index {i} has type {type(el)}.')
    return True, x


def _prepare(inputs, create_graph, need_graph):
    """Inputs to differentiate at: an alias in the caller's graph with ``create_graph`` (so
    higher derivatives reach the caller's tensors), else a detached copy."""
    out = []
    for t in inputs:
        if create_graph and t.requires_grad:
            out.append(t.view_as(t))
        else:
            out.append(t.detach().requires_grad_(need_graph))
    return tuple(out)


def _finish(tensors, create_graph):
    if create_graph:
        return tensors
    return tuple(t.detach() if t is not None else None for t in tensors)


def _check_outputs(outputs, strict):
    if strict:
        for i, o in enumerate(outputs):
            if not o.requires_grad:
                raise RuntimeError(f'Output {i} of the user-provided function does not require '
                                   'gradients. The outputs must be computed in a differentiable '
                                   'manner from the input when running in strict mode.')


def _check_v(v, ref, was_tuple):
    if len(v) != len(ref):
        if was_tuple:
            raise RuntimeError(f'v is a tuple of invalid length: should be {len(ref)} but got '
                               f'{len(v)}.')
        raise RuntimeError('The given v should contain a single Tensor.')
    for i, (a, b) in enumerate(zip(v, ref)):
        if a.shape != b.shape:
            prefix = f'Entry {i} in ' if was_tuple else ''
            raise RuntimeError(f'{prefix}v has invalid size: should be {b.shape} but got '
                               f'{a.shape}.')


def _vjp_raw(outputs, inputs, v, create_graph, strict, stage='vjp'):
    """``autograd.grad`` that tolerates outputs not requiring grad; zeros (or strict-mode
    errors) where an input is unused."""
    from ..ops.creation import zeros_like
    diff = [(o, g) for o, g in zip(outputs, v) if o.requires_grad]
    if diff:
        res = _grad([o for o, _ in diff], inputs, [g for _, g in diff], retain_graph=True,
                    create_graph=create_graph, allow_unused=True)
    else:
        res = (None,) * len(inputs)
    out = []
    for i, (g, x) in enumerate(zip(res, inputs)):
        if g is None:
            if strict:
                if stage == 'vjp':
                    raise RuntimeError(f'The output of the user-provided function is independent '
                                       f'of input {i}. This is not allowed in strict mode.')
                raise RuntimeError(f'The gradient with respect to the input is independent of '
                                   f'entry {i} in the grad_outputs when using the double backward '
                                   'trick to compute forward mode gradients. This is not allowed '
                                   'in strict mode.')
            g = zeros_like(x)
        out.append(g)
    return tuple(out)


def _linear_vjp(ys, xs, vs, create_graph, strict, independent):
    """The gradients of ``sum(y * v)`` with respect to ``xs``, over the ``ys`` that require
    grad: the double-backward trick's second step. An ``x`` that no ``y`` reaches gets zeros,
    or in strict mode ``RuntimeError(independent(i))``."""
    pairs = [(y, v) for y, v in zip(ys, vs) if y.requires_grad]
    res = (_grad([y for y, _ in pairs], xs, [v for _, v in pairs], retain_graph=True,
                 create_graph=create_graph, allow_unused=True) if pairs else (None,) * len(xs))
    from ..ops.creation import zeros_like
    out = []
    for i, (r, x) in enumerate(zip(res, xs)):
        if r is None:
            if strict:
                raise RuntimeError(independent(i))
            r = zeros_like(x)
        out.append(r)
    return out


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """The vector-Jacobian product ``v^T J`` of ``func`` at ``inputs``.

    Returns ``(func(*inputs), vjp)``, each a Tensor or a tuple like what ``func`` returns and
    like ``inputs``. ``v`` has the shape of the output(s); it may be left out when ``func``
    returns a single element.

    Example::

        >>> x = flambeau.tensor([1., 2.])
        >>> flambeau.autograd.functional.vjp(lambda t: t ** 2, x, flambeau.ones(2))
        (tensor([1., 4.]), tensor([2., 4.]))
    """
    with enable_grad():
        in_tuple, inputs = _as_tuple(inputs, 'inputs', 'vjp')
        inputs = _prepare(inputs, create_graph, True)
        outputs = func(*inputs)
        out_tuple, outputs = _as_tuple(outputs, 'outputs of the user-provided function', 'vjp')
        _check_outputs(outputs, strict)
        if v is not None:
            v_tuple, v = _as_tuple(v, 'v', 'vjp')
            v = tuple(t.detach() for t in v)
            _check_v(v, outputs, out_tuple)
        else:
            if len(outputs) != 1 or outputs[0].numel() != 1:
                raise RuntimeError('The vector v can only be None if the user-provided function '
                                   'returns a single Tensor with a single element.')
            from ..ops.creation import ones_like
            v = (ones_like(outputs[0]),)
        grads = _vjp_raw(outputs, inputs, v, create_graph, strict)
    outputs = _finish(outputs, create_graph)
    grads = _finish(grads, create_graph)
    return (outputs if out_tuple else outputs[0]), (grads if in_tuple else grads[0])


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """The Jacobian-vector product ``J v`` of ``func`` at ``inputs`` (computed with the
    double-backward trick).

    Returns ``(func(*inputs), jvp)``; ``v`` has the shape of the input(s) and may be left out
    for a single one-element input.

    Example::

        >>> x = flambeau.tensor([1., 2.])
        >>> flambeau.autograd.functional.jvp(lambda t: t ** 2, x, flambeau.tensor([1., 0.]))
        (tensor([1., 4.]), tensor([2., 0.]))
    """
    from ..ops.creation import ones_like, zeros_like
    with enable_grad():
        in_tuple, inputs = _as_tuple(inputs, 'inputs', 'jvp')
        inputs = _prepare(inputs, create_graph, True)
        if v is not None:
            _, v = _as_tuple(v, 'v', 'jvp')
            v = tuple(t.detach() for t in v)
            _check_v(v, inputs, in_tuple)
        else:
            if len(inputs) != 1 or inputs[0].numel() != 1:
                raise RuntimeError('The vector v can only be None if the input to the '
                                   'user-provided function is a single Tensor with a single '
                                   'element.')
            v = (ones_like(inputs[0]),)
        outputs = func(*inputs)
        out_tuple, outputs = _as_tuple(outputs, 'outputs of the user-provided function', 'jvp')
        _check_outputs(outputs, strict)
        # u -> u^T J is linear in u: its vjp with v is J v
        us = tuple(zeros_like(o).requires_grad_(True) for o in outputs)
        g = _vjp_raw(outputs, inputs, us, True, strict, stage='double_back')
        out = _linear_vjp(g, us, v, create_graph, strict, lambda i: (
            f'The output of the user-provided function is independent of input {i}. This is '
            'not allowed in strict mode.'))
    outputs = _finish(outputs, create_graph)
    out = _finish(tuple(out), create_graph)
    return (outputs if out_tuple else outputs[0]), (out if out_tuple else out[0])


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy='reverse-mode'):
    """The Jacobian of ``func`` at ``inputs``: for output ``i`` and input ``j``, a tensor of
    shape ``outputs[i].shape + inputs[j].shape``. A single Tensor input and output give one
    Tensor; tuples give (nested) tuples, outputs first.

    Example::

        >>> x = flambeau.tensor([1., 2.])
        >>> flambeau.autograd.functional.jacobian(lambda t: t ** 2, x)
        tensor([[2., 0.],
                [0., 4.]])
    """
    if strategy not in ('forward-mode', 'reverse-mode'):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode". '
                             'Hint: If your function has more outputs than inputs, '
                             '"forward-mode" tends to be more performant. Otherwise, prefer to '
                             'use "reverse-mode".')
    if strategy == 'forward-mode':
        if create_graph:
            raise NotImplementedError('torch.autograd.functional.jacobian: `create_graph=True` '
                                      'and `strategy="forward-mode"` are not supported together '
                                      '(yet). Please either set `create_graph=False` or '
                                      '`strategy="reverse-mode"`.')
        if not vectorize:
            raise NotImplementedError('Computing Jacobian using forward-AD or forward-over-'
                                      'reverse Hessian is only implemented for `vectorize=True`.')
    if strict and vectorize:
        raise RuntimeError('torch.autograd.functional.jacobian: `strict=True` and '
                           '`vectorized=True` are not supported together. Please either set '
                           '`strict=False` or `vectorize=False`.')
    from ..ops.creation import zeros, zeros_like
    from ..ops.shape import stack
    with enable_grad():
        in_tuple, inputs = _as_tuple(inputs, 'inputs', 'jacobian')
        inputs = _prepare(inputs, create_graph, True)
        outputs = func(*inputs)
        out_tuple, outputs = _as_tuple(outputs, 'outputs of the user-provided function',
                                       'jacobian')
        _check_outputs(outputs, strict)
        result = []
        for i, out in enumerate(outputs):
            flat = out.reshape(-1)
            rows = [[] for _ in inputs]
            for k in range(flat.numel()):
                if out.requires_grad:
                    gs = _grad(flat[k], inputs, retain_graph=True, create_graph=create_graph,
                               allow_unused=True)
                else:
                    gs = (None,) * len(inputs)
                for j, (g, x) in enumerate(zip(gs, inputs)):
                    if g is None:
                        if strict:
                            raise RuntimeError(f'Output {i} of the user-provided function is '
                                               f'independent of input {j}. This is not allowed '
                                               'in strict mode.')
                        g = zeros_like(x)
                    rows[j].append(g)
            per_input = []
            for j, x in enumerate(inputs):
                shape = tuple(out.shape) + tuple(x.shape)
                if rows[j]:
                    jac = stack(rows[j]).reshape(shape)
                else:
                    jac = zeros(shape, dtype=x.dtype, device=x.device)
                per_input.append(jac if create_graph else jac.detach())
            result.append(tuple(per_input))
    if not in_tuple:
        result = [r[0] for r in result]
    return tuple(result) if out_tuple else result[0]


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy='reverse-mode'):
    """The Hessian of scalar function ``func`` at ``inputs``: a tensor of shape
    ``input.shape + input.shape`` for one input; for a tuple, ``H[i][j]`` of shape
    ``inputs[i].shape + inputs[j].shape``.

    Example::

        >>> x = flambeau.tensor([1., 2.])
        >>> flambeau.autograd.functional.hessian(lambda t: (t ** 3).sum(), x)
        tensor([[ 6.,  0.],
                [ 0., 12.]])
    """
    in_tuple, inputs = _as_tuple(inputs, 'inputs', 'hessian')

    def scalar_func(*inp):
        out = func(*inp)
        out_tuple, t_out = _as_tuple(out, 'outputs of the user-provided function', 'hessian')
        _check_outputs(t_out, strict)
        if out_tuple:
            raise RuntimeError('The function given to hessian should return a single Tensor')
        if out.numel() != 1:
            raise RuntimeError('The Tensor returned by the function given to hessian should '
                               'contain a single element')
        return out.squeeze()

    def jac_func(*inp):
        jac = jacobian(scalar_func, inp, create_graph=True)
        if strict:
            for i, j in enumerate(jac):
                if not j.requires_grad:
                    raise RuntimeError(
                        'While computing the hessian, found that the jacobian of the '
                        f'user-provided function with respect to input {i} is independent of '
                        'the input. This is not allowed in strict mode. You should ensure that '
                        'your function is twice differentiable and that the jacobian depends on '
                        'the inputs (this would be violated by a linear function for example).')
        return jac

    res = jacobian(jac_func, inputs, create_graph=create_graph, strict=strict,
                   vectorize=vectorize, strategy=outer_jacobian_strategy)
    return res if in_tuple else res[0][0]


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """The vector-Hessian product ``v^T H`` of scalar function ``func`` at ``inputs``.
    Returns ``(func(*inputs), vhp)``.

    Example::

        >>> x = flambeau.tensor([1., 2.])
        >>> flambeau.autograd.functional.vhp(lambda t: (t ** 3).sum(), x, flambeau.ones(2))
        (tensor(9.), tensor([ 6., 12.]))
    """
    return _hessian_product(func, inputs, v, create_graph, strict, 'vhp')


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """The Hessian-vector product ``H v`` of scalar function ``func`` at ``inputs`` (equal
    to ``vhp`` for the symmetric Hessians of twice continuously differentiable functions).
    Returns ``(func(*inputs), hvp)``.

    Example::

        >>> x = flambeau.tensor([1., 2.])
        >>> flambeau.autograd.functional.hvp(lambda t: (t ** 3).sum(), x, flambeau.ones(2))
        (tensor(9.), tensor([ 6., 12.]))
    """
    return _hessian_product(func, inputs, v, create_graph, strict, 'hvp')


def _hessian_product(func, inputs, v, create_graph, strict, name):
    from ..ops.creation import ones_like, zeros_like
    with enable_grad():
        in_tuple, inputs = _as_tuple(inputs, 'inputs', name)
        inputs = _prepare(inputs, create_graph, True)
        if v is not None:
            _, v = _as_tuple(v, 'v', name)
            v = tuple(t.detach() for t in v)
            _check_v(v, inputs, in_tuple)
        else:
            if len(inputs) != 1 or inputs[0].numel() != 1:
                raise RuntimeError('The vector v can only be None if the input to the '
                                   'user-provided function is a single Tensor with a single '
                                   'element.')
            v = (ones_like(inputs[0]),)
        out = func(*inputs)
        out_tuple, t_out = _as_tuple(out, 'outputs of the user-provided function', name)
        _check_outputs(t_out, strict)
        if out_tuple:
            raise RuntimeError(f'The function given to {name} should return a single Tensor')
        if out.numel() != 1:
            raise RuntimeError(f'The Tensor returned by the function given to {name} should '
                               'contain a single element')
        if out.requires_grad:
            jac = _grad(out, inputs, create_graph=True, allow_unused=True)
        else:
            jac = (None,) * len(inputs)
        jac = tuple(zeros_like(x) if g is None else g for g, x in zip(jac, inputs))
        for i, g in enumerate(jac):
            if strict and not g.requires_grad:
                raise RuntimeError(f'The jacobian of the user-provided function is independent '
                                   f'of input {i}. This is not allowed in strict mode.')
        # H is symmetric: v^T H and H v are both the vjp of the gradient with v
        prod = _linear_vjp(jac, inputs, v, create_graph, strict, lambda i: (
            f'The hessian of the user-provided function is independent of entry {i} in the '
            'grad_jacobian. This is not allowed in strict mode as it prevents from using the '
            'double backward trick to replace forward mode AD.'))
    out = out if create_graph else out.detach()
    prod = _finish(tuple(prod), create_graph)
    return out, (prod if in_tuple else prod[0])
