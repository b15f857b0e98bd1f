// SPDX-License-Identifier: GPL-2.0
/*
 * The settings file (settings.h, docs/settings.md).  json-c parses it
 * strictly and writes it; everything in it is checked here, since a
 * settings file is input like any other (copied from another host,
 * edited by hand, cut short by a full disk).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/stat.h>

#include <json-c/json.h>
#include <uuid/uuid.h>

#include "memsize.h"
#include "settings.h"
#include "util.h"

static __printf(4, 5)
int fail(char *why, size_t len, int err, const char *fmt, ...);

static int fail(char *why, size_t len, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return err;
}

int settings_init(struct vm_settings *s, const char *name)
{
	uuid_t u;

	memset(s, 0, sizeof(*s));
	s->version = SETTINGS_VERSION;
	uuid_generate_random(u);
	uuid_unparse_lower(u, s->uuid);
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->cpus = 1;
	s->doc = json_object_new_object();
	return s->doc ? 0 : -ENOMEM;
}

static void net_free(struct vm_net *n)
{
	free(n->tap);
	free(n->addr);
	free(n->bridge);
	free(n->hostfwd);
}

void settings_free(struct vm_settings *s)
{
	unsigned int i;

	free(s->kernel);
	free(s->initrd);
	free(s->append);
	free(s->rom);
	for (i = 0; i < s->nr_devices; i++)
		free(s->devices[i]);
	for (i = 0; i < s->nr_disks; i++) {
		free(s->disks[i].path);
		free(s->disks[i].serial);
	}
	for (i = 0; i < s->nr_nets; i++)
		net_free(&s->nets[i]);
	json_object_put(s->doc);
	memset(s, 0, sizeof(*s));
}

int settings_set_str(char **field, const char *value)
{
	char *copy = NULL;

	if (value) {
		copy = strdup(value);
		if (!copy)
			return -ENOMEM;
	}
	free(*field);
	*field = copy;
	return 0;
}

int settings_serial_check(const char *serial, char *why, size_t why_len)
{
	size_t i, n = strlen(serial);

	if (n == 0 || n > SETTINGS_SERIAL_MAX)
		return fail(why, why_len, -EINVAL,
			    "a disk's serial has 1 to %d characters",
			    SETTINGS_SERIAL_MAX);
	/* As vireo-vm's virtio-blk takes it; a comma would end the spec. */
	for (i = 0; i < n; i++)
		if (serial[i] <= ' ' || serial[i] > '~' || serial[i] == ',')
			return fail(why, why_len, -EINVAL,
				    "a disk's serial is printable ASCII without blanks or commas");
	return 0;
}

int settings_add_disk(struct vm_settings *s, const char *path,
		      bool readonly, const char *serial)
{
	struct vm_disk *d;

	if (s->nr_disks == SETTINGS_MAX_DISKS)
		return -ENOSPC;
	d = &s->disks[s->nr_disks];
	memset(d, 0, sizeof(*d));
	d->readonly = readonly;
	if (settings_set_str(&d->path, path) ||
	    settings_set_str(&d->serial, serial)) {
		free(d->path);
		free(d->serial);
		return -ENOMEM;
	}
	s->nr_disks++;
	return 0;
}

int settings_remove_disk(struct vm_settings *s, unsigned int i)
{
	if (i >= s->nr_disks)
		return -ERANGE;
	free(s->disks[i].path);
	free(s->disks[i].serial);
	s->nr_disks--;
	memmove(&s->disks[i], &s->disks[i + 1],
		(s->nr_disks - i) * sizeof(s->disks[0]));
	return 0;
}

int settings_disk_path(const char *dir, const struct vm_disk *d, char *buf,
		       size_t len)
{
	int n;

	if (d->path[0] == '/')
		n = snprintf(buf, len, "%s", d->path);
	else
		n = snprintf(buf, len, "%s/%s", dir, d->path);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

const char *settings_net_backend(const struct vm_net *n)
{
	return n->backend == VM_NET_TAP ? "tap" : "user";
}

const char *settings_console(const struct vm_settings *s)
{
	return s->virtio_console ? "virtio" : "uart";
}

int settings_add_net(struct vm_settings *s, const struct vm_net *n)
{
	struct vm_net *d;
	size_t i;

	if (s->nr_nets == SETTINGS_MAX_NETS)
		return -ENOSPC;
	d = &s->nets[s->nr_nets];
	memset(d, 0, sizeof(*d));
	d->backend = n->backend;
	if (settings_set_str(&d->tap, n->tap) ||
	    settings_set_str(&d->addr, n->addr) ||
	    settings_set_str(&d->bridge, n->bridge) ||
	    settings_set_str(&d->hostfwd, n->hostfwd)) {
		net_free(d);
		return -ENOMEM;
	}
	/* One spelling, so that two NICs of one MAC are seen as such. */
	for (i = 0; i < SETTINGS_MAC_LEN && n->mac[i]; i++)
		d->mac[i] = tolower((unsigned char)n->mac[i]);
	d->mac[i] = '\0';
	s->nr_nets++;
	return 0;
}

int settings_remove_net(struct vm_settings *s, unsigned int i)
{
	if (i >= s->nr_nets)
		return -ERANGE;
	net_free(&s->nets[i]);
	s->nr_nets--;
	memmove(&s->nets[i], &s->nets[i + 1],
		(s->nr_nets - i) * sizeof(s->nets[0]));
	return 0;
}

int settings_name_check(const char *name, char *why, size_t why_len)
{
	size_t i, n = strlen(name);

	if (n == 0)
		return fail(why, why_len, -EINVAL, "a VM's name cannot be empty");
	if (n > SETTINGS_NAME_MAX)
		return fail(why, why_len, -EINVAL,
			    "a VM's name has at most %d characters",
			    SETTINGS_NAME_MAX);
	if (name[0] == '.' || name[0] == '-')
		return fail(why, why_len, -EINVAL,
			    "a VM's name cannot start with '%c'", name[0]);
	for (i = 0; i < n; i++) {
		unsigned char c = name[i];

		if (!isascii(c) || !(isalnum(c) || c == '-' || c == '_' ||
				     c == '.'))
			return fail(why, why_len, -EINVAL,
				    "a VM's name is letters, digits, '-', '_' and '.' (not %s0x%02x)",
				    isprint(c) ? "" : "byte ", c);
	}
	return 0;
}

/* Printable, and not too long: it is shown on terminals and passed on. */
static int string_check(const char *what, const char *v, size_t max,
			char *why, size_t why_len)
{
	size_t i, n;

	if (!v)
		return 0;
	n = strlen(v);
	if (n == 0 || n > max)
		return fail(why, why_len, -EINVAL, "%s: 1 to %zu characters",
			    what, max);
	for (i = 0; i < n; i++)
		if (iscntrl((unsigned char)v[i]))
			return fail(why, why_len, -EINVAL,
				    "%s: a control character at %zu", what, i);
	return 0;
}

/* A file the VM boots: by absolute path, never relative to a cwd. */
static int path_check(const char *what, const char *v, char *why,
		      size_t why_len)
{
	if (v && v[0] != '/')
		return fail(why, why_len, -EINVAL, "%s: not an absolute path",
			    what);
	return string_check(what, v, SETTINGS_MAX_PATH, why, why_len);
}

static unsigned int hex_value(char c)
{
	return isdigit((unsigned char)c) ? c - '0' :
	       tolower((unsigned char)c) - 'a' + 10;
}

int settings_mac_check(const char *mac, char *why, size_t why_len)
{
	bool zero = true;
	size_t i;

	if (strlen(mac) != SETTINGS_MAC_LEN)
		return fail(why, why_len, -EINVAL,
			    "mac: six bytes in hex, xx:xx:xx:xx:xx:xx");
	for (i = 0; i < SETTINGS_MAC_LEN; i++) {
		if (i % 3 == 2 ? mac[i] != ':' :
				 !isxdigit((unsigned char)mac[i]))
			return fail(why, why_len, -EINVAL,
				    "mac: six bytes in hex, xx:xx:xx:xx:xx:xx");
		zero = zero && (i % 3 == 2 || mac[i] == '0');
	}
	/* The first byte's low bit: a group address, which no card has. */
	if (hex_value(mac[1]) & 1)
		return fail(why, why_len, -EINVAL,
			    "mac %s: a multicast address (its first byte odd), not a card's",
			    mac);
	if (zero)
		return fail(why, why_len, -EINVAL,
			    "mac 00:00:00:00:00:00: no card's address");
	return 0;
}

/*
 * As Linux's dev_valid_name() takes it, in printable ASCII, and without
 * a comma, which would end vireo-vm's device spec.
 */
static int ifname_check(const char *what, const char *v, char *why,
			size_t why_len)
{
	size_t i, n = strlen(v);

	if (n == 0 || n > SETTINGS_IFNAME_MAX)
		return fail(why, why_len, -EINVAL,
			    "%s: an interface name of 1 to %d characters",
			    what, SETTINGS_IFNAME_MAX);
	if (!strcmp(v, ".") || !strcmp(v, ".."))
		return fail(why, why_len, -EINVAL,
			    "%s: \"%s\" is no interface's name", what, v);
	for (i = 0; i < n; i++) {
		unsigned char c = v[i];

		/* '%': the kernel would pick the name itself ("tap%d"). */
		if (c <= ' ' || c > '~' || c == '/' || c == ':' || c == ',' ||
		    c == '%')
			return fail(why, why_len, -EINVAL,
				    "%s: an interface name is printable ASCII without blanks, '/', ':', ',' or '%%'",
				    what);
	}
	return 0;
}

static int cidr_bad(char *why, size_t why_len)
{
	return fail(why, why_len, -EINVAL,
		    "addr: an IPv4 or IPv6 address and its prefix length, 10.0.0.1/24");
}

/* "10.0.0.1/24" or "fd00::1/64": what the TAP interface is given. */
static int cidr_check(const char *v, char *why, size_t why_len)
{
	const char *slash = strchr(v, '/');
	unsigned char bin[sizeof(struct in6_addr)];
	char host[INET6_ADDRSTRLEN];
	unsigned long bits, max;
	int family;
	char *end;

	if (!slash || (size_t)(slash - v) >= sizeof(host))
		return cidr_bad(why, why_len);
	memcpy(host, v, slash - v);
	host[slash - v] = '\0';
	family = strchr(host, ':') ? AF_INET6 : AF_INET;
	max = family == AF_INET6 ? 128 : 32;
	/* strtoul() would take blanks and signs. */
	if (inet_pton(family, host, bin) != 1 ||
	    !isdigit((unsigned char)slash[1]) || strlen(slash) > 4)
		return cidr_bad(why, why_len);
	bits = strtoul(slash + 1, &end, 10);
	if (*end || bits < 1 || bits > max)
		return cidr_bad(why, why_len);
	return 0;
}

/* A port, 1 to 65535 in decimal digits: where it ends, or NULL. */
static const char *port_end(const char *p)
{
	unsigned long n;
	char *end;

	if (!isdigit((unsigned char)*p))
		return NULL;
	errno = 0;
	n = strtoul(p, &end, 10);
	return errno || !n || n > 65535 ? NULL : end;
}

/* One "tcp:[ADDR]:HPORT-:GPORT", as vireo-slirp takes it (ADDR IPv4). */
static bool fwd_valid(const char *f)
{
	char addr[INET_ADDRSTRLEN];
	const char *colon, *p;
	struct in_addr a;

	if (strncmp(f, "tcp:", 4))
		return false;
	f += 4;
	colon = strchr(f, ':');
	if (!colon || (size_t)(colon - f) >= sizeof(addr))
		return false;
	memcpy(addr, f, colon - f);
	addr[colon - f] = '\0';
	if (addr[0] && inet_pton(AF_INET, addr, &a) != 1)
		return false;
	p = port_end(colon + 1);
	if (!p || strncmp(p, "-:", 2))
		return false;
	p = port_end(p + 2);
	return p && !*p;
}

/*
 * Forwards joined by '+': each valid, at most SETTINGS_MAX_FWDS.  Checked
 * printable first, since a bad one is quoted.
 */
static int hostfwd_check(const char *v, char *why, size_t why_len)
{
	char *copy, *rest, *item;
	unsigned int n = 0;
	int err = 0;

	if (string_check("hostfwd", v, SETTINGS_HOSTFWD_MAX, why, why_len))
		return -EINVAL;
	copy = strdup(v);
	if (!copy)
		return fail(why, why_len, -ENOMEM, "hostfwd: out of memory");
	rest = copy;
	while (!err && (item = strsep(&rest, "+"))) {
		if (++n > SETTINGS_MAX_FWDS)
			err = fail(why, why_len, -EINVAL,
				   "hostfwd: at most %d forwards",
				   SETTINGS_MAX_FWDS);
		else if (!fwd_valid(item))
			err = fail(why, why_len, -EINVAL,
				   "hostfwd: \"%s\" is not tcp:[ADDR]:HPORT-:GPORT (ADDR an IPv4 address, ports 1 to 65535; forwards joined by '+')",
				   item);
	}
	free(copy);
	return err;
}

/* The keys that go with the NIC's back end, and no others. */
static int net_keys_check(const struct vm_net *n, char *why, size_t why_len)
{
	if (n->backend != VM_NET_TAP && n->backend != VM_NET_USER)
		return fail(why, why_len, -EINVAL, "backend: user or tap");
	if (n->backend == VM_NET_TAP && !n->tap)
		return fail(why, why_len, -EINVAL,
			    "tap: the TAP interface's name is missing");
	if (n->backend == VM_NET_TAP && n->hostfwd)
		return fail(why, why_len, -EINVAL,
			    "hostfwd is user-mode networking's, not tap's");
	if (n->backend == VM_NET_USER && (n->tap || n->addr || n->bridge))
		return fail(why, why_len, -EINVAL,
			    "tap, addr and bridge are tap's, not user-mode networking's");
	if (n->addr && n->bridge)
		return fail(why, why_len, -EINVAL,
			    "addr or bridge, not both (the host's address, or a bridge the interface joins)");
	return 0;
}

int settings_net_check(const struct vm_net *n, char *why, size_t why_len)
{
	int err = net_keys_check(n, why, why_len);

	if (!err && n->tap)
		err = ifname_check("tap", n->tap, why, why_len);
	if (!err && n->bridge)
		err = ifname_check("bridge", n->bridge, why, why_len);
	if (!err && n->addr)
		err = cidr_check(n->addr, why, why_len);
	if (!err && n->hostfwd)
		err = hostfwd_check(n->hostfwd, why, why_len);
	return err ?: settings_mac_check(n->mac, why, why_len);
}

/*
 * The --device specs of a class: virtio-blk ones are disks, virtio-net
 * ones NICs, by another name, and count against the same limits.
 */
static unsigned int class_devices(const struct vm_settings *s,
				  const char *cls)
{
	size_t len = strlen(cls);
	unsigned int i, n = 0;

	for (i = 0; i < s->nr_devices; i++)
		n += !strncmp(s->devices[i], cls, len) &&
		     (s->devices[i][len] == ',' || !s->devices[i][len]);
	return n;
}

static int disk_check(const struct vm_disk *d, char *why, size_t why_len)
{
	char inner[100];

	if (d->serial && settings_serial_check(d->serial, inner,
					       sizeof(inner)))
		return fail(why, why_len, -EINVAL, "disks: %s: %s",
			    d->path ?: "a new disk", inner);
	if (!d->path)
		return d->new_size ? 0 :
		       fail(why, why_len, -EINVAL, "disks: a disk without a path");
	if (string_check("disks: path", d->path, SETTINGS_MAX_PATH, why,
			 why_len))
		return -EINVAL;
	/* vireo-vm passes it on in a device spec, which a comma ends. */
	if (strchr(d->path, ','))
		return fail(why, why_len, -EINVAL,
			    "disks: %s: a path with a comma (vireo-vm's device specs cannot hold one)",
			    d->path);
	return 0;
}

/* Disks within their limits, and with the devices within vireo-vm's. */
static int disks_check(const struct vm_settings *s, char *why,
		       size_t why_len)
{
	unsigned int i;

	if (s->nr_disks + class_devices(s, "virtio-blk") > SETTINGS_MAX_DISKS)
		return fail(why, why_len, -EINVAL,
			    "disks: at most %d, --device virtio-blk ones included",
			    SETTINGS_MAX_DISKS);
	for (i = 0; i < s->nr_disks; i++)
		if (disk_check(&s->disks[i], why, why_len))
			return -EINVAL;
	return 0;
}

/* NICs within their limits, each valid, no MAC twice. */
static int nets_check(const struct vm_settings *s, char *why, size_t why_len)
{
	char inner[200];
	unsigned int i, j;
	int err;

	if (s->nr_nets + class_devices(s, "virtio-net") > SETTINGS_MAX_NETS)
		return fail(why, why_len, -EINVAL,
			    "nets: at most %d, --device virtio-net ones included",
			    SETTINGS_MAX_NETS);
	for (i = 0; i < s->nr_nets; i++) {
		err = settings_net_check(&s->nets[i], inner, sizeof(inner));
		if (err)
			return err == -ENOMEM ? err :
			       fail(why, why_len, err, "nets[%u]: %s", i, inner);
		/* Two cards of one address on a network: neither works. */
		for (j = 0; j < i; j++)
			if (!strcasecmp(s->nets[j].mac, s->nets[i].mac))
				return fail(why, why_len, -EINVAL,
					    "nets[%u]: mac %s is nets[%u]'s already",
					    i, s->nets[i].mac, j);
	}
	return 0;
}

/* vireo-vm makes each disk and NIC a device: all count against its limit. */
static int devices_check(const struct vm_settings *s, char *why,
			 size_t why_len)
{
	unsigned int i;

	if (s->nr_devices > SETTINGS_MAX_DEVICES)
		return fail(why, why_len, -EINVAL, "devices: at most %d",
			    SETTINGS_MAX_DEVICES);
	for (i = 0; i < s->nr_devices; i++)
		if (string_check("devices", s->devices[i], 256, why, why_len))
			return -EINVAL;
	/*
	 * vireo-vm refuses a virtio-console device but --vconsole's, which
	 * the file asks for by "console": better said now than at a start.
	 */
	if (class_devices(s, "virtio-console"))
		return fail(why, why_len, -EINVAL,
			    "devices: virtio-console: the console is \"console\": \"virtio\"'s");
	/* The virtio console is a device too. */
	if (s->nr_disks + s->nr_nets + s->nr_devices + s->virtio_console >
	    SETTINGS_MAX_DEVICES)
		return fail(why, why_len, -EINVAL,
			    "disks, nets, devices and the virtio console: at most %d in all (vireo-vm's limit)",
			    SETTINGS_MAX_DEVICES);
	return disks_check(s, why, why_len) ?: nets_check(s, why, why_len);
}

int settings_check(const struct vm_settings *s, char *why, size_t why_len)
{
	uuid_t u;
	int err;

	err = settings_name_check(s->name, why, why_len);
	if (err)
		return err;
	if (uuid_parse(s->uuid, u))
		return fail(why, why_len, -EINVAL, "uuid: not a UUID");
	if (!s->kernel == !s->rom)
		return fail(why, why_len, -EINVAL,
			    "boot: a kernel or a ROM, one of the two");
	if (s->rom && (s->initrd || s->append))
		return fail(why, why_len, -EINVAL,
			    "boot: an initrd or a command line needs a kernel, not a ROM");
	err = memsize_check(s->memory);
	if (err)
		return fail(why, why_len, -EINVAL, "memory: %s",
			    memsize_strerror(err));
	if (s->rom && s->memory > MEMSIZE_ROM_MAX)
		return fail(why, why_len, -EINVAL,
			    "memory: at most 3584M with a ROM");
	if (s->cpus < 1 || s->cpus > SETTINGS_MAX_CPUS)
		return fail(why, why_len, -EINVAL, "cpus: 1 to %d",
			    SETTINGS_MAX_CPUS);
	if (s->rom && s->cpus != 1)
		return fail(why, why_len, -EINVAL, "cpus: a ROM runs on 1 vCPU");
	if (path_check("kernel", s->kernel, why, why_len) ||
	    path_check("initrd", s->initrd, why, why_len) ||
	    string_check("append", s->append, SETTINGS_MAX_APPEND, why,
			 why_len) ||
	    path_check("rom", s->rom, why, why_len))
		return -EINVAL;
	return devices_check(s, why, why_len);
}

/* The whole file, at most SETTINGS_MAX_BYTES, NUL-terminated. */
/*
 * A regular file only, and not through a link: a FIFO would hang the
 * reader (holding the root's lock), a link would have root read what it
 * points to.
 */
static int read_file(const char *path, char **text, size_t *text_len,
		     char *why, size_t why_len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	size_t len = 0;
	struct stat st;
	int err = 0;
	char *buf;
	ssize_t n;

	if (fd < 0 && errno == ELOOP)
		return fail(why, why_len, -EINVAL,
			    "%s: a symbolic link, not the settings file", path);
	if (fd < 0)
		return fail(why, why_len, -errno, "%s: %m", path);
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return fail(why, why_len, -EINVAL, "%s: not a regular file",
			    path);
	}
	buf = malloc(SETTINGS_MAX_BYTES + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while ((n = read(fd, buf + len, SETTINGS_MAX_BYTES + 1 - len)) > 0) {
		len += n;
		if (len > SETTINGS_MAX_BYTES)
			break;
	}
	if (n < 0)
		err = fail(why, why_len, -errno, "%s: %m", path);
	else if (len > SETTINGS_MAX_BYTES)
		err = fail(why, why_len, -EFBIG, "%s: larger than %u bytes",
			   path, SETTINGS_MAX_BYTES);
	close(fd);
	if (err) {
		free(buf);
		return err;
	}
	buf[len] = '\0';
	*text = buf;
	*text_len = len;
	return 0;
}

static struct json_object *get(struct json_object *o, const char *key,
			       enum json_type type)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, type))
		return NULL;
	return v;
}

/* A string value with no NUL inside (C would cut it short). */
static const char *whole_string(struct json_object *v)
{
	const char *p = json_object_get_string(v);

	return strlen(p) == (size_t)json_object_get_string_len(v) ? p : NULL;
}

/* An optional string member into *field (kept NULL when absent). */
static int get_str(struct json_object *o, const char *key, char **field,
		   char *why, size_t why_len)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return fail(why, why_len, -EINVAL, "%s: not a string", key);
	if (!whole_string(v))
		return fail(why, why_len, -EINVAL, "%s: a NUL character", key);
	return settings_set_str(field, json_object_get_string(v));
}

static int get_uint(struct json_object *o, const char *key, uint64_t max,
		    uint64_t *out, char *why, size_t why_len)
{
	struct json_object *v = get(o, key, json_type_int);
	int64_t n;

	if (!v)
		return fail(why, why_len, -EINVAL, "%s: missing, or not an integer",
			    key);
	errno = 0;
	n = json_object_get_int64(v);
	if (errno || n < 0 || (uint64_t)n > max)
		return fail(why, why_len, -EINVAL, "%s: out of range", key);
	*out = n;
	return 0;
}

/*
 * The keys of an object in an array ("disks", "nets"): those it does not
 * know are refused, a misspelt "readonly" must not give the guest a
 * writable disk; but a newer version's are another matter, read as far as
 * known.  known: NULL-terminated; hint names them in the message.
 */
static int keys_check(const struct vm_settings *s, struct json_object *o,
		      const char *what, const char *const *known,
		      const char *hint, char *why, size_t why_len)
{
	const char *const *k;

	if (!json_object_is_type(o, json_type_object))
		return fail(why, why_len, -EINVAL, "%s: not an object", what);
	if (s->version > SETTINGS_VERSION)
		return 0;
	json_object_object_foreach(o, key, val) {
		(void)val;
		for (k = known; *k && strcmp(*k, key); k++)
			;
		if (!*k)
			return fail(why, why_len, -EINVAL,
				    "%s: unknown key \"%s\" (%s are)", what, key,
				    hint);
	}
	return 0;
}

/* One of "disks": {"path", "readonly", "serial"}. */
static int parse_disk(struct vm_settings *s, struct json_object *o,
		      unsigned int i, char *why, size_t why_len)
{
	static const char *const keys[] = {
		"path", "readonly", "serial", NULL
	};
	struct vm_disk *d = &s->disks[s->nr_disks];
	struct json_object *v;
	char what[32], inner[100];
	int err;

	snprintf(what, sizeof(what), "disks[%u]", i);
	err = keys_check(s, o, what, keys, "path, readonly and serial", why,
			 why_len);
	if (err)
		return err;
	memset(d, 0, sizeof(*d));
	s->nr_disks++;	/* from here on settings_free() frees it */
	if (!json_object_object_get_ex(o, "path", &v))
		return fail(why, why_len, -EINVAL, "%s: no path", what);
	err = get_str(o, "path", &d->path, inner, sizeof(inner));
	err = err ?: get_str(o, "serial", &d->serial, inner, sizeof(inner));
	if (err)
		return err == -ENOMEM ? err :
		       fail(why, why_len, err, "%s: %s", what, inner);
	if (json_object_object_get_ex(o, "readonly", &v)) {
		if (!json_object_is_type(v, json_type_boolean))
			return fail(why, why_len, -EINVAL,
				    "%s: readonly: not true or false", what);
		d->readonly = json_object_get_boolean(v);
	}
	return 0;
}

static int parse_disks(struct vm_settings *s, char *why, size_t why_len)
{
	struct json_object *disks;
	unsigned int i;
	int err;

	if (!json_object_object_get_ex(s->doc, "disks", &disks))
		return 0;
	if (!json_object_is_type(disks, json_type_array) ||
	    json_object_array_length(disks) > SETTINGS_MAX_DISKS)
		return fail(why, why_len, -EINVAL,
			    "disks: not an array of at most %d",
			    SETTINGS_MAX_DISKS);
	for (i = 0; i < json_object_array_length(disks); i++) {
		err = parse_disk(s, json_object_array_get_idx(disks, i), i,
				 why, why_len);
		if (err)
			return err;
	}
	return 0;
}

/*
 * The back end of a NIC in "nets": 1 when known; 0 for one of a newer
 * version (the NIC is skipped: such a file is only shown, never run or
 * written); or -EINVAL.
 */
static int parse_backend(const struct vm_settings *s, struct json_object *o,
			 const char *what, struct vm_net *n, char *why,
			 size_t why_len)
{
	struct json_object *v = get(o, "backend", json_type_string);
	const char *b = v ? json_object_get_string(v) : NULL;

	if (b && !strcmp(b, "user"))
		n->backend = VM_NET_USER;
	else if (b && !strcmp(b, "tap"))
		n->backend = VM_NET_TAP;
	else if (b && s->version > SETTINGS_VERSION)
		return 0;
	else
		return fail(why, why_len, -EINVAL,
			    "%s: backend: missing, or not \"user\" or \"tap\"",
			    what);
	return 1;
}

/* The MAC, required: six bytes kept in lower case. */
static int parse_mac(struct json_object *o, const char *what,
		     struct vm_net *n, char *why, size_t why_len)
{
	struct json_object *v = get(o, "mac", json_type_string);
	char inner[100];
	size_t i;

	if (!v || !whole_string(v))
		return fail(why, why_len, -EINVAL,
			    "%s: mac: missing, not a string, or with a NUL (vmctl writes one for every NIC)",
			    what);
	if (settings_mac_check(json_object_get_string(v), inner,
			       sizeof(inner)))
		return fail(why, why_len, -EINVAL, "%s: %s", what, inner);
	for (i = 0; i <= SETTINGS_MAC_LEN; i++)
		n->mac[i] = tolower((unsigned char)json_object_get_string(v)[i]);
	return 0;
}

/*
 * One of "nets": {"backend", "tap", "addr", "bridge", "hostfwd", "mac"};
 * which keys go with which back end is settings_net_check()'s.
 */
static int parse_net(struct vm_settings *s, struct json_object *o,
		     unsigned int i, char *why, size_t why_len)
{
	static const char *const keys[] = {
		"backend", "tap", "addr", "bridge", "hostfwd", "mac", NULL
	};
	struct vm_net *n = &s->nets[s->nr_nets];
	char what[32], inner[100];
	int err;

	snprintf(what, sizeof(what), "nets[%u]", i);
	err = keys_check(s, o, what, keys,
			 "backend, tap, addr, bridge, hostfwd and mac", why,
			 why_len);
	if (err)
		return err;
	memset(n, 0, sizeof(*n));
	err = parse_backend(s, o, what, n, why, why_len);
	if (err <= 0)
		return err;
	s->nr_nets++;	/* from here on settings_free() frees it */
	err = get_str(o, "tap", &n->tap, inner, sizeof(inner));
	err = err ?: get_str(o, "addr", &n->addr, inner, sizeof(inner));
	err = err ?: get_str(o, "bridge", &n->bridge, inner, sizeof(inner));
	err = err ?: get_str(o, "hostfwd", &n->hostfwd, inner, sizeof(inner));
	if (err)
		return err == -ENOMEM ? err :
		       fail(why, why_len, err, "%s: %s", what, inner);
	return parse_mac(o, what, n, why, why_len);
}

/*
 * "nets" only in version 3 and later: an older vireo-vm, to which the key
 * means nothing, would run a version 2 file without its NICs.
 */
static int parse_nets(struct vm_settings *s, char *why, size_t why_len)
{
	struct json_object *nets;
	unsigned int i;
	int err;

	if (!json_object_object_get_ex(s->doc, "nets", &nets))
		return 0;
	if (s->version < SETTINGS_VERSION_NETS)
		return fail(why, why_len, -EINVAL,
			    "nets: in format version %d or later only (this file is version %u, which older Vireos run without its NICs)",
			    SETTINGS_VERSION_NETS, s->version);
	if (!json_object_is_type(nets, json_type_array) ||
	    json_object_array_length(nets) > SETTINGS_MAX_NETS)
		return fail(why, why_len, -EINVAL,
			    "nets: not an array of at most %d",
			    SETTINGS_MAX_NETS);
	for (i = 0; i < json_object_array_length(nets); i++) {
		err = parse_net(s, json_object_array_get_idx(nets, i), i, why,
				why_len);
		if (err)
			return err;
	}
	return 0;
}

/*
 * "console": "uart" (the default) or "virtio"; "virtio" only in version 4
 * and later, which an older vireo-vm refuses instead of giving the guest
 * COM1 while its kernel writes to hvc0.  A newer version's other value is
 * left as the default: such a file is only shown, never run or written.
 */
static int parse_console(struct vm_settings *s, char *why, size_t why_len)
{
	struct json_object *v;
	const char *c;

	if (!json_object_object_get_ex(s->doc, "console", &v))
		return 0;
	c = json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : NULL;
	if (c && !strcmp(c, "uart"))
		return 0;
	if (c && !strcmp(c, "virtio")) {
		if (s->version < SETTINGS_VERSION_CONSOLE)
			return fail(why, why_len, -EINVAL,
				    "console: \"virtio\" in format version %d or later only (this file is version %u, which older Vireos run with COM1)",
				    SETTINGS_VERSION_CONSOLE, s->version);
		s->virtio_console = true;
		return 0;
	}
	if (s->version > SETTINGS_VERSION)
		return 0;
	return fail(why, why_len, -EINVAL,
		    "console: not \"uart\" or \"virtio\"");
}

static int parse_fields(struct vm_settings *s, char *why, size_t why_len)
{
	struct json_object *doc = s->doc, *v, *boot, *devs;
	uint64_t n;
	size_t i;
	int err;

	v = get(doc, "uuid", json_type_string);
	if (!v || json_object_get_string_len(v) != 36)
		return fail(why, why_len, -EINVAL, "uuid: missing or not a UUID");
	memcpy(s->uuid, json_object_get_string(v), 36);
	for (i = 0; i < 36; i++)
		s->uuid[i] = tolower((unsigned char)s->uuid[i]);
	v = get(doc, "name", json_type_string);
	if (!v || !whole_string(v) ||
	    (size_t)json_object_get_string_len(v) > SETTINGS_NAME_MAX)
		return fail(why, why_len, -EINVAL,
			    "name: missing, too long or with a NUL");
	snprintf(s->name, sizeof(s->name), "%s", json_object_get_string(v));
	err = get_uint(doc, "memory", UINT64_MAX, &s->memory, why, why_len);
	if (!err)
		err = get_uint(doc, "cpus", SETTINGS_MAX_CPUS, &n, why,
			       why_len);
	if (err)
		return err;
	s->cpus = n;
	boot = get(doc, "boot", json_type_object);
	if (!boot)
		return fail(why, why_len, -EINVAL, "boot: missing, or not an object");
	err = get_str(boot, "kernel", &s->kernel, why, why_len);
	if (!err)
		err = get_str(boot, "initrd", &s->initrd, why, why_len);
	if (!err)
		err = get_str(boot, "append", &s->append, why, why_len);
	if (!err)
		err = get_str(boot, "rom", &s->rom, why, why_len);
	if (err)
		return err;
	if (json_object_object_get_ex(doc, "vmmdev", &v)) {
		if (!json_object_is_type(v, json_type_boolean))
			return fail(why, why_len, -EINVAL,
				    "vmmdev: not true or false");
		s->no_vmmdev = !json_object_get_boolean(v);
	}
	err = parse_console(s, why, why_len);
	err = err ?: parse_disks(s, why, why_len);
	err = err ?: parse_nets(s, why, why_len);
	if (err)
		return err;
	if (!json_object_object_get_ex(doc, "devices", &devs))
		return 0;
	if (!json_object_is_type(devs, json_type_array) ||
	    json_object_array_length(devs) > SETTINGS_MAX_DEVICES)
		return fail(why, why_len, -EINVAL,
			    "devices: not an array of at most %d",
			    SETTINGS_MAX_DEVICES);
	for (i = 0; i < json_object_array_length(devs); i++) {
		v = json_object_array_get_idx(devs, i);
		if (!json_object_is_type(v, json_type_string) ||
		    !whole_string(v))
			return fail(why, why_len, -EINVAL,
				    "devices: not a string, or one with a NUL");
		err = settings_set_str(&s->devices[s->nr_devices],
				       json_object_get_string(v));
		if (err)
			return err;
		s->nr_devices++;
	}
	return 0;
}

int settings_load(const char *path, struct vm_settings *s, char *why,
		  size_t why_len)
{
	struct json_tokener *tok;
	struct json_object *v;
	char *text = NULL;
	uint64_t version = 0;
	size_t len = 0;
	int err;

	memset(s, 0, sizeof(*s));
	err = read_file(path, &text, &len, why, why_len);
	if (err)
		return err;
	if (strlen(text) != len) {
		err = fail(why, why_len, -EINVAL, "%s: a NUL byte at %zu",
			   path, strlen(text));
		free(text);
		return err;
	}
	tok = json_tokener_new_ex(16);
	if (!tok) {
		free(text);
		return -ENOMEM;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
			       JSON_TOKENER_VALIDATE_UTF8);
	s->doc = json_tokener_parse_ex(tok, text, len + 1);
	if (!s->doc || json_tokener_get_error(tok) != json_tokener_success)
		err = fail(why, why_len, -EINVAL, "%s: not JSON (%s at byte %zu)",
			   path,
			   json_tokener_error_desc(json_tokener_get_error(tok)),
			   json_tokener_get_parse_end(tok));
	json_tokener_free(tok);
	free(text);
	if (!err && !json_object_is_type(s->doc, json_type_object))
		err = fail(why, why_len, -EINVAL, "%s: not a JSON object", path);
	v = err ? NULL : get(s->doc, "format", json_type_string);
	if (!err && (!v || strcmp(json_object_get_string(v), SETTINGS_FORMAT)))
		err = fail(why, why_len, -EINVAL,
			   "%s: not a Vireo settings file (no \"format\": \"%s\")",
			   path, SETTINGS_FORMAT);
	if (!err && get_uint(s->doc, "version", UINT32_MAX, &version, why,
			     why_len))
		err = fail(why, why_len, -EINVAL,
			   "%s: version: missing or out of range", path);
	if (!err && version == 0)
		err = fail(why, why_len, -EINVAL, "%s: version 0", path);
	if (!err) {
		char inner[200];

		s->version = version;
		err = parse_fields(s, inner, sizeof(inner));
		if (!err)
			err = settings_check(s, inner, sizeof(inner));
		if (err)
			fail(why, why_len, err, "%s: %s", path, inner);
	}
	/*
	 * A newer file is read as far as this version can, checked as far
	 * as it was read, and never written.
	 */
	if (!err && s->version > SETTINGS_VERSION)
		err = fail(why, why_len, -EPROTO,
			   "%s: written by a newer Vireo (format version %u; this one knows %d): read only",
			   path, s->version, SETTINGS_VERSION);
	if (err && err != -EPROTO)
		settings_free(s);
	return err;
}

static int set(struct json_object *o, const char *key, struct json_object *v)
{
	if (!v)
		return -ENOMEM;
	return json_object_object_add(o, key, v) ? -ENOMEM : 0;
}

static int set_opt_str(struct json_object *o, const char *key,
		       const char *value)
{
	if (!value) {
		json_object_object_del(o, key);
		return 0;
	}
	return set(o, key, json_object_new_string(value));
}

static struct json_object *disk_object(const struct vm_disk *d)
{
	struct json_object *o = json_object_new_object();
	int err;

	if (!o)
		return NULL;
	/* Only what is not the default. */
	err = set(o, "path", json_object_new_string(d->path));
	if (!err && d->readonly)
		err = set(o, "readonly", json_object_new_boolean(true));
	if (!err && d->serial)
		err = set(o, "serial", json_object_new_string(d->serial));
	if (err) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static struct json_object *net_object(const struct vm_net *n)
{
	struct json_object *o = json_object_new_object();
	int err;

	if (!o)
		return NULL;
	/* Only the keys its back end has, and those given. */
	err = set(o, "backend", json_object_new_string(settings_net_backend(n)));
	err = err ?: set_opt_str(o, "tap", n->tap);
	err = err ?: set_opt_str(o, "addr", n->addr);
	err = err ?: set_opt_str(o, "bridge", n->bridge);
	err = err ?: set_opt_str(o, "hostfwd", n->hostfwd);
	err = err ?: set(o, "mac", json_object_new_string(n->mac));
	if (err) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static struct json_object *disk_item(const struct vm_settings *s,
				     unsigned int i)
{
	return disk_object(&s->disks[i]);
}

static struct json_object *net_item(const struct vm_settings *s,
				    unsigned int i)
{
	return net_object(&s->nets[i]);
}

/* An array ("disks", "nets") of nr items, present only when there are some. */
static int sync_array(struct vm_settings *s, const char *key, unsigned int nr,
		      struct json_object *(*item)(const struct vm_settings *s,
						  unsigned int i))
{
	struct json_object *a;
	unsigned int i;
	int err;

	json_object_object_del(s->doc, key);
	if (!nr)
		return 0;
	a = json_object_new_array();
	err = set(s->doc, key, a);
	for (i = 0; !err && i < nr; i++) {
		struct json_object *o = item(s, i);

		if (!o || json_object_array_add(a, o)) {
			json_object_put(o);
			err = -ENOMEM;
		}
	}
	return err;
}

/* The oldest version that holds it (settings.h). */
static uint32_t oldest_version(const struct vm_settings *s)
{
	if (s->virtio_console)
		return SETTINGS_VERSION_CONSOLE;
	if (s->nr_nets)
		return SETTINGS_VERSION_NETS;
	return s->nr_disks ? SETTINGS_VERSION_DISKS : 1;
}

/* The fields into the document, keeping what they do not cover. */
static int sync_doc(struct vm_settings *s)
{
	struct json_object *doc = s->doc, *boot, *devs;
	unsigned int i;
	int err;

	s->version = oldest_version(s);
	err = set(doc, "format", json_object_new_string(SETTINGS_FORMAT));
	err = err ?: set(doc, "version", json_object_new_int(s->version));
	err = err ?: set(doc, "uuid", json_object_new_string(s->uuid));
	err = err ?: set(doc, "name", json_object_new_string(s->name));
	err = err ?: set(doc, "memory", json_object_new_int64(s->memory));
	err = err ?: set(doc, "cpus", json_object_new_int(s->cpus));
	if (err)
		return err;
	boot = get(doc, "boot", json_type_object);
	if (!boot) {
		boot = json_object_new_object();
		err = set(doc, "boot", boot);
		if (err)
			return err;
	}
	err = set_opt_str(boot, "kernel", s->kernel);
	err = err ?: set_opt_str(boot, "initrd", s->initrd);
	err = err ?: set_opt_str(boot, "append", s->append);
	err = err ?: set_opt_str(boot, "rom", s->rom);
	if (err)
		return err;
	/* Present only when it is not the default. */
	json_object_object_del(doc, "vmmdev");
	if (s->no_vmmdev)
		err = set(doc, "vmmdev", json_object_new_boolean(false));
	json_object_object_del(doc, "console");
	if (!err && s->virtio_console)
		err = set(doc, "console", json_object_new_string("virtio"));
	err = err ?: sync_array(s, "disks", s->nr_disks, disk_item);
	err = err ?: sync_array(s, "nets", s->nr_nets, net_item);
	if (err)
		return err;
	devs = json_object_new_array();
	err = set(doc, "devices", devs);
	for (i = 0; !err && i < s->nr_devices; i++)
		if (json_object_array_add(devs,
				json_object_new_string(s->devices[i])))
			err = -ENOMEM;
	return err;
}

const char *settings_json(struct vm_settings *s)
{
	if (s->version <= SETTINGS_VERSION && sync_doc(s))
		return NULL;
	return json_object_to_json_string_ext(s->doc,
					      JSON_C_TO_STRING_PRETTY |
					      JSON_C_TO_STRING_SPACED |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= w;
	}
	return 0;
}

/* The folder holding path, opened to fsync the rename into it. */
static int fsync_dir_of(const char *path)
{
	char *copy = strdup(path);
	int fd, err = 0;

	if (!copy)
		return -ENOMEM;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(copy);
	if (fd < 0)
		return -errno;
	if (fsync(fd))
		err = -errno;
	close(fd);
	return err;
}

int settings_save(const char *path, struct vm_settings *s, char *why,
		  size_t why_len)
{
	char tmp[SETTINGS_MAX_PATH + 16];
	const char *text;
	unsigned int i;
	int fd, err;

	if (s->version > SETTINGS_VERSION)
		return fail(why, why_len, -EPROTO,
			    "%s is a newer Vireo's (format version %u): not rewritten",
			    path, s->version);
	err = settings_check(s, why, why_len);
	if (err)
		return err;
	for (i = 0; i < s->nr_disks; i++)
		if (!s->disks[i].path)
			return fail(why, why_len, -EINVAL,
				    "disks[%u]: its image is not made yet", i);
	text = settings_json(s);
	if (!text)
		return -ENOMEM;
	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
		return fail(why, why_len, -ENAMETOOLONG, "%s: path too long",
			    path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return fail(why, why_len, -errno, "%s: %m", tmp);
	err = write_all(fd, text, strlen(text));
	err = err ?: write_all(fd, "\n", 1);
	if (!err && fchmod(fd, 0600))
		err = -errno;
	if (!err && fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err) {
		unlink(tmp);
		return fail(why, why_len, err, "cannot write %s: %s", path,
			    strerror(-err));
	}
	err = fsync_dir_of(path);
	if (err)
		return fail(why, why_len, err, "%s written, but not synced: %s",
			    path, strerror(-err));
	return 0;
}
