"""NAdam: Adam with Nesterov momentum (Note [In-place updates] in optimizer.py)."""

from .optimizer import (Optimizer, _bump, _check_betas, _check_differentiable, _check_lr,
                        _check_nonneg, _lerp_, _scalar_tensor, _to_scalar, _zeros_like)

__all__ = ['NAdam']


class NAdam(Optimizer):
    r"""The NAdam algorithm (Dozat, 2016): Adam with Nesterov momentum and a momentum schedule.

    For each parameter :math:`\theta` with gradient :math:`g` at step :math:`t`::

        mu_t = beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay));  P_t = P_{t-1} * mu_t
        m = beta1 * m + (1 - beta1) * g;   v = beta2 * v + (1 - beta2) * g * g
        d = sqrt(v / (1 - beta2**t)) + eps
        theta -= lr * (1 - mu_t) / (1 - P_t) * g / d + lr * mu_{t+1} / (1 - P_t mu_{t+1}) * m / d

    Args:
        params (iterable): tensors to optimize, ``(name, tensor)`` pairs, or dicts of groups.
        lr (float, Tensor, optional): learning rate (default: 2e-3).
        betas (Tuple[float, float], optional): decay rates (default: (0.9, 0.999)).
        eps (float, optional): added to the denominator (default: 1e-8).
        weight_decay (float, optional): weight decay (default: 0).
        momentum_decay (float, optional): momentum schedule constant (default: 4e-3).
        decoupled_weight_decay (bool, optional): decay the weights directly, as AdamW.
        maximize (bool, optional): maximize the objective (default: False).
        foreach, capturable (bool, optional): accepted for compatibility.
        differentiable (bool, optional): must be False.

    Example::

        >>> optimizer = flambeau.optim.NAdam(model.parameters())
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, foreach=None,
                 maximize=False, capturable=False, differentiable=False):
        _check_lr(lr)
        _check_nonneg(eps, 'epsilon')
        _check_betas(betas)
        _check_nonneg(weight_decay, 'weight_decay')
        _check_nonneg(momentum_decay, 'momentum_decay')
        _check_differentiable(differentiable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    _group_defaults = {'maximize': False, 'foreach': None, 'capturable': False, 'differentiable':
                       False, 'decoupled_weight_decay': False}

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
            momentum_decay, decoupled = group['momentum_decay'], group['decoupled_weight_decay']
            for p in group['params']:
                if p._grad is None:
                    continue
                xp = p._device._backend.xp
                state = self.state[p]
                if len(state) == 0:
                    state['step'] = _scalar_tensor(0.0)
                    state['mu_product'] = _scalar_tensor(1.0)
                    state['exp_avg'] = _zeros_like(p)
                    state['exp_avg_sq'] = _zeros_like(p)
                step_t, mu_product = state['step'], state['mu_product']
                step_t._data += 1
                step = float(step_t._data)
                bias_correction2 = 1 - beta2 ** step
                if wd != 0 and decoupled:
                    p._data *= 1 - lr * wd
                    g = self._grad(p, maximize, 0)
                else:
                    g = self._grad(p, maximize, wd)
                mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * momentum_decay))
                mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * momentum_decay))
                # the product is a 0-d tensor of the scalar dtype (float32 by default), rounded
                # there at every step as in PyTorch
                mu_product._data *= mu
                mp = float(mu_product._data)
                m, v = state['exp_avg'], state['exp_avg_sq']
                t1, t2 = self._tmp(p, 1), self._tmp(p, 2)
                _lerp_(xp, m._data, g, 1 - beta1, t1)
                v._data *= beta2
                xp.multiply(g, g, out=t1)
                t1 *= 1 - beta2
                v._data += t1
                xp.divide(v._data, bias_correction2, out=t1)
                xp.sqrt(t1, out=t1)
                t1 += eps                                   # denom
                mu_product_next = mp * mu_next
                xp.divide(g, t1, out=t2)
                t2 *= lr * (1.0 - mu) / (1.0 - mp)
                xp.subtract(p._data, t2, out=p._data)
                xp.divide(m._data, t1, out=t2)
                t2 *= lr * mu_next / (1.0 - mu_product_next)
                xp.subtract(p._data, t2, out=p._data)
                _bump(p, m, v, step_t, mu_product)
        return loss
