#!/usr/bin/env bash
# Print the path of a working Python X.Y interpreter, installing one with uv if none is found.
# Usage: scripts/find_python.sh 3.10
set -euo pipefail
want="$1"

works() { [ -n "$1" ] && "$1" -c "import sys; assert sys.version_info[:2] == tuple(map(int, '$want'.split('.')))" 2>/dev/null; }

for candidate in "$(command -v "python$want" || true)" \
                 "$(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$want".*/bin/python"$want" 2>/dev/null | sort -V | tail -n 1)"; do
  if works "$candidate"; then echo "$candidate"; exit 0; fi
done
if command -v uv >/dev/null 2>&1; then
  uv python install "$want" >&2
  candidate="$(uv python find "$want")"
  if works "$candidate"; then echo "$candidate"; exit 0; fi
fi
echo "No Python $want found. Install it with 'pyenv install $want' or 'uv python install $want'." >&2
exit 1
