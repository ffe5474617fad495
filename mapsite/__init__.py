"""mapsite: Mutual Action Plans as branded, protected static deal portals."""

__version__ = "0.1.0"
