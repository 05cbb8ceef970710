#!/usr/bin/env bash
# Re-fetch the console's vendored browser assets from the npm registry at the pinned versions (`npm pack`), and
# copy the files the console serves, with each package's licence, to api/console/static/vendor/<pkg>-<version>/.
# Nothing is fetched at run time: the result is committed. Usage, from the project root: scripts/vendor.sh
set -euo pipefail
cd "$(dirname "$0")/.."
dest=api/console/static/vendor
# package@version  file-in-package ... (paths under package/)
PACKAGES=(
  "htmx.org@2.0.11 dist/htmx.min.js LICENSE"
  "bpmn-js@18.31.1 dist/bpmn-navigated-viewer.production.min.js dist/assets/diagram-js.css dist/assets/bpmn-js.css dist/assets/bpmn-font/css/bpmn-embedded.css LICENSE"
  "echarts@5.6.0 dist/echarts.min.js LICENSE NOTICE"
)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for line in "${PACKAGES[@]}"; do
  read -r spec files <<<"$line"
  name=${spec%@*}; version=${spec##*@}
  tarball=$(cd "$work" && npm pack --silent "$spec")
  mkdir -p "$work/$name" && tar -xzf "$work/$tarball" -C "$work/$name"
  out="$dest/$name-$version"
  rm -rf "$out" && mkdir -p "$out"
  for f in $files; do cp "$work/$name/package/$f" "$out/$(basename "$f")"; done
  (cd "$work" && sha256sum "$tarball") >"$out/SOURCE.sha256"
  echo "$spec -> $out"
done
