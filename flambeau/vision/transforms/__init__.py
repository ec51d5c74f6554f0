"""``flambeau.vision.transforms``: image transforms with torchvision's API (see
``transforms.py``); the functions are in ``flambeau.vision.transforms.functional``."""
from . import functional  # noqa: F401
from .transforms import *  # noqa: F401,F403
from .transforms import __all__  # noqa: F401
