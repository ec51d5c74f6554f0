"""Rprop: resilient backpropagation (Note [In-place updates] in optimizer.py)."""
from .optimizer import (Optimizer, _bump, _check_differentiable, _check_lr, _full_like,
                        _scalar_tensor, _to_scalar, _zeros_like)

__all__ = ['Rprop']


class Rprop(Optimizer):
    r"""The resilient backpropagation algorithm (Riedmiller and Braun, 1993).

    Every element keeps its own step size: multiplied by ``etaplus`` when the gradient keeps
    its sign, by ``etaminus`` when it flips (and that step is skipped), clamped to
    ``step_sizes``; the parameter moves by ``-sign(g) * step_size``.

    Args:
        params (iterable): tensors to optimize, ``(name, tensor)`` pairs, or dicts of groups.
        lr (float, Tensor, optional): initial step size (default: 1e-2).
        etas (Tuple[float, float], optional): (etaminus, etaplus) (default: (0.5, 1.2)).
        step_sizes (Tuple[float, float], optional): minimal and maximal step sizes
            (default: (1e-6, 50)).
        maximize (bool, optional): maximize the objective (default: False).
        foreach, capturable (bool, optional): accepted for compatibility.
        differentiable (bool, optional): must be False.

    Example::

        >>> optimizer = flambeau.optim.Rprop(model.parameters())
    """

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        _check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f'Invalid eta values: {etas[0]}, {etas[1]}')
        _check_differentiable(differentiable)
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach,
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
            etaminus, etaplus = group['etas']
            step_size_min, step_size_max = group['step_sizes']
            maximize = group['maximize']
            for p in group['params']:
                if p._grad is None:
                    continue
                xp = p._device._backend.xp
                state = self.state[p]
                if len(state) == 0:
                    state['step'] = _scalar_tensor(0.0)
                    state['prev'] = _zeros_like(p)
                    state['step_size'] = _full_like(p, _to_scalar(group['lr']))
                step_t, prev, step_size = state['step'], state['prev'], state['step_size']
                step_t._data += 1
                g = self._grad(p, maximize, 0)
                sign, t2 = self._tmp(p, 1), self._tmp(p, 2)
                xp.multiply(g, prev._data, out=sign)
                xp.sign(sign, out=sign)
                sign[sign > 0] = etaplus
                flipped = sign < 0
                sign[flipped] = etaminus
                sign[sign == 0] = 1
                ss = step_size._data
                ss *= sign
                xp.clip(ss, step_size_min, step_size_max, out=ss)
                t2[...] = g
                t2[flipped] = 0                     # no step where the sign flipped
                prev._data[...] = t2
                xp.sign(t2, out=t2)
                t2 *= ss
                xp.subtract(p._data, t2, out=p._data)
                _bump(p, prev, step_size, step_t)
        return loss
