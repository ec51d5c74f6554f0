"""Attention: ``scaled_dot_product_attention`` and the functional multi-head attention."""
__all__ = []
FUNCTIONAL = []
METHODS = {}
INPLACE = {}
