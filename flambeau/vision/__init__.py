"""``flambeau.vision``: torchvision's data side for flambeau (``import flambeau.vision as
torchvision``): ``datasets`` (MNIST, CIFAR, image folders...), ``transforms`` and ``utils``
(``make_grid``, ``save_image``). Pillow is needed only for PIL images (the ``vision`` extra)."""
from . import datasets, transforms, utils  # noqa: F401

__all__ = ['datasets', 'transforms', 'utils']
