"""Saving and loading: ``save`` and ``load`` in PyTorch's zip checkpoint format."""
__all__ = []
