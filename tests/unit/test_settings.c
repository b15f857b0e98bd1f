// SPDX-License-Identifier: GPL-2.0
/*
 * The settings file (userspace/lib/settings.c): what it writes is the
 * golden file, byte for byte; what it reads is checked; keys it does not
 * know survive a rewrite; a newer version is read, never written; every
 * cut-short file is refused; a failed write leaves the file as it was.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "settings.h"
#include "tap.h"
#include "util.h"

static char dir[] = "/tmp/test_settings.XXXXXX";
static char path[256];

static char *slurp(const char *p, size_t *len)
{
	FILE *f = fopen(p, "r");
	char *buf = malloc(1 << 21);
	size_t n = 0;

	if (f && buf)
		n = fread(buf, 1, (1 << 21) - 1, f);
	if (f)
		fclose(f);
	if (buf)
		buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

static void spit(const char *p, const char *text, size_t len)
{
	FILE *f = fopen(p, "w");

	if (f) {
		fwrite(text, 1, len, f);
		fclose(f);
	}
}

/* A kernel VM with every field set, and a UUID fixed for the golden file. */
static void sample(struct vm_settings *s)
{
	settings_init(s, "deb-12_a.b");
	strcpy(s->uuid, "0f8fad5b-d9cb-469f-a165-70867728950e");
	s->memory = 512ULL << 20;
	s->cpus = 4;
	settings_set_str(&s->kernel, "/boot/vmlinuz");
	settings_set_str(&s->initrd, "/boot/initrd.img");
	settings_set_str(&s->append, "console=ttyS0 quiet");
	settings_set_str(&s->devices[0], "uart16550,port=0x2f8");
	s->nr_devices = 1;
}

static void test_golden(void)
{
	struct vm_settings s, t;
	char why[512] = "";
	char *want, *got;

	sample(&s);
	is_int(settings_save(path, &s, why, sizeof(why)), 0,
	       "save a kernel VM (%s)", why);
	got = slurp(path, NULL);
	want = slurp(GOLDEN_DIR "/settings-v1.json", NULL);
	ok(got && want && !strcmp(got, want),
	   "what it writes is tests/unit/golden/settings-v1.json");
	is_int(settings_load(path, &t, why, sizeof(why)), 0,
	       "and it reads back (%s)", why);
	ok(!strcmp(t.name, s.name) && !strcmp(t.uuid, s.uuid) &&
	   t.memory == s.memory && t.cpus == 4 && !t.rom &&
	   !strcmp(t.kernel, s.kernel) && !strcmp(t.initrd, s.initrd) &&
	   !strcmp(t.append, s.append) && t.nr_devices == 1 &&
	   !strcmp(t.devices[0], s.devices[0]),
	   "...every field as it was");
	is_int(settings_load(GOLDEN_DIR "/settings-v1.json", &t, why,
			     sizeof(why)), 0, "the golden file itself reads");
	settings_free(&t);
	settings_free(&s);
	free(got);
	free(want);
}

static void test_unknown_kept(void)
{
	static const char text[] =
		"{ \"format\": \"vireo-vm-settings\", \"version\": 1,\n"
		"  \"uuid\": \"0F8FAD5B-D9CB-469F-A165-70867728950E\",\n"
		"  \"name\": \"r\", \"memory\": 16777216, \"cpus\": 1,\n"
		"  \"boot\": { \"rom\": \"/x.rom\", \"firmware\": \"uefi\" },\n"
		"  \"guest_properties\": { \"a\": [1, 2] } }\n";
	struct vm_settings s;
	char why[512] = "";
	char *got;

	spit(path, text, sizeof(text) - 1);
	is_int(settings_load(path, &s, why, sizeof(why)), 0,
	       "a file with keys this version does not know reads (%s)",
	       why);
	is_str(s.uuid, "0f8fad5b-d9cb-469f-a165-70867728950e",
	       "the UUID, in lower case");
	s.memory = 32ULL << 20;
	is_int(settings_save(path, &s, why, sizeof(why)), 0, "rewrite it");
	got = slurp(path, NULL);
	ok(got && strstr(got, "\"guest_properties\"") &&
	   strstr(got, "\"firmware\": \"uefi\"") &&
	   strstr(got, "\"memory\": 33554432"),
	   "the unknown keys are kept, at the top and inside boot");
	free(got);
	settings_free(&s);
}

static void test_newer(void)
{
	static const char text[] =
		"{ \"format\": \"vireo-vm-settings\", \"version\": 7,\n"
		"  \"uuid\": \"0f8fad5b-d9cb-469f-a165-70867728950e\",\n"
		"  \"name\": \"r\", \"memory\": 16777216, \"cpus\": 1,\n"
		"  \"boot\": { \"rom\": \"/x.rom\" } }\n";
	struct vm_settings s;
	char why[512] = "";
	char *before, *after;

	spit(path, text, sizeof(text) - 1);
	before = slurp(path, NULL);
	is_int(settings_load(path, &s, why, sizeof(why)), -EPROTO,
	       "a newer format version: -EPROTO");
	ok(strstr(why, "newer") && s.version == 7 && !strcmp(s.name, "r"),
	   "...read as far as this version can, and said so");
	is_int(settings_save(path, &s, why, sizeof(why)), -EPROTO,
	       "and never written");
	after = slurp(path, NULL);
	ok(before && after && !strcmp(before, after), "...the file unchanged");
	settings_free(&s);
	free(before);
	free(after);
}

static const struct {
	const char *text, *what;
} bad[] = {
	{ "", "an empty file" },
	{ "[1, 2]", "not an object" },
	{ "{\"format\": \"other\", \"version\": 1}", "another format" },
	{ "{\"format\": \"vireo-vm-settings\"}", "no version" },
	{ "{\"format\": \"vireo-vm-settings\", \"version\": 0}", "version 0" },
	{ "{\"format\": \"vireo-vm-settings\", \"version\": 1, "
	  "\"uuid\": \"x\"}", "a bad UUID" },
	{ "{\"format\": \"vireo-vm-settings\", \"version\": 1, "
	  "\"uuid\": \"0f8fad5b-d9cb-469f-a165-70867728950e\", "
	  "\"name\": \"../x\", \"memory\": 16777216, \"cpus\": 1, "
	  "\"boot\": {\"rom\": \"/r\"}}", "a name with a slash" },
	{ "{\"format\": \"vireo-vm-settings\", \"version\": 1, "
	  "\"uuid\": \"0f8fad5b-d9cb-469f-a165-70867728950e\", "
	  "\"name\": \"r\", \"memory\": 16777217, \"cpus\": 1, "
	  "\"boot\": {\"rom\": \"/r\"}}", "memory not a multiple of 4K" },
	{ "{\"format\": \"vireo-vm-settings\", \"version\": 1, "
	  "\"uuid\": \"0f8fad5b-d9cb-469f-a165-70867728950e\", "
	  "\"name\": \"r\", \"memory\": -1, \"cpus\": 1, "
	  "\"boot\": {\"rom\": \"/r\"}}", "negative memory" },
	{ "{\"format\": \"vireo-vm-settings\", \"version\": 1, "
	  "\"uuid\": \"0f8fad5b-d9cb-469f-a165-70867728950e\", "
	  "\"name\": \"r\", \"memory\": 16777216, \"cpus\": 65, "
	  "\"boot\": {\"kernel\": \"/k\"}}", "65 vCPUs" },
	{ "{\"format\": \"vireo-vm-settings\", \"version\": 1, "
	  "\"uuid\": \"0f8fad5b-d9cb-469f-a165-70867728950e\", "
	  "\"name\": \"r\", \"memory\": 16777216, \"cpus\": 2, "
	  "\"boot\": {\"rom\": \"/r\"}}", "a ROM on 2 vCPUs" },
	{ "{\"format\": \"vireo-vm-settings\", \"version\": 1, "
	  "\"uuid\": \"0f8fad5b-d9cb-469f-a165-70867728950e\", "
	  "\"name\": \"r\", \"memory\": 16777216, \"cpus\": 1, "
	  "\"boot\": {\"rom\": \"/r\", \"kernel\": \"/k\"}}",
	  "a ROM and a kernel" },
	{ "{\"format\": \"vireo-vm-settings\", \"version\": 1, "
	  "\"uuid\": \"0f8fad5b-d9cb-469f-a165-70867728950e\", "
	  "\"name\": \"r\", \"memory\": 16777216, \"cpus\": 1, "
	  "\"boot\": {\"kernel\": \"/k\", \"append\": \"a\\u001bb\"}}",
	  "an escape character in the command line" },
	{ "{\"format\": \"vireo-vm-settings\", \"version\": 1, "
	  "\"uuid\": \"0f8fad5b-d9cb-469f-a165-70867728950e\", "
	  "\"name\": \"r\", \"memory\": 16777216, \"cpus\": 1, "
	  "\"boot\": {\"kernel\": \"/k\\u0000/etc\"}}", "a NUL in a path" },
	{ "{\"format\": \"vireo-vm-settings\", \"version\": 1, "
	  "\"uuid\": \"0f8fad5b-d9cb-469f-a165-70867728950e\", "
	  "\"name\": \"r\", \"memory\": 16777216, \"cpus\": 1, "
	  "\"boot\": {\"kernel\": \"/k\"}, \"devices\": [1]}",
	  "a device that is not a string" },
	{ "{\"format\": \"vireo-vm-settings\", \"version\": 1, "
	  "\"format\": \"vireo-vm-settings\", \"a\": [[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}",
	  "nesting 20 deep" },
	{ "{\"format\": \"vireo-vm-settings\", \"version\": 1,}",
	  "a trailing comma (strict JSON)" },
	{ "{\"format\": \"vireo-vm-settings\", \"version\": 1, "
	  "\"uuid\": \"0f8fad5b-d9cb-469f-a165-70867728950e\", "
	  "\"name\": \"r\", \"memory\": 16777216, \"cpus\": 1, "
	  "\"boot\": {\"kernel\": \"vmlinuz\"}}", "a relative kernel path" },
	{ "{\"format\": \"vireo-vm-settings\", \"version\": 1, "
	  "\"uuid\": \"0f8fad5b-d9cb-469f-a165-70867728950e\", "
	  "\"name\": \"r\\u0000x\", \"memory\": 16777216, \"cpus\": 1, "
	  "\"boot\": {\"kernel\": \"/k\"}}", "a NUL in the name" },
	{ "{\"format\": \"vireo-vm-settings\", \"version\": 1, "
	  "\"uuid\": \"0f8fad5b-d9cb-469f-a165-70867728950e\", "
	  "\"name\": \"r\", \"memory\": 16777216, \"cpus\": 1, "
	  "\"boot\": {\"kernel\": \"/k\"}, "
	  "\"devices\": [\"uart16550\\u0000,x\"]}", "a NUL in a device" },
	{ "{\"format\": \"vireo-vm-settings\", \"version\": 1, "
	  "\"uuid\": \"0f8fad5b-d9cb-469f-a165-70867728950e\", "
	  "\"name\": \"r\", \"memory\": 16777216, \"cpus\": 1, "
	  "\"boot\": {\"kernel\": \"/k\xff\"}}", "a byte that is no UTF-8" },
	{ "{\"format\": \"vireo-vm-settings\", \"version\": 2, "
	  "\"uuid\": \"0f8fad5b-d9cb-469f-a165-70867728950e\", "
	  "\"name\": \"x\\u001b]0;owned\\u0007\", \"memory\": 16777216, "
	  "\"cpus\": 1, \"boot\": {\"rom\": \"/r\"}}",
	  "a newer version with an escape in the name" },
};

static void test_bad(void)
{
	struct vm_settings s;
	char why[512];
	unsigned int i, refused = 0;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		why[0] = '\0';
		spit(path, bad[i].text, strlen(bad[i].text));
		if (settings_load(path, &s, why, sizeof(why)) == -EINVAL &&
		    why[0])
			refused++;
		else
			diag("not refused: %s", bad[i].what);
	}
	is_int(refused, ARRAY_SIZE(bad),
	       "every malformed file is refused with -EINVAL and a reason");
}

/* Every prefix of a good file, as a full disk or a crash leaves one. */
static void test_truncated(void)
{
	struct vm_settings s;
	char why[512];
	size_t len, n, refused = 0;
	char *good = slurp(GOLDEN_DIR "/settings-v1.json", &len);

	for (n = 0; good && n < len - 2; n++) {
		spit(path, good, n);
		if (settings_load(path, &s, why, sizeof(why)) == -EINVAL)
			refused++;
	}
	is_int(refused, len - 2, "each of its %zu cut-short forms is refused",
	       len - 2);
	free(good);
}

/* What is not a regular file, or is a link, is not read at all. */
static void test_not_regular(void)
{
	char fifo[300], link[300], why[512];
	struct vm_settings s;

	snprintf(fifo, sizeof(fifo), "%s/fifo.json", dir);
	snprintf(link, sizeof(link), "%s/link.json", dir);
	mkfifo(fifo, 0600);
	is_int(settings_load(fifo, &s, why, sizeof(why)), -EINVAL,
	       "a FIFO is refused without waiting for a writer");
	symlink(GOLDEN_DIR "/settings-v1.json", link);
	is_int(settings_load(link, &s, why, sizeof(why)), -EINVAL,
	       "a symbolic link is refused, not followed");
	spit(path, "{\"format\": \"vireo-vm-settings\"}\0junk", 37);
	is_int(settings_load(path, &s, why, sizeof(why)), -EINVAL,
	       "a NUL byte after the document is refused");
	unlink(fifo);
	unlink(link);
}

static void test_big(void)
{
	struct vm_settings s;
	char why[512];
	size_t n = SETTINGS_MAX_BYTES + 10;
	char *big = malloc(n);

	memset(big, ' ', n);
	big[0] = '{';
	big[n - 1] = '}';
	spit(path, big, n);
	is_int(settings_load(path, &s, why, sizeof(why)), -EFBIG,
	       "a file over 1 MiB is refused unread");
	free(big);
}

/* A write that fails leaves the old file, and no temporary one. */
static void test_failed_write(void)
{
	char sub[300], file[320], why[512];
	struct vm_settings s;
	char *before, *after;

	snprintf(sub, sizeof(sub), "%s/ro", dir);
	snprintf(file, sizeof(file), "%s/%s", sub, SETTINGS_FILE);
	mkdir(sub, 0755);
	sample(&s);
	settings_save(file, &s, why, sizeof(why));
	before = slurp(file, NULL);
	s.cpus = 0;
	ok(settings_save(file, &s, why, sizeof(why)) == -EINVAL &&
	   strstr(why, "cpus"), "an invalid change is refused: %s", why);
	s.cpus = 2;
	chmod(sub, 0555);
	if (geteuid() == 0) {
		/* root writes anyway: a file in the way of the rename. */
		chmod(sub, 0755);
		unlink(file);
		mkdir(file, 0755);
		ok(settings_save(file, &s, why, sizeof(why)) < 0,
		   "a rename that fails is an error (%s)", why);
		rmdir(file);
		spit(file, before, strlen(before));
	} else {
		ok(settings_save(file, &s, why, sizeof(why)) < 0,
		   "a folder it cannot write is an error (%s)", why);
		chmod(sub, 0755);
	}
	after = slurp(file, NULL);
	ok(before && after && !strcmp(before, after),
	   "the file is as it was");
	settings_free(&s);
	free(before);
	free(after);
}

static void test_names(void)
{
	static const char *const bad_names[] = {
		"", "../x", "a/b", ".hidden", "-x", "a b", "tab\tx", "\x1b[2J",
		"x\xc3\xa9",
		"a1234567890123456789012345678901234567890123456789012345678901234",
	};
	char why[200];
	unsigned int i, refused = 0;

	for (i = 0; i < ARRAY_SIZE(bad_names); i++)
		refused += settings_name_check(bad_names[i], why,
					       sizeof(why)) == -EINVAL;
	is_int(refused, ARRAY_SIZE(bad_names),
	       "bad names are refused: empty, path, leading dot or dash, "
	       "blanks, control characters, non-ASCII, 65 characters");
	ok(!settings_name_check("deb-12_a.b", why, sizeof(why)) &&
	   !settings_name_check("a123456789012345678901234567890123456789012345678901234567890123",
				why, sizeof(why)),
	   "good names pass, 64 characters too");
}

/* A ROM VM's file with more keys after "boot" (the disks, devices). */
static int load_with(const char *extra, int version, struct vm_settings *s,
		     char *why, size_t why_len)
{
	char text[8192];

	snprintf(text, sizeof(text),
		 "{\"format\": \"vireo-vm-settings\", \"version\": %d, "
		 "\"uuid\": \"0f8fad5b-d9cb-469f-a165-70867728950e\", "
		 "\"name\": \"r\", \"memory\": 16777216, \"cpus\": 1, "
		 "\"boot\": {\"rom\": \"/r\"}%s}", version, extra);
	spit(path, text, strlen(text));
	why[0] = '\0';
	return settings_load(path, s, why, why_len);
}

static void test_disks_round_trip(void)
{
	struct vm_settings s, t;
	char why[512] = "", buf[64];
	char *got;

	sample(&s);
	ok(!settings_add_disk(&s, "/img/a.img", true, "S-1") &&
	   !settings_add_disk(&s, "disk0.img", false, NULL),
	   "add two disks");
	is_int(settings_save(path, &s, why, sizeof(why)), 0,
	       "save a VM with disks (%s)", why);
	got = slurp(path, NULL);
	ok(got && strstr(got, "\"version\": 2,") &&
	   strstr(got, "{\n      \"path\": \"/img/a.img\",\n      \"readonly\": true,\n      \"serial\": \"S-1\"\n    }") &&
	   strstr(got, "{\n      \"path\": \"disk0.img\"\n    }"),
	   "...written as version 2, defaults left out");
	free(got);
	is_int(settings_load(path, &t, why, sizeof(why)), 0,
	       "...and it reads back (%s)", why);
	ok(t.nr_disks == 2 && !strcmp(t.disks[0].path, "/img/a.img") &&
	   t.disks[0].readonly && !strcmp(t.disks[0].serial, "S-1") &&
	   !strcmp(t.disks[1].path, "disk0.img") && !t.disks[1].readonly &&
	   !t.disks[1].serial, "...every disk as it was, in order");
	settings_disk_path("/vms/r", &t.disks[1], buf, sizeof(buf));
	is_str(buf, "/vms/r/disk0.img",
	       "a relative path is the settings file's folder's");
	settings_disk_path("/vms/r", &t.disks[0], buf, sizeof(buf));
	is_str(buf, "/img/a.img", "an absolute one is as it is");
	ok(settings_remove_disk(&t, 2) == -ERANGE &&
	   !settings_remove_disk(&t, 0) && t.nr_disks == 1 &&
	   !strcmp(t.disks[0].path, "disk0.img"),
	   "remove by index; the rest move up; out of range is -ERANGE");
	settings_remove_disk(&t, 0);
	is_int(settings_save(path, &t, why, sizeof(why)), 0,
	       "save with no disks left");
	got = slurp(path, NULL);
	ok(got && strstr(got, "\"version\": 1,") && !strstr(got, "disks"),
	   "...version 1 again, no \"disks\" key");
	free(got);
	settings_free(&t);
	settings_free(&s);
}

static void test_disks_limits(void)
{
	struct vm_settings s;
	char why[512] = "", name[32];
	unsigned int i;

	sample(&s);
	for (i = 0; i < SETTINGS_MAX_DISKS; i++) {
		snprintf(name, sizeof(name), "d%u.img", i);
		settings_add_disk(&s, name, false, NULL);
	}
	is_int(settings_add_disk(&s, "x.img", false, NULL), -ENOSPC,
	       "a 17th disk: -ENOSPC");
	is_int(settings_check(&s, why, sizeof(why)), 0, "16 disks pass");
	settings_set_str(&s.devices[s.nr_devices++], "virtio-blk,path=/x");
	is_int(settings_check(&s, why, sizeof(why)), -EINVAL,
	       "16 disks and a --device virtio-blk refused");
	ok(strstr(why, "virtio-blk") != NULL, "...saying why: %s", why);
	settings_free(&s);

	sample(&s);
	for (i = 1; i < 20; i++)
		settings_set_str(&s.devices[s.nr_devices++], "uart16550");
	for (i = 0; i < 13; i++)
		settings_add_disk(&s, "d.img", false, NULL);
	is_int(settings_check(&s, why, sizeof(why)), -EINVAL,
	       "20 devices and 13 disks refused");
	ok(strstr(why, "at most 32 in all") != NULL, "...saying why: %s",
	   why);
	settings_remove_disk(&s, 0);
	is_int(settings_check(&s, why, sizeof(why)), 0,
	       "20 devices and 12 disks pass");
	s.disks[0].new_size = 1 << 20;
	free(s.disks[0].path);
	s.disks[0].path = NULL;
	is_int(settings_save(path, &s, why, sizeof(why)), -EINVAL,
	       "a disk whose image is not made yet is not saved");
	settings_free(&s);
}

static const struct {
	const char *disks, *what;
} bad_disks[] = {
	{ "{}", "disks an object" },
	{ "[\"/a.img\"]", "a disk a string" },
	{ "[{}]", "a disk without a path" },
	{ "[{\"path\": 1}]", "a path that is a number" },
	{ "[{\"path\": \"\"}]", "an empty path" },
	{ "[{\"path\": \"/a,b.img\"}]", "a path with a comma" },
	{ "[{\"path\": \"/a\\u001b.img\"}]", "a path with an escape" },
	{ "[{\"path\": \"/a\\u0000.img\"}]", "a path with a NUL" },
	{ "[{\"path\": \"/a\", \"read_only\": true}]", "a misspelt key" },
	{ "[{\"path\": \"/a\", \"readonly\": \"yes\"}]",
	  "readonly a string" },
	{ "[{\"path\": \"/a\", \"serial\": 7}]", "a serial that is a number" },
	{ "[{\"path\": \"/a\", \"serial\": \"\"}]", "an empty serial" },
	{ "[{\"path\": \"/a\", \"serial\": \"123456789012345678901\"}]",
	  "a serial of 21 characters" },
	{ "[{\"path\": \"/a\", \"serial\": \"a b\"}]", "a serial with a blank" },
	{ "[{\"path\": \"/a\", \"serial\": \"a,b\"}]", "a serial with a comma" },
	{ "[{\"path\": \"/a\", \"serial\": \"\\u00e9\"}]",
	  "a serial not ASCII" },
	{ "[{\"path\": \"/a\"}, {\"path\": \"/a\"}, {\"path\": \"/a\"}, "
	  "{\"path\": \"/a\"}, {\"path\": \"/a\"}, {\"path\": \"/a\"}, "
	  "{\"path\": \"/a\"}, {\"path\": \"/a\"}, {\"path\": \"/a\"}, "
	  "{\"path\": \"/a\"}, {\"path\": \"/a\"}, {\"path\": \"/a\"}, "
	  "{\"path\": \"/a\"}, {\"path\": \"/a\"}, {\"path\": \"/a\"}, "
	  "{\"path\": \"/a\"}, {\"path\": \"/a\"}]", "17 disks" },
};

static void test_disks_bad(void)
{
	char extra[1024], why[512];
	struct vm_settings s;
	unsigned int i, refused = 0;

	for (i = 0; i < ARRAY_SIZE(bad_disks); i++) {
		snprintf(extra, sizeof(extra), ", \"disks\": %s",
			 bad_disks[i].disks);
		if (load_with(extra, 2, &s, why, sizeof(why)) == -EINVAL &&
		    strstr(why, "disks"))
			refused++;
		else
			diag("not refused, or not saying disks: %s (%s)",
			     bad_disks[i].what, why);
	}
	is_int(refused, ARRAY_SIZE(bad_disks),
	       "every malformed disk is refused with -EINVAL, naming disks");
	load_with(", \"disks\": [{\"path\": \"/a\", \"read_only\": true}]", 2,
		  &s, why, sizeof(why));
	ok(strstr(why, "disks[0]: unknown key \"read_only\"") != NULL,
	   "...an unknown key by its name: %s", why);
	is_int(load_with(", \"disks\": [{\"path\": \"/a\", \"cache\": 1}]",
			 SETTINGS_VERSION + 1, &s, why, sizeof(why)), -EPROTO,
	       "a newer version's disk keys: read as far as known");
	ok(s.nr_disks == 1 && !strcmp(s.disks[0].path, "/a"),
	   "...its disk read");
	settings_free(&s);
	is_int(load_with(", \"disks\": [{\"path\": \"disk0.img\", "
			 "\"readonly\": false, \"serial\": \"~!x=y\"}]", 2,
			 &s, why, sizeof(why)), 0,
	       "a relative path, readonly false, a serial of punctuation (%s)",
	       why);
	settings_free(&s);
}

/* A NIC as vmctl would make it; the strings are not copied. */
static struct vm_net nic(enum vm_net_backend backend, const char *mac)
{
	struct vm_net n = { .backend = backend };

	snprintf(n.mac, sizeof(n.mac), "%s", mac);
	return n;
}

static void test_nets_round_trip(void)
{
	struct vm_net u = nic(VM_NET_USER, "02:56:AB:cd:00:01");
	struct vm_net t = nic(VM_NET_TAP, "02:56:00:00:00:02");
	struct vm_net b = nic(VM_NET_TAP, "52:54:00:12:34:56");
	struct vm_settings s, r;
	char why[512] = "";
	char *got;

	u.hostfwd = "tcp:127.0.0.1:2222-:22+tcp::8080-:80";
	t.tap = "vtap0";
	t.addr = "10.0.0.1/24";
	b.tap = "vtap1";
	b.bridge = "br0";
	sample(&s);
	ok(!settings_add_net(&s, &u) && !settings_add_net(&s, &t) &&
	   !settings_add_net(&s, &b), "add three NICs");
	is_str(s.nets[0].mac, "02:56:ab:cd:00:01", "...the MAC in lower case");
	is_int(settings_save(path, &s, why, sizeof(why)), 0,
	       "save a VM with NICs (%s)", why);
	got = slurp(path, NULL);
	ok(got && strstr(got, "\"version\": 3,") &&
	   strstr(got, "{\n      \"backend\": \"user\",\n      \"hostfwd\": \"tcp:127.0.0.1:2222-:22+tcp::8080-:80\",\n      \"mac\": \"02:56:ab:cd:00:01\"\n    }") &&
	   strstr(got, "{\n      \"backend\": \"tap\",\n      \"tap\": \"vtap0\",\n      \"addr\": \"10.0.0.1/24\",\n      \"mac\": \"02:56:00:00:00:02\"\n    }"),
	   "...written as version 3, only the keys given");
	free(got);
	is_int(settings_load(path, &r, why, sizeof(why)), 0,
	       "...and it reads back (%s)", why);
	ok(r.nr_nets == 3 && r.nets[0].backend == VM_NET_USER &&
	   !strcmp(r.nets[0].hostfwd, u.hostfwd) && !r.nets[0].tap &&
	   r.nets[1].backend == VM_NET_TAP && !strcmp(r.nets[1].tap, "vtap0") &&
	   !strcmp(r.nets[1].addr, "10.0.0.1/24") && !r.nets[1].bridge &&
	   !strcmp(r.nets[2].bridge, "br0") && !r.nets[2].addr &&
	   !strcmp(r.nets[2].mac, "52:54:00:12:34:56"),
	   "...every NIC as it was, in order");
	ok(settings_remove_net(&r, 3) == -ERANGE &&
	   !settings_remove_net(&r, 0) && r.nr_nets == 2 &&
	   !strcmp(r.nets[0].tap, "vtap0"),
	   "remove by index; the rest move up; out of range is -ERANGE");
	settings_add_disk(&r, "disk0.img", false, NULL);
	settings_remove_net(&r, 0);
	settings_remove_net(&r, 0);
	is_int(settings_save(path, &r, why, sizeof(why)), 0,
	       "save with a disk and no NICs left");
	got = slurp(path, NULL);
	ok(got && strstr(got, "\"version\": 2,") && !strstr(got, "nets"),
	   "...version 2 again, no \"nets\" key");
	free(got);
	settings_free(&r);
	settings_free(&s);
}

static void test_nets_limits(void)
{
	struct vm_net n = nic(VM_NET_USER, "");
	struct vm_settings s;
	char why[512] = "";
	unsigned int i;

	sample(&s);
	for (i = 0; i < SETTINGS_MAX_NETS; i++) {
		snprintf(n.mac, sizeof(n.mac), "02:56:00:00:00:%02x", i + 1);
		settings_add_net(&s, &n);
	}
	is_int(settings_add_net(&s, &n), -ENOSPC, "a 9th NIC: -ENOSPC");
	is_int(settings_check(&s, why, sizeof(why)), 0, "8 NICs pass (%s)",
	       why);
	settings_set_str(&s.devices[s.nr_devices++], "virtio-net,user=on");
	is_int(settings_check(&s, why, sizeof(why)), -EINVAL,
	       "8 NICs and a --device virtio-net refused");
	ok(strstr(why, "virtio-net") != NULL, "...saying why: %s", why);
	free(s.devices[--s.nr_devices]);
	s.devices[s.nr_devices] = NULL;
	strcpy(s.nets[7].mac, "02:56:00:00:00:01");
	is_int(settings_check(&s, why, sizeof(why)), -EINVAL,
	       "two NICs of one MAC refused");
	ok(strstr(why, "nets[7]") && strstr(why, "nets[0]"),
	   "...naming both: %s", why);
	strcpy(s.nets[7].mac, "02:56:00:00:00:08");
	for (i = 1; i < 20; i++)
		settings_set_str(&s.devices[s.nr_devices++], "uart16550");
	for (i = 0; i < 5; i++)
		settings_add_disk(&s, "d.img", false, NULL);
	is_int(settings_check(&s, why, sizeof(why)), -EINVAL,
	       "20 devices, 5 disks and 8 NICs refused");
	ok(strstr(why, "at most 32 in all") != NULL, "...saying why: %s",
	   why);
	settings_remove_disk(&s, 0);
	is_int(settings_check(&s, why, sizeof(why)), 0,
	       "20 devices, 4 disks and 8 NICs pass (%s)", why);
	settings_free(&s);
}

#define MAC	"\"mac\": \"02:56:00:00:00:01\""
#define USER	"\"backend\": \"user\", "
#define TAP	"\"backend\": \"tap\", \"tap\": \"vtap0\", "

static const struct {
	const char *nets, *what;
} bad_nets[] = {
	{ "{}", "nets an object" },
	{ "[\"user\"]", "a NIC a string" },
	{ "[{" MAC "}]", "no backend" },
	{ "[{\"backend\": \"vde\", " MAC "}]", "an unknown backend" },
	{ "[{\"backend\": 1, " MAC "}]", "a backend that is a number" },
	{ "[{" USER "\"macaddr\": \"x\", " MAC "}]", "an unknown key" },
	{ "[{" USER "\"tap\": \"t0\", " MAC "}]", "user with tap" },
	{ "[{" USER "\"addr\": \"10.0.0.1/24\", " MAC "}]", "user with addr" },
	{ "[{" USER "\"bridge\": \"br0\", " MAC "}]", "user with bridge" },
	{ "[{" TAP "\"hostfwd\": \"tcp::1-:2\", " MAC "}]", "tap with hostfwd" },
	{ "[{\"backend\": \"tap\", " MAC "}]", "tap without an interface" },
	{ "[{" TAP "\"addr\": \"10.0.0.1/24\", \"bridge\": \"br0\", " MAC "}]",
	  "addr and bridge" },
	{ "[{\"backend\": \"tap\", \"tap\": 1, " MAC "}]", "tap a number" },
	{ "[{\"backend\": \"tap\", \"tap\": \"\", " MAC "}]", "an empty tap" },
	{ "[{\"backend\": \"tap\", \"tap\": \"a123456789012345\", " MAC "}]",
	  "a tap of 16 characters" },
	{ "[{\"backend\": \"tap\", \"tap\": \"a/b\", " MAC "}]",
	  "a tap with a slash" },
	{ "[{\"backend\": \"tap\", \"tap\": \"a,b\", " MAC "}]",
	  "a tap with a comma" },
	{ "[{\"backend\": \"tap\", \"tap\": \"a b\", " MAC "}]",
	  "a tap with a blank" },
	{ "[{\"backend\": \"tap\", \"tap\": \"a\\u001bb\", " MAC "}]",
	  "a tap with an escape" },
	{ "[{\"backend\": \"tap\", \"tap\": \"..\", " MAC "}]", "a tap \"..\"" },
	{ "[{\"backend\": \"tap\", \"tap\": \"t\\u0000x\", " MAC "}]",
	  "a tap with a NUL" },
	{ "[{" TAP "\"bridge\": \"br:0\", " MAC "}]", "a bridge with a colon" },
	{ "[{" TAP "\"addr\": \"10.0.0.1\", " MAC "}]", "addr without a prefix" },
	{ "[{" TAP "\"addr\": \"10.0.0.1/33\", " MAC "}]", "addr /33" },
	{ "[{" TAP "\"addr\": \"10.0.0.1/0\", " MAC "}]", "addr /0" },
	{ "[{" TAP "\"addr\": \"10.0.0.1/+8\", " MAC "}]", "addr /+8" },
	{ "[{" TAP "\"addr\": \"10.0.0/24\", " MAC "}]", "addr of 3 bytes" },
	{ "[{" TAP "\"addr\": \"fd00::1/129\", " MAC "}]", "addr IPv6 /129" },
	{ "[{" TAP "\"addr\": \"10.0.0.1/24,x\", " MAC "}]",
	  "addr with a comma" },
	{ "[{" USER "\"hostfwd\": \"udp::1-:2\", " MAC "}]", "hostfwd udp" },
	{ "[{" USER "\"hostfwd\": \"tcp::0-:2\", " MAC "}]", "hostfwd port 0" },
	{ "[{" USER "\"hostfwd\": \"tcp::1-:65536\", " MAC "}]",
	  "hostfwd port 65536" },
	{ "[{" USER "\"hostfwd\": \"tcp::1:2\", " MAC "}]", "hostfwd without -:" },
	{ "[{" USER "\"hostfwd\": \"tcp:localhost:1-:2\", " MAC "}]",
	  "hostfwd by a host name" },
	{ "[{" USER "\"hostfwd\": \"tcp::1-:2++tcp::3-:4\", " MAC "}]",
	  "hostfwd with an empty forward" },
	{ "[{" USER "\"hostfwd\": \"tcp::1-:2x\", " MAC "}]",
	  "hostfwd with junk after" },
	{ "[{" USER "\"hostfwd\": \"tcp::1-:2,mac=x\", " MAC "}]",
	  "hostfwd with a comma" },
	{ "[{" USER "\"hostfwd\": \"tcp::1-:1+tcp::2-:1+tcp::3-:1+tcp::4-:1+tcp::5-:1+tcp::6-:1+tcp::7-:1+tcp::8-:1+tcp::9-:1\", " MAC "}]",
	  "9 forwards" },
	{ "[{" USER "\"hostfwd\": 22, " MAC "}]", "hostfwd a number" },
	{ "[{\"backend\": \"user\"}]", "no mac" },
	{ "[{" USER "\"mac\": 1}]", "a mac that is a number" },
	{ "[{" USER "\"mac\": \"02:56:00:00:01\"}]", "a mac of 5 bytes" },
	{ "[{" USER "\"mac\": \"02-56-00-00-00-01\"}]", "a mac with dashes" },
	{ "[{" USER "\"mac\": \"02:56:0g:00:00:01\"}]", "a mac not hex" },
	{ "[{" USER "\"mac\": \"02:56: 0:00:00:01\"}]", "a mac with a blank" },
	{ "[{" USER "\"mac\": \"01:00:5e:00:00:01\"}]", "a multicast mac" },
	{ "[{" USER "\"mac\": \"ff:ff:ff:ff:ff:ff\"}]", "the broadcast mac" },
	{ "[{" USER "\"mac\": \"00:00:00:00:00:00\"}]", "the zero mac" },
	{ "[{" USER "\"mac\": \"02:56:00:00:00:01\\u0000x\"}]",
	  "a mac with a NUL" },
	{ "[{" USER MAC "}, {" TAP "\"mac\": \"02:56:00:00:00:01\"}]",
	  "two NICs of one mac" },
	{ "[{" USER MAC "}, {" USER MAC "}, {" USER MAC "}, {" USER MAC "}, {" USER MAC "}, {" USER MAC "}, {" USER MAC "}, {" USER MAC "}, {" USER MAC "}]",
	  "9 NICs" },
};

static void test_nets_bad(void)
{
	char extra[1024], why[512];
	struct vm_settings s;
	unsigned int i, refused = 0;

	for (i = 0; i < ARRAY_SIZE(bad_nets); i++) {
		snprintf(extra, sizeof(extra), ", \"nets\": %s",
			 bad_nets[i].nets);
		if (load_with(extra, 3, &s, why, sizeof(why)) == -EINVAL &&
		    strstr(why, "nets"))
			refused++;
		else
			diag("not refused, or not saying nets: %s (%s)",
			     bad_nets[i].what, why);
	}
	is_int(refused, ARRAY_SIZE(bad_nets),
	       "every malformed NIC is refused with -EINVAL, naming nets");
	load_with(", \"nets\": [{" USER "\"macaddr\": \"x\", " MAC "}]", 3, &s,
		  why, sizeof(why));
	ok(strstr(why, "nets[0]: unknown key \"macaddr\"") != NULL,
	   "...an unknown key by its name: %s", why);
	load_with(", \"nets\": [{" USER "\"mac\": \"03:00:00:00:00:01\"}]", 3,
		  &s, why, sizeof(why));
	ok(strstr(why, "nets[0]") && strstr(why, "multicast"),
	   "...a multicast MAC said so: %s", why);
}

static void test_nets_versions(void)
{
	char why[512];
	struct vm_settings s;

	is_int(load_with(", \"nets\": [{" USER MAC "}]", 2, &s, why,
			 sizeof(why)), -EINVAL,
	       "nets in a version 2 file: refused (an older vireo-vm would run it without them)");
	ok(strstr(why, "version 3") != NULL, "...saying why: %s", why);
	is_int(load_with(", \"nets\": [{\"backend\": \"vde\", \"sock\": \"/s\"}, {" USER "\"queues\": 2, " MAC "}]",
			 SETTINGS_VERSION + 1, &s, why, sizeof(why)), -EPROTO,
	       "a newer version's back end and keys: read as far as known");
	ok(s.nr_nets == 1 && s.nets[0].backend == VM_NET_USER &&
	   !strcmp(s.nets[0].mac, "02:56:00:00:00:01"),
	   "...its user NIC read, the unknown one left out");
	settings_free(&s);
	is_int(load_with(", \"nets\": [{\"backend\": \"tap\", \"tap\": \"tap-vm.1\", \"addr\": \"fd00::1/64\", \"mac\": \"0A:00:27:00:00:FF\"}, {" USER "\"hostfwd\": \"tcp:0.0.0.0:65535-:1\", \"mac\": \"02:56:00:00:00:01\"}]",
			 3, &s, why, sizeof(why)), 0,
	       "an IPv6 addr, a MAC in capitals, a forward on every address (%s)",
	       why);
	is_str(s.nets[0].mac, "0a:00:27:00:00:ff", "...the MAC in lower case");
	settings_free(&s);
}

static void test_console(void)
{
	struct vm_settings s, t;
	char why[512] = "";
	char *got;

	sample(&s);
	is_str(settings_console(&s), "uart", "the console is COM1 by default");
	s.virtio_console = true;
	is_int(settings_save(path, &s, why, sizeof(why)), 0,
	       "save a VM with the virtio console (%s)", why);
	got = slurp(path, NULL);
	ok(got && strstr(got, "\"version\": 4,") &&
	   strstr(got, "\"console\": \"virtio\""),
	   "...written as version 4, with \"console\": \"virtio\"");
	free(got);
	is_int(settings_load(path, &t, why, sizeof(why)), 0,
	       "...and it reads back (%s)", why);
	ok(t.virtio_console && !strcmp(settings_console(&t), "virtio"),
	   "...the virtio console");
	t.virtio_console = false;
	is_int(settings_save(path, &t, why, sizeof(why)), 0,
	       "save it with COM1 again");
	got = slurp(path, NULL);
	ok(got && strstr(got, "\"version\": 1,") &&
	   !strstr(got, "\"console\""),
	   "...version 1 again, no \"console\" key (the default)");
	free(got);
	settings_free(&t);
	settings_free(&s);
	is_int(load_with(", \"console\": \"uart\"", 1, &s, why, sizeof(why)),
	       0, "\"console\": \"uart\" reads in any version (%s)", why);
	ok(!s.virtio_console, "...COM1");
	settings_free(&s);
	is_int(load_with(", \"console\": \"virtio\"", 3, &s, why, sizeof(why)),
	       -EINVAL,
	       "the virtio console in a version 3 file: refused (an older vireo-vm would give it COM1)");
	ok(strstr(why, "version 4") != NULL, "...saying why: %s", why);
	is_int(load_with(", \"console\": \"hvc0\"", 4, &s, why, sizeof(why)),
	       -EINVAL, "a console other than uart or virtio: refused");
	ok(strstr(why, "console: not \"uart\" or \"virtio\"") != NULL,
	   "...saying why: %s", why);
	is_int(load_with(", \"console\": true", 4, &s, why, sizeof(why)),
	       -EINVAL, "a console that is no string: refused");
	is_int(load_with(", \"console\": \"serial2\"", SETTINGS_VERSION + 1, &s,
			 why, sizeof(why)), -EPROTO,
	       "a newer version's console: read as far as known");
	ok(!s.virtio_console, "...as COM1 (never run)");
	settings_free(&s);
	is_int(load_with(", \"console\": \"virtio\", \"devices\": [\"virtio-console\"]",
			 4, &s, why, sizeof(why)), -EINVAL,
	       "a virtio-console device: refused");
	ok(strstr(why, "\"console\": \"virtio\"") != NULL,
	   "...saying the console key gives it: %s", why);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/%s", dir, SETTINGS_FILE);
	test_golden();
	test_unknown_kept();
	test_newer();
	test_bad();
	test_truncated();
	test_big();
	test_not_regular();
	test_failed_write();
	test_names();
	test_disks_round_trip();
	test_disks_limits();
	test_disks_bad();
	test_nets_round_trip();
	test_nets_limits();
	test_nets_bad();
	test_nets_versions();
	test_console();
	return tap_done();
}
