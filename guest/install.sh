#!/bin/sh
# install.sh: Vireo's guest additions, installed into a Linux guest, as
# root (docs/guest-additions.md).  It picks one VMMDev driver and
# blacklists the other, never both: both claim PCI 80ee:cafe.
#
#   install.sh [--driver auto|vboxguest|vireo] [--root DIR]
#   install.sh --uninstall [--root DIR]
#
#   auto       Linux's own vboxguest when the guest's kernel has it (it is
#              in Debian's, Ubuntu's and Fedora's kernels, signed), else
#              Vireo's vireo_guest through DKMS, else built now against
#              /lib/modules/$(uname -r)/build
#   vboxguest  Linux's own driver
#   vireo      Vireo's driver (DKMS, or built now)
#   --root     install into the tree at DIR (an image being built, or a
#              test); nothing is loaded, started or built there
#
# Then vireo-guestd runs as a systemd service (vireo-guestd.service) when
# systemd is the init, and the driver loads at boot (modules-load.d).
# Files: /usr/sbin/vireo-guestd, /etc/systemd/system/vireo-guestd.service,
# /etc/modules-load.d/vireo-guest.conf, /etc/modprobe.d/vireo-guest.conf,
# and for Vireo's driver its source in /usr/src/vireo-guest-VERSION.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=
driver=auto
uninstall=
version=$(cat "$here/VERSION" 2>/dev/null || echo 0)

die() { echo "install.sh: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
	case $1 in
	--driver) [ $# -ge 2 ] || die "--driver needs auto, vboxguest or vireo"
		driver=$2; shift ;;
	--root) [ $# -ge 2 ] || die "--root needs a folder"
		root=$2; shift ;;
	--uninstall) uninstall=1 ;;
	-h|--help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "$1: unknown (see --help)" ;;
	esac
	shift
done
case $driver in
auto|vboxguest|vireo) ;;
*) die "--driver $driver: auto, vboxguest or vireo" ;;
esac
[ -n "$root" ] || [ "$(id -u)" = 0 ] || die "run it as root"

kver=$(uname -r)
live=
[ -z "$root" ] && live=1
systemd=
[ -n "$live" ] && [ -d /run/systemd/system ] && systemd=1

if [ -n "$uninstall" ]; then
	[ -n "$systemd" ] && systemctl disable --now vireo-guestd.service \
		>/dev/null 2>&1 || true
	rm -f "$root/usr/sbin/vireo-guestd" \
	      "$root/etc/systemd/system/vireo-guestd.service" \
	      "$root/etc/modules-load.d/vireo-guest.conf" \
	      "$root/etc/modprobe.d/vireo-guest.conf"
	if [ -n "$live" ] && command -v dkms >/dev/null 2>&1; then
		dkms remove "vireo-guest/$version" --all >/dev/null 2>&1 || true
	fi
	rm -rf "$root/usr/src/vireo-guest-$version"
	echo "Vireo's guest additions removed"
	exit 0
fi

has_vboxguest() {
	[ -n "$live" ] && modinfo vboxguest >/dev/null 2>&1
}

if [ "$driver" = auto ]; then
	if has_vboxguest; then driver=vboxguest; else driver=vireo; fi
fi
if [ "$driver" = vboxguest ] && [ -n "$live" ] && ! has_vboxguest; then
	die "this kernel ($kver) has no vboxguest: use --driver vireo"
fi

install -d "$root/usr/sbin" "$root/etc/systemd/system" \
	"$root/etc/modules-load.d" "$root/etc/modprobe.d"
install -m 0755 "$here/vireo-guestd" "$root/usr/sbin/vireo-guestd"
install -m 0644 "$here/vireo-guestd.service" \
	"$root/etc/systemd/system/vireo-guestd.service"

if [ "$driver" = vireo ]; then
	other=vboxguest mod=vireo_guest
	src=$root/usr/src/vireo-guest-$version
	rm -rf "$src"
	install -d "$src"
	cp -R "$here/driver/." "$src/"
	sed "s/@VERSION@/$version/" "$here/dkms.conf" >"$src/dkms.conf"
	if [ -n "$live" ] && command -v dkms >/dev/null 2>&1; then
		dkms add "vireo-guest/$version" >/dev/null 2>&1 || true
		dkms install "vireo-guest/$version" ||
			die "dkms could not build vireo_guest for $kver"
	elif [ -n "$live" ]; then
		[ -d "/lib/modules/$kver/build" ] ||
			die "no DKMS and no headers for $kver: install dkms (or linux-headers-$kver)"
		make -C "/lib/modules/$kver/build" M="$src/guest/driver" modules
		install -d "/lib/modules/$kver/updates"
		install -m 0644 "$src/guest/driver/vireo_guest.ko" \
			"/lib/modules/$kver/updates/"
		depmod "$kver"
	fi
else
	other=vireo_guest mod=vboxguest
fi
echo "$mod" >"$root/etc/modules-load.d/vireo-guest.conf"
# Never both: they claim the same device.
echo "blacklist $other" >"$root/etc/modprobe.d/vireo-guest.conf"

if [ -n "$live" ]; then
	modprobe -r "$other" 2>/dev/null || true
	modprobe "$mod" || die "modprobe $mod failed"
fi
if [ -n "$systemd" ]; then
	systemctl daemon-reload
	systemctl enable --now vireo-guestd.service
fi
echo "Vireo's guest additions $version installed: driver $mod${systemd:+, vireo-guestd.service running}"
