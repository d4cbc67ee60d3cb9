#!/usr/bin/env bash
# Applies the committed patches in patches/ to node_modules after `npm ci`.
# Each patch is applied once: a patch that is already in place is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s nullglob
for p in patches/*.patch; do
  if patch -p1 --dry-run --reverse --force --silent < "$p" > /dev/null 2>&1; then
    echo "patch $(basename "$p"): already applied"
  else
    patch -p1 --forward --silent < "$p"
    echo "patch $(basename "$p"): applied"
  fi
done
