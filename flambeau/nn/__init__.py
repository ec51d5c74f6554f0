"""``flambeau.nn``: PyTorch's ``torch.nn`` — ``Module`` and the layers (``modules/``, one file per
family), ``functional``, ``init`` and ``utils``."""
from .parameter import Buffer, Parameter  # noqa: F401
from .modules import *  # noqa: F401,F403
from . import functional  # noqa: F401
from . import init, utils  # noqa: F401
from .modules.linear import bilinear as _bilinear, linear as _linear

# ``linear``/``bilinear`` live beside their modules until an ops module exports them in
# FUNCTIONAL.
if not hasattr(functional, 'linear'):
    functional.linear = _linear
if not hasattr(functional, 'bilinear'):
    functional.bilinear = _bilinear
