"""DatasetFolder and ImageFolder: one sub-directory of ``root`` per class,
``root/<class>/**/<file>``."""
import os

from .vision import VisionDataset

__all__ = ['DatasetFolder', 'ImageFolder', 'IMG_EXTENSIONS', 'has_file_allowed_extension',
           'is_image_file', 'find_classes', 'make_dataset', 'pil_loader', 'default_loader']

IMG_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.ppm', '.bmp', '.pgm', '.tif', '.tiff', '.webp')


def has_file_allowed_extension(filename, extensions):
    """True if ``filename`` ends with one of ``extensions`` (case-insensitive)."""
    return filename.lower().endswith(extensions if isinstance(extensions, str)
                                     else tuple(extensions))


def is_image_file(filename):
    """True if ``filename`` has an image extension."""
    return has_file_allowed_extension(filename, IMG_EXTENSIONS)


def find_classes(directory):
    """The sorted class folders of ``directory`` and ``{class name: index}``."""
    classes = sorted(e.name for e in os.scandir(directory) if e.is_dir())
    if not classes:
        raise FileNotFoundError(f"Couldn't find any class folder in {directory}.")
    return classes, {c: i for i, c in enumerate(classes)}


def make_dataset(directory, class_to_idx=None, extensions=None, is_valid_file=None,
                 allow_empty=False):
    """``[(path, class index), ...]`` of the valid files under each class folder, sorted.
    Exactly one of ``extensions`` and ``is_valid_file`` must be given."""
    directory = os.path.expanduser(os.fspath(directory))
    if class_to_idx is None:
        _, class_to_idx = find_classes(directory)
    elif not class_to_idx:
        raise ValueError("'class_to_index' must have at least one entry to collect any samples.")
    both_none = extensions is None and is_valid_file is None
    both_something = extensions is not None and is_valid_file is not None
    if both_none or both_something:
        raise ValueError('Both extensions and is_valid_file cannot be None or not None at the '
                         'same time')
    if extensions is not None:
        def is_valid_file(x):
            return has_file_allowed_extension(x, extensions)
    instances = []
    available = set()
    for target_class in sorted(class_to_idx):
        class_index = class_to_idx[target_class]
        target_dir = os.path.join(directory, target_class)
        if not os.path.isdir(target_dir):
            continue
        for root, _, fnames in sorted(os.walk(target_dir, followlinks=True)):
            for fname in sorted(fnames):
                path = os.path.join(root, fname)
                if is_valid_file(path):
                    instances.append((path, class_index))
                    available.add(target_class)
    empty = set(class_to_idx) - available
    if empty and not allow_empty:
        msg = f"Found no valid file for the classes {', '.join(sorted(empty))}. "
        if extensions is not None:
            msg += ('Supported extensions are: '
                    f"{extensions if isinstance(extensions, str) else ', '.join(extensions)}")
        raise FileNotFoundError(msg)
    return instances


class DatasetFolder(VisionDataset):
    """A generic dataset of files arranged one folder per class::

        root/class_x/xxx.ext
        root/class_y/nsdf3.ext

    Args:
        root (str or pathlib.Path): the root directory.
        loader (callable): loads a sample from its path.
        extensions (tuple[str], optional): the extensions to accept.
        transform, target_transform (callable, optional): applied to sample and target.
        is_valid_file (callable, optional): takes a path, says whether to keep it (instead of
            ``extensions``).
        allow_empty (bool, optional): allow class folders without valid files.

    Attributes: ``classes`` (sorted folder names), ``class_to_idx``, ``samples``
    (``[(path, class index)]``) and ``targets``.
    """

    def __init__(self, root, loader, extensions=None, transform=None, target_transform=None,
                 is_valid_file=None, allow_empty=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        classes, class_to_idx = self.find_classes(self.root)
        samples = self.make_dataset(self.root, class_to_idx=class_to_idx, extensions=extensions,
                                    is_valid_file=is_valid_file, allow_empty=allow_empty)
        self.loader = loader
        self.extensions = extensions
        self.classes = classes
        self.class_to_idx = class_to_idx
        self.samples = samples
        self.targets = [s[1] for s in samples]

    @staticmethod
    def make_dataset(directory, class_to_idx, extensions=None, is_valid_file=None,
                     allow_empty=False):
        """The ``(path, class index)`` samples (see :func:`make_dataset`)."""
        if class_to_idx is None:
            raise ValueError('The class_to_idx parameter cannot be None.')
        return make_dataset(directory, class_to_idx, extensions=extensions,
                            is_valid_file=is_valid_file, allow_empty=allow_empty)

    def find_classes(self, directory):
        """The class folders of ``directory`` (override to change the class layout)."""
        return find_classes(directory)

    def __getitem__(self, index):
        path, target = self.samples[index]
        sample = self.loader(path)
        if self.transform is not None:
            sample = self.transform(sample)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return sample, target

    def __len__(self):
        return len(self.samples)


def pil_loader(path):
    """Open an image file with PIL and convert it to RGB."""
    from ..transforms.functional import _pil
    Image = _pil()
    with open(path, 'rb') as f:
        img = Image.open(f)
        return img.convert('RGB')


def default_loader(path):
    """The image loader of :class:`ImageFolder` (PIL, RGB)."""
    return pil_loader(path)


class ImageFolder(DatasetFolder):
    """A dataset of images arranged one folder per class (``root/dog/xxx.png``,
    ``root/cat/123.png``), loaded as RGB PIL images. ``imgs`` is ``samples``.

    Example::

        >>> ds = ImageFolder('photos', transform=transforms.ToTensor())
        >>> ds.classes, ds.class_to_idx
    """

    def __init__(self, root, transform=None, target_transform=None, loader=default_loader,
                 is_valid_file=None, allow_empty=False):
        super().__init__(root, loader, IMG_EXTENSIONS if is_valid_file is None else None,
                         transform=transform, target_transform=target_transform,
                         is_valid_file=is_valid_file, allow_empty=allow_empty)
        self.imgs = self.samples
