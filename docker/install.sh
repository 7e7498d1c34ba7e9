#!/bin/sh
# Install polycat from a source tree with the README's own steps (`make env`: a Python 3.12
# venv in .venv, then `pip install -e ".[dev]"`), then check that the install works.
#
#   docker/install.sh [SOURCE_DIR]      # default: the tree this script is in
#
# docker/Dockerfile runs it; tests/docker/test_install.py runs it on a copy of the
# repository in a temporary folder, so the image's install steps are tested without a
# Docker engine. PYTHON picks the interpreter (default python3.12).
set -eu

src="${1:-$(dirname "$0")/..}"
cd "$src"
PYTHON="${PYTHON:-python3.12}"
export PYTHON

make env PYTHON="$PYTHON"

# Smoke checks: the entry point, a config through the schema, MPI from the MPICH wheel.
.venv/bin/polycat --version
.venv/bin/polycat validate configs/default.yaml >/dev/null
.venv/bin/mpiexec -n 2 .venv/bin/python -c \
    'from mpi4py import MPI; import dolfinx; c = MPI.COMM_WORLD; assert c.size == 2, c.size'
echo "polycat installed in $(pwd)/.venv"
