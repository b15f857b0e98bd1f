// SPDX-License-Identifier: GPL-2.0
/*
 * A VM's network cards (create's and modify's --net, modify's
 * --remove-net, show's list): user-mode networking or a TAP interface of
 * the host, each with a MAC of its own.  A card given no mac= gets one
 * made here, and kept in the settings: vireo-vm's default depends on the
 * card's place, which --remove-net changes, and the guest (its DHCP
 * lease, udev's names, a bridge's neighbours) should see the same card at
 * every start.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "vmctl.h"

/* Tries at a random MAC no other card of the VM has. */
#define MAC_TRIES	16

/* The card of s that has mac, or -1. */
static int mac_owner(const struct vm_settings *s, const char *mac)
{
	unsigned int i;

	for (i = 0; i < s->nr_nets; i++)
		if (!strcasecmp(s->nets[i].mac, mac))
			return i;
	return -1;
}

/*
 * 02:56 ('V') and four random bytes: locally administered and unicast,
 * as vireo-vm's own default; random, so that two VMs on one bridge are
 * unlikely to meet.  0, or -errno.
 */
static int random_mac(const struct vm_settings *s, char *mac)
{
	unsigned char b[4];
	int i;

	for (i = 0; i < MAC_TRIES; i++) {
		if (getrandom(b, sizeof(b), 0) != sizeof(b))
			return -errno;
		snprintf(mac, SETTINGS_MAC_LEN + 1, "02:56:%02x:%02x:%02x:%02x",
			 b[0], b[1], b[2], b[3]);
		if (mac_owner(s, mac) < 0)
			return 0;
	}
	return -EEXIST;
}

/* The back end, first: "user" or "tap=IFNAME" (item is the copy's). */
static int net_backend(struct vmctl *ctl, const char *spec, char *item,
		       struct vm_net *n)
{
	if (!strcmp(item, "user")) {
		n->backend = VM_NET_USER;
		return VMCTL_OK;
	}
	if (!strncmp(item, "tap=", 4)) {
		n->backend = VM_NET_TAP;
		n->tap = item + 4;
		return VMCTL_OK;
	}
	return vmctl_usage_err(ctl, "--net %s: user or tap=IFNAME first (the back end)",
			       spec);
}

/* Where the value of item ("key=value") goes, or NULL for another key. */
static char **net_field(struct vm_net *n, char **mac, const char *item)
{
	if (!strncmp(item, "addr=", 5))
		return &n->addr;
	if (!strncmp(item, "bridge=", 7))
		return &n->bridge;
	if (!strncmp(item, "hostfwd=", 8))
		return &n->hostfwd;
	if (!strncmp(item, "mac=", 4))
		return mac;
	return NULL;
}

/*
 * The options after the back end, each once; which go with which back
 * end is settings_net_check()'s to say.
 */
static int net_flags(struct vmctl *ctl, const char *spec, char *rest,
		     struct vm_net *n, char **mac)
{
	char *item, *save = NULL, **field;

	for (item = strtok_r(rest, ",", &save); item;
	     item = strtok_r(NULL, ",", &save)) {
		field = net_field(n, mac, item);
		if (!field)
			return vmctl_usage_err(ctl, "--net %s: \"%s\": after the back end, addr=CIDR or bridge=BR (tap), hostfwd=tcp:[ADDR]:HPORT-:GPORT[+...] (user), and mac=M",
					       spec, item);
		if (*field)
			return vmctl_usage_err(ctl, "--net %s: %.*s given twice",
					       spec, (int)strcspn(item, "="),
					       item);
		*field = strchr(item, '=') + 1;
	}
	return VMCTL_OK;
}

/* The card's MAC: the one given, which no other card has, or a new one. */
static int net_mac(struct vmctl *ctl, const char *spec,
		   const struct vm_settings *s, const char *mac,
		   struct vm_net *n)
{
	char why[200];
	int err, owner;

	if (!mac) {
		err = random_mac(s, n->mac);
		if (err) {
			vmctl_err("--net %s: cannot make a random MAC: %s",
				  spec, strerror(-err));
			return VMCTL_FAILED;
		}
		return VMCTL_OK;
	}
	if (settings_mac_check(mac, why, sizeof(why)))
		return vmctl_usage_err(ctl, "--net %s: %s", spec, why);
	owner = mac_owner(s, mac);
	if (owner >= 0)
		return vmctl_usage_err(ctl, "--net %s: mac %s is net %d's already",
				       spec, mac, owner);
	snprintf(n->mac, sizeof(n->mac), "%s", mac);
	return VMCTL_OK;
}

/* The card whole, as the settings file's are checked. */
static int net_check(struct vmctl *ctl, const char *spec,
		     const struct vm_net *n)
{
	char why[200];
	int err = settings_net_check(n, why, sizeof(why));

	if (err == -ENOMEM) {
		vmctl_err("out of memory");
		return VMCTL_FAILED;
	}
	return err ? vmctl_usage_err(ctl, "--net %s: %s", spec, why) :
		     VMCTL_OK;
}

int vmctl_net_option(struct vmctl *ctl, const char *spec,
		     struct vm_settings *s)
{
	char *copy = strdup(spec), *rest, *mac = NULL;
	struct vm_net n = { 0 };
	int status;

	if (!copy) {
		vmctl_err("out of memory");
		return VMCTL_FAILED;
	}
	rest = copy + strcspn(copy, ",");
	if (*rest)
		*rest++ = '\0';
	status = net_backend(ctl, spec, copy, &n);
	if (status == VMCTL_OK)
		status = net_flags(ctl, spec, rest, &n, &mac);
	if (status == VMCTL_OK && s->nr_nets == SETTINGS_MAX_NETS)
		status = vmctl_usage_err(ctl, "a VM has at most %d network cards",
					 SETTINGS_MAX_NETS);
	if (status == VMCTL_OK)
		status = net_mac(ctl, spec, s, mac, &n);
	if (status == VMCTL_OK)
		status = net_check(ctl, spec, &n);
	if (status == VMCTL_OK && settings_add_net(s, &n)) {
		vmctl_err("out of memory");
		status = VMCTL_FAILED;
	}
	free(copy);
	return status;
}

int vmctl_remove_net_option(struct vmctl *ctl, const char *arg,
			    struct vm_settings *s)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(arg, &end, 10);
	if (!isdigit((unsigned char)arg[0]) || *end || errno ||
	    n >= s->nr_nets) {
		if (!s->nr_nets)
			return vmctl_usage_err(ctl, "--remove-net %s: %s has no network cards",
					       arg, s->name);
		return vmctl_usage_err(ctl, "--remove-net %s: %s's network cards are 0 to %u (vmctl show %s lists them)",
				       arg, s->name, s->nr_nets - 1, s->name);
	}
	settings_remove_net(s, n);
	return VMCTL_OK;
}

static void show_opt(const char *key, const char *value)
{
	if (value)
		printf("  %s=%s", key, value);
}

void vmctl_show_nets(const struct vm_settings *s)
{
	unsigned int i;

	/*
	 * Each option as --net spells it, spaced for reading (--net joins
	 * them with commas); the values were checked printable on load.
	 */
	for (i = 0; i < s->nr_nets; i++) {
		const struct vm_net *n = &s->nets[i];

		printf("net %-6u %s", i, n->backend == VM_NET_TAP ? "tap=" :
		       "user");
		if (n->tap)
			fputs(n->tap, stdout);
		show_opt("addr", n->addr);
		show_opt("bridge", n->bridge);
		show_opt("hostfwd", n->hostfwd);
		show_opt("mac", n->mac);
		putchar('\n');
	}
}
