#!/bin/sh
# Tidies a fresh `debootstrap --variant=minbase` tree before it is imported as kupcake-e2e/debian:
# the same few things Debian's official docker image does (no services started by package
# scripts, no recommends, no caches) and no host identity left behind. Usage: prepare-rootfs.sh DIR
set -eu
root=$1
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"
printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' >"$root/etc/apt/apt.conf.d/90kupcake-no-recommends"
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/cache/apt/*.bin "$root"/var/lib/apt/lists/* \
  "$root"/tmp/* "$root"/var/tmp/* "$root"/root/.bash_history
find "$root/var/log" -type f -delete
rm -f "$root/etc/hostname" "$root/etc/resolv.conf" "$root/etc/machine-id"
: >"$root/etc/machine-id"
