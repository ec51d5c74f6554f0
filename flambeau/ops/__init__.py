"""Every operation of flambeau, grouped by family. An op is a function holding its forward,
with its derivative (a ``Node`` subclass) right beside it."""
