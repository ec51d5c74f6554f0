"""RMSprop, plain or centered, with momentum (Note [In-place updates] in optimizer.py)."""
from .optimizer import (Optimizer, _bump, _check_differentiable, _check_lr, _check_nonneg,
                        _lerp_, _scalar_tensor, _to_scalar, _zeros_like)

__all__ = ['RMSprop']


class RMSprop(Optimizer):
    r"""The RMSprop algorithm (Hinton's lecture notes; centered form from Graves, 2013).

    For each parameter :math:`\theta` with gradient :math:`g`::

        g = g + weight_decay * theta
        v = alpha * v + (1 - alpha) * g * g
        avg = sqrt(v - mean_g**2) + eps   (centered: mean_g = lerp(mean_g, g, 1 - alpha))
            or sqrt(v) + eps
        b = momentum * b + g / avg;  theta -= lr * b     (momentum > 0)
        theta -= lr * g / avg                            (otherwise)

    Args:
        params (iterable): tensors to optimize, ``(name, tensor)`` pairs, or dicts of groups.
        lr (float, Tensor, optional): learning rate (default: 1e-2).
        alpha (float, optional): smoothing constant (default: 0.99).
        eps (float, optional): added to the denominator (default: 1e-8).
        weight_decay (float, optional): L2 penalty (default: 0).
        momentum (float, optional): momentum factor (default: 0).
        centered (bool, optional): normalize by an estimate of the gradient's variance.
        maximize (bool, optional): maximize the objective (default: False).
        capturable, foreach (bool, optional): accepted for compatibility.
        differentiable (bool, optional): must be False.

    Example::

        >>> optimizer = flambeau.optim.RMSprop(model.parameters(), lr=0.01, momentum=0.9)
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):
        _check_lr(lr)
        _check_nonneg(eps, 'epsilon')
        _check_nonneg(momentum, 'momentum')
        _check_nonneg(weight_decay, 'weight_decay')
        _check_nonneg(alpha, 'alpha')
        _check_differentiable(differentiable)
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    _group_defaults = {'momentum': 0, 'centered': False, 'foreach': None, 'maximize': False,
                       'differentiable': False, 'capturable': False}

    def step(self, closure=None):
        """Perform one optimization step.

        Args:
            closure (Callable, optional): re-evaluates the model and returns the loss.
        """
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr = _to_scalar(group['lr'])
            alpha, eps, wd = group['alpha'], group['eps'], group['weight_decay']
            momentum, centered, maximize = group['momentum'], group['centered'], group['maximize']
            for p in group['params']:
                if p._grad is None:
                    continue
                xp = p._device._backend.xp
                state = self.state[p]
                if len(state) == 0:
                    state['step'] = _scalar_tensor(0.0)
                    state['square_avg'] = _zeros_like(p)
                    if momentum > 0:
                        state['momentum_buffer'] = _zeros_like(p)
                    if centered:
                        state['grad_avg'] = _zeros_like(p)
                step_t = state['step']
                step_t._data += 1
                g = self._grad(p, maximize, wd)
                sq = state['square_avg']
                t1 = self._tmp(p, 1)
                sq._data *= alpha
                xp.multiply(g, g, out=t1)
                t1 *= 1 - alpha
                sq._data += t1
                if centered:
                    ga = state['grad_avg']
                    _lerp_(xp, ga._data, g, 1 - alpha, t1)
                    xp.multiply(ga._data, ga._data, out=t1)
                    xp.subtract(sq._data, t1, out=t1)
                    xp.sqrt(t1, out=t1)
                    _bump(ga)
                else:
                    xp.sqrt(sq._data, out=t1)
                t1 += eps
                xp.divide(g, t1, out=t1)
                if momentum > 0:
                    buf = state['momentum_buffer']
                    buf._data *= momentum
                    buf._data += t1
                    xp.multiply(buf._data, lr, out=t1)
                    _bump(buf)
                else:
                    t1 *= lr
                xp.subtract(p._data, t1, out=p._data)
                _bump(p, sq, step_t)
        return loss
