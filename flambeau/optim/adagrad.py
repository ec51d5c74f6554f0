"""Adagrad (Note [In-place updates] in optimizer.py)."""
from .optimizer import (Optimizer, _bump, _check_differentiable, _check_lr, _check_nonneg,
                        _full_like, _scalar_tensor, _to_scalar)

__all__ = ['Adagrad']


class Adagrad(Optimizer):
    r"""The Adagrad algorithm (Duchi et al., 2011).

    For each parameter :math:`\theta` with gradient :math:`g` at step :math:`t`::

        g = g + weight_decay * theta
        clr = lr / (1 + (t - 1) * lr_decay)
        s = s + g * g
        theta = theta - clr * g / (sqrt(s) + eps)

    Args:
        params (iterable): tensors to optimize, ``(name, tensor)`` pairs, or dicts of groups.
        lr (float, Tensor, optional): learning rate (default: 1e-2).
        lr_decay (float, optional): learning rate decay (default: 0).
        weight_decay (float, optional): L2 penalty (default: 0).
        initial_accumulator_value (float, optional): initial value of the sums ``s``.
        eps (float, optional): added to the denominator (default: 1e-10).
        maximize (bool, optional): maximize the objective (default: False).
        foreach, fused (bool, optional): accepted for compatibility.
        differentiable (bool, optional): must be False.

    The state (``step``, ``sum``) of every parameter is created with the optimizer.

    Example::

        >>> optimizer = flambeau.optim.Adagrad(model.parameters(), lr=0.1)
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10, foreach=None, *, maximize=False, differentiable=False, fused=None):
        _check_lr(lr)
        _check_nonneg(lr_decay, 'lr_decay')
        _check_nonneg(weight_decay, 'weight_decay')
        _check_nonneg(initial_accumulator_value, 'initial_accumulator_value')
        _check_nonneg(eps, 'epsilon')
        _check_differentiable(differentiable)
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        if fused and foreach:
            raise RuntimeError('`fused` and `foreach` cannot be `True` together.')
        for group in self.param_groups:
            for p in group['params']:
                state = self.state[p]
                state['step'] = _scalar_tensor(0.0)
                init_value = group['initial_accumulator_value']
                state['sum'] = _full_like(p, init_value)

    _group_defaults = {'foreach': None, 'maximize': False, 'differentiable': False, 'fused': None}

    def share_memory(self):
        """Kept for PyTorch compatibility (multi-process sharing of the sums is a no-op)."""

    def step(self, closure=None):
        """Perform one optimization step.

        Args:
            closure (Callable, optional): re-evaluates the model and returns the loss.
        """
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr = _to_scalar(group['lr'])
            lr_decay, eps, wd = group['lr_decay'], group['eps'], group['weight_decay']
            maximize = group['maximize']
            for p in group['params']:
                if p._grad is None:
                    continue
                xp = p._device._backend.xp
                state = self.state[p]
                if len(state) == 0:
                    state['step'] = _scalar_tensor(0.0)
                    state['sum'] = _full_like(p, self.defaults['initial_accumulator_value'])
                step_t = state['step']
                step_t._data += 1
                step = float(step_t._data)
                g = self._grad(p, maximize, wd)
                clr = lr / (1 + (step - 1) * lr_decay)
                s = state['sum']
                t1 = self._tmp(p, 1)
                xp.multiply(g, g, out=t1)
                s._data += t1
                xp.sqrt(s._data, out=t1)
                t1 += eps
                xp.divide(g, t1, out=t1)
                t1 *= clr
                xp.subtract(p._data, t1, out=p._data)
                _bump(p, s, step_t)
        return loss
