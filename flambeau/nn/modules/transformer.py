"""Transformer layers: encoder/decoder layers, their stacks and ``Transformer``."""
__all__ = []
