"""the pooling modules."""
__all__ = []
