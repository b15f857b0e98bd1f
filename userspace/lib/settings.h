/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A VM's settings file (docs/settings.md): what vmctl writes and vireo-vm
 * --config runs.  JSON, read and written with json-c.  The parsed
 * document is kept, so keys this version does not know (a newer Vireo's)
 * are written back as they were; a file of a newer format version is
 * read, never rewritten.
 */
#ifndef VIREO_SETTINGS_H
#define VIREO_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SETTINGS_FILE		"settings.json"	/* in the VM's folder */
#define SETTINGS_FORMAT		"vireo-vm-settings"
/*
 * The newest format version this Vireo knows.  A file is written with the
 * oldest version that can hold it: 1 without disks or NICs, 2 with disks,
 * 3 with NICs, 4 with the virtio console, so that an older vireo-vm
 * refuses such a VM (a newer version) instead of running it without them
 * or with COM1 (an unknown key, kept but not understood).
 */
#define SETTINGS_VERSION	4
#define SETTINGS_VERSION_DISKS	2	/* the first with "disks" */
#define SETTINGS_VERSION_NETS	3	/* the first with "nets" */
#define SETTINGS_VERSION_CONSOLE 4	/* the first with "console": "virtio" */
#define SETTINGS_MAX_BYTES	(1u << 20)	/* a larger file is refused */
#define SETTINGS_NAME_MAX	64
#define SETTINGS_MAX_CPUS	64	/* vireo-vm's OPTIONS_MAX_CPUS */
#define SETTINGS_MAX_DEVICES	32	/* ... and OPTIONS_MAX_DEVICES */
#define SETTINGS_MAX_PATH	4095
#define SETTINGS_MAX_APPEND	4095
/* virtio-blk's instances in vireo-vm, --device virtio-blk ones included. */
#define SETTINGS_MAX_DISKS	16
#define SETTINGS_SERIAL_MAX	20	/* VIRTIO_BLK_ID_BYTES */
/* virtio-net's instances in vireo-vm, --device virtio-net ones included. */
#define SETTINGS_MAX_NETS	8
#define SETTINGS_IFNAME_MAX	15	/* IFNAMSIZ - 1 */
#define SETTINGS_MAX_FWDS	8	/* vireo-slirp's --hostfwd options */
/* "tcp:255.255.255.255:65535-:65535" each, joined by '+'. */
#define SETTINGS_HOSTFWD_MAX	(SETTINGS_MAX_FWDS * 33)
#define SETTINGS_MAC_LEN	17	/* "02:56:xx:xx:xx:xx" */

struct json_object;

/* A disk: a virtio-blk device on a raw image or a block device. */
struct vm_disk {
	/* Absolute, or relative to the settings file's folder. */
	char *path;
	bool readonly;
	char *serial;		/* NULL: none */
	/*
	 * Not in the file: vmctl's image to make in the VM's folder, of this
	 * many bytes, before the settings are saved.  path is NULL until it
	 * is made; new_size stays, so that a failed save deletes it again.
	 */
	uint64_t new_size;
};

enum vm_net_backend {
	VM_NET_USER,		/* user-mode networking (vireo-slirp) */
	VM_NET_TAP,		/* a TAP interface of the host */
};

/*
 * A network card: a virtio-net device on one back end.  The strings are
 * NULL when not given; each goes into a device spec, so none has a comma.
 */
struct vm_net {
	enum vm_net_backend backend;
	char *tap;		/* tap: the interface's name (required) */
	char *addr;		/* tap: the host's address on it, CIDR */
	char *bridge;		/* tap: or the bridge to put it in */
	char *hostfwd;		/* user: "tcp:[ADDR]:HPORT-:GPORT[+...]" */
	/*
	 * Always there, so that the guest sees the same card at every start
	 * whatever the order of the others; lower case.
	 */
	char mac[SETTINGS_MAC_LEN + 1];
};

struct vm_settings {
	uint32_t version;	/* the file's format version */
	char uuid[37];		/* lower-case, with dashes */
	char name[SETTINGS_NAME_MAX + 1];
	uint64_t memory;	/* bytes */
	unsigned int cpus;
	/* The boot source: kernel (with initrd and append), or rom. */
	char *kernel, *initrd, *append, *rom;
	/* --device specs (vireo-vm's syntax), checked by vireo-vm. */
	char *devices[SETTINGS_MAX_DEVICES];
	unsigned int nr_devices;
	bool no_vmmdev;		/* "vmmdev": false: a VM without VMMDev */
	/* "console": "virtio": hvc0 (vireo-vm --vconsole), not COM1 */
	bool virtio_console;
	/* "disks", in order: the first is the guest's /dev/vda. */
	struct vm_disk disks[SETTINGS_MAX_DISKS];
	unsigned int nr_disks;
	/* "nets", in order: virtio-net devices after the disks. */
	struct vm_net nets[SETTINGS_MAX_NETS];
	unsigned int nr_nets;
	/* The document as read: what the fields above do not hold. */
	struct json_object *doc;
};

/* A fresh VM: a new UUID, name, 1 vCPU, no boot source yet. */
int settings_init(struct vm_settings *s, const char *name);
void settings_free(struct vm_settings *s);

/*
 * Is name usable as a VM's name (and folder): 1 to SETTINGS_NAME_MAX
 * characters of letters, digits, '-', '_' and '.', not starting with '.'
 * or '-'.  0, or -EINVAL with the reason in why.
 */
int settings_name_check(const char *name, char *why, size_t why_len);

/* The boot source and sizes go together (vireo-vm's rules). */
int settings_check(const struct vm_settings *s, char *why, size_t why_len);

/*
 * Read and check path.  0; -ENOENT; -EINVAL (not JSON, not a settings
 * file, a value out of range); -EFBIG; -EPROTO (a newer format version:
 * *s is filled as far as this version understands it, read-only); or
 * another -errno.  The reason is in why.
 */
int settings_load(const char *path, struct vm_settings *s, char *why,
		  size_t why_len);

/*
 * Check *s, then write it to path atomically: a temporary file in the
 * same folder, fsync, rename over path, fsync of the folder.  On failure
 * path is as it was.  Refuses (-EPROTO) a document of a newer version.
 */
int settings_save(const char *path, struct vm_settings *s, char *why,
		  size_t why_len);

/* The setters keep the document in step; -ENOMEM or 0. */
int settings_set_str(char **field, const char *value);

/*
 * A disk's serial: 1 to SETTINGS_SERIAL_MAX printable ASCII characters,
 * no blank and no comma (it goes into a device spec).  0, or -EINVAL
 * with the reason in why.
 */
int settings_serial_check(const char *serial, char *why, size_t why_len);
/* Append a disk (copies path and serial): 0, -ENOSPC or -ENOMEM. */
int settings_add_disk(struct vm_settings *s, const char *path,
		      bool readonly, const char *serial);
/* Remove disk i, the ones after it moving up: 0 or -ERANGE. */
int settings_remove_disk(struct vm_settings *s, unsigned int i);
/*
 * The disk's image by the path to open: a relative path is taken from
 * dir, the settings file's folder (so a folder copied elsewhere takes its
 * images along).  0, or -ENAMETOOLONG.
 */
int settings_disk_path(const char *dir, const struct vm_disk *d, char *buf,
		       size_t len);

/*
 * A NIC's MAC: six bytes in hex, "xx:xx:xx:xx:xx:xx" (either case),
 * unicast and not all zeros.  0, or -EINVAL with the reason in why.
 */
int settings_mac_check(const char *mac, char *why, size_t why_len);
/*
 * A NIC on its own: the keys its back end has, each value as vireo-vm
 * takes it (interface names, the address, the forwards, the MAC).  0, or
 * -EINVAL with the reason in why.
 */
int settings_net_check(const struct vm_net *n, char *why, size_t why_len);
/*
 * Append a copy of *n (its strings copied, the MAC in lower case): 0,
 * -ENOSPC or -ENOMEM.
 */
int settings_add_net(struct vm_settings *s, const struct vm_net *n);
/* Remove NIC i, the ones after it moving up: 0 or -ERANGE. */
int settings_remove_net(struct vm_settings *s, unsigned int i);
/* "user" or "tap", as the file and vmctl name the back end. */
const char *settings_net_backend(const struct vm_net *n);
/* "virtio" or "uart", as the file and vmctl name the console. */
const char *settings_console(const struct vm_settings *s);

/* The document as text (pretty JSON), for `vmctl show --json`. */
const char *settings_json(struct vm_settings *s);

#endif /* VIREO_SETTINGS_H */
