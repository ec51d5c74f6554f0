"""``VisionDataset``: the base of the vision datasets (root, transforms, repr)."""
import os

try:
    from ...utils.data import Dataset as _Base
except ImportError:  # flambeau.utils.data not available: a plain map-style dataset
    _Base = object

__all__ = ['VisionDataset', 'StandardTransform']


class VisionDataset(_Base):
    """Base class of the vision datasets.

    Args:
        root (str or pathlib.Path): the dataset's directory.
        transforms (callable, optional): takes an image and its label, returns both transformed.
        transform (callable, optional): takes the image, returns a transformed version.
        target_transform (callable, optional): takes the target and transforms it.

    ``transforms`` and ``transform``/``target_transform`` are mutually exclusive.
    """
    _repr_indent = 4

    def __init__(self, root=None, transforms=None, transform=None, target_transform=None):
        if isinstance(root, str):
            root = os.path.expanduser(root)
        self.root = root
        has_transforms = transforms is not None
        has_separate = transform is not None or target_transform is not None
        if has_transforms and has_separate:
            raise ValueError('Only transforms or transform/target_transform can be passed as '
                             'argument')
        self.transform = transform
        self.target_transform = target_transform
        if has_separate:
            transforms = StandardTransform(transform, target_transform)
        self.transforms = transforms

    def __getitem__(self, index):
        raise NotImplementedError

    def __len__(self):
        raise NotImplementedError

    def __repr__(self):
        head = 'Dataset ' + self.__class__.__name__
        body = [f'Number of datapoints: {self.__len__()}']
        if self.root is not None:
            body.append(f'Root location: {self.root}')
        body += self.extra_repr().splitlines()
        if getattr(self, 'transforms', None) is not None:
            body += [repr(self.transforms)]
        return '\n'.join([head] + [' ' * self._repr_indent + line for line in body])

    def extra_repr(self):
        """Extra lines of the repr (subclasses override)."""
        return ''


class StandardTransform:
    """Applies ``transform`` to the input and ``target_transform`` to the target."""

    def __init__(self, transform=None, target_transform=None):
        self.transform = transform
        self.target_transform = target_transform

    def __call__(self, input, target):
        if self.transform is not None:
            input = self.transform(input)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return input, target

    @staticmethod
    def _format(transform, head):
        lines = repr(transform).splitlines()
        return [f'{head}{lines[0]}'] + [' ' * len(head) + line for line in lines[1:]]

    def __repr__(self):
        body = [self.__class__.__name__]
        if self.transform is not None:
            body += self._format(self.transform, 'Transform: ')
        if self.target_transform is not None:
            body += self._format(self.target_transform, 'Target transform: ')
        return '\n'.join(body)
