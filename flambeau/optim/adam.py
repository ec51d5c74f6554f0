"""Adam, with AMSGrad, L2 or decoupled weight decay and maximization
(Note [In-place updates] in optimizer.py)."""
import numpy as np

from .._blas import axpby
from ..tensor import Tensor
from .optimizer import (Optimizer, _bump, _check_betas, _check_differentiable, _check_lr,
                        _lerp_, _scalar_tensor, _to_scalar, _zeros_like)

__all__ = ['Adam']


class Adam(Optimizer):
    r"""The Adam algorithm (Kingma and Ba, 2014), with the AMSGrad variant.

    For each parameter :math:`\theta` with gradient :math:`g` at step :math:`t`::

        g = g + weight_decay * theta        (L2; or theta *= 1 - lr * weight_decay if decoupled)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        v_max = max(v_max, v)               (amsgrad; then v_max replaces v below)
        theta = theta - lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)

    Args:
        params (iterable): tensors to optimize, ``(name, tensor)`` pairs, or dicts of groups.
        lr (float, Tensor, optional): learning rate (default: 1e-3).
        betas (Tuple[float, float], optional): decay rates of the moving averages of the
            gradient and of its square (default: (0.9, 0.999)).
        eps (float, optional): added to the denominator (default: 1e-8).
        weight_decay (float, optional): weight decay (default: 0).
        amsgrad (bool, optional): use the maximum of past second moments (default: False).
        maximize (bool, optional): maximize the objective (default: False).
        decoupled_weight_decay (bool, optional): AdamW's decoupled decay (default: False).
        foreach, capturable, fused (bool, optional): accepted for compatibility.
        differentiable (bool, optional): must be False.

    State per parameter: ``step`` (a 0-d float tensor), ``exp_avg``, ``exp_avg_sq`` and, with
    amsgrad, ``max_exp_avg_sq``.

    Example::

        >>> optimizer = flambeau.optim.Adam(model.parameters(), lr=1e-3)
        >>> optimizer.zero_grad(); loss_fn(model(x), y).backward(); optimizer.step()
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):
        if isinstance(lr, Tensor):
            if foreach and not capturable:
                raise ValueError('lr as a Tensor is not supported for capturable=False and '
                                 'foreach=True')
        _check_lr(lr)
        if not 0.0 <= eps:
            raise ValueError(f'Invalid epsilon value: {eps}')
        _check_betas(betas)
        if not 0.0 <= weight_decay:
            raise ValueError(f'Invalid weight_decay value: {weight_decay}')
        if not ((isinstance(betas[0], float) and isinstance(betas[1], float))
                or (isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor))):
            raise ValueError('betas must be either both floats or both Tensors')
        for i in (0, 1):
            if isinstance(betas[i], Tensor):
                if not capturable and foreach:
                    raise ValueError(f'betas[{i}] as a Tensor is not supported for '
                                     'capturable=False and foreach=True')
                if betas[i].numel() != 1:
                    raise ValueError(f'Tensor betas[{i}] must be 1-element')
        betas = tuple(_to_scalar(b) for b in betas)
        _check_differentiable(differentiable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)
        if fused and foreach:
            raise RuntimeError('`fused` and `foreach` cannot be `True` together.')

    _group_defaults = {'amsgrad': False, 'maximize': False, 'foreach': None, 'capturable': False,
                       'differentiable': False, 'decoupled_weight_decay': False, 'fused': None}

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            for p in group['params']:
                s = self.state.get(p, {})
                if len(s) != 0 and not isinstance(s['step'], Tensor):
                    s['step'] = _scalar_tensor(float(s['step']))

    def step(self, closure=None):
        """Perform one optimization step.

        Args:
            closure (Callable, optional): re-evaluates the model and returns the loss.
        """
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr = _to_scalar(group['lr'])
            beta1, beta2 = (_to_scalar(b) for b in group['betas'])
            eps, wd = group['eps'], group['weight_decay']
            amsgrad, maximize = group['amsgrad'], group['maximize']
            decoupled = group['decoupled_weight_decay']
            for p in group['params']:
                if p._grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state['step'] = _scalar_tensor(0.0)
                    state['exp_avg'] = _zeros_like(p)
                    state['exp_avg_sq'] = _zeros_like(p)
                    if amsgrad:
                        state['max_exp_avg_sq'] = _zeros_like(p)
                step_t = state['step']
                step_t._data += 1
                step = float(step_t._data)
                bias_correction1 = 1 - beta1 ** step
                bias_correction2 = 1 - beta2 ** step
                mx = state['max_exp_avg_sq'] if amsgrad else None
                coefs = (lr, beta1, beta2, eps, wd, decoupled, maximize, lr / bias_correction1,
                         bias_correction2 ** 0.5)
                m, v = state['exp_avg'], state['exp_avg_sq']
                self._blocked(_adam_update, p, (p._data, m._data, v._data,
                                                None if mx is None else mx._data,
                                                p._grad._data), coefs)
                if amsgrad:
                    _bump(mx)
                _bump(p, m, v, step_t)
        return loss


def _adam_update(xp, p, ea, eas, mx, g, t0, t1, coefs):
    """One Adam step on arrays (or on aligned blocks of them, Note [Blocked updates]): ``p``,
    ``ea`` (exp_avg), ``eas`` (exp_avg_sq) and ``mx`` (max_exp_avg_sq or None) in place."""
    lr, beta1, beta2, eps, wd, decoupled, maximize, step_size, bc2_sqrt = coefs
    if wd != 0 and decoupled:
        p *= 1 - lr * wd
    elif wd != 0:
        xp.multiply(p, wd, out=t0)
        (xp.subtract if maximize else xp.add)(t0, g, out=t0)
        g = t0
    if maximize and (wd == 0 or decoupled):
        xp.negative(g, out=t0)
        g = t0
    # the running averages by the BLAS's axpby where it takes them (Note [Vector updates by the
    # BLAS]), else in NumPy's passes
    if xp is np and axpby(1 - beta1, g, beta1, ea):
        np.multiply(g, g, out=t1)
        axpby(1 - beta2, t1, beta2, eas)
    else:
        _lerp_(xp, ea, g, 1 - beta1, t1)
        eas *= beta2
        xp.multiply(g, g, out=t1)
        t1 *= 1 - beta2
        eas += t1
    if mx is not None:
        xp.maximum(mx, eas, out=mx)
        xp.sqrt(mx, out=t1)
    else:
        xp.sqrt(eas, out=t1)
    # lr/bc1 * m / (sqrt(v)/sqrt(bc2) + eps), with sqrt(bc2) moved out of the denominator: one
    # pass over the arrays less
    t1 += eps * bc2_sqrt
    xp.divide(ea, t1, out=t1)
    if not (xp is np and axpby(-step_size * bc2_sqrt, t1, 1.0, p)):
        t1 *= step_size * bc2_sqrt
        xp.subtract(p, t1, out=p)
