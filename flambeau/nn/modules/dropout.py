"""the dropout modules."""
__all__ = []
