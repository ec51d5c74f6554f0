"""``flambeau.backends.cpu``."""


def get_cpu_capability():
    """The vector instruction set NumPy's kernels were dispatched to on this CPU, in PyTorch's
    spelling (``'AVX512'``, ``'AVX2'`` or ``'DEFAULT'``)."""
    import numpy as np
    features = np._core._multiarray_umath.__cpu_features__
    if features.get('AVX512F') and features.get('AVX512BW'):
        return 'AVX512'
    if features.get('AVX2'):
        return 'AVX2'
    return 'DEFAULT'
