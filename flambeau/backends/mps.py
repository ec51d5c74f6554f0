"""``flambeau.backends.mps``: Apple's Metal devices, which flambeau does not support."""


def is_available():
    """False: flambeau has no Metal backend."""
    return False


def is_built():
    """False: flambeau has no Metal backend."""
    return False
