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
#              test): the unit is enabled there; nothing is loaded,
#              started or built (Vireo's driver: run `dkms install
#              vireo-guest/VERSION` in the guest, or this script again)
#
# Then vireo-guestd runs as a systemd service (vireo-guestd.service) when
# systemd is the init, and the driver loads at boot (modules-load.d).
# The driver's configuration is written only once it is loaded and its
# device is there, so a failed install leaves the guest's driver as it
# was.  Files: /usr/sbin/vireo-guestd, /etc/systemd/system/
# vireo-guestd.service, /etc/modules-load.d/vireo-guest.conf,
# /etc/modprobe.d/vireo-guest.conf, /etc/vireo-guest.conf (what was
# installed, for --uninstall), and for Vireo's driver its source in
# /usr/src/vireo-guest-VERSION.
set -eu

here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
root=
driver=auto
uninstall=
version=$(cat "$here/VERSION" 2>/dev/null || echo 0)

die() { echo "install.sh: $*" >&2; exit 1; }

case $version in
*[!0-9A-Za-z.+~-]*|'') die "VERSION: '$version' is no version" ;;
esac
while [ $# -gt 0 ]; do
	case $1 in
	--driver) [ $# -ge 2 ] || die "--driver needs auto, vboxguest or vireo"
		driver=$2; shift ;;
	--root) [ $# -ge 2 ] && [ -n "$2" ] || die "--root needs a folder"
		root=$2; shift ;;
	--uninstall) uninstall=1 ;;
	-h|--help) sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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
unit=/etc/systemd/system/vireo-guestd.service
wants=/etc/systemd/system/multi-user.target.wants/vireo-guestd.service
state=$root/etc/vireo-guest.conf

# The unit: enabled in the tree (systemctl --root needs no running systemd).
enable_unit() {
	if [ -n "$systemd" ]; then
		systemctl daemon-reload
		systemctl enable vireo-guestd.service
		systemctl restart vireo-guestd.service
	elif [ -z "$live" ]; then
		install -d "$root/etc/systemd/system/multi-user.target.wants"
		ln -sf "$unit" "$root$wants"
	fi
}

if [ -n "$uninstall" ]; then
	old_driver= old_version= built=
	# shellcheck disable=SC1090
	[ -f "$state" ] && . "$state"
	[ -n "$systemd" ] && systemctl disable --now vireo-guestd.service \
		>/dev/null 2>&1 || true
	if [ -n "$live" ] && [ "$old_driver" = vireo_guest ]; then
		modprobe -r vireo_guest 2>/dev/null || true
	fi
	if [ -n "$live" ] && [ "$built" = dkms ]; then
		dkms remove "vireo-guest/$old_version" --all >/dev/null 2>&1 || true
	elif [ -n "$live" ] && [ "$built" = make ]; then
		rm -f "/lib/modules/$kver/updates/vireo_guest.ko"
		depmod "$kver" || true
	fi
	rm -f "$root/usr/sbin/vireo-guestd" "$root$unit" "$root$wants" \
	      "$root/etc/modules-load.d/vireo-guest.conf" \
	      "$root/etc/modprobe.d/vireo-guest.conf" "$state"
	[ -n "$old_version" ] && rm -rf "$root/usr/src/vireo-guest-$old_version"
	rm -rf "$root/usr/src/vireo-guest-$version"
	[ -n "$systemd" ] && systemctl daemon-reload
	echo "Vireo's guest additions removed"
	exit 0
fi

# Has the guest's kernel (or the tree's, with --root) Linux's vboxguest?
has_vboxguest() {
	if [ -n "$live" ]; then
		modinfo vboxguest >/dev/null 2>&1
	else
		ls "$root"/lib/modules/*/kernel/drivers/virt/vboxguest/vboxguest.ko* \
			>/dev/null 2>&1
	fi
}

if [ "$driver" = auto ]; then
	if has_vboxguest; then driver=vboxguest; else driver=vireo; fi
fi
if [ "$driver" = vboxguest ] && [ -n "$live" ] && ! has_vboxguest; then
	die "this kernel ($kver) has no vboxguest: use --driver vireo"
fi

# The daemon stops first: it holds the driver it ran on.
[ -n "$systemd" ] && systemctl stop vireo-guestd.service >/dev/null 2>&1 || true
install -d "$root/usr/sbin" "$root/etc/systemd/system" \
	"$root/etc/modules-load.d" "$root/etc/modprobe.d"
install -m 0755 "$here/vireo-guestd" "$root/usr/sbin/vireo-guestd"
install -m 0644 "$here/vireo-guestd.service" "$root$unit"

built=none
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
		built=dkms
	elif [ -n "$live" ]; then
		[ -d "/lib/modules/$kver/build" ] ||
			die "no DKMS and no headers for $kver: install dkms (or linux-headers-$kver)"
		make -C "/lib/modules/$kver/build" M="$src/guest/driver" modules
		install -d "/lib/modules/$kver/updates"
		install -m 0644 "$src/guest/driver/vireo_guest.ko" \
			"/lib/modules/$kver/updates/"
		depmod "$kver"
		built=make
	else
		echo "install.sh: vireo_guest's source is in /usr/src/vireo-guest-$version: build it in the guest (dkms install vireo-guest/$version)" >&2
	fi
else
	other=vireo_guest mod=vboxguest
fi

# The chosen driver bound to the device, or nothing written.
if [ -n "$live" ]; then
	modprobe -r "$other" 2>/dev/null || true
	lsmod | grep -q "^$other " && die "$other is loaded and in use: stop what uses it (or reboot) and run this again"
	modprobe "$mod" || die "modprobe $mod failed: nothing changed"
	i=0
	while [ ! -c /dev/vboxguest ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -c /dev/vboxguest ] || die "$mod loaded, but no /dev/vboxguest: is this a VM with VMMDev?"
fi
echo "$mod" >"$root/etc/modules-load.d/vireo-guest.conf"
# Never both: they claim the same device.
echo "blacklist $other" >"$root/etc/modprobe.d/vireo-guest.conf"
printf 'old_driver=%s\nold_version=%s\nbuilt=%s\n' "$mod" "$version" \
	"$built" >"$state"
enable_unit
echo "Vireo's guest additions $version installed: driver $mod${systemd:+, vireo-guestd.service running}"
