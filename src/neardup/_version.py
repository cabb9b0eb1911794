"""neardup's version, recorded in reports and index files."""

__version__ = "0.1.0"
