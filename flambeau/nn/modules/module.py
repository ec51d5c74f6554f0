"""Module."""
__all__ = []
