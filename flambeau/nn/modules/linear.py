"""Linear, Bilinear, Identity."""
__all__ = []
