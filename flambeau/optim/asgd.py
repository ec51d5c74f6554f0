"""ASGD: averaged stochastic gradient descent (Note [In-place updates] in optimizer.py)."""

from .optimizer import (Optimizer, _bump, _check_differentiable, _check_lr, _check_nonneg,
                        _scalar_tensor, _to_scalar, _zeros_like)

__all__ = ['ASGD']


class ASGD(Optimizer):
    r"""Averaged stochastic gradient descent (Polyak and Juditsky, 1992).

    For each parameter :math:`\theta` with gradient :math:`g` at step :math:`t`::

        g = g + weight_decay * theta
        theta = theta * (1 - lambd * eta) - eta * g
        ax = ax + mu * (theta - ax)          (ax = theta while mu == 1)
        eta = lr / (1 + lambd * lr * t) ** alpha;   mu = 1 / max(1, t - t0)

    ``state[p]['ax']`` is the averaged parameter.

    Args:
        params (iterable): tensors to optimize, ``(name, tensor)`` pairs, or dicts of groups.
        lr (float, Tensor, optional): learning rate (default: 1e-2).
        lambd (float, optional): decay term (default: 1e-4).
        alpha (float, optional): power of the eta update (default: 0.75).
        t0 (float, optional): step at which averaging starts (default: 1e6).
        weight_decay (float, optional): L2 penalty (default: 0).
        maximize (bool, optional): maximize the objective (default: False).
        foreach, capturable (bool, optional): accepted for compatibility.
        differentiable (bool, optional): must be False.

    Example::

        >>> optimizer = flambeau.optim.ASGD(model.parameters(), lr=0.01)
    """

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0,
                 foreach=None, maximize=False, differentiable=False, capturable=False):
        _check_lr(lr)
        _check_nonneg(weight_decay, 'weight_decay')
        _check_differentiable(differentiable)
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
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
            lambd, alpha, t0 = group['lambd'], group['alpha'], group['t0']
            wd, maximize = group['weight_decay'], group['maximize']
            for p in group['params']:
                if p._grad is None:
                    continue
                xp = p._device._backend.xp
                state = self.state[p]
                if len(state) == 0:
                    state['step'] = _scalar_tensor(0.0)
                    state['eta'] = _scalar_tensor(lr)
                    state['mu'] = _scalar_tensor(1.0)
                    state['ax'] = _zeros_like(p)
                step_t, eta, mu, ax = state['step'], state['eta'], state['mu'], state['ax']
                step_t._data += 1
                g = self._grad(p, maximize, wd)
                # eta and mu are 0-d tensors of the scalar dtype (float32 by default): PyTorch
                # reads them back rounded to it
                eta_value = float(eta._data)
                p._data *= 1 - lambd * eta_value
                t1 = self._tmp(p, 1)
                xp.multiply(g, eta_value, out=t1)
                xp.subtract(p._data, t1, out=p._data)
                mu_value = float(mu._data)
                if mu_value != 1:
                    xp.subtract(p._data, ax._data, out=t1)
                    t1 *= mu_value
                    ax._data += t1
                else:
                    ax._data[...] = p._data
                step = float(step_t._data)
                # written in place (on whatever device load_state_dict put them)
                eta._data[...] = lr / (1 + lambd * lr * step) ** alpha
                mu._data[...] = 1 / max(1, step - t0)
                _bump(p, ax, step_t, eta, mu)
        return loss
