#!/usr/bin/env bash
# Set up .venv: the pinned requirements (every ci/requirements*.txt) plus lrparity itself (editable).
#
# Any failed install fails this script. An existing .venv is reused only when it matches: its stamp
# (.venv/.lrparity-requirements.sha256: a hash of the requirement files, setup.cfg, pyproject.toml, this script and
# the venv's Python version) is current AND ci/check_env.py finds every pin installed at its exact version, torch
# 2.13.0+cpu, and lrparity editable from this checkout. Otherwise the pins are (re)installed over it (pip install -r
# is idempotent: it moves every pinned package to its pin) and checked again before the stamp is written. A .venv
# whose Python does not run, or is another X.Y than $PYTHON, is recreated.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
VENV=.venv
STAMP="$VENV/.lrparity-requirements.sha256"
REQUIREMENTS=(ci/requirements*.txt)

die() { echo "ci/setup.sh: $*" >&2; exit 1; }

# pip, with its "WARNING: Location ... is ignored" lines (the machine's optional wheel mirrors) filtered out of its
# stderr; everything else it prints stays where it was printed, and its exit status is the pipeline's (pipefail).
pip_quiet() {
  { "$VENV/bin/python" -m pip --disable-pip-version-check "$@" 2>&1 1>&3 3>&- |
    { grep -v '^WARNING: Location' || true; } >&2; } 3>&1
}

fingerprint() {
  {
    "$VENV/bin/python" -c 'import sys; print(sys.version)'
    for f in "${REQUIREMENTS[@]}" setup.cfg pyproject.toml ci/setup.sh; do
      echo "== $f"
      cat "$f"
    done
  } | sha256sum | cut -d' ' -f1
}

[ -f "${REQUIREMENTS[0]}" ] || die "no ci/requirements*.txt"
want_xy=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])') || die "cannot run PYTHON=$PYTHON"
have_xy=$("$VENV/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true)
if [ -e "$VENV" ] && [ "$have_xy" != "$want_xy" ]; then
  echo "ci/setup.sh: $VENV has Python '${have_xy:-none}', $PYTHON is $want_xy: recreating it" >&2
  rm -rf "$VENV"
fi
if [ ! -e "$VENV" ]; then
  "$PYTHON" -m venv "$VENV"
fi

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$(fingerprint)" ] && "$VENV/bin/python" -I ci/check_env.py --quiet; then
  exit 0  # the venv is the pinned one
fi

rm -f "$STAMP"
echo "ci/setup.sh: installing ${REQUIREMENTS[*]} into $VENV"
pip_requirements=()
nodeps_requirements=()
for f in "${REQUIREMENTS[@]}"; do
  case "$f" in
    *-nodeps.txt) nodeps_requirements+=(-r "$f") ;;  # their own requirements would move torch: see the file
    *) pip_requirements+=(-r "$f") ;;
  esac
done
pip_quiet install --quiet "${pip_requirements[@]}" || die "pip install ${pip_requirements[*]} failed"
if [ ${#nodeps_requirements[@]} -gt 0 ]; then
  pip_quiet install --quiet --no-deps "${nodeps_requirements[@]}" || die "pip install --no-deps ${nodeps_requirements[*]} failed"
fi
pip_quiet install --quiet --no-deps --no-build-isolation -e . || die "pip install -e . (lrparity) failed"
# pip check, except what the --no-deps packages declare and deliberately do not get (timm: torchvision)
nodeps_names=$(grep -hoE '^[A-Za-z0-9_.-]+' ci/requirements*-nodeps.txt 2>/dev/null | tr '\n' '|' || true)
check=$("$VENV/bin/python" -m pip --disable-pip-version-check check 2>&1 | grep -viE "^(${nodeps_names%|}) " || true)
case "$check" in
  "" | "No broken requirements found.") ;;
  *) die "pip check: $check" ;;
esac
"$VENV/bin/python" -I ci/check_env.py || die "$VENV does not match the pins after installing them"
"$VENV/bin/python" -I -W "ignore:No ccache found:UserWarning" -c "import lrparity, torch, paddle, matplotlib, mkdocs, hypothesis, xdist" ||
  die "a pinned package is installed but does not import"
fingerprint >"$STAMP"
