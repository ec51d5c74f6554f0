"""Helpers of the ``DataLoader``: collation, fetching, and the worker-process side."""
from . import collate, fetch, worker  # noqa: F401
from .worker import MP_STATUS_CHECK_INTERVAL  # noqa: F401
