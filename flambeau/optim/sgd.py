"""Stochastic gradient descent, with momentum, dampening, Nesterov momentum, weight decay and
maximization (Note [In-place updates] in optimizer.py)."""
import numpy as np

from .._blas import axpby
from .optimizer import Optimizer, _bump, _check_differentiable, _check_lr, _make, _to_scalar

__all__ = ['SGD']


class SGD(Optimizer):
    r"""Stochastic gradient descent (optionally with momentum).

    For each parameter :math:`\theta` with gradient :math:`g` (``-g`` when ``maximize``)::

        g = g + weight_decay * theta                    (if weight_decay != 0)
        b = g  (first step)  or  momentum * b + (1 - dampening) * g
        g = g + momentum * b  (nesterov)  or  b         (if momentum != 0)
        theta = theta - lr * g

    Args:
        params (iterable): tensors to optimize, ``(name, tensor)`` pairs, or dicts of groups.
        lr (float, Tensor, optional): learning rate (default: 1e-3).
        momentum (float, optional): momentum factor (default: 0).
        dampening (float, optional): dampening of the momentum (default: 0).
        weight_decay (float, optional): L2 penalty (default: 0).
        nesterov (bool, optional): Nesterov momentum (default: False).
        maximize (bool, optional): maximize the objective instead of minimizing it.
        foreach, fused (bool, optional): accepted for compatibility; flambeau has one
            implementation.
        differentiable (bool, optional): must be False.

    Example::

        >>> optimizer = flambeau.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        >>> optimizer.zero_grad()
        >>> loss_fn(model(input), target).backward()
        >>> optimizer.step()
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False,
                 *, maximize=False, foreach=None, differentiable=False, fused=None):
        _check_lr(lr)
        if momentum < 0.0:
            raise ValueError(f'Invalid momentum value: {momentum}')
        if weight_decay < 0.0:
            raise ValueError(f'Invalid weight_decay value: {weight_decay}')
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize, foreach=foreach,
                        differentiable=differentiable, fused=fused)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError('Nesterov momentum requires a momentum and zero dampening')
        _check_differentiable(differentiable)
        super().__init__(params, defaults)
        if fused and foreach:
            raise RuntimeError('`fused` and `foreach` cannot be `True` together.')

    _group_defaults = {'nesterov': False, 'maximize': False, 'foreach': None, 'differentiable':
                       False, 'fused': False}

    def step(self, closure=None):
        """Perform one optimization step.

        Args:
            closure (Callable, optional): re-evaluates the model and returns the loss.
        """
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr = _to_scalar(group['lr'])
            momentum, dampening = group['momentum'], group['dampening']
            nesterov, wd, maximize = group['nesterov'], _to_scalar(group['weight_decay']), \
                group['maximize']
            for p in group['params']:
                if p._grad is None:
                    continue
                xp = p._device._backend.xp
                g = self._grad(p, maximize, wd)
                if momentum != 0:
                    state = self.state[p]
                    buf = state.get('momentum_buffer')
                    if buf is None:
                        buf = _make(g.copy(), p._dtype, p._device)
                        state['momentum_buffer'] = buf
                    else:
                        b = buf._data
                        # one BLAS call where it takes the arrays (Note [Vector updates by the
                        # BLAS]), else NumPy's passes
                        if not (xp is np and axpby(1 - dampening, g, momentum, b)):
                            b *= momentum
                            if dampening == 0:
                                b += g
                            else:
                                t = self._tmp(p, 1)
                                xp.multiply(g, 1 - dampening, out=t)
                                b += t
                        _bump(buf)
                    if nesterov:
                        t = self._tmp(p, 1)
                        xp.multiply(buf._data, momentum, out=t)
                        t += g
                        g = t
                    else:
                        g = buf._data
                if not (xp is np and axpby(-lr, g, 1.0, p._data)):
                    t = self._tmp(p, 2)
                    xp.multiply(g, lr, out=t)
                    xp.subtract(p._data, t, out=p._data)
                _bump(p)
        return loss
