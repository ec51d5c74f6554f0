"""Random number generators: ``Generator``, ``manual_seed``, ``seed``, ``initial_seed``,
``get_rng_state``/``set_rng_state``.

A ``Generator`` wraps its device backend's bit generator (NumPy's PCG64 on the CPU). Results are
reproducible for a seed within flambeau; they are not PyTorch's streams (PyTorch uses its own
Mersenne Twister and Philox implementations).
"""
import pickle

import numpy as np

from .device import CPU, canonical

__all__ = ['Generator', 'manual_seed', 'seed', 'initial_seed', 'get_rng_state', 'set_rng_state',
           'default_generator']


class Generator:
    """A source of random numbers on one device, for the ``generator=`` argument of random
    functions.

    Example::

        >>> g = flambeau.Generator().manual_seed(0)
        >>> a = flambeau.rand(2, generator=g)
        >>> flambeau.equal(a, flambeau.rand(2, generator=flambeau.Generator().manual_seed(0)))
        True
    """

    def __init__(self, device='cpu'):
        self.device = canonical(device)
        self._seed = 67280421310721  # PyTorch's default CPU seed
        self._bits = self.device._backend.generator(self.device.index, self._seed)

    def manual_seed(self, seed):
        """Reseed; returns the generator."""
        seed = int(seed)
        if not -0x8000_0000_0000_0000 <= seed <= 0xffff_ffff_ffff_ffff:
            raise RuntimeError(f'Overflow when unpacking long long')
        self._seed = seed & 0xffff_ffff_ffff_ffff
        self._bits = self.device._backend.generator(self.device.index, self._seed)
        return self

    def seed(self):
        """Reseed from the operating system's entropy; returns the new seed."""
        s = int(np.random.SeedSequence().entropy) & 0xffff_ffff_ffff_ffff
        self.manual_seed(s)
        return s

    def initial_seed(self):
        """The seed this generator was last seeded with."""
        return self._seed

    def get_state(self):
        """The generator's state as a uint8 tensor (for ``set_state``)."""
        from .ops.creation import from_numpy
        raw = pickle.dumps((self._seed, self._bits.bit_generator.state))
        return from_numpy(np.frombuffer(raw, dtype=np.uint8).copy())

    def set_state(self, new_state):
        """Restore a state returned by ``get_state``."""
        seed, state = pickle.loads(new_state.numpy().tobytes())
        self._seed = seed
        self._bits.bit_generator.state = state
        return self


default_generator = Generator()


def _generator_for(generator, device):
    """The generator to draw from for a tensor on ``device``."""
    if generator is not None:
        return generator._bits
    if device is CPU:
        return default_generator._bits
    from . import cuda_generators
    return cuda_generators.default(device)._bits


def manual_seed(seed):
    """Seed the default generators of all devices; returns the CPU one.

    Example::

        >>> flambeau.manual_seed(0)  # doctest: +ELLIPSIS
        <flambeau.random.Generator object at ...>
    """
    default_generator.manual_seed(seed)
    from . import cuda_generators
    cuda_generators.seed_all(seed)
    return default_generator


def seed():
    """Seed the default generator from the operating system's entropy; returns the seed."""
    return default_generator.seed()


def initial_seed():
    """The seed of the default CPU generator."""
    return default_generator.initial_seed()


def get_rng_state():
    """The default CPU generator's state as a uint8 tensor."""
    return default_generator.get_state()


def set_rng_state(new_state):
    """Restore the default CPU generator's state."""
    default_generator.set_state(new_state)
