"""FakeData: random images, reproducible per index."""
from .vision import VisionDataset

__all__ = ['FakeData']


class FakeData(VisionDataset):
    """A dataset of random images (PIL images from normal noise) and random labels; item
    ``i`` is always the same (drawn from seed ``i + random_offset``, leaving the global
    generator as it was). The values are flambeau's random streams, not PyTorch's.

    Args:
        size (int, optional): the number of images.
        image_size (tuple, optional): ``(C, H, W)`` of the images.
        num_classes (int, optional): the number of classes.
        transform, target_transform (callable, optional): applied to image and label.
        random_offset (int, optional): shifts the seeds.

    Example::

        >>> img, label = FakeData(size=10, image_size=(3, 8, 8))[0]
    """

    def __init__(self, size=1000, image_size=(3, 224, 224), num_classes=10, transform=None,
                 target_transform=None, random_offset=0):
        super().__init__(None, transform=transform, target_transform=target_transform)
        self.size = size
        self.num_classes = num_classes
        self.image_size = image_size
        self.random_offset = random_offset

    def __getitem__(self, index):
        from ... import dtypes as _dt
        from ...ops.random import randint, randn
        from ...random import get_rng_state, manual_seed, set_rng_state
        from ..transforms.functional import to_pil_image
        if index >= len(self):
            raise IndexError(f'{self.__class__.__name__} index out of range')
        state = get_rng_state()
        manual_seed(index + self.random_offset)
        img = randn(*self.image_size)
        target = randint(0, self.num_classes, size=(1,), dtype=_dt.long)[0]
        set_rng_state(state)
        img = to_pil_image(img)
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target.item() if hasattr(target, 'item') else target

    def __len__(self):
        return self.size
