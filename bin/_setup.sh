# Sourced by bin/serve and bin/test with what the caller needs, "serve" or "test":
#   serve: the portal's own dependencies (pyproject.toml's [project] dependencies);
#   test:  those, the test extras ([test]: pytest, Playwright, …) and axe-core from npm.
# Each set is reinstalled only when its files changed since its last install (a stamp per set).
cd "$(dirname "${BASH_SOURCE[0]}")/.."

purpose=${1:?_setup.sh needs "serve" or "test"}

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        echo "Python 3.11 or newer is needed (found: $("$PYTHON" --version 2>&1)); set PYTHON=..." >&2
        exit 1
    fi
    echo "Creating .venv with $("$PYTHON" --version)" >&2
    "$PYTHON" -m venv .venv
fi

stamp_of() { sha256sum "$1" | cut -c1-16; }

py_hash=$(stamp_of pyproject.toml)
if [ ! -e ".venv/.installed-$purpose-$py_hash" ]; then
    if [ "$purpose" = test ]; then
        echo "Installing Python dependencies and test extras (first time, or pyproject.toml changed)" >&2
        .venv/bin/python -m pip install -q -e '.[test]'
        satisfied="serve test"  # the test set holds everything the portal needs to serve
    else
        echo "Installing Python dependencies (first time, or pyproject.toml changed)" >&2
        .venv/bin/python -m pip install -q -e .
        satisfied="serve"
    fi
    for set in $satisfied; do
        rm -f .venv/.installed-"$set"-*
        touch ".venv/.installed-$set-$py_hash"
    done
fi

# axe-core, for the browser tests' accessibility checks only; npm ci empties node_modules first,
# so a stamp inside it cannot outlive the install it describes.
if [ "$purpose" = test ] && command -v npm >/dev/null 2>&1; then
    node_stamp="node_modules/.installed-$(stamp_of package-lock.json)"
    if [ ! -e "$node_stamp" ]; then
        echo "Installing Node dependencies (package-lock.json changed)" >&2
        npm ci --no-audit --no-fund --loglevel=error
        touch "$node_stamp"
    fi
fi

# The portal's own bytecode, written ahead (only what changed; a tenth of a second): where
# PYTHONDONTWRITEBYTECODE is set, as in many containers, every command would otherwise compile
# its ~250 modules again at start.
.venv/bin/python -m compileall -q app.py core admin complaints disclosures portal rules backup >/dev/null
