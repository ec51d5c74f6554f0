"""Op registry entries: conv ops (see opinfo.py for the framework)."""
from opinfo import OpInfo, S  # noqa: F401

OPS = []


def register(*infos):
    OPS.extend(infos)
