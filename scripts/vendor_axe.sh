#!/usr/bin/env bash
# Re-fetch axe-core (MPL-2.0), used only by the browser tests' accessibility scan (tests/browser/test_console_a11y.py),
# from the npm registry at the pinned version (`npm pack`), into tests/browser/vendor/axe-core-<version>/ with its
# licence and the tarball's sha256. The console never serves it. Usage, from the project root: scripts/vendor_axe.sh
set -euo pipefail
cd "$(dirname "$0")/.."
spec=axe-core@4.14.1
version=${spec##*@}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tarball=$(cd "$work" && npm pack --silent "$spec")
tar -xzf "$work/$tarball" -C "$work"
out=tests/browser/vendor/axe-core-$version
rm -rf "$out" && mkdir -p "$out"
cp "$work/package/axe.min.js" "$work/package/LICENSE" "$out/"
(cd "$work" && sha256sum "$tarball") >"$out/SOURCE.sha256"
echo "$spec -> $out"
