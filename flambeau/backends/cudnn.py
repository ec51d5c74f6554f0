"""``flambeau.backends.cudnn``: cuDNN's switches. flambeau's convolutions are GEMMs over an
im2col view (CuPy has no cuDNN), so cuDNN is never available; the flags are kept as set."""
enabled = True
benchmark = False
deterministic = False
allow_tf32 = True


def is_available():
    """False: flambeau does not use cuDNN."""
    return False


def version():
    """None: no cuDNN library is used."""
    return None
