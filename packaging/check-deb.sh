#!/usr/bin/env bash
# Builds the .deb with cargo-deb and checks what it holds: the binary, the desktop entry with
# its Chinese name, the icon, and the package fields. Called by scripts/test.
#
# PROFILE=deb-check (the default here: packages the unoptimised binary `cargo test` built, so
# the check adds no build) or PROFILE=release (what an office installs:
# `PROFILE=release packaging/check-deb.sh`).
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${PROFILE:-deb-check}"
if ! command -v cargo-deb >/dev/null 2>&1; then
    echo "cargo-deb 未安装，正在安装（只需一次）…"
    cargo install cargo-deb --locked --quiet
fi
# Not target/deb-check: that is the profile's own build folder, and emptying it rebuilt every
# dependency on every run.
out="target/deb-package"
rm -rf "$out"
mkdir -p "$out"
if [ "$profile" = deb-check ]; then
    # The binary of the test build (a no-op after `cargo test`), under the profile's folder.
    cargo test --locked --no-run --quiet 2>/dev/null
    mkdir -p target/deb-check
    cp target/debug/spotcheck target/deb-check/spotcheck
    cargo deb --profile deb-check --no-build --fast --output "$out/spotcheck.deb" --locked >/dev/null
else
    cargo deb --profile "$profile" --output "$out/spotcheck.deb" --locked >/dev/null
fi
deb="$out/spotcheck.deb"
fail() { echo "packaging check failed: $*" >&2; exit 1; }

contents="$(dpkg-deb --contents "$deb")"
for path in ./usr/bin/spotcheck \
            ./usr/share/applications/spotcheck.desktop \
            ./usr/share/icons/hicolor/256x256/apps/spotcheck.png \
            ./usr/share/doc/spotcheck/README.md; do
    grep -qF " $path" <<<"$contents" || fail "missing $path"
done
grep -E " \./usr/bin/spotcheck$" <<<"$contents" | grep -q '^-rwxr-xr-x' || fail "binary not executable"

[ "$(dpkg-deb --field "$deb" Package)" = spotcheck ] || fail "package name"
dpkg-deb --field "$deb" Depends | grep -q zenity || fail "depends on zenity for file dialogs"
dpkg-deb --field "$deb" Description | grep -q "政务新媒体" || fail "Chinese description"

dpkg-deb --extract "$deb" "$out/root"
desktop="$out/root/usr/share/applications/spotcheck.desktop"
grep -qx 'Name\[zh_CN\]=政务新媒体季度抽查' "$desktop" || fail "Chinese name in the desktop entry"
grep -qx 'Exec=spotcheck' "$desktop" || fail "desktop entry runs spotcheck"
grep -qx 'Icon=spotcheck' "$desktop" || fail "desktop entry icon"
if command -v desktop-file-validate >/dev/null 2>&1; then
    desktop-file-validate "$desktop" || fail "desktop entry does not validate"
fi
cmp -s assets/icon.png "$out/root/usr/share/icons/hicolor/256x256/apps/spotcheck.png" || fail "icon"
# The packaged binary runs headless and answers in Chinese.
"$out/root/usr/bin/spotcheck" --help | grep -q "政务新媒体季度抽查" || fail "packaged binary runs"
echo "deb 包检查通过：$(dpkg-deb --field "$deb" Package) $(dpkg-deb --field "$deb" Version)（$(du -h "$deb" | cut -f1)）"
