"""``flambeau.vision.datasets``: torchvision's datasets, reading torchvision's on-disk layout."""
from .cifar import CIFAR10, CIFAR100
from .fakedata import FakeData
from .folder import DatasetFolder, ImageFolder
from .mnist import KMNIST, MNIST, FashionMNIST
from .vision import VisionDataset

__all__ = ['MNIST', 'FashionMNIST', 'KMNIST', 'CIFAR10', 'CIFAR100', 'ImageFolder',
           'DatasetFolder', 'FakeData', 'VisionDataset']
