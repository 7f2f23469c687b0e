"""momentmap: customer moment mapping as code."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("momentmap")
except PackageNotFoundError:  # running from a checkout without installing
    __version__ = "0.0.0+checkout"
