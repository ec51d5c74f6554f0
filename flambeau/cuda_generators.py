"""The default random generator of each non-CPU device, created on first use and reseeded
by ``manual_seed``."""
_defaults = {}
_seed = [None]


def default(device):
    """The default generator of ``device`` (a canonical device)."""
    g = _defaults.get(device)
    if g is None:
        from .random import Generator
        g = _defaults[device] = Generator(device)
        if _seed[0] is not None:
            g.manual_seed(_seed[0])
    return g


def seed_all(seed):
    """Reseed every device generator made so far, and those made later."""
    _seed[0] = seed
    for g in _defaults.values():
        g.manual_seed(seed)


def forget():
    """Drop all device generators (used when a backend is replaced)."""
    _defaults.clear()
