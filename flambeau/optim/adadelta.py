"""Adadelta (Note [In-place updates] in optimizer.py)."""
from .optimizer import (Optimizer, _bump, _check_differentiable, _check_lr, _check_nonneg,
                        _scalar_tensor, _to_scalar, _zeros_like)

__all__ = ['Adadelta']


class Adadelta(Optimizer):
    r"""The Adadelta algorithm (Zeiler, 2012).

    For each parameter :math:`\theta` with gradient :math:`g`::

        g = g + weight_decay * theta
        v = rho * v + (1 - rho) * g * g
        delta = sqrt(u + eps) / sqrt(v + eps) * g
        u = rho * u + (1 - rho) * delta * delta
        theta = theta - lr * delta

    Args:
        params (iterable): tensors to optimize, ``(name, tensor)`` pairs, or dicts of groups.
        lr (float, Tensor, optional): scale of the update (default: 1.0).
        rho (float, optional): decay of the running averages (default: 0.9).
        eps (float, optional): added for numerical stability (default: 1e-6).
        weight_decay (float, optional): L2 penalty (default: 0).
        maximize (bool, optional): maximize the objective (default: False).
        foreach, capturable (bool, optional): accepted for compatibility.
        differentiable (bool, optional): must be False.

    Example::

        >>> optimizer = flambeau.optim.Adadelta(model.parameters())
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *,
                 capturable=False, maximize=False, differentiable=False):
        _check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f'Invalid rho value: {rho}')
        _check_nonneg(eps, 'epsilon')
        _check_nonneg(weight_decay, 'weight_decay')
        _check_differentiable(differentiable)
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    _group_defaults = {'foreach': None, 'maximize': False, 'differentiable': False, 'capturable':
                       False}

    def step(self, closure=None):
        """Perform one optimization step.

        Args:
            closure (Callable, optional): re-evaluates the model and returns the loss.
        """
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr = _to_scalar(group['lr'])
            rho, eps, wd, maximize = group['rho'], group['eps'], group['weight_decay'], \
                group['maximize']
            for p in group['params']:
                if p._grad is None:
                    continue
                xp = p._device._backend.xp
                state = self.state[p]
                if len(state) == 0:
                    state['step'] = _scalar_tensor(0.0)
                    state['square_avg'] = _zeros_like(p)
                    state['acc_delta'] = _zeros_like(p)
                step_t = state['step']
                step_t._data += 1
                g = self._grad(p, maximize, wd)
                sq, acc = state['square_avg'], state['acc_delta']
                t1, t2 = self._tmp(p, 1), self._tmp(p, 2)
                sq._data *= rho
                xp.multiply(g, g, out=t1)
                t1 *= 1 - rho
                sq._data += t1
                xp.add(sq._data, eps, out=t1)
                xp.sqrt(t1, out=t1)                 # std
                xp.add(acc._data, eps, out=t2)
                xp.sqrt(t2, out=t2)
                t2 /= t1
                t2 *= g                             # delta
                acc._data *= rho
                xp.multiply(t2, t2, out=t1)
                t1 *= 1 - rho
                acc._data += t1
                t2 *= lr
                xp.subtract(p._data, t2, out=p._data)
                _bump(p, sq, acc, step_t)
        return loss
