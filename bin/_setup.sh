# Sourced by bin/test and bin/serve: make .venv and node_modules match pyproject.toml and
# package-lock.json, reinstalling only when those files changed since the last install.
cd "$(dirname "${BASH_SOURCE[0]}")/.."

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

py_stamp=".venv/.installed-$(stamp_of pyproject.toml)"
if [ ! -e "$py_stamp" ]; then
    echo "Installing Python dependencies (pyproject.toml changed)" >&2
    .venv/bin/python -m pip install -q -e '.[test]'
    rm -f .venv/.installed-*
    touch "$py_stamp"
fi

# axe-core for the browser tests' accessibility checks; npm ci empties node_modules first,
# so a stamp inside it cannot outlive the install it describes.
if command -v npm >/dev/null 2>&1; then
    node_stamp="node_modules/.installed-$(stamp_of package-lock.json)"
    if [ ! -e "$node_stamp" ]; then
        echo "Installing Node dependencies (package-lock.json changed)" >&2
        npm ci --no-audit --no-fund --loglevel=error
        touch "$node_stamp"
    fi
fi
