"""``flambeau.backends``: the switches PyTorch programs set on ``torch.backends`` (cuDNN,
TF32, MPS). flambeau runs CUDA through CuPy's cuBLAS kernels, without cuDNN or TF32, so these
are plain flags that programs may set and read; what they report as available is the truth.

Example::

    >>> flambeau.backends.cudnn.benchmark = True
    >>> flambeau.backends.mps.is_available()
    False
"""
from . import cpu, cuda, cudnn, mps  # noqa: F401

__all__ = ['cpu', 'cuda', 'cudnn', 'mps']
