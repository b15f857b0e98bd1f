// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's information for the host (vminfo.h).
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <utmpx.h>

#include "vminfo.h"

#define INFO		"/VirtualBox/GuestInfo/"

void vminfo_init(struct vminfo *v, struct prop_client *props)
{
	memset(v, 0, sizeof(*v));
	v->props = props;
}

/* Write name=value unless it was written so already. */
static void put(struct vminfo *v, const char *name, const char *value,
		const char *flags)
{
	char entry[sizeof(v->cache[0])];
	unsigned int i;
	size_t nlen = strlen(name);

	snprintf(entry, sizeof(entry), "%s=%s", name, value);
	for (i = 0; i < v->nr_cache; i++) {
		if (strncmp(v->cache[i], name, nlen) || v->cache[i][nlen] != '=')
			continue;
		if (!strcmp(v->cache[i], entry))
			return;
		break;
	}
	if (prop_set(v->props, name, value, flags) < 0)
		return;
	if (i == v->nr_cache && v->nr_cache < 64)
		v->nr_cache++;
	if (i < 64)
		snprintf(v->cache[i], sizeof(v->cache[i]), "%s", entry);
}

static void forget(struct vminfo *v, const char *prefix)
{
	unsigned int i, j = 0;

	for (i = 0; i < v->nr_cache; i++)
		if (strncmp(v->cache[i], prefix, strlen(prefix)))
			memmove(v->cache[j++], v->cache[i], sizeof(v->cache[0]));
	v->nr_cache = j;
}

void vminfo_os(struct vminfo *v, const char *version)
{
	struct utsname u;

	if (uname(&u))
		memset(&u, 0, sizeof(u));
	put(v, INFO "OS/Product", u.sysname, NULL);
	put(v, INFO "OS/Release", u.release, NULL);
	put(v, INFO "OS/Version", u.version, NULL);
	put(v, INFO "OS/ServicePack", "", NULL);
	put(v, "/VirtualBox/GuestAdd/Version", version, NULL);
	put(v, "/VirtualBox/GuestAdd/VersionExt", version, NULL);
	put(v, "/VirtualBox/GuestAdd/Revision", "0", NULL);
}

static void mac_of(const char *ifname, char *out, size_t len)
{
	char path[128], raw[32] = "";
	FILE *f;
	size_t i, j = 0;

	snprintf(path, sizeof(path), "/sys/class/net/%s/address", ifname);
	f = fopen(path, "r");
	if (f) {
		if (!fgets(raw, sizeof(raw), f))
			raw[0] = '\0';
		fclose(f);
	}
	/* Twelve upper-case hex digits, no separators (VirtualBox's form). */
	for (i = 0; raw[i] && j + 1 < len; i++)
		if ((raw[i] >= '0' && raw[i] <= '9') ||
		    (raw[i] >= 'a' && raw[i] <= 'f') ||
		    (raw[i] >= 'A' && raw[i] <= 'F'))
			out[j++] = raw[i] >= 'a' ? raw[i] - 32 : raw[i];
	out[j] = '\0';
}

static void addr_str(const struct sockaddr *sa, char *out, size_t len)
{
	out[0] = '\0';
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
			  out, len);
}

static void net_round(struct vminfo *v)
{
	struct ifaddrs *ifa, *i;
	unsigned int n = 0, k;
	char name[96], buf[64];

	if (getifaddrs(&ifa))
		ifa = NULL;
	for (i = ifa; i && n < VMINFO_NET_MAX; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET ||
		    (i->ifa_flags & IFF_LOOPBACK))
			continue;
#define NET(key) (snprintf(name, sizeof(name), INFO "Net/%u/" key, n), name)
		addr_str(i->ifa_addr, buf, sizeof(buf));
		put(v, NET("V4/IP"), buf, NULL);
		addr_str(i->ifa_broadaddr, buf, sizeof(buf));
		put(v, NET("V4/Broadcast"), buf, NULL);
		addr_str(i->ifa_netmask, buf, sizeof(buf));
		put(v, NET("V4/Netmask"), buf, NULL);
		mac_of(i->ifa_name, buf, sizeof(buf));
		put(v, NET("MAC"), buf, NULL);
		put(v, NET("Status"), (i->ifa_flags & IFF_UP) ? "Up" : "Down",
		    NULL);
		put(v, NET("Name"), i->ifa_name, NULL);
#undef NET
		n++;
	}
	if (ifa)
		freeifaddrs(ifa);
	/* Entries of interfaces gone since. */
	for (k = n; k < v->last_net_count; k++) {
		static const char *const keys[] = {
			"V4/IP", "V4/Broadcast", "V4/Netmask", "MAC", "Status",
			"Name" };
		unsigned int j;

		for (j = 0; j < sizeof(keys) / sizeof(keys[0]); j++) {
			snprintf(name, sizeof(name), INFO "Net/%u/%s", k,
				 keys[j]);
			prop_del(v->props, name);
		}
		snprintf(name, sizeof(name), INFO "Net/%u/", k);
		forget(v, name);
	}
	v->last_net_count = n;
	snprintf(buf, sizeof(buf), "%u", n);
	/* Every round: the host's sign the information is current. */
	prop_set(v->props, INFO "Net/Count", buf, NULL);
}

/* Is user one of the comma-separated names of list? */
static bool in_list(const char *list, const char *user)
{
	size_t len = strlen(user);
	const char *at = list;

	while ((at = strstr(at, user))) {
		if ((at == list || at[-1] == ',') &&
		    (at[len] == ',' || !at[len]))
			return true;
		at += len;
	}
	return false;
}

static void users_round(struct vminfo *v)
{
	char list[512] = "", count[16];
	unsigned int n = 0;
	struct utmpx *u;
	size_t len = 0;

	setutxent();
	while ((u = getutxent())) {
		char user[sizeof(u->ut_user) + 1];

		if (u->ut_type != USER_PROCESS || !u->ut_user[0])
			continue;
		snprintf(user, sizeof(user), "%.*s", (int)sizeof(u->ut_user),
			 u->ut_user);
		if (in_list(list, user))
			continue;
		len += snprintf(list + len, sizeof(list) - len, "%s%s",
				n ? "," : "", user);
		if (len >= sizeof(list))
			break;
		n++;
	}
	endutxent();
	snprintf(count, sizeof(count), "%u", n);
	if (n)
		put(v, INFO "OS/LoggedInUsersList", list, "TRANSRESET");
	else if (v->nr_cache)
		prop_del(v->props, INFO "OS/LoggedInUsersList");
	put(v, INFO "OS/LoggedInUsers", count, "TRANSRESET");
	put(v, INFO "OS/NoLoggedInUsers", n ? "false" : "true", "TRANSRESET");
}

void vminfo_round(struct vminfo *v)
{
	net_round(v);
	users_round(v);
}

static void del_one(void *arg, const char *name, const char *value,
		    uint64_t ts, const char *flags)
{
	prop_del(arg, name);
}

void vminfo_stop(struct vminfo *v)
{
	prop_enum(v->props, INFO "Net/*", del_one, v->props);
	prop_del(v->props, INFO "OS/LoggedInUsersList");
	prop_set(v->props, INFO "OS/LoggedInUsers", "0", "TRANSRESET");
	prop_set(v->props, INFO "OS/NoLoggedInUsers", "true", "TRANSRESET");
	v->nr_cache = 0;
}
