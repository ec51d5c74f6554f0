"""RAdam: rectified Adam (Note [In-place updates] in optimizer.py)."""
from .optimizer import (Optimizer, _bump, _check_betas, _check_differentiable, _check_lr,
                        _check_nonneg, _lerp_, _scalar_tensor, _to_scalar, _zeros_like)

__all__ = ['RAdam']


class RAdam(Optimizer):
    r"""The RAdam algorithm (Liu et al., 2019): Adam whose adaptive step is switched on, and
    rectified, once the variance of the second moment estimate is tractable.

    For each parameter :math:`\theta` with gradient :math:`g` at step :math:`t`::

        m = beta1 * m + (1 - beta1) * g;   v = beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1**t)
        rho_inf = 2 / (1 - beta2) - 1;  rho_t = rho_inf - 2 t beta2**t / (1 - beta2**t)
        if rho_t > 5:
            r = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
            theta -= lr * m_hat * sqrt(1 - beta2**t) / (sqrt(v) + eps) * r
        else:
            theta -= lr * m_hat

    Args:
        params (iterable): tensors to optimize, ``(name, tensor)`` pairs, or dicts of groups.
        lr (float, Tensor, optional): learning rate (default: 1e-3).
        betas (Tuple[float, float], optional): decay rates (default: (0.9, 0.999)).
        eps (float, optional): added to the denominator (default: 1e-8).
        weight_decay (float, optional): weight decay (default: 0).
        decoupled_weight_decay (bool, optional): decay the weights directly, as AdamW.
        maximize (bool, optional): maximize the objective (default: False).
        foreach, capturable (bool, optional): accepted for compatibility.
        differentiable (bool, optional): must be False.

    Example::

        >>> optimizer = flambeau.optim.RAdam(model.parameters())
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False,
                 capturable=False, differentiable=False):
        _check_lr(lr)
        _check_nonneg(eps, 'epsilon')
        _check_betas(betas)
        _check_nonneg(weight_decay, 'weight_decay')
        _check_differentiable(differentiable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    _group_defaults = {'foreach': None, 'maximize': False, 'differentiable': False,
                       'decoupled_weight_decay': False, 'capturable': False}

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
            decoupled = group['decoupled_weight_decay']
            for p in group['params']:
                if p._grad is None:
                    continue
                xp = p._device._backend.xp
                state = self.state[p]
                if len(state) == 0:
                    state['step'] = _scalar_tensor(0.0)
                    state['exp_avg'] = _zeros_like(p)
                    state['exp_avg_sq'] = _zeros_like(p)
                step_t = state['step']
                step_t._data += 1
                step = float(step_t._data)
                if wd != 0 and decoupled:
                    p._data *= 1 - lr * wd
                    g = self._grad(p, maximize, 0)
                else:
                    g = self._grad(p, maximize, wd)
                m, v = state['exp_avg'], state['exp_avg_sq']
                t1, t2 = self._tmp(p, 1), self._tmp(p, 2)
                _lerp_(xp, m._data, g, 1 - beta1, t1)
                v._data *= beta2
                xp.multiply(g, g, out=t1)
                t1 *= 1 - beta2
                v._data += t1
                bias_correction1 = 1 - beta1 ** step
                bias_correction2 = 1 - beta2 ** step
                xp.divide(m._data, bias_correction1, out=t1)   # bias-corrected exp_avg
                rho_inf = 2 / (1 - beta2) - 1
                rho_t = rho_inf - 2 * step * beta2 ** step / bias_correction2
                t1 *= lr
                if rho_t > 5.0:
                    rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                            / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
                    xp.sqrt(v._data, out=t2)
                    t2 += eps
                    xp.divide(bias_correction2 ** 0.5, t2, out=t2)   # adaptive lr
                    t1 *= t2
                    t1 *= rect
                xp.subtract(p._data, t1, out=p._data)
                _bump(p, m, v, step_t)
        return loss
