"""Stochastic Weight Averaging and exponential moving averages of a model's weights
(``AveragedModel``), the averaging functions, the ``SWALR`` learning-rate schedule and
``update_bn`` (recomputes the BatchNorm statistics of an averaged model), as in
``torch.optim.swa_utils``.

Example::

    >>> swa_model = flambeau.optim.swa_utils.AveragedModel(model)
    >>> swa_scheduler = flambeau.optim.swa_utils.SWALR(optimizer, swa_lr=0.05)
    >>> for epoch in range(100):
    ...     train_one_epoch(model, optimizer)
    ...     if epoch >= 75:
    ...         swa_model.update_parameters(model)
    ...         swa_scheduler.step()
    >>> flambeau.optim.swa_utils.update_bn(loader, swa_model)
"""
import itertools
import math
from copy import deepcopy

from .. import dtypes as _dt
from ..autograd.grad_mode import no_grad
from ..nn.modules.batchnorm import _BatchNorm
from ..nn.modules.module import Module
from ..ops.creation import tensor as _tensor
from ..tensor import Tensor
from .lr_scheduler import LRScheduler, _format_param, _warn_get_lr_called_within_step

__all__ = ['AveragedModel', 'update_bn', 'SWALR', 'get_ema_multi_avg_fn', 'get_swa_multi_avg_fn',
           'get_ema_avg_fn', 'get_swa_avg_fn']

# the device types on which the default SWA average runs as one multi-tensor ``lerp`` (as
# PyTorch's foreach kernels); elsewhere it is ``get_swa_avg_fn`` tensor by tensor
_FOREACH_DEVICES = ('cuda',)


def _check_decay(decay):
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f'Invalid decay value {decay} provided. Please provide a value in [0,1] '
                         f'range.')


def _weight(w):
    """A lerp weight as a Python number (a 0-d tensor weight is read once)."""
    return w.item() if isinstance(w, Tensor) else w


def get_ema_multi_avg_fn(decay=0.999):
    """The in-place exponential moving average of lists of parameters, for
    ``AveragedModel(multi_avg_fn=...)``: ``ema = decay * ema + (1 - decay) * current``.

    Args:
        decay (float): the decay rate, in [0, 1]. Default: 0.999.

    Example::

        >>> ema_model = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(0.9))
    """
    _check_decay(decay)

    def ema_update(ema_param_list, current_param_list, _):
        with no_grad():
            if ema_param_list[0].is_floating_point():
                for p_ema, p_model in zip(ema_param_list, current_param_list):
                    p_ema.lerp_(p_model, 1 - decay)
            else:
                for p_ema, p_model in zip(ema_param_list, current_param_list):
                    p_ema.copy_(p_ema * decay + p_model * (1 - decay))

    return ema_update


def get_swa_multi_avg_fn():
    """The in-place equally weighted (SWA) running average of lists of parameters, for
    ``AveragedModel(multi_avg_fn=...)``: ``avg += (current - avg) / (num_averaged + 1)``.

    Example::

        >>> swa_model = AveragedModel(model, multi_avg_fn=get_swa_multi_avg_fn())
    """
    def swa_update(averaged_param_list, current_param_list, num_averaged):
        with no_grad():
            if averaged_param_list[0].is_floating_point():
                w = _weight(1 / (num_averaged + 1))
                for p_avg, p_model in zip(averaged_param_list, current_param_list):
                    p_avg.lerp_(p_model, w)
            else:
                for p_avg, p_model in zip(averaged_param_list, current_param_list):
                    diff = p_model - p_avg
                    if isinstance(num_averaged, Tensor):
                        p_avg.addcdiv_(diff, num_averaged + 1)
                    else:
                        p_avg.add_(diff, alpha=1.0 / (num_averaged + 1))

    return swa_update


def get_ema_avg_fn(decay=0.999):
    """The exponential moving average of one parameter, for ``AveragedModel(avg_fn=...)``:
    returns ``decay * ema + (1 - decay) * current``.

    Args:
        decay (float): the decay rate, in [0, 1]. Default: 0.999.

    Example::

        >>> ema_model = AveragedModel(model, avg_fn=get_ema_avg_fn(0.9))
    """
    _check_decay(decay)

    def ema_update(ema_param, current_param, num_averaged):
        with no_grad():
            return decay * ema_param + (1 - decay) * current_param

    return ema_update


def get_swa_avg_fn():
    """The equally weighted (SWA) running average of one parameter, for
    ``AveragedModel(avg_fn=...)``: returns ``avg + (current - avg) / (num_averaged + 1)``.

    Example::

        >>> swa_model = AveragedModel(model, avg_fn=get_swa_avg_fn())
    """
    def swa_update(averaged_param, current_param, num_averaged):
        with no_grad():
            return averaged_param + (current_param - averaged_param) / (num_averaged + 1)

    return swa_update


def _group_by_device_dtype(avg, cur):
    """``{(device, dtype): ([averaged...], [current...])}`` in first-seen order."""
    groups = {}
    for a, c in zip(avg, cur):
        lists = groups.setdefault((a.device, a.dtype), ([], []))
        lists[0].append(a)
        lists[1].append(c)
    return groups


class AveragedModel(Module):
    r"""A copy of ``model`` whose parameters (and, with ``use_buffers``, buffers) hold a
    running average of ``model``'s, for Stochastic Weight Averaging (SWA) and exponential
    moving averages (EMA). ``forward`` calls the averaged copy.

    Args:
        model (Module): the model to average (deep-copied).
        device (flambeau.device, optional): where the averaged copy lives.
        avg_fn (callable, optional): ``avg_fn(averaged, current, num_averaged)`` returns the
            new average of one parameter.
        multi_avg_fn (callable, optional): ``multi_avg_fn(averaged_list, current_list,
            num_averaged)`` updates lists of parameters in place. Without either, the
            equally weighted average (SWA).
        use_buffers (bool): average the buffers as well; otherwise they are copied from
            ``model`` on each update. Default: ``False``.

    The first :meth:`update_parameters` copies ``model``'s values; ``n_averaged`` (a buffer,
    saved in the ``state_dict``) counts the updates.

    Example::

        >>> swa_model = AveragedModel(model)
        >>> ema_model = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(0.999))
        >>> for epoch in range(epochs):
        ...     train_one_epoch(model)
        ...     swa_model.update_parameters(model)
    """

    def __init__(self, model, device=None, avg_fn=None, multi_avg_fn=None, use_buffers=False):
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError('Only one of avg_fn and multi_avg_fn should be provided')
        self.module = deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer('n_averaged', _tensor(0, dtype=_dt.int64, device=device))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args, **kwargs):
        """The averaged model's output."""
        return self.module(*args, **kwargs)

    def update_parameters(self, model):
        """Fold ``model``'s current parameters (and buffers with ``use_buffers``) into the
        average; the first call copies them."""
        if self.use_buffers:
            self_param = itertools.chain(self.module.parameters(), self.module.buffers())
            model_param = itertools.chain(model.parameters(), model.buffers())
        else:
            self_param, model_param = self.parameters(), model.parameters()
        self_detached, model_detached = [], []
        copy_param = bool(self.n_averaged == 0)
        for p_averaged, p_model in zip(self_param, model_param):
            p_model_ = p_model.detach().to(p_averaged.device)
            self_detached.append(p_averaged.detach())
            model_detached.append(p_model_)
            if copy_param:
                p_averaged.detach().copy_(p_model_)
        if self.n_averaged > 0:
            if self.multi_avg_fn is not None or self.avg_fn is None:
                for (device, _), (avg, cur) in _group_by_device_dtype(self_detached,
                                                                      model_detached).items():
                    n = self.n_averaged.to(device)
                    if self.multi_avg_fn:
                        self.multi_avg_fn(avg, cur, n)
                    elif device.type in _FOREACH_DEVICES:
                        get_swa_multi_avg_fn()(avg, cur, n)
                    else:
                        avg_fn = get_swa_avg_fn()
                        for p_averaged, p_model in zip(avg, cur):
                            p_averaged.copy_(avg_fn(p_averaged, p_model, n))
            else:
                for p_averaged, p_model in zip(self_detached, model_detached):
                    n = self.n_averaged.to(p_averaged.device)
                    p_averaged.detach().copy_(self.avg_fn(p_averaged.detach(), p_model, n))
        if not self.use_buffers:
            # buffers are not averaged: keep them in sync with the source model
            for b_swa, b_model in zip(self.module.buffers(), model.buffers()):
                b_swa.detach().copy_(b_model.detach().to(b_swa.device))
        self.n_averaged += 1


def update_bn(loader, model, device=None):
    r"""Recompute the ``running_mean`` / ``running_var`` of every BatchNorm layer of ``model``
    with one pass over ``loader`` (cumulative averages over all batches), e.g. for an
    :class:`AveragedModel`, whose averaged weights make the old statistics stale.

    Args:
        loader (iterable): batches, each a tensor or a list/tuple whose first element is the
            model's input.
        model (Module): the model whose BatchNorm statistics are updated.
        device (flambeau.device, optional): where each batch is moved before the forward.

    Example::

        >>> update_bn(train_loader, swa_model)
    """
    with no_grad():
        momenta = {}
        for module in model.modules():
            if isinstance(module, _BatchNorm):
                module.reset_running_stats()
                momenta[module] = module.momentum
        if not momenta:
            return
        was_training = model.training
        model.train()
        for module in momenta:
            module.momentum = None
        for input in loader:
            if isinstance(input, (list, tuple)):
                input = input[0]
            if device is not None:
                input = input.to(device)
            model(input)
        for bn_module in momenta:
            bn_module.momentum = momenta[bn_module]
        model.train(was_training)


class SWALR(LRScheduler):
    r"""Anneals the learning rate of each parameter group to its fixed ``swa_lr`` over
    ``anneal_epochs`` epochs, then keeps it there; meant for the SWA phase of training (see
    :class:`AveragedModel`), possibly after another scheduler.

    Args:
        optimizer (Optimizer): the wrapped optimizer.
        swa_lr (float or list): the SWA learning rate, for all groups or one per group.
        anneal_epochs (int): the length of the annealing phase. Default: 10.
        anneal_strategy (str): ``'cos'`` or ``'linear'``. Default: ``'cos'``.
        last_epoch (int): the index of the last epoch. Default: -1.

    Example::

        >>> scheduler = flambeau.optim.lr_scheduler.MultiplicativeLR(optimizer, lambda e: 0.9)
        >>> swa_scheduler = SWALR(optimizer, swa_lr=0.05, anneal_epochs=20,
        ...                       anneal_strategy='linear')
        >>> for epoch in range(300):
        ...     train_one_epoch(model, optimizer)
        ...     if epoch > 160:
        ...         swa_scheduler.step()
        ...     else:
        ...         scheduler.step()
    """

    def __init__(self, optimizer, swa_lr, anneal_epochs=10, anneal_strategy='cos',
                 last_epoch=-1):
        swa_lrs = _format_param('swa_lr', optimizer, swa_lr)
        for lr, group in zip(swa_lrs, optimizer.param_groups):
            group['swa_lr'] = lr
        if anneal_strategy not in ('cos', 'linear'):
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got "
                             f'{anneal_strategy}')
        self._set_anneal_func(anneal_strategy)
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f'anneal_epochs must be equal or greater than 0, got {anneal_epochs}')
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _linear_anneal(t):
        return t

    @staticmethod
    def _cosine_anneal(t):
        return (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _get_initial_lr(lr, swa_lr, alpha):
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def get_lr(self):
        """The next learning rate of every group: the annealing of the rate the schedule
        started from (recovered from the current one) towards ``swa_lr``."""
        _warn_get_lr_called_within_step(self)
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        prev_t = max(0, min(1, (step - 1) / max(1, self.anneal_epochs)))
        prev_alpha = self.anneal_func(prev_t)
        prev_lrs = [self._get_initial_lr(group['lr'], group['swa_lr'], prev_alpha)
                    for group in self.optimizer.param_groups]
        t = max(0, min(1, step / max(1, self.anneal_epochs)))
        alpha = self.anneal_func(t)
        return [group['swa_lr'] * alpha + lr * (1 - alpha)
                for group, lr in zip(self.optimizer.param_groups, prev_lrs)]

    def _set_anneal_func(self, anneal_strategy):
        self._anneal_strategy = anneal_strategy
        self.anneal_func = self._cosine_anneal if anneal_strategy == 'cos' else \
            self._linear_anneal

    def state_dict(self):
        """The scheduler's state: every attribute but the optimizer and the annealing
        function."""
        return {k: v for k, v in self.__dict__.items() if k not in ('optimizer', 'anneal_func')}

    def load_state_dict(self, state_dict):
        """Restore a state returned by :meth:`state_dict`."""
        self.__dict__.update(state_dict)
        self._set_anneal_func(self._anneal_strategy)
