"""the loss modules."""
__all__ = []
