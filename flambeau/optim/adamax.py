"""Adamax: Adam with the infinity norm (Note [In-place updates] in optimizer.py)."""
from .optimizer import (Optimizer, _bump, _check_betas, _check_differentiable, _check_lr,
                        _check_nonneg, _lerp_, _scalar_tensor, _to_scalar, _zeros_like)

__all__ = ['Adamax']


class Adamax(Optimizer):
    r"""The Adamax algorithm, the infinity-norm variant of Adam (Kingma and Ba, 2014).

    For each parameter :math:`\theta` with gradient :math:`g` at step :math:`t`::

        g = g + weight_decay * theta
        m = beta1 * m + (1 - beta1) * g
        u = max(beta2 * u, |g| + eps)
        theta = theta - lr / (1 - beta1**t) * m / u

    Args:
        params (iterable): tensors to optimize, ``(name, tensor)`` pairs, or dicts of groups.
        lr (float, Tensor, optional): learning rate (default: 2e-3).
        betas (Tuple[float, float], optional): decay rates (default: (0.9, 0.999)).
        eps (float, optional): added for numerical stability (default: 1e-8).
        weight_decay (float, optional): L2 penalty (default: 0).
        maximize (bool, optional): maximize the objective (default: False).
        foreach, capturable (bool, optional): accepted for compatibility.
        differentiable (bool, optional): must be False.

    Example::

        >>> optimizer = flambeau.optim.Adamax(model.parameters())
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 foreach=None, *, maximize=False, differentiable=False, capturable=False):
        _check_lr(lr)
        _check_nonneg(eps, 'epsilon')
        _check_betas(betas)
        _check_nonneg(weight_decay, 'weight_decay')
        _check_differentiable(differentiable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
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
            beta1, beta2 = group['betas']
            eps, wd, maximize = group['eps'], group['weight_decay'], group['maximize']
            for p in group['params']:
                if p._grad is None:
                    continue
                xp = p._device._backend.xp
                state = self.state[p]
                if len(state) == 0:
                    state['step'] = _scalar_tensor(0.0)
                    state['exp_avg'] = _zeros_like(p)
                    state['exp_inf'] = _zeros_like(p)
                step_t = state['step']
                step_t._data += 1
                step = float(step_t._data)
                g = self._grad(p, maximize, wd)
                m, u = state['exp_avg'], state['exp_inf']
                t1 = self._tmp(p, 1)
                _lerp_(xp, m._data, g, 1 - beta1, t1)
                u._data *= beta2
                xp.abs(g, out=t1)
                t1 += eps
                xp.maximum(u._data, t1, out=u._data)
                clr = lr / (1 - beta1 ** step)
                xp.divide(m._data, u._data, out=t1)
                t1 *= clr
                xp.subtract(p._data, t1, out=p._data)
                _bump(p, m, u, step_t)
        return loss
