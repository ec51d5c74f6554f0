"""``flambeau.optim``: optimizers (``SGD``, ``Adam``, ...) and learning-rate schedulers
(``flambeau.optim.lr_scheduler``), with PyTorch's names, options, trajectories and
``state_dict`` layout.

Example::

    >>> optimizer = flambeau.optim.Adam(model.parameters(), lr=1e-3)
    >>> scheduler = flambeau.optim.lr_scheduler.StepLR(optimizer, step_size=10)
    >>> for epoch in range(epochs):
    ...     for x, y in data:
    ...         optimizer.zero_grad()
    ...         loss_fn(model(x), y).backward()
    ...         optimizer.step()
    ...     scheduler.step()
"""
from . import lr_scheduler  # noqa: F401
from . import swa_utils  # noqa: F401
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam
from .adamax import Adamax
from .adamw import AdamW
from .asgd import ASGD
from .lbfgs import LBFGS
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD

__all__ = ['ASGD', 'Adadelta', 'Adagrad', 'Adam', 'AdamW', 'Adamax', 'LBFGS', 'NAdam',
           'Optimizer', 'RAdam', 'RMSprop', 'Rprop', 'SGD', 'lr_scheduler', 'swa_utils']
