"""polycat: finite-element chemo-mechanics of polycrystalline cathode particles.

Lithium diffusion coupled with the anisotropic, state-of-charge dependent lattice
strain of each grain of a cathode particle embedded in a solid electrolyte.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("polycat")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
