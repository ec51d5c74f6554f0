"""the padding modules."""
__all__ = []
