#!/usr/bin/env bash
# Build a local stand-in for python:3.12-slim-bookworm, for machines that cannot pull from
# Docker Hub (CI here): Debian bookworm (debootstrap --variant=minbase) with CPython 3.12
# in /usr/local, pip, ca-certificates/netbase/tzdata, and this machine's CA bundle.
#
#   docker/build_base.sh [IMAGE]     # default IMAGE: localhost/polycat-base:3.12-bookworm
#   buildah bud --isolation chroot --pull=never --build-arg BASE_IMAGE=IMAGE \
#       -f docker/Dockerfile -t polycat .
#
# Where Python 3.12 comes from: Debian bookworm has no python3.12 package and only PyPI,
# Debian and npm are reachable here (no python.org sources, no python-build-standalone
# downloads), so the interpreter is this machine's own CPython 3.12 build (pyenv's, built
# on this same Debian bookworm), relocated: its prefix (stdlib, lib-dynload, headers,
# libpython3.12.so) is copied to /usr/local as in the official image, without
# site-packages and tests, the old prefix is rewritten in its text files (sysconfig data,
# python3.12-config, pkg-config), libpython is found through ldconfig (its RPATH names the
# old prefix, which no longer exists), and pip comes from its own ensurepip. The Debian
# packages of the shared libraries it loads (ldd of libpython and lib-dynload, mapped with
# dpkg -S on this machine) are installed by debootstrap. POLYCAT_BASE_PYTHON picks
# another python3.12 (default: python3.12 on PATH); it must have been built for bookworm.
#
# Machine facts the base carries: package downloads go through a TLS proxy whose CA is in
# this machine's bundle (/etc/ssl/certs/ca-certificates.crt), so every certificate of that
# bundle that Debian's ca-certificates lacks goes to /usr/local/share/ca-certificates (kept
# by any later update-ca-certificates), and /etc/pip.conf points pip at the bundle
# (`cert`), with this machine's http(s) index-url/extra-index-url, if any. The Debian
# mirror is the one of this machine's apt sources (POLYCAT_DEBIAN_MIRROR overrides).
#
# Cache (POLYCAT_CACHE_DIR, default ${XDG_CACHE_HOME:-~/.cache}/polycat): the root file
# system (debootstrap + Python) as base-<key>.tar, keyed by everything it is made from
# (this script, suite, mirror, packages, the Python build), and debootstrap's .debs. The CA
# bundle and pip.conf are added when the image is made from the tarball, so a new proxy CA
# does not invalidate it. An image already in the store with the same inputs is kept.
#
# Needs root, debootstrap and buildah (Debian packages). Exit status: 0 = built (the
# image name is the last line on stdout); 3 = cannot build here (reason on stderr);
# anything else = failed.
set -euo pipefail

IMAGE="${1:-localhost/polycat-base:3.12-bookworm}"
SUITE=bookworm
CACHE="${POLYCAT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/polycat}"
BUNDLE=/etc/ssl/certs/ca-certificates.crt

say() { echo "build_base: $*" >&2; }
cannot() {
    say "cannot build the base image here: $*"
    exit 3
}

[[ "$(id -u)" == 0 ]] || cannot "needs root (debootstrap, buildah's root store)"
for cmd in debootstrap buildah dpkg-query ldd; do
    command -v "$cmd" >/dev/null 2>&1 || cannot "$cmd is missing (apt-get install debootstrap buildah)"
done
[[ -r "$BUNDLE" ]] || cannot "no CA bundle at $BUNDLE (apt-get install ca-certificates)"

# --- the Python 3.12 to relocate -----------------------------------------------------------
cd "$(dirname "${BASH_SOURCE[0]}")/.."  # the repository: pyenv's shims read .python-version
PY="${POLYCAT_BASE_PYTHON:-$(command -v python3.12 || true)}"
[[ -n "$PY" ]] || cannot "no python3.12 on PATH (set POLYCAT_BASE_PYTHON=/path/to/python3.12)"
read -r PREFIX PYVER SHARED < <("$PY" -c 'import sys, sysconfig
print(sys.base_prefix, "%d.%d.%d" % sys.version_info[:3], sysconfig.get_config_var("Py_ENABLE_SHARED"))')
[[ "$PYVER" == 3.12.* ]] || cannot "$PY is Python $PYVER, not 3.12"
[[ -x "$PREFIX/bin/python3.12" && -d "$PREFIX/lib/python3.12/lib-dynload" ]] \
    || cannot "$PREFIX does not look like a CPython install prefix (bin/, lib/python3.12/)"
[[ "$PREFIX" != /usr ]] || cannot "$PY is a distribution's Python in /usr; give a self-built one"

# Debian packages of the shared libraries the interpreter and its extension modules load
# (dpkg -S; with merged /usr the database may know a library under /lib or /usr/lib).
owner() {
    local p="$1" alt
    case "$p" in /usr/*) alt="${p#/usr}" ;; *) alt="/usr$p" ;; esac
    { dpkg-query -S "$p" 2>/dev/null || dpkg-query -S "$alt" 2>/dev/null || true; } \
        | awk -F': ' '/^[^ ]+: \// {split($1, a, ":"); print a[1]; exit}'
}
mapfile -t LIBS < <(
    for so in "$PREFIX"/lib/libpython3.12.so* "$PREFIX"/bin/python3.12 \
        "$PREFIX"/lib/python3.12/lib-dynload/*.so; do
        [[ -f "$so" && "$so" != *_tkinter* ]] && ldd "$so"
    done | awk '/=> \// {print $3}' | sort -u
)
PKGS=(ca-certificates netbase tzdata)
for lib in "${LIBS[@]}"; do
    case "$lib" in "$PREFIX"/*) continue ;; esac
    pkg="$(owner "$lib")"
    [[ -n "$pkg" ]] || cannot "no Debian package owns $lib (is $PY built for Debian $SUITE?)"
    PKGS+=("$pkg")
done
mapfile -t PKGS < <(printf '%s\n' "${PKGS[@]}" | sort -u)

# --- Debian mirrors from this machine's apt sources ----------------------------------------
# deb822 *.sources and one-line *.list/sources.list: the first URI serving SUITE (or
# SUITE-security), main component.
apt_uri() {
    local suite="$1" f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
        [[ -r "$f" ]] || continue
        if [[ "$f" == *.sources ]]; then
            awk -v s="$suite" '
                function flush() { if (types ~ /(^| )deb( |$)/ && suites ~ "(^| )" s "( |$)" \
                    && comps ~ /(^| )main( |$)/ && enabled !~ /^no$/ && uri != "") { print uri; found = 1; exit }
                    types = suites = comps = uri = enabled = "" }
                /^[ \t]*$/ { flush(); next }
                /^#/ { next }
                { key = tolower($1); sub(/:$/, "", key); $1 = ""; sub(/^ +/, "") }
                key == "types" { types = $0 } key == "suites" { suites = $0 }
                key == "components" { comps = $0 } key == "enabled" { enabled = tolower($0) }
                key == "uris" { split($0, u, " "); uri = u[1] }
                END { if (!found) flush() }' "$f"
        else
            awk -v s="$suite" '$1 == "deb" { i = 2; if ($2 ~ /^\[/) while ($i !~ /\]$/) i++;
                if ($2 ~ /^\[/) i++; if ($(i + 1) == s) { for (j = i + 2; j <= NF; j++)
                if ($j == "main") { print $i; exit } } }' "$f"
        fi
    done | head -n 1
}
MIRROR="${POLYCAT_DEBIAN_MIRROR:-$(apt_uri "$SUITE")}"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"
SECURITY="${POLYCAT_DEBIAN_SECURITY_MIRROR:-$(apt_uri "$SUITE-security")}"
SECURITY="${SECURITY:-http://deb.debian.org/debian-security}"

# --- pip configuration of the image ----------------------------------------------------------
# cert: the bundle (the proxy's CA is in it); index-url / extra-index-url: this machine's
# http(s) ones (file:// indexes of this machine do not exist in the image).
pip_setting() {
    "$PY" -m pip config list 2>/dev/null \
        | awk -F"=" -v k="$1" '{ split($1, a, "."); if (a[2] == k) { v = substr($0, length($1) + 2)
            gsub(/^'\''|'\''$/, "", v); print v } }' \
        | tr ' ' '\n' | grep -E '^https?://' | sort -u | tr '\n' ' ' || true
}
PIP_CONF="[global]
cert = $BUNDLE"
index="$(pip_setting index-url)"
extra="$(pip_setting extra-index-url)"
[[ -z "${index// /}" ]] || PIP_CONF+=$'\n'"index-url = ${index%% *}"
[[ -z "${extra// /}" ]] || PIP_CONF+=$'\n'"extra-index-url = ${extra% }"

# --- cache keys -------------------------------------------------------------------------------
sha() { sha256sum | cut -c1-16; }
ROOTFS_KEY="$({
    cat "${BASH_SOURCE[0]}"
    echo "$SUITE $MIRROR $SECURITY ${PKGS[*]}"
    echo "$PYVER $PREFIX"
    "$PY" -c 'import sysconfig; print(sysconfig.get_config_var("CONFIG_ARGS"))'
    sha256sum "$PREFIX"/lib/libpython3.12.so* "$PREFIX/bin/python3.12"
} | sha)"
IMAGE_KEY="$({ echo "$ROOTFS_KEY"; cat "$BUNDLE"; echo "$PIP_CONF"; } | sha)"

if [[ "$(buildah inspect --type image --format '{{index .ImageAnnotations "org.polycat.base.key"}}' \
    "$IMAGE" 2>/dev/null || true)" == "$IMAGE_KEY" ]]; then
    say "$IMAGE is up to date (key $IMAGE_KEY)"
    echo "$IMAGE"
    exit 0
fi

mkdir -p "$CACHE/debootstrap-debs"
TARBALL="$CACHE/base-$ROOTFS_KEY.tar"
WORK="$(mktemp -d /var/tmp/polycat-base.XXXXXX)"
ctr=""
cleanup() {
    [[ -z "$ctr" ]] || buildah rm "$ctr" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

# --- root file system (cached) ------------------------------------------------------------------
if [[ -f "$TARBALL" ]]; then
    say "root file system from the cache: $TARBALL"
else
    t0=$SECONDS
    root="$WORK/root"
    say "debootstrap --variant=minbase $SUITE from $MIRROR (+ ${PKGS[*]})"
    log="$WORK/debootstrap.log"
    if ! debootstrap --variant=minbase --cache-dir="$CACHE/debootstrap-debs" \
        --include="$(IFS=,; echo "${PKGS[*]}")" "$SUITE" "$root" "$MIRROR" >"$log" 2>&1; then
        tail -n 30 "$log" >&2
        [[ ! -f "$root/debootstrap/debootstrap.log" ]] || tail -n 30 "$root/debootstrap/debootstrap.log" >&2
        say "debootstrap failed"
        exit 1
    fi
    # apt sources as in the official image: the suite, its updates and its security suite.
    rm -f "$root/etc/apt/sources.list"
    cat >"$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $MIRROR
Suites: $SUITE $SUITE-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $SECURITY
Suites: $SUITE-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF

    # Slim, as debian:bookworm-slim: no docs (copyright files stay), man pages or locales,
    # now and for the packages installed later.
    cat >"$root/etc/dpkg/dpkg.cfg.d/slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF
    find "$root/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
    find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
    rm -rf "$root"/usr/share/{man,groff,info,lintian,linda}/*

    # CPython: the prefix without site-packages (pip comes from ensurepip), tests and tkinter.
    say "Python $PYVER from $PREFIX to /usr/local"
    tar -C "$PREFIX" -cf - \
        --exclude='./lib/python3.12/site-packages/*' --exclude='./lib/python3.12/test' \
        --exclude='./lib/python3.12/idlelib/idle_test' --exclude='./lib/python3.12/*/test' \
        --exclude='./lib/python3.12/*/tests' --exclude='./lib/python3.12/lib-dynload/_tkinter*' \
        --exclude='./lib/libpython3.12.a' --exclude='./lib/python3.12/config-3.12-*/*.a' \
        --exclude='./bin/pip*' --exclude='./share/man' \
        . | tar -C "$root/usr/local" -xf - --no-same-owner
    grep -rlI --null -F "$PREFIX" "$root/usr/local" | xargs -0 -r sed -i "s#$PREFIX#/usr/local#g"
    chmod -R u+w,go-w,a+rX "$root/usr/local"
    [[ "$SHARED" != 1 ]] || chroot "$root" /sbin/ldconfig
    in_root() { env -i PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 HOME=/root \
        chroot "$root" "$@"; }
    in_root python3.12 -m ensurepip --default-pip >"$WORK/ensurepip.log" 2>&1 \
        || { cat "$WORK/ensurepip.log" >&2; say "ensurepip failed"; exit 1; }
    in_root python3.12 -m compileall -q -j 0 /usr/local/lib/python3.12 >/dev/null || true
    # shellcheck disable=SC2016  # expanded by the shell in the root
    in_root sh -c 'cd /usr/local/bin && for n in idle pydoc python python-config; do
        [ -e "$n" ] || [ ! -e "${n}3" ] || ln -s "${n}3" "$n"; done; ln -sf pip3 pip'
    # A non-root user runs it (uid 1000 as in the Dockerfile; removed again below).
    in_root useradd --uid 1000 --no-create-home polycat-probe
    in_root setpriv --reuid=1000 --regid=1000 --clear-groups python3 -c \
        'import ssl, sqlite3, ctypes, lzma, bz2, zlib, readline, uuid, sys; assert sys.prefix == "/usr/local", sys.prefix' \
        || { say "Python $PYVER does not run as a non-root user in the base"; exit 1; }
    in_root userdel polycat-probe
    in_root apt-get clean
    rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/log/*.log \
        "$root"/tmp/* "$root"/root/.cache
    tar -C "$root" --numeric-owner --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' \
        -cf "$TARBALL.tmp" .
    mv "$TARBALL.tmp" "$TARBALL"
    rm -rf "$root"
    say "root file system in $((SECONDS - t0)) s: $TARBALL ($(du -h "$TARBALL" | cut -f1))"
    # Older tarballs of this script are never used again.
    find "$CACHE" -maxdepth 1 -name 'base-*.tar' ! -name "base-$ROOTFS_KEY.tar" -delete
fi

# --- the image: root file system + this machine's CA certificates + pip.conf ------------------
t0=$SECONDS
ctr="$(buildah from --pull=never scratch)"
buildah add --quiet "$ctr" "$TARBALL" / >/dev/null
mnt="$(buildah mount "$ctr")"
# Each certificate of this machine's bundle that the base's bundle lacks, as its own file.
extra_dir="$mnt/usr/local/share/ca-certificates/polycat-host"
mkdir -p "$extra_dir"
awk -v known="$mnt$BUNDLE" -v dir="$extra_dir" '
    BEGIN { while ((getline line < known) > 0) { c = c line "\n"
                if (line ~ /END CERTIFICATE/) { have[c] = 1; c = "" } } }
    /BEGIN CERTIFICATE/ { c = "" } { c = c $0 "\n" }
    /END CERTIFICATE/ { if (!(c in have)) { n++; f = sprintf("%s/host-%03d.crt", dir, n)
                            printf "%s", c > f; close(f) } }
    END { print n + 0 }' "$BUNDLE" >"$WORK/n_extra"
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin chroot "$mnt" update-ca-certificates >/dev/null 2>&1
# Check: every certificate of this machine's bundle is in the base's.
missing="$(awk -v base="$mnt$BUNDLE" '
    BEGIN { while ((getline line < base) > 0) { c = c line "\n"
                if (line ~ /END CERTIFICATE/) { have[c] = 1; c = "" } } }
    /BEGIN CERTIFICATE/ { c = "" } { c = c $0 "\n" } /END CERTIFICATE/ { if (!(c in have)) m++ }
    END { print m + 0 }' "$BUNDLE")"
[[ "$missing" == 0 ]] || { say "$missing certificates of $BUNDLE are missing in the base"; exit 1; }
printf '%s\n' "$PIP_CONF" >"$mnt/etc/pip.conf"
buildah umount "$ctr" >/dev/null
buildah config \
    --env PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env LANG=C.UTF-8 --env PYTHON_VERSION="$PYVER" --cmd python3 \
    --annotation org.polycat.base.key="$IMAGE_KEY" \
    --label org.opencontainers.image.description="Debian $SUITE (minbase) + CPython $PYVER in /usr/local; stand-in for python:3.12-slim-$SUITE made by docker/build_base.sh" \
    "$ctr"
old_id="$(buildah inspect --type image --format '{{.FromImageID}}' "$IMAGE" 2>/dev/null || true)"
buildah commit --quiet --rm "$ctr" "$IMAGE" >/dev/null
ctr=""
# The image this one replaces, now untagged (kept where images built on it still use it).
[[ -z "$old_id" ]] || buildah rmi "$old_id" >/dev/null 2>&1 || true
say "$IMAGE: Debian $SUITE + Python $PYVER, $(cat "$WORK/n_extra") CA certificates of this machine, made in $((SECONDS - t0)) s"
echo "$IMAGE"
