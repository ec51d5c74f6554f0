"""Random number generators: ``Generator``, ``manual_seed``, ``seed``, ``initial_seed``,
``get_rng_state``/``set_rng_state``.

A ``Generator`` wraps its device backend's bit generator (NumPy's PCG64 on the CPU). Results are
reproducible for a seed within flambeau; they are not PyTorch's streams (PyTorch uses its own
Mersenne Twister and Philox implementations).
"""
import json

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
            raise RuntimeError('Overflow when unpacking long long')
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
        """The generator's state as a uint8 tensor (for ``set_state``).

        Example::

            >>> g = flambeau.Generator()
            >>> s = g.get_state()
            >>> a = flambeau.rand(2, generator=g)
            >>> flambeau.equal(a, flambeau.rand(2, generator=g.set_state(s)))
            True
        """
        from .ops.creation import from_numpy
        # JSON, not pickle: a state tensor may come from anywhere, and reading it must run no code
        raw = json.dumps([self._seed, self._bits.bit_generator.state]).encode()
        return from_numpy(np.frombuffer(raw, dtype=np.uint8).copy())

    def set_state(self, new_state):
        """Restore a state returned by ``get_state``; returns the generator."""
        from .tensor import Tensor
        if not isinstance(new_state, Tensor) or new_state.dtype.name != 'uint8':
            raise TypeError('RNG state must be a torch.ByteTensor')
        try:
            seed, state = json.loads(new_state._host().tobytes())
            bits = self.device._backend.generator(self.device.index, 0)
            bits.bit_generator.state = state
        except (ValueError, TypeError, KeyError) as e:
            raise RuntimeError(f'Invalid generator state: {e}') from None
        self._seed = int(seed)
        self._bits = bits
        return self


default_generator = Generator()


def _generator_for(generator, device):
    """The bit generator to draw from for a tensor on ``device`` (``generator``'s, else the
    device's default one); PyTorch's errors for a wrong ``generator``."""
    if generator is not None:
        if type(generator) is not Generator:
            raise TypeError(f"argument 'generator' must be torch.Generator, not "
                            f'{type(generator).__name__}')
        if generator.device.type != device.type:
            raise RuntimeError(f"Expected a '{device.type}' device type for generator but found "
                               f"'{generator.device.type}'")
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
