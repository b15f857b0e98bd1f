// SPDX-License-Identifier: GPL-2.0
/*
 * Releases compared, and what vireo-vm and vmctl say when the loaded
 * vireo.ko is another release than theirs (userspace/lib/release.c).
 */
#include <string.h>

#include "release.h"
#include "tap.h"

static void cmp(const char *a, const char *b, int want)
{
	int got = release_cmp(a, b);

	got = got < 0 ? -1 : got > 0;
	ok(got == want, "release_cmp(\"%s\", \"%s\") is %d (got %d)", a, b,
	   want, got);
}

int main(void)
{
	char buf[320];
	int r;

	cmp("0.12.0", "0.12.0", 0);
	cmp("0.11.3", "0.12.0", -1);
	cmp("0.12.0", "0.9.9", 1);		/* numbers, not strings */
	cmp("0.12", "0.12.1", -1);
	cmp("0.12.1", "0.12", 1);
	cmp("1.0.0", "0.99.99", 1);
	cmp("unknown", "0.12.0", -1);		/* not a number: older */
	cmp("0.12.0", "unknown", 1);

	ok(*vireo_release() && release_cmp(vireo_release(), "0.12.0") >= 0,
	   "this build's release is %s, 0.12.0 or later", vireo_release());

	r = release_advice("vireo-vm", "0.12.0", "0.12.0", buf, sizeof(buf));
	ok(r == 0 && !buf[0], "the same release: nothing to say");
	r = release_advice("vireo-vm", "0.12.0", "0.11.0", buf, sizeof(buf));
	ok(r == 1 && strstr(buf, "vireo.ko (release 0.11.0) is older than vireo-vm 0.12.0") &&
	   strstr(buf, "modprobe -r vireo && modprobe vireo"),
	   "an older module: reload it once no VM runs (%s)", buf);
	r = release_advice("vmctl", "0.12.0", NULL, buf, sizeof(buf));
	ok(r == 1 && strstr(buf, "a release before 0.12.0") &&
	   strstr(buf, "modprobe -r vireo"),
	   "a module without a version is older (%s)", buf);
	r = release_advice("vireo-vm", "0.12.0", "0.13.0", buf, sizeof(buf));
	ok(r == 1 && strstr(buf, "vireo-vm 0.12.0 is older than the loaded vireo.ko (release 0.13.0)") &&
	   strstr(buf, "upgrade vireo-vm"),
	   "a newer module: upgrade vireo-vm (%s)", buf);
	r = release_advice("vireo-vm", "0.12.0", "0.11.0", buf, 16);
	ok(r == 1 && strlen(buf) == 15, "a short buffer is cut, terminated");
	return tap_done();
}
