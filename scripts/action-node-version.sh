#!/usr/bin/env bash
# Prints the Node.js major version that action.yml's `runs.using` names (node24 -> 24): the runtime
# GitHub runs the action on, which check-dist and the release workflow build and test with.
#   bash scripts/action-node-version.sh [path/to/action.yml]
set -euo pipefail
file=${1:-action.yml}
using=$(awk '
  /^runs:[[:space:]]*(#.*)?$/ { inside = 1; next }
  /^[^[:space:]#]/ { inside = 0 }
  inside && $1 == "using:" { v = $2; gsub(/["\047]/, "", v); print v; exit }
' "$file")
if [[ ! "$using" =~ ^node([0-9]+)$ ]]; then
  echo "$file: runs.using is '${using}', not a Node.js runtime (nodeNN)" >&2
  exit 1
fi
echo "${BASH_REMATCH[1]}"
