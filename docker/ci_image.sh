#!/usr/bin/env bash
# The container image, built and run: the CI step behind tests/docker/test_image.py.
#
#   docker/ci_image.sh [OUT]        # default OUT: /tmp/polycat-image-ci
#
# 1. base:  docker/build_base.sh, a local python:3.12-slim-bookworm stand-in (cached)
# 2. image: buildah bud --isolation chroot --build-arg BASE_IMAGE=<base> -f docker/Dockerfile
# 3. run:   the default case, small (few grains, coarse mesh, two report SOCs), inside the
#           image as its user, on a mounted folder, as `docker run -v "$PWD:/work"` does:
#           buildah run --isolation chroot -v OUT/work:/work <container> polycat run ...
#           (plain `podman run` needs CAP_SYS_RESOURCE for setrlimit, which CI lacks)
# Everything lands in OUT: work/ (the mounted folder, with results/ci-small), probe.txt
# (uid, Python and pip config inside the image), timings.tsv (seconds per step), logs/,
# and status ("ok", "failed: STEP ..." or "unavailable: REASON"). tests/docker/test_image.py
# checks it. POLYCAT_IMAGE names the image (default localhost/polycat:ci).
#
# Needs root with buildah and debootstrap (Debian packages; .ci/run installs them). Exit
# status: 0 = built and ran; 3 = cannot run here (reason on stderr); 1 = a step failed.
set -euo pipefail

OUT="${1:-/tmp/polycat-image-ci}"
IMAGE="${POLYCAT_IMAGE:-localhost/polycat:ci}"
BASE="${POLYCAT_BASE_IMAGE:-localhost/polycat-base:3.12-bookworm}"
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# (bonded interfaces: the image is checked, not the fracture model, and the run must
# reach its last SOC)
CASE=(configs/default.yaml --set geometry.n_grains=5 --set geometry.mesh_size_um=1.5
    --set "loading.report_soc=[0.5,1.0]" --set interfaces.grain_boundary.model=bonded
    --set interfaces.cathode_electrolyte.model=bonded --set loading.extrapolate=hold
    --out results/ci-small)

rm -rf "$OUT"
mkdir -p "$OUT/logs"
status() { echo "$*" >"$OUT/status"; }
say() { echo "ci_image: $*" >&2; }
status "failed: did not finish"

if [[ "$(id -u)" != 0 ]]; then
    status "unavailable: needs root (buildah's root store, debootstrap)"
elif ! command -v buildah >/dev/null || ! command -v debootstrap >/dev/null; then
    status "unavailable: buildah or debootstrap missing: apt-get install buildah debootstrap"
fi
if grep -q '^unavailable' "$OUT/status"; then
    say "$(cat "$OUT/status")"
    exit 3
fi

ctr=""
trap '[[ -z "$ctr" ]] || buildah rm "$ctr" >/dev/null 2>&1 || true' EXIT

# step NAME CMD...: run CMD with its output in logs/NAME.log, timed; on failure print the
# log's tail and stop.
step() {
    local name="$1" t0=$SECONDS rc=0
    shift
    say "$name: $*"
    "$@" >"$OUT/logs/$name.log" 2>&1 || rc=$?
    printf '%s\t%s\n' "$name" "$((SECONDS - t0))" >>"$OUT/timings.tsv"
    if ((rc != 0)); then
        tail -n 40 "$OUT/logs/$name.log" >&2
        status "failed: $name (exit $rc; log $OUT/logs/$name.log)"
        say "$name failed after $((SECONDS - t0)) s (exit $rc)"
        exit 1
    fi
    say "$name: done in $((SECONDS - t0)) s"
}

T0=$SECONDS
step base bash "$REPO/docker/build_base.sh" "$BASE"
step image buildah bud --isolation chroot --pull=never --layers \
    --build-arg BASE_IMAGE="$BASE" -f "$REPO/docker/Dockerfile" -t "$IMAGE" "$REPO"

# The mounted folder: the repository's configs, owned by the image's user (uid 1000).
mkdir -p "$OUT/work"
cp -r "$REPO/configs" "$OUT/work/"
chown -R 1000:1000 "$OUT/work"
ctr="$(buildah from --pull=never "$IMAGE")"
# shellcheck disable=SC2016  # expanded inside the image
step probe buildah run --isolation chroot "$ctr" -- sh -c 'echo "uid=$(id -u) home=$HOME"
    python3.12 -c "import sys; print(\"python\", sys.version.split()[0], sys.prefix, sys.base_prefix)"
    pip config list; command -v polycat; command -v mpiexec
    test -w "$HOME/.cache" && echo cache-writable'
cp "$OUT/logs/probe.log" "$OUT/probe.txt"
step run buildah run --isolation chroot -v "$OUT/work:/work" "$ctr" -- polycat run "${CASE[@]}"
buildah rm "$ctr" >/dev/null
ctr=""

summary="$OUT/work/results/ci-small/summary.csv"
if [[ ! -s "$summary" ]] || ! grep -q '"status": "completed"' "$OUT/work/results/ci-small/run.json"; then
    status "failed: run (no summary.csv, or run.json not completed)"
    say "the run in the image left no complete results in $OUT/work/results/ci-small"
    exit 1
fi
printf 'total\t%s\n' "$((SECONDS - T0))" >>"$OUT/timings.tsv"
status ok
say "image $IMAGE built from $BASE and ran the small default case in $((SECONDS - T0)) s:" \
    "$(tr '\t\n' '= ' <"$OUT/timings.tsv")"
say "summary.csv: $(($(wc -l <"$summary") - 1)) rows, $(head -n 1 "$summary" | tr ',' '\n' | wc -l) columns"
