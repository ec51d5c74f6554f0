"""the activation modules."""
__all__ = []
