"""recoup: collections for companies that sell to other businesses on credit."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("recoup")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"
