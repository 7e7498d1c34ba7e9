"""Shared helpers of the test suite: analytic solutions, small meshes, FEM test pieces.

Imported as ``support.*`` (``tests/`` is on the path through pyproject.toml).
"""
